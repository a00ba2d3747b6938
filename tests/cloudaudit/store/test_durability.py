"""Nothing lost: publish killed mid-write, two publishers of one date, a crash between snapshot writes.

Every case runs real processes (spawned children, SIGKILLed where they stop) on real files, or
on a moto server for s3:// roots. Children stop through ``backend.write_progress`` and say so
through a multiprocessing Event: no sleeps, no timing.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.store import state
from cloudaudit.store.backend import LocalStore, Store, open_store
from cloudaudit.store.publication import bundle_key, spreadsheet_key, staged_key
from tests.cloudaudit.store.publishing import (
    CHILD_TIMEOUT_S,
    RUN_DATE,
    Roots,
    dead_environment,
    member,
    publish_child,
    publish_roots,
    seed_validation,
    snapshot_child,
)

SPAWN = multiprocessing.get_context("spawn")
XLSX = spreadsheet_key("JP", RUN_DATE)
ZIP = bundle_key("JP", RUN_DATE)
RECORD = state.chain_key("JP", RUN_DATE)


@pytest.fixture(params=["local", "s3"])
def roots(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Roots]:
    with publish_roots(request.param, tmp_path, monkeypatch) as made:
        yield made


def _kill_when_paused(proc: Any, paused: Any) -> None:
    try:
        assert paused.wait(CHILD_TIMEOUT_S), f"child {proc.pid} never reached the write it should stop in"
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(CHILD_TIMEOUT_S)
        assert proc.exitcode == -signal.SIGKILL
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()


def _verified(out: Store, tmp_path: Path) -> bytes:
    """The published bundle, after checking it verifies and carries the published spreadsheet."""
    from cloudaudit.evidence.verify import verify_bundle

    bundle, sheet = out.read_bytes(ZIP), out.read_bytes(XLSX)
    assert bundle is not None and sheet is not None
    copy = tmp_path / "published.zip"
    copy.write_bytes(bundle)
    result = verify_bundle(copy)
    assert result.ok, result.problems
    assert member(bundle, XLSX.rsplit("/", 1)[-1]) == sheet  # the pair is one run's
    return bundle


# Where the child is killed: the staged copy (before the commit), the spreadsheet, the bundle.
POINTS = {"staging": f"published/JP/{RUN_DATE}/", "spreadsheet": XLSX, "bundle": ZIP}


@pytest.mark.parametrize("point", list(POINTS))
def test_publish_killed_mid_write_leaves_no_partial_report_and_a_retry_completes(
        roots: Roots, point: str, tmp_path: Path) -> None:
    from cloudaudit.pipeline import publish_country

    validated = seed_validation()
    paused = SPAWN.Event()
    proc = SPAWN.Process(target=publish_child, args=(validated, POINTS[point], 1024, paused, None), daemon=True)
    proc.start()
    _kill_when_paused(proc, paused)

    store, out = open_store(roots.state), open_store(roots.output)
    assert out.read_bytes(ZIP) is None  # never a truncated bundle at the SPEC path
    record = state.read_json(store, RECORD)
    if point == "staging":
        assert record is None and out.read_bytes(XLSX) is None
    else:
        committed = store.read_bytes(record["staged"])
        assert committed is not None and hashlib.sha256(committed).hexdigest() == record["sha256"]
        sheet = out.read_bytes(XLSX)
        # killed while writing it: absent; killed on the bundle after it: whole, and the committed one's
        assert sheet is None if point == "spreadsheet" else sheet == member(committed, XLSX.rsplit("/", 1)[-1])
    if roots.kind == "local":  # the write really was cut: 1 KiB of it sits in a hidden temporary file
        parts = [p for p in Path(roots.state if point == "staging" else roots.output).rglob("*.part")]
        assert [p.stat().st_size for p in parts] == [1024]

    retried = publish_country(validated, run_id="retry")
    bundle = _verified(out, tmp_path)
    assert hashlib.sha256(bundle).hexdigest() == retried.bundle_sha256
    if record is not None:  # the killed run had committed: the retry finished its publication
        assert retried.bundle_sha256 == record["sha256"]
    if roots.kind == "local":  # the dead writer's temporary file was swept (its flock died with it)
        assert not [p for root in (roots.state, roots.output) for p in Path(root).rglob("*.part")]
    assert store.list_keys(f"published/JP/{RUN_DATE}/") == [staged_key("JP", RUN_DATE, retried.bundle_sha256)]


def test_two_publishers_of_one_date_end_with_one_consistent_verifiable_result(roots: Roots, tmp_path: Path) -> None:
    """Both children build their own bundle, stop just before committing, and are let go
    together: one commit wins, both return it, and the next day chains to it."""
    import json
    import zipfile

    from cloudaudit.evidence.verify import verify_chain
    from cloudaudit.pipeline import publish_country

    validated = seed_validation()
    release, results = SPAWN.Event(), SPAWN.Queue()
    paused = [SPAWN.Event(), SPAWN.Event()]
    procs = [SPAWN.Process(target=publish_child, args=(validated, RECORD, 1, p, release, results), daemon=True)
             for p in paused]
    for proc in procs:
        proc.start()
    try:
        for proc, event in zip(procs, paused, strict=True):
            assert event.wait(CHILD_TIMEOUT_S), f"child {proc.pid} never reached its commit"
        release.set()
        outcomes = [results.get(timeout=CHILD_TIMEOUT_S) for _ in procs]
        for proc in procs:
            proc.join(CHILD_TIMEOUT_S)
            assert proc.exitcode == 0
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join()

    store, out = open_store(roots.state), open_store(roots.output)
    bundle = _verified(out, tmp_path)
    sha = hashlib.sha256(bundle).hexdigest()
    assert {o["sha256"] for o in outcomes} == {sha}  # both runs report the one publication
    assert state.read_json(store, RECORD)["sha256"] == sha
    with zipfile.ZipFile(tmp_path / "published.zip") as archive:
        winner = json.loads(archive.read("manifest.json"))["run_id"]
    assert winner in {o["run_id"] for o in outcomes}
    assert store.list_keys(f"published/JP/{RUN_DATE}/") == [staged_key("JP", RUN_DATE, sha)]  # loser's is gone

    next_day = publish_country(seed_validation("2026-11-21"), run_id="next")  # the chain has one head
    later = tmp_path / "next.zip"
    later.write_bytes(out.read_bytes(bundle_key("JP", "2026-11-21")) or b"")
    assert next_day.bundle_sha256 == hashlib.sha256(later.read_bytes()).hexdigest()
    assert verify_chain([tmp_path / "published.zip", later]) == []


def _refused_port() -> str:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_crash_between_snapshot_writes_reads_as_absent_and_auto_extracts_again(roots: Roots) -> None:
    from cloudaudit import pipeline
    from cloudaudit.config import Limits

    endpoint = _refused_port()
    paused = SPAWN.Event()
    proc = SPAWN.Process(target=snapshot_child, args=(roots.state, RUN_DATE, endpoint, paused), daemon=True)
    proc.start()
    _kill_when_paused(proc, paused)

    store = open_store(roots.state)
    key = state.snapshot_key(RUN_DATE, "jp-dead")
    assert store.read_bytes(key) is not None  # the snapshot itself was written ...
    assert store.read_bytes(key + state.COMPLETE) is None  # ... its completion marker was not
    assert state.read_snapshot(store, key) is None

    env = dead_environment(endpoint)
    replayed = pipeline.extract_environment(env, RUN_DATE, "replay", store=store)
    assert replayed["snapshot"] is None and replayed["status"] == "NOT_ASSESSED"
    again = pipeline.extract_environment(env, RUN_DATE, "auto", store=store, limits=Limits(call_timeout_s=2))
    assert again["source"] == "live"  # extracted anew, not replayed from the half-written pair
    fresh = state.read_snapshot(store, key)
    assert fresh is not None and fresh.reason != "captured before the crash"
    assert pipeline.extract_environment(env, RUN_DATE, "auto", store=store)["source"] == "replay"


def test_snapshot_that_differs_from_its_marker_reads_as_absent(tmp_path: Path) -> None:
    from cloudaudit import pipeline

    store = LocalStore(tmp_path)
    key = state.write_snapshot(store, pipeline.not_assessed_snapshot(
        dead_environment(_refused_port()), RUN_DATE, "complete"))
    assert state.read_snapshot(store, key) is not None
    whole = store.read_bytes(key) or b""
    store.write_bytes(key, whole[: len(whole) // 2])  # torn: e.g. copied by a tool that died
    assert state.read_snapshot(store, key) is None



def test_a_concurrent_extracts_whole_snapshot_counts_under_the_other_ones_marker(tmp_path: Path) -> None:
    """Two extracts of one environment and date: body A, body B, marker B, marker A."""
    from cloudaudit import pipeline

    store = LocalStore(tmp_path)
    env = dead_environment(_refused_port())
    key = state.write_snapshot(store, pipeline.not_assessed_snapshot(env, RUN_DATE, "run A"))
    marker_a = store.read_bytes(key + state.COMPLETE) or b""
    state.write_snapshot(store, pipeline.not_assessed_snapshot(env, RUN_DATE, "run B"))
    store.write_bytes(key + state.COMPLETE, marker_a)
    snapshot = state.read_snapshot(store, key)
    assert snapshot is not None and snapshot.reason == "run B"
    other = pipeline.not_assessed_snapshot(dead_environment(_refused_port()), "2026-11-19", "another date")
    store.write_bytes(key, other.model_dump_json().encode())  # whole, but not this key's snapshot
    assert state.read_snapshot(store, key) is None


def test_create_bytes_writes_only_when_absent(roots: Roots) -> None:
    store = open_store(roots.state)
    assert store.create_bytes("chain/JP/x.json", b"first") is True
    assert store.create_bytes("chain/JP/x.json", b"second") is False
    assert store.read_bytes("chain/JP/x.json") == b"first"
    store.delete("chain/JP/x.json")
    assert store.read_bytes("chain/JP/x.json") is None
    assert store.create_bytes("chain/JP/x.json", b"third") is True


def test_a_live_writers_temporary_file_is_not_swept(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    path = tmp_path / "2026-11-20" / "JP" / "evidence_JP_2026-11-20.zip"
    with store._temp_file(path, b"in progress") as held:  # a writer between its writes and its rename
        store.write_bytes("2026-11-20/JP/compliance_JP_2026-11-20.xlsx", b"done")  # sweeps the directory
        assert Path(held).read_bytes() == b"in progress"
        os.replace(held, path)
    assert path.read_bytes() == b"in progress"
    assert not list(tmp_path.rglob("*.part"))
