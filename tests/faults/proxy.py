"""A loopback HTTP proxy that forwards to an emulator and answers chosen requests with a fault.

Rules are tried in order; the first whose ``match`` accepts a request and has uses left decides
it (``times=None``: every matching request). Faults: an HTTP status with a body (an AWS or
Google error envelope), garbage with 200, a hang (the connection is accepted and never
answered, until the proxy stops), a closed connection, a body cut short of its
Content-Length, and a body that stalls halfway. Every request is recorded (method, path with query, body), whatever happened
to it, so tests count attempts and check that only reads were sent.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HANG = "hang"
CLOSE = "close"
TRUNCATE = "truncate"
STALL = "stall"  # headers and half the body sent, then nothing more until the proxy stops
# Injected error messages quote this, as real ones can quote request values: it must never
# reach a snapshot, a reason or a log.
CANARY = "canary.quoted.value@example.com"


@dataclass(frozen=True)
class Seen:
    """One request as the proxy received it."""

    method: str
    path: str  # with its query string
    body: bytes = b""

    @property
    def query(self) -> str:
        return urlsplit(self.path).query

    @property
    def route(self) -> str:
        return urlsplit(self.path).path


@dataclass(frozen=True)
class Reply:
    """A canned answer: status, body and content type."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


Fault = Reply | str  # a Reply, or HANG / CLOSE / TRUNCATE


@dataclass
class Rule:
    match: Callable[[Seen], bool]
    fault: Fault
    times: int | None = None  # None: every matching request
    hits: list[Seen] = field(default_factory=list)

    def takes(self, seen: Seen) -> bool:
        return (self.times is None or len(self.hits) < self.times) and self.match(seen)


def aws_error(status: int, code: str) -> Reply:
    """An S3/S3 Control style XML error (STS's envelope differs, botocore reads both codes)."""
    body = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
            f"<Message>denied for {CANARY}</Message><RequestId>fault</RequestId></Error>").encode()
    return Reply(status, body, "application/xml")


def sts_error(status: int, code: str) -> Reply:
    body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>denied for {CANARY}</Message>"
            f"</Error><RequestId>fault</RequestId></ErrorResponse>").encode()
    return Reply(status, body, "text/xml")


def google_error(status: int, reason: str = "forbidden") -> Reply:
    body = {"error": {"code": status, "message": f"denied for {CANARY}",
                      "errors": [{"reason": reason, "message": f"denied for {CANARY}"}]}}
    return Reply(status, json.dumps(body).encode())


_HOP_HEADERS = frozenset({"transfer-encoding", "content-length", "connection", "keep-alive"})


class FaultProxy:
    """Forwards to ``upstream`` (an http:// URL on loopback) unless a rule injects a fault."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        if target.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("the fault proxy forwards to loopback only")
        self.rules: list[Rule] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, body)
                fault = proxy._decide(seen)
                if fault is None or fault in (TRUNCATE, STALL):
                    self._forward(seen, cut=fault)
                elif fault == HANG:
                    proxy._stopping.wait()  # accepted, never answered
                    self.close_connection = True
                elif fault == CLOSE:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                else:
                    assert isinstance(fault, Reply)
                    self._reply(fault.status, {"Content-Type": fault.content_type, **dict(fault.headers)},
                                fault.body)

            def _forward(self, seen: Seen, *, cut: Fault | None) -> None:
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                headers["Host"] = target.netloc
                conn.request(seen.method, seen.path, body=seen.body or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                kept = {k: v for k, v in answer.getheaders() if k.lower() not in _HOP_HEADERS}
                if cut is not None and len(data) > 1:
                    self.send_response(answer.status)
                    for key, value in kept.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))  # the promise is broken below
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    if cut == STALL:
                        proxy._stopping.wait()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._reply(answer.status, kept, data, head=seen.method == "HEAD",
                            length=answer.getheader("Content-Length"))

            def _reply(self, status: int, headers: dict[str, str], payload: bytes, *, head: bool = False,
                       length: str | None = None) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", length if head and length else str(len(payload)))
                self.end_headers()
                if not head:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def _decide(self, seen: Seen) -> Fault | None:
        with self._lock:
            self.seen.append(seen)
            for rule in self.rules:
                if rule.takes(seen):
                    rule.hits.append(seen)
                    return rule.fault
        return None

    def inject(self, match: Callable[[Seen], bool], fault: Fault, times: int | None = None) -> Rule:
        rule = Rule(match, fault, times)
        with self._lock:
            self.rules.append(rule)
        return rule

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()
            self.seen.clear()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class Blackhole:
    """A loopback socket that accepts connections and never answers; counts the connections."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)  # held open, never read, never answered

    @property
    def connections(self) -> int:
        return len(self._held)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> Blackhole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self._sock.close()


def refused_url() -> str:
    """A loopback URL nothing listens on (the port is bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
