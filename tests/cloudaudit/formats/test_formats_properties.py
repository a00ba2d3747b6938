"""Properties: CSV round-trips through parse_sample; a cut JSON document never invents a value."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit.config import Limits
from cloudaudit.formats import parse_sample
from cloudaudit.formats.flatten import flatten_record
from cloudaudit.formats.jsondoc import partial_json
from cloudaudit.formats.values import FieldTable

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
WIDE = Limits(max_rows=10_000, max_fields=10_000, max_cell_chars=10_000)

# Column names as exports write them (customer_name, 電話_番号): a header, not a record.
_words = st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=6)
_names = st.builds(lambda a, b: f"{a}_{b}", _words, _words)
_cells = st.text(st.sampled_from(list("abcXYZ ÄÖ日本ไทย\"\n\r0123456789.-")), max_size=15)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[str, list[str], list[list[str]]]:
    header = draw(st.lists(_names, min_size=2, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(_cells, min_size=len(header), max_size=len(header)), min_size=1, max_size=30)
                .filter(lambda rows: all(any(c.strip() for c in row) for row in rows)))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    return delimiter, header, rows


@PROPERTY
@given(_tables())
def test_csv_round_trip(table: tuple[str, list[str], list[list[str]]]) -> None:
    delimiter, header, rows = table
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    sample = parse_sample("t.csv", buffer.getvalue().encode(), limits=WIDE)
    header = [unicodedata.normalize("NFC", name) for name in header]  # text is read composed
    assert list(sample.fields) == header
    for index, name in enumerate(header):
        assert sample.fields[name] == [unicodedata.normalize("NFC", row[index]).strip() or None for row in rows]
    assert sample.rows == len(rows)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.text(max_size=8),
                     st.floats(allow_nan=False, allow_infinity=False))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text("abcdef", min_size=1, max_size=3), inner, max_size=4)),
    max_leaves=30)
_documents = st.one_of(st.dictionaries(st.text("abcdef", min_size=1, max_size=3), _json, min_size=1, max_size=5),
                       st.lists(st.dictionaries(st.text("abcdef", min_size=1, max_size=3), _json, max_size=4),
                                min_size=1, max_size=6))


def _fields(document: Any) -> dict[str, list[str | None]]:
    table = FieldTable(WIDE)
    for record in document if isinstance(document, list) else [document]:
        flatten_record(table, record)
    return table.fields


@PROPERTY
@given(document=_documents, cut=st.floats(0, 1), indent=st.sampled_from([None, 1]))
def test_cut_json_keeps_only_values_of_the_whole(document: Any, cut: float, indent: int | None) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    whole = _fields(json.loads(text, parse_float=__import__("decimal").Decimal))
    partial = partial_json(text[: int(cut * len(text))], max_items=10_000)
    if not isinstance(partial, dict | list):
        return  # nothing complete yet
    for name, values in _fields(partial).items():
        assert values == whole[name][: len(values)], name


@PROPERTY
@given(_tables(), st.floats(0, 1))
def test_cut_csv_keeps_a_prefix_of_the_rows(table: tuple[str, list[str], list[list[str]]], cut: float) -> None:
    delimiter, header, rows = table
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    data = buffer.getvalue().encode()
    whole = parse_sample("t.csv", data, limits=WIDE)
    part = parse_sample("t.csv", data[: int(cut * len(data))], limits=WIDE, truncated=True)
    assert part.truncated
    if list(part.fields) != list(whole.fields):
        assert part.rows == 0  # the cut fell inside the header: nothing to name columns by
        return
    for name, values in part.fields.items():
        assert values == whole.fields[name][: part.rows]
