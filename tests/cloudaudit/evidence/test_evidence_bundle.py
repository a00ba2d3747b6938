"""Evidence bundles: layout, determinism, hash chain, signature interoperability, tamper detection."""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import struct
import subprocess
import time
import tracemalloc
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from faker import Faker

from cloudaudit.cli import main as cli_main
from cloudaudit.errors import BundleInvalid, EvidenceError
from cloudaudit.evidence.bundle import build_bundle, canonical_json
from cloudaudit.evidence.signing import fingerprint, public_key_pem
from cloudaudit.evidence.verify import bundle_sha256, chain_problem, verify_bundle, verify_chain

RUN_DATE = "2026-11-20"
Entries = dict[str, bytes]


def _members(seed: int = 5) -> Entries:
    """Synthetic pipeline outputs: masked detection results only, as the real bundle holds."""
    fake = Faker()
    fake.seed_instance(seed)
    env = f"jp-{fake.word()}-prod"
    snapshot = {"environment": {"name": env, "country": "JP"}, "run_date": RUN_DATE,
                "resources": [{"resource": f"s3://{fake.word()}-{i}", "location": "ap-northeast-1"}
                              for i in range(3)]}
    pii = [{"resource": f"s3://b/{fake.file_name(extension='csv')}", "field": "phone",
            "masked_example": "*******" + fake.numerify("####")} for _ in range(4)]
    return {
        f"snapshots/{env}.json": canonical_json(snapshot),
        f"pii/{env}.json": canonical_json(pii),
        "validation/jp_s3_buckets.json": canonical_json({"success": False, "statistics": {"evaluated": 5}}),
        "data_docs/index.html": f"<html><body>{fake.sentence()}</body></html>".encode(),
        f"compliance_JP_{RUN_DATE}.xlsx": bytes(fake.binary(length=2048)),
    }


def _build(key: Ed25519PrivateKey, members: Entries | None = None, previous: str | None = None) -> bytes:
    return build_bundle(country="JP", run_date=RUN_DATE, dag_id="cloudaudit_daily",
                        run_id="scheduled__2026-11-20T00:00:00+00:00", generated_at="2026-11-21T00:05:00+00:00",
                        captured_at="2026-11-20T00:01:02+00:00", tool_version="0.1.0", policy_digest="ab" * 32,
                        members=_members() if members is None else members,
                        previous_bundle_sha256=previous, private_key=key)


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _rezip(data: bytes, change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in change(_entries(data)):
            archive.writestr(name, content)
    return out.getvalue()


def _flip_last_byte(content: bytes) -> bytes:
    return content[:-1] + bytes([content[-1] ^ 0x01])


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def bundle_bytes(key: Ed25519PrivateKey) -> bytes:
    return _build(key)


def _write(tmp_path: Path, data: bytes, name: str = "evidence_JP_2026-11-20.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli_main(["verify", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# ---- building ------------------------------------------------------------------------------


def test_layout_and_manifest(bundle_bytes: bytes, key: Ed25519PrivateKey) -> None:
    entries = dict(_entries(bundle_bytes))
    names = [name for name, _ in _entries(bundle_bytes)]
    assert names[:2] == ["manifest.json", "manifest.sig"]
    assert names[2:] == sorted([*_members(), "signing_key.pub"])
    manifest = json.loads(entries["manifest.json"])
    assert entries["manifest.json"] == canonical_json(manifest)  # canonical form, byte for byte
    assert (manifest["country"], manifest["run_date"], manifest["dag_id"]) == ("JP", RUN_DATE, "cloudaudit_daily")
    assert manifest["previous_bundle_sha256"] is None
    assert manifest["signature"]["public_key_fingerprint"] == fingerprint(key)
    listed = {m["path"]: m for m in manifest["members"]}
    assert set(listed) == set(_members()) | {"signing_key.pub"}
    for path, content in entries.items():
        if path in listed:
            assert listed[path] == {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    assert entries["signing_key.pub"] == public_key_pem(key)
    assert len(entries["manifest.sig"]) == 64
    with zipfile.ZipFile(io.BytesIO(bundle_bytes)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 20, 0, 0, 0)}


def test_identical_input_gives_identical_bytes(key: Ed25519PrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _build(key)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # a different wall clock: 2033
    second = _build(key, members=dict(reversed(list(_members().items()))))  # and another insertion order
    assert first == second


def test_hash_chain_links_to_the_previous_bundle(tmp_path: Path, key: Ed25519PrivateKey, bundle_bytes: bytes) -> None:
    previous = _write(tmp_path, bundle_bytes, "evidence_JP_2026-11-19.zip")
    current = _write(tmp_path, _build(key, _members(seed=6), previous=bundle_sha256(previous)))
    result = verify_bundle(current)
    assert result.ok, result.problems
    assert result.manifest is not None
    assert result.manifest["previous_bundle_sha256"] == hashlib.sha256(bundle_bytes).hexdigest()
    assert chain_problem(previous, result) is None
    unrelated = _write(tmp_path, _build(key, _members(seed=7)), "other.zip")
    assert chain_problem(unrelated, result) == "previous_bundle_sha256: does not match other.zip"


@pytest.mark.parametrize("path", ["../escape.json", "/etc/passwd", "a/../../b", "C:/x", "a\\b", "a//b", "./a",
                                  "", "snap\x00.json", "manifest.json", "manifest.sig", "signing_key.pub"])
def test_unsafe_or_reserved_member_paths_are_refused(key: Ed25519PrivateKey, path: str) -> None:
    with pytest.raises(EvidenceError, match="member path"):
        _build(key, {**_members(), path: b"x"})


def test_malformed_previous_hash_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(EvidenceError, match="previous_bundle_sha256"):
        _build(key, previous="not-a-hash")


# ---- verifying -----------------------------------------------------------------------------


def test_round_trip_verifies_and_prints_the_bundle_key_fingerprint(
        tmp_path: Path, bundle_bytes: bytes, key: Ed25519PrivateKey, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, bundle_bytes)
    result = verify_bundle(path)
    assert result.ok and result.signature_valid and result.members_checked == len(_members()) + 1
    result.raise_for_problems()
    code, out = _cli(capsys, str(path))
    assert code == 0
    assert fingerprint(key) in out
    assert "not who made it" in out  # a bundle-carried key proves integrity, not origin


def test_trusted_public_key_verifies(tmp_path: Path, bundle_bytes: bytes, key: Ed25519PrivateKey,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    pub = tmp_path / "trusted.pub"
    pub.write_bytes(public_key_pem(key))
    code, out = _cli(capsys, str(_write(tmp_path, bundle_bytes)), "--public-key", str(pub))
    assert code == 0, out
    assert "trusted.pub" in out


def _tampered(change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]], data: bytes) -> bytes:
    return _rezip(data, change)


MEMBER_PATHS = sorted([*_members(), "signing_key.pub"])


@pytest.mark.parametrize("member", MEMBER_PATHS)
def test_altering_any_member_is_named(tmp_path: Path, bundle_bytes: bytes, member: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(lambda es: [(n, _flip_last_byte(c) if n == member else c) for n, c in es], bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert f"{member}: SHA-256 does not match the manifest" in out


@pytest.mark.parametrize("member", MEMBER_PATHS)
def test_removing_any_member_is_named(tmp_path: Path, bundle_bytes: bytes, member: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(lambda es: [(n, c) for n, c in es if n != member], bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert f"{member}: " in out and "missing" in out


def test_resizing_a_member_is_named(tmp_path: Path, bundle_bytes: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(lambda es: [(n, c + b" " if n == "data_docs/index.html" else c) for n, c in es], bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert "data_docs/index.html: size" in out


@pytest.mark.parametrize("extra", ["notes.txt", "snapshots/injected.json", "../../evil.sh"])
def test_adding_a_member_is_named(tmp_path: Path, bundle_bytes: bytes, extra: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(lambda es: [*es, (extra, b"planted")], bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert f"{extra}: present in the bundle but not listed in the manifest" in out
    assert not (tmp_path.parent / "evil.sh").exists()  # nothing is ever extracted


def _edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]:
    def change(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        out = []
        for name, content in entries:
            if name == "manifest.json":
                manifest = json.loads(content)
                edit(manifest)
                content = canonical_json(manifest)
            out.append((name, content))
        return out
    return change


def test_altering_the_manifest_breaks_the_signature(tmp_path: Path, bundle_bytes: bytes,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(_edit_manifest(lambda m: m.update(run_date="2026-11-19")), bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert "manifest.sig: the signature over manifest.json does not hold" in out


def test_rehashing_a_member_in_the_manifest_still_fails(tmp_path: Path, bundle_bytes: bytes,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """An attacker who edits a member and its manifest entry is caught by the signature."""
    target = "validation/jp_s3_buckets.json"
    forged = canonical_json({"success": True, "statistics": {"evaluated": 5}})

    def fix_entry(manifest: dict[str, Any]) -> None:
        for member in manifest["members"]:
            if member["path"] == target:
                member.update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))

    def change(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        return _edit_manifest(fix_entry)([(n, forged if n == target else c) for n, c in entries])

    code, out = _cli(capsys, str(_write(tmp_path, _tampered(change, bundle_bytes))))
    assert code == 1
    assert "manifest.sig: the signature over manifest.json does not hold" in out
    assert target not in out  # the member itself now matches the (forged) manifest


def test_corrupt_manifest_json_is_named(tmp_path: Path, bundle_bytes: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(lambda es: [(n, b"{not json" if n == "manifest.json" else c) for n, c in es], bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert "manifest.json: not valid UTF-8 JSON" in out


@pytest.mark.parametrize("forge", [_flip_last_byte, lambda sig: sig[:-1], lambda sig: b""])
def test_altering_the_signature_is_named(tmp_path: Path, bundle_bytes: bytes, forge: Callable[[bytes], bytes],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = _tampered(lambda es: [(n, forge(c) if n == "manifest.sig" else c) for n, c in es], bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1
    assert "manifest.sig: " in out


def test_wrong_public_key_fails(tmp_path: Path, bundle_bytes: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.pub"
    other.write_bytes(public_key_pem(Ed25519PrivateKey.generate()))
    code, out = _cli(capsys, str(_write(tmp_path, bundle_bytes)), "--public-key", str(other))
    assert code == 1
    assert "manifest.sig: the signature over manifest.json does not hold" in out


def test_resigned_forgery_passes_only_against_its_own_key(
        tmp_path: Path, key: Ed25519PrivateKey, capsys: pytest.CaptureFixture[str]) -> None:
    """Why the bundle's own key proves integrity, not origin: a forger can re-sign everything."""
    forger = Ed25519PrivateKey.generate()
    forged = _write(tmp_path, _build(forger))
    assert verify_bundle(forged).ok
    trusted = tmp_path / "trusted.pub"
    trusted.write_bytes(public_key_pem(key))
    code, _ = _cli(capsys, str(forged), "--public-key", str(trusted))
    assert code == 1
    with pytest.raises(BundleInvalid, match=r"manifest\.sig"):
        verify_bundle(forged, trusted).raise_for_problems()


def _opened_entries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every zip entry verify opens."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


def test_oversized_member_is_caught_before_reading(tmp_path: Path, bundle_bytes: bytes,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = b"\0" * (20 * 1024 * 1024)  # compresses to ~20 KB
    data = _tampered(lambda es: [(n, bomb if n == "data_docs/index.html" else c) for n, c in es], bundle_bytes)
    path = _write(tmp_path, data)
    opened = _opened_entries(monkeypatch)
    code, out = _cli(capsys, str(path))
    assert code == 1
    assert "data_docs/index.html: size 20971520 differs" in out
    assert "data_docs/index.html" not in opened and "snapshots/" in " ".join(opened)


def test_declared_sizes_over_the_limit_are_not_read(tmp_path: Path, bundle_bytes: bytes,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit.evidence import verify

    monkeypatch.setattr(verify, "MAX_MEMBER_BYTES", 1024)  # the 2 KiB spreadsheet is now "too big"
    opened = _opened_entries(monkeypatch)
    code, out = _cli(capsys, str(_write(tmp_path, bundle_bytes)))
    assert code == 1
    assert f"compliance_JP_{RUN_DATE}.xlsx: declared size exceeds 1024 bytes" in out
    assert f"compliance_JP_{RUN_DATE}.xlsx" not in opened


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"plain text, not a zip\n"])
def test_junk_file_exits_2(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, str(_write(tmp_path, content, "junk.zip")))
    assert code == 2
    assert "not a zip archive" in out


def test_zip_without_manifest_and_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, str(_write(tmp_path, _plain_zip({"a.txt": b"a"}), "plain.zip")))
    assert code == 2 and "no manifest.json" in out
    code, out = _cli(capsys, str(tmp_path / "absent.zip"))
    assert code == 2 and "file not found" in out


def test_unreadable_public_key_exits_2(tmp_path: Path, bundle_bytes: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.pub"
    junk.write_text("hello")
    code, out = _cli(capsys, str(_write(tmp_path, bundle_bytes)), "--public-key", str(junk))
    assert code == 2 and "junk.pub: not a PEM public key" in out
    code, out = _cli(capsys, str(_write(tmp_path, bundle_bytes)), "--public-key", str(tmp_path / "none.pub"))
    assert code == 2 and "none.pub: cannot read" in out


def _plain_zip(files: Entries) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


# ---- interoperability ----------------------------------------------------------------------


def _openssl_verify(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "signing_key.pub", "-rawin",
         "-in", "manifest.json", "-sigfile", "manifest.sig"],
        cwd=directory, capture_output=True, text=True, timeout=30, check=False)


def test_openssl_verifies_the_signature(tmp_path: Path, bundle_bytes: bytes) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl binary not installed")
    entries = dict(_entries(bundle_bytes))
    for name in ("manifest.json", "manifest.sig", "signing_key.pub"):
        (tmp_path / name).write_bytes(entries[name])
    result = _openssl_verify(tmp_path)
    if result.returncode != 0 and ("rawin" in result.stderr or "not supported" in result.stderr.lower()):
        pytest.skip("this openssl lacks Ed25519 -rawin support")
    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    (tmp_path / "manifest.json").write_bytes(entries["manifest.json"].replace(b'"JP"', b'"TH"'))
    assert _openssl_verify(tmp_path).returncode != 0


def test_corrupted_bundles_never_crash_and_never_pass_with_other_content(tmp_path: Path, bundle_bytes: bytes) -> None:
    """Random byte damage: verify either refuses the input (EvidenceError, exit 2) or reports
    problems, and when it does pass, every member's name and content is the original's."""
    rng = random.Random(20261120)
    original = _entries(bundle_bytes)
    path = tmp_path / "damaged.zip"
    outcomes: Counter[str] = Counter()
    for _ in range(300):
        damaged = bytearray(bundle_bytes)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.1:
            damaged = damaged[: rng.randrange(len(damaged))]
        path.write_bytes(bytes(damaged))
        try:
            result = verify_bundle(path)
        except EvidenceError:
            outcomes["unusable"] += 1
            continue
        if result.ok:
            outcomes["ok"] += 1
            assert _entries(bytes(damaged)) == original  # only zip metadata (times, extra fields) was hit
        else:
            outcomes["problems"] += 1
    assert outcomes["problems"] > 100 and outcomes["unusable"] > 0


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Patch a zip entry's declared uncompressed size (local and central headers) to ``size``."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        position = archive.start_dir  # type: ignore[attr-defined]
    patched[info.header_offset + 22: info.header_offset + 26] = struct.pack("<I", size)
    while patched[position:position + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack("<HHH", patched[position + 28: position + 34])
        if patched[position + 46: position + 46 + name_len].decode() == name:
            patched[position + 24: position + 28] = struct.pack("<I", size)
        position += 46 + name_len + extra_len + comment_len
    return bytes(patched)


def test_a_zip_bomb_that_lies_about_its_size_is_cut_off(tmp_path: Path, bundle_bytes: bytes,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    target = "data_docs/index.html"
    declared = len(dict(_entries(bundle_bytes))[target])
    bomb = b"\0" * (64 * 1024 * 1024)  # 64 MiB that deflates to ~64 KB
    data = _lie_about_size(_tampered(lambda es: [(n, bomb if n == target else c) for n, c in es], bundle_bytes),
                           target, declared)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo(target).file_size == declared  # the headers now agree with the manifest
    path = _write(tmp_path, data)
    tracemalloc.start()
    try:
        code, out = _cli(capsys, str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 1
    assert f"{target}: unreadable" in out  # the CRC of the cut-off stream cannot match
    assert peak < 8 * 1024 * 1024  # never inflated beyond the declared size


def test_a_chain_of_daily_bundles_holds_until_one_is_replaced(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    paths: list[Path] = []
    previous: str | None = None
    for day in range(3):
        path = _write(tmp_path, _build(key, _members(seed=day), previous=previous), f"evidence_JP_day{day}.zip")
        previous = bundle_sha256(path)
        paths.append(path)
    assert verify_chain(paths) == []
    # replace the middle bundle with a fresh, validly signed one: it verifies alone, but breaks the chain
    paths[1].write_bytes(_build(key, _members(seed=99), previous=bundle_sha256(paths[0])))
    assert verify_bundle(paths[1]).ok
    assert verify_chain(paths) == ["evidence_JP_day2.zip: previous_bundle_sha256: does not match evidence_JP_day1.zip"]
