"""The clerks' portal for real: uvicorn on a free port of 127.0.0.1 in a thread, a real workspace, and an HTTP client
signing in, checking, sending and reading back — and another agency trying every one of those pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import socket
import stat
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import AS_OF, list_with_cells, person, run_once, write_template_workbook
from flows import pipeline
from flows.cli.app import app
from flows.cli.check import check_file
from flows.cli.init import create_workspace
from flows.inbox import discover
from flows.pending import finish_pending
from flows.portal.app import USERS_FILE
from flows.portal.server import running_portal
from flows.portal.users import Accounts
from flows.settings import Configuration

CLERK, OTHER_CLERK, OPERATOR = ("lan.nv", "UB-NV"), ("hoa.vp", "TU-VP"), ("ops", None)
PASSWORD = "mat-khau-rieng-2025"
LIMIT_MB = 0.05
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def portal_workspace(tmp_path: Path) -> Path:
    """A workspace with the Tân Uyên catalogue, a small upload limit, three lockable accounts with known passwords."""
    root = tmp_path / "ws"
    create_workspace(root)
    config = root / "staffq.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("# max_file_mb = 200.0", f"max_file_mb = {LIMIT_MB}")
    text = text.replace("# max_failed_sign_ins = 5", "max_failed_sign_ins = 3")
    config.write_text(text, encoding="utf-8")
    accounts = Accounts(root / USERS_FILE)
    for login, agency in (CLERK, OTHER_CLERK, OPERATOR):
        accounts.set_password(login, agency)
        accounts.change_password(login, PASSWORD)
    return root


def list_with_errors(path: Path) -> Path:
    """A list in the official shape: four good rows, a national ID too short and a name with digits."""
    return write_template_workbook(
        path,
        [
            person("Nguyễn Văn An", dt.date(1985, 8, 15), national_id="074085000001", stt=1),
            person("Trần Thị Bình", dt.date(1990, 3, 2), female=True, national_id="07419", stt=2),
            person("Lê Văn 3", dt.date(1988, 1, 20), national_id="074088000003", stt=3),
            person("Phạm Thị Dung", dt.date(1992, 5, 9), female=True, national_id="074192000004", stt=4),
            person("Hoàng Văn Em", dt.date(1979, 11, 30), national_id="074079000005", stt=5),
            person("Võ Thị Giang", dt.date(1995, 7, 1), female=True, national_id="074195000006", stt=6),
        ],
    )


@pytest.fixture
def root(tmp_path):
    return portal_workspace(tmp_path)


@pytest.fixture
def scratch(tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


@pytest.fixture
def portal(root, scratch):
    with running_portal(root, "127.0.0.1", 0, "http://prefect.example", scratch) as url:
        yield url


def csrf_of(page: httpx.Response) -> str:
    return _CSRF.search(page.text).group(1)


def signed_in(url: str, login: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=url)
    token = csrf_of(client.get("/dang-nhap"))
    response = client.post("/dang-nhap", data={"csrf": token, "login": login, "password": password})
    assert response.status_code == 303, response.text
    return client


def upload(client: httpx.Client, path: Path, **fields) -> httpx.Response:
    token = csrf_of(client.get("/kiem-tra"))
    with path.open("rb") as handle:
        return client.post("/kiem-tra", data={"csrf": token, **fields}, files={"file": (path.name, handle)})


def checked(client: httpx.Client, path: Path) -> str:
    """Upload a list; the URL of its check page."""
    response = upload(client, path)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def send(client: httpx.Client, check_url: str, confirm: bool) -> httpx.Response:
    token = csrf_of(client.get(check_url))
    return client.post(f"{check_url}/gui", data={"csrf": token, **({"confirm": "1"} if confirm else {})})


def inbox_files(root: Path, agency: str) -> list[Path]:
    return sorted((root / "inbox" / agency).iterdir())


def problem_rows(page: str) -> list[tuple[str, ...]]:
    """The problems table as text, cell by cell, tags stripped."""
    body = page.split('<table id="problems">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="[a-z]+ problem">(.*?)</tr>', body, re.S)
    return [tuple(_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)) for row in rows]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_new_account_gets_a_one_time_password_to_replace_at_the_first_sign_in(root, portal):
    result = CliRunner().invoke(
        app, ["portal", "add-user", "--workspace", str(root), "--agency", "UB-NV", "--name", "mai.nv"]
    )
    assert result.exit_code == 0, result.output
    one_time = re.search(r"One-time password:\s+(\S+)", result.output).group(1)
    users = root / USERS_FILE
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert one_time not in users.read_text(encoding="utf-8")

    client = signed_in(portal, "mai.nv", one_time)
    assert client.get("/kiem-tra").headers["location"] == "/doi-mat-khau"
    page = client.get("/doi-mat-khau")
    short = client.post("/doi-mat-khau", data={"csrf": csrf_of(page), "password": "ngan", "again": "ngan"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.text
    changed = client.post("/doi-mat-khau", data={"csrf": csrf_of(page), "password": PASSWORD, "again": PASSWORD})
    assert (changed.status_code, changed.headers["location"]) == (303, "/")
    assert client.get("/").headers["location"] == "/don-vi/UB-NV"
    # The one-time password is spent; the clerk's own works.
    again = httpx.Client(base_url=portal)
    refused = again.post(
        "/dang-nhap", data={"csrf": csrf_of(again.get("/dang-nhap")), "login": "mai.nv", "password": one_time}
    )
    assert refused.status_code == 401
    signed_in(portal, "mai.nv")


def test_repeated_wrong_passwords_lock_the_account_until_the_operator_resets_it(root, portal):
    client = httpx.Client(base_url=portal)
    token = csrf_of(client.get("/dang-nhap"))
    answers = [
        client.post("/dang-nhap", data={"csrf": token, "login": CLERK[0], "password": f"sai-{n}"}) for n in range(3)
    ]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert "không đúng" in answers[0].text and "tạm khóa" in answers[2].text
    right = client.post("/dang-nhap", data={"csrf": token, "login": CLERK[0], "password": PASSWORD})
    assert right.status_code == 401 and "tạm khóa" in right.text
    # Another account is not affected; the operator's reset unlocks this one.
    signed_in(portal, OTHER_CLERK[0])
    one_time = Accounts(root / USERS_FILE).set_password(*CLERK)
    assert signed_in(portal, CLERK[0], one_time).get("/").headers["location"] == "/doi-mat-khau"


def test_a_check_shows_every_problem_as_staffq_check_finds_it_and_the_marked_workbook(root, portal, tmp_path):
    path = list_with_errors(tmp_path / "DS_Nguyen_Van_An.xlsx")
    client = signed_in(portal, CLERK[0])
    check_url = checked(client, path)
    assert re.fullmatch(r"/kiem-tra/[A-Za-z0-9_-]{20,}", check_url)  # no file or person name in the URL
    page = client.get(check_url)
    assert page.status_code == 200
    expected = check_file(path, "UB-NV", root)
    assert expected.exit_code == 1
    shown = problem_rows(page.text)
    assert len(shown) == expected.issues.height
    found = {(row[1], row[4] or None, row[6].rsplit(" ", 1)[1]) for row in shown}
    wanted = {
        (str(i["row_number"]) if i["row_number"] is not None else "Cả tệp", i["column_header"], i["check_code"])
        for i in expected.issues.iter_rows(named=True)
    }
    assert found == wanted
    assert "Trần Thị Bình" in page.text and "07419" in page.text
    assert "đọc 6, nhận 4, trả lại 2" in page.text

    marked = client.get(f"{check_url}/danh-dau.xlsx")
    assert marked.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(marked.content))
    assert "Lỗi" in workbook.sheetnames and "Danh sách" in workbook.sheetnames
    assert inbox_files(root, "UB-NV") == []  # a check sends nothing


def test_a_list_that_would_take_the_portals_memory_costs_its_own_check_alone(tmp_path):
    """With the cell limit raised, two cells near A1 that span seventy million cells pass the checks made before
    reading, and reading them needs more memory than a check may take: the worker checking it dies, the clerk is
    told what to do, and the portal — whose process runs the nightly schedule too — goes on checking."""
    root = portal_workspace(tmp_path)
    config = root / "staffq.toml"
    raised = "[limits]\nmax_cells = 100000000\nmax_memory_mb_per_file = 2048\n"
    config.write_text(config.read_text(encoding="utf-8").replace("[limits]\n", raised), encoding="utf-8")
    hostile = list_with_cells(tmp_path / "gan.xlsx", 4, 3, (9998, 701), (99998, 25))

    with running_portal(root, "127.0.0.1", 0) as url:
        client = signed_in(url, CLERK[0])
        refused = client.get(checked(client, hostile))
        good = client.get(checked(client, list_with_errors(tmp_path / "ds.xlsx")))

    assert [row[6].rsplit(" ", 1)[1] for row in problem_rows(refused.text)] == ["file-memory-limit"]
    assert "đọc 6, nhận 4, trả lại 2" in good.text


def test_a_list_with_errors_is_sent_only_after_confirmation_atomically_under_a_name_of_its_own(
    root, portal, scratch, tmp_path
):
    path = list_with_errors(tmp_path / "ds.xlsx")
    client = signed_in(portal, CLERK[0])
    check_url = checked(client, path)
    assert len(list(scratch.iterdir())) == 1  # the check waits in its temporary folder

    unconfirmed = send(client, check_url, confirm=False)
    assert unconfirmed.status_code == 400 and "đánh dấu ô xác nhận" in unconfirmed.text
    assert inbox_files(root, "UB-NV") == []

    sent = send(client, check_url, confirm=True)
    assert (sent.status_code, sent.headers["location"]) == (303, "/don-vi/UB-NV?da-gui=1")
    [arrived] = inbox_files(root, "UB-NV")
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{10}\.xlsx", arrived.name)
    assert arrived.read_bytes() == path.read_bytes()
    assert list(scratch.iterdir()) == []  # nothing kept of the check
    assert client.get(check_url).status_code == 404  # sent once

    # The same list sent again lands beside the first, never over it.
    send(client, checked(client, path), confirm=True)
    assert len(inbox_files(root, "UB-NV")) == 2


def test_the_agency_page_shows_the_night_verdict_feedback_and_template(root, portal, tmp_path):
    client = signed_in(portal, CLERK[0])
    assert "Chưa có danh sách nào được xét" in client.get("/don-vi/UB-NV").text
    send(client, checked(client, list_with_errors(tmp_path / "ds.xlsx")), confirm=True)
    run_once(root)

    page = client.get("/don-vi/UB-NV").text
    [row] = re.findall(r'<tr class="submission">(.*?)</tr>', page, re.S)
    assert "Được tiếp nhận, có dòng bị trả lại" in row and "31/12/2024" in row
    assert re.search(r'<td class="num">6</td><td class="num">2</td>', row)
    assert "tính đến ngày 31/12/2024, 4 người" in page
    [link] = re.findall(r'href="(/don-vi/UB-NV/phan-hoi/[0-9a-f]{16})"', page)
    feedback = client.get(link)
    assert feedback.status_code == 200
    assert "Lỗi" in openpyxl.load_workbook(io.BytesIO(feedback.content)).sheetnames
    template = client.get("/don-vi/UB-NV/mau-danh-sach.xlsx")
    assert "Danh sách" in openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames


def night_of_a_flow_run(root: Path, flow_run_id: str) -> None:
    """run_once's steps as the Prefect flow runs them: the run recorded with its flow run's id."""
    config = Configuration.load(root)
    incoming, seen = discover(config.workspace, config.catalogue)
    run_id, now = pipeline.new_run_id(), dt.datetime(2025, 1, 15, 8, 0)
    pipeline.open_run(config.workspace, run_id, flow_run_id, now, AS_OF)
    pipeline.load(config, pipeline.judge(config, incoming, run_id, now), run_id, AS_OF, seen)
    finish_pending(config, run_id)


def test_the_operator_sees_every_agency_and_links_each_night(root, portal, tmp_path):
    clerk = signed_in(portal, CLERK[0])
    send(clerk, checked(clerk, list_with_errors(tmp_path / "ds.xlsx")), confirm=True)
    flow_run_id = "0b6f3c1e-5a4d-4f1b-9a57-3c2d1e0f9a8b"
    night_of_a_flow_run(root, flow_run_id)
    operator = signed_in(portal, OPERATOR[0])
    assert operator.get("/").headers["location"] == "/van-hanh"
    page = operator.get("/van-hanh").text
    rows = re.findall(r'<tr class="agency">(.*?)</tr>', page, re.S)
    assert {"UB-NV", "TU-VP"} <= set(re.findall(r'href="/don-vi/([^"]+)"', page))
    [ub_nv] = [r for r in rows if 'href="/don-vi/UB-NV"' in r]
    assert "31/12/2024, 4 người" in ub_nv and '<td class="num">2</td>' in ub_nv
    assert f'href="http://prefect.example/runs/flow-run/{flow_run_id}"' in ub_nv
    late = [r for r in rows if "Chậm gửi" in r]
    assert late and not any('href="/don-vi/UB-NV"' in r for r in late)
    # The operator reads any agency's page and checks a list on its behalf.
    assert operator.get("/don-vi/TU-VP").status_code == 200
    on_behalf = upload(operator, list_with_errors(tmp_path / "b.xlsx"), agency="TU-VP")
    assert "TU-VP" in operator.get(on_behalf.headers["location"]).text


def test_another_agency_finds_nothing_of_this_one(root, portal, tmp_path):
    clerk = signed_in(portal, CLERK[0])
    check_url = checked(clerk, list_with_errors(tmp_path / "ds.xlsx"))
    sent_url = checked(clerk, list_with_errors(tmp_path / "ds2.xlsx"))
    send(clerk, sent_url, confirm=True)
    run_once(root)
    [feedback] = re.findall(r'href="(/don-vi/UB-NV/phan-hoi/[0-9a-f]{16})"', clerk.get("/don-vi/UB-NV").text)

    other = signed_in(portal, OTHER_CLERK[0])
    for path in (
        "/don-vi/UB-NV",
        feedback,
        "/don-vi/UB-NV/mau-danh-sach.xlsx",
        check_url,
        f"{check_url}/danh-dau.xlsx",
        "/van-hanh",
        "/don-vi/NO-SUCH",
    ):
        assert other.get(path).status_code == 404, path
    token = csrf_of(other.get("/kiem-tra"))
    assert other.post(f"{check_url}/gui", data={"csrf": token, "confirm": "1"}).status_code == 404
    assert len(inbox_files(root, "UB-NV")) == 1
    # Naming another agency in the upload form changes nothing: a clerk's list is judged as their own agency's.
    own = upload(other, list_with_errors(tmp_path / "ds3.xlsx"), agency="UB-NV")
    page = other.get(own.headers["location"]).text
    assert "TU-VP" in page and "UB-NV" not in page
    # Its own pages work.
    assert other.get("/don-vi/TU-VP").status_code == 200

    # Signed out, every page leads to the sign-in.
    stranger = httpx.Client(base_url=portal)
    for path in ("/", "/kiem-tra", "/don-vi/UB-NV", feedback, check_url, f"{check_url}/danh-dau.xlsx", "/van-hanh"):
        assert stranger.get(path).headers.get("location") == "/dang-nhap", path


def test_forms_without_the_sessions_token_are_refused(root, portal, tmp_path):
    clerk = signed_in(portal, CLERK[0])
    check_url = checked(clerk, list_with_errors(tmp_path / "ds.xlsx"))
    stranger = httpx.Client(base_url=portal)
    foreign_token = csrf_of(stranger.get("/dang-nhap"))
    for token in (None, foreign_token, "0" * 64):
        data = {"confirm": "1"} | ({"csrf": token} if token else {})
        assert clerk.post(f"{check_url}/gui", data=data).status_code == 403
        with list_with_errors(tmp_path / "x.xlsx").open("rb") as handle:
            assert clerk.post("/kiem-tra", data=data, files={"file": ("x.xlsx", handle)}).status_code == 403
    assert inbox_files(root, "UB-NV") == []
    fresh = httpx.Client(base_url=portal)
    fresh.get("/dang-nhap")
    refused = fresh.post("/dang-nhap", data={"login": CLERK[0], "password": PASSWORD})
    assert refused.status_code == 403 and "staffq_portal" not in refused.headers.get("set-cookie", "")


def test_an_upload_over_the_limit_is_refused_before_it_is_stored(root, portal, scratch):
    client = signed_in(portal, CLERK[0])
    token = csrf_of(client.get("/kiem-tra"))
    limit = int(LIMIT_MB * 1024 * 1024)
    declared = client.post(
        "/kiem-tra", data={"csrf": token}, files={"file": ("big.csv", b"STT,Ho ten\n" + b"1,x\n" * limit)}
    )
    assert declared.status_code == 413 and "Tệp quá lớn" in declared.text

    # Without a declared length the body is counted as it streams: the portal answers while the body is still
    # coming, past the limit, the rest never sent — so it cannot have waited for the whole file.
    boundary = "staffq-test-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
    chunks = [head.encode()] + [b"1,x\n" * 4096] * ((limit + 2 * 65536) // (4 * 4096))
    host, port = portal.removeprefix("http://").split(":")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(
            f"POST /kiem-tra HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode()
        )
        for chunk in chunks:
            connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        answer = connection.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert list(scratch.iterdir()) == [] and inbox_files(root, "UB-NV") == []


def test_file_names_and_accounts_stay_out_of_urls_and_the_users_file_holds_hashes(root, portal, tmp_path):
    client = signed_in(portal, CLERK[0])
    hostile = list_with_errors(tmp_path / "x.xlsx")
    token = csrf_of(client.get("/kiem-tra"))
    with hostile.open("rb") as handle:
        response = client.post(
            "/kiem-tra", data={"csrf": token}, files={"file": ("../../../inbox/TU-VP/../x.xlsx", handle)}
        )
    check_url = response.headers["location"]
    send(client, check_url, confirm=True)
    assert inbox_files(root, "TU-VP") == [] and len(inbox_files(root, "UB-NV")) == 1
    records = json.loads((root / USERS_FILE).read_text(encoding="utf-8"))
    assert {r["login"] for r in records} == {CLERK[0], OTHER_CLERK[0], OPERATOR[0]}
    assert all(PASSWORD not in json.dumps(r) for r in records)
    text = tmp_path / "ds.txt"
    text.write_text("STT,Họ và tên\n", encoding="utf-8")
    refused = upload(client, text)
    assert refused.status_code == 400 and "chỉ nhận tệp Excel" in refused.text
