"""Precision and recall per PII type on the labelled corpus (field-level decisions)."""

from __future__ import annotations

from collections import Counter

import pytest

from cloudaudit.model import PiiType
from cloudaudit.pii import detect_sample
from cloudaudit_demo import corpus

CHECKSUMMED = {PiiType.NATIONAL_ID, PiiType.CREDIT_CARD, PiiType.VIN}
CONTEXTUAL = {PiiType.PERSON_NAME, PiiType.ADDRESS, PiiType.DATE_OF_BIRTH}


@pytest.fixture(scope="module", params=[0, 1])
def scores(request: pytest.FixtureRequest) -> dict[PiiType, tuple[float, float, int]]:
    tp: Counter[PiiType] = Counter()
    fp: Counter[PiiType] = Counter()
    fn: Counter[PiiType] = Counter()
    for labelled in corpus.generate(seed=request.param, tables_per_country=3, rows=120):
        for result in detect_sample(labelled.sample, labelled.country):
            found, truth = set(result.pii_types), labelled.labels[result.field]
            for pii_type in PiiType:
                tp[pii_type] += pii_type in found and pii_type in truth
                fp[pii_type] += pii_type in found and pii_type not in truth
                fn[pii_type] += pii_type not in found and pii_type in truth
    return {t: (tp[t] / max(1, tp[t] + fp[t]), tp[t] / max(1, tp[t] + fn[t]), tp[t] + fn[t]) for t in PiiType}


@pytest.mark.parametrize("pii_type", sorted(CHECKSUMMED))
def test_checksummed_types(scores: dict[PiiType, tuple[float, float, int]], pii_type: PiiType) -> None:
    precision, recall, support = scores[pii_type]
    assert support >= 20
    assert precision >= 0.97
    assert recall >= 0.95


@pytest.mark.parametrize("pii_type", sorted(CONTEXTUAL))
def test_context_types(scores: dict[PiiType, tuple[float, float, int]], pii_type: PiiType) -> None:
    precision, recall, support = scores[pii_type]
    assert support >= 20
    assert precision >= 0.9
    assert recall >= 0.9


@pytest.mark.parametrize("pii_type", sorted(set(PiiType) - CHECKSUMMED - CONTEXTUAL))
def test_other_types(scores: dict[PiiType, tuple[float, float, int]], pii_type: PiiType) -> None:
    precision, recall, support = scores[pii_type]
    assert support >= 10
    assert precision >= 0.95
    assert recall >= 0.9


def test_corpus_is_seeded_and_labelled() -> None:
    first, again = corpus.generate(seed=3, tables_per_country=1, rows=20), corpus.generate(seed=3, tables_per_country=1,
                                                                                          rows=20)
    assert [s.labels for s in first] == [s.labels for s in again]
    assert [s.sample.fields for s in first] == [s.sample.fields for s in again]
    assert {s.country for s in first} == set(corpus.COUNTRIES)
    for labelled in first:
        assert set(labelled.labels) == set(labelled.sample.fields)
        if labelled.sample.format == "csv":
            assert any(not types for types in labelled.labels.values())  # negatives in every table


def test_corpus_has_the_hard_cases() -> None:
    samples = corpus.generate(seed=0, tables_per_country=2, rows=50)
    fields = [name for s in samples for name in s.sample.fields]
    values = [v for s in samples for column in s.sample.fields.values() for v in column]
    assert any(name.startswith("column_") for name in fields)  # headerless
    assert "remarks_code" in fields  # a stray identifier among codes
    assert None in values and "N/A" in values  # empty and dirty cells
    assert any(s.sample.format == "text" for s in samples)
