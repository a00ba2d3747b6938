"""What is new: critical FAIL findings open now that were not open on the previous run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cloudaudit.model import Finding, Severity, Status


@dataclass(frozen=True)
class OpenKey:
    check_id: str
    resource: str

    def text(self) -> str:
        return f"{self.check_id} {self.resource}"


def open_critical(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.status is Status.FAIL and f.severity is Severity.CRITICAL]


def keys(findings: Iterable[Finding]) -> set[str]:
    return {OpenKey(f.check_id, f.resource).text() for f in findings}


def new_since(findings: Sequence[Finding], previously_open: set[str] | None) -> list[Finding]:
    """Critical findings not open before; with no previous record every open one is new.

    >>> from cloudaudit.model import Category
    >>> f = Finding(country="JP", environment="e", provider="aws", service="s3", resource="s3://b",
    ...             location="x", check_id="aws_s3_pii_public", check="c", category=Category.PII_EXPOSURE,
    ...             severity=Severity.CRITICAL, status=Status.FAIL, detail="")
    >>> [x.resource for x in new_since([f], None)], new_since([f], {"aws_s3_pii_public s3://b"})
    (['s3://b'], [])
    """
    seen = previously_open or set()
    return sorted((f for f in open_critical(findings) if OpenKey(f.check_id, f.resource).text() not in seen),
                  key=lambda f: (f.resource, f.check_id))
