"""`staffq demo`: a Tân Uyên workspace whose agency files reproduce the source article's table."""

from __future__ import annotations

from pathlib import Path

from flows.cli.init import create_workspace
from flows.demo.files import write_demo_inbox
from flows.settings import load_settings, workspace_of
from warehouse.workspace import Workspace


def prepare_demo(root: Path) -> tuple[Workspace, list[Path]]:
    """Create the workspace once, then (re)write the agency files: identical bytes, so a re-run loads nothing."""
    if not Workspace.at(root).exists():
        create_workspace(root, "tan-uyen")
    workspace = workspace_of(root, load_settings(root))
    return workspace, write_demo_inbox(workspace.inbox, workspace.agencies)
