"""Exports never carry live formulas: hostile names come back as text from every CSV and XLSX qimaturity writes,
through the real command line, while numbers (negative ones too) stay numbers."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.formulas import csv_field, starts_like_formula
from qimaturity.scoring.tables import results_xlsx, write_csv

from .conftest import DATA, run_main

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\t=1"]
NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def hostile_answers(folder: Path) -> Path:
    """One answers file per hostile text: it is the organisation's name, type, region and a comment, and the
    next one is its id. The board gives lead-2 a 1 and the staff a 3, so the perception gap is negative (-2)."""
    folder.mkdir()
    for index, text in enumerate(HOSTILE):
        document = {
            "rubric": {"id": "mini", "version": "1.0"},
            "organisation": {"id": HOSTILE[(index + 1) % len(HOSTILE)], "name": text, "type": text, "region": text},
            "date": "2026-06-30",
            "respondents": [
                {"id": "b1", "group": "board", "answers": {"lead-1": 2, "lead-2": {"level": 1, "comment": text}}},
                {"id": "s1", "group": "staff", "answers": {"lead-1": 2, "lead-2": 3, "meth-1": 2}},
            ],
        }
        (folder / f"org-{index}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return folder


def hostile_export(path: Path, *, comment: bool = False) -> Path:
    """The same organisations as a respondent export (one row per respondent)."""
    header = ["organisation_id", "organisation_name", "organisation_type", "region", "date", "respondent", "group"]
    header += ["lead-1", "lead-2", "meth-1"] + (["lead-2 comment"] if comment else [])
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for index, text in enumerate(HOSTILE):
            org = [HOSTILE[(index + 1) % len(HOSTILE)], text, text, text, "2026-06-30"]
            for respondent, group, lead_2 in (("b1", "board", 1), ("s1", "staff", 3)):
                writer.writerow([*org, respondent, group, 2, lead_2, 2, *([text] if comment else [])])
    return path


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_csv_is_inert(text: str, column: str, expected: set[str]) -> list[dict[str, str]]:
    """No field of the CSV starts like a formula; the hostile texts are there, each behind a single quote; and
    the negative numbers are written as plain numbers."""
    rows = csv_rows(text)
    fields = [value for row in rows for value in row.values()]
    assert [f for f in fields if starts_like_formula(f)] == []
    assert {row[column] for row in rows} >= {"'" + t for t in expected}
    negatives = [f for f in fields if f.startswith("-")]
    assert negatives and all(NUMBER.match(f) for f in negatives)
    return rows


def assert_xlsx_is_inert(path: Path, expected: set[str]) -> None:
    """Every hostile text is a string cell with its exact value, no cell of the workbook is a formula (the raw sheet
    XML has no <f> element), and the negative numbers are numbers."""
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    book = load_workbook(path)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert expected <= texts
    # Marked "quote prefix" too, so that editing the cell in a spreadsheet does not make it a formula.
    assert all(cell.quotePrefix for cell in cells if cell.value in expected)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    numbers = [cell.value for cell in cells if cell.data_type == "n"]
    assert any(isinstance(v, int | float) and v < 0 for v in numbers)
    assert all(not isinstance(v, str) for v in numbers)


def test_score_csv_and_terminal_csv_neutralise_formulas_and_keep_negative_numbers(tmp_path):
    folder = hostile_answers(tmp_path / "answers")
    out = tmp_path / "scores.csv"
    result = run_main("score", MINI, str(folder), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = assert_csv_is_inert(out.read_text(encoding="utf-8"), "organisation_name", set(HOSTILE))
    assert {r["organisation_id"] for r in rows} == {"'" + t for t in HOSTILE}
    assert "-2" in {r["value"] for r in rows if r["scope"] == "perception_gap"}
    printed = run_main("score", MINI, str(folder), "--format", "csv")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_score_xlsx_writes_hostile_names_as_text_cells(tmp_path):
    out = tmp_path / "scores.xlsx"
    result = run_main("score", MINI, str(hostile_answers(tmp_path / "answers")), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert_xlsx_is_inert(out, set(HOSTILE))
    domains = load_workbook(out)["Organisations"]
    assert {c.value for c in domains["B"][1:]} == set(HOSTILE)


def test_compare_csv_and_xlsx_neutralise_group_names_and_organisations(tmp_path):
    folder = hostile_answers(tmp_path / "answers")
    out = tmp_path / "cohort.csv"
    options = ("--group-by", "region", "--min-cohort", "1")
    result = run_main("compare", MINI, str(folder), "-o", str(out), *options)
    assert result.returncode == 0, result.stderr
    rows = csv_rows(out.read_text(encoding="utf-8"))
    assert [f for row in rows for f in row.values() if starts_like_formula(f)] == []
    assert {r["group"] for r in rows} == {"All organisations", *("'" + t for t in HOSTILE)}
    workbook = tmp_path / "cohort.xlsx"
    result = run_main("compare", MINI, str(folder), "-o", str(workbook), *options)
    assert result.returncode == 0, result.stderr
    # The cohort has no negative number: check the formulas and the texts, and that values are numbers.
    with zipfile.ZipFile(workbook) as archive:
        assert not any(b"<f" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    book = load_workbook(workbook)
    organisations = book["Organisations"]
    header = [c.value for c in organisations[1]]
    by_name = {row[header.index("organisation_name")]: row for row in organisations.iter_rows(min_row=2)}
    assert set(by_name) == {c for c in by_name if c.data_type == "s"} and {c.value for c in by_name} == set(HOSTILE)
    for cells in by_name.values():
        for key in ("organisation_id", "type", "region", "group"):
            assert cells[header.index(key)].data_type == "s" and cells[header.index(key)].value in HOSTILE
        assert cells[header.index("score")].data_type == "n"


def test_score_export_csv_neutralises_formulas_like_score(tmp_path):
    pytest.importorskip("polars")
    export = hostile_export(tmp_path / "survey.csv")
    result = run_main("score-export", MINI, str(export))
    assert result.returncode == 0, result.stderr
    rows = assert_csv_is_inert(result.stdout, "organisation_name", {t for t in HOSTILE if t[0] not in "\t\r"})
    assert '\'=HYPERLINK("http://x","y")' in {r["organisation_id"] for r in rows}


@pytest.mark.slow
def test_questionnaire_template_writes_the_organisation_as_text_and_keeps_its_own_lookups(tmp_path):
    out = tmp_path / "form.xlsx"
    name = HOSTILE[0]
    result = run_main("questionnaire", MINI, "-o", str(out), "--organisation", name)
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value == name]
    assert len(cells) == 2 and all(cell.data_type == "s" for cell in cells)
    # The template's own look-ups stay formulas, and they are the only ones.
    formulas = [cell.value for row in book["Answers"].iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas and all(f.startswith("=IF($A") for f in formulas)
    with zipfile.ZipFile(out) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"HYPERLINK" not in b"".join(re.findall(rb"<f>.*?</f>", xml))


def test_import_writes_hostile_names_into_answers_files_exactly(tmp_path):
    """Answers files are YAML, not spreadsheets: nothing to neutralise, and nothing changed (import trims the
    spaces, tabs and line ends around every cell, so the texts that start with one are compared trimmed)."""
    export = hostile_export(tmp_path / "survey.csv", comment=True)
    out = tmp_path / "answers"
    result = run_main("import", MINI, str(export), "-o", str(out))
    assert result.returncode == 0, result.stderr
    documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.yaml"))]
    expected = {t.strip() for t in HOSTILE}
    assert {d["organisation"]["name"] for d in documents} == expected
    assert {d["organisation"]["id"] for d in documents} == expected
    comments = {d["respondents"][0]["answers"]["lead-2"]["comment"] for d in documents}
    assert comments == expected
    scored = run_main("score", MINI, str(out), "--format", "json")
    assert scored.returncode == 0, scored.stderr
    assert '"name":"=HYPERLINK(\\"http://x\\",\\"y\\")"' in scored.stdout  # several results: one per line


@pytest.mark.parametrize("number", ["-0.25", "+2", "-1e-05", "-3", ".5", "12"])
def test_plain_numbers_are_not_neutralised(number):
    assert csv_field(number) == number


@pytest.mark.parametrize("text", [*HOSTILE, "\r=1", "-", "+", "=", "-1-1", "- 2", "-inf", "-nan", "@", "-1e5x"])
def test_text_that_starts_like_a_formula_gets_a_quote(text):
    assert csv_field(text) == "'" + text


def test_characters_a_workbook_cannot_hold_become_a_replacement_character_not_a_crash(tmp_path):
    # Answers files refuse control characters, but a spreadsheet or survey export's cells may still carry them
    # to every writer.
    rubric = load_rubric(MINI)
    result = score(rubric, load_assessment(DATA / "answers" / "mini-two-groups.yaml", rubric))
    result = dataclasses.replace(result, organisation=dataclasses.replace(result.organisation, name="=A\u0001B\u001bC"))
    out = tmp_path / "scores.xlsx"
    out.write_bytes(results_xlsx([result]))
    cell = load_workbook(out)["Organisations"]["B2"]
    assert (cell.value, cell.data_type) == ("=A\ufffdB\ufffdC", "s")
    text = io.StringIO()
    write_csv([result], text)
    assert {r["organisation_name"] for r in csv_rows(text.getvalue())} == {"'=A\u0001B\u001bC"}
