"""Cloud Storage: every bucket of the project, its access settings and bounded object samples."""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from cloudaudit.collectors.gcp.clients import storage_call_options
from cloudaudit.collectors.gcp.failures import ServiceRead, google_call, limit_gap
from cloudaudit.collectors.gcp.storage.buckets import BucketRead, read_bucket, sample_safely
from cloudaudit.errors import AccessDenied, CallFailed, Unreachable

if TYPE_CHECKING:
    from google.cloud.storage import Client

    from cloudaudit.config import Environment, Limits
    from cloudaudit.incremental import CarryOver
    from cloudaudit.model import Resource, SampleResult

__all__ = ["collect_storage"]

log = logging.getLogger(__name__)


def collect_storage(client: Client, env: Environment, limits: Limits, carry: CarryOver | None = None) -> ServiceRead:
    """One Resource per bucket (at most ``limits.max_resources``; a cut listing is a gap).

    Raises ``AccessDenied`` or ``Unreachable`` only when the bucket list itself cannot be
    read; every later failure is recorded on its bucket or sample.
    """
    opts = storage_call_options(limits)
    try:
        with google_call("listBuckets", env.name):
            # One past the limit tells "exactly at the limit" from "cut at the limit".
            buckets = list(client.list_buckets(project=env.project_id, max_results=limits.max_resources + 1,
                                               **opts.kwargs()))
    except CallFailed as exc:
        raise (AccessDenied if exc.denied else Unreachable)(str(exc)) from None
    gaps: dict[str, str] = {}
    if len(buckets) > limits.max_resources:
        log.warning("%s: bucket list stopped at the limit of %d", env.name, limits.max_resources)
        gaps["gcs_buckets"] = limit_gap("listBuckets", limits.max_resources)
        buckets = buckets[: limits.max_resources]
    with ThreadPoolExecutor(max_workers=limits.max_workers, thread_name_prefix="gcs") as pool:
        reads = list(pool.map(lambda b: read_bucket(client, b, limits=limits, opts=opts), buckets))
        # Objects of every bucket share the pool: one bucket of large files does not serialise the rest.
        jobs = [(read, item) for read in reads for item in read.candidates]
        sampled = list(pool.map(lambda job: sample_safely(
            job[0], job[1], country=env.country, limits=limits, opts=opts, carry=carry), jobs))
    by_bucket: dict[int, list[SampleResult]] = defaultdict(list)
    for (owner, _), sample in zip(jobs, sampled, strict=True):
        by_bucket[id(owner)].append(sample)
    resources = [_with_samples(read, by_bucket[id(read)]) for read in reads]
    log.info("%s: %d buckets read, %d objects sampled", env.name, len(resources), len(sampled))
    return ServiceRead(resources, gaps)


def _with_samples(read: BucketRead, samples: list[SampleResult]) -> Resource:
    return read.resource.model_copy(update={"samples": (*read.resource.samples, *samples)})
