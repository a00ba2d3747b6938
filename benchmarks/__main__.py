"""Run the benchmarks in this folder (`make bench`); each writes to benchmarks/results/.

    python -m benchmarks                               # every benchmark, in name order
    python -m benchmarks vs_prowler --sizes 100        # a subset; options go to each one run
    python -m benchmarks scaling vs_prowler --budget-s 900

Names come first; every option after them is passed to each benchmark (each ignores the ones
it does not know). ``--budget-s`` (default 1,140: `make bench` must finish within 20 minutes
on the 2-core machine) sets ``CLOUDAUDIT_BENCH_DEADLINE``, which benchmarks with optional,
long steps (the 5,000-bucket run) consult before starting them.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BUDGET_S = 1140.0


def available() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str]) -> int:
    known = available()
    names = []
    while argv and not argv[0].startswith("-"):
        name = argv.pop(0).removesuffix(".py")
        if name not in known:
            print(f"unknown benchmark {name!r}; available: {', '.join(known)}", file=sys.stderr)
            return 2
        names.append(name)
    budget = DEFAULT_BUDGET_S
    if "--budget-s" in argv:
        at = argv.index("--budget-s")
        budget = float(argv[at + 1])
        del argv[at:at + 2]
    os.environ["CLOUDAUDIT_BENCH_DEADLINE"] = str(time.time() + budget)
    started = time.perf_counter()
    load = os.getloadavg()
    seconds: dict[str, float] = {}
    for name in names or known:
        print(f"== benchmark {name}", flush=True)
        sys.argv = [str(HERE / f"{name}.py"), *argv]
        begun = time.perf_counter()
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
        seconds[name] = round(time.perf_counter() - begun, 1)
        print(f"== benchmark {name} done after {time.perf_counter() - started:.0f} s in all", flush=True)
    if not names:  # the whole `make bench`: how long it took, then the performance page from the results
        import json

        (HERE / "results" / "bench_run.json").write_text(json.dumps({
            "seconds": seconds, "total_s": round(time.perf_counter() - started, 1), "budget_s": budget,
            "options": argv, "load_average_at_start": [round(x, 2) for x in load],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}, indent=2) + "\n", encoding="utf-8")
    sys.path.insert(0, str(HERE.parent))
    from benchmarks._doc import write_performance_page

    write_performance_page()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
