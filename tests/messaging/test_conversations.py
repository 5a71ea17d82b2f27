"""Conversations: one per pair, started from a profile or a call, seen only by its two artists."""

import pytest

from messaging.models import MAX_BODY, Conversation, Message

from .conftest import HTMX, form, send

pytestmark = pytest.mark.django_db


def test_an_artist_starts_a_conversation_from_a_profile_and_starting_again_continues_it(
    client, ana, bo
):
    client.force_login(ana.user)
    page = client.get("/@bo-beats/").content.decode()
    assert 'href="/messages/with/bo-beats/"' in page

    assert "Message" in client.get("/messages/with/bo-beats/").content.decode()
    response = client.post("/messages/with/bo-beats/", form("Want to sing on my track?"))
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/messages/{conversation.pk}/")

    # Starting again — from either side — continues the same conversation.
    assert client.get("/messages/with/bo-beats/")["Location"] == f"/messages/{conversation.pk}/"
    client.force_login(bo.user)
    assert client.get("/messages/with/ana-vox/")["Location"] == f"/messages/{conversation.pk}/"
    client.post(f"/messages/{conversation.pk}/send/", form("Yes, gladly"))
    assert Conversation.objects.count() == 1
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "Want to sing on my track?" in page and "Yes, gladly" in page


def test_the_message_button_shows_only_to_other_signed_in_artists(client, ana, bo, fan):
    assert "/messages/with/bo-beats/" not in client.get("/@bo-beats/").content.decode()
    client.force_login(fan)
    assert "/messages/with/bo-beats/" not in client.get("/@bo-beats/").content.decode()
    client.force_login(bo.user)
    assert "/messages/with/bo-beats/" not in client.get("/@bo-beats/").content.decode()
    client.force_login(ana.user)
    assert "/messages/with/bo-beats/" in client.get("/@bo-beats/").content.decode()


def test_only_its_two_artists_see_a_conversation(client, ana, bo, cy, fan):
    conversation = send(ana, bo, "Just between us").conversation
    url = f"/messages/{conversation.pk}/"

    client.force_login(cy.user)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}new/?after=0").status_code == 404
    assert client.post(f"{url}send/", form("Let me in")).status_code == 404
    assert client.get(f"{url}report/").status_code == 404
    assert "Just between us" not in client.get("/messages/").content.decode()
    assert not Message.objects.filter(sender=cy.user).exists()

    client.force_login(fan)
    response = client.get(url)
    assert response.status_code == 403 and "create your artist profile" in response.content.decode()

    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")

    client.force_login(bo.user)
    assert "Just between us" in client.get(url).content.decode()


def test_a_fan_is_told_to_create_an_artist_profile_to_message(client, fan, bo):
    client.force_login(fan)
    for response in (client.get("/messages/"), client.post("/messages/with/bo-beats/", form())):
        assert response.status_code == 403
        assert "/artist/new/" in response.content.decode()
    assert not Message.objects.exists()


def test_nobody_can_message_themselves_or_an_unknown_or_suspended_artist(client, ana, bo):
    client.force_login(ana.user)
    assert client.get("/messages/with/ana-vox/").status_code == 404
    assert client.post("/messages/with/nobody-here/", form()).status_code == 404
    bo.is_suspended = True
    bo.save()
    assert client.post("/messages/with/bo-beats/", form()).status_code == 404
    assert not Message.objects.exists()


def test_sending_with_htmx_appends_the_message_and_gives_a_fresh_form(client, ana, bo):
    conversation = send(ana, bo).conversation
    client.force_login(ana.user)
    first_form = form("Second <b>take</b>")
    response = client.post(f"/messages/{conversation.pk}/send/", first_form, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<li class="message-item mine"')
    assert "Second &lt;b&gt;take&lt;/b&gt;" in body
    assert 'id="compose" class="compose" hx-swap-oob="true"' in body
    assert first_form["token"] not in body  # the fresh form has a new token


def test_html_in_a_message_is_shown_as_text(client, ana, bo):
    conversation = send(ana, bo, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    client.force_login(bo.user)
    for url in (f"/messages/{conversation.conversation_id}/", "/messages/"):
        page = client.get(url).content.decode()
        assert "&lt;script&gt;alert(" in page
        assert "<script>alert(" not in page and "<img src=x" not in page


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "it is empty"),
        ("   \n\t  ", "it is empty"),
        ("x" * (MAX_BODY + 1), "the most is 2,000"),
    ],
)
def test_empty_or_too_long_messages_are_refused_with_a_reason(client, ana, bo, body, says):
    conversation = send(ana, bo).conversation
    client.force_login(ana.user)
    response = client.post(f"/messages/{conversation.pk}/send/", form(body), headers=HTMX)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert response["HX-Retarget"] == "#compose"
    plain = client.post(f"/messages/{conversation.pk}/send/", form(body))
    assert plain.status_code == 400 and says in plain.content.decode()
    first = client.post("/messages/with/cy-nobody/", form(body))
    assert first.status_code == 404
    assert Message.objects.count() == 1


def test_a_too_long_message_keeps_what_was_written(client, ana, bo):
    client.force_login(ana.user)
    response = client.post("/messages/with/bo-beats/", form("y" * (MAX_BODY + 5)))
    assert response.status_code == 400
    assert "y" * (MAX_BODY + 5) in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_form_without_a_valid_token_is_refused_without_a_500(client, ana, bo):
    client.force_login(ana.user)
    for token in ("", "not-a-uuid", "1" * 5000):
        response = client.post("/messages/with/bo-beats/", {"body": "Hi", "token": token})
        assert response.status_code == 400
        assert "reload the page" in response.content.decode()
    assert not Message.objects.exists()


def test_an_empty_post_to_start_a_conversation_is_refused_without_a_500(client, ana, bo):
    """Found by the permission matrix (tests/security): a POST with no fields at all."""
    client.force_login(ana.user)
    response = client.post("/messages/with/bo-beats/", {})
    assert response.status_code == 400
    assert "Message" in response.content.decode()
    assert not Message.objects.exists()


def test_a_double_click_posts_the_message_once(client, ana, bo):
    client.force_login(ana.user)
    twice = form("Only once please")
    first = client.post("/messages/with/bo-beats/", twice)
    second = client.post("/messages/with/bo-beats/", twice)
    assert first.status_code == second.status_code == 302
    conversation = Conversation.objects.get()
    again = client.post(f"/messages/{conversation.pk}/send/", twice, headers=HTMX)
    assert again.status_code == 200 and "Only once please" not in again.content.decode()
    assert Message.objects.filter(body="Only once please").count() == 1


def test_polling_brings_only_the_other_persons_new_messages(client, ana, bo):
    mine = send(ana, bo, "From Ana")
    client.force_login(ana.user)
    url = f"/messages/{mine.conversation_id}/new/?after={mine.pk}"
    assert "message-item" not in client.get(url, headers=HTMX).content.decode()
    reply = send(bo, ana, "From Bo")
    polled = client.get(url, headers=HTMX).content.decode()
    assert "From Bo" in polled and "From Ana" not in polled
    assert f"after={reply.pk}" in polled  # the next poll starts after it
    assert client.get(f"/messages/{mine.conversation_id}/new/?after=abc").status_code == 200


def test_a_call_is_named_only_when_it_exists(client, ana, bo):
    client.force_login(ana.user)
    for call in ("999999", "abc", "9" * 40):
        page = client.get(f"/messages/with/bo-beats/?call={call}").content.decode()
        assert "About:" not in page
        client.post("/messages/with/bo-beats/", form("Hi", call=call))
    assert not Message.objects.exclude(about="").exists()


def test_a_message_sent_from_a_call_says_which_call(client, ana, bo):
    collab = pytest.importorskip("collab.models")
    import datetime

    call = collab.Call.objects.create(
        poster=ana,
        title="Vocalist for a <downtempo> track",
        description="Remote.",
        compensation="share",
        deadline=datetime.date.today() + datetime.timedelta(days=7),
    )
    client.force_login(bo.user)
    page = client.get(f"/messages/with/ana-vox/?call={call.pk}").content.decode()
    assert "About: Vocalist for a &lt;downtempo&gt; track" in page
    client.post("/messages/with/ana-vox/", form("I sing!", call=str(call.pk)))
    message = Message.objects.get()
    assert message.about == call.title
    client.force_login(ana.user)
    page = client.get(f"/messages/{message.conversation_id}/").content.decode()
    assert "About: Vocalist for a &lt;downtempo&gt; track" in page
