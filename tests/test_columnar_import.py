"""The columnar importer (qimaturity.answers.columnar) against the row importer (qimaturity.answers.exports), the
reference: on every export, `import` writes the same bytes, or refuses with the same problems, whichever reads it.

The exports are generated (hypothesis) around the shape of a national export: organisation, name, type, region,
date, respondent and group columns, then questions; cells drawn from what surveys really hold (levels, level names,
N/A spellings, spaces, numbers as text, ids YAML would read as numbers, dates or true/false, characters libyaml
escapes) and from what they should not (a level off the scale, N/A where the question does not allow it, a group the
question is not asked of, an unknown group, a bad date, names that differ within an organisation, a quote inside a
cell, a row longer than the header).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qimaturity import InputError, load_rubric
from qimaturity.answers import columnar
from qimaturity.answers.columnar import columnar_answers
from qimaturity.answers.exports import write_answers
from qimaturity.answers.sources import import_documents, import_files
from qimaturity.rubric.model import Rubric

from .conftest import ROOT

RUBRIC = """\
id: mini-import
version: "1.2"
title: A rubric for importing
levels:
  - {value: 1, name: Low, descriptor: Little is in place.}
  - {value: 2, name: Mid, descriptor: Some is in place.}
  - {value: 3, name: High, descriptor: All is in place.}
respondent_groups:
  - {id: board, name: Board}
  - {id: staff, name: Frontline staff}
  - {id: "yes", name: Patients}
domains:
  - id: lead
    title: Leadership
    questions:
      - id: lead-1
        text: Leaders role-model improvement.
        respondents: [board, staff]
        levels:
          - {level: 1, descriptor: Rarely., next_step: Do more.}
          - {level: 2, descriptor: Sometimes., next_step: Do more.}
          - {level: 3, descriptor: Always.}
      - id: lead-2
        text: Leaders spend time at the front line.
        levels:
          - {level: 1, descriptor: Never., next_step: Do more.}
          - {level: 2, descriptor: Monthly., next_step: Do more.}
          - {level: 3, descriptor: Weekly.}
      - id: "true"
        text: A question whose id YAML reads as true.
        not_applicable: {allowed: true}
        levels:
          - {level: 1, descriptor: No., next_step: Do more.}
          - {level: 2, descriptor: Partly., next_step: Do more.}
          - {level: 3, descriptor: Fully.}
scoring:
  missing: MISSING
EVIDENCE
"""

COLUMNS = ["organisation_id", "organisation_name", "organisation_type", "region", "date", "respondent", "group"]
QUESTIONS = ["lead-1", "lead-2", "true"]

TRICKY_IDS = ["yes", "no", "null", "~", "1e3", "2026-01-02", "on", "1_000", "0x1F", "1:20", ".5", "+1", "012", "09"]
ANSWERS = st.sampled_from(
    ["1", "2", "3", " 2 ", "3.0", "", "", "", "N/A", "na", "Not applicable", " n.a. ", "NOT  applicable", "Mid", "high"]
)
BAD_ANSWERS = st.sampled_from(["4", "x", "0", "-99", "2.5"])
ORGANISATIONS = st.sampled_from(
    [
        "org-a",
        "org-b",
        "123",
        "0123",
        "08",
        "yes",
        "1e3",
        "1_000",
        "a@b.nhs.uk",
        "Née Trust",
        " org-a ",
        "o  b",
        "=HYPERLINK(1)",
        "2026-01-02",
        "null",
        "~",
        "- x",
        "# c",
        "a: b",
        "x" * 90,
        "y" * 101,
        "r\u00e9gion",
        "a\\Ub",
        "smile \U0001f600",
        "0x1F",
        "1:20",
        ".5",
        "+1",
        "'q'",
        'say "hi"',
    ]
)
RESPONDENTS = st.one_of(st.just(""), ORGANISATIONS, st.from_regex(r"[a-z][a-z0-9_.-]{0,6}|[0-9]{1,4}", fullmatch=True))
GROUPS = st.sampled_from(["board", "staff", "Board", "Frontline staff", "yes", "Patients", "", " board "])
CLEAN_DATES = st.sampled_from(["2026-01-02", "2025-12-31", "2026-01-02T10:00:00", "45000", " 2026-03-04 "])
DATES = st.one_of(CLEAN_DATES, st.just(""))
NAMES = st.sampled_from(["", "Trust A", "Trust  A", "Trust B", "yes", "123", "Ysbyty Môn"])


CLEAN_LEVELS = st.sampled_from(["1", "2", "3", " 2 ", "3.0", "", "Mid", "high", "Some is in place."])
CLEAN_ORGANISATIONS = st.sampled_from(
    [
        "org-a",
        "123",
        "0123",
        "08",
        "yes",
        "1e3",
        "a@b.nhs.uk",
        "Née Trust",
        " org-b ",
        "o  b",
        "=HYPERLINK(1)",
        "2026-01-02",
        "null",
        "~",
        "- x",
        "# c",
        "a: b",
        "x" * 90,
        "r\u00e9gion",
        "0x1F",
        "1:20",
        ".5",
        "+1",
        "'q'",
    ]
)


@st.composite
def exports(draw: st.DrawFn) -> dict[str, Any]:
    """An export: its rows, delimiter, line end, quoting and the rubric's missing-answer policy. A clean one has
    nothing a row importer would refuse, in cells as odd as surveys hold; a faulty one may have anything."""
    faults = draw(st.integers(0, 3)) == 0
    answer = st.one_of(ANSWERS, BAD_ANSWERS) if faults else ANSWERS
    level = answer if faults else CLEAN_LEVELS
    organisations = ORGANISATIONS if faults else CLEAN_ORGANISATIONS
    names: dict[str, tuple[str, str, str]] = {}
    rows = []
    for index in range(draw(st.integers(1, 12))):
        organisation = draw(organisations)
        if faults or organisation.strip() not in names:
            names[organisation.strip()] = (draw(NAMES), draw(NAMES), draw(st.sampled_from(["north", "", "south"])))
        respondent = draw(RESPONDENTS)
        if not faults and draw(st.booleans()):  # ids YAML would read as numbers, dates, true/false or null
            respondent = TRICKY_IDS[index % len(TRICKY_IDS)]
        group = draw(GROUPS if faults else st.sampled_from(["board", "staff", "", "Patients", " yes "]))
        cells = [
            organisation,
            *names[organisation.strip()],
            draw(DATES if faults else CLEAN_DATES),
            respondent if faults or not respondent or respondent in TRICKY_IDS else f"{respondent}-{index}",
            group,
            draw(level),
            draw(level),
            draw(answer),
        ]
        if not faults and group.strip().casefold() in ("yes", "patients"):
            cells[7] = ""  # lead-1 is not asked of patients
        rows.append(cells)
    fault = draw(st.sampled_from(FAULTS)) if not faults and draw(st.booleans()) else None
    if fault is not None:
        inject(rows, fault, draw(st.integers(0, len(rows) - 1)))
    header = list(COLUMNS) + list(QUESTIONS)
    if draw(st.booleans()):
        header[-3:] = ["Leaders role-model improvement.", "lead-2", "A question whose id YAML reads as true."]
    return {
        "header": header,
        "rows": rows,
        "delimiter": draw(st.sampled_from([",", ";", "\t"])),
        "end": draw(st.sampled_from(["\n", "\r\n"])),
        "quote": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "blank": draw(st.booleans()),
        "missing": draw(st.sampled_from(["error", "exclude"])),
        "evidence": draw(st.booleans()),
        "fault": fault,
        "oddity": draw(st.sampled_from([None, None, None, "long row", "quote inside", "lone cr"])) if faults else None,
    }


# One fault in an otherwise clean export: each is a refusal of the row importer (the last two only where the rubric
# says so) that the columnar importer must leave to it.
FAULTS = [
    "n/a not allowed",
    "off the scale",
    "not asked",
    "unknown group",
    "bad date",
    "names differ",
    "no organisation",
    "duplicate respondent",
    "long id",
    "unanswered question",
    "no date",
]


def inject(rows: list[list[str]], fault: str, at: int) -> None:
    row = rows[at]
    if fault == "n/a not allowed":
        row[8] = "N/A"
    elif fault == "off the scale":
        row[9] = "4"
    elif fault == "not asked":
        row[6], row[7] = "Patients", "2"
    elif fault == "unknown group":
        row[6] = "governors"
    elif fault == "bad date":
        row[4] = "31/12/2025"
    elif fault == "names differ":
        rows.append([*row[:1], row[1] + " (old name)", *row[2:5], "", *row[6:]])
    elif fault == "no organisation":
        row[0] = " "
    elif fault == "duplicate respondent":
        row[5] = "r-dup"
        rows.append([*row[:5], "r-dup", *row[6:]])
    elif fault == "long id":
        row[5] = "r" * 101
    elif fault == "unanswered question":
        for other in rows:
            if other[0].strip() == row[0].strip():
                other[8] = ""
    elif fault == "no date":
        for other in rows:
            if other[0].strip() == row[0].strip():
                other[4] = ""


def write_export(folder: Path, export: dict[str, Any]) -> Path:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=export["delimiter"], lineterminator=export["end"], quoting=export["quote"])
    writer.writerow(export["header"])
    for index, row in enumerate(export["rows"]):
        writer.writerow(row)
        if export["blank"] and index == 0:
            stream.write(export["end"])
    text = stream.getvalue()
    if export["oddity"] == "long row":
        text += export["delimiter"].join(["org-a", *[""] * 6, "1", "2", "3", "extra"]) + export["end"]
    elif export["oddity"] == "quote inside":
        text += export["delimiter"].join(["org-a", 'Tr"ust', *[""] * 5, "1", "2", "3"]) + export["end"]
    elif export["oddity"] == "lone cr":
        text = text.replace(export["end"], "\r", 1)
    path = folder / "export.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def rubric_for(folder: Path, export: dict[str, Any]) -> Rubric:
    evidence = "  evidence: {on_missing: cap, max_age_days: 365}" if export["evidence"] else ""
    path = folder / "rubric.yaml"
    path.write_text(RUBRIC.replace("MISSING", export["missing"]).replace("EVIDENCE", evidence), encoding="utf-8")
    return load_rubric(path)


def row_import(path: Path, rubric: Rubric, output: Path) -> dict[str, bytes] | tuple[Any, ...]:
    """What the row importer writes (file name -> bytes), or the problems it refuses the export with."""
    try:
        documents = import_documents(path, rubric)
    except InputError as error:
        return error.problems
    return _contents(write_answers(documents, output, source=path.name), output)


def fast_import(path: Path, rubric: Rubric, output: Path) -> dict[str, bytes] | tuple[Any, ...]:
    """What `import` writes (the columnar importer where it applies), or the problems it refuses the export with."""
    try:
        written = import_files(path, rubric, output)
    except InputError as error:
        return error.problems
    return _contents(written, output)


def _contents(written: list[Path], output: Path) -> dict[str, bytes]:
    """The files written, by their place in the output ("." for the output file itself)."""
    return {str(p.relative_to(output)): p.read_bytes() for p in written}


@pytest.mark.slow  # 300 generated exports, each imported both ways: about 15 s
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(export=exports())
def test_import_writes_what_the_row_importer_writes_or_refuses_alike(tmp_path: Path, export: dict[str, Any]) -> None:
    folder = tmp_path / "case"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = write_export(folder, export)
    rubric = rubric_for(folder, export)
    expected = row_import(path, rubric, folder / "rows")
    assert fast_import(path, rubric, folder / "columns") == expected
    found = columnar_answers(path, rubric, source=path.name)
    if isinstance(found, tuple):
        event("read by the columnar importer")
    elif found is None:
        event("left to the row importer")
    else:
        event("rows with problems left to the row importer")
    event(f"one fault: {export['fault']}")
    if isinstance(expected, tuple):  # refused: the columnar importer must not have written it
        assert not isinstance(found, tuple)


def clean_export(folder: Path, *, respondents: int = 40) -> Path:
    """An export with nothing the columnar importer leaves to the row importer."""
    rows = []
    for index in range(respondents):
        organisation = ["org-a", "123", "Née Trust", "yes"][index % 4]
        group = ["board", "staff", "yes"][index % 3]
        first = "" if group == "yes" else str(1 + index % 3)
        rows.append(
            [
                organisation,
                f"Trust {organisation}",
                "acute",
                "north",
                "2026-01-02",
                f"r{index}" if index % 5 else "",
                group,
                first,
                ["1", "2", "Mid", " 3 "][index % 4],
                "N/A" if index % 2 else "2",
            ]
        )
    path = folder / "export.csv"
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerows([COLUMNS + QUESTIONS, *rows])
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["error", "exclude"])
def test_a_clean_export_is_read_by_the_columnar_importer_and_gives_the_row_importers_files(
    tmp_path: Path, missing: str
) -> None:
    path = clean_export(tmp_path)
    rubric = rubric_for(tmp_path, {"missing": missing, "evidence": True})
    found = columnar_answers(path, rubric, source=path.name)
    assert isinstance(found, tuple), "the columnar importer left a clean export to the row importer"
    ids, texts = found
    # Organisations in order of first appearance; "yes" and "123" must be quoted in YAML to stay text.
    assert ids == ["org-a", "123", "Née Trust", "yes"]
    written = [yaml.safe_load(text) for text in texts]
    assert [d["organisation"]["id"] for d in written] == ids
    # Row 1 (index 0) is org-a's first respondent, without an id: "r1" in its organisation; its answers are
    # lead-1 "1" -> 1, lead-2 "1" -> 1 and "true" "2" -> 2.
    first = written[0]["respondents"][0]
    assert first == {"id": "r1", "group": "board", "answers": {"lead-1": 1, "lead-2": 1, "true": 2}}
    assert row_import(path, rubric, tmp_path / "rows") == fast_import(path, rubric, tmp_path / "columns")


def test_one_organisation_to_a_json_file_is_json_either_way(tmp_path: Path) -> None:
    path = clean_export(tmp_path, respondents=4)
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([text[0], *[line for line in text[1:] if line.startswith("org-a,")]]) + "\n")
    rubric = rubric_for(tmp_path, {"missing": "exclude", "evidence": False})
    expected = row_import(path, rubric, tmp_path / "rows.json")
    assert isinstance(expected, dict) and expected["."].startswith(b"{")
    assert fast_import(path, rubric, tmp_path / "columns.json") == expected


def same_either_way(
    folder: Path,
    text: str,
    *,
    mapping: dict[str, Any] | None = None,
    name: str = "export.csv",
    output: str = "out",
    rubric: Rubric | None = None,
) -> Any:
    """Import ``text`` both ways; assert the same outcome and return what the columnar importer made of it."""
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    rubric = rubric or rubric_for(folder, {"missing": "exclude", "evidence": False})
    try:
        expected: Any = _contents(
            write_answers(import_documents(path, rubric, mapping=mapping), folder / f"rows-{output}", source=path.name),
            folder / f"rows-{output}",
        )
    except InputError as error:
        expected = error.problems
    try:
        got: Any = _contents(import_files(path, rubric, folder / output, mapping=mapping), folder / output)
    except InputError as error:
        got = error.problems
    assert got == expected
    try:
        return columnar_answers(path, rubric, mapping, source=path.name)
    except InputError as error:
        return error


# Found by an adversarial review: each once broke the columnar importer (a Polars error, a file written that the
# row importer refuses, or answers taken from the wrong column).
def test_an_export_without_question_columns_is_refused_alike(tmp_path: Path) -> None:
    assert same_either_way(tmp_path, "organisation_id,respondent\norg-a,1\n") is None


def test_duplicate_headers_that_polars_cannot_rename_are_read_alike(tmp_path: Path) -> None:
    text = "organisation_id,x,x,x_duplicated_0,lead-1\norg-a,1,2,3,1\n"
    same_either_way(tmp_path, text, mapping={"ignore": ["x", "x_duplicated_0"]})


def test_headers_that_look_like_patterns_are_columns_by_position(tmp_path: Path) -> None:
    # "^lead.1$" normalises to question lead-1; the ignored "leadX1" must not be taken for it (it holds 3).
    text = "organisation_id,^lead.1$,leadX1,lead-2,true\norg-a,1,3,2,3\n"
    found = same_either_way(tmp_path, text, mapping={"ignore": ["leadX1"]})
    assert isinstance(found, tuple) and "lead-1: 1\n" in next(found[1])
    same_either_way(tmp_path, "organisation_id,^lead-1$,*,true\norg-a,1,2,3\n")


def test_the_column_limit_holds_for_the_columnar_importer(tmp_path: Path) -> None:
    text = "organisation_id,lead-1" + ",x" * 1999 + "\norg-a,1" + "," * 1999 + "\n"
    refused = same_either_way(tmp_path, text, mapping={"ignore": ["x"]})
    assert isinstance(refused, InputError) and "over the limit of 2,000" in str(refused)


def test_a_cell_longer_than_the_csv_reader_takes_is_refused_alike(tmp_path: Path) -> None:
    text = "organisation_id,lead-1,comments\n" + "org-a,1,\n" * 3 + f"org-a,2,{'x' * 140_000}\n"
    assert same_either_way(tmp_path, text, mapping={"ignore": ["comments"]}) is None


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x\nb: y.csv", "a\u2029b.csv", "x\n- y.csv"])
def test_one_organisation_to_json_whatever_the_file_is_called(tmp_path: Path, name: str) -> None:
    found = same_either_way(tmp_path, "organisation_id,lead-1\norg-a,1\n", name=name, output="one.json")
    assert isinstance(found, tuple)


def test_a_question_called_like_an_organisation_field_is_still_read_in_columns(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(RUBRIC.replace('id: "true"', "id: name").replace("MISSING", "exclude").replace("EVIDENCE", ""))
    text = "organisation_id,organisation_name,lead-1,name\norg-a,Trust A,1,2\n"
    assert isinstance(same_either_way(tmp_path, text, rubric=load_rubric(path)), tuple)


@pytest.mark.slow
def test_an_export_read_in_pieces_gives_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The columnar importer reads the export a few lines at a time and writes a few organisations at a time, so
    # that memory does not hold every cell of a large export; here every line is a piece of its own and each piece
    # of writing holds two organisations of 10 respondents (org-a, 123, Née Trust and yes take turns, row after
    # row): the files are still the row importer's, each organisation's respondents in the export's order.
    path = clean_export(tmp_path)
    rubric = rubric_for(tmp_path, {"missing": "exclude", "evidence": True})
    expected = row_import(path, rubric, tmp_path / "rows")
    monkeypatch.setattr(columnar, "_BYTES_PER_PIECE", 1)
    monkeypatch.setattr(columnar, "_ROWS_PER_PIECE", 20)
    found = columnar_answers(path, rubric, source=path.name)
    assert isinstance(found, tuple), "the columnar importer left a clean export to the row importer"
    assert found[0] == ["org-a", "123", "Née Trust", "yes"]
    assert fast_import(path, rubric, tmp_path / "columns") == expected
    assert len(expected) == 4


IMPORT_PEAK = """
import resource, sys
from pathlib import Path
from qimaturity import load_rubric
from qimaturity.answers.sources import import_files
import_files(Path(sys.argv[2]), load_rubric(sys.argv[1]), Path(sys.argv[3]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.slow
@pytest.mark.subprocess
def test_importing_four_times_the_respondents_takes_little_more_memory(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_columnar import make_export, write_rubric

    rubric_path = write_rubric(tmp_path)
    rubric = load_rubric(rubric_path)
    peaks = []
    for respondents in (20_000, 80_000):
        folder = tmp_path / str(respondents)
        folder.mkdir()
        export = next(p for p in make_export(rubric, respondents, 40, folder, csv=True) if p.suffix == ".csv")
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_PEAK, str(rubric_path), str(export), str(folder / "answers")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        peaks.append(int(done.stdout.strip().splitlines()[-1]))
        assert len(list((folder / "answers").iterdir())) == 40
    # 40 questions, 40 organisations. Measured: reading the export in one Polars query (every cell held as read on
    # the way) and sorting a copy of every row took the peak from 221 to 421 MiB; read in pieces of lines and
    # written a few organisations at a time, from 201 to 245 MiB (what the checks keep of each row, ~0.4 KB).
    small, large = peaks
    assert large - small < 100_000, (small, large)
