"""The workspace layout on disk: the one place that knows where each file of a staffq workspace lives."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from warehouse.lake import Lake

CONFIG_FILE = "staffq.toml"
# Excel's owner file, LibreOffice's lock file and macOS's resource fork of a file copied from a Mac.
_HELPER_FILES = ("~$", ".~lock.", "._")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace (contract §2); every path can be moved by settings."""

    root: Path
    inbox: Path
    archive: Path
    outbox: Path
    agencies: Path
    warehouse: Path
    published: Path
    positions: Path
    title_standards: Path
    # The city's lake when the warehouse is one (see warehouse.lake); the file `warehouse` otherwise.
    lake: Lake | None = None

    @classmethod
    def at(cls, root: Path) -> Workspace:
        """The default layout under `root`."""
        root = root.resolve()
        return cls(
            root=root,
            inbox=root / "inbox",
            archive=root / "archive",
            outbox=root / "outbox",
            agencies=root / "agencies.csv",
            warehouse=root / "warehouse.duckdb",
            published=root / "staffq.duckdb",
            positions=root / "positions.csv",
            title_standards=root / "title_standards.csv",
        )

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def prefect_home(self) -> Path:
        return self.root / ".prefect"

    @property
    def database(self) -> Path | Lake:
        """Where the warehouse's tables are: what warehouse.database.connect opens."""
        return self.lake or self.warehouse

    @property
    def staging(self) -> Path:
        """What judged files give the warehouse, not yet loaded: one folder per run, beside the warehouse (on its
        disk)."""
        return self.warehouse.with_name(f".{self.warehouse.name}.staging")

    def run_staging(self, run_id: str) -> Path:
        return self.staging / run_id

    def exists(self) -> bool:
        """A folder holds a workspace when it has a staffq.toml."""
        return self.config.is_file()

    def inbox_files(self, suffixes: set[str]) -> list[tuple[str, Path]]:
        """(agency folder, file) for every regular file in the inbox, in a stable order. A symbolic link is never
        followed (it could point anywhere on the server, or at a device that never ends) and a name that is not
        UTF-8 cannot be recorded: both are left alone with a warning to the operator. Hidden folders and the lock
        and metadata files Excel, LibreOffice and macOS write beside a list are skipped silently."""
        found = []
        if not self.inbox.is_dir():
            return found
        with os.scandir(self.inbox) as folders:
            agencies = sorted(folders, key=lambda entry: entry.name)
        for folder in agencies:
            if folder.name.startswith(".") or not _is_safe(folder, self.inbox) or not folder.is_dir():
                continue
            found += [(folder.name, path) for path in sorted(self._files_under(folder.path, suffixes))]
        return found

    def _files_under(self, folder: str, suffixes: set[str]) -> list[Path]:
        """Walked with os.scandir, whose entries know their type: a night looks at every file of the inbox, and
        asking each file its type again would be a second system call per file. The operator's warnings come in
        os.walk's order: about a folder's subfolders, then its files, then what the subfolders hold."""
        with os.scandir(folder) as scanned:
            entries = sorted(scanned, key=lambda entry: entry.name)
        # A link to a folder is listed with the folders, as os.walk does, and the operator told about it.
        below = [e for e in entries if e.is_dir() and not e.name.startswith(".") and _is_safe(e, self.inbox)]
        files = [
            Path(entry.path)
            for entry in entries
            if not entry.is_dir()
            and not entry.name.startswith(_HELPER_FILES)
            and Path(entry.name).suffix.lower() in suffixes
            and _is_safe(entry, self.inbox)
            and entry.is_file(follow_symlinks=False)
        ]
        return files + [path for entry in below for path in self._files_under(entry.path, suffixes)]

    def write_error(self) -> str | None:
        """Why nothing can be written in the workspace (a read-only mount, no permission, a full disk), or None.
        Asked before a run starts: Prefect's own database lives here and would otherwise fail slowly."""
        for folder in (self.root, self.prefect_home):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryFile(dir=folder):
                    pass
            except OSError as error:
                return f"{folder}: {error.strerror or error}"
        return None

    def archive_path(self, sha256: str, suffix: str) -> Path:
        """An immutable copy is named by content hash, so the same bytes are stored once."""
        return self.archive / f"{sha256}{suffix.lower()}"


def _is_safe(entry: os.DirEntry, inbox: Path) -> bool:
    """Neither a symbolic link nor a name the warehouse cannot store; the operator is told about either."""
    if entry.is_symlink():
        logger.warning("inbox: %r is a symbolic link; it is not followed and not read", _shown(entry, inbox))
        return False
    try:
        entry.name.encode("utf-8")
    except UnicodeEncodeError:
        logger.warning("inbox: %r has a name that is not UTF-8; rename it to have it read", _shown(entry, inbox))
        return False
    return True


def _shown(entry: os.DirEntry, inbox: Path) -> str:
    return str(Path(entry.path).relative_to(inbox))
