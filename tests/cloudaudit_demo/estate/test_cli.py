"""`cloudaudit estate up|status|down|serve` as a user runs them: separate processes."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudaudit_demo.estate import cli
from cloudaudit_demo.estate.ports import free_port, http_ready, wait_until
from cloudaudit_demo.estate.processes import group_alive, is_alive, spawn, terminate_group


def _cloudaudit(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cloudaudit.cli", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, env={**os.environ, **(env or {})})


def test_up_status_down_leave_nothing_behind(tmp_path: Path) -> None:
    state = tmp_path / "estate"
    up = _cloudaudit("estate", "up", "--state", str(state), "--no-seed")
    try:
        assert up.returncode == 0, up.stderr
        assert f"CLOUDAUDIT_INVENTORY={state / 'inventory.yaml'}" in up.stdout
        recorded = json.loads((state / "estate.json").read_text())
        pids = [e["pid"] for e in recorded["emulators"]]
        # The emulators outlive the command that started them.
        assert all(is_alive(pid) for pid in pids)
        # Without --state: the default estate directory, $CLOUDAUDIT_STATE/estate.
        status = _cloudaudit("estate", "status", env={"CLOUDAUDIT_STATE": str(tmp_path)})
        assert status.returncode == 0, status.stderr
        assert f"estate in {state}" in status.stdout
        for emulator in recorded["emulators"]:
            line = next(ln for ln in status.stdout.splitlines() if f"pid {emulator['pid']}" in ln)
            assert "running" in line and emulator["url"] in line and emulator["name"] in line
        again = _cloudaudit("estate", "up", "--state", str(state), "--no-seed")
        assert again.returncode == 0
        assert [e["pid"] for e in json.loads((state / "estate.json").read_text())["emulators"]] == pids
    finally:
        down = _cloudaudit("estate", "down", "--state", str(state))
    assert down.returncode == 0, down.stderr
    assert "stopped" in down.stdout
    assert [pid for pid in pids if is_alive(pid) or group_alive(pid)] == []
    after = _cloudaudit("estate", "status", "--state", str(state))
    assert after.returncode == 1
    assert "no estate recorded" in after.stdout


def _args(command: str, state: Path) -> argparse.Namespace:
    return argparse.Namespace(command="estate", estate_command=command, state=state, no_seed=True)


def test_status_and_down_without_an_estate(tmp_path: Path) -> None:
    out = io.StringIO()
    assert cli.run(_args("status", tmp_path / "none"), out) == 1
    assert "no estate recorded" in out.getvalue()
    out = io.StringIO()
    assert cli.run(_args("down", tmp_path / "none"), out) == 0
    assert "no estate was running" in out.getvalue()


def test_an_unreadable_estate_record_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "estate"
    state.mkdir()
    (state / "estate.json").write_text("{not json")
    assert cli.run(_args("status", state), io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "estate.json" in err and "unreadable" in err


def test_serve_bigquery_runs_in_the_foreground_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    pid = spawn([sys.executable, "-m", "cloudaudit.cli", "estate", "serve", "bigquery", "--port", str(port)],
                tmp_path / "serve.log", env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = f"http://127.0.0.1:{port}/bigquery/v2/projects/p/datasets"
        assert wait_until(lambda: http_ready(url), deadline_s=60, give_up=lambda: not is_alive(pid)), \
            (tmp_path / "serve.log").read_text()
        with __import__("urllib.request").request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
        assert body.get("datasets", []) == []  # empty
        assert is_alive(pid)
    finally:
        assert terminate_group(pid, grace_s=5)


def test_status_names_a_dead_emulator_and_fails(tmp_path: Path) -> None:
    from cloudaudit_demo.estate.manager import start_estate, stop_estate

    info = start_estate(tmp_path / "estate", seed=False)
    try:
        victim = info.emulators[-1]
        assert terminate_group(victim.pid, grace_s=2)
        out = io.StringIO()
        assert cli.run(_args("status", info.state_dir), out) == 1
        lines = {ln.split()[0]: ln for ln in out.getvalue().splitlines() if "pid " in ln}
        assert "DEAD" in lines[victim.name]
        assert all("running" in lines[e.name] for e in info.emulators if e is not victim)
    finally:
        stop_estate(info.state_dir)
    assert [e.name for e in info.emulators if is_alive(e.pid)] == []
