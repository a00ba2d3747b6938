"""S3: every bucket of an account (whatever its region), its configuration and bounded object samples.

``collect_s3(env, limits)`` raises ``AccessDenied`` or ``Unreachable`` only when the account as
a whole cannot be read (credentials, role, ``ListBuckets``); anything narrower is recorded on
the bucket or sample it concerns. Configuration keys and shapes: see ``buckets``.

Work runs on one thread pool of ``limits.max_workers``: first each bucket's configuration and
key listing, then every chosen object.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors import Collected
from cloudaudit.collectors.aws.calls import environment_call
from cloudaudit.collectors.aws.s3.buckets import (
    CONFIG_KEYS,
    acls_disabled,
    normalise_location,
    read_account_public_access_block,
    read_bucket_config,
    read_location,
)
from cloudaudit.collectors.aws.s3.objects import ListedObject, choose_candidates, list_objects
from cloudaudit.collectors.aws.s3.sample import sample_object
from cloudaudit.collectors.aws.session import AwsClients, connect, verify_account
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import AccessDenied, CallFailed
from cloudaudit.model import CoverageStatus, Provider, Resource, SampleResult, Service
from cloudaudit.resources import s3_uri

if TYPE_CHECKING:
    from cloudaudit.config import Environment, Limits
    from cloudaudit.incremental import CarryOver

__all__ = ["collect_s3"]

log = logging.getLogger(__name__)

LIST_BUCKETS_PAGE_SIZE = 1000  # the API maximum


@dataclass
class BucketSurvey:
    """What was learnt about one bucket before its objects are sampled."""

    name: str
    location: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    read_errors: dict[str, str] = field(default_factory=dict)
    listing_error: str = ""
    keys_listed: int = 0
    candidates: list[ListedObject] = field(default_factory=list)


def _bucket_page(s3: Any, **args: Any) -> dict[str, Any]:
    return environment_call("ListBuckets", partial(s3.list_buckets, **args))


def list_bucket_names(clients: AwsClients, max_buckets: int) -> list[tuple[str, str]]:
    """(name, region hint) of up to ``max_buckets`` buckets, paginated.

    Raises ``AccessDenied``/``Unreachable``: without the bucket list nothing can be assessed.
    """
    s3 = clients.s3()
    buckets: list[dict[str, Any]] = []
    token: str | None = None
    while len(buckets) < max_buckets:
        page_size = min(LIST_BUCKETS_PAGE_SIZE, max_buckets - len(buckets))
        page = _bucket_page(s3, MaxBuckets=page_size, **({"ContinuationToken": token} if token else {}))
        listed = page.get("Buckets") or []
        if not buckets and not page.get("ContinuationToken") and len(listed) >= page_size:
            # A full first page without a token: the store (moto, some S3-compatibles) cuts at
            # MaxBuckets instead of paginating. Ask for the whole list rather than miss buckets.
            listed = _bucket_page(s3).get("Buckets") or []
            token = "unpaginated" if len(listed) > max_buckets else None
            buckets = listed
            break
        buckets.extend(listed)
        token = page.get("ContinuationToken")
        if not token:
            break
    if token:
        log.warning("bucket list cut at max_resources=%d", max_buckets)
    return [(b["Name"], normalise_location(b["BucketRegion"]) if b.get("BucketRegion") else "")
            for b in buckets[:max_buckets]]


def survey_bucket(clients: AwsClients, name: str, region_hint: str, limits: Limits) -> BucketSurvey:
    """Location, configuration and sample candidates of one bucket; never raises for a cloud error."""
    survey = BucketSurvey(name=name)
    if region_hint:  # ListBuckets' BucketRegion (AWS sends it since 2024): GetBucketLocation would repeat it
        survey.location = survey.config["location"] = region_hint
    else:
        try:
            survey.location = read_location(clients, name)
            survey.config["location"] = survey.location
        except CallFailed as exc:
            survey.read_errors["location"] = str(exc)
    reader = read_bucket_config(clients, name, survey.location or None)
    survey.config.update(reader.config)
    survey.read_errors.update(reader.read_errors)
    try:
        listed = list_objects(clients.s3(survey.location or None), name, limits.max_keys_listed)
    except CallFailed as exc:
        survey.listing_error = str(exc)
        return survey
    survey.keys_listed = len(listed)
    survey.candidates = choose_candidates(listed, limits.max_objects_per_bucket)
    log.debug("surveyed %s: %d config keys, %d unreadable, %d keys listed, %d to sample", s3_uri(name),
              len(survey.config), len(survey.read_errors), survey.keys_listed, len(survey.candidates))
    return survey


def _survey_safely(clients: AwsClients, item: tuple[str, str], limits: Limits) -> BucketSurvey:
    """A bug or an unexpected response in one bucket becomes that bucket's coverage, not a crash."""
    name, region_hint = item
    try:
        return survey_bucket(clients, name, region_hint, limits)
    except Exception as exc:  # botocore's errors were mapped by aws_call: this is a bug
        return BucketSurvey(name=name, location=region_hint,
                            read_errors={"bucket": unexpected(log, "surveying", s3_uri(name), exc)})


def _sample_safely(s3: Any, bucket: str, obj: ListedObject, env: Environment, limits: Limits,
                   carry: CarryOver | None = None, *, acls_off: bool = False) -> SampleResult:
    try:
        return sample_object(s3, bucket, obj, country=env.country, limits=limits, carry=carry, acls_off=acls_off)
    except Exception as exc:  # as above: one object never ends the environment
        return SampleResult(resource=s3_uri(bucket, obj.key), status=CoverageStatus.NOT_ASSESSED,
                            reason=unexpected(log, "sampling", s3_uri(bucket, obj.key), exc), size=obj.size)


def bucket_status(survey: BucketSurvey, samples: list[SampleResult]) -> tuple[CoverageStatus, str]:
    """ASSESSED; PARTIAL when listing failed or no chosen object could be sampled; NOT_ASSESSED
    when no configuration at all could be read."""
    if not any(key in survey.config for key in CONFIG_KEYS):
        reasons = sorted(set(survey.read_errors.values())) or ["no response"]
        return CoverageStatus.NOT_ASSESSED, "configuration unreadable: " + "; ".join(reasons)
    if survey.listing_error:
        return CoverageStatus.PARTIAL, f"objects not listed: {survey.listing_error}"
    if samples and not any(s.status is CoverageStatus.ASSESSED for s in samples):
        first = samples[0].reason
        return CoverageStatus.PARTIAL, f"no object could be sampled ({len(samples)} tried; first: {first})"
    if not samples:
        return CoverageStatus.ASSESSED, "empty bucket" if survey.keys_listed == 0 else "no object holds data"
    return CoverageStatus.ASSESSED, ""


def to_resource(survey: BucketSurvey, samples: list[SampleResult]) -> Resource:
    status, reason = bucket_status(survey, samples)
    return Resource(resource=s3_uri(survey.name), provider=Provider.AWS, service=Service.S3, kind="bucket",
                    location=survey.location, status=status, reason=reason, config=survey.config,
                    read_errors=survey.read_errors, samples=tuple(samples))


def _sample_all(pool: ThreadPoolExecutor, clients: AwsClients, surveys: list[BucketSurvey], env: Environment,
                limits: Limits, carry: CarryOver | None = None) -> list[list[SampleResult]]:
    futures: list[list[Future[SampleResult]]] = []
    for survey in surveys:
        s3 = clients.s3(survey.location or None)
        off = acls_disabled(survey.config)
        futures.append([pool.submit(_sample_safely, s3, survey.name, obj, env, limits, carry, acls_off=off)
                        for obj in survey.candidates])
    return [[f.result() for f in bucket] for bucket in futures]


def collect_s3(env: Environment, limits: Limits, carry: CarryOver | None = None) -> Collected:
    """Every bucket of ``env``'s account with its configuration and sampled objects (unchanged
    objects' detection results taken from ``carry`` instead of read: ``cloudaudit.incremental``)."""
    if not env.account_id:  # the inventory requires it for aws; this keeps mypy and callers honest
        raise AccessDenied("Environment: no account_id")
    clients = connect(env, limits)
    verify_account(clients, env.account_id)
    names = list_bucket_names(clients, limits.max_resources)
    log.info("s3 %s: %d buckets", env.name, len(names))
    account = read_account_public_access_block(clients, env.account_id)
    with ThreadPoolExecutor(max_workers=limits.max_workers, thread_name_prefix="cloudaudit-s3") as pool:
        surveys = list(pool.map(lambda item: _survey_safely(clients, item, limits), names))
        samples = _sample_all(pool, clients, surveys, env, limits, carry)
    resources = [to_resource(s, found) for s, found in zip(surveys, samples, strict=True)]
    sampled = sum(r.objects_sampled for r in resources)
    log.info("s3 %s: %d buckets, %d objects sampled, %d not fully assessed", env.name, len(resources), sampled,
             sum(1 for r in resources if r.status is not CoverageStatus.ASSESSED))
    return Collected(resources=resources, account=account.config, account_read_errors=account.read_errors)
