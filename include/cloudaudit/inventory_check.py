"""``cloudaudit inventory check [FILE]``: validate an inventory before a run, in review or CI.

FILE defaults to ``CLOUDAUDIT_INVENTORY``. Exit 0 with a one-line summary (environments per
country and provider); 1 with every problem, each on its own line with its field path
(``environments[3].name: ...``), then a count; 2 when the file cannot be read at all (no FILE
and no variable, missing, not a regular file, unreadable, too big, not UTF-8).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from cloudaudit.config import (
    ConfigFileUnreadable,
    Inventory,
    inventory_path,
    inventory_problems,
    parse_yaml,
    read_config_text,
)
from cloudaudit.errors import ConfigError
from cloudaudit.localio import escape

_PROG = "cloudaudit inventory check"


def summary(inventory: Inventory) -> str:
    """'3 environments in 2 countries: JP 2 (aws 1, gcp 1); TH 1 (gcp 1)'."""
    per_country = Counter(env.country for env in inventory.environments)
    per_provider = Counter((env.country, env.provider) for env in inventory.environments)
    parts = []
    for country in sorted(per_country):
        providers = ", ".join(f"{provider} {per_provider[country, provider]}"
                              for provider in sorted(p for c, p in per_provider if c == country))
        parts.append(f"{country} {per_country[country]} ({providers})")
    total = len(inventory.environments)
    return (f"{total} environment{'s' if total != 1 else ''} in {len(per_country)} "
            f"countr{'ies' if len(per_country) != 1 else 'y'}: " + "; ".join(parts))


def run_inventory_check(file: Path | None = None) -> int:
    """The command: prints the outcome, returns 0, 1 or 2."""
    if file is None:
        try:
            file = inventory_path()  # the one rule: the variable is required, no demo fallback
        except ConfigError as exc:
            print(f"{_PROG}: no FILE given and {exc}", file=sys.stderr)
            return 2
    shown = escape(str(file))
    try:
        text = read_config_text(file)
    except ConfigFileUnreadable as exc:
        print(f"{_PROG}: {escape(str(exc))}", file=sys.stderr)
        return 2
    try:
        data = parse_yaml(text, file)
    except ConfigError as exc:  # read, but not YAML: a problem in the file, like any other
        print(escape(str(exc)))
        print(f"FAILED: 1 problem in {shown}")
        return 1
    inventory, problems = inventory_problems(data)
    if inventory is None:
        for where, what in problems:
            print(f"{shown}: {escape(where)}: {escape(what)}")
        print(f"FAILED: {len(problems)} problem{'s' if len(problems) != 1 else ''} in {shown}")
        return 1
    print(f"OK: {shown}: {summary(inventory)}")
    return 0
