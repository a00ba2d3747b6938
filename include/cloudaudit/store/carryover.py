"""The snapshot an incremental re-scan carries detection results over from (see ``cloudaudit.incremental``).

It is the newest complete snapshot of the same environment strictly before the run date, found
by probing ``snapshots/<D>/<environment>.json.complete`` one day back at a time (one small read
per day, whatever the number of environments or stored days), at most ``LOOKBACK_DAYS`` back.
A snapshot of a later date is never used, so a backfill of an old date reads what it must.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cloudaudit.store import state

if TYPE_CHECKING:
    from cloudaudit.model import Snapshot
    from cloudaudit.store.backend import Store

log = logging.getLogger(__name__)

LOOKBACK_DAYS = 8  # a week and a day: an environment not read live for longer is read whole again


def previous_snapshot(store: Store, environment: str, run_date: str, *,
                      lookback_days: int = LOOKBACK_DAYS) -> Snapshot | None:
    """The newest complete snapshot of ``environment`` dated before ``run_date``, or None."""
    day = date.fromisoformat(run_date)
    for back in range(1, lookback_days + 1):
        key = state.snapshot_key((day - timedelta(days=back)).isoformat(), environment)
        if not store.exists(key + state.COMPLETE):
            continue
        snapshot = state.read_snapshot(store, key)
        if snapshot is not None and snapshot.run_date < run_date:
            log.info("%s: carrying over from the snapshot of %s", environment, snapshot.run_date)
            return snapshot
    return None
