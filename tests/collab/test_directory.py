"""The artist directory: filters, search, pagination, and who is listed."""

import pytest

from tests.factories import ArtistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    return {
        "ana": ArtistFactory(
            name="Ana Voz",
            bio="Soul singer.",
            skills=["vocalist"],
            genres=["soul", "downtempo"],
            location="Lisbon, Portugal",
            open_to_collab=True,
        ),
        "bo": ArtistFactory(
            name="Bo Beats",
            bio="I make beats for singers.",
            skills=["producer", "beatmaker"],
            genres=["hip hop"],
            location="Porto",
        ),
        "cy": ArtistFactory(
            name="Cy Mix",
            bio="Mixing since 2004.",
            skills=["mixing-engineer"],
            genres=["downtempo", "électro"],
            location="Berlin",
            open_to_collab=True,
        ),
        "gone": ArtistFactory(
            name="Suspended Singer", skills=["vocalist"], is_suspended=True, open_to_collab=True
        ),
    }


def names(client, query=""):
    page = client.get(f"/collab/artists/?{query}")
    assert page.status_code == 200
    text = page.content.decode()
    return {n for n in ("Ana Voz", "Bo Beats", "Cy Mix", "Suspended Singer") if n in text}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", {"Ana Voz", "Bo Beats", "Cy Mix"}),
        ("skill=vocalist", {"Ana Voz"}),
        ("skill=mixing-engineer", {"Cy Mix"}),
        ("skill=engineer", {"Ana Voz", "Bo Beats", "Cy Mix"}),  # not a skill: ignored
        ("genre=Downtempo", {"Ana Voz", "Cy Mix"}),
        ("genre=hip%20%20hop", {"Bo Beats"}),
        ("genre=hip", set()),
        ("genre=%C3%89lectro", {"Cy Mix"}),  # "Électro": not only ASCII
        ("location=lisbon", {"Ana Voz"}),
        ("location=PORT", {"Ana Voz", "Bo Beats"}),  # Portugal, Porto
        ("open=on", {"Ana Voz", "Cy Mix"}),
        ("q=singer", {"Ana Voz", "Bo Beats"}),  # bio: "soul singer", "beats for singers"
        ("q=cy", {"Cy Mix"}),
        ("genre=downtempo&open=on&location=berlin", {"Cy Mix"}),
    ],
)
def test_the_directory_filters(client, cast, query, found):
    assert names(client, query) == found


def test_hostile_or_oversized_filters_are_harmless(client, cast):
    assert names(client, "q=" + "x" * 5000) == {"Ana Voz", "Bo Beats", "Cy Mix"}
    page = client.get("/collab/artists/?q=<script>alert(1)</script>&page=-3")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.content.decode()


def test_open_artists_come_first(client, cast):
    text = client.get("/collab/artists/").content.decode()
    assert text.index("Ana Voz") < text.index("Cy Mix") < text.index("Bo Beats")


def test_the_directory_pages_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(45):
        ArtistFactory(name=f"Player {n:02}", skills=["guitarist"], genres=["rock"])
    with django_assert_max_num_queries(3):
        first = client.get("/collab/artists/?skill=guitarist")
    text = first.content.decode()
    assert (
        "45 artists" in text and "Page 1 of 3" in text and text.count('class="directory-row"') == 20
    )
    assert "Guitarist" in text
    assert (
        client.get("/collab/artists/?skill=guitarist&page=3")
        .content.decode()
        .count('class="directory-row"')
        == 5
    )
