"""A claim's whole life through the test client: filed, taken down, answered, restored."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from moderation.models import AuditEntry
from notifications.models import Notification
from takedowns.models import ClaimEvent, CopyrightClaim, CounterNotice
from tests.factories import TrackFactory, UserFactory

from .filing import claim_data, counter_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run what a request left for after its commit (the e-mails) before the test reads on."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _act(staff, claim, action, note="Checked the claim"):
    return staff.post(f"/admin/takedowns/copyrightclaim/{claim.pk}/act/{action}/", {"note": note})


@pytest.fixture
def claim(client, track, run_commits):
    run_commits(client.post, "/copyright/", claim_data(f"/track/{track.public_id}/"))
    mail.outbox.clear()
    return CopyrightClaim.objects.get()


def test_claim_takedown_counter_notice_and_restore(
    client, staff, claim, track, uploader, admin_user, run_commits
):
    # Staff see the claim in the queue and take the work down, with a note.
    queue = staff.get("/admin/takedowns/copyrightclaim/?status__exact=received")
    assert claim.reference in queue.content.decode()
    page = staff.get(f"/admin/takedowns/copyrightclaim/{claim.pk}/change/")
    assert "Take down the works" in page.content.decode()
    ask = staff.get(f"/admin/takedowns/copyrightclaim/{claim.pk}/act/take-down/")
    assert ask.status_code == 200 and "Note" in ask.content.decode()
    assert (
        run_commits(_act, staff, claim, "take-down", "Matches the claimant's recording").status_code
        == 302
    )

    track.refresh_from_db()
    claim.refresh_from_db()
    assert track.taken_down_at is not None
    assert claim.status == CopyrightClaim.Status.ACTIONED
    assert Client().get(track.get_absolute_url()).status_code == 404

    # The uploader is told in the app and by e-mail, with the description and the form's link.
    counter_path = f"/copyright/counter/{claim.reference}/"
    note = Notification.objects.get(user=uploader.user, kind="copyright.taken_down")
    assert note.url == counter_path and "Borrowed Tune" in note.text
    [email] = mail.outbox
    assert email.to == ["cat@example.com"]
    assert "Original Tune" in email.body and counter_path in email.body
    mail.outbox.clear()

    # The uploader files a counter-notice; the claimant is e-mailed it.
    client.force_login(uploader.user)
    form = client.get(counter_path)
    assert form.status_code == 200 and "Original Tune" in form.content.decode()
    response = run_commits(client.post, counter_path, counter_data())
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == CopyrightClaim.Status.COUNTERED
    [email] = mail.outbox
    assert email.to == ["ada@rights.example"]
    assert "I wrote and recorded this tune myself" in email.body and "2 Shed Road" in email.body
    mail.outbox.clear()

    # Staff find it under "countered", forward it again, then restore the work.
    countered = staff.get("/admin/takedowns/copyrightclaim/?status__exact=countered")
    assert claim.reference in countered.content.decode()
    assert run_commits(_act, staff, claim, "forward", "Sent again as asked").status_code == 302
    assert [m.to for m in mail.outbox] == [["ada@rights.example"]]
    assert "Sent again as asked" in mail.outbox[0].body
    assert CounterNotice.objects.get().forwarded_at is not None
    mail.outbox.clear()

    assert (
        run_commits(_act, staff, claim, "restore", "No court action in 14 days").status_code == 302
    )
    track.refresh_from_db()
    claim.refresh_from_db()
    assert track.taken_down_at is None
    assert claim.status == CopyrightClaim.Status.RESTORED
    assert Client().get(track.get_absolute_url()).status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@rights.example", "cat@example.com"]
    assert Notification.objects.filter(user=uploader.user, kind="copyright.restored").exists()

    # Everything that changed what the public sees is in the audit log, by whom and why.
    entries = list(AuditEntry.objects.order_by("at", "id").values_list("action", "actor", "note"))
    assert entries == [
        (
            "take_down",
            admin_user.pk,
            f"Copyright claim {claim.reference}: Matches the claimant's recording",
        ),
        (
            "restore",
            admin_user.pk,
            f"Copyright claim {claim.reference}: No court action in 14 days",
        ),
    ]
    kinds = list(claim.events.values_list("kind", flat=True))
    assert kinds == ["received", "taken_down", "countered", "forwarded", "restored"]
    history = staff.get(f"/admin/takedowns/copyrightclaim/{claim.pk}/change/").content.decode()
    assert "No court action in 14 days" in history and "Counter-notice filed" in history


def test_rejecting_a_claim_changes_nothing_and_tells_the_claimant(staff, claim, track, run_commits):
    assert (
        run_commits(_act, staff, claim, "reject", "The track predates the work").status_code == 302
    )
    track.refresh_from_db()
    claim.refresh_from_db()
    assert track.taken_down_at is None
    assert claim.status == CopyrightClaim.Status.REJECTED
    [email] = mail.outbox
    assert email.to == ["ada@rights.example"] and "The track predates the work" in email.body
    entry = AuditEntry.objects.get()
    assert entry.action == "dismiss" and entry.target_id == track.pk
    assert not Notification.objects.exists()


def test_an_action_needs_a_note_and_does_nothing_without_one(staff, claim, track):
    response = _act(staff, claim, "take-down", note="   ")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    track.refresh_from_db()
    assert track.taken_down_at is None
    assert not AuditEntry.objects.exists()


def test_actions_that_do_not_fit_the_claim_are_refused(staff, claim, track):
    assert _act(staff, claim, "restore").status_code == 302  # told why, on the claim's page
    assert _act(staff, claim, "reject").status_code == 302
    claim.refresh_from_db()
    assert claim.status == CopyrightClaim.Status.REJECTED
    _act(staff, claim, "take-down")  # a stale page: the claim was rejected meanwhile
    track.refresh_from_db()
    assert track.taken_down_at is None
    assert ClaimEvent.objects.filter(kind="taken_down").count() == 0


def test_people_without_the_permission_cannot_act(client, claim, track, fan):
    client.force_login(fan)
    response = _act(client, claim, "take-down")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    viewer = UserFactory(is_staff=True)  # staff, but without the permission to act on claims
    client.force_login(viewer)
    assert _act(client, claim, "take-down").status_code == 403
    track.refresh_from_db()
    assert track.taken_down_at is None


def test_a_work_already_down_for_another_reason_is_left_as_it_is(staff, claim, track):
    from moderation import actions

    actions.take_down(target=track, actor=None, note="Spam report")
    _act(staff, claim, "take-down")
    assert AuditEntry.objects.filter(action="take_down").count() == 1
    assert not claim.works.filter(taken_down_at__isnull=False).exists()
    assert not Notification.objects.exists()


@pytest.fixture
def taken_down(staff, claim):
    _act(staff, claim, "take-down")
    claim.refresh_from_db()
    return claim


def test_only_the_uploader_reaches_the_counter_notice_form(client, taken_down, fan, outsider):
    path = f"/copyright/counter/{taken_down.reference}/"
    assert client.get(path).status_code == 302  # signed out: to the login page
    client.force_login(fan)
    assert client.get(path).status_code == 404
    assert client.post(path, counter_data()).status_code == 404
    assert not CounterNotice.objects.exists()


def test_an_uploader_whose_work_was_not_taken_down_gets_a_404(client, claim, uploader):
    client.force_login(uploader.user)  # the claim is only received: nobody has acted on it
    assert client.get(f"/copyright/counter/{claim.reference}/").status_code == 404


def test_a_second_counter_notice_is_refused_with_a_clear_message(client, taken_down, uploader):
    client.force_login(uploader.user)
    path = f"/copyright/counter/{taken_down.reference}/"
    assert client.post(path, counter_data()).status_code == 302
    again = client.post(path, counter_data(statement="Another go"))
    assert again.status_code == 409
    assert "You filed a counter-notice to this claim on" in again.content.decode()
    assert CounterNotice.objects.count() == 1
    assert "you can file only one per claim" in client.get(path).content.decode()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("good_faith_mistake", "Tick the statement"),
        ("consent_to_jurisdiction", "Tick the consent to jurisdiction"),
        ("postal_address", "This field is required"),
        ("signature", "This field is required"),
    ],
)
def test_a_counter_notice_without_its_statements_is_refused(
    client, taken_down, uploader, missing, message
):
    client.force_login(uploader.user)
    response = client.post(
        f"/copyright/counter/{taken_down.reference}/", counter_data(**{missing: None})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CounterNotice.objects.exists()


def test_an_oversized_counter_notice_is_a_400(client, taken_down, uploader):
    client.force_login(uploader.user)
    response = client.post(
        f"/copyright/counter/{taken_down.reference}/", counter_data(statement="x" * 5001)
    )
    assert response.status_code == 400
    assert not CounterNotice.objects.exists()


def test_no_counter_notice_once_the_work_is_back_up(client, taken_down, uploader, track):
    from moderation import actions

    # Staff restored the work another way; the claim keeps nothing down any more...
    actions.restore(target=track, actor=None, note="Mistake")
    taken_down.works.update(restored_at=track.created_at)
    client.force_login(uploader.user)
    response = client.post(f"/copyright/counter/{taken_down.reference}/", counter_data())
    assert response.status_code == 409
    assert "no longer keeps any of your works down" in response.content.decode()
    assert not CounterNotice.objects.exists()


def test_the_counter_notice_needs_its_csrf_token(taken_down, uploader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(uploader.user)
    path = f"/copyright/counter/{taken_down.reference}/"
    assert client.post(path, counter_data()).status_code == 403
    token = client.get(path).cookies["csrftoken"].value
    assert client.post(path, counter_data(csrfmiddlewaretoken=token)).status_code == 302


def test_a_claim_on_two_uploaders_restores_only_the_works_of_the_one_who_answered(
    client, staff, uploader, track, run_commits
):
    other = TrackFactory(title="Other Tune")
    data = claim_data(f"/track/{track.public_id}/", f"/track/{other.public_id}/")
    client.post("/copyright/", data)
    claim = CopyrightClaim.objects.get()
    run_commits(_act, staff, claim, "take-down")
    assert {m.to[0] for m in mail.outbox} == {"cat@example.com", other.artist.user.email}
    assert "Other Tune" not in next(m for m in mail.outbox if m.to == ["cat@example.com"]).body

    client.force_login(uploader.user)
    client.post(f"/copyright/counter/{claim.reference}/", counter_data())
    _act(staff, claim, "restore")
    track.refresh_from_db()
    other.refresh_from_db()
    assert track.taken_down_at is None
    assert other.taken_down_at is not None


def test_the_queue_lists_claims_with_few_queries(staff, track, django_assert_num_queries):
    for n in range(5):
        Client().post(
            "/copyright/", claim_data(f"/track/{track.public_id}/", email=f"a{n}@x.example")
        )
    with django_assert_num_queries(7):
        response = staff.get("/admin/takedowns/copyrightclaim/")
    assert response.content.decode().count("CR-") >= 5


def test_the_claim_page_escapes_what_claimant_and_uploader_typed(
    client, staff, taken_down, uploader
):
    client.force_login(uploader.user)
    hostile = "<script>alert(1)</script>\nsecond line"
    client.post(f"/copyright/counter/{taken_down.reference}/", counter_data(statement=hostile))
    page = staff.get(f"/admin/takedowns/copyrightclaim/{taken_down.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in page


def test_the_queue_filters_claims_by_age(staff, claim):
    old = CopyrightClaim.objects.filter(pk=claim.pk)
    assert (
        claim.reference not in staff.get("/admin/takedowns/copyrightclaim/?age=7").content.decode()
    )
    old.update(created_at=timezone.now() - timedelta(days=8))
    assert claim.reference in staff.get("/admin/takedowns/copyrightclaim/?age=7").content.decode()
    assert (
        claim.reference not in staff.get("/admin/takedowns/copyrightclaim/?age=30").content.decode()
    )
