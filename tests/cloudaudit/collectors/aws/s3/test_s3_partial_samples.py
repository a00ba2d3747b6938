"""A sampled object the parser could not read to its bounds is PARTIAL with the reason, never
ASSESSED and clean; what it did read still counts, and map keys reach no field name."""

from __future__ import annotations

import json
import random
from typing import Any

from cloudaudit.collectors.aws.s3 import collect_s3
from cloudaudit.config import Limits
from cloudaudit.model import CoverageStatus, PiiType, SampleResult
from cloudaudit_demo import synth


def _samples(account: Any, bucket: str) -> dict[str, SampleResult]:
    [resource] = [r for r in collect_s3(account.env, Limits()).resources if r.resource == f"s3://{bucket}"]
    return {s.resource.rsplit("/", 1)[-1]: s for s in resource.samples}


def test_partial_parse_and_data_keyed_maps(account: Any, bucket_name: Any) -> None:
    rng = random.Random(21)
    emails = [synth.value(PiiType.EMAIL_ADDRESS, "JP", rng) for _ in range(10)]
    ids = [synth.value(PiiType.NATIONAL_ID, "JP", rng) for _ in range(10)]
    notes = "id,note\n1," + "x" * 140_000 + "\n" + "".join(f"{n},{e}\n" for n, e in enumerate(emails, 2))
    wide = ",".join(f"customer_field_{n}" for n in range(200_000)) + "\nTaro,taro@example.com\n"
    by_id = json.dumps({"by_national_id": {i: {"visits": 1} for i in ids}})
    bucket = account.create_bucket(bucket_name("partial"))
    s3 = account.s3()
    for key, body in (("notes.csv", notes), ("wide.csv", wide), ("by_id.json", by_id)):
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode())

    samples = _samples(account, bucket)

    over = samples["notes.csv"]
    assert over.status is CoverageStatus.PARTIAL
    assert over.reason.startswith("csv: a row with a cell over the csv field limit")
    assert {f.field: f.pii_types for f in over.fields if f.pii}["note"] == (PiiType.EMAIL_ADDRESS,)
    assert (samples["wide.csv"].status, samples["wide.csv"].rows_sampled) == (CoverageStatus.PARTIAL, 0)
    assert samples["wide.csv"].reason
    keyed = samples["by_id.json"]
    assert keyed.status is CoverageStatus.ASSESSED
    assert PiiType.NATIONAL_ID in {f.field: f.pii_types for f in keyed.fields}["by_national_id.<key>"]
    dumped = keyed.model_dump_json()
    assert not [i for i in ids if i in dumped]
