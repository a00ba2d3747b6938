"""The bundle hash chain across gaps and re-runs: D1, no D2, D3 chains to D1 (and says so); a
re-run of a published date keeps its evidence; a bundle linked to a stale predecessor is refused."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudaudit.errors import EvidenceError
from cloudaudit.evidence.bundle import build_bundle
from cloudaudit.evidence.verify import run_verify, verify_chain
from cloudaudit.pipeline import publish_country
from cloudaudit.store import state
from cloudaudit.store.backend import open_store
from cloudaudit.store.publication import ChainMoved, bundle_key, publish_once, spreadsheet_key
from tests.cloudaudit.store.publishing import Roots, publish_roots, seed_validation

D1, D2, D3 = "2026-11-20", "2026-11-21", "2026-11-22"


@pytest.fixture(params=["local", "s3"])
def roots(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Roots]:
    with publish_roots(request.param, tmp_path, monkeypatch) as made:
        yield made


def _download(roots: Roots, run_date: str, tmp_path: Path) -> Path:
    data = open_store(roots.output).read_bytes(bundle_key("JP", run_date))
    assert data is not None, run_date
    path = tmp_path / f"evidence_JP_{run_date}.zip"
    path.write_bytes(data)
    return path


def _manifest(path: Path) -> dict[str, object]:
    with zipfile.ZipFile(path) as archive:
        manifest: dict[str, object] = json.loads(archive.read("manifest.json"))
    return manifest


def test_a_skipped_day_chains_to_the_last_published_one_and_says_which(
        roots: Roots, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = publish_country(seed_validation(D1))
    third = publish_country(seed_validation(D3))  # nothing was published for D2
    d1, d3 = _download(roots, D1, tmp_path), _download(roots, D3, tmp_path)
    manifest = _manifest(d3)
    assert manifest["previous_bundle_sha256"] == hashlib.sha256(d1.read_bytes()).hexdigest() == first.bundle_sha256
    assert manifest["previous_bundle_run_date"] == D1
    assert _manifest(d1)["previous_bundle_sha256"] is None and _manifest(d1)["previous_bundle_run_date"] is None
    assert verify_chain([d1, d3]) == []
    assert run_verify(d3) == 0
    assert f"previous bundle: {first.bundle_sha256}" in capsys.readouterr().out
    record = state.read_json(open_store(roots.state), state.chain_key("JP", D3))
    assert (record["previous_run_date"], record["previous_bundle_sha256"]) == (D1, first.bundle_sha256)
    assert third.bundle_sha256 == hashlib.sha256(d3.read_bytes()).hexdigest()


def test_a_rerun_of_a_published_date_keeps_its_evidence_so_the_chain_holds(roots: Roots, tmp_path: Path) -> None:
    first = publish_country(seed_validation(D1), run_id="first")
    publish_country(seed_validation(D2))
    again = publish_country(seed_validation(D1, seed=9), run_id="rerun")  # different findings, same date
    assert again.bundle_sha256 == first.bundle_sha256
    d1, d2 = _download(roots, D1, tmp_path), _download(roots, D2, tmp_path)
    assert _manifest(d1)["run_id"] == "first"
    assert verify_chain([d1, d2]) == []


def test_a_bundle_linked_to_a_stale_predecessor_is_not_committed(roots: Roots, tmp_path: Path) -> None:
    """Built for D3 before D1 was published (so linked to nothing), committed after: refused."""
    name = spreadsheet_key("JP", D3).rsplit("/", 1)[-1]
    stale = build_bundle(country="JP", run_date=D3, dag_id="cloudaudit_daily", run_id="stale",
                         generated_at=f"{D3}T00:00:00Z", captured_at=None, tool_version="test", policy_digest="x",
                         members={name: b"not really a workbook"}, previous_bundle_sha256=None,
                         private_key=Ed25519PrivateKey.generate())
    first = publish_country(seed_validation(D1))
    store, out = open_store(roots.state), open_store(roots.output)
    with pytest.raises(ChainMoved, match=first.bundle_sha256):
        publish_once(store, out, stale)
    assert out.read_bytes(bundle_key("JP", D3)) is None and out.read_bytes(spreadsheet_key("JP", D3)) is None
    assert state.read_json(store, state.chain_key("JP", D3)) is None
    publish_country(seed_validation(D3))  # the retry builds it again, linked to D1
    assert verify_chain([_download(roots, D1, tmp_path), _download(roots, D3, tmp_path)]) == []


def test_a_day_backfilled_after_a_later_one_forks_the_chain_and_verify_names_it(
        roots: Roots, tmp_path: Path) -> None:
    """The known limit: D3 chained to D1 before D2 existed; D2 also chains to D1."""
    publish_country(seed_validation(D1))
    publish_country(seed_validation(D3))
    publish_country(seed_validation(D2))
    d1, d2, d3 = (_download(roots, d, tmp_path) for d in (D1, D2, D3))
    assert _manifest(d2)["previous_bundle_run_date"] == D1
    assert verify_chain([d1, d3]) == [] and verify_chain([d1, d2]) == []
    assert verify_chain([d1, d2, d3]) == [
        f"{d3.name}: previous_bundle_sha256: does not match {d2.name}"]


@pytest.mark.parametrize(("previous", "when"), [(None, "2026-11-19"), ("a" * 64, D1), ("a" * 64, "2026-13")])
def test_the_predecessor_date_must_come_with_its_hash_and_before_the_run(previous: str | None, when: str) -> None:
    with pytest.raises(EvidenceError, match="previous_bundle_run_date"):
        build_bundle(country="JP", run_date=D1, dag_id="d", run_id="r", generated_at=f"{D1}T00:00:00Z",
                     captured_at=None, tool_version="t", policy_digest="p", members={}, private_key=
                     Ed25519PrivateKey.generate(), previous_bundle_sha256=previous, previous_bundle_run_date=when)
