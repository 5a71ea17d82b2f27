"""The sandbox's memory: objects by id, idempotent results and events, behind one lock.

Every request runs its whole handler under `Store.lock`, so two requests can never both read a
balance or an idempotency key before either writes (the race Stripe's own locking prevents).
With a state path, the store is written to JSON after each change and read back at start.
"""

import json
import os
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any

IDEMPOTENCY_TTL = 24 * 60 * 60
_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """Ids shaped like Stripe's: a prefix, then 24 random letters and digits."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def now() -> int:
    return int(time.time())


class Store:
    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.lock = threading.RLock()
        self.path = Path(path) if path else None
        self.objects: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.events: list[str] = []  # event ids, oldest first
        self.secrets: dict[str, dict[str, Any]] = {}  # link and session tokens, not API objects
        if self.path and self.path.exists():
            saved = json.loads(self.path.read_text())
            self.objects = saved["objects"]
            self.idempotency = saved["idempotency"]
            self.events = saved["events"]
            self.secrets = saved["secrets"]

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return obj

    def get(self, object_id: str, kind: str) -> dict[str, Any] | None:
        """The object with this id if it is of this `object` kind."""
        obj = self.objects.get(object_id)
        return obj if obj is not None and obj["object"] == kind else None

    def find(self, kind: str, **fields: Any) -> list[dict[str, Any]]:
        return [
            o
            for o in self.objects.values()
            if o["object"] == kind and all(o.get(k) == v for k, v in fields.items())
        ]

    def forget_old_keys(self) -> None:
        cutoff = now() - IDEMPOTENCY_TTL
        for key in [k for k, v in self.idempotency.items() if v["created"] < cutoff]:
            del self.idempotency[key]

    def save(self) -> None:
        if self.path is None:
            return
        data = {
            "objects": self.objects,
            "idempotency": self.idempotency,
            "events": self.events,
            "secrets": self.secrets,
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        temporary.replace(self.path)
