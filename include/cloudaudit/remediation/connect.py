"""Which credentials read and write: the scanner's to propose, the fixer's own to apply.

The fixer of an environment uses ``remediation_role_arn`` / ``remediation_profile`` (AWS) or the
Airflow connection ``remediation_conn_id`` (an AWS connection's keys, or a Google service
account), never the scanner's ``role_arn`` / ``profile`` / ``airflow_conn_id``. With an emulator
endpoint, Google clients are anonymous whatever is named (as for the collectors).
"""

from __future__ import annotations

import contextlib
from typing import Any

from cloudaudit.config import Environment, Limits
from cloudaudit.errors import AccessDenied, CollectError, ConfigError
from cloudaudit.remediation.fixers import Fixer


def has_fixer_credentials(env: Environment) -> bool:
    return bool(env.remediation_role_arn or env.remediation_profile or env.remediation_conn_id)


def fixer_environment(env: Environment) -> Environment:
    """``env`` with the fixer's credentials in place of the scanner's (the collectors' client code is reused).

    Raises ConfigError naming the field when there are none.
    """
    if not has_fixer_credentials(env):
        raise ConfigError(f"environment {env.name}: remediation: allowed needs remediation_role_arn, "
                          "remediation_profile or remediation_conn_id (the fixer's own credentials)")
    return env.model_copy(update={"role_arn": env.remediation_role_arn, "profile": env.remediation_profile,
                                  "airflow_conn_id": env.remediation_conn_id})


def _aws_connection_keys(conn_id: str) -> tuple[tuple[str, str, str | None], str | None]:
    """(keys, role ARN) of an Airflow AWS connection; the secret never reaches a message."""
    from airflow.sdk import BaseHook

    try:
        connection = BaseHook.get_connection(conn_id)
    except Exception:  # Airflow raises its own NotFound types, by version
        raise AccessDenied(f"Airflow connection {conn_id}: not found") from None
    extras = connection.extra_dejson
    if not connection.login or not connection.password:
        raise AccessDenied(f"Airflow connection {conn_id}: no access key in login/password")
    token = extras.get("aws_session_token")
    return (str(connection.login), str(connection.password), str(token) if token else None), extras.get("role_arn")


def open_fixer(env: Environment, limits: Limits, *, as_fixer: bool) -> Fixer:
    """A Fixer for ``env``: with the fixer's credentials (``as_fixer``) or the scanner's (read only use)."""
    target = fixer_environment(env) if as_fixer else env
    if env.provider == "aws":
        from cloudaudit.collectors.aws.session import connect
        from cloudaudit.remediation.fixers.aws import AwsFixer

        if as_fixer and env.remediation_conn_id and not (env.remediation_role_arn or env.remediation_profile):
            keys, role = _aws_connection_keys(env.remediation_conn_id)
            target = target.model_copy(update={"role_arn": role, "airflow_conn_id": None})
            return AwsFixer(connect(target, limits, keys=keys))
        return AwsFixer(connect(target, limits))
    from cloudaudit.collectors.gcp.clients import (
        bigquery_call_options,
        bigquery_client,
        storage_call_options,
        storage_client,
    )
    from cloudaudit.remediation.fixers.gcp import GcpFixer

    storage: Any = None
    bigquery: Any = None
    with contextlib.suppress(CollectError):  # e.g. an emulated project with one service only
        storage = storage_client(target)
    with contextlib.suppress(CollectError):
        bigquery = bigquery_client(target)
    return GcpFixer(storage, bigquery, storage_opts=storage_call_options(limits),
                    bigquery_opts=bigquery_call_options(limits), reader=not as_fixer)
