"""The validate → publish hand-over: a typed record in the state store, read back validated."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest

from cloudaudit import pipeline
from cloudaudit.config import Inventory, load_policy
from cloudaudit.handover import ValidationRecord
from cloudaudit.store import state
from cloudaudit.store.backend import open_store


def _record() -> ValidationRecord:
    inventory = Inventory.model_validate({"environments": [
        {"name": "jp-1", "country": "JP", "provider": "aws", "account_id": "111111111111"}]})
    stand_in = pipeline.not_assessed_snapshot(inventory.environment("jp-1"), "2026-11-20", "replay: none",
                                              mode="replay")
    return ValidationRecord(country="JP", run_date="2026-11-20", policy=load_policy("JP", inventory),
                            snapshots=(), findings=(), pii_inventory=(), resources=(), coverage=(),
                            gx_results={"jp_s3_buckets": {"success": True}},
                            data_docs={"data_docs/index.html": "<html></html>"}, not_assessed=(stand_in,))


def test_validation_record_round_trips_beside_the_snapshots(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    record = _record()
    key = state.write_validation(store, record)
    assert key == state.validation_key("2026-11-20", "JP") == "runs/2026-11-20/JP/validation.json"
    assert (tmp_path / key).is_file()
    again = state.read_validation(store, key)
    assert again == record
    assert again is not None and again.not_assessed[0].environment.name == "jp-1"
    assert state.read_validation(store, "runs/2026-11-20/TH/validation.json") is None


def test_a_record_with_an_unknown_or_missing_key_is_refused(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    key = state.write_validation(store, _record())
    data = json.loads((tmp_path / key).read_text())
    data["finding"] = data.pop("findings")  # a misspelt key must not read back as "no findings"
    (tmp_path / key).write_text(json.dumps(data))
    with pytest.raises(pydantic.ValidationError) as raised:
        state.read_validation(store, key)
    assert {e["loc"][0] for e in raised.value.errors()} == {"finding", "findings"}


def test_report_is_built_without_writing_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDAUDIT_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("CLOUDAUDIT_OUTPUT", str(tmp_path / "out"))
    key = state.write_validation(open_store(str(tmp_path / "state")), _record())
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    built = pipeline.build_country_report({"country": "JP", "run_date": "2026-11-20", "validation": key,
                                           "fail_by_severity": {}}, dag_id="d", run_id="r")
    assert (built.report.country, built.report.dag_id, built.report.run_id) == ("JP", "d", "r")
    assert built.environments == ["jp-1"]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
