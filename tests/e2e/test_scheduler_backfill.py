"""`airflow backfill create` over two dates, run by a real scheduler (issue 5, item 7).

Unlike the `dags test` tests, nothing here runs in-process: a PostgreSQL metadata DB, the
api-server (the execution API the task processes talk to), the scheduler with LocalExecutor and
the dag-processor run as separate process groups, and the backfill is created with the CLI as an
operator would. Both runs must succeed, publish a verifying report per country and chain D2's
bundles to D1's. Teardown stops every process started here and drops the database.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.config import load_inventory
from cloudaudit_demo.demo import migrate
from tests.e2e.airflow_stack import (
    PG_HOST,
    PG_PORT,
    PG_USER,
    AirflowStack,
    database_exists,
    free_port,
    postgres_unavailable_reason,
    stack_env,
    temporary_database,
    wait_for,
)
from tests.e2e.harness import CANARY_PASSWORD, canary_connection, cloudaudit_env
from tests.leaks import (
    Haystack,
    LeakSearcher,
    assert_no_leaks,
    files_under,
    postgres_tables,
    secret_forms_of_pem,
)

DAG_ID = "cloudaudit_daily"
D1, D2 = "2026-11-20", "2026-11-21"
RUNS_TIMEOUT = 360.0


@dataclass
class Backfilled:
    """What the module's one backfill left behind, for the tests to inspect."""

    root: Path
    env: dict[str, str]
    countries: list[str]
    environments: list[str]
    runs: dict[str, tuple[str, str]]  # run date -> (run_type, state)
    periods: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)  # run date -> (start, end)
    listening: set[str] = field(default_factory=set)  # host:port of sockets our processes listened on
    timings: dict[str, float] = field(default_factory=dict)
    planted: dict[str, Any] = field(default_factory=dict)  # the seeder's planted.json
    metadata_db: list[Haystack] = field(default_factory=list)  # every column of every table, read before the drop

    @property
    def output(self) -> Path:
        return Path(self.env["CLOUDAUDIT_OUTPUT"])

    @property
    def state(self) -> Path:
        return Path(self.env["CLOUDAUDIT_STATE"])

    def report(self, country: str, run_date: str) -> tuple[Path, Path]:
        base = self.output / run_date / country
        return base / f"compliance_{country}_{run_date}.xlsx", base / f"evidence_{country}_{run_date}.zip"


def _dag_parsed(stack: AirflowStack) -> bool | None:
    rows = stack.query("SELECT d.dag_id FROM dag d JOIN serialized_dag s ON s.dag_id = d.dag_id "
                       "WHERE d.dag_id = %s AND NOT d.is_stale", (DAG_ID,))
    return True if rows else None


def _api_up(port: int) -> bool | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # answering at all is enough: the execution API lives in the same server
    except OSError:
        return None


def _backfill_runs(stack: AirflowStack) -> dict[str, tuple[str, str]]:
    rows = stack.query("SELECT logical_date, run_type, state FROM dag_run WHERE dag_id = %s", (DAG_ID,))
    return {ld.strftime("%Y-%m-%d") if ld else "?": (run_type, state) for ld, run_type, state in rows}


def _run_periods(stack: AirflowStack) -> dict[str, tuple[datetime, datetime]]:
    rows = stack.query("SELECT logical_date, start_date, end_date FROM dag_run WHERE dag_id = %s", (DAG_ID,))
    return {ld.strftime("%Y-%m-%d"): (start, end) for ld, start, end in rows}


def _runs_finished(stack: AirflowStack, listening: set[str]) -> dict[str, tuple[str, str]] | None:
    """Both runs' states once they succeeded; fails at once when one failed or a component died."""
    listening |= stack.listening()  # sampled while tasks run, so task processes are seen too
    runs = _backfill_runs(stack)
    failed = {d: s for d, s in runs.items() if s[1] == "failed"}
    dead = stack.dead()
    if failed or dead:
        raise AssertionError(f"failed runs {failed}, exited components {dead}\n{stack.failure_context()}")
    if all(runs.get(d, ("", ""))[1] == "success" for d in (D1, D2)):
        return runs
    return None


def _start_stack(stack: AirflowStack, port: int, timings: dict[str, float]) -> None:
    started = time.monotonic()
    migrate(stack.airflow_home, stack.env)
    timings["db_migrate_s"] = time.monotonic() - started
    stack.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
    stack.start("scheduler", "scheduler", "--skip-serve-logs")  # its log server would bind every interface
    stack.start("dag-processor", "dag-processor")
    wait_for(lambda: _api_up(port), 120, "the api-server", stack.failure_context)
    wait_for(lambda: _dag_parsed(stack), 120, f"{DAG_ID} to be parsed", stack.failure_context)
    timings["components_ready_s"] = time.monotonic() - started


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    from cloudaudit_demo.estate.manager import running_estate

    reason = postgres_unavailable_reason()
    if reason:  # under CI=true this skip is a failure (tests/conftest.py): .ci/run starts PostgreSQL
        pytest.skip(f"{reason}: the scheduler backfill test needs a PostgreSQL metadata DB (CI starts one)")
    started = time.monotonic()
    root = tmp_path_factory.mktemp("scheduler_backfill")
    stack: AirflowStack | None = None
    with running_estate(root / "state" / "estate") as estate, temporary_database() as database:
        port = free_port()
        env = cloudaudit_env(root, estate)
        env.update(canary_connection())
        stack = AirflowStack(root=root, env=stack_env(env, database, port), database=database)
        inventory = load_inventory(estate.inventory_path)
        result = Backfilled(root=root, env=stack.env, countries=list(inventory.country_codes),
                            environments=[e.name for e in inventory.environments], runs={},
                            planted=json.loads((estate.state_dir / "planted.json").read_text()))
        result.timings["estate_s"] = time.monotonic() - started
        try:
            _start_stack(stack, port, result.timings)
            stack.cli("dags", "unpause", DAG_ID)
            backfill_started = time.monotonic()
            # One run at a time: a backfill ignores the DAG's max_active_runs (Airflow 3 gives it its
            # own limit, 10 by default), and D2's bundle can only chain to D1's once D1 has published.
            stack.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", D1, "--to-date", D2,
                      "--max-active-runs", "1")
            result.runs = wait_for(lambda: _runs_finished(stack, result.listening), RUNS_TIMEOUT,
                                   f"both backfill runs of {DAG_ID} to succeed",
                                   lambda: f"runs: {_backfill_runs(stack)}\n{stack.failure_context()}", 5)
            result.timings["backfill_s"] = time.monotonic() - backfill_started
            result.periods = _run_periods(stack)
            result.metadata_db = postgres_tables(database, host=PG_HOST, port=PG_PORT, user=PG_USER)
            yield result
        finally:
            stopping = time.monotonic()
            survivors = stack.stop()
            result.timings["stop_s"] = time.monotonic() - stopping
    assert not survivors, f"processes left running after teardown: {[(p.pid, p.name()) for p in survivors]}"
    assert stack is not None and stack.seen, "no process was recorded"
    assert not database_exists(database), f"metadata database {database} was not dropped"
    result.timings["module_s"] = time.monotonic() - started
    (root / "timings.json").write_text(json.dumps(result.timings, indent=1))
    print(f"\nscheduler backfill timings: {json.dumps({k: round(v, 1) for k, v in result.timings.items()})}")


def test_backfill_creates_one_successful_run_per_date(backfilled: Backfilled) -> None:
    # Exactly these two runs: the scheduler created no other one.
    assert backfilled.runs == {D1: ("backfill", "success"), D2: ("backfill", "success")}


def test_runs_execute_in_date_order_one_at_a_time(backfilled: Backfilled) -> None:
    (_, d1_end), (d2_start, _) = backfilled.periods[D1], backfilled.periods[D2]
    assert d1_end <= d2_start


def test_processes_listen_on_loopback_only(backfilled: Backfilled) -> None:
    assert backfilled.listening  # at least the api-server
    public = {a for a in backfilled.listening if not a.startswith(("127.0.0.1:", "::1:"))}
    assert not public


def test_every_country_publishes_a_verifying_report_for_both_dates(backfilled: Backfilled) -> None:
    assert backfilled.countries
    for run_date in (D1, D2):
        for country in backfilled.countries:
            xlsx, bundle = backfilled.report(country, run_date)
            assert xlsx.is_file() and bundle.is_file(), (country, run_date)
            verify = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)],
                                    capture_output=True, text=True, check=False, env=backfilled.env)
            assert verify.returncode == 0, (country, run_date, verify.stdout + verify.stderr)


def test_second_date_chains_to_the_first(backfilled: Backfilled) -> None:
    for country in backfilled.countries:
        first = hashlib.sha256(backfilled.report(country, D1)[1].read_bytes()).hexdigest()
        with zipfile.ZipFile(backfilled.report(country, D2)[1]) as zf:
            manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
        assert manifest["previous_bundle_sha256"] == first, country


def test_snapshots_exist_for_both_dates(backfilled: Backfilled) -> None:
    assert backfilled.environments
    for run_date in (D1, D2):
        stored = {p.stem for p in (backfilled.state / "snapshots" / run_date).glob("*.json")}
        assert stored == set(backfilled.environments), run_date


def test_no_planted_pii_value_or_secret_in_any_output(backfilled: Backfilled) -> None:
    """The only run with real task-log files: those, the components' logs, every metadata DB table,
    reports, bundles, snapshots and state; planted values in every form, the signing key, a password."""
    key = backfilled.root / "signing_key.pem"
    outputs = [*backfilled.metadata_db, *files_under(backfilled.root, exclude=[key])]
    where = [w for w, _ in outputs]
    assert any("/logs/dag_id=" in w and w.endswith(".log") for w in where), "no task log was searched"
    for column in ("xcom.value", "task_instance.hostname", "log.extra", "dag_run.conf",
                   "rendered_task_instance_fields.rendered_fields"):
        assert any(w.endswith(f" {column}") for w in where), f"{column} was not searched"
    secrets = {**secret_forms_of_pem(key.read_text()),
               "connection password": backfilled.env[CANARY_PASSWORD]}
    assert_no_leaks(LeakSearcher.from_planted(backfilled.planted, secrets), outputs, min_chars=1_000_000)
