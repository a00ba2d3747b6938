"""Google client exceptions → short, value-free reasons (``"getIamPolicy: Forbidden"``).

Google error messages can quote request bodies or resource contents, so a reason carries
the call's name and the status or exception class only, never ``str(exc)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Denials: the caller is known and refused, or has no usable credentials at all.
_DENIED = frozenset({"Forbidden", "Unauthorized", "PermissionDenied", "Unauthenticated",
                     "DefaultCredentialsError", "RefreshError"})


@functools.cache
def google_errors() -> tuple[type[BaseException], ...]:
    """What a failed Google call raises: API answers and exhausted retries (google-api-core),
    credentials (google-auth) and the transport under them (requests, sockets). Only these are
    mapped to reasons; anything else is a bug and reaches the per-resource guard (``collectors.guard``).

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

    errors: dict[str, str] = field(default_factory=dict)

    def read(self, key: str, call: str, fn: Callable[[], T]) -> T | None:
        """``fn()``, or None with ``errors[key] = "<call>: <status>"`` when it fails."""
        try:
            return fn()
        except google_errors() as exc:  # a failed call is recorded, never raised: one bad call
            self.errors[key] = reason(call, exc)  # must not end the environment's audit
            return None


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
