"""Listing a bucket's keys (bounded) and choosing which objects to sample (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.aws.calls import aws_call
from cloudaudit.formats import needs_whole_object
from cloudaudit.formats.sniff import GZIP_SUFFIX, format_from_extension, strip_gzip_extension
from cloudaudit.incremental import Fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterator

# Reading these needs a restore first; GetObject would fail with InvalidObjectState.
ARCHIVED_STORAGE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
# Media, archives and binaries no parser reads: recorded as not sampled without downloading them.
# Any other extension (``.bak``, ``.out``, ``.20260101``) is read and its content sniffed.
UNSAMPLED_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".svg", ".ico",
    ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".mkv", ".wav", ".flac", ".ogg", ".webm",
    ".zip", ".tar", ".tgz", ".7z", ".rar", ".bz2", ".xz", ".zst", ".lz4",
    ".exe", ".dll", ".so", ".dylib", ".bin", ".iso", ".dmg", ".jar", ".whl", ".pyc", ".class",
    ".pdf", ".doc", ".ppt", ".xls", ".docx", ".pptx", ".avro", ".orc", ".sqlite", ".db",
})
LIST_OBJECTS_PAGE_SIZE = 1000  # the API maximum
MAX_EXTRA_FOLDERS = 100  # top-level folders a truncated listing visits (one ListObjectsV2 each)
MAX_FOLDER_PAGES = 5  # pages walked to find those folders


@dataclass(frozen=True)
class ListedObject:
    """One key as ListObjectsV2 reported it."""

    key: str
    size: int
    storage_class: str = "STANDARD"
    etag: str = ""  # with last_modified and size: the content's fingerprint (cloudaudit.incremental)
    last_modified: str = ""

    @property
    def fingerprint(self) -> Fingerprint:
        return Fingerprint.of(self.etag, self.size, self.last_modified)

    @property
    def suffix(self) -> str:
        """The extension in lower case, ``.gz`` looked through (``a/b.CSV.gz`` → ``.csv``).

        >>> ListedObject("a/b.CSV.gz", 1).suffix, ListedObject("a.b/readme", 1).suffix
        ('.csv', '')
        """
        name = strip_gzip_extension(self.key.rsplit("/", 1)[-1]).lower()
        stem, dot, ext = name.rpartition(".")
        return f".{ext}" if dot and stem else ""

    @property
    def declared_format(self) -> str | None:
        """The format the name declares, as ``formats`` names it (``csv.gz``), or None.

        >>> ListedObject("x/orders.PARQUET.gz", 1).declared_format, ListedObject("x/a.png", 1).declared_format
        ('parquet.gz', None)
        """
        inner = strip_gzip_extension(self.key)
        fmt = format_from_extension(inner)
        if fmt is None:
            return None
        return fmt + GZIP_SUFFIX if inner != self.key else fmt

    @property
    def needs_whole_object(self) -> bool:
        """Parquet and XLSX parse only whole (footer, zip directory): a range read cannot do."""
        fmt = self.declared_format
        return fmt is not None and needs_whole_object(fmt)

    @property
    def prefix(self) -> str:
        """The "folder" the key is in (``""`` at the top)."""
        return self.key.rsplit("/", 1)[0] if "/" in self.key else ""

    @property
    def is_folder_marker(self) -> bool:
        return self.key.endswith("/")

    @property
    def sampleable(self) -> bool:
        return self.declared_format is not None

    @property
    def known_unsampled(self) -> bool:
        """A name no parser reads (``.png``, ``.zip``...): not worth a download."""
        return self.suffix in UNSAMPLED_SUFFIXES

    @property
    def archived(self) -> bool:
        return self.storage_class in ARCHIVED_STORAGE_CLASSES


def _list_keys(s3: Any, bucket: str, max_keys: int, prefix: str = "") -> tuple[list[ListedObject], bool]:
    """Up to ``max_keys`` keys under ``prefix`` in listing order, and whether more remain."""
    listed: list[ListedObject] = []
    token: str | None = None
    more = True
    while more and len(listed) < max_keys:
        args: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix,
                                "MaxKeys": min(LIST_OBJECTS_PAGE_SIZE, max_keys - len(listed))}
        if token:
            args["ContinuationToken"] = token
        page = aws_call("ListObjectsV2", partial(s3.list_objects_v2, **args)) or {}
        listed.extend(_listed(item) for item in page.get("Contents") or [])
        token = page.get("NextContinuationToken")
        more = bool(page.get("IsTruncated") and token)
    return listed[:max_keys], more


def _listed(item: dict[str, Any]) -> ListedObject:
    modified: Any = item.get("LastModified")  # a datetime, as botocore parses it
    return ListedObject(key=item["Key"], size=int(item.get("Size") or 0),
                        storage_class=item.get("StorageClass") or "STANDARD", etag=str(item.get("ETag") or ""),
                        last_modified=modified.isoformat() if isinstance(modified, datetime) else str(modified or ""))


def _top_level_after(s3: Any, bucket: str, after: str, limit: int) -> tuple[list[str], list[ListedObject]]:
    """Top-level "folders" (at most ``limit``) and root-level keys that sort after ``after``.

    At most ``MAX_FOLDER_PAGES`` pages: a bucket of a million root-level keys has no folders
    worth the walk.
    """
    folders: list[str] = []
    root: list[ListedObject] = []
    token: str | None = None
    for _ in range(MAX_FOLDER_PAGES):
        args: dict[str, Any] = {"Bucket": bucket, "Delimiter": "/", "StartAfter": after,
                                "MaxKeys": LIST_OBJECTS_PAGE_SIZE}
        if token:
            args["ContinuationToken"] = token
        page = aws_call("ListObjectsV2", partial(s3.list_objects_v2, **args)) or {}
        folders.extend(p["Prefix"] for p in page.get("CommonPrefixes") or [] if p.get("Prefix"))
        root.extend(_listed(item) for item in page.get("Contents") or [])
        token = page.get("NextContinuationToken")
        if len(folders) >= limit or not (page.get("IsTruncated") and token):
            break
    return folders[:limit], root


def _top_level(key: str) -> str:
    return key.split("/", 1)[0] + "/" if "/" in key else ""


def list_objects(s3: Any, bucket: str, max_keys: int) -> list[ListedObject]:
    """Up to ``max_keys`` keys of ``bucket``; raises ``CallFailed``.

    S3 lists keys in lexical order, so a flat listing of a large bucket ends inside its first
    folders (``access-logs/`` hiding ``customers/``). When half the budget does not cover the
    bucket, the other half goes to what the flat listing did not reach: the top-level folders
    after it (an even share each) and the root-level keys.
    """
    listed, more = _list_keys(s3, bucket, max(1, max_keys // 2))
    if not more or not listed:
        return listed
    budget = max_keys - len(listed)
    reached = _top_level(listed[-1].key)
    folders, root = _top_level_after(s3, bucket, listed[-1].key, min(budget, MAX_EXTRA_FOLDERS))
    folders = [f for f in folders if f != reached]  # that one the flat listing already covered
    listed.extend(root[: budget // 2 if folders else budget])
    budget = max_keys - len(listed)
    for index, folder in enumerate(folders):
        share = budget // (len(folders) - index)  # what is left, evenly over the folders left
        if share <= 0:
            break
        extra, _ = _list_keys(s3, bucket, share, prefix=folder)
        listed.extend(extra)
        budget -= len(extra)
    return listed


def _rank(obj: ListedObject) -> int:
    """0: a format we parse; 1: unknown, sniffed from its content; 2: recorded without being read."""
    if obj.archived or obj.known_unsampled:
        return 2
    return 0 if obj.sampleable else 1


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
