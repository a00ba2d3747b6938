"""Jobs: load (from an upload) and copy run at once and are stored DONE; queries answer 501.

A job that fails is still created: its ``status.errorResult`` says why, as on Google, so
``job.result()`` raises the matching exception in the client.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit_demo.estate.bigquery import loads, paging
from cloudaudit_demo.estate.bigquery.errors import ApiError, duplicate, invalid, not_found, not_implemented
from cloudaudit_demo.estate.bigquery.resources import as_object, as_text, new_etag, now_ms
from cloudaudit_demo.estate.bigquery.schema import Field, check_compatible, normalize_schema
from cloudaudit_demo.estate.bigquery.store import DEFAULT_LIST_PAGE, MAX_LIST_PAGE, Store, Table
from cloudaudit_demo.estate.bigquery.values import Row, convert_row, row_size

ANONYMOUS = "anonymous@cloudaudit.invalid"
MAX_REPORTED_ERRORS = 5


class JobFailed(Exception):
    """A job that ran and failed; becomes ``status.errorResult`` and ``status.errors``."""

    def __init__(self, reason: str, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.result = {"reason": reason, "message": message}
        self.errors = errors or [self.result]


def _fail_from(error: ApiError) -> JobFailed:
    return JobFailed(error.reason, error.message)


def insert_job(store: Store, project: str, metadata: Mapping[str, Any], data: bytes | None = None) -> dict[str, Any]:
    """jobs.insert (and the upload variants, with ``data``): run the job and store it."""
    configuration = metadata.get("configuration")
    if not isinstance(configuration, dict):
        raise invalid("Job configuration is required.")
    kinds = [k for k in ("load", "copy", "query", "extract") if k in configuration]
    if len(kinds) != 1:
        raise invalid("Job configuration must define exactly one of load, copy, query or extract.")
    kind = kinds[0]
    as_object(configuration[kind], f"configuration.{kind}")
    if kind == "query":
        raise not_implemented("query jobs (jobs.insert with configuration.query): it serves no SQL")
    if kind == "extract":
        raise not_implemented("extract jobs")
    if kind == "load" and data is None:
        raise not_implemented("load jobs from Cloud Storage URIs; upload the data instead (load_table_from_file/json)")
    reference = as_object(metadata.get("jobReference"), "jobReference")
    job_id = as_text(reference.get("jobId"), "jobReference.jobId") or f"job_{secrets.token_urlsafe(18)}"
    started = now_ms()
    statistics: dict[str, Any] = {"creationTime": started, "startTime": started}
    status: dict[str, Any] = {"state": "DONE"}
    with store.lock:
        if (project, job_id) in store.jobs:
            raise duplicate(f"Job {project}:{job_id}")
        location = as_text(reference.get("location"), "jobReference.location") or _job_location(
            store, project, configuration[kind]) or "US"
        try:
            if kind == "load":
                assert data is not None
                statistics["load"] = _run_load(store, project, configuration["load"], data)
            else:
                statistics["copy"] = _run_copy(store, project, configuration["copy"])
        except JobFailed as failure:
            status.update(errorResult=failure.result, errors=failure.errors)
        statistics["endTime"] = now_ms()
        job = {
            "kind": "bigquery#job",
            "etag": new_etag(),
            "id": f"{project}:{location}.{job_id}",
            "selfLink": f"{store.base_url}/projects/{project}/jobs/{job_id}?location={location}",
            "user_email": ANONYMOUS,
            "principal_subject": f"user:{ANONYMOUS}",
            "jobReference": {"projectId": project, "jobId": job_id, "location": location},
            "configuration": {**copy.deepcopy(configuration), "jobType": kind.upper()},
            "status": status,
            "statistics": statistics,
        }
        store.jobs[(project, job_id)] = job
        return copy.deepcopy(job)


def _job_location(store: Store, project: str, config: Mapping[str, Any]) -> str | None:
    destination = config.get("destinationTable") or {}
    try:
        return store.dataset_location(str(destination.get("projectId") or project), str(destination.get("datasetId")))
    except ApiError:
        return None


def get_job(store: Store, project: str, job_id: str) -> dict[str, Any]:
    with store.lock:
        job = store.jobs.get((project, job_id))
        if job is None:
            raise not_found(f"Job {project}:{job_id}")
        return copy.deepcopy(job)


def list_jobs(store: Store, project: str, params: Mapping[str, str]) -> dict[str, Any]:
    with store.lock:  # the dict keeps creation order; Google lists newest first
        jobs = [copy.deepcopy(j) for (p, _), j in reversed(store.jobs.items()) if p == project]
    items = [{**j, "state": j["status"]["state"]} for j in jobs]
    limit = paging.max_results(params.get("maxResults"), DEFAULT_LIST_PAGE, MAX_LIST_PAGE)
    page, token = paging.page_by_offset(items, params.get("pageToken"), limit)
    answer: dict[str, Any] = {"kind": "bigquery#jobList", "etag": new_etag(), "jobs": page}
    if token:
        answer["nextPageToken"] = token
    return answer


def cancel_job(store: Store, project: str, job_id: str) -> dict[str, Any]:
    return {"kind": "bigquery#jobCancelResponse", "job": get_job(store, project, job_id)}


def delete_job(store: Store, project: str, job_id: str) -> None:
    with store.lock:
        if store.jobs.pop((project, job_id), None) is None:
            raise not_found(f"Job {project}:{job_id}")


# ---------------------------------------------------------------------------- load


def _destination(project: str, config: Mapping[str, Any], key: str = "destinationTable") -> tuple[str, str, str]:
    ref = config.get(key)
    if not isinstance(ref, dict) or not ref.get("datasetId") or not ref.get("tableId"):
        raise invalid(f"Job configuration is missing {key}.")
    return str(ref.get("projectId") or project), str(ref["datasetId"]), str(ref["tableId"])


def _target_table(store: Store, ref: tuple[str, str, str], config: Mapping[str, Any]) -> Table | None:
    try:
        table = store.find_table(*ref)
    except ApiError as error:
        raise _fail_from(error) from None
    create = str(config.get("createDisposition") or "CREATE_IF_NEEDED").upper()
    write = str(config.get("writeDisposition") or "WRITE_APPEND").upper()
    name = f"Table {ref[0]}:{ref[1]}.{ref[2]}"
    if table is None and create == "CREATE_NEVER":
        raise JobFailed("notFound", f"Not found: {name}")
    if table is not None and write == "WRITE_EMPTY" and table.rows:
        raise JobFailed("duplicate", f"Already Exists: {name}")
    if table is not None and table.resource["type"] != "TABLE":
        raise JobFailed("invalid", f"{name} is a {table.resource['type']}, not a table.")
    return table


def _load_fields(config: dict[str, Any], table: Table | None, records: list[tuple[int, loads.Record]] | None, data: bytes) -> list[Field]:
    try:
        given = normalize_schema(config.get("schema"))
    except ApiError as error:
        raise _fail_from(error) from None
    if given:
        return given
    if table is not None and table.fields:
        return table.fields
    if config.get("autodetect"):
        fields = loads.detect_json_schema(records) if records is not None else loads.detect_csv_schema(data, config)
        if fields:
            return fields
    raise JobFailed("invalid", "No schema specified on job or table.")


def _reconcile_schema(table: Table | None, fields: list[Field], config: Mapping[str, Any], name: str) -> None:
    if table is None or not table.fields or fields is table.fields:
        return
    write = str(config.get("writeDisposition") or "WRITE_APPEND").upper()
    if write == "WRITE_TRUNCATE":
        return
    try:
        check_compatible(table.fields, fields)
    except ApiError as error:
        raise _fail_from(error) from None
    grows = len(fields) != len(table.fields) or fields != table.fields
    if grows and not config.get("schemaUpdateOptions"):
        raise JobFailed("invalid", f"Provided Schema does not match {name}. Set schemaUpdateOptions to change it.")


def _run_load(store: Store, project: str, config: dict[str, Any], data: bytes) -> dict[str, str]:
    ref = _destination(project, config)
    name = f"Table {ref[0]}:{ref[1]}.{ref[2]}"
    source_format = str(config.get("sourceFormat") or "CSV").upper()
    if source_format not in ("CSV", "NEWLINE_DELIMITED_JSON", "PARQUET"):
        raise JobFailed("invalid", f"Source format {source_format[:40]} is not supported by the emulator (CSV, NEWLINE_DELIMITED_JSON, PARQUET).")
    table = _target_table(store, ref, config)
    try:
        records, parse_errors, fields = _read_source(source_format, config, table, data)
        _reconcile_schema(table, fields, config, name)
        max_bad = loads.int_option(config, "maxBadRecords")
    except ApiError as error:
        raise _fail_from(error) from None
    rows, row_errors = _convert(records, fields, bool(config.get("ignoreUnknownValues")))
    problems = [(line, reason) for line, reason in parse_errors] + row_errors
    if len(problems) > max_bad:
        kind = {"CSV": "CSV", "PARQUET": "Parquet"}.get(source_format, "JSON")
        raise JobFailed(
            "invalid",
            f"Error while reading data, error message: {kind} table encountered too many errors, giving up. "
            f"Rows: {len(records) + len(parse_errors)}; errors: {len(problems)}. Please look into the errors[] collection for more details.",
            [{"reason": "invalid", "message": f"Error while reading data, error message: {reason}; line_number: {line}"}
             for line, reason in sorted(problems)[:MAX_REPORTED_ERRORS]],
        )
    table = _write(store, ref, table, fields, rows, config)
    return {
        "inputFiles": "1",
        "inputFileBytes": str(len(data)),
        "outputRows": str(len(rows)),
        "outputBytes": str(sum(row_size(fields, r) for r in rows)),
        "badRecords": str(len(problems)),
    }


def _read_source(
    source_format: str, config: dict[str, Any], table: Table | None, data: bytes
) -> tuple[list[tuple[int, loads.Record]], list[loads.ParseError], list[Field]]:
    """Records, parse errors and the schema to load them with, for one source format."""
    if source_format == "PARQUET":
        records, described = loads.parquet_records(data)
        given = normalize_schema(config.get("schema"))
        fields = given or (table.fields if table is not None and table.fields else described)
        return records, [], fields
    if source_format == "NEWLINE_DELIMITED_JSON":
        records, errors = loads.json_records(data, config)
        return records, errors, _load_fields(config, table, records, data)
    fields = _load_fields(config, table, None, data)
    records, errors = loads.csv_records(data, config, fields)
    return records, errors, fields


def _convert(records: list[tuple[int, loads.Record]], fields: list[Field], ignore_unknown: bool) -> tuple[list[Row], list[tuple[int, str]]]:
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    for line, record in records:
        row, errors = convert_row(fields, record, ignore_unknown=ignore_unknown)
        if errors:
            problems.extend((line, f"{message} Field: {location}") for location, message in errors)
        else:
            rows.append(row)
    return rows, problems


def _write(store: Store, ref: tuple[str, str, str], table: Table | None, fields: list[Field], rows: list[Row], config: Mapping[str, Any]) -> Table:
    if table is None:
        store.insert_table(ref[0], ref[1], {"tableReference": {"projectId": ref[0], "datasetId": ref[1], "tableId": ref[2]},
                                            "schema": {"fields": fields}})
        table = store.find_table(*ref)
        assert table is not None
    if str(config.get("writeDisposition") or "WRITE_APPEND").upper() == "WRITE_TRUNCATE":
        table.truncate()
    table.resource["schema"] = {"fields": fields}
    table.append(rows)
    table.resource.update(lastModifiedTime=now_ms(), etag=new_etag())
    return table


# ---------------------------------------------------------------------------- copy


def _run_copy(store: Store, project: str, config: dict[str, Any]) -> dict[str, str]:
    sources = config.get("sourceTables") or ([config["sourceTable"]] if config.get("sourceTable") else [])
    if not sources:
        raise invalid("Copy job configuration is missing sourceTables.")
    ref = _destination(project, config)
    tables: list[Table] = []
    for source in sources:
        src = _destination(project, {"t": source}, "t")
        try:
            found = store.find_table(*src)
        except ApiError as error:
            raise _fail_from(error) from None
        if found is None:
            raise JobFailed("notFound", f"Not found: Table {src[0]}:{src[1]}.{src[2]}")
        tables.append(found)
    target = _target_table(store, ref, config)
    fields = tables[0].fields
    if any(t.fields != fields for t in tables[1:]):
        raise JobFailed("invalid", "Source tables of a copy job must have the same schema.")
    _reconcile_schema(target, fields, config, f"Table {ref[0]}:{ref[1]}.{ref[2]}")
    rows = [row for t in tables for row in list(t.rows)]
    _write(store, ref, target, fields, rows, config)
    return {"copiedRows": str(len(rows)), "copiedLogicalBytes": str(sum(row_size(fields, r) for r in rows))}


# ---------------------------------------------------------------------------- resumable uploads


@dataclass
class UploadSession:
    project: str
    metadata: dict[str, Any]
    data: bytearray


class UploadSessions:
    """Resumable uploads in progress, by upload id (google-resumable-media's protocol)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}

    def start(self, project: str, metadata: dict[str, Any]) -> str:
        upload_id = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[upload_id] = UploadSession(project, metadata, bytearray())
        return upload_id

    def put(self, upload_id: str, content_range: str | None, chunk: bytes) -> tuple[UploadSession | None, int]:
        """Append a chunk; answer (the finished session, size) or (None, bytes received so far)."""
        with self._lock:
            session = self._sessions.get(upload_id)
            if session is None:
                raise not_found(f"Upload {upload_id[:12]}")
            start, total = _parse_content_range(content_range, len(chunk))
            if start is not None and start != len(session.data):
                if start > len(session.data):
                    raise invalid("Upload chunk does not continue the bytes received so far.")
                del session.data[start:]  # a retried chunk replaces what it covers
            session.data.extend(chunk)
            if total is not None and len(session.data) >= total:
                del self._sessions[upload_id]
                return session, len(session.data)
            return None, len(session.data)


def _parse_content_range(header: str | None, size: int) -> tuple[int | None, int | None]:
    """``bytes 0-99/*`` → (0, None); ``bytes 100-199/200`` → (100, 200); ``bytes */200`` → (None, 200)."""
    if not header:
        return 0, size
    spec = header.strip().removeprefix("bytes").strip()
    span, _, total = spec.partition("/")
    try:
        start = None if span == "*" else int(span.split("-")[0])
        return start, None if total in ("*", "") else int(total)
    except ValueError:
        raise invalid("Invalid Content-Range header.") from None
