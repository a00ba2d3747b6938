"""All detectors, found by walking ``cloudaudit.pii.detectors`` (like ``stdnum.util.get_number_modules``)."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from cloudaudit.pii import detectors as _package
from cloudaudit.pii.types import Detector


@functools.cache
def all_detectors() -> tuple[Detector, ...]:
    """Every declared detector, in module order; names are unique."""
    found: list[Detector] = []
    for info in pkgutil.iter_modules(_package.__path__):
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        found.extend(getattr(module, "DETECTORS", ()))
    names = [d.name for d in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate detector names: {duplicates}")
    return tuple(found)


def countries() -> frozenset[str]:
    """Countries that have detectors of their own."""
    return frozenset(c for d in all_detectors() for c in d.countries)


@functools.lru_cache(maxsize=64)
def detectors_for(country: str) -> tuple[Detector, ...]:
    """The detectors to consider in an environment of ``country``: every declared one, plus
    phone numbers written nationally when the country has no module of its own (its IDs and
    plates are unknown to us, but phonenumbers knows every numbering plan)."""
    import phonenumbers

    from cloudaudit.pii.detectors.patterns import phone_detectors

    declared = all_detectors()
    if not country or country in countries() or phonenumbers.PhoneMetadata.metadata_for_region(country) is None:
        return declared
    return declared + phone_detectors(country, min_digits=8)
