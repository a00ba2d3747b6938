"""IAM policies of buckets and tables, as JSON-ready configuration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def iam_bindings(policy_bindings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Policy bindings as ``[{"role", "members": [...]}]`` with sorted members, by role.

    A conditional binding keeps its ``"condition"``: whether it narrows a public grant is
    for the checks to judge, not for the collector to drop.

    >>> iam_bindings([{"role": "roles/storage.objectViewer", "members": {"allUsers", "user:a@x.io"}}])
    [{'role': 'roles/storage.objectViewer', 'members': ['allUsers', 'user:a@x.io']}]
    """
    out = []
    for binding in policy_bindings:
        entry: dict[str, Any] = {"role": str(binding["role"]),
                                 "members": sorted(str(m) for m in binding.get("members", ()))}
        if binding.get("condition"):
            entry["condition"] = dict(binding["condition"])
        out.append(entry)
    return sorted(out, key=lambda b: str(b["role"]))
