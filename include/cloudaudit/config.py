"""Inventory, country policies and settings: the boundaries, validated on load.

A malformed file fails with a ConfigError naming the file, the field path
(``environments[2].country``) and what was expected.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cloudaudit.alerts.channels import AlertChannels
from cloudaudit.breach.rules import NotificationRule
from cloudaudit.errors import ConfigError
from cloudaudit.errors import validation_message as _validation_message
from cloudaudit.model import PiiType, Severity

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
POLICY_DIR = CONFIG_DIR / "policies"

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Environment(_Strict):
    """One AWS account or GCP project, and the country whose residents' data it holds."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    country: str
    provider: Literal["aws", "gcp"]
    account_id: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    role_arn: str | None = None
    profile: str | None = None
    project_id: str | None = None
    bigquery_endpoint: str | None = None
    storage_endpoint: str | None = None
    airflow_conn_id: str | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not _COUNTRY.match(value):
            raise ValueError("expected an ISO 3166-1 alpha-2 code in upper case, e.g. JP")
        return value

    @model_validator(mode="after")
    def _provider_fields(self) -> Environment:
        if self.provider == "aws" and not self.account_id:
            raise ValueError("account_id is required for provider aws")
        if self.provider == "gcp" and not self.project_id:
            raise ValueError("project_id is required for provider gcp")
        return self


class CountryOverride(_Strict):
    allowed_locations: tuple[str, ...] | None = None
    regulated_pii: tuple[PiiType, ...] | None = None
    severity: dict[str, Severity] | None = None
    alerts: AlertChannels | None = None  # where this country's new critical findings are sent

    def apply_to(self, policy: Mapping[str, Any]) -> dict[str, Any]:
        """The one override rule, for file and default policies alike: ``severity`` merges per
        check (an override of one check keeps the others' weights); every other key set replaces.
        ``alerts`` is where the country's alerts go, not part of its policy."""
        data = dict(policy)
        for key, value in self.model_dump(exclude_none=True, exclude={"alerts"}).items():
            data[key] = {**(data.get(key) or {}), **value} if key == "severity" else value
        return data


class Inventory(_Strict):
    environments: tuple[Environment, ...]
    countries: dict[str, CountryOverride] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_names(self) -> Inventory:
        seen: set[str] = set()
        for env in self.environments:
            if env.name in seen:
                raise ValueError(f"environment name {env.name!r} is not unique")
            seen.add(env.name)
        for cc in self.countries:
            if not _COUNTRY.match(cc):
                raise ValueError(f"countries key {cc!r}: expected an ISO 3166-1 alpha-2 code")
        return self

    @property
    def country_codes(self) -> tuple[str, ...]:
        return tuple(sorted({e.country for e in self.environments}))

    def environment(self, name: str) -> Environment:
        for env in self.environments:
            if env.name == name:
                return env
        raise ConfigError(f"no environment named {name!r} in the inventory")


class CountryPolicy(_Strict):
    """Where a country's residents' personal data may live, and how much each check weighs."""

    country: str
    name: str = ""
    regulation: str
    regulator: str = ""
    allowed_locations: tuple[str, ...]
    regulated_pii: tuple[PiiType, ...]
    severity: dict[str, Severity] = Field(default_factory=dict)
    breach_notification: str = ""
    notification_rules: tuple[NotificationRule, ...] = ()  # reviewed data; see cloudaudit.breach

    @field_validator("allowed_locations")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.casefold() for v in value)

    def allows(self, location: str) -> bool:
        """Locations compare case-insensitively."""
        return location.casefold() in self.allowed_locations

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None


def load_inventory(path: Path | str | None = None) -> Inventory:
    """Read and validate an inventory (default: the file ``CLOUDAUDIT_INVENTORY`` names)."""
    path = Path(path) if path else inventory_path()
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: (top level): expected a mapping with 'environments'")
    try:
        return Inventory.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, exc)) from None


def load_policy(country: str, inventory: Inventory | None = None, policy_dir: Path | None = None) -> CountryPolicy:
    """A country's policy file, with the inventory's overrides applied."""
    policy_dir = policy_dir or POLICY_DIR
    path = policy_dir / f"{country.lower()}.yaml"
    if not path.exists():
        raise ConfigError(f"{path}: no policy for country {country}")
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: (top level): expected a mapping")
    data = dict(data)
    override = inventory.countries.get(country) if inventory else None
    if override is not None:
        data = override.apply_to(data)
    try:
        policy = CountryPolicy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, exc)) from None
    if policy.country != country:
        raise ConfigError(f"{path}: country: expected {country}, found {policy.country}")
    return policy


def available_policies(policy_dir: Path | None = None) -> tuple[str, ...]:
    return tuple(sorted(p.stem.upper() for p in (policy_dir or POLICY_DIR).glob("*.yaml")
                        if not p.stem.startswith("_")))


def default_policy(country: str, inventory: Inventory | None = None, policy_dir: Path | None = None) -> CountryPolicy:
    """For a country with no reviewed policy: every check on, residency only where the inventory sets locations."""
    path = (policy_dir or POLICY_DIR) / "_default.yaml"
    data = _read_yaml(path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: (top level): expected a mapping")
    data = {**data, "country": country}
    override = inventory.countries.get(country) if inventory else None
    if override is not None:
        data = override.apply_to(data)
    try:
        return CountryPolicy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, exc)) from None


def inventory_path() -> Path:
    """``CLOUDAUDIT_INVENTORY``: required, so that a run never audits demo files by default."""
    value = os.environ.get("CLOUDAUDIT_INVENTORY")
    if not value:
        raise ConfigError("CLOUDAUDIT_INVENTORY is not set: it must name the inventory YAML to audit "
                          "(`cloudaudit estate up` prints the demo estate's)")
    return Path(value)


def output_root() -> str:
    return os.environ.get("CLOUDAUDIT_OUTPUT") or str(Path.cwd() / "cloudaudit-output")


def state_root() -> str:
    return os.environ.get("CLOUDAUDIT_STATE") or str(Path.cwd() / "cloudaudit-state")


def signing_key_path() -> Path | None:
    value = os.environ.get("CLOUDAUDIT_SIGNING_KEY")
    return Path(value) if value else None


def signing_key_generate() -> bool:
    """``CLOUDAUDIT_SIGNING_KEY_GENERATE=1``: an explicit opt-in (demo, tests) to a key created on first use."""
    return os.environ.get("CLOUDAUDIT_SIGNING_KEY_GENERATE", "").strip().lower() in ("1", "true", "yes")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        parsed = int(value)
    except ValueError:
        raise ConfigError(f"{name}: expected an integer, got {value!r}") from None
    if parsed <= 0:
        raise ConfigError(f"{name}: expected a positive integer")
    return parsed


@dataclass(frozen=True)
class Limits:
    """Bounds on every read; each can be set with ``CLOUDAUDIT_<NAME>`` (upper case)."""

    max_object_bytes: int = 1_048_576  # bytes read per object (a range read)
    max_decompressed_bytes: int = 8_388_608  # after gunzip
    max_objects_per_bucket: int = 20  # objects sampled per bucket
    max_keys_listed: int = 10_000  # keys listed per bucket before choosing samples
    max_rows: int = 500  # rows per object or table
    max_fields: int = 200  # columns or key paths per sample
    max_cell_chars: int = 2_000  # characters kept per cell for detection
    max_resources: int = 5_000  # buckets/datasets/tables per environment
    call_timeout_s: int = 20  # per cloud call
    max_workers: int = 8  # I/O threads per environment

    @classmethod
    def from_env(cls) -> Limits:
        defaults = cls()
        return cls(**{
            name: _env_int(f"CLOUDAUDIT_{name.upper()}", getattr(defaults, name))
            for name in cls.__dataclass_fields__
        })

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
