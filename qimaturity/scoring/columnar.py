"""Columnar scoring of a respondent export (CSV or Parquet) with Polars, for surveys of a million respondents.

The export is wide: one row per respondent, with the columns ``organisation_id`` (required),
``organisation_name``, ``organisation_type``, ``region``, ``date`` (YYYY-MM-DD), ``respondent`` and ``group``
(a respondent group id of the rubric), all optional (the name defaults to the id), then one column per question
id. A cell is a level (a whole
number), empty (no answer) or N/A (not applicable: ``N/A``, ``NA``, ``n.a.``, ``Not applicable`` in any case, as
``import`` reads them; see :mod:`qimaturity._core.na`); whitespace around a cell is ignored.

What differs from answers files, because an export cannot say more:

- there is no justification column, so an N/A counts as justified wherever the question allows N/A;
- there is no evidence, so an answer at or above a question's ``evidence_from`` is treated exactly as the row
  engine treats an answer that cites none: counted at the level below (``on_missing: cap``) or flagged
  (``flag``). The assessment date is therefore not needed, and not required;
- respondent ids are not checked for uniqueness, and results carry no per-answer records (``answers`` is empty);
  a question's trace gives the counted levels with their counts instead of one input per respondent.

Everything else gives the row engine's numbers: the per-question statistics (respondent aggregate, variance,
each group's value) are computed by Polars from the counts for all organisations at once, the question policies
in the same way, and the domains, rules, overall value and bands by the row engine's own code
(:mod:`qimaturity.scoring.columnar_numbers`). The result is an
:class:`~qimaturity.scoring.columnar_numbers.ExportScores`: the numbers as tables, and a sequence of full results built
one by one when asked for, from the same counts reduced to :class:`qimaturity.scoring.engine.QuestionStats` and finished
by :func:`qimaturity.scoring.engine.score_statistics`.

How, in bounded memory: one streaming Polars query reads the export and counts, per organisation and
respondent group, how many answers each question has at each level of the scale, how many said N/A and how many
cells are neither (a few thousand rows of counts for a million respondents); a second one lists each
organisation's distinct name, type, region and date (grouped aggregates of text measured memory growing with the
rows; a distinct list does not). Counts are sums, which the streaming engine aggregates batch by batch; a median
is not (Polars 2.1 runs a grouped median with its in-memory engine, holding every answer), and unpivoting to long
form first (40 million rows to group) measured about six times slower than counting in wide form. A question's
counts travel packed in one 128-bit sum (each slot 2^(bits·k)), a seventh of the grouped sums of one per level.
From counts a median is a level or the mean of two, a mean one integer sum over another and a variance a ratio of
integer sums, so the numbers are identical to the bit, not merely close. Memory grows with the number of
organisations, not of respondents.

Problems are counted in the same pass (cells that are not a level of the scale, N/A where the question does not
allow it, answers from a group the question is not asked of, unknown groups, ...). Only when there are some does
a further streaming pass find the first of them in file order. :class:`InputError` then carries at most the
first ``MAX_PROBLEMS`` (100) problems, each with file, row (the data row + 1, for the header), column (1-based), a path
``/rows/INDEX/COLUMN`` (INDEX counts data rows from 0) and a hint, and a final "... and N more" when there are
more.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from operator import add
from pathlib import Path
from typing import Any, cast

import polars as pl

from qimaturity._core.delimited import check_header_width, check_quotes_closed, text_encoding
from qimaturity._core.kinds import COLUMNAR_CSV_SUFFIXES, OLD_WORKBOOK, PARQUET_SUFFIXES, input_kind, suffix_of
from qimaturity._core.limits import MAX_PROBLEMS
from qimaturity._core.na import na_pattern
from qimaturity._core.numbers import trace_number
from qimaturity._core.order import NaturalKey, natural_key
from qimaturity._core.problems import InputError, Problem, pointer, shown_text, sort_problems
from qimaturity.answers.model import Assessment, Organisation
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.forms import level_of_label
from qimaturity.rubric.model import Question, Rubric
from qimaturity.scoring.columnar_numbers import (
    ExportScores,
    gap_table,
    level_statistics,
    lowest_agreements,
    pooled_values,
    question_table,
    settle_all,
    with_agreements,
    with_interval_columns,
    within_group_agreements,
)
from qimaturity.scoring.engine import (
    QuestionStats,
    fewer_than,
    group_label,
    hidden_groups,
    pooled,
    score_statistics,
)
from qimaturity.scoring.intervals import (
    OVERALL,
    GroupMoments,
    Moments,
    estimates_intervals,
    grid_bits,
    merged_moments,
    with_moments,
)
from qimaturity.scoring.kernel import even_median_note, evidence_level, group_agreement, respondent_value
from qimaturity.scoring.result import Adjustment, GroupValue, RespondentCount, Result, TraceInput

ORGANISATION = "organisation_id"
METADATA = ("organisation_name", "organisation_type", "region", "date")
OTHER_COLUMNS = ("respondent", "group")
KNOWN_COLUMNS = (ORGANISATION, *METADATA, *OTHER_COLUMNS)
COUNTING_CHUNK = 20_000  # rows per streaming batch when counting: measured a quarter faster than Polars' default

# Cell codes: a level is itself; N/A and "not a level" are outside any Int32 a cell could parse to.
NA_CODE = -(2**40)
BAD_CODE = -(2**40) - 1
NA_PATTERN = na_pattern()  # the cells that say N/A, as every reader of cells takes them
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
READ_HINT = "an export is a UTF-8 CSV file with a header and as many cells in each row, or a Parquet file"

# Problem kinds of a question cell, in the order they are checked (the order of answers files).
NOT_ASKED, NOT_A_LEVEL, OFF_SCALE, NA_NOT_ALLOWED = 1, 2, 3, 4

_ROW = "__qimaturity_row"
_ORG = "__qimaturity_organisation"  # an assessment's key: the organisation id, and its date (see _assessment_key)
_SEP = "\x1f"  # between the organisation id and the date in an assessment's key
_GROUP = "__qimaturity_group"


def score_export(
    rubric: Rubric,
    path: Path | str,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    intervals: bool = False,
    organisations: Collection[str] | None = None,
) -> ExportScores:
    """Score every organisation in a respondent export (``.csv`` or ``.parquet``); one result each, by id.

    ``targets`` and ``default_target`` are as for :func:`qimaturity.score`. With ``intervals``, the tables (and
    so the CSV) carry each domain's and the overall interval, measured in the counting pass; full results carry
    them either way. Raises :class:`InputError` with the export's problems (at most ``MAX_PROBLEMS``, then a count
    of the rest).

    ``organisations`` (ids, as stripped) reads only those organisations' rows: a part of the work, for sharing it
    out (:mod:`qimaturity.batch.cluster`). Each assessment is scored from its own rows alone, so a part's results
    are the whole run's; the rows of problems it reports count the rows read, so a caller that meets problems
    scores the whole export to report them.
    """
    export = _Export.open(Path(path), rubric, organisations)
    problems = export.header_problems()
    counts: pl.DataFrame | None = None
    moments: dict[str, dict[str, GroupMoments]] | None = None
    filled: pl.DataFrame | None = None
    metadata: dict[str, dict[str, list[str]]] = {}
    needs_detail = not export.has_organisation
    if export.has_organisation:
        counts, moments = export.counts(moments=intervals and estimates_intervals(rubric))
        if intervals and moments is None:  # no interval for this rubric's values: the columns are there, empty
            moments = {}
        (distinct,) = export.collect(export.metadata_query())
        if counts.height == 0:
            problems.append(
                Problem(
                    export.name,
                    None,
                    None,
                    "/",
                    "the export has no respondent rows",
                    "export the survey's responses: a header, then one row per respondent",
                )
            )
        filled = export.organisations(counts)
        metadata = export.metadata(distinct)
        found, needs_detail = export.count_problems(counts, filled, metadata)
        needs_detail = needs_detail or export.has_bad_date(distinct)
        problems.extend(found)
    total = len(problems)
    if needs_detail:
        first, more = export.cell_problems()
        assert more or not export.has_organisation, "the counts showed a problem that the problem pass did not find"
        problems.extend(first)
        total += more
    if problems:
        shown = sort_problems(problems)[:MAX_PROBLEMS]
        if total > len(shown):
            shown.append(
                Problem(
                    export.name,
                    None,
                    None,
                    "/",
                    f"... and {total - len(shown):,} more problems",
                    "fix these and run again",
                )
            )
        raise InputError(shown)
    assert counts is not None and filled is not None
    return export.score(counts, filled, metadata, targets or {}, default_target, moments)


def organisation_ids(rubric: Rubric, path: Path | str) -> list[str] | None:
    """The export's organisation ids (stripped), in natural order (the order of the output, see
    :func:`assessment_order`), in one streaming pass; None when it has no organisation column or a row without an id
    (problems that only a reading of the whole export reports, row by row)."""
    export = _Export.open(Path(path), rubric)
    if not export.has_organisation:
        return None
    (found,) = export.collect(export.scan.select(export._text(ORGANISATION).alias(ORGANISATION)).unique())
    ids = found[ORGANISATION].to_list()
    return None if None in ids else sorted(ids, key=natural_key)


@dataclass(frozen=True)
class _QuestionColumn:
    question: Question
    name: str  # the column's name in the scan
    index: int  # 0-based position in the file
    dtype: pl.DataType


class _Export:
    """One export file: its columns, the Polars queries over it, and the results built from their answers."""

    def __init__(self, path: Path, rubric: Rubric, columns: list[tuple[str, str, pl.DataType]], scan: pl.LazyFrame):
        self.path = path
        self.name = str(path)
        self.rubric = rubric
        self.scan = scan
        self.scale = [level.value for level in rubric.levels]
        self.scale_text = ", ".join(str(v) for v in self.scale)
        self.groups = [g.id for g in rubric.respondent_groups]
        self.group_order = {g: i for i, g in enumerate(self.groups)}
        questions = {q.id: q for q in rubric.questions()}
        self.known: dict[str, tuple[str, int, pl.DataType]] = {}  # first column of each known name
        self.unknown: list[tuple[int, str]] = []
        self.duplicates: list[tuple[int, str, int]] = []
        for index, (shown, name, dtype) in enumerate(columns):
            if shown in self.known:
                self.duplicates.append((index, shown, self.known[shown][1]))
            elif shown in questions or shown in KNOWN_COLUMNS:
                self.known[shown] = (name, index, dtype)
            else:
                self.unknown.append((index, shown))
        self.questions = [_QuestionColumn(q, *self.known[q.id]) for q in rubric.questions() if q.id in self.known]
        self.has_organisation = ORGANISATION in self.known

    @classmethod
    def open(cls, path: Path, rubric: Rubric, organisations: Collection[str] | None = None) -> _Export:
        name = str(path)
        suffix = suffix_of(path)
        if input_kind(path) == "old-workbook":  # score-export reads no workbook, so its hint cannot say .xlsx
            raise InputError.single(name, OLD_WORKBOOK, "save it as CSV (UTF-8)")
        if suffix not in COLUMNAR_CSV_SUFFIXES + PARQUET_SUFFIXES:
            raise InputError.single(name, "an export must be a .csv or .parquet file", "save the survey export as CSV")
        if not path.is_file():
            raise InputError.single(name, "file not found" if not path.exists() else "not a file", "check the path")
        if suffix in COLUMNAR_CSV_SUFFIXES:
            # What a hostile CSV could do to Polars (a million columns, a quote left open, mixed encodings, NUL
            # bytes) is refused first, by the checks the row importer shares.
            text_encoding(path, name, utf8_only=True)
            check_quotes_closed(path, name)
        try:
            if suffix in COLUMNAR_CSV_SUFFIXES:
                shown = _csv_header(path)
                check_header_width(len(shown), name)
                scan = pl.scan_csv(path, infer_schema=False, encoding="utf8")
            else:
                scan = pl.scan_parquet(path)
                shown = None
            schema = scan.collect_schema()
        except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError, csv.Error) as error:
            raise InputError.single(name, f"cannot read the export: {_first_line(error)}", READ_HINT) from None
        names = list(schema.names())
        if shown is None or len(shown) != len(names):
            shown = names
        export = cls(path, rubric, [(s, n, schema[n]) for s, n in zip(shown, names, strict=True)], scan)
        if organisations is not None and export.has_organisation:
            export.scan = scan.filter(export._text(ORGANISATION).is_in(sorted(organisations)))
        return export

    @classmethod
    def of_rubric(cls, rubric: Rubric) -> _Export:
        """No file: a column for every question of the rubric, whose counts a caller makes itself and hands to
        :meth:`score` (:mod:`qimaturity.scoring.columnar_assessments`: assessments held in memory)."""
        questions: list[tuple[str, str, pl.DataType]] = [(q.id, q.id, pl.Int64()) for q in rubric.questions()]
        return cls(Path("<assessments>"), rubric, questions, pl.LazyFrame())

    def collect(self, *queries: pl.LazyFrame) -> list[pl.DataFrame]:
        """Run queries with the streaming engine, one after the other; a file Polars cannot read is bad input.

        Not ``pl.collect_all``: it would cache the scan they share, in memory, to feed them both.
        """
        try:
            return [query.collect(engine="streaming") for query in queries]
        except pl.exceptions.PolarsError as error:
            raise InputError.single(self.name, f"cannot read the export: {_first_line(error)}", READ_HINT) from None

    # --- columns as expressions ----------------------------------------------------------------
    def _text(self, column: str) -> pl.Expr:
        """A metadata column as stripped text; empty means null."""
        return _stripped(self._key(column))

    def _key(self, column: str) -> pl.Expr:
        """A metadata column as text, as written (stripped after grouping by it, on far fewer rows)."""
        if column not in self.known:
            return pl.lit(None, pl.String)
        name, _, dtype = self.known[column]
        return pl.col(name) if dtype == pl.String else pl.col(name).cast(pl.String)

    def _assessment_key(self) -> pl.Expr:
        """What tells assessments apart, as written: the organisation id and the date (rows of one organisation with
        different dates are different assessments, as ``import`` reads a date column). Strip it with
        :func:`_stripped_key`; null when the organisation id is."""
        org = self._key(ORGANISATION)
        return (
            pl.when(org.is_null())
            .then(None)
            .otherwise(pl.concat_str([org, pl.lit(_SEP), self._key("date").fill_null("")]))
        )

    def _code(self, column: _QuestionColumn) -> pl.Expr:
        """A question cell as a code: the level, NA_CODE, BAD_CODE (not a level) or null (empty)."""
        cell = pl.col(column.name)
        dtype = column.dtype
        if dtype == pl.Null:
            return pl.lit(None, pl.Int64)
        if dtype in (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16):
            return cell.cast(pl.Int64)  # every value is a whole number that cannot be taken for a code
        if dtype.is_integer():
            level = cell.cast(pl.Int32, strict=False).cast(pl.Int64)
            return level.fill_null(pl.when(cell.is_not_null()).then(pl.lit(BAD_CODE)))
        if dtype.is_float():
            whole = cell.is_finite() & (cell == cell.round(0)) & (cell.abs() < 2**31)
            return pl.when(cell.is_null()).then(None).when(whole).then(cell.cast(pl.Int64)).otherwise(pl.lit(BAD_CODE))
        text = (cell if dtype == pl.String else cell.cast(pl.String)).str.strip_chars()
        level = text.cast(pl.Int32, strict=False).cast(pl.Int64)
        return (
            pl.when(text.is_null() | (text == ""))
            .then(None)
            .when(text.str.contains(NA_PATTERN))
            .then(pl.lit(NA_CODE))
            .otherwise(level.fill_null(BAD_CODE))
        )

    def _frame(self, *, raw: bool = False) -> pl.LazyFrame:
        """The scan as row number, organisation, group, metadata and question codes (and raw cells, for messages)."""
        texts = [pl.col(c.name).cast(pl.String).alias(_raw(i)) for i, c in enumerate(self.questions)] if raw else []
        return self.scan.with_row_index(_ROW).select(
            pl.col(_ROW),
            _stripped_key(self._assessment_key()).alias(_ORG),
            self._text("group").alias(_GROUP),
            *[self._text(c).alias(c) for c in METADATA],
            *[self._code(c).alias(_q(i)) for i, c in enumerate(self.questions)],
            *texts,
        )

    def _bad_date(self) -> pl.Expr:
        day = pl.col("date")
        valid = day.str.contains(DATE_PATTERN) & day.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        return day.is_not_null() & ~valid

    # --- the counting pass ---------------------------------------------------------------------
    def _slot(self, code: pl.Expr) -> pl.Expr:
        """Where a cell's code is counted: 0 empty, 1 + k at the scale's k-th level, then N/A, then anything else."""
        width = len(self.scale)
        low, high = self.scale[0], self.scale[-1]
        level: pl.Expr
        if self.scale == list(range(low, high + 1)):
            level = pl.when(code.is_between(low, high)).then(code - (low - 1))
        else:
            level = code.replace_strict({v: k + 1 for k, v in enumerate(self.scale)}, default=None)
        return (
            pl.when(code.is_null())
            .then(pl.lit(0, pl.Int64))
            .when(code == NA_CODE)
            .then(pl.lit(width + 1, pl.Int64))
            .otherwise(level.fill_null(width + 2))
        )

    def slots_query(self) -> pl.LazyFrame:
        """The scan as organisation and group (as written) and each question's slot (:meth:`_slot`), ``_s(i)``."""
        return self.scan.select(
            self._assessment_key().alias(_ORG),
            self._key("group").alias(_GROUP),
            *[self._code(c).alias(_q(i)) for i, c in enumerate(self.questions)],
        ).select(_ORG, _GROUP, *[self._slot(pl.col(_q(i))).alias(_s(i)) for i in range(len(self.questions))])

    def counts_query(self, words: int, *, moments: bool = False) -> pl.LazyFrame:
        """Per organisation and group as written: respondents, and each question's counts per slot
        (:meth:`_slot`) packed into ``words`` 128-bit sums; with ``moments``, the moments of the respondents' own
        scores too (:meth:`with_scores`, :func:`_score_moments`).

        One sum per question instead of one per level is what makes the pass fast: a cell adds
        2^(bits·slot) to its question's sum, and no count can spill into the next slot while a group has fewer
        than 2^bits respondents (checked by :meth:`counts`, which counts again with more words if not).
        """
        slots = len(self.scale) + 2
        per_word, bits = _packing(slots, words)
        packed = []
        for i in range(len(self.questions)):
            for word in range(words):
                units = [0] + [1 << (bits * (s % per_word)) if s // per_word == word else 0 for s in range(slots)]
                packed.append(pl.lit(pl.Series(units, dtype=pl.Int128)).gather(pl.col(_s(i))).alias(_packed(i, word)))
        frame = self.slots_query()
        scores: list[str] = []
        if moments:
            frame, scores = self.with_scores(frame), self.score_names()
        return (
            frame.select(_ORG, _GROUP, *packed, *scores)
            .group_by(_ORG, _GROUP)
            .agg(
                pl.len().alias("n"),
                pl.col([_packed(i, w) for i in range(len(self.questions)) for w in range(words)]).sum(),
                *[part for name in scores for part in _score_moments(name, grid_bits(self.rubric))],
            )
        )

    def score_moments(self) -> dict[str, dict[str, GroupMoments]]:
        """Per organisation (stripped id), scope (domain id or :data:`OVERALL`) and respondent group: the count,
        mean and sum of squared deviations of its respondents' own scores, what an interval needs. A streaming pass
        of its own, run when full results are asked for and the counting pass did not measure them
        (``intervals=False``)."""
        names = self.score_names()
        query = (
            self.with_scores(self.slots_query())
            .group_by(_ORG, _GROUP)
            .agg(*[part for name in names for part in _score_moments(name, grid_bits(self.rubric))])
        )
        (frame,) = self.collect(query)
        return self.organisation_moments(frame)

    def counted_moments(self, slots: pl.DataFrame, keys: Sequence[str]) -> dict[str, dict[str, GroupMoments]]:
        """:meth:`score_moments` of respondents whose slots (``_ORG``, ``_GROUP`` and each question's ``_s(i)``, as
        :meth:`slots_query` gives them) hold their counted levels already: :meth:`with_scores` with ``counted``.
        Every organisation of ``keys`` has each scope, without a group where it has no respondent."""
        bits = grid_bits(self.rubric)
        names = self.score_names()
        frame = (
            self.with_scores(slots.lazy(), counted=True)
            .group_by(_ORG, _GROUP)
            .agg(*[part for name in names for part in _score_moments(name, bits)])
            .collect()
        )
        # One row per organisation and group already (the keys are the caller's, unstripped): no parts to merge,
        # as organisation_moments must. A group with no score in a scope is left out, as the row engine has it.
        scopes = [d.id for d in self.rubric.domains] + [OVERALL]
        organisations, groups = frame[_ORG].to_list(), frame[_GROUP].to_list()
        found: dict[str, dict[str, dict[str | None, Moments]]] = {key: {scope: {} for scope in scopes} for key in keys}
        for scope, name in zip(scopes, names, strict=True):
            columns = (
                frame[f"{name}__n"].to_list(),
                frame[f"{name}__sum"].to_list(),
                frame[f"{name}__squares"].to_list(),
            )
            for org, group, count, total, squares in zip(organisations, groups, *columns, strict=True):
                if count:
                    found[org][scope][group] = (count, total, squares)
        return cast(dict[str, dict[str, GroupMoments]], found)

    def organisation_moments(self, frame: pl.DataFrame) -> dict[str, dict[str, GroupMoments]]:
        """Per organisation (stripped id), scope and respondent group, the moments of ``frame``'s parts merged
        (:func:`merged_moments`): its rows are parts of organisations and groups as written (the raw id and group
        first, then :func:`_score_moments`' three columns per scope of :meth:`score_names`)."""
        scopes = [d.id for d in self.rubric.domains] + [OVERALL]
        # Raw keys that differ only in surrounding spaces are one organisation or group: their parts merge.
        parts: dict[str, dict[str | None, list[tuple[Any, ...]]]] = {}
        stripped = frame.with_columns(_stripped_key(pl.col(_ORG)).alias(_ORG), _stripped(pl.col(_GROUP)).alias(_GROUP))
        for row in stripped.sort(_ORG, _GROUP, nulls_last=True).iter_rows():
            parts.setdefault(row[0], {}).setdefault(row[1], []).append(row)
        found: dict[str, dict[str, GroupMoments]] = {}
        for org, groups in parts.items():
            found[org] = {
                scope: {
                    group: merged_moments(
                        [(int(r[2 + 3 * k]), int(r[3 + 3 * k] or 0), int(r[4 + 3 * k] or 0)) for r in rows]
                    )
                    for group, rows in groups.items()
                }
                for k, scope in enumerate(scopes)
            }
        return found

    def score_names(self) -> list[str]:
        """The columns of each respondent's own scores: one per domain, then the overall."""
        return [_score(d.id) for d in self.rubric.domains] + [_score(OVERALL)]

    def with_scores(self, slots: pl.LazyFrame, *, counted: bool = False) -> pl.LazyFrame:
        """``slots`` (:meth:`slots_query`) with each respondent's own score per domain and overall
        (:mod:`qimaturity.scoring.intervals`): their counted answers combined as the rubric combines questions, then
        domains; null where they have none. With ``counted``, the slots hold the counted levels already (the
        evidence rule applied answer by answer, as for assessments held in memory): no level is moved here.

        A question's part in a domain's weighted mean is looked up by the answer's slot in two tables (weight ×
        counted level, and the weight where a level was given), then added up: far quicker than working the
        counted level out by conditions (the evidence rule moves a level only for the groups it asks: for those
        questions the table is twice as long, and a group asked reads its second half)."""
        scoring = self.rubric.scoring
        method = scoring.questions
        assert method != "sum", "a total has no interval (estimates_intervals)"
        cap = scoring.evidence.on_missing == "cap"
        asked_sets = sorted(
            {
                tuple(c.question.evidence_groups)
                for c in self.questions
                if c.question.evidence_groups and c.question.evidence_from is not None and cap
            }
        )
        asked = {groups: f"__asked{k}" for k, groups in enumerate(asked_sets)}
        group = _stripped(pl.col(_GROUP))
        flags = [group.is_in(list(g)).fill_null(False).cast(pl.Int64).alias(name) for g, name in asked.items()]
        extremes = method in ("minimum", "highest_rung")
        items: dict[str, list[tuple[pl.Expr, pl.Expr]]] = {}
        for i, column in enumerate(self.questions):
            question = column.question
            moved = [evidence_level(self.scale, question.evidence_from, v, cap=cap) for v in self.scale]
            weight = 1.0 if method == "mean" else question.weight

            def table(levels: Sequence[int], weight: float = weight) -> list[float | None]:
                # slot 0 empty, 1 to len(scale) the scale's levels, then N/A and anything else (refused anyway)
                if extremes:
                    return [None, *[float(level) for level in levels], None, None]
                return [0.0, *[weight * level for level in levels], 0.0, 0.0]

            slot = pl.col(_s(i))
            if counted or moved == self.scale:
                part = pl.lit(pl.Series(table(self.scale), dtype=pl.Float64)).gather(slot)
            elif question.evidence_groups:  # only the groups it asks (Question.asks_evidence)
                both = table(self.scale) + table(moved)
                offset = pl.col(asked[tuple(question.evidence_groups)]) * (len(self.scale) + 3)
                part = pl.lit(pl.Series(both, dtype=pl.Float64)).gather(slot + offset)
            else:
                part = pl.lit(pl.Series(table(moved), dtype=pl.Float64)).gather(slot)
            given = [0.0, *[weight] * len(self.scale), 0.0, 0.0]
            items.setdefault(question.domain_id, []).append(
                (part, pl.lit(pl.Series(given, dtype=pl.Float64)).gather(slot))
            )
        domains = []
        for domain in self.rubric.domains:
            found = items.get(domain.id, [])
            score: pl.Expr
            if not found:
                score = pl.lit(None, pl.Float64)
            elif method == "minimum":
                score = pl.min_horizontal([part for part, _ in found])
            elif method == "highest_rung":
                score = pl.max_horizontal([part for part, _ in found])
            else:
                total, given_weight = found[0]
                for part, part_weight in found[1:]:
                    total, given_weight = total + part, given_weight + part_weight
                score = pl.when(given_weight > 0).then(total / given_weight)
            domains.append(score.alias(_score(domain.id)))
        overall = _combined(scoring.domains, [(pl.col(_score(d.id)), d.weight) for d in self.rubric.domains])
        return slots.with_columns(flags).with_columns(domains).with_columns(overall.alias(_score(OVERALL)))

    def counts(self, *, moments: bool = False) -> tuple[pl.DataFrame, dict[str, dict[str, GroupMoments]] | None]:
        """Per organisation and respondent group (stripped; empty is null): ``n`` respondents, and per question
        its counts at each level of the scale, ``na``, ``n`` (cells filled) and ``bad`` (cells that are neither a
        level of the scale nor N/A). With ``moments``, also per organisation the moments of its respondents' own
        scores (:meth:`organisation_moments`), measured in the same pass."""
        slots = len(self.scale) + 2
        words = 1
        while True:
            with pl.Config(streaming_chunk_size=COUNTING_CHUNK):
                (packed,) = self.collect(self.counts_query(words, moments=moments))
            per_word, bits = _packing(slots, words)
            most = packed["n"].max() if packed.height else 0
            if not isinstance(most, int) or most < 2**bits:
                break
            words = -(-slots // (127 // most.bit_length()))  # enough bits for the largest group
        measured = None
        if moments:
            moment_columns = [f"{name}__{part}" for name in self.score_names() for part in ("n", "sum", "squares")]
            measured = self.organisation_moments(packed.select(_ORG, _GROUP, *moment_columns))
        parts: list[int | str] = [*self.scale, "na", "bad"]
        counts = []
        for i in range(len(self.questions)):
            for s, part in enumerate(parts):
                word, shift = divmod(s, per_word)
                unit, size = pl.lit(1 << (bits * shift), pl.Int128), pl.lit(1 << bits, pl.Int128)
                counts.append(((pl.col(_packed(i, word)) // unit) % size).cast(pl.Int64).alias(_q(i, part)))
        keys = [_stripped_key(pl.col(_ORG)).alias(_ORG), _stripped(pl.col(_GROUP)).alias(_GROUP)]
        filled = [
            pl.sum_horizontal([pl.col(_q(i, part)) for part in parts]).alias(_q(i, "n"))
            for i in range(len(self.questions))
        ]
        every: list[int | str] = [*self.scale, "na", "n", "bad"]
        ordered = [_q(i, part) for i in range(len(self.questions)) for part in every]
        return (
            packed.lazy()
            .select(*keys, "n", *counts)
            .with_columns(filled)
            .group_by(_ORG, _GROUP)
            .agg(pl.col("n").sum(), pl.col(ordered).sum())
            .collect()
        ), measured

    def metadata_query(self) -> pl.LazyFrame:
        """Each distinct organisation id with its name, type, region and date (one row per organisation, normally).

        A query of its own, over the text as written (stripped afterwards, on the few distinct rows): grouped
        aggregates of text columns (least, greatest, first) measured memory growing with the rows.
        """
        raw = [self._key(c).alias(c) for c in (ORGANISATION, *METADATA)]
        return (
            self.scan.select(raw)
            .unique()
            .select(
                _joined(_stripped(pl.col(ORGANISATION)), _stripped(pl.col("date"))).alias(_ORG),
                *[_stripped(pl.col(c)).alias(c) for c in METADATA],
            )
            .unique()
        )

    def organisations(self, counts: pl.DataFrame) -> pl.DataFrame:
        """Per assessment, by organisation id in natural order (``org-2`` before ``org-10``) and then date: how many
        cells each question has filled. This order is the output's."""
        found = (
            counts.lazy()
            .filter(pl.col(_ORG).is_not_null())
            .group_by(_ORG)
            .agg(*[pl.col(_q(i, "n")).sum() for i in range(len(self.questions))])
            .collect()
        )
        keys = found[_ORG].to_list()
        return found[sorted(range(len(keys)), key=lambda i: assessment_order(keys[i]))]

    def first_rows(self, organisations: set[str]) -> dict[str, int]:
        """The index of each of these organisations' first data row (a further pass, for problem messages)."""
        if not organisations:
            return {}
        (found,) = self.collect(
            self.scan.with_row_index(_ROW)
            .select(_ROW, _stripped_key(self._assessment_key()).alias(_ORG))
            .filter(pl.col(_ORG).is_in(sorted(organisations)))
            .group_by(_ORG)
            .agg(pl.col(_ROW).min())
        )
        return {org: int(row) for org, row in found.iter_rows()}

    def metadata(self, distinct: pl.DataFrame) -> dict[str, dict[str, list[str]]]:
        """Per organisation, the distinct values given for each metadata column (more than one is a problem)."""
        found: dict[str, dict[str, set[str]]] = {}
        for org, *values in distinct.iter_rows():
            if org is not None:
                entry = found.setdefault(org, {column: set() for column in METADATA})
                for column, value in zip(METADATA, values, strict=True):
                    if value is not None:
                        entry[column].add(value)
        return {org: {c: sorted(v) for c, v in entry.items()} for org, entry in found.items()}

    def has_bad_date(self, distinct: pl.DataFrame) -> bool:
        return bool(distinct.select(self._bad_date().any()).item())

    def count_problems(
        self, counts: pl.DataFrame, organisations: pl.DataFrame, metadata: Mapping[str, Mapping[str, list[str]]]
    ) -> tuple[list[Problem], bool]:
        """Problems visible in the counts; and whether some cell or row is wrong (found by :meth:`cell_problems`)."""
        checks = [
            pl.col(_ORG).is_null(),
            pl.col(_GROUP).is_not_null() & ~pl.col(_GROUP).is_in(_strings(self.groups)),
        ]
        for i, column in enumerate(self.questions):
            question = column.question
            checks.append(pl.col(_q(i, "bad")) > 0)  # a cell that is not a level
            if not question.na_allowed:
                checks.append(pl.col(_q(i, "na")) > 0)
            if question.respondents:
                others = [g for g in self.groups if g not in question.respondents]
                checks.append(pl.col(_GROUP).is_in(others) & (pl.col(_q(i, "n")) > 0))
        needs_detail = bool(counts.select(pl.any_horizontal(*checks).fill_null(False).any()).item())

        problems: list[Problem] = []
        unanswered = organisations.filter(
            pl.any_horizontal(*[pl.col(_q(i, "n")) == 0 for i in range(len(self.questions))])
            if self.rubric.scoring.missing == "error" and self.questions
            else pl.lit(False)
        )
        first_rows = self.first_rows(
            {org for org, values in metadata.items() if any(len(v) > 1 for v in values.values())}
            | set(unanswered[_ORG].to_list())
        )
        ids = [organisation_of(key)[0] for key in metadata]
        several = {org for org in ids if ids.count(org) > 1}

        def named(key: str) -> str:
            """An assessment in a message: its organisation, and its date when the organisation has several."""
            org, day = organisation_of(key)
            return f"organisation '{org}'" + (f" ({day})" if org in several and day else "")

        for org, values in metadata.items():
            for column_name, distinct in values.items():
                if len(distinct) < 2:
                    continue
                first, second = distinct[:2]
                first_row = first_rows[org]
                label = column_name.replace("organisation_", "").replace("_", " ")
                problems.append(
                    Problem(
                        self.name,
                        first_row + 2,
                        self.known[column_name][1] + 1,
                        pointer(("organisations", organisation_of(org)[0], column_name)),
                        f"{named(org)} has more than one {label}: '{first}' and '{second}'",
                        f"give every row of an organisation the same {column_name}",
                    )
                )
        if unanswered.height:
            position = {name: i for i, name in enumerate(unanswered.columns)}
            for row in unanswered.iter_rows():
                org = row[position[_ORG]]
                first_row = first_rows[org]
                for i, column in enumerate(self.questions):
                    if row[position[_q(i, "n")]] == 0:
                        problems.append(
                            Problem(
                                self.name,
                                first_row + 2,
                                column.index + 1,
                                pointer(("organisations", organisation_of(org)[0], column.question.id)),
                                f"{named(org)}: question '{column.question.id}' has no answer",
                                "answer it, or N/A where the rubric allows it",
                            )
                        )
        return problems, needs_detail

    def header_problems(self) -> list[Problem]:
        problems = []
        if not self.has_organisation:
            problems.append(
                Problem(
                    self.name,
                    1,
                    None,
                    "/columns",
                    f"no {ORGANISATION} column",
                    "an export needs one row per respondent, with the organisation's id in organisation_id",
                )
            )
        question_ids = [q.id for q in self.rubric.questions()]
        for index, shown in self.unknown:
            problems.append(
                Problem(
                    self.name,
                    1,
                    index + 1,
                    pointer(("columns", shown)),
                    f"unknown question '{shown}'",
                    did_you_mean(shown, question_ids)
                    or f"columns are {', '.join(KNOWN_COLUMNS)} and the rubric's question ids",
                )
            )
        for index, shown, first in self.duplicates:
            problems.append(
                Problem(
                    self.name,
                    1,
                    index + 1,
                    pointer(("columns", shown)),
                    f"column '{shown}' appears twice (first as column {first + 1})",
                    "keep one of them",
                )
            )
        absent = [question_id for question_id in question_ids if question_id not in self.known]
        if absent and self.rubric.scoring.missing == "error":
            problems.append(
                Problem(
                    self.name,
                    1,
                    None,
                    "/columns",
                    f"no column for {len(absent)} question(s) of the rubric, so no answer: {', '.join(absent)}",
                    "add the columns: the rubric's missing policy is error",
                )
            )
        return problems

    # --- the problem pass ----------------------------------------------------------------------
    def _problem_kind(self, i: int, column: _QuestionColumn) -> pl.Expr:
        """What is wrong with a question cell: 0 nothing, else the first of the kinds, in the answers files' order."""
        code = pl.col(_q(i))
        question = column.question
        checks: list[tuple[pl.Expr, int]] = []
        if question.respondents:
            group = pl.col(_GROUP)
            outside = group.is_in(_strings(self.groups)) & ~group.is_in(_strings(question.respondents))
            checks.append((outside.fill_null(False), NOT_ASKED))
        checks.append((code == BAD_CODE, NOT_A_LEVEL))
        if not question.na_allowed:
            checks.append((code == NA_CODE, NA_NOT_ALLOWED))
        checks.append(((code != NA_CODE) & ~code.is_in(self.scale), OFF_SCALE))
        kind: Any = pl.when(code.is_null()).then(pl.lit(0, pl.UInt8))
        for condition, value in checks:
            kind = kind.when(condition).then(pl.lit(value, pl.UInt8))
        result: pl.Expr = kind.otherwise(pl.lit(0, pl.UInt8))
        return result

    def cell_problems(self) -> tuple[list[Problem], int]:
        """The problems of the first rows that have any (enough for MAX_PROBLEMS), and how many there are in all."""
        row_checks = {
            "no_org": pl.col(_ORG).is_null() if self.has_organisation else pl.lit(False),
            "bad_group": pl.col(_GROUP).is_not_null() & ~pl.col(_GROUP).is_in(_strings(self.groups)),
            "bad_date": self._bad_date(),
        }
        kinds = [self._problem_kind(i, c).alias(_kind(i)) for i, c in enumerate(self.questions)]
        count = pl.sum_horizontal(
            *[pl.col(k).cast(pl.UInt32) for k in row_checks],
            *[(pl.col(_kind(i)) > 0).cast(pl.UInt32) for i in range(len(self.questions))],
        ).alias("problems")
        wrong = (
            self._frame(raw=True)
            .with_columns(*[e.alias(k) for k, e in row_checks.items()], *kinds)
            .with_columns(count)
            .filter(pl.col("problems") > 0)
        )
        first, total = self.collect(
            wrong.bottom_k(MAX_PROBLEMS, by=_ROW), wrong.select(pl.col("problems").sum().alias("total"))
        )
        problems: list[Problem] = []
        for record in first.iter_rows(named=True):
            problems.extend(self._row_problems(record))
        return problems, int(total["total"][0] or 0)

    def _row_problems(self, record: dict[str, Any]) -> list[Problem]:
        index = record[_ROW]
        problems = []

        def add(column_name: str, column: int, message: str, hint: str) -> None:
            problems.append(
                Problem(self.name, index + 2, column + 1, pointer(("rows", index, column_name)), message, hint)
            )

        if record["no_org"]:
            add(ORGANISATION, self.known[ORGANISATION][1], "no organisation id", "every row needs an organisation_id")
        group = record[_GROUP]
        if record["bad_group"]:
            hint = did_you_mean(group, self.groups) or (
                f"groups: {', '.join(sorted(self.groups))}"
                if self.groups
                else "this rubric defines no respondent groups"
            )
            add("group", self.known["group"][1], f"unknown respondent group '{group}'", hint)
        if record["bad_date"]:
            add(
                "date",
                self.known["date"][1],
                f"'{record['date']}' is not a real date",
                "use YYYY-MM-DD, e.g. 2026-09-30",
            )
        for i, column in enumerate(self.questions):
            kind = record[_kind(i)]
            if not kind:
                continue
            qid = column.question.id
            if kind == NOT_ASKED:
                add(
                    qid,
                    column.index,
                    f"question '{qid}' is not asked of the {group} group",
                    f"the rubric asks it of: {', '.join(column.question.respondents)}",
                )
            elif kind == NOT_A_LEVEL:
                raw = str(record[_raw(i)])
                hint = f"levels are {self.scale_text}"
                if level_of_label(raw, self.rubric.levels) is not None:
                    # A survey's choice label ('3 - Developing'): import reads those, score-export numbers only.
                    hint += "; score-export reads level numbers: import the export first (qimaturity import), which "
                    hint += "reads choice labels"
                add(qid, column.index, f"question '{qid}': {shown_text(raw)} is not a level, N/A or empty", hint)
            elif kind == OFF_SCALE:
                add(
                    qid,
                    column.index,
                    f"question '{qid}': level {record[_q(i)]} is not on the scale",
                    f"levels are {self.scale_text}",
                )
            else:
                add(qid, column.index, f"question '{qid}' cannot be answered N/A", "give a level, or leave it empty")
        return problems

    # --- results -------------------------------------------------------------------------------
    def score(
        self,
        counts: pl.DataFrame,
        organisations: pl.DataFrame,
        metadata: Mapping[str, Mapping[str, list[str]]],
        targets: Mapping[str, int],
        default_target: int | None,
        moments: dict[str, dict[str, GroupMoments]] | None = None,
        *,
        counted: bool = False,
        build: Callable[[int], Result] | None = None,
    ) -> ExportScores:
        """The tables (and full results, on demand) from the counts :meth:`counts` made.

        With ``counted``, the counts are cells instead: one row per organisation (``__org``, its index in
        ``organisations``), respondent group (``_GROUP``, with its respondents ``n``) and question that has answers
        there (``question_index``), with ``na`` and each level's count as given and as counted
        (:func:`cell_columns`), as the evidence rule gave them answer by answer, instead of the export's rule (every
        answer cites nothing); ``build`` must then make the full result of an organisation by its index. Without
        ``counted``, ``build`` may still do so instead of counting the export again."""
        rubric = self.rubric
        ids = organisations[_ORG].to_list()
        method = rubric.scoring.respondent_aggregate
        width = len(self.scale)
        given_names, counted_names = cell_columns(width)
        # Each respondent group's statistics, and those of the respondents with no group (index after the
        # rubric's groups): the values a question pools under ``pooling: groups``, and the group views.
        group_index = (
            pl.col(_GROUP)
            .replace_strict(self.group_order, default=None, return_dtype=pl.Int64)
            .fill_null(len(self.groups))
            .alias("group_index")
        )
        group_keys = ["__org", _GROUP, "group_index", "n"]
        plain = pl.DataFrame()
        position: dict[str, int] = {}
        row_builders: list[_StatsBuilder] = []
        if counted:
            assert build is not None, "cells keep no rows to build a full result from"
            # Cells already: each organisation's, group's and question's counts, as the group statistics take them.
            group_cells = counts.lazy().with_columns(group_index)
            sums = group_cells.group_by("__org", "question_index").agg(pl.col("na", *given_names, *counted_names).sum())
            # Every organisation and question, answered or not (a question nobody answered is missing or N/A).
            cell = pl.int_range(0, len(ids) * rubric.question_count, dtype=pl.Int64)
            every = pl.LazyFrame().select(
                (cell // rubric.question_count).alias("__org"), (cell % rubric.question_count).alias("question_index")
            )
            total_cells = every.join(sums, on=["__org", "question_index"], how="left").with_columns(
                pl.col("na", *given_names, *counted_names).fill_null(0)
            )
        else:
            index_of = {org: i for i, org in enumerate(ids)}
            counts = counts.filter(pl.col(_ORG).is_not_null()).with_columns(
                pl.col(_ORG).replace_strict(index_of, return_dtype=pl.Int64).alias("__org")
            )
            plain = counts.drop("__org")  # the counts' own columns, in place: where each builder finds its counts
            position = {name: i for i, name in enumerate(plain.columns)}
            row_builders = [_StatsBuilder(rubric, c.question, i, position) for i, c in enumerate(self.questions)]
            builders = {b.question.id: b for b in row_builders}
            parts: list[int | str] = [*self.scale, "na"]
            count_columns = [_q(i, part) for i in range(len(self.questions)) for part in parts]
            per_group = [column for b in row_builders for column in b.counted_columns()]
            if per_group:  # questions that ask only some groups for evidence: counted per group before summing
                counts = counts.with_columns(per_group)
                count_columns += [
                    _q(b.index, f"counted{level}") for b in row_builders if b.counted_columns() for level in self.scale
                ]
            totals = counts.group_by("__org").agg(pl.col(count_columns).cast(pl.Int64).sum())

            def long(frame: pl.DataFrame, keys: list[str]) -> pl.LazyFrame:
                """One row per row of ``frame`` and rubric question: its counts as given and as counted."""
                parts = []
                for q_index, question in enumerate(rubric.questions()):
                    builder = builders.get(question.id)
                    if builder is None:  # no column: nobody answered it
                        given = counted_levels = [pl.lit(0, pl.Int64)] * width
                        na: pl.Expr = pl.lit(0, pl.Int64)
                    else:
                        given, counted_levels = builder.count_exprs()
                        na = pl.col(_q(builder.index, "na")).cast(pl.Int64)
                    parts.append(
                        frame.lazy().select(
                            *keys,
                            pl.lit(q_index, pl.Int64).alias("question_index"),
                            na.alias("na"),
                            *[e.alias(n) for e, n in zip(given, given_names, strict=True)],
                            *[e.alias(n) for e, n in zip(counted_levels, counted_names, strict=True)],
                        )
                    )
                return pl.concat(parts, how="vertical")

            group_cells = long(counts.with_columns(group_index), group_keys)
            total_cells = long(totals, ["__org"])

        def statistics_of(cells: pl.LazyFrame, keys: list[str], variance: bool) -> pl.LazyFrame:
            return level_statistics(
                cells,
                [*keys, "question_index", "na"],
                method,
                self.scale,
                [pl.col(n) for n in counted_names],
                [pl.col(n) for n in given_names] if variance else None,
                even_median=rubric.scoring.even_median,
            )

        questions_frame = pl.DataFrame(
            {
                "question_index": list(range(rubric.question_count)),
                "domain_index": [
                    next(i for i, d in enumerate(rubric.domains) if d.id == q.domain_id) for q in rubric.questions()
                ],
                "domain_id": [q.domain_id for q in rubric.questions()],
                "question_id": [q.id for q in rubric.questions()],
            },
            schema={
                "question_index": pl.Int64,
                "domain_index": pl.Int64,
                "domain_id": pl.String,
                "question_id": pl.String,
            },
        )
        least = rubric.scoring.min_group_size

        def group_statistics() -> pl.DataFrame:
            return within_group_agreements(
                rubric,
                statistics_of(group_cells, group_keys, variance=True)
                .filter(pl.col("answered") > 0)
                .rename({_GROUP: "group"})
                .sort("__org", "question_index", "group_index")
                .collect(),
            )

        def group_views(pools: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
            """The lowest agreements, the group views, each question's respondents shown and the gaps."""
            # A group with fewer respondents than min_group_size (in the organisation, or answering the question)
            # is shown nowhere: no group view, perception gap or agreement. Its answers still count in the value.
            shown = pools.filter(pl.col("group").is_null() | ((pl.col("n") >= least) & (pl.col("answered") >= least)))
            groups = (
                shown.lazy()
                .filter(pl.col("group").is_not_null())
                .join(questions_frame.lazy(), on="question_index", how="left")
                .select(
                    "__org",
                    "question_index",
                    "domain_index",
                    "domain_id",
                    "question_id",
                    "group",
                    "group_index",
                    pl.col("answered").alias("respondents"),
                    "value",
                    "agreement",
                )
                .sort("__org", "question_index", "group_index")
                .collect()
            )
            respondents = groups.group_by("__org", "question_index").agg(pl.col("respondents").sum())
            return lowest_agreements(shown), groups, respondents, gap_table(rubric, groups)

        # The groups' statistics and views are Polars' work, and settling organisations is Python's: one thread does
        # the first (Polars lets go of the interpreter while it works) while this one settles. Settling needs each
        # question's value only, which needs the groups' values first under pooling: groups.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pools_ready = pool.submit(group_statistics)
            views = pool.submit(lambda: group_views(pools_ready.result()))
            stats = (
                statistics_of(total_cells, ["__org"], variance=False)
                .select("__org", "question_index", "answered", "na", "value")
                .sort("__org", "question_index")
                .collect()
            )
            if rubric.scoring.pooling == "groups":
                stats = pooled_values(rubric, stats, pools_ready.result())
            questions = question_table(rubric, stats, targets, default_target)
            with _collector_paused():
                overall, domains = settle_all(rubric, ids, questions, targets, default_target)
            if moments is not None:
                overall, domains = with_interval_columns(rubric, ids, overall, domains, moments)
            agreements, groups, respondents, gaps = views.result()
        questions = (
            with_agreements(rubric, questions, agreements)
            .join(respondents, on=["__org", "question_index"], how="left", maintain_order="left")
            .with_columns(pl.col("respondents").fill_null(0))
        )
        names = [metadata[org] for org in ids]
        table = pl.DataFrame(
            {
                "__org": list(range(len(ids))),
                ORGANISATION: [organisation_of(key)[0] for key in ids],
                "organisation_name": [
                    next(iter(m["organisation_name"]), None) or organisation_of(key)[0]
                    for m, key in zip(names, ids, strict=True)
                ],
                "date": [next(iter(m["date"]), None) for m in names],
            },
            schema={"__org": pl.Int64, ORGANISATION: pl.String, "organisation_name": pl.String, "date": pl.String},
        )
        by_organisation: dict[str, list[tuple[Any, ...]]] = {}
        moments_by_organisation: dict[str, dict[str, GroupMoments]] = dict(moments or {})

        def build_one(index: int) -> Result:
            if not by_organisation:  # the counts as rows, once, when a first full result is asked for
                for row in plain.iter_rows():
                    by_organisation.setdefault(row[position[_ORG]], []).append(row)
                if moments is None and estimates_intervals(rubric):  # else measured, or nothing to measure
                    moments_by_organisation.update(self.score_moments())
            org = ids[index]
            result = self._score_organisation(
                org,
                metadata[org],
                by_organisation[org],
                row_builders,
                position[_GROUP],
                position["n"],
                targets,
                default_target,
            )
            return with_moments(rubric, result, moments_by_organisation.get(org, {}))

        return ExportScores(table, overall, domains, questions, groups, gaps, rubric, build or build_one)

    def _score_organisation(
        self,
        org: str,
        metadata: Mapping[str, list[str]],
        rows: list[tuple[Any, ...]],
        builders: Sequence[_StatsBuilder],
        group_at: int,
        respondents_at: int,
        targets: Mapping[str, int],
        default_target: int | None,
    ) -> Result:
        name, kind, region, day = (next(iter(metadata[c]), None) for c in METADATA)
        org = organisation_of(org)[0]
        last = len(self.group_order)
        rows = sorted(rows, key=lambda r: self.group_order.get(r[group_at] or "", last))
        statistics = {}
        respondents = tuple(RespondentCount(r[group_at], r[respondents_at]) for r in rows)
        hidden = hidden_groups(self.rubric, respondents)
        for builder in builders:
            stats = builder.build(rows, group_at, hidden)
            if stats is not None:
                statistics[builder.question.id] = stats
        assessment = Assessment(
            organisation=Organisation(org, name or org, kind, region),
            rubric_id=self.rubric.id,
            respondents=(),
            rubric_version=self.rubric.version,
            date=day,
        )
        return score_statistics(
            self.rubric, assessment, statistics, respondents, targets=targets, default_target=default_target
        )


class _StatsBuilder:
    """Builds one question's :class:`QuestionStats` from the counts of its levels per respondent group.

    Each row of the counts holds, for this question and one group, the number of answers at each level of the
    scale (contiguous columns), then the number of N/A answers, then the number of filled cells.
    """

    def __init__(self, rubric: Rubric, question: Question, index: int, position: Mapping[str, int]):
        self.question = question
        self.index = index
        self.method = rubric.scoring.respondent_aggregate
        self.pooling = rubric.scoring.pooling
        self.minimum = rubric.scoring.agreement_min_respondents
        self.fewer_than = fewer_than(rubric)
        self.weights: dict[str | None, float] = {g.id: g.weight for g in rubric.respondent_groups}
        self.even_median = rubric.scoring.even_median
        self.scale = [level.value for level in rubric.levels]
        self.start = position[_q(index, self.scale[0])]
        self.end = self.start + len(self.scale)
        self.na_at, self.filled_at = position[_q(index, "na")], position[_q(index, "n")]
        assert [position[_q(index, level)] for level in self.scale] == list(range(self.start, self.end))
        assert (self.na_at, self.filled_at) == (self.end, self.end + 1)
        # The evidence rule: answers at or above evidence_from (an export cites no evidence) are counted at the
        # level below it, or flagged. ``fold`` moves their counts; ``evidence`` words the adjustment per level.
        cap = rubric.scoring.evidence.on_missing == "cap"
        threshold = question.evidence_from
        self.fold: list[tuple[int, int]] = []
        self.evidence: list[tuple[int, int, str, int, bool]] = []
        for k, level in enumerate(self.scale):
            if threshold is None or level < threshold:
                continue
            used = evidence_level(self.scale, threshold, level, cap=cap)
            if used != level:
                self.fold.append((k, self.scale.index(used)))
            flag = f"no evidence cited: counted as {used}" if cap else "no evidence cited (flagged, not capped)"
            words = f"level {level} needs evidence from level {threshold}; {flag} (an export carries none)"
            self.evidence.append((k, level, words, used, cap))
        # The groups asked for evidence (Question.asks_evidence): the rule moves only their counts. Counts are
        # kept per organisation and group, so the counted levels are worked out per group first (counted_columns)
        # and summed with the rest.
        self.only = tuple(question.evidence_groups) if self.fold or self.evidence else ()

    def asked(self, group: str | None) -> bool:
        return not self.only or group in self.only

    def counted_columns(self) -> list[pl.Expr]:
        """For a question that asks only some groups for evidence: its counted levels per row of counts (one
        organisation and group), as the columns ``count_exprs`` then reads; none otherwise."""
        if not self.only or not self.fold:
            return []
        given = [pl.col(_q(self.index, level)).cast(pl.Int64) for level in self.scale]
        asked = pl.col(_GROUP).is_in(list(self.only)).fill_null(False)
        return [
            pl.when(asked).then(folded).otherwise(plain).alias(_q(self.index, f"counted{level}"))
            for level, folded, plain in zip(self.scale, self._folded(given), given, strict=True)
        ]

    def _folded(self, given: list[pl.Expr]) -> list[pl.Expr]:
        counted = list(given)
        for source, target in self.fold:
            counted[target] = counted[target] + counted[source]
            counted[source] = pl.lit(0, pl.Int64)
        return counted

    def count_exprs(self) -> tuple[list[pl.Expr], list[pl.Expr]]:
        """The counts per level of the scale as Polars columns: as given, and as counted (the evidence rule)."""
        given = [pl.col(_q(self.index, level)).cast(pl.Int64) for level in self.scale]
        if self.only and self.fold:
            return given, [pl.col(_q(self.index, f"counted{level}")) for level in self.scale]
        return given, self._folded(given)

    def counted(self, given: Sequence[int], group: str | None = None) -> Sequence[int]:
        if not self.fold or not self.asked(group):
            return given
        counted = list(given)
        for source, target in self.fold:
            counted[target] += counted[source]
            counted[source] = 0
        return counted

    def build(
        self, rows: Sequence[tuple[Any, ...]], group_at: int, hidden: frozenset[str] = frozenset()
    ) -> QuestionStats | None:
        scale, method, start, end = self.scale, self.method, self.start, self.end
        na_at, filled_at = self.na_at, self.filled_at
        given: Sequence[int] | None = None
        counted: Sequence[int] | None = None
        asked: Sequence[int] = [0] * len(scale)  # given by the groups asked for evidence
        # The counts of groups large enough to show, for the trace: as counted, and as given by those asked.
        shown_counted: Sequence[int] = [0] * len(scale)
        shown_asked: Sequence[int] = [0] * len(scale)
        na = 0
        by_group: list[GroupValue] = []
        pools: list[tuple[str | None, list[tuple[int, int]], float]] = []
        agreements: list[tuple[str | None, float | None]] = []
        for row in rows:
            filled = row[filled_at]
            if not filled:
                continue
            said_na = row[na_at]
            if said_na:
                na += said_na
                if filled == said_na:  # only N/A here (cells that are not levels were refused earlier)
                    continue
            levels = row[start:end]
            group = row[group_at]
            given = levels if given is None else list(map(add, given, levels))
            folded = self.counted(levels, group)
            counted = folded if counted is None else list(map(add, counted, folded))
            if self.asked(group):
                asked = list(map(add, asked, levels))
            if group not in hidden:
                shown_counted = list(map(add, shown_counted, folded))
                if self.asked(group):
                    shown_asked = list(map(add, shown_asked, levels))
            pair_counts = list(zip(scale, folded, strict=True))
            group_value = respondent_value(method, pair_counts, self.even_median)
            pools.append((group, pair_counts, group_value))
            within = group_agreement(list(zip(scale, levels, strict=True)), len(scale), self.minimum)
            agreements.append((group, within))
            if group is not None:
                answered = filled - said_na
                by_group.append(GroupValue(group, group_value, answered, within))
        if given is None or counted is None:
            return QuestionStats(na=na, inputs=(TraceInput("N/A", None, note=f"{na} answer(s)"),)) if na else None
        total = sum(counted)
        value = respondent_value(method, list(zip(scale, counted, strict=True)), self.even_median)
        pairs = tuple((level, n) for level, n in zip(scale, counted, strict=False) if n)
        # The trace gives the levels of the groups large enough to show, and only how many answers the others gave.
        shown_pairs = tuple((level, n) for level, n in zip(scale, shown_counted, strict=True) if n)
        not_shown = total - sum(n for _, n in shown_pairs)
        inputs = tuple(TraceInput(f"level {level}", float(level), note=f"{n} answer(s)") for level, n in shown_pairs)
        if not_shown:
            inputs += (TraceInput("not shown", None, note=f"{not_shown} answer(s): groups of {self.fewer_than}"),)
        if na:
            inputs += (TraceInput("N/A", None, note=f"{na} answer(s)"),)
        adjustments: tuple[Adjustment, ...] = ()
        if self.evidence:
            adjustments = tuple(
                Adjustment(
                    "evidence",
                    "scoring.evidence",
                    f"{shown_asked[k]} answer(s) at level {level}: {words}",
                    level,
                    used,
                    cap,
                )
                for k, level, words, used, cap in self.evidence
                if shown_asked[k]
            )
            if any(asked[k] != shown_asked[k] for k, *_ in self.evidence):
                adjustments += (
                    Adjustment(
                        "evidence",
                        "scoring.evidence",
                        f"answers of groups of {self.fewer_than} need evidence from level "
                        f"{self.question.evidence_from} (an export carries none)",
                        None,
                        None,
                        self.evidence[0][4],
                    ),
                )
        levels_text = _counts_text(shown_pairs)
        if not_shown:
            levels_text += f"{'; ' if shown_pairs else ''}{not_shown} not shown: groups of {self.fewer_than}"
        described = f"{method} of {total} answer(s) (from the export)"
        arithmetic = f"{method}({levels_text}) = {trace_number(value)}" + even_median_note(
            method, total, self.even_median
        )
        if self.pooling == "groups":
            value, arithmetic = pooled(
                [
                    (
                        group_label(g),
                        f"{method}({_counts_text(c)})"
                        + even_median_note(method, sum(n for _, n in c), self.even_median),
                        v,
                        g in hidden,
                    )
                    for g, c, v in pools
                ],
                [self.weights.get(g, 1.0) for g, _, _ in pools],
                self.fewer_than,
            )
            described = f"{method} within each of {len(pools)} group(s), then their weighted mean (from the export)"
        return QuestionStats(
            counted=pairs,
            na=na,
            value=value,
            agreements=tuple(agreements),
            by_group=tuple(by_group),
            method=described,
            arithmetic=arithmetic,
            inputs=inputs,
            adjustments=adjustments,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small acyclic objects are made (it rescans them all).

    The question records and scopes of settling every organisation hold no reference cycles, so nothing is left
    for the collector; its passes only cost time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _counts_text(pairs: Sequence[tuple[int, int]]) -> str:
    """Counted levels as the trace shows them: ``2×3, 1×4`` (each level with a count)."""
    return ", ".join(f"{n}×{level}" for level, n in pairs if n)


def _score(scope: str) -> str:
    return f"__qimaturity_score:{scope}"


def _score_moments(name: str, bits: int) -> list[pl.Expr]:
    """A score column's :data:`~qimaturity.scoring.intervals.Moments`: the count, and the sums of its values and of
    their squares on the grid of ``bits`` (:func:`~qimaturity.scoring.intervals.on_grid`) as 128-bit integers (nulls
    left out; a column with no value gives nulls, read as nothing)."""
    on_grid = (pl.col(name) * float(1 << bits)).floor().cast(pl.Int64).cast(pl.Int128)
    return [
        on_grid.count().cast(pl.Int64).alias(f"{name}__n"),
        on_grid.sum().alias(f"{name}__sum"),
        (on_grid * on_grid).sum().alias(f"{name}__squares"),
    ]


def _combined(method: str, items: Sequence[tuple[pl.Expr, float]]) -> pl.Expr:
    """A respondent's own score as the row engine takes it (:func:`~qimaturity.scoring.intervals.respondent_value`)
    over the non-null values of a row, item by item in order (null where none is present)."""
    if not items:
        return pl.lit(None, pl.Float64)
    if method in ("minimum", "highest_rung"):
        values = [value for value, _ in items]
        return pl.min_horizontal(values) if method == "minimum" else pl.max_horizontal(values)
    weights = [1.0 if method == "mean" else weight for _, weight in items]
    # Added left to right as :func:`~qimaturity.scoring.intervals.respondent_value` adds them (a missing item adds
    # 0.0, which changes no float), not by pl.sum_horizontal, whose order of adding is Polars' own.
    total: pl.Expr = pl.lit(0.0, pl.Float64)
    present: pl.Expr = pl.lit(0.0, pl.Float64)
    for (value, _), w in zip(items, weights, strict=True):
        total = total + (value * w).fill_null(0.0)
        present = present + pl.when(value.is_not_null()).then(pl.lit(w, pl.Float64)).otherwise(0.0)
    return pl.when(present > 0).then(total / present)


def cell_columns(width: int) -> tuple[list[str], list[str]]:
    """The names of a cell's counts of each level of a scale of ``width`` levels: as given, and as counted."""
    return [f"__g{k}" for k in range(width)], [f"__c{k}" for k in range(width)]


def _q(index: int, part: int | str | None = None) -> str:
    """Internal column names: a question's code, or one of its counts."""
    return f"__q{index}" if part is None else f"__q{index}_{part}"


def _stripped(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _joined(org: pl.Expr, day: pl.Expr) -> pl.Expr:
    """An assessment's key from its stripped organisation id and date: the id alone when there is no date."""
    return pl.when(org.is_null()).then(None).when(day.is_null()).then(org).otherwise(org + pl.lit(_SEP) + day)


def _stripped_key(key: pl.Expr) -> pl.Expr:
    """A key of :meth:`_Export._assessment_key` with its id and date each stripped (:func:`_joined`)."""
    parts = key.str.split_exact(_SEP, 1)
    return _joined(_stripped(parts.struct.field("field_0")), _stripped(parts.struct.field("field_1")))


def assessment_order(key: str) -> tuple[NaturalKey, str]:
    """The sort key of an assessment's key: its organisation id in natural order, then its date; so that an
    organisation's assessments are together, and parts of contiguous organisation ids put together in order are
    the whole export's order."""
    org, day = organisation_of(key)
    return natural_key(org), day or ""


def organisation_of(key: str) -> tuple[str, str | None]:
    """The organisation id and date of an assessment's key."""
    org, _, day = key.partition(_SEP)
    return org, day or None


def _packing(slots: int, words: int) -> tuple[int, int]:
    """Slots per 128-bit word and bits per slot, for ``slots`` counts in ``words`` words."""
    per_word = -(-slots // words)
    return per_word, 127 // per_word


def _packed(index: int, word: int) -> str:
    return f"__p{index}_{word}"


def _s(index: int) -> str:
    """A question's slot column (:meth:`_Export._slot`)."""
    return f"__s{index}"


def _kind(index: int) -> str:
    return f"__k{index}"


def _raw(index: int) -> str:
    return f"__raw{index}"


def _strings(values: Sequence[str]) -> list[str]:
    return list(values)


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return next(csv.reader(stream), [])


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
