"""The dashboard's tables as CSV files (one per table, and the daily time series)."""

import csv

from django.http import HttpResponse

from . import stats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str | int | float:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rate(value: int | None) -> str:
    return "" if value is None else str(value)


def _totals(board: stats.Dashboard) -> tuple[list, list]:
    return ["metric", "value", "previous period", "change", "change %"], [
        [t.label, t.value, _rate(t.previous), _rate(t.change),
         "new" if t.is_new else _rate(t.percent)]
        for t in board.totals
    ]  # fmt: skip


def _daily(board: stats.Dashboard) -> tuple[list, list]:
    return ["day", "plays", "listeners"], [
        [p.day.isoformat(), p.plays, p.listeners] for p in board.series
    ]


def _tracks(board: stats.Dashboard) -> tuple[list, list]:
    header = ["track", "plays", "streams", "complete %", "partial %", "skip %",
              "skipped before 30 s %", "hours heard"]  # fmt: skip
    return header, [
        [r.track.title, r.plays, r.streams, r.complete_rate, r.partial_rate, r.skip_rate,
         r.early_skip_rate, round(r.hours, 1)]
        for r in board.tracks
    ]  # fmt: skip


def _sources(board: stats.Dashboard) -> tuple[list, list]:
    return ["source", "plays", "streams", "share of plays %"], [
        [r.label, r.plays, r.streams, r.percent] for r in board.sources
    ]


def _referrers(name: str, rows: list[stats.ReferrerRow]) -> tuple[list, list]:
    return [name, "plays", "streams"], [[r.label, r.plays, r.streams] for r in rows]


def _segments(board: stats.Dashboard) -> tuple[list, list]:
    return ["segment", "definition", "listeners", "share %"], [
        [s.name, s.rule, s.listeners, s.percent] for s in board.segments
    ]


def _radio(board: stats.Dashboard) -> tuple[list, list]:
    header = ["track", "radio plays", "listeners", "counted plays", "hours heard", "likes",
              "likes %", "dislikes", "dislikes %", "skips", "skips %"]  # fmt: skip
    return header, [
        [r.track.title, r.handed, r.listeners, r.plays, round(r.hours, 1), r.likes, r.like_rate,
         r.dislikes, r.dislike_rate, r.skips, r.skip_rate]
        for r in board.radio.tracks
    ]  # fmt: skip


# Every exportable table: name → what makes its header and rows (reading only that table).
TABLES = {
    "totals": _totals,
    "daily": _daily,
    "tracks": _tracks,
    "sources": _sources,
    "playlists": lambda board: _referrers("playlist", board.playlists),
    "sites": lambda board: _referrers("website", board.sites),
    "segments": _segments,
    "radio": _radio,
}


def filename(board: stats.Dashboard, table: str) -> str:
    subject = board.subject
    name = (
        subject.artist.slug if subject.kind == "artist" else f"{subject.kind}-{subject.public_id}"
    )
    return f"{name}-{table}-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.csv"


def csv_response(board: stats.Dashboard, table: str) -> HttpResponse:
    header, rows = TABLES[table](board)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(board, table)}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([safe(cell) for cell in row] for row in rows)
    return response
