"""An artist uploads a whole EP at once; a wrong file is refused without spoiling the rest."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.audio_files import audio_file
from tests.e2e.conftest import screenshot
from tests.factories import ArtistFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_release_uploads_in_file_name_order_and_bad_files_are_refused(page, tmp_path):
    artist = ArtistFactory(name="Tidal Choir", slug="tidal-choir")
    log_in(page, artist.user)
    first = tmp_path / "01 Harbour.mp3"
    second = tmp_path / "02 Open Water.ogg"
    first.write_bytes(audio_file("mp3", seconds=5).read_bytes())
    second.write_bytes(audio_file("ogg", seconds=6).read_bytes())
    notes = tmp_path / "liner notes.txt"
    notes.write_text("Recorded in a boathouse.")

    page.goto("/upload/")
    page.get_by_label("A release (album, EP…) with ordered tracks").check()
    page.get_by_label("Title").fill("Boathouse Sessions")
    page.locator("#id_files").set_input_files([str(second), str(notes), str(first)])
    rows = page.locator(".upload-item")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("01 Harbour.mp3")
    expect(rows.nth(2)).to_contain_text("Not an audio file we accept (.txt)")

    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("[data-upload-done]")).to_contain_text(
        "2 of 3 files uploaded", timeout=60_000
    )
    expect(rows.nth(2)).to_contain_text("Not an audio file we accept")
    screenshot(page, "upload-release")

    page.get_by_role("link", name="Open the release").click()
    expect(page.get_by_role("heading", name="Boathouse Sessions")).to_be_visible()
    titles = page.locator(".track-row-title")
    expect(titles).to_have_count(2)
    expect(titles.nth(0)).to_have_text(re.compile("Harbour"))
    expect(titles.nth(1)).to_have_text(re.compile("Open Water"))
