"""The remediation bundle reuses the evidence bundle's builder and verifier with ``format``."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudaudit.errors import EvidenceError
from cloudaudit.evidence.bundle import FORMAT, REMEDIATION_FORMAT, build_bundle
from cloudaudit.evidence.verify import run_verify, verify_bundle
from cloudaudit.remediation import catalog
from cloudaudit.remediation.bundle import remediation_bundle
from cloudaudit.remediation.model import (
    Approval,
    FindingRef,
    FixKind,
    FixStatus,
    Proposal,
    Result,
    state_digest,
)
from cloudaudit.remediation.workflow import approval_of, make_fix

KEY = Ed25519PrivateKey.generate()
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
COMMON = {"country": "JP", "run_date": "2026-12-04", "dag_id": "d", "run_id": "r", "generated_at": "2026-12-05T00:00:00Z",
          "captured_at": None, "tool_version": "t", "policy_digest": "p", "members": {"a.json": b"{}"},
          "previous_bundle_sha256": None, "private_key": KEY}


def proposal() -> Proposal:
    from cloudaudit.config import Environment

    env = Environment(name="jp-prod", country="JP", provider="aws", account_id="111111111111",
                      remediation="allowed", remediation_role_arn="arn:aws:iam::111111111111:role/cloudaudit-fixer")
    before = {"Owner": {"ID": "o"}, "Grants": [{"Grantee": {"Type": "Group", "URI": ALL_USERS},
                                                "Permission": "READ"}]}
    fix = make_fix("F1", catalog.spec(FixKind.S3_ACL_PUBLIC_GRANTS), env, "s3://jp-crm", before,
                   [FindingRef(check_id="aws_s3_bucket_public_acl", resource="s3://jp-crm", severity="high",
                               category="ACCESS")])
    return Proposal(country="JP", run_date="2026-12-04", created_at="2026-12-05T00:00:00Z", source_bundle="x",
                    source_bundle_sha256="a" * 64, fixes=(fix,))


def test_format_is_one_of_the_known_and_extra_fields_cannot_replace_common_ones() -> None:
    with pytest.raises(EvidenceError, match="format"):
        build_bundle(**COMMON, format="something-else")  # type: ignore[arg-type]
    with pytest.raises(EvidenceError, match="country"):
        build_bundle(**COMMON, format=REMEDIATION_FORMAT, extra={"country": "TH"})  # type: ignore[arg-type]


def test_both_formats_verify_and_say_which(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in (FORMAT, REMEDIATION_FORMAT):
        path = tmp_path / f"{fmt}.zip"
        path.write_bytes(build_bundle(**COMMON, format=fmt))  # type: ignore[arg-type]
        assert verify_bundle(path).ok
        assert run_verify(path) == 0
        assert f"format: {fmt}" in capsys.readouterr().out


def test_the_remediation_bundle_holds_decision_results_and_each_fix_state(tmp_path: Path) -> None:
    made = proposal()
    fix = made.fixes[0]
    approval = approval_of({"chosen_options": [fix.label], "params_input": {"comment": "go"},
                            "responded_by_user": {"id": "7", "name": "jp-lead"}, "responded_at": "2026-12-05T01:00:00Z"})
    assert approval == Approval(chosen=(fix.label,), approver={"id": "7", "name": "jp-lead"},
                                approved_at="2026-12-05T01:00:00Z", comment="go")
    result = Result(fix_id="F1", label=fix.label, kind=fix.kind, environment=fix.environment, resource=fix.resource,
                    status=FixStatus.APPLIED, before=fix.before, after=fix.after, approver=approval.approver,
                    approved_at=approval.approved_at, comment="go", findings=fix.findings)
    data = remediation_bundle(made, {"chosen": [fix.label]}, [result], private_key=KEY,
                              generated_at="2026-12-05T02:00:00Z", run_id="manual__1", policy_digest="p")
    path = tmp_path / "remediation_JP_2026-12-04.zip"
    path.write_bytes(data)
    checked = verify_bundle(path)
    assert checked.ok and checked.manifest is not None
    assert checked.manifest["format"] == REMEDIATION_FORMAT and checked.manifest["dag_id"] == "cloudaudit_remediate"
    assert checked.manifest["source_bundle"]["sha256"] == "a" * 64
    assert checked.manifest["counts"]["APPLIED"] == 1
    with zipfile.ZipFile(path) as archive:
        after = json.loads(archive.read("fixes/F1/after.json"))
        results = json.loads(archive.read("results.json"))
    assert state_digest(after) == state_digest(fix.after) and after["Grants"] == []
    assert results[0]["approver"] == {"id": "7", "name": "jp-lead"} and results[0]["comment"] == "go"
    # the same inputs give the same bytes (deterministic signature, fixed timestamps)
    assert data == remediation_bundle(made, {"chosen": [fix.label]}, [result], private_key=KEY,
                                      generated_at="2026-12-05T02:00:00Z", run_id="manual__1", policy_digest="p")


def test_no_response_is_a_timeout_that_chooses_nothing() -> None:
    assert approval_of(None) == approval_of({}) == Approval(timed_out=True)
    assert approval_of({"chosen_options": ["Reject all"], "responded_by_user": None}).timed_out
