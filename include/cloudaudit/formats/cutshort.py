"""Marking a read that a bound ended early: truncated, and PARTIAL with a value-free reason."""

from __future__ import annotations

from cloudaudit.formats.values import FieldTable


def cut_short(table: FieldTable, reason: str) -> None:
    """A bound (decompressed bytes, cells) ended the read before ``max_rows``: say why.

    The first reason stays: it names the bound that stopped the read.
    """
    table.truncated = True
    table.partial = table.partial or reason
