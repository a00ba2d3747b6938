"""Emulators with a fault proxy in front, owned by each test module, and a child-process extract.

Each module gets its own moto server process (its own state: nothing shared with other modules),
its own storage and BigQuery emulators, seeded once; every test adds its faults to the proxies,
which are cleared after it. The collectors run in a child process, so each test also measures
the extract's peak RSS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.config import Environment, Limits
from tests.faults import data
from tests.faults.child import PEAK_RSS_BOUND, Extracted, run_extract
from tests.faults.emulators import bigquery_emulator, hermetic_aws_env, moto_server, storage_emulator
from tests.faults.proxy import FaultProxy

ACCOUNT_ID = "210987654321"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/cloudaudit-reader"
PROJECT = "th-fault-matrix"
S3_OBJECTS = {
    "alpha": {"customers.csv": data.people_csv()},
    "bravo": {"contacts.jsonl": data.people_jsonl()},
    "damaged": {"corrupt.csv.gz": data.corrupt_gzip(), "cut.csv.gz": data.truncated_gzip(),
                "cut.parquet": data.truncated_parquet(), "intact.csv": data.people_csv(10, seed=3)},
}
GCS_OBJECTS = {f"gcs-{name}": objects for name, objects in S3_OBJECTS.items()}


def assert_damaged_bucket_is_partial(result: Extracted, bucket: str) -> None:
    """The ``damaged`` bucket (either cloud): each broken object PARTIAL with its format's reason,
    the gzip cut mid-stream flagged truncated (what it held, never passed off as the whole
    object), the intact one assessed, and the bucket's coverage row naming both reasons."""
    from cloudaudit.model import CoverageStatus

    samples = {s.resource.rsplit("/", 1)[1]: s for s in result.resource(bucket).samples}
    assert samples["corrupt.csv.gz"].status is CoverageStatus.PARTIAL
    assert samples["corrupt.csv.gz"].reason.startswith("gzip: ")
    assert samples["cut.parquet"].status is CoverageStatus.PARTIAL
    assert samples["cut.parquet"].reason.startswith("parquet: ")
    assert samples["cut.csv.gz"].truncated
    assert samples["intact.csv"].status is CoverageStatus.ASSESSED
    row = result.coverage_of(bucket)
    assert row.status is CoverageStatus.PARTIAL
    assert "gzip: " in row.reason and "parquet: " in row.reason
BQ_TABLES = {"crm": ("customers", "orders", "visits"), "ops": ("events",)}
# Small and quick: two attempts per call, three-second timeouts (room for a busy machine), two workers.
LIMITS = Limits(call_timeout_s=3, max_workers=2, max_objects_per_bucket=5, max_rows=50)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "load: the load test (thousands of resources); runs under make test-slow")


@dataclass
class AwsEstate:
    moto_url: str
    proxy: FaultProxy

    def env(self, **overrides: Any) -> Environment:
        fields: dict[str, Any] = {"name": "jp-faults", "country": "JP", "provider": "aws", "account_id": ACCOUNT_ID,
                                  "regions": ("us-east-1",), "endpoint_url": self.proxy.url, "role_arn": ROLE_ARN}
        return Environment(**{**fields, **overrides})


@dataclass
class GcpEstate:
    storage: FaultProxy
    bigquery: FaultProxy

    def env(self, **overrides: Any) -> Environment:
        fields: dict[str, Any] = {"name": "th-faults", "country": "TH", "provider": "gcp", "project_id": PROJECT,
                                  "storage_endpoint": self.storage.url, "bigquery_endpoint": self.bigquery.url}
        return Environment(**{**fields, **overrides})


def seed_s3(moto_url: str) -> None:
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client

    s3 = s3_client(account_session(moto_url, ROLE_ARN), moto_url)
    for bucket, objects in S3_OBJECTS.items():
        s3.create_bucket(Bucket=bucket)
        for key, body in objects.items():
            s3.put_object(Bucket=bucket, Key=key, Body=body)
    # A private policy (the account itself): GetBucketPolicyStatus is only asked of a bucket with one.
    account = ROLE_ARN.split(":")[4]
    s3.put_bucket_policy(Bucket="alpha", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::alpha/*"}]}))


def seed_gcs(url: str) -> None:
    from cloudaudit_demo.estate.seed_gcp import storage_client

    client = storage_client(PROJECT, url)
    for name, objects in GCS_OBJECTS.items():
        bucket = client.create_bucket(name)
        for key, body in objects.items():
            bucket.blob(key).upload_from_string(body)


def seed_bigquery(url: str) -> None:
    from google.cloud import bigquery

    from cloudaudit_demo.estate.seed_gcp import bigquery_client

    client = bigquery_client(PROJECT, url)
    rows = [json.loads(line) for line in data.people_jsonl(30).splitlines()]
    schema = [bigquery.SchemaField("email", "STRING"), bigquery.SchemaField("name", "STRING")]
    for dataset_id, tables in BQ_TABLES.items():
        dataset = bigquery.Dataset(f"{PROJECT}.{dataset_id}")
        dataset.location = "asia-southeast1"
        client.create_dataset(dataset)
        for table_id in tables:
            table = client.create_table(bigquery.Table(f"{PROJECT}.{dataset_id}.{table_id}", schema=schema))
            assert client.insert_rows_json(table, rows) == []


@pytest.fixture(scope="module")
def aws_estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsEstate]:
    logs = tmp_path_factory.mktemp("moto-logs")
    with moto_server(logs) as url:
        seed_s3(url)
        with FaultProxy(url) as proxy:
            yield AwsEstate(url, proxy)


@pytest.fixture(scope="module")
def gcp_estate() -> Iterator[GcpEstate]:
    with storage_emulator() as gcs, bigquery_emulator() as bq:
        seed_gcs(gcs)
        seed_bigquery(bq)
        with FaultProxy(gcs) as storage, FaultProxy(bq) as bigquery:
            yield GcpEstate(storage, bigquery)


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults and recorded requests belong to one test."""
    proxies = [p for name in ("aws_estate", "gcp_estate") if name in request.fixturenames
               for p in _proxies(request.getfixturevalue(name))]
    for proxy in proxies:
        proxy.reset()
    yield
    for proxy in proxies:
        proxy.reset()


def _proxies(estate: Any) -> list[FaultProxy]:
    return [estate.proxy] if isinstance(estate, AwsEstate) else [estate.storage, estate.bigquery]


Extract = Callable[..., Extracted]


@pytest.fixture
def extract(tmp_path: Path) -> Extract:
    """``extract(env, limits=LIMITS, max_attempts=2)``: the snapshot from a child process, checked
    to have stayed under the extract task's memory bound."""

    def run(env: Environment, limits: Limits = LIMITS, *, max_attempts: int = 2, **extra_env: str) -> Extracted:
        process_env = hermetic_aws_env(tmp_path, max_attempts=max_attempts, **extra_env)
        result = run_extract(env, limits, tmp_path / "child", process_env=process_env)
        assert 0 < result.peak_rss_bytes < PEAK_RSS_BOUND, result.peak_rss_bytes
        return result

    return run
