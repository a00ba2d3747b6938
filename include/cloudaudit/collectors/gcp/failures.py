"""Google client exceptions → short, value-free reasons (``"getIamPolicy: Forbidden"``).

Every call to a Google client (and every walk over its iterators) runs inside
``with google_call("<call>"):``, which turns what the call's failure can be into a
``CallFailed("<call>", "<status>")`` scoped to that call:

- a Google API, retry, auth or transport error (``google_errors()``): its status, e.g. ``Forbidden``;
- an answer the client could not parse (a missing key, a string where a list belongs), raised
  inside Google's own code: ``malformed answer (<Type>)``, logged as a warning;
- anything else, above all an exception raised by our own code, passes through unchanged to the
  per-resource guard (``collectors.guard``), which logs it as a bug.

Google error messages can quote request bodies or resource contents, so a reason carries
the call's name and the status or exception class only, never ``str(exc)``.
"""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from cloudaudit.errors import CallFailed

T = TypeVar("T")

log = logging.getLogger(__name__)

# What a client raises while turning a malformed answer into objects: a key missing, a value of
# the wrong type or one that does not parse. Only these, and only from Google's code, are the answer's fault.
_ANSWER_ERRORS: tuple[type[Exception], ...] = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError)
_CLIENT_PACKAGES = frozenset({"google", "proto"})  # google.cloud.*, google.api_core, proto-plus

# Denials: the caller is known and refused, or has no usable credentials at all.
_DENIED = frozenset({"Forbidden", "Unauthorized", "PermissionDenied", "Unauthenticated",
                     "DefaultCredentialsError", "RefreshError"})


@functools.cache
def google_errors() -> tuple[type[BaseException], ...]:
    """What a failed Google call raises: API answers and exhausted retries (google-api-core),
    credentials (google-auth) and the transport under them (requests, sockets). These, and answers
    the client could not parse (``google_call``), are mapped to reasons; anything else is a bug and
    reaches the per-resource guard (``collectors.guard``).

    ``except google_errors() as exc:`` (a function, so that Google's libraries load on first failure).
    """
    import requests
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as gauth

    return (gexc.GoogleAPIError, gauth.GoogleAuthError, requests.exceptions.RequestException, ConnectionError,
            TimeoutError)


def status_text(exc: BaseException) -> str:
    """The class of failure as the API names it: ``Forbidden``, ``NotFound``, ``ConnectionError``.

    ``RetryError`` (the retry deadline passed) names the last underlying failure.
    """
    from google.api_core import exceptions as gexc

    if isinstance(exc, gexc.RetryError):
        cause = exc.cause
        inner = status_text(cause) if cause is not None and cause is not exc else "no answer"
        return f"{inner} (retries exhausted)"
    name = type(exc).__name__
    if isinstance(exc, gexc.GoogleAPICallError) and name == "GoogleAPICallError" and exc.code:
        return f"HTTP {int(exc.code)}"
    return name


def raised_by_client(exc: BaseException) -> bool:
    """True when Google's client code raised ``exc`` (itself, or through the standard library it
    called, e.g. ``int()`` or ``datetime``): it met an answer it could not parse. False when the
    innermost frame outside the standard library is anyone else's: ours, or a test's stand-in.
    """
    for frame, _ in reversed(list(traceback.walk_tb(exc.__traceback__))):
        top = str(frame.f_globals.get("__name__", "")).partition(".")[0]
        if top not in sys.stdlib_module_names:
            return top in _CLIENT_PACKAGES
    return False


def malformed(exc: BaseException) -> str:
    """>>> malformed(KeyError("tableReference"))
    'malformed answer (KeyError)'
    """
    return f"malformed answer ({type(exc).__name__})"


@dataclass(frozen=True)
class GoogleCall:
    """``with google_call("getTable", uri):`` (see the module's docstring); never swallows an exception."""

    call: str
    resource: str = ""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            return
        if isinstance(exc, google_errors()):
            raise CallFailed(self.call, status_text(exc), denied=is_denied(exc)) from None
        if isinstance(exc, _ANSWER_ERRORS) and raised_by_client(exc):
            # The server's fault, not ours: a coverage entry and a warning, not a bug report.
            log.warning("%s%s: %s", self.call, f" {self.resource}" if self.resource else "", malformed(exc))
            raise CallFailed(self.call, malformed(exc)) from None
        # Anything else is a bug (ours or a library's): it propagates to the per-resource guard.


def google_call(call: str, resource: str = "") -> GoogleCall:
    """Scope a Google client call: its failure becomes ``CallFailed("<call>: <status>")``."""
    return GoogleCall(call, resource)


def reason(call: str, exc: BaseException) -> str:
    """``"<call>: <status>"``, the format of ``read_errors`` values and coverage reasons."""
    return f"{call}: {status_text(exc)}"


def is_denied(exc: BaseException) -> bool:
    """True when the failure is a refusal (403/401, no credentials), not an outage."""
    from google.api_core import exceptions as gexc

    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return is_denied(exc.cause)
    return type(exc).__name__ in _DENIED


@dataclass
class Reads:
    """Collects ``read_errors`` for one resource while its configuration is read."""

    resource: str = ""  # named in the warning a malformed answer logs
    errors: dict[str, str] = field(default_factory=dict)

    def read(self, key: str, call: str, fn: Callable[[], T]) -> T | None:
        """``fn()`` within ``google_call(call)``, or None with ``errors[key] = "<call>: <status>"``."""
        try:
            with google_call(call, self.resource):
                value = fn()
        except CallFailed as exc:  # a failed call is recorded, never raised: one bad call
            self.errors[key] = str(exc)  # must not end the environment's audit
            return None
        return value


@dataclass
class ServiceRead:
    """What one service yielded: its resources, and environment-level gaps (a listing cut at a limit)."""

    resources: list[Any] = field(default_factory=list)  # cloudaudit.model.Resource
    gaps: dict[str, str] = field(default_factory=dict)  # → Collected.account_read_errors


def limit_gap(call: str, limit: int) -> str:
    """>>> limit_gap("listBuckets", 5000)
    'listBuckets: stopped at max_resources (5000)'
    """
    return f"{call}: stopped at max_resources ({limit})"
