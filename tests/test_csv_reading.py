"""CSV lists are read by polars; whatever it reads must be what Python's csv module reads, cell for cell, and what
polars refuses the csv module still reads."""

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.reading.decoding import decode
from schemas.reading.limits import OverLimit, ReadLimits
from schemas.reading.reader import read_sheets
from schemas.reading.text import clean

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


def test_a_row_wider_than_the_first_thousand_widens_the_grid(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text("a,b\n" * 1_200 + "c,d,e\n", encoding="utf-8")
    grid = grid_of(path)
    assert (len(grid), grid[0], grid[-1]) == (1_201, ["a", "b", None], ["c", "d", "e"])


def test_line_breaks_inside_cells_are_not_rows_against_the_cell_limit(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text("Họ và tên,Ghi chú\n" + 'Lê Thị Hoa,"dòng 1\ndòng 2\ndòng 3"\n' * 10, encoding="utf-8")
    sheets, _ = read_sheets(path, ReadLimits(max_cells=22))
    assert sheets[0].cells.shape == (11, 2)
    with pytest.raises(OverLimit):
        read_sheets(path, ReadLimits(max_cells=21))


def test_a_list_below_a_thousand_blank_lines_is_read(tmp_path):
    path = tmp_path / "danh_sach.csv"
    path.write_text("\n" * 1_200 + "Họ và tên,Giới tính\nLê Thị Hoa,Nữ\n", encoding="utf-8")
    assert grid_of(path)[-2:] == [["Họ và tên", "Giới tính"], ["Lê Thị Hoa", "Nữ"]]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from(list("aĐưễ,\r")), max_size=40), min_size=1, max_size=60),
    st.integers(min_value=0, max_value=(1 << 16) - 1),
    st.integers(min_value=1, max_value=80),
)
def test_the_first_lines_of_a_text_are_decoded_from_a_prefix_as_from_the_whole(lines, padding, count):
    """A prefix of the bytes may end inside a character, or inside a line: the lines are still the text's own."""
    text = "x" * padding + "\n".join(lines) + "\n"
    assert decode(text.encode()).first_lines(count) == text.splitlines(keepends=True)[:count]
