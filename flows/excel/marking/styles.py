"""A workbook's styles.xml grown by what marking adds: a filled copy of each cell format a mark lands on, and the
formats the problem sheet asks for, after the clerk's."""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

from flows.excel.marking.parts import MAIN, CannotMark, CellFormat, serialise

_COLOURS = {True: "FFC7CE", False: "FFEB9C"}  # by is_error
_TEXT_FORMAT = "49"  # "@", built into every spreadsheet program


class Styles:
    """The workbook's styles.xml, grown by the fills of the marks and the problem sheet's formats."""

    def __init__(self, root):
        if etree.QName(root).namespace != MAIN:
            raise CannotMark("styles in another namespace")
        self.root = root
        self.cell_formats = self._list("cellXfs")
        self.fills = self._list("fills")
        self.fonts = self._list("fonts")
        self.clones: dict[tuple[int, bool], int] = {}
        self.solid_fills: dict[str, int] = {}
        self.added: dict[CellFormat, int] = {}

    def _list(self, name: str):
        found = self.root.find(f"{{{MAIN}}}{name}")
        if found is None:
            raise CannotMark(f"styles without {name}")
        return found

    def marked(self, style: int, is_error: bool) -> int:
        """A cell format like `style` but filled in the colour of the mark; one per (style, colour)."""
        key = (style, is_error)
        if key not in self.clones:
            if style >= len(self.cell_formats):
                raise CannotMark(f"a cell of style {style}, which styles.xml lacks")
            clone = deepcopy(self.cell_formats[style])
            clone.set("fillId", str(self._fill(_COLOURS[is_error])))
            clone.set("applyFill", "1")
            self.cell_formats.append(clone)
            self.clones[key] = len(self.cell_formats) - 1
        return self.clones[key]

    def add(self, wanted: CellFormat) -> int:
        """The id of a cell format as `wanted`, added with its font and fill; one per format."""
        if wanted not in self.added:
            font = etree.SubElement(self.fonts, f"{{{MAIN}}}font")
            if wanted.bold:
                etree.SubElement(font, f"{{{MAIN}}}b")
            etree.SubElement(font, f"{{{MAIN}}}sz", val=str(wanted.size))
            etree.SubElement(font, f"{{{MAIN}}}name", val="Calibri")
            etree.SubElement(font, f"{{{MAIN}}}family", val="2")
            xf = etree.SubElement(
                self.cell_formats,
                f"{{{MAIN}}}xf",
                numFmtId=_TEXT_FORMAT if wanted.text else "0",
                fontId=str(len(self.fonts) - 1),
                fillId=str(self._fill(wanted.fill)),
                borderId="0",
                xfId="0",
                applyFont="1",
            )
            if wanted.fill:
                xf.set("applyFill", "1")
            if wanted.text:
                xf.set("applyNumberFormat", "1")
            if wanted.wrap or wanted.top:
                xf.set("applyAlignment", "1")
                alignment = etree.SubElement(xf, f"{{{MAIN}}}alignment")
                if wanted.top:
                    alignment.set("vertical", "top")
                if wanted.wrap:
                    alignment.set("wrapText", "1")
            self.added[wanted] = len(self.cell_formats) - 1
        return self.added[wanted]

    def _fill(self, colour: str | None) -> int:
        """0, the workbook's own "none" fill, or a solid fill of `colour` (RGB), added once."""
        if colour is None:
            return 0
        if colour not in self.solid_fills:
            fill = etree.SubElement(self.fills, f"{{{MAIN}}}fill")
            pattern = etree.SubElement(fill, f"{{{MAIN}}}patternFill", patternType="solid")
            etree.SubElement(pattern, f"{{{MAIN}}}fgColor", rgb="FF" + colour)
            etree.SubElement(pattern, f"{{{MAIN}}}bgColor", indexed="64")
            self.solid_fills[colour] = len(self.fills) - 1
        return self.solid_fills[colour]

    def serialise(self) -> bytes:
        for element in self.root:
            if element.get("count") is not None:
                element.set("count", str(len(element)))
        return serialise(self.root)
