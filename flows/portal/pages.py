"""What the portal's pages say, in the clerk's Vietnamese: the messages, and the values each page shows, taken from
a check, the analysts' copy and the agency's outbox folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from cronsim import CronSim

from flows.delivery.verdicts import next_step, reason, verdict
from flows.portal.checking import CheckedList
from flows.settings import ScheduleSettings
from warehouse.database import connect
from warehouse.queries import agency_data_quality, agency_submissions, last_nights, latest_as_of

NOT_FOUND = "Không có trang hoặc tệp này, hoặc tài khoản của bạn không được xem nó."
CSRF_REFUSED = "Biểu mẫu này đã cũ hoặc không được gửi từ cổng này. Hãy tải lại trang rồi làm lại."
WRONG_PASSWORD = "Tên đăng nhập hoặc mật khẩu không đúng."
NO_FILE = "Chưa chọn tệp danh sách, hoặc tệp gửi lên bị lỗi đường truyền. Hãy chọn tệp rồi gửi lại."
WRONG_FORMAT = "Cổng chỉ nhận tệp Excel (.xlsx, .xls) hoặc tệp .csv."
# A page lists this many problems; the marked workbook has them all.
SHOWN_PROBLEMS = 1_000
_SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo"}


def locked(minutes: float) -> str:
    return (
        f"Tài khoản tạm khóa vì nhập sai mật khẩu nhiều lần. Hãy thử lại sau {minutes:g} phút, hoặc nhờ cán bộ "
        "vận hành cấp lại mật khẩu."
    )


def too_large(max_file_mb: float) -> str:
    return f"Tệp quá lớn: cổng nhận tệp đến {max_file_mb:g} MB. Tệp chưa được lưu."


def password_problem(password: str, again: str, min_length: int) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < min_length:
        return f"Mật khẩu mới cần ít nhất {min_length} ký tự."
    if password != again:
        return "Hai lần nhập mật khẩu mới không giống nhau."
    return None


def shown_name(name: str) -> str:
    """The file's name as the clerk chose it, for the page only: its last component, without control characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return name[:120] or "danh sách"


def next_night(schedule: ScheduleSettings, now: dt.datetime) -> dt.datetime:
    """When the next scheduled night starts, in the schedule's time zone."""
    here = now.astimezone(zoneinfo.ZoneInfo(schedule.timezone))
    if schedule.interval_seconds:
        return here + dt.timedelta(seconds=schedule.interval_seconds)
    return next(CronSim(schedule.cron, here))


def result_values(checked: CheckedList, night: dt.datetime) -> dict:
    """The check page: the verdict as `staffq check` words it, then every problem (up to SHOWN_PROBLEMS)."""
    result = checked.result
    issues = result.issues.sort(
        pl.col("row_number").is_not_null(), "sheet", "row_number", pl.col("severity") != "error", maintain_order=True
    )
    errors = issues.filter(pl.col("severity") == "error").height
    problems = [
        {
            "severity": issue["severity"],
            "severity_label": _SEVERITY.get(issue["severity"], issue["severity"]),
            "row": issue["row_number"],
            "list_number": issue.get("list_number"),
            "person_name": issue.get("person_name"),
            "column": issue["column_header"],
            "value": issue["value"],
            "message": issue["message_vi"],
            "check_code": issue["check_code"],
        }
        for issue in issues.head(SHOWN_PROBLEMS).iter_rows(named=True)
    ]
    return {
        "token": checked.token,
        "file_name": checked.sent_as,
        "agency": checked.agency,
        "agency_name": result.sender.name,
        "list_status": result.status,
        "verdict": verdict(result.status),
        "reason": reason(result.status, issues),
        "rows_read": result.rows_read,
        "rows_taken": result.rows_taken,
        "rows_returned": result.rows_rejected,
        "errors": errors,
        "warnings": issues.height - errors,
        "next_step": next_step(result.status, issues.height > errors, sent=False),
        "problems": problems,
        "hidden": issues.height - len(problems),
        "has_marked": checked.marked is not None,
        "has_errors": checked.has_errors,
        "unreadable": result.exit_code == 2,
        "next_night": night,
    }


@dataclass(frozen=True)
class FeedbackFile:
    """A file of the agency's outbox folder; `file_id`, a hash of its name, stands for it in URLs."""

    file_id: str
    name: str
    path: Path
    written_at: dt.datetime


def feedback_files(folder: Path) -> list[FeedbackFile]:
    """The feedback the nights wrote for an agency, newest first; files still being written are left out."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.name.startswith(".") or path.name.endswith(".part") or not path.is_file():
            continue
        file_id = hashlib.sha256(path.name.encode(errors="surrogateescape")).hexdigest()[:16]
        found.append(FeedbackFile(file_id, path.name, path, dt.datetime.fromtimestamp(path.stat().st_mtime)))
    return sorted(found, key=lambda f: (f.written_at, f.name), reverse=True)


def agency_values(published: Path, code: str, name: str | None) -> dict:
    """The agency's page: its files so far with their verdicts, and its current list — as the last night published
    them (nothing before the first night)."""
    values = {"code": code, "name": name, "submissions": [], "quality": None, "as_of": None}
    if not published.is_file():
        return values
    with connect(published, read_only=True) as connection:
        as_of = latest_as_of(connection) or dt.date.today()
        submissions = agency_submissions(connection, code)
        quality = next((row for row in agency_data_quality(connection, as_of) if row["agency_code"] == code), None)
    for submission in submissions:
        submission["verdict"] = verdict(submission["status"])
    return values | {"submissions": submissions, "quality": quality, "as_of": as_of}


def operator_values(published: Path, agencies: dict[str, str], prefect_ui: str) -> dict:
    """The operator's page: every agency, its current list, whether late, rows returned, and its last night."""
    if not published.is_file():
        return {"rows": [], "as_of": None}
    with connect(published, read_only=True) as connection:
        as_of = latest_as_of(connection) or dt.date.today()
        quality = agency_data_quality(connection, as_of)
        nights = last_nights(connection)
    rows = []
    for row in quality:
        last = nights.get(row["agency_code"])
        flow_run = last["flow_run_id"] if last else None
        rows.append(
            row
            | {
                "name": row["agency_name"] or agencies.get(row["agency_code"]),
                "last": last,
                "last_verdict": verdict(last["status"]) if last else None,
                "night_url": f"{prefect_ui.rstrip('/')}/runs/flow-run/{flow_run}" if prefect_ui and flow_run else None,
            }
        )
    return {"rows": rows, "as_of": as_of}


def _date(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _time(value: dt.datetime | None) -> str:
    return f"{value:%H:%M ngày %d/%m/%Y}" if value else ""


def _number(value: int | float | None) -> str:
    return "" if value is None else f"{int(value):,}".replace(",", ".")


FILTERS = {"ngay": _date, "gio": _time, "so": _number}
