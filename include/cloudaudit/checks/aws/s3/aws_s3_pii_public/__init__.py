"""Check aws_s3_pii_public."""

from __future__ import annotations
