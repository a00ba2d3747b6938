"""What a check is: metadata beside its module, and the rule that keeps names aligned.

A check folder ``checks/<provider>/<service>/<check_id>/`` holds ``<check_id>.py`` and
``<check_id>.metadata.json``. The module declares ``METADATA = load_metadata(__file__)``,
the facts ``COLUMN`` it judges, ``value_set(policy)`` (the values that pass) and
``detail(rows, policy)`` (one sentence naming the resource). The expectation is always
``ExpectColumnValuesToBeInSet(COLUMN, value_set(policy))``, so a check is data plus a
sentence, and ``evaluate`` below states the same rule in plain Python for tests.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cloudaudit.errors import ConfigError, validation_message
from cloudaudit.model import Category, Provider, Service, Severity, Status


class Remediation(BaseModel):
    """How to fix a failing resource: what to do, and the console and CLI steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    console: str = Field(min_length=1)
    cli: str = Field(min_length=1)

    def as_text(self) -> str:
        return _remediation_text(self.text, self.console, self.cli)


@functools.lru_cache(maxsize=1024)
def _remediation_text(text: str, console: str, cli: str) -> str:
    """One string per check, shared by all its findings (issue 18: 17,500 findings held 7 MB of copies)."""
    return f"{text} Console: {console} CLI: {cli}"


class CheckMetadata(BaseModel):
    """The ``<check_id>.metadata.json`` of a check, validated on load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1)
    provider: Provider | None  # None: applies to every provider (coverage)
    service: Service | None
    facts_table: str | None  # None: not validated by an expectation (coverage)
    category: Category
    severity: Severity  # default; a country policy may override it
    risk: str = Field(min_length=1)
    remediation: Remediation
    references: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _id_names_provider_and_service(self) -> CheckMetadata:
        if self.provider is not None and self.service is not None:
            prefix = f"{self.provider.value}_{self.service.value}_"
            if not self.check_id.startswith(prefix):
                raise ValueError(f"check_id must start with {prefix!r}")
        return self


def metadata_path(module_file: str | Path) -> Path:
    """``.../x/x.py`` → ``.../x/x.metadata.json``."""
    path = Path(module_file)
    return path.with_name(f"{path.stem}.metadata.json")


def load_metadata(module_file: str | Path) -> CheckMetadata:
    """Load and validate the JSON beside a check module.

    Refuses (``ConfigError``) unless the check ID, the folder and the module name agree,
    so a check can be found from its ID in one step.
    """
    module = Path(module_file)
    path = metadata_path(module)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: check metadata not found") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON at line {exc.lineno}") from None
    try:
        metadata = CheckMetadata.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(path, exc)) from None
    if not metadata.check_id == module.stem == module.parent.name:
        raise ConfigError(
            f"{path}: check_id {metadata.check_id!r}, module {module.stem!r} and folder "
            f"{module.parent.name!r} must be the same"
        )
    return metadata


def evaluate(value: Any, passing: Collection[Any]) -> Status:
    """The rule every expectation states, in plain Python: null → NOT_ASSESSED.

    >>> evaluate(False, [False]), evaluate(True, [False]), evaluate(None, [False])
    (<Status.PASS: 'PASS'>, <Status.FAIL: 'FAIL'>, <Status.NOT_ASSESSED: 'NOT_ASSESSED'>)
    """
    if value is None:
        return Status.NOT_ASSESSED
    return Status.PASS if value in passing else Status.FAIL
