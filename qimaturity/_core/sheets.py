"""Sheets of rows for analysts, written alike in every workbook qimaturity exports (``score -o``, ``compare -o``).

Each sheet is one Excel table (a filter on every column, banded rows) under a frozen header row of stable machine
names (``organisation_id``, a domain's id); ``date`` columns hold real date cells (ISO text that is a calendar
date; anything else stays text); a column of measured values that the writer names, or one that holds a fraction
anywhere, shows every number with two decimals (number format ``0.00``) while the cell keeps the full value.
Cells are written by :func:`qimaturity._core.formulas.append_row`, so text never becomes a formula.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Iterable, Sequence
from contextlib import suppress
from datetime import date
from typing import Any

from qimaturity._core.formulas import _as_text, _xml_text, append_row, starts_like_formula

DATE_COLUMNS = frozenset({"date"})
"""Columns whose ISO dates are written as date cells."""

NUMBER_FORMAT = "0.00"
"""How a column of measured values shows its numbers: two decimals, as the reports print them."""

DATE_FORMAT = "yyyy-mm-dd"

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TABLE_NAME = re.compile(r"[^A-Za-z0-9_]")


def as_date(value: Any) -> Any:
    """An ISO calendar date (``2026-06-30``) as a :class:`datetime.date`; any other value as it is."""
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def write_table(
    sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], name: str, decimals: Collection[str] = ()
) -> int:
    """Write ``header`` and ``rows`` on an empty openpyxl ``sheet`` as one Excel table called ``name`` (letters,
    digits and underscores are kept; unique in its workbook): bold frozen header, a filter on every column, date
    cells for :data:`DATE_COLUMNS`, :data:`NUMBER_FORMAT` on the numbers of the ``decimals`` columns (measured
    values, even where every one is whole) and of any column holding a fraction. Returns
    the number of rows written under the header. A sheet without rows gets its header alone, and no table (Excel
    refuses a table without a row), as does one whose header repeats a name."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    dated = [i for i, key in enumerate(header) if key in DATE_COLUMNS]
    fractions = {i for i, key in enumerate(header) if key in decimals}
    count = 0
    for row in rows:
        values = list(row)
        for i in dated:
            values[i] = as_date(values[i])
        fractions.update(i for i, v in enumerate(values) if isinstance(v, float) and not v.is_integer())
        append_row(sheet, values)
        count += 1
    last = count + 1
    for i in dated:
        for line in range(2, last + 1):
            cell = sheet.cell(line, i + 1)
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for i in fractions:
        for line in range(2, last + 1):
            cell = sheet.cell(line, i + 1)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = NUMBER_FORMAT
    sheet.freeze_panes = "A2"
    # Excel repairs (drops) a table whose header repeats a name, case-insensitively; a domain id such as "date"
    # could repeat one: then the sheet keeps its rows and frozen header, without the table.
    if count and header and len({str(key).casefold() for key in header}) == len(header):
        table = Table(displayName=_TABLE_NAME.sub("_", name), ref=f"A1:{get_column_letter(len(header))}{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
    return count


class TableStream:
    """:func:`write_table` for a sheet of a write-only workbook (``Workbook(write_only=True)``), one row at a time:
    rows go to disk as they come, so that memory does not grow with them. The same table, header, dates and number
    formats, with one difference: all rows are not known in advance, so only the ``decimals`` columns get
    :data:`NUMBER_FORMAT` (a writer names every column that may hold a fraction). :meth:`close` adds the table."""

    def __init__(self, book: Any, title: str, header: Sequence[str], name: str, decimals: Collection[str] = ()) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self._cell = WriteOnlyCell
        self.sheet = book.create_sheet(title)
        self.sheet.freeze_panes = "A2"  # before the first row: a write-only sheet writes its view first
        self.header = list(header)
        self.name = name
        self.count = 0
        self._dated = frozenset(i for i, key in enumerate(header) if key in DATE_COLUMNS)
        self._decimals = frozenset(i for i, key in enumerate(header) if key in decimals)
        bold = Font(bold=True)
        cells = []
        for key in header:
            cell = WriteOnlyCell(self.sheet, value=_xml_text(str(key)))
            cell.data_type = "s"
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)

    def append(self, row: Sequence[Any]) -> None:
        """Write one row under the others, each value as :func:`write_table` writes it."""
        cells: list[Any] = []
        for i, value in enumerate(row):
            if isinstance(value, str):
                if i in self._dated:
                    day = as_date(value)
                    if day is not value:
                        cells.append(self._cell(self.sheet, value=day))
                        cells[-1].number_format = DATE_FORMAT
                        continue
                text = _xml_text(value)
                if starts_like_formula(text):  # every text starting with '=' (a formula to openpyxl) is one
                    cell = self._cell(self.sheet, value=text)
                    _as_text(cell)
                    cells.append(cell)
                else:
                    cells.append(text)  # a plain string cell
            elif i in self._decimals and isinstance(value, int | float) and not isinstance(value, bool):
                cell = self._cell(self.sheet, value=value)
                cell.number_format = NUMBER_FORMAT
                cells.append(cell)
            elif i in self._dated and isinstance(value, date):
                cell = self._cell(self.sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        self.sheet.append(cells)
        self.count += 1

    def close(self) -> int:
        """Add the table over the header and rows (none for a sheet without rows, or whose header repeats a name, as
        :func:`write_table`); returns the number of rows written under the header."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.table import Table, TableStyleInfo

        header = self.header
        if self.count and header and len({str(key).casefold() for key in header}) == len(header):
            last = self.count + 1
            table = Table(displayName=_TABLE_NAME.sub("_", self.name), ref=f"A1:{get_column_letter(len(header))}{last}")
            table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
            # A write-only sheet cannot read its header back: the table's columns are named here.
            table._initialise_columns()
            for column, key in zip(table.tableColumns, header, strict=True):
                column.name = _xml_text(str(key))
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
                self.sheet.add_table(table)
        return self.count


def discard(book: Any) -> None:
    """Remove the temporary files of a write-only workbook that will not be saved."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            # Closing the sheet ends its rows' XML before its file goes (else the rows end later, on a closed file).
            with suppress(Exception):
                sheet.close()
            with suppress(Exception):
                writer.cleanup()
