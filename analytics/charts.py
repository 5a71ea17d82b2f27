"""Geometry for the dashboard's server-rendered SVG charts (no JavaScript, no library).

The plot is drawn in a fixed 1000 × 300 box stretched to the page width
(preserveAspectRatio="none", strokes that do not scale), while axis labels are HTML around
it: so the text stays readable at any width, a 390 px phone included.
"""

import math
from dataclasses import dataclass
from datetime import date

from .stats import Point

WIDTH, HEIGHT = 1000, 300
TICKS = 4  # horizontal grid lines above zero
X_LABELS = 6


@dataclass
class LineChart:
    line: str  # SVG path of the values
    area: str  # the same, closed down to the axis
    grid: list[float]  # y of each grid line, bottom (0) first
    y_labels: list[int]  # their values, top first (the order they are laid out in)
    x_labels: list[str]  # evenly spaced labels under the plot, left to right
    peak: int


def nice_ceiling(value: float) -> int:
    """The smallest round number (1, 2 or 5 × 10^n, times TICKS) at or above `value`."""
    if value <= 0:
        return TICKS
    step = value / TICKS
    magnitude = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= step:
            return max(TICKS, math.ceil(factor * magnitude) * TICKS)
    return TICKS  # pragma: no cover


def line_chart(values: list[int], labels: list[str]) -> LineChart:
    """A line (and area) chart of `values`; `labels` names each value on the x axis."""
    top = nice_ceiling(max(values, default=0))
    count = len(values)

    def x(n: int) -> float:
        return WIDTH / 2 if count == 1 else round(n * WIDTH / (count - 1), 2)

    def y(value: float) -> float:
        return round(HEIGHT - value * HEIGHT / top, 2)

    points = [f"{x(n)},{y(v)}" for n, v in enumerate(values)]
    line = "M" + " L".join(points) if points else ""
    area = f"{line} L{x(count - 1)},{HEIGHT} L{x(0)},{HEIGHT} Z" if points else ""
    if count == 1:  # a single day: a short flat line reads better than a dot
        line = f"M{WIDTH / 2 - 20},{y(values[0])} L{WIDTH / 2 + 20},{y(values[0])}"
    wanted = min(X_LABELS, count)
    picks = (
        sorted({round(k * (count - 1) / (wanted - 1)) for k in range(wanted)})
        if wanted > 1
        else [0]
    )
    return LineChart(
        line=line,
        area=area,
        grid=[y(top * k / TICKS) for k in range(TICKS + 1)],
        y_labels=[top * k // TICKS for k in range(TICKS, -1, -1)],
        x_labels=[labels[n] for n in picks] if labels else [],
        peak=max(values, default=0),
    )


def plays_chart(series: list[Point]) -> dict:
    """The dashboard's plays chart: daily points (monthly beyond 13 months) and their text."""
    grain, points = chart_points(series)
    fmt = "%b %Y" if grain == "month" else "%-d %b"
    values = [p.plays for p in points]
    peak = max(points, key=lambda p: p.plays, default=None)
    return {
        "grain": grain,
        "points": points,
        "geometry": line_chart(values, [p.day.strftime(fmt) for p in points]),
        "total": sum(values),
        "peak": peak if peak and peak.plays else None,
        "label_format": "F Y" if grain == "month" else "j M Y",
        "rows": table_rows(grain, points),
    }


def table_rows(grain: str, points: list[Point]) -> list[tuple[str, str, str]]:
    """The chart's numbers as text, formatted here: a year of rows through template filters
    took most of a 12-month page's time."""
    fmt = "%B %Y" if grain == "month" else "%a %-d %b %Y"
    return [(p.day.strftime(fmt), f"{p.plays:,}", f"{p.listeners:,}") for p in points]


def chart_points(points: list[Point]) -> tuple[str, list[Point]]:
    """("day", points) for up to 13 months, else the same numbers summed by month."""
    if len(points) <= 400:
        return "day", points
    months: dict[date, Point] = {}
    for point in points:
        month = point.day.replace(day=1)
        total = months.setdefault(month, Point(month, 0, 0))
        total.plays += point.plays
        total.listeners += point.listeners
    return "month", list(months.values())
