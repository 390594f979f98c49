"""The agencies: who may send lists, in which group, with which defaults, valid when (agencies.csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from schemas.reading.text import fold
from schemas.reference import reference_path

SHIPPED_AGENCIES = {"tan-uyen": "agencies_tan_uyen.csv"}
AGENCY_CODE = r"^[A-Z0-9-]{1,16}$"
DATE_FORMAT = "%Y-%m-%d"
CADENCES = ("none", "monthly", "quarterly", "yearly")
COLUMNS = (
    "agency_code",
    "name",
    "agency_group",
    "parent_code",
    "valid_from",
    "valid_to",
    "expected_cadence",
    "staff_quota",
    "default_staff_category",
    "aliases",
)
REQUIRED = COLUMNS[:7]


class AgenciesError(Exception):
    """agencies.csv cannot be used as it is; the message says which row and what to change."""


@dataclass(frozen=True)
class Agency:
    """One agency version, as the reader needs it."""

    agency_code: str
    name: str
    agency_group: str | None
    default_staff_category: str | None


def shipped_agencies(name: str) -> Path:
    """An agencies.csv shipped with staffq (`tan-uyen`)."""
    return reference_path(SHIPPED_AGENCIES[name])


def read_agencies(path: Path) -> pl.DataFrame:
    """agencies.csv typed as core.agencies; raises AgenciesError naming every bad line and its fix."""
    rows, problems = _agency_rows(path)
    if problems:
        raise AgenciesError("\n".join(_shown(problems, str(path))))
    return rows.select(COLUMNS).with_columns(
        pl.col("valid_from").str.to_date(DATE_FORMAT, strict=False),
        pl.col("valid_to").str.to_date(DATE_FORMAT, strict=False),
        pl.col("staff_quota").cast(pl.Int32, strict=False),
    )


def agencies_problems(path: Path, shown: str | None = None) -> list[str]:
    """Everything that would stop agencies.csv from being used, one line per problem naming its line (as a text
    editor numbers them) and the fix; `shown` is how the file is named (default: its path)."""
    return _shown(_agency_rows(path)[1], shown or str(path))


# A problem: the line of the file it is on (None: the whole file) and what to do.
_Problem = tuple[int | None, str]


def _shown(problems: list[_Problem], shown: str) -> list[str]:
    return [f"{shown} line {line}: {text}" if line else f"{shown}: {text}" for line, text in problems]


def _agency_rows(path: Path) -> tuple[pl.DataFrame, list[_Problem]]:
    """The rows of agencies.csv as text with the line each starts on, and its problems in the order of the lines."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _NO_ROWS, [
            (None, "not found: create the agency catalogue there, or set [paths] agencies in staffq.toml.")
        ]
    except OSError as error:
        return _NO_ROWS, [(None, f"cannot be read ({error.strerror or error}): check its permissions.")]
    text, problems = _decoded(raw)
    records, more = _records(text)
    problems += more
    if not records:
        return _NO_ROWS, [*problems, (1, f"the file is empty: it needs the header {','.join(COLUMNS)}.")]
    (_, header), body = records[0], records[1:]
    problems += _header_problems(header)
    if len(set(header)) < len(header) or not set(REQUIRED) <= set(header):
        return _NO_ROWS, problems
    used = [i for i, name in enumerate(header) if name in COLUMNS]
    rows = []
    for line, record in body:
        if len(record) > len(header):
            problems.append(
                (
                    line,
                    f"{len(record)} fields where the header has {len(header)}: a value holding a comma must be in "
                    'double quotes ("Phòng Tài chính, Kế hoạch").',
                )
            )
        record += [""] * (len(header) - len(record))
        rows.append([line, *(record[i] or None for i in used)])
    frame = pl.DataFrame(
        rows, schema={"line": pl.Int64, **{header[i]: pl.String for i in used}}, orient="row"
    ).with_columns(pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in header)
    problems += _row_problems(frame)
    return frame, sorted(problems, key=lambda problem: problem[0] or 0)


def _decoded(raw: bytes) -> tuple[str, list[_Problem]]:
    """The file as text, decoded line by line so that the lines that are not UTF-8 can be named."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # Excel's "CSV UTF-8" starts with a byte-order mark.
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines, bad = [], []
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            column = len(line[: error.start].decode("utf-8")) + 1
            bad.append((number, line[error.start], column))
            lines.append(line.decode("utf-8", errors="replace"))
    line, byte, column = bad[0]
    others = [number for number, _, _ in bad[1:]]
    listed = ", ".join(map(str, others[:5])) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    also = f"; so {'are lines' if len(others) > 1 else 'is line'} {listed}" if others else ""
    text = (
        f"not UTF-8 (byte 0x{byte:02X} at column {column}){also}: save the file again as UTF-8 (in Excel: Save As, "
        '"CSV UTF-8 (Comma delimited)").'
    )
    return "".join(lines), [(line, text)]


def _records(text: str) -> tuple[list[tuple[int, list[str]]], list[_Problem]]:
    """The CSV records with the line each starts on; blank lines are skipped. A record running over several
    lines is a problem: no value of agencies.csv holds a line break, so it is a double quote left open, which
    would silently swallow the lines after it. Such a record is not checked further: its fields are askew."""
    records, problems = [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for record in reader:
            if reader.line_num > line:
                problems.append(
                    (
                        line,
                        f'this row runs on to line {reader.line_num}: close the double quote (") opened on it, '
                        "or remove the line break inside a value.",
                    )
                )
            elif record:
                records.append((line, record))
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append((line, f"cannot be read as CSV ({error}): retype this line."))
    return records, problems


def _header_problems(header: list[str]) -> list[_Problem]:
    problems: list[_Problem] = [
        (1, f'column "{name}" appears {header.count(name)} times in the header: keep one.')
        for name in dict.fromkeys(header)
        if header.count(name) > 1
    ]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        optional = ", ".join([*COLUMNS[len(REQUIRED) :], "alert_urls"])
        problems.append(
            (
                1,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: the header needs "
                f"{', '.join(REQUIRED)} (then, if used, {optional}).",
            )
        )
    return problems


def _row_problems(frame: pl.DataFrame) -> list[_Problem]:
    """The checks of each line, as polars filters; only the lines that fail one are formatted."""
    code, name = pl.col("agency_code"), pl.col("name")
    checked = frame.with_columns(
        code_ok=code.str.contains(AGENCY_CODE).fill_null(False),
        start=pl.col("valid_from").str.to_date(DATE_FORMAT, strict=False),
        end=pl.col("valid_to").str.to_date(DATE_FORMAT, strict=False),
    )
    failing = {
        "code-empty": code.is_null(),
        "code-invalid": code.is_not_null() & ~pl.col("code_ok"),
        "name-empty": name.is_null(),
        "valid-from-empty": pl.col("valid_from").is_null(),
        "valid-from-invalid": pl.col("valid_from").is_not_null() & pl.col("start").is_null(),
        "valid-to-invalid": pl.col("valid_to").is_not_null() & pl.col("end").is_null(),
        "valid-to-before": pl.col("end") < pl.col("start"),
        "cadence-unknown": ~pl.col("expected_cadence").is_in(CADENCES),
        "quota-invalid": pl.col("staff_quota").is_not_null()
        & ~pl.col("staff_quota").cast(pl.Int32, strict=False).ge(0).fill_null(False),
    }
    problems = [
        (row["line"], _MESSAGES[kind].format(**row))
        for kind, condition in failing.items()
        for row in checked.filter(condition.fill_null(False)).iter_rows(named=True)
    ]
    return problems + _overlaps(checked)


def _overlaps(checked: pl.DataFrame) -> list[_Problem]:
    """Versions of one agency valid on a same day: the warehouse keys agencies by (code, valid_from), and a list
    received that day could not tell which version it belongs to. Each later line is named once, with the first
    line it overlaps."""
    versions = checked.filter(pl.col("code_ok") & pl.col("start").is_not_null()).select(
        "line", "agency_code", "start", pl.col("end").fill_null(dt.date.max)
    )
    overlapping = (
        versions.join(versions, on="agency_code", suffix="_later")
        .filter(
            (pl.col("line") < pl.col("line_later"))
            & (pl.col("start") <= pl.col("end_later"))
            & (pl.col("start_later") <= pl.col("end"))
        )
        .group_by("agency_code", "line_later")
        .agg(pl.col("line").min())
    )
    return [
        (
            later,
            f'agency code "{code}" appears twice with overlapping validity (lines {first} and {later}): keep one, '
            "or end the first with valid_to before the second's valid_from.",
        )
        for code, later, first in overlapping.select("agency_code", "line_later", "line").iter_rows()
    ]


_NO_ROWS = pl.DataFrame(schema={"line": pl.Int64, **dict.fromkeys(COLUMNS, pl.String)})
_CODE_RULE = 'upper-case letters, digits or "-", at most 16 characters'
_MESSAGES = {
    "code-empty": f"the agency code is empty: fill it in ({_CODE_RULE}) or delete the line.",
    "code-invalid": 'agency code "{agency_code}" must be ' + _CODE_RULE + ".",
    "name-empty": "the agency has no name: fill in the column name.",
    "valid-from-empty": "valid_from is empty: write the date this version of the agency starts, as YYYY-MM-DD.",
    "valid-from-invalid": 'valid_from "{valid_from}" is not a date written YYYY-MM-DD (e.g. 2023-04-10).',
    "valid-to-invalid": 'valid_to "{valid_to}" is not a date written YYYY-MM-DD (e.g. 2025-06-30); leave it empty '
    "while the agency exists.",
    "valid-to-before": "valid_to {valid_to} is before valid_from {valid_from}: correct one of them.",
    "cadence-unknown": 'expected_cadence "{expected_cadence}" is not one of '
    + ", ".join(CADENCES)
    + " (empty means monthly).",
    "quota-invalid": 'staff_quota "{staff_quota}" is not a whole number: write the number of posts, or leave it empty.',
}


@dataclass(frozen=True)
class AgencyNames:
    """Every agency's folded name and aliases, to recognise who a title block names. Looked up by the title's
    phrases, so a title costs the same against 50 agencies as against 10,000."""

    by_spelling: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    longest: int = 0

    def named_by(self, text: str) -> tuple[tuple[str, str], ...]:
        """(code, name) of the agencies whose name or alias the whole of `text` is."""
        return self.by_spelling.get(fold(text), ())

    def named_in(self, title: str) -> list[tuple[str, str]]:
        """(code, name) of the agencies the text names, the longest spelling first."""
        words = fold(title).split()
        phrases = {
            " ".join(words[start:end])
            for start in range(len(words))
            for end in range(start + 1, min(start + self.longest, len(words)) + 1)
        }
        return [
            entry
            for phrase in sorted(phrases & self.by_spelling.keys(), key=lambda p: (-len(p), p))
            for entry in self.by_spelling[phrase]
        ]


def agency_names(agencies: pl.DataFrame) -> AgencyNames:
    """The names and aliases of every agency, folded."""
    names: dict[str, set[tuple[str, str]]] = {}
    for row in agencies.iter_rows(named=True):
        for spelling in [row["name"], *(row["aliases"] or "").split(";")]:
            if folded := fold(spelling):
                names.setdefault(folded, set()).add((row["agency_code"], row["name"]))
    by_spelling = {spelling: tuple(sorted(found)) for spelling, found in names.items()}
    return AgencyNames(by_spelling, max((len(spelling.split()) for spelling in by_spelling), default=0))


def agency_at(agencies: pl.DataFrame, code: str, on: dt.date) -> Agency | None:
    """The version of agency `code` valid on `on`, if any."""
    rows = agencies.filter(
        (pl.col("agency_code") == code)
        & (pl.col("valid_from") <= on)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= on))
    )
    if rows.is_empty():
        return None
    row = rows.sort("valid_from").row(-1, named=True)
    return Agency(row["agency_code"], row["name"], row["agency_group"], row["default_staff_category"])


def alert_urls(path: Path) -> dict[str, tuple[str, ...]]:
    """Each agency's own apprise URLs (column `alert_urls`, ';'-separated). They hold passwords and tokens, so
    they are read here only for sending and never loaded into the warehouse."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    if "alert_urls" not in frame.columns:
        return {}
    urls: dict[str, tuple[str, ...]] = {}
    for code, text in frame.select("agency_code", "alert_urls").drop_nulls().iter_rows():
        found = tuple(url.strip() for url in text.split(";") if url.strip())
        if found:
            urls[code] = urls.get(code, ()) + found
    return urls
