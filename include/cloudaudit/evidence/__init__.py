"""Signed, tamper-evident evidence bundles: build (``bundle``), sign (``signing``), check (``verify``).

Heavy or optional dependencies (cryptography, Airflow) are imported by the submodules
that need them, so importing this package costs nothing.
"""

from __future__ import annotations
