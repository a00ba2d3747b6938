"""An Airflow api-server with the FAB auth manager and the cloudaudit portal plugin, on PostgreSQL.

Users and their country roles are created the way an operator would: ``airflow users create``
and ``cloudaudit portal grant``. Reports under ``CLOUDAUDIT_OUTPUT`` are real published files
(rendered spreadsheet, signed bundle), so the portal reads exactly what a run publishes.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.airflow_stack import AirflowStack, free_port, stack_env, temporary_database, wait_for

REPO = Path(__file__).resolve().parents[2]
CLOUDAUDIT = str(Path(sys.executable).with_name("cloudaudit"))
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
# user -> (role, countries granted to that role)
USERS = {"jp_auditor": ("JP_Auditor", ["JP"]), "th_auditor": ("TH_Auditor", ["TH"]), "admin": ("Admin", ["ALL"])}


@dataclass
class PortalStack:
    stack: AirflowStack
    port: int
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, user: str) -> str:
        body = json.dumps({"username": user, "password": self.passwords[user]}).encode()
        request = urllib.request.Request(f"{self.url}/auth/token", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.load(response)["access_token"])

    def get(self, path: str, user: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        request = urllib.request.Request(f"{self.url}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()


def _api_up(port: int) -> bool | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5):
            return True
    except OSError:
        return None


@contextmanager
def portal_stack(root: Path, output: Path) -> Iterator[PortalStack]:
    """Migrate a fresh database, create users and grants, start the api-server; stop and drop at the end."""
    with temporary_database("cloudaudit_portal") as database:
        port = free_port()
        env = stack_env(dict(os.environ), database, port)
        home = root / "airflow"
        (root / "dags").mkdir(parents=True, exist_ok=True)
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__AUTH_MANAGER": FAB,
            "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "CLOUDAUDIT_OUTPUT": str(output),
            "CLOUDAUDIT_PORTAL_ACCESS": "auth_manager",
            "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "include"), env.get("PYTHONPATH", "")]),
        })
        stack = AirflowStack(root=root, env=env, database=database)
        try:
            stack.cli("db", "migrate", timeout=300)
            passwords = {user: secrets.token_urlsafe(12) for user in USERS}
            for user, (role, countries) in USERS.items():
                granted = subprocess.run([CLOUDAUDIT, "portal", "grant", role, *countries], env=env,
                                         capture_output=True, text=True, timeout=180, check=False)
                assert granted.returncode == 0, granted.stdout + granted.stderr
                stack.cli("users", "create", "--username", user, f"--password={passwords[user]}", "--role", role,
                          "--firstname", user, "--lastname", "Auditor", "--email", f"{user}@example.invalid")
            stack.start("api-server", "api-server", "--port", str(port), "--host", "127.0.0.1")
            wait_for(lambda: _api_up(port), 180, "the api-server", stack.failure_context)
            yield PortalStack(stack, port, passwords)
        finally:
            left = stack.stop()
            assert not left, f"processes left behind: {left}"
