"""Facts rows shared by every provider: PII rows, sample state, three-valued logic.

A fact is ``True``/``False`` when the configuration was read, ``None`` when it could not
be (the check is then NOT_ASSESSED, never PASS).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from cloudaudit.model import CoverageStatus, PiiType, Resource, SampleResult

SAMPLE_READ = "read"  # at least one object (or the table's rows) was sampled
SAMPLE_EMPTY = "empty"  # nothing to sample: no objects, no rows


def any_true(*values: bool | None) -> bool | None:
    """Three-valued OR: True if any is True, False if all are False, else unknown.

    >>> any_true(False, None), any_true(True, None), any_true(False, False)
    (None, True, False)
    """
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None


def join(items: Iterable[str]) -> str:
    """Sorted, de-duplicated, comma-separated."""
    return ", ".join(sorted(set(items)))


def unreadable(resource: Resource, keys: Collection[str] | None = None) -> str:
    """What could not be read, as ``key: operation: code`` (never a message body)."""
    errors = resource.read_errors
    chosen = sorted(k for k in errors if keys is None or k in keys)
    parts = [f"{k}: {errors[k]}" for k in chosen]
    if not parts and resource.status is CoverageStatus.NOT_ASSESSED:
        parts.append(resource.reason or "resource could not be read")
    return "; ".join(parts)


def config_value(resource: Resource, key: str) -> tuple[bool, object]:
    """(readable, value) of a configuration key: absent or in read_errors → unreadable."""
    if key in resource.read_errors or key not in resource.config:
        return False, None
    return True, resource.config[key]


def location_of(resource: Resource) -> str | None:
    """The resource's location in lower case, or None when it could not be read."""
    if "location" in resource.read_errors:
        return None
    value = resource.config.get("location") or resource.location
    return str(value).casefold() if value else None


def sample_state(resource: Resource) -> str | None:
    """``read``, ``empty`` or None when the data could not be sampled (PII unknown)."""
    if resource.status is CoverageStatus.NOT_ASSESSED:
        return None
    if any(s.status is CoverageStatus.ASSESSED for s in resource.samples):
        return SAMPLE_READ
    if resource.samples:  # every sample was skipped or unreadable
        return None
    if resource.status is CoverageStatus.PARTIAL:  # sampling itself was skipped
        return None
    return SAMPLE_EMPTY


@dataclass(frozen=True)
class PiiFacts:
    """One PII type in one field of a sampled object or table, with the exposure of what holds it.

    ``resource`` is the bucket or table holding the data (what PII findings name);
    ``object`` is what was sampled (equal to ``resource`` for a table).
    """

    fact_id: int
    environment: str
    resource: str
    object: str
    field: str
    pii_type: PiiType  # one row per type: a field holding two types is two rows
    rows_sampled: int
    matches: int
    masked_example: str
    location: str | None
    public: bool | None  # readable by anyone (a grant that only lets anyone write does not count)
    public_via: str  # what makes it readable by anyone ("bucket ACL", "object ACL", ...)
    public_without_read: str = ""  # public grants that read no data ("bucket policy statement X (s3:PutObject)")


class Exposure(NamedTuple):
    """Whether a sample's data is readable by anyone, through what, and public grants that do not read."""

    public: bool | None
    via: str = ""
    without_read: str = ""


def pii_rows(environment: str, container: str, location: str | None, samples: Iterable[SampleResult],
             exposure: Callable[[SampleResult], Exposure]) -> list[PiiFacts]:
    """One PiiFacts per (sampled object, field, PII type); ``exposure`` judges each sample."""
    out: list[PiiFacts] = []
    for sample in samples:
        if not sample.fields:  # also a PARTIAL sample's fields count: PII found is PII held
            continue
        public, via, without_read = exposure(sample)
        for field_result in sample.fields:
            for match in sorted(field_result.pii, key=lambda m: m.pii_type.value):
                out.append(PiiFacts(
                    fact_id=0, environment=environment, resource=container, object=sample.resource,
                    field=field_result.field, pii_type=match.pii_type,
                    rows_sampled=field_result.rows_sampled, matches=match.matches,
                    masked_example=match.masked_example, location=location, public=public, public_via=via,
                    public_without_read=without_read))
    return out


def pii_types_of(value: str) -> tuple[PiiType, ...]:
    """``"ADDRESS, VIN"`` → ``(PiiType.ADDRESS, PiiType.VIN)``, sorted."""
    return tuple(sorted({PiiType(p.strip()) for p in value.split(",") if p.strip()}))
