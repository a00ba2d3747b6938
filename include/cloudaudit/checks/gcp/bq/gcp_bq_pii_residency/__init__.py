"""Check gcp_bq_pii_residency."""

from __future__ import annotations
