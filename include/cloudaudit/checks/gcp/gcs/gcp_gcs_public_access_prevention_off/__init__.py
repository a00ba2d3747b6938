"""Check gcp_gcs_public_access_prevention_off."""

from __future__ import annotations
