"""Load: 2,000 S3 buckets and 300 BigQuery tables across 20 environments, scanned with full coverage.

Ten AWS accounts of 200 buckets (each holding one CSV of synthetic customers) on one moto
server, ten GCP projects of 30 tables (each with its own, empty, storage emulator, as a project
needs). Each environment is extracted in its own child process, as the extract task would be:
every resource ASSESSED, PII found in every sample, and the child's peak RSS under the extract
task's bound. Time and memory are printed for docs/reliability.md, never asserted.

Slow (minutes): it runs only with ``CLOUDAUDIT_SLOW=1``, which ``make test-slow`` sets.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from cloudaudit.config import Environment, Limits
from cloudaudit.model import CoverageStatus
from tests.faults import data
from tests.faults.child import PEAK_RSS_BOUND, Extracted, run_extract
from tests.faults.emulators import bigquery_emulator, hermetic_aws_env, moto_server, storage_emulator

pytestmark = [
    pytest.mark.slow, pytest.mark.load, pytest.mark.timeout(3600),
    pytest.mark.skipif(os.environ.get("CLOUDAUDIT_SLOW") != "1",
                       reason="load test: minutes long; set CLOUDAUDIT_SLOW=1 (make test-slow does)"),
    pytest.mark.ci_may_skip("the load test runs in `make test-slow`, not in `make test` (the 15-minute suite)"),
]

AWS_ACCOUNTS = 10
BUCKETS_PER_ACCOUNT = 200
GCP_PROJECTS = 10
TABLES_PER_PROJECT = 30
LIMITS = Limits(call_timeout_s=20, max_workers=8, max_objects_per_bucket=5, max_rows=100)


@dataclass
class LoadEstate:
    environments: list[Environment]
    workdir: Path


def _account_id(index: int) -> str:
    return f"7000000000{index:02d}"


def _seed_account(moto: str, index: int) -> Environment:
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client

    account = _account_id(index)
    role = f"arn:aws:iam::{account}:role/cloudaudit-reader"
    s3 = s3_client(account_session(moto, role), moto)
    body = data.people_csv(20, seed=index)

    def one(n: int) -> None:
        bucket = f"load-{account}-{n:03d}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="crm/customers.csv", Body=body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(BUCKETS_PER_ACCOUNT)))
    return Environment(name=f"load-aws-{index:02d}", country="JP", provider="aws", account_id=account,
                       regions=("us-east-1",), endpoint_url=moto, role_arn=role)


def _seed_project(bigquery_url: str, storage_url: str, index: int) -> Environment:
    from google.cloud import bigquery

    from cloudaudit_demo.estate.seed_gcp import bigquery_client

    project = f"load-project-{index:02d}"
    client = bigquery_client(project, bigquery_url)
    dataset = bigquery.Dataset(f"{project}.crm")
    dataset.location = "asia-southeast1"
    client.create_dataset(dataset)
    rows = [json.loads(line) for line in data.people_jsonl(20, seed=index).splitlines()]
    schema = [bigquery.SchemaField("email", "STRING"), bigquery.SchemaField("name", "STRING")]
    for n in range(TABLES_PER_PROJECT):
        table = client.create_table(bigquery.Table(f"{project}.crm.customers_{n:02d}", schema=schema))
        assert client.insert_rows_json(table, rows) == []
    return Environment(name=f"load-gcp-{index:02d}", country="TH", provider="gcp", project_id=project,
                       bigquery_endpoint=bigquery_url, storage_endpoint=storage_url)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadEstate]:
    workdir = tmp_path_factory.mktemp("load")
    with ExitStack() as stack:
        moto = stack.enter_context(moto_server(workdir / "logs"))
        bigquery_url = stack.enter_context(bigquery_emulator())
        environments = [_seed_account(moto, i) for i in range(AWS_ACCOUNTS)]
        for i in range(GCP_PROJECTS):
            storage_url = stack.enter_context(storage_emulator())  # one per project: it ignores projects
            environments.append(_seed_project(bigquery_url, storage_url, i))
        yield LoadEstate(environments, workdir)


def test_twenty_environments_two_thousand_buckets_three_hundred_tables_full_coverage(estate: LoadEstate) -> None:
    results: list[tuple[Environment, Extracted, float]] = []
    for env in estate.environments:
        started = time.monotonic()
        result = run_extract(env, LIMITS, estate.workdir / env.name,
                             process_env=hermetic_aws_env(estate.workdir, max_attempts=5), timeout_s=1800)
        results.append((env, result, time.monotonic() - started))

    buckets = tables = 0
    for env, result, _ in results:
        assert result.snapshot.status is CoverageStatus.ASSESSED, (env.name, result.snapshot.reason)
        assert result.snapshot.account_read_errors == {}, env.name
        for row in result.coverage():
            assert row.status is CoverageStatus.ASSESSED, row
        for resource in result.snapshot.resources:
            if resource.kind == "bucket":
                buckets += 1
                assert resource.objects_sampled == 1
            if resource.kind in ("bucket", "table"):
                assert any(f.pii for s in resource.samples for f in s.fields), resource.resource
            tables += resource.kind == "table"
        assert result.peak_rss_bytes < PEAK_RSS_BOUND, (env.name, result.peak_rss_bytes)
    assert (len(results), buckets, tables) == (20, AWS_ACCOUNTS * BUCKETS_PER_ACCOUNT,
                                               GCP_PROJECTS * TABLES_PER_PROJECT)
    report(results)


def report(results: list[tuple[Environment, Extracted, float]]) -> None:
    """One line per provider for the reliability docs (printed: timings are not assertions)."""
    for provider in ("aws", "gcp"):
        mine = [(r, wall) for env, r, wall in results if env.provider == provider]
        collect = [r.snapshot.duration_s for r, _ in mine]
        print(f"\nload {provider}: {len(mine)} environments, collect {min(collect):.1f}-{max(collect):.1f} s "
              f"(total {sum(collect):.0f} s), child wall incl. start-up {sum(w for _, w in mine):.0f} s, "
              f"peak RSS max {max(r.peak_rss_bytes for r, _ in mine) / 2**20:.0f} MiB")
