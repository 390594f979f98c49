"""Vectorised parsers from cell text to typed values, each telling apart blank, parsed and unreadable."""

from __future__ import annotations

import datetime as dt

import polars as pl

_SEP = r"[/.\-]"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"
_DMY = rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})$"
_DMY2 = rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{2}})$"
_MY = rf"^(\d{{1,2}}){_SEP}(\d{{4}})$"
_YEAR = r"^(\d{4})(?:\.0+)?$"
_WORDS = r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})"
_SERIAL = r"^(\d{1,6})(?:\.\d+)?$"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)


def parse_date(
    raw: pl.Expr, as_of: dt.date | pl.Expr, date1904: bool | pl.Expr = False
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Day-first date text, ISO (Excel date cells), month/year, year alone or an Excel serial number. `as_of`
    (which century a two-digit year is in) and `date1904` (the workbook's date system) may be columns.

    Returns (date, precision, two_digit_year); date is null for blank or unreadable text. A missing day counts
    as the 1st and a missing month as January, the convention of the retirement rules.
    """
    as_of = as_of if isinstance(as_of, pl.Expr) else pl.lit(as_of)
    date1904 = date1904 if isinstance(date1904, pl.Expr) else pl.lit(date1904)
    text = raw.str.to_lowercase()
    year_number, month, day = _written_parts(text, as_of)
    calendar = _calendar(year_number, month, day)
    plausible_year = text.str.contains(_YEAR) & year_number.is_between(1900, 2100)
    calendar = pl.when(text.str.contains(_YEAR) & ~plausible_year).then(None).otherwise(calendar)
    date = pl.coalesce(calendar, pl.when(date1904).then(_excel_serial_1904(text)).otherwise(_excel_serial(text)))
    precision = (
        pl.when(date.is_null())
        .then(None)
        .when(plausible_year)
        .then(pl.lit("year"))
        .when(text.str.contains(_MY))
        .then(pl.lit("month"))
        .otherwise(pl.lit("day"))
    )
    return date, precision, text.str.contains(_DMY2).fill_null(False)


def nonexistent_date(raw: pl.Expr, as_of: dt.date | pl.Expr) -> pl.Expr:
    """True for text written as a day-first date whose day is not in the calendar (30/02/1970, 31/04/1989,
    15/13/1988): the clerk wrote a date, the wrong one, which is not the same mistake as text that is no date."""
    as_of = as_of if isinstance(as_of, pl.Expr) else pl.lit(as_of)
    text = raw.str.to_lowercase()
    year, month, day = _written_parts(text, as_of)
    written = text.str.contains(f"{_ISO}|{_DMY}|{_DMY2}|{_MY}|{_WORDS}")
    return (written & year.is_not_null() & _calendar(year, month, day).is_null()).fill_null(False)


def why_nonexistent(raw: pl.Expr, as_of: dt.date | pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Why a date of `nonexistent_date` is not in the calendar, in Vietnamese and in English, for the messages."""
    as_of = as_of if isinstance(as_of, pl.Expr) else pl.lit(as_of)
    year, month, day = _written_parts(raw.str.to_lowercase(), as_of)
    month_number, day_number = month.cast(pl.Int32, strict=False), day.cast(pl.Int32, strict=False)
    days = pl.date(year, month_number.clip(1, 12), 1).dt.month_end().dt.day().cast(pl.String)
    no_month = ~month_number.is_between(1, 12)
    no_day = day_number == 0
    month_year = pl.concat_str(month_number.cast(pl.String), year.cast(pl.String), separator="/")
    vietnamese = (
        pl.when(no_month)
        .then(pl.concat_str(pl.lit("không có tháng "), month_number.cast(pl.String)))
        .when(no_day)
        .then(pl.lit("không có ngày 0"))
        .otherwise(pl.concat_str(pl.lit("tháng "), month_year, pl.lit(" chỉ có "), days, pl.lit(" ngày")))
    )
    english = (
        pl.when(no_month)
        .then(pl.concat_str(pl.lit("there is no month "), month_number.cast(pl.String)))
        .when(no_day)
        .then(pl.lit("there is no day 0"))
        .otherwise(pl.concat_str(pl.lit("month "), month_year, pl.lit(" has only "), days, pl.lit(" days")))
    )
    return vietnamese, english


def _written_parts(text: pl.Expr, as_of: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Year (a number), month and day (text) as written, whichever of the day-first forms the text takes; a
    missing day counts as the 1st and a missing month as January, the convention of the retirement rules."""
    century = pl.when(text.str.extract(_DMY2, 3).cast(pl.Int32, strict=False) <= as_of.dt.year() % 100)
    two_digit_year = century.then(2000).otherwise(1900) + text.str.extract(_DMY2, 3).cast(pl.Int32, strict=False)
    year = pl.coalesce(
        text.str.extract(_ISO, 1),
        text.str.extract(_DMY, 3),
        two_digit_year.cast(pl.String),
        text.str.extract(_MY, 2),
        text.str.extract(_YEAR, 1),
        text.str.extract(_WORDS, 3),
    )
    month = pl.coalesce(
        text.str.extract(_ISO, 2),
        text.str.extract(_DMY, 2),
        text.str.extract(_DMY2, 2),
        text.str.extract(_MY, 1),
        text.str.extract(_WORDS, 2),
        pl.when(text.str.contains(_YEAR)).then(pl.lit("1")),
    )
    day = pl.coalesce(
        text.str.extract(_ISO, 3),
        text.str.extract(_DMY, 1),
        text.str.extract(_DMY2, 1),
        text.str.extract(_WORDS, 1),
        pl.when(text.str.contains(_MY) | text.str.contains(_YEAR)).then(pl.lit("1")),
    )
    return year.cast(pl.Int32, strict=False), month, day


def _calendar(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The date of the written parts; null when the calendar has no such day."""
    return pl.concat_str(
        year.cast(pl.String).str.zfill(4),
        month.str.zfill(2),
        day.str.zfill(2),
        separator="-",
    ).str.to_date("%Y-%m-%d", strict=False)


def _excel_serial(text: pl.Expr) -> pl.Expr:
    """1900 date system: serial 60 is the 29/02/1900 that never was; below it, Excel is one day ahead."""
    serial = text.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)
    days = pl.when(serial >= 61).then(serial).when(serial.is_between(1, 59)).then(serial + 1)
    return pl.when(days.is_not_null()).then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=days))


def _excel_serial_1904(text: pl.Expr) -> pl.Expr:
    """1904 date system (old Mac Excel): day 0 is 01/01/1904, no phantom leap day."""
    serial = text.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)
    return pl.when(serial >= 0).then(pl.lit(_EXCEL_EPOCH_1904) + pl.duration(days=serial))


def parse_decimal(raw: pl.Expr) -> pl.Expr:
    """Comma or point as decimal separator; "%" dropped."""
    return raw.str.replace_all(r"[%\s]", "").str.replace(",", ".").cast(pl.Float64, strict=False)


def parse_int(raw: pl.Expr) -> pl.Expr:
    """The leading integer of a cell ("Bậc 4", "4/9" and "4" are all 4)."""
    return raw.str.extract(r"(\d+)", 1).cast(pl.Int64, strict=False)


def clean_national_id(raw: pl.Expr, province_codes: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """Separators removed; 10- or 11-digit numbers whose zero-padded form starts with a province code get
    their lost leading zeros back. Returns (cleaned id, was_restored)."""
    digits = raw.str.replace(r"\.0+$", "").str.replace_all(r"[\s.\-]", "")
    padded = digits.str.zfill(12)
    restorable = digits.str.contains(r"^\d{10,11}$") & padded.str.slice(0, 3).is_in(province_codes)
    return pl.when(restorable).then(padded).otherwise(digits), restorable.fill_null(False)
