import pytest

from schemas.rules.vocabulary import Resolution, resolve


@pytest.mark.parametrize(
    ("field", "written", "code"),
    [
        ("education_level", "Thạc sĩ", "master"),
        ("education_level", "ThS", "master"),
        ("education_level", "Thạc sĩ Quản lý công", "master"),
        ("education_level", "Cử nhân Luật", "university"),
        ("education_level", "Kỹ sư xây dựng", "university"),
        ("education_level", "ĐH", "university"),
        ("education_level", "Tiến sỹ", "doctorate"),
        ("education_level", "CĐSP", "college"),
        ("education_level", "Bác sĩ CKII", "doctorate"),
        ("political_theory", "Cao cấp LLCT", "advanced"),
        ("political_theory", "Cử nhân chính trị", "bachelor"),
        ("political_theory", "Cử nhân", "bachelor"),
        ("political_theory", "TC", "intermediate"),
        ("political_theory", "Trung cấp LLCT - hành chính", "intermediate"),
        ("evaluation_rating", "Không hoàn thành nhiệm vụ", "not_completed"),
        ("evaluation_rating", "Hoàn thành tốt nhiệm vụ", "good"),
        ("evaluation_rating", "HTXSNV", "excellent"),
        ("staff_category", "Công chức", "civil_servant"),
        ("staff_category", "VC", "public_employee"),
        ("gender", "Nữ", "female"),
        ("mark", "x", "true"),
        ("mark", "Không", "false"),
    ],
)
def test_spellings_map_to_one_code(field, written, code):
    assert resolve(field, written) == Resolution(code, "ok")


def test_unknown_wrong_column_and_in_progress_values_say_why():
    assert resolve("education_level", "Bằng lái xe") == Resolution(None, "unknown")
    assert resolve("education_level", "Cao cấp LLCT") == Resolution(None, "wrong_column", "political_theory")
    assert resolve("political_theory", "Đang học cao cấp") == Resolution(None, "in_progress")
    assert resolve("political_theory", None) == Resolution(None, "blank")
