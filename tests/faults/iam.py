"""The IAM side of least privilege: which IAM action each API operation the collectors call needs.

The map is AWS's (Service Authorization Reference); ``MOTO_ACTION_NAMES`` lists where moto 5.2
authorizes a request under another name, so that tests give moto's user the same permissions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs" / "iam"
READER_POLICY = DOCS / "aws-reader-policy.json"
CALLER_POLICY = DOCS / "aws-caller-policy.json"

# (botocore service, operation) → the IAM action it needs.
OPERATION_ACTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketAcl"): "s3:GetBucketAcl",
    ("s3", "GetBucketLocation"): "s3:GetBucketLocation",
    ("s3", "GetBucketOwnershipControls"): "s3:GetBucketOwnershipControls",
    ("s3", "GetBucketPolicy"): "s3:GetBucketPolicy",
    ("s3", "GetBucketPolicyStatus"): "s3:GetBucketPolicyStatus",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketWebsite"): "s3:GetBucketWebsite",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "GetObject"): "s3:GetObject",
    ("s3", "GetObjectAcl"): "s3:GetObjectAcl",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("sts", "GetCallerIdentity"): "sts:GetCallerIdentity",
    ("sts", "AssumeRole"): "sts:AssumeRole",
}
# moto checks the account-level Block Public Access read as s3:GetPublicAccessBlock.
MOTO_ACTION_NAMES = {"s3:GetAccountPublicAccessBlock": "s3:GetPublicAccessBlock"}


def load_policy(path: Path = READER_POLICY) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(path.read_text())
    return policy


def policy_actions(policy: dict[str, Any]) -> set[str]:
    return {a for st in policy["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}


def without(policy: dict[str, Any], action: str) -> dict[str, Any]:
    """The policy with one action taken out of every statement (empty statements dropped)."""
    statements = []
    for st in policy["Statement"]:
        actions = [a for a in st["Action"] if a != action]
        if actions:
            statements.append({**st, "Action": actions})
    return {**policy, "Statement": statements}


def for_moto(policy: dict[str, Any]) -> dict[str, Any]:
    """The same permissions under the names moto authorizes them by."""
    return {**policy, "Statement": [{**st, "Action": [MOTO_ACTION_NAMES.get(a, a) for a in st["Action"]]}
                                    for st in policy["Statement"]]}
