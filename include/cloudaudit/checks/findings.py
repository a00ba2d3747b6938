"""Validation results + facts → the report rows: Findings, PII Inventory, Resources, Coverage.

Every check's results are mapped here, once: a resource whose facts row GX lists as
unexpected is FAIL, a null fact (unreadable, skipped by GX) is NOT_ASSESSED, the rest PASS.
PII checks name the bucket or table holding the data; buckets and tables without regulated
PII pass (or are NOT_ASSESSED when their data could not be sampled).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.checks.common.rows import SAMPLE_READ, location_of, pii_types_of, unreadable
from cloudaudit.checks.facts import Facts
from cloudaudit.checks.registry import Check, all_checks, get_check
from cloudaudit.config import CountryPolicy
from cloudaudit.model import (
    Category,
    CoverageRow,
    CoverageStatus,
    Finding,
    PiiInventoryRow,
    PiiType,
    Resource,
    ResourceRow,
    SampleResult,
    Service,
    Severity,
    Snapshot,
    Status,
)

COVERAGE_CHECK = "coverage_not_assessed"
# PII tables → the table of buckets/tables that PII findings name.
SUBJECTS = {"s3_pii": "s3_buckets", "gcs_pii": "gcs_buckets", "bq_pii": "bq_tables"}
_PII_CATEGORIES = (Category.PII_EXPOSURE, Category.RESIDENCY)
_STATUS_ORDER = {Status.FAIL: 0, Status.NOT_ASSESSED: 1, Status.PASS: 2}
_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


def evidence_path(category: Category, environment: str) -> str:
    """The bundle member supporting a finding: PII results or the configuration snapshot."""
    return f"pii/{environment}.json" if category in _PII_CATEGORIES else f"snapshots/{environment}.json"


@dataclass(frozen=True)
class Subject:
    """What a finding is about."""

    environment: str
    provider: str
    resource: str
    location: str


def make_finding(check: Check, policy: CountryPolicy, subject: Subject, status: Status, detail: str,
                 pii_types: Iterable[PiiType] = ()) -> Finding:
    meta = check.metadata
    return Finding(
        country=policy.country, environment=subject.environment, provider=subject.provider,
        service=meta.service.value if meta.service else "", resource=subject.resource, location=subject.location,
        check_id=meta.check_id, check=meta.title, category=meta.category,
        severity=policy.severity.get(meta.check_id, meta.severity), status=status, detail=detail,
        pii_types=tuple(sorted(set(pii_types))), evidence=evidence_path(meta.category, subject.environment),
        remediation=meta.remediation.as_text(),
    )


def _failing_fact_ids(result: Mapping[str, Any] | None) -> set[int] | None:
    """fact_ids GX listed as unexpected; None when the expectation did not run."""
    if result is None:
        return None
    info = result.get("exception_info") or {}
    if info.get("raised_exception") or any(
            isinstance(v, Mapping) and v.get("raised_exception") for v in info.values()):
        return None
    unexpected = (result.get("result") or {}).get("unexpected_index_list") or []
    return {int(item["fact_id"]) for item in unexpected if isinstance(item, Mapping) and "fact_id" in item}


def _status(rows: Sequence[Any], column: str, failing: set[int]) -> Status:
    if any(row.fact_id in failing for row in rows):
        return Status.FAIL
    if any(getattr(row, column) is None for row in rows):
        return Status.NOT_ASSESSED
    return Status.PASS


def _grouped(rows: Iterable[Any]) -> dict[tuple[str, str], list[Any]]:
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        groups.setdefault((row.environment, row.resource), []).append(row)
    return groups


def _row_pii_types(check: Check, rows: Sequence[Any]) -> set[PiiType]:
    column = check.pii_types_column
    return {t for row in rows for t in pii_types_of(getattr(row, column) or "")} if column else set()


def _no_pii_finding(check: Check, policy: CountryPolicy, subject: Subject, container: Any) -> Finding:
    if container.sample_state == SAMPLE_READ:
        detail = (f"No regulated PII found in the sample of {subject.resource} "
                  f"({container.objects_sampled} sampled)")
        return make_finding(check, policy, subject, Status.PASS, detail)
    if container.sample_state is None:
        why = container.unreadable or "every sample was skipped or unreadable"
        return make_finding(check, policy, subject, Status.NOT_ASSESSED,
                            f"The data of {subject.resource} could not be sampled: {why}")
    return make_finding(check, policy, subject, Status.PASS, f"{subject.resource} holds no data to sample")


def check_findings(check: Check, policy: CountryPolicy, facts: Facts, result: Mapping[str, Any] | None,
                   providers: Mapping[str, str]) -> list[Finding]:
    """One finding per resource for one validated check."""
    table = check.metadata.facts_table
    assert table is not None
    failing = _failing_fact_ids(result)
    groups = _grouped(facts.rows[table])
    out: list[Finding] = []
    subjects = _grouped(facts.rows[SUBJECTS[table]]) if table in SUBJECTS else groups
    for (environment, resource), subject_rows in subjects.items():
        rows = groups.get((environment, resource), [])
        subject = Subject(environment, providers.get(environment, ""), resource, subject_rows[0].location or "")
        if not rows:
            out.append(_no_pii_finding(check, policy, subject, subject_rows[0]))
            continue
        if failing is None:
            out.append(make_finding(check, policy, subject, Status.NOT_ASSESSED,
                                    f"The expectation for {resource} could not be evaluated"))
            continue
        if check.metadata.category is Category.RESIDENCY and not policy.allowed_locations:
            # A country without a reviewed policy: no location is known to be allowed or not.
            out.append(make_finding(
                check, policy, subject, Status.NOT_ASSESSED,
                f"{resource} holds regulated PII of {policy.country} residents, but no allowed storage "
                f"locations are on file for {policy.country} (add include/config/policies/"
                f"{policy.country.lower()}.yaml or countries.{policy.country}.allowed_locations in the inventory)",
                _row_pii_types(check, rows)))
            continue
        status = _status(rows, check.column, failing)
        shown = [r for r in rows if r.fact_id in failing] if status is Status.FAIL else rows
        out.append(make_finding(check, policy, subject, status, check.detail(shown, policy),
                                _row_pii_types(check, shown)))
    return out


def validation_findings(policy: CountryPolicy, facts: Facts, results: Mapping[str, Mapping[str, Any]],
                        providers: Mapping[str, str]) -> list[Finding]:
    """Findings of every validated check, PASS rows kept."""
    from cloudaudit.checks.suites import check_results

    by_check = check_results(results)
    out: list[Finding] = []
    for check in all_checks():
        if check.validated:
            out.extend(check_findings(check, policy, facts, by_check.get(check.check_id), providers))
    return out


# ---- coverage ---------------------------------------------------------------------------


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


def coverage_findings(policy: CountryPolicy, coverage: Iterable[CoverageRow],
                      locations: Mapping[tuple[str, str], str]) -> list[Finding]:
    """Each NOT_ASSESSED coverage row is also a ``coverage_not_assessed`` finding."""
    check = get_check(COVERAGE_CHECK)
    out = []
    for row in coverage:
        if row.status is CoverageStatus.NOT_ASSESSED:
            subject = Subject(row.environment, row.provider, row.resource,
                              locations.get((row.environment, row.resource), ""))
            finding = make_finding(check, policy, subject, Status.NOT_ASSESSED,
                                   f"{row.resource} could not be read: {row.reason}")
            out.append(finding.model_copy(update={"service": row.service}))
    return out


# ---- PII inventory and resources ----------------------------------------------------------


def pii_inventory(country: str, facts: Facts, providers: Mapping[str, str]) -> list[PiiInventoryRow]:
    """One row per (sampled object or table, field, PII type); Public from the facts (None when unknown)."""
    rows = [
        PiiInventoryRow(country=country, environment=r.environment, provider=providers.get(r.environment, ""),
                        resource=r.object, location=r.location or "", field=r.field,
                        pii_type=PiiType(r.pii_types), rows_sampled=r.rows_sampled, matches=r.matches,
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


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most urgent first: FAIL, then NOT_ASSESSED, then PASS; by severity, environment, resource, check."""
    return sorted(findings, key=lambda f: (_STATUS_ORDER[f.status], _SEVERITY_ORDER[f.severity],
                                           f.environment, f.resource, f.check_id))


def locations(snapshots: Sequence[Snapshot]) -> dict[tuple[str, str], str]:
    return {(s.environment.name, r.resource): location_of(r) or "" for s in snapshots for r in s.resources}

