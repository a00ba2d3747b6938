"""Bytes of the files the seeder uploads: CSV/TSV, JSON, JSON Lines, Parquet, XLSX, gzip, PNG.

Pure functions of their input, byte-for-byte reproducible where the format allows (gzip
without a timestamp, fixed XLSX document properties), so a fixed seed gives the same estate.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

Row = Mapping[str, Any]

FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def csv_bytes(rows: Sequence[Row], *, header: bool = True, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Rows as delimited text; ``header=False`` writes values only (a headerless export)."""
    columns = list(rows[0].keys()) if rows else []
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if encoding != "utf-8" else "\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode(encoding)


def jsonl_bytes(records: Sequence[Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records).encode("utf-8")


def json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def text_bytes(lines: Sequence[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with mtime 0, so the same input always compresses to the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def parquet_bytes(rows: Sequence[Row]) -> bytes:
    """Rows as a Parquet file (all columns strings: the values are identifiers, not numbers)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list(rows[0].keys()) if rows else []
    table = pa.table({c: pa.array([None if r.get(c) is None else str(r.get(c)) for r in rows], pa.string())
                      for c in columns})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def xlsx_bytes(sheets: Mapping[str, Sequence[Row]]) -> bytes:
    """One worksheet per entry, header in row 1."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        columns = list(rows[0].keys()) if rows else []
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
    workbook.properties.creator = "cloudaudit demo estate"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a zip with every member dated FIXED_TIME (openpyxl stamps members and core.xml with now)."""
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(),
                                member)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6]), member,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48, *, seed: int = 0) -> bytes:
    """A small valid PNG (a grey gradient): an object of a type the sampler does not read."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(((x + y + seed) % 256) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
