"""The ``cloudaudit`` command: estate up|down|status, estate serve bigquery, scan, verify.

Each subcommand imports its module only when called, so ``cloudaudit --help`` stays fast.
Exit codes: 0 success, 1 a finding or failed verification, 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cloudaudit import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudaudit", description=__doc__.splitlines()[0])
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
    serve.add_argument("--port", type=int, default=9050)
    serve.add_argument("--host", default="127.0.0.1")

    scan = sub.add_parser("scan", help="detect PII in local files, as the extract task does")
    scan.add_argument("paths", nargs="+", type=Path)
    scan.add_argument("--country", default="", help="ISO 3166-1 alpha-2 code of the data subjects")
    scan.add_argument("--json", action="store_true", help="print a JSON array")

    verify = sub.add_parser("verify", help="check an evidence bundle's hashes and signature")
    verify.add_argument("bundle", type=Path)
    verify.add_argument("--public-key", type=Path, help="PEM public key to verify against")

    portal = sub.add_parser("portal", help="auditor access to the reports portal (FAB auth manager)")
    portal_sub = portal.add_subparsers(dest="portal_command", required=True)
    for name, text in (("grant", "let a FAB role read countries' reports (creates the role)"),
                       ("revoke", "take countries back from a FAB role")):
        change = portal_sub.add_parser(name, help=text)
        change.add_argument("role")
        change.add_argument("countries", nargs="+", help="ISO 3166-1 alpha-2 codes, or ALL")
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
    if args.command == "estate":
        return _run_estate(args)
    if args.command == "scan":
        from cloudaudit.scan import run_scan

        return run_scan(args.paths, country=args.country.upper(), as_json=args.json)
    if args.command == "verify":
        from cloudaudit.evidence.verify import run_verify

        return run_verify(args.bundle, public_key=args.public_key)
    if args.command == "portal":
        from cloudaudit.portal.grants import run_grant

        return run_grant(args.role, args.countries, revoke=args.portal_command == "revoke")
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
