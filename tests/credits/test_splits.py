"""Split proposals: the uploader proposes, every other party accepts, and only then does the
split take effect (payments.Split); a decline rejects it; a newer one supersedes; the history
is kept and shown to the parties. (Money booked before and after: tests/payments/test_splits.py.)"""

import pytest
from django.urls import reverse

from credits.models import ProposalShare, SplitProposal
from notifications.models import Notification
from payments.models import Split
from payments.splits import Party, set_splits
from tests.credits.factories import CreditFactory
from tests.factories import ArtistFactory


@pytest.fixture
def credited(track, ada, bo):
    CreditFactory(track=track, artist=ada)
    CreditFactory(track=track, artist=bo, role="producer", status="pending")  # invited is enough
    return track


def propose(client, work, text, kind="track"):
    return client.post(reverse("credits:propose", args=[kind, work.public_id]), {"splits": text})


def answer(client, proposal, choice):
    url = reverse("credits:proposal_answer", args=[proposal.id])
    return client.post(url, {"answer": choice})


def in_effect(work):
    return list(Split.objects.filter(track=work).values_list("artist__slug", "basis_points"))


def test_a_split_takes_effect_only_once_everyone_accepted(client, artist_client, credited, ada, bo):
    response = propose(artist_client, credited, "mira-sol 33.33\nada 33.33\n@bo 33.34%")
    assert response.status_code == 302
    proposal = SplitProposal.objects.get()
    assert [(s.artist.slug, s.basis_points, s.answer) for s in proposal.shares.all()] == [
        ("mira-sol", 3333, "accepted"),  # the uploader's own share needs no answer
        ("ada", 3333, "pending"),
        ("bo", 3334, "pending"),
    ]
    assert Notification.objects.get(user=ada.user).text == (
        "Mira Sol proposes a split of “Night Bus”: 33.33 % for you. Accept or decline."
    )

    client.force_login(ada.user)
    assert answer(client, proposal, "accept").status_code == 302
    assert in_effect(credited) == []  # Bo has not answered yet
    client.force_login(bo.user)
    answer(client, proposal, "accept")

    assert in_effect(credited) == [("mira-sol", 3333), ("ada", 3333), ("bo", 3334)]
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_at
    assert "Everyone accepted your split of “Night Bus”" in (
        Notification.objects.filter(user=credited.artist.user).first().text
    )


def test_a_collaborator_who_declines_rejects_the_proposal(
    client, artist_client, credited, ada, bo, artist
):
    set_splits(work=credited, parties=[Party(artist, 5000), Party(ada, 5000)])
    propose(artist_client, credited, "mira-sol 60\nada 20\nbo 20")
    proposal = SplitProposal.objects.get()
    client.force_login(bo.user)
    answer(client, proposal, "accept")
    client.force_login(ada.user)

    assert answer(client, proposal, "decline").status_code == 302

    proposal.refresh_from_db()
    assert (proposal.status, proposal.note) == ("declined", "Ada Lux declined.")
    assert in_effect(credited) == [("mira-sol", 5000), ("ada", 5000)]  # the split before stays
    assert Notification.objects.filter(user=artist.user, kind="split_declined").get().text == (
        "Ada Lux declined your split proposal for “Night Bus”. The split in effect stays."
    )
    client.force_login(bo.user)
    response = answer(client, proposal, "decline")
    assert response.status_code == 409
    assert "This proposal was declined, so it is closed." in response.content.decode()


def test_a_new_proposal_supersedes_the_pending_one(client, artist_client, credited, ada):
    propose(artist_client, credited, "mira-sol 50\nada 50")
    first = SplitProposal.objects.get()
    propose(artist_client, credited, "mira-sol 60\nada 40")
    client.force_login(ada.user)

    response = answer(client, first, "accept")

    assert response.status_code == 409
    assert "replaced by a newer one" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "superseded"
    answer(client, SplitProposal.objects.get(status="pending"), "accept")
    assert in_effect(credited) == [("mira-sol", 6000), ("ada", 4000)]


def test_someone_the_new_split_leaves_out_must_agree_too(
    client, artist_client, credited, ada, artist
):
    set_splits(work=credited, parties=[Party(artist, 5000), Party(ada, 5000)])

    propose(artist_client, credited, "mira-sol 100")

    share = ProposalShare.objects.get(artist=ada)
    assert (share.basis_points, share.answer) == (0, "pending")
    assert in_effect(credited) == [("mira-sol", 5000), ("ada", 5000)]
    client.force_login(ada.user)
    answer(client, SplitProposal.objects.get(), "accept")
    assert in_effect(credited) == [("mira-sol", 10_000)]


def test_proposing_the_split_in_effect_withdraws_the_waiting_proposal(
    client, artist_client, credited, ada
):
    propose(artist_client, credited, "mira-sol 60\nada 40")

    response = propose(artist_client, credited, "")  # empty: the uploader keeps everything

    assert response.status_code == 302
    proposal = SplitProposal.objects.get()
    assert (proposal.status, proposal.note) == ("superseded", "Withdrawn by the uploader.")
    client.force_login(ada.user)
    assert answer(client, proposal, "accept").status_code == 409
    assert in_effect(credited) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mira-sol 50\nada 49.99", "The shares add up to 99.99 %; they must add up to exactly"),
        ("mira-sol 50\nada 50\nbo 0.01", "The shares add up to 100.01 %"),
        ("mira-sol 50\nada 25\nada 25", "Line 3: Ada Lux is listed twice"),
        ("mira-sol 50\nmira-sol 50", "Line 2: You are listed twice"),
        ("mira-sol 50\nnobody 50", "Line 2: there is no artist “nobody”."),
        ("mira-sol 50\ncarl 50", "Line 2: Carl is not credited on this track; credit them first"),
        ("mira-sol fifty", "Line 1: write an artist&#x27;s address and a percentage"),
        ("mira-sol 33.333\nada 66.667", "Line 1: write an artist"),
        ("mira-sol 0\nada 100", "Line 1: a share is more than 0 % and at most 100 %."),
        ("mira-sol 150", "Line 1: a share is more than 0 %"),
        ("<script>x</script> 100", "there is no artist “&lt;script&gt;x&lt;/script&gt;”."),
        ("\n".join(f"a{n} 1" for n in range(21)), "At most 20 people can share a work."),
        ("mira-sol 100", "That is the split in effect already."),
        ("x" * 10_000, "Line 1: write an artist"),
    ],
)
def test_bad_splits_are_refused_with_a_clear_message(artist_client, credited, text, message):
    ArtistFactory(name="Carl", slug="carl")

    response = propose(artist_client, credited, text)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "<script>x" not in html
    assert not SplitProposal.objects.exists() and not Split.objects.exists()


def test_a_third_each_is_33_33_33_33_33_34(client, artist_client, credited, ada, bo):
    propose(artist_client, credited, "mira-sol 33.33\nada 33.33\nbo 33.34")
    for who in (ada, bo):
        client.force_login(who.user)
        answer(client, SplitProposal.objects.get(), "accept")
    assert sum(bp for _, bp in in_effect(credited)) == 10_000


def test_a_suspended_party_cannot_be_given_a_share(artist_client, credited, ada):
    ada.is_suspended = True
    ada.save()
    response = propose(artist_client, credited, "mira-sol 50\nada 50")
    assert "Line 2: Ada Lux’s profile is suspended." in response.content.decode()


def test_a_declined_credit_cannot_get_a_share_and_cancels_a_waiting_proposal(
    client, artist_client, credited, bo, artist
):
    propose(artist_client, credited, "mira-sol 50\nbo 50")
    client.force_login(bo.user)
    credit = bo.credits.get()
    client.post(reverse("credits:credit_answer", args=[credit.id]), {"answer": "decline"})
    client.force_login(artist.user)

    proposal = SplitProposal.objects.get()
    assert (proposal.status, proposal.note) == ("declined", "Bo Ray is no longer credited.")
    response = propose(client, credited, "mira-sol 50\nbo 50")
    assert "Line 2: Bo Ray is not credited on this track" in response.content.decode()


def test_artists_credited_on_the_release_may_share_a_track(artist_client, track, release, bo):
    CreditFactory(track=None, release=release, artist=bo, role="mastering")
    assert propose(artist_client, track, "mira-sol 90\nbo 10").status_code == 302


# Permissions.


def test_only_the_uploader_proposes(client, credited, ada, outsider):
    client.force_login(ada.user)
    assert propose(client, credited, "ada 100").status_code == 404
    client.force_login(outsider)
    assert propose(client, credited, "ada 100").status_code == 403
    assert not SplitProposal.objects.exists()


def test_only_a_party_answers(client, artist_client, credited, ada):
    propose(artist_client, credited, "mira-sol 50\nada 50")
    proposal = SplitProposal.objects.get()
    client.force_login(ArtistFactory().user)
    assert answer(client, proposal, "accept").status_code == 404
    client.force_login(ada.user)
    assert answer(client, proposal, "yes please").status_code == 400
    assert ProposalShare.objects.get(artist=ada).answer == "pending"


def test_the_history_is_shown_to_the_parties(client, artist_client, credited, ada):
    propose(artist_client, credited, "mira-sol 50\nada 50")
    propose(artist_client, credited, "mira-sol 60\nada 40")
    client.force_login(ada.user)
    answer(client, SplitProposal.objects.get(status="pending"), "accept")

    page = client.get(reverse("credits:work", args=["track", credited.public_id]))

    html = page.content.decode()
    assert page.status_code == 200
    history = html[html.index("History of split proposals") :]
    assert history.index("Accepted by everyone") < history.index("Replaced by a newer proposal")
    assert "Ada Lux: 40 % — Accepted" in history and "Ada Lux: 50 % — Not answered yet" in history
    assert "Mira Sol: 6000 basis points (60 %)" in html
    assert "Propose a split" not in html  # the form is the uploader's


def test_the_uploaders_page_prefills_the_split_in_effect(artist_client, credited, artist, ada):
    set_splits(work=credited, parties=[Party(artist, 6667), Party(ada, 3333)])
    html = artist_client.get(reverse("credits:work", args=["track", credited.public_id]))
    assert "mira-sol 66.67\nada 33.33" in html.content.decode()


def test_the_credits_page_costs_the_same_queries_for_many_proposals(
    artist_client, credited, artist, ada, django_assert_max_num_queries
):
    for n in range(10):
        propose(artist_client, credited, f"mira-sol {50 + n}\nada {50 - n}")
    with django_assert_max_num_queries(14):
        artist_client.get(reverse("credits:work", args=["track", credited.public_id]))


def test_proposing_fast_is_rate_limited(artist_client, credited):
    for n in range(5):
        assert (
            propose(artist_client, credited, f"mira-sol {50 + n}\nada {50 - n}").status_code == 302
        )
    response = propose(artist_client, credited, "mira-sol 70\nada 30")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "You are proposing splits very fast" in response.content.decode()


def test_someone_left_out_is_told_they_would_get_no_share(
    client, artist_client, credited, ada, artist
):
    set_splits(work=credited, parties=[Party(artist, 5000), Party(ada, 5000)])
    propose(artist_client, credited, "mira-sol 100")
    assert Notification.objects.get(user=ada.user).text == (
        "Mira Sol proposes a split of “Night Bus”: no share for you. Accept or decline."
    )
    client.force_login(ada.user)
    inbox = client.get(reverse("credits:inbox")).content.decode()
    assert "<strong>no share for you</strong>" in inbox
