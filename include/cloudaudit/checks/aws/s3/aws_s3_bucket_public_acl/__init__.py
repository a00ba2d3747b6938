"""Check aws_s3_bucket_public_acl."""

from __future__ import annotations
