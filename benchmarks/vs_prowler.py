"""Benchmark: cloudaudit's daily DAG against Prowler's S3 checks, side by side on one moto estate.

    .venv/bin/python -m benchmarks vs_prowler [--sizes 100,1000] [--cloudaudit-sizes 5000]
                                              [--incremental-size 1000] [--keep]
    make bench    # every benchmark, this one included

One run starts a moto server on loopback, seeds N buckets over two AWS accounts with known
exposures and synthetic PII (``benchmarks/_s3_estate.py``), and for each size runs:

- Prowler 5.x (its own venv, ``.bench/prowler-venv``, made once with uv: it pins its own
  boto3): ``prowler aws --service s3 --region <account's region> -R <role>`` once per account,
  ``AWS_ENDPOINT_URL`` at moto, OCSF JSON output. Its s3control calls get the same
  host-prefix fix cloudaudit uses (a ``sitecustomize.py`` on its PYTHONPATH), or its
  account-level Block Public Access read would fail on ``<account>.127.0.0.1``;
- cloudaudit: ``airflow dags test cloudaudit_daily`` over both accounts (mode live, alerts
  never), from a fresh state directory and a copy of a migrated Airflow home, which also
  samples every bucket for PII and publishes two signed reports.

Each is measured as a whole process tree: wall time, CPU time of every descendant, peak RSS
summed over the tree (sampled from /proc every 0.2 s), plus the CPU the shared moto server spent
answering it. Recall is over the seeded exposures both tools cover (public bucket, Block
Public Access off, default encryption off) from Prowler's OCSF FAIL findings and cloudaudit's
validation records; ``pii_public`` (PII in a public bucket) is cloudaudit's alone. Sizes grow
one estate (the 1,000-bucket estate is the 100 plus 900 more). Bytecode is compiled before
anything is measured, and both tools are warmed up once (imports, page cache).

``--cloudaudit-sizes`` run cloudaudit alone (the scaling curve); each runs only if the time it
is projected to take (linear in buckets from the largest size measured) fits what is left of
``make bench``'s budget. ``--incremental-size`` re-runs the DAG on the next day over the same,
unchanged estate and state: the second run's cost as a share of the first (issue 18 target
≤ 20 %); it measures whatever incremental re-scan main has.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file (`python benchmarks/vs_prowler.py`) or by `python -m benchmarks`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _s3_estate as estate
from benchmarks._harness import (
    BENCH_DIR,
    CLOUDAUDIT_CHECKS,
    COMMON_KINDS,
    PROWLER_CHECKS,
    REPO,
    AirflowHomes,
    Measurement,
    Server,
    bench_env,
    cloudaudit_findings,
    compile_bytecode,
    dag_env,
    dag_succeeded,
    dags_test_argv,
    deadline_left,
    detected,
    machine,
    phase_peaks,
    process_cpu_s,
    prowler_findings,
    recall,
    run_measured,
    start_server,
    validations,
    write_results,
)

PROWLER_VERSION = "5.46.0"
PROWLER_VENV = BENCH_DIR / "prowler-venv"
WORK = BENCH_DIR / "vs_prowler"
RUN_DATE = "2026-11-20"
NEXT_DATE = "2026-11-21"
SEED_RATE_GUESS = 40.0  # buckets seeded per second, before one was measured

SITECUSTOMIZE = '''"""Benchmark only: strip the <AccountId>. botocore puts before an emulator's host for s3control."""
import re

_PREFIX = re.compile(r"^(https?://)\\d{12}\\.")


def _strip(request, **_):
    request.url = _PREFIX.sub(r"\\1", request.url, count=1)


def _install():
    try:
        import botocore.session
    except ImportError:
        return
    original = botocore.session.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        client = original(self, service_name, *args, **kwargs)
        if service_name == "s3control":
            client.meta.events.register("before-sign.s3-control", _strip)
        return client

    botocore.session.Session.create_client = create_client


_install()
'''


def ensure_prowler() -> Path:
    """Prowler's executable in its own venv, made (uv, bytecode compiled) when missing."""
    prowler = PROWLER_VENV / "bin" / "prowler"
    python = PROWLER_VENV / "bin" / "python"
    if prowler.exists():
        return prowler
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run([uv, "venv", "-q", "-p", version, str(PROWLER_VENV)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--compile-bytecode", "--python", str(python),
                    f"prowler=={PROWLER_VERSION}"], check=True)
    return prowler


def prowler_hooks() -> Path:
    hooks = BENCH_DIR / "prowler-hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return hooks


def prowler_env(moto: Server, account: estate.Account) -> dict[str, str]:
    env = bench_env()
    for name in list(env):
        if name.startswith(("AWS_", "VIRTUAL_ENV")):
            del env[name]
    env.update({"AWS_ENDPOINT_URL": moto.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": account.region, "PYTHONPATH": str(prowler_hooks()),
                "HOME": str(BENCH_DIR / "prowler-home")})
    return env


def run_prowler(prowler: Path, moto: Server, size: int, out: Path) -> dict[str, Any]:
    """One Prowler run per account, one after the other; their costs added, the peak the larger."""
    runs: list[dict[str, Any]] = []
    documents: list[Any] = []
    for account in estate.ACCOUNTS:
        folder = out / account.name
        shutil.rmtree(folder, ignore_errors=True)
        argv = [str(prowler), "aws", "--service", "s3", "--region", account.region, "-R", account.role_arn,
                "-M", "json-ocsf", "-o", str(folder), "-F", "prowler", "--no-banner", "--ignore-exit-code-3"]
        moto_cpu = process_cpu_s(moto.pid)
        measured = run_measured(argv, env=prowler_env(moto, account), log_path=out / f"{account.name}.log",
                                cwd=out)
        outputs = sorted(folder.rglob("*.ocsf.json"))
        if measured.returncode != 0 or not outputs:
            tail = (out / f"{account.name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Prowler failed for {account.name} (exit {measured.returncode}):\n{tail}")
        documents += [json.loads(p.read_text() or "[]") for p in outputs]
        runs.append({"account": account.name, **measured.as_dict(),
                     "server_cpu_s": round(process_cpu_s(moto.pid) - moto_cpu, 2)})
    failed = prowler_findings(documents)
    return {**_combined(runs), "accounts": runs,
            "recall": recall(estate.truth(size), detected(failed, PROWLER_CHECKS), COMMON_KINDS),
            "fail_findings": len(failed)}


def _combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"wall_s": round(sum(r["wall_s"] for r in runs), 2), "cpu_s": round(sum(r["cpu_s"] for r in runs), 2),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "largest_process_mb": max(r["largest_process_mb"] for r in runs),
            "server_cpu_s": round(sum(r["server_cpu_s"] for r in runs), 2)}


def run_cloudaudit(homes: AirflowHomes | None, moto: Server, size: int, name: str, *, root: Path | None = None,
                   run_date: str = RUN_DATE) -> dict[str, Any]:
    """`airflow dags test cloudaudit_daily` over both accounts; a fresh state unless ``root`` is given."""
    if root is None:
        assert homes is not None
        home = homes.fresh(name)
        root = home.parent
    else:
        home = root / "airflow"
    inventory = root / "inventory.yaml"
    inventory.write_text(json.dumps(estate.inventory(moto.url)), encoding="utf-8")  # JSON is YAML
    env = dag_env(home, root, inventory)
    log_path = root / f"dags_test_{run_date}.log"
    moto_cpu = process_cpu_s(moto.pid)
    measured: Measurement = run_measured(dags_test_argv(run_date), env=env, log_path=log_path, cwd=root)
    if measured.returncode != 0 or not dag_succeeded(log_path):
        raise RuntimeError(f"cloudaudit_daily failed (exit {measured.returncode}); see {log_path}:\n"
                           + log_path.read_text(errors="replace")[-3000:])
    failed = cloudaudit_findings(validations(root / "state", run_date))
    found = detected(failed, CLOUDAUDIT_CHECKS)
    seeded = estate.truth(size)
    return {**measured.as_dict(), "server_cpu_s": round(process_cpu_s(moto.pid) - moto_cpu, 2),
            "recall": recall(seeded, found, COMMON_KINDS), "recall_pii_public": recall(seeded, found, ["pii_public"]),
            "fail_findings": len(failed), "phase_peak_mb": phase_peaks(log_path.read_text(errors="replace")),
            "root": root}


def warm_up(prowler: Path, homes: AirflowHomes) -> None:
    """Bytecode compiled, each tool's imports read once (page cache), nothing measured."""
    compile_bytecode(REPO / "include", REPO / "dags", REPO / "plugins")
    env = bench_env()
    subprocess.run([str(prowler), "aws", "--list-checks", "--service", "s3", "--no-banner"], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    subprocess.run([sys.executable, "-c", "import boto3, pandas, great_expectations, openpyxl, cloudaudit.pipeline, "
                    "cloudaudit.collectors.aws.s3, cloudaudit.checks.validate"], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    home = homes.fresh("warm-up")
    subprocess.run([str(Path(sys.executable).with_name("airflow")), "dags", "list"],
                   env=dag_env(home, home.parent, REPO / "include" / "config" / "inventory.yaml"),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


FLOOR_DAG = '''"""Two empty tasks: what `airflow dags test` costs any DAG before its own work."""
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="cloudaudit_bench_floor", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"))
def floor():
    @task
    def first() -> int:
        return 1

    @task
    def second(value: int) -> int:
        return value

    second(first())


floor()
'''


def airflow_floor(homes: AirflowHomes) -> dict[str, Any]:
    """`airflow dags test` of a DAG of two empty tasks, as cloudaudit's runs are measured: Airflow's
    own start, DAG bag, in-process execution API and task runner, which no DAG's work can remove."""
    home = homes.fresh("airflow-floor")
    dags = home.parent / "dags"
    dags.mkdir()
    (dags / "floor.py").write_text(FLOOR_DAG, encoding="utf-8")
    env = dag_env(home, home.parent, REPO / "include" / "config" / "inventory.yaml")
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
    log_path = home.parent / "dags_test.log"
    argv = [str(Path(sys.executable).with_name("airflow")), "dags", "test", "cloudaudit_bench_floor", RUN_DATE]
    measured = run_measured(argv, env=env, log_path=log_path, cwd=home.parent)
    if measured.returncode != 0 or not dag_succeeded(log_path):
        raise RuntimeError(f"the two-task DAG failed (exit {measured.returncode}); see {log_path}")
    return measured.as_dict()


def grow(moto: Server, have: int, want: int, rates: list[float]) -> int:
    if want > have:
        started = time.perf_counter()
        estate.seed(moto.url, have, want)
        rates.append((want - have) / max(time.perf_counter() - started, 1e-3))
        print(f"   seeded buckets {have}..{want - 1} ({rates[-1]:.0f}/s)", flush=True)
    return max(have, want)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="bucket counts run by both tools")
    parser.add_argument("--cloudaudit-sizes", default="5000", help="bucket counts run by cloudaudit alone, "
                        "when the budget allows ('' for none)")
    parser.add_argument("--incremental-size", type=int, default=1000,
                        help="re-run the DAG over the unchanged estate at this size (0: not)")
    parser.add_argument("--reserve-s", type=float, default=30.0, help="budget kept back at the end")
    parser.add_argument("--keep", action="store_true", help=f"keep {WORK} (logs, outputs) afterwards")
    args, _ = parser.parse_known_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    alone = sorted({int(s) for s in args.cloudaudit_sizes.split(",") if s.strip()} - set(sizes))

    started = time.perf_counter()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    prowler = ensure_prowler()
    homes = AirflowHomes(WORK)
    warm_up(prowler, homes)
    report: dict[str, Any] = {"machine_at_start": machine(), "prowler_version": PROWLER_VERSION,
                              "sizes": [], "cloudaudit_only": [], "skipped": [], "incremental": None}
    print("== Airflow's floor: `dags test` of two empty tasks", flush=True)
    report["airflow_floor"] = airflow_floor(homes)
    print(f"   {report['airflow_floor']['wall_s']} s, {report['airflow_floor']['peak_rss_mb']} MB", flush=True)
    moto = start_server("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"],
                        WORK / "moto.log", probe="/moto-api/")
    rates: list[float] = []
    have = 0
    try:
        for size in sizes:
            have = grow(moto, have, size, rates)
            print(f"== {size} buckets: Prowler", flush=True)
            theirs = run_prowler(prowler, moto, size, WORK / f"prowler-{size}")
            print(f"   Prowler {theirs['wall_s']} s, {theirs['peak_rss_mb']} MB, recall {theirs['recall']['recall']}",
                  flush=True)
            print(f"== {size} buckets: cloudaudit", flush=True)
            ours = run_cloudaudit(homes, moto, size, f"cloudaudit-{size}")
            print(f"   cloudaudit {ours['wall_s']} s, {ours['peak_rss_mb']} MB, recall {ours['recall']['recall']}",
                  flush=True)
            report["sizes"].append({"buckets": size, "estate": estate.summary(size), "prowler": theirs,
                                    "cloudaudit": ours, "wall_ratio": round(theirs["wall_s"] / ours["wall_s"], 2),
                                    "load_average": list(os.getloadavg())})
            if size == args.incremental_size:
                report["incremental"] = incremental(moto, size, ours)
            ours.pop("root", None)  # a local path: not a result
        for size in alone:
            base = report["sizes"][-1]["cloudaudit"] if report["sizes"] else None
            left = deadline_left()
            rate = min(rates) if rates else SEED_RATE_GUESS
            projected = ((base["wall_s"] * size / report["sizes"][-1]["buckets"]) if base else 0) + (size - have) / rate
            if left is not None and projected > left - args.reserve_s:
                report["skipped"].append({"buckets": size, "projected_s": round(projected),
                                          "budget_left_s": round(left)})
                print(f"== {size} buckets skipped: projected {projected:.0f} s, {left:.0f} s of budget left", flush=True)
                continue
            have = grow(moto, have, size, rates)
            print(f"== {size} buckets: cloudaudit alone", flush=True)
            ours = run_cloudaudit(homes, moto, size, f"cloudaudit-{size}")
            ours.pop("root", None)
            print(f"   cloudaudit {ours['wall_s']} s, {ours['peak_rss_mb']} MB", flush=True)
            report["cloudaudit_only"].append({"buckets": size, "estate": estate.summary(size), "cloudaudit": ours,
                                              "load_average": list(os.getloadavg())})
    finally:
        moto.stop()
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    report["seed_rate_buckets_per_s"] = [round(r, 1) for r in rates]
    report["machine_at_end"] = machine()
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    text = markdown(report)
    write_results("vs_prowler", report, text)
    print(text)
    return 0


def incremental(moto: Server, size: int, first: dict[str, Any]) -> dict[str, Any]:
    """The DAG again the next day, same state, estate unchanged: its cost as a share of the full run."""
    print(f"== {size} buckets: cloudaudit re-run over the unchanged estate", flush=True)
    second = run_cloudaudit(None, moto, size, "", root=first.pop("root"), run_date=NEXT_DATE)
    second.pop("root")
    return {"buckets": size, "first": {k: first[k] for k in ("wall_s", "cpu_s", "peak_rss_mb", "server_cpu_s")},
            "second": {k: second[k] for k in ("wall_s", "cpu_s", "peak_rss_mb", "server_cpu_s")},
            "second_recall": second["recall"]["recall"],
            "wall_ratio": round(second["wall_s"] / first["wall_s"], 3),
            "cpu_ratio": round(second["cpu_s"] / first["cpu_s"], 3) if first["cpu_s"] else None}


def _recall_text(side: dict[str, Any]) -> str:
    r = side["recall"]
    return f"{r['recall']:.2f} ({r['found']}/{r['seeded']}, {r['false_positives']} FP)"


def markdown(report: dict[str, Any]) -> str:
    start, end = report["machine_at_start"], report["machine_at_end"]
    lines = [
        "# cloudaudit vs Prowler: S3 on one moto estate, side by side", "",
        f"Prowler {report['prowler_version']} `--service s3` (one run per account) against "
        "`airflow dags test cloudaudit_daily` (both accounts, PII sampling, reports), same estate, same run. "
        f"{start['cpus']} CPUs, {start['memory_mb']:,} MB; load average {start['load_average'][0]} at the start, "
        f"{end['load_average'][0]} at the end (shared machine: the ratios are what count). "
        "Peak RSS: the largest sum over the process tree; CPU: every process of the tree; moto: CPU the "
        "shared server spent answering. Recall over the seeded exposures both tools cover "
        "(public bucket, Block Public Access off, default encryption off).", "",
        "| buckets | Prowler wall | cloudaudit wall | ratio | Prowler CPU | cloudaudit CPU | moto CPU (P / c) "
        "| Prowler peak RSS | cloudaudit peak RSS | Prowler recall | cloudaudit recall | cloudaudit PII-public recall |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for row in report["sizes"]:
        p, c = row["prowler"], row["cloudaudit"]
        lines.append(f"| {row['buckets']:,} | {p['wall_s']:.0f} s | {c['wall_s']:.0f} s | {row['wall_ratio']:.2f}x | "
                     f"{p['cpu_s']:.0f} s | {c['cpu_s']:.0f} s | {p['server_cpu_s']:.0f} / {c['server_cpu_s']:.0f} s | "
                     f"{p['peak_rss_mb']:.0f} MB | {c['peak_rss_mb']:.0f} MB | {_recall_text(p)} | {_recall_text(c)} | "
                     f"{c['recall_pii_public']['recall']:.2f} |")
    for row in report["cloudaudit_only"]:
        c = row["cloudaudit"]
        lines.append(f"| {row['buckets']:,} | – | {c['wall_s']:.0f} s | – | – | {c['cpu_s']:.0f} s | – / "
                     f"{c['server_cpu_s']:.0f} s | – | {c['peak_rss_mb']:.0f} MB | – | {_recall_text(c)} | "
                     f"{c['recall_pii_public']['recall']:.2f} |")
    for skip in report["skipped"]:
        lines.append(f"| {skip['buckets']:,} | – | skipped: projected {skip['projected_s']} s, "
                     f"{skip['budget_left_s']} s of budget left | | | | | | | | | |")
    rows = report["sizes"] + report["cloudaudit_only"]
    if rows:
        lines += ["", "cloudaudit per bucket, and the process's peak RSS as each step ended (its task log's "
                  "`peak RSS` line: one process runs every task under `dags test`, so each includes the steps "
                  "before it):", "",
                  "| buckets | buckets/s | wall ms/bucket | CPU ms/bucket | peak RSS | RSS vs 100 "
                  "| after extract | after validate | after publish |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        base = next((r["cloudaudit"]["peak_rss_mb"] for r in rows if r["buckets"] == 100), None)
        for row in rows:
            c, n = row["cloudaudit"], row["buckets"]
            ratio = f"{c['peak_rss_mb'] / base:.2f}x" if base else "–"
            steps = c.get("phase_peak_mb", {})
            after = " | ".join(f"{steps[k]} MB" if k in steps else "–" for k in ("extract", "validate", "publish"))
            lines.append(f"| {n:,} | {n / c['wall_s']:.1f} | {1000 * c['wall_s'] / n:.0f} | "
                         f"{1000 * c['cpu_s'] / n:.0f} | {c['peak_rss_mb']:.0f} MB | {ratio} | {after} |")
    floor = report.get("airflow_floor")
    if floor:
        lines += ["", f"Airflow's floor in the same run: `airflow dags test` of a DAG of two empty tasks takes "
                  f"{floor['wall_s']:.0f} s wall, {floor['cpu_s']:.0f} s CPU, {floor['peak_rss_mb']:.0f} MB peak "
                  "(Airflow's start, DAG bag, in-process execution API, task runner): every cloudaudit figure above "
                  "includes it."]
    inc = report.get("incremental")
    if inc:
        lines += ["", f"Re-run over the unchanged estate ({inc['buckets']:,} buckets, next day, same state): "
                  f"{inc['second']['wall_s']:.0f} s wall vs {inc['first']['wall_s']:.0f} s "
                  f"(**{100 * inc['wall_ratio']:.0f} %**), CPU {inc['second']['cpu_s']:.0f} s vs "
                  f"{inc['first']['cpu_s']:.0f} s; recall {inc['second_recall']}."]
    lines += ["", f"Seeding: {report['seed_rate_buckets_per_s']} buckets/s; whole benchmark {report['elapsed_s']:.0f} s."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    status = main()
    if status:
        sys.exit(status)
