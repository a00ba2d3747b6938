"""Benchmark: how cloudaudit scales: BigQuery tables, DAG parse time, 10,000 environments in replay.

    .venv/bin/python -m benchmarks scaling [--tables 50,500] [--parse-runs 5] [--environments 10000]
    make bench

- **BigQuery**: one GCP project on the project's BigQuery emulator (and an empty Cloud Storage
  emulator), grown to each table count (one table in four holds synthetic PII, 20 rows
  each); ``airflow dags test cloudaudit_daily`` from a fresh state for each size: wall, CPU
  and peak RSS of the whole process tree, tables per second, cost per table.
- **DAG parse time**: ``DagBag`` of ``dags/cloudaudit_daily.py`` against a DAG file with no
  tasks, each in a fresh interpreter of the project's venv (Airflow itself imported first and
  not timed), alternating, median of ``--parse-runs``. Target (issue 18): ratio ≤ 1.5.
- **10,000 environments, replay**: an inventory of that many AWS accounts over the nine
  countries with a stored snapshot each; in one process: ``load_inventory``, ``plan`` (the
  chunks that become mapped extract tasks), every chunk's replay ``extract_chunk`` and
  ``group_by_country``, with the size of what crosses XCom. The S3 scaling curve
  (100 / 1,000 / 5,000 buckets) is in ``vs_prowler``.

Results: ``benchmarks/results/scaling.{json,md}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._harness import (
    BENCH_DIR,
    REPO,
    AirflowHomes,
    Server,
    bench_env,
    compile_bytecode,
    dag_env,
    dag_succeeded,
    dags_test_argv,
    machine,
    process_cpu_s,
    run_measured,
    start_server,
    validations,
    write_results,
)

WORK = BENCH_DIR / "scaling"
RUN_DATE = "2026-11-20"
PROJECT, COUNTRY, LOCATION = "bench-th-analytics", "TH", "asia-southeast1"
TABLES_PER_DATASET = 25
COUNTRIES = ("JP", "AU", "VN", "ID", "IN", "PH", "TH", "MY", "SG")
EMPTY_DAG = '''import pendulum
from airflow.sdk import dag


@dag(dag_id="empty", schedule="@daily", start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False)
def empty() -> None:
    pass


empty()
'''


# ---- BigQuery ---------------------------------------------------------------------------------

def _table_plan(index: int, pool: list[dict[str, str]]) -> Any:
    from cloudaudit.model import PiiType
    from cloudaudit_demo.estate.plan import BqField, BqTable

    rng = random.Random(index)
    if index % 4 == 0:
        fields = (BqField("customer_name", pii=PiiType.PERSON_NAME), BqField("email", pii=PiiType.EMAIL_ADDRESS),
                  BqField("phone", pii=PiiType.PHONE_NUMBER), BqField("national_id", pii=PiiType.NATIONAL_ID))
        rows = tuple({"customer_name": r["name"], "email": r["email"], "phone": r["phone"],
                      "national_id": r["national_id"]} for r in rng.sample(pool, 20))
        return BqTable(f"customers_{index:04d}", fields, rows)
    readings: tuple[dict[str, Any], ...] = tuple(
        {"sensor_id": f"s{rng.randrange(1000)}", "reading": round(rng.uniform(0, 100), 2)} for _ in range(20))
    return BqTable(f"readings_{index:04d}", (BqField("sensor_id"), BqField("reading", type="FLOAT")), readings)


def seed_tables(bigquery_url: str, start: int, stop: int) -> None:
    from google.cloud import bigquery

    from cloudaudit_demo.estate.seed_gcp import bigquery_client, seed_table
    from cloudaudit_demo.synth import record

    client = bigquery_client(PROJECT, bigquery_url)
    pool_rng = random.Random(500)
    pool = [record(COUNTRY, pool_rng) for _ in range(60)]
    datasets = sorted({i // TABLES_PER_DATASET for i in range(start, stop)})
    for d in datasets:
        if d * TABLES_PER_DATASET >= start:  # its first table is new: so is the dataset
            dataset = bigquery.Dataset(f"{PROJECT}.bench_{d:03d}")
            dataset.location = LOCATION
            client.create_dataset(dataset)

    def one(i: int) -> None:
        seed_table(client, client.dataset(f"bench_{i // TABLES_PER_DATASET:03d}"), _table_plan(i, pool))

    with ThreadPoolExecutor(max_workers=4) as pool_exec:
        list(pool_exec.map(one, range(start, stop)))


def bigquery_curve(homes: AirflowHomes, sizes: list[int]) -> list[dict[str, Any]]:
    python = sys.executable
    bq = start_server("bigquery", [python, "-m", "cloudaudit_demo.estate.bigquery_emulator", "--host", "127.0.0.1",
                                   "--port", "{port}"], WORK / "bigquery.log")
    gcs = start_server("storage", [python, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1", "--port",
                                   "{port}", "--in-memory", "-q"], WORK / "storage.log")
    rows: list[dict[str, Any]] = []
    have = 0
    try:
        for size in sizes:
            started = time.perf_counter()
            seed_tables(bq.url, have, size)
            seeding = time.perf_counter() - started
            have = size
            print(f"== {size} BigQuery tables (seeded in {seeding:.0f} s)", flush=True)
            rows.append({"tables": size, **run_dag(homes, f"bq-{size}", bq, gcs), "seed_s": round(seeding, 1)})
            print(f"   {rows[-1]['wall_s']} s, {rows[-1]['peak_rss_mb']} MB, {rows[-1]['tables_reported']} tables",
                  flush=True)
    finally:
        bq.stop()
        gcs.stop()
    return rows


def run_dag(homes: AirflowHomes, name: str, bq: Server, gcs: Server) -> dict[str, Any]:
    home = homes.fresh(name)
    root = home.parent
    inventory = root / "inventory.yaml"
    inventory.write_text(json.dumps({"environments": [{
        "name": PROJECT, "country": COUNTRY, "provider": "gcp", "project_id": PROJECT,
        "bigquery_endpoint": bq.url, "storage_endpoint": gcs.url}]}), encoding="utf-8")
    log_path = root / "dags_test.log"
    server_cpu = process_cpu_s(bq.pid)
    measured = run_measured(dags_test_argv(RUN_DATE), env=dag_env(home, root, inventory), log_path=log_path, cwd=root)
    if measured.returncode != 0 or not dag_succeeded(log_path):
        raise RuntimeError(f"cloudaudit_daily failed; see {log_path}:\n" + log_path.read_text(errors="replace")[-3000:])
    records = validations(root / "state", RUN_DATE)
    tables = {r["resource"] for v in records for r in v.get("resources") or []
              if str(r.get("resource", "")).startswith("bq://") and str(r["resource"]).count(".") == 2}
    fails = sum(1 for v in records for f in v.get("findings") or [] if f.get("status") == "FAIL")
    return {**measured.as_dict(), "server_cpu_s": round(process_cpu_s(bq.pid) - server_cpu, 2),
            "tables_reported": len(tables), "fail_findings": fails}


# ---- DAG parse time ------------------------------------------------------------------------

def parse_worker(path: Path, warm: bool) -> None:
    """In a fresh interpreter, time parsing ``path`` with DagBag: ``warm``, after Airflow and the
    ``airflow.sdk`` names the DAG uses were imported (not timed); else from before Airflow's import."""
    started = time.perf_counter()
    if warm:
        from airflow.dag_processing.dagbag import DagBag
        from airflow.sdk import Asset, AssetAlias, Param, TriggerRule, dag, get_current_context, task  # noqa: F401
        started = time.perf_counter()
    else:
        from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=str(path))
    elapsed = time.perf_counter() - started
    print(json.dumps({"s": elapsed, "dags": len(bag.dags), "errors": len(bag.import_errors)}))


def parse_ratio(runs: int) -> dict[str, Any]:
    folder = WORK / "parse"
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty_dag.py"
    empty.write_text(EMPTY_DAG, encoding="utf-8")
    daily = REPO / "dags" / "cloudaudit_daily.py"
    from cloudaudit_demo.demo import airflow_env

    env = airflow_env(folder / "airflow", base=bench_env())
    result: dict[str, Any] = {"runs": runs}
    for how in ("cold", "warm"):
        times: dict[str, list[float]] = {"empty": [], "cloudaudit_daily": []}
        for _ in range(runs):
            for name, path in (("empty", empty), ("cloudaudit_daily", daily)):
                argv = [sys.executable, __file__, "--parse-worker", str(path), *(["--warm"] if how == "warm" else [])]
                out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
                if out.returncode != 0:
                    raise RuntimeError(f"{path}: parse worker failed\n{out.stderr[-2000:]}")
                parsed = json.loads(out.stdout.strip().splitlines()[-1])
                if parsed["dags"] != 1 or parsed["errors"]:
                    raise RuntimeError(f"{path}: {parsed}\n{out.stderr[-2000:]}")
                times[name].append(parsed["s"])
        medians = {k: statistics.median(v) for k, v in times.items()}
        result[how] = {"median_s": {k: round(v, 4) for k, v in medians.items()},
                       "all_s": {k: [round(x, 4) for x in v] for k, v in times.items()},
                       "ratio": round(medians["cloudaudit_daily"] / medians["empty"], 2)}
    return result


# ---- 10,000 environments in replay -----------------------------------------------------------

def write_replay_estate(root: Path, count: int) -> Path:
    """An inventory of ``count`` AWS accounts and a stored snapshot of each for RUN_DATE."""
    from cloudaudit.model import CoverageStatus, EnvironmentRef, Provider, Resource, Service, Snapshot
    from cloudaudit.store import state
    from cloudaudit.store.backend import open_store

    envs = [{"name": f"acct-{i:05d}", "country": COUNTRIES[i % len(COUNTRIES)], "provider": "aws",
             "account_id": f"{100000000000 + i}", "regions": ["ap-southeast-1"]} for i in range(count)]
    inventory = root / "inventory.yaml"
    inventory.write_text(json.dumps({"environments": envs}), encoding="utf-8")
    folder = root / "state"
    for env in envs:
        ref = EnvironmentRef(name=env["name"], country=env["country"], provider=Provider.AWS,
                             account_id=env["account_id"])
        bucket = Resource(resource=f"s3://{env['name']}-data", provider=Provider.AWS, service=Service.S3,
                          kind="bucket", location="ap-southeast-1", status=CoverageStatus.ASSESSED,
                          config={"location": "ap-southeast-1", "acl": {"Owner": {}, "Grants": []}, "policy": None})
        snapshot = Snapshot(environment=ref, run_date=RUN_DATE, captured_at=f"{RUN_DATE}T01:00:00Z",
                            resources=(bucket,))
        # The bytes and completion marker ``state.write_snapshot`` writes, without its fsyncs: set-up,
        # not measured, and 40,000 fsyncs took four minutes of `make bench`'s twenty.
        key = state.snapshot_key(RUN_DATE, env["name"])
        data = state.model_json(snapshot)
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(data)
        (folder / (key + state.COMPLETE)).write_bytes(
            state.json_bytes({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}))
    assert state.read_snapshot(open_store(str(folder)), state.snapshot_key(RUN_DATE, envs[-1]["name"])) is not None
    return inventory


def replay_worker(root: Path, out: Path) -> None:
    """In its own process (measured): the plan → extract (replay) → by_country path, timed step by step."""
    import os

    os.environ["CLOUDAUDIT_STATE"] = str(root / "state")
    os.environ["CLOUDAUDIT_INVENTORY"] = str(root / "inventory.yaml")
    from cloudaudit.config import load_inventory
    from cloudaudit.pipeline import extract_chunk, group_by_country, plan

    timings: dict[str, float] = {}
    started = time.perf_counter()
    inventory = load_inventory()
    timings["load_inventory_s"] = time.perf_counter() - started
    started = time.perf_counter()
    chunks = plan({"mode": "replay"}, RUN_DATE, inventory)
    timings["plan_s"] = time.perf_counter() - started
    started = time.perf_counter()
    extracted = [extract_chunk(chunk, inventory) for chunk in chunks]
    timings["extract_replay_s"] = time.perf_counter() - started
    started = time.perf_counter()
    jobs = group_by_country(chunks, extracted)
    timings["group_by_country_s"] = time.perf_counter() - started
    replayed = sum(1 for part in extracted for s in part if s["source"] == "replay" and s["snapshot"])
    out.write_text(json.dumps({
        **{k: round(v, 3) for k, v in timings.items()}, "environments": len(inventory.environments),
        "chunks": len(chunks), "largest_chunk": max(len(c["environments"]) for c in chunks),
        "replayed": replayed, "jobs": len(jobs),
        "xcom_bytes": {"plan": len(json.dumps(chunks)), "extract": sum(len(json.dumps(p)) for p in extracted),
                       "by_country": len(json.dumps(jobs))}}), encoding="utf-8")


def replay_overhead(count: int) -> dict[str, Any]:
    root = WORK / "replay"
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_replay_estate(root, count)
    prepared = time.perf_counter() - started
    out = root / "result.json"
    measured = run_measured([sys.executable, __file__, "--replay-worker", str(root), str(out)], env=bench_env(),
                            log_path=root / "worker.log")
    if measured.returncode != 0:
        raise RuntimeError((root / "worker.log").read_text(errors="replace")[-3000:])
    result = json.loads(out.read_text())
    per_env_ms = 1000 * result["extract_replay_s"] / max(1, result["environments"])
    return {**result, "process": measured.as_dict(), "extract_replay_ms_per_environment": round(per_env_ms, 3),
            "prepare_s": round(prepared, 1)}


# ---- driver ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tables", default="50,500", help="BigQuery table counts ('' for none)")
    parser.add_argument("--parse-runs", type=int, default=5)
    parser.add_argument("--environments", type=int, default=10_000, help="replay inventory size (0: not)")
    parser.add_argument("--keep", action="store_true", help=f"keep {WORK} afterwards")
    parser.add_argument("--parse-worker", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--replay-worker", nargs=2, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.parse_worker:
        parse_worker(Path(args.parse_worker), args.warm)
        return 0
    if args.replay_worker:
        replay_worker(Path(args.replay_worker[0]), Path(args.replay_worker[1]))
        return 0

    started = time.perf_counter()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    compile_bytecode(REPO / "include", REPO / "dags", REPO / "plugins")
    report: dict[str, Any] = {"machine_at_start": machine()}
    try:
        report["parse"] = parse_ratio(args.parse_runs) if args.parse_runs else None
        if report["parse"]:
            print(f"   parse ratio cold {report['parse']['cold']['ratio']}, warm {report['parse']['warm']['ratio']}",
                  flush=True)
        report["replay"] = replay_overhead(args.environments) if args.environments else None
        sizes = sorted({int(s) for s in args.tables.split(",") if s.strip()})
        report["bigquery"] = bigquery_curve(AirflowHomes(WORK), sizes) if sizes else []
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    report["machine_at_end"] = machine()
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    text = markdown(report)
    write_results("scaling", report, text)
    print(text)
    return 0


def markdown(report: dict[str, Any]) -> str:
    start, end = report["machine_at_start"], report["machine_at_end"]
    lines = ["# cloudaudit scaling: BigQuery tables, DAG parse time, 10,000 environments in replay", "",
             f"{start['cpus']} CPUs, {start['memory_mb']:,} MB; load average {start['load_average'][0]} at the start, "
             f"{end['load_average'][0]} at the end (shared machine). The S3 curve (100 / 1,000 / 5,000 buckets) is "
             "in vs_prowler.md.", ""]
    if report["bigquery"]:
        lines += ["## BigQuery (one project, `airflow dags test cloudaudit_daily`, fresh state per size)", "",
                  "| tables | wall | CPU | emulator CPU | peak RSS (tree) | tables/s | wall ms/table | CPU ms/table "
                  "| tables reported |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in report["bigquery"]:
            n = row["tables"]
            lines.append(f"| {n:,} | {row['wall_s']:.0f} s | {row['cpu_s']:.0f} s | {row['server_cpu_s']:.0f} s | "
                         f"{row['peak_rss_mb']:.0f} MB | {n / row['wall_s']:.1f} | {1000 * row['wall_s'] / n:.0f} | "
                         f"{1000 * row['cpu_s'] / n:.0f} | {row['tables_reported']:,} |")
        lines.append("")
    parse = report.get("parse")
    if parse:
        cold, warm = parse["cold"], parse["warm"]
        lines += ["## DAG parse time (DagBag, one fresh interpreter per parse, alternating, median)", "",
                  "| | a DAG with no tasks | `cloudaudit_daily` | ratio |", "|---|---:|---:|---:|",
                  f"| cold: Airflow's import included, as a fresh parsing process pays | "
                  f"{1000 * cold['median_s']['empty']:.0f} ms | {1000 * cold['median_s']['cloudaudit_daily']:.0f} ms | "
                  f"**{cold['ratio']}** |",
                  f"| warm: Airflow and the `airflow.sdk` names the DAG uses imported first | "
                  f"{1000 * warm['median_s']['empty']:.1f} ms | {1000 * warm['median_s']['cloudaudit_daily']:.1f} ms | "
                  f"{warm['ratio']} |", "",
                  f"Median of {parse['runs']} each; target (issue 18): ≤ 1.5, read on the cold ratio (what a "
                  "parse costs); the warm line is the DAG file's own work.", ""]
    replay = report.get("replay")
    if replay:
        x = replay["xcom_bytes"]
        lines += [f"## {replay['environments']:,} environments, replay mode (one process)", "",
                  "| step | time |", "|---|---:|",
                  f"| load_inventory | {replay['load_inventory_s']:.2f} s |",
                  f"| plan ({replay['chunks']} chunks = mapped extract tasks, ≤ {replay['largest_chunk']} "
                  f"environments each) | {replay['plan_s']:.2f} s |",
                  f"| extract, replay of every stored snapshot ({replay['replayed']:,}) | "
                  f"{replay['extract_replay_s']:.2f} s ({replay['extract_replay_ms_per_environment']:.2f} ms each) |",
                  f"| group_by_country ({replay['jobs']} jobs) | {replay['group_by_country_s']:.2f} s |", "",
                  f"XCom: plan {x['plan'] / 1024:.0f} KiB, extract summaries {x['extract'] / 1024:.0f} KiB, "
                  f"by_country {x['by_country'] / 1024:.0f} KiB. Process peak RSS "
                  f"{replay['process']['peak_rss_mb']:.0f} MB, wall {replay['process']['wall_s']:.1f} s "
                  "(interpreter start and imports included).", ""]
    lines.append(f"Whole benchmark {report['elapsed_s']:.0f} s.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    status = main()
    if status:
        sys.exit(status)
