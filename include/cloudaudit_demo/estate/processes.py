"""Child processes of the estate: each in its own process group, stopped by its recorded PID."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

GRACE_S = 5.0


def spawn(argv: Sequence[str], log_path: Path, *, env: Mapping[str, str] | None = None) -> int:
    """Start ``argv`` detached in a new session (its own process group); output goes to ``log_path``.

    A new session means the emulator survives the CLI that started it (``estate up`` returns)
    and that ``stop`` can signal the whole group, children included, by the recorded PID.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # argv is built by the manager, never from input
            list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env=dict(env) if env is not None else None, close_fds=True,
        )
    return proc.pid


def is_alive(pid: int) -> bool:
    """True when ``pid`` exists and is not a zombie (a zombie of ours is reaped here)."""
    with contextlib.suppress(ChildProcessError, OSError):
        # Our own children linger as zombies until reaped; reaping makes them really gone.
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def command_line(pid: int) -> str | None:
    """The process's command line joined by spaces, or None where /proc cannot tell."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the parenthesised command name, which may itself hold spaces.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except OSError as exc:
        if exc.errno != errno.EPERM:
            raise


def group_alive(pid: int) -> bool:
    """True while any member of the process group led by ``pid`` still exists."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return is_alive(pid) or _group_has_live_members(pid)


def _group_has_live_members(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # fields: state, ppid, pgrp, ...
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def terminate_group(pid: int, *, grace_s: float = GRACE_S) -> bool:
    """SIGTERM the process group led by ``pid``, then SIGKILL after ``grace_s``. True if it is gone."""
    if not group_alive(pid):
        return True
    _signal_group(pid, signal.SIGTERM)
    end = time.monotonic() + grace_s
    while time.monotonic() < end:
        if not group_alive(pid):
            return True
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        if not group_alive(pid):
            return True
        time.sleep(0.05)
    return not group_alive(pid)
