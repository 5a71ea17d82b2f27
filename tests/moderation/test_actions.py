import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from moderation import actions
from moderation.models import AuditEntry
from tests.factories import ArtistFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


def test_take_down_hides_the_track_and_writes_one_audit_entry(staff):
    track = TrackFactory()
    entry = actions.take_down(target=track, actor=staff, note="Reported stolen beat")
    track.refresh_from_db()
    assert track.taken_down_at is not None
    assert track.takedown_reason == "Reported stolen beat"
    assert AuditEntry.objects.get() == entry
    assert entry.subject == track.artist.user
    assert entry.target_label.endswith(track.title)

    actions.restore(target=track, actor=staff, note="Counter-notice accepted")
    track.refresh_from_db()
    assert track.taken_down_at is None
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["restore", "take_down"]


def test_an_action_without_a_note_changes_nothing(staff):
    track = TrackFactory()
    with pytest.raises(ValidationError):
        actions.take_down(target=track, actor=staff, note="   ")
    track.refresh_from_db()
    assert track.taken_down_at is None
    assert not AuditEntry.objects.exists()


def test_suspending_a_user_hides_their_artist_profile_and_lifting_it_shows_it_again(staff):
    artist = ArtistFactory()
    actions.suspend_user(user=artist.user, actor=staff, note="Repeated spam")
    artist.refresh_from_db()
    artist.user.refresh_from_db()
    assert artist.user.is_suspended and artist.is_suspended

    actions.unsuspend_user(user=artist.user, actor=staff, note="Appeal upheld")
    artist.refresh_from_db()
    artist.user.refresh_from_db()
    assert not artist.user.is_suspended and not artist.is_suspended


def test_the_audit_log_cannot_be_changed_or_deleted(staff):
    entry = actions.warn(user=UserFactory(), actor=staff, note="Mind the language")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    if connection.vendor == "postgresql":
        for statement in (
            "UPDATE moderation_auditentry SET note = 'rewritten'",
            "DELETE FROM moderation_auditentry",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(statement)
    entry.refresh_from_db()
    assert entry.note == "Mind the language"
