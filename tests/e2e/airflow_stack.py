"""A real Airflow deployment for end-to-end tests: PostgreSQL DB, api-server, scheduler, dag-processor.

Every long-lived component runs in its own process group with its log in a file, so that the
fixture can stop the whole tree (LocalExecutor workers, task supervisors, uvicorn workers) and
prove that nothing it started is left behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import psutil

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
T = TypeVar("T")


def postgres_unavailable_reason() -> str | None:
    """Why the machine's PostgreSQL cannot hold a metadata DB, or None when it can."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            pass
    except OSError as exc:
        return f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} ({exc.strerror or exc})"
    try:
        import psycopg2

        psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                         connect_timeout=5).close()
    except Exception as exc:
        return f"cannot log in to PostgreSQL on {PG_HOST}:{PG_PORT} as {PG_USER}: {type(exc).__name__}"
    return None


def _admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5)
    try:
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@contextmanager
def temporary_database(prefix: str = "cloudaudit_e2e") -> Iterator[str]:
    """A freshly created, uniquely named database; yields its name and always drops it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_exists(name: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return cur.fetchone() is not None
    finally:
        conn.close()


def sqlalchemy_url(database: str) -> str:
    return f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(probe: Callable[[], T | None], timeout: float, what: str,
             on_timeout: Callable[[], str] = lambda: "", interval: float = 2.0) -> T:
    """Poll ``probe`` until it returns something other than None; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")
        time.sleep(interval)


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"--- {path}: missing"
    # Task logs are JSON lines whose tracebacks can be long: keep each line readable.
    text = [line[:1200] for line in path.read_text(errors="replace").splitlines()[-lines:]]
    return f"--- {path} (last {len(text)} lines)\n" + "\n".join(text)


@dataclass
class AirflowStack:
    """The long-lived Airflow components of one test module and the environment they share."""

    root: Path
    env: dict[str, str] = field(repr=False)
    database: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)
    logs: dict[str, Path] = field(default_factory=dict)
    seen: dict[int, psutil.Process] = field(default_factory=dict, repr=False)
    _log_files: list[IO[bytes]] = field(default_factory=list, repr=False)

    @property
    def airflow_home(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"])

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start ``airflow <args>`` in a new session (its own process group), logging to ``<name>.log``.

        ``env`` replaces the stack's environment for this component (a worker's own identity)."""
        log_path = self.root / f"{name}.log"
        log = log_path.open("ab")
        self._log_files.append(log)
        proc = subprocess.Popen([AIRFLOW, *args], env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes.append(proc)
        self.logs[name] = log_path
        self.note_descendants()
        return proc

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """A one-shot ``airflow`` command; fails the test with its output when it exits non-zero."""
        proc = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        assert proc.returncode == 0, f"airflow {' '.join(args)} exited {proc.returncode}:\n" \
                                     f"{(proc.stdout + proc.stderr)[-4000:]}"
        return proc

    def note_descendants(self) -> None:
        """Remember every process below the started ones, so none can escape unnoticed."""
        for proc in self.processes:
            try:
                root = psutil.Process(proc.pid)
                for p in [root, *root.children(recursive=True)]:
                    self.seen.setdefault(p.pid, p)
            except psutil.NoSuchProcess:
                continue

    def listening(self) -> set[str]:
        """``host:port`` of every socket a process of this stack listens on."""
        self.note_descendants()
        addresses = set()
        for p in self.seen.values():
            try:
                conns = p.net_connections(kind="inet")
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            addresses |= {f"{c.laddr.ip}:{c.laddr.port}" for c in conns if c.status == psutil.CONN_LISTEN}
        return addresses

    def dead(self) -> list[str]:
        """Names of components that exited although they should still be running."""
        return [name for name, proc in zip(self.logs, self.processes, strict=True) if proc.poll() is not None]

    def alive(self) -> list[psutil.Process]:
        """Processes this stack started (directly or below) that still run."""
        alive = []
        for p in self.seen.values():
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                continue
        return alive

    def stop(self, grace: float = 20.0) -> list[psutil.Process]:
        """SIGTERM every process group, then SIGKILL what remains after ``grace``; returns survivors."""
        self.note_descendants()
        for proc in self.processes:
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.alive():
            for proc in self.processes:
                proc.poll()  # reap our direct children so they do not linger as zombies
            time.sleep(0.5)
        for p in self.alive():
            _signal_group(p.pid, signal.SIGKILL)
            with suppress(psutil.NoSuchProcess):
                p.kill()
        for proc in self.processes:
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        psutil.wait_procs(list(self.seen.values()), timeout=5)
        for log in self._log_files:
            log.close()
        return self.alive()

    def failure_context(self) -> str:
        """Failed task instances, tails of the component logs and of the task logs that logged errors."""
        failed = self.query("SELECT run_id, task_id, map_index FROM task_instance WHERE state = 'failed' "
                            "ORDER BY end_date")
        parts = [f"failed task instances: {failed}"] + [tail(path) for path in self.logs.values()]
        task_logs = sorted((self.airflow_home / "logs").glob("dag_id=*/**/*.log"),
                           key=lambda p: p.stat().st_mtime)
        with_errors = [p for p in task_logs if '"level":"error"' in p.read_text(errors="replace")]
        parts += [tail(path, 40) for path in (with_errors[:3] or task_logs[-3:])]
        return "\n".join(parts)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the metadata DB directly: much cheaper than an ``airflow`` CLI start per poll."""
        import psycopg2

        conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=self.database)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        finally:
            conn.close()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(os.getpgid(pid), sig)


def stack_env(base: dict[str, str], database: str, api_port: int, *, parallelism: int = 2) -> dict[str, str]:
    """Airflow settings for a LocalExecutor deployment on PostgreSQL with a local execution API."""
    env = dict(base)
    env.update({
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(database),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex + uuid.uuid4().hex,
        "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # Only the runs the test creates: no scheduled run of "today" competing for the two cores.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
    })
    return env
