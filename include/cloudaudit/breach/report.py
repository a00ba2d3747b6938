"""The Notification sheet's rows and ``notification.json``: per exposure, the estimate, the verdict
under each rule in force on the run date, the authority, the due dates and the citation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cloudaudit.breach.assess import Assessment, Due, Verdict, assess, nearest
from cloudaudit.breach.estimate import AffectedEstimate, estimate_affected
from cloudaudit.breach.rules import NotificationRule, rules_in_force
from cloudaudit.model import Category, Finding, Resource, Status

NOTIFICATION_SHEET = "Notification"
NOTIFICATION_COLUMNS = (
    "Country", "Environment", "Resource", "Check ID", "Category", "PII Types", "First Seen",
    "Affected (est.)", "Estimate Basis", "Objects Counted", "Rule", "Law", "Authority", "Verdict", "Reason",
    "Authority Due (UTC)", "Hours Left", "Authority Deadline", "Individuals Due (UTC)", "Individuals Deadline",
    "Citation",
)
RESIDENCY_NOTE = "storage outside the allowed locations is a transfer rule, not a breach to notify"


@dataclass(frozen=True)
class NotificationRow:
    finding: Finding
    estimate: AffectedEstimate
    assessment: Assessment

    def cells(self) -> list[Any]:
        f, e, a = self.finding, self.estimate, self.assessment
        authority = a.deadlines[0] if a.deadlines else None
        people = next((d for d in a.deadlines[1:] if d.audience == "affected individuals"), None)
        return [f.country, f.environment, f.resource, f.check_id, f.category.value,
                ", ".join(sorted(t.value for t in e.pii_types)) or ", ".join(t.value for t in f.pii_types),
                f.first_seen, "" if e.people is None else e.people, e.basis, e.objects_counted, a.rule_id, a.law,
                a.authority, a.verdict.value, a.reason, _when(authority),
                "" if authority is None or authority.hours_left is None else round(authority.hours_left, 1),
                authority.text if authority else "", _when(people), people.text if people else "", a.citation]


def _when(due: Due | None) -> str:
    return due.due.strftime("%Y-%m-%d %H:%M") if due is not None and due.due is not None else ""


def exposures(findings: Iterable[Finding]) -> list[Finding]:
    """FAIL findings of the PII_EXPOSURE and RESIDENCY categories, in report order."""
    return [f for f in findings if f.status is Status.FAIL and f.category in (Category.PII_EXPOSURE, Category.RESIDENCY)]


def notification_rows(findings: Sequence[Finding], resources: Mapping[str, Resource],
                      rules: Sequence[NotificationRule], run_date: str) -> list[NotificationRow]:
    in_force = rules_in_force(rules, run_date)
    rows = []
    for finding in exposures(findings):
        resource = resources.get(finding.resource)
        estimate = (estimate_affected(resource) if resource is not None
                    else AffectedEstimate(None, "resource not in the snapshot", 0, finding.pii_types))
        if not estimate.pii_types:
            estimate = AffectedEstimate(estimate.people, estimate.basis, estimate.objects_counted, finding.pii_types)
        if finding.category is Category.RESIDENCY:
            note = Assessment("", "", "", Verdict.NOT_NOTIFIABLE, RESIDENCY_NOTE, (), "")
            rows.append(NotificationRow(finding, estimate, note))
            continue
        for result in assess(in_force, estimate, finding.first_seen, run_date):
            rows.append(NotificationRow(finding, estimate, result))
    return rows


def summary(rows: Sequence[NotificationRow]) -> tuple[int, Due | None]:
    """(exposures notifiable under some rule, the nearest dated deadline among them)."""
    notifiable = {(r.finding.check_id, r.finding.resource) for r in rows if r.assessment.verdict is Verdict.NOTIFIABLE}
    return len(notifiable), nearest([r.assessment for r in rows])


def notification_json(country: str, run_date: str, rows: Sequence[NotificationRow]) -> dict[str, Any]:
    """The bundle's ``notification.json``: the same content as the sheet, with the disclaimer."""
    count, due = summary(rows)
    return {
        "country": country, "run_date": run_date,
        "disclaimer": "Decision support, not legal advice.",
        "notifiable_exposures": count,
        "nearest_deadline": _when(due) or None,
        "exposures": [dict(zip(NOTIFICATION_COLUMNS, row.cells(), strict=True)) for row in rows],
        "rules": sorted({r.assessment.rule_id for r in rows if r.assessment.rule_id}),
        "estimates": [asdict(r.estimate) | {"resource": r.finding.resource} for r in rows],
    }
