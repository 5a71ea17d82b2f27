"""Credits: the uploader credits artists by address or name; the credited confirm or decline;
only confirmed credits show; either side can remove one; everyone else gets a 404."""

import pytest
from django.core import mail
from django.urls import reverse

from credits.models import Credit
from notifications.models import Notification
from tests.credits.factories import CreditFactory
from tests.factories import ArtistFactory, UserFactory


def credits_url(work, kind="track"):
    return reverse("credits:work", args=[kind, work.public_id])


def add(client, work, artist, role="featuring", kind="track"):
    return client.post(
        reverse("credits:add", args=[kind, work.public_id]), {"artist": artist, "role": role}
    )


def answer(client, credit, choice):
    return client.post(reverse("credits:credit_answer", args=[credit.id]), {"answer": choice})


def test_the_uploader_credits_an_artist_who_is_asked_to_confirm(
    artist_client, track, ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = add(artist_client, track, "@ada", role="producer")

    assert response.status_code == 302
    credit = Credit.objects.get()
    assert (credit.artist, credit.role, credit.status) == (ada, "producer", "pending")
    note = Notification.objects.get(user=ada.user)
    assert note.text == "Mira Sol credits you as Producer on “Night Bus”. Confirm or decline."
    assert note.url == reverse("credits:inbox")
    assert mail.outbox[0].to == [ada.user.email]
    page = artist_client.get(credits_url(track)).content.decode()
    assert "Ada Lux</a> — Producer" in page and "Waiting for their answer" in page


def test_an_artist_is_found_by_their_exact_name_too(artist_client, release, ada):
    assert add(artist_client, release, "ADA LUX", kind="release").status_code == 302
    assert Credit.objects.get().release == release


def test_a_pending_credit_does_not_show_publicly_and_a_confirmed_one_does(
    client, artist_client, track, ada, bo
):
    add(artist_client, track, "ada", role="featuring")
    add(artist_client, track, "bo", role="producer")
    client.logout()
    assert "feat." not in client.get(track.get_absolute_url()).content.decode()

    for who in (ada, bo):
        client.force_login(who.user)
        assert answer(client, Credit.objects.get(artist=who), "confirm").status_code == 302
    client.logout()

    page = client.get(track.get_absolute_url()).content.decode()
    assert 'feat. <a href="/@ada/">Ada Lux</a>' in page
    assert 'Produced by <a href="/@bo/">Bo Ray</a>' in page


def test_the_uploader_hears_the_answer(client, artist, track, ada):
    credit = CreditFactory(track=track, artist=ada, status="pending")
    client.force_login(ada.user)

    answer(client, credit, "decline")

    credit.refresh_from_db()
    assert credit.status == "declined" and credit.answered_at
    assert Notification.objects.get(user=artist.user).text == (
        "Ada Lux declined their credit (Featuring) on “Night Bus”."
    )
    assert answer(client, credit, "confirm").status_code == 409  # declined stays declined
    credit.refresh_from_db()
    assert credit.status == "declined"


def test_answering_twice_the_same_way_changes_nothing(client, track, ada, artist):
    credit = CreditFactory(track=track, artist=ada, status="pending")
    client.force_login(ada.user)
    answer(client, credit, "confirm")
    assert answer(client, credit, "confirm").status_code == 302
    assert Notification.objects.filter(user=artist.user).count() == 1


@pytest.mark.parametrize(
    ("typed", "role", "message"),
    [
        ("mira-sol", "producer", "You uploaded this track, so you are its artist already"),
        ("@Mira Sol", "producer", "You uploaded this track"),
        ("nobody-here", "producer", "There is no artist “nobody-here”. Write their address"),
        ("", "producer", "Write the artist’s address"),
        ("ada", "conductor", "Choose a role from the list."),
        ("ada", "featuring", "Ada Lux is already credited as Featuring."),
        (
            "<script>alert(1)</script>",
            "producer",
            "There is no artist “&lt;script&gt;alert(1)&lt;/script&gt;”.",
        ),
        ("x" * 5000, "producer", "There is no artist “" + "x" * 100 + "”."),
    ],
)
def test_bad_credits_are_refused_with_a_clear_message(
    artist_client, track, ada, typed, role, message
):
    CreditFactory(track=track, artist=ada, role="featuring")

    response = add(artist_client, track, typed, role=role)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "<script>alert" not in html
    assert Credit.objects.count() == 1


def test_a_suspended_artist_cannot_be_credited(artist_client, track):
    ArtistFactory(name="Gone", slug="gone", is_suspended=True)
    response = add(artist_client, track, "gone")
    assert response.status_code == 400
    assert "Gone’s profile is suspended, so they cannot be credited." in response.content.decode()
    assert not Credit.objects.exists()


def test_an_ambiguous_name_credits_nobody(artist_client, track):
    ArtistFactory(name="Twin", slug="twin-a")
    ArtistFactory(name="Twin", slug="twin-b")
    assert add(artist_client, track, "Twin").status_code == 400
    assert not Credit.objects.exists()


def test_a_declined_credit_is_not_asked_again_until_removed(artist_client, track, ada):
    credit = CreditFactory(track=track, artist=ada, status="declined")
    response = add(artist_client, track, "ada")
    assert "Ada Lux declined this credit (Featuring)." in response.content.decode()
    artist_client.post(reverse("credits:credit_remove", args=[credit.id]))
    assert add(artist_client, track, "ada").status_code == 302
    assert Credit.objects.get().status == "pending"


def test_the_same_artist_may_hold_several_roles(artist_client, track, ada):
    add(artist_client, track, "ada", role="producer")
    add(artist_client, track, "ada", role="writer")
    assert sorted(Credit.objects.values_list("role", flat=True)) == ["producer", "writer"]


def test_adding_credits_fast_is_rate_limited(artist_client, track):
    for n in range(10):
        ArtistFactory(slug=f"guest-{n}")
        assert add(artist_client, track, f"guest-{n}").status_code == 302
    ArtistFactory(slug="one-more")

    response = add(artist_client, track, "one-more")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "You are adding credits very fast" in response.content.decode()
    assert Credit.objects.count() == 10


def test_refused_credits_do_not_use_up_the_limit(artist_client, track, ada):
    for _ in range(12):
        assert add(artist_client, track, "nobody").status_code == 400
    assert add(artist_client, track, "ada").status_code == 302


# Permissions.


def test_only_the_uploader_adds_credits(client, track, ada, bo, outsider):
    CreditFactory(track=track, artist=ada)  # even a credited collaborator
    for user in (ada.user, bo.user):
        client.force_login(user)
        assert add(client, track, "bo").status_code == 404
    client.force_login(outsider)  # no artist profile
    response = add(client, track, "bo")
    assert response.status_code == 403
    assert "Create your artist profile" in response.content.decode()
    assert Credit.objects.count() == 1


def test_only_the_credited_artist_answers(client, artist_client, track, ada, bo):
    credit = CreditFactory(track=track, artist=ada, status="pending")
    assert answer(artist_client, credit, "confirm").status_code == 404  # the uploader
    client.force_login(bo.user)
    assert answer(client, credit, "confirm").status_code == 404
    credit.refresh_from_db()
    assert credit.status == "pending"


def test_a_malformed_answer_is_a_400(ada_client, track, ada):
    credit = CreditFactory(track=track, artist=ada, status="pending")
    assert answer(ada_client, credit, "maybe").status_code == 400
    assert ada_client.post(f"/studio/credit/{credit.id}/answer").status_code == 400
    assert ada_client.get(f"/studio/credit/{credit.id}/answer").status_code == 405
    assert ada_client.post("/studio/credit/999999/answer", {"answer": "confirm"}).status_code == 404


def test_the_credits_page_is_for_the_uploader_and_the_credited_only(
    client, artist_client, track, ada, bo, outsider
):
    CreditFactory(track=track, artist=ada, status="pending")
    assert artist_client.get(credits_url(track)).status_code == 200
    client.force_login(ada.user)
    assert client.get(credits_url(track)).status_code == 200
    client.force_login(bo.user)
    assert client.get(credits_url(track)).status_code == 404
    assert client.get(reverse("credits:work", args=["playlist", "x"])).status_code == 404
    client.force_login(outsider)
    assert client.get(credits_url(track)).status_code == 403
    client.logout()
    assert client.get(credits_url(track)).status_code == 302  # to the login page


def test_a_fan_is_told_to_create_an_artist_profile(client, fan):
    client.force_login(fan)
    response = client.get(reverse("credits:inbox"))
    assert response.status_code == 403
    assert reverse("artists:create") in response.content.decode()


def test_the_credited_artist_removes_their_own_credit_later(client, artist, track, ada):
    credit = CreditFactory(track=track, artist=ada)
    client.force_login(ada.user)
    assert "feat." in client.get(track.get_absolute_url()).content.decode()

    response = client.post(reverse("credits:credit_remove", args=[credit.id]))

    assert response.status_code == 302
    assert not Credit.objects.exists()
    assert "feat." not in client.get(track.get_absolute_url()).content.decode()
    assert (
        "Ada Lux removed the credit of Ada Lux" in Notification.objects.get(user=artist.user).text
    )


def test_nobody_else_removes_a_credit(client, track, ada, bo):
    credit = CreditFactory(track=track, artist=ada)
    client.force_login(bo.user)
    assert client.post(reverse("credits:credit_remove", args=[credit.id])).status_code == 404
    assert Credit.objects.exists()


def test_html_in_names_is_escaped_on_every_page(client, artist, track):
    sly = ArtistFactory(name="<b>Sly</b>", slug="sly")
    artist.name = "<i>Mira</i>"
    artist.save()
    client.force_login(artist.user)
    add(client, track, "sly")
    client.force_login(sly.user)
    inbox = client.get(reverse("credits:inbox")).content.decode()
    answer(client, Credit.objects.get(), "confirm")
    client.force_login(artist.user)
    owner_page = client.get(credits_url(track)).content.decode()
    client.logout()
    track_page = client.get(track.get_absolute_url()).content.decode()
    assert "&lt;i&gt;Mira&lt;/i&gt;</a> credits you" in inbox
    for html in (track_page, owner_page):
        assert "&lt;b&gt;Sly&lt;/b&gt;" in html
    for html in (inbox, track_page, owner_page):
        assert "<b>Sly</b>" not in html and "<i>Mira</i>" not in html


def test_a_release_page_shows_its_confirmed_credits(client, release, ada):
    from tests.factories import TrackFactory

    TrackFactory(artist=release.artist, release=release)
    CreditFactory(track=None, release=release, artist=ada, role="mastering")
    page = client.get(release.get_absolute_url()).content.decode()
    assert 'Mastered by <a href="/@ada/">Ada Lux</a>' in page


def test_the_inbox_lists_what_waits_and_what_is_confirmed(ada_client, track, ada, artist):
    other = CreditFactory(artist=ada, track__title="Old Song")
    CreditFactory(track=track, artist=ada, status="pending", role="writer")
    page = ada_client.get(reverse("credits:inbox")).content.decode()
    assert "credits you as <strong>Writer</strong> on the track “Night Bus”" in page
    assert "Old Song" in page and "Remove my credit" in page
    assert other.track.artist.name in page


def test_a_credited_artist_uses_the_inbox_without_an_n_plus_one(
    ada_client, ada, django_assert_max_num_queries
):
    for n in range(15):
        CreditFactory(artist=ada, status="pending" if n % 2 else "confirmed")
    with django_assert_max_num_queries(14):
        assert ada_client.get(reverse("credits:inbox")).status_code == 200


def test_the_old_splits_address_leads_to_the_credits_page(artist_client, track):
    response = artist_client.get(f"/studio/splits/track/{track.public_id}/")
    assert response.status_code == 301
    assert response["Location"] == credits_url(track)


def test_only_artists_reach_pages_through_the_studio_links(artist_client, track, release):
    studio = artist_client.get(reverse("artists:studio")).content.decode()
    assert reverse("credits:inbox") in studio
    assert credits_url(release, "release") in studio
    assert credits_url(track) in artist_client.get(track.get_absolute_url()).content.decode()


def test_someone_who_is_not_signed_in_is_sent_to_log_in(client, track):
    response = add(client, track, "ada")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Credit.objects.exists()


def test_a_stranger_account_sees_no_credits_inbox_entries(client, ada):
    client.force_login(UserFactory())
    assert client.get(reverse("credits:inbox")).status_code == 403


def test_staff_see_credits_and_the_proposal_history_in_the_admin(staff_client, track, ada):
    from credits.services import propose_split

    CreditFactory(track=track, artist=ada)
    proposal = propose_split(work=track, by=track.artist, text="mira-sol 50\nada 50")
    assert "Ada Lux" in staff_client.get("/admin/credits/credit/").content.decode()
    page = staff_client.get(f"/admin/credits/splitproposal/{proposal.id}/change/")
    assert page.status_code == 200 and "5000" in page.content.decode()
    assert staff_client.get("/admin/credits/splitproposal/add/").status_code == 403


def test_declining_from_the_works_page_leads_back_to_the_credits_inbox(ada_client, track, ada):
    credit = CreditFactory(track=track, artist=ada, status="pending")
    page = credits_url(track)

    response = ada_client.post(
        reverse("credits:credit_answer", args=[credit.id]), {"answer": "decline", "next": page}
    )

    assert response["Location"] == reverse("credits:inbox")  # the work's page is a 404 now
    assert ada_client.get(page).status_code == 404


def test_removing_a_credit_from_the_works_page_stays_there_for_the_uploader(
    artist_client, track, ada
):
    credit = CreditFactory(track=track, artist=ada)
    page = credits_url(track)
    url = reverse("credits:credit_remove", args=[credit.id])
    assert artist_client.post(url, {"next": page})["Location"] == page


def test_an_artist_who_blocked_the_uploader_cannot_be_credited(artist_client, artist, track, ada):
    from messaging.services import set_block

    set_block(blocker=ada.user, blocked=artist.user, on=True)

    response = add(artist_client, track, "ada")

    assert response.status_code == 400
    assert "You cannot credit Ada Lux: one of you has blocked the other." in (
        response.content.decode()
    )
    assert not Credit.objects.exists() and not Notification.objects.filter(user=ada.user)
