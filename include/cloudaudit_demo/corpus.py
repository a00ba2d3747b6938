"""A labelled evaluation corpus: seeded samples of every covered country with the truth per field.

Each country gets tables of a car dealer's maintenance data and free-text notes:
- PII columns under headers in the country's language, English or a mix (``顧客_phone``),
  some headerless (``column_3``) where the type can be told without context;
- dirty cells (empty, whitespace, ``N/A``, ``不明``), padded and full-width values, phone
  numbers whose leading zero a spreadsheet dropped, and a few decoys inside PII columns;
- negative columns: random numbers (``invoice_no``, ``odometer``), decoys that fail their
  checksum or structure under neutral and under matching headers, service dates that are
  no birthdays, service descriptions and fleet customers' company names that are no
  people's names, one stray valid ID among codes;
- other countries' IDs under their own header (an expatriate customer's NRIC), and
  ``contact`` columns that mix phone numbers and e-mail addresses;
- free text (``(text)`` samples and ``notes`` columns) with PII embedded in sentences.

``labels[field]`` is the set of types a field holds; the evaluation is per (field, type).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from cloudaudit.model import TEXT_FIELD, PiiType, Sample
from cloudaudit_demo import synth

COUNTRIES = synth.COUNTRIES

# Headers per type: English, the country's languages, and mixes, as found in real exports.
_HEADERS: dict[PiiType, dict[str, tuple[str, ...]]] = {
    PiiType.PERSON_NAME: {
        "*": ("name", "customer_name", "full_name", "CustomerName", "owner_name"),
        "JP": ("氏名", "お名前", "顧客名", "契約者_name"), "TH": ("ชื่อ", "ชื่อ-นามสกุล", "ชื่อลูกค้า"),
        "VN": ("họ tên", "Họ và tên", "tên khách hàng", "ho_ten"), "ID": ("nama", "nama_pelanggan", "Nama Lengkap"),
        "MY": ("nama", "nama_pelanggan"), "PH": ("pangalan", "buong_pangalan"), "IN": ("नाम", "customer name"),
    },
    PiiType.ADDRESS: {
        "*": ("address", "home_address", "customer.address", "Address Line"),
        "JP": ("住所", "現住所", "顧客住所"), "TH": ("ที่อยู่", "ที่อยู่ลูกค้า"), "VN": ("địa chỉ", "Địa chỉ khách hàng", "dia_chi"),
        "ID": ("alamat", "alamat_rumah"), "MY": ("alamat",), "PH": ("tirahan",), "IN": ("पता",),
    },
    PiiType.PHONE_NUMBER: {
        "*": ("phone", "mobile", "tel", "contact_number", "customer.contacts[].phone", "PhoneNo"),
        "JP": ("電話番号", "携帯電話", "連絡先TEL"), "TH": ("เบอร์โทร", "โทรศัพท์มือถือ"), "VN": ("số điện thoại", "sđt", "so_dien_thoai"),
        "ID": ("no_telepon", "nomor_hp"), "MY": ("no_telefon", "nombor telefon"), "PH": ("telepono",),
        "IN": ("मोबाइल",),
    },
    PiiType.EMAIL_ADDRESS: {
        "*": ("email", "e-mail", "customer_email", "EmailAddress"),
        "JP": ("メールアドレス", "メール"), "TH": ("อีเมล",), "VN": ("thư điện tử",), "ID": ("surel",), "MY": ("emel",),
    },
    PiiType.NATIONAL_ID: {
        "*": ("national_id", "id_number", "citizen_id"),
        "JP": ("マイナンバー", "個人番号", "my_number"), "TH": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "thai_id"),
        "VN": ("cccd", "số căn cước", "so_cccd"), "ID": ("nik", "no_ktp"), "PH": ("philsys_no", "psn", "PhilID"),
        "MY": ("nric", "no_kp", "mykad"), "SG": ("nric", "nric_fin"), "IN": ("aadhaar", "aadhaar_no", "आधार"),
        "AU": ("tfn", "tax_file_number"),
    },
    PiiType.VEHICLE_REGISTRATION: {
        "*": ("plate", "plate_no", "registration_no", "vehicle.plate", "LicensePlate"),
        "JP": ("ナンバー", "登録番号", "車両番号"), "TH": ("ทะเบียนรถ", "เลขทะเบียน"), "VN": ("biển số", "biển kiểm soát", "bien_so"),
        "ID": ("nomor_polisi", "nopol", "plat_nomor"), "MY": ("no_pendaftaran", "nombor_plat"), "AU": ("rego",),
    },
    PiiType.VIN: {
        "*": ("vin", "VIN", "chassis_no", "vehicle.vin"),
        "JP": ("車台番号",), "TH": ("เลขตัวถัง",), "VN": ("số khung",), "ID": ("nomor_rangka",), "MY": ("nombor_casis",),
    },
    PiiType.CREDIT_CARD: {"*": ("card_number", "credit_card", "payment.card_no"), "JP": ("カード番号",),
                          "TH": ("บัตรเครดิต",), "ID": ("kartu_kredit",)},
    PiiType.DATE_OF_BIRTH: {
        "*": ("date_of_birth", "dob", "birthDate", "customer.birthday"),
        "JP": ("生年月日", "誕生日"), "TH": ("วันเกิด",), "VN": ("ngày sinh", "ngay_sinh"), "ID": ("tanggal_lahir", "tgl_lahir"),
        "MY": ("tarikh_lahir",), "PH": ("kaarawan",), "IN": ("जन्मतिथि",),
    },
    PiiType.IP_ADDRESS: {"*": ("ip", "client_ip", "ip_address", "remote_addr"), "JP": ("IPアドレス",)},
    PiiType.GEO_LOCATION: {"*": ("gps", "location", "coordinates", "last_location"), "JP": ("位置情報",),
                           "TH": ("พิกัด",), "VN": ("tọa độ",), "ID": ("koordinat",)},
}

# Types a headerless column can be told by (the rest need a header: PH PhilSys, names, ...).
_SELF_EVIDENT = frozenset({PiiType.PHONE_NUMBER, PiiType.EMAIL_ADDRESS, PiiType.NATIONAL_ID, PiiType.VIN,
                           PiiType.CREDIT_CARD, PiiType.IP_ADDRESS, PiiType.GEO_LOCATION,
                           PiiType.VEHICLE_REGISTRATION})
_DIRT = ("", " ", "N/A", "-", "unknown", "null", "不明", "ไม่ระบุ", "không rõ", "tidak ada", "TBD")
_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

# Foreign identifiers: (country of the ID, header that names it).
_EXPATRIATE = (("SG", "nric"), ("MY", "mykad"), ("IN", "aadhaar"), ("JP", "マイナンバー"), ("TH", "thai_id"),
               ("ID", "nik"), ("AU", "tfn"))

_FILLER = {
    "JP": ("オイル交換済み。", "次回点検は6ヶ月後。", "ブレーキパッド摩耗あり。", "タイヤ交換を提案。"),
    "TH": ("เปลี่ยนน้ำมันเครื่องเรียบร้อย", "ตรวจเช็คเบรก", "นัดตรวจครั้งถัดไป 6 เดือน"),
    "VN": ("Đã thay dầu.", "Kiểm tra phanh.", "Hẹn bảo dưỡng sau 6 tháng."),
    "ID": ("Ganti oli selesai.", "Cek rem depan.", "Servis berikutnya 6 bulan lagi."),
    "MY": ("Tukar minyak enjin selesai.", "Periksa brek.", "Servis seterusnya 6 bulan."),
    "*": ("Oil change done.", "Customer asked for a brake inspection.", "Next service in 6 months.",
          "Tyres rotated, pressure 32 psi.", "Battery tested 12.6 V at 25 C."),
}
_TEXT_LABEL = {
    "JP": {PiiType.PERSON_NAME: "氏名：", PiiType.PHONE_NUMBER: "電話 ", PiiType.EMAIL_ADDRESS: "メール ",
           PiiType.NATIONAL_ID: "マイナンバー ", PiiType.VEHICLE_REGISTRATION: "ナンバー ", PiiType.VIN: "車台番号 ",
           PiiType.DATE_OF_BIRTH: "生年月日：", PiiType.ADDRESS: "住所：", PiiType.CREDIT_CARD: "カード番号 "},
    "TH": {PiiType.PERSON_NAME: "ชื่อ: ", PiiType.PHONE_NUMBER: "เบอร์โทร ", PiiType.NATIONAL_ID: "เลขประจำตัวประชาชน ",
           PiiType.VEHICLE_REGISTRATION: "ทะเบียนรถ ", PiiType.DATE_OF_BIRTH: "วันเกิด ", PiiType.ADDRESS: "ที่อยู่: "},
    "VN": {PiiType.PERSON_NAME: "Họ tên: ", PiiType.PHONE_NUMBER: "SĐT ", PiiType.NATIONAL_ID: "số CCCD ",
           PiiType.VEHICLE_REGISTRATION: "biển số ", PiiType.DATE_OF_BIRTH: "ngày sinh ", PiiType.ADDRESS: "Địa chỉ: "},
    "ID": {PiiType.PERSON_NAME: "Nama: ", PiiType.PHONE_NUMBER: "telepon ", PiiType.NATIONAL_ID: "NIK ",
           PiiType.VEHICLE_REGISTRATION: "nopol ", PiiType.DATE_OF_BIRTH: "tanggal lahir ", PiiType.ADDRESS: "Alamat: "},
    "MY": {PiiType.PERSON_NAME: "Nama: ", PiiType.PHONE_NUMBER: "telefon ", PiiType.NATIONAL_ID: "No. KP ",
           PiiType.VEHICLE_REGISTRATION: "nombor plat ", PiiType.DATE_OF_BIRTH: "tarikh lahir ",
           PiiType.ADDRESS: "Alamat: "},
    "*": {PiiType.PERSON_NAME: "Name: ", PiiType.PHONE_NUMBER: "phone ", PiiType.EMAIL_ADDRESS: "email ",
          PiiType.NATIONAL_ID: "ID number ", PiiType.VEHICLE_REGISTRATION: "plate ", PiiType.VIN: "VIN ",
          PiiType.DATE_OF_BIRTH: "date of birth ", PiiType.ADDRESS: "Address: ", PiiType.CREDIT_CARD: "card ",
          PiiType.IP_ADDRESS: "from IP ", PiiType.GEO_LOCATION: "GPS "},
}
_NATIONAL_ID_LABEL = {"PH": "PhilSys No. ", "SG": "NRIC ", "IN": "Aadhaar ", "AU": "TFN "}


@dataclass(frozen=True)
class LabelledSample:
    """A sample with the PII types each field truly holds."""

    name: str
    country: str
    sample: Sample
    labels: dict[str, frozenset[PiiType]] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        return sum(len(values) for values in self.sample.fields.values())


def _pick_header(pii_type: PiiType, country: str, rng: random.Random) -> str:
    pool = _HEADERS[pii_type]
    return rng.choice(pool.get(country, ()) + pool["*"])


def _dirty(value: str, pii_type: PiiType, country: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return f"  {value} "
    if roll < 0.15 and country == "JP" and value.isascii():
        return value.translate(_FULLWIDTH)
    if roll < 0.25 and pii_type is PiiType.PHONE_NUMBER and value.startswith("0"):
        return "".join(c for c in value if c.isdigit())[1:]  # a spreadsheet dropped the leading zero
    return value


def _pii_column(pii_type: PiiType, country: str, rows: int, rng: random.Random,
                value_country: str | None = None) -> list[str | None]:
    """Mostly valid values, some empty or dirty cells and a few decoys."""
    source = value_country or country
    cells: list[str | None] = []
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.06:
            cells.append(None)
        elif roll < 0.10:
            cells.append(rng.choice(_DIRT))
        elif roll < 0.12:
            cells.append(synth.decoy(pii_type, source, rng))
        else:
            cells.append(_dirty(synth.value(pii_type, source, rng), pii_type, country, rng))
    return cells


def _random_numbers(rows: int, rng: random.Random) -> list[str | None]:
    width = rng.choice((6, 8, 9, 10, 12, 13, 16))
    return [str(rng.randrange(10 ** (width - 1), 10 ** width)) for _ in range(rows)]


def _negative_columns(country: str, rows: int, rng: random.Random) -> dict[str, list[str | None]]:
    """Columns that hold no PII but look like some."""
    checksummed = rng.choice((PiiType.NATIONAL_ID, PiiType.VIN, PiiType.CREDIT_CARD))
    stray_id: list[str | None] = [f"SR-{rng.randrange(10000, 99999)}" for _ in range(rows)]
    stray_id[rng.randrange(rows)] = synth.value(PiiType.NATIONAL_ID, country, rng)
    columns: dict[str, list[str | None]] = {
        rng.choice(("invoice_no", "odometer", "amount", "ticket", "ref_no")): _random_numbers(rows, rng),
        rng.choice(("part_no", "ref_code", "batch")): [synth.decoy(checksummed, country, rng) for _ in range(rows)],
        _pick_header(PiiType.NATIONAL_ID, country, rng): [synth.decoy(PiiType.NATIONAL_ID, country, rng)
                                                           for _ in range(rows)],
        rng.choice(("service_type", "job", "work_done")): [synth.decoy(PiiType.PERSON_NAME, country, rng)
                                                           for _ in range(rows)],
        rng.choice(("bay", "location_code", "station")): [synth.decoy(PiiType.ADDRESS, country, rng)
                                                           for _ in range(rows)],
        rng.choice(("service_date", "created_at", "visit_date")): [
            synth.value(PiiType.DATE_OF_BIRTH, country, rng) for _ in range(rows)],
        "remarks_code": stray_id,
        # Fleet customers are companies: a name header, and no person in it.
        rng.choice(("fleet_customer_name", "company_name", "会社名", "nama_perusahaan")): [
            synth.company(country, rng) for _ in range(rows)],
        rng.choice(("status", "result")): [rng.choice(("done", "pending", "cancelled")) for _ in range(rows)],
    }
    return columns


def _sentence(country: str, types: list[PiiType], rng: random.Random) -> str:
    language = country if country in _TEXT_LABEL else "*"
    fillers = _FILLER.get(country, _FILLER["*"])
    parts = [rng.choice(fillers)]
    for pii_type in types:
        label = _TEXT_LABEL[language].get(pii_type) or _TEXT_LABEL["*"][pii_type]
        if pii_type is PiiType.NATIONAL_ID and language == "*":
            label = _NATIONAL_ID_LABEL.get(country, label)
        parts.append(f"{label}{synth.value(pii_type, country, rng)};")
    parts.append(rng.choice(fillers))
    return " ".join(parts)


def _text_types(country: str) -> tuple[PiiType, ...]:
    language = country if country in _TEXT_LABEL else "*"
    return tuple(_TEXT_LABEL[language]) if language != "*" else tuple(_TEXT_LABEL["*"])


def _notes(country: str, rows: int, rng: random.Random, pii_share: float) -> tuple[list[str | None], set[PiiType]]:
    planted: set[PiiType] = set()
    lines: list[str | None] = []
    for _ in range(rows):
        types = [] if rng.random() >= pii_share else rng.sample(_text_types(country), rng.randrange(1, 3))
        planted.update(types)
        lines.append(_sentence(country, types, rng))
    return lines, planted


def _table(country: str, index: int, rows: int, rng: random.Random) -> LabelledSample:
    fields: dict[str, list[str | None]] = {}
    labels: dict[str, frozenset[PiiType]] = {}

    def add(name: str, values: list[str | None], types: frozenset[PiiType]) -> None:
        while name in fields:
            name += "_2"
        fields[name] = values
        labels[name] = types

    for pii_type in rng.sample(list(PiiType), rng.randrange(5, len(PiiType) + 1)):
        headerless = pii_type in _SELF_EVIDENT and rng.random() < 0.25
        if pii_type is PiiType.NATIONAL_ID and country == "PH":
            headerless = False  # PhilSys has no check digit: it needs its header
        name = f"column_{len(fields) + 1}" if headerless else _pick_header(pii_type, country, rng)
        add(name, _pii_column(pii_type, country, rows, rng), frozenset({pii_type}))
    for name, values in _negative_columns(country, rows, rng).items():
        add(name, values, frozenset())
    if rng.random() < 0.5:  # one contact column of phones and e-mails, as CRM exports have
        contact: list[str | None] = [
            synth.value(rng.choice((PiiType.PHONE_NUMBER, PiiType.EMAIL_ADDRESS)), country, rng) for _ in range(rows)]
        add(rng.choice(("contact", "連絡先", "ติดต่อ", "liên hệ", "kontak")), contact,
            frozenset({PiiType.PHONE_NUMBER, PiiType.EMAIL_ADDRESS}))
    if rng.random() < 0.5:
        foreign, header = rng.choice([e for e in _EXPATRIATE if e[0] != country])
        add(header, _pii_column(PiiType.NATIONAL_ID, country, rows, rng, value_country=foreign),
            frozenset({PiiType.NATIONAL_ID}))
    notes, planted = _notes(country, rows, rng, pii_share=0.3)
    add(rng.choice(("notes", "remarks", "備考", "หมายเหตุ", "ghi chú", "catatan")), notes, frozenset(planted))
    order = list(fields)
    rng.shuffle(order)
    sample = Sample(format="csv", fields={k: fields[k] for k in order}, rows=rows)
    return LabelledSample(f"{country.lower()}-table-{index}", country, sample, {k: labels[k] for k in order})


def _text(country: str, index: int, rows: int, rng: random.Random) -> LabelledSample:
    lines, planted = _notes(country, rows, rng, pii_share=0.2)
    sample = Sample(format="text", fields={TEXT_FIELD: lines}, rows=rows)
    return LabelledSample(f"{country.lower()}-text-{index}", country, sample, {TEXT_FIELD: frozenset(planted)})


def generate(seed: int = 0, tables_per_country: int = 4, texts_per_country: int = 1, rows: int = 200,
             countries: tuple[str, ...] = COUNTRIES) -> list[LabelledSample]:
    """The corpus for ``seed``: the same seed gives the same samples and labels."""
    rng = random.Random(seed)
    corpus: list[LabelledSample] = []
    for country in countries:
        corpus += [_table(country, i, rows, rng) for i in range(tables_per_country)]
        corpus += [_text(country, i, rows, rng) for i in range(texts_per_country)]
    return corpus
