"""Run one environment's extract (``pipeline.extract_environment``, as the extract task does:
collect, detect, write the snapshot to a state store) in a child process and measure it.

``run_extract`` starts ``python -m tests.faults.child REQUEST OUT``, reaps the child with
``os.wait4`` (the rusage of that child alone: its peak RSS, not the largest of every child the
test session ever had) and returns the snapshot the child stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudaudit.config import Environment, Limits
    from cloudaudit.model import CoverageRow, Snapshot

RUN_DATE = "2026-11-20"
REPO_ROOT = Path(__file__).resolve().parents[2]
PEAK_RSS_BOUND = 400 * 1024 * 1024  # the extract task's memory bound, in bytes


@dataclass(frozen=True)
class Extracted:
    snapshot: Snapshot
    peak_rss_bytes: int
    stderr: str

    def coverage(self) -> list[CoverageRow]:
        from cloudaudit.checks.sheets import coverage_rows

        return coverage_rows(self.snapshot.environment.country, [self.snapshot])

    def coverage_of(self, resource: str) -> CoverageRow:
        rows = [r for r in self.coverage() if r.resource == resource]
        assert len(rows) == 1, (resource, [r.resource for r in self.coverage()])
        return rows[0]

    def resource(self, uri: str) -> Any:
        found = [r for r in self.snapshot.resources if r.resource == uri]
        assert len(found) == 1, (uri, [r.resource for r in self.snapshot.resources])
        return found[0]


def run_extract(env: Environment, limits: Limits, workdir: Path, *, process_env: Mapping[str, str],
                timeout_s: float = 600) -> Extracted:
    """The snapshot of ``env`` as a child process extracted it, with that child's peak RSS."""
    from cloudaudit.model import Snapshot

    workdir.mkdir(parents=True, exist_ok=True)
    request, out, err = workdir / "request.json", workdir / "snapshot.json", workdir / "stderr.txt"
    request.write_text(json.dumps({"environment": env.model_dump(mode="json"), "limits": limits.as_dict()}))
    with err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "tests.faults.child", str(request), str(out)],
                                cwd=REPO_ROOT, env=dict(process_env), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _, status, usage = _wait4(proc, timeout_s)
        finally:
            if proc.returncode is None and proc.poll() is None:
                proc.kill()
                proc.wait()
    text = err.read_text(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text[-3000:]
    snapshot = Snapshot.model_validate_json(out.read_text())
    # The child's own high-water mark (VmHWM, reset by exec): ru_maxrss would also count the pages
    # of the large pytest process it was forked from, before exec replaced them.
    peak_kib = int((workdir / "peak_kib.txt").read_text()) if (workdir / "peak_kib.txt").exists() else 0
    return Extracted(snapshot, (peak_kib or usage.ru_maxrss) * 1024, text)  # Linux reports KiB


def _wait4(proc: subprocess.Popen[bytes], timeout_s: float) -> tuple[int, int, Any]:
    import time

    end = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, usage
        if time.monotonic() > end:
            raise TimeoutError(f"extract child {proc.pid} still running after {timeout_s}s")
        time.sleep(0.05)


def main(argv: list[str]) -> int:
    import logging

    from cloudaudit.config import Environment, Limits
    from cloudaudit.pipeline import extract_environment
    from cloudaudit.store import state
    from cloudaudit.store.backend import open_store

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    request = json.loads(Path(argv[0]).read_text())
    env = Environment.model_validate(request["environment"])
    store = open_store(str(Path(argv[1]).parent / "state"))
    # What the extract task runs: collect, detect, write the snapshot to the state store.
    summary = extract_environment(env, RUN_DATE, "live", store=store, limits=Limits(**request["limits"]))
    snapshot = state.read_snapshot(store, summary["snapshot"])
    assert snapshot is not None
    Path(argv[1]).write_text(snapshot.model_dump_json())
    status = Path("/proc/self/status")
    if status.exists():
        hwm = next((line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmHWM:")), "0")
        (Path(argv[1]).parent / "peak_kib.txt").write_text(hwm)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
