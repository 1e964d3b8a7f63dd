"""Untrusted XLSX workbooks, opened within limits: the zip is checked before openpyxl parses anything, and sheets
are read with caps on rows, columns, cells and cell length.

An XLSX file is a zip of XML parts, and what a small file makes a reader do is set by what is inside: a 30 KB
workbook whose rows each hold one cell in column XFD made openpyxl build 16,384 values a row (673 MB for 5,000
rows); compressed whitespace or one huge cell expands to gigabytes; a DOCTYPE may declare entities. So, before
openpyxl sees a workbook, :func:`check_workbook`

- reads the zip's end record and refuses more than ``MAX_WORKBOOK_PARTS`` parts (Python's zip reader holds an
  object for each);
- refuses encrypted parts, parts compressed other than by deflate (or stored), and a name given twice;
- checks each part's declared uncompressed size, their total (``MAX_WORKBOOK_BYTES``), the size of parts parsed
  whole (``MAX_WORKBOOK_PART_BYTES``) and the compression ratio of large parts (``MAX_COMPRESSION_RATIO``);
- decompresses every part, counting the bytes actually produced (the declared sizes are not trusted), and in each
  XML part looks for a DOCTYPE or an entity declaration, text longer than any cell may be (``MAX_XML_TEXT_BYTES``:
  whitespace between tags counts), more shared strings than ``MAX_SHARED_STRINGS``, and more elements than a
  streaming parser should hold at once (``MAX_XML_ELEMENTS`` outside a sheet's rows, ``MAX_ROW_ELEMENTS`` in one
  row: see :class:`_Elements`).

openpyxl parses with defusedxml, a dependency, when it is installed (its ``fromstring`` and ``iterparse``, which
the read-only mode uses), so entity expansion stays off even for a part this check did not look into.
:func:`sheet_rows` then reads a sheet ignoring its recorded dimensions and refuses, as it goes, a row past
``MAX_SHEET_ROWS``, a value past column ``MAX_COLUMNS``, more than ``MAX_SHEET_CELLS`` cells and a cell of more
than ``MAX_CELL_CHARS`` characters. Every breach is an :class:`InputError` naming the file and the limit.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from qimaturity._core.documents import text_problem
from qimaturity._core.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    MAX_SHEET_ROWS,
    MAX_WORKBOOK_BYTES,
    MAX_WORKBOOK_PART_BYTES,
    MAX_WORKBOOK_PARTS,
    MAX_XML_ELEMENTS,
    MAX_XML_TEXT_BYTES,
    RATIO_CHECKED_FROM,
)
from qimaturity._core.problems import InputError, Problem

SAVE_HINT = "open it in Excel and save it again as an Excel workbook (.xlsx), or export the sheet as CSV"
LIMIT_HINT = "split the workbook, or export the sheet as CSV"
_CHUNK = 64 * 1024
_END_RECORD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_RECORD = b"PK\x06\x06"
_MARKERS = tuple(
    text.encode(encoding) for text in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OVERLAP = max(len(marker) for marker in _MARKERS)
# Errors openpyxl lets through on a malformed workbook; each means bad input, not a bug of ours.
_READ_ERRORS = (
    ValueError,  # includes defusedxml's DTDForbidden and EntitiesForbidden
    LookupError,  # KeyError, IndexError, and an XML declaration that names an unknown encoding
    TypeError,
    AttributeError,
    ParseError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,  # zipfile's answer to a compression method it cannot read
)


def _refuse(name: str, message: str, hint: str = LIMIT_HINT) -> InputError:
    return InputError.single(name, message, hint)


def _part_count(path: Path, name: str) -> int:
    """The number of parts the zip's end record declares (zip64 included), read before Python's zip reader."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            start = max(0, size - (22 + 0xFFFF))
            handle.seek(start)
            tail = handle.read()
            at = tail.rfind(_END_RECORD)
            if at < 0 or at + 22 > len(tail):
                raise _refuse(name, "not an Excel workbook (.xlsx): it is not a zip file", SAVE_HINT)
            (count,) = struct.unpack_from("<H", tail, at + 10)
            if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != _ZIP64_LOCATOR:
                return int(count)
            (record,) = struct.unpack_from("<Q", tail, at - 20 + 8)
            handle.seek(record)
            head = handle.read(40)
            if len(head) < 40 or head[:4] != _ZIP64_END_RECORD:
                raise _refuse(name, "not an Excel workbook (.xlsx): its zip directory is damaged", SAVE_HINT)
            return int(struct.unpack_from("<Q", head, 32)[0])
    except OSError as exc:
        raise _refuse(name, f"cannot read the file: {exc.strerror}", "") from None


def check_workbook(path: Path, name: str) -> None:
    """Refuse, with an :class:`InputError` naming the file and the limit, a workbook whose zip would make a reader
    use more memory or time than the limits allow, or whose XML declares a DOCTYPE or entities. Reads the whole
    file once; keeps nothing."""
    count = _part_count(path, name)
    if count > MAX_WORKBOOK_PARTS:
        raise _refuse(
            name, f"the workbook has {count:,} parts (files in its zip), over the limit of {MAX_WORKBOOK_PARTS:,}"
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise _refuse(name, f"not an Excel workbook (.xlsx): {exc}", SAVE_HINT) from None
    with archive:
        infos = archive.infolist()
        seen: set[str] = set()
        total = 0
        for info in infos:
            part = info.filename
            if part in seen:
                raise _refuse(name, f"the workbook's zip holds the part '{part}' twice", SAVE_HINT)
            seen.add(part)
            if info.flag_bits & 0x1:
                raise _refuse(
                    name, f"the workbook's part '{part}' is encrypted", "save the workbook without a password"
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse(name, f"the workbook's part '{part}' uses an unusual compression", SAVE_HINT)
            _check_size(name, part, info.file_size, info.compress_size)
            total += info.file_size
            if total > MAX_WORKBOOK_BYTES:
                raise _refuse(name, f"the workbook unpacks to more than {MAX_WORKBOOK_BYTES:,} bytes, the limit")
        actual_total = 0
        strings = 0
        for info in infos:
            actual = _check_part(archive, info, name)
            actual_total += actual[0]
            strings += actual[1]
            if strings > MAX_SHARED_STRINGS:
                raise _refuse(name, f"the workbook has more than {MAX_SHARED_STRINGS:,} shared strings, the limit")


def _whole(part: str) -> bool:
    """A part openpyxl parses into one tree (sheets and shared strings it reads as a stream)."""
    lowered = part.lower()
    return not (lowered.startswith("xl/worksheets/") or lowered.endswith("sharedstrings.xml"))


def _xml(part: str) -> bool:
    return part.lower().endswith((".xml", ".rels", ".vml"))


def _check_size(name: str, part: str, size: int, compressed: int) -> None:
    if size > MAX_WORKBOOK_BYTES:
        raise _refuse(
            name,
            f"the workbook's part '{part}' unpacks to {size:,} bytes, over the limit of "
            f"{MAX_WORKBOOK_BYTES:,} for a whole workbook",
        )
    if _xml(part) and _whole(part) and size > MAX_WORKBOOK_PART_BYTES:
        raise _refuse(
            name,
            f"the workbook's part '{part}' unpacks to {size:,} bytes, over the limit of "
            f"{MAX_WORKBOOK_PART_BYTES:,} for a part read whole",
            SAVE_HINT,
        )
    if size > RATIO_CHECKED_FROM and size > MAX_COMPRESSION_RATIO * max(compressed, 1):
        raise _refuse(
            name,
            f"the workbook's part '{part}' unpacks {size // max(compressed, 1):,} times larger than it is stored, "
            f"over the limit of {MAX_COMPRESSION_RATIO}: a zip bomb, or padding",
            SAVE_HINT,
        )


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> tuple[int, int]:
    """Decompress one part, checking what it really holds; return its actual size and its shared strings."""
    part = info.filename
    xml = _xml(part)
    actual = run = 0
    previous = b""
    elements = _Elements(name, part)
    first = True
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                actual += len(chunk)
                if actual > info.file_size:
                    raise _refuse(name, f"the workbook's part '{part}' holds more than its declared size", SAVE_HINT)
                _check_size(name, part, actual, info.compress_size)
                if not xml:
                    continue
                if first:
                    first = False
                    start = chunk.lstrip(b" \t\r\n")
                    if start.startswith(codecs.BOM_UTF8):
                        start = start[len(codecs.BOM_UTF8) :].lstrip(b" \t\r\n")
                    if start and not start.startswith((b"<", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                        raise _refuse(name, f"the workbook's part '{part}' is not XML in UTF-8 or UTF-16", SAVE_HINT)
                window = previous + chunk
                if any(marker in window for marker in _MARKERS):
                    raise _refuse(
                        name,
                        f"the workbook's part '{part}' declares a DOCTYPE or entities, which workbooks never need",
                        SAVE_HINT,
                    )
                previous = chunk[-_OVERLAP:]
                elements.feed(chunk)
                first_tag = chunk.find(b"<")
                if run + (len(chunk) if first_tag < 0 else first_tag) > MAX_XML_TEXT_BYTES:
                    raise _refuse(
                        name,
                        f"the workbook's part '{part}' holds a text of more than {MAX_XML_TEXT_BYTES:,} bytes, "
                        f"the limit (a cell holds at most {MAX_CELL_CHARS:,} characters)",
                        SAVE_HINT,
                    )
                run = run + len(chunk) if first_tag < 0 else len(chunk) - chunk.rfind(b"<") - 1
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise _refuse(name, f"not an Excel workbook (.xlsx): part '{part}' is damaged ({exc})", SAVE_HINT) from None
    if actual != info.file_size:
        raise _refuse(name, f"the workbook's part '{part}' holds less than its declared size", SAVE_HINT)
    return actual, elements.strings


# A row of a sheet or a string of the shared strings: openpyxl parses each one whole, then clears it.
_CONTAINER = re.compile(rb"<(/?)(?:[A-Za-z_][-\w.]*:)?(row|si)(?=[\s/>])[^>]*?(/?)>")


class _Elements:
    """Counts the elements of an XML part that a streaming parser (openpyxl's) holds at once.

    openpyxl reads a sheet's rows and the shared strings one by one, clearing each when it is read; every other
    element stays in memory (about 400 bytes each) until the part ends. So the elements outside rows and shared
    strings are capped (``MAX_XML_ELEMENTS``: a part read whole counts every element), and those within one row or
    string too (``MAX_ROW_ELEMENTS``). An element is counted by its opening tag: ``<`` not followed by ``/``.
    """

    def __init__(self, name: str, part: str):
        self.name = name
        self.part = part
        self.carry = b""
        self.within = False
        self.outside = 0
        self.inside = 0
        self.strings = 0

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:  # a tag cut by the chunk's end: count it with the next chunk
            data, self.carry = data[:cut], data[cut:]
        else:
            self.carry = b""
        start = 0
        for match in _CONTAINER.finditer(data):
            self._count(data, start, match.start())
            start = match.end()
            if match.group(1):
                self.within, self.inside = False, 0
            elif not match.group(3):
                self.within = True
                if match.group(2) == b"si":
                    self.strings += 1
        self._count(data, start, len(data))

    def _count(self, data: bytes, start: int, end: int) -> None:
        count = data.count(b"<", start, end) - data.count(b"</", start, end)
        if not count:
            return
        if self.within:
            self.inside += count
            if self.inside > MAX_ROW_ELEMENTS:
                raise _refuse(
                    self.name,
                    f"the workbook's part '{self.part}' has a row or string of more than {MAX_ROW_ELEMENTS:,} "
                    "elements, the limit",
                    SAVE_HINT,
                )
        else:
            self.outside += count
            if self.outside > MAX_XML_ELEMENTS:
                raise _refuse(
                    self.name,
                    f"the workbook's part '{self.part}' has more than {MAX_XML_ELEMENTS:,} elements outside its "
                    "rows, the limit",
                    SAVE_HINT,
                )


def sheet_names(path: Path, name: str) -> list[str]:
    """The names of a workbook's sheets, hidden ones included, read from its ``xl/workbook.xml`` after
    :func:`check_workbook` (and without openpyxl, which would read the whole shared-strings table first); an empty
    list when the workbook has no such part."""
    check_workbook(path, name)
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                return []
            root = fromstring(archive.read("xl/workbook.xml"))
    except _READ_ERRORS as exc:
        raise _refuse(name, f"cannot read the workbook: {_first_line(exc)}", SAVE_HINT) from None
    return [str(sheet.get("name", "")) for sheet in root.iter() if str(sheet.tag).rpartition("}")[2] == "sheet"]


def open_workbook(path: Path, name: str, *, data_only: bool, what: str = "an Excel workbook (.xlsx)") -> Any:
    """Check a workbook (:func:`check_workbook`), then open it with openpyxl in read-only mode; the caller closes it.

    Raises :class:`InputError` for a workbook that breaks a limit or that openpyxl cannot read.
    """
    check_workbook(path, name)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
    except (InvalidFileException, *_READ_ERRORS) as exc:
        raise _refuse(name, f"cannot read the workbook as {what}: {_first_line(exc)}", SAVE_HINT) from None


class Formula(str):
    """The text of a formula cell (``=SUM(A1:A3)``), as :func:`sheet_rows` gives it with ``formulas=True``: never
    evaluated, and told apart from a text cell that starts with ``=``."""


def sheet_rows(sheet: Any, name: str, *, formulas: bool = False) -> Iterator[list[Any]]:
    """Every row of a read-only sheet, from row 1, as a list of values ending at the row's last value (empty rows
    are empty lists); refuses, as it reads, a sheet past the limits on rows, columns, cells and cell length.

    The dimensions a sheet records are ignored: a writer may record wrong ones, and a hostile one the whole sheet.
    With ``formulas``, a formula cell of a workbook opened with ``data_only=False`` comes as a :class:`Formula`
    (a text cell that starts with ``=`` stays a plain ``str``); without it, both are the same text.
    """
    title = str(sheet.title)
    sheet.reset_dimensions()
    cells = 0
    rows = sheet.iter_rows(values_only=True) if not formulas else _cell_rows(sheet)
    number = 0
    while True:
        try:
            row = next(rows, None)
        except _READ_ERRORS as exc:
            raise _refuse(name, f"cannot read the sheet '{title}': {_first_line(exc)}", SAVE_HINT) from None
        if row is None:
            return
        number += 1
        if number > MAX_SHEET_ROWS:
            raise InputError(
                [_cell(name, title, number, None, f"more than {MAX_SHEET_ROWS:,} rows, the limit", LIMIT_HINT)]
            )
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        if end > MAX_COLUMNS:
            raise InputError(
                [
                    _cell(
                        name,
                        title,
                        number,
                        end,
                        f"a value in column {end:,}, beyond the limit of {MAX_COLUMNS:,} columns",
                        "clear the cells on the right, or split the sheet",
                    )
                ]
            )
        cells += max(end, 1)
        if cells > MAX_SHEET_CELLS:
            raise InputError(
                [_cell(name, title, number, None, f"more than {MAX_SHEET_CELLS:,} cells, the limit", LIMIT_HINT)]
            )
        values = list(row[:end])
        for index, value in enumerate(values):
            if isinstance(value, str) and (found := text_problem(value)) is not None:
                # What a workbook brings in must read back from the answers files it becomes.
                raise InputError([_cell(name, title, number, index + 1, f"the cell {found[0]}", found[1])])
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise InputError(
                    [
                        _cell(
                            name,
                            title,
                            number,
                            index + 1,
                            f"a cell of {len(value):,} characters, over the limit of {MAX_CELL_CHARS:,}",
                            "shorten it",
                        )
                    ]
                )
        yield values


def _cell_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """A read-only sheet's rows as values, a formula cell's as a :class:`Formula`."""
    for row in sheet.iter_rows():
        yield tuple(_formula(cell.value) if cell.data_type == "f" else cell.value for cell in row)


def _formula(value: Any) -> Formula:
    """An array formula's value is an object holding its text; a data table's holds none."""
    text = value if isinstance(value, str) else getattr(value, "text", None)
    return Formula(text if isinstance(text, str) and text else "=")


def _cell(name: str, title: str, row: int, column: int | None, message: str, hint: str) -> Problem:
    from openpyxl.utils import get_column_letter

    if column is None:
        return Problem(name, row, None, f"/{title}/rows/{row}", f"sheet '{title}': {message}", hint)
    where = f"{get_column_letter(column)}{row}" if column <= 16_384 else f"row {row}, column {column}"
    return Problem(
        name, row, column, f"/{title}/rows/{row}/columns/{column}", f"sheet '{title}', {where}: {message}", hint
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
