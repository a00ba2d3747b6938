"""Backfills reproduce the past: run D1, change the estate, run D2, re-run D1.

D1's findings after the re-run are identical to the first D1 run (its snapshot is replayed),
D2 shows the change, First Seen follows the unbroken run of daily failures, the bundles chain,
and `replay` of a date with no snapshot publishes NOT_ASSESSED reports without reading the cloud.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from cloudaudit.config import load_inventory
from tests.e2e.harness import DailyRuns, make_runs, sheet_rows
from tests.leaks import assert_no_leaks

D0, D1, D2 = "2026-11-17", "2026-11-18", "2026-11-19"
JP_PUBLIC = "s3://jp-connected-telematics-exports"
JP_CLEAN = "s3://jp-connected-app-logs"


def jp_s3(runs: DailyRuns) -> Any:
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client

    env = load_inventory(runs.estate.inventory_path).environment("jp-connected-prod")
    assert env.endpoint_url and env.role_arn
    return s3_client(account_session(env.endpoint_url, env.role_arn), env.endpoint_url, "ap-northeast-1")


def rows(runs: DailyRuns, date: str) -> list[dict[str, Any]]:
    return sheet_rows(runs.report("JP", date)[0], "Findings")


def status(table: list[dict[str, Any]], check: str, resource: str) -> dict[str, Any]:
    matches = [r for r in table if r["Check ID"] == check and r["Resource"] == resource]
    assert len(matches) == 1, (check, resource, len(matches))
    return matches[0]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from cloudaudit_demo.estate.manager import running_estate

    root = tmp_path_factory.mktemp("backfill")
    with running_estate(root / "state" / "estate") as estate:
        runs = make_runs(root, estate)
        runs.run(D1)
        first_d1 = rows(runs, D1)
        first_d1_bundle = runs.report("JP", D1)[1].read_bytes()
        s3 = jp_s3(runs)
        # The exposure is closed on D2 (Block Public Access on) and a clean bucket is opened.
        s3.put_public_access_block(Bucket=JP_PUBLIC.removeprefix("s3://"), PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
        s3.delete_public_access_block(Bucket=JP_CLEAN.removeprefix("s3://"))
        s3.put_bucket_acl(Bucket=JP_CLEAN.removeprefix("s3://"), ACL="public-read")
        runs.run(D2)
        runs.run(D1)  # auto: replays D1's snapshot
        runs.run(D0, "replay")
        yield {"runs": runs, "first_d1": first_d1, "first_d1_bundle": first_d1_bundle}


def test_rerun_reproduces_findings_exactly(history: dict[str, Any]) -> None:
    again = rows(history["runs"], D1)
    assert again == history["first_d1"]
    assert any(r["Status"] == "FAIL" for r in again)


def test_second_day_shows_the_change_and_first_seen(history: dict[str, Any]) -> None:
    d1, d2 = history["first_d1"], rows(history["runs"], D2)
    assert status(d1, "aws_s3_bucket_public_acl", JP_PUBLIC)["Status"] == "FAIL"
    assert status(d2, "aws_s3_bucket_public_acl", JP_PUBLIC)["Status"] == "PASS"
    assert status(d1, "aws_s3_bucket_public_acl", JP_CLEAN)["Status"] == "PASS"
    opened = status(d2, "aws_s3_bucket_public_acl", JP_CLEAN)
    assert opened["Status"] == "FAIL" and opened["First Seen"] == D2
    persistent = status(d2, "aws_s3_default_encryption_off", JP_PUBLIC)
    assert persistent["Status"] == "FAIL" and persistent["First Seen"] == D1
    assert status(d1, "aws_s3_default_encryption_off", JP_PUBLIC)["First Seen"] == D1


def test_bundles_chain_to_the_previous_day(history: dict[str, Any]) -> None:
    runs: DailyRuns = history["runs"]
    with zipfile.ZipFile(runs.report("JP", D2)[1]) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["previous_bundle_sha256"] == hashlib.sha256(history["first_d1_bundle"]).hexdigest()


def test_replay_without_snapshot_publishes_not_assessed(history: dict[str, Any]) -> None:
    runs: DailyRuns = history["runs"]
    assert not (runs.state / "snapshots" / D0).exists()
    for country in runs.truth["countries"]:
        xlsx, bundle = runs.report(country, D0)
        assert bundle.exists()
        coverage = sheet_rows(xlsx, "Coverage")
        assert coverage and all(r["Status"] == "NOT_ASSESSED" for r in coverage)


def test_no_planted_pii_value_or_secret_in_any_output(history: dict[str, Any]) -> None:
    """Four runs (live, replayed, replay without snapshot): their logs, reports, state and metadata DB."""
    runs: DailyRuns = history["runs"]
    outputs = runs.outputs()
    assert sum("dags_test_" in where for where, _ in outputs) == 4
    assert_no_leaks(runs.leak_searcher(), outputs, min_chars=1_000_000)
