"""Cloud Storage: a public binding counts for PII_EXPOSURE only when its role reads or lists objects.

Role names are Cloud Storage's predefined IAM roles as documented ("IAM roles for Cloud Storage").
"""

from __future__ import annotations

import pytest

from cloudaudit.checks.base import evaluate
from cloudaudit.checks.gcp.gcs.facts import bucket_facts, gcs_facts
from cloudaudit.checks.registry import get_check
from cloudaudit.model import PiiType, Provider, Status

from ...snapshots import field, gcs_bucket, policy, sample, snapshot

SNAP = snapshot("jp-gcp", Provider.GCP)


@pytest.mark.parametrize(("role", "reads"), [
    ("roles/storage.objectViewer", True),
    ("roles/storage.legacyObjectReader", True),
    ("roles/storage.legacyBucketReader", True),  # lists the objects
    ("roles/storage.objectAdmin", True),
    ("roles/storage.admin", True),
    ("projects/dealer-crm/roles/partnerExport", True),  # a custom role: unknown, counted as reading
    ("roles/storage.objectCreator", False),  # creates objects only
])
@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers"])
def test_public_binding_roles(role: str, reads: bool, member: str) -> None:
    row = bucket_facts(SNAP, gcs_bucket("exports", members=(member,), pap="inherited", role=role))
    assert row.bucket_public is True  # public to Cloud Storage whatever the role: the configuration check fails
    assert (row.public, row.public_via) == (reads, "bucket IAM" if reads else "")
    assert row.public_without_read == ("" if reads else f"bucket IAM {member}:{role}")


def test_prevention_neutralises_a_write_only_binding_too() -> None:
    row = bucket_facts(SNAP, gcs_bucket("exports", members=("allUsers",), pap="enforced",
                                        role="roles/storage.objectCreator"))
    assert (row.bucket_public, row.public, row.public_without_read) == (False, False, "")


def test_write_only_bucket_does_not_expose_pii_and_detail_says_why() -> None:
    data = (sample("gs://exports/customers.csv", field("email", PiiType.EMAIL_ADDRESS)),)
    snap = snapshot("jp-gcp", Provider.GCP, gcs_bucket("exports", members=("allUsers",), pap="inherited",
                                                       role="roles/storage.objectCreator", samples=data))
    _, pii = gcs_facts([snap])
    check = get_check("gcp_gcs_pii_public")
    assert [evaluate(r.public, check.value_set(policy())) for r in pii] == [Status.PASS]
    assert ("not publicly readable (public, but reads no data: bucket IAM allUsers:roles/storage.objectCreator)"
            in check.detail(pii, policy()))


def test_unreadable_bucket_iam_stays_unknown() -> None:
    row = bucket_facts(SNAP, gcs_bucket("m", pap="inherited", unreadable={"iam_bindings": "getIamPolicy: 403"}))
    assert (row.bucket_public, row.public) == (None, None)
