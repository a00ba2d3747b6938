"""Check an evidence bundle: ``cloudaudit verify BUNDLE.zip [--public-key FILE]``.

Both formats of ``evidence.bundle.FORMATS`` are accepted: ``cloudaudit-evidence``
(``evidence_<CC>_<D>.zip``) and ``cloudaudit-remediation`` (``remediation_<CC>_<D>.zip``, see
``cloudaudit.remediation.bundle``); the format verified is printed.

Exit 0 when every listed member is present with its SHA-256 and size, nothing unlisted is
present, the file is exactly its listed entries (no prepended or appended bytes, no comment, no
hidden local entry: see ``ziplayout``), and the Ed25519 signature over ``manifest.json`` holds;
1 naming each member (or the signature) that does not; 2 when the input cannot be used (not a
regular file, not a zip, no manifest, unreadable key).

Names come from the archive and may hold control characters; every name in a problem, and
every printed line, is escaped (``localio.escape``), so a name cannot forge an "OK" line.

Nothing is extracted to disk, so hostile member names (zip slip) cannot write anywhere; they
are reported. Sizes are checked against the manifest before a member is read, and reads are
capped at the declared size, so a zip bomb cannot exhaust memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cloudaudit.errors import BundleInvalid, ConfigError, EvidenceError
from cloudaudit.evidence.bundle import FORMAT_VERSION, FORMATS
from cloudaudit.evidence.paths import MANIFEST, PUBLIC_KEY, SIGNATURE, member_path_problem
from cloudaudit.evidence.signing import fingerprint, public_key_from_pem
from cloudaudit.evidence.ziplayout import layout_problems
from cloudaudit.localio import NotRegularFile, escape, open_regular

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_KEY_BYTES = 64 * 1024
MAX_MEMBER_BYTES = 2 * 1024**3  # per member, as declared by the manifest
MAX_TOTAL_BYTES = 8 * 1024**3
MAX_ENTRIES = 100_000
SIGNATURE_BYTES = 64
_CHUNK = 1024 * 1024
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# what zipfile raises on a damaged entry: bad CRC, broken deflate stream, encryption, unknown method
_ENTRY_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class VerifyResult:
    """What ``verify_bundle`` found; ``problems`` each start with the member they are about."""

    bundle: Path
    problems: tuple[str, ...]
    members_checked: int
    key_source: str  # "bundle" (its signing_key.pub) or the --public-key path
    key_fingerprint: str | None
    signature_valid: bool
    manifest: Mapping[str, Any] | None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def raise_for_problems(self) -> None:
        """Raise BundleInvalid (listing every problem) unless the bundle verified."""
        if self.problems:
            raise BundleInvalid(f"{escape(self.bundle.name)}: " + "; ".join(self.problems))


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The entry's bytes, or None when it holds more than ``cap`` bytes (read stops there)."""
    with archive.open(info) as handle:
        data = handle.read(cap + 1)
    return None if len(data) > cap else data


def _hash_capped(handle: IO[bytes], cap: int) -> tuple[str, int]:
    """SHA-256 and byte count of a stream, reading at most ``cap + 1`` bytes."""
    digest = hashlib.sha256()
    total = 0
    while total <= cap:
        chunk = handle.read(min(_CHUNK, cap + 1 - total))
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
    return digest.hexdigest(), total


def parse_manifest(data: bytes) -> tuple[dict[str, Any], list[ManifestEntry]]:
    """The manifest and its member entries; BundleInvalid naming the field when malformed."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleInvalid(f"{MANIFEST}: not valid UTF-8 JSON") from None
    if not isinstance(manifest, dict):
        raise BundleInvalid(f"{MANIFEST}: not a JSON object")
    if manifest.get("format") not in FORMATS or manifest.get("format_version") != FORMAT_VERSION:
        raise BundleInvalid(f"{MANIFEST}: not a {' or '.join(FORMATS)} manifest of format version {FORMAT_VERSION}")
    members = manifest.get("members")
    if not isinstance(members, list):
        raise BundleInvalid(f"{MANIFEST}: members: expected a list")
    entries: list[ManifestEntry] = []
    for index, item in enumerate(members):
        where = f"{MANIFEST}: members[{index}]"
        if not isinstance(item, dict):
            raise BundleInvalid(f"{where}: expected an object")
        path, sha256, size = item.get("path"), item.get("sha256"), item.get("size")
        if not isinstance(path, str) or member_path_problem(path) or path in (MANIFEST, SIGNATURE):
            raise BundleInvalid(f"{where}.path: not a safe member path")
        if not isinstance(sha256, str) or not _SHA256_HEX.match(sha256):
            raise BundleInvalid(f"{where}.sha256: expected 64 lower-case hex digits")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise BundleInvalid(f"{where}.size: expected a non-negative integer")
        entries.append(ManifestEntry(path, sha256, size))
    duplicated = sorted(path for path, n in Counter(e.path for e in entries).items() if n > 1)
    if duplicated:
        raise BundleInvalid(f"{MANIFEST}: members listed twice: {escape(', '.join(duplicated))}")
    return manifest, entries


def _load_public_key_file(path: Path) -> Ed25519PublicKey:
    try:
        with open_regular(path) as handle:
            data = handle.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise EvidenceError(f"public key {escape(str(path))}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_KEY_BYTES:
        raise EvidenceError(f"public key {escape(str(path))}: too large to be a PEM key")
    try:
        return public_key_from_pem(data, str(path))
    except ConfigError as exc:
        raise EvidenceError(str(exc)) from None


def _open_file(path: Path) -> BinaryIO:
    """The bundle file, opened only if it is a regular file (a FIFO would block the read forever)."""
    shown = escape(str(path))
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise EvidenceError(f"{shown}: file not found") from None
    except NotRegularFile as exc:
        raise EvidenceError(f"{shown}: {exc.strerror}") from None
    except OSError as exc:
        raise EvidenceError(f"{shown}: cannot read ({exc.strerror})") from None


def _open_zip(path: Path, handle: BinaryIO) -> zipfile.ZipFile:
    shown = escape(str(path))
    try:
        archive = zipfile.ZipFile(handle)
    except OSError as exc:
        raise EvidenceError(f"{shown}: cannot read ({exc.strerror})") from None
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise EvidenceError(f"{shown}: not a zip archive (or one using unsupported zip features)") from None
    if len(archive.infolist()) > MAX_ENTRIES:
        archive.close()
        raise EvidenceError(f"{shown}: more than {MAX_ENTRIES} entries; not a cloudaudit bundle")
    return archive


class _Check:
    """Accumulates problems while one bundle is checked."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.problems: list[str] = []
        self.infos = {info.filename: info for info in archive.infolist()}

    def entry_names(self) -> None:
        counts = Counter(info.filename for info in self.archive.infolist())
        for name, count in sorted(counts.items()):
            if count > 1:
                self.problems.append(f"{escape(name)}: appears {count} times in the zip")
            problem = member_path_problem(name)
            if problem:
                self.problems.append(f"{escape(name)}: unsafe entry name ({problem})")

    def members(self, entries: list[ManifestEntry]) -> int:
        """Check listed members against the zip; returns how many were hashed."""
        listed = {e.path for e in entries}
        for name in sorted(set(self.infos) - listed - {MANIFEST, SIGNATURE}):
            self.problems.append(f"{escape(name)}: present in the bundle but not listed in the manifest")
        if sum(e.size for e in entries) > MAX_TOTAL_BYTES:
            self.problems.append(f"{MANIFEST}: declared sizes exceed {MAX_TOTAL_BYTES} bytes in total")
            return 0
        checked = 0
        for entry in entries:
            info = self.infos.get(entry.path)
            if info is None:
                self.problems.append(f"{escape(entry.path)}: listed in the manifest but missing from the bundle")
            elif entry.size > MAX_MEMBER_BYTES:
                self.problems.append(f"{escape(entry.path)}: declared size exceeds {MAX_MEMBER_BYTES} bytes")
            elif info.file_size != entry.size:  # the zip header's size, known before reading
                self.problems.append(f"{escape(entry.path)}: size {info.file_size} differs from the manifest's {entry.size}")
            else:
                checked += 1
                self._hash(entry, info)
        return checked

    def _hash(self, entry: ManifestEntry, info: zipfile.ZipInfo) -> None:
        try:
            with self.archive.open(info) as handle:
                digest, size = _hash_capped(handle, entry.size)
        except _ENTRY_ERRORS:  # a corrupted entry is tampering too
            self.problems.append(f"{escape(entry.path)}: unreadable (corrupt zip entry)")
            return
        if size != entry.size:
            self.problems.append(f"{escape(entry.path)}: size {size} differs from the manifest's {entry.size}")
        elif digest != entry.sha256:
            self.problems.append(f"{escape(entry.path)}: SHA-256 does not match the manifest")

    def read_small(self, name: str, cap: int) -> bytes | None:
        """A small entry's bytes; None (with a problem noted) when absent, too big or corrupt."""
        info = self.infos.get(name)
        if info is None:
            self.problems.append(f"{name}: missing from the bundle")
            return None
        try:
            data = _read_capped(self.archive, info, cap)
        except _ENTRY_ERRORS:
            self.problems.append(f"{name}: unreadable (corrupt zip entry)")
            return None
        if data is None:
            self.problems.append(f"{name}: larger than {cap} bytes")
        return data


def verify_bundle(path: Path, public_key: Path | None = None) -> VerifyResult:
    """Check a bundle's members, manifest and signature.

    Raises EvidenceError when the input is unusable (not a zip, no manifest, unreadable
    ``public_key``); every other problem is returned in the result, naming its member.
    """
    path = Path(path)
    trusted_key = _load_public_key_file(public_key) if public_key is not None else None
    with _open_file(path) as handle, _open_zip(path, handle) as archive:
        if MANIFEST not in {info.filename for info in archive.infolist()}:
            raise EvidenceError(f"{escape(str(path))}: no {MANIFEST}; not a cloudaudit evidence bundle")
        check = _Check(archive)
        check.problems += layout_problems(handle, os.fstat(handle.fileno()).st_size)
        check.entry_names()
        manifest_bytes = check.read_small(MANIFEST, MAX_MANIFEST_BYTES)
        if manifest_bytes is None:
            return _result(path, check, 0, public_key, None, False, None)

        key = trusted_key
        if key is None:
            key_pem = check.read_small(PUBLIC_KEY, MAX_KEY_BYTES)
            if key_pem is not None:
                try:
                    key = public_key_from_pem(key_pem, PUBLIC_KEY)
                except ConfigError:
                    check.problems.append(f"{PUBLIC_KEY}: not an Ed25519 PEM public key")

        signature_valid = False
        signature = check.read_small(SIGNATURE, SIGNATURE_BYTES)
        if signature is not None and len(signature) != SIGNATURE_BYTES:
            check.problems.append(f"{SIGNATURE}: not a {SIGNATURE_BYTES}-byte Ed25519 signature")
        elif signature is not None and key is not None:
            try:
                key.verify(signature, manifest_bytes)
                signature_valid = True
            except InvalidSignature:
                check.problems.append(
                    f"{SIGNATURE}: the signature over {MANIFEST} does not hold for key {fingerprint(key)}")
        elif signature is not None:
            check.problems.append(f"{SIGNATURE}: not checked, no usable public key")

        manifest: dict[str, Any] | None = None
        checked = 0
        try:
            manifest, entries = parse_manifest(manifest_bytes)
        except BundleInvalid as exc:
            check.problems.append(str(exc))
        else:
            checked = check.members(entries)
        return _result(path, check, checked, public_key, key, signature_valid, manifest)


def _result(path: Path, check: _Check, checked: int, public_key: Path | None, key: Ed25519PublicKey | None,
            signature_valid: bool, manifest: Mapping[str, Any] | None) -> VerifyResult:
    return VerifyResult(
        bundle=path, problems=tuple(check.problems), members_checked=checked,
        key_source=str(public_key) if public_key is not None else "bundle",
        key_fingerprint=fingerprint(key) if key is not None else None,
        signature_valid=signature_valid, manifest=manifest)


def bundle_sha256(path: Path) -> str:
    """The SHA-256 of a bundle file: what the next bundle's manifest records as its predecessor."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def chain_problem(previous: Path, current: VerifyResult) -> str | None:
    """Why ``current`` does not chain onto the ``previous`` bundle file, or None when it does."""
    if current.manifest is None:
        return f"{MANIFEST}: unreadable, chain not checked"
    recorded = current.manifest.get("previous_bundle_sha256")
    actual = bundle_sha256(previous)
    if recorded != actual:
        return f"previous_bundle_sha256: does not match {escape(Path(previous).name)}"
    return None


def verify_chain(bundles: Sequence[Path], public_key: Path | None = None) -> list[str]:
    """Check a country's bundles, oldest first: each verifies and records its predecessor's SHA-256.

    Returns the problems, each naming the bundle file; empty when the whole chain holds.
    Raises EvidenceError when one of the files is unusable, as ``verify_bundle`` does.
    """
    problems: list[str] = []
    previous: Path | None = None
    for path in bundles:
        result = verify_bundle(path, public_key)
        problems += [f"{escape(Path(path).name)}: {p}" for p in result.problems]
        if previous is not None:
            problem = chain_problem(previous, result)
            if problem:
                problems.append(f"{escape(Path(path).name)}: {problem}")
        previous = Path(path)
    return problems


def _printable(value: Any) -> str:
    """A manifest value for the terminal: it may have been tampered with, so no control characters."""
    return escape("-" if value is None else str(value))


def _describe(result: VerifyResult) -> list[str]:
    manifest = result.manifest or {}
    lines = [f"bundle: {escape(str(result.bundle))}"]
    if "format" in manifest:
        lines.append(f"format: {_printable(manifest['format'])}")
    if manifest and not result.signature_valid:
        lines.append("warning: the signature does not hold, so the manifest values below are unverified")
    for label, key in (("country", "country"), ("run date", "run_date"), ("dag/run", "run_id"),
                       ("generated", "generated_at"), ("captured", "captured_at"),
                       ("previous bundle", "previous_bundle_sha256")):
        if key in manifest:
            value = manifest[key]
            if key == "run_id":
                value = f"{manifest.get('dag_id')} / {value}"
            lines.append(f"{label}: {_printable(value)}")
    if result.key_fingerprint:
        lines.append(f"signing key: {result.key_fingerprint}")
    if result.key_source == "bundle":
        lines.append("note: checked against the key carried in the bundle (signing_key.pub): this proves "
                     "the bundle is intact, not who made it; pass --public-key to check its origin")
    else:
        lines.append(f"checked against the public key {escape(result.key_source)}")
    return lines


def run_verify(bundle: Path, public_key: Path | None = None) -> int:
    """The ``cloudaudit verify`` command: prints the outcome, returns the exit code (0, 1 or 2)."""
    try:
        result = verify_bundle(bundle, public_key)
    except EvidenceError as exc:
        print(f"cloudaudit verify: {escape(str(exc))}", file=sys.stderr)
        return 2
    # every line is escaped again as it is printed: one missed name must still not reach the terminal raw
    for line in _describe(result):
        print(escape(line))
    if result.ok:
        print(f"OK: {result.members_checked} members match the manifest and the signature holds")
        return 0
    print(f"FAILED: {len(result.problems)} problem(s)")
    for problem in result.problems:
        print(f"  {escape(problem)}")
    return 1
