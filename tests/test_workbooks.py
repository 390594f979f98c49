"""Workbooks staffq writes for people store text as text: an agency named like a formula stays a name, and a name
holding a character XML cannot hold is written with that character shown, not refused."""

import csv

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import person, run_once, write_template_workbook
from flows.cli.app import app
from flows.cli.init import create_workspace

# Names Excel would run or read as a formula, a number or a function call; openpyxl writes "=..." as a formula.
FORMULA_LIKE = ('=HYPERLINK("http://example.invalid","bấm vào đây")', "+1", "@SUM(1)", "-2")
# A name with a control character (pasted from another program), and how a workbook shows it.
CONTROL_NAME, CONTROL_SHOWN = "Phòng\x01 Kinh tế", "Phòng\u2401 Kinh tế"
runner = CliRunner()


@pytest.mark.parametrize(("name", "shown"), [*((name, name) for name in FORMULA_LIKE), (CONTROL_NAME, CONTROL_SHOWN)])
def test_the_template_writes_an_agency_name_like_a_formula_as_text(tmp_path, name, shown):
    path = tmp_path / "mau.xlsx"

    result = runner.invoke(app, ["template", "--out", str(path), f"--agency-name={name}"])

    assert result.exit_code == 0, result.output
    title = openpyxl.load_workbook(path)["Danh sách"]["A1"]
    assert (title.data_type, title.value) == ("s", shown)


def test_the_forms_write_agency_names_like_formulas_as_text(tmp_path):
    root = tmp_path / "ws"
    create_workspace(root)
    renamed = dict(zip(("UB-NV", "UB-VP", "UB-YT", "UB-GDDT", "UB-KT"), (*FORMULA_LIKE, CONTROL_NAME), strict=True))
    with (root / "agencies.csv").open(encoding="utf-8", newline="") as handle:
        agencies = list(csv.DictReader(handle))
    with (root / "agencies.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(agencies[0]))
        writer.writeheader()
        writer.writerows({**row, "name": renamed.get(row["agency_code"], row["name"])} for row in agencies)
    leader = person("Phạm Văn Dũng", "01/05/1980", national_id="074080000999", position="Trưởng phòng")
    title = ("PHÒNG TƯ PHÁP", "DANH SÁCH CÔNG CHỨC", "Tính đến ngày 31/12/2024")
    write_template_workbook(root / "inbox" / "UB-TP" / "ds.xlsx", [leader], title)
    run_once(root)
    path = tmp_path / "bao-cao.xlsx"

    result = runner.invoke(app, ["report", "--workspace", str(root), "--format", "xlsx", "--out", str(path)])

    assert result.exit_code == 0, result.output
    forms = openpyxl.load_workbook(path)
    written = {
        (sheet.title, cell.value): cell.data_type
        for sheet in forms.worksheets
        for cell in sheet["B"]
        if cell.value in (*FORMULA_LIKE, CONTROL_SHOWN)
    }
    # Each agency is listed on the sheet of its own staff (BM01 for these offices) and on the leaders' form 9B.
    assert written == {
        (sheet, name): "s"
        for sheet in ("BM01 cán bộ, công chức", "9B lãnh đạo, quản lý")
        for name in (*FORMULA_LIKE, CONTROL_SHOWN)
    }
