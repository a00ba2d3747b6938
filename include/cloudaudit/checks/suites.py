"""Great Expectations: one ephemeral context per country, one suite per facts table.

Suites are built in code from the country policy: each check contributes one
``ExpectColumnValuesToBeInSet(COLUMN, value_set(policy))`` tagged ``meta.check_id``.
Placement (residency) and exposure expectations run on the PII tables, which hold rows
only where regulated PII was found: the table's shape is the PII condition, so no row
conditions are needed (their syntax changed within GX 1.x).

Great Expectations is imported inside ``run_suites`` (about 3-12 s), never at module import.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudaudit.checks.registry import Check, checks_by_table

if TYPE_CHECKING:
    from cloudaudit.checks.facts import Facts
    from cloudaudit.config import CountryPolicy

log = logging.getLogger(__name__)

# Columns naming a failing row in COMPLETE results: the resource, and the exact facts row.
INDEX_COLUMNS = ["resource", "environment", "fact_id"]
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS}


def suite_name(country: str, table: str) -> str:
    return f"{country.lower()}_{table}"


def expectation_kwargs(check: Check, policy: CountryPolicy) -> dict[str, Any]:
    """The arguments of the check's expectation, as data (what the suite records)."""
    return {"column": check.column, "value_set": check.value_set(policy), "meta": {"check_id": check.check_id}}


def _quiet_gx() -> None:
    """No usage statistics, no progress bars on stderr."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def run_suites(policy: CountryPolicy, facts: Facts, *, validation_time: str = "") -> dict[str, dict[str, Any]]:
    """Run every country suite over its facts table; suite name → JSON-able validation result.

    ``validation_time`` (ISO 8601) replaces GX's clock and random IDs in the results, so
    identical inputs give identical results (the evidence bundle is compared byte for byte).
    """
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations import ExpectColumnValuesToBeInSet  # type: ignore[attr-defined]

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("facts")
    results: dict[str, dict[str, Any]] = {}
    for table, checks in sorted(checks_by_table().items()):
        name = suite_name(policy.country, table)
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(table)
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for check in checks:
            suite.add_expectation(ExpectColumnValuesToBeInSet(**expectation_kwargs(check, policy)))
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        result = definition.run(batch_parameters={"dataframe": facts.frame(table)}, result_format=RESULT_FORMAT)
        results[name] = stable(result.to_json_dict(), validation_time)  # type: ignore[no-untyped-call]
        log.info("suite %s: %d rows, success=%s", name, len(facts.rows[table]), results[name].get("success"))
    return results


def stable(result: Mapping[str, Any], validation_time: str) -> dict[str, Any]:
    """A validation result without GX's random IDs and wall-clock times, results sorted by check ID."""
    out = copy.deepcopy(dict(result))
    out["id"] = None
    for item in out.get("results", []):
        item.get("expectation_config", {}).pop("id", None)
    out["results"] = sorted(out.get("results", []), key=lambda item: str(
        item.get("expectation_config", {}).get("meta", {}).get("check_id", "")))
    meta = out.get("meta", {})
    meta["validation_id"] = None
    meta["validation_time"] = validation_time
    if isinstance(meta.get("run_id"), dict):
        meta["run_id"]["run_time"] = validation_time
    if isinstance(meta.get("batch_markers"), dict):
        meta["batch_markers"].pop("ge_load_time", None)
    return out


def check_results(results: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """check_id → its expectation result, across all suites."""
    by_check: dict[str, Mapping[str, Any]] = {}
    for result in results.values():
        for item in result.get("results", []):
            check_id = item.get("expectation_config", {}).get("meta", {}).get("check_id")
            if check_id:
                by_check[str(check_id)] = item
    return by_check
