"""Is an exposure notifiable under the rules in force, and by when: pure functions over data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from cloudaudit.breach.estimate import AffectedEstimate
from cloudaudit.breach.rules import Clock, Deadline, NotificationRule


class Verdict(StrEnum):
    NOTIFIABLE = "notifiable"
    ASSESS = "assess"                    # only the law's qualitative test can decide: a person must
    NOT_NOTIFIABLE = "not notifiable"
    NO_RULE = "no rule in force"


@dataclass(frozen=True)
class Due:
    """A deadline placed on the calendar: ``due`` is None where the law sets no number of hours."""

    audience: str
    clock: Clock
    due: datetime | None
    hours_left: float | None             # from the start of the run date (UTC); negative: overdue
    text: str
    citation: str


@dataclass(frozen=True)
class Assessment:
    rule_id: str
    law: str
    authority: str
    verdict: Verdict
    reason: str
    deadlines: tuple[Due, ...]
    citation: str


def _start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day[:10]), datetime.min.time(), tzinfo=UTC)


def _citation(deadline: Deadline) -> str:
    return "; ".join(f"{s.citation} ({s.status.value})" for s in deadline.sources)


def place(deadline: Deadline, audience: str, first_seen: str, run_date: str,
          assessment: Deadline | None) -> Due:
    """The due date of one deadline with its clock started at First Seen (the earliest evidence of
    awareness; for an occurrence clock the breach may be older, so the date is at the latest)."""
    if deadline.hours is None:
        return Due(audience, deadline.clock, None, None, deadline.text, _citation(deadline))
    start = _start(first_seen or run_date)
    text = deadline.text
    if deadline.clock is Clock.ASSESSMENT:
        window = assessment.hours if assessment is not None else None
        if window is None:
            return Due(audience, deadline.clock, None, None, f"{text} (after the assessment, which has no set window)",
                       _citation(deadline))
        start += timedelta(hours=window)
        text = f"{text}; latest if the assessment uses its full window ({assessment.text if assessment else ''})"
    elif deadline.clock is Clock.OCCURRENCE:
        text = f"{text}; counted from First Seen, so at the latest (the breach may be older)"
    due = start + timedelta(hours=deadline.hours)
    left = (due - _start(run_date)).total_seconds() / 3600
    return Due(audience, deadline.clock, due, left, text, _citation(deadline))


def verdict(rule: NotificationRule, estimate: AffectedEstimate) -> tuple[Verdict, str]:
    """Apply the rule's threshold: any-count types first, then the number of people, then the risk test."""
    threshold = rule.notifiable
    hit = sorted(set(estimate.pii_types) & set(threshold.any_count_types))
    if hit:
        return Verdict.NOTIFIABLE, f"{', '.join(hit)} is notifiable at any number of people"
    limit = threshold.more_than if threshold.more_than is not None else threshold.at_least
    if limit is not None:
        wording = f"more than {threshold.more_than:,}" if threshold.more_than is not None else f"{limit:,} or more"
        if estimate.people is None:
            return Verdict.ASSESS, f"notifiable above {wording} people; the number could not be estimated"
        over = estimate.people > limit if threshold.more_than is not None else estimate.people >= limit
        if over:
            return Verdict.NOTIFIABLE, f"about {estimate.people:,} people: {wording}"
        if not threshold.risk_test:
            return Verdict.NOT_NOTIFIABLE, f"about {estimate.people:,} people: not {wording}"
        return Verdict.ASSESS, f"about {estimate.people:,} people: not {wording}; the law's test: {threshold.risk_test}"
    if threshold.risk_test:
        return Verdict.ASSESS, f"the law's test: {threshold.risk_test}"
    return Verdict.NOT_NOTIFIABLE, "no condition of the rule is met"


def assess(rules: Sequence[NotificationRule], estimate: AffectedEstimate, first_seen: str,
           run_date: str) -> list[Assessment]:
    """One assessment per rule in force (callers pass ``rules_in_force(...)``); NO_RULE when none."""
    if not rules:
        return [Assessment("", "", "", Verdict.NO_RULE, "no notification rule is in force for this date", (), "")]
    out = []
    for rule in rules:
        found, why = verdict(rule, estimate)
        deadlines = [place(rule.authority_deadline, rule.authority, first_seen, run_date, rule.assessment)]
        if rule.individuals_deadline is not None:
            deadlines.append(place(rule.individuals_deadline, "affected individuals", first_seen, run_date,
                                   rule.assessment))
        citation = "; ".join(f"{s.citation} ({s.status.value})" for s in rule.notifiable.sources)
        out.append(Assessment(rule.id, rule.law, rule.authority, found, why, tuple(deadlines), citation))
    return out


def nearest(assessments: Sequence[Assessment]) -> Due | None:
    """The earliest dated deadline among notifiable (or to-assess) exposures."""
    dated = [d for a in assessments if a.verdict in (Verdict.NOTIFIABLE, Verdict.ASSESS)
             for d in a.deadlines if d.due is not None]
    return min(dated, key=lambda d: d.due or datetime.max.replace(tzinfo=UTC), default=None)
