"""The remediation catalogue: every fix cloudaudit can propose, as data plus one pure function each.

A fix kind says which check IDs it answers, what it changes (``after(before)``: the resource's
state as JSON, before and after), what may break, and the exact permissions the fixer needs
(the write that changes, and the read it re-reads and reads back with). Whether a state needs
the fix at all (``needed``) is decided with the same predicates the checks use
(``checks.aws.s3.facts``, ``checks.gcp.iam``, ``checks.gcp.bq.facts``), so a fix removes exactly
what made the finding fail and nothing else.

States (what the fixers read and write)::

    s3_block_public_access_on            {"PublicAccessBlockConfiguration": {4 flags} | null}
    s3_public_acl_grants_removed         {"Owner": {...}, "Grants": [...]}            (GetBucketAcl)
    s3_public_policy_statements_removed  {"Policy": {...} | null}                     (null: no policy)
    gcs_public_access_prevention_enforced {"publicAccessPrevention": "inherited" | "enforced" | ...}
    gcs_public_bindings_removed          {"bindings": [{"role", "members", "condition"?}]}
    bq_dataset_public_access_removed     {"access": [{"role", "entity_type", "entity_id"}]}
    bq_table_public_bindings_removed     {"bindings": [{"role", "members", "condition"?}]}

``docs/remediation.md``'s catalogue table is generated from ``CATALOG`` (``catalog_table``);
a test fails when it is stale.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit.checks.aws.s3.facts import public_grants, statement_public
from cloudaudit.checks.gcp.bq.facts import public_entries
from cloudaudit.checks.gcp.iam import PUBLIC_MEMBERS
from cloudaudit.remediation.model import FixKind

BPA_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


# ---- the pure transforms ---------------------------------------------------------------------


def _bpa_needed(state: Mapping[str, Any]) -> bool:
    config = state.get("PublicAccessBlockConfiguration") or {}
    return not all(config.get(flag) is True for flag in BPA_FLAGS)


def _bpa_after(state: Mapping[str, Any]) -> dict[str, Any]:
    return {"PublicAccessBlockConfiguration": dict.fromkeys(BPA_FLAGS, True)}


def grant_is_public(grant: Any) -> bool:
    """An ACL grant to AllUsers or AuthenticatedUsers (the groups ``aws_s3_bucket_public_acl`` fails on).

    >>> grant_is_public({"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
    ...                  "Permission": "READ"})
    True
    >>> grant_is_public({"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"})
    False
    """
    return bool(public_grants([grant]))


def _acl_needed(state: Mapping[str, Any]) -> bool:
    return any(grant_is_public(g) for g in state.get("Grants") or [])


def _acl_after(state: Mapping[str, Any]) -> dict[str, Any]:
    after = copy.deepcopy(dict(state))
    after["Grants"] = [g for g in state.get("Grants") or [] if not grant_is_public(g)]
    return after


def _statements(policy: Any) -> list[Any]:
    if not isinstance(policy, Mapping):
        return []
    statements = policy.get("Statement", [])
    return list(statements) if isinstance(statements, list) else [statements]


def _policy_needed(state: Mapping[str, Any]) -> bool:
    return any(statement_public(s) for s in _statements(state.get("Policy")))


def _policy_after(state: Mapping[str, Any]) -> dict[str, Any]:
    """The policy without its public statements; no policy at all when none remains."""
    policy = state.get("Policy")
    if not isinstance(policy, Mapping):
        return {"Policy": None}
    kept = [copy.deepcopy(s) for s in _statements(policy) if not statement_public(s)]
    if not kept:
        return {"Policy": None}
    return {"Policy": {**copy.deepcopy(dict(policy)), "Statement": kept}}


def _pap_needed(state: Mapping[str, Any]) -> bool:
    return str(state.get("publicAccessPrevention") or "").casefold() != "enforced"


def _pap_after(state: Mapping[str, Any]) -> dict[str, Any]:
    return {"publicAccessPrevention": "enforced"}


def _bindings_needed(state: Mapping[str, Any]) -> bool:
    return any(str(m) in PUBLIC_MEMBERS for b in state.get("bindings") or [] for m in b.get("members") or [])


def _bindings_after(state: Mapping[str, Any]) -> dict[str, Any]:
    """Public members removed from every binding; a binding left with no member is dropped."""
    kept = []
    for binding in state.get("bindings") or []:
        members = [m for m in binding.get("members") or [] if str(m) not in PUBLIC_MEMBERS]
        if members:
            kept.append({**copy.deepcopy(dict(binding)), "members": members})
    return {**copy.deepcopy(dict(state)), "bindings": kept}


def entry_is_public(entry: Mapping[str, Any]) -> bool:
    """A dataset access entry for allUsers / allAuthenticatedUsers (what ``gcp_bq_dataset_public`` fails on).

    >>> entry_is_public({"role": "READER", "entity_type": "specialGroup", "entity_id": "allAuthenticatedUsers"})
    True
    >>> entry_is_public({"role": "OWNER", "entity_type": "userByEmail", "entity_id": "owner@example.com"})
    False
    """
    return bool(public_entries([entry]))


def _access_needed(state: Mapping[str, Any]) -> bool:
    return any(entry_is_public(e) for e in state.get("access") or [])


def _access_after(state: Mapping[str, Any]) -> dict[str, Any]:
    return {"access": [copy.deepcopy(e) for e in state.get("access") or [] if not entry_is_public(e)]}


# ---- which resource a finding's fix changes ------------------------------------------------


def same_resource(resource: str) -> str:
    return resource


def bucket_of(resource: str) -> str:
    """``s3://bucket/key`` → ``s3://bucket`` (object findings are fixed on their bucket)."""
    scheme, _, rest = resource.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def dataset_of(resource: str) -> str:
    """``bq://project.dataset.table`` → ``bq://project.dataset``."""
    scheme, _, rest = resource.partition("://")
    return f"{scheme}://{'.'.join(rest.split('.')[:2])}"


def table_only(resource: str) -> str | None:
    """A table resource as is; None for a dataset (a table fix cannot apply)."""
    return resource if resource.count(".") >= 2 else None


# ---- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixSpec:
    kind: FixKind
    title: str  # for people and the docs
    short: str  # the HITL option's prefix
    provider: str
    service: str
    changes: str
    may_break: tuple[str, ...]
    write_permissions: tuple[str, ...]
    read_permissions: tuple[str, ...]  # to re-read before the change and read back after it
    needed: Callable[[Mapping[str, Any]], bool]
    after: Callable[[Mapping[str, Any]], dict[str, Any]]

    @property
    def answers(self) -> tuple[str, ...]:
        """The check IDs whose findings this kind may close."""
        return tuple(sorted(c for c, targets in _TARGETS.items() if any(k == self.kind for k, _ in targets)))

    @property
    def permissions(self) -> tuple[str, ...]:
        return (*self.write_permissions, *self.read_permissions)


_WEBSITE = "a static website served from the bucket (S3 website endpoint) stops serving anonymous visitors"
_DOWNLOADS = "public downloads by URL (installers, images, shared exports) stop working for anyone not signed in"

CATALOG: tuple[FixSpec, ...] = (
    FixSpec(
        kind=FixKind.S3_BLOCK_PUBLIC_ACCESS, title="S3 Block Public Access on", short="s3 block public access",
        provider="aws", service="s3",
        changes="Turns on all four Block Public Access settings of the bucket (BlockPublicAcls, IgnorePublicAcls, "
                "BlockPublicPolicy, RestrictPublicBuckets); ACLs and policy are left as they are but no longer "
                "grant the public anything.",
        may_break=(_WEBSITE, _DOWNLOADS, "new public ACLs or public policies are refused (deploy scripts that "
                   "set public-read fail)", "cross-account access through a public policy statement stops"),
        write_permissions=("s3:PutBucketPublicAccessBlock",),
        read_permissions=("s3:GetBucketPublicAccessBlock",),
        needed=_bpa_needed, after=_bpa_after),
    FixSpec(
        kind=FixKind.S3_ACL_PUBLIC_GRANTS, title="S3 public ACL grants removed", short="s3 public acl grants removed",
        provider="aws", service="s3",
        changes="Removes the bucket ACL's grants to AllUsers and AuthenticatedUsers; the owner's and other "
                "accounts' grants are kept as they are.",
        may_break=("anonymous listing of the bucket stops", "anyone relying on AuthenticatedUsers (any AWS "
                   "account) loses access", "log delivery or tools granted through a public group stop"),
        write_permissions=("s3:PutBucketAcl",), read_permissions=("s3:GetBucketAcl",),
        needed=_acl_needed, after=_acl_after),
    FixSpec(
        kind=FixKind.S3_POLICY_PUBLIC_STATEMENTS, title="S3 public policy statements removed",
        short="s3 public policy statements removed", provider="aws", service="s3",
        changes="Removes the bucket policy's statements that allow anyone (Principal \"*\" without a condition "
                "pinning the caller's network or organisation); every other statement is kept. When no "
                "statement remains, the policy is deleted.",
        may_break=(_WEBSITE, _DOWNLOADS, "a CDN reading the bucket through the public statement (no origin "
                   "access control) gets 403"),
        write_permissions=("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"), read_permissions=("s3:GetBucketPolicy",),
        needed=_policy_needed, after=_policy_after),
    FixSpec(
        kind=FixKind.GCS_PUBLIC_ACCESS_PREVENTION, title="GCS public access prevention enforced",
        short="gcs public access prevention", provider="gcp", service="storage",
        changes="Sets the bucket's iamConfiguration.publicAccessPrevention to \"enforced\": grants to allUsers "
                "and allAuthenticatedUsers (bucket IAM and object ACLs) stop taking effect.",
        may_break=(_WEBSITE.replace("S3 website endpoint", "storage.googleapis.com"), _DOWNLOADS,
                   "new public grants are refused (tools that make objects public fail)"),
        write_permissions=("storage.buckets.update",), read_permissions=("storage.buckets.get",),
        needed=_pap_needed, after=_pap_after),
    FixSpec(
        kind=FixKind.GCS_PUBLIC_BINDINGS, title="GCS public IAM bindings removed",
        short="gcs public bindings removed", provider="gcp", service="storage",
        changes="Removes allUsers and allAuthenticatedUsers from every binding of the bucket's IAM policy "
                "(a binding left with no member is dropped); other members and bindings are kept.",
        may_break=(_DOWNLOADS, "anyone relying on allAuthenticatedUsers (any Google account) loses access"),
        write_permissions=("storage.buckets.setIamPolicy",), read_permissions=("storage.buckets.getIamPolicy",),
        needed=_bindings_needed, after=_bindings_after),
    FixSpec(
        kind=FixKind.BQ_DATASET_PUBLIC_ACCESS, title="BigQuery dataset public access entries removed",
        short="bq dataset public access removed", provider="gcp", service="bigquery",
        changes="Removes the dataset's access entries for allUsers and allAuthenticatedUsers; every other "
                "entry (owners, groups, authorized views) is kept.",
        may_break=("dashboards or notebooks querying the dataset without being granted access stop working",
                   "anyone relying on allAuthenticatedUsers (any Google account) loses access"),
        write_permissions=("bigquery.datasets.update",), read_permissions=("bigquery.datasets.get",),
        needed=_access_needed, after=_access_after),
    FixSpec(
        kind=FixKind.BQ_TABLE_PUBLIC_BINDINGS, title="BigQuery table public IAM bindings removed",
        short="bq table public bindings removed", provider="gcp", service="bigquery",
        changes="Removes allUsers and allAuthenticatedUsers from every binding of the table's IAM policy "
                "(a binding left with no member is dropped); other members and bindings are kept.",
        may_break=("queries of the table by callers granted only through the public binding fail",),
        write_permissions=("bigquery.tables.setIamPolicy",), read_permissions=("bigquery.tables.getIamPolicy",),
        needed=_bindings_needed, after=_bindings_after),
)

# check ID → the (kind, target resource) candidates for one of its findings, in preference order.
# A candidate applies when its target exists (not None) and the re-read state needs it.
_TARGETS: dict[str, tuple[tuple[FixKind, Callable[[str], str | None]], ...]] = {
    "aws_s3_block_public_access_off": ((FixKind.S3_BLOCK_PUBLIC_ACCESS, same_resource),),
    "aws_s3_bucket_public_acl": ((FixKind.S3_ACL_PUBLIC_GRANTS, same_resource),),
    "aws_s3_bucket_public_policy": ((FixKind.S3_POLICY_PUBLIC_STATEMENTS, same_resource),),
    "aws_s3_pii_public": ((FixKind.S3_BLOCK_PUBLIC_ACCESS, bucket_of),),
    "aws_s3_object_public_acl": ((FixKind.S3_BLOCK_PUBLIC_ACCESS, bucket_of),),
    "gcp_gcs_public_access_prevention_off": ((FixKind.GCS_PUBLIC_ACCESS_PREVENTION, same_resource),),
    "gcp_gcs_bucket_public": ((FixKind.GCS_PUBLIC_BINDINGS, same_resource),),
    "gcp_gcs_pii_public": ((FixKind.GCS_PUBLIC_ACCESS_PREVENTION, bucket_of),),
    "gcp_bq_dataset_public": ((FixKind.BQ_DATASET_PUBLIC_ACCESS, dataset_of),),
    "gcp_bq_table_public": ((FixKind.BQ_TABLE_PUBLIC_BINDINGS, table_only),),
    "gcp_bq_pii_public": ((FixKind.BQ_TABLE_PUBLIC_BINDINGS, table_only), (FixKind.BQ_DATASET_PUBLIC_ACCESS, dataset_of)),
}


def spec(kind: FixKind | str) -> FixSpec:
    for item in CATALOG:
        if item.kind == kind:
            return item
    raise KeyError(kind)


def candidates(check_id: str, resource: str) -> list[tuple[FixSpec, str]]:
    """The fixes that may close a finding: (spec, resource to change), in preference order.

    >>> [(s.kind.value, r) for s, r in candidates("aws_s3_object_public_acl", "s3://b/k.csv")]
    [('s3_block_public_access_on', 's3://b')]
    >>> [(s.kind.value, r) for s, r in candidates("gcp_bq_pii_public", "bq://p.d.t")]
    [('bq_table_public_bindings_removed', 'bq://p.d.t'), ('bq_dataset_public_access_removed', 'bq://p.d')]
    >>> candidates("aws_s3_default_encryption_off", "s3://b")
    []
    """
    out = []
    for kind, target in _TARGETS.get(check_id, ()):
        changed = target(resource)
        if changed is not None:
            out.append((spec(kind), changed))
    return out


def answered_checks() -> tuple[str, ...]:
    return tuple(sorted(_TARGETS))


def catalog_table() -> str:
    """The Markdown table of ``docs/remediation.md`` (generated; a test compares)."""
    lines = ["| Kind | Fix | Answers | What changes | What may break | Permissions (write; read) |",
             "|---|---|---|---|---|---|"]
    for item in CATALOG:
        lines.append("| " + " | ".join((
            f"`{item.kind.value}`", item.title, ", ".join(f"`{c}`" for c in item.answers),
            item.changes.replace("|", "\\|"), "; ".join(item.may_break).replace("|", "\\|"),
            ", ".join(f"`{p}`" for p in item.write_permissions) + "; "
            + ", ".join(f"`{p}`" for p in item.read_permissions))) + " |")
    return "\n".join(lines) + "\n"
