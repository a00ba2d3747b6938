"""GCP maps Google's failures only; a programming error reaches the per-resource guard as a bug.

The same guard shape as AWS (``collector error (<Type>)``, logged at ERROR with the type, never
the message); a Google API, retry, auth or transport failure stays a ``"<call>: <status>"`` reason.
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
from cloudaudit.collectors.gcp.failures import Reads
from cloudaudit.collectors.gcp.storage.buckets import read_bucket
from cloudaudit.config import Limits
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
