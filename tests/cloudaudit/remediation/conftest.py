"""A JP estate on the real emulators (moto server, gcp-storage-emulator, the project's BigQuery
emulator, all on 127.0.0.1) with one exposure for every fix kind, published once by the real
pipeline (extract → validate → publish: spreadsheet and signed evidence bundle).

Each test calls ``estate.reset()`` first: it writes every seeded resource's exposed
configuration again, so a test that applied a fix leaves nothing for the next one, while the
published findings (the bundle) stay those of the seeded estate.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

RUN_DATE = "2026-12-04"
COUNTRY = "JP"
PROJECT = "jp-analytics"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
REGION = "ap-northeast-1"


def people_csv(seed: int) -> bytes:
    """Synthetic customers (Faker): names, e-mails and phones the detectors find."""
    from faker import Faker

    fake = Faker("en_AU")
    fake.seed_instance(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer_name", "email", "phone"])
    for _ in range(30):
        writer.writerow([fake.name(), fake.email(), fake.phone_number()])
    return out.getvalue().encode()


def planted_values(*blobs: bytes) -> set[str]:
    """Every cell value of the seeded CSVs: none may appear in a proposal, result or bundle."""
    values: set[str] = set()
    for blob in blobs:
        rows = list(csv.reader(io.StringIO(blob.decode())))
        values |= {cell for row in rows[1:] for cell in row if len(cell) >= 6}
    return values


@dataclass
class Estate:
    """Names, environments, admin clients and the seeding of every exposure."""

    root: Path
    moto_url: str
    gcs_url: str
    bq_url: str
    prefix: str
    accounts: dict[str, str]  # environment name → account ID
    data: dict[str, bytes] = field(default_factory=dict)

    # ---- names ----
    def bucket(self, label: str) -> str:
        return f"{self.prefix}-{label}"

    @property
    def inventory_path(self) -> Path:
        return self.root / "inventory.yaml"

    def inventory(self, **overrides: dict[str, Any]) -> dict[str, Any]:
        envs: list[dict[str, Any]] = []
        for name, remediation in (("jp-aws", "allowed"), ("jp-aws-dry", "dry_run"), ("jp-aws-never", "never")):
            account = self.accounts[name]
            env: dict[str, Any] = {
                "name": name, "country": COUNTRY, "provider": "aws", "account_id": account, "regions": [REGION],
                "endpoint_url": self.moto_url, "role_arn": f"arn:aws:iam::{account}:role/cloudaudit-reader",
                "remediation": remediation}
            if remediation == "allowed":
                env["remediation_role_arn"] = f"arn:aws:iam::{account}:role/cloudaudit-fixer"
            envs.append(env)
        envs.append({"name": "jp-gcp", "country": COUNTRY, "provider": "gcp", "project_id": PROJECT,
                     "storage_endpoint": self.gcs_url, "bigquery_endpoint": self.bq_url,
                     "remediation": "allowed", "remediation_conn_id": "cloudaudit_fixer_gcp"})
        for env in envs:
            env.update(overrides.get(env["name"], {}))
        return {"environments": envs, "countries": {COUNTRY: {"remediation_approvers": ["jp-engineer"]}}}

    def write_inventory(self, **overrides: dict[str, Any]) -> None:
        import yaml

        self.inventory_path.write_text(yaml.safe_dump(self.inventory(**overrides)))

    def admin_s3(self, env_name: str) -> Any:
        from cloudaudit.collectors.aws.session import connect
        from cloudaudit.config import Environment, Limits

        env = Environment.model_validate({k: v for k, v in self.inventory()["environments"][
            ["jp-aws", "jp-aws-dry", "jp-aws-never"].index(env_name)].items()})
        return connect(env, Limits()).s3(REGION)

    def storage(self) -> Any:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        return storage.Client(project=PROJECT, credentials=AnonymousCredentials(),
                              client_options={"api_endpoint": self.gcs_url})

    def bigquery(self) -> Any:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                               client_options={"api_endpoint": self.bq_url})

    # ---- seeding ----
    def create(self) -> None:
        from google.cloud import bigquery

        self.data = {"acl": people_csv(1), "gcs": people_csv(2), "private": people_csv(3)}
        for env_name, label in (("jp-aws", "acl"), ("jp-aws", "policy"), ("jp-aws", "policyonly"),
                                ("jp-aws", "private"), ("jp-aws-dry", "dry"), ("jp-aws-never", "never")):
            s3 = self.admin_s3(env_name)
            s3.create_bucket(Bucket=self.bucket(label), CreateBucketConfiguration={"LocationConstraint": REGION})
            if label in self.data:
                s3.put_object(Bucket=self.bucket(label), Key="customers.csv", Body=self.data[label])
        self.admin_s3("jp-aws").put_bucket_website(Bucket=self.bucket("policy"), WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"}})  # what a fix's "may break" must name
        bucket = self.storage().create_bucket(self.bucket("gcs"))
        bucket._patch_property("location", "ASIA-NORTHEAST1")
        bucket._patch_property("website", {"mainPageSuffix": "index.html"})
        bucket.patch()
        bucket.blob("customers.csv").upload_from_string(self.data["gcs"], content_type="text/csv")
        client = self.bigquery()
        dataset = bigquery.Dataset(f"{PROJECT}.crm")
        dataset.location = "asia-northeast1"
        client.create_dataset(dataset)
        schema = [bigquery.SchemaField("customer_name", "STRING"), bigquery.SchemaField("email", "STRING")]
        table = client.create_table(bigquery.Table(f"{PROJECT}.crm.customers", schema=schema))
        rows = list(csv.reader(io.StringIO(self.data["private"].decode())))[1:]
        assert client.insert_rows_json(table, [{"customer_name": r[0], "email": r[1]} for r in rows],
                                       row_ids=[None] * len(rows)) == []
        self.reset()

    def reset(self) -> None:
        """Every exposure as seeded (idempotent)."""
        from google.cloud import bigquery

        owner = self.admin_s3("jp-aws").get_bucket_acl(Bucket=self.bucket("acl"))["Owner"]
        for env_name, label in (("jp-aws", "acl"), ("jp-aws-dry", "dry"), ("jp-aws-never", "never")):
            s3 = self.admin_s3(env_name)
            s3.put_bucket_acl(Bucket=self.bucket(label), ACL="public-read")
            s3.delete_public_access_block(Bucket=self.bucket(label))
        s3 = self.admin_s3("jp-aws")
        for label in ("policy", "policyonly", "private"):
            s3.delete_public_access_block(Bucket=self.bucket(label))
            s3.put_bucket_acl(Bucket=self.bucket(label), ACL="private")
        account = self.accounts["jp-aws"]
        public = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                  "Resource": f"arn:aws:s3:::{self.bucket('policy')}/*"}
        partner = {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                   "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{self.bucket('policy')}/*"}
        s3.put_bucket_policy(Bucket=self.bucket("policy"),
                             Policy=json.dumps({"Version": "2012-10-17", "Statement": [public, partner]}))
        only = {**public, "Resource": f"arn:aws:s3:::{self.bucket('policyonly')}/*"}
        s3.put_bucket_policy(Bucket=self.bucket("policyonly"),
                             Policy=json.dumps({"Version": "2012-10-17", "Statement": [only]}))
        assert owner  # the ACL reset keeps the owner's own grant

        bucket = self.storage().get_bucket(self.bucket("gcs"))
        bucket.iam_configuration.public_access_prevention = "inherited"
        bucket.iam_configuration.uniform_bucket_level_access_enabled = True
        bucket.patch()
        policy = bucket.get_iam_policy(requested_policy_version=3)
        policy.bindings = [{"role": "roles/storage.objectViewer", "members": {"allUsers", "group:analysts@example.com"}},
                           {"role": "roles/storage.admin", "members": {"user:owner@example.com"}}]
        bucket.set_iam_policy(policy)

        client = self.bigquery()
        dataset = client.get_dataset(f"{PROJECT}.crm")
        dataset.access_entries = [bigquery.AccessEntry("OWNER", "userByEmail", "owner@example.com"),
                                  bigquery.AccessEntry("READER", "specialGroup", "allAuthenticatedUsers")]
        client.update_dataset(dataset, ["access_entries"])
        table = f"{PROJECT}.crm.customers"
        tpolicy = client.get_iam_policy(table)
        tpolicy.bindings = [{"role": "roles/bigquery.dataViewer", "members": {"allUsers", "group:analysts@example.com"}}]
        client.set_iam_policy(table, tpolicy)


def publish(estate: Estate, run_date: str = RUN_DATE) -> None:
    """The daily pipeline for ``run_date``, in-process: extract, validate, publish."""
    from cloudaudit.config import load_inventory
    from cloudaudit.pipeline import extract_chunk, group_by_country, plan, publish_country, validate_job

    inventory = load_inventory()
    chunks = plan({"mode": "live"}, run_date, inventory)
    extracted = [extract_chunk(chunk, inventory) for chunk in chunks]
    for job in group_by_country(chunks, extracted):
        publish_country(validate_job(job, inventory))


@pytest.fixture(scope="package")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    from gcp_storage_emulator.server import create_server
    from moto.server import ThreadedMotoServer

    from cloudaudit.evidence.signing import load_or_create_private_key
    from cloudaudit_demo.estate.bigquery_emulator import BigQueryEmulator

    root = tmp_path_factory.mktemp("remediation")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    gcs: Any = create_server("127.0.0.1", 0, in_memory=True)
    gcs.start()
    bq = BigQueryEmulator("127.0.0.1", port=0).start()
    empty = root / "aws-config-empty"
    empty.touch()
    key = root / "signing_key.pem"
    load_or_create_private_key(key)
    variables = {
        "CLOUDAUDIT_INVENTORY": str(root / "inventory.yaml"), "CLOUDAUDIT_OUTPUT": str(root / "output"),
        "CLOUDAUDIT_STATE": str(root / "state"), "CLOUDAUDIT_SIGNING_KEY": str(key),
        "AWS_CONFIG_FILE": str(empty), "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "2", "GOOGLE_APPLICATION_CREDENTIALS": "", "NO_GCE_CHECK": "true",
        "CLOUDAUDIT_CALL_TIMEOUT_S": "5", "CLOUDAUDIT_MAX_WORKERS": "2",
    }
    patch = pytest.MonkeyPatch()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL",
                 "AWS_DEFAULT_REGION", "AWS_REGION", "CLOUDAUDIT_SIGNING_CONN_ID", "CLOUDAUDIT_SIGNING_KEY_GENERATE"):
        patch.delenv(name, raising=False)
    for name, value in variables.items():
        patch.setenv(name, value)
    rng = random.Random()
    base = rng.randrange(100_000_000_000, 900_000_000_000, 1_000)
    host, port = moto.get_host_and_port()
    made = Estate(root=root, moto_url=f"http://{host}:{port}",
                  gcs_url=f"http://127.0.0.1:{gcs._api._httpd.server_address[1]}", bq_url=bq.url,
                  prefix=f"r{rng.randrange(16**6):06x}",
                  accounts={"jp-aws": str(base + 1), "jp-aws-dry": str(base + 2), "jp-aws-never": str(base + 3)})
    try:
        made.write_inventory()
        made.create()
        publish(made)
        yield made
    finally:
        patch.undo()
        bq.stop()
        gcs.stop()
        moto.stop()


@pytest.fixture
def fresh(estate: Estate) -> Estate:
    """The estate with every exposure as seeded and the inventory as written at first."""
    estate.write_inventory()
    estate.reset()
    return estate
