"""The questionnaire form a rubric gives, which writing a blank questionnaire (:mod:`qimaturity.report.questionnaire`)
and reading a filled template back (:mod:`qimaturity.answers.template`) both need: the rubric's questions for one
respondent group (or all), numbered as in the whole rubric, in that group's words, with their level choices and N/A
and evidence rules; and
the spreadsheet template's layout: its marker, sheet names and column keys. Pure: no files, no spreadsheet library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qimaturity._core.problems import InputError, Problem
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.model import Domain, Level, Question, RespondentGroup, Rubric

TEMPLATE_FORMAT = 1
MARKER_SHEET = "qimaturity"
MARKER_TITLE = "qimaturity questionnaire template"
RESPONDENTS = "Respondents"
ANSWERS = "Answers"
RESPONDENT_LABEL = "Respondent id"

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
    text: str
    """The question as the form asks it: in the form's group's words (its ``wording``), else its text."""
    help: str | None
    """The guidance the form gives: the group's (``help_for``), else the question's ``help``."""


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
            # a group's form asks for evidence only where the question asks that group for it
            wanted = chosen is None or not question.evidence_groups or chosen.id in question.evidence_groups
            evidence = levels.get(question.evidence_from) if question.evidence_from is not None and wanted else None
            questions.append(
                FormQuestion(
                    f"{d_index}.{q_index}",
                    question,
                    choices,
                    tuple(names.get(g, g) for g in question.respondents),
                    evidence,
                    question.text_for(chosen.id if chosen else None),
                    question.help_text_for(chosen.id if chosen else None),
                )
            )
        if questions:
            domains.append(FormDomain(d_index, domain, tuple(questions)))
    every = tuple(q for d in domains for q in d.questions)
    return Form(rubric, chosen, organisation, tuple(domains), every)


# ---- The spreadsheet template's answer columns ---------------------------------------------------------------


def level_option(level: Level) -> str:
    """How a level appears in the answer drop-downs: ``3 Developing``."""
    return f"{level.value} {level.name}"


# ---- A level as a choice label -----------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(\d{1,9})\s*(?:[-\u2013\u2014:.)]\s*)?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class MisnamedLevel:
    """A label whose number and name are of two different levels (``3 - Embedded`` where 3 is Developing)."""

    level: Level
    """The level the number gives."""
    named: str
    """The name written after the number."""

    def message(self, quoted: str) -> str:
        """What is wrong, of the label as shown (quoted): ``'3 - Embedded' names level 3 'Embedded', but ...``."""
        value = self.level.value
        return f"{quoted} names level {value} '{self.named}', but level {value} is '{self.level.name}'"


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def level_of_label(text: str, levels: Sequence[Level]) -> Level | MisnamedLevel | None:
    """The level a choice label says, as surveys and the questionnaire template write them: the number with its
    name, ``3 Developing``, ``3 - Developing`` (or an en or em dash), ``3. Developing``, ``3: Developing``,
    ``3) Developing``; the number alone (``3``, ``3.``); or the name alone (``Developing``). Case and runs of
    whitespace do not matter. A name alone is taken only when one level has it (names that differ only in case would
    name two). :class:`MisnamedLevel` when the number and the name are of different levels; None when the label names
    no level (a number off the scale, ``3.5``, other text).

    The one reading of a label: the reader of exports (``import``, and ``score``, ``report``... of an export) and of
    filled questionnaire templates both call it."""
    named = [level for level in levels if _folded(level.name) == _folded(text)]
    if len(named) == 1:  # the name alone, first: a name may begin with a number ("5S in place", "3rd party")
        return named[0]
    match = _NUMBERED.match(text.strip())
    if match is None:
        return None
    level = {level.value: level for level in levels}.get(int(match.group(1)))
    named_text = " ".join(match.group(2).split())
    if level is None:
        return None
    if not named_text or _folded(named_text) == _folded(level.name):
        return level
    if named_text[:1].isdigit() and not any(_folded(named_text) == _folded(other.name) for other in levels):
        return None  # 3.5, 3 4: not a label
    return MisnamedLevel(level, named_text)


@dataclass(frozen=True)
class _Column:
    key: str
    label: str
    width: float
    question: Question | None = None
    kind: str = ""  # "answer", "comment", "evidence" or "evidence date" for a question's columns
    text: str = ""  # an answer column's question, as the form asks it


def _answer_columns(form: Form) -> list[_Column]:
    """The Answers sheet's columns for a form: the respondent, the look-ups, then each question's own."""
    columns = [_Column("respondent", RESPONDENT_LABEL, 18)]
    columns += [_Column(key, label, width) for key, label, _, width in LOOKUPS]
    for item in form.questions:
        q = item.question
        columns.append(_Column(q.id, f"{item.number} {item.text}", 26, q, "answer", item.text))
        columns.append(_Column(q.id + COMMENT, "Comment, or why N/A" if q.na_allowed else "Comment", 30, q, "comment"))
        if item.evidence_level is not None:
            needed = f"needed from level {level_option(item.evidence_level)}"
            columns.append(_Column(q.id + EVIDENCE, f"Evidence reference ({needed})", 26, q, "evidence"))
            columns.append(_Column(q.id + EVIDENCE_DATE, "Evidence date (YYYY-MM-DD)", 14, q, "evidence date"))
    return columns
