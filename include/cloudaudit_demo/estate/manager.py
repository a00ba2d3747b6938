"""Start, stop and inspect the demo estate: emulators on loopback, PID records, rendered inventory.

The state directory holds ``estate.json`` (what runs where: PIDs, ports, URLs, start time),
one log file per emulator, the rendered ``inventory.yaml`` and, once seeded, ``truth.json``
and ``planted.json``. Every emulator is its own process group so that ``stop_estate`` ends
it, children included, by the PID recorded at start: no orphans.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from cloudaudit.errors import EstateError
from cloudaudit_demo.estate import layout
from cloudaudit_demo.estate.info import INVENTORY_FILE, EmulatorInfo, EstateInfo, estate_dir
from cloudaudit_demo.estate.ports import LOOPBACK, free_port, http_ready, wait_until
from cloudaudit_demo.estate.processes import command_line, is_alive, spawn, terminate_group

log = logging.getLogger(__name__)

STATE_FILE = "estate.json"
LOCK_FILE = ".estate.lock"
LOG_DIR = "logs"
READY_DEADLINE_S = 60.0  # cold interpreters on a busy 2-core machine need their time


PORT = "{port}"  # placeholder in a plan's argv, replaced by the port chosen at launch
PORT_ATTEMPTS = 3  # a free port can be taken by another process before the emulator binds it


@dataclass(frozen=True)
class _Plan:
    name: str
    kind: str
    argv: tuple[str, ...]
    probe_path: str
    project: str | None = None


def _plans() -> list[_Plan]:
    """One moto server for every AWS account, one storage emulator per project, one BigQuery."""
    python = sys.executable
    plans = [_Plan("moto", "moto", (python, "-m", "moto.server", "-H", LOOPBACK, "-p", PORT), "/moto-api/")]
    for project in layout.gcp_projects():
        # -q: the emulator logs request bodies at debug level, and those would hold PII.
        plans.append(_Plan(f"storage-{project.project_id}", "storage",
                           (python, "-m", "gcp_storage_emulator", "start", "--host", LOOPBACK, "--port", PORT,
                            "--in-memory", "-q"), "/", project=project.project_id))
    plans.append(_Plan("bigquery", "bigquery",
                       (python, "-m", "cloudaudit_demo.estate.bigquery_emulator", "--host", LOOPBACK, "--port", PORT), "/"))
    return plans


def _resolve(state_dir: Path | None) -> Path:
    return Path(state_dir) if state_dir is not None else estate_dir()


@contextlib.contextmanager
def _locked(state_dir: Path) -> Iterator[None]:
    """Serialise up/down on one state directory (two `estate up` at once would start two estates)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_state(state_dir: Path) -> EstateInfo | None:
    path = state_dir / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return EstateInfo.from_json(data, state_dir)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise EstateError(f"{path}: unreadable estate record; remove it after checking no emulator runs") from None


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def _write_state(info: EstateInfo) -> None:
    _write_json(info.state_dir / STATE_FILE, info.to_json())


def _write_inventory(info: EstateInfo) -> None:
    inventory = layout.render_inventory(info.moto_url, info.storage_urls, info.bigquery_url)
    text = "# Rendered by `cloudaudit estate up`: the running demo estate's endpoints.\n"
    text += yaml.safe_dump(inventory, sort_keys=False, allow_unicode=True)
    tmp = info.inventory_path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(info.inventory_path)


# What each kind's command line holds: a recorded PID that now runs something else is not ours.
_MARKERS = {"moto": "moto.server", "storage": "gcp_storage_emulator", "bigquery": "bigquery_emulator"}


def _is_ours(emulator: EmulatorInfo) -> bool:
    """True while the recorded PID still runs this emulator (PIDs are reused after a reboot or crash)."""
    if not is_alive(emulator.pid):
        return False
    cmdline = command_line(emulator.pid)
    marker = _MARKERS.get(emulator.kind)
    return cmdline is None or marker is None or marker in cmdline


def _all_alive(info: EstateInfo) -> bool:
    return all(_is_ours(e) for e in info.emulators)


def _stop_emulators(emulators: tuple[EmulatorInfo, ...] | list[EmulatorInfo]) -> list[str]:
    """Stop each process group; returns the names of any that would not die."""
    stubborn: list[str] = []
    for emulator in emulators:
        if is_alive(emulator.pid) and not _is_ours(emulator):
            log.warning("pid %d no longer runs %s: left alone", emulator.pid, emulator.name)
            continue
        if not terminate_group(emulator.pid):
            stubborn.append(f"{emulator.name} (pid {emulator.pid})")
    return stubborn


def _tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _failure(emulator: EmulatorInfo) -> str | None:
    """None once the emulator answers HTTP; else why not (it exited, or it stayed silent)."""
    ready = wait_until(lambda: http_ready(emulator.url + _probe_path(emulator)), deadline_s=READY_DEADLINE_S,
                       give_up=lambda: not is_alive(emulator.pid))
    if ready:
        return None
    return "exited" if not is_alive(emulator.pid) else f"did not answer within {READY_DEADLINE_S:.0f} s"


def _probe_path(emulator: EmulatorInfo) -> str:
    return {"moto": "/moto-api/"}.get(emulator.kind, "/")


def _launch(plan: _Plan, logs: Path, taken: set[int]) -> tuple[EmulatorInfo, int]:
    """Spawn one emulator on a fresh free port; returns it and where this attempt's log output starts."""
    port = free_port()
    while port in taken:
        port = free_port()
    taken.add(port)
    log_path = logs / f"{plan.name}.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    pid = spawn(tuple(arg.replace(PORT, str(port)) for arg in plan.argv), log_path)
    log.info("started %s (pid %d) on port %d", plan.name, pid, port)
    return EmulatorInfo(plan.name, plan.kind, pid, port, f"http://{LOOPBACK}:{port}", str(log_path),
                        plan.project), offset


def _port_clash(emulator: EmulatorInfo, offset: int) -> bool:
    try:
        with open(emulator.log, "rb") as handle:
            handle.seek(offset)
            return b"in use" in handle.read()
    except OSError:
        return False


def _start_emulators(state_dir: Path) -> tuple[EmulatorInfo, ...]:
    logs = state_dir / LOG_DIR
    plans = _plans()
    taken: set[int] = set()
    launched: list[tuple[EmulatorInfo, int]] = []
    try:
        # All emulators boot in parallel; only then wait for each in turn.
        launched = [_launch(plan, logs, taken) for plan in plans]
        for index, plan in enumerate(plans):
            for attempt in range(1, PORT_ATTEMPTS + 1):
                emulator, offset = launched[index]
                reason = _failure(emulator)
                if reason is None:
                    break
                if reason == "exited" and _port_clash(emulator, offset) and attempt < PORT_ATTEMPTS:
                    log.warning("%s lost port %d to another process: retrying", emulator.name, emulator.port)
                    launched[index] = _launch(plan, logs, taken)
                    continue
                tail = _tail(Path(emulator.log))
                raise EstateError(f"emulator {emulator.name} {reason} on {emulator.url}; see its log {emulator.log}"
                                  + (f"\n--- last lines of {emulator.log} ---\n{tail}" if tail else ""))
    except BaseException:
        _stop_emulators([e for e, _ in launched])  # never leave half an estate running
        raise
    return tuple(e for e, _ in launched)


def _seeded(info: EstateInfo, seed_value: int | None) -> EstateInfo:
    """Seed the running estate and record it; on failure stop it all, so no half-seeded estate remains."""
    from cloudaudit_demo.estate.seed import DEFAULT_SEED, seed_estate

    value = DEFAULT_SEED if seed_value is None else seed_value
    try:
        seed_estate(info, seed=value)
        seeded = replace(info, seeded=True, seed=value)
        _write_state(seeded)
    except BaseException:
        _stop_emulators(info.emulators)
        _forget(info.state_dir)
        raise
    return seeded


def start_estate(state_dir: Path | None = None, *, seed: bool = True, seed_value: int | None = None) -> EstateInfo:
    """Start the demo estate in ``state_dir`` (default ``info.estate_dir()``) and seed it.

    Idempotent: an estate recorded there that is fully running is returned as it is (seeded
    first if it was started with ``seed=False`` and seeding is asked for now); a partly dead
    one is stopped and started afresh.
    """
    state_dir = _resolve(state_dir)
    with _locked(state_dir):
        current = _read_state(state_dir)
        if current is not None:
            if _all_alive(current):
                log.info("estate already running in %s", state_dir)
                return _seeded(current, seed_value) if seed and not current.seeded else current
            log.warning("estate in %s is partly dead: restarting it", state_dir)
            _stop_emulators(current.emulators)
            (state_dir / STATE_FILE).unlink(missing_ok=True)
        emulators = _start_emulators(state_dir)
        info = EstateInfo(state_dir=state_dir, started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                          emulators=emulators)
        try:
            _write_state(info)
            _write_inventory(info)
        except BaseException:
            _stop_emulators(emulators)
            _forget(state_dir)
            raise
        return _seeded(info, seed_value) if seed else info


def _forget(state_dir: Path) -> None:
    """Remove the PID records and the rendered inventory (it would point at dead ports)."""
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    (state_dir / INVENTORY_FILE).unlink(missing_ok=True)


def stop_estate(state_dir: Path | None = None) -> None:
    """Stop every emulator recorded in ``state_dir`` (SIGTERM, then SIGKILL) and remove the records.

    Stopping an estate that is not running is a no-op. Logs, ``truth.json`` and ``planted.json``
    are kept for inspection.
    """
    state_dir = _resolve(state_dir)
    if not state_dir.exists():
        return
    with _locked(state_dir):
        current = _read_state(state_dir)
        if current is None:
            (state_dir / INVENTORY_FILE).unlink(missing_ok=True)
            return
        stubborn = _stop_emulators(current.emulators)
        if stubborn:
            raise EstateError("could not stop " + ", ".join(stubborn) + "; the estate record is kept")
        _forget(state_dir)


def estate_status(state_dir: Path | None = None) -> EstateInfo | None:
    """The recorded estate in ``state_dir``, or None when none is recorded."""
    return _read_state(_resolve(state_dir))


def emulator_alive(emulator: EmulatorInfo) -> bool:
    """True while the emulator's recorded process runs (and is still that emulator)."""
    return _is_ours(emulator)


@contextlib.contextmanager
def running_estate(state_dir: Path | None = None, *, seed: bool = True) -> Iterator[EstateInfo]:
    """Run the estate for the duration of a ``with`` block (pytest fixtures); always stops it."""
    info = start_estate(state_dir, seed=seed)
    try:
        yield info
    finally:
        stop_estate(info.state_dir)
