"""The evidence bundle's member layout, spelled once.

    compliance_<CC>_<D>.xlsx        the spreadsheet
    snapshots/<environment>.json    configuration snapshot (no sample values)
    pii/<environment>.json          masked PII detection results and the PII Inventory rows
    validation/<suite>.json         Great Expectations validation results
    data_docs/...html               Data Docs rendered from those results

Findings name their supporting member (``evidence_member``); the bundle builder, the
Data Docs renderer and the publish step place members with the same functions.
"""

from __future__ import annotations

SNAPSHOTS = "snapshots"
PII = "pii"
VALIDATION = "validation"
DATA_DOCS = "data_docs"


def snapshot_member(environment: str) -> str:
    """>>> snapshot_member("jp-prod")
    'snapshots/jp-prod.json'
    """
    return f"{SNAPSHOTS}/{environment}.json"


def pii_member(environment: str) -> str:
    return f"{PII}/{environment}.json"


def validation_member(suite: str) -> str:
    return f"{VALIDATION}/{suite}.json"


def data_docs_member(path: str) -> str:
    """A Data Docs page, ``path`` relative to the Data Docs root (a path already under it is kept)."""
    return path if path.startswith(f"{DATA_DOCS}/") else f"{DATA_DOCS}/{path}"
