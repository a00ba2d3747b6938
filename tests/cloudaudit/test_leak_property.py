"""Leak-proofing as a property (issue 12): planted PII reaches no output, whatever carries it.

Hypothesis draws synthetic people (Faker names in each country's locale, stdnum-valid My
Numbers and card numbers built from drawn digits, and the seeder's full records) and plants
their values in cell values, in map keys, in column headers, in file names, and in inputs
that make the parsers raise (a cut gzip stream, broken JSON, bytes that are not UTF-8). Each
example runs the real path: formats -> PII engine -> the field results a snapshot stores,
``cloudaudit scan`` in text and ``--json`` form, every exception text (with its chain) and
every log record at DEBUG. The shared searcher (tests/leaks.py) looks for every planted value
in every written form: zero hits.

Map keys that are PII become ``<key>`` (issue 12, defect 1). Column headers that are people's
names over numbers (a pivoted export) still leak into field names: that case is
``xfail(strict=True)`` so that it turns red the moment a fix lands and the mark must come off.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import logging
import random
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cloudaudit.config import Limits
from cloudaudit.model import PiiType
from cloudaudit.sampling import analyse_bytes
from cloudaudit.scan import run_scan
from cloudaudit_demo import synth
from tests.leaks import Haystack, LeakSearcher, assert_no_leaks

if TYPE_CHECKING:
    from faker import Faker

COUNTRIES = ("JP", "TH", "VN", "ID", "MY", "SG", "IN", "AU")
LOCALES = {"JP": "ja_JP", "TH": "th_TH", "VN": "vi_VN", "ID": "id_ID", "MY": "en_MS", "SG": "en_US",
           "IN": "en_IN", "AU": "en_AU"}
RECORD_TYPES = {"name": PiiType.PERSON_NAME, "address": PiiType.ADDRESS, "phone": PiiType.PHONE_NUMBER,
                "email": PiiType.EMAIL_ADDRESS, "national_id": PiiType.NATIONAL_ID,
                "plate": PiiType.VEHICLE_REGISTRATION, "vin": PiiType.VIN, "date_of_birth": PiiType.DATE_OF_BIRTH}
LIMITS = Limits()
DEFECT_1 = ("issue 12 defect 1: a column header that is a person's name over numbers (a pivoted export) is "
            "taken for a header and written raw into field names (remove this mark when a fix lands)")
EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# A known failure (xfail) needs no minimal example: stop at the first one instead of shrinking it.
KNOWN_FAILURE = settings(EXAMPLES, phases=[Phase.explicit, Phase.reuse, Phase.generate])


# ---- strategies -----------------------------------------------------------------------------

@functools.cache
def _faker(locale: str) -> Faker:
    from faker import Faker

    return Faker(locale)  # building one costs far more than drawing from it: one per locale


@st.composite
def faker_name(draw: st.DrawFn, country: str) -> str:
    fake = _faker(LOCALES[country])
    fake.seed_instance(draw(st.integers(0, 2**32 - 1)))
    return str(fake.name())


def my_number() -> st.SearchStrategy[str]:
    """A Japanese My Number: 11 drawn digits and stdnum's check digit."""
    from stdnum.jp import in_

    return st.text("0123456789", min_size=11, max_size=11).map(lambda d: d + in_.calc_check_digit(d))


def card_number() -> st.SearchStrategy[str]:
    """A Luhn-valid 16-digit card number in 4-digit groups (stdnum's Luhn)."""
    from stdnum import luhn

    def build(body: str) -> str:
        number = body + luhn.calc_check_digit(body)
        return " ".join(number[i:i + 4] for i in range(0, 16, 4))

    return st.sampled_from("2345").flatmap(lambda first: st.text("0123456789", min_size=14, max_size=14)
                                           .map(lambda rest: build(first + rest)))


@dataclass
class People:
    country: str
    records: list[dict[str, str]]

    def __repr__(self) -> str:  # a failing example is printed: sizes, not the (synthetic) values
        return f"People(country={self.country!r}, records={len(self.records)})"

    def by_type(self) -> dict[str, list[str]]:
        planted: dict[str, list[str]] = {}
        for record in self.records:
            for key, value in record.items():
                planted.setdefault(str(RECORD_TYPES.get(key, PiiType.CREDIT_CARD)), []).append(value)
        return planted


@st.composite
def people(draw: st.DrawFn, min_size: int = 3, max_size: int = 10) -> People:
    country = draw(st.sampled_from(COUNTRIES))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    records = []
    for _ in range(draw(st.integers(min_size, max_size))):
        record = synth.record(country, rng)
        record["name"] = draw(faker_name(country))
        record["card"] = draw(card_number())
        if country == "JP":
            record["national_id"] = draw(my_number())
        records.append(record)
    return People(country, records)


# ---- the path every planted value goes through ------------------------------------------------

@dataclass
class Run:
    """Collects every output of one example."""

    tmp: Path
    capsys: pytest.CaptureFixture[str]
    caplog: pytest.LogCaptureFixture

    def outputs(self, name: str, data: bytes, country: str, *, truncated: bool = False) -> list[Haystack]:
        self.caplog.clear()
        self.capsys.readouterr()
        found: list[Haystack] = []
        try:
            sample, fields = analyse_bytes(name, data, country=country, limits=LIMITS, truncated=truncated)
            found.append(("snapshot field results", json.dumps([f.model_dump(mode="json") for f in fields],
                                                                ensure_ascii=False)))
            found.append(("sample repr", repr(sample)))
        except Exception as exc:  # any failure: its text, chain and traceback are outputs too
            found.append(("exception", "".join(traceback.format_exception(exc))))
        path = self.tmp / f"object-{len(list(self.tmp.iterdir()))}{Path(name).suffix}"
        path.write_bytes(data)
        for as_json in (True, False):
            run_scan([path], country=country, as_json=as_json)
            out = self.capsys.readouterr()
            found += [(f"scan {'--json ' if as_json else ''}stdout", out.out), ("scan stderr", out.err)]
        found += [("log text", self.caplog.text)]
        found += [(f"log record {r.name}", f"{r.getMessage()} {r.args!r}") for r in self.caplog.records]
        return found


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Run:
    caplog.set_level(logging.DEBUG)
    return Run(tmp_path, capsys, caplog)


def csv_bytes(rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def records_csv(group: People) -> bytes:
    columns = sorted(group.records[0])
    return csv_bytes([columns] + [[r[c] for c in columns] for r in group.records])


def check(group: People, found: list[Haystack]) -> None:
    assert_no_leaks(LeakSearcher(group.by_type()), found, min_chars=20)


# ---- the properties -----------------------------------------------------------------------------

@EXAMPLES
@given(group=people(), shape=st.sampled_from(["csv", "json", "jsonl", "text", "csv.gz"]))
def test_values_never_leak(run: Run, group: People, shape: str) -> None:
    documents: dict[str, Callable[[], bytes]] = {
        "csv": lambda: records_csv(group),
        "json": lambda: json.dumps({"customers": group.records}, ensure_ascii=False).encode(),
        "jsonl": lambda: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in group.records).encode(),
        "text": lambda: "".join(f"call {r['name']} on {r['phone']} or {r['email']}, id {r['national_id']}\n"
                                for r in group.records).encode(),
        "csv.gz": lambda: gzip.compress(records_csv(group), mtime=0),
    }
    check(group, run.outputs(f"customers.{shape.replace('text', 'txt')}", documents[shape](), group.country))


@EXAMPLES
@given(group=people(), cut=st.floats(0.1, 0.9), damage=st.sampled_from(["gzip cut", "json broken", "bad utf-8",
                                                                         "gzip corrupt"]))
def test_inputs_that_make_parsers_raise_never_leak(run: Run, group: People, cut: float, damage: str) -> None:
    text = records_csv(group)
    document = json.dumps({"customers": group.records}, ensure_ascii=False).encode()
    if damage == "gzip cut":
        compressed = gzip.compress(text, mtime=0)
        name, data = "customers.csv.gz", compressed[:max(12, int(len(compressed) * cut))]
    elif damage == "gzip corrupt":
        damaged = bytearray(gzip.compress(text, mtime=0))
        at = 10 + int((len(damaged) - 18) * cut)
        damaged[at:at + 8] = b"\xff" * 8
        name, data = "customers.csv.gz", bytes(damaged)
    elif damage == "json broken":
        at = int(len(document) * cut)
        name, data = "customers.json", document[:at] + b"}{,]" + document[at:]
    else:
        at = int(len(text) * cut)
        name, data = "customers.csv", text[:at] + b"\xff\xfe\xc3" + text[at:]
    check(group, run.outputs(name, data, group.country))


@EXAMPLES
@given(group=people(min_size=2, max_size=5), which=st.sampled_from(["name", "email", "phone", "plate"]))
def test_file_names_never_leak_beyond_the_path_the_user_gave(run: Run, group: People, which: str) -> None:
    """A file named after a person: the content's path (formats, engine, snapshot) never carries the
    name; ``scan`` echoes the path it was given as the Resource, and nothing else may."""
    value = group.records[0][which]
    name = value.replace("/", "_").replace("\x00", "") + ".csv"
    found = run.outputs(name, records_csv(group), group.country)
    # Outputs of the analysis itself: the name went in for format sniffing only.
    derived = [h for h in found if h[0] in ("snapshot field results", "sample repr", "exception")]
    check(People(group.country, [{which: value}]), derived)


@EXAMPLES
@given(group=people(), key=st.sampled_from(["name", "email", "phone", "national_id", "plate"]))
def test_map_keys_never_leak(run: Run, group: People, key: str) -> None:
    """``{"customers": {"<name>": {"phone": ...}}}``: the key is data, not a field name."""
    document = {"customers": {r[key]: {k: v for k, v in r.items() if k != key} for r in group.records}}
    check(group, run.outputs("customers.json", json.dumps(document, ensure_ascii=False).encode(), group.country))


@EXAMPLES
@given(group=people(min_size=3, max_size=6))
def test_headers_never_leak(run: Run, group: People) -> None:
    """A pivoted export with one column per customer, named after them."""
    names = [r["name"] for r in group.records]
    rows = [["month", *names]] + [[f"2026-{m:02d}", *[str((m * 7 + i) % 13) for i in range(len(names))]]
                                  for m in range(1, 7)]
    check(group, run.outputs("visits.csv", csv_bytes(rows), group.country))
