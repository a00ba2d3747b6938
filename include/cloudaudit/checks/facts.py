"""Snapshots → facts tables: one row per resource (one per PII field and type for PII tables).

Facts hold no raw values (booleans, locations, identifiers, counts), so validation results
that echo them can go into the evidence bundle. ``None`` marks what could not be read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudaudit.checks.aws.s3.facts import S3BucketFacts, S3ObjectFacts, s3_facts
from cloudaudit.checks.common.rows import PiiFacts
from cloudaudit.checks.gcp.bq.facts import BqDatasetFacts, BqTableFacts, bq_facts
from cloudaudit.checks.gcp.gcs.facts import GcsBucketFacts, gcs_facts
from cloudaudit.model import CoverageStatus, PiiType, Snapshot

if TYPE_CHECKING:
    import pandas as pd

ROW_TYPES: Mapping[str, type[Any]] = {
    "s3_buckets": S3BucketFacts,
    "s3_objects": S3ObjectFacts,
    "s3_pii": PiiFacts,
    "gcs_buckets": GcsBucketFacts,
    "gcs_pii": PiiFacts,
    "bq_datasets": BqDatasetFacts,
    "bq_tables": BqTableFacts,
    "bq_pii": PiiFacts,
}
TABLES = tuple(ROW_TYPES)
# Kept out of validation frames: GX results echo rows, and no check needs these.
NOT_VALIDATED = frozenset({"masked_example"})


def columns(table: str) -> list[str]:
    """The columns of a table's validation frame."""
    return [f.name for f in dataclasses.fields(ROW_TYPES[table]) if f.name not in NOT_VALIDATED]


@dataclass(frozen=True)
class Facts:
    """Facts rows per table (typed), all PII rows (every type, for the inventory)."""

    rows: Mapping[str, Sequence[Any]]
    all_pii: Sequence[PiiFacts]

    def frame(self, table: str) -> pd.DataFrame:
        """The table as a DataFrame of Python objects (None stays None: GX counts it as missing)."""
        import pandas as pd

        names = columns(table)
        records = [{name: getattr(row, name) for name in names} for row in self.rows[table]]
        return pd.DataFrame.from_records(records, columns=names).astype(object)


def _numbered(rows: Iterable[Any]) -> tuple[Any, ...]:
    """Give every row of a table a unique ``fact_id``, so validation results name rows exactly."""
    return tuple(dataclasses.replace(row, fact_id=i) for i, row in enumerate(rows))


def regulated_only(rows: Iterable[PiiFacts], regulated: Collection[PiiType]) -> list[PiiFacts]:
    """PII rows of the types a country regulates."""
    wanted = set(regulated)
    return [row for row in rows if row.pii_type in wanted]


def assessed(snapshots: Iterable[Snapshot]) -> list[Snapshot]:
    """Snapshots whose environment could be read at all."""
    return [s for s in snapshots if s.status is not CoverageStatus.NOT_ASSESSED]


def build_facts(snapshots: Sequence[Snapshot], regulated: Collection[PiiType]) -> Facts:
    """All facts tables of a country's snapshots; PII tables keep the regulated types only."""
    readable = assessed(snapshots)
    s3_buckets, s3_objects, s3_pii = s3_facts(readable)
    gcs_buckets, gcs_pii = gcs_facts(readable)
    bq_datasets, bq_tables, bq_pii = bq_facts(readable, regulated)
    rows: dict[str, Sequence[Any]] = {
        "s3_buckets": s3_buckets, "s3_objects": s3_objects, "s3_pii": regulated_only(s3_pii, regulated),
        "gcs_buckets": gcs_buckets, "gcs_pii": regulated_only(gcs_pii, regulated),
        "bq_datasets": bq_datasets, "bq_tables": bq_tables, "bq_pii": regulated_only(bq_pii, regulated),
    }
    return Facts(rows={table: _numbered(rows[table]) for table in TABLES},
                 all_pii=(*s3_pii, *gcs_pii, *bq_pii))
