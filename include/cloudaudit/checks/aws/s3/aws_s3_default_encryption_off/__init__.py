"""Check aws_s3_default_encryption_off."""

from __future__ import annotations
