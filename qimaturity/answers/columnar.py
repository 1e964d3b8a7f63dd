"""Large survey exports into answers files at the speed of the columnar scorer.

The row importer (:mod:`qimaturity.answers.exports`) is the reference: it reads an export cell by cell and can say what
is wrong with any of them. For the common shape of a large export (one header row; question columns holding levels;
organisation, respondent, group, date, name, type and region columns) :func:`columnar_answers` does the same job with
Polars, and writes the same bytes:

- the row importer plans the columns from the header (mapping, recognised names, problems), as for any export;
- one Polars pass lists each column's distinct cells, and each distinct cell is read once by the row importer's own
  functions (a level, N/A or nothing; a group; a date; text with its whitespace tidied);
- a second pass turns every cell into what it was read as, and every row check of the row importer (a question not
  asked of the group, N/A where not allowed, a row without an organisation, names that differ, duplicate respondent
  ids, a question nobody answered, lengths the answers schema allows) is one expression over a whole column;
- each answers file is assembled from pieces of YAML that libyaml wrote for that value in that place, one
  organisation after another.

Whatever this path does not cover goes to the row importer instead, which then imports it or reports every problem
in its own words: a problem of any kind, a format with rows to skip or to join (Qualtrics, REDCap, LimeSurvey's
unsubmitted rows), checkboxes, comment or justification columns, two columns for one question, quoting the two
readers could take differently (a quoted cell across lines, a quote inside a cell, a lone carriage return), and text
that libyaml and PyYAML would write differently. So this module changes how fast an import is, never what it gives:
tests/test_columnar_import.py holds the two to the same files and the same refusals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl
import yaml

from qimaturity._core.delimited import check_header_width
from qimaturity._core.documents import SourceDocument
from qimaturity._core.kinds import input_kind
from qimaturity.answers.exports import (
    FORMATS,
    NA,
    Level,
    _BadCell,
    _Importer,
    _mapping_source,
    _parse_date,
    _sniff_delimiter,
    _Table,
    _text,
    _ws,
    check_export_file,
    detect_format,
    dump_answers,
    export_text,
    import_header,
    yaml_text,
)
from qimaturity.rubric.model import Question, Rubric

# Text that neither _text nor _ws changes and that libyaml writes as it is (when it reads back as text) or in single
# quotes (when it would read back as a number, a date, true/false or null): most ids and codes. Other text is written
# by libyaml itself, once per distinct value.
_SIMPLE = r"^[A-Za-z0-9_][A-Za-z0-9_.@+/\-]{0,79}$"
# What YAML 1.1 reads as something other than text, in PyYAML's own patterns (whitespace removed: simple text has
# none, and Polars' regex engine reads a verbose pattern's character classes differently).
_IMPLICIT = "|".join(
    "(?:" + re.sub(r"\s+", "", pattern) + ")"
    for pattern in sorted(
        {p.pattern for resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.values() for _, p in resolvers}
    )
)
# libyaml writes characters beyond U+FFFF escaped ("\U0001F600"), so dump_answers writes such a file with PyYAML's
# emitter, whose pieces would differ; the row importer writes those.
_ESCAPED = r"[\x{10000}-\x{10FFFF}]|\\U"
_ESCAPED_TEXT = re.compile("[\U00010000-\U0010ffff]|\\\\U")
_SEP_LINE = re.compile(r"sep=(.)\r?\n")
_ORGANISATION_FIELDS = ("name", "type", "region")
_R = "__respondent"
_O = "__organisation"
_G = "__group"
_D = "__date"
_ROW = "__row"
_LONGEST_CELL = "__longest"
_SUSPECT = "__suspect"
# The answers schema's longest text per field (schemas/answers.schema.json).
_LONGEST = {_O: 100, _R: 100, "name": 300, "type": 100, "region": 100}
_ROWS_PER_PIECE = 20_000  # rows turned into text at a time: the text of one piece is about 1 KB per row
_BYTES_PER_PIECE = 4 << 20  # the export is read in pieces of whole lines of about this size


class Split(NamedTuple):
    """An export with problems, read in part: the organisations without any, written here (``ids`` and their
    ``texts``), and the data rows (0-based) the row importer reads to report or import the others."""

    ids: list[str]
    texts: Iterator[str]
    rows: frozenset[int]


class _NotHere(Exception):
    """This export needs the row importer."""


def columnar_answers(
    path: Path,
    rubric: Rubric,
    mapping: Mapping[str, Any] | None = None,
    *,
    source: str = "",
    json_single: bool = False,
    missing: str | None = None,
    partial: bool = False,
) -> tuple[list[str], Iterator[str]] | frozenset[int] | Split | None:
    """The organisation ids of a CSV or TSV export and, one by one, their answers files' text, exactly as
    :func:`qimaturity.answers.exports.import_answers` and :func:`~qimaturity.answers.exports.write_answers` would give
    them. ``json_single`` asks for JSON when there is one organisation.

    When the export has problems: the data rows (0-based) the row importer must read to report all of them, as it
    would reading the whole export (``import_answers(..., rows=...)``); with ``partial``, a :class:`Split`: those
    rows, and the answers files of the organisations that have no problem. None when the export needs the row importer
    (see the module). Raises :class:`InputError` where the row importer would, for a bad mapping or a file it
    refuses before reading a cell.
    """
    document = _mapping_source(mapping)
    if input_kind(path) != "delimited":
        return None
    name = str(path)
    check_export_file(path, name)
    text = export_text(path, name)
    try:
        columnar = _Columnar(path, text, rubric, document, source, missing)
        del text  # the scan holds the export's bytes: its text would be as large again
        return columnar.run(json_single, partial)
    except (_NotHere, pl.exceptions.PolarsError):
        return None  # the row importer reads it, and says what is wrong with it


class _Columnar:
    def __init__(
        self,
        path: Path,
        text: str,
        rubric: Rubric,
        document: SourceDocument | None,
        source: str,
        missing: str | None = None,
    ):
        if _SEP_LINE.match(text) or text.count("\r") != text.count("\r\n"):
            raise _NotHere
        self.rubric = rubric
        self.source = source
        self.delimiter = _sniff_delimiter(text)
        if '"' in text and not _plainly_quoted(text, self.delimiter):
            raise _NotHere
        head = [[_text(cell) for cell in row] for row in _first_rows(text, self.delimiter, 3)]
        if not head or not any(head[0]):
            raise _NotHere
        check_header_width(len(head[0]), str(path))
        fmt = str((document.data if document is not None else {}).get("format", "auto"))
        if fmt == "auto":
            fmt = detect_format(head)
        if fmt not in FORMATS or fmt in ("qualtrics", "redcap"):
            raise _NotHere
        self.importer = importer = _Importer(_Table(str(path), path.name, head[:1]), rubric, document, fmt, missing)
        importer.plan()
        if (
            importer.problems
            or importer.metadata_columns
            or importer.metadata_fixed
            or importer.checkbox_fields
            or importer.comment_columns
            or importer.justification_columns
            or any(column is not None for column in importer.row_columns())
            or len(set(importer.question_columns.values())) != len(importer.question_columns)
            or any(not c.header and c.index not in importer.claimed for c in importer.columns)
            or _ESCAPED_TEXT.search(path.name)
        ):
            raise _NotHere
        # The export's bytes: a scan of them all, and pieces of whole lines (a cell never spans lines here).
        self.data = text.encode()
        self.scan = self._read(self.data, lazy=True)
        self.names = self.scan.collect_schema().names()
        if len(self.names) != len(importer.columns):
            raise _NotHere
        questions = {q.id: q for q in rubric.questions()}
        by_question = {qid: index for index, qid in importer.question_columns.items()}
        self.questions = [(questions[qid], by_question[qid]) for qid in questions if qid in by_question]
        if not self.questions:
            raise _NotHere
        self.slots: list[Level] = [level.value for level in rubric.levels] + [NA]
        self.bad: dict[int, list[str]] = {}  # distinct cells the row importer reports, by column

    # --- reading ---------------------------------------------------------------------------------------------
    @staticmethod
    def _collect(frame: pl.LazyFrame) -> pl.DataFrame:
        """Run a query with the streaming engine (a Polars error leaves the export to the row importer)."""
        return frame.collect(engine="streaming")

    def _read(self, data: bytes, *, lazy: bool = False) -> Any:
        options: dict[str, Any] = {"separator": self.delimiter, "has_header": True, "infer_schema": False}
        return pl.scan_csv(data, quote_char='"', **options) if lazy else pl.read_csv(data, quote_char='"', **options)

    def _select(self, *columns: pl.Expr) -> Iterator[pl.DataFrame]:
        """``columns`` of the export's rows, a piece of about :data:`_BYTES_PER_PIECE` at a time, in order: in one
        query over the whole export Polars would hold every cell as read on the way (700 MiB for 780,000 rows of 47
        columns), a piece at a time only that piece's. No piece when the export has no data rows."""
        data = self.data
        start = data.find(b"\n") + 1
        if start == 0:
            return
        header = data[:start]
        while start < len(data):
            end = data.find(b"\n", start + _BYTES_PER_PIECE) + 1 or len(data)
            yield self._read(header + data[start:end]).select(*columns)
            start = end

    def _distinct(self) -> dict[int, list[str]]:
        """Each used column's distinct cells but empty ones; reading every column, so that a row longer than the
        header fails here."""
        used = sorted({*self.importer.question_columns, *self.importer.roles.values()})
        columns = [
            *[pl.nth(i).drop_nulls().unique().implode().alias(str(i)) for i in used],
            pl.max_horizontal(pl.all().str.len_chars().max()).alias(_LONGEST_CELL),
        ]
        parts = list(self._select(*columns))
        if not parts:
            found = self._collect(self.scan.select(columns))
        else:  # each piece's distinct cells, then theirs
            found = pl.concat(parts).select(
                *[pl.col(str(i)).explode().drop_nulls().unique().implode() for i in used], pl.col(_LONGEST_CELL).max()
            )
        if (found[_LONGEST_CELL][0] or 0) > csv.field_size_limit():
            raise _NotHere  # Python's csv module refuses such a cell: the row importer says where
        return {i: found[str(i)][0].to_list() for i in used}

    def _role(self, role: str, distinct: dict[int, list[str]], read: Callable[[Any], Any], dtype: Any) -> pl.Expr:
        """A role's column (or fixed value) as ``read`` takes each distinct cell (null for an empty one, and for a
        cell ``read`` refuses with _BadCell or ValueError, which :meth:`_bad` then finds)."""
        importer = self.importer
        if role in importer.fixed:
            try:
                return pl.lit(read(importer.fixed[role]), dtype)
            except (_BadCell, ValueError):
                raise _NotHere from None  # every row's problem: the row importer says so
        if role not in importer.roles:
            return pl.lit(None, dtype)
        index = importer.roles[role]
        column = pl.nth(index)
        mapping = {}
        for value in distinct[index]:
            if read is _tidy and _simple(value):
                continue
            try:
                mapping[value] = read(value)
            except (_BadCell, ValueError):
                self.bad.setdefault(index, []).append(value)
        mapped = column.replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=dtype)
        if read is _tidy:  # simple text is what _tidy makes of it
            return pl.when(column.str.contains(_SIMPLE)).then(column).otherwise(mapped)
        return mapped

    def _codes(self, distinct: dict[int, list[str]]) -> list[pl.Expr]:
        """Each question's cells as the index of the answer in ``slots`` (a level, then N/A), or null (also for a
        cell that is no answer, which :meth:`_bad` then finds)."""
        codes = []
        for question, index in self.questions:
            mapping: dict[str, int | None] = {}
            for value in distinct[index]:
                try:
                    level = self.importer._level(value, question)
                except _BadCell:
                    self.bad.setdefault(index, []).append(value)
                    continue
                mapping[value] = None if level is None else self.slots.index(level)
            column = pl.nth(index)
            code = column.replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=pl.UInt8)
            codes.append(code.alias(_code(question)))
        return codes

    def _bad(self) -> pl.Expr:
        """Whether a row holds a cell that the row importer reports."""
        return pl.any_horizontal(pl.lit(False), *[pl.nth(i).is_in(values) for i, values in sorted(self.bad.items())])

    def _rows(self) -> pl.DataFrame:
        """Every row: its number, organisation, respondent, group, date, name, type, region and codes, and whether
        the row importer would report a problem in it (``_SUSPECT``)."""
        distinct = self._distinct()
        columns = [
            self._role("id", distinct, _tidy, pl.String).alias(_O),
            self._role("respondent", distinct, _tidy, pl.String).alias(_R),
            self._role("group", distinct, self._group, pl.String).alias(_G),
            self._role("date", distinct, self._date, pl.Date).alias(_D),
            *[self._role(f, distinct, _tidy, pl.String).alias(f) for f in _ORGANISATION_FIELDS],
            *self._codes(distinct),
        ]
        parts = list(self._select(*columns, self._bad().alias(_SUSPECT)))
        if parts:
            rows = pl.concat(parts, rechunk=False).with_row_index(_ROW)
            del parts
        else:
            rows = self._collect(self.scan.select(*columns, self._bad().alias(_SUSPECT)).with_row_index(_ROW))
        na = len(self.slots) - 1
        problems = [pl.col(_SUSPECT), _ANSWERED(self.questions) & pl.col(_O).is_null()]
        problems += [
            pl.col(_code(q)).is_not_null() & pl.col(_G).is_not_null() & ~pl.col(_G).is_in(q.respondents)
            for q, _ in self.questions
            if q.respondents
        ]
        problems += [pl.col(_code(q)) == na for q, _ in self.questions if not q.na_allowed]
        return rows.with_columns(pl.any_horizontal(problems).alias(_SUSPECT))

    def _group(self, value: Any) -> str | None:
        text = _text(value)
        return self.importer._group(text) if text else None

    def _date(self, value: Any) -> date | None:
        return _parse_date(value, self.importer.date_format, self.importer.table.epoch)

    # --- checking what the documents would be ------------------------------------------------------------------
    def _organisations(self, rows: pl.DataFrame) -> pl.DataFrame:
        """One row per organisation of ``rows`` (those that answer), in order of first appearance, and whether
        check_answers_document would refuse its document (``_SUSPECT``)."""
        texts = [_O, _R, *_ORGANISATION_FIELDS]
        if rows.select(pl.any_horizontal(pl.col(c).str.contains(_ESCAPED) for c in texts).any()).item():
            raise _NotHere
        lengths = [pl.col(c).str.len_chars() > _LONGEST[c] for c in texts]
        aggregates = [
            pl.len().alias("respondents"),
            pl.col(_D).max().alias(_D),
            *[pl.col(f).drop_nulls().first().alias(f) for f in _ORGANISATION_FIELDS],
        ]
        wrong = [
            pl.col(_R).n_unique() != pl.len(),
            pl.any_horizontal(lengths).any(),
            *[pl.col(f).drop_nulls().n_unique() > 1 for f in _ORGANISATION_FIELDS],
        ]
        if self.importer.missing == "error":
            wrong += [pl.col(_code(q)).is_null().all() for q, _ in self.questions]
        if self.rubric.scoring.evidence.max_age_days:
            wrong.append(pl.col(_D).is_null().all())
        aggregates.append(pl.any_horizontal(wrong).alias(_SUSPECT))
        return rows.group_by(_O, maintain_order=True).agg(aggregates)

    # --- writing ---------------------------------------------------------------------------------------------
    def run(self, json_single: bool, partial: bool = False) -> tuple[list[str], Iterator[str]] | frozenset[int] | Split:
        every = self._rows()
        answered = _ANSWERED(self.questions) & pl.col(_O).is_not_null()
        rows = every if every.select(answered.all()).item() else every.filter(answered)  # the same, or a copy
        # A respondent without an id is r1, r2, ... in its organisation, as the row importer numbers them.
        number = pl.int_range(1, pl.len() + 1).over(_O).cast(pl.String)
        rows = rows.with_columns(pl.coalesce(pl.col(_R), pl.lit("r") + number).alias(_R))
        if self.importer.date_is_assessment and rows.height:
            dates = rows.group_by(_O).agg(pl.col(_D).n_unique())[_D].max()
            if isinstance(dates, int) and dates > 1:
                raise _NotHere  # an organisation assessed on several dates: the row importer keeps them apart
        organisations = self._organisations(rows)
        flagged = every.filter(pl.col(_SUSPECT))
        if flagged.height or organisations[_SUSPECT].any():
            # The rows the row importer must read to report every problem as it would on the whole export: those
            # with a problem of their own, and every row of an organisation with a problem.
            suspects = pl.concat([flagged[_O], organisations.filter(pl.col(_SUSPECT))[_O]]).drop_nulls()
            chosen = every.filter(pl.col(_SUSPECT) | pl.col(_O).is_in(suspects.implode()))
            if not partial:
                return frozenset(chosen[_ROW].to_list())
            # The others are written here; the row importer reads the chosen rows, and rejects or writes theirs.
            rows = rows.filter(~pl.col(_O).is_in(suspects.implode()))
            organisations = organisations.filter(~pl.col(_O).is_in(suspects.implode()))
            ids = organisations[_O].to_list()
            texts = self._texts(rows, organisations, self._block(rows)) if ids else iter(())
            return Split(ids, texts, frozenset(chosen[_ROW].to_list()))
        del every, flagged  # rows holds what is left to write
        if rows.height == 0:
            raise _NotHere
        ids = organisations[_O].to_list()
        texts = self._texts(rows, organisations, self._block(rows))
        if json_single and len(ids) == 1:
            written = next(texts).removeprefix(import_header(self.source))
            texts = iter([dump_answers(yaml.safe_load(written), json_format=True)])
        return ids, texts

    def _texts(self, rows: pl.DataFrame, organisations: pl.DataFrame, block: pl.Expr) -> Iterator[str]:
        """Each organisation's answers file, made a piece of rows at a time (``block`` is each row's text): the rows
        of a few organisations, taken from every row in the export's order and joined by organisation in order of
        first appearance, which is theirs in ``organisations`` (sorting every row first would copy them all)."""
        sizes = organisations["respondents"].to_list()
        ids = organisations[_O]
        first = 0
        while first < len(sizes):
            last, count = first, 0
            while last < len(sizes) and (count == 0 or count + sizes[last] <= _ROWS_PER_PIECE):
                count += sizes[last]
                last += 1
            joined = (
                rows.filter(pl.col(_O).is_in(ids.slice(first, last - first).implode()))
                .select(pl.col(_O), block.alias("text"))
                .group_by(_O, maintain_order=True)
                .agg(pl.col("text").str.join(""))
            )
            for record, body in zip(
                organisations.slice(first, last - first).iter_rows(named=True), joined["text"], strict=True
            ):
                yield self._header(record) + body
            first = last

    def _header(self, record: Mapping[str, Any]) -> str:
        details: dict[str, Any] = {"id": record[_O], "name": record["name"] or record[_O]}
        details.update((f, record[f]) for f in ("type", "region") if record[f] is not None)
        data: dict[str, Any] = {"rubric": {"id": self.rubric.id, "version": self.rubric.version}}
        data["organisation"] = details
        if record[_D] is not None:
            data["date"] = record[_D].isoformat()
        if self.importer.missing_given is not None:
            data["missing"] = self.importer.missing_given
        return import_header(self.source) + yaml_text(data) + _RESPONDENTS

    def _block(self, rows: pl.DataFrame) -> pl.Expr:
        """Each respondent's text in the answers file: its id, group and answers, in the rubric's order."""
        respondent = pl.col(_R)
        simple = respondent.str.contains(_SIMPLE)
        others = rows.filter(~pl.col(_R).str.contains(_SIMPLE))[_R].unique().to_list()
        written = [_piece({"respondents": [{"id": v}]}, "- id: ", "") for v in others]
        parts: list[pl.Expr] = [
            pl.lit("- id: "),
            pl.when(simple & respondent.str.contains(_IMPLICIT))
            .then(pl.lit("'") + respondent + pl.lit("'\n"))
            .when(simple)
            .then(respondent + pl.lit("\n"))
            .otherwise(respondent.replace_strict(others, written, default=None, return_dtype=pl.String)),
        ]
        groups = [g.id for g in self.rubric.respondent_groups]
        if groups:
            pieces = [_piece({"respondents": [{"id": "r", "group": g}]}, "- id: r\n", "") for g in groups]
            parts.append(pl.col(_G).replace_strict(groups, pieces, default=None, return_dtype=pl.String))
        parts.append(pl.lit(_piece({"respondents": [{"id": "r", "answers": {"x": 1}}]}, "- id: r\n", "    x: 1\n")))
        justification = self.importer.na_justification()
        for question, _ in self.questions:
            texts = []
            for slot in self.slots:
                answer: Any = {"na": True, "justification": justification} if slot == NA else slot
                skeleton = {"respondents": [{"id": "r", "answers": {question.id: answer}}]}
                texts.append(_piece(skeleton, "- id: r\n  answers:\n", ""))
            code = pl.col(_code(question))
            parts.append(code.replace_strict(list(range(len(texts))), texts, default=None, return_dtype=pl.String))
        return pl.concat_str(parts, ignore_nulls=True)


def _code(question: Question) -> str:
    """The name of a question's codes in the frames (not its id: an id may be a frame's other column's name)."""
    return f"__question {question.id}"


def _ANSWERED(questions: list[tuple[Question, int]]) -> pl.Expr:  # noqa: N802 - reads as the condition it is
    return pl.any_horizontal(pl.col(_code(q)).is_not_null() for q, _ in questions)


def _piece(skeleton: Any, after: str, before: str) -> str:
    """The text libyaml writes for ``skeleton`` after "respondents:\n" and ``after``, less ``before`` at the end."""
    text = yaml_text(skeleton)
    start = "respondents:\n" + after
    if not (text.startswith(start) and text.endswith(before)):
        raise _NotHere  # libyaml laid it out otherwise: the row importer writes it
    return text[len(start) : len(text) - len(before)]


_RESPONDENTS = yaml_text({"respondents": [{"id": "r"}]}).removesuffix("- id: r\n")


def _tidy(value: Any) -> str | None:
    """Text as the row importer keeps it: trimmed, inner whitespace one space; None when empty."""
    return _ws(_text(value)) or None


def _simple(value: str) -> bool:
    return re.fullmatch(_SIMPLE, value) is not None


def _first_rows(text: str, delimiter: str, count: int) -> list[list[str]]:
    end = 0
    for _ in range(count):
        found = text.find("\n", end)
        if found < 0:
            end = len(text)
            break
        end = found + 1
    try:
        return list(csv.reader(io.StringIO(text[:end], newline=""), delimiter=delimiter))
    except csv.Error:
        raise _NotHere from None


def _plainly_quoted(text: str, delimiter: str) -> bool:
    """Whether every line with a quote is a row of cells each either quoted in full (a doubled quote inside) or
    holding no quote: then Python's csv module and Polars read it alike, and no quoted cell spans lines."""
    d = re.escape(delimiter)
    cell = rf'(?:"(?:[^"]|"")*"|[^"{d}\r\n]*)'
    row = re.compile(rf"{cell}(?:{d}{cell})*\r?")
    # Only the lines with a quote, found one by one: splitting the whole text would copy it.
    at = text.find('"')
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if not row.fullmatch(text, start, end):
            return False
        at = text.find('"', end)
    return True
