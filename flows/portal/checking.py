"""A list checked in the portal: judged as `staffq check` judges it, its marked copy written, and both kept in a
temporary folder only until the clerk sends the list, checks another, or the check expires — nothing else is
stored. Sending puts the file into the agency's inbox folder under a name of staffq's own."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from flows.cli.check import CheckResult, Sender, check_file
from flows.delivery.feedback import write_feedback
from flows.inbox import file_sha256
from flows.processes import Failed, WorkerLimits, WorkerPool, cores, worker_pool
from flows.settings import load_settings
from schemas.judging.results import stopped
from warehouse.load import Submission
from warehouse.workspace import Workspace

logger = logging.getLogger(__name__)
# What the portal takes: the formats of `staffq check` a clerk saves from Excel.
ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".csv")
# A checked list waits this long for "Gửi danh sách"; after, its folder goes and the clerk checks it again.
CHECK_LIFETIME_SECONDS = 3600


@dataclass(frozen=True)
class CheckedList:
    """One checked upload. `token` names it in URLs (random, nothing of the file); `agency` is whose it is."""

    token: str
    agency: str
    folder: Path
    upload: Path
    sent_as: str
    result: CheckResult
    marked: Path | None
    created: float

    @property
    def has_errors(self) -> bool:
        return self.result.exit_code != 0


class CheckedLists:
    """The checks waiting to be sent, in memory: a restart of the portal forgets them and deletes their folders."""

    def __init__(self, root: Path, scratch: Path | None = None) -> None:
        self.root = root
        self.scratch = scratch
        self._lists: dict[str, CheckedList] = {}
        self._lock = threading.Lock()
        self._stack = ExitStack()  # holds the workers once started
        self._pool: WorkerPool | None = None

    def _workers(self) -> WorkerPool:
        """The worker processes that check uploads, started at the first check and kept until the portal stops."""
        with self._lock:
            if self._pool is None:
                limits = load_settings(self.root).limits.worker_limits()
                self._pool = self._stack.enter_context(worker_pool(cores(), limits))
            return self._pool

    def new_folder(self) -> Path:
        """A private temporary folder for one upload."""
        return Path(tempfile.mkdtemp(prefix="staffq-portal-", dir=self.scratch))

    def check(self, folder: Path, upload: Path, sent_as: str, agency: str) -> CheckedList:
        """Judge the upload lying in `folder` for `agency`, write its marked copy beside it, and keep both. Both are
        made in a worker process under the workspace's [limits], as the night judges a file: this process also
        runs the nightly schedule, and an upload that would take its memory (a reader that cannot allocate aborts
        the process) or its time costs the clerk's check alone."""
        workers = self._workers()
        [outcome] = workers.run(_judged, [(folder, upload, agency, self.root)])
        if isinstance(outcome, Failed) and outcome.reason == "error":
            raise CheckFailed(outcome.detail)
        result, marked = _stopped(upload, agency, outcome, workers.limits) if isinstance(outcome, Failed) else outcome
        checked = CheckedList(secrets.token_urlsafe(18), agency, folder, upload, sent_as, result, marked, time.time())
        with self._lock:
            self._forget_expired()
            self._lists[checked.token] = checked
        return checked

    def get(self, token: str, agency: str | None) -> CheckedList | None:
        """The check `token` names, if it is the agency's (any agency's for an operator, `agency` None)."""
        with self._lock:
            self._forget_expired()
            checked = self._lists.get(token)
        if checked is None or (agency is not None and checked.agency != agency):
            return None
        return checked

    def discard(self, token: str) -> None:
        with self._lock:
            checked = self._lists.pop(token, None)
        if checked:
            shutil.rmtree(checked.folder, ignore_errors=True)

    def close(self) -> None:
        """Stop the workers and delete every folder still kept: when the portal stops."""
        with self._lock:
            lists, self._lists = list(self._lists.values()), {}
            self._stack.close()
            self._pool = None
        for checked in lists:
            shutil.rmtree(checked.folder, ignore_errors=True)

    def _forget_expired(self) -> None:
        now = time.time()
        for token in [t for t, c in self._lists.items() if now - c.created > CHECK_LIFETIME_SECONDS]:
            shutil.rmtree(self._lists.pop(token).folder, ignore_errors=True)


def send(checked: CheckedList, inbox: Path, now: dt.datetime) -> str:
    """Put the checked file into inbox/<AGENCY>/: copied beside as a hidden ".part" the night does not read, then
    linked under its final name, which fails rather than replace a file already there. The name is the time and
    the start of the content hash: two lists never share one, and nothing the clerk typed becomes a path."""
    folder = inbox / checked.agency
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{now:%Y%m%d-%H%M%S}-{file_sha256(checked.upload)[:10]}"
    suffix = checked.upload.suffix
    partial = folder / f".{stem}{suffix}.part"
    shutil.copyfile(checked.upload, partial)
    try:
        for attempt in range(1, 100):
            name = f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}"
            try:
                os.link(partial, folder / name)
            except FileExistsError:
                continue
            logger.info("portal: a list was sent to the inbox of %s", checked.agency)
            return name
        raise FileExistsError(f"inbox/{checked.agency}/{stem}{suffix} and its numbered names all exist")
    finally:
        partial.unlink(missing_ok=True)


class CheckFailed(Exception):
    """staffq failed while checking an upload (a bug, not the clerk's file): the clerk gets the portal's error page,
    the operator the traceback in the log."""


def _judged(folder: Path, upload: Path, agency: str, root: Path) -> tuple[CheckResult, Path | None]:
    """The check of an upload and its marked copy, in the worker process."""
    result = check_file(upload, agency, root)
    return result, _marked_copy(folder, upload, agency, result)


def _stopped(upload: Path, agency: str, failure: Failed, limits: WorkerLimits) -> tuple[CheckResult, None]:
    """The verdict on an upload whose check was stopped at a limit: refused, with what to do, as the night says it."""
    today = dt.date.today()
    verdict = stopped(today, failure.reason, limits.seconds, limits.memory_mb)
    logger.warning("portal: a check of a list of %s was stopped: %s", agency, failure.detail)
    return CheckResult(upload.name, Sender(agency, None, "option"), verdict.status, 0, 0, verdict.issues, today), None


def _marked_copy(folder: Path, upload: Path, agency: str, result: CheckResult) -> Path | None:
    """The clerk's workbook with every problem marked and the sheet "Lỗi", as the night's feedback makes it, for a
    list not yet sent; None when there is nothing to mark or the file could not be read."""
    if result.issues.is_empty():
        return None
    space = Workspace.at(folder)
    stand_in = Submission(
        submission_id="check",
        run_id="check",
        agency_code=agency,
        file_name=upload.name,
        file_sha256="",
        archive_path=upload.name,
        received_at=dt.datetime.now(),
        as_of_date=result.as_of_date or dt.date.today(),
        status=result.status,
        rows_loaded=result.rows_taken,
        rows_rejected=result.rows_rejected,
    )
    written = write_feedback(space, stand_in, result.issues, result.sender.name, sent=False)
    return written if written and written.suffix == ".xlsx" else None
