"""The page that says no: a refusal a person can read, with a way back (templates/problem.html)."""

from django.shortcuts import render

from .limits import TooMany, with_retry_after


def problem_page(request, message: str, status: int, *, back: str = ""):
    return render(request, "problem.html", {"message": message, "back": back}, status=status)


def too_many_page(request, refusal: TooMany, *, back: str = ""):
    """429 with the limit's message, and when to try again."""
    return with_retry_after(problem_page(request, str(refusal), 429, back=back), refusal)
