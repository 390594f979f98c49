"""The commands a clerk and an operator type, with their exit statuses."""

import datetime as dt
import json
import re
import subprocess
import sys

import typer
from rich.console import Console
from typer.testing import CliRunner

from conftest import FIXTURES
from flows.cli.app import app
from flows.cli.console import LISTED_FILES, run_summary
from flows.pipeline import RunOutcome
from schemas.judging.issues import Problem
from warehouse.load import Submission

runner = CliRunner()


def test_check_exit_statuses_follow_the_contract(tmp_path):
    assert runner.invoke(app, ["check", str(FIXTURES / "valid_three_people.csv")]).exit_code == 0
    assert runner.invoke(app, ["check", str(FIXTURES / "name_with_digits.csv")]).exit_code == 1
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    assert runner.invoke(app, ["check", str(broken)]).exit_code == 2
    assert runner.invoke(app, ["check", str(tmp_path / "missing.xlsx")]).exit_code == 2


def test_check_json_lists_every_problem(tmp_path):
    result = runner.invoke(app, ["check", str(FIXTURES / "name_with_digits.csv"), "--json"])
    report = json.loads(result.output)
    assert (report["status"], report["rows_read"], report["rows_rejected"]) == ("accepted_with_errors", 3, 1)
    assert [(i["row_number"], i["column_header"], i["check_code"]) for i in report["issues"]] == [
        (None, None, "file-as-of-missing"),
        (3, "Họ và tên", "full-name-invalid"),
    ]


def test_init_creates_a_workspace_once(tmp_path):
    assert runner.invoke(app, ["init", "--dir", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "inbox" / "UB-NV").is_dir()
    assert oct((tmp_path / "staffq.toml").stat().st_mode & 0o777) == "0o600"
    assert runner.invoke(app, ["init", "--dir", str(tmp_path)]).exit_code == 2


def test_every_command_has_help_with_an_example():
    """Every command the app registers, found in the app itself: a new command without help fails here."""
    commands = typer.main.get_command(app).commands
    listing = runner.invoke(app, ["--help"], terminal_width=200).output
    assert len(commands) >= 7
    for name, command in commands.items():
        assert command.help, name
        assert re.search(rf"^│ {name} +\S", listing, re.MULTILINE), f"staffq --help does not list {name}"
        result = runner.invoke(app, [name, "--help"], terminal_width=200)
        assert result.exit_code == 0
        assert "Example" in result.output, name


def test_help_keeps_its_placeholders():
    """The help is rendered as Markdown, which drops anything written like an HTML tag ("<port>")."""
    serve = runner.invoke(app, ["serve", "--help"], terminal_width=200).output
    report = runner.invoke(app, ["report", "--help"], terminal_width=200).output
    assert "127.0.0.1:PORT" in serve and "WORKSPACE/.prefect/" in serve
    assert "bao-cao-DATE.FORMAT" in report


def test_a_list_made_from_the_template_passes_check_with_zero_issues(tmp_path):
    path = tmp_path / "mau.xlsx"
    today = dt.date.today().isoformat()
    assert runner.invoke(app, ["template", "--out", str(path), "--as-of", today]).exit_code == 0
    result = runner.invoke(app, ["check", str(path), "--agency", "UB-NV", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert (report["status"], report["rows_read"], report["issues"]) == ("accepted", 1, [])


def test_a_large_run_lists_the_files_with_problems_first_then_the_totals():
    def submission(number: int, status: str, rows: int, bad: int) -> Submission:
        return Submission(
            submission_id=f"s{number}",
            run_id="r",
            agency_code=f"A{number:05d}",
            file_name="ds.xlsx",
            file_sha256="0" * 64,
            archive_path=None,
            received_at=dt.datetime(2025, 1, 15),
            as_of_date=dt.date(2024, 12, 31),
            status=status,
            rows_loaded=rows - bad,
            rows_rejected=bad,
            problems=(Problem("x", "error", bad, "-", whole_file=False),) if bad else (),
        )

    clean = [submission(i, "accepted", 10, 0) for i in range(LISTED_FILES + 5)]
    problems = [submission(900, "accepted_with_errors", 10, 2), submission(901, "rejected", 10, 10)]
    console = Console(record=True, width=80)
    run_summary(console, RunOutcome("r", dt.date(2024, 12, 31), 57, [*clean, *problems]))
    lines = console.export_text().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    listed = [line.split() for line in lines if line.lstrip().startswith("A0")]
    assert len(listed) == LISTED_FILES
    assert listed[0][0].startswith("A00901/") and listed[1][0].startswith("A00900/")
    assert any("7 more files" in line for line in lines)
    total = next(line for line in lines if "total" in line).split()
    assert total[-4:] == ["570", "558", "12", "12"]


def test_check_prints_markup_in_a_clerks_file_as_written(tmp_path, monkeypatch):
    listed = tmp_path / "[bold]ds.csv"
    listed.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Chức vụ,Đối tượng,Ghi chú,[bold]Ghi chú riêng[/bold]\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,Chuyên viên,Công chức,[/red],\n"
        "2,Trần Thị [/red],02/03/1990,Nữ,[link=file:///etc/passwd]a[/link],Công chức,[bold]x[/bold],\n"
        "3,Lê Văn :thumbs_up: \x1b[2J,1975,Nam,Chuyên viên,Công chức,,\n"
        "4,Lê Văn Cường,1975,Nam,Chuyên viên,Công chức,,\n",
        "utf-8",
    )

    # Wide enough that rich folds no cell. The console's width is set, not COLUMNS: rich reads COLUMNS once, when the
    # console is made, and a test session may have set it by then.
    monkeypatch.setattr("flows.cli.app.out._width", 300)
    result = runner.invoke(app, ["check", str(listed)])

    assert (type(result.exception), result.exit_code) == (SystemExit, 1)
    for written in (
        "[bold]ds.csv",
        "[bold]Ghi chú riêng[/bold]",
        "Trần Thị [/red]",
        "[link=file:///etc/passwd]a[/link]",
        "Lê Văn :thumbs_up: ␛[2J",
    ):
        assert written in result.output
    assert "\x1b" not in result.output
    missing = runner.invoke(app, ["check", str(tmp_path / "[/red]" / "ds.csv")])
    assert (type(missing.exception), missing.exit_code) == (SystemExit, 2)
    assert "[/red]" in missing.output


def test_a_workspace_path_holding_markup_is_printed_as_written(tmp_path, monkeypatch):
    monkeypatch.setattr("flows.cli.app.err._width", 300)
    folder = tmp_path / "[/red]"
    folder.mkdir(parents=True)
    result = runner.invoke(app, ["run", "--workspace", str(folder)])
    assert (type(result.exception), result.exit_code) == (SystemExit, 2)
    assert f"{folder} is not a staffq workspace" in result.output


def test_a_list_is_judged_without_importing_what_judging_does_not_need():
    """`check` imports neither the warehouse's DuckDB, nor Prefect, nor hypothesis: pandera would import hypothesis
    (installed here, for the tests) on its first validation; staffq imports pandera with it hidden, and the list is
    judged the same. hypothesis can still be imported afterwards: a worker may be handed a function from a module
    that imports it."""
    script = (
        "import sys\n"
        "from flows.cli.app import app\n"
        f"sys.argv = ['staffq', 'check', {str(FIXTURES / 'name_with_digits.csv')!r}, '--json']\n"
        "try:\n"
        "    app()\n"
        "finally:\n"
        "    print(sorted({'duckdb', 'prefect', 'hypothesis'} & set(sys.modules)), file=sys.stderr)\n"
        "    import hypothesis\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=FIXTURES)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert json.loads(done.stdout)["rows_rejected"] == 1
