"""Inventory fields of remediation: ``remediation`` per environment, fixer credentials, approvers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudaudit.config import inventory_problems, load_inventory, load_policy

AWS = {"name": "jp-prod", "country": "JP", "provider": "aws", "account_id": "111111111111"}
GCP = {"name": "jp-gcp", "country": "JP", "provider": "gcp", "project_id": "jp-analytics"}


def test_remediation_is_dry_run_unless_set() -> None:
    inventory, problems = inventory_problems({"environments": [AWS]})
    assert problems == [] and inventory is not None
    assert inventory.environments[0].remediation == "dry_run"


@pytest.mark.parametrize("env", [AWS, GCP])
def test_allowed_without_fixer_credentials_is_refused_naming_the_field(env: dict[str, Any]) -> None:
    # the scanner's own credentials do not count: the fixer needs its own
    scanner = {"role_arn": "arn:aws:iam::111111111111:role/cloudaudit-reader"} if env is AWS else {
        "airflow_conn_id": "gcp_reader"}
    inventory, problems = inventory_problems({"environments": [AWS, {**env, **scanner, "name": "x",
                                                                     "remediation": "allowed"}]})
    assert inventory is None
    assert [where for where, _ in problems] == ["environments[1].remediation"]
    assert "remediation_role_arn" in problems[0][1] and "remediation_conn_id" in problems[0][1]


@pytest.mark.parametrize("credentials", [{"remediation_role_arn": "arn:aws:iam::111111111111:role/cloudaudit-fixer"},
                                         {"remediation_profile": "fixer"}, {"remediation_conn_id": "aws_fixer"}])
def test_allowed_with_fixer_credentials_is_accepted(credentials: dict[str, str]) -> None:
    inventory, problems = inventory_problems({"environments": [{**AWS, "remediation": "allowed", **credentials}]})
    assert problems == [] and inventory is not None


def test_an_unknown_remediation_mode_names_the_field() -> None:
    _, problems = inventory_problems({"environments": [{**AWS, "remediation": "yes"}]})
    assert [where for where, _ in problems] == ["environments[0].remediation"]


def test_inventory_check_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"environments": [{**AWS, "remediation": "allowed"}]}))
    run = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "inventory", "check", str(path)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "environments[0].remediation: allowed needs the fixer's own credentials" in run.stdout


def test_approvers_are_not_part_of_the_country_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit.remediation.workflow import approver_users

    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"environments": [AWS], "countries": {"JP": {
        "remediation_approvers": ["jp-engineer", "jp-lead:7"], "allowed_locations": ["ap-northeast-1"]}}}))
    monkeypatch.setenv("CLOUDAUDIT_INVENTORY", str(path))
    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER",
                       "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager")
    inventory = load_inventory()
    assert load_policy("JP", inventory).allowed_locations == ("ap-northeast-1",)
    # SimpleAuthManager checks the username; "name:id" gives the id explicitly (FAB's str(int id))
    assert approver_users("JP") == [{"id": "7", "name": "jp-lead"}, {"id": "jp-engineer", "name": "jp-engineer"}]
    assert approver_users("TH") == []


def test_fab_approvers_are_resolved_to_their_integer_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FAB checks ``str(int id)``: the usernames are looked up in ``ab_user`` (a real SQLite database here)."""
    import sqlite3

    from cloudaudit.remediation.workflow import approver_users

    db = tmp_path / "airflow.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE ab_user (id INTEGER PRIMARY KEY, username VARCHAR(256))")
        connection.executemany("INSERT INTO ab_user VALUES (?, ?)", [(3, "jp-engineer"), (9, "th-engineer")])
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"environments": [AWS], "countries": {"JP": {
        "remediation_approvers": ["jp-engineer", "nobody", "jp-lead:12"]}}}))
    monkeypatch.setenv("CLOUDAUDIT_INVENTORY", str(path))
    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER", "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager")
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{db}")
    # an unknown user is left out (logged): an id that matches nobody would lock everyone out
    assert approver_users("JP") == [{"id": "12", "name": "jp-lead"}, {"id": "3", "name": "jp-engineer"}]


@pytest.mark.parametrize(("params", "message"), [({"country": ""}, "params.country"), ({"country": "XX"}, "XX"),
                                                 ({"country": "JP", "date": "04/12/2026"}, "YYYY-MM-DD")])
def test_targets_by_hand_refuse_bad_params(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str],
                                           message: str) -> None:
    from cloudaudit.errors import ConfigError
    from cloudaudit.remediation.workflow import targets

    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"environments": [AWS]}))
    monkeypatch.setenv("CLOUDAUDIT_INVENTORY", str(path))
    with pytest.raises(ConfigError, match=message):
        targets(params, [], "2026-12-04")
    assert targets({"country": "JP"}, [], "2026-12-04") == [{"country": "JP", "run_date": "2026-12-04"}]
