"""What the radio did for an artist's music: the radio part of their stats pages.

Read for the dashboard's period, in a fixed number of queries whatever the catalogue or the
traffic: RadioPlay by (track, started_at), Feedback by (track, kind) joined to its play,
TimedComment by track, and analytics' PlayRollup (source "radio") for the plays that counted
and the time heard.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, When
from django.db.models.functions import Cast, Floor, Least
from django.http import Http404

from analytics import stats
from analytics.models import Scope, Source
from artists.models import Artist
from backstage.models import User
from tracks.models import Release, Track
from tracks.templatetags.music import clock

from .models import Feedback, RadioPlay, Reason, TimedComment

SKIP_BINS = 20  # the skip-point histogram's bars, each 5 % of the track
COMMENTS_SHOWN = 20
NO_REASON = "No reason given"


@dataclass
class RadioCounts:
    """One track's radio figures over a period (or the sum of several: `track` None)."""

    track: Track | None = None
    handed: int = 0  # radio plays handed to listeners (started by the radio)
    listeners: int = 0  # distinct listener keys among them
    plays: int = 0  # plays that counted (30 s heard), source radio
    heard_seconds: float = 0.0  # listener-seconds heard on the radio
    likes: int = 0
    dislikes: int = 0
    skips: int = 0

    def share(self, count: int) -> int:
        """`count` in percent of the radio plays handed out."""
        return round(100 * count / self.handed) if self.handed else 0

    @property
    def like_rate(self) -> int:
        return self.share(self.likes)

    @property
    def dislike_rate(self) -> int:
        return self.share(self.dislikes)

    @property
    def skip_rate(self) -> int:
        return self.share(self.skips)

    @property
    def hours(self) -> float:
        return self.heard_seconds / 3600


@dataclass
class ReasonRow:
    label: str
    count: int
    percent: int  # of all dislikes


@dataclass
class SkipBin:
    label: str
    count: int
    percent: int  # of the skips with a known moment
    x: int  # the bar's place in the chart's 200 × 100 box (10 wide per bin)
    height: float  # bar height in that box: the busiest bin is 100

    @property
    def y(self) -> float:
        return round(100 - self.height, 1)


@dataclass
class SkipHistogram:
    bins: list[SkipBin]
    total: int
    in_time: bool  # labelled in minutes:seconds (one track), else in percent of the track

    @property
    def busiest(self) -> SkipBin | None:
        top = max(self.bins, key=lambda b: b.count, default=None)
        return top if top and top.count else None


@dataclass
class RadioFigures:
    totals: RadioCounts
    tracks: list[RadioCounts]  # by radio plays handed out, most first
    reasons: list[ReasonRow]
    skip_points: SkipHistogram
    comments: list[TimedComment]
    comment_count: int

    @property
    def empty(self) -> bool:
        return not (self.totals.handed or self.totals.plays or self.comment_count)


def _within(period: stats.Period, name: str) -> Q:
    start = datetime.combine(period.start, time(), tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=UTC)
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _tracks_of(subject: stats.Subject) -> dict[int, Track]:
    if subject.scope == Scope.TRACK:
        return {subject.obj.pk: subject.obj}
    column = "release_id" if subject.scope == Scope.RELEASE else "artist_id"
    return {
        track.pk: track
        for track in Track.objects.filter(**{column: subject.scope_id}).only(
            "title", "public_id", "duration"
        )
    }


def radio_figures(*, subject: stats.Subject, period: stats.Period) -> RadioFigures:
    """Radio plays, listeners, hours heard, likes / dislikes / skips with reasons, where people
    skip, and the newest timed comments of the subject's tracks in the period."""
    tracks = _tracks_of(subject)
    ids = list(tracks)
    rows = {pk: RadioCounts(track=track) for pk, track in tracks.items()}
    totals = RadioCounts()
    if not ids:
        return RadioFigures(totals, [], [], skip_histogram({}, None), [], 0)
    plays = RadioPlay.objects.filter(_within(period, "started_at"), track_id__in=ids)
    for row in plays.values("track_id").annotate(
        n=Count("id"), people=Count("listener_key", distinct=True)
    ):
        rows[row["track_id"]].handed, rows[row["track_id"]].listeners = row["n"], row["people"]
    heard = stats.source_sums(scope=Scope.TRACK, scope_ids=ids, period=period, source=Source.RADIO)
    for pk, sums in heard.items():
        if pk in rows:
            rows[pk].plays, rows[pk].heard_seconds = sums["plays"], sums["heard_seconds"]
    # One grouped read of the feedback on those radio plays (so a rate never passes 100 %):
    # counts by kind and reason, and skips by moment.
    reasons: dict[str, int] = {}
    skips_at: dict[int, int] = {}
    feedback = Feedback.objects.filter(_within(period, "play__started_at"), track_id__in=ids)
    for row in (
        feedback.annotate(bin=skip_bin())
        .values("track_id", "kind", "reason", "bin")
        .annotate(n=Count("id"))
    ):
        counts, kind, n = rows[row["track_id"]], row["kind"], row["n"]
        setattr(counts, f"{kind}s", getattr(counts, f"{kind}s") + n)
        if kind == Feedback.Kind.DISLIKE:
            reasons[row["reason"]] = reasons.get(row["reason"], 0) + n
        elif kind == Feedback.Kind.SKIP and row["bin"] is not None:
            skips_at[row["bin"]] = skips_at.get(row["bin"], 0) + n
    for name in ("handed", "plays", "heard_seconds", "likes", "dislikes", "skips"):
        setattr(totals, name, sum(getattr(r, name) for r in rows.values()))
    # Distinct listeners of several tracks are not the sum of each track's.
    if len(ids) == 1 or not totals.handed:
        totals.listeners = sum(r.listeners for r in rows.values())
    else:
        totals.listeners = plays.aggregate(n=Count("listener_key", distinct=True))["n"]
    visible = TimedComment.objects.filter(
        _within(period, "created_at"),
        track_id__in=ids,
        hidden_at__isnull=True,
        author__suspended_at=None,
    )
    comments = list(
        visible.select_related("author").order_by("-created_at", "-pk")[: COMMENTS_SHOWN + 1]
    )
    for comment in comments:
        comment.track = tracks[comment.track_id]
        comment.moment_url = moment_link(comment)
    comment_count = len(comments)
    if comment_count > COMMENTS_SHOWN:
        comment_count = visible.count()
    return RadioFigures(
        totals=totals,
        tracks=sorted(
            (r for r in rows.values() if r.handed or r.plays),
            key=lambda r: (-r.handed, -r.plays, r.track.title),
        ),
        reasons=reason_rows(reasons),
        skip_points=skip_histogram(
            skips_at,
            subject.obj.duration if subject.scope == Scope.TRACK else None,
        ),
        comments=comments[:COMMENTS_SHOWN],
        comment_count=comment_count,
    )


def reason_rows(counts: dict[str, int]) -> list[ReasonRow]:
    """Dislike reasons by count (most first), with their share of all dislikes."""
    total = sum(counts.values())
    labels = {**dict(Reason.choices), "": NO_REASON}
    rows = [
        ReasonRow(labels.get(reason, reason), n, round(100 * n / total))
        for reason, n in counts.items()
        if n
    ]
    return sorted(rows, key=lambda r: (-r.count, r.label))


def skip_bin():
    """The histogram bin of a skip: bin k holds skips between k/SKIP_BINS and (k+1)/SKIP_BINS
    of the track (a skip at the very end falls in the last bin). NULL for likes and dislikes,
    and for skips without a moment or of a track of unknown length."""
    return Case(
        When(
            kind=Feedback.Kind.SKIP,
            at_seconds__isnull=False,
            track__duration__gt=0,
            then=Least(
                Cast(
                    Floor(F("at_seconds") * SKIP_BINS / F("track__duration")),
                    output_field=IntegerField(),
                ),
                SKIP_BINS - 1,
            ),
        ),
        default=None,
        output_field=IntegerField(),
    )


def skip_histogram(counts: dict[int, int], duration: float | None) -> SkipHistogram:
    """The histogram's bars, labelled in minutes and seconds when `duration` is known."""
    total = sum(counts.values())
    most = max(counts.values(), default=0)
    bins = []
    for k in range(SKIP_BINS):
        if duration:
            label = f"{clock(k * duration / SKIP_BINS)}–{clock((k + 1) * duration / SKIP_BINS)}"
        else:
            label = f"{k * 100 // SKIP_BINS}–{(k + 1) * 100 // SKIP_BINS} %"
        n = counts.get(k, 0)
        bins.append(
            SkipBin(
                label,
                n,
                round(100 * n / total) if total else 0,
                10 * k,
                round(100 * n / most, 1) if most else 0.0,
            )
        )
    return SkipHistogram(bins, total, bool(duration))


# --- Who may see them -------------------------------------------------------------------------


def access_radio_subject(*, user: User | None, kind: str, key: str) -> stats.Subject:
    """The artist (by slug), release or track (by public id) whose radio figures `user` may
    see: their own as an artist, anyone's as staff. Http404 for everyone and everything else."""
    if user is not None and user.is_authenticated and user.is_staff:
        return _any_subject(kind, key)
    if kind == "artist":
        subject = stats.access_subject(user=user, kind="artist")
        if subject.artist.slug != key:
            raise Http404("No stats here.")
        return subject
    return stats.access_subject(user=user, kind=kind, public_id=key)


def _any_subject(kind: str, key: str) -> stats.Subject:
    model, scope, lookup = {
        "artist": (Artist, Scope.ARTIST, "slug"),
        "release": (Release, Scope.RELEASE, "public_id"),
        "track": (Track, Scope.TRACK, "public_id"),
    }.get(kind, (None, None, None))
    obj = model.objects.filter(**{lookup: key}).first() if model else None
    if obj is None:
        raise Http404("No stats here.")
    artist = obj if kind == "artist" else obj.artist
    title = obj.name if kind == "artist" else obj.title
    since: date = obj.created_at.astimezone(UTC).date()
    return stats.Subject(scope, obj.pk, title, artist, since, obj)


def moment_link(comment: TimedComment) -> str:
    """The comment in the track page's list, whose time link plays the track from there."""
    return f"{comment.track.get_absolute_url()}#comment-{comment.pk}"
