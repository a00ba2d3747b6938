"""Objects over ``max_object_bytes`` on a moto server: what is read of them, and what is found.

Parquet and XLSX, named or not, are range-read (footer or zip directory, then the leading
parts) within ``max_object_bytes``; CSV and gzip are read from their start. Every GetObject is
recorded by a spy around the collector's own ``read_range`` (the reads themselves are real):
the bytes fetched per object stay within the bound and no byte is fetched twice. The data is
synthetic (Faker, python-stdnum); the PII planted in the first rows must be found.
"""

from __future__ import annotations

import gzip
import random
import threading
from collections import defaultdict
from typing import Any

import pytest

import cloudaudit.collectors.aws.s3.sample as sample_module
from cloudaudit.collectors.aws.s3 import collect_s3
from cloudaudit.config import Limits
from cloudaudit.formats import RANGED_HEAD_BYTES
from cloudaudit.model import CoverageStatus, PiiType, SampleResult
from tests.cloudaudit.formats.bigfactory import (
    EXPECTED,
    big_parquet,
    big_xlsx_inline,
    big_xlsx_shared,
    customers_then_filler,
    fetched_twice,
    people,
)

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def crowd() -> Any:
    return people()


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[int, int]]]:
    """Per key, every range GetObject really made: (start, bytes received)."""
    reads: dict[str, list[tuple[int, int]]] = defaultdict(list)
    lock = threading.Lock()
    real = sample_module.read_range

    def spy(s3: Any, bucket: str, key: str, start: int, max_bytes: int) -> tuple[bytes, str | None]:
        data, content_type = real(s3, bucket, key, start, max_bytes)
        with lock:
            reads[key].append((start, len(data)))
        return data, content_type

    monkeypatch.setattr(sample_module, "read_range", spy)
    return reads


def _collect(account: Any, bucket: str, limits: Limits) -> dict[str, SampleResult]:
    [resource] = [r for r in collect_s3(account.env, limits).resources if r.resource == f"s3://{bucket}"]
    return {s.resource.removeprefix(f"s3://{bucket}/"): s for s in resource.samples}


def _pii(sample: SampleResult, prefix: str = "") -> dict[str, set[PiiType]]:
    return {f.field.removeprefix(prefix): set(f.pii_types) for f in sample.fields if f.pii}


def _assert_fetched_once_within(reads: list[tuple[int, int]], sample: SampleResult, bound: int) -> None:
    assert sum(length for _, length in reads) == sample.bytes_read <= bound
    assert fetched_twice(reads) == 0, "a byte was fetched twice"


def test_big_parquet_named_or_not_is_range_read_within_the_bound(account: Any, bucket_name: Any, crowd: Any,
                                                                fetched: Any) -> None:
    data = big_parquet(crowd, 24_000, row_group_size=2_000)
    limits = Limits()
    assert len(data) > 5 * limits.max_object_bytes
    bucket = account.create_bucket(bucket_name("lake"))
    for key in ("lake/customers.parquet", "lake/part-00000-dump"):
        account.s3().put_object(Bucket=bucket, Key=key, Body=data)

    samples = _collect(account, bucket, limits)

    for key in ("lake/customers.parquet", "lake/part-00000-dump"):
        sample = samples[key]
        assert sample.status is CoverageStatus.ASSESSED, sample.reason
        assert (sample.format, sample.rows_sampled, sample.truncated) == ("parquet", limits.max_rows, True)
        assert _pii(sample) == {name: {pii} for name, pii in EXPECTED.items()}
        _assert_fetched_once_within(fetched[key], sample, limits.max_object_bytes)
        assert sample.bytes_read < len(data) / 10
    assert fetched["lake/part-00000-dump"][0] == (0, RANGED_HEAD_BYTES)  # the magic decided, from the head
    assert fetched["lake/customers.parquet"][0] == (len(data) - 8, 8)  # the name decided: the tail first


@pytest.mark.parametrize("make", [big_xlsx_inline, big_xlsx_shared])
def test_big_xlsx_named_or_not_is_range_read_within_the_bound(account: Any, bucket_name: Any, crowd: Any,
                                                              fetched: Any, make: Any) -> None:
    data = make(crowd, 16_000)
    limits = Limits()
    assert len(data) > 2 * limits.max_object_bytes
    bucket = account.create_bucket(bucket_name("sheets"))
    for key in ("sales/customers.xlsx", "sales/export-20261201"):
        account.s3().put_object(Bucket=bucket, Key=key, Body=data)

    samples = _collect(account, bucket, limits)

    for key in ("sales/customers.xlsx", "sales/export-20261201"):
        sample = samples[key]
        assert sample.status is CoverageStatus.ASSESSED, sample.reason
        assert (sample.format, sample.rows_sampled) == ("xlsx", limits.max_rows)
        assert _pii(sample, "customers!") == {name: {pii} for name, pii in EXPECTED.items()}
        _assert_fetched_once_within(fetched[key], sample, limits.max_object_bytes)
        assert sample.bytes_read < len(data) / 10


def test_a_big_csv_named_or_not_is_sampled_from_its_start(account: Any, bucket_name: Any, crowd: Any,
                                                          fetched: Any) -> None:
    body = customers_then_filler(crowd, 6 * MIB)
    limits = Limits()
    bucket = account.create_bucket(bucket_name("csv"))
    for key in ("exports/customers.csv", "exports/customers-dump"):
        account.s3().put_object(Bucket=bucket, Key=key, Body=body)

    samples = _collect(account, bucket, limits)

    for key in ("exports/customers.csv", "exports/customers-dump"):
        sample = samples[key]
        assert sample.status is CoverageStatus.ASSESSED, sample.reason  # max_rows, not a bound, ended it
        assert (sample.format, sample.rows_sampled, sample.truncated) == ("csv", limits.max_rows, True)
        assert sample.bytes_read == limits.max_object_bytes
        assert _pii(sample) == {name: {pii} for name, pii in EXPECTED.items()}  # only the first rows hold any
        _assert_fetched_once_within(fetched[key], sample, limits.max_object_bytes)
        assert min(start for start, _ in fetched[key]) == 0
    assert fetched["exports/customers.csv"] == [(0, limits.max_object_bytes)]  # one read from the start
    assert fetched["exports/customers-dump"] == [(0, RANGED_HEAD_BYTES),  # the head, then the rest of the prefix
                                                 (RANGED_HEAD_BYTES, limits.max_object_bytes - RANGED_HEAD_BYTES)]


def test_gzip_over_the_decompressed_bound_is_sampled_from_its_start(account: Any, bucket_name: Any, crowd: Any,
                                                                    fetched: Any) -> None:
    limits = Limits(max_object_bytes=768 * 1024, max_decompressed_bytes=2 * MIB, max_rows=100_000)
    big = gzip.compress(customers_then_filler(crowd, 12 * MIB), 6)  # over max_object_bytes: a prefix
    dense = gzip.compress(customers_then_filler(crowd, 4 * MIB), 9)  # under it: read whole, inflates past
    assert len(big) > limits.max_object_bytes > len(dense)
    bucket = account.create_bucket(bucket_name("gz"))
    s3 = account.s3()
    s3.put_object(Bucket=bucket, Key="exports/big.csv.gz", Body=big)
    s3.put_object(Bucket=bucket, Key="exports/big-dump", Body=big)
    s3.put_object(Bucket=bucket, Key="exports/dense.csv.gz", Body=dense)

    samples = _collect(account, bucket, limits)

    for key in ("exports/big.csv.gz", "exports/big-dump", "exports/dense.csv.gz"):
        sample = samples[key]
        assert sample.status is CoverageStatus.PARTIAL, key
        assert sample.reason == f"csv.gz: over the decompressed size limit after {sample.rows_sampled} rows"
        assert sample.format == "csv.gz"
        assert 300 < sample.rows_sampled < limits.max_rows
        assert _pii(sample) == {name: {pii} for name, pii in EXPECTED.items()}, key
        _assert_fetched_once_within(fetched[key], sample, limits.max_object_bytes)
    assert samples["exports/dense.csv.gz"].bytes_read == len(dense)
    assert samples["exports/big.csv.gz"].bytes_read == limits.max_object_bytes


def test_a_corrupt_parquet_footer_is_skipped_with_its_reason_and_costs_nothing_else(
        account: Any, bucket_name: Any, crowd: Any, fetched: Any) -> None:
    garbage = b"\x15\x00" * 512
    broken = b"PAR1" + random.Random(9).randbytes(2 * MIB) + garbage + len(garbage).to_bytes(4, "little") + b"PAR1"
    good = big_parquet(crowd, 24_000, row_group_size=2_000)
    small = customers_then_filler(crowd, 20_000, with_pii=50)
    limits = Limits()
    bucket = account.create_bucket(bucket_name("broken"))
    s3 = account.s3()
    s3.put_object(Bucket=bucket, Key="lake/broken.parquet", Body=broken)
    s3.put_object(Bucket=bucket, Key="lake/broken-dump", Body=broken)
    s3.put_object(Bucket=bucket, Key="lake/good.parquet", Body=good)
    s3.put_object(Bucket=bucket, Key="crm/contacts.csv", Body=small)

    samples = _collect(account, bucket, limits)

    for key in ("lake/broken.parquet", "lake/broken-dump"):
        sample = samples[key]
        assert (sample.status, sample.reason, sample.format) == (
            CoverageStatus.PARTIAL, "parquet: corrupt or unreadable", "parquet")
        assert sample.fields == ()
        _assert_fetched_once_within(fetched[key], sample, 8 + len(garbage) + RANGED_HEAD_BYTES)
    assert samples["lake/good.parquet"].status is CoverageStatus.ASSESSED
    assert _pii(samples["lake/good.parquet"])["my_number"] == {PiiType.NATIONAL_ID}
    assert samples["crm/contacts.csv"].status is CoverageStatus.ASSESSED
    assert _pii(samples["crm/contacts.csv"])["email"] == {PiiType.EMAIL_ADDRESS}
