"""The drain's two shortcuts behave as the slow ways they replace."""

import pytest

from analytics import inserts
from analytics.models import PlayEvent, PlaySession
from tests.factories import TrackFactory

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds(django_assert_num_queries):
    track = TrackFactory()
    for nonce in ("a" * 32, "b" * 32, "c" * 32):
        PlaySession.objects.create(nonce=nonce, track=track)
    wanted = ["a" * 32, "c" * 32, "z" * 32, "a" * 32, None]
    found = PlaySession.objects.filter(nonce__any_of=wanted).values_list("nonce", flat=True)
    assert sorted(found) == sorted(PlaySession.objects.filter(nonce__in=wanted).values_list(
        "nonce", flat=True)) == ["a" * 32, "c" * 32]  # fmt: skip
    with django_assert_num_queries(0):  # nothing to look for: no query, as with __in
        assert list(PlaySession.objects.filter(nonce__any_of=[])) == []


def test_an_instance_made_quickly_equals_one_made_by_the_model():
    track = TrackFactory()
    fast = inserts.instance(PlayEvent, nonce="n" * 32, track_id=track.pk, artist_id=7)
    slow = PlayEvent(nonce="n" * 32, track_id=track.pk, artist_id=7)
    fields = [f.attname for f in PlayEvent._meta.concrete_fields]
    assert [getattr(fast, f) for f in fields] == [getattr(slow, f) for f in fields]
    assert fast._state.adding and fast.pk is None
    fast.started_at = slow.started_at = track.created_at
    fast.save()  # a real instance: it saves and reads back like any other
    assert PlayEvent.objects.get(pk=fast.pk).source == "direct"


def test_each_quick_instance_gets_its_own_mutable_default():
    one, two = (inserts.instance(PlaySession, nonce=n * 32) for n in "xy")
    one.beacons.append([0, "start", 0.0, 0.0, 0.0])
    assert (one.beacons, two.beacons) == ([[0, "start", 0.0, 0.0, 0.0]], [])
