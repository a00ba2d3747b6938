"""Check aws_s3_object_public_acl."""

from __future__ import annotations
