"""The signed remediation bundle ``remediation_<CC>_<D>.zip``: the evidence bundle's layout,
manifest and Ed25519 signature (``cloudaudit.evidence.bundle``), format ``cloudaudit-remediation``.

Members::

    proposal.json            the proposal as approvers saw it (fixes with before/after, what may break)
    decision.json            the options offered, what was chosen, by whom, when, the comment
    results.json             per fix: status, before (re-read), after (read back), approver, confirmation
    fixes/<F>/before.json    the resource's state just before the change (or as proposed, if untouched)
    fixes/<F>/after.json     the state read back after the change (or as proposed, if untouched)

The manifest adds ``source_bundle`` (the evidence bundle the findings came from, by SHA-256) and
``counts`` (fixes per status) to the evidence manifest's fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit import __version__
from cloudaudit.config import load_inventory, output_root
from cloudaudit.evidence.bundle import REMEDIATION_FORMAT, build_bundle, sha256_hex
from cloudaudit.remediation.model import FixStatus, Proposal, Result, canonical
from cloudaudit.store.backend import open_store

DAG_ID = "cloudaudit_remediate"


def _json(value: Any) -> bytes:
    return canonical(value) + b"\n"


def bundle_members(proposal: Proposal, decision: Mapping[str, Any], results: Sequence[Result]) -> dict[str, bytes]:
    members = {"proposal.json": _json(proposal.model_dump(mode="json")), "decision.json": _json(decision),
               "results.json": _json([r.model_dump(mode="json") for r in results])}
    for result in results:
        fix = proposal.fix(result.fix_id)
        members[f"fixes/{result.fix_id}/before.json"] = _json(result.before if result.before is not None
                                                               else fix.before)
        members[f"fixes/{result.fix_id}/after.json"] = _json(result.after if result.after is not None
                                                              else fix.after)
    return members


def remediation_bundle(proposal: Proposal, decision: Mapping[str, Any], results: Sequence[Result], *,
                       private_key: Any, generated_at: str, run_id: str, policy_digest: str) -> bytes:
    counts = {s.value: sum(1 for r in results if r.status is s) for s in FixStatus}
    return build_bundle(
        country=proposal.country, run_date=proposal.run_date, dag_id=DAG_ID, run_id=run_id,
        generated_at=generated_at, captured_at=proposal.created_at, tool_version=__version__,
        policy_digest=policy_digest, members=bundle_members(proposal, decision, results),
        previous_bundle_sha256=None, private_key=private_key, format=REMEDIATION_FORMAT,
        extra={"source_bundle": {"location": proposal.source_bundle, "sha256": proposal.source_bundle_sha256},
               "counts": counts})


def write_remediation_bundle(proposal: Proposal, decision: Mapping[str, Any], results: Sequence[Result], *,
                             run_id: str = "manual") -> tuple[str, str]:
    """Sign and store the bundle; (its location, its SHA-256)."""
    from cloudaudit.pipeline import country_policy, now_utc, signing_key
    from cloudaudit.remediation.workflow import bundle_key

    policy = country_policy(proposal.country, load_inventory())
    data = remediation_bundle(proposal, decision, results, private_key=signing_key(), generated_at=now_utc(),
                              run_id=run_id, policy_digest=policy.digest())
    out = open_store(output_root())
    key = bundle_key(proposal.country, proposal.run_date)
    out.write_bytes(key, data, content_type="application/zip")
    return out.location(key), sha256_hex(data)
