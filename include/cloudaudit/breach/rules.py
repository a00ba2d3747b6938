"""Notification rules as reviewed data: the law, its authority, when a breach is notifiable, the
deadlines and when their clocks start, each with its source and the dates it is in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cloudaudit.model import PiiType


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clock(StrEnum):
    """What starts a deadline: laws differ, and the difference decides the due date."""

    AWARENESS = "awareness"        # the controller became aware (First Seen is our evidence of it)
    OCCURRENCE = "occurrence"      # the breach happened (it may predate First Seen: a due date is at the latest)
    ASSESSMENT = "assessment"      # the controller concluded its assessment that the breach is notifiable


class SourceStatus(StrEnum):
    STATUTE = "statute"            # an Act of the legislature
    REGULATION = "regulation"      # subsidiary legislation: rules, regulations, decrees
    GUIDELINE = "guideline"        # a regulator's guideline or advisory: persuasive, not the law itself
    SECONDARY = "secondary"        # only secondary sources were available here: to be confirmed by counsel


class Source(_Strict):
    citation: str
    status: SourceStatus
    url: str = ""


class Deadline(_Strict):
    """A deadline to one audience; ``hours`` is None where the law sets none (e.g. "promptly")."""

    hours: int | None = Field(default=None, ge=0)
    clock: Clock
    text: str                      # the rule in words, as the source puts it
    sources: tuple[Source, ...] = Field(min_length=1)


class Threshold(_Strict):
    """When a breach is notifiable. Any listed condition makes it so.

    ``any_count_types``: these PII types are notifiable whatever the number of people.
    ``more_than`` / ``at_least``: a number of affected people (of any regulated type) that makes
    a breach notifiable on its own. ``risk_test``: the law's qualitative test where it has one;
    a breach that meets no numeric condition is then "assess" rather than "not notifiable".
    """

    any_count_types: tuple[PiiType, ...] = ()
    more_than: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=1)
    risk_test: str = ""
    sources: tuple[Source, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_count(self) -> Threshold:
        if self.more_than is not None and self.at_least is not None:
            raise ValueError("give either more_than or at_least, not both")
        return self


class NotificationRule(_Strict):
    id: str = Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$")
    law: str
    authority: str
    effective_from: date
    effective_to: date | None = None   # inclusive; None: in force until changed
    checked: date                      # when a person last compared this rule with its sources
    notifiable: Threshold
    assessment: Deadline | None = None  # a window to conclude the assessment, where the law or guideline sets one
    authority_deadline: Deadline
    individuals_deadline: Deadline | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _dates(self) -> NotificationRule:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        clocks = [self.authority_deadline.clock] + ([self.individuals_deadline.clock] if self.individuals_deadline else [])
        if Clock.ASSESSMENT in clocks and self.assessment is None:
            raise ValueError("a deadline counted from the assessment needs the assessment window (assessment)")
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def rules_in_force(rules: Sequence[NotificationRule], run_date: str) -> list[NotificationRule]:
    """The rules that apply on a run date (a backfill of an old date gets the rules of that date).

    >>> from datetime import date
    >>> src = (Source(citation="Act s.1", status=SourceStatus.STATUTE),)
    >>> old = NotificationRule(id="vn-decree-13", law="Decree 13", authority="A05",
    ...     effective_from=date(2023, 7, 1), effective_to=date(2025, 12, 31), checked=date(2026, 12, 4),
    ...     notifiable=Threshold(risk_test="any breach", sources=src),
    ...     authority_deadline=Deadline(hours=72, clock=Clock.OCCURRENCE, text="72 h", sources=src))
    >>> [r.id for r in rules_in_force([old], "2025-12-31")], rules_in_force([old], "2026-01-01")
    (['vn-decree-13'], [])
    """
    day = date.fromisoformat(run_date)
    return [rule for rule in rules if rule.in_force(day)]
