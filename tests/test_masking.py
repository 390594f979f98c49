from hypothesis import given
from hypothesis import strategies as st

from flows.masking import mask_personal_data


def test_ids_keep_four_leading_and_two_trailing_digits_and_dates_their_year():
    text = 'Số CCCD "074086000456" (cũ: 074 086 000 457), sinh ngày 15/08/1986 hoặc 1-2-1990; bậc 4/9, 2.886 người'
    assert mask_personal_data(text) == (
        'Số CCCD "0740******56" (cũ: 0740******57), sinh ngày **/**/1986 hoặc **-**-1990; bậc 4/9, 2.886 người'
    )


@given(st.from_regex(r"\A[0-9]{9,12}\Z"), st.text(alphabet="ab ,:", max_size=5))
def test_no_id_survives(number, around):
    masked = mask_personal_data(f"{around}{number}{around}")
    assert number not in masked
    assert masked.count("*") == len(number) - 6
