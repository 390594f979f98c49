"""The workspace layout on disk: the one place that knows where each file of a staffq workspace lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "staffq.toml"


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

    def exists(self) -> bool:
        """A folder holds a workspace when it has a staffq.toml."""
        return self.config.is_file()

    def inbox_files(self, suffixes: set[str]) -> list[tuple[str, Path]]:
        """(agency folder, file) for every file in the inbox, in a stable order; hidden files are skipped."""
        found = []
        if not self.inbox.is_dir():
            return found
        for folder in sorted(p for p in self.inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith((".", "~$")) and path.suffix.lower() in suffixes:
                    found.append((folder.name, path))
        return found

    def archive_path(self, sha256: str, suffix: str) -> Path:
        """An immutable copy is named by content hash, so the same bytes are stored once."""
        return self.archive / f"{sha256}{suffix.lower()}"
