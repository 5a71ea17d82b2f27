"""Template filters for music pages (registered as builtins in settings.TEMPLATES)."""

from django import template

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """3:07 or 1:02:03 — a duration as musicians write it."""
    try:
        total = int(float(seconds or 0))
    except (TypeError, ValueError):
        return "0:00"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def waveform_path(peaks) -> str:
    """One SVG path of vertical bars, centred on y=50, one unit of width per peak."""
    parts = []
    for x, peak in enumerate(peaks or []):
        height = max(2, min(100, int(peak)))
        parts.append(f"M{x} {50 - height / 2:g}h.7v{height}h-.7z")
    return "".join(parts)


@register.filter
def hue(text) -> int:
    """A stable colour for placeholder covers, from the title."""
    return sum(ord(ch) for ch in str(text)) * 37 % 360
