"""The clerk's own workbook marked by patching its package: every value as it was (formulas as their text), fills
and comments exactly on the marked cells with the cells' own formats kept, links and macros gone, and the "Lỗi"
sheet first, the same as written alone."""

import datetime as dt
import logging
import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import Border, Font, Side
from openpyxl.worksheet.formula import ArrayFormula
from test_feedback import feedback, judged, judged_once  # noqa: F401 - the files judged and loaded for the feedback tests

from flows.delivery.issue_sheet import ISSUE_SHEET, add_issue_sheet, first_sheet, issue_sheet, write_issue_list
from flows.delivery.marked_copy import cell_marks, patch_their_workbook
from flows.excel.marking import CannotMark, Mark, mark_workbook
from flows.excel.workbooks import printable
from schemas.reading.reader import read_sheets

LIST = "Danh sách cán bộ"
ANNEX = "Phụ lục"
SUMMARY = [("Đơn vị", "UB-TP – Phòng Tư pháp"), ("Tệp", "ds.xlsx"), ("Kết quả", "Được tiếp nhận"), ("Việc", "Sửa")]
RED, YELLOW = "FFFFC7CE", "FFFFEB9C"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def issues_of(*marks: tuple) -> pl.DataFrame:
    """Issues as the warehouse gives them, one per (sheet, row, column, severity, message)."""
    return pl.DataFrame(
        {
            "sheet": [m[0] for m in marks],
            "row_number": [m[1] for m in marks],
            "column_number": [m[2] for m in marks],
            "severity": [m[3] for m in marks],
            "message_vi": [m[4] for m in marks],
            "list_number": [str(i) for i in range(len(marks))],
            "person_name": ["Lê Văn An"] * len(marks),
            "column_header": ["Họ và tên"] * len(marks),
            "value": ["x"] * len(marks),
            "check_code": ["name-invalid"] * len(marks),
        },
        schema_overrides={"row_number": pl.Int64, "column_number": pl.Int64},
    )


def layout_of(issues: pl.DataFrame):
    return issue_sheet(SUMMARY, issues, returned_whole=False)


def patched(source: Path, issues: pl.DataFrame) -> Path:
    """`source` marked as feedback marks it."""
    target = source.with_name(source.stem + ".loi.xlsx")
    patch_their_workbook(source, source, layout_of(issues), issues, target)
    return target


# Workbooks as the clerks' programs write them: the same list by two writers.


def list_by_openpyxl(path: Path) -> Path:
    """Inline strings; a bold header, a date column, a bordered cell, a merged total, an array formula, a link to
    another workbook in a formula, a gap where row 6 would be, and an annex with a print area."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = LIST
    for row in list_rows():
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in range(2, 6):
        sheet.cell(row, 3).number_format = "dd/mm/yyyy"
    sheet["B3"].border = Border(left=Side("thin"), bottom=Side("thin"))
    sheet.delete_rows(6)
    sheet["A7"], sheet["C7"] = "Tổng cộng", 4
    sheet.merge_cells("A7:B7")
    sheet["E2"] = ArrayFormula("E2:E3", "=A2:A3*2")
    sheet["G2"] = "=[1]Sheet1!A1"
    annex = workbook.create_sheet(ANNEX)
    annex["A1"], annex["B2"] = "Ghi chú", '=A1&" thêm"'
    annex.print_area = "A1:B2"
    workbook.save(path)
    return path


def list_by_xlsxwriter(path: Path) -> Path:
    """Shared strings; the same list, and a sheet "Lỗi" of the clerk's own between the list and the annex."""
    with xlsxwriter.Workbook(path) as workbook:
        sheet = workbook.add_worksheet(LIST)
        bold = workbook.add_format({"bold": True})
        date = workbook.add_format({"num_format": "dd/mm/yyyy"})
        bordered = workbook.add_format({"left": 1, "bottom": 1})
        for index, row in enumerate(list_rows()[:5]):
            for column, value in enumerate(row):
                if value is None:
                    continue
                style = bold if index == 0 else date if column == 2 else bordered if (index, column) == (2, 1) else None
                write = sheet.write_datetime if isinstance(value, dt.datetime) else sheet.write
                write(index, column, value, style)
        sheet.merge_range("A7:B7", "Tổng cộng")
        sheet.write("C7", 4)
        sheet.write_array_formula("E2:E3", "{=A2:A3*2}")
        sheet.write_formula("G2", "=[1]Sheet1!A1")
        workbook.add_worksheet(ISSUE_SHEET).write("A1", "bảng lỗi cũ của đơn vị")
        annex = workbook.add_worksheet(ANNEX)
        annex.write("A1", "Ghi chú")
        annex.write_formula("B2", '=A1&" thêm"')
        annex.print_area("A1:B2")
    return path


def list_rows() -> list[list]:
    born = dt.datetime(1980, 1, 31)
    return [
        ["STT", "Họ và tên", "Ngày sinh", "Ghi chú", None, "Hệ số"],
        [1, "Lê Văn An", born, "", None, 10],
        [2, "Trần Thị Bình", born + dt.timedelta(days=400), "a < b & c", None, 20],
        [3, "Phạm Văn 3", born, None, None, 30],
        [4, "Đỗ Thị Dung", born, "đã nghỉ", None, 40],
        [5, "không đọc", born, None, None, 50],
    ]


BUILDERS = {"openpyxl": list_by_openpyxl, "xlsxwriter": list_by_xlsxwriter}


def hostile(path: Path, macros: bool = False) -> Path:
    """The list made as a hostile or careless one would be: a shared formula (F2:F5, its text only in F2), a real
    link to another workbook, a calculation chain, and with `macros` a VBA project in a .xlsm."""
    sheet_part = "xl/worksheets/sheet1.xml"

    def shared_formula(xml: str) -> str:
        cells = re.findall(r'<c r="F(\d)"[^>]*?(?:/>|>.*?</c>)', xml)
        assert cells == ["1", "2", "3", "4", "5"]  # the header, then the four to share a formula
        xml = re.sub(r'(<c r="F2")[^>]*?>.*?</c>', r'\1><f t="shared" ref="F2:F5" si="0">A2*10</f><v>10</v></c>', xml)
        return re.sub(r'(<c r="F[345]")[^>]*?>.*?</c>', r'\1><f t="shared" si="0"/><v>0</v></c>', xml)

    def workbook(xml: str) -> str:
        link = f'<externalReference xmlns:r="{RELATIONSHIPS}" r:id="rIdLink"/>'
        return xml.replace("</sheets>", f"</sheets><externalReferences>{link}</externalReferences>")

    def workbook_rels(xml: str) -> str:
        added = [
            ("rIdLink", "externalLink", "externalLinks/externalLink1.xml"),
            ("rIdChain", "calcChain", "calcChain.xml"),
            *([("rIdVba", "vbaProject", "vbaProject.bin")] if macros else []),
        ]
        relationships = "".join(
            f'<Relationship Id="{i}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>' for i, kind, target in added
        )
        return xml.replace("</Relationships>", relationships + "</Relationships>")

    def content_types(xml: str) -> str:
        overrides = (
            '<Override PartName="/xl/externalLinks/externalLink1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
            # As LibreOffice writes them: a content type for a relationships part too.
            '<Override PartName="/xl/externalLinks/_rels/externalLink1.xml.rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/calcChain.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
        )
        if macros:
            overrides += '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            xml = xml.replace("spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml").replace(
                "application/vnd.openxmlformats-officedocument.ms-excel", "application/vnd.ms-excel"
            )
        return xml.replace("</Types>", overrides + "</Types>")

    link = (
        f'<externalLink xmlns="{MAIN}"><externalBook xmlns:r="{RELATIONSHIPS}" r:id="rId1"><sheetNames>'
        '<sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
    )
    link_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/externalLinkPath" Target="file:///C:/cmd.xlsx" TargetMode="External"/></Relationships>'
    )
    added = {
        "xl/externalLinks/externalLink1.xml": link,
        "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        "xl/calcChain.xml": f'<calcChain xmlns="{MAIN}"><c r="F2" i="1"/></calcChain>',
        **({"xl/vbaProject.bin": "not really a VBA project"} if macros else {}),
    }
    changes = {
        sheet_part: shared_formula,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "[Content_Types].xml": content_types,
    }
    target = path.with_suffix(".xlsm" if macros else ".xlsx").with_stem(path.stem + "-hostile")
    rewrite(path, target, changes, added)
    return target


def rewrite(source: Path, target: Path, changes: dict, added: dict | None = None) -> Path:
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in package.namelist():
            data = package.read(name)
            if name in changes:
                data = changes[name](data.decode()).encode()
            out.writestr(name, data)
        for name, text in (added or {}).items():
            out.writestr(name, text)
    return target


def assert_whole(path: Path) -> None:
    """What Excel checks before it offers to repair a file: every part has a content type, every content type
    names a part, every relationship inside the package leads to a part."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        types = openpyxl.xml.functions.fromstring(package.read("[Content_Types].xml"))
        defaults = {d.get("Extension").lower() for d in types if d.tag.endswith("Default")}
        overrides = {o.get("PartName")[1:] for o in types if o.tag.endswith("Override")}
        assert overrides <= names
        assert [n for n in names if n not in overrides and n.rsplit(".", 1)[-1].lower() not in defaults] == []
        for rels in (n for n in names if n.endswith(".rels")):
            folder = rels.replace("_rels/", "").removesuffix(".rels").rpartition("/")[0]
            for relationship in openpyxl.xml.functions.fromstring(package.read(rels)):
                if relationship.get("TargetMode") != "External":
                    target = relationship.get("Target")
                    part = target[1:] if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
                    assert part.lstrip("/") in names, (rels, target)


# What the clerk sees


def values(workbook) -> dict:
    """Every filled cell of every sheet but "Lỗi", formulas as their text."""
    return {
        (sheet.title, cell.coordinate): str(getattr(cell.value, "text", cell.value))
        if cell.data_type == "f"
        else cell.value
        for sheet in workbook.worksheets
        if sheet.title != ISSUE_SHEET
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def fills(workbook) -> dict:
    return {
        (sheet.title, cell.coordinate): cell.fill.fgColor.rgb
        for sheet in workbook.worksheets
        if sheet.title != ISSUE_SHEET
        for row in sheet.iter_rows()
        for cell in row
        if cell.fill.fill_type == "solid"
    }


def comments(workbook) -> dict:
    return {
        (sheet.title, cell.coordinate): cell.comment.text
        for sheet in workbook.worksheets
        if sheet.title != ISSUE_SHEET
        for row in sheet.iter_rows()
        for cell in row
        if cell.comment is not None
    }


def problem_sheet_looks(sheet) -> dict:
    """All the problem sheet shows and prints."""
    letter = openpyxl.utils.get_column_letter
    return {
        "cells": [
            [(c.value, c.font.b, c.font.sz, c.fill.fgColor.rgb, c.alignment.wrap_text) for c in row]
            for row in sheet.iter_rows()
        ],
        "merged": sorted(map(str, sheet.merged_cells.ranges)),
        "widths": [sheet.column_dimensions[letter(n)].width for n in range(1, sheet.max_column + 1)],
        "heights": [sheet.row_dimensions[n].height for n in range(1, sheet.max_row + 1)],
        "frozen": sheet.freeze_panes,
        "print titles": sheet.print_title_rows,
        "page": (sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.page_setup.fitToHeight),
    }


ISSUES = issues_of(
    (LIST, 1, 2, "warning", "Tiêu đề cột khác mẫu."),  # a bold header
    (LIST, 3, 2, "error", 'Họ và tên "Trần Thị Bình" <không> hợp lệ & lạ.'),  # a bordered cell
    (LIST, 3, 3, "warning", "Ngày sinh lạ."),  # a date
    (LIST, 4, 4, "error", "Thiếu ghi chú."),  # an empty cell, not in the XML
    (LIST, 4, 4, "warning", "Ghi chú ngắn."),  # a second problem in the same cell
    (LIST, 6, 2, "error", "Dòng trống."),  # a row not in the XML
    (LIST, 3, 6, "error", "Hệ số sai."),  # a shared formula's dependant
    (LIST, 9, 1, "error", "Dòng thừa."),  # past the last row
    (ANNEX, 1, 1, "warning", "Phụ lục lạ."),
    ("Không có trang này", 1, 1, "error", "Trang tính không còn."),
    (LIST, None, None, "error", "Lỗi của cả tệp."),
)
MARKED = {
    (LIST, "B1"): (YELLOW, "• Tiêu đề cột khác mẫu."),
    (LIST, "B3"): (RED, '• Họ và tên "Trần Thị Bình" <không> hợp lệ & lạ.'),
    (LIST, "C3"): (YELLOW, "• Ngày sinh lạ."),
    (LIST, "D4"): (RED, "• Thiếu ghi chú.\n• Ghi chú ngắn."),
    (LIST, "B6"): (RED, "• Dòng trống."),
    (LIST, "F3"): (RED, "• Hệ số sai."),
    (LIST, "A9"): (RED, "• Dòng thừa."),
    (ANNEX, "A1"): (YELLOW, "• Phụ lục lạ."),
}


@pytest.mark.parametrize("writer", BUILDERS)
def test_marks_fill_and_explain_exactly_the_marked_cells_and_keep_every_value(writer, tmp_path):
    source = hostile(BUILDERS[writer](tmp_path / f"{writer}.xlsx"))
    before = openpyxl.load_workbook(source)
    assert len(before._external_links) == 1  # the hostile list does link out
    result = openpyxl.load_workbook(patched(source, ISSUES))
    expected = values(before) | {
        (LIST, "F2"): "=A2*10",
        (LIST, "F3"): "=A3*10",
        (LIST, "F4"): "=A4*10",
        (LIST, "F5"): "=A5*10",
    }
    assert values(result) == expected
    assert fills(result) == {cell: fill for cell, (fill, _) in MARKED.items()}
    assert comments(result) == {cell: text for cell, (_, text) in MARKED.items()}
    assert {c.comment.author for s in result.worksheets for r in s.iter_rows() for c in r if c.comment} == {"staffq"}


@pytest.mark.parametrize("writer", BUILDERS)
def test_a_marked_cell_keeps_its_own_format(writer, tmp_path):
    source = BUILDERS[writer](tmp_path / f"{writer}.xlsx")
    sheet = openpyxl.load_workbook(patched(source, ISSUES))[LIST]
    assert sheet["B1"].font.b and sheet["C1"].font.b and sheet["C1"].fill.fill_type is None
    assert sheet["C3"].number_format == "dd/mm/yyyy" and sheet["C3"].value == dt.datetime(1981, 3, 6)
    assert (sheet["B3"].border.left.style, sheet["B3"].border.bottom.style) == ("thin", "thin")
    assert sheet["B3"].fill.fgColor.rgb == RED and sheet["C3"].fill.fgColor.rgb == YELLOW
    assert sorted(map(str, sheet.merged_cells.ranges)) == ["A7:B7"]


@pytest.mark.parametrize("writer", BUILDERS)
def test_formulas_go_back_as_text_and_links_and_macros_go(writer, tmp_path):
    source = hostile(BUILDERS[writer](tmp_path / f"{writer}.xlsx"), macros=True)
    target = patched(source, ISSUES)
    result = openpyxl.load_workbook(target)
    sheet = result[LIST]
    assert [(sheet[c].value, sheet[c].data_type) for c in ("E2", "F3", "G2")] == [
        ("=A2:A3*2", "s"),
        ("=A3*10", "s"),
        ("=[1]Sheet1!A1", "s"),
    ]
    assert result[ANNEX]["B2"].value == '=A1&" thêm"'
    with zipfile.ZipFile(target) as package:
        names = package.namelist()
        sheets = "".join(package.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet"))
        workbook = package.read("xl/workbook.xml").decode()
        types = package.read("[Content_Types].xml").decode()
    assert "<f" not in sheets
    assert not [n for n in names if "externalLink" in n or "vbaProject" in n or "calcChain" in n]
    assert "externalReference" not in workbook and "macroEnabled" not in types and "externalLink" not in types
    assert not result._external_links and result.vba_archive is None
    assert_whole(target)


@pytest.mark.parametrize("writer", BUILDERS)
def test_the_problem_sheet_comes_first_and_active_as_written_alone(writer, tmp_path):
    source = BUILDERS[writer](tmp_path / f"{writer}.xlsx")
    alone = tmp_path / "alone.xlsx"
    write_issue_list(layout_of(ISSUES), alone)
    result = openpyxl.load_workbook(patched(source, ISSUES))
    assert result.sheetnames == [ISSUE_SHEET, LIST, ANNEX]  # the clerk's own "Lỗi" replaced
    assert result.active.title == ISSUE_SHEET
    assert [bool(sheet.sheet_view.tabSelected) for sheet in result.worksheets] == [True, False, False]
    grafted = problem_sheet_looks(result[ISSUE_SHEET])
    assert grafted == problem_sheet_looks(openpyxl.load_workbook(alone)[ISSUE_SHEET])
    assert grafted["print titles"] == "$7:$7" and grafted["frozen"] == "A8"
    assert result[ANNEX].print_area == "'Phụ lục'!$A$1:$B$2"  # still the annex's, two sheets on
    assert not result[LIST].print_area


def test_the_problem_sheet_as_xml_looks_as_openpyxl_lays_it_out(tmp_path):
    """The two writers of the "Lỗi" sheet, the XML put into the clerk's package and openpyxl's in a workbook copied
    cell by cell, show and print the same, but for how each stores what is the default: a width with or without its
    padding, a default height or font size left out, an opaque colour's alpha."""
    alone = tmp_path / "alone.xlsx"
    write_issue_list(layout_of(ISSUES), alone)
    copied = openpyxl.Workbook()
    add_issue_sheet(copied, layout_of(ISSUES))
    copied.save(tmp_path / "copied.xlsx")
    as_xml = problem_sheet_looks(openpyxl.load_workbook(alone)[ISSUE_SHEET])
    by_openpyxl = problem_sheet_looks(openpyxl.load_workbook(tmp_path / "copied.xlsx")[ISSUE_SHEET])
    assert as_seen(as_xml) == as_seen(by_openpyxl)
    assert len(as_xml["cells"]) == layout_of(ISSUES).header_row + ISSUES.height


def as_seen(looks: dict) -> dict:
    """What a problem sheet shows, its defaults made explicit."""
    cells = [
        [(v, bold, size or 11, colour[-6:], wrap) for v, bold, size, colour, wrap in row] for row in looks["cells"]
    ]
    heights = [height or 15 for height in looks["heights"]]
    return looks | {"cells": cells, "widths": [int(width) for width in looks["widths"]], "heights": heights}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (Debian package libreoffice-calc-nogui)")
def test_libreoffice_opens_a_marked_workbook(tmp_path):
    """It prints the problem sheet and the marked values, and reads the comments: saved again by LibreOffice, the
    workbook still has them on the marked cells."""
    target = patched(hostile(list_by_openpyxl(tmp_path / "ds.xlsx")), ISSUES)
    for kind, folder in (("pdf", tmp_path), ("xlsx", tmp_path / "saved")):
        subprocess.run(
            ["soffice", "--headless", "--convert-to", kind, "--outdir", str(folder), str(target)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    text = subprocess.run(
        ["pdftotext", str(target.with_suffix(".pdf")), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "KẾT QUẢ TIẾP NHẬN DANH SÁCH" in text  # the problem sheet, first
    assert "Trần Thị Bình" in text and "=A3*10" in text  # a marked value; a marked formula, as text
    saved = openpyxl.load_workbook(tmp_path / "saved" / target.name)
    assert saved.sheetnames[0] == ISSUE_SHEET
    assert {cell: text.strip() for cell, text in comments(saved).items()} == {
        cell: text for cell, (_, text) in MARKED.items()
    }
    assert fills(saved) == {cell: fill for cell, (fill, _) in MARKED.items()}


def test_a_workbook_it_cannot_patch_says_so(tmp_path):
    """What the patch does not handle is left to the openpyxl copy: a cell that already has a comment, an encrypted
    file (not a zip), a cell without its reference, Strict OOXML, a macro sheet."""
    plain = list_by_openpyxl(tmp_path / "ds.xlsx")
    commented = openpyxl.load_workbook(plain)
    commented[LIST]["A1"].comment = Comment("của đơn vị", "Văn thư")
    commented.save(tmp_path / "commented.xlsx")
    (tmp_path / "encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    sheet = "xl/worksheets/sheet1.xml"
    rewrite(plain, tmp_path / "no-reference.xlsx", {sheet: lambda xml: xml.replace('<c r="B3"', "<c")})
    strict = {name: lambda xml: xml.replace(MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main") for name in [sheet]}
    rewrite(plain, tmp_path / "strict.xlsx", strict | {"xl/workbook.xml": strict[sheet]})
    macro_sheet = {
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
            f"{RELATIONSHIPS}/worksheet", "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet", 1
        )
    }
    rewrite(plain, tmp_path / "macro-sheet.xlsx", macro_sheet)
    cases = ["commented", "encrypted", "no-reference", "strict", "macro-sheet"]
    for case in cases:
        with pytest.raises(CannotMark):
            patched(tmp_path / f"{case}.xlsx", ISSUES)
    assert openpyxl.load_workbook(patched(plain, ISSUES))[LIST]["B3"].comment is not None


def test_feedback_copies_what_it_cannot_patch_through_openpyxl(judged, caplog):  # noqa: F811
    """A list whose cell already has the clerk's own comment: copied and marked by openpyxl, nothing lost."""
    workspace, submissions = judged
    source = workspace.root / submissions["UB-TP"].archive_path
    workbook = openpyxl.load_workbook(source)
    workbook["Danh sách"]["A1"].comment = Comment("của đơn vị", "Văn thư")
    workbook.save(source)
    with caplog.at_level(logging.INFO, "flows.delivery.feedback"):
        path = feedback(workspace, submissions["UB-TP"])
    assert "through openpyxl" in caplog.text
    result = openpyxl.load_workbook(path)
    assert result.sheetnames == [ISSUE_SHEET, "Danh sách"]
    assert result["Danh sách"]["A1"].comment.text == "của đơn vị"
    assert result["Danh sách"]["B8"].comment.text.startswith("• Họ và tên")


def test_marks_are_grouped_per_cell_with_control_characters_shown(tmp_path):
    issues = issues_of((LIST, 2, 2, "warning", "Tên có \x01 lạ."), (LIST, 2, 2, "error", "Và sai."))
    assert cell_marks(issues) == [Mark(LIST, 2, 2, True, "• Tên có \u2401 lạ.\n• Và sai.", 2)]


# Any list, any marks


cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")), max_size=8)
cell_value = st.one_of(st.none(), cell_text, st.integers(-(10**6), 10**6))
grid = st.integers(1, 8).flatmap(
    lambda width: st.lists(st.lists(cell_value, min_size=width, max_size=width), max_size=8)
)
marks = st.dictionaries(
    st.tuples(st.integers(1, 12), st.integers(1, 10)), st.tuples(st.booleans(), cell_text.filter(str.strip)), max_size=8
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=grid, marked=marks, by_openpyxl=st.booleans())
def test_any_marks_on_any_list_round_trip(tmp_path, rows, marked, by_openpyxl):
    source = tmp_path / "any.xlsx"
    if by_openpyxl:
        workbook = openpyxl.Workbook()
        workbook.active.title = LIST
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    workbook.active.cell(r, c, value).data_type = "s" if isinstance(value, str) else "n"
        workbook.save(source)
    else:
        with xlsxwriter.Workbook(source) as workbook:
            sheet = workbook.add_worksheet(LIST)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, str):
                        sheet.write_string(r, c, value)
                    elif value is not None:
                        sheet.write_number(r, c, value)
    given_marks = [Mark(LIST, r, c, is_error, text, 1) for (r, c), (is_error, text) in marked.items()]
    target = tmp_path / "marked.xlsx"
    mark_workbook(source, first_sheet(layout_of(issues_of((LIST, 1, 1, "error", "x")))), given_marks, target)
    before, after = openpyxl.load_workbook(source), openpyxl.load_workbook(target)
    assert values(after) == values(before)
    letter = openpyxl.utils.get_column_letter
    assert fills(after) == {(LIST, f"{letter(c)}{r}"): RED if e else YELLOW for (r, c), (e, _) in marked.items()}
    assert comments(after) == {(LIST, f"{letter(c)}{r}"): text for (r, c), (_, text) in marked.items()}
    assert after.sheetnames == [ISSUE_SHEET, LIST]
    assert_whole(target)


def test_a_csv_is_rebuilt_as_text_and_marked(tmp_path):
    """A CSV's cells come back as the text they were, whatever they look like, in a sheet named after the file."""
    source = tmp_path / "archived-by-hash.csv"
    rows = [
        ["STT", "Họ và tên", "Ghi chú"],
        ["1", '=HYPERLINK("http://example.invalid")', "0123"],
        ["2", "Lê\x01Văn", ""],
    ]
    source.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    issues = issues_of(("ds", 2, 2, "error", "Tên lạ."), ("ds", 4, 1, "warning", "Dòng thừa."))
    target = tmp_path / "ds.loi.xlsx"
    patch_their_workbook(source, Path("ds.csv"), layout_of(issues), issues, target)
    result = openpyxl.load_workbook(target)
    assert result.sheetnames == [ISSUE_SHEET, "ds"]
    assert [[cell.value for cell in row] for row in result["ds"].iter_rows(max_row=3)] == [
        ["STT", "Họ và tên", "Ghi chú"],
        ["1", '=HYPERLINK("http://example.invalid")', "0123"],
        ["2", "Lê\u2401Văn", None],
    ]
    assert {cell.data_type for row in result["ds"].iter_rows(max_row=3) for cell in row if cell.value} == {"s"}
    assert fills(result) == {("ds", "B2"): RED, ("ds", "A4"): YELLOW}


# Any text a quoted CSV cell holds, but a NUL (the file is then binary, not read), line breaks and quotes.
csv_text = st.text(
    st.characters(codec="utf-8", exclude_characters='\x00\r\n"', exclude_categories=("Cs",)), max_size=10
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(csv_text, min_size=3, max_size=3), min_size=1, max_size=6))
def test_any_csv_is_rebuilt_as_the_text_staffq_read(tmp_path, rows):
    """Whatever a CSV's cells hold (markup, spaces, control characters, any script), the rebuilt sheet holds the
    text staffq read, a control character shown as its picture."""
    source = tmp_path / "ds.csv"
    source.write_text("".join(",".join(f'"{value}"' for value in row) + "\n" for row in rows), encoding="utf-8")
    target = tmp_path / "ds.loi.xlsx"
    issues = issues_of(("ds", 1, 1, "error", "x"))
    patch_their_workbook(source, Path("ds.csv"), layout_of(issues), issues, target)
    (sheet,), _ = read_sheets(source)
    expected = {
        (r, c): printable(value) for r, row in enumerate(sheet.cells.rows()) for c, value in enumerate(row) if value
    }
    result = openpyxl.load_workbook(target)["ds"]
    assert {(c.row - 1, c.column - 1): c.value for row in result.iter_rows() for c in row if c.value} == expected
