"""Prefect without a server or any set-up by the user: the settings the platform notes recommend, applied
before Prefect is imported, so `staffq run` works on a fresh machine with nothing exported."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.workspace import Workspace

_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def configure_prefect(workspace_root: Path) -> None:
    """Keep Prefect's database inside the workspace (a warm start is cheaper) and keep everything local.
    Values the user has set already win."""
    os.environ.setdefault("PREFECT_HOME", str(Workspace.at(workspace_root).prefect_home))
    for name, value in _DEFAULTS.items():
        os.environ.setdefault(name, value)
