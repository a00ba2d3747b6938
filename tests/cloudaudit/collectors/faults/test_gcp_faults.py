"""Fault matrix, Cloud Storage and BigQuery: every read, denied (403), throttled (429), failing
(5xx), hanging, refused, cut short, and malformed answers from the BigQuery emulator.

Faults come from proxies in front of this module's own emulators; the collector runs in a
child process (peak RSS measured there). Each fault ends as a coverage entry whose reason names
the call and the status (never the error's message, which quotes a canary value) while every
resource the fault did not touch is still read in full.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cloudaudit.config import Limits
from cloudaudit.model import CoverageStatus
from tests.cloudaudit.collectors.faults.conftest import GCS_OBJECTS as GCS_BUCKETS
from tests.cloudaudit.collectors.faults.conftest import (
    LIMITS,
    PROJECT,
    Extract,
    GcpEstate,
    assert_damaged_bucket_is_partial,
)
from tests.faults.child import Extracted
from tests.faults.proxy import (
    CANARY,
    HANG,
    STALL,
    TRUNCATE,
    Blackhole,
    Reply,
    Seen,
    google_error,
    refused_url,
)

BQ = f"/bigquery/v2/projects/{PROJECT}"
GCS = "/storage/v1/b"
DATASET = f"bq://{PROJECT}.crm"
TABLE = f"bq://{PROJECT}.crm.customers"
OTHER_TABLES = (f"bq://{PROJECT}.crm.orders", f"bq://{PROJECT}.crm.visits", f"bq://{PROJECT}.ops.events")
BUCKETS = ("gs://gcs-alpha", "gs://gcs-bravo")
# Room for a few retries within one call's deadline.
RETRY_LIMITS = Limits(call_timeout_s=5, max_workers=2, max_objects_per_bucket=5, max_rows=50)


def route(method: str, path: str) -> Callable[[Seen], bool]:
    return lambda s: s.method == method and s.route == path


def assert_scanned(result: Extracted, *resources: str) -> None:
    """Resources the fault did not touch: read in full; tables and buckets with PII found."""
    for uri in resources:
        row = result.coverage_of(uri)
        assert row.status is CoverageStatus.ASSESSED, row
        resource = result.resource(uri)
        if resource.kind in ("table", "bucket"):
            assert any(f.pii for s in resource.samples for f in s.fields), uri


def assert_no_message_leaked(result: Extracted) -> None:
    assert CANARY not in result.snapshot.model_dump_json()
    assert CANARY not in result.stderr


def service_row(result: Extracted, service: str) -> tuple[CoverageStatus, str]:
    """The one entry standing for a service that could not be listed at all."""
    code = {"storage": "gcs", "bigquery": "bq"}[service]
    rows = [r for r in result.coverage() if r.resource == "th-faults" and r.service == code]
    assert len(rows) == 1, result.coverage()
    return rows[0].status, rows[0].reason


# ---- 403 on every read --------------------------------------------------------------------

DENIED = {  # call → (matcher, the resource whose coverage names it, expected reason)
    "storage.listBuckets": (route("GET", GCS), None, "listBuckets: Forbidden"),
    "storage.getIamPolicy": (route("GET", f"{GCS}/gcs-alpha/iam"), "gs://gcs-alpha",
                             "iam_bindings: getIamPolicy: Forbidden"),
    "storage.listObjects": (route("GET", f"{GCS}/gcs-alpha/o"), "gs://gcs-alpha",
                            "data sample: listObjects: Forbidden"),
    "storage.getObjectAcl": (route("GET", f"{GCS}/gcs-alpha/o/customers.csv/acl"), "gs://gcs-alpha/customers.csv",
                             "acl: getObjectAcl: Forbidden"),
    "storage.getObject": (route("GET", f"/download{GCS}/gcs-alpha/o/customers.csv"), "gs://gcs-alpha/customers.csv",
                          "getObject: Forbidden"),
    "bigquery.listDatasets": (route("GET", f"{BQ}/datasets"), None, "listDatasets: Forbidden"),
    "bigquery.getDataset": (route("GET", f"{BQ}/datasets/crm"), DATASET, "getDataset: Forbidden"),
    "bigquery.listTables": (route("GET", f"{BQ}/datasets/crm/tables"), DATASET, "tables: listTables: Forbidden"),
    "bigquery.getTable": (route("GET", f"{BQ}/datasets/crm/tables/customers"), TABLE, "getTable: Forbidden"),
    "bigquery.getIamPolicy": (route("POST", f"{BQ}/datasets/crm/tables/customers:getIamPolicy"), TABLE,
                              "iam_bindings: getIamPolicy: Forbidden"),
    "bigquery.listRows": (route("GET", f"{BQ}/datasets/crm/tables/customers/data"), TABLE,
                          "data sample: listRows: Forbidden"),
}


@pytest.mark.parametrize("call", sorted(DENIED))
def test_denied_read_is_a_coverage_entry_and_the_rest_is_read(gcp_estate: GcpEstate, extract: Extract,
                                                             call: str) -> None:
    service = call.split(".")[0]
    match, resource, reason = DENIED[call]
    proxy = gcp_estate.storage if service == "storage" else gcp_estate.bigquery
    rule = proxy.inject(match, google_error(403))
    result = extract(gcp_estate.env())

    assert len(rule.hits) == 1  # a refusal is not retried
    if resource is None:  # the service's list: the service is one NOT_ASSESSED entry
        assert service_row(result, service) == (CoverageStatus.NOT_ASSESSED, reason)
    else:
        row = result.coverage_of(resource)
        assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED, reason)
    # A dataset that cannot be read or listed hides its tables (its entry says so); other datasets do not.
    untouched_bq = OTHER_TABLES[-1:] if call in ("bigquery.getDataset", "bigquery.listTables") else OTHER_TABLES
    if service == "storage":
        assert_scanned(result, TABLE, *OTHER_TABLES)
        if resource is not None:
            assert_scanned(result, "gs://gcs-bravo")
    else:
        assert_scanned(result, *BUCKETS)
        if resource is not None:
            assert_scanned(result, *untouched_bq)
    assert_no_message_leaked(result)


# ---- throttling and 5xx: retried, or given up at the call's deadline -----------------------

@pytest.mark.parametrize(("service", "status", "reason"), [("storage", 429, "rateLimitExceeded"),
                                                         ("storage", 503, "backendError"),
                                                         ("bigquery", 429, "rateLimitExceeded"),
                                                         ("bigquery", 500, "internalError")])
def test_throttling_and_5xx_are_retried_until_the_call_succeeds(gcp_estate: GcpEstate, extract: Extract,
                                                                service: str, status: int, reason: str) -> None:
    if service == "storage":
        proxy, match, uri = gcp_estate.storage, route("GET", f"{GCS}/gcs-alpha/iam"), "gs://gcs-alpha"
    else:
        proxy, match = gcp_estate.bigquery, route("POST", f"{BQ}/datasets/crm/tables/customers:getIamPolicy")
        uri = TABLE
    rule = proxy.inject(match, google_error(status, reason), times=2)
    result = extract(gcp_estate.env(), RETRY_LIMITS)

    assert len(rule.hits) == 2
    assert len([s for s in proxy.seen if match(s)]) == 3  # two failures, then the answer
    assert result.coverage_of(uri).status is CoverageStatus.ASSESSED
    assert "iam_bindings" in result.resource(uri).config


@pytest.mark.parametrize("service", ["storage", "bigquery"])
def test_persistent_5xx_gives_up_at_the_call_deadline(gcp_estate: GcpEstate, extract: Extract, service: str) -> None:
    if service == "storage":
        proxy, match, uri = gcp_estate.storage, route("GET", f"{GCS}/gcs-alpha/iam"), "gs://gcs-alpha"
    else:
        proxy, match = gcp_estate.bigquery, route("POST", f"{BQ}/datasets/crm/tables/customers:getIamPolicy")
        uri = TABLE
    rule = proxy.inject(match, google_error(503, "backendError"))
    result = extract(gcp_estate.env(), RETRY_LIMITS)

    assert len(rule.hits) >= 2  # retried...
    row = result.coverage_of(uri)  # ...until the call's deadline (call_timeout_s) ended it
    assert (row.status, row.reason) == (CoverageStatus.NOT_ASSESSED,
                                        "iam_bindings: getIamPolicy: ServiceUnavailable (retries exhausted)")
    assert_no_message_leaked(result)


# ---- hangs, blackholes, refused ports ------------------------------------------------------

@pytest.mark.parametrize("service", ["storage", "bigquery"])
def test_a_call_that_never_answers_is_stopped_by_the_configured_timeout(gcp_estate: GcpEstate, extract: Extract,
                                                                       service: str) -> None:
    if service == "storage":
        proxy, match, uri = gcp_estate.storage, route("GET", f"{GCS}/gcs-alpha/iam"), "gs://gcs-alpha"
    else:
        proxy, match = gcp_estate.bigquery, route("POST", f"{BQ}/datasets/crm/tables/customers:getIamPolicy")
        uri = TABLE
    rule = proxy.inject(match, HANG)
    result = extract(gcp_estate.env())

    assert len(rule.hits) == 1  # one attempt used the whole call_timeout_s: no time left to retry
    row = result.coverage_of(uri)
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert row.reason.startswith("iam_bindings: getIamPolicy: ") and "Timeout" in row.reason, row.reason
    assert_scanned(result, *(OTHER_TABLES if service == "bigquery" else ("gs://gcs-bravo",)))


def test_blackholed_storage_endpoint_is_one_entry_and_bigquery_is_read(gcp_estate: GcpEstate,
                                                                      extract: Extract) -> None:
    with Blackhole() as hole:
        result = extract(gcp_estate.env(storage_endpoint=hole.url))
        connections = hole.connections

    assert connections == 1  # one attempt, stopped by the timeout, which is also the call's deadline
    status, reason = service_row(result, "storage")
    assert status is CoverageStatus.NOT_ASSESSED
    assert reason.startswith("listBuckets: ") and "Timeout" in reason, reason
    assert_scanned(result, DATASET, TABLE, *OTHER_TABLES)


def test_refused_bigquery_port_is_one_entry_and_storage_is_read(gcp_estate: GcpEstate, extract: Extract) -> None:
    result = extract(gcp_estate.env(bigquery_endpoint=refused_url()))

    status, reason = service_row(result, "bigquery")
    assert status is CoverageStatus.NOT_ASSESSED
    assert reason.startswith("listDatasets: ConnectionError"), reason
    assert_scanned(result, *BUCKETS)


def test_both_services_refused_make_the_environment_not_assessed(gcp_estate: GcpEstate, extract: Extract) -> None:
    result = extract(gcp_estate.env(bigquery_endpoint=refused_url(), storage_endpoint=refused_url()))

    assert result.snapshot.status is CoverageStatus.NOT_ASSESSED
    row = result.coverage_of("th-faults")
    assert "gcs: listBuckets: ConnectionError" in row.reason
    assert "bq: listDatasets: ConnectionError" in row.reason


# ---- malformed answers from the BigQuery emulator -----------------------------------------

GARBAGE = Reply(200, b"{\"kind\": \"bigquery#table\", \x00\xff not json")
MALFORMED = {  # case → (matcher, answer, resource, reason prefix)
    "getTable garbage": (route("GET", f"{BQ}/datasets/crm/tables/customers"), GARBAGE, TABLE, "getTable: "),
    "getTable without reference": (route("GET", f"{BQ}/datasets/crm/tables/customers"),
                                   Reply(200, b'{"kind": "bigquery#table", "schema": "nope"}'), TABLE, "getTable: "),
    "getTable schema not a list": (
        route("GET", f"{BQ}/datasets/crm/tables/customers"),
        Reply(200, b'{"tableReference": {"projectId": "%s", "datasetId": "crm", "tableId": "customers"},'
                   b' "schema": {"fields": "nope"}, "type": "TABLE"}' % PROJECT.encode()), TABLE, ""),
    "listRows garbage": (route("GET", f"{BQ}/datasets/crm/tables/customers/data"), GARBAGE, TABLE,
                         "data sample: listRows: "),
    "listRows rows not a list": (route("GET", f"{BQ}/datasets/crm/tables/customers/data"),
                                 Reply(200, b'{"totalRows": "3", "rows": "abc"}'), TABLE, "data sample: listRows: "),
    "listRows cells of the wrong shape": (route("GET", f"{BQ}/datasets/crm/tables/customers/data"),
                                          Reply(200, b'{"totalRows": "1", "rows": [{"f": 7}]}'), TABLE,
                                          "data sample: listRows: "),
    "getIamPolicy garbage": (route("POST", f"{BQ}/datasets/crm/tables/customers:getIamPolicy"), GARBAGE, TABLE,
                             "iam_bindings: getIamPolicy: "),
    "getIamPolicy bindings not a list": (route("POST", f"{BQ}/datasets/crm/tables/customers:getIamPolicy"),
                                         Reply(200, b'{"bindings": 5}'), TABLE, ""),
    "getDataset garbage": (route("GET", f"{BQ}/datasets/crm"), GARBAGE, DATASET, "getDataset: "),
    "getDataset access not a list": (
        route("GET", f"{BQ}/datasets/crm"),
        Reply(200, b'{"datasetReference": {"projectId": "%s", "datasetId": "crm"}, "access": 3}' % PROJECT.encode()),
        DATASET, ""),
    "listTables garbage": (route("GET", f"{BQ}/datasets/crm/tables"), GARBAGE, DATASET, "tables: listTables: "),
    "listDatasets wrong shape": (route("GET", f"{BQ}/datasets"), Reply(200, b'{"datasets": [{"id": 1}]}'), None,
                                 "listDatasets: "),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_bigquery_answer_is_a_coverage_entry(gcp_estate: GcpEstate, extract: Extract, case: str) -> None:
    match, answer, resource, prefix = MALFORMED[case]
    rule = gcp_estate.bigquery.inject(match, answer)
    result = extract(gcp_estate.env())

    assert rule.hits
    if resource is None:
        status, reason = service_row(result, "bigquery")
    else:
        row = result.coverage_of(resource)
        status, reason = row.status, row.reason
    assert status is CoverageStatus.NOT_ASSESSED
    assert reason.startswith(prefix) and reason != prefix, reason
    assert "not json" not in reason and "nope" not in reason  # the answer is not quoted
    assert_scanned(result, *BUCKETS)
    if resource is not None:
        assert_scanned(result, f"bq://{PROJECT}.ops.events")


# ---- objects cut short, corrupt gzip --------------------------------------------------------

def test_object_cut_short_in_transit_is_not_assessed(gcp_estate: GcpEstate, extract: Extract) -> None:
    match = route("GET", f"/download{GCS}/gcs-alpha/o/customers.csv")
    rule = gcp_estate.storage.inject(match, TRUNCATE)
    result = extract(gcp_estate.env())

    assert rule.hits
    row = result.coverage_of("gs://gcs-alpha/customers.csv")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert row.reason.startswith("getObject: "), row.reason
    assert_scanned(result, "gs://gcs-bravo", TABLE)


def test_corrupt_gzip_and_truncated_files_are_partial_with_their_reason(gcp_estate: GcpEstate,
                                                                      extract: Extract) -> None:
    result = extract(gcp_estate.env(), LIMITS)

    assert_damaged_bucket_is_partial(result, "gs://gcs-damaged")
    assert_scanned(result, *BUCKETS, TABLE)


def test_storage_sends_only_the_collectors_own_calls(gcp_estate: GcpEstate, extract: Extract) -> None:
    """google-cloud-storage once fetched every bucket again on a background thread (for tracing),
    outside the collector's timeouts and coverage: a 403 there went unseen."""
    result = extract(gcp_estate.env())

    assert result.coverage_of("gs://gcs-alpha").status is CoverageStatus.ASSESSED
    bucket_gets = [s for s in gcp_estate.storage.seen if s.method == "GET" and s.route.count("/") == 4]
    assert bucket_gets == []
    assert len([s for s in gcp_estate.storage.seen if s.route.endswith("/iam")]) == len(GCS_BUCKETS)


@pytest.mark.parametrize("call", ["listBuckets", "getIamPolicy", "listObjects"])
def test_malformed_storage_answer_is_a_coverage_entry(gcp_estate: GcpEstate, extract: Extract, call: str) -> None:
    match = {"listBuckets": route("GET", GCS), "getIamPolicy": route("GET", f"{GCS}/gcs-alpha/iam"),
             "listObjects": route("GET", f"{GCS}/gcs-alpha/o")}[call]
    gcp_estate.storage.inject(match, GARBAGE)
    result = extract(gcp_estate.env())

    if call == "listBuckets":
        status, reason = service_row(result, "storage")
        assert_scanned(result, TABLE, *OTHER_TABLES)
    else:
        row = result.coverage_of("gs://gcs-alpha")
        status, reason = row.status, row.reason
        assert_scanned(result, "gs://gcs-bravo", TABLE)
    assert status is CoverageStatus.NOT_ASSESSED
    assert f"{call}: " in reason and "not json" not in reason, reason


def test_object_whose_body_stalls_is_stopped_by_the_read_timeout(gcp_estate: GcpEstate, extract: Extract) -> None:
    rule = gcp_estate.storage.inject(route("GET", f"/download{GCS}/gcs-alpha/o/customers.csv"), STALL)
    result = extract(gcp_estate.env())

    assert rule.hits
    row = result.coverage_of("gs://gcs-alpha/customers.csv")
    assert row.status is CoverageStatus.NOT_ASSESSED
    assert row.reason.startswith("getObject: "), row.reason
    assert_scanned(result, "gs://gcs-bravo", TABLE)
