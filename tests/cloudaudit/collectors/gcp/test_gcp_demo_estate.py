"""The demo estate's GCP projects, seeded into emulators, collected, and held against truth.json."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cloudaudit.collectors.gcp import collect_gcp
from cloudaudit.config import Environment, Limits
from cloudaudit.model import CoverageStatus, Resource, SampleResult

SEED = 20261120
PUBLIC = ("allUsers", "allAuthenticatedUsers")


@pytest.fixture(scope="module")
def estate() -> Iterator[dict[str, Any]]:
    """Every GCP project of the plan in its own storage emulator (NOTES.md), one BigQuery emulator."""
    from gcp_storage_emulator.server import create_server

    from cloudaudit_demo.estate.bigquery_emulator import BigQueryEmulator
    from cloudaudit_demo.estate.plan import build_plan
    from cloudaudit_demo.estate.seed_gcp import seed_project
    from cloudaudit_demo.estate.truth import build_truth

    plan = build_plan(SEED)
    servers = []
    bigquery = BigQueryEmulator("127.0.0.1", port=0).start()
    try:
        collected: dict[str, list[Resource]] = {}
        for project in plan.gcp:
            server = create_server("127.0.0.1", 0, in_memory=True)
            server.start()
            servers.append(server)
            storage = f"http://127.0.0.1:{server._api._httpd.server_address[1]}"
            seed_project(storage, bigquery.url, project)
            env = Environment(name=project.env.name, country=project.env.country, provider="gcp",
                              project_id=project.env.project_id, storage_endpoint=storage,
                              bigquery_endpoint=bigquery.url)
            collected[env.name] = collect_gcp(env, Limits(call_timeout_s=5, max_workers=2)).resources
        yield {"plan": plan, "truth": build_truth(plan), "collected": collected}
    finally:
        for server in servers:
            server.stop()
        bigquery.stop()


def gcp_truth(estate: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [row for row in estate["truth"][key] if row["resource"].startswith(("gs://", "bq://"))]


def resources(estate: dict[str, Any]) -> dict[str, Resource]:
    return {r.resource: r for found in estate["collected"].values() for r in found}


def samples(estate: dict[str, Any]) -> dict[str, SampleResult]:
    return {s.resource: s for r in resources(estate).values() for s in r.samples}


def test_every_planned_resource_is_found_where_it_is(estate: dict[str, Any]) -> None:
    found = resources(estate)
    expected = gcp_truth(estate, "resources")

    assert {row["resource"] for row in expected} == set(found)
    for row in expected:
        resource = found[row["resource"]]
        assert (resource.kind, resource.location, resource.status.value) == (
            row["kind"], row["location"], row["coverage"]), row["resource"]


def test_configuration_supports_the_expected_failures(estate: dict[str, Any]) -> None:
    found = resources(estate)
    for row in gcp_truth(estate, "resources"):
        config, fail = found[row["resource"]].config, set(row["fail"])
        if row["kind"] == "bucket":
            public = any(m in PUBLIC for b in config["iam_bindings"] for m in b["members"])
            assert public == ("gcp_gcs_bucket_public" in fail), row["resource"]
            assert (config["public_access_prevention"] != "enforced") == (
                "gcp_gcs_public_access_prevention_off" in fail), row["resource"]
        elif row["kind"] == "dataset":
            public = any(e["entity_id"] in PUBLIC for e in config["access_entries"])
            assert public == ("gcp_bq_dataset_public" in fail), row["resource"]
        else:
            public = any(m in PUBLIC for b in config["iam_bindings"] for m in b["members"])
            assert public == ("gcp_bq_table_public" in fail), row["resource"]
            untagged = {c["name"] for c in config["schema"] if not c["policy_tags"]}
            assert set(row["untagged_pii_columns"]) <= untagged, row["resource"]
            assert not (set(row["pii_columns"]) - set(row["untagged_pii_columns"])) & untagged, row["resource"]


def test_samples_find_the_planted_pii_and_nothing_else(estate: dict[str, Any]) -> None:
    found = samples(estate)
    for row in gcp_truth(estate, "samples"):
        sample = found[row["resource"]]
        types = {t.value for f in sample.fields for t in f.pii_types}
        assert sample.status.value == row["coverage"], row["resource"]
        assert set(row["pii_types"]) <= types <= set(row["planted_pii_types"]), row["resource"]
        if sample.status is CoverageStatus.ASSESSED:
            assert sample.rows_sampled > 0, row["resource"]


def test_no_planted_value_is_in_what_the_collector_returns(estate: dict[str, Any]) -> None:
    written = "".join(r.model_dump_json() for r in resources(estate).values())
    planted = [v for values in estate["plan"].planted.values() for v in values if len(v) > 4]
    assert planted
    leaked = [v for v in planted if v in written]
    assert not leaked, f"{len(leaked)} planted values appear in the collected resources"


def test_what_is_collected_round_trips_through_a_snapshot(estate: dict[str, Any]) -> None:
    from cloudaudit.model import EnvironmentRef, Provider, Snapshot

    for name, found in estate["collected"].items():
        snapshot = Snapshot(environment=EnvironmentRef(name=name, country="TH", provider=Provider.GCP),
                            run_date="2026-11-20", captured_at="2026-11-20T01:00:00Z", resources=tuple(found))
        assert Snapshot.model_validate_json(snapshot.model_dump_json()) == snapshot, name
