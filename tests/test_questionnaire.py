"""Blank questionnaires: the printable form (HTML, PDF), the spreadsheet template (XLSX) and reading it back."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from qimaturity import InputError, load_rubric, score
from qimaturity._core.documents import SourceDocument
from qimaturity.answers.files import assessment_from_document, check_answers_document
from qimaturity.answers.template import read_template
from qimaturity.report.questionnaire import questionnaire_xlsx, render_questionnaire_html

from .conftest import COUNT_FONTS, ROOT, RUBRICS, pdf_font_names, run_main, without_fonts

RUBRIC = load_rubric("qi-readiness")
MINIMAL = RUBRICS / "valid-minimal.yaml"
LEVELS = {level.value: f"{level.value} {level.name}" for level in RUBRIC.levels}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def keys(sheet) -> dict[str, int]:
    """Column numbers by the keys in row 1."""
    return {cell.value: cell.column for cell in sheet[1] if cell.value is not None}


def fill(template: bytes, path: Path, respondents: list[dict], answers: list[tuple[str, dict]]) -> Path:
    """Fill a template with openpyxl, as a spreadsheet user would: Respondents and Answers from row 3."""
    source = path.with_suffix(".blank.xlsx")
    source.write_bytes(template)
    book = load_workbook(source)
    people = book["Respondents"]
    columns = keys(people)
    for row, values in enumerate(respondents, start=3):
        for key, value in values.items():
            people.cell(row, columns[key], value)
    sheet = book["Answers"]
    columns = keys(sheet)
    for row, (rid, cells) in enumerate(answers, start=3):
        sheet.cell(row, 1, rid)
        for key, value in cells.items():
            sheet.cell(row, columns[key], value)
    book.save(path)
    return path


def rubric_copy(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- The form ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def form_html() -> str:
    return render_questionnaire_html(RUBRIC)


def test_html_form_shows_every_question_and_level_descriptor(form_html):
    assert form_html.startswith("<!DOCTYPE html>")
    for question in RUBRIC.questions():
        assert f'data-question="{question.id}"' in form_html
        assert str(escape(question.text)) in form_html
        assert str(escape(question.help)) in form_html
        for descriptor in question.levels:
            assert str(escape(descriptor.descriptor)) in form_html
    for level in RUBRIC.levels:
        assert str(escape(level.descriptor)) in form_html  # the general scale
    assert form_html.count('<span class="choice-level">1 Not started</span>') == RUBRIC.question_count
    assert form_html.count("☐") >= RUBRIC.question_count * len(RUBRIC.levels)
    for group in RUBRIC.respondent_groups:  # respondent details: the role group to tick
        assert str(escape(group.name)) in form_html
    assert "Evidence (reference and date)" in form_html
    assert "@page" in form_html and "break-inside: avoid" in form_html  # A4 print styles, questions kept whole


def test_html_form_offers_na_only_where_the_rubric_allows_it(form_html):
    allowed = {q.id for q in RUBRIC.questions() if q.na_allowed}
    assert allowed == {"gov-regulator-compact", "trn-qi-team"}
    assert set(re.findall(r'data-na="([^"]+)"', form_html)) == allowed
    assert form_html.count("data-na=") == len(allowed)
    # an evidence line on exactly the questions that require evidence from a level
    evidence = sum(1 for q in RUBRIC.questions() if q.evidence_from is not None)
    assert form_html.count('class="write-in evidence"') == evidence


def test_html_form_for_one_group_has_only_its_questions():
    html = render_questionnaire_html(RUBRIC, group="board", organisation="Riverside Community Health NHS Trust")
    shown = set(re.findall(r'data-question="([^"]+)"', html))
    expected = {q.id for q in RUBRIC.questions() if not q.respondents or "board" in q.respondents}
    assert shown == expected
    assert "trn-coaching-access" not in shown and "pat-partner-support" not in shown  # not asked of the board
    assert "trn-board-training" in shown
    assert "Riverside Community Health NHS Trust" in html
    assert f"{len(expected)} questions" in html
    assert "☒</span><span><strong>Board</strong>" in html  # the group is ticked on the form


def test_html_form_carries_the_font_of_its_tick_boxes(form_html):
    """The boxes do not depend on the reader's fonts: the bundled box font is in the page, as a data: URL."""
    face = re.search(
        r'@font-face \{ font-family: "Qimaturity Boxes";[^}]*src: url\("data:font/ttf;base64,([^"]+)"\)', form_html
    )
    assert face is not None
    assert base64.b64decode(face.group(1)) == (ROOT / "reports" / "fonts" / "QimaturityBoxes.ttf").read_bytes()
    assert '.box { font-family: "Qimaturity Boxes", ' in form_html


def test_unknown_group_is_refused_with_a_suggestion():
    with pytest.raises(InputError) as error:
        render_questionnaire_html(RUBRIC, group="boards")
    assert "no group 'boards'" in str(error.value) and "did you mean 'board'" in str(error.value)


@pytest.mark.slow
def test_hostile_rubric_and_organisation_text_is_escaped(tmp_path):
    hostile = "<script>alert('form')</script> Leaders & \"role models\""
    path = rubric_copy(
        tmp_path, "hostile.yaml", ("text: Leaders role-model improvement.", f"text: {json.dumps(hostile)}")
    )
    rubric = load_rubric(path)
    html = render_questionnaire_html(rubric, organisation="<img src=x onerror=alert(1)>")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;form&#39;)&lt;/script&gt; Leaders &amp; &#34;role models&#34;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # ... and in the spreadsheet it stays text, never a formula
    sneaky = rubric_copy(tmp_path, "formula.yaml", ("text: Leaders role-model improvement.", "text: '=1+1 sums'"))
    book = load_workbook(io.BytesIO(questionnaire_xlsx(load_rubric(sneaky))))
    guide = book["Guide"]
    cell = next(c for c in guide["D"] if c.value == "=1+1 sums")
    assert cell.data_type == "s"


# ---- PDF, and the command line -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def board_pdf(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("forms") / "board.pdf"
    result = run_main(
        "questionnaire", "qi-readiness", "-o", str(out), "--group", "board", "--organisation", "Riverside"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return out.read_bytes()


@pytest.mark.slow
def test_pdf_renders_a4_with_questions_levels_and_page_numbers(board_pdf):
    reader = PdfReader(io.BytesIO(board_pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    question = RUBRIC.question("gov-board-time")
    assert squeeze(question.text) in squeeze(text)
    assert "Not started" in text and "Exemplary" in text
    assert "trn-coaching-access" not in text  # not asked of the board
    assert f"Page 2 of {len(reader.pages)}" in (reader.pages[1].extract_text() or "")


@pytest.mark.slow
@pytest.mark.subprocess
def test_pdf_tick_boxes_need_no_font_of_the_machine(board_pdf, tmp_path):
    """The tick boxes are drawn in the bundled box font: a machine with no fonts at all (fontconfig told of no font
    folder) prints every box, on as many pages as this one."""
    out = tmp_path / "board.pdf"
    code = (
        "from qimaturity import load_rubric\n"
        "from pathlib import Path\n"
        "from qimaturity.report.questionnaire import write_questionnaire\n"
        "rubric = load_rubric('qi-readiness')\n"
        f"write_questionnaire(rubric, Path({str(out)!r}), group='board', organisation='Riverside')\n" + COUNT_FONTS
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=without_fonts(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "system fonts: 0" in run.stdout
    bare = out.read_bytes()
    for pdf in (board_pdf, bare):
        text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
        # The board's 34 questions, 5 levels each, and an N/A box on 2 of them: 34 x 5 + 2 = 172 empty boxes; the
        # board's own group ticked: one.
        assert (text.count("☐"), text.count("☒")) == (172, 1)
        assert "Qimaturity-Boxes" in pdf_font_names(pdf)
        assert not any("DejaVu" in name for name in pdf_font_names(pdf))
    assert len(PdfReader(io.BytesIO(bare)).pages) == len(PdfReader(io.BytesIO(board_pdf)).pages)


@pytest.mark.slow
def test_cli_writes_each_format(tmp_path, board_pdf):
    assert board_pdf.startswith(b"%PDF")
    html = tmp_path / "form.html"
    xlsx = tmp_path / "form.xlsx"
    for out in (html, xlsx):
        result = run_main("questionnaire", "qi-readiness", "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(out)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert load_workbook(xlsx)["qimaturity"]["B3"].value == "qi-readiness"


def test_cli_refuses_a_bad_output_suffix_and_an_unknown_group(tmp_path):
    result = run_main("questionnaire", "qi-readiness", "-o", str(tmp_path / "form.docx"))
    assert result.returncode == 2
    assert "must end in .html, .pdf or .xlsx" in result.stderr
    assert not (tmp_path / "form.docx").exists()
    result = run_main("questionnaire", "qi-readiness", "-o", str(tmp_path / "form.html"), "--group", "nurses")
    assert result.returncode == 2
    assert "no group 'nurses'" in result.stderr and "Traceback" not in result.stderr


# ---- The spreadsheet template --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> bytes:
    return questionnaire_xlsx(RUBRIC)


def _list_values(book, formula: str) -> list[str]:
    sheet, _, cells = formula.partition("!")
    first, _, last = cells.replace("$", "").partition(":")
    return [c.value for row in book[sheet.strip("'")][f"{first}:{last}"] for c in row]


@pytest.mark.slow
def test_xlsx_has_its_sheets_drop_downs_and_hidden_marker(template):
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["Instructions", "Respondents", "Answers", "Guide", "qimaturity"]
    marker = book["qimaturity"]
    assert marker.sheet_state == "hidden"
    values = {row[0]: row[1] for row in marker.iter_rows(max_row=8, max_col=2, values_only=True)}
    assert values["rubric_id"] == "qi-readiness"
    assert values["rubric_version"] == "2.0.0"
    assert values["content_hash"] == RUBRIC.content_hash

    answers = book["Answers"]
    columns = keys(answers)
    assert list(columns)[:4] == ["respondent", "organisation_id", "group", "date"]
    assert answers.freeze_panes == "E3"
    assert answers.cell(2, columns["lead-role-models"]).value == f"1.2 {RUBRIC.question('lead-role-models').text}"
    validations = answers.data_validations.dataValidation
    for question in RUBRIC.questions():
        cell = f"{answers.cell(3, columns[question.id]).column_letter}3"
        found = [dv for dv in validations if cell in dv.sqref]
        assert len(found) == 1, question.id
        assert found[0].type == "list"
        expected = list(LEVELS.values()) + (["N/A"] if question.na_allowed else [])
        assert _list_values(book, found[0].formula1) == expected
        assert f"{question.id} comment" in columns
        assert (f"{question.id} evidence" in columns) == (question.evidence_from is not None)

    people = book["Respondents"]
    assert list(keys(people))[:5] == ["respondent", "group", "organisation_id", "organisation_name", "date"]
    group_check = next(dv for dv in people.data_validations.dataValidation if "B3" in dv.sqref)
    assert _list_values(book, group_check.formula1) == [g.id for g in RUBRIC.respondent_groups]
    guide = book["Guide"]
    assert [c.value for c in guide[1]][-5:] == list(LEVELS.values())
    assert guide.max_row == 1 + RUBRIC.question_count


@pytest.mark.slow
def test_xlsx_for_one_group_has_only_its_questions():
    book = load_workbook(io.BytesIO(questionnaire_xlsx(RUBRIC, group="frontline")))
    columns = keys(book["Answers"])
    for question in RUBRIC.questions():
        assert (question.id in columns) == (not question.respondents or "frontline" in question.respondents)
    values = {row[0]: row[1] for row in book["qimaturity"].iter_rows(max_row=8, max_col=2, values_only=True)}
    assert values["group"] == "frontline"


# ---- Reading it back -----------------------------------------------------------------------------------------

ALL_THREE = ("board", "managers", "frontline")
EVIDENCE = {"reference": "Board paper 2026/041", "date": "2026-07-14"}


def _eligible(question, group: str) -> bool:
    return not question.respondents or group in question.respondents


def _round_trip_answers() -> list[tuple[str, dict]]:
    """One respondent of each group, levels chosen so that every question comes to 3 except those of method and
    measurement, which come to 4 (see the test for the arithmetic)."""
    rows: dict[str, dict] = {"board-1": {}, "manager-1": {}, "frontline-1": {}, "patient-1": {}}
    spelling = {  # each respondent writes levels differently: all must read the same
        "board-1": lambda level: level,  # a number
        "manager-1": lambda level: LEVELS[level],  # "3 Developing", from the drop-down
        "frontline-1": lambda level: str(level),  # "3" as text
        "patient-1": lambda level: level,
    }
    group_of = {
        "board-1": "board",
        "manager-1": "managers",
        "frontline-1": "frontline",
        "patient-1": "patient-partners",
    }
    for question in RUBRIC.questions():
        everyone = all(_eligible(question, g) for g in ALL_THREE)
        for rid, cells in rows.items():
            if not _eligible(question, group_of[rid]):
                continue
            if question.domain_id == "method-measurement":
                level = 4
            elif everyone:
                level = {"board-1": 4, "manager-1": 3, "frontline-1": 2, "patient-1": 3}[rid]
            else:
                level = 3
            cells[question.id] = spelling[rid](level)
            if question.evidence_from is not None and level >= question.evidence_from:
                cells[f"{question.id} evidence"] = EVIDENCE["reference"]
                cells[f"{question.id} evidence date"] = (
                    date(2026, 7, 14) if rid == "board-1" else EVIDENCE["date"]
                )  # a date cell, or ISO text
    rows["board-1"]["lead-role-models comment"] = "Our chief nurse holds the improvement portfolio."
    rows["board-1"]["gov-regulator-compact"] = "N/A"
    rows["board-1"]["gov-regulator-compact comment"] = "No regulator oversees our improvement plans."
    rows["manager-1"]["trn-qi-team"] = "n/a"
    rows["manager-1"]["trn-qi-team comment"] = "We use the regional improvement hub."
    return list(rows.items())


RESPONDENTS = [
    {
        "respondent": "board-1",
        "group": "board",
        "organisation_id": "rx1",
        "organisation_name": "Riverside Community Health NHS Trust",
        "date": "2026-09-30",
        "organisation_type": "community",
        "region": "north-west",
    },
    {"respondent": "manager-1", "group": "managers", "organisation_id": "rx1", "date": date(2026, 9, 28)},
    {"respondent": "frontline-1", "group": "Frontline staff", "organisation_id": "rx1", "date": datetime(2026, 9, 29)},
    {"respondent": "patient-1", "group": "patient-partners", "organisation_id": "rx1", "date": "2026-09-29"},
]


@pytest.mark.slow
def test_round_trip_template_to_scores_is_lossless(tmp_path, template):
    path = fill(template, tmp_path / "filled.xlsx", RESPONDENTS, _round_trip_answers())
    documents = read_template(path, RUBRIC)
    assert len(documents) == 1
    data = documents[0]
    assert data["rubric"] == {"id": "qi-readiness", "version": "2.0.0"}
    assert data["organisation"] == {
        "id": "rx1",
        "name": "Riverside Community Health NHS Trust",
        "type": "community",
        "region": "north-west",
    }
    assert data["date"] == "2026-09-30"  # the latest date answered
    assert [(r["id"], r["group"]) for r in data["respondents"]] == [
        ("board-1", "board"),
        ("manager-1", "managers"),
        ("frontline-1", "frontline"),  # the group's name was typed: read as its id
        ("patient-1", "patient-partners"),
    ]
    doc = SourceDocument("filled.xlsx", data)
    assert check_answers_document(doc, RUBRIC) == []
    assessment = assessment_from_document(doc)
    result = score(RUBRIC, assessment)

    # By hand: where board, managers and frontline are all asked, they answer 4 (with evidence), 3 and 2, and
    # the patient partner 3 where asked too: each group's median is its one answer, and the groups' mean is
    # (4 + 3 + 2) / 3 = 3 or (4 + 3 + 2 + 3) / 4 = 3. Elsewhere every answer is 3; the board's N/A on
    # gov-regulator-compact (asked of the board alone) leaves it out of governance, the manager's N/A on
    # trn-qi-team leaves the board's 3. In method and measurement every answer is 4, with evidence where the
    # question needs it from level 4. So every domain is at 3 except method and measurement at 4, and overall,
    # with leadership and governance weighted 1.5 and the other seven domains 1:
    # (1.5*3 + 1.5*3 + 6*3 + 4) / 10 = 31/10.
    for domain in result.domains:
        expected = 4 if domain.id == "method-measurement" else 3
        assert (domain.id, domain.value, domain.level) == (domain.id, expected, expected)
    assert result.overall.value == pytest.approx(31 / 10, abs=1e-4)
    assert result.overall.level == 3

    answers = {(r.id, a.question_id): a for r in assessment.respondents for a in r.answers}
    comment = answers[("board-1", "lead-role-models")]
    assert comment.level == 4 and comment.comment == "Our chief nurse holds the improvement portfolio."
    assert comment.evidence[0].reference == "Board paper 2026/041" and comment.evidence[0].date == "2026-07-14"
    na = answers[("manager-1", "trn-qi-team")]
    assert na.na and na.justification == "We use the regional improvement hub."
    assert answers[("board-1", "gov-regulator-compact")].na
    assert answers[("frontline-1", "met-pdsa")].level == 4
    given = sum(1 for _, cells in _round_trip_answers() for key in cells if " " not in key)
    assert len(answers) == given  # every answer cell became one answer


@pytest.mark.slow
def test_template_reads_without_its_label_rows_and_one_document_per_organisation(tmp_path):
    rubric = load_rubric(MINIMAL)
    respondents = [
        {"respondent": "a1", "group": "board", "organisation_id": "org-a", "organisation_name": "Org A"},
        {"respondent": "b1", "group": "staff", "organisation_id": "org-b", "organisation_name": "Org B"},
        {"respondent": "a2", "group": "staff", "organisation_id": "org-a"},
    ]
    answers = [
        ("b1", {"lead-1": "2 Mid", "lead-2": "high", "meth-1": "N/A", "meth-1 comment": "No teams yet."}),
        ("a1", {"lead-1": 2, "lead-2": 1.0, "meth-1": "1 - Low"}),
        ("a2", {"lead-1": "2", "lead-2": 3}),
    ]
    path = fill(questionnaire_xlsx(rubric), tmp_path / "two.xlsx", respondents, answers)
    book = load_workbook(path)
    book["Answers"].delete_rows(2)  # a user removed the label rows: the keys in row 1 still lead
    book["Respondents"].delete_rows(2)
    book.save(path)
    documents = read_template(path, rubric)
    assert [d["organisation"] for d in documents] == [
        {"id": "org-b", "name": "Org B"},
        {"id": "org-a", "name": "Org A"},
    ]
    assert documents[0]["respondents"] == [
        {
            "id": "b1",
            "group": "staff",
            "answers": {"lead-1": 2, "lead-2": 3, "meth-1": {"na": True, "justification": "No teams yet."}},
        }
    ]
    assert [r["answers"] for r in documents[1]["respondents"]] == [
        {"lead-1": 2, "lead-2": 1, "meth-1": 1},
        {"lead-1": 2, "lead-2": 3},
    ]
    for data in documents:
        assert check_answers_document(SourceDocument("two.xlsx", data), rubric) == []


@pytest.mark.slow
def test_template_for_another_rubric_version_or_text_is_refused(tmp_path):
    rubric = load_rubric(MINIMAL)
    newer = load_rubric(rubric_copy(tmp_path, "newer.yaml", ('version: "1.0"', 'version: "1.1"')))
    path = tmp_path / "newer.xlsx"
    path.write_bytes(questionnaire_xlsx(newer))
    with pytest.raises(InputError) as error:
        read_template(path, rubric)
    (problem,) = error.value.problems
    assert (problem.file, problem.line, problem.column, problem.path) == (
        str(path),
        4,
        2,
        "/qimaturity/rows/4/columns/2",
    )
    assert "made for version 1.1 of 'mini'; this rubric is version 1.0" in problem.message

    edited = load_rubric(rubric_copy(tmp_path, "edited.yaml", ("title: Minimal rubric", "title: Edited rubric")))
    assert (edited.version, edited.content_hash != rubric.content_hash) == (rubric.version, True)
    path.write_bytes(questionnaire_xlsx(edited))
    with pytest.raises(InputError) as error:
        read_template(path, rubric)
    (problem,) = error.value.problems
    assert (problem.line, problem.column) == (5, 2)
    assert "different text of 'mini' 1.0" in problem.message
    assert "changed without a new version number" in problem.hint

    path.write_bytes(questionnaire_xlsx(RUBRIC))
    with pytest.raises(InputError) as error:
        read_template(path, rubric)
    assert "made for rubric 'qi-readiness', not 'mini'" in str(error.value)

    plain = Workbook()
    plain.save(path)
    with pytest.raises(InputError) as error:
        read_template(path, rubric)
    assert "not a qimaturity questionnaire template" in str(error.value)
    path.write_text("respondent,group\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_template(path, rubric)
    assert "not an Excel workbook" in str(error.value)


@pytest.mark.slow
def test_bad_cells_are_all_reported_with_sheet_row_and_column(tmp_path, template):
    respondents = [
        {"respondent": "board-1", "group": "board", "organisation_id": "rx1", "organisation_name": "Riverside"},
        {"respondent": "front-1", "group": "nurses", "organisation_id": "rx1", "date": "30/09/2026"},
        {"respondent": "front-2", "group": "frontline", "organisation_id": "rx1"},
    ]
    answers = [
        (
            "board-1",
            {
                "lead-executive-lead": "7",
                "lead-role-models": "maybe",
                "lead-coaching": "N/A",  # N/A is not allowed here
                "lead-continuity": "3 Embedded",  # level 3 is Developing
                "trn-qi-team": "N/A",  # allowed, but without the justification the rubric requires
                "lead-succession comment": "A comment without an answer.",
                "group": "managers",  # typed over the look-up, and not what the Respondents sheet says
            },
        ),
        ("front-2", {"trn-board-training": 3, "lead-two-jobs": 2.5}),  # not asked; not a whole level
        ("nobody", {"lead-role-models": 3}),
    ]
    path = fill(template, tmp_path / "bad.xlsx", respondents, answers)
    with pytest.raises(InputError) as error:
        read_template(path, RUBRIC)
    book = load_workbook(path)
    answer_columns = keys(book["Answers"])
    people_columns = keys(book["Respondents"])

    def at(sheet: str, row: int, key: str) -> tuple[int, int, str]:
        column = (answer_columns if sheet == "Answers" else people_columns)[key]
        return (row, column, f"/{sheet}/rows/{row}/columns/{column}")

    found = {(p.line, p.column, p.path): p.message for p in error.value.problems}
    assert all(p.file == str(path) for p in error.value.problems)
    expected = {
        at("Respondents", 4, "group"): "cell B4: unknown respondent group 'nurses'",
        at("Respondents", 4, "date"): "cell E4: '30/09/2026' is not a date",
        at("Answers", 3, "group"): "cell C3: 'managers' differs from the Respondents sheet (board, row 3)",
        at("Answers", 3, "lead-executive-lead"): "cell E3: question 'lead-executive-lead': '7' is not a level of",
        at("Answers", 3, "lead-role-models"): "cell I3: question 'lead-role-models': 'maybe' is not a level",
        at("Answers", 3, "lead-coaching"): "question 'lead-coaching' cannot be answered N/A",
        at("Answers", 3, "lead-continuity"): "'3 Embedded' names level 3 'Embedded', but level 3 is 'Developing'",
        at("Answers", 3, "lead-succession comment"): "question 'lead-succession': a comment without an answer",
        at("Answers", 3, "trn-qi-team comment"): "question 'trn-qi-team': N/A needs a justification",
        at("Answers", 4, "trn-board-training"): "question 'trn-board-training' is not asked of the frontline group",
        at("Answers", 4, "lead-two-jobs"): "question 'lead-two-jobs': 2.5 is not a whole level",
        at("Answers", 5, "respondent"): "cell A5: respondent 'nobody' is not on the Respondents sheet",
    }
    assert set(found) == set(expected)
    for place, message in expected.items():
        assert message in found[place], (place, found[place])
    assert expected[at("Answers", 3, "lead-executive-lead")][:8] == "cell E3:"  # E: the first question's column
    hints = {p.path: p.hint for p in error.value.problems}
    assert "choose from the list: 1 Not started, 2 Emerging" in hints[at("Answers", 3, "lead-role-models")[2]]
    assert "groups: board, managers, frontline, patient-partners" in hints[at("Respondents", 4, "group")[2]]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["score", "explain", "report", "compare", "import"])
def test_a_blank_template_says_no_answers_found_to_every_command_that_reads_answers(tmp_path, command, blank_template):
    blank = blank_template
    output = {"report": ["-o", str(tmp_path / "r.html")], "import": ["-o", str(tmp_path / "a.yaml")]}
    result = run_main(command, "qi-readiness", str(blank), *output.get(command, []))
    assert result.returncode == 2, result.stdout
    assert f"{blank}: /: no answers found: the file names no respondent" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "a.yaml").exists()


@pytest.mark.slow
def test_na_on_a_mandatory_item_of_the_stages_rubric_is_refused_at_its_cell(tmp_path):
    """qi-programme-stages allows no N/A on its three mandatory items (issue 12): the workbook names the cell."""
    rubric = load_rubric("qi-programme-stages")
    respondents = [{"respondent": "lead", "organisation_id": "org-s", "organisation_name": "Org S"}]
    answers = [("lead", {"executive-sponsor": "N/A", "executive-sponsor comment": "We have none.", "qi-team": "N/A"})]
    path = fill(questionnaire_xlsx(rubric), tmp_path / "stages.xlsx", respondents, answers)
    with pytest.raises(InputError) as error:
        read_template(path, rubric)
    column = keys(load_workbook(path)["Answers"])["executive-sponsor"]
    problems = [(p.file, p.line, p.column, p.path, p.message, p.hint) for p in error.value.problems]
    # (qi-team allows N/A but needs a justification, which it lacks: a second problem, in its comment cell)
    assert (str(path), 3, column, f"/Answers/rows/3/columns/{column}") in [p[:4] for p in problems]
    (mandatory,) = [p for p in problems if "executive-sponsor" in p[4]]
    assert mandatory[4].endswith("question 'executive-sponsor' cannot be answered N/A")
    assert mandatory[5] == "choose a level"


def test_a_groups_form_asks_for_evidence_only_where_the_question_asks_that_group():
    from qimaturity.rubric.forms import build_form

    from .conftest import SCORING_RUBRICS

    rubric = load_rubric(SCORING_RUBRICS / "evidence-groups.yaml")  # board-only asks the board and managers

    def evidence(group):
        form = build_form(rubric, group=group)
        return {q.question.id: q.evidence_level and q.evidence_level.value for d in form.domains for q in d.questions}

    assert evidence("board") == {"board-only": 4, "everyone": 4}
    assert evidence("frontline") == {"board-only": None, "everyone": 4}
    assert evidence(None) == {"board-only": 4, "everyone": 4}  # the whole rubric's form
