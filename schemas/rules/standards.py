"""Title standards (tiêu chuẩn chức danh): the minimum qualifications of each leader level and role. Every shipped
row is a default the organisation board must confirm; a workspace may replace the file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schemas.reference import reference_path

# Criterion: (field compared, Vietnamese name, English name, the vocabulary of the field).
CRITERIA = {
    "education": ("education_level", "trình độ chuyên môn", "professional education"),
    "political_theory": ("political_theory", "lý luận chính trị", "political theory"),
    "state_management": ("state_management", "quản lý nhà nước", "state management"),
    "it": ("it_level", "tin học", "IT skills"),
    "foreign_language": ("foreign_language_level", "ngoại ngữ", "foreign language"),
}
CHECK_CODES = {
    "education": "leader-education-below-standard",
    "political_theory": "leader-political-theory-below-standard",
    "state_management": "leader-state-management-below-standard",
    "it": "leader-it-below-standard",
    "foreign_language": "leader-language-below-standard",
}


@dataclass(frozen=True)
class TitleStandard:
    """Minimum codes for one (leader level, role); role `*` covers both heads and deputies; blank is unchecked."""

    leader_level: str
    leader_role: str
    minimums: tuple[tuple[str, str], ...]
    confirmed: bool


def title_standards(path: Path | None = None) -> tuple[TitleStandard, ...]:
    """The standards table, from the workspace's file or the shipped defaults."""
    source = path or reference_path("title_standards.csv")
    return _title_standards(source, source.stat().st_mtime_ns)


@cache
def _title_standards(source: Path, modified: int) -> tuple[TitleStandard, ...]:
    """Read once per version of the file: a board member's edit is seen by the next run of a long-lived server."""
    with source.open(encoding="utf-8") as handle:
        return tuple(
            TitleStandard(
                row["leader_level"],
                row["leader_role"] or "*",
                tuple((criterion, row[f"min_{criterion}"]) for criterion in CRITERIA if row[f"min_{criterion}"]),
                row["confirmed"] == "true",
            )
            for row in csv.DictReader(handle)
        )


def minimums(standards: tuple[TitleStandard, ...], criterion: str) -> dict[str, str]:
    """'level|role' → minimum code of one criterion; a `*` row fills in both roles unless a role row exists."""
    found: dict[str, str] = {}
    for standard in sorted(standards, key=lambda s: s.leader_role != "*"):
        code = dict(standard.minimums).get(criterion)
        roles = ("head", "deputy") if standard.leader_role == "*" else (standard.leader_role,)
        for role in roles:
            key = f"{standard.leader_level}|{role}"
            if code:
                found[key] = code
            else:
                found.pop(key, None)
    return found
