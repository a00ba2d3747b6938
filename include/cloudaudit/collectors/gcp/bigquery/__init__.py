"""BigQuery: every dataset of the project, its tables' schemas, IAM policies and row samples."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from cloudaudit.collectors.gcp.bigquery.datasets import read_dataset
from cloudaudit.collectors.gcp.bigquery.tables import read_table
from cloudaudit.collectors.gcp.clients import bigquery_call_options
from cloudaudit.collectors.gcp.failures import ServiceRead, google_call, limit_gap
from cloudaudit.errors import AccessDenied, CallFailed, Unreachable

if TYPE_CHECKING:
    from google.cloud.bigquery import Client

    from cloudaudit.config import Environment, Limits
    from cloudaudit.incremental import CarryOver

__all__ = ["collect_bigquery"]

log = logging.getLogger(__name__)


def collect_bigquery(client: Client, env: Environment, limits: Limits, carry: CarryOver | None = None) -> ServiceRead:
    """One Resource per dataset and per table (at most ``limits.max_resources`` in all), by id.

    Datasets or tables left out by that limit are named as a gap of the environment.

    Raises ``AccessDenied`` or ``Unreachable`` only when the dataset list itself cannot be
    read (API disabled, no permission, endpoint down); later failures stay on their resource.
    """
    opts = bigquery_call_options(limits)
    try:
        with google_call("listDatasets", env.name):
            # One past the limit tells "exactly at the limit" from "cut at the limit".
            listed = list(client.list_datasets(project=env.project_id, include_all=True,
                                               max_results=limits.max_resources + 1, **opts.kwargs()))
    except CallFailed as exc:
        raise (AccessDenied if exc.denied else Unreachable)(str(exc)) from None
    gaps: dict[str, str] = {}
    if len(listed) > limits.max_resources:
        gaps["bq_datasets"] = limit_gap("listDatasets", limits.max_resources)
        listed = listed[: limits.max_resources]
    with ThreadPoolExecutor(max_workers=limits.max_workers, thread_name_prefix="bq") as pool:
        datasets = list(pool.map(lambda d: read_dataset(client, d, limits=limits, opts=opts), listed))
        jobs = [(t, d.resource.location) for d in datasets for t in d.tables]
        room = max(0, limits.max_resources - len(datasets))
        if len(jobs) > room:
            log.warning("%s: tables over the limit of %d resources were not read", env.name, limits.max_resources)
            gaps["bq_tables"] = limit_gap("listTables", limits.max_resources)
        tables = list(pool.map(lambda job: read_table(
            client, job[0], location=job[1], country=env.country, limits=limits, opts=opts, carry=carry),
            jobs[:room]))
    resources = sorted([d.resource for d in datasets] + tables, key=lambda r: r.resource)
    log.info("%s: %d datasets, %d tables read", env.name, len(datasets), len(tables))
    return ServiceRead(resources, gaps)
