"""Two collaborators reorder the same playlist at the same moment, on PostgreSQL, each through
its own database connection: every move lands, and no item is lost or duplicated."""

import random
import threading

import pytest
from django.db import connection

from playlists import services
from playlists.models import Playlist, PlaylistItem
from tests.factories import TrackFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
]

MOVES_EACH = 40


def run_in_threads(*jobs) -> list[BaseException]:
    """Run each job in its own thread (so its own connection), released together."""
    from django.db import connections

    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job):
        try:
            start.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_interleaved_moves_by_two_collaborators_lose_and_duplicate_nothing(
    fan, collaborator, artist
):
    playlist = services.create_playlist(owner=fan, title="Shared")
    services.invite_collaborator(playlist=playlist, user=collaborator)
    services.accept_invitation(playlist=playlist, user=collaborator)
    tracks = [TrackFactory(artist=artist, renditions=False) for _ in range(12)]
    services.add_tracks(playlist=playlist, tracks=tracks, by=fan)
    ids = list(playlist.items.values_list("id", flat=True))
    pids = set()

    def mover(seed):
        def job():
            pids.add(connection.connection.info.backend_pid if connection.connection else None)
            rng = random.Random(seed)
            shared = Playlist.objects.get(pk=playlist.pk)
            for _ in range(MOVES_EACH):
                item, after = rng.sample(ids, 2)
                services.move_item(
                    playlist=shared, item_id=item, after_id=None if rng.random() < 0.2 else after
                )
                pids.add(connection.connection.info.backend_pid)

        return job

    errors = run_in_threads(mover(1), mover(2))

    assert errors == []
    assert len(pids - {None}) == 2  # really two connections
    rows = list(PlaylistItem.objects.filter(playlist=playlist).order_by("rank"))
    assert sorted(r.id for r in rows) == sorted(ids)  # nothing lost, nothing duplicated
    assert len({r.rank for r in rows}) == len(rows)  # a strict order
    assert sorted(r.track_id for r in rows) == sorted(t.id for t in tracks)
    playlist.refresh_from_db()
    assert playlist.item_count == 12


def test_a_move_waits_for_a_concurrent_one_and_then_sees_its_result(fan, artist):
    """Both collaborators put a different track right after the first one. Without the lock
    both would pick the same gap (one rank for two items); with it, the second goes between."""
    playlist = services.create_playlist(owner=fan, title="Shared")
    tracks = [TrackFactory(artist=artist, renditions=False) for _ in range(4)]
    services.add_tracks(playlist=playlist, tracks=tracks, by=fan)
    first, _, third, fourth = playlist.items.order_by("rank")

    errors = run_in_threads(
        lambda: services.move_item(playlist=playlist, item_id=third.id, after_id=first.id),
        lambda: services.move_item(playlist=playlist, item_id=fourth.id, after_id=first.id),
    )

    assert errors == []
    order = list(playlist.items.order_by("rank").values_list("id", flat=True))
    assert order[0] == first.id
    assert set(order[1:3]) == {third.id, fourth.id}
    assert len(order) == 4
