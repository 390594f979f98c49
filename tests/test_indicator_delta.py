"""A night worked out from the last computed one counts exactly what computing it from everyone counts.

Two warehouses receive the same lists night after night; one may work each night out from the last, the other
forgets its base before every night, so computes it whole. Their indicators must be identical on every night. The
people are drawn around the edges that move a figure: birthdays and retirement dates on and next to the nights,
29 February, month ends, extensions running out, the same ID on two lists, people who do not count.
"""

import datetime as dt
import logging
import random

import pytest

from warehouse.database import MACRO_DIR, connect, migrate
from warehouse.indicator_delta import sql_breaking_the_rules
from warehouse.indicator_sql import counts_people, indicator_files
from warehouse.indicators import compute_indicators

AGENCIES = [
    # code, group, valid_to
    ("A1", "party", None),
    ("A2", "government", None),
    ("A3", "government", None),
    ("A4", None, None),
    ("A5", "government", dt.date(2024, 7, 15)),
]
EDGE_DAYS = ["02-20", "02-21", "02-28", "02-29", "03-01", "03-14", "03-15", "03-31", "06-30", "07-31", "12-31"]
RETIREMENTS = ["2024-02-29", "2024-03-31", "2025-02-28", "2025-03-31", "2026-02-28", "2029-02-28", "2019-12-31"]
KEYS = [f"k{n:02d}" for n in range(70)]  # few enough that people recur within and across lists

# (night, lists received that night: agency, list as-of date, people, status), and how the night is computed.
NIGHTS = [
    (
        "2024-02-20",
        [
            ("A1", "2024-02-01", 40, "accepted"),
            ("A2", "2024-02-01", 40, "accepted"),
            ("A5", "2024-01-31", 10, "accepted"),
        ],
        "whole",
    ),
    ("2024-02-21", [], "from base"),  # nothing new: birthdays move ages
    ("2024-03-01", [("A3", "2024-02-15", 30, "accepted")], "from base"),  # across 28/29 February
    ("2024-03-01", [("A2", "2024-02-28", 35, "accepted_with_errors")], "from base"),  # the same night again
    (
        "2024-03-31",
        [
            ("A3", "2024-03-20", 0, "accepted"),  # A3's new list counts nobody: its scope goes
            ("A4", "2024-03-10", 25, "accepted"),
            ("A1", "2024-03-30", 30, "rejected"),
            ("A2", "2024-01-15", 20, "accepted"),  # older than A2's current list: history only
        ],
        "from base",
    ),
    ("2024-03-15", [("A4", "2024-04-10", 20, "accepted")], "from base"),  # an earlier night, a list not yet current
    ("2024-04-15", [], "from base"),  # the base stayed 31/03: A4's April list becomes current
    ("2024-06-30", [], "whole"),  # more than two months after the base
    ("2024-07-31", [], "whole"),  # A5 left the catalogue on 15/07
    ("2024-08-01", [("A5", "2024-07-31", 5, "accepted")], "from base"),
    ("2025-02-27", [], "whole"),
    ("2025-03-01", [("A1", "2025-02-28", 40, "accepted")], "from base"),  # 28 February, not a leap year
]


def _people(rng: random.Random, count: int) -> list[dict]:
    people = []
    for _ in range(count):
        year = rng.randint(1962, 2002)
        day = rng.choice(EDGE_DAYS)
        if day == "02-29" and year % 4:
            year += 4 - year % 4
        birth = dt.date.fromisoformat(f"{year}-{day}") if rng.random() < 0.8 else dt.date(year, 1, 1)
        retirement = dt.date.fromisoformat(rng.choice(RETIREMENTS)) if rng.random() < 0.6 else None
        extension = dt.date.fromisoformat(f"2024-{rng.choice(EDGE_DAYS[:3] + EDGE_DAYS[4:])}")
        people.append(
            {
                "person_key": rng.choice(KEYS),
                "national_id_kind": rng.choice(["cccd", "cccd", "cccd", None]),
                "birth_date": birth,
                "gender": rng.choice(["male", "female"]),
                "is_leader": rng.random() < 0.3,
                "counts_in_headcount": rng.random() < 0.9,
                "retirement_date": retirement,
                "retirement_extension_until": extension if retirement and rng.random() < 0.3 else None,
                "evaluation_rating": rng.choice(["excellent", "good", "completed", None]),
                "in_succession_plan": rng.random() < 0.3,
                "planned_title": rng.choice(["Trưởng phòng", "Phó Trưởng phòng", None]),
            }
        )
    return people


def _receive(connection, number: int, agency: str, as_of: str, people: list[dict], status: str, night: str) -> None:
    submission = f"s{number:03d}"
    loaded = [] if status == "rejected" else people
    connection.execute(
        "insert into dq.submissions (submission_id, run_id, agency_code, file_name, file_sha256, received_at, "
        "as_of_date, status, rows_read, rows_loaded, rows_rejected, errors, warnings) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
        [submission, night, agency, f"{submission}.xlsx", submission, f"{night} 01:00", as_of, status,
         len(people), len(loaded), len(people) - len(loaded)],
    )  # fmt: skip
    for row, person in enumerate(loaded, start=1):
        columns = ", ".join(person)
        connection.execute(
            f"insert into core.staff (submission_id, agency_code, sheet, row_number, full_name, staff_category, "
            f"{columns}) values (?, ?, 'DS', ?, 'Nguyễn Văn A', 'civil_servant', {', '.join('?' * len(person))})",
            [submission, agency, row, *person.values()],
        )


def _indicators(connection) -> list[tuple]:
    return connection.execute(
        "select as_of_date, scope, scope_code, indicator_code, numerator, denominator, value "
        "from analytics.indicators order by all"
    ).fetchall()


def test_every_night_worked_out_from_the_last_equals_it_computed_whole(tmp_path, caplog):
    rng = random.Random(1)
    with connect(tmp_path / "delta.duckdb") as delta, connect(tmp_path / "whole.duckdb") as whole:
        for connection in (delta, whole):
            migrate(connection)
            for code, group, valid_to in AGENCIES:
                connection.execute(
                    "insert into core.agencies (agency_code, name, agency_group, valid_from, valid_to, "
                    "expected_cadence) values (?, ?, ?, date '2020-01-01', ?, 'monthly')",
                    [code, f"Cơ quan {code}", group, valid_to],
                )
        number = 0
        for night, lists, expected in NIGHTS:
            for agency, as_of, count, status in lists:
                number += 1
                people = _people(rng, count)
                for connection in (delta, whole):
                    _receive(connection, number, agency, as_of, people, status, night)
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="warehouse"):
                compute_indicators(delta, dt.date.fromisoformat(night))
            worked_out = any("worked out from" in message for message in caplog.messages)
            assert worked_out == (expected == "from base"), night
            whole.execute("delete from meta.indicator_base")
            compute_indicators(whole, dt.date.fromisoformat(night))
            assert _indicators(delta) == _indicators(whole), night
        # The nights were not empty: the city counted people on each, and A3's scope went when its list did.
        counted = delta.execute(
            "select count(distinct as_of_date) from analytics.indicators "
            "where scope = 'city' and indicator_code = 'staff.total' and numerator > 0"
        ).fetchall()[0][0]
        assert counted == len({night for night, _, _ in NIGHTS})
        a3 = delta.execute(
            "select as_of_date from analytics.indicators where scope_code = 'A3' and indicator_code = 'staff.total' "
            "order by all"
        ).fetchall()
        assert a3 == [(dt.date(2024, 3, 1),), (dt.date(2024, 3, 15),)]


def test_the_shipped_sql_can_be_worked_out_night_from_night():
    people = [path for path in indicator_files() if counts_people(path)]
    macros = [MACRO_DIR / "staff_as_of.sql", MACRO_DIR / "staff_in_scope.sql"]
    assert len(people) == len(indicator_files()) - 1  # all but the data-quality file
    assert sql_breaking_the_rules(people, macros) == []


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("avg(age_at_as_of)", "avg( does not add up"),
        ("count(distinct person_key)", "count(distinct does not add up"),
        ("count(*) filter (where retirement_date <= $as_of::date + interval 6 month)", "an interval not in whole"),
        ("count(*) filter (where retirement_date <= $as_of::date + interval '6 months')", "an interval not in whole"),
        ("count(*) filter (where date_diff('month', hire_date, $as_of::date) < 6)", "a date difference in month"),
        ("count(*) filter (where month($as_of::date) = 12)", "month( moves with the calendar"),
    ],
)
def test_sql_that_cannot_be_worked_out_night_from_night_is_named(tmp_path, expression, reason):
    path = tmp_path / "extra.sql"
    path.write_text(
        "-- avg( in a comment is no aggregate\n"
        f"select scope, scope_code, 'x' as indicator_code, {expression} as numerator, null as denominator, "
        f"{expression} as value from analytics.staff_in_scope($as_of) group by all",
        encoding="utf-8",
    )
    broken = sql_breaking_the_rules([path], [])
    assert broken and all(message.startswith("extra.sql: ") for message in broken)
    assert any(reason in message for message in broken), broken
    if "add up" in reason:  # a macro may aggregate as it likes: it is rerun as it is
        assert sql_breaking_the_rules([], [path]) == []
