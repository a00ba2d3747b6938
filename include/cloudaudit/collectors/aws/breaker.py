"""Stop sending requests to an endpoint that stopped answering in the middle of a run.

Every call already waits out botocore's timeouts and retries; without a breaker, an endpoint
that dies after ``ListBuckets`` would cost that wait for every remaining call of every bucket.
The breaker watches every attempt of every client of one environment (botocore's
``needs-retry`` event) and, after ``threshold`` transport failures in a row, fails each further
attempt at once (``before-send``) with ``EndpointStoppedAnswering``. Calls then end in
``read_errors`` such as ``"GetBucketAcl: EndpointStoppedAnswering"``, as quickly as they fail.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError

DEFAULT_THRESHOLD = 20  # attempts, i.e. about four calls that exhausted their retries


class EndpointStoppedAnswering(BotoConnectionError):  # type: ignore[misc]  # botocore ships no types
    """Raised instead of sending a request once the breaker is open."""

    fmt = "The endpoint stopped answering; no further request is sent to it"


class Breaker:
    """Counts consecutive transport failures across threads; any answer from the server resets it."""

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._lock = threading.Lock()
        self._failures_in_a_row = 0
        self._open = False

    @property
    def open(self) -> bool:
        return self._open

    def observe(self, response: Any = None, caught_exception: BaseException | None = None, **_: Any) -> None:
        """``needs-retry`` handler: record one attempt's outcome. Returns None: retries are not its business."""
        if isinstance(caught_exception, EndpointStoppedAnswering):
            return
        transport_failed = isinstance(caught_exception, BotoConnectionError | HTTPClientError)
        with self._lock:
            if transport_failed:
                self._failures_in_a_row += 1
                if self._failures_in_a_row >= self.threshold:
                    self._open = True
            elif response is not None:
                self._failures_in_a_row = 0

    def guard(self, **_: Any) -> None:
        """``before-send`` handler: fail at once while open."""
        if self._open:
            raise EndpointStoppedAnswering()

    def attach(self, client: Any) -> None:
        """Watch and guard every request ``client`` sends."""
        client.meta.events.register("needs-retry", self.observe)
        client.meta.events.register_first("before-send", self.guard)
