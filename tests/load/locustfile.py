"""Mixed traffic for the load tests (run by tests/load/run.py through locust's CLI).

Environment: LOAD_SEED (the seed's JSON), LOAD_OUT (a folder: every request is appended to
requests.jsonl, each play the generator completed to plays.jsonl, each completed upload to
uploads.jsonl, each payment paid on the sandbox's Checkout to payments.jsonl),
LOAD_UPLOAD_FILE (a small real audio file).

Browsers send secure cookies only over https; the stack is plain http on loopback, so the
cookie policy here sends them anyway (the site runs with DEBUG off, as in production).
"""

import json
import os
import random
import re
import secrets
import time
from http.cookiejar import DefaultCookiePolicy
from itertools import count
from pathlib import Path

from locust import HttpUser, between, events, task

SEED = json.loads(Path(os.environ["LOAD_SEED"]).read_text())
OUT = Path(os.environ["LOAD_OUT"])
UPLOAD_FILE = Path(os.environ["LOAD_UPLOAD_FILE"])
ITEM = re.compile(r'name="item" value="(\d+)"')
FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
# The 503 of backstage/outages.py: its page, or its JSON for scripts.
FRIENDLY = ('data-outage="', '"unavailable":')
_numbers = count()
_logs: dict[str, object] = {}


def log(name: str, record: dict) -> None:
    if name not in _logs:
        _logs[name] = open(OUT / f"{name}.jsonl", "a", buffering=1)  # noqa: SIM115
    _logs[name].write(json.dumps(record) + "\n")


@events.request.add_listener
def on_request(request_type, name, response_time, response_length, response=None, **kw):
    status = getattr(response, "status_code", 0) or 0
    text = (getattr(response, "text", "") or "") if status == 503 else ""
    friendly = any(marker in text for marker in FRIENDLY)
    log(
        "requests",
        {
            "t": time.time(),
            "name": name,
            "status": status,
            "ms": round(response_time, 1),
            "page": name.startswith("page:"),
            "friendly": friendly,
            "error": bool(kw.get("exception")),
        },
    )


class InsecureCookies(DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request):
        return True

    def set_ok(self, cookie, request):  # a Secure cookie set over http is kept too
        cookie.secure = False
        return super().set_ok(cookie, request)


class Visitor(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    session: str = ""

    def on_start(self):
        number = next(_numbers)
        self.client.cookies.set_policy(InsecureCookies())
        self.client.headers["User-Agent"] = f"Mozilla/5.0 (X11; Linux x86_64) LoadGen/{number}"
        # Django accepts a CSRF secret the client chose, as long as cookie and header agree.
        token = secrets.token_hex(16)
        self.client.cookies.set("csrftoken", token)
        self.client.headers["X-CSRFToken"] = token
        if self.session:
            self.client.cookies.set("sessionid", self.session)

    def page(self, url: str, kind: str, **kwargs):
        """A page a person reads: a friendly 503 during an outage is still a failure here
        (counted by the harness apart from 500s)."""
        return self.client.get(url, name=f"page:{kind}", **kwargs)


class Browser(Visitor):
    weight = 5

    @task(2)
    def home(self):
        self.page("/", "home")

    @task(2)
    def artist(self):
        self.page(random.choice(SEED["artist_urls"]), "artist")

    @task(2)
    def release(self):
        self.page(random.choice(SEED["release_urls"]), "release")

    @task(3)
    def track(self):
        self.page(random.choice(SEED["track_urls"]), "track")


class Searcher(Visitor):
    weight = 2

    @task
    def search(self):
        words = random.choice(["load song", "ambient", "jazz", "Load Artist 7", "folk 3-"])
        self.page(f"/search?q={words}", "search")


class Listener(Visitor):
    """Presses play, then sends the player's beacons with its own (fake, fast) clock."""

    weight = 4
    wait_time = between(0.2, 1)

    def beacon(self, token: str, seq: int, event: str, position: float, at: float) -> bool:
        body = {"token": token, "seq": seq, "event": event, "position": position, "at": at}
        with self.client.post(
            "/beacon",
            data=json.dumps(body),
            headers={"Content-Type": "text/plain"},
            name="api:beacon",
            catch_response=True,
        ) as answer:
            return answer.status_code == 204

    @task
    def listen(self):
        public_id = random.choice(SEED["tracks"])
        with self.client.get(
            f"/track/{public_id}/play?start=1&source=track", name="api:play", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                return
            token = answer.json().get("play_token")
        if not token:
            return
        duration = SEED["duration"]
        at = random.uniform(1e5, 1e7)
        if not self.beacon(token, 0, "start", 0.0, at):
            return
        # The server caps what was heard by its own clock since the token was issued (+ 2 s).
        time.sleep(max(duration - 1.5, 0.5))
        if self.beacon(token, 1, "end", duration, at + duration * 1000):
            log("plays", {"token": token, "t": time.time()})


class Radio(Visitor):
    weight = 2

    def on_start(self):
        super().on_start()
        self.station = None

    @task
    def radio(self):
        if self.station is None:
            self.page("/radio/", "radio")
            with self.client.post(
                "/radio/start",
                data={"kind": "discovery"},
                headers={"Accept": "application/json"},
                name="api:radio-start",
                catch_response=True,
            ) as answer:
                if answer.status_code == 429:  # the per-address cap: every user shares one IP
                    answer.success()
                    return
                if answer.status_code != 201:
                    return
                self.station = answer.json()
        with self.client.post(
            self.station["next"], name="api:radio-next", catch_response=True
        ) as answer:
            if answer.status_code in (409, 429):  # the station ran dry; too fast
                answer.success()
                self.station = None
                return
            if answer.status_code != 200:
                return
            item = answer.json()
        if random.random() < 0.3:
            kind = random.choice(["like", "dislike", "skip"])
            self.client.post(item["feedback"], data={"kind": kind}, name="api:radio-feedback")


class Fan(Visitor):
    """Signed in: edits their own playlist."""

    weight = 2

    def on_start(self):
        self.me = random.choice(SEED["fans"])
        self.session = self.me["session"]
        super().on_start()

    @task(2)
    def add(self):
        with self.client.post(
            "/playlists/add",
            data={"playlist": self.me["playlist"], "track": random.choice(SEED["tracks"])},
            name="api:playlist-add",
            catch_response=True,
        ) as answer:
            if "/accounts/login" in (answer.url or ""):  # the seed's session was refused
                answer.failure("signed out")

    @task(2)
    def look_and_remove(self):
        answer = self.page(f"/playlist/{self.me['playlist']}/", "playlist", allow_redirects=True)
        items = ITEM.findall(answer.text or "")
        if len(items) > 20:
            self.client.post(
                f"/playlist/{self.me['playlist']}/remove",
                data={"item": random.choice(items)},
                name="api:playlist-remove",
            )

    @task(1)
    def library(self):
        self.page("/library/", "library")


class Uploader(Visitor):
    """An artist uploading a small real file: start, POST to S3, complete, poll until done.
    A fixed two at every load (spawned before the weighted users): uploads are rare next to
    listening, and locust's weights would give none to a run of a few users."""

    fixed_count = 2
    wait_time = between(5, 10)

    def on_start(self):
        self.session = random.choice(SEED["uploaders"])["session"]
        super().on_start()

    @task
    def upload(self):
        data = UPLOAD_FILE.read_bytes()
        name = f"load-{secrets.token_hex(4)}{UPLOAD_FILE.suffix}"
        with self.client.post(
            "/upload/start",
            data={"filename": name, "size": len(data)},
            name="api:upload-start",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                return
            target = answer.json()
        with self.client.post(
            target["url"],
            data=target["fields"],
            files={"file": (name, data)},
            name="s3:upload",
            catch_response=True,
        ) as sent:
            if sent.status_code not in (200, 201, 204):
                return
        with self.client.post(
            target["complete"], name="api:upload-complete", catch_response=True
        ) as answer:
            if answer.status_code != 201:
                return
            track = answer.json()["track"]
        log("uploads", {"track": track, "t": time.time()})
        for _ in range(10):
            time.sleep(1)
            status = self.client.get(
                f"/track/{track}/status", headers={"HX-Request": "true"}, name="api:upload-status"
            )
            if "HX-Location" in status.headers:
                return


class Buyer(Visitor):
    """Signed in: tips an artist or buys a release, and pays on the sandbox's hosted Checkout.
    One time in five the form is sent twice (a double click): that must still be one payment.
    A fixed one at every load, as for uploads."""

    fixed_count = 1
    wait_time = between(3, 8)

    def on_start(self):
        self.me = random.choice(SEED["fans"])
        self.session = self.me["session"]
        super().on_start()

    @task
    def pay(self):
        if random.random() < 0.5:
            kind, url, amount = "tip", f"/@{random.choice(SEED['artist_slugs'])}/tip", "3.00"
        else:
            kind, url, amount = "buy", f"/buy/release/{random.choice(SEED['releases'])}/", "7.00"
        form = self.page(url, kind)
        token = FORM_TOKEN.search(form.text or "")
        if form.status_code != 200 or not token:
            return
        checkout = None
        for _ in range(2 if random.random() < 0.2 else 1):
            with self.client.post(
                url,
                data={"amount": amount, "token": token.group(1), "message": "load"},
                name=f"api:{kind}",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                if answer.status_code == 429:  # this fan's hourly cap: a person would wait
                    answer.success()
                    return
                if answer.status_code != 303:
                    return
                if checkout not in (None, answer.headers["Location"]):
                    answer.failure("a double click started a second checkout")
                    return
                checkout = answer.headers["Location"]
        self.client.get(checkout, name="stripe:checkout")
        with self.client.post(
            f"{checkout}/pay",
            data={"email": f"fan{self.me['user']}@load.test"},
            name="stripe:pay",
            allow_redirects=False,
            catch_response=True,
        ) as paid:
            if paid.status_code not in (302, 303):
                return
        log(
            "payments",
            {
                "session": checkout.rstrip("/").rsplit("/", 1)[-1],
                "token": token.group(1),
                "t": time.time(),
            },
        )
        self.page(paid.headers["Location"], "thanks")
