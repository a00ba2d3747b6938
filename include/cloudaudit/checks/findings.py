"""Validation results + facts → the Findings sheet (the other sheets' rows: ``checks.sheets``).

Every check's results are mapped here, once: a resource whose facts row GX lists as
unexpected is FAIL, a null fact (unreadable, skipped by GX) is NOT_ASSESSED, the rest PASS.
PII checks name the bucket or table holding the data; buckets and tables without regulated
PII pass (or are NOT_ASSESSED when their data could not be sampled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.checks.common.rows import SAMPLE_READ, pii_types_of
from cloudaudit.checks.facts import Facts
from cloudaudit.checks.registry import Check, all_checks, get_check
from cloudaudit.config import CountryPolicy
from cloudaudit.evidence.layout import pii_member, snapshot_member
from cloudaudit.model import (
    Category,
    CoverageRow,
    CoverageStatus,
    Finding,
    PiiType,
    Status,
)

COVERAGE_CHECK = "coverage_not_assessed"
# PII tables → the table of buckets/tables that PII findings name.
SUBJECTS = {"s3_pii": "s3_buckets", "gcs_pii": "gcs_buckets", "bq_pii": "bq_tables"}
_PII_CATEGORIES = (Category.PII_EXPOSURE, Category.RESIDENCY)


def evidence_path(category: Category, environment: str) -> str:
    """The bundle member supporting a finding: PII results or the configuration snapshot."""
    return pii_member(environment) if category in _PII_CATEGORIES else snapshot_member(environment)


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


# ---- coverage ----------------------------------------------------------------------------


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
