"""Peer suites' own test values (``peer_cases``) through ``cloudaudit scan``, as a user would run it.

Each value is written to its own file (a one-cell CSV column, or a text file for sentences) and
all files of a country are scanned in one ``run_scan`` call; the JSON rows say which types each
file holds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest

from cloudaudit.model import PiiType
from cloudaudit.pii import detect_field
from cloudaudit.scan import run_scan
from tests.cloudaudit.pii.peer_cases import CASES, STDNUM_ACN, PeerCase


def _write(case: PeerCase, path: Path) -> Path:
    if case.as_text:
        path = path.with_suffix(".txt")
        path.write_text(case.value + "\n", encoding="utf-8")
    else:
        path = path.with_suffix(".csv")
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["value"], [case.value]])
    return path


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[int, set[str]]:
    """Case index → PII types ``cloudaudit scan --json`` reports for its file."""
    root = tmp_path_factory.mktemp("peer_cases")
    by_country: dict[str, dict[str, int]] = defaultdict(dict)
    for index, case in enumerate(CASES):
        by_country[case.country][str(_write(case, root / f"case_{index}"))] = index
    found: dict[int, set[str]] = {index: set() for index in range(len(CASES))}
    for country, files in by_country.items():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert run_scan([Path(p) for p in files], country=country, as_json=True) == 0
        for row in json.loads(out.getvalue() or "[]"):
            found[files[row["Resource"]]].add(row["PII Type"])
    return found


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c.origin.rsplit('/', 1)[-1]}-{c.value[:40]}" for c in CASES])
def test_peer_case(index: int, scanned: dict[int, set[str]]) -> None:
    case = CASES[index]
    assert (case.pii_type.value in scanned[index]) is case.found, (case.origin, case.why)


def test_the_table_holds_both_positives_and_negatives_of_every_suite() -> None:
    files = {case.origin for case in CASES}
    assert len(files) == 12  # stdnum: TFN, ABN, ACN, TH PIN; Presidio: TFN, ABN, ACN, TNIN, cards, e-mail, Aadhaar, IP
    assert sum(case.found for case in CASES) > 150 and sum(not case.found for case in CASES) > 150


def test_a_column_of_company_numbers_is_no_tfn_column() -> None:
    """Some ACNs pass the TFN check (one in 11): a column of them, or one under its name, is not TFNs."""
    values = [v.strip() for v in STDNUM_ACN]
    assert not [m for m in detect_field("value", values, "AU").pii if m.pii_type is PiiType.NATIONAL_ID]
    for header in ("acn", "company_abn", "Company Number"):
        for value in values:
            assert not detect_field(header, [value], "AU").pii, (header, value)


@pytest.mark.parametrize(("text", "country", "detector", "found"), [
    ("ABN 51 824 753 556, TFN 876 543 210.", "AU", "au_tfn", True),  # the TFN's own name is nearer
    ("TFN 876 543 210 lodged; company ACN 004 235 063.", "AU", "au_tfn", True),  # the first one only
    ("Updated the head unit firmware to 10.20.30.40 today.", "VN", "ipv4", False),
    ("The customer connected from 10.20.30.40.", "VN", "ipv4", True),
])
def test_words_naming_something_else_count_against_a_match(text: str, country: str, detector: str,
                                                           found: bool) -> None:
    from cloudaudit.pii.spans import find_spans

    spans = [s for s in find_spans(text, country) if s.detector.name == detector]
    assert bool(spans) is found
    assert len(spans) <= 1
