"""One sampled object: its ACL, a bounded range read, and detection. Raw bytes never leave here."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cloudaudit.collectors.aws.calls import ConfigReader, aws_call
from cloudaudit.collectors.aws.s3.buckets import ACLS_DISABLED, acl_from
from cloudaudit.collectors.guard import unexpected
from cloudaudit.errors import CallFailed, SampleSkipped
from cloudaudit.formats import RANGED_FORMATS
from cloudaudit.incremental import carried
from cloudaudit.model import CoverageStatus, SampleResult
from cloudaudit.resources import s3_uri
from cloudaudit.sampling import analyse_bytes

if TYPE_CHECKING:
    from cloudaudit.collectors.aws.s3.objects import ListedObject
    from cloudaudit.config import Limits
    from cloudaudit.formats.ranged import RangeReader
    from cloudaudit.incremental import CarryOver

log = logging.getLogger(__name__)


def skip_reason(obj: ListedObject, limits: Limits) -> str | None:
    """Why ``obj`` is recorded without being read, or ``None`` when it should be read."""
    if obj.archived:
        return f"archived storage class ({obj.storage_class})"
    if obj.known_unsampled:
        return f"unsupported format ({obj.suffix})"
    if obj.needs_whole_object and obj.size > limits.max_object_bytes and obj.declared_format not in RANGED_FORMATS:
        return (f"{obj.declared_format} is parsed whole and the object ({obj.size} bytes) is over "
                f"max_object_bytes ({limits.max_object_bytes})")
    return None


def read_prefix(s3: Any, bucket: str, key: str, max_bytes: int) -> tuple[bytes, str | None]:
    """The first ``max_bytes`` bytes of an object (a range read) and its content type."""
    return read_range(s3, bucket, key, 0, max_bytes)


def read_range(s3: Any, bucket: str, key: str, start: int, max_bytes: int) -> tuple[bytes, str | None]:
    """At most ``max_bytes`` bytes of an object from ``start`` (a range read) and its content type."""
    byte_range = f"bytes={start}-{start + max_bytes - 1}"  # up to the object's end when it is shorter
    response = aws_call("GetObject", lambda: s3.get_object(Bucket=bucket, Key=key, Range=byte_range))
    if response is None:  # pragma: no cover - GetObject has no "absent" answer
        raise CallFailed("GetObject", "NoResponse")
    body = response["Body"]
    try:
        data: bytes = body.read(max_bytes)  # bounded even if an endpoint ignored the Range header
    except Exception as exc:  # urllib3 read errors are not botocore's: name the type only
        raise CallFailed("GetObject", type(exc).__name__, transport=True) from None
    finally:
        body.close()
    # A read with a size verifies nothing: a connection that closed early returns a short
    # prefix, which would pass for a range read that stopped at the limit.
    promised = min(int(response.get("ContentLength") or 0), max_bytes)
    if len(data) < promised:
        raise CallFailed("GetObject", "IncompleteRead", transport=True)
    return data, response.get("ContentType")


def sample_object(s3: Any, bucket: str, obj: ListedObject, *, country: str, limits: Limits,
                  carry: CarryOver | None = None, acls_off: bool = False) -> SampleResult:
    """ACL and detection results of one object; every failure becomes the result's status and reason.

    An object unchanged since the previous snapshot (``carry``) is not read: its ACL is, and its
    detection results are carried over. Under ``acls_off`` (the bucket's ownership is
    ``BucketOwnerEnforced``) the object's ACL is not asked for: it grants nothing, and the
    snapshot records it as ``ACLS_DISABLED`` rather than a read it did not make."""
    resource = s3_uri(bucket, obj.key)
    acl = ConfigReader()
    if acls_off:
        acl.config["acl"] = dict(ACLS_DISABLED)
    else:
        acl.read("acl", "GetObjectAcl", lambda: s3.get_object_acl(Bucket=bucket, Key=obj.key), acl_from)
    if carry is not None and (prior := carry.reuse(resource, obj.fingerprint)) is not None:
        return carried(prior, config=acl.config, read_errors=acl.read_errors)
    base: dict[str, Any] = {"resource": resource, "size": obj.size, "config": acl.config,
                            "fingerprint": obj.fingerprint.record()}

    reason = skip_reason(obj, limits)
    if reason:
        known_format = (obj.declared_format or "") if obj.needs_whole_object else ""  # from the name alone
        return SampleResult(status=CoverageStatus.PARTIAL, reason=reason, format=known_format,
                            read_errors=acl.read_errors, **base)
    if obj.size > limits.max_object_bytes and (obj.needs_whole_object or obj.declared_format is None):
        # Parquet, XLSX: read in ranges; a name that says nothing: the head's magic decides.
        return _sample_big(s3, bucket, obj, base, acl.read_errors, country=country, limits=limits)
    try:
        data, content_type = read_prefix(s3, bucket, obj.key, limits.max_object_bytes)
    except CallFailed as exc:
        return SampleResult(status=CoverageStatus.NOT_ASSESSED, reason=str(exc),
                            read_errors={**acl.read_errors, "object": str(exc)}, **base)
    return _analyse(obj, data, content_type, base, acl.read_errors, country=country, limits=limits)


def _analyse(obj: ListedObject, data: bytes, content_type: str | None, base: dict[str, Any],
             read_errors: dict[str, str], *, country: str, limits: Limits) -> SampleResult:
    """Parse and detect the bytes read from an object's start (the whole object when it fits)."""
    resource = base["resource"]
    bytes_read, truncated = len(data), len(data) < obj.size
    try:
        sample, fields = analyse_bytes(obj.key, data, country=country, limits=limits, truncated=truncated,
                                       content_type=content_type)
    except SampleSkipped as exc:
        return SampleResult(status=CoverageStatus.PARTIAL, reason=str(exc), bytes_read=bytes_read,
                            truncated=truncated, read_errors=read_errors, **base)
    except Exception as exc:  # a parser bug must not end the environment; its message may quote data
        return SampleResult(status=CoverageStatus.PARTIAL, reason=unexpected(log, "sampling", resource, exc),
                            bytes_read=bytes_read, truncated=truncated, read_errors=read_errors, **base)
    finally:
        del data  # the only reference to the raw bytes
    log.debug("sampled %s: %d bytes, %d rows, %d fields", resource, bytes_read, sample.rows, len(fields))
    status = CoverageStatus.PARTIAL if sample.partial else CoverageStatus.ASSESSED  # not read to its bounds
    return SampleResult(format=sample.format, rows_sampled=sample.rows, fields=fields, bytes_read=bytes_read,
                        truncated=truncated or sample.truncated, read_errors=read_errors, status=status,
                        reason=sample.partial, **base)


def _sample_big(s3: Any, bucket: str, obj: ListedObject, base: dict[str, Any], read_errors: dict[str, str], *,
                country: str, limits: Limits) -> SampleResult:
    """An object over ``max_object_bytes`` that is, or may be, Parquet or XLSX.

    Named so (``.parquet``, ``.xlsx``): read in ranges from its footer or zip directory. A name
    that declares no format: its first ``RANGED_HEAD_BYTES`` first; Parquet or XLSX content is then
    read in ranges like a named one (the head counted, and not fetched again), anything else
    is read on to ``max_object_bytes`` from its start, as any object is. Every byte fetched,
    head included, counts against ``max_object_bytes``."""
    from cloudaudit.formats import RANGED_HEAD_BYTES, ranged_format
    from cloudaudit.formats.ranged import RangeReader

    source = S3Ranges(s3, bucket, obj.key, obj.size)
    reader = RangeReader(source, limits.max_object_bytes)
    fmt = str(obj.declared_format) if obj.needs_whole_object else None
    data = b""
    try:
        if fmt is None:
            head = reader.read(0, min(RANGED_HEAD_BYTES, limits.max_object_bytes))
            fmt = ranged_format(obj.key, head, source.content_type)
            if fmt is None:  # not Parquet or XLSX: the prefix, as for any object (the head is not fetched again)
                data = reader.read(0, limits.max_object_bytes)
    except CallFailed as exc:
        return SampleResult(status=CoverageStatus.NOT_ASSESSED, reason=str(exc), bytes_read=reader.bytes_read,
                            read_errors={**read_errors, "object": str(exc)}, **base)
    if fmt is None:
        del reader  # the bytes are in ``data`` now, and only there
        return _analyse(obj, data, source.content_type, base, read_errors, country=country, limits=limits)
    return _sample_ranges(reader, fmt, base, read_errors, country=country, limits=limits)


class S3Ranges:
    """An object read in byte ranges (``GetObject`` with ``Range``): a ``formats.ranged.RangeSource``."""

    def __init__(self, s3: Any, bucket: str, key: str, size: int) -> None:
        self.s3, self.bucket, self.key, self._size = s3, bucket, key, size
        self.content_type: str | None = None  # as GetObject answered

    @property
    def size(self) -> int:
        return self._size

    def read(self, start: int, length: int) -> bytes:
        data, self.content_type = read_range(self.s3, self.bucket, self.key, start, length)
        if len(data) != length:  # the object changed since it was listed, or a short answer
            raise CallFailed("GetObject", "IncompleteRead", transport=True)
        return data


def _sample_ranges(reader: RangeReader, fmt: str, base: dict[str, Any], read_errors: dict[str, str], *,
                   country: str, limits: Limits) -> SampleResult:
    """A Parquet or XLSX object over ``max_object_bytes``: its footer or zip directory, then the
    parts a sample needs, range-read within ``max_object_bytes`` in all (``reader``'s budget)."""
    from cloudaudit.sampling import analyse_ranges

    try:
        sample, fields = analyse_ranges(fmt, reader, country=country, limits=limits)
    except CallFailed as exc:
        return SampleResult(status=CoverageStatus.NOT_ASSESSED, reason=str(exc), format=fmt,
                            bytes_read=reader.bytes_read, read_errors={**read_errors, "object": str(exc)}, **base)
    except SampleSkipped as exc:
        return SampleResult(status=CoverageStatus.PARTIAL, reason=str(exc), format=fmt, bytes_read=reader.bytes_read,
                            truncated=True, read_errors=read_errors, **base)
    except Exception as exc:  # a parser bug must not end the environment; its message may quote data
        return SampleResult(status=CoverageStatus.PARTIAL, reason=unexpected(log, "sampling", base["resource"], exc),
                            format=fmt, bytes_read=reader.bytes_read, truncated=True, read_errors=read_errors, **base)
    log.debug("sampled %s in %d range reads: %d bytes, %d rows, %d fields", base["resource"], reader.requests,
              reader.bytes_read, sample.rows, len(fields))
    status = CoverageStatus.PARTIAL if sample.partial else CoverageStatus.ASSESSED
    return SampleResult(format=sample.format, rows_sampled=sample.rows, fields=fields, bytes_read=reader.bytes_read,
                        truncated=True, read_errors=read_errors, status=status, reason=sample.partial, **base)
