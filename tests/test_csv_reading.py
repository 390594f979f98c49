"""CSV lists are read by polars; whatever it reads must be what Python's csv module reads, cell for cell, and what
polars refuses the csv module still reads."""

import csv

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.sheets import read_sheets
from schemas.text import clean

CELLS = st.text(alphabet=st.sampled_from(list('ab Đưễ,"\n\r0')), max_size=8)


def grid_of(path) -> list[list[str | None]]:
    sheets, _ = read_sheets(path)
    return [list(row) for row in sheets[0].cells.rows()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELLS, max_size=5), min_size=1, max_size=8).filter(lambda rows: any(rows)))
def test_cells_are_what_the_csv_module_reads(tmp_path, rows):
    path = tmp_path / "danh_sach.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with path.open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    width = max(len(row) for row in expected)
    padded = [[clean(cell) for cell in row] + [None] * (width - len(row)) for row in expected]
    assert grid_of(path) == padded


def test_a_stray_quote_is_read_as_a_character(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text('Họ và tên,Ghi chú\nNguyễn Văn "Tý,đã sửa\n', encoding="utf-8")
    assert grid_of(path) == [["Họ và tên", "Ghi chú"], ['Nguyễn Văn "Tý', "đã sửa"]]


def test_old_mac_line_ends_are_lines(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_bytes("Họ và tên,Giới tính\rLê Thị Hoa,Nữ\r".encode())
    assert grid_of(path) == [["Họ và tên", "Giới tính"], ["Lê Thị Hoa", "Nữ"]]
