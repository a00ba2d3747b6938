"""The docker-compose topology run natively: CeleryExecutor on the local Redis, FAB auth, REST API v2.

PostgreSQL holds the metadata DB (a temporary database) and Celery's results; Redis is the
broker. Parallel runs on one machine share Redis, so every stack gets its own queue name (the
workers listen to it and every task is sent to it) and its own Celery node names; mingle and
gossip are off so workers of other runs are never consulted. Each worker reports its own
hostname to Airflow (``worker_hostname``), as two workers on two machines would.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.airflow_stack import PG_HOST, PG_PORT, PG_USER, AirflowStack, stack_env

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REPO = Path(__file__).resolve().parents[2]
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
WORKER_NAME_VAR = "CLOUDAUDIT_E2E_WORKER"


def worker_hostname() -> str:
    """``[core] hostname_callable`` for the test's workers: each one names itself, as its host would."""
    return os.environ.get(WORKER_NAME_VAR) or socket.getfqdn()


def redis_unavailable_reason() -> str | None:
    """Why the local Redis cannot be the broker, or None when it can."""
    import redis

    try:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT} ({type(exc).__name__})"
    return None


def celery_env(base: dict[str, str], database: str, api_port: int, queue: str, *,
               redis_db: int = 0, parallelism: int = 4) -> dict[str, str]:
    """Settings shared by every component of a CeleryExecutor stack with the FAB auth manager."""
    env = stack_env(base, database, api_port, parallelism=parallelism)
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__WEBSERVER__SECRET_KEY": env["AIRFLOW__API__SECRET_KEY"],
    })
    return env


def worker_env(env: dict[str, str], name: str) -> dict[str, str]:
    """One worker's environment: its own hostname in the task instances it runs."""
    own = dict(env)
    pythonpath = [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    own.update({
        WORKER_NAME_VAR: name,
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.worker_hostname",
        "PYTHONPATH": os.pathsep.join(pythonpath),
    })
    return own


def start_worker(stack: AirflowStack, name: str, queue: str) -> None:
    """``airflow celery worker`` with one slot, on ``queue`` only, without a log server (it binds 0.0.0.0)."""
    stack.start(f"worker-{name}", "celery", "worker", "--concurrency", "1", "--queues", queue,
                "--celery-hostname", f"{name}@{queue}", "--without-mingle", "--without-gossip",
                "--skip-serve-logs", env=worker_env(stack.env, name))


def unique_queue() -> str:
    return f"cloudaudit_e2e_{uuid.uuid4().hex[:10]}"


@dataclass
class RestClient:
    """REST API v2 with a JWT from ``POST /auth/token``, as an operator's script would use it."""

    base_url: str
    token: str = ""

    def login(self, username: str, password: str) -> int:
        """Fetch a token; returns the HTTP status of the token request."""
        import httpx

        response = httpx.post(f"{self.base_url}/auth/token", json={"username": username, "password": password},
                              timeout=30)
        if response.status_code in (200, 201):
            self.token = str(response.json()["access_token"])
        return response.status_code

    def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                params: dict[str, Any] | None = None) -> Any:
        import httpx

        response = httpx.request(method, f"{self.base_url}/api/v2{path}", json=body, params=params, timeout=60,
                                 headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:800]}"
        return response.json()

    def get_or_none(self, path: str) -> Any:
        """A GET that may legitimately not find its object yet (a DAG not parsed)."""
        import httpx

        response = httpx.get(f"{self.base_url}/api/v2{path}", timeout=30,
                             headers={"Authorization": f"Bearer {self.token}"})
        return response.json() if response.status_code == 200 else None
