"""An artist reads each tip's message: on the earnings page, the statement and its CSV, and in a
notification (and e-mail) sent once however often Stripe's event comes."""

import csv
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from payments.models import Payment
from tests.payments.buying import completed_events, deliver, pay, tip

pytestmark = pytest.mark.usefixtures("payments_settings")

HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script>'


@pytest.fixture
def tipped(client, fan, artist, receiver, django_capture_on_commit_callbacks):
    """A fan's €5.00 tip with a hostile message, paid; its event delivered three times."""
    fan.display_name = "Ada"
    fan.save()
    client.force_login(fan)
    response = tip(client, artist, "5.00", message=HOSTILE)
    assert response.status_code == 303
    pay(response["Location"])
    event = completed_events(receiver)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            deliver(event)
    artist_client = Client()
    artist_client.force_login(artist.user)
    return artist_client


def test_the_earnings_page_shows_the_tips_message_escaped(tipped):
    html = tipped.get(reverse("payments:earnings")).content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;)&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_the_statement_and_its_csv_show_the_message_safely(tipped):
    now = timezone.localtime()
    html = tipped.get(reverse("payments:statement", args=[now.year, now.month])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    response = tipped.get(reverse("payments:statement_csv", args=[now.year, now.month]))
    [header, line] = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[-1] == "message"
    assert line[1] == "Tip"
    assert line[-1] == "'" + HOSTILE  # a spreadsheet shows it as text, never runs it


def test_the_artist_is_notified_of_a_tip_once(tipped, artist):
    [note] = Notification.objects.filter(user=artist.user)
    assert note.kind == "payments.tip"
    assert note.text == f"Ada tipped you €5.00. Their message: “{HOSTILE}”"
    assert note.url == reverse("payments:earnings")
    assert [m.to for m in mail.outbox] == [[artist.user.email]]
    page = tipped.get(reverse("notifications:inbox")).content.decode()
    assert "<script>alert" not in page


def test_a_tip_without_a_message_is_announced_plainly(client, fan, artist, receiver):
    client.force_login(fan)
    pay(tip(client, artist, "2.50")["Location"])
    deliver(completed_events(receiver)[-1])
    assert Notification.objects.get(user=artist.user).text == "fan tipped you €2.50."
    assert Payment.objects.get().status == "paid"
