"""A Nominatim stand-in on 127.0.0.1: real HTTP for geopy to talk to, with the answer chosen per request.

    stub.reply = StubReply.match(59.437, 24.754)          # every request from now on
    stub.queue(StubReply.status(429), StubReply.empty())  # the next two requests, then stub.reply again
    stub.reply = StubReply.match(59.437, 24.754).held()   # answers wait until stub.release()

Each request is recorded (path, query parameters, User-Agent, arrival time on the monotonic clock).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class StubReply:
    status: int = 200
    body: bytes = b"[]"
    content_type: str = "application/json"
    delay: float = 0.0  # seconds to wait before answering
    on_hold: bool = False  # answer only once the test calls stub.release() (or the stub closes: no answer)

    @classmethod
    def payload(cls, payload: Any, *, status: int = 200, delay: float = 0.0) -> StubReply:
        return cls(status=status, body=json.dumps(payload).encode(), delay=delay)

    @classmethod
    def match(
        cls,
        latitude: float,
        longitude: float,
        *,
        addresstype: str | None = "city",
        place_rank: int = 16,
        **extra: Any,
    ) -> StubReply:
        """One result in Nominatim's format=json shape (coordinates are strings there)."""
        place = {
            "place_id": 1,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
            "lat": str(latitude),
            "lon": str(longitude),
            "display_name": "Stub place",
            "class": "place",
            "type": addresstype or "unknown",
            "place_rank": place_rank,
            "importance": 0.5,
            **extra,
        }
        if addresstype is not None:
            place["addresstype"] = addresstype
        return cls.payload([place])

    @classmethod
    def empty(cls) -> StubReply:
        return cls.payload([])

    @classmethod
    def slow(cls, seconds: float) -> StubReply:
        return cls.payload([], delay=seconds)

    def held(self) -> StubReply:
        """This reply, sent only when the test says so: "while the provider answers" without a clock."""
        return replace(self, on_hold=True)

    @classmethod
    def error(cls, status: int) -> StubReply:
        return cls(status=status, body=b'{"error": {"code": %d, "message": "stub"}}' % status)

    @classmethod
    def html(cls) -> StubReply:
        return cls(
            body=b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>", content_type="text/html"
        )


@dataclass(frozen=True)
class StubRequest:
    path: str
    params: dict[str, str]
    user_agent: str
    at: float  # time.monotonic() on arrival


@dataclass
class NominatimStub:
    reply: StubReply = field(default_factory=StubReply.empty)
    requests: list[StubRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queued: deque[StubReply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll keeps shutdown (every test's teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def domain(self) -> str:
        """What GEOCODER_DOMAIN needs: "127.0.0.1:PORT"."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def release(self) -> None:
        """Send the held replies (and answer later ones at once)."""
        self._released.set()

    def queue(self, *replies: StubReply) -> None:
        with self._lock:
            self._queued.extend(replies)

    def __enter__(self) -> NominatimStub:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()  # wakes slow replies so no handler outlives the test
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self, request: StubRequest) -> StubReply:
        with self._lock:
            self.requests.append(request)
            return self._queued.popleft() if self._queued else self.reply


def _handler_for(stub: NominatimStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            reply = stub._next(
                StubRequest(
                    path=url.path,
                    params=dict(parse_qsl(url.query)),
                    user_agent=self.headers.get("User-Agent", ""),
                    at=time.monotonic(),
                )
            )
            if reply.delay and stub._closing.wait(reply.delay):
                return
            if reply.on_hold:
                while not stub._released.wait(0.05):
                    if stub._closing.is_set():
                        return
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", f"{reply.content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): that is the point of a slow reply

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler
