"""Two parties accept a split at the same moment, on PostgreSQL, each through its own
connection: the split still takes effect exactly once."""

import threading
from contextlib import suppress

import pytest
from django.db import connection

from credits.models import ProposalShare, SplitProposal
from credits.services import answer_proposal, propose_split
from payments.models import Split
from tests.credits.factories import CreditFactory
from tests.playlists.test_concurrency import run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


@pytest.fixture
def both_answer_first(monkeypatch):
    """Hold each party after saving its answer until the other has saved too (for a second at
    most: with the proposal row locked, the other is waiting for the lock instead)."""
    answered = threading.Barrier(2)
    save = ProposalShare.save

    def save_then_wait(self, *args, **kwargs):
        save(self, *args, **kwargs)
        if kwargs.get("update_fields") == ["answer", "answered_at"]:
            with suppress(threading.BrokenBarrierError):
                answered.wait(timeout=1)

    monkeypatch.setattr(ProposalShare, "save", save_then_wait)


def test_the_last_two_parties_accepting_at_once_make_the_split_take_effect(
    artist, track, ada, bo, both_answer_first
):
    CreditFactory(track=track, artist=ada)
    CreditFactory(track=track, artist=bo, role="producer")
    proposal = propose_split(work=track, by=artist, text="mira-sol 50\nada 25\nbo 25")

    errors = run_in_threads(
        lambda: answer_proposal(proposal=proposal, artist=ada, accept=True),
        lambda: answer_proposal(proposal=proposal, artist=bo, accept=True),
    )

    assert errors == []
    assert SplitProposal.objects.get().status == "accepted"
    assert sorted(Split.objects.values_list("artist__slug", "basis_points")) == [
        ("ada", 2500),
        ("bo", 2500),
        ("mira-sol", 5000),
    ]
