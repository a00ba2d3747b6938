"""Which names a bundle member may have: relative POSIX paths that stay inside the bundle."""

from __future__ import annotations

import re

from cloudaudit.errors import EvidenceError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "signing_key.pub"
RESERVED = frozenset({MANIFEST, SIGNATURE, PUBLIC_KEY})  # written by the bundle itself

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_PATH_CHARS = 512


def member_path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a bundle member, or None when it can.

    >>> member_path_problem("snapshots/jp-prod.json") is None
    True
    >>> member_path_problem("../etc/passwd"), member_path_problem("/tmp/x")
    ('has a .. or . segment', 'is absolute')
    """
    if not path:
        return "is empty"
    if len(path) > MAX_PATH_CHARS:
        return "is too long"
    if _CONTROL.search(path):
        return "has a control character"
    if "\\" in path:
        return "has a backslash"
    if path.startswith("/") or _DRIVE.match(path):
        return "is absolute"
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        return "has a .. or . segment"
    if any(segment == "" for segment in segments):
        return "has an empty segment"
    return None


def check_member_path(path: str) -> str:
    """``path`` when it is a safe member path, else EvidenceError naming it and why."""
    problem = member_path_problem(path)
    if problem:
        raise EvidenceError(f"member path {path!r} {problem}")
    return path
