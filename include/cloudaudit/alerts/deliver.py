"""Send an alert to a country's channels: each retried, each failure logged, none raised."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenacity import Retrying, stop_after_attempt, wait_exponential

from cloudaudit.alerts.channels import AlertChannels, EmailChannel, WebhookChannel
from cloudaudit.alerts.message import Alert

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Cloudaudit-Signature"
ATTEMPTS = 3


@dataclass(frozen=True)
class Delivery:
    channel: str
    ok: bool
    attempts: int
    error: str = ""   # the exception's type only: a message could echo a server's reply


def sign(secret: bytes, body: bytes) -> str:
    """``sha256=<hex>`` HMAC of the exact body, as GitHub-style receivers check it."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook_secret(channel: WebhookChannel) -> bytes:
    if channel.secret_conn_id:
        from airflow.sdk import BaseHook

        password = BaseHook.get_connection(channel.secret_conn_id).password
        if password:
            return str(password).encode()
    if channel.secret_env and os.environ.get(channel.secret_env):
        return os.environ[channel.secret_env].encode()
    raise LookupError("the webhook has no secret (secret_conn_id or secret_env)")


def send_webhook(channel: WebhookChannel, alert: Alert) -> None:
    import requests

    body = json.dumps(alert.payload(), sort_keys=True, separators=(",", ":")).encode()
    response = requests.post(channel.url, data=body, timeout=channel.timeout_s, headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: sign(webhook_secret(channel), body)})
    response.raise_for_status()


def send_email(channel: EmailChannel, alert: Alert) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    # notify() directly: the text is ours, it must not be rendered as a Jinja template
    SmtpNotifier(to=list(channel.to), from_email=channel.from_email, subject=alert.subject(),
                 html_content=alert.html(), smtp_conn_id=channel.conn_id).notify({})


def _attempt(name: str, send: Callable[[], None], wait_max: float) -> Delivery:
    attempts = 0
    try:
        for attempt in Retrying(stop=stop_after_attempt(ATTEMPTS), reraise=True,
                                wait=wait_exponential(multiplier=0.2, max=wait_max)):
            with attempt:
                attempts += 1
                send()
    except Exception as exc:
        log.warning("cloudaudit alert: %s failed after %d attempt(s) (%s)", name, attempts, type(exc).__name__)
        return Delivery(name, False, attempts, type(exc).__name__)
    log.info("cloudaudit alert: %s sent (%d attempt(s))", name, attempts)
    return Delivery(name, True, attempts)


def deliver(channels: AlertChannels, alert: Alert, *, wait_max: float = 5.0,
            senders: dict[str, Callable[[Any, Alert], None]] | None = None) -> list[Delivery]:
    """Every configured channel, independently; returns what happened, raises nothing."""
    use: dict[str, Callable[[Any, Alert], None]] = {"email": send_email, "webhook": send_webhook, **(senders or {})}
    results = []
    if channels.email is not None:
        email = channels.email
        results.append(_attempt("email", lambda: use["email"](email, alert), wait_max))
    if channels.webhook is not None:
        hook = channels.webhook
        results.append(_attempt("webhook", lambda: use["webhook"](hook, alert), wait_max))
    return results
