"""One worksheet's XML patched as text: only the rows with a mark or a formula are rewritten, found by regular
expressions over the rows' opening tags, so the cost follows the marks rather than the size of the list."""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from xml.sax.saxutils import escape

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from flows.excel.marking.parts import MAIN, CannotMark, Mark, MarkedSheet, R
from flows.excel.marking.styles import Styles

# Where <legacyDrawing> goes: before the first of these (CT_Worksheet's order), or at the end.
_AFTER_LEGACY_DRAWING = re.compile(
    r"<(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst|mc:AlternateContent)\b"
    r"|</worksheet>"
)
_SHEET_DATA = re.compile(r"<sheetData\b[^>]*?(/?)>")
_ROW_START = re.compile(r"<row\b([^>]*?)(/?)>")
_ROW_NUMBER = re.compile(r"""\br\s*=\s*["'](\d+)["']""")
_CELL_REFERENCE = re.compile(r"""\br\s*=\s*["']([A-Z]{1,3})(\d+)["']""")
_FORMULA_START = re.compile(r"<f\b")
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_FORMULA = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")
_TAB_SELECTED = re.compile(r"""\s+tabSelected\s*=\s*(["'])(?:1|true)\1""")


def patch_sheet(data: bytes, sheet: MarkedSheet, styles: Styles) -> bytes:
    """A sheet's XML with its selection dropped (the problem sheet is the selected one), and for a worksheet its
    formulas made text and its marks filled, the comments' drawing related."""
    if not (sheet.is_worksheet and (sheet.marks or b"<f" in data)) and b"tabSelected" not in data:
        return data
    xml = data.decode("utf-8-sig")
    if not sheet.is_worksheet:
        return _TAB_SELECTED.sub("", xml).encode()
    found = _SHEET_DATA.search(xml)
    if found is None:
        raise CannotMark(f"sheet {sheet.name!r} without its cells (sheetData)")
    if not xml.lstrip().startswith(("<?xml", "<worksheet")) or not re.search(
        r"<worksheet\b[^>]*\sxmlns=[\"']" + re.escape(MAIN), xml
    ):
        raise CannotMark(f"sheet {sheet.name!r}: not a transitional worksheet with the default namespace")
    head = _TAB_SELECTED.sub("", xml[: found.start()])
    closed_at = found.end() if found.group(1) else xml.rindex("</sheetData>")
    rows = _patch_rows(xml[found.end() : closed_at], sheet, styles)
    tail = xml[closed_at:].removeprefix("</sheetData>")
    if sheet.marks:
        if "<legacyDrawing" in tail:
            raise CannotMark(f"sheet {sheet.name!r} already has a legacy drawing")
        at = _AFTER_LEGACY_DRAWING.search(tail).start()
        drawing = f'<legacyDrawing xmlns:r="{R}" r:id="{sheet.drawing_id}"/>'
        tail = tail[:at] + drawing + tail[at:]
    return (head + f"<sheetData>{rows}</sheetData>" + tail).encode()


def _patch_rows(rows: str, sheet: MarkedSheet, styles: Styles) -> str:
    """The rows with marks or formulas rewritten, missing marked rows inserted in order, the others as they are.
    Only the rows' opening tags are scanned: the cells of a row are looked at when it is rewritten."""
    by_row: dict[int, dict[int, Mark]] = {}
    for (row, column), mark in sheet.marks.items():
        by_row.setdefault(row, {})[column] = mark
    waiting = sorted(by_row)
    starts = list(_ROW_START.finditer(rows))
    offsets = [found.start() for found in starts]
    with_formulas = {bisect_right(offsets, found.start()) - 1 for found in _FORMULA_START.finditer(rows)}
    formulas = _Formulas() if with_formulas else None
    pieces, copied_to, previous = [], 0, 0
    for index, found in enumerate(starts):
        number = _row_number(found.group(1))
        if number <= previous:
            raise CannotMark(f"row {number} after row {previous}")
        previous = number
        while waiting and waiting[0] < number:
            missing = waiting.pop(0)
            pieces += [rows[copied_to : found.start()], _new_row(missing, by_row[missing], styles)]
            copied_to = found.start()
        marked = by_row[number] if waiting and waiting[0] == number else {}
        if marked:
            waiting.pop(0)
        elif index not in with_formulas:
            continue
        if found.group(2):  # <row .../>
            cells, end = "", found.end()
        else:
            end = rows.index("</row>", found.end())
            cells, end = rows[found.end() : end], end + len("</row>")
        pieces += [rows[copied_to : found.start()], _patch_row(found.group(1), cells, number, marked, formulas, styles)]
        copied_to = end
    pieces.append(rows[copied_to:])
    pieces += [_new_row(number, by_row[number], styles) for number in waiting]
    return "".join(pieces)


def _row_number(attributes: str) -> int:
    found = _ROW_NUMBER.search(attributes)
    if found is None:
        raise CannotMark("a row without its number (r=)")
    return int(found.group(1))


def _new_row(number: int, marks: dict[int, Mark], styles: Styles) -> str:
    cells = "".join(_new_cell(number, column, 0, marks[column], styles) for column in sorted(marks))
    return f'<row r="{number}">{cells}</row>'


def _new_cell(row: int, column: int, style: int, mark: Mark, styles: Styles) -> str:
    return f'<c r="{get_column_letter(column)}{row}" s="{styles.marked(style, mark.is_error)}"/>'


def _patch_row(
    attributes: str, cells: str, number: int, marks: dict[int, Mark], formulas: _Formulas | None, styles: Styles
) -> str:
    """One row: its cells' formulas made text, its marked cells restyled, its missing marked cells inserted."""
    row = dict(_ATTRIBUTE.findall(attributes))
    row_style = int(row.get("s", '"0"')[1:-1]) if row.get("customFormat", "")[1:-1] in ("1", "true") else 0
    waiting = sorted(marks)
    pieces, copied_to, previous = [], 0, 0
    for found in _CELL.finditer(cells):
        reference = _CELL_REFERENCE.search(found.group(1))
        if reference is None:
            raise CannotMark("a cell without its reference (r=)")
        column = column_index_from_string(reference.group(1))
        if column <= previous:
            raise CannotMark(f"row {number}: a cell in column {column} after column {previous}")
        previous = column
        inserted = []
        while waiting and waiting[0] < column:
            missing = waiting.pop(0)
            inserted.append(_new_cell(number, missing, row_style, marks[missing], styles))
        content = found.group(2)
        formula = _FORMULA.search(content) if content and formulas is not None else None
        mark = marks[column] if waiting and waiting[0] == column else None
        if mark is not None:
            waiting.pop(0)
        if formula is None and mark is None and not inserted:
            continue
        pieces += [cells[copied_to : found.start()], *inserted]
        copied_to = found.start()
        if formula is None and mark is None:
            continue
        cell = dict(_ATTRIBUTE.findall(found.group(1)))  # values as written, quoted and escaped
        if formula is not None:
            text = formulas.text(formula, reference.group(1) + reference.group(2))
            for name in ("t", "cm", "vm"):
                cell.pop(name, None)
            cell["t"] = '"inlineStr"'
            content = f'<is><t xml:space="preserve">{escape(text)}</t></is>'
        if mark is not None:
            style = int(cell.get("s", '"0"')[1:-1])
            cell["s"] = f'"{styles.marked(style, mark.is_error)}"'
        tag = "<c" + "".join(f" {name}={value}" for name, value in cell.items())
        pieces.append(f"{tag}>{content}</c>" if content is not None else f"{tag}/>")
        copied_to = found.end()
    pieces.append(cells[copied_to:])
    tail_at = len(pieces) - 1
    pieces[tail_at:tail_at] = [_new_cell(number, column, row_style, marks[column], styles) for column in waiting]
    # Spans are a hint of the row's first and last cell; a cell inserted outside them would contradict it.
    kept = "".join(f" {name}={value}" for name, value in row.items() if name != "spans")
    return f"<row{kept}>{''.join(pieces)}</row>"


class _Formulas:
    """The text of each formula in a sheet, as openpyxl reads it: a shared formula's dependants translated from
    the cell that holds its text."""

    def __init__(self):
        self.shared: dict[str, Translator] = {}

    def text(self, formula: re.Match, reference: str) -> str:
        attributes = {name: value[1:-1] for name, value in _ATTRIBUTE.findall(formula.group(1))}
        text = "=" + html.unescape(formula.group(2) or "")
        kind = attributes.get("t", "normal")
        if kind == "dataTable":
            raise CannotMark("a data table formula")
        if kind != "shared":
            return text
        index = attributes.get("si")
        if index in self.shared:
            return self.shared[index].translate_formula(reference)
        if text != "=":
            self.shared[index] = Translator(text, reference)
        return text
