"""`staffq check`: the nightly reader and checks on one file, nothing loaded — what a clerk runs before sending."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from flows.judging_rules import JudgingRules
from flows.settings import Settings, load_settings, workspace_of, workspace_policy
from schemas.judging.results import NOT_READ_CODES
from schemas.judging.validate import validate_file
from schemas.rules.agencies import read_agencies, shipped_agencies
from warehouse.workspace import CONFIG_FILE

_STAND_IN_CATEGORY = "civil_servant"


class NotAWorkspace(Exception):
    """--workspace names a folder without staffq.toml."""


@dataclass(frozen=True)
class Sender:
    """Who sent the file, as far as `check` knows: `source` is "option" (--agency), "inbox" (the file lies in
    inbox/<AGENCY>/ of a workspace) or None (nobody said: agency-dependent checks are skipped)."""

    code: str | None
    name: str | None
    source: str | None


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one file as the clerk sees it."""

    file_name: str
    sender: Sender
    status: str
    rows_read: int
    rows_rejected: int
    issues: pl.DataFrame
    as_of_date: dt.date | None = None

    @property
    def exit_code(self) -> int:
        if self.issues.filter(pl.col("check_code").is_in(NOT_READ_CODES)).height:
            return 2
        return 1 if self.issues.filter(pl.col("severity") == "error").height else 0

    @property
    def rows_taken(self) -> int:
        return self.rows_read - self.rows_rejected

    def to_dicts(self) -> dict:
        return {
            "file_name": self.file_name,
            "agency": self.sender.code,
            "agency_name": self.sender.name,
            "agency_from": self.sender.source,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "issues": self.issues.to_dicts(),
        }


def find_workspace(path: Path, given: Path | None) -> Path | None:
    """The workspace whose rules apply: the one named by --workspace, else the one holding the file (a clerk's
    copy in its inbox), else the current folder if it is one; None outside any workspace."""
    if given is not None:
        if not (given / CONFIG_FILE).is_file():
            raise NotAWorkspace(given)
        return given.resolve()
    for folder in (*path.resolve().parents, Path.cwd()):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def check_file(path: Path, agency: str | None, root: Path | None) -> CheckResult:
    """Inside a workspace its catalogue and settings (the read limits too) apply, as in the nightly run, and a
    file in its inbox is judged as sent by the agency whose folder holds it; elsewhere the shipped Tân Uyên
    catalogue and the default settings, and only the agency given."""
    if root is not None:
        settings = load_settings(root)
        workspace = workspace_of(root, settings)
        catalogue, policy = read_agencies(workspace.agencies), workspace_policy(workspace, settings)
        inbox = workspace.inbox
    else:
        settings = Settings()
        catalogue, policy = read_agencies(shipped_agencies("tan-uyen")), settings.policy()
        inbox = None
    code, source = (agency, "option") if agency else (_inbox_agency(path, inbox), "inbox")
    context = JudgingRules.of(settings, catalogue, policy).context(code or "", dt.date.today())
    if code is None:
        # Most agencies give a default category to a list without a category column; whether this one does is
        # among the checks skipped, so the rows are judged as if it did rather than each reported uncategorised.
        read = dataclasses.replace(context.read, default_staff_category=_STAND_IN_CATEGORY)
        context, source = dataclasses.replace(context, read=read, agency_given=False), None
    result = validate_file(path, context)
    return CheckResult(
        path.name,
        Sender(code, context.agency_name, source),
        result.status,
        result.rows_read,
        result.rejected.height,
        result.issues,
        result.as_of_date,
    )


def _inbox_agency(path: Path, inbox: Path | None) -> str | None:
    """The agency folder of the inbox the file lies in, as the nightly run reads it."""
    if inbox is None:
        return None
    try:
        parts = path.resolve().relative_to(inbox.resolve()).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None
