"""What the artist dashboard shows: read from rollups only, never from raw play events.

Every number here comes from PlayRollup, ReferrerRollup, DailyCount, the listener counts
(analytics/listeners.py) or the daily segment snapshots (analytics/segments.py), so a page's
query count and time depend on the period and the catalogue, not on how many plays there
were. Days are UTC days; a period's end day is included.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from django.core.cache import cache
from django.db.models import Min, Q, Sum
from django.http import Http404
from django.utils import timezone

from artists.models import Artist
from artists.selectors import artist_of
from backstage.models import User
from playlists.models import Playlist
from tracks.models import Release, Track, Visibility

from . import listeners
from . import segments as audience
from .models import (
    DailyCount,
    Grain,
    Metric,
    PlayRollup,
    ReferrerRollup,
    Scope,
    Source,
)

PRESETS = {"7d": ("Last 7 days", 7), "28d": ("Last 28 days", 28), "12m": ("Last 12 months", 365)}
DEFAULT_PERIOD = "28d"
PERIOD_LINKS = (("7d", "7 days"), ("28d", "28 days"), ("12m", "12 months"), ("all", "All time"))
EARLIEST = date(2000, 1, 1)  # custom ranges start no earlier (nothing was played before)
MAX_DAYS = 3 * 366  # a custom range longer than this is refused (the chart and CSV stay small)
LISTENERS_CACHE_SECONDS = 24 * 3600
LIVE_DAYS = 7  # a release's real-time counter runs for its first week
TOTALS = (
    ("plays", "Plays"),
    ("listeners", "Listeners"),
    (Metric.FOLLOWS, "New followers"),
    (Metric.SAVES, "Saves"),
    (Metric.PLAYLIST_ADDS, "Playlist adds"),
)


def today() -> date:
    return timezone.now().astimezone(UTC).date()


@dataclass(frozen=True)
class Subject:
    """What a stats page is about: an artist, one of their releases, or one of their tracks."""

    scope: str
    scope_id: int
    title: str
    artist: Artist
    since: date  # when it was created: where "all time" starts (or its first play, if earlier)
    obj: Artist | Release | Track

    @property
    def kind(self) -> str:
        return {Scope.ARTIST: "artist", Scope.RELEASE: "release", Scope.TRACK: "track"}[self.scope]

    @property
    def public_id(self) -> str:
        return getattr(self.obj, "public_id", "")


def access_subject(*, user: User | None, kind: str, public_id: str = "") -> Subject:
    """The subject if `user` is the artist who owns it; Http404 for anyone else, for unknown
    ids and for taken-down music (its numbers are no longer the artist's to look at)."""
    artist = artist_of(user=user)
    if artist is None:
        raise Http404("No stats here.")
    if kind == "artist":
        return Subject(
            Scope.ARTIST, artist.pk, artist.name, artist, _day(artist.created_at), artist
        )
    model, scope = {"release": (Release, Scope.RELEASE), "track": (Track, Scope.TRACK)}.get(
        kind, (None, None)
    )
    if model is None:
        raise Http404("No stats here.")
    obj = model.objects.filter(public_id=public_id, artist=artist).first()
    if obj is None or obj.is_taken_down:
        raise Http404("No stats here.")
    return Subject(scope, obj.pk, obj.title, artist, _day(obj.created_at), obj)


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> "Period | None":
        """The period of equal length just before this one (none for "all time")."""
        if self.key == "all":
            return None
        end = self.start - timedelta(days=1)
        return Period("previous", "Previous period", end - timedelta(days=self.days - 1), end)

    def query(self) -> str:
        if self.key == "custom":
            return f"period=custom&start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"
        return f"period={self.key}"


def preset_period(*, key: str, subject: Subject, on: date | None = None) -> Period:
    on = on or today()
    if key == "all":
        first = (
            PlayRollup.objects.filter(scope=subject.scope, scope_id=subject.scope_id, grain="d")
            .aggregate(first=Min("bucket"))
            .get("first")
        )
        start = min(subject.since, _day(first)) if first else subject.since
        return Period("all", "All time", min(start, on), on)
    label, days = PRESETS[key]
    return Period(key, label, on - timedelta(days=days - 1), on)


def custom_period(*, start: date, end: date) -> Period:
    return Period("custom", f"{start:%-d %b %Y} – {end:%-d %b %Y}", start, end)


# --- Totals -------------------------------------------------------------------------------


@dataclass
class Total:
    key: str
    label: str
    value: int
    previous: int | None  # None: no previous period to compare with

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def percent(self) -> int | None:
        """Change in percent of the previous period; None when it was 0 (see `is_new`)."""
        if not self.previous:
            return None
        return round(100 * (self.value - self.previous) / self.previous)

    @property
    def is_new(self) -> bool:
        return self.previous == 0 and self.value > 0


def _in(period: Period, name: str = "day") -> Q:
    if name == "bucket":
        return Q(
            bucket__gte=_midnight(period.start), bucket__lt=_midnight(period.end) + timedelta(1)
        )
    return Q(**{f"{name}__range": (period.start, period.end)})


def _spans(period: Period) -> Q:
    """PlayRollup rows that add up to the period: month rows for the whole months inside it,
    day rows for the days around them (a year: 12 rows a track and source, not 365)."""
    start, after = period.start, period.end + timedelta(days=1)
    first_whole = (
        start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    )
    whole_until = after.replace(day=1)
    if first_whole >= whole_until:
        return Q(grain=Grain.DAY, bucket__gte=_midnight(start), bucket__lt=_midnight(after))
    return (
        Q(grain=Grain.MONTH, bucket__gte=_midnight(first_whole), bucket__lt=_midnight(whole_until))
        | Q(grain=Grain.DAY, bucket__gte=_midnight(start), bucket__lt=_midnight(first_whole))
        | Q(grain=Grain.DAY, bucket__gte=_midnight(whole_until), bucket__lt=_midnight(after))
    )


def _rollups(subject: Subject, grain: str = Grain.DAY):
    return PlayRollup.objects.filter(scope=subject.scope, scope_id=subject.scope_id, grain=grain)


def totals(*, subject: Subject, period: Period) -> list[Total]:
    """Plays, listeners, follows, saves and playlist adds, each against the previous period."""
    before = period.previous
    span = period if before is None else Period("both", "", before.start, period.end)

    def now_and_then(column: str, within) -> dict:
        """Sums of `column` over the period and the one before; `within(period)` is a Q."""
        sums = {"now": Sum(column, filter=within(period))}
        if before:
            sums["then"] = Sum(column, filter=within(before))
        return sums

    # Both periods' own rows: month rows of one are day rows of the other where they meet.
    plays = PlayRollup.objects.filter(
        _spans(period) | (_spans(before) if before else Q()),
        scope=subject.scope,
        scope_id=subject.scope_id,
    ).aggregate(**now_and_then("plays", _spans))
    counts = {
        row["metric"]: row
        for row in DailyCount.objects.filter(
            _in(span), scope=subject.scope, scope_id=subject.scope_id
        )
        .values("metric")
        .annotate(**now_and_then("value", _in))
    }
    days = counts.get(Metric.LISTENERS, {})  # listener-day rows in each period
    values = {
        "plays": (plays["now"], plays.get("then")),
        "listeners": (
            unique_listeners(subject=subject, period=period, listener_days=days.get("now")),
            unique_listeners(subject=subject, period=before, listener_days=days.get("then"))
            if before
            else None,
        ),
    }
    for metric in (Metric.FOLLOWS, Metric.SAVES, Metric.PLAYLIST_ADDS):
        row = counts.get(metric, {})
        values[metric] = (row.get("now"), row.get("then"))
    return [
        Total(key, label, values[key][0] or 0, (values[key][1] or 0) if before else None)
        for key, label in TOTALS
    ]


def unique_listeners(*, subject: Subject, period: Period, listener_days: int | None) -> int:
    """Distinct listeners over the period (`listeners.unique`: exact on SQLite, a sketch
    estimate on PostgreSQL), cached.

    On SQLite a distinct count over a long period is the dashboard's one expensive query (it
    reads one row per listener and day). Listener-days are only ever added, and DailyCount
    'listeners' counts them per day (exactly, on both databases), so the number of rows in
    the period (`listener_days`, read with the other daily counts) changes whenever the
    answer can: it is part of the cache key, and a cached answer is never stale.
    """
    if not listener_days:
        return 0
    key = (
        f"stats:listeners:{subject.scope}:{subject.scope_id}:{period.start}:{period.end}"
        f":{listener_days}"
    )
    return cache.get_or_set(
        key,
        lambda: listeners.unique(
            scope=subject.scope, scope_id=subject.scope_id, start=period.start, end=period.end
        ),
        timeout=LISTENERS_CACHE_SECONDS,
    )


def source_sums(
    *, scope: str, scope_ids: list[int], period: Period, source: str
) -> dict[int, dict]:
    """Counted plays and seconds heard from one source over the period, per scope id (the
    radio's figures read their hours heard here, so does its fairness bonus)."""
    return {
        row["scope_id"]: row
        for row in PlayRollup.objects.filter(
            _spans(period), scope=scope, scope_id__in=scope_ids, source=source
        )
        .values("scope_id")
        .annotate(plays=Sum("plays"), heard_seconds=Sum("heard_seconds"))
    }


# --- Time series --------------------------------------------------------------------------


@dataclass
class Point:
    day: date  # the first day of the point's bucket (a day, or a month for long periods)
    plays: int
    listeners: int  # listeners per day (for months: the sum of daily listeners)


def daily(*, subject: Subject, period: Period) -> list[Point]:
    """One point per day of the period, days without plays included (as 0)."""
    plays: dict[date, int] = defaultdict(int)
    for bucket, value in (
        _rollups(subject).filter(_in(period, "bucket")).values_list("bucket", "plays")
    ):
        plays[_day(bucket)] += value
    heard = dict(
        DailyCount.objects.filter(
            _in(period), scope=subject.scope, scope_id=subject.scope_id, metric=Metric.LISTENERS
        ).values_list("day", "value")
    )
    days = (period.start + timedelta(n) for n in range(period.days))
    return [Point(day, plays[day], heard.get(day, 0)) for day in days]


# --- Tables -------------------------------------------------------------------------------


@dataclass
class TrackRow:
    track: Track
    streams: int
    plays: int
    complete: int
    partial: int
    skip: int
    early_skips: int
    heard_seconds: float

    @property
    def hours(self) -> float:
        return self.heard_seconds / 3600

    def share(self, count: int) -> int:
        return round(100 * count / self.streams) if self.streams else 0

    @property
    def complete_rate(self) -> int:
        return self.share(self.complete)

    @property
    def partial_rate(self) -> int:
        return self.share(self.partial)

    @property
    def skip_rate(self) -> int:
        return self.share(self.skip)

    @property
    def early_skip_rate(self) -> int:
        return self.share(self.early_skips)


def tracks(*, subject: Subject, period: Period, limit: int = 50) -> list[TrackRow]:
    """The subject's tracks by plays, with completion and skips (streams: started, not flagged)."""
    if subject.scope == Scope.TRACK:
        ids = [subject.scope_id]
    else:
        column = "release_id" if subject.scope == Scope.RELEASE else "artist_id"
        # A list, not a subquery: PostgreSQL then walks the rollup index per track (6 ms
        # for a year of 20 tracks) instead of scanning every track row (77 ms).
        ids = list(Track.objects.filter(**{column: subject.scope_id}).values_list("id", flat=True))
    sums = ("streams", "plays", "complete", "partial", "skip", "early_skips", "heard_seconds")
    rows = list(
        PlayRollup.objects.filter(_spans(period), scope=Scope.TRACK, scope_id__in=ids)
        .values("scope_id")
        .annotate(**{f"s_{name}": Sum(name) for name in sums})
        .order_by("-s_plays", "-s_streams", "scope_id")[:limit]
    )
    titles = Track.objects.only("title", "public_id").in_bulk([row["scope_id"] for row in rows])
    return [
        TrackRow(titles[row["scope_id"]], *(row[f"s_{name}"] for name in sums))
        for row in rows
        if row["scope_id"] in titles
    ]


@dataclass
class SourceRow:
    source: str
    label: str
    plays: int
    streams: int
    percent: int  # of all plays in the period
    bar: int = 0  # bar length: percent of the biggest source's plays


def sources(*, subject: Subject, period: Period) -> list[SourceRow]:
    rows = list(
        PlayRollup.objects.filter(_spans(period), scope=subject.scope, scope_id=subject.scope_id)
        .values("source")
        .annotate(s_plays=Sum("plays"), s_streams=Sum("streams"))
        .order_by("-s_plays", "-s_streams", "source")
    )
    total = sum(row["s_plays"] for row in rows)
    most = max((row["s_plays"] for row in rows), default=0)
    labels = dict(Source.choices)
    return [
        SourceRow(
            row["source"],
            labels.get(row["source"], row["source"]),
            row["s_plays"],
            row["s_streams"],
            round(100 * row["s_plays"] / total) if total else 0,
            round(100 * row["s_plays"] / most) if most else 0,
        )
        for row in rows
    ]


@dataclass
class ReferrerRow:
    ref: str
    label: str
    url: str  # "" when it must not be linked (private playlists)
    plays: int
    streams: int


def _referrers(subject: Subject, period: Period, kind: str, limit: int) -> list[dict]:
    return list(
        ReferrerRollup.objects.filter(
            _in(period), scope=subject.scope, scope_id=subject.scope_id, kind=kind
        )
        .values("ref")
        .annotate(s_plays=Sum("plays"), s_streams=Sum("streams"))
        .order_by("-s_plays", "-s_streams", "ref")[:limit]
    )


PRIVATE_PLAYLIST = "A private playlist"


def playlists(*, subject: Subject, period: Period, limit: int = 20) -> list[ReferrerRow]:
    """Playlists that brought plays. Only public ones are named: a private or unlisted
    playlist's title and link belong to its owner, so they show as "A private playlist"."""
    rows = _referrers(subject, period, ReferrerRollup.PLAYLIST, limit)
    found = Playlist.objects.select_related("owner").in_bulk(
        [row["ref"] for row in rows], field_name="public_id"
    )
    out = []
    for row in rows:
        playlist = found.get(row["ref"])
        public = (
            playlist is not None
            and playlist.visibility == Visibility.PUBLIC
            and not playlist.is_hidden
        )
        out.append(
            ReferrerRow(
                row["ref"],
                playlist.title if public else PRIVATE_PLAYLIST,
                playlist.get_absolute_url() if public else "",
                row["s_plays"],
                row["s_streams"],
            )
        )
    return out


def sites(*, subject: Subject, period: Period, limit: int = 20) -> list[ReferrerRow]:
    """Websites embedding the music (their scheme://host, cleaned when the play was started)."""
    return [
        ReferrerRow(row["ref"], row["ref"], "", row["s_plays"], row["s_streams"])
        for row in _referrers(subject, period, ReferrerRollup.SITE, limit)
    ]


@dataclass
class Segment:
    name: str
    rule: str
    listeners: int
    percent: int


def segments(*, subject: Subject, on: date | None = None) -> list[Segment]:
    """Listeners of the 28 complete days before today by how many days they listened
    (analytics/segments.py: computed once a day, kept)."""
    kept = audience.snapshot(scope=subject.scope, scope_id=subject.scope_id, on=on or today())
    counts = [getattr(kept, field) for field in audience.FIELDS]
    total = sum(counts)
    (super_min, moderate_min, light_min) = (low for _, low in audience.BANDS)
    rules = (
        f"{super_min}+ days",
        f"{moderate_min}–{super_min - 1} days",
        f"{light_min}–{moderate_min - 1} days",
    )
    return [
        Segment(name, f"Listened on {rules[n]} of the {audience.DAYS} days to {kept.day:%-d %b}",
                counts[n], round(100 * counts[n] / total) if total else 0)
        for n, (name, _) in enumerate(audience.BANDS)
    ]  # fmt: skip


# --- Real-time counter --------------------------------------------------------------------


@dataclass
class Live:
    release: Release
    since: date
    plays: int

    @property
    def until(self) -> date:
        return self.since + timedelta(days=LIVE_DAYS - 1)


def release_day(release: Release) -> date:
    """The day a release came out: its release date, or the day it was created."""
    return release.release_date or _day(release.created_at)


def live_releases(*, artist: Artist, release: Release | None = None) -> list[Live]:
    """Releases in their first 7 days, with plays since release day from the hour rollups."""
    on = today()
    candidates = [release] if release else Release.objects.filter(artist=artist, taken_down_at=None)
    first_week = [
        r for r in candidates if on - timedelta(days=LIVE_DAYS - 1) <= release_day(r) <= on
    ]
    if not first_week:
        return []
    since = Q()
    for r in first_week:
        since |= Q(scope_id=r.pk, bucket__gte=_midnight(release_day(r)))
    plays = dict(
        PlayRollup.objects.filter(since, scope=Scope.RELEASE, grain=Grain.HOUR)
        .values("scope_id")
        .annotate(n=Sum("plays"))
        .values_list("scope_id", "n")
    )
    return [Live(r, release_day(r), plays.get(r.pk, 0)) for r in first_week]


# --- Everything on one page ---------------------------------------------------------------


class Dashboard:
    """Everything a stats page shows, each part read when first used (a CSV file reads one).

    Parts: totals, series, tracks, sources, playlists, sites, radio (for the period), segments
    and live (whatever the period).
    """

    def __init__(self, *, subject: Subject, period: Period) -> None:
        self.subject, self.period = subject, period

    def __getattr__(self, name: str):
        read = PERIOD_PARTS.get(name)
        if read is None:
            raise AttributeError(name)
        value = read(subject=self.subject, period=self.period)
        setattr(self, name, value)  # read once
        return value

    @cached_property
    def segments(self) -> list[Segment]:
        return segments(subject=self.subject)

    @cached_property
    def live(self) -> list[Live]:
        if self.subject.scope == Scope.ARTIST:
            return live_releases(artist=self.subject.artist)
        if self.subject.scope == Scope.RELEASE:
            return live_releases(artist=self.subject.artist, release=self.subject.obj)
        return []


def radio(*, subject: Subject, period: Period):
    """The radio's figures (radio/stats.py)."""
    from radio.stats import radio_figures  # deferred: the radio builds on analytics

    return radio_figures(subject=subject, period=period)


PERIOD_PARTS = {
    "totals": totals,
    "series": daily,
    "tracks": tracks,
    "sources": sources,
    "playlists": playlists,
    "sites": sites,
    "radio": radio,
}


def dashboard(*, subject: Subject, period: Period) -> Dashboard:
    return Dashboard(subject=subject, period=period)
