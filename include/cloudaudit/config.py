"""Inventory, country policies and settings: the boundaries, validated on load.

A malformed file fails with a ConfigError naming the file, the field path
(``environments[2].country``) and what was expected; an inventory reports every error at once.
Files are read only if regular and at most MAX_CONFIG_BYTES, as UTF-8, with the C YAML loader
when libyaml is present; duplicate mapping keys and alias expansion beyond MAX_YAML_NODES are
refused (both would silently change or blow up what is validated).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cloudaudit.alerts.channels import AlertChannels
from cloudaudit.breach.rules import NotificationRule
from cloudaudit.countries import check_country
from cloudaudit.errors import ConfigError, validation_message, validation_problems
from cloudaudit.localio import NotRegularFile, escape, open_regular
from cloudaudit.model import PiiType, Severity

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
POLICY_DIR = CONFIG_DIR / "policies"

MAX_CONFIG_BYTES = 5 * 1024 * 1024  # an inventory of thousands of environments is well under 1 MB
MAX_YAML_NODES = 1_000_000  # values after anchors/aliases are expanded (a "billion laughs" file)


def _yaml_bool_hint(value: Any) -> Any:
    """YAML 1.1 reads an unquoted NO (Norway) as false: say so instead of 'expected a string'."""
    if isinstance(value, bool):
        raise ValueError("YAML read this as a boolean: quote the country code, e.g. 'NO'")
    return value


def _endpoint(value: str) -> str:
    """An http(s) URL with a host; anything else (file://, gopher://, free text) would be a surprise target."""
    if value != value.strip() or any(not c.isprintable() for c in value):
        raise ValueError("expected an http or https URL without spaces or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError("expected an http or https URL with a valid host and port") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("expected an http or https URL (e.g. http://127.0.0.1:5000)")
    if not parts.hostname:
        raise ValueError("expected an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("credentials do not belong in an endpoint URL (use a profile, role or connection)")
    return value


FIXER_CREDENTIALS = ("remediation_role_arn", "remediation_profile", "remediation_conn_id")
CountryCode = Annotated[str, BeforeValidator(_yaml_bool_hint), AfterValidator(check_country)]
EndpointUrl = Annotated[str, AfterValidator(_endpoint)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Environment(_Strict):
    """One AWS account or GCP project, and the country whose residents' data it holds."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    country: CountryCode
    provider: Literal["aws", "gcp"]
    account_id: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    regions: tuple[str, ...] = ()
    endpoint_url: EndpointUrl | None = None
    role_arn: str | None = None
    profile: str | None = None
    project_id: str | None = None
    bigquery_endpoint: EndpointUrl | None = None
    storage_endpoint: EndpointUrl | None = None
    airflow_conn_id: str | None = None
    # Guarded remediation (cloudaudit.remediation): the fixer's own credentials, never the scanner's.
    remediation_role_arn: str | None = None
    remediation_profile: str | None = None
    remediation_conn_id: str | None = None
    remediation: Literal["dry_run", "allowed", "never"] = "dry_run"  # after the credentials it checks

    @field_validator("remediation")
    @classmethod
    def _fixer_credentials(cls, value: str, info: ValidationInfo) -> str:
        """``allowed`` changes the cloud, so it needs credentials of its own (a role, profile or connection)."""
        if value == "allowed" and not any(info.data.get(name) for name in FIXER_CREDENTIALS):
            raise ValueError("allowed needs the fixer's own credentials: set "
                             "remediation_role_arn or remediation_profile (aws) or remediation_conn_id")
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
    remediation_approvers: tuple[str, ...] = ()  # Airflow usernames who approve this country's fixes

    def apply_to(self, policy: Mapping[str, Any]) -> dict[str, Any]:
        """The one override rule, for file and default policies alike: ``severity`` merges per
        check (an override of one check keeps the others' weights); every other key set replaces.
        ``alerts`` (where the country's alerts go) and ``remediation_approvers`` are not part of its policy."""
        data = dict(policy)
        for key, value in self.model_dump(exclude_none=True, exclude={"alerts", "remediation_approvers"}).items():
            data[key] = {**(data.get(key) or {}), **value} if key == "severity" else value
        return data


class Inventory(_Strict):
    environments: tuple[Environment, ...]
    countries: dict[CountryCode, CountryOverride] = Field(default_factory=dict)

    @field_validator("environments")
    @classmethod
    def _some(cls, value: tuple[Environment, ...]) -> tuple[Environment, ...]:
        if not value:  # a run over none would look clean while checking nothing
            raise ValueError("expected at least one environment")
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> Inventory:
        # for models built in code; files go through inventory_problems, which names the field path
        problems = duplicate_name_problems([{"name": env.name} for env in self.environments])
        if problems:
            raise ValueError(problems[0][1])
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


def duplicate_name_problems(environments: Any) -> list[tuple[str, str]]:
    """(field path, message) for each environment whose name an earlier one already has.

    Works on the raw list, so duplicates are found even when other fields of an entry are invalid.
    """
    first: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    if not isinstance(environments, list | tuple):
        return problems
    for index, env in enumerate(environments):
        name = env.get("name") if isinstance(env, Mapping) else None
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append((f"environments[{index}].name",
                             f"environment name {escape(repr(name))} is not unique "
                             f"(also environments[{first[name]}].name)"))
        else:
            first[name] = index
    return problems


def inventory_problems(data: Any) -> tuple[Inventory | None, list[tuple[str, str]]]:
    """The inventory, or None with every (field path, message) that is wrong with ``data``."""
    if not isinstance(data, Mapping):
        return None, [("(top level)", "expected a mapping with 'environments'")]
    duplicates = duplicate_name_problems(data.get("environments"))
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        # the model's own uniqueness check (no field path) is already in ``duplicates``, with one
        found = [p for p in validation_problems(exc) if not (p[0] == "(top level)" and "is not unique" in p[1])]
        return None, found + duplicates
    return inventory, []


class ConfigFileUnreadable(ConfigError):
    """Raised when a configuration file cannot be read at all: missing, not regular, too big, not UTF-8."""


_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: ~3x faster here on a 5 MB file


class _UniqueKeyLoader(_YamlLoader):  # type: ignore[misc]
    """Safe loading that refuses a key given twice in one mapping (YAML would silently keep the last)."""


def _unique_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool):
            continue  # unhashable keys are refused by the loader itself
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {escape(repr(key))}",
                                                    key_node.start_mark)
        seen.add(key)
    return dict(loader.construct_mapping(node, deep=True))


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_config_text(path: Path) -> str:
    """A configuration file's text; ConfigFileUnreadable naming the file and why it cannot be used."""
    shown = escape(str(path))
    try:
        with open_regular(path) as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigFileUnreadable(f"{shown}: file not found") from None
    except NotRegularFile as exc:
        raise ConfigFileUnreadable(f"{shown}: {exc.strerror}") from None
    except OSError as exc:
        raise ConfigFileUnreadable(f"{shown}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigFileUnreadable(f"{shown}: larger than {MAX_CONFIG_BYTES} bytes, the limit for a configuration file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigFileUnreadable(f"{shown}: not UTF-8 text (invalid byte at offset {exc.start})") from None


def _count_nodes(data: Any, budget: int) -> bool:
    """Whether ``data`` holds at most ``budget`` values once aliases are expanded (stops counting there)."""
    stack, seen = [data], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            return False
        if isinstance(item, Mapping):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            stack += item
    return True


def parse_yaml(text: str, path: Path) -> Any:
    """YAML text as Python values; ConfigError with the line and column of a syntax error."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader, with unique keys
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise ConfigError(f"{escape(str(path))}: not valid YAML{where}" + (f": {escape(problem)}" if problem else "")) \
            from None
    if not _count_nodes(data, MAX_YAML_NODES):
        raise ConfigError(f"{escape(str(path))}: more than {MAX_YAML_NODES} values once anchors and aliases "
                          "are expanded")
    return data


def _read_yaml(path: Path) -> Any:
    return parse_yaml(read_config_text(path), path)


def load_inventory(path: Path | str | None = None) -> Inventory:
    """Read and validate an inventory (default: the file ``CLOUDAUDIT_INVENTORY`` names).

    ConfigError lists every problem with its field path; ConfigFileUnreadable when the file cannot be read.
    """
    path = Path(path) if path else inventory_path()
    inventory, problems = inventory_problems(_read_yaml(path))
    if inventory is None:
        raise ConfigError(f"{escape(str(path))}: " + "; ".join(f"{where}: {what}" for where, what in problems))
    return inventory


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
        raise ConfigError(validation_message(path, exc)) from None
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
        raise ConfigError(validation_message(path, exc)) from None


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
