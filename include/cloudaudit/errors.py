"""Every exception cloudaudit raises on purpose, in one tree.

    CloudauditError
    ├── ConfigError        inventory, policy or setting invalid or missing; names the file or variable
    ├── CollectError       raised inside collectors only; becomes a coverage entry at their edge
    │   ├── AccessDenied   the cloud refused a call, or no usable credentials
    │   ├── Unreachable    the endpoint could not be reached or timed out
    │   ├── CallFailed     one cloud call failed: ``"<call>: <status>"`` (AWS code, Google status,
    │   │                  or ``malformed answer (<Type>)``)
    │   └── SampleSkipped  unsupported, corrupt or over a limit: the reason is the message
    ├── EvidenceError      an evidence bundle cannot be built or read (`cloudaudit verify` exits 2)
    │   └── BundleInvalid  hashes or signature do not hold (`cloudaudit verify` exits 1)
    └── EstateError        the demo estate cannot be started or stopped, or its records are unusable

Messages carry identifiers and reasons, never data values. Failures of the cloud's own
libraries (botocore, google-api-core) are mapped to ``CollectError`` subclasses at the
collectors' edge; anything else is a bug and is logged as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class CloudauditError(Exception):
    """Base of every error cloudaudit raises on purpose."""


class ConfigError(CloudauditError):
    """Raised when an inventory, policy or setting is missing or malformed."""


class CollectError(CloudauditError):
    """Raised inside collectors when a resource or sample cannot be read."""


class AccessDenied(CollectError):
    """Raised when the cloud denies a call."""


class Unreachable(CollectError):
    """Raised when an endpoint cannot be reached or times out."""


class CallFailed(CollectError):
    """Raised when one cloud call could not be read; the message is ``"<Operation>: <Code>"``.

    ``transport``: the endpoint was not reached (AWS); ``denied``: the call was refused (GCP).
    """

    def __init__(self, operation: str, code: str, *, transport: bool = False, denied: bool = False) -> None:
        super().__init__(f"{operation}: {code}")
        self.operation = operation
        self.code = code
        self.transport = transport
        self.denied = denied


class SampleSkipped(CollectError):
    """Raised when a sample is unsupported, corrupt or over a limit; the message is the reason."""


class EvidenceError(CloudauditError):
    """Raised when an evidence bundle cannot be built or read."""


class BundleInvalid(EvidenceError):
    """Raised when a bundle's hashes or signature do not hold."""


class EstateError(CloudauditError):
    """Raised when the demo estate cannot be started, or its state directory is unusable."""


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as the user wrote it: ``environments[2].country``.

    >>> field_path(("environments", 2, "country"))
    'environments[2].country'
    >>> field_path(("severity", "function-after[_check()]", "aws_s3_pii_public"))
    'severity.aws_s3_pii_public'
    >>> field_path(("countries", "UK", "[key]"))
    'countries.UK'
    >>> field_path(())
    '(top level)'
    """
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):  # a list index (a YAML key may be a bool)
            out += f"[{part}]"
        elif str(part).startswith(("function-", "constrained-")) or part == "[key]":
            continue  # validator wrappers pydantic adds, and its marker for "the mapping key itself"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(field path, problem) for every error, never the offending input.

    pydantic's "Value error, " prefix on our own validators' messages is dropped: it names the
    Python exception, not the problem.
    """
    return [(field_path(tuple(err["loc"])), str(err["msg"]).removeprefix("Value error, "))
            for err in exc.errors(include_input=False, include_url=False)]


def validation_message(source: Path | str, exc: ValidationError) -> str:
    """``"<source>: <field path>: <problem>; ..."``: every problem, never the offending input."""
    return f"{source}: " + "; ".join(f"{where}: {what}" for where, what in validation_problems(exc))
