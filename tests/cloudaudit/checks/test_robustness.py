"""Facts derivation never raises on odd configuration shapes: every fact is True, False or None."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudaudit.checks.facts import build_facts
from cloudaudit.model import PiiType, Provider, Resource, Service

from .snapshots import snapshot

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(
        ["*", "Allow", "AllUsers", "allUsers", "enforced", "http://acs.amazonaws.com/groups/global/AllUsers", ""]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(
        ["Grants", "grants", "Grantee", "URI", "uri", "Statement", "Effect", "Principal", "Condition", "AWS",
         "members", "role", "bindings", "entity_type", "entity_id", "IgnorePublicAcls", "Rules", "name",
         "policy_tags", "IpAddress", "aws:SourceIp", "specialGroup", "entity"]), children, max_size=4),
    max_leaves=12)
KEYS = ["acl", "policy", "policy_status", "public_access_block", "ownership_controls", "encryption", "website",
        "location", "iam_bindings", "public_access_prevention", "uniform_bucket_level_access", "access_entries",
        "schema"]
FACT_COLUMNS = ("acl_public", "policy_public", "bpa_fully_on", "encryption_on", "bucket_public", "pap_enforced",
                "dataset_public", "table_public", "pii_columns_tagged", "public")


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(config=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8), account=JSON)
def test_any_config_gives_three_valued_facts(config: dict[str, Any], account: Any) -> None:
    resources = [
        Resource(resource="s3://b", provider=Provider.AWS, service=Service.S3, kind="bucket", config=config),
        Resource(resource="gs://b", provider=Provider.GCP, service=Service.STORAGE, kind="bucket", config=config),
        Resource(resource="bq://p.d", provider=Provider.GCP, service=Service.BIGQUERY, kind="dataset", config=config),
        Resource(resource="bq://p.d.t", provider=Provider.GCP, service=Service.BIGQUERY, kind="table", config=config),
    ]
    facts = build_facts([snapshot("e", Provider.AWS, *resources, account={"public_access_block": account})],
                        list(PiiType))
    for rows in facts.rows.values():
        for row in rows:
            for column in FACT_COLUMNS:
                assert getattr(row, column, None) in (True, False, None)
