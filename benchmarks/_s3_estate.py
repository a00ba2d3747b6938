"""A synthetic S3 estate of N buckets over two AWS accounts on one moto server, with known exposures.

Bucket ``i`` belongs to account ``i % 2``; its exposure follows a fixed pattern of 20 (by
``i // 2``), so any size holds the same mix and a larger estate extends a smaller one:

=====  ==========================  ===================================================
share  exposure                    seeded as
=====  ==========================  ===================================================
2/20   ``public`` (ACL)            canned ACL public-read, ObjectWriter, no Block Public Access
2/20   ``public`` (policy)         a policy granting ``*`` s3:GetObject, no Block Public Access
2/20   ``bpa_off``                 no Block Public Access, nothing public
2/20   ``encryption_off``          no default encryption
12/20  clean                       Block Public Access on, SSE-S3 default encryption
=====  ==========================  ===================================================

Every bucket but the ACL-public ones has object ownership ``BucketOwnerEnforced`` (ACLs off), as
AWS has created buckets since April 2023 (moto sets no ownership unless asked). Public buckets
are also ``bpa_off``. One bucket in four holds a CSV of synthetic customers
(names, e-mails, phones, national IDs, addresses); the others a CSV of sensor readings, so
every bucket has an object to sample. A public bucket with PII is a ``pii_public`` exposure
(only cloudaudit reads data). Account-level Block Public Access stays off in both accounts.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from benchmarks._harness import Exposure


@dataclass(frozen=True)
class Account:
    name: str
    country: str
    account_id: str
    region: str

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/cloudaudit-reader"

    @property
    def short(self) -> str:
        return self.country.lower()


ACCOUNTS = (Account("bench-jp-prod", "JP", "111111111111", "ap-northeast-1"),
            Account("bench-au-prod", "AU", "222222222222", "ap-southeast-2"))

# (exposure, holds PII) for i // 2 % 20
PATTERN: tuple[tuple[str, bool], ...] = (
    ("public_acl", True), ("public_policy", True), ("public_acl", False), ("public_policy", False),
    ("bpa_off", True), ("bpa_off", False), ("encryption_off", True), ("encryption_off", False),
    ("clean", True), *((("clean", False),) * 11),
)
PII_ROWS = 20


@dataclass(frozen=True)
class BucketSpec:
    index: int
    account: Account
    exposure: str
    pii: bool

    @property
    def name(self) -> str:
        return f"bench-{self.account.short}-{self.index:05d}"

    def truth(self) -> set[Exposure]:
        """The exposures a correct audit reports for this bucket."""
        kinds: set[str] = set()
        if self.exposure in ("public_acl", "public_policy"):
            kinds |= {"public", "bpa_off"} | ({"pii_public"} if self.pii else set())
        elif self.exposure != "clean":
            kinds.add(self.exposure)
        return {(kind, self.name) for kind in kinds}


def bucket(index: int) -> BucketSpec:
    exposure, pii = PATTERN[(index // 2) % len(PATTERN)]
    return BucketSpec(index, ACCOUNTS[index % 2], exposure, pii)


def truth(size: int) -> set[Exposure]:
    return {e for i in range(size) for e in bucket(i).truth()}


def truth_for(size: int, account: Account) -> set[Exposure]:
    return {e for i in range(size) if (b := bucket(i)).account == account for e in b.truth()}


def inventory(moto_url: str) -> dict[str, Any]:
    return {"environments": [{"name": a.name, "country": a.country, "provider": "aws", "account_id": a.account_id,
                              "regions": [a.region], "endpoint_url": moto_url, "role_arn": a.role_arn}
                             for a in ACCOUNTS]}


class _Objects:
    """The bytes of each bucket's one object: a pool of synthetic records, drawn per bucket."""

    def __init__(self) -> None:
        from cloudaudit_demo.synth import record

        rng = random.Random(18)
        self.pool = {a.country: [record(a.country, rng) for _ in range(60)] for a in ACCOUNTS}

    def body(self, spec: BucketSpec) -> tuple[str, bytes]:
        rng = random.Random(spec.index)
        if spec.pii:
            rows = rng.sample(self.pool[spec.account.country], PII_ROWS)
            lines = ["customer_name,email,phone,national_id,address"]
            lines += [",".join([r["name"], r["email"], r["phone"], r["national_id"], '"' + r["address"] + '"'])
                      for r in rows]
            return "exports/customers.csv", ("\n".join(lines) + "\n").encode()
        lines = ["sensor_id,reading,unit"] + [f"s{rng.randrange(1000)},{rng.uniform(0, 100):.2f},kPa"
                                              for _ in range(PII_ROWS)]
        return "telemetry/readings.csv", ("\n".join(lines) + "\n").encode()


def _plan(spec: BucketSpec, objects: _Objects) -> Any:
    from cloudaudit_demo.estate.plan import S3Bucket, SeedObject

    key, data = objects.body(spec)
    obj = SeedObject(key=key, data=data, content_type="text/csv", format="csv")
    policy = None
    if spec.exposure == "public_policy":
        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{spec.name}/*"}]}
    return S3Bucket(name=spec.name, region=spec.account.region, objects=(obj,),
                    public_acl=spec.exposure == "public_acl", policy=policy,
                    policy_public=policy is not None,
                    block_public_access=spec.exposure in ("clean", "encryption_off"),
                    encrypted=spec.exposure != "encryption_off", acls_disabled=spec.exposure != "public_acl")


def seed(moto_url: str, start: int, stop: int, workers: int = 8) -> None:
    """Create buckets ``start`` .. ``stop - 1`` (the estate of ``stop`` buckets, given the rest exists)."""
    from cloudaudit_demo.estate.seed_aws import account_session, s3_client, seed_bucket

    objects = _Objects()
    clients = {a: s3_client(account_session(moto_url, a.role_arn), moto_url, a.region) for a in ACCOUNTS}
    specs = [bucket(i) for i in range(start, stop)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda s: seed_bucket(clients[s.account], _plan(s, objects)), specs))


def summary(size: int) -> dict[str, Any]:
    """How many buckets of each exposure an estate of ``size`` holds."""
    counts: dict[str, int] = {}
    for i in range(size):
        spec = bucket(i)
        counts[spec.exposure] = counts.get(spec.exposure, 0) + 1
        counts["with_pii"] = counts.get("with_pii", 0) + spec.pii
    seeded = truth(size)
    return {"buckets": size, "accounts": len(ACCOUNTS), "by_exposure": counts,
            "exposures": {k: sum(1 for e in seeded if e[0] == k)
                          for k in ("public", "bpa_off", "encryption_off", "pii_public")}}
