"""A rubric as a workbook its author edits in Excel or LibreOffice, and such a workbook read back into a rubric.

:func:`rubric_workbook` writes a valid rubric document as an XLSX workbook; :func:`read_rubric_workbook` reads one
back, builds the rubric document and validates it with the rubric's own checks, every problem placed at its cell
(``Questions!C14``). Written and read back, a rubric gives the same document, to the type (``2`` and ``2.0``
differ): every key of the format has a place.

**The sheets** (row 1 of a table, or the row under a section's title, holds the column keys the reader goes by:
columns may be moved, and optional ones removed):

- ``Read me``: what each sheet holds and how to read the workbook back (not read).
- ``Rubric``: sections, each a title row, a header row and its rows: ``Rubric`` (key and value: id, version,
  title, description, licence, one ``authors`` row per author), ``Levels`` (value, name, descriptor),
  ``Respondent groups``, ``Sources``, ``Frameworks``, ``Framework codes`` (a row per code of a framework) and
  ``Settings`` (key and value: the rubric-wide N/A default, the default target, every scoring setting; a row per
  pair of ``scoring.respondents.compare``). Every setting has a row, empty when not given, with what it means.
- ``Questions``: a row per domain, per question and per level of each question, in order. Columns ``domain``,
  ``question`` and ``level`` say which row is which: a domain's row has only its domain id, a question's row its
  domain and question ids, a level's row all three. ``text`` holds the domain's title, the question's text or the
  level's descriptor, so that the column reads as the rubric does, from the domain to each question and down its
  levels; ``help`` the domain's description or the question's help; ``next_step`` a level's next step, and
  ``measure`` and ``owner`` the step's (on a question's row, ``measure`` is the question's); then a column per key
  of a question (and of a domain: weight, its reason, target, stage), ``not_applicable.*`` and ``evidence.*`` for
  the keys of those mappings, ``wording.GROUP`` and ``help_for.GROUP`` per respondent group that a question has
  its own words for (an author may add one for another group), and ``tags.FRAMEWORK`` per framework.
- ``Rules``: sections ``Rules`` (a row per rule; its condition, ``when`` or ``requires``, in YAML's flow form as
  the format's documentation writes it: ``{critical_below: 3}``), ``Band settings`` (``on``) and ``Bands``.
- ``Migrations`` (only for a rubric with migration maps): a row per map (``from``, with its ``comparable`` and
  ``note``), and under it a row per entry (``old``, ``new``, ``combine``, ``levels`` as ``{1: 1, 2: 1}``,
  ``dropped``) and per domain (``domain``, ``comparable``, ``note``, ``old``); a list of ids or versions is written
  in brackets, so that one and a list of one stay apart.

A row per question-level rather than a column per level: descriptors and next steps are sentences, and a question
read down its levels is read as its author wrote it, each descriptor beside its next step; a column per level
would put ten or more columns of sentences side by side, a different number for every scale.

**Cells.** An empty cell is a key not given (a list or mapping with nothing in it is therefore left out, as it means
the same); text is written as text, never a formula (:mod:`qimaturity._core.formulas`); a list of ids is written
``a, b`` (or, when an item holds a comma or spaces at its ends, as a JSON list ``["a, b", "c"]``); a number a
spreadsheet would not keep exactly (``2.0``, which it would show as ``2``; more than 16 digits) is written as text
and read back as the number it spells. Carriage returns are not kept: a cell holds line breaks as line feeds.

**Reading** treats the workbook as untrusted: :func:`qimaturity._core.workbooks.open_workbook`'s checks of the zip
and its XML, ``MAX_RUBRIC_WORKBOOK_BYTES`` on disk and ``MAX_RUBRIC_SHEET_ROWS`` rows a sheet, the cell limits of
:func:`~qimaturity._core.workbooks.sheet_rows`; no formula is evaluated (a formula cell is a problem: type the
value; but ``=TRUE()`` and ``=FALSE()``, LibreOffice's way of saving TRUE and FALSE, are those values) and no
external link is opened. Problems of the cells themselves (a formula, text in a number's cell, a
column or key that is not the format's) are reported first, all of them; the checks of the rubric run too, unless
a sheet or a column is missing, and their problems are placed at the cell that holds the value (or, for a missing
key, the empty cell where it belongs).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from qimaturity._core.documents import SourceDocument, check_input_file, parse_yaml
from qimaturity._core.formulas import put_cell
from qimaturity._core.limits import MAX_CELL_CHARS, MAX_RUBRIC_SHEET_ROWS, MAX_RUBRIC_WORKBOOK_BYTES
from qimaturity._core.outputs import write_atomic
from qimaturity._core.problems import DocPath, InputError, Problem
from qimaturity._core.resources import schema
from qimaturity._core.workbooks import Formula
from qimaturity.rubric.checks import check_rubric_document, did_you_mean
from qimaturity.rubric.search import SearchPath
from qimaturity.rubric.writing import arranged
from qimaturity.version import __version__

README, RUBRIC, QUESTIONS, RULES, MIGRATIONS = "Read me", "Rubric", "Questions", "Rules", "Migrations"
SHEETS = (RUBRIC, QUESTIONS, RULES)
"""The sheets a rubric workbook must have, in the order its problems are reported (then ``Migrations``, which a
rubric without migration maps does without)."""

# What a cell holds.
TEXT, ID, VERSION, INTEGER, TARGET, NUMBER, BOOLEAN, CHOICE, IDS, CONDITION = (
    "text",
    "id",
    "version",
    "whole number",
    "level",
    "number",
    "TRUE or FALSE",
    "choice",
    "list of ids",
    "condition",
)
# A migration map's cells: one version or a list of them, one id or a list of them, old level -> new level.
VERSIONS, ID_OR_IDS, LEVEL_MAP = "version or list of versions", "id or list of ids", "levels"
_INTEGER = re.compile(r"[+-]?\d+\Z")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?\Z")
_TRUE, _FALSE = {"true", "yes"}, {"false", "no"}
_HEAD_FILL, _DOMAIN_FILL, _QUESTION_FILL = "1D3557", "DCE3EC", "F3F5F8"
_FIXED_TIME = datetime(1980, 1, 1)  # the earliest time a zip can hold: the workbook carries no date of writing


@cache
def _choices(*path: str) -> tuple[str, ...]:
    """The values the rubric schema allows at a path of property names (into lists' items, ``$ref``s followed)."""
    root = schema("rubric")

    def resolved(node: Any) -> Any:
        while "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    node: Any = root
    for part in path:
        node = resolved(node)
        if "items" in node:
            node = resolved(node["items"])
        node = node["properties"][part]
    return tuple(resolved(node)["enum"])


@dataclass(frozen=True)
class Field:
    """A key of the format as the workbook holds it: its column or row key, where it goes in its mapping, what its
    cells hold, a word on what it means, and its column width."""

    key: str
    path: tuple[str, ...]
    kind: str
    about: str = ""
    choices: tuple[str, ...] = ()
    width: float = 14
    many: bool = False  # a key/value key given once a row, each row an item of its list


def _field(
    key: str, kind: str, about: str = "", *, width: float = 14, many: bool = False, schema_path: str = ""
) -> Field:
    choices = _choices(*schema_path.split(".")) if schema_path else ()
    return Field(key, tuple(key.split(".")), kind, about, choices, width, many)


@dataclass(frozen=True)
class Section:
    """A part of the Rubric or Rules sheet: a title row, a header row, then rows. A table is a list at ``target``,
    a row per item; otherwise each row is a key and its value, set at ``target`` + the key's path."""

    title: str
    target: tuple[str, ...]
    fields: tuple[Field, ...]
    table: bool = True
    about_column: int = 3  # of a key/value section: where the word on each key goes (under a wide column)


_METHODS = "scoring.questions"
RUBRIC_SECTIONS = (
    Section(
        "Rubric",
        (),
        (
            _field("id", ID, "The rubric's id: lower-case letters and digits, words joined by '-', '_' or '.'"),
            _field(
                "version", VERSION, "MAJOR.MINOR or MAJOR.MINOR.PATCH, as text; change it whenever the content changes"
            ),
            _field("title", TEXT, "A short name"),
            _field("description", TEXT, "What the rubric assesses and how to read its results"),
            _field("licence", TEXT, "The licence of the rubric text, e.g. CC-BY-4.0"),
            _field("authors", TEXT, "One author a row", many=True),
            _field(
                "fhir.canonical",
                TEXT,
                "The canonical URL of its FHIR Questionnaire, e.g. https://fhir.example.org/Questionnaire/qi-readiness "
                "(default: a placeholder at qimaturity.example)",
            ),
        ),
        table=False,
    ),
    Section(
        "Levels",
        ("levels",),
        (
            _field("value", INTEGER, "Whole numbers, lowest first, strictly increasing"),
            _field("name", TEXT),
            _field("descriptor", TEXT, "What an organisation at this level looks like, in general"),
        ),
    ),
    Section(
        "Respondent groups",
        ("respondent_groups",),
        (
            _field("id", ID),
            _field("name", TEXT),
            _field("description", TEXT),
            _field("weight", NUMBER, "With pooling by groups: the group's weight (default 1)"),
            _field("weight_rationale", TEXT, "Why the group has its weight, in a sentence"),
        ),
    ),
    Section(
        "Sources",
        ("sources",),
        (_field("id", ID), _field("citation", TEXT), _field("url", TEXT, "Starts with http:// or https://")),
    ),
    Section(
        "Frameworks",
        ("frameworks",),
        (_field("id", ID), _field("title", TEXT), _field("url", TEXT)),
    ),
    Section(
        "Framework codes",
        ("frameworks",),
        (
            _field("framework", ID, "The id of a framework above"),
            _field("code", TEXT, "A code questions may be tagged with (up to 80 characters)"),
            _field("title", TEXT),
        ),
    ),
    Section(
        "Settings",
        (),
        (
            _field("not_applicable.allowed", BOOLEAN, "May questions be answered N/A? (default FALSE)"),
            _field("not_applicable.justification", BOOLEAN, "Must an N/A answer say why? (default TRUE)"),
            _field(
                "not_applicable.counts_as",
                CHOICE,
                "How N/A counts, rubric-wide: the same as scoring.not_applicable; give one or the other",
                schema_path="not_applicable.counts_as",
            ),
            _field(
                "targets.default",
                TARGET,
                "The target level of every domain and question: a level's value (4) or its name",
            ),
            _field(
                "scoring.respondents.aggregate",
                CHOICE,
                "How respondents' answers to a question combine (default median)",
                schema_path="scoring.respondents.aggregate",
            ),
            _field(
                "scoring.respondents.even_median",
                CHOICE,
                "With median: the median of an even number of answers (default mean)",
                schema_path="scoring.respondents.even_median",
            ),
            _field(
                "scoring.respondents.pooling",
                CHOICE,
                "respondents: over every answer; groups: each group first, then the groups' weighted mean",
                schema_path="scoring.respondents.pooling",
            ),
            _field(
                "scoring.respondents.agreement_threshold",
                NUMBER,
                "r_wg within a group below this flags disagreement, 0 to 1 (default 0.7)",
            ),
            _field(
                "scoring.respondents.agreement_min_respondents",
                INTEGER,
                "Answers a group needs for its r_wg, 2 or more (default 3)",
            ),
            _field(
                "scoring.respondents.min_group_size",
                INTEGER,
                "A smaller group is shown nowhere; its answers still count (default 3)",
            ),
            _field(
                "scoring.respondents.compare",
                IDS,
                "Two respondent groups whose perception gap is reported, e.g. board, frontline: a pair a row",
                many=True,
            ),
            _field(
                "scoring.respondents.gap_threshold",
                NUMBER,
                "A perception gap this large, in levels, is flagged (default 1)",
            ),
            _field(
                "scoring.questions",
                CHOICE,
                "How question values make a domain's value (default weighted_mean)",
                schema_path=_METHODS,
            ),
            _field(
                "scoring.domains",
                CHOICE,
                "How domain values make the overall value (default weighted_mean)",
                schema_path="scoring.domains",
            ),
            _field(
                "scoring.level_from_value",
                CHOICE,
                "floor: a level counts once fully reached; round: the nearest (default floor)",
                schema_path="scoring.level_from_value",
            ),
            _field(
                "scoring.minimal_important_difference",
                NUMBER,
                "A change at least this large counts, whatever the respondents' noise (no default)",
            ),
            _field(
                "scoring.not_applicable",
                CHOICE,
                "How N/A answers count by default (default exclude)",
                schema_path="scoring.not_applicable",
            ),
            _field(
                "scoring.missing",
                CHOICE,
                "What an unanswered question does (default error)",
                schema_path="scoring.missing",
            ),
            _field(
                "scoring.evidence.on_missing",
                CHOICE,
                "An answer that lacks the evidence it needs: cap it at the level below, or flag it (default cap)",
                schema_path="scoring.evidence.on_missing",
            ),
            _field("scoring.evidence.max_age_days", INTEGER, "Evidence older than this is not current (no default)"),
        ),
        table=False,
    ),
)
RULE_SECTIONS = (
    Section(
        "Rules",
        ("rules",),
        (
            _field("id", ID, width=24),
            _field("type", CHOICE, "cap, gate or staged", schema_path="rules.type", width=16),
            _field("scope", CHOICE, "domain or overall", schema_path="rules.scope", width=10),
            _field("domains", IDS, "With scope domain: the domains it applies to (default all)", width=18),
            _field("description", TEXT, "The rule in plain words, shown in reports", width=54),
            _field("max_level", INTEGER, "cap: the level it holds the scope at", width=10),
            _field("level", INTEGER, "gate: the level it guards", width=8),
            _field("met_at", INTEGER, "staged: the level at which an item counts as met", width=8),
            _field("stages_of", CHOICE, "staged: questions or domains", schema_path="rules.stages_of", width=11),
            _field("when", CONDITION, "cap: the condition, e.g. {critical_below: 3}", width=38),
            _field(
                "requires",
                CONDITION,
                "gate: the condition, e.g. {count: domains, level_below: 3, at_most: 0}",
                width=38,
            ),
            _field(
                "sentence",
                TEXT,
                "What a report's summary says when the rule holds a result back (default: written from the rule)",
                width=54,
            ),
        ),
    ),
    Section(
        "Band settings",
        ("bands",),
        (
            _field(
                "on",
                CHOICE,
                "What the bands sit on: value (the level scale), percent or total (default value)",
                schema_path="bands.on",
            ),
        ),
        table=False,
        about_column=5,
    ),
    Section(
        "Bands",
        ("bands", "items"),
        (
            _field("id", ID),
            _field("name", TEXT),
            _field("from", NUMBER, "Included"),
            _field("to", NUMBER, "Excluded, but for the last band (with on: total, included)"),
            _field("description", TEXT),
        ),
    ),
)
MIGRATION_COLUMNS = (
    _field("from", VERSIONS, "A map's row: the earlier version it converts answers from, or a list", width=16),
    _field("old", ID_OR_IDS, "An entry's old question (a list for a merge); a domain's id before a rename", width=26),
    _field("new", ID_OR_IDS, "An entry's new question (a list for a split)", width=30),
    _field(
        "combine",
        CHOICE,
        "A merge: min, max, median or mean-floor",
        width=11,
        schema_path="migrations.questions.combine",
    ),
    _field("levels", LEVEL_MAP, "Old level -> new level, e.g. {1: 1, 2: 1, 3: 2}", width=22),
    _field("dropped", TEXT, "Why the old question's answers are not carried over (instead of new)", width=40),
    _field("domain", ID, "A domain's row: the domain (of this version) the map speaks of", width=18),
    _field("comparable", BOOLEAN, "A map's or domain's row: whether values before and after compare", width=12),
    _field("note", TEXT, "A map's or domain's row: what a reader of a trend should know", width=48),
)
"""The columns of the Migrations sheet: a row per map (``from``), per entry (``old``) and per domain
(``domain``)."""
_MAP_KEYS = {"from", "comparable", "note"}
_ENTRY_KEYS = {"old", "new", "combine", "levels", "dropped"}
_DOMAIN_KEYS = {"domain", "comparable", "note", "old"}
_KEY_VALUE = (
    _field("key", TEXT, width=0),
    _field("value", TEXT, width=0),
    _field("about", TEXT, width=0),
)


@dataclass(frozen=True)
class Column:
    """A column of the Questions sheet: what it holds on a domain's, a question's and a level's row."""

    key: str
    kind: str
    width: float
    about: str
    places: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    choices: tuple[str, ...] = ()

    def path(self, row_kind: str) -> tuple[str, ...] | None:
        return self.places.get(row_kind)


def _column(
    key: str, kind: str, width: float, about: str, *kinds: str, to: str = "", choices: tuple[str, ...] = ()
) -> Column:
    path = tuple((to or key).split("."))
    return Column(key, kind, width, about, {row_kind: path for row_kind in kinds}, choices)


DOMAIN, QUESTION, LEVEL = "domain", "question", "level"
QUESTION_COLUMNS = (
    Column(DOMAIN, ID, 18, "The domain's id, on every row of the domain", {DOMAIN: ("id",)}),
    Column(
        QUESTION,
        ID,
        22,
        "The question's id, on the question's row and on each of its levels' rows",
        {QUESTION: ("id",)},
    ),
    Column(LEVEL, INTEGER, 7, "The level, on a level's row: one row per level of the scale", {LEVEL: ("level",)}),
    Column(
        "text",
        TEXT,
        60,
        "A domain's title, a question's text (as respondents see it), a level's descriptor",
        {DOMAIN: ("title",), QUESTION: ("text",), LEVEL: ("descriptor",)},
    ),
    Column(
        "help",
        TEXT,
        40,
        "A domain's description; a question's guidance for respondents",
        {DOMAIN: ("description",), QUESTION: ("help",)},
    ),
    _column("next_step", TEXT, 48, "A level's next step towards the level above (none on the top level)", LEVEL),
    _column(
        "measure",
        TEXT,
        30,
        "A level's: a process measure of its next step, checkable at 30 days. A question's: the measure of every "
        "step without its own",
        QUESTION,
        LEVEL,
    ),
    _column("owner", TEXT, 16, "A level's: the role suggested to own its next step (a role, never a name)", LEVEL),
    _column("weight", NUMBER, 8, "Weight of a domain or question (default 1)", DOMAIN, QUESTION),
    _column(
        "weight_rationale",
        TEXT,
        30,
        "Why the domain or question has its weight (other than 1), in a sentence",
        DOMAIN,
        QUESTION,
    ),
    _column("critical", BOOLEAN, 9, "TRUE marks a critical (mandatory) question", QUESTION),
    _column("critical_rationale", TEXT, 30, "Why the question is critical, in a sentence", QUESTION),
    _column("target", TARGET, 8, "Target level of a domain or question: its value (4) or its name", DOMAIN, QUESTION),
    _column("stage", INTEGER, 8, "For a staged rule: the stage of a domain or question", DOMAIN, QUESTION),
    _column(
        "respondents",
        IDS,
        20,
        "The respondent groups asked this question (default all), e.g. board, managers",
        QUESTION,
    ),
    _column("evidence_from", INTEGER, 10, "Answers at this level or above must cite evidence (every group)", QUESTION),
    _column("evidence.from_level", INTEGER, 10, "As evidence_from, for the groups in evidence.groups only", QUESTION),
    _column("evidence.groups", IDS, 16, "The groups asked for evidence (with evidence.from_level)", QUESTION),
    _column(
        "not_applicable.allowed",
        BOOLEAN,
        11,
        "May this question be answered N/A? (default: the rubric's)",
        QUESTION,
    ),
    _column(
        "not_applicable.justification",
        BOOLEAN,
        13,
        "Must an N/A answer say why? (default: the rubric's)",
        QUESTION,
    ),
    _column(
        "not_applicable.counts_as",
        CHOICE,
        13,
        "How an N/A answer counts: exclude, met, lowest or target",
        QUESTION,
        choices=_choices("domains", "questions", "not_applicable", "counts_as"),
    ),
    _column("sources", IDS, 22, "Ids of the sources (Rubric sheet) this question draws on", QUESTION),
    _column("short_title", TEXT, 24, "A few words naming the question in charts (at most 40 characters)", QUESTION),
)
TAGS = "tags."
GROUP_TEXTS = ("wording", "help_for")
"""A question's text and help in a respondent group's words: a column ``wording.GROUP`` or ``help_for.GROUP`` each."""
_GROUP_TEXT_WIDTH = 40
_REQUIRED_COLUMNS = (DOMAIN, QUESTION, LEVEL, "text")
_TAG_WIDTH = 24


# ---- cells -----------------------------------------------------------------------------------------------------


def _exact_number(value: int | float) -> bool:
    """Whether a number survives a workbook as itself: openpyxl writes 16 significant digits and reads a number
    without a point or exponent as a whole number."""
    written = f"{value:.16g}"
    if isinstance(value, int):
        return "e" not in written and int(written) == value
    return ("." in written or "e" in written) and float(written) == value


def _simple_item(item: Any) -> bool:
    return (
        isinstance(item, str)
        and item != ""
        and item == item.strip()
        and "," not in item
        and "\n" not in item
        and not item.startswith("[")
    )


def cell_value(value: Any, kind: str) -> Any:
    """A rubric value as the workbook writes it in a cell of this kind."""
    if value is None:
        return None
    if kind == IDS and isinstance(value, list):
        if value and all(_simple_item(item) for item in value):
            return ", ".join(value)
        return json.dumps(value, ensure_ascii=False)
    if kind == CONDITION and isinstance(value, Mapping | list):
        return _flow(value)
    if kind in (VERSIONS, ID_OR_IDS) and isinstance(value, list):
        return _flow(value)  # [1.0.0, 1.1.0]: a list even of one, so that it reads back as a list
    if kind == LEVEL_MAP and isinstance(value, Mapping):
        return "{" + ", ".join(f"{old}: {new}" for old, new in value.items()) + "}"
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if _exact_number(value) else repr(value)
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flow(value: Any) -> str:
    import yaml

    text: str = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True, sort_keys=False)
    return text.strip().removesuffix("...").strip()


# ---- writing ----------------------------------------------------------------------------------------------------


class _Unplaced(Exception):
    """A key of the document the workbook has no place for."""


def _take(mapping: Mapping[str, Any], keys: Iterable[str], where: DocPath) -> None:
    """Refuse a mapping holding a key the workbook would not write."""
    for key in mapping:
        if key not in keys:
            raise _Unplaced((*where, key))


def rubric_workbook(document: Mapping[str, Any]) -> bytes:
    """A rubric document (one that validates) as an XLSX workbook to edit (the layout is in the module's
    documentation). The bytes are the same for the same document: no date of writing is recorded.

    Raises :class:`InputError` for a text longer than a cell holds (32,767 characters) or a key the workbook has
    no place for."""
    from qimaturity._core.problems import pointer

    try:
        return _Writer(document).save()
    except _Unplaced as unplaced:
        path = unplaced.args[0]
        raise InputError.single(
            "<rubric>", f"{pointer(path)}: the rubric workbook has no place for the key '{path[-1]}'", ""
        ) from None
    except _TooLong as long:
        path, size = long.args
        raise InputError.single(
            "<rubric>",
            f"{pointer(path)}: a text of {size:,} characters, more than a spreadsheet cell holds ({MAX_CELL_CHARS:,})",
            "shorten it",
        ) from None


class _TooLong(Exception):
    pass


class _Writer:
    def __init__(self, document: Mapping[str, Any]):
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        self.data = document
        self.book = Workbook()
        self.book.remove(self.book.active)
        self.head_fill = PatternFill("solid", fgColor=_HEAD_FILL)
        self.head_font = Font(bold=True, color="FFFFFF")
        self.title_font = Font(bold=True, size=12, color=_HEAD_FILL)
        self.bold = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.left = Alignment(vertical="top", horizontal="left")
        self.fills = {
            DOMAIN: PatternFill("solid", fgColor=_DOMAIN_FILL),
            QUESTION: PatternFill("solid", fgColor=_QUESTION_FILL),
        }

    def put(self, sheet: Any, row: int, column: int, value: Any, kind: str, where: DocPath) -> Any:
        written = cell_value(value, kind)
        if isinstance(written, str) and len(written) > MAX_CELL_CHARS:
            raise _TooLong(where, len(written))
        cell = put_cell(sheet, row, column, written)
        cell.alignment = self.wrap if isinstance(written, str) else self.left
        return cell

    def header(
        self, sheet: Any, row: int, keys: Sequence[str | None], notes: Sequence[str] = (), widths: Sequence[float] = ()
    ) -> None:
        """A header row of column keys, each with its note; a dotted key breaks after each dot (the reader ignores
        spaces and line breaks in a key), so that ``not_applicable.justification`` fits a narrow column."""
        from openpyxl.comments import Comment

        shown: list[tuple[str, float]] = []
        for column, key in enumerate(keys, start=1):
            cell = sheet.cell(row, column)
            cell.fill = self.head_fill
            if key is None:
                continue
            text = key.replace(".", ".\n")
            put_cell(sheet, row, column, text)
            cell.font, cell.alignment = self.head_font, self.wrap
            if column <= len(notes) and notes[column - 1]:
                cell.comment = Comment(notes[column - 1], "qimaturity", width=300, height=90)
            if widths:
                shown.append((text, _width(widths, column)))
        sheet.row_dimensions[row].height = _height(shown)

    def save(self) -> bytes:
        self.readme()
        self.rubric_sheet()
        self.questions_sheet()
        self.rules_sheet()
        if self.data.get("migrations"):
            self.migrations_sheet()
        self.book.active = 0
        props = self.book.properties
        props.creator = props.lastModifiedBy = "qimaturity"
        props.created = props.modified = _FIXED_TIME
        props.title = str(self.data.get("title", ""))[:255] or None
        buffer = io.BytesIO()
        self.book.save(buffer)
        return _without_dates(buffer.getvalue())

    # -- Read me --
    def readme(self) -> None:
        from openpyxl.styles import Font

        sheet = self.book.create_sheet(README)
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["B"].width = 100
        put_cell(sheet, 1, 1, f"Rubric workbook: {self.data.get('title', '')}").font = Font(
            bold=True, size=14, color=_HEAD_FILL
        )
        facts = [
            ("Rubric", f"{self.data.get('id', '')} {self.data.get('version', '')}"),
            ("Written by", f"qimaturity {__version__}: qimaturity rubric to-xlsx"),
            (
                "Read back",
                "qimaturity rubric from-xlsx THIS.xlsx -o RUBRIC.yaml (then: qimaturity validate RUBRIC.yaml)",
            ),
        ]
        steps = [
            (
                RUBRIC,
                "The rubric's id, version, title and authors; its level scale; respondent groups; sources; "
                "frameworks and their codes; and its settings (N/A, targets, scoring). A section starts with its "
                "title in column A, then a row of column keys; every setting has a row, empty when not given.",
            ),
            (
                QUESTIONS,
                "A row per domain, per question and per level, in order. A domain's row has only its id in "
                "'domain'; a question's row its domain and question ids; a level's row both ids and the level. "
                "'text' is the domain's title, the question's text or the level's descriptor; 'help' the domain's "
                "description or the question's guidance. Every level of the scale needs a row under each question, "
                "each with a next step but the top one, and the step's measure and owner where you have them. A "
                "column 'wording.GROUP' (or 'help_for.GROUP') holds a question in a respondent group's own words: add "
                "one for a group that has none yet.",
            ),
            (
                RULES,
                "Caps, gates and staged rules, a row each, applied in order; a condition is written as in the "
                "rubric format, e.g. {critical_below: 3} or {count: domains, level_below: 3, at_most: 0}. Then the "
                "bands: what they sit on, and a row per band.",
            ),
            (
                MIGRATIONS,
                "Only when the rubric carries migration maps (how answers given to earlier versions carry over). A "
                "row with 'from' (an earlier version, or a list: [1.0.0, 1.1.0]) starts a map, with its comparable "
                "and note; under it, a row per question entry ('old', and 'new' or 'dropped'; combine and levels, "
                "written {1: 1, 2: 1}, where they apply) and a row per domain the map speaks of ('domain', its "
                "comparable and note, and in 'old' its id in the earlier version when it was renamed). A list of "
                "ids is written [a, b].",
            ),
            (
                "Cells",
                "Leave a cell empty for a key not given. Lists of ids are written with commas: board, "
                "managers. TRUE and FALSE for yes and no. Type values: formulas are refused. Row 1 of Questions and "
                "the header row of each section hold the keys qimaturity reads: do not rename them (columns may be "
                "moved, or optional ones deleted).",
            ),
            (
                "Checked",
                "Reading the workbook back checks the rubric as qimaturity validate does and names the cell "
                "of every problem, e.g. Questions!C14: level 6 is not on the scale.",
            ),
        ]
        row = 3
        for label, value in facts:
            put_cell(sheet, row, 1, label).font = self.bold
            put_cell(sheet, row, 2, value).alignment = self.wrap
            row += 1
        row += 1
        for label, value in steps:
            put_cell(sheet, row, 1, label).font = self.bold
            cell = put_cell(sheet, row, 2, value)
            cell.alignment = self.wrap
            sheet.row_dimensions[row].height = _height([(value, 100)])
            row += 1

    # -- Rubric and Rules --
    def sections(self, sheet: Any, sections: Sequence[Section], widths: Sequence[float]) -> None:
        from openpyxl.utils import get_column_letter

        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        row = 1
        for section in sections:
            put_cell(sheet, row, 1, section.title).font = self.title_font
            row += 1
            if section.table:
                row = self.table(sheet, row, section, widths)
            else:
                row = self.key_values(sheet, row, section, widths)
            row += 1

    def key_values(self, sheet: Any, row: int, section: Section, widths: Sequence[float]) -> int:
        from openpyxl.worksheet.datavalidation import DataValidation

        keys: list[str | None] = [None] * max(3, section.about_column)
        keys[0], keys[1], keys[section.about_column - 1] = (f.key for f in _KEY_VALUE)
        self.header(sheet, row, keys, widths=widths)
        row += 1
        holder: Any = self.data
        for part in section.target:
            holder = holder.get(part) if isinstance(holder, Mapping) else None
        holder = holder if isinstance(holder, Mapping) else {}
        self.check_keys(holder, section)
        for spec in section.fields:
            value = _get(holder, spec.path)
            values = list(value) if spec.many and isinstance(value, list) and value else [value]
            for index, item in enumerate(values):
                where = (*section.target, *spec.path, *((index,) if spec.many else ()))
                key_cell = put_cell(sheet, row, 1, spec.key)
                key_cell.font, key_cell.alignment = self.bold, self.top
                self.put(sheet, row, 2, item, spec.kind, where)
                about = spec.about
                if spec.choices:
                    about = (
                        f"{about}. One of: {', '.join(spec.choices)}" if about else f"One of: {', '.join(spec.choices)}"
                    )
                put_cell(sheet, row, section.about_column, about).alignment = self.wrap
                if spec.choices or spec.kind == BOOLEAN:
                    options = spec.choices or ("TRUE", "FALSE")
                    check = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
                    sheet.add_data_validation(check)
                    check.add(f"B{row}")
                row = self.fit(sheet, row, max(3, section.about_column), widths)
        return row

    def check_keys(self, holder: Mapping[str, Any], section: Section) -> None:
        """Refuse keys of the section's mapping the section has no row for (the key/value sections hold nested
        mappings: scoring.respondents.*)."""
        nested: dict[tuple[str, ...], set[str]] = {}
        for spec in section.fields:
            for depth in range(len(spec.path)):
                nested.setdefault(spec.path[:depth], set()).add(spec.path[depth])
        owned = {spec.path[0] for spec in section.fields}
        for prefix, keys in nested.items():
            value = _get(holder, prefix) if prefix else {k: v for k, v in holder.items() if k in owned}
            if isinstance(value, Mapping):
                _take(value, keys, (*section.target, *prefix))

    def table(self, sheet: Any, row: int, section: Section, widths: Sequence[float]) -> int:
        self.header(sheet, row, [f.key for f in section.fields], [f.about for f in section.fields], widths)
        row += 1
        items = _get(self.data, section.target)
        if section.title == "Framework codes":
            for index, framework in enumerate(self.data.get("frameworks") or []):
                for code, title in (framework.get("codes") or {}).items():
                    where: DocPath = ("frameworks", index, "codes", code)
                    self.put(sheet, row, 1, framework.get("id"), ID, ("frameworks", index, "id"))
                    self.put(sheet, row, 2, code, TEXT, where)
                    self.put(sheet, row, 3, title, TEXT, where)
                    row = self.fit(sheet, row, 3, widths)
            return row
        keys = {spec.path[0] for spec in section.fields}
        if section.title == "Frameworks":
            keys.add("codes")
        for index, item in enumerate(items if isinstance(items, list) else []):
            where = (*section.target, index)
            _take(item, keys, where)
            for column, spec in enumerate(section.fields, start=1):
                self.put(sheet, row, column, _get(item, spec.path), spec.kind, (*where, *spec.path))
            row = self.fit(sheet, row, len(section.fields), widths)
        return row

    def fit(self, sheet: Any, row: int, columns: int, widths: Sequence[float]) -> int:
        texts = [(str(sheet.cell(row, c).value or ""), _width(widths, c)) for c in range(1, columns + 1)]
        sheet.row_dimensions[row].height = _height(texts)
        return row + 1

    def rubric_sheet(self) -> None:
        sheet = self.book.create_sheet(RUBRIC)
        top = set(self.data) - {"domains", "rules", "bands", "migrations"}
        placed = {
            *(spec.path[0] for spec in RUBRIC_SECTIONS[0].fields),
            *(section.target[0] for section in RUBRIC_SECTIONS if section.target),
            *(spec.path[0] for spec in RUBRIC_SECTIONS[-1].fields),
        }
        _take({key: None for key in top}, placed, ())
        self.sections(sheet, RUBRIC_SECTIONS, (42, 60, 70, 12, 50))

    def rules_sheet(self) -> None:
        sheet = self.book.create_sheet(RULES)
        bands = self.data.get("bands")
        if isinstance(bands, Mapping):
            _take(bands, ("on", "items"), ("bands",))
        widths = [spec.width for spec in RULE_SECTIONS[0].fields]
        self.sections(sheet, RULE_SECTIONS, widths)
        sheet.freeze_panes = None

    # -- Migrations --
    def migrations_sheet(self) -> None:
        sheet = self.book.create_sheet(MIGRATIONS)
        self.header(sheet, 1, [c.key for c in MIGRATION_COLUMNS], [c.about for c in MIGRATION_COLUMNS])
        from openpyxl.utils import get_column_letter

        for index, column in enumerate(MIGRATION_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        at = {column.key: index for index, column in enumerate(MIGRATION_COLUMNS, start=1)}
        row = 2

        def put(key: str, value: Any, kind: str, where: DocPath) -> None:
            if value is not None:
                self.put(sheet, row, at[key], value, kind, where)

        for index, migration in enumerate(self.data.get("migrations") or []):
            base: DocPath = ("migrations", index)
            _take(migration, ("from", "questions", "comparable", "note", "domains"), base)
            put("from", migration.get("from"), VERSIONS, (*base, "from"))
            put("comparable", migration.get("comparable"), BOOLEAN, (*base, "comparable"))
            put("note", migration.get("note"), TEXT, (*base, "note"))
            for cell in sheet[row]:
                cell.fill = self.fills[DOMAIN]
            row += 1
            for number, entry in enumerate(migration.get("questions") or []):
                where = (*base, "questions", number)
                _take(entry, ("old", "new", "combine", "levels", "dropped"), where)
                for key, kind in (("old", ID_OR_IDS), ("new", ID_OR_IDS), ("combine", CHOICE)):
                    put(key, entry.get(key), kind, (*where, key))
                put("levels", entry.get("levels"), LEVEL_MAP, (*where, "levels"))
                put("dropped", entry.get("dropped"), TEXT, (*where, "dropped"))
                self.fit(sheet, row, len(MIGRATION_COLUMNS), [c.width for c in MIGRATION_COLUMNS])
                row += 1
            for domain_id, said in (migration.get("domains") or {}).items():
                where = (*base, "domains", domain_id)
                _take(said, ("comparable", "note", "old"), where)
                put("domain", domain_id, ID, where)
                put("comparable", said.get("comparable"), BOOLEAN, (*where, "comparable"))
                put("note", said.get("note"), TEXT, (*where, "note"))
                put("old", said.get("old"), ID, (*where, "old"))
                self.fit(sheet, row, len(MIGRATION_COLUMNS), [c.width for c in MIGRATION_COLUMNS])
                row += 1
        sheet.freeze_panes = "A2"

    # -- Questions --
    def questions_sheet(self) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        sheet = self.book.create_sheet(QUESTIONS)
        frameworks = [f.get("id") for f in self.data.get("frameworks") or [] if isinstance(f, Mapping)]
        for domain in self.data.get("domains") or []:
            for question in domain.get("questions") or []:
                for framework in question.get("tags") or {}:
                    if framework not in frameworks:
                        frameworks.append(framework)
        groups = [g.get("id") for g in self.data.get("respondent_groups") or [] if isinstance(g, Mapping)]
        worded: dict[str, list[str]] = {key: [] for key in GROUP_TEXTS}
        for domain in self.data.get("domains") or []:
            for question in domain.get("questions") or []:
                for key in GROUP_TEXTS:
                    for group in question.get(key) or {}:
                        if group not in worded[key]:
                            worded[key].append(group)
        columns = [
            *QUESTION_COLUMNS,
            *(
                _group_text_column(key, group)
                for key in GROUP_TEXTS
                # the rubric's groups in its order, then any other a question names
                for group in sorted(worded[key], key=lambda g: groups.index(g) if g in groups else len(groups))
            ),
            *(
                Column(
                    TAGS + str(fw),
                    IDS,
                    _TAG_WIDTH,
                    f"Codes of the framework {fw} this question maps to",
                    {QUESTION: ("tags", str(fw))},
                )
                for fw in frameworks
            ),
        ]
        # Wide enough for the longest part of each key as the header shows it (broken after each dot).
        widths = [max(c.width, 2 + max(len(part) + 1 for part in c.key.split("."))) for c in columns]
        self.header(sheet, 1, [c.key for c in columns], [c.about for c in columns], widths)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        row = 2
        for d_index, domain in enumerate(self.data.get("domains") or []):
            base: DocPath = ("domains", d_index)
            _take(domain, {*(c.places[DOMAIN][0] for c in columns if DOMAIN in c.places), "questions"}, base)
            row = self.item_row(sheet, row, columns, DOMAIN, domain, base, domain.get("id"), None)
            for q_index, question in enumerate(domain.get("questions") or []):
                where = (*base, "questions", q_index)
                self.check_question(question, columns, where)
                row = self.item_row(
                    sheet, row, columns, QUESTION, question, where, domain.get("id"), question.get("id")
                )
                for l_index, entry in enumerate(question.get("levels") or []):
                    at = (*where, "levels", l_index)
                    _take(entry, ("level", "descriptor", "next_step", "measure", "owner"), at)
                    row = self.item_row(sheet, row, columns, LEVEL, entry, at, domain.get("id"), question.get("id"))
        last = max(row - 1, 2) + 500
        for index, column in enumerate(columns, start=1):
            if column.choices or column.kind == BOOLEAN:
                options = column.choices or ("TRUE", "FALSE")
                check = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
                sheet.add_data_validation(check)
                letter = get_column_letter(index)
                check.add(f"{letter}2:{letter}{last}")
        sheet.freeze_panes = "D2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(row - 1, 1)}"

    def check_question(self, question: Mapping[str, Any], columns: Sequence[Column], where: DocPath) -> None:
        keys: dict[tuple[str, ...], set[str]] = {(): {"levels", "tags", *GROUP_TEXTS}}
        for column in columns:
            path = column.places.get(QUESTION)
            if path and path[0] not in ("tags", *GROUP_TEXTS):
                for depth in range(len(path)):
                    keys.setdefault(path[:depth], set()).add(path[depth])
        for prefix, allowed in keys.items():
            value = _get(question, prefix) if prefix else question
            if isinstance(value, Mapping):
                _take(value, allowed, (*where, *prefix))

    def item_row(
        self,
        sheet: Any,
        row: int,
        columns: Sequence[Column],
        kind: str,
        item: Mapping[str, Any],
        where: DocPath,
        domain_id: Any,
        question_id: Any,
    ) -> int:
        for index, column in enumerate(columns, start=1):
            if column.key == DOMAIN:
                value, at = domain_id, (*where[:2], "id")
            elif column.key == QUESTION and kind != DOMAIN:
                value, at = question_id, (*where[:4], "id")
            else:
                path = column.places.get(kind)
                if path is None:
                    continue
                value, at = _get(item, path), (*where, *path)
            cell = self.put(sheet, row, index, value, column.kind, at)
            if kind in self.fills:
                cell.fill = self.fills[kind]
                if column.key in (DOMAIN, QUESTION, "text"):
                    cell.font = self.bold
        if kind in self.fills:
            for index in range(1, len(columns) + 1):
                sheet.cell(row, index).fill = self.fills[kind]
        texts = [(str(sheet.cell(row, c).value or ""), columns[c - 1].width) for c in range(1, len(columns) + 1)]
        sheet.row_dimensions[row].height = _height(texts)
        return row + 1


def _width(widths: Sequence[float], column: int) -> float:
    """A column's width (characters); a column past those given has a spreadsheet's default."""
    return widths[column - 1] if column <= len(widths) else 13.0


def _get(holder: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(holder, Mapping):
            return None
        holder = holder.get(part)
    return holder


def _height(texts: Sequence[tuple[str, float]], *, line: float = 15.0, limit: float = 409.0) -> float:
    """A row height (points) that shows wrapped texts of the given column widths (characters) in full."""
    lines = 1
    for text, width in texts:
        per_line = max(1, int(width * 1.1))
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return min(limit, lines * line + 2)


def _without_dates(data: bytes) -> bytes:
    """The same zip with every part dated 1980-01-01, and the workbook's own "modified" date (which openpyxl sets to
    the time of saving) too, so that the same rubric gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            part = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>1980-01-01T00:00:00Z\2", part
                )
            target.writestr(fixed, part)
    return buffer.getvalue()


def rubric_to_xlsx(
    rubric: str | Path | Mapping[str, Any], output: str | Path | None = None, *, search_path: SearchPath = None
) -> bytes | Path:
    """Write a rubric (by id, path, or the document as a mapping) as a workbook to edit in a spreadsheet, as
    ``qimaturity rubric to-xlsx`` does: the bytes, or, given ``output``, the path written (atomically). An id is
    looked up as :func:`qimaturity.load_rubric` looks it up (``search_path``, then the environment, then bundled).

    The rubric must be valid: :class:`InputError` carries its problems otherwise (nothing is written)."""
    from qimaturity.rubric.load import check_rubric

    doc, problems = check_rubric(rubric, search_path=search_path)
    if problems or doc is None:
        raise InputError(problems)
    data = rubric_workbook(doc.data)
    return data if output is None else write_atomic(Path(output), data)


# ---- reading ----------------------------------------------------------------------------------------------------

_NOTHING: Any = object()
_CONSTANTS = ("=TRUE()", "=TRUE", "=FALSE()", "=FALSE")
_LINE = re.compile(r"\((first at|the [a-z ]+ at) line (\d+)\)")
_MISSING = re.compile(r"missing required key '([^']+)'|\) needs '([^']+)'")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not isinstance(value, Formula) and not value.strip())


def _as_text(value: Any) -> str:
    """A cell as text: a number typed into a text cell reads as it shows (``7``, ``1.5``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _key(value: Any) -> str:
    """A column's or setting's key as typed: spaces and line breaks in it are not part of it."""
    return re.sub(r"\s+", "", _as_text(value))


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def cell_ref(sheet: str, row: int, column: int) -> str:
    """A cell as a spreadsheet names it (``Questions!C14``), which Excel's Name Box and Go To accept."""
    name = sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{_letter(column)}{row}"


@dataclass
class _Cell:
    sheet: str
    row: int
    column: int
    key: str


@dataclass
class _Item:
    """A domain or question being read from the Questions sheet."""

    data: dict[str, Any]
    path: DocPath
    row: int
    own_row: int | None = None
    children: dict[str, _Item] = field(default_factory=dict)


class _Reader:
    """Reads a rubric workbook into a rubric document; collects a problem for every bad cell."""

    def __init__(self, name: str, book: Any):
        self.name = name
        self.book = book
        self.data: dict[str, Any] = {}
        self.cells: list[_Cell] = []
        self.marks: dict[DocPath, tuple[int, int]] = {}
        self.places: dict[DocPath, int] = {}
        self.held: dict[int, DocPath] = {}  # a cell and the place of the value it holds
        self.problems: dict[tuple[Any, ...], Problem] = {}
        self.bad: set[tuple[str, int, int]] = set()
        self.fatal = False
        self.code_rows: list[tuple[int, Any, Any, Any, tuple[int, int, int]]] = []

    # -- bookkeeping --
    def cell(self, sheet: str, row: int, column: int, key: str) -> int:
        self.cells.append(_Cell(sheet, row, column, key))
        return len(self.cells)

    def mark(self, path: DocPath, index: int) -> None:
        self.marks.setdefault(path, (index, 1))

    def add(
        self,
        sheet: str,
        row: int | None,
        column: int | None,
        key: str,
        message: str,
        hint: str = "",
        *,
        fatal: bool = False,
    ) -> None:
        self.fatal = self.fatal or fatal
        if row is None or column is None:
            place = "/" if row is None else cell_ref(sheet, row, 1)
        else:
            place = cell_ref(sheet, row, column)
            self.bad.add((sheet, row, column))
        if key and (message.startswith("expected") or not re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", message)):
            message = f"{key}: {message}"
        order = (SHEETS.index(sheet) if sheet in SHEETS else len(SHEETS), row or 0, column or 0)
        self.problems.setdefault((*order, message), Problem(self.name, None, None, place, message, hint))

    def rows(self, title: str) -> Iterator[tuple[int, list[Any]]]:
        from qimaturity._core.workbooks import sheet_rows

        for number, values in enumerate(sheet_rows(self.book[title], self.name, formulas=True), start=1):
            if number > MAX_RUBRIC_SHEET_ROWS:
                self.add(
                    title,
                    number,
                    1,
                    "",
                    f"the sheet has more than {MAX_RUBRIC_SHEET_ROWS:,} rows, the limit for a rubric workbook",
                    "delete the empty or stray rows below the rubric",
                    fatal=True,
                )
                return
            yield number, values

    # -- cells --
    def value(self, raw: Any, kind: str, sheet: str, row: int, column: int, key: str) -> Any:
        """A cell's value as the rubric holds it, or _NOTHING (empty, or a problem recorded)."""
        if _blank(raw):
            return _NOTHING

        def refuse(message: str, hint: str) -> Any:
            self.add(sheet, row, column, key, message, hint)
            return _NOTHING

        if isinstance(raw, Formula) and "".join(raw.split()).upper() in _CONSTANTS:
            # LibreOffice saves a TRUE or FALSE cell as the formula =TRUE() or =FALSE(): the value itself.
            raw = "".join(raw.split()).upper() in _CONSTANTS[:2]
        if isinstance(raw, Formula):
            shown = raw if len(raw) <= 60 else raw[:57] + "..."
            return refuse(
                f"a formula ({shown}): a rubric workbook holds values, never formulas", "type the value itself"
            )
        text = _as_text(raw)
        if kind == TEXT:
            return text
        if kind in (ID, CHOICE):
            return text.strip()
        if kind == VERSION:
            if isinstance(raw, str):
                return text.strip()
            return refuse(
                f"the version is a number in this cell ({text}), and a spreadsheet drops the zeros at the end of a "
                "number (1.10 shows as 1.1)",
                "type it as text: an apostrophe first, e.g. '1.0.0",
            )
        if kind == BOOLEAN:
            if isinstance(raw, bool):
                return raw
            word = text.strip().casefold()
            if word in _TRUE | _FALSE:
                return word in _TRUE
            return refuse(f"'{text}' is not TRUE or FALSE", "type TRUE or FALSE")
        if kind == TARGET and isinstance(raw, str) and not _DECIMAL.match(raw.strip()):
            return text.strip()  # a level's name; the rubric's checks say whether it is one
        if kind in (INTEGER, NUMBER, TARGET):
            number: Any = raw
            if isinstance(raw, str):
                stripped = raw.strip()
                number = int(stripped) if _INTEGER.match(stripped) else None
                if number is None and _DECIMAL.match(stripped):
                    number = float(stripped)
            if (
                isinstance(raw, bool)
                or not isinstance(number, int | float)
                or number != number
                or abs(number) == float("inf")
            ):
                what = "a number" if kind == NUMBER else "a whole number"
                return refuse(
                    f"'{text}' is not {what}",
                    "type a number, e.g. 1.5" if kind == NUMBER else "type a whole number, e.g. 3",
                )
            if kind in (INTEGER, TARGET):
                if isinstance(number, float) and not number.is_integer():
                    return refuse(f"{text} is not a whole number", "type a whole number, e.g. 3")
                return int(number)
            return number
        if kind == IDS:
            return self.items(text.strip(), refuse)
        if kind in (VERSIONS, ID_OR_IDS):
            if kind == VERSIONS and not isinstance(raw, str):
                return refuse(
                    f"the version is a number in this cell ({text}), and a spreadsheet drops the zeros at the end "
                    "of a number (1.10 shows as 1.1)",
                    "type it as text: an apostrophe first, e.g. '1.0.0",
                )
            stripped = text.strip()
            if stripped.startswith("[") or (kind == ID_OR_IDS and "," in stripped):
                return self.items(stripped if stripped.startswith("[") else f"[{stripped}]", refuse)
            return stripped
        if kind == LEVEL_MAP:
            hint = "write old level: new level pairs, e.g. {1: 1, 2: 1, 3: 2}"
            try:
                levels = parse_yaml("levels: " + text.strip(), self.name).data.get("levels")
            except InputError as error:
                return refuse(f"'{text.strip()}' cannot be read: {error.problems[0].message}", hint)
            if not isinstance(levels, dict) or not levels:
                return refuse(f"'{text.strip()}' is not old level -> new level pairs", hint)
            return {str(old): new for old, new in levels.items()}
        if kind == CONDITION:
            if not isinstance(raw, str):
                return refuse(
                    f"'{text}' is not a condition", "write it as in the rubric format, e.g. {critical_below: 3}"
                )
            try:
                return parse_yaml(raw, self.name).data
            except InputError as error:
                found = error.problems[0]
                where = f" (line {found.line}, column {found.column} of the cell)" if found.line else ""
                return refuse(
                    f"the condition is not a YAML mapping: {found.message}{where}",
                    "write it as in the rubric format, e.g. {critical_below: 3} or {all: [{...}, {...}]}",
                )
        raise AssertionError(kind)

    def items(self, text: str, refuse: Any) -> Any:
        """A list of ids: ``a, b``, or a YAML flow list ``[a, "b, c"]``."""
        if not text.startswith("["):
            return [part.strip() for part in text.split(",") if part.strip()]
        hint = "write the items with commas (a, b), or as a list: [a, b]"
        if "\n" in text:
            return refuse("a list written over several lines", hint)
        try:
            items = parse_yaml("items: " + text, self.name).data.get("items")
        except InputError as error:
            return refuse(f"not a list: {error.problems[0].message}", hint)
        if not isinstance(items, list) or set(parse_yaml("items: " + text, self.name).data) != {"items"}:
            return refuse("not a list", hint)
        return items

    # -- the workbook --
    def read(self) -> dict[str, Any]:
        names = list(self.book.sheetnames)
        for title in SHEETS:
            if title not in names:
                hint = did_you_mean(title, names) or f"a rubric workbook has the sheets {', '.join(SHEETS)}"
                self.add(title, None, None, "", f"the workbook has no '{title}' sheet", hint, fatal=True)
        if self.fatal:
            raise self.error()
        self.sections(RUBRIC, RUBRIC_SECTIONS)
        self.questions()
        self.sections(RULES, RULE_SECTIONS)
        self.framework_codes()
        if MIGRATIONS in names:
            self.migrations()
        if not self.fatal:
            self.check()
        if self.problems:
            raise self.error()
        result: dict[str, Any] = arranged(self.data)
        return result

    def error(self) -> InputError:
        return InputError([self.problems[key] for key in sorted(self.problems, key=lambda k: k[:3])])

    # -- Rubric and Rules: sections --
    def sections(self, title: str, sections: Sequence[Section]) -> None:
        by_title = {section.title.casefold(): section for section in sections}
        seen: dict[str, int] = {}
        current: Section | None = None
        columns: dict[str, int] | None = None
        counts: dict[str, int] = {}
        for number, values in self.rows(title):
            filled = [index for index, value in enumerate(values, start=1) if not _blank(value)]
            if not filled:
                continue
            first = values[0] if values else None
            if filled == [1] and isinstance(first, str) and first.strip().casefold() in by_title:
                section = by_title[first.strip().casefold()]
                if section.title in seen:
                    self.add(
                        title,
                        number,
                        1,
                        "",
                        f"a second '{section.title}' section (the first starts in row {seen[section.title]})",
                        "put all its rows in one section",
                        fatal=True,
                    )
                    current = None
                    continue
                seen[section.title] = number
                current, columns = section, None
                if section.target:
                    self.places.setdefault(section.target[:1], self.cell(title, number, 1, ""))
                continue
            if current is None:
                titles = ", ".join(section.title for section in sections)
                self.add(
                    title,
                    number,
                    filled[0],
                    "",
                    "a row outside any section",
                    f"each section of this sheet starts with its title alone in column A: {titles}",
                    fatal=True,
                )
                continue
            if columns is None:
                known = _KEY_VALUE if not current.table else current.fields
                columns = self.header(title, number, values, known, ("key", "value") if not current.table else ())
                continue
            if current.table:
                self.table_row(title, number, values, current, columns, counts)
            else:
                self.key_value_row(title, number, values, current, columns, counts)

    def header(
        self, sheet: str, number: int, values: Sequence[Any], known: Sequence[Field], required: Sequence[str]
    ) -> dict[str, int]:
        """Column numbers by key, from a header row; unknown, repeated and missing keys are problems."""
        keys = [spec.key for spec in known]
        columns: dict[str, int] = {}
        for index, raw in enumerate(values, start=1):
            if _blank(raw):
                continue
            key = _key(raw)
            match = next((k for k in keys if k.casefold() == key.casefold()), None)
            if match is None:
                hint = did_you_mean(key, keys) or f"the keys of this header: {', '.join(keys)}"
                self.add(sheet, number, index, "", f"unknown column '{_as_text(raw).strip()}'", hint)
            elif match in columns:
                self.add(
                    sheet, number, index, "", f"column '{match}' appears twice (first in {_letter(columns[match])})"
                )
            else:
                columns[match] = index
        for key in required:
            if key not in columns:
                self.add(
                    sheet,
                    number,
                    1,
                    "",
                    f"no '{key}' column in this header",
                    f"the header reads: {', '.join(keys)}",
                    fatal=True,
                )
        return columns

    def key_value_row(
        self,
        sheet: str,
        number: int,
        values: Sequence[Any],
        section: Section,
        columns: dict[str, int],
        counts: dict[str, int],
    ) -> None:
        if "key" not in columns or "value" not in columns:
            return
        key_at, value_at = columns["key"], columns["value"]
        raw_key = values[key_at - 1] if key_at <= len(values) else None
        raw = values[value_at - 1] if value_at <= len(values) else None
        if _blank(raw_key):
            if not _blank(raw):
                self.add(sheet, number, value_at, "", "a value without a key", "write its key in the key column")
            return
        key = _key(raw_key)
        spec = next((s for s in section.fields if s.key.casefold() == key.casefold()), None)
        if spec is None:
            keys = [s.key for s in section.fields]
            hint = did_you_mean(key, keys) or f"the keys of the {section.title} section: {', '.join(keys)}"
            self.add(sheet, number, key_at, "", f"unknown key '{key}' in the {section.title} section", hint)
            return
        where = (*section.target, *spec.path)
        path: DocPath = where
        index = self.cell(sheet, number, value_at, spec.key)
        if not spec.many:
            if spec.key in counts:
                self.add(
                    sheet,
                    number,
                    key_at,
                    "",
                    f"'{spec.key}' is given twice (first in row {counts[spec.key]})",
                    "keep one row",
                )
                return
            counts[spec.key] = number
            self.places.setdefault(path, index)
        value = self.value(raw, spec.kind, sheet, number, value_at, spec.key)
        if value is _NOTHING:
            return
        if spec.many:
            items = _holder(self.data, where[:-1]).setdefault(where[-1], [])
            path = (*where, len(items))
            items.append(value)
        else:
            _holder(self.data, where[:-1])[where[-1]] = value
        for depth in range(1, len(path) + 1):
            self.mark(path[:depth], index)
        self.held[index] = path

    def table_row(
        self,
        sheet: str,
        number: int,
        values: Sequence[Any],
        section: Section,
        columns: dict[str, int],
        counts: dict[str, int],
    ) -> None:
        found: dict[str, Any] = {}
        places: dict[str, int] = {}
        for spec in section.fields:
            at = columns.get(spec.key)
            if at is None:
                continue
            places[spec.key] = self.cell(sheet, number, at, spec.key)
            value = self.value(values[at - 1] if at <= len(values) else None, spec.kind, sheet, number, at, spec.key)
            if value is not _NOTHING:
                found[spec.key] = value
        if section.title == "Framework codes":
            self.code_rows.append(
                (
                    number,
                    found.get("framework"),
                    found.get("code"),
                    found.get("title"),
                    (places.get("framework", 0), places.get("code", 0), places.get("title", 0)),
                )
            )
            return
        items = _holder(self.data, section.target[:-1]).setdefault(section.target[-1], [])
        base: DocPath = (*section.target, len(items))
        item: dict[str, Any] = {}
        for spec in section.fields:
            if spec.key in places:
                self.places[(*base, *spec.path)] = places[spec.key]
            if spec.key in found:
                _holder(item, spec.path[:-1])[spec.path[-1]] = found[spec.key]
                self.mark((*base, *spec.path), places[spec.key])
                self.held[places[spec.key]] = (*base, *spec.path)
        first = min(places.values()) if places else self.cell(sheet, number, 1, "")
        self.mark(base, first)
        for depth in range(1, len(section.target) + 1):
            self.mark(section.target[:depth], first)
        items.append(item)

    def framework_codes(self) -> None:
        frameworks = self.data.get("frameworks") or []
        by_id = {f.get("id"): index for index, f in enumerate(frameworks) if isinstance(f.get("id"), str)}
        seen: dict[tuple[Any, Any], int] = {}
        for number, framework, code, title, (at_framework, at_code, at_title) in self.code_rows:
            if framework is None or code is None:
                where = (
                    self.cells[(at_framework if framework is None else at_code) - 1]
                    if (at_framework if framework is None else at_code)
                    else None
                )
                what = "framework" if framework is None else "code"
                self.add(
                    RUBRIC,
                    number,
                    where.column if where else 1,
                    what,
                    f"a framework code without its {what}",
                    f"fill in the {what}",
                )
                continue
            if framework not in by_id:
                known = ", ".join(str(key) for key in by_id) or "none"
                hint = did_you_mean(str(framework), by_id) or f"the frameworks: {known}; or add it there"
                column = self.cells[at_framework - 1].column
                self.add(
                    RUBRIC, number, column, "framework", f"no framework '{framework}' in the Frameworks section", hint
                )
                continue
            if (framework, code) in seen:
                column = self.cells[at_code - 1].column
                self.add(
                    RUBRIC,
                    number,
                    column,
                    "code",
                    f"the code '{code}' of '{framework}' is given twice (first in row {seen[framework, code]})",
                    "keep one row",
                )
                continue
            seen[framework, code] = number
            index = by_id[framework]
            codes = frameworks[index].setdefault("codes", {})
            path: DocPath = ("frameworks", index, "codes", code)
            self.mark(path[:3], at_code)
            self.mark(path, at_title or at_code)
            self.held[at_title or at_code] = path
            self.places[path] = at_title or at_code
            if title is not None:
                codes[code] = title

    # -- Migrations --
    def migrations(self) -> None:
        rows = self.rows(MIGRATIONS)
        first = next(rows, None)
        if first is None:
            return
        columns = self.header(MIGRATIONS, first[0], first[1], MIGRATION_COLUMNS, ("from", "old"))
        if "from" not in columns or "old" not in columns:
            return
        specs = {spec.key: spec for spec in MIGRATION_COLUMNS}
        maps: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        for number, values in rows:
            raw = {key: values[at - 1] if at <= len(values) else None for key, at in columns.items()}
            given = {key for key, value in raw.items() if not _blank(value)}
            if not given:
                continue
            kind, allowed = (
                ("map", _MAP_KEYS)
                if "from" in given
                else ("domain", _DOMAIN_KEYS)
                if "domain" in given
                else ("entry", _ENTRY_KEYS)
                if "old" in given
                else (None, set())
            )
            if kind is None:
                self.add(
                    MIGRATIONS,
                    number,
                    columns[min(given, key=lambda k: columns[k])],
                    "",
                    "a row without 'from' (a map), 'old' (an entry) or 'domain'",
                    "start a map with its earlier version in 'from'; under it, an entry's old question in 'old'",
                )
                continue
            stray = sorted(given - allowed, key=lambda k: columns[k])
            for key in stray:
                self.add(
                    MIGRATIONS,
                    number,
                    columns[key],
                    key,
                    f"nothing goes in this column on a {kind}'s row",
                    {
                        "map": "a map's row holds from, comparable and note",
                        "entry": "an entry's row holds old, new, combine, levels and dropped",
                        "domain": "a domain's row holds domain, comparable, note and old (its id before a rename)",
                    }[kind],
                )
            if kind == "map":
                current = {}
                base: DocPath = ("migrations", len(maps))
                self.read_cells(number, raw, columns, specs, allowed, current, base, "from")
                maps.append(current)
                continue
            if current is None:
                self.add(
                    MIGRATIONS,
                    number,
                    columns["domain" if kind == "domain" else "old"],
                    "",
                    f"{'an' if kind == 'entry' else 'a'} {kind}'s row before any map",
                    "start the map with a row of its own, its earlier version in 'from'",
                )
                continue
            base = ("migrations", len(maps) - 1)
            if kind == "entry":
                entries = current.setdefault("questions", [])
                item: dict[str, Any] = {}
                self.read_cells(number, raw, columns, specs, allowed, item, (*base, "questions", len(entries)), "old")
                entries.append(item)
                self.mark((*base, "questions"), self.places[(*base, "questions", len(entries) - 1, "old")])
                continue
            domain_at = columns["domain"]
            domain_cell = self.cell(MIGRATIONS, number, domain_at, "domain")
            domain_id = self.value(raw["domain"], ID, MIGRATIONS, number, domain_at, "domain")
            if domain_id is _NOTHING:
                continue
            said = current.setdefault("domains", {})
            if domain_id in said:
                self.add(
                    MIGRATIONS, number, domain_at, "domain", f"the domain '{domain_id}' is given twice in this map"
                )
                continue
            path: DocPath = (*base, "domains", domain_id)
            said[domain_id] = {}
            self.mark((*base, "domains"), domain_cell)
            self.mark(path, domain_cell)
            self.held[domain_cell] = path
            self.read_cells(number, raw, columns, specs, allowed - {"domain"}, said[domain_id], path, None)
        if maps:
            self.data["migrations"] = maps
            self.mark(("migrations",), self.places[("migrations", 0, "from")])

    def read_cells(
        self,
        number: int,
        raw: Mapping[str, Any],
        columns: Mapping[str, int],
        specs: Mapping[str, Field],
        keys: set[str],
        item: dict[str, Any],
        base: DocPath,
        head: str | None,
    ) -> None:
        """The cells of one row of the Migrations sheet into ``item`` (at ``base`` in the document); ``head``, the
        key that places the row itself."""
        for key in sorted(keys, key=lambda k: columns.get(k, 0)):
            if key not in columns:
                continue
            at = columns[key]
            index = self.cell(MIGRATIONS, number, at, key)
            self.places[(*base, key)] = index
            if key == head:
                self.mark(base, index)
            value = self.value(raw[key], specs[key].kind, MIGRATIONS, number, at, key)
            if value is _NOTHING:
                continue
            item[key] = value
            self.mark((*base, key), index)
            self.held[index] = (*base, key)

    # -- Questions --
    def questions(self) -> None:
        rows = self.rows(QUESTIONS)
        first = next(rows, None)
        if first is None or first[0] != 1 or not any(not _blank(v) for v in first[1]):
            self.add(
                QUESTIONS,
                1,
                1,
                "",
                "row 1 must hold the column keys (domain, question, level, text, ...)",
                "restore the header row",
                fatal=True,
            )
            return
        known = {column.key: column for column in QUESTION_COLUMNS}
        columns: dict[int, Column] = {}
        names: dict[str, int] = {}
        for index, raw in enumerate(first[1], start=1):
            if _blank(raw):
                continue
            key = _key(raw)
            column = next((c for k, c in known.items() if k.casefold() == key.casefold()), None)
            if column is None and key.casefold().startswith(TAGS):
                framework = key[len(TAGS) :].strip()
                column = Column(TAGS + framework, IDS, _TAG_WIDTH, "", {QUESTION: ("tags", framework)})
            for text_key in GROUP_TEXTS:
                if column is None and key.casefold().startswith(text_key + ".") and len(key) > len(text_key) + 1:
                    column = _group_text_column(text_key, key[len(text_key) + 1 :])
            if column is None:
                patterns = ["tags.FRAMEWORK", "wording.GROUP", "help_for.GROUP"]
                hint = did_you_mean(key, [*known, *patterns]) or f"the columns: {', '.join([*known, *patterns])}"
                self.add(QUESTIONS, 1, index, "", f"unknown column '{_as_text(raw).strip()}'", hint)
                continue
            if column.key in names:
                self.add(
                    QUESTIONS,
                    1,
                    index,
                    "",
                    f"column '{column.key}' appears twice (first in {_letter(names[column.key])})",
                )
                continue
            names[column.key] = index
            columns[index] = column
        for key in _REQUIRED_COLUMNS:
            if key not in names:
                self.add(
                    QUESTIONS, 1, 1, "", f"no '{key}' column", "row 1 holds the column keys: restore it", fatal=True
                )
        if self.fatal:
            return
        self.places[("domains",)] = self.cell(QUESTIONS, 2, 1, "")
        domains: dict[str, _Item] = {}
        # Columns with a key of their own in row 1 (known or not: an unknown one is reported once, there).
        unlabelled: set[int] = {index for index, raw in enumerate(first[1], start=1) if not _blank(raw)}
        for number, values in rows:
            filled = [i for i, v in enumerate(values, start=1) if not _blank(v)]
            if not filled:
                continue
            for index in filled:
                if index not in unlabelled:
                    unlabelled.add(index)
                    self.add(
                        QUESTIONS,
                        number,
                        index,
                        "",
                        "a value in a column without a key in row 1",
                        "give the column its key, or clear it",
                    )
            ids = {}
            for key in (DOMAIN, QUESTION):
                at = names[key]
                ids[key] = self.value(values[at - 1] if at <= len(values) else None, ID, QUESTIONS, number, at, key)
            level_at = names[LEVEL]
            level_raw = values[level_at - 1] if level_at <= len(values) else None
            kind = LEVEL if not _blank(level_raw) else QUESTION if ids[QUESTION] is not _NOTHING else DOMAIN
            domain_id = ids[DOMAIN]
            if domain_id is _NOTHING:
                if (QUESTIONS, number, names[DOMAIN]) not in self.bad:
                    self.add(
                        QUESTIONS,
                        number,
                        names[DOMAIN],
                        "",
                        "a row without a domain id",
                        "every row names its domain in the 'domain' column",
                    )
                continue
            if kind == LEVEL and ids[QUESTION] is _NOTHING:
                self.add(
                    QUESTIONS,
                    number,
                    names[QUESTION],
                    "",
                    "a level's row without its question id",
                    "write the question's id on each of its levels' rows",
                )
                continue
            domain = domains.get(domain_id)
            if domain is None:
                domain = domains[domain_id] = self.new_item(
                    self.data, "domains", (), domain_id, self.cell(QUESTIONS, number, names[DOMAIN], DOMAIN), number
                )
            if kind == DOMAIN:
                self.own_row(domain, number, values, columns, DOMAIN, names[DOMAIN], "keep one row per domain")
                continue
            question_id = ids[QUESTION]
            question = domain.children.get(question_id)
            if question is None:
                question = domain.children[question_id] = self.new_item(
                    domain.data,
                    "questions",
                    domain.path,
                    question_id,
                    self.cell(QUESTIONS, number, names[QUESTION], QUESTION),
                    number,
                )
            if kind == QUESTION:
                hint = "keep one row per question, and a row per level under it"
                self.own_row(question, number, values, columns, QUESTION, names[QUESTION], hint)
                continue
            levels = question.data.setdefault("levels", [])
            path = (*question.path, "levels", len(levels))
            entry: dict[str, Any] = {}
            level_cell = self.cell(QUESTIONS, number, level_at, LEVEL)
            self.mark(path, level_cell)
            self.mark(path[:-1], level_cell)
            self.places[(*path, "level")] = level_cell
            level = self.value(level_raw, INTEGER, QUESTIONS, number, level_at, LEVEL)
            if level is not _NOTHING:
                entry["level"] = level
                self.mark((*path, "level"), level_cell)
                self.held[level_cell] = (*path, "level")
            self.fill(number, values, columns, LEVEL, entry, path)
            levels.append(entry)

    def new_item(
        self, parent: dict[str, Any], key: str, parent_path: DocPath, item_id: str, cell: int, number: int
    ) -> _Item:
        """A domain (``key`` "domains") or question ("questions") first named at ``cell`` of row ``number``, added
        to its parent's list; its place and id are that cell."""
        listed = parent.setdefault(key, [])
        item = _Item({"id": item_id}, (*parent_path, key, len(listed)), number)
        listed.append(item.data)
        self.mark(item.path, cell)
        self.mark((*item.path, "id"), cell)
        self.held[cell] = (*item.path, "id")
        if parent_path:
            self.mark((*parent_path, key), cell)
        return item

    def own_row(
        self,
        item: _Item,
        number: int,
        values: Sequence[Any],
        columns: dict[int, Column],
        kind: str,
        column: int | None,
        hint: str,
    ) -> None:
        """Row ``number`` is ``item``'s own (its keys, not a level's): fill it, or report a second one."""
        if item.own_row is not None:
            what = "domain" if kind == DOMAIN else "question"
            self.add(
                QUESTIONS, number, column, "", f"a second row for {what} '{item.data['id']}' (the first is row "
                f"{item.own_row})", hint
            )  # fmt: skip
            return
        item.own_row = number
        self.fill(number, values, columns, kind, item.data, item.path)

    def fill(
        self,
        number: int,
        values: Sequence[Any],
        columns: dict[int, Column],
        kind: str,
        item: dict[str, Any],
        base: DocPath,
    ) -> None:
        """Set the keys a row gives its domain, question or level."""
        for at, column in columns.items():
            if column.key in (DOMAIN, QUESTION, LEVEL):
                continue
            raw = values[at - 1] if at <= len(values) else None
            path = column.path(kind)
            if path is not None:
                self.places[(*base, *path)] = index = self.cell(QUESTIONS, number, at, column.key)
            if _blank(raw):
                continue
            if path is None:
                self.add(
                    QUESTIONS,
                    number,
                    at,
                    column.key,
                    f"nothing goes in this column on a {kind}'s row",
                    _ROW_HINTS[kind],
                )
                continue
            value = self.value(raw, column.kind, QUESTIONS, number, at, column.key)
            if value is _NOTHING:
                continue
            _holder(item, path[:-1])[path[-1]] = value
            for depth in range(1, len(path) + 1):
                self.mark((*base, *path[:depth]), index)
            self.held[index] = (*base, *path)

    # -- the rubric's own checks --
    def check(self) -> None:
        doc = SourceDocument(self.name, self.data, dict(self.marks), dict(self.marks))
        for problem in check_rubric_document(doc):
            self.relocate(problem)

    def relocate(self, problem: Problem) -> None:
        """A problem of the rubric document, at the cell that holds the value (or where a missing key belongs)."""
        path = _parse_pointer(problem.path)
        index = problem.line
        message, hint = problem.message, problem.hint
        missing = _MISSING.search(message)
        key = (missing.group(1) or missing.group(2)) if missing else None
        if message.endswith("has no next_step"):
            key = "next_step"
        if key is not None:
            place = self.places.get((*path, key))
            if place is not None:
                index = place
                hint = "fill it in"
            else:
                hint = _missing_hint(path, key)
        message = _LINE.sub(lambda m: f"({m.group(1)} {self.ref(int(m.group(2)))})", message)
        if index is None:
            index = self.places.get(path[:1]) if path else None
        if index is None:
            self.add(RUBRIC, 1, 1, "", message, hint)
            return
        cell = self.cells[index - 1]
        if (cell.sheet, cell.row, cell.column) in self.bad:
            return  # the cell's own problem says it already
        # The key names the column the message is about only when the problem is at the value the cell holds.
        held = self.held.get(index)
        exact = held is not None and path[: len(held)] == held
        self.add(cell.sheet, cell.row, cell.column, cell.key if exact else "", message, hint)

    def ref(self, index: int) -> str:
        if 0 < index <= len(self.cells):
            cell = self.cells[index - 1]
            return cell_ref(cell.sheet, cell.row, cell.column)
        return "an earlier row"


_ROW_HINTS = {
    DOMAIN: "a domain's row holds its title (text), description (help), weight, target and stage",
    QUESTION: "a question's row holds the question's keys; a level's descriptor and next step go on the level's row",
    LEVEL: "a level's row holds its descriptor (text), next_step, and the step's measure and owner; the question's "
    "keys go on the question's row",
}


def _missing_hint(path: DocPath, key: str) -> str:
    if not path:
        return {
            "levels": "add the Levels section to the Rubric sheet",
            "domains": "add the domains and questions on the Questions sheet",
        }.get(key, f"add a row '{key}' to the Rubric section of the Rubric sheet")
    if path[0] == "domains" and len(path) == 2:
        if key == "questions":
            return "add the domain's questions on the Questions sheet"
        return f"give the domain a row of its own (question and level empty) with its {key} ('text' for its title)"
    if path[0] == "domains" and len(path) == 4 and key == "levels":
        return "add a row for each level of the scale under the question's row (the level in 'level')"
    if path[0] == "domains" and len(path) == 4:
        return "give the question a row of its own (level empty) with its text in 'text'"
    return f"add its {key}"


def _parse_pointer(text: str) -> DocPath:
    if text in ("", "/"):
        return ()
    parts: list[str | int] = []
    for part in text.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _holder(data: dict[str, Any], path: Sequence[Any]) -> dict[str, Any]:
    for part in path:
        data = data.setdefault(part, {})
    return data


def read_rubric_workbook(path: str | Path) -> dict[str, Any]:
    """Read a rubric workbook (as :func:`rubric_workbook` writes it, edited) into a rubric document, checked as
    ``qimaturity validate`` checks a rubric file: keys in the format's order, ready for
    :func:`qimaturity.rubric.writing.rubric_yaml` or :func:`qimaturity.load_rubric`.

    Raises :class:`InputError` with every problem found, each placed at its cell (``Problem.path`` is
    ``Questions!C14``; ``line`` and ``column`` are None), in sheet, row and column order."""
    from qimaturity._core.workbooks import open_workbook

    path = Path(path)
    name = str(path)
    check_input_file(
        path,
        name,
        max_bytes=MAX_RUBRIC_WORKBOOK_BYTES,
        kind="a rubric workbook (.xlsx)",
        size_hint="check that this is the rubric workbook you meant",
    )
    book = open_workbook(path, name, data_only=False, what="a rubric workbook")
    try:
        return _Reader(name, book).read()
    finally:
        book.close()


def rubric_from_xlsx(workbook: str | Path) -> dict[str, Any]:
    """Read a rubric workbook back into a rubric document, as ``qimaturity rubric from-xlsx`` does: a plain dict,
    validated, keys in the format's order. Write it with :func:`qimaturity.rubric_yaml`, or load it with
    :func:`qimaturity.load_rubric`. Raises :class:`InputError` with every problem, each at its cell."""
    return read_rubric_workbook(workbook)


def workbook_schema_keys() -> set[tuple[str, ...]]:
    """Every place of a key the workbook holds, as a path of the format's keys (lists' items left out): what a
    test holds against the rubric schema, so that no key of the format goes without a place."""
    keys: set[tuple[str, ...]] = set()
    for section in (*RUBRIC_SECTIONS, *RULE_SECTIONS):
        target = section.target
        if section.title == "Framework codes":
            keys.add(("frameworks", "codes"))
            continue
        for spec in section.fields:
            keys.add((*target, *spec.path))
    owners = {DOMAIN: ("domains",), QUESTION: ("domains", "questions"), LEVEL: ("domains", "questions", "levels")}
    for column in QUESTION_COLUMNS:
        for kind, path in column.places.items():
            keys.add((*owners[kind], *path))
    keys.add(("domains", "questions", "tags"))
    keys.update(("domains", "questions", key) for key in GROUP_TEXTS)
    keys.update(("migrations", key) for key in _MAP_KEYS)
    keys.update(("migrations", "questions", key) for key in _ENTRY_KEYS)
    keys.add(("migrations", "domains"))  # keyed by domain id, in the 'domain' column
    keys.update(("migrations", "domains", key) for key in _DOMAIN_KEYS - {"domain"})
    return keys


def _group_text_column(key: str, group: str) -> Column:
    """The column of a question's ``wording`` or ``help_for`` for one respondent group."""
    about = (
        f"The question in the words of the group {group}, asked on that group's questionnaires"
        if key == "wording"
        else f"The question's help for the group {group}, in place of help"
    )
    return Column(f"{key}.{group}", TEXT, _GROUP_TEXT_WIDTH, about, {QUESTION: (key, group)})
