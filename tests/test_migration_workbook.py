"""A rubric's migration maps in its workbook: the Migrations sheet a person reads (a row per map, per entry, per
domain), read back the same (tests/test_rubric_xlsx.py holds every rubric to that, these fixtures included), and
edited badly: each problem at its cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from qimaturity import InputError
from qimaturity.rubric.workbook import MIGRATIONS, read_rubric_workbook, rubric_to_xlsx

from .conftest import DATA

V2 = DATA / "migration" / "clinic-2.0.0.yaml"


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return rubric_to_xlsx(V2, tmp_path / "clinic.xlsx")


@pytest.mark.slow
def test_the_migrations_sheet_reads_as_the_map(book_path: Path):
    rows = list(load_workbook(book_path)[MIGRATIONS].iter_rows(values_only=True))
    assert rows == [
        ("from", "old", "new", "combine", "levels", "dropped", "domain", "comparable", "note"),
        ("1.0.0", *[None] * 7, "Version 2.0.0 split, merged and re-anchored questions; see each domain."),
        (None, "lead-time-and-money", "[lead-time, lead-budget]", *[None] * 6),
        (
            None,
            "lead-stability",
            None,
            None,
            None,
            "Stability is now asked as lead-succession; the old answer does not say it.",
            None,
            None,
            None,
        ),
        (None, "meth-one-method", "meth-agreed-approach", *[None] * 6),
        (None, "[cult-ideas-a, cult-ideas-b]", "cult-ideas", "min", *[None] * 5),
        (None, "pat-demographics", "pat-equity", None, "{1: 1, 2: 1, 3: 2, 4: 3}", *[None] * 4),
        (
            *[None] * 6,
            "lead",
            False,
            "Time and money were asked together before 2.0.0, and stability is no longer asked.",
        ),
    ]


def test_a_rubric_without_maps_has_no_migrations_sheet(tmp_path: Path):
    book = load_workbook(rubric_to_xlsx(DATA / "migration" / "clinic-1.0.0.yaml", tmp_path / "v1.xlsx"))
    assert MIGRATIONS not in book.sheetnames


def edit(path: Path, cells: dict[str, object]) -> Path:
    book = load_workbook(path)
    sheet = book[MIGRATIONS]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as raised:
        read_rubric_workbook(path)
    return [f"{p.path}: {p.message}" + (f" ({p.hint})" if p.hint else "") for p in raised.value.problems]


def test_an_edit_that_breaks_the_map_is_placed_at_its_cell(book_path: Path):
    edit(
        book_path,
        {
            "C3": "[lead-time, lead-budgett]",  # an unknown new id
            "B5": "lead-time-and-money",  # the same old question twice
            "E7": "one to one",  # levels that are no mapping
            "A10": 1.0,  # a second map, its version a number
        },
    )
    assert problems(book_path) == [
        "Migrations!C3: new: unknown question 'lead-budgett' (did you mean 'lead-budget'?)",
        "Migrations!B5: old question 'lead-time-and-money' is mapped twice in this map (the other entry at "
        "Migrations!B3) (an old question goes one way: list all its new questions in one entry (a split))",
        "Migrations!E7: levels: 'one to one' is not old level -> new level pairs (write old level: new level pairs, "
        "e.g. {1: 1, 2: 1, 3: 2})",
        "Migrations!A10: from: the version is a number in this cell (1), and a spreadsheet drops the zeros at the "
        "end of a number (1.10 shows as 1.1) (type it as text: an apostrophe first, e.g. '1.0.0)",
    ]


@pytest.mark.slow
def test_rows_of_the_wrong_kind_are_refused(book_path: Path):
    book = load_workbook(book_path)
    sheet = book[MIGRATIONS]
    sheet.insert_rows(2)
    sheet["B2"] = "early-entry"  # an entry before any map
    sheet["D3"] = "min"  # nothing goes in combine on a map's row
    sheet["H11"] = True  # a row with only comparable
    book.save(book_path)
    found = problems(book_path)
    assert found[:3] == [
        "Migrations!B2: an entry's row before any map (start the map with a row of its own, its earlier version in "
        "'from')",
        "Migrations!D3: combine: nothing goes in this column on a map's row (a map's row holds from, comparable and "
        "note)",
        "Migrations!H11: a row without 'from' (a map), 'old' (an entry) or 'domain' (start a map with its earlier "
        "version in 'from'; under it, an entry's old question in 'old')",
    ]
