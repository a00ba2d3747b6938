"""One table → one Resource: schema with policy tags, IAM policy and a row sample.

``config`` keys: ``table_type`` (``TABLE``, ``VIEW``, ``EXTERNAL``, ...), ``num_rows``
(``None`` when BigQuery does not say, as for views), ``schema`` (``[{"name", "type", "mode",
"policy_tags"}]``) and ``iam_bindings``. The sample is one SampleResult whose resource is the
table itself; views and external tables are configuration only (PARTIAL, with the reason).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.gcp.bigquery.rows import (
    SAMPLE_FORMAT,
    columns_within,
    rows_to_sample,
    schema_entries,
)
from cloudaudit.collectors.gcp.failures import Reads, google_call
from cloudaudit.collectors.gcp.iam import iam_bindings
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import CallFailed
from cloudaudit.model import CoverageStatus, Provider, Resource, SampleResult, Service
from cloudaudit.resources import bq_uri

if TYPE_CHECKING:
    from google.cloud.bigquery import Client, Table
    from google.cloud.bigquery.table import TableListItem

    from cloudaudit.collectors.gcp.clients import CallOptions
    from cloudaudit.config import Limits
    from cloudaudit.incremental import CarryOver, Fingerprint

log = logging.getLogger(__name__)

SAMPLED_TABLE_TYPES = frozenset({"TABLE", "SNAPSHOT", "CLONE"})  # tabledata.list serves these
_PAGE_SIZE = 500


def read_table(client: Client, item: TableListItem, *, location: str, country: str, limits: Limits,
               opts: CallOptions, carry: CarryOver | None = None) -> Resource:
    """Configuration and sample of one table; never raises. ``location`` is its dataset's."""
    resource = bq_uri(item.project, item.dataset_id, item.table_id)
    base: dict[str, Any] = {"resource": resource, "provider": Provider.GCP, "service": Service.BIGQUERY,
                            "kind": "table", "location": location}
    try:
        return _read_table(client, item, base, country=country, limits=limits, opts=opts, carry=carry)
    except CallFailed as exc:
        return Resource(**base, status=CoverageStatus.NOT_ASSESSED, reason=str(exc))
    except Exception as exc:  # Google's failures were mapped where they were raised: this is a bug
        return Resource(**base, status=CoverageStatus.NOT_ASSESSED, reason=unexpected(log, "reading", resource, exc))


def _read_table(client: Client, item: TableListItem, base: dict[str, Any], *, country: str, limits: Limits,
                opts: CallOptions, carry: CarryOver | None = None) -> Resource:
    with google_call("getTable", base["resource"]):  # the answer is parsed as its properties are read
        table = client.get_table(item.reference, **opts.kwargs())
        table_type = str(table.table_type or "TABLE").upper()
        config: dict[str, Any] = {"table_type": table_type, "num_rows": table.num_rows,
                                  "schema": schema_entries(table.schema)}
        size = table.num_bytes
    reads = Reads(base["resource"])
    policy = reads.read("iam_bindings", "getIamPolicy", lambda: client.get_iam_policy(table, **opts.kwargs()))
    if policy is not None:
        config["iam_bindings"] = iam_bindings(policy.bindings)
    sample = sample_table(client, table, table_type, size, country=country, limits=limits, opts=opts, carry=carry)
    status = CoverageStatus.PARTIAL if reads.errors else CoverageStatus.ASSESSED
    return Resource(**base, status=status, reason="; ".join(reads.errors.values()), config=config,
                    read_errors=reads.errors, samples=(sample,))


def table_fingerprint(table: Table) -> Fingerprint:
    """etag, numBytes, lastModifiedTime and numRows; none (never carried over) while rows sit in
    the streaming buffer, which none of those reflect."""
    from cloudaudit.incremental import Fingerprint

    if table.streaming_buffer is not None:
        return Fingerprint("", None, "")
    return Fingerprint.of(table.etag, table.num_bytes, table.modified, table.num_rows)


def sample_table(client: Client, table: Table, table_type: str, size: int | None, *, country: str,
                 limits: Limits, opts: CallOptions, carry: CarryOver | None = None) -> SampleResult:
    """Up to ``limits.max_rows`` rows through ``tabledata.list``, detected in memory; a table
    unchanged since the previous snapshot (``carry``) is not read, its results are carried over."""
    resource = bq_uri(table.project, table.dataset_id, table.table_id)
    base: dict[str, Any] = {"resource": resource, "format": SAMPLE_FORMAT, "size": size}
    if table_type not in SAMPLED_TABLE_TYPES:
        return SampleResult(**base, status=CoverageStatus.PARTIAL,
                            reason=f"{table_type.lower().replace('_', ' ')}: configuration only, rows not sampled")
    fingerprint = table_fingerprint(table)
    if carry is not None and (prior := carry.reuse(resource, fingerprint)) is not None:
        return prior  # a table's sample has no configuration of its own: the IAM policy is the table's
    base["fingerprint"] = fingerprint.record()
    selected = columns_within(table.schema, limits.max_fields)  # a wide table is cut at the call too
    try:
        with google_call("listRows", resource):  # rows are parsed page by page, as they are walked
            rows = [dict(row.items()) for row in client.list_rows(
                table, selected_fields=selected, max_results=limits.max_rows,
                page_size=min(_PAGE_SIZE, limits.max_rows), **opts.kwargs())]
    except CallFailed as exc:
        return SampleResult(**base, status=CoverageStatus.NOT_ASSESSED, reason=str(exc))
    sample = rows_to_sample(selected or table.schema, rows, max_fields=limits.max_fields,
                            max_cell_chars=limits.max_cell_chars, total_rows=table.num_rows)
    del rows  # raw values live no longer than needed
    try:
        from cloudaudit.sampling import detect

        fields = detect(sample, country)
    except Exception as exc:  # a detector bug must cost one sample, not the environment
        return SampleResult(**base, status=CoverageStatus.PARTIAL, rows_sampled=sample.rows,
                            truncated=sample.truncated, reason=unexpected(log, "detecting PII in", resource, exc))
    log.info("sampled %s: %d rows, %d fields, %d with PII", resource, sample.rows, len(fields),
             sum(1 for f in fields if f.pii))
    return SampleResult(**base, rows_sampled=sample.rows, truncated=sample.truncated, fields=fields)
