"""Whole-page caching for anonymous visitors, invalidated by any change to the catalogue.

Anonymous visitors see the same artist, release and track pages, so those are rendered once
and served from the cache. The cache key carries a "catalogue generation" that every write to
artists, releases, tracks or renditions bumps (tracks/signals.py and the services that write
with QuerySet.update), so a takedown or an edit shows at once; the timeout only bounds memory.
"""

from functools import partial, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "catalogue:generation"
PAGE_TTL = 300


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def bump_generation() -> None:
    """Forget every cached page (call after any change a visitor could see)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value is a new generation
        cache.set(GENERATION_KEY, 1, timeout=None)


def forget_cached_pages() -> None:
    """Bump now (so this transaction's own later reads miss the cache) and again after commit
    (a concurrent request may have cached the old rows under the first new generation)."""
    bump_generation()
    transaction.on_commit(bump_generation)


def _cacheable(request) -> bool:
    return (
        settings.PAGE_CACHE
        and request.method == "GET"
        and not request.user.is_authenticated
        and not len(get_messages(request))  # a one-off notice must not be cached for others
    )


def cache_for_anonymous(view=None, *, vary_on=None):
    """Cache the view's 200s for anonymous visitors. `vary_on(request, *args, **kwargs)` returns
    what else the page depends on (a string added to the cache key), e.g. a playlist's
    updated_at, which no catalogue generation covers."""
    if view is None:
        return partial(cache_for_anonymous, vary_on=vary_on)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        fragment = "htmx" if request.headers.get("HX-Request") else "page"
        if vary_on is not None:
            fragment += ":" + vary_on(request, *args, **kwargs)
        key = f"page:{generation()}:{fragment}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            status, content_type, body = cached
            from django.http import HttpResponse

            response = HttpResponse(body, status=status, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (200, response["Content-Type"], response.content), PAGE_TTL)
        return response

    return wrapper
