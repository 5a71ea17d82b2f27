"""The moderation queue in the admin: what staff see, the actions with their required note,
what each action does to the thing, the other reports, the reporters and the audit log."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from moderation import actions, services
from moderation.models import AuditEntry, Report
from notifications.models import Notification
from tests.factories import TrackFactory, UserFactory
from tracks.models import Track

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:moderation_report_changelist")
AUDIT = reverse("admin:moderation_auditentry_changelist")


def file(thing, reporter=None, email="", category="offensive", **fields):
    kind_model = type(thing)
    report = Report.objects.create(
        target_type=ContentType.objects.get_for_model(kind_model),
        target_id=thing.pk,
        target_label=f"{kind_model._meta.verbose_name}: {thing}",
        category=category,
        reporter=reporter,
        reporter_email=reporter.email if reporter else email,
        details="Staff, look",
    )
    if fields:
        Report.objects.filter(pk=report.pk).update(**fields)
        report.refresh_from_db()
    return report


def act_url(report, action):
    return reverse("admin:moderation_report_act", args=[report.pk, action])


@pytest.fixture
def two_reports(track, fan):
    """A fan and a visitor reported the same track."""
    return file(track, reporter=fan), file(track, email="visitor@example.com")


def test_open_reports_come_first_with_the_target_the_count_and_the_reporter(
    staff_client, track, fan, two_reports, admin_user
):
    closed = file(TrackFactory(title="Old"), reporter=fan)
    actions.dismiss(report=closed, actor=admin_user, note="Fine")
    newest_closed = closed  # the newest report of all, but closed
    page = staff_client.get(QUEUE)
    rows = list(page.context["cl"].result_list)
    assert rows[-1] == newest_closed
    assert {r.status for r in rows[:2]} == {"open"}
    html = page.content.decode()
    assert track.get_absolute_url() in html
    assert reverse("admin:tracks_track_change", args=[track.pk]) in html
    assert [r.target_reports for r in rows[:2]] == [2, 2]
    assert "visitor@example.com (not signed in)" in html and "fan@example.com" in html


def test_the_queue_filters_by_category_status_and_age(staff_client, track, fan, outsider):
    now = timezone.now()
    fresh = file(track, reporter=fan, category="spam")
    week = file(track, reporter=outsider, created_at=now - timedelta(days=3))
    old = file(track, email="v@example.com", created_at=now - timedelta(days=9))
    Report.objects.filter(pk=old.pk).update(status="dismissed")

    def listed(**params):
        return set(staff_client.get(QUEUE, params).context["cl"].result_list)

    assert listed(category="spam") == {fresh}
    assert listed(status__exact="open") == {fresh, week}
    assert listed(status__exact="dismissed") == {old}
    assert listed(age="day") == {fresh}
    assert listed(age="week") == {week}
    assert listed(age="older") == {old}


def test_the_queue_costs_the_same_queries_for_4_or_40_reports(
    staff_client, artist, track, comment, playlist, message, fan
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(QUEUE).status_code == 200
        return len(captured)

    kinds = [comment, playlist, message]
    for thing in [track, *kinds]:
        file(thing, reporter=fan)
    few = queries()
    for n in range(36):
        file(kinds[n % 3] if n % 2 else TrackFactory(artist=artist), email=f"v{n}@example.com")
    many = queries()
    assert Report.objects.count() == 40
    assert many == few


@pytest.mark.parametrize("action", ["take_down", "restore", "warn", "suspend", "dismiss"])
def test_every_action_needs_a_note_and_without_one_changes_nothing(
    staff_client, track, two_reports, action
):
    report = two_reports[0]
    page = staff_client.get(act_url(report, action))
    assert page.status_code == 200 and "Note (why)" in page.content.decode()

    refused = staff_client.post(act_url(report, action), {"confirm": "yes", "note": "   "})

    assert refused.status_code == 400
    assert "Write a note saying why" in refused.content.decode()
    assert Report.objects.filter(status="open").count() == 2
    assert not AuditEntry.objects.exists()
    track.refresh_from_db()
    assert track.taken_down_at is None and not track.artist.user.is_suspended
    assert not mail.outbox


@pytest.fixture
def take(staff_client, django_capture_on_commit_callbacks):
    """Act on a report from its change page, as staff, and let the transaction commit."""

    def take(report, action, note="Checked by staff: internal detail 42"):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(act_url(report, action), {"confirm": "yes", "note": note})
        assert response.status_code == 302
        return response

    return take


def _reporters_mail():
    return sorted(m.to[0] for m in mail.outbox)


def test_taking_down_hides_it_closes_every_report_and_tells_each_reporter_once(
    take, staff_client, track, two_reports
):
    take(two_reports[0], "take_down")

    assert Client().get(track.get_absolute_url()).status_code == 404
    assert set(Report.objects.values_list("status", "outcome")) == {("resolved", "take_down")}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.report, entry.target_id) == ("take_down", two_reports[0], track.pk)
    assert _reporters_mail() == ["fan@example.com", "visitor@example.com"]
    body = mail.outbox[0].body
    assert "We have taken it down." in body and "internal detail" not in body
    # A redelivered task sends nothing more.
    assert services.email_outcomes(report_ids=[r.pk for r in two_reports]) == 0
    assert len(mail.outbox) == 2


def test_restoring_brings_it_back_and_dismisses_the_reports(
    take, staff_client, track, two_reports, admin_user
):
    actions.take_down(target=track, actor=admin_user, note="First look")
    take(two_reports[1], "restore")
    assert Client().get(track.get_absolute_url()).status_code == 200
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert "stays available" in mail.outbox[0].body


def test_warning_tells_the_owner_with_the_note_and_the_reporters_without_it(
    take, staff_client, track, two_reports, artist
):
    take(two_reports[0], "warn", note="Please credit your samples")

    told = Notification.objects.get(user=artist.user, kind="moderation")
    assert "Please credit your samples" in told.text
    owner_mail = [m for m in mail.outbox if m.to == [artist.user.email]]
    assert len(owner_mail) == 1 and "Please credit your samples" in owner_mail[0].body
    reporters = [m for m in mail.outbox if m.to != [artist.user.email]]
    assert len(reporters) == 2
    assert all("warned the person responsible" in m.body for m in reporters)
    assert all("credit your samples" not in m.body for m in reporters)
    assert AuditEntry.objects.get().subject == artist.user


def test_suspending_the_owner_hides_their_page_and_tells_them(
    take, staff_client, track, two_reports, artist
):
    take(two_reports[0], "suspend", note="Repeated theft")
    artist.user.refresh_from_db()
    assert artist.user.is_suspended
    assert Client().get(artist.get_absolute_url()).status_code == 404
    assert Notification.objects.filter(user=artist.user, kind="moderation").count() == 1
    assert len([m for m in mail.outbox if m.to == [artist.user.email]]) == 1
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}


def test_dismissing_leaves_the_thing_and_closes_the_other_reports_too(
    take, staff_client, track, two_reports
):
    take(two_reports[0], "dismiss")
    assert Client().get(track.get_absolute_url()).status_code == 200
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert AuditEntry.objects.get().action == "dismiss"
    assert _reporters_mail() == ["fan@example.com", "visitor@example.com"]


def test_a_closed_report_cannot_be_acted_on_again(take, staff_client, track, two_reports):
    take(two_reports[0], "dismiss")
    page = staff_client.get(reverse("admin:moderation_report_change", args=[two_reports[1].pk]))
    assert act_url(two_reports[1], "take_down") not in page.content.decode()
    staff_client.post(act_url(two_reports[1], "take_down"), {"confirm": "yes", "note": "Again"})
    assert AuditEntry.objects.count() == 1
    track.refresh_from_db()
    assert track.taken_down_at is None


def test_the_change_page_offers_every_action_then_shows_what_was_done(
    take, staff_client, two_reports
):
    change = reverse("admin:moderation_report_change", args=[two_reports[0].pk])
    page = staff_client.get(change).content.decode()
    for action in ("take_down", "restore", "warn", "suspend", "dismiss"):
        assert act_url(two_reports[0], action) in page
    take(two_reports[0], "warn")
    page = staff_client.get(change).content.decode()
    entry = AuditEntry.objects.get()
    assert reverse("admin:moderation_auditentry_change", args=[entry.pk]) in page
    assert "Warned" in page and act_url(two_reports[0], "warn") not in page


def test_list_actions_ask_for_the_note_then_act_on_each_selected_report(
    staff_client, track, playlist, fan, django_capture_on_commit_callbacks
):
    on_track, on_playlist = file(track, reporter=fan), file(playlist, reporter=fan)
    chosen = {"action": "take_down", "_selected_action": [on_track.pk, on_playlist.pk]}

    page = staff_client.post(QUEUE, chosen)
    assert page.status_code == 200 and "Note (why)" in page.content.decode()
    refused = staff_client.post(QUEUE, {**chosen, "confirm": "yes", "note": ""})
    assert refused.status_code == 400 and "Write a note" in refused.content.decode()
    assert Report.objects.filter(status="open").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(
            QUEUE, {**chosen, "confirm": "yes", "note": "Both stolen"}, follow=True
        )

    assert "Take down: done for 2 report(s)." in done.content.decode()
    track.refresh_from_db()
    playlist.refresh_from_db()
    assert track.taken_down_at and playlist.taken_down_at
    assert AuditEntry.objects.count() == 2
    assert len(mail.outbox) == 2  # the fan, once per report


def test_the_audit_log_links_each_entry_to_its_report_and_target(
    take, staff_client, track, two_reports
):
    take(two_reports[0], "warn")
    html = staff_client.get(AUDIT).content.decode()
    assert reverse("admin:moderation_report_change", args=[two_reports[0].pk]) in html
    assert reverse("admin:tracks_track_change", args=[track.pk]) in html
    assert track.get_absolute_url() in html


def test_reports_are_read_only_in_the_admin(staff_client, two_reports):
    report = two_reports[0]
    assert staff_client.get(reverse("admin:moderation_report_add")).status_code == 403
    delete = reverse("admin:moderation_report_delete", args=[report.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:moderation_report_change", args=[report.pk])
    assert staff_client.post(change, {"status": "dismissed"}).status_code == 403
    assert Report.objects.get(pk=report.pk).status == "open"


def test_people_who_are_not_staff_cannot_act(client, fan, two_reports, track):
    client.force_login(fan)
    response = client.post(act_url(two_reports[0], "take_down"), {"confirm": "yes", "note": "x"})
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert not AuditEntry.objects.exists()
    assert Track.objects.get(pk=track.pk).taken_down_at is None


def test_staff_without_moderation_rights_cannot_act(client, two_reports):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    response = client.post(act_url(two_reports[0], "dismiss"), {"confirm": "yes", "note": "x"})
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()
