"""The real sizes of a Parquet column chunk, read from its page headers, not from the footer.

The footer's ``total_uncompressed_size`` is a claim a hostile or buggy writer can set to
anything; each page header's ``uncompressed_page_size`` is what the reader really inflates
(Arrow refuses a page that decompresses to any other size). Page headers are Thrift compact
structs; only the two sizes and the page type are needed, everything else is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

_INDEX_PAGE = 1
_DICTIONARY_PAGE = 2
_DATA_PAGE_V1_HEADER, _DATA_PAGE_V2_HEADER = 5, 8
_MAX_DEPTH = 16  # page headers nest two or three structs deep; more is hostile
_MAX_SKIP_ITEMS = 1_000_000


class PageBytes(Protocol):
    """What the walk needs of the file: its length and its bytes one by one (``bytes``, or the
    ranges a range read fetched, ``ranged.RangeReader``, which raises IndexError outside them)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> int: ...


class PageHeaderError(ValueError):
    """A page header that cannot be read (the chunk is corrupt)."""


@dataclass(frozen=True)
class ChunkSizes:
    """Inflated bytes of one column chunk's pages, by their own headers.

    ``pages`` holds ``(rows at the page's end, bytes it inflates to)`` for each data page in
    order; a page's rows are its value count (rows for v2 pages), which a repeated column
    overstates: the rows a budget affords are then undercounted, never overcounted.
    """

    dictionary: int = 0  # the dictionary page: every value of the chunk may repeat it
    pages: tuple[tuple[int, int], ...] = ()
    complete: bool = True  # False: the walk stopped at the budget, later pages are unknown

    @property
    def largest_page(self) -> int:
        return max((size for _, size in self.pages), default=0)

    def bytes_for(self, rows: int) -> float:
        """Bytes inflated to decode the chunk's first ``rows`` rows: pages inflate whole."""
        if rows <= 0:
            return 0
        needed = self.dictionary
        for end_row, size in self.pages:
            needed += size
            if end_row >= rows:
                return needed
        return needed if self.complete else float("inf")


def chunk_sizes(data: PageBytes, start: int, length: int, *, stop_after: int) -> ChunkSizes:
    """Walk the page headers of the chunk at ``data[start:start + length]``.

    The walk stops once the pages seen inflate to more than ``stop_after`` bytes: the chunk is
    over the budget whatever follows, and a chunk of millions of tiny pages costs no more.
    """
    end = min(start + length, len(data))
    if start < 0 or start >= end:
        raise PageHeaderError("column chunk outside the file")
    dictionary = total = rows = 0
    pages: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        if total > stop_after:
            return ChunkSizes(dictionary, tuple(pages), complete=False)
        reader = _Compact(data, pos, end)
        page_type, uncompressed, compressed, values = reader.page_header()
        if uncompressed < 0 or compressed < 0 or values < 0:
            raise PageHeaderError("negative page size")
        if page_type == _DICTIONARY_PAGE:
            dictionary += uncompressed
        elif page_type != _INDEX_PAGE:
            rows += values
            pages.append((rows, uncompressed))
        total += uncompressed
        pos = reader.pos + compressed
    return ChunkSizes(dictionary, tuple(pages))


class _Compact:
    """Just enough of the Thrift compact protocol to read a PageHeader's fields 1-3."""

    def __init__(self, data: PageBytes, pos: int, end: int) -> None:
        self.data, self.pos, self.end = data, pos, end

    def page_header(self) -> tuple[int, int, int, int]:
        """(page type, uncompressed size, compressed size, rows or values of a data page)."""
        values = {1: -1, 2: -1, 3: -1}  # type, uncompressed_page_size, compressed_page_size
        rows = 0
        field_id = 0
        while True:
            field_type, field_id = self._field_header(field_id)
            if field_type == 0:
                break
            if field_id in values and field_type == 5:
                values[field_id] = self._i32()
            elif field_id in (_DATA_PAGE_V1_HEADER, _DATA_PAGE_V2_HEADER) and field_type == 12:
                counts = self._struct_i32s()
                rows = counts.get(3 if field_id == _DATA_PAGE_V2_HEADER else 1, counts.get(1, 0))
            else:
                self._skip(field_type, 0)
        if min(values.values()) < 0:
            raise PageHeaderError("page header without sizes")
        return values[1], values[2], values[3], rows

    def _i32(self) -> int:
        return self._zigzag(self._varint())

    def _struct_i32s(self) -> dict[int, int]:
        """The i32 fields of a (data page) header struct by id; the rest is skipped."""
        found: dict[int, int] = {}
        field_id = 0
        while True:
            field_type, field_id = self._field_header(field_id)
            if field_type == 0:
                return found
            if field_type == 5:
                found[field_id] = self._i32()
            else:
                self._skip(field_type, 1)

    def _byte(self) -> int:
        if self.pos >= self.end:
            raise PageHeaderError("page header runs past the chunk")
        try:
            value = self.data[self.pos]
        except IndexError:  # a range read's view: the chunk was not (all) fetched
            raise PageHeaderError("page header outside the bytes read") from None
        self.pos += 1
        return value

    def _varint(self) -> int:
        result = shift = 0
        while True:
            byte = self._byte()
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise PageHeaderError("varint too long")

    @staticmethod
    def _zigzag(value: int) -> int:
        return (value >> 1) ^ -(value & 1)

    def _field_header(self, last_id: int) -> tuple[int, int]:
        byte = self._byte()
        if byte == 0:
            return 0, last_id
        delta, field_type = byte >> 4, byte & 0x0F
        field_id = last_id + delta if delta else self._zigzag(self._varint())
        return field_type, field_id

    def _skip(self, field_type: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise PageHeaderError("page header nested too deep")
        if field_type in (1, 2):  # booleans live in the field header
            return
        if field_type == 3:
            self._byte()
        elif field_type in (4, 5, 6):
            self._varint()
        elif field_type == 7:
            self._advance(8)
        elif field_type == 8:
            self._advance(self._varint())
        elif field_type in (9, 10):
            header = self._byte()
            size, element = header >> 4, header & 0x0F
            if size == 15:
                size = self._varint()
            self._skip_items(size, (element,), depth)
        elif field_type == 11:
            size = self._varint()
            if size:
                types = self._byte()
                self._skip_items(size, (types >> 4, types & 0x0F), depth)
        elif field_type == 12:
            field_id = 0
            while True:
                inner, field_id = self._field_header(field_id)
                if inner == 0:
                    return
                self._skip(inner, depth + 1)
        else:
            raise PageHeaderError("unknown thrift type")

    def _skip_items(self, size: int, types: tuple[int, ...], depth: int) -> None:
        if size > _MAX_SKIP_ITEMS:
            raise PageHeaderError("thrift container too large")
        for _ in range(size):
            for item_type in types:
                if item_type in (1, 2):  # a boolean inside a container takes one byte
                    self._byte()
                else:
                    self._skip(item_type, depth + 1)

    def _advance(self, count: int) -> None:
        if self.pos + count > self.end:
            raise PageHeaderError("page header runs past the chunk")
        self.pos += count
