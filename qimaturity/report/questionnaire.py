"""Blank questionnaires: a printable form (HTML or A4 PDF) and a spreadsheet template (XLSX) that reads back.

A trust's quality-improvement lead prints or sends out the form, collects the answers of board members, managers,
frontline staff and patient partners, types them into the template and reads the template back into answers
documents (:func:`read_template`), which are checked and scored like any answers file.

**The form** (:func:`render_questionnaire_html`, PDF through :func:`qimaturity.report.render.render_pdf`): a header
and a respondent details box (name optional, role group to tick, organisation, date), instructions (who answers,
how to choose a level, the N/A and evidence rules, the level scale), then per domain and question the question,
its guidance, every level's descriptor as a tick box, an N/A box with a reason line where the rubric allows N/A,
an evidence line where the question requires evidence from a level, and a comment box. With a respondent group,
only the questions that group is asked. Question numbers (``2.3``: domain 2, question 3) are those of the whole
rubric, so they are the same on every group's form; each question also shows its id, which heads its columns in
the spreadsheet template. Rendered in the same sandboxed, autoescaping Jinja2 environment as the gap reports.

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

**Reading back** (:func:`read_template`), decided as follows:

- the template must carry the marker of the same rubric id and version; the same version with a different content
  hash (the rubric changed without a new version) is refused too;
- an answer is ``3``, ``3 Developing``, ``3 - Developing`` or ``Developing`` (any case; a number with the wrong
  level name is refused), or ``N/A`` (also ``NA``, ``n/a``, ``not applicable``) where the question allows N/A;
- the comment column holds the comment on a level answer, and the justification of an N/A answer; where the
  rubric requires a justification for N/A (the default), an N/A without one is a problem: nothing is invented;
- one evidence item per answer: the evidence reference, with its optional date; a date without a reference is
  a problem; a comment or evidence without an answer is a problem (it would be lost);
- every respondent must be on the Respondents sheet with a role group and an organisation id; an answer from a
  group the question is not asked of is a problem;
- one answers document per organisation id, in order of first appearance on the Answers sheet, with the
  respondents in row order. The organisation's name, type and region are those given on the Respondents sheet
  (differing values for one organisation are a problem; a missing name falls back to the organisation the
  template was made for); its assessment date is the latest date its respondents answered;
- rows that are empty (formulas aside) and the label row are skipped; Respondents rows without answers are left
  out;
- every bad cell is reported, with the sheet, row and column, as ``Problem(file, row, column,
  "/Answers/rows/5/columns/8", "cell H5: ...", hint)``, in one :class:`InputError`. Checks of a whole document
  (a question nobody answered, evidence too old) are left to :func:`qimaturity.answers.files.check_answers_document`,
  so that a template filled in part, or by one group, still reads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qimaturity._core.documents import check_input_file
from qimaturity._core.formulas import put_cell
from qimaturity._core.limits import MAX_TEMPLATE_BYTES
from qimaturity._core.outputs import write_atomic
from qimaturity._core.problems import InputError, Problem
from qimaturity.report.branding import DEFAULT_BRAND, Brand
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.model import Domain, Level, Question, RespondentGroup, Rubric
from qimaturity.version import __version__

FORM_TEMPLATE = "questionnaire.html.j2"
FORMATS = (".html", ".pdf", ".xlsx")
TEMPLATE_FORMAT = 1
TEMPLATE_ROWS = 500  # data rows prepared with drop-downs and look-ups on the Respondents and Answers sheets
MAX_TEMPLATE_ROWS = 100_000
NA_TEXT = "N/A"
NA_SPELLINGS = frozenset({"n/a", "na", "n.a.", "n.a", "not applicable"})
MARKER_SHEET = "qimaturity"
MARKER_TITLE = "qimaturity questionnaire template"
RESPONDENTS = "Respondents"
ANSWERS = "Answers"
GUIDE = "Guide"
INSTRUCTIONS = "Instructions"
RESPONDENT_LABEL = "Respondent id"
DATE_FORMAT = "yyyy-mm-dd"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBERED = re.compile(r"^(\d+)\s*(?:[-\u2013\u2014:.)]\s*)?(.*)$")

# Respondents sheet: key, label, width, required.
RESPONDENT_COLUMNS: tuple[tuple[str, str, int, bool], ...] = (
    ("respondent", RESPONDENT_LABEL, 18, True),
    ("group", "Role group", 18, True),
    ("organisation_id", "Organisation id (a short code, e.g. rx1)", 20, True),
    ("organisation_name", "Organisation name", 34, False),
    ("date", "Date answered (YYYY-MM-DD)", 16, False),
    ("organisation_type", "Organisation type (optional, e.g. acute)", 20, False),
    ("region", "Region (optional)", 18, False),
)
# Answers sheet: the first columns, looked up from the Respondents sheet by formulas.
LOOKUPS: tuple[tuple[str, str, str, int], ...] = (
    # key, label, column of the Respondents sheet it shows, width
    ("organisation_id", "Organisation (from Respondents)", "C", 18),
    ("group", "Role group (from Respondents)", "B", 16),
    ("date", "Date (from Respondents)", "E", 13),
)
COMMENT, EVIDENCE, EVIDENCE_DATE = " comment", " evidence", " evidence date"
MAX_ID = 100
MAX_NAME = 300
MAX_JUSTIFICATION = 5000
MAX_COMMENT = 10000
MAX_REFERENCE = 1000


# ---- What the form shows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: int
    name: str
    descriptor: str


@dataclass(frozen=True)
class FormQuestion:
    number: str
    question: Question
    choices: tuple[Choice, ...]
    asked_of: tuple[str, ...]  # the names of the groups asked; empty when every group is asked
    evidence_level: Level | None


@dataclass(frozen=True)
class FormDomain:
    number: int
    domain: Domain
    questions: tuple[FormQuestion, ...]


@dataclass(frozen=True)
class Form:
    """A questionnaire: the rubric's questions for one respondent group (or all), ready for a template."""

    rubric: Rubric
    group: RespondentGroup | None
    organisation: str | None
    domains: tuple[FormDomain, ...]
    questions: tuple[FormQuestion, ...] = field(default=())

    @property
    def question_count(self) -> int:
        return len(self.questions)

    @property
    def na_count(self) -> int:
        return sum(1 for q in self.questions if q.question.na_allowed)

    @property
    def na_justified(self) -> bool:
        return any(q.question.na_allowed and q.question.na_justification for q in self.questions)

    @property
    def evidence_count(self) -> int:
        return sum(1 for q in self.questions if q.evidence_level is not None)

    @property
    def evidence_levels(self) -> tuple[Level, ...]:
        levels = {q.evidence_level.value: q.evidence_level for q in self.questions if q.evidence_level is not None}
        return tuple(levels[value] for value in sorted(levels))

    @property
    def skipped(self) -> int:
        """How many of the rubric's questions this form leaves out (those asked of other groups)."""
        return self.rubric.question_count - len(self.questions)


def find_group(rubric: Rubric, group: str | None) -> RespondentGroup | None:
    """The rubric's respondent group with this id (or name), or an :class:`InputError` naming the groups."""
    if group is None:
        return None
    for candidate in rubric.respondent_groups:
        if group in (candidate.id, candidate.name) or group.casefold() == candidate.name.casefold():
            return candidate
    ids = [g.id for g in rubric.respondent_groups]
    hint = did_you_mean(group, ids) or (
        f"groups: {', '.join(ids)}" if ids else "this rubric defines no respondent groups"
    )
    raise InputError([Problem(rubric.path or rubric.id, None, None, "/respondent_groups", f"no group '{group}'", hint)])


def asked(question: Question, group: RespondentGroup | None) -> bool:
    """Whether the question is asked of the group (a question without ``respondents`` is asked of every group)."""
    return group is None or not question.respondents or group.id in question.respondents


def build_form(rubric: Rubric, *, group: str | None = None, organisation: str | None = None) -> Form:
    """The questions of ``rubric`` for one respondent group (all groups when ``group`` is None)."""
    chosen = find_group(rubric, group)
    names = {g.id: g.name for g in rubric.respondent_groups}
    levels = {level.value: level for level in rubric.levels}
    domains: list[FormDomain] = []
    for d_index, domain in enumerate(rubric.domains, start=1):
        questions = []
        for q_index, question in enumerate(domain.questions, start=1):
            if not asked(question, chosen):
                continue
            choices = tuple(
                Choice(d.level, levels[d.level].name if d.level in levels else str(d.level), d.descriptor)
                for d in sorted(question.levels, key=lambda d: d.level)
            )
            evidence = levels.get(question.evidence_from) if question.evidence_from is not None else None
            questions.append(
                FormQuestion(
                    f"{d_index}.{q_index}",
                    question,
                    choices,
                    tuple(names.get(g, g) for g in question.respondents),
                    evidence,
                )
            )
        if questions:
            domains.append(FormDomain(d_index, domain, tuple(questions)))
    every = tuple(q for d in domains for q in d.questions)
    return Form(rubric, chosen, organisation, tuple(domains), every)


# ---- HTML and PDF --------------------------------------------------------------------------------------------


def render_questionnaire_html(
    rubric: Rubric,
    *,
    group: str | None = None,
    organisation: str | None = None,
    brand: Brand = DEFAULT_BRAND,
    generated: datetime | None = None,
) -> str:
    """The printable form as one self-contained HTML document (A4 print styles included)."""
    from qimaturity.report.render import render_document

    form = build_form(rubric, group=group, organisation=organisation)
    return render_document(FORM_TEMPLATE, {"form": form, "rubric": rubric}, brand=brand, generated=generated)


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


def level_option(level: Level) -> str:
    """How a level appears in the answer drop-downs: ``3 Developing``."""
    return f"{level.value} {level.name}"


@dataclass(frozen=True)
class _Column:
    key: str
    label: str
    width: float
    question: Question | None = None
    kind: str = ""  # "answer", "comment", "evidence" or "evidence date" for a question's columns


def _answer_columns(form: Form) -> list[_Column]:
    columns = [_Column("respondent", RESPONDENT_LABEL, 18)]
    columns += [_Column(key, label, width) for key, label, _, width in LOOKUPS]
    for item in form.questions:
        q = item.question
        columns.append(_Column(q.id, f"{item.number} {q.text}", 26, q, "answer"))
        columns.append(_Column(q.id + COMMENT, "Comment, or why N/A" if q.na_allowed else "Comment", 30, q, "comment"))
        if item.evidence_level is not None:
            needed = f"needed from level {level_option(item.evidence_level)}"
            columns.append(_Column(q.id + EVIDENCE, f"Evidence reference ({needed})", 26, q, "evidence"))
            columns.append(_Column(q.id + EVIDENCE_DATE, "Evidence date (YYYY-MM-DD)", 14, q, "evidence date"))
    return columns


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
                prompt=question.text[:250],
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
        values = [item.number, domain, q.id, q.text, q.help or "", ", ".join(item.asked_of) or "everyone", na]
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


# ---- Reading a filled template back --------------------------------------------------------------------------


@dataclass
class _Person:
    row: int
    id: str
    group: str | None
    organisation_id: str | None
    organisation_name: str | None
    date: str | None
    organisation_type: str | None
    region: str | None
    columns: dict[str, int]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _plain(value: Any) -> str | None:
    """A cell as stripped text (None when empty); whole numbers without a decimal point."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _at(values: Sequence[Any], column: int | None) -> Any:
    """The value in a 1-based column of a row, None beyond its end."""
    return values[column - 1] if column is not None and 0 < column <= len(values) else None


def _formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


class _Reader:
    """Reads one filled template; collects a problem for every bad cell."""

    def __init__(self, name: str, book: Any, rubric: Rubric):
        self.name = name
        self.book = book
        self.rubric = rubric
        self.problems: list[Problem] = []
        self.levels = {level.value: level for level in rubric.levels}
        self.by_name = {level.name.casefold(): level for level in rubric.levels}
        self.questions = {q.id: q for q in rubric.questions()}
        self.groups = {g.id: g for g in rubric.respondent_groups}
        self.organisation: str | None = None

    # -- problems --
    def add(self, sheet: str, row: int | None, column: int | None, message: str, hint: str = "") -> None:
        if row is None or column is None:
            path = f"/{sheet}" if row is None else f"/{sheet}/rows/{row}"
            self.problems.append(Problem(self.name, row, column, path, message, hint))
            return
        self.problems.append(
            Problem(
                self.name,
                row,
                column,
                f"/{sheet}/rows/{row}/columns/{column}",
                f"cell {_letter(column)}{row}: {message}",
                hint,
            )
        )

    def fail(self) -> InputError:
        """Every problem, by sheet (as in the workbook), row and column."""
        order = {sheet: index for index, sheet in enumerate((MARKER_SHEET, RESPONDENTS, ANSWERS))}
        return InputError(
            sorted(
                self.problems,
                key=lambda p: (order.get(p.path.split("/")[1], 9), p.line or 0, p.column or 0),
            )
        )

    # -- sheets --
    def rows(self, sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        from qimaturity._core.workbooks import sheet_rows

        for number, values in enumerate(sheet_rows(self.book[sheet], self.name), start=1):
            if number > MAX_TEMPLATE_ROWS:
                self.add(sheet, number, None, f"more than {MAX_TEMPLATE_ROWS:,} rows", "split the workbook")
                return
            yield number, tuple(values)

    def check_marker(self) -> None:
        if MARKER_SHEET not in self.book.sheetnames:
            raise InputError(
                [
                    Problem(
                        self.name,
                        None,
                        None,
                        "/",
                        "not a qimaturity questionnaire template: it has no hidden 'qimaturity' sheet",
                        "make a template with: qimaturity questionnaire RUBRIC -o FORM.xlsx, and fill that in",
                    )
                ]
            )
        found: dict[str, tuple[int, Any]] = {}
        for number, values in self.rows(MARKER_SHEET):
            if values and values[0] is not None:
                found.setdefault(str(values[0]), (number, values[1] if len(values) > 1 else None))

        def value(key: str) -> tuple[int | None, str | None]:
            row, raw = found.get(key, (None, None))
            return row, _plain(raw)

        row, _ = found.get(MARKER_TITLE, (None, None))
        fmt_row, fmt = value("format")
        if row is None or fmt != str(TEMPLATE_FORMAT):
            self.add(
                MARKER_SHEET,
                fmt_row or 1,
                2 if fmt_row else 1,
                f"unknown template layout (format {fmt or 'missing'}); this qimaturity reads format {TEMPLATE_FORMAT}",
                "make a new template with this version of qimaturity",
            )
            raise self.fail()
        id_row, rubric_id = value("rubric_id")
        version_row, version = value("rubric_version")
        hash_row, content_hash = value("content_hash")
        if rubric_id != self.rubric.id:
            self.add(
                MARKER_SHEET,
                id_row or 1,
                2,
                f"this template was made for rubric '{rubric_id}', not '{self.rubric.id}'",
                "read it with its own rubric",
            )
        elif version != self.rubric.version:
            self.add(
                MARKER_SHEET,
                version_row or 1,
                2,
                f"this template was made for version {version} of '{rubric_id}'; this rubric is version "
                f"{self.rubric.version}",
                "read it with the version it was made for, or make a new template from this version",
            )
        elif content_hash != self.rubric.content_hash:
            self.add(
                MARKER_SHEET,
                hash_row or 1,
                2,
                f"this template was made from a different text of '{rubric_id}' {version} "
                f"(content hash {content_hash}, not {self.rubric.content_hash})",
                "the rubric changed without a new version number: give the changed rubric a new version, or read "
                "the template with the rubric it was made from",
            )
        if self.problems:
            raise self.fail()
        self.organisation = value("organisation")[1]
        for sheet in (RESPONDENTS, ANSWERS):
            if sheet not in self.book.sheetnames:
                self.add(sheet, None, None, f"the template has no '{sheet}' sheet", "restore it from a new template")
        if self.problems:
            raise self.fail()

    def header(self, sheet: str, known: Sequence[str], required: Sequence[str]) -> tuple[dict[str, int], list[Any]]:
        """Column numbers by key (row 1); unknown, repeated and missing keys are problems."""
        first = next((values for _, values in self.rows(sheet)), ())
        columns: dict[str, int] = {}
        for index, raw in enumerate(first, start=1):
            key = _plain(raw)
            if key is None:
                continue
            if key not in known:
                hint = did_you_mean(key, known) or "row 1 holds the template's column keys: restore it"
                self.add(sheet, 1, index, f"unknown column '{key}'", hint)
            elif key in columns:
                self.add(sheet, 1, index, f"column '{key}' appears twice (first in {_letter(columns[key])})")
            else:
                columns[key] = index
        for key in required:
            if key not in columns:
                self.add(sheet, 1, None, f"no '{key}' column", "restore row 1 from a new template")
        return columns, list(first)

    # -- cells --
    def text(
        self, sheet: str, row: int, values: Sequence[Any], column: int | None, what: str, limit: int
    ) -> str | None:
        if column is None or column > len(values):
            return None
        raw = values[column - 1]
        if _formula(raw):
            self.add(sheet, row, column, f"{what} is a formula", "type the value itself")
            return None
        text = _plain(raw)
        if text is not None and len(text) > limit:
            self.add(sheet, row, column, f"{what} is over {limit:,} characters", "shorten it")
            return None
        return text

    def day(self, sheet: str, row: int, values: Sequence[Any], column: int | None, what: str) -> str | None:
        if column is None or column > len(values):
            return None
        raw = values[column - 1]
        text = self.text(sheet, row, values, column, what, 100)
        if text is None:
            return None
        if isinstance(raw, date | datetime):
            return text
        try:
            if _DATE.match(text) and isinstance(raw, str):
                date.fromisoformat(text)
                return text
        except ValueError:
            pass
        self.add(sheet, row, column, f"'{text}' is not a date", "use YYYY-MM-DD, e.g. 2026-09-30")
        return None

    def group(self, sheet: str, row: int, values: Sequence[Any], column: int | None) -> str | None:
        text = self.text(sheet, row, values, column, "the role group", MAX_ID)
        if text is None:
            return None
        for group in self.groups.values():
            if text.casefold() in (group.id.casefold(), group.name.casefold()):
                return group.id
        assert column is not None
        hint = did_you_mean(text, self.groups) or f"groups: {', '.join(self.groups) or 'none in this rubric'}"
        self.add(sheet, row, column, f"unknown respondent group '{text}'", hint)
        return None

    def answer(self, row: int, column: int, raw: Any, question: Question) -> tuple[bool, int | None] | None:
        """(is N/A, level) for an answer cell, None when empty or bad (a problem is recorded)."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        choices = ", ".join(level_option(level) for level in self.rubric.levels)
        if question.na_allowed:
            choices += f" or {NA_TEXT}"
        hint = f"choose from the list: {choices}"
        if _formula(raw):
            self.add(ANSWERS, row, column, f"question '{question.id}': the answer is a formula", hint)
            return None
        if isinstance(raw, bool | date | datetime):
            self.add(ANSWERS, row, column, f"question '{question.id}': '{_plain(raw)}' is not an answer", hint)
            return None
        if isinstance(raw, float) and not raw.is_integer():
            self.add(ANSWERS, row, column, f"question '{question.id}': {raw} is not a whole level", hint)
            return None
        text = _plain(raw) or ""
        if text.casefold() in NA_SPELLINGS:
            if not question.na_allowed:
                self.add(ANSWERS, row, column, f"question '{question.id}' cannot be answered N/A", "choose a level")
                return None
            return True, None
        level: Level | None = None
        match = _NUMBERED.match(text)
        if match:
            level = self.levels.get(int(match.group(1)))
            named = match.group(2).strip()
            if named[:1].isdigit():
                level = None
            elif level is not None and named and named.casefold() != level.name.casefold():
                self.add(
                    ANSWERS,
                    row,
                    column,
                    f"question '{question.id}': '{text}' names level {level.value} '{named}', but level "
                    f"{level.value} is '{level.name}'",
                    hint,
                )
                return None
        else:
            level = self.by_name.get(text.casefold())
        if level is None:
            self.add(ANSWERS, row, column, f"question '{question.id}': '{text}' is not a level of the scale", hint)
            return None
        return False, level.value

    # -- the sheets --
    def respondents(self) -> dict[str, _Person]:
        keys = [c[0] for c in RESPONDENT_COLUMNS]
        required_keys = [c[0] for c in RESPONDENT_COLUMNS if c[3] and (c[0] != "group" or self.groups)]
        columns, _ = self.header(RESPONDENTS, keys, required_keys)
        people: dict[str, _Person] = {}
        for row, values in self.rows(RESPONDENTS):
            if row == 1 or _label_row(values) or not any(_plain(v) for v in values):
                continue

            def get(key: str, what: str, limit: int, values: Sequence[Any] = values, row: int = row) -> str | None:
                return self.text(RESPONDENTS, row, values, columns.get(key), what, limit)

            rid = get("respondent", "the respondent id", MAX_ID)
            person = _Person(
                row,
                rid or "",
                self.group(RESPONDENTS, row, values, columns.get("group")),
                get("organisation_id", "the organisation id", MAX_ID),
                get("organisation_name", "the organisation name", MAX_NAME),
                self.day(RESPONDENTS, row, values, columns.get("date"), "the date"),
                get("organisation_type", "the organisation type", MAX_ID),
                get("region", "the region", MAX_ID),
                columns,
            )
            required = (
                ("respondent", rid, "respondent id"),
                ("group", person.group if self.groups else "", "role group"),
                ("organisation_id", person.organisation_id, "organisation id"),
            )
            for key, value, what in required:
                index = columns.get(key)
                if index is not None and value is None and _plain(_at(values, index)) is None:
                    self.add(RESPONDENTS, row, index, f"no {what}", f"fill in the {what}")
            if rid is None:
                continue
            if rid in people:
                self.add(
                    RESPONDENTS,
                    row,
                    columns["respondent"],
                    f"respondent '{rid}' is listed twice (first in row {people[rid].row})",
                    "give each respondent their own id",
                )
                continue
            people[rid] = person
        return people

    def read(self) -> list[dict[str, Any]]:
        self.check_marker()
        people = self.respondents()
        known = ["respondent", *(key for key, _, _, _ in LOOKUPS)]
        for q in self.rubric.questions():
            known += [q.id, q.id + COMMENT]
            if q.evidence_from is not None:
                known += [q.id + EVIDENCE, q.id + EVIDENCE_DATE]
        columns, _ = self.header(ANSWERS, known, ["respondent"])
        # every question with any of its columns, in column order; the answer column may have been removed
        suffixes = ("", COMMENT, EVIDENCE, EVIDENCE_DATE)
        present = {q.id: [columns[q.id + x] for x in suffixes if q.id + x in columns] for q in self.rubric.questions()}
        question_columns = sorted(
            ((q, columns.get(q.id)) for q in self.rubric.questions() if present[q.id]),
            key=lambda item: min(present[item[0].id]),
        )
        extras = {
            kind: {q.id: columns.get(q.id + suffix) for q in self.rubric.questions()}
            for kind, suffix in (("comment", COMMENT), ("evidence", EVIDENCE), ("date", EVIDENCE_DATE))
        }
        data_columns = [
            index for key, index in columns.items() if key != "respondent" and key not in {k for k, _, _, _ in LOOKUPS}
        ]
        if "respondent" not in columns:
            raise self.fail()
        seen: dict[str, int] = {}
        entries: list[tuple[_Person, dict[str, Any]]] = []
        for row, values in self.rows(ANSWERS):
            if row == 1 or _label_row(values):
                continue

            def cell(index: int | None, values: Sequence[Any] = values) -> Any:
                return _at(values, index)

            filled = [i for i in data_columns if _plain(cell(i)) is not None]
            rid_column = columns["respondent"]
            rid = self.text(ANSWERS, row, values, rid_column, "the respondent id", MAX_ID)
            if not filled:
                continue
            if rid is None:
                self.add(ANSWERS, row, rid_column, "answers without a respondent id", "choose the respondent's id")
                continue
            person = people.get(rid)
            if person is None:
                hint = did_you_mean(rid, people) or "add the respondent to the Respondents sheet"
                self.add(ANSWERS, row, rid_column, f"respondent '{rid}' is not on the Respondents sheet", hint)
                continue
            if rid in seen:
                self.add(
                    ANSWERS,
                    row,
                    rid_column,
                    f"respondent '{rid}' has a second row of answers (first in row {seen[rid]})",
                    "put each respondent's answers in one row",
                )
                continue
            seen[rid] = row
            for key, _, _, _ in LOOKUPS:
                index = columns.get(key)
                raw = cell(index)
                if index is None or raw is None or _formula(raw):
                    continue
                typed = self.group(ANSWERS, row, values, index) if key == "group" else _plain(raw)
                expected = {"organisation_id": person.organisation_id, "group": person.group, "date": person.date}[key]
                if typed is not None and typed != expected:
                    self.add(
                        ANSWERS,
                        row,
                        index,
                        f"'{typed}' differs from the Respondents sheet ({expected or 'empty'}, row {person.row})",
                        "leave this column to the look-up, or make the two agree",
                    )
            answers: dict[str, Any] = {}
            for question, index in question_columns:
                given = None if index is None else self.answer(row, index, cell(index), question)
                comment_at = extras["comment"][question.id]
                evidence_at = extras["evidence"][question.id]
                date_at = extras["date"][question.id]
                na = given is not None and given[0]
                comment = self.text(
                    ANSWERS,
                    row,
                    values,
                    comment_at,
                    "the justification" if na else "the comment",
                    MAX_JUSTIFICATION if na else MAX_COMMENT,
                )
                reference = self.text(ANSWERS, row, values, evidence_at, "the evidence reference", MAX_REFERENCE)
                dated = self.day(ANSWERS, row, values, date_at, "the evidence date")
                if dated is not None and reference is None and date_at is not None:
                    self.add(ANSWERS, row, date_at, "an evidence date without a reference", "add the reference")
                if given is None:
                    if _plain(cell(index)) is None and (comment or reference):
                        where = comment_at if comment else evidence_at
                        assert where is not None
                        self.add(
                            ANSWERS,
                            row,
                            where,
                            f"question '{question.id}': a {'comment' if comment else 'piece of evidence'} "
                            "without an answer",
                            f"choose an answer in {_letter(index)}{row}, or move the text elsewhere"
                            if index is not None
                            else f"restore the column '{question.id}' and choose an answer",
                        )
                    continue
                assert index is not None  # an answer was read from it
                if person.group is not None and not asked(question, self.groups.get(person.group)):
                    self.add(
                        ANSWERS,
                        row,
                        index,
                        f"question '{question.id}' is not asked of the {person.group} group",
                        f"the rubric asks it of: {', '.join(question.respondents)}; leave the cell empty",
                    )
                    continue
                if na:
                    if question.na_justification and not comment:
                        where = comment_at or index
                        self.add(
                            ANSWERS,
                            row,
                            where,
                            f"question '{question.id}': N/A needs a justification",
                            f"write why it does not apply in {_letter(comment_at)}{row}"
                            if comment_at
                            else f"add the column '{question.id}{COMMENT}' and write why it does not apply",
                        )
                        continue
                    entry: dict[str, Any] = {"na": True}
                    if comment:
                        entry["justification"] = comment
                else:
                    entry = {"level": given[1]}
                    if comment:
                        entry["comment"] = comment
                if reference:
                    entry["evidence"] = [{"reference": reference, **({"date": dated} if dated else {})}]
                answers[question.id] = entry["level"] if list(entry) == ["level"] else entry
            if (person.group is None and self.groups) or person.organisation_id is None:
                continue  # already reported on the Respondents sheet
            entries.append((person, answers))
        if self.problems:
            raise self.fail()
        return self.documents(entries, people)

    def documents(
        self, entries: Sequence[tuple[_Person, dict[str, Any]]], people: dict[str, _Person]
    ) -> list[dict[str, Any]]:
        organisations: dict[str, dict[str, Any]] = {}
        for person, answers in entries:
            org = person.organisation_id
            assert org is not None
            if org not in organisations:
                organisations[org] = {
                    "rubric": {"id": self.rubric.id, "version": self.rubric.version},
                    "organisation": self.organisation_details(org, people),
                    "respondents": [],
                }
            document = organisations[org]
            if person.date and (document.get("date") is None or person.date > document["date"]):
                document["date"] = person.date
            respondent: dict[str, Any] = {"id": person.id}
            if person.group is not None:
                respondent["group"] = person.group
            respondent["answers"] = answers
            document["respondents"].append(respondent)
        if self.problems:
            raise self.fail()
        ordered = []
        for document in organisations.values():
            base = {key: document[key] for key in ("rubric", "organisation")}
            if "date" in document:
                base["date"] = document["date"]
            base["respondents"] = document["respondents"]
            ordered.append(base)
        return ordered

    def organisation_details(self, org: str, people: dict[str, _Person]) -> dict[str, Any]:
        details: dict[str, Any] = {"id": org}
        rows = [p for p in people.values() if p.organisation_id == org]
        for key, attribute in (("name", "organisation_name"), ("type", "organisation_type"), ("region", "region")):
            first: _Person | None = None
            for person in rows:
                value = getattr(person, attribute)
                if value is None:
                    continue
                if first is None:
                    first = person
                    details[key] = value
                elif value != details[key]:
                    self.add(
                        RESPONDENTS,
                        person.row,
                        person.columns[attribute],
                        f"organisation '{org}' has the {key} '{value}' here but '{details[key]}' in row {first.row}",
                        f"give every respondent of an organisation the same {key}",
                    )
        if "name" not in details:
            if self.organisation:
                details["name"] = self.organisation
            else:
                first_row = rows[0]
                self.add(
                    RESPONDENTS,
                    first_row.row,
                    first_row.columns.get("organisation_name"),
                    f"organisation '{org}' has no name",
                    "fill in the organisation name",
                )
        return {k: details[k] for k in ("id", "name", "type", "region") if k in details}


def _label_row(values: Sequence[Any]) -> bool:
    return bool(values) and isinstance(values[0], str) and values[0].strip() == RESPONDENT_LABEL


def read_template(path: Path, rubric: Rubric) -> list[dict[str, Any]]:
    """Read a filled questionnaire template into answers documents, one per organisation id.

    The documents have the answers-file form (``rubric``, ``organisation``, ``date``, ``respondents``); check and
    score them with :func:`qimaturity.answers.files.check_answers_document` and
    :func:`qimaturity.answers.files.assessment_from_document`. How cells are read, and what is refused, is set out in
    the module's documentation. Raises :class:`InputError` with every problem found, each naming the sheet, row
    and column.
    """
    from qimaturity._core.workbooks import open_workbook

    path = Path(path)
    name = str(path)
    check_input_file(path, name, max_bytes=MAX_TEMPLATE_BYTES, kind="the filled .xlsx template", size_hint="")
    book = open_workbook(path, name, data_only=False, what="a questionnaire template")
    try:
        return _Reader(name, book, rubric).read()
    finally:
        book.close()
