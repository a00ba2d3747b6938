"""GCP maps Google's failures only; a programming error reaches the per-resource guard as a bug.

The same guard shape as AWS (``collector error (<Type>)``, logged at ERROR with the type, never
the message); a Google API, retry, auth or transport failure stays a ``"<call>: <status>"`` reason,
and an answer Google's client cannot parse is ``"<call>: malformed answer (<Type>)"`` (a warning).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from google.api_core import exceptions as gexc
from google.auth import exceptions as gauth

from cloudaudit.collectors.gcp.clients import storage_call_options
from cloudaudit.collectors.gcp.failures import Reads, google_call, raised_by_client
from cloudaudit.collectors.gcp.storage.buckets import read_bucket
from cloudaudit.config import Limits
from cloudaudit.errors import CallFailed
from cloudaudit.model import CoverageStatus

SECRET = "synthetic-value-from-a-response"


@pytest.mark.parametrize(("exc", "text"), [
    (gexc.Forbidden(SECRET), "getIamPolicy: Forbidden"),
    (gexc.RetryError(SECRET, gexc.ServiceUnavailable(SECRET)), "getIamPolicy: ServiceUnavailable (retries exhausted)"),
    (gauth.RefreshError(SECRET), "getIamPolicy: RefreshError"),
    (requests.exceptions.ConnectionError(SECRET), "getIamPolicy: ConnectionError"),
])
def test_google_failures_become_reasons(exc: Exception, text: str) -> None:
    reads = Reads()

    def fail() -> None:
        raise exc

    assert reads.read("iam_bindings", "getIamPolicy", fail) is None
    assert reads.errors == {"iam_bindings": text}


@pytest.mark.parametrize("exc", [TypeError(SECRET), KeyError(SECRET), AttributeError(SECRET)])
def test_a_programming_error_is_not_a_cloud_failure(exc: Exception) -> None:
    reads = Reads()

    def bug() -> None:
        raise exc

    with pytest.raises(type(exc)):
        reads.read("iam_bindings", "getIamPolicy", bug)
    assert reads.errors == {}


def _bucket(iam: Any) -> Any:
    return SimpleNamespace(name="th-bucket", location="ASIA-SOUTHEAST1", _properties={}, get_iam_policy=iam)


def _client() -> Any:
    return SimpleNamespace(list_blobs=lambda *a, **k: [])


def test_the_bucket_guard_names_a_bug_as_aws_does_and_logs_it_as_one(caplog: pytest.LogCaptureFixture) -> None:
    def bug(**_: Any) -> None:
        raise TypeError(SECRET)

    limits = Limits()
    with caplog.at_level(logging.WARNING):
        read = read_bucket(_client(), _bucket(bug), limits=limits, opts=storage_call_options(limits))
    assert read.resource.status is CoverageStatus.NOT_ASSESSED
    assert read.resource.reason == "collector error (TypeError)"  # as collectors/aws/s3 names it
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "TypeError" in errors[0].getMessage() and "bug" in errors[0].getMessage()
    assert SECRET not in caplog.text and SECRET not in read.resource.model_dump_json()


def test_a_denied_call_stays_on_its_key(caplog: pytest.LogCaptureFixture) -> None:
    def denied(**_: Any) -> None:
        raise gexc.Forbidden(SECRET)

    limits = Limits()
    with caplog.at_level(logging.WARNING):
        read = read_bucket(_client(), _bucket(denied), limits=limits, opts=storage_call_options(limits))
    assert read.resource.status is CoverageStatus.PARTIAL
    assert read.resource.read_errors == {"iam_bindings": "getIamPolicy: Forbidden"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert SECRET not in read.resource.model_dump_json()


# ---- answers Google's client cannot parse ---------------------------------------------------

def _policy_with_bindings_not_a_list() -> Any:
    from google.api_core.iam import Policy

    return Policy.from_api_repr({"bindings": 5, "etag": SECRET})  # iterates 5: TypeError inside api_core


def _table_without_reference() -> Any:
    from google.cloud.bigquery import Table

    return Table.from_api_repr({"kind": "bigquery#table", "schema": SECRET})  # KeyError inside bigquery


@pytest.mark.parametrize(("parse", "kind"), [(_policy_with_bindings_not_a_list, "TypeError"),
                                             (_table_without_reference, "KeyError")])
def test_an_answer_the_client_cannot_parse_is_that_calls_reason(parse: Any, kind: str,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(CallFailed) as failed, google_call("getTable", "bq://p.d.t"):
        parse()
    assert str(failed.value) == f"getTable: malformed answer ({kind})"
    assert not failed.value.denied
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, f"getTable bq://p.d.t: malformed answer ({kind})")]
    assert SECRET not in caplog.text


def test_our_own_error_inside_a_call_scope_is_still_a_bug() -> None:
    from google.cloud.bigquery import Table

    with pytest.raises(KeyError), google_call("getTable"):
        table = Table.from_api_repr({"tableReference": {"projectId": "p", "datasetId": "d", "tableId": "t"}})
        {"other": 1}[table.table_id]  # our code's KeyError after a good answer: not the answer's fault


def test_raised_by_client_looks_past_the_standard_library_to_who_called_it() -> None:
    import json

    with pytest.raises(ValueError) as ours:
        json.loads("{")  # raised inside json (stdlib), called by us
    with pytest.raises(TypeError) as google:
        _policy_with_bindings_not_a_list()  # raised inside google.api_core
    assert raised_by_client(ours.value) is False
    assert raised_by_client(google.value) is True


def test_reads_records_a_malformed_answer_on_its_key() -> None:
    reads = Reads("gs://th-bucket")
    assert reads.read("iam_bindings", "getIamPolicy", _policy_with_bindings_not_a_list) is None
    assert reads.errors == {"iam_bindings": "getIamPolicy: malformed answer (TypeError)"}


def test_a_malformed_bucket_policy_costs_that_key_only_and_is_not_a_bug(caplog: pytest.LogCaptureFixture) -> None:
    limits = Limits()
    with caplog.at_level(logging.WARNING):
        read = read_bucket(_client(), _bucket(lambda **_: _policy_with_bindings_not_a_list()), limits=limits,
                           opts=storage_call_options(limits))
    assert read.resource.status is CoverageStatus.PARTIAL
    assert read.resource.read_errors == {"iam_bindings": "getIamPolicy: malformed answer (TypeError)"}
    assert "public_access_prevention" in read.resource.config  # the rest of the bucket is read
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # a warning, not a bug report
    assert SECRET not in caplog.text and SECRET not in read.resource.model_dump_json()
