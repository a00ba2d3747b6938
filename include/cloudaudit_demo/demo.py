"""`make demo`: start the demo estate, run `cloudaudit_daily` for today in Airflow, print the reports, stop.

Everything lives under ``DEMO_DIR`` (default ``.demo``): the estate's state, the snapshots,
the reports, the signing key and an ``AIRFLOW_HOME`` with a SQLite metadata database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def airflow_env(airflow_home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for running the project's DAGs under any AIRFLOW_HOME."""
    env = dict(base if base is not None else os.environ)
    env.update({
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
        "AIRFLOW__CORE__MAX_MAP_LENGTH": "1024",
        "GX_ANALYTICS_ENABLED": "false",
        "TQDM_DISABLE": "1",
    })
    return env


def _airflow(args: list[str], env: dict[str, str], log_path: Path) -> int:
    binary = Path(sys.executable).with_name("airflow")
    with log_path.open("ab") as log:
        proc = subprocess.run([str(binary), *args], env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    return proc.returncode


def migrate(airflow_home: Path, env: dict[str, str]) -> None:
    stamp = airflow_home / ".migrated"
    if stamp.exists():
        return
    airflow_home.mkdir(parents=True, exist_ok=True)
    print("preparing Airflow's metadata database (first run only) ...", flush=True)
    if _airflow(["db", "migrate"], env, airflow_home / "migrate.log") != 0:
        raise SystemExit(f"airflow db migrate failed: see {airflow_home / 'migrate.log'}")
    stamp.touch()


def print_reports(state: Path, output: Path, run_date: str) -> int:
    """Per country: what was extracted (resources, fields with PII), failures by severity, the files."""
    from cloudaudit.store.state import published_key

    published = sorted(state.glob(published_key(run_date, "*")))
    if not published:
        print("no report was published: see the Airflow log above", file=sys.stderr)
        return 1
    severities = ("critical", "high", "medium", "low", "info")
    print(f"\nReports for {run_date} (under {output}):")
    print(f"  {'country':8}{'resources':>10}{'PII fields':>11}{'not assessed':>13}  "
          + "".join(f"{s:>9}" for s in severities) + f"{'notifiable':>11}  {'nearest deadline':17}  files")
    for path in published:
        info = json.loads(path.read_text())
        counts, sev = info["counts"], info["counts"]["fail_by_severity"]
        print(f"  {path.parent.name:8}{counts['resources']:>10}{counts['pii_fields']:>11}{counts['not_assessed']:>13}  "
              + "".join(f"{sev.get(s, 0):>9}" for s in severities)
              + f"{counts.get('notifiable', 0):>11}  {counts.get('nearest_deadline') or '-':17}  {info['spreadsheet']}")
        print(f"  {'':8}{'':>10}{'':>11}{'':>13}  {'':>45}{'':>11}  {'':17}  {info['bundle']}")
    print("  (severity columns count FAIL findings; notifiable: exposures notifiable under the breach rules in "
          "force, with the nearest dated deadline: decision support, not legal advice)")
    print(f"\nCheck a bundle: cloudaudit verify {json.loads(published[0].read_text())['bundle']}")
    return 0


def main() -> int:
    from cloudaudit.evidence.signing import load_or_create_private_key
    from cloudaudit_demo.estate.manager import start_estate, stop_estate

    demo = Path(os.environ.get("DEMO_DIR") or REPO / ".demo").resolve()
    state, output, airflow_home = demo / "state", demo / "output", demo / "airflow"
    estate_dir = state / "estate"
    run_date = datetime.now(UTC).strftime("%Y-%m-%d")
    key = state / "signing_key.pem"
    load_or_create_private_key(key)
    started = time.monotonic()
    print(f"starting the demo estate in {estate_dir} ...", flush=True)
    estate = start_estate(estate_dir, seed=True)
    try:
        env = airflow_env(airflow_home)
        env.update({"CLOUDAUDIT_INVENTORY": str(estate_dir / "inventory.yaml"), "CLOUDAUDIT_STATE": str(state),
                    "CLOUDAUDIT_OUTPUT": str(output), "CLOUDAUDIT_SIGNING_KEY": str(key)})
        print(f"estate up: {estate}", flush=True)
        migrate(airflow_home, env)
        log_path = airflow_home / f"dags_test_{run_date}.log"
        log_path.unlink(missing_ok=True)
        print(f"running cloudaudit_daily for {run_date} (Airflow log: {log_path}) ...", flush=True)
        code = _airflow(["dags", "test", "cloudaudit_daily", run_date, "-c", json.dumps({"mode": "live"})],
                        env, log_path)
        if code != 0:
            print(f"airflow dags test exited {code}: see {log_path}", file=sys.stderr)
        result = print_reports(state, output, run_date)
    finally:
        stop_estate(estate_dir)
        print("demo estate stopped", flush=True)
    print(f"demo finished in {time.monotonic() - started:.0f}s")
    return result if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
