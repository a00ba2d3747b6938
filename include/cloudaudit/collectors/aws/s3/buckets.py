"""Bucket configuration: the calls, and pure extractors from responses to ``Resource.config`` values.

``config`` keys and the shapes stored under them (AWS's own field names, so a reader can check
them against the API reference):

- ``location``: region code in lower case (``None`` → ``us-east-1``, ``EU`` → ``eu-west-1``)
- ``acl``: ``{"Owner": {"ID"}, "Grants": [{"Grantee": {"Type", "URI" | "ID"}, "Permission"}]}``;
  display names and e-mail addresses are dropped, they can be personal data
- ``policy``: the parsed policy document, or ``None``
- ``policy_status``: ``{"IsPublic": bool}``, or ``None`` without a policy (then not asked for)
- ``public_access_block``: the four flags (``BlockPublicAcls``, ``IgnorePublicAcls``,
  ``BlockPublicPolicy``, ``RestrictPublicBuckets``), or ``None``
- ``ownership_controls``: ``{"Rules": [{"ObjectOwnership": ...}]}``, or ``None``
- ``encryption``: the default-encryption rules (a list), or ``None``
- ``website``: ``True`` when static website hosting is configured

A sampled object's ``acl`` has the bucket ACL's shape. Under ``BucketOwnerEnforced`` both the
bucket's and the objects' ``acl`` are ``ACLS_DISABLED`` (no grants, ``"Disabled":
"BucketOwnerEnforced"``), not read: ACLs are off.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.aws.calls import ConfigReader, aws_call
from cloudaudit.errors import CallFailed

if TYPE_CHECKING:
    from cloudaudit.collectors.aws.session import AwsClients

# The security configuration of a bucket (``location`` alone does not make it assessed).
CONFIG_KEYS = ("acl", "policy", "policy_status", "public_access_block", "ownership_controls", "encryption",
               "website")
PUBLIC_ACCESS_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_LEGACY_LOCATIONS = {"": "us-east-1", "EU": "eu-west-1"}
ACLS_DISABLED: dict[str, Any] = {"Owner": {}, "Grants": [], "Disabled": "BucketOwnerEnforced"}
_GRANTEE_KEYS = ("Type", "URI", "ID")  # not DisplayName / EmailAddress: they can identify a person


def normalise_location(constraint: str | None) -> str:
    """GetBucketLocation's answer as a region code in lower case.

    >>> normalise_location(None), normalise_location("EU"), normalise_location("AP-NORTHEAST-1")
    ('us-east-1', 'eu-west-1', 'ap-northeast-1')
    """
    constraint = constraint or ""
    return _LEGACY_LOCATIONS.get(constraint, constraint).lower()


def acl_from(response: dict[str, Any] | None) -> dict[str, Any]:
    """Owner ID and grants of a GetBucketAcl/GetObjectAcl response, without names or e-mails.

    >>> acl_from({"Owner": {"ID": "abc", "DisplayName": "jo"}, "Grants": [{"Grantee": {
    ...     "Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]})
    {'Owner': {'ID': 'abc'}, 'Grants': [{'Grantee': {'Type': 'Group', 'URI': 'http://acs.amazonaws.com/groups/global/AllUsers'}, 'Permission': 'READ'}]}
    """
    response = response or {}
    owner = response.get("Owner") or {}
    grants = [
        {"Grantee": {k: v for k, v in (g.get("Grantee") or {}).items() if k in _GRANTEE_KEYS},
         "Permission": g.get("Permission")}
        for g in response.get("Grants") or []
    ]
    return {"Owner": {"ID": owner["ID"]} if "ID" in owner else {}, "Grants": grants}


def policy_from(response: dict[str, Any] | None) -> dict[str, Any] | None:
    """The bucket policy as a parsed document (``None`` when the bucket has none)."""
    if response is None:
        return None
    try:
        document = json.loads(response.get("Policy") or "")
    except ValueError:
        raise CallFailed("GetBucketPolicy", "UnparseablePolicy") from None
    if not isinstance(document, dict):
        raise CallFailed("GetBucketPolicy", "UnparseablePolicy")
    return document


def policy_status_from(response: dict[str, Any] | None) -> dict[str, bool] | None:
    """>>> policy_status_from({"PolicyStatus": {"IsPublic": True}}), policy_status_from(None)
    ({'IsPublic': True}, None)
    """
    if response is None:
        return None
    return {"IsPublic": bool((response.get("PolicyStatus") or {}).get("IsPublic"))}


def public_access_block_from(response: dict[str, Any] | None) -> dict[str, bool] | None:
    """The four Block Public Access flags (a flag AWS leaves out is off).

    >>> public_access_block_from({"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}})
    {'BlockPublicAcls': True, 'IgnorePublicAcls': False, 'BlockPublicPolicy': False, 'RestrictPublicBuckets': False}
    """
    if response is None:
        return None
    flags = response.get("PublicAccessBlockConfiguration") or {}
    return {name: bool(flags.get(name, False)) for name in PUBLIC_ACCESS_BLOCK_FLAGS}


def ownership_controls_from(response: dict[str, Any] | None) -> dict[str, Any] | None:
    if response is None:
        return None
    rules = (response.get("OwnershipControls") or {}).get("Rules") or []
    return {"Rules": [{"ObjectOwnership": r.get("ObjectOwnership")} for r in rules]}


def encryption_from(response: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    if response is None:
        return None
    rules = (response.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    return [dict(rule) for rule in rules] or None


def website_from(response: dict[str, Any] | None) -> bool:
    return response is not None


def acls_disabled(config: dict[str, Any]) -> bool:
    """Object ownership ``BucketOwnerEnforced``: ACLs are off, no object ACL grants anything.

    >>> acls_disabled({"ownership_controls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}})
    True
    >>> acls_disabled({"ownership_controls": None}), acls_disabled({})
    (False, False)
    """
    rules = (config.get("ownership_controls") or {}).get("Rules") or []
    return any(rule.get("ObjectOwnership") == "BucketOwnerEnforced" for rule in rules)


def read_location(clients: AwsClients, bucket: str) -> str:
    """The bucket's region; raises ``CallFailed`` when it cannot be read."""
    response = aws_call("GetBucketLocation", lambda: clients.s3().get_bucket_location(Bucket=bucket))
    return normalise_location((response or {}).get("LocationConstraint"))


def read_bucket_config(clients: AwsClients, bucket: str, region: str | None) -> ConfigReader:
    """Every configuration key of one bucket, read through the client of its region."""
    s3 = clients.s3(region)
    reader = ConfigReader()
    reader.read("ownership_controls", "GetBucketOwnershipControls",
                lambda: s3.get_bucket_ownership_controls(Bucket=bucket), ownership_controls_from)
    if acls_disabled(reader.config):
        # ACLs are off: the bucket ACL grants nothing and cannot be changed to (AWS's default for new
        # buckets since April 2023). Recorded as such, not as a read it did not make; one call fewer.
        reader.config["acl"] = dict(ACLS_DISABLED)
    else:
        reader.read("acl", "GetBucketAcl", lambda: s3.get_bucket_acl(Bucket=bucket), acl_from)
    reader.read("policy", "GetBucketPolicy", lambda: s3.get_bucket_policy(Bucket=bucket), policy_from)
    if "policy" in reader.config and reader.config["policy"] is None:
        # No policy: GetBucketPolicyStatus could only answer NoSuchBucketPolicy, i.e. None. One call
        # fewer for most buckets (issue 18: the calls per bucket are what a large estate costs).
        reader.config["policy_status"] = None
    else:
        reader.read("policy_status", "GetBucketPolicyStatus", lambda: s3.get_bucket_policy_status(Bucket=bucket),
                    policy_status_from)
    reader.read("public_access_block", "GetPublicAccessBlock", lambda: s3.get_public_access_block(Bucket=bucket),
                public_access_block_from)
    reader.read("encryption", "GetBucketEncryption", lambda: s3.get_bucket_encryption(Bucket=bucket),
                encryption_from)
    reader.read("website", "GetBucketWebsite", lambda: s3.get_bucket_website(Bucket=bucket), website_from)
    return reader


def read_account_public_access_block(clients: AwsClients, account_id: str) -> ConfigReader:
    """The account-level Block Public Access (S3 Control), under ``public_access_block``."""
    reader = ConfigReader()
    control = clients.client("s3control")
    reader.read("public_access_block", "GetPublicAccessBlock",
                lambda: control.get_public_access_block(AccountId=account_id), public_access_block_from)
    return reader
