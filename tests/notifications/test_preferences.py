"""The account preferences page: both switches, signed-in only, CSRF-protected."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/account/preferences/"


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post(URL, {"public_profile": "on"}).status_code == 302


def test_it_shows_both_switches_with_their_current_values(client, fan):
    fan.public_profile = False
    fan.save()
    client.force_login(fan)
    html = client.get(URL).content.decode()
    assert 'id="id_email_new_releases" checked>' in html
    assert 'id="id_public_profile">' in html
    assert '<label for="id_email_new_releases">' in html


def test_it_links_to_the_profile_page_it_switches(client, fan):
    client.force_login(fan)
    html = client.get(URL).content.decode()
    assert f'<a href="/u/{fan.username}/">Your profile page</a>' in html
    assert "only you can see it" not in html
    fan.public_profile = False
    fan.save()
    assert "only you can see it" in client.get(URL).content.decode()


def test_saving_changes_both_switches(client, fan):
    client.force_login(fan)
    response = client.post(URL, {"public_profile": "on"}, follow=True)
    assert b"Your preferences are saved." in response.content
    fan.refresh_from_db()
    assert (fan.email_new_releases, fan.public_profile) == (False, True)
    client.post(URL, {"email_new_releases": "on"})
    fan.refresh_from_db()
    assert (fan.email_new_releases, fan.public_profile) == (True, False)


@pytest.mark.parametrize(
    "data",
    [
        {"email_new_releases": "<script>alert(1)</script>", "public_profile": "x" * 10_000},
        {"email_new_releases": ["on", "on", "off"]},
        {"unknown": "field", "is_staff": "on", "username": "admin"},
    ],
)
def test_odd_input_is_read_as_booleans_and_touches_nothing_else(client, fan, data):
    client.force_login(fan)
    assert client.post(URL, data).status_code == 302
    fan.refresh_from_db()
    assert fan.is_staff is False and fan.username == "fan"


def test_a_post_without_csrf_token_is_refused(fan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fan)
    assert client.post(URL, {}).status_code == 403
    fan.refresh_from_db()
    assert fan.email_new_releases is True
