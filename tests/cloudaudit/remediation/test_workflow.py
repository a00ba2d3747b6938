"""The remediation workflow on the emulators: propose → decide → apply → confirm, as the DAG calls it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cloudaudit.config import Limits, load_inventory
from cloudaudit.remediation import catalog
from cloudaudit.remediation.connect import open_fixer
from cloudaudit.remediation.model import FixKind, Proposal, state_digest
from cloudaudit.remediation.workflow import (
    REJECT_ALL,
    apply,
    confirm,
    hitl_kwargs,
    load_proposal,
    propose,
    targets,
)
from tests.cloudaudit.remediation.conftest import COUNTRY, RUN_DATE, Estate, planted_values, publish

TARGET = {"country": COUNTRY, "run_date": RUN_DATE}


def states(proposal: Proposal) -> dict[str, str]:
    """Every proposed resource's state digest, read now with the scanner's credentials."""
    inventory = load_inventory()
    out = {}
    for fix in proposal.fixes:
        fixer = open_fixer(inventory.environment(fix.environment), Limits(), as_fixer=False)
        out[fix.fix_id] = state_digest(fixer.read(fix.kind, fix.resource).state)
    return out


def decision(*labels: str, comment: str = "ok") -> dict[str, Any]:
    return {"chosen_options": list(labels), "params_input": {"comment": comment},
            "responded_by_user": {"id": "jp-engineer", "name": "jp-engineer"}, "responded_at": "2026-12-05T01:02:03Z"}


def by_kind(proposal: Proposal, kind: FixKind, environment: str = "jp-aws") -> Any:
    found = [f for f in proposal.fixes if f.kind is kind and f.environment == environment]
    assert found, f"no {kind} fix for {environment}"
    return found[0]


def test_a_proposal_for_each_fix_kind_with_before_and_after(fresh: Estate) -> None:
    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    kinds = {f.kind for f in proposal.fixes}
    assert kinds == set(FixKind), kinds
    for fix in proposal.fixes:
        spec = catalog.spec(fix.kind)
        assert spec.needed(fix.before) and not spec.needed(fix.after), fix.label
        assert fix.before != fix.after and fix.may_break and fix.permissions
        assert fix.label in proposed["options"] and fix.label in proposed["body"]
    # the policy fix keeps the partner statement; the policy-only bucket loses its policy
    policy = next(f for f in proposal.fixes if f.kind is FixKind.S3_POLICY_PUBLIC_STATEMENTS
                  and f.resource.endswith("-policy"))
    assert [s["Sid"] for s in policy.after["Policy"]["Statement"]] == ["PartnerRead"]
    only = next(f for f in proposal.fixes if f.resource.endswith("-policyonly"))
    assert only.after == {"Policy": None}
    # a website the fix would take down is named first, for that bucket only
    assert "THIS bucket serves a static website" in policy.may_break[0]
    assert not [m for m in only.may_break if m.startswith("THIS")]
    assert "THIS bucket is configured as a website" in by_kind(proposal, FixKind.GCS_PUBLIC_BINDINGS,
                                                               "jp-gcp").may_break[0]
    gcs = by_kind(proposal, FixKind.GCS_PUBLIC_BINDINGS, "jp-gcp")
    assert gcs.after["bindings"] == [
        {"role": "roles/storage.admin", "members": ["user:owner@example.com"]},
        {"role": "roles/storage.objectViewer", "members": ["group:analysts@example.com"]}]
    # never environments are not proposed; dry_run ones are, marked dry run
    assert not [f for f in proposal.fixes if f.environment == "jp-aws-never"]
    assert {f.mode for f in proposal.fixes if f.environment == "jp-aws-dry"} == {"dry_run"}
    assert proposed["options"][-1] == REJECT_ALL and proposed["defaults"] == [REJECT_ALL]
    assert proposed["multiple"] is True and proposed["proposal"]["fix_count"] == len(proposal.fixes)
    assert proposed["assigned_users"] == [{"id": "jp-engineer", "name": "jp-engineer"}]
    assert set(hitl_kwargs(proposed)) == {"subject", "body", "options", "defaults", "multiple", "assigned_users",
                                          "params"}
    text = Path(proposed["proposal"]["path"]).read_text() + proposed["body"]
    assert not [v for v in planted_values(*fresh.data.values()) if v in text]


def test_apply_changes_exactly_the_chosen_resources(fresh: Estate) -> None:
    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    chosen = [by_kind(proposal, FixKind.S3_ACL_PUBLIC_GRANTS), by_kind(proposal, FixKind.GCS_PUBLIC_BINDINGS, "jp-gcp")]
    before = states(proposal)
    applied = apply(proposed, decision(*(f.label for f in chosen)))
    after = states(proposal)
    statuses = {r["fix_id"]: r["status"] for r in applied["results"]}
    for fix in proposal.fixes:
        if fix in chosen:
            assert statuses[fix.fix_id] == "APPLIED"
            assert after[fix.fix_id] != before[fix.fix_id]
            assert after[fix.fix_id] == state_digest(fix.after), fix.label  # exactly the proposed state
        else:
            assert statuses[fix.fix_id] == "NOT_APPROVED"
            assert after[fix.fix_id] == before[fix.fix_id], fix.label


@pytest.mark.parametrize("answer", [decision(REJECT_ALL), None, {}, decision(REJECT_ALL, "ignored-label")])
def test_reject_all_or_no_decision_changes_nothing(fresh: Estate, answer: dict[str, Any] | None) -> None:
    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    before = states(proposal)
    applied = apply(proposed, answer)
    assert {r["status"] for r in applied["results"]} == {"NOT_APPROVED"}
    assert states(proposal) == before


def test_a_resource_changed_after_the_proposal_is_skipped(fresh: Estate) -> None:
    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    fix = by_kind(proposal, FixKind.S3_ACL_PUBLIC_GRANTS)
    s3 = fresh.admin_s3("jp-aws")
    bucket = fix.resource.removeprefix("s3://")
    acl = s3.get_bucket_acl(Bucket=bucket)
    grants = [*acl["Grants"], {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/"
                                                              "AuthenticatedUsers"}, "Permission": "READ"}]
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": acl["Owner"], "Grants": grants})  # someone else
    changed = states(proposal)[fix.fix_id]
    applied = apply(proposed, decision(fix.label))
    result = next(r for r in applied["results"] if r["fix_id"] == fix.fix_id)
    assert result["status"] == "SKIPPED_CHANGED"
    assert states(proposal)[fix.fix_id] == changed  # left as the other person made it


def test_dry_run_changes_nothing_and_records_dry_run(fresh: Estate) -> None:
    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    dry = [f for f in proposal.fixes if f.environment == "jp-aws-dry"]
    assert dry
    before = states(proposal)
    applied = apply(proposed, decision(*(f.label for f in dry)))
    assert {r["status"] for r in applied["results"] if r["environment"] == "jp-aws-dry"} == {"DRY_RUN"}
    assert states(proposal) == before


def test_targets_from_asset_events_and_params(fresh: Estate) -> None:
    events = [{"asset": {"uri": "cloudaudit://reports/JP"}, "extra": {"run_date": RUN_DATE}},
              {"uri": "cloudaudit://reports/JP", "extra": {"run_date": RUN_DATE}}]
    assert targets({}, events, "2026-12-05") == [TARGET]
    assert targets({"country": "jp", "date": ""}, [], RUN_DATE) == [TARGET]
    fresh.write_inventory(**{name: {"remediation": "never", "remediation_role_arn": None, "remediation_conn_id": None}
                             for name in ("jp-aws", "jp-aws-dry", "jp-gcp")})
    assert targets({}, events, "2026-12-05") == []  # every JP environment is never


def test_never_environment_is_not_proposed_even_when_it_was_allowed(fresh: Estate) -> None:
    fresh.write_inventory(**{"jp-gcp": {"remediation": "never"}})
    proposal = load_proposal(propose(TARGET)["proposal"])
    assert not [f for f in proposal.fixes if f.environment in ("jp-gcp", "jp-aws-never")]
    assert [f for f in proposal.fixes if f.environment == "jp-aws"]


def test_confirm_closes_the_findings_and_the_bundle_verifies(fresh: Estate) -> None:
    import subprocess
    import sys
    import zipfile

    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    chosen = [f for f in proposal.fixes if f.environment == "jp-aws" and f.resource.endswith("-acl")]
    assert {f.kind for f in chosen} == {FixKind.S3_ACL_PUBLIC_GRANTS, FixKind.S3_BLOCK_PUBLIC_ACCESS}
    applied = apply(proposed, decision(*(f.label for f in chosen), comment="closing the public CRM export"))
    summary = confirm(applied)
    assert summary["applied"] == 2 and summary["closed"] == 2 and summary["still_open"] == 0
    assert summary["rejected"] == len(proposal.fixes) - 2
    bundle = Path(summary["bundle"])
    assert bundle.name == f"remediation_{COUNTRY}_{RUN_DATE}.zip"
    run = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "format: cloudaudit-remediation" in run.stdout
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        members = {name: archive.read(name) for name in names}
    assert {"proposal.json", "decision.json", "results.json"} <= names
    assert {f"fixes/{f.fix_id}/before.json" for f in proposal.fixes} <= names
    assert b"closing the public CRM export" in members["results.json"]
    assert b'"CLOSED"' in members["results.json"]
    import json

    everything = b"".join(members.values()).decode("utf-8", "replace") + json.dumps([proposed, applied, summary])
    assert not [v for v in planted_values(*fresh.data.values()) if v in everything]
    # tampering with one member fails verification, naming it
    tampered = bundle.with_name("tampered.zip")
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data.replace(b"APPLIED", b"APPLIEd") if info.filename == "results.json" else data)
    run = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(tampered)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1 and "results.json" in run.stdout, run.stdout


def test_every_kind_applies_on_the_emulators_and_the_rescan_closes_its_findings(fresh: Estate) -> None:
    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    allowed = [f for f in proposal.fixes if f.mode == "allowed"]
    assert {f.kind for f in allowed} == set(FixKind)
    applied = apply(proposed, decision(*(f.label for f in allowed)))
    statuses = {r["fix_id"]: (r["status"], r["reason"]) for r in applied["results"]}
    assert {statuses[f.fix_id][0] for f in allowed} == {"APPLIED"}, statuses
    summary = confirm(applied)
    assert summary["applied"] == len(allowed) and summary["still_open"] == 0
    assert summary["closed"] == len(allowed), summary
    # a retried apply finds every resource already in the proposed state: nothing is changed again
    again = apply(proposed, decision(*(f.label for f in allowed)))
    assert {r["status"] for r in again["results"] if r["fix_id"] in {f.fix_id for f in allowed}} == {"APPLIED"}
    assert all("earlier attempt" in r["reason"] for r in again["results"] if r["status"] == "APPLIED")
    # and the next daily scan publishes every answered finding as passing
    from cloudaudit.remediation.published import read_published

    publish(fresh, "2026-12-05")
    published = {(f.environment, f.check_id, f.resource): f.status for f in read_published(COUNTRY, "2026-12-05").findings}
    answered = {(f.environment, ref.check_id, ref.resource) for f in allowed for ref in f.findings}
    assert answered and {published[key] for key in answered} == {"PASS"}


def test_confirm_reports_still_open_when_the_exposure_comes_back(fresh: Estate) -> None:
    import json

    proposed = propose(TARGET)
    proposal = load_proposal(proposed["proposal"])
    fix = next(f for f in proposal.fixes if f.resource.endswith("-policyonly"))
    applied = apply(proposed, decision(fix.label))
    assert next(r for r in applied["results"] if r["fix_id"] == fix.fix_id)["status"] == "APPLIED"
    bucket = fix.resource.removeprefix("s3://")
    fresh.admin_s3("jp-aws").put_bucket_policy(Bucket=bucket, Policy=json.dumps(fix.before["Policy"]))  # reverted
    summary = confirm(applied)
    assert (summary["applied"], summary["closed"], summary["still_open"]) == (1, 0, 1)


@pytest.mark.parametrize("kind", [FixKind.BQ_TABLE_PUBLIC_BINDINGS, FixKind.BQ_DATASET_PUBLIC_ACCESS])
def test_a_change_between_the_re_read_and_the_write_is_refused_by_the_service(fresh: Estate, kind: FixKind) -> None:
    """The write carries the etag of the version compared: BigQuery refuses it after a concurrent change."""
    from google.cloud import bigquery

    from cloudaudit.remediation.fixers import Current
    from cloudaudit.remediation.model import Approval, FixStatus
    from cloudaudit.remediation.workflow import apply_fix

    proposal = load_proposal(propose(TARGET)["proposal"])
    fix = by_kind(proposal, kind, "jp-gcp")
    env = load_inventory().environment("jp-gcp")
    inner = open_fixer(env, Limits(), as_fixer=True)
    client = fresh.bigquery()

    def someone_else() -> None:
        if kind is FixKind.BQ_TABLE_PUBLIC_BINDINGS:
            policy = client.get_iam_policy("jp-analytics.crm.customers")
            policy.bindings = [*policy.bindings, {"role": "roles/bigquery.dataEditor", "members": {"user:x@example.com"}}]
            client.set_iam_policy("jp-analytics.crm.customers", policy)
        else:
            dataset = client.get_dataset("jp-analytics.crm")
            dataset.access_entries = [*dataset.access_entries, bigquery.AccessEntry("READER", "userByEmail",
                                                                                    "x@example.com")]
            client.update_dataset(dataset, ["access_entries"])

    class Racing:
        def read(self, kind: FixKind, resource: str) -> Current:
            current = inner.read(kind, resource)
            someone_else()  # lands after our comparison, before our write
            return current

        def write(self, kind: FixKind, resource: str, current: Current, after: dict[str, Any]) -> None:
            inner.write(kind, resource, current, after)

    result = apply_fix(fix, env, Racing(), Approval(chosen=(fix.label,)))
    assert result.status is FixStatus.FAILED and result.reason.startswith("change refused"), result.reason
    now = inner.read(kind, fix.resource).state
    assert "x@example.com" in str(now) and catalog.spec(kind).needed(now)  # their change kept, ours not made


def test_nothing_to_fix_offers_only_reject_all(fresh: Estate) -> None:
    fresh.write_inventory(**{name: {"remediation": "never", "remediation_role_arn": None, "remediation_conn_id": None}
                             for name in ("jp-aws", "jp-aws-dry", "jp-gcp")})
    proposed = propose(TARGET)
    assert proposed["options"] == [REJECT_ALL] and proposed["proposal"]["fix_count"] == 0
    assert proposed["subject"] == f"cloudaudit: 0 fixes proposed for {COUNTRY} ({RUN_DATE})"
    assert "Nothing to fix" in proposed["body"]
    applied = apply(proposed, decision(REJECT_ALL))
    assert applied["results"] == [] and confirm(applied)["applied"] == 0
