"""Which listed objects to sample: pure functions over (name, size) pairs.

Sampleable formats go first; within each group the choice is spread over the bucket's
top-level prefixes, so twenty samples are not all taken from one ``logs/`` folder.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudaudit.incremental import Fingerprint


@dataclass(frozen=True)
class Listed:
    """An object as listed: enough to choose it, nothing of its content."""

    name: str
    size: int
    content_type: str | None = None
    generation: str = ""  # with size and updated: the content's fingerprint (cloudaudit.incremental)
    updated: str = ""

    @property
    def fingerprint(self) -> Fingerprint:
        from cloudaudit.incremental import Fingerprint

        return Fingerprint.of(self.generation, self.size, self.updated)


def is_sampleable_name(name: str) -> bool:
    """True when the extension names a format the parsers read (gzip looked through).

    >>> is_sampleable_name("a/b.CSV.gz"), is_sampleable_name("app.log"), is_sampleable_name("x.png")
    (True, True, False)
    """
    from cloudaudit.formats.sniff import format_from_extension, strip_gzip_extension

    return format_from_extension(strip_gzip_extension(name)) is not None


def is_placeholder(item: Listed) -> bool:
    """A zero-byte ``folder/`` marker created by the console: nothing to sample."""
    return item.name.endswith("/") and item.size == 0


def choose_candidates(listed: Iterable[Listed], limit: int) -> list[Listed]:
    """Up to ``limit`` objects: sampleable names first, spread across top-level prefixes.

    >>> items = [Listed(n, 10) for n in ("logs/1.csv", "logs/2.csv", "img/a.png", "crm/c.json")]
    >>> [c.name for c in choose_candidates(items, 3)]
    ['logs/1.csv', 'crm/c.json', 'logs/2.csv']
    """
    if limit <= 0:
        return []
    preferred: list[Listed] = []
    others: list[Listed] = []
    for item in listed:
        if is_placeholder(item):
            continue
        (preferred if is_sampleable_name(item.name) else others).append(item)
    chosen = _round_robin(preferred, limit)
    return chosen + _round_robin(others, limit - len(chosen))


def _round_robin(items: Sequence[Listed], limit: int) -> list[Listed]:
    if limit <= 0:
        return []
    by_prefix: OrderedDict[str, list[Listed]] = OrderedDict()
    for item in items:
        by_prefix.setdefault(_top_prefix(item.name), []).append(item)
    queues = [list(reversed(group)) for group in by_prefix.values()]
    out: list[Listed] = []
    while queues and len(out) < limit:
        for queue in queues:
            if len(out) == limit:
                break
            out.append(queue.pop())
        queues = [q for q in queues if q]
    return out


def _top_prefix(name: str) -> str:
    head, sep, _ = name.partition("/")
    return head if sep else ""
