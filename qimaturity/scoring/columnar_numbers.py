"""The numbers of an export's results, for every organisation at once: what ``score-export`` writes as CSV.

:mod:`qimaturity.scoring.columnar` counts a respondent export's answers per organisation, respondent group, question and
level. From those counts this module computes, as Polars columns over all organisations together, what the row
engine computes one question at a time: each question's respondent aggregate (median, mean, min or max, to the
bit: from integer counts a median is a level or the mean of two, a mean one integer over another), its sample
variance (exactly rounded from integer sums, as :func:`qimaturity.scoring.kernel.sample_variance`) and agreement
(the kernel's, once per distinct variance), its
status under the N/A and missing policies, its level, target and gap; each respondent group's value and the
perception gaps between compared groups.

What is above the questions — domain values, the rubric's rules, the overall value, levels and bands — is the row
engine's own code (:meth:`qimaturity.scoring.engine.Scorer.settle`), run per organisation on light question records:
a few dozen numbers each. Full :class:`~qimaturity.scoring.result.Result` objects, with traces and priorities, are built
only when asked for (:class:`ExportScores` is a sequence of them, made one by one by the shared code).

A domain's perception gap is a weighted mean over the questions both groups answered; Polars forms the products
and ``math.fsum`` adds them, as the row engine does (a correctly rounded sum does not depend on the order of its
terms), so it is the row engine's to the bit too: the CSV writes every number in full.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Literal, overload

import polars as pl

from qimaturity._core.formulas import FORMULA_STARTS, csv_field
from qimaturity._core.numbers import table_number
from qimaturity.answers.model import Assessment, Organisation
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.engine import EPS, QuestionRecord, Scorer
from qimaturity.scoring.intervals import OVERALL, GroupMoments, estimates_intervals, node_interval
from qimaturity.scoring.kernel import pooled_value
from qimaturity.scoring.result import Result, Status
from qimaturity.scoring.tables import COLUMNS, INTERVAL_COLUMNS

ORG = "organisation_id"
BASE_COLUMNS = ("organisation_id", "organisation_name", "date", "rubric_id", "rubric_version")


def level_statistics(
    frame: pl.LazyFrame,
    keys: Sequence[str],
    method: str,
    scale: Sequence[int],
    counted: Sequence[pl.Expr],
    given: Sequence[pl.Expr] | None = None,
    *,
    even_median: str = "mean",
) -> pl.LazyFrame:
    """Per row of ``frame``: its ``keys``, ``answered`` (how many levels were counted, ``counted[k]`` of them at
    ``scale[k]``), ``value`` (their respondent aggregate; null when there are none) and, given the counts as
    given (before the evidence rule), ``variance``.

    As the row engine has them, to the bit: a median of an even count is the mean of the middle two, as
    ``statistics.median`` gives it, or the lower or upper of them (``even_median``, as the kernel's
    ``respondent_value``); a mean is the exact integer sum over the count, divided once (as
    ``math.fsum(levels) / len(levels)``); the variance is :func:`qimaturity.scoring.kernel.sample_variance`,
    (n·Σv² − (Σv)²) / (n·(n − 1)) from integer sums. Running totals of the counts are columns first, so that a
    level is found by counting the totals not yet past a bound: no chain of conditions.
    """
    width = range(len(scale))
    levels = pl.lit(pl.Series(list(scale), dtype=pl.Int64))
    count_names, given_names, running = ([f"__{part}{k}" for k in width] for part in ("c", "g", "r"))

    def level_at(index: pl.Expr) -> pl.Expr:
        return levels.gather(index.cast(pl.Int64))

    def how_many(conditions: list[pl.Expr]) -> pl.Expr:
        return pl.sum_horizontal([c.cast(pl.Int64) for c in conditions]) if conditions else pl.lit(0, pl.Int64)

    def first_beyond(bound: pl.Expr) -> pl.Expr:  # the level of the first running total past ``bound``
        return level_at(how_many([pl.col(name) <= bound for name in running[:-1]]))

    total = pl.col(running[-1])
    if method == "median":
        low, high = first_beyond((total - 1) // 2), first_beyond(total // 2)
        middle = {"mean": (low + high) / 2, "lower": low.cast(pl.Float64), "upper": high.cast(pl.Float64)}
        value = pl.when(total % 2 == 1).then(high.cast(pl.Float64)).otherwise(middle[even_median])
    elif method == "mean":
        value = pl.sum_horizontal([pl.col(n) * level for level, n in zip(scale, count_names, strict=True)]) / total
    elif method == "min":
        value = level_at(how_many([pl.col(name) == 0 for name in running[:-1]]))
    else:
        value = level_at(how_many([pl.col(name) < total for name in running[:-1]]))
    results = [total.alias("answered"), pl.when(total > 0).then(value.cast(pl.Float64)).alias("value")]
    if given is not None:
        n = pl.sum_horizontal(given_names)
        first = pl.sum_horizontal([pl.col(name) * level for level, name in zip(scale, given_names, strict=True)])
        second = pl.sum_horizontal(
            [pl.col(name) * (level * level) for level, name in zip(scale, given_names, strict=True)]
        )
        results.append(pl.when(n >= 2).then((n * second - first * first) / (n * (n - 1))).alias("variance"))
    return (
        frame.select(
            *keys,
            *[e.alias(n) for e, n in zip(counted, count_names, strict=True)],
            *[e.alias(n) for e, n in zip(given or [], given_names, strict=False)],
        )
        .with_columns(pl.sum_horizontal(count_names[: k + 1]).alias(running[k]) for k in width)
        .select(*keys, *results)
    )


class ExportScores(Sequence[Result]):
    """Every organisation's scores from an export: the numbers as tables at once, full results on demand.

    A sequence of :class:`Result`, one per organisation in order of id, each built when it is asked for (and not
    kept). The tables hold what :meth:`write_csv` writes, one row per organisation and:

    - ``overall`` and ``domains``: value, raw_value, level, level_name, percent, band, target, gap, held_level and
      held_by (where rules hold the level: that level, and the rules' ids joined by ", "), and when asked for
      (``intervals=True``) interval_low and interval_high (null where there is no interval);
    - ``questions``: status, value, level, target, gap, respondents, agreement, disagreement;
    - ``groups``: each respondent group's value of a question, how many of them gave a level, and their r_wg;
    - ``gaps``: perception gaps between compared groups, per question and per domain (``question_index`` -1), each
      with both groups' values (``value_a``, ``value_b``).
    """

    def __init__(
        self,
        organisations: pl.DataFrame,
        overall: pl.DataFrame,
        domains: pl.DataFrame,
        questions: pl.DataFrame,
        groups: pl.DataFrame,
        gaps: pl.DataFrame,
        rubric: Rubric,
        build: Callable[[int], Result],
    ):
        self.organisations = organisations
        self.overall = overall
        self.domains = domains
        self.questions = questions
        self.groups = groups
        self.gaps = gaps
        self.rubric = rubric
        self._build = build

    def __len__(self) -> int:
        return self.organisations.height

    @overload
    def __getitem__(self, index: int) -> Result: ...
    @overload
    def __getitem__(self, index: slice) -> list[Result]: ...
    def __getitem__(self, index: int | slice) -> Result | list[Result]:
        if isinstance(index, slice):
            return [self._build(i) for i in range(len(self))[index]]
        position = range(len(self))[index]  # IndexError as a list gives it
        return self._build(position)

    def __iter__(self) -> Iterator[Result]:
        return (self._build(i) for i in range(len(self)))

    @property
    def has_intervals(self) -> bool:
        """Whether the tables carry each value's interval (``score_export(..., intervals=True)``)."""
        return "interval_low" in self.overall.columns

    @property
    def columns(self) -> tuple[str, ...]:
        """The CSV's columns: :data:`qimaturity.scoring.tables.COLUMNS`, without the interval's unless measured."""
        return COLUMNS if self.has_intervals else tuple(c for c in COLUMNS if c not in INTERVAL_COLUMNS)

    def write_csv(self, stream: IO[str]) -> None:
        """The rows :func:`qimaturity.scoring.tables.write_csv` writes for these results, in the same order."""
        stream.write(self.csv_text())

    def csv_text(self) -> str:
        buffer = io.StringIO()
        _neutralised(self._csv_table().drop("__org")).write_csv(buffer, line_terminator="\n", null_value="")
        return buffer.getvalue()

    def csv_parts(self, spans: Sequence[tuple[int, int]]) -> list[str]:
        """The CSV's rows (no header) of the organisations in each span ``[start, end)`` of indices, one text each."""
        table = _neutralised(self._csv_table())
        parts = []
        for start, end in spans:
            buffer = io.StringIO()
            table.filter(pl.col("__org").is_between(start, end, closed="left")).drop("__org").write_csv(
                buffer, line_terminator="\n", null_value="", include_header=False
            )
            parts.append(buffer.getvalue())
        return parts

    def _csv_table(self) -> pl.DataFrame:
        """The CSV's rows in order, as text, with each organisation's index (``__org``) first."""
        rubric = self.rubric
        blank = pl.lit(None, pl.String)

        def numbers(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
            return frame.with_columns(_formatted(frame[c]) for c in columns)

        def text(column: str) -> pl.Expr:
            return pl.col(column).cast(pl.String)

        def rows(
            frame: pl.DataFrame, scope: str, keys: Sequence[pl.Expr], values: Mapping[str, pl.Expr]
        ) -> pl.DataFrame:
            return frame.select(
                pl.col("__org"),
                *[key.cast(pl.Int64).alias(f"__k{i}") for i, key in enumerate(keys)],
                pl.lit(scope).alias("scope"),
                *[values.get(c, blank).cast(pl.String).alias(c) for c in COLUMNS if c not in BASE_COLUMNS + ("scope",)],
            )

        intervals = self.has_intervals
        scored = {
            "value": text("value"),
            "level": text("level"),
            "level_name": text("level_name"),
            "band": text("band"),
            "percent": text("percent"),
            "target": text("target"),
            "gap": text("gap"),
            "held_level": text("held_level"),
            "held_by": text("held_by"),
            **({name: text(name) for name in INTERVAL_COLUMNS} if intervals else {}),
        }
        interval_numbers = INTERVAL_COLUMNS if intervals else ()
        overall = numbers(self.overall, "value", "percent", *interval_numbers)
        domains = numbers(self.domains, "value", "percent", *interval_numbers)
        questions = numbers(self.questions, "value", "agreement")
        groups = numbers(self.groups, "value", "agreement")
        gaps = numbers(self.gaps, "gap")
        parts = [
            rows(
                overall,
                "overall",
                [pl.lit(-1), pl.lit(-1), pl.lit(0), pl.lit(0)],
                {"id": pl.lit("overall"), **scored},
            ),
            rows(
                domains,
                "domain",
                [pl.col("domain_index"), pl.lit(-1), pl.lit(0), pl.lit(0)],
                {"domain_id": pl.col("domain_id"), "id": pl.col("domain_id"), **scored},
            ),
            rows(
                questions,
                "question",
                [pl.col("domain_index"), pl.col("question_index"), pl.lit(0), pl.lit(0)],
                {
                    "domain_id": pl.col("domain_id"),
                    "id": pl.col("question_id"),
                    "respondents": pl.when(pl.col("respondents") > 0).then(text("respondents")),
                    "status": pl.col("status"),
                    "value": text("value"),
                    "level": text("level"),
                    "target": text("target"),
                    "gap": text("gap"),
                    "agreement": text("agreement"),
                    "disagreement": pl.when(pl.col("disagreement")).then(pl.lit("yes")),
                },
            ),
            rows(
                groups,
                "group",
                [pl.col("domain_index"), pl.col("question_index"), pl.lit(1), pl.col("group_index")],
                {
                    "domain_id": pl.col("domain_id"),
                    "id": pl.col("question_id"),
                    "group": pl.col("group"),
                    "respondents": text("respondents"),
                    "value": text("value"),
                    "agreement": text("agreement"),
                },
            ),
            rows(
                gaps,
                "perception_gap",
                [pl.col("domain_index"), pl.col("question_index"), pl.lit(2), pl.col("pair_index")],
                {
                    "domain_id": pl.col("domain_id"),
                    "id": pl.col("id"),
                    "group": pl.col("groups"),
                    "value": text("gap"),
                    "disagreement": pl.when(pl.col("flagged")).then(pl.lit("flagged")),
                },
            ),
        ]
        base = self.organisations.select(
            pl.col("__org"),
            pl.col(ORG).alias("organisation_id"),
            pl.col("organisation_name"),
            pl.col("date"),
            pl.lit(rubric.id).alias("rubric_id"),
            pl.lit(rubric.version, pl.String).alias("rubric_version"),
        )
        return (
            pl.concat(parts, how="vertical")
            .sort("__org", "__k0", "__k1", "__k2", "__k3", maintain_order=True)
            .join(base, on="__org", how="left", maintain_order="left")
            .select("__org", *self.columns)
        )


def _neutralised(table: pl.DataFrame) -> pl.DataFrame:
    """Text that a spreadsheet would run as a formula made inert by :func:`qimaturity._core.formulas.csv_field`, the
    rule every CSV writer follows (each distinct risky value changed once; found in one query over every column)."""
    names = [name for name, dtype in table.schema.items() if dtype == pl.String]
    if not names:
        return table
    risky = table.select(
        pl.col(name).filter(pl.col(name).str.contains(_FORMULA_START)).unique().implode() for name in names
    )
    changes = []
    for name in names:
        mapping = {v: csv_field(v) for v in risky[name][0].to_list()}
        mapping = {k: v for k, v in mapping.items() if k != v}
        if mapping:
            changes.append(pl.col(name).replace(mapping))
    return table.with_columns(changes) if changes else table


_FORMULA_START = "^[" + "".join({"\t": "\\t", "\r": "\\r", "-": "\\-"}.get(c, c) for c in FORMULA_STARTS) + "]"
"""A regular expression (Polars') for text whose first character is one of FORMULA_STARTS."""


def _formatted(series: pl.Series) -> pl.Series:
    """Numbers as :func:`qimaturity._core.numbers.table_number` writes them (each distinct value formatted once)."""
    distinct = series.drop_nulls().unique().to_list()
    return series.replace_strict({v: table_number(v) for v in distinct}, default=None, return_dtype=pl.String)


def settle_all(
    rubric: Rubric,
    organisations: Sequence[str],
    questions: pl.DataFrame,
    targets: Mapping[str, int],
    default_target: int | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each organisation's domains and overall from its questions' results, by the row engine's code.

    ``questions`` has one row per organisation and rubric question, in order of organisation then question, with
    status, value and level. Returns the ``overall`` and ``domains`` tables.
    """
    stub = Assessment(Organisation("", ""), rubric.id, ())
    scorer = Scorer(rubric, stub, {}, (), targets, default_target, {}, explain=False)
    rubric_questions = list(rubric.questions())
    count = len(rubric_questions)
    statuses, values, levels = (questions[c].to_list() for c in ("status", "value", "level"))
    spans = []
    start = 0
    for domain in rubric.domains:
        spans.append((domain.id, start, start + len(domain.questions)))
        start += len(domain.questions)
    fixed = [(q.id, q.critical, q.weight) for q in rubric_questions]
    domain_targets = [scorer.domain_target(d) for d in rubric.domains]
    overall_target = scorer.overall_target()
    # Records and the words for a value repeat across organisations (a question has few distinct results): each
    # is made once.
    records: dict[tuple[int, str, float | None, int | None], QuestionRecord] = {}
    described: dict[tuple[str, float | None, int | None], tuple[str | None, float | None, str | None]] = {}

    every: list[QuestionRecord] = []  # in the questions' order: organisation, then question
    keys: Iterator[tuple[int, Status, float | None, int | None]] = zip(
        itertools.cycle(range(count)), statuses, values, levels
    )
    for key in keys:
        found = records.get(key)
        if found is None:
            k, status, value, level = key
            ident, critical, weight = fixed[k]
            found = records[key] = QuestionRecord(ident, status, value, level, critical, weight)
        every.append(found)

    def numbers(
        node: Literal["domain", "overall"],
        value: float | None,
        raw: float | None,
        level: int | None,
        target: int | None,
    ) -> tuple[float | None, float | None, int | None, str | None, float | None, str | None, int | None, int | None]:
        words = described.get((node, value, level))
        if words is None:
            band = scorer.band(value, level)
            name = rubric.level(level).name if level is not None else None
            percent = None if scorer.is_total(node) else scorer.percent(value)
            words = described[(node, value, level)] = (name, percent, band.name if band else None)
        gap = (target - level) if target is not None and level is not None else None
        return (value, raw, level, *words, target, gap)

    def held(level: int | None, rules: tuple[str, ...]) -> tuple[int | None, str | None]:
        """The level rules hold (``held_level``) and those rules (``held_by``), as the CSV writes them."""
        return (level, ", ".join(rules)) if rules else (None, None)

    overall_rows = []
    domain_rows = []
    for index in range(len(organisations)):
        offset = index * count
        settled = scorer.settle({ident: every[offset + a : offset + b] for ident, a, b in spans})
        for d_index, domain in enumerate(rubric.domains):
            state = scorer.domains[domain.id]
            domain_rows.append(
                (
                    index,
                    d_index,
                    domain.id,
                    *numbers("domain", state.value, state.raw_value, state.level, domain_targets[d_index]),
                    *held(state.level, state.held_by()),
                )
            )
        overall_rows.append(
            (
                index,
                *numbers("overall", settled.value, settled.raw_value, settled.level, overall_target),
                *held(settled.level, settled.held_by()),
            )
        )
    number_columns = [
        "value",
        "raw_value",
        "level",
        "level_name",
        "percent",
        "band",
        "target",
        "gap",
        "held_level",
        "held_by",
    ]
    schema = {
        "value": pl.Float64,
        "raw_value": pl.Float64,
        "level": pl.Int64,
        "level_name": pl.String,
        "percent": pl.Float64,
        "band": pl.String,
        "target": pl.Int64,
        "gap": pl.Int64,
        "held_level": pl.Int64,
        "held_by": pl.String,
    }
    overall = pl.DataFrame(overall_rows, schema={"__org": pl.Int64, **schema}, orient="row")
    domains = pl.DataFrame(
        domain_rows,
        schema={"__org": pl.Int64, "domain_index": pl.Int64, "domain_id": pl.String, **schema},
        orient="row",
    )
    assert list(schema) == number_columns
    return overall, domains


def with_interval_columns(
    rubric: Rubric,
    organisations: Sequence[str],
    overall: pl.DataFrame,
    domains: pl.DataFrame,
    moments: Mapping[str, Mapping[str, GroupMoments]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`settle_all`'s tables with each value's ``interval_low`` and ``interval_high``, from the moments of each
    organisation's respondents' scores (by id, scope and group), as full results place them
    (:func:`qimaturity.scoring.intervals.with_moments`); null where there is none."""
    ids = list(organisations)

    def bounds(frame: pl.DataFrame, scopes: list[str]) -> pl.DataFrame:
        low: list[float | None] = []
        high: list[float | None] = []
        for index, scope, raw in zip(frame["__org"].to_list(), scopes, frame["raw_value"].to_list(), strict=True):
            interval = None
            if raw is not None and estimates_intervals(rubric):
                interval = node_interval(rubric, raw, moments.get(ids[index], {}).get(scope, {}))
            low.append(interval.low if interval else None)
            high.append(interval.high if interval else None)
        return frame.with_columns(
            pl.Series("interval_low", low, dtype=pl.Float64), pl.Series("interval_high", high, dtype=pl.Float64)
        )

    return bounds(overall, [OVERALL] * overall.height), bounds(domains, domains["domain_id"].to_list())


def within_group_agreements(rubric: Rubric, pools: pl.DataFrame) -> pl.DataFrame:
    """``pools`` (one row per organisation, question and group that gave a level, with ``answered`` and
    ``variance``) with each group's ``agreement``: the kernel's r_wg (:func:`qimaturity.scoring.kernel.agreement`),
    1 − s² / σ²_EU and at least 0, null for a group with fewer answers than the rubric's
    ``agreement_min_respondents``.

    To the kernel's bit: σ²_EU is the kernel's float, and Polars divides by it as a column. Divided by a constant,
    Polars multiplies by its reciprocal instead, a last bit away on scales whose (A^2 - 1) / 12 is not exact
    (measured on 4-, 10- and 12-point scales); tests/test_columnar.py holds the two equal on such scales.
    """
    minimum = max(2, rubric.scoring.agreement_min_respondents)
    points = len(rubric.levels)
    expected = pl.repeat((points**2 - 1) / 12, pools.height, dtype=pl.Float64, eager=True).alias("__expected")
    within = (1 - pl.col("variance") / pl.col("__expected")).clip(lower_bound=0.0)
    return (
        pools.with_columns(expected)
        .with_columns(pl.when(pl.col("answered") >= minimum).then(within).alias("agreement"))
        .drop("__expected")
    )


def lowest_agreements(pools: pl.DataFrame) -> pl.DataFrame:
    """Per organisation and question, the lowest within-group ``agreement`` and its ``agreement_group`` (the first
    such group in the rubric's order, the respondents with no group last), as
    :func:`qimaturity.scoring.kernel.lowest_agreement` picks it. ``pools`` is in order of organisation, question and
    ``group_index``, so the first lowest is the first group's (no sort: a fifth of the time)."""
    return (
        pools.filter(pl.col("agreement").is_not_null())
        .group_by("__org", "question_index", maintain_order=True)
        .agg(
            pl.col("agreement").min(),
            pl.col("group").get(pl.col("agreement").arg_min()).alias("agreement_group"),
        )
    )


def question_table(
    rubric: Rubric,
    statistics: pl.DataFrame,
    targets: Mapping[str, int],
    default_target: int | None,
) -> pl.DataFrame:
    """Each organisation's question results (status, value, level, target, gap), from ``statistics`` (one row per
    organisation and rubric question, with ``answered``, ``na`` and ``value``), by the row engine's policies; the
    agreement is joined afterwards (:func:`with_agreements`)."""
    stub = Assessment(Organisation("", ""), rubric.id, ())
    scorer = Scorer(rubric, stub, {}, (), targets, default_target, {})
    rows = []
    for q_index, question in enumerate(rubric.questions()):
        domain = next(d for d in rubric.domains if d.id == question.domain_id)
        domain_target = scorer.domain_target(domain)
        target = scorer.question_target(question, domain_target)
        na_value, _ = scorer.uncounted_value(question, "na", target)
        missing_value, _ = scorer.uncounted_value(question, "missing", target)
        rows.append((q_index, question.id, rubric.domains.index(domain), domain.id, target, na_value, missing_value))
    table = pl.DataFrame(
        rows,
        schema={
            "question_index": pl.Int64,
            "question_id": pl.String,
            "domain_index": pl.Int64,
            "domain_id": pl.String,
            "target": pl.Int64,
            "na_value": pl.Float64,
            "missing_value": pl.Float64,
        },
        orient="row",
    )
    answered = pl.col("answered") > 0
    frame = statistics.join(table, on="question_index", how="left", maintain_order="left").with_columns(
        pl.when(answered)
        .then(pl.lit("answered"))
        .when(pl.col("na") > 0)
        .then(pl.lit("na"))
        .otherwise(pl.lit("missing"))
        .alias("status"),
        pl.when(answered)
        .then(pl.col("value"))
        .when(pl.col("na") > 0)
        .then(pl.col("na_value"))
        .otherwise(pl.col("missing_value"))
        .alias("value"),
    )
    distinct = frame["value"].drop_nulls().unique().to_list()
    levels = {v: scorer.to_level(v) for v in distinct}
    return frame.with_columns(
        pl.col("value").replace_strict(levels, default=None, return_dtype=pl.Int64).alias("level"),
    ).with_columns((pl.col("target") - pl.col("level")).alias("gap"))


def with_agreements(rubric: Rubric, questions: pl.DataFrame, agreements: pl.DataFrame) -> pl.DataFrame:
    """:func:`question_table`'s questions with their ``agreement`` and ``agreement_group`` (:func:`lowest_agreements`)
    and whether the respondents ``disagreement`` (some group's r_wg below the threshold)."""
    return questions.join(agreements, on=["__org", "question_index"], how="left", maintain_order="left").with_columns(
        (pl.col("agreement") < rubric.scoring.agreement_threshold - EPS).fill_null(False).alias("disagreement")
    )


_SIXTEENTHS = 16
"""Group values and weights that are whole numbers of 1/16 (a median of levels is a level or a half; weights such as
1.5 or 0.25) are added up by Polars exactly: their products and sums are whole numbers of 1/256 far below 2^53."""


def _whole_sixteenths(value: pl.Expr) -> pl.Expr:
    """Whether a value is a whole number of sixteenths below 2^16 (sixteenths are exact: 16 is a power of two)."""
    scaled = value * _SIXTEENTHS
    return (scaled == scaled.round(0)) & (value.abs() < 2**16)


def _is_whole_sixteenths(weight: float) -> bool:
    return (weight * _SIXTEENTHS).is_integer() and weight * _SIXTEENTHS < 2**20


def pooled_values(rubric: Rubric, statistics: pl.DataFrame, pools: pl.DataFrame) -> pl.DataFrame:
    """``statistics`` with each answered question's value pooled by group (``pooling: groups``).

    ``pools`` has one row per organisation, question and group that gave a level (the respondents with no group
    last, at the index after the rubric's groups), sorted so, with each group's ``value``: computed by Polars for
    all organisations at once. The groups are combined as :func:`qimaturity.scoring.kernel.pooled_value` combines
    them, Σ w·v / Σ w computed exactly and rounded once, so that both engines give the same float:

    - where every value and weight is a whole number of sixteenths (any median of levels, the usual weights), by
      Polars: the sums, in sixteenths, are whole numbers well below 2^53, so each is exact as a float and one
      division rounds their ratio once, as the kernel's ``float(Fraction)`` does;
    - otherwise (a mean of respondents, a weight of 0.1) by the kernel, once per distinct combination of groups and
      values.

    tests/test_columnar.py holds the first equal to the kernel on values and weights of both kinds.
    """
    weights = [g.weight for g in rubric.respondent_groups] + [1.0]
    scaled = [w * _SIXTEENTHS for w in weights]
    keys = ["__org", "question_index"]
    value = pl.col("value") * _SIXTEENTHS  # exact: a power of two
    whole = _whole_sixteenths(pl.col("value"))
    if all(_is_whole_sixteenths(w) for w in weights) and len(weights) <= 2**8:
        # |w| < 2^20 and |v| < 2^20 sixteenths, at most 2^8 groups: every sum is below 2^48.
        weight = pl.lit(pl.Series([int(w) for w in scaled], dtype=pl.Int64)).gather(pl.col("group_index"))
        sums = (
            pools.select(
                *keys,
                weight.alias("__w"),
                pl.when(whole).then(value).cast(pl.Int64).alias("__v"),
                whole.alias("__whole"),
            )
            .group_by(keys, maintain_order=True)
            .agg(
                (pl.col("__w") * pl.col("__v")).sum().alias("__numerator"),
                (pl.col("__w") * _SIXTEENTHS).sum().alias("__denominator"),
                pl.col("__whole").all().alias("__exact"),
            )
        )
        exact = sums.filter(pl.col("__exact")).select(
            *keys,
            # Both sums are columns: Polars divides by a column, never by a reciprocal.
            (pl.col("__numerator").cast(pl.Float64) / pl.col("__denominator").cast(pl.Float64)).alias("__pooled"),
        )
        rest = pools.join(sums.filter(~pl.col("__exact")).select(keys), on=keys, how="semi", maintain_order="left")
    else:
        exact = pl.DataFrame(schema={"__org": pl.Int64, "question_index": pl.Int64, "__pooled": pl.Float64})
        rest = pools
    per_question = rest.group_by(keys, maintain_order=True).agg("group_index", "value")
    combined: dict[tuple[tuple[int, ...], tuple[float, ...]], float] = {}
    values = []
    for indices, group_values in zip(
        per_question["group_index"].to_list(), per_question["value"].to_list(), strict=True
    ):
        key = (tuple(indices), tuple(group_values))
        found = combined.get(key)
        if found is None:
            found = combined[key] = pooled_value((v, weights[i]) for i, v in zip(indices, group_values, strict=True))
        values.append(found)
    pooled = pl.concat(
        [
            exact,
            per_question.select(keys).with_columns(pl.Series("__pooled", values, dtype=pl.Float64)),
        ],
        how="vertical",
    )
    return (
        statistics.join(pooled, on=keys, how="left", maintain_order="left")
        .with_columns(pl.coalesce("__pooled", "value").alias("value"))
        .drop("__pooled")
    )


def gap_table(rubric: Rubric, groups: pl.DataFrame) -> pl.DataFrame:
    """Perception gaps of the rubric's compared groups, per question and per domain (weighted means over the
    questions both groups answered)."""
    threshold = rubric.scoring.gap_threshold
    weights = pl.DataFrame(
        {
            "question_index": list(range(rubric.question_count)),
            "weight": [q.weight for q in rubric.questions()],
        }
    )
    parts = []
    for pair_index, (a, b) in enumerate(rubric.scoring.compare):
        left = groups.filter(pl.col("group") == a).select(
            "__org", "question_index", "domain_index", "domain_id", "question_id", pl.col("value").alias("a")
        )
        right = groups.filter(pl.col("group") == b).select("__org", "question_index", pl.col("value").alias("b"))
        both = left.join(right, on=["__org", "question_index"], how="inner").join(weights, on="question_index")
        label = pl.lit(f"{a} - {b}")
        parts.append(
            both.select(
                "__org",
                "domain_index",
                "question_index",
                pl.col("domain_id"),
                pl.col("question_id").alias("id"),
                label.alias("groups"),
                pl.lit(pair_index, pl.Int64).alias("pair_index"),
                pl.col("a").alias("value_a"),
                pl.col("b").alias("value_b"),
                (pl.col("a") - pl.col("b")).alias("gap"),
            )
        )
        # Summed as the row engine sums them (Engine.domain_perception_gaps): Σ v·w and Σ w correctly rounded
        # (math.fsum), each divided once. Group values and weights in whole sixteenths (medians of levels, the
        # usual weights) make every product and partial sum exact, so Polars' sums are those to the bit; the
        # domains with any other value (a mean of respondents) are summed by fsum.
        keys = ["__org", "domain_index", "domain_id"]
        exact = (
            _whole_sixteenths(pl.col("a")) & _whole_sixteenths(pl.col("b"))
            if all(_is_whole_sixteenths(q.weight) for q in rubric.questions())
            else pl.lit(False)
        )
        sums = both.group_by(keys, maintain_order=True).agg(
            (pl.col("a") * pl.col("weight")).sum().alias("__a"),
            (pl.col("b") * pl.col("weight")).sum().alias("__b"),
            pl.col("weight").sum().alias("__w"),
            exact.all().alias("__exact"),
        )
        summed = sums.filter(pl.col("__exact")).select(
            *keys, (pl.col("__a") / pl.col("__w")).alias("a"), (pl.col("__b") / pl.col("__w")).alias("b")
        )
        rest = (
            both.join(sums.filter(~pl.col("__exact")).select(keys), on=keys, how="semi")
            .group_by(keys, maintain_order=True)
            .agg(
                (pl.col("a") * pl.col("weight")).alias("a"),
                (pl.col("b") * pl.col("weight")).alias("b"),
                pl.col("weight").alias("w"),
            )
        )
        totals = [math.fsum(w) for w in rest["w"].to_list()]
        rest = rest.select(
            *keys,
            pl.Series("a", [math.fsum(t) / w for t, w in zip(rest["a"].to_list(), totals, strict=True)], pl.Float64),
            pl.Series("b", [math.fsum(t) / w for t, w in zip(rest["b"].to_list(), totals, strict=True)], pl.Float64),
        )
        per_domain = pl.concat([summed, rest], how="vertical")
        parts.append(
            per_domain.select(
                "__org",
                "domain_index",
                pl.lit(-1, pl.Int64).alias("question_index"),
                pl.col("domain_id"),
                pl.col("domain_id").alias("id"),
                label.alias("groups"),
                pl.lit(pair_index, pl.Int64).alias("pair_index"),
                pl.col("a").alias("value_a"),
                pl.col("b").alias("value_b"),
                (pl.col("a") - pl.col("b")).alias("gap"),
            )
        )
    empty = pl.DataFrame(
        schema={
            "__org": pl.Int64,
            "domain_index": pl.Int64,
            "question_index": pl.Int64,
            "domain_id": pl.String,
            "id": pl.String,
            "groups": pl.String,
            "pair_index": pl.Int64,
            "value_a": pl.Float64,
            "value_b": pl.Float64,
            "gap": pl.Float64,
        }
    )
    gaps = pl.concat([empty, *[p.cast(empty.schema) for p in parts]], how="vertical")
    return gaps.with_columns((pl.col("gap").abs() >= threshold - EPS).alias("flagged"))
