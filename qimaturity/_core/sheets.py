"""Sheets of rows for analysts, written alike in every workbook qimaturity exports (``score -o``, ``compare -o``).

Each sheet is one Excel table (a filter on every column, banded rows) under a frozen header row of stable machine
names (``organisation_id``, a domain's id); ``date`` columns hold real date cells (ISO text that is a calendar
date; anything else stays text); a column of measured values that the writer names, or one that holds a fraction
anywhere, shows every number with two decimals (number format ``0.00``) while the cell keeps the full value.
Cells are written by :func:`qimaturity._core.formulas.append_row`, so text never becomes a formula.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from qimaturity._core.formulas import append_row

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
