"""The PII benchmark's columns from outside: abbreviated headers, headerless names, names of things.

``cloudaudit_demo.corpus`` was written alongside the detectors; the columns added here are not:

- **abbreviated and local headers** over names, addresses, phones, e-mails and dates of birth,
  from this module's own list (``ABBREVIATED``: the short forms of real exports, written for the
  benchmark from the conventions named beside each group, never imported from
  ``cloudaudit.pii.lexicon``, or the benchmark would only measure the lexicon against itself);
- **headerless name columns** (``col_3``, ``value``, ``Unnamed: 4``, ...): names made by the
  corpus's generator (Faker's locale providers; the detector's lists are census and registry
  lists, ``include/cloudaudit/pii/data``);
- **names of things**, which must stay clean: products, companies, places, dealers, colours, car
  paints and car models (``data/pii_things.json``, each list's published source named there),
  half of them under a header that says nothing, half under a header that names the thing.

``extend`` adds them to an exported corpus (the dicts of ``pii_vs_presidio.export_corpus``) and
records each added field's kind in ``sample["kinds"]``, so the report can count per kind.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
THINGS = json.loads((HERE / "data" / "pii_things.json").read_text(encoding="utf-8"))

# Abbreviated, romanised and local headers per type and country ("*": any country). The short
# forms are those of: ISO 20022 / SAP / health-plan warehouse column names (NM, ADDR, DOB,
# BRTH_DT, MBR_, CUST_, TEL), Indonesian registry and BPJS exports (nm_, almt, tgl_lahir, no_hp),
# Vietnamese sales schemas (KH = khách hàng, TenKH, DChi, SoDT, NgSinh), Japanese romanised
# identifiers (shimei, jusho, denwa, seinengappi, Hepburn and wāpuro spellings), RTGS Thai
# (chue, thi yu, thorasap, wan koet), Malaysian forms (tkh lahir, no tel bimbit), Philippine
# forms (CP No., bday); a few are deliberately hard (``ns`` for ngày sinh, ``cntct_nm``).
ABBREVIATED: dict[str, dict[str, tuple[str, ...]]] = {
    "PERSON_NAME": {
        "*": ("nm", "nme", "cust_nm", "CUST_NM", "CustNm", "mbr_nm", "cstmr_nm", "full_nm", "owner_nm",
              "drvr_nm", "cntct_nm"),
        "JP": ("shimei", "kokyaku_shimei", "namae", "simei", "kanjiShimei"),
        "TH": ("chue", "chue_lukkha", "chue_namsakun"),
        "VN": ("kh_ten", "ten_kh", "TenKH", "hoten", "HoTenKH"),
        "ID": ("nm_plg", "nama_lgkp", "nm_lengkap", "nmPemilik"),
        "MY": ("nm_plg", "nama_pnh"),
        "IN": ("cust_nm", "naam"),
    },
    "ADDRESS": {
        "*": ("addr", "cust_addr", "mbr_addr", "addr_ln1", "adr", "addr1", "home_addr", "res_addr"),
        "JP": ("jusho", "juusyo", "kokyaku_jusho"),
        "TH": ("thi_yu", "thiyu_lukkha"),
        "VN": ("dchi", "dia_chi_kh", "DChiKH"),
        "ID": ("almt", "almt_plg", "alamat_ktp"),
        "MY": ("almt", "almt_surat"),
        "IN": ("pata", "cust_addr"),
    },
    "PHONE_NUMBER": {
        "*": ("tel", "tel_no", "ph_no", "phn", "mob_no", "mob", "cust_tel", "contact_no"),
        "JP": ("denwa", "keitai", "denwa_bango", "tel_keitai"),
        "TH": ("thorasap", "muethue", "tho"),
        "VN": ("sdt", "sodt", "dthoai", "dien_thoai_kh"),
        "ID": ("hp", "no_hp", "telp", "no_telp"),
        "MY": ("hp", "no_hp", "tel_bimbit"),
        "PH": ("cp_no", "cel_no"),
    },
    "EMAIL_ADDRESS": {
        "*": ("eml", "email_addr", "e_mail", "cust_eml", "mail"),
    },
    "DATE_OF_BIRTH": {
        "*": ("dob", "bdate", "brth_dt", "birth_dt", "dt_birth", "mbr_dob", "cust_dob"),
        "JP": ("seinengappi", "tanjobi"),
        "TH": ("wan_koet", "wankoet"),
        "VN": ("ngsinh", "ngay_sinh", "ns"),
        "ID": ("tgl_lahir", "tgl_lhr", "tgllahir"),
        "MY": ("tkh_lahir", "tarikh_lhr"),
        "PH": ("bday",),
    },
}
HEADERLESS = ("col_3", "value", "column_7", "field_2", "Unnamed: 4", "c12", "attr_1", "values")
"""Field names that say nothing: a headerless CSV's positions, pandas' ``Unnamed: N``, a key-value store."""

# Headers that name a thing (the other half of the thing columns sits under HEADERLESS).
THING_HEADERS: dict[str, tuple[str, ...]] = {
    "product": ("prod_nm", "product", "item_nm", "shohin_mei", "ten_sp", "nm_produk", "chue_sinkha"),
    "company": ("co_nm", "company", "corp_nm", "kaisha_mei", "nama_perusahaan", "fleet_acct"),
    "place": ("city", "twn_nm", "branch_city", "kota", "thanh_pho", "changwat"),
    "dealer": ("dlr_nm", "dealer", "nama_dealer", "showroom", "ten_dai_ly"),
    "colour": ("color", "colour", "clr", "warna", "iro", "mau", "si"),
    "paint": ("paint_nm", "ext_color", "paint", "warna_cat", "mau_son", "tosou_iro"),
    "car_model": ("mdl_nm", "model", "vehicle_model", "type_kendaraan", "dong_xe", "shashu"),
}
THING_KINDS = tuple(THING_HEADERS)


def is_headerless(field: str) -> bool:
    """One of ``HEADERLESS``, or a second one in the same table (``extend`` writes ``col_3_2``)."""
    while field not in HEADERLESS and field.endswith("_2"):
        field = field.removesuffix("_2")
    return field in HEADERLESS


def _catalogue(values: list[str], rows: int, rng: random.Random) -> list[str]:
    """``rows`` values of a list, each at most once until the list is used up (a catalogue)."""
    pool = list(values)
    rng.shuffle(pool)
    return [pool[i % len(pool)] for i in range(rows)]


def thing_values(kind: str, country: str, rows: int, rng: random.Random) -> list[str]:
    """A column of names of things of one kind, for ``country``."""
    from cloudaudit_demo import synth

    places = THINGS["places"][country]
    if kind == "product":
        words = THINGS["products"]
        return [f"{rng.choice(words['adjective'])} {rng.choice(words['material'])} {rng.choice(words['product'])}"
                for _ in range(rows)]
    if kind == "company":
        return [synth.company(country, rng) for _ in range(rows)]
    if kind == "place":
        return _catalogue(places, rows, rng)
    if kind == "dealer":
        makes = THINGS["makes"]
        return [f"{rng.choice(makes)} {rng.choice(places)}" for _ in range(rows)]
    if kind == "colour":  # a catalogue of colour names, written as a catalogue writes them
        return [name.title() for name in _catalogue(THINGS["colours"], rows, rng)]
    if kind == "paint":  # each car's paint: the makers' names, repeated as a fleet repeats them
        return _catalogue(THINGS["paints"], rows, rng)
    if kind == "car_model":
        return _catalogue(THINGS["car_models"], rows, rng)
    raise ValueError(kind)


def _dirty(values: list[str], rng: random.Random) -> list[str | None]:
    out: list[str | None] = []
    for value in values:
        roll = rng.random()
        out.append(None if roll < 0.05 else rng.choice(("", "N/A", "-")) if roll < 0.08 else
                   f" {value} " if roll < 0.12 else value)
    return out


def extend(corpus: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Add the outside columns to every table of an exported corpus (in place; also returned).

    Per table: two or three PII columns under abbreviated headers, one headerless column of
    people's names, and two or three columns of names of things (half headerless).
    """
    from cloudaudit.model import PiiType
    from cloudaudit_demo import synth

    rng = random.Random(f"pii-outside-{seed}")
    for sample in corpus:
        if "-table-" not in sample["name"]:
            continue
        country, rows = sample["country"], max(len(v) for v in sample["fields"].values())
        kinds: dict[str, str] = {}

        def add(name: str, values: list[str | None], labels: list[str], kind: str,
                sample: dict[str, Any] = sample, kinds: dict[str, str] = kinds) -> None:
            while name in sample["fields"]:
                name += "_2"
            sample["fields"][name] = values
            sample["labels"][name] = labels
            kinds[name] = kind

        for type_name in rng.sample(sorted(ABBREVIATED), rng.randrange(2, 4)):
            pool = ABBREVIATED[type_name]
            header = rng.choice(pool.get(country, ()) + pool["*"])
            pii_type = PiiType(type_name)
            add(header, _dirty([synth.value(pii_type, country, rng) for _ in range(rows)], rng), [type_name],
                f"abbreviated:{type_name}")
        names = [synth.value(PiiType.PERSON_NAME, country, rng) for _ in range(rows)]
        add(rng.choice(HEADERLESS), _dirty(names, rng), ["PERSON_NAME"], "headerless_names")
        for kind in rng.sample(THING_KINDS, rng.randrange(2, 4)):
            headerless = rng.random() < 0.5
            header = rng.choice(HEADERLESS if headerless else THING_HEADERS[kind])
            add(header, _dirty(thing_values(kind, country, rows, rng), rng), [],
                f"thing:{kind}:{'headerless' if headerless else 'named'}")
        sample["kinds"] = kinds
    return corpus


def by_kind(corpus: list[dict[str, Any]], predictions: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """Per kind of added column: columns, those found with their labelled type (recall), and
    those given any type they do not hold (false positives: for things, any type at all)."""
    out: dict[str, dict[str, Any]] = {}
    for sample in corpus:
        for field, kind in sample.get("kinds", {}).items():
            found = set(predictions[sample["name"]].get(field, ()))
            truth = set(sample["labels"][field])
            row = out.setdefault(kind, {"columns": 0, "found": 0, "false_positive": 0, "fp_types": {},
                                        "by_country": {}})
            country = row["by_country"].setdefault(sample["country"], {"columns": 0, "found": 0,
                                                                       "false_positive": 0})
            hit, wrong = bool(truth) and truth <= found, found - truth
            for counter in (row, country):
                counter["columns"] += 1
                counter["found"] += hit
                counter["false_positive"] += bool(wrong)
            for pii_type in wrong:
                row["fp_types"][pii_type] = row["fp_types"].get(pii_type, 0) + 1
    return dict(sorted(out.items()))


def summary(kinds: dict[str, Any]) -> dict[str, Any]:
    """The figures the brief asks for across seeds: abbreviated and headerless-name recall, and
    thing columns read as PII."""
    def total(prefix: str, key: str) -> int:
        return sum(row[key] for kind, row in kinds.items() if kind.startswith(prefix))

    return {
        "abbreviated": {"found": total("abbreviated:", "found"), "columns": total("abbreviated:", "columns"),
                        "false_positive": total("abbreviated:", "false_positive")},
        "headerless_names": {"found": total("headerless_names", "found"),
                             "columns": total("headerless_names", "columns")},
        "things": {"false_positive": total("thing:", "false_positive"), "columns": total("thing:", "columns")},
    }
