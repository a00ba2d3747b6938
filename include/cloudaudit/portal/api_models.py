"""The JSON shapes of the portal's API (they make its OpenAPI schema)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ReportFiles(BaseModel):
    spreadsheet: str | None = Field(None, description="download URL of compliance_<CC>_<D>.xlsx")
    bundle: str | None = Field(None, description="download URL of evidence_<CC>_<D>.zip")


class ReportSummary(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-2")
    date: str = Field(description="run date, YYYY-MM-DD")
    fail_by_severity: dict[str, int] | None = Field(
        None, description="FAIL findings per severity; null when the spreadsheet cannot be read")
    open_critical: int | None = None
    max_days_open: int | None = Field(None, description="days the oldest open critical finding has been open")
    verified: bool | None = Field(None, description="the bundle verifies (null: no bundle published)")
    verify_problems: list[str] = Field(default_factory=list)
    signer_fingerprint: str | None = None
    files: ReportFiles


class ReportList(BaseModel):
    reports: list[ReportSummary]
    countries: list[str] = Field(description="the countries this user may see")
