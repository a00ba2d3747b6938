"""A real Airflow deployment for the guarded-remediation tests (issue 19).

PostgreSQL metadata DB, api-server with the FAB auth manager, scheduler (LocalExecutor) and
dag-processor, each its own process group (``AirflowStack``), over the demo estate. FAB users
are created with passwords in one process; their FAB ids (``str(int id)``) are what the HITL
``assigned_users`` name. ``cloudaudit_daily`` stays paused (no scheduled run of the whole
estate): ``airflow dags test`` runs it on the same metadata DB, so its publish's reports events
trigger ``cloudaudit_remediate`` through the scheduler like in production.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cloudaudit_demo.demo import migrate
from cloudaudit_demo.estate.info import EstateInfo
from tests.e2e.airflow_stack import (
    AirflowStack,
    database_exists,
    free_port,
    stack_env,
    temporary_database,
    wait_for,
)
from tests.e2e.harness import cloudaudit_env

DAILY, REMEDIATE = "cloudaudit_daily", "cloudaudit_remediate"
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
REPO = Path(__file__).resolve().parents[2]

# username -> FAB role; engineers get "User" (may answer approvals) plus the Required Actions menu.
USERS = {"admin": "Admin", "jp_engineer": "User", "th_engineer": "User"}

_CREATE_USERS = """
import json, sys
from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
users = json.loads(sys.stdin.read())
with get_application_builder() as ab:
    sm = ab.sm
    menu = sm.get_permission("menu_access", "HITL Detail")
    role = sm.find_role("User")
    if menu is not None and role is not None:
        sm.add_permission_to_role(role, menu)
    ids = {}
    for name, (role_name, password) in users.items():
        user = sm.add_user(username=name, first_name=name, last_name="Engineer", email=name + "@example.invalid",
                           role=sm.find_role(role_name), password=password)
        assert user, name
        ids[name] = str(int(user.id))
print("IDS=" + json.dumps(ids))
"""


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class RestClient:
    """REST API v2 as one user, with a JWT from ``POST /auth/token`` (FAB checks the password)."""

    base_url: str
    username: str
    password: str
    _token: str = ""

    def token(self) -> str:
        import httpx

        if not self._token:
            response = httpx.post(f"{self.base_url}/auth/token", timeout=30,
                                  json={"username": self.username, "password": self.password})
            assert response.status_code in (200, 201), f"login {self.username}: {response.status_code}"
            self._token = str(response.json()["access_token"])
        return self._token

    def call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Answer:
        import httpx

        response = httpx.request(method, f"{self.base_url}/api/v2{path}", json=body, params=params, timeout=60,
                                 headers={"Authorization": f"Bearer {self.token()}"})
        try:
            payload: Any = response.json()
        except ValueError:
            payload = response.text
        return Answer(response.status_code, payload)

    def ok(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        answer = self.call(method, path, body, params)
        assert answer.status < 300, f"{method} {path} as {self.username}: {answer.status} {str(answer.body)[:800]}"
        return answer.body

    # ---- human in the loop --------------------------------------------------------------------

    def pending_approvals(self, dag_id: str = REMEDIATE) -> list[dict[str, Any]]:
        """Every HITL request of the DAG not answered yet, over all runs (``~``)."""
        body = self.ok("GET", f"/dags/{dag_id}/dagRuns/~/hitlDetails",
                       params={"response_received": "false", "limit": 100})
        return list(body["hitl_details"])

    def all_approvals(self, dag_id: str = REMEDIATE) -> list[dict[str, Any]]:
        return list(self.ok("GET", f"/dags/{dag_id}/dagRuns/~/hitlDetails", params={"limit": 100})["hitl_details"])

    def respond(self, detail: dict[str, Any], chosen: list[str], comment: str) -> Answer:
        """PATCH .../taskInstances/{task_id}/{map_index}/hitlDetails: the choice and the form's comment."""
        ti = detail["task_instance"]
        return self.call("PATCH", f"/dags/{ti['dag_id']}/dagRuns/{ti['dag_run_id']}/taskInstances/"
                                  f"{ti['task_id']}/{ti['map_index']}/hitlDetails",
                         {"chosen_options": chosen, "params_input": {"comment": comment}})


@dataclass
class RemediateStack:
    stack: AirflowStack
    port: int
    estate: EstateInfo
    passwords: dict[str, str]
    user_ids: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return self.stack.env

    @property
    def output(self) -> Path:
        return Path(self.env["CLOUDAUDIT_OUTPUT"])

    def client(self, user: str) -> RestClient:
        return RestClient(self.url, user, self.passwords[user])

    def daily(self, run_date: str, countries: list[str], environments: list[str]) -> str:
        """``airflow dags test cloudaudit_daily`` on the stack's DB (the scheduler sees its reports events)."""
        conf = {"countries": countries, "environments": environments, "mode": "live", "alerts": "never"}
        started = time.monotonic()
        proc = subprocess.run([AIRFLOW, "dags", "test", DAILY, run_date, "-c", json.dumps(conf)], env=self.env,
                              capture_output=True, text=True, timeout=600, check=False)
        log = proc.stdout + proc.stderr
        n = len(list(self.stack.root.glob("daily_*.log")))
        (self.stack.root / f"daily_{n + 1}_{run_date}.log").write_text(log)
        self.timings[f"daily_{n + 1}_s"] = time.monotonic() - started
        assert proc.returncode == 0 and "state=success" in log, log[-4000:]
        return log

    def remediate_runs(self) -> dict[str, tuple[str, str]]:
        """run_id -> (run_type, state) of every cloudaudit_remediate run."""
        rows = self.stack.query("SELECT run_id, run_type, state FROM dag_run WHERE dag_id = %s", (REMEDIATE,))
        return {run_id: (run_type, state) for run_id, run_type, state in rows}

    def task_states(self, run_id: str) -> dict[tuple[str, int], str]:
        rows = self.stack.query("SELECT task_id, map_index, state FROM task_instance WHERE dag_id = %s "
                                "AND run_id = %s", (REMEDIATE, run_id))
        return {(task_id, map_index): str(state) for task_id, map_index, state in rows}

    def xcom(self, run_id: str, task_id: str) -> dict[int, Any]:
        """The return values of a mapped task of a remediate run, by map index (through the REST API)."""
        admin = self.client("admin")
        out: dict[int, Any] = {}
        for (task, index), _ in self.task_states(run_id).items():
            if task != task_id:
                continue
            answer = admin.call("GET", f"/dags/{REMEDIATE}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/"
                                       f"return_value", params={"map_index": index, "deserialize": "true"})
            if answer.status == 200:
                value = answer.body["value"]
                out[index] = json.loads(value) if isinstance(value, str) else value
        return out


def remediation_inventory(estate: EstateInfo, path: Path, allowed: Collection[str], approvers: dict[str, list[str]],
                          *, default: Collection[str] = ()) -> Path:
    """The estate's inventory with ``remediation: allowed`` (and the fixer's own credentials) for the
    environments named in ``allowed``, no ``remediation`` (the default, dry_run) for those in ``default``,
    ``never`` for the rest, and each country's approvers."""
    inventory = yaml.safe_load(estate.inventory_path.read_text())
    for env in inventory["environments"]:
        if env["name"] in default:
            env.pop("remediation", None)
        elif env["name"] in allowed:
            env["remediation"] = "allowed"
            if env["provider"] == "aws":  # moto tells accounts apart by the assumed role's account
                env["remediation_role_arn"] = f"arn:aws:iam::{env['account_id']}:role/cloudaudit-fixer"
            else:
                env["remediation_conn_id"] = f"cloudaudit_fixer_{env['country'].lower()}"
        else:
            env["remediation"] = "never"
    countries = inventory.get("countries") or {}
    for country, names in approvers.items():
        countries[country] = {**countries.get(country, {}), "remediation_approvers": names}
    inventory["countries"] = countries
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    return path


def _api_up(port: int) -> bool | None:
    import httpx

    try:
        httpx.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5)
        return True
    except httpx.HTTPError:
        return None


def _parsed(stack: AirflowStack) -> bool | None:
    rows = stack.query("SELECT d.dag_id FROM dag d JOIN serialized_dag s ON s.dag_id = d.dag_id "
                       "WHERE NOT d.is_stale AND d.dag_id IN (%s, %s)", (DAILY, REMEDIATE))
    return True if len(rows) == 2 else None


@contextmanager
def remediate_stack(root: Path, estate: EstateInfo, inventory: Path, *, approval_timeout_s: int,
                    extra_env: dict[str, str] | None = None) -> Iterator[RemediateStack]:
    """Start everything; at the end stop every process started here and drop the database."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    with temporary_database("cloudaudit_remediate") as database:
        port = free_port()
        env = stack_env(cloudaudit_env(root, estate), database, port)
        env.update({
            "AIRFLOW__CORE__AUTH_MANAGER": FAB,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True",  # asset-triggered runs need it; daily stays paused
            "AIRFLOW__SCHEDULER__TRIGGER_TIMEOUT_CHECK_INTERVAL": "3",  # the HITL timeout sweep
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(root / "airflow" / "logs"),
            # This checkout's DAGs and package, whichever checkout the venv was installed from.
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "PYTHONPATH": os.pathsep.join([str(REPO / "include"), str(REPO), env.get("PYTHONPATH", "")]),
            "CLOUDAUDIT_INVENTORY": str(inventory),
            "CLOUDAUDIT_APPROVAL_TIMEOUT_S": str(approval_timeout_s),
            **(extra_env or {}),
        })
        stack = AirflowStack(root=root, env=env, database=database)
        survivors: list[Any] = []
        try:
            migrate(stack.airflow_home, env)
            timings["migrate_s"] = time.monotonic() - started
            passwords = {user: secrets.token_urlsafe(12) for user in USERS}
            made = subprocess.run([sys.executable, "-c", _CREATE_USERS], env=env, capture_output=True, text=True,
                                  input=json.dumps({u: (USERS[u], passwords[u]) for u in USERS}), timeout=300,
                                  check=False)
            ids_line = [line for line in made.stdout.splitlines() if line.startswith("IDS=")]
            assert made.returncode == 0 and ids_line, (made.stdout + made.stderr)[-3000:]
            user_ids = dict(json.loads(ids_line[-1].removeprefix("IDS=")))
            timings["users_s"] = time.monotonic() - started
            stack.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
            stack.start("scheduler", "scheduler", "--skip-serve-logs")  # its log server would bind every interface
            stack.start("dag-processor", "dag-processor")
            wait_for(lambda: _api_up(port), 180, "the api-server", stack.failure_context)
            wait_for(lambda: _parsed(stack), 180, "both DAGs to be parsed", stack.failure_context)
            result = RemediateStack(stack, port, estate, passwords, user_ids, timings)
            result.client("admin").ok("PATCH", f"/dags/{REMEDIATE}", {"is_paused": False})
            timings["ready_s"] = time.monotonic() - started
            yield result
        finally:
            survivors = stack.stop()
    assert not survivors, f"processes left running: {[(p.pid, p.name()) for p in survivors]}"
    assert not database_exists(database), f"metadata database {database} was not dropped"
