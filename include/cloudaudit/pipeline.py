"""The daily job's steps, called one per Airflow task: plan → extract → by_country → validate → publish.

Everything crossing a task boundary is small and JSON-able (keys into the state store,
counts); snapshots and validation results live in the state store (``CLOUDAUDIT_STATE``),
reports in the output store (``CLOUDAUDIT_OUTPUT``).
"""

from __future__ import annotations

import logging
import math
import resource
import sys
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudaudit import __version__
from cloudaudit.breach.report import notification_json, notification_rows, summary
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
    signing_key_generate,
    signing_key_path,
    state_root,
)
from cloudaudit.errors import CollectError, ConfigError
from cloudaudit.evidence.layout import snapshot_member
from cloudaudit.handover import Chunk, ExtractSummary, Job, Missing, ValidatedRef, ValidationRecord
from cloudaudit.model import CoverageStatus, EnvironmentRef, Finding, Provider, Resource, Snapshot
from cloudaudit.reports.model import CountryReport
from cloudaudit.store import state
from cloudaudit.store.backend import Store, open_store

if TYPE_CHECKING:
    from cloudaudit.incremental import CarryOver

log = logging.getLogger(__name__)

MODES = ("auto", "replay", "live")
MAX_MAPPED = 512  # mapped extract tasks per run; well under Airflow's max_map_length (1024)
# What each step imports that is heavy, imported first with ``import_detached``.
COLLECTOR_MODULES = {"aws": ("cloudaudit.collectors.aws.s3",),
                     "gcp": ("cloudaudit.collectors.gcp", "google.cloud.storage", "google.cloud.bigquery")}
VALIDATE_MODULES = ("great_expectations", "cloudaudit.checks.validate")
PUBLISH_MODULES = ("cloudaudit.reports.xlsx", "cloudaudit.evidence.bundle", "cloudaudit.evidence.members",
                   "cloudaudit.store.publication", "cloudaudit.evidence.signing")


def import_detached(*modules: str) -> None:
    """Import ``modules`` on a short-lived thread, if not imported yet.

    Some libraries keep an exception raised while they import (an optional dependency missing:
    ``google.cloud.bigquery`` keeps ``db_dtypes``'s ImportError), and its traceback keeps every
    frame up the stack alive, with its locals, for the life of the process. Imported from a step,
    that is the step's frames: a country's parsed snapshots, facts and findings, held until the
    process ends (the 5,000-bucket run kept ~100 MB so). On a thread, the frames kept are the
    thread's own (issue 18: flat memory)."""
    import importlib
    import sys
    import threading

    wanted = [name for name in modules if name not in sys.modules]
    if not wanted:
        return
    failed: list[BaseException] = []

    def load() -> None:
        for name in wanted:
            try:
                importlib.import_module(name)
            except BaseException as exc:  # raised again on the caller's thread
                failed.append(exc)
                return

    thread = threading.Thread(target=load, name="cloudaudit-import", daemon=True)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def peak_rss_mb() -> int:
    """This process's peak resident memory so far, in MB, for the task logs: what a worker needs
    for an estate of this size (one process per task on Celery; the whole run under ``dags test``).

    Linux's VmHWM, not ``ru_maxrss``: the latter survives fork and exec, so a process started by
    a large parent would report the parent's peak as its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: bytes on macOS, KiB elsewhere
    return peak // (1024 * 1024) if sys.platform == "darwin" else peak // 1024


# ---- plan -----------------------------------------------------------------------------


def plan(params: Mapping[str, Any], run_date: str, inventory: Inventory | None = None) -> list[Chunk]:
    """Which environments to extract, in chunks (one mapped task each) of one country each."""
    inventory = inventory or load_inventory()
    mode = str(params.get("mode") or "auto")
    if mode not in MODES:
        raise ConfigError(f"params.mode: expected one of {', '.join(MODES)}, got {mode!r}")
    rescan = str(params.get("rescan") or "incremental")
    if rescan not in ("incremental", "full"):
        raise ConfigError(f"params.rescan: expected incremental or full, got {rescan!r}")
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
    chunks: list[Chunk] = []
    countries = sorted({e.country for e in selected})
    for country in countries:
        names = [e.name for e in selected if e.country == country]
        chunks += [
            Chunk(country=country, environments=names[i:i + size], run_date=run_date, mode=mode, rescan=rescan)
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


def live_snapshot(env: Environment, run_date: str, limits: Limits, *, carry: CarryOver | None = None,
                  rescan: str = "full") -> Snapshot:
    """Read the cloud now. Never raises for a cloud failure: it becomes NOT_ASSESSED.

    ``carry``: detection results of unchanged objects to reuse (``cloudaudit.incremental``)."""
    from cloudaudit.collectors import collect_environment
    from cloudaudit.incremental import CarryOver, incremental_record

    started = time.monotonic()
    captured_at = now_utc()
    carry = carry or CarryOver.for_environment(env, limits, None)
    try:
        collected = collect_environment(env, limits, carry)
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
        incremental=incremental_record(rescan, carry, collected.resources),
    )


def _summary(snapshot: Snapshot, key: str | None, source: str) -> ExtractSummary:
    samples = [s for r in snapshot.resources for s in r.samples]
    return ExtractSummary(
        environment=snapshot.environment.name,
        country=snapshot.environment.country,
        snapshot=key,
        source=source,
        status=snapshot.status.value,
        reason=snapshot.reason,
        resources=len(snapshot.resources),
        samples=len(samples),
        fields_with_pii=sum(1 for s in samples for f in s.fields if f.pii),
    )


def extract_environment(env: Environment, run_date: str, mode: str, *, store: Store | None = None,
                        limits: Limits | None = None, rescan: str | None = None) -> ExtractSummary:
    """One environment: replay its stored snapshot or read it live; returns a small summary.

    Live, ``rescan`` ``incremental`` (the default) carries unchanged objects' detection results
    over from the environment's previous snapshot; ``full`` (or ``CLOUDAUDIT_RESCAN=full``) reads all."""
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
    from cloudaudit.incremental import FULL, CarryOver, rescan_mode
    from cloudaudit.store.carryover import previous_snapshot

    limits = limits or Limits.from_env()
    how = rescan_mode(rescan)
    previous = None if how == FULL else previous_snapshot(store, env.name, run_date)
    carry = CarryOver.for_environment(env, limits, previous)
    snapshot = live_snapshot(env, run_date, limits, carry=carry, rescan=how)
    state.write_snapshot(store, snapshot)
    summary = _summary(snapshot, key, "live")
    log.info("%s: %s, %d resources, %d samples, %d fields with PII (%.1fs, peak RSS %d MB)", env.name,
             snapshot.status.value, summary["resources"], summary["samples"], summary["fields_with_pii"],
             snapshot.duration_s, peak_rss_mb())
    return summary


def extract_chunk(chunk: Chunk, inventory: Inventory | None = None) -> list[ExtractSummary]:
    """The extract task: the only one that handles raw samples, so its logs are filtered too."""
    from cloudaudit.pii.guard import install_log_filter

    install_log_filter()
    inventory = inventory or load_inventory()
    providers = {inventory.environment(name).provider for name in chunk["environments"]}
    import_detached(*(name for p in sorted(providers) for name in COLLECTOR_MODULES.get(p, ())))
    store = open_store(state_root())
    limits = Limits.from_env()
    return [
        extract_environment(inventory.environment(name), chunk["run_date"], chunk["mode"], store=store,
                            limits=limits, rescan=chunk.get("rescan"))
        for name in chunk["environments"]
    ]


# ---- by country -------------------------------------------------------------------------


def group_by_country(chunks: Sequence[Chunk], extracted: Iterable[Sequence[ExtractSummary] | None]) -> list[Job]:
    """One validation job per planned country, even when none of its environments could be read."""
    summaries = {s["environment"]: s for part in extracted if part for s in part}
    jobs = []
    for country in sorted({c["country"] for c in chunks}):
        names = [n for c in chunks if c["country"] == country for n in c["environments"]]
        job = Job(country=country, run_date=chunks[0]["run_date"], snapshots=[], missing=[])
        for name in names:
            summary = summaries.get(name)
            if summary is None:
                job["missing"].append(Missing(environment=name, reason="extract task failed"))
            elif summary["snapshot"] is None:
                job["missing"].append(Missing(environment=name, reason=summary["reason"] or "no snapshot"))
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


def validate_job(job: Job, inventory: Inventory | None = None) -> ValidatedRef:
    """Run the country's checks over its snapshots; store the result for publish."""
    import_detached(*VALIDATE_MODULES)
    from cloudaudit.checks.validate import apply_first_seen, evaluate_country, prepare_country

    inventory = inventory or load_inventory()
    store = open_store(state_root())
    country, run_date = job["country"], job["run_date"]
    policy = country_policy(country, inventory)
    # No walrus here: its name would live on in this frame and keep the last snapshot alive.
    stored = [snap for snap in (state.read_snapshot(store, key) for key in job["snapshots"]) if snap is not None]
    # Environments with no snapshot (replay without one, a crashed extract): NOT_ASSESSED stand-ins,
    # kept with the validation result because no snapshot file holds them.
    stand_ins = [not_assessed_snapshot(inventory.environment(m["environment"]), run_date, m["reason"],
                                       mode="replay") for m in job["missing"]]
    prepared = prepare_country(country, policy, [*stored, *stand_ins])
    # The parsed snapshots are the largest thing held here: gone before the suites and findings
    # are built, which reuse their memory (issue 18: flat memory).
    del stored
    validation = evaluate_country(policy, prepared)
    del prepared
    findings = apply_first_seen(validation.findings, state.failure_history(store, country, run_date), run_date)
    failed = {f.key for f in findings if f.status.value == "FAIL"}
    state.write_failures(store, country, run_date, failed)
    record = ValidationRecord(
        country=country, run_date=run_date, policy=policy, snapshots=tuple(job["snapshots"]),
        findings=tuple(findings), pii_inventory=tuple(validation.pii_inventory),
        resources=tuple(validation.resources), coverage=tuple(validation.coverage),
        gx_results=validation.gx_results, data_docs=validation.data_docs, not_assessed=tuple(stand_ins),
    )
    del validation  # its findings before First Seen: not held while the record is serialised
    key = state.write_validation(store, record)
    counts = _counts(findings)
    log.info("validated %s %s: %d findings, FAIL by severity %s (peak RSS %d MB)", country, run_date, len(findings),
             counts, peak_rss_mb())
    return ValidatedRef(country=country, run_date=run_date, validation=key, fail_by_severity=counts)


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    """FAIL findings per severity, the non-zero ones, for XCom and the Asset event."""
    from cloudaudit.reports.summary import fail_counts_by_severity

    return {severity.value: n for severity, n in fail_counts_by_severity(findings).items() if n}


# ---- publish ----------------------------------------------------------------------------


def notification_counts(report: CountryReport) -> dict[str, Any]:
    """Notifiable exposures and the nearest dated deadline, for XCom, the Asset event and `make demo`."""
    count, due = summary(report.notification)
    return {"notifiable": count,
            "nearest_deadline": due.due.strftime("%Y-%m-%dT%H:%MZ") if due is not None and due.due else None}


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
    connection named by ``CLOUDAUDIT_SIGNING_CONN_ID`` (PEM in its password). Neither set is an
    error: a key made up on first use proves nothing to an auditor. Only with the explicit
    opt-in ``CLOUDAUDIT_SIGNING_KEY_GENERATE=1`` (demo, tests) is one created in the state directory."""
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
    if not signing_key_generate():
        raise ConfigError("CLOUDAUDIT_SIGNING_KEY is not set (nor CLOUDAUDIT_SIGNING_CONN_ID): name the PEM "
                          "file of the Ed25519 key that signs the bundles, or set "
                          "CLOUDAUDIT_SIGNING_KEY_GENERATE=1 to create one in the state directory (demo only)")
    root = state_root()
    fallback = Path(root) / "signing_key.pem" if "://" not in root else Path.home() / ".cloudaudit" / "signing_key.pem"
    log.warning("CLOUDAUDIT_SIGNING_KEY_GENERATE is set: signing with %s", fallback)
    return load_or_create_private_key(fallback)


def signing_key() -> Any:
    """The Ed25519 key that signs bundles (evidence and remediation), found as ``_signing_key`` says."""
    return _signing_key()


@dataclass(frozen=True)
class BuiltReport:
    """A country's report and what its evidence bundle holds, before anything is written."""

    report: CountryReport
    data: ValidationRecord
    members: dict[str, bytes]  # each environment's bundle members: its snapshot as stored, its masked PII
    environments: list[str]  # the snapshots read, then the NOT_ASSESSED stand-ins


def build_country_report(validated: ValidatedRef, *, dag_id: str = "cloudaudit_daily",
                         run_id: str = "manual") -> BuiltReport:
    """Read the country's ValidationRecord and its snapshots back; assemble the report. Writes nothing.

    Snapshots are parsed one at a time and dropped once their bundle members are made: only the
    resources the breach assessment estimates are kept (issue 18: flat memory)."""
    import_detached(*PUBLISH_MODULES)
    from cloudaudit.breach.report import exposures
    from cloudaudit.evidence.members import environment_members, stored_member

    store = open_store(state_root())
    data = state.read_validation(store, validated["validation"])
    if data is None:
        raise ConfigError(f"{validated['validation']}: validation result missing from the state store")
    exposed = {f.resource for f in exposures(data.findings)}
    members: dict[str, bytes] = {}
    resources: dict[str, Resource] = {}
    captured: list[str] = []
    late = False
    environments: list[str] = []
    for key in data.snapshots:
        raw = store.read_bytes(key) or b""
        if not raw:
            continue
        members[stored_member(key)] = raw
        snap = Snapshot.model_validate_json(raw)
        members.update(environment_members(snap, data, stored=snapshot_member(snap.environment.name) in members))
        resources.update((r.resource, r) for r in snap.resources if r.resource in exposed)
        captured.append(snap.captured_at)
        late = late or snap.captured_late
        environments.append(snap.environment.name)
        del snap
    for stand_in in data.not_assessed:
        members.update(environment_members(stand_in, data,
                                           stored=snapshot_member(stand_in.environment.name) in members))
        environments.append(stand_in.environment.name)
    notification = notification_rows(data.findings, resources, data.policy.notification_rules, data.run_date)
    # Stand-ins for unread environments captured nothing: they say nothing about capture times.
    captured = sorted(captured) or sorted(s.captured_at for s in data.not_assessed) or [now_utc()]
    report = CountryReport(
        country=data.country, run_date=data.run_date, captured_at_min=captured[0], captured_at_max=captured[-1],
        captured_late=late, policy=data.policy, findings=data.findings,
        pii_inventory=data.pii_inventory, resources=data.resources, coverage=data.coverage,
        generated_at=now_utc(), dag_id=dag_id, run_id=run_id, tool_version=__version__, notification=notification,
    )
    return BuiltReport(report, data, members, environments)


def write_country_report(built: BuiltReport) -> Published:
    """Write the country's spreadsheet and signed evidence bundle to the output store."""
    from cloudaudit.evidence.bundle import build_bundle
    from cloudaudit.evidence.members import publication_members
    from cloudaudit.reports.xlsx import render_workbook
    from cloudaudit.store.publication import publish

    report, data = built.report, built.data
    country, run_date, policy, findings = report.country, report.run_date, report.policy, report.findings
    generated_at, dag_id, run_id = report.generated_at, report.dag_id, report.run_id
    store = open_store(state_root())
    xlsx_name = f"compliance_{country}_{run_date}.xlsx"
    workbook = render_workbook(report)
    members = publication_members(built.members, data, xlsx_name, workbook,
                                  notification_json(country, run_date, report.notification))
    out = open_store(output_root())
    previous = state.previous_bundle(store, country, run_date)  # (run date, SHA-256): skipped days are skipped
    bundle = build_bundle(
        country=country, run_date=run_date, dag_id=dag_id, run_id=run_id, generated_at=generated_at,
        captured_at=report.captured_at_max, tool_version=__version__, policy_digest=policy.digest(), members=members,
        previous_bundle_sha256=previous[1] if previous else None,
        previous_bundle_run_date=previous[0] if previous else None, private_key=_signing_key(),
    )
    counts = {"fail_by_severity": _counts(findings), "findings": len(findings),
              "pii_fields": len(report.pii_inventory), "resources": len(report.resources),
              "not_assessed": sum(1 for c in report.coverage if c.status is CoverageStatus.NOT_ASSESSED),
              **notification_counts(report)}
    # Commit (replacing an earlier run of the date), then write both files from the committed
    # bundle (see store.publication): a killed, retried or concurrent run never leaves a partial
    # file, and concurrent runs end with the last commit's pair.
    published = publish(store, out, bundle, summary=counts)
    sheet_at, bundle_at, sha, counts = (published.spreadsheet, published.bundle, published.bundle_sha256,
                                        published.summary)
    state.write_json(store, state.published_key(run_date, country),
                     {"spreadsheet": sheet_at, "bundle": bundle_at, "bundle_sha256": sha, "counts": counts})
    log.info("published %s %s: %s and %s (peak RSS %d MB)", country, run_date, sheet_at, bundle_at, peak_rss_mb())
    return Published(country, run_date, sheet_at, bundle_at, sha, counts)


def publish_country(validated: ValidatedRef, *, dag_id: str = "cloudaudit_daily", run_id: str = "manual") -> Published:
    """The publish task: build the country's report, then write it."""
    return write_country_report(build_country_report(validated, dag_id=dag_id, run_id=run_id))


# ---- alerts -----------------------------------------------------------------------------

ALERT_MODES = ("auto", "always", "never")


def should_send_alerts(mode: str, run_type: str, run_date: str, today: str | None = None) -> bool:
    """``auto`` sends for the runs of today and yesterday that are not backfills; a backfill of
    past dates sends nothing unless asked (``always``).

    >>> should_send_alerts("auto", "scheduled", "2026-11-20", today="2026-11-21")
    True
    >>> should_send_alerts("auto", "backfill", "2026-11-20", today="2026-11-21"), \\
    ...     should_send_alerts("auto", "manual", "2026-10-01", today="2026-11-21")
    (False, False)
    """
    from datetime import date, timedelta

    if mode not in ALERT_MODES:
        raise ConfigError(f"params.alerts: expected one of {', '.join(ALERT_MODES)}, got {mode!r}")
    if mode != "auto":
        return mode == "always"
    current = date.fromisoformat(today or now_utc()[:10])
    return run_type != "backfill" and date.fromisoformat(run_date) >= current - timedelta(days=1)


def alert_country_run(report: CountryReport, *, send: bool, inventory: Inventory | None = None) -> dict[str, Any]:
    """The alert step after publishing: new critical findings since the last run, to the country's
    channels. Never raises for a channel; returns what it did (counts, no values) for XCom."""
    import os

    from cloudaudit.alerts.run import alert_country
    from cloudaudit.breach.assess import Verdict

    inventory = inventory or load_inventory()
    override = inventory.countries.get(report.country)
    rank = {Verdict.NOTIFIABLE: 0, Verdict.ASSESS: 1, Verdict.NOT_NOTIFIABLE: 2, Verdict.NO_RULE: 3}
    verdicts: dict[tuple[str, str], tuple[str, str | None]] = {}
    best: dict[tuple[str, str], int] = {}
    for row in report.notification:
        key = (row.finding.check_id, row.finding.resource)
        dated = [d.due for d in row.assessment.deadlines if d.due is not None]
        due = min(dated).isoformat() if dated else None
        if key not in best or rank[row.assessment.verdict] < best[key]:
            best[key] = rank[row.assessment.verdict]
            verdicts[key] = (row.assessment.verdict.value, due)
    nearest = notification_counts(report)["nearest_deadline"]
    outcome = alert_country(open_store(state_root()), report.country, report.run_date, report.findings, verdicts,
                            override.alerts if override else None,
                            os.environ.get("CLOUDAUDIT_PORTAL_URL", "http://localhost:8080"),
                            send=send, nearest_deadline=nearest)
    log.info("alerts %s %s: %d new critical finding(s), sent=%s%s", report.country, report.run_date, outcome.new,
             outcome.sent, f" ({outcome.why_not})" if outcome.why_not else "")
    return {"new_critical": outcome.new, "alert_sent": outcome.sent,
            "deliveries": {d.channel: d.ok for d in outcome.deliveries}}
