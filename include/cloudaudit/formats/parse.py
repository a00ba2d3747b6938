"""``parse_sample``: an object's bytes (whole, or the head of a range read) → a bounded Sample."""

from __future__ import annotations

from collections.abc import Collection

from cloudaudit.config import Limits
from cloudaudit.errors import SampleSkipped
from cloudaudit.formats.compression import gunzip, is_gzip
from cloudaudit.formats.cutshort import cut_short
from cloudaudit.formats.delimited import parse_delimited
from cloudaudit.formats.detectors import NameDetectors, using_detectors
from cloudaudit.formats.encoding import decode_text
from cloudaudit.formats.fieldnames import safe_field_names
from cloudaudit.formats.header import using_header_words
from cloudaudit.formats.jsondoc import parse_json, parse_jsonl
from cloudaudit.formats.plaintext import parse_text
from cloudaudit.formats.ranged import RangeReader
from cloudaudit.formats.sniff import (
    GZIP_SUFFIX,
    WHOLE_OBJECT_FORMATS,
    inner_content_type,
    sniff,
    sniff_plain,
    strip_gzip_extension,
)
from cloudaudit.formats.values import FieldTable
from cloudaudit.model import Sample

# Whole-object formats whose index (Parquet footer, zip directory) lets them be read in ranges.
RANGED_FORMATS = frozenset({"parquet", "xlsx"})
# Read first of an object over max_object_bytes whose name declares no format, for
# ``ranged_format``: Parquet's magic is 4 bytes, and the writers of XLSX (Excel, openpyxl,
# LibreOffice) store an ``xl/`` part within the first kilobytes. Small, because it is paid
# out of the same budget as the footer or zip directory that follows.
RANGED_HEAD_BYTES = 4096


def ranged_format(name: str, head: bytes, content_type: str | None = None) -> str | None:
    """``parquet`` or ``xlsx`` when an object's first bytes (its magic) or its name say so, not
    gzipped: over ``max_object_bytes`` such an object is read in ranges whatever its name. A
    collector reads ``RANGED_HEAD_BYTES`` of an object whose name declares no format to decide.

    >>> ranged_format("lake/dump-0001", b"PAR1" + bytes(60)), ranged_format("dump", b"id,email\\n1,a\\n")
    ('parquet', None)
    """
    try:
        fmt = sniff(name, head, content_type)
    except SampleSkipped:  # unsupported content: the read of its prefix gives the reason
        return None
    return fmt if fmt in RANGED_FORMATS else None


def needs_whole_object(fmt: str) -> bool:
    """True for formats that cannot be read from a range (``parquet``, ``xlsx.gz``...).

    >>> needs_whole_object("parquet.gz"), needs_whole_object("csv")
    (True, False)
    """
    return fmt.removesuffix(GZIP_SUFFIX) in WHOLE_OBJECT_FORMATS


def parse_ranges(fmt: str, reader: RangeReader, *, limits: Limits, header_words: Collection[str] = (),
                 detectors: NameDetectors | None = None) -> Sample:
    """Parse an object over ``max_object_bytes`` whose format keeps its index at the end
    (``parquet``, ``xlsx``: ``RANGED_FORMATS``) from range reads within ``reader``'s budget.

    Like ``parse_sample``: a bound that left rows unread is ``partial`` on the Sample, and
    ``SampleSkipped`` (reason only) when nothing could be read within the bounds.
    """
    if fmt not in RANGED_FORMATS:
        raise SampleSkipped(f"{fmt}: cannot be read in ranges")
    with using_header_words(header_words), using_detectors(detectors):
        if fmt == "parquet":
            from cloudaudit.formats.parquet_ranged import parse_parquet_ranges

            table = parse_parquet_ranges(reader, limits=limits)
        else:
            from cloudaudit.formats.xlsx import parse_xlsx_ranges

            table = parse_xlsx_ranges(reader, limits=limits)
        fields = safe_field_names(table.fields, limits.max_rows)
    return Sample(format=fmt, fields=fields, rows=table.rows, truncated=table.truncated or bool(table.partial),
                  partial=table.partial)


def parse_sample(name: str, data: bytes, *, limits: Limits, truncated: bool = False,
                 content_type: str | None = None, header_words: Collection[str] = (),
                 detectors: NameDetectors | None = None) -> Sample:
    """Parse a sampled object into fields, within ``limits``.

    ``truncated`` means ``data`` is only the first bytes of a larger object: the last partial
    record is dropped and a gzip stream is decompressed as far as it goes. ``header_words`` are
    known column names (``cloudaudit.pii.words.header_words()``): a first row made of them is a
    header. ``detectors`` (``cloudaudit.pii.field_names.name_detectors()``) tell map keys,
    first-row cells and field-name segments that are data, which never become field names;
    without them only formats' lexical rules do. ``partial`` on the Sample says why it could
    not be read to its bounds. Raises ``SampleSkipped`` (reason only, never content) for
    unsupported, corrupt or unreadable input.
    """
    suffix = ""
    capped = False  # the decompressed-bytes bound, not the object's end, cut ``data``
    if is_gzip(data):
        inflated = gunzip(data, limits.max_decompressed_bytes)
        if is_gzip(inflated.data):
            raise SampleSkipped("unsupported format: nested gzip")
        data, truncated, suffix = inflated.data, truncated or inflated.truncated, GZIP_SUFFIX
        capped = inflated.capped
    elif len(data) > limits.max_decompressed_bytes:  # a caller read more than the limits allow
        data, truncated, capped = data[: limits.max_decompressed_bytes], True, True
    # Served decompressed (GCS transcoding) or compressed, a.csv.gz holds a CSV.
    fmt = sniff_plain(strip_gzip_extension(name), data, inner_content_type(content_type), truncated=truncated)
    if fmt in WHOLE_OBJECT_FORMATS and truncated:
        raise SampleSkipped(f"{fmt}: needs the whole object, only part was read")
    with using_header_words(header_words), using_detectors(detectors):
        fmt, table = _parse(fmt, data, limits, truncated)
        if capped and not table.full:  # the byte bound, not max_rows, ended the read: PARTIAL
            cut_short(table, f"{fmt}{suffix}: over the decompressed size limit after {table.rows} rows")
        # Every format passes the field-name guard, under the same detectors.
        fields = safe_field_names(table.fields, limits.max_rows)
    partial = table.partial
    if not partial and truncated and not table.rows and data.strip():
        # Only the start of a record fitted in the bytes read (a header of a million columns):
        # nothing was sampled, which is not the same as nothing found.
        partial = f"{fmt}: no complete record in the {len(data)} bytes read"
    return Sample(format=fmt + suffix, fields=fields, rows=table.rows,
                  truncated=table.truncated or bool(partial), partial=partial)


def _parse(fmt: str, data: bytes, limits: Limits, truncated: bool) -> tuple[str, FieldTable]:
    if fmt == "parquet":
        from cloudaudit.formats.parquet import parse_parquet

        return fmt, parse_parquet(data, limits=limits)
    if fmt == "xlsx":
        from cloudaudit.formats.xlsx import parse_xlsx

        return fmt, parse_xlsx(data, limits=limits)
    text = decode_text(data, fmt=fmt, truncated=truncated)
    if fmt in ("csv", "tsv"):
        preferred = "\t" if fmt == "tsv" else ","
        return fmt, parse_delimited(text, fmt=fmt, limits=limits, truncated=truncated, preferred=preferred)
    if fmt == "json":
        return parse_json(text, limits=limits, truncated=truncated)
    if fmt == "jsonl":
        return fmt, parse_jsonl(text, limits=limits, truncated=truncated)
    return fmt, parse_text(text, limits=limits, truncated=truncated)
