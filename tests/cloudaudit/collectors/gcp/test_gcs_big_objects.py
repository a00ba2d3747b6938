"""Objects over ``max_object_bytes`` on gcp-storage-emulator: what is read of them, and what is found.

The GCS counterpart of ``aws/s3/test_s3_big_objects.py``: Parquet and XLSX, named or not,
range-read within ``max_object_bytes``; CSV and gzip read from their start. Every object read
is recorded by a spy around google-cloud-storage's own ``Blob.download_as_bytes`` (the reads
themselves are real). Synthetic data only (Faker, python-stdnum).
"""

from __future__ import annotations

import gzip
import random
import threading
from collections import defaultdict
from typing import Any

import pytest

from cloudaudit.collectors.gcp.clients import storage_client
from cloudaudit.collectors.gcp.storage import collect_storage
from cloudaudit.config import Limits
from cloudaudit.formats import RANGED_HEAD_BYTES
from cloudaudit.model import CoverageStatus, PiiType, SampleResult
from tests.cloudaudit.collectors.gcp.gcp_fixtures import gcp_env, storage_seed_client
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
    """Per object name, every download really made: (start, bytes received)."""
    from google.cloud.storage import Blob

    reads: dict[str, list[tuple[int, int]]] = defaultdict(list)
    lock = threading.Lock()
    real = Blob.download_as_bytes

    def spy(blob: Any, *args: Any, **kwargs: Any) -> bytes:
        data: bytes = real(blob, *args, **kwargs)
        with lock:
            reads[blob.name].append((int(kwargs.get("start") or 0), len(data)))
        return data

    monkeypatch.setattr(Blob, "download_as_bytes", spy)
    return reads


def _upload(url: str, bucket_name: str, objects: dict[str, bytes]) -> None:
    bucket = storage_seed_client(url).create_bucket(bucket_name)
    for name, data in objects.items():
        bucket.blob(name).upload_from_string(data, content_type="application/octet-stream")


def _collect(url: str, limits: Limits) -> dict[str, SampleResult]:
    env = gcp_env(storage=url, bigquery=None, country="JP")
    [bucket] = collect_storage(storage_client(env), env, limits).resources
    return {s.resource.removeprefix(bucket.resource + "/"): s for s in bucket.samples}


def _pii(sample: SampleResult, prefix: str = "") -> dict[str, set[PiiType]]:
    return {f.field.removeprefix(prefix): set(f.pii_types) for f in sample.fields if f.pii}


def _assert_fetched_once_within(reads: list[tuple[int, int]], sample: SampleResult, bound: int) -> None:
    assert sum(length for _, length in reads) == sample.bytes_read <= bound
    assert fetched_twice(reads) == 0, "a byte was fetched twice"


def _limits(**overrides: int) -> Limits:
    return Limits(**{"call_timeout_s": 10, "max_workers": 2, **overrides})


def test_big_parquet_named_or_not_is_range_read_within_the_bound(gcs_url: str, crowd: Any, fetched: Any) -> None:
    data = big_parquet(crowd, 24_000, row_group_size=2_000)
    limits = _limits()
    assert len(data) > 5 * limits.max_object_bytes
    _upload(gcs_url, "jp-lake", {"lake/customers.parquet": data, "lake/part-00000-dump": data})

    samples = _collect(gcs_url, limits)

    for name in ("lake/customers.parquet", "lake/part-00000-dump"):
        sample = samples[name]
        assert sample.status is CoverageStatus.ASSESSED, sample.reason
        assert (sample.format, sample.rows_sampled, sample.truncated) == ("parquet", limits.max_rows, True)
        assert _pii(sample) == {column: {pii} for column, pii in EXPECTED.items()}
        _assert_fetched_once_within(fetched[name], sample, limits.max_object_bytes)
        assert sample.bytes_read < len(data) / 10
    assert fetched["lake/part-00000-dump"][0] == (0, RANGED_HEAD_BYTES)  # the magic decided, from the head
    assert fetched["lake/customers.parquet"][0] == (len(data) - 8, 8)  # the name decided: the tail first


@pytest.mark.parametrize("make", [big_xlsx_inline, big_xlsx_shared])
def test_big_xlsx_named_or_not_is_range_read_within_the_bound(gcs_url: str, crowd: Any, fetched: Any,
                                                              make: Any) -> None:
    data = make(crowd, 16_000)
    limits = _limits()
    assert len(data) > 2 * limits.max_object_bytes
    _upload(gcs_url, "jp-sheets", {"sales/customers.xlsx": data, "sales/export-20261201": data})

    samples = _collect(gcs_url, limits)

    for name in ("sales/customers.xlsx", "sales/export-20261201"):
        sample = samples[name]
        assert sample.status is CoverageStatus.ASSESSED, sample.reason
        assert (sample.format, sample.rows_sampled) == ("xlsx", limits.max_rows)
        assert _pii(sample, "customers!") == {column: {pii} for column, pii in EXPECTED.items()}
        _assert_fetched_once_within(fetched[name], sample, limits.max_object_bytes)
        assert sample.bytes_read < len(data) / 10


def test_a_big_csv_named_or_not_is_sampled_from_its_start(gcs_url: str, crowd: Any, fetched: Any) -> None:
    body = customers_then_filler(crowd, 6 * MIB)
    limits = _limits()
    _upload(gcs_url, "jp-exports", {"exports/customers.csv": body, "exports/customers-dump": body})

    samples = _collect(gcs_url, limits)

    for name in ("exports/customers.csv", "exports/customers-dump"):
        sample = samples[name]
        assert sample.status is CoverageStatus.ASSESSED, sample.reason  # max_rows, not a bound, ended it
        assert (sample.format, sample.rows_sampled, sample.truncated) == ("csv", limits.max_rows, True)
        assert sample.bytes_read == limits.max_object_bytes
        assert _pii(sample) == {column: {pii} for column, pii in EXPECTED.items()}  # only the first rows hold any
        _assert_fetched_once_within(fetched[name], sample, limits.max_object_bytes)
    assert fetched["exports/customers.csv"] == [(0, limits.max_object_bytes)]  # one read from the start
    assert fetched["exports/customers-dump"] == [(0, RANGED_HEAD_BYTES),  # the head, then the rest of the prefix
                                                 (RANGED_HEAD_BYTES, limits.max_object_bytes - RANGED_HEAD_BYTES)]


def test_gzip_over_the_decompressed_bound_is_sampled_from_its_start(gcs_url: str, crowd: Any,
                                                                    fetched: Any) -> None:
    limits = _limits(max_object_bytes=768 * 1024, max_decompressed_bytes=2 * MIB, max_rows=100_000)
    big = gzip.compress(customers_then_filler(crowd, 12 * MIB), 6)  # over max_object_bytes: a prefix
    dense = gzip.compress(customers_then_filler(crowd, 4 * MIB), 9)  # under it: read whole, inflates past
    assert len(big) > limits.max_object_bytes > len(dense)
    _upload(gcs_url, "jp-gz", {"exports/big.csv.gz": big, "exports/big-dump": big, "exports/dense.csv.gz": dense})

    samples = _collect(gcs_url, limits)

    for name in ("exports/big.csv.gz", "exports/big-dump", "exports/dense.csv.gz"):
        sample = samples[name]
        assert sample.status is CoverageStatus.PARTIAL, name
        assert sample.reason == f"csv.gz: over the decompressed size limit after {sample.rows_sampled} rows"
        assert sample.format == "csv.gz"
        assert 300 < sample.rows_sampled < limits.max_rows
        assert _pii(sample) == {column: {pii} for column, pii in EXPECTED.items()}, name
        _assert_fetched_once_within(fetched[name], sample, limits.max_object_bytes)
    assert samples["exports/dense.csv.gz"].bytes_read == len(dense)
    assert samples["exports/big.csv.gz"].bytes_read == limits.max_object_bytes


def test_a_corrupt_parquet_footer_is_skipped_with_its_reason_and_costs_nothing_else(
        gcs_url: str, crowd: Any, fetched: Any) -> None:
    garbage = b"\x15\x00" * 512
    broken = b"PAR1" + random.Random(9).randbytes(2 * MIB) + garbage + len(garbage).to_bytes(4, "little") + b"PAR1"
    limits = _limits()
    _upload(gcs_url, "jp-broken", {"lake/broken.parquet": broken, "lake/broken-dump": broken,
                                   "lake/good.parquet": big_parquet(crowd, 24_000, row_group_size=2_000),
                                   "crm/contacts.csv": customers_then_filler(crowd, 20_000, with_pii=50)})

    samples = _collect(gcs_url, limits)

    for name in ("lake/broken.parquet", "lake/broken-dump"):
        sample = samples[name]
        assert (sample.status, sample.reason, sample.format) == (
            CoverageStatus.PARTIAL, "parquet: corrupt or unreadable", "parquet")
        assert sample.fields == ()
        _assert_fetched_once_within(fetched[name], sample, 8 + len(garbage) + RANGED_HEAD_BYTES)
    assert samples["lake/good.parquet"].status is CoverageStatus.ASSESSED
    assert _pii(samples["lake/good.parquet"])["my_number"] == {PiiType.NATIONAL_ID}
    assert samples["crm/contacts.csv"].status is CoverageStatus.ASSESSED
    assert _pii(samples["crm/contacts.csv"])["email"] == {PiiType.EMAIL_ADDRESS}
