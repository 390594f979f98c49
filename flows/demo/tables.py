"""The realistic mixes the demo inbox is drawn from: the article's totals, posts and sizes per agency, the share of
each qualification, grade and skill, names, and the habits of the clerks' files. Weighted tables are (value,
weight) pairs."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import NamedTuple

Deal = tuple[str, int, dict[str, float], float]  # level, leaders who get it, weight by tier, factor for heads

# The demo describes the city before the 2025 reforms, at the annual statistics date.
AS_OF = date(2024, 12, 31)
CITY_STAFF = 2886
CITY_LEADERS = 244
LEADER_BACHELORS = 10
EXTRA_AS_OF = date(2024, 11, 30)
SAVED_AT = datetime(2025, 1, 6, 8, 0, 0)
DEGREES = ("university", "master", "doctorate")

# fmt: off
# The leaders left over by a deal get the remaining level of the article (university, intermediate).
EDUCATION_DEAL: tuple[Deal, ...] = (
    ("doctorate", 1, {"city_key": 1.0}, 1.0),
    ("college", 3, {"commune": 1.0, "school": 1.0}, 0.0),
    ("intermediate", 1, {"commune": 1.0}, 0.0),
    ("master", 41, {"city_key": 8, "city_body": 3, "department": 3, "public_unit": 2, "school": 0.3,
                    "commune": 0.4}, 2),
)
THEORY_DEAL: tuple[Deal, ...] = (
    ("elementary", 1, {"school": 1.0}, 0.0),
    ("none", 1, {"school": 1.0}, 0.0),
    ("advanced", 85, {"city_key": math.inf, "city_body": 4, "department": 3, "public_unit": 1.5,
                      "school": 0.3, "commune": 2.5}, 2),
)

POSTS_BY_CODE = {  # (title, fewest, most)
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
POSTS_BY_GROUP = {
    "party": (("Trưởng ban", 1, 1), ("Phó Trưởng ban", 2, 2)),
    "government": (("Trưởng phòng", 1, 1), ("Phó Trưởng phòng", 1, 3)),
    "front": (("Chủ tịch", 1, 1), ("Phó Chủ tịch", 1, 2)),
    "public_service": (("Giám đốc", 1, 1), ("Phó Giám đốc", 2, 3)),
    "commune": (("Bí thư Đảng ủy", 1, 1), ("Phó Bí thư Đảng ủy", 1, 1), ("Chủ tịch HĐND {unit}", 1, 1),
                ("Phó Chủ tịch HĐND {unit}", 0, 1), ("Chủ tịch UBND {unit}", 1, 1),
                ("Phó Chủ tịch UBND {unit}", 1, 2)),
}
COMMUNE_CADRES = ("Chủ tịch UBMTTQ {unit}", "Chủ tịch Hội Nông dân {unit}",
                   "Chủ tịch Hội Liên hiệp Phụ nữ {unit}", "Chủ tịch Hội Cựu chiến binh {unit}",
                   "Bí thư Đoàn {unit}")
COMMUNE_CIVIL_SERVANTS = ("Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch",
                           "Công chức Địa chính - Xây dựng", "Công chức Tài chính - Kế toán",
                           "Công chức Văn hóa - Xã hội")
SIZES = {"TU-TT": (0, 0), "UB-LD": (0, 0), "TU-VP": (14, 20), "TU-TTCT": (6, 9), "UB-VP": (24, 32),
          "UB-TNMT": (18, 25), "SN-TTYT": (205, 225), "party": (9, 16), "government": (10, 20),
          "front": (5, 10), "public_service": (20, 35)}  # (0, 0): the agency lists only its leaders


class SchoolBlock(NamedTuple):
    schools: int
    share: float
    female: float
    leader_female: float
    grades: tuple[tuple[str, str], tuple[str, str]]


SCHOOL_BLOCKS = {
    "SN-MN": SchoolBlock(12, 0.28, 0.90, 0.85, (("Giáo viên mầm non hạng III", "V.07.02.26"),
                                                  ("Giáo viên mầm non hạng II", "V.07.02.25"))),
    "SN-TH": SchoolBlock(14, 0.42, 0.52, 0.45, (("Giáo viên tiểu học hạng III", "V.07.03.29"),
                                                  ("Giáo viên tiểu học hạng II", "V.07.03.28"))),
    "SN-THCS": SchoolBlock(8, 0.30, 0.45, 0.40, (("Giáo viên trung học cơ sở hạng III", "V.07.04.32"),
                                                  ("Giáo viên trung học cơ sở hạng II", "V.07.04.31"))),
}
STAFF_MIX = {
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
POSITION_KIND = {"Cán sự": "clerk", "Nhân viên": "clerk", "Văn thư": "clerk", "Thủ quỹ": "clerk",
                  "Kế toán": "accountant", "Lái xe": "support", "Bảo vệ": "support", "Phục vụ": "support",
                  "Giáo viên": "teacher", "Tổ trưởng chuyên môn": "teacher", "Tổ phó": "teacher",
                  "Bác sĩ": "doctor", "Trưởng khoa": "doctor", "Điều dưỡng": "nurse"}
EDUCATION_MIX = {
    "office": (("university", 80), ("master", 8), ("college", 7), ("intermediate", 5)),
    "clerk": (("university", 40), ("college", 30), ("intermediate", 30)),
    "accountant": (("university", 70), ("college", 20), ("intermediate", 10)),
    "support": (("intermediate", 30), ("elementary", 30), ("none", 40)),
    "teacher": (("university", 74), ("college", 23), ("master", 3)),
    "doctor": (("university", 62), ("master", 33), ("doctorate", 5)),
    "nurse": (("university", 30), ("college", 50), ("intermediate", 20)),
}
EDUCATION_SPELLINGS = {
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
THEORY_SPELLINGS = {
    "bachelor": ("Cử nhân chính trị", "Cử nhân LLCT"),
    "advanced": ("Cao cấp", "Cao cấp LLCT", "Cao cấp chính trị"),
    "intermediate": ("Trung cấp", "Trung cấp LLCT", "Trung cấp chính trị"),
    "elementary": ("Sơ cấp", "Sơ cấp LLCT"),
    "none": ("Chưa qua đào tạo",),
}
THEORY_MIX = {True: (("elementary", 60), ("intermediate", 35), ("advanced", 5)),
               False: (("none", 80), ("elementary", 20))}
PARTY_SHARE = {"party": 0.95, "government": 0.6, "front": 0.75, "public_service": 0.35, "commune": 0.7}
GRADES = {"cvc": ("Chuyên viên chính", "01.002"), "cv": ("Chuyên viên", "01.003"),
           "cs": ("Cán sự", "01.004"), "nv": ("Nhân viên", "01.005"), "ktv": ("Kế toán viên", "06.031"),
           "kttc": ("Kế toán viên trung cấp", "06.032"),
           "bs": ("Bác sĩ", "V.08.01.03"), "bsc": ("Bác sĩ chính", "V.08.01.02"),
           "dd3": ("Điều dưỡng hạng III", "V.08.05.12"), "dd4": ("Điều dưỡng hạng IV", "V.08.05.13")}
SKILLS = {  # (IT, foreign language) by who holds them
    "leader": ((("Ứng dụng CNTT cơ bản", 70), ("Ứng dụng CNTT nâng cao", 20), ("Chứng chỉ B", 10)),
               (("Tiếng Anh B1", 45), ("Anh văn B", 25), ("Tiếng Anh B2", 20), ("Anh văn C", 10))),
    "support": ((("Không", 55), ("Chứng chỉ A", 45)), (("Không", 70), ("Anh văn A", 30))),
    "staff": ((("Ứng dụng CNTT cơ bản", 55), ("Ứng dụng CNTT nâng cao", 12), ("Chứng chỉ B", 20),
               ("Tin học văn phòng B", 8), ("Chứng chỉ A", 5)),
              (("Tiếng Anh B1", 35), ("Anh văn B", 28), ("Tiếng Anh B2", 10), ("Tiếng Anh A2", 17),
               ("Anh văn C", 10))),
}
RATINGS = {"excellent": ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV"),
            "good": ("Hoàn thành tốt nhiệm vụ", "HTTNV"), "completed": ("Hoàn thành nhiệm vụ", "HTNV")}
REMARKS = ("Tuyển dụng năm 2023", "Bổ nhiệm lại năm 2024", "Đã nộp bản sao văn bằng")
CATEGORY_LABEL = {"civil_servant": "Công chức", "public_employee": "Viên chức"}
STATE_MANAGEMENT = {"civil": (("Chuyên viên", 50), ("QLNN CV", 5), ("Chuyên viên chính", 8),
                               ("Chưa qua bồi dưỡng", 37)),
                     "other": (("Chưa qua bồi dưỡng", 80), ("Chuyên viên", 20))}
TIER_BY_GROUP = {"party": "city_body", "front": "city_body", "government": "department",
                  "public_service": "public_unit", "commune": "commune"}

SURNAMES = (("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 5), ("Phan", 4),
             ("Trương", 3), ("Bùi", 3), ("Đặng", 3), ("Đỗ", 3), ("Hồ", 3), ("Ngô", 2), ("Dương", 2),
             ("Lâm", 2), ("Hoàng", 2), ("Vũ", 2), ("Đinh", 1), ("Mai", 1), ("Tô", 1), ("Cao", 1), ("Châu", 1),
             ("Lý", 1), ("Thái", 1))
MINORITY_SURNAMES = {"Hoa": "Lý Quách Trương Tăng Lâm", "Khmer": "Thạch Sơn Danh Kim"}  # space-separated
MIDDLE = {False: "Văn Văn Hữu Minh Đức Quốc Thanh Công Ngọc Hoàng Tấn Thành Trọng",
           True: "Thị Thị Thị Ngọc Thanh Thu Kim Hồng Mỹ Thùy Phương Bích Hoài"}
GIVEN = {False: "Hùng Dũng Tuấn Minh Long Phong Hải Nam Sơn Thắng Trung Khoa Bình Tài Lộc Phúc Hiếu "
                 "Nghĩa Tâm Quang Vinh Cường Đạt Hậu Toàn Thịnh Khánh Huy Tú Bảo",
          True: "Lan Hoa Hương Mai Linh Trang Thảo Ngân Hằng Nhung Yến Trinh Vy Ngọc Hạnh Thủy Dung Loan "
                "Phượng Uyên Quyên Tuyết Diễm Hiền Nhi Như Oanh Thư"}
ETHNICITIES = (("Kinh", 940), ("Hoa", 25), ("Khmer", 12), ("Tày", 8), ("Nùng", 8), ("Chăm", 4), ("Mường", 3))
RELIGIONS = (("Không", 76), ("Phật giáo", 15), ("Công giáo", 8), ("Cao Đài", 1))
ID_PROVINCES = (("074", 72), ("079", 6), ("070", 3), ("072", 3), ("075", 3), ("080", 3), ("086", 3),
                 ("038", 3), ("040", 2), ("042", 2))

FORCED_SHAPES = {"UB-TNMT": "xlsx", "P-KHANHBINH": "xlsx", "SN-TTVHTT": "xlsx", "P-TANHIEP": "xlsx",
                  "MT-HND": "csv"}
GROUP_ROW_COMMUNES = 4
CSV_FILES = 10
DEFECTS = {"UB-TNMT": ("blank-name", "digit-name", "bad-category"),
            "P-KHANHBINH": ("impossible-date", "age-15"), "SN-TTVHTT": ("short-id", "duplicate"),
            "MT-HND": ("bad-gender", "month-13")}
# The agency whose export comes from a Mac: decomposed (NFD) Vietnamese letters.
NFD_AGENCY = "MT-HLHPN"
# The commune whose clerk types in a legacy TCVN3 font.
LEGACY_FONT_AGENCY = "X-BACHDANG"
UNREADABLE = ("P-TANHIEP", "danh_sach_bo_sung.xlsx")
STALE_DEFECTS = ("", "name", "30/02", "", "name", "31/04")
UNKNOWN_AGENCY = ("UB-DANTOC", "Phòng Dân tộc", "PHÒNG DÂN TỘC THÀNH PHỐ TÂN UYÊN")
FILE_NAMES = ("DS_CBCCVC_{camel}_31122024", "danh sach can bo 2024", "{code}_DanhSach_T12_2024",
               "BM03_{camel}", "Danh sach CBCCVC {spaced} nam 2024", "ds_{snake}_31_12_2024")

TEMPLATE = (  # (key, header, column width)
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
WRAPPED = {"national_id": "Số định danh cá\nnhân (CCCD)", "position": "Chức vụ hoặc chức\ndanh công tác",
            "education": "Trình độ chuyên\nmôn cao nhất", "rating": "Xếp loại chất lượng\nnăm 2024"}
CSV_HEADERS = (
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
