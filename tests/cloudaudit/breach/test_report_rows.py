"""Notification rows per exposure: the estimate from the snapshot's resource, one row per rule in force."""

from __future__ import annotations

import json

from cloudaudit.breach.report import NOTIFICATION_COLUMNS, notification_json, notification_rows, summary
from cloudaudit.config import load_policy
from cloudaudit.model import Category, Finding, PiiType, Provider, Resource, Service, Severity, Status


def _finding(resource: str, category: Category, first_seen: str = "2026-11-19") -> Finding:
    return Finding(country="JP", environment="jp-prod", provider="gcp", service="bq", resource=resource,
                   location="us", check_id="gcp_bq_pii_public" if category is Category.PII_EXPOSURE
                   else "gcp_bq_pii_residency", check="c", category=category, severity=Severity.CRITICAL,
                   status=Status.FAIL, detail="", pii_types=(PiiType.PERSON_NAME,), first_seen=first_seen)


def _table(resource: str, rows: int) -> Resource:
    return Resource(resource=resource, provider=Provider.GCP, service=Service.BIGQUERY, kind="table",
                    config={"num_rows": rows})


def test_exposure_over_the_threshold_is_notifiable_and_residency_is_not_a_breach() -> None:
    big, small = "bq://p.d.customers", "bq://p.d.staff"
    findings = [_finding(big, Category.PII_EXPOSURE), _finding(small, Category.PII_EXPOSURE),
                _finding(big, Category.RESIDENCY)]
    rows = notification_rows(findings, {big: _table(big, 2_500), small: _table(small, 40)},
                             load_policy("JP").notification_rules, "2026-11-20")
    by = {(r.finding.resource, r.finding.category.value): r for r in rows}
    assert by[(big, "PII_EXPOSURE")].assessment.verdict.value == "notifiable"
    assert by[(small, "PII_EXPOSURE")].assessment.verdict.value == "assess"
    assert by[(big, "RESIDENCY")].assessment.verdict.value == "not notifiable"
    cells = dict(zip(NOTIFICATION_COLUMNS, by[(big, "PII_EXPOSURE")].cells(), strict=True))
    assert cells["Affected (est.)"] == 2_500 and cells["Rule"] == "jp-appi-2022"
    assert cells["Authority Due (UTC)"] == "2026-12-19 00:00" and cells["Hours Left"] == 29 * 24
    count, due = summary(rows)
    assert count == 1 and due is not None
    document = json.loads(json.dumps(notification_json("JP", "2026-11-20", rows)))
    assert document["notifiable_exposures"] == 1 and len(document["exposures"]) == 3
    assert document["disclaimer"].startswith("Decision support")


def test_backfill_before_a_rule_applies_the_old_rule() -> None:
    finding = _finding("bq://p.d.t", Category.PII_EXPOSURE, first_seen="2022-03-01")
    rows = notification_rows([finding], {"bq://p.d.t": _table("bq://p.d.t", 50_000)},
                             load_policy("JP").notification_rules, "2022-03-01")
    assert [(r.assessment.rule_id, r.assessment.verdict.value) for r in rows] == [("jp-appi-effort-2017", "assess")]
