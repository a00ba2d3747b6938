"""What the benchmarks share: measuring a process tree, the machine, and scoring seeded exposures.

Pure parts (``recall``, ``prowler_findings``, ``cloudaudit_findings``, ``tree_rss``) are small
and tested in ``tests/benchmarks``; ``run_measured`` runs one command and samples its whole
process tree from /proc (psutil) every ``interval`` seconds:

- wall time of the command;
- CPU time (user + system) of the whole tree, from ``RUSAGE_CHILDREN`` around the wait (every
  descendant that was waited for, i.e. every Airflow task process, counts);
- peak RSS of the tree: the largest sum, at one sample, of the RSS of every live process in it
  (what the issue's table reports), and the largest single process seen.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BENCH_DIR = Path(os.environ.get("CLOUDAUDIT_BENCH_DIR") or REPO / ".bench")
MB = 1024 * 1024


# ---- the machine --------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    """What ran the benchmark: CPUs, memory, Python, and the load when asked (the machine is shared)."""
    memory_mb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_mb": memory_mb, "python": platform.python_version(),
            "platform": platform.platform(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def deadline_left() -> float | None:
    """Seconds left of ``make bench``'s budget (``CLOUDAUDIT_BENCH_DEADLINE``, a Unix time), if set."""
    value = os.environ.get("CLOUDAUDIT_BENCH_DEADLINE")
    return float(value) - time.time() if value else None


def write_results(name: str, report: Mapping[str, Any], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown, encoding="utf-8")


# ---- process trees -------------------------------------------------------------------------

def tree_rss(root_pid: int) -> tuple[int, int]:
    """(bytes of RSS summed over ``root_pid`` and every descendant alive now, number of processes)."""
    total, count, _ = _tree_rss(root_pid)
    return total, count


def _tree_rss(root_pid: int) -> tuple[int, int, int]:
    """``tree_rss`` and the RSS of the largest process."""
    import psutil

    try:
        root = psutil.Process(root_pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    total = count = largest = 0
    for proc in processes:
        try:
            rss = proc.memory_info().rss
        except psutil.Error:  # it ended between the listing and the read
            continue
        total, count, largest = total + rss, count + 1, max(largest, rss)
    return total, count, largest


class TreeSampler:
    """Samples ``tree_rss`` of a PID on a thread; ``peak`` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak_bytes = self.peak_processes = self.largest_bytes = self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total, count, largest = _tree_rss(self.pid)
            self.samples += 1
            self.largest_bytes = max(self.largest_bytes, largest)
            self.peak_bytes = max(self.peak_bytes, total)
            self.peak_processes = max(self.peak_processes, count)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Measurement:
    """One command's cost."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    largest_process_mb: float
    peak_processes: int
    returncode: int
    samples: int = 0
    load_before: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_measured(argv: Sequence[str], *, env: Mapping[str, str], log_path: Path, cwd: Path | None = None,
                 timeout_s: float = 3600, interval: float = 0.2) -> Measurement:
    """Run ``argv`` to its end (output to ``log_path``) and measure its whole process tree."""
    load = [round(x, 2) for x in os.getloadavg()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        with TreeSampler(proc.pid, interval) as sampler:
            try:
                returncode = proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                returncode = proc.wait()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measurement(wall_s=round(wall, 2), cpu_s=round(cpu, 2), peak_rss_mb=round(sampler.peak_bytes / MB, 1),
                       largest_process_mb=round(sampler.largest_bytes / MB, 1), peak_processes=sampler.peak_processes,
                       returncode=returncode, samples=sampler.samples, load_before=load)


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one live process so far (the emulator both tools share)."""
    import psutil

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


# ---- seeded exposures and what each tool reported ---------------------------------------------

# Exposure kinds both tools cover, and what each reports them as (a FAIL of any listed check on
# the bucket counts). "public": readable or writable by anyone through the bucket ACL or policy.
COMMON_KINDS = ("public", "bpa_off", "encryption_off")
CLOUDAUDIT_CHECKS: dict[str, tuple[str, ...]] = {
    "public": ("aws_s3_bucket_public_acl", "aws_s3_bucket_public_policy"),
    "bpa_off": ("aws_s3_block_public_access_off",),
    "encryption_off": ("aws_s3_default_encryption_off",),
    "pii_public": ("aws_s3_pii_public",),  # PII in a public bucket: Prowler reads no data
}
PROWLER_CHECKS: dict[str, tuple[str, ...]] = {
    "public": ("s3_bucket_public_access", "s3_bucket_public_list_acl", "s3_bucket_public_write_acl",
               "s3_bucket_policy_public_write_access"),
    "bpa_off": ("s3_bucket_level_public_access_block",),
    "encryption_off": ("s3_bucket_default_encryption",),
}

Exposure = tuple[str, str]  # (kind, bucket name)
Failed = tuple[str, str]  # (check id, bucket name)


def detected(failed: Iterable[Failed], checks: Mapping[str, tuple[str, ...]]) -> set[Exposure]:
    """The (kind, bucket) exposures a tool's FAIL findings amount to."""
    kind_of: dict[str, list[str]] = {}
    for kind, ids in checks.items():
        for check_id in ids:
            kind_of.setdefault(check_id, []).append(kind)
    return {(kind, bucket) for check_id, bucket in failed for kind in kind_of.get(check_id, ())}


def recall(truth: Iterable[Exposure], found: Iterable[Exposure], kinds: Iterable[str]) -> dict[str, Any]:
    """Recall (and false positives) over the seeded exposures of ``kinds``, overall and per kind.

    >>> r = recall({("public", "a"), ("bpa_off", "a")}, {("public", "a"), ("bpa_off", "b")}, ["public", "bpa_off"])
    >>> r["recall"], r["found"], r["seeded"], r["false_positives"], r["per_kind"]["bpa_off"]["recall"]
    (0.5, 1, 2, 1, 0.0)
    """
    wanted = set(kinds)
    seeded = {e for e in truth if e[0] in wanted}
    reported = {e for e in found if e[0] in wanted}
    per_kind = {}
    for kind in sorted(wanted):
        s = {e for e in seeded if e[0] == kind}
        r = {e for e in reported if e[0] == kind}
        per_kind[kind] = {"seeded": len(s), "found": len(s & r), "false_positives": len(r - s),
                          "recall": round(len(s & r) / len(s), 4) if s else None}
    hits = seeded & reported
    return {"seeded": len(seeded), "found": len(hits), "false_positives": len(reported - seeded),
            "recall": round(len(hits) / len(seeded), 4) if seeded else None,
            "missed": sorted(f"{k}:{b}" for k, b in seeded - reported)[:20], "per_kind": per_kind}


def _bucket_of(resource_uid: str) -> str:
    """A bucket name from an ARN (``arn:aws:s3:::name``), an ``s3://`` URI or a bare name.

    >>> _bucket_of("arn:aws:s3:::b-1"), _bucket_of("s3://b-1"), _bucket_of("s3://b-1/k.csv"), _bucket_of("b-1")
    ('b-1', 'b-1', 'b-1/k.csv', 'b-1')
    """
    if resource_uid.startswith("arn:aws:s3:::"):
        return resource_uid.removeprefix("arn:aws:s3:::")
    return resource_uid.removeprefix("s3://")


def prowler_findings(documents: Iterable[Any]) -> set[Failed]:
    """(check id, bucket) of every FAIL in Prowler's OCSF JSON output (a list of findings per file).

    Prowler 5 writes ``metadata.event_code`` (the check id), ``status_code`` (PASS/FAIL/MANUAL)
    and ``resources[].uid`` (the ARN) or ``resources[].name``.
    """
    failed: set[Failed] = set()
    for document in documents:
        for finding in document if isinstance(document, list) else [document]:
            if not isinstance(finding, Mapping) or str(finding.get("status_code", "")).upper() != "FAIL":
                continue
            check_id = str((finding.get("metadata") or {}).get("event_code") or "")
            for res in finding.get("resources") or []:
                uid = str(res.get("uid") or res.get("name") or "")
                if uid:
                    failed.add((check_id, _bucket_of(uid)))
    return failed


def cloudaudit_findings(validations: Iterable[Mapping[str, Any]]) -> set[Failed]:
    """(check id, bucket) of every FAIL finding on a bucket in cloudaudit's validation records
    (``CLOUDAUDIT_STATE/runs/<date>/<CC>/validation.json``); findings on objects are left out."""
    failed: set[Failed] = set()
    for record in validations:
        for finding in record.get("findings") or []:
            resource_uri = str(finding.get("resource") or "")
            if finding.get("status") == "FAIL" and resource_uri.startswith("s3://") and "/" not in resource_uri[5:]:
                failed.add((str(finding["check_id"]), _bucket_of(resource_uri)))
    return failed


# ---- emulators and Airflow -------------------------------------------------------------------

@dataclass
class Server:
    name: str
    pid: int
    url: str

    def stop(self) -> None:
        from cloudaudit_demo.estate.processes import terminate_group

        terminate_group(self.pid)


def start_server(name: str, argv: Sequence[str], log_path: Path, probe: str = "/", deadline_s: float = 90) -> Server:
    """Start an emulator on a free loopback port (``{port}`` in ``argv``) in its own process group."""
    from cloudaudit_demo.estate.ports import LOOPBACK, free_port, http_ready, wait_until
    from cloudaudit_demo.estate.processes import is_alive, spawn, terminate_group

    port = free_port()
    pid = spawn([a.replace("{port}", str(port)) for a in argv], log_path)
    url = f"http://{LOOPBACK}:{port}"
    if not wait_until(lambda: http_ready(url + probe), deadline_s=deadline_s, give_up=lambda: not is_alive(pid)):
        terminate_group(pid)
        raise RuntimeError(f"{name} did not start on {url}; see {log_path}")
    return Server(name, pid, url)


def bench_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured command: bytecode may be written (warm after the first run)."""
    env = dict(base if base is not None else os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_bytecode(*folders: Path) -> None:
    """Compile once so that no measured run pays it (this machine sets PYTHONDONTWRITEBYTECODE)."""
    import sys

    for folder in folders:
        if folder.exists():
            subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "2", str(folder)], check=False,
                           env=bench_env(), stdout=subprocess.DEVNULL)


class AirflowHomes:
    """A migrated Airflow home, copied for each run (``airflow db migrate`` once, ~16 s, not measured)."""

    def __init__(self, work: Path) -> None:
        import shutil

        from cloudaudit_demo.demo import airflow_env, migrate

        self.work = work
        self.template = work / "airflow-template"
        if self.template.exists():
            shutil.rmtree(self.template)
        migrate(self.template, airflow_env(self.template, base=bench_env()))

    def fresh(self, name: str) -> Path:
        import shutil

        home = self.work / name / "airflow"
        if home.parent.exists():
            shutil.rmtree(home.parent)
        shutil.copytree(self.template, home)
        return home


def dag_env(home: Path, root: Path, inventory_path: Path) -> dict[str, str]:
    """Airflow under ``home`` and the CLOUDAUDIT_* variables of a run whose state and output live in ``root``."""
    from cloudaudit.evidence.signing import load_or_create_private_key
    from cloudaudit_demo.demo import airflow_env

    key = root / "signing_key.pem"
    load_or_create_private_key(key)
    env: dict[str, str] = dict(airflow_env(home, base=bench_env()))
    env.update({"CLOUDAUDIT_INVENTORY": str(inventory_path), "CLOUDAUDIT_STATE": str(root / "state"),
                "CLOUDAUDIT_OUTPUT": str(root / "output"), "CLOUDAUDIT_SIGNING_KEY": str(key),
                "CLOUDAUDIT_TASK_RETRIES": "0"})
    return env


def dags_test_argv(run_date: str, mode: str = "live") -> list[str]:
    import sys

    airflow = str(Path(sys.executable).with_name("airflow"))
    return [airflow, "dags", "test", "cloudaudit_daily", run_date, "-c", json.dumps({"mode": mode, "alerts": "never"})]


def dag_succeeded(log_path: Path) -> bool:
    text = log_path.read_text(errors="replace")
    return "state=success" in text or "DagRunState.SUCCESS" in text


# The task logs' own memory line (cloudaudit.pipeline.peak_rss_mb), by the step that wrote it.
_PHASE_LINES = (("extract", re.compile(r"fields with PII \([^)]*peak RSS (\d+) MB\)")),
                ("validate", re.compile(r"validated [A-Z]{2} .*\(peak RSS (\d+) MB\)")),
                ("publish", re.compile(r"published [A-Z]{2} .*\(peak RSS (\d+) MB\)")))


def phase_peaks(log_text: str) -> dict[str, int]:
    """The process's peak RSS (MB) at the end of each step, from a ``dags test`` log: under
    ``dags test`` every task runs in one process, so each figure includes the steps before it.

    >>> phase_peaks("x: ASSESSED, 2 resources, 2 samples, 1 fields with PII (0.1s, peak RSS 290 MB) [c]\\n"
    ...             "validated AU 2026-11-20: 7 findings, FAIL by severity {} (peak RSS 480 MB)\\n"
    ...             "validated JP 2026-11-20: 7 findings, FAIL by severity {} (peak RSS 495 MB)")
    {'extract': 290, 'validate': 495}
    """
    peaks: dict[str, int] = {}
    for line in log_text.splitlines():
        for phase, pattern in _PHASE_LINES:
            found = pattern.search(line)
            if found:
                peaks[phase] = max(peaks.get(phase, 0), int(found.group(1)))
    return peaks


def validations(state_dir: Path, run_date: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((state_dir / "runs" / run_date).glob("*/validation.json"))]
