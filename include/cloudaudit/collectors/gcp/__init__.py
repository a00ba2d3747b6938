"""GCP: Cloud Storage and BigQuery of one project, read side by side.

What comes back (``Resource.config`` keys; a key that could not be read is missing and named
in ``read_errors`` as ``"<call>: <status>"``, e.g. ``"getIamPolicy: Forbidden"``):

    gs://bucket            kind bucket   iam_bindings, public_access_prevention,
                                         uniform_bucket_level_access, location_type
      gs://bucket/object   a sample      config["acl"] when uniform access is off
    bq://project.dataset   kind dataset  access_entries [{"role", "entity_type", "entity_id"}]
    bq://project.d.table   kind table    table_type, num_rows, schema, iam_bindings;
                                         one sample whose resource is the table itself

A service that cannot be listed at all (API disabled, access denied, endpoint down) becomes
one NOT_ASSESSED Resource named after the environment (kind ``service``); when both fail,
the environment as a whole is unreadable and ``collect_gcp`` raises ``AccessDenied`` (both
refused) or ``Unreachable``. A listing cut at ``max_resources`` is named in
``Collected.account_read_errors`` (``gcs_buckets``, ``bq_datasets``, ``bq_tables``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from cloudaudit.collectors import Collected
from cloudaudit.collectors.gcp.failures import ServiceRead, google_errors, is_denied, status_text
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import AccessDenied, CollectError, Unreachable
from cloudaudit.model import CoverageStatus, Provider, Resource, Service

if TYPE_CHECKING:
    from cloudaudit.config import Environment, Limits
    from cloudaudit.incremental import CarryOver

__all__ = ["collect_gcp"]

log = logging.getLogger(__name__)

SERVICE_KIND = "service"  # the kind of the one Resource standing for a service that could not be read


@dataclass
class ServiceOutcome:
    service: Service
    resources: list[Resource] = field(default_factory=list)
    gaps: dict[str, str] = field(default_factory=dict)
    failure: str = ""  # "<call>: <status>" when the service could not be read at all
    denied: bool = False


def collect_gcp(env: Environment, limits: Limits, carry: CarryOver | None = None) -> Collected:
    """Read every bucket, dataset and table of ``env.project_id``, with bounded samples (unchanged
    objects and tables: detection results from ``carry``, see ``cloudaudit.incremental``)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gcp") as pool:
        futures = [pool.submit(run_service, Service.STORAGE, partial(_collect_storage, carry=carry), env, limits),
                   pool.submit(run_service, Service.BIGQUERY, partial(_collect_bigquery, carry=carry), env, limits)]
        outcomes = [f.result() for f in futures]
    failed = [o for o in outcomes if o.failure]
    if len(failed) == len(outcomes):
        message = "; ".join(f"{o.service.value}: {o.failure}" for o in failed)
        raise (AccessDenied if all(o.denied for o in failed) else Unreachable)(message)
    resources: list[Resource] = []
    gaps: dict[str, str] = {}
    for outcome in outcomes:
        gaps.update(outcome.gaps)
        if outcome.failure:
            log.warning("%s: %s not assessed: %s", env.name, outcome.service.value, outcome.failure)
            resources.append(Resource(resource=env.name, provider=Provider.GCP, service=outcome.service,
                                      kind=SERVICE_KIND, status=CoverageStatus.NOT_ASSESSED,
                                      reason=outcome.failure))
        resources.extend(outcome.resources)
    return Collected(resources=resources, account_read_errors=gaps)


def run_service(service: Service, collect: Callable[[Environment, Limits], ServiceRead],
                env: Environment, limits: Limits) -> ServiceOutcome:
    """One service's resources, or why it could not be read; never raises."""
    try:
        read = collect(env, limits)
        return ServiceOutcome(service, resources=read.resources, gaps=read.gaps)
    except CollectError as exc:  # our own messages carry identifiers and reasons only
        return ServiceOutcome(service, failure=str(exc), denied=isinstance(exc, AccessDenied))
    except google_errors() as exc:  # building a client: no credentials
        return ServiceOutcome(service, failure=f"client: {status_text(exc)}", denied=is_denied(exc))
    except Exception as exc:  # a bug: logged as one, and this service of the environment is not assessed
        return ServiceOutcome(service, failure=unexpected(log, "collecting", f"{env.name} {service.value}", exc))


def _collect_storage(env: Environment, limits: Limits, carry: CarryOver | None = None) -> ServiceRead:
    from cloudaudit.collectors.gcp.clients import storage_client
    from cloudaudit.collectors.gcp.storage import collect_storage

    return collect_storage(storage_client(env), env, limits, carry)


def _collect_bigquery(env: Environment, limits: Limits, carry: CarryOver | None = None) -> ServiceRead:
    from cloudaudit.collectors.gcp.bigquery import collect_bigquery
    from cloudaudit.collectors.gcp.clients import bigquery_client

    return collect_bigquery(bigquery_client(env), env, limits, carry)
