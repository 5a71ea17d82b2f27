"""What the signed-in listener saved, follows and may add to, for buttons on every page."""

from functools import cached_property

from artists.models import Follow

from .models import SavedRelease, SavedTrack
from .selectors import editable_playlists


class ListenerLibrary:
    """Fetched at most once per page, and only if the page shows a save, follow or "add to
    playlist" control: one query per kind, whatever the number of tracks on the page."""

    def __init__(self, user):
        self.user = user if user.is_authenticated else None

    def _ids(self, model, field: str) -> set[int]:
        if self.user is None:
            return set()
        return set(model.objects.filter(user=self.user).values_list(field, flat=True))

    @cached_property
    def saved_track_ids(self) -> set[int]:
        return self._ids(SavedTrack, "track_id")

    @cached_property
    def saved_release_ids(self) -> set[int]:
        return self._ids(SavedRelease, "release_id")

    @cached_property
    def followed_artist_ids(self) -> set[int]:
        return self._ids(Follow, "artist_id")

    @cached_property
    def editable_playlists(self) -> list:
        if self.user is None:
            return []
        return list(editable_playlists(user=self.user).only("public_id", "title")[:50])


def library(request):
    return {"library": ListenerLibrary(request.user)}
