"""Cloud Storage and BigQuery fixes (google-cloud clients from ``collectors.gcp.clients``).

IAM policies are written back on the object that was read (it carries the etag), and a
dataset is updated with the etag it was read with, so a change made between the read and the
write is refused by the service rather than overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.gcp.bigquery.datasets import access_entries
from cloudaudit.collectors.gcp.clients import CallOptions
from cloudaudit.collectors.gcp.failures import google_call
from cloudaudit.collectors.gcp.iam import iam_bindings
from cloudaudit.errors import CallFailed, CollectError
from cloudaudit.remediation.catalog import entry_is_public
from cloudaudit.remediation.fixers import Current
from cloudaudit.remediation.model import FixKind

if TYPE_CHECKING:
    from google.cloud import bigquery, storage


def gcs_bucket(resource: str) -> str:
    """>>> gcs_bucket("gs://th-exports")
    'th-exports'
    """
    if not resource.startswith("gs://") or "/" in resource[5:] or len(resource) <= 5:
        raise ValueError(f"not a Cloud Storage bucket resource: {resource!r}")
    return resource[5:]


def bq_path(resource: str) -> str:
    """>>> bq_path("bq://p.d.t")
    'p.d.t'
    """
    if not resource.startswith("bq://") or resource.count(".") not in (1, 2):
        raise ValueError(f"not a BigQuery dataset or table resource: {resource!r}")
    return resource[5:]


def _policy_bindings(after: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for binding in after["bindings"]:
        entry: dict[str, Any] = {"role": binding["role"], "members": set(binding["members"])}
        if binding.get("condition"):
            entry["condition"] = binding["condition"]
        out.append(entry)
    return out


class GcpFixer:
    """Reads and writes one project's buckets, datasets and tables."""

    def __init__(self, storage: storage.Client | None, bigquery: bigquery.Client | None, *,
                 storage_opts: CallOptions, bigquery_opts: CallOptions, reader: bool = False) -> None:
        self.storage = storage
        self.bigquery = bigquery
        self.storage_opts = storage_opts
        self.bigquery_opts = bigquery_opts
        self.reader = reader  # the scanner's credentials: only the reader role's permissions

    def _get_bucket(self, resource: str) -> Any:
        """The bucket's resource: buckets.get for the fixer (its role has storage.buckets.get), a
        prefix listing for the scanner (the reader role has storage.buckets.list, as the collector uses)."""
        name = gcs_bucket(resource)
        if not self.reader:
            with google_call("getBucket", resource):
                return self._storage().get_bucket(name, **self.storage_opts.kwargs())
        with google_call("listBuckets", resource):
            for bucket in self._storage().list_buckets(prefix=name, **self.storage_opts.kwargs()):
                if bucket.name == name:
                    return bucket
        raise CallFailed("listBuckets", "NotFound")

    def _storage(self) -> storage.Client:
        if self.storage is None:
            raise ValueError("no Cloud Storage client for this environment")
        return self.storage

    def _bigquery(self) -> bigquery.Client:
        if self.bigquery is None:
            raise ValueError("no BigQuery client for this environment")
        return self.bigquery

    def read(self, kind: FixKind, resource: str) -> Current:
        if kind is FixKind.GCS_PUBLIC_ACCESS_PREVENTION:
            bucket = self._get_bucket(resource)
            value = str(bucket.iam_configuration.public_access_prevention or "inherited")
            return Current({"publicAccessPrevention": value}, bucket)
        if kind is FixKind.GCS_PUBLIC_BINDINGS:
            bucket = self._storage().bucket(gcs_bucket(resource))
            with google_call("getIamPolicy", resource):
                policy = bucket.get_iam_policy(requested_policy_version=3, **self.storage_opts.kwargs())
            return Current({"bindings": iam_bindings(list(policy.bindings))}, (bucket, policy))
        if kind is FixKind.BQ_DATASET_PUBLIC_ACCESS:
            with google_call("getDataset", resource):
                dataset = self._bigquery().get_dataset(bq_path(resource), **self.bigquery_opts.kwargs())
            return Current({"access": access_entries(dataset.access_entries)}, dataset)
        if kind is FixKind.BQ_TABLE_PUBLIC_BINDINGS:
            path = bq_path(resource)
            with google_call("getIamPolicy", resource):
                policy = self._bigquery().get_iam_policy(path, **self.bigquery_opts.kwargs())
            return Current({"bindings": iam_bindings(list(policy.bindings))}, policy)
        raise ValueError(f"{kind} is not a Google Cloud fix")

    def notes(self, kind: FixKind, resource: str) -> tuple[str, ...]:
        """A bucket configured as a website (``website.mainPageSuffix``) loses it to either storage fix."""
        if kind not in (FixKind.GCS_PUBLIC_ACCESS_PREVENTION, FixKind.GCS_PUBLIC_BINDINGS):
            return ()
        try:
            bucket = self._get_bucket(resource)
        except (CollectError, ValueError):
            return ("whether the bucket serves a website could not be read",)
        website = bucket._properties.get("website") or {}
        if not (website.get("mainPageSuffix") or website.get("notFoundPage")):
            return ()
        return (f"THIS bucket is configured as a website ({resource}): anonymous visitors will get 403",)

    def write(self, kind: FixKind, resource: str, current: Current, after: dict[str, Any]) -> None:
        if kind is FixKind.GCS_PUBLIC_ACCESS_PREVENTION:
            bucket = current.handle
            bucket.iam_configuration.public_access_prevention = after["publicAccessPrevention"]
            with google_call("patchBucket", resource):  # only onto the version that was read
                bucket.patch(if_metageneration_match=bucket.metageneration, **self.storage_opts.kwargs())
        elif kind is FixKind.GCS_PUBLIC_BINDINGS:
            bucket, policy = current.handle
            policy.bindings = _policy_bindings(after)
            with google_call("setIamPolicy", resource):
                bucket.set_iam_policy(policy, **self.storage_opts.kwargs())
        elif kind is FixKind.BQ_DATASET_PUBLIC_ACCESS:
            dataset = current.handle
            dataset.access_entries = [e for e in dataset.access_entries
                                      if not entry_is_public(access_entries([e])[0])]
            with google_call("patchDataset", resource):
                self._bigquery().update_dataset(dataset, ["access_entries"], **self.bigquery_opts.kwargs())
        elif kind is FixKind.BQ_TABLE_PUBLIC_BINDINGS:
            policy = current.handle
            policy.bindings = _policy_bindings(after)
            with google_call("setIamPolicy", resource):
                self._bigquery().set_iam_policy(bq_path(resource), policy, **self.bigquery_opts.kwargs())
        else:
            raise ValueError(f"{kind} is not a Google Cloud fix")
