"""Helpers for the durability tests: stores on disk or on a moto server, synthetic validation
results, and the bodies of the child processes that the tests SIGKILL (spawned, so they live in
an importable module, not in a test file)."""

from __future__ import annotations

import io
import os
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

RUN_DATE = "2026-11-20"
CHILD_TIMEOUT_S = 120  # a child that is never killed or released exits on its own after this


@dataclass(frozen=True)
class Roots:
    kind: str  # "local" or "s3"
    state: str
    output: str


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on loopback (its endpoint), reset and stopped afterwards."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        # moto's backends are process-wide: leave nothing behind for later tests.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        server.stop()


@contextmanager
def publish_roots(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Roots]:
    """State and output roots of one kind, exported as the pipeline's environment (children
    spawned later inherit it), with a signing key file shared by every process."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cloudaudit.evidence.signing import private_key_pem

    key = tmp_path / "signing_key.pem"
    key.write_bytes(private_key_pem(Ed25519PrivateKey.generate()))
    monkeypatch.setenv("CLOUDAUDIT_SIGNING_KEY", str(key))
    if kind == "local":
        roots = Roots("local", str(tmp_path / "state"), str(tmp_path / "output"))
        monkeypatch.setenv("CLOUDAUDIT_STATE", roots.state)
        monkeypatch.setenv("CLOUDAUDIT_OUTPUT", roots.output)
        yield roots
        return
    import boto3

    with moto_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="ca-state")
        s3.create_bucket(Bucket="ca-reports")
        roots = Roots("s3", "s3://ca-state/state", "s3://ca-reports/out")
        monkeypatch.setenv("CLOUDAUDIT_STATE", roots.state)
        monkeypatch.setenv("CLOUDAUDIT_OUTPUT", roots.output)
        yield roots


def seed_validation(run_date: str = RUN_DATE, seed: int = 3) -> dict[str, Any]:
    """A synthetic validation result for JP stored as validate would store it; publish's input."""
    from cloudaudit.config import state_root
    from cloudaudit.store import state
    from cloudaudit.store.backend import open_store
    from tests.cloudaudit.reports.reportfactory import make_report

    report = make_report(seed=seed, n_findings=12)
    key = state.validation_key(run_date, "JP")
    state.write_json(open_store(state_root()), key, {
        "country": "JP", "run_date": run_date, "policy": report.policy.model_dump(mode="json"),
        "snapshots": [], "findings": [f.model_dump(mode="json") for f in report.findings],
        "pii_inventory": [r.model_dump(mode="json") for r in report.pii_inventory],
        "resources": [r.model_dump(mode="json") for r in report.resources],
        "coverage": [r.model_dump(mode="json") for r in report.coverage],
        "gx_results": {}, "data_docs": {}, "not_assessed": [],
    })
    return {"country": "JP", "run_date": run_date, "validation": key}


def member(bundle: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return archive.read(name)


def _pause_hook(target: str, after: int, paused: Any, release: Any) -> None:
    """Make the store stop in the middle of writing a key containing ``target``: signal ``paused``, then wait for
    ``release`` (None: wait to be killed). Writes go in 1 KiB chunks so "the middle" exists."""
    from cloudaudit.store import backend

    backend.WRITE_CHUNK = 1024
    fired = threading.Event()

    def hook(location: str, done: int) -> None:
        if fired.is_set() or target not in location or done < after:
            return
        if location.startswith("s3://") and not _sending():
            return  # botocore reads the body to checksum and sign it first: stop once it is on the wire
        fired.set()
        paused.set()
        if release is None:
            threading.Event().wait(CHILD_TIMEOUT_S)  # SIGKILL arrives here
            os._exit(3)
        if not release.wait(CHILD_TIMEOUT_S):
            os._exit(4)

    backend.write_progress = hook


def _sending() -> bool:
    """True when called from inside urllib3, which sends the PUT body as it reads it."""
    import traceback

    return any("urllib3" in frame.filename for frame in traceback.extract_stack())


def publish_child(validated: dict[str, Any], target: str, after: int, paused: Any, release: Any,
                  results: Any = None) -> None:
    """Child process: publish the country, stopping in the middle of writing ``target``."""
    from cloudaudit.pipeline import publish_country
    from cloudaudit.store import state

    _pause_hook(target, after, paused, release)
    published = publish_country(validated, run_id=f"child-{os.getpid()}")  # the manifest names the run
    if results is not None:
        from cloudaudit.config import state_root
        from cloudaudit.store.backend import open_store

        # publish_country reports the bundle at the SPEC paths; the run's own is its staged copy
        record = state.read_json(open_store(state_root()), state.chain_key(validated["country"],
                                                                           validated["run_date"]))
        own = [e["sha256"] for e in [record, *record["superseded"]] if e["run_id"] == f"child-{os.getpid()}"]
        results.put({"run_id": f"child-{os.getpid()}", "sha256": published.bundle_sha256, "own": own})


def snapshot_child(state_root: str, run_date: str, endpoint: str, paused: Any) -> None:
    """Child process: write an environment's snapshot and die before its completion marker."""
    from cloudaudit import pipeline
    from cloudaudit.store import state
    from cloudaudit.store.backend import open_store

    _pause_hook(".json" + state.COMPLETE, 1, paused, None)
    state.write_snapshot(open_store(state_root), pipeline.not_assessed_snapshot(
        dead_environment(endpoint), run_date, "captured before the crash"))


def dead_environment(endpoint: str) -> Any:
    from cloudaudit.config import Inventory

    return Inventory.model_validate({"environments": [{
        "name": "jp-dead", "country": "JP", "provider": "aws", "account_id": "111111111111",
        "endpoint_url": endpoint}]}).environment("jp-dead")
