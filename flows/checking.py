"""`staffq check`: the nightly reader and checks on one file, nothing loaded — what a clerk runs before sending."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.pipeline import file_context
from flows.settings import Settings, load_settings, workspace_of, workspace_policy
from schemas.agencies import read_catalogue, shipped_catalogue
from schemas.validate import NOT_READ_CODES, validate_file


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one file as the clerk sees it."""

    status: str
    rows_read: int
    rows_rejected: int
    issues: pl.DataFrame

    @property
    def exit_code(self) -> int:
        if self.issues.filter(pl.col("check_code").is_in(NOT_READ_CODES)).height:
            return 2
        return 1 if self.issues.filter(pl.col("severity") == "error").height else 0

    def to_dicts(self) -> dict:
        return {
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "issues": self.issues.to_dicts(),
        }


def check_file(path: Path, agency: str | None, root: Path) -> CheckResult:
    """Inside a workspace its catalogue and settings (the read limits too) apply, as in the nightly run; elsewhere
    the shipped Tân Uyên catalogue and the default settings."""
    if (root / "staffq.toml").is_file():
        settings = load_settings(root)
        workspace = workspace_of(root, settings)
        catalogue, policy = read_catalogue(workspace.agencies), workspace_policy(workspace, settings)
    else:
        settings = Settings()
        catalogue, policy = read_catalogue(shipped_catalogue("tan-uyen")), settings.policy()
    context = file_context(agency or "", catalogue, settings, dt.date.today(), policy=policy)
    if agency is None:
        context = dataclasses.replace(context, agency_known=True)
    result = validate_file(path, context)
    return CheckResult(result.status, result.rows_read, result.rejected.height, result.issues)
