"""Synthetic customer records and their serialisations, for the formats tests.

Every value comes from Faker (seeded) or python-stdnum, never from real people.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass
from typing import Any

from faker import Faker
from stdnum.jp import in_ as my_number


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    phone: str
    my_number: str
    address: str
    city: str

    def row(self) -> list[str]:
        return [self.name, self.email, self.phone, self.my_number, self.address]


HEADER = ["name", "email", "phone", "my_number", "address"]


def customers(count: int, *, locale: str = "en_US", seed: int = 7) -> list[Customer]:
    fake = Faker(locale)
    fake.seed_instance(seed)
    out = []
    for _ in range(count):
        body = fake.numerify("###########")
        out.append(Customer(
            name=fake.name(),
            email=fake.email(),
            phone=fake.numerify("090########"),
            my_number=body + my_number.calc_check_digit(body),
            address=fake.address().replace("\n", " "),
            city=fake.city(),
        ))
    return out


def to_csv(rows: list[list[str]], *, delimiter: str = ",", header: list[str] | None = HEADER) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def nested_records(people: list[Customer]) -> list[dict[str, Any]]:
    return [
        {"customer": {"name": p.name, "contacts": [{"phone": p.phone}, {"email": p.email}],
                      "tags": ["vip", p.city]},
         "vehicle": {"vin": None, "mileage": 1234567890123.0}}
        for p in people
    ]


def to_jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def gzip_bomb(pattern: bytes, total: int) -> bytes:
    """A small gzip stream that inflates to ``total`` bytes of ``pattern`` (built without holding them)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = pattern * (1_048_576 // len(pattern))
    parts = [compressor.compress(chunk) for _ in range(total // len(chunk))]
    return b"".join(parts) + compressor.flush()


def all_values(people: list[Customer]) -> list[str]:
    return [value for person in people for value in person.row()]
