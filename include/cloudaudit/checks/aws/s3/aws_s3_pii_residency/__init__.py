"""Check aws_s3_pii_residency."""

from __future__ import annotations
