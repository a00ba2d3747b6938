"""Amazon S3 checks and facts."""

from __future__ import annotations
