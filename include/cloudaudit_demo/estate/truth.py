"""What a correct audit of a seeded estate must report: ``truth.json``, derived from the plan.

Exposure follows the SPEC (judged as the cloud enforces it): a public ACL that Block Public
Access ignores is not public, a policy limited to a source network is not public, a table in
a dataset shared with allUsers is publicly readable. Per sampled object or table,
``pii_types`` must be found and nothing outside ``planted_pii_types`` may be.
"""

from __future__ import annotations

import functools
from typing import Any

from cloudaudit.config import CountryPolicy, load_policy
from cloudaudit.model import CoverageStatus, PiiType
from cloudaudit.resources import bq_uri, gs_uri, s3_uri
from cloudaudit_demo.estate.plan import AwsAccountPlan, BqDataset, EstatePlan, GcpProjectPlan, S3Bucket

TRUTH_FORMAT = 1


@functools.lru_cache(maxsize=32)
def _policy(country: str) -> CountryPolicy:
    return load_policy(country)


def _sorted(values: Any) -> list[str]:
    return sorted(str(v) for v in values)


def _sample(resource: str, container: str, fmt: str, pii: Any, planted: Any, coverage: CoverageStatus,
            reason: str = "", fail: Any = ()) -> dict[str, Any]:
    return {"resource": resource, "container": container, "format": fmt, "pii_types": _sorted(pii),
            "planted_pii_types": _sorted(planted), "coverage": str(coverage), "reason": reason, "fail": _sorted(fail)}


def _s3_bucket(account: AwsAccountPlan, bucket: S3Bucket) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    env, policy = account.env, _policy(account.env.country)
    uri = s3_uri(bucket.name)
    bpa_on = bucket.block_public_access or account.block_public_access  # all four flags either way
    acl_public = bucket.public_acl and not bpa_on  # IgnorePublicAcls neutralises the grant
    policy_public = bucket.policy_public and not bpa_on  # RestrictPublicBuckets likewise
    fail: set[str] = set()
    if acl_public:
        fail.add("aws_s3_bucket_public_acl")
    if policy_public:
        fail.add("aws_s3_bucket_public_policy")
    if not bpa_on:
        fail.add("aws_s3_block_public_access_off")
    if not bucket.encrypted:
        fail.add("aws_s3_default_encryption_off")
    samples: list[dict[str, Any]] = []
    pii: set[PiiType] = set()
    for obj in bucket.objects:
        object_public = obj.public_acl and not bpa_on
        obj_fail = {"aws_s3_object_public_acl"} if object_public else set()
        samples.append(_sample(s3_uri(bucket.name, obj.key), uri, obj.format, obj.pii_types, obj.planted_types,
                               obj.coverage, obj.reason, obj_fail))
        pii |= obj.pii_types
        if obj.pii_types and (acl_public or policy_public or object_public):
            fail.add("aws_s3_pii_public")
    if pii and not policy.allows(bucket.region):
        fail.add("aws_s3_pii_residency")
    resource = {
        "resource": uri, "environment": env.name, "country": env.country, "provider": "aws", "service": "s3",
        "kind": "bucket", "location": bucket.region, "public": acl_public or policy_public,
        "fail": _sorted(fail), "pii_types": _sorted(pii), "coverage": str(CoverageStatus.ASSESSED), "note": bucket.note,
    }
    return resource, samples


def _gcp(project: GcpProjectPlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    env, policy = project.env, _policy(project.env.country)
    resources: list[dict[str, Any]] = []
    samples: list[dict[str, Any]] = []
    for bucket in project.buckets:
        uri = gs_uri(bucket.name)
        public = bucket.public_member is not None
        fail: set[str] = set()
        if public:
            fail.add("gcp_gcs_bucket_public")
        if bucket.public_access_prevention != "enforced":
            fail.add("gcp_gcs_public_access_prevention_off")
        pii: set[PiiType] = set()
        for obj in bucket.objects:
            samples.append(_sample(gs_uri(bucket.name, obj.key), uri, obj.format, obj.pii_types, obj.planted_types,
                                   obj.coverage, obj.reason))
            pii |= obj.pii_types
        if pii and public:
            fail.add("gcp_gcs_pii_public")
        if pii and not policy.allows(bucket.location):
            fail.add("gcp_gcs_pii_residency")
        resources.append({
            "resource": uri, "environment": env.name, "country": env.country, "provider": "gcp", "service": "gcs",
            "kind": "bucket", "location": bucket.location, "public": public, "fail": _sorted(fail),
            "pii_types": _sorted(pii), "coverage": str(CoverageStatus.ASSESSED), "note": bucket.note,
        })
    for dataset in project.datasets:
        resources.extend(_bq_dataset(project, dataset, policy, samples))
    return resources, samples


def _bq_dataset(project: GcpProjectPlan, dataset: BqDataset, policy: CountryPolicy,
                samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    env = project.env
    dataset_public = dataset.public_member is not None
    common = {"environment": env.name, "country": env.country, "provider": "gcp", "service": "bq",
              "location": dataset.location, "coverage": str(CoverageStatus.ASSESSED)}
    out = [{"resource": bq_uri(env.project_id, dataset.dataset_id), "kind": "dataset", "public": dataset_public,
            "fail": ["gcp_bq_dataset_public"] if dataset_public else [], "pii_types": [], "note": dataset.note, **common}]
    for table in dataset.tables:
        uri = bq_uri(env.project_id, dataset.dataset_id, table.table_id)
        public = dataset_public or table.public_member is not None
        pii = set(table.pii_columns.values())
        fail: set[str] = set()
        if table.public_member is not None:
            fail.add("gcp_bq_table_public")
        if table.untagged_pii_columns:
            fail.add("gcp_bq_pii_column_untagged")
        if pii and public:
            fail.add("gcp_bq_pii_public")
        if pii and not policy.allows(dataset.location):
            fail.add("gcp_bq_pii_residency")
        out.append({"resource": uri, "kind": "table", "public": public, "fail": _sorted(fail), "pii_types": _sorted(pii),
                    "pii_columns": {k: str(v) for k, v in sorted(table.pii_columns.items())},
                    "untagged_pii_columns": sorted(table.untagged_pii_columns), "note": table.note, **common})
        samples.append(_sample(uri, uri, "bigquery", pii, pii, CoverageStatus.ASSESSED))
    return out


def build_truth(plan: EstatePlan) -> dict[str, Any]:
    """The expected outcome of auditing ``plan``'s estate; JSON-ready and free of PII values."""
    environments: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    samples: list[dict[str, Any]] = []
    for account in plan.aws:
        environments.append({"name": account.env.name, "country": account.env.country, "provider": "aws",
                             "coverage": str(CoverageStatus.ASSESSED), "fail": [],
                             "account_block_public_access": account.block_public_access})
        for bucket in account.buckets:
            resource, bucket_samples = _s3_bucket(account, bucket)
            resources.append(resource)
            samples.extend(bucket_samples)
    for project in plan.gcp:
        environments.append({"name": project.env.name, "country": project.env.country, "provider": "gcp",
                             "coverage": str(CoverageStatus.ASSESSED), "fail": []})
        gcp_resources, gcp_samples = _gcp(project)
        resources.extend(gcp_resources)
        samples.extend(gcp_samples)
    for env in plan.unreachable:
        environments.append({"name": env.name, "country": env.country, "provider": "aws",
                             "coverage": str(CoverageStatus.NOT_ASSESSED), "fail": ["coverage_not_assessed"],
                             "reason": "endpoint unreachable (closed loopback port)"})
    countries = sorted({e["country"] for e in environments})
    return {"format": TRUTH_FORMAT, "seed": plan.seed, "countries": countries, "environments": environments,
            "resources": resources, "samples": samples}


def planted_json(plan: EstatePlan) -> dict[str, Any]:
    """Every planted PII value by type, and the decoys (for leak tests only; never log these)."""
    values = sorted({v for vs in plan.planted.values() for v in vs})
    return {"seed": plan.seed, "by_type": {k: list(v) for k, v in plan.planted.items()}, "values": values,
            "decoys": list(plan.decoys)}
