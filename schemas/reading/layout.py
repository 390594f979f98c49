"""Find the list inside a sheet: the title block, the header rows, and which rows below are people."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from schemas.reading.headers import PATH_SEPARATOR, HeaderIndex, HeaderMatch
from schemas.reading.sheets import Sheet

HEADER_SCAN_ROWS = 30
MIN_HEADER_SCORE = 3
BLANK_RUN_ENDS_TABLE = 10

_COLUMN_NUMBER = r"^\(?[0-9A-Za-z]{1,3}\)?\.?$"
GROUP_LABEL = r"^([IVXLC]+|[A-Z])[.)]?(\s+|$)"
_GROUP_LABEL = re.compile(GROUP_LABEL)
_TOTAL = re.compile(r"^(tổng số|tổng cộng|cộng|tổng)\b")
_UNIT_LABEL = re.compile(
    r"^(khối|phòng|ban|tổ|trường|trung tâm|bộ phận|đơn vị|cán bộ|công chức|viên chức|người lao động|hợp đồng)\b"
)
# A signature block row holds a caption or two ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"), never a person's details.
SIGNATURE_MAX_CELLS = 3
_SIGNATURE = re.compile(
    r"người lập|thủ trưởng|ký, ghi rõ|ký tên|ký, đóng dấu|\(ký|^[^0-9]*, ngày \d{1,2} tháng \d{1,2} năm \d{4}"
)


class NoHeader(Exception):
    """No row of the sheet reads like a staff-list header."""


@dataclass(frozen=True)
class Column:
    """One data column: its position in the grid, the header as the clerk wrote it, and what it means."""

    name: str
    header: str
    match: HeaderMatch | None
    ignored: bool


@dataclass(frozen=True)
class Table:
    """The list found in a sheet; `rows` holds only person rows, with `row_number` as Excel shows it."""

    sheet: str
    columns: list[Column]
    title_lines: list[str]
    rows: pl.DataFrame
    total_declared: int | None
    group_labels: pl.DataFrame
    date1904: bool = False


def locate_table(sheet: Sheet, index: HeaderIndex) -> Table:
    """Find the header below any title block, build header paths, and keep the person rows."""
    grid = sheet.cells
    head = grid.head(HEADER_SCAN_ROWS).rows()
    header_row = _find_header_row(head, index)
    if header_row is None:
        raise NoHeader(sheet.name)
    levels = [list(head[header_row])]
    cursor = header_row + 1
    while cursor < len(head) and _is_header_continuation(head[cursor], index):
        levels.append(list(head[cursor]))
        cursor += 1
    if cursor < len(head) and _is_column_number_row(head[cursor]):
        cursor += 1
    columns = _columns(grid.columns, levels, index)
    title_lines = [" ".join(cell for cell in row if cell) for row in head[:header_row] if any(row)]
    body = grid.with_row_index("row_number", offset=1).with_columns(pl.col("row_number").cast(pl.Int64)).slice(cursor)
    rows, total, groups = _person_rows(body, columns)
    return Table(sheet.name, columns, title_lines, rows, total, groups, sheet.date1904)


def _find_header_row(head: list[tuple], index: HeaderIndex) -> int | None:
    for position, row in enumerate(head):
        matches = [index.match([cell]) for cell in row if cell]
        fields = {m.field for m in matches if m}
        score = len(fields) + sum(1 for cell in row if cell and index.is_header_word(cell) and not index.match([cell]))
        if score >= MIN_HEADER_SCORE and "full_name" in fields:
            return position
    return None


def _is_header_continuation(row: tuple, index: HeaderIndex) -> bool:
    cells = [cell for cell in row if cell]
    return bool(cells) and all(index.is_header_word(cell) for cell in cells)


def _is_column_number_row(row: tuple) -> bool:
    cells = [cell for cell in row if cell]
    return bool(cells) and all(re.match(_COLUMN_NUMBER, cell) for cell in cells)


def _columns(names: list[str], levels: list[list[str | None]], index: HeaderIndex) -> list[Column]:
    """Fill horizontal merges of upper levels across the columns that have text at any lower level: only the
    top-left cell of a merged range holds its text."""
    filled = [list(level) for level in levels]
    for depth in range(len(filled) - 1):
        parent = None
        for j, cell in enumerate(levels[depth]):
            below = any(level[j] for level in levels[depth + 1 :])
            if cell:
                parent = cell if below else None
            elif below and parent:
                filled[depth][j] = parent
    columns = []
    for j, name in enumerate(names):
        path = [level[j] for level in filled if level[j]]
        columns.append(Column(name, PATH_SEPARATOR.join(path), index.match(path), index.is_ignored(path)))
    return columns


def _person_rows(body: pl.DataFrame, columns: list[Column]) -> tuple[pl.DataFrame, int | None, pl.DataFrame]:
    """Classify rows after the header: person, group label, total, signature (ends the table), blank. A row with a
    birth date or an ID is a person; the few others are read row by row (a dozen polars expressions per sheet
    cost more than reading them), and the person rows are kept in one filter."""
    cells = [c.name for c in columns]
    by_field = {c.match.field: c.name for c in reversed(columns) if c.match}
    evidence = [c.name for c in columns if c.match and c.match.field == "birth_date"]
    evidence += [by_field["national_id"]] if "national_id" in by_field else []
    others = body.filter(~pl.any_horizontal(pl.col(evidence).is_not_null())) if evidence else body
    stt_at = cells.index(by_field["stt"]) if "stt" in by_field else None
    name_at = cells.index(by_field["full_name"])
    end_row, blank_run, last_blank = None, 0, None
    not_persons, total, labels = [], None, []
    for row_number, *row in others.select("row_number", *cells).iter_rows():
        kind = _row_kind(row, None if stt_at is None else row[stt_at], row[name_at])
        blank_run = blank_run + 1 if kind == "blank" and last_blank == row_number - 1 else int(kind == "blank")
        last_blank = row_number if kind == "blank" else None
        if kind == "signature" or blank_run >= BLANK_RUN_ENDS_TABLE:
            end_row = row_number
            break
        if kind != "person":
            not_persons.append(row_number)
        if kind == "total" and total is None:
            total = _declared_total(row)
        elif kind == "group":
            labels.append((row_number, " ".join(cell for cell in row if cell is not None)))
    persons = ~pl.col("row_number").is_in(not_persons)
    if end_row is not None:
        persons &= pl.col("row_number") < end_row
    groups = pl.DataFrame(labels, schema={"row_number": pl.Int64, "label": pl.String}, orient="row")
    return body.filter(persons), total, groups


def _row_kind(row: list[str | None], stt: str | None, name: str | None) -> str:
    """What a row without a birth date or an ID is."""
    written = [cell for cell in row if cell is not None]
    if not written:
        return "blank"
    text = " ".join(written)
    lowered = text.lower()
    if _SIGNATURE.search(lowered) and len(written) <= SIGNATURE_MAX_CELLS:
        return "signature"
    if (total_cell := stt if stt is not None else name) is not None and _TOTAL.search(total_cell.lower()):
        return "total"
    # A lone text is a label only when it reads like one; a lone name is a person with missing data,
    # who must be reported, not skipped.
    lone_label = len(written) == 1 and (text == text.upper() or _UNIT_LABEL.search(lowered))
    if (stt is not None and _GROUP_LABEL.search(stt)) or lone_label:
        return "group"
    return "person"


def _declared_total(row: tuple) -> int | None:
    numbers = [int(float(cell)) for cell in row if cell and re.fullmatch(r"\d+(\.0+)?", cell)]
    return max(numbers) if numbers else None
