"""Cloud Storage bucket configuration against gcp-storage-emulator (real google-cloud-storage client)."""

from __future__ import annotations

import pytest

from cloudaudit.collectors.gcp.clients import storage_client
from cloudaudit.collectors.gcp.storage import collect_storage
from cloudaudit.config import Limits
from cloudaudit.errors import AccessDenied
from cloudaudit.model import CoverageStatus, Provider, Resource, Service
from tests.cloudaudit.collectors.gcp.gcp_fixtures import DenyingProxy, gcp_env, storage_seed_client


def make_bucket(url: str, name: str, *, location: str, prevention: str, uniform: bool,
                members: dict[str, list[str]] | None = None) -> None:
    bucket = storage_seed_client(url).create_bucket(name)
    # The emulator ignores location and prevention on insert (NOTES.md): PATCH them.
    bucket._patch_property("location", location)
    bucket.iam_configuration.public_access_prevention = prevention
    bucket.iam_configuration.uniform_bucket_level_access_enabled = uniform
    bucket.patch()
    if members:
        policy = bucket.get_iam_policy(requested_policy_version=3)
        for role, who in members.items():
            policy.bindings.append({"role": role, "members": set(who)})
        bucket.set_iam_policy(policy)


def by_id(resources: list[Resource]) -> dict[str, Resource]:
    return {r.resource: r for r in resources}


def test_bucket_access_settings_and_iam_bindings(gcs_url: str, limits: Limits) -> None:
    make_bucket(gcs_url, "th-open-exports", location="ASIA-SOUTHEAST1", prevention="inherited", uniform=True,
                members={"roles/storage.objectViewer": ["allUsers", "user:analyst@example.com"]})
    make_bucket(gcs_url, "th-locked", location="US", prevention="enforced", uniform=False)
    env = gcp_env(storage=gcs_url, bigquery=None)

    found = by_id(collect_storage(storage_client(env), env, limits).resources)

    assert set(found) == {"gs://th-open-exports", "gs://th-locked"}
    open_ = found["gs://th-open-exports"]
    assert (open_.provider, open_.service, open_.kind) == (Provider.GCP, Service.STORAGE, "bucket")
    assert open_.location == "asia-southeast1"
    assert open_.config["public_access_prevention"] == "inherited"
    assert open_.config["uniform_bucket_level_access"] is True
    assert open_.config["iam_bindings"] == [
        {"role": "roles/storage.objectViewer", "members": ["allUsers", "user:analyst@example.com"]}]
    assert open_.status is CoverageStatus.ASSESSED and open_.read_errors == {}
    locked = found["gs://th-locked"]
    assert locked.location == "us"
    assert locked.config["public_access_prevention"] == "enforced"
    assert locked.config["uniform_bucket_level_access"] is False
    assert locked.config["iam_bindings"] == []  # read, and empty: not the same as unreadable


def test_denied_iam_policy_is_a_read_error_not_a_value(gcs_url: str, limits: Limits) -> None:
    make_bucket(gcs_url, "th-secret", location="ASIA-SOUTHEAST1", prevention="enforced", uniform=True,
                members={"roles/storage.admin": ["user:ops@example.com"]})

    def deny_iam(method: str, path: str) -> int | None:
        return 403 if path.split("?")[0].endswith("/iam") else None

    with DenyingProxy(gcs_url, deny_iam) as proxy:
        env = gcp_env(storage=proxy.url, bigquery=None)
        [bucket] = collect_storage(storage_client(env), env, limits).resources

    assert proxy.denied, "the proxy saw no IAM call"
    assert "iam_bindings" not in bucket.config
    assert bucket.read_errors == {"iam_bindings": "getIamPolicy: Forbidden"}
    assert bucket.status is CoverageStatus.PARTIAL and bucket.reason == "getIamPolicy: Forbidden"
    assert bucket.config["public_access_prevention"] == "enforced"  # the rest is still read


def test_denied_bucket_listing_raises_access_denied(gcs_url: str, limits: Limits) -> None:
    with DenyingProxy(gcs_url, lambda method, path: 403) as proxy:
        env = gcp_env(storage=proxy.url, bigquery=None)
        with pytest.raises(AccessDenied, match=r"^listBuckets: Forbidden$"):
            collect_storage(storage_client(env), env, limits)
