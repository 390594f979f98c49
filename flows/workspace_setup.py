"""Creating a workspace: settings with a fresh secret, the agency catalogue, an inbox folder per agency."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from flows.settings import render_config
from schemas.agencies import read_catalogue, shipped_catalogue
from schemas.reference import reference_path
from warehouse.workspace import Workspace


class WorkspaceExists(Exception):
    """The folder already holds a staffq workspace."""


def create_workspace(root: Path, catalogue: str | None = "tan-uyen") -> Workspace:
    """Lay out a new workspace; the config file (it holds the person-key secret) is owner-only."""
    workspace = Workspace.at(root)
    if workspace.exists():
        raise WorkspaceExists(str(workspace.root))
    for folder in (workspace.inbox, workspace.archive, workspace.outbox):
        folder.mkdir(parents=True, exist_ok=True)
    if catalogue:
        shutil.copyfile(shipped_catalogue(catalogue), workspace.agencies)
        agencies = read_catalogue(workspace.agencies)
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
    descriptor = os.open(workspace.config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(render_config())
    return workspace
