"""Any bytes given as a CSV export, a workbook or a respondent export give answers or problems, never another
exception: the readers' contract, checked with generated inputs (hypothesis) around a real export's shape."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qimaturity import load_rubric
from qimaturity._core.problems import InputError
from qimaturity.answers.exports import import_answers

from .conftest import QI_READINESS_1_1
from .hostile.corpus import _CONTENT_TYPES, _RELS, _WORKBOOK, _WORKBOOK_RELS, _csv, _sheet_parts, export_rows

RUBRIC = load_rubric(QI_READINESS_1_1)
GOOD = _csv(export_rows()).encode("utf-8")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that matter to a CSV reader, a decoder and a level parser, and a little of everything else.
CELL_TEXT = st.lists(
    st.sampled_from([*",;\t\"'\r\n\x00\x1b =+-@3NA/ôé\u2028\ufeff", "N/A", "board", "rx1", "\ud800"]), max_size=12
).map("".join)


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        try:
            documents = import_answers(path, RUBRIC)
        except InputError as error:
            assert error.problems, "an InputError must carry at least one problem"
            for problem in error.problems:
                assert problem.file == str(path)
        else:
            assert isinstance(documents, list)


@pytest.mark.slow  # 60 damaged files
@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_csv_export_give_answers_or_problems(data):
    _read(data, ".csv")


@pytest.mark.slow  # 60 damaged files
@FUZZ
@given(st.integers(0, len(GOOD)), st.binary(min_size=1, max_size=20))
def test_a_real_export_with_bytes_spliced_in_gives_answers_or_problems(at, splice):
    _read(GOOD[:at] + splice + GOOD[at:], ".csv")


@pytest.mark.slow  # 60 damaged files
@FUZZ
@given(st.integers(1, 7), st.integers(0, 36), CELL_TEXT)
def test_a_real_export_with_any_cell_gives_answers_or_problems(row, column, text):
    rows = export_rows()
    rows[row][min(column, len(rows[row]) - 1)] = text
    _read(_csv(rows).encode("utf-8", "surrogatepass"), ".csv")


def _workbook(sheet: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


GOOD_SHEET = "".join(_sheet_parts(export_rows())).encode("utf-8")


@pytest.mark.slow  # 60 damaged files
@FUZZ
@example(30, b"A")  # encoding="AUTF-8": the XML parser raised LookupError
@given(st.integers(0, len(GOOD_SHEET)), st.binary(min_size=1, max_size=30))
def test_a_workbook_with_bytes_spliced_into_its_sheet_gives_answers_or_problems(at, splice):
    _read(_workbook(GOOD_SHEET[:at] + splice + GOOD_SHEET[at:]), ".xlsx")


@pytest.mark.slow  # 60 damaged files
@FUZZ
@given(st.integers(0, 5000), st.binary(min_size=1, max_size=8))
def test_a_workbook_with_its_zip_bytes_damaged_gives_answers_or_problems(at, damage):
    data = bytearray(_workbook(GOOD_SHEET))
    at = at % len(data)
    data[at : at + len(damage)] = damage
    _read(bytes(data), ".xlsx")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_unfuzzed_files_are_read(suffix):
    # The generated inputs above start from these; they must be good, so that the properties reach deep.
    data = GOOD if suffix == ".csv" else _workbook(GOOD_SHEET)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        assert len(import_answers(path, RUBRIC)) == 1
