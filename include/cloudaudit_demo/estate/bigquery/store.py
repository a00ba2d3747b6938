"""The emulator's state: datasets, tables, rows and IAM policies of every project, in memory.

One re-entrant lock guards everything; each public method takes it once, so every call is
atomic, as a single API call is on Google. Methods answer fresh JSON-ready dicts that the
caller may serialise after the lock is released.
"""

from __future__ import annotations

import copy
import threading
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cloudaudit_demo.estate.bigquery import paging
from cloudaudit_demo.estate.bigquery.errors import (
    ApiError,
    duplicate,
    invalid,
    not_found,
    precondition_failed,
)
from cloudaudit_demo.estate.bigquery.resources import (
    DEFAULT_ACCESS,
    DEFAULT_LOCATION,
    EMPTY_POLICY_ETAG,
    OUTPUT_ONLY,
    as_object,
    as_text,
    check_dataset_id,
    check_table_id,
    merge_patch,
    new_etag,
    new_policy_etag,
    normalize_access,
    normalize_policy,
    normalize_view,
    now_ms,
    table_type,
)
from cloudaudit_demo.estate.bigquery.schema import Field, check_compatible, normalize_schema, select_fields
from cloudaudit_demo.estate.bigquery.values import Row, convert_row, record_wire, row_size

GOOGLE_BASE = "https://bigquery.googleapis.com/bigquery/v2"
DEFAULT_LIST_PAGE = 50
MAX_LIST_PAGE = 1000
# tabledata.list without maxResults: Google stops at ~10 MB; a row count is close enough here.
DEFAULT_ROWS_PAGE = 10_000
MAX_ROWS_PAGE = 100_000
INSERT_ID_MEMORY = 100_000  # Google de-duplicates insertIds best-effort over about a minute


@dataclass
class Table:
    """A table (or view) resource with its rows, IAM policy and recent insert ids."""

    resource: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    num_bytes: int = 0
    policy: dict[str, Any] | None = None
    insert_ids: set[str] = field(default_factory=set)
    insert_order: deque[str] = field(default_factory=deque)

    @property
    def fields(self) -> list[Field]:
        fields: list[Field] = self.resource.get("schema", {}).get("fields", [])
        return fields

    def remember_insert_id(self, insert_id: str) -> None:
        self.insert_ids.add(insert_id)
        self.insert_order.append(insert_id)
        if len(self.insert_order) > INSERT_ID_MEMORY:
            self.insert_ids.discard(self.insert_order.popleft())

    def append(self, rows: list[Row]) -> None:
        self.rows.extend(rows)
        self.num_bytes += sum(row_size(self.fields, row) for row in rows)

    def truncate(self) -> None:
        self.rows = []
        self.num_bytes = 0


@dataclass
class Dataset:
    resource: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)


def _table_name(project: str, dataset_id: str, table_id: str) -> str:
    return f"Table {project}:{dataset_id}.{table_id}"


class Store:
    """Every project's datasets, keyed by (project, dataset id); jobs live in ``jobs``."""

    def __init__(self, base_url: str = GOOGLE_BASE) -> None:
        self.base_url = base_url
        self.lock = threading.RLock()
        self._datasets: dict[tuple[str, str], Dataset] = {}
        self.jobs: dict[tuple[str, str], dict[str, Any]] = {}

    # ------------------------------------------------------------------ lookups

    def _dataset(self, project: str, dataset_id: str) -> Dataset:
        found = self._datasets.get((project, dataset_id))
        if found is None:
            raise not_found(f"Dataset {project}:{dataset_id}")
        return found

    def _table(self, project: str, dataset_id: str, table_id: str) -> Table:
        found = self._dataset(project, dataset_id).tables.get(table_id)
        if found is None:
            raise not_found(_table_name(project, dataset_id, table_id))
        return found

    def _link(self, *parts: str) -> str:
        return self.base_url + "/" + "/".join(quote(p, safe="") for p in parts)

    def find_table(self, project: str, dataset_id: str, table_id: str) -> Table | None:
        """The table object, or None; ``not_found`` when the dataset is missing. Hold ``lock``."""
        return self._dataset(project, dataset_id).tables.get(table_id)

    def dataset_location(self, project: str, dataset_id: str) -> str:
        with self.lock:
            return str(self._dataset(project, dataset_id).resource["location"])

    # ------------------------------------------------------------------ projects

    def list_projects(self) -> dict[str, Any]:
        with self.lock:
            projects = sorted({project for project, _ in self._datasets})
        return {
            "kind": "bigquery#projectList",
            "etag": new_etag(),
            "projects": [
                {"kind": "bigquery#project", "id": p, "numericId": str(zlib.crc32(p.encode())),
                 "projectReference": {"projectId": p}, "friendlyName": p}
                for p in projects
            ],
            "totalItems": len(projects),
        }

    # ------------------------------------------------------------------ datasets

    def insert_dataset(self, project: str, body: Mapping[str, Any]) -> dict[str, Any]:
        reference = as_object(body.get("datasetReference"), "datasetReference")
        dataset_id = check_dataset_id(reference.get("datasetId"))
        as_object(body.get("labels"), "labels")
        resource = {k: v for k, v in body.items() if k not in OUTPUT_ONLY and v is not None}
        resource["access"] = normalize_access(body["access"]) if body.get("access") else [dict(e) for e in DEFAULT_ACCESS]
        stamp = now_ms()
        resource.update(
            kind="bigquery#dataset",
            id=f"{project}:{dataset_id}",
            selfLink=self._link("projects", project, "datasets", dataset_id),
            datasetReference={"datasetId": dataset_id, "projectId": project},
            location=as_text(body.get("location"), "location") or DEFAULT_LOCATION,
            creationTime=stamp,
            lastModifiedTime=stamp,
            etag=new_etag(),
            type="DEFAULT",
        )
        with self.lock:
            if (project, dataset_id) in self._datasets:
                raise duplicate(f"Dataset {project}:{dataset_id}")
            self._datasets[(project, dataset_id)] = Dataset(resource)
            return copy.deepcopy(resource)

    def get_dataset(self, project: str, dataset_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._dataset(project, dataset_id).resource)

    def list_datasets(self, project: str, params: Mapping[str, str]) -> dict[str, Any]:
        show_hidden = params.get("all", "").lower() == "true"
        label_filter = _label_filter(params.get("filter", ""))
        with self.lock:
            found = sorted(
                (d.resource for (p, d_id), d in self._datasets.items()
                 if p == project and (show_hidden or not d_id.startswith("_"))
                 and _labels_match(d.resource.get("labels") or {}, label_filter)),
                key=lambda r: str(r["datasetReference"]["datasetId"]),
            )
            items = [_dataset_list_item(r) for r in found]
        limit = paging.max_results(params.get("maxResults"), DEFAULT_LIST_PAGE, MAX_LIST_PAGE)
        ids = [i["datasetReference"]["datasetId"] for i in items]
        page, token = paging.page_by_id(ids, items, params.get("pageToken"), limit)
        answer: dict[str, Any] = {"kind": "bigquery#datasetList", "etag": new_etag()}
        if page:
            answer["datasets"] = page
        if token:
            answer["nextPageToken"] = token
        return answer

    def update_dataset(
        self, project: str, dataset_id: str, body: Mapping[str, Any], *, replace: bool, if_match: str | None
    ) -> dict[str, Any]:
        with self.lock:
            dataset = self._dataset(project, dataset_id)
            current = dataset.resource
            if if_match and if_match != current["etag"]:
                raise precondition_failed(f"Dataset {project}:{dataset_id}")
            _check_reference(body.get("datasetReference"), {"projectId": project, "datasetId": dataset_id})
            if replace:
                kept = {k: v for k, v in current.items() if k in OUTPUT_ONLY}
                updated = {**kept, **{k: v for k, v in body.items() if k not in OUTPUT_ONLY and v is not None}}
            else:
                updated = merge_patch(current, dict(body))
            if body.get("access") is not None:
                updated["access"] = normalize_access(body["access"])
            else:
                updated["access"] = current["access"]  # PUT without access keeps it
            as_object(body.get("labels"), "labels")
            if location := as_text(body.get("location"), "location"):
                # Immutable on Google; accepted here so a seeder that re-sends it is not refused.
                updated["location"] = location
                for table in dataset.tables.values():
                    table.resource["location"] = updated["location"]
            updated.update(etag=new_etag(), lastModifiedTime=now_ms())
            dataset.resource = updated
            return copy.deepcopy(updated)

    def delete_dataset(self, project: str, dataset_id: str, *, delete_contents: bool) -> None:
        with self.lock:
            dataset = self._dataset(project, dataset_id)
            if dataset.tables and not delete_contents:
                raise ApiError(400, "resourceInUse", f"Dataset {project}:{dataset_id} is still in use")
            del self._datasets[(project, dataset_id)]

    # ------------------------------------------------------------------ tables

    def insert_table(self, project: str, dataset_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        reference = as_object(body.get("tableReference"), "tableReference")
        table_id = check_table_id(reference.get("tableId"))
        as_object(body.get("labels"), "labels")
        if reference.get("datasetId") not in (None, dataset_id):
            raise invalid("The dataset in the table reference does not match the request URL.")
        resource = {k: v for k, v in body.items() if k not in OUTPUT_ONLY and v is not None}
        normalize_view(resource)
        resource["schema"] = {"fields": normalize_schema(body.get("schema"))}
        if not resource["schema"]["fields"]:
            del resource["schema"]
        stamp = now_ms()
        resource.update(
            kind="bigquery#table",
            id=f"{project}:{dataset_id}.{table_id}",
            selfLink=self._link("projects", project, "datasets", dataset_id, "tables", table_id),
            tableReference={"projectId": project, "datasetId": dataset_id, "tableId": table_id},
            type=table_type(resource),
            creationTime=stamp,
            lastModifiedTime=stamp,
            etag=new_etag(),
        )
        with self.lock:
            dataset = self._dataset(project, dataset_id)
            if table_id in dataset.tables:
                raise duplicate(_table_name(project, dataset_id, table_id))
            resource["location"] = dataset.resource["location"]
            table = Table(resource)
            dataset.tables[table_id] = table
            return self._table_resource(table)

    def _table_resource(self, table: Table) -> dict[str, Any]:
        resource = copy.deepcopy(table.resource)
        if resource["type"] in ("TABLE", "MATERIALIZED_VIEW"):
            resource.update(
                numRows=str(len(table.rows)),
                numBytes=str(table.num_bytes),
                numLongTermBytes="0",
                numTotalLogicalBytes=str(table.num_bytes),
                numActiveLogicalBytes=str(table.num_bytes),
                numLongTermLogicalBytes="0",
            )
        return resource

    def get_table(self, project: str, dataset_id: str, table_id: str) -> dict[str, Any]:
        with self.lock:
            return self._table_resource(self._table(project, dataset_id, table_id))

    def list_tables(self, project: str, dataset_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        with self.lock:
            tables = self._dataset(project, dataset_id).tables
            ids = sorted(tables)
            items = [_table_list_item(tables[t].resource) for t in ids]
        limit = paging.max_results(params.get("maxResults"), DEFAULT_LIST_PAGE, MAX_LIST_PAGE)
        page, token = paging.page_by_id(ids, items, params.get("pageToken"), limit)
        answer: dict[str, Any] = {"kind": "bigquery#tableList", "etag": new_etag(), "totalItems": len(items)}
        if page:
            answer["tables"] = page
        if token:
            answer["nextPageToken"] = token
        return answer

    def update_table(
        self, project: str, dataset_id: str, table_id: str, body: Mapping[str, Any],
        *, replace: bool, if_match: str | None,
    ) -> dict[str, Any]:
        with self.lock:
            table = self._table(project, dataset_id, table_id)
            current = table.resource
            if if_match and if_match != current["etag"]:
                raise precondition_failed(_table_name(project, dataset_id, table_id))
            _check_reference(body.get("tableReference"), current["tableReference"])
            as_object(body.get("labels"), "labels")
            if replace:
                kept = {k: v for k, v in current.items() if k in OUTPUT_ONLY}
                updated = {**kept, **{k: v for k, v in body.items() if k not in OUTPUT_ONLY and v is not None}}
            else:
                updated = merge_patch(current, dict(body))
            if body.get("schema") is not None:
                fields = normalize_schema(body.get("schema"))
                if table.fields:  # a table created without a schema may take any first schema
                    check_compatible(table.fields, fields)
                updated["schema"] = {"fields": fields}
            elif "schema" in current:
                updated["schema"] = current["schema"]  # a schema cannot be removed, only extended
            normalize_view(updated)
            updated.update(etag=new_etag(), lastModifiedTime=now_ms(), type=current["type"])
            table.resource = updated
            return self._table_resource(table)

    def delete_table(self, project: str, dataset_id: str, table_id: str) -> None:
        with self.lock:
            self._table(project, dataset_id, table_id)
            del self._dataset(project, dataset_id).tables[table_id]

    # ------------------------------------------------------------------ IAM

    def get_table_policy(self, project: str, dataset_id: str, table_id: str) -> dict[str, Any]:
        with self.lock:
            policy = self._table(project, dataset_id, table_id).policy
            return copy.deepcopy(policy) if policy else {"version": 1, "etag": EMPTY_POLICY_ETAG}

    def set_table_policy(self, project: str, dataset_id: str, table_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        requested = body.get("policy")
        version, bindings = normalize_policy(requested)
        assert isinstance(requested, dict)  # normalize_policy refused anything else
        mask = str(body.get("updateMask") or "bindings,etag").split(",")
        with self.lock:
            table = self._table(project, dataset_id, table_id)
            current = table.policy or {"version": 1, "etag": EMPTY_POLICY_ETAG}
            if requested.get("etag") and requested["etag"] != current["etag"]:
                raise ApiError(
                    409, "aborted",
                    "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.",
                    status="ABORTED",
                )
            if "bindings" not in [m.strip() for m in mask]:
                bindings = current.get("bindings", [])
            policy: dict[str, Any] = {"version": version, "etag": new_policy_etag()}
            if bindings:
                policy["bindings"] = bindings
            table.policy = policy
            return copy.deepcopy(policy)

    def test_table_permissions(self, project: str, dataset_id: str, table_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            self._table(project, dataset_id, table_id)
        permissions = [p for p in body.get("permissions") or [] if isinstance(p, str)]
        return {"permissions": permissions} if permissions else {}

    # ------------------------------------------------------------------ tabledata

    def insert_all(self, project: str, dataset_id: str, table_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """tabledata.insertAll: every row or none, unless ``skipInvalidRows``; per-row ``insertErrors``."""
        rows = body.get("rows") or []
        if not isinstance(rows, list):
            raise invalid("rows must be a list.")
        skip_invalid = bool(body.get("skipInvalidRows"))
        ignore_unknown = bool(body.get("ignoreUnknownValues"))
        with self.lock:
            table = self._table(project, dataset_id, table_id)
            if table.resource["type"] != "TABLE":
                raise invalid(f"Cannot add rows to a table of type {table.resource['type']}.")
            if not table.fields:
                raise invalid(f"{_table_name(project, dataset_id, table_id)} does not have a schema.")
            good: list[tuple[str | None, Row]] = []
            failures: list[dict[str, Any]] = []
            for index, entry in enumerate(rows):
                values = entry.get("json") if isinstance(entry, dict) else None
                row, errors = convert_row(table.fields, values, ignore_unknown=ignore_unknown)
                if errors:
                    failures.append({"index": index, "errors": [
                        {"reason": "invalid", "location": loc, "debugInfo": "", "message": msg} for loc, msg in errors
                    ]})
                else:
                    insert_id = entry.get("insertId") if isinstance(entry, dict) else None
                    good.append((str(insert_id) if insert_id else None, row))
            if failures and not skip_invalid:
                failed = {f["index"] for f in failures}
                stopped = [{"index": i, "errors": [{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}]}
                           for i in range(len(rows)) if i not in failed]
                failures = sorted(failures + stopped, key=lambda f: int(f["index"]))
                good = []
            fresh = []
            for insert_id, row in good:
                if insert_id is not None:
                    if insert_id in table.insert_ids:
                        continue  # a retried insert: Google drops the duplicate
                    table.remember_insert_id(insert_id)
                fresh.append(row)
            table.append(fresh)
        answer: dict[str, Any] = {"kind": "bigquery#tableDataInsertAllResponse"}
        if failures:
            answer["insertErrors"] = failures
        return answer

    def list_rows(self, project: str, dataset_id: str, table_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        """tabledata.list: a page of rows in Google's ``f``/``v`` wire format."""
        limit = paging.max_results(params.get("maxResults"), DEFAULT_ROWS_PAGE, MAX_ROWS_PAGE)
        if params.get("pageToken"):
            start = _row_offset(paging.decode_token(params["pageToken"]))
        else:
            start = _row_offset(params.get("startIndex") or "0")
        timestamp_format = _timestamp_format(params)
        with self.lock:
            table = self._table(project, dataset_id, table_id)
            if table.resource["type"] != "TABLE":
                raise invalid(f"Cannot list a table of type {table.resource['type']}.")
            fields = select_fields(table.fields, params.get("selectedFields"))
            total = len(table.rows)
            page = table.rows[start : start + limit]  # rows are never mutated after insert
        answer: dict[str, Any] = {"kind": "bigquery#tableDataList", "etag": new_etag(), "totalRows": str(total)}
        if page:
            answer["rows"] = [{"f": record_wire(fields, row, timestamp_format)} for row in page]
        if start + limit < total:
            answer["pageToken"] = paging.encode_token(str(start + limit))
        return answer


def _row_offset(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise invalid("Invalid row offset.") from None
    if value < 0:
        raise invalid("startIndex must not be negative.")
    return value


def _timestamp_format(params: Mapping[str, str]) -> str:
    if params.get("formatOptions.timestampOutputFormat", "").upper() == "ISO8601_STRING":
        return "ISO8601_STRING"
    if params.get("formatOptions.useInt64Timestamp", "").lower() == "true":
        return "INT64"
    return "FLOAT"


def _check_reference(given: object, actual: Mapping[str, Any]) -> None:
    if isinstance(given, dict):
        for key, value in given.items():
            if key in actual and value not in (None, actual[key]):
                raise invalid(f"Cannot change {key} of an existing resource.")


def _label_filter(expression: str) -> dict[str, str | None]:
    """``labels.team:data labels.env`` → {"team": "data", "env": None}."""
    wanted: dict[str, str | None] = {}
    for term in expression.replace(" AND ", " ").split():
        if not term.startswith("labels."):
            raise invalid("Invalid filter expression: only labels.KEY[:VALUE] terms are supported.")
        key, _, value = term.removeprefix("labels.").partition(":")
        wanted[key] = value or None
    return wanted


def _labels_match(labels: Mapping[str, str], wanted: Mapping[str, str | None]) -> bool:
    return all(key in labels and (value is None or labels[key] == value) for key, value in wanted.items())


def _dataset_list_item(resource: Mapping[str, Any]) -> dict[str, Any]:
    item = {key: copy.deepcopy(resource[key]) for key in ("kind", "id", "datasetReference", "labels", "friendlyName", "location", "type")
            if key in resource}
    return item


def _table_list_item(resource: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("kind", "id", "tableReference", "friendlyName", "type", "timePartitioning", "rangePartitioning",
            "clustering", "labels", "expirationTime", "creationTime")
    item = {key: copy.deepcopy(resource[key]) for key in keys if key in resource}
    if "view" in resource:
        item["view"] = {"useLegacySql": bool(resource["view"].get("useLegacySql", False))}
    return item
