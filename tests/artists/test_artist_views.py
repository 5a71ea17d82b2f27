"""Becoming an artist, editing the profile, and the pages an artist's listeners see."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from artists.models import Artist
from tests.audio_files import picture
from tests.factories import ArtistFactory, TrackFactory


def profile(**changes) -> dict:
    return {
        "name": "Night Owls",
        "slug": "night-owls",
        "location": "Lisbon",
        "bio": "Two people and a tape machine.",
        "links": "",
        **changes,
    }


def png(size=(1200, 900)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(out, "PNG")
    return SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


def create(client, **data):
    return client.post(reverse("artists:create"), profile(**data))


# --- Becoming an artist --------------------------------------------------------------------------


def test_a_listener_becomes_an_artist_and_lands_on_their_page(fan_client, fan):
    response = create(fan_client, links="https://nightowls.example\n\nhttp://shop.example/x")

    assert response.status_code == 302
    assert response["Location"] == "/@night-owls/"
    artist = Artist.objects.get(user=fan)
    assert artist.links == ["https://nightowls.example", "http://shop.example/x"]
    page = fan_client.get(response["Location"])
    assert "Night Owls" in page.text
    assert "Your artist profile is saved." in page.text


def test_the_address_is_made_url_safe(fan_client, fan):
    create(fan_client, slug="Night Owls")

    assert Artist.objects.get(user=fan).slug == "night-owls"


def test_a_taken_address_is_refused_with_a_message(fan_client):
    ArtistFactory(slug="night-owls")

    response = create(fan_client, slug="Night-Owls")

    assert response.status_code == 422
    assert "That address is taken. Try another one." in response.text
    assert 'aria-invalid="true"' in response.text
    assert Artist.objects.count() == 1


@pytest.mark.parametrize(
    ("links", "says"),
    [
        ("javascript:alert(1)", "“javascript:alert(1)” is not a web address"),
        ("nightowls.example", "“nightowls.example” is not a web address"),
        ("ftp://files.example", "“ftp://files.example” is not a web address"),
        ("\n".join(f"https://{n}.example" for n in range(11)), "At most 10 links, please."),
    ],
)
def test_a_bad_link_is_refused_with_a_message(fan_client, links, says):
    response = create(fan_client, links=links)

    assert response.status_code == 422
    assert says in response.text
    assert not Artist.objects.exists()


def test_a_corrupt_avatar_is_refused_and_no_profile_is_made(fan_client):
    corrupt = SimpleUploadedFile("me.png", os.urandom(4000), content_type="image/png")

    response = create(fan_client, avatar=corrupt)

    assert response.status_code == 422
    assert "is not a JPEG, PNG, WebP or GIF picture" in response.text
    assert not Artist.objects.exists()


def test_an_avatar_over_the_size_limit_is_refused(fan_client, settings):
    settings.IMAGE_MAX_BYTES = 1000

    response = create(fan_client, avatar=png())

    assert response.status_code == 422
    assert "This picture is too large: the limit is 1000\xa0bytes." in response.text
    assert not Artist.objects.exists()


def test_an_avatar_is_shrunk_and_stored_as_a_jpeg(fan_client, fan):
    create(fan_client, avatar=png(size=(1600, 1200)))

    artist = Artist.objects.get(user=fan)
    with artist.avatar.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 800
    assert artist.avatar.url in fan_client.get(artist.get_absolute_url()).text


def test_someone_who_is_already_an_artist_is_sent_to_edit_their_profile(artist_client):
    response = artist_client.get(reverse("artists:create"))

    assert response.status_code == 302
    assert response["Location"] == reverse("artists:edit")


def test_becoming_an_artist_needs_an_account(client, db):
    response = client.get(reverse("artists:create"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Editing the profile -------------------------------------------------------------------------


def test_an_artist_edits_their_profile_and_keeps_their_avatar(artist_client, artist):
    artist.avatar = SimpleUploadedFile("a.jpg", picture(), content_type="image/jpeg")
    artist.save()
    avatar = artist.avatar.name

    response = artist_client.post(
        reverse("artists:edit"), profile(name="Mira Sol & Band", slug="mira-sol")
    )

    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.name == "Mira Sol & Band"
    assert artist.avatar.name == avatar


def test_an_artist_cannot_take_another_artists_address(artist_client, artist):
    ArtistFactory(slug="taken")

    response = artist_client.post(reverse("artists:edit"), profile(slug="taken"))

    assert response.status_code == 422
    assert "That address is taken" in response.text
    artist.refresh_from_db()
    assert artist.slug == "mira-sol"


def test_a_listener_who_opens_edit_or_studio_is_sent_to_create_a_profile(fan_client):
    for name in ("artists:edit", "artists:studio"):
        response = fan_client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("artists:create")


# --- The artist page -----------------------------------------------------------------------------


def test_the_artist_page_shows_edit_links_only_to_its_owner(artist_client, artist):
    TrackFactory(artist=artist, title="Harbour")

    own = artist_client.get(artist.get_absolute_url())
    theirs = Client().get(artist.get_absolute_url())

    assert "Harbour" in own.text and "Harbour" in theirs.text
    assert reverse("artists:edit") in own.text
    assert reverse("artists:edit") not in theirs.text


def test_an_unknown_artist_is_not_found(client, db):
    assert client.get("/@nobody/").status_code == 404


def test_a_suspended_artist_is_hidden_from_everyone_but_its_owner_and_staff(
    client, artist, fan, admin_user
):
    TrackFactory(artist=artist, title="Harbour")
    artist.is_suspended = True
    artist.save()

    assert client.get(artist.get_absolute_url()).status_code == 404
    assert "Mira Sol" not in client.get(reverse("home")).text
    for person, status in ((fan, 404), (artist.user, 200), (admin_user, 200)):
        client.force_login(person)
        assert client.get(artist.get_absolute_url()).status_code == status


def test_a_hostile_bio_and_name_are_shown_as_text(client, db):
    artist = ArtistFactory(name="<b>Bold</b>", bio='<img src=x onerror="alert(1)">')

    page = client.get(artist.get_absolute_url()).text

    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<img src=x" not in page
