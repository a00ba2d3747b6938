"""BigQuery: public dataset entries and table bindings count for PII_EXPOSURE only when they read data.

Roles are BigQuery's basic dataset roles and predefined IAM roles as documented
("BigQuery IAM roles and permissions").
"""

from __future__ import annotations

import pytest

from cloudaudit.checks.base import evaluate
from cloudaudit.checks.gcp.bq.facts import bq_facts
from cloudaudit.checks.registry import get_check
from cloudaudit.model import PiiType, Provider, Status

from ...snapshots import bq_dataset, bq_table, policy, snapshot

REGULATED = tuple(PiiType)
COLUMNS = {"email": (PiiType.EMAIL_ADDRESS,)}

READING = ["READER", "WRITER", "OWNER", "roles/bigquery.dataViewer", "roles/bigquery.dataEditor",
           "roles/bigquery.dataOwner", "roles/bigquery.admin", "projects/dealer-crm/roles/analystRead"]
NOT_READING = ["roles/bigquery.metadataViewer", "roles/bigquery.jobUser", "roles/bigquery.user"]


@pytest.mark.parametrize(("role", "reads"), [*((r, True) for r in READING), *((r, False) for r in NOT_READING)])
def test_dataset_access_entry_roles(role: str, reads: bool) -> None:
    snap = snapshot("jp-gcp", Provider.GCP, bq_dataset("p", "crm", public_entity="allUsers", role=role),
                    bq_table("p", "crm", "customers", columns=COLUMNS))
    datasets, tables, pii = bq_facts([snap], REGULATED)
    assert datasets[0].dataset_public is True  # the configuration check: public whatever the role
    assert (datasets[0].public, tables[0].dataset_public, tables[0].public, pii[0].public) == (reads, True, reads, reads)
    without = "" if reads else f"dataset access {role} specialGroup:allUsers"
    assert (tables[0].public_without_read, pii[0].public_without_read) == (without, without)


@pytest.mark.parametrize(("role", "reads"), [*((r, True) for r in READING if r.startswith(("roles/", "projects/"))),
                                             *((r, False) for r in NOT_READING)])
def test_table_iam_roles(role: str, reads: bool) -> None:
    snap = snapshot("jp-gcp", Provider.GCP, bq_dataset("p", "crm"),
                    bq_table("p", "crm", "customers", columns=COLUMNS, members=("allAuthenticatedUsers",), role=role))
    _, tables, pii = bq_facts([snap], REGULATED)
    assert (tables[0].table_public, tables[0].public, pii[0].public) == (True, reads, reads)
    assert tables[0].public_via == ("table IAM" if reads else "")


def test_metadata_only_table_passes_pii_exposure_and_detail_says_why() -> None:
    snap = snapshot("jp-gcp", Provider.GCP, bq_dataset("p", "crm"),
                    bq_table("p", "crm", "customers", columns=COLUMNS, members=("allUsers",),
                             role="roles/bigquery.metadataViewer"))
    _, _, pii = bq_facts([snap], REGULATED)
    check = get_check("gcp_bq_pii_public")
    assert [evaluate(r.public, check.value_set(policy())) for r in pii] == [Status.PASS]
    assert "reads no data: table IAM allUsers:roles/bigquery.metadataViewer" in check.detail(pii, policy())


def test_a_reading_table_binding_wins_over_a_metadata_only_dataset_entry() -> None:
    snap = snapshot("jp-gcp", Provider.GCP,
                    bq_dataset("p", "crm", public_entity="allUsers", role="roles/bigquery.metadataViewer"),
                    bq_table("p", "crm", "customers", columns=COLUMNS, members=("allUsers",)))
    _, tables, pii = bq_facts([snap], REGULATED)
    assert (tables[0].public, tables[0].public_via, pii[0].public) == (True, "table IAM", True)
