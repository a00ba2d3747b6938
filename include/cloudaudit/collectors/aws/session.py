"""The one place AWS clients are built for an environment.

Credentials: the environment's ``profile`` (or the default chain); with an ``endpoint_url`` and
no credentials anywhere, dummy keys (an emulator accepts any). With a ``role_arn`` the role is
assumed once, eagerly (RoleSessionName ``cloudaudit``), so a refused role fails the environment
before any bucket is read. On moto the assumed-role keys belong to the role's account, which is
how several accounts share one emulator. ``verify_account`` then refuses credentials that
belong to any account but the inventory's.

Every client gets the same botocore ``Config``: adaptive retries (backoff on throttling; the
attempt count honours ``AWS_MAX_ATTEMPTS`` / the profile's ``max_attempts``), connect and read
timeouts of ``limits.call_timeout_s`` and a connection pool sized for the thread pool.
"""

from __future__ import annotations

import re
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from cloudaudit.collectors.aws.breaker import Breaker
from cloudaudit.collectors.aws.calls import environment_call
from cloudaudit.errors import AccessDenied

if TYPE_CHECKING:
    from cloudaudit.config import Environment, Limits

DEFAULT_REGION = "us-east-1"
ROLE_SESSION_NAME = "cloudaudit"
DEFAULT_MAX_ATTEMPTS = 5  # throttling on accounts with thousands of buckets needs more than botocore's 3
EMULATOR_KEYS = ("testing", "testing")  # an emulator accepts any keys; moto maps these to its default account
_ACCOUNT_HOST_PREFIX = re.compile(r"^(https?://)\d{12}\.")
_LOADER_LOCK = threading.Lock()
_shared_loader: botocore.loaders.Loader | None = None


def _loader() -> botocore.loaders.Loader:
    """One botocore data loader per process: it caches the parsed service models and endpoint
    rules, which otherwise every new session parses again (about 0.1 s of JSON per client)."""
    global _shared_loader
    with _LOADER_LOCK:
        if _shared_loader is None:
            _shared_loader = botocore.loaders.create_loader()
        return _shared_loader


def _core_session(profile: str | None = None) -> botocore.session.Session:
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", _loader())
    return core


def _boto3_session(core: botocore.session.Session, region: str) -> boto3.Session:
    session = boto3.Session(botocore_session=core, region_name=region)
    # boto3 appends its data path to the (shared) loader for every session: keep one copy.
    paths = _loader().search_paths
    with _LOADER_LOCK:
        paths[:] = list(dict.fromkeys(paths))
    return session


def strip_account_host_prefix(request: Any, **_: Any) -> None:
    """``before-sign.s3-control`` handler: drop the ``<AccountId>.`` botocore puts before a custom host.

    S3 Control endpoint rules prefix the host with the account ID (``123456789012.127.0.0.1``),
    which does not resolve for an emulator or private endpoint; ``inject_host_prefix=False`` does
    not prevent it, this handler does.

    >>> from types import SimpleNamespace
    >>> request = SimpleNamespace(url="http://111111111111.127.0.0.1:5000/v20180820/configuration/publicAccessBlock")
    >>> strip_account_host_prefix(request); request.url
    'http://127.0.0.1:5000/v20180820/configuration/publicAccessBlock'
    """
    request.url = _ACCOUNT_HOST_PREFIX.sub(r"\1", request.url, count=1)


def client_config(limits: Limits, *, region: str, max_attempts: int, path_style: bool) -> Config:
    """The botocore Config shared by every client of an environment."""
    return Config(
        region_name=region,
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=limits.call_timeout_s,
        read_timeout=limits.call_timeout_s,
        max_pool_connections=limits.max_workers + 2,  # bucket workers plus the listing thread
        s3={"addressing_style": "path"} if path_style else None,
        user_agent_extra="cloudaudit",
    )


class AwsClients:
    """Clients bound to one environment. S3 clients are cached per region behind a lock,
    because creating clients from one session is not thread-safe (using them is)."""

    def __init__(self, session: boto3.Session, *, limits: Limits, region: str, endpoint_url: str | None,
                 max_attempts: int) -> None:
        self.session = session
        self.limits = limits
        self.region = region
        self.endpoint_url = endpoint_url
        self.max_attempts = max_attempts
        self.breaker = Breaker()  # shared by every client of the environment
        self._lock = threading.Lock()
        self._s3: dict[str, Any] = {}

    def config(self, region: str | None = None) -> Config:
        return client_config(self.limits, region=region or self.region, max_attempts=self.max_attempts,
                             path_style=self.endpoint_url is not None)

    def client(self, service: str, region: str | None = None) -> Any:
        """A new client for ``service`` (``s3``, ``s3control``, ``sts``) in ``region``."""
        with self._lock:
            client = self.session.client(service, region_name=region or self.region,
                                         endpoint_url=self.endpoint_url, config=self.config(region))
        if service == "s3control" and self.endpoint_url:
            client.meta.events.register("before-sign.s3-control", strip_account_host_prefix)
        self.breaker.attach(client)
        return client

    def s3(self, region: str | None = None) -> Any:
        """The S3 client for a bucket's region (the default region when unknown)."""
        region = region or self.region
        with self._lock:
            cached = self._s3.get(region)
        if cached is None:
            cached = self.client("s3", region)
            with self._lock:
                cached = self._s3.setdefault(region, cached)
        return cached


def _base_session(env: Environment) -> botocore.session.Session:
    try:
        core = _core_session(env.profile)
        if env.profile:
            core.get_scoped_config()  # raises ProfileNotFound now rather than at the first call
    except ProfileNotFound:
        raise AccessDenied("Session: ProfileNotFound") from None
    if env.endpoint_url and core.get_credentials() is None:
        core.set_credentials(*EMULATOR_KEYS)
    return core


def _max_attempts(core: botocore.session.Session) -> int:
    configured = core.get_config_variable("max_attempts")
    try:
        return max(1, int(configured)) if configured is not None else DEFAULT_MAX_ATTEMPTS
    except (TypeError, ValueError):
        return DEFAULT_MAX_ATTEMPTS


def _assume_role(clients: AwsClients, role_arn: str) -> boto3.Session:
    sts = clients.client("sts")
    response = environment_call("AssumeRole", partial(sts.assume_role, RoleArn=role_arn,
                                                      RoleSessionName=ROLE_SESSION_NAME))
    creds = response["Credentials"]
    core = _core_session()
    core.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    return _boto3_session(core, clients.region)


def verify_account(clients: AwsClients, account_id: str) -> None:
    """Refuse to audit an account other than the inventory's (a wrong profile or role would
    otherwise report another account's buckets under this environment and country).

    GetCallerIdentity needs no permission, so any refusal means the credentials are unusable.
    """
    caller = str(environment_call("GetCallerIdentity", clients.client("sts").get_caller_identity).get("Account"))
    if caller != account_id:
        raise AccessDenied(f"GetCallerIdentity: credentials are for account {caller}, not {account_id}")


def connect(env: Environment, limits: Limits, *, keys: tuple[str, str, str | None] | None = None) -> AwsClients:
    """Clients for ``env``: its credentials, assumed role, endpoint and region.

    ``keys`` (access key, secret key, session token), e.g. from an Airflow connection, replace
    the profile's or default chain's credentials (the role, when set, is still assumed with them).
    Raises ``AccessDenied`` when the profile or role cannot be used and ``Unreachable`` when
    STS cannot be reached.
    """
    core = _base_session(env)
    if keys is not None:
        core.set_credentials(*keys)
    region = env.regions[0] if env.regions else (core.get_config_variable("region") or DEFAULT_REGION)
    clients = AwsClients(_boto3_session(core, region), limits=limits,
                         region=region, endpoint_url=env.endpoint_url, max_attempts=_max_attempts(core))
    if env.role_arn:
        clients = AwsClients(_assume_role(clients, env.role_arn), limits=limits, region=region,
                             endpoint_url=env.endpoint_url, max_attempts=clients.max_attempts)
    return clients
