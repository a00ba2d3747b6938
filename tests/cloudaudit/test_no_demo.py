"""The product runs without the demo package: a worker image ships ``cloudaudit`` alone.

Each probe runs in a fresh interpreter where ``cloudaudit_demo`` cannot be imported (a
meta-path finder refuses it, as if include/cloudaudit_demo were absent from the image).
"""

from __future__ import annotations

import subprocess
import sys

BLOCK_DEMO = """
import importlib.abc, sys

class _NoDemo(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "cloudaudit_demo" or name.startswith("cloudaudit_demo."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoDemo())
"""

# The modules the DAG's tasks import (pipeline and what it calls), then every other product module.
WORKER_PATH = BLOCK_DEMO + """
import importlib, pkgutil
import cloudaudit
task_modules = ["cloudaudit.pipeline", "cloudaudit.collectors", "cloudaudit.collectors.aws.s3",
                "cloudaudit.collectors.gcp", "cloudaudit.checks.validate", "cloudaudit.checks.registry",
                "cloudaudit.reports.xlsx", "cloudaudit.evidence.bundle", "cloudaudit.evidence.signing",
                "cloudaudit.store.state", "cloudaudit.store.backend"]
for name in task_modules:
    importlib.import_module(name)
import cloudaudit.checks.registry
cloudaudit.checks.registry.all_checks()
every = [m.name for m in pkgutil.walk_packages(cloudaudit.__path__, "cloudaudit.")]
for name in every:
    importlib.import_module(name)
demo = sorted(m for m in sys.modules if m.split(".")[0] == "cloudaudit_demo")
print(len(task_modules) + len(every), demo)
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
                          check=False)


def test_worker_path_imports_nothing_from_the_demo() -> None:
    out = _run(WORKER_PATH)
    assert out.returncode == 0, out.stderr[-2000:]
    count, demo = out.stdout.strip().split(" ", 1)
    assert int(count) > 50  # the walk really imported the package, not an empty one
    assert demo == "[]"


def test_the_blocker_blocks() -> None:
    """The probe can fail: with the blocker, importing the demo package is an error."""
    out = _run(BLOCK_DEMO + "import cloudaudit_demo.estate.manager\n")
    assert out.returncode != 0
    assert "cloudaudit_demo" in out.stderr


def test_estate_command_without_the_demo_says_how_to_install_it() -> None:
    out = _run(BLOCK_DEMO + "import sys\nfrom cloudaudit.cli import main\nsys.exit(main(sys.argv[1:]))\n",
               "estate", "status")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "cloudaudit_demo" in lines[0] and "make install" in lines[0]
