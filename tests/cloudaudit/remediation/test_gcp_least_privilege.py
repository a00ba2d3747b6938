"""Google least privilege, on the emulators behind a proxy that answers 403 to any call the role lacks:
proposing needs only the reader's custom role (docs/iam/gcp-reader-role.yaml), applying every Google
fix needs exactly the fixer's (docs/iam/gcp-fixer-role.yaml): every permission used, none missing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cloudaudit.remediation.model import FixKind
from cloudaudit.remediation.workflow import apply, load_proposal, propose
from tests.cloudaudit.collectors.gcp.gcp_fixtures import DenyingProxy
from tests.cloudaudit.remediation.conftest import COUNTRY, RUN_DATE, Estate
from tests.faults.gcp_calls import permission_of, role_permissions

FIXER_ROLE = Path(__file__).resolve().parents[3] / "docs" / "iam" / "gcp-fixer-role.yaml"
_SEG = r"[^/]+"
FIXER_CALLS: tuple[tuple[str, re.Pattern[str], str], ...] = (  # (method, path, permission): the API reference's
    ("GET", re.compile(rf"/storage/v1/b/{_SEG}"), "storage.buckets.get"),
    ("PATCH", re.compile(rf"/storage/v1/b/{_SEG}"), "storage.buckets.update"),
    ("GET", re.compile(rf"/storage/v1/b/{_SEG}/iam"), "storage.buckets.getIamPolicy"),
    ("PUT", re.compile(rf"/storage/v1/b/{_SEG}/iam"), "storage.buckets.setIamPolicy"),
    ("GET", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}"), "bigquery.datasets.get"),
    ("PATCH", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}"), "bigquery.datasets.update"),
    ("POST", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}/tables/{_SEG}:getIamPolicy"),
     "bigquery.tables.getIamPolicy"),
    ("POST", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}/tables/{_SEG}:setIamPolicy"),
     "bigquery.tables.setIamPolicy"),
)


def fixer_permission(method: str, path: str) -> str | None:
    for want, pattern, permission in FIXER_CALLS:
        if method == want and pattern.fullmatch(path):
            return permission
    return None


class Role:
    """Allows a request only when the role holds the permission it needs; records both."""

    def __init__(self, permissions: set[str], needs: Any) -> None:
        self.permissions = permissions
        self.needs = needs
        self.used: set[str] = set()
        self.refused: list[tuple[str, str]] = []

    def __call__(self, method: str, path: str) -> int | None:
        bare = path.split("?", 1)[0]
        permission = self.needs(method, bare)
        if permission is None or permission not in self.permissions:
            self.refused.append((method, bare))
            return 403
        self.used.add(permission)
        return None


def test_propose_needs_only_the_reader_role_and_apply_exactly_the_fixer_role(fresh: Estate) -> None:
    reader = Role(role_permissions(), permission_of)
    fixer_role = set(yaml.safe_load(FIXER_ROLE.read_text())["includedPermissions"])
    fixer = Role(fixer_role, fixer_permission)
    with DenyingProxy(fresh.gcs_url, reader) as gcs_r, DenyingProxy(fresh.bq_url, reader) as bq_r, \
            DenyingProxy(fresh.gcs_url, fixer) as gcs_f, DenyingProxy(fresh.bq_url, fixer) as bq_f:
        fresh.write_inventory(**{"jp-gcp": {"storage_endpoint": gcs_r.url, "bigquery_endpoint": bq_r.url}})
        proposed = propose({"country": COUNTRY, "run_date": RUN_DATE})
        proposal = load_proposal(proposed["proposal"])
        google = [f for f in proposal.fixes if f.environment == "jp-gcp"]
        assert {f.kind for f in google} == {FixKind.GCS_PUBLIC_ACCESS_PREVENTION, FixKind.GCS_PUBLIC_BINDINGS,
                                            FixKind.BQ_DATASET_PUBLIC_ACCESS, FixKind.BQ_TABLE_PUBLIC_BINDINGS}
        assert not proposal.unfixable and not [m for f in google for m in f.may_break if "could not" in m]
        fresh.write_inventory(**{"jp-gcp": {"storage_endpoint": gcs_f.url, "bigquery_endpoint": bq_f.url}})
        applied = apply(proposed, {"chosen_options": [f.label for f in google], "params_input": {},
                                   "responded_by_user": {"id": "jp-engineer", "name": "jp-engineer"}})
    assert reader.refused == [] and fixer.refused == []
    assert reader.used == {"storage.buckets.list", "storage.buckets.getIamPolicy", "bigquery.datasets.get",
                           "bigquery.tables.getIamPolicy"}  # the proposal's reads went through the proxy
    assert {r["status"] for r in applied["results"] if r["environment"] == "jp-gcp"} == {"APPLIED"}
    assert fixer.used == fixer_role  # every permission of the role was needed
