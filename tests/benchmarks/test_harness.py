"""The benchmark harness's pure parts: scoring, Prowler's output, the seeded truth, tree sampling.

Benchmarks are not tests (`make bench`); these only check that what they compute is computed
right, in well under a second.
"""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import _harness
from benchmarks import _s3_estate as estate
from benchmarks._harness import (
    CLOUDAUDIT_CHECKS,
    COMMON_KINDS,
    PROWLER_CHECKS,
    TreeSampler,
    cloudaudit_findings,
    detected,
    phase_peaks,
    prowler_findings,
    recall,
    tree_rss,
)


def _ocsf(check_id: str, bucket: str, status: str) -> dict[str, object]:
    return {"metadata": {"event_code": check_id}, "status_code": status,
            "resources": [{"uid": f"arn:aws:s3:::{bucket}", "name": bucket, "type": "AwsS3Bucket"}]}


def test_prowler_ocsf_fails_become_exposures() -> None:
    documents = [[_ocsf("s3_bucket_public_access", "b-1", "FAIL"), _ocsf("s3_bucket_default_encryption", "b-1", "PASS"),
                  _ocsf("s3_bucket_no_mfa_delete", "b-2", "FAIL")],
                 [_ocsf("s3_bucket_level_public_access_block", "b-2", "FAIL")]]
    failed = prowler_findings(documents)
    assert failed == {("s3_bucket_public_access", "b-1"), ("s3_bucket_no_mfa_delete", "b-2"),
                      ("s3_bucket_level_public_access_block", "b-2")}
    assert detected(failed, PROWLER_CHECKS) == {("public", "b-1"), ("bpa_off", "b-2")}


def test_cloudaudit_findings_keep_bucket_fails_only() -> None:
    record = {"findings": [
        {"check_id": "aws_s3_bucket_public_acl", "resource": "s3://b-1", "status": "FAIL"},
        {"check_id": "aws_s3_object_public_acl", "resource": "s3://b-1/x.csv", "status": "FAIL"},
        {"check_id": "aws_s3_default_encryption_off", "resource": "s3://b-2", "status": "PASS"},
        {"check_id": "aws_s3_pii_public", "resource": "s3://b-1", "status": "FAIL"}]}
    failed = cloudaudit_findings([record])
    assert failed == {("aws_s3_bucket_public_acl", "b-1"), ("aws_s3_pii_public", "b-1")}
    assert detected(failed, CLOUDAUDIT_CHECKS) == {("public", "b-1"), ("pii_public", "b-1")}


def test_recall_counts_misses_and_false_positives() -> None:
    truth = {("public", "a"), ("bpa_off", "a"), ("encryption_off", "c")}
    found = {("public", "a"), ("bpa_off", "b"), ("pii_public", "a")}
    score = recall(truth, found, COMMON_KINDS)
    assert (score["seeded"], score["found"], score["false_positives"]) == (3, 1, 1)
    assert score["recall"] == round(1 / 3, 4)
    assert score["per_kind"]["bpa_off"] == {"seeded": 1, "found": 0, "false_positives": 1, "recall": 0.0}
    assert sorted(score["missed"]) == ["bpa_off:a", "encryption_off:c"]
    assert recall(set(), found, ["public"])["recall"] is None


def test_seeded_estate_truth_follows_the_pattern() -> None:
    size = 40  # two full patterns of 20, one per account
    summary = estate.summary(size)
    assert summary["by_exposure"] == {"public_acl": 4, "public_policy": 4, "bpa_off": 4, "encryption_off": 4,
                                      "clean": 24, "with_pii": 10}
    assert summary["exposures"] == {"public": 8, "bpa_off": 12, "encryption_off": 4, "pii_public": 4}
    assert estate.truth(size) == estate.truth_for(size, estate.ACCOUNTS[0]) | estate.truth_for(size, estate.ACCOUNTS[1])
    assert estate.truth(100) >= estate.truth(40)  # a larger estate extends a smaller one
    names = [estate.bucket(i).name for i in range(size)]
    assert len(set(names)) == size


def test_tree_rss_counts_children() -> None:
    # The child says when its interpreter is up: just after the fork it is a few hundred KB.
    child = subprocess.Popen([sys.executable, "-c", "import time; print('up', flush=True); time.sleep(5)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "up"
        total, count = tree_rss(child.pid)
        alone, _ = tree_rss(child.pid)
        mine, with_child = tree_rss(os.getpid())
        assert count == 1 and total > 1_000_000
        assert with_child >= 2 and mine >= alone
        with TreeSampler(child.pid, interval=0.01) as sampler:
            time.sleep(0.1)
        assert sampler.samples >= 2 and sampler.peak_bytes > 1_000_000 and sampler.peak_processes == 1
    finally:
        child.kill()
        child.wait()
    assert tree_rss(child.pid) == (0, 0)


def test_phase_peaks_reads_the_pipelines_own_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The benchmark's memory breakdown parses what the extract step really logs."""
    from cloudaudit import pipeline
    from cloudaudit.config import Inventory, Limits
    from cloudaudit.store.backend import LocalStore
    from cloudaudit_demo.estate.ports import free_port

    port = free_port()  # a loopback port nobody listens on: a NOT_ASSESSED environment
    env = Inventory.model_validate({"environments": [{
        "name": "dead", "country": "JP", "provider": "aws", "account_id": "111111111111",
        "endpoint_url": f"http://127.0.0.1:{port}"}]}).environment("dead")
    caplog.set_level("INFO", logger="cloudaudit.pipeline")
    pipeline.extract_environment(env, "2026-11-20", "live", store=LocalStore(tmp_path), limits=Limits(call_timeout_s=2))
    peaks = phase_peaks("\n".join(r.getMessage() for r in caplog.records))
    assert set(peaks) == {"extract"} and 20 < peaks["extract"] <= pipeline.peak_rss_mb()


def test_harness_doctests() -> None:
    failures, tried = doctest.testmod(_harness)
    assert tried >= 2 and failures == 0


def test_s3_call_cost_counts_every_call_of_a_small_estate() -> None:
    from benchmarks.s3_call_cost import markdown, measure

    report = measure(4)
    serial, pool = report["runs"]["one thread"], report["runs"]["default pool"]
    assert serial["buckets"] == pool["buckets"] == 4
    assert serial["calls"] == pool["calls"] == sum(v["calls"] for v in pool["ops"].values())
    assert pool["ops"]["ListObjectsV2"]["calls"] == 4 and pool["ops"]["GetObject"]["calls"] == 4
    from benchmarks._s3_estate import ACCOUNTS, bucket

    with_policy = sum(1 for i in range(8) if bucket(i).account == ACCOUNTS[0] and bucket(i).exposure == "public_policy")
    assert pool["ops"].get("GetBucketPolicyStatus", {"calls": 0})["calls"] == with_policy  # only buckets with one
    assert report["moto_cpu_ms_per_call"] > 0 and report["floor_1000_s"]["moto_cpu"] > 0
    assert "calls per bucket" in markdown(report)
