"""The Tân Uyên demo inbox: agency staff lists whose valid rows reproduce the article's figures exactly.

A plan is built first (who works where, with which qualifications) so that the city totals come out exact
for any seed; writers then lay each agency's plan out as the files agencies really send, and a few files
carry deliberate defects on extra rows, so that rejecting them leaves the totals intact.
"""

from __future__ import annotations

import calendar
import csv
import math
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import NamedTuple, TypeVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from flows.excel.workbooks import save_reproducibly
from schemas.legacy_text import to_tcvn3
from schemas.text import fold

T = TypeVar("T")
Deal = tuple[str, int, dict[str, float], float]  # level, leaders who get it, weight by tier, factor for heads

AS_OF = date(2024, 12, 31)
CITY_STAFF = 2886
CITY_LEADERS = 244
LEADER_BACHELORS = 10
_EXTRA_AS_OF = date(2024, 11, 30)
_SAVED_AT = datetime(2025, 1, 6, 8, 0, 0)
_DEGREES = ("university", "master", "doctorate")

# fmt: off
# The leaders left over by a deal get the remaining level of the article (university, intermediate).
_EDUCATION_DEAL: tuple[Deal, ...] = (
    ("doctorate", 1, {"city_key": 1.0}, 1.0),
    ("college", 3, {"commune": 1.0, "school": 1.0}, 0.0),
    ("intermediate", 1, {"commune": 1.0}, 0.0),
    ("master", 41, {"city_key": 8, "city_body": 3, "department": 3, "public_unit": 2, "school": 0.3,
                    "commune": 0.4}, 2),
)
_THEORY_DEAL: tuple[Deal, ...] = (
    ("elementary", 1, {"school": 1.0}, 0.0),
    ("none", 1, {"school": 1.0}, 0.0),
    ("advanced", 85, {"city_key": math.inf, "city_body": 4, "department": 3, "public_unit": 1.5,
                      "school": 0.3, "commune": 2.5}, 2),
)

_POSTS_BY_CODE = {  # (title, fewest, most)
    "TU-TT": (("Bí thư Thành ủy", 1, 1), ("Phó Bí thư Thành ủy", 2, 2)),
    "TU-VP": (("Chánh Văn phòng", 1, 1), ("Phó Chánh Văn phòng", 2, 2)),
    "TU-UBKT": (("Chủ nhiệm Ủy ban Kiểm tra", 1, 1), ("Phó Chủ nhiệm Ủy ban Kiểm tra", 2, 2)),
    "TU-TTCT": (("Trưởng ban", 1, 1), ("Phó Trưởng ban", 1, 1)),
    "UB-LD": (("Chủ tịch HĐND thành phố", 1, 1), ("Phó Chủ tịch HĐND thành phố", 1, 1),
              ("Chủ tịch UBND thành phố", 1, 1), ("Phó Chủ tịch UBND thành phố", 3, 3),
              ("Trưởng ban HĐND", 2, 2), ("Phó Trưởng ban HĐND", 2, 2)),
    "UB-VP": (("Chánh Văn phòng", 1, 1), ("Phó Chánh Văn phòng", 3, 3)),
    "UB-TTR": (("Chánh Thanh tra", 1, 1), ("Phó Chánh Thanh tra", 2, 2)),
    "MT-UBMTTQ": (("Chủ tịch", 1, 1), ("Phó Chủ tịch", 2, 2)),
    "MT-DTN": (("Bí thư Thành đoàn", 1, 1), ("Phó Bí thư Thành đoàn", 2, 2)),
    "SN-TTYT": (("Giám đốc", 1, 1), ("Phó Giám đốc", 3, 3)),
}
_POSTS_BY_GROUP = {
    "party": (("Trưởng ban", 1, 1), ("Phó Trưởng ban", 2, 2)),
    "government": (("Trưởng phòng", 1, 1), ("Phó Trưởng phòng", 1, 3)),
    "front": (("Chủ tịch", 1, 1), ("Phó Chủ tịch", 1, 2)),
    "public_service": (("Giám đốc", 1, 1), ("Phó Giám đốc", 2, 3)),
    "commune": (("Bí thư Đảng ủy", 1, 1), ("Phó Bí thư Đảng ủy", 1, 1), ("Chủ tịch HĐND {unit}", 1, 1),
                ("Phó Chủ tịch HĐND {unit}", 0, 1), ("Chủ tịch UBND {unit}", 1, 1),
                ("Phó Chủ tịch UBND {unit}", 1, 2)),
}
_COMMUNE_CADRES = ("Chủ tịch UBMTTQ {unit}", "Chủ tịch Hội Nông dân {unit}",
                   "Chủ tịch Hội Liên hiệp Phụ nữ {unit}", "Chủ tịch Hội Cựu chiến binh {unit}",
                   "Bí thư Đoàn {unit}")
_COMMUNE_CIVIL_SERVANTS = ("Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch",
                           "Công chức Địa chính - Xây dựng", "Công chức Tài chính - Kế toán",
                           "Công chức Văn hóa - Xã hội")
_SIZES = {"TU-TT": (0, 0), "UB-LD": (0, 0), "TU-VP": (14, 20), "TU-TTCT": (6, 9), "UB-VP": (24, 32),
          "UB-TNMT": (18, 25), "SN-TTYT": (205, 225), "party": (9, 16), "government": (10, 20),
          "front": (5, 10), "public_service": (20, 35)}  # (0, 0): the agency lists only its leaders


class SchoolBlock(NamedTuple):
    schools: int
    share: float
    female: float
    leader_female: float
    grades: tuple[tuple[str, str], tuple[str, str]]


_SCHOOL_BLOCKS = {
    "SN-MN": SchoolBlock(12, 0.28, 0.90, 0.85, (("Giáo viên mầm non hạng III", "V.07.02.26"),
                                                  ("Giáo viên mầm non hạng II", "V.07.02.25"))),
    "SN-TH": SchoolBlock(14, 0.42, 0.52, 0.45, (("Giáo viên tiểu học hạng III", "V.07.03.29"),
                                                  ("Giáo viên tiểu học hạng II", "V.07.03.28"))),
    "SN-THCS": SchoolBlock(8, 0.30, 0.45, 0.40, (("Giáo viên trung học cơ sở hạng III", "V.07.04.32"),
                                                  ("Giáo viên trung học cơ sở hạng II", "V.07.04.31"))),
}
_STAFF_MIX = {
    "office": (("Chuyên viên", 70), ("Cán sự", 6), ("Văn thư", 4), ("Kế toán", 4), ("Thủ quỹ", 2),
               ("Nhân viên", 4), ("Lái xe", 4), ("Phục vụ", 2), ("", 4)),
    "service": (("Chuyên viên", 55), ("Cán sự", 6), ("Nhân viên", 12), ("Kế toán", 6), ("Văn thư", 4),
                ("Thủ quỹ", 2), ("Lái xe", 4), ("Bảo vệ", 7), ("Phục vụ", 4)),
    "health": (("Bác sĩ", 28), ("Điều dưỡng", 44), ("Trưởng khoa", 5), ("Nhân viên", 10), ("Kế toán", 4),
               ("Văn thư", 2), ("Bảo vệ", 3), ("Lái xe", 2), ("Phục vụ", 2)),
    "school": (("Giáo viên", 80), ("Tổ trưởng chuyên môn", 7), ("Tổ phó", 5), ("Nhân viên", 4),
               ("Kế toán", 2), ("Văn thư", 1), ("Bảo vệ", 3), ("Phục vụ", 2)),
    "commune": (("Nhân viên", 5), ("Bảo vệ", 2), ("Phục vụ", 2), ("Lái xe", 1)),
}
_POSITION_KIND = {"Cán sự": "clerk", "Nhân viên": "clerk", "Văn thư": "clerk", "Thủ quỹ": "clerk",
                  "Kế toán": "accountant", "Lái xe": "support", "Bảo vệ": "support", "Phục vụ": "support",
                  "Giáo viên": "teacher", "Tổ trưởng chuyên môn": "teacher", "Tổ phó": "teacher",
                  "Bác sĩ": "doctor", "Trưởng khoa": "doctor", "Điều dưỡng": "nurse"}
_EDUCATION_MIX = {
    "office": (("university", 80), ("master", 8), ("college", 7), ("intermediate", 5)),
    "clerk": (("university", 40), ("college", 30), ("intermediate", 30)),
    "accountant": (("university", 70), ("college", 20), ("intermediate", 10)),
    "support": (("intermediate", 30), ("elementary", 30), ("none", 40)),
    "teacher": (("university", 74), ("college", 23), ("master", 3)),
    "doctor": (("university", 62), ("master", 33), ("doctorate", 5)),
    "nurse": (("university", 30), ("college", 50), ("intermediate", 20)),
}
_EDUCATION_SPELLINGS = {
    "doctorate": ("Tiến sĩ", "Tiến sĩ Kinh tế"),
    "master": ("Thạc sĩ", "ThS", "Thạc sĩ Quản lý công", "Thạc sĩ Luật", "Thạc sỹ Kinh tế"),
    "university": ("Đại học", "Đại học", "Cử nhân Luật", "Cử nhân Kinh tế", "Kỹ sư xây dựng", "ĐH",
                   "Cử nhân Hành chính"),
    "college": ("Cao đẳng", "CĐ"),
    "intermediate": ("Trung cấp", "Trung cấp chuyên nghiệp"),
    "elementary": ("Sơ cấp", "Sơ cấp nghề"),
    "none": ("Chưa qua đào tạo",),
    "teacher/university": ("Đại học sư phạm", "Cử nhân Sư phạm Toán", "Cử nhân Sư phạm Ngữ văn", "Đại học"),
    "teacher/college": ("CĐSP", "Cao đẳng sư phạm"),
    "doctor/university": ("Bác sĩ", "Bác sĩ đa khoa"),
    "doctor/master": ("Bác sĩ CKI", "Thạc sĩ Y học"),
    "doctor/doctorate": ("Bác sĩ CKII",),
    "nurse/university": ("Cử nhân Điều dưỡng", "Đại học"),
    "nurse/college": ("Cao đẳng Điều dưỡng", "Cao đẳng"),
    "accountant/university": ("Cử nhân Kế toán", "Đại học"),
}
_THEORY_SPELLINGS = {
    "bachelor": ("Cử nhân chính trị", "Cử nhân LLCT"),
    "advanced": ("Cao cấp", "Cao cấp LLCT", "Cao cấp chính trị"),
    "intermediate": ("Trung cấp", "Trung cấp LLCT", "Trung cấp chính trị"),
    "elementary": ("Sơ cấp", "Sơ cấp LLCT"),
    "none": ("Chưa qua đào tạo",),
}
_THEORY_MIX = {True: (("elementary", 60), ("intermediate", 35), ("advanced", 5)),
               False: (("none", 80), ("elementary", 20))}
_PARTY_SHARE = {"party": 0.95, "government": 0.6, "front": 0.75, "public_service": 0.35, "commune": 0.7}
_GRADES = {"cvc": ("Chuyên viên chính", "01.002"), "cv": ("Chuyên viên", "01.003"),
           "cs": ("Cán sự", "01.004"), "nv": ("Nhân viên", "01.005"), "ktv": ("Kế toán viên", "06.031"),
           "kttc": ("Kế toán viên trung cấp", "06.032"),
           "bs": ("Bác sĩ", "V.08.01.03"), "bsc": ("Bác sĩ chính", "V.08.01.02"),
           "dd3": ("Điều dưỡng hạng III", "V.08.05.12"), "dd4": ("Điều dưỡng hạng IV", "V.08.05.13")}
_SKILLS = {  # (IT, foreign language) by who holds them
    "leader": ((("Ứng dụng CNTT cơ bản", 70), ("Ứng dụng CNTT nâng cao", 20), ("Chứng chỉ B", 10)),
               (("Tiếng Anh B1", 45), ("Anh văn B", 25), ("Tiếng Anh B2", 20), ("Anh văn C", 10))),
    "support": ((("Không", 55), ("Chứng chỉ A", 45)), (("Không", 70), ("Anh văn A", 30))),
    "staff": ((("Ứng dụng CNTT cơ bản", 55), ("Ứng dụng CNTT nâng cao", 12), ("Chứng chỉ B", 20),
               ("Tin học văn phòng B", 8), ("Chứng chỉ A", 5)),
              (("Tiếng Anh B1", 35), ("Anh văn B", 28), ("Tiếng Anh B2", 10), ("Tiếng Anh A2", 17),
               ("Anh văn C", 10))),
}
_RATINGS = {"excellent": ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV"),
            "good": ("Hoàn thành tốt nhiệm vụ", "HTTNV"), "completed": ("Hoàn thành nhiệm vụ", "HTNV")}
_REMARKS = ("Tuyển dụng năm 2023", "Bổ nhiệm lại năm 2024", "Đã nộp bản sao văn bằng")
_CATEGORY_LABEL = {"civil_servant": "Công chức", "public_employee": "Viên chức"}
_STATE_MANAGEMENT = {"civil": (("Chuyên viên", 50), ("QLNN CV", 5), ("Chuyên viên chính", 8),
                               ("Chưa qua bồi dưỡng", 37)),
                     "other": (("Chưa qua bồi dưỡng", 80), ("Chuyên viên", 20))}
_TIER_BY_GROUP = {"party": "city_body", "front": "city_body", "government": "department",
                  "public_service": "public_unit", "commune": "commune"}

_SURNAMES = (("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 5), ("Phan", 4),
             ("Trương", 3), ("Bùi", 3), ("Đặng", 3), ("Đỗ", 3), ("Hồ", 3), ("Ngô", 2), ("Dương", 2),
             ("Lâm", 2), ("Hoàng", 2), ("Vũ", 2), ("Đinh", 1), ("Mai", 1), ("Tô", 1), ("Cao", 1), ("Châu", 1),
             ("Lý", 1), ("Thái", 1))
_MINORITY_SURNAMES = {"Hoa": "Lý Quách Trương Tăng Lâm", "Khmer": "Thạch Sơn Danh Kim"}  # space-separated
_MIDDLE = {False: "Văn Văn Hữu Minh Đức Quốc Thanh Công Ngọc Hoàng Tấn Thành Trọng",
           True: "Thị Thị Thị Ngọc Thanh Thu Kim Hồng Mỹ Thùy Phương Bích Hoài"}
_GIVEN = {False: "Hùng Dũng Tuấn Minh Long Phong Hải Nam Sơn Thắng Trung Khoa Bình Tài Lộc Phúc Hiếu "
                 "Nghĩa Tâm Quang Vinh Cường Đạt Hậu Toàn Thịnh Khánh Huy Tú Bảo",
          True: "Lan Hoa Hương Mai Linh Trang Thảo Ngân Hằng Nhung Yến Trinh Vy Ngọc Hạnh Thủy Dung Loan "
                "Phượng Uyên Quyên Tuyết Diễm Hiền Nhi Như Oanh Thư"}
_ETHNICITIES = (("Kinh", 940), ("Hoa", 25), ("Khmer", 12), ("Tày", 8), ("Nùng", 8), ("Chăm", 4), ("Mường", 3))
_RELIGIONS = (("Không", 76), ("Phật giáo", 15), ("Công giáo", 8), ("Cao Đài", 1))
_ID_PROVINCES = (("074", 72), ("079", 6), ("070", 3), ("072", 3), ("075", 3), ("080", 3), ("086", 3),
                 ("038", 3), ("040", 2), ("042", 2))

_FORCED_SHAPES = {"UB-TNMT": "xlsx", "P-KHANHBINH": "xlsx", "SN-TTVHTT": "xlsx", "P-TANHIEP": "xlsx",
                  "MT-HND": "csv"}
_GROUP_ROW_COMMUNES = 4
_CSV_FILES = 10
_DEFECTS = {"UB-TNMT": ("blank-name", "digit-name", "bad-category"),
            "P-KHANHBINH": ("impossible-date", "age-15"), "SN-TTVHTT": ("short-id", "duplicate"),
            "MT-HND": ("bad-gender", "month-13")}
# The agency whose export comes from a Mac: decomposed (NFD) Vietnamese letters.
NFD_AGENCY = "MT-HLHPN"
# The commune whose clerk types in a legacy TCVN3 font.
LEGACY_FONT_AGENCY = "X-BACHDANG"
_UNREADABLE = ("P-TANHIEP", "danh_sach_bo_sung.xlsx")
_STALE_DEFECTS = ("", "name", "30/02", "", "name", "31/04")
_UNKNOWN_AGENCY = ("UB-DANTOC", "Phòng Dân tộc", "PHÒNG DÂN TỘC THÀNH PHỐ TÂN UYÊN")
_FILE_NAMES = ("DS_CBCCVC_{camel}_31122024", "danh sach can bo 2024", "{code}_DanhSach_T12_2024",
               "BM03_{camel}", "Danh sach CBCCVC {spaced} nam 2024", "ds_{snake}_31_12_2024")

_TEMPLATE = (  # (key, header, column width)
    ("stt", "STT", 5), ("name", "Họ và tên", 24), ("birth", "Ngày, tháng, năm sinh", 11),
    ("national_id", "Số định danh cá nhân (CCCD)", 15), ("ethnicity", "Dân tộc", 8),
    ("religion", "Tôn giáo", 10),
    ("position", "Chức vụ hoặc chức danh công tác", 28), ("category", "Đối tượng", 13),
    ("grade", "Ngạch, chức danh nghề nghiệp", 26), ("grade_code", "Mã số ngạch, chức danh nghề nghiệp", 12),
    ("education", "Trình độ chuyên môn cao nhất", 22), ("theory", "Lý luận chính trị", 15),
    ("state_management", "Quản lý nhà nước", 16), ("it", "Tin học", 20), ("language", "Ngoại ngữ", 13),
    ("party", "Đảng viên", 8), ("party_join", "Ngày vào Đảng", 12), ("planned", "Quy hoạch", 9),
    ("planned_title", "Chức danh quy hoạch", 24), ("rating", "Xếp loại chất lượng năm 2024", 24),
    ("remark", "Ghi chú", 16),
)
_WRAPPED = {"national_id": "Số định danh cá\nnhân (CCCD)", "position": "Chức vụ hoặc chức\ndanh công tác",
            "education": "Trình độ chuyên\nmôn cao nhất", "rating": "Xếp loại chất lượng\nnăm 2024"}
_CSV_HEADERS = (
    ("stt", ("STT",)), ("name", ("Họ và tên", "Họ tên")), ("birth", ("Ngày sinh", "Ngày tháng năm sinh")),
    ("gender", ("Giới tính",)), ("national_id", ("Số CCCD", "CMND/CCCD")), ("ethnicity", ("Dân tộc",)),
    ("religion", ("Tôn giáo",)), ("position", ("Chức vụ",)), ("category", ("Đối tượng",)),
    ("grade", ("Ngạch",)), ("grade_code", ("Mã ngạch",)), ("education", ("Trình độ chuyên môn", "TĐCM")),
    ("theory", ("Lý luận chính trị", "LLCT")),
    ("state_management", ("Quản lý nhà nước", "QLNN")), ("it", ("Tin học",)), ("language", ("Ngoại ngữ",)),
    ("party", ("Đảng viên",)), ("party_join", ("Ngày vào Đảng",)), ("planned", ("Quy hoạch",)),
    ("planned_title", ("Chức danh quy hoạch",)), ("rating", ("Xếp loại chất lượng năm 2024",)),
    ("remark", ("Ghi chú",)),
)
# fmt: on

_HEADER_ROW = 7
_FONT = Font(name="Times New Roman", size=11)
_BOLD = Font(name="Times New Roman", size=11, bold=True)
_ITALIC = Font(name="Times New Roman", size=11, italic=True)
_TITLE = Font(name="Times New Roman", size=13, bold=True)
_THIN = Border(*(Side(style="thin"),) * 4)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    group: str
    default_category: str
    quota: int
    aliases: tuple[str, ...]

    @property
    def unit(self) -> str:
        return "xã" if self.name.startswith("Xã") else "phường"


@dataclass(eq=False)
class Person:
    name: str
    female: bool
    birth: date
    national_id: str
    ethnicity: str
    religion: str
    position: str
    category: str
    tier: str  # the leader's level for the article's figures; blank for everyone else
    education_level: str = ""
    theory_level: str = ""
    education: str = ""
    theory: str = ""
    grade: tuple[str, str] = ("", "")
    state_management: str = ""
    it: str = ""
    language: str = ""
    party_join: date | None = None
    planned_title: str = ""
    rating: str = ""
    remark: str = ""
    birth_text: str = ""
    gender_text: str = ""
    defect: str = ""  # what is deliberately wrong with this row; blank for a valid row

    @property
    def age(self) -> int:
        return AS_OF.year - self.birth.year


@dataclass
class AgencyFile:
    agency: Agency
    name: str
    shape: str  # "xlsx", "xlsx-groups" (group rows instead of a category column) or "csv"
    people: list[Person]
    title: str
    as_of: date
    long_as_of: bool
    text_dates: bool
    wrapped: bool
    total_label: str
    split_groups: bool
    bom: bool
    csv_headers: tuple[str, ...]


@dataclass
class _Draw:
    """The one random source and the IDs already issued, shared by every person of the inbox."""

    rng: Random
    ids: set[str] = field(default_factory=set)

    def person(self, female: bool, age: int, position: str, category: str, tier: str) -> Person:
        """A person with identity fields, never past retirement age at the as-of date."""
        year = AS_OF.year - min(age, 54 if female else 59)
        birth = date(year, 1, 1) + timedelta(days=self.rng.randrange(366 if calendar.isleap(year) else 365))
        ethnicity = _pick(self.rng, _ETHNICITIES)
        return Person(
            self._name(female, ethnicity),
            female,
            birth,
            self._national_id(female, year),
            ethnicity,
            _pick(self.rng, _RELIGIONS),
            position,
            category,
            tier,
        )

    def _name(self, female: bool, ethnicity: str) -> str:
        surnames = _MINORITY_SURNAMES.get(ethnicity)
        surname = self.rng.choice(surnames.split()) if surnames else _pick(self.rng, _SURNAMES)
        middles = self.rng.sample(_MIDDLE[female].split(), 2 if self.rng.random() < 0.15 else 1)
        return " ".join([surname, *dict.fromkeys(middles), self.rng.choice(_GIVEN[female].split())])

    def _national_id(self, female: bool, year: int) -> str:
        while True:
            century = 0 if year < 2000 else 2
            province = _pick(self.rng, _ID_PROVINCES)
            number = f"{province}{century + female}{year % 100:02d}{self.rng.randrange(10**6):06d}"
            if number not in self.ids:
                self.ids.add(number)
                return number


def write_demo_inbox(inbox: Path, agencies_csv: Path, seed: int = 2024) -> list[Path]:
    """Write every demo agency file into inbox/<AGENCY_CODE>/ and return the paths written."""
    rng = Random(seed)
    files = _demo_files(_read_catalogue(agencies_csv), rng)
    written = []
    for file in files:
        path = inbox / file.agency.code / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        (_write_csv if file.shape == "csv" else _write_xlsx)(file, path)
        written.append(path)
    broken = inbox.joinpath(*_UNREADABLE)
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(rng.randbytes(2048))
    return [*written, broken]


def _read_catalogue(path: Path) -> list[Agency]:
    """The agencies that send lists: every catalogue row except the parent-only ones."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["expected_cadence"] != "none"]
    return [
        Agency(
            row["agency_code"],
            row["name"],
            row["agency_group"],
            row["default_staff_category"],
            int(row["staff_quota"] or 0),
            tuple(a for a in row["aliases"].split(";") if a),
        )
        for row in rows
    ]


def _demo_files(agencies: list[Agency], rng: Random) -> list[AgencyFile]:
    """Every file of the inbox, defects included, in catalogue order and then the extra files."""
    draw = _Draw(rng)
    shapes = _shapes(agencies, rng)
    posts = _posts(agencies, rng)
    people = _staff(agencies, posts, shapes, draw)
    leaders = [p for code in posts for p in people[code] if p.tier]
    _deal(leaders, _EDUCATION_DEAL, "university", "education_level", rng)
    _deal(leaders, _THEORY_DEAL, "intermediate", "theory_level", rng)
    for person in rng.sample([p for p in leaders if p.theory_level == "advanced"], LEADER_BACHELORS):
        person.theory_level = "bachelor"
    files = []
    for agency in agencies:
        for person in people[agency.code]:
            _complete(person, agency, posts[agency.code], draw)
        files.append(_agency_file(agency, shapes[agency.code], people[agency.code], rng))
        _add_defects(files[-1], posts[agency.code], draw)
    return files + _extra_files(agencies, draw)


def _pick(rng: Random, options: tuple[tuple[T, float], ...]) -> T:
    """One value of a (value, weight) table: every realistic mix in this module is such a table."""
    return rng.choices([value for value, _ in options], [weight for _, weight in options])[0]


def _split(total: int, weights: list[float]) -> list[int]:
    """Share an exact total out in proportion to the weights (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _is_head(position: str) -> bool:
    """Cấp trưởng or cấp phó: every deputy title starts with "Phó"."""
    return not position.startswith("Phó")


def _shapes(agencies: list[Agency], rng: Random) -> dict[str, str]:
    """Each agency's file shape; the agencies carrying defects get the shape their defects need."""
    shapes = {a.code: _FORCED_SHAPES[a.code] for a in agencies if a.code in _FORCED_SHAPES}
    communes = [a.code for a in agencies if a.group == "commune" and a.code not in shapes]
    shapes |= dict.fromkeys(rng.sample(communes, _GROUP_ROW_COMMUNES), "xlsx-groups")
    free = [a.code for a in agencies if a.code not in shapes]
    shapes |= dict.fromkeys(rng.sample(free, _CSV_FILES - list(shapes.values()).count("csv")), "csv")
    return {a.code: shapes.get(a.code, "xlsx") for a in agencies}


def _posts(agencies: list[Agency], rng: Random) -> dict[str, list[str]]:
    """Leaders' titles per agency, heads first; school deputies make up the city's exact number of leaders."""
    posts = {}
    for agency in agencies:
        block = _SCHOOL_BLOCKS.get(agency.code)
        if block:
            posts[agency.code] = ["Hiệu trưởng"] * block.schools
            continue
        spec = _POSTS_BY_CODE.get(agency.code) or _POSTS_BY_GROUP[agency.group]
        counts = [(title, rng.randint(low, high)) for title, low, high in spec]
        posts[agency.code] = [title.format(unit=agency.unit) for title, count in counts for _ in range(count)]
    blocks = [code for code in posts if code in _SCHOOL_BLOCKS]
    deputies = CITY_LEADERS - sum(map(len, posts.values()))
    if not blocks or deputies < 0:
        raise ValueError(f"the catalogue cannot hold exactly {CITY_LEADERS} leaders; check its school blocks")
    schools = [_SCHOOL_BLOCKS[code].schools for code in blocks]
    for code, count in zip(blocks, _split(deputies, schools), strict=True):
        posts[code] += ["Phó Hiệu trưởng"] * count
    return posts


def _staff(
    agencies: list[Agency], posts: dict[str, list[str]], shapes: dict[str, str], draw: _Draw
) -> dict[str, list[Person]]:
    """Everyone per agency, leaders first; the school blocks take what makes the city's exact headcount."""
    rng = draw.rng
    others: dict[str, list[tuple[str, str]]] = {}
    for agency in agencies:
        if agency.group == "commune":
            others[agency.code] = _commune_staff(agency, len(posts[agency.code]), shapes[agency.code], rng)
        elif agency.code not in _SCHOOL_BLOCKS:
            low, high = _SIZES.get(agency.code) or _SIZES[agency.group]
            count = max(rng.randint(low, high) - len(posts[agency.code]), 0)
            others[agency.code] = [_staff_post(agency, rng) for _ in range(count)]
    blocks = [a for a in agencies if a.code in _SCHOOL_BLOCKS]
    left = CITY_STAFF - sum(map(len, posts.values())) - sum(map(len, others.values()))
    shares = [_SCHOOL_BLOCKS[agency.code].share for agency in blocks]
    for agency, count in zip(blocks, _split(left, shares), strict=True):
        others[agency.code] = [_staff_post(agency, rng) for _ in range(count)]
    people = {}
    for agency in agencies:
        mix = [position for position, _ in _STAFF_MIX[_mix(agency)]]
        ordered = sorted(others[agency.code], key=lambda post: mix.index(post[0]) if post[0] in mix else -1)
        people[agency.code] = [_leader(agency, title, draw) for title in posts[agency.code]] + [
            _member(agency, position, category, draw) for position, category in ordered
        ]
    return people


def _mix(agency: Agency) -> str:
    """Which staff mix the agency draws its non-leaders from."""
    if agency.code in _SCHOOL_BLOCKS:
        return "school"
    if agency.code == "SN-TTYT":
        return "health"
    if agency.group == "commune":
        return "commune"
    return "service" if agency.default_category == "public_employee" else "office"


def _staff_post(agency: Agency, rng: Random) -> tuple[str, str]:
    """A non-leader's position and category; drivers, guards and cleaners are on labour contracts."""
    position = _pick(rng, _STAFF_MIX[_mix(agency)])
    support = _POSITION_KIND.get(position) == "support"
    return position, "Người lao động" if support else _CATEGORY_LABEL[agency.default_category]


def _commune_staff(agency: Agency, leaders: int, shape: str, rng: Random) -> list[tuple[str, str]]:
    """Cadres and civil servants within the ward's quota, then contract workers (none in group-row lists)."""
    cadres = [(title.format(unit=agency.unit), "Cán bộ") for title in _COMMUNE_CADRES]
    civil = max(5, agency.quota - leaders - len(cadres) - rng.randint(0, 2))
    civil_servants = sorted((rng.choice(_COMMUNE_CIVIL_SERVANTS), "Công chức") for _ in range(civil))
    count = 0 if shape == "xlsx-groups" else rng.randint(3, 10)
    workers = [(_pick(rng, _STAFF_MIX["commune"]), "Người lao động") for _ in range(count)]
    return cadres + civil_servants + workers


def _tier(agency: Agency) -> str:
    """The level that makes a leader more or less likely to hold a master's or advanced political theory."""
    if agency.code in ("TU-TT", "UB-LD"):
        return "city_key"
    if agency.code in _SCHOOL_BLOCKS:
        return "school"
    return _TIER_BY_GROUP[agency.group]


def _gender_hint(agency: Agency, position: str) -> bool | None:
    """Women's unions are led and staffed by women, veterans' associations by men."""
    if "Phụ nữ" in position or agency.code == "MT-HLHPN":
        return True
    if "Cựu chiến binh" in position or agency.code == "MT-HCCB":
        return False
    return None


def _leader(agency: Agency, title: str, draw: _Draw) -> Person:
    """A leader: older than staff, fewer women, the Youth Union's leaders young."""
    block = _SCHOOL_BLOCKS.get(agency.code)
    hint = _gender_hint(agency, title)
    female = hint if hint is not None else draw.rng.random() < (block.leader_female if block else 0.2)
    ages = (40, 59, 51) if _is_head(title) else (31, 58, 45)
    low, high, mode = (30, 36, 33) if agency.code == "MT-DTN" else ages
    age = round(draw.rng.triangular(low, high, mode))
    return draw.person(female, age, title, _leader_category(agency), _tier(agency))


def _leader_category(agency: Agency) -> str:
    """Elected and Party leaders are cadres, department heads civil servants, unit heads public employees."""
    if agency.default_category == "public_employee":
        return "Viên chức"
    return "Công chức" if agency.group == "government" and agency.code != "UB-LD" else "Cán bộ"


def _member(agency: Agency, position: str, category: str, draw: _Draw) -> Person:
    """A non-leader, with the share of women of the agency's sector."""
    block = _SCHOOL_BLOCKS.get(agency.code)
    share = block.female if block else {"health": 0.6, "commune": 0.38}.get(_mix(agency), 0.42)
    hint = _gender_hint(agency, position)
    female = hint if hint is not None else draw.rng.random() < share
    low, high, mode = (22, 35, 27) if agency.code == "MT-DTN" else (22, 59, 36)
    return draw.person(female, round(draw.rng.triangular(low, high, mode)), position, category, "")


def _deal(leaders: list[Person], rules: tuple[Deal, ...], rest: str, attribute: str, rng: Random) -> None:
    """Give each level to exactly its number of leaders, by weight without replacement; the rest get `rest`.

    Keys u ** (1 / weight) make a weighted draw without replacement (Efraimidis–Spirakis); an infinite weight
    always wins, so every city key leader holds the advanced political theory.
    """
    left = list(leaders)
    for level, count, weights, head_factor in rules:
        scored = []
        for person in left:
            weight = weights.get(person.tier, 0) * (head_factor if _is_head(person.position) else 1)
            if weight > 0:
                scored.append((rng.random() ** (1 / weight), person))
        chosen = [person for _, person in sorted(scored, key=lambda s: s[0], reverse=True)[:count]]
        if len(chosen) < count:
            raise ValueError(f"too few leaders can hold {attribute} {level}")
        for person in chosen:
            setattr(person, attribute, level)
        left = [person for person in left if person not in chosen]
    for person in left:
        setattr(person, attribute, rest)


def _kind(person: Person, agency: Agency) -> str:
    """The kind of work that decides education spellings and grade: school and health leaders keep theirs."""
    if person.tier == "school":
        return "teacher"
    if person.tier and agency.code == "SN-TTYT":
        return "doctor"
    return "office" if person.tier else _POSITION_KIND.get(person.position, "office")


def _complete(person: Person, agency: Agency, posts: list[str], draw: _Draw) -> None:
    """Qualifications, grade, party membership and planning, consistent with the person's post and age."""
    rng = draw.rng
    kind = _kind(person, agency)
    person.education_level = person.education_level or _pick(rng, _EDUCATION_MIX[kind])
    # Leaders' degrees above university avoid sector synonyms awaiting confirmation (Bác sĩ CKI), so the
    # article's counts never hinge on them.
    sector = not person.tier or person.education_level == "university"
    spellings = _EDUCATION_SPELLINGS.get(f"{kind}/{person.education_level}") if sector else None
    person.education = rng.choice(spellings or _EDUCATION_SPELLINGS[person.education_level])
    if person.tier:
        member = person.theory_level != "none"
    elif kind == "support" or person.category == "Người lao động":
        member = rng.random() < 0.15
    else:
        member = person.category == "Cán bộ" or rng.random() < _PARTY_SHARE[agency.group]
    person.theory_level = person.theory_level or _pick(rng, _THEORY_MIX[member])
    person.theory = rng.choice(_THEORY_SPELLINGS[person.theory_level])
    if member:
        joined = person.birth.year + rng.randint(20, max(20, min(person.age - 1, 38)))
        person.party_join = date(joined, rng.randint(1, 12), rng.randint(1, 28))
    person.grade = _grade(person, kind, agency, rng)
    person.state_management = _state_management(person, rng)
    it, language = _SKILLS["leader" if person.tier else "support" if kind == "support" else "staff"]
    person.it, person.language = _pick(rng, it), _pick(rng, language)
    person.planned_title = _planned_title(person, posts, rng)
    person.remark = rng.choice(_REMARKS) if rng.random() < 0.02 else ""


def _grade(person: Person, kind: str, agency: Agency, rng: Random) -> tuple[str, str]:
    """Grade name and code matching the kind of work, the degree held and seniority."""
    degree = person.education_level in _DEGREES
    senior = degree and person.age >= 40 and (bool(person.tier) or rng.random() < 0.4)
    if kind == "teacher" and agency.code in _SCHOOL_BLOCKS:
        return _SCHOOL_BLOCKS[agency.code].grades[senior]
    if kind == "doctor":
        return _GRADES["bsc" if senior else "bs"]
    if kind == "nurse":
        return _GRADES["dd3" if degree else "dd4"]
    if kind == "accountant":
        return _GRADES["ktv" if degree else "kttc"]
    if kind == "support":
        return _GRADES["nv"]
    if not degree:
        return _GRADES["cs"]
    principal = senior and agency.group != "commune" and rng.random() < (0.9 if person.tier else 0.6)
    return _GRADES["cvc" if principal else "cv"]


def _state_management(person: Person, rng: Random) -> str:
    """State-management training: leaders have it, public employees mostly not."""
    if person.tier == "city_key":
        return rng.choice(("Chuyên viên chính", "Chuyên viên cao cấp"))
    if person.tier:
        return rng.choice(("Chuyên viên", "Chuyên viên chính", "QLNN CV"))
    if person.category in ("Cán bộ", "Công chức"):
        return _pick(rng, _STATE_MANAGEMENT["civil"])
    return _pick(rng, _STATE_MANAGEMENT["other"])


def _planned_title(person: Person, posts: list[str], rng: Random) -> str:
    """Deputies are planned for the head's post, younger graduates for the agency's deputy post."""
    if person.tier:
        if _is_head(person.position) or person.age > 50 or rng.random() >= 0.35:
            return ""
        head = person.position.removeprefix("Phó ")
        return head[0].upper() + head[1:]
    deputy = next((title for title in reversed(posts) if not _is_head(title)), "")
    eligible = person.category != "Người lao động" and person.age <= 45 and person.education_level in _DEGREES
    return deputy if eligible and rng.random() < 0.25 else ""


def _rate(people: list[Person], short: bool, rng: Random) -> None:
    """Ratings of 2024 with 'excellent' within 20 % of 'good' in the file, the cap of Decree 90/2020."""
    completed = round(len(people) * 0.12)
    excellent = (len(people) - completed) // 6
    levels = ["completed"] * completed + ["excellent"] * excellent
    levels += ["good"] * (len(people) - len(levels))
    rng.shuffle(levels)
    for person, level in zip(people, levels, strict=True):
        person.rating = _RATINGS[level][short]


def _agency_file(agency: Agency, shape: str, people: list[Person], rng: Random) -> AgencyFile:
    """One agency's list with its clerk's habits: file name, title spelling, date cells, header wording."""
    _rate(people, rng.random() < 0.2, rng)
    words = fold(agency.name).split()
    stem = rng.choice(_FILE_NAMES).format(
        camel="".join(w.capitalize() for w in words),
        code=agency.code,
        spaced=" ".join(w.capitalize() for w in words),
        snake="_".join(words),
    )
    return AgencyFile(
        agency,
        f"{stem}.{'csv' if shape == 'csv' else 'xlsx'}",
        shape,
        people,
        rng.choice(agency.aliases),
        AS_OF,
        long_as_of=rng.random() < 0.35,
        text_dates=rng.random() < 0.25,
        wrapped=rng.random() < 0.5,
        total_label=rng.choice(("Tổng cộng", "Tổng số")),
        split_groups=rng.random() < 0.5,
        bom=rng.random() < 0.5,
        csv_headers=tuple(rng.choice(options) for _, options in _CSV_HEADERS),
    )


def _add_defects(file: AgencyFile, posts: list[str], draw: _Draw) -> None:
    """Slip the deliberate invalid rows into the list: extra people, never part of the city totals."""
    for kind in _DEFECTS.get(file.agency.code, ()):
        if kind == "duplicate":
            source = draw.rng.choice([p for p in file.people if not p.tier and p.rating in _RATINGS["good"]])
            row = replace(source, defect="exact duplicate of an earlier row")
            start = file.people.index(source) + 1
        else:
            row, start = _defective(kind, file.agency, posts, draw), 1
        file.people.insert(draw.rng.randint(start, len(file.people)), row)


def _defective(kind: str, agency: Agency, posts: list[str], draw: _Draw) -> Person:
    """A plausible extra row with exactly one error that rejects it."""
    rng = draw.rng
    age = {"impossible-date": 39, "month-13": 36, "age-15": 15}.get(kind, rng.randint(24, 50))
    commune = agency.group == "commune"
    position = rng.choice(_COMMUNE_CIVIL_SERVANTS) if commune else "Chuyên viên"
    category = "Công chức" if commune else _CATEGORY_LABEL[agency.default_category]
    person = draw.person(rng.random() < 0.5, age, position, category, "")
    _complete(person, agency, posts, draw)
    person.rating = _RATINGS["completed"][0]
    year = person.birth.year
    match kind:
        case "blank-name":
            person.name, person.defect = "", "full name blank"
        case "digit-name":
            person.name, person.defect = person.name.rsplit(" ", 1)[0] + " 2", "full name with a digit"
        case "bad-category":
            person.category, person.defect = "Tạm tuyển", "category 'Tạm tuyển' not in the vocabulary"
        case "impossible-date":
            person.birth_text, person.defect = f"31/02/{year}", f"impossible birth date 31/02/{year}"
        case "month-13":
            person.birth_text, person.defect = f"15/13/{year}", f"birth date 15/13/{year} (month 13)"
        case "age-15":
            person.defect = f"born {person.birth:%d/%m/%Y}: aged 15 at the as-of date"
        case "short-id":
            person.national_id, person.defect = person.national_id[1:9], "ID of 8 digits"
        case "bad-gender":
            person.gender_text, person.defect = "K", "gender 'K'"
    return person


def _extra_files(agencies: list[Agency], draw: _Draw) -> list[AgencyFile]:
    """An older BQLDA list with mostly broken rows, and a list from an agency missing from the catalogue."""
    rng = draw.rng
    bqlda = next(a for a in agencies if a.code == "SN-BQLDA")
    stale = [_member(bqlda, *_staff_post(bqlda, rng), draw) for _ in range(6)]
    code, name, title = _UNKNOWN_AGENCY
    unknown = Agency(code, name, "government", "civil_servant", 0, (title,))
    posts = ["Trưởng phòng", "Phó Trưởng phòng"]
    listed = [_leader(unknown, post, draw) for post in posts]
    for leader in listed:
        leader.education_level, leader.theory_level = "university", "intermediate"
    listed += [_member(unknown, "Chuyên viên", "Công chức", draw) for _ in range(3)]
    files = []
    for agency, people, file_name in ((bqlda, stale, "DS_thang11.xlsx"), (unknown, listed, "danh_sach.xlsx")):
        for person in people:
            _complete(person, agency, posts, draw)
        files.append(replace(_agency_file(agency, "xlsx", people, rng), name=file_name))
    files[0].as_of = _EXTRA_AS_OF
    for person, change in zip(stale, _STALE_DEFECTS, strict=True):
        if change == "name":
            person.name, person.defect = "", "full name blank"
        elif change:
            person.birth_text = f"{change}/{person.birth.year}"
            person.defect = f"impossible birth date {person.birth_text}"
    return files


def _values(person: Person, stt: int) -> dict[str, object]:
    """One person's cells by column key, as the clerk types them; most keys are the person's own fields."""
    cells = {key: getattr(person, key) for key, _ in _CSV_HEADERS if hasattr(person, key)}
    return cells | {
        "stt": stt,
        "birth": person.birth_text or f"{person.birth:%d/%m/%Y}",
        "gender": person.gender_text or ("Nữ" if person.female else "Nam"),
        "grade": person.grade[0],
        "grade_code": person.grade[1],
        "party": "x" if person.party_join else "Không",
        "party_join": f"{person.party_join:%d/%m/%Y}" if person.party_join else "",
        "planned": "x" if person.planned_title else "",
    }


def _write_csv(file: AgencyFile, path: Path) -> None:
    """The one-header-row export that some agencies send instead of the template.

    Its one title line carries the as-of date: without it the list would be dated on receipt (spec 6.2).
    """
    with path.open("w", encoding="utf-8-sig" if file.bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"DANH SÁCH CBCCVC VÀ NGƯỜI LAO ĐỘNG - Tính đến ngày {file.as_of:%d/%m/%Y}"])
        writer.writerow(file.csv_headers)
        for stt, person in enumerate(file.people, 1):
            values = _values(person, stt)
            cells = [str(values[key]) if values[key] is not None else "" for key, _ in _CSV_HEADERS]
            if file.agency.code == NFD_AGENCY:
                cells = [unicodedata.normalize("NFD", cell) for cell in cells]
            writer.writerow(cells)


def _write_xlsx(file: AgencyFile, path: Path) -> None:
    """Form BM03/BNV: title block, two-row merged header, column numbers, data, total row and signatures."""
    keys = [key for key, _, _ in _TEMPLATE if not (file.shape == "xlsx-groups" and key == "category")]
    columns, next_column = {}, 1
    for key in keys:
        columns[key] = next_column
        next_column += 2 if key == "birth" else 1
    last = next_column - 1
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    _write_title(sheet, file, last)
    _write_header(sheet, file, columns, last)
    row = _write_rows(sheet, file, columns, last)
    _write_footer(sheet, file, row, columns, last)
    widths = {key: width for key, _, width in _TEMPLATE}
    for key, column in columns.items():
        for offset in range(2 if key == "birth" else 1):
            sheet.column_dimensions[get_column_letter(column + offset)].width = widths[key]
    if file.agency.code == LEGACY_FONT_AGENCY:
        _retype_in_tcvn3(sheet)
    save_reproducibly(workbook, path, _SAVED_AT)


def _retype_in_tcvn3(sheet: Worksheet) -> None:
    """Some communes still type in the .VnTime font: the same words, stored as TCVN3 codes."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = to_tcvn3(cell.value)
                cell.font = Font(name=".VnTime", bold=cell.font.bold)


def _put(sheet: Worksheet, row: int, column: int, value: object, font: Font = _FONT, last: int = 0) -> None:
    """Write a cell, merged across to column `last` when given."""
    cell = sheet.cell(row, column, value)
    cell.font = font
    cell.alignment = _CENTER
    if last > column:
        sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=last)


def _write_title(sheet: Worksheet, file: AgencyFile, last: int) -> None:
    """Agency name and national motto, form code, list title and the as-of line the reader looks for."""
    as_of = file.as_of
    long_date = f"{as_of.day:02d} tháng {as_of.month:02d} năm {as_of.year}"
    _put(sheet, 1, 1, file.title, _BOLD, 8)
    _put(sheet, 1, last - 9, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _BOLD, last)
    _put(sheet, 2, last - 9, "Độc lập - Tự do - Hạnh phúc", _BOLD, last)
    _put(sheet, 3, 1, "Biểu mẫu BM03/BNV", _ITALIC, 3)
    _put(sheet, 4, 1, "DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, NGƯỜI LAO ĐỘNG", _TITLE, last)
    _put(sheet, 5, 1, f"Tính đến ngày {long_date if file.long_as_of else f'{as_of:%d/%m/%Y}'}", _ITALIC, last)


def _write_header(sheet: Worksheet, file: AgencyFile, columns: dict[str, int], last: int) -> None:
    """Two header rows merged as on the form (birth date split into Nam | Nữ), then the column numbers."""
    top = _HEADER_ROW
    for key, header, _ in _TEMPLATE:
        if key not in columns:
            continue
        column = columns[key]
        _put(sheet, top, column, _WRAPPED.get(key, header) if file.wrapped else header, _BOLD)
        if key == "birth":
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
            _put(sheet, top + 1, column, "Nam", _BOLD)
            _put(sheet, top + 1, column + 1, "Nữ", _BOLD)
        else:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    for column in range(1, last + 1):
        _put(sheet, top + 2, column, f"({column})", _ITALIC)
        for row in range(top, top + 3):
            sheet.cell(row, column).border = _THIN
    sheet.row_dimensions[top].height = 45


def _write_rows(sheet: Worksheet, file: AgencyFile, columns: dict[str, int], last: int) -> int:
    """Person rows (with group rows before each category in group-row lists); returns the next free row."""
    row, groups, category = _HEADER_ROW + 3, 0, None
    for stt, person in enumerate(file.people, 1):
        if file.shape == "xlsx-groups" and person.category != category:
            category, groups = person.category, groups + 1
            label = ("I", "II", "III")[groups - 1] + "."
            if file.split_groups:
                _put(sheet, row, 1, label, _BOLD)
                _put(sheet, row, 2, category.upper(), _BOLD)
            else:
                _put(sheet, row, 1, f"{label} {category.upper()}", _BOLD, last)
            row += 1
        values = _values(person, stt)
        for key, column in columns.items():
            value = values[key] or None
            if key == "birth" and not (file.text_dates or person.birth_text):
                value = datetime(person.birth.year, person.birth.month, person.birth.day)
            if key == "birth" and person.female:
                column += 1
            cell = sheet.cell(row, column, value)
            cell.font = _FONT
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy"
            elif key in ("birth", "national_id", "party_join"):
                cell.number_format = "@"
        for column in range(1, last + 1):
            sheet.cell(row, column).border = _THIN
        row += 1
    return row


def _write_footer(sheet: Worksheet, file: AgencyFile, row: int, columns: dict[str, int], last: int) -> None:
    """The total row (a number, never a formula) and the signature block that ends the table."""
    _put(sheet, row, columns["name"], file.total_label, _BOLD)
    _put(sheet, row, columns["ethnicity"], len(file.people), _BOLD)
    for column in range(1, last + 1):
        sheet.cell(row, column).border = _THIN
    right = last - 7
    _put(sheet, row + 2, right, "Tân Uyên, ngày 06 tháng 01 năm 2025", _ITALIC, last)
    _put(sheet, row + 3, columns["name"], "NGƯỜI LẬP BIỂU", _BOLD)
    _put(sheet, row + 3, right, "THỦ TRƯỞNG ĐƠN VỊ", _BOLD, last)
    _put(sheet, row + 4, columns["name"], "(Ký, ghi rõ họ tên)", _ITALIC)
    _put(sheet, row + 4, right, "(Ký, ghi rõ họ tên)", _ITALIC, last)
    preparer = next(person.name for person in reversed(file.people) if not person.defect)
    _put(sheet, row + 7, columns["name"], preparer, _BOLD)
    _put(sheet, row + 7, right, file.people[0].name, _BOLD, last)
