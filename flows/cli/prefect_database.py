"""A new workspace's Prefect database, copied from a template rather than migrated. A Prefect server that finds no
database creates one and applies every migration Prefect has, which costs the first command of every new workspace
(and every `staffq demo`) more than the server's whole start otherwise does. The template is a database migrated
once per machine and Prefect version, with nothing in it but Prefect's schema; it lives in the user's cache.

Nothing here may cost a night: a template that cannot be made or copied leaves the server to migrate as before."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)
DATABASE_NAME = "prefect.db"
# A database configured elsewhere (PostgreSQL for a shared server) is the operator's to create.
_DATABASE_SETTINGS = ("PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_DATABASE_CONNECTION_URL")
# Run in a process of its own: migrate a database in a temporary Prefect home beside the template, then put it in
# place in one rename, so that no command ever copies half a template.
# Prefect keeps SQLite in WAL mode; the template is turned back to a single file, its log written into it, so that
# a copy of the one file is the whole database.
_MAKE_TEMPLATE = """
import os, pathlib, sqlite3, subprocess, sys, tempfile
template = pathlib.Path(sys.argv[1])
with tempfile.TemporaryDirectory(dir=template.parent, prefix=".making-") as home:
    subprocess.run(
        [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
        env={**os.environ, "PREFECT_HOME": home}, check=True, capture_output=True,
    )
    database = sqlite3.connect(pathlib.Path(home) / "prefect.db")
    database.execute("pragma wal_checkpoint(truncate)")
    database.execute("pragma journal_mode = delete")
    database.close()
    os.replace(pathlib.Path(home) / "prefect.db", template)
"""


def seed_database(home: Path, stop_with_command: Callable[[], None]) -> subprocess.Popen | None:
    """Before a server starts on Prefect home `home`: a copy of the template there when it has no database yet. When
    there is no template, the server migrates its own database as before, and a process started here makes the
    template for the next new workspace; it is returned, to be waited for, and is started with `stop_with_command`
    (see flows.cli.prefect_server) so that it never outlives the command."""
    database = home / DATABASE_NAME
    if any(os.environ.get(name) for name in _DATABASE_SETTINGS) or database.exists():
        return None
    template = template_path()
    try:
        if template.is_file():
            home.mkdir(parents=True, exist_ok=True)
            partial = home / f".{DATABASE_NAME}.{os.getpid()}.part"
            shutil.copyfile(template, partial)
            partial.replace(database)
            return None
        template.parent.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [sys.executable, "-c", _MAKE_TEMPLATE, str(template)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=stop_with_command,
        )
    except OSError as error:
        logger.info("no template for Prefect's database (%s): the server migrates its own", error)
        return None


def template_path() -> Path:
    """The template of this Prefect version's database, in the user's cache (XDG_CACHE_HOME, else ~/.cache)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "staffq" / f"prefect-{metadata.version('prefect')}.db"
