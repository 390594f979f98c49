"""A CSV or text file to one sheet of text cells, its rows reconciled with its lines so that nothing vanishes
inside a cell."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.reading.decoding import Decoded, ReadWarning, decode, line_breaks
from schemas.reading.faults import UnreadableFile
from schemas.reading.limits import OverLimit, ReadLimits, check_area
from schemas.reading.sheets import Sheet, named_by_place

# How many first lines of a text file give its width, unless a wider row turns up further down.
_SAMPLE_LINES = 1_000
# A cell over this many lines is rows run together by a stray quote, not one person's address or career history.
_MAX_CELL_LINES = 100


@dataclass(frozen=True)
class TextFormat:
    """How a text file was decoded, recorded on the submission so nothing is guessed silently; `warnings` become
    the file's issues."""

    encoding: str
    delimiter: str
    warnings: tuple[ReadWarning, ...] = ()


class MalformedCsv(Exception):
    """A text file whose lines run together into one cell: a quote opened and never closed, or closed by another
    stray quote. The rows after it cannot be trusted, so none is read; `code` and `params` become its file-level
    issue, and `text_format` says how the file was decoded."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params
        self.text_format: TextFormat | None = None


def read_text(path: Path, limits: ReadLimits) -> tuple[Sheet, TextFormat]:
    decoded = decode(path.read_bytes())
    delimiter = _sniff_delimiter(decoded)
    text_format = TextFormat(decoded.encoding, delimiter, decoded.warnings)
    try:
        grid = _text_grid(path.stem, decoded, delimiter, limits)
    except MalformedCsv as fault:
        fault.text_format = text_format
        raise
    return Sheet(path.stem, named_by_place(grid, list(range(grid.width)))), text_format


def _text_grid(name: str, decoded: Decoded, delimiter: str, limits: ReadLimits) -> pl.DataFrame:
    """The cells of a text file, its rows reconciled with its lines: nothing may vanish inside a cell."""
    buffer = decoded.utf8
    lines = _text_lines(buffer)
    # The grid is as wide as the widest row: title lines are narrower than the list. Counting every row with
    # Python's csv module is row-by-row Python, so the first lines give the width (and the lines a number of rows it
    # cannot exceed) and polars reads the cells; a wider row further down makes polars refuse, and only then is every
    # row counted.
    width = _widest_row(decoded.first_lines(_SAMPLE_LINES), delimiter)
    read_by_polars = False
    if width:
        with contextlib.suppress(OverLimit, pl.exceptions.PolarsError):
            check_area(name, 1, lines, 1, width, limits)
            grid = _polars_grid(buffer, delimiter, width)
            read_by_polars = True
            if _lines_fault(buffer, grid, delimiter, lines) is None:
                return grid
    text = decoded.text
    widths = [len(row) for row in _csv_rows(io.StringIO(text, newline=""), delimiter)]
    width = max(widths, default=0)
    if width == 0:
        raise UnreadableFile("tệp rỗng", "the file is empty")
    check_area(name, 1, len(widths), 1, width, limits)
    if not read_by_polars:
        with contextlib.suppress(pl.exceptions.PolarsError):
            grid = _polars_grid(buffer, delimiter, width)
            if _lines_fault(buffer, grid, delimiter, lines) is None:
                return grid
    # polars refused the file, or read lines that are not in a quoted cell into one (old Mac line ends): the csv
    # module reads it, and what its rows still leave unexplained is the clerk's to fix.
    grid = _grid_of_rows(text, delimiter, width)
    if fault := _lines_fault(buffer, grid, delimiter, lines):
        raise fault
    return grid


def _text_lines(buffer: bytes) -> int:
    """The lines of a text file as an editor shows them: a line ends at \\r\\n, \\n or \\r (old Macs), the last one
    perhaps at none."""
    return line_breaks(buffer, 0, len(buffer)) + (0 if buffer.endswith((b"\n", b"\r")) else 1)


def _lines_fault(buffer: bytes, grid: pl.DataFrame, delimiter: str, lines: int) -> MalformedCsv | None:
    """Reconcile the rows read with the file's lines. A line that is not a row of its own must be inside a cell that
    the file writes as one quoted field (its quotes doubled, closed before a separator or a line end), of a size
    one person's notes can have. None when every line is accounted for so; else the fault at the first that is not.

    Most files have no line break inside a cell, and comparing two counts settles them; otherwise only the cells
    that hold line breaks are looked for in the file's bytes, each from where the one before was found."""
    if grid.height == lines:
        return None
    holds_breaks = grid.select(pl.all().str.contains(r"[\r\n]").any()).row(0, named=True)
    spanning = [name for name, holds in holds_breaks.items() if holds]
    rows = (
        grid.select(spanning)
        .with_row_index("_row")
        .with_columns(pl.col(spanning).str.count_matches(r"\r\n?|\n").fill_null(0).name.prefix("_breaks_"))
        .with_columns(_breaks=pl.sum_horizontal(pl.col("^_breaks_.*$"), pl.lit(0)))
        .with_columns(_first_line=pl.col("_row").cast(pl.Int64) + 1 + pl.col("_breaks").cum_sum() - pl.col("_breaks"))
    )
    # Every line break is a row's end or inside a cell; the last row's end may be inside its cell (a quote open
    # at the end of the file).
    accounted = grid.height + rows["_breaks"].sum()
    if accounted not in (lines, lines + 1):
        return MalformedCsv("file-csv-rows-mismatch", lines=lines, rows=grid.height, line=min(accounted, lines - 1) + 1)
    found_to = 0
    for row in rows.filter(pl.col("_breaks") > 0).iter_rows(named=True):
        line = row["_first_line"]
        for name in spanning:
            breaks, cell = row[f"_breaks_{name}"], row[name]
            if not breaks:
                continue
            quoted = b'"' + cell.encode().replace(b'"', b'""') + b'"'
            found = _quoted_field_at(buffer, quoted, found_to, delimiter)
            if found < 0:
                if row["_row"] < grid.height - 1 or not _open_to_the_end(buffer, quoted[:-1], delimiter):
                    return MalformedCsv("file-csv-rows-mismatch", lines=lines, rows=grid.height, line=line)
                # The quote is still open at the end of the file; opened on the last line, nothing ran into it.
                if re.search(r"[\r\n]", cell.rstrip("\r\n")):
                    return MalformedCsv("file-csv-quote-unbalanced", line=line)
            elif breaks >= _MAX_CELL_LINES:
                return MalformedCsv("file-csv-rows-mismatch", lines=lines, rows=grid.height, line=line)
            else:
                found_to = found + len(quoted)
            line += breaks
    return None


def _quoted_field_at(buffer: bytes, quoted: bytes, start: int, delimiter: str) -> int:
    """Where `quoted` stands as a whole field in `buffer`, from `start` on; -1 if nowhere."""
    found = buffer.find(quoted, start)
    while found >= 0 and not (
        _field_starts(buffer, found, delimiter) and _field_ends(buffer, found + len(quoted), delimiter)
    ):
        found = buffer.find(quoted, found + 1)
    return found


def _open_to_the_end(buffer: bytes, opened: bytes, delimiter: str) -> bool:
    """Whether the file ends with `opened`, a field whose quote is never closed."""
    return buffer.endswith(opened) and _field_starts(buffer, len(buffer) - len(opened), delimiter)


def _field_starts(buffer: bytes, at: int, delimiter: str) -> bool:
    return at == 0 or buffer[at - 1 : at] in (delimiter.encode(), b"\n", b"\r")


def _field_ends(buffer: bytes, at: int, delimiter: str) -> bool:
    return at == len(buffer) or buffer[at : at + 1] in (delimiter.encode(), b"\n", b"\r")


def _widest_row(lines: Iterable[str], delimiter: str) -> int:
    return max((len(row) for row in _csv_rows(lines, delimiter)), default=0)


def _csv_rows(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter)
    first_line = 1
    try:
        for row in reader:
            yield row
            first_line = reader.line_num + 1
    except csv.Error as error:
        # A cell longer than the csv module's field limit that runs over lines is a quote left open.
        if reader.line_num > first_line:
            raise MalformedCsv("file-csv-quote-unbalanced", line=first_line) from error
        raise UnreadableFile("không đọc được nội dung tệp CSV", "the CSV text cannot be read", str(error)) from error


def _polars_grid(buffer: bytes, delimiter: str, width: int) -> pl.DataFrame:
    return pl.read_csv(
        buffer,
        has_header=False,
        separator=delimiter,
        schema={f"c{j}": pl.String for j in range(width)},
        missing_columns="insert",
    )


def _grid_of_rows(text: str, delimiter: str, width: int) -> pl.DataFrame:
    """What polars refuses (a stray quote, old Mac line ends) Python's csv module still reads, more slowly."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    columns = {f"c{j}": [row[j] if j < len(row) else None for row in rows] for j in range(width)}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _sniff_delimiter(decoded: Decoded) -> str:
    sample = "".join(decoded.first_lines(50))
    counts = {delimiter: sample.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])
