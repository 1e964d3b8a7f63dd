"""Blank questionnaires: a printable form (HTML or A4 PDF) and a spreadsheet template (XLSX) that reads back.

A trust's quality-improvement lead prints or sends out the form, collects the answers of board members, managers,
frontline staff and patient partners, types them into the template and reads the template back into answers
documents (:func:`qimaturity.answers.template.read_template`), which are checked and scored like any answers
file. The form model both halves share is :mod:`qimaturity.rubric.forms`.

**The form** (:func:`render_questionnaire_html`, PDF through :func:`qimaturity.report.render.render_pdf`): a header
and a respondent details box (name optional, role group to tick, organisation, date), instructions (who answers,
how to choose a level, the N/A and evidence rules, the level scale), then per domain and question the question,
its guidance, every level's descriptor as a tick box, an N/A box with a reason line where the rubric allows N/A,
an evidence line where the question requires evidence from a level, and a comment box. With a respondent group,
only the questions that group is asked, each in that group's words where the rubric gives them (the question's
``wording`` and ``help_for``; the template's labels and Guide sheet too). Question numbers (``2.3``: domain 2,
question 3) are those of the whole rubric, so they are the same on every group's form; each question also shows
its id, which heads its columns in the spreadsheet template. Rendered in the same sandboxed, autoescaping Jinja2
environment as the gap reports.

**The template** (:func:`questionnaire_xlsx`) has these sheets:

- ``Instructions``: how to fill in the workbook, and the level scale.
- ``Respondents``: one row per respondent: ``respondent`` (id), ``group`` (a drop-down of the rubric's respondent
  group ids), ``organisation_id``, ``organisation_name``, ``date`` (the date answered, YYYY-MM-DD), and the
  optional ``organisation_type`` and ``region``.
- ``Answers``: wide, one row per respondent. Columns ``respondent`` (a drop-down of the ids on the Respondents
  sheet), then ``organisation_id``, ``group`` and ``date``, which are looked up from the Respondents sheet by
  formulas (for reading; typed values there must agree with the Respondents sheet), then for each question
  ``QUESTION_ID`` (the answer: a drop-down of ``1 Not started``, ``2 Emerging``, ... and ``N/A`` where the
  question allows it), ``QUESTION_ID comment`` and, for a question with ``evidence_from``,
  ``QUESTION_ID evidence`` (a reference) and ``QUESTION_ID evidence date``.
- ``Guide``: every question with its guidance, who is asked it, its N/A and evidence rules and every level's
  descriptor.
- ``qimaturity`` (hidden, protected): the marker: layout format, rubric id, version and content hash, the
  respondent group and organisation the template was made for, the engine version, and the drop-down lists.

On the Respondents and Answers sheets, row 1 holds the column keys (which the reader goes by, so columns may be
reordered, and question columns left out) and row 2 readable labels (the question's number and text); data start
at row 3. Panes are frozen below the labels and beside the respondent columns.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from qimaturity._core.formulas import put_cell
from qimaturity._core.na import NA_TEXT
from qimaturity._core.outputs import write_atomic
from qimaturity._core.problems import InputError
from qimaturity._core.resources import bundled_dir
from qimaturity.report.branding import DEFAULT_BRAND, Brand
from qimaturity.rubric.forms import (
    ANSWERS,
    LOOKUPS,
    MARKER_SHEET,
    MARKER_TITLE,
    RESPONDENT_COLUMNS,
    RESPONDENTS,
    TEMPLATE_FORMAT,
    _answer_columns,
    build_form,
    level_option,
)
from qimaturity.rubric.model import Rubric
from qimaturity.version import __version__

FORM_TEMPLATE = "questionnaire.html.j2"
BOX_FONT = "QimaturityBoxes.ttf"
FORMATS = (".html", ".pdf", ".xlsx")
TEMPLATE_ROWS = 500  # data rows prepared with drop-downs and look-ups on the Respondents and Answers sheets
GUIDE = "Guide"
INSTRUCTIONS = "Instructions"
DATE_FORMAT = "yyyy-mm-dd"


# ---- HTML and PDF --------------------------------------------------------------------------------------------


def render_questionnaire_html(
    rubric: Rubric,
    *,
    group: str | None = None,
    organisation: str | None = None,
    brand: Brand = DEFAULT_BRAND,
    generated: datetime | None = None,
) -> str:
    """The printable form as one self-contained HTML document (A4 print styles included, and the tick boxes' font,
    so that they show whatever fonts the reader's machine has)."""
    from qimaturity.report.render import render_document

    form = build_form(rubric, group=group, organisation=organisation)
    context = {"form": form, "rubric": rubric, "box_font": box_font_data_uri()}
    return render_document(FORM_TEMPLATE, context, brand=brand, generated=generated)


@cache
def box_font_data_uri() -> str:
    """The bundled tick-box font (``reports/fonts/QimaturityBoxes.ttf``, 11 KB: the glyphs ☐ ☑ ☒ and their licence
    notice) as a ``data:`` URL."""
    raw = (bundled_dir("reports") / "fonts" / BOX_FONT).read_bytes()
    return f"data:font/ttf;base64,{base64.b64encode(raw).decode('ascii')}"


def write_questionnaire(
    rubric: Rubric,
    output: Path,
    *,
    group: str | None = None,
    organisation: str | None = None,
    brand: Brand = DEFAULT_BRAND,
    generated: datetime | None = None,
) -> Path:
    """Write the blank questionnaire as ``.html``, ``.pdf`` or ``.xlsx`` (by the suffix), atomically."""
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise InputError.single(str(output), "the output must end in .html, .pdf or .xlsx", "choose a format")
    if suffix == ".xlsx":
        return write_atomic(output, questionnaire_xlsx(rubric, group=group, organisation=organisation, brand=brand))
    html = render_questionnaire_html(rubric, group=group, organisation=organisation, brand=brand, generated=generated)
    if suffix == ".html":
        return write_atomic(output, html)
    from qimaturity.report.render import render_pdf

    return write_atomic(output, render_pdf(html, generated=generated))


# ---- The spreadsheet template --------------------------------------------------------------------------------
def _height(texts: Sequence[tuple[str, float]], *, line: float = 15.0, limit: float = 409.0) -> float:
    """A row height (points) that shows wrapped texts of the given column widths (characters) in full."""
    lines = 1
    for text, width in texts:
        per_line = max(1, int(width * 1.05))
        count = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return min(limit, lines * line + 4)


def questionnaire_xlsx(
    rubric: Rubric, *, group: str | None = None, organisation: str | None = None, brand: Brand = DEFAULT_BRAND
) -> bytes:
    """The spreadsheet template (see the module's documentation for its layout)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    form = build_form(rubric, group=group, organisation=organisation)
    primary = brand.primary.lstrip("#").upper()
    head_fill = PatternFill("solid", fgColor=primary)
    label_fill = PatternFill("solid", fgColor="F3F5F8")
    lookup_fill = PatternFill("solid", fgColor="EEF1F5")
    head_font = Font(bold=True, color="FFFFFF")
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    rule = Border(bottom=Side(style="thin", color="AEB6BF"))
    last = 2 + TEMPLATE_ROWS

    def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
        """Write a value; text is always text, never a formula, whatever the rubric or --organisation says."""
        cell: Cell = put_cell(sheet, row, column, value)
        return cell

    def headers(sheet: Worksheet, keys: Sequence[str], labels: Sequence[str], widths: Sequence[float]) -> None:
        for index, (key, label, width) in enumerate(zip(keys, labels, widths, strict=True), start=1):
            top = put(sheet, 1, index, key)
            top.fill, top.font = head_fill, head_font
            below = put(sheet, 2, index, label)
            below.fill, below.font, below.alignment, below.border = label_fill, bold, wrap, rule
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.row_dimensions[2].height = _height(list(zip(labels, widths, strict=True)))

    book = Workbook()
    book.remove(book.active)
    marker = book.create_sheet(MARKER_SHEET)
    marker_rows: list[tuple[str, Any]] = [
        (MARKER_TITLE, "Do not edit: qimaturity reads this sheet to check that answers match the rubric."),
        ("format", TEMPLATE_FORMAT),
        ("rubric_id", rubric.id),
        ("rubric_version", rubric.version),
        ("content_hash", rubric.content_hash),
        ("group", form.group.id if form.group else ""),
        ("organisation", organisation or ""),
        ("engine", f"qimaturity {__version__}"),
    ]
    for row, (key, value) in enumerate(marker_rows, start=1):
        put(marker, row, 1, key)
        put(marker, row, 2, value)
    options = [level_option(level) for level in rubric.levels]
    group_ids = [form.group.id] if form.group else [g.id for g in rubric.respondent_groups]
    lists = {"levels": options, "levels_na": [*options, NA_TEXT], "groups": group_ids}
    ranges: dict[str, str] = {}
    for column, (name, values) in enumerate(lists.items(), start=4):
        put(marker, 1, column, name)
        for row, value in enumerate(values, start=2):
            put(marker, row, column, value)
        letter = get_column_letter(column)
        ranges[name] = f"{quote_sheetname(MARKER_SHEET)}!${letter}$2:${letter}${max(2, len(values) + 1)}"
    marker.sheet_state = "hidden"
    marker.protection.sheet = True

    # Instructions
    guide_text = book.create_sheet(INSTRUCTIONS, 0)
    guide_text.column_dimensions["A"].width = 24
    guide_text.column_dimensions["B"].width = 100
    title = put(guide_text, 1, 1, f"Questionnaire: {rubric.title}")
    title.font = Font(bold=True, size=14, color=primary)
    facts = [
        ("Rubric", f"{rubric.id} {rubric.version}"),
        ("Respondent group", form.group.name if form.group else "all respondent groups"),
        ("Organisation", organisation or "(fill in on the Respondents sheet)"),
        ("Questions", str(form.question_count)),
    ]
    steps = [
        "Respondents sheet: one row per person who answered: an id of your choosing (write it on their paper form), "
        "their role group (from the drop-down), the organisation's id and name, and the date they answered.",
        "Answers sheet: one row per respondent. Choose their id in column A; organisation, group and date then "
        "show from the Respondents sheet. For each question, choose the level they ticked from the drop-down "
        "(or N/A where the question offers it); leave the cell empty if they did not answer.",
        "Comments go in the column beside each answer. For an N/A answer, that column holds the reason it does "
        "not apply, which the rubric requires.",
        "Where a question needs evidence from a level, write the evidence reference and its date in the two "
        "evidence columns; without it, an answer at or above that level counts at the level below.",
        "Row 1 holds the keys qimaturity reads: do not change them. Question numbers and ids match the paper form; "
        "the Guide sheet lists every question with its level descriptors.",
        "Read the workbook back with qimaturity: it checks every cell and names the sheet, row and column of "
        "any problem.",
    ]
    row = 3
    for label, value in facts:
        put(guide_text, row, 1, label).font = bold
        put(guide_text, row, 2, value).alignment = wrap
        row += 1
    row += 1
    put(guide_text, row, 1, "How to fill it in").font = Font(bold=True, size=12, color=primary)
    row += 1
    for number, step in enumerate(steps, start=1):
        put(guide_text, row, 1, f"Step {number}").font = bold
        put(guide_text, row, 2, step).alignment = wrap
        guide_text.row_dimensions[row].height = _height([(step, 100)])
        row += 1
    row += 1
    put(guide_text, row, 1, "Levels").font = Font(bold=True, size=12, color=primary)
    row += 1
    for level in rubric.levels:
        put(guide_text, row, 1, level_option(level)).font = bold
        put(guide_text, row, 2, level.descriptor).alignment = wrap
        guide_text.row_dimensions[row].height = _height([(level.descriptor, 100)])
        row += 1

    # Respondents
    people = book.create_sheet(RESPONDENTS)
    headers(
        people,
        [c[0] for c in RESPONDENT_COLUMNS],
        [c[1] for c in RESPONDENT_COLUMNS],
        [c[2] for c in RESPONDENT_COLUMNS],
    )
    groups_valid = DataValidation(
        type="list",
        formula1=ranges["groups"],
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Role group",
        error="Choose one of the rubric's respondent groups from the list.",
    )
    people.add_data_validation(groups_valid)
    groups_valid.add(f"B3:B{last}")
    for line in range(3, last + 1):
        people.cell(line, 5).number_format = DATE_FORMAT
    people.freeze_panes = "B3"

    # Answers
    answers = book.create_sheet(ANSWERS)
    columns = _answer_columns(form)
    headers(answers, [c.key for c in columns], [c.label for c in columns], [c.width for c in columns])
    who = DataValidation(
        type="list",
        formula1=f"Respondents!$A$3:$A${last}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Respondent",
        error="This id is not on the Respondents sheet yet: add the respondent there.",
    )
    answers.add_data_validation(who)
    who.add(f"A3:A{last}")
    for line in range(3, last + 1):
        for index, (_, _, source, _) in enumerate(LOOKUPS, start=2):
            formula = (
                f'=IF($A{line}="","",IFERROR(INDEX(Respondents!${source}$3:${source}${last},'
                f'MATCH($A{line},Respondents!$A$3:$A${last},0)),"not on Respondents"))'
            )
            cell = answers.cell(line, index, formula)
            cell.fill = lookup_fill
            if source == "E":
                cell.number_format = DATE_FORMAT
    for index, spec in enumerate(columns, start=1):
        question = spec.question
        letter = get_column_letter(index)
        if spec.kind == "answer" and question is not None:
            check = DataValidation(
                type="list",
                formula1=ranges["levels_na" if question.na_allowed else "levels"],
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle="Answer",
                error="Choose a level from the list" + (", or N/A." if question.na_allowed else "."),
                promptTitle=question.id[:32],
                prompt=spec.text[:250],
            )
            answers.add_data_validation(check)
            check.add(f"{letter}3:{letter}{last}")
        elif spec.kind == "evidence date":
            for line in range(3, last + 1):
                answers.cell(line, index).number_format = DATE_FORMAT
        if spec.kind in ("comment", "evidence"):
            for line in range(3, last + 1):
                answers.cell(line, index).alignment = wrap
    answers.freeze_panes = "E3"

    # Guide
    guide = book.create_sheet(GUIDE)
    keys = ["No.", "Domain", "Question id", "Question", "Guidance", "Asked of", "N/A", "Evidence from"]
    widths: list[float] = [7, 18, 22, 50, 44, 20, 16, 16]
    keys += [level_option(level) for level in rubric.levels]
    widths += [40] * len(rubric.levels)
    for index, (key, width) in enumerate(zip(keys, widths, strict=True), start=1):
        cell = put(guide, 1, index, key)
        cell.fill, cell.font, cell.alignment = head_fill, head_font, wrap
        guide.column_dimensions[get_column_letter(index)].width = width
    for line, item in enumerate(form.questions, start=2):
        q = item.question
        na = ("allowed, with a reason" if q.na_justification else "allowed") if q.na_allowed else "no"
        evidence = level_option(item.evidence_level) if item.evidence_level else ""
        descriptors = {c.value: c.descriptor for c in item.choices}
        domain = rubric.domain(q.domain_id).title
        values = [item.number, domain, q.id, item.text, item.help or "", ", ".join(item.asked_of) or "everyone", na]
        values += [evidence, *(descriptors.get(level.value, "") for level in rubric.levels)]
        for index, value in enumerate(values, start=1):
            put(guide, line, index, value).alignment = wrap
        guide.row_dimensions[line].height = _height([(str(v), w) for v, w in zip(values, widths, strict=True)], line=13)
    guide.freeze_panes = "D2"

    book.move_sheet(marker, offset=len(book.sheetnames) - 1 - book.sheetnames.index(MARKER_SHEET))
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
