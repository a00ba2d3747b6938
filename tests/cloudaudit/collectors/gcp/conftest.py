"""Loopback fixtures: gcp-storage-emulator and the project's BigQuery emulator, stopped at teardown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cloudaudit.config import Limits


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[Any]:
    from gcp_storage_emulator.server import create_server

    server = create_server("127.0.0.1", 0, in_memory=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def gcs_url(gcs_server: Any) -> str:
    """A clean emulator for each test (one emulator stands for one project)."""
    gcs_server.wipe()
    return f"http://127.0.0.1:{gcs_server._api._httpd.server_address[1]}"


@pytest.fixture
def limits() -> Limits:
    return Limits(call_timeout_s=2, max_workers=2, max_objects_per_bucket=5, max_rows=50)


@pytest.fixture
def free_ports() -> Any:
    """``free_ports(n)``: URLs of loopback ports nothing listens on."""
    from tests.cloudaudit.collectors.gcp.gcp_fixtures import free_ports as ports

    return lambda n: [f"http://127.0.0.1:{port}" for port in ports(n)]


@pytest.fixture
def bq_url() -> Iterator[str]:
    """A fresh, empty BigQuery emulator per test, stopped at teardown."""
    from cloudaudit_demo.estate.bigquery_emulator import BigQueryEmulator

    emulator = BigQueryEmulator("127.0.0.1", port=0).start()
    try:
        yield emulator.url
    finally:
        emulator.stop()
