"""`cloudaudit scan`: the extract task's sampling and detection on local files, masked."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cloudaudit.model import PII_INVENTORY_COLUMNS, PiiType
from cloudaudit.scan import SCAN_COLUMNS, run_scan
from cloudaudit_demo import synth


@pytest.fixture
def customers(tmp_path: Path) -> tuple[Path, list[str]]:
    rng = random.Random(11)
    rows = [synth.record("TH", rng) for _ in range(20)]
    path = tmp_path / "customers.csv"
    lines = ["name,phone,email,national_id"] + [
        f"{r['name']},{r['phone']},{r['email']},{r['national_id']}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [r[k] for r in rows for k in ("phone", "email", "national_id")]


def test_json_rows_use_the_pii_inventory_columns_and_are_masked(
        customers: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    path, planted = customers
    assert run_scan([path], country="TH", as_json=True) == 0
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert set(SCAN_COLUMNS) <= set(PII_INVENTORY_COLUMNS)
    assert all(list(r) == list(SCAN_COLUMNS) and r["Resource"] == str(path) for r in rows)
    found = {(r["Field"], r["PII Type"]) for r in rows}
    assert {("phone", PiiType.PHONE_NUMBER), ("email", PiiType.EMAIL_ADDRESS),
            ("national_id", PiiType.NATIONAL_ID)} <= found
    assert not [v for v in planted if v in out]


def test_a_large_parquet_is_skipped_with_its_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDAUDIT_MAX_OBJECT_BYTES", "64")
    path = tmp_path / "big.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 200 + b"PAR1")
    assert run_scan([path], country="JP") == 1
    assert "over max_object_bytes" in capsys.readouterr().err


def test_missing_path_is_unusable_input(tmp_path: Path) -> None:
    assert run_scan([tmp_path / "nope.csv"]) == 2


def test_field_names_from_the_file_are_printed_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A header is data: one holding ESC or a bidi override must not reach the terminal raw."""
    rng = random.Random(12)
    rows = [synth.record("TH", rng) for _ in range(10)]
    path = tmp_path / "contacts.csv"
    path.write_text("e-mail\x1b[2K\u202e\n" + "".join(f"{r['email']}\n" for r in rows), encoding="utf-8")
    assert run_scan([path], country="TH") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    # A header with control characters is not spelt like a field name: it is generalised, never echoed.
    assert " <key> " in out and "e-mail" not in out
    assert not [r["email"] for r in rows if r["email"] in out]
