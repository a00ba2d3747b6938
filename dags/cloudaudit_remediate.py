"""
### cloudaudit_remediate

targets ─► propose (per country) ─► approve (per country: a person decides) ─► apply (per country) ─► confirm (per country)

Guarded remediation (docs/remediation.md). Runs when `cloudaudit_daily` publishes a country's
reports (the `cloudaudit-reports` asset alias), or by hand for one `country` and `date`.

- **propose** reads the country's published, signed findings and proposes one fix per open critical or
  high ACCESS / PII_EXPOSURE finding, from the catalogue in code: what it changes (before and after) and
  what may break. Environments with `remediation: never` are never proposed.
- **approve** waits for the country's compliance engineers (inventory `countries.<CC>.remediation_approvers`)
  in *Browse → Required Actions*: tick all, some or none of the fixes, or *Reject all*, with a comment.
  Nobody answering within `CLOUDAUDIT_APPROVAL_TIMEOUT_S` (default one day) rejects everything.
- **apply** changes only the approved fixes, with the environment's own fixer credentials, and only in
  environments with `remediation: allowed` (`dry_run`, the default, records what it would do). A resource
  that changed since the proposal is skipped. It runs after a rejection or a timeout too, to record them.
- **confirm** re-scans each changed resource and writes the signed `remediation_<CC>_<date>.zip`
  (`cloudaudit verify` checks it).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import AssetAlias, Param, TriggerRule, dag, get_current_context, task

REPORTS = AssetAlias("cloudaudit-reports")  # what cloudaudit_daily's publish emits, one event per country
# The country, from the subject "cloudaudit: 3 fixes proposed for JP (2026-12-04)", as the UI's map index.
APPROVE_LABEL = "{{ task.subject.split(' proposed for ')[-1].split(' ')[0] }}"
APPROVAL_TIMEOUT = timedelta(seconds=int(os.environ.get("CLOUDAUDIT_APPROVAL_TIMEOUT_S", "86400")))


def _run_date(context: Any) -> str:
    when = context.get("logical_date") or context.get("run_after") or pendulum.now("UTC")
    return str(pendulum.instance(when).in_timezone("UTC").to_date_string())


def _asset_events(context: Any) -> list[dict[str, Any]]:
    """The reports events that triggered this run (none for a manual run), as plain dicts."""
    accessor = context.get("triggering_asset_events") or {}
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for key in accessor:  # every event is listed under its asset and again under the alias
        for event in accessor[key]:
            uri = str(event.asset.uri)
            stamp = event.timestamp.isoformat() if event.timestamp else ""
            seen.setdefault((uri, stamp), {"uri": uri, "name": str(event.asset.name), "extra": dict(event.extra or {}),
                                           "timestamp": stamp, "source_dag_id": event.source_dag_id,
                                           "source_run_id": event.source_run_id})
    return list(seen.values())


def _hitl_kwargs(proposed: dict[str, Any]) -> dict[str, Any]:
    """One approval form per country: the fixes as options, Reject all as the default (runs in the worker)."""
    from cloudaudit.remediation.workflow import hitl_kwargs

    return hitl_kwargs(proposed)


@dag(
    dag_id="cloudaudit_remediate",
    schedule=REPORTS,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "compliance-engineering",
                  "retries": int(os.environ.get("CLOUDAUDIT_TASK_RETRIES", "2")),
                  "retry_delay": pendulum.duration(minutes=2)},
    tags=["cloudaudit", "compliance", "remediation"],
    doc_md=__doc__,
    params={
        "country": Param("", type="string",
                         description="manual runs: the ISO country code to remediate (asset-triggered runs: ignored)"),
        "date": Param("", type="string",
                      description="manual runs: the published run date YYYY-MM-DD (empty: the run's date)"),
    },
)
def cloudaudit_remediate() -> None:
    @task
    def targets() -> list[dict[str, Any]]:
        """Which (country, date) to remediate: from the triggering reports events, or the params."""
        from cloudaudit.remediation.workflow import targets as find_targets

        context = get_current_context()
        return find_targets(context["params"], _asset_events(context), _run_date(context))

    @task(map_index_template="{{ target.country }}")
    def propose(target: dict[str, Any]) -> dict[str, Any]:
        """Read-only: the fixes for one country's open findings, with before/after; proposal.json on disk."""
        from cloudaudit.remediation.workflow import propose as make_proposal

        return make_proposal(target)

    # Retrying an approval would ask the people again; retrying a change would find it changed.
    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0, map_index_template="{{ proposed.proposal.country }}")
    def apply(proposed: dict[str, Any]) -> dict[str, Any]:
        """The approved fixes only; no decision (rejected, timed out, approval failed) changes nothing."""
        from cloudaudit.remediation.workflow import apply as apply_fixes

        ti = get_current_context()["ti"]
        decision = ti.xcom_pull(task_ids="approve", map_indexes=ti.map_index)
        return apply_fixes(proposed, decision if isinstance(decision, dict) else {})

    @task(map_index_template="{{ applied.country }}")
    def confirm(applied: dict[str, Any]) -> dict[str, Any]:
        """Re-scan what changed; the signed remediation bundle."""
        from cloudaudit.remediation.workflow import confirm as confirm_fixes

        return confirm_fixes({**applied, "run_id": get_current_context()["run_id"]})

    proposals = propose.expand(target=targets())
    # One country's failed proposal must not hold back another country's approval: all_done.
    approve = HITLOperator.partial(
        task_id="approve", response_timeout=APPROVAL_TIMEOUT, retries=0, trigger_rule=TriggerRule.ALL_DONE,
        map_index_template=APPROVE_LABEL,
    ).expand_kwargs(proposals.map(_hitl_kwargs))
    applied = apply.expand(proposed=proposals)
    approve >> applied
    confirm.expand(applied=applied)


cloudaudit_remediate()
