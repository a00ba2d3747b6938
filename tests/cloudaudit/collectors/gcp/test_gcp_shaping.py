"""Pure parts of the GCP collectors: choosing objects, flattening BigQuery rows, naming failures."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
import requests
from google.api_core import exceptions as gexc
from google.cloud.bigquery import AccessEntry, PolicyTagList, SchemaField

from cloudaudit.collectors.gcp.bigquery.datasets import access_entries
from cloudaudit.collectors.gcp.bigquery.rows import (
    columns_within,
    leaf_paths,
    rows_to_sample,
    schema_column,
    schema_entries,
)
from cloudaudit.collectors.gcp.failures import Reads, is_denied, reason
from cloudaudit.collectors.gcp.storage.candidates import Listed, choose_candidates
from cloudaudit.model import PiiType
from cloudaudit_demo import synth

TAG = "projects/p/locations/asia-southeast1/taxonomies/1/policyTags/2"
SCHEMA = (
    SchemaField("id", "INTEGER", mode="REQUIRED"),
    SchemaField("customer", "RECORD", fields=(
        SchemaField("name", "STRING", policy_tags=PolicyTagList(names=(TAG,))),
        SchemaField("contacts", "RECORD", mode="REPEATED", fields=(
            SchemaField("phone", "STRING"),
            SchemaField("kind", "STRING"),
        )),
    )),
    SchemaField("tags", "STRING", mode="REPEATED"),
    SchemaField("joined", "DATE"),
)


def test_candidates_prefer_sampleable_formats_and_spread_over_prefixes() -> None:
    listed = [Listed(f"logs/{i:03}.log.gz", 100) for i in range(30)]
    listed += [Listed(f"backup/{i}.bak", 100) for i in range(3)]
    listed += [Listed("exports/", 0), Listed("img/a.png", 5), Listed("img/b.jpg", 5)]
    listed += [Listed("exports/customers.csv", 10), Listed("exports/orders.parquet", 10),
               Listed("crm/contacts.jsonl.gz", 10), Listed("readme.txt", 1)]

    chosen = [c.name for c in choose_candidates(listed, 5)]

    assert len(chosen) == 5
    assert "exports/" not in chosen  # console folder markers hold nothing
    assert {"exports/customers.csv", "crm/contacts.jsonl.gz", "readme.txt"} <= set(chosen)
    assert sum(name.startswith("logs/") for name in chosen) == 2  # 30 logs do not crowd out the rest
    assert not any(name.endswith((".png", ".jpg", ".bak")) for name in chosen)
    assert [c.name for c in choose_candidates(listed, 0)] == []
    everything = choose_candidates(listed, 100)
    assert len(everything) == 30 + 3 + 2 + 4  # all but the folder marker
    assert {c.name for c in everything[-5:]} == {"img/a.png", "img/b.jpg", "backup/0.bak", "backup/1.bak",
                                                 "backup/2.bak"}  # unsampleable names last


def test_schema_entries_carry_dot_paths_modes_and_policy_tags() -> None:
    entries = {e["name"]: e for e in schema_entries(SCHEMA)}

    assert list(entries) == ["id", "customer", "customer.name", "customer.contacts",
                             "customer.contacts.phone", "customer.contacts.kind", "tags", "joined"]
    assert entries["customer.name"]["policy_tags"] == [TAG]
    assert entries["customer.contacts.phone"] == {"name": "customer.contacts.phone", "type": "STRING",
                                                  "mode": "NULLABLE", "policy_tags": []}
    assert entries["customer.contacts"]["mode"] == "REPEATED"
    assert entries["id"]["mode"] == "REQUIRED"


def test_rows_flatten_to_json_style_paths_with_nulls_kept() -> None:
    rng = random.Random(7)
    phones = [synth.value(PiiType.PHONE_NUMBER, "TH", rng) for _ in range(3)]
    name = synth.value(PiiType.PERSON_NAME, "TH", rng)
    rows = [
        {"id": 1, "customer": {"name": name, "contacts": [{"phone": phones[0], "kind": "home"},
                                                          {"phone": phones[1], "kind": None}]},
         "tags": ["vip", "th"], "joined": dt.date(2020, 1, 31)},
        {"id": 2, "customer": None, "tags": [], "joined": None},
        {"id": 3, "customer": {"name": None, "contacts": [{"phone": phones[2], "kind": "work"}]},
         "tags": None, "joined": None},
    ]

    sample = rows_to_sample(SCHEMA, rows, max_fields=100, max_cell_chars=100, total_rows=10)

    assert sample.format == "bigquery" and sample.rows == 3 and sample.truncated
    assert list(sample.fields) == leaf_paths(SCHEMA) == [
        "id", "customer.name", "customer.contacts[].phone", "customer.contacts[].kind", "tags[]", "joined"]
    assert sample.fields["id"] == ["1", "2", "3"]
    assert sample.fields["customer.name"] == [name, None, None]  # a NULL record has NULL leaves
    assert sample.fields["customer.contacts[].phone"] == phones  # one value per array item
    assert sample.fields["customer.contacts[].kind"] == ["home", None, "work"]
    assert sample.fields["tags[]"] == ["vip", "th"]
    assert sample.fields["joined"] == ["2020-01-31", None, None]
    assert schema_column("customer.contacts[].phone") == "customer.contacts.phone"
    assert name not in repr(sample) and phones[0] not in str(sample)


def test_rows_respect_field_and_cell_limits() -> None:
    rows = [{"id": 10**30, "customer": {"name": "x" * 50, "contacts": []}, "tags": ["a"], "joined": None}]

    sample = rows_to_sample(SCHEMA, rows, max_fields=2, max_cell_chars=8, total_rows=1)

    assert list(sample.fields) == ["id", "customer.name"]
    assert sample.fields["customer.name"] == ["x" * 8]
    assert sample.fields["id"] == [str(10**30)[:8]]
    assert not sample.truncated


def test_wide_tables_select_the_columns_that_fit() -> None:
    # SCHEMA's leaves per top-level column: id 1, customer 3, tags 1, joined 1.
    assert columns_within(SCHEMA, 100) is None  # everything fits: no selectedFields at all
    assert [f.name for f in columns_within(SCHEMA, 3) or []] == ["id", "tags", "joined"]  # customer passed over
    assert [f.name for f in columns_within(SCHEMA, 4) or []] == ["id", "customer"]
    assert [f.name for f in columns_within(SCHEMA, 5) or []] == ["id", "customer", "tags"]
    wide_first = (SchemaField("blob", "RECORD", fields=tuple(SchemaField(f"c{i}", "STRING") for i in range(9))),
                  SchemaField("email", "STRING"))
    assert [f.name for f in columns_within(wide_first, 4) or []] == ["blob"]


def test_cells_of_every_type_become_text() -> None:
    fields = (SchemaField("b", "BOOL"), SchemaField("n", "NUMERIC"), SchemaField("raw", "BYTES"),
              SchemaField("doc", "JSON"), SchemaField("at", "TIMESTAMP"))
    at = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    rows = [{"b": False, "n": Decimal("12.50"), "raw": "ที่อยู่".encode(), "doc": {"k": [1, 2]}, "at": at}]

    sample = rows_to_sample(fields, rows, max_fields=10, max_cell_chars=100)

    assert {k: v[0] for k, v in sample.fields.items()} == {
        "b": "false", "n": "12.50", "raw": "ที่อยู่", "doc": '{"k": [1, 2]}', "at": at.isoformat()}


def test_access_entries_name_public_groups_and_authorized_views() -> None:
    entries = [AccessEntry("READER", "iamMember", "allUsers"),
               AccessEntry("READER", "specialGroup", "allAuthenticatedUsers"),
               AccessEntry("OWNER", "userByEmail", "owner@example.com"),
               AccessEntry(None, "view", {"projectId": "p", "datasetId": "d", "tableId": "v"})]

    assert access_entries(entries) == [
        {"role": "READER", "entity_type": "iamMember", "entity_id": "allUsers"},
        {"role": "READER", "entity_type": "specialGroup", "entity_id": "allAuthenticatedUsers"},
        {"role": "OWNER", "entity_type": "userByEmail", "entity_id": "owner@example.com"},
        {"role": "", "entity_type": "view", "entity_id": "p.d.v"},
    ]


@pytest.mark.parametrize(("exc", "text", "denied"), [
    (gexc.Forbidden("secret body: 4111111111111111"), "getIamPolicy: Forbidden", True),
    (gexc.NotFound("gone"), "getIamPolicy: NotFound", False),
    (requests.ConnectionError("refused"), "getIamPolicy: ConnectionError", False),
    (gexc.RetryError("deadline", cause=requests.ReadTimeout("slow")),
     "getIamPolicy: ReadTimeout (retries exhausted)", False),
    (gexc.RetryError("deadline", cause=gexc.Forbidden("no")), "getIamPolicy: Forbidden (retries exhausted)", True),
])
def test_failures_are_named_by_status_never_by_message(exc: Exception, text: str, denied: bool) -> None:
    assert reason("getIamPolicy", exc) == text
    assert is_denied(exc) is denied
    reads = Reads()
    assert reads.read("iam_bindings", "getIamPolicy", lambda: (_ for _ in ()).throw(exc)) is None
    assert reads.errors == {"iam_bindings": text}
    assert "4111" not in text
