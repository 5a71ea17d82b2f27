"""Blocking holds in every direction; the history stays visible to both."""

import pytest

from messaging.models import Block, Message
from messaging.selectors import blocked_between

from .conftest import HTMX, form, send

pytestmark = pytest.mark.django_db


def test_after_a_block_neither_artist_can_write_to_the_other(client, ana, bo):
    conversation = send(ana, bo, "Before the block").conversation
    url = f"/messages/{conversation.pk}/"
    client.force_login(bo.user)
    client.post("/messages/block/ana-vox/", {"on": "true", "next": url})
    assert blocked_between(user_a=ana.user, user_b=bo.user)
    assert blocked_between(user_a=bo.user, user_b=ana.user)

    # The blocker: told they blocked, offered to unblock; cannot send.
    page = client.get(url).content.decode()
    assert "Before the block" in page and "You blocked Ana Vox" in page and "Unblock" in page
    response = client.post(f"{url}send/", form("From Bo"))
    assert response.status_code == 403

    # The blocked one: sees the history, learns only that they cannot write.
    client.force_login(ana.user)
    page = client.get(url).content.decode()
    assert "Before the block" in page
    assert "You can’t send messages to this artist." in page and "blocked" not in page.lower()
    for response in (
        client.post(f"{url}send/", form("Please answer")),
        client.post(f"{url}send/", form("Please answer"), headers=HTMX),
        client.post("/messages/with/bo-beats/", form("A fresh start?")),
    ):
        assert response.status_code == 403
        assert "You can’t send messages to this artist." in response.content.decode()
    assert list(Message.objects.values_list("body", flat=True)) == ["Before the block"]


def test_a_block_before_any_conversation_stops_both_from_starting_one(client, ana, bo):
    client.force_login(ana.user)
    client.post("/messages/block/bo-beats/", {"on": "true"})
    assert "You blocked Bo Beats" in client.get("/messages/with/bo-beats/").content.decode()
    assert client.post("/messages/with/bo-beats/", form()).status_code == 403
    client.force_login(bo.user)
    page = client.get("/messages/with/ana-vox/").content.decode()
    assert "You can’t send messages to this artist." in page and "<textarea" not in page
    assert client.post("/messages/with/ana-vox/", form()).status_code == 403
    assert not Message.objects.exists()


def test_unblocking_lets_them_write_again_and_blocking_twice_is_harmless(client, ana, bo):
    client.force_login(ana.user)
    client.post("/messages/block/bo-beats/", {"on": "true"})
    client.post("/messages/block/bo-beats/", {"on": "true"})
    assert Block.objects.count() == 1
    client.post("/messages/block/bo-beats/", {"on": "false"})
    assert client.post("/messages/with/bo-beats/", form("Sorry!")).status_code == 302


def test_the_profile_offers_block_and_htmx_swaps_only_the_button(client, ana, bo):
    client.force_login(ana.user)
    assert 'action="/messages/block/bo-beats/"' in client.get("/@bo-beats/").content.decode()
    response = client.post("/messages/block/bo-beats/", {"on": "true"}, headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith("<form")
    assert "Unblock" in response.content.decode()
    assert "Unblock" in client.get("/@bo-beats/").content.decode()


def test_blocking_needs_a_post_an_artist_and_someone_else(client, ana, fan):
    client.force_login(ana.user)
    assert client.get("/messages/block/bo-beats/").status_code == 405
    assert client.post("/messages/block/ana-vox/", {"on": "true"}).status_code == 404
    assert client.post("/messages/block/nobody/", {"on": "true"}).status_code == 404
    client.force_login(fan)
    assert client.post("/messages/block/ana-vox/", {"on": "true"}).status_code == 403
    assert not Block.objects.exists()


def test_a_suspended_artist_can_neither_send_nor_receive(client, ana, bo):
    conversation = send(ana, bo, "Spam").conversation
    ana.is_suspended = True
    ana.save()
    client.force_login(ana.user)
    response = client.post(f"/messages/{conversation.pk}/send/", form("More spam"))
    assert response.status_code == 403 and "suspended" in response.content.decode()
    client.force_login(bo.user)
    response = client.post(f"/messages/{conversation.pk}/send/", form("Stop it"))
    assert response.status_code == 403
    assert "You can’t send messages to this artist." in response.content.decode()
    assert Message.objects.count() == 1
