"""A service down for a moment (database, S3, Redis) answers a 503 that says so, never a 500."""

import pytest
from botocore.exceptions import EndpointConnectionError
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from backstage import outages


@pytest.fixture
def database_down(monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("backstage.views.search.results_page", fail)


def test_a_page_that_meets_a_restarting_database_says_back_in_a_moment(client, database_down):
    answer = client.get("/search?q=night")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    assert answer["Cache-Control"] == "no-store"
    page = answer.content.decode()
    assert "<h1>Back in a moment</h1>" in page
    assert "try again in a minute" in page
    assert 'data-outage="database"' in page
    assert "Traceback" not in page


def test_a_script_gets_the_outage_as_json(client, database_down):
    answer = client.get("/search?q=night", headers={"Accept": "application/json"})

    assert answer.status_code == 503
    assert answer.json() == {"error": outages.DATABASE, "unavailable": "database"}


def test_an_upload_while_s3_is_down_is_refused_with_a_message(artist_client, monkeypatch):
    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")

    monkeypatch.setattr("tracks.views.services.start_upload", unreachable)

    answer = artist_client.post(
        reverse("tracks:upload_start"),
        {"filename": "night.flac", "size": 1000},
        headers={"Accept": "application/json"},
    )

    assert answer.status_code == 503
    assert answer.json()["error"].startswith("Uploads and audio files are unavailable right now")


def test_a_page_that_needs_the_queue_while_redis_is_down_says_so(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("backstage.views.search.results_page", unreachable)

    answer = client.get("/search?q=night")

    assert answer.status_code == 503
    assert outages.QUEUE in answer.content.decode()


def test_other_errors_are_still_500s(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr("backstage.views.search.results_page", broken)
    client.raise_request_exception = False

    assert client.get("/search?q=night").status_code == 500


def test_the_500_handler_answers_503_for_an_outage_outside_a_view():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        answer = outages.server_error(request)

    assert answer.status_code == 503
    assert b"Back in a moment" in answer.content


def test_the_500_handler_is_a_plain_500_otherwise():
    request = RequestFactory().get("/")
    try:
        raise KeyError("not an outage")
    except KeyError:
        answer = outages.server_error(request)

    assert answer.status_code == 500
