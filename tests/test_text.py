import unicodedata

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from schemas.reading.text import clean, clean_column, fold, fold_column, fold_expr

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
vietnamese = st.text(alphabet=LETTERS + " ĐÐ\u00a0\u200b,.-'", max_size=40)


def test_clean_makes_stored_text():
    assert clean("  Ðặng\u00a0 Văn\u200b  Hùng ") == "Đặng Văn Hùng"
    assert clean(unicodedata.normalize("NFD", "Nguyễn Thị Huệ")) == "Nguyễn Thị Huệ"
    assert clean("   ") is None


def test_fold_absorbs_case_marks_and_tone_placement():
    assert fold("Ngày, tháng, năm sinh") == "ngay thang nam sinh"
    assert fold("Hoà") == fold("Hòa") == "hoa"
    assert fold("THỦY") == fold("thuỷ")
    assert fold("Cao cấp LLCT - Hành chính") == "cao cap llct hanh chinh"


@given(vietnamese)
def test_normalising_twice_changes_nothing(text):
    assert clean(clean(text)) == clean(text)
    assert fold(fold(text)) == fold(text)


@given(st.lists(vietnamese, min_size=1, max_size=5))
def test_vectorised_fold_equals_fold(texts):
    folded = pl.DataFrame({"t": texts}).select(fold_expr(pl.col("t"))).to_series().to_list()
    assert folded == [fold(text) for text in texts]


@given(st.lists(st.one_of(st.none(), vietnamese), min_size=1, max_size=30), st.sampled_from([0.0, 1.0]))
def test_cleaning_a_column_either_way_equals_clean(texts, distinct_share):
    """Lists repeat themselves: the repeats (drawn below) must map back to the right cleaned value, whether the
    column is cleaned once per distinct value or cell by cell."""
    column = texts + texts[::2]
    frame = pl.DataFrame({"t": column}, schema={"t": pl.String})
    cleaned = frame.select(clean_column("t", distinct_share)).to_series().to_list()
    assert cleaned == [clean(text) for text in column]


@given(st.lists(st.one_of(st.none(), vietnamese), min_size=1, max_size=30), st.sampled_from([0.0, 1.0]))
def test_folding_a_column_either_way_equals_fold(texts, distinct_share):
    column = texts + texts[::2]
    frame = pl.DataFrame({"t": column}, schema={"t": pl.String})
    folded = frame.select(fold_column("t", distinct_share)).to_series().to_list()
    assert folded == [None if text is None else fold(text) for text in column]
