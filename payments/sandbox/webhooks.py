"""Events, and their delivery to one webhook endpoint, signed as Stripe signs them.

Stripe-Signature is `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the endpoint
secret>`, so `stripe.Webhook.construct_event` on the receiving side accepts it. Delivery runs in
a background thread; a failed attempt (no answer, or a status outside 2xx) is retried later.
"""

import copy
import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from .state import Store, new_id, now

API_VERSION = "2026-10-28.endive"  # the version the pinned stripe library asks for
RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0)

logger = logging.getLogger(__name__)
# Straight to the endpoint (usually our own app on loopback), never through an HTTP(S)_PROXY.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sign(payload: str, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class Webhooks:
    def __init__(
        self,
        store: Store,
        url: str | None = None,
        secret: str | None = None,
        *,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.store = store
        self.url = url
        self.secret = secret or ""
        self.retry_delays = retry_delays
        self.attempts: list[tuple[str, int]] = []  # (event id, status; 0 = no answer)
        self._queue: queue.Queue[tuple[str, int]] = queue.Queue()
        self._busy = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    def emit(
        self,
        type: str,
        obj: dict[str, Any],
        *,
        previous: dict[str, Any] | None = None,
        request: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event with a snapshot of `obj`, queue its delivery. Caller holds the lock."""
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous:
            data["previous_attributes"] = previous
        event = {
            "id": new_id("evt_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1 if self.url else 0,
            "request": request or {"id": None, "idempotency_key": None},
            "type": type,
        }
        self.store.add(event)
        self.store.events.append(event["id"])
        if self.url:
            self._put(event["id"], 0)
        return event

    def redeliver(self, event_id: str) -> None:
        """Queue the event for delivery once more (with retries), whatever happened before."""
        with self.store.lock:
            self.store.objects[event_id]["pending_webhooks"] += 1
        self._put(event_id, 0)

    def deliver(self, event_id: str) -> int:
        """POST the event once, now; the receiver's status (0 when it did not answer)."""
        with self.store.lock:
            event = copy.deepcopy(self.store.objects[event_id])
        payload = json.dumps(event, indent=2)
        request = urllib.request.Request(
            self.url or "",
            data=payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Stripe-Signature": sign(payload, self.secret, now()),
            },
        )
        try:
            with _OPENER.open(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (OSError, ValueError) as error:
            logger.info("webhook %s not delivered: %s", event_id, error)
            status = 0
        self.attempts.append((event_id, status))
        if 200 <= status < 300:
            with self.store.lock:
                stored = self.store.objects[event_id]
                stored["pending_webhooks"] = max(0, stored["pending_webhooks"] - 1)
                self.store.save()
        return status

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery (retries included) is done; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def _put(self, event_id: str, attempt: int) -> None:
        with self._idle:
            self._busy += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="webhooks")
                self._thread.start()
        self._queue.put((event_id, attempt))

    def _run(self) -> None:
        while True:
            event_id, attempt = self._queue.get()
            status = self.deliver(event_id)
            if not 200 <= status < 300 and attempt < len(self.retry_delays):
                self._later(self.retry_delays[attempt], event_id, attempt + 1)
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _later(self, delay: float, event_id: str, attempt: int) -> None:
        with self._idle:
            self._busy += 1  # counted until the retry itself runs
        timer = threading.Timer(delay, self._retry, args=(event_id, attempt))
        timer.daemon = True
        timer.start()

    def _retry(self, event_id: str, attempt: int) -> None:
        self._put(event_id, attempt)
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()
