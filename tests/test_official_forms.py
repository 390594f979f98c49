"""The official forms a department head signs: BM01/BNV counts cán bộ and công chức, viên chức and người lao động
have sheets of their own, the three add up to the headcount with everyone once, subtotals add up, every column group
of form 9B adds up to its leaders, and the workbook prints readably on A4 landscape."""

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest

from conftest import run_once
from flows.cli.init import create_workspace
from flows.reports.forms import city_of, title_block, write_xlsx
from flows.settings import ReportSettings
from warehouse.database import connect

# Its module fixtures are costly: its tests run on one worker, which builds them once.
pytestmark = pytest.mark.xdist_group("official_forms")

# A list without a date in its title is as of the day received, 15/01/2025 (conftest.run_once).
AS_OF = dt.date(2025, 1, 31)
SIGNED_ON = dt.date(2025, 2, 6)
HEADER = (
    "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Chức vụ,Đối tượng,Loại hợp đồng,Trình độ chuyên môn,Lý luận chính trị"
)
# One person: name, birth year, female, ID serial, post, category, contract type, education, political theory.
LISTS = {
    "TU-VP": [
        ("Hồ Văn Một", 1972, False, 1, "Chánh Văn phòng", "Cán bộ", "", "Thạc sĩ", "Cao cấp"),
        ("Đỗ Thị Hai", 1988, True, 2, "Chuyên viên", "Công chức", "", "Đại học", "Trung cấp"),
        ("Vũ Văn Ba", 1990, False, 3, "Chuyên viên", "Công chức", "", "Đại học", "Sơ cấp"),
        ("Lý Thị Bốn", 1995, True, 4, "Nhân viên phục vụ", "Hợp đồng lao động", "Hợp đồng 68", "", ""),
    ],
    "UB-NV": [
        ("Ngô Văn Năm", 1970, False, 5, "Trưởng phòng", "Công chức", "", "Thạc sĩ", "Cao cấp"),
        ("Đỗ Thị Hai", 1988, True, 2, "Chuyên viên", "Công chức", "", "Đại học", "Trung cấp"),
        ("Phan Văn Sáu", 1992, False, 6, "Chuyên viên", "Công chức", "", "Đại học", ""),
        ("Mai Thị Bảy", 1999, True, 7, "Kế toán", "Hợp đồng lao động", "", "Cao đẳng", ""),
    ],
    "SN-TTYT": [
        ("Trịnh Văn Tám", 1968, False, 8, "Giám đốc", "Viên chức", "", "Đại học", "Sơ cấp"),
        ("Lê Thị Chín", 1985, True, 9, "Bác sĩ", "Viên chức", "", "Đại học", ""),
        ("Cao Thị Mười", 1993, True, 10, "Điều dưỡng", "Viên chức", "", "Cao đẳng", ""),
        ("Tạ Văn Mười Một", 1980, False, 11, "Bảo vệ", "Hợp đồng lao động", "", "", ""),
    ],
    "P-UYENHUNG": [
        ("Lương Văn Mười Hai", 1975, False, 12, "Chủ tịch UBND phường", "Cán bộ", "", "Trung cấp", "Chưa qua đào tạo"),
        ("Kiều Thị Mười Ba", 1987, True, 13, "Chủ tịch Hội Liên hiệp Phụ nữ", "Cán bộ", "", "Đại học", "Trung cấp"),
        ("Âu Văn Mười Bốn", 1991, False, 14, "Công chức Tư pháp - Hộ tịch", "Công chức", "", "Đại học", ""),
        ("Tô Thị Mười Lăm", 1997, True, 15, "Tạp vụ", "Hợp đồng lao động", "", "", ""),
    ],
}
# Catalogue names a form must print as written: a formula is text, a long name wraps on rows tall enough.
FORMULA_NAME = '=HYPERLINK("http://example.invalid","Phòng Kinh tế")'
LONG_NAME = " và ".join(["Phòng Quản lý đô thị"] * 6)
BM01, PUBLIC_EMPLOYEES, CONTRACT, LEADERS = (
    "BM01 cán bộ, công chức",
    "BM01 viên chức",
    "Người lao động",
    "9B lãnh đạo, quản lý",
)


def _list_csv(people) -> str:
    lines = [HEADER]
    for stt, (name, year, female, serial, post, category, contract, education, theory) in enumerate(people, 1):
        national_id = f"074{int(female)}{year % 100:02d}{serial:06d}"
        gender = "Nữ" if female else "Nam"
        lines.append(
            f"{stt},{name},01/06/{year},{gender},{national_id},{post},{category},{contract},{education},{theory}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A small Tân Uyên workspace after one night: four agencies of four groups, every staff category, one person
    on the lists of two agencies, and agencies that sent nothing."""
    root = tmp_path_factory.mktemp("forms") / "ws"
    create_workspace(root)
    catalogue = root / "agencies.csv"
    text = catalogue.read_text(encoding="utf-8")
    quoted = FORMULA_NAME.replace('"', '""')
    text = text.replace("UB-KT,Phòng Kinh tế,", f'UB-KT,"{quoted}",')
    catalogue.write_text(text.replace("UB-QLDT,Phòng Quản lý đô thị,", f"UB-QLDT,{LONG_NAME},"), encoding="utf-8")
    for agency, people in LISTS.items():
        (root / "inbox" / agency / "ds.csv").write_text(_list_csv(people), encoding="utf-8")
    return run_once(root, AS_OF).published


@pytest.fixture(scope="module")
def workbook(published, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "bao-cao.xlsx"
    with connect(published, read_only=True) as connection:
        write_xlsx(connection, AS_OF, path, ReportSettings(receiving_unit="Sở Nội vụ tỉnh Bình Dương"), SIGNED_ON)
    return openpyxl.load_workbook(path)


def _table(sheet) -> list[tuple]:
    """The table's rows (group, agency and total rows), from the numbered row on."""
    rows = list(sheet.iter_rows(values_only=True))
    numbers = next(index for index, row in enumerate(rows) if row[:3] == ("A", "B", 1))
    table = []
    for row in rows[numbers + 1 :]:
        table.append(row)
        if row[1] == "Tổng số":
            return table
    raise AssertionError("no Tổng số row")


def _by_name(sheet) -> dict[str, tuple]:
    return {row[1]: row for row in _table(sheet)}


def _current(published, sql: str) -> dict:
    """Counts computed straight from analytics.staff_current and the catalogue, not from the form macros."""
    with connect(published, read_only=True) as connection:
        return dict(connection.execute(sql).fetchall())


def test_the_three_sheets_count_everyone_once_and_add_up_to_the_headcount(published, workbook):
    by_category = _current(
        published,
        "select case when staff_category in ('cadre', 'civil_servant') then 'cbcc' "
        "when staff_category = 'public_employee' then 'vc' else 'other' end, count(distinct person_key) "
        "from analytics.staff_current where counts_in_headcount group by 1",
    )
    staff_total = _current(
        published,
        "select indicator_code, value from analytics.indicators "
        f"where scope = 'city' and as_of_date = date '{AS_OF}' and indicator_code = 'staff.total'",
    )["staff.total"]
    # BM01 columns 1-2 are sheet columns C-D; the other sheet's column 1 is C.
    totals = {
        "cbcc": _by_name(workbook[BM01])["Tổng số"][3],
        "vc": _by_name(workbook[PUBLIC_EMPLOYEES])["Tổng số"][3],
        "other": _by_name(workbook[CONTRACT])["Tổng số"][2],
    }
    assert totals == by_category == {"cbcc": 8, "vc": 3, "other": 4}
    assert sum(totals.values()) == staff_total == 15
    line = "Cộng các biểu: 8 cán bộ, công chức + 3 viên chức + 4 người lao động = 15 người, bằng tổng số"
    for name in (BM01, PUBLIC_EMPLOYEES, CONTRACT):
        notes = [value for row in workbook[name].iter_rows(values_only=True) for value in row if value]
        assert any(str(note).startswith(line) for note in notes), name


def test_group_subtotals_and_agency_rows_match_the_current_lists(published, workbook):
    categories = {BM01: "('cadre', 'civil_servant')", PUBLIC_EMPLOYEES: "('public_employee')"}
    for sheet, listed in categories.items():
        per_agency = _current(
            published,
            "select a.name, count(*) from analytics.staff_current s join core.agencies a using (agency_code) "
            f"where s.counts_in_headcount and s.staff_category in {listed} group by 1",
        )
        per_group = _current(
            published,
            "select a.agency_group, count(distinct s.person_key) from analytics.staff_current s "
            f"join core.agencies a using (agency_code) where s.counts_in_headcount and s.staff_category in {listed} "
            "group by 1",
        )
        table = _table(workbook[sheet])
        agencies = {row[1]: row[3] for row in table if isinstance(row[0], int) and row[3]}
        assert agencies == per_agency
        groups = {row[1]: row for row in table if isinstance(row[0], str)}
        headings = {
            "party": "Khối Đảng",
            "government": "Khối chính quyền",
            "public_service": "Đơn vị sự nghiệp công lập",
        }
        headings["commune"] = "Phường, xã"
        assert {headings[group]: count for group, count in per_group.items()} == {
            name: row[3] for name, row in groups.items() if row[3]
        }
    # Đỗ Thị Hai works for the Party office and the home affairs department: once in the city's total.
    bm01 = _by_name(workbook[BM01])
    assert bm01["Văn phòng Thành ủy"][3] + bm01["Phòng Nội vụ"][3] == 6
    assert bm01["Khối Đảng"][3] + bm01["Khối chính quyền"][3] == 6
    assert bm01["Tổng số"][3] == 8


@pytest.mark.parametrize(
    "call",
    [
        "analytics.form_bm01(?::date, ['cadre', 'civil_servant'])",
        "analytics.form_bm01(?::date, ['public_employee'])",
        "analytics.form_contract_staff(?::date)",
        "analytics.form_9b_leaders(?::date)",
    ],
)
def test_each_form_macro_has_one_row_per_group_and_agency_and_one_total(published, call):
    with connect(published, read_only=True) as connection:
        rows = connection.execute(f"select row_order, row_kind, agency_group, agency_code from {call}", [AS_OF])
        rows = rows.fetchall()
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    keys = [row[1:] for row in rows]
    assert len(keys) == len(set(keys))
    assert [row[1] for row in rows].count("total") == 1 and rows[-1][1] == "total"


def test_groups_are_headed_by_roman_numerals_and_agencies_numbered_within_them(workbook):
    table = _table(workbook[BM01])
    assert [(row[0], row[1]) for row in table[:3]] == [
        ("I", "Khối Đảng"),
        (1, "Ban Dân vận Thành ủy"),
        (2, "Ban Tổ chức Thành ủy"),
    ]
    assert [row[0] for row in table if isinstance(row[0], str)] == ["I", "II", "III", "IV"]
    assert [row[1] for row in table if isinstance(row[0], str)] == [
        "Khối Đảng",
        "Khối chính quyền",
        "Mặt trận Tổ quốc và các đoàn thể",
        "Phường, xã",
    ]
    # Each agency once, on the sheet of its own staff: the health centre is a public service unit.
    names = [row[1] for row in table]
    assert len(names) == len(set(names)) and "Trung tâm Y tế thành phố" not in names
    assert "Trung tâm Y tế thành phố" in _by_name(workbook[PUBLIC_EMPLOYEES])


def test_an_agency_without_a_list_is_blank_and_the_quota_is_never_a_partial_sum(workbook):
    bm01 = _by_name(workbook[BM01])
    assert set(bm01["Phòng Tư pháp"][2:]) == {None}
    assert bm01["Phòng Nội vụ"][2] is None and bm01["Phòng Nội vụ"][3] == 3
    # Every ward and commune of the catalogue has its quota (Decree 33/2023): the group adds them up.
    assert bm01["Phường Uyên Hưng"][2:4] == (23, 3)
    assert bm01["Phường, xã"][2] == 248
    # The other groups have none, so neither has the total.
    assert bm01["Khối Đảng"][2] is None and bm01["Tổng số"][2] is None
    assert _by_name(workbook[PUBLIC_EMPLOYEES])["Tổng số"][2] is None


def test_every_column_group_of_form_9b_adds_up_to_the_leaders(published, workbook):
    leaders = _current(
        published,
        "select indicator_code, value from analytics.indicators "
        f"where scope = 'city' and as_of_date = date '{AS_OF}' and indicator_code = 'leaders.total'",
    )["leaders.total"]
    sheet = workbook[LEADERS]
    header = next(index for index, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[0] == "STT")
    groups: dict[str, list[int]] = {}
    for column in range(4, sheet.max_column + 1):
        top = sheet.cell(header, column).value
        if top is not None:
            heading = top
        groups.setdefault(heading, []).append(column - 1)
    partitions = {name: columns for name, columns in groups.items() if len(columns) > 1}
    assert list(partitions) == [
        "Giới tính",
        "Độ tuổi",
        "Trình độ chuyên môn",
        "Lý luận chính trị",
        "Quản lý nhà nước",
        "Tiêu chuẩn chức danh",
    ]
    table = _table(sheet)
    assert table[-1][2] == leaders == 4
    for row in table:
        if row[2] is None:
            continue
        for name, columns in partitions.items():
            assert sum(row[column] for column in columns) == row[2], (row[1], name)
    # The ward chairman without political theory has a column: 3 with a level, 1 without.
    assert [table[-1][column] for column in partitions["Lý luận chính trị"]] == [2, 0, 1, 1]


def test_the_title_block_and_signatures_name_who_reports_where_and_when(workbook):
    for sheet in workbook:
        texts = [(cell.row, cell.column, cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
        values = [value for _, _, value in texts]
        assert "Đơn vị báo cáo: UBND thành phố Tân Uyên" in values
        assert "Đơn vị nhận báo cáo: Sở Nội vụ tỉnh Bình Dương" in values
        assert "Tính đến ngày 31 tháng 01 năm 2025" in values
        assert "Tân Uyên, ngày 06 tháng 02 năm 2025" in values
        for title in ("NGƯỜI LẬP BẢNG", "THỦ TRƯỞNG ĐƠN VỊ"):
            row, column = next((r, c) for r, c, value in texts if value == title)
            assert sheet.cell(row + 1, column).value == "(Ký, ghi rõ họ tên)", (sheet.title, title)


def test_the_workbook_prints_on_a4_landscape_with_titles_on_every_page_and_nothing_shrunk(workbook):
    for sheet in workbook:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize), setup.scale) == ("landscape", 9, 100)
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_cols == "$A:$B"
        assert sheet.print_title_rows.startswith("$8:$")
        sizes = {cell.font.sz for row in sheet.iter_rows() for cell in row if cell.value is not None}
        assert min(sizes) >= 8, sheet.title
        # Names wrap, in rows tall enough for two lines when they need them.
        for row in sheet.iter_rows(min_row=int(sheet.print_title_rows.split("$")[-1]) + 1):
            name = row[1]
            if isinstance(name.value, str) and len(name.value) > 40 and row[0].value is not None:
                assert name.alignment.wrap_text and sheet.row_dimensions[name.row].height >= 28
    # BM01 is split into two slices of columns, cut between headings, not through a column group.
    bm01 = workbook[BM01]
    assert [brk.id for brk in bm01.col_breaks.brk] == [19]
    assert bm01.cell(9, 14).value == "Chuyên môn" and bm01.cell(9, 20).value == "Chính trị"
    assert bm01.cell(8, 14).value == bm01.cell(8, 20).value == "Trình độ đào tạo"  # once on each page
    # A bold heading over two narrow columns takes two lines of 8-point text, and its row is made that tall.
    other_languages = next(cell for row in bm01.iter_rows(max_row=12) for cell in row if cell.value == "Ngoại ngữ khác")
    assert other_languages.font.b and bm01.row_dimensions[other_languages.row].height >= 2 * 8 * 1.3


def test_agency_names_are_printed_as_written_and_wrapped(workbook):
    sheet = workbook[BM01]
    rows = {cell.value: cell for cell in sheet["B"] if cell.value in (FORMULA_NAME, LONG_NAME)}
    assert set(rows) == {FORMULA_NAME, LONG_NAME}
    assert rows[FORMULA_NAME].data_type == "s"
    long_name = rows[LONG_NAME]
    assert long_name.alignment.wrap_text
    # About 30 characters a line in the name column: five lines of 10-point text.
    assert sheet.row_dimensions[long_name.row].height >= 5 * 12


def test_the_city_comes_from_the_catalogues_government_when_the_settings_leave_it_out():
    assert city_of("HĐND và UBND thành phố Tân Uyên") == ("thành phố", "Tân Uyên")
    assert city_of("UBND TP. Thủ Dầu Một") == ("thành phố", "Thủ Dầu Một")
    assert city_of("Văn phòng") is None
    block = title_block(ReportSettings(), "HĐND và UBND huyện Bắc Tân Uyên", AS_OF, SIGNED_ON)
    assert (block.reporting_unit, block.place) == ("UBND huyện Bắc Tân Uyên", "Bắc Tân Uyên")
    assert block.receiving_unit.startswith("……")
    block = title_block(
        ReportSettings(reporting_unit="Phòng Nội vụ", receiving_unit="Sở Nội vụ", place="Uyên Hưng"),
        "HĐND và UBND thành phố Tân Uyên",
        AS_OF,
        SIGNED_ON,
    )
    assert (block.reporting_unit, block.receiving_unit, block.place) == ("Phòng Nội vụ", "Sở Nội vụ", "Uyên Hưng")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (Debian package libreoffice-calc-nogui)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_every_printed_page_is_a4_landscape_with_the_headers_and_names(published, tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    with connect(published, read_only=True) as connection:
        write_xlsx(connection, AS_OF, path, ReportSettings(), SIGNED_ON)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "bao-cao.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "STT" in text and "Tên đơn vị" in text, page
