"""Which Google API call (and IAM permission) each HTTP request the GCP collectors send is.

Reads only: every call here is a GET, except BigQuery's ``tables.getIamPolicy``, which the API
defines as a POST with an empty body.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROLE_FILE = Path(__file__).resolve().parents[2] / "docs" / "iam" / "gcp-reader-role.yaml"

_SEG = r"[^/]+"
CALLS: tuple[tuple[str, re.Pattern[str], str], ...] = (  # (method, path, permission)
    ("GET", re.compile(r"/storage/v1/b"), "storage.buckets.list"),
    ("GET", re.compile(rf"/storage/v1/b/{_SEG}/iam"), "storage.buckets.getIamPolicy"),
    ("GET", re.compile(rf"/storage/v1/b/{_SEG}/o"), "storage.objects.list"),
    ("GET", re.compile(rf"/storage/v1/b/{_SEG}/o/.+/acl"), "storage.objects.getIamPolicy"),
    ("GET", re.compile(rf"/download/storage/v1/b/{_SEG}/o/.+"), "storage.objects.get"),
    ("GET", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets"), "bigquery.datasets.get"),
    ("GET", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}"), "bigquery.datasets.get"),
    ("GET", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}/tables"), "bigquery.tables.list"),
    ("GET", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}/tables/{_SEG}"), "bigquery.tables.get"),
    ("POST", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}/tables/{_SEG}:getIamPolicy"),
     "bigquery.tables.getIamPolicy"),
    ("GET", re.compile(rf"/bigquery/v2/projects/{_SEG}/datasets/{_SEG}/tables/{_SEG}/data"),
     "bigquery.tables.getData"),
)


def permission_of(method: str, path: str) -> str | None:
    """The permission a request needs, or None when it is no read call this project knows."""
    for want, pattern, permission in CALLS:
        if method == want and pattern.fullmatch(path):
            return permission
    return None


def role_permissions() -> set[str]:
    return set(yaml.safe_load(ROLE_FILE.read_text())["includedPermissions"])
