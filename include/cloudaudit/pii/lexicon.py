"""Abbreviated and romanised headers, read as the full words ``pii.words`` knows.

Real exports abbreviate and mix languages: ``nm``, ``cust_nm``, ``TGL_LHR``, ``TenKH``,
``jusho``, ``wan_koet``. A header is read token by token: a token (or a run of up to four
tokens written apart, ``wan koet``) found in a lexicon below is replaced by the full word it
stands for, in its own language and script (``tgl lhr`` → ``tanggal lahir``, ``jusho`` →
``住所``); a token glued from known parts is split first (``custnm``, ``makh``,
``tgllahir``). The reading is then matched against the same context words as any header,
so the lexicons decide nothing alone: ``words`` says which type a full word names, and the
values decide between close readings (``nm`` over numbers is nautical miles, not a name;
``hp`` over ``150`` is horsepower, not a phone; ``tgl`` over ``Y``/``N`` is a flag).

Every entry comes from a published data dictionary, standard or romanisation system, named
in the comment above its group.
"""

from __future__ import annotations

import functools
import unicodedata

# ---- English short names ------------------------------------------------------------------
# ISO 20022 message element XML tags (ISO 20022 "XML tag abbreviations" list; e.g. pain.001
# Dbtr/Nm, PstlAdr/AdrLine, StrtNm, TwnNm, BirthDt, CtctDtls/PhneNb, MobNb, EmailAdr).
ISO_20022 = {
    "nm": "name", "adr": "address", "strt": "street", "twn": "town", "dt": "date", "phne": "phone",
    "mob": "mobile", "nb": "number", "ctct": "contact", "dtls": "details", "bldg": "building",
}
# SAP ERP data dictionary fields (German abbreviations): KNA1/LFA1 customer and vendor masters
# (KUNNR customer number, LIFNR vendor number, NAME1, STRAS street and house number, TELF1 and
# TELF2 telephone numbers),
# PA0002 personal data (NACHN last name, VORNA first name, GBDAT date of birth), PA0006
# addresses (TELNR telephone number).
SAP = {
    "kunnr": "customer number", "lifnr": "vendor number", "stras": "street", "telf1": "telephone", "telf2": "telephone", "telnr": "telephone number", "nachn": "last name",
    "vorna": "first name", "gbdat": "date of birth",
}
# HL7 FHIR R4 Patient and ContactPoint: ``telecom`` holds phones and e-mails alike
# (ContactPoint.system phone | email), so both readings stand and the values decide.
FHIR = {"telecom": "telephone email"}
# Naming-standard abbreviations: Leszynski's standardized object name abbreviations (Access
# naming conventions, table D.18: Addr, Cust, Dlr, Svc, Phon, Corp, Stat, Bldg), the
# PeopleSoft-style "standard word abbreviations" lists (ADDR, BRTH), and US health-plan
# warehouse and CMS marketplace dictionaries (Facets MBR_FIRST_NM, MBR_LAST_NM, MBR_BRTH_DT,
# MBR_MAIL_ADDR_LN_1, ADDR_CITY_NM; CMS FFM_MBR_1ST_NM, ISUR_BTH_DT). ``nme`` as the exports
# of issue 17 write it.
ENGLISH = {
    "nme": "name", "addr": "address", "mailaddr": "mailing address", "cust": "customer", "mbr": "member",
    "tel": "telephone", "phon": "phone", "brth": "birth", "bth": "birth", "1st": "first", "ln": "line",
    "cont": "contact", "stat": "status", "svc": "service", "corp": "company", "dlr": "dealer",
}
# The COMPANY schema of Elmasri and Navathe, "Fundamentals of Database Systems" (EMPLOYEE:
# Fname, Minit, Lname, Ssn, Bdate, Address; DEPENDENT: Dependent_name, Bdate), the textbook
# schema whole generations of database columns were modelled on.
TEXTBOOK = {"fname": "first name", "lname": "last name", "minit": "middle initial", "bdate": "birth date"}
# HL7 v2 Table 0202, telecommunication equipment type: PH telephone (XTN-3 in PID-13 and NK1-5).
HL7_V2 = {"ph": "telephone"}
# Class words that make a name not a person's (``prod_nm``, ``co_nm``, ``cust_seg``), read so
# that ``words`` excludes them: the dictionary abbreviation Co. (company) and short forms common
# in ERP exports (PROD, MDL, SEG, GRP, CAT, LVL). No one dictionary lists them all; a wrong entry
# here can only keep a column from reading as names.
CLASS_WORDS = {
    "co": "company", "prod": "product", "mdl": "model", "seg": "segment", "grp": "group", "cat": "category",
    "lvl": "level",
}

# ---- Indonesian and Malay -----------------------------------------------------------------
# Dukcapil population register fields (SIAK biodata: NAMA_LGKP nama lengkap, TGL_LHR tanggal
# lahir, TMPT_LHR tempat lahir, TGL_KWN tanggal kawin, ALAMAT), BPJS Kesehatan VClaim/P-Care fields (nmPeserta, nmProvider, nmPoli, tglLahir, noHP: "nomor
# HP", handphone), and school registry tables keyed by NPSN (Dapodik: nm_sekolah,
# almt_sekolah, no_telp, kd_pos).
INDONESIAN = {
    "lgkp": "lengkap", "tgl": "tanggal", "lhr": "lahir", "tmpt": "tempat", "kwn": "kawin",
    "almt": "alamat", "telp": "telepon", "hp": "handphone",
    # Malaysian forms: "Tkh. Lahir" (tarikh lahir), "No. H/P" (telefon bimbit: handphone).
    "tkh": "tarikh",
}

# ---- Vietnamese ---------------------------------------------------------------------------
# The "Quản lý bán hàng" teaching schema used across Vietnamese universities
# (KHACHHANG(MAKH, HOTEN, DCHI, SODT, NGSINH, NGDK), NHANVIEN(MANV, HOTEN, SODT, NGVL)), the
# KhachHang(MaKH, TenKH, DiaChi, DienThoai) tables of Vietnamese sales systems, and the
# e-invoice XML format of the General Department of Taxation (Decision 1450/QĐ-TCT, 2021:
# Ten, DChi, SDThoai, DCTDTu, MKHang, HVTNMHang). Typed without diacritics; read with them.
VIETNAMESE = {
    "kh": "khách hàng", "khachhang": "khách hàng", "ten": "tên", "tenkh": "tên khách hàng",
    "ma": "mã", "makh": "mã khách hàng", "mkhang": "mã khách hàng", "loai": "loại", "nhom": "nhóm",
    "hoten": "họ tên", "hovaten": "họ và tên", "hvtnmhang": "họ và tên người mua hàng",
    "dchi": "địa chỉ", "diachi": "địa chỉ", "dctdtu": "địa chỉ thư điện tử",
    "sodt": "số điện thoại", "sdthoai": "số điện thoại", "dienthoai": "điện thoại",
    "ngsinh": "ngày sinh", "ngaysinh": "ngày sinh",
}

# ---- Romanised Japanese -------------------------------------------------------------------
# Hepburn, Kunrei-shiki (ISO 3602) and the wāpuro spellings a keyboard IME takes, as they
# appear in Japanese municipal and business systems' identifiers (kanjiShimei, kanaShimei,
# seinengappiYMD, jushoCode, juusyo, seinenngappi).
JAPANESE = {
    "shimei": "氏名", "simei": "氏名", "namae": "名前", "seimei": "姓名", "kokyaku": "顧客",
    "kokyakumei": "顧客名", "kanji": "漢字", "kana": "カナ", "furigana": "フリガナ",
    "jusho": "住所", "juusho": "住所", "jusyo": "住所", "juusyo": "住所", "jyusho": "住所",
    "jyuusho": "住所", "jyuusyo": "住所", "zyusyo": "住所", "zyuusyo": "住所",
    "denwa": "電話", "keitai": "携帯", "renrakusaki": "連絡先",
    "seinengappi": "生年月日", "seinenngappi": "生年月日", "tanjobi": "誕生日", "tanjoubi": "誕生日",
    "tanzyoubi": "誕生日", "shohin": "商品", "syohin": "商品", "shouhin": "商品", "kaisha": "会社",
    "kaisya": "会社", "tenpo": "店舗", "mei": "名",
}

# ---- Romanised Thai -----------------------------------------------------------------------
# The Royal Thai General System of Transcription (Royal Institute, 1999): ชื่อ chue,
# นามสกุล namsakun, ที่อยู่ thi yu, วันเกิด wan koet, วันเดือนปีเกิด wan duean pi koet,
# โทรศัพท์ thorasap, มือถือ mue thue, ลูกค้า luk kha, สินค้า sinkha, บริษัท borisat.
THAI = {
    "chue": "ชื่อ", "namsakun": "นามสกุล", "thiyu": "ที่อยู่", "wankoet": "วันเกิด",
    "wandueanpikoet": "วันเดือนปีเกิด", "thorasap": "โทรศัพท์", "muethue": "มือถือ",
    "lukkha": "ลูกค้า", "sinkha": "สินค้า", "borisat": "บริษัท",
}

# ---- Romanised Hindi ----------------------------------------------------------------------
# Hunterian transliteration (the Government of India's national romanisation) of the labels of
# UIDAI's bilingual Aadhaar enrolment and update forms: नाम naam (name), पता pata (address),
# जन्म तिथि janm tithi (date of birth), मोबाइल mobile.
HINDI = {"naam": "नाम", "pata": "पता", "janm": "जन्म", "tithi": "तिथि", "janmtithi": "जन्म तिथि"}
# vCard (RFC 6350, section 6.2.5): the birth date property is BDAY, and exports of address books
# keep it as a column name.
VCARD = {"bday": "birthday"}

LEXICONS: dict[str, dict[str, str]] = {
    "ISO 20022": ISO_20022, "SAP": SAP, "HL7 FHIR": FHIR, "HL7 v2": HL7_V2, "English": ENGLISH,
    "textbook schema": TEXTBOOK, "class words": CLASS_WORDS,
    "Indonesian/Malay": INDONESIAN,
    "Vietnamese": VIETNAMESE, "Japanese (romanised)": JAPANESE, "Thai (RTGS)": THAI, "Hindi (Hunterian)": HINDI,
    "vCard": VCARD,
}
ROMANISED = frozenset({*JAPANESE, *THAI, *HINDI})
"""Romanised words that can also be people's names (``Chue``, ``Mei``): never known column
names for telling a header row (``words.header_words``)."""

ABBREVIATIONS: dict[str, str] = {k: v for lexicon in LEXICONS.values() for k, v in lexicon.items()}
_NOT_ROMANISED = {k: v for k, v in ABBREVIATIONS.items() if k not in ROMANISED}
_MAX_RUN = 4  # tokens written apart that one entry may join (``wan duean pi koet``)
_MAX_GLUED = 32  # longest glued token split into parts


def _fold_latin(text: str) -> str:
    """Diacritics off Latin letters only (``tên khách hàng`` → ``ten khach hang``); Thai vowel
    and tone marks and kana voicing marks are combining characters too, and stay."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


@functools.cache
def _parts() -> frozenset[str]:
    """What a glued token may be split into: lexicon entries and the ASCII words of ``words``
    of four letters or more."""
    from cloudaudit.pii import words

    vocabulary = {token for group in (*words.BY_TYPE.values(), *words.EXCLUDED_BY_TYPE.values())
                  for word in group if word.isascii() for token in word.lower().replace("-", " ").split()}
    # Short words are too easily found inside others: ``ho`` + ``tel`` is not a hotel's phone,
    # ``co`` + ``lon`` not a colon's coordinates.
    return frozenset({token for token in vocabulary if len(token) >= 4} | set(ABBREVIATIONS))


@functools.lru_cache(maxsize=4096)
def split_glued(token: str) -> tuple[str, ...] | None:
    """A glued token as the fewest known parts, at least one of them a lexicon entry
    (``custnm`` → ``cust nm``, ``tgllahir`` → ``tgl lahir``); None when it is not so made.

    >>> split_glued("custnm"), split_glued("tgllahir"), split_glued("nameplate"), split_glued("hotel")
    (('cust', 'nm'), ('tgl', 'lahir'), None, None)
    """
    if not token.isascii() or not 4 <= len(token) <= _MAX_GLUED:
        return None
    parts = _parts()
    best: list[tuple[str, ...] | None] = [()] + [None] * len(token)
    for end in range(2, len(token) + 1):
        for start in range(0, end - 1):
            head, piece = best[start], token[start:end]
            if head is not None and piece in parts and (best[end] is None or len(head) + 1 < len(best[end] or ())):
                best[end] = (*head, piece)
    found = best[len(token)]
    if found is None or len(found) < 2 or not any(piece in ABBREVIATIONS for piece in found):
        return None
    return found


def _join(words: list[str]) -> str:
    """Space-separated, except between two words of a script written without spaces (Thai, Japanese)."""
    text = ""
    for word in words:
        if text and not (_unspaced(text[-1]) and _unspaced(word[0])):
            text += " "
        text += word
    return text


def _unspaced(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f" or "\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff"


@functools.lru_cache(maxsize=8192)
def read(header: str, romanised: bool = True) -> str:
    """The full-word reading of a normalised header (``pii.context.normalise``), diacritics
    folded off Latin letters; the header itself when no token is an abbreviation.
    ``romanised=False`` leaves romanised Japanese and Thai words as they are.

    >>> read("tgl lhr"), read("ten kh"), read("wan koet"), read("cust nm"), read("amount")
    ('tanggal lahir', 'ten khach hang', 'วันเกิด', 'customer name', 'amount')
    """
    table = ABBREVIATIONS if romanised else _NOT_ROMANISED
    tokens = header.split()
    out: list[str] = []
    changed = False
    index = 0
    while index < len(tokens):
        for run in range(min(_MAX_RUN, len(tokens) - index), 0, -1):
            joined = "".join(tokens[index:index + run])
            if joined in table:
                out.append(table[joined])
                index += run
                changed = True
                break
        else:
            token = tokens[index]
            glued = split_glued(token) if token not in _parts() else None
            if glued is not None and (romanised or not ROMANISED.intersection(glued)):
                out.extend(table.get(piece, piece) for piece in glued)
                changed = True
            else:
                out.append(token)
            index += 1
    return _fold_latin(_join(out)) if changed else header


def column_abbreviations() -> frozenset[str]:
    """Lexicon entries that are not romanised words (``nm``, ``tgl``, ``kh``): column names a
    first row or key may be made of (``words.header_words``)."""
    return frozenset(_NOT_ROMANISED)
