"""Check gcp_bq_pii_column_untagged."""

from __future__ import annotations
