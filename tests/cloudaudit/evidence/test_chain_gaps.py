"""The bundle hash chain across gaps and re-runs: D1, no D2, D3 chains to D1 (and says so); a
re-run of a published date replaces its report, and the next date's link, which still names the
superseded bundle, resolves through the retained copy; a bundle linked to a stale predecessor
date is refused."""

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
from cloudaudit.store.publication import (
    ChainMoved,
    bundle_key,
    chain_report,
    follow_chain,
    outputs_match,
    publish,
    spreadsheet_key,
    staged_key,
)
from tests.cloudaudit.reports.reportfactory import make_report
from tests.cloudaudit.store.publishing import Roots, member, publish_roots, seed_validation

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


def _findings(xlsx: bytes) -> list[tuple[str, str, str]]:
    """(Resource, Check ID, Status) of every row of the Findings sheet."""
    import io

    from openpyxl import load_workbook

    rows = load_workbook(io.BytesIO(xlsx), read_only=True)["Findings"].iter_rows(values_only=True)
    header = list(next(rows))
    at = [header.index(name) for name in ("Resource", "Check ID", "Status")]
    return sorted(tuple(str(row[i]) for i in at) for row in rows)  # type: ignore[misc]


def _expected(seed: int) -> list[tuple[str, str, str]]:
    return sorted((f.resource, f.check_id, f.status.value) for f in make_report(seed=seed, n_findings=12).findings)


def test_a_rerun_of_a_published_date_replaces_its_report_and_the_chain_follows_the_retained_bundle(
        roots: Roots, tmp_path: Path) -> None:
    first = publish_country(seed_validation(D1), run_id="first")
    publish_country(seed_validation(D2))  # chains to the first D1 bundle
    store, out = open_store(roots.state), open_store(roots.output)
    assert _findings(out.read_bytes(spreadsheet_key("JP", D1)) or b"") == _expected(3)

    again = publish_country(seed_validation(D1, seed=9), run_id="rerun")  # the estate changed: new findings
    assert again.bundle_sha256 != first.bundle_sha256
    d1, d2 = _download(roots, D1, tmp_path), _download(roots, D2, tmp_path)
    sheet = out.read_bytes(spreadsheet_key("JP", D1)) or b""
    assert _findings(sheet) == _expected(9) != _expected(3)  # the new state is what the report shows
    assert member(d1.read_bytes(), f"compliance_JP_{D1}.xlsx") == sheet  # both files are the re-run's
    assert _manifest(d1)["run_id"] == "rerun" and run_verify(d1) == 0
    assert outputs_match(store, out, "JP", D1)

    record = state.read_json(store, state.chain_key("JP", D1))
    assert [(e["sha256"], e["run_id"]) for e in record["superseded"]] == [(first.bundle_sha256, "first")]
    retained = store.read_bytes(staged_key("JP", D1, first.bundle_sha256))  # superseded, kept as evidence
    assert retained is not None and hashlib.sha256(retained).hexdigest() == first.bundle_sha256

    # D2 still names the first D1 bundle: not a break, a link to a retained superseded bundle
    assert _manifest(d2)["previous_bundle_sha256"] == first.bundle_sha256
    assert verify_chain([d1, d2]) == [f"{d2.name}: previous_bundle_sha256: does not match {d1.name}"]
    report = {link.run_date: link for link in chain_report(store, "JP")}
    assert report[D2].ok and report[D2].status == f"chains to a superseded bundle of {D1} (retained)"
    assert report[D1].ok and report[D1].status == "first bundle of its country (no predecessor)"
    followed = follow_chain(store, "JP", D2)
    assert [(link.run_date, link.sha256) for link in followed] == [
        (D2, hashlib.sha256(d2.read_bytes()).hexdigest()), (D1, first.bundle_sha256)]
    assert all(link.ok for link in followed)
    retained_path = tmp_path / "retained.zip"
    retained_path.write_bytes(retained)
    assert verify_chain([retained_path, d2]) == []  # any standard check holds against the retained copy

    publish_country(seed_validation(D3))  # a later date chains to what is published now
    assert _manifest(_download(roots, D3, tmp_path))["previous_bundle_sha256"] == hashlib.sha256(
        d2.read_bytes()).hexdigest()
    assert [link.status for link in follow_chain(store, "JP", D3)] == [
        f"chains to the published bundle of {D2}", f"chains to a superseded bundle of {D1} (retained)",
        "first bundle of its country (no predecessor)"]


def test_a_bundle_built_before_its_predecessor_was_republished_is_committed_linked_to_the_retained_one(
        roots: Roots) -> None:
    """D2 is built (linked to D1 as published), D1 is re-run, then D2 commits: the link is kept."""
    first = publish_country(seed_validation(D1), run_id="first")
    name = spreadsheet_key("JP", D2).rsplit("/", 1)[-1]
    built = build_bundle(country="JP", run_date=D2, dag_id="cloudaudit_daily", run_id="built-early",
                         generated_at=f"{D2}T00:00:00Z", captured_at=None, tool_version="test", policy_digest="x",
                         members={name: b"not really a workbook"}, previous_bundle_sha256=first.bundle_sha256,
                         previous_bundle_run_date=D1, private_key=Ed25519PrivateKey.generate())
    publish_country(seed_validation(D1, seed=9), run_id="rerun")
    store, out = open_store(roots.state), open_store(roots.output)
    published = publish(store, out, built)
    assert (published.previous_run_date, published.previous_bundle_sha256) == (D1, first.bundle_sha256)
    assert [link.status for link in follow_chain(store, "JP", D2)] == [
        f"chains to a superseded bundle of {D1} (retained)", "first bundle of its country (no predecessor)"]


def test_a_link_to_a_lost_altered_or_never_committed_bundle_is_a_break(roots: Roots) -> None:
    first = publish_country(seed_validation(D1), run_id="first")
    publish_country(seed_validation(D2))
    publish_country(seed_validation(D1, seed=9), run_id="rerun")
    store = open_store(roots.state)
    retained = staged_key("JP", D1, first.bundle_sha256)
    original = store.read_bytes(retained) or b""

    store.write_bytes(retained, original + b"tampered")
    [link] = [link for link in chain_report(store, "JP") if link.run_date == D2]
    assert not link.ok and link.status == (
        f"break: a superseded bundle of {D1} ({first.bundle_sha256}) is missing or altered in the state store")
    store.delete(retained)
    assert not follow_chain(store, "JP", D2)[-1].ok

    store.write_bytes(retained, original)  # back, but the record no longer lists it: never committed
    record = state.read_json(store, state.chain_key("JP", D1))
    state.write_json(store, state.chain_key("JP", D1), {**record, "superseded": []})
    assert follow_chain(store, "JP", D2)[0].status == (
        f"break: previous bundle {first.bundle_sha256} was never committed for {D1}")


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
        publish(store, out, stale)
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
