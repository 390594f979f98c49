"""Alerts reach real receivers: a JSON webhook on 127.0.0.1 and an SMTP server (aiosmtpd), through the real flow."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polars as pl
import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from conftest import AS_OF, FIXTURES
from flows.cli.app import app
from flows.cli.init import create_workspace
from flows.delivery.alerts import AgencyContact, Alert, RunSummary, deliver, digest, invalid_data_alerts
from flows.judging_rules import JudgingRules
from flows.nightly import run_nightly
from flows.settings import Settings
from schemas.judging.validate import validate_file
from schemas.rules.agencies import read_agencies, shipped_agencies
from warehouse.database import connect
from warehouse.load import Submission


class Webhook:
    """A JSON receiver answering with the queued status codes (then 200), keeping every body it got."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.append({"status": status, **body})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def __init__(self):
        self.messages = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def webhook():
    receiver = Webhook()
    yield receiver
    receiver.stop()


@pytest.fixture
def mailbox():
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.url = f"mailto://127.0.0.1:{port}?from=staffq@example.org&to=to-chuc@ub-nv.example.org&mode=insecure"
    yield box
    controller.stop()


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setenv("STAFFQ_ALERTS__BACKOFF_SECONDS", "0.05")


# A file name holding a date as agencies write them: it names the list, it is nobody's personal data.
UB_NV_FILE = "DS_CBCCVC_PhongNoiVu_3112 2024.csv"


def workspace_with_bad_data(tmp_path, agency_url: str):
    """UB-NV (its own e-mail) sends a list with a bad birth date and a short ID; UB-TP (no channel of its own)
    sends a file with no birth date column at all."""
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "birth_date_impossible.csv", root / "inbox" / "UB-NV" / UB_NV_FILE)
    shutil.copy(FIXTURES / "missing_birth_date_column.csv", root / "inbox" / "UB-TP" / "ds.csv")
    catalogue = pl.read_csv(root / "agencies.csv", infer_schema=False)
    catalogue = catalogue.with_columns(
        pl.when(pl.col("agency_code") == "UB-NV").then(pl.lit(agency_url)).alias("alert_urls")
    )
    catalogue.write_csv(root / "agencies.csv")
    return root


def test_an_invalid_agency_and_the_operator_are_told_in_vietnamese(
    tmp_path, prefect_engine, webhook, mailbox, quick_retries, monkeypatch
):
    monkeypatch.setenv("STAFFQ_ALERTS__OPERATOR", json.dumps([webhook.url]))
    root = workspace_with_bad_data(tmp_path, mailbox.url)
    outcome = run_nightly(root, AS_OF)

    # The agency with its own channel gets an e-mail, Vietnamese intact, pointing at its feedback workbook.
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["Subject"] == "[staffq] Phòng Nội vụ: danh sách cần sửa"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    # The file name and the list's as-of date as written; the problem named, the person's birth date not quoted.
    assert f'Tệp "{UB_NV_FILE}" (danh sách tính đến ngày 31/12/2024): đã nạp 2/3 dòng; 1 dòng bị trả lại.' in text
    assert 'Ngày sinh "…" là ngày không có thật (…); hãy kiểm tra lại ngày, tháng sinh.' in text
    assert f"Phiếu góp ý (các ô cần sửa đã được tô màu): outbox/UB-NV/{UB_NV_FILE}.loi.xlsx" in text

    # UB-TP has no channel: its alert goes to the operator, and then the digest.
    titles = [message["title"] for message in webhook.received]
    assert [title.split(":")[0] for title in titles] == ["[staffq] Phòng Tư pháp", "[staffq] Lần chạy ngày 31/12/2024"]
    digest = webhook.received[-1]["message"]
    assert "dòng đã nạp: 2; dòng bị trả lại: 3." in digest
    # 48 agencies report monthly; only UB-NV has a list now.
    assert "Đơn vị chưa gửi hoặc trễ hạn (47)" in digest

    # No birth date or ID number of a person left the machine; the file name, agency code and as-of date did.
    everything = text + json.dumps(webhook.received, ensure_ascii=False)
    sent = "".join(
        (FIXTURES / name).read_text(encoding="utf-8")
        for name in ("birth_date_impossible.csv", "missing_birth_date_column.csv")
    )
    ids, birth_dates = re.findall(r"\d{9,}", sent), re.findall(r"\d{1,2}/\d{1,2}/\d{4}", sent)
    # Nguyễn Văn An happens to be born on the day the catalogue's message gives as an example: the example stays.
    birth_dates.remove("15/08/1985")
    assert ids and "31/02/1990" in birth_dates
    assert [value for value in ids + birth_dates if value in everything] == []
    assert f'UB-NV, tệp "{UB_NV_FILE}"' in webhook.received[-1]["message"]
    assert "số liệu tính đến ngày 31/12/2024" in webhook.received[-1]["message"]

    with connect(root / "staffq.duckdb", read_only=True) as connection:
        deliveries = connection.execute(
            "select recipient, kind, attempt, delivered from dq.alert_deliveries order by recipient, kind"
        ).fetchall()
        sent = connection.execute("select alerts_sent, alerts_failed from dq.runs").fetchall()
    assert deliveries == [
        ("UB-NV", "invalid_data", 1, True),
        ("UB-TP", "invalid_data", 1, True),
        ("operator", "digest", 1, True),
    ]
    assert sent == [(3, 0)]
    assert outcome.failed_alerts == []


def test_a_receiver_that_fails_once_gets_the_alert_on_the_second_attempt(quick_retries):
    receiver = Webhook(statuses=[500])
    try:
        records = deliver([Alert("operator", "digest", "Tiêu đề", "Nội dung", (receiver.url,))], 3, 0.05)
    finally:
        receiver.stop()
    assert [(r["attempt"], r["delivered"]) for r in records] == [(1, False), (2, True)]
    assert [r["status"] for r in receiver.received] == [500, 200]
    assert records[0]["error"]


def test_a_dead_channel_is_recorded_and_fails_a_strict_run_but_not_the_other_alerts(
    tmp_path, prefect_engine, webhook, quick_retries, monkeypatch
):
    dead = f"json://127.0.0.1:{free_port()}/hook"
    monkeypatch.setenv("STAFFQ_ALERTS__OPERATOR", json.dumps([dead, webhook.url]))
    root = workspace_with_bad_data(tmp_path, dead)
    result = CliRunner().invoke(
        app, ["run", "--workspace", str(root), "--as-of", "2024-12-31", "--strict"], terminal_width=200
    )
    assert result.exit_code == 1, result.output
    assert "Alerts: 2 delivered, 3 failed." in result.output
    # The live receiver got UB-TP's alert and the digest, which names the channel that failed.
    assert len(webhook.received) == 2
    assert "Cảnh báo không gửi được (2)" in webhook.received[-1]["message"]
    with connect(root / "staffq.duckdb", read_only=True) as connection:
        failed = connection.execute(
            "select recipient, kind, count(*), bool_or(delivered), any_value(error) is not null "
            "from dq.alert_deliveries where channel like '%' || ? || '%' group by all order by all",
            [dead.split(":")[2].split("/")[0]],
        ).fetchall()
    assert failed == [
        ("UB-NV", "invalid_data", 3, False, True),
        ("UB-TP", "invalid_data", 3, False, True),
        ("operator", "digest", 3, False, True),
    ]


@pytest.mark.parametrize(
    ("broken", "text", "error"),
    [
        ("agencies.csv", "agency_code,name\nnot a catalogue\n", "missing columns"),
        # The workspace's own alert settings cannot be read: the environment's are used, and a dead channel beside
        # the working one costs the alert nothing.
        ("staffq.toml", "[alerts\noperator = 3\n", "not valid TOML"),
    ],
    ids=["catalogue", "settings"],
)
def test_a_flow_that_breaks_tells_the_operator(
    tmp_path, prefect_engine, webhook, quick_retries, monkeypatch, broken, text, error
):
    monkeypatch.setenv("STAFFQ_ALERTS__OPERATOR", json.dumps([f"json://127.0.0.1:{free_port()}/dead", webhook.url]))
    root = tmp_path / "ws"
    create_workspace(root)
    (root / broken).write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=error):
        run_nightly(root, AS_OF)
    assert [message["title"] for message in webhook.received] == ["[staffq] Lần chạy đêm thất bại"]
    assert error in webhook.received[0]["message"]


def test_a_late_agency_with_its_own_channel_gets_a_reminder(tmp_path, prefect_engine, webhook):
    root = tmp_path / "ws"
    create_workspace(root)
    shutil.copy(FIXTURES / "valid_three_people.csv", root / "inbox" / "UB-NV" / "ds.csv")
    catalogue = pl.read_csv(root / "agencies.csv", infer_schema=False)
    catalogue = catalogue.with_columns(
        pl.when(pl.col("agency_code").is_in(["UB-NV", "UB-TP"])).then(pl.lit(webhook.url)).alias("alert_urls")
    )
    catalogue.write_csv(root / "agencies.csv")
    run_nightly(root, AS_OF)
    # UB-NV sent a clean list: nothing to say. UB-TP sent nothing: reminded. No operator channel: no digest.
    assert [(m["title"], m["message"]) for m in webhook.received] == [
        (
            "[staffq] Phòng Tư pháp: chưa nhận được danh sách",
            "Phòng Tư pháp chưa gửi danh sách cán bộ, công chức, viên chức theo kỳ báo cáo hằng tháng (chưa có danh "
            "sách nào). Đề nghị đơn vị gửi danh sách mới.",
        )
    ]


def test_no_birth_date_or_id_quoted_by_any_check_reaches_a_shared_channel(tmp_path, webhook):
    """Every way a birth date or an ID goes wrong, each in its own row, first of its check (the one alerts quote):
    the messages sent name the problems, the file and its as-of date, never the values."""
    ids = ["74190000", "0741 9000 0456", "074.190.000.457", "241234567", "74085000123", "074985000123", "999085000123"]
    births = ["31/02/1990", "30/02/1970", "15/8/85", "01/01/2015", "1/13/1980", "15/08/198O"]
    rows = [f"{n},Nguyễn Văn An,15/08/1985,Nam,{value},Công chức" for n, value in enumerate(ids, start=1)]
    rows += [f"{n},Trần Thị Bình,{value},Nữ,,Công chức" for n, value in enumerate(births, start=len(rows) + 1)]
    name = "DS_CBCCVC_PhongNoiVu_31.12.2024 (3112 2024).csv"
    listed = tmp_path / name
    listed.write_text(
        "DANH SÁCH CÔNG CHỨC - Tính đến ngày 31/12/2024\nSTT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Đối tượng\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    result = validate_file(listed, JudgingRules.of(Settings(), catalogue).context("UB-NV", AS_OF))
    quoted = {p.check_code for p in result.problems}
    assert {"national-id-invalid", "national-id-legacy-cmnd", "birth-date-invalid", "birth-date-nonexistent"} <= quoted
    submission = Submission(
        "s1",
        "r1",
        "UB-NV",
        name,
        "0" * 64,
        None,
        dt.datetime(2025, 1, 15),
        result.as_of_date,
        result.status,
        result.staff.height,
        result.rejected.height,
        result.problems,
    )
    alerts = invalid_data_alerts([submission], {"UB-NV": AgencyContact("Phòng Nội vụ", ())}, (webhook.url,), {})
    alerts.append(digest(RunSummary("r1", AS_OF, 1, [submission]), [], [], (webhook.url,)))
    assert all(record["delivered"] for record in deliver(alerts, 1, 0))

    sent = json.dumps(webhook.received, ensure_ascii=False)
    written = [*ids, *births, *(re.sub(r"\D", "", value) for value in ids)]
    assert [value for value in written if value in sent] == []
    assert f'Tệp "{name}" (danh sách tính đến ngày 31/12/2024)' in webhook.received[0]["message"]
    assert f'UB-NV, tệp "{name}"' in webhook.received[1]["message"]


def test_an_alert_points_at_the_feedback_as_it_is_a_marked_workbook_or_a_short_note():
    """A file refused unread is answered with a note (.loi.txt), which has no cells to colour; a feedback file not
    written yet is said to come with the next run."""
    received = dt.datetime(2025, 1, 15)
    submissions = [
        Submission("s1", "r1", "UB-KT", "o-xa.xlsx", "0" * 64, None, received, AS_OF, "rejected", 0, 0),
        Submission("s2", "r1", "UB-KT", "ds.csv", "1" * 64, None, received, AS_OF, "accepted_with_errors", 2, 1),
        Submission("s3", "r1", "UB-KT", "ds2.csv", "2" * 64, None, received, AS_OF, "accepted_with_errors", 2, 1),
    ]
    feedback = {"s1": Path("outbox/UB-KT/o-xa.xlsx.loi.txt"), "s2": Path("outbox/UB-KT/ds.csv.loi.xlsx")}

    [alert] = invalid_data_alerts(submissions, {"UB-KT": AgencyContact("Phòng Kinh tế", ())}, ("json://x",), feedback)

    pointers = [line.strip() for line in alert.body.splitlines() if "Phiếu góp ý" in line]
    assert pointers == [
        "Phiếu góp ý: outbox/UB-KT/o-xa.xlsx.loi.txt",
        "Phiếu góp ý (các ô cần sửa đã được tô màu): outbox/UB-KT/ds.csv.loi.xlsx",
        "Phiếu góp ý chưa ghi được; sẽ có trong thư mục phản hồi sau lần chạy tới.",
    ]
