"""The alert itself: what is new for one country, as JSON (webhook) and HTML (e-mail).

It carries identifiers of resources and checks, dates and verdicts: never a sampled value, a
masked example or a finding's Detail text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from html import escape
from typing import Any


@dataclass(frozen=True)
class AlertItem:
    resource: str
    check_id: str
    check: str
    first_seen: str
    notifiable: str          # the verdict under the rules in force ("notifiable", "assess", ...)
    nearest_due: str | None  # ISO 8601 UTC, or None when the law sets no number


@dataclass(frozen=True)
class Alert:
    country: str
    run_date: str
    items: tuple[AlertItem, ...]
    portal_link: str
    nearest_deadline: str | None

    def payload(self) -> dict[str, Any]:
        return {"event": "cloudaudit.new_critical_findings", "country": self.country, "run_date": self.run_date,
                "count": len(self.items), "nearest_deadline": self.nearest_deadline,
                "portal_link": self.portal_link, "findings": [asdict(i) for i in self.items]}

    def subject(self) -> str:
        return f"[cloudaudit] {self.country}: {len(self.items)} new critical finding(s) on {self.run_date}"

    def html(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(i.resource)}</td><td>{escape(i.check_id)}</td><td>{escape(i.first_seen)}</td>"
            f"<td>{escape(i.notifiable)}</td><td>{escape(i.nearest_due or 'no set period')}</td></tr>"
            for i in self.items)
        deadline = escape(self.nearest_deadline or "none with a set period")
        return (f"<p>{len(self.items)} critical finding(s) appeared in {escape(self.country)} on "
                f"{escape(self.run_date)}. Nearest notification deadline: <strong>{deadline}</strong>.</p>"
                "<table border='1' cellpadding='4'><tr><th>Resource</th><th>Check</th><th>First Seen</th>"
                f"<th>Notifiable</th><th>Due</th></tr>{rows}</table>"
                f"<p><a href='{escape(self.portal_link)}'>Open the report in the portal</a></p>"
                "<p><small>Decision support, not legal advice.</small></p>")


def portal_link(base_url: str, country: str, run_date: str) -> str:
    """The portal page filtered to this country and date (base: the Airflow UI's URL)."""
    base = base_url.rstrip("/")
    return f"{base}/cloudaudit/?country={country}&from={run_date}&to={run_date}"
