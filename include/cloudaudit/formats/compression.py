"""Bounded gunzip: never inflate more than the cap, whatever the input claims (gzip bombs)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from cloudaudit.errors import SampleSkipped

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # expect a gzip header and trailer


@dataclass(frozen=True)
class Inflated:
    """What came out of a gzip stream, and whether it stops short of the object's end."""

    data: bytes
    truncated: bool
    capped: bool = False  # the cap, not the input, ended it: more was there to inflate


def is_gzip(head: bytes) -> bool:
    return head[:2] == GZIP_MAGIC


def gunzip(data: bytes, max_bytes: int) -> Inflated:
    """Decompress every gzip member of ``data``, keeping at most ``max_bytes`` of output.

    Output over the cap is never produced (``max_length``), so memory stays bounded. A
    stream that ends early (a range read, or a cut file) yields what was there, marked
    truncated; a stream that is not gzip or whose deflate data is damaged is corrupt.
    """
    if not is_gzip(data):
        raise SampleSkipped("gzip: corrupt or unreadable")
    out = bytearray()
    rest = data
    while is_gzip(rest):
        inflater = zlib.decompressobj(_GZIP_WBITS)
        try:
            complete: bool | None = _inflate_member(inflater, rest, out, max_bytes)
        except zlib.error:
            complete = None
        if complete is None:  # raised here, not in the handler: no chained parser error
            raise SampleSkipped("gzip: corrupt or unreadable")
        if not complete:
            return Inflated(bytes(out), truncated=True, capped=len(out) >= max_bytes)
        rest = inflater.unused_data
    # Bytes after the last member that are not a gzip header (zero padding) are ignored, as gzip(1) does.
    return Inflated(bytes(out), truncated=False)


def _inflate_member(inflater: zlib._Decompress, data: bytes, out: bytearray, max_bytes: int) -> bool:
    """Inflate one member into ``out``; False when the cap or the input ran out before its end."""
    pending = data
    while True:
        room = max_bytes - len(out)
        if room <= 0:
            return False
        out += inflater.decompress(pending, room)
        if inflater.eof:
            return True
        pending = inflater.unconsumed_tail
        if not pending:
            break
    # Input exhausted: deflate may still hold buffered output, bounded by the cap as well.
    room = max_bytes - len(out)
    if room > 0:
        out += inflater.decompress(b"", room)
    return inflater.eof
