"""Shapes of datasets, tables and IAM policies: validation and normalisation of request bodies.

Pure functions over JSON dicts; the store decides when they apply.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
import unicodedata
from typing import Any

from cloudaudit_demo.estate.bigquery.errors import invalid

DEFAULT_LOCATION = "US"
# Entries Google gives a dataset created without ``access`` (the creator's OWNER entry is
# left out: an anonymous caller has no e-mail address).
DEFAULT_ACCESS = (
    {"role": "WRITER", "specialGroup": "projectWriters"},
    {"role": "OWNER", "specialGroup": "projectOwners"},
    {"role": "READER", "specialGroup": "projectReaders"},
)
ACCESS_MEMBER_KEYS = ("userByEmail", "groupByEmail", "domain", "specialGroup", "iamMember", "view", "routine", "dataset")
# Documented legacy mapping: Google accepts either form and answers the legacy one.
_LEGACY_ROLES = {
    "roles/bigquery.dataOwner": "OWNER",
    "roles/bigquery.dataEditor": "WRITER",
    "roles/bigquery.dataViewer": "READER",
}
EMPTY_POLICY_ETAG = "ACAB"
_DATASET_ID = re.compile(r"[A-Za-z0-9_]{1,1024}")
_MEMBER = re.compile(
    r"allUsers|allAuthenticatedUsers|"
    r"(user|group|serviceAccount|domain|principal|principalSet|projectOwner|projectEditor|projectViewer"
    r"|deleted:user|deleted:group|deleted:serviceAccount):\S+"
)
# Read-only fields a client may echo back in a body; the server owns them.
OUTPUT_ONLY = frozenset(
    {"kind", "etag", "id", "selfLink", "creationTime", "lastModifiedTime", "numBytes", "numLongTermBytes",
     "numRows", "numTotalLogicalBytes", "numActiveLogicalBytes", "numLongTermLogicalBytes", "type",
     "streamingBuffer", "location", "datasetReference", "tableReference"}
)


def now_ms() -> str:
    """Milliseconds since the epoch as a string, the way Google writes timestamps."""
    return str(time.time_ns() // 1_000_000)


def new_etag() -> str:
    """A fresh opaque etag (base64 of random bytes, like Google's)."""
    return base64.b64encode(secrets.token_bytes(16)).decode("ascii")


def new_policy_etag() -> str:
    """A fresh IAM policy etag (8 bytes, like Google's ``BwYH...``)."""
    return base64.b64encode(b"\x07" + secrets.token_bytes(7)).decode("ascii")


def as_object(value: object, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object (or absent: ``{}``); ``invalid`` (400) otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"Invalid value for {what}: expected an object.")
    return value


def as_text(value: object, what: str) -> str | None:
    """``value`` when it is a string (or absent: None); ``invalid`` (400) otherwise."""
    if value is None or isinstance(value, str):
        return value
    raise invalid(f"Invalid value for {what}: expected a string.")


def check_dataset_id(dataset_id: object) -> str:
    """A dataset id: letters, digits and underscores, at most 1,024 characters."""
    if not isinstance(dataset_id, str) or not _DATASET_ID.fullmatch(dataset_id):
        raise invalid("Invalid dataset ID. Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.")
    return dataset_id


def check_table_id(table_id: object) -> str:
    """A table id: Unicode letters, marks, numbers, connectors, dashes and spaces, up to 1,024."""
    ok = isinstance(table_id, str) and 0 < len(table_id) <= 1024 and all(
        unicodedata.category(c).startswith(("L", "M", "N", "Pc", "Pd", "Zs")) for c in table_id
    )
    if not ok:
        raise invalid("Invalid table ID. Table IDs must be letters, marks, numbers, connectors, dashes or spaces, at most 1024 characters.")
    return str(table_id)


def normalize_access(entries: object) -> list[dict[str, Any]]:
    """Validate dataset access entries; keep them verbatim apart from the legacy role names."""
    if not isinstance(entries, list):
        raise invalid("Dataset access must be a list of access entries.")
    normalized = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise invalid(f"Invalid access entry at position {index}.")
        members = [key for key in ACCESS_MEMBER_KEYS if entry.get(key) is not None]
        if len(members) != 1:
            raise invalid(f"Access entry at position {index} must have exactly one of {', '.join(ACCESS_MEMBER_KEYS)}.")
        entry = dict(entry)
        role = entry.get("role")
        if members[0] in ("view", "routine", "dataset"):
            if members[0] != "dataset" and role:
                raise invalid(f"Access entry at position {index}: a {members[0]} entry cannot have a role.")
        elif not isinstance(role, str) or not role:
            raise invalid(f"Access entry at position {index} is missing a role.")
        if isinstance(role, str):
            entry["role"] = _LEGACY_ROLES.get(role, role)
        normalized.append(entry)
    return normalized


def table_type(body: dict[str, Any]) -> str:
    """TABLE, VIEW, MATERIALIZED_VIEW or EXTERNAL, from what the body defines."""
    if body.get("view"):
        return "VIEW"
    if body.get("materializedView"):
        return "MATERIALIZED_VIEW"
    if body.get("externalDataConfiguration"):
        return "EXTERNAL"
    return "TABLE"


def normalize_view(body: dict[str, Any]) -> None:
    """A view needs a query; ``useLegacySql`` defaults to false as the client writes it."""
    view = body.get("view")
    if view is None:
        return
    if not isinstance(view, dict) or not isinstance(view.get("query"), str) or not view["query"].strip():
        raise invalid("A view requires a non-empty query.")


def merge_patch(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics: named fields replace, null removes, ``labels`` merge key by key."""
    merged = dict(current)
    for key, value in patch.items():
        if key in OUTPUT_ONLY:
            continue
        if value is None:
            merged.pop(key, None)
        elif key == "labels" and isinstance(value, dict):
            labels = dict(merged.get("labels") or {})
            for name, label in value.items():
                if label is None:
                    labels.pop(name, None)
                else:
                    labels[name] = label
            merged["labels"] = labels
        else:
            merged[key] = value
    return merged


def normalize_policy(policy: object) -> tuple[int, list[dict[str, Any]]]:
    """Validate an IAM policy; return its version and its bindings (empty bindings dropped)."""
    if not isinstance(policy, dict):
        raise invalid("Request contains an invalid argument: policy must be an object.")
    version = policy.get("version", 1)
    if not isinstance(version, int) or version not in (0, 1, 3):
        raise invalid("Request contains an invalid argument: invalid policy version.")
    bindings = []
    for index, binding in enumerate(policy.get("bindings") or []):
        if not isinstance(binding, dict) or not isinstance(binding.get("role"), str):
            raise invalid(f"Request contains an invalid argument: binding {index} has no role.")
        if not binding["role"].startswith(("roles/", "projects/", "organizations/")):
            raise invalid(f"Role {binding['role'][:100]} is not supported for this resource.")
        members = binding.get("members") or []
        if not isinstance(members, list) or not all(isinstance(m, str) and _MEMBER.fullmatch(m) for m in members):
            raise invalid(f"Request contains an invalid argument: binding {index} has an invalid member.")
        if members:
            bindings.append({**binding, "members": list(dict.fromkeys(members))})
    return version or 1, bindings
