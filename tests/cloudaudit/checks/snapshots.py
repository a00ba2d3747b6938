"""Synthetic snapshots for check tests, in the shapes the collectors write (no cloud)."""

from __future__ import annotations

from typing import Any

from faker import Faker

from cloudaudit.config import CountryPolicy
from cloudaudit.model import (
    CoverageStatus,
    EnvironmentRef,
    FieldResult,
    PiiMatch,
    PiiType,
    Provider,
    Resource,
    SampleResult,
    Service,
    Snapshot,
)

fake = Faker()
Faker.seed(20261120)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
BPA_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
BPA_OFF = dict.fromkeys(BPA_ON, False)


def policy(country: str = "JP", allowed: tuple[str, ...] = ("ap-northeast-1", "asia-northeast1"),
           regulated: tuple[PiiType, ...] = tuple(PiiType)) -> CountryPolicy:
    return CountryPolicy(country=country, regulation="TEST", allowed_locations=allowed, regulated_pii=regulated,
                         severity={"aws_s3_pii_public": "critical"})


def acl(*public_groups: str, permission: str = "READ") -> dict[str, Any]:
    grants = [{"grantee_type": "CanonicalUser", "uri": None, "id": fake.sha256(), "permission": "FULL_CONTROL"}]
    grants += [{"grantee_type": "Group", "uri": uri, "id": None, "permission": permission} for uri in public_groups]
    return {"owner": fake.sha256(), "grants": grants}


def boto_acl(*public_groups: str) -> dict[str, Any]:
    """boto3's raw GetBucketAcl shape."""
    grants = [{"Grantee": {"Type": "CanonicalUser", "ID": fake.sha256()}, "Permission": "FULL_CONTROL"}]
    grants += [{"Grantee": {"Type": "Group", "URI": uri}, "Permission": "READ"} for uri in public_groups]
    return {"Owner": {"ID": fake.sha256()}, "Grants": grants}


def public_read_policy(bucket: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                                 "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def field(name: str, *types: PiiType, rows: int = 50) -> FieldResult:
    return FieldResult(field=name, rows_sampled=rows, non_empty=rows, pii=tuple(
        PiiMatch(pii_type=t, matches=rows - 2, masked_example="********" + fake.numerify("####")) for t in types))


def sample(resource: str, *fields: FieldResult, object_acl: dict[str, Any] | None = None,
           status: CoverageStatus = CoverageStatus.ASSESSED, reason: str = "",
           read_errors: dict[str, str] | None = None) -> SampleResult:
    config = {"acl": object_acl} if object_acl is not None else {}
    return SampleResult(resource=resource, status=status, reason=reason, format="csv",
                        rows_sampled=max((f.rows_sampled for f in fields), default=0),
                        config=config, read_errors=read_errors or {}, fields=fields)


def s3_bucket(name: str, *, location: str = "ap-northeast-1", samples: tuple[SampleResult, ...] = (),
              unreadable: dict[str, str] | None = None, status: CoverageStatus = CoverageStatus.ASSESSED,
              **config: Any) -> Resource:
    base: dict[str, Any] = {"location": location, "acl": acl(), "policy": None, "policy_status": None,
                            "public_access_block": BPA_ON, "ownership_controls": None,
                            "encryption": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}],
                            "website": False}
    base.update(config)
    for key in unreadable or {}:
        base.pop(key, None)
    return Resource(resource=f"s3://{name}", provider=Provider.AWS, service=Service.S3, kind="bucket",
                    location=location, status=status, config=base, read_errors=unreadable or {}, samples=samples)


def gcs_bucket(name: str, *, location: str = "asia-northeast1", members: tuple[str, ...] = (),
               pap: str = "enforced", samples: tuple[SampleResult, ...] = (),
               unreadable: dict[str, str] | None = None, role: str = "roles/storage.objectViewer") -> Resource:
    config: dict[str, Any] = {
        "location": location, "public_access_prevention": pap, "uniform_bucket_level_access": True,
        "iam_bindings": [{"role": role, "members": [f"user:{fake.email()}", *members]}],
    }
    for key in unreadable or {}:
        config.pop(key, None)
    return Resource(resource=f"gs://{name}", provider=Provider.GCP, service=Service.STORAGE, kind="bucket",
                    location=location, config=config, read_errors=unreadable or {}, samples=samples)


def bq_dataset(project: str, dataset: str, *, location: str = "asia-northeast1",
               public_entity: str | None = None, role: str = "READER") -> Resource:
    entries = [{"role": "OWNER", "entity_type": "userByEmail", "entity_id": fake.email()}]
    if public_entity:
        entries.append({"role": role, "entity_type": "specialGroup", "entity_id": public_entity})
    return Resource(resource=f"bq://{project}.{dataset}", provider=Provider.GCP, service=Service.BIGQUERY,
                    kind="dataset", location=location, config={"location": location, "access_entries": entries})


def bq_table(project: str, dataset: str, table: str, *, location: str = "asia-northeast1",
             columns: dict[str, tuple[PiiType, ...]] | None = None, tagged: tuple[str, ...] = (),
             members: tuple[str, ...] = (), unreadable: dict[str, str] | None = None,
             role: str = "roles/bigquery.dataViewer") -> Resource:
    columns = columns or {}
    uri = f"bq://{project}.{dataset}.{table}"
    schema = [{"name": name, "type": "STRING", "mode": "NULLABLE",
               "policy_tags": [f"projects/{project}/locations/{location}/taxonomies/1/policyTags/2"]
               if name in tagged else []} for name in sorted({*columns, *tagged})]
    config: dict[str, Any] = {"location": location, "schema": schema, "num_rows": 100,
                              "iam_bindings": [{"role": role, "members": list(members)}]}
    for key in unreadable or {}:
        config.pop(key, None)
    data = sample(uri, *(field(name, *types) for name, types in columns.items()))
    return Resource(resource=uri, provider=Provider.GCP, service=Service.BIGQUERY, kind="table",
                    location=location, config=config, read_errors=unreadable or {}, samples=(data,))


def snapshot(name: str, provider: Provider, *resources: Resource, country: str = "JP",
             account: dict[str, Any] | None = None, account_errors: dict[str, str] | None = None,
             status: CoverageStatus = CoverageStatus.ASSESSED, reason: str = "") -> Snapshot:
    env = EnvironmentRef(name=name, country=country, provider=provider,
                         account_id="111111111111" if provider is Provider.AWS else None,
                         project_id=name if provider is Provider.GCP else None)
    if account is None and provider is Provider.AWS:
        account = {"public_access_block": None}
    return Snapshot(environment=env, run_date="2026-11-20", captured_at="2026-11-20T02:00:00+00:00",
                    status=status, reason=reason, account=account or {}, account_read_errors=account_errors or {},
                    resources=resources)


def s3_row(**overrides: Any) -> Any:
    """A facts row of a clean, private, encrypted bucket, with ``overrides``."""
    import dataclasses

    from cloudaudit.checks.aws.s3.facts import bucket_facts

    snap = snapshot("jp-aws", Provider.AWS)
    return dataclasses.replace(bucket_facts(snap, s3_bucket("clean")), **overrides)
