"""Inventory and policy loading: good files load, bad files name the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cloudaudit import config
from cloudaudit.config import (
    CONFIG_DIR,
    ConfigFileUnreadable,
    Limits,
    available_policies,
    default_policy,
    inventory_problems,
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
    from cloudaudit.config import POLICY_DIR

    default = yaml.safe_load((POLICY_DIR / "_default.yaml").read_text(encoding="utf-8"))
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "_default.yaml").write_text(yaml.safe_dump(default))
    (policies / "fr.yaml").write_text(yaml.safe_dump({**default, "country": "FR"}))  # a file with the same rules
    override = {"severity": {"gcp_bq_table_public": "low"}, "allowed_locations": ["eu-west-1"]}
    inventory = load_inventory(write(tmp_path, GOOD + f"  FR: {override}\n  DE: {override}\n"))

    from_file = load_policy("FR", inventory, policies)
    from_default = default_policy("DE", inventory, policies)
    assert from_file.model_dump(exclude={"country"}) == from_default.model_dump(exclude={"country"})
    expected = {**default["severity"], "gcp_bq_table_public": "low"}
    assert from_default.severity == from_file.severity == expected
    assert len(expected) > 1  # the other checks' weights survived the override
    assert from_default.allowed_locations == ("eu-west-1",)  # other keys replace


# ---- hostile and careless inventories (issue 12) ------------------------------------------------


@pytest.mark.parametrize(("broken", "field", "message"), [
    (GOOD.replace("http://127.0.0.1:5000", "file:///etc/passwd"), "environments[0].endpoint_url",
     "expected an http or https URL"),
    (GOOD.replace("http://127.0.0.1:5000", "gopher://127.0.0.1:70/_SET"), "environments[0].endpoint_url",
     "expected an http or https URL"),
    (GOOD.replace("http://127.0.0.1:9050", "the usual emulator"), "environments[1].bigquery_endpoint",
     "expected an http or https URL"),
    (GOOD.replace("http://127.0.0.1:9050", "http://"), "environments[1].bigquery_endpoint", "with a host"),
    (GOOD.replace("http://127.0.0.1:9050", "http://127.0.0.1:99999"), "environments[1].bigquery_endpoint",
     "valid host and port"),
    (GOOD.replace("http://127.0.0.1:5000", "http://admin:hunter2@127.0.0.1:5000"), "environments[0].endpoint_url",
     "credentials do not belong"),
    (GOOD.replace("country: TH", "country: XX"), "environments[1].country", "'XX' is not an ISO 3166-1 alpha-2"),
    (GOOD.replace("country: TH", "country: UK"), "environments[1].country", "use 'GB'"),
    (GOOD.replace("country: TH", "country: NO"), "environments[1].country", "quote the country code"),
    (GOOD.replace("  JP:\n", "  UK:\n"), "countries.UK", "use 'GB'"),
    (GOOD.replace("name: th-dealer-analytics", "name: jp-connected-prod"), "environments[1].name",
     "'jp-connected-prod' is not unique (also environments[0].name)"),
    ("environments: []\n", "environments", "expected at least one environment"),
])
def test_inventory_errors_name_their_field_path(tmp_path: Path, broken: str, field: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_inventory(write(tmp_path, broken))
    assert f"{field}: " in str(err.value) and message in str(err.value)
    assert "(top level)" not in str(err.value)
    assert "hunter2" not in str(err.value)


def test_every_inventory_error_is_reported_at_once(tmp_path: Path) -> None:
    broken = (GOOD.replace("country: TH", "country: XX").replace("http://127.0.0.1:5000", "file:///x")
              .replace("name: th-dealer-analytics", "name: jp-connected-prod"))
    inventory, problems = inventory_problems(yaml.safe_load(broken))
    assert inventory is None
    assert [where for where, _ in problems] == [
        "environments[0].endpoint_url", "environments[1].country", "environments[1].name"]


def test_the_spec_countries_and_loopback_endpoints_are_valid(tmp_path: Path) -> None:
    for code in ("JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU", "GB", "NO"):
        text = GOOD.replace("country: TH", f"country: '{code}'")
        assert load_inventory(write(tmp_path, text)).environments[1].country == code
    text = GOOD.replace("http://127.0.0.1:9050", "https://bigquery.example.test/bigquery/v2")
    assert load_inventory(write(tmp_path, text)).environments[1].bigquery_endpoint.startswith("https://")  # type: ignore[union-attr]


def test_a_file_that_is_not_utf8_is_named_not_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_bytes(GOOD.replace("jp-connected-prod", "jp-\xe9-prod").encode("latin-1"))
    with pytest.raises(ConfigFileUnreadable) as err:
        load_inventory(path)
    assert str(err.value).startswith(f"{path}: not UTF-8 text (invalid byte at offset ")


def test_a_file_over_the_size_cap_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD + "#" * (config.MAX_CONFIG_BYTES - len(GOOD) + 1))
    parsed: list[str] = []
    monkeypatch.setattr(config, "parse_yaml", lambda text, p: parsed.append(text))
    with pytest.raises(ConfigFileUnreadable, match=f"larger than {config.MAX_CONFIG_BYTES} bytes"):
        load_inventory(path)
    assert parsed == []  # never handed to the YAML parser


def test_the_c_yaml_loader_is_used_when_available() -> None:
    assert yaml.__with_libyaml__
    assert issubclass(config._UniqueKeyLoader, yaml.CSafeLoader)


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("    provider: gcp\n", "    provider: gcp\n    country: JP\n")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d+, column \d+: duplicate key 'country'"):
        load_inventory(write(tmp_path, text))


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(ConfigError, match="more than 1000000 values once anchors and aliases are expanded"):
        load_inventory(write(tmp_path, "\n".join(lines) + "\nenvironments: *a8\n"))
