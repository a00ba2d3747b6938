"""What the seeder plants, as data: buckets, objects (their bytes), datasets, tables and rows.

``build_plan(seed)`` is pure: the same seed gives the same plan, byte for byte where the
formats allow. ``seed.py`` applies a plan through the real client libraries and
``truth.py`` derives from it what a correct audit must report, so the estate and its
expected outcome cannot disagree.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.model import CoverageStatus, PiiType
from cloudaudit_demo.estate import files
from cloudaudit_demo.estate.layout import AwsAccount, GcpProject, aws_accounts, environment, gcp_projects

KEY_TYPES: dict[str, PiiType] = {
    "name": PiiType.PERSON_NAME, "address": PiiType.ADDRESS, "phone": PiiType.PHONE_NUMBER,
    "email": PiiType.EMAIL_ADDRESS, "national_id": PiiType.NATIONAL_ID, "plate": PiiType.VEHICLE_REGISTRATION,
    "vin": PiiType.VIN, "date_of_birth": PiiType.DATE_OF_BIRTH,
}
# Types a detector must find from the values alone (checksums, structure, unique shape), with
# no header to help: what a headerless export is expected to reveal.
SELF_EVIDENT = frozenset({PiiType.EMAIL_ADDRESS, PiiType.PHONE_NUMBER, PiiType.VIN})

# Column headers as dealers in each country write them (the SPEC's multilingual contexts).
HEADERS: dict[str, dict[str, str]] = {
    "en": {"name": "customer_name", "address": "address", "phone": "phone", "email": "email",
           "national_id": "national_id", "plate": "plate_number", "vin": "vin", "date_of_birth": "date_of_birth"},
    "ja": {"name": "氏名", "address": "住所", "phone": "電話番号", "email": "メールアドレス", "national_id": "個人番号",
           "plate": "自動車登録番号", "vin": "車台番号", "date_of_birth": "生年月日"},
    "th": {"name": "ชื่อ", "address": "ที่อยู่", "phone": "เบอร์โทรศัพท์", "email": "อีเมล",
           "national_id": "เลขประจำตัวประชาชน", "plate": "ทะเบียนรถ", "vin": "เลขตัวถัง", "date_of_birth": "วันเกิด"},
    "vi": {"name": "họ tên", "address": "địa chỉ", "phone": "số điện thoại", "email": "email",
           "national_id": "số cccd", "plate": "biển số xe", "vin": "số khung", "date_of_birth": "ngày sinh"},
    "id": {"name": "nama", "address": "alamat", "phone": "telepon", "email": "email", "national_id": "nik",
           "plate": "nomor_polisi", "vin": "nomor_rangka", "date_of_birth": "tanggal_lahir"},
}

PUBLIC_READ_POLICY_SID = "PublicReadForTelematicsPartners"


@dataclass(frozen=True, repr=False)
class SeedObject:
    """One object to upload. Its bytes may hold synthetic PII, so the repr shows key and size only.

    ``pii_types`` are what a correct audit must find in it; ``planted_types`` everything planted
    (a detector may miss header-less names, never report a type that was not planted).
    """

    key: str
    data: bytes
    content_type: str
    format: str
    pii_types: frozenset[PiiType] = frozenset()
    planted_types: frozenset[PiiType] = frozenset()
    public_acl: bool = False
    coverage: CoverageStatus = CoverageStatus.ASSESSED
    reason: str = ""

    def __repr__(self) -> str:
        return f"SeedObject(key={self.key!r}, size={len(self.data)}, format={self.format!r})"


@dataclass(frozen=True)
class S3Bucket:
    name: str
    region: str
    objects: tuple[SeedObject, ...]
    public_acl: bool = False  # canned ACL public-read on the bucket (and its objects)
    policy: Mapping[str, Any] | None = None
    policy_public: bool = False  # the policy grants anonymous access without a network condition
    block_public_access: bool = True  # all four bucket-level settings on
    encrypted: bool = True
    # Object ownership BucketOwnerEnforced (ACLs off), as AWS has created buckets since April 2023;
    # moto leaves ownership unset. The demo's buckets are older than that.
    acls_disabled: bool = False
    note: str = ""


@dataclass(frozen=True)
class AwsAccountPlan:
    env: AwsAccount
    buckets: tuple[S3Bucket, ...] = ()
    block_public_access: bool = False  # account-level, all four settings


@dataclass(frozen=True)
class GcsBucket:
    name: str
    location: str  # lower case, as the SPEC reports locations
    objects: tuple[SeedObject, ...]
    public_member: str | None = None  # allUsers / allAuthenticatedUsers bound to objectViewer
    public_access_prevention: str = "inherited"  # or "enforced"
    uniform_access: bool = True
    note: str = ""


@dataclass(frozen=True)
class BqField:
    name: str
    type: str = "STRING"
    mode: str = "NULLABLE"
    pii: PiiType | None = None
    policy_tag: str | None = None
    fields: tuple[BqField, ...] = ()

    def leaves(self, prefix: str = "") -> list[tuple[str, BqField]]:
        """(dot path, field) of every non-RECORD field below and including this one."""
        path = f"{prefix}{self.name}"
        if not self.fields:
            return [(path, self)]
        return [leaf for child in self.fields for leaf in child.leaves(path + ".")]


@dataclass(frozen=True, repr=False)
class BqTable:
    table_id: str
    fields: tuple[BqField, ...]
    rows: tuple[dict[str, Any], ...]
    public_member: str | None = None  # bound to roles/bigquery.dataViewer on the table
    note: str = ""

    def __repr__(self) -> str:
        return f"BqTable(table_id={self.table_id!r}, rows={len(self.rows)})"

    @property
    def pii_columns(self) -> dict[str, PiiType]:
        return {path: f.pii for top in self.fields for path, f in top.leaves() if f.pii is not None}

    @property
    def untagged_pii_columns(self) -> tuple[str, ...]:
        return tuple(path for top in self.fields for path, f in top.leaves()
                     if f.pii is not None and f.policy_tag is None)


@dataclass(frozen=True)
class BqDataset:
    dataset_id: str
    location: str  # lower case
    tables: tuple[BqTable, ...]
    public_member: str | None = None  # allUsers / allAuthenticatedUsers as a READER access entry
    note: str = ""


@dataclass(frozen=True)
class GcpProjectPlan:
    env: GcpProject
    buckets: tuple[GcsBucket, ...] = ()
    datasets: tuple[BqDataset, ...] = ()


@dataclass(frozen=True, repr=False)
class EstatePlan:
    seed: int
    aws: tuple[AwsAccountPlan, ...]
    gcp: tuple[GcpProjectPlan, ...]
    unreachable: tuple[AwsAccount, ...]
    planted: Mapping[str, tuple[str, ...]]  # PII type → every planted value (synthetic)
    decoys: tuple[str, ...]

    def __repr__(self) -> str:
        return f"EstatePlan(seed={self.seed}, aws={len(self.aws)}, gcp={len(self.gcp)})"


@dataclass
class _Builder:
    """Draws synthetic values and remembers every one it plants."""

    seed: int
    planted: dict[PiiType, set[str]] = field(default_factory=dict)
    decoys: set[str] = field(default_factory=set)

    def rng(self, name: str) -> random.Random:
        # One stream per file: adding a file never changes the values of another.
        return random.Random(f"{self.seed}:{name}")

    def people(self, country: str, count: int, rng: random.Random,
               keys: Sequence[str] = tuple(KEY_TYPES)) -> list[dict[str, str]]:
        from cloudaudit_demo.synth import record

        out = []
        for _ in range(count):
            person = record(country, rng)
            chosen = {k: person[k] for k in keys}
            for key, value in chosen.items():
                self.planted.setdefault(KEY_TYPES[key], set()).add(value)
            out.append(chosen)
        return out

    def value(self, pii_type: PiiType, country: str, rng: random.Random) -> str:
        from cloudaudit_demo.synth import value

        drawn = value(pii_type, country, rng)
        self.planted.setdefault(pii_type, set()).add(drawn)
        return drawn

    def decoy(self, pii_type: PiiType, country: str, rng: random.Random) -> str:
        from cloudaudit_demo.synth import decoy

        value = decoy(pii_type, country, rng)
        self.decoys.add(value)
        return value


def _rows(people: Sequence[Mapping[str, str]], lang: str, extra: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    headers = HEADERS[lang]
    rows = []
    for i, person in enumerate(people):
        row: dict[str, Any] = dict(extra[i]) if i < len(extra) else {}
        row.update({headers[k]: v for k, v in person.items()})
        rows.append(row)
    return rows


def _types(keys: Sequence[str]) -> frozenset[PiiType]:
    return frozenset(KEY_TYPES[k] for k in keys)


def _obj(key: str, data: bytes, fmt: str, content_type: str, keys: Sequence[str] = (), *,
         headerless: bool = False, public_acl: bool = False, also: Sequence[PiiType] = ()) -> SeedObject:
    """An object whose columns hold the record ``keys`` (and the types ``also`` planted beside them)."""
    planted = _types(keys) | frozenset(also)
    found = planted & SELF_EVIDENT if headerless else planted
    return SeedObject(key=key, data=data, content_type=content_type, format=fmt, pii_types=found,
                      planted_types=planted, public_acl=public_acl)


def _service_extra(rng: random.Random, count: int, prefix: str) -> list[dict[str, Any]]:
    jobs = ("periodic service", "oil change", "brake inspection", "tyre replacement", "recall campaign")
    return [{"job_no": f"{prefix}-{rng.randrange(100000, 999999)}", "service": rng.choice(jobs),
             "odometer_km": rng.randrange(1000, 250000)} for _ in range(count)]


# ---- AWS --------------------------------------------------------------------------------

def _public_policy(bucket: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": PUBLIC_READ_POLICY_SID, "Effect": "Allow", "Principal": "*",
        "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{bucket}/*"]}]}


def _ip_limited_policy(bucket: str) -> dict[str, Any]:
    """Anonymous access, but only from a partner's network range: not public (S3's policy status agrees)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "PartnerNetworkOnly", "Effect": "Allow", "Principal": "*",
        "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}


def _can_bus_dump(rng: random.Random) -> bytes:
    """About 1.5 MB of incompressible sensor frames, no PII: a Parquet file over the sampling bound,
    range-read from its footer: the small ``frame`` column fits, the ``payload`` column does not."""
    rows = [{"frame": str(i), "payload": f"{rng.getrandbits(4096):01024x}"} for i in range(1500)]
    return files.parquet_bytes(rows)


def _jp(b: _Builder) -> AwsAccountPlan:
    env = environment("jp-connected-prod")
    assert isinstance(env, AwsAccount)
    keys = tuple(KEY_TYPES)
    rng = b.rng("jp/vehicle_owners")
    owners = b.people("JP", 40, rng)
    csv_rows = _rows(owners, "en", [{"customer_id": f"JP{100000 + i}", "model": rng.choice(("Aria", "Kōen", "Sora EV")),
                                     "subscription_card": b.value(PiiType.CREDIT_CARD, "JP", rng)}
                                    for i in range(40)])
    rng = b.rng("jp/trips")
    drivers = b.people("JP", 60, rng, ("name", "phone", "email", "plate", "vin"))
    trips = [{"trip_id": f"T{rng.randrange(10**9, 10**10)}", "vin": d["vin"], "plate": d["plate"],
              "driver": {"name": d["name"], "phone": d["phone"], "email": d["email"]},
              "gps": b.value(PiiType.GEO_LOCATION, "JP", rng), "client_ip": b.value(PiiType.IP_ADDRESS, "JP", rng),
              "distance_km": round(rng.uniform(1, 300), 1), "started_at": f"2021-03-{rng.randrange(1, 29):02d}T08:00:00+09:00"}
             for d in drivers]
    rng = b.rng("jp/dealer_sjis")
    dealer = _rows(b.people("JP", 30, rng), "ja")
    public = S3Bucket(
        name="jp-connected-telematics-exports", region="ap-northeast-1", public_acl=True,
        policy=_public_policy("jp-connected-telematics-exports"), policy_public=True,
        block_public_access=False, encrypted=False,
        note="public since 2019 (ACL and policy): vehicle owners' records and trip exports",
        objects=(
            _obj("customers/vehicle_owners_2019.csv", files.csv_bytes(csv_rows), "csv", "text/csv", keys, public_acl=True,
                 also=(PiiType.CREDIT_CARD,)),
            _obj("telematics/trips_2021-03.jsonl.gz", files.gzip_bytes(files.jsonl_bytes(trips)), "jsonl+gzip",
                 "application/gzip", ("name", "phone", "email", "plate", "vin"), public_acl=True,
                 also=(PiiType.GEO_LOCATION, PiiType.IP_ADDRESS)),
            _obj("dealers/dealer_customers_sjis.csv", files.csv_bytes(dealer, encoding="shift_jis"), "csv",
                 "text/csv; charset=shift_jis", keys, public_acl=True),
        ),
    )
    rng = b.rng("jp/app_logs")
    log_lines = [f"2026-11-20T03:{i // 60:02d}:{i % 60:02d}Z INFO api request_id={rng.getrandbits(64):016x} "
                 f"ticket={b.decoy(PiiType.NATIONAL_ID, 'JP', rng)} status=200 latency_ms={rng.randrange(3, 900)}"
                 for i in range(80)]
    logs = S3Bucket(name="jp-connected-app-logs", region="ap-northeast-1", note="clean: private, encrypted, BPA on, no PII",
                    objects=(_obj("api/2026/11/20/api.log", files.text_bytes(log_lines), "text", "text/plain"),))
    media = S3Bucket(
        name="jp-connected-media", region="ap-northeast-1", note="clean; a photo the sampler cannot read",
        objects=(
            SeedObject("inspections/damage_photo_0001.png", files.png_bytes(seed=b.seed % 251), "image/png", "png",
                       coverage=CoverageStatus.PARTIAL, reason="unsupported format (.png)"),
            SeedObject("telemetry/can_bus_dump_2026-11.parquet", _can_bus_dump(b.rng("jp/can_bus")),
                       "application/vnd.apache.parquet", "parquet", coverage=CoverageStatus.PARTIAL,
                       reason="parquet: 1 of 2 columns within max_object_bytes"),  # its payload column alone is over 1 MiB
            _obj("docs/README.txt", files.text_bytes(["Inspection photos uploaded by service centres.",
                                                      "Retention: 2 years."]), "text", "text/plain"),
        ),
    )
    return AwsAccountPlan(env=env, buckets=(public, logs, media))


def _au(b: _Builder) -> AwsAccountPlan:
    env = environment("au-dealer-service")
    assert isinstance(env, AwsAccount)
    keys = tuple(KEY_TYPES)
    rng = b.rng("au/service")
    people = b.people("AU", 30, rng)
    neutralised = S3Bucket(
        name="au-dealer-service-records", region="ap-southeast-2", public_acl=True, block_public_access=False,
        note="public-read ACL neutralised by the account's Block Public Access",
        objects=(_obj("service/2026-10_customers.csv", files.csv_bytes(_rows(people, "en", _service_extra(rng, 30, "AU"))),
                      "csv", "text/csv", keys, public_acl=True),),
    )
    rng = b.rng("au/archive")
    archive = _rows(b.people("AU", 25, rng), "en", _service_extra(rng, 25, "AU"))
    offshore = S3Bucket(
        name="au-dealer-archive-us", region="us-east-1", note="private, but AU customers' data in us-east-1",
        objects=(_obj("archive/2024_customers.xlsx", files.xlsx_bytes({"Customers": archive}), "xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", keys),),
    )
    return AwsAccountPlan(env=env, buckets=(neutralised, offshore), block_public_access=True)


def _vn(b: _Builder) -> AwsAccountPlan:
    env = environment("vn-dealer-service")
    assert isinstance(env, AwsAccount)
    keys = tuple(KEY_TYPES)
    rng = b.rng("vn/headerless")
    headerless = _rows(b.people("VN", 30, rng), "vi")
    rng = b.rng("vn/history")
    history = [{"ma_phieu": f"VN-{rng.randrange(10**5, 10**6)}", **row}
               for row in _rows(b.people("VN", 30, rng), "vi")]
    rng = b.rng("vn/export")
    export = _rows(b.people("VN", 40, rng), "en", _service_extra(rng, 40, "VN"))
    home = S3Bucket(
        name="vn-dealer-maintenance", region="ap-southeast-1", note="clean configuration, PII in region",
        objects=(
            _obj("khach_hang/khach_hang_2026.csv", files.csv_bytes(headerless, header=False), "csv", "text/csv",
                 keys, headerless=True),
            _obj("khach_hang/lich_su_bao_duong.jsonl", files.jsonl_bytes(history), "jsonl", "application/x-ndjson", keys),
        ),
    )
    offshore = S3Bucket(
        name="vn-dealer-exports-us", region="us-east-1", note="VN customers' data exported to us-east-1",
        objects=(_obj("exports/customers_vn_2026-09.csv.gz", files.gzip_bytes(files.csv_bytes(export)), "csv+gzip",
                      "application/gzip", keys),),
    )
    return AwsAccountPlan(env=env, buckets=(home, offshore))


def _id(b: _Builder) -> AwsAccountPlan:
    env = environment("id-dealer-service")
    assert isinstance(env, AwsAccount)
    keys = tuple(KEY_TYPES)
    rng = b.rng("id/parquet")
    parquet_rows = _rows(b.people("ID", 40, rng), "id", _service_extra(rng, 40, "ID"))
    rng = b.rng("id/xlsx")
    xlsx_rows = _rows(b.people("ID", 25, rng), "id", _service_extra(rng, 25, "ID"))
    home = S3Bucket(
        name="id-dealer-bengkel-data", region="ap-southeast-3", encrypted=False,
        note="in region and private, but no default encryption",
        objects=(
            _obj("pelanggan/pelanggan_2026.parquet", files.parquet_bytes(parquet_rows), "parquet",
                 "application/vnd.apache.parquet", keys),
            _obj("pelanggan/servis_2026.xlsx", files.xlsx_bytes({"Pelanggan": xlsx_rows}), "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", keys),
        ),
    )
    rng = b.rng("id/nested")
    people = b.people("ID", 20, rng)
    nested = {"dealer": "Dealer Jakarta Selatan", "exported": "2025-12-31", "customers": [
        {"nama": p["name"], "alamat": p["address"], "nik": p["national_id"], "tanggal_lahir": p["date_of_birth"],
         "kontak": {"telepon": p["phone"], "email": p["email"]},
         "kendaraan": [{"nomor_polisi": p["plate"], "nomor_rangka": p["vin"]}]} for p in people]}
    offshore = S3Bucket(
        name="id-dealer-analytics-us", region="us-east-1", note="ID customers' data in us-east-1",
        objects=(_obj("servis/servis_2025.json", files.json_bytes(nested), "json", "application/json", keys),
                 _keyed_by_pii(b)),
    )
    return AwsAccountPlan(env=env, buckets=(home, offshore))


def _keyed_by_pii(b: _Builder) -> SeedObject:
    """A JSON object used as a map, keyed by customers' names and by their national IDs.

    The keys are personal data (issue 12, defect 1): a field path must never carry them raw.
    Expected: the types of the values (phone, e-mail, plate); keys may add name and national ID.
    """
    rng = b.rng("id/keyed_by_pii")
    people = b.people("ID", 15, rng, ("name", "national_id", "phone", "email", "plate"))
    document = {"dealer": "Dealer Bandung", "exported": "2025-12-31",
                "pelanggan": {p["name"]: {"telepon": p["phone"], "email": p["email"]} for p in people},
                "kendaraan_per_nik": {p["national_id"]: {"nomor_polisi": p["plate"]} for p in people}}
    expected = frozenset({PiiType.PHONE_NUMBER, PiiType.EMAIL_ADDRESS})
    return SeedObject(key="servis/kontak_per_pelanggan.json", data=files.json_bytes(document),
                      content_type="application/json", format="json", pii_types=expected,
                      planted_types=expected | {PiiType.PERSON_NAME, PiiType.NATIONAL_ID,
                                                PiiType.VEHICLE_REGISTRATION})


def _in(b: _Builder) -> AwsAccountPlan:
    env = environment("in-dealer-service")
    assert isinstance(env, AwsAccount)
    keys = tuple(KEY_TYPES)
    rng = b.rng("in/partner")
    tsv_rows = _rows(b.people("IN", 35, rng), "en", _service_extra(rng, 35, "IN"))
    partner = S3Bucket(
        name="in-dealer-partner-share", region="ap-south-1", policy=_ip_limited_policy("in-dealer-partner-share"),
        block_public_access=False,
        note="policy allows anyone, but only from 203.0.113.0/24: not public; Block Public Access off",
        objects=(_obj("service/customers_2026.tsv", files.csv_bytes(tsv_rows, delimiter="\t"), "tsv",
                      "text/tab-separated-values", keys),),
    )
    rng = b.rng("in/parts")
    orders = [{"order_no": f"PO-{rng.randrange(10**6, 10**7)}", "part_code": f"P{rng.randrange(1000, 9999)}",
               "reference_no": b.decoy(PiiType.NATIONAL_ID, "IN", rng),
               "card_ref": b.decoy(PiiType.CREDIT_CARD, "IN", rng),
               "quantity": rng.randrange(1, 20)} for _ in range(40)]
    parts = S3Bucket(
        name="in-dealer-parts", region="ap-south-1", note="clean; Aadhaar- and card-like decoys that fail checksums",
        objects=(_obj("orders/part_orders_2026.csv", files.csv_bytes(orders), "csv", "text/csv"),),
    )
    return AwsAccountPlan(env=env, buckets=(partner, parts))


# ---- GCP --------------------------------------------------------------------------------

def _policy_tag(project: str, location: str, tag: int) -> str:
    return f"projects/{project}/locations/{location}/taxonomies/7001/policyTags/{tag}"


def _customer_fields(project: str, location: str, untagged: frozenset[str]) -> tuple[BqField, ...]:
    """A customers table; columns named in ``untagged`` have no policy tag (nested ones too)."""

    def pii(name: str, pii_type: PiiType, tag: int) -> BqField:
        return BqField(name, pii=pii_type, policy_tag=None if name in untagged else _policy_tag(project, location, tag))

    return (
        BqField("customer_id"),
        pii("full_name", PiiType.PERSON_NAME, 1),
        pii("address", PiiType.ADDRESS, 2),
        pii("national_id", PiiType.NATIONAL_ID, 3),
        pii("date_of_birth", PiiType.DATE_OF_BIRTH, 4),
        BqField("contact", "RECORD", fields=(pii("phone", PiiType.PHONE_NUMBER, 5), pii("email", PiiType.EMAIL_ADDRESS, 6))),
        BqField("vehicle", "RECORD", fields=(pii("plate", PiiType.VEHICLE_REGISTRATION, 7), pii("vin", PiiType.VIN, 8),
                                             BqField("model"))),
        BqField("last_service", "DATE"),
    )


def _customer_rows(b: _Builder, country: str, count: int, name: str) -> tuple[dict[str, Any], ...]:
    rng = b.rng(name)
    rows = []
    for i, p in enumerate(b.people(country, count, rng)):
        rows.append({"customer_id": f"{country}-{10000 + i}", "full_name": p["name"], "address": p["address"],
                     "national_id": p["national_id"], "date_of_birth": p["date_of_birth"],
                     "contact": {"phone": p["phone"], "email": p["email"]},
                     "vehicle": {"plate": p["plate"], "vin": p["vin"], "model": rng.choice(("Aria", "Sora EV", "Kōen"))},
                     "last_service": f"2026-{rng.randrange(1, 11):02d}-{rng.randrange(1, 29):02d}"})
    return tuple(rows)


def _th(b: _Builder) -> GcpProjectPlan:
    env = environment("th-dealer-analytics")
    assert isinstance(env, GcpProject)
    keys = tuple(KEY_TYPES)
    rng = b.rng("th/crm_json")
    people = b.people("TH", 25, rng)
    nested = [{"รหัสลูกค้า": f"TH{20000 + i}", "ชื่อ": p["name"], "ที่อยู่": p["address"], "วันเกิด": p["date_of_birth"],
               "เลขประจำตัวประชาชน": p["national_id"],
               "ติดต่อ": {"เบอร์โทรศัพท์": p["phone"], "อีเมล": p["email"]},
               "รถยนต์": [{"ทะเบียนรถ": p["plate"], "เลขตัวถัง": p["vin"]}]} for i, p in enumerate(people)]
    rng = b.rng("th/visits")
    visits = _rows(b.people("TH", 30, rng, ("name", "phone", "plate")), "th", _service_extra(rng, 30, "TH"))
    crm = GcsBucket(
        name="th-dealer-crm-exports", location="asia-southeast1", public_member="allUsers",
        note="allUsers may read every object; public access prevention not enforced",
        objects=(
            _obj("crm/customers_2026.json", files.json_bytes(nested), "json", "application/json", keys),
            _obj("crm/service_visits.jsonl", files.jsonl_bytes(visits), "jsonl", "application/x-ndjson",
                 ("name", "phone", "plate")),
        ),
    )
    location = "asia-southeast1"
    customers = BqTable("customers", _customer_fields(env.project_id, location,
                                                      frozenset({"address", "email", "vin", "date_of_birth"})),
                        _customer_rows(b, "TH", 40, "th/bq_customers"),
                        note="some PII columns (nested too) without policy tags")
    rng = b.rng("th/bq_summary")
    summary = BqTable("service_summary", (BqField("province"), BqField("month"), BqField("visits", "INTEGER")),
                      tuple({"province": p, "month": f"2026-{m:02d}", "visits": rng.randrange(50, 900)}
                            for p in ("Bangkok", "Chiang Mai", "Chonburi") for m in range(1, 7)),
                      note="aggregates, no PII")
    crm_ds = BqDataset("crm", location, (customers, summary), public_member="allUsers",
                       note="dataset shared with allUsers")
    return GcpProjectPlan(env=env, buckets=(crm,), datasets=(crm_ds,))


def _my(b: _Builder) -> GcpProjectPlan:
    env = environment("my-dealer-ops")
    assert isinstance(env, GcpProject)
    keys = tuple(KEY_TYPES)
    rng = b.rng("my/us_csv")
    us_rows = _rows(b.people("MY", 30, rng), "en", _service_extra(rng, 30, "MY"))
    rng = b.rng("my/us_parquet")
    pq_rows = _rows(b.people("MY", 30, rng), "en")
    offshore = GcsBucket(
        name="my-dealer-service-files", location="us", public_access_prevention="enforced",
        note="private, but MY customers' data in the US multi-region",
        objects=(
            _obj("servis/customers_2026.csv", files.csv_bytes(us_rows), "csv", "text/csv", keys),
            _obj("servis/customers_2026.parquet", files.parquet_bytes(pq_rows), "parquet",
                 "application/vnd.apache.parquet", keys),
        ),
    )
    rng = b.rng("my/archive")
    archive = _rows(b.people("MY", 40, rng), "en", _service_extra(rng, 40, "MY"))
    secure = GcsBucket(
        name="my-dealer-secure-archive", location="asia-southeast1", public_access_prevention="enforced",
        note="clean: private, public access prevention enforced, in region",
        objects=(_obj("archive/customers_2025.jsonl.gz", files.gzip_bytes(files.jsonl_bytes(archive)), "jsonl+gzip",
                      "application/gzip", keys),),
    )
    location = "asia-southeast1"
    appointments = BqTable("appointments", _customer_fields(env.project_id, location, frozenset()),
                           _customer_rows(b, "MY", 30, "my/bq_appointments"), note="every PII column tagged")
    history = BqTable("service_history", _customer_fields(env.project_id, location, frozenset({"national_id", "phone"})),
                      _customer_rows(b, "MY", 30, "my/bq_history"), public_member="allUsers",
                      note="table IAM binds allUsers; national_id and contact.phone untagged")
    service = BqDataset("service", location, (appointments, history), note="private dataset")
    return GcpProjectPlan(env=env, buckets=(offshore, secure), datasets=(service,))


def _sg(b: _Builder) -> GcpProjectPlan:
    env = environment("sg-dealer-portal")
    assert isinstance(env, GcpProject)
    rng = b.rng("sg/catalog")
    catalog = {"models": [{"model": m, "price_sgd": rng.randrange(90000, 250000), "colours": ["white", "grey"]}
                          for m in ("Aria", "Sora EV", "Kōen")]}
    assets = GcsBucket(
        name="sg-dealer-portal-assets", location="asia-southeast1", public_member="allUsers",
        note="public website assets: public on purpose, no PII",
        objects=(_obj("catalog/models.json", files.json_bytes(catalog), "json", "application/json"),
                 _obj("catalog/terms.txt", files.text_bytes(["Prices include GST.", "Valid until 2026-12-31."]),
                      "text", "text/plain")),
    )
    registrations = BqTable("registrations", _customer_fields(env.project_id, "us", frozenset()),
                            _customer_rows(b, "SG", 30, "sg/bq_registrations"),
                            note="every PII column tagged, but the dataset is in the US")
    portal = BqDataset("portal_us", "us", (registrations,), note="SG customers' data in the US multi-region")
    return GcpProjectPlan(env=env, buckets=(assets,), datasets=(portal,))


def build_plan(seed: int) -> EstatePlan:
    """The whole demo estate for ``seed``: deterministic, no I/O."""
    b = _Builder(seed)
    aws = (_jp(b), _au(b), _vn(b), _id(b), _in(b))
    gcp = (_th(b), _my(b), _sg(b))
    planned = {p.env.name for p in aws} | {p.env.name for p in gcp}
    unreachable = tuple(a for a in aws_accounts() if not a.reachable)
    every = {a.name for a in aws_accounts()} | {g.name for g in gcp_projects()}
    missing = every - planned - {a.name for a in unreachable}
    assert not missing, f"layout environments without a plan: {sorted(missing)}"
    planted = {str(t): tuple(sorted(v)) for t, v in sorted(b.planted.items())}
    return EstatePlan(seed=seed, aws=aws, gcp=gcp, unreachable=unreachable, planted=planted,
                      decoys=tuple(sorted(b.decoys)))
