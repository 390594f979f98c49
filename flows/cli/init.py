"""Creating a workspace: settings, a fresh person-key secret, the agency catalogue, an inbox folder per agency."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from flows.settings import SECRET_FILE, environment_variable, render_config, secret_file
from schemas.reference import reference_path
from schemas.rules.agencies import read_agencies, shipped_agencies
from warehouse.workspace import Workspace


class WorkspaceExists(Exception):
    """The folder already holds a staffq workspace."""


def create_workspace(root: Path, catalogue: str | None = "tan-uyen") -> Workspace:
    """Lay out a new workspace. The person-key secret goes into a file readable by its owner only, unless the
    environment sets it; a .gitignore keeps it, and the personal data, out of version control."""
    workspace = Workspace.at(root)
    if workspace.exists():
        raise WorkspaceExists(str(workspace.root))
    for folder in (workspace.inbox, workspace.archive, workspace.outbox):
        folder.mkdir(parents=True, exist_ok=True)
    if catalogue:
        shutil.copyfile(shipped_agencies(catalogue), workspace.agencies)
        agencies = read_agencies(workspace.agencies)
        for row in agencies.filter(agencies["expected_cadence"] != "none").iter_rows(named=True):
            (workspace.inbox / row["agency_code"]).mkdir(exist_ok=True)
    else:
        workspace.agencies.write_text(
            "agency_code,name,agency_group,parent_code,valid_from,valid_to,expected_cadence,staff_quota,"
            "default_staff_category,aliases\n",
            encoding="utf-8",
        )
    # The organisation board's own tables, to edit: who is a leader, and the standards of each post.
    shutil.copyfile(reference_path("positions.csv"), workspace.positions)
    shutil.copyfile(reference_path("title_standards.csv"), workspace.title_standards)
    # A secret already there is kept: lists may have been keyed with it.
    if not environment_variable("privacy", "person_key_secret"):
        _write_new(secret_file(workspace.root), secrets.token_hex(32) + "\n", 0o600, keep=True)
    _write_new(workspace.root / ".gitignore", _GITIGNORE, 0o644, keep=True)
    # Owner-only too: an operator may set the secret in it, as the contract allows.
    _write_new(workspace.config, render_config(), 0o600, keep=False)
    return workspace


def _write_new(path: Path, text: str, mode: int, keep: bool) -> None:
    """Create a file with `mode` (a umask may only narrow it), or, with `keep`, leave the one already there."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        if keep:
            return
        raise
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


_GITIGNORE = f"""\
# The person-key secret, and the personal data and databases staffq writes: none belongs in version control.
{SECRET_FILE}
inbox/
archive/
outbox/
*.duckdb
*.duckdb.wal
.*.staging/
.prefect/
"""
