"""Reproducible zip archives: the same entries give the same bytes, whenever they are written.

``zipfile`` stamps every entry with the wall clock and the host's OS; both would make two
runs over identical input differ. Here every entry gets one fixed timestamp, fixed
attributes and a fixed compression level, in the order the caller gives.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from os import PathLike
from typing import IO, Any

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip header can hold
_FILE_MODE = 0o100644  # a regular file, rw-r--r--
_UNIX = 3  # ZipInfo.create_system for Unix, so external_attr means a mode
_LEVEL = 6  # deflate level of every entry


def zip_timestamp(moment: date | datetime | str) -> tuple[int, int, int, int, int, int]:
    """A zip header's date_time for a date, datetime or ISO 8601 string (clamped to 1980).

    >>> zip_timestamp("2026-11-20"), zip_timestamp("2026-11-20T06:07:08+00:00")
    ((2026, 11, 20, 0, 0, 0), (2026, 11, 20, 6, 7, 8))
    >>> zip_timestamp("1970-01-01")
    (1980, 1, 1, 0, 0, 0)
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00")) if "T" in moment \
            else date.fromisoformat(moment)
    if isinstance(moment, datetime):
        stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    else:
        stamp = (moment.year, moment.month, moment.day, 0, 0, 0)
    return max(stamp, ZIP_EPOCH)


def _entry(name: str, timestamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timestamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE << 16
    info._compresslevel = _LEVEL  # type: ignore[attr-defined]  # what writestr(compresslevel=) sets
    return info


class StampedZipFile(zipfile.ZipFile):
    """A zip being written whose entries all get ``timestamp`` and the attributes ``write_zip``
    gives, however the writer names them (openpyxl's ``ExcelWriter`` calls ``writestr`` and
    ``write``). Files are streamed in, so an entry is never held whole in memory; the bytes are
    those of ``write_zip`` over the same entries."""

    def __init__(self, file: IO[bytes], timestamp: tuple[int, int, int, int, int, int]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._stamp = timestamp

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        super().writestr(_entry(name, self._stamp), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL)

    def write(self, filename: str | PathLike[str], arcname: str | PathLike[str] | None = None,
              compress_type: int | None = None, compresslevel: int | None = None) -> None:
        name = str(arcname if arcname is not None else filename)
        with open(filename, "rb") as source, self.open(_entry(name, self._stamp), "w") as dest:
            shutil.copyfileobj(source, dest, 1 << 16)


def write_zip(entries: Iterable[tuple[str, bytes]], timestamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Zip ``(name, data)`` pairs in the order given, every entry stamped with ``timestamp``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = _FILE_MODE << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL)
    return buffer.getvalue()


def restamp_zip(data: bytes, timestamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Rewrite a zip (e.g. one openpyxl wrote) with fixed timestamps, keeping its entry order."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    return write_zip(entries, timestamp)
