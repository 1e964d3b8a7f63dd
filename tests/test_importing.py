"""Survey exports in (qimaturity.answers.exports): every tool's header shape, cells, problems and the import command.

The fixtures in tests/data/imports/ (see the README.md there) answer qi-readiness 1.1.0 (QI_READINESS_1_1). Their
organisations are built so that the result can be worked out by hand: where every respondent answers 3, every
question's median is 3, every domain's weighted mean is 3 and no rule applies (each critical item is at 3, no
domain is below Developing), so the overall level is 3; likewise all 2 gives 2 (no domain is below level 2,
so the two-weak-domains cap does not apply).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity import InputError, load_assessment, load_rubric, score
from qimaturity._core.documents import SourceDocument
from qimaturity._core.limits import MAX_COLUMNS, MAX_FIELD_LINES, MAX_PROBLEMS
from qimaturity._core.order import natural_key
from qimaturity.answers.exports import EXCEL_1904, detect_format, dump_answers, excel_date, import_answers, load_mapping
from qimaturity.answers.files import assessment_from_document, check_answers_document

from .conftest import DATA, QI_READINESS_1_1, run_main

IMPORTS = DATA / "imports"
RUBRIC = load_rubric(QI_READINESS_1_1)
QUESTION_IDS = [q.id for q in RUBRIC.questions()]


def imported(export: str, mapping: str | None = None) -> list[dict[str, Any]]:
    return import_answers(IMPORTS / export, RUBRIC, mapping=load_mapping(IMPORTS / mapping) if mapping else None)


def by_id(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["organisation"]["id"]: d for d in documents}


def overall_level(document: dict[str, Any]) -> int | None:
    return score(RUBRIC, assessment_from_document(SourceDocument("imported", document))).overall.level


def problems_of(call: Any) -> list[tuple[int | None, int | None, str, str]]:
    with pytest.raises(InputError) as caught:
        call()
    return [(p.line, p.column, p.path, p.message) for p in caught.value.problems]


def rows_of(path: Path, **options: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), **options))


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


FIXTURES = [
    ("qualtrics.csv", None, {"RX1": 3, "RY2": 2}),
    ("redcap-raw.csv", "redcap-raw.yaml", {"RBA": 3, "RCD": 2}),
    ("redcap-labels.csv", None, {"RBA": 3, "RCD": 2}),
    ("msforms.xlsx", "msforms.yaml", {"eastfield": 3}),
    ("limesurvey.csv", "limesurvey.yaml", {"RTH": 3, "RWE": 2}),
    ("plain-bom.csv", None, {"ynys-mon": 3, "harbour": 2}),
    ("plain-cp1252.csv", "plain-cp1252.yaml", {"RBM": 3}),
]


@pytest.mark.parametrize(("export", "mapping", "levels"), FIXTURES, ids=[f[0] for f in FIXTURES])
def test_each_export_imports_to_checked_answers_that_score_as_worked_out(export, mapping, levels):
    documents = imported(export, mapping)
    # in natural order of organisation id (org-6 before org-10), whatever the rows' order
    assert [d["organisation"]["id"] for d in documents] == sorted(levels, key=natural_key)
    for document in documents:
        assert check_answers_document(SourceDocument("imported", document), RUBRIC) == []
        assert document["rubric"] == {"id": "qi-readiness", "version": "1.1.0"}
        assert overall_level(document) == levels[document["organisation"]["id"]]


@pytest.mark.parametrize(
    ("export", "expected"),
    [
        ("qualtrics.csv", "qualtrics"),
        ("redcap-raw.csv", "redcap"),
        ("redcap-labels.csv", "redcap"),
        ("limesurvey.csv", "limesurvey"),
        ("plain-bom.csv", "plain"),
        ("bad.csv", "plain"),
    ],
)
def test_detect_format_from_the_header_rows(export, expected):
    delimiter = ";" if export == "limesurvey.csv" else ","
    assert detect_format(rows_of(IMPORTS / export, delimiter=delimiter)[:3]) == expected


def test_detect_format_microsoft_forms():
    assert detect_format([["ID", "Start time", "Completion time", "Email", "Name", "Q1"]]) == "msforms"
    assert detect_format([["Record ID", "Your role", "Complete?"]]) == "redcap"
    assert detect_format([["org", "q1"], ["a", "3"]]) == "plain"


# --- Qualtrics ---------------------------------------------------------------------------------------------------
def test_qualtrics_previews_and_unfinished_responses_are_skipped():
    organisations = by_id(imported("qualtrics.csv"))
    ids = [r["id"] for d in organisations.values() for r in d["respondents"]]
    assert "R_0PrEvIeW0000001" not in ids  # Status "Survey Preview" (and its cells are not even checked)
    assert "R_6f7G8h9I0j1K2lF" not in ids  # Finished False
    assert [r["id"] for r in organisations["RY2"]["respondents"]] == [
        "R_5e6F7g8H9i0J1kE",
        "R_7g8H9i0J1k2L3mG",
        "R_8h9I0j1K2l3M4nH",
    ]
    # The date is the latest RecordedDate of the responses kept, not the unfinished one's (2026-10-02).
    assert organisations["RY2"]["date"] == "2026-09-27"
    assert organisations["RX1"]["date"] == "2026-09-24"


def test_an_export_of_previews_only_says_so(tmp_path):
    export = write_rows(tmp_path / "previews.csv", rows_of(IMPORTS / "qualtrics.csv")[:4])
    assert problems_of(lambda: import_answers(export, RUBRIC)) == [
        (None, None, "/rows", "no row answers a question (1 preview or unfinished row(s) were skipped)")
    ]


def test_qualtrics_questions_by_text_matrix_rows_and_choice_text():
    board = by_id(imported("qualtrics.csv"))["RX1"]["respondents"][0]
    assert board["group"] == "board"  # choice text "Board" is the group's name
    assert board["answers"]["lead-executive-lead"] == 3  # "Leadership - <question text>", answer "Developing"
    assert board["answers"]["gov-board-agenda"] == 3


def test_qualtrics_columns_can_be_mapped_by_import_id():
    documents = import_answers(
        IMPORTS / "qualtrics.csv",
        RUBRIC,
        mapping={"group": {"column": "QID1"}, "questions": {"QID4": "gov-board-agenda"}},
    )
    assert documents[0]["respondents"][0]["group"] == "board"


def test_qualtrics_minus_99_is_seen_but_unanswered(tmp_path):
    rows = rows_of(IMPORTS / "qualtrics.csv")
    column = rows[0].index("Q3")
    rows[4][column] = "-99"  # the board member of RX1 saw gov-board-agenda and skipped it
    board = import_answers(write_rows(tmp_path / "q.csv", rows), RUBRIC)[0]["respondents"][0]
    assert "gov-board-agenda" not in board["answers"]


def test_qualtrics_unmapped_question_is_named_by_id_and_text_and_not_taken_for_metadata(tmp_path):
    rows = rows_of(IMPORTS / "qualtrics.csv")
    extra = [["Q40", "Location of the service you work in"], ['{"ImportId":"QID41"}'], ["Ward 7"] * 9]
    for row, value in zip(rows, [extra[0][0], extra[0][1], extra[1][0], *extra[2]], strict=True):
        row.append(value)
    number = len(rows[0])
    assert problems_of(lambda: import_answers(write_rows(tmp_path / "q.csv", rows), RUBRIC)) == [
        (
            1,
            number,
            f"/columns/{number}",
            "column 'Q40' ('Location of the service you work in') is not a question of qi-readiness nor a column "
            "qimaturity knows",
        )
    ]


# --- REDCap ------------------------------------------------------------------------------------------------------
def test_redcap_repeat_rows_are_respondents_of_the_record_with_its_organisation():
    organisations = by_id(imported("redcap-raw.csv", "redcap-raw.yaml"))
    brookfield = organisations["RBA"]
    assert [r["id"] for r in brookfield["respondents"]] == [f"1-staff_survey-{n}" for n in (1, 2, 3, 4)]
    assert [r["group"] for r in brookfield["respondents"]] == ["board", "managers", "frontline", "patient-partners"]
    assert brookfield["organisation"] == {"id": "RBA", "name": "Brookfield Acute Hospitals NHS Trust", "type": "acute"}
    assert brookfield["date"] == "2026-10-07"  # the latest staff_survey_timestamp
    assert organisations["RCD"]["date"] == "2026-10-02"  # "[not completed]" is no date
    assert "RZZ" not in organisations  # a record whose only row answers nothing


def test_redcap_checkbox_field_gives_the_level_of_its_single_ticked_option():
    for export, mapping in (("redcap-raw.csv", "redcap-raw.yaml"), ("redcap-labels.csv", None)):
        respondents = by_id(imported(export, mapping))["RBA"]["respondents"]
        assert respondents[1]["answers"]["met-pdsa"] == 3  # met_pdsa___3 is 1 / "(choice=Developing)" Checked
        assert "met-pdsa" not in respondents[2]["answers"]  # nothing ticked: no answer
        assert by_id(imported(export, mapping))["RCD"]["respondents"][1]["answers"]["met-pdsa"] == 2


def test_redcap_raw_and_label_exports_give_the_same_answers():
    raw = imported("redcap-raw.csv", "redcap-raw.yaml")
    labels = imported("redcap-labels.csv")
    assert [[(r["group"], r["answers"]) for r in d["respondents"]] for d in raw] == [
        [(r["group"], r["answers"]) for r in d["respondents"]] for d in labels
    ]


def test_redcap_checkbox_with_two_options_ticked_is_a_bad_cell(tmp_path):
    rows = rows_of(IMPORTS / "redcap-raw.csv")
    first = rows[0].index("met_pdsa___2")
    rows[3][first] = "1"  # the manager of record 1 ticks 2 as well as 3
    export = write_rows(tmp_path / "redcap.csv", rows)
    mapping = load_mapping(IMPORTS / "redcap-raw.yaml")
    assert problems_of(lambda: import_answers(export, RUBRIC, mapping=mapping)) == [
        (
            4,
            first + 1,
            f"/rows/4/columns/{first + 1}",
            "2 options of checkbox 'met_pdsa' are ticked (2, 3): question 'met-pdsa' takes one",
        )
    ]


# --- Microsoft Forms, LimeSurvey ---------------------------------------------------------------------------------
def test_microsoft_forms_serial_times_text_headers_and_descriptor_answers():
    (document,) = imported("msforms.xlsx", "msforms.yaml")
    assert document["date"] == "2026-10-01"  # Completion time 46296.7256944444, the latest
    assert [r["id"] for r in document["respondents"]] == ["1", "2", "3", "4", "5"]
    manager = document["respondents"][1]  # answered with the level-3 descriptors of each question
    assert manager["group"] == "managers"
    assert set(manager["answers"].values()) == {3}
    assert len(manager["answers"]) == sum(
        1 for q in RUBRIC.questions() if not q.respondents or "managers" in q.respondents
    )


def test_limesurvey_semicolons_subquestion_codes_and_incomplete_responses():
    organisations = by_id(imported("limesurvey.csv", "limesurvey.yaml"))
    assert [r["id"] for r in organisations["RTH"]["respondents"]] == ["1", "2", "4"]  # 3 has no submitdate
    assert organisations["RTH"]["organisation"] == {"id": "RTH", "name": "RTH"}
    assert organisations["RTH"]["respondents"][0]["answers"]["lead-executive-lead"] == 3
    assert organisations["RWE"]["date"] == "2026-10-02"


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(45200, date(2023, 10, 1)), (45200.99, date(2023, 10, 1)), (1, date(1900, 1, 1)), (59, date(1900, 2, 28))]
    + [(61, date(1900, 3, 1)), (46294.375, date(2026, 9, 29))],
)
def test_excel_serial_dates(serial, expected):
    assert excel_date(serial) == expected


def test_excel_serial_dates_that_are_none():
    for serial in (0, 60, -5, 10**9):
        with pytest.raises(ValueError):
            excel_date(serial)
    assert excel_date(0, epoch=EXCEL_1904) == date(1904, 1, 1)


# --- plain spreadsheets, encodings and delimiters ----------------------------------------------------------------
def test_cp1252_text_is_read_when_it_is_not_utf8():
    raw = (IMPORTS / "plain-cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (document,) = imported("plain-cp1252.csv", "plain-cp1252.yaml")
    assert document["organisation"]["name"] == "Brontë Moor Community Health NHS Trust"
    assert document["respondents"][0]["answers"]["trn-qi-team"] == {
        "level": 3,
        "comment": "We spend £40,000 a year on external coaching.",
    }
    assert document["date"] == "2026-10-01"  # 01/10/2026, day first, by the mapping's format


def test_day_first_dates_without_a_format_are_bad_cells():
    problems = problems_of(lambda: imported("plain-cp1252.csv"))
    assert problems == [
        (2, 4, "/rows/2/columns/4", "'29/09/2026' is not a date"),
        (3, 4, "/rows/3/columns/4", "'30/09/2026' is not a date"),
        (4, 4, "/rows/4/columns/4", "'01/10/2026' is not a date"),
    ]


def test_utf8_bom_na_justifications_and_comments():
    assert (IMPORTS / "plain-bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    ynys = by_id(imported("plain-bom.csv"))["ynys-mon"]
    assert ynys["organisation"] == {
        "id": "ynys-mon",
        "name": "Ysbyty Ynys Môn Community Health",
        "type": "community",
        "region": "wales",
    }
    board, manager, ward = ynys["respondents"]
    assert board["answers"]["gov-regulator-compact"] == {
        "na": True,
        "justification": "Our regulator relationship is run by the health board centrally.",
    }
    assert manager["answers"]["trn-qi-team"] == {
        "na": True,
        "justification": "Not applicable (imported from plain-bom.csv)",
    }
    assert manager["answers"]["lead-role-models"] == 3  # "3.0"
    assert ward["answers"]["cult-teamwork"] == {"level": 3, "comment": "Cwtsh room now used for huddles."}


@pytest.mark.parametrize(("delimiter", "encoding"), [("\t", "utf-16"), (";", "utf-8"), ("\t", "cp1252")])
def test_delimiters_and_encodings_give_the_same_answers(tmp_path, delimiter, encoding):
    """Tab-separated UTF-16 is what Qualtrics' TSV download and Excel's "Unicode text" are."""
    rows = rows_of(IMPORTS / "plain-bom.csv")
    export = write_rows(tmp_path / "plain-bom.csv", rows, delimiter=delimiter, encoding=encoding)
    assert import_answers(export, RUBRIC) == imported("plain-bom.csv")


def test_an_excel_sep_line_names_the_delimiter_and_is_not_a_row(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    rows[1][rows[0].index("lead-coaching")] = "lots"
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows(rows)
    (tmp_path / "sep.csv").write_text("sep=;\n" + buffer.getvalue(), encoding="utf-8")
    column = rows[0].index("lead-coaching") + 1
    problems = problems_of(lambda: import_answers(tmp_path / "sep.csv", RUBRIC))
    assert problems == [(2, column, f"/rows/2/columns/{column}", "'lots' is not an answer to question 'lead-coaching'")]


def test_custom_answer_labels_and_group_values_through_the_mapping(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    labels = {"2": "Disagree", "3": "Neutral", "3.0": "Neutral"}
    for row in rows[1:]:
        row[:] = [labels.get(cell, cell) if index >= 7 else cell for index, cell in enumerate(row)]
        row[6] = {"board": "Board member"}.get(row[6], row[6])
    export = write_rows(tmp_path / "plain-bom.csv", rows)
    mapping = {
        "levels": {"Disagree": 2, "Neutral": 3},
        "group": {"column": "group", "values": {"Board member": "board"}},
    }
    assert import_answers(export, RUBRIC, mapping=mapping) == imported("plain-bom.csv")


# --- problems ----------------------------------------------------------------------------------------------------
def test_bad_export_reports_every_unmappable_column_and_bad_cell_with_its_place():
    with pytest.raises(InputError) as caught:
        imported("bad.csv")
    problems = caught.value.problems
    assert {p.file for p in problems} == {str(IMPORTS / "bad.csv")}
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (
            1,
            36,
            "/columns/36",
            "column 'Favourite colour' is not a question of qi-readiness nor a column qimaturity knows",
        ),
        (2, 6, "/rows/2/columns/6", "'Very good' is not an answer to question 'lead-role-models'"),
        (3, 11, "/rows/3/columns/11", "'7' is not a level of the scale (question 'gov-board-agenda')"),
        (3, 12, "/rows/3/columns/12", "question 'gov-golden-thread' cannot be answered N/A"),
        (3, 17, "/rows/3/columns/17", "question 'trn-board-training' is not asked of the managers group"),
        (4, 3, "/rows/4/columns/3", "'nurse' is not a respondent group of qi-readiness"),
        (4, 4, "/rows/4/columns/4", "'next week' is not a date"),
    ]
    assert problems[1].hint.startswith("expected a level (1, 2, 3, 4, 5), a level name (Not started, Emerging,")
    assert problems[2].hint == "levels are 1, 2, 3, 4, 5"


def test_did_you_mean_for_a_misspelt_level_name(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    rows[1][rows[0].index("lead-coaching")] = "Develping"
    with pytest.raises(InputError) as caught:
        import_answers(write_rows(tmp_path / "typo.csv", rows), RUBRIC)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, rows[0].index("lead-coaching") + 1)
    assert problem.hint.startswith("did you mean 'Developing'?")


def test_ignored_columns_are_not_problems():
    problems = problems_of(
        lambda: import_answers(IMPORTS / "bad.csv", RUBRIC, mapping={"ignore": ["Favourite colour"]})
    )
    assert len(problems) == 6 and all(p[0] != 1 for p in problems)


def test_a_question_no_column_holds_is_reported_once(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    column = rows[0].index("pat-equity")
    export = write_rows(tmp_path / "short.csv", [row[:column] + row[column + 1 :] for row in rows])
    assert [p[3] for p in problems_of(lambda: import_answers(export, RUBRIC))] == [
        "no column holds question 'pat-equity' (Patient involvement in improvement reaches people from di...)"
    ]


def test_problems_the_answers_check_finds_come_back_at_their_row_with_the_organisation(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    rows[2][rows[0].index("respondent")] = "ym-board-1"  # the manager has the board member's id
    for row in rows[4:]:
        row[rows[0].index("pat-equity")] = ""  # nobody at Harbourside answers pat-equity
    respondent = rows[0].index("respondent") + 1
    equity = rows[0].index("pat-equity") + 1
    assert problems_of(lambda: import_answers(write_rows(tmp_path / "x.csv", rows), RUBRIC)) == [
        (
            3,
            respondent,
            f"/rows/3/columns/{respondent}",
            "duplicate submission: respondent 'ym-board-1' of organisation 'ynys-mon' on 2026-09-16 is in row 2 "
            "and again here",
        ),
        # where Harbourside's answers to it would be: its first row, the question's column
        (5, equity, f"/rows/5/columns/{equity}", "organisation 'harbour': question 'pat-equity' has no answer"),
    ]


def test_no_organisation_column(tmp_path):
    rows = [row[1:] for row in rows_of(IMPORTS / "plain-bom.csv")]
    problems = problems_of(lambda: import_answers(write_rows(tmp_path / "x.csv", rows), RUBRIC))
    assert (1, None, "/columns", "no column holds the organisation id") in problems


def test_a_comment_without_an_answer_and_two_answers_to_one_question(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    rows[3][rows[0].index("cult-teamwork")] = ""  # the ward nurse's comment on it stays
    rows[0].append("Teamwork again")
    for row in rows[1:]:
        row.append("")
    rows[1][-1] = "2"  # the board member answers cult-teamwork a second time, differently
    mapping = {"questions": {"Teamwork again": "cult-teamwork"}}
    export = write_rows(tmp_path / "x.csv", rows)
    teamwork = rows[0].index("cult-teamwork") + 1
    comment = rows[0].index("cult-teamwork comment") + 1
    last = len(rows[0])
    assert problems_of(lambda: import_answers(export, RUBRIC, mapping=mapping)) == [
        (
            2,
            last,
            f"/rows/2/columns/{last}",
            f"a second answer to question 'cult-teamwork' in this row (column {teamwork} gave 3)",
        ),
        (
            4,
            comment,
            f"/rows/4/columns/{comment}",
            "a comment on question 'cult-teamwork' but no answer to it in this row",
        ),
    ]


def test_unreadable_exports(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    for name, message in [
        ("old.xls", "old Excel workbooks (.xls) cannot be read"),
        ("missing.csv", "file not found"),
        ("empty.csv", "the export is empty, or its first row is"),
    ]:
        assert problems_of(lambda name=name: import_answers(tmp_path / name, RUBRIC))[0][3] == message
    assert problems_of(lambda: import_answers(tmp_path / "broken.xlsx", RUBRIC))[0][3].startswith(
        "not an Excel workbook (.xlsx)"
    )


# --- mapping files -----------------------------------------------------------------------------------------------
def test_mapping_file_mistakes_are_reported_at_their_lines():
    with pytest.raises(InputError) as caught:
        load_mapping(IMPORTS / "bad-mapping.yaml")
    assert [(p.line, p.column, p.path, p.message, p.hint) for p in caught.value.problems] == [
        (
            2,
            9,
            "/format",
            "unknown format 'qualtircs'",
            "formats: auto, plain, qualtrics, redcap, msforms, limesurvey",
        ),
        (5, 3, "/organisation/nmae", "unknown key 'nmae'", "did you mean 'name'?"),
        (6, 1, "/questoins", "unknown key 'questoins'", "did you mean 'questions'?"),
        (9, 21, "/levels/Strongly agree", "'six' is not a level", "a level is a whole number, 'na' or null"),
    ]


def test_mapping_mistakes_against_the_rubric_and_export_are_reported_at_their_lines():
    with pytest.raises(InputError) as caught:
        imported("qualtrics.csv", "qualtrics-mistakes.yaml")
    assert [(p.file, p.line, p.column, p.message, p.hint) for p in caught.value.problems] == [
        (
            str(IMPORTS / "qualtrics-mistakes.yaml"),
            3,
            16,
            "no column 'org_cde' in qualtrics.csv",
            "did you mean 'org_code'?",
        ),
        (
            str(IMPORTS / "qualtrics-mistakes.yaml"),
            5,
            7,
            "unknown question 'gov-board-agend'",
            "did you mean 'gov-board-agenda'?",
        ),
        (str(IMPORTS / "qualtrics-mistakes.yaml"), 8, 21, "unknown respondent group 'bord'", "did you mean 'board'?"),
    ]


def test_a_mapping_given_as_a_dict_is_checked_too():
    assert problems_of(lambda: import_answers(IMPORTS / "bad.csv", RUBRIC, mapping={"ignore": "Favourite colour"})) == [
        (None, None, "/ignore", "expected a list of column names")
    ]


# --- the command -------------------------------------------------------------------------------------------------
def test_cli_import_one_organisation_to_a_file_that_reloads(tmp_path):
    out = tmp_path / "eastfield.yaml"
    result = run_main(
        "import",
        str(QI_READINESS_1_1),
        str(IMPORTS / "msforms.xlsx"),
        "--mapping",
        str(IMPORTS / "msforms.yaml"),
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(out)]
    assessment = load_assessment(out, RUBRIC)
    assert assessment.organisation.name == "Eastfield Mental Health NHS Foundation Trust"
    assert score(RUBRIC, assessment).overall.level == 3
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == imported("msforms.xlsx", "msforms.yaml")[0]


def test_cli_import_several_organisations_to_a_folder(tmp_path):
    out = tmp_path / "answers"
    result = run_main("import", str(QI_READINESS_1_1), str(IMPORTS / "qualtrics.csv"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(out / "RX1.yaml"), str(out / "RY2.yaml")]
    levels = {p.stem: score(RUBRIC, load_assessment(p, RUBRIC)).overall.level for p in sorted(out.iterdir())}
    assert levels == {"RX1": 3, "RY2": 2}
    scored = run_main("score", str(QI_READINESS_1_1), str(out), "--format", "csv")
    assert scored.returncode == 0, scored.stderr


def test_cli_import_several_organisations_to_a_yaml_file_is_refused(tmp_path):
    result = run_main("import", str(QI_READINESS_1_1), str(IMPORTS / "qualtrics.csv"), "-o", str(tmp_path / "all.yaml"))
    assert result.returncode == 2
    assert "the export holds 2 organisations (RX1, RY2), so the output must be a folder, not a file" in result.stderr
    assert not (tmp_path / "all.yaml").exists()


def test_cli_import_bad_export_exits_2_with_file_row_column_lines(tmp_path):
    result = run_main("import", str(QI_READINESS_1_1), str(IMPORTS / "bad.csv"), "-o", str(tmp_path / "bad.yaml"))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 7
    assert lines[1].startswith(
        f"{IMPORTS / 'bad.csv'}:2:6: /rows/2/columns/6: 'Very good' is not an answer to question 'lead-role-models' ("
    )
    assert not (tmp_path / "bad.yaml").exists()


def test_cli_import_bad_mapping_exits_2_with_file_line_column(tmp_path):
    mapping = IMPORTS / "bad-mapping.yaml"
    result = run_main(
        "import", str(QI_READINESS_1_1), str(IMPORTS / "qualtrics.csv"), "--mapping", str(mapping), "-o", str(tmp_path)
    )
    assert result.returncode == 2
    assert (
        f"{mapping}:6:1: /questoins: unknown key 'questoins' (did you mean 'questions'?)" in result.stderr.splitlines()
    )


# --- hostile CSV exports: every command that reads answers refuses them, at their line --------------------------
def refused_by_every_reader(path: Path, *expected: str, tmp_path: Path, strict: bool = False) -> list[str]:
    """`import` (with --strict when ``strict``) and `score` both exit 2 naming the file and each expected text;
    nothing is written. Returns the lines of import's stderr."""
    lines: list[str] = []
    for command in ("import", "score"):
        extra = ["-o", str(tmp_path / "out"), *(["--strict"] if strict else [])] if command == "import" else []
        result = run_main(command, str(QI_READINESS_1_1), str(path), *extra)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stdout == ""
        for text in expected:
            assert text in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        lines = lines or result.stderr.splitlines()
    assert not (tmp_path / "out").exists()
    return lines


def plain_text() -> str:
    return (IMPORTS / "plain-bom.csv").read_text(encoding="utf-8-sig")


def test_a_header_wider_than_the_column_limit_is_refused_when_it_is_read(tmp_path):
    export = tmp_path / "wide.csv"
    header = ["organisation_id", *(f"c{i}" for i in range(MAX_COLUMNS))]
    export.write_text(",".join(header) + "\n" + ",".join(["org"] + ["3"] * MAX_COLUMNS) + "\n", encoding="utf-8")
    refused_by_every_reader(
        export, f"{export}:1: /rows/1: the header has {MAX_COLUMNS + 1:,} columns, over the limit", tmp_path=tmp_path
    )


def test_problems_past_the_limit_are_counted_in_one_last_line(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    column = rows[0].index("lead-coaching")
    respondent = rows[0].index("respondent")
    for number in range(MAX_PROBLEMS + 20):
        row = [*rows[1][:column], "lots", *rows[1][column + 1 :]]
        row[respondent] = f"extra-{number}"
        rows.append(row)
    export = write_rows(tmp_path / "many.csv", rows)
    lines = refused_by_every_reader(export, tmp_path=tmp_path, strict=True)
    # MAX_PROBLEMS problems alike (the same bad cell in rows 7 on): 3 shown, the others summed up in a line
    assert len(lines) == 5
    assert lines[0].startswith(f"{tmp_path / 'many.csv'}:7:{column + 1}: ")
    rest = f"the same problem in {MAX_PROBLEMS - 3} more cells: rows 10-106; column {column + 1}"
    assert lines[3] == f"{tmp_path / 'many.csv'}: {rest}"
    assert lines[-1] == f"{tmp_path / 'many.csv'}: /: ... and 20 more problems (fix these and run again)"
    # Without --strict the same lines come, then what was done: harbour, whose rows are fine, is written, and
    # ynys-mon's 3 + 120 rows go to the rejects file, with the problems past the limit among them.
    result = run_main("import", str(QI_READINESS_1_1), str(export), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stdout == f"{tmp_path / 'out' / 'harbour.yaml'}\n"
    assert result.stderr.splitlines()[:5] == lines
    assert "1 organisation(s) not imported (ynys-mon); 1 answers file(s) written" in result.stderr
    rejected = list(csv.reader((tmp_path / "out.rejects.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rejected) == 1 + 3 + MAX_PROBLEMS + 20


def test_an_unbalanced_quote_that_would_swallow_an_organisation_is_refused_where_it_opened(tmp_path):
    """Unchecked, the ward's comment swallowed the rows of 'harbour' and the import went on without them."""
    text = plain_text().replace("Cwtsh room", '"Cwtsh room', 1)
    export = tmp_path / "quote.csv"
    export.write_text(text, encoding="utf-8")
    line = text[: text.index('"Cwtsh')].count("\n") + 1
    column = text.splitlines()[line - 1][: text.splitlines()[line - 1].index('"Cwtsh')].count(",") + 1
    refused_by_every_reader(
        export,
        f"{export}:{line}:{column}: /rows/{line}/columns/{column}: a quoted cell that opens here holds line "
        f"{line + 1}, which looks like a row of the export: is its closing quote missing?",
        tmp_path=tmp_path,
    )


def test_a_quote_left_open_to_the_end_of_the_file_is_refused_where_it_opened(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")[:2]
    export = write_rows(tmp_path / "open.csv", rows)
    export.write_bytes(export.read_bytes() + b'ynys-mon,"Ysbyty\r\nYnys\r\n')
    refused_by_every_reader(
        export, f"{export}:3:2: /rows/3/columns/2: a quote opens a cell here and is never closed", tmp_path=tmp_path
    )


def test_a_quoted_cell_of_more_lines_than_the_limit_is_refused(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    rows[3][-2] = "\n".join(["a line of a long comment"] * (MAX_FIELD_LINES + 1))
    export = write_rows(tmp_path / "long.csv", rows)
    refused_by_every_reader(
        export, f"{export}:4:", f"spans {MAX_FIELD_LINES + 1} lines, over the limit", tmp_path=tmp_path
    )


def test_a_comment_of_a_few_lines_with_commas_is_still_read(tmp_path):
    rows = rows_of(IMPORTS / "plain-bom.csv")
    rows[3][-2] = "Cwtsh room, now used\nfor huddles, handovers, and\nteaching."
    document = by_id(import_answers(write_rows(tmp_path / "lines.csv", rows), RUBRIC))["ynys-mon"]
    assert document["respondents"][2]["answers"]["cult-teamwork"]["comment"] == rows[3][-2]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_text_with_windows_1252_bytes_is_refused_at_the_first_of_them(tmp_path, bom):
    """Read as Windows-1252 as a whole, 'Môn' came back as 'MÃ´n' everywhere else in the file."""
    raw = plain_text().encode("utf-8")
    at = raw.rfind("Môn".encode())
    export = tmp_path / "mixed.csv"
    export.write_bytes(bom + raw[:at] + "Môn".encode("cp1252") + raw[at + len("Môn".encode()) :])
    line = raw[:at].count(b"\n") + 1
    column = len(raw[raw.rfind(b"\n", 0, at) + 1 : at].decode()) + 2  # the byte after 'M'
    refused_by_every_reader(
        export,
        f"{export}:{line}:{column}: /: the file mixes UTF-8 with another encoding (such as Windows-1252): byte 0xf4",
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_a_nul_byte_is_refused_at_its_line(tmp_path, encoding):
    text = plain_text()
    at = text.index("Cwtsh")
    export = tmp_path / "nul.csv"
    export.write_bytes((text[:at] + "\x00" + text[at:]).encode(encoding))
    line = text[:at].count("\n") + 1
    refused_by_every_reader(export, f"{export}:{line}:", "NUL", tmp_path=tmp_path)


# Any text an export can bring in: control characters other than tab and line ends are refused on reading.
EXPORT_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(EXPORT_TEXT, EXPORT_TEXT, st.sampled_from([1, 3, 5]))
def test_answers_files_written_by_import_read_back_as_the_same_document(name, comment, level):
    # import writes with libyaml's emitter for speed: whatever the names and comments hold, the file means exactly
    # the document.
    document = {
        "rubric": {"id": "qi-readiness", "version": "1.1.0"},
        "organisation": {"id": "rx1", "name": name},
        "respondents": [{"id": "r1", "answers": {"lead-role-models": {"level": level, "comment": comment}}}],
    }
    assert yaml.safe_load(dump_answers(document)) == document


def test_an_emoji_in_an_imported_comment_is_written_as_itself():
    document = {"organisation": {"id": "rx1", "name": "Môn"}, "answers": {"q": {"level": 3, "comment": "Great 👍"}}}
    assert "comment: Great 👍\n" in dump_answers(document)
    assert "name: Môn\n" in dump_answers(document)


def test_a_control_character_in_a_csv_export_is_refused_at_its_place(tmp_path):
    # Answers files refuse control characters, so an export that holds one would become an answers file that no
    # command can read back: it is refused at import, with its line and column, and nothing is written.
    from .hostile.corpus import _csv, export_rows

    rows = export_rows()
    rows[3][1] = "North\x01gate"
    export = tmp_path / "control.csv"
    export.write_text(_csv(rows), encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = run_main("import", str(QI_READINESS_1_1), str(export), "-o", str(out))
    assert result.returncode == 2
    # Line 4 (the header, then rows 1 to 3); "northgate," is 10 characters and "North" 5 more: character 16.
    assert result.stderr.startswith(f"{export}:4:16: /: the text holds the control character U+0001")
    assert not out.exists()


def test_a_control_character_in_a_workbook_cell_is_refused_at_its_cell(tmp_path):
    from openpyxl import Workbook

    from .hostile.corpus import export_rows

    rows = export_rows()
    rows[2][1] = "North\x85gate"  # a C1 control character, which XML (and so a workbook) can hold
    book = Workbook()
    for row in rows:
        book.active.append(row)
    export = tmp_path / "control.xlsx"
    book.save(export)
    result = run_main("import", str(QI_READINESS_1_1), str(export), "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 2
    assert f"{export}:3:2: /Sheet/rows/3/columns/2: sheet 'Sheet', B3: the cell holds the control character U+0085" in (
        result.stderr
    )


# --- evidence, assessor and respondent comments (issue 12) -------------------------------------------------
EVIDENCE_GROUPS = load_rubric(DATA / "scoring" / "rubrics" / "evidence-groups.yaml")
EVIDENCE_MAPPING = """
organisation: {name: {column: Trust}}
date: {value: "2026-06-30"}
group: {column: Role}
assessor: {column: "Assessed by"}
respondent_comment: {column: "Anything else?"}
evidence: {"Board evidence": board-only}
evidence_register:
  - {id: bp-041, title: "Board paper 2026/041", date: "2026-03-12", owner: Chief nurse, link: "https://example.org/041"}
  - {id: unused, title: Not cited, date: "2026-01-01", owner: Nobody}
"""


def test_a_mapping_brings_evidence_the_assessor_and_respondent_comments(tmp_path):
    export = tmp_path / "survey.csv"
    export.write_text(
        "organisation_id,Trust,Assessed by,Role,board-only,Board evidence,everyone,everyone evidence,Anything else?\n"
        "org-g,Org G,QI team,board,5,bp-041; Minutes of May,4,,Good survey\n"
        "org-g,Org G,QI team,frontline,5,,5,,\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(EVIDENCE_MAPPING, encoding="utf-8")
    (document,) = import_answers(export, EVIDENCE_GROUPS, mapping=load_mapping(mapping))
    assert document["assessor"] == "QI team"
    # only the entries this organisation's answers cite
    assert document["evidence"] == [
        {"id": "bp-041", "title": "Board paper 2026/041", "date": "2026-03-12", "owner": "Chief nurse",
         "link": "https://example.org/041"},
    ]  # fmt: skip
    board, frontline = document["respondents"]
    assert board["comment"] == "Good survey" and "comment" not in frontline
    # a register id cites its entry; other text is kept as free-text evidence, undated
    assert board["answers"]["board-only"] == {"level": 5, "evidence": ["bp-041", {"reference": "Minutes of May"}]}
    assessment = assessment_from_document(SourceDocument("survey.csv", document))
    result = score(EVIDENCE_GROUPS, assessment)
    # board-only: board 5 cites bp-041 (110 days old): 5; frontline 5 without evidence is not asked: 5 -> median 5
    assert [a.counted_level for a in result.question("board-only").answers] == [5, 5]
    # everyone asks every group: board 4 and frontline 5, neither with evidence -> 3 and 3
    assert [a.counted_level for a in result.question("everyone").answers] == [3, 3]


def test_evidence_without_its_answer_in_the_row_is_a_bad_cell(tmp_path):
    export = tmp_path / "survey.csv"
    export.write_text(
        "organisation_id,date,Role,board-only,everyone,everyone evidence\norg-g,2026-06-30,board,4,,Board paper\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        import_answers(export, EVIDENCE_GROUPS)
    assert [(p.line, p.column, p.path, p.message, p.hint) for p in caught.value.problems] == [
        (
            2,
            6,
            "/rows/2/columns/6",
            "evidence on question 'everyone' but no answer to it in this row",
            "give the answer, or clear the evidence: answers files keep evidence with answers",
        )
    ]


def test_a_mapping_evidence_register_is_checked_where_it_is_written(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "evidence_register:\n"
        "  - {id: bp-041, title: Board paper, date: '2026-13-01', owner: Chief nurse}\n"
        "  - {id: bp-041, title: Again, owner: QI team, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_mapping(mapping)
    assert [(p.line, p.path, p.message) for p in caught.value.problems] == [
        (2, "/evidence_register/0/date", "'2026-13-01' is not a date"),
        (3, "/evidence_register/1", "missing required key 'date'"),
        (3, "/evidence_register/1/id", "duplicate evidence id 'bp-041'"),
        (3, "/evidence_register/1/colour", "unknown key 'colour'"),
    ]


def test_the_imported_files_header_is_one_comment_line_whatever_the_source_is_called():
    # A file name (or a web round's title) holding a line break must not start a YAML line of its own.
    text = dump_answers({"organisation": {"id": "x"}}, source="q1)\nrubric: {id: other}\r\n# (")
    first, second, *_ = text.splitlines()
    assert first == "# Imported from q1) rubric: {id: other}  # ( by qimaturity import"
    assert yaml.safe_load(text) == {"organisation": {"id": "x"}}
    assert not second.startswith("rubric")
