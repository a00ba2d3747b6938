"""A bundle is exactly its listed members: no byte outside them, and no name printed raw."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudaudit.evidence.verify import verify_bundle

from .test_evidence_bundle import _build, _cli, _entries, _write

Inject = Callable[[int, str], bytes]  # (entry index, name) -> bytes written after that entry


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def bundle_bytes(key: Ed25519PrivateKey) -> bytes:
    return _build(key)


def _rewrite(data: bytes, inject: Inject | None = None, comment: bytes = b"",
             target: io.BytesIO | None = None) -> bytes:
    """The same signed entries written again, with ``inject``'s bytes after each entry's data."""
    out = target if target is not None else io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(_entries(data)):
            archive.writestr(name, content)
            if inject is not None:
                archive.fp.write(inject(index, name))  # type: ignore[union-attr]
                archive.start_dir = archive.fp.tell()  # type: ignore[attr-defined,union-attr]
        archive.comment = comment
    return out.getvalue()


def _local_entry(name: str, content: bytes) -> bytes:
    """A local file header and its data, as a zip would hold it, without a central record."""
    single = io.BytesIO()
    with zipfile.ZipFile(single, "w") as archive:
        archive.writestr(name, content)
    data = single.getvalue()
    cd_offset = struct.unpack("<I", data[-6:-2])[0]
    return data[:cd_offset]


def _no_raw_controls(out: str) -> None:
    for char in ("\x1b", "\r", "\x9b", "\u202e", "\x00"):
        assert char not in out
    assert not [line for line in out.splitlines() if line.startswith("OK")]


def test_the_bundle_as_written_verifies(tmp_path: Path, bundle_bytes: bytes,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, str(_write(tmp_path, bundle_bytes)))
    assert code == 0, out
    assert "zip structure" not in out


@pytest.mark.parametrize(("build", "expected"), [
    (lambda data: b"MZ\x90\x00" + b"\x00" * 60 + data, "64 bytes before the first entry (prepended data)"),
    (lambda data: data + b"#!/bin/sh\nrm -rf ~\n", "19 bytes after the end of the zip (appended data)"),
    (lambda data: _rewrite(data, comment=b"signed by the auditor"),
     "the zip has a comment (21 bytes)"),
    (lambda data: _rewrite(data, lambda i, name: b"\x00" * 7 if i == 2 else b""), "7 unlisted bytes at offset"),
    (lambda data: _rewrite(data, lambda i, name: _local_entry("payload.sh", b"echo pwned\n")
                           if i == len(_entries(data)) - 1 else b""),
     "holding a local file entry the central directory does not list"),
], ids=["prepended", "appended", "comment", "gap-between-entries", "hidden-local-entry"])
def test_bytes_outside_the_listed_members_fail(tmp_path: Path, bundle_bytes: bytes, build: Callable[[bytes], bytes],
                                               expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = build(bundle_bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # zipfile itself reads every member happily
        assert [(i.filename, archive.read(i)) for i in archive.infolist()] == _entries(bundle_bytes)
    code, out = _cli(capsys, str(_write(tmp_path, data)))
    assert code == 1, out
    assert "zip structure: " in out and expected in out
    assert "OK:" not in out


def test_a_hidden_entry_is_what_a_streaming_unzip_would_extract(tmp_path: Path, bundle_bytes: bytes) -> None:
    """The attack is real: walking local headers (as streaming unzip tools do) finds the extra file."""
    data = _rewrite(bundle_bytes, lambda i, name: _local_entry("payload.sh", b"echo pwned\n") if i == 0 else b"")
    found = []
    position = 0
    while data[position:position + 4] == b"PK\x03\x04":
        csize, _, name_len, extra_len = struct.unpack("<IIHH", data[position + 18:position + 30])
        found.append(data[position + 30:position + 30 + name_len].decode())
        position += 30 + name_len + extra_len + csize
    assert "payload.sh" in found
    result = verify_bundle(_write(tmp_path, data))
    assert not result.ok
    assert any("after entry manifest.json holding a local file entry" in p for p in result.problems)


def test_a_duplicated_entry_name_fails(tmp_path: Path, bundle_bytes: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    entries = _entries(bundle_bytes)
    out_buffer = io.BytesIO()
    with zipfile.ZipFile(out_buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        for name, content in [*entries, entries[-1]]:
            archive.writestr(name, content)
    code, out = _cli(capsys, str(_write(tmp_path, out_buffer.getvalue())))
    assert code == 1
    assert f"{entries[-1][0]}: appears 2 times in the zip" in out


def _with_entry_metadata(data: bytes, comment: bytes = b"", extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(_entries(data)):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if index == 3:
                info.comment, info.extra = comment, extra
            archive.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize(("comment", "extra", "expected"), [
    (b"\x1b[2K\rOK", b"", "has an entry comment (7 bytes)"),
    (b"", struct.pack("<HH", 0xCAFE, 4000) + b"\x00" * 4000, "has 4004 bytes of extra fields"),
], ids=["entry-comment", "data-in-extra-field"])
def test_data_hidden_in_entry_comments_or_extra_fields_fails(tmp_path: Path, bundle_bytes: bytes, comment: bytes,
                                                              extra: bytes, expected: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, str(_write(tmp_path, _with_entry_metadata(bundle_bytes, comment, extra))))
    assert code == 1
    assert expected in out
    assert "\x1b" not in out
    code, out = _cli(capsys, str(_write(tmp_path, _with_entry_metadata(bundle_bytes), "plain.zip")))
    assert code == 0, out  # the same rewrite without them verifies


FORGING_NAMES = [
    "notes\x1b[2K\rOK: 7 members match the manifest and the signature holds.txt",
    "a\nOK: 7 members match the manifest and the signature holds",
    "report\u202excslx.exe",
    "csi\x9b2Kname",
]


@pytest.mark.parametrize("name", FORGING_NAMES, ids=["esc-cr", "newline", "bidi-override", "c1-csi"])
def test_member_names_with_control_characters_are_printed_escaped(
        tmp_path: Path, bundle_bytes: bytes, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    out_buffer = io.BytesIO()
    with zipfile.ZipFile(out_buffer, "w") as archive:
        for member, content in [*_entries(bundle_bytes), (name, b"extra")]:
            archive.writestr(member, content)
    code, out = _cli(capsys, str(_write(tmp_path, out_buffer.getvalue())))
    assert code == 1
    _no_raw_controls(out)
    assert "present in the bundle but not listed in the manifest" in out


def test_a_bundle_file_name_with_control_characters_is_printed_escaped(
        tmp_path: Path, bundle_bytes: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, bundle_bytes + b"tail", "evidence\x1b[1A\rOK\u202e.zip")
    code, out = _cli(capsys, str(path))
    assert code == 1
    _no_raw_controls(out)
    assert "evidence\\x1b[1A\\rOK\\u202e.zip" in out
    code, out = _cli(capsys, str(tmp_path / "gone\x1b[2K\n.zip"))
    assert code == 2
    _no_raw_controls(out)
    assert "gone\\x1b[2K\\n.zip: file not found" in out


def test_zip64_records_and_data_descriptors_still_verify(tmp_path: Path, bundle_bytes: bytes,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Other valid layouts of the same members (as other zip writers make them) are not rejected."""

    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

        def seek(self, *args: object) -> int:
            raise OSError("unseekable")

    streamed = Unseekable()
    _rewrite(bundle_bytes, target=streamed)
    with zipfile.ZipFile(io.BytesIO(streamed.getvalue())) as archive:
        assert all(info.flag_bits & 0x08 for info in archive.infolist())  # data descriptors were written
    code, out = _cli(capsys, str(_write(tmp_path, streamed.getvalue(), "streamed.zip")))
    assert code == 0, out

    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 16)  # every size and offset now "needs" zip64
    zip64 = _rewrite(bundle_bytes)
    assert b"PK\x06\x06" in zip64 and b"PK\x06\x07" in zip64
    monkeypatch.undo()
    code, out = _cli(capsys, str(_write(tmp_path, zip64, "zip64.zip")))
    assert code == 0, out
    code, out = _cli(capsys, str(_write(tmp_path, b"\x00" * 10 + zip64, "zip64-prepended.zip")))
    assert code == 1 and "10 bytes before the first entry" in out


def _verify_in_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    """A child process, so that a read that blocks fails this test instead of hanging the suite."""
    try:
        return subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", *args],
                              capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("cloudaudit verify blocked reading a FIFO")


def test_a_fifo_as_bundle_or_key_is_refused_without_reading(tmp_path: Path, bundle_bytes: bytes) -> None:
    fifo = tmp_path / "bundle.zip"
    os.mkfifo(fifo)
    result = _verify_in_subprocess(str(fifo))
    assert result.returncode == 2 and "is a FIFO, not a regular file" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    result = _verify_in_subprocess(str(_write(tmp_path, bundle_bytes, "ok.zip")), "--public-key", str(fifo))
    assert result.returncode == 2 and "is a FIFO, not a regular file" in result.stderr
