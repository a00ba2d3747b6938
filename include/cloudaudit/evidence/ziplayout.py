"""Does a zip file consist of exactly its listed entries, byte for byte?

``zipfile`` (like most readers) trusts the central directory at the end of the file and
ignores whatever else the file holds: data prepended or appended, a comment, or a local file
entry that the central directory does not list (which stream-oriented unzip tools still
extract). An evidence bundle must be nothing but its listed members, so this walks the
structures from both ends and checks that they tile the file with no gap and no overlap:

    local header + data [+ descriptor] ... | central directory | [zip64 end + locator] | end record

Each local header must agree with its central-directory record (name, method, sizes, CRC).
Only the format as written by ``zipfile`` and common tools is accepted: one disk, no encryption
headers beyond what the sizes cover, no archive comment.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from cloudaudit.localio import escape

_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # 30 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # 46 bytes
_END = struct.Struct("<4sHHHHIIH")  # 22 bytes
_ZIP64_LOCATOR = struct.Struct("<4sIQI")  # 20 bytes
_ZIP64_END = struct.Struct("<4sQHHIIQQQQ")  # 56 bytes
_SIG_LOCAL, _SIG_CENTRAL, _SIG_END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_SIG_ZIP64_END, _SIG_ZIP64_LOCATOR, _SIG_DESCRIPTOR = b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08"
_MAX32, _MAX16 = 0xFFFFFFFF, 0xFFFF
_ZIP64_EXTRA = 0x0001
_FLAG_DESCRIPTOR, _FLAG_UTF8 = 0x0008, 0x0800
_MAX_COMMENT = 0xFFFF
# zip64 and timestamp extras take tens of bytes; kilobytes in an extra field are data hidden in a header
MAX_EXTRA_BYTES = 256
WHERE = "zip structure"


class _Broken(Exception):
    """The structures cannot be followed further; the message says where."""


@dataclass(frozen=True)
class _Entry:
    name: bytes
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int
    zip64: bool

    @property
    def label(self) -> str:
        encoding = "utf-8" if self.flags & _FLAG_UTF8 else "cp437"
        return escape(self.name.decode(encoding, "surrogateescape"))


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    data = handle.read(size)
    if len(data) != size:
        raise _Broken(f"truncated structure at offset {offset}")
    return data


def _zip64_values(extra: bytes, wanted: list[bool]) -> list[int | None]:
    """The zip64 extra field's 8-byte values (4 for the disk) for the fields marked in ``wanted``."""
    pos = 0
    while pos + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + length]
        if header_id == _ZIP64_EXTRA:
            values: list[int | None] = []
            cursor = 0
            for index, needed in enumerate(wanted):
                width = 4 if index == 3 else 8
                if not needed:
                    values.append(None)
                    continue
                if cursor + width > len(body):
                    raise _Broken("zip64 extra field too short")
                values.append(int.from_bytes(body[cursor:cursor + width], "little"))
                cursor += width
            return values
        pos += 4 + length
    raise _Broken("a field marked as zip64 has no zip64 extra field")


def _end_record(handle: BinaryIO, size: int, problems: list[str]) -> int:
    """Where the end-of-central-directory record starts; notes a comment or trailing bytes."""
    if size >= _END.size and _read_at(handle, size - _END.size, 4) == _SIG_END \
            and _END.unpack(_read_at(handle, size - _END.size, _END.size))[7] == 0:
        return size - _END.size
    tail_start = max(0, size - _END.size - _MAX_COMMENT)
    tail = _read_at(handle, tail_start, size - tail_start)
    found = tail.rfind(_SIG_END)
    while found >= 0:
        comment = struct.unpack_from("<H", tail, found + 20)[0] if found + _END.size <= len(tail) else -1
        if comment >= 0 and found + _END.size + comment <= len(tail):
            end = tail_start + found
            if comment:
                problems.append(f"{WHERE}: the zip has a comment ({comment} bytes); a bundle has none")
            trailing = size - (end + _END.size + comment)
            if trailing:
                problems.append(f"{WHERE}: {trailing} bytes after the end of the zip (appended data)")
            return end
        found = tail.rfind(_SIG_END, 0, found)
    raise _Broken("no end-of-central-directory record")


def _directory_bounds(handle: BinaryIO, end: int) -> tuple[int, int, int, int]:
    """(declared offset, size, entry count, where it must end) of the central directory."""
    _sig, disk, cd_disk, on_disk, total, cd_size, cd_offset, _comment = _END.unpack(_read_at(handle, end, _END.size))
    locator_at = end - _ZIP64_LOCATOR.size
    # a zip64 locator just before the end record means zip64 (as zipfile reads it), whatever the fields say
    if locator_at < 0 or _read_at(handle, locator_at, 4) != _SIG_ZIP64_LOCATOR:
        if _MAX32 in (cd_size, cd_offset) or _MAX16 in (on_disk, total, disk, cd_disk):
            raise _Broken("zip64 end record locator missing")
        if disk or cd_disk or on_disk != total:
            raise _Broken("a multi-disk zip")
        return cd_offset, cd_size, total, end
    # the locator gives the record's offset as written; prepended data shifts it, so look just before
    record_at = locator_at - _ZIP64_END.size
    if record_at < 0:
        raise _Broken("zip64 end record missing")
    (sig, record_size, _made, _needed, disk64, cd_disk64, on_disk64, total64, cd_size64,
     cd_offset64) = _ZIP64_END.unpack(_read_at(handle, record_at, _ZIP64_END.size))
    if sig != _SIG_ZIP64_END or record_size != _ZIP64_END.size - 12:
        raise _Broken("zip64 end record missing or carries extensible data")
    if disk64 or cd_disk64 or on_disk64 != total64:
        raise _Broken("a multi-disk zip")
    return cd_offset64, cd_size64, total64, record_at


def _central_entries(handle: BinaryIO, start: int, stop: int, shift: int, problems: list[str]) -> list[_Entry]:
    entries: list[_Entry] = []
    pos = start
    while pos < stop:
        if pos + _CENTRAL.size > stop:
            raise _Broken(f"{stop - pos} stray bytes in the central directory")
        (sig, _made, _needed, flags, method, _time, _date, crc, compressed, size, name_len, extra_len,
         comment_len, disk, _internal, _external, offset) = _CENTRAL.unpack(_read_at(handle, pos, _CENTRAL.size))
        if sig != _SIG_CENTRAL:
            raise _Broken(f"not a central directory record at offset {pos}")
        name = _read_at(handle, pos + _CENTRAL.size, name_len)
        extra = _read_at(handle, pos + _CENTRAL.size + name_len, extra_len)
        wanted = [size == _MAX32, compressed == _MAX32, offset == _MAX32, disk == _MAX16]
        zip64 = any(wanted)
        if zip64:
            values = _zip64_values(extra, wanted)
            size, compressed, offset, disk = (v if v is not None else old
                                              for v, old in zip(values, (size, compressed, offset, disk), strict=True))
        if disk:
            raise _Broken("a multi-disk zip")
        entry = _Entry(name, flags, method, crc, compressed, size, offset + shift, zip64)
        if comment_len:
            problems.append(f"{WHERE}: {entry.label} has an entry comment ({comment_len} bytes); a bundle has none")
        if extra_len > MAX_EXTRA_BYTES:
            problems.append(f"{WHERE}: {entry.label} has {extra_len} bytes of extra fields in the central directory")
        entries.append(entry)
        pos += _CENTRAL.size + name_len + extra_len + comment_len
    if pos != stop:
        raise _Broken("the central directory overruns its recorded size")
    return entries


def _local_end(handle: BinaryIO, entry: _Entry, problems: list[str]) -> int:
    """Where ``entry``'s local header, data and descriptor end; _Broken if the header disagrees."""
    (sig, _needed, flags, method, _time, _date, crc, compressed, size, name_len,
     extra_len) = _LOCAL.unpack(_read_at(handle, entry.offset, _LOCAL.size))
    if sig != _SIG_LOCAL:
        raise _Broken(f"{entry.label}: no local header at offset {entry.offset}")
    name = _read_at(handle, entry.offset + _LOCAL.size, name_len)
    if name != entry.name:
        raise _Broken(f"{entry.label}: the local header names another file ({escape(name.decode('utf-8', 'replace'))})")
    if flags != entry.flags or method != entry.method:
        raise _Broken(f"{entry.label}: the local header's flags or method differ from the central directory's")
    if extra_len > MAX_EXTRA_BYTES:
        problems.append(f"{WHERE}: {entry.label} has {extra_len} bytes of extra fields in its local header")
    data_at: int = entry.offset + _LOCAL.size + name_len + extra_len
    end = data_at + entry.compressed
    if not flags & _FLAG_DESCRIPTOR:
        if _MAX32 in (compressed, size):
            extra = _read_at(handle, entry.offset + _LOCAL.size + name_len, extra_len)
            size, compressed = (v if v is not None else 0 for v in _zip64_values(extra, [True, True])[:2])
        if (crc, compressed, size) != (entry.crc, entry.compressed, entry.size):
            raise _Broken(f"{entry.label}: the local header's sizes or CRC differ from the central directory's")
        return end
    width = 8 if entry.zip64 else 4
    signed = _read_at(handle, end, 4) == _SIG_DESCRIPTOR
    at: int = end + (4 if signed else 0)
    body = _read_at(handle, at, 4 + 2 * width)
    values = (int.from_bytes(body[:4], "little"), int.from_bytes(body[4:4 + width], "little"),
              int.from_bytes(body[4 + width:], "little"))
    if values != (entry.crc, entry.compressed, entry.size):
        raise _Broken(f"{entry.label}: the data descriptor differs from the central directory")
    return at + len(body)


def _gap(handle: BinaryIO, start: int, stop: int, after: str) -> str:
    kind = " holding a local file entry the central directory does not list" \
        if _read_at(handle, start, min(4, stop - start)) == _SIG_LOCAL else ""
    if start == 0:
        return f"{WHERE}: {stop - start} bytes before the first entry{kind} (prepended data)"
    return f"{WHERE}: {stop - start} unlisted bytes at offset {start}, after {after}{kind}"


def layout_problems(handle: BinaryIO, size: int) -> list[str]:
    """Every way the file is more (or other) than its listed entries; empty when they tile it exactly."""
    problems: list[str] = []
    try:
        end = _end_record(handle, size, problems)
        declared_offset, cd_size, count, cd_stop = _directory_bounds(handle, end)
        cd_start = cd_stop - cd_size
        if cd_start < 0:
            raise _Broken("the central directory is larger than the file")
        # prepended bytes shift every offset the zip records; zipfile compensates the same way
        entries = _central_entries(handle, cd_start, cd_stop, cd_start - declared_offset, problems)
        if len(entries) != count:
            problems.append(f"{WHERE}: the end record counts {count} entries, the central directory holds "
                            f"{len(entries)}")
        pos, after = 0, "the start"
        for entry in sorted(entries, key=lambda e: e.offset):
            if entry.offset > pos:
                problems.append(_gap(handle, pos, entry.offset, after))
            elif entry.offset < pos:
                problems.append(f"{WHERE}: {entry.label} overlaps the entry before it")
                continue
            pos, after = _local_end(handle, entry, problems), f"entry {entry.label}"
        if pos < cd_start:
            problems.append(_gap(handle, pos, cd_start, after))
        elif pos > cd_start:
            problems.append(f"{WHERE}: the last entry overlaps the central directory")
    except _Broken as exc:
        problems.append(f"{WHERE}: {exc}")
    except (struct.error, ValueError, OverflowError, OSError):  # offsets pointing outside the file
        problems.append(f"{WHERE}: records point outside the file")
    return problems
