"""Loopback ports and readiness probes for the estate's emulators."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

LOOPBACK = "127.0.0.1"

# Ports below 1024 cannot be bound without privileges and nothing listens on 1: a connection
# there is refused at once, which is what an unreachable environment should look like.
CLOSED_PORT = 1


def free_port(host: str = LOOPBACK) -> int:
    """A port the kernel reports free on ``host`` right now (the emulator binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def is_listening(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_ready(url: str, timeout: float = 1.0) -> bool:
    """True when ``url`` answers HTTP at all: any status code means the server is up."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):  # loopback URLs only
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until(probe: Callable[[], bool], *, deadline_s: float, interval_s: float = 0.1,
               give_up: Callable[[], bool] | None = None) -> bool:
    """Poll ``probe`` until it holds or ``deadline_s`` passes; stop early when ``give_up`` holds."""
    end = time.monotonic() + deadline_s
    while True:
        if probe():
            return True
        if give_up is not None and give_up():
            return False
        if time.monotonic() >= end:
            return False
        time.sleep(interval_s)
