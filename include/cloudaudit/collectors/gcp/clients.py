"""The one place Google clients are built: endpoint, credentials, retries and timeouts.

- ``bigquery_endpoint`` / ``storage_endpoint`` set (an emulator or a private endpoint):
  anonymous credentials and ``client_options={"api_endpoint": url}``.
- else, ``airflow_conn_id`` set: the service-account key held by that Airflow connection
  (``keyfile_dict`` or ``key_path`` in its extras, as the Google provider stores them).
- else Google Application Default Credentials.

Every call is made with ``call_options(limits)``: the library's own retry predicate (429,
5xx, connection resets) bounded by ``limits.call_timeout_s`` overall, and the same value as
the timeout of each HTTP request, so one dead endpoint costs one bounded wait per call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.errors import AccessDenied, Unreachable

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.auth.credentials import Credentials
    from google.cloud import bigquery, storage

    from cloudaudit.config import Environment, Limits

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
_FIRST_RETRY_DELAY_S = 0.25
_MAX_RETRY_DELAY_S = 4.0


@dataclass(frozen=True)
class CallOptions:
    """``retry`` and ``timeout`` keyword arguments for every client call."""

    retry: Retry
    timeout: float

    def kwargs(self) -> dict[str, Any]:
        return {"retry": self.retry, "timeout": self.timeout}


def storage_call_options(limits: Limits) -> CallOptions:
    from google.cloud.storage.retry import DEFAULT_RETRY

    return CallOptions(_bounded(DEFAULT_RETRY, limits), float(limits.call_timeout_s))


def bigquery_call_options(limits: Limits) -> CallOptions:
    from google.cloud.bigquery import DEFAULT_RETRY

    return CallOptions(_bounded(DEFAULT_RETRY, limits), float(limits.call_timeout_s))


def _bounded(retry: Retry, limits: Limits) -> Retry:
    # Library defaults wait up to 10 minutes; an audit of hundreds of projects cannot.
    return retry.with_timeout(float(limits.call_timeout_s)).with_delay(
        initial=_FIRST_RETRY_DELAY_S, maximum=_MAX_RETRY_DELAY_S)


def storage_client(env: Environment) -> storage.Client:
    """A Cloud Storage client for ``env.project_id``."""
    from google.cloud import storage

    endpoint = env.storage_endpoint
    client = storage.Client(project=env.project_id, credentials=_credentials(env, "storage_endpoint", endpoint),
                            client_options={"api_endpoint": endpoint} if endpoint else None)
    # The library fetches each bucket's metadata again on a background thread of its own (for
    # tracing attributes): an extra buckets.get per bucket, outside our timeouts, retries and
    # coverage. The collector reads what it needs from the bucket list.
    if getattr(client, "_bucket_metadata_cache", None) is not None:
        client._bucket_metadata_cache = None
    return client


def bigquery_client(env: Environment) -> bigquery.Client:
    """A BigQuery client for ``env.project_id``."""
    from google.cloud import bigquery

    endpoint = env.bigquery_endpoint
    return bigquery.Client(project=env.project_id, credentials=_credentials(env, "bigquery_endpoint", endpoint),
                           client_options={"api_endpoint": endpoint} if endpoint else None)


def _credentials(env: Environment, option: str, endpoint: str | None) -> Credentials | None:
    """None lets the client find Application Default Credentials itself.

    An environment that names an emulator for one service but not for the other is an
    emulated project: looking for default credentials there would probe Google's metadata
    server on the network, so that service is reported unreadable instead.
    """
    if endpoint:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()  # type: ignore[no-untyped-call]
    if env.airflow_conn_id:
        return airflow_connection_credentials(env.airflow_conn_id)
    if env.bigquery_endpoint or env.storage_endpoint:
        raise Unreachable(f"{option} not set in an environment whose other service is an emulator")
    return None


def airflow_connection_credentials(conn_id: str) -> Credentials:
    """Service-account credentials from an Airflow connection's extras.

    Raises ``AccessDenied`` naming the connection (never the key) when it holds no usable key.
    """
    from airflow.sdk import BaseHook
    from google.oauth2 import service_account

    try:
        extras = BaseHook.get_connection(conn_id).extra_dejson
    except Exception:  # Airflow raises its own NotFound types, by version
        raise AccessDenied(f"Airflow connection {conn_id}: not found") from None
    keyfile = _extra(extras, "keyfile_dict")
    key_path = _extra(extras, "key_path")
    try:
        if keyfile:
            info = json.loads(keyfile) if isinstance(keyfile, str) else dict(keyfile)
            return service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call,no-any-return]
                info, scopes=SCOPES)
        if key_path:
            return service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call,no-any-return]
                str(key_path), scopes=SCOPES)
    except (ValueError, OSError, TypeError):  # a malformed key: its text must not reach a message
        raise AccessDenied(f"Airflow connection {conn_id}: unusable service-account key") from None
    raise AccessDenied(f"Airflow connection {conn_id}: no keyfile_dict or key_path in extras")


def _extra(extras: dict[str, Any], name: str) -> Any:
    # The Google provider has stored extras both bare and with this prefix.
    return extras.get(name) or extras.get(f"extra__google_cloud_platform__{name}")
