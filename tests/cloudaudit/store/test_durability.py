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


def _staged(store: Store) -> list[str]:
    return store.list_keys(f"published/JP/{RUN_DATE}/")


def _run_id(bundle: bytes) -> str:
    import json

    return str(json.loads(member(bundle, "manifest.json"))["run_id"])


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
        assert record is None and out.read_bytes(XLSX) is None and _staged(store) == []
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
    assert hashlib.sha256(bundle).hexdigest() == retried.bundle_sha256 == state.read_json(store, RECORD)["sha256"]
    assert _run_id(bundle) == "retry"  # the retry's own run replaced the killed one's commit
    if roots.kind == "local":  # the dead writer's temporary file was swept (its flock died with it)
        assert not [p for root in (roots.state, roots.output) for p in Path(root).rglob("*.part")]
    kept = [staged_key("JP", RUN_DATE, retried.bundle_sha256)]
    if record is not None:  # the killed run had committed: its bundle is superseded and retained
        assert [e["sha256"] for e in state.read_json(store, RECORD)["superseded"]] == [record["sha256"]]
        kept.append(record["staged"])
    assert _staged(store) == sorted(kept)


def test_a_replacement_killed_between_its_two_writes_is_detected_and_restored(roots: Roots, tmp_path: Path) -> None:
    """Run A is published; run B of the same date is killed 1 KiB into its bundle, after its
    spreadsheet: B's spreadsheet sits beside A's bundle (each whole) until restore or a retry."""
    from cloudaudit.pipeline import publish_country
    from cloudaudit.store.publication import outputs_match, restore

    first = publish_country(seed_validation(), run_id="first")
    paused = SPAWN.Event()
    proc = SPAWN.Process(target=publish_child, args=(seed_validation(seed=9), ZIP, 1024, paused, None),
                         daemon=True)
    proc.start()
    _kill_when_paused(proc, paused)

    store, out = open_store(roots.state), open_store(roots.output)
    record = state.read_json(store, RECORD)
    assert record["sha256"] != first.bundle_sha256 and record["superseded"][0]["sha256"] == first.bundle_sha256
    assert hashlib.sha256(out.read_bytes(ZIP) or b"").hexdigest() == first.bundle_sha256  # whole, the old one
    assert not outputs_match(store, out, "JP", RUN_DATE)  # the mix is visible: the bundle carries its spreadsheet

    restored = restore(store, out, "JP", RUN_DATE)
    assert restored is not None and restored.bundle_sha256 == record["sha256"]
    assert outputs_match(store, out, "JP", RUN_DATE)
    assert _run_id(_verified(out, tmp_path)).startswith("child-")


def test_two_publishers_of_one_date_end_with_one_consistent_verifiable_result(roots: Roots, tmp_path: Path) -> None:
    """Both children build their own bundle, stop just before committing, and are let go
    together: both commit (the loser of the first swap commits again over the winner), the later
    commit's pair is what is published, and the next day chains to it."""
    from cloudaudit.evidence.verify import verify_chain
    from cloudaudit.pipeline import publish_country
    from cloudaudit.store.publication import outputs_match

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
    record = state.read_json(store, RECORD)
    assert record["sha256"] == sha and outputs_match(store, out, "JP", RUN_DATE)
    later = next(o for o in outcomes if o["run_id"] == record["run_id"])
    earlier = next(o for o in outcomes if o["run_id"] != record["run_id"])
    assert _run_id(bundle) == later["run_id"] and later["sha256"] == sha  # the last commit won, never a mix
    # the earlier run wrote its own pair before it was replaced, or the later one's after
    assert earlier["sha256"] in {sha, *earlier["own"]}
    if roots.kind == "local":  # flock makes the swap atomic; moto checks If-None-Match without a lock
        assert [e["run_id"] for e in record["superseded"]] == [earlier["run_id"]]
    assert len(_staged(store)) == 2  # both bundles are retained
    assert all(hashlib.sha256(store.read_bytes(k) or b"").hexdigest() in k for k in _staged(store))

    next_day = publish_country(seed_validation("2026-11-21"), run_id="next")  # the chain has one head
    following = tmp_path / "next.zip"
    following.write_bytes(out.read_bytes(bundle_key("JP", "2026-11-21")) or b"")
    assert next_day.bundle_sha256 == hashlib.sha256(following.read_bytes()).hexdigest()
    assert verify_chain([tmp_path / "published.zip", following]) == []


@pytest.mark.parametrize("target", [XLSX, ZIP], ids=["spreadsheet", "bundle"])
def test_a_stale_writer_cannot_overwrite_a_later_runs_files(roots: Roots, target: str, tmp_path: Path) -> None:
    """Run A commits, checks its record, and stops 1 KiB into one of its files; run B commits and
    publishes; A resumes: its swap fails on the changed file, it sees B's record and writes B's
    pair. Without the fence, A stopped in its bundle would leave it beside B's spreadsheet."""
    from cloudaudit.pipeline import publish_country
    from cloudaudit.store.publication import outputs_match

    release, results, paused = SPAWN.Event(), SPAWN.Queue(), SPAWN.Event()
    proc = SPAWN.Process(target=publish_child, args=(seed_validation(), target, 1024, paused, release, results),
                         daemon=True)
    proc.start()
    try:
        assert paused.wait(CHILD_TIMEOUT_S), f"child never reached {target}"
        later = publish_country(seed_validation(seed=9), run_id="later")
        release.set()
        outcome = results.get(timeout=CHILD_TIMEOUT_S)
        proc.join(CHILD_TIMEOUT_S)
        assert proc.exitcode == 0
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()

    store, out = open_store(roots.state), open_store(roots.output)
    assert hashlib.sha256(_verified(out, tmp_path)).hexdigest() == later.bundle_sha256 == outcome["sha256"]
    assert outputs_match(store, out, "JP", RUN_DATE)
    assert outcome["own"] and outcome["own"] != [later.bundle_sha256]  # A did commit, and was superseded
    assert [e["sha256"] for e in state.read_json(store, RECORD)["superseded"]] == outcome["own"]


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


def test_swap_bytes_replaces_only_the_version_it_read(roots: Roots) -> None:
    """The compare-and-swap under the commit record: moto honours If-Match (and If-None-Match: *) on
    PutObject, answering 412 to a stale ETag, as S3 does; locally the flock'd compare does the same."""
    store = open_store(roots.state)
    key = "chain/JP/y.json"
    assert store.version(key) is None and store.read_versioned(key) is None
    first = store.swap_bytes(key, b"one", None)
    assert first is not None and store.version(key) == first
    assert store.swap_bytes(key, b"not over an existing one", None) is None
    second = store.swap_bytes(key, b"two", first)
    assert second is not None and second != first
    assert store.swap_bytes(key, b"stale", first) is None  # read "one", but "two" is there now
    assert store.read_versioned(key) == (b"two", second)
    store.delete(key)
    assert store.swap_bytes(key, b"gone", second) is None  # If-Match on a deleted key fails too
    assert store.list_keys("chain/JP/") == []  # lock files are not keys


def test_a_live_writers_temporary_file_is_not_swept(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    path = tmp_path / "2026-11-20" / "JP" / "evidence_JP_2026-11-20.zip"
    with store._temp_file(path, b"in progress") as held:  # a writer between its writes and its rename
        store.write_bytes("2026-11-20/JP/compliance_JP_2026-11-20.xlsx", b"done")  # sweeps the directory
        assert Path(held).read_bytes() == b"in progress"
        os.replace(held, path)
    assert path.read_bytes() == b"in progress"
    assert not list(tmp_path.rglob("*.part"))


def test_a_commit_that_keeps_losing_gives_up_after_a_bounded_number_of_swaps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every swap of the record loses (another run always got there first): the publisher stops
    after MAX_SWAPS attempts, writes nothing at the SPEC paths and keeps its staged bundle."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cloudaudit.evidence.bundle import build_bundle
    from cloudaudit.store import publication

    store, out = LocalStore(tmp_path / "state"), LocalStore(tmp_path / "output")
    bundle = build_bundle(country="JP", run_date=RUN_DATE, dag_id="d", run_id="r", generated_at=f"{RUN_DATE}T00:00:00Z",
                          captured_at=None, tool_version="t", policy_digest="p",
                          members={XLSX.rsplit("/", 1)[-1]: b"sheet"}, previous_bundle_sha256=None,
                          private_key=Ed25519PrivateKey.generate())
    attempts: list[str | None] = []

    def always_lost(key: str, data: bytes, expected: str | None, **_: object) -> str | None:
        attempts.append(expected)
        return None

    monkeypatch.setattr(store, "swap_bytes", always_lost)
    with pytest.raises(publication.PublishContention, match="lost 8 commits"):
        publication.publish(store, out, bundle)
    assert len(attempts) == publication.MAX_SWAPS == 8
    assert out.read_bytes(XLSX) is None and out.read_bytes(ZIP) is None
    assert _staged(store) == [staged_key("JP", RUN_DATE, hashlib.sha256(bundle).hexdigest())]
