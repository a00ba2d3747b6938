"""The reviewed notification rules of every covered country, applied as a run date would apply them.

Each row is (country, run date, exposure: PII types and people, First Seen) → verdict, rule in
force, authority deadline in hours from First Seen (None: the law sets no number). The figures
are those of the policy files, whose sources are cited there and in docs/breach/.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudaudit.breach.assess import Verdict, assess, nearest
from cloudaudit.breach.estimate import AffectedEstimate
from cloudaudit.breach.rules import rules_in_force
from cloudaudit.config import load_policy
from cloudaudit.model import PiiType as T

CASES = [
    # Japan: more than 1,000 people for ordinary data; card numbers at any count; below: assess
    ("JP", "2026-11-20", (T.PERSON_NAME,), 1001, "jp-appi-2022", Verdict.NOTIFIABLE, 720),
    ("JP", "2026-11-20", (T.PERSON_NAME,), 1000, "jp-appi-2022", Verdict.ASSESS, 720),
    ("JP", "2026-11-20", (T.CREDIT_CARD,), 3, "jp-appi-2022", Verdict.NOTIFIABLE, 720),
    ("JP", "2022-03-31", (T.PERSON_NAME,), 50_000, "jp-appi-effort-2017", Verdict.ASSESS, None),  # before the change
    # Thailand: the Act's risk test, 72 hours from awareness
    ("TH", "2026-11-20", (T.NATIONAL_ID,), 10, "th-pdpa-2022", Verdict.ASSESS, 72),
    # Vietnam: Decree 13 (72 h from the occurrence) until 2025-12-31, then Law 91/2025
    ("VN", "2025-12-31", (T.PHONE_NUMBER,), 1, "vn-decree-13-2023", Verdict.NOTIFIABLE, 72),
    ("VN", "2026-01-01", (T.PHONE_NUMBER,), 1, "vn-pdpl-2026", Verdict.NOTIFIABLE, 72),
    # Indonesia: UU PDP duties from 2024-10-17 only
    ("ID", "2024-10-17", (T.ADDRESS,), 2, "id-uu-pdp-2024", Verdict.NOTIFIABLE, 72),
    ("ID", "2024-10-16", (T.ADDRESS,), 2, None, Verdict.NO_RULE, None),
    # Philippines: risk test, 72 hours
    ("PH", "2026-11-20", (T.NATIONAL_ID,), 5, "ph-dpa-2016", Verdict.ASSESS, 72),
    # Malaysia: s. 12B from 2025-06-01; the Guideline's scale is more than 1,000
    ("MY", "2026-11-20", (T.EMAIL_ADDRESS,), 1001, "my-pdpa-12b-2025", Verdict.NOTIFIABLE, 72),
    ("MY", "2026-11-20", (T.EMAIL_ADDRESS,), 1000, "my-pdpa-12b-2025", Verdict.ASSESS, 72),
    ("MY", "2025-05-31", (T.EMAIL_ADDRESS,), 5000, None, Verdict.NO_RULE, None),
    # Singapore: 500 or more by regulation; 3 days after an assessment of up to 30 days (guideline)
    ("SG", "2026-11-20", (T.PERSON_NAME,), 500, "sg-pdpa-6a-2021", Verdict.NOTIFIABLE, 720 + 72),
    ("SG", "2026-11-20", (T.PERSON_NAME,), 499, "sg-pdpa-6a-2021", Verdict.ASSESS, 720 + 72),
    # India: CERT-In's 6 hours now; the DPDP Rules' breach duty only from 2027-05-13
    ("IN", "2026-11-20", (T.NATIONAL_ID,), 1, "in-certin-2022", Verdict.NOTIFIABLE, 6),
    # Australia: serious harm, no number; "as soon as practicable" has no hours
    ("AU", "2026-11-20", (T.PERSON_NAME,), 10_000, "au-ndb-2018", Verdict.ASSESS, None),
]


@pytest.mark.parametrize("country, run_date, types, people, rule_id, expected, hours", CASES)
def test_rule_in_force_verdict_and_deadline(country: str, run_date: str, types: tuple[T, ...], people: int,
                                            rule_id: str | None, expected: Verdict, hours: int | None) -> None:
    rules = rules_in_force(load_policy(country).notification_rules, run_date)
    first_seen = run_date
    [result] = [a for a in assess(rules, AffectedEstimate(people, "test", 1, types), first_seen, run_date)
                if rule_id is None or a.rule_id == rule_id]
    assert (result.rule_id or None, result.verdict) == (rule_id, expected), result.reason
    if rule_id is None:
        return
    authority = result.deadlines[0]
    if hours is None:
        assert authority.due is None and authority.hours_left is None
    else:
        start = datetime.fromisoformat(f"{first_seen}T00:00:00+00:00")
        assert authority.due is not None
        assert (authority.due - start).total_seconds() == hours * 3600
        assert authority.hours_left == hours  # clock started on the run date itself


def test_india_applies_both_regimes_once_the_rules_are_in_force() -> None:
    assert [r.id for r in rules_in_force(load_policy("IN").notification_rules, "2027-05-12")] == ["in-certin-2022"]
    assert [r.id for r in rules_in_force(load_policy("IN").notification_rules, "2027-05-13")] == \
        ["in-certin-2022", "in-dpdp-rules-2027"]


def test_hours_left_count_down_from_first_seen_and_go_negative_when_overdue() -> None:
    rules = rules_in_force(load_policy("TH").notification_rules, "2026-11-20")
    [late] = assess(rules, AffectedEstimate(10, "test", 1, (T.NATIONAL_ID,)), "2026-11-10", "2026-11-20")
    assert late.deadlines[0].due == datetime(2026, 11, 13, tzinfo=UTC)
    assert late.deadlines[0].hours_left == -7 * 24


def test_vietnam_decree_13_counts_from_the_occurrence_and_says_the_date_is_at_the_latest() -> None:
    rules = rules_in_force(load_policy("VN").notification_rules, "2025-06-01")
    [result] = assess(rules, AffectedEstimate(1, "test", 1, (T.PHONE_NUMBER,)), "2025-06-01", "2025-06-01")
    assert result.deadlines[0].clock.value == "occurrence" and "at the latest" in result.deadlines[0].text


def test_unknown_count_is_assess_not_a_guess() -> None:
    rules = rules_in_force(load_policy("JP").notification_rules, "2026-11-20")
    [result] = assess(rules, AffectedEstimate(None, "no rows", 0, (T.PERSON_NAME,)), "2026-11-20", "2026-11-20")
    assert result.verdict is Verdict.ASSESS and "could not be estimated" in result.reason


def test_nearest_deadline_is_the_earliest_dated_one_among_notifiable_exposures() -> None:
    rules = rules_in_force(load_policy("MY").notification_rules, "2026-11-20")
    exposures = [assess(rules, AffectedEstimate(5000, "t", 1, (T.EMAIL_ADDRESS,)), day, "2026-11-20")[0]
                 for day in ("2026-11-19", "2026-11-18")]
    due = nearest(exposures)
    assert due is not None and due.due == datetime(2026, 11, 21, tzinfo=UTC)


@pytest.mark.parametrize("country", ["JP", "TH", "VN", "ID", "PH", "MY", "SG", "IN", "AU"])
def test_every_rule_names_its_sources_and_was_checked(country: str) -> None:
    rules = load_policy(country).notification_rules
    assert rules, f"{country} has no notification rule"
    for rule in rules:
        assert rule.notifiable.sources and rule.authority_deadline.sources and rule.checked
        assert all(s.citation for s in rule.notifiable.sources)
