"""Real published outputs for portal tests: spreadsheets rendered by the report writer and
bundles signed by the evidence writer, laid out as the SPEC's ``<output>/<D>/<CC>/`` paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudaudit.config import load_policy
from cloudaudit.evidence.bundle import build_bundle
from cloudaudit.model import Category, Finding, Severity, Status
from cloudaudit.reports.model import CountryReport
from cloudaudit.reports.xlsx import render_workbook


@dataclass(frozen=True)
class Planned:
    country: str
    day: str
    critical_fails: int
    first_seen: str  # of the critical failures


def _finding(country: str, n: int, severity: Severity, status: Status, first_seen: str) -> Finding:
    return Finding(country=country, environment=f"{country.lower()}-prod", provider="aws", service="s3",
                   resource=f"s3://{country.lower()}-bucket-{n}", location="ap-northeast-1",
                   check_id="aws_s3_bucket_public_acl", check="Bucket ACL is public", category=Category.ACCESS,
                   severity=severity, status=status, detail="grant to AllUsers", first_seen=first_seen)


def spreadsheet(plan: Planned) -> bytes:
    findings = [_finding(plan.country, i, Severity.CRITICAL, Status.FAIL, plan.first_seen)
                for i in range(plan.critical_fails)]
    findings += [_finding(plan.country, 100, Severity.HIGH, Status.FAIL, plan.day),
                 _finding(plan.country, 101, Severity.CRITICAL, Status.PASS, "")]
    report = CountryReport(
        country=plan.country, run_date=plan.day, captured_at_min=f"{plan.day}T01:00:00Z",
        captured_at_max=f"{plan.day}T01:00:00Z", captured_late=False, policy=load_policy(plan.country),
        findings=findings, pii_inventory=(), resources=(), coverage=(), generated_at=f"{plan.day}T02:00:00Z",
        dag_id="cloudaudit_daily", run_id=f"scheduled__{plan.day}", tool_version="test")
    return render_workbook(report)


def publish(root: Path, plan: Planned, key: Ed25519PrivateKey) -> tuple[Path, Path]:
    folder = root / plan.day / plan.country
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = spreadsheet(plan)
    name = f"compliance_{plan.country}_{plan.day}.xlsx"
    bundle = build_bundle(country=plan.country, run_date=plan.day, dag_id="cloudaudit_daily",
                          run_id=f"scheduled__{plan.day}", generated_at=f"{plan.day}T02:00:00Z",
                          captured_at=f"{plan.day}T01:00:00Z", tool_version="test", policy_digest="0" * 64,
                          members={name: xlsx}, previous_bundle_sha256=None, private_key=key)
    (folder / name).write_bytes(xlsx)
    (folder / f"evidence_{plan.country}_{plan.day}.zip").write_bytes(bundle)
    return folder / name, folder / f"evidence_{plan.country}_{plan.day}.zip"


def publish_all(root: Path, plans: Iterable[Planned]) -> Path:
    """Publish every plan under ``root`` with one freshly generated signing key; returns ``root``."""
    key = Ed25519PrivateKey.generate()
    for plan in plans:
        publish(root, plan, key)
    return root
