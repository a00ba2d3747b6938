"""Range reads of one object within a byte budget, for formats whose index is at the end.

Parquet keeps its footer, and XLSX its zip directory, at the end of the object: over
``max_object_bytes`` they cannot be read from the start, but they can be read in pieces. A
collector hands in a ``RangeSource`` (the object's size and ``read(start, length)``, one
ranged GET each); ``RangeReader`` counts every byte it fetches against the budget, refuses a
read that would pass it (``OverBudget``, before the request is made) and keeps what it
fetched, so the parsers can look at it again at no cost. No I/O happens in this module
itself: the source does it.
"""

from __future__ import annotations

import bisect
import io
from typing import Protocol


class RangeSource(Protocol):
    """An object that can be read in byte ranges (S3 ``GetObject`` with ``Range``, GCS ``start``/``end``)."""

    @property
    def size(self) -> int: ...

    def read(self, start: int, length: int) -> bytes:
        """Exactly ``length`` bytes from ``start`` (within the object); raise when fewer arrive."""
        ...


class OverBudget(Exception):
    """A read would pass the byte budget; args[0] is a value-free reason."""


class RangeReader:
    """Budgeted, cached range reads of one ``RangeSource``."""

    def __init__(self, source: RangeSource, budget: int) -> None:
        self.source, self.size, self.budget = source, source.size, budget
        self.bytes_read = 0  # fetched from the source, the budget's measure
        self.requests = 0
        self._starts: list[int] = []  # cached segments, sorted by start and not overlapping
        self._segments: list[bytes] = []

    @property
    def room(self) -> int:
        return self.budget - self.bytes_read

    def read(self, start: int, length: int) -> bytes:
        """``length`` bytes from ``start``: what is cached from the cache, the rest fetched (counted)."""
        if start < 0 or length < 0 or start + length > self.size:
            raise OverBudget("range outside the object")
        held = self.cached(start, length)
        if held is None:
            self.fill(start, length)  # only the bytes not cached yet are fetched
            held = self.cached(start, length)
        if held is None:  # pragma: no cover - the gaps filled join the cached segments
            raise OSError("range read did not cover the read")
        return held

    def fetch(self, start: int, length: int) -> bytes:
        """Fetch ``[start, start + length)`` whatever is cached (one request), within the budget."""
        if length <= 0:
            return b""
        if length > self.room:
            raise OverBudget(f"{length} more bytes would pass the budget ({self.bytes_read} of {self.budget} read)")
        data = self.source.read(start, length)
        if len(data) != length:  # a source that returned more or less than asked: not to be trusted
            raise OSError("range read returned the wrong length")
        self.bytes_read += length
        self.requests += 1
        self._keep(start, data)
        return data

    def fill(self, start: int, length: int, *, ahead: int = 0) -> None:
        """Fetch what is not cached of ``[start, start + length)``: only its gaps, one request
        each, so no byte is fetched (or counted) twice. The last gap is extended by up to
        ``ahead`` bytes from its start (read-ahead), never past the next cached byte, the
        object's end or the budget. Raises ``OverBudget`` before any request when the gaps
        alone would pass the budget."""
        if start < 0 or length < 0 or start + length > self.size:
            raise OverBudget("range outside the object")
        gaps = self.gaps(start, length)
        missing = sum(gap for _, gap in gaps)
        if missing > self.room:
            raise OverBudget(f"{missing} more bytes would pass the budget ({self.bytes_read} of {self.budget} read)")
        if gaps and ahead:
            last, gap = gaps[-1]
            end = min(max(last + gap, last + ahead), self.next_held(last), self.size)
            gaps[-1] = (last, gap + max(0, min(end - last - gap, self.room - missing)))
        for gap_start, gap in gaps:
            self.fetch(gap_start, gap)

    def gaps(self, start: int, length: int) -> list[tuple[int, int]]:
        """The ranges ``(start, length)`` of ``[start, start + length)`` not cached, in order.

        >>> class Zeros:
        ...     size = 100
        ...     def read(self, start, length): return bytes(length)
        >>> reader = RangeReader(Zeros(), 100)
        >>> _ = reader.read(10, 10), reader.read(40, 5)
        >>> reader.gaps(0, 50)
        [(0, 10), (20, 20), (45, 5)]
        """
        out: list[tuple[int, int]] = []
        pos, end = start, start + length
        while pos < end:
            held = self.held_from(pos)
            if held:
                pos += held
                continue
            gap_end = min(end, self.next_held(pos))
            out.append((pos, gap_end - pos))
            pos = gap_end
        return out

    def missing(self, start: int, length: int) -> int:
        """How many bytes of ``[start, start + length)`` a ``fill`` would fetch (without read-ahead)."""
        return sum(gap for _, gap in self.gaps(start, length))

    def next_held(self, start: int) -> int:
        """Where the first cached segment that begins after ``start`` begins (else the object's size)."""
        index = bisect.bisect_right(self._starts, start)
        return self._starts[index] if index < len(self._starts) else self.size

    def cached(self, start: int, length: int) -> bytes | None:
        """``[start, start + length)`` when one fetched segment holds it all, else None."""
        index = bisect.bisect_right(self._starts, start) - 1
        if index < 0:
            return None
        offset = start - self._starts[index]
        segment = self._segments[index]
        if offset + length > len(segment):
            return None
        return segment[offset:offset + length]

    def held_from(self, start: int) -> int:
        """How many bytes from ``start`` on are cached without a gap."""
        index = bisect.bisect_right(self._starts, start) - 1
        if index < 0:
            return 0
        return max(0, self._starts[index] + len(self._segments[index]) - start)

    def _keep(self, start: int, data: bytes) -> None:
        """Add a segment, merging it with the segments it overlaps or touches."""
        end = start + len(data)
        index = bisect.bisect_left(self._starts, start)
        if index > 0 and self._starts[index - 1] + len(self._segments[index - 1]) >= start:
            index -= 1
        merged_start, merged = start, data
        while index < len(self._starts) and self._starts[index] <= end:
            other_start, other = self._starts.pop(index), self._segments.pop(index)
            other_end = other_start + len(other)
            low = min(other_start, merged_start)
            buffer = bytearray(max(other_end, merged_start + len(merged)) - low)
            buffer[other_start - low:other_end - low] = other
            buffer[merged_start - low:merged_start - low + len(merged)] = merged
            merged_start, merged = low, bytes(buffer)
        self._starts.insert(index, merged_start)
        self._segments.insert(index, merged)

    # ---- a bytes-like view of what was fetched, for the Parquet page-header walk -------------

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:
        held = self.cached(index, 1)
        if held is None:
            raise IndexError("byte outside the ranges read")
        return held[0]


class RangeFile(io.RawIOBase):
    """A read-only, seekable file over a ``RangeReader`` (for pyarrow and ``zipfile``).

    ``fetch=False``: only what was already fetched can be read (anything else is an
    ``OSError``), so a parser cannot make the reader fetch more than was planned. ``fetch=True``:
    missing bytes are fetched, at least ``read_ahead`` at a time (within the budget and the
    object), so small reads of a zip header do not become one request each.
    """

    def __init__(self, reader: RangeReader, *, fetch: bool = False, read_ahead: int = 0) -> None:
        super().__init__()
        self.reader, self.fetch, self.read_ahead = reader, fetch, read_ahead
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.reader.size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start")
        self.pos = base + offset
        return self.pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        length = max(0, min(len(buffer), self.reader.size - self.pos))
        if not length:
            return 0
        data = self.reader.cached(self.pos, length)
        if data is None:
            if not self.fetch:
                raise OSError("read outside the ranges planned")
            data = self._fetch(length)
        buffer[:length] = data
        self.pos += length
        return length

    def _fetch(self, length: int) -> bytes:
        # Only what is not cached is fetched, the read-ahead stops at the next cached byte: a
        # read that spans a part fetched before (a zip directory, a local header) never
        # fetches those bytes again.
        self.reader.fill(self.pos, length, ahead=self.read_ahead)
        data = self.reader.cached(self.pos, length)
        if data is None:  # pragma: no cover - the gaps filled join the cached segments
            raise OSError("range read did not cover the read")
        return data
