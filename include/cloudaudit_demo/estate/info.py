"""What a running demo estate is: its emulators, where they listen, where its records live.

Shared by the manager (which starts and records an estate) and the seeder (which fills one),
so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cloudaudit.config import state_root
from cloudaudit.errors import EstateError

INVENTORY_FILE = "inventory.yaml"
FORMAT_VERSION = 1


def estate_dir() -> Path:
    """Where `cloudaudit estate up` keeps its PID files, ports and rendered inventory."""
    root = state_root()
    return Path(root) / "estate" if "://" not in root else Path.cwd() / ".cloudaudit-estate"


@dataclass(frozen=True)
class EmulatorInfo:
    """One running emulator: its process group leader, where it listens, where it logs."""

    name: str  # moto | bigquery | storage-<project>
    kind: str  # moto | bigquery | storage
    pid: int
    port: int
    url: str
    log: str
    project: str | None = None


@dataclass(frozen=True)
class EstateInfo:
    """What ``estate.json`` records about a running estate."""

    state_dir: Path
    started_at: str
    emulators: tuple[EmulatorInfo, ...]
    seeded: bool = False
    seed: int | None = None

    @property
    def moto_url(self) -> str:
        return self._one("moto").url

    @property
    def bigquery_url(self) -> str:
        return self._one("bigquery").url

    def storage_url(self, project: str) -> str:
        return self._one(f"storage-{project}").url

    @property
    def storage_urls(self) -> dict[str, str]:
        return {e.project: e.url for e in self.emulators if e.kind == "storage" and e.project}

    @property
    def inventory_path(self) -> Path:
        return self.state_dir / INVENTORY_FILE

    def __str__(self) -> str:
        names = ", ".join(f"{e.name} :{e.port}" for e in self.emulators)
        return f"{len(self.emulators)} emulators ({names}); inventory {self.inventory_path}"

    def _one(self, name: str) -> EmulatorInfo:
        for emulator in self.emulators:
            if emulator.name == name:
                return emulator
        raise EstateError(f"the estate in {self.state_dir} runs no emulator named {name}")

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION, "state_dir": str(self.state_dir), "started_at": self.started_at,
            "seeded": self.seeded, "seed": self.seed, "emulators": [asdict(e) for e in self.emulators],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], state_dir: Path) -> EstateInfo:
        return cls(
            state_dir=state_dir, started_at=str(data["started_at"]),
            emulators=tuple(EmulatorInfo(**e) for e in data["emulators"]),
            seeded=bool(data.get("seeded", False)), seed=data.get("seed"),
        )
