"""Snapshots + facts → the rows of the sheets other than Findings: Coverage, PII Inventory, Resources.

Coverage says what could be read (and why not); the PII Inventory lists every PII type found
in a sampled field; Resources lists every bucket, dataset and table with its exposure.
``checks.findings`` turns NOT_ASSESSED coverage rows into ``coverage_not_assessed`` findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit.checks.common.rows import location_of, unreadable
from cloudaudit.checks.facts import Facts
from cloudaudit.model import (
    CoverageRow,
    CoverageStatus,
    PiiInventoryRow,
    Resource,
    ResourceRow,
    SampleResult,
    Service,
    Snapshot,
)

# ---- coverage ----------------------------------------------------------------------------


def _skipped_summary(samples: Sequence[SampleResult]) -> str:
    skipped = Counter(s.reason or s.status.value.lower() for s in samples if s.status is not CoverageStatus.ASSESSED)
    if not skipped:
        return ""
    total = sum(skipped.values())
    reasons = ", ".join(f"{reason} ({n})" for reason, n in sorted(skipped.items()))
    return f"{total} of {len(samples)} samples skipped: {reasons}"


def resource_coverage(resource: Resource) -> tuple[CoverageStatus, str]:
    """Coverage of a bucket, dataset or table: its configuration first, then its samples."""
    own_samples = [s for s in resource.samples if s.resource == resource.resource]
    own_failed = [s for s in own_samples if s.status is CoverageStatus.NOT_ASSESSED]
    if resource.status is CoverageStatus.NOT_ASSESSED or resource.read_errors:
        return CoverageStatus.NOT_ASSESSED, unreadable(resource)
    if own_failed:
        return CoverageStatus.NOT_ASSESSED, f"data sample: {own_failed[0].reason or 'could not be read'}"
    reason = "; ".join(r for r in (resource.reason, _skipped_summary(resource.samples)) if r)
    if resource.status is CoverageStatus.PARTIAL or reason:
        return CoverageStatus.PARTIAL, reason
    return CoverageStatus.ASSESSED, ""


def _service_of(snapshot: Snapshot) -> str:
    return Service.S3.value if snapshot.environment.provider.value == "aws" else ""


def coverage_rows(country: str, snapshots: Sequence[Snapshot]) -> list[CoverageRow]:
    """Coverage sheet: environments that could not be read, each resource, unreadable samples."""
    out: list[CoverageRow] = []
    for snapshot in snapshots:
        env = snapshot.environment
        base = {"country": country, "environment": env.name, "provider": env.provider.value}
        if snapshot.status is CoverageStatus.NOT_ASSESSED:
            out.append(CoverageRow(**base, service=_service_of(snapshot), resource=env.name,
                                   status=CoverageStatus.NOT_ASSESSED,
                                   reason=snapshot.reason or "environment could not be read",
                                   objects_sampled=0, rows_sampled=0))
            continue
        if snapshot.account_read_errors:
            reason = "; ".join(f"account {k}: {v}" for k, v in sorted(snapshot.account_read_errors.items()))
            out.append(CoverageRow(**base, service=_service_of(snapshot), resource=env.name,
                                   status=CoverageStatus.NOT_ASSESSED, reason=reason,
                                   objects_sampled=0, rows_sampled=0))
        for resource in snapshot.resources:
            status, reason = resource_coverage(resource)
            out.append(CoverageRow(**base, service=resource.service.value, resource=resource.resource,
                                   status=status, reason=reason, objects_sampled=resource.objects_sampled,
                                   rows_sampled=resource.rows_sampled))
            for sample in resource.samples:
                if sample.resource == resource.resource:
                    continue
                if sample.status is CoverageStatus.NOT_ASSESSED:
                    why = sample.reason or "could not be read"
                elif sample.read_errors:  # data read, but its own configuration (ACL) was not
                    why = "; ".join(f"{k}: {v}" for k, v in sorted(sample.read_errors.items()))
                else:
                    continue
                out.append(CoverageRow(**base, service=resource.service.value, resource=sample.resource,
                                       status=CoverageStatus.NOT_ASSESSED, reason=why,
                                       objects_sampled=0, rows_sampled=0))
    return out


# ---- PII inventory and resources ----------------------------------------------------------


def pii_inventory(country: str, facts: Facts, providers: Mapping[str, str]) -> list[PiiInventoryRow]:
    """One row per (sampled object or table, field, PII type); Public from the facts (None when unknown)."""
    rows = [
        PiiInventoryRow(country=country, environment=r.environment, provider=providers.get(r.environment, ""),
                        resource=r.object, location=r.location or "", field=r.field,
                        pii_type=r.pii_type, rows_sampled=r.rows_sampled, matches=r.matches,
                        masked_example=r.masked_example, public=r.public)
        for r in facts.all_pii
    ]
    return sorted(rows, key=lambda r: (r.environment, r.resource, r.field, r.pii_type.value))


def _exposure_by_resource(facts: Facts) -> dict[tuple[str, str], Any]:
    exposure: dict[tuple[str, str], Any] = {}
    for table in ("s3_buckets", "gcs_buckets", "bq_datasets", "bq_tables"):
        for row in facts.rows[table]:
            exposure[(row.environment, row.resource)] = row
    return exposure


def _notes(row: Any) -> str:
    notes = []
    if getattr(row, "public_via", ""):
        notes.append(f"public via {row.public_via}")
    for attr, what in (("acl_neutralised_by", "public ACL neutralised by"),
                       ("policy_neutralised_by", "public policy neutralised by"),
                       ("neutralised_by", "public binding neutralised by")):
        if getattr(row, attr, ""):
            notes.append(f"{what} {getattr(row, attr)}")
    return "; ".join(notes)


def resource_rows(country: str, snapshots: Sequence[Snapshot], facts: Facts) -> list[ResourceRow]:
    """Every bucket, dataset and table seen, with whether anyone can read it."""
    exposure = _exposure_by_resource(facts)
    out = []
    for snapshot in snapshots:
        env = snapshot.environment
        for resource in snapshot.resources:
            row = exposure.get((env.name, resource.resource))
            public = row.public if row else None
            types = {t for s in resource.samples for f in s.fields for t in f.pii_types}
            status, reason = resource_coverage(resource)
            notes = "; ".join(n for n in (_notes(row) if row else "", reason) if n)
            out.append(ResourceRow(country=country, environment=env.name, provider=env.provider.value,
                                   service=resource.service.value, resource=resource.resource, kind=resource.kind,
                                   location=location_of(resource) or "", public=public,
                                   pii_types=tuple(sorted(types)), status=status, notes=notes))
    return out


def locations(snapshots: Sequence[Snapshot]) -> dict[tuple[str, str], str]:
    return {(s.environment.name, r.resource): location_of(r) or "" for s in snapshots for r in s.resources}

