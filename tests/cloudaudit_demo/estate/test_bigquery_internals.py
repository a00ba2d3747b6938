"""The BigQuery emulator's pure parts: value conversion, wire format, schemas, paging, load parsing.

No server here; ``test_bigquery_emulator.py`` runs the same rules through the real client.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cloudaudit_demo.estate.bigquery import loads, paging
from cloudaudit_demo.estate.bigquery.errors import ApiError, not_found
from cloudaudit_demo.estate.bigquery.jobs import UploadSessions
from cloudaudit_demo.estate.bigquery.resources import normalize_access, normalize_policy
from cloudaudit_demo.estate.bigquery.routes import Request, dispatch
from cloudaudit_demo.estate.bigquery.schema import check_compatible, normalize_fields, select_fields
from cloudaudit_demo.estate.bigquery.store import Store
from cloudaudit_demo.estate.bigquery.values import convert_row, record_wire, row_size, timestamp_wire


def _field(name: str, kind: str, mode: str = "NULLABLE", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "mode": mode, **extra}


def _one(kind: str, value: object) -> tuple[Any, list[tuple[str, str]]]:
    row, errors = convert_row([_field("v", kind)], {"v": value})
    return row.get("v"), errors


def _micros(*args: int, tz: dt.tzinfo = dt.UTC) -> int:
    return (dt.datetime(*args, tzinfo=tz) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-25 01:02:03.5+07:00", _micros(2026, 11, 24, 18, 2, 3, 500000)),
    ("2026-11-25T01:02:03Z", _micros(2026, 11, 25, 1, 2, 3)),
    ("2026-11-25 01:02:03 UTC", _micros(2026, 11, 25, 1, 2, 3)),
    ("2026-11-25T01:02:03.123456", _micros(2026, 11, 25, 1, 2, 3, 123456)),
    ("2026-11-25", _micros(2026, 11, 25)),
    (1.5, 1_500_000),
    ("1700000000", 1_700_000_000_000_000),
])
def test_timestamps_accept_googles_input_forms(value: object, expected: int) -> None:
    assert _one("TIMESTAMP", value) == (expected, [])


@pytest.mark.parametrize(("kind", "value"), [
    ("TIMESTAMP", "yesterday"), ("TIMESTAMP", True), ("TIMESTAMP", "2026-13-01 00:00:00"), ("TIMESTAMP", "10000-01-01"),
    ("INTEGER", 1.5), ("INTEGER", True), ("INTEGER", 2**63), ("INTEGER", "12a"),
    ("FLOAT", "abc"), ("FLOAT", False), ("BOOLEAN", "yes"), ("BOOLEAN", 2),
    ("NUMERIC", "1e40"), ("NUMERIC", "NaN"), ("BYTES", "%%%"), ("BYTES", 5),
    ("DATE", "2026-02-30"), ("DATETIME", "2026-01-01 25:00:00"), ("TIME", "24:00:00"),
    ("GEOGRAPHY", "somewhere"), ("JSON", "{not json"), ("STRING", {"a": 1}),
])
def test_wrong_values_are_row_errors_naming_the_field_not_the_value(kind: str, value: object) -> None:
    stored, errors = _one(kind, value)
    assert stored is None
    assert [location for location, _ in errors] == ["v"]
    assert str(value) not in errors[0][1] or len(str(value)) < 3  # tiny values may collide with words


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("INTEGER", "  -42 ", -42), ("INTEGER", 7.0, 7), ("FLOAT", "Infinity", float("inf")), ("FLOAT", 3, 3.0),
    ("NUMERIC", "1.0000000005", Decimal("1.000000001")), ("NUMERIC", -2.5, Decimal("-2.500000000")),
    ("BOOLEAN", "TRUE", True), ("BOOLEAN", 0, False), ("STRING", 12, "12"), ("STRING", True, "true"),
    ("BYTES", "AAEC", b"\x00\x01\x02"), ("DATE", "2026-1-2", dt.date(2026, 1, 2)),
    ("DATETIME", "2026-01-02 03:04", dt.datetime(2026, 1, 2, 3, 4)), ("TIME", "03:04:05.5", dt.time(3, 4, 5, 500000)),
    ("JSON", '{"b": [1, 2]}', '{"b":[1,2]}'), ("JSON", {"k": "ค่า"}, '{"k":"ค่า"}'),
])
def test_values_are_stored_in_canonical_form(kind: str, value: object, expected: object) -> None:
    assert _one(kind, value) == (expected, [])


def test_rows_report_nested_locations_unknown_fields_and_missing_required() -> None:
    fields = normalize_fields([
        _field("id", "INTEGER", "REQUIRED"),
        _field("rec", "RECORD", fields=[_field("ok", "BOOLEAN"), _field("xs", "INTEGER", "REPEATED")]),
    ])
    _, errors = convert_row(fields, {"rec": {"ok": "maybe", "xs": 3, "zz": 1}, "extra": 1})
    assert sorted(location for location, _ in errors) == ["extra", "id", "rec.ok", "rec.xs", "rec.zz"]
    row, errors = convert_row(fields, {"ID": "5", "rec": {"xs": [1, 2], "zz": 1}}, ignore_unknown=True)
    assert (row, errors) == ({"id": 5, "rec": {"xs": [1, 2]}}, [])  # column names are case-insensitive
    _, errors = convert_row(fields, {"id": [1]})
    assert errors and errors[0][0] == "id"


def test_wire_format_matches_tabledata_list() -> None:
    fields = normalize_fields([
        _field("ts", "TIMESTAMP"), _field("n", "NUMERIC"), _field("t", "TIME"), _field("dtm", "DATETIME"),
        _field("r", "RECORD", "REPEATED", fields=[_field("f", "FLOAT")]), _field("missing", "STRING"),
    ])
    row, _ = convert_row(fields, {"ts": "2026-01-01T00:00:00.25Z", "n": "10.50", "t": "01:02:03", "dtm": "2026-01-01 00:00:00.5",
                                  "r": [{"f": 0.1}, {"f": None}]})
    seconds = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() + 0.25
    cells = record_wire(fields, row, "FLOAT")
    assert float(cells[0]["v"]) == seconds
    assert cells[1:] == [{"v": "10.5"}, {"v": "01:02:03"}, {"v": "2026-01-01T00:00:00.500000"},
                         {"v": [{"v": {"f": [{"v": "0.1"}]}}, {"v": {"f": [{"v": None}]}}]}, {"v": None}]
    assert record_wire(fields, row, "INT64")[0] == {"v": str(int(seconds * 1_000_000))}
    assert timestamp_wire(0, "ISO8601_STRING") == "1970-01-01T00:00:00.000000Z"
    assert row_size(fields, row) == 8 + 16 + 8 + 8 + 8


def test_schema_types_modes_and_policy_tags_are_normalised() -> None:
    tag = {"names": ["projects/p/locations/us/taxonomies/1/policyTags/2"]}
    fields = normalize_fields([{"name": "a", "type": "int64"}, {"name": "r", "type": "STRUCT", "fields": [
        {"name": "b", "type": "BOOL", "policyTags": tag, "description": "d"}, {"name": "c", "type": "STRING", "policyTags": {"names": []}}]}])
    assert fields == [
        {"name": "a", "type": "INTEGER", "mode": "NULLABLE"},
        {"name": "r", "type": "RECORD", "mode": "NULLABLE", "fields": [
            {"name": "b", "type": "BOOLEAN", "mode": "NULLABLE", "policyTags": tag, "description": "d"},
            {"name": "c", "type": "STRING", "mode": "NULLABLE"}]},
    ]
    for bad in ([{"name": "x", "type": "STRING", "policyTags": {"names": ["a", "b"]}}],
                [{"name": "_TABLE_x", "type": "STRING"}], [{"name": "x"}], [{"name": "x", "type": "STRING", "mode": "OPTIONAL"}]):
        with pytest.raises(ApiError) as refused:
            normalize_fields(bad)
        assert refused.value.code == 400


def test_schema_updates_follow_googles_compatibility_rules() -> None:
    old = normalize_fields([_field("a", "STRING", "REQUIRED"), _field("r", "RECORD", fields=[_field("x", "INTEGER")])])
    check_compatible(old, normalize_fields([_field("a", "STRING"), _field("r", "RECORD", fields=[_field("x", "INTEGER"), _field("y", "STRING")]),
                                            _field("new", "STRING", "REPEATED")]))
    for new in ([_field("a", "STRING", "REQUIRED")],
                [_field("a", "STRING", "REPEATED"), _field("r", "RECORD", fields=[_field("x", "INTEGER")])],
                [_field("a", "STRING", "REQUIRED"), _field("r", "RECORD", fields=[_field("x", "FLOAT")])],
                [*old, _field("b", "STRING", "REQUIRED")]):
        with pytest.raises(ApiError):
            check_compatible(old, normalize_fields(new))


def test_selected_fields_keep_table_order_and_prune_records() -> None:
    fields = normalize_fields([_field("a", "STRING"), _field("r", "RECORD", fields=[_field("x", "INTEGER"), _field("y", "STRING")]), _field("b", "DATE")])
    assert [f["name"] for f in select_fields(fields, "b,a")] == ["a", "b"]
    assert select_fields(fields, "r.y")[0]["fields"] == [_field("y", "STRING")]
    with pytest.raises(ApiError):
        select_fields(fields, "nope")


def test_page_tokens_round_trip_and_foreign_tokens_are_400() -> None:
    ids = ["a", "b", "c", "d", "e"]
    page, token = paging.page_by_id(ids, ids, None, 2)
    assert (page, paging.decode_token(token or "")) == (["a", "b"], "b")
    assert paging.page_by_id(ids, ids, token, 2)[0] == ["c", "d"]
    with pytest.raises(ApiError) as foreign:
        paging.decode_token("bm90LW91cnM=")
    assert foreign.value.code == 400


def test_access_entries_and_policies_are_validated() -> None:
    assert normalize_access([{"role": "roles/bigquery.dataOwner", "groupByEmail": "g@example.com"}]) == [
        {"role": "OWNER", "groupByEmail": "g@example.com"}]
    for bad in ([{"role": "READER"}], [{"role": "READER", "domain": "x", "userByEmail": "y"}], [{"domain": "x"}]):
        with pytest.raises(ApiError):
            normalize_access(bad)
    version, bindings = normalize_policy({"bindings": [{"role": "roles/viewer", "members": ["allUsers", "allUsers"]},
                                                       {"role": "roles/editor", "members": []}]})
    assert (version, bindings) == (1, [{"role": "roles/viewer", "members": ["allUsers"]}])


def test_error_body_is_googles_envelope() -> None:
    assert not_found("Dataset p:d").body() == {"error": {
        "code": 404, "message": "Not found: Dataset p:d", "status": "NOT_FOUND",
        "errors": [{"message": "Not found: Dataset p:d", "domain": "global", "reason": "notFound"}]}}


def test_multipart_body_splits_into_metadata_and_data() -> None:
    metadata = {"configuration": {"load": {"sourceFormat": "CSV"}}}
    body = (b"--==b==\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n" + json.dumps(metadata).encode()
            + b"\r\n--==b==\r\ncontent-type: */*\r\n\r\na,b\r\n1,2\r\n\r\n--==b==--")
    assert loads.split_multipart('multipart/related; boundary="==b=="', body) == (metadata, b"a,b\r\n1,2\r\n")


def test_csv_autodetect_finds_the_header_and_types() -> None:
    config: dict[str, Any] = {}
    data = "氏名,age,score,joined\nYamada,41,1.5,2026-01-02\nSato,,2,2026-01-03\n".encode()
    fields = loads.detect_csv_schema(data, config)
    assert [(f["name"], f["type"]) for f in fields] == [("氏名", "STRING"), ("age", "INTEGER"), ("score", "FLOAT"), ("joined", "DATE")]
    records, errors = loads.csv_records(data, config, fields)
    assert errors == [] and records[1] == (2, {"氏名": "Sato", "age": None, "score": "2", "joined": "2026-01-03"})


def test_json_autodetect_merges_kinds_across_rows() -> None:
    records, errors = loads.json_records(b'{"a": 1, "b": {"c": "x"}}\n\n{"a": 2.5, "d": [true]}\n[1]\n', {})
    assert len(records) == 2 and [line for line, _ in errors] == [4]
    assert loads.detect_json_schema(records) == [
        {"name": "a", "type": "FLOAT", "mode": "NULLABLE"},
        {"name": "b", "type": "RECORD", "mode": "NULLABLE", "fields": [{"name": "c", "type": "STRING", "mode": "NULLABLE"}]},
        {"name": "d", "type": "BOOLEAN", "mode": "REPEATED"},
    ]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_EVERY_TYPE = normalize_fields([
    *(_field(kind.lower(), kind) for kind in ("STRING", "BYTES", "INTEGER", "FLOAT", "NUMERIC", "BIGNUMERIC", "BOOLEAN",
                                              "TIMESTAMP", "DATE", "DATETIME", "TIME", "GEOGRAPHY", "JSON", "INTERVAL")),
    _field("range", "RANGE", rangeElementType={"type": "TIMESTAMP"}),
    _field("rec", "RECORD", "REPEATED", fields=[_field("x", "INTEGER"), _field("y", "TIMESTAMP")]),
])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f["name"] for f in _EVERY_TYPE] + ["unknown"]), _JSON, max_size=6))
@example({"numeric": 1e91})  # once crashed quantize (decimal.InvalidOperation) instead of an insert error
@example({"bignumeric": -1e120})
def test_any_json_row_converts_or_reports_errors_and_never_raises(values: dict[str, Any]) -> None:
    row, errors = convert_row(_EVERY_TYPE, values)
    if not errors:  # whatever was accepted can be answered and sized
        json.dumps(record_wire(_EVERY_TYPE, row, "INT64"))
        assert row_size(_EVERY_TYPE, row) >= 0


def _request(method: str, path: str, body: object = None, query: dict[str, str] | None = None) -> Request:
    return Request(method=method, path=path, query=query or {}, headers={"Content-Type": "application/json"},
                   body=b"" if body is None else json.dumps(body).encode(), base_url="http://127.0.0.1:1")


_BASE = "/bigquery/v2/projects/p/datasets"
_ROUTES = [
    ("POST", _BASE), ("PATCH", f"{_BASE}/d"), ("PUT", f"{_BASE}/d"), ("POST", f"{_BASE}/d/tables"),
    ("PATCH", f"{_BASE}/d/tables/t"), ("POST", f"{_BASE}/d/tables/t/insertAll"), ("POST", f"{_BASE}/d/tables/t:setIamPolicy"),
    ("POST", "/bigquery/v2/projects/p/jobs"),
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_ROUTES), st.dictionaries(st.sampled_from(
    ["datasetReference", "tableReference", "access", "schema", "rows", "policy", "location", "labels", "view",
     "configuration", "jobReference", "skipInvalidRows", "fields"]), _JSON, max_size=4),
    st.dictionaries(st.sampled_from(["maxResults", "pageToken", "startIndex", "selectedFields"]), st.text(max_size=8), max_size=3))
def test_junk_requests_get_client_errors_never_500(route: tuple[str, str], body: dict[str, Any], query: dict[str, str]) -> None:
    store, uploads = Store(), UploadSessions()
    for method, path, seed in (("POST", _BASE, {"datasetReference": {"datasetId": "d"}}),
                               ("POST", f"{_BASE}/d/tables", {"tableReference": {"tableId": "t"},
                                                               "schema": {"fields": [{"name": "x", "type": "STRING"}]}})):
        assert dispatch(store, uploads, _request(method, path, seed)).status == 200
    answer = dispatch(store, uploads, _request(*route, body))
    assert answer.status < 500 or answer.status == 501
    listing = dispatch(store, uploads, _request("GET", f"{_BASE}/d/tables/t/data", query=query))
    assert listing.status in (200, 400, 404)


_LOAD_KEYS = ["sourceFormat", "schema", "autodetect", "skipLeadingRows", "maxBadRecords", "fieldDelimiter", "quote",
              "writeDisposition", "createDisposition", "ignoreUnknownValues", "allowJaggedRows", "nullMarker", "encoding"]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(_LOAD_KEYS), _JSON | st.sampled_from(["CSV", "NEWLINE_DELIMITED_JSON", "PARQUET", "1", "\t"]),
                       max_size=5),
       st.sampled_from([b"a,b\n1,x\n", b'{"a": 1}\n{"a": "x"}\n', b"", b"\xff\xfe", b"PAR1junk"]))
def test_junk_load_jobs_fail_as_jobs_or_400_never_500(config: dict[str, Any], data: bytes) -> None:
    store, uploads = Store(), UploadSessions()
    assert dispatch(store, uploads, _request("POST", _BASE, {"datasetReference": {"datasetId": "d"}})).status == 200
    metadata = {"configuration": {"load": {**config, "destinationTable": {"projectId": "p", "datasetId": "d", "tableId": "t"}}}}
    body = (b"--b\r\ncontent-type: application/json\r\n\r\n" + json.dumps(metadata).encode()
            + b"\r\n--b\r\ncontent-type: */*\r\n\r\n" + data + b"\r\n--b--")
    request = Request(method="POST", path="/upload/bigquery/v2/projects/p/jobs", query={"uploadType": "multipart"},
                      headers={"Content-Type": "multipart/related; boundary=b"}, body=body, base_url="http://127.0.0.1:1")
    answer = dispatch(store, uploads, request)
    assert answer.status in (200, 400)
    if answer.status == 200:
        assert answer.body is not None and answer.body["status"]["state"] == "DONE"
