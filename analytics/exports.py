"""The dashboard's tables as CSV files (one per table, and the daily time series)."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

from . import stats

TABLES = ("totals", "daily", "tracks", "sources", "playlists", "sites", "segments")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str | int | float:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rate(value: int | None) -> str:
    return "" if value is None else str(value)


def tables(board: stats.Dashboard) -> dict[str, tuple[list[str], Iterable[Iterable]]]:
    """Every exportable table: name → (header, rows)."""
    return {
        "totals": (
            ["metric", "value", "previous period", "change", "change %"],
            [
                [
                    t.label,
                    t.value,
                    _rate(t.previous),
                    _rate(t.change),
                    "new" if t.is_new else _rate(t.percent),
                ]
                for t in board.totals
            ],
        ),
        "daily": (
            ["day", "plays", "listeners"],
            [[p.day.isoformat(), p.plays, p.listeners] for p in board.series],
        ),
        "tracks": (
            [
                "track",
                "plays",
                "streams",
                "complete %",
                "partial %",
                "skip %",
                "skipped before 30 s %",
                "hours heard",
            ],
            [
                [
                    r.track.title,
                    r.plays,
                    r.streams,
                    r.complete_rate,
                    r.partial_rate,
                    r.skip_rate,
                    r.early_skip_rate,
                    round(r.heard_seconds / 3600, 1),
                ]
                for r in board.tracks
            ],
        ),
        "sources": (
            ["source", "plays", "streams", "share of plays %"],
            [[r.label, r.plays, r.streams, r.percent] for r in board.sources],
        ),
        "playlists": (
            ["playlist", "plays", "streams"],
            [[r.label, r.plays, r.streams] for r in board.playlists],
        ),
        "sites": (
            ["website", "plays", "streams"],
            [[r.label, r.plays, r.streams] for r in board.sites],
        ),
        "segments": (
            ["segment", "definition", "listeners", "share %"],
            [[s.name, s.rule, s.listeners, s.percent] for s in board.segments],
        ),
    }


def filename(board: stats.Dashboard, table: str) -> str:
    subject = board.subject
    name = (
        subject.artist.slug if subject.kind == "artist" else f"{subject.kind}-{subject.public_id}"
    )
    return f"{name}-{table}-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.csv"


def csv_response(board: stats.Dashboard, table: str) -> HttpResponse:
    header, rows = tables(board)[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(board, table)}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([safe(cell) for cell in row] for row in rows)
    return response
