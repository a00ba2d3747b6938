"""Cloud Storage: an object the parser could not read to its bounds is PARTIAL with the reason."""

from __future__ import annotations

import random

from cloudaudit.config import Limits
from cloudaudit.model import CoverageStatus, PiiType
from cloudaudit_demo import synth
from tests.cloudaudit.collectors.gcp.test_gcp_storage_samples import collect_one, samples_by_name, upload


def test_a_cell_over_the_csv_field_limit_makes_the_sample_partial(gcs_url: str) -> None:
    rng = random.Random(22)
    emails = [synth.value(PiiType.EMAIL_ADDRESS, "TH", rng) for _ in range(10)]
    notes = "id,note\n1," + "x" * 140_000 + "\n" + "".join(f"{n},{e}\n" for n, e in enumerate(emails, 2))
    upload(gcs_url, "th-partial", {"notes.csv": notes.encode()})

    sample = samples_by_name(collect_one(gcs_url, Limits()))["notes.csv"]

    assert sample.status is CoverageStatus.PARTIAL
    assert sample.reason.startswith("csv: a row with a cell over the csv field limit")
    assert PiiType.EMAIL_ADDRESS in {f.field: f.pii_types for f in sample.fields}["note"]
