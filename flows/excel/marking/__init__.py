"""The clerk's own .xlsx marked by patching its package, not by loading it: each cell with a problem filled red or
yellow and explained in a comment, every formula turned into its inert text, links to other workbooks and macros
dropped, and a sheet staffq writes (the problem sheet) put first, its XML written straight into the package
(flows.excel.marking.written_sheets). Parts nothing changes are copied as they are; a marked sheet's XML is
rewritten only in the rows it marks (or that hold a formula), by regular expressions over the text, so the cost
follows the marks rather than the size of the list. The small parts (styles, the workbook, relationships, content
types) are parsed whole. `write_workbook` makes a workbook of sheets staffq writes the same way, into an empty one.

Whatever this does not know how to patch safely raises `CannotMark`: the caller then copies the workbook the slow
way, through openpyxl."""

from flows.excel.marking.parts import CannotMark, CellFormat, Mark
from flows.excel.marking.workbook import mark_workbook, write_workbook
from flows.excel.marking.written_sheets import WrittenSheet

__all__ = ["CannotMark", "CellFormat", "Mark", "WrittenSheet", "mark_workbook", "write_workbook"]
