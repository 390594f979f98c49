"""New files in the inbox: found, hashed, told apart from what was seen before, and archived as received. A file
still being copied in, or replaced while the night reads it, is left for the next run."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import polars as pl

from schemas.reading.reader import SUPPORTED_SUFFIXES
from warehouse.database import connect, migrate
from warehouse.load import current_list_dates, loaded_hashes, seen_files
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    """A file found in an agency's inbox folder; `file_name` is its path inside that folder."""

    agency_code: str
    path: Path
    file_name: str
    sha256: str
    duplicate: bool = False
    current_list_as_of: dt.date | None = None
    size: int = 0
    modified_ns: int = 0

    def changed(self) -> bool:
        """The file is not as it was hashed: still being copied into the inbox, or replaced since."""
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return True
        return (found.st_size, found.st_mtime_ns) != (self.size, self.modified_ns)


class Unsettled(Exception):
    """A file changed while the night took it in; it is left for the next run."""


def file_sha256(path: Path) -> str:
    """Content hash, read in blocks so that a large file is never held whole: the identity of a file, whatever its
    name."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def discover(workspace: Workspace, catalogue: pl.DataFrame) -> tuple[list[IncomingFile], int]:
    """New files in the inbox (never seen under this name with these bytes), and how many files were seen. A file
    that changes while it is hashed is still being copied in: it is left for the next run. The same bytes are a
    duplicate only of a list their own agency had loaded: another agency sending a copy still gets it judged."""
    with connect(workspace.database) as connection:
        migrate(connection)
        seen = seen_files(connection, catalogue["agency_code"].unique().to_list())
        loaded = loaded_hashes(connection)
        current = current_list_dates(connection)
    found = workspace.inbox_files(SUPPORTED_SUFFIXES)
    incoming = []
    for agency_code, path in found:
        try:
            before = path.stat()
            sha = file_sha256(path)
        except OSError as error:  # gone since the inbox was listed, or not readable by the service's user
            logger.warning("inbox: %s/%s cannot be read (%s); left for the next run", agency_code, path.name, error)
            continue
        name = path.relative_to(workspace.inbox / agency_code).as_posix()
        item = IncomingFile(
            agency_code,
            path,
            name,
            sha,
            (agency_code, sha) in loaded,
            current.get(agency_code),
            before.st_size,
            before.st_mtime_ns,
        )
        if item.changed():
            left_for_next_run(item)
        elif (agency_code, name, sha) not in seen:
            incoming.append(item)
    return incoming, len(found)


def left_for_next_run(item: IncomingFile) -> None:
    """Said in the run log, so the operator knows why a file in the inbox was not judged this night."""
    logger.warning(
        "inbox: %s/%s changed while it was read (still being copied?); left for the next run",
        item.agency_code,
        item.file_name,
    )


def archive(workspace: Workspace, incoming: IncomingFile) -> Path:
    """Keep an immutable copy named by content hash, written beside under a name of its own (two agencies may send
    the same bytes, judged by two workers at once) and renamed, so it is whole or absent. The bytes copied are
    hashed as they are copied: a file that changed since it was found, or is gone, is not archived under a hash of
    other bytes but left for the next run (Unsettled)."""
    target = workspace.archive_path(incoming.sha256, incoming.path.suffix)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        partial = Path(name)
        digest = hashlib.sha256()
        try:
            with incoming.path.open("rb") as source, os.fdopen(handle, "wb") as copy:
                while block := source.read(1 << 20):
                    digest.update(block)
                    copy.write(block)
            if digest.hexdigest() != incoming.sha256:
                raise Unsettled(incoming.file_name)
            partial.replace(target)
        except FileNotFoundError as error:
            raise Unsettled(incoming.file_name) from error
        finally:
            partial.unlink(missing_ok=True)
    if incoming.changed():
        raise Unsettled(incoming.file_name)
    return target


# What Windows (English and Vietnamese), macOS, Linux file managers and browsers add to a copy's name; a number in
# brackets is a copy's when it is short ("X (1)"), not a year or a date a clerk wrote ("DS (2024)").
_COPY_NAME = re.compile(
    r"(^(copy of|bản sao của) )|( - (copy|bản sao)( \(\d+\))?$)|( ?\(\d{1,2}\)$)"
    r"|( copy( \d+)?$)|( \((another )?copy\)$)",
    re.IGNORECASE,
)


def looks_like_a_copy(file_name: str) -> bool:
    """Whether a file's name (its stem, in whatever folder) is the name a computer gives a copy of another file."""
    return bool(_COPY_NAME.search(unicodedata.normalize("NFC", PurePosixPath(file_name).stem)))
