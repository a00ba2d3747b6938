"""A real Airflow run of cloudaudit_daily against the demo estate, for end-to-end tests."""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudaudit_demo.demo import airflow_env, migrate
from cloudaudit_demo.estate.info import EstateInfo
from tests.leaks import Haystack, LeakSearcher, files_under, secret_forms_of_pem

CANARY_CONNECTION = "AIRFLOW_CONN_CLOUDAUDIT_CANARY"


@dataclass
class DailyRuns:
    """An estate, an AIRFLOW_HOME and the cloudaudit variables, shared by a test module."""

    root: Path
    estate: EstateInfo
    env: dict[str, str]

    @property
    def state(self) -> Path:
        return Path(self.env["CLOUDAUDIT_STATE"])

    @property
    def output(self) -> Path:
        return Path(self.env["CLOUDAUDIT_OUTPUT"])

    @property
    def truth(self) -> dict[str, Any]:
        return dict(json.loads((self.estate.state_dir / "truth.json").read_text()))

    @property
    def planted(self) -> dict[str, Any]:
        return dict(json.loads((self.estate.state_dir / "planted.json").read_text()))

    @property
    def airflow_home(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"])

    def secrets(self) -> dict[str, str]:
        """What must never reach an output: the signing key and a connection's password."""
        return {**secret_forms_of_pem(Path(self.env["CLOUDAUDIT_SIGNING_KEY"]).read_text()),
                "connection password": self.env[CANARY_PASSWORD]}

    def leak_searcher(self) -> LeakSearcher:
        return LeakSearcher.from_planted(self.planted, self.secrets())

    def outputs(self) -> list[Haystack]:
        """Every output of the runs: `dags test` stdout/stderr, reports, bundles, snapshots, state,
        and everything under AIRFLOW_HOME (task logs, the metadata DB's every table and column)."""
        found = [(str(path), path.read_text(errors="replace")) for path in sorted(self.root.glob("dags_test_*.log"))]
        for folder in (self.output, self.state, self.airflow_home):
            found += list(files_under(folder))  # the seeder's own estate/ folder is not an output
        return found

    def run(self, run_date: str, mode: str = "auto") -> str:
        """`airflow dags test` for one date; returns its log (task logs included)."""
        airflow = str(Path(sys.executable).with_name("airflow"))
        proc = subprocess.run([airflow, "dags", "test", "cloudaudit_daily", run_date, "-c",
                               json.dumps({"mode": mode})], env=self.env, capture_output=True, text=True,
                              timeout=900, check=False)
        log = proc.stdout + proc.stderr
        runs_so_far = len(list(self.root.glob("dags_test_*.log")))  # a date run twice keeps both logs
        (self.root / f"dags_test_{runs_so_far + 1}_{run_date}_{mode}.log").write_text(log)
        assert proc.returncode == 0, log[-4000:]
        assert "state=success" in log, log[-4000:]
        return log

    def report(self, country: str, run_date: str) -> tuple[Path, Path]:
        base = self.output / run_date / country
        return base / f"compliance_{country}_{run_date}.xlsx", base / f"evidence_{country}_{run_date}.zip"



CANARY_PASSWORD = "CLOUDAUDIT_TEST_CANARY_PASSWORD"  # kept in the env only so the test can search for it


def canary_connection() -> dict[str, str]:
    """An Airflow connection (set the usual way, in the environment) whose password must never be written."""
    password = f"canary-{secrets.token_urlsafe(18)}"
    return {CANARY_CONNECTION: f"postgresql://auditor:{password}@127.0.0.1:5432/warehouse",
            CANARY_PASSWORD: password}


def cloudaudit_env(root: Path, estate: EstateInfo) -> dict[str, str]:
    """Airflow's settings under ``root/airflow`` and every ``CLOUDAUDIT_*`` variable of a test run
    against ``estate``: state and output under ``root``, a signing key made there, no retries."""
    from cloudaudit.evidence.signing import load_or_create_private_key

    key = root / "signing_key.pem"
    load_or_create_private_key(key)
    env = airflow_env(root / "airflow", base=dict(os.environ))
    env.update({
        "CLOUDAUDIT_INVENTORY": str(estate.inventory_path),
        "CLOUDAUDIT_STATE": str(root / "state"),
        "CLOUDAUDIT_OUTPUT": str(root / "output"),
        "CLOUDAUDIT_SIGNING_KEY": str(key),
        "CLOUDAUDIT_TASK_RETRIES": "0",
    })
    return env


def make_runs(root: Path, estate: EstateInfo) -> DailyRuns:
    env = cloudaudit_env(root, estate)
    env.update(canary_connection())
    migrate(root / "airflow", env)
    return DailyRuns(root=root, estate=estate, env=env)


def sheet_rows(xlsx: Path | bytes, sheet: str) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    data = xlsx if isinstance(xlsx, bytes) else xlsx.read_bytes()
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def header(xlsx: Path, sheet: str) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(xlsx, read_only=True)
    return [str(c) for c in next(wb[sheet].iter_rows(values_only=True)) if c is not None]
