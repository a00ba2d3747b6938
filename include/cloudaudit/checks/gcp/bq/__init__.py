"""BigQuery checks and facts."""

from __future__ import annotations
