"""Which environments the demo estate holds, and the inventory that points at them.

One list drives the emulators the manager starts (one Cloud Storage emulator per GCP project),
the inventory it renders and the seeder's plan, so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit_demo.estate.ports import CLOSED_PORT, LOOPBACK

# Default ports, used only by the example inventory in include/config/ (the running estate
# picks free ports and renders its own).
DEFAULT_MOTO_PORT = 5000
DEFAULT_BIGQUERY_PORT = 9050
DEFAULT_STORAGE_PORT = 9023
READER_ROLE = "cloudaudit-reader"


@dataclass(frozen=True)
class AwsAccount:
    """An AWS account on the shared moto server; moto tells accounts apart by the assumed role."""

    name: str
    country: str
    account_id: str
    regions: tuple[str, ...]
    reachable: bool = True  # False: its endpoint is a closed loopback port (NOT_ASSESSED)

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{READER_ROLE}"


@dataclass(frozen=True)
class GcpProject:
    """A GCP project: its own Cloud Storage emulator (which ignores projects), the shared BigQuery one."""

    name: str
    country: str
    project_id: str


Environment = AwsAccount | GcpProject

ENVIRONMENTS: tuple[Environment, ...] = (
    AwsAccount("jp-connected-prod", "JP", "111111111111", ("ap-northeast-1",)),
    AwsAccount("au-dealer-service", "AU", "222222222222", ("ap-southeast-2",)),
    AwsAccount("vn-dealer-service", "VN", "333333333333", ("ap-southeast-1",)),
    AwsAccount("id-dealer-service", "ID", "444444444444", ("ap-southeast-3",)),
    AwsAccount("in-dealer-service", "IN", "555555555555", ("ap-south-1",)),
    AwsAccount("ph-dealer-legacy", "PH", "666666666666", ("ap-southeast-1",), reachable=False),
    GcpProject("th-dealer-analytics", "TH", "th-dealer-analytics"),
    GcpProject("my-dealer-ops", "MY", "my-dealer-ops"),
    GcpProject("sg-dealer-portal", "SG", "sg-dealer-portal"),
)


def aws_accounts() -> tuple[AwsAccount, ...]:
    return tuple(e for e in ENVIRONMENTS if isinstance(e, AwsAccount))


def gcp_projects() -> tuple[GcpProject, ...]:
    return tuple(e for e in ENVIRONMENTS if isinstance(e, GcpProject))


def environment(name: str) -> Environment:
    for env in ENVIRONMENTS:
        if env.name == name:
            return env
    raise KeyError(name)


def closed_endpoint() -> str:
    return f"http://{LOOPBACK}:{CLOSED_PORT}"


def render_inventory(moto_url: str, storage_urls: Mapping[str, str], bigquery_url: str) -> dict[str, Any]:
    """The inventory (as YAML-ready data) for emulators at these URLs; ``storage_urls`` by project id."""
    environments: list[dict[str, Any]] = []
    for env in ENVIRONMENTS:
        if isinstance(env, AwsAccount):
            environments.append({
                "name": env.name, "country": env.country, "provider": "aws",
                "account_id": env.account_id, "regions": list(env.regions),
                "endpoint_url": moto_url if env.reachable else closed_endpoint(),
                "role_arn": env.role_arn,
            })
        else:
            environments.append({
                "name": env.name, "country": env.country, "provider": "gcp",
                "project_id": env.project_id, "bigquery_endpoint": bigquery_url,
                "storage_endpoint": storage_urls[env.project_id],
            })
    return {"environments": environments}


def example_inventory() -> dict[str, Any]:
    """The inventory at the emulators' documented default ports (include/config/inventory.yaml)."""
    storage = {p.project_id: f"http://{LOOPBACK}:{DEFAULT_STORAGE_PORT + i}" for i, p in enumerate(gcp_projects())}
    return render_inventory(f"http://{LOOPBACK}:{DEFAULT_MOTO_PORT}", storage,
                            f"http://{LOOPBACK}:{DEFAULT_BIGQUERY_PORT}")
