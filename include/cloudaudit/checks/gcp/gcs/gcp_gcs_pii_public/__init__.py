"""Check gcp_gcs_pii_public."""

from __future__ import annotations
