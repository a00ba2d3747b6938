"""Benchmark: cloudaudit's PII engine against Microsoft Presidio on the same labelled corpus.

    .venv/bin/python benchmarks/pii_vs_presidio.py [--seed 42] [--tables 3] [--rows 200] [--sweep-seeds 0,1,2,3]
    make bench    # every benchmark, this one included

One run generates the corpus (``cloudaudit_demo.corpus``) and adds the columns from outside
(``_pii_outside``: PII under abbreviated and local headers from the benchmark's own list, names
under headers that say nothing, names of things that must stay clean), runs cloudaudit on it in this
process and Presidio on it in its own venv (``benchmarks/.venv-presidio``, created here with
uv, or venv + pip, when missing: Presidio pins its own dependencies), then scores both per
(field, PII type) and writes ``benchmarks/results/pii_vs_presidio.{json,md}``.

Presidio runs as it can offline: a blank spaCy "en" pipeline (no model can be downloaded,
so its NER-based PERSON/LOCATION and context words do nothing), its predefined pattern
recognizers, its country recognizers for the covered countries it has (AU TFN, IN Aadhaar
and plates, SG NRIC/FIN, TH TNIN, PH UMID; all disabled by default, enabled here), its phone
recognizer with our nine regions, and custom recognizers for JP, TH, VN and ID built with
its own ``PatternRecognizer`` API (``validate_result`` with stdnum where a check exists).
Presidio judges cells, not fields: a field gets a type when enough of its cells do (any
cell for free text); the share and score thresholds are chosen by grid search for
Presidio's best F1, so the comparison is as kind to it as we could make it.

Speed is CPU time of the analysis alone (process time, one core), after a warm-up, with
engine construction and the corpus transfer excluded for both. Presidio loads every recognizer
when its engine is built and warms on a few values; cloudaudit loads a country's data (phone
metadata, name lists, validators) the first time it meets the country, so it warms on one sample
per country of another seed's corpus (none of the measured values). cloudaudit's pass takes about a
second, Presidio's minutes, so one slow second of a shared host would decide cloudaudit's figure
alone: it makes ``--repeats`` passes (5), each from empty caches after the same warm-up, and counts
the median.

The same run also passes the peer suites' own test values (``tests/cloudaudit/pii/peer_cases.py``:
python-stdnum's and Presidio's) through both, one value at a time, and runs cloudaudit alone on
the ``--sweep-seeds`` corpora for the outside columns' figures on other seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PRESIDIO_VERSION = "2.2.366"
HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-presidio"
RESULTS = HERE / "results"
TYPES = ("PERSON_NAME", "ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "NATIONAL_ID", "VEHICLE_REGISTRATION", "VIN",
         "CREDIT_CARD", "DATE_OF_BIRTH", "GEO_LOCATION", "IP_ADDRESS")

# Presidio entity → our vocabulary (entities not listed, e.g. US_SSN or URL, are ignored).
ENTITY_TYPES = {
    "PERSON": "PERSON_NAME", "LOCATION": "ADDRESS", "PHONE_NUMBER": "PHONE_NUMBER", "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD", "IP_ADDRESS": "IP_ADDRESS", "DATE_TIME": "DATE_OF_BIRTH",
    "AU_TFN": "NATIONAL_ID", "IN_AADHAAR": "NATIONAL_ID", "SG_NRIC_FIN": "NATIONAL_ID", "TH_TNIN": "NATIONAL_ID",
    "PH_UMID": "NATIONAL_ID", "JP_MY_NUMBER": "NATIONAL_ID", "VN_CCCD": "NATIONAL_ID", "ID_NIK": "NATIONAL_ID",
    "IN_VEHICLE_REGISTRATION": "VEHICLE_REGISTRATION", "JP_PLATE": "VEHICLE_REGISTRATION",
    "TH_PLATE": "VEHICLE_REGISTRATION", "VN_PLATE": "VEHICLE_REGISTRATION", "ID_PLATE": "VEHICLE_REGISTRATION",
}
SCORE_GRID = (0.01, 0.1, 0.3, 0.4, 0.5, 0.6, 0.85)
SHARE_GRID = (0.05, 0.1, 0.2, 0.3, 0.5)
TEXT_LENGTH = 30  # a field whose cells average this many characters is free text: any cell counts


# ---- the Presidio side (runs inside .venv-presidio; imports nothing from cloudaudit) ----------

def _presidio_engine() -> Any:
    import logging

    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        AuTfnRecognizer,
        InAadhaarRecognizer,
        InVehicleRegistrationRecognizer,
        PhoneRecognizer,
        PhUmidRecognizer,
        SgFinRecognizer,
        ThTninRecognizer,
    )
    from stdnum.id import nik
    from stdnum.jp import in_

    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    model_dir = Path(tempfile.mkdtemp(prefix="blank-en-"))
    spacy.blank("en").to_disk(model_dir)
    nlp_engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": str(model_dir)}]}).create_engine()

    class JpMyNumberRecognizer(PatternRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool:
            return bool(in_.is_valid(pattern_text))

    class IdNikRecognizer(PatternRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool:
            return bool(nik.is_valid(pattern_text))

    custom = [
        JpMyNumberRecognizer(supported_entity="JP_MY_NUMBER", context=["マイナンバー", "個人番号", "my number"],
                             patterns=[Pattern("my number", r"(?<![\d-])\d{4}[ -]?\d{4}[ -]?\d{4}(?![\d-])", 0.5)]),
        IdNikRecognizer(supported_entity="ID_NIK", context=["nik", "ktp"],
                        patterns=[Pattern("nik", r"(?<![\d-])\d{16}(?![\d-])", 0.5)]),
        PatternRecognizer(supported_entity="VN_CCCD", context=["cccd", "căn cước"],
                          patterns=[Pattern("cccd", r"(?<![\d-])0\d{2}[0-3]\d{8}(?![\d-])", 0.5)]),
        PatternRecognizer(supported_entity="JP_PLATE", context=["ナンバー", "登録番号"], patterns=[Pattern(
            "jp plate", r"[\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fa]{1,4}\s?\d{2,3}\s?[\u3041-\u3096]\s?"
                        r"(?:\d{1,2}\s?-\s?\d{2}|・{1,3}\d{1,3})", 0.6)]),
        PatternRecognizer(supported_entity="TH_PLATE", context=["ทะเบียน"], patterns=[Pattern(
            "th plate", r"\d?[ก-ฮ]{1,2}[ -]?\d{1,4}(?:\s+[ก-๛]{3,})?", 0.4)]),
        PatternRecognizer(supported_entity="VN_PLATE", context=["biển số"], patterns=[Pattern(
            "vn plate", r"\b\d{2}[A-Z][A-Z0-9]?[ -](?:\d{3}\.\d{2}|\d{4,5})\b", 0.6)]),
        PatternRecognizer(supported_entity="ID_PLATE", context=["nopol", "plat"], patterns=[Pattern(
            "id plate", r"\b[A-Z]{1,2} \d{1,4} [A-Z]{1,3}\b", 0.4)]),
    ]
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("PhoneRecognizer")
    for recognizer in [PhoneRecognizer(supported_regions=["JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU"]),
                       AuTfnRecognizer(), InAadhaarRecognizer(), InVehicleRegistrationRecognizer(),
                       SgFinRecognizer(), ThTninRecognizer(supported_language="en"), PhUmidRecognizer(), *custom]:
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def presidio_worker(corpus_path: Path, out_path: Path) -> None:
    """Run Presidio's BatchAnalyzerEngine over every field; write per-cell (entity, score)."""
    from presidio_analyzer import BatchAnalyzerEngine

    corpus = json.loads(corpus_path.read_text(encoding="utf-8"))
    batch = BatchAnalyzerEngine(analyzer_engine=_presidio_engine())

    def analyse(field: str, values: list[str | None]) -> list[dict[str, float]]:
        texts = [v or "" for v in values]
        results = batch.analyze_iterator(texts, language="en", batch_size=64, context=[field], score_threshold=0.0)
        cells = []
        for found in results:
            best: dict[str, float] = {}
            for result in found:
                best[result.entity_type] = max(best.get(result.entity_type, 0.0), float(result.score))
            cells.append(best)
        return cells

    peer = corpus.pop() if corpus and "peer" in corpus[-1] else {"peer": []}
    analyse("warm up", ["090-1234-5678", "someone@example.com", "4111 1111 1111 1111"] * 20)
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    output = {s["name"]: {f: analyse(f, vals) for f, vals in s["fields"].items()} for s in corpus}
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    peer_cells = [analyse("value" if not as_text else "text", [text])[0] for text, as_text in peer["peer"]]
    import presidio_analyzer
    out_path.write_text(json.dumps({"cells": output, "cpu_s": cpu, "wall_s": wall, "peer": peer_cells,
                                    "version": getattr(presidio_analyzer, "__version__", PRESIDIO_VERSION)}),
                        encoding="utf-8")


# ---- the driver (runs in the project's venv) ----------------------------------------------------

def ensure_presidio_venv() -> Path:
    """The Presidio venv's python, creating the venv (uv, else venv + pip) or completing it when needed."""
    python = VENV / "bin" / "python"
    requirements = [f"presidio-analyzer=={PRESIDIO_VERSION}", "python-stdnum"]
    if not python.exists():
        if shutil.which("uv"):
            version = f"{sys.version_info.major}.{sys.version_info.minor}"
            subprocess.run(["uv", "venv", "-q", "-p", version, str(VENV)], check=True)
        else:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    ready = subprocess.run([str(python), "-c", "import presidio_analyzer, spacy, stdnum"], capture_output=True)
    if ready.returncode != 0:
        if shutil.which("uv"):
            subprocess.run(["uv", "pip", "install", "-q", "--python", str(python), *requirements], check=True)
        else:
            subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
    return python


def export_corpus(seed: int, tables: int, rows: int) -> list[dict[str, Any]]:
    from cloudaudit_demo import corpus

    return [{"name": s.name, "country": s.country, "fields": dict(s.sample.fields),
             "labels": {f: sorted(t.value for t in types) for f, types in s.labels.items()}}
            for s in corpus.generate(seed=seed, tables_per_country=tables, rows=rows)]


def export_full_corpus(seed: int, tables: int, rows: int) -> list[dict[str, Any]]:
    """The demo corpus with the columns from outside (``_pii_outside``): abbreviated headers,
    headerless names, names of things."""
    from benchmarks import _pii_outside

    return _pii_outside.extend(export_corpus(seed, tables, rows), seed)


def base_view(corpus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus as the demo generator writes it: labels of the added columns left out."""
    return [{**s, "labels": {f: t for f, t in s["labels"].items() if f not in s.get("kinds", {})}} for s in corpus]


def peer_cases() -> list[Any]:
    """Peer suites' own test values (``tests/cloudaudit/pii/peer_cases.py``)."""
    from tests.cloudaudit.pii.peer_cases import CASES

    return list(CASES)


def cloudaudit_peer(cases: list[Any]) -> list[bool]:
    """Whether cloudaudit reports each case's type: a one-cell ``value`` column, or a line of text."""
    from cloudaudit.model import TEXT_FIELD, Sample
    from cloudaudit.pii import detect_sample

    found = []
    for case in cases:
        fields = {TEXT_FIELD: [case.value]} if case.as_text else {"value": [case.value]}
        sample = Sample(format="text" if case.as_text else "csv", fields=fields)
        found.append(any(case.pii_type in r.pii_types for r in detect_sample(sample, case.country)))
    return found


DIFFERS = "test_ip_recognizer.py: not a person's device (cloudaudit differs on purpose)"


def peer_table(cases: list[Any], ours: list[bool], theirs_cells: list[dict[str, float]],
               threshold: float) -> dict[str, Any]:
    """Per peer-suite file: values to be found (found by each) and values not to be (reported by
    each), by the suite's own verdict; the values where cloudaudit deliberately differs from its
    suite (``case.why`` on a value the suite expects found) are a row of their own."""
    def presidio(cell: dict[str, float], pii_type: str, minimum: float) -> bool:
        return any(ENTITY_TYPES.get(e) == pii_type and s >= minimum for e, s in cell.items())

    rows: dict[str, dict[str, int]] = {}
    for case, mine, cell in zip(cases, ours, theirs_cells, strict=True):
        origin = case.origin.rsplit("/", 1)[-1]
        if origin == "test_ip_recognizer.py" and case.why:
            origin = DIFFERS  # the suite expects these found
        row = rows.setdefault(origin, {"expected": 0, "cloudaudit_found": 0, "presidio_found": 0,
                                       "presidio_any_score_found": 0, "negatives": 0, "cloudaudit_fp": 0,
                                       "presidio_fp": 0, "presidio_any_score_fp": 0})
        at_threshold = presidio(cell, case.pii_type.value, threshold)
        at_any = presidio(cell, case.pii_type.value, 1e-9)
        if case.found or origin == DIFFERS:
            row["expected"] += 1
            row["cloudaudit_found"] += mine
            row["presidio_found"] += at_threshold
            row["presidio_any_score_found"] += at_any
        else:
            row["negatives"] += 1
            row["cloudaudit_fp"] += mine
            row["presidio_fp"] += at_threshold
            row["presidio_any_score_fp"] += at_any
    total = {key: sum(r[key] for r in rows.values()) for key in next(iter(rows.values()))}
    return {"by_file": rows, "total": total, "presidio_score_threshold": threshold}


def seed_sweep(seeds: list[int], tables: int, rows: int) -> dict[str, Any]:
    """cloudaudit alone on other seeds: the outside columns' figures and per-type precision."""
    from benchmarks import _pii_outside

    out: dict[str, Any] = {}
    for seed in seeds:
        corpus = export_full_corpus(seed, tables, rows)
        predictions, cpu, _wall, _runs = run_cloudaudit(corpus)
        scored = score(corpus, predictions)
        out[str(seed)] = {**_pii_outside.summary(_pii_outside.by_kind(corpus, predictions)),
                          "precision": {t: v["precision"] for t, v in scored["per_type"].items()},
                          "recall": {t: v["recall"] for t, v in scored["per_type"].items()},
                          "cells_per_s": round(sum(len(v) for s in corpus for v in s["fields"].values()) / cpu)}
    return out


def warm_up_corpus(seed: int, tables: int, rows: int) -> list[dict[str, Any]]:
    """One sample per country from another seed: what a running deployment has already loaded
    (phonenumbers' region metadata, each country's name lists and validators, compiled patterns)
    without any of the measured values in the value caches."""
    first: dict[str, dict[str, Any]] = {}
    for sample in export_full_corpus(seed + 10_000, tables, rows):
        first.setdefault(sample["country"], sample)
    return list(first.values())


def clear_caches() -> None:
    """Empty every functools cache of the PII engine (per-country data and per-value results
    alike): each timed repetition then starts where a freshly started worker does."""
    for name, module in list(sys.modules.items()):
        if name.startswith("cloudaudit.pii") and module is not None:
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def run_cloudaudit(corpus: list[dict[str, Any]], warm: list[dict[str, Any]] | None = None, repeats: int = 1,
                   ) -> tuple[dict[str, dict[str, list[str]]], float, float, list[float]]:
    """Predictions, then the median CPU and wall time of ``repeats`` timed passes (and every
    pass's CPU): each pass starts from empty caches and the same warm-up, so a short pass
    (about a second here, against Presidio's minutes) is not decided by one hiccup of the host."""
    from cloudaudit.model import Sample
    from cloudaudit.pii import detect_sample
    from cloudaudit.pii.names_by_value import known_names

    samples = [(s["name"], s["country"], Sample(format="csv", fields=s["fields"])) for s in corpus]
    runs: list[tuple[float, float]] = []
    first: dict[str, dict[str, list[str]]] | None = None
    for _ in range(repeats):
        clear_caches()
        for s in warm if warm is not None else corpus[:3]:  # warm up: imports, per-country data, compiled patterns
            detect_sample(Sample(format="csv", fields=s["fields"]), s["country"])
        for country in sorted({s["country"] for s in corpus}):
            # Name lists load when a country's first headerless name column is met, which one warm-up
            # sample per country may not hold: a running deployment has them (no value is cached).
            known_names(country)
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        results = [(name, detect_sample(sample, country)) for name, country, sample in samples]
        runs.append((time.process_time() - started_cpu, time.perf_counter() - started_wall))
        predictions = {name: {r.field: [t.value for t in r.pii_types] for r in found} for name, found in results}
        if first is not None and predictions != first:
            raise RuntimeError("cloudaudit's passes over the same corpus disagree")
        first = predictions
    assert first is not None
    cpus, walls = sorted(c for c, _ in runs), sorted(w for _, w in runs)
    return first, cpus[len(cpus) // 2], walls[len(walls) // 2], [round(c, 3) for c, _ in runs]


def presidio_fields(corpus: list[dict[str, Any]], cells: dict[str, Any], score: float,
                    share: float) -> dict[str, dict[str, list[str]]]:
    """Field decisions from Presidio's per-cell results at a score and share threshold."""
    predictions: dict[str, dict[str, list[str]]] = {}
    for sample in corpus:
        fields: dict[str, list[str]] = {}
        for field, values in sample["fields"].items():
            present = [v for v in values if v and v.strip()]
            text_like = field == "(text)" or (present and sum(map(len, present)) / len(present) >= TEXT_LENGTH)
            counts: dict[str, int] = {}
            for cell in cells[sample["name"]][field]:
                for pii_type in {ENTITY_TYPES[e] for e, s in cell.items() if e in ENTITY_TYPES and s >= score}:
                    counts[pii_type] = counts.get(pii_type, 0) + 1
            needed = 1 if text_like else max(1, share * len(present))
            fields[field] = sorted(t for t, n in counts.items() if n >= needed)
        predictions[sample["name"]] = fields
    return predictions


def score(corpus: list[dict[str, Any]], predictions: dict[str, dict[str, list[str]]],
          types: tuple[str, ...] = TYPES) -> dict[str, Any]:
    """Precision, recall and F1 per type and micro-averaged, over (field, type) decisions."""
    tp = dict.fromkeys(types, 0)
    fp = dict.fromkeys(types, 0)
    fn = dict.fromkeys(types, 0)
    for sample in corpus:
        for field, truth in sample["labels"].items():
            found = set(predictions[sample["name"]].get(field, ()))
            for pii_type in types:
                tp[pii_type] += pii_type in found and pii_type in truth
                fp[pii_type] += pii_type in found and pii_type not in truth
                fn[pii_type] += pii_type not in found and pii_type in truth

    def prf(t: int, f_p: int, f_n: int) -> dict[str, float]:
        precision = t / (t + f_p) if t + f_p else 0.0
        recall = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                "tp": t, "fp": f_p, "fn": f_n}

    per_type = {t: prf(tp[t], fp[t], fn[t]) for t in types}
    return {"micro": prf(sum(tp.values()), sum(fp.values()), sum(fn.values())), "per_type": per_type}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tables", type=int, default=3, help="tables per country")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--sweep-seeds", default="0,1,2,3",
                        help="seeds on which cloudaudit alone is also run (the outside columns' figures); '' for none")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed passes of cloudaudit over the corpus, each from empty caches; the median counts")
    parser.add_argument("--worker", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)  # `python -m benchmarks NAME` passes its own arguments
    if args.worker:
        presidio_worker(Path(args.worker[0]), Path(args.worker[1]))
        return 0

    if str(HERE.parent) not in sys.path:  # run as a script: the repository's packages (benchmarks, tests)
        sys.path.insert(0, str(HERE.parent))
    from benchmarks import _pii_outside

    corpus = export_full_corpus(args.seed, args.tables, args.rows)
    cases = peer_cases()
    cells = sum(len(v) for s in corpus for v in s["fields"].values())
    megabytes = sum(len((x or "").encode()) for s in corpus for v in s["fields"].values() for x in v) / 1e6
    ours, ours_cpu, ours_wall, ours_runs = run_cloudaudit(corpus, warm_up_corpus(args.seed, args.tables, args.rows),
                                                          repeats=args.repeats)

    python = ensure_presidio_venv()
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path, out_path = Path(tmp) / "corpus.json", Path(tmp) / "presidio.json"
        peer = {"peer": [(case.value, case.as_text) for case in cases]}
        corpus_path.write_text(json.dumps([*corpus, peer]), encoding="utf-8")
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        subprocess.run([str(python), __file__, "--worker", str(corpus_path), str(out_path)], check=True, env=env)
        presidio = json.loads(out_path.read_text(encoding="utf-8"))

    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for score_threshold in SCORE_GRID:
        for share in SHARE_GRID:
            f1 = score(corpus, presidio_fields(corpus, presidio["cells"], score_threshold, share))["micro"]["f1"]
            best = max(best, (f1, score_threshold, share))
    theirs = presidio_fields(corpus, presidio["cells"], best[1], best[2])
    covered = ("PHONE_NUMBER", "EMAIL_ADDRESS", "NATIONAL_ID", "VEHICLE_REGISTRATION", "CREDIT_CARD",
               "DATE_OF_BIRTH", "IP_ADDRESS")

    def side(predictions: dict[str, dict[str, list[str]]], cpu: float, wall: float) -> dict[str, Any]:
        return {"cells_per_s": round(cells / cpu), "mb_per_s": round(megabytes / cpu, 3), "cpu_s": round(cpu, 3),
                "wall_s": round(wall, 3), **score(corpus, predictions),
                "micro_on_types_presidio_covers": score(corpus, predictions, covered)["micro"]}

    base = base_view(corpus)
    added = sum(len(s.get("kinds", {})) for s in corpus)
    ours_peer = cloudaudit_peer(cases)
    report = {
        "corpus": {"seed": args.seed, "tables_per_country": args.tables, "rows": args.rows, "samples": len(corpus),
                   "fields": sum(len(s["fields"]) for s in corpus), "fields_from_outside": added, "cells": cells,
                   "megabytes": round(megabytes, 3)},
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "cloudaudit": {**side(ours, ours_cpu, ours_wall), "passes_cpu_s": ours_runs},
        "presidio": {**side(theirs, presidio["cpu_s"], presidio["wall_s"]), "version": presidio["version"],
                     "score_threshold": best[1], "share_threshold": best[2]},
    }
    report["speed_ratio"] = round(report["cloudaudit"]["cells_per_s"] / report["presidio"]["cells_per_s"], 1)
    report["demo_corpus_only"] = {"cloudaudit": score(base, ours)["per_type"], "presidio": score(base, theirs)["per_type"]}
    report["outside"] = {"cloudaudit": _pii_outside.by_kind(corpus, ours), "presidio": _pii_outside.by_kind(corpus, theirs)}
    report["peer_suites"] = peer_table(cases, ours_peer, presidio["peer"], best[1])
    sweep = [int(x) for x in args.sweep_seeds.split(",") if x.strip()]
    report["seeds"] = seed_sweep(sweep, args.tables, args.rows) if sweep else {}
    report["machine"]["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pii_vs_presidio.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    (RESULTS / "pii_vs_presidio.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


def markdown(report: dict[str, Any]) -> str:
    ours, theirs, corpus = report["cloudaudit"], report["presidio"], report["corpus"]
    lines = [
        "# cloudaudit vs Presidio: PII detection on the labelled corpus", "",
        f"Corpus: seed {corpus['seed']}, {corpus['samples']} samples, {corpus['fields']} fields, "
        f"{corpus['cells']:,} cells, {corpus['megabytes']} MB. Presidio {theirs['version']} (blank spaCy model, "
        f"score ≥ {theirs['score_threshold']}, field share ≥ {theirs['share_threshold']}, chosen for its best F1). "
        f"CPU time of the analysis on one core; load average {report['machine']['load_average'][0]:.1f} "
        f"(1 min, at the start; {report['machine'].get('load_average_at_end', [0.0])[0]:.1f} at the end).", "",
        "| | cells/s | MB/s | precision | recall | F1 | F1 on the types Presidio covers |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, side in (("cloudaudit", ours), ("Presidio", theirs)):
        micro = side["micro"]
        lines.append(f"| {name} | {side['cells_per_s']:,} | {side['mb_per_s']} | {micro['precision']:.3f} | "
                     f"{micro['recall']:.3f} | {micro['f1']:.3f} | {side['micro_on_types_presidio_covers']['f1']:.3f} |")
    passes = ours.get("passes_cpu_s", [])
    lines += ["", f"Speed ratio: cloudaudit is **{report['speed_ratio']}×** faster."
              + (f" cloudaudit's figure is the median of {len(passes)} passes over the corpus, each from empty caches "
                 f"after the same warm-up (CPU s: {', '.join(f'{c:.2f}' for c in passes)}); Presidio's is its one "
                 f"pass of {theirs['cpu_s']:.0f} s." if len(passes) > 1 else ""), "",
              "| PII type | cloudaudit P / R / F1 | Presidio P / R / F1 |", "|---|---|---|"]
    for pii_type in TYPES:
        a, b = ours["per_type"][pii_type], theirs["per_type"][pii_type]
        lines.append(f"| {pii_type} | {a['precision']:.2f} / {a['recall']:.2f} / {a['f1']:.2f} | "
                     f"{b['precision']:.2f} / {b['recall']:.2f} / {b['f1']:.2f} |")
    if "outside" in report:
        lines += _outside_markdown(report)
    return "\n".join(lines) + "\n"


def _ratio(found: int, total: int) -> str:
    return f"{found}/{total}"


def _outside_markdown(report: dict[str, Any]) -> list[str]:
    ours, theirs = report["outside"]["cloudaudit"], report["outside"]["presidio"]
    demo = report["demo_corpus_only"]["cloudaudit"]
    lines = [
        "", "## The columns from outside", "",
        f"{report['corpus']['fields_from_outside']} of the fields above were added by `benchmarks/_pii_outside.py`: "
        "PII under abbreviated and local headers (the benchmark's own list), people's names under headers that "
        "say nothing, and names of things that must stay clean (`benchmarks/data/pii_things.json`, sources there).",
        "", "cloudaudit's precision per type on the demo corpus alone → with the outside columns:", "",
        "| PII type | demo corpus P / R | with outside columns P / R |", "|---|---|---|",
    ]
    for pii_type in TYPES:
        a, b = demo[pii_type], report["cloudaudit"]["per_type"][pii_type]
        lines.append(f"| {pii_type} | {a['precision']:.3f} / {a['recall']:.3f} | "
                     f"{b['precision']:.3f} / {b['recall']:.3f} |")
    lines += ["", "| added column | columns | cloudaudit: right type / wrong type | "
                  "Presidio: right type / wrong type |", "|---|---:|---|---|"]
    for kind, row in ours.items():
        other = theirs[kind]
        wrong = ", ".join(f"{t} {n}" for t, n in sorted(row["fp_types"].items()))
        wrong_theirs = ", ".join(f"{t} {n}" for t, n in sorted(other["fp_types"].items()))
        right = "–" if kind.startswith("thing:") else str(row["found"])
        right_theirs = "–" if kind.startswith("thing:") else str(other["found"])
        lines.append(f"| {kind} | {row['columns']} | {right} / {row['false_positive']}"
                     f"{f' ({wrong})' if wrong else ''} | {right_theirs} / {other['false_positive']}"
                     f"{f' ({wrong_theirs})' if wrong_theirs else ''} |")
    names = ours.get("headerless_names", {}).get("by_country", {})
    if names:
        lines += ["", "Headerless name columns found by cloudaudit, per country: " + ", ".join(
            f"{c} {_ratio(r['found'], r['columns'])}" for c, r in names.items()) + "."]
    peer = report["peer_suites"]
    lines += ["", "## Peer suites' own test values", "",
              "Each value of `tests/cloudaudit/pii/peer_cases.py` (python-stdnum's and Presidio's test suites) "
              "as a one-cell `value` column or a line of text. Presidio at its chosen score "
              f"(≥ {peer['presidio_score_threshold']}) and at any score.", "",
              "| suite file | to find | cloudaudit found | Presidio found (any score) | not to find | "
              "cloudaudit reported | Presidio reported (any score) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for origin, row in [*peer["by_file"].items(), ("**total**", peer["total"])]:
        lines.append(f"| {origin} | {row['expected']} | {row['cloudaudit_found']} | {row['presidio_found']} "
                     f"({row['presidio_any_score_found']}) | {row['negatives']} | {row['cloudaudit_fp']} | "
                     f"{row['presidio_fp']} ({row['presidio_any_score_fp']}) |")
    if report.get("seeds"):
        lines += ["", "## Other seeds (cloudaudit alone)", "",
                  "| seed | abbreviated headers found | headerless name columns found | thing columns read as PII | "
                  "lowest precision of a type | cells/s |", "|---|---:|---:|---:|---:|---:|"]
        for seed, row in report["seeds"].items():
            lowest = min(row["precision"].items(), key=lambda item: item[1])
            lowest = lowest if lowest[1] < 1 else ("every type", 1.0)
            lines.append(f"| {seed} | {_ratio(row['abbreviated']['found'], row['abbreviated']['columns'])} | "
                         f"{_ratio(row['headerless_names']['found'], row['headerless_names']['columns'])} | "
                         f"{_ratio(row['things']['false_positive'], row['things']['columns'])} | "
                         f"{float(lowest[1]):.3f} ({lowest[0]}) | {row['cells_per_s']:,} |")
    return lines


if __name__ == "__main__":
    status = main()
    if status:  # run by `make bench` (runpy) a clean exit must not stop the benchmarks after this one
        sys.exit(status)
