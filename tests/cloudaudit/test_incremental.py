"""Incremental re-scans on moto, the Cloud Storage emulator and the BigQuery emulator.

Each emulator sits behind the fault tests' recording proxy, so a test counts exactly the object
bodies read (S3 GetObject, Cloud Storage media downloads, BigQuery ``tabledata.list``) by the
real collectors, driven through ``pipeline.extract_environment`` with a state store per test.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudaudit import pipeline
from cloudaudit.config import Environment, Limits
from cloudaudit.incremental import CarryOver, Fingerprint, detection_digest, rescan_mode
from cloudaudit.model import CoverageStatus, Snapshot
from cloudaudit.store import state
from cloudaudit.store.backend import LocalStore
from cloudaudit.store.carryover import previous_snapshot
from tests.faults import data
from tests.faults.emulators import AWS_VARIABLES, bigquery_emulator, moto_server, storage_emulator
from tests.faults.proxy import CLOSE, FaultProxy, Seen

LIMITS = Limits(call_timeout_s=5, max_workers=2, max_objects_per_bucket=10, max_rows=50)
D1, D2, D3 = "2026-11-18", "2026-11-19", "2026-11-20"
_ACCOUNTS = itertools.count(random.Random().randrange(300_000_000_000, 400_000_000_000, 1_000_000))
PROJECT = "th-incremental"


@functools.cache
def s3_objects() -> dict[str, dict[str, bytes]]:
    """Made once: Faker takes a second to start."""
    return {
        "crm": {"customers.csv": data.people_csv(30, seed=1), "contacts.jsonl": data.people_jsonl(20, seed=2)},
        "ops": {"staff.csv": data.people_csv(25, seed=4), "bad.csv.gz": data.corrupt_gzip()},  # bad: PARTIAL
    }


def is_get_object(seen: Seen) -> bool:
    """GetObject (path-style ``/bucket/key``): not an ACL, listing or bucket-level read."""
    parts = [p for p in seen.route.split("/") if p]
    return (seen.method == "GET" and len(parts) >= 2 and parts[0] != "v20180820"  # S3 Control's account reads
            and "acl" not in seen.query and "list-type" not in seen.query)


def is_media_download(seen: Seen) -> bool:
    return seen.method == "GET" and ("alt=media" in seen.query or seen.route.startswith("/download/"))


def is_tabledata_list(seen: Seen) -> bool:
    return seen.method == "GET" and seen.route.endswith("/data")


class Recorder:
    """Counts the body reads a run sends through a proxy."""

    def __init__(self, proxy: FaultProxy, match: Callable[[Seen], bool]) -> None:
        self.proxy, self.match, self.mark = proxy, match, len(proxy.seen)

    def reads(self) -> list[str]:
        """Routes of the matching requests since the last call (then starts again)."""
        seen = self.proxy.seen[self.mark:]
        self.mark = len(self.proxy.seen)
        return sorted(s.route for s in seen if self.match(s))


@pytest.fixture(scope="module")
def aws_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FaultProxy]]:
    with pytest.MonkeyPatch.context() as mp:
        for name in AWS_VARIABLES:
            mp.delenv(name, raising=False)
        empty = tmp_path_factory.mktemp("aws") / "config-empty"
        empty.touch()
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            mp.setenv(name, str(empty))
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("AWS_MAX_ATTEMPTS", "2")
        with moto_server(tmp_path_factory.mktemp("moto-logs")) as url, FaultProxy(url) as proxy:
            yield url, proxy


class S3Estate:
    """One fresh moto account per test: the environment, a seeding client and a body-read counter."""

    def __init__(self, moto_url: str, proxy: FaultProxy, tmp: Path) -> None:
        from cloudaudit_demo.estate.seed_aws import account_session, s3_client

        account = str(next(_ACCOUNTS))
        role = f"arn:aws:iam::{account}:role/cloudaudit-reader"
        self.env = Environment(name=f"jp-incr-{account}", country="JP", provider="aws", account_id=account,
                               regions=("us-east-1",), endpoint_url=proxy.url, role_arn=role)
        self.s3 = s3_client(account_session(moto_url, role), moto_url)  # seeded around the proxy: not counted
        self.prefix = f"i{random.Random().randrange(16**8):08x}"  # bucket names are global on the server
        for bucket, objects in s3_objects().items():
            self.s3.create_bucket(Bucket=self.bucket(bucket))
            for key, body in objects.items():
                self.put(bucket, key, body)
        self.store = LocalStore(tmp / "state")
        self.gets = Recorder(proxy, is_get_object)

    def bucket(self, label: str) -> str:
        return f"{self.prefix}-{label}"

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket(bucket), Key=key, Body=body)

    def run(self, run_date: str, limits: Limits = LIMITS, rescan: str | None = None) -> Snapshot:
        summary = pipeline.extract_environment(self.env, run_date, "live", store=self.store, limits=limits,
                                               rescan=rescan)
        snapshot = state.read_snapshot(self.store, str(summary["snapshot"]))
        assert snapshot is not None and snapshot.status is CoverageStatus.ASSESSED
        return snapshot


@pytest.fixture
def s3(aws_proxy: tuple[str, FaultProxy], tmp_path: Path) -> S3Estate:
    return S3Estate(*aws_proxy, tmp_path)


def samples(snapshot: Snapshot) -> dict[str, Any]:
    return {s.resource.rsplit("/", 2)[-2].split("-", 1)[-1] + "/" + s.resource.rsplit("/", 1)[-1]: s
            for r in snapshot.resources for s in r.samples}


def detections(snapshot: Snapshot) -> dict[str, Any]:
    """What findings are built from, per object: status, format, rows and per-field results."""
    return {name: (s.status, s.format, s.rows_sampled, s.fields) for name, s in samples(snapshot).items()}


# ---- S3 ---------------------------------------------------------------------------------


def test_unchanged_estate_reads_no_object_bodies_and_reports_the_same_findings(s3: S3Estate) -> None:
    first = s3.run(D1)
    read_first = s3.gets.reads()
    assert len(read_first) == 4  # every object, the PARTIAL one included
    assert first.incremental is not None and first.incremental.previous_run_date is None
    assert all(s.carried_over_from is None and s.fingerprint for s in samples(first).values())

    second = s3.run(D2)
    assert s3.gets.reads() == [f"/{s3.bucket('ops')}/bad.csv.gz"]  # only the previous PARTIAL
    assert detections(second) == detections(first)
    carried = {n: s.carried_over_from for n, s in samples(second).items()}
    assert carried == {"crm/customers.csv": D1, "crm/contacts.jsonl": D1, "ops/staff.csv": D1, "ops/bad.csv.gz": None}
    assert second.incremental is not None
    assert (second.incremental.previous_run_date, second.incremental.carried_over) == (D1, 3)
    assert any(f.pii for s in samples(second).values() for f in s.fields)  # the people were found, not lost

    third = s3.run(D3)  # carried twice: still names the run that read the objects
    assert s3.gets.reads() == [f"/{s3.bucket('ops')}/bad.csv.gz"]
    assert samples(third)["crm/customers.csv"].carried_over_from == D1
    assert detections(third) == detections(first)


def test_unchanged_estate_gives_the_same_findings(s3: S3Estate) -> None:
    from cloudaudit.checks.validate import validate_country
    from cloudaudit.config import Inventory, load_policy

    inventory = Inventory.model_validate({"environments": [s3.env.model_dump(mode="json")]})
    policy = load_policy("JP", inventory)
    first = s3.run(D1)
    assert len(s3.gets.reads()) == 4
    second = s3.run(D2)
    assert s3.gets.reads() == [f"/{s3.bucket('ops')}/bad.csv.gz"]
    full, again = validate_country("JP", policy, [first]), validate_country("JP", policy, [second])
    assert again.findings == full.findings
    assert again.pii_inventory == full.pii_inventory and again.pii_inventory
    assert any(f.status.value == "FAIL" for f in full.findings)


def test_a_changed_object_is_read_again_and_only_it(s3: S3Estate) -> None:
    first = s3.run(D1)
    s3.gets.reads()
    old = samples(first)["crm/customers.csv"]
    body = s3_objects()["crm"]["customers.csv"]
    changed = body.replace(b"customer_name", b"customer_nama")  # same size, new content → new ETag
    assert len(changed) == len(body) and changed != body
    s3.put("crm", "customers.csv", changed)

    second = s3.run(D2)
    assert s3.gets.reads() == sorted([f"/{s3.bucket('crm')}/customers.csv", f"/{s3.bucket('ops')}/bad.csv.gz"])
    new = samples(second)["crm/customers.csv"]
    assert new.carried_over_from is None
    assert new.fingerprint["version"] != old.fingerprint["version"] and new.fingerprint["size"] == old.size
    assert samples(second)["crm/contacts.jsonl"].carried_over_from == D1


def test_a_previously_failed_read_is_read_again(s3: S3Estate, aws_proxy: tuple[str, FaultProxy]) -> None:
    proxy = aws_proxy[1]
    rule = proxy.inject(lambda seen: is_get_object(seen) and seen.route.endswith("/staff.csv"), CLOSE)
    first = s3.run(D1)
    proxy.rules.remove(rule)
    assert samples(first)["ops/staff.csv"].status is CoverageStatus.NOT_ASSESSED
    s3.gets.reads()
    second = s3.run(D2)
    assert s3.gets.reads() == sorted([f"/{s3.bucket('ops')}/bad.csv.gz", f"/{s3.bucket('ops')}/staff.csv"])
    assert samples(second)["ops/staff.csv"].status is CoverageStatus.ASSESSED
    assert samples(second)["ops/staff.csv"].carried_over_from is None


def test_changed_limits_or_a_full_rescan_read_everything(s3: S3Estate) -> None:
    s3.run(D1)
    s3.gets.reads()
    s3.run(D2, limits=Limits(**{**LIMITS.as_dict(), "max_rows": 40}))  # another sample shape
    assert len(s3.gets.reads()) == 4
    s3.run(D3, limits=Limits(**{**LIMITS.as_dict(), "max_rows": 40, "max_workers": 1}))  # same shape
    assert len(s3.gets.reads()) == 1
    forced = s3.run("2026-11-21", limits=Limits(**{**LIMITS.as_dict(), "max_rows": 40}), rescan="full")
    assert len(s3.gets.reads()) == 4
    assert forced.incremental is not None and forced.incremental.rescan == "full"
    assert all(s.carried_over_from is None for s in samples(forced).values())


def test_a_later_snapshot_is_never_used(s3: S3Estate) -> None:
    s3.run(D3)
    s3.gets.reads()
    backfill = s3.run(D1)  # a backfill of an earlier date after a later run
    assert len(s3.gets.reads()) == 4
    assert backfill.incremental is not None and backfill.incremental.previous_run_date is None
    assert all(s.carried_over_from is None for s in samples(backfill).values())


def test_carried_over_objects_are_listed_in_the_evidence(s3: S3Estate) -> None:
    from cloudaudit.config import Inventory, load_policy
    from cloudaudit.evidence.layout import pii_member, snapshot_member
    from cloudaudit.evidence.members import bundle_members
    from cloudaudit.handover import ValidationRecord

    s3.run(D1)
    second = s3.run(D2)
    policy = load_policy("JP", Inventory.model_validate({"environments": [s3.env.model_dump(mode="json")]}))
    record = ValidationRecord(country="JP", run_date=D2, policy=policy, snapshots=(), findings=(), pii_inventory=(),
                              resources=(), coverage=(), gx_results={}, data_docs={}, not_assessed=())
    key = state.snapshot_key(D2, s3.env.name)
    members = bundle_members([second], {key: s3.store.read_bytes(key) or b""}, record, "x.xlsx", b"")
    pii = json.loads(members[pii_member(s3.env.name)])
    listed = {row["resource"].rsplit("/", 1)[-1]: row for row in pii["carried_over"]}
    assert sorted(listed) == ["contacts.jsonl", "customers.csv", "staff.csv"]
    assert {row["carried_over_from"] for row in listed.values()} == {D1}
    assert all(row["fingerprint"]["version"] and row["fingerprint"]["modified"] for row in listed.values())
    assert pii["incremental"]["previous_run_date"] == D1 and pii["incremental"]["carried_over"] == 3
    with_pii = {s["resource"].rsplit("/", 1)[-1]: s["carried_over_from"] for s in pii["samples"]}
    assert with_pii and set(with_pii.values()) == {D1}
    snapshot = json.loads(members[snapshot_member(s3.env.name)])
    marked = [s for r in snapshot["resources"] for s in r["samples"] if s["carried_over_from"] == D1]
    assert len(marked) == 3


# ---- Cloud Storage and BigQuery -------------------------------------------------------------


def test_gcs_objects_and_bigquery_tables_are_carried_over_until_they_change(tmp_path: Path) -> None:
    from google.cloud import bigquery

    from cloudaudit_demo.estate.seed_gcp import bigquery_client, storage_client

    with (storage_emulator() as gcs_url, bigquery_emulator() as bq_url, FaultProxy(gcs_url) as gcs,
          FaultProxy(bq_url) as bq):
        storage = storage_client(PROJECT, gcs_url)
        bucket = storage.create_bucket("th-incr-crm")
        bodies = {"customers.csv": data.people_csv(20, seed=5), "contacts.jsonl": data.people_jsonl(15, seed=6)}
        for name, body in bodies.items():
            bucket.blob(name).upload_from_string(body)
        client = bigquery_client(PROJECT, bq_url)
        dataset = bigquery.Dataset(f"{PROJECT}.crm")
        dataset.location = "asia-southeast1"
        client.create_dataset(dataset)
        schema = [bigquery.SchemaField("email", "STRING"), bigquery.SchemaField("name", "STRING")]
        rows = [json.loads(line) for line in data.people_jsonl(10, seed=7).splitlines()]
        for table_id in ("customers", "visits"):
            table = client.create_table(bigquery.Table(f"{PROJECT}.crm.{table_id}", schema=schema))
            assert client.insert_rows_json(table, rows) == []

        env = Environment(name="th-incr", country="TH", provider="gcp", project_id=PROJECT,
                          storage_endpoint=gcs.url, bigquery_endpoint=bq.url)
        store = LocalStore(tmp_path / "state")
        media, tabledata = Recorder(gcs, is_media_download), Recorder(bq, is_tabledata_list)

        def run(run_date: str) -> dict[str, Any]:
            summary = pipeline.extract_environment(env, run_date, "live", store=store, limits=LIMITS)
            snapshot = state.read_snapshot(store, str(summary["snapshot"]))
            assert snapshot is not None
            return {s.resource: s for r in snapshot.resources for s in r.samples}

        first = run(D1)
        assert (len(media.reads()), len(tabledata.reads())) == (2, 2)
        assert all(s.fingerprint and s.carried_over_from is None for s in first.values())

        second = run(D2)
        assert (media.reads(), tabledata.reads()) == ([], [])
        assert {r: s.carried_over_from for r, s in second.items()} == dict.fromkeys(first, D1)
        assert {r: s.fields for r, s in second.items()} == {r: s.fields for r, s in first.items()}

        changed = bodies["customers.csv"].replace(b"customer_name", b"customer_nama")
        bucket.blob("customers.csv").upload_from_string(changed)  # same size, a new generation
        assert client.insert_rows_json(client.get_table(f"{PROJECT}.crm.visits"), rows[:2]) == []
        third = run(D3)
        assert len(media.reads()) == 1 and len(tabledata.reads()) == 1
        fresh = sorted(r for r, s in third.items() if s.carried_over_from is None)
        assert fresh == [f"bq://{PROJECT}.crm.visits", "gs://th-incr-crm/customers.csv"]
        assert third[f"bq://{PROJECT}.crm.visits"].rows_sampled == 12


# ---- the index itself (no cloud) -------------------------------------------------------------


def test_rescan_mode_from_the_param_or_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit.errors import ConfigError

    monkeypatch.delenv("CLOUDAUDIT_RESCAN", raising=False)
    assert (rescan_mode(None), rescan_mode("full"), rescan_mode("incremental")) == ("incremental", "full",
                                                                                     "incremental")
    monkeypatch.setenv("CLOUDAUDIT_RESCAN", "full")
    assert rescan_mode("incremental") == "full"  # the operator's switch wins
    with pytest.raises(ConfigError, match="rescan"):
        rescan_mode("sometimes")
    with pytest.raises(ConfigError, match="params.rescan"):
        pipeline.plan({"rescan": "sometimes"}, D1, inventory=_inventory())


def _inventory() -> Any:
    from cloudaudit.config import Inventory

    return Inventory.model_validate({"environments": [
        {"name": "jp-1", "country": "JP", "provider": "aws", "account_id": "111111111111"}]})


def _snapshot(env: Environment, run_date: str, digest: str, **sample: Any) -> Snapshot:
    from cloudaudit.model import IncrementalRecord, Provider, Resource, SampleResult, Service

    fields: dict[str, Any] = {"resource": "s3://b/k.csv", "status": CoverageStatus.ASSESSED, "bytes_read": 10,
                              "fingerprint": Fingerprint("e1", 10, "2026-11-01T00:00:00+00:00").record(), **sample}
    resource = Resource(resource="s3://b", provider=Provider.AWS, service=Service.S3, kind="bucket",
                        samples=(SampleResult(**fields),))
    return Snapshot(environment=pipeline._env_ref(env), run_date=run_date, captured_at=f"{run_date}T01:00:00Z",
                    resources=(resource,), incremental=IncrementalRecord(rescan="incremental", detection=digest))


def test_the_index_reuses_only_identical_fingerprints_of_complete_reads() -> None:
    env = _inventory().environment("jp-1")
    digest = detection_digest(LIMITS, "JP")
    same = Fingerprint("e1", 10, "2026-11-01T00:00:00+00:00")
    carry = CarryOver.for_environment(env, LIMITS, _snapshot(env, D1, digest))
    reused = carry.reuse("s3://b/k.csv", same)
    assert reused is not None and reused.carried_over_from == D1
    for other in (Fingerprint("e2", 10, same.modified), Fingerprint("e1", 11, same.modified),
                  Fingerprint("e1", 10, "2026-11-02T00:00:00+00:00"), Fingerprint("", 10, same.modified)):
        assert carry.reuse("s3://b/k.csv", other) is None
    assert carry.reuse("s3://b/other.csv", same) is None
    partial = CarryOver.for_environment(env, LIMITS, _snapshot(env, D1, digest, status=CoverageStatus.PARTIAL))
    assert partial.reuse("s3://b/k.csv", same) is None
    other_digest = CarryOver.for_environment(env, LIMITS, _snapshot(env, D1, detection_digest(LIMITS, "TH")))
    assert other_digest.reuse("s3://b/k.csv", same) is None and other_digest.previous_run_date is None
    moved = env.model_copy(update={"account_id": "222222222222"})
    assert CarryOver.for_environment(moved, LIMITS, _snapshot(env, D1, digest)).reuse("s3://b/k.csv", same) is None
    assert detection_digest(LIMITS, "JP") != detection_digest(Limits(**{**LIMITS.as_dict(), "max_fields": 9}), "JP")
    assert detection_digest(LIMITS, "JP") == detection_digest(Limits(**{**LIMITS.as_dict(), "max_workers": 9}), "JP")


def test_previous_snapshot_is_the_newest_before_the_run_date(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    env = _inventory().environment("jp-1")
    digest = detection_digest(LIMITS, "JP")
    for run_date in ("2026-11-10", "2026-11-15", "2026-11-20"):
        state.write_snapshot(store, _snapshot(env, run_date, digest))
    found = previous_snapshot(store, "jp-1", "2026-11-20")
    assert found is not None and found.run_date == "2026-11-15"
    assert previous_snapshot(store, "jp-1", "2026-11-16") is not None
    assert previous_snapshot(store, "jp-1", "2026-11-10") is None  # the later ones are never used
    assert previous_snapshot(store, "jp-1", "2026-12-31") is None  # beyond the look-back
    assert previous_snapshot(store, "jp-2", "2026-11-20") is None
