"""One AWS call → its response, ``None`` for "not set", or a ``CallFailed`` naming the code.

The reason a call failed is always ``"<Operation>: <ErrorCode>"`` (or the botocore exception's
class name for transport errors): never the message body, which can quote request values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from cloudaudit.errors import AccessDenied, CallFailed, Unreachable

# The cloud answers "not configured" with an error; that absence is a fact, not a failed read.
ABSENT_CODES = frozenset({
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "OwnershipControlsNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchWebsiteConfiguration",
})

# The endpoint could not be reached or did not answer in time (after botocore's retries).
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (BotoConnectionError, HTTPClientError)


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError (its HTTP status when the body had none)."""
    error = exc.response.get("Error") or {}
    code = error.get("Code")
    if code:
        return str(code)
    status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return f"HTTP{status}" if status else "UnknownError"


def aws_call(operation: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """Run ``call``; ``None`` when AWS says the configuration is absent.

    Raises ``CallFailed`` for every other error, with the error code only.
    """
    try:
        return call()
    except ClientError as exc:
        code = error_code(exc)
        if code in ABSENT_CODES:
            return None
        raise CallFailed(operation, code) from None
    except TRANSPORT_ERRORS as exc:
        raise CallFailed(operation, type(exc).__name__, transport=True) from None
    except BotoCoreError as exc:
        raise CallFailed(operation, type(exc).__name__) from None
    except Exception as exc:  # a response botocore's own handlers choke on (GetBucketLocation's XML
        # parser raises ParseError): this call failed, not the whole bucket. The type only: the
        # message can quote the response.
        raise CallFailed(operation, type(exc).__name__) from None


def environment_call(operation: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A call without which the environment cannot be read at all (AssumeRole, ListBuckets...).

    Raises ``Unreachable`` for transport errors and ``AccessDenied`` for anything else.
    """
    try:
        return aws_call(operation, call) or {}
    except CallFailed as exc:
        raise (Unreachable if exc.transport else AccessDenied)(str(exc)) from None


class ConfigReader:
    """Collects configuration keys of one resource: read values in ``config``, failures in ``read_errors``."""

    def __init__(self) -> None:
        self.config: dict[str, Any] = {}
        self.read_errors: dict[str, str] = {}

    def read(self, key: str, operation: str, call: Callable[[], dict[str, Any]],
             extract: Callable[[dict[str, Any] | None], Any]) -> None:
        """Store ``extract(response)`` under ``key``, or the failure reason in ``read_errors``."""
        try:
            self.config[key] = extract(aws_call(operation, call))
        except CallFailed as exc:
            self.read_errors[key] = str(exc)
