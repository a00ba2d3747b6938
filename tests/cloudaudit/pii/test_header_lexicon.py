"""Abbreviated, local and romanised headers (``pii.lexicon``), as public data dictionaries spell them.

Every header below is copied from a published dictionary or schema, named in its row; the
cells are Faker's (through ``cloudaudit_demo.synth``, or Faker directly for decoys). Decoys
are columns of the same dictionaries (or the same abbreviation) that hold no PII of the type.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable

import pytest
from faker import Faker

from cloudaudit.model import PiiType
from cloudaudit.pii import context, detect_field, lexicon, words
from cloudaudit.pii.field_names import name_detectors
from cloudaudit.sampling import parse_bytes
from cloudaudit_demo import synth

T = PiiType
ISO = "ISO 20022 pain.001 element tags"
SAP = "SAP DDIC tables KNA1 (customer master), PA0002 (personal data)"
FACETS = "US health-plan warehouse (Facets MBR_D) and CMS FFM reconciliation dictionaries"
DUKCAPIL = "Dukcapil SIAK biodata fields"
BPJS = "BPJS Kesehatan VClaim/P-Care fields"
QLBH = "Vietnamese 'Quản lý bán hàng' schema KHACHHANG(MAKH, HOTEN, DCHI, SODT, NGSINH, NGDK)"
EINVOICE = "Vietnamese e-invoice XML, Decision 1450/QĐ-TCT"
JP_CODE = "Japanese municipal system identifiers (kanjiShimei, seinengappiYMD, juusyo)"
RTGS = "Royal Thai General System of Transcription"
UIDAI = "UIDAI Aadhaar enrolment/update form labels (नाम, पता, जन्म तिथि), Hunterian romanisation"
VCARD = "vCard RFC 6350 BDAY"
ELMASRI = "Elmasri & Navathe COMPANY schema EMPLOYEE(Fname, Minit, Lname, Bdate)"
HL7V2 = "HL7 v2 Table 0202: PH telephone"
OASIS = "CMS OASIS data specification (M0066_PAT_BIRTH_DT), word order reversed as exports write it"

POSITIVE = [
    # (header, country, type, source)
    ("Dbtr.Nm", "SG", T.PERSON_NAME, ISO), ("Cdtr.PstlAdr.AdrLine", "AU", T.ADDRESS, ISO),
    ("Dbtr.CtctDtls.PhneNb", "AU", T.PHONE_NUMBER, ISO), ("Dbtr.CtctDtls.MobNb", "SG", T.PHONE_NUMBER, ISO),
    ("Dbtr.Id.PrvtId.DtAndPlcOfBirth.BirthDt", "AU", T.DATE_OF_BIRTH, ISO),
    ("STRAS", "AU", T.ADDRESS, SAP), ("TELF1", "AU", T.PHONE_NUMBER, SAP),
    ("NACHN", "AU", T.PERSON_NAME, SAP), ("VORNA", "AU", T.PERSON_NAME, SAP), ("GBDAT", "AU", T.DATE_OF_BIRTH, SAP),
    ("MBR_FIRST_NM", "AU", T.PERSON_NAME, FACETS), ("MBR_LAST_NM", "AU", T.PERSON_NAME, FACETS),
    ("MBR_BRTH_DT", "AU", T.DATE_OF_BIRTH, FACETS), ("MBR_MAIL_ADDR_LN_1", "AU", T.ADDRESS, FACETS),
    ("FFM_MBR_1ST_NM", "AU", T.PERSON_NAME, FACETS), ("ISUR_BTH_DT", "AU", T.DATE_OF_BIRTH, FACETS),
    ("NAMA_LGKP", "ID", T.PERSON_NAME, DUKCAPIL), ("TGL_LHR", "ID", T.DATE_OF_BIRTH, DUKCAPIL),
    ("nmPeserta", "ID", T.PERSON_NAME, BPJS), ("noHP", "ID", T.PHONE_NUMBER, BPJS + ": noHP"),
    ("hp", "ID", T.PHONE_NUMBER, "Indonesian 'HP' alone"), ("telp", "ID", T.PHONE_NUMBER, "Dapodik no_telp"),
    ("tgllahir", "ID", T.DATE_OF_BIRTH, DUKCAPIL + ": TGL_LHR, glued"), ("tkh_lahir", "MY", T.DATE_OF_BIRTH, "Malaysian forms 'Tkh. Lahir'"),
    ("no_hp", "MY", T.PHONE_NUMBER, "Malaysian forms 'No. H/P'"),
    ("HOTEN", "VN", T.PERSON_NAME, QLBH), ("DCHI", "VN", T.ADDRESS, QLBH), ("SODT", "VN", T.PHONE_NUMBER, QLBH),
    ("NGSINH", "VN", T.DATE_OF_BIRTH, QLBH), ("TenKH", "VN", T.PERSON_NAME, "KhachHang(MaKH, TenKH, DiaChi)"),
    ("DienThoai", "VN", T.PHONE_NUMBER, "KhachHang(..., DienThoai)"), ("kh", "VN", T.PERSON_NAME, "khách hàng"),
    ("SDThoai", "VN", T.PHONE_NUMBER, EINVOICE), ("HVTNMHang", "VN", T.PERSON_NAME, EINVOICE),
    ("DCTDTu", "VN", T.EMAIL_ADDRESS, EINVOICE),
    ("kanjiShimei", "JP", T.PERSON_NAME, JP_CODE), ("seinengappiYMD", "JP", T.DATE_OF_BIRTH, JP_CODE),
    ("juusyo", "JP", T.ADDRESS, JP_CODE), ("jusho", "JP", T.ADDRESS, "Hepburn 住所"),
    ("seinenngappi", "JP", T.DATE_OF_BIRTH, "wāpuro 生年月日"), ("denwa_bango", "JP", T.PHONE_NUMBER, "Hepburn 電話番号"),
    ("chue", "TH", T.PERSON_NAME, RTGS), ("namsakun", "TH", T.PERSON_NAME, RTGS), ("thi_yu", "TH", T.ADDRESS, RTGS),
    ("thiyu", "TH", T.ADDRESS, RTGS), ("wan_koet", "TH", T.DATE_OF_BIRTH, RTGS), ("WanKoet", "TH", T.DATE_OF_BIRTH, RTGS),
    ("thorasap", "TH", T.PHONE_NUMBER, RTGS), ("chue_lukkha", "TH", T.PERSON_NAME, RTGS),
    ("cust_nm", "SG", T.PERSON_NAME, "Leszynski: Cust"), ("custnm", "SG", T.PERSON_NAME, "Leszynski: Cust, glued"),
    ("nme", "AU", T.PERSON_NAME, "issue 17: nme"), ("addr", "AU", T.ADDRESS, "Leszynski: Addr"),
    ("tel", "AU", T.PHONE_NUMBER, "issue 17: tel"), ("mbr_addr", "AU", T.ADDRESS, FACETS),
    ("naam", "IN", T.PERSON_NAME, UIDAI), ("pata", "IN", T.ADDRESS, UIDAI), ("janm_tithi", "IN", T.DATE_OF_BIRTH, UIDAI),
    ("BDAY", "AU", T.DATE_OF_BIRTH, VCARD), ("cust_bday", "SG", T.DATE_OF_BIRTH, VCARD),
    ("dt_birth", "AU", T.DATE_OF_BIRTH, OASIS), ("PAT_DT_BIRTH", "AU", T.DATE_OF_BIRTH, OASIS),
    ("Fname", "SG", T.PERSON_NAME, ELMASRI), ("Lname", "AU", T.PERSON_NAME, ELMASRI),
    ("Bdate", "JP", T.DATE_OF_BIRTH, ELMASRI), ("dep_bdate", "PH", T.DATE_OF_BIRTH, ELMASRI),
    ("ph_no", "TH", T.PHONE_NUMBER, HL7V2), ("cust_ph", "ID", T.PHONE_NUMBER, HL7V2),
]


@pytest.mark.parametrize(("header", "country", "pii_type", "source"), POSITIVE, ids=[c[0] for c in POSITIVE])
def test_abbreviated_headers_find_their_type(header: str, country: str, pii_type: PiiType, source: str) -> None:
    rng = random.Random(header)
    values: list[str | None] = [synth.value(pii_type, country, rng) for _ in range(30)]
    assert pii_type in detect_field(header, values, country).pii_types, source


def test_each_positive_header_was_missed_before_the_lexicon() -> None:
    """The rows above test the lexicon, not words the headers already had: most read no type
    without it (``NAMA_LGKP`` and ``TGL_LHR`` name theirs in part already)."""
    missed = [h for h, *_ in POSITIVE
              if not any(context.mentions(tuple(ws), context.header_of(h)) for ws in words.BY_TYPE.values())]
    assert len(missed) >= len(POSITIVE) * 2 // 3


def test_fhir_telecom_is_decided_by_its_values() -> None:
    """HL7 FHIR ContactPoint ``telecom`` holds phones or e-mails: two readings, the values choose."""
    rng = random.Random(5)
    phones: list[str | None] = [synth.value(T.PHONE_NUMBER, "AU", rng) for _ in range(30)]
    mails: list[str | None] = [synth.value(T.EMAIL_ADDRESS, "AU", rng) for _ in range(30)]
    assert detect_field("telecom", phones, "AU").pii_types == (T.PHONE_NUMBER,)
    assert detect_field("telecom", mails, "AU").pii_types == (T.EMAIL_ADDRESS,)


def _fake(locale: str) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(17)
    return fake


_EN, _ID, _VI, _JA, _TH, _DE = (_fake(loc) for loc in ("en_US", "id_ID", "vi_VN", "ja_JP", "th_TH", "de_DE"))

DECOYS: list[tuple[str, str, Callable[[], str], str]] = [
    # (header, country, a value maker, why it holds no PII of the header's reading)
    ("nm", "AU", lambda: f"{_EN.pyfloat(min_value=1, max_value=900, right_digits=1)}", "nautical miles"),
    ("dist_nm", "SG", lambda: str(_EN.random_int(1, 3000)), "a distance in nautical miles"),
    ("hp", "ID", lambda: str(_EN.random_int(70, 400)), "horsepower of a vehicle"),
    ("tgl", "ID", lambda: _EN.random_element(("Y", "N")), "a toggle flag"),
    ("TGL_KWN", "ID", lambda: _EN.date_between("-20y", "today").strftime("%d-%m-%Y"), DUKCAPIL + ": marriage date"),
    ("TMPT_LHR", "ID", lambda: _ID.city(), DUKCAPIL + ": place of birth, a city"),
    ("NGDK", "VN", lambda: _EN.date_between("-5y", "today").strftime("%d/%m/%Y"), QLBH + ": registration date"),
    ("MaKH", "VN", lambda: _EN.lexify("??????").upper(), "KhachHang(MaKH): customer codes in letters"),
    ("MKHang", "VN", lambda: _EN.lexify("????").upper(), EINVOICE + ": customer code"),
    ("LoaiKH", "VN", lambda: _EN.lexify("??").upper(), "LoaiKhachHang(MaLKH): customer type codes"),
    ("nmProvider", "ID", lambda: f"Klinik {_ID.last_name()}", BPJS + ": the provider (clinic) name"),
    ("nmPoli", "ID", lambda: f"Poli {_ID.word().title()}", BPJS + ": the polyclinic name"),
    ("nm_produk", "ID", lambda: _EN.word().title(), "a product name"),
    ("nm_sekolah", "ID", lambda: f"SD {_ID.last_name()}", "Dapodik school table: the school's name"),
    ("prod_nm", "SG", lambda: f"{_EN.word().title()} {_EN.word().title()}", "Leszynski-style Prod: product name"),
    ("co_nm", "AU", lambda: _EN.company(), "company names"),
    ("cust_seg", "SG", lambda: _EN.word().title(), "customer segment labels"),
    ("Dbtr.PstlAdr.TwnNm", "AU", lambda: _EN.city(), ISO + ": TwnNm, a town"),
    ("ADDR_CITY_NM", "AU", lambda: _EN.city(), FACETS + ": a city"),
    ("ORT01", "AU", lambda: _DE.city(), SAP + ": ORT01, a city"),
    ("KUNNR", "JP", lambda: _EN.numerify("00########"), SAP + ": KUNNR, customer numbers"),
    ("chue_sinkha", "TH", lambda: _TH.word(), RTGS + ": product name"),
    ("shohin_mei", "JP", lambda: _JA.word(), "Hepburn 商品名: product name"),
    ("pata", "IN", lambda: str(_EN.random_int(1, 40)), "a count under a romanised word: not an address"),
    ("ph", "TH", lambda: f"{_EN.pyfloat(min_value=4, max_value=9, right_digits=2)}", "pH of a water sample"),
    ("ph_level", "AU", lambda: str(_EN.random_int(5, 9)), "pH as a whole number"),
    ("bday_count", "AU", lambda: str(_EN.random_int(0, 12)), "birthdays per month, counted"),
]


@pytest.mark.parametrize(("header", "country", "make", "why"), DECOYS, ids=[c[0] for c in DECOYS])
def test_decoy_columns_stay_clean(header: str, country: str, make: Callable[[], str], why: str) -> None:
    values: list[str | None] = [make() for _ in range(30)]
    assert detect_field(header, values, country).pii_types == (), why


@pytest.mark.parametrize(("header", "expected"), [
    ("tgl lhr", "tanggal lahir"), ("ten kh", "ten khach hang"), ("wan koet", "วันเกิด"), ("jusho", "住所"),
    ("chue lukkha", "ชื่อลูกค้า"), ("kanji shimei", "漢字氏名"), ("mbr 1 st nm", "member first name"),
    ("makh", "ma khach hang"), ("ph no", "telephone no"), ("emp bdate", "emp birth date"),
    ("graph", "graph"), ("phase", "phase"), ("hotel", "hotel"), ("amount", "amount"), ("username", "username"), ("nameplate", "nameplate"),
])
def test_readings(header: str, expected: str) -> None:
    assert lexicon.read(header) == expected


def test_every_lexicon_entry_is_lower_case_ascii_and_read_as_something_else() -> None:
    for key, full in lexicon.ABBREVIATIONS.items():
        assert key.isascii() and key == key.lower() and " " not in key, key
        assert full != key, key


@pytest.mark.parametrize("key", [
    "Chue Vang", "Nguyen Thi Yu",  # romanised Thai words that are also names
    "KH. Asmuni Mahendra",  # Kyai Haji, an Indonesian honorific, not khách hàng (Faker id_ID)
    "Falan Kota", "Wyatt Kota",  # a surname that is a head excluded from a name reading
    "Tiffany Colon",  # not co + lon
])
def test_abbreviations_and_heads_never_make_a_persons_name_a_column_name(key: str) -> None:
    """A pivoted export's header named after a person must stay ``<key>``: the lexicon and the
    heads it excludes are for reading headers, never for keeping a spaced name as a field name."""
    assert not name_detectors().names_a_column(key)


def test_an_upper_case_dukcapil_export_keeps_its_header_and_is_detected() -> None:
    """``NM,ALMT,HP`` over upper-case values: the abbreviations make the first row a header."""
    from cloudaudit.config import Limits

    rng = random.Random(3)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["NM", "ALMT", "HP"])
    for _ in range(20):
        writer.writerow([synth.value(T.PERSON_NAME, "ID", rng).upper(), synth.value(T.ADDRESS, "ID", rng).upper(),
                         synth.value(T.PHONE_NUMBER, "ID", rng)])
    sample = parse_bytes("warga.csv", out.getvalue().encode(), limits=Limits())
    assert list(sample.fields) == ["NM", "ALMT", "HP"]
    found = {name: detect_field(name, values, "ID").pii_types for name, values in sample.fields.items()}
    assert found == {"NM": (T.PERSON_NAME,), "ALMT": (T.ADDRESS,), "HP": (T.PHONE_NUMBER,)}


def test_bigquery_record_columns_are_read_by_their_abbreviated_leaf() -> None:
    """A BigQuery table's nested columns (``kh.dchi``, ``pelanggan.tgl_lhr``) are sample fields by
    key path: the leaf's reading decides, so ``gcp_bq_pii_column_untagged`` sees them."""
    from cloudaudit.model import Sample
    from cloudaudit.pii import detect_sample

    rng = random.Random(11)
    fields: dict[str, list[str | None]] = {
        "kh.dchi": [synth.value(T.ADDRESS, "VN", rng) for _ in range(20)],
        "kh.ngsinh": [synth.value(T.DATE_OF_BIRTH, "VN", rng) for _ in range(20)],
        "kh.ma_kh": [_VI.lexify("KH????").upper() for _ in range(20)],
    }
    results = detect_sample(Sample(format="bigquery", fields=fields), "VN")
    assert {r.field: r.pii_types for r in results} == {
        "kh.dchi": (T.ADDRESS,), "kh.ngsinh": (T.DATE_OF_BIRTH,), "kh.ma_kh": ()}


@pytest.mark.parametrize(("key", "names_a_column"), [
    ("Brandi Smith", False),  # Faker's name; ``brand`` names a column only as a whole word
    ("Hostetler Modelo", False),  # ``host``, ``model`` as prefixes of surnames
    ("Product Brands", True), ("Customer Names", True), ("Home Addresses", True),
])
def test_a_spaced_key_names_a_column_by_whole_words(key: str, names_a_column: bool) -> None:
    """A pivoted export's header named after a person (tests/cloudaudit/test_leak_property.py
    found ``Brandi Smith`` kept as a field name): column words count whole, plurals allowed."""
    assert name_detectors().names_a_column(key) is names_a_column
