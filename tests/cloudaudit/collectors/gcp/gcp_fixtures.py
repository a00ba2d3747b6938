"""Test helpers on loopback: a denying proxy, free ports, environments and seeding clients."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cloudaudit.config import Environment

# Decides per request: an HTTP status (Google's error envelope) or (status, JSON body) to answer
# with instead of forwarding, or None to forward.
Deny = Callable[[str, str], "int | tuple[int, bytes] | None"]


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports nothing listens on (for 'endpoint down' tests)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class DenyingProxy:
    """Forwards to ``upstream`` on 127.0.0.1, answering Google's 403/404 envelope where ``deny`` says."""

    def __init__(self, upstream: str, deny: Deny) -> None:
        target = urlsplit(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                status = deny(self.command, self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if status is not None:
                    proxy.denied.append((self.command, self.path))
                    if isinstance(status, tuple):
                        status, payload = status
                    else:
                        payload = (b'{"error": {"code": %d, "message": "denied by test proxy", '
                                   b'"errors": [{"reason": "forbidden"}]}}' % status)
                    self._reply(status, {"Content-Type": "application/json"}, payload)
                    return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                kept = {k: v for k, v in answer.getheaders()
                        if k.lower() not in ("transfer-encoding", "content-length", "connection")}
                self._reply(answer.status, kept, data)
                conn.close()

            def _reply(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.denied: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> DenyingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def gcp_env(*, storage: str | None, bigquery: str | None, project: str = "th-dealer-analytics",
            country: str = "TH") -> Environment:
    return Environment(name="th-dealer-analytics", country=country, provider="gcp", project_id=project,
                       storage_endpoint=storage, bigquery_endpoint=bigquery)


def storage_seed_client(url: str, project: str = "th-dealer-analytics") -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project=project, credentials=AnonymousCredentials(),
                          client_options={"api_endpoint": url})


def bigquery_seed_client(url: str, project: str = "th-dealer-analytics") -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(project=project, credentials=AnonymousCredentials(),
                           client_options={"api_endpoint": url})
