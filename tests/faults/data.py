"""Synthetic objects for fault tests: Faker people, and damaged encodings of them."""

from __future__ import annotations

import csv
import gzip
import io
import json


def people_csv(count: int = 40, seed: int = 12) -> bytes:
    """A CSV of synthetic customers (name, e-mail, phone): something the detectors must find."""
    from faker import Faker

    fake = Faker("en_AU")
    fake.seed_instance(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer_name", "email", "phone"])
    for _ in range(count):
        writer.writerow([fake.name(), fake.email(), fake.phone_number()])
    return out.getvalue().encode()


def people_jsonl(count: int = 40, seed: int = 13) -> bytes:
    from faker import Faker

    fake = Faker("en_AU")
    fake.seed_instance(seed)
    return b"".join(json.dumps({"email": fake.email(), "name": fake.name()}).encode() + b"\n"
                    for _ in range(count))


def corrupt_gzip() -> bytes:
    """A gzip header followed by bytes that are not a deflate stream."""
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(7, 250)) * 4


def truncated_gzip() -> bytes:
    """A valid gzip of a CSV, cut in the middle (no trailer, an unfinished stream)."""
    whole = gzip.compress(people_csv(400))
    return whole[: len(whole) // 2]


def truncated_parquet() -> bytes:
    """A Parquet file cut before its footer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"email": [f"user{i}@example.com" for i in range(200)]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    whole = buf.getvalue()
    return whole[: len(whole) // 2]
