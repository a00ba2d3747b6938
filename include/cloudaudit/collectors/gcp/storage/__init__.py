"""Cloud Storage: every bucket of the project, its access settings and bounded object samples."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from cloudaudit.collectors.gcp.clients import storage_call_options
from cloudaudit.collectors.gcp.failures import ServiceRead, is_denied, limit_gap, reason
from cloudaudit.collectors.gcp.storage.buckets import read_bucket
from cloudaudit.errors import AccessDenied, Unreachable

if TYPE_CHECKING:
    from google.cloud.storage import Client

    from cloudaudit.config import Environment, Limits

__all__ = ["collect_storage"]

log = logging.getLogger(__name__)


def collect_storage(client: Client, env: Environment, limits: Limits) -> ServiceRead:
    """One Resource per bucket (at most ``limits.max_resources``; a cut listing is a gap).

    Raises ``AccessDenied`` or ``Unreachable`` only when the bucket list itself cannot be
    read; every later failure is recorded on its bucket or sample.
    """
    opts = storage_call_options(limits)
    try:
        # One past the limit tells "exactly at the limit" from "cut at the limit".
        buckets = list(client.list_buckets(project=env.project_id, max_results=limits.max_resources + 1,
                                           **opts.kwargs()))
    except Exception as exc:
        error = AccessDenied if is_denied(exc) else Unreachable
        raise error(reason("listBuckets", exc)) from None
    gaps: dict[str, str] = {}
    if len(buckets) > limits.max_resources:
        log.warning("%s: bucket list stopped at the limit of %d", env.name, limits.max_resources)
        gaps["gcs_buckets"] = limit_gap("listBuckets", limits.max_resources)
        buckets = buckets[: limits.max_resources]
    with ThreadPoolExecutor(max_workers=limits.max_workers, thread_name_prefix="gcs") as pool:
        resources = list(pool.map(
            lambda b: read_bucket(client, b, country=env.country, limits=limits, opts=opts), buckets))
    log.info("%s: %d buckets read", env.name, len(resources))
    return ServiceRead(resources, gaps)
