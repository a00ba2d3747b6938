"""The collectors call no mutating API: a full collect of the demo estate (plus one bucket with
object ACLs, which the demo lacks), every call recorded.

Every botocore operation (a ``before-call`` hook on each session the collectors build) and every
HTTP request to moto, the storage emulators and the BigQuery emulator (through recording proxies)
is checked: S3 List*/Get*, STS AssumeRole/GetCallerIdentity; HTTP GET, or POST only for STS and
BigQuery's ``tables.getIamPolicy``, which the APIs define as POSTs. The calls seen also account
for exactly the permissions documented in ``docs/iam``: none missing, none to spare.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from cloudaudit.config import Environment, Limits
from cloudaudit.model import CoverageStatus, Snapshot
from tests.faults.emulators import bigquery_emulator, moto_server, storage_emulator
from tests.faults.gcp_calls import permission_of, role_permissions
from tests.faults.iam import CALLER_POLICY, OPERATION_ACTIONS, load_policy, policy_actions
from tests.faults.proxy import FaultProxy, Seen

READ_OPERATION = re.compile(r"^(List|Get|Head)[A-Za-z0-9]+$")
STS_READS = {"AssumeRole", "GetCallerIdentity"}


@dataclass
class Recorded:
    operations: list[tuple[str, str]] = field(default_factory=list)  # (service, operation)
    aws_http: list[Seen] = field(default_factory=list)
    gcp_http: list[Seen] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    from cloudaudit.collectors.aws import session as aws_session
    from cloudaudit.pipeline import live_snapshot
    from cloudaudit_demo.estate import layout
    from cloudaudit_demo.estate.plan import build_plan
    from cloudaudit_demo.estate.seed import DEFAULT_SEED, apply_plan

    plan = build_plan(DEFAULT_SEED)
    record = Recorded()
    lock = threading.Lock()

    def before_call(model: Any, **_: Any) -> None:
        with lock:
            record.operations.append((model.service_model.service_name, model.name))

    original = aws_session._core_session

    def recording_session(profile: str | None = None) -> Any:
        core = original(profile)
        core.register("before-call", before_call)
        return core

    with ExitStack() as stack:
        moto = stack.enter_context(moto_server(tmp_path_factory.mktemp("moto-logs")))
        storage = {p.project_id: stack.enter_context(storage_emulator()) for p in layout.gcp_projects()}
        bigquery = stack.enter_context(bigquery_emulator())
        apply_plan(plan, moto_url=moto, storage_urls=storage, bigquery_url=bigquery)  # seeding: not recorded
        add_fine_grained_bucket(*next(iter(storage.items())))
        moto_proxy = stack.enter_context(FaultProxy(moto))
        storage_proxies = {p: stack.enter_context(FaultProxy(url)) for p, url in storage.items()}
        bq_proxy = stack.enter_context(FaultProxy(bigquery))
        inventory = layout.render_inventory(moto_proxy.url, {p: x.url for p, x in storage_proxies.items()},
                                            bq_proxy.url)
        mp = stack.enter_context(pytest.MonkeyPatch.context())
        mp.setattr(aws_session, "_core_session", recording_session)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_CONFIG_FILE", str(tmp_path_factory.mktemp("aws") / "none"))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path_factory.mktemp("aws") / "none"))
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("AWS_MAX_ATTEMPTS", "1")
        for entry in inventory["environments"]:
            env = Environment(**entry)
            record.snapshots.append(live_snapshot(env, "2026-11-20", Limits(call_timeout_s=5)))
        record.aws_http = list(moto_proxy.seen)
        record.gcp_http = [s for p in (*storage_proxies.values(), bq_proxy) for s in p.seen]
        yield record


def add_fine_grained_bucket(project: str, url: str) -> None:
    """The demo's buckets all use uniform access; one with object ACLs makes the collector read them."""
    from cloudaudit_demo.estate.seed_gcp import storage_client
    from tests.faults.data import people_csv

    bucket = storage_client(project, url).create_bucket("fine-grained-acls")
    bucket.blob("customers.csv").upload_from_string(people_csv(5))


def test_the_collect_read_the_demo_estate(recorded: Recorded) -> None:
    """The recording is of a real, complete collect: every reachable environment assessed."""
    assessed = [s for s in recorded.snapshots if s.status is CoverageStatus.ASSESSED]
    assert len(assessed) == len(recorded.snapshots) - 1  # the demo's one unreachable account
    assert sum(len(s.resources) for s in assessed) > 20
    assert sum(1 for s in assessed for r in s.resources for x in r.samples if x.status is CoverageStatus.ASSESSED) > 20


def test_every_botocore_operation_is_a_read(recorded: Recorded) -> None:
    assert recorded.operations
    for service, operation in set(recorded.operations):
        if service == "sts":
            assert operation in STS_READS, operation
        else:
            assert service in ("s3", "s3control"), service
            assert READ_OPERATION.match(operation), (service, operation)


def test_every_http_request_to_moto_is_a_read(recorded: Recorded) -> None:
    assert recorded.aws_http
    for seen in recorded.aws_http:
        if seen.method == "POST":  # STS's query protocol: the action is in the form body
            action = parse_qs(seen.body.decode())["Action"][0]
            assert action in STS_READS, action
        else:
            assert seen.method in ("GET", "HEAD"), (seen.method, seen.route)


def test_every_http_request_to_google_emulators_is_a_known_read(recorded: Recorded) -> None:
    assert recorded.gcp_http
    for seen in recorded.gcp_http:
        assert permission_of(seen.method, seen.route) is not None, (seen.method, seen.route)
        if seen.method == "POST":  # a read that carries only its options (no policy to set)
            assert seen.route.endswith(":getIamPolicy"), seen.route
            assert set(json.loads(seen.body or b"{}")) <= {"options"}, seen.body


def test_aws_policies_grant_exactly_the_operations_called(recorded: Recorded) -> None:
    needed = {OPERATION_ACTIONS[op] for op in set(recorded.operations)}
    granted = policy_actions(load_policy()) | policy_actions(load_policy(CALLER_POLICY))
    assert needed == granted
    assert all(re.match(r"^(s3:(Get|List)|sts:(GetCallerIdentity|AssumeRole)$)", a) for a in granted)


def test_gcp_role_grants_exactly_the_calls_made(recorded: Recorded) -> None:
    needed = {permission_of(s.method, s.route) for s in recorded.gcp_http}
    assert needed == role_permissions()


def test_the_iam_readme_names_every_file_it_describes() -> None:
    """A renamed file would leave the README stale."""
    readme = (Path(__file__).resolve().parents[4] / "docs" / "iam" / "README.md").read_text()
    for name in ("aws-reader-policy.json", "aws-caller-policy.json", "gcp-reader-role.yaml", "gcp-reader-roles.md"):
        assert name in readme
