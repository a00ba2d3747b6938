"""The project's BigQuery emulator: the v2 REST API that our checks read, in memory, stdlib only.

Any client seeds it through the standard calls and reads it back as from Google::

    with BigQueryEmulator() as emulator:
        client = bigquery.Client(project="p", credentials=AnonymousCredentials(),
                                 client_options={"api_endpoint": emulator.url})

Served: datasets (insert/get/list/patch/update/delete, access entries and location kept),
tables (schemas with ``policyTags`` at any depth, views), table IAM policies,
``tabledata.insertAll`` and ``tabledata.list`` with paging, load jobs from uploads
(multipart and resumable; CSV, newline-delimited JSON, and Parquet when pyarrow is there)
and copy jobs. Anything else (queries, Cloud Storage loads, routines, models) answers 501
naming the call. ``docs/bigquery_emulator.md`` lists the calls and where we differ from Google.

Why our own: the emulators on the package index drop ``policyTags`` and have no table
IAM, which are exactly what ``gcp_bq_pii_column_untagged`` and ``gcp_bq_table_public`` read.

Run alone with ``python -m cloudaudit_demo.estate.bigquery_emulator --port 9050`` (or
``cloudaudit estate serve bigquery``). Requests are logged at DEBUG only, and never their
bodies: rows may hold personal data.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import logging
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cloudaudit_demo.estate.bigquery.errors import ApiError
from cloudaudit_demo.estate.bigquery.jobs import UploadSessions
from cloudaudit_demo.estate.bigquery.routes import Request, Response, dispatch
from cloudaudit_demo.estate.bigquery.store import Store

log = logging.getLogger(__name__)

DEFAULT_PORT = 9050
MAX_BODY_BYTES = 256 * 1024 * 1024


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open keep-alive connections must not hold up stop()
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: Store, uploads: UploadSessions) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.store = store
        self.uploads = uploads
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every kept-alive connection, so that nothing is served once stopped."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client pages through thousands of rows
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: _Server
    server_version = "cloudaudit-bigquery-emulator"

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        try:
            response = self._answer()
        except Exception as exc:  # a bug must not kill the connection silently, nor leak values
            log.warning("internal error on %s %s: %s", self.command, urlsplit(self.path).path, type(exc).__name__)
            # Not Google's retryable "internalError": a bug would make clients retry for minutes.
            response = Response(500, ApiError(500, "emulatorError", f"Internal error in the emulator ({type(exc).__name__})").body())
        self._send(response)

    def _answer(self) -> Response:
        try:
            body = self._read_body()
        except ApiError as error:
            self.close_connection = True
            return Response(error.code, error.body())
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(self.headers.items()),
            body=body,
            base_url=f"http://{host}",
        )
        return dispatch(self.server.store, self.server.uploads, request)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ApiError(413, "requestTooLarge", "Request body is too large for the emulator")
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        data = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline()
            if len(data) > MAX_BODY_BYTES:
                raise ApiError(413, "requestTooLarge", "Request body is too large for the emulator")

    def _send(self, response: Response) -> None:
        payload = b""
        if response.body is not None and response.status not in (204, 308):
            payload = json.dumps(response.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(response.status)
        if payload:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        # Only the request line (method, path, status) and at DEBUG: paths carry resource ids, never rows.
        log.debug("%s " + format, self.address_string(), *args)


class BigQueryEmulator:
    """An in-memory BigQuery v2 REST endpoint on a background thread.

    ``port=0`` picks a free port; ``url`` tells which. Non-loopback hosts are refused unless
    ``allow_non_loopback`` (the emulator has no authentication at all).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, allow_non_loopback: bool = False) -> None:
        if not allow_non_loopback and not is_loopback(host):
            raise ValueError(f"refusing to serve on non-loopback host {host!r}: the emulator has no authentication")
        self.host = host
        self.requested_port = port
        self.store = Store()
        self.uploads = UploadSessions()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://HOST:PORT``: the ``api_endpoint`` for google-cloud-bigquery."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> BigQueryEmulator:
        """Bind and serve on a daemon thread; answers the emulator itself."""
        if self._server is not None:
            raise RuntimeError("the emulator is already started")
        self._server = _Server((self.host, self.requested_port), self.store, self.uploads)
        self.store.base_url = f"{self.url}/bigquery/v2"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"bigquery-emulator-{self.port}", daemon=True,
        )
        self._thread.start()
        log.debug("BigQuery emulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> BigQueryEmulator:
        return self.start() if self._server is None else self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def serve(host: str, port: int, *, allow_non_loopback: bool = False) -> int:
    """Run an empty emulator in the foreground until SIGINT or SIGTERM; 0 on a clean stop.

    Prints ``BigQuery emulator listening on http://HOST:PORT`` to stderr once it accepts
    connections. Answers 2 for a refused host and 1 when the port cannot be bound.
    """
    try:
        emulator = BigQueryEmulator(host, port, allow_non_loopback=allow_non_loopback).start()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr, flush=True)
        return 1
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    print(f"BigQuery emulator listening on {emulator.url}", file=sys.stderr, flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        emulator.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("BigQuery emulator stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cloudaudit_demo.estate.bigquery_emulator [--host H] [--port N]``."""
    parser = argparse.ArgumentParser(prog="python -m cloudaudit_demo.estate.bigquery_emulator",
                                     description="Serve the cloudaudit BigQuery emulator in the foreground.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port (printed on stderr)")
    parser.add_argument("--allow-non-loopback", action="store_true", help="serve on a non-loopback address (no auth!)")
    parser.add_argument("--verbose", action="store_true", help="log each request line (never bodies) at DEBUG")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(args.host, args.port, allow_non_loopback=args.allow_non_loopback)


if __name__ == "__main__":
    sys.exit(main())
