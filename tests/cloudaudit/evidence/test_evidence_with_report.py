"""The spreadsheet travels in the signed bundle unchanged, and a re-run reproduces both byte for byte."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook

from cloudaudit.evidence.bundle import build_bundle, canonical_json
from cloudaudit.evidence.verify import verify_bundle
from cloudaudit.reports.model import CountryReport
from cloudaudit.reports.xlsx import render_workbook
from tests.cloudaudit.reports.reportfactory import make_report


def _publish(report: CountryReport, key: Ed25519PrivateKey) -> tuple[bytes, bytes]:
    name = f"compliance_{report.country}_{report.run_date}.xlsx"
    xlsx = render_workbook(report)
    members = {
        name: xlsx,
        "pii/jp-prod.json": canonical_json([r.model_dump(mode="json") for r in report.pii_inventory]),
        "validation/jp_resources.json": canonical_json({"findings": len(report.findings)}),
    }
    bundle = build_bundle(country=report.country, run_date=report.run_date, dag_id=report.dag_id,
                          run_id=report.run_id, generated_at=report.generated_at,
                          captured_at=report.captured_at_max, tool_version=report.tool_version,
                          policy_digest=report.policy.digest(), members=members, previous_bundle_sha256=None,
                          private_key=key)
    return xlsx, bundle


def test_spreadsheet_in_the_bundle_is_the_published_one_and_reruns_match(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    report = make_report(seed=11)
    xlsx, bundle = _publish(report, key)
    path = tmp_path / "evidence_JP_2026-11-20.zip"
    path.write_bytes(bundle)
    result = verify_bundle(path)
    assert result.ok, result.problems
    assert result.manifest is not None and result.manifest["policy_digest"] == report.policy.digest()
    with zipfile.ZipFile(path) as archive:
        carried = archive.read("compliance_JP_2026-11-20.xlsx")
    assert carried == xlsx
    assert load_workbook(io.BytesIO(carried)).sheetnames[0] == "Summary"
    assert _publish(make_report(seed=11), key) == (xlsx, bundle)  # a re-run of the date: identical bytes
