"""Delimited text exports (CSV, TSV) from people the operator does not control: what both readers refuse.

The row importer (:mod:`qimaturity.answers.exports`) and the columnar scorer (:mod:`qimaturity.scoring.columnar`,
Polars) read the same kind of file; the checks a hostile file must meet are written once, here:

- :func:`text_encoding` reads the file once, in chunks, and decides how to decode it. A UTF-16 or UTF-8 byte-order
  mark decides; else a file that is valid UTF-8 is UTF-8. A file that is not decides by whether it holds any valid
  multi-byte UTF-8 sequence: if it does, part of it was written as UTF-8 and part in another encoding (typically
  rows pasted from Windows-1252 into a UTF-8 export), and it is refused at its first byte that is not UTF-8 (line
  and column); if it holds none, it is Windows-1252 throughout and read so (the importer only: the columnar
  scorer reads UTF-8). A NUL byte is refused at its line and column.
- :func:`check_header_width` refuses more than ``MAX_COLUMNS`` columns as soon as the header row is read.
- :func:`check_quoted_fields` refuses a quoted field that spans more than ``MAX_FIELD_LINES`` lines, or that
  holds a line that looks like a row of the export (as many delimiters as the header less one, and at least
  three): the signs of a quote that was opened and never closed, which would otherwise swallow the rows after it
  into one cell. The problem is placed at the line and column where the quote opened.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from qimaturity._core.documents import text_problem_at
from qimaturity._core.limits import MAX_COLUMNS, MAX_FIELD_LINES
from qimaturity._core.problems import InputError, Problem

UTF8_HINT = "save the export with UTF-8 encoding (in Excel: CSV UTF-8)"
QUOTE_HINT = "a quote that opens a cell must close it: add the missing closing quote, or double a quote inside a cell"
_CHUNK = 1024 * 1024
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629: no overlong forms, no surrogates).
_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _place(path: Path, offset: int, line: int, line_start: int) -> tuple[int, int]:
    """Line and character column (1-based) of a byte offset, the line's start being known."""
    with open(path, "rb") as handle:
        handle.seek(line_start)
        before = handle.read(offset - line_start)
    return line, len(before.decode("utf-8", errors="replace")) + 1


def text_encoding(path: Path, name: str, *, utf8_only: bool = False) -> str:
    """How to decode a delimited export: ``utf-16``, ``utf-8-sig``, ``utf-8`` or ``cp1252`` (see the module's
    documentation). Raises :class:`InputError` for a mix of encodings, a NUL byte, text that is neither UTF-8 nor
    Windows-1252, and (with ``utf8_only``) anything but UTF-8, each at its line and column."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                if utf8_only:
                    raise InputError.single(name, "the file is UTF-16 text; an export is read as UTF-8", UTF8_HINT)
                return "utf-16"  # NUL bytes are part of its characters: the decoded text is checked instead
            bom = head.startswith(codecs.BOM_UTF8)
            handle.seek(len(codecs.BOM_UTF8) if bom else 0)
            return _scan(path, handle, name, bom=bom, utf8_only=utf8_only)
    except OSError as exc:
        raise InputError.single(name, f"cannot read the file: {exc.strerror}") from None


def _scan(path: Path, handle: object, name: str, *, bom: bool, utf8_only: bool) -> str:
    read = handle.read  # type: ignore[attr-defined]
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = len(codecs.BOM_UTF8) if bom else 0
    line, line_start = 1, offset
    multibyte = False
    bad: int | None = None
    chunk_start = offset
    while True:
        chunk_start = offset - len(decoder.getstate()[0])
        chunk: bytes = read(_CHUNK)
        pending = len(decoder.getstate()[0])
        nul = chunk.find(b"\x00")
        limit = len(chunk) if nul < 0 else nul
        try:
            decoder.decode(chunk[:limit], final=not chunk)
        except UnicodeDecodeError as exc:
            bad = offset - pending + exc.start
            limit = max(0, bad - offset)
        line += chunk.count(b"\n", 0, limit)
        newline = chunk.rfind(b"\n", 0, limit)
        if newline >= 0:
            line_start = offset + newline + 1
        if bad is not None:
            break
        if nul >= 0:
            line_at, column = _place(path, offset + nul, line, line_start)
            raise InputError(
                [
                    Problem(
                        name,
                        line_at,
                        column,
                        "/",
                        "a NUL byte (0x00): the file is binary, or damaged",
                        "check that this is the export you meant, and save it again as CSV",
                    )
                ]
            )
        multibyte = multibyte or not chunk.isascii()  # valid so far: any byte over 0x7f is in a multi-byte sequence
        if not chunk:
            return "utf-8-sig" if bom else "utf-8"
        offset += len(chunk)
    byte_value = _byte_at(path, bad)
    line_at, column = _place(path, bad, line, line_start)
    mixed = bom or multibyte or _has_multibyte(path, chunk_start)
    if mixed:
        message = (
            f"the file mixes UTF-8 with another encoding (such as Windows-1252): byte 0x{byte_value:02x} here is "
            "not UTF-8, though other text is"
        )
    elif utf8_only:
        message = f"the file is not UTF-8 text (byte 0x{byte_value:02x}); it may be Windows-1252"
    else:
        problem = _cp1252_problem(path, name)
        if problem is None:
            return "cp1252"
        raise InputError([problem])
    raise InputError([Problem(name, line_at, column, "/", message, UTF8_HINT)])


def _byte_at(path: Path, offset: int) -> int:
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read(1)
    return data[0] if data else 0


def _has_multibyte(path: Path, start: int) -> bool:
    """Whether the file holds a well-formed multi-byte UTF-8 sequence from ``start`` on."""
    with open(path, "rb") as handle:
        handle.seek(start)
        carry = b""
        while chunk := handle.read(_CHUNK):
            if _MULTIBYTE.search(carry + chunk):
                return True
            carry = chunk[-3:]
    return False


def _cp1252_problem(path: Path, name: str) -> Problem | None:
    """A byte Windows-1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d), at its place; None if there is none."""
    raw = path.read_bytes()
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("cp1252", errors="replace")) + 1
        return Problem(
            name,
            line,
            column,
            "/",
            f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{raw[exc.start]:02x})",
            UTF8_HINT,
        )
    return None


def check_decoded(text: str, name: str) -> None:
    """Refuse, at its line and column, a character that answers files may not hold (a NUL, another control
    character but tab and line ends): what an export brings in must read back from the answers files it becomes."""
    found = text_problem_at(text)
    if found is None:
        return
    at, message, hint = found
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    if text[at] == "\x00":  # in UTF-16, whose bytes hold NULs, so that the byte scan leaves it to here
        message, hint = "a NUL character: the file is binary, or damaged", "save it again as CSV"
    else:
        message = f"the text {message}"
    raise InputError([Problem(name, line, column, "/", message, hint)])


def check_header_width(width: int, name: str, line: int = 1) -> None:
    """Refuse a row of more than ``MAX_COLUMNS`` cells (the header as soon as it is read)."""
    if width > MAX_COLUMNS:
        what = "the header has" if line == 1 else "the row has"
        raise InputError(
            [
                Problem(
                    name,
                    line,
                    None,
                    f"/rows/{line}",
                    f"{what} {width:,} columns, over the limit of {MAX_COLUMNS:,}",
                    "check the delimiter and the quoting, or split the export",
                )
            ]
        )


def check_quoted_fields(row: list[str], line: int, delimiter: str, width: int, name: str) -> None:
    """Refuse a field of ``row`` (which starts at ``line``) that looks like a quote left open: see the module."""
    for index, field in enumerate(row):
        breaks = len(_LINE_BREAK.findall(field)) if ("\n" in field or "\r" in field) else 0
        if breaks:
            lines = _LINE_BREAK.split(field)
            if len(lines) > MAX_FIELD_LINES:
                raise InputError(
                    [
                        _quote_problem(
                            name,
                            line,
                            index,
                            f"a quoted cell that opens here spans {len(lines):,} lines, over the limit of "
                            f"{MAX_FIELD_LINES}: is its closing quote missing?",
                        )
                    ]
                )
            rowlike = max(3, width - 1)
            for offset, text in enumerate(lines[1:], start=1):
                if text.count(delimiter) >= rowlike:
                    raise InputError(
                        [
                            _quote_problem(
                                name,
                                line,
                                index,
                                f"a quoted cell that opens here holds line {line + offset}, which looks like a row "
                                "of the export: is its closing quote missing?",
                            )
                        ]
                    )
        line += breaks


def unclosed_quote(name: str, line: int, column: int) -> InputError:
    """A quote opened at ``line``, ``column`` (1-based) that the file never closes."""
    return InputError([_quote_problem(name, line, column - 1, "a quote opens a cell here and is never closed")])


def _quote_problem(name: str, line: int, index: int, message: str) -> Problem:
    return Problem(name, line, index + 1, f"/rows/{line}/columns/{index + 1}", message, QUOTE_HINT)


def check_quotes_closed(path: Path, name: str, delimiter: str = ",") -> None:
    """The quote checks of :func:`check_quoted_fields`, made on the file's bytes in chunks before another reader
    (Polars) parses it: a quoted cell may span up to ``MAX_FIELD_LINES`` lines, none of which looks like a row of
    the export, and must close before the end of the file.

    A line of well-quoted cells holds an even number of quotes (each cell's pair, and each doubled quote inside), so
    a line with an odd number opens a cell it does not close (at its last quote), or closes one an earlier line
    opened. Only chunks with a quote in them, or inside an open cell, are looked at line by line.
    """
    mark = delimiter.encode()
    line = 1
    carry = b""
    width = 0
    opened: tuple[int, int] | None = None  # line and column of the quote of a cell still open
    try:
        with open(path, "rb") as handle:
            while True:
                chunk = handle.read(_CHUNK)
                data = carry + chunk
                end = data.rfind(b"\n") if chunk else len(data)
                if end < 0:
                    carry = data
                    continue
                complete, carry = data[:end], data[end + 1 :]
                if b'"' in complete or opened is not None:
                    for offset, text in enumerate(complete.split(b"\n")):
                        width = width or text.count(mark) + 1
                        if opened is not None:
                            inside = text[: text.find(b'"')] if b'"' in text else text
                            if inside.count(mark) >= max(3, width - 1):
                                raise _quote_error(name, opened, f"holds line {line + offset}, which looks like a row")
                            if line + offset - opened[0] + 1 > MAX_FIELD_LINES:
                                raise _quote_error(name, opened, f"spans more than {MAX_FIELD_LINES} lines, the limit")
                        if text.count(b'"') % 2:
                            if opened is None:
                                opened = (line + offset, _cell_number(text[: text.rfind(b'"')], mark))
                            else:
                                opened = None
                else:
                    width = width or complete.split(b"\n", 1)[0].count(mark) + 1
                line += complete.count(b"\n") + 1
                if not chunk:
                    break
    except OSError as exc:
        raise InputError.single(name, f"cannot read the file: {exc.strerror}") from None
    if opened is not None:
        raise unclosed_quote(name, *opened)


def _cell_number(before: bytes, mark: bytes) -> int:
    """The number (1-based) of the cell that starts after ``before``, a line's text: delimiters in quotes are not
    counted."""
    cells, quoted = 1, False
    for byte in before:
        if byte == 0x22:
            quoted = not quoted
        elif byte == mark[0] and not quoted:
            cells += 1
    return cells


def _quote_error(name: str, opened: tuple[int, int], what: str) -> InputError:
    line, column = opened
    return InputError(
        [_quote_problem(name, line, column - 1, f"a quoted cell that opens here {what}: is its closing quote missing?")]
    )
