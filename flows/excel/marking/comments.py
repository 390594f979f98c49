"""A marked sheet's comments part and the legacy VML drawing Excel and LibreOffice show notes from."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from openpyxl.utils.cell import get_column_letter

from flows.excel.marking.parts import MAIN, Mark

_AUTHOR = "staffq"
# A comment's box in pixels, as the openpyxl copy sizes it: wide enough for a message, taller for each more.
_COMMENT_WIDTH, _COMMENT_HEIGHT, _COMMENT_LINE = 320, 40, 30
SHAPES_PER_BLOCK = 1024
# Excel's default cell in pixels, to anchor a comment box beside its cell.
_DEFAULT_COLUMN_PX, _DEFAULT_ROW_PX = 64, 20
_VML_BLOCKS = re.compile(rb"""idmap\b[^>]*\bdata\s*=\s*["']([\d,\s]+)["']""")


def comments_xml(marks: list[Mark]) -> bytes:
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


def vml_drawing(marks: list[Mark], blocks: range) -> bytes:
    """The legacy drawing that Excel and LibreOffice show notes from, shaped as xlsxwriter writes it: a hidden box
    per comment beside its cell. Shape ids come in blocks of 1024, and `blocks` are this drawing's own, apart from
    any other drawing's."""
    start = blocks.start * SHAPES_PER_BLOCK
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


def vml_blocks(data: bytes) -> list[str]:
    return [n for found in _VML_BLOCKS.findall(data) for n in found.decode().replace(" ", "").split(",") if n]
