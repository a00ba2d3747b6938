"""The estate manager: emulators on loopback, PID records, rendered inventory, no orphans.

One unseeded estate serves the module (starting it takes about a second); tests that stop
or break an estate start their own.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudaudit.config import inventory_path, load_inventory
from cloudaudit.errors import ConfigError, EstateError
from cloudaudit_demo.estate import layout, manager
from cloudaudit_demo.estate.info import EstateInfo
from cloudaudit_demo.estate.manager import (
    estate_status,
    running_estate,
    start_estate,
    stop_estate,
)
from cloudaudit_demo.estate.ports import CLOSED_PORT, is_listening
from cloudaudit_demo.estate.processes import group_alive, is_alive, spawn, terminate_group


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EstateInfo]:
    state_dir = tmp_path_factory.mktemp("state") / "estate"
    info = start_estate(state_dir, seed=False)
    try:
        yield info
    finally:
        stop_estate(state_dir)


def _alive(info: EstateInfo) -> list[str]:
    return [e.name for e in info.emulators if is_alive(e.pid) or group_alive(e.pid)]


def test_every_emulator_runs_on_loopback_and_answers(estate: EstateInfo) -> None:
    kinds = sorted(e.kind for e in estate.emulators)
    assert kinds == sorted(["moto", "bigquery"] + ["storage"] * len(layout.gcp_projects()))
    assert {e.project for e in estate.emulators if e.kind == "storage"} == {p.project_id for p in layout.gcp_projects()}
    assert len({e.port for e in estate.emulators}) == len(estate.emulators)
    for emulator in estate.emulators:
        assert emulator.url == f"http://127.0.0.1:{emulator.port}"
        assert is_listening("127.0.0.1", emulator.port), emulator.name
        assert Path(emulator.log).is_file()
        assert os.getpgid(emulator.pid) == emulator.pid  # its own process group
        assert os.getpgid(emulator.pid) != os.getpgid(0)


def test_estate_json_records_pids_ports_urls_and_start_time(estate: EstateInfo) -> None:
    data = json.loads((estate.state_dir / manager.STATE_FILE).read_text())
    assert data["started_at"] == estate.started_at
    assert data["seeded"] is False
    recorded = {e["name"]: (e["pid"], e["port"], e["url"]) for e in data["emulators"]}
    assert recorded == {e.name: (e.pid, e.port, e.url) for e in estate.emulators}
    assert estate_status(estate.state_dir) == estate


def test_starting_twice_returns_the_running_estate(estate: EstateInfo) -> None:
    again = start_estate(estate.state_dir, seed=False)
    assert again == estate
    assert [e.pid for e in again.emulators] == [e.pid for e in estate.emulators]


def test_rendered_inventory_points_at_the_running_emulators(estate: EstateInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    inventory = load_inventory(estate.inventory_path)
    assert [e.name for e in inventory.environments] == [e.name for e in layout.ENVIRONMENTS]
    assert len(inventory.country_codes) >= 6
    for env in inventory.environments:
        if env.provider == "aws":
            reachable = layout.environment(env.name).reachable  # type: ignore[union-attr]
            assert env.endpoint_url == (estate.moto_url if reachable else f"http://127.0.0.1:{CLOSED_PORT}")
            assert env.role_arn == f"arn:aws:iam::{env.account_id}:role/cloudaudit-reader"
        else:
            assert env.bigquery_endpoint == estate.bigquery_url
            assert env.storage_endpoint == estate.storage_url(env.project_id or "")
    # Even with an estate running where the state root points, an unset CLOUDAUDIT_INVENTORY
    # is an error: a run never audits the demo's inventory by default.
    monkeypatch.delenv("CLOUDAUDIT_INVENTORY", raising=False)
    monkeypatch.setenv("CLOUDAUDIT_STATE", str(estate.state_dir.parent))
    with pytest.raises(ConfigError, match="CLOUDAUDIT_INVENTORY is not set"):
        inventory_path()
    assert not is_listening("127.0.0.1", CLOSED_PORT)


def test_stop_ends_every_process_and_removes_the_records(tmp_path: Path) -> None:
    info = start_estate(tmp_path / "estate", seed=False)
    assert _alive(info) == [e.name for e in info.emulators]
    stop_estate(info.state_dir)
    assert _alive(info) == []
    assert not any(is_listening("127.0.0.1", e.port) for e in info.emulators)
    assert estate_status(info.state_dir) is None
    assert not info.inventory_path.exists()  # it would point at dead ports
    assert Path(info.emulators[0].log).exists()  # logs are kept
    stop_estate(info.state_dir)  # stopping again is a no-op


def test_running_estate_stops_even_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="test body failed"), running_estate(tmp_path / "estate", seed=False) as info:
        assert _alive(info) == [e.name for e in info.emulators]
        raise RuntimeError("test body failed")
    assert _alive(info) == []
    assert estate_status(tmp_path / "estate") is None


def test_a_failed_seeding_stops_the_emulators(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudaudit_demo.estate import seed

    def failing_seed(info: EstateInfo, *, seed: int) -> None:
        seeded.append(info)
        raise RuntimeError("seeding failed")

    seeded: list[EstateInfo] = []
    monkeypatch.setattr(seed, "seed_estate", failing_seed)
    with pytest.raises(RuntimeError, match="seeding failed"):
        start_estate(tmp_path / "estate", seed=True)
    assert len(seeded) == 1 and _alive(seeded[0]) == []
    assert estate_status(tmp_path / "estate") is None
    assert not (tmp_path / "estate" / manager.INVENTORY_FILE).exists()


def test_a_recorded_pid_that_now_runs_something_else_is_left_alone(tmp_path: Path) -> None:
    state = tmp_path / "estate"
    state.mkdir()
    stranger = spawn([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "stranger.log")
    try:
        record = EstateInfo(state_dir=state, started_at="2026-11-20T00:00:00+00:00", emulators=(
            manager.EmulatorInfo("moto", "moto", stranger, 5000, "http://127.0.0.1:5000", str(tmp_path / "m.log")),))
        (state / manager.STATE_FILE).write_text(json.dumps(record.to_json()))
        assert not manager.emulator_alive(record.emulators[0])
        stop_estate(state)
        assert is_alive(stranger)
        assert estate_status(state) is None
    finally:
        assert terminate_group(stranger, grace_s=1)


def test_a_partly_dead_estate_is_restarted(tmp_path: Path) -> None:
    info = start_estate(tmp_path / "estate", seed=False)
    try:
        victim = info.emulators[0]
        os.killpg(victim.pid, signal.SIGKILL)
        assert terminate_group(victim.pid, grace_s=1)
        fresh = start_estate(info.state_dir, seed=False)
        assert {e.pid for e in fresh.emulators}.isdisjoint({e.pid for e in info.emulators})
        assert _alive(info) == []  # the survivors of the old estate were stopped
        assert _alive(fresh) == [e.name for e in fresh.emulators]
    finally:
        stop_estate(info.state_dir)


def test_an_emulator_that_fails_to_start_is_named_with_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_plans, real_spawn = manager._plans, manager.spawn
    broken = manager._Plan("broken", "moto", (sys.executable, "-c", "import sys; print('no such flag'); sys.exit(3)"),
                           "/")
    spawned: list[int] = []

    def recording_spawn(argv: list[str], log_path: Path) -> int:
        spawned.append(real_spawn(argv, log_path))
        return spawned[-1]

    monkeypatch.setattr(manager, "_plans", lambda: [*real_plans()[:2], broken])
    monkeypatch.setattr(manager, "spawn", recording_spawn)
    with pytest.raises(EstateError) as raised:
        start_estate(tmp_path / "estate", seed=False)
    message = str(raised.value)
    assert "emulator broken exited" in message
    assert str(tmp_path / "estate" / "logs" / "broken.log") in message
    assert "no such flag" in message  # the log's last lines
    assert estate_status(tmp_path / "estate") is None
    # The emulators that did start were stopped again: nothing is left behind.
    assert len(spawned) == 3
    assert [pid for pid in spawned if is_alive(pid) or group_alive(pid)] == []


def test_an_emulator_that_loses_its_port_is_started_on_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port, real_plans = manager.free_port, manager._plans
        monkeypatch.setattr(manager, "free_port", lambda: next(ports, None) or real_free_port())
        monkeypatch.setattr(manager, "_plans", lambda: [p for p in real_plans() if p.kind == "moto"])
        (moto,) = manager._start_emulators(tmp_path)
        try:
            assert moto.port != taken
            assert is_listening("127.0.0.1", moto.port)
            assert "in use" in Path(moto.log).read_text()  # the first attempt's complaint
        finally:
            assert manager._stop_emulators([moto]) == []


def test_terminate_group_kills_children_and_sigterm_ignorers(tmp_path: Path) -> None:
    script = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); print('up', flush=True); "
              "time.sleep(60)")
    pid = spawn([sys.executable, "-c", script], tmp_path / "stubborn.log")
    assert manager.wait_until(lambda: "up" in (tmp_path / "stubborn.log").read_text(), deadline_s=20)
    assert group_alive(pid)
    assert terminate_group(pid, grace_s=0.5)
    assert not group_alive(pid)
    assert not is_alive(pid)


def test_example_inventory_matches_the_layout_at_default_ports() -> None:
    import yaml

    from cloudaudit.config import CONFIG_DIR

    example = CONFIG_DIR / "inventory.yaml"
    assert yaml.safe_load(example.read_text(encoding="utf-8")) == layout.example_inventory()
    inventory = load_inventory(example)
    assert [e.name for e in inventory.environments] == [e.name for e in layout.ENVIRONMENTS]
    storage = {e.storage_endpoint for e in inventory.environments if e.provider == "gcp"}
    assert len(storage) == len(layout.gcp_projects())  # one Cloud Storage emulator per project
