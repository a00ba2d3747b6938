"""Seed GCP projects: Cloud Storage through google-cloud-storage, BigQuery through google-cloud-bigquery.

Both clients talk to the emulators with anonymous credentials, exactly as the collectors do.
The storage emulator ignores ``location`` and public access prevention on insert (NOTES.md),
so both are set with a PATCH after the bucket exists.
"""

from __future__ import annotations

import logging
from typing import Any

from cloudaudit_demo.estate.plan import BqDataset, BqField, BqTable, GcpProjectPlan, GcsBucket

log = logging.getLogger(__name__)

OBJECT_VIEWER = "roles/storage.objectViewer"
TABLE_VIEWER = "roles/bigquery.dataViewer"


def storage_client(project: str, endpoint: str) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud.storage import Client

    return Client(project=project, credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                  client_options={"api_endpoint": endpoint})


def bigquery_client(project: str, endpoint: str) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(project=project, credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                           client_options={"api_endpoint": endpoint})


def seed_gcs_bucket(client: Any, plan: GcsBucket) -> None:
    bucket = client.create_bucket(plan.name)
    bucket.location = plan.location.upper()  # the API speaks upper case; the SPEC reports lower
    bucket.iam_configuration.uniform_bucket_level_access_enabled = plan.uniform_access
    bucket.iam_configuration.public_access_prevention = plan.public_access_prevention
    bucket.patch()
    for obj in plan.objects:
        bucket.blob(obj.key).upload_from_string(obj.data, content_type=obj.content_type)
    if plan.public_member is not None:
        policy = bucket.get_iam_policy(requested_policy_version=3)
        policy.bindings.append({"role": OBJECT_VIEWER, "members": {plan.public_member}})
        bucket.set_iam_policy(policy)


def _schema_field(field: BqField) -> Any:
    from google.cloud.bigquery import PolicyTagList, SchemaField

    tags = PolicyTagList(names=(field.policy_tag,)) if field.policy_tag else None
    return SchemaField(field.name, field.type, mode=field.mode, policy_tags=tags,
                       fields=tuple(_schema_field(f) for f in field.fields))


def seed_table(client: Any, dataset_ref: Any, plan: BqTable) -> None:
    from google.cloud import bigquery

    table = client.create_table(bigquery.Table(dataset_ref.table(plan.table_id),
                                               schema=[_schema_field(f) for f in plan.fields]))
    errors = client.insert_rows_json(table, list(plan.rows), row_ids=[None] * len(plan.rows))
    if errors:
        # The errors echo rows: report only how many failed.
        raise RuntimeError(f"tabledata.insertAll into {plan.table_id}: {len(errors)} rows rejected")
    if plan.public_member is not None:
        policy = client.get_iam_policy(table)
        policy.bindings.append({"role": TABLE_VIEWER, "members": {plan.public_member}})
        client.set_iam_policy(table, policy)


def _bigquery_location(location: str) -> str:
    """BigQuery spells multi-regions in upper case (``US``, ``EU``) and regions in lower case."""
    return location.upper() if location in ("us", "eu") else location


def seed_dataset(client: Any, project: str, plan: BqDataset) -> None:
    from google.cloud import bigquery

    dataset = bigquery.Dataset(f"{project}.{plan.dataset_id}")
    dataset.location = _bigquery_location(plan.location)
    dataset = client.create_dataset(dataset)
    if plan.public_member is not None:
        # Shared later, as it usually happens: a datasets.patch adding allUsers as a reader.
        entries = list(dataset.access_entries)
        entries.append(bigquery.AccessEntry("READER", "iamMember", plan.public_member))
        dataset.access_entries = entries
        client.update_dataset(dataset, ["access_entries"])
    for table in plan.tables:
        seed_table(client, dataset.reference, table)


def seed_project(storage_endpoint: str, bigquery_endpoint: str, project: GcpProjectPlan) -> None:
    project_id = project.env.project_id
    if project.buckets:
        storage = storage_client(project_id, storage_endpoint)
        for bucket in project.buckets:
            seed_gcs_bucket(storage, bucket)
    if project.datasets:
        bigquery = bigquery_client(project_id, bigquery_endpoint)
        for dataset in project.datasets:
            seed_dataset(bigquery, project_id, dataset)
    log.info("seeded GCP project %s: %d buckets, %d datasets", project.env.name, len(project.buckets),
             len(project.datasets))
