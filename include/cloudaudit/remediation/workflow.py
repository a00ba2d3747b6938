"""Guarded remediation, one function per task of ``cloudaudit_remediate``:

    targets ─► propose (per country) ─► approve (HITLOperator) ─► apply ─► confirm

- ``propose`` reads the country's published, verified findings, keeps the open critical/high
  ACCESS and PII_EXPOSURE ones in environments whose ``remediation`` is not ``never``, re-reads
  each resource with the scanner's (read-only) credentials and proposes one fix per resource and
  kind from the catalogue, with its exact before and after. The proposal is stored as
  ``<output>/<D>/<CC>/remediation/proposal.json``; XCom carries its path and SHA-256.
- A person assigned to the country chooses fixes in the Airflow UI; ``REJECT_ALL`` is the default,
  so a timeout changes nothing.
- ``apply`` changes only what was chosen, in ``allowed`` environments, with the fixer's own
  credentials; it re-reads first and skips a resource that changed since the proposal
  (SKIPPED_CHANGED), then reads back. ``dry_run`` environments record DRY_RUN.
- ``confirm`` re-scans each changed resource with the collector and the finding's own check, and
  signs everything into ``<output>/<D>/<CC>/remediation_<CC>_<D>.zip`` (``cloudaudit verify``).

Everything crossing a task boundary is a small JSON dict with no sampled values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cloudaudit.config import Environment, Inventory, Limits, load_inventory, output_root
from cloudaudit.countries import check_country
from cloudaudit.errors import CloudauditError, CollectError, ConfigError
from cloudaudit.remediation import catalog
from cloudaudit.remediation.fixers import Fixer
from cloudaudit.remediation.model import (
    Approval,
    Confirmation,
    FindingRef,
    Fix,
    FixStatus,
    Proposal,
    Result,
    Unfixable,
    canonical,
    state_digest,
)
from cloudaudit.store.backend import Store, open_store

log = logging.getLogger(__name__)

REJECT_ALL: str = "Reject all"  # the HITL option that rejects everything; also the default (timeout)
SEVERITIES = frozenset({"critical", "high"})
CATEGORIES = frozenset({"ACCESS", "PII_EXPOSURE"})
REPORTS_URI = "cloudaudit://reports/"
DAG_ID = "cloudaudit_remediate"
MAX_JSON_IN_BODY = 1_500  # characters of before/after JSON shown per fix in the approval form
MAX_BODY_CHARS = 60_000  # beyond this, further fixes are listed by label (XCom and the form stay small)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HITL_KEYS = ("subject", "body", "options", "defaults", "multiple", "assigned_users", "params")


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- where things are stored -------------------------------------------------------------------


def remediation_key(country: str, run_date: str, name: str) -> str:
    """>>> remediation_key("JP", "2026-12-04", "proposal.json")
    '2026-12-04/JP/remediation/proposal.json'
    """
    return f"{run_date}/{country}/remediation/{name}"


def bundle_key(country: str, run_date: str) -> str:
    """>>> bundle_key("JP", "2026-12-04")
    '2026-12-04/JP/remediation_JP_2026-12-04.zip'
    """
    return f"{run_date}/{country}/remediation_{country}_{run_date}.zip"


def _read_json(store: Store, key: str, sha256: str | None = None) -> Any:
    import hashlib
    import json

    data = store.read_bytes(key)
    if data is None:
        raise ConfigError(f"{store.location(key)}: missing")
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ConfigError(f"{store.location(key)}: changed since it was written (SHA-256 differs)")
    return json.loads(data)


def _write_json(store: Store, key: str, value: Any) -> tuple[str, str]:
    import hashlib

    data = canonical(value) + b"\n"
    store.write_bytes(key, data, content_type="application/json")
    return store.location(key), hashlib.sha256(data).hexdigest()


# ---- targets -----------------------------------------------------------------------------------


def _event_uri(event: Mapping[str, Any]) -> str:
    asset = event.get("asset")
    if isinstance(asset, Mapping) and asset.get("uri"):
        return str(asset["uri"])
    return str(event.get("uri") or event.get("asset_uri") or "")


def remediable_countries(inventory: Inventory) -> set[str]:
    """Countries with at least one environment whose ``remediation`` is not ``never``."""
    return {env.country for env in inventory.environments if env.remediation != "never"}


def targets(params: Mapping[str, Any], asset_events: Sequence[Mapping[str, Any]], run_date: str) -> list[dict[str, Any]]:
    """Which (country, date) pairs to remediate: one per reports asset event, else the params.

    Asset events name ``cloudaudit://reports/<CC>`` and carry the report's ``run_date`` in their
    extra; by hand, ``country`` and ``date`` (empty: ``run_date``). Countries whose environments
    are all ``never`` are dropped.
    """
    inventory = load_inventory()
    wanted: list[tuple[str, str]] = []
    for event in asset_events or ():
        uri = _event_uri(event)
        if not uri.startswith(REPORTS_URI):
            continue
        extra = event.get("extra") if isinstance(event.get("extra"), Mapping) else {}
        wanted.append((uri.removeprefix(REPORTS_URI), str((extra or {}).get("run_date") or run_date)))
    if not asset_events:
        country = str(params.get("country") or "").strip().upper()
        if not country:
            raise ConfigError("params.country: name one country (ISO 3166-1 alpha-2) to remediate by hand")
        wanted.append((country, str(params.get("date") or "").strip() or run_date))
    allowed = remediable_countries(inventory)
    out: list[dict[str, Any]] = []
    for country, day in wanted:
        try:
            country = check_country(country)
        except ValueError as exc:
            raise ConfigError(f"country {country[:8]!r}: {exc}") from None
        if not _DATE.match(day):
            raise ConfigError(f"date {day[:16]!r}: expected YYYY-MM-DD")
        target = {"country": country, "run_date": day}
        if country not in allowed:
            log.info("%s: no environment allows remediation (all never, or none in the inventory)", country)
        elif target not in out:
            out.append(target)
    return out


# ---- approvers ---------------------------------------------------------------------------------


def _auth_manager_name() -> str:
    import os

    value = os.environ.get("AIRFLOW__CORE__AUTH_MANAGER")
    if value is None:
        try:
            from airflow.configuration import conf

            value = conf.get("core", "auth_manager", fallback="") or ""
        except Exception:  # Airflow not installed or not configured: the default manager
            value = ""
    return value


def _fab_user_ids(usernames: Sequence[str]) -> dict[str, str]:
    """FAB user ids (``str(int id)``) by username, read from the metadata database's ``ab_user``."""
    from airflow.configuration import conf
    from sqlalchemy import create_engine, text

    engine = create_engine(conf.get("database", "sql_alchemy_conn"))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, username FROM ab_user")).fetchall()
    finally:
        engine.dispose()
    known = {str(name): str(user_id) for user_id, name in rows}
    return {name: known[name] for name in usernames if name in known}


def approver_users(country: str) -> list[dict[str, str]]:
    """The country's ``remediation_approvers`` as HITL users ``{"id", "name"}``.

    The id is what the auth manager checks: the username for SimpleAuthManager, ``str(int id)``
    for FAB (looked up by username). An entry ``name:id`` gives the id explicitly. An approver
    FAB does not know is left out (logged); no approver at all means anyone allowed to respond
    to the DAG's approvals may respond.
    """
    inventory = load_inventory()
    override = inventory.countries.get(country)
    names = list(override.remediation_approvers) if override else []
    users: list[dict[str, str]] = []
    pending: list[str] = []
    for entry in names:
        name, sep, user_id = entry.partition(":")
        if sep and user_id:
            users.append({"id": user_id, "name": name})
        else:
            pending.append(name)
    if pending and "fab" in _auth_manager_name().lower():
        try:
            ids = _fab_user_ids(pending)
        except Exception as exc:  # no database access from here: say which, keep the others
            log.warning("approvers of %s: FAB user ids not readable (%s); give them as name:id",
                        country, type(exc).__name__)
            ids = {}
        for name in pending:
            if name in ids:
                users.append({"id": ids[name], "name": name})
            else:
                log.warning("approver %s of %s: no such FAB user", name, country)
    else:
        users += [{"id": name, "name": name} for name in pending]
    return users


# ---- propose -----------------------------------------------------------------------------------


def _label(fix_id: str, spec: catalog.FixSpec, resource: str, environment: str) -> str:
    return f"{fix_id} {spec.short}: {resource.split('://', 1)[-1]} ({environment})"


def _shown(value: Any) -> str:
    import json

    text = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_JSON_IN_BODY:
        text = text[:MAX_JSON_IN_BODY] + "\n… (cut here; the whole state is in proposal.json)"
    return text


def proposal_body(proposal: Proposal) -> str:
    """The approval form's Markdown: per fix, what changes, what may break, dry run or apply."""
    lines = [f"Fixes proposed for **{proposal.country}** from the findings published on {proposal.run_date} "
             f"(evidence bundle SHA-256 `{proposal.source_bundle_sha256[:16]}…`). Choose the fixes to apply, or "
             f"**{REJECT_ALL}**. Nothing changes without a choice; a timeout rejects all.", ""]
    if not proposal.fixes:
        lines.append("Nothing to fix: no open critical or high ACCESS / PII_EXPOSURE finding has a fix in the "
                     "catalogue.")
    for index, fix in enumerate(proposal.fixes):
        if sum(len(line) for line in lines) > MAX_BODY_CHARS:  # the form stays usable: the rest by label
            lines += ["", f"{len(proposal.fixes) - index} more fixes, listed by label only (their before/after "
                      "and what may break are in proposal.json):", ""]
            lines += [f"- {f.label}: {f.summary}" for f in proposal.fixes[index:]]
            break
        action = ("**apply** (remediation: allowed)" if fix.mode == "allowed"
                  else "**dry run**: recorded only, nothing is changed (remediation: dry_run)")
        lines += [f"### {fix.label}", "",
                  f"- Environment: `{fix.environment}` ({fix.provider}); {action}",
                  f"- Resource: `{fix.resource}`",
                  "- Findings: " + ", ".join(f"`{f.check_id}` on `{f.resource}` ({f.severity})" for f in fix.findings),
                  f"- What changes: {fix.summary}",
                  "- What may break: " + "; ".join(fix.may_break),
                  "", "Before:", "```json", _shown(fix.before), "```", "After:", "```json", _shown(fix.after), "```",
                  ""]
    for item in proposal.unfixable:
        lines.append(f"- Not proposed: `{item.finding.check_id}` on `{item.finding.resource}` "
                     f"(`{item.environment}`): {item.reason}")
    return "\n".join(lines)


def _qualifies(finding: Any, environments: Mapping[str, Environment]) -> bool:
    env = environments.get(finding.environment)
    return (finding.status == "FAIL" and finding.severity.lower() in SEVERITIES
            and finding.category.upper() in CATEGORIES and env is not None and env.remediation != "never")


def make_fix(fix_id: str, spec: catalog.FixSpec, env: Environment, resource: str, before: dict[str, Any],
             findings: Sequence[FindingRef], notes: Sequence[str] = ()) -> Fix:
    """One fix of ``spec`` to ``resource`` as it was read (``before``), with the state it would leave;
    ``notes``: what this resource in particular would lose, before the kind's general warnings."""
    return Fix(fix_id=fix_id, kind=spec.kind, label=_label(fix_id, spec, resource, env.name), environment=env.name,
               provider=env.provider, resource=resource, mode="allowed" if env.remediation == "allowed" else "dry_run",
               findings=tuple(findings), summary=spec.changes, may_break=(*notes, *spec.may_break),
               permissions=spec.permissions, before=before, after=spec.after(before),
               before_sha256=state_digest(before))


def build_proposal(country: str, run_date: str, inventory: Inventory, *, limits: Limits | None = None) -> Proposal:
    """Read the published findings and the resources (scanner credentials) and build the proposal. Writes nothing."""
    from cloudaudit.remediation.connect import open_fixer
    from cloudaudit.remediation.published import read_published

    limits = limits or Limits.from_env()
    published = read_published(country, run_date)
    environments = {env.name: env for env in inventory.environments if env.country == country}
    groups: dict[tuple[str, str, str], list[FindingRef]] = {}  # (environment, resource, kind) → findings
    unfixable: list[Unfixable] = []
    wanted: list[tuple[Any, FindingRef]] = []
    seen: set[tuple[str, FindingRef]] = set()
    for finding in published.findings:
        if not _qualifies(finding, environments):
            continue
        ref = FindingRef(check_id=finding.check_id, resource=finding.resource, severity=finding.severity.lower(),
                         category=finding.category.upper())
        if (finding.environment, ref) not in seen:
            seen.add((finding.environment, ref))
            wanted.append((finding, ref))

    fixers: dict[str, Fixer | CloudauditError] = {}
    states: dict[tuple[str, str, str], Any] = {}
    for finding, ref in wanted:
        env = environments[finding.environment]
        options = catalog.candidates(ref.check_id, ref.resource)
        if not options:
            unfixable.append(Unfixable(finding=ref, environment=env.name, reason="no fix in the catalogue"))
            continue
        if env.name not in fixers:
            try:
                fixers[env.name] = open_fixer(env, limits, as_fixer=False)
            except CloudauditError as exc:
                fixers[env.name] = exc
        fixer = fixers[env.name]
        reasons: list[str] = []
        proposed = False
        for spec, resource in options:
            key = (env.name, resource, spec.kind.value)
            if key not in states:
                if isinstance(fixer, CloudauditError):
                    states[key] = fixer
                else:
                    try:
                        states[key] = fixer.read(spec.kind, resource).state
                    except (CollectError, ValueError) as exc:
                        states[key] = CollectError(str(exc))
            state = states[key]
            if isinstance(state, Exception):
                reasons.append(f"{resource} unreadable now ({state})")
            elif spec.needed(state):
                groups.setdefault(key, []).append(ref)
                proposed = True
            else:
                reasons.append(f"{resource} needs no {spec.kind.value} as read now")
        if not proposed:
            unfixable.append(Unfixable(finding=ref, environment=env.name, reason="; ".join(reasons)))

    fixes = []
    for number, ((env_name, resource, kind), refs) in enumerate(sorted(groups.items()), start=1):
        fixer = fixers[env_name]
        notes = fixer.notes(catalog.spec(kind).kind, resource) if not isinstance(fixer, CloudauditError) else ()
        fixes.append(make_fix(f"F{number}", catalog.spec(kind), environments[env_name], resource,
                              states[(env_name, resource, kind)], refs, notes))
    return Proposal(country=country, run_date=run_date, created_at=now_utc(), source_bundle=published.location,
                    source_bundle_sha256=published.sha256, fixes=tuple(fixes), unfixable=tuple(unfixable))


def propose(target: Mapping[str, Any]) -> dict[str, Any]:
    """Build and store the country's proposal; return the HITLOperator's kwargs and the proposal reference."""
    country, run_date = str(target["country"]), str(target["run_date"])
    inventory = load_inventory()
    proposal = build_proposal(country, run_date, inventory)
    out = open_store(output_root())
    path, sha = _write_json(out, remediation_key(country, run_date, "proposal.json"), proposal.model_dump(mode="json"))
    n = len(proposal.fixes)
    log.info("proposal for %s %s: %d fixes, %d findings without one", country, run_date, n, len(proposal.unfixable))
    return {
        "subject": f"cloudaudit: {n} fix{'es' if n != 1 else ''} proposed for {country} ({run_date})",
        "body": proposal_body(proposal),
        "options": [fix.label for fix in proposal.fixes] + [REJECT_ALL],
        "defaults": [REJECT_ALL],
        "multiple": True,
        "assigned_users": approver_users(country),
        "params": {"comment": ""},
        "proposal": {"country": country, "run_date": run_date, "path": path, "fix_count": n, "sha256": sha},
    }


def hitl_kwargs(proposed: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a ``propose`` result that HITLOperator takes."""
    return {key: proposed[key] for key in HITL_KEYS if key in proposed}


# ---- apply -------------------------------------------------------------------------------------


def load_proposal(reference: Mapping[str, Any]) -> Proposal:
    """The stored proposal a reference names, refused if its bytes changed since ``propose``."""
    out = open_store(output_root())
    key = remediation_key(str(reference["country"]), str(reference["run_date"]), "proposal.json")
    return Proposal.model_validate(_read_json(out, key, str(reference["sha256"])))


def _comment(params_input: Any) -> str:
    if not isinstance(params_input, Mapping):
        return ""
    value = params_input.get("comment", "")
    if isinstance(value, Mapping):  # a serialized Param
        value = value.get("value", "")
    return str(value or "")[:2_000]


def approval_of(decision: Mapping[str, Any] | None) -> Approval:
    """The HITL response as an Approval; no response (failed or timed-out task) chooses nothing."""
    if not decision:
        return Approval(timed_out=True)
    chosen = tuple(str(o) for o in decision.get("chosen_options") or ())
    user = decision.get("responded_by_user")
    approver = {"id": str(user.get("id", "")), "name": str(user.get("name", ""))} if isinstance(user, Mapping) else None
    at = decision.get("responded_at")
    return Approval(chosen=chosen, approver=approver, approved_at=str(at) if at else None,
                    comment=_comment(decision.get("params_input")),
                    timed_out=bool(decision.get("timedout")) or (approver is None and chosen == (REJECT_ALL,)))


def apply_fix(fix: Fix, env: Environment | None, fixer: Fixer | CloudauditError | None,
              approval: Approval) -> Result:
    """One approved fix: DRY_RUN, REFUSED, SKIPPED_CHANGED, APPLIED or FAILED."""
    spec = catalog.spec(fix.kind)
    common: dict[str, Any] = {"fix_id": fix.fix_id, "label": fix.label, "kind": fix.kind,
                              "environment": fix.environment, "resource": fix.resource, "findings": fix.findings,
                              "approver": approval.approver, "approved_at": approval.approved_at,
                              "comment": approval.comment}
    if env is None or env.remediation == "never":
        return Result(status=FixStatus.REFUSED, reason="the environment's remediation is now never (or it is gone)",
                      **common)
    if env.remediation == "dry_run" or fix.mode == "dry_run":
        return Result(status=FixStatus.DRY_RUN, reason="remediation: dry_run: nothing changed",
                      before=fix.before, after=fix.after, **common)
    if isinstance(fixer, CloudauditError) or fixer is None:
        return Result(status=FixStatus.FAILED, reason=f"fixer credentials unusable: {fixer}", **common)
    try:
        current = fixer.read(fix.kind, fix.resource)
    except (CollectError, ValueError) as exc:
        return Result(status=FixStatus.FAILED, reason=f"re-read failed: {exc}", **common)
    if state_digest(current.state) == state_digest(fix.after) and state_digest(current.state) != fix.before_sha256:
        # a retried task whose first attempt applied the change: record it, do not call it someone else's
        return Result(status=FixStatus.APPLIED, before=fix.before, after=current.state,
                      reason="already in the proposed state when re-read (an earlier attempt applied it)", **common)
    if state_digest(current.state) != fix.before_sha256:
        return Result(status=FixStatus.SKIPPED_CHANGED, before=current.state,
                      reason="the resource changed since the proposal; nothing done", **common)
    after = spec.after(current.state)
    try:
        fixer.write(fix.kind, fix.resource, current, after)
    except (CollectError, ValueError) as exc:
        return Result(status=FixStatus.FAILED, before=current.state, reason=f"change refused: {exc}", **common)
    try:
        read_back = fixer.read(fix.kind, fix.resource).state
    except (CollectError, ValueError) as exc:
        return Result(status=FixStatus.FAILED, before=current.state, reason=f"read-back failed: {exc}", **common)
    if spec.needed(read_back):
        return Result(status=FixStatus.FAILED, before=current.state, after=read_back,
                      reason="read back: the change did not take effect", **common)
    note = "" if state_digest(read_back) == state_digest(after) else "read back differs in form from the intended state"
    log.info("applied %s %s on %s", fix.fix_id, fix.kind.value, fix.resource)
    return Result(status=FixStatus.APPLIED, before=current.state, after=read_back, reason=note, **common)


def apply_decision(proposal: Proposal, approval: Approval, inventory: Inventory, *,
                   limits: Limits | None = None) -> list[Result]:
    """Every fix of the proposal with its outcome; only chosen fixes are touched."""
    from cloudaudit.remediation.connect import open_fixer

    limits = limits or Limits.from_env()
    chosen = set() if REJECT_ALL in approval.chosen else set(approval.chosen)
    environments = {env.name: env for env in inventory.environments}
    fixers: dict[str, Fixer | CloudauditError] = {}
    results: list[Result] = []
    for fix in proposal.fixes:
        if fix.label not in chosen:
            results.append(Result(fix_id=fix.fix_id, label=fix.label, kind=fix.kind, environment=fix.environment,
                                  resource=fix.resource, status=FixStatus.NOT_APPROVED, findings=fix.findings,
                                  reason="rejected" if approval.chosen else "no response (timeout or failed approval)",
                                  approver=approval.approver, approved_at=approval.approved_at,
                                  comment=approval.comment))
            continue
        env = environments.get(fix.environment)
        fixer: Fixer | CloudauditError | None = None
        if env is not None and env.remediation == "allowed" and fix.mode == "allowed":
            if env.name not in fixers:
                try:
                    fixers[env.name] = open_fixer(env, limits, as_fixer=True)
                except CloudauditError as exc:
                    fixers[env.name] = exc
            fixer = fixers[env.name]
        results.append(apply_fix(fix, env, fixer, approval))
    return results


def _short(result: Result) -> dict[str, Any]:
    return {"fix_id": result.fix_id, "label": result.label, "status": result.status.value,
            "environment": result.environment, "resource": result.resource, "reason": result.reason}


def apply(proposed: Mapping[str, Any], decision: Mapping[str, Any] | None) -> dict[str, Any]:
    """Apply the approved fixes of one country's proposal; store decision.json and results.json."""
    reference = dict(proposed["proposal"])
    proposal = load_proposal(reference)
    approval = approval_of(decision)
    inventory = load_inventory()
    results = apply_decision(proposal, approval, inventory)
    out = open_store(output_root())
    country, run_date = proposal.country, proposal.run_date
    _write_json(out, remediation_key(country, run_date, "decision.json"),
                {"options": [f.label for f in proposal.fixes] + [REJECT_ALL], **approval.model_dump(mode="json")})
    path, sha = _write_json(out, remediation_key(country, run_date, "results.json"),
                            [r.model_dump(mode="json") for r in results])
    counts = {s.value: sum(1 for r in results if r.status is s) for s in FixStatus}
    log.info("remediation %s %s: %s", country, run_date, {k: v for k, v in counts.items() if v})
    return {"country": country, "run_date": run_date, "proposal": reference,
            "results": [_short(r) for r in results], "results_path": path, "results_sha256": sha}


# ---- confirm -----------------------------------------------------------------------------------


def _run_id(applied: Mapping[str, Any]) -> str:
    """The Airflow run this is part of (for the manifest), else ``manual``."""
    if applied.get("run_id"):
        return str(applied["run_id"])
    try:
        from airflow.sdk import get_current_context

        return str(get_current_context().get("run_id") or "manual")
    except Exception:  # outside a task (CLI, tests): no context
        return "manual"


def confirm(applied: Mapping[str, Any]) -> dict[str, Any]:
    """Re-scan every APPLIED resource, then write the signed remediation bundle; return its summary."""
    from cloudaudit.remediation.bundle import write_remediation_bundle
    from cloudaudit.remediation.rescan import confirm_results

    reference = dict(applied["proposal"])
    proposal = load_proposal(reference)
    out = open_store(output_root())
    country, run_date = proposal.country, proposal.run_date
    raw = _read_json(out, remediation_key(country, run_date, "results.json"), applied.get("results_sha256"))
    results = [Result.model_validate(r) for r in raw]
    inventory = load_inventory()
    results = confirm_results(proposal, results, inventory)
    _write_json(out, remediation_key(country, run_date, "results.json"), [r.model_dump(mode="json") for r in results])
    decision = _read_json(out, remediation_key(country, run_date, "decision.json"))
    location, sha = write_remediation_bundle(proposal, decision, results, run_id=_run_id(applied))

    def count(*statuses: FixStatus) -> int:
        return sum(1 for r in results if r.status in statuses)

    return {"country": country, "run_date": run_date, "bundle": location, "bundle_sha256": sha,
            "applied": count(FixStatus.APPLIED), "skipped": count(FixStatus.SKIPPED_CHANGED),
            "rejected": count(FixStatus.NOT_APPROVED), "dry_run": count(FixStatus.DRY_RUN),
            "failed": count(FixStatus.FAILED, FixStatus.REFUSED),
            "closed": sum(1 for r in results if r.confirmation is Confirmation.CLOSED),
            "still_open": sum(1 for r in results if r.confirmation is Confirmation.STILL_OPEN)}
