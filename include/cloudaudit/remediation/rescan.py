"""Confirm a fix by re-scanning: the collector reads the environment again and the finding's own
check judges the resource, exactly as the daily run would (``checks.base.evaluate`` is the rule
every expectation states). A fix is CLOSED when every finding it answers now passes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from cloudaudit.checks.base import evaluate
from cloudaudit.checks.common.rows import SAMPLE_EMPTY, SAMPLE_READ
from cloudaudit.checks.facts import Facts, build_facts
from cloudaudit.checks.findings import SUBJECTS
from cloudaudit.checks.registry import get_check
from cloudaudit.config import CountryPolicy, Environment, Inventory, Limits
from cloudaudit.model import CoverageStatus, Status
from cloudaudit.remediation.model import Confirmation, FindingRef, FixStatus, Proposal, Result

log = logging.getLogger(__name__)


def finding_status(ref: FindingRef, environment: str, facts: Facts, policy: CountryPolicy) -> Status:
    """The finding's check on its resource in freshly collected facts (NOT_ASSESSED without a row)."""
    check = get_check(ref.check_id)
    table = check.metadata.facts_table
    if table is None:
        return Status.NOT_ASSESSED
    rows = [r for r in facts.rows[table] if r.environment == environment and r.resource == ref.resource]
    statuses = [evaluate(getattr(r, check.column), check.value_set(policy)) for r in rows]
    if Status.FAIL in statuses:
        return Status.FAIL
    if statuses and all(s is Status.PASS for s in statuses):
        return Status.PASS
    if not rows and table in SUBJECTS:
        # no regulated PII row: passes only if the resource's data was actually sampled (or is empty)
        containers = [r for r in facts.rows[SUBJECTS[table]]
                      if r.environment == environment and r.resource == ref.resource]
        if containers and all(c.sample_state in (SAMPLE_READ, SAMPLE_EMPTY) for c in containers):
            return Status.PASS
    return Status.NOT_ASSESSED


def confirmation(statuses: Sequence[Status]) -> Confirmation:
    """>>> confirmation([Status.PASS, Status.PASS]), confirmation([Status.PASS, Status.FAIL])
    (<Confirmation.CLOSED: 'CLOSED'>, <Confirmation.STILL_OPEN: 'STILL_OPEN'>)
    """
    if Status.FAIL in statuses:
        return Confirmation.STILL_OPEN
    if statuses and all(s is Status.PASS for s in statuses):
        return Confirmation.CLOSED
    return Confirmation.NOT_ASSESSED


def rescan_environment(env: Environment, run_date: str, policy: CountryPolicy, limits: Limits) -> Facts | None:
    """The environment collected now, as facts; None when it could not be read at all."""
    from cloudaudit.pipeline import live_snapshot

    snapshot = live_snapshot(env, run_date, limits)
    if snapshot.status is CoverageStatus.NOT_ASSESSED:
        return None
    return build_facts([snapshot], policy.regulated_pii)


def confirm_results(proposal: Proposal, results: Sequence[Result], inventory: Inventory, *,
                    limits: Limits | None = None) -> list[Result]:
    """``results`` with a confirmation on every APPLIED one."""
    from cloudaudit.pipeline import country_policy

    limits = limits or Limits.from_env()
    applied = [r for r in results if r.status is FixStatus.APPLIED]
    if not applied:
        return list(results)
    policy = country_policy(proposal.country, inventory)
    environments = {env.name: env for env in inventory.environments}
    facts: dict[str, Facts | None] = {}
    for name in sorted({r.environment for r in applied}):
        env = environments.get(name)
        facts[name] = rescan_environment(env, proposal.run_date, policy, limits) if env else None
    out = []
    for result in results:
        if result.status is not FixStatus.APPLIED:
            out.append(result)
            continue
        scanned = facts.get(result.environment)
        if scanned is None:
            out.append(result.model_copy(update={"confirmation": Confirmation.NOT_ASSESSED,
                                                 "confirmation_detail": "the environment could not be re-scanned"}))
            continue
        statuses = [finding_status(ref, result.environment, scanned, policy) for ref in result.findings]
        detail = ", ".join(f"{ref.check_id} {ref.resource}: {s.value}" for ref, s in zip(result.findings, statuses,
                                                                                        strict=True))
        out.append(result.model_copy(update={"confirmation": confirmation(statuses), "confirmation_detail": detail}))
        log.info("confirm %s %s: %s", result.fix_id, result.resource, detail)
    return out
