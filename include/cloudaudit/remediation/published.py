"""The findings a remediation answers: read from the country's published, verified evidence bundle.

The bundle is checked exactly as ``cloudaudit verify`` checks it (against the configured signing
key's public half when there is one), then the Findings sheet of the spreadsheet inside it is
read by column name. Nothing else (state store, XCom) is trusted for what is open.
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cloudaudit.config import output_root
from cloudaudit.errors import BundleInvalid, ConfigError
from cloudaudit.evidence.bundle import sha256_hex
from cloudaudit.store.backend import open_store
from cloudaudit.store.publication import bundle_key, spreadsheet_of

log = logging.getLogger(__name__)

FINDINGS_SHEET = "Findings"
COLUMNS = {"Environment": "environment", "Provider": "provider", "Service": "service", "Resource": "resource",
           "Check ID": "check_id", "Category": "category", "Severity": "severity", "Status": "status"}


@dataclass(frozen=True)
class PublishedFinding:
    environment: str
    provider: str
    service: str
    resource: str
    check_id: str
    category: str
    severity: str
    status: str


@dataclass(frozen=True)
class PublishedBundle:
    location: str
    sha256: str
    findings: tuple[PublishedFinding, ...]


def _pinned_key(directory: Path) -> Path | None:
    """The configured signing key's public half, as a PEM file; None when no key is configured."""
    from cloudaudit.evidence.signing import public_key_pem
    from cloudaudit.pipeline import signing_key

    try:
        key = signing_key()
    except ConfigError:
        return None
    path = directory / "signing_key.pub"
    path.write_bytes(public_key_pem(key))
    return path


def verified_bytes(data: bytes, name: str) -> None:
    """Raise BundleInvalid unless ``data`` verifies (hashes, layout, signature)."""
    from cloudaudit.evidence.verify import verify_bundle

    with tempfile.TemporaryDirectory(prefix="cloudaudit-remediation-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = verify_bundle(path, _pinned_key(Path(tmp)))
        result.raise_for_problems()


def findings_from_workbook(data: bytes) -> list[PublishedFinding]:
    """Every row of the Findings sheet (SPEC columns, found by name)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = wb[FINDINGS_SHEET].iter_rows(values_only=True)
        header = [str(c) if c is not None else "" for c in next(rows, ())]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise BundleInvalid(f"{FINDINGS_SHEET} sheet lacks {', '.join(missing)}")
        index = {field: header.index(name) for name, field in COLUMNS.items()}
        return [PublishedFinding(**{field: str(row[i] or "") for field, i in index.items()})
                for row in rows if any(cell is not None for cell in row)]
    finally:
        wb.close()


def read_published(country: str, run_date: str) -> PublishedBundle:
    """The country's evidence bundle of ``run_date``, verified, and its findings.

    Raises ConfigError when nothing is published for that date, BundleInvalid when it does not verify.
    """
    out = open_store(output_root())
    key = bundle_key(country, run_date)
    data = out.read_bytes(key)
    if data is None:
        raise ConfigError(f"no evidence bundle published for {country} on {run_date} ({out.location(key)})")
    verified_bytes(data, key.rsplit("/", 1)[-1])
    findings = findings_from_workbook(spreadsheet_of(data, country, run_date))
    log.info("read %d findings of %s %s from %s", len(findings), country, run_date, out.location(key))
    return PublishedBundle(out.location(key), sha256_hex(data), tuple(findings))
