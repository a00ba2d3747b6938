"""`make demo`'s closing summary: per country what was extracted, failures by severity, the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudaudit_demo.demo import airflow_env, print_reports


def test_summary_lists_every_published_country(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for cc, critical in (("JP", 2), ("TH", 0)):
        run = tmp_path / "runs" / "2026-11-20" / cc
        run.mkdir(parents=True)
        (run / "published.json").write_text(json.dumps({
            "spreadsheet": f"/out/2026-11-20/{cc}/compliance_{cc}_2026-11-20.xlsx",
            "bundle": f"/out/2026-11-20/{cc}/evidence_{cc}_2026-11-20.zip", "bundle_sha256": "0" * 64,
            "counts": {"fail_by_severity": {"critical": critical, "high": 3}, "findings": 9, "pii_fields": 12,
                       "resources": 4, "not_assessed": 1}}))
    assert print_reports(tmp_path, Path("/out"), "2026-11-20") == 0
    out = capsys.readouterr().out
    jp = next(line for line in out.splitlines() if line.strip().startswith("JP"))
    assert jp.split()[1:9] == ["4", "12", "1", "2", "3", "0", "0", "0"]
    assert "evidence_TH_2026-11-20.zip" in out and "cloudaudit verify" in out


def test_nothing_published_is_a_failure(tmp_path: Path) -> None:
    assert print_reports(tmp_path, tmp_path, "2026-11-20") == 1


def test_airflow_env_points_at_the_repo_dags(tmp_path: Path) -> None:
    env = airflow_env(tmp_path, base={})
    assert env["AIRFLOW_HOME"] == str(tmp_path)
    assert Path(env["AIRFLOW__CORE__DAGS_FOLDER"], "cloudaudit_daily.py").exists()
