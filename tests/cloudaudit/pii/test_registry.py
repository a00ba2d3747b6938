"""The registry: every country module declares its detectors; names follow the convention."""

from __future__ import annotations

import importlib
import pkgutil

from cloudaudit.model import PiiType
from cloudaudit.pii import Detector, all_detectors, detectors
from cloudaudit.pii.registry import countries
from cloudaudit_demo.synth import COUNTRIES


def test_every_covered_country_has_its_identifiers() -> None:
    assert countries() == set(COUNTRIES)
    for country in COUNTRIES:
        own = {d.pii_type for d in all_detectors() if country in d.countries}
        assert {PiiType.NATIONAL_ID, PiiType.PHONE_NUMBER, PiiType.VEHICLE_REGISTRATION} <= own, country


def test_every_type_is_detected() -> None:
    assert {d.pii_type for d in all_detectors()} == set(PiiType)


def test_names_are_unique_and_say_where_they_apply() -> None:
    names = [d.name for d in all_detectors()]
    assert len(names) == len(set(names))
    for detector in all_detectors():
        if detector.countries:
            (country,) = detector.countries
            assert detector.name.startswith(f"{country.lower()}_"), detector.name


def test_every_country_module_exports_detectors() -> None:
    modules = [m.name for m in pkgutil.iter_modules(detectors.__path__) if m.name != "patterns"]
    for name in modules:
        module = importlib.import_module(f"cloudaudit.pii.detectors.{name}")
        assert module.DETECTORS and all(isinstance(d, Detector) for d in module.DETECTORS), name
    assert {m.rstrip("_") for m in modules} == {c.lower() for c in COUNTRIES} | {"common"}


def test_context_only_types_need_context() -> None:
    for detector in all_detectors():
        if detector.pii_type in (PiiType.PERSON_NAME, PiiType.ADDRESS, PiiType.DATE_OF_BIRTH):
            assert detector.needs_context, detector.name


def test_a_detector_declares_a_pattern_or_a_shape() -> None:
    import pytest

    with pytest.raises(ValueError, match="exactly one"):
        Detector(name="broken", pii_type=PiiType.VIN)


def test_every_detector_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[3] / "docs" / "pii.md").read_text(encoding="utf-8")
    for detector in all_detectors():
        generic = f"<cc>{detector.name[2:]}" if detector.countries else detector.name
        assert f"`{detector.name}`" in doc or f"`{generic}`" in doc, detector.name
