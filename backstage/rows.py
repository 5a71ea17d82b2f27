"""Small write helpers shared by apps."""

from django.db import IntegrityError, transaction


def toggle_row(model, *, on: bool, **lookup) -> bool:
    """Create (on=True) or delete the one row `lookup` names and return `on`. Repeating a
    request changes nothing, and a double click racing itself is not an error."""
    if not on:
        model.objects.filter(**lookup).delete()
        return False
    try:
        with transaction.atomic():
            model.objects.get_or_create(**lookup)
    except IntegrityError:  # the concurrent twin created it: the row exists, which is the goal
        pass
    return True
