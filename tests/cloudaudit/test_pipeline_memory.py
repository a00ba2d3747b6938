"""Flat memory in the validate and publish steps (issue 18): nothing holds the country's parsed
snapshots while the suites run, nor its findings from before First Seen while the validation
record is serialised, nor after; publishing parses one snapshot at a time and keeps only the
resources the breach assessment estimates.

Run in a fresh interpreter: the first import of Great Expectations in a process is the case that
kept a step's frames (and their snapshots) alive for good (``pipeline.import_detached``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cloudaudit.model import PiiType, Provider, Snapshot
from cloudaudit.store import state
from cloudaudit.store.backend import open_store
from tests.cloudaudit.checks.snapshots import ALL_USERS, BPA_OFF, acl, field, s3_bucket, sample, snapshot

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("jp-mem-1", "jp-mem-2")

CHILD = '''
import gc, json, sys
from cloudaudit import pipeline
from cloudaudit.config import Inventory
from cloudaudit.model import Finding, Resource, Snapshot
from cloudaudit.store import state
from cloudaudit.checks import suites

ENVIRONMENTS = tuple(sys.argv[2:])
seen = {"great_expectations imported before": "great_expectations" in sys.modules}
write = state.write_validation
run_suites = suites.run_suites


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


def suites_spy(*args, **kwargs):
    seen["while the suites run"] = alive()[0]
    return run_suites(*args, **kwargs)


state.write_validation = spy
suites.run_suites = suites_spy
inventory = Inventory.model_validate({"environments": [
    {"name": name, "country": "JP", "provider": "aws", "account_id": "111111111111"} for name in ENVIRONMENTS]})
ref = pipeline.validate_job({"country": "JP", "run_date": "2026-11-20", "snapshots": sys.argv[1].split(","),
                             "missing": []}, inventory)
seen["after"] = alive()
notification_rows = pipeline.notification_rows


def notification_spy(findings, resources, *args):
    gc.collect()
    seen["resources held"] = sorted(o.resource for o in gc.get_objects() if isinstance(o, Resource))
    return notification_rows(findings, resources, *args)


pipeline.notification_rows = notification_spy
built = pipeline.build_country_report(ref)
seen["after building the report"] = alive(built.data)[0]
seen["exposed"] = sorted({f.resource for f in built.data.findings
                          if f.status.value == "FAIL" and f.category.value == "PII_EXPOSURE"})
seen["members"] = sorted(built.members)
bpa_off = [f for f in built.data.findings if f.check_id == "aws_s3_block_public_access_off" and f.status.value == "FAIL"]
seen["bpa findings"] = sum(1 for f in bpa_off if f.remediation)
seen["remediation copies"] = len({id(f.remediation) for f in bpa_off})
print(json.dumps(seen))
'''


def _snapshot(name: str) -> Snapshot:
    """20 buckets with e-mail addresses; every fifth readable by anyone (an exposure to estimate)."""
    public: dict[str, Any] = {"acl": acl(ALL_USERS), "public_access_block": BPA_OFF}
    buckets = [s3_bucket(f"{name}-b{i}", samples=(sample(f"s3://{name}-b{i}/c.csv",
                                                          field("email", PiiType.EMAIL_ADDRESS)),),
                         **(public if i % 5 == 0 else {}))
               for i in range(20)]
    return snapshot(name, Provider.AWS, *buckets)


def _run_child(tmp_path: Path) -> dict[str, Any]:
    store = open_store(str(tmp_path / "state"))
    keys = [state.write_snapshot(store, _snapshot(name)) for name in ENVIRONMENTS]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'include'}:{REPO}", "CLOUDAUDIT_STATE": str(tmp_path / "state"),
           "GX_ANALYTICS_ENABLED": "false", "TQDM_DISABLE": "1", "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", CHILD, ",".join(keys), *ENVIRONMENTS], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    seen: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return seen


def test_validate_holds_no_snapshot_nor_stale_finding(tmp_path: Path) -> None:
    seen = _run_child(tmp_path)
    assert seen["great_expectations imported before"] is False  # the first import happens in the step
    assert seen["findings"] > 40  # the checks ran over both environments' buckets
    assert seen["while writing"] == [0, 0], "snapshots or pre-First-Seen findings held while the record is written"
    assert seen["after"] == [0, 0], "snapshots or findings of the step still held after it returned"
    assert seen["while the suites run"] == 0, "parsed snapshots held while the suites run"


def test_publish_parses_one_snapshot_at_a_time_and_keeps_only_exposed_resources(tmp_path: Path) -> None:
    seen = _run_child(tmp_path)
    assert len(seen["exposed"]) == 8  # every fifth bucket of each environment: public, with e-mail addresses
    assert seen["after building the report"] == 0, "a parsed snapshot outlived the report it was read for"
    assert seen["resources held"] == seen["exposed"], "resources held beyond the exposures the assessment estimates"
    assert seen["members"] == sorted([f"snapshots/{n}.json" for n in ENVIRONMENTS] + [f"pii/{n}.json" for n in ENVIRONMENTS])
    assert seen["bpa findings"] >= 8 and seen["remediation copies"] == 1  # one text, not one per finding
