"""Context words per PII type, in the covered languages (reviewed data, like a policy file).

Japanese, Thai, Vietnamese, Indonesian/Malay, Filipino, English and Hindi. Country detectors
add the names of their own identifiers (``マイナンバー``, ``nric``, ``aadhaar``).
"""

from __future__ import annotations

import functools
import unicodedata

from cloudaudit.model import PiiType

PERSON_NAME = (
    "name", "full name", "first name", "last name", "given name", "family name", "surname", "customer",
    "owner", "contact person", "driver", "氏名", "名前", "お名前", "姓名", "顧客名", "契約者", "所有者", "使用者",
    "フリガナ", "ふりがな", "ชื่อ", "นามสกุล", "ชื่อลูกค้า", "họ tên", "họ và tên", "tên khách hàng", "chủ xe",
    "nama", "nama lengkap", "nama pelanggan", "pemilik", "pangalan", "khách hàng", "buong pangalan", "may-ari", "नाम", "ग्राहक",
)
PERSON_NAME_EXCLUDED = (
    "file name", "filename", "user name", "username", "host", "product", "model", "service", "item", "part",
    "company", "shop", "dealer", "branch", "bucket", "table", "column", "brand", "store", "customer id",
    "customer no", "customer number", "customer type", "customer since", "ファイル名", "商品名", "品名", "車名",
    "店舗名", "会社名", "車種", "nama file", "nama produk", "ชื่อสินค้า", "tên sản phẩm",
)
PERSON_NAME_EXCLUDED_HEADS = (
    # What a customer or name column classifies or places, not who (``cust_seg``, ``TwnNm``,
    # BPJS ``nmProvider``/``nmPoli``, ``LoaiKH``, ``MaKH``, ``ชื่อบริษัท``). They exclude a
    # header's name reading only: as column words they would make people called Kota,
    # Branch or Street look like column names (``field_names``).
    "segment", "tier", "category", "group", "level", "status", "class", "city", "town", "street", "vendor",
    "provider", "poli", "diagnosa", "kota", "produk", "barang", "obat", "perusahaan", "sekolah", "school",
    "mã khách hàng", "paint", "colour", "color",  # ``paint_nm``, ``colour_name``: a car's paint
    "loại khách hàng", "nhóm khách hàng", "ชื่อบริษัท",
)
ADDRESS = (
    "address", "addr", "street", "residence", "home address", "mailing address", "住所", "所在地", "現住所",
    "ที่อยู่", "địa chỉ", "alamat", "tirahan", "address line", "पता",
)
ADDRESS_EXCLUDED = ("email", "e mail", "mail address", "ip", "mac", "url", "web", "メールアドレス", "ip address",
                    "อีเมล", "emel", "địa chỉ email", "địa chỉ thư điện tử")
ADDRESS_EXCLUDED_HEADS = ("city", "town")  # ``ADDR_CITY_NM`` is a city, not an address
DATE_OF_BIRTH = (
    "date of birth", "birth date", "date birth", "birthdate", "birthday", "dob", "born", "生年月日", "誕生日", "วันเกิด",
    "วันเดือนปีเกิด", "ngày sinh", "ngày tháng năm sinh", "tanggal lahir", "tgl lahir", "tarikh lahir",
    "kaarawan", "petsa ng kapanganakan", "जन्म तिथि", "जन्मतिथि", "जन्म",
)
PHONE_NUMBER = (
    "phone", "telephone", "tel", "mobile", "cell", "contact number", "contact no", "handphone", "no hp",
    "電話", "携帯", "連絡先", "โทรศัพท์", "เบอร์โทร", "มือถือ", "số điện thoại", "điện thoại", "sđt", "sdt",
    "telepon", "telefon", "nombor telefon", "telepono", "फ़ोन", "फोन", "मोबाइल",
)
EMAIL_ADDRESS = ("email", "e mail", "mail", "メール", "อีเมล", "thư điện tử", "surel", "emel", "ईमेल")
NATIONAL_ID = (
    "national id", "id number", "id no", "identity", "id card", "citizen id", "citizen no", "personal id",
    "身分証", "身分証明", "เลขประจำตัว", "บัตรประชาชน", "số định danh", "nomor identitas", "kad pengenalan",
    "pengenalan", "पहचान",
)
VEHICLE_REGISTRATION = (
    "plate", "license plate", "licence plate", "registration", "rego", "reg no", "vehicle no", "vehicle number",
    "car no", "ナンバー", "登録番号", "車両番号", "ทะเบียน", "ทะเบียนรถ", "biển số", "biển kiểm soát", "plat",
    "nomor polisi", "no polisi", "nopol", "no pendaftaran", "nombor plat", "plaka", "वाहन संख्या", "गाड़ी नंबर",
)
VIN = ("vin", "vehicle identification", "chassis", "frame number", "frame no", "車台番号", "เลขตัวถัง",
       "số khung", "nomor rangka", "no rangka", "nombor casis", "चेसिस")
CREDIT_CARD = ("credit card", "card number", "card no", "card", "カード", "クレジット", "บัตรเครดิต",
               "thẻ", "kartu kredit", "kad kredit", "कार्ड")
IP_ADDRESS = ("ip", "ip address", "ipaddr", "client ip", "remote addr", "source ip", "src ip", "ipv4", "ipv6",
              "IPアドレス", "ที่อยู่ไอพี", "địa chỉ ip", "alamat ip")
GEO_LOCATION = ("gps", "location", "coordinates", "coords", "geo", "latlng", "lat", "lng", "lon", "latitude",
                "longitude", "位置", "緯度", "経度", "座標", "พิกัด", "ตำแหน่ง", "tọa độ", "vị trí", "koordinat",
                "lokasi")

def _with_unaccented(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words plus their forms without diacritics (Vietnamese is often typed without: ``ho ten``)."""
    folded = []
    for word in words:
        plain = "".join(c for c in unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
                        if not unicodedata.combining(c))
        if plain != word and plain.isascii() and len(plain) > 3:  # not "the" (thẻ), "ten" (tên)
            folded.append(plain)
    return words + tuple(dict.fromkeys(folded))


BY_TYPE: dict[PiiType, tuple[str, ...]] = {
    PiiType.PERSON_NAME: PERSON_NAME, PiiType.ADDRESS: ADDRESS, PiiType.DATE_OF_BIRTH: DATE_OF_BIRTH,
    PiiType.PHONE_NUMBER: PHONE_NUMBER, PiiType.EMAIL_ADDRESS: EMAIL_ADDRESS, PiiType.NATIONAL_ID: NATIONAL_ID,
    PiiType.VEHICLE_REGISTRATION: VEHICLE_REGISTRATION, PiiType.VIN: VIN, PiiType.CREDIT_CARD: CREDIT_CARD,
    PiiType.IP_ADDRESS: IP_ADDRESS, PiiType.GEO_LOCATION: GEO_LOCATION,
}
BY_TYPE = {pii_type: _with_unaccented(words) for pii_type, words in BY_TYPE.items()}
"""Words that name each type in any covered language; every detector of the type inherits them."""

EXCLUDED_BY_TYPE: dict[PiiType, tuple[str, ...]] = {
    PiiType.PERSON_NAME: _with_unaccented(PERSON_NAME_EXCLUDED + PERSON_NAME_EXCLUDED_HEADS),
    PiiType.ADDRESS: _with_unaccented(ADDRESS_EXCLUDED + ADDRESS_EXCLUDED_HEADS),
}
"""Headers that contain a type's word but name something else (``file name``, ``email address``)."""

COLUMN_WORDS: tuple[str, ...] = tuple(dict.fromkeys(
    word for group in (*BY_TYPE.values(), _with_unaccented(PERSON_NAME_EXCLUDED), _with_unaccented(ADDRESS_EXCLUDED))
    for word in group))
"""Words that name a PII column, or one that merely looks like one (``file name``): not the heads."""


@functools.cache
def header_words() -> frozenset[str]:
    """Every word that names a PII column, or a column that merely looks like one: the commonest
    column names in the covered languages, handed to ``formats.parse_sample`` to tell headers."""
    from cloudaudit.pii import context, lexicon

    known = frozenset(COLUMN_WORDS)
    everything = tuple(known)
    # and the abbreviations whose reading alone is one of them (``nm``, ``hp``, ``kh``; not ``tgl``, any date)
    return known | {key for key in lexicon.column_abbreviations() if context.mentions(everything, lexicon.read(key))}
