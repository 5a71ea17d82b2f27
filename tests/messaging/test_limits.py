"""Rate limits against spam: messages per minute, new conversations per day."""

import pytest

from messaging.models import Conversation, Message
from tests.factories import ArtistFactory

from .conftest import HTMX, form, send

pytestmark = pytest.mark.django_db


def test_the_21st_message_in_a_minute_waits_with_a_429_and_a_reason(client, ana, bo):
    conversation = send(ana, bo).conversation  # the first of twenty
    client.force_login(ana.user)
    url = f"/messages/{conversation.pk}/send/"
    for n in range(19):
        assert client.post(url, form(f"message {n}"), headers=HTMX).status_code == 200
    response = client.post(url, form("one too many"), headers=HTMX)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "You are sending messages very fast" in response.content.decode()
    assert "one too many" in response.content.decode()  # kept in the form to send later
    assert Message.objects.filter(sender=ana.user).count() == 20

    # Bo is not slowed down by Ana's burst.
    client.force_login(bo.user)
    assert client.post(url, form("calm reply"), headers=HTMX).status_code == 200


def test_the_11th_new_conversation_in_a_day_is_refused_but_old_ones_go_on(client, ana):
    others = ArtistFactory.create_batch(11)
    client.force_login(ana.user)
    for artist in others[:10]:
        assert client.post(f"/messages/with/{artist.slug}/", form()).status_code == 302
    response = client.post(f"/messages/with/{others[10].slug}/", form())
    assert response.status_code == 429
    assert "10 new conversations today" in response.content.decode()
    assert Conversation.objects.count() == 10

    first = Conversation.objects.order_by("id").first()
    assert client.post(f"/messages/{first.pk}/send/", form("still here")).status_code == 302


def test_refused_and_repeated_posts_do_not_use_up_the_limit(client, ana, bo):
    conversation = send(ana, bo).conversation
    client.force_login(ana.user)
    url = f"/messages/{conversation.pk}/send/"
    same = form("double click")
    for _ in range(30):
        client.post(url, form("   "))  # empty: refused before counting
        client.post(url, same)  # the same form: one message
    assert client.post(url, form("still allowed")).status_code == 302
