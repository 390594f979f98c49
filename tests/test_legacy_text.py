"""Legacy TCVN3 and VNI text (spec §6.6): the spec's examples, every letter both ways, detection that leaves Unicode
alone, and property tests over generated Vietnamese syllables."""

import itertools
import string
import unicodedata

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from schemas.reading.cleaning import MAYBE_LEGACY, clean_sheets
from schemas.reading.legacy_text import (
    LEGACY_ENCODINGS,
    detect_legacy,
    from_tcvn3,
    from_vni,
    to_tcvn3,
    to_unicode,
    to_vni,
)
from schemas.reading.sheets import Sheet

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = [unicodedata.normalize("NFC", vowel + tone) for vowel in "aăâeêioôơuưy" for tone in TONES] + ["đ"]
LETTERS = [letter for lower in LOWER for letter in (lower, lower.upper()) if not letter.isascii()]
UNICODE_VIETNAMESE = set(LETTERS) | set(string.ascii_letters)
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"

SPELLED_INITIALS = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x"
SPELLED_RHYMES = """
a ai ao au ay an ang anh am ap at ac ach ăn ăng ăm ăp ăt ăc ân âng âm âp ât âc âu ây
e em en eng ep et ec eo ê êm ên ênh êp êt êch êu i im in inh ip it ich ia iu iêm iên iêng iêp iêt iêc iêu
o oi om on ong op ot oc oa oai oay oan oang oanh oac oach oat oăn oăng oăt oăc oe oen oet oeo
ô ôi ôm ôn ông ôp ôt ôc ơ ơi ơm ơn ơp ơt u ua ui um un ung up ut uc uân uâng uât uê uênh
uy uya uyên uyêt uynh uych uyt uyu uôi uôm uôn uông uôt uôc ư ưa ưi ưu ưng ưc ưt ươi ươu ươm ươn ương ươp ươt ươc
y yêm yên yêt yêu
"""
INITIALS = ["", *SPELLED_INITIALS.split()]
RHYMES = SPELLED_RHYMES.split()
PROPERTY = settings(max_examples=150, deadline=None)


def tone_vowel(rhyme: str) -> int:
    """Where the (modern) orthography puts the tone: the marked vowel, else by the shape of the rhyme."""
    vowels = [i for i, char in enumerate(rhyme) if char in "aăâeêioôơuưy"]
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if marked:
        return marked[-1]
    if len(vowels) == 1 or vowels[-1] < len(rhyme) - 1:
        return vowels[-1]
    if len(vowels) == 3:
        return vowels[1]
    return vowels[1] if rhyme[vowels[0] : vowels[-1] + 1] in ("oa", "oe", "uy") else vowels[0]


@st.composite
def syllables(draw: st.DrawFn) -> str:
    """One Vietnamese syllable in lower case; closed by c, ch, p or t it takes the acute or the dot tone."""
    initial = draw(st.sampled_from(INITIALS))
    rhyme = draw(st.sampled_from(RHYMES))
    assume(not (initial == "qu" and rhyme[0] in "uo") and not (initial == "gi" and rhyme[0] in "iy"))
    tone = draw(st.sampled_from(TONES[4:] if rhyme.endswith(("c", "ch", "p", "t")) else TONES))
    at = tone_vowel(rhyme) + 1
    return unicodedata.normalize("NFC", initial + rhyme[:at] + tone + rhyme[at:])


def texts(case: st.SearchStrategy, min_words: int = 1) -> st.SearchStrategy[str]:
    """Words written lower, Title or UPPER as `case` picks, joined by spaces."""
    words = st.tuples(syllables(), case).map(lambda pair: pair[1](pair[0]))
    return st.lists(words, min_size=min_words, max_size=6).map(" ".join)


ANY_CASE = st.sampled_from([str.lower, str.capitalize, str.upper])


def tcvn3_case(word: str) -> str:
    """Title case where TCVN3 has the capital (ASCII, Ă Â Ê Ô Ơ Ư Đ), lower case otherwise."""
    return word.capitalize() if word[0].isascii() or word[0].upper() in TCVN3_CAPITALS else word


TCVN3_CASE = st.sampled_from([str.lower, tcvn3_case])


def non_ascii_letters(text: str) -> int:
    """How many letters carry a diacritic or tone: the evidence detection has to work with."""
    return sum(not char.isascii() for char in text)


def looks_legacy(encoded: str) -> bool:
    """The encoded text shows a character Unicode Vietnamese never uses; otherwise it reads as Unicode and stays."""
    return any(not char.isascii() and char not in UNICODE_VIETNAMESE for char in encoded)


VNI_MARKS = {to_vni(letter)[1] for letter in LETTERS if len(to_vni(letter)) == 2}
VNI_BYTES = {char for letter in LETTERS for char in to_vni(letter)}


def vni_telltale(encoded: str) -> bool:
    """A vowel and a VNI mark byte, which TCVN3 reads as a second vowel with a misplaced tone (not "uû": "uỷ")."""
    pairs = itertools.pairwise(encoded)
    return any(base in "aeouyôöAEOUYÔÖ" and mark in VNI_MARKS and base + mark != "uû" for base, mark in pairs)


def tcvn3_telltale(encoded: str) -> bool:
    """A TCVN3 byte that VNI never uses ("¸", "µ", "ç"), so no VNI reading fits."""
    return any(not char.isascii() and char not in VNI_BYTES for char in encoded)


def test_the_spec_examples_convert_exactly():
    assert [
        to_unicode("B¶o Th¾ng"),
        to_unicode("M\u00adêng Kh\u00ad¬ng"),
        to_unicode("Mêng Kh¬ng"),  # as the spec prints it: the soft hyphens standing for "ư" are lost
        to_unicode("ViÖt Nam"),
        to_unicode("Xin chaøo caùc baïn"),
        to_unicode("Nguyeãn"),
        to_unicode("Ñoã Vaên Ñöùc"),
    ] == [
        ("Bảo Thắng", "TCVN3"),
        ("Mường Khương", "TCVN3"),
        ("Mường Khương", "TCVN3"),
        ("Việt Nam", "TCVN3"),
        ("Xin chào các bạn", "VNI"),
        ("Nguyễn", "VNI"),
        ("Đỗ Văn Đức", "VNI"),
    ]


def test_every_letter_round_trips():
    assert len(LETTERS) == 134
    assert "".join(from_vni(to_vni(letter)) for letter in LETTERS) == "".join(LETTERS)
    expressible = [letter for letter in LETTERS if letter.islower() or letter in TCVN3_CAPITALS]
    assert "".join(from_tcvn3(to_tcvn3(letter)) for letter in expressible) == "".join(expressible)
    assert "".join(from_tcvn3(to_tcvn3(letter), upper=True) for letter in LETTERS) == "".join(LETTERS).upper()


def test_capitals_tcvn3_lacks_take_the_lower_case_code():
    assert to_tcvn3("NGUYỄN VĂN ÁNH") == "NGUYÔN V¡N ¸NH"
    assert from_tcvn3("NGUYÔN V¡N ¸NH", upper=True) == "NGUYỄN VĂN ÁNH"
    assert to_unicode("NGUYÔN V¡N ¸NH") == ("NGUYễN VĂN áNH", "TCVN3")


REAL_NAMES = [
    "Nguyễn Thị Hằng",
    "Trần Văn Đức",
    "Lê Thị Thuỷ",
    "Lê Thị Thủy",
    "Phạm Quốc Quỳnh",
    "Hoàng Thị Nguyệt",
    "Đặng Hữu Khuyến",
    "Vương Thị Ước",
    "Bùi Thị Giang",
    "Sở Tài nguyên và Môi trường",
    "Uỷ ban nhân dân xã Hưng Đạo",
    "Đắk Lắk",
]


def test_real_names_both_ways():
    assert [to_vni(name) for name in REAL_NAMES[:3]] == ["Nguyeãn Thò Haèng", "Traàn Vaên Ñöùc", "Leâ Thò Thuyû"]
    assert [to_tcvn3(name) for name in REAL_NAMES[:3]] == ["NguyÔn ThÞ H»ng", "TrÇn V¨n §øc", "Lª ThÞ Thuû"]
    assert [to_unicode(to_vni(name)) for name in REAL_NAMES] == [(name, "VNI") for name in REAL_NAMES]
    assert [to_unicode(to_tcvn3(name)) for name in REAL_NAMES] == [(name, "TCVN3") for name in REAL_NAMES]
    assert [to_unicode(name) for name in REAL_NAMES] == [(name, None) for name in REAL_NAMES]


def test_unicode_ascii_and_foreign_text_is_left_alone():
    kept = ["Nguyễn Văn Ánh", "Müller", "Đặng", "Thái", "Không", "Mông", "José", "Tú Lê", "Nam", "", "12/12", "Cà Mau"]
    assert [to_unicode(text) for text in kept] == [(text, None) for text in kept]
    assert [detect_legacy(text) for text in kept] == [None] * len(kept)


def test_a_lost_soft_hyphen_is_restored_only_where_vietnamese_leaves_no_choice():
    assert [from_tcvn3(text) for text in ["Trêng", "níc", "h¬u", "T\u00adëng"]] == ["Trường", "nước", "hươu", "Tưởng"]
    # "ngêi" could be "người" with its "ư" lost, but "ngời" is Vietnamese too: it stays.
    assert from_tcvn3("ngêi") == "ngời"


def test_ambiguous_cells():
    # Both tables fit "tö mô ñi" (VNI "tư mơ đi", TCVN3 "tử mụ ủi"): the reading with fewer tones wins.
    assert to_unicode("tö mô ñi") == ("tư mơ đi", "VNI")
    # A tie goes to TCVN3: VNI "Chủ Thủ" and TCVN3 "Chuỷ Thuỷ" are the same bytes.
    assert to_unicode(to_vni("Chủ Thủ")) == ("Chuỷ Thuỷ", "TCVN3")
    # Legacy bytes that spell valid Unicode Vietnamese cannot be told from it, cell by cell.
    assert to_unicode(to_vni("Phan Thị Lan")) == ("Phan Thò Lan", None)
    assert to_unicode(to_vni("Hồng")) == ("Hoàng", None)
    assert to_unicode(to_tcvn3("Vũ")) == ("Vò", None)


@PROPERTY
@given(st.text(alphabet=st.sampled_from([*LETTERS, *string.ascii_letters, " ", "-"])))
def test_vni_round_trips_any_vietnamese_letters(text):
    assert from_vni(to_vni(text)) == text


@PROPERTY
@given(texts(TCVN3_CASE))
def test_tcvn3_round_trips_text_it_can_spell(text):
    assert from_tcvn3(to_tcvn3(text)) == text


@PROPERTY
@given(texts(ANY_CASE))
def test_tcvn3_upper_case_fonts_round_trip_in_capitals(text):
    assert from_tcvn3(to_tcvn3(text), upper=True) == text.upper()


@PROPERTY
@given(texts(ANY_CASE, min_words=3))
def test_vni_text_with_a_telltale_is_detected_and_converted(text):
    encoded = to_vni(text)
    assume(non_ascii_letters(text) >= 2 and looks_legacy(encoded) and vni_telltale(encoded))
    assert to_unicode(encoded) == (text, "VNI")


@PROPERTY
@given(texts(TCVN3_CASE, min_words=3))
def test_tcvn3_text_with_a_telltale_is_detected_and_converted(text):
    encoded = to_tcvn3(text)
    assume(non_ascii_letters(text) >= 2 and looks_legacy(encoded) and tcvn3_telltale(encoded))
    assert to_unicode(encoded) == (text, "TCVN3")


@PROPERTY
@given(st.one_of(texts(ANY_CASE), st.text(alphabet=string.printable)))
def test_unicode_and_ascii_text_is_never_converted(text):
    assert to_unicode(text) == (text, None)


def test_encoding_names():
    assert LEGACY_ENCODINGS == ("TCVN3", "VNI")


def test_each_sheet_of_a_batch_is_converted_on_its_own_cells():
    """Files are cleaned in batches: a VNI sheet's "Hoà" reads as "Hồ", the same word in a Unicode sheet beside it
    stays "Hoà"."""
    vni = Sheet(
        "vni", pl.DataFrame({"c0": [to_vni("Nguyễn Văn Ánh"), to_vni("Trần Thị Bình"), to_vni("Lê Cường"), "Hoà"]})
    )
    unicode = Sheet("unicode", pl.DataFrame({"c0": ["Hoà", "Nguyễn Văn Ánh"]}))
    batch = clean_sheets([[unicode], [vni, Sheet("trống", pl.DataFrame())], [unicode]])
    assert [
        [(sheet.cells.to_series().to_list() if sheet.cells.width else [], sheet.legacy_cells) for sheet in file]
        for file in batch
    ] == [
        [(["Hoà", "Nguyễn Văn Ánh"], {})],
        [(["Nguyễn Văn Ánh", "Trần Thị Bình", "Lê Cường", "Hồ"], {"VNI": 4}), ([], {})],
        [(["Hoà", "Nguyễn Văn Ánh"], {})],
    ]


@given(st.lists(st.text(alphabet=st.characters(max_codepoint=0x17F)), max_size=20))
def test_the_legacy_text_pattern_finds_exactly_the_cells_of_latin_1_with_a_latin_1_letter(cells):
    def maybe_legacy(cell: str) -> bool:
        return any("\u00a1" <= c <= "\u00ff" for c in cell) and all(c <= "\u00ff" for c in cell)

    found = pl.Series(cells, dtype=pl.String).str.contains(MAYBE_LEGACY).to_list()
    assert found == [maybe_legacy(cell) for cell in cells]
