"""Google Cloud checks."""

from __future__ import annotations
