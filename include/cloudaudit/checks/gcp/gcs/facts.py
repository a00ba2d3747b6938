"""Cloud Storage configuration → flat facts rows: the only place that decides what is public.

A binding to allUsers or allAuthenticatedUsers is public unless public access prevention
is enforced on the bucket, which makes Cloud Storage refuse public access whatever the
policy says; the bucket check then passes and the detail names the neutralised binding.
A sampled object's own ACL (fine-grained access only: uniform access turns object ACLs off)
can make the object public, and so the bucket's data for PII_EXPOSURE.

``bucket_public`` is public as Cloud Storage defines it (the configuration check); ``public``
is "readable by the public" (PII_EXPOSURE): a public binding whose role reads or lists objects.
Only roles known to read nothing count as not reading (``roles/storage.objectCreator`` only
creates objects); any other role, custom ones included, counts as reading, conservatively.
Object ACL roles (READER, OWNER) all read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit.checks.common.rows import (
    Exposure,
    PiiFacts,
    any_true,
    config_value,
    location_of,
    pii_rows,
    sample_state,
    unreadable,
)
from cloudaudit.checks.gcp.iam import PUBLIC_MEMBERS, public_bindings
from cloudaudit.model import Resource, SampleResult, Service, Snapshot

# Predefined roles that grant no object read or listing.
NON_READING_ROLES = frozenset(("roles/storage.objectCreator",))


def binding_reads(binding: str) -> bool:
    """``"allUsers:roles/storage.objectCreator"`` → False; any other (or unknown) role → True."""
    return binding.split(":", 1)[-1] not in NON_READING_ROLES


@dataclass(frozen=True)
class GcsBucketFacts:
    """One Cloud Storage bucket (a null fact could not be read)."""

    fact_id: int
    environment: str
    resource: str
    location: str | None
    bucket_public: bool | None  # effective: after public access prevention
    public_bindings: str  # as written, e.g. "allUsers:roles/storage.objectViewer"
    neutralised_by: str
    pap_enforced: bool | None
    pap_setting: str
    uniform_access: bool | None
    public: bool | None  # readable by anyone through the bucket IAM (what PII_EXPOSURE uses)
    public_via: str
    public_without_read: str  # effective public bindings that read nothing
    sample_state: str | None
    objects_sampled: int
    unreadable: str


def bucket_facts(snapshot: Snapshot, bucket: Resource) -> GcsBucketFacts:
    pap_readable, pap = config_value(bucket, "public_access_prevention")
    pap_setting = str(pap or "unspecified").casefold() if pap_readable else ""
    pap_enforced = pap_setting == "enforced" if pap_readable else None
    iam_readable, bindings = config_value(bucket, "iam_bindings")
    written = public_bindings(bindings) if iam_readable else []
    public: bool | None
    neutralised = ""
    if iam_readable and not written:
        public = False
    elif pap_enforced:
        public, neutralised = False, "public access prevention enforced"
    elif not iam_readable or pap_enforced is None:
        public = None
    else:
        public = True
    reading = any(binding_reads(b) for b in written)
    readable = reading if public else (False if public is False else (None if reading or not written else False))
    without = [f"bucket IAM {b}" for b in written if public and not binding_reads(b)]
    uniform_readable, uniform = config_value(bucket, "uniform_bucket_level_access")
    return GcsBucketFacts(
        fact_id=0, environment=snapshot.environment.name, resource=bucket.resource, location=location_of(bucket),
        bucket_public=public, public_bindings=", ".join(written), neutralised_by=neutralised,
        pap_enforced=pap_enforced, pap_setting=pap_setting,
        uniform_access=bool(uniform) if uniform_readable else None,
        public=readable, public_via="bucket IAM" if readable else "", public_without_read="; ".join(without),
        sample_state=sample_state(bucket), objects_sampled=bucket.objects_sampled, unreadable=unreadable(bucket),
    )


def public_object_entities(acl: Any) -> list[str]:
    """``["allUsers:READER"]`` for object ACL entries (``[{"entity", "role"}]``) naming the public."""
    entries = acl if isinstance(acl, list) else []
    return sorted({f"{e.get('entity')}:{e.get('role', '?')}" for e in entries
                   if isinstance(e, Mapping) and str(e.get("entity")) in PUBLIC_MEMBERS})


def object_public(sample: SampleResult, bucket: GcsBucketFacts) -> bool | None:
    """Whether the object's own ACL lets anyone read it, as Cloud Storage enforces it."""
    if bucket.pap_enforced or bucket.uniform_access:
        return False  # prevention overrides ACLs; uniform access disables them
    if "acl" in sample.read_errors:
        return None
    if bucket.pap_enforced is None or bucket.uniform_access is None:
        return True if public_object_entities(sample.config.get("acl")) else None
    return bool(public_object_entities(sample.config.get("acl")))


def gcs_facts(snapshots: Iterable[Snapshot]) -> tuple[list[GcsBucketFacts], list[PiiFacts]]:
    """Buckets and PII rows of Cloud Storage."""
    buckets: list[GcsBucketFacts] = []
    pii: list[PiiFacts] = []
    for snapshot in snapshots:
        for resource in snapshot.resources:
            if resource.service is not Service.STORAGE or resource.kind != "bucket":
                continue
            bucket = bucket_facts(snapshot, resource)
            buckets.append(bucket)

            def exposure(sample: SampleResult, bucket: GcsBucketFacts = bucket) -> Exposure:
                obj = object_public(sample, bucket)
                via = [v for v in (bucket.public_via, "object ACL" if obj else "") if v]
                return Exposure(any_true(bucket.public, obj), ", ".join(via), bucket.public_without_read)

            pii.extend(pii_rows(snapshot.environment.name, resource.resource, bucket.location,
                                resource.samples, exposure))
    return buckets, pii
