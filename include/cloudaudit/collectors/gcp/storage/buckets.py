"""One bucket → one Resource: its configuration, IAM policy and object samples.

``config`` keys (model.py conventions: a key that could not be read is missing and named in
``read_errors``):

- ``iam_bindings``: ``[{"role", "members": [...]}]`` (plus ``"condition"`` when conditional)
- ``public_access_prevention``: ``enforced`` | ``inherited`` | ``unspecified``
- ``uniform_bucket_level_access``: bool
- ``location_type``: ``multi-region`` | ``dual-region`` | ``region`` ("" when not reported)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.gcp.failures import Reads, google_call
from cloudaudit.collectors.gcp.iam import iam_bindings
from cloudaudit.collectors.gcp.storage.candidates import Listed, choose_candidates
from cloudaudit.collectors.gcp.storage.objects import sample_object
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import CallFailed
from cloudaudit.model import CoverageStatus, Provider, Resource, SampleResult, Service
from cloudaudit.resources import gs_uri

if TYPE_CHECKING:
    from google.cloud.storage import Bucket, Client

    from cloudaudit.collectors.gcp.clients import CallOptions
    from cloudaudit.config import Limits
    from cloudaudit.incremental import CarryOver

log = logging.getLogger(__name__)

_LIST_PAGE_SIZE = 1000
# Enough to choose, and generation/updated to tell an unchanged object (cloudaudit.incremental).
_LIST_FIELDS = "items(name,size,contentType,generation,updated),nextPageToken"


def bucket_settings(properties: dict[str, Any]) -> dict[str, Any]:
    """Access settings from a bucket's API resource (``Bucket._properties``), normalised.

    >>> bucket_settings({"iamConfiguration": {"publicAccessPrevention": "ENFORCED",
    ...     "uniformBucketLevelAccess": {"enabled": True}}, "locationType": "region"})
    {'public_access_prevention': 'enforced', 'uniform_bucket_level_access': True, 'location_type': 'region'}
    >>> bucket_settings({})["public_access_prevention"]
    'unspecified'
    """
    iam = properties.get("iamConfiguration") or {}
    ubla = iam.get("uniformBucketLevelAccess") or iam.get("bucketPolicyOnly") or {}
    return {
        "public_access_prevention": str(iam.get("publicAccessPrevention") or "unspecified").lower(),
        "uniform_bucket_level_access": bool(ubla.get("enabled", False)),
        "location_type": str(properties.get("locationType") or "").lower(),
    }


@dataclass(frozen=True)
class BucketRead:
    """A bucket's configuration, read, and the objects chosen to sample next.

    Sampling is a second step so that one thread pool reads objects across all buckets.
    """

    resource: Resource
    bucket: Bucket | None = None
    candidates: tuple[Listed, ...] = ()

    @property
    def read_acl(self) -> bool:
        """Fine-grained access: an object's own ACL can make it public, so it is read too."""
        return self.resource.config.get("uniform_bucket_level_access") is False


def read_bucket(client: Client, bucket: Bucket, *, limits: Limits, opts: CallOptions) -> BucketRead:
    """Configuration of one bucket and the objects to sample; never raises."""
    resource = gs_uri(bucket.name)
    try:
        return _read_bucket(client, bucket, limits=limits, opts=opts)
    except Exception as exc:  # Google's failures were mapped where they were raised: this is a bug
        return BucketRead(Resource(resource=resource, provider=Provider.GCP, service=Service.STORAGE,
                                   kind="bucket", status=CoverageStatus.NOT_ASSESSED,
                                   reason=unexpected(log, "reading", resource, exc)))


def _read_bucket(client: Client, bucket: Bucket, *, limits: Limits, opts: CallOptions) -> BucketRead:
    resource = gs_uri(bucket.name)
    reads = Reads(resource)
    config = bucket_settings(bucket._properties)
    policy = reads.read("iam_bindings", "getIamPolicy",
                        lambda: bucket.get_iam_policy(requested_policy_version=3, **opts.kwargs()))
    if policy is not None:
        config["iam_bindings"] = iam_bindings(list(policy.bindings))
    unlisted: tuple[SampleResult, ...] = ()
    candidates: tuple[Listed, ...] = ()
    try:
        listed = list_objects(client, bucket, limits=limits, opts=opts)
        candidates = tuple(choose_candidates(listed, limits.max_objects_per_bucket))
    except CallFailed as exc:
        # The bucket itself stands for the sample that could not be taken.
        unlisted = (SampleResult(resource=resource, status=CoverageStatus.NOT_ASSESSED, reason=str(exc)),)
    status = CoverageStatus.PARTIAL if reads.errors else CoverageStatus.ASSESSED
    return BucketRead(Resource(resource=resource, provider=Provider.GCP, service=Service.STORAGE, kind="bucket",
                               location=str(bucket.location or "").lower(), status=status,
                               reason="; ".join(reads.errors.values()), config=config,
                               read_errors=reads.errors, samples=unlisted), bucket, candidates)


def sample_safely(read: BucketRead, item: Listed, *, country: str, limits: Limits,
                  opts: CallOptions, carry: CarryOver | None = None) -> SampleResult:
    """``sample_object``, with any unforeseen failure recorded on the object; never raises."""
    assert read.bucket is not None  # only buckets that were read have candidates
    try:
        return sample_object(read.bucket, item, country=country, limits=limits, opts=opts, read_acl=read.read_acl,
                             carry=carry)
    except Exception as exc:  # as above: one object never ends the environment
        resource = gs_uri(read.bucket.name, item.name)
        return SampleResult(resource=resource, size=item.size, status=CoverageStatus.NOT_ASSESSED,
                            reason=unexpected(log, "sampling", resource, exc))


def list_objects(client: Client, bucket: Bucket, *, limits: Limits, opts: CallOptions) -> list[Listed]:
    """At most ``limits.max_keys_listed`` objects' names, sizes and content types.

    Raises ``CallFailed`` (``listObjects: <status>``) when the listing fails or cannot be parsed.
    """
    with google_call("listObjects", gs_uri(bucket.name)):  # pages are fetched and parsed as they are walked
        blobs = client.list_blobs(bucket, max_results=limits.max_keys_listed,
                                  page_size=min(_LIST_PAGE_SIZE, limits.max_keys_listed),
                                  fields=_LIST_FIELDS, **opts.kwargs())
        return [Listed(name=b.name, size=int(b.size or 0), content_type=b.content_type,
                       generation=str(b.generation or ""), updated=b.updated.isoformat() if b.updated else "")
                for b in blobs]
