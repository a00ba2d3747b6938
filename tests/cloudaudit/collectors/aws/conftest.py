"""A real moto server on 127.0.0.1 for the AWS collector tests, and accounts to seed in it.

The server runs in this process, so its state is shared by every test of the session: each
test gets its own account (a fresh 12-digit ID reached through ``role_arn``), which moto keeps
apart exactly as the collector relies on in the demo estate.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from moto.server import ThreadedMotoServer

from cloudaudit.collectors.aws.session import AwsClients, connect
from cloudaudit.config import Environment, Limits

_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                         "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION",
                         "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")
_ACCOUNT_IDS = itertools.count(random.Random().randrange(100_000_000_000, 900_000_000_000, 1_000_000))


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _hermetic_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No developer credentials or config, no instance metadata (no network), few retries."""
    for name in _CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "aws-config-empty"
    empty.touch()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")


@dataclass
class Account:
    """One isolated account on the moto server: the inventory entry and admin clients to seed it."""

    env: Environment
    admin: AwsClients

    @property
    def account_id(self) -> str:
        assert self.env.account_id
        return self.env.account_id

    def s3(self, region: str = "us-east-1") -> Any:
        return self.admin.s3(region)

    def create_bucket(self, name: str, region: str = "us-east-1") -> str:
        s3 = self.s3(region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        return name

    def put_policy(self, bucket: str, *statements: dict[str, Any]) -> None:
        self.s3().put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17",
                                                                       "Statement": list(statements)}))


def make_environment(moto_url: str, account_id: str, **overrides: Any) -> Environment:
    fields: dict[str, Any] = {
        "name": f"env-{account_id}", "country": "JP", "provider": "aws", "account_id": account_id,
        "regions": ("ap-northeast-1",), "endpoint_url": moto_url,
        "role_arn": f"arn:aws:iam::{account_id}:role/cloudaudit-reader",
    }
    fields.update(overrides)
    return Environment(**fields)


@pytest.fixture
def new_account(moto_url: str) -> Any:
    """A factory of fresh, empty accounts."""

    def make(**overrides: Any) -> Account:
        env = make_environment(moto_url, str(next(_ACCOUNT_IDS)), **overrides)
        return Account(env=env, admin=connect(env, Limits()))

    return make


@pytest.fixture
def account(new_account: Any) -> Account:
    made: Account = new_account()
    return made


@pytest.fixture
def bucket_name() -> Iterator[Any]:
    """Unique bucket names: bucket names are global on the server, as on S3."""
    counter = itertools.count()
    prefix = f"t{random.Random().randrange(16**6):06x}"
    yield lambda label: f"{prefix}-{label}-{next(counter)}"


@pytest.fixture
def enforce_iam(moto_url: str) -> Iterator[Any]:
    """A context manager: moto checks the caller's IAM policies while it is open (server-wide)."""

    @contextmanager
    def enforced() -> Iterator[None]:
        requests.post(f"{moto_url}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
        try:
            yield
        finally:
            requests.post(f"{moto_url}/moto-api/reset-auth", data=b"inf", timeout=10).raise_for_status()

    yield enforced
    # a failed test must not leave enforcement on for the rest of the session
    requests.post(f"{moto_url}/moto-api/reset-auth", data=b"inf", timeout=10)


@pytest.fixture
def unreachable_url() -> str:
    """A loopback URL nothing listens on (the port is bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
