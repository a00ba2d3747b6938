"""BigQuery configuration → flat facts rows: the only place that decides what is public.

A dataset is public when an access entry names allUsers or allAuthenticatedUsers (as a
special group or IAM member); a table when its IAM policy binds one of them (the
configuration checks: ``dataset_public``, ``table_public``). A table's data is readable by
anyone (``public``, what PII_EXPOSURE uses) when such an entry or binding has a role that reads
table data: READER, WRITER, OWNER, roles/bigquery.dataViewer and the like. Roles known to read
no data (metadataViewer, jobUser, user) do not count; any other role, custom ones included,
counts as reading, conservatively.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
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
from cloudaudit.checks.gcp.iam import PUBLIC_MEMBERS, public_bindings
from cloudaudit.model import PiiType, Resource, SampleResult, Service, Snapshot

# Predefined roles that read no table data: metadata, running jobs, listing tables.
NON_READING_ROLES = frozenset(("roles/bigquery.metadataViewer", "roles/bigquery.jobUser", "roles/bigquery.user"))


def entry_reads(entry: str) -> bool:
    """``"READER specialGroup:allUsers"`` → True; ``"roles/bigquery.metadataViewer iamMember:allUsers"`` → False."""
    return entry.split(" ", 1)[0] not in NON_READING_ROLES


def binding_reads(binding: str) -> bool:
    """``"allUsers:roles/bigquery.dataViewer"`` → True; a non-reading role → False."""
    return binding.split(":", 1)[-1] not in NON_READING_ROLES


def _reads(public: bool | None, reads: bool) -> bool | None:
    """Readable by anyone: public (as the cloud defines it) through a grant that reads."""
    if public is None:
        return None
    return public and reads


@dataclass(frozen=True)
class BqDatasetFacts:
    """One BigQuery dataset."""

    fact_id: int
    environment: str
    resource: str
    location: str | None
    dataset_public: bool | None
    public_entries: str  # e.g. "READER specialGroup:allAuthenticatedUsers"
    public: bool | None  # every table in it is readable by anyone (a public entry reads data)
    public_via: str
    public_without_read: str  # public entries that read no data
    unreadable: str


@dataclass(frozen=True)
class BqTableFacts:
    """One BigQuery table: its IAM, its schema's policy tags against the PII found in it."""

    fact_id: int
    environment: str
    resource: str
    dataset: str
    location: str | None
    table_public: bool | None  # the table's own IAM policy
    public_bindings: str
    dataset_public: bool | None
    public: bool | None  # readable by anyone: a public table binding or dataset entry reads data
    public_via: str
    public_without_read: str  # public bindings and entries that read no data
    pii_columns_tagged: bool | None  # every column holding regulated PII carries a policy tag
    pii_columns: int  # columns where the sample found regulated PII
    untagged_pii_columns: str  # "customer.name (PERSON_NAME), ..."
    pii_types: str  # regulated PII types in untagged columns
    sample_state: str | None
    objects_sampled: int
    unreadable: str


def public_entries(entries: Any) -> list[str]:
    """Access entries granting to allUsers / allAuthenticatedUsers, as ``ROLE type:id``.

    Accepts ``[{"role", "entity_type", "entity_id"}]`` and the API's ``{"role", "specialGroup": ...}``.
    """
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        pairs = [(str(entry.get("entity_type", "")), str(entry.get("entity_id", "")))]
        pairs += [(k, str(v)) for k, v in entry.items() if k in ("specialGroup", "iamMember")]
        for entity_type, entity_id in pairs:
            if entity_id in PUBLIC_MEMBERS:
                out.append(f"{entry.get('role', '?')} {entity_type}:{entity_id}")
    return sorted(set(out))


def dataset_facts(snapshot: Snapshot, dataset: Resource) -> BqDatasetFacts:
    readable, entries = config_value(dataset, "access_entries")
    written = public_entries(entries) if readable else []
    public = bool(written) if readable else None
    reads = _reads(public, any(entry_reads(e) for e in written))
    return BqDatasetFacts(
        fact_id=0, environment=snapshot.environment.name, resource=dataset.resource, location=location_of(dataset),
        dataset_public=public, public_entries=", ".join(written), public=reads,
        public_via="dataset access" if reads else "",
        public_without_read="; ".join(f"dataset access {e}" for e in written if not entry_reads(e)),
        unreadable=unreadable(dataset),
    )


def tagged_columns(schema: Any) -> set[str]:
    """Dot paths of schema columns that carry at least one policy tag (a tag on a parent covers children)."""
    tagged = set()
    for column in schema if isinstance(schema, list) else []:
        if not isinstance(column, Mapping):
            continue
        tags = column.get("policy_tags", column.get("policyTags"))
        if isinstance(tags, Mapping):
            tags = tags.get("names", [])
        if tags:
            tagged.add(str(column.get("name", "")))
    return tagged


def _is_tagged(field: str, tagged: set[str]) -> bool:
    """Schema names are dot paths without the ``[]`` that sample fields give repeated columns."""
    parts = field.replace("[]", "").split(".")
    return any(".".join(parts[:i]) in tagged for i in range(1, len(parts) + 1))


@dataclass(frozen=True)
class PolicyTagCoverage:
    """Policy tags against the columns where the sample found regulated PII."""

    all_tagged: bool | None  # None: schema or sample unreadable
    pii_columns: int
    untagged: tuple[str, ...]  # "column (TYPE, ...)"
    untagged_types: tuple[str, ...]


def policy_tag_coverage(table: Resource, regulated: Collection[PiiType]) -> PolicyTagCoverage:
    schema_readable, schema = config_value(table, "schema")
    if not schema_readable or sample_state(table) is None:
        return PolicyTagCoverage(None, 0, (), ())
    tagged = tagged_columns(schema)
    pii_columns, untagged, types = set(), set(), set()
    for sample in table.samples:
        for field in sample.fields:
            found = [t.value for t in field.pii_types if t in regulated]
            if not found:
                continue
            pii_columns.add(field.field)
            if not _is_tagged(field.field, tagged):
                untagged.add(f"{field.field} ({', '.join(found)})")
                types.update(found)
    return PolicyTagCoverage(not untagged, len(pii_columns), tuple(sorted(untagged)), tuple(sorted(types)))


def table_facts(snapshot: Snapshot, table: Resource, dataset: BqDatasetFacts | None,
                regulated: Collection[PiiType]) -> BqTableFacts:
    iam_readable, bindings = config_value(table, "iam_bindings")
    written = public_bindings(bindings) if iam_readable else []
    table_public = bool(written) if iam_readable else None
    table_reads = _reads(table_public, any(binding_reads(b) for b in written))
    dataset_public = dataset.dataset_public if dataset else None
    dataset_reads = dataset.public if dataset else None
    tags = policy_tag_coverage(table, regulated)
    via = [name for name, value in (("table IAM", table_reads), ("dataset access", dataset_reads)) if value]
    without = [f"table IAM {b}" for b in written if not binding_reads(b)]
    if dataset and dataset.public_without_read:
        without.append(dataset.public_without_read)
    location = location_of(table) or (dataset.location if dataset else None)
    return BqTableFacts(
        fact_id=0, environment=snapshot.environment.name, resource=table.resource,
        dataset=table.resource.rsplit(".", 1)[0], location=location,
        table_public=table_public, public_bindings=", ".join(written), dataset_public=dataset_public,
        public=any_true(table_reads, dataset_reads), public_via=", ".join(via),
        public_without_read="; ".join(without),
        pii_columns_tagged=tags.all_tagged, pii_columns=tags.pii_columns,
        untagged_pii_columns="; ".join(tags.untagged), pii_types=join(tags.untagged_types),
        sample_state=sample_state(table), objects_sampled=table.objects_sampled, unreadable=unreadable(table),
    )


def bq_facts(snapshots: Iterable[Snapshot], regulated: Collection[PiiType]
             ) -> tuple[list[BqDatasetFacts], list[BqTableFacts], list[PiiFacts]]:
    """Datasets, tables and PII rows of BigQuery."""
    datasets: list[BqDatasetFacts] = []
    tables: list[BqTableFacts] = []
    pii: list[PiiFacts] = []
    for snapshot in snapshots:
        bq = [r for r in snapshot.resources if r.service is Service.BIGQUERY]
        by_id = {}
        for resource in bq:
            if resource.kind == "dataset":
                facts = dataset_facts(snapshot, resource)
                by_id[resource.resource] = facts
                datasets.append(facts)
        for resource in bq:
            if resource.kind != "table":
                continue
            table = table_facts(snapshot, resource, by_id.get(resource.resource.rsplit(".", 1)[0]), regulated)
            tables.append(table)

            def exposure(sample: SampleResult, table: BqTableFacts = table) -> Exposure:
                return Exposure(table.public, table.public_via, table.public_without_read)

            pii.extend(pii_rows(snapshot.environment.name, resource.resource, table.location,
                                resource.samples, exposure))
    return datasets, tables, pii
