"""The pieces of an Office Open XML package that patching one needs: namespaces and content types, a part's
relationships and targets, free names and ids, what a mark is and the cell formats staffq asks for."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from zipfile import ZipFile

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_R = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = R + "/"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"


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


@dataclass(frozen=True)
class CellFormat:
    """A format a sheet staffq writes asks for: Calibri of `size` points, bold or not, filled with `fill` (RGB) or
    not, its text wrapped and set at the top of the cell or not, formatted as text ("@": Excel keeps what is typed
    there as typed) or not. A named font rather than the theme's: the sheet reads the same in every workbook."""

    bold: bool = False
    size: int = 11
    fill: str | None = None
    wrap: bool = False
    top: bool = False
    text: bool = False


@dataclass
class MarkedSheet:
    name: str
    part: str
    is_worksheet: bool
    marks: dict[tuple[int, int], Mark] = field(default_factory=dict)
    drawing_id: str = ""  # the relationship of its comments' drawing, once it has one


def parse(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False))


def serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def office_document(package: ZipFile) -> str:
    for relationship in parse(package.read("_rels/.rels")):
        if relationship.get("Type") == REL + "officeDocument":
            return part_target("", relationship.get("Target"))
    raise CannotMark("no workbook in the package")


def relationships_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def part_target(source_part: str, target: str) -> str:
    """A relationship's target as a part name: absolute ("/xl/...") or relative to the source part's folder."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def free_name(taken: set[str], pattern: str) -> str:
    number = 1
    while pattern.format(number) in taken:
        number += 1
    return pattern.format(number)


def free_id(relationships) -> str:
    taken = {r.get("Id") for r in relationships}
    number = len(taken) + 1
    while f"rId{number}" in taken:
        number += 1
    return f"rId{number}"


def add_override(types, part: str, content_type: str) -> None:
    etree.SubElement(types, f"{{{TYPES}}}Override", PartName="/" + part, ContentType=content_type)
