"""The report catalogue: published (country, date) pairs, filtered, with their counts and badge."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cloudaudit.portal.names import FileKind
from cloudaudit.portal.outputs import Outputs
from cloudaudit.portal.summary import (
    BundleCheck,
    ReportCounts,
    VersionCache,
    check_bundle,
    counts_from_workbook,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportEntry:
    country: str
    day: str
    files: dict[FileKind, str]  # kind -> key
    counts: ReportCounts | None
    bundle: BundleCheck | None


class Catalog:
    def __init__(self, outputs: Outputs, public_key: Path | None = None) -> None:
        self.outputs = outputs
        self.public_key = public_key
        self._counts = VersionCache()
        self._bundles = VersionCache()

    def pairs(self) -> dict[tuple[str, str], dict[FileKind, str]]:
        """(country, date) → its published files, for every report under the root."""
        found: dict[tuple[str, str], dict[FileKind, str]] = {}
        for item in self.outputs.files():
            found.setdefault((item.country, item.day), {})[item.kind] = item.key
        return found

    def published(self, country: str, day: str) -> dict[FileKind, str]:
        """One report's files, by asking for its two keys (no listing of the whole root)."""
        kinds: tuple[FileKind, ...] = ("xlsx", "zip")
        keys = {kind: self.outputs.key(country, day, kind) for kind in kinds}
        return {kind: key for kind, key in keys.items() if self.outputs.version(key) is not None}

    @staticmethod
    def select(pairs: dict[tuple[str, str], dict[FileKind, str]], countries: set[str], since: str | None,
               until: str | None, limit: int) -> list[tuple[str, str, dict[FileKind, str]]]:
        """Of ``pairs()``: newest first, then by country; only the given countries and dates (inclusive)."""
        rows = [(c, d, files) for (c, d), files in pairs.items()
                if c in countries and (since is None or d >= since) and (until is None or d <= until)]
        rows.sort(key=lambda r: r[0])
        rows.sort(key=lambda r: r[1], reverse=True)  # stable: newest date first, countries A-Z
        return rows[:limit]

    def entry(self, country: str, day: str, files: dict[FileKind, str]) -> ReportEntry:
        return ReportEntry(country, day, files, self._counts_for(files.get("xlsx"), day),
                           self._bundle_for(files.get("zip")))

    def _counts_for(self, key: str | None, day: str) -> ReportCounts | None:
        version = self.outputs.version(key) if key else None
        if key is None or version is None:
            return None

        def compute() -> ReportCounts | None:
            data = self.outputs.read(key)
            if data is None:
                return None
            try:
                return counts_from_workbook(data, day)
            except Exception as exc:  # a damaged spreadsheet shows no counts; never its content
                log.warning("cloudaudit portal: cannot read counts from %s (%s)", key, type(exc).__name__)
                return None

        return self._counts.get(key, version, compute)  # type: ignore[return-value]

    def _bundle_for(self, key: str | None) -> BundleCheck | None:
        version = self.outputs.version(key) if key else None
        if key is None or version is None:
            return None

        def compute() -> BundleCheck:
            data = self.outputs.read(key)
            if data is None:
                return BundleCheck(False, ("bundle disappeared while being read",))
            return check_bundle(data, self.public_key)

        return self._bundles.get(key, version, compute)  # type: ignore[return-value]

