"""The PII benchmark's pure parts: the columns from outside, their tally, the peer-suite table."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

from benchmarks import _pii_outside as outside
from benchmarks.pii_vs_presidio import DIFFERS, base_view, export_full_corpus, peer_table
from cloudaudit.model import PiiType


def test_every_table_gets_abbreviated_headerless_and_thing_columns() -> None:
    corpus = export_full_corpus(seed=3, tables=1, rows=30)
    tables = [s for s in corpus if "-table-" in s["name"]]
    assert tables and all("kinds" not in s for s in corpus if s not in tables)
    for sample in tables:
        kinds = sample["kinds"]
        assert list(kinds.values()).count("headerless_names") == 1
        assert 2 <= sum(k.startswith("abbreviated:") for k in kinds.values()) <= 3
        assert 2 <= sum(k.startswith("thing:") for k in kinds.values()) <= 3
        for field, kind in kinds.items():
            assert len(sample["fields"][field]) == 30
            if kind.startswith("thing:"):
                assert sample["labels"][field] == []
            elif kind == "headerless_names":
                assert sample["labels"][field] == ["PERSON_NAME"] and outside.is_headerless(field)
            else:
                assert sample["labels"][field] == [kind.split(":")[1]]
        assert not set(kinds) & set(base_view([sample])[0]["labels"])


def test_the_benchmark_reads_headers_with_its_own_list() -> None:
    """The abbreviated headers are the benchmark's: nothing of the product's lexicon is imported."""
    tree = ast.parse(Path(outside.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not [m for m in imported if m and ("lexicon" in m or m.endswith(".words"))]
    assert {PiiType(t) for t in outside.ABBREVIATED} >= {PiiType.PERSON_NAME, PiiType.ADDRESS,
                                                         PiiType.PHONE_NUMBER, PiiType.DATE_OF_BIRTH}


def test_by_kind_counts_right_types_and_any_type_on_things() -> None:
    corpus = [{"name": "t", "country": "ID", "labels": {"a": ["PERSON_NAME"], "b": [], "c": ["ADDRESS"]},
               "kinds": {"a": "headerless_names", "b": "thing:paint:headerless", "c": "abbreviated:ADDRESS"}}]
    predictions = {"t": {"a": ["PERSON_NAME"], "b": ["PERSON_NAME"], "c": ["ADDRESS", "PHONE_NUMBER"]}}
    kinds = outside.by_kind(corpus, predictions)
    assert kinds["headerless_names"]["found"] == 1 and kinds["headerless_names"]["false_positive"] == 0
    assert kinds["thing:paint:headerless"]["false_positive"] == 1
    assert kinds["thing:paint:headerless"]["fp_types"] == {"PERSON_NAME": 1}
    assert kinds["abbreviated:ADDRESS"]["found"] == 1 and kinds["abbreviated:ADDRESS"]["false_positive"] == 1
    summary = outside.summary(kinds)
    assert summary["things"] == {"false_positive": 1, "columns": 1}
    assert summary["headerless_names"] == {"found": 1, "columns": 1}


def test_peer_table_follows_each_suites_verdict() -> None:
    def case(origin: str, found: bool, why: str = "") -> SimpleNamespace:
        return SimpleNamespace(origin=f"x@y: tests/{origin}", pii_type=PiiType.IP_ADDRESS, found=found, why=why)

    cases = [case("test_ip_recognizer.py", True), case("test_ip_recognizer.py", False),
             case("test_ip_recognizer.py", False, "loopback")]
    table = peer_table(cases, [True, False, False], [{"IP_ADDRESS": 0.6}, {"IP_ADDRESS": 0.1}, {"IP_ADDRESS": 0.6}],
                       threshold=0.5)
    plain, differs = table["by_file"]["test_ip_recognizer.py"], table["by_file"][DIFFERS]
    assert (plain["expected"], plain["cloudaudit_found"], plain["presidio_found"]) == (1, 1, 1)
    assert (plain["negatives"], plain["presidio_fp"], plain["presidio_any_score_fp"]) == (1, 0, 1)
    assert (differs["expected"], differs["cloudaudit_found"], differs["presidio_found"]) == (1, 0, 1)
    assert table["total"]["expected"] == 2
