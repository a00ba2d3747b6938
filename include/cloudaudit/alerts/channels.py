"""Where a country's alerts go: configured per country in the inventory (``countries.<CC>.alerts``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailChannel(_Strict):
    """Sent with the SMTP provider's notifier through an Airflow connection (host, port, login)."""

    to: tuple[str, ...] = Field(min_length=1)
    from_email: str | None = None
    conn_id: str = "smtp_default"

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if "@" not in address or any(c.isspace() for c in address):
                raise ValueError(f"not an e-mail address: {address[:64]!r}")
        return value


class WebhookChannel(_Strict):
    """A JSON POST signed with HMAC-SHA256; the secret is the password of an Airflow connection or
    an environment variable, never written in the inventory."""

    url: str
    secret_conn_id: str | None = None
    secret_env: str | None = None
    timeout_s: float = Field(default=10.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        return value


class AlertChannels(_Strict):
    email: EmailChannel | None = None
    webhook: WebhookChannel | None = None
