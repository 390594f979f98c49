"""What may go to a shared channel: a check's message without the person's birth date or ID, everything else as
written (as-of dates, examples, file names)."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.delivery.masking import PERSONAL_FIELDS, scrub_free_text, shareable_message
from schemas.checks import check_definition, checks
from schemas.judging.row_checks import row_checks
from schemas.policy import Policy


def message(code: str, **params) -> str:
    return check_definition(code).render(params)[0]


def test_a_birth_date_is_hidden_and_the_example_kept():
    assert shareable_message("birth-date-invalid", message("birth-date-invalid", value="30/02/1970")) == (
        'Ngày sinh "…" không đúng định dạng; ghi ngày/tháng/năm (ví dụ 15/08/1985) hoặc chỉ năm sinh (1985).'
    )


def test_an_id_and_its_corrected_form_are_hidden():
    written = message("national-id-zero-restored", value="74086000456", fixed="074086000456")
    assert shareable_message("national-id-zero-restored", written) == (
        'Số định danh "…" bị mất số 0 ở đầu; đã sửa thành "…". Hãy định dạng cột này là Văn bản (Text).'
    )


def test_dates_that_give_a_birth_date_away_are_hidden_and_other_dates_kept():
    hired = message("hire-before-18", value="01/09/2001", date18="15/08/2003")
    assert shareable_message("hire-before-18", hired) == (
        "Ngày tuyển dụng 01/09/2001 khi chưa đủ 18 tuổi (đủ 18 tuổi vào …)."
    )
    stale = message("file-as-of-stale", value="31/12/2024", days=70)
    assert shareable_message("file-as-of-stale", stale) == stale


def test_the_field_decides_for_a_check_on_several_fields():
    hire = message("date-two-digit-year", field_vi="Ngày tuyển dụng", value="1/9/01", date="01/09/2001")
    birth = message("date-two-digit-year", field_vi="Ngày sinh", value="15/8/85", date="15/08/1985")
    assert shareable_message("date-two-digit-year", hire, field="hire_date") == hire
    assert shareable_message("date-two-digit-year", birth, field="birth_date") == (
        'Ngày sinh "…" chỉ ghi 2 số của năm; hệ thống hiểu là …. Hãy ghi đủ 4 số.'
    )
    # Without the field, every field the check may blame is assumed: a birth date among them.
    assert "15/08/1985" not in shareable_message("date-two-digit-year", birth)


def test_a_message_worded_otherwise_is_replaced_by_its_template_with_every_value_hidden():
    assert shareable_message("birth-date-invalid", "Ngày sinh 30/02/1970 sai") == shareable_message(
        "birth-date-invalid", message("birth-date-invalid", value="x")
    )


def personal_checks() -> list[str]:
    return sorted({c.code for c in row_checks(Policy(), ()) if c.field in PERSONAL_FIELDS})


@pytest.mark.parametrize("code", personal_checks())
@given(
    value=st.one_of(
        st.from_regex(r"\A0[0-9]{11}\Z"),
        st.builds("{:02d}/{:02d}/{}".format, st.integers(1, 31), st.integers(1, 12), st.integers(1900, 2010)),
    )
)
def test_no_check_on_a_birth_date_or_id_lets_the_cell_through(code, value):
    names = {name for _, name, _, _ in string.Formatter().parse(check_definition(code).message_vi) if name}
    written = message(code, **{name: value if name in ("value", "fixed", "birth", "date18") else "x" for name in names})
    assert value not in shareable_message(code, written)


def test_file_level_messages_go_out_as_written():
    file_level = [code for code, definition in checks().items() if definition.scope == "file"]
    assert file_level
    for code in file_level:
        written = message(
            code, value="31/12/2024", as_of="31/12/2024", agency="UB-NV", reason="x", sheet="DS 3112 2024"
        )
        assert shareable_message(code, written) == written


def test_free_text_loses_id_shaped_numbers_and_quoted_dates_only():
    text = (
        "cannot parse '30/02/1970' (ID 074 086 000 456, CMND 241.234.567) in "
        "inbox/UB-NV/DS 31.12.2024 3112 2024.xlsx; 2.886 people, phone 0912345678"
    )
    assert scrub_free_text(text) == (
        "cannot parse '…' (ID …, CMND …) in inbox/UB-NV/DS 31.12.2024 3112 2024.xlsx; 2.886 people, phone 0912345678"
    )


@given(st.sampled_from([9, 12]), st.sampled_from(["", " ", ".", "-"]), st.data())
def test_no_id_shaped_number_survives_in_free_text(length, separator, data):
    digits = data.draw(st.from_regex(rf"\A[0-9]{{{length}}}\Z"))
    grouped = separator.join(digits[i : i + 3] for i in range(0, length, 3))
    assert grouped not in scrub_free_text(f"số {grouped}, hết")


@given(st.sampled_from([8, 10, 11, 13]))
def test_numbers_of_other_lengths_are_left_alone(length):
    number = "1" * length
    assert scrub_free_text(f"tệp {number}.xlsx") == f"tệp {number}.xlsx"
