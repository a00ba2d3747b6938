"""Every check, found by walking ``cloudaudit.checks`` for ``<check_id>/<check_id>.py`` modules.

Adding a check is adding a folder; nothing here lists them.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from cloudaudit.checks.base import CheckMetadata
from cloudaudit.config import CountryPolicy
from cloudaudit.errors import ConfigError


@dataclass(frozen=True)
class Check:
    """A check module seen through its contract: METADATA, COLUMN, value_set(), detail()."""

    metadata: CheckMetadata
    module: ModuleType

    @property
    def check_id(self) -> str:
        return self.metadata.check_id

    @property
    def column(self) -> str:
        return str(self.module.COLUMN)

    @property
    def validated(self) -> bool:
        """True for checks run as an expectation over a facts table."""
        return self.metadata.facts_table is not None

    @property
    def pii_types_column(self) -> str | None:
        """The facts column whose PII types the finding reports (PII checks only)."""
        value = getattr(self.module, "PII_TYPES_COLUMN", None)
        return str(value) if value else None

    def value_set(self, policy: CountryPolicy) -> list[Any]:
        return list(self.module.value_set(policy))

    def detail(self, rows: Sequence[Any], policy: CountryPolicy) -> str:
        return str(self.module.detail(rows, policy))


def _check_module_names() -> list[str]:
    import cloudaudit.checks as package

    names = []
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        parts = info.name.split(".")
        if not info.ispkg and len(parts) >= 2 and parts[-1] == parts[-2]:
            names.append(info.name)
    return sorted(names)


def _load(name: str) -> Check:
    module = importlib.import_module(name)
    metadata = getattr(module, "METADATA", None)
    if not isinstance(metadata, CheckMetadata):
        raise ConfigError(f"{name}: a check module must define METADATA = load_metadata(__file__)")
    if metadata.facts_table is not None:
        missing = [attr for attr in ("COLUMN", "value_set", "detail") if not hasattr(module, attr)]
        if missing:
            raise ConfigError(f"{name}: check module lacks {', '.join(missing)}")
    return Check(metadata=metadata, module=module)


@functools.cache
def all_checks() -> tuple[Check, ...]:
    """Every check, sorted by ID."""
    checks = [_load(name) for name in _check_module_names()]
    ids = [c.check_id for c in checks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"duplicate check IDs: {', '.join(duplicates)}")
    return tuple(sorted(checks, key=lambda c: c.check_id))


def get_check(check_id: str) -> Check:
    for check in all_checks():
        if check.check_id == check_id:
            return check
    raise KeyError(check_id)


def checks_by_table() -> dict[str, list[Check]]:
    """Validated checks grouped by the facts table their expectation runs on."""
    grouped: dict[str, list[Check]] = {}
    for check in all_checks():
        if check.metadata.facts_table is not None:
            grouped.setdefault(check.metadata.facts_table, []).append(check)
    return grouped
