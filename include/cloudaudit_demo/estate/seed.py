"""Seed a running estate: a deterministic, multi-country estate with known exposures.

``seed_estate(info, seed=...)`` builds the plan for the seed (``plan.build_plan``), applies it
through the real client libraries (boto3 against moto, google-cloud-storage against the
storage emulators, google-cloud-bigquery against our BigQuery emulator) and writes into the
state directory ``truth.json`` (what a correct audit reports) and ``planted.json`` (every
planted synthetic PII value, for leak tests only). Values are never logged.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from cloudaudit_demo.estate.info import EstateInfo
from cloudaudit_demo.estate.plan import EstatePlan, build_plan
from cloudaudit_demo.estate.truth import build_truth, planted_json

log = logging.getLogger(__name__)

DEFAULT_SEED = 20261120
TRUTH_FILE = "truth.json"
PLANTED_FILE = "planted.json"


def apply_plan(plan: EstatePlan, *, moto_url: str, storage_urls: dict[str, str], bigquery_url: str) -> None:
    """Create every planned resource on the emulators at these URLs."""
    from cloudaudit_demo.estate.seed_aws import seed_account
    from cloudaudit_demo.estate.seed_gcp import seed_project

    for account in plan.aws:
        seed_account(moto_url, account)
    for project in plan.gcp:
        seed_project(storage_urls[project.env.project_id], bigquery_url, project)


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def write_truth(plan: EstatePlan, state_dir: Path) -> dict[str, Any]:
    """Write ``truth.json`` and ``planted.json`` for ``plan``; returns the truth."""
    truth = build_truth(plan)
    state_dir.mkdir(parents=True, exist_ok=True)
    _write_json(state_dir / TRUTH_FILE, truth)
    _write_json(state_dir / PLANTED_FILE, planted_json(plan))
    return truth


def seed_estate(info: EstateInfo, *, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Seed the running estate ``info`` describes; returns the truth written beside it."""
    plan = build_plan(seed)
    apply_plan(plan, moto_url=info.moto_url, storage_urls=info.storage_urls, bigquery_url=info.bigquery_url)
    truth = write_truth(plan, info.state_dir)
    log.info("seeded estate (seed %d): %d environments, %d resources, %d samples", seed,
             len(truth["environments"]), len(truth["resources"]), len(truth["samples"]))
    return truth
