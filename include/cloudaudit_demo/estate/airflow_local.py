"""`make airflow`: the demo estate and a local Airflow UI in one command, until Ctrl-C.

Starts the seeded demo estate, then api-server, scheduler, dag-processor and triggerer
(LocalExecutor, SQLite metadata DB, SimpleAuthManager with one admin) with every
``CLOUDAUDIT_*`` variable set, unpauses ``cloudaudit_daily`` and prints the URL and login.
Everything lives under ``DEMO_DIR`` (default ``.demo``), so runs and reports survive a restart.
Ctrl-C (or SIGTERM) stops every Airflow process group and the estate, and returns only once
no process started here is left: each component is its own session, and every descendant seen
while running is remembered by PID and killed if it outlives its group.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

DAG_ID = "cloudaudit_daily"
REPO = Path(__file__).resolve().parents[3]
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8080
ADMIN = "admin"
READY_TIMEOUT_S = 600.0  # a cold start on a busy 2-core machine: migration, four interpreters, parsing
STOP_GRACE_S = 20.0
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("api-server", ("api-server", "--host", LOOPBACK, "--port", "{port}", "--workers", "1")),  # first
    # No log servers: they would bind every interface; with LocalExecutor the api-server reads
    # task logs from the local files.
    ("scheduler", ("scheduler", "--skip-serve-logs")),
    ("dag-processor", ("dag-processor",)),
    ("triggerer", ("triggerer", "--skip-serve-logs")),
)
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


class LaunchError(RuntimeError):
    """Airflow could not be brought up (a component exited, or did not become ready in time)."""


@dataclass
class Components:
    """The Airflow processes started here, each in its own session, with their logs."""

    log_dir: Path
    env: dict[str, str] = field(repr=False)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    seen: dict[int, Any] = field(default_factory=dict, repr=False)  # pid -> psutil.Process
    _logs: list[IO[bytes]] = field(default_factory=list, repr=False)

    def start(self, name: str, args: Sequence[str]) -> None:
        airflow = str(Path(sys.executable).with_name("airflow"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self._logs.append(log)
        self.procs[name] = subprocess.Popen([airflow, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        self.note_descendants()

    def note_descendants(self) -> None:
        """Remember every process below ours (task supervisors, uvicorn and parser children)."""
        import psutil

        for proc in self.procs.values():
            with suppress(psutil.NoSuchProcess):
                root = psutil.Process(proc.pid)
                for p in [root, *root.children(recursive=True)]:
                    self.seen.setdefault(p.pid, p)

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def alive(self) -> list[Any]:
        import psutil

        alive = []
        for p in self.seen.values():
            with suppress(psutil.NoSuchProcess):
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        return alive

    def stop(self, grace: float = STOP_GRACE_S) -> list[int]:
        """SIGTERM every group, SIGKILL whatever is left after ``grace``; returns PIDs still alive."""
        import psutil

        self.note_descendants()
        for proc in self.procs.values():
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.alive():
            for proc in self.procs.values():
                proc.poll()  # reap our direct children
            time.sleep(0.3)
        for p in self.alive():
            _signal_group(p.pid, signal.SIGKILL)
            with suppress(psutil.NoSuchProcess):
                p.kill()
        for proc in self.procs.values():
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        psutil.wait_procs(list(self.seen.values()), timeout=5)
        for log in self._logs:
            log.close()
        return [p.pid for p in self.alive()]


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(os.getpgid(pid), sig)


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def choose_port(wanted: int) -> int:
    """``wanted`` if free, else any free loopback port (0 asks for one directly)."""
    from cloudaudit_demo.estate.ports import free_port

    return wanted if wanted and port_is_free(wanted) else free_port()


def admin_password(path: Path) -> str:
    """The admin's password, kept in SimpleAuthManager's passwords file so it survives restarts."""
    with suppress(FileNotFoundError, ValueError, KeyError):
        return str(json.loads(path.read_text())[ADMIN])
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({ADMIN: password}) + "\n")
    path.chmod(0o600)
    return password


def local_env(root: Path, port: int, inventory: Path, *, schedule: bool = True,
              base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every component: the demo's Airflow settings plus the local server's."""
    from cloudaudit_demo.demo import airflow_env

    home = root / "airflow-local"
    state = root / "state"
    env = airflow_env(home, base=dict(os.environ) if base is None else base)
    env.update({
        "CLOUDAUDIT_INVENTORY": str(inventory),
        "CLOUDAUDIT_STATE": str(state),
        "CLOUDAUDIT_OUTPUT": str(root / "output"),
        "CLOUDAUDIT_SIGNING_KEY": str(state / "signing_key.pem"),
        "CLOUDAUDIT_TASK_RETRIES": env.get("CLOUDAUDIT_TASK_RETRIES") or "0",  # show a failure at once
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM") or "2",
        # Paused until the launcher unpauses it, once the api-server answers (see run()).
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{LOOPBACK}:{port}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API__HOST": LOOPBACK,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://{LOOPBACK}:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": _kept_secret(home / "jwt_secret", 64),
        "AIRFLOW__API__SECRET_KEY": _kept_secret(home / "api_secret_key", 32),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        # The auditors' portal (Browse → Compliance reports): SimpleAuthManager cannot tell countries
        # apart, so this one-person stack grants its admin every country explicitly.
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "CLOUDAUDIT_PORTAL_ACCESS": "grants",
        "CLOUDAUDIT_PORTAL_GRANTS": '{"role:admin": ["*"]}',
        "CLOUDAUDIT_PORTAL_URL": f"http://{LOOPBACK}:{port}",
    })
    if not schedule:  # only the runs one triggers (tests): no scheduled run competing for the cores
        env["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] = "False"
    return env


def _kept_secret(path: Path, size: int) -> str:
    """A random secret made once per AIRFLOW_HOME: tokens stay valid across restarts, and no two homes share one."""
    with suppress(FileNotFoundError):
        value = path.read_text().strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(size)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _http(method: str, url: str, body: dict[str, Any] | None = None, token: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


def wait_until(probe: Callable[[], Any], what: str, components: Components, timeout: float,
               stop: threading.Event) -> Any:
    """Poll ``probe`` until it returns a value; fail when a component exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not stop.is_set():
        components.note_descendants()
        if dead := components.dead():
            raise LaunchError(f"{', '.join(dead)} exited while waiting for {what}: see {components.log_dir}")
        with suppress(OSError):
            value = probe()
            if value is not None:
                return value
        if time.monotonic() > deadline:
            raise LaunchError(f"{what} not ready after {timeout:.0f}s: see {components.log_dir}")
        stop.wait(2.0)
    return None


def token_for(base_url: str, password: str) -> str | None:
    status, body = _http("POST", f"{base_url}/auth/token", {"username": ADMIN, "password": password})
    return str(body["access_token"]) if status in (200, 201) and body else None


def dag_ready(base_url: str, token: str) -> bool | None:
    status, _ = _http("GET", f"{base_url}/api/v2/dags/{DAG_ID}", token=token)
    return True if status == 200 else None


def unpause(base_url: str, token: str) -> None:
    status, body = _http("PATCH", f"{base_url}/api/v2/dags/{DAG_ID}", {"is_paused": False}, token)
    if status != 200 or body.get("is_paused") is not False:
        raise LaunchError(f"could not unpause {DAG_ID}: HTTP {status}")


def banner(base_url: str, password: str, root: Path, log_dir: Path) -> str:
    return "\n".join([
        "",
        f"Airflow is up: {base_url}",
        f"  login     {ADMIN} / {password}",
        f"  DAG       {DAG_ID} (unpaused): open it, Trigger, set params countries/environments/mode",
        f"  reports   {root / 'output'}/<date>/<country>/",
        f"  logs      {log_dir}/",
        "Ctrl-C stops Airflow and the demo estate.",
        "",
    ])


def run(root: Path, port: int, *, schedule: bool = True, out: IO[str] | None = None) -> int:
    """Bring everything up, wait for Ctrl-C/SIGTERM (or a component exiting), stop everything."""
    from cloudaudit.errors import CloudauditError
    from cloudaudit.evidence.signing import load_or_create_private_key
    from cloudaudit_demo.demo import migrate
    from cloudaudit_demo.estate.manager import start_estate, stop_estate

    out = out or sys.stdout
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    estate_dir = root / "state" / "estate"
    components: Components | None = None
    code = 0
    try:
        print(f"starting the demo estate in {estate_dir} ...", file=out, flush=True)
        estate = start_estate(estate_dir, seed=True)
        env = local_env(root, port, estate.inventory_path, schedule=schedule)
        load_or_create_private_key(Path(env["CLOUDAUDIT_SIGNING_KEY"]))
        home = Path(env["AIRFLOW_HOME"])
        password = admin_password(Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]))
        migrate(home, env)
        components = Components(home / "logs" / "components", env)
        base_url = f"http://{LOOPBACK}:{port}"
        print(f"starting Airflow on {base_url} (api-server, scheduler, dag-processor, triggerer) ...",
              file=out, flush=True)
        # The api-server first: a task started before the Execution API answers fails at once,
        # and a DAG unpaused in an earlier session would be scheduled as soon as the scheduler runs.
        (first, first_args), *rest = COMPONENTS
        if not stop.is_set():  # Ctrl-C during the estate's start or the migration: start nothing more
            components.start(first, [a.replace("{port}", str(port)) for a in first_args])
        token = wait_until(lambda: token_for(base_url, password), "the api-server", components, READY_TIMEOUT_S, stop)
        for name, args in rest if token else []:
            components.start(name, args)
        if token and wait_until(lambda: dag_ready(base_url, token), f"{DAG_ID} to be parsed", components,
                                READY_TIMEOUT_S, stop):
            unpause(base_url, token)
            print(banner(base_url, password, root, components.log_dir), file=out, flush=True)
        while not stop.is_set():
            components.note_descendants()
            if dead := components.dead():
                raise LaunchError(f"{', '.join(dead)} exited: see {components.log_dir}")
            stop.wait(2.0)
    except (LaunchError, CloudauditError) as exc:
        print(f"make airflow: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("stopping Airflow and the demo estate ...", file=out, flush=True)
        left = components.stop() if components is not None else []
        stop_estate(estate_dir)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if left:
            print(f"processes that would not stop: {left}", file=sys.stderr, flush=True)
            code = 1
        print("stopped", file=out, flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cloudaudit_demo.estate.airflow_local", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("DEMO_DIR") or ".demo"),
                        help="where the estate, reports and AIRFLOW_HOME live (default: $DEMO_DIR or .demo)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT),
                        help=f"api-server port on {LOOPBACK} (default: $PORT or {DEFAULT_PORT}; a free one if taken)")
    parser.add_argument("--no-schedule", action="store_true",
                        help="only runs triggered by hand (no scheduled run as soon as the DAG is unpaused)")
    args = parser.parse_args(argv)
    port = choose_port(args.port)
    if args.port and port != args.port:
        print(f"port {args.port} is taken: using {port}", flush=True)
    return run(args.dir.resolve(), port, schedule=not args.no_schedule)


if __name__ == "__main__":
    sys.exit(main())
