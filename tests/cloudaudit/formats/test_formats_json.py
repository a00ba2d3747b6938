"""JSON and JSON Lines: key paths, records, numbers, truncation."""

from __future__ import annotations

import json

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats import TEXT_FIELD, parse_sample
from tests.cloudaudit.formats.formatfactory import customers, nested_records, to_jsonl


def test_top_level_array_is_read_as_records(limits: Limits) -> None:
    people = customers(4)
    data = json.dumps(nested_records(people), indent=2).encode()
    sample = parse_sample("customers.json", data, limits=limits)
    assert sample.format == "json"
    assert sample.rows == 4
    assert sample.fields["customer.name"] == [p.name for p in people]
    assert sample.fields["customer.contacts[].phone"] == [p.phone for p in people]
    assert sample.fields["customer.contacts[].email"] == [p.email for p in people]
    assert sample.fields["customer.tags[]"] == [v for p in people for v in ("vip", p.city)]
    assert sample.fields["vehicle.vin"] == [None] * 4
    assert sample.fields["vehicle.mileage"] == ["1234567890123"] * 4  # no float noise
    assert not any(name.startswith("[]") for name in sample.fields)


def test_single_object_is_one_record_with_nested_arrays(limits: Limits) -> None:
    people = customers(3)
    document = {"dealer": {"code": "JP-13"}, "customers": [{"name": p.name, "phones": [p.phone, "0"]}
                                                           for p in people]}
    sample = parse_sample("dealer.json", json.dumps(document).encode(), limits=limits)
    assert sample.rows == 1
    assert sample.fields["dealer.code"] == ["JP-13"]
    assert sample.fields["customers[].name"] == [p.name for p in people]
    assert sample.fields["customers[].phones[]"] == [v for p in people for v in (p.phone, "0")]


def test_object_values_become_paths_not_strings(limits: Limits) -> None:
    sample = parse_sample("x.json", b'{"a": {"b": {"c": "deep"}}, "n": [[1, 2.50], [3e2]]}', limits=limits)
    assert sample.fields == {"a.b.c": ["deep"], "n[][]": ["1", "2.50", "300"]}


def test_keys_that_look_like_data_are_not_field_names(limits: Limits) -> None:
    people = customers(3)
    document = {"by_email": {p.email: {"phone": p.phone} for p in people}}
    sample = parse_sample("map.json", json.dumps(document).encode(), limits=limits)
    assert list(sample.fields) == ["by_email.<key>", "by_email.<key>.phone"]  # SPEC: keys written <key>
    assert sample.fields["by_email.<key>"] == [p.email for p in people]  # keys are scanned as values
    assert sample.fields["by_email.<key>.phone"] == [p.phone for p in people]
    assert not any(p.email in name for p in people for name in sample.fields)


def test_scalars_and_booleans(limits: Limits) -> None:
    sample = parse_sample("s.json", b'["free text", true, null, 12]', limits=limits)
    assert sample.fields == {TEXT_FIELD: ["free text", "true", None, "12"]}
    assert sample.rows == 4


def test_jsonl_records(limits: Limits) -> None:
    people = customers(5)
    sample = parse_sample("events.jsonl", to_jsonl(nested_records(people)), limits=limits)
    assert sample.format == "jsonl"
    assert sample.rows == 5
    assert sample.fields["customer.contacts[].email"] == [p.email for p in people]


def test_jsonl_with_a_truncated_last_line(limits: Limits) -> None:
    people = customers(6)
    data = to_jsonl(nested_records(people))
    cut = data[: data.index(people[5].phone.encode()) + 4]
    sample = parse_sample("events.jsonl", cut, limits=limits, truncated=True)
    assert sample.rows == 5
    assert sample.truncated
    assert sample.fields["customer.contacts[].phone"] == [p.phone for p in people[:5]]


def test_json_named_file_holding_json_lines(limits: Limits) -> None:
    people = customers(3)
    sample = parse_sample("export.json", to_jsonl(nested_records(people)), limits=limits)
    assert sample.format == "jsonl"
    assert sample.rows == 3


def test_truncated_json_array_keeps_finished_records(limits: Limits) -> None:
    people = customers(8)
    data = json.dumps(nested_records(people)).encode()
    cut = data[: data.index(people[6].phone.encode()) + 5]
    sample = parse_sample("c.json", cut, limits=limits, truncated=True)
    assert sample.truncated
    assert sample.rows == 6
    assert sample.fields["customer.contacts[].phone"] == [p.phone for p in people[:6]]


def test_truncated_json_object_keeps_finished_members_and_drops_cut_numbers(limits: Limits) -> None:
    data = b'{"dealer": "Tokyo", "customers": [{"phone": "0311112222"}, {"phone": "0322223333"}], "total": 12'
    sample = parse_sample("d.json", data + b"345}", limits=limits)
    assert sample.fields["total"] == ["12345"]
    cut = parse_sample("d.json", data, limits=limits, truncated=True)
    assert cut.fields == {"dealer": ["Tokyo"], "customers[].phone": ["0311112222", "0322223333"]}


def test_json_that_is_not_json_is_corrupt(limits: Limits) -> None:
    with pytest.raises(SampleSkipped, match=r"^json: corrupt or unreadable$"):
        parse_sample("bad.json", b'{"name": "Taro Yamada", "phone": 0312,,}', limits=limits)


def test_jsonl_of_garbage_is_corrupt(limits: Limits) -> None:
    with pytest.raises(SampleSkipped, match=r"^jsonl: corrupt or unreadable$"):
        parse_sample("bad.jsonl", b"{not json\n{neither\n", limits=limits)


def test_deep_nesting_does_not_crash(limits: Limits) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(SampleSkipped):
        parse_sample("deep.json", deep, limits=limits)
    partial = parse_sample("deep.json", b"[" * 100_000, limits=limits, truncated=True)
    assert partial.fields == {}


def test_array_of_rows_reads_like_csv(limits: Limits) -> None:
    people = customers(3)
    values = [["name", "phone", "paid"]] + [[p.name, p.phone, 1200.0] for p in people]
    sample = parse_sample("sheet-values.json", json.dumps(values).encode(), limits=limits)
    assert sample.fields == {"name": [p.name for p in people], "phone": [p.phone for p in people],
                             "paid": ["1200"] * 3}
    assert sample.rows == 3
    headerless = parse_sample("v.json", json.dumps(values[1:]).encode(), limits=limits)
    assert headerless.fields["column_2"] == [p.phone for p in people]


def test_objects_keyed_by_numbers_and_dates_are_maps(limits: Limits) -> None:
    document = {"sales": {"2024": 3, "2025-01-31": 4}, "by_phone": {"0312345678": "x"}}
    sample = parse_sample("k.json", json.dumps(document).encode(), limits=limits)
    assert sample.fields == {"sales.<key>": ["2024", "2025-01-31"], "sales.<value>": ["3", "4"],
                             "by_phone.<key>": ["0312345678"], "by_phone.<value>": ["x"]}
