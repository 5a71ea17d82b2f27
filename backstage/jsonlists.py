"""Filtering on lists stored in a JSONField (track tags, artist skills and genres).

PostgreSQL answers JSON containment (`@>`, which a GIN index can serve); SQLite has no
containment, so there the item is looked for in the list's JSON text with its quotes, which
only matches a whole element. Items are stored normalised (lower case), so both agree."""

import json

from django.db import connection
from django.db.models import QuerySet


def containing(queryset: QuerySet, field: str, item: str) -> QuerySet:
    """The rows whose JSON list `field` holds `item`."""
    if connection.vendor == "postgresql":
        return queryset.filter(**{f"{field}__contains": [item]})
    return queryset.filter(**{f"{field}__icontains": json.dumps(item)})
