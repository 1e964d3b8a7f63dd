"""Hostile XLSX workbooks (qimaturity._core.workbooks): every limit refuses with exit 2 and the file named, through
the CLI.

The workbooks are written by hand with zipfile, each only as large as its limit needs, so that a test shows the
check that stops it (a zip bomb needs no gigabytes to be refused by its ratio).
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from qimaturity._core.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_CELLS,
    MAX_WORKBOOK_PARTS,
    MAX_XML_ELEMENTS,
    MAX_XML_TEXT_BYTES,
)
from qimaturity._core.workbooks import check_workbook

from .conftest import run_main

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>organisation_id</t></is></c></row>'


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(
    path: Path,
    rows: str = HEADER,
    *,
    dimension: str | None = None,
    strings: str | None = None,
    prolog: str = "",
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A one-sheet workbook written part by part, as a hostile tool could."""
    overrides = f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    relations = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if strings is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        relations += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'{declaration}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'{declaration}<Relationships xmlns="{PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{declaration}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{declaration}<Relationships xmlns="{PACKAGE_REL}">{relations}</Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'{declaration}{prolog}<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows}</sheetData></worksheet>',
        )
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", f'{declaration}<sst xmlns="{MAIN}">{strings}</sst>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def refused(path: Path, *phrases: str, commands: tuple[str, ...] = ("score", "import")) -> None:
    """Every command that reads answers refuses the file: exit 2, the file and each phrase named, no traceback."""
    for command in commands:
        args = [command, "qi-readiness", str(path)]
        if command == "import":
            args += ["-o", str(path.with_suffix(".yaml"))]
        result = run_main(*args)
        assert result.returncode == 2, (command, result.stderr)
        assert str(path) in result.stderr
        for phrase in phrases:
            assert phrase in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert not path.with_suffix(".yaml").exists()


def test_a_value_in_column_xfd_is_refused_with_the_cell_named(tmp_path):
    """What made a 30 KB workbook take 673 MB: each row with one cell in XFD was read as 16,384 values."""
    rows = HEADER + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 2002))
    refused(workbook(tmp_path / "wide.xlsx", rows), "XFD2", f"beyond the limit of {MAX_COLUMNS:,} columns")


@pytest.mark.slow
def test_sparse_cells_just_inside_the_column_limit_are_capped_by_the_cell_limit(tmp_path):
    letter = column_letter(MAX_COLUMNS)
    count = MAX_SHEET_CELLS // MAX_COLUMNS + 2
    rows = HEADER + "".join(f'<row r="{r}"><c r="{letter}{r}"><v>1</v></c></row>' for r in range(2, count + 2))
    refused(workbook(tmp_path / "sparse.xlsx", rows), f"more than {MAX_SHEET_CELLS:,} cells, the limit")


def test_a_dimension_of_the_whole_sheet_is_ignored_and_the_real_rows_are_read(tmp_path):
    path = workbook(tmp_path / "dimension.xlsx", dimension="A1:XFD1048576")
    result = run_main("import", "qi-readiness", str(path), "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 2
    assert "no column holds question" in result.stderr  # read as the one-cell sheet it is
    assert "limit" not in result.stderr


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path):
    text = "".join(chr(97 + (i * 7) % 26) for i in range(MAX_CELL_CHARS + 1))
    rows = HEADER + f'<row r="2"><c r="B2" t="inlineStr"><is><t>{text}</t></is></c></row>'
    refused(workbook(tmp_path / "long.xlsx", rows), "B2", f"over the limit of {MAX_CELL_CHARS:,}")


def test_a_shared_string_longer_than_any_cell_is_refused_before_it_is_parsed(tmp_path):
    text = "".join(chr(97 + (i * 7) % 26) for i in range(MAX_XML_TEXT_BYTES + 1))
    path = workbook(tmp_path / "string.xlsx", strings=f"<si><t>{text}</t></si>")
    refused(path, "xl/sharedStrings.xml", f"more than {MAX_XML_TEXT_BYTES:,} bytes")


@pytest.mark.slow
def test_too_many_shared_strings_are_refused(tmp_path):
    path = workbook(
        tmp_path / "strings.xlsx", strings="".join(f"<si><t>{i}</t></si>" for i in range(MAX_SHARED_STRINGS + 1))
    )
    refused(path, f"more than {MAX_SHARED_STRINGS:,} shared strings", commands=("score",))


@pytest.mark.slow
def test_elements_openpyxl_would_keep_outside_rows_are_capped(tmp_path):
    """Unknown elements of a sheet stay in openpyxl's memory (5 million took 2 GB); rows and strings are cleared."""
    rows = HEADER + "".join(f'<x a="{i}"/>' for i in range(MAX_XML_ELEMENTS + 1))
    refused(workbook(tmp_path / "elements.xlsx", rows), f"more than {MAX_XML_ELEMENTS:,} elements outside its rows")


def test_elements_within_one_row_are_capped(tmp_path):
    rows = HEADER + '<row r="2">' + "".join(f'<x a="{i}"/>' for i in range(MAX_ROW_ELEMENTS + 1)) + "</row>"
    refused(workbook(tmp_path / "row.xlsx", rows), f"a row or string of more than {MAX_ROW_ELEMENTS:,} elements")


@pytest.mark.slow
def test_many_rows_of_cells_are_not_elements_outside_rows(tmp_path):
    count = MAX_XML_ELEMENTS // 2 + 10  # more cells and rows than the limit of elements outside rows
    rows = HEADER + "".join(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c></row>' for r in range(2, count))
    check_workbook(workbook(tmp_path / "rows.xlsx", rows), "rows.xlsx")  # raises nothing


def test_compressed_whitespace_is_refused_by_its_compression_ratio(tmp_path):
    rows = HEADER + " " * (2 * 1024 * 1024)
    refused(workbook(tmp_path / "bomb.xlsx", rows), "xl/worksheets/sheet1.xml", "over the limit of 100")


def test_a_doctype_with_entities_is_refused(tmp_path):
    prolog = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    rows = HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row>'
    refused(workbook(tmp_path / "entities.xlsx", rows, prolog=prolog), "declares a DOCTYPE or entities")


def test_openpyxl_parses_with_defusedxml():
    """The second line of defence, for any part the zip check did not look into (read-only mode included)."""
    from openpyxl.reader import strings
    from openpyxl.worksheet import _reader
    from openpyxl.xml import functions

    for parse in (_reader.iterparse, strings.iterparse, functions.iterparse, functions.fromstring):
        assert parse.__module__.startswith("defusedxml"), parse


def _patch_central_directory(path: Path, part: str, *, flags: int | None = None, size: int | None = None) -> None:
    """Rewrite one field of a part's entry in the zip's central directory, as a hostile tool could write it."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (length,) = struct.unpack_from("<H", data, at + 28)
        if bytes(data[at + 46 : at + 46 + length]) == name:
            if flags is not None:
                struct.pack_into("<H", data, at + 8, flags)
            if size is not None:
                struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no entry for {part}")


def test_an_encrypted_part_is_refused(tmp_path):
    path = workbook(tmp_path / "encrypted.xlsx")
    _patch_central_directory(path, "xl/workbook.xml", flags=0x1)
    refused(path, "'xl/workbook.xml' is encrypted")


@pytest.mark.parametrize("size", [10, 10**6])
def test_a_part_that_lies_about_its_size_is_refused(tmp_path, size):
    """A declared size is not trusted: the bytes actually decompressed are counted."""
    rows = HEADER + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 2000))
    path = workbook(tmp_path / "liar.xlsx", rows)
    _patch_central_directory(path, "xl/worksheets/sheet1.xml", size=size)
    refused(path, "xl/worksheets/sheet1.xml")


@pytest.mark.slow
def test_more_parts_than_the_limit_are_refused_before_the_zip_is_read(tmp_path):
    extra = {f"customXml/item{i}.bin": b"" for i in range(MAX_WORKBOOK_PARTS + 1)}
    path = workbook(tmp_path / "parts.xlsx", extra=extra)
    refused(path, f"over the limit of {MAX_WORKBOOK_PARTS:,}", commands=("score",))


@pytest.mark.slow
def test_a_hostile_sheet_in_a_questionnaire_template_is_refused(tmp_path, blank_template):
    from openpyxl import load_workbook

    template = tmp_path / "form.xlsx"
    shutil.copy(blank_template, template)  # written by the questionnaire command
    book = load_workbook(template)
    book["Answers"]["XFD3"] = "x"
    book.save(template)
    refused(template, "sheet 'Answers', XFD", f"beyond the limit of {MAX_COLUMNS:,} columns")


def test_a_workbook_without_a_readable_worksheet_is_refused(tmp_path):
    path = workbook(tmp_path / "sheetless.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    relations = "xl/_rels/workbook.xml.rels"  # the sheet's relation points at a part the zip does not hold
    parts[relations] = parts[relations].replace(b"worksheets/sheet1.xml", b"worksheets/absent.xml")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    refused(path, "the workbook has no worksheet that can be read")
