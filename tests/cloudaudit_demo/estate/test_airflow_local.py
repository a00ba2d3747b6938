"""The `make airflow` launcher's settings, without starting Airflow (the e2e test starts it)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from cloudaudit_demo.estate.airflow_local import ADMIN, admin_password, choose_port, local_env


def test_every_cloudaudit_variable_and_a_loopback_local_executor(tmp_path: Path) -> None:
    inventory = tmp_path / "state" / "estate" / "inventory.yaml"
    env = local_env(tmp_path, 18123, inventory, base={"PATH": "/usr/bin"})
    assert {k: env[k] for k in env if k.startswith("CLOUDAUDIT_")} == {
        "CLOUDAUDIT_INVENTORY": str(inventory),
        "CLOUDAUDIT_STATE": str(tmp_path / "state"),
        "CLOUDAUDIT_OUTPUT": str(tmp_path / "output"),
        "CLOUDAUDIT_SIGNING_KEY": str(tmp_path / "state" / "signing_key.pem"),
        "CLOUDAUDIT_TASK_RETRIES": "0",
        # the portal: SimpleAuthManager cannot tell countries apart, so the one local admin gets all
        "CLOUDAUDIT_PORTAL_ACCESS": "grants",
        "CLOUDAUDIT_PORTAL_GRANTS": '{"role:admin": ["*"]}',
        "CLOUDAUDIT_PORTAL_URL": "http://127.0.0.1:18123",
    }
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"].endswith("/plugins")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18123/execution/"
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "True"  # the launcher unpauses it
    assert "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE" not in env
    assert local_env(tmp_path, 18123, inventory, schedule=False, base={})["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] == "False"


def test_callers_settings_are_kept_and_secrets_are_made_once_per_home(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.yaml"
    first = local_env(tmp_path, 1, inventory, base={"CLOUDAUDIT_TASK_RETRIES": "3", "CLOUDAUDIT_MAX_ROWS": "9"})
    assert (first["CLOUDAUDIT_TASK_RETRIES"], first["CLOUDAUDIT_MAX_ROWS"]) == ("3", "9")
    second = local_env(tmp_path, 1, inventory, base={})
    assert second["AIRFLOW__API_AUTH__JWT_SECRET"] == first["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert len(first["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 64  # long enough for HS512
    other = local_env(tmp_path / "other", 1, inventory, base={})
    assert other["AIRFLOW__API_AUTH__JWT_SECRET"] != first["AIRFLOW__API_AUTH__JWT_SECRET"]


def test_admin_password_is_kept_in_the_simple_auth_manager_file(tmp_path: Path) -> None:
    path = tmp_path / "passwords.json"
    password = admin_password(path)
    assert json.loads(path.read_text()) == {ADMIN: password}
    assert path.stat().st_mode & 0o077 == 0
    assert admin_password(path) == password


def test_a_taken_port_is_replaced_by_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        chosen = choose_port(port)
        assert chosen != port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", chosen))  # really free
