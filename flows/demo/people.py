"""Who the demo's lists are about: the sending agencies, the people (drawn from one random source, with IDs that
never repeat) and each agency's file as its clerk would lay it out."""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import TypeVar

from flows.demo.tables import AS_OF, ETHNICITIES, GIVEN, ID_PROVINCES, MIDDLE, MINORITY_SURNAMES, RELIGIONS, SURNAMES

T = TypeVar("T")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    group: str
    default_category: str
    quota: int
    aliases: tuple[str, ...]

    @property
    def unit(self) -> str:
        return "xã" if self.name.startswith("Xã") else "phường"


@dataclass(eq=False)
class Person:
    name: str
    female: bool
    birth: date
    national_id: str
    ethnicity: str
    religion: str
    position: str
    category: str
    tier: str  # the leader's level for the article's figures; blank for everyone else
    education_level: str = ""
    theory_level: str = ""
    education: str = ""
    theory: str = ""
    grade: tuple[str, str] = ("", "")
    state_management: str = ""
    it: str = ""
    language: str = ""
    party_join: date | None = None
    planned_title: str = ""
    rating: str = ""
    remark: str = ""
    birth_text: str = ""
    gender_text: str = ""
    defect: str = ""  # what is deliberately wrong with this row; blank for a valid row

    @property
    def age(self) -> int:
        return AS_OF.year - self.birth.year


@dataclass
class AgencyFile:
    agency: Agency
    name: str
    shape: str  # "xlsx", "xlsx-groups" (group rows instead of a category column) or "csv"
    people: list[Person]
    title: str
    as_of: date
    long_as_of: bool
    text_dates: bool
    wrapped: bool
    total_label: str
    split_groups: bool
    bom: bool
    csv_headers: tuple[str, ...]


@dataclass
class Draw:
    """The one random source and the IDs already issued, shared by every person of the inbox."""

    rng: Random
    ids: set[str] = field(default_factory=set)

    def person(self, female: bool, age: int, position: str, category: str, tier: str) -> Person:
        """A person with identity fields, never past retirement age at the as-of date."""
        year = AS_OF.year - min(age, 54 if female else 59)
        birth = date(year, 1, 1) + timedelta(days=self.rng.randrange(366 if calendar.isleap(year) else 365))
        ethnicity = pick(self.rng, ETHNICITIES)
        return Person(
            self._name(female, ethnicity),
            female,
            birth,
            self._national_id(female, year),
            ethnicity,
            pick(self.rng, RELIGIONS),
            position,
            category,
            tier,
        )

    def _name(self, female: bool, ethnicity: str) -> str:
        surnames = MINORITY_SURNAMES.get(ethnicity)
        surname = self.rng.choice(surnames.split()) if surnames else pick(self.rng, SURNAMES)
        middles = self.rng.sample(MIDDLE[female].split(), 2 if self.rng.random() < 0.15 else 1)
        return " ".join([surname, *dict.fromkeys(middles), self.rng.choice(GIVEN[female].split())])

    def _national_id(self, female: bool, year: int) -> str:
        while True:
            century = 0 if year < 2000 else 2
            province = pick(self.rng, ID_PROVINCES)
            number = f"{province}{century + female}{year % 100:02d}{self.rng.randrange(10**6):06d}"
            if number not in self.ids:
                self.ids.add(number)
                return number


def read_agencies(path: Path) -> list[Agency]:
    """The agencies that send lists: every catalogue row except the parent-only ones."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["expected_cadence"] != "none"]
    return [
        Agency(
            row["agency_code"],
            row["name"],
            row["agency_group"],
            row["default_staff_category"],
            int(row["staff_quota"] or 0),
            tuple(a for a in row["aliases"].split(";") if a),
        )
        for row in rows
    ]


def pick(rng: Random, options: tuple[tuple[T, float], ...]) -> T:
    """One value of a (value, weight) table: every realistic mix in this module is such a table."""
    return rng.choices([value for value, _ in options], [weight for _, weight in options])[0]
