"""`staffq report --format xlsx`: the official forms as the organisation board files them — form BM01/BNV
(Circular 11/2012/TT-BNV) for cán bộ and công chức, the same layout for viên chức, a summary of the other staff
(người lao động), and the leaders' table of Party form 9B — numbers as numbers, printable on A4 landscape.

The figures come from the warehouse macros `analytics.form_bm01`, `analytics.form_contract_staff` and
`analytics.form_9b_leaders`; this module says what each form holds (its columns, title and notes, and who signs
it) and flows.reports.form_sheet lays each one out on its sheet."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
from openpyxl import Workbook

from flows.excel.workbooks import save_reproducibly
from flows.reports.city import count_text
from flows.reports.form_sheet import Form, TitleBlock, write_form
from flows.settings import ReportSettings
from warehouse import queries

_TRAINING = "Trình độ đào tạo"
_AGE = "Chia theo độ tuổi"
_SENIOR, _PRINCIPAL, _SPECIALIST = (
    "Chuyên viên cao cấp và tương đương",
    "Chuyên viên chính và tương đương",
    "Chuyên viên và tương đương",
)
_NONE_OR_BLANK = "Chưa có hoặc chưa ghi"
_BELOW_INTERMEDIATE = "Dưới trung cấp hoặc chưa ghi"


def _bm01_columns(quota: str, headcount: str, grades: str) -> tuple[tuple[str, ...], ...]:
    """Form BM01/BNV columns 1-38 (staff-list spec §7), the header path of each, top level first; the first two
    columns and the grade heading name whom the sheet counts."""
    return (
        (quota,),
        (headcount,),
        *(("Trong đó", name) for name in ("Nữ", "Đảng viên", "Dân tộc thiểu số", "Tôn giáo")),
        *((grades, name) for name in (_SENIOR, _PRINCIPAL, _SPECIALIST, "Cán sự và tương đương", "Nhân viên")),
        *(
            (_TRAINING, "Chuyên môn", name)
            for name in ("Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", "Sơ cấp")
        ),
        *((_TRAINING, "Chính trị", name) for name in ("Cử nhân", "Cao cấp", "Trung cấp", "Sơ cấp")),
        (_TRAINING, "Tin học", "Trung cấp trở lên"),
        (_TRAINING, "Tin học", "Chứng chỉ"),
        (_TRAINING, "Ngoại ngữ", "Tiếng Anh", "Đại học trở lên"),
        (_TRAINING, "Ngoại ngữ", "Tiếng Anh", "Chứng chỉ (A, B, C)"),
        (_TRAINING, "Ngoại ngữ", "Ngoại ngữ khác", "Đại học trở lên"),
        (_TRAINING, "Ngoại ngữ", "Ngoại ngữ khác", "Chứng chỉ (A, B, C)"),
        (_TRAINING, "Ngoại ngữ", "Chứng chỉ tiếng dân tộc"),
        *((_TRAINING, "Quản lý nhà nước", name) for name in (_SENIOR, _PRINCIPAL, _SPECIALIST)),
        (_AGE, "Từ 30 trở xuống"),
        (_AGE, "Từ 31 đến 40"),
        (_AGE, "Từ 41 đến 50"),
        (_AGE, "Từ 51 đến 60", "Tổng số"),
        (_AGE, "Từ 51 đến 60", "Nữ từ 51 đến 55"),
        (_AGE, "Từ 51 đến 60", "Nam từ 56 đến 60"),
        (_AGE, "Trên tuổi nghỉ hưu"),
    )


BM01_COLUMNS = _bm01_columns("Tổng số biên chế được giao", "Tổng số cán bộ, công chức hiện có", "Chia theo ngạch")
BM01_PUBLIC_EMPLOYEE_COLUMNS = _bm01_columns(
    "Tổng số người làm việc được giao", "Tổng số viên chức hiện có", "Chia theo chức danh nghề nghiệp"
)
# The other staff in the headcount (analytics.form_contract_staff): every group but "Trong đó" adds up to column 1.
CONTRACT_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("Tổng số người lao động hiện có",),
    *(("Trong đó", name) for name in ("Nữ", "Đảng viên", "Dân tộc thiểu số")),
    *(
        ("Chia theo loại hợp đồng", name)
        for name in ("Trong chỉ tiêu biên chế", "Hỗ trợ, phục vụ", "Loại khác", "Chưa ghi loại hợp đồng")
    ),
    *(
        ("Trình độ chuyên môn", name)
        for name in ("Sau đại học", "Đại học", "Cao đẳng", "Trung cấp", _BELOW_INTERMEDIATE)
    ),
    *((_AGE, name) for name in ("Từ 30 trở xuống", "Từ 31 đến 40", "Từ 41 đến 50", "Từ 51 đến tuổi nghỉ hưu")),
    (_AGE, "Trên tuổi nghỉ hưu"),
)
# The leaders' table in the layout of Party form 9B (analytics.form_9b_leaders): every group adds up to column 1,
# leaders with a level the form has no column for included; column 4 is a part of column 1. State management
# levels go by the form's abbreviations (chuyên viên cao cấp, chính, chuyên viên và tương đương) to fit one page.
FORM_9B_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("Tổng số",),
    ("Giới tính", "Nam"),
    ("Giới tính", "Nữ"),
    ("Trong đó: dân tộc thiểu số",),
    ("Độ tuổi", "Từ 40 tuổi trở xuống"),
    ("Độ tuổi", "Trên 40 đến 50 tuổi"),
    ("Độ tuổi", "Trên 50 tuổi"),
    *(
        ("Trình độ chuyên môn", name)
        for name in ("Tiến sĩ", "Thạc sĩ", "Đại học", "Cao đẳng", "Trung cấp", _BELOW_INTERMEDIATE)
    ),
    *(("Lý luận chính trị", name) for name in ("Cao cấp, cử nhân", "Trung cấp", "Sơ cấp", _NONE_OR_BLANK)),
    *(("Quản lý nhà nước", name) for name in ("CV cao cấp và TĐ", "CV chính và TĐ", "CV và TĐ", _NONE_OR_BLANK)),
    *(("Tiêu chuẩn chức danh", name) for name in ("Đạt", "Chưa đạt", "Chưa có tiêu chuẩn để xét")),
)
# The numbered columns of each form macro, for the data dictionary.
FORM_MACRO_COLUMNS = {
    "analytics.form_bm01": BM01_COLUMNS,
    "analytics.form_contract_staff": CONTRACT_COLUMNS,
    "analytics.form_9b_leaders": FORM_9B_COLUMNS,
}
_SAME_PERSON_ONCE = "Dòng cộng của khối và dòng Tổng số tính mỗi người một lần, kể cả người có tên ở hai đơn vị."
_NO_LIST = "Đơn vị chưa gửi danh sách: các cột để trống (không phải bằng 0)."
_DOTS = "…………………………"


def bm01(columns: list[str], rows: list[tuple]) -> Form:
    """Form BM01/BNV over cán bộ and công chức, the people it is defined for."""
    return Form(
        "BM01 cán bộ, công chức",
        "Biểu mẫu BM01/BNV",
        "Ban hành kèm theo Thông tư số 11/2012/TT-BNV ngày 17/12/2012",
        "BÁO CÁO SỐ LƯỢNG, CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC",
        BM01_COLUMNS,
        columns,
        rows,
        (
            "Cột 1: biên chế được giao theo danh mục đơn vị; để trống nếu danh mục chưa ghi, và dòng cộng để trống "
            "nếu có đơn vị trong đó chưa ghi.",
            _NO_LIST,
            _SAME_PERSON_ONCE,
        ),
        "cán bộ, công chức",
        "col_02",
    )


def bm01_public_employees(columns: list[str], rows: list[tuple]) -> Form:
    """The BM01/BNV layout over viên chức, who the form itself leaves out."""
    return Form(
        "BM01 viên chức",
        "Biểu mẫu BM01/BNV (viên chức)",
        "Bố cục theo Thông tư số 11/2012/TT-BNV ngày 17/12/2012",
        "BÁO CÁO SỐ LƯỢNG, CHẤT LƯỢNG VIÊN CHỨC",
        BM01_PUBLIC_EMPLOYEE_COLUMNS,
        columns,
        rows,
        (
            "Cột 1: số lượng người làm việc được giao theo danh mục đơn vị; để trống nếu danh mục chưa ghi, và dòng "
            "cộng để trống nếu có đơn vị trong đó chưa ghi.",
            _NO_LIST,
            _SAME_PERSON_ONCE,
        ),
        "viên chức",
        "col_02",
    )


def contract_staff(columns: list[str], rows: list[tuple]) -> Form:
    """The rest of the headcount, so that the sheets together count everyone once."""
    return Form(
        "Người lao động",
        "Biểu tổng hợp người lao động",
        "Kèm theo biểu mẫu BM01/BNV",
        "TỔNG HỢP SỐ LƯỢNG, CHẤT LƯỢNG NGƯỜI LAO ĐỘNG",
        CONTRACT_COLUMNS,
        columns,
        rows,
        (
            "Người lao động: người làm việc theo hợp đồng và mọi người khác tính vào tổng số mà không là cán bộ, "
            "công chức, viên chức. Người hoạt động không chuyên trách ở phường, xã không tính vào tổng số nên không "
            "có trong các biểu.",
            "Mỗi nhóm cột, trừ nhóm Trong đó, cộng lại bằng cột 1.",
            _SAME_PERSON_ONCE,
        ),
        "người lao động",
    )


def form_9b(columns: list[str], rows: list[tuple]) -> Form:
    """The leaders' table of Party form 9B."""
    return Form(
        "9B lãnh đạo, quản lý",
        "Biểu 9B",
        "Theo mẫu biểu thống kê của Ban Tổ chức Trung ương",
        "CHẤT LƯỢNG ĐỘI NGŨ CÁN BỘ LÃNH ĐẠO, QUẢN LÝ",
        FORM_9B_COLUMNS,
        columns,
        rows,
        (
            "Mỗi nhóm cột (giới tính, độ tuổi, trình độ chuyên môn, lý luận chính trị, quản lý nhà nước, tiêu chuẩn "
            "chức danh) cộng lại bằng cột 1; cột 4 là số trong tổng số.",
            "Đơn vị chưa gửi danh sách: các cột để trống; đơn vị có danh sách mà không có người lãnh đạo, quản lý: 0.",
            _SAME_PERSON_ONCE,
        ),
    )


_CITY = re.compile(r"\b(thành phố|tp\.|thị xã|tx\.|huyện|quận)\s*(\S.*)$", re.IGNORECASE)
_UNIT_WORDS = {"tp.": "thành phố", "tx.": "thị xã"}


def city_of(government_name: str | None) -> tuple[str, str] | None:
    """The city a government agency's name is of, as (its kind, its name): "HĐND và UBND thành phố Tân Uyên" is
    ("thành phố", "Tân Uyên"); None when the name says no city, district or town."""
    found = _CITY.search(government_name or "")
    if found is None:
        return None
    kind = found[1].lower()
    return _UNIT_WORDS.get(kind, kind), found[2].strip()


def title_block(
    settings: ReportSettings, government_name: str | None, as_of: dt.date, signed_on: dt.date
) -> TitleBlock:
    """The settings' units and place, the city of the catalogue's government where they are empty; what nobody
    knows stays a dotted line to fill in by hand."""
    city = city_of(government_name)
    return TitleBlock(
        settings.reporting_unit or (f"UBND {city[0]} {city[1]}" if city else _DOTS),
        settings.receiving_unit or _DOTS,
        settings.place or (city[1] if city else _DOTS),
        as_of,
        signed_on,
    )


def headcount_line(forms: list[Form], staff_total: int | None) -> str | None:
    """How the sheets that split the headcount add up to the city's total staff (staff.total), in one sentence."""
    parts = [(form.counts, form.total() or 0) for form in forms if form.counts]
    if not parts:
        return None
    summed = sum(count for _, count in parts)
    terms = " + ".join(f"{count_text(count)} {label}" for label, count in parts)
    known = "chưa tính" if staff_total is None else f"{count_text(staff_total)} người"
    verdict = "bằng" if summed == staff_total else "KHÁC với"
    return (
        f"Cộng các biểu: {terms} = {count_text(summed)} người, {verdict} tổng số cán bộ, công chức, viên chức, "
        f"người lao động hiện có ({known}); mỗi người được tính một lần, ở một biểu."
    )


def write_forms(path: Path, forms: list[Form], block: TitleBlock, staff_total: int | None) -> None:
    """One workbook, one sheet per form, stamped with the day it is signed: the same warehouse, as-of date and day
    give the same bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    line = headcount_line(forms, staff_total)
    for form in forms:
        notes = (line, *form.notes) if form.counts and line else form.notes
        write_form(workbook.create_sheet(form.sheet), form, notes, block)
    save_reproducibly(workbook, path, dt.datetime.combine(block.signed_on, dt.time()))


def write_xlsx(
    connection: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    path: Path,
    settings: ReportSettings,
    signed_on: dt.date | None = None,
) -> None:
    """The official forms as of a date, dated `signed_on` (default today) above the signatures."""
    forms = [
        bm01(*queries.official_form(connection, "form_bm01", as_of)),
        bm01_public_employees(*queries.official_form(connection, "form_bm01", as_of, ["public_employee"])),
        contract_staff(*queries.official_form(connection, "form_contract_staff", as_of)),
        form_9b(*queries.official_form(connection, "form_9b_leaders", as_of)),
    ]
    block = title_block(
        settings,
        queries.city_government_name(connection, as_of),
        as_of,
        signed_on or dt.date.today(),
    )
    staff_total = queries.city_indicators(connection, as_of).get("staff.total")
    write_forms(path, forms, block, None if staff_total is None else int(staff_total))
