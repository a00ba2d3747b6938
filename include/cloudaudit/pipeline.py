"""The daily job's steps, called one per Airflow task: plan → extract → by_country → validate → publish.

Everything crossing a task boundary is small and JSON-able (keys into the state store,
counts); snapshots and validation results live in the state store (``CLOUDAUDIT_STATE``),
reports in the output store (``CLOUDAUDIT_OUTPUT``).
"""

from __future__ import annotations

import logging
import math
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cloudaudit import __version__
from cloudaudit.config import (
    CountryPolicy,
    Environment,
    Inventory,
    Limits,
    available_policies,
    default_policy,
    load_inventory,
    load_policy,
    output_root,
    signing_key_path,
    state_root,
)
from cloudaudit.errors import CollectError, ConfigError
from cloudaudit.model import CoverageStatus, EnvironmentRef, Finding, Provider, Snapshot
from cloudaudit.store import state
from cloudaudit.store.backend import Store, open_store

log = logging.getLogger(__name__)

MODES = ("auto", "replay", "live")
MAX_MAPPED = 512  # mapped extract tasks per run; well under Airflow's max_map_length (1024)


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- plan -----------------------------------------------------------------------------


def plan(params: Mapping[str, Any], run_date: str, inventory: Inventory | None = None) -> list[dict[str, Any]]:
    """Which environments to extract, in chunks (one mapped task each) of one country each."""
    inventory = inventory or load_inventory()
    mode = str(params.get("mode") or "auto")
    if mode not in MODES:
        raise ConfigError(f"params.mode: expected one of {', '.join(MODES)}, got {mode!r}")
    wanted_countries = {str(c).upper() for c in params.get("countries") or []}
    wanted_envs = {str(e) for e in params.get("environments") or []}
    known = {e.name for e in inventory.environments}
    if unknown := sorted(wanted_envs - known):
        raise ConfigError(f"params.environments: not in the inventory: {', '.join(unknown)}")
    if unknown_cc := sorted(wanted_countries - set(inventory.country_codes)):
        raise ConfigError(f"params.countries: no environment of {', '.join(unknown_cc)} in the inventory")
    selected = [
        e for e in inventory.environments
        if (not wanted_countries or e.country in wanted_countries) and (not wanted_envs or e.name in wanted_envs)
    ]
    size = max(1, math.ceil(len(selected) / MAX_MAPPED))
    chunks: list[dict[str, Any]] = []
    countries = sorted({e.country for e in selected})
    for country in countries:
        names = [e.name for e in selected if e.country == country]
        chunks += [
            {"country": country, "environments": names[i:i + size], "run_date": run_date, "mode": mode}
            for i in range(0, len(names), size)
        ]
    log.info("plan %s (%s): %d environments in %d chunks, countries %s", run_date, mode, len(selected),
             len(chunks), ",".join(countries))
    return chunks


# ---- extract --------------------------------------------------------------------------


def _env_ref(env: Environment) -> EnvironmentRef:
    return EnvironmentRef(name=env.name, country=env.country, provider=Provider(env.provider),
                          account_id=env.account_id, project_id=env.project_id)


def not_assessed_snapshot(env: Environment, run_date: str, reason: str, *, mode: str = "live") -> Snapshot:
    return Snapshot(environment=_env_ref(env), run_date=run_date, captured_at=now_utc(), mode=mode,
                    status=CoverageStatus.NOT_ASSESSED, reason=reason)


def live_snapshot(env: Environment, run_date: str, limits: Limits) -> Snapshot:
    """Read the cloud now. Never raises for a cloud failure: it becomes NOT_ASSESSED."""
    from cloudaudit.collectors import collect_environment

    started = time.monotonic()
    captured_at = now_utc()
    try:
        collected = collect_environment(env, limits)
    except CollectError as exc:
        log.warning("environment %s not assessed: %s", env.name, exc)
        return not_assessed_snapshot(env, run_date, str(exc))
    except Exception as exc:  # a bug or an unexpected library error: keep the run going, say what
        # Only the type and the frames: a library's message may quote sampled data.
        frames = "".join(traceback.format_tb(exc.__traceback__)[-3:])
        log.error("environment %s: collector failed with %s\n%s", env.name, type(exc).__name__, frames)
        return not_assessed_snapshot(env, run_date, f"collector error: {type(exc).__name__}")
    return Snapshot(
        environment=_env_ref(env), run_date=run_date, captured_at=captured_at, mode="live",
        account=collected.account, account_read_errors=collected.account_read_errors,
        resources=tuple(collected.resources), limits=limits.as_dict(),
        duration_s=round(time.monotonic() - started, 3),
    )


def _summary(snapshot: Snapshot, key: str | None, source: str) -> dict[str, Any]:
    samples = [s for r in snapshot.resources for s in r.samples]
    return {
        "environment": snapshot.environment.name,
        "country": snapshot.environment.country,
        "snapshot": key,
        "source": source,
        "status": snapshot.status.value,
        "reason": snapshot.reason,
        "resources": len(snapshot.resources),
        "samples": len(samples),
        "fields_with_pii": sum(1 for s in samples for f in s.fields if f.pii),
    }


def extract_environment(env: Environment, run_date: str, mode: str, *, store: Store | None = None,
                        limits: Limits | None = None) -> dict[str, Any]:
    """One environment: replay its stored snapshot or read it live; returns a small summary."""
    store = store or open_store(state_root())
    key = state.snapshot_key(run_date, env.name)
    if mode in ("auto", "replay"):
        stored = state.read_snapshot(store, key)
        if stored is not None:
            log.info("%s: replaying snapshot captured %s", env.name, stored.captured_at)
            return _summary(stored, key, "replay")
        if mode == "replay":
            log.warning("%s: no snapshot for %s, replay mode does not read the cloud", env.name, run_date)
            snap = not_assessed_snapshot(env, run_date, f"replay: no snapshot for {run_date}", mode="replay")
            return _summary(snap, None, "replay")
    snapshot = live_snapshot(env, run_date, limits or Limits.from_env())
    state.write_snapshot(store, snapshot)
    summary = _summary(snapshot, key, "live")
    log.info("%s: %s, %d resources, %d samples, %d fields with PII (%.1fs)", env.name, snapshot.status.value,
             summary["resources"], summary["samples"], summary["fields_with_pii"], snapshot.duration_s)
    return summary


def extract_chunk(chunk: Mapping[str, Any], inventory: Inventory | None = None) -> list[dict[str, Any]]:
    """The extract task: the only one that handles raw samples, so its logs are filtered too."""
    from cloudaudit.pii.guard import install_log_filter

    install_log_filter()
    inventory = inventory or load_inventory()
    store = open_store(state_root())
    limits = Limits.from_env()
    return [
        extract_environment(inventory.environment(name), chunk["run_date"], chunk["mode"], store=store,
                            limits=limits)
        for name in chunk["environments"]
    ]


# ---- by country -------------------------------------------------------------------------


def group_by_country(chunks: Sequence[Mapping[str, Any]],
                     extracted: Iterable[Sequence[Mapping[str, Any]] | None]) -> list[dict[str, Any]]:
    """One validation job per planned country, even when none of its environments could be read."""
    summaries = {s["environment"]: s for part in extracted if part for s in part}
    jobs = []
    for country in sorted({c["country"] for c in chunks}):
        names = [n for c in chunks if c["country"] == country for n in c["environments"]]
        job: dict[str, Any] = {"country": country, "run_date": chunks[0]["run_date"], "snapshots": [],
                               "missing": []}
        for name in names:
            summary = summaries.get(name)
            if summary is None:
                job["missing"].append({"environment": name, "reason": "extract task failed"})
            elif summary["snapshot"] is None:
                job["missing"].append({"environment": name, "reason": summary["reason"]})
            else:
                job["snapshots"].append(summary["snapshot"])
        jobs.append(job)
    return jobs


# ---- validate ---------------------------------------------------------------------------


def country_policy(country: str, inventory: Inventory) -> CountryPolicy:
    """The country's reviewed policy; a country without one gets a conservative default, flagged."""
    if country in available_policies():
        return load_policy(country, inventory)
    log.warning("no policy file for %s: using the default policy", country)
    return default_policy(country, inventory)


def validate_job(job: Mapping[str, Any], inventory: Inventory | None = None) -> dict[str, Any]:
    """Run the country's checks over its snapshots; store the result for publish."""
    from cloudaudit.checks.validate import apply_first_seen, validate_country

    inventory = inventory or load_inventory()
    store = open_store(state_root())
    country, run_date = job["country"], job["run_date"]
    policy = country_policy(country, inventory)
    stored = [s for key in job["snapshots"] if (s := state.read_snapshot(store, key)) is not None]
    # Environments with no snapshot (replay without one, a crashed extract): NOT_ASSESSED stand-ins,
    # kept with the validation result because no snapshot file holds them.
    stand_ins = [not_assessed_snapshot(inventory.environment(m["environment"]), run_date, m["reason"],
                                       mode="replay") for m in job["missing"]]
    validation = validate_country(country, policy, [*stored, *stand_ins])
    findings = apply_first_seen(validation.findings, state.failure_history(store, country, run_date), run_date)
    failed = {f.key for f in findings if f.status.value == "FAIL"}
    state.write_failures(store, country, run_date, failed)
    key = state.validation_key(run_date, country)
    state.write_json(store, key, {
        "country": country,
        "run_date": run_date,
        "policy": policy.model_dump(mode="json"),
        "snapshots": job["snapshots"],
        "findings": [f.model_dump(mode="json") for f in findings],
        "pii_inventory": [r.model_dump(mode="json") for r in validation.pii_inventory],
        "resources": [r.model_dump(mode="json") for r in validation.resources],
        "coverage": [r.model_dump(mode="json") for r in validation.coverage],
        "gx_results": validation.gx_results,
        "data_docs": validation.data_docs,
        "not_assessed": [s.model_dump(mode="json") for s in stand_ins],
    })
    counts = _counts(findings)
    log.info("validated %s %s: %d findings, FAIL by severity %s", country, run_date, len(findings), counts)
    return {"country": country, "run_date": run_date, "validation": key, "fail_by_severity": counts}


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    """FAIL findings per severity, the non-zero ones, for XCom and the Asset event."""
    from cloudaudit.reports.summary import fail_counts_by_severity

    return {severity.value: n for severity, n in fail_counts_by_severity(findings).items() if n}


# ---- publish ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    country: str
    run_date: str
    spreadsheet: str
    bundle: str
    bundle_sha256: str
    counts: dict[str, Any]


def _signing_key() -> Any:
    """The Ed25519 key from ``CLOUDAUDIT_SIGNING_KEY`` (a PEM file), else from the Airflow
    connection named by ``CLOUDAUDIT_SIGNING_CONN_ID`` (PEM in its password), else a key kept
    in the state directory (created on first use, with a warning: fine for a demo, not for audits)."""
    import os

    from cloudaudit.evidence.signing import (
        load_or_create_private_key,
        load_private_key,
        load_private_key_from_connection,
    )

    path = signing_key_path()
    if path is not None:
        return load_private_key(path)
    conn_id = os.environ.get("CLOUDAUDIT_SIGNING_CONN_ID")
    if conn_id:
        return load_private_key_from_connection(conn_id)
    root = state_root()
    fallback = Path(root) / "signing_key.pem" if "://" not in root else Path.home() / ".cloudaudit" / "signing_key.pem"
    log.warning("CLOUDAUDIT_SIGNING_KEY is not set: signing with %s", fallback)
    return load_or_create_private_key(fallback)


def publish_country(validated: Mapping[str, Any], *, dag_id: str = "cloudaudit_daily",
                    run_id: str = "manual") -> Published:
    """Write the country's spreadsheet and signed evidence bundle to the output store."""
    from cloudaudit.config import CountryPolicy
    from cloudaudit.evidence.bundle import build_bundle
    from cloudaudit.model import CoverageRow, PiiInventoryRow, ResourceRow
    from cloudaudit.reports.model import CountryReport
    from cloudaudit.reports.xlsx import render_workbook
    from cloudaudit.store.publication import publish

    store = open_store(state_root())
    data = state.read_json(store, validated["validation"])
    if data is None:
        raise ConfigError(f"{validated['validation']}: validation result missing from the state store")
    country, run_date = data["country"], data["run_date"]
    policy = CountryPolicy.model_validate(data["policy"])
    findings = [Finding.model_validate(f) for f in data["findings"]]
    snapshots = {key: store.read_bytes(key) or b"" for key in data["snapshots"]}
    read = [Snapshot.model_validate_json(raw) for raw in snapshots.values() if raw]
    parsed = read + [Snapshot.model_validate(s) for s in data.get("not_assessed", [])]
    # Stand-ins for unread environments captured nothing: they say nothing about capture times.
    captured = sorted(s.captured_at for s in read) or sorted(s.captured_at for s in parsed) or [now_utc()]
    generated_at = now_utc()
    report = CountryReport(
        country=country, run_date=run_date, captured_at_min=captured[0], captured_at_max=captured[-1],
        captured_late=any(s.captured_late for s in read), policy=policy, findings=findings,
        pii_inventory=[PiiInventoryRow.model_validate(r) for r in data["pii_inventory"]],
        resources=[ResourceRow.model_validate(r) for r in data["resources"]],
        coverage=[CoverageRow.model_validate(r) for r in data["coverage"]],
        generated_at=generated_at, dag_id=dag_id, run_id=run_id, tool_version=__version__,
    )
    xlsx_name = f"compliance_{country}_{run_date}.xlsx"
    workbook = render_workbook(report)
    members = _bundle_members(parsed, snapshots, data, xlsx_name, workbook)
    out = open_store(output_root())
    previous = state.previous_bundle(store, country, run_date)  # (run date, SHA-256): skipped days are skipped
    bundle = build_bundle(
        country=country, run_date=run_date, dag_id=dag_id, run_id=run_id, generated_at=generated_at,
        captured_at=captured[-1], tool_version=__version__, policy_digest=policy.digest(), members=members,
        previous_bundle_sha256=previous[1] if previous else None,
        previous_bundle_run_date=previous[0] if previous else None, private_key=_signing_key(),
    )
    counts = {"fail_by_severity": _counts(findings), "findings": len(findings),
              "pii_fields": len(report.pii_inventory), "resources": len(report.resources),
              "not_assessed": sum(1 for c in report.coverage if c.status is CoverageStatus.NOT_ASSESSED)}
    # Commit (replacing an earlier run of the date), then write both files from the committed
    # bundle (see store.publication): a killed, retried or concurrent run never leaves a partial
    # file, and concurrent runs end with the last commit's pair.
    published = publish(store, out, bundle, summary=counts)
    sheet_at, bundle_at, sha, counts = (published.spreadsheet, published.bundle, published.bundle_sha256,
                                        published.summary)
    state.write_json(store, f"runs/{run_date}/{country}/published.json",
                     {"spreadsheet": sheet_at, "bundle": bundle_at, "bundle_sha256": sha, "counts": counts})
    log.info("published %s %s: %s and %s", country, run_date, sheet_at, bundle_at)
    return Published(country, run_date, sheet_at, bundle_at, sha, counts)


def _bundle_members(snapshots: Sequence[Snapshot], raw: Mapping[str, bytes], data: Mapping[str, Any],
                    xlsx_name: str, workbook: bytes) -> dict[str, bytes]:
    members: dict[str, bytes] = {xlsx_name: workbook}
    for key, blob in raw.items():
        if blob:
            members[f"snapshots/{key.rsplit('/', 1)[-1]}"] = blob
    for snap in snapshots:
        name = snap.environment.name
        if f"snapshots/{name}.json" not in members:
            members[f"snapshots/{name}.json"] = snap.model_dump_json(indent=1).encode()
        rows = [r for r in data["pii_inventory"] if r["environment"] == name]
        fields = [
            {"resource": s.resource, "format": s.format, "rows_sampled": s.rows_sampled,
             "fields": [f.model_dump(mode="json") for f in s.fields if f.pii]}
            for r in snap.resources for s in r.samples if any(f.pii for f in s.fields)
        ]
        members[f"pii/{name}.json"] = state.json_bytes({"environment": name, "inventory": rows, "samples": fields})
    for suite, result in (data.get("gx_results") or {}).items():
        members[f"validation/{suite}.json"] = state.json_bytes(result)
    for path, html in (data.get("data_docs") or {}).items():
        members[path if path.startswith("data_docs/") else f"data_docs/{path}"] = html.encode()
    return members
