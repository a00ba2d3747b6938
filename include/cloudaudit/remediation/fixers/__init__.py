"""The remediation's only cloud I/O: read a resource's state, write a new one.

``Current`` is what a read returns: the state as JSON (compared and recorded) and the
provider's own object (an IAM policy with its etag, a dataset) that the write changes, so a
write is made against exactly the version that was compared. Every failed call raises
``CallFailed`` (``"<call>: <code>"``), never with a message body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from cloudaudit.remediation.model import FixKind


@dataclass(frozen=True)
class Current:
    state: dict[str, Any]
    handle: Any = None


class Fixer(Protocol):
    def read(self, kind: FixKind, resource: str) -> Current: ...

    def notes(self, kind: FixKind, resource: str) -> tuple[str, ...]:
        """What this resource in particular would lose (a website it serves); read only, never raises."""
        ...

    def write(self, kind: FixKind, resource: str, current: Current, after: dict[str, Any]) -> None: ...
