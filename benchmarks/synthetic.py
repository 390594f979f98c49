"""Synthetic staff lists at any scale, in the shapes of the staff-list spec, deterministic by seed.

Every file has a title block with "Tính đến ngày"; workbooks (most files) have a two-row merged header, CSV files
a flat one. About 2 % of rows are bad in one of the ways clerks get them wrong (a name with a digit, an impossible
birth date, an ID too short, a gender that is neither), so every path of the checks runs. The same rows can be
written as one plain CSV (`write_flat_csv`) for the baselines, which read exactly what staffq reads.

    uv run --group bench python -m benchmarks.synthetic --rows 100000 --files 100 --out /tmp/inbox
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

AS_OF = dt.date(2024, 12, 31)
BAD_SHARE = 0.02
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quốc", "Thu", "Hoài"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Lan", "Linh", "Mai", "Phúc"]
POSITIONS = ["Chuyên viên"] * 12 + ["Phó Trưởng phòng", "Trưởng phòng", "Kế toán", "Giáo viên", "Nhân viên"]
CATEGORIES = ["Công chức", "Viên chức", "Viên chức", "Hợp đồng lao động"]
EDUCATION = ["Đại học"] * 6 + ["Thạc sĩ", "Cao đẳng", "Trung cấp", "Tiến sĩ"]
THEORY = ["Sơ cấp", "Trung cấp", "Trung cấp", "Cao cấp", "Chưa qua đào tạo"]
STATE_MANAGEMENT = ["Chuyên viên", "Chuyên viên chính", "", ""]
IT = ["Ứng dụng CNTT cơ bản", "Ứng dụng CNTT nâng cao", "Chứng chỉ B", "Không"]
LANGUAGE = ["Tiếng Anh B1", "Tiếng Anh B", "Tiếng Anh A2", "Không"]
ETHNICITY = ["Kinh"] * 9 + ["Khmer"]
RELIGION = ["Không"] * 8 + ["Phật giáo", "Công giáo"]
GRADES = [("01.003", "Chuyên viên"), ("01.002", "Chuyên viên chính"), ("V.07.03.29", "Giáo viên tiểu học hạng III")]
RATINGS = ["Hoàn thành tốt nhiệm vụ"] * 6 + ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành nhiệm vụ"]
# The 25 columns, in the order a clerk's sheet has them; (group, header) for the workbook's two header rows.
COLUMNS = [
    ("", "STT"),
    ("", "Họ và tên"),
    ("", "Ngày sinh"),
    ("", "Giới tính"),
    ("", "Số CCCD"),
    ("", "Dân tộc"),
    ("", "Tôn giáo"),
    ("", "Chức vụ"),
    ("", "Đối tượng"),
    ("", "Ngạch"),
    ("", "Mã ngạch"),
    ("", "Bậc lương"),
    ("", "Hệ số lương"),
    ("", "Ngày tuyển dụng"),
    ("Trình độ", "Trình độ chuyên môn"),
    ("Trình độ", "Lý luận chính trị"),
    ("Trình độ", "Quản lý nhà nước"),
    ("Trình độ", "Tin học"),
    ("Trình độ", "Ngoại ngữ"),
    ("Đảng", "Đảng viên"),
    ("Đảng", "Ngày vào Đảng"),
    ("", "Quy hoạch"),
    ("", "Chức danh quy hoạch"),
    ("", "Xếp loại chất lượng năm 2024"),
    ("", "Ghi chú"),
]
HEADERS = [header for _, header in COLUMNS]


def rows(count: int, seed: int, first_serial: int = 0) -> pl.DataFrame:
    """`count` people as text cells, the same for the same seed; IDs are unique from `first_serial` on."""
    rng = np.random.default_rng(seed)

    def pick(values: list[str]) -> np.ndarray:
        return np.array(values, dtype=object)[rng.integers(0, len(values), count)]

    female = rng.random(count) < 0.55
    birth = np.datetime64("1965-01-01") + rng.integers(0, 365 * 36, count).astype("timedelta64[D]")
    birth_dates = pl.Series(birth.astype("datetime64[D]")).cast(pl.Date)
    years = birth_dates.dt.year().to_numpy()
    serial = np.arange(first_serial, first_serial + count) % 1_000_000
    century = np.where(female, 1, 0) + np.where(years >= 2000, 2, 0)
    national_id = [f"074{c}{y % 100:02d}{s:06d}" for c, y, s in zip(century, years, serial, strict=True)]
    grade = rng.integers(0, len(GRADES), count)
    step = rng.integers(1, 8, count)
    coefficient = np.array([2.34, 4.40, 2.34])[grade] + (step - 1) * np.array([0.33, 0.34, 0.33])[grade]
    party = rng.random(count) < 0.6
    frame = pl.DataFrame(
        {
            "STT": [str(i + 1) for i in range(count)],
            "Họ và tên": [f"{a} {b} {c}" for a, b, c in zip(pick(FAMILY), pick(MIDDLE), pick(GIVEN), strict=True)],
            "Ngày sinh": birth_dates.dt.strftime("%d/%m/%Y"),
            "Giới tính": np.where(female, "Nữ", "Nam"),
            "Số CCCD": national_id,
            "Dân tộc": pick(ETHNICITY),
            "Tôn giáo": pick(RELIGION),
            "Chức vụ": pick(POSITIONS),
            "Đối tượng": pick(CATEGORIES),
            "Ngạch": np.array([name for _, name in GRADES], dtype=object)[grade],
            "Mã ngạch": np.array([code for code, _ in GRADES], dtype=object)[grade],
            "Bậc lương": step.astype(str),
            "Hệ số lương": [f"{c:.2f}".replace(".", ",") for c in coefficient],
            "Ngày tuyển dụng": birth_dates.dt.offset_by("23y").dt.strftime("%d/%m/%Y"),
            "Trình độ chuyên môn": pick(EDUCATION),
            "Lý luận chính trị": pick(THEORY),
            "Quản lý nhà nước": pick(STATE_MANAGEMENT),
            "Tin học": pick(IT),
            "Ngoại ngữ": pick(LANGUAGE),
            "Đảng viên": np.where(party, "x", "Không"),
            "Ngày vào Đảng": np.where(party, birth_dates.dt.offset_by("27y").dt.strftime("%d/%m/%Y").to_numpy(), ""),
            "Quy hoạch": np.where(rng.random(count) < 0.1, "x", ""),
            "Chức danh quy hoạch": "",
            "Xếp loại chất lượng năm 2024": pick(RATINGS),
            "Ghi chú": "",
        }
    )
    frame = frame.with_columns(
        pl.when(pl.col("Quy hoạch") == "x")
        .then(pl.lit("Phó Trưởng phòng"))
        .otherwise(pl.lit(""))
        .alias("Chức danh quy hoạch")
    )
    return _spoil(frame, rng)


def _spoil(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """About 2 % of rows get one of four mistakes."""
    kind = np.where(rng.random(frame.height) < BAD_SHARE, rng.integers(1, 5, frame.height), 0)
    kind = pl.Series("kind", kind)
    return frame.with_columns(
        pl.when(kind == 1).then(pl.col("Họ và tên") + " 2").otherwise(pl.col("Họ và tên")).alias("Họ và tên"),
        pl.when(kind == 2).then(pl.lit("31/02/1990")).otherwise(pl.col("Ngày sinh")).alias("Ngày sinh"),
        pl.when(kind == 3).then(pl.col("Số CCCD").str.slice(0, 8)).otherwise(pl.col("Số CCCD")).alias("Số CCCD"),
        pl.when(kind == 4).then(pl.lit("Khác")).otherwise(pl.col("Giới tính")).alias("Giới tính"),
    )


def title_lines(agency_name: str) -> list[str]:
    return [agency_name.upper(), "DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC", f"Tính đến ngày {AS_OF:%d/%m/%Y}"]


def write_csv(path: Path, frame: pl.DataFrame, agency_name: str) -> None:
    """A clerk's CSV: the title block, then the header and the rows."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("\n".join(title_lines(agency_name)) + "\n")
        frame.write_csv(handle)


def write_flat_csv(path: Path, frame: pl.DataFrame) -> None:
    """The same rows as a plain CSV, header only: what the baselines load."""
    frame.write_csv(path)


def write_workbook(path: Path, frame: pl.DataFrame, agency_name: str) -> None:
    """A clerk's workbook: title block, a two-row header with merged groups, the rows, a totals row."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Danh sách")
    bold = workbook.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    for row, line in enumerate(title_lines(agency_name)):
        sheet.write_string(row, 0, line)
    top = 4
    column = 0
    while column < len(COLUMNS):
        group = COLUMNS[column][0]
        if not group:
            sheet.merge_range(top, column, top + 1, column, COLUMNS[column][1], bold)
            column += 1
            continue
        end = column
        while end + 1 < len(COLUMNS) and COLUMNS[end + 1][0] == group:
            end += 1
        sheet.merge_range(top, column, top, end, group, bold)
        for inner in range(column, end + 1):
            sheet.write_string(top + 1, inner, COLUMNS[inner][1], bold)
        column = end + 1
    for offset, values in enumerate(frame.iter_rows()):
        for index, value in enumerate(values):
            if value:
                sheet.write_string(top + 2 + offset, index, value)
    sheet.write_string(top + 2 + frame.height, 1, "Tổng cộng")
    sheet.write_number(top + 2 + frame.height, len(COLUMNS) - 1, frame.height)
    workbook.close()


def agency_catalogue(count: int) -> pl.DataFrame:
    """`count` agencies, codes A00001…, all reporting monthly."""
    codes = [f"A{i:05d}" for i in range(1, count + 1)]
    return pl.DataFrame(
        {
            "agency_code": codes,
            "name": [f"Cơ quan số {i}" for i in range(1, count + 1)],
            "agency_group": ["government"] * count,
            "parent_code": [""] * count,
            "valid_from": ["2020-01-01"] * count,
            "valid_to": [""] * count,
            "expected_cadence": ["monthly"] * count,
        }
    )


def per_file_counts(total_rows: int, files: int) -> list[int]:
    """How many rows each of `files` files of about equal size holds."""
    return [int(count) for count in np.diff(np.linspace(0, total_rows, files + 1).astype(int))]


def _inbox_frames(total_rows: int, files: int, seed: int) -> Iterator[pl.DataFrame]:
    first = 0
    for index, count in enumerate(per_file_counts(total_rows, files)):
        yield rows(count, seed + index, first)
        first += count


def inbox_rows(total_rows: int, files: int, seed: int) -> pl.DataFrame:
    """Every row `write_inbox` writes for the same arguments, as one frame: the baselines' plain CSV."""
    return pl.concat(list(_inbox_frames(total_rows, files, seed)))


def write_inbox(inbox: Path, total_rows: int, files: int, seed: int, csv_share: float = 0.2) -> pl.DataFrame:
    """`files` agency files of about equal size under `inbox/<AGENCY>/`; returns the agency catalogue.
    Every fifth file (by default) is CSV, the rest workbooks."""
    catalogue = agency_catalogue(files)
    every = max(1, round(1 / csv_share)) if csv_share else 0
    agencies = zip(catalogue["agency_code"], catalogue["name"], _inbox_frames(total_rows, files, seed), strict=True)
    for index, (code, name, frame) in enumerate(agencies):
        folder = inbox / code
        folder.mkdir(parents=True, exist_ok=True)
        if every and index % every == every - 1:
            write_csv(folder / "danh_sach.csv", frame, name)
        else:
            write_workbook(folder / "danh_sach.xlsx", frame, name)
    return catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    catalogue = write_inbox(arguments.out / "inbox", arguments.rows, arguments.files, arguments.seed)
    catalogue.write_csv(arguments.out / "agencies.csv")
    print(f"{arguments.rows} rows in {arguments.files} files under {arguments.out / 'inbox'}")


if __name__ == "__main__":
    main()
