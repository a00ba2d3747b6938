"""Top-level API of the validate step: one country's snapshots → report rows and GX results.

    validation = validate_country("JP", policy, snapshots)
    findings = apply_first_seen(validation.findings, history, run_date)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.checks.data_docs import render_data_docs
from cloudaudit.checks.facts import Facts, build_facts
from cloudaudit.checks.findings import coverage_findings, validation_findings
from cloudaudit.checks.sheets import coverage_rows, locations, pii_inventory, resource_rows
from cloudaudit.checks.timeline import apply_first_seen
from cloudaudit.config import CountryPolicy
from cloudaudit.model import CoverageRow, CoverageStatus, Finding, PiiInventoryRow, ResourceRow, Snapshot
from cloudaudit.reports.summary import sort_findings

__all__ = ["Prepared", "Validation", "apply_first_seen", "evaluate_country", "prepare_country", "validate_country"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Validation:
    """Everything the publish step needs for one country."""

    findings: list[Finding]
    pii_inventory: list[PiiInventoryRow]
    resources: list[ResourceRow]
    coverage: list[CoverageRow]
    gx_results: dict[str, dict[str, Any]] = field(default_factory=dict)  # suite name → validation result
    data_docs: dict[str, str] = field(default_factory=dict)  # relative path → HTML


def stable_time(snapshots: Sequence[Snapshot]) -> str:
    """When the configuration validated was captured: the latest capture of a readable environment.

    Unreachable environments are left out (their snapshot is stamped when the failure was
    recorded, which differs on every re-run); without any, midnight of the run date.
    """
    captured = [s.captured_at for s in snapshots if s.status is not CoverageStatus.NOT_ASSESSED]
    if captured:
        return max(captured)
    return min((f"{s.run_date}T00:00:00+00:00" for s in snapshots), default="")


@dataclass(frozen=True)
class Prepared:
    """What the checks need of a country's snapshots; the snapshots themselves can go."""

    country: str
    providers: dict[str, str]  # environment → provider
    facts: Facts
    validation_time: str
    coverage: list[CoverageRow]
    locations: dict[tuple[str, str], str]
    resources: list[ResourceRow]


def prepare_country(country: str, policy: CountryPolicy, snapshots: Sequence[Snapshot]) -> Prepared:
    """Everything the validation reads from the snapshots, so a caller can drop them before the
    suites run (the parsed snapshots are the largest thing a country holds; issue 18: flat memory).

    Snapshots of other countries' environments are ignored."""
    mine = sorted((s for s in snapshots if s.environment.country == country), key=lambda s: s.environment.name)
    if len(mine) != len(snapshots):
        log.info("validate %s: ignoring %d snapshots of other countries", country, len(snapshots) - len(mine))
    facts = build_facts(mine, policy.regulated_pii)
    return Prepared(country=country, providers={s.environment.name: s.environment.provider.value for s in mine},
                    facts=facts, validation_time=stable_time(mine), coverage=coverage_rows(country, mine),
                    locations=locations(mine), resources=resource_rows(country, mine, facts))


def evaluate_country(policy: CountryPolicy, prepared: Prepared) -> Validation:
    """Run the country's suites over the prepared facts and map the results to report rows."""
    from cloudaudit.checks.suites import run_suites

    facts, providers = prepared.facts, prepared.providers
    results = run_suites(policy, facts, validation_time=prepared.validation_time)
    findings = validation_findings(policy, facts, results, providers)
    findings += coverage_findings(policy, prepared.coverage, prepared.locations)
    log.info("validate %s: %d environments, %d findings (%d FAIL)", prepared.country, len(providers), len(findings),
             sum(1 for f in findings if f.status.value == "FAIL"))
    return Validation(
        findings=sort_findings(findings),
        pii_inventory=pii_inventory(prepared.country, facts, providers),
        resources=prepared.resources,
        coverage=prepared.coverage,
        gx_results=results,
        data_docs=render_data_docs(results),
    )


def validate_country(country: str, policy: CountryPolicy, snapshots: Sequence[Snapshot]) -> Validation:
    """Build the facts, run the country's suites, map the results to report rows.

    Snapshots of other countries' environments are ignored. Results carry the latest
    capture time instead of the wall clock, so a re-run gives identical output.
    """
    return evaluate_country(policy, prepare_country(country, policy, snapshots))
