"""The contract alone: an estate built here with standard client calls, not by our seeder.

`cloudaudit estate serve bigquery` is started as a user would start it and seeded through
google-cloud-bigquery's standard write calls; S3 lives in an account reached through a role.
Headers, buckets and one country (KR, no policy file) are unlike the demo's. The pipeline
runs from an inventory written here, and the reports are read back by their SPEC paths.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cloudaudit import pipeline
from cloudaudit.model import PiiType
from cloudaudit_demo import synth
from tests.e2e.harness import sheet_rows
from tests.leaks import LeakSearcher, assert_no_leaks, files_under

RUN_DATE = "2026-11-21"
KR_ACCOUNT = "210987654321"
KR_ROLE = f"arn:aws:iam::{KR_ACCOUNT}:role/cloudaudit-reader"
PROJECT = "id-fleet-analytics"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def bigquery_url() -> Iterator[str]:
    port = free_port()
    cli = str(Path(sys.executable).with_name("cloudaudit"))
    proc = subprocess.Popen([cli, "estate", "serve", "bigquery", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        # moto's backends are process-wide: remove what this module made, and only that (a global
        # reset would also wipe the accounts of tests that happen to share the process).
        remove_s3(f"http://{host}:{port}")
        server.stop()


def seed_bigquery(url: str, rng: random.Random, planted: dict[str, set[str]]) -> None:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    client = bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                             client_options=ClientOptions(api_endpoint=url))
    dataset = bigquery.Dataset(f"{PROJECT}.bengkel")
    dataset.location = "US"
    dataset = client.create_dataset(dataset)
    dataset.access_entries = [*dataset.access_entries,
                              bigquery.AccessEntry("READER", "specialGroup", "allAuthenticatedUsers")]
    client.update_dataset(dataset, ["access_entries"])
    tag = bigquery.PolicyTagList(names=["projects/p/locations/us/taxonomies/1/policyTags/2"])
    schema = [
        bigquery.SchemaField("nama_lengkap", "STRING", policy_tags=tag),
        bigquery.SchemaField("no_ktp", "STRING"),
        bigquery.SchemaField("kontak", "RECORD", fields=[bigquery.SchemaField("no_hp", "STRING"),
                                                         bigquery.SchemaField("surel", "STRING")]),
        bigquery.SchemaField("nopol", "STRING"),
        bigquery.SchemaField("jarak_tempuh_km", "INTEGER"),
    ]
    table = client.create_table(bigquery.Table(f"{PROJECT}.bengkel.servis", schema=schema))
    rows = []
    for _ in range(40):
        rec = synth.record("ID", rng)
        rows.append({"nama_lengkap": rec["name"], "no_ktp": rec["national_id"],
                     "kontak": {"no_hp": rec["phone"], "surel": rec["email"]}, "nopol": rec["plate"],
                     "jarak_tempuh_km": rng.randrange(1000, 200000)})
        for key, pii_type in (("name", "PERSON_NAME"), ("national_id", "NATIONAL_ID"), ("phone", "PHONE_NUMBER"),
                              ("email", "EMAIL_ADDRESS"), ("plate", "VEHICLE_REGISTRATION")):
            planted.setdefault(pii_type, set()).add(rec[key])
    assert client.insert_rows(table, rows) == []


def kr_s3(url: str) -> Any:
    import boto3

    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    creds = sts.assume_role(RoleArn=KR_ROLE, RoleSessionName="seed")["Credentials"]
    return boto3.client("s3", endpoint_url=url, region_name="ap-northeast-2",
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def remove_s3(url: str) -> None:
    s3 = kr_s3(url)
    for bucket in s3.list_buckets()["Buckets"]:
        for obj in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            s3.delete_object(Bucket=bucket["Name"], Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket["Name"])


def seed_s3(url: str, rng: random.Random, planted: dict[str, set[str]]) -> None:
    import json

    s3 = kr_s3(url)
    s3.create_bucket(Bucket="kr-rental-exports", ACL="public-read",
                     CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    def draw(pii_type: PiiType) -> str:
        value = synth.value(pii_type, "AU", rng)
        planted.setdefault(str(pii_type), set()).add(value)
        return value

    records = [{"customer": {"fullName": draw(PiiType.PERSON_NAME), "mail": draw(PiiType.EMAIL_ADDRESS)},
                "card": draw(PiiType.CREDIT_CARD), "chassis": draw(PiiType.VIN)} for _ in range(30)]
    s3.put_object(Bucket="kr-rental-exports", Key="2024/rentals.json", Body=json.dumps(records).encode())


@dataclass
class Published:
    out: Path
    root: Path
    planted: dict[str, set[str]]
    records: list[tuple[str, str]]  # every log record of the run, at every level: (logger, formatted text)


@pytest.fixture(scope="module")
def run(bigquery_url: str, moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    rng = random.Random(20261121)
    planted: dict[str, set[str]] = {}
    seed_bigquery(bigquery_url, rng, planted)
    seed_s3(moto_url, rng, planted)
    root = tmp_path_factory.mktemp("unseen")
    inventory = root / "inventory.yaml"
    inventory.write_text(f"""
environments:
  - name: id-fleet
    country: ID
    provider: gcp
    project_id: {PROJECT}
    bigquery_endpoint: {bigquery_url}
    storage_endpoint: http://127.0.0.1:{free_port()}
  - name: kr-rental
    country: KR
    provider: aws
    account_id: "{KR_ACCOUNT}"
    regions: [ap-northeast-2]
    endpoint_url: {moto_url}
    role_arn: {KR_ROLE}
""")
    saved = {k: os.environ.get(k) for k in ("CLOUDAUDIT_INVENTORY", "CLOUDAUDIT_STATE", "CLOUDAUDIT_OUTPUT",
                                            "CLOUDAUDIT_SIGNING_KEY", "AWS_ACCESS_KEY_ID",
                                            "AWS_SECRET_ACCESS_KEY", "CLOUDAUDIT_SIGNING_KEY_GENERATE")}
    os.environ.update({"CLOUDAUDIT_INVENTORY": str(inventory), "CLOUDAUDIT_STATE": str(root / "state"),
                       "CLOUDAUDIT_OUTPUT": str(root / "out"), "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "CLOUDAUDIT_SIGNING_KEY_GENERATE": "1"})
    os.environ.pop("CLOUDAUDIT_SIGNING_KEY", None)
    records = _Records()
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.addHandler(records)
    root_logger.setLevel(logging.DEBUG)
    try:
        chunks = pipeline.plan({}, RUN_DATE)
        extracted = [pipeline.extract_chunk(chunk) for chunk in chunks]
        for job in pipeline.group_by_country(chunks, extracted):
            pipeline.publish_country(pipeline.validate_job(job))
        yield Published(out=root / "out", root=root, planted=planted, records=records.records)
    finally:
        root_logger.removeHandler(records)
        root_logger.setLevel(level)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def published(run: Published) -> Path:
    return run.out


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, str]] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s %(args)r"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, self.format(record)))  # the message, its args, any traceback


def report(out: Path, cc: str) -> tuple[Path, Path]:
    return (out / RUN_DATE / cc / f"compliance_{cc}_{RUN_DATE}.xlsx",
            out / RUN_DATE / cc / f"evidence_{cc}_{RUN_DATE}.zip")


def failed(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(r["Check ID"], r["Resource"]) for r in rows if r["Status"] == "FAIL"}


def test_reports_exist_and_verify(published: Path) -> None:
    for cc in ("ID", "KR"):
        xlsx, bundle = report(published, cc)
        assert xlsx.exists()
        proc = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bigquery_seeded_with_standard_calls_is_audited(published: Path) -> None:
    xlsx, _ = report(published, "ID")
    fails = failed(sheet_rows(xlsx, "Findings"))
    table, dataset = f"bq://{PROJECT}.bengkel.servis", f"bq://{PROJECT}.bengkel"
    assert {("gcp_bq_dataset_public", dataset), ("gcp_bq_pii_column_untagged", table),
            ("gcp_bq_pii_public", table), ("gcp_bq_pii_residency", table)} <= fails
    untagged = [r for r in sheet_rows(xlsx, "Findings") if r["Check ID"] == "gcp_bq_pii_column_untagged"]
    assert "no_ktp" in untagged[0]["Detail"] and "nama_lengkap" not in untagged[0]["Detail"]
    found = {(r["Field"], r["PII Type"]) for r in sheet_rows(xlsx, "PII Inventory") if r["Resource"] == table}
    assert {("no_ktp", "NATIONAL_ID"), ("kontak.no_hp", "PHONE_NUMBER"), ("kontak.surel", "EMAIL_ADDRESS"),
            ("nopol", "VEHICLE_REGISTRATION")} <= found
    assert not any(field == "jarak_tempuh_km" for field, _ in found)
    coverage = {r["Resource"]: r["Status"] for r in sheet_rows(xlsx, "Coverage")}
    assert coverage[table] == "ASSESSED"


def test_country_without_policy_still_reported(published: Path) -> None:
    xlsx, _ = report(published, "KR")
    fails = failed(sheet_rows(xlsx, "Findings"))
    assert {("aws_s3_bucket_public_acl", "s3://kr-rental-exports"),
            ("aws_s3_pii_public", "s3://kr-rental-exports")} <= fails
    found = {(r["Field"], r["PII Type"]) for r in sheet_rows(xlsx, "PII Inventory")}
    assert {("customer.mail", "EMAIL_ADDRESS"), ("card", "CREDIT_CARD"), ("chassis", "VIN")} <= found
    residency = [r for r in sheet_rows(xlsx, "Findings") if r["Check ID"] == "aws_s3_pii_residency"]
    assert [r["Status"] for r in residency] == ["NOT_ASSESSED"]  # no allowed locations on file for KR
    assert "no allowed storage locations" in residency[0]["Detail"]


def test_no_seeded_value_in_any_output_or_log_record(run: Published) -> None:
    """Values seeded here (not by our seeder): reports, bundles, snapshots, state, every log record."""
    assert sum(len(v) for v in run.planted.values()) >= 300
    logged = [(f"log record {name}", text) for name, text in run.records]
    assert logged, "the run logged nothing: the log capture is not working"
    outputs = [*files_under(run.root), *logged]
    assert any(".xlsx!xl/worksheets/" in w for w, _ in outputs) and any("/snapshots/" in w for w, _ in outputs)
    assert_no_leaks(LeakSearcher(run.planted), outputs, min_chars=100_000)
