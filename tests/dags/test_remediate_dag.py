"""cloudaudit_remediate parses fast, imports nothing heavy, follows the reports the daily DAG publishes,
and wires a mapped human approval between the proposal and every change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILE = REPO / "dags" / "cloudaudit_remediate.py"
HEAVY = ("pandas", "boto3", "botocore", "great_expectations", "openpyxl", "google.cloud.bigquery",
         "google.cloud.storage", "pyarrow", "cloudaudit.remediation", "cloudaudit.pipeline")


@pytest.fixture(scope="module")
def dags(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    return dict(bag.dags)


def _parse_in_subprocess(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import sys, json, time\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "started = time.perf_counter()\n"
        f"b = DagBag(dag_folder={str(DAG_FILE)!r})\n"
        "seconds = time.perf_counter() - started\n"
        "assert not b.import_errors, b.import_errors\n"
        "approve = b.dags['cloudaudit_remediate'].task_dict['approve']\n"
        f"print(json.dumps({{'heavy': [m for m in {list(HEAVY)!r} if m in sys.modules], 'seconds': seconds,\n"
        "                   'timeout': approve.partial_kwargs['response_timeout'].total_seconds()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False", **env})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_parses_fast_and_imports_nothing_heavy() -> None:
    parsed = _parse_in_subprocess({})
    assert parsed["heavy"] == []
    assert parsed["seconds"] < 2.0, parsed  # the file alone; Airflow's own imports come before the clock
    assert parsed["timeout"] == timedelta(days=1).total_seconds()  # nobody answering for a day rejects


def test_approval_timeout_comes_from_the_environment() -> None:
    assert _parse_in_subprocess({"CLOUDAUDIT_APPROVAL_TIMEOUT_S": "20"})["timeout"] == 20.0


def test_scheduled_on_the_reports_alias_the_daily_dag_publishes(dags: dict[str, Any]) -> None:
    dag = dags["cloudaudit_remediate"]
    publish = dags["cloudaudit_daily"].task_dict["publish"]
    aliases = {getattr(o, "name", None) for o in publish.partial_kwargs.get("outlets", []) or publish.outlets}
    assert "cloudaudit-reports" in aliases
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAlias" and condition.name == "cloudaudit-reports"
    assert not dag.catchup
    assert set(dag.params.keys()) == {"country", "date"}
    assert dag.params["country"] == "" and dag.params["date"] == ""
    assert {"cloudaudit", "remediation"} <= set(dag.tags)
    assert dag.doc_md and "approve" in dag.doc_md


def test_tasks_in_order_with_a_mapped_human_approval(dags: dict[str, Any]) -> None:
    from airflow.providers.standard.operators.hitl import HITLOperator

    dag = dags["cloudaudit_remediate"]
    assert [t.task_id for t in dag.tasks] == ["targets", "propose", "approve", "apply", "confirm"]
    upstream = {t.task_id: set(t.upstream_task_ids) for t in dag.tasks}
    assert upstream == {"targets": set(), "propose": {"targets"}, "approve": {"propose"},
                        "apply": {"propose", "approve"}, "confirm": {"apply"}}
    approve = dag.task_dict["approve"]
    assert approve.operator_class is HITLOperator
    assert approve._is_mapped and type(approve.expand_input).__name__ == "ListOfDictsExpandInput"  # expand_kwargs
    for name in ("propose", "apply", "confirm"):
        assert dag.task_dict[name]._is_mapped, name


def test_a_rejection_or_timeout_still_reaches_apply_and_nothing_is_retried_blindly(dags: dict[str, Any]) -> None:
    dag = dags["cloudaudit_remediate"]
    # apply records a rejection, a timeout or a failed approval (as reject) instead of being skipped
    assert dag.task_dict["apply"].trigger_rule == "all_done"
    assert dag.task_dict["approve"].trigger_rule == "all_done"
    assert dag.task_dict["approve"].retries == 0  # a retry would ask the people again
    assert dag.task_dict["apply"].retries == 0  # a retry would see its own change
    for name in ("targets", "propose", "confirm"):
        task = dag.task_dict[name]
        assert task.retries >= 1 and task.owner != "airflow", name


def test_serializes_like_the_dag_processor_does(dags: dict[str, Any]) -> None:
    from airflow.serialization.serialized_objects import DagSerialization

    back = DagSerialization.from_dict(DagSerialization.to_dict(dags["cloudaudit_remediate"]))
    assert [t.task_id for t in back.tasks] == ["targets", "propose", "approve", "apply", "confirm"]
    assert "hitl_kwargs" in str(back.task_dict["approve"].expand_input)


@pytest.mark.parametrize(("subject", "country"), [("cloudaudit: 3 fixes proposed for JP (2026-12-04)", "JP"),
                                                  ("cloudaudit: 1 fix proposed for MY (2026-12-04)", "MY"),
                                                  ("cloudaudit: 0 fixes proposed for TH (2026-12-05)", "TH")])
def test_each_approval_is_labelled_by_its_country(dags: dict[str, Any], subject: str, country: str) -> None:
    from types import SimpleNamespace

    import jinja2

    template = dags["cloudaudit_remediate"].task_dict["approve"].partial_kwargs["map_index_template"]
    assert jinja2.Template(template).render(task=SimpleNamespace(subject=subject)) == country
