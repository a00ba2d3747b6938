"""Reproducible zips: a zip written entry by entry (files streamed in) equals ``write_zip``'s."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from cloudaudit.evidence.zipwrite import StampedZipFile, write_zip, zip_timestamp


def test_a_streamed_zip_has_the_bytes_of_write_zip(tmp_path: Path) -> None:
    rng = random.Random(18)
    big = "".join(rng.choice("abcdefgh<>/ \n") for _ in range(300_000)).encode()  # several deflate blocks
    (tmp_path / "sheet.xml").write_bytes(big)
    stamp = zip_timestamp("2026-11-20T06:07:08+00:00")
    buffer = io.BytesIO()
    with StampedZipFile(buffer, stamp) as archive:
        archive.writestr("docProps/app.xml", "<app/>")  # text, as openpyxl passes some parts
        archive.write(tmp_path / "sheet.xml", "xl/worksheets/sheet1.xml")
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml"), b"<types/>")
    expected = write_zip([("docProps/app.xml", b"<app/>"), ("xl/worksheets/sheet1.xml", big),
                          ("[Content_Types].xml", b"<types/>")], stamp)
    assert buffer.getvalue() == expected
    with zipfile.ZipFile(io.BytesIO(expected)) as check:
        assert [i.date_time for i in check.infolist()] == [stamp] * 3
        assert check.read("xl/worksheets/sheet1.xml") == big
