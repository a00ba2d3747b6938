"""Presidio-style tables: one BigQuery / Cloud Storage facts row → status and detail, per check."""

from __future__ import annotations

import dataclasses

import pytest

from cloudaudit.checks.base import evaluate
from cloudaudit.checks.gcp.bq.facts import dataset_facts, table_facts
from cloudaudit.checks.gcp.gcs.facts import bucket_facts
from cloudaudit.checks.registry import get_check
from cloudaudit.model import PiiType, Provider, Status

from ..snapshots import bq_dataset, bq_table, gcs_bucket, policy, snapshot

POLICY = policy()
SNAP = snapshot("jp-gcp", Provider.GCP)


def judge(check_id: str, row: object) -> tuple[Status, str]:
    check = get_check(check_id)
    return evaluate(getattr(row, check.column), check.value_set(POLICY)), check.detail([row], POLICY)


def gcs_row(**overrides: object) -> object:
    return dataclasses.replace(bucket_facts(SNAP, gcs_bucket("media")), **overrides)


def table_row(**overrides: object) -> object:
    table = bq_table("p", "crm", "customers", columns={"email": (PiiType.EMAIL_ADDRESS,)}, tagged=("email",))
    return dataclasses.replace(table_facts(SNAP, table, None, list(PiiType)), **overrides)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "gs://media binds no public member"),
    ({"bucket_public": True, "public_bindings": "allUsers:roles/storage.objectViewer"},
     Status.FAIL, "binds allUsers:roles/storage.objectViewer"),
    ({"bucket_public": False, "public_bindings": "allAuthenticatedUsers:roles/storage.objectViewer",
      "neutralised_by": "public access prevention enforced"}, Status.PASS,
     "neutralised by public access prevention enforced"),
    ({"bucket_public": None, "unreadable": "iam_bindings: getIamPolicy: 403"}, Status.NOT_ASSESSED, "403"),
])
def test_gcp_gcs_bucket_public(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("gcp_gcs_bucket_public", gcs_row(**overrides))
    assert (got_status, detail in got_detail) == (status, True)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "enforced on gs://media"),
    ({"pap_enforced": False, "pap_setting": "inherited"}, Status.FAIL, "is inherited, not enforced"),
    ({"pap_enforced": None, "unreadable": "public_access_prevention: get: 403"}, Status.NOT_ASSESSED, "403"),
])
def test_gcp_gcs_public_access_prevention_off(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("gcp_gcs_public_access_prevention_off", gcs_row(**overrides))
    assert (got_status, detail in got_detail) == (status, True)


@pytest.mark.parametrize(("public_entity", "status", "detail"), [
    (None, Status.PASS, "names no public member"),
    ("allAuthenticatedUsers", Status.FAIL, "includes READER specialGroup:allAuthenticatedUsers"),
    ("allUsers", Status.FAIL, "includes READER specialGroup:allUsers"),
])
def test_gcp_bq_dataset_public(public_entity: str | None, status: Status, detail: str) -> None:
    row = dataset_facts(SNAP, bq_dataset("p", "crm", public_entity=public_entity))
    got_status, got_detail = judge("gcp_bq_dataset_public", row)
    assert (got_status, detail in got_detail) == (status, True)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "binds no public member"),
    ({"table_public": True, "public_bindings": "allUsers:roles/bigquery.dataViewer"},
     Status.FAIL, "bq://p.crm.customers binds allUsers:roles/bigquery.dataViewer"),
    ({"table_public": None, "unreadable": "iam_bindings: getIamPolicy: 403"}, Status.NOT_ASSESSED, "403"),
])
def test_gcp_bq_table_public(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("gcp_bq_table_public", table_row(**overrides))
    assert (got_status, detail in got_detail) == (status, True)


@pytest.mark.parametrize(("overrides", "status", "detail"), [
    ({}, Status.PASS, "has a policy tag (1)"),
    ({"pii_columns": 0}, Status.PASS, "No column of bq://p.crm.customers holds regulated PII"),
    ({"pii_columns_tagged": False, "untagged_pii_columns": "customer.name (PERSON_NAME)"},
     Status.FAIL, "without a policy tag: customer.name (PERSON_NAME)"),
    ({"pii_columns_tagged": None, "unreadable": "schema: tables.get: 403"}, Status.NOT_ASSESSED, "403"),
])
def test_gcp_bq_pii_column_untagged(overrides: dict[str, object], status: Status, detail: str) -> None:
    got_status, got_detail = judge("gcp_bq_pii_column_untagged", table_row(**overrides))
    assert (got_status, detail in got_detail) == (status, True)
