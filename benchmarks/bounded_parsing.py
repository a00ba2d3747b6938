"""Benchmark: how long bounded parsing and detection take on large and hostile inputs.

    .venv/bin/python benchmarks/bounded_parsing.py
    make bench

These timings used to be assertions in tests (issue 12: a test asserts bytes, rows and calls,
never seconds). Each case is the best of three runs (process time, one core) and is written
to ``benchmarks/results/bounded_parsing.{json,md}`` with the machine it ran on.
"""

from __future__ import annotations

import gzip
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _best_of(runs: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.process_time()
        action()
        timings.append(time.process_time() - started)
    return min(timings)


def _one_mib_csv() -> bytes:
    import random

    from cloudaudit_demo.synth import record

    rng = random.Random(12)
    rows = [record("JP", rng) for _ in range(200)]
    block = "".join(f"{r['name']},{r['email']},{r['phone']},{r['national_id']},\"{r['address']}\"\n"
                    for r in rows).encode()
    body = block * (1_048_576 // len(block) + 1)
    return b"name,email,phone,my_number,address\n" + body[:1_048_576]


def cases() -> dict[str, Callable[[], object]]:
    from cloudaudit.config import Limits
    from cloudaudit.formats import TEXT_FIELD, parse_sample
    from cloudaudit.formats.compression import gunzip
    from cloudaudit.pii.engine import detect_field

    data = _one_mib_csv()
    gz = gzip.compress(data)
    bomb = gzip.compress(b"0" * (200 * 1_048_576), compresslevel=9)
    pathological = ["1" * 2000, "1." * 1000, "a@" + "b." * 999, "1:" * 1000, "品" * 2000, "ab12" * 500,
                    "name: " * 300, "12/" * 600, "+1 " * 600, "A1" * 1000, "Address: " + "a, " * 600]
    floods = {"floods.csv.gz": b"\n" * 8_000_000, "wide.csv.gz": b",".join([b"abc"] * 1_000_000) + b"\n",
              "keys.json.gz": json.dumps({f"k{i}": i for i in range(200_000)}).encode(),
              "deep.json.gz": b"[" * 8_000_000}

    def detect_pathological() -> None:
        for value in pathological:
            for field in (TEXT_FIELD, "column_1", "address", "name"):
                detect_field(field, [value] * 5, "JP")

    out: dict[str, Callable[[], object]] = {
        "1 MiB CSV, default bounds": lambda: parse_sample("big.csv", data, limits=Limits(), truncated=True),
        "1 MiB CSV gzip, default bounds": lambda: parse_sample("big.csv.gz", gz, limits=Limits(), truncated=True),
        "1 MiB CSV read in full": lambda: parse_sample("big.csv", data, limits=Limits(max_rows=1_000_000),
                                                      truncated=True),
        "200 MiB gzip bomb capped at 1 MB": lambda: gunzip(bomb, 1_000_000),
        "pathological cells through the PII engine": detect_pathological,
    }
    def flood(name: str, compressed: bytes) -> Callable[[], object]:
        return lambda: parse_sample(name, compressed, limits=Limits(), truncated=name.startswith("deep"))

    for name, plain in floods.items():
        out[f"{name} at the decompression cap"] = flood(name, gzip.compress(plain, compresslevel=1))
    return out


def main() -> None:
    results = {name: round(_best_of(3, action), 4) for name, action in cases().items()}
    machine = f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bounded_parsing.json").write_text(json.dumps({"machine": machine, "seconds": results},
                                                                      indent=1) + "\n")
    lines = ["# Bounded parsing: CPU seconds (best of 3)", "", f"Machine: {machine}", "",
             "| Case | CPU s |", "| --- | ---: |"] + [f"| {k} | {v:.4f} |" for k, v in results.items()]
    (HERE / "results" / "bounded_parsing.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
