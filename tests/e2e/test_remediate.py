"""Guarded remediation end to end (issue 19): a real scheduler, api-server and dag-processor on
PostgreSQL, the FAB auth manager, the demo estate's emulators read back with boto3 and Google clients.

`cloudaudit_daily` publishes JP, TH, MY and SG for one date; its reports events start
`cloudaudit_remediate`. Approvals go through the REST API's HITL endpoints, as the UI sends them:

- JP (remediation: allowed) is approved for a subset of its fixes by its engineer, after a TH engineer
  was refused (403) and after one resource was changed behind the proposal's back: exactly the approved,
  unchanged resource changes; the changed one is skipped; the unapproved ones stay as they were.
- TH is rejected by its engineer, with a comment: nothing changes.
- MY gets no answer: the scheduler's timeout applies "Reject all": nothing changes.
- SG (no `remediation` setting: the default, dry_run) is approved in full: every fix is recorded
  DRY_RUN and nothing changes.
- Every remediation bundle verifies with `cloudaudit verify`; the next daily scan shows the fixed
  finding closed and the others still open.

With CLOUDAUDIT_SCREENSHOTS=1 the browser test also writes docs/img/remediation-approval.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.airflow_stack import postgres_unavailable_reason, wait_for
from tests.e2e.harness import sheet_rows
from tests.e2e.remediate_stack import REMEDIATE, RemediateStack, remediate_stack, remediation_inventory
from tests.leaks import (
    Haystack,
    LeakSearcher,
    assert_no_leaks,
    files_under,
    postgres_tables,
    secret_forms_of_pem,
)

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
TODAY = datetime.now(UTC).date()
D1, D2 = (TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()
ENVIRONMENTS = {"jp-connected-prod": "JP", "th-dealer-analytics": "TH", "my-dealer-ops": "MY", "sg-dealer-portal": "SG"}
ALLOWED = ("jp-connected-prod", "th-dealer-analytics", "my-dealer-ops")  # SG: no setting, the default dry_run
COUNTRIES = sorted(set(ENVIRONMENTS.values()))
APPROVERS = {"JP": ["jp_engineer"], "TH": ["th_engineer"], "MY": ["th_engineer"], "SG": ["jp_engineer"]}
APPROVAL_TIMEOUT_S = 40  # MY's timeout; also the browser test's time to answer
REJECT_ALL = "Reject all"
JP_ACCOUNT = "111111111111"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT = REPO / "docs" / "img" / "remediation-approval.png"
PARTNER = "arn:aws:iam::222222222222:root"  # a named account: the extra statement is not public


# ---- the estate's state, read with the cloud clients ------------------------------------------


def _s3(estate: Any) -> Any:
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client

    return s3_client(account_session(estate.moto_url, f"arn:aws:iam::{JP_ACCOUNT}:role/e2e-observer"), estate.moto_url)


def _s3_state(s3: Any, bucket: str) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        bpa = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError:
        bpa = None
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError:
        policy = None
    grants = sorted(json.dumps(g, sort_keys=True) for g in s3.get_bucket_acl(Bucket=bucket)["Grants"])
    return {"bpa": bpa, "policy": policy, "acl": grants}


def _gcp_state(estate: Any, project: str) -> dict[str, Any]:
    from cloudaudit_demo.estate.seed_gcp import bigquery_client, storage_client

    state: dict[str, Any] = {}
    storage = storage_client(project, estate.storage_url(project))
    for bucket in storage.list_buckets():
        bucket = storage.get_bucket(bucket.name)
        policy = bucket.get_iam_policy(requested_policy_version=3)
        state[f"gs://{bucket.name} pap"] = bucket.iam_configuration.public_access_prevention
        state[f"gs://{bucket.name} iam"] = sorted(f"{b['role']} {m}" for b in policy.bindings for m in b["members"])
    bq = bigquery_client(project, estate.bigquery_url)
    for item in bq.list_datasets():
        dataset = bq.get_dataset(item.reference)
        state[f"bq://{project}.{dataset.dataset_id} access"] = sorted(
            f"{e.role} {e.entity_type} {e.entity_id}" for e in dataset.access_entries)
        for table in bq.list_tables(dataset.reference):
            policy = bq.get_iam_policy(table.reference)
            state[f"bq://{project}.{dataset.dataset_id}.{table.table_id} iam"] = sorted(
                f"{b['role']} {m}" for b in policy.bindings for m in b["members"])
    return state


def estate_state(estate: Any) -> dict[str, Any]:
    """Every access setting of the three countries' resources: S3 buckets, GCS buckets, BQ datasets and tables."""
    s3 = _s3(estate)
    state: dict[str, Any] = {}
    for bucket in s3.list_buckets()["Buckets"]:
        for key, value in _s3_state(s3, bucket["Name"]).items():
            state[f"s3://{bucket['Name']} {key}"] = value
    for project in ("th-dealer-analytics", "my-dealer-ops", "sg-dealer-portal"):
        state |= {f"{project} {k}": v for k, v in _gcp_state(estate, project).items()}
    return state


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# ---- the module's one flow ---------------------------------------------------------------------


@dataclass
class Flow:
    stack: RemediateStack
    before: dict[str, Any]  # after the first scan, before any remediation
    after: dict[str, Any]  # after every remediation run ended
    tampered: dict[str, Any]  # what the test changed itself (JP's bucket policy) before approving
    details: dict[str, dict[str, Any]]  # country -> its HITL request as the API listed it (pending)
    answers: dict[str, list[tuple[str, int]]]  # country -> (user, HTTP status) of each PATCH
    chosen: dict[str, list[str]]  # country -> the options chosen
    runs: dict[str, tuple[str, str]]  # run_id -> (run_type, state)
    confirmed: dict[str, dict[str, Any]]  # country -> confirm's return value
    applied: dict[str, dict[str, Any]]  # country -> apply's return value
    approve_states: dict[tuple[str, int], str]  # (run_id, map_index) -> the approval task's final state
    metadata_db: list[Haystack]  # every column of every table, read before the database is dropped
    rescan_log: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def _country(detail: dict[str, Any]) -> str:
    found = re.search(r"proposed for ([A-Z]{2}) \(", detail["subject"])
    assert found, detail["subject"]
    return found.group(1)


def _jp_choice(options: list[str]) -> list[str]:
    """A subset: Block Public Access (applied) and the policy fix (its bucket is changed first: skipped)."""
    return [o for o in options if "block public access" in o or "policy" in o]


def _tamper_jp_policy(estate: Any, options: list[str]) -> dict[str, Any]:
    """Change the bucket policy the proposal read (a benign extra statement), as someone else might."""
    label = next(o for o in options if "policy" in o)
    bucket = label.split(": ", 1)[1].split(" ")[0].split("/")[0]
    s3 = _s3(estate)
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    policy["Statement"] = [*policy["Statement"], {"Sid": "PartnerList", "Effect": "Allow", "Principal": {"AWS": PARTNER},
                                                  "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return {"bucket": bucket, "policy": json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])}


def parked(stack: RemediateStack, detail: dict[str, Any]) -> bool:
    """The scheduler has processed the end of the approval's first (parking) workload.

    Airflow 3.3.2 race: a response that resumes the task before the scheduler handles the parking
    workload's executor event makes it mark the resumed task failed ("finished with state success,
    but the task instance's state attribute is running"). People take longer than that; a test
    answering within a second must wait for it.
    """
    ti = detail["task_instance"]
    marker = (f"task_id=approve, run_id={ti['dag_run_id']}, map_index={ti['map_index']}, ")
    log = stack.stack.logs["scheduler"].read_text(errors="replace")
    return any(marker in line and "state=awaiting_input" in line for line in log.splitlines())


def _unavailable() -> str | None:
    return postgres_unavailable_reason()


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    from cloudaudit_demo.estate.manager import running_estate

    reason = _unavailable()
    if reason:  # under CI=true this skip is a failure (tests/conftest.py)
        pytest.skip(f"{reason}: the remediation e2e test needs a PostgreSQL metadata DB")
    started = time.monotonic()
    root = tmp_path_factory.mktemp("remediate")
    with running_estate(root / "state" / "estate") as estate:
        inventory = remediation_inventory(estate, root / "inventory.yaml", ALLOWED, APPROVERS,
                                          default=set(ENVIRONMENTS) - set(ALLOWED))
        timings = {"estate_s": time.monotonic() - started}
        with remediate_stack(root, estate, inventory, approval_timeout_s=APPROVAL_TIMEOUT_S) as stack:
            timings["stack_s"] = time.monotonic() - started
            # Tasks cannot read FAB's ab_user (Airflow 3 keeps workers off the DB): approvers as name:id.
            remediation_inventory(estate, inventory, ALLOWED,
                                  {cc: [f"{n}:{stack.user_ids[n]}" for n in names] for cc, names in APPROVERS.items()},
                                  default=set(ENVIRONMENTS) - set(ALLOWED))
            admin, jp, th = stack.client("admin"), stack.client("jp_engineer"), stack.client("th_engineer")
            stack.daily(D1, COUNTRIES, list(ENVIRONMENTS))
            timings["daily_s"] = time.monotonic() - started
            before = estate_state(estate)

            details: dict[str, dict[str, Any]] = {}
            answers: dict[str, list[tuple[str, int]]] = {c: [] for c in COUNTRIES}
            chosen: dict[str, list[str]] = {}
            tampered: dict[str, Any] = {}

            def answer_pending() -> bool | None:
                for detail in admin.pending_approvals():
                    country = _country(detail)
                    if country in details or not parked(stack, detail):
                        continue
                    details[country] = detail
                    if country == "JP":
                        answers["JP"].append(("th_engineer", th.respond(detail, [REJECT_ALL], "not mine").status))
                        tampered.update(_tamper_jp_policy(estate, detail["options"]))
                        chosen["JP"] = _jp_choice(detail["options"])
                        answers["JP"].append(("jp_engineer", jp.respond(detail, chosen["JP"], "approved: BPA and policy")
                                              .status))
                    elif country == "TH":
                        chosen["TH"] = [REJECT_ALL]
                        answers["TH"].append(("th_engineer", th.respond(detail, [REJECT_ALL], "website first").status))
                    elif country == "SG":  # dry_run: every fix approved, none applied
                        chosen["SG"] = [o for o in detail["options"] if o != REJECT_ALL]
                        answers["SG"].append(("jp_engineer", jp.respond(detail, chosen["SG"], "all of them").status))
                    # MY: nobody answers; the scheduler's timeout applies the default (Reject all)
                runs = stack.remediate_runs()
                if set(details) == set(COUNTRIES) and runs and all(s in ("success", "failed") for _, s in runs.values()):
                    return True
                if stack.stack.dead():
                    raise AssertionError(f"components exited: {stack.stack.dead()}\n{stack.stack.failure_context()}")
                return None

            wait_for(answer_pending, 240, "every country's approval to be answered or to time out and the runs to end",
                     lambda: f"seen {sorted(details)}, runs {stack.remediate_runs()}\n{stack.stack.failure_context()}",
                     interval=1.0)
            timings["remediate_s"] = time.monotonic() - started
            after = estate_state(estate)
            runs = stack.remediate_runs()
            confirmed: dict[str, dict[str, Any]] = {}
            applied: dict[str, dict[str, Any]] = {}
            for run_id in runs:
                for value in stack.xcom(run_id, "confirm").values():
                    confirmed[value["country"]] = value
                for value in stack.xcom(run_id, "apply").values():
                    applied[value["country"]] = value
            approve_states = {(run_id, i): state for run_id in runs
                              for (task, i), state in stack.task_states(run_id).items() if task == "approve"}
            # The next scan, one day later, of JP and TH: remediate paused so it proposes nothing new meanwhile.
            admin.ok("PATCH", f"/dags/{REMEDIATE}", {"is_paused": True})
            rescan_log = stack.daily(D2, ["JP", "TH"], ["jp-connected-prod", "th-dealer-analytics"])
            timings["rescan_s"] = time.monotonic() - started
            metadata_db = postgres_tables(stack.stack.database)
            result = Flow(stack, before, after, tampered, details, answers, chosen, runs, confirmed, applied,
                          approve_states, metadata_db, rescan_log, timings)
            yield result
            timings.update(stack.timings)
    timings["module_s"] = time.monotonic() - started
    print(f"\nremediation e2e timings: {json.dumps({k: round(v, 1) for k, v in timings.items()})}")


# ---- the tests ---------------------------------------------------------------------------------


def test_reports_events_started_remediation_for_each_published_country(flow: Flow) -> None:
    assert set(flow.details) == set(COUNTRIES)
    assert flow.runs and {t for t, _ in flow.runs.values()} == {"asset_triggered"}
    assert all(state == "success" for _, state in flow.runs.values()), flow.runs
    # answered (JP, TH) and timed out (MY: the default applied) approvals all succeed
    assert len(flow.approve_states) == len(COUNTRIES) and set(flow.approve_states.values()) == {"success"}, \
        flow.approve_states
    labels = flow.stack.stack.query("SELECT task_id, rendered_map_index FROM task_instance WHERE dag_id = %s "
                                    "AND run_id = ANY(%s)", (REMEDIATE, list(flow.runs)))
    for task in ("propose", "approve", "apply", "confirm"):  # the UI names each mapped instance by its country
        assert sorted(label for t, label in labels if t == task) == COUNTRIES, (task, labels)


def test_each_approval_lists_the_fixes_and_is_assigned_to_the_country_engineers(flow: Flow) -> None:
    ids = flow.stack.user_ids
    for country, detail in flow.details.items():
        assert detail["options"][-1] == REJECT_ALL and detail["defaults"] == [REJECT_ALL], country
        assert detail["multiple"] is True
        assert "comment" in detail["params"]
        assigned = {(u["id"], u["name"]) for u in detail["assigned_users"]}
        assert assigned == {(ids[name], name) for name in APPROVERS[country]}, country
    jp = flow.details["JP"]["options"]
    assert any("block public access" in o for o in jp) and any("policy" in o for o in jp) and \
        any("acl" in o for o in jp), jp
    assert len(flow.details["TH"]["options"]) > 1 and len(flow.details["MY"]["options"]) > 1


def test_an_engineer_of_another_country_is_refused(flow: Flow) -> None:
    assert flow.answers["JP"][0] == ("th_engineer", 403)
    assert flow.answers["JP"][1] == ("jp_engineer", 200)
    assert flow.answers["TH"] == [("th_engineer", 200)]


def test_only_the_approved_unchanged_resource_changed(flow: Flow) -> None:
    bucket = flow.tampered["bucket"]
    diff = changed(flow.before, flow.after)
    # the policy is the test's own change (the proposal saw the old one); BPA is the approved fix
    assert diff == {f"s3://{bucket} policy", f"s3://{bucket} bpa"}, diff
    assert flow.after[f"s3://{bucket} bpa"] == {k: True for k in ("BlockPublicAcls", "IgnorePublicAcls",
                                                                   "BlockPublicPolicy", "RestrictPublicBuckets")}
    assert flow.after[f"s3://{bucket} policy"] == flow.tampered["policy"]  # the skipped fix left it alone
    assert flow.after[f"s3://{bucket} acl"] == flow.before[f"s3://{bucket} acl"]  # not approved
    assert any("AllUsers" in g for g in flow.after[f"s3://{bucket} acl"])


def test_apply_records_applied_skipped_and_not_approved(flow: Flow) -> None:
    statuses = {r["label"]: r["status"] for r in flow.applied["JP"]["results"]}
    assert {label for label, s in statuses.items() if s == "APPLIED"} == \
        {o for o in flow.chosen["JP"] if "block public access" in o}
    assert {label for label, s in statuses.items() if s == "SKIPPED_CHANGED"} == \
        {o for o in flow.chosen["JP"] if "policy" in o}
    assert {label for label, s in statuses.items() if s == "NOT_APPROVED"} == \
        set(statuses) - set(flow.chosen["JP"])
    for country in ("TH", "MY"):
        assert {r["status"] for r in flow.applied[country]["results"]} == {"NOT_APPROVED"}, country


def test_a_dry_run_environment_records_approved_fixes_and_changes_nothing(flow: Flow) -> None:
    mine = {k for k in flow.before if k.startswith("sg-dealer-portal")}
    assert mine and not (changed(flow.before, flow.after) & mine)
    assert flow.answers["SG"] == [("jp_engineer", 200)] and len(flow.chosen["SG"]) >= 1
    assert {r["label"]: r["status"] for r in flow.applied["SG"]["results"]} == dict.fromkeys(flow.chosen["SG"], "DRY_RUN")
    assert flow.confirmed["SG"]["dry_run"] == len(flow.chosen["SG"]) and flow.confirmed["SG"]["applied"] == 0
    assert "dry run" in flow.details["SG"]["body"]


def test_rejection_and_timeout_changed_nothing(flow: Flow) -> None:
    for country, project in (("TH", "th-dealer-analytics"), ("MY", "my-dealer-ops")):
        mine = {k for k in flow.before if k.startswith(project)}
        assert mine and not (changed(flow.before, flow.after) & mine), country
        assert flow.confirmed[country]["applied"] == 0 and flow.confirmed[country]["rejected"] >= 1
    decision_th = _bundle_json(flow, "TH", "decision.json")
    assert decision_th["chosen"] == [REJECT_ALL] and decision_th["comment"] == "website first"
    assert decision_th["approver"]["name"] == "th_engineer" and not decision_th["timed_out"]
    decision_my = _bundle_json(flow, "MY", "decision.json")
    assert decision_my["timed_out"] and decision_my["approver"] is None


def _bundle(flow: Flow, country: str) -> Path:
    return Path(flow.confirmed[country]["bundle"])


def _bundle_json(flow: Flow, country: str, name: str) -> Any:
    with zipfile.ZipFile(_bundle(flow, country)) as bundle:
        members = [n for n in bundle.namelist() if n.endswith(name)]
        assert members, bundle.namelist()
        return json.loads(bundle.read(members[0]))


def test_every_remediation_bundle_verifies(flow: Flow) -> None:
    for country in COUNTRIES:
        bundle = _bundle(flow, country)
        assert bundle.name == f"remediation_{country}_{D1}.zip" and bundle.is_file()
        verify = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)], env=flow.stack.env,
                                capture_output=True, text=True, check=False)
        assert verify.returncode == 0, (country, verify.stdout + verify.stderr)
    decision = _bundle_json(flow, "JP", "decision.json")
    assert decision["approver"] == {"id": flow.stack.user_ids["jp_engineer"], "name": "jp_engineer"}
    assert sorted(decision["chosen"]) == sorted(flow.chosen["JP"]) and decision["approved_at"]


def test_confirm_and_the_next_scan_show_the_fixed_finding_closed(flow: Flow) -> None:
    assert flow.confirmed["JP"]["applied"] == 1 and flow.confirmed["JP"]["closed"] == 1
    assert flow.confirmed["JP"]["skipped"] == 1
    bucket = flow.tampered["bucket"]
    base = flow.stack.output
    rows_d1 = sheet_rows(base / D1 / "JP" / f"compliance_JP_{D1}.xlsx", "Findings")
    rows_d2 = sheet_rows(base / D2 / "JP" / f"compliance_JP_{D2}.xlsx", "Findings")

    def status(rows: list[dict[str, Any]], check_id: str) -> set[str]:
        return {r["Status"] for r in rows if r["Resource"] == f"s3://{bucket}" and r["Check ID"] == check_id}

    # Block Public Access closes the critical exposure (and neutralises the ACL and policy still in place)
    for check_id in ("aws_s3_pii_public", "aws_s3_block_public_access_off"):
        assert status(rows_d1, check_id) == {"FAIL"}, check_id
        assert status(rows_d2, check_id) == {"PASS"}, check_id
    assert not [r for r in rows_d2 if r["Status"] == "NOT_ASSESSED" and bucket in str(r["Resource"])]


def test_the_next_scan_still_finds_what_was_rejected(flow: Flow) -> None:
    def open_access(day: str) -> set[tuple[str, str]]:
        rows = sheet_rows(flow.stack.output / day / "TH" / f"compliance_TH_{day}.xlsx", "Findings")
        return {(r["Check ID"], r["Resource"]) for r in rows if r["Status"] == "FAIL"
                and r["Category"] in ("ACCESS", "PII_EXPOSURE") and r["Severity"] in ("critical", "high")}

    assert open_access(D1) and open_access(D2) == open_access(D1)


def test_no_planted_value_or_secret_in_any_output(flow: Flow) -> None:
    """Proposals, decisions, results, bundles, XComs, HITL requests and responses, task and component logs:
    resource names and access settings only, never a sampled value, never the signing key."""
    root = flow.stack.stack.root
    key = root / "signing_key.pem"
    outputs = [*flow.metadata_db, *files_under(root, exclude=[key])]
    where = [w for w, _ in outputs]
    for needed in ("remediation_JP_", "proposal.json", "task_id=approve", " hitl_detail.body", " xcom.value"):
        assert any(needed in w for w in where), f"{needed} was not searched"
    planted = json.loads((flow.stack.estate.state_dir / "planted.json").read_text())
    assert_no_leaks(LeakSearcher.from_planted(planted, secret_forms_of_pem(key.read_text())), outputs,
                    min_chars=100_000)


# ---- the approval in the Airflow UI ------------------------------------------------------------


def test_approval_in_the_ui_shows_the_fixes_and_records_the_engineers_choice(flow: Flow, tmp_path: Path) -> None:
    """th_engineer answers in a real browser the approval of a manual run for TH (yesterday's rejected fixes,
    proposed again): the form shows every fix as an option; two chosen with a comment are what Airflow
    records, and exactly those are applied."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (`make browser` or .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    stack = flow.stack
    admin = stack.client("admin")
    admin.ok("PATCH", f"/dags/{REMEDIATE}", {"is_paused": False})
    comment = "F1 and F2 approved; the bindings after the partner confirms"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{stack.url}/")
            page.fill("input[name=username]", "th_engineer")
            page.fill("input[name=password]", stack.passwords["th_engineer"])
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_load_state("networkidle")
            run = admin.ok("POST", f"/dags/{REMEDIATE}/dagRuns",
                           {"logical_date": None, "conf": {"country": "TH", "date": D2}})
            detail = wait_for(lambda: next((d for d in admin.pending_approvals()
                                            if d["task_instance"]["dag_run_id"] == run["dag_run_id"]), None),
                              120, "the manual run's approval", stack.stack.failure_context, interval=1.0)
            fixes = [o for o in detail["options"] if o != REJECT_ALL]
            assert len(fixes) >= 3, detail["options"]
            chosen = fixes[:2]
            ti = detail["task_instance"]
            page.goto(f"{stack.url}/dags/{REMEDIATE}/runs/{run['dag_run_id']}/tasks/approve/mapped/"
                      f"{ti['map_index']}/required_actions")
            try:
                page.get_by_text(detail["subject"]).first.wait_for(timeout=20_000)
                for fix in fixes:  # each fix's section in the body
                    assert page.get_by_role("heading", name=fix).count() == 1, fix
                options = page.get_by_role("combobox").first
                options.scroll_into_view_if_needed()
                options.click()
                listed = {t.strip() for t in page.get_by_role("option").all_inner_texts()}
                assert set(fixes) <= listed, listed
                options.press("Backspace")  # drop the default, Reject all
                for fix in chosen:
                    options.click()
                    page.get_by_role("option", name=fix).click()
                page.fill("input[name=element_comment]", comment)
                assert sorted(page.locator("input[name=element_chosen_options]").evaluate_all(
                    "xs => xs.map(x => x.value)")) == sorted(chosen)
                if os.environ.get("CLOUDAUDIT_SCREENSHOTS") == "1":
                    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOT))
                wait_for(lambda: parked(stack, detail) or None, 60, "the approval's park to be processed")
                page.get_by_role("button", name="Respond").click()
                answered = wait_for(lambda: next((d for d in admin.all_approvals() if d["task_instance"]["id"] == ti["id"]
                                                  and d["response_received"]), None), 30, "the UI's response")
            finally:
                page.screenshot(path=str(tmp_path / "approval.png"))
                (tmp_path / "approval.html").write_text(page.content())
        finally:
            browser.close()
    assert sorted(answered["chosen_options"]) == sorted(chosen)
    assert answered["responded_by_user"] == {"id": stack.user_ids["th_engineer"], "name": "th_engineer"}
    assert answered["params_input"] == {"comment": comment}
    wait_for(lambda: stack.remediate_runs()[run["dag_run_id"]][1] in ("success", "failed") or None, 180,
             "the manual run to end", stack.stack.failure_context)
    results = {r["label"]: r["status"] for v in stack.xcom(run["dag_run_id"], "apply").values() for r in v["results"]}
    assert results == {fix: ("APPLIED" if fix in chosen else "NOT_APPROVED") for fix in fixes}
