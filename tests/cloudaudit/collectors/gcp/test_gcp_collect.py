"""collect_gcp: both services side by side; one failing service is one NOT_ASSESSED row, both raise."""

from __future__ import annotations

import time
from typing import Any

import pytest
from google.cloud import bigquery

from cloudaudit.collectors import collect_environment
from cloudaudit.collectors.gcp import collect_gcp
from cloudaudit.config import Limits
from cloudaudit.errors import AccessDenied, Unreachable
from cloudaudit.model import CoverageStatus, Provider, Service
from tests.cloudaudit.collectors.gcp.gcp_fixtures import (
    DenyingProxy,
    bigquery_seed_client,
    gcp_env,
    storage_seed_client,
)

PROJECT = "th-dealer-analytics"


def seed_both(gcs_url: str, bq_url: str) -> None:
    storage_seed_client(gcs_url, PROJECT).create_bucket("th-exports")
    client = bigquery_seed_client(bq_url, PROJECT)
    client.create_dataset(bigquery.Dataset(f"{PROJECT}.crm"))


def test_both_services_are_collected_through_collect_environment(gcs_url: str, bq_url: str,
                                                                 limits: Limits) -> None:
    seed_both(gcs_url, bq_url)

    collected = collect_environment(gcp_env(storage=gcs_url, bigquery=bq_url, project=PROJECT), limits)

    assert sorted((r.service, r.resource) for r in collected.resources) == [
        (Service.BIGQUERY, f"bq://{PROJECT}.crm"), (Service.STORAGE, "gs://th-exports")]
    assert all(r.status is CoverageStatus.ASSESSED for r in collected.resources)


def test_a_dead_bigquery_endpoint_is_one_not_assessed_row(gcs_url: str, bq_url: str, free_ports: Any) -> None:
    seed_both(gcs_url, bq_url)
    [dead] = free_ports(1)

    collected = collect_gcp(gcp_env(storage=gcs_url, bigquery=dead, project=PROJECT), Limits(call_timeout_s=1))

    by_service = {r.service: r for r in collected.resources}
    assert by_service[Service.STORAGE].resource == "gs://th-exports"
    failed = by_service[Service.BIGQUERY]
    assert (failed.resource, failed.provider, failed.kind, failed.status) == (
        "th-dealer-analytics", Provider.GCP, "service", CoverageStatus.NOT_ASSESSED)
    assert failed.reason == "listDatasets: ConnectionError (retries exhausted)"
    assert len(collected.resources) == 2


def test_denied_storage_while_bigquery_works(gcs_url: str, bq_url: str, limits: Limits) -> None:
    seed_both(gcs_url, bq_url)

    with DenyingProxy(gcs_url, lambda method, path: 403) as proxy:
        collected = collect_gcp(gcp_env(storage=proxy.url, bigquery=bq_url, project=PROJECT), limits)

    [failed] = [r for r in collected.resources if r.status is CoverageStatus.NOT_ASSESSED]
    assert (failed.service, failed.resource, failed.reason) == (
        Service.STORAGE, "th-dealer-analytics", "listBuckets: Forbidden")
    assert [r.resource for r in collected.resources if r.service is Service.BIGQUERY] == [f"bq://{PROJECT}.crm"]


def test_dead_endpoints_make_the_environment_unreachable_with_bounded_retries(
        free_ports: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    dead_storage, dead_bq = free_ports(2)
    env = gcp_env(storage=dead_storage, bigquery=dead_bq)
    attempts: list[str] = []
    backoffs: list[float] = []
    real_send, real_sleep = requests.Session.send, time.sleep

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        attempts.append(str(request.url))
        return real_send(self, request, **kwargs)

    def sleep(seconds: float) -> None:
        backoffs.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(requests.Session, "send", send)
    monkeypatch.setattr(time, "sleep", sleep)
    with pytest.raises(Unreachable) as raised:
        collect_gcp(env, Limits(call_timeout_s=1))

    message = str(raised.value)
    assert "gcs: listBuckets: ConnectionError" in message
    assert "bq: listDatasets: ConnectionError" in message
    # What bounds the wait is the retry budget: one listing call per service, retried with backoff
    # (0.25 s, then doubling) only within call_timeout_s = 1 s, so a handful of attempts each.
    for endpoint in (dead_storage, dead_bq):
        tries = [url for url in attempts if url.startswith(endpoint)]
        assert 2 <= len(tries) <= 6, (endpoint, len(tries))
    assert sum(backoffs) <= 2 * 1.0 + 0.01, backoffs  # never more backoff than both budgets together


def test_both_services_denied_raise_access_denied(gcs_url: str) -> None:
    with DenyingProxy(gcs_url, lambda method, path: 403) as proxy:
        env = gcp_env(storage=proxy.url, bigquery=proxy.url)
        with pytest.raises(AccessDenied) as raised:
            collect_gcp(env, Limits(call_timeout_s=2))
    assert str(raised.value) == "gcs: listBuckets: Forbidden; bq: listDatasets: Forbidden"


def test_listings_cut_at_max_resources_are_named_as_gaps(gcs_url: str, bq_url: str) -> None:
    storage = storage_seed_client(gcs_url, PROJECT)
    for name in ("th-a", "th-b", "th-c"):
        storage.create_bucket(name)
    client = bigquery_seed_client(bq_url, PROJECT)
    dataset = client.create_dataset(bigquery.Dataset(f"{PROJECT}.crm"))
    for table in ("t1", "t2", "t3"):
        client.create_table(bigquery.Table(dataset.table(table), schema=[bigquery.SchemaField("x", "STRING")]))
    env = gcp_env(storage=gcs_url, bigquery=bq_url, project=PROJECT)

    cut = collect_gcp(env, Limits(call_timeout_s=2, max_resources=2))
    exact = collect_gcp(env, Limits(call_timeout_s=2, max_resources=4))

    assert [r.service for r in cut.resources].count(Service.STORAGE) == 2
    assert [r.kind for r in cut.resources if r.service is Service.BIGQUERY] == ["dataset", "table"]
    assert cut.account_read_errors == {"gcs_buckets": "listBuckets: stopped at max_resources (2)",
                                       "bq_tables": "listTables: stopped at max_resources (2)"}
    assert len(exact.resources) == 3 + 1 + 3 and exact.account_read_errors == {}


def test_a_missing_airflow_connection_denies_the_environment_without_touching_the_network() -> None:
    from cloudaudit.config import Environment

    env = Environment(name="th-prod", country="TH", provider="gcp", project_id="th-prod-1",
                      airflow_conn_id="gcp_not_configured")

    with pytest.raises(AccessDenied) as raised:
        collect_gcp(env, Limits(call_timeout_s=1))

    assert str(raised.value) == ("gcs: Airflow connection gcp_not_configured: not found; "
                                 "bq: Airflow connection gcp_not_configured: not found")
