"""S3 configuration → flat facts rows. The only place that decides what is public.

Exposure is judged as S3 enforces it:
- an ACL grant to AllUsers or AuthenticatedUsers is public unless IgnorePublicAcls is on
  (bucket or account level) or ACLs are disabled (ownership ``BucketOwnerEnforced``);
- a policy statement allowing ``*`` is public unless a condition pins the caller's network
  or organisation (aws:SourceIp, aws:SourceVpc, aws:SourceVpce, aws:PrincipalOrgID, ...),
  as in S3's own policy status; RestrictPublicBuckets (bucket or account) neutralises it;
- Block Public Access is "fully on" when each of its four flags is on at bucket or account level.

A neutralised grant does not make the bucket public; its check passes and the detail names it.

"Public" as S3 defines it (``acl_public``, ``policy_public``: the configuration checks) is not
the same as "readable by the public" (``acl_public_read``, ``policy_public_read``, ``public``:
PII_EXPOSURE). A grant that lets anyone only write (ACL WRITE, WRITE_ACP, READ_ACP; a policy
allowing only ``s3:PutObject``) is public to S3 but exposes no data; it is named in
``public_without_read``. Reading counts object reads and bucket listings (a bucket ACL READ
grant lists the bucket); an unrecognised ACL permission counts as readable, conservatively.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit.checks.common.rows import (
    Exposure,
    PiiFacts,
    any_true,
    config_value,
    join,
    location_of,
    pii_rows,
    sample_state,
    unreadable,
)
from cloudaudit.model import CoverageStatus, Resource, SampleResult, Service, Snapshot

BPA_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
PUBLIC_GROUPS = ("AllUsers", "AuthenticatedUsers")

# ACL permissions that let the grantee read: READ (object data; on a bucket, its listing) and
# FULL_CONTROL. WRITE, WRITE_ACP and READ_ACP alone read no data.
NON_READING_PERMISSIONS = frozenset(("WRITE", "WRITE_ACP", "READ_ACP"))
# Policy actions that read object data or list the bucket's objects.
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent", "s3:GetObjectVersionTorrent",
                "s3:ListBucket", "s3:ListBucketVersions")
# The S3 User Guide, "Blocking public access to your Amazon S3 storage" > "The meaning of public"
# > "Bucket policies" (awsdocs/amazon-s3-userguide, doc_source/access-control-block-public-access.md):
# aws:SourceIp ranges "broader than /8 for IPv4 and /32 for IPv6 (excluding RFC1918 private ranges)"
# are evaluated as public, e.g. 0.0.0.0/1. Every RFC 1918 range is /8 or narrower, so the prefix
# rule alone decides.
MIN_PREFIX = {4: 8, 6: 32}

# Condition keys that restrict a statement to known callers (S3 policy status treats these as non-public).
LIMITING_KEYS = frozenset(k.casefold() for k in (
    "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:SourceAccount",
    "aws:SourceArn", "aws:SourceOwner", "aws:userid", "aws:PrincipalServiceName",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
))
# Operators that only ever narrow (a Not… or IfExists operator can let anyone through).
NARROWING_OPERATORS = frozenset(k.casefold() for k in (
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress",
))


@dataclass(frozen=True)
class S3BucketFacts:
    """One S3 bucket (a null fact could not be read)."""

    fact_id: int
    environment: str
    resource: str
    location: str | None
    acl_public: bool | None  # effective: after Block Public Access and ownership controls
    acl_public_grants: str  # public grants as written, e.g. "AllUsers:READ"
    acl_neutralised_by: str  # why written public grants have no effect
    acl_public_read: bool | None  # the effective public grants include one that reads
    policy_public: bool | None
    has_policy: bool | None
    policy_public_statements: str
    policy_limited_statements: str  # allow "*" but pinned to a network or organisation
    policy_neutralised_by: str
    policy_public_read: bool | None  # a public statement allows reading or listing
    public_without_read: str  # public to S3, but reads no data: "bucket ACL AllUsers:WRITE; ..."
    bpa_fully_on: bool | None
    bpa_off_flags: str  # flags on at neither level
    bpa_sources: str  # where the on flags come from
    encryption_on: bool | None
    encryption_algorithms: str
    website: bool | None
    public: bool | None  # readable by anyone through its ACL or policy (what PII_EXPOSURE uses)
    public_via: str
    sample_state: str | None
    objects_sampled: int
    unreadable: str


@dataclass(frozen=True)
class S3ObjectFacts:
    """One sampled S3 object's ACL."""

    fact_id: int
    environment: str
    resource: str  # s3://bucket/key
    bucket: str
    location: str | None
    acl_public: bool | None
    acl_public_grants: str
    acl_neutralised_by: str
    acl_public_read: bool | None
    unreadable: str


@dataclass(frozen=True)
class EffectiveBpa:
    """Block Public Access as enforced: each flag on at bucket or account level (None: unknown)."""

    flags: Mapping[str, bool | None]
    sources: Mapping[str, str]  # flag → "bucket", "account" or "bucket+account"

    def on(self, flag: str) -> bool | None:
        return self.flags[flag]


def _pab_flags(readable: bool, value: Any) -> dict[str, bool | None]:
    if not readable:
        return dict.fromkeys(BPA_FLAGS)
    config = value if isinstance(value, Mapping) else {}
    config = config.get("PublicAccessBlockConfiguration", config)
    return {flag: bool(config.get(flag, False)) for flag in BPA_FLAGS}


def effective_bpa(bucket: Resource, account: Mapping[str, Any], account_errors: Mapping[str, str]) -> EffectiveBpa:
    """Combine the bucket's and the account's Block Public Access settings."""
    bucket_flags = _pab_flags(*config_value(bucket, "public_access_block"))
    account_readable = "public_access_block" in account and "public_access_block" not in account_errors
    account_flags = _pab_flags(account_readable, account.get("public_access_block"))
    flags: dict[str, bool | None] = {}
    sources: dict[str, str] = {}
    for flag in BPA_FLAGS:
        flags[flag] = any_true(bucket_flags[flag], account_flags[flag])
        sources[flag] = "+".join(level for level, value in (("bucket", bucket_flags[flag]),
                                                            ("account", account_flags[flag])) if value)
    return EffectiveBpa(flags=flags, sources=sources)


def _grants(acl: Any) -> list[Mapping[str, Any]]:
    """Grants in our shape or boto's raw ``{"Grants": [{"Grantee": {...}, "Permission"}]}``."""
    raw: Any = acl
    if isinstance(acl, Mapping):
        raw = acl.get("grants") or acl.get("Grants")
    return [g for g in raw if isinstance(g, Mapping)] if isinstance(raw, list) else []


def public_grants(acl: Any) -> list[str]:
    """``["AllUsers:READ", ...]`` for grants to the two public groups, as written."""
    out = []
    for grant in _grants(acl):
        grantee = grant.get("Grantee") if isinstance(grant.get("Grantee"), Mapping) else grant
        assert isinstance(grantee, Mapping)
        uri = str(grantee.get("uri") or grantee.get("URI") or "")
        group = uri.rstrip("/").rsplit("/", 1)[-1]
        if group in PUBLIC_GROUPS:
            permission = grant.get("permission") or grant.get("Permission") or "?"
            out.append(f"{group}:{permission}")
    return sorted(set(out))


def grant_reads(grant: str) -> bool:
    """``"AllUsers:WRITE"`` → False; READ, FULL_CONTROL and anything unrecognised → True."""
    return grant.rsplit(":", 1)[-1].upper() not in NON_READING_PERMISSIONS


def acl_reads(public: bool | None, grants: list[str]) -> bool | None:
    """Readable by the public through an ACL whose effective verdict (as S3 defines public) is ``public``."""
    if public is False:
        return False
    reading = any(grant_reads(g) for g in grants)
    if public:
        return reading
    return None if reading or not grants else False  # unknown: only a reading grant (or none known) stays so


def acls_disabled(bucket: Resource) -> bool:
    """Ownership ``BucketOwnerEnforced`` turns ACLs off: no grant has any effect."""
    readable, value = config_value(bucket, "ownership_controls")
    if not readable or not value:
        return False
    text = str(value)
    return "BucketOwnerEnforced" in text


def _acl_exposure(grants: list[str], readable: bool, bpa: EffectiveBpa, disabled: bool) -> tuple[bool | None, str]:
    """(effective public?, what neutralises the grants): an unreadable ACL that cannot take effect is not public."""
    if readable and not grants:
        return False, ""
    if disabled:
        return False, "ACLs disabled (BucketOwnerEnforced)"
    ignore = bpa.on("IgnorePublicAcls")
    if ignore:
        return False, f"IgnorePublicAcls ({bpa.sources['IgnorePublicAcls']})"
    if not readable or ignore is None:
        return None, ""
    return True, ""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_is_anyone(statement: Mapping[str, Any]) -> bool:
    if "NotPrincipal" in statement:  # Allow + NotPrincipal: everyone but the listed
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in _as_list(v) for v in principal.values())
    return False


def _open_network(values: list[Any]) -> bool:
    """True for a SourceIp range broader than S3 accepts as limiting (see MIN_PREFIX), or unparsable."""
    for value in values:
        try:
            network = ipaddress.ip_network(str(value).strip(), strict=False)
        except ValueError:
            return True
        if network.prefixlen < MIN_PREFIX[network.version]:
            return True
    return False


def _action_pattern(pattern: str) -> re.Pattern[str]:
    """An IAM action with ``*``/``?`` wildcards as a case-insensitive regex (IAM matches actions so)."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE)


def statement_reads(statement: Mapping[str, Any]) -> bool:
    """True when the statement's Action (or the complement of its NotAction) includes a read action."""
    if "NotAction" in statement:
        excluded = [_action_pattern(str(a)) for a in _as_list(statement["NotAction"])]
        return any(not any(p.fullmatch(action) for p in excluded) for action in READ_ACTIONS)
    patterns = [_action_pattern(str(a)) for a in _as_list(statement.get("Action", []))]
    return any(p.fullmatch(action) for p in patterns for action in READ_ACTIONS)


ARN_KEYS = frozenset(k.casefold() for k in ("aws:PrincipalArn", "aws:SourceArn", "s3:DataAccessPointArn"))


def _pins(key: str, value: Any) -> bool:
    """True when one condition value names a fixed caller (no wildcard where the caller is named)."""
    text = str(value)
    if key == "aws:sourceip":
        return not _open_network([text])
    if key in ARN_KEYS:  # arn:partition:service:region:ACCOUNT:resource: the account must be fixed
        parts = text.split(":")
        return len(parts) >= 5 and parts[4].isdigit()
    return bool(text) and not any(c in text for c in "*?")


def _limiting_condition(statement: Mapping[str, Any]) -> str:
    """The condition key pinning this statement to known callers, or "" when none does."""
    conditions = statement.get("Condition")
    if not isinstance(conditions, Mapping):
        return ""
    for operator, clauses in conditions.items():
        if str(operator).casefold() not in NARROWING_OPERATORS or not isinstance(clauses, Mapping):
            continue
        for key, value in clauses.items():
            values = _as_list(value)
            folded = str(key).casefold()
            if folded in LIMITING_KEYS and values and all(_pins(folded, v) for v in values):
                return str(key)
    return ""


def _statement_name(index: int, statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    actions = join(str(a) for a in _as_list(statement.get("Action", statement.get("NotAction", []))))
    return f"statement {sid or f'#{index + 1}'} ({actions})"


@dataclass(frozen=True)
class PolicyReading:
    """A policy's statements allowing anyone: public ones (and which of them read), limited ones."""

    public: list[str]
    limited: list[str]
    without_read: list[str]  # public statements that neither read nor list (e.g. only s3:PutObject)

    @property
    def reads(self) -> bool:
        return len(self.without_read) < len(self.public)


def statement_public(statement: Any) -> bool:
    """Whether one policy statement makes the bucket public: Allow to anyone, no condition pinning
    the caller (the rule ``read_policy`` applies; the remediation catalogue removes exactly these).

    >>> statement_public({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
    True
    >>> statement_public({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    ...                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
    False
    """
    return (isinstance(statement, Mapping) and statement.get("Effect") == "Allow"
            and _principal_is_anyone(statement) and not _limiting_condition(statement))


def read_policy(policy: Any) -> PolicyReading:
    reading = PolicyReading([], [], [])
    if not isinstance(policy, Mapping):
        return reading
    for index, statement in enumerate(_as_list(policy.get("Statement", []))):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if not _principal_is_anyone(statement):
            continue
        key = _limiting_condition(statement)
        name = _statement_name(index, statement)
        if key:
            reading.limited.append(f"{name} limited by {key}")
            continue
        reading.public.append(name)
        if not statement_reads(statement):
            reading.without_read.append(name)
    return reading


def policy_statements(policy: Any) -> tuple[list[str], list[str]]:
    """(public statements, statements allowing ``*`` that conditions pin to known callers)."""
    reading = read_policy(policy)
    return reading.public, reading.limited


@dataclass(frozen=True)
class PolicyExposure:
    public: bool | None  # effective, as S3 defines public
    reads: bool | None  # effective, and a public statement reads
    reading: PolicyReading
    neutralised_by: str


def _policy_exposure(bucket: Resource, bpa: EffectiveBpa) -> PolicyExposure:
    readable, policy = config_value(bucket, "policy")
    written_reads: bool | None
    if readable:
        reading = read_policy(policy)
        written_public: bool | None = bool(reading.public)
        written_reads = reading.reads
    else:
        # The document is unreadable: fall back on S3's own verdict when that was readable; it does
        # not tell reading from writing, so a public status counts as readable (conservatively).
        status_readable, status = config_value(bucket, "policy_status")
        reading = PolicyReading([], [], [])
        written_public = None
        if status_readable:
            written_public = bool(isinstance(status, Mapping) and status.get("IsPublic"))
            if written_public:
                reading.public.append("policy status IsPublic")
        written_reads = written_public
    if written_public is not True:
        return PolicyExposure(written_public, written_public, reading, "")
    restrict = bpa.on("RestrictPublicBuckets")
    if restrict:
        return PolicyExposure(False, False, reading,
                              f"RestrictPublicBuckets ({bpa.sources['RestrictPublicBuckets']})")
    effective = True if restrict is False else None
    # Restriction unknown: a policy that reads stays unknown, one that only writes reads nothing.
    return PolicyExposure(effective, written_reads if effective or not written_reads else None, reading, "")


def _without_read(acl_public: bool | None, grants: list[str], policy: PolicyExposure) -> list[str]:
    """The bucket's effective public grants and statements that read no data, for Detail."""
    out = [f"bucket ACL {g}" for g in grants if acl_public and not grant_reads(g)]
    if policy.public:
        out += [f"bucket policy {s}" for s in policy.reading.without_read]
    return out


def _encryption(bucket: Resource) -> tuple[bool | None, str]:
    readable, value = config_value(bucket, "encryption")
    if not readable:
        return None, ""
    rules: Any = value
    if isinstance(value, Mapping):
        rules = value.get("Rules", value.get("rules", value.get("ServerSideEncryptionConfiguration", [])))
        if isinstance(rules, Mapping):
            rules = rules.get("Rules", [])
    algorithms = []
    for rule in _as_list(rules) if rules else []:
        if isinstance(rule, Mapping):
            default = rule.get("ApplyServerSideEncryptionByDefault", rule)
            if isinstance(default, Mapping) and default.get("SSEAlgorithm"):
                algorithms.append(str(default["SSEAlgorithm"]))
    return bool(algorithms), join(algorithms)


def bucket_facts(snapshot: Snapshot, bucket: Resource) -> S3BucketFacts:
    bpa = effective_bpa(bucket, snapshot.account, snapshot.account_read_errors)
    acl_readable, acl = config_value(bucket, "acl")
    grants = public_grants(acl) if acl_readable else []
    acl_public, acl_neutralised = _acl_exposure(grants, acl_readable, bpa, acls_disabled(bucket))
    acl_read = acl_reads(acl_public, grants)
    policy = _policy_exposure(bucket, bpa)
    policy_readable, policy_doc = config_value(bucket, "policy")
    off = [flag for flag in BPA_FLAGS if bpa.on(flag) is False]
    unknown = [flag for flag in BPA_FLAGS if bpa.on(flag) is None]
    fully_on: bool | None = False if off else (None if unknown else True)
    encryption_on, algorithms = _encryption(bucket)
    website_readable, website = config_value(bucket, "website")
    via = [name for name, value in (("bucket ACL", acl_read), ("bucket policy", policy.reads)) if value]
    return S3BucketFacts(
        fact_id=0, environment=snapshot.environment.name, resource=bucket.resource, location=location_of(bucket),
        acl_public=acl_public, acl_public_grants=", ".join(grants), acl_neutralised_by=acl_neutralised,
        acl_public_read=acl_read,
        policy_public=policy.public, has_policy=bool(policy_doc) if policy_readable else None,
        policy_public_statements="; ".join(policy.reading.public),
        policy_limited_statements="; ".join(policy.reading.limited), policy_neutralised_by=policy.neutralised_by,
        policy_public_read=policy.reads,
        public_without_read="; ".join(_without_read(acl_public, grants, policy)),
        bpa_fully_on=fully_on, bpa_off_flags=", ".join(off),
        bpa_sources="; ".join(f"{flag}: {src}" for flag, src in bpa.sources.items() if src),
        encryption_on=encryption_on, encryption_algorithms=algorithms,
        website=bool(website) if website_readable else None,
        public=any_true(acl_read, policy.reads), public_via=", ".join(via),
        sample_state=sample_state(bucket), objects_sampled=bucket.objects_sampled, unreadable=unreadable(bucket),
    )


def object_facts(snapshot: Snapshot, bucket: Resource, sample: SampleResult) -> S3ObjectFacts:
    bpa = effective_bpa(bucket, snapshot.account, snapshot.account_read_errors)
    readable = "acl" in sample.config and "acl" not in sample.read_errors
    grants = public_grants(sample.config.get("acl")) if readable else []
    public, neutralised = _acl_exposure(grants, readable, bpa, acls_disabled(bucket))
    why = "; ".join(f"{k}: {v}" for k, v in sorted(sample.read_errors.items()))
    return S3ObjectFacts(
        fact_id=0, environment=snapshot.environment.name, resource=sample.resource, bucket=bucket.resource,
        location=location_of(bucket), acl_public=public, acl_public_grants=", ".join(grants),
        acl_neutralised_by=neutralised, acl_public_read=acl_reads(public, grants), unreadable=why or ("" if readable else "acl: not recorded"),
    )


def s3_facts(snapshots: Iterable[Snapshot]) -> tuple[list[S3BucketFacts], list[S3ObjectFacts], list[PiiFacts]]:
    """Buckets, sampled objects (those with an ACL entry or error) and PII rows of S3."""
    buckets: list[S3BucketFacts] = []
    objects: list[S3ObjectFacts] = []
    pii: list[PiiFacts] = []
    for snapshot in snapshots:
        for resource in snapshot.resources:
            if resource.service is not Service.S3 or resource.kind != "bucket":
                continue
            bucket = bucket_facts(snapshot, resource)
            buckets.append(bucket)
            by_object: dict[str, S3ObjectFacts] = {}
            for sample in resource.samples:
                if sample.resource == resource.resource:
                    continue
                facts = object_facts(snapshot, resource, sample)
                by_object[sample.resource] = facts
                if sample.status is CoverageStatus.ASSESSED or "acl" in sample.config or "acl" in sample.read_errors:
                    objects.append(facts)

            def exposure(sample: SampleResult, bucket: S3BucketFacts = bucket,
                         by_object: dict[str, S3ObjectFacts] = by_object) -> Exposure:
                obj = by_object.get(sample.resource)
                object_read = obj.acl_public_read if obj else None
                via = [bucket.public_via] if bucket.public else []
                if object_read:
                    via.append("object ACL")
                without = [bucket.public_without_read] if bucket.public_without_read else []
                if obj and obj.acl_public:
                    without += [f"object ACL {g}" for g in obj.acl_public_grants.split(", ") if g and not grant_reads(g)]
                return Exposure(any_true(bucket.public, object_read), ", ".join(v for v in via if v),
                                "; ".join(without))

            pii.extend(pii_rows(snapshot.environment.name, resource.resource, bucket.location,
                                resource.samples, exposure))
    return buckets, objects, pii
