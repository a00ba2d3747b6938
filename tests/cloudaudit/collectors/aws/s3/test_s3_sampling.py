"""Object sampling against a moto server: bounded range reads, skips with reasons, object ACLs."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from faker import Faker

import cloudaudit.collectors.aws.s3.objects as objects_module
import cloudaudit.collectors.aws.s3.sample as sample_module
from cloudaudit.collectors.aws.s3 import collect_s3
from cloudaudit.config import Limits
from cloudaudit.formats import parse_sample
from cloudaudit.model import CoverageStatus, Resource, SampleResult

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
MIB = 1024 * 1024


def synthetic_csv(rows: int, seed: int = 7) -> tuple[bytes, list[str]]:
    """A customers CSV of Faker values; also returns the e-mail addresses planted in it."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer_id", "name", "email", "phone"])
    emails = []
    for i in range(rows):
        email = fake.unique.email()
        emails.append(email)
        writer.writerow([i, fake.name(), email, fake.phone_number()])
    return out.getvalue().encode(), emails


def padded_to(data: bytes, size: int) -> bytes:
    """``data``'s rows repeated (header once) up to at least ``size`` bytes."""
    header, _, body = data.partition(b"\n")
    copies = size // max(1, len(body)) + 1
    return header + b"\n" + body * copies


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int, bool]]]:
    """Record what reaches the analyser (name, bytes, truncated); parse for real, detect nothing.

    PII detection is tested with its own package; here the collector's bounds are under test.
    """
    seen: list[tuple[str, int, bool]] = []

    def analyse(name: str, data: bytes, *, country: str, limits: Limits, truncated: bool = False,
                content_type: str | None = None) -> tuple[Any, tuple[()]]:
        seen.append((name, len(data), truncated))
        return parse_sample(name, data, limits=limits, truncated=truncated, content_type=content_type), ()

    monkeypatch.setattr(sample_module, "analyse_bytes", analyse)
    yield seen


def _resource(account: Any, bucket: str, **limits: int) -> Resource:
    resources = {r.resource: r for r in collect_s3(account.env, Limits(**limits)).resources}
    return resources[f"s3://{bucket}"]


def _samples(resource: Resource) -> dict[str, SampleResult]:
    return {s.resource: s for s in resource.samples}


def test_large_object_is_range_read_up_to_the_limit(account: Any, bucket_name: Any, reads: list[Any]) -> None:
    bucket = account.create_bucket(bucket_name("big"))
    body = padded_to(synthetic_csv(200)[0], 5 * MIB)
    account.s3().put_object(Bucket=bucket, Key="exports/customers.csv", Body=body)

    resource = _resource(account, bucket, max_object_bytes=64 * 1024)

    sample = _samples(resource)[f"s3://{bucket}/exports/customers.csv"]
    assert sample.status is CoverageStatus.ASSESSED
    assert sample.size == len(body) >= 5 * MIB
    assert sample.bytes_read == 64 * 1024
    assert sample.truncated is True
    assert sample.format == "csv"
    assert 0 < sample.rows_sampled < 200 * 30
    assert reads == [("exports/customers.csv", 64 * 1024, True)]
    assert resource.status is CoverageStatus.ASSESSED


def test_small_object_is_read_whole(account: Any, bucket_name: Any, reads: list[Any]) -> None:
    bucket = account.create_bucket(bucket_name("small"))
    body = synthetic_csv(40)[0]
    account.s3().put_object(Bucket=bucket, Key="crm/contacts.csv", Body=body)

    sample = _resource(account, bucket).samples[0]

    assert (sample.bytes_read, sample.truncated, sample.rows_sampled) == (len(body), False, 40)
    assert reads == [("crm/contacts.csv", len(body), False)]


def test_parquet_over_the_limit_without_a_footer_is_refused_from_its_tail(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("parquet"))
    account.s3().put_object(Bucket=bucket, Key="lake/part-0.parquet", Body=b"PAR1" + b"\0" * 5000)

    sample = _resource(account, bucket, max_object_bytes=4096).samples[0]

    # Over the bound a Parquet object is range-read from its footer; this one has none.
    assert sample.status is CoverageStatus.PARTIAL
    assert sample.reason == "parquet: corrupt or unreadable"
    assert sample.format == "parquet"
    assert sample.bytes_read <= 4096


def test_unsupported_objects_are_recorded_with_reasons(account: Any, bucket_name: Any, reads: list[Any]) -> None:
    bucket = account.create_bucket(bucket_name("binary"))
    s3 = account.s3()
    s3.put_object(Bucket=bucket, Key="img/car.png", Body=b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    s3.put_object(Bucket=bucket, Key="old/statement.bak", Body=b"%PDF-1.7\n" + b"\0" * 100)

    resource = _resource(account, bucket)
    samples = _samples(resource)

    png = samples[f"s3://{bucket}/img/car.png"]
    assert (png.status, png.reason, png.bytes_read) == (CoverageStatus.PARTIAL, "unsupported format (.png)", 0)
    bak = samples[f"s3://{bucket}/old/statement.bak"]  # unknown extension: read and sniffed
    assert bak.status is CoverageStatus.PARTIAL
    assert bak.reason == "unsupported format: PDF document"
    assert bak.bytes_read > 0
    assert [name for name, _, _ in reads] == ["old/statement.bak"]
    assert resource.status is CoverageStatus.PARTIAL
    assert "no object could be sampled" in resource.reason


def test_object_acl_is_recorded_per_sampled_object(account: Any, bucket_name: Any, reads: list[Any]) -> None:
    bucket = account.create_bucket(bucket_name("obj-acl"))
    s3 = account.s3()
    s3.put_object(Bucket=bucket, Key="public/list.csv", Body=synthetic_csv(3)[0], ACL="public-read")
    s3.put_object(Bucket=bucket, Key="private/list.csv", Body=synthetic_csv(3, seed=8)[0])

    samples = _samples(_resource(account, bucket))

    def grantees(key: str) -> set[str]:
        acl = samples[f"s3://{bucket}/{key}"].config["acl"]
        return {g["Grantee"].get("URI", "") for g in acl["Grants"]}

    assert ALL_USERS in grantees("public/list.csv")
    assert ALL_USERS not in grantees("private/list.csv")


def test_empty_objects_and_folder_markers_are_not_sampled(account: Any, bucket_name: Any, reads: list[Any]) -> None:
    bucket = account.create_bucket(bucket_name("markers"))
    s3 = account.s3()
    s3.put_object(Bucket=bucket, Key="folder/", Body=b"")
    s3.put_object(Bucket=bucket, Key="folder/empty.csv", Body=b"")

    resource = _resource(account, bucket)

    assert resource.samples == ()
    assert (resource.status, resource.reason) == (CoverageStatus.ASSESSED, "no object holds data")
    assert reads == []


def test_objects_per_bucket_and_keys_listed_are_bounded(account: Any, bucket_name: Any, reads: list[Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(objects_module, "LIST_OBJECTS_PAGE_SIZE", 3)
    bucket = account.create_bucket(bucket_name("bounded"))
    s3 = account.s3()
    body = synthetic_csv(2)[0]
    for i in range(12):
        s3.put_object(Bucket=bucket, Key=f"p{i % 3}/file-{i:02}.csv", Body=body)

    listed_seven = _resource(account, bucket, max_keys_listed=7, max_objects_per_bucket=50)
    assert len(listed_seven.samples) == 7  # three pages of at most 3 keys, cut at 7

    five_of_all = _resource(account, bucket, max_objects_per_bucket=5)
    assert len(five_of_all.samples) == 5
    assert {s.resource.split("/")[3] for s in five_of_all.samples} == {"p0", "p1", "p2"}  # spread over prefixes


def _user_keys(account: Any, actions: list[str]) -> dict[str, str]:
    iam = account.admin.client("iam")
    iam.create_user(UserName="sampler")
    iam.put_user_policy(UserName="sampler", PolicyName="list-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName="sampler")["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def test_denied_object_reads_are_not_assessed_samples(account: Any, bucket_name: Any, reads: list[Any],
                                                      enforce_iam: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = account.create_bucket(bucket_name("no-get"))
    account.s3().put_object(Bucket=bucket, Key="crm/contacts.csv", Body=synthetic_csv(5)[0])
    for name, value in _user_keys(account, ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucketAcl",
                                            "s3:GetBucketLocation"]).items():
        monkeypatch.setenv(name, value)
    env = account.env.model_copy(update={"role_arn": None})

    with enforce_iam():
        resource = {r.resource: r for r in collect_s3(env, Limits()).resources}[f"s3://{bucket}"]

    sample = resource.samples[0]
    assert sample.status is CoverageStatus.NOT_ASSESSED
    assert sample.reason == "GetObject: AccessDenied"
    assert sample.read_errors == {"acl": "GetObjectAcl: AccessDenied", "object": "GetObject: AccessDenied"}
    assert reads == []
    assert resource.status is CoverageStatus.PARTIAL


def test_detection_results_carry_no_raw_values(account: Any, bucket_name: Any) -> None:
    """End to end with the real detectors: PII is found, and no planted value reaches the result."""
    pii = pytest.importorskip("cloudaudit.pii")
    if not hasattr(pii, "detect_sample"):
        pytest.skip("cloudaudit.pii.detect_sample not available yet")
    bucket = account.create_bucket(bucket_name("pii"))
    body, emails = synthetic_csv(60, seed=11)
    account.s3().put_object(Bucket=bucket, Key="crm/customers.csv", Body=body)

    resource = _resource(account, bucket)

    sample = resource.samples[0]
    assert sample.status is CoverageStatus.ASSESSED
    found = {field.field: {m.pii_type.value for m in field.pii} for field in sample.fields}
    assert "EMAIL_ADDRESS" in found.get("email", set())
    dumped = resource.model_dump_json()
    assert not [e for e in emails if e in dumped]


def test_range_header_bounds_the_transfer_itself(account: Any, bucket_name: Any) -> None:
    """Not just a bounded read of the body: the request asks for the first bytes only."""
    bucket = account.create_bucket(bucket_name("range"))
    account.s3().put_object(Bucket=bucket, Key="big.jsonl", Body=b'{"a": 1}\n' * 300_000)
    s3 = account.admin.client("s3")
    sent: list[str] = []
    received: list[int] = []

    def on_send(request: Any, **_: Any) -> None:
        sent.append(request.headers["Range"].decode("ascii"))

    def on_response(parsed: dict[str, Any], **_: Any) -> None:
        received.append(parsed["ContentLength"])

    s3.meta.events.register("before-send.s3.GetObject", on_send)
    s3.meta.events.register("after-call.s3.GetObject", on_response)

    data, content_type = sample_module.read_prefix(s3, bucket, "big.jsonl", 1000)

    assert sent == ["bytes=0-999"]
    assert received == [1000]
    assert len(data) == 1000
    assert content_type


def test_no_sampled_value_is_logged(account: Any, bucket_name: Any, reads: list[Any],
                                    caplog: pytest.LogCaptureFixture) -> None:
    bucket = account.create_bucket(bucket_name("quiet"))
    body, emails = synthetic_csv(30, seed=12)
    account.s3().put_object(Bucket=bucket, Key="crm/customers.csv", Body=body)
    with caplog.at_level(logging.DEBUG):
        resource = _resource(account, bucket)
    assert resource.samples[0].status is CoverageStatus.ASSESSED
    assert f"s3://{bucket}" in caplog.text  # progress is logged, by identifier
    assert not [e for e in emails if e in caplog.text]


def test_a_large_first_folder_does_not_hide_the_others(account: Any, bucket_name: Any, reads: list[Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 lists in lexical order: 40 access logs come before customers/ and the root files."""
    monkeypatch.setattr(objects_module, "LIST_OBJECTS_PAGE_SIZE", 7)
    bucket = account.create_bucket(bucket_name("hidden"))
    s3 = account.s3()
    for i in range(40):
        s3.put_object(Bucket=bucket, Key=f"access-logs/2026/11/{i:02}.png", Body=b"\x89PNG....")
    s3.put_object(Bucket=bucket, Key="customers/2026/contacts.csv", Body=synthetic_csv(5)[0])
    s3.put_object(Bucket=bucket, Key="exports/orders.csv", Body=synthetic_csv(5, seed=9)[0])
    s3.put_object(Bucket=bucket, Key="zz-root-export.csv", Body=synthetic_csv(5, seed=10)[0])

    listed = objects_module.list_objects(account.s3(), bucket, 10)

    keys = [o.key for o in listed]
    assert len(keys) <= 10
    assert {"customers/2026/contacts.csv", "exports/orders.csv", "zz-root-export.csv"} <= set(keys)
    assert len(set(keys)) == len(keys)

    sampled = {s.resource for s in _resource(account, bucket, max_keys_listed=10, max_objects_per_bucket=3).samples}
    assert sampled == {f"s3://{bucket}/customers/2026/contacts.csv", f"s3://{bucket}/exports/orders.csv",
                       f"s3://{bucket}/zz-root-export.csv"}


def test_small_buckets_are_listed_whole_in_one_pass(account: Any, bucket_name: Any) -> None:
    bucket = account.create_bucket(bucket_name("whole"))
    s3 = account.s3()
    for i in range(6):
        s3.put_object(Bucket=bucket, Key=f"f{i % 2}/k{i}.csv", Body=b"a\n1\n")
    assert sorted(o.key for o in objects_module.list_objects(s3, bucket, 100)) == sorted(
        f"f{i % 2}/k{i}.csv" for i in range(6))
