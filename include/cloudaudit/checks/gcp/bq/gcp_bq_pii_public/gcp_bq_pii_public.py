"""gcp_bq_pii_public: Regulated PII in a publicly readable BigQuery table (rule in ``checks/common/exposure.py``)."""

from __future__ import annotations

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.common.exposure import COLUMN, PII_TYPES_COLUMN, detail, value_set

METADATA = load_metadata(__file__)
__all__ = ["COLUMN", "METADATA", "PII_TYPES_COLUMN", "detail", "value_set"]
