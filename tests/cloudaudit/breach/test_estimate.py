"""Affected people estimated from what extraction recorded: table rows, or sampled rows scaled by size."""

from __future__ import annotations

from cloudaudit.breach.estimate import estimate_affected
from cloudaudit.model import FieldResult, PiiMatch, PiiType, Provider, Resource, SampleResult, Service


def _sample(key: str, *, rows: int, size: int, read: int, truncated: bool, pii: bool = True) -> SampleResult:
    matches = (PiiMatch(pii_type=PiiType.PHONE_NUMBER, matches=rows),) if pii else ()
    return SampleResult(resource=key, size=size, bytes_read=read, rows_sampled=rows, truncated=truncated,
                        fields=(FieldResult(field="tel", rows_sampled=rows, pii=matches),))


def test_table_counts_num_rows() -> None:
    table = Resource(resource="bq://p.d.t", provider=Provider.GCP, service=Service("bq"), kind="table",
                     config={"num_rows": 48_213}, samples=(_sample("bq://p.d.t", rows=100, size=0, read=0,
                                                                      truncated=True),))
    estimate = estimate_affected(table)
    assert estimate.people == 48_213 and "numRows" in estimate.basis
    assert estimate.pii_types == (PiiType.PHONE_NUMBER,)


def test_bucket_scales_truncated_objects_by_size_and_sums_whole_ones() -> None:
    bucket = Resource(resource="s3://b", provider=Provider.AWS, service=Service("s3"), kind="bucket", samples=(
        _sample("s3://b/a.csv", rows=1000, size=4_000_000, read=1_000_000, truncated=True),   # ≈ 4,000
        _sample("s3://b/b.csv", rows=250, size=20_000, read=20_000, truncated=False),          # exactly 250
        _sample("s3://b/c.txt", rows=90, size=900, read=900, truncated=False, pii=False),      # no PII: not counted
    ))
    estimate = estimate_affected(bucket)
    assert estimate.people == 4_250 and estimate.objects_counted == 2
    assert "scaled by object size" in estimate.basis and "2 sampled object(s)" in estimate.basis


def test_bucket_without_pii_has_no_count() -> None:
    bucket = Resource(resource="gs://b", provider=Provider.GCP, service=Service("gcs"), kind="bucket",
                      samples=(_sample("gs://b/x", rows=5, size=50, read=50, truncated=False, pii=False),))
    estimate = estimate_affected(bucket)
    assert estimate.people is None and estimate.objects_counted == 0
