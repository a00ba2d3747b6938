"""Check gcp_gcs_bucket_public."""

from __future__ import annotations
