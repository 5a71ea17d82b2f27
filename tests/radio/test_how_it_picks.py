"""The public "How the radio picks" page shows the numbers the picker really uses."""

import dataclasses
from datetime import timedelta

import pytest
from django.urls import reverse

from radio import picking, services

pytestmark = pytest.mark.django_db
URL = "/radio/how-it-picks/"


def test_it_is_public_and_explains_the_real_numbers(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(URL)

    assert response.status_code == 200
    page = response.text
    assert reverse("radio:how_it_picks") == URL
    assert f"up to <strong>{picking.POOL_SIZE}</strong> tracks" in page
    assert "rebuilt every <strong>10 minutes</strong>" in page  # the beat's radio.refresh_pools
    assert "more than 30 minutes old" in page and "for 24 hours are dropped" in page
    assert 'Uploaded in the last 7 days</th><td class="num">+0.3' in page
    assert "Fewer than 1000 counted plays outside the radio in the last 28 days" in page
    assert "(weight 0.3)" in page and "up to 0.4" in page
    assert "the same artist twice within 60 minutes" in page
    assert "between −4 and +4" in page and "at most 1.6" in page
    assert "Hours heard are recounted every 60 minutes" in page
    # Artists' stats show commenters' names: the page says comments are public, with them.
    assert "never who left them" not in page
    assert "Timed comments are different: they are public" in page
    assert "with their author's name" in page
    for step, artist, genre in (("A like", "+1.0", "+0.5"), ("A skip", "-0.5", "-0.25"),
                                ("“not my genre”", "-1.0", "-1.5")):  # fmt: skip
        row = page[page.index(step) :]
        assert row.index(artist) < row.index(genre) < row.index("</tr>")


def test_the_page_follows_the_code(client, monkeypatch):
    monkeypatch.setattr(picking, "POOL_SIZE", 123)
    monkeypatch.setattr(picking, "NEW_BONUS", ((3, 0.5),))
    monkeypatch.setattr(
        picking, "WEIGHTS", dataclasses.replace(picking.WEIGHTS, explore=0.7, prior_evidence=8.0)
    )
    monkeypatch.setattr(picking, "POOL_MAX_AGE", timedelta(minutes=45))
    monkeypatch.setattr(services, "AFFINITY_LIMIT", 2.0)

    page = client.get(URL).text

    assert "up to <strong>123</strong> tracks" in page
    assert 'Uploaded in the last 3 days</th><td class="num">+0.5' in page
    assert "last 7 days" not in page
    assert "(weight 0.7)" in page and "more than 45 minutes old" in page
    assert "between −2 and +2" in page
    assert "after 8 radio plays it is worth half" in page


def test_it_is_linked_from_the_footer_and_the_radio_home(client):
    assert f'href="{URL}"' in client.get("/").text
    assert f'href="{URL}"' in client.get("/radio/").text


def test_artists_radio_figures_link_to_it(artist_client):
    assert f'href="{URL}"' in artist_client.get("/studio/stats/").text
    assert f'href="{URL}"' in artist_client.get(reverse("radio:studio")).text
