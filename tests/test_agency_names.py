"""Recognising the agency a title block names, by phrase lookup: the same agencies a word-bounded search of every
name in the title finds, whatever the size of the catalogue."""

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from schemas.reading.text import fold
from schemas.rules.agencies import agency_names

WORDS = st.sampled_from(["UBND", "xã", "Phòng", "Nội vụ", "Tân", "Uyên", "Trường", "THCS"])
PHRASES = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


@given(st.lists(PHRASES, min_size=1, max_size=6, unique=True), st.lists(WORDS, max_size=12).map(" ".join))
def test_the_agencies_named_are_those_a_search_of_every_name_finds(names, title):
    catalogue = pl.DataFrame(
        {"agency_code": [f"A{i}" for i in range(len(names))], "name": names, "aliases": [None] * len(names)}
    )
    padded = f" {fold(title)} "
    folded = agency_names(catalogue)
    expected = {
        (f"A{i}", name)
        for i, name in enumerate(names)
        for spelling in folded.by_spelling
        if (f"A{i}", name) in folded.by_spelling[spelling] and f" {spelling} " in padded
    }
    assert set(agency_names(catalogue).named_in(title)) == expected


def test_the_longest_name_comes_first():
    catalogue = pl.DataFrame(
        {
            "agency_code": ["UB-TU", "PNV"],
            "name": ["UBND thị xã Tân Uyên", "Phòng Nội vụ thị xã Tân Uyên"],
            "aliases": ["Tân Uyên", None],
        }
    )
    title = "UBND THỊ XÃ TÂN UYÊN — PHÒNG NỘI VỤ THỊ XÃ TÂN UYÊN"
    assert agency_names(catalogue).named_in(title)[0] == ("PNV", "Phòng Nội vụ thị xã Tân Uyên")
