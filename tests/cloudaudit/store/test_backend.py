"""Local and S3 stores: atomic writes, reads, listing; S3 against a real moto server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cloudaudit.errors import ConfigError
from cloudaudit.store.backend import LocalStore, Store, open_store


@pytest.fixture
def s3_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = boto3.client("s3")
    bucket = f"reports-{uuid.uuid4().hex[:12]}"  # moto's state is process-wide: a name no other test uses
    s3.create_bucket(Bucket=bucket)
    try:
        yield f"s3://{bucket}/cloudaudit"
    finally:
        # Remove this bucket only: a global moto reset would wipe other modules' accounts mid-session.
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)
        server.stop()


def exercise(store: Store) -> None:
    assert store.read_bytes("a/b.json") is None
    store.write_bytes("a/b.json", b"{}")
    store.write_bytes("a/c/d.bin", b"\x00\x01")
    store.write_bytes("a/b.json", b'{"v": 2}')
    assert store.read_bytes("a/b.json") == b'{"v": 2}'
    assert store.list_keys("a/") == ["a/b.json", "a/c/d.bin"]
    assert store.exists("a/c/d.bin")
    with pytest.raises(ValueError):
        store.write_bytes("../escape", b"x")


def test_local_store(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    assert isinstance(store, LocalStore)
    exercise(store)
    assert not list(tmp_path.rglob("*.part"))


def test_s3_store(s3_root: str) -> None:
    store = open_store(s3_root)
    exercise(store)
    assert store.location("x/y") == f"{s3_root}/x/y"


def test_unsupported_location() -> None:
    with pytest.raises(ConfigError, match="unsupported"):
        open_store("gs://bucket/prefix")


def test_s3_store_honours_object_lock_default_retention(s3_root: str) -> None:
    """A bucket with Object Lock and default retention: what we publish is retained by S3."""
    import boto3

    s3 = boto3.client("s3")
    locked = f"locked-reports-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}}})
    store = open_store(f"s3://{locked}/cloudaudit")
    store.write_bytes("2026-11-20/JP/evidence_JP_2026-11-20.zip", b"PK\x05\x06" + b"\x00" * 18)
    head = s3.head_object(Bucket=locked, Key="cloudaudit/2026-11-20/JP/evidence_JP_2026-11-20.zip")
    assert head["ObjectLockMode"] == "COMPLIANCE"  # (moto's GetObjectRetention answers 500)
    assert (head["ObjectLockRetainUntilDate"] - datetime.now(UTC)).days >= 364
    unlocked = open_store(s3_root)
    unlocked.write_bytes("x.json", b"{}")
    bucket, prefix = s3_root.removeprefix("s3://").split("/", 1)
    assert "ObjectLockMode" not in s3.head_object(Bucket=bucket, Key=f"{prefix}/x.json")
