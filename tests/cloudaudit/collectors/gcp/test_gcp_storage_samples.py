"""Cloud Storage object samples against gcp-storage-emulator: bounded reads, formats, PII, failures."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import random

import pytest

from cloudaudit.collectors.gcp.clients import storage_client
from cloudaudit.collectors.gcp.storage import collect_storage
from cloudaudit.config import Limits
from cloudaudit.model import CoverageStatus, PiiType, Resource, SampleResult
from cloudaudit_demo import synth
from tests.cloudaudit.collectors.gcp.gcp_fixtures import DenyingProxy, gcp_env, storage_seed_client

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def customers_csv(rng: random.Random, rows: int) -> tuple[bytes, list[dict[str, str]]]:
    records = [synth.record("TH", rng) for _ in range(rows)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode(), records


def upload(url: str, bucket_name: str, objects: dict[str, bytes], *, uniform: bool = True) -> None:
    bucket = storage_seed_client(url).create_bucket(bucket_name)
    bucket.iam_configuration.uniform_bucket_level_access_enabled = uniform
    bucket.patch()
    for name, data in objects.items():
        bucket.blob(name).upload_from_string(data, content_type="application/octet-stream")


def samples_by_name(resource: Resource) -> dict[str, SampleResult]:
    prefix = resource.resource + "/"
    return {s.resource.removeprefix(prefix): s for s in resource.samples}


def pii_of(sample: SampleResult) -> dict[str, set[PiiType]]:
    return {f.field: set(f.pii_types) for f in sample.fields if f.pii}


def collect_one(url: str, limits: Limits) -> Resource:
    env = gcp_env(storage=url, bigquery=None)
    [bucket] = collect_storage(storage_client(env), env, limits).resources
    return bucket


def test_csv_and_gzip_jsonl_objects_are_sampled_and_detected(gcs_url: str, limits: Limits) -> None:
    rng = random.Random(11)
    data, records = customers_csv(rng, 40)
    lines = "".join(json.dumps({"customer": {"email": r["email"], "id": r["national_id"]}}) + "\n"
                    for r in records)
    upload(gcs_url, "th-crm-exports", {"exports/customers.csv": data,
                                       "exports/customers.jsonl.gz": gzip.compress(lines.encode())})

    samples = samples_by_name(collect_one(gcs_url, limits))

    plain = samples["exports/customers.csv"]
    assert plain.status is CoverageStatus.ASSESSED, plain.reason
    assert (plain.format, plain.rows_sampled, plain.size, plain.bytes_read) == ("csv", 40, len(data), len(data))
    assert not plain.truncated
    found = pii_of(plain)
    assert PiiType.EMAIL_ADDRESS in found["email"]
    assert PiiType.NATIONAL_ID in found["national_id"]
    packed = samples["exports/customers.jsonl.gz"]
    assert packed.status is CoverageStatus.ASSESSED, packed.reason
    assert packed.format.startswith("jsonl") and packed.rows_sampled == 40
    assert PiiType.EMAIL_ADDRESS in pii_of(packed)["customer.email"]


def test_reads_are_bounded_in_bytes_and_in_objects(gcs_url: str) -> None:
    rng = random.Random(12)
    big, _ = customers_csv(rng, 400)
    objects = {f"daily/{day:02}.csv": customers_csv(rng, 3)[0] for day in range(1, 8)}
    objects["big/all.csv"] = big
    upload(gcs_url, "th-bounded", objects)
    limits = Limits(call_timeout_s=2, max_workers=2, max_objects_per_bucket=3, max_object_bytes=4096)

    bucket = collect_one(gcs_url, limits)

    assert len(bucket.samples) == 3
    assert "gs://th-bounded/big/all.csv" in {s.resource for s in bucket.samples}  # spread over prefixes
    [cut] = [s for s in bucket.samples if s.resource.endswith("big/all.csv")]
    assert cut.status is CoverageStatus.ASSESSED, cut.reason
    assert cut.truncated and cut.bytes_read == 4096 and cut.size == len(big) > 4096
    assert 0 < cut.rows_sampled < 400


def test_parquet_over_the_limit_and_unsupported_content_are_partial(gcs_url: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(13)
    emails = [synth.value(PiiType.EMAIL_ADDRESS, "TH", rng) for _ in range(20)]
    small = io.BytesIO()
    pq.write_table(pa.table({"email": emails}), small)
    large = io.BytesIO()
    pq.write_table(pa.table({"blob": [rng.randbytes(64).hex() for _ in range(400)]}), large,
                   compression="none")
    assert len(small.getvalue()) < 20_000 < len(large.getvalue())
    upload(gcs_url, "th-lake", {"lake/small.parquet": small.getvalue(), "lake/large.parquet": large.getvalue(),
                                "lake/unnamed-dump": large.getvalue(), "img/logo.png": PNG})
    limits = Limits(call_timeout_s=2, max_workers=2, max_object_bytes=20_000)

    samples = samples_by_name(collect_one(gcs_url, limits))

    whole = samples["lake/small.parquet"]
    assert (whole.status, whole.format, whole.truncated) == (CoverageStatus.ASSESSED, "parquet", False)
    assert PiiType.EMAIL_ADDRESS in pii_of(whole)["email"]
    for name in ("lake/large.parquet", "lake/unnamed-dump"):  # by name: footer range-read; by content after
        skipped = samples[name]
        assert skipped.status is CoverageStatus.PARTIAL
        assert skipped.format == "parquet" and "max_object_bytes" in skipped.reason
        assert skipped.fields == ()
    # The footer was range-read, the row group (over the bound) was not.
    assert 0 < samples["lake/large.parquet"].bytes_read <= limits.max_object_bytes
    assert "first row group" in samples["lake/large.parquet"].reason
    png = samples["img/logo.png"]
    assert png.status is CoverageStatus.PARTIAL and "PNG" in png.reason


def test_a_denied_object_read_costs_that_object_only(gcs_url: str, limits: Limits) -> None:
    rng = random.Random(14)
    upload(gcs_url, "th-mixed", {"a/open.csv": customers_csv(rng, 5)[0], "b/secret.csv": customers_csv(rng, 5)[0]})

    def deny_secret_media(method: str, path: str) -> int | None:
        return 403 if "secret.csv" in path and "alt=media" in path else None

    with DenyingProxy(gcs_url, deny_secret_media) as proxy:
        samples = samples_by_name(collect_one(proxy.url, limits))

    assert samples["b/secret.csv"].status is CoverageStatus.NOT_ASSESSED
    assert samples["b/secret.csv"].reason == "getObject: Forbidden"
    assert samples["a/open.csv"].status is CoverageStatus.ASSESSED


def test_a_denied_object_listing_leaves_the_configuration(gcs_url: str, limits: Limits) -> None:
    upload(gcs_url, "th-nolist", {"x.csv": b"a,b\n1,2\n"})

    def deny_listing(method: str, path: str) -> int | None:
        return 403 if path.split("?")[0].endswith("/o") else None

    with DenyingProxy(gcs_url, deny_listing) as proxy:
        bucket = collect_one(proxy.url, limits)

    assert "public_access_prevention" in bucket.config and "iam_bindings" in bucket.config
    [sample] = bucket.samples
    assert (sample.resource, sample.status, sample.reason) == (
        "gs://th-nolist", CoverageStatus.NOT_ASSESSED, "listObjects: Forbidden")


def test_fine_grained_buckets_record_each_sampled_objects_acl(gcs_url: str, limits: Limits) -> None:
    upload(gcs_url, "th-legacy", {"public.csv": b"a,b\n1,2\n"}, uniform=False)
    upload(gcs_url, "th-uniform", {"other.csv": b"a,b\n1,2\n"}, uniform=True)
    acl = {"items": [{"entity": "allUsers", "role": "READER"}, {"entity": "project-owners-1", "role": "OWNER"}]}

    def public_object_acl(method: str, path: str) -> tuple[int, bytes] | None:
        # The emulator stores no object ACLs; answer as GCS would for a publicRead object.
        return (200, json.dumps(acl).encode()) if path.split("?")[0].endswith("/acl") else None

    with DenyingProxy(gcs_url, public_object_acl) as proxy:
        env = gcp_env(storage=proxy.url, bigquery=None)
        found = {r.resource: r for r in collect_storage(storage_client(env), env, limits).resources}

    [legacy] = found["gs://th-legacy"].samples
    assert legacy.config["acl"] == [{"entity": "allUsers", "role": "READER"},
                                    {"entity": "project-owners-1", "role": "OWNER"}]
    [uniform] = found["gs://th-uniform"].samples
    assert "acl" not in uniform.config  # under uniform access, object ACLs do not apply


def test_no_raw_value_leaves_the_collector(gcs_url: str, limits: Limits, caplog: pytest.LogCaptureFixture) -> None:
    rng = random.Random(15)
    data, records = customers_csv(rng, 25)
    upload(gcs_url, "th-leak", {"customers.csv": data})

    with caplog.at_level(logging.DEBUG, logger="cloudaudit"):
        bucket = collect_one(gcs_url, limits)

    written = bucket.model_dump_json() + repr(bucket) + caplog.text
    assert bucket.samples and bucket.samples[0].fields
    for record in records:
        for key in ("email", "national_id", "phone"):
            assert record[key] not in written, f"a raw {key} value leaked"
