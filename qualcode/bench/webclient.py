"""A simulated coder for ``qualcode bench web``: one browser session against a running server.

Each coder signs in through the form (its own session cookie and CSRF token), then works as
the workbench script does: opens a document (the page, then its codings as JSON), applies codes
to spans measured in UTF-16 units (``start16``/``end16``, as a browser selection is), polls the
event log for other coders' changes, and now and then removes one of its own codings. Every
request is timed and checked; anything but the expected status is an error.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from qualcode.text.spans import Span, Utf16Index

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
LAST_EVENT = re.compile(r'"lastEventId":\s*(\d+)')
TIMEOUT = 60.0
# the mix of actions once a document is open: (kind, weight)
MIX = (("events", 35), ("apply", 30), ("remove", 12), ("codings", 13), ("page", 10))


CodingKey = tuple[int, int, int, int, int]  # document, code, coder, start, end: unique per coding


def coding_key(coding: dict[str, Any]) -> CodingKey:
    return (int(coding["document_id"]), int(coding["code_id"]), int(coding["coder_id"]),
            int(coding["start"]), int(coding["end"]))  # fmt: skip


@dataclass(frozen=True)
class BenchDocument:
    id: int
    index: Utf16Index
    answers: tuple[tuple[int, int], ...]  # respondents' turns: where coders select text


@dataclass
class Tally:
    """What every coder saw, shared between their threads."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    # what each coding became, by its key: only its own coder touches it, one request at a
    # time, so the last answer is its state (ids are no key: SQLite may reuse a removed one)
    outcome: dict[CodingKey, bool] = field(default_factory=dict)
    applied: int = 0
    removed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            if error is not None:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {error}")


class RequestFailed(Exception):
    pass


ERROR_PAGE = re.compile(r'class="error-message">([^<]*)<')


def _message(data: bytes) -> str:
    """What an error answer says: its JSON ``error``, the error page's message, or its start."""
    text = data.decode("utf-8", "replace")
    try:
        answer = json.loads(text)
    except ValueError:
        match = ERROR_PAGE.search(text)
        return match.group(1) if match else repr(text[:200])
    return str(answer.get("error", text[:200])) if isinstance(answer, dict) else text[:200]


class Browser:
    """An HTTP/1.1 connection with a cookie jar and the session's CSRF token.

    Like a browser, it resends a request once on a new connection when a kept-alive one turns
    out to have been closed by the server before it answered (the server closes idle
    connections after a few seconds, and the request may cross the close): the request never
    reached the application, so sending it again is safe."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.reused = False  # the connection has answered before: it may have gone stale
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.tally = tally

    def _exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        try:
            self.conn.request(method, path, body=body, headers=headers)
            return self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not self.reused:
                raise
            self.conn.close()
            self.reused = False
            self.conn.request(method, path, body=body, headers=headers)
            return self.conn.getresponse()

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: int = 200,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> bytes:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        if method not in ("GET", "HEAD"):
            headers["X-CSRF-Token"] = self.csrf
        started = time.perf_counter()
        error = None
        data = b""
        try:
            response = self._exchange(method, path, body, headers)
            data = response.read()
            self.reused = not response.will_close
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.status != expect:
                error = f"{method} {path}: {response.status} {_message(data)}"
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.reused = False
            error = f"{method} {path}: {type(exc).__name__}: {exc}"
        self.tally.record(kind, time.perf_counter() - started, error)
        if error is not None:
            raise RequestFailed(error)
        return data

    def json(
        self, kind: str, method: str, path: str, payload: Any = None, expect: int = 200
    ) -> Any:
        body = json.dumps(payload).encode() if payload is not None else None
        data = self.request(
            kind,
            method,
            path,
            expect=expect,
            body=body,
            content_type="application/json" if body else None,
        )
        return json.loads(data)

    def page(self, kind: str, path: str) -> str:
        html = self.request(kind, "GET", path).decode("utf-8")
        match = CSRF.search(html)
        if match:
            self.csrf = match.group(1)
        return html

    def sign_in(self, username: str, password: str) -> None:
        self.page("sign_in", "/login")
        form = urlencode({"username": username, "password": password, "csrf_token": self.csrf})
        self.request(
            "sign_in",
            "POST",
            "/login",
            expect=302,
            body=form.encode(),
            content_type="application/x-www-form-urlencoded",
        )


class Coder:
    """One simulated coder's session, run in its own thread until ``deadline``."""

    def __init__(
        self,
        port: int,
        slug: str,
        username: str,
        password: str,
        code_ids: Sequence[int],
        documents: Sequence[BenchDocument],
        tally: Tally,
        *,
        think: float,
        seed: int,
    ) -> None:
        self.browser = Browser(port, tally)
        self.slug, self.username, self.password = slug, username, password
        self.code_ids, self.documents, self.tally = code_ids, documents, tally
        self.think, self.rng = think, random.Random(seed)
        self.document = documents[0]
        self.last_event = 0
        self.mine: dict[int, CodingKey] = {}  # this coder's codings by id

    @property
    def api(self) -> str:
        return f"/api/p/{self.slug}"

    def sign_in(self, at: float) -> bool:
        """Sign in at the given moment; ``False`` if the server refused."""
        time.sleep(max(0.0, at - time.monotonic()))
        try:
            self.browser.sign_in(self.username, self.password)
        except RequestFailed:
            return False
        return True

    def run(self, start_at: float, deadline: float) -> None:
        """Work with the document open until ``deadline`` (signed in already)."""
        time.sleep(max(0.0, start_at - time.monotonic()))
        self.open()
        kinds = [kind for kind, _ in MIX]
        weights = [weight for _, weight in MIX]
        while time.monotonic() < deadline:
            if self.think:
                time.sleep(self.rng.uniform(0, 2 * self.think))
            kind = self.rng.choices(kinds, weights)[0]
            try:
                getattr(self, kind)()
            except RequestFailed:
                continue
        self.browser.conn.close()

    def open(self) -> None:
        """Open a document: its workbench page, then its codings as JSON."""
        self.document = self.rng.choice(self.documents)
        try:
            html = self.browser.page("page", f"/p/{self.slug}/documents/{self.document.id}")
            match = LAST_EVENT.search(html)
            self.last_event = int(match.group(1)) if match else 0
            self.codings()
        except RequestFailed:
            pass

    def page(self) -> None:
        self.open()

    def codings(self) -> None:
        self.browser.json("codings", "GET", f"{self.api}/documents/{self.document.id}/codings")

    def events(self) -> None:
        data = self.browser.json(
            "events", "GET", f"{self.api}/events?after={self.last_event}"
            f"&document_id={self.document.id}")  # fmt: skip
        self.last_event = int(data["last_id"])

    def apply(self) -> None:
        start, end = self.rng.choice(self.document.answers)
        a = self.rng.randrange(start, max(start + 1, end - 10))
        b = min(end, a + self.rng.randint(30, 300))
        start16, end16 = self.document.index.span_to_utf16(Span(a, b))
        payload = {"code_id": self.rng.choice(self.code_ids), "start16": start16, "end16": end16}
        coding = self.browser.json(
            "apply", "POST", f"{self.api}/documents/{self.document.id}/codings", payload,
            expect=201,
        )  # fmt: skip
        key = coding_key(coding)  # the same span coded twice answers with the existing coding
        self.mine[int(coding["id"])] = key
        with self.tally.lock:
            self.tally.outcome[key] = True
            self.tally.applied += 1

    def remove(self) -> None:
        if not self.mine:
            self.apply()
            return
        coding_id = self.rng.choice(sorted(self.mine))
        key = self.mine.pop(coding_id)
        self.browser.json("remove", "DELETE", f"{self.api}/codings/{coding_id}")
        with self.tally.lock:
            self.tally.outcome[key] = False
            self.tally.removed += 1


def warm_up(
    port: int,
    slug: str,
    username: str,
    password: str,
    documents: Sequence[BenchDocument],
    *,
    rounds: int = 2,
) -> Tally:
    """Open every document a few times before measuring, so that what is timed is the steady
    state (templates compiled, offset indexes built in each worker), not a cold start."""
    tally = Tally()
    browser = Browser(port, tally)
    browser.sign_in(username, password)
    for _ in range(rounds):
        for document in documents:
            browser.page("page", f"/p/{slug}/documents/{document.id}")
            browser.json("codings", "GET", f"/api/p/{slug}/documents/{document.id}/codings")
    browser.conn.close()
    return tally
