"""A workbook's styles.xml grown by what marking adds: a filled copy of each cell format a mark lands on, and the
problem sheet's own formats grafted after the clerk's."""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy

from lxml import etree

from flows.excel.marking.parts import MAIN, CannotMark, serialise

_COLOURS = {True: "FFFFC7CE", False: "FFFFEB9C"}  # by is_error
_STYLED_TAG = re.compile(r"<(?:c|row|col)\b[^>]*>")
_STYLE_ATTRIBUTE = re.compile(r"""(\s(?:s|style)\s*=\s*)(["'])(\d+)\2""")


class Styles:
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
        return serialise(self.root)


def restyled(xml: str, remap: Callable[[int], int]) -> str:
    """A sheet's XML with the style of every cell, row and column mapped by `remap` (its formats grafted here)."""
    return _STYLED_TAG.sub(lambda tag: _restyle(tag.group(0), remap), xml)


def _restyle(tag: str, remap: Callable[[int], int]) -> str:
    return _STYLE_ATTRIBUTE.sub(lambda a: f"{a.group(1)}{a.group(2)}{remap(int(a.group(3)))}{a.group(2)}", tag)
