"""``cloudaudit estate up|down|status|serve``: the demo estate from the command line.

Exit codes: 0 success (``status``: everything recorded is running), 1 the estate is not
running or could not be started or stopped, 2 unusable input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from cloudaudit.errors import CloudauditError
from cloudaudit_demo.estate.info import EstateInfo
from cloudaudit_demo.estate.manager import (
    emulator_alive,
    estate_status,
    start_estate,
    stop_estate,
)


def describe(info: EstateInfo) -> str:
    """What runs where, one emulator a line: for `estate status` and `estate up`."""
    lines = [f"estate in {info.state_dir}", f"  started   {info.started_at}",
             f"  seeded    {'yes (seed ' + str(info.seed) + ')' if info.seeded else 'no'}",
             f"  inventory {info.inventory_path}"]
    width = max(len(e.name) for e in info.emulators) if info.emulators else 0
    for emulator in info.emulators:
        state = "running" if emulator_alive(emulator) else "DEAD"
        lines.append(f"  {emulator.name:<{width}}  {state:<7}  pid {emulator.pid:<7}  {emulator.url}  log {emulator.log}")
    return "\n".join(lines)


def _state(args: argparse.Namespace) -> Path | None:
    value = getattr(args, "state", None)
    return Path(value) if value is not None else None


def _up(args: argparse.Namespace, out: TextIO) -> int:
    info = start_estate(_state(args), seed=not getattr(args, "no_seed", False))
    print(describe(info), file=out)
    print(f"\nexport CLOUDAUDIT_INVENTORY={info.inventory_path}", file=out)
    return 0


def _down(args: argparse.Namespace, out: TextIO) -> int:
    info = estate_status(_state(args))
    stop_estate(_state(args))
    print(f"estate in {info.state_dir} stopped" if info else "no estate was running", file=out)
    return 0


def _status(args: argparse.Namespace, out: TextIO) -> int:
    info = estate_status(_state(args))
    if info is None:
        from cloudaudit_demo.estate.info import estate_dir

        print(f"no estate recorded in {_state(args) or estate_dir()}", file=out)
        return 1
    print(describe(info), file=out)
    return 0 if all(emulator_alive(e) for e in info.emulators) else 1


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    if args.emulator != "bigquery":
        print(f"unknown emulator {args.emulator!r}", file=sys.stderr)
        return 2
    from cloudaudit_demo.estate.bigquery_emulator import serve

    return serve(args.host, args.port)  # prints where it listens; Ctrl-C or SIGTERM stops it


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Dispatch ``args.estate_command`` (up, down, status, serve)."""
    out = out or sys.stdout
    commands = {"up": _up, "down": _down, "status": _status, "serve": _serve}
    command = commands.get(args.estate_command)
    if command is None:
        print(f"unknown estate command {args.estate_command!r}", file=sys.stderr)
        return 2
    try:
        return command(args, out)
    except CloudauditError as exc:
        print(f"cloudaudit estate {args.estate_command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Ctrl-C is how a foreground emulator is meant to stop; elsewhere it interrupted the work.
        return 0 if args.estate_command == "serve" else 130
