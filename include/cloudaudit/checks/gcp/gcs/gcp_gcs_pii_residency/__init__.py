"""Check gcp_gcs_pii_residency."""

from __future__ import annotations
