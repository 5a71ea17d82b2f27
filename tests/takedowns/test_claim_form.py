"""The public takedown request: what a claimant can send, and every way it says no."""

import uuid

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from playlists.models import Playlist
from takedowns import services
from takedowns.models import ClaimedWork, CopyrightClaim
from takedowns.works import Work
from tests.factories import ReleaseFactory, TrackFactory

from .filing import claim_data

pytestmark = pytest.mark.django_db


def _post(client, *urls, **overrides):
    return client.post("/copyright/", claim_data(*urls, **overrides))


def test_the_footer_links_to_the_form_and_the_form_names_the_agent(client, settings):
    settings.COPYRIGHT_AGENT_EMAIL = "dmca@music.example"
    home = client.get("/")
    assert 'href="/copyright/"' in home.content.decode()
    page = client.get("/copyright/")
    assert page.status_code == 200
    assert "dmca@music.example" in page.content.decode()


def test_a_signed_out_claimant_files_a_claim_and_gets_a_reference_by_email(
    client, track, django_capture_on_commit_callbacks, settings
):
    settings.COPYRIGHT_AGENT_EMAIL = "dmca@music.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"http://testserver{track.get_absolute_url()}")

    claim = CopyrightClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/copyright/received/{claim.reference}/"
    assert claim.status == CopyrightClaim.Status.RECEIVED
    assert claim.claimant_name == "Ada Rights" and claim.submitted_by is None
    work = claim.works.get()
    assert (work.object_id, work.owner) == (track.pk, track.artist.user)
    assert work.label == "track: Borrowed Tune"

    page = client.get(response["Location"])
    assert claim.reference in page.content.decode()
    assert "ada@rights.example" not in page.content.decode()  # the page shows nothing personal
    [email] = mail.outbox
    assert email.to == ["ada@rights.example"]
    assert email.reply_to == ["dmca@music.example"]
    assert claim.reference in email.subject and "Borrowed Tune" in email.body


def test_tracks_releases_and_playlists_are_found_by_any_of_their_addresses(client, uploader):
    track = TrackFactory(artist=uploader)
    release = ReleaseFactory(artist=uploader)
    playlist = Playlist.objects.create(owner=uploader.user, title="Mixtape")
    lines = [
        f"/track/{track.public_id}/",
        f"http://testserver/embed/track/{track.public_id}",  # the same track: counted once
        f"https://testserver{release.get_absolute_url()}",
        f"  /playlist/{playlist.public_id}/  ",
    ]
    assert _post(client, *lines).status_code == 302
    claimed = set(ClaimedWork.objects.values_list("content_type__model", "object_id"))
    assert claimed == {("track", track.pk), ("release", release.pk), ("playlist", playlist.pk)}


def test_each_bad_line_gets_its_own_message_and_nothing_is_saved(client, track):
    response = _post(
        client,
        f"/track/{track.public_id}/",
        "https://elsewhere.example/track/abc/",
        "/collab/",
        "/track/doesnotexist/",
        "javascript:alert(1)",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Line 2: this is not the address of a track, release or playlist" in text
    assert "Line 3: this is not the address" in text
    assert "Line 4: we could not find a public track at this address" in text
    assert "Line 5: this is not the address" in text
    assert not CopyrightClaim.objects.exists() and not mail.outbox


def test_a_private_work_reads_exactly_like_a_missing_one(client, uploader):
    private = TrackFactory(artist=uploader, visibility="private")
    hidden = _post(client, f"/track/{private.public_id}/").content.decode()
    missing = _post(client, "/track/zzzzzzzzzzzz/").content.decode()

    message = "Line 1: we could not find a public track at this address."
    assert message in hidden and message in missing
    assert private.title not in hidden


def test_private_releases_and_playlists_are_not_found_but_unlisted_works_are(client, uploader):
    private_release = ReleaseFactory(artist=uploader, visibility="private")
    private_list = Playlist.objects.create(owner=uploader.user, title="Mine", visibility="private")
    response = _post(
        client, f"/release/{private_release.public_id}/", f"/playlist/{private_list.public_id}/"
    )
    text = response.content.decode()
    assert "Line 1: we could not find a public release at this address" in text
    assert "Line 2: we could not find a public playlist at this address" in text
    assert "Mine" not in text and private_release.title not in text

    unlisted = TrackFactory(artist=uploader, visibility="unlisted")  # anyone with the link
    assert _post(client, f"/track/{unlisted.public_id}/").status_code == 302


def test_every_visitor_gets_a_form_of_their_own(track):
    first, second = Client().get("/copyright/"), Client().get("/copyright/")
    assert (
        first.context["form"]["submission"].value() != second.context["form"]["submission"].value()
    )
    assert "no-cache" in first["Cache-Control"]


def test_a_taken_down_work_cannot_be_claimed_again(client, track):
    track.taken_down_at = timezone.now()
    track.save()
    response = _post(client, f"/track/{track.public_id}/")
    assert response.status_code == 400
    assert "we could not find a public track" in response.content.decode()


def test_more_than_twenty_addresses_are_refused(client, uploader):
    tracks = TrackFactory.create_batch(21, artist=uploader)
    response = _post(client, *(f"/track/{t.public_id}/" for t in tracks))
    assert response.status_code == 400
    assert "That is 21 addresses; one claim names at most 20" in response.content.decode()
    assert not CopyrightClaim.objects.exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("good_faith", "Tick the good-faith statement"),
        ("accurate_under_penalty", "Tick the statement of accuracy"),
        ("signature", "This field is required"),
        ("postal_address", "This field is required"),
        ("capacity", "This field is required"),
    ],
)
def test_a_claim_without_its_statements_or_details_is_refused(client, track, missing, message):
    response = _post(client, f"/track/{track.public_id}/", **{missing: None})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CopyrightClaim.objects.exists()


def test_the_signature_must_be_the_name_given(client, track):
    response = _post(client, f"/track/{track.public_id}/", signature="Someone Else")
    assert response.status_code == 400
    assert "Sign with the full name you gave above" in response.content.decode()
    # Case and spacing do not matter.
    assert _post(client, f"/track/{track.public_id}/", signature=" ada  RIGHTS ").status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("work_description", "x" * 5001),
        ("claimant_name", "n" * 201),
        ("urls", "/track/a/\n" * 2000),
        ("email", "not-an-address"),
        ("claimant_name", "Ada\x00Rights"),
        ("submission", "not-a-uuid"),
    ],
)
def test_oversized_and_hostile_input_is_a_400_not_a_500(client, track, field, value):
    response = _post(client, f"/track/{track.public_id}/", **{field: value})
    assert response.status_code == 400
    assert not CopyrightClaim.objects.exists()


def test_an_overlong_address_line_is_refused_with_its_line_number(client, track):
    response = _post(client, f"/track/{track.public_id}/", "/track/" + "a" * 600)
    assert response.status_code == 400
    assert "Line 2: an address is at most 500 characters" in response.content.decode()


def test_a_double_click_makes_one_claim_and_one_email(
    client, track, django_capture_on_commit_callbacks
):
    data = claim_data(f"/track/{track.public_id}/")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/copyright/", data)
        second = client.post("/copyright/", data)
    assert first["Location"] == second["Location"]
    assert CopyrightClaim.objects.count() == 1
    assert ClaimedWork.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_flood_of_claims_from_one_address_is_stopped(client, track):
    for _ in range(5):
        assert _post(client, f"/track/{track.public_id}/").status_code == 302
    refused = _post(client, f"/track/{track.public_id}/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "5 claims from your network in an hour" in refused.content.decode()
    assert CopyrightClaim.objects.count() == 5


def test_double_clicks_do_not_use_up_the_limit(client, track):
    data = claim_data(f"/track/{track.public_id}/")
    for _ in range(8):
        assert client.post("/copyright/", data).status_code == 302
    assert _post(client, f"/track/{track.public_id}/").status_code == 302
    assert CopyrightClaim.objects.count() == 2


def test_a_double_click_on_the_claim_that_reached_the_limit_still_lands_on_it(client, track):
    for _ in range(4):
        _post(client, f"/track/{track.public_id}/")
    data = claim_data(f"/track/{track.public_id}/")
    first = client.post("/copyright/", data)
    second = client.post("/copyright/", data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert CopyrightClaim.objects.count() == 5


def test_the_form_needs_its_csrf_token(track):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/copyright/", claim_data(f"/track/{track.public_id}/"))
    assert response.status_code == 403
    assert not CopyrightClaim.objects.exists()

    page = client.get("/copyright/")
    token = page.cookies["csrftoken"].value
    data = claim_data(f"/track/{track.public_id}/", csrfmiddlewaretoken=token)
    assert client.post("/copyright/", data).status_code == 302


def test_a_signed_in_claimant_is_remembered_on_the_claim(client, fan, track):
    client.force_login(fan)
    assert _post(client, f"/track/{track.public_id}/").status_code == 302
    assert CopyrightClaim.objects.get().submitted_by == fan


def test_an_unknown_reference_has_no_confirmation_page(client):
    assert client.get("/copyright/received/CR-NOTREAL1/").status_code == 404


def test_two_clicks_racing_past_the_lookup_still_make_one_claim(track):
    fields = claim_data()
    for name in ("submission", "urls", "good_faith", "accurate_under_penalty"):
        del fields[name]
    token = uuid.uuid4()
    work = Work(kind="track", obj=track, url=f"/track/{track.public_id}/")
    first, created = services.submit_claim(
        submission=token, works=[work], submitted_by=None, **fields
    )
    again, created_again = services.submit_claim(
        submission=token, works=[work], submitted_by=None, **fields
    )
    assert (created, created_again) == (True, False)
    assert again == first and ClaimedWork.objects.count() == 1
