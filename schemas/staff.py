"""The canonical staff record: one typed pandera model that is also the data dictionary.

Each field carries its Vietnamese title (what clerks and analysts read), how it is read (`kind`) and whether the
staff-list spec requires it (`req`: R required, E expected, C conditional, O optional, D derived).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from schemas.lean_pandera import pa


def _field(title: str, description: str, kind: str, req: str, **options) -> object:
    return pa.Field(nullable=True, title=title, description=description, metadata={"kind": kind, "req": req}, **options)


class StaffRecord(pa.DataFrameModel):
    """One person holding a post in one agency's list, as loaded into core.staff."""

    stt: str = _field("STT", "The list's own running number; never a key.", "text", "O")
    staff_file_number: str = _field("Số hiệu cán bộ, công chức", "Personnel file number.", "text", "O")
    full_name: str = _field("Họ và tên", "Full name as written, NFC.", "text", "R")
    birth_date: dt.date = _field("Ngày, tháng, năm sinh", "Birth date; see birth_date_precision.", "date", "R")
    birth_date_precision: str = _field("Độ chính xác ngày sinh", "day, month or year.", "derived", "D")
    gender: str = _field("Giới tính", "male or female; from the Nam/Nữ column used.", "vocab", "R")
    national_id: str = _field("Số định danh cá nhân (CCCD)", "12-digit ID (9 for a legacy CMND).", "id", "E")
    national_id_kind: str = _field("Loại giấy tờ", "cccd or cmnd.", "derived", "D")
    ethnicity: str = _field("Dân tộc", "Ethnic group code.", "vocab", "E")
    religion: str = _field("Tôn giáo", "Religion code; none = no religion, blank = unknown.", "vocab", "E")
    home_town: str = _field("Quê quán", "Home town as written.", "text", "O")
    unit_name: str = _field("Cơ quan, đơn vị đang làm việc", "Sub-unit as written or from a group row.", "text", "O")
    position: str = _field("Chức vụ hoặc chức danh công tác", "Main post as written.", "text", "O")
    concurrent_position: str = _field("Chức vụ kiêm nhiệm", "Posts held concurrently.", "text", "O")
    party_position: str = _field("Chức vụ Đảng", "Party post; does not make a leader.", "text", "O")
    is_leader: bool = _field(
        "Lãnh đạo, quản lý", "Leader or manager (CBLĐ, QL) by the positions catalogue.", "mark", "D"
    )
    leader_level: str = _field(
        "Cấp chức vụ", "Leader level of the positions catalogue; none otherwise.", "derived", "D"
    )
    leader_role: str = _field("Cấp trưởng/phó", "head or deputy; null for non-leaders.", "derived", "D")
    staff_category: str = _field(
        "Đối tượng", "cadre, civil_servant, public_employee, contract, part_time.", "vocab", "R"
    )
    contract_type: str = _field("Loại hợp đồng", "Contract sub-type.", "vocab", "O")
    employment_status: str = _field("Tình trạng", "active when blank.", "vocab", "O")
    grade_name: str = _field("Ngạch, chức danh nghề nghiệp", "Grade or professional title as written.", "text", "C")
    grade_code: str = _field("Mã số ngạch, chức danh nghề nghiệp", "Grade code, e.g. 01.003.", "text", "C")
    salary_step: int = _field("Bậc lương", "Salary step.", "int", "O")
    salary_coefficient: float = _field("Hệ số lương", "Salary coefficient.", "decimal", "O")
    hire_date: dt.date = _field("Ngày tuyển dụng", "Recruitment date.", "date", "E")
    general_schooling: str = _field("Giáo dục phổ thông", "Grade/system, e.g. 12/12.", "text", "O")
    education_level: str = _field("Trình độ chuyên môn cao nhất", "Highest professional education.", "vocab", "E")
    education_major: str = _field("Chuyên ngành đào tạo", "Major as written.", "text", "O")
    political_theory: str = _field("Lý luận chính trị", "Completed political theory level.", "vocab", "E")
    state_management: str = _field("Quản lý nhà nước", "State management training level.", "vocab", "C")
    it_level: str = _field("Tin học", "IT skills level.", "vocab", "E")
    foreign_language_name: str = _field("Ngoại ngữ", "Foreign language.", "vocab", "E")
    foreign_language_level: str = _field("Trình độ ngoại ngữ", "Foreign language level.", "vocab", "E")
    party_member: bool = _field("Đảng viên", "Party member, probationary included.", "mark", "E")
    party_join_date: dt.date = _field("Ngày vào Đảng", "Date admitted to the Party.", "date", "C")
    party_official_date: dt.date = _field("Ngày chính thức", "Date of full membership.", "date", "C")
    in_succession_plan: bool = _field("Quy hoạch", "In the succession plan.", "mark", "O")
    planned_title: str = _field("Chức danh quy hoạch", "Titles planned for, ';'-separated.", "text", "C")
    training_type: str = _field("Nội dung đào tạo, bồi dưỡng", "Training attended in the year.", "vocab", "O")
    rotation_type: str = _field("Luân chuyển, điều động trong năm", "Rotation or transfer in the year.", "vocab", "O")
    evaluation_rating: str = _field("Xếp loại chất lượng", "Annual rating.", "vocab", "E")
    evaluation_year: int = _field("Năm đánh giá", "Year of the rating.", "derived", "D")
    discipline: str = _field("Kỷ luật (hình thức)", "Heaviest discipline in force.", "vocab", "O")
    remarks: str = _field("Ghi chú", "Remarks as written.", "text", "O")
    age_years: int = _field("Tuổi", "Completed years at the as-of date.", "derived", "D")
    is_ethnic_minority: bool = _field("Dân tộc thiểu số", "Ethnicity known and not Kinh.", "derived", "D")
    has_religion: bool = _field("Có tôn giáo", "Religion known and not none.", "derived", "D")
    grade_group: str = _field(
        "Nhóm ngạch", "Salary group of the grade (A3.1, A1, B…), from the catalogue.", "derived", "D"
    )
    grade_bucket: str = _field(
        "Nhóm ngạch theo biểu BM01/BNV", "cvcc, cvc, cv, cs or nv: form BM01/BNV columns 7-11.", "derived", "D"
    )
    salary_step_max: int = _field("Số bậc của ngạch", "Steps of the grade's salary scale.", "derived", "D")
    counts_in_headcount: bool = _field("Tính vào số lượng", "Counted where the main post is.", "derived", "D")
    retirement_extension_until: dt.date = _field(
        "Kéo dài thời gian công tác đến", "A recorded extension beyond retirement age.", "date", "O"
    )
    retirement_date: dt.date = _field(
        "Ngày nghỉ hưu", "Last day of the month retirement age is reached (Decree 135/2020).", "derived", "D"
    )
    ethnic_language_cert: bool = _field(
        "Chứng chỉ tiếng dân tộc", "Certificate in a minority language (form BM01/BNV column 28).", "mark", "O"
    )
    meets_title_standards: bool = _field(
        "Đạt tiêu chuẩn chức danh", "A leader meeting every minimum of the title standards table.", "derived", "D"
    )
    meets_planned_title_standards: bool = _field(
        "Đạt tiêu chuẩn chức danh quy hoạch",
        "Someone in the succession plan meeting every minimum of the first title planned for them.",
        "derived",
        "D",
    )
    past_retirement_age: bool = _field(
        "Quá tuổi nghỉ hưu", "Past retirement age at the list's date, with no extension in force.", "derived", "D"
    )

    class Config:
        strict = False
        coerce = False


@cache
def record_columns() -> dict[str, pa.Column]:
    """The model's columns, built once: pandera rebuilds the schema on every to_schema() call."""
    return dict(StaffRecord.to_schema().columns)


def fields_of_kind(*kinds: str) -> list[str]:
    """Names of the record's fields read the given way, in model order."""
    return [name for name, column in record_columns().items() if column.metadata["kind"] in kinds]


def field_titles() -> dict[str, str]:
    """Vietnamese title of every field: what the clerk reads in messages."""
    return {name: column.title for name, column in record_columns().items()}


def required(level: str) -> list[str]:
    """Fields at one requirement level (R or E)."""
    return [name for name, column in record_columns().items() if column.metadata["req"] == level]
