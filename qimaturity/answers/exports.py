"""Survey exports in, answers documents out: Qualtrics, REDCap, Microsoft Forms, LimeSurvey and plain spreadsheets.

An export is a table (CSV, TSV or XLSX) with one row per response. :func:`import_answers` reads it, works out which
column holds what (from a mapping file, else from the column headers), turns every cell into a level, N/A or no
answer, and returns one answers document per organisation, each of which passes
:func:`qimaturity.answers.files.check_answers_document`. Nothing is dropped silently: a column that maps to nothing is a
problem unless a mapping lists it under ``ignore``, and so is every cell that is not an answer. All problems are
reported at once, each with its row and column as a spreadsheet shows them (``export.csv:12:7``) and a path
``/rows/12/columns/7``.

What each tool's export looks like, and what is done about it, is described in ``docs/importing.md``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path as FsPath
from typing import Any, Final, Literal

import yaml

from qimaturity._core.delimited import (
    QUOTE_HINT,
    UTF8_HINT,
    check_decoded,
    check_header_width,
    check_quoted_fields,
    text_encoding,
    unclosed_quote,
)
from qimaturity._core.documents import (
    DocumentError,
    JsonSyntaxError,
    SourceDocument,
    check_input_file,
    load_yaml,
    strict_json,
)
from qimaturity._core.kinds import (
    ANSWERS_SUFFIXES,
    EXPORT_SUFFIXES,
    OLD_WORKBOOK,
    OLD_WORKBOOK_HINT,
    input_kind,
    is_json,
    suffix_list,
    suffix_of,
)
from qimaturity._core.limits import MAX_EXPORT_BYTES, MAX_PROBLEMS
from qimaturity._core.na import is_na_text
from qimaturity._core.order import natural_key
from qimaturity._core.outputs import make_output_folder, write_atomic
from qimaturity._core.problems import DocPath, InputError, Problem, shown_text, sort_problems
from qimaturity.answers.files import check_answers_document
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.forms import MisnamedLevel, level_of_label, level_option
from qimaturity.rubric.model import Question, Rubric

FORMATS = ("auto", "plain", "qualtrics", "redcap", "msforms", "limesurvey")
EXCEL_1900 = date(1899, 12, 30)
EXCEL_1904 = date(1904, 1, 1)

NA: Final = "na"
Level = int | Literal["na"]

TICKED = frozenset({"1", "checked", "y", "yes", "true", "x"})
UNTICKED = frozenset({"", "0", "unchecked", "n", "no", "false"})
# Qualtrics' Status: 1 Survey Preview, 2 Survey Test, 9 Survey Preview Spam, 17 Offline Survey Preview.
QUALTRICS_NOT_RESPONSES = frozenset(
    {"1", "2", "9", "17", "survey preview", "survey test", "survey preview spam", "offline survey preview"}
)
QUALTRICS_UNFINISHED = frozenset({"0", "false"})
REDCAP_NOT_COMPLETED = "[not completed]"
QUALTRICS_SEEN_UNANSWERED = "-99"
_NUMBER = re.compile(r"[-+]?\d+([.,]\d+)?")

MAPPING_KEYS = (
    "format",
    "organisation",
    "date",
    "respondent",
    "group",
    "questions",
    "levels",
    "comments",
    "justifications",
    "evidence",
    "evidence_register",
    "assessor",
    "respondent_comment",
    "metadata",
    "ignore",
)
EVIDENCE_FIELDS = ("id", "title", "date", "owner", "link", "file")
EVIDENCE_REQUIRED = ("id", "title", "date", "owner")
ORGANISATION_FIELDS = ("id", "name", "type", "region")
ROLE_FIELDS = ("name", "type", "region", "assessor")  # one value per assessment, from the first row giving it
ROLES = ("id", "name", "type", "region", "date", "respondent", "group", "assessor", "respondent_comment")
ROLE_PATHS: dict[str, DocPath] = {
    "id": ("organisation", "id"),
    "name": ("organisation", "name"),
    "type": ("organisation", "type"),
    "region": ("organisation", "region"),
    "date": ("date",),
    "respondent": ("respondent",),
    "group": ("group",),
    "assessor": ("assessor",),
    "respondent_comment": ("respondent_comment",),
}
ROLE_WORDS = {
    "id": "organisation id",
    "name": "organisation name",
    "type": "organisation type",
    "region": "region",
    "date": "date",
    "respondent": "respondent id",
    "group": "respondent group",
    "assessor": "assessor",
    "respondent_comment": "respondent comment",
}

# Header names (normalised: see _norm) recognised for each role without a mapping, best first.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "organisation id",
        "organization id",
        "org id",
        "organisation code",
        "organization code",
        "org code",
        "trust code",
        "ods code",
        "organisation",
        "organization",
        "redcap data access group",
        "data access group",
    ),
    "name": ("organisation name", "organization name", "org name", "trust name", "trust"),
    "type": ("organisation type", "organization type", "org type", "type"),
    "region": ("region", "organisation region", "organization region"),
    "date": ("date", "assessment date"),
    "respondent": ("respondent", "respondent id", "responseid", "response id"),
    "group": ("group", "respondent group", "role", "role group", "your role", "staff group"),
    "assessor": ("assessor", "assessed by"),
    "respondent_comment": ("respondent comment", "respondent comments", "overall comment", "overall comments"),
}
FORMAT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "plain": {"date": ("timestamp",)},
    "qualtrics": {"date": ("recordeddate", "enddate")},
    "msforms": {"date": ("completion time",), "respondent": ("id",)},
    "limesurvey": {"date": ("submitdate", "date submitted"), "respondent": ("id", "response id")},
    "redcap": {"date": ("survey timestamp",)},
}
# Columns each tool adds that carry nothing qimaturity needs (normalised names, and prefixes or suffixes).
METADATA: dict[str, frozenset[str]] = {
    "plain": frozenset(),
    "qualtrics": frozenset(
        {
            "startdate",
            "enddate",
            "status",
            "ipaddress",
            "progress",
            "duration in seconds",
            "finished",
            "recordeddate",
            "responseid",
            "externalreference",
            "externaldatareference",
            "distributionchannel",
            "userlanguage",
        }
    ),
    "msforms": frozenset({"id", "start time", "completion time", "email", "name", "last modified time"}),
    "redcap": frozenset(
        {
            "record id",
            "redcap event name",
            "redcap repeat instrument",
            "redcap repeat instance",
            "redcap survey identifier",
            "redcap data access group",
            "event name",
            "repeat instrument",
            "repeat instance",
            "survey identifier",
            "data access group",
            "survey timestamp",
            "complete",
        }
    ),
    "limesurvey": frozenset(
        {
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "startdate",
            "datestamp",
            "refurl",
            "ipaddr",
            "token",
            "response id",
            "date submitted",
            "last page",
            "start language",
            "date started",
            "date last action",
            "referrer url",
            "ip address",
            "access code",
        }
    ),
}
QUALTRICS_PREFIXES = ("recipient", "location", "q recaptcha", "q relevantid", "q ballotboxstuffing", "q totalduration")
REDCAP_SUFFIXES = (" timestamp", " complete")
COMMENT_SUFFIXES = (" comment", " comments")
JUSTIFICATION_SUFFIXES = (" justification", " na justification")
EVIDENCE_SUFFIXES = (" evidence",)
EVIDENCE_SEPARATORS = re.compile(r"[;\n]")  # several items in one evidence cell

DATE_HINT = (
    "use YYYY-MM-DD, a date-time, or an Excel serial number; for another format give it in the mapping, "
    "e.g. date: {column: ..., format: '%d/%m/%Y'}"
)
NO_DATE_HINT = "map a date column, or give date: {value: YYYY-MM-DD} in a mapping file"
MAPPING_HINT = "map it in a mapping file, or list it there under ignore: - see docs/importing.md"
MISSING_POLICIES = ("error", "exclude", "count_as_lowest")  # the rubric's scoring.missing, as --missing takes it
DATE_KINDS = ("assessment", "response")
# A tool's time of each response (normalised headers): it dates the assessment by its latest, and does not tell
# assessments apart, as a column headed date or assessment date does.
RESPONSE_TIMES = frozenset(
    {"timestamp", "recordeddate", "enddate", "completion time", "submitdate", "date submitted", "survey timestamp"}
)
REJECTED_COLUMN = "qimaturity_rejected"
"""The column a rejects file adds to the export's rows: why each was not imported. Import ignores it, so a
corrected rejects file imports as it is."""
METADATA_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


# --- text ------------------------------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")


def _norm(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form of a header or cell, for matching."""
    text = text.casefold().translate(_APOSTROPHES)
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _ws(text: str) -> str:
    return " ".join(text.split())


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious '.0', dates in ISO form, surrounding whitespace removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _quote(value: Any) -> str:
    return shown_text(_text(value))


# --- dates -----------------------------------------------------------------------------------------------------
def excel_date(serial: float, *, epoch: date = EXCEL_1900) -> date:
    """The date of an Excel serial number (its fraction, the time of day, is dropped).

    In the 1900 date system serial 1 is 1900-01-01 and, as Lotus 1-2-3 did, Excel counts a 29 February 1900 that
    never was (serial 60): serials from 61 on are days since 1899-12-30; 60 is refused. ``epoch=EXCEL_1904``
    gives the 1904 date system (serial 0 is 1904-01-01). Raises ValueError for a serial with no date.
    """
    days = int(serial // 1)
    try:
        if epoch == EXCEL_1904:
            if days < 0:
                raise ValueError(f"{serial} is not an Excel date")
            return EXCEL_1904 + timedelta(days=days)
        if days < 1 or days == 60:
            raise ValueError(f"{serial} is not an Excel date")
        return EXCEL_1900 + timedelta(days=days + 1 if days < 60 else days)
    except OverflowError:
        raise ValueError(f"{serial} is not an Excel date") from None


_SERIAL = re.compile(r"\d+(\.\d+)?")


def _parse_date(value: Any, fmt: str | None, epoch: date) -> date | None:
    """A date from a cell; None for an empty cell; ValueError when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_date(value, epoch=epoch)
    text = _ws(_text(value))
    if not text or text == REDCAP_NOT_COMPLETED:
        return None
    if fmt is not None:
        return datetime.strptime(text, fmt).date()
    for parse in (date.fromisoformat, lambda t: datetime.fromisoformat(t).date()):
        try:
            return parse(text)
        except ValueError:
            pass
    if _SERIAL.fullmatch(text):
        return excel_date(float(text), epoch=epoch)
    raise ValueError(text)


# --- reading the table -----------------------------------------------------------------------------------------
@dataclass
class _Table:
    name: str
    label: str  # the file's name, for default N/A justifications
    rows: list[list[Any]]
    epoch: date = EXCEL_1900


def _read_export(path: FsPath, name: str, rows: Collection[int] | None = None) -> _Table:
    check_export_file(path, name)
    kind = input_kind(path)
    if kind == "workbook":
        return _read_xlsx(path, name)
    if kind == "old-workbook":
        raise InputError.single(name, OLD_WORKBOOK, OLD_WORKBOOK_HINT)
    if kind != "delimited":
        raise InputError.single(
            name,
            f"cannot tell what kind of file '{suffix_of(path) or path.name}' is",
            f"an export is a {suffix_list(EXPORT_SUFFIXES)} file",
        )
    return _Table(name, path.name, _parse_csv(export_text(path, name), name, rows))


def check_export_file(path: FsPath, name: str) -> None:
    """Refuse what is not a readable export file within the size limit."""
    check_input_file(
        path, name, max_bytes=MAX_EXPORT_BYTES, kind="a CSV, TSV or XLSX export", size_hint="split the export"
    )


def export_text(path: FsPath, name: str) -> str:
    """A CSV or TSV export's text, decoded and checked for characters answers files may not hold."""
    encoding = text_encoding(path, name)
    try:
        text = path.read_bytes().decode(encoding)
    except OSError as exc:
        raise InputError.single(name, f"cannot read the file: {exc.strerror}") from None
    except UnicodeDecodeError:  # the file changed since it was checked
        raise InputError.single(name, f"the file is not {encoding} text", UTF8_HINT) from None
    check_decoded(text, name)
    return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header row into the most cells: ',', tab or ';' (',' on a tie)."""
    best, count = ",", 0
    for delimiter in (",", "\t", ";"):
        try:
            first = next(csv.reader(_lines(text), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(first) > count:
            best, count = delimiter, len(first)
    return best


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them, one at a time: a StringIO copies the
    whole text (four bytes a character), where the first row needs its first lines."""
    for match in _LINE.finditer(text):
        if not match.group():
            return
        yield match.group()


def _line_breaks(field: str) -> int:
    return field.count("\n") + field.count("\r") - field.count("\r\n")


def _parse_csv(text: str, name: str, keep: Collection[int] | None = None) -> list[list[Any]]:
    """The rows of a CSV text; refuses rows wider than the column limit and quotes left open (see delimited).
    With ``keep``, data rows (0-based, after the header) not in it come as empty rows."""
    hint = re.match(r"sep=(.)\r?\n", text)  # Excel's "sep=;" first line names the delimiter
    skipped = 0
    if hint:
        delimiter, text, skipped = hint.group(1), text[hint.end() :], 1
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    last: list[str] = []
    width = 0
    line = 1 + skipped  # where the next row starts
    opened = line
    try:
        for row in reader:
            check_header_width(len(row), name, line)
            width = width or len(row)
            if reader.line_num + skipped > line:  # the row spans lines: a quoted cell holds a line break
                check_quoted_fields(row, line, delimiter, width, name)
            rows.append(row if keep is None or not rows or len(rows) - 1 in keep else [])
            last = row
            opened, line = line, reader.line_num + 1 + skipped
    except csv.Error as exc:
        raise InputError(
            [Problem(name, reader.line_num + skipped, None, "/", f"cannot read the CSV: {exc}", QUOTE_HINT)]
        ) from None
    broken = next((i for i, f in enumerate(last) if "\n" in f or "\r" in f), None)
    if broken is not None:
        # A quote left open runs to the end of the file, where the lenient reader closes it: ask a strict one.
        try:
            for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
                pass
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise unclosed_quote(name, opened + sum(map(_line_breaks, last[:broken])), broken + 1) from None
    return rows


def _read_xlsx(path: FsPath, name: str) -> _Table:
    from qimaturity._core.workbooks import open_workbook, sheet_rows

    book = open_workbook(path, name, data_only=True)
    try:
        if not book.worksheets:
            raise InputError.single(name, "the workbook has no worksheet that can be read", "save it again in Excel")
        rows = list(sheet_rows(book.worksheets[0], name))
        epoch = EXCEL_1904 if book.epoch.year == 1904 else EXCEL_1900
    finally:
        book.close()
    return _Table(name, path.name, rows, epoch)


# --- formats ---------------------------------------------------------------------------------------------------
def detect_format(header_rows: list[list[str]]) -> str:
    """Which tool made an export, from its first rows (up to three): one of FORMATS other than 'auto'."""
    rows = [[_ws(_text(cell)) for cell in row] for row in header_rows[:3]]
    first = {_norm(cell) for cell in rows[0]} if rows else set()
    if len(rows) >= 3 and any(cell.startswith('{"ImportId"') for cell in rows[2]):
        return "qualtrics"
    if "responseid" in first or {"finished", "recordeddate"} <= first:
        return "qualtrics"
    if {"id", "submitdate", "lastpage", "startlanguage"} <= first or {
        "response id",
        "date submitted",
        "last page",
        "start language",
    } <= first:
        return "limesurvey"
    if {"id", "start time", "completion time"} <= first:
        return "msforms"
    labels = rows[0] if rows else []
    if any(n.startswith("redcap ") for n in first) or "record id" in first or "survey timestamp" in first:
        return "redcap"
    if any(cell.endswith("Complete?") for cell in labels):
        return "redcap"
    return "plain"


def _qualtrics_header_rows(rows: list[list[Any]]) -> int:
    """Qualtrics writes three header rows (ids, question texts, ImportId JSON); its legacy format two."""
    if len(rows) >= 3 and any(_text(cell).startswith('{"ImportId"') for cell in rows[2]):
        return 3
    if len(rows) >= 2 and {"response id", "response type", "start date"} & {_norm(_text(c)) for c in rows[1]}:
        return 2
    return 1


# --- the mapping file ------------------------------------------------------------------------------------------
class MappingFile(dict[str, Any]):
    """A loaded mapping: its data, and the document it came from (for the place of each problem)."""

    def __init__(self, source: SourceDocument):
        super().__init__(source.data)
        self.source = source


def load_mapping(path: FsPath | str) -> dict[str, Any]:
    """Load and check a mapping file (YAML). Raises InputError with every problem, at its line and column.

    What can only be checked against a rubric and an export (question and group ids, column names) is checked
    by :func:`import_answers`, which reports it at the same places.
    """
    doc = load_yaml(path, keep_going=True)
    problems = [*doc.problems, *_mapping_problems(doc)]
    if problems:
        raise InputError(sort_problems(problems))
    return MappingFile(doc)


def _mapping_problems(doc: SourceDocument) -> list[Problem]:
    problems: list[Problem] = []
    data = doc.data

    def add(path: DocPath, message: str, hint: str = "", key: bool = False) -> None:
        problems.append(doc.problem(path, message, hint, key=key))

    def keys(value: Any, path: DocPath, allowed: Sequence[str]) -> bool:
        if not isinstance(value, dict):
            add(path, "expected a mapping (key: value lines)", f"keys: {', '.join(allowed)}")
            return False
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f"keys: {', '.join(allowed)}"
                add((*path, key), f"unknown key '{key}'", hint, key=True)
        return True

    def text(value: Any, path: DocPath, what: str) -> None:
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            add(path, f"{what} must be text", 'e.g. "Trust code"')

    def source(value: Any, path: DocPath, extra: Sequence[str] = (), *, fixed: bool = True) -> None:
        allowed = ("column", *extra, "value") if fixed else ("column", *extra)
        if not keys(value, path, allowed):
            return
        given = [k for k in ("column", "value") if k in value]
        if len(given) != 1 and (fixed or "column" not in value):
            form = "either {column: NAME} or {value: VALUE}" if fixed else "{column: NAME}"
            add(path, f"give {form}", "column: the header of the export's column holding it")
        for k in given:
            text(value[k], (*path, k), "a column name" if k == "column" else "a value")

    def table(value: Any, path: DocPath, what: str) -> bool:
        if not isinstance(value, dict):
            add(path, f"expected a mapping of {what}", 'e.g. "Q1": lead-role-models')
            return False
        return True

    if not keys(data, (), MAPPING_KEYS):
        return problems
    if "format" in data and data["format"] not in FORMATS:
        add(("format",), f"unknown format '{data['format']}'", f"formats: {', '.join(FORMATS)}")
    if "organisation" in data and keys(data["organisation"], ("organisation",), ORGANISATION_FIELDS):
        for name, value in data["organisation"].items():
            if name in ORGANISATION_FIELDS:
                source(value, ("organisation", name))
    if "date" in data:
        source(data["date"], ("date",), ("format", "kind"))
        spec = data["date"]
        if isinstance(spec, dict):
            if "kind" in spec and spec["kind"] not in DATE_KINDS:
                add(
                    ("date", "kind"),
                    f"unknown date kind '{spec['kind']}'",
                    "assessment: each date is an assessment of its own; response: each response's time, the "
                    "assessment dated by the latest",
                )
            if "format" in spec and (not isinstance(spec["format"], str) or "%" not in spec["format"]):
                add(("date", "format"), "a date format is text with % codes", "e.g. '%d/%m/%Y %H:%M'")
            if isinstance(spec.get("value"), str):
                try:
                    date.fromisoformat(spec["value"])
                except ValueError:
                    add(("date", "value"), f"'{spec['value']}' is not a date", "use YYYY-MM-DD")
    if "respondent" in data:
        source(data["respondent"], ("respondent",), fixed=False)
    if "assessor" in data:
        source(data["assessor"], ("assessor",))
    if "respondent_comment" in data:
        source(data["respondent_comment"], ("respondent_comment",), fixed=False)
    if "evidence_register" in data:
        register = data["evidence_register"]
        if not isinstance(register, list):
            add(
                ("evidence_register",),
                "expected a list of documents",
                "e.g. - {id: bp-041, title: ..., date: ..., owner: ...}",
            )
            register = []
        seen: set[str] = set()
        for index, entry in enumerate(register):
            path: DocPath = ("evidence_register", index)
            if not keys(entry, path, EVIDENCE_FIELDS):
                continue
            for name in EVIDENCE_REQUIRED:
                if name not in entry:
                    add(path, f"missing required key '{name}'", f"a document has {', '.join(EVIDENCE_REQUIRED)}")
            for name in EVIDENCE_FIELDS:
                if name in entry:
                    text(entry[name], (*path, name), f"the document's {name}")
            if isinstance(entry.get("date"), str):
                try:
                    date.fromisoformat(entry["date"])
                except ValueError:
                    add((*path, "date"), f"'{entry['date']}' is not a date", "use YYYY-MM-DD")
            ident = entry.get("id")
            if isinstance(ident, str) and ident in seen:
                add((*path, "id"), f"duplicate evidence id '{ident}'", "give each document its own id")
            seen.add(str(ident))
    if "group" in data:
        source(data["group"], ("group",), ("values",))
        values = data["group"].get("values") if isinstance(data["group"], dict) else None
        if values is not None and table(values, ("group", "values"), "cell texts to group ids"):
            for key, value in values.items():
                text(value, ("group", "values", key), "a group id")
    for section in ("questions", "comments", "justifications", "evidence"):
        if section in data and table(data[section], (section,), "column names to question ids"):
            for key, value in data[section].items():
                text(value, (section, key), "a question id")
    if "levels" in data and table(data["levels"], ("levels",), "cell texts to levels"):
        for key, value in data["levels"].items():
            if value is not None and value != NA and (isinstance(value, bool) or not isinstance(value, int)):
                add(("levels", key), f"'{value}' is not a level", "a level is a whole number, 'na' or null")
    if "metadata" in data and table(data["metadata"], ("metadata",), "metadata keys to columns"):
        for key, value in data["metadata"].items():
            if not isinstance(key, str) or not METADATA_KEY.fullmatch(key):
                add(
                    ("metadata", key),
                    f"'{key}' is not a metadata key",
                    "a key is a letter, then letters, digits, _ or - (it is what --group-by metadata.KEY names)",
                    key=True,
                )
            if isinstance(value, dict):
                source(value, ("metadata", key))
            else:
                text(value, ("metadata", key), "a column name")
    if "ignore" in data:
        if not isinstance(data["ignore"], list):
            add(("ignore",), "expected a list of column names", 'e.g. ["IPAddress", "Progress"]')
        else:
            for index, value in enumerate(data["ignore"]):
                text(value, ("ignore", index), "a column name")
    return problems


def _mapping_source(mapping: Mapping[str, Any] | None) -> SourceDocument | None:
    if mapping is None:
        return None
    if isinstance(mapping, MappingFile):
        return mapping.source
    doc = SourceDocument("mapping", dict(mapping))
    problems = _mapping_problems(doc)
    if problems:
        raise InputError(sort_problems(problems))
    return doc


# --- the importer ----------------------------------------------------------------------------------------------
Hint = str | Callable[[], str]  # a hint costly to make (a did-you-mean) is made only for a problem that is kept


class _BadCell(Exception):
    def __init__(self, message: str, hint: Hint = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class _Column:
    index: int  # 0-based
    header: str  # as the header row shows it
    names: list[str]  # what a mapping may call it: header, Qualtrics question text and ImportId, checkbox field
    texts: list[str] = field(default_factory=list)  # normalised candidates for a question's id or text
    checkbox: tuple[str, str] | None = None  # REDCap checkbox column: (field name or label, option code or label)

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class _Answer:
    value: Level
    column: int
    comment: tuple[str, int] | None = None
    justification: tuple[str, int] | None = None
    evidence: tuple[tuple[str, ...], int] | None = None


@dataclass
class _Respondent:
    id: str | None
    id_column: int | None
    group: str | None
    group_column: int | None
    row: int
    answers: dict[str, _Answer]
    comment: tuple[str, int | None] | None = None


@dataclass
class _Organisation:
    id: str
    row: int
    column: int | None
    fields: dict[str, tuple[str, int, int | None]] = field(default_factory=dict)
    dates: list[tuple[date, int, int | None]] = field(default_factory=list)
    respondents: list[_Respondent] = field(default_factory=list)


Context = dict[str, tuple[Any, int, int | None]]  # role -> (cell value, row, 0-based column)


class _Importer:
    def __init__(
        self, table: _Table, rubric: Rubric, mapping: SourceDocument | None, fmt: str, missing: str | None = None
    ):
        self.table = table
        # The missing-answer policy: the rubric's, or one given at import (recorded in each document it changes).
        self.missing = missing or rubric.scoring.missing
        self.missing_given = missing if missing is not None and missing != rubric.scoring.missing else None
        self.name = table.name
        self.rubric = rubric
        self.mapping = mapping
        self.spec: dict[str, Any] = mapping.data if mapping is not None else {}
        self.format = fmt
        self.problems: list[Problem] = []
        self.more = 0  # problems past MAX_PROBLEMS, counted only
        # Whose problem each is, also past MAX_PROBLEMS: rows, organisations, or the whole import.
        self.fatal = False
        self.bad_rows: set[int] = set()
        self.bad_organisations: set[str] = set()
        self.row_organisations: dict[int, str] = {}  # each data row read: its organisation id ('' for none)
        self.hints: dict[str, str] = {}
        self.reasons: dict[int | str, list[str]] = {}  # by row, or organisation id: what to write in a rejects file
        self.questions = {q.id: q for q in rubric.questions()}
        self.order = {qid: index for index, qid in enumerate(self.questions)}
        self.scale = [level.value for level in rubric.levels]
        self.scale_text = ", ".join(str(v) for v in self.scale)
        self.groups = {g.id: g for g in rubric.respondent_groups}
        self.header_rows = _qualtrics_header_rows(table.rows) if fmt == "qualtrics" else 1
        self.columns = self._columns()
        self.roles: dict[str, int] = {}
        self.fixed: dict[str, str] = {}
        self.question_columns: dict[int, str] = {}
        self.checkbox_fields: dict[tuple[str, str], list[tuple[int, Level]]] = {}
        self.comment_columns: dict[int, str] = {}
        self.justification_columns: dict[int, str] = {}
        self.evidence_columns: dict[int, str] = {}
        self.register: dict[str, dict[str, Any]] = {
            str(e["id"]): {k: str(e[k]) for k in EVIDENCE_FIELDS if k in e}
            for e in reversed(self.spec.get("evidence_register") or [])
            if isinstance(e, dict) and "id" in e
        }  # the mapping's evidence register, by id (the first entry of a repeated id)
        self.claimed: dict[int, str] = {}
        self.unanswerable: set[str] = set()
        self.level_map: dict[str, Level | None] = {}
        # Each distinct cell of a question is read once: a survey repeats a handful of answers thousands of times.
        self.levels_read: dict[tuple[str, type, Any], Level | None] = {}
        self.group_map: dict[str, str] = {}
        self.date_format: str | None = None
        self.dropped = 0
        self.bad_dates: set[str] = set()  # organisations with a date cell that is not a date
        self.metadata_columns: dict[str, int] = {}  # organisation metadata key -> column
        self.metadata_fixed: dict[str, str] = {}
        self.date_is_assessment = False  # whether rows with different dates are different assessments

    # -- problems
    def _room(self) -> bool:
        """Whether one more problem is kept; past MAX_PROBLEMS they are only counted, so a refusal stays fast."""
        if len(self.problems) < MAX_PROBLEMS:
            return True
        self.more += 1
        return False

    def _add(self, problem: Problem, *, organisation: str | None = None) -> None:
        """Keep a problem: one of an organisation's documents (``organisation``), else of the whole import."""
        if organisation is None:
            self.fatal = True
        else:
            self.bad_organisations.add(organisation)
            self._reason(organisation, problem.message)
        if self._room():
            self.problems.append(problem)

    def _reason(self, key: int | str, message: str) -> None:
        reasons = self.reasons.setdefault(key, [])
        if len(reasons) < 5:
            reasons.append(message)

    def _mapping_problem(self, path: DocPath, message: str, hint: str = "", *, key: bool = False) -> None:
        assert self.mapping is not None
        self._add(self.mapping.problem(path, message, hint, key=key))

    def _cell_problem(self, row: int, column: int | None, message: str, hint: Hint = "") -> None:
        self.bad_rows.add(row)
        # One hint per distinct message (a bad answer repeats on many rows), and a did-you-mean for the first
        # thousand only, so that an export of a million bad cells is still reported quickly.
        if message not in self.hints:
            self.hints[message] = hint if isinstance(hint, str) else hint() if len(self.hints) < 1000 else ""
        self._reason(row, message + (f" ({self.hints[message]})" if self.hints[message] else ""))
        if not self._room():
            return
        number = None if column is None else column + 1
        path = f"/rows/{row}" if number is None else f"/rows/{row}/columns/{number}"
        text = self.hints[message] or (hint if isinstance(hint, str) else hint())
        self.problems.append(Problem(self.name, row, number, path, message, text))

    def _column_problem(self, column: _Column, message: str, hint: Hint = "") -> None:
        self.fatal = True
        if not self._room():
            return
        text = hint if isinstance(hint, str) else hint()
        self.problems.append(Problem(self.name, 1, column.number, f"/columns/{column.number}", message, text))

    # -- columns
    def _columns(self) -> list[_Column]:
        rows = self.table.rows
        width = max((len(row) for row in rows), default=0)
        columns = []
        for index in range(width):
            header = _ws(_text(rows[0][index])) if index < len(rows[0]) else ""
            names = [header]
            if self.format == "qualtrics" and self.header_rows >= 2:
                question_text = _ws(_text(rows[1][index])) if index < len(rows[1]) else ""
                names.append(question_text)
                if self.header_rows >= 3 and index < len(rows[2]):
                    try:
                        import_id = strict_json(_text(rows[2][index])).get("ImportId")
                    except DocumentError as exc:
                        # A cell that is not JSON names no column; JSON beyond a limit is hostile.
                        if not isinstance(exc, JsonSyntaxError):
                            self._cell_problem(3, index, f"the ImportId cell: {exc.message}", exc.hint)
                        import_id = None
                    except (ValueError, AttributeError):
                        import_id = None
                    if isinstance(import_id, str):
                        names.append(import_id)
            column = _Column(index, header, [n for n in names if n])
            if self.format == "redcap":
                raw = re.fullmatch(r"(.+?)___([^_].*)", header)
                labelled = re.fullmatch(r"(.+) \(choice=(.+)\)", header, re.DOTALL)
                match = raw or labelled
                if match:
                    column.checkbox = (match.group(1), match.group(2))
                    column.names.append(match.group(1))
            texts: list[str] = []
            for name in column.names:
                texts.append(name)
                parts = name.split(" - ")  # Qualtrics matrix rows: "Question - Statement"
                texts.extend(" - ".join(parts[i:]) for i in range(1, len(parts)))
                bracket = re.fullmatch(r".*\[(.+)\]", name, re.DOTALL)  # LimeSurvey full headings: "Q [Sub]"
                if bracket:
                    texts.append(bracket.group(1))
            column.texts = [_norm(t) for t in texts if _norm(t)]
            columns.append(column)
        return columns

    def _find(self, key: str) -> list[_Column]:
        wanted = _ws(key)
        exact = [c for c in self.columns if any(_ws(n) == wanted for n in c.names)]
        if exact:
            return exact
        loose = _norm(key)
        return [c for c in self.columns if loose and any(_norm(n) == loose for n in c.names)]

    def _claim(self, column: _Column, what: str, path: DocPath | None) -> bool:
        if column.index in self.claimed:
            if path is not None:
                self._mapping_problem(
                    path,
                    f"column '{column.header}' is already mapped as {self.claimed[column.index]}",
                    "map each column once",
                )
            return False
        self.claimed[column.index] = what
        return True

    def _mapped_columns(self, key: Any, path: DocPath) -> list[_Column]:
        found = self._find(str(key))
        if not found:
            choices = [n for c in self.columns for n in c.names]
            self._mapping_problem(
                path,
                f"no column '{key}' in {self.table.label}",
                did_you_mean(str(key), choices) or "use the header as the export shows it",
                key=path[-1] == key,
            )
        return found

    def _question_id(self, value: Any, path: DocPath) -> str | None:
        qid = str(value)
        if qid in self.questions:
            return qid
        self._mapping_problem(
            path, f"unknown question '{qid}'", did_you_mean(qid, self.questions) or "use the rubric's question ids"
        )
        return None

    def _group_id(self, value: Any, path: DocPath) -> str | None:
        gid = str(value)
        if gid in self.groups:
            return gid
        self._mapping_problem(
            path,
            f"unknown respondent group '{gid}'",
            did_you_mean(gid, self.groups) or f"groups: {', '.join(self.groups) or 'none in this rubric'}",
        )
        return None

    def _checkbox_level(self, column: _Column, question: Question) -> Level | None:
        assert column.checkbox is not None
        try:
            level = self._level(column.checkbox[1], question)
        except _BadCell as bad:
            self._column_problem(
                column, f"checkbox option '{column.checkbox[1]}' of '{column.checkbox[0]}': {bad.message}", bad.hint
            )
            return None
        if level is None:
            self._column_problem(column, f"checkbox option '{column.checkbox[1]}' is not a level", MAPPING_HINT)
        return level

    def _add_question(self, column: _Column, qid: str) -> None:
        if column.checkbox is None:
            self.question_columns[column.index] = qid
            return
        level = self._checkbox_level(column, self.questions[qid])
        if level is not None:
            self.checkbox_fields.setdefault((qid, column.checkbox[0]), []).append((column.index, level))

    def plan(self) -> None:
        """Decide what every column holds: the mapping first, then headers; report what maps to nothing."""
        spec = self.spec
        for key, value in (spec.get("levels") or {}).items():
            if value is not None and value != NA and value not in self.scale:
                self._mapping_problem(("levels", key), f"{value} is not a level of the scale", self.scale_text)
                continue
            self.level_map[_norm(str(key))] = value
        group = spec.get("group") or {}
        for key, value in (group.get("values") or {}).items():
            gid = self._group_id(value, ("group", "values", key))
            if gid is not None:
                self.group_map[_norm(str(key))] = gid
        self.date_format = (spec.get("date") or {}).get("format")
        for role in ROLES:
            path = ROLE_PATHS[role]
            entry: Any = spec
            for part in path:
                entry = (entry or {}).get(part) if isinstance(entry, dict) else None
            if not isinstance(entry, dict):
                continue
            if "value" in entry:
                value = str(entry["value"]).strip()
                if role == "group" and self._group_id(value, (*path, "value")) is None:
                    continue
                self.fixed[role] = value
            elif "column" in entry:
                for column in self._mapped_columns(entry["column"], (*path, "column"))[:1]:
                    if self._claim(column, ROLE_WORDS[role], (*path, "column")):
                        self.roles[role] = column.index
        for section in ("questions", "comments", "justifications", "evidence"):
            for key, value in (spec.get(section) or {}).items():
                qid = self._question_id(value, (section, key))
                columns = self._mapped_columns(key, (section, key))
                if qid is None:
                    continue
                for column in columns:
                    what = "evidence" if section == "evidence" else section[:-1]
                    if not self._claim(column, f"{what} of '{qid}'", (section, key)):
                        continue
                    if section == "questions":
                        self._add_question(column, qid)
                    elif section == "comments":
                        self.comment_columns[column.index] = qid
                    elif section == "evidence":
                        self.evidence_columns[column.index] = qid
                    else:
                        self.justification_columns[column.index] = qid
        for key, value in (spec.get("metadata") or {}).items():
            entry = value if isinstance(value, dict) else {"column": value}
            if "value" in entry:
                self.metadata_fixed[str(key)] = _ws(_text(entry["value"]))
            elif "column" in entry:
                path = ("metadata", key) if not isinstance(value, dict) else ("metadata", key, "column")
                for column in self._mapped_columns(entry["column"], path)[:1]:
                    if self._claim(column, f"metadata '{key}'", path):
                        self.metadata_columns[str(key)] = column.index
        for index, name in enumerate(spec.get("ignore") or []):
            for column in self._mapped_columns(name, ("ignore", index)):
                self._claim(column, "ignored", ("ignore", index))
        self._recognise()
        if "date" in self.roles:
            kind = (spec.get("date") or {}).get("kind")
            header = _norm(self.columns[self.roles["date"]].header)
            response = header in RESPONSE_TIMES or (self.format == "redcap" and header.endswith(" timestamp"))
            self.date_is_assessment = kind == "assessment" if kind is not None else not response
        if "id" not in self.roles and "id" not in self.fixed:
            self._add(
                Problem(
                    self.name,
                    1,
                    None,
                    "/columns",
                    "no column holds the organisation id",
                    "name a column organisation_id, or map one (organisation: {id: {column: ...}}), or give a "
                    "fixed one (organisation: {id: {value: ...}, name: {value: ...}})",
                )
            )
        if self.missing == "error":
            answered = set(self.question_columns.values()) | {qid for qid, _ in self.checkbox_fields}
            for qid, question in self.questions.items():
                if qid not in answered:
                    self.unanswerable.add(qid)
                    text = question.text if len(question.text) <= 60 else question.text[:57] + "..."
                    self._add(
                        Problem(
                            self.name,
                            None,
                            None,
                            "/columns",
                            f"no column holds question '{qid}' ({text})",
                            "every question needs an answer: map its column under questions: in a mapping file",
                        )
                    )

    def _recognise(self) -> None:
        """Columns the mapping does not mention: roles by common names, questions by id or text, tool metadata."""
        free = [c for c in self.columns if c.index not in self.claimed]
        for role in ROLES:
            if role in self.roles or role in self.fixed:
                continue
            if role == "respondent" and self.format == "redcap" and self.columns:
                first = self.columns[0]
                if first.index not in self.claimed:
                    self.roles[role] = first.index
                    self.claimed[first.index] = ROLE_WORDS[role]
                continue
            aliases = (*ROLE_ALIASES[role], *FORMAT_ALIASES.get(self.format, {}).get(role, ()))
            candidates = [(aliases.index(_norm(c.header)), c.index) for c in free if _norm(c.header) in aliases]
            if role == "date" and self.format == "redcap":
                candidates += [(len(aliases), c.index) for c in free if _norm(c.header).endswith(" timestamp")]
            candidates = [c for c in candidates if c[1] not in self.claimed]
            if candidates:
                index = min(candidates)[1]
                self.roles[role] = index
                self.claimed[index] = ROLE_WORDS[role]
        by_text: dict[str, str] = {}
        for ident, question in self.questions.items():
            by_text.setdefault(_norm(ident), ident)
            by_text.setdefault(_norm(question.text), ident)
        by_id = {_norm(qid): qid for qid in self.questions}
        metadata = METADATA.get(self.format, frozenset())
        for column in self.columns:
            if column.index in self.claimed:
                continue
            qid = next((by_text[t] for t in column.texts if t in by_text), None)
            if qid is not None:
                self.claimed[column.index] = f"question '{qid}'"
                self._add_question(column, qid)
                continue
            header = _norm(column.header)
            extra = next(
                (
                    (kind, by_id[header[: -len(suffix)]])
                    for kind, suffixes in (
                        ("comment", COMMENT_SUFFIXES),
                        ("justification", JUSTIFICATION_SUFFIXES),
                        ("evidence", EVIDENCE_SUFFIXES),
                    )
                    for suffix in suffixes
                    if header.endswith(suffix) and header[: -len(suffix)] in by_id
                ),
                None,
            )
            if extra is not None:
                kind, qid = extra
                self.claimed[column.index] = f"{kind} of '{qid}'"
                target = {
                    "comment": self.comment_columns,
                    "justification": self.justification_columns,
                    "evidence": self.evidence_columns,
                }[kind]
                target[column.index] = qid
                continue
            if self._is_metadata(column, metadata) or column.header == REJECTED_COLUMN:
                self.claimed[column.index] = "ignored"
                continue
            if not column.header:
                if any(_text(row[column.index]) for row in self._data_rows_raw() if column.index < len(row)):
                    self._column_problem(column, f"column {column.number} has no header but holds data", MAPPING_HINT)
                continue
            shown = f"'{column.header}'"
            if len(column.names) > 1 and column.names[1] != column.header:
                shown += f" ({_quote(column.names[1])})"  # Qualtrics: the question text under the id
            self._column_problem(
                column,
                f"column {shown} is not a question of {self.rubric.id} nor a column qimaturity knows",
                partial(self._column_hint, column.header),
            )

    def _column_hint(self, header: str) -> str:
        hint = did_you_mean(header, [*self.questions, *(q.text for q in self.questions.values())])
        return f"{hint} {MAPPING_HINT}" if hint else MAPPING_HINT

    def _is_metadata(self, column: _Column, metadata: frozenset[str]) -> bool:
        header = _norm(column.header)
        if header in metadata:
            return True
        if self.format == "qualtrics" and not any(ch.isspace() for ch in column.header):
            # Qualtrics' own columns are single words: RecipientEmail, LocationLatitude, Q_RecaptchaScore.
            return header.replace(" ", "").startswith(tuple(p.replace(" ", "") for p in QUALTRICS_PREFIXES))
        if self.format == "redcap":
            return header.endswith(REDCAP_SUFFIXES)
        return False

    def _data_rows_raw(self) -> list[list[Any]]:
        return self.table.rows[self.header_rows :]

    # -- cells
    def _level(self, value: Any, question: Question) -> Level | None:
        """A cell as a level, N/A or None (no answer); _BadCell when it is none of these."""
        key = (question.id, type(value), value)
        if key in self.levels_read:
            return self.levels_read[key]
        level = self._read_level(value, question)
        self.levels_read[key] = level
        return level

    def _read_level(self, value: Any, question: Question) -> Level | None:
        text = _ws(_text(value))
        if not text:
            return None
        key = _norm(text)
        if key in self.level_map:
            return self.level_map[key]
        if self.format == "qualtrics" and text == QUALTRICS_SEEN_UNANSWERED:
            return None
        if is_na_text(text):
            return NA
        if isinstance(value, int | float) and not isinstance(value, bool) or _NUMBER.fullmatch(text):
            number = float(value) if isinstance(value, int | float) else float(text.replace(",", "."))
            if number.is_integer() and int(number) in self.scale:
                return int(number)
            raise _BadCell(
                f"{_quote(text)} is not a level of the scale (question '{question.id}')",
                f"levels are {self.scale_text}",
            )
        if not isinstance(value, bool):
            label = level_of_label(text, self.rubric.levels)
            if label is not None and not isinstance(label, MisnamedLevel):
                return label.value
            for level in self.rubric.levels:
                if key in (_norm(level.name), _norm(level.descriptor)):
                    return level.value
            for descriptor in question.levels:
                if key == _norm(descriptor.descriptor):
                    return descriptor.level
            if isinstance(label, MisnamedLevel):
                options = ", ".join(level_option(level) for level in self.rubric.levels)
                raise _BadCell(f"{label.message(_quote(text))} (question '{question.id}')", f"the levels are {options}")

        def hint() -> str:
            names = [level.name for level in self.rubric.levels]
            suggestion = did_you_mean(text, [*names, *self.level_map, *(d.descriptor for d in question.levels)])
            expected = (
                f"expected a level ({self.scale_text}), a level name ({', '.join(names)}), one of the question's "
                "level descriptors, N/A or an empty cell"
            )
            return f"{suggestion} {expected}" if suggestion else expected

        raise _BadCell(f"{_quote(text)} is not an answer to question '{question.id}'", hint)

    def _group(self, text: str) -> str:
        key = _norm(text)
        if key in self.group_map:
            return self.group_map[key]
        for gid, group in self.groups.items():
            if text == gid or key in (_norm(gid), _norm(group.name)):
                return gid

        def hint() -> str:
            choices = [*self.groups, *(g.name for g in self.groups.values())]
            known = ", ".join(f"{gid} ({g.name})" for gid, g in self.groups.items()) or "none"
            parts = (did_you_mean(text, choices), f"groups: {known};", "map it under group: values: in a mapping")
            return " ".join(p for p in parts if p)

        raise _BadCell(f"{_quote(text)} is not a respondent group of {self.rubric.id}", hint)

    def _option(self, index: int) -> str:
        checkbox = self.columns[index].checkbox
        return checkbox[1] if checkbox else self.columns[index].header

    def _ticked(self, value: Any) -> bool:
        text = _text(value).casefold()
        if text in TICKED:
            return True
        if text in UNTICKED:
            return False
        raise _BadCell(
            f"{_quote(value)} is neither ticked nor unticked", "a checkbox cell is 1 or 0, Checked or Unchecked"
        )

    # -- rows
    def run(self) -> list[dict[str, Any]]:
        """Every assessment's document; :class:`InputError` with every problem when there is any (all or nothing)."""
        self.read()
        if self.problems or self.more:
            raise InputError(self.shown_problems())
        return [document for _, document in self.documents]

    def read(self) -> None:
        """Read the export: each assessment's document in ``documents``, each problem kept and attributed."""
        self.plan()
        rows = self._data_rows_raw()
        first_row = self.header_rows + 1
        status, finished, submitted, repeat, instance, event = self.row_columns()
        bases: dict[tuple[str, str], Context] = {}

        def record(cells: Sequence[Any]) -> tuple[str, str]:
            return _text(self._cell(cells, 0)), _text(self._cell(cells, event)) if event is not None else ""

        if repeat is not None:
            for offset, cells in enumerate(rows):
                if not _text(self._cell(cells, repeat)):
                    bases.setdefault(record(cells), self._context(cells, first_row + offset))
        organisations: dict[tuple[str, str], _Organisation] = {}
        for offset, cells in enumerate(rows):
            row = first_row + offset
            if not any(_text(cell) for cell in cells):
                continue
            if status is not None and _text(self._cell(cells, status)).casefold() in QUALTRICS_NOT_RESPONSES:
                self.dropped += 1
                continue
            if finished is not None and _text(self._cell(cells, finished)).casefold() in QUALTRICS_UNFINISHED:
                self.dropped += 1
                continue
            if submitted is not None and not _text(self._cell(cells, submitted)):
                self.dropped += 1
                continue
            context = self._context(cells, row)
            suffix = ""
            if repeat is not None:
                instrument = _text(self._cell(cells, repeat))
                if instrument:
                    base = bases.get(record(cells), {})
                    for role, (value, base_row, column) in base.items():
                        if not _text(context.get(role, (None, row, None))[0]):
                            context[role] = (value, base_row, column)
                    number = _text(self._cell(cells, instance)) if instance is not None else ""
                    suffix = f"-{instrument}" + (f"-{number}" if number else "")
            if event is not None and _text(self._cell(cells, event)):
                suffix = f"-{_text(self._cell(cells, event))}{suffix}"
            self._row(cells, row, context, suffix, organisations)
        self._documents(organisations)

    def row_columns(self) -> tuple[int | None, ...]:
        """The columns (or None) that decide which rows count and what they belong to: Qualtrics' status and
        finished, LimeSurvey's submission date, REDCap's repeat instrument, repeat instance and event."""
        qualtrics, redcap = self.format == "qualtrics", self.format == "redcap"
        return (
            self._special("status") if qualtrics else None,
            self._special("finished") if qualtrics else None,
            self._special("submitdate", "date submitted") if self.format == "limesurvey" else None,
            self._special("redcap repeat instrument", "repeat instrument") if redcap else None,
            self._special("redcap repeat instance", "repeat instance") if redcap else None,
            self._special("redcap event name", "event name") if redcap else None,
        )

    def na_justification(self) -> str:
        """The justification of an N/A that the export gives none for."""
        return f"Not applicable (imported from {self.table.label})"

    def _special(self, *names: str) -> int | None:
        return next((c.index for c in self.columns if _norm(c.header) in names), None)

    @staticmethod
    def _cell(cells: Sequence[Any], index: int) -> Any:
        return cells[index] if index < len(cells) else None

    def _context(self, cells: Sequence[Any], row: int) -> Context:
        context: Context = {}
        for role, index in self.roles.items():
            context[role] = (self._cell(cells, index), row, index)
        for role, value in self.fixed.items():
            context[role] = (value, row, None)
        return context

    def _answers(self, cells: Sequence[Any], row: int) -> dict[str, _Answer]:
        answers: dict[str, _Answer] = {}

        def put(qid: str, value: Level, column: int) -> None:
            if qid in answers and answers[qid].value != value:
                earlier = answers[qid]
                self._cell_problem(
                    row,
                    column,
                    f"a second answer to question '{qid}' in this row (column {earlier.column + 1} gave "
                    f"{'N/A' if earlier.value == NA else earlier.value})",
                    "map one column to each question, or leave one of them empty",
                )
            else:
                answers.setdefault(qid, _Answer(value, column))

        for index, qid in sorted(self.question_columns.items()):
            try:
                value = self._level(self._cell(cells, index), self.questions[qid])
            except _BadCell as bad:
                self._cell_problem(row, index, bad.message, bad.hint)
                continue
            if value is not None:
                put(qid, value, index)
        for (qid, name), options in self.checkbox_fields.items():
            ticked: list[tuple[int, Level]] = []
            for index, level in options:
                try:
                    if self._ticked(self._cell(cells, index)):
                        ticked.append((index, level))
                except _BadCell as bad:
                    self._cell_problem(row, index, bad.message, bad.hint)
            if len(ticked) > 1:
                shown = ", ".join(self._option(i) for i, _ in ticked)
                self._cell_problem(
                    row,
                    ticked[0][0],
                    f"{len(ticked)} options of checkbox '{name}' are ticked ({shown}): question '{qid}' takes one",
                    "tick one option, or none",
                )
            elif ticked:
                put(qid, ticked[0][1], ticked[0][0])
        for columns, kind in (
            (self.comment_columns, "comment"),
            (self.justification_columns, "justification"),
            (self.evidence_columns, "evidence"),
        ):
            for index, qid in sorted(columns.items()):
                text = _text(self._cell(cells, index))
                if not text:
                    continue
                if qid not in answers:
                    self._cell_problem(
                        row,
                        index,
                        f"{'evidence' if kind == 'evidence' else 'a ' + kind} on question '{qid}' but no answer to it "
                        "in this row",
                        f"give the answer, or clear the {kind}: answers files keep "
                        f"{'evidence' if kind == 'evidence' else kind + 's'} with answers",
                    )
                elif kind == "comment":
                    answers[qid].comment = (text, index)
                elif kind == "evidence":
                    items = tuple(item for item in (_ws(i) for i in EVIDENCE_SEPARATORS.split(text)) if item)
                    answers[qid].evidence = (items, index)
                else:
                    answers[qid].justification = (text, index)
        return answers

    def _row(
        self,
        cells: Sequence[Any],
        row: int,
        context: Context,
        suffix: str,
        organisations: dict[tuple[str, str], _Organisation],
    ) -> None:
        value, id_row, id_column = context.get("id", (None, row, None))
        org_id = _ws(_text(value))
        self.row_organisations[row] = org_id  # a problem in this row is its organisation's
        answers = self._answers(cells, row)
        group: str | None = None
        group_column: int | None = None
        if "group" in context:
            value, group_row, group_column = context["group"]
            if _text(value):
                try:
                    group = self._group(_text(value))
                except _BadCell as bad:
                    self._cell_problem(group_row, group_column, bad.message, bad.hint)
        for qid, answer in list(answers.items()):
            question = self.questions[qid]
            if group is not None and question.respondents and group not in question.respondents:
                self._cell_problem(
                    row,
                    answer.column,
                    f"question '{qid}' is not asked of the {group} group",
                    f"the rubric asks it of: {', '.join(question.respondents)}; leave the cell empty",
                )
                del answers[qid]
            elif answer.value == NA and not question.na_allowed:
                self._cell_problem(
                    row, answer.column, f"question '{qid}' cannot be answered N/A", "give a level, or leave it empty"
                )
                del answers[qid]
        when: date | None = None
        bad_date = False
        if "date" in context:
            value, date_row, date_column = context["date"]
            try:
                when = _parse_date(value, self.date_format, self.table.epoch)
            except ValueError:
                self._cell_problem(date_row, date_column, f"{_quote(value)} is not a date", DATE_HINT)
                bad_date = True
        if not answers:
            return
        if bad_date:
            self.bad_dates.add(org_id)
        if not org_id:
            if "id" in self.roles:
                self._cell_problem(
                    row, id_column, "no organisation id in this row", "fill it in: each row belongs to one organisation"
                )
            return
        # An assessment is an organisation at a date: with a column of assessment dates, an organisation's rows with
        # different dates are different assessments; with the times of responses, they are one, dated by the latest.
        key = (org_id, when.isoformat() if when is not None and self.date_is_assessment else "")
        organisation = organisations.get(key)
        if organisation is None:
            organisation = organisations[key] = _Organisation(org_id, id_row, id_column)
        fields: list[tuple[str, tuple[Any, int, int | None]]] = [(n, context[n]) for n in ROLE_FIELDS if n in context]
        fields += [(f"metadata.{k}", (self._cell(cells, i), row, i)) for k, i in self.metadata_columns.items()]
        fields += [(f"metadata.{k}", (v, row, None)) for k, v in self.metadata_fixed.items()]
        for name, (value, field_row, field_column) in fields:
            text = _ws(_text(value))
            if not text:
                continue
            if name not in organisation.fields:
                organisation.fields[name] = (text, field_row, field_column)
            elif organisation.fields[name][0] != text:
                first, first_row, _ = organisation.fields[name]
                what = ROLE_WORDS.get(name) or f"metadata '{name.removeprefix('metadata.')}'"
                self._cell_problem(
                    field_row,
                    field_column,
                    f"organisation '{org_id}' has {what} '{first}' in row {first_row} but '{text}' here",
                    "an assessment has one name, type, region, assessor and value of each metadata field: correct "
                    "one of the rows",
                )
        if when is not None:
            organisation.dates.append((when, context["date"][1], context["date"][2]))
        respondent_id: str | None = None
        respondent_column: int | None = None
        if "respondent" in context:
            value, _, respondent_column = context["respondent"]
            respondent_id = _ws(_text(value)) or None
        if respondent_id is not None:
            respondent_id += suffix
        comment: tuple[str, int | None] | None = None
        if "respondent_comment" in context:
            value, _, comment_column = context["respondent_comment"]
            comment = (_text(value), comment_column) if _text(value) else None
        organisation.respondents.append(
            _Respondent(respondent_id, respondent_column, group, group_column, row, answers, comment)
        )

    # -- documents
    def shown_problems(self) -> list[Problem]:
        """The problems kept, in order, and a last line counting those past MAX_PROBLEMS."""
        shown = sort_problems(self.problems)
        if self.more:
            more = f"... and {self.more:,} more problems"
            shown.append(Problem(self.name, None, None, "/", more, "fix these and run again"))
        return shown

    def _duplicates(self, organisation: _Organisation, when: str) -> None:
        """The same respondent twice in one assessment: a submission sent (or exported) twice."""
        seen: dict[str, int] = {}
        for respondent in organisation.respondents:
            if respondent.id is None:
                continue
            if respondent.id in seen:
                on = f" on {when}" if when else ""
                self._cell_problem(
                    respondent.row,
                    respondent.id_column,
                    f"duplicate submission: respondent '{respondent.id}' of organisation '{organisation.id}'{on} is "
                    f"in row {seen[respondent.id]} and again here",
                    "remove one of the two rows, or give each respondent an id of their own",
                )
            else:
                seen[respondent.id] = respondent.row

    def _documents(self, organisations: dict[tuple[str, str], _Organisation]) -> None:
        if not organisations and not self.problems:
            skipped = f" ({self.dropped} preview or unfinished row(s) were skipped)" if self.dropped else ""
            self._add(
                Problem(
                    self.name,
                    None,
                    None,
                    "/rows",
                    f"no row answers a question{skipped}",
                    "check that this is the export you meant, and that its columns are mapped",
                )
            )
        self.documents: list[tuple[str, dict[str, Any]]] = []
        # In natural order of organisation id, then date, as the columnar reader (score-export) gives them.
        in_order = sorted(organisations.items(), key=lambda item: (natural_key(item[1].id), str(item[0][1] or "")))
        for (org_id, when), organisation in in_order:
            data, marks = self._document(organisation)
            self.documents.append((organisation.id, data))
            if self.date_is_assessment and not when and org_id in self.bad_dates:
                continue  # rows whose date cell was reported, of no assessment yet: checked once it is corrected
            self._duplicates(organisation, str(data.get("date", "")))
            for problem in check_answers_document(SourceDocument(self.name, data, marks), self.rubric):
                if any(problem.message == f"question '{qid}' has no answer" for qid in self.unanswerable):
                    continue  # reported once, as a question no column holds
                if problem.message.startswith("no assessment date") and organisation.id in self.bad_dates:
                    continue  # the date cells were reported
                if problem.message.startswith("duplicate respondent id"):
                    continue  # reported as a duplicate submission
                line, column = problem.line, problem.column
                unanswered = re.fullmatch(r"question '(.+)' has no answer", problem.message)
                if line is None and unanswered and unanswered.group(1) in self.first_columns:
                    # where the organisation's answers to it would be: its first row, the question's column
                    line, column = organisation.row, self.first_columns[unanswered.group(1)] + 1
                located = line is not None and column is not None
                self._add(
                    Problem(
                        problem.file,
                        line,
                        column,
                        f"/rows/{line}/columns/{column}" if located else problem.path,
                        f"organisation '{organisation.id}': {problem.message}",
                        NO_DATE_HINT if problem.message.startswith("no assessment date") else problem.hint,
                    ),
                    organisation=organisation.id,
                )

    def _document(self, organisation: _Organisation) -> tuple[dict[str, Any], dict[DocPath, tuple[int, int]]]:
        marks: dict[DocPath, tuple[int, int]] = {}

        def mark(path: DocPath, row: int, column: int | None) -> None:
            marks[path] = (row, (column or 0) + 1)

        mark(("organisation",), organisation.row, organisation.column)
        details: dict[str, Any] = {"id": organisation.id}
        mark(("organisation", "id"), organisation.row, organisation.column)
        name = organisation.fields.get("name")
        details["name"] = name[0] if name else organisation.id
        for key in ("name", "type", "region"):
            if key in organisation.fields:
                value, row, column = organisation.fields[key]
                details[key] = value
                mark(("organisation", key), row, column)
        metadata = {
            k: organisation.fields[f"metadata.{k}"]
            for k in self.metadata_keys()
            if f"metadata.{k}" in organisation.fields
        }
        if metadata:
            details["metadata"] = {k: value for k, (value, _, _) in metadata.items()}
            for k, (_, row, column) in metadata.items():
                mark(("organisation", "metadata", k), row, column)
        data: dict[str, Any] = {
            "rubric": {"id": self.rubric.id, "version": self.rubric.version},
            "organisation": details,
        }
        if organisation.dates:
            latest, row, column = max(organisation.dates, key=lambda d: d[0])
            data["date"] = latest.isoformat()
            mark(("date",), row, column)
        if "assessor" in organisation.fields:
            value, row, column = organisation.fields["assessor"]
            data["assessor"] = value
            mark(("assessor",), row, column)
        if self.missing_given is not None:
            data["missing"] = self.missing_given
        cited = {
            item
            for respondent in organisation.respondents
            for answer in respondent.answers.values()
            for item in (answer.evidence[0] if answer.evidence else ())
            if item in self.register
        }
        if cited:  # the organisation's register: the mapping's entries its answers cite, in the mapping's order
            data["evidence"] = [entry for ident, entry in self._register_order() if ident in cited]
        respondents = []
        for index, respondent in enumerate(organisation.respondents):
            entry: dict[str, Any] = {"id": respondent.id or f"r{index + 1}"}
            base: DocPath = ("respondents", index)
            mark(base, respondent.row, None)
            mark((*base, "id"), respondent.row, respondent.id_column)
            if respondent.group is not None:
                entry["group"] = respondent.group
                mark((*base, "group"), respondent.row, respondent.group_column)
            if respondent.comment is not None:
                entry["comment"] = respondent.comment[0]
                mark((*base, "comment"), respondent.row, respondent.comment[1])
            answers: dict[str, Any] = {}
            mark((*base, "answers"), respondent.row, None)
            for qid in sorted(respondent.answers, key=self.order.__getitem__):
                answer = respondent.answers[qid]
                where: DocPath = (*base, "answers", qid)
                mark(where, respondent.row, answer.column)
                answers[qid] = self._answer(answer)
                if answer.comment is not None:
                    mark((*where, "comment"), respondent.row, answer.comment[1])
                if answer.justification is not None:
                    mark((*where, "justification"), respondent.row, answer.justification[1])
                if answer.evidence is not None:
                    mark((*where, "evidence"), respondent.row, answer.evidence[1])
                    for i in range(len(answer.evidence[0])):
                        mark((*where, "evidence", i), respondent.row, answer.evidence[1])
            entry["answers"] = answers
            respondents.append(entry)
        data["respondents"] = respondents
        return data, marks

    @property
    def first_columns(self) -> dict[str, int]:
        """Each question's first column (0-based), where it has one."""
        found: dict[str, int] = {}
        for index, qid in sorted(self.question_columns.items()):
            found.setdefault(qid, index)
        for (qid, _), options in self.checkbox_fields.items():
            found.setdefault(qid, min(index for index, _ in options))
        return found

    def metadata_keys(self) -> list[str]:
        """The organisation metadata keys the mapping gives, in its order."""
        return [str(k) for k in (self.spec.get("metadata") or {})]

    def _register_order(self) -> list[tuple[str, dict[str, Any]]]:
        seen: dict[str, dict[str, Any]] = {}
        for entry in self.spec.get("evidence_register") or []:
            if isinstance(entry, dict) and str(entry.get("id")) in self.register:
                seen.setdefault(str(entry["id"]), self.register[str(entry["id"])])
        return list(seen.items())

    def _answer(self, answer: _Answer) -> Any:
        if answer.value == NA:
            justification = answer.justification[0] if answer.justification else self.na_justification()
            result: dict[str, Any] = {"na": True, "justification": justification}
        elif answer.comment is None and answer.justification is None and answer.evidence is None:
            return answer.value
        else:
            result = {"level": answer.value}
            if answer.justification is not None:
                result["justification"] = answer.justification[0]
        if answer.comment is not None:
            result["comment"] = answer.comment[0]
        if answer.evidence is not None:
            # an item that is an id of the mapping's evidence register cites that entry; any other text is kept as
            # free-text evidence, undated (as answers files gave evidence before registers)
            result["evidence"] = [item if item in self.register else {"reference": item} for item in answer.evidence[0]]
        return result


# --- the public API --------------------------------------------------------------------------------------------
def import_answers(
    path: FsPath | str,
    rubric: Rubric,
    *,
    mapping: Mapping[str, Any] | None = None,
    rows: Collection[int] | None = None,
    missing: str | None = None,
) -> list[dict[str, Any]]:
    """Read a CSV/TSV/XLSX export and return one answers document (a dict in the answers-file format) per
    organisation, in order of first appearance.

    ``mapping`` is a mapping file's content (see :func:`load_mapping`; a plain dict is checked the same way).
    Every document returned passes :func:`qimaturity.answers.files.check_answers_document` for ``rubric``. Raises
    :class:`InputError` listing every unmappable column and bad cell, each with its row and column (1-based, as a
    spreadsheet shows them) and a path like ``/rows/12/columns/7``; and any problem of the mapping, at its line.

    ``rows`` (a CSV or TSV export's data rows, 0-based) reads only those rows, the others as if they were blank:
    the columnar importer gives the rows that can hold problems, so that they are reported as a reading of the
    whole export would report them, without its time and memory.

    ``missing`` (``error``, ``exclude`` or ``count_as_lowest``) replaces the rubric's ``scoring.missing`` for these
    assessments; a document it changes records it (``missing:``), so that scoring applies it too.
    """
    return _importer(path, rubric, mapping, rows, missing).run()


def _importer(
    path: FsPath | str,
    rubric: Rubric,
    mapping: Mapping[str, Any] | None,
    rows: Collection[int] | None = None,
    missing: str | None = None,
) -> _Importer:
    if missing is not None and missing not in MISSING_POLICIES:
        raise ValueError(f"unknown missing-answer policy {missing!r}: one of {', '.join(MISSING_POLICIES)}")
    path = FsPath(path)
    source = _mapping_source(mapping)
    table = _read_export(path, str(path), rows)
    if not table.rows or not any(_text(cell) for cell in table.rows[0]):
        raise InputError.single(table.name, "the export is empty, or its first row is", "the first row is the header")
    fmt = str((source.data if source is not None else {}).get("format", "auto"))
    if fmt == "auto":
        fmt = detect_format([[_text(cell) for cell in row] for row in table.rows[:3]])
    return _Importer(table, rubric, source, fmt, missing)


@dataclass(frozen=True)
class Rejected:
    """An organisation not imported (``organisation`` is None for rows that name none): its rows (numbered as a
    spreadsheet shows them) and why."""

    organisation: str | None
    rows: tuple[int, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ImportOutcome:
    """What :func:`import_export` read: the documents of the organisations that imported cleanly, and the others."""

    documents: tuple[dict[str, Any], ...]
    rejected: tuple[Rejected, ...]
    problems: tuple[Problem, ...]
    """Every problem kept (at most MAX_PROBLEMS, then a line counting the rest), in the export's order."""
    header: tuple[tuple[Any, ...], ...] = ()
    """The export's header rows, for a rejects file."""
    rejected_rows: tuple[tuple[int, tuple[Any, ...], str], ...] = ()
    """Each rejected row: its number, its cells as read, and why it was not imported."""
    assessments: int = 0
    """How many assessments the export holds, imported or not: whether the output is one file or a folder."""


def import_export(
    path: FsPath | str,
    rubric: Rubric,
    *,
    mapping: Mapping[str, Any] | None = None,
    missing: str | None = None,
    rows: Collection[int] | None = None,
) -> ImportOutcome:
    """Read an export organisation by organisation: an organisation with a problem (in any of its rows, or in its
    document) is rejected, with its rows, and the others are imported. A problem of the whole export (an unknown
    column, a bad mapping, no organisation column) still raises :class:`InputError`, as :func:`import_answers` does
    for any problem. ``mapping``, ``missing`` and ``rows`` are as for :func:`import_answers`."""
    importer = _importer(path, rubric, mapping, rows, missing)
    importer.read()
    organisations = importer.row_organisations
    fatal = importer.fatal or any(row not in organisations for row in importer.bad_rows)
    if fatal:
        raise InputError(importer.shown_problems())
    bad = set(importer.bad_organisations) | {organisations[r] for r in importer.bad_rows if organisations[r]}
    documents = tuple(document for org_id, document in importer.documents if org_id not in bad)
    by_organisation: dict[str | None, list[int]] = {}
    for row, org_id in organisations.items():
        if org_id in bad or (not org_id and row in importer.bad_rows):
            by_organisation.setdefault(org_id or None, []).append(row)
    problems = importer.shown_problems()
    rejected = []
    rejected_rows = []
    for owner, rows in by_organisation.items():
        mentions = f"organisation '{owner}'"
        own = tuple(p for p in problems if p.line in rows or (owner and mentions in p.message))
        rejected.append(Rejected(owner, tuple(rows), own))
        for row in rows:
            reasons = importer.reasons.get(row) or importer.reasons.get(owner or "") or []
            if not reasons:
                shown = ", ".join(str(r) for r in sorted(importer.bad_rows & set(rows))[:5])
                reasons = [f"{mentions} has a problem in row(s) {shown}" if shown else "see the problems"]
            rejected_rows.append((row, tuple(importer.table.rows[row - 1]), "; ".join(reasons)))
    header = tuple(tuple(r) for r in importer.table.rows[: importer.header_rows])
    rejected_rows.sort(key=lambda r: r[0])
    return ImportOutcome(
        documents, tuple(rejected), tuple(problems), header, tuple(rejected_rows), len(importer.documents)
    )


def write_rejects(outcome: ImportOutcome, path: FsPath | str) -> FsPath:
    """Write the rejected rows as CSV (UTF-8 with a byte-order mark, for Excel): the export's header rows, then each
    rejected row as it was, with the column ``qimaturity_rejected`` saying why. Import ignores that column, so the
    file, corrected, imports as it is. Cells that a spreadsheet would run as formulas are made inert."""
    from qimaturity._core.formulas import csv_field

    width = max((len(r) for r in (*outcome.header, *(cells for _, cells, _ in outcome.rejected_rows))), default=0)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    for index, header in enumerate(outcome.header):
        cells = [_text(c) for c in header] + [""] * (width - len(header))
        writer.writerow([csv_field(c) for c in cells] + [REJECTED_COLUMN if index == 0 else ""])
    for _, row, reason in outcome.rejected_rows:
        cells = [_text(c) for c in row] + [""] * (width - len(row))
        writer.writerow([csv_field(c) for c in [*cells, reason]])
    return write_atomic(FsPath(path), "\ufeff" + stream.getvalue())


# libyaml's emitter where PyYAML has it: measured about four times faster on a large export. It escapes characters
# beyond U+FFFF (emoji) as "\\U..." where PyYAML's own emitter writes them as they are, so a document with such an
# escape is written again by PyYAML's, and a comment with an emoji stays readable.
_FAST_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_YAML_OPTIONS: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False, "width": 120}


def yaml_text(data: Any) -> str:
    """Data as the YAML of answers files (block style, keys in the order given), by libyaml's emitter.

    The columnar importer builds answers files from pieces of this text, so both importers write the same bytes.
    """
    text: str = yaml.dump(data, Dumper=_FAST_DUMPER, **_YAML_OPTIONS)
    return text


def import_header(source: str) -> str:
    """The comment an imported answers file starts with: one line, whatever ``source`` holds (a file name or a
    round's title with a line break in it would otherwise start a line of YAML of its own)."""
    one_line = "".join(" " if not character.isprintable() else character for character in source)
    return f"# Imported from {one_line} by qimaturity import\n" if source else ""


def dump_answers(document: Mapping[str, Any], *, source: str = "", json_format: bool = False) -> str:
    """An imported document as answers-file text: readable YAML (or JSON), in the order of the answers format."""
    if json_format:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    text = yaml_text(dict(document))
    if "\\U" in text:
        text = yaml.dump(dict(document), Dumper=yaml.SafeDumper, **_YAML_OPTIONS)
    return import_header(source) + text


def _file_stems(ids: Iterable[str]) -> list[str]:
    stems: list[str] = []
    seen: set[str] = set()
    for org_id in ids:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", org_id).strip(".-") or "organisation"
        candidate, number = stem, 1
        while candidate.casefold() in seen:
            number += 1
            candidate = f"{stem}-{number}"
        seen.add(candidate.casefold())
        stems.append(candidate)
    return stems


def write_answers(
    documents: Sequence[Mapping[str, Any]],
    output: FsPath | str,
    *,
    source: str = "",
    of: int | None = None,
    replace: bool = False,
) -> list[FsPath]:
    """Write imported documents: one to the file OUTPUT (unless it is an existing folder); several to the folder
    OUTPUT (created), each as OUTPUT/<organisation id>.yaml. Returns the paths written. ``of``: how many documents
    the export held, when some were rejected (then OUTPUT is a folder when it held several). An existing file that
    holds another assessment is never replaced unless ``replace`` (see :func:`write_answer_texts`)."""
    output = FsPath(output)
    several = max(len(documents), of or 0) > 1
    json_format = not several and is_json(output) and not output.is_dir()
    texts = (dump_answers(document, source=source, json_format=json_format) for document in documents)
    return write_answer_texts(assessment_names(documents), texts, output, source=source, of=of, replace=replace)


def assessment_names(documents: Sequence[Mapping[str, Any]]) -> list[str]:
    """What each document's file is named after: its organisation's id, and its date too when the organisation has
    several assessments (``RX1-2025-10-01``)."""
    ids = [str(d["organisation"]["id"]) for d in documents]
    repeated = {i for i in ids if ids.count(i) > 1}
    return [f"{i}-{d.get('date', '')}" if i in repeated else i for i, d in zip(ids, documents, strict=True)]


def write_answer_texts(
    ids: Sequence[str],
    texts: Iterable[str],
    output: FsPath,
    *,
    source: str = "",
    of: int | None = None,
    replace: bool = False,
) -> list[FsPath]:
    """Write the answers files of organisations ``ids``, whose texts ``texts`` gives one by one, in order, as
    :func:`write_answers` says. A single organisation written to a ``.json`` file comes as JSON.

    An answers file already there is replaced only when it holds the same assessment (the same answers document:
    importing an export again changes nothing) or with ``replace``. Otherwise nothing at all is written and
    :class:`AnswersClash` is raised, naming each such file with the organisation and both dates: another year's
    assessment, or a different one of the same date, is never lost silently."""
    if not ids and not of:
        raise InputError.single(
            source or str(output), "no answers found: the file names no respondent", "fill in at least one respondent"
        )
    count = max(len(ids), of or 0)
    if count == 1 and not output.is_dir():
        text = next(iter(texts))
        if not replace:
            refuse_clashes([(output, text)], folder=False)
        return [write_atomic(output, text)]
    if not output.is_dir() and (output.exists() or suffix_of(output) in ANSWERS_SUFFIXES):
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        raise InputError.single(
            str(output),
            f"the export holds {count} organisations ({shown}), so the output must be a folder, not a file",
            f"give a folder, e.g. -o {output.with_suffix('')}/, to get one answers file per organisation",
        )
    paths = [output / f"{stem}.yaml" for stem in _file_stems(ids)]
    if not replace and output.is_dir() and any(os.path.lexists(path) for path in paths):
        # Only a folder with files of these names costs holding the texts before writing: they are compared first.
        texts = list(texts)
        refuse_clashes(zip(paths, texts, strict=True), folder=True)
    twins = _twin_names(output, paths)
    if twins:
        texts = list(texts)
        refuse_twins(output, zip(paths, texts, strict=True), twins)
    make_output_folder(output)
    return [write_atomic(path, text) for path, text in zip(paths, texts, strict=True)]


class AnswersClash(InputError):
    """Answers files already in the output that hold other assessments than the import's: nothing was written."""


class AnswersTwins(AnswersClash):
    """Answers files already in the output that hold an assessment the import writes under another name (``RA1.yaml``
    beside ``RA1-2025-03-31.yaml``): a cohort would count it twice, so nothing was written."""


_DATED = re.compile(r"(?P<stem>.+)-\d{4}-\d{2}-\d{2}")


def _twin_names(output: FsPath, paths: Sequence[FsPath]) -> dict[FsPath, list[FsPath]]:
    """For each path an import writes in the folder ``output``, the files already there under the organisation's
    other name: ``RA1.yaml`` for ``RA1-2025-03-31.yaml`` (an organisation with several dates in the export), and
    ``RA1-<date>.yaml`` for ``RA1.yaml``. Found by name alone (nothing is read); files the import writes itself are
    not twins."""
    if not output.is_dir():
        return {}
    writing = {path.name for path in paths}
    try:
        present = [name for name in os.listdir(output) if name.endswith(".yaml") and name not in writing]
    except OSError:
        return {}
    if not present:
        return {}
    dated: dict[str, list[str]] = {}
    for name in present:
        match = _DATED.fullmatch(name[: -len(".yaml")])
        if match:
            dated.setdefault(match["stem"], []).append(name)
    names = set(present)
    twins: dict[FsPath, list[FsPath]] = {}
    for path in paths:
        stem = path.name[: -len(".yaml")]
        match = _DATED.fullmatch(stem)
        found = [f"{match['stem']}.yaml"] if match and f"{match['stem']}.yaml" in names else []
        found += dated.get(stem, [])
        if found:
            twins[path] = [output / name for name in sorted(found)]
    return twins


def refuse_twins(output: FsPath, targets: Iterable[tuple[FsPath, str]], twins: Mapping[FsPath, list[FsPath]]) -> None:
    """Raise :class:`AnswersTwins` when a twin file (see :func:`_twin_names`) of a path the import writes holds the
    same organisation's assessment of the same date: the folder would hold it twice."""
    problems = []
    for path, text in targets:
        if path not in twins:
            continue
        new_id, new_words, new_day = _assessment_words(_answers_data(text, str(path)))
        for twin in twins[path]:
            old_id, _, old_day = _assessment_words(_existing_answers(twin) or {})
            if (old_id, old_day) != (new_id, new_day):
                continue
            message = (
                f"holds the assessment of {new_words} dated {new_day}, which this import writes to {path.name}: "
                "the folder would hold it twice, and a cohort count it twice"
            )
            hint = f"remove {twin.name}, or import into a folder of its own"
            problems.append(Problem(str(twin), None, None, "/date", message, hint))
    if problems:
        raise AnswersTwins(problems)


def refuse_clashes(targets: Iterable[tuple[FsPath, str]], *, folder: bool) -> None:
    """Raise :class:`AnswersClash` when any existing ``path`` of ``targets`` (path, text to write) holds another
    answers document than its text: another organisation, another date, other answers, or no answers file at all.
    ``folder``: whether the paths are the files of an output folder (which changes the hint)."""
    problems = []
    for path, text in targets:
        if not os.path.lexists(path):
            continue
        new = _answers_data(text, str(path))
        old = _existing_answers(path)
        if old == new:
            continue
        problems.append(_clash(path, old, new or {}, folder))
    if problems:
        raise AnswersClash(problems)


def _answers_data(text: str, name: str) -> Any:
    from qimaturity.answers.files import parse_answers_text

    return parse_answers_text(text, name).data


def _existing_answers(path: FsPath) -> Any:
    """The answers document an existing file holds (None when it cannot be read as one), read within the limits of
    any answers file."""
    from qimaturity._core.documents import read_text

    try:
        if not path.is_file():
            return None
        return _answers_data(read_text(path), str(path))
    except (InputError, OSError):
        return None


def _assessment_words(data: Any) -> tuple[str, str, str]:
    """Organisation id, its words ("'RA1' (Alder)"), and the date of an answers document (a shape not checked)."""
    organisation = data.get("organisation") if isinstance(data, dict) else None
    org_id = str(organisation.get("id", "")) if isinstance(organisation, dict) else ""
    name = organisation.get("name") if isinstance(organisation, dict) else None
    words = f"'{org_id}'" + (f" ({name})" if name and name != org_id else "")
    day = data.get("date") if isinstance(data, dict) else None
    return org_id, words, str(day) if day else "with no date"


def _clash(path: FsPath, old: Any, new: Mapping[str, Any], folder: bool) -> Problem:
    new_id, new_words, new_day = _assessment_words(new)
    undated = "with no date"
    shown_new = new_day if new_day == undated else f"dated {new_day}"
    if old is None:
        where = "/"
        message = f"is not an answers file that can be read; this import's assessment of {new_words} ({shown_new})"
        message += " would replace it"
    else:
        old_id, old_words, old_day = _assessment_words(old)
        shown_old = old_day if old_day == undated else f"dated {old_day}"
        if old_id != new_id:
            where = "/organisation/id"
            message = f"holds the assessment of {old_words} ({shown_old}), not {new_words} ({shown_new})"
        elif old_day != new_day:
            where = "/date"
            message = f"holds the assessment of {old_words} {shown_old}; this import's is {shown_new}"
        else:
            where = "/respondents"
            message = (
                f"holds another assessment of {old_words} {shown_old}: its answers differ from this import's of "
                "the same date"
            )
    where_else = "a folder of its own (one per year)" if folder else "another output file"
    hint = f"not replaced: import into {where_else}, or give --replace to replace it on purpose"
    return Problem(str(path), None, None, where, message, hint)
