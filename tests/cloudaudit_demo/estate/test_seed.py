"""The seeder: a fixed seed gives the same estate, and what it seeds reads back as planned.

The pure half (plan, truth, planted values) runs without emulators; the other half seeds one
estate for the module and reads every resource back through the client libraries.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.config import Limits, load_inventory
from cloudaudit.model import (
    Category,
    EnvironmentRef,
    FieldResult,
    Finding,
    PiiMatch,
    PiiType,
    Resource,
    SampleResult,
    Severity,
    Snapshot,
    Status,
)
from cloudaudit_demo.estate import layout
from cloudaudit_demo.estate.docs import render_markdown
from cloudaudit_demo.estate.expect import compare_findings, compare_samples, expected_failures
from cloudaudit_demo.estate.info import EstateInfo
from cloudaudit_demo.estate.manager import start_estate, stop_estate
from cloudaudit_demo.estate.plan import KEY_TYPES, EstatePlan, S3Bucket, build_plan
from cloudaudit_demo.estate.seed import DEFAULT_SEED, PLANTED_FILE, TRUTH_FILE
from cloudaudit_demo.estate.seed_aws import account_session, s3_client, s3control_client
from cloudaudit_demo.estate.seed_gcp import bigquery_client, storage_client
from cloudaudit_demo.estate.truth import build_truth, planted_json

SEED = DEFAULT_SEED


@pytest.fixture(scope="module")
def plan() -> EstatePlan:
    return build_plan(SEED)


@pytest.fixture(scope="module")
def truth(plan: EstatePlan) -> dict[str, Any]:
    return build_truth(plan)


def _resource(truth: dict[str, Any], uri: str) -> dict[str, Any]:
    matches = [r for r in truth["resources"] if r["resource"] == uri]
    assert len(matches) == 1, uri
    return matches[0]


def _bucket(plan: EstatePlan, name: str) -> S3Bucket:
    return next(b for a in plan.aws for b in a.buckets if b.name == name)


# ---- the plan and its truth, without emulators --------------------------------------------


def test_same_seed_gives_the_same_estate_and_truth(plan: EstatePlan, truth: dict[str, Any]) -> None:
    again = build_plan(SEED)
    assert build_truth(again) == truth
    assert planted_json(again) == planted_json(plan)
    ours = [(b.name, o.key, o.data) for a in plan.aws for b in a.buckets for o in b.objects]
    theirs = [(b.name, o.key, o.data) for a in again.aws for b in a.buckets for o in b.objects]
    assert ours == theirs
    other = build_plan(SEED + 1)
    assert planted_json(other)["values"] != planted_json(plan)["values"]
    assert build_truth(other)["resources"] == truth["resources"]  # the seed draws values, not exposures


def test_estate_covers_at_least_six_countries_and_every_layout_environment(truth: dict[str, Any]) -> None:
    assert len(truth["countries"]) >= 6
    assert {e["name"] for e in truth["environments"]} == {e.name for e in layout.ENVIRONMENTS}
    unreachable = [e for e in truth["environments"] if e["coverage"] == "NOT_ASSESSED"]
    assert [e["name"] for e in unreachable] == ["ph-dealer-legacy"]
    assert unreachable[0]["fail"] == ["coverage_not_assessed"]


def test_jp_telematics_bucket_is_public_with_pii(truth: dict[str, Any]) -> None:
    bucket = _resource(truth, "s3://jp-connected-telematics-exports")
    assert bucket["public"] is True
    assert {"aws_s3_bucket_public_acl", "aws_s3_bucket_public_policy", "aws_s3_block_public_access_off",
            "aws_s3_pii_public"} <= set(bucket["fail"])
    assert "aws_s3_pii_residency" not in bucket["fail"]  # ap-northeast-1 is allowed for JP
    samples = [s for s in truth["samples"] if s["container"] == bucket["resource"]]
    assert {s["format"] for s in samples} >= {"csv", "jsonl+gzip"}
    assert all(s["fail"] == ["aws_s3_object_public_acl"] for s in samples)
    assert "NATIONAL_ID" in bucket["pii_types"] and "VIN" in bucket["pii_types"]


def test_exposure_is_judged_as_the_cloud_enforces_it(truth: dict[str, Any]) -> None:
    neutralised = _resource(truth, "s3://au-dealer-service-records")
    assert neutralised["public"] is False
    assert not {"aws_s3_bucket_public_acl", "aws_s3_pii_public", "aws_s3_block_public_access_off"} & set(neutralised["fail"])
    ip_limited = _resource(truth, "s3://in-dealer-partner-share")
    assert ip_limited["public"] is False
    assert ip_limited["fail"] == ["aws_s3_block_public_access_off"]
    for clean in ("s3://jp-connected-app-logs", "s3://in-dealer-parts", "gs://my-dealer-secure-archive"):
        assert _resource(truth, clean)["fail"] == [], clean


def test_residency_failures_are_where_data_left_its_country(truth: dict[str, Any]) -> None:
    offshore = {r["resource"] for r in truth["resources"] if any(c.endswith("_pii_residency") for c in r["fail"])}
    assert offshore == {"s3://au-dealer-archive-us", "s3://vn-dealer-exports-us", "s3://id-dealer-analytics-us",
                        "gs://my-dealer-service-files", "bq://sg-dealer-portal.portal_us.registrations"}
    for uri in offshore:
        assert _resource(truth, uri)["location"] in ("us-east-1", "us")


def test_bigquery_truth_names_untagged_and_public_tables(truth: dict[str, Any]) -> None:
    assert _resource(truth, "bq://th-dealer-analytics.crm")["fail"] == ["gcp_bq_dataset_public"]
    customers = _resource(truth, "bq://th-dealer-analytics.crm.customers")
    assert set(customers["untagged_pii_columns"]) == {"address", "contact.email", "vehicle.vin", "date_of_birth"}
    assert set(customers["fail"]) == {"gcp_bq_pii_column_untagged", "gcp_bq_pii_public"}
    history = _resource(truth, "bq://my-dealer-ops.service.service_history")
    assert set(history["fail"]) == {"gcp_bq_table_public", "gcp_bq_pii_column_untagged", "gcp_bq_pii_public"}
    assert _resource(truth, "bq://my-dealer-ops.service.appointments")["fail"] == []


def test_unsampleable_objects_are_expected_partial_with_a_reason(plan: EstatePlan, truth: dict[str, Any]) -> None:
    partial = {s["resource"]: s for s in truth["samples"] if s["coverage"] == "PARTIAL"}
    png = next(s for uri, s in partial.items() if uri.endswith(".png"))
    large = next(s for uri, s in partial.items() if uri.endswith(".parquet"))
    assert "unsupported" in png["reason"] and "within max_object_bytes" in large["reason"]
    for sample in (png, large):
        assert sample["pii_types"] == [] == sample["planted_pii_types"]
    dump = next(o for o in _bucket(plan, "jp-connected-media").objects if o.key.endswith(".parquet"))
    assert len(dump.data) > Limits().max_object_bytes  # over the default bound, so never read whole
    assert dump.data[:4] == dump.data[-4:] == b"PAR1"


def test_every_sample_expects_no_more_than_it_planted(truth: dict[str, Any]) -> None:
    for sample in truth["samples"]:
        assert set(sample["pii_types"]) <= set(sample["planted_pii_types"]), sample["resource"]
        assert set(sample["pii_types"]) <= {t.value for t in PiiType}


def test_docs_estate_md_is_generated_from_this_truth(truth: dict[str, Any]) -> None:
    page = Path(__file__).resolve().parents[3] / "docs" / "estate.md"
    assert page.read_text(encoding="utf-8") == render_markdown(truth), \
        "docs/estate.md is stale: python -m cloudaudit_demo.estate.docs > docs/estate.md"


def _csv(data: bytes, encoding: str = "utf-8", delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding)), delimiter=delimiter))


def test_planted_values_are_in_the_files(plan: EstatePlan) -> None:
    planted = planted_json(plan)
    owners = _csv(_bucket(plan, "jp-connected-telematics-exports").objects[0].data)
    assert len(owners) == 40
    for row in owners:
        assert row["national_id"] in planted["by_type"]["NATIONAL_ID"]
        assert row["vin"] in planted["by_type"]["VIN"]
    sjis = next(o for o in _bucket(plan, "jp-connected-telematics-exports").objects if "sjis" in o.key)
    with pytest.raises(UnicodeDecodeError):
        sjis.data.decode("utf-8")
    assert "氏名" in _csv(sjis.data, "shift_jis")[0]
    trips = gzip.decompress(next(o for o in _bucket(plan, "jp-connected-telematics-exports").objects
                                 if o.key.endswith(".jsonl.gz")).data).decode().splitlines()
    assert json.loads(trips[0])["driver"]["email"] in planted["by_type"]["EMAIL_ADDRESS"]
    assert set(planted["by_type"]) == {t.value for t in KEY_TYPES.values()} | {"CREDIT_CARD", "GEO_LOCATION", "IP_ADDRESS"}
    for row in owners:
        assert row["subscription_card"] in planted["by_type"]["CREDIT_CARD"]
    assert not set(planted["values"]) & set(planted["decoys"])


def test_decoys_fail_their_checksums(plan: EstatePlan) -> None:
    from stdnum import luhn
    from stdnum.in_ import aadhaar
    from stdnum.jp import in_ as my_number

    orders = _csv(_bucket(plan, "in-dealer-parts").objects[0].data)
    assert orders and all(not aadhaar.is_valid(r["reference_no"]) for r in orders)
    assert all(not luhn.is_valid(r["card_ref"]) for r in orders)
    log_lines = _bucket(plan, "jp-connected-app-logs").objects[0].data.decode().splitlines()
    tickets = [line.split("ticket=")[1].split(" status=")[0] for line in log_lines]
    assert tickets and all(not my_number.is_valid(t) for t in tickets)
    assert all(r["reference_no"] in plan.decoys for r in orders)


def test_headerless_csv_expects_only_self_evident_types(plan: EstatePlan, truth: dict[str, Any]) -> None:
    sample = next(s for s in truth["samples"] if s["resource"].endswith("khach_hang_2026.csv"))
    obj = next(o for o in _bucket(plan, "vn-dealer-maintenance").objects if o.key.endswith("khach_hang_2026.csv"))
    first = next(csv.reader(io.StringIO(obj.data.decode())))
    assert first[0] in plan.planted["PERSON_NAME"]  # data from the first line: no header
    assert set(sample["pii_types"]) < set(sample["planted_pii_types"])


def _perfect_snapshots(truth: dict[str, Any]) -> list[Snapshot]:
    """Snapshots exactly as the truth expects them: every sample, with exactly its expected types."""
    snapshots = []
    for env in truth["environments"]:
        ref = EnvironmentRef(name=env["name"], country=env["country"], provider=env["provider"])
        resources = []
        for res in (r for r in truth["resources"] if r["environment"] == env["name"]):
            samples = tuple(SampleResult(resource=s["resource"], status=s["coverage"], fields=(FieldResult(
                field="f", rows_sampled=3, pii=tuple(PiiMatch(pii_type=t, matches=1) for t in s["pii_types"])),))
                for s in truth["samples"] if s["container"] == res["resource"])
            resources.append(Resource(resource=res["resource"], provider=res["provider"], service=res["service"],
                                      kind=res["kind"], samples=samples))
        snapshots.append(Snapshot(environment=ref, run_date="2026-11-20", captured_at="2026-11-20T01:00:00Z",
                                  status=env["coverage"], resources=tuple(resources)))
    return snapshots


def _finding(check_id: str, resource: str, environment: str, status: Status = Status.FAIL) -> Finding:
    return Finding(country="JP", environment=environment, provider="aws", service="s3", resource=resource,
                   location="", check_id=check_id, check=check_id, category=Category.ACCESS,
                   severity=Severity.HIGH, status=status, detail="")


def test_compare_samples_accepts_the_truth_and_names_each_difference(truth: dict[str, Any]) -> None:
    snapshots = _perfect_snapshots(truth)
    assert compare_samples(truth, snapshots) == []
    # A detector that misses a required type, or reports one never planted, is named.
    jp = next(s for s in snapshots if s.environment.name == "jp-connected-prod")
    owners = "s3://jp-connected-telematics-exports/customers/vehicle_owners_2019.csv"
    broken_resources = []
    for res in jp.resources:
        samples = []
        for sample in res.samples:
            if sample.resource == owners:
                sample = sample.model_copy(update={"fields": (FieldResult(field="f", rows_sampled=3, pii=(
                    PiiMatch(pii_type=PiiType.EMAIL_ADDRESS, matches=1),
                    PiiMatch(pii_type=PiiType.GEO_LOCATION, matches=1))),)})
            if not sample.resource.endswith(".png"):
                samples.append(sample)
        broken_resources.append(res.model_copy(update={"samples": tuple(samples)}))
    broken = jp.model_copy(update={"resources": tuple(broken_resources)})
    diffs = compare_samples(truth, [broken])
    assert any(d.startswith(owners) and "not found" in d and "NATIONAL_ID" in d for d in diffs)
    assert f"{owners}: PII types found but not planted: GEO_LOCATION" in diffs
    assert any(d.endswith("damage_photo_0001.png: expected a sample, none taken") for d in diffs)
    # Environments absent from the snapshots are not compared (a test may audit a subset).
    assert compare_samples(truth, [s for s in snapshots if s.environment.name == "th-dealer-analytics"]) == []


def test_compare_findings_wants_every_expected_failure_and_nothing_else(truth: dict[str, Any]) -> None:
    env_of = {r["resource"]: r["environment"] for r in truth["resources"]}
    env_of.update({s["resource"]: env_of[s["container"]] for s in truth["samples"]})
    env_of.update({e["name"]: e["name"] for e in truth["environments"]})
    findings = [_finding(check, res, env_of[res]) for check, res in sorted(expected_failures(truth))]
    assert len(findings) >= 20
    passing = _finding("aws_s3_bucket_public_acl", "s3://jp-connected-app-logs", "jp-connected-prod", Status.PASS)
    assert compare_findings(truth, [*findings, passing]) == []
    wrong = _finding("aws_s3_bucket_public_acl", "s3://au-dealer-service-records", "au-dealer-service")
    diffs = compare_findings(truth, [*findings[1:], wrong])
    assert diffs == [f"{findings[0].check_id} {findings[0].resource}: expected to fail, not reported",
                     "aws_s3_bucket_public_acl s3://au-dealer-service-records: reported, not expected"]


# ---- a seeded estate, read back through the client libraries ------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EstateInfo]:
    state_dir = tmp_path_factory.mktemp("seeded") / "estate"
    empty = start_estate(state_dir, seed=False)
    try:
        # `estate up --no-seed` then `estate up`: the running estate is seeded, not restarted.
        info = start_estate(state_dir, seed=True, seed_value=SEED)
        assert info.emulators == empty.emulators and not empty.seeded
        yield info
    finally:
        stop_estate(state_dir)


def test_seeding_writes_truth_and_planted_beside_the_estate(seeded: EstateInfo, truth: dict[str, Any],
                                                            plan: EstatePlan) -> None:
    assert seeded.seeded and seeded.seed == SEED
    assert json.loads((seeded.state_dir / TRUTH_FILE).read_text()) == truth
    assert json.loads((seeded.state_dir / PLANTED_FILE).read_text()) == planted_json(plan)
    assert load_inventory(seeded.inventory_path).country_codes == tuple(truth["countries"])


def _s3(seeded: EstateInfo, env_name: str) -> Any:
    env = layout.environment(env_name)
    assert isinstance(env, layout.AwsAccount)
    return s3_client(account_session(seeded.moto_url, env.role_arn), seeded.moto_url)


def test_s3_buckets_read_back_as_seeded(seeded: EstateInfo, plan: EstatePlan) -> None:
    all_users = "http://acs.amazonaws.com/groups/global/AllUsers"
    for account in plan.aws:
        s3 = _s3(seeded, account.env.name)
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        assert names == {b.name for b in account.buckets}, account.env.name  # accounts kept apart
        for bucket in account.buckets:
            location = s3.get_bucket_location(Bucket=bucket.name)["LocationConstraint"] or "us-east-1"
            assert location == bucket.region
            grants = s3.get_bucket_acl(Bucket=bucket.name)["Grants"]
            assert any(g["Grantee"].get("URI") == all_users for g in grants) is bucket.public_acl, bucket.name
            if bucket.policy is None:
                with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
                    s3.get_bucket_policy(Bucket=bucket.name)
            else:
                status = s3.get_bucket_policy_status(Bucket=bucket.name)["PolicyStatus"]["IsPublic"]
                assert status is bucket.policy_public, bucket.name
            if bucket.block_public_access:
                config = s3.get_public_access_block(Bucket=bucket.name)["PublicAccessBlockConfiguration"]
                assert all(config.values())
            else:
                with pytest.raises(s3.exceptions.ClientError, match="NoSuchPublicAccessBlockConfiguration"):
                    s3.get_public_access_block(Bucket=bucket.name)
            if bucket.encrypted:
                assert s3.get_bucket_encryption(Bucket=bucket.name)["ServerSideEncryptionConfiguration"]["Rules"]
            else:
                with pytest.raises(s3.exceptions.ClientError, match="ServerSideEncryptionConfigurationNotFound"):
                    s3.get_bucket_encryption(Bucket=bucket.name)
            for obj in bucket.objects:
                assert s3.get_object(Bucket=bucket.name, Key=obj.key)["Body"].read() == obj.data
                object_grants = s3.get_object_acl(Bucket=bucket.name, Key=obj.key)["Grants"]
                assert any(g["Grantee"].get("URI") == all_users for g in object_grants) is obj.public_acl


def test_account_block_public_access_is_set_only_where_planned(seeded: EstateInfo, plan: EstatePlan) -> None:
    for account in plan.aws:
        session = account_session(seeded.moto_url, account.env.role_arn)
        control = s3control_client(session, seeded.moto_url)
        if account.block_public_access:
            config = control.get_public_access_block(AccountId=account.env.account_id)
            assert all(config["PublicAccessBlockConfiguration"].values())
        else:
            with pytest.raises(control.exceptions.ClientError, match="NoSuchPublicAccessBlockConfiguration"):
                control.get_public_access_block(AccountId=account.env.account_id)


def test_gcs_buckets_read_back_as_seeded(seeded: EstateInfo, plan: EstatePlan) -> None:
    for project in plan.gcp:
        client = storage_client(project.env.project_id, seeded.storage_url(project.env.project_id))
        names = {b.name for b in client.list_buckets()}
        assert names == {b.name for b in project.buckets}  # one emulator per project
        for planned in project.buckets:
            bucket = client.get_bucket(planned.name)
            assert bucket.location.lower() == planned.location
            assert bucket.iam_configuration.public_access_prevention == planned.public_access_prevention
            members = {m for b in bucket.get_iam_policy(requested_policy_version=3).bindings for m in b["members"]}
            assert ("allUsers" in members) is (planned.public_member == "allUsers"), planned.name
            for obj in planned.objects:
                assert bucket.blob(obj.key).download_as_bytes() == obj.data


def _tags(schema: Any, prefix: str = "") -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for field in schema:
        path = f"{prefix}{field.name}"
        if field.fields:
            out.update(_tags(field.fields, path + "."))
        else:
            out[path] = tuple(field.policy_tags.names) if field.policy_tags else ()
    return out


def test_bigquery_reads_back_as_seeded(seeded: EstateInfo, plan: EstatePlan) -> None:
    for project in plan.gcp:
        client = bigquery_client(project.env.project_id, seeded.bigquery_url)
        assert {d.dataset_id for d in client.list_datasets()} == {d.dataset_id for d in project.datasets}
        for planned in project.datasets:
            dataset = client.get_dataset(planned.dataset_id)
            assert dataset.location.lower() == planned.location
            public = any(e.entity_id in ("allUsers", "allAuthenticatedUsers") for e in dataset.access_entries)
            assert public is (planned.public_member is not None)
            assert {t.table_id for t in client.list_tables(dataset)} == {t.table_id for t in planned.tables}
            for table_plan in planned.tables:
                table = client.get_table(f"{project.env.project_id}.{planned.dataset_id}.{table_plan.table_id}")
                tags = _tags(table.schema)
                untagged = {p for p in table_plan.pii_columns if not tags[p]}
                assert untagged == set(table_plan.untagged_pii_columns)
                members = {m for b in client.get_iam_policy(table).bindings for m in b["members"]}
                assert ("allUsers" in members) is (table_plan.public_member is not None)
                rows = [dict(r.items()) for r in client.list_rows(table, page_size=7)]
                assert len(rows) == len(table_plan.rows)
                key = table_plan.fields[0].name
                assert sorted(r[key] for r in rows) == sorted(r[key] for r in table_plan.rows)
                if "contact" in tags or "contact.phone" in tags:
                    by_id = {r[key]: r for r in rows}
                    for expected in table_plan.rows:
                        assert dict(by_id[expected[key]]["contact"]) == expected["contact"]


def test_no_planted_value_is_written_anywhere_but_planted_json(seeded: EstateInfo, plan: EstatePlan) -> None:
    values = [v for v in planted_json(plan)["values"] if len(v) >= 8]
    written = [p for p in seeded.state_dir.rglob("*") if p.is_file() and p.name != PLANTED_FILE]
    assert {p.name for p in written} >= {"estate.json", "inventory.yaml", TRUTH_FILE, "moto.log", "bigquery.log"}
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in written)
    assert "GET /" in text or "PUT /" in text  # the emulators did log their requests
    leaked = [v for v in values if v in text]
    assert leaked == [], f"{len(leaked)} planted values outside planted.json"


AUDITED = ("jp-connected-prod", "vn-dealer-service", "id-dealer-service", "th-dealer-analytics", "ph-dealer-legacy")


def test_the_collectors_find_what_the_truth_expects(seeded: EstateInfo) -> None:
    """End to end below validation: collectors + sampling + detection agree with truth.json.

    Covers every sampled format (CSV incl. Shift_JIS and headerless, gzip JSON Lines, nested
    JSON, Parquet, XLSX, text with decoys, a PNG, a too-large Parquet, BigQuery rows) and the
    unreachable environment.
    """
    from cloudaudit.pipeline import live_snapshot

    truth = json.loads((seeded.state_dir / TRUTH_FILE).read_text())
    inventory = load_inventory(seeded.inventory_path)
    snapshots = [live_snapshot(inventory.environment(name), "2026-11-20", Limits()) for name in AUDITED]
    assert compare_samples(truth, snapshots) == []
    assert [s.environment.name for s in snapshots if s.status.value == "NOT_ASSESSED"] == ["ph-dealer-legacy"]
