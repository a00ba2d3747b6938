"""Check gcp_bq_dataset_public."""

from __future__ import annotations
