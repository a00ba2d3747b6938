"""Local and S3 stores: atomic writes, reads, listing; S3 against a real moto server."""

from __future__ import annotations

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
    boto3.client("s3").create_bucket(Bucket="reports")
    try:
        yield "s3://reports/cloudaudit"
    finally:
        import urllib.request

        # moto's backends are process-wide: leave no bucket behind for later tests.
        urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"))
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
    assert store.location("x/y") == "s3://reports/cloudaudit/x/y"


def test_unsupported_location() -> None:
    with pytest.raises(ConfigError, match="unsupported"):
        open_store("gs://bucket/prefix")


def test_s3_store_honours_object_lock_default_retention(s3_root: str) -> None:
    """A bucket with Object Lock and default retention: what we publish is retained by S3."""
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="locked-reports", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket="locked-reports", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}}})
    store = open_store("s3://locked-reports/cloudaudit")
    store.write_bytes("2026-11-20/JP/evidence_JP_2026-11-20.zip", b"PK\x05\x06" + b"\x00" * 18)
    head = s3.head_object(Bucket="locked-reports", Key="cloudaudit/2026-11-20/JP/evidence_JP_2026-11-20.zip")
    assert head["ObjectLockMode"] == "COMPLIANCE"  # (moto's GetObjectRetention answers 500)
    assert (head["ObjectLockRetainUntilDate"] - datetime.now(UTC)).days >= 364
    unlocked = open_store(s3_root)
    unlocked.write_bytes("x.json", b"{}")
    assert "ObjectLockMode" not in s3.head_object(Bucket="reports", Key="cloudaudit/x.json")
