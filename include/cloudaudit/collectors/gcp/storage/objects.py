"""One object → one SampleResult: a bounded read, then parsing and detection in memory.

Raw bytes never leave ``sample_object``; what comes out is counts, PII types and masked
examples. A read that fails is NOT_ASSESSED; an object we choose not to (or cannot) parse
is PARTIAL with the reason.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.gcp.failures import Reads, google_call
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import CallFailed, SampleSkipped
from cloudaudit.formats.ranged import RangeReader
from cloudaudit.model import CoverageStatus, SampleResult
from cloudaudit.resources import gs_uri

if TYPE_CHECKING:
    from google.cloud.storage import Bucket

    from cloudaudit.collectors.gcp.clients import CallOptions
    from cloudaudit.collectors.gcp.storage.candidates import Listed
    from cloudaudit.config import Limits
    from cloudaudit.incremental import CarryOver

log = logging.getLogger(__name__)


def whole_object_format(item: Listed, head: bytes) -> str | None:
    """The format of an object that parses only whole (Parquet footer, XLSX zip directory), else None.

    Unsupported content is not decided here: ``analyse_bytes`` gives it its reason.
    """
    from cloudaudit.formats import needs_whole_object, sniff
    from cloudaudit.formats.sniff import SNIFF_BYTES

    try:
        fmt = sniff(item.name, head[:SNIFF_BYTES], item.content_type)
    except SampleSkipped:
        return None
    return fmt.removesuffix(".gz") if needs_whole_object(fmt) else None


def sample_object(bucket: Bucket, item: Listed, *, country: str, limits: Limits, opts: CallOptions,
                  read_acl: bool, carry: CarryOver | None = None) -> SampleResult:
    """Read at most ``limits.max_object_bytes`` of one object and detect PII in it; an object
    unchanged since the previous snapshot (``carry``) is not read, its results are carried over."""
    resource = gs_uri(bucket.name, item.name)
    acl_reads = Reads(resource)
    config: dict[str, Any] = {}
    if read_acl:  # fine-grained access: an object's own ACL can make it public
        acl = acl_reads.read("acl", "getObjectAcl", lambda: _object_acl(bucket, item.name, opts))
        if acl is not None:
            config["acl"] = acl
    if carry is not None and (prior := carry.reuse(resource, item.fingerprint)) is not None:
        from cloudaudit.incremental import carried

        return carried(prior, config=config, read_errors=acl_reads.errors)
    base: dict[str, Any] = {"resource": resource, "size": item.size, "config": config,
                            "read_errors": acl_reads.errors, "fingerprint": item.fingerprint.record()}

    if item.size == 0:
        return SampleResult(**base, status=CoverageStatus.PARTIAL, reason="empty object")
    # Over the limit, a name that says Parquet/XLSX is not worth a download that cannot parse.
    if item.size > limits.max_object_bytes and (fmt := whole_object_format(item, b"")):
        if (ranged := _ranged_format(item)) is not None:  # Parquet, XLSX: footer or zip directory first
            reader = RangeReader(GcsRanges(bucket, item, opts), limits.max_object_bytes)
            return _sample_ranges(reader, ranged, base, country=country, limits=limits)
        return _too_big(base, fmt, item.size, limits)
    if item.size > limits.max_object_bytes and not _declared(item):
        return _sample_unnamed(bucket, item, opts, base, country=country, limits=limits)
    end = min(item.size, limits.max_object_bytes) - 1  # the whole object when it fits
    try:
        with google_call("getObject", resource):
            # raw_download: no decompressive transcoding, so the range applies to stored bytes
            data = bucket.blob(item.name).download_as_bytes(
                start=0, end=end, raw_download=True, checksum=None, **opts.kwargs())
    except CallFailed as exc:
        return SampleResult(**base, status=CoverageStatus.NOT_ASSESSED, reason=str(exc))
    data = data[: limits.max_object_bytes]  # in case a server ignores the Range header
    truncated = len(data) < item.size
    if truncated and (fmt := whole_object_format(item, data)):  # content said so, not the name
        return _too_big(base, fmt, item.size, limits)
    return _analyse(base, item, data, truncated, country=country, limits=limits)


def _declared(item: Listed) -> bool:
    """Whether the object's name or content type names a format (``.csv``, ``text/csv``...)."""
    from cloudaudit.formats.sniff import declared_format

    return declared_format(item.name, item.content_type) is not None


def _sample_unnamed(bucket: Bucket, item: Listed, opts: CallOptions, base: dict[str, Any], *, country: str,
                    limits: Limits) -> SampleResult:
    """An object over ``max_object_bytes`` whose name and content type declare no format: its
    first ``RANGED_HEAD_BYTES`` first. Parquet or XLSX content is read in ranges like a named object
    (the head counted, and not fetched again); anything else is read on to
    ``max_object_bytes`` from its start, as any object is."""
    from cloudaudit.formats import RANGED_HEAD_BYTES, ranged_format

    reader = RangeReader(GcsRanges(bucket, item, opts), limits.max_object_bytes)
    try:
        head = reader.read(0, min(RANGED_HEAD_BYTES, limits.max_object_bytes))
        fmt = ranged_format(item.name, head, item.content_type)
        data = b"" if fmt else reader.read(0, limits.max_object_bytes)  # the head is not fetched again
    except CallFailed as exc:
        return SampleResult(**base, status=CoverageStatus.NOT_ASSESSED, reason=str(exc), bytes_read=reader.bytes_read)
    if fmt:
        return _sample_ranges(reader, fmt, base, country=country, limits=limits)
    del reader  # the bytes are in ``data`` now, and only there
    return _analyse(base, item, data, True, country=country, limits=limits)


def _too_big(base: dict[str, Any], fmt: str, size: int, limits: Limits) -> SampleResult:
    return SampleResult(**base, status=CoverageStatus.PARTIAL, format=fmt, reason=(
        f"{fmt} is parsed whole and the object ({size} bytes) is over max_object_bytes "
        f"({limits.max_object_bytes})"))


def _analyse(base: dict[str, Any], item: Listed, data: bytes, truncated: bool, *, country: str,
             limits: Limits) -> SampleResult:
    from cloudaudit.sampling import analyse_bytes

    read = {"bytes_read": len(data), "truncated": truncated}
    try:
        sample, fields = analyse_bytes(item.name, data, country=country, limits=limits, truncated=truncated,
                                       content_type=item.content_type)
    except SampleSkipped as exc:
        return SampleResult(**base, **read, status=CoverageStatus.PARTIAL, reason=str(exc))
    except Exception as exc:  # a parser bug must cost one sample, not the environment
        return SampleResult(**base, **read, status=CoverageStatus.PARTIAL,
                            reason=unexpected(log, "sampling", base["resource"], exc))
    log.info("sampled %s: %d rows, %d fields, %d with PII", base["resource"], sample.rows,
             len(fields), sum(1 for f in fields if f.pii))
    status = CoverageStatus.PARTIAL if sample.partial else CoverageStatus.ASSESSED  # not read to its bounds
    return SampleResult(**{**base, **read, "truncated": truncated or sample.truncated},
                        format=sample.format, rows_sampled=sample.rows, fields=fields, status=status,
                        reason=sample.partial)


def _ranged_format(item: Listed) -> str | None:
    """``parquet`` or ``xlsx`` when the name says so (not gzipped): readable in ranges."""
    from cloudaudit.formats import RANGED_FORMATS, sniff

    try:
        fmt = sniff(item.name, b"", item.content_type)
    except SampleSkipped:
        return None
    return fmt if fmt in RANGED_FORMATS else None


class GcsRanges:
    """An object read in byte ranges (stored bytes, no transcoding): a ``formats.ranged.RangeSource``."""

    def __init__(self, bucket: Bucket, item: Listed, opts: CallOptions) -> None:
        self.bucket, self.item, self.opts = bucket, item, opts
        self.resource = gs_uri(bucket.name, item.name)

    @property
    def size(self) -> int:
        return self.item.size

    def read(self, start: int, length: int) -> bytes:
        with google_call("getObject", self.resource):
            data: bytes = self.bucket.blob(self.item.name).download_as_bytes(
                start=start, end=start + length - 1, raw_download=True, checksum=None, **self.opts.kwargs())
        if len(data) != length:  # the object changed since it was listed, or a server ignored the range
            raise CallFailed("getObject", "IncompleteRead")
        return data


def _sample_ranges(reader: RangeReader, fmt: str, base: dict[str, Any], *, country: str,
                   limits: Limits) -> SampleResult:
    """A Parquet or XLSX object over ``max_object_bytes``: its footer or zip directory, then the
    parts a sample needs, range-read within ``max_object_bytes`` in all (``reader``'s budget)."""
    from cloudaudit.sampling import analyse_ranges

    try:
        sample, fields = analyse_ranges(fmt, reader, country=country, limits=limits)
    except CallFailed as exc:
        return SampleResult(**base, status=CoverageStatus.NOT_ASSESSED, reason=str(exc), format=fmt,
                            bytes_read=reader.bytes_read)
    except SampleSkipped as exc:
        return SampleResult(**base, status=CoverageStatus.PARTIAL, reason=str(exc), format=fmt,
                            bytes_read=reader.bytes_read, truncated=True)
    except Exception as exc:  # a parser bug must cost one sample, not the environment
        return SampleResult(**base, status=CoverageStatus.PARTIAL, format=fmt, bytes_read=reader.bytes_read,
                            truncated=True, reason=unexpected(log, "sampling", base["resource"], exc))
    log.info("sampled %s in %d range reads (%d bytes): %d rows, %d fields, %d with PII", base["resource"],
             reader.requests, reader.bytes_read, sample.rows, len(fields), sum(1 for f in fields if f.pii))
    status = CoverageStatus.PARTIAL if sample.partial else CoverageStatus.ASSESSED
    return SampleResult(**base, bytes_read=reader.bytes_read, truncated=True, format=sample.format,
                        rows_sampled=sample.rows, fields=fields, status=status, reason=sample.partial)


def _object_acl(bucket: Bucket, name: str, opts: CallOptions) -> list[dict[str, str]]:
    acl = bucket.blob(name).acl
    acl.reload(**opts.kwargs())
    return sorted(({"entity": str(e["entity"]), "role": str(e["role"])} for e in acl),
                  key=lambda g: (g["entity"], g["role"]))
