"""Build the evidence bundle: members + a manifest of their hashes, signed with Ed25519.

Layout of ``evidence_<CC>_<D>.zip``::

    manifest.json     canonical JSON: run metadata, every member's path, SHA-256 and size,
                      and the previous bundle's SHA-256 and run date (a hash chain per
                      country; days without a publication are skipped, so the run date
                      says which bundle this one chains to: the one of that date committed
                      when this one was built; if that date is re-run later, the link
                      names the superseded bundle, retained in the state store)
    manifest.sig      the raw 64-byte Ed25519 signature over the exact bytes of manifest.json
    signing_key.pub   the signer's public key (PEM), itself a listed member
    <members>         snapshots/, pii/, validation/, data_docs/, the spreadsheet

Identical inputs give identical bytes (sorted members, canonical JSON, timestamps from the
run date, and Ed25519 signatures are deterministic), so a re-run can be compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudaudit.errors import EvidenceError
from cloudaudit.evidence.paths import MANIFEST, PUBLIC_KEY, RESERVED, SIGNATURE, check_member_path
from cloudaudit.evidence.signing import fingerprint, public_key_pem
from cloudaudit.evidence.zipwrite import write_zip, zip_timestamp

FORMAT = "cloudaudit-evidence"
REMEDIATION_FORMAT = "cloudaudit-remediation"  # remediation_<CC>_<D>.zip (cloudaudit.remediation)
FORMATS = (FORMAT, REMEDIATION_FORMAT)  # what ``cloudaudit verify`` accepts: same layout, same signature
FORMAT_VERSION = 1
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, UTF-8, no insignificant whitespace, trailing newline: one byte form per value.

    >>> canonical_json({"b": 1, "a": "é"})
    b'{"a":"\\xc3\\xa9","b":1}\\n'
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8") + b"\n"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_manifest(*, country: str, run_date: str, dag_id: str, run_id: str, generated_at: str,
                   captured_at: str | None, tool_version: str, policy_digest: str,
                   members: Mapping[str, bytes], previous_bundle_sha256: str | None,
                   signer_fingerprint: str, previous_bundle_run_date: str | None = None,
                   format: str = FORMAT, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The manifest as a dict; ``members`` must already include ``signing_key.pub``.

    ``format``: one of ``FORMATS``; ``extra``: further top-level fields of that format (they may
    not replace the common ones)."""
    if format not in FORMATS:
        raise EvidenceError(f"format: expected one of {', '.join(FORMATS)}")
    common = {
        "format": format,
        "format_version": FORMAT_VERSION,
        "country": country,
        "run_date": run_date,
        "dag_id": dag_id,
        "run_id": run_id,
        "generated_at": generated_at,
        "captured_at": captured_at,
        "tool_version": tool_version,
        "policy_digest": policy_digest,
        "previous_bundle_sha256": previous_bundle_sha256,
        "previous_bundle_run_date": previous_bundle_run_date,
        "signature": {"algorithm": "Ed25519", "file": SIGNATURE, "signed": MANIFEST,
                      "public_key": PUBLIC_KEY, "public_key_fingerprint": signer_fingerprint},
        "members": [
            {"path": path, "sha256": sha256_hex(data), "size": len(data)}
            for path, data in sorted(members.items())
        ],
    }
    clash = sorted(set(extra or {}) & set(common))
    if clash:
        raise EvidenceError(f"manifest fields {', '.join(clash)} are common to every format and cannot be extra")
    return {**common, **(extra or {})}


def build_bundle(*, country: str, run_date: str, dag_id: str, run_id: str, generated_at: str,
                 captured_at: str | None, tool_version: str, policy_digest: str,
                 members: Mapping[str, bytes], previous_bundle_sha256: str | None,
                 private_key: Ed25519PrivateKey, previous_bundle_run_date: str | None = None,
                 format: str = FORMAT, extra: Mapping[str, Any] | None = None) -> bytes:
    """The signed bundle's zip bytes (an evidence bundle unless ``format`` says otherwise).

    ``members`` maps relative paths (``snapshots/<env>.json``, ``pii/<env>.json``,
    ``validation/<suite>.json``, ``data_docs/...html``, ``compliance_<CC>_<D>.xlsx``) to bytes.
    Raises EvidenceError for an unsafe or reserved path or a malformed previous hash.
    """
    for path in members:
        check_member_path(path)
        if path in RESERVED:
            raise EvidenceError(f"member path {path!r} is reserved for the bundle itself")
    if previous_bundle_sha256 is not None and not _SHA256_HEX.match(previous_bundle_sha256):
        raise EvidenceError("previous_bundle_sha256: expected 64 lower-case hex digits")
    if previous_bundle_run_date is not None and (previous_bundle_sha256 is None or not _DATE.match(
            previous_bundle_run_date) or previous_bundle_run_date >= run_date):
        raise EvidenceError("previous_bundle_run_date: expected an earlier YYYY-MM-DD, with its SHA-256")

    listed = {**members, PUBLIC_KEY: public_key_pem(private_key)}
    manifest = build_manifest(
        country=country, run_date=run_date, dag_id=dag_id, run_id=run_id, generated_at=generated_at,
        captured_at=captured_at, tool_version=tool_version, policy_digest=policy_digest, members=listed,
        previous_bundle_sha256=previous_bundle_sha256, signer_fingerprint=fingerprint(private_key),
        previous_bundle_run_date=previous_bundle_run_date, format=format, extra=extra)
    manifest_bytes = canonical_json(manifest)
    signature = private_key.sign(manifest_bytes)  # Ed25519 is deterministic: same key + bytes, same signature

    entries = [(MANIFEST, manifest_bytes), (SIGNATURE, signature), *sorted(listed.items())]
    return write_zip(entries, zip_timestamp(run_date))
