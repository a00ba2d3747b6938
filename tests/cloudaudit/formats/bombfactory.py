"""Small objects that inflate hugely: built without ever holding what they inflate to."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def gzip_stream(chunks: Iterable[bytes]) -> bytes:
    """One gzip member of every chunk in turn (level 9: repetitive input shrinks ~1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join(compressor.compress(chunk) for chunk in chunks) + compressor.flush()


def zigzag_varint(value: int, length: int | None = None) -> bytes:
    """Thrift compact i64; ``length`` pads it (continuation bytes) to keep the footer's layout."""
    number = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | 0x80 if number else byte)
        if not number:
            break
    while length is not None and len(out) < length:
        out[-1] |= 0x80
        out.append(0)
    return bytes(out)


def parquet_lying_footer(*, rows: int, value_bytes: int, per_group: int, claim: int) -> bytes:
    """zstd Parquet of ``rows`` strings of ``value_bytes`` each, one page per value, whose footer
    claims every row group and column chunk inflates to ``claim`` bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    schema = pa.schema([("note", pa.string())])
    value = "x" * value_bytes
    with pq.ParquetWriter(buffer, schema, compression="zstd", use_dictionary=False, write_batch_size=1,
                          data_page_size=value_bytes) as writer:
        for _ in range(rows // per_group):
            writer.write_table(pa.table({"note": [value] * per_group}, schema=schema))
    data = bytearray(buffer.getvalue())
    metadata = pq.ParquetFile(io.BytesIO(bytes(data))).metadata
    footer_length = struct.unpack("<i", data[-8:-4])[0]
    start = len(data) - 8 - footer_length
    footer = bytes(data[start:-8])
    truths = {metadata.row_group(g).total_byte_size for g in range(metadata.num_row_groups)}
    truths |= {metadata.row_group(g).column(0).total_uncompressed_size for g in range(metadata.num_row_groups)}
    for truth in truths:
        encoded = zigzag_varint(truth)
        footer = footer.replace(encoded, zigzag_varint(claim, len(encoded)))
    data[start:-8] = footer
    return bytes(data)


def parquet_dictionary_bomb(*, rows: int, value_bytes: int, codec: str) -> bytes:
    """One long string in a dictionary page, referenced by every row: bytes in the file,
    ``rows * value_bytes`` once decoded."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    indices = pa.array([0] * rows, pa.int32())
    column = pa.DictionaryArray.from_arrays(indices, pa.array(["x" * value_bytes]))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"note": column}), buffer, compression=codec)
    return buffer.getvalue()


def xlsx(sheet_rows: Iterable[str], shared_strings: Iterable[str] | None = None, *, prolog: str = "") -> bytes:
    """A minimal workbook of one sheet ``S`` whose ``<row>`` elements (and shared strings'
    ``<si>`` elements) are written piece by piece, never held whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        strings_rel = (f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                       if shared_strings is not None else "")
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>'))
        _write_streamed(archive, "xl/worksheets/sheet1.xml",
                        [f'{prolog}<worksheet xmlns="{_MAIN}"><sheetData>'], sheet_rows, ["</sheetData></worksheet>"])
        if shared_strings is not None:
            _write_streamed(archive, "xl/sharedStrings.xml", [f'<sst xmlns="{_MAIN}">'],
                            (f"<si><t>{text}</t></si>" for text in shared_strings), ["</sst>"])
    return buffer.getvalue()


def _write_streamed(archive: zipfile.ZipFile, name: str, *parts: Iterable[str]) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        pending: list[str] = []
        for part in parts:
            for piece in part:
                pending.append(piece)
                if len(pending) >= 10_000:
                    member.write("".join(pending).encode())
                    pending.clear()
        member.write("".join(pending).encode())
