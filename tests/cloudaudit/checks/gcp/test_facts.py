"""Cloud Storage and BigQuery configuration → facts."""

from __future__ import annotations

import pytest

from cloudaudit.checks.gcp.bq.facts import bq_facts, public_entries, tagged_columns
from cloudaudit.checks.gcp.gcs.facts import bucket_facts, gcs_facts
from cloudaudit.checks.gcp.iam import public_bindings
from cloudaudit.model import PiiType, Provider

from ..snapshots import bq_dataset, bq_table, field, gcs_bucket, sample, snapshot

SNAP = snapshot("jp-gcp", Provider.GCP)


@pytest.mark.parametrize(("members", "pap", "public", "neutralised"), [
    ((), "inherited", False, ""),
    (("allUsers",), "inherited", True, ""),
    (("allAuthenticatedUsers",), "unspecified", True, ""),
    (("allUsers",), "enforced", False, "public access prevention enforced"),
    (("allUsers",), "Enforced", False, "public access prevention enforced"),
])
def test_gcs_public_binding_and_prevention(members: tuple[str, ...], pap: str, public: bool, neutralised: str) -> None:
    row = bucket_facts(SNAP, gcs_bucket("media", members=members, pap=pap))
    assert (row.bucket_public, row.neutralised_by) == (public, neutralised)
    assert row.pap_enforced is (pap.casefold() == "enforced")
    if members:
        assert row.public_bindings == f"{members[0]}:roles/storage.objectViewer"


def test_gcs_unreadable_iam_is_unknown_unless_prevention_is_enforced() -> None:
    errors = {"iam_bindings": "getIamPolicy: 403"}
    assert bucket_facts(SNAP, gcs_bucket("m", pap="inherited", unreadable=errors)).bucket_public is None
    assert bucket_facts(SNAP, gcs_bucket("m", pap="enforced", unreadable=errors)).bucket_public is False


def test_iam_policy_dict_shape() -> None:
    policy = {"bindings": [{"role": "roles/viewer", "members": ["allUsers", "user:x@example.com"]}]}
    assert public_bindings(policy) == ["allUsers:roles/viewer"]


def test_bq_access_entry_shapes() -> None:
    entries = [{"role": "READER", "specialGroup": "allAuthenticatedUsers"},
               {"role": "READER", "entity_type": "iamMember", "entity_id": "allUsers"},
               {"role": "WRITER", "entity_type": "specialGroup", "entity_id": "projectWriters"}]
    assert public_entries(entries) == ["READER iamMember:allUsers", "READER specialGroup:allAuthenticatedUsers"]


def test_policy_tag_shapes() -> None:
    schema = [{"name": "a", "policy_tags": ["t"]}, {"name": "b", "policyTags": {"names": ["t"]}},
              {"name": "c", "policy_tags": []}]
    assert tagged_columns(schema) == {"a", "b"}


def test_bq_table_public_through_its_dataset_and_untagged_columns() -> None:
    snap = snapshot("jp-gcp", Provider.GCP,
                    bq_dataset("p", "crm", public_entity="allAuthenticatedUsers"),
                    bq_table("p", "crm", "customers", tagged=("customer",),
                             columns={"customer.name": (PiiType.PERSON_NAME,), "email": (PiiType.EMAIL_ADDRESS,),
                                      "note": (PiiType.IP_ADDRESS,), "sku": ()}))
    datasets, tables, pii = bq_facts([snap], regulated=[PiiType.PERSON_NAME, PiiType.EMAIL_ADDRESS])
    table = tables[0]
    assert (datasets[0].dataset_public, table.table_public, table.public) == (True, False, True)
    assert table.public_via == "dataset access"
    # a tag on the parent record covers customer.name; IP_ADDRESS is not regulated here
    assert (table.pii_columns_tagged, table.untagged_pii_columns, table.pii_types) == (
        False, "email (EMAIL_ADDRESS)", "EMAIL_ADDRESS")
    assert {(p.resource, p.object, p.field) for p in pii} == {
        ("bq://p.crm.customers", "bq://p.crm.customers", f) for f in ("customer.name", "email", "note")}


def test_bq_unreadable_schema_or_sample_is_not_assessed() -> None:
    snap = snapshot("jp-gcp", Provider.GCP, bq_table("p", "d", "t", columns={"email": (PiiType.EMAIL_ADDRESS,)},
                                                     unreadable={"schema": "tables.get: 403"}))
    assert bq_facts([snap], list(PiiType))[1][0].pii_columns_tagged is None


def test_gcs_pii_rows_carry_bucket_exposure_and_location() -> None:
    bucket = gcs_bucket("media", members=("allUsers",), pap="inherited", location="US",
                        samples=(sample("gs://media/x.json", field("customer.contacts[].phone", PiiType.PHONE_NUMBER)),))
    _, pii = gcs_facts([snapshot("jp-gcp", Provider.GCP, bucket)])
    assert [(p.resource, p.object, p.public, p.location) for p in pii] == [
        ("gs://media", "gs://media/x.json", True, "us")]


@pytest.mark.parametrize(("pap", "uniform", "acl", "read_errors", "public"), [
    ("inherited", False, [{"entity": "allUsers", "role": "READER"}], {}, True),
    ("inherited", False, [{"entity": "user-x@example.com", "role": "OWNER"}], {}, False),
    ("enforced", False, [{"entity": "allUsers", "role": "READER"}], {}, False),  # prevention overrides ACLs
    ("inherited", True, [{"entity": "allAuthenticatedUsers", "role": "READER"}], {}, False),  # ACLs off
    ("inherited", False, None, {"acl": "getObjectAcl: 403"}, None),
])
def test_gcs_object_acl_makes_the_data_public(pap: str, uniform: bool, acl: object,
                                              read_errors: dict[str, str], public: bool | None) -> None:
    from cloudaudit.model import SampleResult

    obj = SampleResult(resource="gs://media/x.csv", config={"acl": acl} if acl else {}, read_errors=read_errors,
                       fields=(field("email", PiiType.EMAIL_ADDRESS),))
    bucket = gcs_bucket("media", pap=pap, samples=(obj,))
    bucket = bucket.model_copy(update={"config": {**bucket.config, "uniform_bucket_level_access": uniform}})
    _, pii = gcs_facts([snapshot("jp-gcp", Provider.GCP, bucket)])
    assert pii[0].public is public
    assert pii[0].public_via == ("object ACL" if public else "")


def test_repeated_bq_columns_match_their_schema_entry() -> None:
    snap = snapshot("jp-gcp", Provider.GCP, bq_table(
        "p", "d", "t", tagged=("customer.contacts.phone",),
        columns={"customer.contacts[].phone": (PiiType.PHONE_NUMBER,), "owners[].name": (PiiType.PERSON_NAME,)}))
    table = bq_facts([snap], list(PiiType))[1][0]
    assert table.untagged_pii_columns == "owners[].name (PERSON_NAME)"
