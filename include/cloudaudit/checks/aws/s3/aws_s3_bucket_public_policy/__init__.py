"""Check aws_s3_bucket_public_policy."""

from __future__ import annotations
