"""Helpers every resource module shares: the request, fetching by id, lists, fees."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParam, no_such
from .form import Params
from .state import Store


@dataclass
class Request:
    method: str
    path: str
    params: Params
    base_url: str  # where the sandbox is reachable, for hosted page urls; ends without "/"
    args: tuple[str, ...] = ()  # the route's captured ids
    idempotency_key: str | None = None
    form: dict[str, str] = field(default_factory=dict)  # hosted pages: the posted form
    request_id: str = field(default_factory=lambda: "req_" + secrets.token_hex(7))

    def event_request(self) -> dict[str, Any]:
        """The `request` field of events this request causes."""
        return {"id": self.request_id, "idempotency_key": self.idempotency_key}


def fetch(store: Store, kind: str, object_id: str, *, label: str | None = None) -> dict[str, Any]:
    """The object, or Stripe's 404 `No such <label>: '<id>'`."""
    obj = store.get(object_id, kind)
    if obj is None:
        raise no_such(label or kind, object_id)
    return obj


def empty_list(url: str) -> dict[str, Any]:
    return {"object": "list", "data": [], "has_more": False, "url": url}


def page(items: list[dict[str, Any]], params: Params, url: str) -> dict[str, Any]:
    """A Stripe list, newest first, with limit / starting_after / ending_before."""
    limit = params.integer("limit", minimum=1)
    if limit is not None and limit > 100:
        raise InvalidParam("Invalid integer: limit must be at most 100", param="limit")
    limit = limit or 10
    # `items` come oldest first; reversing before a stable sort keeps same-second ones newest first.
    ordered = sorted(reversed(items), key=lambda o: o["created"], reverse=True)
    ids = [o["id"] for o in ordered]
    after = params.string("starting_after")
    before = params.string("ending_before")
    if after is not None:
        if after not in ids:
            raise no_such("object", after, param="starting_after")
        ordered = ordered[ids.index(after) + 1 :]
        return _listed(ordered[:limit], len(ordered) > limit, url)
    if before is not None:
        if before not in ids:
            raise no_such("object", before, param="ending_before")
        ordered = ordered[: ids.index(before)]
        return _listed(ordered[-limit:], len(ordered) > limit, url)
    return _listed(ordered[:limit], len(ordered) > limit, url)


def filtered_page(store: Store, kind: str, params: Params, filters: tuple[str, ...], url: str):
    """A list endpoint: the objects of `kind` matching the given `filters` params, paged."""
    params.allow(*filters, "limit", "starting_after", "ending_before", "expand")
    wanted = {name: value for name in filters if (value := params.string(name)) is not None}
    return page(store.find(kind, **wanted), params, url)


def _listed(data: list[dict[str, Any]], has_more: bool, url: str) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def processing_fee(amount: int) -> int:
    """Stripe's card fee in the sandbox: 2.9 % (rounded half up to a minor unit) + 30."""
    return (amount * 29 + 500) // 1000 + 30
