"""Columns of people's names told from their values, when no header says so.

A headerless CSV (``column_3``), a ``value`` or ``col_3`` column, an array of strings: a
header that names nothing leaves the person-name shape test without the context it needs
(every capitalised word would pass it). Here the values give the context instead. A column
reads as names when

- most values are *name-shaped*: one to four words of letters (any script), Latin words
  capitalised, with no digits, no legal form (``Pte Ltd``, ``PT``, ``株式会社``: ``shapes``),
  and no word of a street, a place or a shop (``Jl.``, ``Street``, ``市``, ``สาขา``); titles and
  particles (``Dr.``, ``bin``, ``นาย``, ``S.Kom``) are read past;
- and most of those values are made of known names: their words are found in given-name and
  surname lists of the environment's country and a general list (``data/``, each file citing
  its published source: census, registry and corpus lists, never the lists of the library that
  makes the project's test data);
- and the column is not a handful of repeated values (colours, models, cities of a fleet), nor
  one of colours or paints (``COLOUR_WORDS``: "Pearl White" is a paint, "Pearl Brown" a person).

A one-word column (only first names, or only surnames) needs a larger share of known names
than a column of full names: cities, colours and brands are single words, and some of them are
people's names too (``Jackson``, ``Brown``, ``Toyota``). The thresholds were set on values
generated apart from the tests that measure them (``docs/pii.md``, "Names without a header").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from cloudaudit.model import TEXT_FIELD, PiiMatch, PiiType
from cloudaudit.pii import context
from cloudaudit.pii.mask import mask
from cloudaudit.pii.shapes import COMPANY
from cloudaudit.pii.spans import BASE_CONFIDENCE
from cloudaudit.pii.types import Strength

DETECTOR = "person_name_by_value"

GENERAL_LISTS = ("en_given", "en_surnames")
"""US Census 2010 surnames and Tzioumis (2018) first names: names written in the Latin alphabet."""
LISTS_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "TH": ("th_given", "th_surnames"),
    "JP": ("jp_given", "jp_surnames"),
    "VN": ("vn_given", "asian_surnames"),
    "ID": ("id_given",),
    "MY": ("id_given", "cn_given", "in_given", "asian_surnames"),
    "SG": ("cn_given", "in_given", "id_given", "asian_surnames"),
    "IN": ("in_given", "asian_surnames"),
    "PH": ("asian_surnames",),
    "AU": (),
}
"""The lists beside the general ones for an environment's country; any other country gets all the
Latin-alphabet lists."""
_OTHER_COUNTRY = ("asian_surnames", "in_given", "vn_given", "cn_given", "id_given")
_FAMILY_NAMES_GIVEN = {"ID": ("id_given",), "MY": ("id_given",), "SG": ("id_given",)}
"""Where people commonly have no surname (most Indonesians, Malays with a patronym), a known given
name stands where a surname would."""

MIN_VALUES = 8
"""Fewer non-empty values than this say too little about a column."""
SHAPE_SHARE = 0.8
"""Share of the values that must be name-shaped."""
PROBE_SHAPE_SHARE = 0.6
"""The first values looked at: a column that falls short here is left at once (speed)."""
SINGLE_KNOWN_SHARE = 0.8
"""Share of a column of one-word values that must be known names."""
MIN_DISTINCT = 0.3
"""Distinct values over values: a column of a few repeated words is a category, not people."""
MAX_WORDS = 4
MAX_READ = 200
"""Values read to decide a column (evenly spread); the count of names is extrapolated."""

# Headers that say nothing of their column: positions, generic names and placeholders.
_UNINFORMATIVE = re.compile(
    r"(?:(?:col(?:umn)?|field|fld|values?|val|var|data|attr(?:ibute)?|items?|unnamed|untitled|key|<key>|<value>|"
    r"text|string|str|c|f|v|x|prop(?:erty)?|cell|entry|entries|elements?|elem|array|list|rows?|records?)"
    r"\s?\d*\s?)*\d*")
_SEPARATORS = re.compile(r"[\s,]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_NOT_NAME_CHARS = re.compile(r"[\d@#$%^*=+<>{}\[\]|\\:;?!\"_/&()（）【】「」\u00d7]")
_PLACE = re.compile(
    r"(?i)(?<![^\W\d_])(?:street|road|rd|avenue|ave|blvd|boulevard|highway|hwy|place|square|"
    r"jalan|jl|jln|gang|gg|lorong|taman|soi|thanon|kota|kabupaten|kab|kec|"
    r"city|town|village|district|province|state|county|center|centre|branch|store|shop|mall|plaza|market|tower|"
    r"station|airport|hospital|clinic|school|university|hotel|cafe|restaurant|bank|auto|autos|cars|"
    r"showroom|dealer|dealership|service|services|sales|outlet|depot|central|island|river|port|mount|mt)"
    r"(?![^\W\d_])|[市区町村郡県都府駅店号館線]$|丁目|通り|ビル|センター|ホテル|สาขา|จังหวัด|อำเภอ|ตำบล|ถนน|ซอย|"
    r"เขต|แขวง|ห้าง|ร้าน|โรง|ศูนย์|ตลาด|phường|quận|huyện|tỉnh|thành phố|thị xã|thị trấn|đường|phố")
"""Words of streets, places and shops (a dealer "Toyota Sukhumvit Branch", "Jl. Sudirman",
"横浜市"): they make a value a place, whatever names it contains. Words that are also common
surnames or given names (Hill, Lane, West, Park, Dương, Phương) are left out."""
# Read past: titles before or after a name (any case), and particles inside it (in lower case:
# "van der Berg", "de la Cruz"; capitalised, Van and Le are Vietnamese names).
_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mdm", "rev", "hon", "jr", "sr", "ii",
    "iii", "iv", "phd", "md", "ir", "drs", "drg", "dra", "hj", "hjh", "haji", "hajjah", "datuk", "dato", "datin",
    "puan", "encik", "en", "tuan", "cik", "shri", "smt", "kumari", "km", "ông", "bà", "cô", "quý", "atty", "engr", "sgt", "capt", "col", "gen", "ust", "kh", "nyonya", "tn", "ny", "sdr", "sdri",
    "様", "さん", "殿", "氏", "先生",
})
_PARTICLES = frozenset({
    "bin", "binti", "bt", "bte", "b", "al", "el", "van", "von", "der", "den", "de", "del", "dela", "della", "la",
    "le", "da", "das", "do", "dos", "di", "du", "y", "st", "mc", "mac", "ibn", "abu",
})
_PATRONYMS = frozenset({"bin", "binti", "bt", "bte"})
"""Malay patronymic particles, read past in any case (``AHMAD BIN ISMAIL``)."""
_SLASHED = re.compile(r"(?i)(?<!\S)[asd]/[lpo](?!\S)")
"""Malaysian Indian patronyms: ``a/l`` (anak lelaki), ``a/p`` (anak perempuan), ``s/o``, ``d/o``."""
_THAI_TITLES = ("นางสาว", "นาง", "นาย", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "คุณ", "ดร.", "น.ส.")


def _folded(words: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


def fold(token: str) -> str:
    """Lower case, Latin diacritics off; other scripts unchanged.

    >>> fold("Nguyễn"), fold("Đặng"), fold("山田"), fold("สมชาย")
    ('nguyen', 'dang', '山田', 'สมชาย')
    """
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFD", token.replace("đ", "d").replace("Đ", "D").lower())
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


_TITLES_FOLDED = _folded(_TITLES)


def _read_list(name: str) -> frozenset[str]:
    text = resources.files("cloudaudit.pii").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


@dataclass(frozen=True)
class KnownNames:
    """Every known name, those that can stand as a family name, and those of the country's own
    lists rather than the general ones (folded)."""

    names: frozenset[str]
    family: frozenset[str]
    local: frozenset[str] = frozenset()


_NO_NAMES = KnownNames(frozenset(), frozenset())


@functools.cache
def known_names(country: str) -> KnownNames:
    """Given names and surnames (folded) for an environment of ``country``, read once."""
    country = country.upper()
    lists = GENERAL_LISTS + LISTS_BY_COUNTRY.get(country, _OTHER_COUNTRY)
    family = tuple(name for name in lists if name.endswith("_surnames")) + _FAMILY_NAMES_GIVEN.get(country, ())
    local = tuple(name for name in lists if name not in GENERAL_LISTS)
    return KnownNames(frozenset().union(*(_read_list(name) for name in lists)),
                      frozenset().union(*(_read_list(name) for name in family)),
                      frozenset().union(*(_read_list(name) for name in local)))


@functools.lru_cache(maxsize=4096)
def is_uninformative(field: str) -> bool:
    """A field name that says nothing of its column: none, a position or a placeholder.

    >>> [is_uninformative(f) for f in ("column_3", "col_3", "value", "field1", "<key>", "Sheet1!column_2")]
    [True, True, True, True, True, True]
    >>> [is_uninformative(f) for f in ("name", "customer", "product", "price.value")]
    [False, False, False, False]
    """
    return _UNINFORMATIVE.fullmatch(context.header_of(field)) is not None


@dataclass(frozen=True)
class _Reading:
    """Words of a name-shaped value, and how many are known names."""

    words: int
    known: int
    family: bool  # the first or the last word is a known family name


def _strip_thai_title(token: str) -> str:
    for title in _THAI_TITLES:
        if token.startswith(title) and len(token) > len(title) + 1:
            return token[len(title):]
    return token


def read_value(value: str, known_names: KnownNames) -> _Reading | None:
    """How many words of a name-shaped value are known names; None when it is not name-shaped.

    >>> read_value("Dr. Siti Rahayu, S.Kom", known_names("ID"))
    _Reading(words=2, known=2, family=True)
    >>> [read_value(v, known_names("ID")) for v in ("PT Astra Motor", "Jl. Sudirman", "Avanza 1.3 G")]
    [None, None, None]
    """
    if "/" in value:
        value = _SLASHED.sub(" ", value)
    if len(value) > 60 or _NOT_NAME_CHARS.search(value) or COMPANY.search(value) or _PLACE.search(value):
        return None
    names, family_names = known_names.names, known_names.family
    words = known = 0
    family_at: list[bool] = []
    for raw in _SEPARATORS.split(value.strip()):
        token = raw.strip(".'-")
        if not token:
            continue
        if _THAI.match(token):
            token = _strip_thai_title(token)
        folded = fold(token)
        if folded in _TITLES_FOLDED or folded in _PATRONYMS or (token.islower() and folded in _PARTICLES):
            continue
        if "." in token:  # initials, S.Kom
            continue
        if not token[0].isalpha():
            return None
        if token[0].islower() and token.isascii():
            return None  # a name's words are capitalised: "Toyota camry hybrid" is a description
        words += 1
        if folded in names:
            known += 1
            family_at.append(folded in family_names)
        elif _CJK.match(token) and len(token) >= 3 and (parts := _split_cjk(token, known_names)):
            words += 1
            known += parts
            family_at += [True, False]
        else:
            family_at.append(False)
    if not 1 <= words <= MAX_WORDS:
        return None
    return _Reading(words, min(known, words), family_at[0] or family_at[-1])


def _split_cjk(token: str, known_names: KnownNames) -> int:
    """Known parts of a Japanese name written without a space (``山田太郎``, ``ヤマダタロウ``): a
    known family name of one to five characters, then the given name (0 when no family name
    starts it); a split whose given name is known too is preferred."""
    found = 0
    for cut in range(1, min(len(token), 6)):
        if token[:cut] in known_names.family:
            if token[cut:] in known_names.names:
                return 2
            found = 1
    return found


# Street types: the USPS Publication 28, Appendix C1 primary street suffix names, the
# Australian road types of AS/NZS 4819 (Rural and urban addressing), and the locality and
# road words of Indian postal addresses (India Post's addressing guidelines: Marg, Nagar,
# Chowk, Gali, Ganj, Path, Vihar, Colony, Zila). A column whose values end in them is one of
# streets, even where the street is named after someone ("Garcia Plaza").
STREET_TYPES = frozenset((
    "alley", "annex", "arcade", "avenue", "bayou", "beach", "bend", "bluff", "bluffs", "bottom",
    "boulevard", "branch", "bridge", "brook", "burg", "bypass", "camp", "canyon", "cape", "causeway",
    "center", "centre", "circle", "circuit", "cliff", "club", "common", "corner", "course", "court", "cove",
    "creek", "crescent", "crest", "crossing", "curve", "dale", "dam", "divide", "drive", "estate",
    "expressway", "extension", "falls", "ferry", "field", "fields", "flat", "ford", "forest", "forge",
    "fork", "fort", "freeway", "garden", "gardens", "gateway", "glen", "green", "grove", "harbor",
    "harbour", "haven", "heights", "highway", "hill", "hills", "hollow", "inlet", "island", "isle",
    "junction", "key", "knoll", "lake", "land", "landing", "lane", "light", "lock", "lodge", "loop", "mall",
    "manor", "meadow", "meadows", "mews", "mill", "mission", "motorway", "mount", "mountain", "neck",
    "orchard", "oval", "overpass", "park", "parkway", "pass", "passage", "path", "pike", "pines", "place",
    "plain", "plaza", "point", "port", "prairie", "ramp", "ranch", "rapids", "rest", "ridge", "river",
    "road", "route", "row", "rue", "run", "shoal", "shore", "skyway", "spring", "spur", "square", "station",
    "stream", "street", "summit", "terrace", "trace", "track", "trail", "tunnel", "turnpike", "underpass",
    "union", "valley", "viaduct", "view", "village", "ville", "vista", "walk", "wall", "way", "well",
    "wells", "esplanade", "parade", "promenade", "rise", "gully", "rotary", "retreat", "chase", "close",
    "concourse", "boulevarde", "quay", "reserve", "strand", "glade", "grange", "marg", "nagar", "chowk",
    "gali", "galli", "ganj", "vihar", "colony", "zila", "enclave", "layout", "bagh", "peth", "puram"
))
# Colour words: Berlin and Kay's eleven basic colour terms of English (*Basic Color Terms*, 1969),
# grey's American spelling, the metal colours, and the finishes car makers name their paints
# with ("Crystal Black Pearl", "Sonic Gray Pearl", "Soul Red Crystal Metallic", "Jet Black Mica").
# Several are people's names too (White, Brown, Green, Pearl): a value is not judged by them,
# a column is, when too many of its values have one.
COLOUR_WORDS = frozenset((
    "white", "black", "red", "green", "yellow", "blue", "brown", "purple", "pink", "orange", "grey", "gray",
    "silver", "gold", "metallic", "pearl", "mica", "matte", "matt", "pearlescent", "tricoat", "tintcoat",
))
COLOUR_SHARE = 0.3
"""Share of a column's name-shaped values with a colour word: a column of colours or paints (in a
column of people, colour surnames and given names together are a few in a hundred)."""
STREET_SHARE = 0.3
"""Share of a column's values of two words or more that end in a street type: a column of streets."""
SAME_FIRST_WORD = 0.5
"""Share of a column's values of two words or more that start with one same word: a brand's
dealers or models ("Toyota Sukhumvit", "Toyota Rama 3"), not people (the commonest surname of
the covered countries, Nguyễn, is borne by about 38% of Vietnamese)."""


@dataclass(frozen=True)
class Thresholds:
    """What a column of names must show, per environment country (chosen on development data,
    ``docs/pii.md``): ``any_known`` of its name-shaped values with a known name, and
    ``words_known`` of all their words known; ``all_known`` of them wholly known."""

    any_known: float = 0.8
    words_known: float = 0.5
    all_known: float = 0.0
    family_edge: float = 0.0  # of the values of two words or more, with a family name first or last
    local_known: float = 0.0  # with a word from the country's own lists, not only the general ones


THRESHOLDS: dict[str, Thresholds] = {
    "JP": Thresholds(words_known=0.45),
    "TH": Thresholds(words_known=0.45),
    # Vietnamese streets, towns and words are made of the syllables names are made of (many
    # streets bear a person's name: Lê Lợi): only columns of wholly known names count.
    "VN": Thresholds(any_known=0.95, words_known=0.9, all_known=0.9, family_edge=0.9),
    # Indonesian and Malay names are the least covered by the published lists (no surnames). With
    # shares this low, English words that are also surnames ("Small", "Steel", "Ball") made a
    # column of product names pass: some values must hold an Indonesian name.
    "ID": Thresholds(any_known=0.35, words_known=0.18, local_known=0.15),
    "MY": Thresholds(any_known=0.4, words_known=0.2, all_known=0.04),
    "IN": Thresholds(any_known=0.65, words_known=0.35),
}


@dataclass(frozen=True)
class ColumnReading:
    """What the values of a column say: counts only, never a value."""

    country: str
    examined: int
    shaped: int = 0
    multi_word: int = 0
    any_known: int = 0
    all_known: int = 0
    words: int = 0
    words_known: int = 0
    street: int = 0
    colour: int = 0  # values with a colour word
    local_known: int = 0  # values with a name of the country's own lists (counted where a threshold asks)
    same_first: int = 0  # values of two words or more that start with the commonest first word
    family_edge: int = 0
    distinct: int = 0
    first_known: int = -1  # index in ``values`` of the first value read as a known name

    @property
    def is_names(self) -> bool:
        if self.examined < MIN_VALUES or self.shaped < SHAPE_SHARE * self.examined:
            return False
        if self.distinct < MIN_DISTINCT * self.examined or self.colour >= COLOUR_SHARE * self.shaped:
            return False
        if self.multi_word * 2 < self.shaped:  # one-word values: first names or surnames alone
            return self.all_known >= SINGLE_KNOWN_SHARE * self.shaped
        if self.street >= STREET_SHARE * self.multi_word or self.same_first >= SAME_FIRST_WORD * self.multi_word:
            return False
        limits = THRESHOLDS.get(self.country, Thresholds())
        return (self.any_known >= limits.any_known * self.shaped and self.words_known >= limits.words_known * self.words
                and self.all_known >= limits.all_known * self.shaped
                and self.local_known >= limits.local_known * self.shaped
                and self.family_edge >= limits.family_edge * self.multi_word)


def read_column(values: Sequence[str], country: str, probe: Sequence[str] = ()) -> ColumnReading:
    """Read a column's (cleaned, non-empty) values; stops early when the probe is not name-shaped."""
    country = country.upper()
    if probe:  # the shape alone, before any list is loaded
        shaped_probe = sum(1 for v in probe if read_value(v, _NO_NAMES) is not None)
        if shaped_probe < PROBE_SHAPE_SHARE * len(probe):
            return ColumnReading(country, len(values))
    names = known_names(country)
    count_local = THRESHOLDS.get(country, Thresholds()).local_known > 0
    local_known = 0
    shaped = multi = any_known = all_known = words = words_known = street = colour = family_edge = 0
    first = -1
    first_words: Counter[str] = Counter()
    for index, value in enumerate(values):
        reading = read_value(value, names)
        if reading is None:
            continue
        shaped += 1
        colour += any(fold(word.strip(".,")) in COLOUR_WORDS for word in value.split())
        if count_local and reading.known:
            local_known += any(fold(word.strip(".,'-")) in names.local for word in value.split())
        words += reading.words
        words_known += reading.known
        if reading.words > 1:
            multi += 1
            first_words[fold(value.split()[0])] += 1
            last = fold(value.split()[-1].strip(".,"))
            street += last in STREET_TYPES or last.removesuffix("s") in STREET_TYPES  # Parks, Views
            family_edge += reading.family
        if reading.known:
            any_known += 1
            if first < 0:
                first = index
        all_known += reading.known == reading.words
    same_first = max(first_words.values(), default=0)
    return ColumnReading(country, len(values), shaped, multi, any_known, all_known, words, words_known, street,
                         colour, local_known, same_first, family_edge, len(set(values)), first)


def detect_column(field: str, values: Sequence[str], probe: Sequence[str], country: str) -> PiiMatch | None:
    """A ``PERSON_NAME`` match for a column whose header names nothing and whose values read as
    people's names (``read_column``); None otherwise, and for fields with a telling header."""
    if field != TEXT_FIELD and not is_uninformative(field):
        return None
    read = values if len(values) <= MAX_READ else [values[i * len(values) // MAX_READ] for i in range(MAX_READ)]
    reading = read_column(read, country, probe)
    if not reading.is_names or reading.first_known < 0:
        return None
    share = reading.any_known / reading.shaped
    return PiiMatch(pii_type=PiiType.PERSON_NAME, matches=round(reading.shaped * len(values) / len(read)),
                    confidence=round(BASE_CONFIDENCE[Strength.CONTEXT] * (0.6 + 0.4 * share), 2),
                    masked_example=mask(read[reading.first_known]), detectors=(DETECTOR,))
