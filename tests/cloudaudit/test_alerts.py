"""Alerts on a real SMTP server and a webhook receiver, both on loopback.

The first run with a new critical finding sends one message per country; the next day's run
with the same finding open sends none; a backfill behind the record sends nothing; a failing
channel is retried and never raises; no planted value reaches a message.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudaudit.alerts.channels import AlertChannels, EmailChannel, WebhookChannel
from cloudaudit.alerts.deliver import SIGNATURE_HEADER, deliver
from cloudaudit.alerts.message import Alert, AlertItem
from cloudaudit.alerts.run import alert_country
from cloudaudit.model import Category, Finding, Severity, Status
from cloudaudit.store.backend import LocalStore
from tests.cloudaudit.alerts_servers import Hooks, Mailbox, smtp_server, webhook_server

SECRET = "webhook-secret-for-tests"
PLANTED = ["Sato Hanako", "090-1234-5678", "hanako.sato@example.jp"]  # what a Detail could have echoed


def _finding(country: str, resource: str, *, severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(country=country, environment=f"{country.lower()}-prod", provider="aws", service="s3",
                   resource=resource, location="ap-northeast-1", check_id="aws_s3_pii_public",
                   check="PII in a publicly readable bucket", category=Category.PII_EXPOSURE, severity=severity,
                   status=Status.FAIL, detail=f"customers.csv field name: e.g. {PLANTED[0]} {PLANTED[1]}",
                   first_seen="2026-11-20")


@pytest.fixture
def channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AlertChannels, Mailbox, Hooks]]:
    hooks = Hooks()
    with smtp_server() as (box, port), webhook_server(hooks) as url:
        monkeypatch.setenv("AIRFLOW_CONN_CLOUDAUDIT_SMTP",
                           f"smtp://127.0.0.1:{port}/?disable_ssl=true&disable_tls=true&timeout=10")
        monkeypatch.setenv("CLOUDAUDIT_TEST_WEBHOOK_SECRET", SECRET)
        yield AlertChannels(
            email=EmailChannel(to=("dpo-jp@example.com",), from_email="cloudaudit@example.com",
                               conn_id="cloudaudit_smtp"),
            webhook=WebhookChannel(url=url, secret_env="CLOUDAUDIT_TEST_WEBHOOK_SECRET")), box, hooks


def _run(store: LocalStore, country: str, day: str, findings: list[Finding], channels: AlertChannels,
         send: bool = True) -> int:
    outcome = alert_country(store, country, day, findings, {("aws_s3_pii_public", f.resource): ("notifiable",
                            "2026-12-20T00:00:00+00:00") for f in findings}, channels, "http://127.0.0.1:8080",
                            send=send, nearest_deadline="2026-12-20T00:00:00+00:00")
    return outcome.new


def test_first_run_sends_one_message_per_country_next_day_none(tmp_path: Path,
                                                                 channels: tuple[AlertChannels, Mailbox, Hooks]) -> None:
    config, box, hooks = channels
    store = LocalStore(tmp_path)
    jp = [_finding("JP", "s3://jp-a"), _finding("JP", "s3://jp-b"), _finding("JP", "s3://jp-c", severity=Severity.HIGH)]
    th: list[Finding] = [_finding("TH", "s3://th-a", severity=Severity.HIGH)]   # nothing critical in TH
    assert _run(store, "JP", "2026-11-20", jp, config) == 2
    assert _run(store, "TH", "2026-11-20", th, config) == 0
    assert len(box.messages) == 1 and len(hooks.requests) == 1
    message = box.messages[0]
    assert message["To"] == "dpo-jp@example.com" and "JP: 2 new critical finding(s)" in message["Subject"]
    body = hooks.bodies()[0]
    assert body["country"] == "JP" and [f["resource"] for f in body["findings"]] == ["s3://jp-a", "s3://jp-b"]
    assert body["portal_link"] == "http://127.0.0.1:8080/cloudaudit/?country=JP&from=2026-11-20&to=2026-11-20"

    assert _run(store, "JP", "2026-11-21", jp, config) == 0  # the same findings still open: nothing new
    assert len(box.messages) == 1 and len(hooks.requests) == 1

    jp.append(_finding("JP", "s3://jp-d"))
    assert _run(store, "JP", "2026-11-22", jp, config) == 1  # only the new one
    assert len(box.messages) == 2 and [f["resource"] for f in hooks.bodies()[1]["findings"]] == ["s3://jp-d"]


def test_webhook_is_hmac_signed_over_the_exact_body(tmp_path: Path,
                                                    channels: tuple[AlertChannels, Mailbox, Hooks]) -> None:
    config, _, hooks = channels
    _run(LocalStore(tmp_path), "JP", "2026-11-20", [_finding("JP", "s3://jp-a")], config)
    headers, body = hooks.requests[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER.lower()] == expected


def test_no_planted_value_reaches_any_message(tmp_path: Path, channels: tuple[AlertChannels, Mailbox, Hooks]) -> None:
    config, box, hooks = channels
    _run(LocalStore(tmp_path), "JP", "2026-11-20", [_finding("JP", "s3://jp-a")], config)
    outputs = box.raw + [body for _, body in hooks.requests]
    for value in PLANTED:
        for form in (value, value.replace("-", ""), value.encode("utf-8").hex()):
            assert all(form.encode() not in out for out in outputs), form


def test_backfill_behind_the_record_sends_nothing_and_keeps_the_record(
        tmp_path: Path, channels: tuple[AlertChannels, Mailbox, Hooks]) -> None:
    config, box, hooks = channels
    store = LocalStore(tmp_path)
    _run(store, "JP", "2026-11-20", [], config)
    assert _run(store, "JP", "2026-11-01", [_finding("JP", "s3://old")], config) == 1
    assert box.messages == [] and hooks.requests == []
    assert b'"run_date": "2026-11-20"' in (tmp_path / "alerts" / "JP" / "open.json").read_bytes()


def test_not_asked_sends_nothing(tmp_path: Path, channels: tuple[AlertChannels, Mailbox, Hooks]) -> None:
    config, box, hooks = channels
    assert _run(LocalStore(tmp_path), "JP", "2026-11-20", [_finding("JP", "s3://a")], config, send=False) == 1
    assert box.messages == [] and hooks.requests == []


def test_failing_channel_is_retried_and_never_raises(channels: tuple[AlertChannels, Mailbox, Hooks]) -> None:
    config, box, hooks = channels
    hooks.fail_first = 2
    alert = Alert("JP", "2026-11-20", (AlertItem("s3://a", "aws_s3_pii_public", "c", "2026-11-20", "notifiable",
                                                 None),), "http://127.0.0.1/cloudaudit/", None)
    dead = AlertChannels(email=EmailChannel(to=("x@example.com",), from_email="a@example.com",
                                            conn_id="cloudaudit_smtp_missing"), webhook=config.webhook)
    results = {r.channel: r for r in deliver(dead, alert, wait_max=0.01)}
    assert results["webhook"].ok and results["webhook"].attempts == 3 and len(hooks.requests) == 1
    assert not results["email"].ok and results["email"].attempts == 3 and box.messages == []
