"""Fault matrix, S3: every read the collector makes, denied, throttled, failing, hanging or cut.

Faults are injected by a proxy in front of this module's own moto server; the collector runs
in a child process (peak RSS measured there). Each fault must end as a coverage entry whose
reason names the call and the error code (never the error's message, which quotes a canary
value), while the other buckets are still read in full.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import pytest

from cloudaudit.model import CoverageStatus
from tests.cloudaudit.collectors.faults.conftest import AwsEstate, Extract, assert_damaged_bucket_is_partial
from tests.faults.child import Extracted
from tests.faults.proxy import (
    CANARY,
    CLOSE,
    HANG,
    STALL,
    TRUNCATE,
    Blackhole,
    Reply,
    Seen,
    aws_error,
    refused_url,
    sts_error,
)

BUCKET_OPS = {  # operation → the query key that selects it on a bucket URL
    "GetBucketAcl": "acl", "GetBucketPolicy": "policy", "GetBucketPolicyStatus": "policyStatus",
    "GetPublicAccessBlock": "publicAccessBlock", "GetBucketOwnershipControls": "ownershipControls",
    "GetBucketEncryption": "encryption", "GetBucketLocation": "location", "GetBucketWebsite": "website",
}
CONFIG_KEY = {"GetBucketAcl": "acl", "GetBucketPolicy": "policy", "GetBucketPolicyStatus": "policy_status",
              "GetPublicAccessBlock": "public_access_block", "GetBucketOwnershipControls": "ownership_controls",
              "GetBucketEncryption": "encryption", "GetBucketLocation": "location", "GetBucketWebsite": "website"}


def bucket_op(bucket: str, query_key: str) -> Callable[[Seen], bool]:
    return lambda s: s.route == f"/{bucket}" and query_key in parse_qs(s.query, keep_blank_values=True)


def list_objects(bucket: str) -> Callable[[Seen], bool]:
    return bucket_op(bucket, "list-type")


def object_op(bucket: str, key: str, *, acl: bool) -> Callable[[Seen], bool]:
    return lambda s: s.route == f"/{bucket}/{key}" and (("acl" in parse_qs(s.query, keep_blank_values=True)) == acl)


def assert_others_scanned(result: Extracted, *buckets: str) -> None:
    """The buckets the fault did not touch: fully read, their PII found."""
    for bucket in buckets:
        row = result.coverage_of(f"s3://{bucket}")
        assert row.status is CoverageStatus.ASSESSED, row
        assert row.objects_sampled >= 1
        resource = result.resource(f"s3://{bucket}")
        assert any(f.pii for s in resource.samples for f in s.fields), bucket


def assert_no_message_leaked(result: Extracted) -> None:
    assert CANARY not in result.snapshot.model_dump_json()
    assert CANARY not in result.stderr


@pytest.mark.parametrize("operation", sorted(BUCKET_OPS))
def test_denied_bucket_read_is_not_assessed_and_others_are_read(aws_estate: AwsEstate, extract: Extract,
                                                                operation: str) -> None:
    rule = aws_estate.proxy.inject(bucket_op("alpha", BUCKET_OPS[operation]), aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    assert len(rule.hits) == 1  # a denial is final: not retried
    row = result.coverage_of("s3://alpha")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert f"{CONFIG_KEY[operation]}: {operation}: AccessDenied" in row.reason
    assert result.resource("s3://alpha").samples  # its objects were still sampled
    assert_others_scanned(result, "bravo")
    assert_no_message_leaked(result)


def test_denied_bucket_list_makes_the_environment_not_assessed(aws_estate: AwsEstate, extract: Extract) -> None:
    aws_estate.proxy.inject(lambda s: s.route == "/" and s.method == "GET", aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    assert result.snapshot.resources == ()
    row = result.coverage_of("jp-faults")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "ListBuckets: AccessDenied")
    assert_no_message_leaked(result)


def test_denied_account_block_public_access_is_an_account_entry(aws_estate: AwsEstate, extract: Extract) -> None:
    aws_estate.proxy.inject(lambda s: s.route.endswith("/configuration/publicAccessBlock"),
                            aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    row = result.coverage_of("jp-faults")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert row.reason == "account public_access_block: GetPublicAccessBlock: AccessDenied"
    assert_others_scanned(result, "alpha", "bravo")
    assert_no_message_leaked(result)


def test_denied_object_listing_is_partial_with_the_reason(aws_estate: AwsEstate, extract: Extract) -> None:
    aws_estate.proxy.inject(list_objects("alpha"), aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    row = result.coverage_of("s3://alpha")
    assert (row.status, row.reason) == (CoverageStatus.PARTIAL, "objects not listed: ListObjectsV2: AccessDenied")
    assert row.objects_sampled == 0
    assert_others_scanned(result, "bravo")
    assert_no_message_leaked(result)


def test_denied_object_read_is_a_not_assessed_object(aws_estate: AwsEstate, extract: Extract) -> None:
    aws_estate.proxy.inject(object_op("alpha", "customers.csv", acl=False), aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    row = result.coverage_of("s3://alpha/customers.csv")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "GetObject: AccessDenied")
    assert_others_scanned(result, "bravo")
    assert_no_message_leaked(result)


def test_denied_object_acl_is_a_coverage_entry_and_the_data_still_sampled(aws_estate: AwsEstate,
                                                                         extract: Extract) -> None:
    aws_estate.proxy.inject(object_op("alpha", "customers.csv", acl=True), aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    sample = next(s for s in result.resource("s3://alpha").samples if s.resource == "s3://alpha/customers.csv")
    assert sample.read_errors == {"acl": "GetObjectAcl: AccessDenied"}
    assert any(f.pii for f in sample.fields)  # the data was read even though its ACL was not
    row = result.coverage_of("s3://alpha/customers.csv")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "acl: GetObjectAcl: AccessDenied")
    assert_others_scanned(result, "bravo")
    assert_no_message_leaked(result)


def test_denied_role_makes_the_environment_not_assessed(aws_estate: AwsEstate, extract: Extract) -> None:
    aws_estate.proxy.inject(lambda s: s.method == "POST" and b"Action=AssumeRole" in s.body,
                            sts_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    row = result.coverage_of("jp-faults")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "AssumeRole: AccessDenied")
    assert_no_message_leaked(result)


@pytest.mark.parametrize(("status", "code", "failures"), [(503, "SlowDown", 2), (500, "InternalError", 2),
                                                          (503, "ServiceUnavailable", 1)])
def test_throttling_and_5xx_are_retried_until_the_call_succeeds(aws_estate: AwsEstate, extract: Extract,
                                                                status: int, code: str, failures: int) -> None:
    rule = aws_estate.proxy.inject(bucket_op("alpha", "acl"), aws_error(status, code), times=failures)
    result = extract(aws_estate.env(), max_attempts=3)

    assert len(rule.hits) == failures
    attempts = [s for s in aws_estate.proxy.seen if bucket_op("alpha", "acl")(s)]
    assert len(attempts) == failures + 1  # the retry that succeeded
    assert result.coverage_of("s3://alpha").status is CoverageStatus.ASSESSED
    assert "acl" in result.resource("s3://alpha").config


@pytest.mark.parametrize(("status", "code"), [(503, "SlowDown"), (500, "InternalError")])
def test_persistent_5xx_gives_up_after_the_configured_attempts(aws_estate: AwsEstate, extract: Extract,
                                                              status: int, code: str) -> None:
    rule = aws_estate.proxy.inject(bucket_op("alpha", "acl"), aws_error(status, code))
    result = extract(aws_estate.env(), max_attempts=3)

    assert len(rule.hits) == 3  # AWS_MAX_ATTEMPTS, no more
    row = result.coverage_of("s3://alpha")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert f"acl: GetBucketAcl: {code}" in row.reason
    assert_others_scanned(result, "bravo")
    assert_no_message_leaked(result)


def test_a_call_that_never_answers_times_out_after_the_configured_attempts(aws_estate: AwsEstate,
                                                                          extract: Extract) -> None:
    rule = aws_estate.proxy.inject(bucket_op("alpha", "policy"), HANG)
    result = extract(aws_estate.env(), max_attempts=2)

    assert len(rule.hits) == 2  # each attempt waited out call_timeout_s, then botocore gave up
    row = result.coverage_of("s3://alpha")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert "policy: GetBucketPolicy: ReadTimeoutError" in row.reason  # the read timeout stopped it
    assert_others_scanned(result, "bravo")


def test_a_dropped_connection_is_retried_then_recorded(aws_estate: AwsEstate, extract: Extract) -> None:
    rule = aws_estate.proxy.inject(bucket_op("alpha", "encryption"), CLOSE)
    result = extract(aws_estate.env(), max_attempts=2)

    assert len(rule.hits) == 2
    row = result.coverage_of("s3://alpha")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert "encryption: GetBucketEncryption: " in row.reason
    assert_others_scanned(result, "bravo")


def test_blackholed_endpoint_times_out_and_the_environment_is_not_assessed(aws_estate: AwsEstate,
                                                                          extract: Extract) -> None:
    with Blackhole() as hole:
        result = extract(aws_estate.env(endpoint_url=hole.url), max_attempts=2)
        connections = hole.connections

    assert connections == 2  # AssumeRole: two attempts, each stopped by the read timeout
    row = result.coverage_of("jp-faults")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "AssumeRole: ReadTimeoutError")


def test_refused_port_makes_the_environment_not_assessed(aws_estate: AwsEstate, extract: Extract) -> None:
    result = extract(aws_estate.env(endpoint_url=refused_url()), max_attempts=2)

    row = result.coverage_of("jp-faults")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "AssumeRole: EndpointConnectionError")


def test_object_cut_short_in_transit_is_not_assessed(aws_estate: AwsEstate, extract: Extract) -> None:
    rule = aws_estate.proxy.inject(object_op("alpha", "customers.csv", acl=False), TRUNCATE)
    result = extract(aws_estate.env())

    assert len(rule.hits) == 1
    row = result.coverage_of("s3://alpha/customers.csv")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert row.reason == "GetObject: IncompleteRead"  # not half an object passed off as a range read
    assert_others_scanned(result, "bravo")


def test_corrupt_gzip_and_truncated_files_are_partial_with_their_reason(aws_estate: AwsEstate,
                                                                      extract: Extract) -> None:
    result = extract(aws_estate.env())

    assert_damaged_bucket_is_partial(result, "s3://damaged")
    assert_others_scanned(result, "alpha", "bravo")


MALFORMED_XML = Reply(200, b"<?xml version='1.0'?><AccessControlPolicy><Owner><ID>x</ID", "application/xml")


@pytest.mark.parametrize(("operation", "code"), [("GetBucketAcl", "500"), ("GetBucketPolicyStatus", "500"),
                                                ("GetBucketLocation", "ParseError")])
def test_malformed_answer_to_a_bucket_read_costs_that_read_only(aws_estate: AwsEstate, extract: Extract,
                                                               operation: str, code: str) -> None:
    """botocore takes an unparseable 200 for a 500 (and retries it); GetBucketLocation's own parser
    raises ParseError, which once cost the bucket every other key and its samples."""
    aws_estate.proxy.inject(bucket_op("alpha", BUCKET_OPS[operation]), MALFORMED_XML)
    result = extract(aws_estate.env())

    resource = result.resource("s3://alpha")
    assert resource.read_errors == {CONFIG_KEY[operation]: f"{operation}: {code}"}
    assert set(CONFIG_KEY.values()) - {CONFIG_KEY[operation]} <= set(resource.config)  # every other key read
    assert resource.objects_sampled == 1
    row = result.coverage_of("s3://alpha")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, f"{CONFIG_KEY[operation]}: {operation}: {code}")
    assert_others_scanned(result, "bravo")


def test_malformed_bucket_list_makes_the_environment_not_assessed(aws_estate: AwsEstate, extract: Extract) -> None:
    aws_estate.proxy.inject(lambda s: s.route == "/" and s.method == "GET", MALFORMED_XML)
    result = extract(aws_estate.env())

    row = result.coverage_of("jp-faults")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "ListBuckets: 500")


def test_object_whose_body_stalls_is_stopped_by_the_read_timeout(aws_estate: AwsEstate, extract: Extract) -> None:
    rule = aws_estate.proxy.inject(object_op("alpha", "customers.csv", acl=False), STALL)
    result = extract(aws_estate.env())

    assert len(rule.hits) == 1  # a body read is not retried: the sample is given up
    row = result.coverage_of("s3://alpha/customers.csv")
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, "GetObject: ReadTimeoutError")
    assert_others_scanned(result, "bravo")
