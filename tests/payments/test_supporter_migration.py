"""Migration 0007 copies the months already distributed, one row per (fan, artist), into one
SupporterAllocation row per (fan, month, currency)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ArtistFactory, UserFactory

BEFORE = [("payments", "0006_supporters")]
AFTER = [("payments", "0007_supporter_allocations")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Migrate forward again afterwards: later tests on this database need today's schema."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_the_old_shares_become_one_row_per_fan_and_month_with_the_same_money():
    fan, other = UserFactory.create_batch(2)
    a, b = ArtistFactory(), ArtistFactory()
    old = migrate(BEFORE).get_model("payments", "SupporterShare")
    nov, dec = date(2026, 11, 1), date(2026, 12, 1)
    for month, who, artist, amount, plays in [
        (nov, fan, a, 304, 3),
        (nov, fan, b, 101, 1),
        (dec, fan, a, 405, 7),
        (nov, other, b, 270, 0),  # the fallback
        (nov, other, a, 135, 0),
    ]:
        old.objects.create(
            month=month,
            fan_id=who.id,
            artist_id=artist.id,
            amount=amount,
            plays=plays,
            currency="eur",
        )
    allocations = migrate(AFTER).get_model("payments", "SupporterAllocation")
    rows = {
        (row.fan_id, row.month): (row.pool, row.fallback, row.artist_ids, row.amounts, row.plays)
        for row in allocations.objects.all()
    }
    assert a.id < b.id  # the lists are in artist order
    assert rows == {
        (fan.id, nov): (405, False, [a.id, b.id], [304, 101], [3, 1]),
        (fan.id, dec): (405, False, [a.id], [405], [7]),
        (other.id, nov): (405, True, [a.id, b.id], [135, 270], [0, 0]),
    }
