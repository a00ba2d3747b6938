"""IAM members that mean "anyone": shared by BigQuery and Cloud Storage facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


def public_bindings(bindings: Any) -> list[str]:
    """``["allUsers:roles/storage.objectViewer", ...]`` for bindings to the public members.

    Accepts ``[{"role", "members"}]`` and an IAM policy dict with ``bindings``.
    """
    if isinstance(bindings, Mapping):
        bindings = bindings.get("bindings", [])
    out = []
    for binding in bindings if isinstance(bindings, list) else []:
        if not isinstance(binding, Mapping):
            continue
        members = binding.get("members") or []
        for member in members if isinstance(members, list | tuple | set) else [members]:
            if str(member) in PUBLIC_MEMBERS:
                out.append(f"{member}:{binding.get('role', '?')}")
    return sorted(set(out))
