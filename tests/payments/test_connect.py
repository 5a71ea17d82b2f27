"""Connect onboarding: Studio → Get paid, through the sandbox's hosted page, to payouts on."""

import json
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from payments import connect
from payments.models import ConnectedAccount, WebhookEvent
from payments.sandbox import Sandbox
from payments.stripe_api import embedded_sandbox, reset_embedded_sandbox, stripe_client
from tests.factories import ArtistFactory

from .conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

PAYOUTS = "/studio/payouts/"
ONBOARD = "/studio/payouts/onboard"


def local(url: str) -> str:
    """The path and query of an absolute URL, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start_onboarding(client) -> str:
    """Press "Set up payouts"; the hosted onboarding page's path on this site."""
    response = client.post(ONBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:8000/_sandbox/stripe/sandbox/")
    return local(response["Location"])


def finish_on_hosted_page(client, page: str, outcome: str) -> str:
    """Read the hosted page, submit it; the return URL it redirects to."""
    response = client.get(page)
    assert response.status_code == 200
    assert b"Complete onboarding" in response.content
    assert b"Sandbox payments" in response.content
    token = parse_qs(urlsplit(page).query)["link"][0]
    response = client.post(  # as a browser sends the hosted form
        urlsplit(page).path,
        urlencode({"link": token, "outcome": outcome}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 303
    return response["Location"]


def deliver_all(client, receiver, django_capture_on_commit_callbacks, type="account.updated"):
    """POST every event the sandbox sent to our webhook view, as Stripe would."""
    for body, signature in receiver.received:
        if json.loads(body)["type"] != type:
            continue
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/payments/webhook",
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": signature},
            )
        assert response.status_code == 200


def test_the_artist_onboards_and_payouts_turn_on_with_the_webhook(
    artist, artist_client, embedded, receiver, django_capture_on_commit_callbacks
):
    page = artist_client.get(PAYOUTS)
    assert page.status_code == 200
    assert b"Sandbox payments \xe2\x80\x94 no real money." in page.content
    assert b"Set up payouts" in page.content

    hosted = start_onboarding(artist_client)
    account = ConnectedAccount.objects.get(artist=artist)
    assert account.stripe_account_id.startswith("acct_")
    assert hosted.startswith(f"/_sandbox/stripe/sandbox/onboarding/{account.stripe_account_id}?")
    assert not account.payouts_ready

    back = finish_on_hosted_page(artist_client, hosted, "complete")
    assert back == "http://testserver/studio/payouts/return"
    # Coming back proves nothing: only Stripe's account.updated turns payouts on.
    page = artist_client.get(local(back))
    assert b'data-payouts="waiting"' in page.content
    assert not ConnectedAccount.objects.get(artist=artist).payouts_ready

    receiver.wait_for("account.updated")
    deliver_all(artist_client, receiver, django_capture_on_commit_callbacks)

    account.refresh_from_db()
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (
        True,
        True,
        True,
    )
    assert account.currently_due == []
    assert account.payouts_ready
    page = artist_client.get(PAYOUTS)
    assert b"Payouts are on." in page.content
    assert WebhookEvent.objects.get().processed_at is not None


def test_without_a_bank_account_payouts_stay_off_and_the_page_says_what_is_due(
    artist, artist_client, embedded, receiver, django_capture_on_commit_callbacks
):
    finish_on_hosted_page(artist_client, start_onboarding(artist_client), "incomplete")
    receiver.wait_for("account.updated")
    deliver_all(artist_client, receiver, django_capture_on_commit_callbacks)

    account = ConnectedAccount.objects.get(artist=artist)
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (
        True,
        True,
        False,
    )
    assert account.currently_due == ["external_account"]
    assert not account.payouts_ready
    page = artist_client.get(PAYOUTS)
    assert b'data-payouts="due"' in page.content
    assert b"<li>a bank account for payouts</li>" in page.content
    assert b"Continue on Stripe" in page.content


def test_pressing_twice_makes_one_stripe_account(artist, artist_client):
    first = start_onboarding(artist_client)
    second = start_onboarding(artist_client)
    assert first != second  # a fresh link each time (links are single-use)
    account = ConnectedAccount.objects.get(artist=artist)
    assert account.stripe_account_id in first and account.stripe_account_id in second
    objects = embedded_sandbox().store.objects
    assert sum(1 for object_id in objects if object_id.startswith("acct_")) == 1


def test_a_lost_answer_is_retried_with_the_same_idempotency_key(artist):
    """The row is written, Stripe makes the account, the answer is lost: the retry gets it back."""
    row = ConnectedAccount.objects.create(artist=artist)
    lost = stripe_client().v1.accounts.create(**connect.account_create_request(account=row))
    account = connect.ensure_connected_account(artist=artist)
    assert account.id == row.id
    assert account.stripe_account_id == lost.id


def test_a_used_link_sends_the_artist_back_for_a_new_one(artist, artist_client):
    hosted = start_onboarding(artist_client)
    finish_on_hosted_page(artist_client, hosted, "incomplete")
    response = artist_client.get(hosted)  # the used link, e.g. from the browser's history
    assert response.status_code == 303
    assert response["Location"] == "http://testserver/studio/payouts/refresh"
    response = artist_client.get("/studio/payouts/refresh")
    assert response.status_code == 302
    fresh = local(response["Location"])
    assert fresh != hosted
    assert artist_client.get(fresh).status_code == 200


def test_the_studio_links_to_get_paid(artist_client):
    assert b'href="/studio/payouts/"' in artist_client.get("/studio/").content


def test_only_the_artist_sees_their_payouts(client, fan, artist):
    client.force_login(fan)
    assert client.get(PAYOUTS).status_code == 404
    assert client.post(ONBOARD).status_code == 404
    assert client.get("/studio/payouts/refresh").status_code == 404
    assert client.get("/studio/payouts/return").status_code == 404
    assert not ConnectedAccount.objects.exists()


def test_one_artist_never_sees_anothers_account(client, artist):
    other = ArtistFactory(name="Other", slug="other")
    ConnectedAccount.objects.create(
        artist=artist,
        stripe_account_id="acct_mira",
        details_submitted=True,
        charges_enabled=True,
        payouts_enabled=True,
    )
    client.force_login(other.user)
    page = client.get(PAYOUTS)
    assert b"Set up payouts" in page.content
    assert b"Payouts are on." not in page.content


def test_visitors_are_asked_to_log_in(client, db):
    response = client.get(PAYOUTS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(ONBOARD).status_code == 302
    assert not ConnectedAccount.objects.exists()


def test_onboarding_needs_the_csrf_token(artist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(artist.user)
    assert client.post(ONBOARD).status_code == 403
    assert not ConnectedAccount.objects.exists()


def test_onboarding_is_a_post(artist_client):
    assert artist_client.get(ONBOARD).status_code == 405


def test_the_page_costs_few_queries(artist_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # with the header's unread-messages count
        assert artist_client.get(PAYOUTS).status_code == 200


def test_the_sandbox_mount_serves_hosted_pages_only(client, db):
    assert client.post("/_sandbox/stripe/v1/accounts", {"type": "express"}).status_code == 404
    assert client.get("/_sandbox/stripe/sandbox/onboarding/acct_nope?link=x").status_code == 404
    for sneaky in ("sandbox/../v1/accounts", "sandbox/%2e%2e/v1/accounts", "sandbox/./v1/accounts"):
        assert client.post(f"/_sandbox/stripe/{sneaky}", {}).status_code == 404


def test_the_sandbox_mount_is_gone_with_real_stripe(artist_client, settings):
    hosted = start_onboarding(artist_client)
    assert artist_client.get(hosted).status_code == 200
    settings.PAYMENTS_SANDBOX = False
    assert artist_client.get(hosted).status_code == 404
    assert b"Sandbox payments" not in artist_client.get(PAYOUTS).content


@pytest.mark.django_db(transaction=True)
def test_onboarding_over_plain_http_with_webhooks_to_the_live_server(live_server, settings):
    """No test client: the hosted page over HTTP, the event to the running site, the task."""
    settings.SITE_URL = live_server.url
    hooks = Sandbox(
        webhook_url=f"{live_server.url}/payments/webhook",
        webhook_secret=WEBHOOK_SECRET,
        retry_delays=(0.05, 0.1, 0.2),
    )
    reset_embedded_sandbox(hooks)
    artist = ArtistFactory(name="Live", slug="live")
    url = connect.create_onboarding_link(
        artist=artist,
        refresh_url=f"{live_server.url}/studio/payouts/refresh",
        return_url=f"{live_server.url}/studio/payouts/return",
    )
    assert url.startswith(f"{live_server.url}/_sandbox/stripe/sandbox/onboarding/acct_")
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    with opener.open(url) as page:
        assert b"Complete onboarding" in page.read()
    token = parse_qs(urlsplit(url).query)["link"][0]
    form = f"link={token}&outcome=complete".encode()
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(urllib.request.Request(urlsplit(url)._replace(query="").geturl(), data=form))
    assert redirected.value.code == 303
    assert redirected.value.headers["Location"] == f"{live_server.url}/studio/payouts/return"

    assert hooks.webhooks.wait_idle(10)
    deadline = time.monotonic() + 10
    while not ConnectedAccount.objects.get(artist=artist).payouts_ready:
        assert time.monotonic() < deadline, "account.updated never turned payouts on"
        time.sleep(0.05)
    assert [status for _, status in hooks.webhooks.attempts] == [200]
    assert WebhookEvent.objects.get().attempts == 1


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_what_is_due_reads_in_words_each_once(artist):
    account = ConnectedAccount(
        artist=artist,
        currently_due=["tos_acceptance.date", "tos_acceptance.ip", "individual.dob.day"],
    )
    assert account.currently_due_labels == ["accepting Stripe's terms", "individual.dob.day"]


def test_each_onboarding_link_is_asked_for_with_its_own_idempotency_key(embedded, artist):
    urls = [
        connect.create_onboarding_link(
            artist=artist, refresh_url="http://x.test/r", return_url="http://x.test/d"
        )
        for _ in range(2)
    ]

    account = ConnectedAccount.objects.get(artist=artist)
    keys = [key for key in map(json.loads, embedded.store.idempotency) if "account-link" in key[2]]
    assert len({key[2] for key in keys}) == 2
    assert all(key[2].startswith(f"account-link-{account.id}-") for key in keys)
    assert urls[0] != urls[1]  # links are single-use: a second click gets a fresh one


def test_a_suspended_artist_cannot_start_onboarding(client):
    """Found by the permission matrix (tests/security): suspended artists are not paid out,
    so they start no Stripe onboarding and get no new link; nothing is made on Stripe."""
    artist = ArtistFactory(is_suspended=True)
    client.force_login(artist.user)
    for response in (client.post(ONBOARD), client.get("/studio/payouts/refresh")):
        assert response.status_code == 403
        assert "suspended" in response.content.decode()
    assert not ConnectedAccount.objects.exists()
