"""Compare what an audit reported with the seeded estate's ``truth.json``.

For end-to-end tests and the demo: ``compare_samples`` checks snapshots (per sampled object
or table: coverage status, PII types found between ``pii_types`` and ``planted_pii_types``),
``compare_findings`` checks findings (every expected FAIL reported, nothing else failing).
Both return human-readable differences naming resources and check IDs only, never values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudaudit.model import Finding, Snapshot, Status


def expected_failures(truth: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(check ID, resource) of every check the truth expects to fail (or be NOT_ASSESSED)."""
    expected: set[tuple[str, str]] = set()
    for env in truth["environments"]:
        expected.update((check, env["name"]) for check in env["fail"])
    for item in (*truth["resources"], *truth["samples"]):
        expected.update((check, item["resource"]) for check in item["fail"])
    return expected


def compare_findings(truth: Mapping[str, Any], findings: Iterable[Finding]) -> list[str]:
    """Differences between the truth's expected failures and the FAIL / NOT_ASSESSED findings."""
    environments = {e["name"] for e in truth["environments"]}
    reported = {(f.check_id, f.resource) for f in findings
                if f.status in (Status.FAIL, Status.NOT_ASSESSED) and f.environment in environments}
    expected = expected_failures(truth)
    out = [f"{check} {resource}: expected to fail, not reported" for check, resource in sorted(expected - reported)]
    out += [f"{check} {resource}: reported, not expected" for check, resource in sorted(reported - expected)]
    return out


def _sample_environments(truth: Mapping[str, Any]) -> dict[str, str]:
    """Sample resource → the environment holding it."""
    env_of_container = {r["resource"]: r["environment"] for r in truth["resources"]}
    return {s["resource"]: env_of_container[s["container"]] for s in truth["samples"]}


def compare_samples(truth: Mapping[str, Any], snapshots: Iterable[Snapshot]) -> list[str]:
    """Differences between the truth's samples and the snapshots' (status, PII types found).

    Only environments present in ``snapshots`` are compared, so a test may audit a subset.
    """
    snapshots = list(snapshots)
    expected = {s["resource"]: s for s in truth["samples"]}
    environments = {e["name"]: e for e in truth["environments"]}
    seen: set[str] = set()
    out: list[str] = []
    for snapshot in snapshots:
        env = environments.get(snapshot.environment.name)
        if env is None:
            continue
        if snapshot.status.value != env["coverage"]:
            out.append(f"{env['name']}: coverage {snapshot.status.value}, expected {env['coverage']}")
        for resource in snapshot.resources:
            for sample in resource.samples:
                want = expected.get(sample.resource)
                if want is None:
                    out.append(f"{sample.resource}: sampled, not in the truth")
                    continue
                seen.add(sample.resource)
                found = {m.pii_type.value for f in sample.fields for m in f.pii}
                if sample.status.value != want["coverage"]:
                    out.append(f"{sample.resource}: coverage {sample.status.value}, expected {want['coverage']}")
                if missing := set(want["pii_types"]) - found:
                    out.append(f"{sample.resource}: PII types not found: {', '.join(sorted(missing))}")
                if extra := found - set(want["planted_pii_types"]):
                    out.append(f"{sample.resource}: PII types found but not planted: {', '.join(sorted(extra))}")
    audited = {s.environment.name for s in snapshots if s.status.value == "ASSESSED"}
    out += [f"{uri}: expected a sample, none taken" for uri, env in sorted(_sample_environments(truth).items())
            if env in audited and uri not in seen]
    return out
