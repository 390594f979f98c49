"""The clerk's own .xlsx marked by patching its package, not by loading it: each cell with a problem filled red or
yellow and explained in a comment, every formula turned into its inert text, links to other workbooks and macros
dropped, and a ready-made problem sheet grafted in first. Parts nothing changes are copied as they are; a marked
sheet's XML is rewritten only in the rows it marks (or that hold a formula), by regular expressions over the text,
so the cost follows the marks rather than the size of the list. The small parts (styles, the workbook, relationships,
content types) are parsed whole.

Whatever this does not know how to patch safely raises `CannotMark`: the caller then copies the workbook the slow
way, through openpyxl."""

from __future__ import annotations

import html
import posixpath
import re
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, BadZipFile, ZipFile, ZipInfo

from lxml import etree
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils.cell import column_index_from_string, get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_R = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL = _R + "/"
_WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_COLOURS = {True: "FFFFC7CE", False: "FFFFEB9C"}  # by is_error
_AUTHOR = "staffq"
# Parts that would run something on the clerk's machine, or that speak of formulas no longer there: links to other
# workbooks (a DDE link starts a program), the VBA project, and the calculation chain.
_DROPPED_RELATIONSHIPS = {"externalLink", "vbaProject", "calcChain"}
# What holds code this module cannot take out cleanly: Excel 4 macro sheets, dialog sheets, ActiveX controls.
_UNHANDLED_RELATIONSHIPS = ("xlMacrosheet", "xlIntlMacrosheet", "dialogsheet")
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
_STYLED_TAG = re.compile(r"<(?:c|row|col)\b[^>]*>")
_STYLE_ATTRIBUTE = re.compile(r"""(\s(?:s|style)\s*=\s*)(["'])(\d+)\2""")
_TAB_SELECTED = re.compile(r"""\s+tabSelected\s*=\s*(["'])(?:1|true)\1""")
_VML_BLOCKS = re.compile(rb"""idmap\b[^>]*\bdata\s*=\s*["']([\d,\s]+)["']""")
# What reading a package this module did not foresee raises: a damaged or encrypted zip, a part or an attribute
# missing, XML it cannot parse, a formula openpyxl cannot translate.
_UNREADABLE = (
    BadZipFile,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    etree.XMLSyntaxError,
    TranslatorError,
)
# Deflate's fastest level: a rewritten sheet is compressed again on every patch, and the feedback is read once.
_COMPRESSION = 1
# A comment's box in pixels, as the openpyxl copy sizes it: wide enough for a message, taller for each more.
_COMMENT_WIDTH, _COMMENT_HEIGHT, _COMMENT_LINE = 320, 40, 30
_SHAPES_PER_BLOCK = 1024
# Excel's default cell in pixels, to anchor a comment box beside its cell.
_DEFAULT_COLUMN_PX, _DEFAULT_ROW_PX = 64, 20


class CannotMark(Exception):
    """The workbook holds something this module does not patch; copy it through openpyxl instead."""


@dataclass(frozen=True)
class Mark:
    """One cell to mark: the sheet as staffq read it, the cell (1-based), whether any problem there is an error,
    the comment's text and how many problems it explains."""

    sheet: str
    row: int
    column: int
    is_error: bool
    text: str
    count: int


def mark_workbook(
    source: Path, problem_sheet: Path, marks: Iterable[Mark], target: Path, title_of: Callable[[str], str] = str
) -> None:
    """Write to `target` the workbook at `source` with `marks` filled and commented, its formulas inert, its links
    and macros gone, and the only sheet of the workbook at `problem_sheet` first and active (replacing a sheet of
    the same name). A mark's sheet is found by its name, else by `title_of` its name; marks on no sheet are left."""
    try:
        with ZipFile(source) as package, ZipFile(problem_sheet) as problems:
            _Patch(package, problems, list(marks), title_of).write(target)
    except _UNREADABLE as error:
        raise CannotMark(f"cannot patch {source.name}: {error!r}") from error


@dataclass
class _Sheet:
    name: str
    part: str
    is_worksheet: bool
    marks: dict[tuple[int, int], Mark] = field(default_factory=dict)
    drawing_id: str = ""  # the relationship of its comments' drawing, once it has one


class _Patch:
    """One workbook's patch, planned on its small parts before any sheet is streamed."""

    def __init__(self, package: ZipFile, problems: ZipFile, marks: list[Mark], title_of: Callable[[str], str]):
        self.package = package
        self.names = set(package.namelist())
        self.replaced: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.dropped: set[str] = set()
        if any(name.startswith("xl/activeX/") for name in self.names):
            raise CannotMark("ActiveX controls")
        self.workbook_part = _office_document(package)
        self.workbook = _parse(package.read(self.workbook_part))
        if etree.QName(self.workbook).namespace != MAIN:
            raise CannotMark(f"workbook in namespace {etree.QName(self.workbook).namespace} (Strict OOXML?)")
        self.workbook_rels_part = _rels_part(self.workbook_part)
        self.workbook_rels = _parse(package.read(self.workbook_rels_part))
        self.types = _parse(package.read("[Content_Types].xml"))
        self.styles_part = self._related_part("styles")
        self.styles = _Styles(_parse(package.read(self.styles_part)))
        self._drop_what_runs()
        self.sheets = self._sheets()
        problem_name = self._graft_problem_sheet(problems)
        self._place_marks(marks, title_of, problem_name)
        self._comment_parts()

    # The workbook's parts

    def _related_part(self, kind: str) -> str:
        for relationship in self.workbook_rels:
            if relationship.get("Type") == _REL + kind:
                return _target(self.workbook_part, relationship.get("Target"))
        raise CannotMark(f"no {kind} part")

    def _sheets(self) -> list[_Sheet]:
        targets = {r.get("Id"): r for r in self.workbook_rels}
        sheets = []
        for sheet in self.workbook.find(f"{{{MAIN}}}sheets"):
            relationship = targets[sheet.get(f"{{{_R}}}id")]
            kind = relationship.get("Type").rsplit("/", 1)[-1]
            if kind in _UNHANDLED_RELATIONSHIPS:
                raise CannotMark(f"a {kind} part")
            part = _target(self.workbook_part, relationship.get("Target"))
            sheets.append(_Sheet(sheet.get("name"), part, kind == "worksheet"))
        return sheets

    def _drop_what_runs(self) -> None:
        for relationship in list(self.workbook_rels):
            kind = relationship.get("Type").rsplit("/", 1)[-1]
            if kind in _UNHANDLED_RELATIONSHIPS:
                raise CannotMark(f"a {kind} part")
            if kind not in _DROPPED_RELATIONSHIPS:
                continue
            self.workbook_rels.remove(relationship)
            if relationship.get("TargetMode") != "External":
                self._drop_part(_target(self.workbook_part, relationship.get("Target")))
        references = self.workbook.find(f"{{{MAIN}}}externalReferences")
        if references is not None:
            self.workbook.remove(references)
            # A name that points into a linked workbook ("[1]Sheet!A1") would point nowhere.
            names = self.workbook.find(f"{{{MAIN}}}definedNames")
            for name in list(names if names is not None else ()):
                if re.search(r"\[\d+\]", name.text or ""):
                    names.remove(name)
        for override in self.types.findall(f"{{{_TYPES}}}Override"):
            if override.get("PartName") == "/" + self.workbook_part:
                override.set("ContentType", _WORKBOOK_TYPE)

    def _drop_part(self, part: str) -> None:
        """A part, its relationships and the parts only they lead to (a VBA project's signature)."""
        self._forget(part)
        rels = _rels_part(part)
        if rels in self.names:
            self._forget(rels)
            for relationship in _parse(self.package.read(rels)):
                if relationship.get("TargetMode") != "External":
                    self._drop_part(_target(part, relationship.get("Target")))

    def _forget(self, part: str) -> None:
        """A part left out of the package, with its content type if it has its own."""
        self.dropped.add(part)
        for override in self.types.findall(f"{{{_TYPES}}}Override"):
            if override.get("PartName") == "/" + part:
                self.types.remove(override)

    # The problem sheet

    def _graft_problem_sheet(self, problems: ZipFile) -> str:
        """Its sheet, styles and print titles into this workbook, first and active; returns its name."""
        book_part = _office_document(problems)
        book = _parse(problems.read(book_part))
        rels_part = _rels_part(book_part)
        rels = _parse(problems.read(rels_part))
        (entry,) = book.find(f"{{{MAIN}}}sheets")
        name = entry.get("name")
        by_id = {r.get("Id"): _target(book_part, r.get("Target")) for r in rels}
        if any(r.get("Type") == _REL + "sharedStrings" for r in rels):
            raise CannotMark("the problem sheet uses shared strings")
        sheet_part = by_id[entry.get(f"{{{_R}}}id")]
        if _rels_part(sheet_part) in problems.namelist():
            raise CannotMark("the problem sheet has relationships")
        styles_part = next(_target(book_part, r.get("Target")) for r in rels if r.get("Type") == _REL + "styles")
        remap = self.styles.graft(_parse(problems.read(styles_part)))
        xml = problems.read(sheet_part).decode()
        xml = _STYLED_TAG.sub(lambda tag: _restyle(tag.group(0), remap), xml)

        position = self._remove_sheet_named(name)
        part = _free_name(self.names | set(self.added), "xl/worksheets/sheet{}.xml")
        self.added[part] = xml.encode()
        relationship_id = _free_id(self.workbook_rels)
        etree.SubElement(
            self.workbook_rels,
            f"{{{_PACKAGE_R}}}Relationship",
            Id=relationship_id,
            Type=_REL + "worksheet",
            Target="/" + part,
        )
        _override(self.types, part, _WORKSHEET_TYPE)
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        ids = [int(s.get("sheetId")) for s in sheets]
        first = etree.Element(f"{{{MAIN}}}sheet", name=name, sheetId=str(max(ids, default=0) + 1))
        first.set(f"{{{_R}}}id", relationship_id)
        sheets.insert(0, first)
        self._renumber_local_names(position)
        for title in book.iterfind(f"{{{MAIN}}}definedNames/{{{MAIN}}}definedName[@localSheetId]"):
            title = deepcopy(title)
            title.set("localSheetId", "0")
            self._defined_names().append(title)
        for view in self.workbook.iterfind(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView"):
            view.set("activeTab", "0")
            view.attrib.pop("firstSheet", None)
        return name

    def _remove_sheet_named(self, name: str) -> int | None:
        """The clerk's sheet of that name (as Excel compares them), gone; its place among the sheets."""
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        for position, (entry, sheet) in enumerate(zip(sheets, self.sheets, strict=True)):
            if sheet.name.casefold() == name.casefold():
                sheets.remove(entry)
                for relationship in self.workbook_rels:
                    if relationship.get("Id") == entry.get(f"{{{_R}}}id"):
                        self.workbook_rels.remove(relationship)
                self._forget(sheet.part)
                self._forget(_rels_part(sheet.part))
                del self.sheets[position]
                return position
        return None

    def _renumber_local_names(self, removed: int | None) -> None:
        """Names local to a sheet follow it one place on; those of a replaced sheet go with it."""
        names = self.workbook.find(f"{{{MAIN}}}definedNames")
        for name in list(names if names is not None else ()):
            local = name.get("localSheetId")
            if local is None:
                continue
            position = int(local)
            if position == removed:
                names.remove(name)
                continue
            if removed is not None and position > removed:
                position -= 1
            name.set("localSheetId", str(position + 1))

    def _defined_names(self):
        names = self.workbook.find(f"{{{MAIN}}}definedNames")
        if names is None:
            names = etree.Element(f"{{{MAIN}}}definedNames")
            anchor = self.workbook.find(f"{{{MAIN}}}sheets")
            functions = self.workbook.find(f"{{{MAIN}}}functionGroups")
            (functions if functions is not None else anchor).addnext(names)
        return names

    # The marks

    def _place_marks(self, marks: list[Mark], title_of: Callable[[str], str], problem_name: str) -> None:
        by_name = {sheet.name: sheet for sheet in self.sheets if sheet.is_worksheet}
        for mark in marks:
            sheet = by_name.get(mark.sheet) or by_name.get(title_of(mark.sheet))
            if sheet is not None and sheet.name != problem_name:
                sheet.marks[mark.row, mark.column] = mark

    def _comment_parts(self) -> None:
        """A comments part and its VML drawing for each marked sheet, related from the sheet."""
        taken = {int(n) for part in self.names if part.endswith(".vml") for n in _vml_blocks(self.package.read(part))}
        block = max(taken, default=0)
        for sheet in self.sheets:
            if not sheet.marks:
                continue
            rels_part = _rels_part(sheet.part)
            if rels_part in self.names:
                rels = _parse(self.package.read(rels_part))
                kinds = {r.get("Type").rsplit("/", 1)[-1] for r in rels}
                if kinds & {"comments", "threadedComment", "vmlDrawing"}:
                    raise CannotMark(f"sheet {sheet.name!r} already has comments or a VML drawing")
            else:
                rels = etree.Element(f"{{{_PACKAGE_R}}}Relationships", nsmap={None: _PACKAGE_R})
            taken_parts = self.names | set(self.added)
            comments = _free_name(taken_parts, "xl/comments{}.xml")
            drawing = _free_name(taken_parts, "xl/drawings/vmlDrawing{}.vml")
            first_block, block = block + 1, block + 1 + len(sheet.marks) // _SHAPES_PER_BLOCK
            ordered = sorted(sheet.marks.values(), key=lambda m: (m.row, m.column))
            self.added[comments] = _comments_xml(ordered)
            self.added[drawing] = _vml(ordered, range(first_block, block + 1))
            for kind, part in (("comments", comments), ("vmlDrawing", drawing)):
                relationship_id = _free_id(rels)
                etree.SubElement(rels, f"{{{_PACKAGE_R}}}Relationship", Id=relationship_id, Type=_REL + kind)
                rels[-1].set("Target", "/" + part)
                if kind == "vmlDrawing":
                    sheet.drawing_id = relationship_id
            self.replaced[rels_part] = _serialise(rels)
            _override(self.types, comments, _COMMENTS_TYPE)
        if not any(d.get("Extension", "").lower() == "vml" for d in self.types.iterfind(f"{{{_TYPES}}}Default")):
            self.types.insert(0, etree.Element(f"{{{_TYPES}}}Default", Extension="vml", ContentType=_VML_TYPE))

    # Writing

    def write(self, target: Path) -> None:
        patched = {sheet.part: sheet for sheet in self.sheets}
        with ZipFile(target, "w", ZIP_DEFLATED, compresslevel=_COMPRESSION) as out:
            for item in self.package.infolist():
                name = item.filename
                if name in self.dropped:
                    continue
                if name == "[Content_Types].xml":
                    data = _serialise(self.types)
                elif name == self.workbook_part:
                    data = _serialise(self.workbook)
                elif name == self.workbook_rels_part:
                    data = _serialise(self.workbook_rels)
                elif name == self.styles_part:
                    continue  # written last: patching the sheets adds styles
                elif name in self.replaced:
                    data = self.replaced.pop(name)
                elif name in patched:
                    data = _patch_sheet(self.package.read(name), patched[name], self.styles)
                else:
                    data = self.package.read(name)
                out.writestr(ZipInfo(name, item.date_time), data, ZIP_DEFLATED, _COMPRESSION)
            for name, data in (self.replaced | self.added).items():
                out.writestr(name, data)
            out.writestr(self.styles_part, self.styles.serialise())


# Sheets


def _patch_sheet(data: bytes, sheet: _Sheet, styles: _Styles) -> bytes:
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
        drawing = f'<legacyDrawing xmlns:r="{_R}" r:id="{sheet.drawing_id}"/>'
        tail = tail[:at] + drawing + tail[at:]
    return (head + f"<sheetData>{rows}</sheetData>" + tail).encode()


def _patch_rows(rows: str, sheet: _Sheet, styles: _Styles) -> str:
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


def _new_row(number: int, marks: dict[int, Mark], styles: _Styles) -> str:
    cells = "".join(_new_cell(number, column, 0, marks[column], styles) for column in sorted(marks))
    return f'<row r="{number}">{cells}</row>'


def _new_cell(row: int, column: int, style: int, mark: Mark, styles: _Styles) -> str:
    return f'<c r="{get_column_letter(column)}{row}" s="{styles.marked(style, mark.is_error)}"/>'


def _patch_row(
    attributes: str, cells: str, number: int, marks: dict[int, Mark], formulas: _Formulas | None, styles: _Styles
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


def _restyle(tag: str, remap: Callable[[int], int]) -> str:
    return _STYLE_ATTRIBUTE.sub(lambda a: f"{a.group(1)}{a.group(2)}{remap(int(a.group(3)))}{a.group(2)}", tag)


# Styles


class _Styles:
    """The workbook's styles.xml, grown by the fills of the marks and the problem sheet's formats."""

    def __init__(self, root):
        if etree.QName(root).namespace != MAIN:
            raise CannotMark("styles in another namespace")
        self.root = root
        self.cell_formats = self._list("cellXfs")
        self.fills = self._list("fills")
        self.clones: dict[tuple[int, bool], int] = {}
        self.marking_fills: dict[bool, int] = {}

    def _list(self, name: str):
        found = self.root.find(f"{{{MAIN}}}{name}")
        if found is None:
            raise CannotMark(f"styles without {name}")
        return found

    def marked(self, style: int, is_error: bool) -> int:
        """A cell format like `style` but filled in the colour of the mark; one per (style, colour)."""
        key = (style, is_error)
        if key not in self.clones:
            if is_error not in self.marking_fills:
                fill = etree.SubElement(self.fills, f"{{{MAIN}}}fill")
                pattern = etree.SubElement(fill, f"{{{MAIN}}}patternFill", patternType="solid")
                etree.SubElement(pattern, f"{{{MAIN}}}fgColor", rgb=_COLOURS[is_error])
                etree.SubElement(pattern, f"{{{MAIN}}}bgColor", indexed="64")
                self.marking_fills[is_error] = len(self.fills) - 1
            if style >= len(self.cell_formats):
                raise CannotMark(f"a cell of style {style}, which styles.xml lacks")
            clone = deepcopy(self.cell_formats[style])
            clone.set("fillId", str(self.marking_fills[is_error]))
            clone.set("applyFill", "1")
            self.cell_formats.append(clone)
            self.clones[key] = len(self.cell_formats) - 1
        return self.clones[key]

    def graft(self, other) -> Callable[[int], int]:
        """Another workbook's cell formats appended with their fonts, fills, borders and number formats; maps its
        style ids to the new ones."""
        dxfs = other.find(f"{{{MAIN}}}dxfs")
        if dxfs is not None and len(dxfs):
            raise CannotMark("the problem sheet has differential formats")
        offsets = {}
        for name in ("fonts", "fills", "borders"):
            mine, theirs = self._list(name), other.find(f"{{{MAIN}}}{name}")
            offsets[name] = len(mine)
            mine.extend(deepcopy(list(theirs)) if theirs is not None else [])
        formats = self._number_formats(other)
        first = len(self.cell_formats)
        for xf in other.find(f"{{{MAIN}}}cellXfs"):
            xf = deepcopy(xf)
            for attribute, name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                xf.set(attribute, str(int(xf.get(attribute, 0)) + offsets[name]))
            xf.set("numFmtId", str(formats.get(int(xf.get("numFmtId", 0)), int(xf.get("numFmtId", 0)))))
            xf.set("xfId", "0")
            self.cell_formats.append(xf)
        return lambda style: style + first

    def _number_formats(self, other) -> dict[int, int]:
        """Their custom number formats under ids free here."""
        theirs = other.find(f"{{{MAIN}}}numFmts")
        if theirs is None or not len(theirs):
            return {}
        mine = self.root.find(f"{{{MAIN}}}numFmts")
        if mine is None:
            mine = etree.Element(f"{{{MAIN}}}numFmts")
            self.root.insert(0, mine)
        free = max([163, *(int(f.get("numFmtId")) for f in mine)]) + 1
        remap = {}
        for number_format in theirs:
            number_format = deepcopy(number_format)
            remap[int(number_format.get("numFmtId"))] = free
            number_format.set("numFmtId", str(free))
            mine.append(number_format)
            free += 1
        return remap

    def serialise(self) -> bytes:
        for element in self.root:
            if element.get("count") is not None:
                element.set("count", str(len(element)))
        return _serialise(self.root)


# Comments


def _comments_xml(marks: list[Mark]) -> bytes:
    """The comments as Excel writes them: one author, each text a run in Excel's own note font."""
    run = '<rPr><sz val="8"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'
    comments = "".join(
        f'<comment ref="{get_column_letter(m.column)}{m.row}" authorId="0"><text><r>{run}'
        f'<t xml:space="preserve">{escape(m.text)}</t></r></text></comment>'
        for m in marks
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<comments xmlns="{MAIN}"><authors><author>{_AUTHOR}</author></authors>'
        f"<commentList>{comments}</commentList></comments>"
    ).encode()


def _vml(marks: list[Mark], blocks: range) -> bytes:
    """The legacy drawing that Excel and LibreOffice show notes from, shaped as xlsxwriter writes it: a hidden box
    per comment beside its cell. Shape ids come in blocks of 1024, and `blocks` are this drawing's own, apart from
    any other drawing's."""
    start = blocks.start * _SHAPES_PER_BLOCK
    shapes = "".join(_vml_shape(mark, start + index) for index, mark in enumerate(marks, start=1))
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{",".join(map(str, blocks))}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f"{shapes}</xml>"
    ).encode()


def _vml_shape(mark: Mark, shape_id: int) -> str:
    width, height = _COMMENT_WIDTH, _COMMENT_HEIGHT + _COMMENT_LINE * mark.count
    row, column = mark.row - 1, mark.column - 1
    left, top = column + 1, max(row - 1, 0)
    right, right_offset = left + (15 + width) // _DEFAULT_COLUMN_PX, (15 + width) % _DEFAULT_COLUMN_PX
    bottom, bottom_offset = top + (10 + height) // _DEFAULT_ROW_PX, (10 + height) % _DEFAULT_ROW_PX
    anchor = f"{left}, 15, {top}, 10, {right}, {right_offset}, {bottom}, {bottom_offset}"
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        f'margin-top:1.5pt;width:{width * 0.75:g}pt;height:{height * 0.75:g}pt;z-index:1;visibility:hidden" '
        'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
        'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
        '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
        f"<x:SizeWithCells/><x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row>"
        f"<x:Column>{column}</x:Column></x:ClientData></v:shape>"
    )


def _vml_blocks(data: bytes) -> list[str]:
    return [n for found in _VML_BLOCKS.findall(data) for n in found.decode().replace(" ", "").split(",") if n]


# The package


def _parse(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False))


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _office_document(package: ZipFile) -> str:
    for relationship in _parse(package.read("_rels/.rels")):
        if relationship.get("Type") == _REL + "officeDocument":
            return _target("", relationship.get("Target"))
    raise CannotMark("no workbook in the package")


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(source_part: str, target: str) -> str:
    """A relationship's target as a part name: absolute ("/xl/...") or relative to the source part's folder."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _free_name(taken: set[str], pattern: str) -> str:
    number = 1
    while pattern.format(number) in taken:
        number += 1
    return pattern.format(number)


def _free_id(relationships) -> str:
    taken = {r.get("Id") for r in relationships}
    number = len(taken) + 1
    while f"rId{number}" in taken:
        number += 1
    return f"rId{number}"


def _override(types, part: str, content_type: str) -> None:
    etree.SubElement(types, f"{{{_TYPES}}}Override", PartName="/" + part, ContentType=content_type)
