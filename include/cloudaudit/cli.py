"""The ``cloudaudit`` command: estate, scan, verify, inventory check, portal grant|revoke.

Each subcommand imports its module only when called, so ``cloudaudit --help`` stays fast.
Exit codes: 0 success, 1 a finding or failed verification, 2 unusable input. A bad argument or
``CLOUDAUDIT_*`` setting is one line on stderr and exit 2, never a usage dump or a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from cloudaudit import __version__
from cloudaudit.errors import ConfigError
from cloudaudit.localio import escape


class _Parser(argparse.ArgumentParser):
    """argparse, with an error as one escaped line (the argument may hold control characters)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {escape(message)} (see {self.prog} --help)\n")


def _iso_country(code: str) -> str:
    from cloudaudit.countries import country_problem

    problem = country_problem(code)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return code


def _country(value: str) -> str:
    """``--country``: an ISO 3166-1 alpha-2 code, any case; empty means none."""
    code = value.strip().upper()
    return _iso_country(code) if code else code


def _grant_country(value: str) -> str:
    """``portal grant|revoke`` countries: ``ALL`` or an ISO 3166-1 alpha-2 code, any case."""
    from cloudaudit.portal.access import ALL_COUNTRIES

    code = value.strip().upper()
    return code if code == ALL_COUNTRIES else _iso_country(code)


def _role(value: str) -> str:
    """A FAB role name: printed back in every change line, so no control characters and not blank."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty role name")
    if not value.isprintable():
        raise argparse.ArgumentTypeError(f"role name {escape(repr(value))} contains control characters")
    return value


def _path(value: str) -> Path:
    """A path argument; an empty one would silently mean the current directory."""
    if not value:
        raise argparse.ArgumentTypeError("empty path")
    return Path(value)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cloudaudit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"cloudaudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    estate = sub.add_parser("estate", help="the embedded demo estate (emulators on loopback)")
    estate_sub = estate.add_subparsers(dest="estate_command", required=True)
    up = estate_sub.add_parser("up", help="start the emulators and seed the demo estate")
    up.add_argument("--state", type=Path, help="estate directory (default: $CLOUDAUDIT_STATE/estate)")
    up.add_argument("--no-seed", action="store_true", help="start the emulators empty")
    down = estate_sub.add_parser("down", help="stop the emulators started by `estate up`")
    down.add_argument("--state", type=Path)
    status = estate_sub.add_parser("status", help="show the running emulators")
    status.add_argument("--state", type=Path)
    serve = estate_sub.add_parser("serve", help="run one emulator in the foreground")
    serve.add_argument("emulator", choices=["bigquery"])
    serve.add_argument("--port", type=_port, default=9050)
    serve.add_argument("--host", default="127.0.0.1")

    scan = sub.add_parser("scan", help="detect PII in local files, as the extract task does")
    scan.add_argument("paths", nargs="+", type=_path)
    scan.add_argument("--country", default="", type=_country, help="ISO 3166-1 alpha-2 code of the data subjects")
    scan.add_argument("--json", action="store_true", help="print a JSON array")

    verify = sub.add_parser("verify", help="check an evidence or remediation bundle's hashes and signature")
    verify.add_argument("bundle", type=_path)
    verify.add_argument("--public-key", type=_path, help="PEM public key to verify against")

    inventory = sub.add_parser("inventory", help="the inventory of environments")
    inventory_sub = inventory.add_subparsers(dest="inventory_command", required=True)
    check = inventory_sub.add_parser(
        "check", help="validate an inventory file: 0 valid (one-line summary), 1 every error, 2 unreadable")
    check.add_argument("file", nargs="?", type=_path, help="default: $CLOUDAUDIT_INVENTORY")

    portal = sub.add_parser("portal", help="auditor access to the reports portal (FAB auth manager)")
    portal_sub = portal.add_subparsers(dest="portal_command", required=True)
    for name, text in (("grant", "let a FAB role read countries' reports (creates the role)"),
                       ("revoke", "take countries back from a FAB role")):
        change = portal_sub.add_parser(name, help=text)
        change.add_argument("role", type=_role)
        change.add_argument("countries", nargs="+", type=_grant_country, help="ISO 3166-1 alpha-2 codes, or ALL")
    return parser


DEMO_MISSING = ("cloudaudit estate: the demo package (cloudaudit_demo) is not installed; "
                "install it from a checkout with `make install` (or `pip install -e .`)")


def _run_estate(args: argparse.Namespace) -> int:
    """The demo estate lives in a sibling package a worker image need not ship: imported only here."""
    try:
        from cloudaudit_demo.estate.cli import run
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("cloudaudit_demo"):
            raise
        print(DEMO_MISSING, file=sys.stderr)
        return 2
    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ConfigError as exc:  # a bad CLOUDAUDIT_* setting or config file: one line, not a traceback
        print(f"cloudaudit {args.command}: {escape(str(exc))}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "estate":
        return _run_estate(args)
    if args.command == "scan":
        from cloudaudit.scan import run_scan

        return run_scan(args.paths, country=args.country, as_json=args.json)
    if args.command == "verify":
        from cloudaudit.evidence.verify import run_verify

        return run_verify(args.bundle, public_key=args.public_key)
    if args.command == "inventory":
        from cloudaudit.inventory_check import run_inventory_check

        return run_inventory_check(args.file)
    if args.command == "portal":
        from cloudaudit.portal.grants import run_grant

        return run_grant(args.role, args.countries, revoke=args.portal_command == "revoke")
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
