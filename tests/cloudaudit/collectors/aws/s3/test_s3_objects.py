"""Pure parts of the S3 collector: choosing samples, shaping responses, judging coverage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudaudit.collectors.aws.s3 import BucketSurvey, bucket_status
from cloudaudit.collectors.aws.s3.buckets import acl_from, normalise_location, policy_from
from cloudaudit.collectors.aws.s3.objects import ListedObject, choose_candidates
from cloudaudit.collectors.aws.s3.sample import skip_reason
from cloudaudit.config import Limits
from cloudaudit.errors import CallFailed
from cloudaudit.model import CoverageStatus, SampleResult


@pytest.mark.parametrize(("key", "suffix", "sampleable"), [
    ("data/customers.csv", ".csv", True),
    ("data/customers.CSV.GZ", ".csv", True),
    ("exports/2026/orders.jsonl.gz", ".jsonl", True),
    ("report.xlsx", ".xlsx", True),
    ("photo.jpeg", ".jpeg", False),
    ("archive.gz", "", False),
    (".hidden", "", False),
    ("v1.2/README", "", False),
])
def test_suffix_looks_through_gzip(key: str, suffix: str, sampleable: bool) -> None:
    obj = ListedObject(key, 10)
    assert (obj.suffix, obj.sampleable) == (suffix, sampleable)


def test_zero_byte_objects_and_folder_markers_are_never_chosen() -> None:
    objects = [ListedObject("a/", 0), ListedObject("b/empty.csv", 0), ListedObject("c/", 5),
               ListedObject("d/x.csv", 5)]
    assert [o.key for o in choose_candidates(objects, 10)] == ["d/x.csv"]


def test_sampleable_formats_come_before_unknown_and_unsupported() -> None:
    objects = [ListedObject("img/a.png", 9), ListedObject("raw/blob", 9), ListedObject("t/a.txt", 9),
               ListedObject("old/a.csv", 9, storage_class="GLACIER")]
    chosen = [o.key for o in choose_candidates(objects, 10)]
    assert chosen[0] == "t/a.txt"
    assert chosen[1] == "raw/blob"
    assert set(chosen[2:]) == {"img/a.png", "old/a.csv"}
    assert [o.key for o in choose_candidates(objects, 1)] == ["t/a.txt"]


def test_candidates_are_spread_over_prefixes() -> None:
    many_in_one = [ListedObject(f"bulk/part-{i:04}.csv", 100) for i in range(50)]
    others = [ListedObject("crm/contacts.csv", 100), ListedObject("hr/staff.json", 100)]
    chosen = [o.key for o in choose_candidates(many_in_one + others, 4)]
    assert "crm/contacts.csv" in chosen and "hr/staff.json" in chosen
    assert len(chosen) == 4


@given(st.lists(st.tuples(st.sampled_from(["", "a/", "a/b/", "c/"]),
                          st.sampled_from(["x.csv", "y.png", "z", "w.json.gz", ""]),
                          st.integers(min_value=0, max_value=3)), max_size=40),
       st.integers(min_value=0, max_value=12))
def test_choice_is_bounded_unique_and_only_objects_with_data(entries: list[tuple[str, str, int]],
                                                             limit: int) -> None:
    objects = [ListedObject(f"{prefix}{name}", size) for prefix, name, size in entries]
    chosen = choose_candidates(objects, limit)
    eligible = [o for o in objects if o.size > 0 and not o.key.endswith("/")]
    assert len(chosen) == min(limit, len(eligible))
    assert all(o in eligible for o in chosen)
    assert len({id(o) for o in chosen}) == len(chosen)


def test_skip_reasons_are_decided_before_reading() -> None:
    limits = Limits(max_object_bytes=1000)
    assert skip_reason(ListedObject("a.csv", 5000), limits) is None  # range-read a prefix
    assert skip_reason(ListedObject("blob", 5000), limits) is None  # sniffed
    assert skip_reason(ListedObject("a.parquet", 1000), limits) is None
    assert skip_reason(ListedObject("a.parquet", 1001), limits) is None  # footer and row groups range-read
    assert skip_reason(ListedObject("a.xlsx", 5000), limits) is None  # zip directory and parts range-read
    assert "max_object_bytes" in (skip_reason(ListedObject("a.parquet.gz", 1001), limits) or "")
    assert skip_reason(ListedObject("a.png", 10), limits) == "unsupported format (.png)"
    assert skip_reason(ListedObject("a.csv", 10, "DEEP_ARCHIVE"), limits) == "archived storage class (DEEP_ARCHIVE)"


@pytest.mark.parametrize(("constraint", "region"), [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"),
                                                    ("ap-northeast-1", "ap-northeast-1"), ("US-WEST-2", "us-west-2")])
def test_normalise_location(constraint: str | None, region: str) -> None:
    assert normalise_location(constraint) == region


def test_acl_drops_names_and_email_addresses() -> None:
    acl = acl_from({"Owner": {"ID": "owner-id", "DisplayName": "someone"}, "Grants": [
        {"Grantee": {"Type": "AmazonCustomerByEmail", "EmailAddress": "jo@example.com"}, "Permission": "READ"},
        {"Grantee": {"Type": "CanonicalUser", "ID": "c1", "DisplayName": "someone"}, "Permission": "WRITE"}]})
    assert "example.com" not in repr(acl) and "someone" not in repr(acl)
    assert acl["Grants"][0] == {"Grantee": {"Type": "AmazonCustomerByEmail"}, "Permission": "READ"}
    assert acl["Grants"][1]["Grantee"]["ID"] == "c1"


def test_unparseable_policy_is_a_read_error() -> None:
    assert policy_from(None) is None
    assert policy_from({"Policy": '{"Statement": []}'}) == {"Statement": []}
    with pytest.raises(CallFailed, match="GetBucketPolicy: UnparseablePolicy"):
        policy_from({"Policy": "{not json"})


def _sample(status: CoverageStatus, reason: str = "") -> SampleResult:
    return SampleResult(resource="s3://b/k", status=status, reason=reason)


def test_bucket_status() -> None:
    unreadable = BucketSurvey("b", config={"location": "us-east-1"}, read_errors={"acl": "GetBucketAcl: AccessDenied"})
    assert bucket_status(unreadable, []) == (CoverageStatus.NOT_ASSESSED,
                                             "configuration unreadable: GetBucketAcl: AccessDenied")
    readable = BucketSurvey("b", config={"acl": {}}, keys_listed=3)
    assert bucket_status(readable, [_sample(CoverageStatus.ASSESSED), _sample(CoverageStatus.PARTIAL, "x")]) == (
        CoverageStatus.ASSESSED, "")
    status, reason = bucket_status(readable, [_sample(CoverageStatus.PARTIAL, "unsupported format (.png)")])
    assert status is CoverageStatus.PARTIAL and "unsupported format (.png)" in reason
    denied = BucketSurvey("b", config={"acl": {}}, listing_error="ListObjectsV2: AccessDenied")
    assert bucket_status(denied, []) == (CoverageStatus.PARTIAL, "objects not listed: ListObjectsV2: AccessDenied")
    assert bucket_status(BucketSurvey("b", config={"acl": {}}), []) == (CoverageStatus.ASSESSED, "empty bucket")
