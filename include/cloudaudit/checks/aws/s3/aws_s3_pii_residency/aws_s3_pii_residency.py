"""aws_s3_pii_residency: Regulated PII stored in an S3 region the country does not allow (rule in ``checks/common/residency.py``)."""

from __future__ import annotations

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.common.residency import COLUMN, PII_TYPES_COLUMN, detail, value_set

METADATA = load_metadata(__file__)
__all__ = ["COLUMN", "METADATA", "PII_TYPES_COLUMN", "detail", "value_set"]
