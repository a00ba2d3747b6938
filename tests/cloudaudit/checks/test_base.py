"""Check metadata, the registry and the SPEC's check IDs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudaudit.checks.base import load_metadata
from cloudaudit.checks.registry import all_checks, checks_by_table
from cloudaudit.errors import ConfigError
from cloudaudit.model import Category

SPEC_CHECK_IDS = {
    "aws_s3_bucket_public_acl": Category.ACCESS, "aws_s3_bucket_public_policy": Category.ACCESS,
    "aws_s3_block_public_access_off": Category.ACCESS, "aws_s3_object_public_acl": Category.ACCESS,
    "aws_s3_default_encryption_off": Category.PROTECTION, "gcp_bq_dataset_public": Category.ACCESS,
    "gcp_bq_table_public": Category.ACCESS, "gcp_bq_pii_column_untagged": Category.PROTECTION,
    "gcp_gcs_bucket_public": Category.ACCESS, "gcp_gcs_public_access_prevention_off": Category.ACCESS,
    "aws_s3_pii_public": Category.PII_EXPOSURE, "gcp_bq_pii_public": Category.PII_EXPOSURE,
    "gcp_gcs_pii_public": Category.PII_EXPOSURE, "aws_s3_pii_residency": Category.RESIDENCY,
    "gcp_bq_pii_residency": Category.RESIDENCY, "gcp_gcs_pii_residency": Category.RESIDENCY,
    "coverage_not_assessed": Category.COVERAGE,
}
METADATA = {
    "check_id": "aws_s3_example", "title": "Example", "provider": "aws", "service": "s3",
    "facts_table": "s3_buckets", "category": "ACCESS", "severity": "high", "risk": "r",
    "remediation": {"text": "t", "console": "c", "cli": "aws s3api x"}, "references": [],
}


def test_every_spec_check_is_registered_with_its_category() -> None:
    assert {c.check_id: c.metadata.category for c in all_checks()} == SPEC_CHECK_IDS


def test_every_check_lives_in_its_provider_and_service_folder() -> None:
    for check in all_checks():
        path = Path(check.module.__file__ or "")
        meta = check.metadata
        assert path.parent.name == path.stem == meta.check_id
        if meta.provider:
            assert path.parent.parent.name == (meta.service.value if meta.service else "")
            assert path.parent.parent.parent.name == meta.provider.value


def test_validated_checks_name_an_existing_facts_column() -> None:
    from cloudaudit.checks.facts import columns

    for table, checks in checks_by_table().items():
        for check in checks:
            assert check.column in columns(table), check.check_id


def _write(tmp_path: Path, folder: str, module: str, data: dict[str, object]) -> Path:
    (tmp_path / folder).mkdir()
    (tmp_path / folder / f"{module}.metadata.json").write_text(json.dumps(data))
    return tmp_path / folder / f"{module}.py"


def test_load_metadata_accepts_aligned_names(tmp_path: Path) -> None:
    meta = load_metadata(_write(tmp_path, "aws_s3_example", "aws_s3_example", METADATA))
    assert (meta.check_id, meta.remediation.cli) == ("aws_s3_example", "aws s3api x")


@pytest.mark.parametrize(("folder", "module", "data", "message"), [
    ("aws_s3_other", "aws_s3_example", METADATA, "must be the same"),
    ("aws_s3_example", "aws_s3_other", {**METADATA, "check_id": "aws_s3_other"}, "must be the same"),
    ("aws_s3_example", "aws_s3_example", {**METADATA, "severity": "urgent"}, "severity"),
    ("aws_s3_example", "aws_s3_example", {**METADATA, "service": "gcs"}, "must start with 'aws_gcs_'"),
    ("aws_s3_example", "aws_s3_example", {k: v for k, v in METADATA.items() if k != "risk"}, "risk"),
])
def test_load_metadata_refuses_misaligned_or_invalid(tmp_path: Path, folder: str, module: str,
                                                     data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_metadata(_write(tmp_path, folder, module, data))


def test_load_metadata_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_metadata(tmp_path / "x" / "x.py")


def test_metadata_errors_name_fields_as_the_inventory_errors_do(tmp_path: Path) -> None:
    """One formatter (cloudaudit.errors.validation_message): list items in brackets, never ``references.1``."""
    data = {**METADATA, "references": ["https://example.test", 7]}
    with pytest.raises(ConfigError) as raised:
        load_metadata(_write(tmp_path, "aws_s3_example", "aws_s3_example", data))
    assert "references[1]: " in str(raised.value)
    assert "references.1" not in str(raised.value)
