"""Planning and grouping: pure steps of the daily job (no cloud)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudaudit import pipeline
from cloudaudit.config import Inventory
from cloudaudit.errors import ConfigError
from cloudaudit_demo.estate.ports import free_port


def inventory(n_jp: int = 2) -> Inventory:
    envs = [{"name": f"jp-{i}", "country": "JP", "provider": "aws", "account_id": f"{i:012d}"} for i in range(n_jp)]
    envs.append({"name": "th-1", "country": "TH", "provider": "gcp", "project_id": "th-1"})
    return Inventory.model_validate({"environments": envs})


def test_plan_filters_and_groups_by_country() -> None:
    inv = inventory()
    chunks = pipeline.plan({"countries": ["th"], "mode": "replay"}, "2026-11-20", inv)
    assert chunks == [{"country": "TH", "environments": ["th-1"], "run_date": "2026-11-20", "mode": "replay",
                       "rescan": "incremental"}]
    chunks = pipeline.plan({"environments": ["jp-1"], "rescan": "full"}, "2026-11-20", inv)
    assert [c["environments"] for c in chunks] == [["jp-1"]]
    assert (chunks[0]["mode"], chunks[0].get("rescan")) == ("auto", "full")


def test_plan_rejects_unknown_names_and_modes() -> None:
    inv = inventory()
    with pytest.raises(ConfigError, match="params.environments.*nope"):
        pipeline.plan({"environments": ["nope"]}, "2026-11-20", inv)
    with pytest.raises(ConfigError, match="params.countries.*SG"):
        pipeline.plan({"countries": ["SG"]}, "2026-11-20", inv)
    with pytest.raises(ConfigError, match="params.mode"):
        pipeline.plan({"mode": "fast"}, "2026-11-20", inv)


def test_thousands_of_environments_stay_under_the_map_limit() -> None:
    inv = inventory(n_jp=3000)
    chunks = pipeline.plan({}, "2026-11-20", inv)
    assert len(chunks) <= pipeline.MAX_MAPPED + 1  # one extra chunk per country at most
    assert sorted(n for c in chunks for n in c["environments"]) == sorted(e.name for e in inv.environments)


def test_every_planned_country_gets_a_job_even_when_nothing_was_read() -> None:
    chunks = pipeline.plan({}, "2026-11-20", inventory())
    extracted = [[{"environment": "jp-0", "snapshot": "snapshots/2026-11-20/jp-0.json", "reason": ""},
                  {"environment": "jp-1", "snapshot": None, "reason": "replay: no snapshot"}],
                 None]  # the TH chunk's task crashed
    jobs = pipeline.group_by_country(chunks, extracted)
    assert [j["country"] for j in jobs] == ["JP", "TH"]
    assert jobs[0]["snapshots"] == ["snapshots/2026-11-20/jp-0.json"]
    assert jobs[0]["missing"] == [{"environment": "jp-1", "reason": "replay: no snapshot"}]
    assert jobs[1]["missing"] == [{"environment": "th-1", "reason": "extract task failed"}]


def test_replay_without_snapshot_never_reads_the_cloud(tmp_path: Path) -> None:
    from cloudaudit.store.backend import LocalStore

    env = inventory().environment("jp-0")  # no endpoint: a live read would try real AWS
    summary = pipeline.extract_environment(env, "2026-11-20", "replay", store=LocalStore(tmp_path))
    assert summary["status"] == "NOT_ASSESSED" and summary["snapshot"] is None
    assert "no snapshot" in summary["reason"]
    assert not list(tmp_path.rglob("*.json"))


def test_unreachable_environment_becomes_a_not_assessed_snapshot(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    import re

    from cloudaudit.config import Limits
    from cloudaudit.store.backend import LocalStore
    from cloudaudit.store.state import read_snapshot

    port = free_port()  # a loopback port nobody listens on
    env = Inventory.model_validate({"environments": [{
        "name": "dead", "country": "JP", "provider": "aws", "account_id": "111111111111",
        "endpoint_url": f"http://127.0.0.1:{port}"}]}).environment("dead")
    store = LocalStore(tmp_path)
    caplog.set_level("INFO", logger="cloudaudit.pipeline")
    summary = pipeline.extract_environment(env, "2026-11-20", "live", store=store,
                                           limits=Limits(call_timeout_s=2))
    assert summary["status"] == "NOT_ASSESSED"
    snap = read_snapshot(store, summary["snapshot"])
    assert snap is not None and snap.status.value == "NOT_ASSESSED"
    assert snap.reason and "collector error" not in snap.reason
    # The task log says what memory the step needed, for sizing workers: this process's peak.
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("dead: NOT_ASSESSED")]
    assert len(said) == 1, [r.getMessage() for r in caplog.records]
    peak = re.search(r"peak RSS (\d+) MB", said[0])
    assert peak is not None and abs(int(peak.group(1)) - _vm_hwm_mb()) <= 2, said[0]


def _vm_hwm_mb() -> int:
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) // 1024


PEAK_CHILD = """
from pathlib import Path
from cloudaudit.pipeline import peak_rss_mb
status = Path("/proc/self/status").read_text().splitlines()
now = int(next(line for line in status if line.startswith("VmRSS")).split()[1]) // 1024
before = peak_rss_mb()
blob = b"x" * (96 << 20)  # written, so resident
print(now, before, peak_rss_mb())
"""
# A parent far larger than the child: Linux carries ru_maxrss over fork and exec, so a task process
# started by a big supervisor would report the supervisor's peak as its own.
BIG_PARENT = """
import subprocess, sys
blob = b"y" * (400 << 20)
sys.stdout.write(subprocess.run([sys.executable, "-c", sys.argv[1]], capture_output=True, text=True,
                                check=True).stdout)
"""


def test_peak_rss_is_the_process_own_peak_in_megabytes(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", BIG_PARENT, PEAK_CHILD], capture_output=True, text=True,
                         timeout=120, check=True, cwd=tmp_path)
    now, before, after = (int(v) for v in run.stdout.split())
    assert 20 < now <= before < 300  # an interpreter with cloudaudit imported, in MB; not its 400 MB parent's
    assert now + 90 <= after <= max(before, now + 110)  # the 96 MB written show up, once


def test_signing_key_from_file_then_airflow_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cloudaudit.evidence.signing import private_key_pem, public_key_pem

    from_conn, from_file = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    monkeypatch.setenv("AIRFLOW_CONN_CLOUDAUDIT_SIGNING", json.dumps(
        {"conn_type": "generic", "password": private_key_pem(from_conn).decode()}))
    monkeypatch.setenv("CLOUDAUDIT_SIGNING_CONN_ID", "cloudaudit_signing")
    monkeypatch.delenv("CLOUDAUDIT_SIGNING_KEY", raising=False)
    assert public_key_pem(pipeline._signing_key()) == public_key_pem(from_conn)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(private_key_pem(from_file))
    monkeypatch.setenv("CLOUDAUDIT_SIGNING_KEY", str(key_file))
    assert public_key_pem(pipeline._signing_key()) == public_key_pem(from_file)


def test_no_signing_key_is_an_error_and_creates_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDAUDIT_STATE", str(tmp_path / "state"))
    for name in ("CLOUDAUDIT_SIGNING_KEY", "CLOUDAUDIT_SIGNING_CONN_ID", "CLOUDAUDIT_SIGNING_KEY_GENERATE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="CLOUDAUDIT_SIGNING_KEY is not set") as raised:
        pipeline._signing_key()
    assert "CLOUDAUDIT_SIGNING_KEY_GENERATE=1" in str(raised.value)  # the error names the opt-in
    assert not (tmp_path / "state").exists()  # no key was made up on the way


def test_generated_signing_key_only_on_explicit_opt_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit.evidence.signing import public_key_pem

    monkeypatch.setenv("CLOUDAUDIT_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("CLOUDAUDIT_SIGNING_KEY_GENERATE", "1")
    first = pipeline._signing_key()
    assert (tmp_path / "state" / "signing_key.pem").is_file()
    assert public_key_pem(pipeline._signing_key()) == public_key_pem(first)  # kept, not made anew


def test_unset_inventory_fails_the_plan_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDAUDIT_INVENTORY", raising=False)
    with pytest.raises(ConfigError, match="^CLOUDAUDIT_INVENTORY is not set"):
        pipeline.plan({}, "2026-11-20")
