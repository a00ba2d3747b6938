"""Objects used as maps keyed by personal data: keys never become field names, and are scanned.

SPEC (Field names): an object used as a map keyed by data has its keys written ``<key>``
(``customers.<key>.phone``) and its keys are scanned as the field ``customers.<key>``.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from cloudaudit.config import Limits
from cloudaudit.formats import Sample
from cloudaudit.formats.detectors import using_detectors
from cloudaudit.formats.header import using_header_words
from cloudaudit.model import FieldResult, PiiType
from cloudaudit.pii import detect_sample
from cloudaudit.pii.field_names import name_detectors
from cloudaudit.pii.words import header_words
from cloudaudit.sampling import parse_bytes  # formats as the extract path calls them: PII knowledge handed in
from cloudaudit_demo import synth

# The map's own name gives its keys their context, as a column header would.
PARENTS = {
    PiiType.PERSON_NAME: "customers",
    PiiType.EMAIL_ADDRESS: "by_email",
    PiiType.PHONE_NUMBER: "by_phone",
    PiiType.NATIONAL_ID: "by_national_id",
    PiiType.VEHICLE_REGISTRATION: "by_plate",
}
COUNTRIES = ("JP", "TH", "VN", "ID", "MY", "SG", "IN")
CASES = [(pii_type, country) for pii_type in PARENTS for country in COUNTRIES]


def planted_keys(pii_type: PiiType, country: str, count: int = 12) -> list[str]:
    rng = random.Random(f"{pii_type}-{country}")
    keys: list[str] = []
    while len(keys) < count:
        key = synth.value(pii_type, country, rng)
        if key not in keys:
            keys.append(key)
    return keys


def leaks(keys: list[str], texts: list[str]) -> list[str]:
    """Planted keys found in ``texts``, as written or as their digits (``090-1234`` → ``0901234``)."""
    digits_of = [re.sub(r"\D", "", text) for text in texts]
    found = [key for key in keys if any(key in text for text in texts)]
    found += [key for key in keys if len(re.sub(r"\D", "", key)) >= 6
              and any(re.sub(r"\D", "", key) in text for text in digits_of)]
    return found


def _entry(index: int) -> dict[str, object]:
    return {"visits": index, "tier": "gold" if index % 2 else "silver"}


def documents(parent: str, keys: list[str]) -> dict[str, tuple[str, bytes, str]]:
    """The same map nested, at the top level, with scalar values, and in JSON Lines:
    name → (file name, bytes, the field that holds the keys)."""
    nested = {"exported": "2026-11-20", parent: {key: _entry(i) for i, key in enumerate(keys)}}
    top = {key: _entry(i) for i, key in enumerate(keys)}
    scalars = {parent: {key: i for i, key in enumerate(keys)}}
    lines = "".join(json.dumps({"day": f"d{n}", parent: {key: _entry(i) for i, key in enumerate(keys[n::3])}},
                               ensure_ascii=False) + "\n" for n in range(3))
    return {
        "nested": ("nested.json", json.dumps(nested, ensure_ascii=False).encode(), f"{parent}.<key>"),
        "top": ("top.json", json.dumps(top, ensure_ascii=False).encode(), "<key>"),
        "scalars": ("scalars.json", json.dumps(scalars, ensure_ascii=False).encode(), f"{parent}.<key>"),
        "jsonl": ("lines.jsonl", lines.encode(), f"{parent}.<key>"),
    }


def _by_field(results: tuple[FieldResult, ...]) -> dict[str, set[PiiType]]:
    return {result.field: set(result.pii_types) for result in results}


@pytest.mark.parametrize(("pii_type", "country"), CASES, ids=[f"{t.value}-{c}" for t, c in CASES])
def test_map_keys_never_become_field_names_and_are_scanned(pii_type: PiiType, country: str,
                                                           limits: Limits) -> None:
    keys = planted_keys(pii_type, country)
    parent = PARENTS[pii_type]
    for shape, (name, data, keys_field) in documents(parent, keys).items():
        sample = parse_bytes(name, data, limits=limits)
        assert leaks(keys, list(sample.fields)) == [], shape
        assert sorted(v for v in sample.fields[keys_field] if v) == sorted(keys), shape
        if shape in ("nested", "top"):  # entries keep their order, under <key>
            assert sample.fields[f"{keys_field}.visits"] == [str(i) for i in range(len(keys))]
        results = detect_sample(sample, country)
        shown = [r.field for r in results] + [m.masked_example for r in results for m in r.pii]
        assert leaks(keys, [r.field for r in results]) == [], shape
        assert all(not key or key not in " ".join(shown) for key in keys), shape
        if keys_field != "<key>":  # under a name that says what they are, keys are found as that type
            assert pii_type in _by_field(results)[keys_field], (shape, _by_field(results))


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_top_level_map_keyed_by_national_ids_is_a_field_of_national_ids(country: str, limits: Limits) -> None:
    keys = planted_keys(PiiType.NATIONAL_ID, country)
    name, data, _ = documents("ids", keys)["top"]
    results = _by_field(detect_sample(parse_bytes(name, data, limits=limits), country))
    assert PiiType.NATIONAL_ID in results["<key>"]
    assert set(results) == {"<key>", "<key>.visits", "<key>.tier"}


def test_map_values_that_are_scalars_get_their_own_field(limits: Limits) -> None:
    names = planted_keys(PiiType.PERSON_NAME, "JP", 4)
    phones = planted_keys(PiiType.PHONE_NUMBER, "JP", 4)
    document = {"phones": dict(zip(names, phones, strict=True))}
    sample = parse_bytes("p.json", json.dumps(document, ensure_ascii=False).encode(), limits=limits)
    assert sample.fields == {"phones.<key>": names, "phones.<value>": phones}


@pytest.mark.parametrize("document", [
    {"name": "x", "phone": "y", "address_line_1": "z", "@id": "u", "$ref": "v"},
    {"họ tên": "x", "số điện thoại": "y"},  # spaced field names, as Vietnamese exports write them
    {"Customer Name": "x", "Phone Number": "y"},
    {"No.": "1", "Tel #": "x", "Amount ($)": "y", "Date of birth (dd/mm/yyyy)": "z"},  # headers written as keys
    {"billing": {"street": "a", "city": "b"}, "shipping": {"street": "c", "city": "d"}},
])
def test_records_keep_their_field_names(document: dict[str, object], limits: Limits) -> None:
    sample = parse_bytes("r.json", json.dumps(document, ensure_ascii=False).encode(), limits=limits)
    assert not any("<key>" in name for name in sample.fields)


def test_many_objects_of_one_shape_under_name_like_keys_are_a_map(limits: Limits) -> None:
    # 山田太郎 (no space) reads as a field name on its own; four same-shaped entries make a map.
    keys = ["山田太郎", "鈴木花子", "佐藤次郎", "高橋三郎"]
    document = {"顧客": {key: {"電話": "x", "住所": "y"} for key in keys}}
    sample = parse_bytes("m.json", json.dumps(document, ensure_ascii=False).encode(), limits=limits)
    assert set(sample.fields) == {"顧客.<key>", "顧客.<key>.電話", "顧客.<key>.住所"}
    assert sample.fields["顧客.<key>"] == keys


def test_a_map_contributes_at_most_max_rows_keys() -> None:
    keys = planted_keys(PiiType.EMAIL_ADDRESS, "JP", 30)
    data = json.dumps({"by_email": {key: {"n": 1} for key in keys}}).encode()
    sample = parse_bytes("big.json", data, limits=Limits(max_rows=10))
    assert sample.fields["by_email.<key>"] == keys[:10]
    assert sample.truncated


def test_the_last_line_generalises_any_name_segment_a_detector_accepts() -> None:
    from cloudaudit.formats.fieldnames import safe_field_names

    email, my_number = planted_keys(PiiType.EMAIL_ADDRESS, "JP", 1)[0], planted_keys(PiiType.NATIONAL_ID, "JP", 1)[0]
    fields: dict[str, list[str | None]] = {
        f"Sheet1!{email}": ["a"], f"owners.{my_number}.phone": ["b"], "owners.山田 太郎.phone": ["c"],
        "customer.City": ["d"], "phone": ["e"],
    }
    with using_header_words(header_words()), using_detectors(name_detectors()):
        safe = safe_field_names(fields, max_rows=10)
    assert safe == {"Sheet1!<key>": ["a"], "owners.<key>.phone": ["b", "c"], "customer.City": ["d"], "phone": ["e"]}


def test_sample_repr_shows_sizes_and_reason_only() -> None:
    sample = Sample(format="csv", fields={"<key>": ["taro@example.com"]}, rows=1, partial="csv: why")
    assert "taro" not in repr(sample) and "why" in repr(sample)


@pytest.mark.parametrize("name", ["entries.jsonl", "entries.json"])
def test_a_stream_of_one_entry_maps_is_one_map(name: str, limits: Limits) -> None:
    # {"山田太郎": {...}} a line at a time: each object alone has one key that reads as a name.
    keys = ["山田太郎", "鈴木花子", "佐藤次郎", "高橋三郎", "田中一郎"]
    records = [json.dumps({key: {"電話": f"x{i}"}}, ensure_ascii=False) for i, key in enumerate(keys)]
    text = "\n".join(records) + "\n" if name.endswith("l") else "[" + ",".join(records) + "]"
    sample = parse_bytes(name, text.encode(), limits=limits)
    assert sample.fields == {"<key>": keys, "<key>.電話": [f"x{i}" for i in range(5)]}
    assert sample.rows == 5


def test_schema_names_pass_the_guard_on_the_extract_path(limits: Limits) -> None:
    # A Parquet schema's names are taken as written (no map rule applies): only the guard, with
    # the detectors the extract path hands in, stands between a column named by data and the output.
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    email = planted_keys(PiiType.EMAIL_ADDRESS, "JP", 1)[0]
    rng = random.Random("short-plates")
    plates = (synth.value(PiiType.VEHICLE_REGISTRATION, "TH", rng) for _ in range(400))
    plate = next(key for key in plates if sum(char.isdigit() for char in key) < 3)  # passes the lexical rules
    buffer = io.BytesIO()
    pq.write_table(pa.table({email: ["a"], plate: ["b"], "city": ["c"]}), buffer)
    sample = parse_bytes("t.parquet", buffer.getvalue(), limits=limits)
    assert leaks([email, plate], list(sample.fields)) == []
    assert sample.fields == {"<key>": ["a", "b"], "city": ["c"]}
