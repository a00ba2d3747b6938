"""Listing a bucket's keys (bounded) and choosing which objects to sample (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.aws.calls import aws_call

if TYPE_CHECKING:
    from collections.abc import Iterator

# Extensions the format parsers read (each optionally gzip-compressed).
SAMPLEABLE_SUFFIXES = frozenset({".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet", ".xlsx", ".txt"})
# Formats that can only be parsed from the whole object (footer / zip directory at the end).
WHOLE_OBJECT_SUFFIXES = frozenset({".parquet", ".xlsx"})
# Reading these needs a restore first; GetObject would fail with InvalidObjectState.
ARCHIVED_STORAGE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
LIST_OBJECTS_PAGE_SIZE = 1000  # the API maximum


@dataclass(frozen=True)
class ListedObject:
    """One key as ListObjectsV2 reported it."""

    key: str
    size: int
    storage_class: str = "STANDARD"

    @property
    def suffix(self) -> str:
        """The format extension in lower case, ``.gz`` looked through (``a/b.CSV.gz`` → ``.csv``).

        >>> ListedObject("a/b.CSV.gz", 1).suffix, ListedObject("a.b/readme", 1).suffix
        ('.csv', '')
        """
        name = self.key.rsplit("/", 1)[-1].lower()
        if name.endswith(".gz"):
            name = name[:-3]
        stem, dot, ext = name.rpartition(".")
        return f".{ext}" if dot and stem else ""

    @property
    def prefix(self) -> str:
        """The "folder" the key is in (``""`` at the top)."""
        return self.key.rsplit("/", 1)[0] if "/" in self.key else ""

    @property
    def is_folder_marker(self) -> bool:
        return self.key.endswith("/")

    @property
    def sampleable(self) -> bool:
        return self.suffix in SAMPLEABLE_SUFFIXES

    @property
    def archived(self) -> bool:
        return self.storage_class in ARCHIVED_STORAGE_CLASSES


def list_objects(s3: Any, bucket: str, max_keys: int) -> list[ListedObject]:
    """Up to ``max_keys`` keys of ``bucket`` in listing order; raises ``CallFailed``."""
    listed: list[ListedObject] = []
    token: str | None = None
    while len(listed) < max_keys:
        args: dict[str, Any] = {"Bucket": bucket, "MaxKeys": min(LIST_OBJECTS_PAGE_SIZE, max_keys - len(listed))}
        if token:
            args["ContinuationToken"] = token
        page = aws_call("ListObjectsV2", partial(s3.list_objects_v2, **args)) or {}
        listed.extend(ListedObject(key=item["Key"], size=int(item.get("Size") or 0),
                                   storage_class=item.get("StorageClass") or "STANDARD")
                      for item in page.get("Contents") or [])
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            break
    return listed[:max_keys]


def _rank(obj: ListedObject) -> int:
    """0: a format we parse; 1: no extension (sniffed); 2: other extension or archived (recorded, not read)."""
    if obj.archived:
        return 2
    if obj.sampleable:
        return 0
    return 1 if not obj.suffix else 2


def _round_robin(objects: Sequence[ListedObject]) -> Iterator[ListedObject]:
    """Objects interleaved across prefixes (sorted), each prefix in listing order."""
    by_prefix: dict[str, list[ListedObject]] = defaultdict(list)
    for obj in objects:
        by_prefix[obj.prefix].append(obj)
    queues = [by_prefix[p] for p in sorted(by_prefix)]
    depth = 0
    while queues:
        for queue in queues:
            yield queue[depth]
        depth += 1
        queues = [q for q in queues if len(q) > depth]


def choose_candidates(objects: Sequence[ListedObject], limit: int) -> list[ListedObject]:
    """Up to ``limit`` objects to sample: parseable formats first, spread over prefixes.

    Zero-byte objects and folder markers hold nothing to sample and are never chosen.
    """
    eligible = [o for o in objects if o.size > 0 and not o.is_folder_marker]
    chosen: list[ListedObject] = []
    for rank in (0, 1, 2):
        for obj in _round_robin([o for o in eligible if _rank(o) == rank]):
            if len(chosen) >= limit:
                return chosen
            chosen.append(obj)
    return chosen
