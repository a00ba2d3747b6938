"""Client construction: endpoints get anonymous credentials, Airflow connections give a key, calls are bounded."""

from __future__ import annotations

import json

import pytest
from google.auth.credentials import AnonymousCredentials

from cloudaudit.collectors.gcp.clients import (
    airflow_connection_credentials,
    bigquery_call_options,
    bigquery_client,
    storage_call_options,
    storage_client,
)
from cloudaudit.config import Environment, Limits
from cloudaudit.errors import AccessDenied
from tests.cloudaudit.collectors.gcp.gcp_fixtures import gcp_env


@pytest.fixture(scope="module")
def service_account_info() -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": "th-dealer-analytics", "private_key_id": "k1",
            "private_key": pem, "client_email": "cloudaudit@th-dealer-analytics.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}


def test_emulator_endpoints_use_anonymous_credentials_and_the_project() -> None:
    env = gcp_env(storage="http://127.0.0.1:9023", bigquery="http://127.0.0.1:9050", project="th-dealer-analytics")

    gcs, bq = storage_client(env), bigquery_client(env)

    assert isinstance(gcs._credentials, AnonymousCredentials) and gcs.project == "th-dealer-analytics"
    assert gcs._connection.API_BASE_URL == "http://127.0.0.1:9023"
    assert isinstance(bq._credentials, AnonymousCredentials) and bq.project == "th-dealer-analytics"
    assert bq._connection.API_BASE_URL == "http://127.0.0.1:9050"


def test_calls_are_bounded_by_call_timeout() -> None:
    for options in (storage_call_options(Limits(call_timeout_s=7)), bigquery_call_options(Limits(call_timeout_s=7))):
        assert options.timeout == 7.0
        assert options.retry.timeout == 7.0
        assert options.kwargs() == {"retry": options.retry, "timeout": 7.0}


def test_an_airflow_connection_supplies_a_service_account(monkeypatch: pytest.MonkeyPatch,
                                                          service_account_info: dict[str, str]) -> None:
    extra = {"keyfile_dict": json.dumps(service_account_info)}
    monkeypatch.setenv("AIRFLOW_CONN_GCP_AUDIT", json.dumps({"conn_type": "google_cloud_platform", "extra": extra}))
    env = Environment(name="th-prod", country="TH", provider="gcp", project_id="th-dealer-analytics",
                      airflow_conn_id="gcp_audit")

    gcs = storage_client(env)

    assert gcs._credentials.service_account_email == service_account_info["client_email"]
    assert gcs.project == "th-dealer-analytics"


def test_unusable_connections_are_denied_without_quoting_the_key(monkeypatch: pytest.MonkeyPatch,
                                                                 service_account_info: dict[str, str]) -> None:
    broken = {**service_account_info, "private_key": service_account_info["private_key"][:200]}
    monkeypatch.setenv("AIRFLOW_CONN_GCP_BROKEN", json.dumps(
        {"conn_type": "google_cloud_platform", "extra": {"keyfile_dict": json.dumps(broken)}}))
    monkeypatch.setenv("AIRFLOW_CONN_GCP_EMPTY", json.dumps({"conn_type": "google_cloud_platform", "extra": {}}))

    with pytest.raises(AccessDenied) as raised:
        airflow_connection_credentials("gcp_broken")
    assert str(raised.value) == "Airflow connection gcp_broken: unusable service-account key"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    with pytest.raises(AccessDenied, match="no keyfile_dict or key_path"):
        airflow_connection_credentials("gcp_empty")
    with pytest.raises(AccessDenied, match="^Airflow connection gcp_missing: not found$"):
        airflow_connection_credentials("gcp_missing")


def test_half_emulated_project_never_looks_for_google_credentials() -> None:
    """Only BigQuery is emulated: Cloud Storage must not fall back to default credentials,
    whose search probes Google's metadata server on the network."""
    from cloudaudit.collectors.gcp import collect_gcp
    from cloudaudit.errors import Unreachable

    env = Environment(name="half", country="TH", provider="gcp", project_id="half",
                      bigquery_endpoint="http://127.0.0.1:9")
    with pytest.raises(Unreachable, match="storage_endpoint not set"):
        storage_client(env)
    with pytest.raises(Unreachable):  # BigQuery's endpoint is dead too: the environment is unreadable
        collect_gcp(env, Limits(call_timeout_s=1))
