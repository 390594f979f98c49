"""The workbook's patch: planned on its small parts (the workbook, its relationships, content types and styles, parsed
whole) before any sheet is streamed, then written part by part, the parts nothing changes copied as they are."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from zipfile import ZIP_DEFLATED, BadZipFile, ZipFile, ZipInfo

import xlsxwriter
from lxml import etree
from openpyxl.formula.translate import TranslatorError

from flows.excel.marking.comments import SHAPES_PER_BLOCK, comments_xml, vml_blocks, vml_drawing
from flows.excel.marking.parts import (
    COMMENTS_TYPE,
    MAIN,
    PACKAGE_R,
    REL,
    TYPES,
    VML_TYPE,
    WORKBOOK_TYPE,
    WORKSHEET_TYPE,
    CannotMark,
    Mark,
    MarkedSheet,
    R,
    add_override,
    free_id,
    free_name,
    office_document,
    parse,
    part_target,
    relationships_part,
    serialise,
)
from flows.excel.marking.sheet_xml import patch_sheet
from flows.excel.marking.styles import Styles
from flows.excel.marking.written_sheets import WrittenSheet

# Parts that would run something on the clerk's machine, or that speak of formulas no longer there: links to other
# workbooks (a DDE link starts a program), the VBA project, and the calculation chain.
_DROPPED_RELATIONSHIPS = {"externalLink", "vbaProject", "calcChain"}
# What holds code this module cannot take out cleanly: Excel 4 macro sheets, dialog sheets, ActiveX controls.
_UNHANDLED_RELATIONSHIPS = ("xlMacrosheet", "xlIntlMacrosheet", "dialogsheet")
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


def mark_workbook(
    source: Path, first: WrittenSheet, marks: Iterable[Mark], target: Path, title_of: Callable[[str], str] = str
) -> None:
    """Write to `target` the workbook at `source` with `marks` filled and commented, its formulas inert, its links
    and macros gone, and `first` first and active (replacing a sheet of the same name). A mark's sheet is found by
    its name, else by `title_of` its name; marks on no sheet are left."""
    try:
        with ZipFile(source) as package:
            patch = _Patch(package)
            patch.put_first(first)
            patch.place_marks(list(marks), title_of)
            patch.write(target)
    except _UNREADABLE as error:
        raise CannotMark(f"cannot patch {source.name}: {error!r}") from error


def write_workbook(sheets: list[WrittenSheet], target: Path) -> None:
    """A workbook of `sheets`, in order: an empty workbook of sheets of their names (and print titles) from
    xlsxwriter, each sheet's part then replaced by its XML."""
    empty = io.BytesIO()
    with xlsxwriter.Workbook(empty, {"in_memory": True}) as workbook:
        for sheet in sheets:
            placeholder = workbook.add_worksheet(sheet.name)
            if sheet.title_row:
                placeholder.repeat_rows(sheet.title_row - 1)
    with ZipFile(empty) as package:
        patch = _Patch(package)
        patch.fill(sheets)
        patch.write(target)


class _Patch:
    """One workbook's patch, planned on its small parts before any sheet is streamed."""

    def __init__(self, package: ZipFile):
        self.package = package
        self.names = set(package.namelist())
        self.replaced: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.dropped: set[str] = set()
        if any(name.startswith("xl/activeX/") for name in self.names):
            raise CannotMark("ActiveX controls")
        self.workbook_part = office_document(package)
        self.workbook = parse(package.read(self.workbook_part))
        if etree.QName(self.workbook).namespace != MAIN:
            raise CannotMark(f"workbook in namespace {etree.QName(self.workbook).namespace} (Strict OOXML?)")
        self.workbook_rels_part = relationships_part(self.workbook_part)
        self.workbook_rels = parse(package.read(self.workbook_rels_part))
        self.types = parse(package.read("[Content_Types].xml"))
        self.styles_part = self._related_part("styles")
        self.styles = Styles(parse(package.read(self.styles_part)))
        self._drop_what_runs()
        self.sheets = self._sheets()

    # The workbook's parts

    def _related_part(self, kind: str) -> str:
        for relationship in self.workbook_rels:
            if relationship.get("Type") == REL + kind:
                return part_target(self.workbook_part, relationship.get("Target"))
        raise CannotMark(f"no {kind} part")

    def _sheets(self) -> list[MarkedSheet]:
        targets = {r.get("Id"): r for r in self.workbook_rels}
        sheets = []
        for sheet in self.workbook.find(f"{{{MAIN}}}sheets"):
            relationship = targets[sheet.get(f"{{{R}}}id")]
            kind = relationship.get("Type").rsplit("/", 1)[-1]
            if kind in _UNHANDLED_RELATIONSHIPS:
                raise CannotMark(f"a {kind} part")
            part = part_target(self.workbook_part, relationship.get("Target"))
            sheets.append(MarkedSheet(sheet.get("name"), part, kind == "worksheet"))
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
                self._drop_part(part_target(self.workbook_part, relationship.get("Target")))
        references = self.workbook.find(f"{{{MAIN}}}externalReferences")
        if references is not None:
            self.workbook.remove(references)
            # A name that points into a linked workbook ("[1]Sheet!A1") would point nowhere.
            names = self.workbook.find(f"{{{MAIN}}}definedNames")
            for name in list(names if names is not None else ()):
                if re.search(r"\[\d+\]", name.text or ""):
                    names.remove(name)
        for override in self.types.findall(f"{{{TYPES}}}Override"):
            if override.get("PartName") == "/" + self.workbook_part:
                override.set("ContentType", WORKBOOK_TYPE)

    def _drop_part(self, part: str) -> None:
        """A part, its relationships and the parts only they lead to (a VBA project's signature)."""
        self._forget(part)
        rels = relationships_part(part)
        if rels in self.names:
            self._forget(rels)
            for relationship in parse(self.package.read(rels)):
                if relationship.get("TargetMode") != "External":
                    self._drop_part(part_target(part, relationship.get("Target")))

    def _forget(self, part: str) -> None:
        """A part left out of the package, with its content type if it has its own."""
        self.dropped.add(part)
        for override in self.types.findall(f"{{{TYPES}}}Override"):
            if override.get("PartName") == "/" + part:
                self.types.remove(override)

    # Sheets staffq writes

    def fill(self, sheets: list[WrittenSheet]) -> None:
        """Each sheet of the workbook replaced by the sheet written of its name."""
        written = {sheet.name: sheet for sheet in sheets}
        for sheet in self.sheets:
            self.replaced[sheet.part] = written[sheet.name].xml(self.styles.add)

    def put_first(self, first: WrittenSheet) -> None:
        """`first` into this workbook, first and active, with its formats and print titles."""
        position = self._remove_sheet_named(first.name)
        part = free_name(self.names | set(self.added), "xl/worksheets/sheet{}.xml")
        self.added[part] = first.xml(self.styles.add)
        relationship_id = free_id(self.workbook_rels)
        etree.SubElement(
            self.workbook_rels,
            f"{{{PACKAGE_R}}}Relationship",
            Id=relationship_id,
            Type=REL + "worksheet",
            Target="/" + part,
        )
        add_override(self.types, part, WORKSHEET_TYPE)
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        ids = [int(s.get("sheetId")) for s in sheets]
        entry = etree.Element(f"{{{MAIN}}}sheet", name=first.name, sheetId=str(max(ids, default=0) + 1))
        entry.set(f"{{{R}}}id", relationship_id)
        sheets.insert(0, entry)
        self._renumber_local_names(position)
        if first.title_row:
            quoted = first.name.replace("'", "''")
            titles = etree.SubElement(self._defined_names(), f"{{{MAIN}}}definedName", name="_xlnm.Print_Titles")
            titles.set("localSheetId", "0")
            titles.text = f"'{quoted}'!${first.title_row}:${first.title_row}"
        for view in self.workbook.iterfind(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView"):
            view.set("activeTab", "0")
            view.attrib.pop("firstSheet", None)

    def _remove_sheet_named(self, name: str) -> int | None:
        """The clerk's sheet of that name (as Excel compares them), gone; its place among the sheets."""
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        for position, (entry, sheet) in enumerate(zip(sheets, self.sheets, strict=True)):
            if sheet.name.casefold() == name.casefold():
                sheets.remove(entry)
                for relationship in self.workbook_rels:
                    if relationship.get("Id") == entry.get(f"{{{R}}}id"):
                        self.workbook_rels.remove(relationship)
                self._forget(sheet.part)
                self._forget(relationships_part(sheet.part))
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

    def place_marks(self, marks: list[Mark], title_of: Callable[[str], str]) -> None:
        """Each mark on its sheet, and a comments part for each sheet marked."""
        by_name = {sheet.name: sheet for sheet in self.sheets if sheet.is_worksheet}
        for mark in marks:
            sheet = by_name.get(mark.sheet) or by_name.get(title_of(mark.sheet))
            if sheet is not None:
                sheet.marks[mark.row, mark.column] = mark
        self._comment_parts()

    def _comment_parts(self) -> None:
        """A comments part and its VML drawing for each marked sheet, related from the sheet."""
        taken = {int(n) for part in self.names if part.endswith(".vml") for n in vml_blocks(self.package.read(part))}
        block = max(taken, default=0)
        for sheet in self.sheets:
            if not sheet.marks:
                continue
            rels_part = relationships_part(sheet.part)
            if rels_part in self.names:
                rels = parse(self.package.read(rels_part))
                kinds = {r.get("Type").rsplit("/", 1)[-1] for r in rels}
                if kinds & {"comments", "threadedComment", "vmlDrawing"}:
                    raise CannotMark(f"sheet {sheet.name!r} already has comments or a VML drawing")
            else:
                rels = etree.Element(f"{{{PACKAGE_R}}}Relationships", nsmap={None: PACKAGE_R})
            taken_parts = self.names | set(self.added)
            comments = free_name(taken_parts, "xl/comments{}.xml")
            drawing = free_name(taken_parts, "xl/drawings/vmlDrawing{}.vml")
            first_block, block = block + 1, block + 1 + len(sheet.marks) // SHAPES_PER_BLOCK
            ordered = sorted(sheet.marks.values(), key=lambda m: (m.row, m.column))
            self.added[comments] = comments_xml(ordered)
            self.added[drawing] = vml_drawing(ordered, range(first_block, block + 1))
            for kind, part in (("comments", comments), ("vmlDrawing", drawing)):
                relationship_id = free_id(rels)
                etree.SubElement(rels, f"{{{PACKAGE_R}}}Relationship", Id=relationship_id, Type=REL + kind)
                rels[-1].set("Target", "/" + part)
                if kind == "vmlDrawing":
                    sheet.drawing_id = relationship_id
            self.replaced[rels_part] = serialise(rels)
            add_override(self.types, comments, COMMENTS_TYPE)
        if not any(d.get("Extension", "").lower() == "vml" for d in self.types.iterfind(f"{{{TYPES}}}Default")):
            self.types.insert(0, etree.Element(f"{{{TYPES}}}Default", Extension="vml", ContentType=VML_TYPE))

    # Writing

    def write(self, target: Path) -> None:
        patched = {sheet.part: sheet for sheet in self.sheets}
        with ZipFile(target, "w", ZIP_DEFLATED, compresslevel=_COMPRESSION) as out:
            for item in self.package.infolist():
                name = item.filename
                if name in self.dropped:
                    continue
                if name == "[Content_Types].xml":
                    data = serialise(self.types)
                elif name == self.workbook_part:
                    data = serialise(self.workbook)
                elif name == self.workbook_rels_part:
                    data = serialise(self.workbook_rels)
                elif name == self.styles_part:
                    continue  # written last: patching the sheets adds styles
                elif name in self.replaced:
                    data = self.replaced.pop(name)
                elif name in patched:
                    data = patch_sheet(self.package.read(name), patched[name], self.styles)
                else:
                    data = self.package.read(name)
                out.writestr(ZipInfo(name, item.date_time), data, ZIP_DEFLATED, _COMPRESSION)
            for name, data in (self.replaced | self.added).items():
                out.writestr(name, data)
            out.writestr(self.styles_part, self.styles.serialise())
