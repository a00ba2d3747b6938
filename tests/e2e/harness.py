"""A real Airflow run of cloudaudit_daily against the demo estate, for end-to-end tests."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudaudit_demo.demo import airflow_env, migrate
from cloudaudit_demo.estate.info import EstateInfo


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

    def run(self, run_date: str, mode: str = "auto") -> str:
        """`airflow dags test` for one date; returns its log (task logs included)."""
        airflow = str(Path(sys.executable).with_name("airflow"))
        proc = subprocess.run([airflow, "dags", "test", "cloudaudit_daily", run_date, "-c",
                               json.dumps({"mode": mode})], env=self.env, capture_output=True, text=True,
                              timeout=900, check=False)
        log = proc.stdout + proc.stderr
        (self.root / f"dags_test_{run_date}_{mode}.log").write_text(log)
        assert proc.returncode == 0, log[-4000:]
        assert "state=success" in log, log[-4000:]
        return log

    def report(self, country: str, run_date: str) -> tuple[Path, Path]:
        base = self.output / run_date / country
        return base / f"compliance_{country}_{run_date}.xlsx", base / f"evidence_{country}_{run_date}.zip"

    def xcom_values(self) -> list[str]:
        db = Path(self.env["AIRFLOW_HOME"]) / "airflow.db"
        with sqlite3.connect(db) as conn:
            return [str(v) for (v,) in conn.execute("SELECT value FROM xcom")]


def make_runs(root: Path, estate: EstateInfo) -> DailyRuns:
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


def texts_of(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of a file and, for zip files (xlsx, bundles), of every member, recursively."""
    data = path.read_bytes()
    yield from _texts(str(path), data)


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                yield from _texts(f"{name}!{member}", zf.read(member))
    else:
        yield name, data.decode("utf-8", errors="replace")
