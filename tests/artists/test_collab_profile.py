"""Skills, genres and "open to collaborate" on the artist edit form."""

import pytest

pytestmark = pytest.mark.django_db


def profile(artist, **changes):
    fields = {
        "name": artist.name,
        "slug": artist.slug,
        "location": "Lisbon",
        "bio": "",
        "links": "",
        "skills": ["producer", "vocalist"],
        "genres": "Downtempo,  trip   HOP, downtempo",
        "open_to_collab": "on",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def test_an_artist_says_what_they_do_and_that_they_are_open(artist_client, artist):
    saved = artist_client.post("/artist/edit/", profile(artist))

    assert saved.status_code == 302
    artist.refresh_from_db()
    assert artist.skills == ["producer", "vocalist"]
    assert artist.genres == ["downtempo", "trip hop"]
    assert artist.open_to_collab is True
    form = artist_client.get("/artist/edit/").content.decode()
    assert 'value="downtempo, trip hop"' in form


def test_switching_off_and_clearing(artist_client, artist):
    artist_client.post("/artist/edit/", profile(artist))
    artist_client.post(
        "/artist/edit/", profile(artist, skills=None, genres="", open_to_collab=None)
    )
    artist.refresh_from_db()
    assert (artist.skills, artist.genres, artist.open_to_collab) == ([], [], False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"skills": ["astronaut"]}, "not one of the available choices"),
        ({"genres": "a, b, c, d, e, f"}, "At most 5 genres"),
        ({"genres": "x" * 31}, "long for a genre"),
        ({"genres": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_skills_or_genres_are_refused(artist_client, artist, changes, message):
    refused = artist_client.post("/artist/edit/", profile(artist, **changes))
    assert refused.status_code == 422 and message in refused.content.decode()
    artist.refresh_from_db()
    assert artist.skills == [] and artist.genres == []


def test_html_in_a_genre_is_shown_as_text(artist_client, artist, client):
    artist_client.post("/artist/edit/", profile(artist, genres="<b>noise</b>"))
    page = client.get("/collab/artists/").content.decode()
    assert "&lt;b&gt;noise&lt;/b&gt;" in page and "<b>noise</b>" not in page
