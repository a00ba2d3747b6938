"""`cloudaudit scan PATH...`: the extract task's sampling and PII detection on local files.

Lets a user check a file before it is uploaded. Prints one row per (file, field, PII type)
with the `PII Inventory` columns that apply to a local file, values masked.

Only regular files are read: a FIFO or device named on the command line is refused (exit 2),
and one met inside a directory is reported as not sampled; neither is ever opened for a
blocking read. File names, field names and examples are printed escaped (``localio.escape``),
so a name with control characters cannot rewrite the terminal, and one with bytes that are
not UTF-8 cannot make the ``--json`` output invalid.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cloudaudit.config import Limits
from cloudaudit.errors import CloudauditError, ConfigError, SampleSkipped
from cloudaudit.localio import escape, file_kind, open_regular

log = logging.getLogger(__name__)

SCAN_COLUMNS = ("Country", "Resource", "Field", "PII Type", "Rows Sampled", "Matches", "Masked Example")


def _files(paths: Sequence[Path]) -> Iterator[Path]:
    """Every file named or found below a named directory; non-regular ones too, so they are reported."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if not p.is_dir())
        else:
            yield path


def argument_problem(path: Path) -> str | None:
    """Why a path named on the command line cannot be scanned at all, or None (file or directory)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "no such file or directory"
    except OSError as exc:
        return f"cannot read ({exc.strerror})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"is {file_kind(mode)}, not a regular file or directory"


def read_bounded(path: Path, limits: Limits) -> tuple[bytes, bool]:
    """The file's first bytes as a range read would get them; whole-object formats whole if small enough.

    Raises NotRegularFile (an OSError) for a FIFO, socket or device: they are never read.
    """
    from cloudaudit.formats import needs_whole_object, sniff

    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(limits.max_object_bytes)
    if size <= limits.max_object_bytes:
        return head, False
    fmt = sniff(path.name, head[:4096])
    if needs_whole_object(fmt):
        raise SampleSkipped(f"{fmt} object over max_object_bytes ({size} bytes)")
    return head, True


def scan_file(path: Path, country: str, limits: Limits) -> tuple[list[dict[str, Any]], str]:
    """Rows for one file, and why it was only partly read (empty when it was read to its bounds).

    Raises SampleSkipped with the reason when it cannot be sampled at all."""
    from cloudaudit.sampling import analyse_bytes

    data, truncated = read_bounded(path, limits)
    sample, fields = analyse_bytes(path.name, data, country=country, limits=limits, truncated=truncated)
    rows = []
    for field in fields:
        for match in sorted(field.pii, key=lambda m: m.pii_type.value):
            rows.append({
                "Country": country, "Resource": str(path), "Field": field.field,
                "PII Type": match.pii_type.value, "Rows Sampled": field.rows_sampled,
                "Matches": match.matches, "Masked Example": match.masked_example,
            })
    log.info("scanned %s: %s, %d rows, %d fields, %d with PII", escape(str(path)), sample.format, sample.rows,
             len(fields), sum(1 for f in fields if f.pii))
    return rows, sample.partial


def _printable_row(row: dict[str, Any]) -> dict[str, Any]:
    """Text cells escaped: file names, field names (data from the file) and examples may hold anything."""
    return {column: escape(value) if isinstance(value, str) else value for column, value in row.items()}


def _table(rows: list[dict[str, Any]]) -> str:
    widths = {c: max([len(c)] + [len(str(r[c])) for r in rows]) for c in SCAN_COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in SCAN_COLUMNS)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in SCAN_COLUMNS) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def run_scan(paths: Sequence[Path], *, country: str = "", as_json: bool = False) -> int:
    """Exit 0 when every file was read (PII or not), 1 when some could not be sampled or were only
    partly read (PARTIAL, reason on stderr), 2 on unusable input (a missing path, a FIFO or device
    named, a bad ``CLOUDAUDIT_*`` setting), with one line saying which."""
    unusable = [(p, problem) for p in paths if (problem := argument_problem(p))]
    if unusable:
        for path, problem in unusable:
            print(f"cloudaudit scan: {escape(str(path))}: {problem}", file=sys.stderr)
        return 2
    try:
        limits = Limits.from_env()
    except ConfigError as exc:
        print(f"cloudaudit scan: {escape(str(exc))}", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    skipped = 0
    for path in _files(paths):
        try:
            found, partial = scan_file(path, country, limits)
            rows += [_printable_row(row) for row in found]
            if partial:  # what was read is reported, but the file is not clean
                skipped += 1
                print(f"{escape(str(path))}: PARTIAL: {escape(partial)}", file=sys.stderr)
        except CloudauditError as exc:
            skipped += 1
            print(f"{escape(str(path))}: not sampled: {escape(str(exc))}", file=sys.stderr)
        except OSError as exc:
            skipped += 1
            print(f"{escape(str(path))}: not sampled: {exc.strerror}", file=sys.stderr)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif rows:
        print(_table(rows))
    elif skipped:  # never "no PII found" for a file that was not read to its bounds
        print(f"scan incomplete: {skipped} file(s) not sampled or only partly read (see above)", file=sys.stderr)
    else:
        print("no PII found", file=sys.stderr)
    return 1 if skipped else 0
