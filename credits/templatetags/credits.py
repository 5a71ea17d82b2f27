"""{% credit_line work %} (confirmed credits on a track or release page), {% appears_on artist %}
(the artist page's "Appears on" section) and the `percent` filter (basis points → "33.33")."""

from django import template

from ..models import Credit
from ..selectors import appears_on as appears_on_selector
from ..selectors import confirmed_credits

register = template.Library()


@register.filter
def percent(basis_points: int) -> str:
    """6000 → "60", 3333 → "33.33": what a person types in the split form."""
    return f"{basis_points / 100:g}" if basis_points % 100 else str(basis_points // 100)


@register.inclusion_tag("credits/_credit_line.html")
def credit_line(work):
    """The work's confirmed credits grouped by role, in the roles' order: "feat. Ada · Produced
    by Bo and Cy" (one query)."""
    groups: dict[str, list] = {}
    for credit in sorted(confirmed_credits(work), key=lambda c: Credit.Role.values.index(c.role)):
        groups.setdefault(credit.phrase, []).append(credit.artist)
    return {"groups": list(groups.items())}


@register.simple_tag
def appears_on(artist) -> dict:
    """`{% appears_on artist as credited %}`: listed music by others crediting `artist`."""
    return appears_on_selector(artist=artist)
