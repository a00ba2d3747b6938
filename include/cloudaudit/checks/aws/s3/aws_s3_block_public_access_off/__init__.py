"""Check aws_s3_block_public_access_off."""

from __future__ import annotations
