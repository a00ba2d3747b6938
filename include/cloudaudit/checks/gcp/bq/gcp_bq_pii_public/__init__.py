"""Check gcp_bq_pii_public."""

from __future__ import annotations
