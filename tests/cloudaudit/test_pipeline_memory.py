"""Flat memory in the validate step (issue 18): nothing holds the country's parsed snapshots, or
its findings from before First Seen, while the validation record is serialised, nor after.

Run in a fresh interpreter: the first import of Great Expectations in a process is the case that
kept a step's frames (and their snapshots) alive for good (``pipeline.import_detached``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cloudaudit.model import PiiType, Provider, Snapshot
from cloudaudit.store import state
from cloudaudit.store.backend import open_store
from tests.cloudaudit.checks.snapshots import field, s3_bucket, sample, snapshot

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("jp-mem-1", "jp-mem-2")

CHILD = '''
import gc, json, sys
from cloudaudit import pipeline
from cloudaudit.config import Inventory
from cloudaudit.model import Finding, Snapshot
from cloudaudit.store import state

ENVIRONMENTS = tuple(sys.argv[2:])
seen = {"great_expectations imported before": "great_expectations" in sys.modules}
write = state.write_validation


def alive(record=None):
    gc.collect()
    objects = gc.get_objects()
    kept = {id(f) for f in record.findings} if record is not None else set()
    return (sum(1 for o in objects if isinstance(o, Snapshot) and o.environment.name in ENVIRONMENTS),
            sum(1 for o in objects if isinstance(o, Finding) and o.environment in ENVIRONMENTS and id(o) not in kept))


def spy(store, record):
    seen["while writing"] = alive(record)
    seen["findings"] = len(record.findings)
    return write(store, record)


state.write_validation = spy
inventory = Inventory.model_validate({"environments": [
    {"name": name, "country": "JP", "provider": "aws", "account_id": "111111111111"} for name in ENVIRONMENTS]})
ref = pipeline.validate_job({"country": "JP", "run_date": "2026-11-20", "snapshots": sys.argv[1].split(","),
                             "missing": []}, inventory)
seen["after"] = alive()
print(json.dumps(seen))
'''


def _snapshot(name: str) -> Snapshot:
    buckets = [s3_bucket(f"{name}-b{i}", samples=(sample(f"s3://{name}-b{i}/c.csv",
                                                          field("email", PiiType.EMAIL_ADDRESS)),))
               for i in range(20)]
    return snapshot(name, Provider.AWS, *buckets)


def test_validate_holds_no_snapshot_nor_stale_finding(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "state"))
    keys = [state.write_snapshot(store, _snapshot(name)) for name in ENVIRONMENTS]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'include'}:{REPO}", "CLOUDAUDIT_STATE": str(tmp_path / "state"),
           "GX_ANALYTICS_ENABLED": "false", "TQDM_DISABLE": "1", "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", CHILD, ",".join(keys), *ENVIRONMENTS], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["great_expectations imported before"] is False  # the first import happens in the step
    assert seen["findings"] > 40  # the checks ran over both environments' buckets
    assert seen["while writing"] == [0, 0], "snapshots or pre-First-Seen findings held while the record is written"
    assert seen["after"] == [0, 0], "snapshots or findings of the step still held after it returned"
