"""What a new user meets first: answers scored against the wrong rubric, a folder holding more than answers files,
survey exports whose cells are choice labels ("3 - Developing"), and the same problem in many cells."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import DATA, ROOT, RUBRICS, run_main

IMPORTS = DATA / "imports"
MSFORMS_MAP = IMPORTS / "msforms.yaml"
RUBRIC_1_1 = RUBRICS / "qi-readiness-1.1.0.yaml"
MINI = RUBRICS / "valid-minimal.yaml"


def test_answers_for_another_rubric_are_refused_in_one_line_naming_the_command_that_scores_them():
    # riverside-community.yaml says rubric: {id: qi-readiness, version: "2.0.0"} on line 6, at column 14 ("qi-...")
    scored = run_main("score", "qi-programme-stages", "examples/answers/riverside-community.yaml", cwd=ROOT)
    assert scored.returncode == 2
    assert scored.stderr.splitlines() == [
        "examples/answers/riverside-community.yaml:6:14: /rubric/id: these answers are for rubric 'qi-readiness' "
        "2.0.0, not 'qi-programme-stages' (score them with their own rubric: qimaturity score qi-readiness "
        "examples/answers/riverside-community.yaml)"
    ]


def _labelled_msforms(tmp_path: Path, label: str) -> Path:
    """tests/data/imports/msforms.xlsx with each 'Developing' cell (level 3 of qi-readiness 1.1.0) written as the
    survey's choice label ``label``."""
    import openpyxl

    book = openpyxl.load_workbook(IMPORTS / "msforms.xlsx")
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row if cell.value == "Developing"]
    assert len(cells) > 40
    for cell in cells:
        cell.value = label
    target = tmp_path / "msforms.xlsx"
    book.save(target)
    return target


@pytest.mark.parametrize("label", ["3 - Developing", "3. developing", "3:  DEVELOPING", "3 \u2013 Developing"])
def test_survey_choice_labels_with_the_level_number_and_name_import_as_that_level(tmp_path, label):
    plain = run_main(
        "import",
        str(RUBRIC_1_1),
        str(IMPORTS / "msforms.xlsx"),
        "--mapping",
        str(MSFORMS_MAP),
        "-o",
        str(tmp_path / "plain.yaml"),
    )
    assert plain.returncode == 0, plain.stderr
    labelled = _labelled_msforms(tmp_path, label)
    imported = run_main(
        "import", str(RUBRIC_1_1), str(labelled), "--mapping", str(MSFORMS_MAP), "-o", str(tmp_path / "labelled.yaml")
    )
    assert imported.returncode == 0, imported.stderr
    # The same answers file as the export whose cells say 'Developing': every such cell is level 3.
    assert (tmp_path / "labelled.yaml").read_text() == (tmp_path / "plain.yaml").read_text()


def test_a_label_whose_number_and_name_disagree_is_refused_naming_the_level_of_that_number(tmp_path):
    labelled = _labelled_msforms(tmp_path, "3 - Embedded")
    imported = run_main(
        "import", str(RUBRIC_1_1), str(labelled), "--mapping", str(MSFORMS_MAP), "-o", str(tmp_path / "out")
    )
    assert imported.returncode == 2
    first = imported.stderr.splitlines()[0]
    assert "'3 - Embedded' names level 3 'Embedded', but level 3 is 'Developing'" in first
    assert not (tmp_path / "out").exists()


def test_the_same_bad_label_in_240_cells_is_shown_three_times_then_summed_up_in_one_line(tmp_path):
    # 120 respondents of the minimal rubric (levels 1 Low, 2 Mid, 3 High), each answering lead-1 and meth-1 with a
    # label whose number and name disagree: 240 bad cells, in rows 2-121, columns 4 and 6.
    export = tmp_path / "survey.csv"
    rows = ["organisation_id,respondent,group,lead-1,lead-2,meth-1"]
    rows += [f"RX1,r{n},board,3 - Highest,2,3 - Highest" for n in range(1, 121)]
    export.write_text("\n".join(rows) + "\n")
    scored = run_main("score", str(MINI), str(export))
    assert scored.returncode == 2
    lines = scored.stderr.splitlines()
    assert len(lines) <= 5, lines
    assert [line.split(": ")[0] for line in lines[:3]] == [f"{export}:2:4", f"{export}:2:6", f"{export}:3:4"]
    assert all("'3 - Highest' names level 3 'Highest', but level 3 is 'High'" in line for line in lines[:3])
    # MAX_PROBLEMS (100) are kept, rows 2-51 (2 a row): 3 shown, the other 97 summed up, then the count of those
    # not kept: 240 cells and, lead-1 and meth-1 having no answer (missing: error), 2 more, less the 100
    assert lines[3:] == [
        f"{export}: the same problem in 97 more cells: rows 3-51; columns 4, 6",
        f"{export}: /: ... and 142 more problems (fix these and run again)",
    ]


def test_a_folder_reads_its_answers_files_and_says_what_every_other_file_is_and_how_to_read_it(tmp_path):
    from qimaturity import load_rubric
    from qimaturity.report.questionnaire import questionnaire_xlsx

    folder = tmp_path / "survey"
    folder.mkdir()
    shutil.copy(DATA / "answers" / "mini-two-groups.yaml", folder / "org-a.yaml")
    (folder / "questionnaire.xlsx").write_bytes(questionnaire_xlsx(load_rubric(MINI)))
    # A mapping whose comment names the respondents (it was read as answers: 'respondents' was sought in its bytes).
    (folder / "map.yaml").write_text(
        "# The March survey: every respondents' answers\nformat: msforms\norganisation:\n  id: {value: RX1}\n"
    )
    shutil.copy(MINI, folder / "rubric.yaml")
    shutil.copy(ROOT / "examples" / "brand" / "brand.yaml", folder / "brand.yaml")
    for fmt in ("json", "csv"):
        out = run_main("score", str(MINI), str(DATA / "answers" / "mini-two-groups.yaml"), "--format", fmt)
        (folder / f"result.{fmt}").write_text(out.stdout)
    (folder / "survey.csv").write_text("organisation_id,lead-1,lead-2,meth-1\nRX1,3,2,1\n")
    (folder / "broken.xlsx").write_bytes(b"not a zip")

    scored = run_main("score", str(MINI), str(folder), "--format", "csv")
    assert scored.returncode == 0, scored.stderr
    overall = [line.split(",")[:2] for line in scored.stdout.splitlines() if ",overall," in line]
    assert overall == [["org-a", "Organisation A"]]
    how = "give the file itself, or import it: qimaturity import RUBRIC FILE -o answers/"
    assert scored.stderr.splitlines() == [
        f"note: {folder / 'brand.yaml'}: passed over: a brand file (give it with --brand)",
        f"note: {folder / 'broken.xlsx'}: passed over: a workbook that cannot be read (not an Excel workbook "
        "(.xlsx): it is not a zip file)",
        f"note: {folder / 'map.yaml'}: passed over: a mapping file (give it with --mapping)",
        f"note: {folder / 'questionnaire.xlsx'}: passed over: a questionnaire template (give the file itself to read "
        "its answers, or import it: qimaturity import RUBRIC FILE -o answers/)",
        f"note: {folder / 'result.csv'}: passed over: a table of results (score's CSV output)",
        f"note: {folder / 'result.json'}: passed over: a result (score's JSON output)",
        f"note: {folder / 'rubric.yaml'}: passed over: a rubric (give it as the RUBRIC argument)",
        f"note: {folder / 'survey.csv'}: passed over: a survey or spreadsheet export, read in a folder only with "
        f"--mapping (give --mapping MAP.yaml, or {how})",
    ]


def test_a_folder_of_nothing_but_other_documents_says_what_it_passed_over(tmp_path):
    shutil.copy(MINI, tmp_path / "rubric.yaml")
    (tmp_path / "survey.csv").write_text("organisation_id,lead-1,lead-2,meth-1\nRX1,3,2,1\n")
    scored = run_main("score", str(MINI), str(tmp_path))
    assert scored.returncode == 2
    assert scored.stderr.splitlines()[-1] == (
        f"{tmp_path}: /: the folder holds no answers files (expected .yaml, .yml or .json files; passed over: a "
        "rubric (give it as the RUBRIC argument); a survey or spreadsheet export, read in a folder only "
        "with --mapping (give --mapping MAP.yaml, or give the file itself, or import it: qimaturity import RUBRIC "
        "FILE -o answers/))"
    )


def test_no_message_quotes_a_long_value_or_a_whole_document(tmp_path):
    # A 5,000-character date, and a brand file given as answers: each message quotes at most 80 characters of a
    # value, and the document never.
    text = (DATA / "answers" / "mini-two-groups.yaml").read_text().replace('"2026-06-30"', "x" * 5000)
    (tmp_path / "long.yaml").write_text(text)
    scored = run_main("score", str(MINI), str(tmp_path / "long.yaml"), str(ROOT / "examples" / "brand" / "brand.yaml"))
    assert scored.returncode == 2
    brand = ROOT / "examples" / "brand" / "brand.yaml"
    assert scored.stderr.splitlines() == [
        f"{tmp_path / 'long.yaml'}:4:7: /date: '{'x' * 77}...' (5,000 characters) is not a date (use YYYY-MM-DD, e.g. "
        "2026-09-30)",
        # the brand file given as answers: what it is, in one line (not each of its keys an answers file lacks)
        f"{brand}: /: not an answers file but a brand file (give it with --brand)",
    ]


def test_a_choice_label_is_read_by_its_number_and_name_together():
    from qimaturity.rubric.forms import MisnamedLevel, level_of_label
    from qimaturity.rubric.model import Level

    levels = [Level(1, "Low", "."), Level(2, "Mid", "."), Level(3, "High", ".")]
    for label in ("3", "3.", "3 High", "3 - High", "3 \u2014 high", "3. HIGH", "3:  high ", "3) High", " high "):
        assert level_of_label(label, levels) == levels[2], label
    assert level_of_label("3 - Low", levels) == MisnamedLevel(levels[2], "Low")
    for label in ("3.5", "4 - High", "Highest", "", "-3"):
        assert level_of_label(label, levels) is None, label
    # a name alone names a level only when one level has it, case aside
    assert level_of_label("mid", [*levels[:2], Level(4, "MID", ".")]) is None
    # a name that begins with a number is a name: alone, after its level's number, or as the template's own choice
    fives = [Level(1, "Low", "."), Level(2, "5S in place", "."), Level(3, "3rd party", ".")]
    for label in ("2 5S in place", "2 - 5S in place", "5s in place", "2"):
        assert level_of_label(label, fives) == fives[1], label
    for label in ("3rd party", "3 - 3rd party", "3 3rd party"):
        assert level_of_label(label, fives) == fives[2], label
    assert level_of_label("1 - 3rd party", fives) == MisnamedLevel(fives[0], "3rd party")


@pytest.mark.parametrize("cell", ["9" * 5000 + " - High", "9" * 5000])
def test_a_cell_of_thousands_of_digits_is_a_bad_cell_quoted_short_not_an_internal_error(tmp_path, cell):
    # Python refuses to turn more than 4,300 digits into an int (ValueError): a label's number is read from at most
    # nine digits, and the cell is quoted as every message quotes a value, cut with its length said.
    export = tmp_path / "survey.csv"
    export.write_text(f"organisation_id,respondent,group,lead-1,lead-2,meth-1\nRX1,r1,board,{cell},2,3\n")
    imported = run_main("import", str(MINI), str(export), "-o", str(tmp_path / "out.yaml"))
    assert imported.returncode == 2, imported.stderr
    first = imported.stderr.splitlines()[0]
    assert first.startswith(f"{export}:2:4: ") and f"({len(cell):,} characters)" in first
    assert len(first) < 400 and "internal error" not in imported.stderr


def test_one_problem_more_than_those_shown_is_shown_itself_not_summed_up():
    from qimaturity._core.problems import SHOWN_ALIKE, Problem, problem_lines

    def alike(row: int) -> Problem:
        return Problem("survey.csv", row, 4, f"/rows/{row}/columns/4", "'x' is not an answer", "")

    # SHOWN_ALIKE (3) shown, then one more: four lines, each the problem itself ("the same problem in 1 more cells"
    # said no less and no more than the problem would); two more: three lines and one summing up the other two.
    assert problem_lines([alike(row) for row in range(2, 3 + SHOWN_ALIKE)]) == [
        str(alike(row)) for row in range(2, 3 + SHOWN_ALIKE)
    ]
    lines = problem_lines([alike(row) for row in range(2, 4 + SHOWN_ALIKE)])
    assert lines[SHOWN_ALIKE:] == ["survey.csv: the same problem in 2 more cells: rows 5-6; column 4"]


def test_the_wrong_rubric_hint_keeps_a_file_name_that_begins_with_a_dash_a_file_name(tmp_path):
    shutil.copy(ROOT / "examples" / "answers" / "riverside-community.yaml", tmp_path / "-o.yaml")
    scored = run_main("score", "qi-programme-stages", "--", "-o.yaml", cwd=tmp_path)
    assert scored.returncode == 2
    assert scored.stderr.rstrip().endswith("qimaturity score qi-readiness ./-o.yaml)"), scored.stderr


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (("score", "qi-readiness", "examples/answers/northgate-acute.yaml", "--format", "json"), "a result (score's"),
        (
            ("explain", "qi-readiness", "examples/answers/northgate-acute.yaml", "--format", "json"),
            "an explanation (explain's",
        ),
    ],
)
def test_an_output_given_as_answers_is_refused_in_one_line_saying_what_it_is(tmp_path, command, kind):
    # A result has a 'rubric' key as answers have: its other keys (domains, engine, ...) tell it, not the rubric's.
    made = run_main(*command, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    given = tmp_path / "output.json"
    given.write_text(made.stdout)
    scored = run_main("score", "qi-readiness", str(given))
    assert scored.returncode == 2
    assert scored.stderr.splitlines() == [f"{given}: /: not an answers file but {kind} JSON output)"]
