"""Google's JSON error envelope, so clients raise the same exceptions as against Google.

``google.api_core.exceptions.from_http_response`` maps the HTTP status to ``NotFound``,
``Conflict``, ``BadRequest``...; the body's ``errors[].reason`` is what callers inspect.
Messages name resources and fields only, never row values (rows may hold personal data).
"""

from __future__ import annotations

from typing import Any

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    411: "LENGTH_REQUIRED",
    412: "FAILED_PRECONDITION",
    413: "OUT_OF_RANGE",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
}


class ApiError(Exception):
    """An error answered to the client as ``{"error": {...}}`` with an HTTP status."""

    def __init__(self, code: int, reason: str, message: str, *, status: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.status = status or _STATUS_NAMES.get(code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        """The response body Google sends for this error."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
                "status": self.status,
            }
        }


def not_found(what: str) -> ApiError:
    """404, e.g. ``not_found("Dataset p:d")`` → ``Not found: Dataset p:d``."""
    return ApiError(404, "notFound", f"Not found: {what}")


def duplicate(what: str) -> ApiError:
    """409 for an insert of something that exists."""
    return ApiError(409, "duplicate", f"Already Exists: {what}")


def invalid(message: str) -> ApiError:
    """400 for a request Google would refuse as invalid."""
    return ApiError(400, "invalid", message)


def precondition_failed(what: str) -> ApiError:
    """412 when an ``If-Match`` etag no longer matches."""
    return ApiError(412, "conditionNotMet", f"Precondition check failed for {what}")


def not_implemented(call: str) -> ApiError:
    """501 for a real BigQuery call that this emulator does not serve."""
    return ApiError(
        501, "notImplemented", f"The cloudaudit BigQuery emulator does not support {call}"
    )
