"""End to end, as a new user runs it: `staffq demo` through the real Prefect flow, then `staffq run` again."""

import json
import os
import re
import shutil
import subprocess

import openpyxl
import pytest
from test_alerts import Webhook
from typer.testing import CliRunner

from conftest import NIGHT_STAGES, counts
from flows.cli.app import app
from warehouse.database import connect

# Its module fixtures are costly: its tests run on one worker, which builds them once.
pytestmark = pytest.mark.xdist_group("demo")

ARTICLE = {
    "staff.total": 2886,
    "leaders.total": 244,
    "leaders.education.doctorate": 1,
    "leaders.education.master": 41,
    "leaders.education.university": 198,
    "leaders.education.college": 3,
    "leaders.education.intermediate": 1,
    "leaders.political_theory.advanced": 85,
    "leaders.political_theory.intermediate": 157,
}


@pytest.fixture(scope="module")
def operator_webhook():
    """The operator's JSON webhook, a real HTTP receiver on 127.0.0.1, for every run of this module."""
    receiver = Webhook()
    previous = os.environ.get("STAFFQ_ALERTS__OPERATOR")
    os.environ["STAFFQ_ALERTS__OPERATOR"] = json.dumps([receiver.url])
    yield receiver
    if previous is None:
        del os.environ["STAFFQ_ALERTS__OPERATOR"]
    else:
        os.environ["STAFFQ_ALERTS__OPERATOR"] = previous
    receiver.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, prefect_engine, operator_webhook):
    root = tmp_path_factory.mktemp("demo") / "staffq-demo"
    result = CliRunner().invoke(app, ["demo", "--dir", str(root)], terminal_width=200)
    assert result.exit_code == 0, result.output
    # What the operator heard from this first run.
    operator_webhook.first_run = list(operator_webhook.received)
    return root, result.output


def test_the_demo_reproduces_the_article_from_the_analysts_copy(demo):
    root, output = demo
    with connect(root / "staffq.duckdb", read_only=True) as connection:
        rows = connection.execute(
            "select indicator_code, numerator from analytics.indicators "
            "where scope = 'city' and as_of_date = date '2024-12-31'"
        ).fetchall()
    figures = dict(rows)
    assert {code: figures[code] for code in ARTICLE} == ARTICLE
    other = sum(figures[f"leaders.political_theory.{level}"] for level in ("elementary", "none", "unknown"))
    assert other == 2
    assert "2.886" in output and "244" in output


def test_the_demos_invalid_agencies_reach_the_operator(demo, operator_webhook):
    root, _ = demo
    titles = [message["title"] for message in operator_webhook.first_run]
    with connect(root / "staffq.duckdb", read_only=True) as connection:
        returned = connection.execute(
            "select count(distinct agency_code) from dq.submissions where status = 'rejected' or rows_rejected > 0"
        ).fetchall()[0][0]
    invalid = [title for title in titles if title.endswith(": danh sách cần sửa")]
    assert len(invalid) == returned == 7
    assert "[staffq] UB-DANTOC: danh sách cần sửa" in invalid  # a file from an agency not in the catalogue
    assert "[staffq] Phòng Tài nguyên và Môi trường: danh sách cần sửa" in invalid
    assert titles[-1].startswith("[staffq] Lần chạy ngày 31/12/2024: 7 tệp có dữ liệu bị trả lại")


def test_every_demo_row_is_loaded_or_rejected_and_the_counts_add_up(demo):
    root, _ = demo
    with connect(root / "warehouse.duckdb", read_only=True) as connection:
        mismatches = connection.execute(
            """
            select s.file_name from dq.submissions s
            where s.rows_read <> s.rows_loaded + s.rows_rejected
                or s.rows_loaded <> (select count(*) from core.staff c where c.submission_id = s.submission_id)
                or s.rows_rejected <> (select count(*) from dq.rejected_rows r where r.submission_id = s.submission_id)
            """
        ).fetchall()
        statuses = dict(connection.execute("select status, count(*) from dq.submissions group by status").fetchall())
    assert mismatches == []
    assert statuses["rejected"] >= 2 and statuses["accepted_with_errors"] >= 1


def test_the_demo_sends_invalid_data_back_to_its_agency(demo):
    root, output = demo
    feedback = sorted(p.relative_to(root / "outbox").parts[0] for p in (root / "outbox").rglob("*.loi.*"))
    assert "P-TANHIEP" in feedback and "SN-BQLDA" in feedback
    assert "Rejected data" in output


def test_running_again_changes_nothing_but_the_run_record(demo):
    root, _ = demo
    before = counts(root / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["run", "--workspace", str(root), "--as-of", "2024-12-31"])
    assert result.exit_code == 0, result.output
    assert "No new files" in result.output
    after = counts(root / "warehouse.duckdb")
    # The run itself is recorded, with its stages and the operator's digest it sent; no data changes.
    runs, deliveries = before["dq.runs"] + 1, before["dq.alert_deliveries"] + 1
    stages = before["dq.run_stages"] + len(NIGHT_STAGES)
    assert after == {**before, "dq.runs": runs, "dq.alert_deliveries": deliveries, "dq.run_stages": stages}


def test_strict_run_exits_1_when_agency_data_was_rejected(demo):
    root, _ = demo
    (root / "inbox" / "UB-NV" / "hong.csv").write_bytes(b"\x00\x01\x02")
    result = CliRunner().invoke(app, ["run", "--workspace", str(root), "--as-of", "2024-12-31", "--strict"])
    assert result.exit_code == 1, result.output


def test_check_prints_the_rows_a_clerk_sees(demo):
    root, _ = demo
    bad = next((root / "inbox" / "SN-BQLDA").glob("DS_thang11.xlsx"))
    result = CliRunner().invoke(app, ["check", str(bad), "--agency", "SN-BQLDA", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["status"] == "rejected"
    assert all(i["row_number"] is None or i["row_number"] > 5 for i in report["issues"])


def test_the_duckdb_cli_opens_the_analysts_copy(demo):
    root, _ = demo
    query = (
        "select indicator_code, numerator from analytics.indicators where scope = 'city' "
        "and as_of_date = '2024-12-31' and indicator_code in ('staff.total', 'leaders.total') order by 1"
    )
    result = subprocess.run(
        [shutil.which("duckdb"), "-readonly", "-csv", str(root / "staffq.duckdb"), query],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == ["indicator_code,numerator", "leaders.total,244", "staff.total,2886"]


def test_each_run_leaves_prefect_artifacts_without_personal_data(demo):
    from prefect.artifacts import Artifact

    # The latest versions belong to whichever run came last in this module; each run writes both.
    summary = Artifact.get("staffq-run-summary")
    issues = Artifact.get("staffq-issues-by-agency")
    assert summary is not None and summary.data.startswith("# staffq nightly run ")
    assert "| agency | file | status | rows read | loaded | rejected | issues |" in summary.data
    assert issues is not None
    assert not re.search(r"\d{9}", summary.data + str(issues.data))


def test_the_official_forms_carry_the_articles_figures_as_numbers(demo, tmp_path):
    root, _ = demo
    path = tmp_path / "bao-cao" / "bao-cao.xlsx"  # into a folder not made yet
    result = CliRunner().invoke(app, ["report", "--workspace", str(root), "--format", "xlsx", "--out", str(path)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["BM01 cán bộ, công chức", "BM01 viên chức", "Người lao động", "9B lãnh đạo, quản lý"]
    bm01, public_employees, others, leaders = (workbook[name] for name in workbook.sheetnames)
    assert "Biểu mẫu BM01/BNV" in [cell.value for cell in bm01[1]]
    assert bm01.page_setup.orientation == "landscape" and int(bm01.page_setup.paperSize) == 9  # A4

    def total_row(sheet):
        rows = [row for row in sheet.iter_rows(values_only=True) if row[1] == "Tổng số"]
        assert len(rows) == 1
        return rows[0]

    # BM01 column 2 (sheet column D) counts cán bộ and công chức, the same layout viên chức, the third sheet's
    # column 1 (C) the other staff: together the article's headcount. 9B columns 1, 8-12 and 14-15 (sheet C, J-N
    # and P-Q) are the article's leaders, their education and their political theory.
    assert (total_row(bm01)[3], total_row(public_employees)[3], total_row(others)[2]) == (552, 2139, 195)
    assert ARTICLE["staff.total"] == 552 + 2139 + 195
    article_leaders = (244, 1, 41, 198, 3, 1, 85, 157)
    assert total_row(leaders)[2:3] + total_row(leaders)[9:14] + total_row(leaders)[15:17] == article_leaders
    agencies = [row for row in bm01.iter_rows(min_row=14, values_only=True) if isinstance(row[0], int)]
    assert len(agencies) == 39
    assert sum(row[3] or 0 for row in agencies) == 552


def test_the_html_report_renders_every_chart_in_headless_chromium(demo, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium)")
    root, _ = demo
    path = tmp_path / "bao-cao.html"
    result = CliRunner().invoke(app, ["report", "--workspace", str(root), "--format", "html", "--out", str(path)])
    assert result.exit_code == 0, result.output
    page = path.read_text(encoding="utf-8")
    assert "244 người/2.886 cán bộ, công chức, viên chức, người lao động" in page
    # The rows returned are those the demo's run reported, the folder outside the catalogue (UB-DANTOC) included.
    assert '<td>Số dòng bị trả lại</td><td class="number">20</td>' in page
    # One as-of date so far: a sentence stands where the trends will be.
    assert "Mới có số liệu tính đến một ngày (31/12/2024), nên chưa vẽ được diễn biến" in page
    # A dead proxy: the page must render with no network at all.
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags += ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
    flags += ["--virtual-time-budget=15000", "--window-size=1280,3600"]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", path.as_uri()], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    charts = re.findall(r'<div id="(chart-[\w-]+)" class="[^"]*js-plotly-plot', dom)
    assert charts == [
        "chart-leaders-education",
        "chart-leaders-theory",
        "chart-age-pyramid",
        "chart-targets",
    ]
    # Every chart drew its marks: bars for bar charts, points for the trends.
    for chart in charts:
        body = dom.split(f'id="{chart}"', 1)[1].split('<div id="chart-', 1)[0]
        assert 'class="point"' in body or 'class="scatterlayer' in body, chart
    screenshot = tmp_path / "bao-cao.png"
    subprocess.run(
        [chromium, *flags, f"--screenshot={screenshot}", path.as_uri()], capture_output=True, check=True, timeout=120
    )
    assert screenshot.stat().st_size > 100_000


def test_indicator_changes_show_the_difference_between_two_nights(demo):
    root, _ = demo
    result = CliRunner().invoke(app, ["run", "--workspace", str(root), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    with connect(root / "staffq.duckdb", read_only=True) as connection:
        rows = dict(
            connection.execute(
                "select indicator_code, change_since_previous from analytics.indicator_changes "
                "where scope = 'city' and previous_as_of_date = date '2024-12-31' "
                "and indicator_code in ('staff.total', 'data.agencies_late')"
            ).fetchall()
        )
    # The same lists a year later: nobody new, but every monthly list is now late (48 of them; none was before).
    assert rows == {"staff.total": 0.0, "data.agencies_late": 48.0}
