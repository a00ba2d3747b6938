"""(method, path) → store call: the REST surface of BigQuery v2 that the emulator serves.

``dispatch`` is pure with respect to HTTP: it takes a parsed ``Request`` and answers a
``Response``; the server in ``bigquery_emulator`` only moves bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from cloudaudit_demo.estate.bigquery import jobs
from cloudaudit_demo.estate.bigquery.errors import ApiError, invalid, not_implemented
from cloudaudit_demo.estate.bigquery.jobs import UploadSessions
from cloudaudit_demo.estate.bigquery.loads import split_multipart
from cloudaudit_demo.estate.bigquery.store import Store

API_PREFIX = ("bigquery", "v2")
UPLOAD_PREFIX = ("upload", "bigquery", "v2")
_TABLE_METHODS = (":getIamPolicy", ":setIamPolicy", ":testIamPermissions")


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # the raw path, without the query string
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str  # scheme://host:port the client used

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except ValueError:
            raise ApiError(400, "parseError", "Parse Error") from None
        if not isinstance(value, dict):
            raise ApiError(400, "parseError", "Parse Error: the body must be a JSON object")
        return value

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclass
class Response:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _ok(body: dict[str, Any]) -> Response:
    return Response(200, body)


_NO_CONTENT = Response(204)


def dispatch(store: Store, uploads: UploadSessions, request: Request) -> Response:
    """Answer one request; every ``ApiError`` becomes Google's error body and status."""
    try:
        segments = tuple(unquote(s) for s in request.path.strip("/").split("/"))
        if segments == ("",) and request.method == "GET":  # a liveness probe; Google has no such page
            return _ok({"kind": "cloudaudit#emulator", "service": "bigquery", "api": "/bigquery/v2"})
        if segments[: len(UPLOAD_PREFIX)] == UPLOAD_PREFIX:
            return _upload(store, uploads, request, segments[len(UPLOAD_PREFIX):])
        if segments[: len(API_PREFIX)] == API_PREFIX:
            return _api(store, request, segments[len(API_PREFIX):])
        raise ApiError(404, "notFound", f"Not found: URL {request.path[:200]}")
    except ApiError as error:
        return Response(error.code, error.body())


def _api(store: Store, request: Request, path: tuple[str, ...]) -> Response:
    if path == ("projects",) and request.method == "GET":
        return _ok(store.list_projects())
    if len(path) < 3 or path[0] != "projects":
        raise ApiError(404, "notFound", f"Not found: URL {request.path[:200]}")
    project, collection, rest = path[1], path[2], path[3:]
    if collection == "datasets":
        return _datasets(store, request, project, rest)
    if collection == "jobs":
        return _jobs(store, request, project, rest)
    if collection == "queries":
        raise not_implemented("jobs.query and jobs.getQueryResults: it serves no SQL")
    if collection == "serviceAccount" and not rest:
        return _ok({"kind": "bigquery#getServiceAccountResponse", "email": f"bq-emulator@{project}.iam.gserviceaccount.com"})
    raise not_implemented(f"projects.{collection[:40]}")


def _method(request: Request, handlers: Mapping[str, Callable[[], Response]], call: str) -> Response:
    handler = handlers.get(request.method)
    if handler is None:
        raise ApiError(405, "methodNotAllowed", f"Method {request.method} is not allowed for {call}")
    return handler()


def _flag(request: Request, name: str) -> bool:
    return request.query.get(name, "").lower() == "true"


def _datasets(store: Store, request: Request, project: str, rest: tuple[str, ...]) -> Response:
    if not rest:
        return _method(request, {
            "GET": lambda: _ok(store.list_datasets(project, request.query)),
            "POST": lambda: _ok(store.insert_dataset(project, request.json())),
        }, "datasets")
    dataset_id, rest = rest[0], rest[1:]
    if not rest:
        def delete() -> Response:
            store.delete_dataset(project, dataset_id, delete_contents=_flag(request, "deleteContents"))
            return _NO_CONTENT

        return _method(request, {
            "GET": lambda: _ok(store.get_dataset(project, dataset_id)),
            "PATCH": lambda: _ok(store.update_dataset(project, dataset_id, request.json(), replace=False,
                                                      if_match=request.header("If-Match"))),
            "PUT": lambda: _ok(store.update_dataset(project, dataset_id, request.json(), replace=True,
                                                    if_match=request.header("If-Match"))),
            "DELETE": delete,
        }, "datasets")
    if rest[0] == "tables":
        return _tables(store, request, project, dataset_id, rest[1:])
    raise not_implemented(f"{rest[0][:40]} (only datasets and tables are served)")


def _tables(store: Store, request: Request, project: str, dataset_id: str, rest: tuple[str, ...]) -> Response:
    if not rest:
        return _method(request, {
            "GET": lambda: _ok(store.list_tables(project, dataset_id, request.query)),
            "POST": lambda: _ok(store.insert_table(project, dataset_id, request.json())),
        }, "tables")
    table_id, rest = rest[0], rest[1:]
    for suffix in _TABLE_METHODS:
        if table_id.endswith(suffix) and not rest:
            return _table_iam(store, request, project, dataset_id, table_id.removesuffix(suffix), suffix)
    if not rest:
        def delete() -> Response:
            store.delete_table(project, dataset_id, table_id)
            return _NO_CONTENT

        return _method(request, {
            "GET": lambda: _ok(store.get_table(project, dataset_id, table_id)),
            "PATCH": lambda: _ok(store.update_table(project, dataset_id, table_id, request.json(), replace=False,
                                                    if_match=request.header("If-Match"))),
            "PUT": lambda: _ok(store.update_table(project, dataset_id, table_id, request.json(), replace=True,
                                                  if_match=request.header("If-Match"))),
            "DELETE": delete,
        }, "tables")
    if rest == ("insertAll",):
        return _method(request, {"POST": lambda: _ok(store.insert_all(project, dataset_id, table_id, request.json()))},
                       "tabledata.insertAll")
    if rest == ("data",):
        return _method(request, {"GET": lambda: _ok(store.list_rows(project, dataset_id, table_id, request.query))},
                       "tabledata.list")
    raise not_implemented(f"tables/{rest[0][:40]}")


def _table_iam(store: Store, request: Request, project: str, dataset_id: str, table_id: str, suffix: str) -> Response:
    if request.method != "POST":
        raise ApiError(405, "methodNotAllowed", f"Method {request.method} is not allowed for tables{suffix}")
    body = request.json()
    if suffix == ":getIamPolicy":
        return _ok(store.get_table_policy(project, dataset_id, table_id))
    if suffix == ":setIamPolicy":
        return _ok(store.set_table_policy(project, dataset_id, table_id, body))
    return _ok(store.test_table_permissions(project, dataset_id, table_id, body))


def _jobs(store: Store, request: Request, project: str, rest: tuple[str, ...]) -> Response:
    if not rest:
        return _method(request, {
            "GET": lambda: _ok(jobs.list_jobs(store, project, request.query)),
            "POST": lambda: _ok(jobs.insert_job(store, project, request.json())),
        }, "jobs")
    job_id, rest = rest[0], rest[1:]
    if not rest:
        return _method(request, {"GET": lambda: _ok(jobs.get_job(store, project, job_id))}, "jobs.get")
    if rest == ("cancel",):
        return _method(request, {"POST": lambda: _ok(jobs.cancel_job(store, project, job_id))}, "jobs.cancel")
    if rest == ("delete",):
        def delete() -> Response:
            jobs.delete_job(store, project, job_id)
            return _NO_CONTENT

        return _method(request, {"DELETE": delete}, "jobs.delete")
    raise not_implemented(f"jobs/{rest[0][:40]}")


def _upload(store: Store, uploads: UploadSessions, request: Request, path: tuple[str, ...]) -> Response:
    if len(path) != 3 or path[0] != "projects" or path[2] != "jobs":
        raise ApiError(404, "notFound", f"Not found: URL {request.path[:200]}")
    project = path[1]
    upload_type = request.query.get("uploadType", "")
    if request.method == "POST" and upload_type == "multipart":
        metadata, data = split_multipart(request.header("Content-Type") or "", request.body)
        return _ok(jobs.insert_job(store, project, metadata, data))
    if request.method == "POST" and upload_type == "resumable":
        upload_id = uploads.start(project, request.json())
        location = f"{request.base_url}{request.path}?uploadType=resumable&upload_id={upload_id}"
        return Response(200, {}, {"Location": location})
    if request.method in ("PUT", "POST") and request.query.get("upload_id"):
        session, received = uploads.put(request.query["upload_id"], request.header("Content-Range"), request.body)
        if session is None:
            headers = {"Range": f"bytes=0-{received - 1}"} if received else {}
            return Response(308, None, headers)
        return _ok(jobs.insert_job(store, session.project, session.metadata, bytes(session.data)))
    if request.method == "POST" and upload_type == "media":
        raise invalid("uploadType=media needs job metadata; use multipart or resumable.")
    raise invalid("Unsupported upload request: uploadType must be multipart or resumable.")
