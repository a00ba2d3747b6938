"""The docker-compose topology, natively: CeleryExecutor with two one-slot workers (issue 14, item 3).

PostgreSQL (a temporary metadata DB), the local Redis as broker, and api-server, scheduler,
dag-processor, triggerer and two Celery workers as separate process groups on loopback. The
run is driven only through REST API v2 with a JWT from ``POST /auth/token`` (FAB auth manager,
an admin created with ``airflow users create``), as an operator's script would: unpause,
trigger with params, poll. Two countries with one environment each give two mapped extract
tasks, enough to show both workers at work at the least CPU. Teardown stops every process
group, drops the database and removes the run's Redis keys, also when a step failed.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cloudaudit_demo.demo import migrate
from tests.e2e.airflow_stack import (
    AirflowStack,
    database_exists,
    free_port,
    postgres_unavailable_reason,
    temporary_database,
    wait_for,
)
from tests.e2e.celery_stack import (
    REDIS_HOST,
    REDIS_PORT,
    RestClient,
    celery_env,
    redis_unavailable_reason,
    start_worker,
    unique_queue,
)
from tests.e2e.harness import cloudaudit_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

DAG_ID = "cloudaudit_daily"
RUN_DATE = "2026-11-20"
COUNTRIES = ["JP", "TH", "VN", "SG"]  # AWS (moto) and GCP environments: four extract tasks for two one-slot workers
WORKERS = ("w1", "w2")
ADMIN = "admin"
AUDITORS = {"jp_auditor": ("JP_Auditor", "JP"), "th_auditor": ("TH_Auditor", "TH")}  # issue 15: per-country roles
CLOUDAUDIT = str(Path(sys.executable).with_name("cloudaudit"))


@dataclass
class CeleryRun:
    """What the module's one REST-triggered run left behind."""

    env: dict[str, str]
    queue: str
    run: dict[str, Any]
    task_instances: list[dict[str, Any]]
    token_status: int
    listening: set[str] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)
    portal: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # (who, what) → (status, body)

    def report(self, country: str) -> tuple[Path, Path]:
        base = Path(self.env["CLOUDAUDIT_OUTPUT"]) / RUN_DATE / country
        return base / f"compliance_{country}_{RUN_DATE}.xlsx", base / f"evidence_{country}_{RUN_DATE}.zip"


def _no_component_died(stack: AirflowStack) -> None:
    if dead := stack.dead():
        raise AssertionError(f"components exited: {dead}\n{stack.failure_context()}")


def _api_up(stack: AirflowStack, client: RestClient) -> bool | None:
    import httpx

    _no_component_died(stack)

    try:
        httpx.get(f"{client.base_url}/api/v2/monitor/health", timeout=5)
        return True
    except httpx.HTTPError:
        return None


def _worker_ready(stack: AirflowStack, name: str) -> bool | None:
    _no_component_died(stack)
    log = stack.logs[f"worker-{name}"]
    return True if log.exists() and b" ready." in log.read_bytes() else None


def _run_finished(stack: AirflowStack, client: RestClient, run_id: str, listening: set[str]) -> dict[str, Any] | None:
    listening |= stack.listening()  # sampled while tasks run, so task processes are seen too
    run: dict[str, Any] = client.request("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}")
    dead = stack.dead()
    if run["state"] == "failed" or dead:
        raise AssertionError(f"run {run['state']}, exited components {dead}\n{stack.failure_context()}")
    return run if run["state"] == "success" else None


def _drop_redis_keys(queue: str) -> list[str]:
    """Remove the run's queue from the shared broker; returns the keys that still hold its name."""
    import redis

    broker = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    keys = list(broker.scan_iter(match=f"*{queue}*"))
    if keys:
        broker.delete(*keys)
    return [k.decode() for k in broker.scan_iter(match=f"*{queue}*")]


def _start(stack: AirflowStack, client: RestClient, port: int, queue: str, password: str,
           timings: dict[str, float]) -> int:
    started = time.monotonic()
    migrate(stack.airflow_home, stack.env)
    stack.cli("users", "create", "--username", ADMIN, f"--password={password}", "--role", "Admin",
              "--email", "admin@example.org", "--firstname", "Ada", "--lastname", "Admin")
    for user, (role, country) in AUDITORS.items():  # as an operator grants auditors their country
        granted = subprocess.run([CLOUDAUDIT, "portal", "grant", role, country], env=stack.env, capture_output=True,
                                 text=True, timeout=180, check=False)
        assert granted.returncode == 0, granted.stdout + granted.stderr
        stack.cli("users", "create", "--username", user, f"--password={password}", "--role", role,
                  "--email", f"{user}@example.org", "--firstname", user, "--lastname", "Auditor")
    timings["db_and_user_s"] = time.monotonic() - started
    stack.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
    stack.start("scheduler", "scheduler", "--skip-serve-logs")  # a log server would bind every interface
    stack.start("dag-processor", "dag-processor")
    stack.start("triggerer", "triggerer", "--skip-serve-logs")
    for name in WORKERS:
        start_worker(stack, name, queue)
    wait_for(lambda: _api_up(stack, client), 300, "the api-server", stack.failure_context)
    status = client.login(ADMIN, password)
    assert client.token, f"POST /auth/token answered {status}\n{stack.failure_context()}"
    wait_for(lambda: _no_component_died(stack) or client.get_or_none(f"/dags/{DAG_ID}"), 300, f"{DAG_ID} to be parsed", stack.failure_context)
    for name in WORKERS:  # both must listen before the tasks are sent, or one could take them all
        wait_for(lambda name=name: _worker_ready(stack, name), 300, f"worker {name}", stack.failure_context)
    timings["components_ready_s"] = time.monotonic() - started
    return status


def _portal_downloads(base_url: str, password: str) -> dict[str, tuple[int, bytes]]:
    """The JP spreadsheet through the portal, as the JP auditor and as the TH auditor."""
    import httpx

    path = f"/cloudaudit/api/reports/JP/{RUN_DATE}/compliance_JP_{RUN_DATE}.xlsx"
    out = {}
    for user in AUDITORS:
        login = RestClient(base_url)
        assert login.login(user, password) == 201
        response = httpx.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {login.token}"}, timeout=60)
        out[user] = (response.status_code, response.content)
    return out


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryRun]:
    from cloudaudit_demo.estate.manager import running_estate

    for reason in (postgres_unavailable_reason(), redis_unavailable_reason()):
        if reason:
            pytest.skip(f"{reason}: the Celery stack needs PostgreSQL and Redis (CI starts them)")
    started = time.monotonic()
    root = tmp_path_factory.mktemp("celery_stack")
    queue, password = unique_queue(), secrets.token_urlsafe(16)
    stack: AirflowStack | None = None
    timings: dict[str, float] = {}
    with running_estate(root / "state" / "estate") as estate, temporary_database("cloudaudit_celery") as database:
        timings["estate_s"] = time.monotonic() - started
        port = free_port()
        env = cloudaudit_env(root, estate)
        env["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(Path(__file__).resolve().parents[2] / "plugins")
        stack = AirflowStack(root=root, env=celery_env(env, database, port, queue), database=database)
        client = RestClient(f"http://127.0.0.1:{port}")
        listening: set[str] = set()
        try:
            token_status = _start(stack, client, port, queue, password, timings)
            client.request("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})
            run_started = time.monotonic()
            run = client.request("POST", f"/dags/{DAG_ID}/dagRuns", {
                "logical_date": f"{RUN_DATE}T00:00:00Z", "conf": {"countries": COUNTRIES, "mode": "live"}})
            run = wait_for(lambda: _run_finished(stack, client, run["dag_run_id"], listening), 900,
                           f"run {run['dag_run_id']} to succeed", stack.failure_context, 5)
            timings["run_s"] = time.monotonic() - run_started
            tis = client.request("GET", f"/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances",
                                 params={"limit": 100})["task_instances"]
            portal = _portal_downloads(client.base_url, password)
            yield CeleryRun(env=stack.env, queue=queue, run=run, task_instances=tis, token_status=token_status,
                            listening=listening, timings=timings, portal=portal)
        finally:
            stopping = time.monotonic()
            survivors = stack.stop()
            leftover_keys = _drop_redis_keys(queue)
            timings["stop_s"] = time.monotonic() - stopping
    assert not survivors, f"processes left running after teardown: {[(p.pid, p.name()) for p in survivors]}"
    assert stack is not None and len(stack.processes) == 4 + len(WORKERS)
    assert not database_exists(database), f"metadata database {database} was not dropped"
    assert not leftover_keys, f"broker keys of this run left in Redis: {leftover_keys}"
    timings["module_s"] = time.monotonic() - started
    (root / "timings.json").write_text(json.dumps(timings, indent=1))
    print(f"\ncelery stack timings: {json.dumps({k: round(v, 1) for k, v in timings.items()})}")


def test_token_from_auth_endpoint_and_run_succeeds_with_its_params(celery_run: CeleryRun) -> None:
    assert celery_run.token_status == 201
    assert celery_run.run["state"] == "success"
    assert celery_run.run["conf"]["countries"] == COUNTRIES


def test_the_runs_tasks_ran_on_both_workers(celery_run: CeleryRun) -> None:
    # Redis hands each message to whichever idle worker polls first, so which worker takes the four
    # extracts is not fixed (one fast worker can take them all in turn); across the run's dozen-odd
    # tasks, both one-slot workers must have taken work.
    extracts = [ti for ti in celery_run.task_instances if ti["task_id"] == "extract"]
    assert len(extracts) == len(COUNTRIES)
    assert {ti["hostname"] for ti in extracts} <= set(WORKERS)
    assert {ti["hostname"] for ti in celery_run.task_instances} == set(WORKERS)


def test_every_task_went_through_the_runs_own_celery_queue(celery_run: CeleryRun) -> None:
    assert celery_run.task_instances
    assert {(ti["state"], ti["queue"]) for ti in celery_run.task_instances} == {("success", celery_run.queue)}
    assert {ti["hostname"] for ti in celery_run.task_instances} <= set(WORKERS)


def test_every_country_publishes_a_verifying_report(celery_run: CeleryRun) -> None:
    for country in COUNTRIES:
        xlsx, bundle = celery_run.report(country)
        assert xlsx.is_file() and bundle.is_file(), country
        verify = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)],
                                capture_output=True, text=True, check=False, env=celery_run.env)
        assert verify.returncode == 0, (country, verify.stdout + verify.stderr)
    published = {p.name for p in (Path(celery_run.env["CLOUDAUDIT_OUTPUT"]) / RUN_DATE).iterdir()}
    assert published == set(COUNTRIES)  # the params narrowed the run: no other country was published


def test_processes_listen_on_loopback_only(celery_run: CeleryRun) -> None:
    assert celery_run.listening  # at least the api-server
    public = {a for a in celery_run.listening if not a.startswith(("127.0.0.1:", "::1:"))}
    assert not public


def test_portal_serves_jp_to_the_jp_auditor_and_refuses_the_th_auditor(celery_run: CeleryRun) -> None:
    status, body = celery_run.portal["jp_auditor"]
    assert status == 200 and body == celery_run.report("JP")[0].read_bytes()
    status, body = celery_run.portal["th_auditor"]
    assert status == 403 and json.loads(body) == {"detail": "no access to country JP"}
