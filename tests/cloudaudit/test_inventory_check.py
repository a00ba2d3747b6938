"""`cloudaudit inventory check [FILE]`: 0 with a summary, 1 with every error, 2 when unreadable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudaudit import config
from cloudaudit.cli import main as cli_main

from .test_config import GOOD, write

THREE = GOOD.replace("countries:\n", """  - name: jp-dealer-bq
    country: JP
    provider: gcp
    project_id: jp-dealer-bq
countries:
""")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli_main(["inventory", "check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_valid_inventory_gives_one_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, THREE)
    code, out, err = check(capsys, str(path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"OK: {path}: 3 environments in 2 countries: JP 2 (aws 1, gcp 1); TH 1 (gcp 1)"]


def test_the_file_defaults_to_the_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("CLOUDAUDIT_INVENTORY", str(path))
    code, out, _ = check(capsys)
    assert code == 0 and out.startswith(f"OK: {path}: 2 environments in 2 countries")
    monkeypatch.delenv("CLOUDAUDIT_INVENTORY")
    code, out, err = check(capsys)
    assert (code, out) == (2, "")
    assert err.startswith("cloudaudit inventory check: no FILE given and CLOUDAUDIT_INVENTORY is not set: ")
    assert len(err.splitlines()) == 1


def test_every_error_is_listed_with_its_field_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = (THREE.replace("country: TH", "country: UK").replace("http://127.0.0.1:5000", "gopher://127.0.0.1:70")
              .replace("name: jp-dealer-bq", "name: jp-connected-prod").replace("provider: aws", "provider: azure"))
    path = write(tmp_path, broken)
    code, out, err = check(capsys, str(path))
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines == [
        f"{path}: environments[0].provider: Input should be 'aws' or 'gcp'",
        f"{path}: environments[0].endpoint_url: expected an http or https URL (e.g. http://127.0.0.1:5000)",
        f"{path}: environments[1].country: 'UK' is not an ISO 3166-1 alpha-2 country code; use 'GB'",
        f"{path}: environments[2].name: environment name 'jp-connected-prod' is not unique "
        "(also environments[0].name)",
        f"FAILED: 4 problems in {path}",
    ]


def test_yaml_that_does_not_parse_is_a_problem_in_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, str(write(tmp_path, "environments:\n  - name: [unclosed\n")))
    assert code == 1 and "not valid YAML at line 3, column 1" in out


@pytest.mark.parametrize(("make", "reason"), [
    (lambda tmp: tmp / "absent.yaml", "file not found"),
    (lambda tmp: tmp, "is a directory, not a regular file"),
    (lambda tmp: (tmp / "latin1.yaml", (tmp / "latin1.yaml").write_bytes(b"environments:\n  - name: caf\xe9\n"))[0],
     "not UTF-8 text (invalid byte at offset 27)"),
    (lambda tmp: write(tmp, GOOD + "#" * config.MAX_CONFIG_BYTES), f"larger than {config.MAX_CONFIG_BYTES} bytes"),
], ids=["missing", "directory", "not-utf8", "too-big"])
def test_a_file_that_cannot_be_read_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          make: object, reason: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, out, err = check(capsys, str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"cloudaudit inventory check: {path}: {reason}") and len(err.splitlines()) == 1


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "inventory.yaml"
    os.mkfifo(fifo)
    try:
        result = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "inventory", "check", str(fifo)],
                                capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("inventory check blocked reading a FIFO")
    assert result.returncode == 2
    assert result.stderr == f"cloudaudit inventory check: {fifo}: is a FIFO, not a regular file\n"


def test_the_demo_inventory_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, str(config.CONFIG_DIR / "inventory.yaml"))
    assert code == 0 and " environments in " in out
