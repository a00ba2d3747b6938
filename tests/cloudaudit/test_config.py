"""Inventory and policy loading: good files load, bad files name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudaudit.config import (
    CONFIG_DIR,
    Limits,
    available_policies,
    default_policy,
    load_inventory,
    load_policy,
)
from cloudaudit.errors import ConfigError

GOOD = """
environments:
  - name: jp-connected-prod
    country: JP
    provider: aws
    account_id: "111111111111"
    regions: [ap-northeast-1]
    endpoint_url: http://127.0.0.1:5000
    role_arn: arn:aws:iam::111111111111:role/cloudaudit-reader
  - name: th-dealer-analytics
    country: TH
    provider: gcp
    project_id: th-dealer-analytics
    bigquery_endpoint: http://127.0.0.1:9050
countries:
  JP:
    allowed_locations: [ap-northeast-1]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(text)
    return path


def test_spec_example_loads(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, GOOD))
    assert [e.name for e in inv.environments] == ["jp-connected-prod", "th-dealer-analytics"]
    assert inv.country_codes == ("JP", "TH")
    assert inv.environment("th-dealer-analytics").project_id == "th-dealer-analytics"


@pytest.mark.parametrize(("broken", "field"), [
    (GOOD.replace("country: TH", "country: thailand"), "environments[1].country"),
    (GOOD.replace("provider: aws", "provider: azure"), "environments[0].provider"),
    (GOOD.replace('account_id: "111111111111"', 'account_id: "12"'), "environments[0].account_id"),
    (GOOD.replace("    project_id: th-dealer-analytics\n", ""), "environments[1]"),
    (GOOD.replace("name: th-dealer-analytics", "name: jp-connected-prod"), "not unique"),
    (GOOD.replace("    regions: [ap-northeast-1]\n", "    regions: [ap-northeast-1]\n    colour: red\n"),
     "environments[0].colour"),
    (GOOD.replace("allowed_locations: [ap-northeast-1]", "allowed_locatoins: [x]"), "countries.JP.allowed_locatoins"),
])
def test_malformed_inventory_names_the_field(tmp_path: Path, broken: str, field: str) -> None:
    path = write(tmp_path, broken)
    with pytest.raises(ConfigError) as err:
        load_inventory(path)
    assert field in str(err.value)
    assert str(path) in str(err.value)


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_inventory(write(tmp_path, "environments:\n  - name: [unclosed\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_inventory(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="top level"):
        load_inventory(write(tmp_path, "- just a list\n"))


def test_example_inventory_is_valid() -> None:
    inv = load_inventory(CONFIG_DIR / "inventory.yaml")
    assert len(inv.country_codes) >= 6


def test_every_covered_country_has_a_valid_policy() -> None:
    assert set(available_policies()) >= {"JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU"}
    for cc in available_policies():
        policy = load_policy(cc)
        assert policy.country == cc and policy.regulation and policy.allowed_locations


def test_inventory_overrides_policy_and_locations_compare_casefolded(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, GOOD))
    policy = load_policy("JP", inv)
    assert policy.allowed_locations == ("ap-northeast-1",)
    assert policy.allows("AP-NORTHEAST-1") and not policy.allows("asia-northeast1")
    assert load_policy("JP").allows("asia-northeast1")


def test_default_policy_for_uncovered_country() -> None:
    policy = default_policy("KR")
    assert policy.country == "KR" and policy.allowed_locations == ()


def test_limits_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDAUDIT_MAX_ROWS", "42")
    assert Limits.from_env().max_rows == 42
    monkeypatch.setenv("CLOUDAUDIT_MAX_ROWS", "many")
    with pytest.raises(ConfigError, match="CLOUDAUDIT_MAX_ROWS"):
        Limits.from_env()


def test_inventory_is_required_and_never_defaults_to_demo_files(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # An estate's rendered inventory where the state root points must not be picked up either.
    (tmp_path / "estate").mkdir()
    (tmp_path / "estate" / "inventory.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("CLOUDAUDIT_STATE", str(tmp_path))
    monkeypatch.delenv("CLOUDAUDIT_INVENTORY", raising=False)
    with pytest.raises(ConfigError, match="CLOUDAUDIT_INVENTORY is not set"):
        load_inventory()
    monkeypatch.setenv("CLOUDAUDIT_INVENTORY", "")
    with pytest.raises(ConfigError, match="CLOUDAUDIT_INVENTORY is not set"):
        load_inventory()
    monkeypatch.setenv("CLOUDAUDIT_INVENTORY", str(write(tmp_path, GOOD)))
    assert load_inventory().country_codes == ("JP", "TH")


def test_a_country_override_applies_alike_to_file_and_default_policies(tmp_path: Path) -> None:
    """One override rule: a one-severity override merges into either kind of policy."""
    import yaml

    from cloudaudit.config import POLICY_DIR

    default = yaml.safe_load((POLICY_DIR / "_default.yaml").read_text(encoding="utf-8"))
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "_default.yaml").write_text(yaml.safe_dump(default))
    (policies / "xa.yaml").write_text(yaml.safe_dump({**default, "country": "XA"}))  # a file with the same rules
    override = {"severity": {"gcp_bq_table_public": "low"}, "allowed_locations": ["eu-west-1"]}
    inventory = load_inventory(write(tmp_path, GOOD + f"  XA: {override}\n  XB: {override}\n"))

    from_file = load_policy("XA", inventory, policies)
    from_default = default_policy("XB", inventory, policies)
    assert from_file.model_dump(exclude={"country"}) == from_default.model_dump(exclude={"country"})
    expected = {**default["severity"], "gcp_bq_table_public": "low"}
    assert from_default.severity == from_file.severity == expected
    assert len(expected) > 1  # the other checks' weights survived the override
    assert from_default.allowed_locations == ("eu-west-1",)  # other keys replace
