"""Generate docs/breach/: one page per country from its policy's notification rules.

``python -m cloudaudit.breach.docs docs/breach`` rewrites the pages; a test fails when they are
stale, so the docs always say what the policy files say.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cloudaudit.breach.rules import Deadline, NotificationRule, Source
from cloudaudit.config import available_policies, load_policy

DISCLAIMER = ("Decision support, not legal advice: these rules are data reviewed by people, with their "
              "sources; confirm with counsel before relying on them.")


def _sources(sources: tuple[Source, ...]) -> str:
    return "; ".join(f"[{s.citation}]({s.url}) ({s.status.value})" if s.url else f"{s.citation} ({s.status.value})"
                     for s in sources)


def _deadline(label: str, deadline: Deadline | None) -> list[str]:
    if deadline is None:
        return []
    hours = f"{deadline.hours} hours" if deadline.hours is not None else "no number of hours"
    return [f"| {label} | {hours}, clock: {deadline.clock.value} | {deadline.text} | {_sources(deadline.sources)} |"]


def _rule(rule: NotificationRule) -> list[str]:
    until = rule.effective_to.isoformat() if rule.effective_to else "until changed"
    threshold = rule.notifiable
    conditions = []
    if threshold.any_count_types:
        conditions.append(f"at any number of people for {', '.join(threshold.any_count_types)}")
    if threshold.more_than is not None:
        conditions.append(f"more than {threshold.more_than:,} people")
    if threshold.at_least is not None:
        conditions.append(f"{threshold.at_least:,} or more people")
    if threshold.risk_test:
        conditions.append(f"the law's test: {threshold.risk_test}")
    lines = [f"### {rule.law}", "",
             f"- Rule `{rule.id}`, in force **{rule.effective_from.isoformat()} to {until}**, "
             f"checked {rule.checked.isoformat()}.",
             f"- Authority: {rule.authority}.",
             f"- Notifiable: {'; '.join(conditions) or 'no condition'}. Sources: {_sources(threshold.sources)}.",
             "", "| Deadline | Period | Rule | Source |", "|---|---|---|---|"]
    lines += _deadline("Assessment", rule.assessment)
    lines += _deadline("Authority", rule.authority_deadline)
    lines += _deadline("Individuals", rule.individuals_deadline)
    if rule.notes:
        lines += ["", rule.notes]
    return [*lines, ""]


def country_page(country: str) -> str:
    policy = load_policy(country)
    lines = [f"# {policy.name or country} ({country}): breach notification", "",
             "Generated from `include/config/policies/" f"{country.lower()}.yaml` by "
             "`python -m cloudaudit.breach.docs`; do not edit by hand.", "", f"> {DISCLAIMER}", ""]
    for rule in sorted(policy.notification_rules, key=lambda r: r.effective_from):
        lines += _rule(rule)
    if not policy.notification_rules:
        lines += ["No notification rule is on file for this country.", ""]
    return "\n".join(lines)


def index_page(countries: list[str]) -> str:
    lines = ["# Breach notification rules by country", "", f"> {DISCLAIMER}", "",
             "A run applies the rules in force on its run date, so a backfill of an earlier date applies the "
             "rules of that date. Deadlines are counted from First Seen (the first run that saw the exposure), "
             "the earliest evidence cloudaudit has of awareness; for laws that count from the occurrence the "
             "due date is therefore the latest it can be.", "", "| Country | Rules (in force) |", "|---|---|"]
    for country in countries:
        rules = load_policy(country).notification_rules
        summary = ", ".join(f"`{r.id}` ({r.effective_from.isoformat()} to "
                            f"{r.effective_to.isoformat() if r.effective_to else 'now'})" for r in rules)
        lines.append(f"| [{country}]({country.lower()}.md) | {summary or 'none'} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    countries = [c.upper() for c in available_policies()]
    out = {f"{c.lower()}.md": country_page(c) for c in countries}
    out["README.md"] = index_page(countries)
    return out


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/breach")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
