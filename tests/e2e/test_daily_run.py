"""cloudaudit_daily for real: Airflow `dags test` on the seeded demo estate, outputs checked.

One run per module (the estate and Airflow start once). Asserts the snapshots' content, the
reports per SPEC, every seeded exposure found and clean resources passing, and that no planted
PII value reaches any snapshot, report, bundle member, log or XCom.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from cloudaudit.model import COVERAGE_COLUMNS, FINDINGS_COLUMNS, PII_INVENTORY_COLUMNS
from tests.e2e.harness import DailyRuns, header, make_runs, sheet_rows
from tests.leaks import Haystack, LeakSearcher, assert_no_leaks, files_under

RUN_DATE = "2026-11-20"
SHEETS = ["Summary", "Findings", "PII Inventory", "Resources", "Coverage"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DailyRuns]:
    from cloudaudit_demo.estate.manager import running_estate

    root = tmp_path_factory.mktemp("daily")
    with running_estate(root / "state" / "estate") as estate:
        runs = make_runs(root, estate)
        runs.log = runs.run(RUN_DATE, "live")  # type: ignore[attr-defined]
        yield runs


def findings(runs: DailyRuns, country: str) -> list[dict[str, Any]]:
    return sheet_rows(runs.report(country, RUN_DATE)[0], "Findings")


def test_every_country_gets_a_verified_report(runs: DailyRuns) -> None:
    countries = runs.truth["countries"]
    assert len(countries) >= 6
    for country in countries:
        xlsx, bundle = runs.report(country, RUN_DATE)
        assert xlsx.exists() and bundle.exists(), country
        verify = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)],
                                capture_output=True, text=True, check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr


def test_sheets_and_columns_are_exactly_the_spec(runs: DailyRuns) -> None:
    from openpyxl import load_workbook

    xlsx, _ = runs.report(runs.truth["countries"][0], RUN_DATE)
    assert load_workbook(xlsx, read_only=True).sheetnames == [*SHEETS, "Notification"]  # issue 16's after the SPEC's
    assert header(xlsx, "Findings")[:len(FINDINGS_COLUMNS)] == list(FINDINGS_COLUMNS)
    assert header(xlsx, "PII Inventory") == list(PII_INVENTORY_COLUMNS)
    assert header(xlsx, "Coverage") == list(COVERAGE_COLUMNS)


def test_snapshots_hold_configuration_and_detections(runs: DailyRuns) -> None:
    truth = runs.truth
    snaps = {p.stem: json.loads(p.read_text()) for p in (runs.state / "snapshots" / RUN_DATE).glob("*.json")}
    assert {e["name"] for e in truth["environments"]} == set(snaps)
    found: dict[str, set[str]] = {}
    for snap in snaps.values():
        assert snap["run_date"] == RUN_DATE and snap["schema_version"] == 1
        for resource in snap["resources"]:
            if resource["kind"] == "bucket" and resource["provider"] == "aws":
                assert "acl" in resource["config"] or "acl" in resource["read_errors"]
            for sample in resource["samples"]:
                found[sample["resource"]] = {m["pii_type"] for f in sample["fields"] for m in f["pii"]}
    for expected in truth["samples"]:
        got = found.get(expected["resource"])
        assert got is not None, f"{expected['resource']} was not sampled"
        assert set(expected["pii_types"]) <= got, expected["resource"]
        assert got <= set(expected["planted_pii_types"]), f"{expected['resource']}: false positives {got}"


def test_seeded_exposures_fail_and_clean_resources_pass(runs: DailyRuns) -> None:
    truth = runs.truth
    by_country: dict[str, list[dict[str, Any]]] = {}
    for resource in truth["resources"]:
        by_country.setdefault(resource["country"], []).append(resource)
    for country, resources in by_country.items():
        rows = findings(runs, country)
        failed = {(r["Check ID"], r["Resource"]) for r in rows if r["Status"] == "FAIL"}
        passed = {(r["Check ID"], r["Resource"]) for r in rows if r["Status"] == "PASS"}
        for resource in resources:
            expected = {(check, resource["resource"]) for check in resource["fail"]}
            actual = {k for k in failed if k[1] == resource["resource"]}
            assert actual == expected, f"{country} {resource['resource']}: {resource.get('note', '')}"
            if not resource["fail"]:
                assert any(k[1] == resource["resource"] for k in passed), resource["resource"]
        categories = {r["Check ID"]: r["Category"] for r in rows}
        for check, category in (("aws_s3_bucket_public_acl", "ACCESS"), ("aws_s3_pii_public", "PII_EXPOSURE"),
                                ("gcp_gcs_pii_residency", "RESIDENCY"), ("coverage_not_assessed", "COVERAGE")):
            assert categories.get(check, category) == category


def test_unreachable_environment_is_not_assessed_and_others_publish(runs: DailyRuns) -> None:
    dead = [e for e in runs.truth["environments"] if e["coverage"] == "NOT_ASSESSED"]
    assert dead
    for env in dead:
        xlsx, _bundle = runs.report(env["country"], RUN_DATE)
        coverage = sheet_rows(xlsx, "Coverage")
        rows = [r for r in coverage if r["Resource"] == env["name"]]
        assert rows and rows[0]["Status"] == "NOT_ASSESSED" and rows[0]["Reason"]
        assert any(r["Check ID"] == "coverage_not_assessed" and r["Resource"] == env["name"]
                   and r["Status"] == "NOT_ASSESSED" for r in findings(runs, env["country"]))


@pytest.fixture(scope="module")
def outputs(runs: DailyRuns) -> list[Haystack]:
    return runs.outputs()


def test_every_output_is_searched(runs: DailyRuns, outputs: list[Haystack]) -> None:
    where = [w for w, _ in outputs]
    assert any("dags_test_" in w for w in where)
    assert any(w.endswith(".xlsx!xl/worksheets/sheet3.xml") for w in where)  # PII Inventory, as XML
    assert any(".zip!" in w and w.endswith(".html") for w in where)  # Data Docs inside the bundles
    assert any("/snapshots/" in w for w in where)
    assert any("airflow.db xcom.value" in w for w in where)
    assert any("airflow.db task_instance." in w for w in where)
    # The searcher can fail: the seeded objects themselves hold planted values in several forms.
    seeded = runs.leak_searcher().search(files_under(runs.estate.state_dir, skip=()))[0]
    assert len({leak.label.split(" as ")[0].split("#")[0] for leak in seeded}) >= 8


def test_no_planted_pii_value_in_any_output(runs: DailyRuns, outputs: list[Haystack]) -> None:
    """Every planted value (no minimum length), in every written form, in every output: none.

    Fails while field names carry raw map keys (issue 12, defect 1: the seeded
    ``servis/kontak_per_pelanggan.json`` is keyed by names and national IDs).
    """
    assert len(runs.planted["values"]) > 1000
    assert_no_leaks(LeakSearcher.from_planted(runs.planted), outputs, min_chars=1_000_000)


def test_no_secret_in_any_output(runs: DailyRuns, outputs: list[Haystack]) -> None:
    """The signing key and an Airflow connection's password appear in no log, report or DB row."""
    assert_no_leaks(LeakSearcher({}, runs.secrets()), outputs, min_chars=1_000_000)
