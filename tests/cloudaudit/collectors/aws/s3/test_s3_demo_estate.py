"""The demo estate's AWS accounts, seeded by the estate's own seeder, read back by collect_s3.

The estate plan knows what a correct audit must find (its truth); this checks the collector
and the sampling pipeline against it end to end, on the test session's moto server.
"""

from __future__ import annotations

from typing import Any

import pytest

from cloudaudit.collectors.aws.s3 import collect_s3
from cloudaudit.config import Environment, Limits
from cloudaudit.model import Resource
from cloudaudit_demo.estate.plan import build_plan
from cloudaudit_demo.estate.seed import DEFAULT_SEED
from cloudaudit_demo.estate.seed_aws import seed_account
from tests.leaks import LeakSearcher, assert_no_leaks


@pytest.fixture(scope="module")
def plan() -> Any:
    return build_plan(DEFAULT_SEED)


@pytest.fixture(scope="module")
def demo_estate(moto_url: str, plan: Any) -> list[tuple[Any, dict[str, Resource]]]:
    """(account plan, collected buckets by URI) for every AWS account of the demo estate."""
    collected = []
    for account in plan.aws:
        seed_account(moto_url, account)
        env = Environment(name=account.env.name, country=account.env.country, provider="aws",
                          account_id=account.env.account_id, regions=account.env.regions,
                          endpoint_url=moto_url, role_arn=account.env.role_arn)
        resources = collect_s3(env, Limits()).resources
        collected.append((account, {r.resource: r for r in resources}))
    return collected


def test_every_planned_bucket_is_found_with_its_configuration(demo_estate: list[Any]) -> None:
    for account, found in demo_estate:
        assert set(found) == {f"s3://{b.name}" for b in account.buckets}, account.env.name
        for bucket in account.buckets:
            resource = found[f"s3://{bucket.name}"]
            assert resource.read_errors == {}
            assert resource.location == bucket.region
            assert (resource.config["public_access_block"] is not None) == bucket.block_public_access
            assert (resource.config["encryption"] is not None) == bucket.encrypted
            assert (resource.config["policy"] is not None) == (bucket.policy is not None)
            if bucket.policy is not None:
                assert resource.config["policy_status"] == {"IsPublic": bucket.policy_public}


def test_every_planted_pii_type_is_found_in_its_object(demo_estate: list[Any]) -> None:
    checked = 0
    for account, found in demo_estate:
        for bucket in account.buckets:
            samples = {s.resource: s for s in found[f"s3://{bucket.name}"].samples}
            for obj in bucket.objects:
                sample = samples[f"s3://{bucket.name}/{obj.key}"]
                assert sample.status is obj.coverage, sample.resource
                if obj.reason:  # the plan's expected reason is what the collector says, word for word
                    assert sample.reason == obj.reason, sample.resource
                types = {m.pii_type for field in sample.fields for m in field.pii}
                assert obj.pii_types <= types, (sample.resource, sorted(obj.pii_types - types))
                assert types <= obj.planted_types | obj.pii_types, sample.resource  # nothing invented
                checked += 1
    assert checked > 10


def test_no_planted_value_reaches_the_collected_resources(demo_estate: list[Any], plan: Any) -> None:
    """Every planted value, however short and in every form (tests/leaks.py), in no collected resource.

    Fails while map keys that are PII become raw field names (issue 12, defect 1: the seeded
    ``servis/kontak_per_pelanggan.json`` is keyed by names and national IDs).
    """
    assert sum(len(values) for values in plan.planted.values()) > 20
    dumped = [(resource.resource, resource.model_dump_json())
              for _, found in demo_estate for resource in found.values()]
    assert_no_leaks(LeakSearcher(plan.planted), dumped, min_chars=10_000)
