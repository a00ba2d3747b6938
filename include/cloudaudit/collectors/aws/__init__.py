"""AWS collectors: clients are built in ``session``, calls are wrapped in ``calls``, S3 lives in ``s3``."""

from __future__ import annotations
