"""End to end through Great Expectations: synthetic snapshots → findings, inventory, coverage.

One module-scoped validation (GX takes seconds to import) over an estate with every
exposure the checks know, each next to a lookalike that must pass.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from cloudaudit.checks.validate import Validation, validate_country
from cloudaudit.model import CoverageStatus, PiiType, Provider, Snapshot, Status

from .snapshots import (
    ALL_USERS,
    BPA_OFF,
    BPA_ON,
    acl,
    bq_dataset,
    bq_table,
    field,
    gcs_bucket,
    policy,
    public_read_policy,
    s3_bucket,
    sample,
    snapshot,
)

# Everything regulated except IP addresses, to show unregulated PII raises no PII finding.
POLICY = policy(regulated=tuple(t for t in PiiType if t is not PiiType.IP_ADDRESS))
NID = field("my_number", PiiType.NATIONAL_ID)


def estate() -> list[Snapshot]:
    aws = snapshot(
        "jp-aws", Provider.AWS,
        s3_bucket("jp-open-acl", acl=acl(ALL_USERS), public_access_block=None, location="us-east-1",
                  samples=(sample("s3://jp-open-acl/customers.csv", NID, object_acl=acl()),)),
        s3_bucket("jp-neutralised", acl=acl(ALL_USERS), public_access_block=BPA_ON,
                  samples=(sample("s3://jp-neutralised/c.csv", NID, object_acl=acl(ALL_USERS)),)),
        s3_bucket("jp-ip-policy", public_access_block=None,
                  policy=public_read_policy("jp-ip-policy", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
        s3_bucket("jp-public-policy", public_access_block=None, policy=public_read_policy("jp-public-policy")),
        s3_bucket("jp-object-public", public_access_block=BPA_OFF,
                  samples=(sample("s3://jp-object-public/a.csv", field("plate", PiiType.VEHICLE_REGISTRATION),
                                  object_acl=acl(ALL_USERS)),
                           sample("s3://jp-object-public/b.csv", NID, object_acl=acl()))),
        s3_bucket("jp-unreadable", public_access_block=None, unreadable={"acl": "GetBucketAcl: AccessDenied"}),
        s3_bucket("jp-noenc", encryption=None),
        s3_bucket("jp-skipped", samples=(sample("s3://jp-skipped/x.bin", status=CoverageStatus.PARTIAL,
                                                reason="unsupported format"),)),
        s3_bucket("jp-ip-only", acl=acl(ALL_USERS), public_access_block=None,
                  samples=(sample("s3://jp-ip-only/log.txt", field("(text)", PiiType.IP_ADDRESS), object_acl=acl()),)),
        s3_bucket("jp-denied-object", public_access_block=None, samples=(
            sample("s3://jp-denied-object/a.csv", NID, object_acl=acl()),
            sample("s3://jp-denied-object/b.csv", status=CoverageStatus.NOT_ASSESSED, reason="GetObject: AccessDenied",
                   read_errors={"acl": "GetObjectAcl: AccessDenied"}))),
        account={"public_access_block": None},
    )
    aws_account_bpa = snapshot(
        "jp-aws-locked", Provider.AWS,
        s3_bucket("jp-locked", acl=acl(ALL_USERS), policy=public_read_policy("jp-locked"), public_access_block=None,
                  samples=(sample("s3://jp-locked/c.csv", NID, object_acl=acl(ALL_USERS)),)),
        account={"public_access_block": BPA_ON},
    )
    gcp = snapshot(
        "jp-gcp", Provider.GCP,
        gcs_bucket("jp-media", members=("allUsers",), pap="inherited",
                   samples=(sample("gs://jp-media/export.json", field("customer.contacts[].phone",
                                                                      PiiType.PHONE_NUMBER)),)),
        gcs_bucket("jp-media-prevented", members=("allUsers",), pap="enforced"),
        bq_dataset("jp-gcp", "crm", public_entity="allAuthenticatedUsers"),
        bq_table("jp-gcp", "crm", "customers", columns={"name": (PiiType.PERSON_NAME,), "email": (PiiType.EMAIL_ADDRESS,)},
                 tagged=("email",)),
        bq_dataset("jp-gcp", "us_copy", location="us"),
        bq_table("jp-gcp", "us_copy", "customers", location="us", columns={"vin": (PiiType.VIN,)}, tagged=("vin",)),
    )
    down = snapshot("jp-down", Provider.GCP, status=CoverageStatus.NOT_ASSESSED, reason="Unreachable: ConnectTimeout")
    other_country = snapshot("th-aws", Provider.AWS, s3_bucket("th-open", acl=acl(ALL_USERS), public_access_block=None),
                             country="TH")
    return [aws, aws_account_bpa, gcp, down, other_country]


ESTATE = estate()  # built once: Faker makes each build's masked examples different


@pytest.fixture(scope="module")
def validation() -> Validation:
    return validate_country("JP", POLICY, ESTATE)


def by_key(validation: Validation) -> dict[tuple[str, str], object]:
    return {(f.check_id, f.resource): f for f in validation.findings}


EXPECTED = [
    ("aws_s3_bucket_public_acl", "s3://jp-open-acl", Status.FAIL, "grants AllUsers:READ"),
    ("aws_s3_block_public_access_off", "s3://jp-open-acl", Status.FAIL, "off at bucket and account level"),
    ("aws_s3_pii_public", "s3://jp-open-acl", Status.FAIL, "readable by anyone (bucket ACL) and holds NATIONAL_ID"),
    ("aws_s3_pii_residency", "s3://jp-open-acl", Status.FAIL, "in us-east-1, outside the allowed locations"),
    ("aws_s3_bucket_public_acl", "s3://jp-neutralised", Status.PASS, "neutralised by IgnorePublicAcls (bucket)"),
    ("aws_s3_object_public_acl", "s3://jp-neutralised/c.csv", Status.PASS, "neutralised by IgnorePublicAcls"),
    ("aws_s3_pii_public", "s3://jp-neutralised", Status.PASS, "not publicly readable"),
    ("aws_s3_pii_residency", "s3://jp-neutralised", Status.PASS, "an allowed location"),
    ("aws_s3_bucket_public_policy", "s3://jp-ip-policy", Status.PASS, "limited by aws:SourceIp"),
    ("aws_s3_bucket_public_policy", "s3://jp-public-policy", Status.FAIL, "statement PublicRead (s3:GetObject)"),
    ("aws_s3_object_public_acl", "s3://jp-object-public/a.csv", Status.FAIL, "grants AllUsers:READ"),
    ("aws_s3_object_public_acl", "s3://jp-object-public/b.csv", Status.PASS, "grants no public group"),
    ("aws_s3_pii_public", "s3://jp-object-public", Status.FAIL, "(object ACL) and holds VEHICLE_REGISTRATION: a.csv"),
    ("aws_s3_bucket_public_acl", "s3://jp-unreadable", Status.NOT_ASSESSED, "GetBucketAcl: AccessDenied"),
    ("aws_s3_default_encryption_off", "s3://jp-noenc", Status.FAIL, "no default encryption"),
    ("aws_s3_default_encryption_off", "s3://jp-open-acl", Status.PASS, "AES256"),
    ("aws_s3_pii_public", "s3://jp-skipped", Status.NOT_ASSESSED, "could not be sampled"),
    ("aws_s3_pii_public", "s3://jp-noenc", Status.PASS, "holds no data to sample"),
    ("aws_s3_pii_public", "s3://jp-ip-only", Status.PASS, "No regulated PII found"),
    ("aws_s3_bucket_public_acl", "s3://jp-ip-only", Status.FAIL, "AllUsers:READ"),
    ("aws_s3_object_public_acl", "s3://jp-denied-object/b.csv", Status.NOT_ASSESSED, "GetObjectAcl: AccessDenied"),
    ("aws_s3_pii_public", "s3://jp-denied-object", Status.PASS, "not publicly readable"),
    ("aws_s3_bucket_public_acl", "s3://jp-locked", Status.PASS, "neutralised by IgnorePublicAcls (account)"),
    ("aws_s3_bucket_public_policy", "s3://jp-locked", Status.PASS, "neutralised by RestrictPublicBuckets (account)"),
    ("aws_s3_block_public_access_off", "s3://jp-locked", Status.PASS, "fully on"),
    ("aws_s3_pii_public", "s3://jp-locked", Status.PASS, "not publicly readable"),
    ("gcp_gcs_bucket_public", "gs://jp-media", Status.FAIL, "binds allUsers:roles/storage.objectViewer"),
    ("gcp_gcs_public_access_prevention_off", "gs://jp-media", Status.FAIL, "inherited, not enforced"),
    ("gcp_gcs_pii_public", "gs://jp-media", Status.FAIL, "export.json [customer.contacts[].phone]"),
    ("gcp_gcs_pii_residency", "gs://jp-media", Status.PASS, "asia-northeast1, an allowed location"),
    ("gcp_gcs_bucket_public", "gs://jp-media-prevented", Status.PASS, "neutralised by public access prevention"),
    ("gcp_bq_dataset_public", "bq://jp-gcp.crm", Status.FAIL, "allAuthenticatedUsers"),
    ("gcp_bq_table_public", "bq://jp-gcp.crm.customers", Status.PASS, "binds no public member"),
    ("gcp_bq_pii_public", "bq://jp-gcp.crm.customers", Status.FAIL, "(dataset access)"),
    ("gcp_bq_pii_column_untagged", "bq://jp-gcp.crm.customers", Status.FAIL, "policy tag: name (PERSON_NAME)"),
    ("gcp_bq_pii_column_untagged", "bq://jp-gcp.us_copy.customers", Status.PASS, "has a policy tag"),
    ("gcp_bq_pii_residency", "bq://jp-gcp.us_copy.customers", Status.FAIL, "VIN of JP residents in us, outside"),
    ("gcp_bq_dataset_public", "bq://jp-gcp.us_copy", Status.PASS, "no public member"),
    ("coverage_not_assessed", "jp-down", Status.NOT_ASSESSED, "Unreachable: ConnectTimeout"),
    ("coverage_not_assessed", "s3://jp-unreadable", Status.NOT_ASSESSED, "GetBucketAcl: AccessDenied"),
    ("coverage_not_assessed", "s3://jp-denied-object/b.csv", Status.NOT_ASSESSED, "GetObject: AccessDenied"),
]


@pytest.mark.parametrize(("check_id", "resource", "status", "detail"), EXPECTED,
                         ids=[f"{c}:{r}" for c, r, _, _ in EXPECTED])
def test_finding(validation: Validation, check_id: str, resource: str, status: Status, detail: str) -> None:
    found = by_key(validation)[(check_id, resource)]
    assert (found.status, found.check_id) == (status, check_id)  # type: ignore[attr-defined]
    assert detail in found.detail  # type: ignore[attr-defined]


def test_one_finding_per_check_and_resource_and_nothing_from_other_countries(validation: Validation) -> None:
    keys = Counter((f.environment, f.check_id, f.resource) for f in validation.findings)
    assert max(keys.values()) == 1
    assert {f.country for f in validation.findings} == {"JP"}
    assert not [f for f in validation.findings if "th-" in f.resource or f.environment == "th-aws"]


def test_skipped_objects_without_an_acl_entry_get_no_object_finding(validation: Validation) -> None:
    assert not [f for f in validation.findings if f.resource == "s3://jp-skipped/x.bin"]


def test_finding_columns(validation: Validation) -> None:
    pii = by_key(validation)[("aws_s3_pii_public", "s3://jp-open-acl")]
    assert pii.severity.value == "critical" and pii.pii_types == (PiiType.NATIONAL_ID,)  # type: ignore[attr-defined]
    assert (pii.evidence, pii.location, pii.service, pii.provider) == (  # type: ignore[attr-defined]
        "pii/jp-aws.json", "us-east-1", "s3", "aws")
    config = by_key(validation)[("aws_s3_bucket_public_acl", "s3://jp-open-acl")]
    assert (config.evidence, config.pii_types) == ("snapshots/jp-aws.json", ())  # type: ignore[attr-defined]
    assert "CLI: aws s3api" in config.remediation  # type: ignore[attr-defined]
    statuses = [f.status for f in validation.findings]
    assert statuses == sorted(statuses, key=[Status.FAIL, Status.NOT_ASSESSED, Status.PASS].index)


def test_coverage(validation: Validation) -> None:
    rows = {(r.environment, r.resource): r for r in validation.coverage}
    assert rows[("jp-down", "jp-down")].status is CoverageStatus.NOT_ASSESSED
    assert rows[("jp-aws", "s3://jp-unreadable")].status is CoverageStatus.NOT_ASSESSED
    skipped = rows[("jp-aws", "s3://jp-skipped")]
    assert (skipped.status, skipped.reason) == (CoverageStatus.PARTIAL, "1 of 1 samples skipped: unsupported format (1)")
    assert rows[("jp-aws", "s3://jp-denied-object")].status is CoverageStatus.PARTIAL
    assert rows[("jp-aws", "s3://jp-denied-object/b.csv")].status is CoverageStatus.NOT_ASSESSED
    table = rows[("jp-gcp", "bq://jp-gcp.crm.customers")]
    assert (table.status, table.objects_sampled, table.rows_sampled) == (CoverageStatus.ASSESSED, 1, 50)
    not_assessed = {r.resource for r in validation.coverage if r.status is CoverageStatus.NOT_ASSESSED}
    coverage_findings = {f.resource for f in validation.findings if f.check_id == "coverage_not_assessed"}
    assert not_assessed == coverage_findings


def test_pii_inventory(validation: Validation) -> None:
    rows = {(r.resource, r.field, r.pii_type): r for r in validation.pii_inventory}
    assert rows[("s3://jp-open-acl/customers.csv", "my_number", PiiType.NATIONAL_ID)].public is True
    assert rows[("s3://jp-locked/c.csv", "my_number", PiiType.NATIONAL_ID)].public is False
    # unregulated types are inventoried too, with their exposure
    ip = rows[("s3://jp-ip-only/log.txt", "(text)", PiiType.IP_ADDRESS)]
    assert (ip.public, ip.location, ip.environment, ip.provider) == (True, "ap-northeast-1", "jp-aws", "aws")
    assert rows[("bq://jp-gcp.crm.customers", "email", PiiType.EMAIL_ADDRESS)].public is True
    assert all(len(r.masked_example.lstrip("*")) <= 4 for r in validation.pii_inventory)


def test_resources(validation: Validation) -> None:
    rows = {r.resource: r for r in validation.resources}
    assert rows["s3://jp-open-acl"].public is True and rows["s3://jp-locked"].public is False
    assert rows["s3://jp-unreadable"].public is None
    assert rows["bq://jp-gcp.crm"].public is True and rows["bq://jp-gcp.crm"].kind == "dataset"
    assert rows["s3://jp-locked"].notes == ("public ACL neutralised by IgnorePublicAcls (account); "
                                           "public policy neutralised by RestrictPublicBuckets (account)")
    assert rows["bq://jp-gcp.crm.customers"].pii_types == (PiiType.EMAIL_ADDRESS, PiiType.PERSON_NAME)


def test_gx_results_are_json_and_name_failing_resources(validation: Validation) -> None:
    assert set(validation.gx_results) == {f"jp_{t}" for t in (
        "s3_buckets", "s3_objects", "s3_pii", "gcs_buckets", "gcs_pii", "bq_datasets", "bq_tables", "bq_pii")}
    text = json.dumps(validation.gx_results, sort_keys=True)
    acl_result = next(r for r in validation.gx_results["jp_s3_buckets"]["results"]
                      if r["expectation_config"]["meta"]["check_id"] == "aws_s3_bucket_public_acl")
    failing = {item["resource"] for item in acl_result["result"]["unexpected_index_list"]}
    assert failing == {"s3://jp-open-acl", "s3://jp-ip-only"}
    assert acl_result["result"]["missing_count"] == 1  # the unreadable ACL: skipped by GX, NOT_ASSESSED here
    for row in validation.pii_inventory:
        assert row.masked_example not in text


def test_data_docs(validation: Validation) -> None:
    assert "data_docs/index.html" in validation.data_docs
    page = validation.data_docs["data_docs/validations/jp_s3_buckets.html"]
    assert "aws_s3_bucket_public_acl" in page and "s3://jp-open-acl" in page and "<script" not in page


def test_rerun_gives_identical_results(validation: Validation) -> None:
    again = validate_country("JP", POLICY, [Snapshot.model_validate_json(s.model_dump_json()) for s in ESTATE])
    assert again.findings == validation.findings
    assert json.dumps(again.gx_results, sort_keys=True) == json.dumps(validation.gx_results, sort_keys=True)
    assert again.data_docs == validation.data_docs


def test_a_country_with_no_readable_environment_still_validates() -> None:
    down = snapshot("jp-down", Provider.AWS, status=CoverageStatus.NOT_ASSESSED, reason="AccessDenied")
    result = validate_country("JP", POLICY, [down])
    assert [(f.check_id, f.status, f.resource) for f in result.findings] == [
        ("coverage_not_assessed", Status.NOT_ASSESSED, "jp-down")]
    assert [(c.resource, c.status) for c in result.coverage] == [("jp-down", CoverageStatus.NOT_ASSESSED)]
    assert all(r["success"] for r in result.gx_results.values())
    # stamped with the run date, not with when the failure was recorded
    later = down.model_copy(update={"captured_at": "2026-11-22T09:00:00+00:00"})
    assert validate_country("JP", POLICY, [later]).gx_results == result.gx_results
    assert result.gx_results["jp_s3_buckets"]["meta"]["validation_time"] == "2026-11-20T00:00:00+00:00"
