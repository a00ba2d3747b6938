"""Reports published to an S3 prefix: listed from the bucket, downloads are short-lived presigned URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer

from cloudaudit.portal.access import GrantsAccess
from cloudaudit.portal.app import airflow_user_dependency, create_app
from tests.cloudaudit.portal.published import Planned, publish
from tests.cloudaudit.portal.test_portal_app import _user_from_header

DAY = "2026-11-20"


@pytest.fixture
def s3_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        for name, value in {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
                            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="reports")
        key = Ed25519PrivateKey.generate()
        for country in ("JP", "TH"):
            for path in publish(tmp_path, Planned(country, DAY, 1, DAY), key):
                s3.put_object(Bucket="reports", Key=f"audit/{DAY}/{country}/{path.name}", Body=path.read_bytes())
        yield "s3://reports/audit"
    finally:
        server.stop()


def test_s3_outputs_list_and_redirect_to_a_presigned_url(s3_root: str, tmp_path: Path) -> None:
    app = create_app(s3_root, access=GrantsAccess({"jp_auditor": ["JP"]}))
    app.dependency_overrides[airflow_user_dependency()] = _user_from_header
    client = TestClient(app)
    listed = client.get("/api/reports", headers={"x-test-user": "jp_auditor"}).json()
    assert [(r["country"], r["verified"]) for r in listed["reports"]] == [("JP", True)]

    response = client.get(f"/api/reports/JP/{DAY}/compliance_JP_{DAY}.xlsx", headers={"x-test-user": "jp_auditor"},
                          follow_redirects=False)
    assert response.status_code == 307
    url = response.headers["location"]
    assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == (tmp_path / DAY / "JP" / f"compliance_JP_{DAY}.xlsx").read_bytes()

    refused = client.get(f"/api/reports/TH/{DAY}/compliance_TH_{DAY}.xlsx", headers={"x-test-user": "jp_auditor"},
                         follow_redirects=False)
    assert refused.status_code == 403 and "location" not in refused.headers
