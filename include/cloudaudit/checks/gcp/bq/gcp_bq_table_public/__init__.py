"""Check gcp_bq_table_public."""

from __future__ import annotations
