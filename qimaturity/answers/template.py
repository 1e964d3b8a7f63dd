"""A filled questionnaire template (XLSX, made by ``qimaturity questionnaire``; its layout is set out in
:mod:`qimaturity.report.questionnaire`) read back into answers documents, one per organisation.

How it is read (:func:`read_template`):

- the template must carry the marker of the same rubric id and version; the same version with a different content
  hash (the rubric changed without a new version) is refused too;
- an answer is ``3``, ``3 Developing``, ``3 - Developing`` or ``Developing`` (any case; a number with the wrong
  level name is refused), or ``N/A`` (or another word :func:`qimaturity._core.na.is_na_text` takes: ``NA``, ``n/a``,
  ``n.a.``, ``not applicable``, in any case) where the question allows N/A;
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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qimaturity._core.documents import check_input_file
from qimaturity._core.limits import MAX_TEMPLATE_BYTES
from qimaturity._core.na import NA_TEXT, is_na_text
from qimaturity._core.problems import InputError, Problem, shown_text
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.forms import (
    ANSWERS,
    COMMENT,
    EVIDENCE,
    EVIDENCE_DATE,
    LOOKUPS,
    MARKER_SHEET,
    MARKER_TITLE,
    RESPONDENT_COLUMNS,
    RESPONDENT_LABEL,
    RESPONDENTS,
    TEMPLATE_FORMAT,
    MisnamedLevel,
    asked,
    level_of_label,
    level_option,
)
from qimaturity.rubric.model import Question, Rubric

MAX_TEMPLATE_ROWS = 100_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ID = 100
MAX_NAME = 300
MAX_JUSTIFICATION = 5000
MAX_COMMENT = 10000
MAX_REFERENCE = 1000


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
        if is_na_text(text):
            if not question.na_allowed:
                self.add(ANSWERS, row, column, f"question '{question.id}' cannot be answered N/A", "choose a level")
                return None
            return True, None
        level = level_of_label(text, self.rubric.levels)
        if isinstance(level, MisnamedLevel):
            quoted = "'" + text + "'"
            self.add(ANSWERS, row, column, f"question '{question.id}': {level.message(quoted)}", hint)
            return None
        if level is None:
            said = f"question '{question.id}': {shown_text(text)} is not a level of the scale"
            self.add(ANSWERS, row, column, said, hint)
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
