"""A sheet's real extent is counted from its cells while the sheet streams out of the zip, before a reader
allocates the area they span: the area a sheet declares can be a lie. Each workbook is written here by code."""

import pytest

from conftest import list_with_cells
from schemas.reading.limits import OverLimit, ReadLimits, check_archive


def test_cells_each_near_a1_that_span_a_huge_area_together_are_refused_before_reading(tmp_path):
    """Neither ZZ9999 nor Z99999 is far from A1 on its own, but together they span seventy million cells, which a
    reader would allocate before anything counted them; the sheet declares A1:D3."""
    path = list_with_cells(tmp_path / "gan.xlsx", 4, 3, (9998, 701), (99998, 25))

    with pytest.raises(OverLimit) as refused:
        check_archive(path, ReadLimits())

    assert (refused.value.code, refused.value.params["area"]) == ("file-too-many-cells", "A1:ZZ99999")


def test_a_wide_list_of_few_rows_is_read(tmp_path):
    """A hundred and twenty columns make every cell past CV far from A1: looked at, and found small."""
    check_archive(list_with_cells(tmp_path / "rong.xlsx", 120, 50), ReadLimits())
