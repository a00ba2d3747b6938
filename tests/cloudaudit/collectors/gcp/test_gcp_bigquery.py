"""BigQuery collection against the project's emulator, through the real google-cloud-bigquery client."""

from __future__ import annotations

import logging
import random
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from google.cloud import bigquery
from google.cloud.bigquery import PolicyTagList, SchemaField

from cloudaudit.collectors.gcp.bigquery import collect_bigquery
from cloudaudit.collectors.gcp.clients import bigquery_client
from cloudaudit.config import Limits
from cloudaudit.errors import AccessDenied
from cloudaudit.model import CoverageStatus, PiiType, Provider, Resource, Service
from cloudaudit_demo import synth
from tests.cloudaudit.collectors.gcp.gcp_fixtures import DenyingProxy, bigquery_seed_client, gcp_env

PROJECT = "th-dealer-analytics"
TAG = f"projects/{PROJECT}/locations/asia-southeast1/taxonomies/7/policyTags/11"
SCHEMA = [
    SchemaField("customer_id", "INTEGER", mode="REQUIRED"),
    SchemaField("customer", "RECORD", fields=[
        SchemaField("full_name", "STRING", policy_tags=PolicyTagList(names=(TAG,))),
        SchemaField("national_id", "STRING", policy_tags=PolicyTagList(names=(TAG,))),
        SchemaField("email", "STRING"),
        SchemaField("contacts", "RECORD", mode="REPEATED", fields=[
            SchemaField("phone", "STRING"),
            SchemaField("label", "STRING"),
        ]),
    ]),
    SchemaField("segment", "STRING"),
]


def customer_rows(rng: random.Random, count: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        record = synth.record("TH", rng)
        rows.append({"customer_id": i, "segment": rng.choice(["retail", "fleet"]), "customer": {
            "full_name": record["name"], "national_id": record["national_id"], "email": record["email"],
            "contacts": [{"phone": record["phone"], "label": "mobile"}]}})
    return rows


def seed(url: str, *, rows: list[dict[str, Any]], dataset_members: tuple[tuple[str, str], ...] = (),
         table_members: tuple[str, ...] = (), location: str = "asia-southeast1") -> None:
    client = bigquery_seed_client(url, PROJECT)
    dataset = bigquery.Dataset(f"{PROJECT}.crm")
    dataset.location = location
    dataset = client.create_dataset(dataset)
    if dataset_members:  # shared after creation, with a datasets.patch, as it happens in practice
        dataset.access_entries = [*dataset.access_entries, *(
            bigquery.AccessEntry("READER", entity_type, member) for entity_type, member in dataset_members)]
        client.update_dataset(dataset, ["access_entries"])
    table = client.create_table(bigquery.Table(f"{PROJECT}.crm.customers", schema=SCHEMA))
    if rows:
        assert client.insert_rows_json(table, rows, row_ids=[None] * len(rows)) == []
    if table_members:
        policy = client.get_iam_policy(table)
        policy.bindings.append({"role": "roles/bigquery.dataViewer", "members": set(table_members)})
        client.set_iam_policy(table, policy)
    view = bigquery.Table(f"{PROJECT}.crm.customers_view")
    view.view_query = f"SELECT customer_id FROM `{PROJECT}.crm.customers`"
    client.create_table(view)
    external = bigquery.Table(f"{PROJECT}.crm.customers_lake", schema=[SchemaField("email", "STRING")])
    source = bigquery.ExternalConfig("CSV")
    source.source_uris = ["gs://th-lake/customers/*.csv"]
    external.external_data_configuration = source
    client.create_table(external)


def collect(url: str, limits: Limits) -> dict[str, Resource]:
    env = gcp_env(storage=None, bigquery=url, project=PROJECT)
    return {r.resource: r for r in collect_bigquery(bigquery_client(env), env, limits).resources}


def test_public_dataset_and_table_configuration(bq_url: str, limits: Limits) -> None:
    seed(bq_url, rows=[], location="US",
         dataset_members=(("iamMember", "allUsers"), ("specialGroup", "allAuthenticatedUsers")),
         table_members=("allUsers", "group:analysts@example.com"))

    found = collect(bq_url, limits)

    assert list(found) == [f"bq://{PROJECT}.crm", f"bq://{PROJECT}.crm.customers",
                           f"bq://{PROJECT}.crm.customers_lake", f"bq://{PROJECT}.crm.customers_view"]
    dataset = found[f"bq://{PROJECT}.crm"]
    assert (dataset.provider, dataset.service, dataset.kind, dataset.location) == (
        Provider.GCP, Service.BIGQUERY, "dataset", "us")
    entries = dataset.config["access_entries"]
    assert {"role": "READER", "entity_type": "iamMember", "entity_id": "allUsers"} in entries
    assert {"role": "READER", "entity_type": "specialGroup", "entity_id": "allAuthenticatedUsers"} in entries
    table = found[f"bq://{PROJECT}.crm.customers"]
    assert (table.kind, table.location, table.status) == ("table", "us", CoverageStatus.ASSESSED)
    assert table.config["iam_bindings"] == [
        {"role": "roles/bigquery.dataViewer", "members": ["allUsers", "group:analysts@example.com"]}]
    assert table.config["table_type"] == "TABLE" and table.config["num_rows"] == 0
    view = found[f"bq://{PROJECT}.crm.customers_view"]
    assert view.config["table_type"] == "VIEW"
    [skipped] = view.samples
    assert skipped.status is CoverageStatus.PARTIAL and "view" in skipped.reason and skipped.rows_sampled == 0
    external = found[f"bq://{PROJECT}.crm.customers_lake"]
    assert external.config["table_type"] == "EXTERNAL"
    assert external.config["schema"] == [{"name": "email", "type": "STRING", "mode": "NULLABLE", "policy_tags": []}]
    [skipped] = external.samples
    assert skipped.status is CoverageStatus.PARTIAL and skipped.reason.startswith("external:")


def test_pii_columns_nested_with_and_without_policy_tags(bq_url: str, limits: Limits) -> None:
    seed(bq_url, rows=customer_rows(random.Random(21), 30))

    table = collect(bq_url, limits)[f"bq://{PROJECT}.crm.customers"]

    schema = {c["name"]: c for c in table.config["schema"]}
    assert schema["customer.national_id"]["policy_tags"] == [TAG]
    assert schema["customer.email"]["policy_tags"] == []
    assert schema["customer.contacts.phone"] == {"name": "customer.contacts.phone", "type": "STRING",
                                                 "mode": "NULLABLE", "policy_tags": []}
    [sample] = table.samples
    assert sample.resource == table.resource  # the table itself is what was sampled
    assert (sample.status, sample.format, sample.rows_sampled) == (CoverageStatus.ASSESSED, "bigquery", 30)
    found = {f.field: set(f.pii_types) for f in sample.fields}
    assert PiiType.NATIONAL_ID in found["customer.national_id"]
    assert PiiType.EMAIL_ADDRESS in found["customer.email"]
    assert PiiType.PHONE_NUMBER in found["customer.contacts[].phone"]
    assert not found["customer_id"] and not found["segment"]


def test_row_sample_is_bounded_at_the_call(bq_url: str) -> None:
    seed(bq_url, rows=customer_rows(random.Random(22), 120))
    asked: list[int] = []

    def watch(method: str, path: str) -> None:
        query = parse_qs(urlsplit(path).query)
        if urlsplit(path).path.endswith("/data"):
            asked.append(int(query.get("maxResults", ["0"])[0]))
        return None

    with DenyingProxy(bq_url, watch) as proxy:
        table = collect(proxy.url, Limits(call_timeout_s=2, max_rows=50))[f"bq://{PROJECT}.crm.customers"]

    [sample] = table.samples
    assert sample.rows_sampled == 50 and sample.truncated
    assert table.config["num_rows"] == 120
    assert asked and all(0 < n <= 50 for n in asked), asked  # never asked for more than max_rows


def test_wide_tables_are_cut_to_max_fields_at_the_call(bq_url: str) -> None:
    seed(bq_url, rows=customer_rows(random.Random(26), 10))
    selected: list[str] = []

    def watch(method: str, path: str) -> None:
        if urlsplit(path).path.endswith("/data"):
            selected.extend(parse_qs(urlsplit(path).query).get("selectedFields", []))
        return None

    with DenyingProxy(bq_url, watch) as proxy:
        table = collect(proxy.url, Limits(call_timeout_s=2, max_fields=2))[f"bq://{PROJECT}.crm.customers"]

    assert selected == ["customer_id,segment"]  # the 5-leaf customer record does not fit beside them
    [sample] = table.samples
    assert [f.field for f in sample.fields] == ["customer_id", "segment"]
    assert sample.rows_sampled == 10 and sample.status is CoverageStatus.ASSESSED
    assert len(table.config["schema"]) == 9  # the configuration still lists every column


def test_denied_table_calls_are_recorded_where_they_happened(bq_url: str, limits: Limits) -> None:
    seed(bq_url, rows=customer_rows(random.Random(23), 5), table_members=("allUsers",))

    def deny(method: str, path: str) -> int | None:
        if "getIamPolicy" in path or urlsplit(path).path.endswith("/data"):
            return 403
        return None

    with DenyingProxy(bq_url, deny) as proxy:
        found = collect(proxy.url, limits)

    table = found[f"bq://{PROJECT}.crm.customers"]
    assert "iam_bindings" not in table.config
    assert table.read_errors == {"iam_bindings": "getIamPolicy: Forbidden"}
    assert table.status is CoverageStatus.PARTIAL and "schema" in table.config
    [sample] = table.samples
    assert (sample.status, sample.reason) == (CoverageStatus.NOT_ASSESSED, "listRows: Forbidden")
    assert found[f"bq://{PROJECT}.crm"].status is CoverageStatus.ASSESSED


def test_a_table_that_cannot_be_read_does_not_stop_the_others(bq_url: str, limits: Limits) -> None:
    seed(bq_url, rows=customer_rows(random.Random(24), 3))

    def deny_one_table(method: str, path: str) -> int | None:
        return 403 if method == "GET" and urlsplit(path).path.endswith("/tables/customers") else None

    with DenyingProxy(bq_url, deny_one_table) as proxy:
        found = collect(proxy.url, limits)

    broken = found[f"bq://{PROJECT}.crm.customers"]
    assert (broken.status, broken.reason, broken.location) == (
        CoverageStatus.NOT_ASSESSED, "getTable: Forbidden", "asia-southeast1")
    assert found[f"bq://{PROJECT}.crm.customers_view"].status is CoverageStatus.ASSESSED


def test_bigquery_api_disabled_raises_access_denied(bq_url: str, limits: Limits) -> None:
    with DenyingProxy(bq_url, lambda method, path: 403) as proxy, \
            pytest.raises(AccessDenied, match=r"^listDatasets: Forbidden$"):
        collect(proxy.url, limits)


def test_no_raw_row_value_leaves_the_collector(bq_url: str, limits: Limits,
                                               caplog: pytest.LogCaptureFixture) -> None:
    rows = customer_rows(random.Random(25), 20)
    seed(bq_url, rows=rows)

    with caplog.at_level(logging.DEBUG, logger="cloudaudit"):
        found = collect(bq_url, limits)

    written = "".join(r.model_dump_json() + repr(r) for r in found.values()) + caplog.text
    assert any(f.pii for f in found[f"bq://{PROJECT}.crm.customers"].samples[0].fields)
    for row in rows:
        customer = row["customer"]
        for value in (customer["national_id"], customer["email"], customer["contacts"][0]["phone"]):
            assert value not in written
