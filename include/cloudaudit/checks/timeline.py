"""Exposure timeline: First Seen from the history of earlier runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from cloudaudit.model import Finding, Status


def first_seen(key: tuple[str, str], history: Mapping[str, set[tuple[str, str]]], run_date: str) -> str:
    """The earliest date of the unbroken daily run of FAILs of ``key`` ending at ``run_date``.

    A day without a run, or a run where the key did not fail, breaks the chain.

    >>> h = {"2026-11-18": {("c", "r")}, "2026-11-19": {("c", "r")}}
    >>> first_seen(("c", "r"), h, "2026-11-20"), first_seen(("c", "x"), h, "2026-11-20")
    ('2026-11-18', '2026-11-20')
    """
    day = dt.date.fromisoformat(run_date)
    while True:
        previous = day - dt.timedelta(days=1)
        if key not in history.get(previous.isoformat(), ()):
            return day.isoformat()
        day = previous


def apply_first_seen(findings: Iterable[Finding], history: Mapping[str, set[tuple[str, str]]],
                     run_date: str) -> list[Finding]:
    """Set First Seen on every FAIL (run_date itself when new); other statuses have none.

    A finding that already says so is kept as it is, not copied (most are PASS, with none)."""
    out = []
    for f in findings:
        seen = first_seen(f.key, history, run_date) if f.status is Status.FAIL else ""
        out.append(f if f.first_seen == seen else f.model_copy(update={"first_seen": seen}))
    return out
