"""Calls the S3 collector leaves out because their answer is already known (issue 18).

Each saving is proved on the wire: the proxy in front of moto counts the requests, and a denial
injected on the call left out would show in the snapshot if the call were made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import pytest

from cloudaudit.model import CoverageStatus
from tests.cloudaudit.collectors.faults.conftest import AwsEstate, Extract
from tests.faults.proxy import Reply, Seen, aws_error

BUCKETS = ("alpha", "bravo")  # alpha has a (private) bucket policy, bravo none: see conftest.seed_s3


def _bucket_query(bucket: str, key: str) -> Callable[[Seen], bool]:
    return lambda s: s.route == f"/{bucket}" and key in parse_qs(s.query, keep_blank_values=True)


def _object_acl(bucket: str) -> Callable[[Seen], bool]:
    return lambda s: s.route.startswith(f"/{bucket}/") and "acl" in parse_qs(s.query, keep_blank_values=True)


@pytest.fixture
def bravo_owner_enforced(aws_estate: AwsEstate) -> Iterator[None]:
    """bravo with ACLs disabled, as every bucket AWS has created since April 2023; put back after."""
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client
    from tests.cloudaudit.collectors.faults.conftest import ROLE_ARN

    s3 = s3_client(account_session(aws_estate.moto_url, ROLE_ARN), aws_estate.moto_url)
    s3.put_bucket_ownership_controls(Bucket="bravo", OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    yield
    s3.delete_bucket_ownership_controls(Bucket="bravo")


def test_policy_status_is_asked_only_of_a_bucket_with_a_policy(aws_estate: AwsEstate, extract: Extract) -> None:
    denied = {b: aws_estate.proxy.inject(_bucket_query(b, "policyStatus"), aws_error(403, "AccessDenied"))
              for b in BUCKETS}
    result = extract(aws_estate.env())

    assert len(denied["alpha"].hits) == 1  # a policy: its status is read (and here denied)
    assert result.resource("s3://alpha").read_errors == {"policy_status": "GetBucketPolicyStatus: AccessDenied"}
    assert denied["bravo"].hits == []  # no policy: the status is known without asking
    bravo = result.resource("s3://bravo")
    assert (bravo.config["policy"], bravo.config["policy_status"], bravo.read_errors) == (None, None, {})
    assert result.coverage_of("s3://bravo").status is CoverageStatus.ASSESSED


def test_object_acl_is_not_asked_when_the_bucket_disables_acls(aws_estate: AwsEstate, extract: Extract,
                                                               bravo_owner_enforced: None) -> None:
    denied = {b: aws_estate.proxy.inject(_object_acl(b), aws_error(403, "AccessDenied"))
              for b in BUCKETS}
    result = extract(aws_estate.env())

    assert denied["bravo"].hits == []
    [sample] = result.resource("s3://bravo").samples
    assert sample.config["acl"] == {"Owner": {}, "Grants": [], "Disabled": "BucketOwnerEnforced"}
    assert (sample.status, sample.read_errors) == (CoverageStatus.ASSESSED, {})
    assert any(f.pii for f in sample.fields)  # the object itself is still read
    assert result.coverage_of("s3://bravo").status is CoverageStatus.ASSESSED
    # alpha keeps ACLs: its objects' ACLs are still asked for (and the denial shows)
    assert denied["alpha"].hits
    assert all(s.read_errors == {"acl": "GetObjectAcl: AccessDenied"} for s in result.resource("s3://alpha").samples)


def test_bucket_acl_is_not_asked_when_the_bucket_disables_acls(aws_estate: AwsEstate, extract: Extract,
                                                               bravo_owner_enforced: None) -> None:
    denied = {b: aws_estate.proxy.inject(_bucket_query(b, "acl"), aws_error(403, "AccessDenied")) for b in BUCKETS}
    result = extract(aws_estate.env())

    assert denied["bravo"].hits == []
    bravo = result.resource("s3://bravo")
    assert bravo.config["acl"] == {"Owner": {}, "Grants": [], "Disabled": "BucketOwnerEnforced"}
    assert "acl" not in bravo.read_errors
    assert result.coverage_of("s3://bravo").status is CoverageStatus.ASSESSED
    # alpha keeps ACLs: its ACL is still asked for, and the denial shows
    assert len(denied["alpha"].hits) == 1
    assert result.resource("s3://alpha").read_errors["acl"] == "GetBucketAcl: AccessDenied"


def test_an_unreadable_ownership_keeps_the_bucket_acl_read(aws_estate: AwsEstate, extract: Extract,
                                                           bravo_owner_enforced: None) -> None:
    # Ownership denied: whether ACLs are off is unknown, so the ACL is asked as before.
    aws_estate.proxy.inject(_bucket_query("bravo", "ownershipControls"), aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    assert len([s for s in aws_estate.proxy.seen if _bucket_query("bravo", "acl")(s)]) == 1
    bravo = result.resource("s3://bravo")
    assert bravo.read_errors["ownership_controls"] == "GetBucketOwnershipControls: AccessDenied"
    assert "Disabled" not in bravo.config["acl"]


def _buckets_with_regions(regions: dict[str, str]) -> bytes:
    entries = "".join(f"<Bucket><Name>{name}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>"
                      f"<BucketRegion>{region}</BucketRegion></Bucket>" for name, region in regions.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult '
            'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>owner</ID></Owner>'
            f"<Buckets>{entries}</Buckets></ListAllMyBucketsResult>").encode()


def test_bucket_region_from_the_bucket_list_saves_get_bucket_location(aws_estate: AwsEstate,
                                                                      extract: Extract) -> None:
    # AWS's ListBuckets names each bucket's region (BucketRegion); moto 5.2 does not, so the list is
    # answered here as AWS answers it, and GetBucketLocation is denied to show it is not asked.
    def listing(s: Seen) -> bool:
        return s.route == "/" and s.method == "GET"

    aws_estate.proxy.inject(listing, Reply(200, _buckets_with_regions({"alpha": "ap-northeast-1", "bravo": "EU"}),
                                           content_type="application/xml"))
    location = aws_estate.proxy.inject(lambda s: "location" in parse_qs(s.query, keep_blank_values=True),
                                       aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    assert location.hits == []
    alpha, bravo = result.resource("s3://alpha"), result.resource("s3://bravo")
    assert (alpha.location, alpha.config["location"]) == ("ap-northeast-1", "ap-northeast-1")
    assert bravo.location == "eu-west-1"  # the legacy name, normalised as GetBucketLocation's would be
    assert "location" not in alpha.read_errors and "location" not in bravo.read_errors


def test_without_a_bucket_region_the_location_is_still_asked(aws_estate: AwsEstate, extract: Extract) -> None:
    location = aws_estate.proxy.inject(_bucket_query("alpha", "location"), aws_error(403, "AccessDenied"))
    result = extract(aws_estate.env())

    assert len(location.hits) == 1  # moto's list names no region: the bucket is asked
    assert result.resource("s3://alpha").read_errors["location"] == "GetBucketLocation: AccessDenied"
