"""Benchmark: what an incremental re-scan of an unchanged estate costs beside a full run.

    .venv/bin/python benchmarks/incremental_rescan.py [--buckets 10] [--objects 20]
    make bench

A moto server (its own process, loopback) holds one account of ``buckets`` x ``objects``
synthetic CSV and JSON Lines objects (default 200). The extract of one environment runs
through ``pipeline.extract_environment`` with the default limits:

1. warm-up (imports, compiled detectors), a full read, date D1;
2. ``rescan=full`` on D2: the measured full run;
3. ``rescan=incremental`` on D3: the measured re-run over the unchanged estate;
4. one object replaced (same size, new content), incremental on D4: it alone is read.

Twice, on two accounts of the same server: buckets with object ownership ``BucketOwnerEnforced``
(ACLs disabled: AWS's default for every bucket created since April 2023, which moto does not
apply by itself) and buckets with ACLs enabled (older buckets), whose objects' ACLs are read on
every run, carried over or not, because an ACL can change without changing the object.

For each: wall seconds, this process's CPU seconds, GetObject calls (a counting wrapper around
the collector's one read function) and bytes read. Target (issue 18): the re-run costs <= 20%
of the full run. Results go to ``benchmarks/results/incremental_rescan.{json,md}``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ESTATES = {  # label -> (account, ownership controls of its buckets)
    "ACLs disabled (AWS default)": ("444455556666", "BucketOwnerEnforced"),
    "ACLs enabled": ("444455557777", None),
}


def role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/cloudaudit-reader"


@contextmanager
def moto() -> Iterator[str]:
    from cloudaudit_demo.estate.ports import free_port, http_ready, wait_until
    from cloudaudit_demo.estate.processes import terminate_group

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: http_ready(f"{url}/moto-api/"), deadline_s=60):
            raise RuntimeError("moto server did not start")
        yield url
    finally:
        terminate_group(proc.pid)
        proc.wait(timeout=10)


def objects(count: int, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Alternating CSV and JSON Lines of 200 synthetic customers each (JP)."""
    from cloudaudit_demo.synth import record

    for index in range(count):
        rows = [record("JP", rng) for _ in range(200)]
        if index % 2:
            yield f"exports/{index:03d}.jsonl", b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n"
                                                         for r in rows)
        else:
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            yield f"crm/{index:03d}.csv", out.getvalue().encode()


def seed(url: str, buckets: int, per_bucket: int, account: str, ownership: str | None) -> Any:
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client

    s3 = s3_client(account_session(url, role(account)), url)
    rng = random.Random(18)
    for b in range(buckets):
        name = f"bench-incr-{account[-4:]}-{b:03d}"
        s3.create_bucket(Bucket=name)
        if ownership:
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]})
        for key, body in objects(per_bucket, rng):
            s3.put_object(Bucket=name, Key=key, Body=body)
    return s3


class GetObjectCounter:
    """Counts the collector's object reads (``read_prefix``: one GetObject each), their bytes, and
    GetObjectAcl calls (botocore's one entry point for every API call)."""

    def __init__(self) -> None:
        import botocore.client

        import cloudaudit.collectors.aws.s3.sample as sample

        self.calls = 0
        self.bytes = 0
        self.acl_calls = 0
        self._lock = threading.Lock()
        original = sample.read_prefix
        api_call = botocore.client.BaseClient._make_api_call

        def counted(*args: Any, **kwargs: Any) -> tuple[bytes, str | None]:
            data, content_type = original(*args, **kwargs)
            with self._lock:
                self.calls += 1
                self.bytes += len(data)
            return data, content_type

        def api(client: Any, operation: str, params: Any) -> Any:
            if operation == "GetObjectAcl":
                with self._lock:
                    self.acl_calls += 1
            return api_call(client, operation, params)

        sample.read_prefix = counted  # type: ignore[assignment]
        botocore.client.BaseClient._make_api_call = api

    def take(self) -> tuple[int, int, int]:
        with self._lock:
            out = (self.calls, self.bytes, self.acl_calls)
            self.calls = self.bytes = self.acl_calls = 0
        return out


def run(label: str, env: Any, run_date: str, rescan: str, store: Any, counter: GetObjectCounter) -> dict[str, Any]:
    from cloudaudit import pipeline
    from cloudaudit.config import Limits
    from cloudaudit.store import state

    counter.take()
    wall, cpu = time.perf_counter(), time.process_time()
    summary = pipeline.extract_environment(env, run_date, "live", store=store, limits=Limits(), rescan=rescan)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    calls, read, acl_calls = counter.take()
    snapshot = state.read_snapshot(store, str(summary["snapshot"]))
    assert snapshot is not None and snapshot.incremental is not None
    fields = sorted((s.resource, f.field, tuple(f.pii_types)) for r in snapshot.resources for s in r.samples
                    for f in s.fields if f.pii)
    return {"run": label, "rescan": rescan, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "get_object": calls,
            "get_object_acl": acl_calls, "bytes_read": read, "samples": summary["samples"], "carried_over": snapshot.incremental.carried_over,
            "pii_fields": len(fields), "_fields": fields}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=10)
    parser.add_argument("--objects", type=int, default=20, help="objects per bucket (default limits sample 20)")
    args = parser.parse_args(argv)

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.pop(name, None)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    from cloudaudit.store.backend import LocalStore

    counter = GetObjectCounter()
    estates: dict[str, dict[str, Any]] = {}
    with moto() as url:
        for label, (account, ownership) in ESTATES.items():
            with tempfile.TemporaryDirectory(prefix="bench-incr-") as tmp:
                estates[label] = measure(url, account, ownership, args.buckets, args.objects, LocalStore(tmp), counter)

    machine = f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cpus"
    objects_total = args.buckets * args.objects
    default = estates["ACLs disabled (AWS default)"]
    result = {"machine": machine, "load_average": [round(x, 2) for x in os.getloadavg()], "objects": objects_total,
              "buckets": args.buckets, "estates": estates, "ratio_wall": default["ratio_wall"],
              "ratio_cpu": default["ratio_cpu"], "same_pii_fields": all(e["same_pii_fields"] for e in estates.values()),
              "target_ratio": 0.2}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "incremental_rescan.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"# Incremental re-scan: {objects_total} objects in {args.buckets} buckets (moto, one account each)", "",
             f"Machine: {machine}, load average {result['load_average']}. Command: "
             "`.venv/bin/python benchmarks/incremental_rescan.py`", ""]
    for label, estate in estates.items():
        lines += [f"## {label}", "",
                  "| Run | Wall s | CPU s | GetObject | GetObjectAcl | Bytes read | Samples | Carried over | PII fields |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {r['run']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['get_object']} | {r['get_object_acl']} | "
                  f"{r['bytes_read']} | {r['samples']} | {r['carried_over']} | {r['pii_fields']} |" for r in estate["runs"]]
        lines += ["", f"Re-run over the unchanged estate / full run: wall {estate['ratio_wall']:.1%}, CPU "
                  f"{estate['ratio_cpu']:.1%} (target <= 20%); same PII fields found: {estate['same_pii_fields']}.", ""]
    (HERE / "results" / "incremental_rescan.md").write_text("\n".join(lines))
    print("\n".join(lines))


def measure(url: str, account: str, ownership: str | None, buckets: int, per_bucket: int, store: Any,
            counter: GetObjectCounter) -> dict[str, Any]:
    from cloudaudit.config import Environment

    s3 = seed(url, buckets, per_bucket, account, ownership)
    env = Environment(name=f"jp-bench-incr-{account[-4:]}", country="JP", provider="aws", account_id=account,
                      regions=("ap-northeast-1",), endpoint_url=url, role_arn=role(account))
    run("warm-up", env, "2026-11-01", "full", store, counter)
    full = run("full", env, "2026-11-02", "full", store, counter)
    again = run("incremental, unchanged", env, "2026-11-03", "incremental", store, counter)
    bucket, key = f"bench-incr-{account[-4:]}-000", "crm/000.csv"
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=bucket, Key=key, Body=body[::-1])  # same size, new content
    one = run("incremental, one object changed", env, "2026-11-04", "incremental", store, counter)
    same = full.pop("_fields") == again.pop("_fields")
    one.pop("_fields")
    return {"ownership": ownership, "runs": [full, again, one], "ratio_wall": round(again["wall_s"] / full["wall_s"], 3),
            "ratio_cpu": round(again["cpu_s"] / full["cpu_s"], 3), "same_pii_fields": same}


if __name__ == "__main__":
    main()
