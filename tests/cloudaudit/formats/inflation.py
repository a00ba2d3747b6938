"""Count what the formats layer inflates: the bound that matters for bombs, not how long it took."""

from __future__ import annotations

import types
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Inflation:
    """Bytes every zlib/gzip decompressor produced, and how many decompressors were made."""

    produced: int = 0
    streams: int = 0


class _Counting:
    def __init__(self, inner: Any, meter: Inflation) -> None:
        self._inner, self._meter = inner, meter

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out: bytes = self._inner.decompress(data, max_length)
        self._meter.produced += len(out)
        return out

    def flush(self, *args: Any) -> bytes:
        out: bytes = self._inner.flush(*args)
        self._meter.produced += len(out)
        return out

    def __getattr__(self, name: str) -> Any:  # eof, unconsumed_tail, unused_data
        return getattr(self._inner, name)


@contextmanager
def counted_inflation(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inflation]:
    """Within the block, every decompressor the gzip reader makes reports what it produced."""
    from cloudaudit.formats import compression

    meter = Inflation()

    def decompressobj(*args: Any, **kwargs: Any) -> _Counting:
        meter.streams += 1
        return _Counting(zlib.decompressobj(*args, **kwargs), meter)

    proxy = types.SimpleNamespace(**{name: getattr(zlib, name) for name in dir(zlib) if not name.startswith("__")})
    proxy.decompressobj = decompressobj
    with monkeypatch.context() as patch:
        patch.setattr(compression, "zlib", proxy)
        yield meter
