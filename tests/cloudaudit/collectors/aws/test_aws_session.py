"""Client construction: credentials, roles, accounts, retries and the emulator fixes, on a moto server."""

from __future__ import annotations

from typing import Any

import pytest

from cloudaudit.collectors.aws import session
from cloudaudit.collectors.aws.s3 import collect_s3
from cloudaudit.collectors.aws.session import connect
from cloudaudit.config import Environment, Limits
from cloudaudit.errors import AccessDenied, Unreachable


def _caller_account(clients: session.AwsClients) -> str:
    account: str = clients.client("sts").get_caller_identity()["Account"]
    return account


def test_role_arn_selects_the_account_and_accounts_are_isolated(new_account: Any, bucket_name: Any) -> None:
    first, second = new_account(), new_account()
    assert _caller_account(first.admin) == first.account_id
    assert _caller_account(second.admin) == second.account_id
    bucket = first.create_bucket(bucket_name("only-in-first"))

    seen_by_first = {r.resource for r in collect_s3(first.env, Limits()).resources}
    seen_by_second = {r.resource for r in collect_s3(second.env, Limits()).resources}

    assert f"s3://{bucket}" in seen_by_first
    assert f"s3://{bucket}" not in seen_by_second


def test_emulator_without_credentials_gets_dummy_keys(moto_url: str) -> None:
    env = Environment(name="no-creds", country="JP", provider="aws", account_id="123456789012",
                      endpoint_url=moto_url)
    clients = connect(env, Limits())
    credentials = clients.session.get_credentials()
    assert credentials is not None
    assert (credentials.access_key, credentials.secret_key) == session.EMULATOR_KEYS
    assert _caller_account(clients) == "123456789012"  # moto's default account for unknown keys


def test_explicit_credentials_win_over_dummy_keys(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "synthetic-secret")
    env = Environment(name="env-creds", country="JP", provider="aws", account_id="123456789012",
                      endpoint_url=moto_url)
    credentials = connect(env, Limits()).session.get_credentials()
    assert credentials.access_key == "AKIAEXAMPLEEXAMPLE01"


def test_client_config_carries_limits_timeouts_pool_and_adaptive_retries(account: Any) -> None:
    limits = Limits(call_timeout_s=7, max_workers=13)
    clients = connect(account.env, limits)
    config = clients.s3("eu-west-1").meta.config
    assert (config.connect_timeout, config.read_timeout) == (7, 7)
    assert config.max_pool_connections >= 13
    assert config.retries["mode"] == "adaptive"
    assert config.retries["total_max_attempts"] == 2  # AWS_MAX_ATTEMPTS from the fixture
    assert clients.s3("eu-west-1").meta.region_name == "eu-west-1"
    assert clients.s3("eu-west-1") is clients.s3("eu-west-1")  # cached per region


def test_max_attempts_defaults_when_not_configured(account: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    clients = connect(account.env, Limits())
    assert clients.s3().meta.config.retries["total_max_attempts"] == session.DEFAULT_MAX_ATTEMPTS


def test_account_public_access_block_reachable_through_custom_endpoint(account: Any) -> None:
    control = account.admin.client("s3control")
    control.put_public_access_block(AccountId=account.account_id, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    got = control.get_public_access_block(AccountId=account.account_id)["PublicAccessBlockConfiguration"]
    assert got["RestrictPublicBuckets"] is True


def test_unknown_profile_is_access_denied(moto_url: str) -> None:
    env = Environment(name="p", country="JP", provider="aws", account_id="123456789012", endpoint_url=moto_url,
                      profile="no-such-profile")
    with pytest.raises(AccessDenied, match=r"^Session: ProfileNotFound$"):
        connect(env, Limits())


def test_unreachable_endpoint_raises_unreachable_for_assume_role(unreachable_url: str) -> None:
    env = Environment(name="gone", country="JP", provider="aws", account_id="111111111111",
                      endpoint_url=unreachable_url, role_arn="arn:aws:iam::111111111111:role/r")
    with pytest.raises(Unreachable, match=r"^AssumeRole: EndpointConnectionError$"):
        collect_s3(env, Limits(call_timeout_s=2))


def test_unreachable_endpoint_raises_unreachable_without_a_role(unreachable_url: str) -> None:
    env = Environment(name="gone", country="JP", provider="aws", account_id="111111111111",
                      endpoint_url=unreachable_url)
    with pytest.raises(Unreachable, match=r"^GetCallerIdentity: EndpointConnectionError$"):
        collect_s3(env, Limits(call_timeout_s=2))


def test_credentials_of_another_account_are_refused(moto_url: str, account: Any, bucket_name: Any) -> None:
    """Without the role, the emulator's dummy keys land in moto's default account, not the inventory's."""
    account.create_bucket(bucket_name("elsewhere"))
    env = account.env.model_copy(update={"role_arn": None})
    with pytest.raises(AccessDenied) as raised:
        collect_s3(env, Limits())
    assert str(raised.value) == (f"GetCallerIdentity: credentials are for account 123456789012, "
                                 f"not {account.account_id}")


def test_a_refused_role_fails_the_environment_with_the_code(account: Any, enforce_iam: Any) -> None:
    """With IAM enforced, moto rejects the emulator's dummy keys before the role can be assumed."""
    with enforce_iam(), pytest.raises(AccessDenied) as raised:
        collect_s3(account.env, Limits())
    assert str(raised.value) == "AssumeRole: InvalidClientTokenId"


def test_no_credentials_anywhere_is_access_denied_before_any_request() -> None:
    """Without an endpoint no dummy keys are made up: the default chain finds nothing (the
    fixture empties it), and botocore refuses to sign, so nothing leaves the machine."""
    env = Environment(name="real-aws", country="JP", provider="aws", account_id="111111111111")
    with pytest.raises(AccessDenied, match=r"^GetCallerIdentity: NoCredentialsError$"):
        collect_s3(env, Limits())
