"""The demo estate's seeded data, parsed and detected in memory (no servers): every object and
table yields the PII types it must, and none that were not planted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.model import CoverageStatus, PiiType
from cloudaudit.pii import detect_sample
from cloudaudit.sampling import analyse_bytes
from cloudaudit_demo.estate.plan import BqField, EstatePlan, SeedObject, build_plan


@pytest.fixture(scope="module")
def plan() -> EstatePlan:
    return build_plan(7)


def _objects(plan: EstatePlan) -> Iterator[tuple[str, SeedObject]]:
    for account in plan.aws:
        for bucket in account.buckets:
            for seeded in bucket.objects:
                yield account.env.country, seeded
    for project in plan.gcp:
        for gcs in project.buckets:
            for seeded in gcs.objects:
                yield project.env.country, seeded


def test_objects_yield_what_was_planted(plan: EstatePlan) -> None:
    checked = 0
    for country, seeded in _objects(plan):
        try:
            _sample, results = analyse_bytes(seeded.key, seeded.data, country=country, limits=Limits(),
                                             content_type=seeded.content_type)
        except SampleSkipped:
            assert seeded.coverage is not CoverageStatus.ASSESSED or not seeded.pii_types, seeded.key
            continue
        found = {t for result in results for t in result.pii_types}
        assert seeded.pii_types <= found, (seeded.key, sorted(seeded.pii_types - found))
        assert found <= seeded.planted_types, (seeded.key, sorted(found - seeded.planted_types))
        checked += 1
    assert checked >= 15


@dataclass(frozen=True)
class _SchemaField:
    """A BqField seen as google.cloud.bigquery.SchemaField (what rows_to_sample reads)."""

    name: str
    field_type: str
    mode: str
    fields: tuple[_SchemaField, ...]
    policy_tags: Any = None


def _schema(field: BqField) -> _SchemaField:
    return _SchemaField(field.name, field.type, field.mode, tuple(_schema(f) for f in field.fields))


def test_bigquery_tables_yield_their_pii_columns(plan: EstatePlan) -> None:
    from cloudaudit.collectors.gcp.bigquery.rows import rows_to_sample, schema_column

    checked = 0
    for project in plan.gcp:
        for dataset in project.datasets:
            for table in dataset.tables:
                sample = rows_to_sample([_schema(f) for f in table.fields], table.rows, max_fields=200,
                                        max_cell_chars=2000)
                declared = table.pii_columns
                for result in detect_sample(sample, project.env.country):
                    expected = declared.get(schema_column(result.field))
                    want: set[PiiType] = {expected} if expected is not None else set()
                    assert set(result.pii_types) == want, (table.table_id, result.field, result.pii_types)
                checked += 1
    assert checked >= 3
