"""A text file's bytes to characters: its BOM, UTF-8, UTF-8 with a few lines of another encoding, the Vietnamese
Windows code page, or text typed in a TCVN3 or VNI font."""

from __future__ import annotations

import codecs
import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from schemas.reading.faults import UnreadableFile
from schemas.reading.legacy_text import LEGACY_ENCODINGS, detect_legacy, to_unicode, to_unicode_as
from schemas.reading.limits import MEGABYTE

# How many lines holding 8-bit bytes decide whether a text file that is not all UTF-8 is mostly UTF-8.
_ENCODING_SAMPLE_LINES = 200
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class ReadWarning:
    """Something the reader had to decide that the clerk should know of; `code` and `params` become a file-level
    issue."""

    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Decoded:
    """A text file's characters as UTF-8 bytes for polars (the file's own bytes when they are UTF-8), and how they
    were decoded. As characters (`text`) only when asked: polars reads the bytes, and a long list's characters
    would take twice its size in memory."""

    utf8: bytes
    encoding: str
    warnings: tuple[ReadWarning, ...] = ()

    @functools.cached_property
    def text(self) -> str:
        return self.utf8.decode("utf-8")

    def first_lines(self, count: int) -> list[str]:
        """The first `count` lines, their line breaks kept, decoded from a prefix of the bytes."""
        prefix = 1 << 16
        while True:
            # A prefix may end inside a character: the decoder leaves an incomplete one out.
            lines = codecs.utf_8_decode(self.utf8[:prefix], "strict", False)[0].splitlines(keepends=True)
            if len(lines) > count or prefix >= len(self.utf8):
                return lines[:count]
            prefix *= 4


def decode(data: bytes) -> Decoded:
    """BOM first, then strict UTF-8 (line by line when a few lines are not UTF-8), then the Vietnamese Windows code
    page."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if not data.startswith(bom):
            continue
        if encoding == "utf-8-sig" and _is_utf8(data[len(bom) :]):
            return Decoded(data[len(bom) :], encoding)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8-sig" and (mixed := _decode_lines(data[len(bom) :], encoding)):
                return mixed
            raise UnreadableFile(
                f"tệp văn bản không đúng bảng mã {encoding} (ký tự hỏng ở vị trí {error.start})",
                f"the text is not valid {encoding} (bad byte at position {error.start})",
            ) from error
        return Decoded(text.encode(), encoding)
    if b"\x00" in data[:4096]:
        raise UnreadableFile("tệp nhị phân, không phải văn bản CSV", "a binary file, not CSV text")
    if _is_utf8(data):
        return Decoded(data, "utf-8")
    if mixed := _decode_lines(data, "utf-8"):
        return mixed
    # 8-bit text is Windows-1258, unless it was typed in a TCVN3 or VNI font: those bytes are font codes, which the
    # legacy converter reads from their Latin-1 spelling.
    encoding = _eight_bit_encoding(data)
    return Decoded(data.decode(encoding, errors="replace").encode(), encoding)


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are all UTF-8, found without making them characters: polars checks them as it casts bytes
    to text, in a fraction of the time Python takes to decode them, and holds them in half the memory."""
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


def _decode_lines(data: bytes, encoding: str) -> Decoded | None:
    """A UTF-8 file with a few lines in another encoding (rows pasted from an older list) keeps its UTF-8 lines: only
    the lines that are not UTF-8 are decoded as 8-bit text, and the clerk is told which. None when most lines are
    not UTF-8, for a file of 8-bit text is decoded whole. The file is decoded a block of lines at a time, and only
    a block that is not all UTF-8 line by line."""
    if not _mostly_utf8(data):
        return None
    view = memoryview(data)
    runs: list[tuple[bytes | memoryview, str | None]] = []  # the file's bytes in order, decoded; None: not UTF-8
    foreign: list[int] = []
    position, line_number = 0, 1
    while position < len(data):
        end = data.find(b"\n", position + MEGABYTE) + 1 or len(data)
        try:
            runs.append((view[position:end], codecs.utf_8_decode(view[position:end], "strict", True)[0]))
        except UnicodeDecodeError:
            for offset, line in enumerate(data[position:end].splitlines(keepends=True)):
                try:
                    runs.append((line, line.decode("utf-8")))
                except UnicodeDecodeError:
                    foreign.append(line_number + offset)
                    content = line.rstrip(b"\r\n")
                    line_break = line[len(content) :]
                    runs += [(content, None), (line_break, line_break.decode("ascii"))]
        line_number += line_breaks(data, position, end)
        position = end
    raw = [bytes(run) for run, text in runs if text is None]
    if _eight_bit_encoding(b"\n".join(raw)) == "latin-1":
        # Converted here, line by line: in the cleaning, a few legacy cells would have the file's Unicode cells that
        # fit in Latin-1 ("Ghi chú") read as legacy too.
        converted, fallback = _from_legacy([line.decode("latin-1") for line in raw])
    else:
        converted, fallback = [line.decode("cp1258", errors="replace") for line in raw], "Windows-1258"
    lines = iter(converted)
    decoded = [(run, text) if text is not None else (None, next(lines)) for run, text in runs]
    utf8 = b"".join(text.encode() if run is None else run for run, text in decoded)
    shown = ", ".join(map(str, foreign[:10])) + (", …" if len(foreign) > 10 else "")
    params = {"lines": shown, "encoding": "UTF-8", "fallback": fallback}
    return Decoded(utf8, encoding, (ReadWarning("file-encoding-mixed", params),))


def _from_legacy(lines: list[str]) -> tuple[list[str], str]:
    """Lines typed in a TCVN3 or VNI font, converted cell by cell, and the encoding: the one most cells read as,
    which also decides the cells too short to tell alone."""
    # Split at every separator a list can use, which are kept: what is converted is the text between them.
    parts = [re.split(r"([,;\t])", line) for line in lines]
    readings = [to_unicode(cell) for cells in parts for cell in cells[::2]]
    found = Counter(encoding for _, encoding in readings if encoding)
    encoding = found.most_common(1)[0][0] if found else LEGACY_ENCODINGS[0]
    cells = iter(text if read_as else to_unicode_as(text, encoding) or text for text, read_as in readings)
    return ["".join(part if i % 2 else next(cells) for i, part in enumerate(line)) for line in parts], encoding


def _mostly_utf8(data: bytes) -> bool:
    """Most of the first lines that hold 8-bit bytes are UTF-8; lines of plain ASCII say nothing either way."""
    utf8 = other = position = 0
    while utf8 + other < _ENCODING_SAMPLE_LINES and (found := _HIGH_BYTE.search(data, position)):
        start, position = _line_around(data, found.start(), position)
        try:
            data[start:position].decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other += 1
    return utf8 > other


def _line_around(data: bytes, at: int, floor: int) -> tuple[int, int]:
    """Where the line holding byte `at` starts and ends (before its line break), not looking back past `floor`."""
    start = max(data.rfind(b"\n", floor, at), data.rfind(b"\r", floor, at), floor - 1) + 1
    newline = data.find(b"\n", at)
    newline = len(data) if newline < 0 else newline
    carriage_return = data.find(b"\r", at, newline)
    return start, newline if carriage_return < 0 else carriage_return


def line_breaks(data: bytes, start: int, end: int) -> int:
    newlines, returns = data.count(b"\n", start, end), data.count(b"\r", start, end)
    return newlines + returns - (data.count(b"\r\n", start, end) if newlines and returns else 0)


def _eight_bit_encoding(data: bytes) -> str:
    """Windows-1258, or Latin-1 for text typed in a TCVN3 or VNI font, whose bytes the legacy converter reads."""
    return "latin-1" if _mostly_legacy(data.decode("latin-1")) else "cp1258"


def _mostly_legacy(text: str) -> bool:
    """Most cells with 8-bit letters in the first lines read as TCVN3 or VNI."""
    cells = [cell for line in text.splitlines()[:200] for cell in re.split(r"[,;\t]", line) if not cell.isascii()]
    return bool(cells) and sum(detect_legacy(cell) is not None for cell in cells) * 2 > len(cells)
