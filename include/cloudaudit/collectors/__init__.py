"""Collectors: the only cloud I/O. Each turns every failure into coverage, never a crash.

``collect_environment(env, limits)`` returns what one environment holds. It raises
``AccessDenied`` or ``Unreachable`` only when the environment as a whole cannot be read
(the pipeline then records one NOT_ASSESSED row); every per-resource failure is recorded on
the resource (status, reason, read_errors) instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudaudit.config import Environment, Limits
    from cloudaudit.incremental import CarryOver
    from cloudaudit.model import Resource


@dataclass
class Collected:
    resources: list[Resource] = field(default_factory=list)
    account: dict[str, Any] = field(default_factory=dict)
    account_read_errors: dict[str, str] = field(default_factory=dict)


def collect_environment(env: Environment, limits: Limits, carry: CarryOver | None = None) -> Collected:
    """Read every in-scope resource of one environment, with bounded samples; ``carry``: the
    detection results of unchanged objects to reuse instead of reading them (incremental re-scan)."""
    if env.provider == "aws":
        from cloudaudit.collectors.aws.s3 import collect_s3

        return collect_s3(env, limits, carry)
    from cloudaudit.collectors.gcp import collect_gcp

    return collect_gcp(env, limits, carry)
