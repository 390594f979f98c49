"""Sheets staffq writes itself, as worksheet XML put straight into a package: the "Lỗi" sheet and a CSV's cells
rebuilt as a workbook. Written as text a row at a time rather than cell by cell through a workbook library, whose
per-cell cost was most of a clerk's feedback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from flows.excel.marking.parts import MAIN, CellFormat, R

# Excel's default row height for Calibri 11, in points.
DEFAULT_ROW_HEIGHT = 15


@dataclass(frozen=True)
class WrittenSheet:
    """A sheet staffq writes: its name, its XML given the id of each cell format it asks for (added to the
    workbook's styles), and the row printed atop every page, if any."""

    name: str
    xml: Callable[[Callable[[CellFormat], int]], bytes]
    title_row: int | None = None


def worksheet_xml(
    rows: Iterable[str],
    widths: dict[int, float],
    frozen: tuple[int, int] = (0, 0),
    merged: Iterable[str] = (),
    selected: bool = False,
    a4_landscape: bool = False,
) -> bytes:
    """A worksheet of `rows` (their XML), its columns `widths` characters wide (by column number), the first
    `frozen` (rows, columns) kept in view, `merged` ranges, selected or not, printed A4 landscape one page wide or
    as Excel's default. A lone surrogate (a name that was not UTF-8) is written as its escape: nothing is dropped."""
    frozen_rows, frozen_columns = frozen
    pane = ""
    if frozen_rows or frozen_columns:
        corner = f"{get_column_letter(frozen_columns + 1)}{frozen_rows + 1}"
        active = "bottomRight" if frozen_rows and frozen_columns else "bottomLeft" if frozen_rows else "topRight"
        splits = f' xSplit="{frozen_columns}"' if frozen_columns else ""
        splits += f' ySplit="{frozen_rows}"' if frozen_rows else ""
        pane = (
            f'<pane{splits} topLeftCell="{corner}" activePane="{active}" state="frozen"/><selection pane="{active}"/>'
        )
    view = ' tabSelected="1"' if selected else ""
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{column_width(width)}" customWidth="1"/>'
        for n, width in sorted(widths.items())
    )
    merges = [f'<mergeCell ref="{reference}"/>' for reference in merged]
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{R}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if a4_landscape else "",
        f'<sheetViews><sheetView{view} workbookViewId="0">{pane}</sheetView></sheetViews>',
        f'<sheetFormatPr defaultRowHeight="{DEFAULT_ROW_HEIGHT}"/>',
        f"<cols>{columns}</cols>" if columns else "",
        "<sheetData>",
        *rows,
        "</sheetData>",
        f'<mergeCells count="{len(merges)}">{"".join(merges)}</mergeCells>' if merges else "",
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
        '<pageSetup paperSize="9" orientation="landscape" fitToHeight="0"/>' if a4_landscape else "",
        "</worksheet>",
    ]
    return "".join(parts).encode("utf-8", "backslashreplace")


def row_xml(number: int, cells: Iterable[str], height: float | None = None) -> str:
    """A row's XML, `height` points high if not the default."""
    custom = f' ht="{height}" customHeight="1"' if height and height != DEFAULT_ROW_HEIGHT else ""
    return f'<row r="{number}"{custom}>{"".join(cells)}</row>'


def cell_xml(reference: str, value: object, style: int) -> str:
    """A cell's XML: a number as a number, anything else as inline text (never a formula), None as a styled
    blank."""
    if value is None:
        return f'<c r="{reference}" s="{style}"/>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{reference}" s="{style}"><v>{value}</v></c>'
    return f'<c r="{reference}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def column_width(characters: float) -> float:
    """A column `characters` wide as Excel stores it: with the padding of Calibri 11's 7-pixel digits, in 256ths
    (what Excel and xlsxwriter write for the width a user types)."""
    return int((characters * 7 + 5) / 7 * 256) / 256
