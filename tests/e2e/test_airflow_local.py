"""`make airflow`: the launcher brings up a usable Airflow and Ctrl-C leaves nothing behind (issue 14, item 4).

The launcher runs as `make airflow` runs it (a subprocess, `python -m cloudaudit_demo.estate.airflow_local`),
on a free port and in a temporary DEMO_DIR. The test reads the URL and login it prints, gets a
JWT, triggers `cloudaudit_daily` for one country through REST API v2, waits for success, then
sends SIGINT as Ctrl-C would and checks by PID that every process seen below the launcher,
and every emulator of the estate, is gone.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.e2e.airflow_stack import free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

DAG_ID = "cloudaudit_daily"
RUN_DATE = "2026-11-20"
COUNTRY = "JP"


@dataclass
class Launched:
    """The launcher process, what it printed, and every PID seen below it."""

    proc: subprocess.Popen[str]
    root: Path
    lines: list[str] = field(default_factory=list)
    seen: dict[int, psutil.Process] = field(default_factory=dict)
    listening: set[str] = field(default_factory=set)  # host:port our processes listened on

    def text(self) -> str:
        return "".join(self.lines)

    def note_processes(self) -> None:
        with suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.proc.pid)
            for p in [root, *root.children(recursive=True)]:
                self.seen.setdefault(p.pid, p)
        estate = self.root / "state" / "estate" / "estate.json"
        with suppress(FileNotFoundError, ValueError):
            for emulator in json.loads(estate.read_text())["emulators"]:
                with suppress(psutil.NoSuchProcess):
                    self.seen.setdefault(emulator["pid"], psutil.Process(emulator["pid"]))
        for p in self.seen.values():
            with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                self.listening |= {f"{c.laddr.ip}:{c.laddr.port}" for c in p.net_connections(kind="inet")
                                   if c.status == psutil.CONN_LISTEN}

    def alive(self) -> list[psutil.Process]:
        alive = []
        for p in self.seen.values():
            with suppress(psutil.NoSuchProcess):
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        return alive


def _http(method: str, url: str, body: dict[str, Any] | None = None, token: str = "") -> tuple[int, Any]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(method, url, json=body, headers=headers, timeout=60)
    return response.status_code, response.json() if response.content else None


def _banner(launched: Launched) -> tuple[str, str] | None:
    launched.note_processes()
    if launched.proc.poll() is not None:
        raise AssertionError(f"launcher exited {launched.proc.returncode}:\n{launched.text()[-3000:]}")
    url = re.search(r"^Airflow is up: (http://127\.0\.0\.1:\d+)$", launched.text(), re.M)
    login = re.search(r"^  login +admin / (\S+)$", launched.text(), re.M)
    return (url.group(1), login.group(1)) if url and login else None


def _run_state(launched: Launched, url: str, token: str, run_id: str) -> str | None:
    launched.note_processes()  # sampled while tasks run, so task processes are seen too
    status, run = _http("GET", f"{url}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}", token=token)
    assert status == 200, (status, run)
    if run["state"] == "failed":
        logs = sorted((launched.root / "airflow-local" / "logs").rglob("*.log"))
        raise AssertionError(f"run failed; logs: {[str(p) for p in logs[-8:]]}")
    return str(run["state"]) if run["state"] == "success" else None


@pytest.fixture(scope="module")
def launched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    root = tmp_path_factory.mktemp("airflow_local")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CLOUDAUDIT_"))}
    proc = subprocess.Popen([sys.executable, "-m", "cloudaudit_demo.estate.airflow_local", "--dir", str(root),
                             "--port", str(free_port()), "--no-schedule"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    result = Launched(proc=proc, root=root)
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: result.lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        yield result
    finally:
        if proc.poll() is None:  # the test failed before its Ctrl-C: stop it the same way, then for sure
            proc.send_signal(signal.SIGINT)
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=120)
        if proc.poll() is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: the group id is its PID
        for p in result.alive():
            with suppress(psutil.NoSuchProcess):
                p.kill()
        proc.wait(timeout=30)
        reader.join(timeout=10)


def test_ui_is_usable_and_ctrl_c_leaves_no_process(launched: Launched) -> None:
    url, password = wait_for(lambda: _banner(launched), 900, "the launcher's banner",
                             lambda: launched.text()[-3000:])
    status, body = _http("POST", f"{url}/auth/token", {"username": "admin", "password": password})
    assert status == 201, (status, body)
    token = body["access_token"]
    status, dag = _http("GET", f"{url}/api/v2/dags/{DAG_ID}", token=token)
    assert (status, dag["is_paused"]) == (200, False)  # the launcher unpaused it

    status, run = _http("POST", f"{url}/api/v2/dags/{DAG_ID}/dagRuns", {
        "logical_date": f"{RUN_DATE}T00:00:00Z", "conf": {"countries": [COUNTRY], "mode": "live"}}, token)
    assert status == 200, (status, run)
    state = wait_for(lambda: _run_state(launched, url, token, run["dag_run_id"]), 900, "the triggered run",
                     lambda: launched.text()[-3000:], 5)
    assert state == "success"
    bundle = launched.root / "output" / RUN_DATE / COUNTRY / f"evidence_{COUNTRY}_{RUN_DATE}.zip"
    verify = subprocess.run([sys.executable, "-m", "cloudaudit.cli", "verify", str(bundle)],
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The auditors' portal in the same UI shows the run's report (issue 15): the launcher's admin sees every country.
    status, listed = _http("GET", f"{url}/cloudaudit/api/reports?country={COUNTRY}", token=token)
    assert status == 200, (status, listed)
    assert [(r["country"], r["date"], r["verified"]) for r in listed["reports"]] == [(COUNTRY, RUN_DATE, True)]

    launched.note_processes()
    assert launched.listening  # the api-server and the emulators at least
    assert {a for a in launched.listening if not a.startswith("127.0.0.1:")} == set()
    seen = set(launched.seen)
    assert len(seen) > 4 + 3  # four Airflow components and the estate's emulators at least
    started = time.monotonic()
    launched.proc.send_signal(signal.SIGINT)  # what Ctrl-C delivers to the foreground process
    assert launched.proc.wait(timeout=180) == 0, launched.text()[-3000:]
    print(f"\nmake airflow: stopped {len(seen)} processes in {time.monotonic() - started:.1f}s")
    assert [(p.pid, p.name()) for p in launched.alive()] == []
    assert not (launched.root / "state" / "estate" / "estate.json").exists()  # the estate was stopped
    assert "stopped" in launched.text().splitlines()[-1]
