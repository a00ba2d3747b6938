"""What a remediation run proposes, decides and does: Fix, Proposal, Result.

Everything here is JSON: it is stored in ``proposal.json`` / ``results.json``, carried over
XCom in small dicts and signed into ``remediation_<CC>_<D>.zip``. ``before`` and ``after`` are
resource configuration (ACLs, policies, IAM bindings, access entries) as the cloud returns
it: the same kind of configuration the evidence bundle's snapshots hold, never data values.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["dry_run", "allowed", "never"]


class FixKind(StrEnum):
    """The catalogue (``cloudaudit.remediation.catalog``): one change per kind."""

    S3_BLOCK_PUBLIC_ACCESS = "s3_block_public_access_on"
    S3_ACL_PUBLIC_GRANTS = "s3_public_acl_grants_removed"
    S3_POLICY_PUBLIC_STATEMENTS = "s3_public_policy_statements_removed"
    GCS_PUBLIC_ACCESS_PREVENTION = "gcs_public_access_prevention_enforced"
    GCS_PUBLIC_BINDINGS = "gcs_public_bindings_removed"
    BQ_DATASET_PUBLIC_ACCESS = "bq_dataset_public_access_removed"
    BQ_TABLE_PUBLIC_BINDINGS = "bq_table_public_bindings_removed"


class FixStatus(StrEnum):
    """What happened to one proposed fix."""

    APPLIED = "APPLIED"  # changed, and the read-back shows the intended state
    FAILED = "FAILED"  # the change or its read-back failed (reason says which call)
    SKIPPED_CHANGED = "SKIPPED_CHANGED"  # the resource changed after the proposal: nothing done
    DRY_RUN = "DRY_RUN"  # approved in a dry_run environment: nothing done
    NOT_APPROVED = "NOT_APPROVED"  # not chosen, rejected, or the approval timed out
    REFUSED = "REFUSED"  # the environment's settings forbid it now (never, or no fixer credentials)


class Confirmation(StrEnum):
    """The re-scan of an APPLIED fix's resource, with the finding's own check."""

    CLOSED = "CLOSED"
    STILL_OPEN = "STILL_OPEN"
    NOT_ASSESSED = "NOT_ASSESSED"  # the re-scan could not read the resource


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def state_digest(state: Any) -> str:
    """SHA-256 of a resource state in canonical JSON: how 'changed since the proposal' is decided.

    >>> state_digest({"b": 1, "a": [2]}) == state_digest({"a": [2], "b": 1})
    True
    """
    return hashlib.sha256(canonical(state)).hexdigest()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingRef(_Model):
    """The published finding a fix answers (no Detail: it is not needed to act)."""

    check_id: str
    resource: str
    severity: str
    category: str


class Fix(_Model):
    """One proposed change to one resource."""

    fix_id: str  # F1, F2, ... in proposal order
    kind: FixKind
    label: str  # the HITL option: "F1 s3 block public access: jp-bucket (jp-prod)"
    environment: str
    provider: str
    resource: str  # what is changed: s3://bucket, gs://bucket, bq://p.d, bq://p.d.t
    mode: Literal["dry_run", "allowed"]
    findings: tuple[FindingRef, ...]  # every finding this fix answers (deduplicated per resource + kind)
    summary: str  # what changes, in one sentence
    may_break: tuple[str, ...]
    permissions: tuple[str, ...]  # the write permissions the fixer needs for this kind
    before: dict[str, Any]
    after: dict[str, Any]
    before_sha256: str


class Unfixable(_Model):
    """A finding that qualified but has no fix (no catalogue entry, or the resource is unreadable)."""

    finding: FindingRef
    environment: str
    reason: str


class Proposal(_Model):
    country: str
    run_date: str
    created_at: str
    source_bundle: str  # the evidence bundle the findings were read from (verified)
    source_bundle_sha256: str
    fixes: tuple[Fix, ...]
    unfixable: tuple[Unfixable, ...] = ()

    def fix(self, fix_id: str) -> Fix:
        for fix in self.fixes:
            if fix.fix_id == fix_id:
                return fix
        raise KeyError(fix_id)


class Approval(_Model):
    """Who decided, when, and what they wrote: from the HITL response."""

    chosen: tuple[str, ...] = ()  # labels chosen
    approver: dict[str, str] | None = None  # {"id", "name"} of the responding user
    approved_at: str | None = None
    comment: str = ""
    timed_out: bool = False  # no response: the default (reject all) applied


class Result(_Model):
    fix_id: str
    label: str
    kind: FixKind
    environment: str
    resource: str
    status: FixStatus
    reason: str = ""
    before: dict[str, Any] | None = None  # as re-read with the fixer's credentials just before the change
    after: dict[str, Any] | None = None  # as read back after the change
    approver: dict[str, str] | None = None
    approved_at: str | None = None
    comment: str = ""
    confirmation: Confirmation | None = None
    confirmation_detail: str = ""
    findings: tuple[FindingRef, ...] = Field(default_factory=tuple)
