"""The BigQuery emulator, exercised through the real google-cloud-bigquery client.

Every call the SPEC lists is seeded and read back exactly as against Google; a few checks
read the raw wire format with urllib, where the client would hide a mistake.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from faker import Faker
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from google.cloud.bigquery import AccessEntry, SchemaField
from google.cloud.bigquery.schema import PolicyTagList

from cloudaudit_demo.estate.bigquery_emulator import BigQueryEmulator, serve

PROJECT = "th-dealer-analytics"
TAXONOMY = "projects/th-dealer-analytics/locations/asia-southeast1/taxonomies/1234"
_ids = itertools.count()


@pytest.fixture(scope="module")
def emulator() -> Iterator[BigQueryEmulator]:
    with BigQueryEmulator() as running:
        yield running


@pytest.fixture(scope="module")
def client(emulator: BigQueryEmulator) -> bigquery.Client:
    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options={"api_endpoint": emulator.url})


@pytest.fixture
def dataset(client: bigquery.Client) -> bigquery.Dataset:
    """A fresh dataset in asia-southeast1 for one test."""
    ds = bigquery.Dataset(f"{PROJECT}.ds_{next(_ids)}")
    ds.location = "asia-southeast1"
    return client.create_dataset(ds)


@pytest.fixture
def fake() -> Faker:
    Faker.seed(20261125)
    return Faker(["th_TH", "en_US"])


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return dict(json.loads(response.read()))


def _reason(exc: gexc.GoogleAPICallError) -> str:
    return str(exc.errors[0]["reason"])


# ---------------------------------------------------------------------------- datasets


def test_dataset_insert_get_keeps_location_and_answers_like_google(client: bigquery.Client, emulator: BigQueryEmulator) -> None:
    created = client.create_dataset(bigquery.Dataset(f"{PROJECT}.jp_customers"), timeout=10)
    ds = bigquery.Dataset(f"{PROJECT}.th_customers")
    ds.location = "asia-southeast1"
    client.create_dataset(ds)

    assert created.location == "US"  # Google's default
    got = client.get_dataset("th_customers")
    assert got.location == "asia-southeast1"
    assert got.full_dataset_id == f"{PROJECT}:th_customers"
    assert got.etag and got.created is not None and got.modified is not None
    raw = _get_json(f"{emulator.url}/bigquery/v2/projects/{PROJECT}/datasets/th_customers")
    assert raw["kind"] == "bigquery#dataset"
    assert raw["datasetReference"] == {"datasetId": "th_customers", "projectId": PROJECT}
    assert re.fullmatch(r"\d{13}", raw["creationTime"]) and re.fullmatch(r"\d{13}", raw["lastModifiedTime"])
    assert raw["selfLink"].endswith(f"/projects/{PROJECT}/datasets/th_customers")


def test_dataset_without_access_gets_googles_default_entries(dataset: bigquery.Dataset) -> None:
    entries = {(e.role, e.entity_type, e.entity_id) for e in dataset.access_entries}
    assert entries == {
        ("WRITER", "specialGroup", "projectWriters"),
        ("OWNER", "specialGroup", "projectOwners"),
        ("READER", "specialGroup", "projectReaders"),
    }


def test_dataset_patch_keeps_every_kind_of_access_entry_verbatim(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    ref = dataset.reference
    sent = [
        {"role": "OWNER", "specialGroup": "projectOwners"},
        {"role": "READER", "iamMember": "allUsers"},
        {"role": "READER", "iamMember": "allAuthenticatedUsers"},
        {"role": "READER", "specialGroup": "allAuthenticatedUsers"},
        {"role": "WRITER", "userByEmail": "analyst@example.com"},
        {"role": "READER", "groupByEmail": "auditors@example.com"},
        {"role": "READER", "domain": "example.com"},
        {"view": {"projectId": PROJECT, "datasetId": "other", "tableId": "masked_view"}},
        {"routine": {"projectId": PROJECT, "datasetId": "other", "routineId": "mask_fn"}},
        {"dataset": {"dataset": {"projectId": PROJECT, "datasetId": "shared"}, "targetTypes": ["VIEWS"]}},
    ]
    dataset.access_entries = [AccessEntry.from_api_repr(e) for e in sent]
    client.update_dataset(dataset, ["access_entries"])

    got = client.get_dataset(ref)
    assert [e.to_api_repr() for e in got.access_entries] == sent
    assert got.location == "asia-southeast1"


def test_dataset_iam_role_names_come_back_as_legacy_roles(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    dataset.access_entries = [AccessEntry("roles/bigquery.dataViewer", "iamMember", "allUsers")]
    updated = client.update_dataset(dataset, ["access_entries"])
    assert [(e.role, e.entity_id) for e in updated.access_entries] == [("READER", "allUsers")]


def test_dataset_patch_changes_etag_and_refuses_a_stale_one(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    dataset.description = "customer master"
    dataset.labels = {"country": "th"}
    updated = client.update_dataset(dataset, ["description", "labels"])
    assert updated.etag != dataset.etag
    assert (updated.description, updated.labels) == ("customer master", {"country": "th"})

    dataset.description = "lost update"  # still carries the old etag
    with pytest.raises(gexc.PreconditionFailed):
        client.update_dataset(dataset, ["description"])
    assert client.get_dataset(dataset.reference).description == "customer master"


def test_dataset_put_replaces_the_resource(client: bigquery.Client, dataset: bigquery.Dataset, emulator: BigQueryEmulator) -> None:
    url = f"{emulator.url}/bigquery/v2/projects/{PROJECT}/datasets/{dataset.dataset_id}"
    body = {"datasetReference": {"projectId": PROJECT, "datasetId": dataset.dataset_id},
            "friendlyName": "replaced", "access": [{"role": "READER", "domain": "example.com"}]}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    got = client.get_dataset(dataset.reference)
    assert got.friendly_name == "replaced"
    assert [e.to_api_repr() for e in got.access_entries] == body["access"]


def test_list_datasets_pages_in_id_order(emulator: BigQueryEmulator) -> None:
    client = bigquery.Client(project="paging-project", credentials=AnonymousCredentials(),
                             client_options={"api_endpoint": emulator.url})
    names = [f"ds_{i:02d}" for i in range(7)]
    for name in reversed(names):
        client.create_dataset(name)
    client.create_dataset("_hidden")

    pages = list(client.list_datasets(page_size=3).pages)
    assert [page.num_items for page in pages] == [3, 3, 1]
    assert [d.dataset_id for d in client.list_datasets(page_size=3)] == names
    assert [d.dataset_id for d in client.list_datasets(max_results=4)] == names[:4]
    assert "_hidden" in [d.dataset_id for d in client.list_datasets(include_all=True)]


def test_duplicate_and_missing_datasets_answer_409_and_404(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    with pytest.raises(gexc.Conflict) as conflict:
        client.create_dataset(dataset.dataset_id)
    assert _reason(conflict.value) == "duplicate"
    with pytest.raises(gexc.NotFound) as missing:
        client.get_dataset("no_such_dataset")
    assert _reason(missing.value) == "notFound"
    assert "no_such_dataset" in missing.value.message


def test_delete_dataset_needs_delete_contents_when_it_holds_tables(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    client.create_table(bigquery.Table(dataset.table("t"), schema=[SchemaField("x", "STRING")]))
    with pytest.raises(gexc.BadRequest) as in_use:
        client.delete_dataset(dataset)
    assert _reason(in_use.value) == "resourceInUse"

    client.delete_dataset(dataset, delete_contents=True)
    with pytest.raises(gexc.NotFound):
        client.get_dataset(dataset.reference)
    client.delete_dataset(dataset, not_found_ok=True)


# ---------------------------------------------------------------------------- tables


def _customer_schema() -> list[SchemaField]:
    tag = PolicyTagList([f"{TAXONOMY}/policyTags/5678"])
    deep = PolicyTagList([f"{TAXONOMY}/policyTags/9999"])
    return [
        SchemaField("customer_id", "INT64", mode="REQUIRED"),
        SchemaField("full_name", "STRING", policy_tags=tag, description="ชื่อ"),
        SchemaField("contact", "RECORD", fields=[
            SchemaField("email", "STRING", policy_tags=tag),
            SchemaField("phones", "STRING", mode="REPEATED"),
            SchemaField("address", "STRUCT", fields=[
                SchemaField("line1", "STRING", policy_tags=deep),
                SchemaField("postcode", "STRING"),
            ]),
        ]),
        SchemaField("vehicles", "RECORD", mode="REPEATED", fields=[
            SchemaField("vin", "STRING", policy_tags=deep),
            SchemaField("plate", "STRING"),
        ]),
    ]


def _tags(fields: list[SchemaField], prefix: str = "") -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for field in fields:
        if field.policy_tags:
            found[prefix + field.name] = tuple(field.policy_tags.names)
        found.update(_tags(list(field.fields), f"{prefix}{field.name}."))
    return found


def test_table_schema_with_nested_policy_tags_round_trips(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    created = client.create_table(bigquery.Table(dataset.table("customers"), schema=_customer_schema()))
    got = client.get_table(created.reference)

    assert _tags(got.schema) == {
        "full_name": (f"{TAXONOMY}/policyTags/5678",),
        "contact.email": (f"{TAXONOMY}/policyTags/5678",),
        "contact.address.line1": (f"{TAXONOMY}/policyTags/9999",),
        "vehicles.vin": (f"{TAXONOMY}/policyTags/9999",),
    }
    assert [(f.name, f.field_type, f.mode) for f in got.schema] == [
        ("customer_id", "INTEGER", "REQUIRED"), ("full_name", "STRING", "NULLABLE"),
        ("contact", "RECORD", "NULLABLE"), ("vehicles", "RECORD", "REPEATED"),
    ]
    assert got.schema[2].fields[2].field_type == "RECORD"  # STRUCT answered as RECORD
    assert got.schema[1].description == "ชื่อ"
    assert (got.table_type, got.location, got.num_rows, got.num_bytes) == ("TABLE", "asia-southeast1", 0, 0)
    assert got.full_table_id == f"{PROJECT}:{dataset.dataset_id}.customers"


def test_tables_list_with_paging_and_delete(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    for name in ("c", "a", "e", "b", "d"):
        client.create_table(bigquery.Table(dataset.table(name), schema=[SchemaField("x", "STRING")]))
    pages = list(client.list_tables(dataset, page_size=2).pages)
    assert [p.num_items for p in pages] == [2, 2, 1]
    assert [t.table_id for t in client.list_tables(dataset)] == ["a", "b", "c", "d", "e"]
    assert {t.table_type for t in client.list_tables(dataset)} == {"TABLE"}

    client.delete_table(dataset.table("c"))
    with pytest.raises(gexc.NotFound):
        client.get_table(dataset.table("c"))
    with pytest.raises(gexc.Conflict):
        client.create_table(bigquery.Table(dataset.table("a"), schema=[SchemaField("x", "STRING")]))
    with pytest.raises(gexc.NotFound):
        client.create_table(bigquery.Table(f"{PROJECT}.missing_ds.t", schema=[SchemaField("x", "STRING")]))


def test_table_patch_adds_columns_and_tags_but_refuses_incompatible_schemas(
    client: bigquery.Client, dataset: bigquery.Dataset
) -> None:
    table = client.create_table(bigquery.Table(dataset.table("people"), schema=[SchemaField("email", "STRING")]))
    tag = PolicyTagList([f"{TAXONOMY}/policyTags/1"])
    table.schema = [SchemaField("email", "STRING", policy_tags=tag), SchemaField("phone", "STRING")]
    table.description = "people"
    updated = client.update_table(table, ["schema", "description"])
    assert _tags(updated.schema) == {"email": (f"{TAXONOMY}/policyTags/1",)}
    assert [f.name for f in client.get_table(table.reference).schema] == ["email", "phone"]
    assert updated.description == "people"

    updated.schema = [SchemaField("email", "INTEGER"), SchemaField("phone", "STRING")]
    with pytest.raises(gexc.BadRequest, match="changed type"):
        client.update_table(updated, ["schema"])
    updated.schema = [SchemaField("email", "STRING")]
    with pytest.raises(gexc.BadRequest, match="missing"):
        client.update_table(updated, ["schema"])


def test_invalid_schemas_are_refused(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    for schema in ([SchemaField("a", "STRING"), SchemaField("A", "STRING")],
                   [SchemaField("bad.name", "STRING")],
                   [SchemaField("x", "NOT_A_TYPE")],
                   [SchemaField("r", "RECORD")]):
        with pytest.raises(gexc.BadRequest):
            client.create_table(bigquery.Table(dataset.table(f"t{next(_ids)}"), schema=schema))
    # Flexible column names: multilingual headers are valid BigQuery columns.
    ok = client.create_table(bigquery.Table(dataset.table("thai"), schema=[SchemaField("ชื่อ", "STRING"), SchemaField("氏名", "STRING")]))
    assert [f.name for f in ok.schema] == ["ชื่อ", "氏名"]


def test_views_are_stored_and_not_listable(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    view = bigquery.Table(dataset.table("v"))
    view.view_query = f"SELECT 1 AS x FROM `{PROJECT}.{dataset.dataset_id}.t`"
    created = client.create_table(view)
    got = client.get_table(created.reference)
    assert got.table_type == "VIEW"
    assert got.view_query == view.view_query
    with pytest.raises(gexc.BadRequest):
        list(client.list_rows(got, selected_fields=[SchemaField("x", "INTEGER")]))


# ---------------------------------------------------------------------------- IAM


def test_table_iam_policy_set_and_get(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    table = client.create_table(bigquery.Table(dataset.table("shared"), schema=[SchemaField("x", "STRING")]))
    empty = client.get_iam_policy(table)
    assert (empty.version, empty.etag, list(empty.bindings)) == (1, "ACAB", [])

    empty.bindings.append({"role": "roles/bigquery.dataViewer", "members": {"allUsers", "user:auditor@example.com"}})
    saved = client.set_iam_policy(table, empty)
    assert saved.etag not in ("ACAB", None)
    got = client.get_iam_policy(table)
    assert got.etag == saved.etag
    assert [(b["role"], set(b["members"])) for b in got.bindings] == [
        ("roles/bigquery.dataViewer", {"allUsers", "user:auditor@example.com"})]

    with pytest.raises(gexc.Conflict):  # stale read-modify-write, as Google's IAM answers ABORTED
        client.set_iam_policy(table, empty)
    with pytest.raises(gexc.NotFound):
        client.get_iam_policy(dataset.table("nope"))


def test_table_iam_refuses_invalid_members(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    table = client.create_table(bigquery.Table(dataset.table("t"), schema=[SchemaField("x", "STRING")]))
    policy = client.get_iam_policy(table)
    policy.bindings.append({"role": "roles/bigquery.dataViewer", "members": {"everyone"}})
    with pytest.raises(gexc.BadRequest):
        client.set_iam_policy(table, policy)


# ---------------------------------------------------------------------------- tabledata


ALL_TYPES = [
    SchemaField("s", "STRING"), SchemaField("b", "BYTES"), SchemaField("i", "INTEGER"),
    SchemaField("i64", "INT64"), SchemaField("f", "FLOAT"), SchemaField("f64", "FLOAT64"),
    SchemaField("n", "NUMERIC"), SchemaField("bn", "BIGNUMERIC"), SchemaField("bo", "BOOLEAN"),
    SchemaField("bl", "BOOL"), SchemaField("ts", "TIMESTAMP"), SchemaField("d", "DATE"),
    SchemaField("dtm", "DATETIME"), SchemaField("tm", "TIME"), SchemaField("g", "GEOGRAPHY"),
    SchemaField("j", "JSON"), SchemaField("tags", "STRING", mode="REPEATED"),
    SchemaField("rec", "RECORD", fields=[
        SchemaField("when", "TIMESTAMP"), SchemaField("scores", "FLOAT", mode="REPEATED"),
        SchemaField("inner", "STRUCT", fields=[SchemaField("ok", "BOOLEAN")]),
    ]),
    SchemaField("recs", "RECORD", mode="REPEATED", fields=[SchemaField("k", "STRING"), SchemaField("v", "INTEGER")]),
]


@pytest.mark.filterwarnings("ignore:Unknown type 'GEOGRAPHY':FutureWarning")  # the client's own warning
def test_insert_rows_round_trips_every_type(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker) -> None:
    table = client.create_table(bigquery.Table(dataset.table("all_types"), schema=ALL_TYPES))
    stamp = fake.date_time_between("-5y", "now", tzinfo=dt.UTC).replace(microsecond=123456)
    row = {
        "s": fake.name(), "b": fake.binary(length=17), "i": -(2**63), "i64": 2**63 - 1,
        "f": 1.5e-7, "f64": -0.0, "n": Decimal("12345678901234567890.123456789"),
        "bn": Decimal("-1.00000000000000000000000000000000000001"), "bo": True, "bl": False,
        "ts": stamp, "d": fake.date_object(), "dtm": dt.datetime(2026, 2, 3, 4, 5, 6, 7),
        "tm": dt.time(23, 59, 58, 999999), "g": "POINT(100.5 13.75)",
        "j": {"plate": "กข 1234", "n": [1, 2]}, "tags": ["a", "b"],
        "rec": {"when": stamp, "scores": [0.5, 2.0], "inner": {"ok": True}},
        "recs": [{"k": "x", "v": 1}, {"k": "y", "v": None}],
    }
    empty = {"s": None, "tags": [], "rec": None, "recs": []}
    assert client.insert_rows(table, [row, empty]) == []

    got = list(client.list_rows(table))
    assert [dict(r.items()) for r in got[:1]] == [row]
    assert dict(got[1].items()) == {f.name: ([] if f.mode == "REPEATED" else None) for f in ALL_TYPES}
    fetched = client.get_table(table.reference)
    assert fetched.num_rows == 2 and fetched.num_bytes > 0


def test_range_columns_round_trip(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    schema = [SchemaField("valid", "RANGE", range_element_type="TIMESTAMP"),
              SchemaField("days", "RANGE", range_element_type="DATE")]
    table = client.create_table(bigquery.Table(dataset.table("ranges"), schema=schema))
    start = dt.datetime(2026, 1, 1, 8, 30, tzinfo=dt.UTC)
    row = {"valid": {"start": start, "end": None}, "days": {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 2, 1)}}
    assert client.insert_rows(table, [row]) == []
    assert [dict(r.items()) for r in client.list_rows(table)] == [row]
    with pytest.raises(gexc.BadRequest):
        client.create_table(bigquery.Table(dataset.table("bad_range"), schema=[SchemaField("r", "RANGE")]))


def test_tabledata_list_wire_format_is_googles(client: bigquery.Client, dataset: bigquery.Dataset, emulator: BigQueryEmulator) -> None:
    schema = [SchemaField("n", "INTEGER"), SchemaField("ts", "TIMESTAMP"), SchemaField("tags", "STRING", mode="REPEATED"),
              SchemaField("rec", "RECORD", fields=[SchemaField("a", "BOOLEAN"), SchemaField("b", "FLOAT")])]
    table = client.create_table(bigquery.Table(dataset.table("wire"), schema=schema))
    assert client.insert_rows_json(table, [{"n": 7, "ts": "2026-11-25 01:02:03.5+07:00", "tags": ["x"], "rec": {"a": "true", "b": 2}}]) == []
    base = f"{emulator.url}/bigquery/v2/projects/{PROJECT}/datasets/{dataset.dataset_id}/tables/wire/data"

    page = _get_json(base)
    assert page["kind"] == "bigquery#tableDataList" and page["totalRows"] == "1" and "pageToken" not in page
    expected_seconds = dt.datetime(2026, 11, 24, 18, 2, 3, 500000, tzinfo=dt.UTC).timestamp()
    [row] = page["rows"]
    assert row["f"][0] == {"v": "7"}
    assert float(row["f"][1]["v"]) == expected_seconds
    assert row["f"][2] == {"v": [{"v": "x"}]}
    assert row["f"][3] == {"v": {"f": [{"v": "true"}, {"v": "2.0"}]}}
    micros = _get_json(base + "?formatOptions.useInt64Timestamp=true")["rows"][0]["f"][1]["v"]
    assert micros == str(int(expected_seconds * 1_000_000))


def test_list_rows_pages_thousands_of_rows_in_order(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker) -> None:
    schema = [SchemaField("seq", "INTEGER"), SchemaField("email", "STRING"), SchemaField("seen", "TIMESTAMP"),
              SchemaField("meta", "RECORD", fields=[SchemaField("score", "FLOAT")])]
    table = client.create_table(bigquery.Table(dataset.table("big"), schema=schema))
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [{"seq": i, "email": fake.email(), "seen": epoch + dt.timedelta(seconds=i), "meta": {"score": i / 4}}
            for i in range(2500)]
    assert client.insert_rows(table, rows) == []

    iterator = client.list_rows(table, page_size=1000)
    pages = [list(page) for page in iterator.pages]
    assert [len(p) for p in pages] == [1000, 1000, 500]
    assert iterator.total_rows == 2500
    got = [dict(r.items()) for page in pages for r in page]
    assert got == rows

    assert [r["seq"] for r in client.list_rows(table, max_results=1200, page_size=500)] == list(range(1200))
    assert [r["seq"] for r in client.list_rows(table, start_index=2400, page_size=30)] == list(range(2400, 2500))
    picked = list(client.list_rows(table, selected_fields=[SchemaField("seq", "INTEGER"), SchemaField("email", "STRING")],
                                   max_results=3))
    assert [tuple(r.values()) for r in picked] == [(r["seq"], r["email"]) for r in rows[:3]]


def test_insert_all_reports_bad_rows_and_inserts_nothing(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker) -> None:
    schema = [SchemaField("id", "INTEGER", mode="REQUIRED"), SchemaField("email", "STRING"), SchemaField("born", "DATE")]
    table = client.create_table(bigquery.Table(dataset.table("strict"), schema=schema))
    secret = fake.email()
    rows = [{"id": 1, "email": secret}, {"id": secret}, {"id": 3, "phone": "x"}, {"email": "a@b.c"}, {"id": 5, "born": "2026-13-40"}]
    errors = client.insert_rows_json(table, rows)

    by_index = {e["index"]: e["errors"] for e in errors}
    assert sorted(by_index) == [0, 1, 2, 3, 4]
    assert by_index[0] == [{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}]
    assert [(e["reason"], e["location"]) for e in by_index[1]] == [("invalid", "id")]
    assert by_index[2][0]["location"] == "phone" and "no such field" in by_index[2][0]["message"]
    assert by_index[3][0]["location"] == "id" and "required" in by_index[3][0]["message"].lower()
    assert by_index[4][0]["location"] == "born"
    assert secret not in json.dumps(errors)  # messages never echo values
    assert client.get_table(table.reference).num_rows == 0


def test_insert_all_skip_invalid_rows_and_ignore_unknown_values(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    table = client.create_table(bigquery.Table(dataset.table("lenient"), schema=[SchemaField("id", "INTEGER")]))
    errors = client.insert_rows_json(table, [{"id": 1}, {"id": "x"}, {"id": 3}], skip_invalid_rows=True)
    assert [e["index"] for e in errors] == [1]
    assert client.insert_rows_json(table, [{"id": 4, "extra": "dropped"}], ignore_unknown_values=True) == []
    assert [r["id"] for r in client.list_rows(table)] == [1, 3, 4]


def test_insert_all_drops_retried_insert_ids(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    table = client.create_table(bigquery.Table(dataset.table("dedup"), schema=[SchemaField("id", "INTEGER")]))
    client.insert_rows_json(table, [{"id": 1}, {"id": 2}], row_ids=["a", "b"])
    client.insert_rows_json(table, [{"id": 1}, {"id": 3}], row_ids=["a", "c"])
    assert [r["id"] for r in client.list_rows(table)] == [1, 2, 3]
    with pytest.raises(gexc.NotFound):
        client.insert_rows_json(f"{PROJECT}.{dataset.dataset_id}.missing", [{"id": 1}])


def test_concurrent_inserts_are_all_kept(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    table = client.create_table(bigquery.Table(dataset.table("busy"), schema=[SchemaField("id", "INTEGER")]))

    def insert(start: int) -> None:
        for offset in range(0, 200, 50):
            assert client.insert_rows_json(table, [{"id": start + offset + i} for i in range(50)]) == []

    threads = [threading.Thread(target=insert, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [r["id"] for r in client.list_rows(table)]
    assert sorted(ids) == sorted(n * 1000 + i for n in range(4) for i in range(200))


# ---------------------------------------------------------------------------- jobs


def test_load_table_from_json_autodetects_and_appends(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker) -> None:
    records = [{"name": fake.name(), "age": 30 + i, "score": 1.5, "active": True, "joined": f"2026-01-0{i + 1}",
                "address": {"city": fake.city(), "zip": "10110"}, "phones": [fake.phone_number()]} for i in range(3)]
    job = client.load_table_from_json(records, dataset.table("loaded"))
    assert job.result().output_rows == 3
    table = client.get_table(dataset.table("loaded"))
    types = {f.name: (f.field_type, f.mode) for f in table.schema}
    assert types == {"name": ("STRING", "NULLABLE"), "age": ("INTEGER", "NULLABLE"), "score": ("FLOAT", "NULLABLE"),
                     "active": ("BOOLEAN", "NULLABLE"), "joined": ("DATE", "NULLABLE"),
                     "address": ("RECORD", "NULLABLE"), "phones": ("STRING", "REPEATED")}
    client.load_table_from_json(records[:1], dataset.table("loaded")).result()  # existing table: appended
    got = list(client.list_rows(table))
    assert len(got) == 4 and got[0]["address"] == records[0]["address"] and got[0]["joined"] == dt.date(2026, 1, 1)
    assert client.get_job(job.job_id).state == "DONE"


def test_load_csv_with_schema_and_truncate(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker) -> None:
    lines = ["customer_id,name,phone"] + [f'{i},"{fake.name()}",{fake.phone_number()}' for i in range(20)]
    config = bigquery.LoadJobConfig(
        source_format="CSV", skip_leading_rows=1,
        schema=[SchemaField("customer_id", "INTEGER"), SchemaField("name", "STRING"), SchemaField("phone", "STRING")],
    )
    data = "\n".join(lines).encode()
    client.load_table_from_file(io.BytesIO(data), dataset.table("csv"), job_config=config, size=len(data)).result()
    client.load_table_from_file(io.BytesIO(data), dataset.table("csv"), job_config=config, size=len(data)).result()
    assert client.get_table(dataset.table("csv")).num_rows == 40
    config.write_disposition = "WRITE_TRUNCATE"
    client.load_table_from_file(io.BytesIO(data), dataset.table("csv"), job_config=config, size=len(data)).result()
    assert [r["customer_id"] for r in client.list_rows(dataset.table("csv"))] == list(range(20))


def test_resumable_upload_in_several_chunks(client: bigquery.Client, dataset: bigquery.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    import google.cloud.bigquery.client as bq_client

    monkeypatch.setattr(bq_client, "_DEFAULT_CHUNKSIZE", 256 * 1024)
    data = "".join(json.dumps({"seq": i, "pad": "x" * 90}) + "\n" for i in range(7000)).encode()
    assert len(data) > 2 * 256 * 1024
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON",
                                    schema=[SchemaField("seq", "INTEGER"), SchemaField("pad", "STRING")])
    job = client.load_table_from_file(io.BytesIO(data), dataset.table("chunked"), job_config=config)  # no size: resumable
    assert job.result().output_rows == 7000
    assert client.get_table(dataset.table("chunked")).num_rows == 7000


def test_failed_load_job_reports_errors_and_writes_nothing(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", schema=[SchemaField("id", "INTEGER")])
    data = b'{"id": 1}\n{"id": "not a number"}\nnot json\n'
    job = client.load_table_from_file(io.BytesIO(data), dataset.table("bad"), job_config=config, size=len(data))
    with pytest.raises(gexc.BadRequest):
        job.result()
    assert job.error_result is not None and job.error_result["reason"] == "invalid"
    assert len(job.errors or []) == 2
    with pytest.raises(gexc.NotFound):  # a failed load is atomic: not even the table is created
        client.get_table(dataset.table("bad"))


@pytest.mark.filterwarnings("ignore:Loading pandas DataFrame:FutureWarning")  # the client asks for pandas-gbq
@pytest.mark.filterwarnings("ignore:Loading DataFrames via google-cloud-bigquery:PendingDeprecationWarning")
def test_load_table_from_dataframe_uploads_parquet(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker) -> None:
    import pandas as pd

    names = [fake.name() for _ in range(3)]
    frame = pd.DataFrame({
        "name": [names[0], names[1], None], "age": [41, 35, 29], "score": [1.5, None, 2.0],
        "seen": pd.to_datetime(["2026-11-25T01:02:03Z"] * 3), "plates": [["กข 1234"], [], ["B 1234 ABC", "51A-123.45"]],
    })
    job = client.load_table_from_dataframe(frame, dataset.table("frame"))
    assert job.result().output_rows == 3 and job.source_format == "PARQUET"
    table = client.get_table(dataset.table("frame"))
    assert [(f.name, f.field_type, f.mode) for f in table.schema] == [
        ("name", "STRING", "NULLABLE"), ("age", "INTEGER", "NULLABLE"), ("score", "FLOAT", "NULLABLE"),
        ("seen", "TIMESTAMP", "NULLABLE"), ("plates", "STRING", "REPEATED")]
    rows = [dict(r.items()) for r in client.list_rows(table)]
    assert [r["name"] for r in rows] == [names[0], names[1], None]
    assert rows[1]["score"] is None and rows[2]["plates"] == ["B 1234 ABC", "51A-123.45"]
    assert rows[0]["seen"] == dt.datetime(2026, 11, 25, 1, 2, 3, tzinfo=dt.UTC)


def test_jobs_are_listed_newest_first_and_missing_jobs_are_404(emulator: BigQueryEmulator) -> None:
    client = bigquery.Client(project="jobs-project", credentials=AnonymousCredentials(),
                             client_options={"api_endpoint": emulator.url})
    ds = bigquery.Dataset("jobs-project.loads")
    ds.location = "asia-northeast1"
    client.create_dataset(ds)
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", schema=[SchemaField("id", "INTEGER")])
    jobs = [client.load_table_from_file(io.BytesIO(b'{"id": 1}'), "jobs-project.loads.j", job_config=config, size=9)
            for _ in range(3)]
    for job in jobs:
        job.result()
    listed = client.list_jobs(page_size=2)
    assert [j.job_id for j in listed] == [j.job_id for j in reversed(jobs)]
    assert client.get_job(jobs[0].job_id).location == "asia-northeast1"  # the destination dataset's location
    assert client.get_table("jobs-project.loads.j").num_rows == 3
    with pytest.raises(gexc.NotFound):
        client.get_job("no-such-job")


def test_copy_job_copies_rows(client: bigquery.Client, dataset: bigquery.Dataset) -> None:
    source = client.create_table(bigquery.Table(dataset.table("src"), schema=[SchemaField("id", "INTEGER")]))
    client.insert_rows_json(source, [{"id": 1}, {"id": 2}])
    client.copy_table(source, dataset.table("dst")).result()
    assert [r["id"] for r in client.list_rows(dataset.table("dst"))] == [1, 2]


def test_queries_answer_501_naming_the_call(client: bigquery.Client) -> None:
    with pytest.raises(gexc.MethodNotImplemented, match="query"):
        client.query("SELECT 1").result()


# ---------------------------------------------------------------------------- process, safety


def test_stop_ends_kept_alive_connections() -> None:
    emulator = BigQueryEmulator().start()
    client = bigquery.Client(project="p", credentials=AnonymousCredentials(), client_options={"api_endpoint": emulator.url})
    client.create_dataset("kept")  # opens a keep-alive connection in the client's session
    emulator.stop()
    with pytest.raises(Exception) as refused:
        client.get_dataset("kept", retry=None, timeout=5)
    assert not isinstance(refused.value, gexc.GoogleAPICallError)  # a connection error, not an answer
    emulator.stop()  # idempotent


def test_non_loopback_hosts_are_refused() -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        BigQueryEmulator(host="0.0.0.0")
    assert serve("0.0.0.0", 0) == 2


def test_serve_reports_a_busy_port() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert serve("127.0.0.1", busy.getsockname()[1]) == 1


def test_unknown_paths_and_bad_bodies_answer_google_errors(emulator: BigQueryEmulator) -> None:
    assert _get_json(emulator.url + "/")["service"] == "bigquery"  # the liveness probe
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{emulator.url}/nothing/here", timeout=10)
    assert missing.value.code == 404
    assert json.loads(missing.value.read())["error"]["errors"][0]["reason"] == "notFound"
    request = urllib.request.Request(f"{emulator.url}/bigquery/v2/projects/{PROJECT}/datasets", data=b"{not json",
                                     method="POST", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(request, timeout=10)
    body = json.loads(bad.value.read())["error"]
    assert (bad.value.code, body["code"], body["status"], body["errors"][0]["reason"]) == (400, 400, "INVALID_ARGUMENT", "parseError")


def test_dataset_list_filters_by_label(emulator: BigQueryEmulator) -> None:
    client = bigquery.Client(project="labels-project", credentials=AnonymousCredentials(),
                             client_options={"api_endpoint": emulator.url})
    for name, country in (("jp_a", "jp"), ("th_a", "th"), ("th_b", "th")):
        ds = bigquery.Dataset(f"labels-project.{name}")
        ds.labels = {"country": country}
        client.create_dataset(ds)
    assert [d.dataset_id for d in client.list_datasets(filter="labels.country:th")] == ["th_a", "th_b"]


def test_request_logs_hold_no_row_values(client: bigquery.Client, dataset: bigquery.Dataset, fake: Faker,
                                         caplog: pytest.LogCaptureFixture) -> None:
    table = client.create_table(bigquery.Table(dataset.table("logged"), schema=[SchemaField("email", "STRING")]))
    secret = fake.email()
    with caplog.at_level(logging.DEBUG, logger="cloudaudit_demo.estate.bigquery_emulator"):
        client.insert_rows_json(table, [{"email": secret}, {"email": 5, "x": secret}])
        list(client.list_rows(table))
    assert "insertAll" in caplog.text  # request lines are logged at DEBUG...
    assert secret not in caplog.text  # ...but never bodies


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_module_entry_point_serves_and_stops_on_sigterm() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudaudit_demo.estate.bigquery_emulator", "--port", str(port)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(rf"BigQuery emulator listening on (http://127\.0\.0\.1:{port})$", line.strip())
        assert match, "no listening line on stderr"
        client = bigquery.Client(project="proc", credentials=AnonymousCredentials(),
                                 client_options={"api_endpoint": match.group(1)})
        client.create_dataset("from_process")
        assert [d.dataset_id for d in client.list_datasets()] == ["from_process"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0  # a clean exit on SIGTERM (the timeout only guards a hang)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_bytes_are_base64_on_the_wire(client: bigquery.Client, dataset: bigquery.Dataset, emulator: BigQueryEmulator) -> None:
    table = client.create_table(bigquery.Table(dataset.table("blob"), schema=[SchemaField("b", "BYTES")]))
    payload = bytes(range(256))
    assert client.insert_rows(table, [{"b": payload}]) == []
    page = _get_json(f"{emulator.url}/bigquery/v2/projects/{PROJECT}/datasets/{dataset.dataset_id}/tables/blob/data")
    assert base64.b64decode(page["rows"][0]["f"][0]["v"]) == payload
