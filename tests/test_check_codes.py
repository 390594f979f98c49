"""Every check code the code can emit is in the catalogue, every catalogue code has a place that emits it, and every
one is exercised by a test or a fixture: a code nobody can trigger, or one no test names, drifts unseen."""

from __future__ import annotations

import ast
import csv
import dataclasses
import datetime as dt
import re
from pathlib import Path

import openpyxl

from flows.judging_rules import JudgingRules
from flows.settings import Settings
from schemas.judging.results import stopped
from schemas.judging.validate import validate_file
from schemas.rules.agencies import read_agencies, shipped_agencies
from schemas.rules.standards import title_standards

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "schemas" / "reference" / "checks.csv"
PACKAGES = ("flows", "schemas", "warehouse")
# A string shaped like a check code ("birth-date-invalid") ...
_CODE_SHAPE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
# ... passed to a call that makes an issue, or held in a table of codes (CHECK_CODES, WORKER_LIMIT_CODES).
_EMITTER = re.compile(r"check|issue|problem|warning|date", re.IGNORECASE)
_CODE_TABLE = re.compile(r"CODES?$")
RECEIVED = dt.date(2025, 1, 15)


def catalogue_codes() -> set[str]:
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _code_strings(node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    return [
        found.value
        for found in ast.walk(node)
        if isinstance(found, ast.Constant) and isinstance(found.value, str) and _CODE_SHAPE.match(found.value)
    ]


def emitted_codes() -> dict[str, set[str]]:
    """Each code found where the code makes an issue, with the modules that make it."""
    emitted: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                found = []
                if isinstance(node, ast.Call) and _EMITTER.search(_name(node.func)):
                    found += [code for argument in node.args for code in _code_strings(argument)]
                    found += [
                        code
                        for k in node.keywords
                        if k.arg in ("code", "check_code")
                        for code in _code_strings(k.value)
                    ]
                elif isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if any(_CODE_TABLE.search(_name(target)) for target in targets):
                        found += _code_strings(node.value)
                for code in found:
                    emitted.setdefault(code, set()).add(path.relative_to(ROOT).as_posix())
    return emitted


def test_every_code_the_code_emits_is_in_the_catalogue_and_every_catalogue_code_is_emitted():
    emitted, catalogued = emitted_codes(), catalogue_codes()
    assert {code: emitted[code] for code in set(emitted) - catalogued} == {}, "add them to schemas/reference/checks.csv"
    assert catalogued - set(emitted) == set(), "catalogued, but nothing in flows/, schemas/ or warehouse/ emits them"


def test_every_catalogue_code_is_exercised_by_a_test_or_a_fixture():
    named = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (ROOT / "tests").rglob("*")
        if path.is_file() and path.suffix in {".py", ".csv", ".txt", ".json", ".md"}
    )
    assert sorted(code for code in catalogue_codes() if code not in named) == []


def judge(path: Path, settings: Settings | None = None, policy=None):
    catalogue = read_agencies(shipped_agencies("tan-uyen"))
    settings = settings or Settings(privacy={"person_key_secret": "test"})
    return validate_file(path, JudgingRules.of(settings, catalogue, policy).context("UB-NV", RECEIVED))


def codes(result) -> list[tuple[str, str | None]]:
    return [(issue["check_code"], issue["value"]) for issue in result.issues.iter_rows(named=True)]


def test_a_file_without_a_list_header_is_returned_whole(tmp_path):
    path = tmp_path / "bang_tinh.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    result = judge(path)
    assert (result.status, codes(result)) == ("rejected", [("file-no-header", None)])


def test_a_school_grade_excel_turned_into_a_date_is_read_back_and_the_clerk_told(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Đối tượng", "Giáo dục phổ thông"])
    # "12/12" typed into a General cell: Excel stores 12 December of the year it was typed.
    workbook.active.append(
        [1, "Nguyễn Văn An", "15/08/1985", "Nam", "074085000123", "Công chức", dt.datetime(2024, 12, 12)]
    )
    path = tmp_path / "ds.xlsx"
    workbook.save(path)
    result = judge(path)
    assert ("excel-date-coercion", "12/12/2024") in codes(result)
    assert result.staff["general_schooling"].to_list() == ["12/12"]


def test_a_leader_below_the_posts_standard_is_told_criterion_by_criterion(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Chức vụ,Đối tượng,Trình độ chuyên môn,Lý luận chính trị,"
        "Quản lý nhà nước,Tin học,Trình độ ngoại ngữ,Đánh giá xếp loại năm 2023\n"
        "1,Nguyễn Văn An,15/08/1985,Nam,074085000123,Trưởng phòng,Công chức,Trung cấp,Cao cấp,"
        "Chưa qua đào tạo,Không,A2,Hoàn thành tốt nhiệm vụ\n",
        encoding="utf-8",
    )
    # The shipped standards ask no foreign language of any post; a province that does says so in its table.
    standards = tuple(
        dataclasses.replace(s, minimums=(*s.minimums, ("foreign_language", "b1"))) for s in title_standards()
    )
    policy = dataclasses.replace(Settings().policy(), title_standards=standards)
    result = judge(path, policy=policy)
    assert [code for code, _ in codes(result) if code.startswith("leader-")] == [
        "leader-education-below-standard",
        "leader-state-management-below-standard",
        "leader-it-below-standard",
        "leader-language-below-standard",
    ]
    # The list reports the ratings of 2024 (as of 31/12/2024): a column of 2023's is told, on this one row.
    assert ("evaluation-year-mismatch", "Hoàn thành tốt nhiệm vụ") in codes(result)


def test_a_file_stopped_at_the_time_limit_is_returned_with_the_limit_named():
    result = stopped(dt.date(2024, 12, 31), "time", 180, 3072)
    assert (result.status, codes(result)) == ("rejected", [("file-time-limit", None)])
    assert "180 giây" in result.issues["message_vi"][0]
