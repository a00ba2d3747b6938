"""Big Parquet and XLSX objects of synthetic customers, and a range source that counts its reads.

Every value comes from Faker (seeded) or python-stdnum (``formatfactory.customers``), never
from real people. Objects are made big by a filler column of random hex (incompressible), so
that their size, not their row count, puts them over ``max_object_bytes``.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from cloudaudit.model import PiiType
from tests.cloudaudit.formats.formatfactory import Customer, customers

COLUMNS = ["customer_id", "name", "email", "phone", "my_number", "address", "notes"]
# Each customer column and the PII it holds (``notes`` holds none).
EXPECTED = {"name": PiiType.PERSON_NAME, "email": PiiType.EMAIL_ADDRESS, "phone": PiiType.PHONE_NUMBER,
            "my_number": PiiType.NATIONAL_ID, "address": PiiType.ADDRESS}
_WORDS = ("invoice", "service", "brake", "tyre", "oil", "filter", "warranty", "inspection", "paint", "glass")


def people(count: int = 600, *, seed: int = 17) -> list[Customer]:
    """Distinct synthetic customers (Japanese: My Number by python-stdnum's check digit)."""
    return customers(count, locale="ja_JP", seed=seed)


def rows_of(crowd: list[Customer], rows: int, *, filler: int, seed: int = 5) -> list[list[Any]]:
    """``rows`` records cycling through ``crowd``, each with ``filler`` random hex characters."""
    rng = random.Random(seed)
    out: list[list[Any]] = []
    for index in range(rows):
        person = crowd[index % len(crowd)]
        out.append([index, person.name, person.email, person.phone, person.my_number, person.address,
                    rng.randbytes(filler // 2).hex()])
    return out


def big_parquet(crowd: list[Customer], rows: int, *, row_group_size: int, filler: int = 256,
                seed: int = 5, **options: Any) -> bytes:
    """A Parquet file of ``rows`` customers in row groups of ``row_group_size`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = rows_of(crowd, rows, filler=filler, seed=seed)
    table = pa.table({name: [record[i] for record in records] for i, name in enumerate(COLUMNS)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=row_group_size, **options)
    return buffer.getvalue()


def big_xlsx_inline(crowd: list[Customer], rows: int, *, filler: int = 256, seed: int = 5) -> bytes:
    """A workbook as openpyxl writes it (inline strings; the sheet before the small parts)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("customers")
    sheet.append(COLUMNS)
    for record in rows_of(crowd, rows, filler=filler, seed=seed):
        sheet.append(record)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="customers" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def big_xlsx_shared(crowd: list[Customer], rows: int, *, filler: int = 256, seed: int = 5) -> bytes:
    """A workbook laid out as Excel writes it: the parts in Excel's order, every text cell a
    shared string (numbered in the order the cells first use them), and the shared-strings
    table (here as big as the sheet) after the sheet, so the two are range-read apart."""
    strings: dict[str, int] = {}

    def cell(ref: str, value: Any) -> str:
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    letters = "ABCDEFG"
    sheet = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for number, record in enumerate([COLUMNS, *rows_of(crowd, rows, filler=filler, seed=seed)], start=1):
        cells = "".join(cell(f"{letters[i]}{number}", value) for i, value in enumerate(record))
        sheet.append(f'<row r="{number}">{cells}</row>')
    sheet.append("</sheetData></worksheet>")
    shared = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              f'count="{len(strings)}" uniqueCount="{len(strings)}">']
    shared.extend(f"<si><t>{escape(text)}</t></si>" for text in strings)  # dicts keep insertion order
    shared.append("</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
        archive.writestr("xl/sharedStrings.xml", "".join(shared))
    return buffer.getvalue()


def customers_then_filler(crowd: Any, size: int, *, with_pii: int = 300, seed: int = 3) -> bytes:
    """A CSV whose first ``with_pii`` rows hold PII and whose rows after hold none (order
    numbers and words), to ``size`` bytes: PII is found only when the start is read."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer_id", "name", "email", "phone", "my_number", "address", "notes"])
    for index, person in enumerate(crowd[:with_pii]):
        writer.writerow([index, person.name, person.email, person.phone, person.my_number, person.address, ""])
    index = with_pii
    while out.tell() < size:
        writer.writerow([index, "", "", "", "", "", " ".join(rng.choices(_WORDS, k=8))])
        index += 1
    return out.getvalue().encode()


@dataclass
class CountingSource:
    """A ``ranged.RangeSource`` over bytes in memory that records every read (one GET each)."""

    data: bytes
    reads: list[tuple[int, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, start: int, length: int) -> bytes:
        self.reads.append((start, length))
        return self.data[start:start + length]

    @property
    def fetched(self) -> int:
        return sum(length for _, length in self.reads)

    def refetched(self) -> int:
        """Bytes fetched more than once over all reads (0: no byte was fetched twice)."""
        return fetched_twice(self.reads)


def fetched_twice(reads: list[tuple[int, int]]) -> int:
    """Bytes that more than one of the ``(start, length)`` reads fetched.

    >>> fetched_twice([(0, 10), (10, 5)]), fetched_twice([(0, 10), (8, 5), (2, 1)])
    (0, 3)
    """
    twice = 0
    reach = 0  # the furthest byte fetched so far (reads sorted by start)
    for start, length in sorted(reads):
        end = start + length
        twice += max(0, min(end, reach) - start)
        reach = max(reach, end)
    return twice
