"""Alerts after a run: a short Vietnamese message to each agency whose data came back, a reminder to agencies
that are late (when they have channels of their own), one digest for the operator, and a message when the flow
itself fails. Channels are apprise URLs (webhook, e-mail, Slack, Telegram, …).

Delivery is I/O that fails: each channel is tried `attempts` times with doubling waits, every attempt is kept for
the warehouse, and a channel that is down never stops the others or fails the run. The channels are shared: a
message names each problem without quoting a person's birth date or ID number (flows.delivery.masking), while file
names, agency codes and as-of dates appear as written, so the reader knows which list is meant."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flows.delivery.masking import scrub_free_text, shareable_message
from warehouse.load import Submission

if TYPE_CHECKING:
    from schemas.judging.issues import Problem

logger = logging.getLogger(__name__)
_TOP_PROBLEMS = 3
_CADENCE_VI = {"monthly": "hằng tháng", "quarterly": "hằng quý", "yearly": "hằng năm"}
_STATUS_VI = {
    "accepted": "đã tiếp nhận",
    "accepted_with_errors": "đã tiếp nhận, có dòng bị trả lại",
    "rejected": "bị trả lại",
    "duplicate": "trùng tệp đã gửi",
}


@dataclass(frozen=True)
class Alert:
    """One message for one recipient ('operator' or an agency code) over its channels."""

    recipient: str
    kind: str  # invalid_data, late, digest, flow_failed
    title: str
    body: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class RunSummary:
    """What the operator's digest says of a run: which, as of when, and the files it took in."""

    run_id: str
    as_of: dt.date
    files_seen: int
    submissions: list[Submission]


@dataclass(frozen=True)
class AgencyContact:
    """What the messages need to know of an agency."""

    name: str
    urls: tuple[str, ...]


def invalid_data_alerts(
    submissions: list[Submission], contacts: dict[str, AgencyContact], operator: tuple[str, ...], feedback: dict
) -> list[Alert]:
    """One alert per agency with a rejected file or rejected rows, to its own channels, else to the operator."""
    by_agency: dict[str, list[Submission]] = {}
    for submission in submissions:
        if submission.status == "rejected" or submission.rows_rejected:
            by_agency.setdefault(submission.agency_code, []).append(submission)
    alerts = []
    for code, returned in sorted(by_agency.items()):
        contact = contacts.get(code, AgencyContact(code, ()))
        lines = [f"Kết quả kiểm tra danh sách của {contact.name}:"]
        for submission in returned:
            lines += _submission_lines(submission, feedback.get(submission.submission_id))
        lines.append("Đề nghị đơn vị sửa theo phiếu góp ý và gửi lại tệp.")
        alerts.append(
            Alert(
                code,
                "invalid_data",
                f"[staffq] {contact.name}: danh sách cần sửa",
                "\n".join(lines),
                contact.urls or operator,
            )
        )
    return alerts


def late_alerts(late: list[dict], contacts: dict[str, AgencyContact]) -> list[Alert]:
    """A reminder to each late agency that has channels of its own (the operator's digest names them all)."""
    alerts = []
    for agency in late:
        contact = contacts.get(agency["agency_code"])
        if not contact or not contact.urls:
            continue
        cadence = _CADENCE_VI.get(agency["expected_cadence"] or "monthly", "hằng tháng")
        last = agency["list_as_of_date"]
        since = f"danh sách gần nhất tính đến ngày {last:%d/%m/%Y}" if last else "chưa có danh sách nào"
        body = (
            f"{contact.name} chưa gửi danh sách cán bộ, công chức, viên chức theo kỳ báo cáo {cadence} ({since}). "
            "Đề nghị đơn vị gửi danh sách mới."
        )
        alerts.append(
            Alert(
                agency["agency_code"], "late", f"[staffq] {contact.name}: chưa nhận được danh sách", body, contact.urls
            )
        )
    return alerts


def digest(run: RunSummary, late: list[dict], failed: list[dict], operator: tuple[str, ...]) -> Alert:
    """The operator's view of the run: totals, agencies with returned data, late agencies, failed deliveries."""
    run_id, as_of, files_seen, submissions = run.run_id, run.as_of, run.files_seen, run.submissions
    loaded = sum(s.rows_loaded for s in submissions)
    rejected = sum(s.rows_rejected for s in submissions)
    lines = [
        f"Lần chạy {run_id}, số liệu tính đến ngày {as_of:%d/%m/%Y}.",
        f"Tệp mới: {len(submissions)} (đã thấy {files_seen} tệp); dòng đã nạp: {loaded}; dòng bị trả lại: {rejected}.",
    ]
    returned = [s for s in submissions if s.status == "rejected" or s.rows_rejected]
    if returned:
        lines.append(f"Dữ liệu bị trả lại ({len(returned)} tệp):")
        for s in returned:
            top = _top_problems(s.problems)
            main = f"; lỗi chính: {top[0][0]}" if top else ""
            lines.append(
                f'- {s.agency_code}, tệp "{s.file_name}": {_STATUS_VI.get(s.status, s.status)}, '
                f"{s.rows_rejected} dòng bị trả lại{main}"
            )
    if late:
        lines.append(f"Đơn vị chưa gửi hoặc trễ hạn ({len(late)}): " + ", ".join(a["agency_code"] for a in late) + ".")
    if failed:
        lines.append(f"Cảnh báo không gửi được ({len(failed)}):")
        lines += [f"- {f['recipient']} qua {f['channel']}: {f['error'] or 'không rõ lỗi'}" for f in failed]
    title = (
        f"[staffq] Lần chạy ngày {as_of:%d/%m/%Y}: {len(returned)} tệp có dữ liệu bị trả lại, "
        f"{len(late)} đơn vị trễ hạn"
    )
    return Alert("operator", "digest", title, "\n".join(lines), operator)


def flow_failed_alert(flow_run_name: str, message: str, operator: tuple[str, ...]) -> Alert:
    """The flow itself broke (not the data): the operator must look at the run."""
    body = (
        f"Lần chạy {flow_run_name} của luồng nightly đã dừng do lỗi hệ thống, không phải do dữ liệu: "
        f"{scrub_free_text(message)}\n"
        "Xem chi tiết trong giao diện Prefect; kho dữ liệu vẫn giữ bản đã công bố lần trước."
    )
    return Alert("operator", "flow_failed", "[staffq] Lần chạy đêm thất bại", body, operator)


def deliver(alerts: list[Alert], attempts: int, backoff_seconds: float) -> list[dict]:
    """Send every alert on every channel; returns every attempt (recipient, kind, channel, attempt,
    attempted_at, delivered, error)."""
    records = []
    for alert in alerts:
        for url in alert.urls:
            records += _send(alert, url, attempts, backoff_seconds)
    return records


def failed_channels(records: list[dict]) -> list[dict]:
    """The last attempt of each (recipient, kind, channel) that never got through."""
    last: dict[tuple, dict] = {}
    for record in records:
        key = (record["recipient"], record["kind"], record["channel"])
        if not (last.get(key) or {}).get("delivered"):
            last[key] = record
    return [record for record in last.values() if not record["delivered"]]


def _send(alert: Alert, url: str, attempts: int, backoff_seconds: float) -> list[dict]:
    import apprise  # imported when there is something to send: a cost `staffq check` need not pay

    channel = channel_name(url)
    records = []
    for attempt in range(1, max(attempts, 1) + 1):
        if attempt > 1:
            time.sleep(backoff_seconds * 2 ** (attempt - 2))
        attempted_at = dt.datetime.now()
        notifier = apprise.Apprise()
        error = None
        with apprise.LogCapture(level=logging.WARNING) as captured:
            try:
                delivered = notifier.add(url) and bool(
                    notifier.notify(title=alert.title, body=alert.body, body_format=apprise.NotifyFormat.TEXT)
                )
            except Exception as failure:  # a plugin that raises is a failed delivery, not a failed run
                delivered, error = False, repr(failure)
            if not delivered and error is None:
                error = _last_line(captured.getvalue()) or "apprise could not use this URL"
        # The error goes to the warehouse, the log and the digest, all shared.
        error = scrub_free_text(error) if error else None
        records.append(
            {
                "recipient": alert.recipient,
                "kind": alert.kind,
                "channel": channel,
                "attempt": attempt,
                "attempted_at": attempted_at,
                "delivered": delivered,
                "error": error,
            }
        )
        if delivered:
            break
        logger.warning(
            "alert %s to %s via %s failed (attempt %d): %s", alert.kind, alert.recipient, channel, attempt, error
        )
    return records


def channel_name(url: str) -> str:
    """The URL with apprise's own privacy masking of passwords and tokens, without its query string."""
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return url.split("://", 1)[0] + "://…"
    return plugin.url(privacy=True).split("?", 1)[0]


def _last_line(text: str) -> str | None:
    lines = [line.split(" - ", 2)[-1] for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else None


def _submission_lines(submission: Submission, feedback: Path | None) -> list[str]:
    read = submission.rows_read
    if submission.status == "rejected":
        state = f"không được tiếp nhận; {read} dòng bị trả lại toàn bộ."
    else:
        state = f"đã nạp {submission.rows_loaded}/{read} dòng; {submission.rows_rejected} dòng bị trả lại."
    lines = [f'- Tệp "{submission.file_name}" (danh sách tính đến ngày {submission.as_of_date:%d/%m/%Y}): {state}']
    top = _top_problems(submission.problems)
    if top:
        lines.append("  Lỗi chính:")
        lines += [f"  • {message} ({count} lần)" for message, count in top]
    if feedback and feedback.suffix == ".xlsx":
        lines.append(f"  Phiếu góp ý (các ô cần sửa đã được tô màu): {feedback}")
    elif feedback:  # a file refused unread gets a short note, with no cells to colour
        lines.append(f"  Phiếu góp ý: {feedback}")
    else:  # its writing failed: it waits in meta.pending_work for the next run, which writes it
        lines.append("  Phiếu góp ý chưa ghi được; sẽ có trong thư mục phản hồi sau lần chạy tới.")
    return lines


def _top_problems(problems: tuple[Problem, ...]) -> list[tuple[str, int]]:
    """The errors that recur most, each with one example message; warnings only when there is no error. A problem
    with the whole file comes first: it explains more than any count of row problems."""
    errors = [p for p in problems if p.severity == "error"]
    chosen = sorted(errors or problems, key=lambda p: (not p.whole_file, -p.count, p.check_code))
    return [(shareable_message(p.check_code, p.message_vi), p.count) for p in chosen[:_TOP_PROBLEMS]]
