"""The catalogue's pure transforms: each removes exactly what made the finding fail, keeps the rest."""

from __future__ import annotations

from pathlib import Path

from cloudaudit.remediation import catalog
from cloudaudit.remediation.model import FixKind

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
OWNER = {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}
LOG = {"Grantee": {"Type": "CanonicalUser", "ID": "def"}, "Permission": "WRITE"}
DOC = Path(__file__).resolve().parents[3] / "docs" / "remediation.md"


def test_every_kind_is_in_the_catalogue_once_and_answers_access_or_pii_checks() -> None:
    from cloudaudit.checks.registry import get_check

    assert sorted(s.kind for s in catalog.CATALOG) == sorted(FixKind)
    for spec in catalog.CATALOG:
        assert spec.answers and spec.write_permissions and spec.read_permissions and spec.may_break
        for check_id in spec.answers:
            assert get_check(check_id).metadata.category.value in ("ACCESS", "PII_EXPOSURE")


def test_acl_fix_removes_only_public_group_grants() -> None:
    spec = catalog.spec(FixKind.S3_ACL_PUBLIC_GRANTS)
    before = {"Owner": {"ID": "abc"}, "Grants": [OWNER, {"Grantee": {"Type": "Group", "URI": ALL_USERS},
                                                         "Permission": "READ"},
                                                LOG, {"Grantee": {"Type": "Group", "URI": AUTH_USERS},
                                                      "Permission": "READ_ACP"}]}
    after = spec.after(before)
    assert after == {"Owner": {"ID": "abc"}, "Grants": [OWNER, LOG]}
    assert spec.needed(before) and not spec.needed(after)
    assert before["Grants"][1]["Grantee"]["URI"] == ALL_USERS  # the input is not modified


def test_policy_fix_keeps_limited_and_named_statements_and_deletes_an_empty_policy() -> None:
    spec = catalog.spec(FixKind.S3_POLICY_PUBLIC_STATEMENTS)
    public = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "r"}
    limited = {**public, "Sid": "Org", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    named = {**public, "Sid": "Named", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}}
    deny = {**public, "Sid": "DenyHttp", "Effect": "Deny"}
    before = {"Policy": {"Version": "2012-10-17", "Id": "p", "Statement": [public, limited, named, deny]}}
    after = spec.after(before)
    assert after == {"Policy": {"Version": "2012-10-17", "Id": "p", "Statement": [limited, named, deny]}}
    assert spec.after({"Policy": {"Version": "2012-10-17", "Statement": public}}) == {"Policy": None}
    assert not spec.needed({"Policy": None}) and not spec.needed(after)


def test_bpa_fix_turns_on_all_four_flags() -> None:
    spec = catalog.spec(FixKind.S3_BLOCK_PUBLIC_ACCESS)
    partial = {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                                  "BlockPublicPolicy": False, "RestrictPublicBuckets": True}}
    assert spec.needed(partial) and spec.needed({"PublicAccessBlockConfiguration": None})
    assert not spec.needed(spec.after(partial))


def test_binding_and_access_fixes_keep_everyone_else() -> None:
    bindings = catalog.spec(FixKind.BQ_TABLE_PUBLIC_BINDINGS)
    before = {"bindings": [{"role": "roles/bigquery.dataViewer", "members": ["allUsers", "group:a@example.com"]},
                           {"role": "roles/bigquery.dataEditor", "members": ["allAuthenticatedUsers"]},
                           {"role": "roles/bigquery.admin", "members": ["user:o@example.com"],
                            "condition": {"title": "t", "expression": "true"}}]}
    assert bindings.after(before) == {"bindings": [
        {"role": "roles/bigquery.dataViewer", "members": ["group:a@example.com"]},
        {"role": "roles/bigquery.admin", "members": ["user:o@example.com"],
         "condition": {"title": "t", "expression": "true"}}]}
    access = catalog.spec(FixKind.BQ_DATASET_PUBLIC_ACCESS)
    entries = {"access": [{"role": "OWNER", "entity_type": "userByEmail", "entity_id": "o@example.com"},
                          {"role": "READER", "entity_type": "iamMember", "entity_id": "allUsers"},
                          {"role": "READER", "entity_type": "specialGroup", "entity_id": "projectReaders"}]}
    assert [e["entity_id"] for e in access.after(entries)["access"]] == ["o@example.com", "projectReaders"]
    pap = catalog.spec(FixKind.GCS_PUBLIC_ACCESS_PREVENTION)
    assert pap.needed({"publicAccessPrevention": "inherited"}) and not pap.needed(pap.after({}))


def test_docs_catalogue_table_is_current() -> None:
    text = DOC.read_text()
    assert catalog.catalog_table() in text, (
        "docs/remediation.md's catalogue table is stale: replace it with "
        "`python -c 'from cloudaudit.remediation.catalog import catalog_table; print(catalog_table())'`")
