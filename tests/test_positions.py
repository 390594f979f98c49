import pytest

from schemas.rules.positions import classify


@pytest.mark.parametrize(
    ("position", "group", "level", "role", "leader"),
    [
        ("Trưởng phòng", "government", "department", "head", True),
        ("Phó Trưởng phòng", "government", "department", "deputy", True),
        ("Quyền Trưởng phòng", "government", "department", "head", True),
        ("Chủ tịch UBND thành phố", "government", "city_key", "head", True),
        ("Chủ tịch UBND phường", "commune", "commune_key", "head", True),
        ("Chủ tịch Hội Nông dân phường", "commune", "commune_body", "head", False),
        ("Hiệu trưởng", "public_service", "public_unit", "head", True),
        ("Chuyên viên", "government", "none", None, False),
    ],
)
def test_the_positions_catalogue_decides_who_leads(position, group, level, role, leader):
    rule = classify(position, group)
    assert (rule.leader_level, rule.leader_role, rule.is_leader) == (level, role, leader)


def test_an_unknown_position_is_not_guessed_by_the_catalogue():
    assert classify("Thủ kho", "government") is None
