"""`cloudaudit scan` on maps keyed by personal data and on files it cannot read to their bounds."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from cloudaudit.model import PiiType
from cloudaudit.scan import run_scan
from cloudaudit_demo import synth

COUNTRIES = ("JP", "TH", "MY", "IN")
PARENTS = {PiiType.NATIONAL_ID: "by_national_id", PiiType.EMAIL_ADDRESS: "by_email",
           PiiType.PERSON_NAME: "customers", PiiType.VEHICLE_REGISTRATION: "by_plate",
           PiiType.PHONE_NUMBER: "by_phone"}


def _keys(pii_type: PiiType, country: str, count: int = 10) -> list[str]:
    rng = random.Random(f"scan-{pii_type}-{country}")
    return list(dict.fromkeys(synth.value(pii_type, country, rng) for _ in range(count * 2)))[:count]


def _leaked(keys: list[str], text: str) -> list[str]:
    digits = re.sub(r"\D", "", text)
    return [k for k in keys if k in text or (len(re.sub(r"\D", "", k)) >= 6 and re.sub(r"\D", "", k) in digits)]


def _write_maps(tmp_path: Path, pii_type: PiiType, country: str) -> tuple[list[Path], list[str]]:
    keys = _keys(pii_type, country)
    parent = PARENTS[pii_type]
    nested = {parent: {key: {"visits": i} for i, key in enumerate(keys)}}
    lines = "".join(json.dumps({parent: {key: {"visits": 1}}}, ensure_ascii=False) + "\n" for key in keys)
    paths = [tmp_path / "nested.json", tmp_path / "lines.jsonl"]
    paths[0].write_text(json.dumps(nested, ensure_ascii=False), encoding="utf-8")
    paths[1].write_text(lines, encoding="utf-8")
    return paths, keys


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("pii_type", list(PARENTS), ids=lambda t: t.value)
def test_scan_never_prints_a_map_key_and_finds_the_keys_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pii_type: PiiType, country: str) -> None:
    paths, keys = _write_maps(tmp_path, pii_type, country)
    assert run_scan(paths, country=country, as_json=True) == 0
    out, err = capsys.readouterr()
    rows = json.loads(out)
    assert _leaked(keys, out + err) == []
    found = {(Path(r["Resource"]).name, r["Field"], r["PII Type"]) for r in rows}
    keys_field = f"{PARENTS[pii_type]}.<key>"
    assert {(p.name, keys_field, pii_type.value) for p in paths} <= found
    assert run_scan(paths, country=country) == 0  # the text table
    out, err = capsys.readouterr()
    assert _leaked(keys, out + err) == []
    assert keys_field in out


def _over_limit_csv(tmp_path: Path) -> tuple[Path, list[str]]:
    rng = random.Random(3)
    emails = [synth.value(PiiType.EMAIL_ADDRESS, "JP", rng) for _ in range(15)]
    path = tmp_path / "notes.csv"
    blob = "x" * 140_000  # over Python csv's field_size_limit (131072)
    path.write_text("id,note\n" + f"1,{blob}\n" + "".join(f"{n},{e}\n" for n, e in enumerate(emails, 2)),
                    encoding="utf-8")
    return path, emails


def test_a_cell_over_the_csv_field_limit_is_partial_and_the_rows_after_it_are_scanned(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, emails = _over_limit_csv(tmp_path)
    assert run_scan([path], country="JP", as_json=True) == 1
    out, err = capsys.readouterr()
    assert "PARTIAL: csv: a row with a cell over the csv field limit" in err
    assert {(r["Field"], r["PII Type"]) for r in json.loads(out)} == {("note", "EMAIL_ADDRESS")}
    assert _leaked(emails, out + err) == []


def test_a_million_column_header_is_partial_never_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wide.csv"
    header = ",".join(f"customer_field_{n}" for n in range(1_000_000))
    path.write_text(header + "\nTaro Yamada,taro@example.com\n", encoding="utf-8")
    assert run_scan([path], country="JP") == 1
    out, err = capsys.readouterr()
    assert f"{path}: PARTIAL: csv: " in err
    assert "no PII found" not in out + err
    assert "scan incomplete: 1 file(s) not sampled or only partly read" in err
