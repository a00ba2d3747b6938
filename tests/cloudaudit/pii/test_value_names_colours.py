"""Columns of colour and paint names are not people's names, though many of their words are.

"Pearl White", "Rose Brown", "Hazel Green": a colour catalogue or a car's paint is made of words
that are given names and surnames too. The values here are the xkcd colour survey's names
(``test_value_names_colours.json``: published, CC0, chosen by the survey's respondents, not by
this project), title-cased as a catalogue writes them; the names with colour surnames are
Faker's, with surnames from the U.S. Census 2010 surname file.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import pytest
from faker import Faker

from cloudaudit.model import PiiType
from cloudaudit.pii import detect_field
from cloudaudit.pii.names_by_value import COLOUR_SHARE, THRESHOLDS, read_column

COLOURS: list[str] = json.loads(
    Path(__file__).with_name("test_value_names_colours.json").read_text(encoding="utf-8"))["colours"]
COUNTRIES = ("JP", "TH", "ID", "VN", "AU", "IN", "PH", "SG", "MY")
SEEDS = range(20)
ROWS = 40
# Census 2010 surnames that are colour words, with their rank in Names_2010Census.csv.
COLOUR_SURNAMES = {"Brown": 4, "White": 24, "Green": 41, "Gray": 87, "Black": 174}


def _catalogue(seed: int) -> list[str]:
    """A catalogue page: 40 distinct colour names, title-cased."""
    return [name.title() for name in random.Random(seed).sample(COLOURS, ROWS)]


@pytest.mark.parametrize("country", COUNTRIES)
def test_colour_catalogues_are_not_names(country: str) -> None:
    columns = [_catalogue(seed) for seed in SEEDS]
    assert not [c for c in columns if detect_field("value", c, country).pii]
    # and it is the colour words that keep them out: read without them, some would pass as names
    readings = [read_column(c, country) for c in columns]
    assert all(r.colour >= COLOUR_SHARE * r.shaped for r in readings)
    if country in ("MY", "IN"):  # low thresholds: there the colour words decide
        assert any(dataclasses.replace(r, colour=0).is_names for r in readings)


@pytest.mark.parametrize("header", ["paint_nm", "colour_name", "Color Name", "paint"])
def test_colour_names_under_a_paint_header_are_not_names(header: str) -> None:
    for seed in SEEDS:
        assert detect_field(header, _catalogue(seed), "AU").pii == ()


@pytest.mark.parametrize("seed", range(10))
def test_people_with_colour_surnames_are_still_names(seed: int) -> None:
    """One value in five with a colour surname (White, Brown, ...): still a column of people."""
    fake = Faker("en_AU")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    names = [fake.name() for _ in range(ROWS)]
    for index in range(0, ROWS, 5):
        names[index] = f"{fake.first_name()} {rng.choice(list(COLOUR_SURNAMES))}"
    assert detect_field("value", names, "AU").pii_types == (PiiType.PERSON_NAME,)


# Product names as the faker-commerce provider composes them ("Ergonomic Steel Chair"): its
# PRODUCT_DATA word lists, faker-commerce 1.0.4 on PyPI (MIT), faker_commerce/__init__.py.
# Several words are Census surnames or given names too (Small, Steel, Ball, Fish, Bacon, Wooden).
COMMERCE_ADJECTIVES = ("Small", "Ergonomic", "Rustic", "Intelligent", "Gorgeous", "Incredible", "Fantastic",
                       "Practical", "Sleek", "Awesome", "Generic", "Handcrafted", "Handmade", "Licensed", "Refined",
                       "Unbranded", "Tasty", "New", "Gently Used", "Used", "For repair")
COMMERCE_MATERIALS = ("Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Metal", "Soft",
                      "Fresh", "Frozen")
COMMERCE_PRODUCTS = ("Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants", "Shirt",
                     "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish", "Cheese", "Bacon",
                     "Pizza", "Salad", "Sausages", "Chips")


def _products(seed: int, rows: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(COMMERCE_ADJECTIVES)} {rng.choice(COMMERCE_MATERIALS)} {rng.choice(COMMERCE_PRODUCTS)}"
            for _ in range(rows)]


@pytest.mark.parametrize("country", COUNTRIES)
def test_product_names_are_not_names(country: str) -> None:
    """Where the name lists are thin (ID), a third of a column with an English word that is also
    a surname was enough; some values must now hold a name of the country's own lists."""
    assert not [seed for seed in SEEDS if detect_field("value", _products(seed, 200), country).pii]


def test_indonesian_products_needed_indonesian_names() -> None:
    """Without the share of values with an Indonesian name, columns of products pass as names."""
    readings = [read_column(_products(seed, 200), "ID") for seed in SEEDS]
    assert not [r for r in readings if r.is_names]
    limits = THRESHOLDS["ID"]
    assert [r for r in readings if r.any_known >= limits.any_known * r.shaped
            and r.words_known >= limits.words_known * r.words]
    assert all(r.local_known < limits.local_known * r.shaped for r in readings)
