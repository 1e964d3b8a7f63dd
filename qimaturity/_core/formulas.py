"""Text that a spreadsheet would run as a formula, made inert in every CSV and XLSX qimaturity writes.

Organisation names, ids, groups, comments and rubric titles come from people the operator does not control. A
spreadsheet treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(OWASP, "CSV injection"), which can fetch URLs or run commands when the file is opened. One rule, here, for every
writer:

- CSV: such a field gets a single quote in front (``=1+1`` is written ``'=1+1``), unless it is a plain number
  (``-0.25``, ``+2``, ``-1e-05``), so that analysts' numbers stay numbers.
- XLSX: text is always written as a string cell, never a formula, and a string that starts like a formula is also
  marked "quote prefix", so that editing the cell in Excel or LibreOffice does not turn it into one. Numbers stay
  numbers. Characters a workbook cannot hold (control characters other than tab and line ends, lone surrogates)
  become U+FFFD, so that the workbook is never corrupt and the rest of the text is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula (a plain number such as ``-0.25`` is not one)."""
    return text.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.match(text) is None


def csv_field(value: Any) -> Any:
    """A CSV field made inert: text that starts like a formula gets a leading single quote; anything else as is."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every field of a row, as :func:`csv_field` writes it."""
    return {key: csv_field(value) for key, value in row.items()}


def put_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write a value into an openpyxl worksheet cell: text is a string cell (never a formula), numbers stay
    numbers. Returns the cell."""
    cell = sheet.cell(row, column)
    cell.value = _xml_text(value)
    if isinstance(value, str):
        _as_text(cell)
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet as :func:`put_cell` writes each value."""
    from openpyxl.cell.cell import Cell

    # Cells made here and appended whole: finding the row just appended (max_row) scans every cell of the sheet,
    # which made a sheet of n rows cost n² (10 s for 1,000 organisations).
    cells = []
    for value in values:
        cell = Cell(sheet, value=_xml_text(value))
        if isinstance(value, str):
            _as_text(cell)
        cells.append(cell)
    sheet.append(cells)


def _xml_text(value: Any) -> Any:
    return _NOT_IN_XML.sub("\ufffd", value) if isinstance(value, str) else value


def _as_text(cell: Any) -> None:
    # openpyxl makes any str that starts with "=" a formula (data_type "f"); "s" writes it as an inline string.
    cell.data_type = "s"
    if starts_like_formula(cell.value):
        cell.quotePrefix = True
