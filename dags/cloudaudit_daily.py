"""
### cloudaudit_daily

plan ─► extract (one mapped task per chunk of environments) ─► by_country ─► validate (per country) ─► publish + alert (per country)

Every day: read the configuration and a bounded data sample of every bucket, dataset and table
listed in the inventory (`CLOUDAUDIT_INVENTORY`), detect personal data in memory, validate each
country against its policy with Great Expectations, and publish per country a compliance
spreadsheet and a signed evidence bundle under `CLOUDAUDIT_OUTPUT/<date>/<CC>/`.

Params: `countries` and `environments` (empty: all), `mode`: `auto` replays the stored snapshot
of the run date if there is one (so backfills reproduce past reports) and reads live otherwise;
`replay` never touches the cloud; `live` always reads. `alerts`: `auto` sends each country's new
critical findings to its channels (inventory `countries.<CC>.alerts`) except in backfills of past
dates; `always`; `never`. `rescan`: `incremental` (default) reuses the detection results of
objects unchanged since the environment's last snapshot, `full` reads every sampled object again.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import Asset, AssetAlias, Param, TriggerRule, dag, get_current_context, task

REPORTS = AssetAlias("cloudaudit-reports")


def _run_date(context: Any) -> str:
    when = context.get("logical_date") or context.get("run_after") or pendulum.now("UTC")
    return str(pendulum.instance(when).in_timezone("UTC").to_date_string())


@dag(
    dag_id="cloudaudit_daily",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "compliance-engineering",
                  # Cloud APIs throttle and time out: retry, unless a test or demo wants a failure now.
                  "retries": int(os.environ.get("CLOUDAUDIT_TASK_RETRIES", "2")),
                  "retry_delay": pendulum.duration(minutes=2)},
    tags=["cloudaudit", "compliance", "pii"],
    doc_md=__doc__,
    params={
        "countries": Param([], type="array", items={"type": "string"},
                           description="ISO country codes to publish (empty: every country in the inventory)"),
        "environments": Param([], type="array", items={"type": "string"},
                              description="environment names to extract (empty: all)"),
        "mode": Param("auto", enum=["auto", "replay", "live"],
                      description="auto: replay the stored snapshot if any; replay: never read the cloud; live"),
        "rescan": Param("incremental", enum=["incremental", "full"],
                        description="incremental: reuse detection results of objects unchanged since the last "
                                    "snapshot (docs/incremental.md); full: read every sampled object again"),
        "alerts": Param("auto", enum=["auto", "always", "never"],
                        description="alert new critical findings: auto (not for backfills of past dates), always, never"),
    },
)
def cloudaudit_daily() -> None:
    @task
    def plan() -> list[dict[str, Any]]:
        """Which environments to read, in chunks, from the inventory and the run's params."""
        from cloudaudit.pipeline import plan as make_plan

        context = get_current_context()
        return make_plan(context["params"], _run_date(context))

    @task(map_index_template="{{ chunk_label }}")
    def extract(chunk: dict[str, Any]) -> list[dict[str, Any]]:
        """Read (or replay) each environment of the chunk; writes snapshots, returns counts."""
        from cloudaudit.pipeline import extract_chunk

        get_current_context()["chunk_label"] = ",".join(chunk["environments"])[:200]  # type: ignore[typeddict-unknown-key]
        return extract_chunk(chunk)

    @task(trigger_rule=TriggerRule.ALL_DONE)  # a crashed environment never holds back other countries
    def by_country(chunks: list[dict[str, Any]], extracted: Any) -> list[dict[str, Any]]:
        """One validation job per country, with NOT_ASSESSED entries for what could not be read."""
        from cloudaudit.pipeline import group_by_country

        # One slice read: iterating would probe one item past the end and log an error.
        return group_by_country(chunks, list(extracted[:]) if extracted is not None else [])

    @task(map_index_template="{{ job.country }}")
    def validate(job: dict[str, Any]) -> dict[str, Any]:
        """Great Expectations suites from the country's policy over its snapshots → findings."""
        from cloudaudit.pipeline import validate_job

        return validate_job(job)

    @task(outlets=[REPORTS], map_index_template="{{ validated.country }}")
    def publish(validated: dict[str, Any], *, outlet_events: Any = None) -> dict[str, Any]:
        """Spreadsheet + signed evidence bundle for one country; an Asset event downstream DAGs can follow."""
        from cloudaudit.pipeline import (
            alert_country_run,
            build_country_report,
            should_send_alerts,
            write_country_report,
        )

        context = get_current_context()
        built = build_country_report(validated, dag_id=context["dag"].dag_id, run_id=context["run_id"])
        report = write_country_report(built)
        kind = getattr(context.get("dag_run"), "run_type", "") or ""
        run_type = str(getattr(kind, "value", kind))  # DagRunType: "scheduled", "manual", "backfill", ...
        send = should_send_alerts(str(context["params"].get("alerts") or "auto"), run_type, report.run_date)
        alerted = alert_country_run(built.report, send=send)
        extra = {"run_date": report.run_date, "spreadsheet": report.spreadsheet, "bundle": report.bundle,
                 "bundle_sha256": report.bundle_sha256, **report.counts, **alerted}
        outlet_events[REPORTS].add(Asset(f"cloudaudit://reports/{report.country}", group="cloudaudit"),
                                   extra=extra)
        return extra

    chunks = plan()
    extracted = extract.expand(chunk=chunks)
    publish.expand(validated=validate.expand(job=by_country(chunks, extracted)))


cloudaudit_daily()
