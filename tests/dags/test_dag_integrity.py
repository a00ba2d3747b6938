"""The DAG parses, has the SPEC's id, params, tags and retries, and imports nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "boto3", "botocore", "great_expectations", "openpyxl", "google.cloud.bigquery",
         "google.cloud.storage", "pyarrow")


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory) -> object:
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag: object) -> None:
    assert dagbag.import_errors == {}  # type: ignore[attr-defined]


def test_cloudaudit_daily_shape(dagbag: object) -> None:
    dag = dagbag.dags["cloudaudit_daily"]  # type: ignore[attr-defined]
    assert {"cloudaudit"} <= set(dag.tags)
    assert set(dag.params.keys()) == {"countries", "environments", "mode", "alerts", "rescan"}
    assert dag.params["mode"] == "auto" and dag.params["rescan"] == "incremental"
    assert [t.task_id for t in dag.tasks] == ["plan", "extract", "by_country", "validate", "publish"]
    for task in dag.tasks:
        assert task.retries >= 1 and task.owner != "airflow"
    assert dag.task_dict["by_country"].trigger_rule == "all_done"


def test_parsing_imports_nothing_heavy() -> None:
    code = (
        "import sys, json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"b = DagBag(dag_folder={str(REPO / 'dags')!r})\n"
        "assert not b.import_errors, b.import_errors\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"})
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
