"""Odd paths and bad arguments: never a hang, never a traceback, never invalid output.

Commands that could block run in a child process with a timeout as a guard: the test asserts
the exit code and output, and fails (rather than hanging the suite) if the child blocks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudaudit.cli import main as cli_main

GUARD_S = 120  # only a guard against a hang; nothing asserts how long a command took


def cloudaudit(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run([sys.executable, "-m", "cloudaudit.cli", *args], capture_output=True,
                              timeout=GUARD_S, check=False, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"cloudaudit {args[0]!r} blocked")


def one_clear_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    return text


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text("email\n" + "".join(f"user{i}@example.com\n" for i in range(5)), encoding="utf-8")
    return path


def test_a_fifo_named_on_the_command_line_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = cloudaudit("scan", str(fifo))
    assert result.returncode == 2
    assert "pipe.csv: is a FIFO, not a regular file or directory" in one_clear_line(result.stderr)


def test_a_fifo_inside_a_directory_is_reported_not_read(tmp_path: Path, csv_file: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    result = cloudaudit("scan", "--json", str(tmp_path))
    assert result.returncode == 1  # one file could not be sampled
    assert "pipe.csv: not sampled: is a FIFO, not a regular file" in result.stderr.decode()
    rows = json.loads(result.stdout)
    assert {r["Resource"] for r in rows} == {str(csv_file)}  # the regular file beside it was still scanned


def test_a_file_name_with_byte_0xff_gives_valid_utf8_json(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xff.csv"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write("email\n" + "".join(f"user{i}@example.com\n" for i in range(5)))
    result = cloudaudit("scan", "--json", name)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
    assert rows and {r["Resource"] for r in rows} == {f"{tmp_path}/caf\\xff.csv"}
    table = cloudaudit("scan", name)
    table.stdout.decode("utf-8")
    assert b"caf\\xff.csv" in table.stdout


def test_control_characters_in_file_names_are_escaped_in_the_table(tmp_path: Path) -> None:
    path = tmp_path / "x\x1b[2K\rno PII found\u202e.csv"
    path.write_text("email\n" + "".join(f"user{i}@example.com\n" for i in range(5)), encoding="utf-8")
    result = cloudaudit("scan", str(path))
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "x\\x1b[2K\\rno PII found\\u202e.csv" in out


@pytest.mark.parametrize(("variable", "value"), [
    ("CLOUDAUDIT_MAX_ROWS", "abc"), ("CLOUDAUDIT_MAX_OBJECT_BYTES", "-5"), ("CLOUDAUDIT_MAX_FIELDS", "0"),
    ("CLOUDAUDIT_CALL_TIMEOUT_S", "1.5"), ("CLOUDAUDIT_MAX_CELL_CHARS", "\x1b[31m"),
])
def test_a_bad_setting_is_one_line_naming_the_variable(csv_file: Path, variable: str, value: str) -> None:
    result = cloudaudit("scan", str(csv_file), env={variable: value})
    assert result.returncode == 2
    line = one_clear_line(result.stderr)
    assert line.startswith(f"cloudaudit scan: {variable}: expected")
    assert "\x1b" not in line


@pytest.mark.parametrize(("country", "message"), [
    ("XX", "'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("uk", "'UK' is not an ISO 3166-1 alpha-2 country code; use 'GB'"),
    ("Japan", "'JAPAN': expected an ISO 3166-1 alpha-2 code"),
    ("J1", "'J1': expected an ISO 3166-1 alpha-2 code"),
])
def test_a_bad_country_is_one_line_and_exit_2(csv_file: Path, country: str, message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli_main(["scan", str(csv_file), "--country", country])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "usage:" not in err
    assert f"cloudaudit scan: argument --country: {message}" in err


def test_a_good_country_in_any_case_is_accepted(csv_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["scan", str(csv_file), "--country", "th", "--json"]) == 0
    assert {r["Country"] for r in json.loads(capsys.readouterr().out)} == {"TH"}


@pytest.mark.parametrize("argv", [
    ["scan"], ["scan", ""], ["scan", "a.csv", "--bogus"], ["verify"], ["verify", ""],
    ["verify", "a.zip", "--public-key"], ["nonsense"], ["estate", "serve", "bigquery", "--port", "70000"],
    ["inventory"], ["inventory", "check", ""], ["portal"], ["portal", "grant"], ["portal", "grant", "Auditor"],
    ["portal", "allow", "Auditor", "JP"],
])
def test_every_bad_argument_is_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli_main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "--help" in err


def test_a_missing_path_and_a_device_are_unusable_input(tmp_path: Path) -> None:
    result = cloudaudit("scan", str(tmp_path / "gone\x1b.csv"), "/dev/zero")
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "Traceback" not in err and "\x1b" not in err
    assert "gone\\x1b.csv: no such file or directory" in err
    assert "/dev/zero: is a character device, not a regular file or directory" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["portal", "grant", "JP_Auditor", "JP", "XX"], "argument countries: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    (["portal", "revoke", "JP_Auditor", "uk"], "argument countries: 'UK' is not an ISO 3166-1 alpha-2 country code; use 'GB'"),
    (["portal", "grant", "JP_Auditor", "Japan"], "argument countries: 'JAPAN': expected an ISO 3166-1 alpha-2 code"),
    (["portal", "grant", "", "JP"], "argument role: empty role name"),
    (["portal", "grant", "Ops\x1b[2K\rgranted", "JP"], "argument role: role name 'Ops\\x1b[2K\\rgranted' contains"),
])
def test_portal_grant_arguments_are_checked_before_airflow_is_touched(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit.portal import grants

    calls: list[object] = []
    monkeypatch.setattr(grants, "change_grants", lambda *a, **k: calls.append(a) or [])
    with pytest.raises(SystemExit) as exited:
        cli_main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "usage:" not in err and "\x1b" not in err
    assert f"cloudaudit portal {argv[1]}: {message}" in err
    assert calls == []  # refused at parse time: the metadata DB is never opened


def test_portal_grant_passes_normalised_countries_and_all(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit.portal import grants

    calls: list[tuple[str, list[str], bool]] = []
    monkeypatch.setattr(grants, "change_grants",
                        lambda role, countries, revoke=False: calls.append((role, list(countries), revoke)) or ["done"])
    assert cli_main(["portal", "grant", "JP_Auditor", "jp", " th ", "all"]) == 0
    assert cli_main(["portal", "revoke", "JP_Auditor", "TH"]) == 0
    assert calls == [("JP_Auditor", ["JP", "TH", "ALL"], False), ("JP_Auditor", ["TH"], True)]
    assert capsys.readouterr().out == "done\ndone\n"
