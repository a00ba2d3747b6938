"""Synthetic CountryReports for the spreadsheet tests (Faker-seeded, masked values only)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from cloudaudit.config import load_policy
from cloudaudit.model import (
    Category,
    CoverageRow,
    CoverageStatus,
    Finding,
    PiiInventoryRow,
    PiiType,
    ResourceRow,
    Severity,
    Status,
)
from cloudaudit.reports.model import CountryReport

RUN_DATE = "2026-11-20"


def make_report(seed: int = 1, *, n_findings: int = 40, captured_late: bool = False,
                empty: bool = False) -> CountryReport:
    fake = Faker(["ja_JP", "en_US"])
    fake.seed_instance(seed)
    rng = random.Random(seed)
    envs = [f"jp-{fake.unique.word()}-prod" for _ in range(3)]
    buckets = [f"s3://{fake.unique.word()}-{fake.unique.word()}" for _ in range(8)]
    run = date.fromisoformat(RUN_DATE)
    findings, pii, resources, coverage = [], [], [], []
    for i in range(0 if empty else n_findings):
        status = rng.choice(list(Status))
        findings.append(Finding(
            country="JP", environment=rng.choice(envs), provider="aws", service="s3",
            resource=rng.choice(buckets), location=rng.choice(["ap-northeast-1", "us-east-1"]),
            check_id=f"aws_s3_check_{i % 7}", check=fake.sentence(nb_words=5), category=rng.choice(list(Category)),
            severity=rng.choice(list(Severity)), status=status, detail=fake.sentence(nb_words=12),
            pii_types=tuple(rng.sample(list(PiiType), rng.randint(0, 3))),
            first_seen=(run - timedelta(days=rng.randint(0, 30))).isoformat() if status is Status.FAIL else "",
            evidence=f"snapshots/{rng.choice(envs)}.json", remediation=fake.sentence(nb_words=8)))
    for bucket in [] if empty else buckets:
        env = rng.choice(envs)
        public = rng.choice([True, False, None])
        types = tuple(rng.sample(list(PiiType), rng.randint(0, 2)))
        resources.append(ResourceRow(country="JP", environment=env, provider="aws", service="s3", resource=bucket,
                                     kind="bucket", location="ap-northeast-1", public=public, pii_types=types,
                                     status=rng.choice(list(CoverageStatus)), notes=fake.sentence(nb_words=4)))
        coverage.append(CoverageRow(country="JP", environment=env, provider="aws", service="s3", resource=bucket,
                                    status=rng.choice(list(CoverageStatus)), reason=fake.sentence(nb_words=4),
                                    objects_sampled=rng.randint(0, 20), rows_sampled=rng.randint(0, 500)))
        for pii_type in types:
            pii.append(PiiInventoryRow(country="JP", environment=env, provider="aws",
                                       resource=f"{bucket}/{fake.file_name(extension='csv')}",
                                       location="ap-northeast-1", field=rng.choice(["氏名", "phone", "住所"]),
                                       pii_type=pii_type, rows_sampled=100, matches=rng.randint(1, 100),
                                       masked_example="********" + fake.numerify("####"), public=bool(public)))
    if empty:
        coverage.append(CoverageRow(country="JP", environment=envs[0], provider="aws", service="s3",
                                    resource=envs[0], status=CoverageStatus.NOT_ASSESSED,
                                    reason="Unreachable", objects_sampled=0, rows_sampled=0))
    captured = "2026-11-22T03:00:00+00:00" if captured_late else "2026-11-20T00:10:00+00:00"
    return CountryReport(
        country="JP", run_date=RUN_DATE, captured_at_min=None if empty else "2026-11-20T00:05:00+00:00",
        captured_at_max=None if empty else captured, captured_late=captured_late, policy=load_policy("JP"),
        findings=findings, pii_inventory=pii, resources=resources, coverage=coverage,
        generated_at="2026-11-22T04:00:00+00:00", dag_id="cloudaudit_daily",
        run_id="scheduled__2026-11-20T00:00:00+00:00", tool_version="0.1.0")
