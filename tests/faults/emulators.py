"""Emulators owned by one test module: a moto server process (its own state, optional IAM
enforcement), gcp-storage-emulator and the project's BigQuery emulator, all on loopback and
stopped at teardown by what started them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cloudaudit_demo.estate.ports import free_port, http_ready, wait_until
from cloudaudit_demo.estate.processes import terminate_group

# Variables that would point a client at a developer's real cloud or slow it down.
AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_REGION",
                 "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE")


def hermetic_aws_env(tmp: Path, *, max_attempts: int = 2, **extra: str) -> dict[str, str]:
    """A process environment with no developer AWS configuration, no metadata service, few retries."""
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARIABLES}
    empty = tmp / "aws-config-empty"
    empty.touch()
    env.update({"AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty),
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": str(max_attempts),
                "GOOGLE_APPLICATION_CREDENTIALS": "", "NO_GCE_CHECK": "true"})
    env.update(extra)
    return env


@contextmanager
def moto_server(log_dir: Path, *, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A moto server in its own process (so its state is this module's alone); yields its URL."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"moto-{port}.log").open("ab") as log:
        proc = subprocess.Popen(  # fixed argv, loopback only
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: http_ready(f"{url}/moto-api/"), deadline_s=60):
            raise RuntimeError(f"moto server on port {port} did not start; see {log_dir}")
        yield url
    finally:
        terminate_group(proc.pid)
        proc.wait(timeout=10)


@contextmanager
def storage_emulator() -> Iterator[str]:
    """gcp-storage-emulator in memory, in this process; yields its URL."""
    from gcp_storage_emulator.server import create_server

    server: Any = create_server("127.0.0.1", 0, in_memory=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._api._httpd.server_address[1]}"
    finally:
        server.stop()


@contextmanager
def bigquery_emulator() -> Iterator[str]:
    """The project's BigQuery emulator, empty, in this process; yields its URL."""
    from cloudaudit_demo.estate.bigquery_emulator import BigQueryEmulator

    emulator = BigQueryEmulator("127.0.0.1", port=0).start()
    try:
        yield emulator.url
    finally:
        emulator.stop()
