"""The columnar engine on assessments held in memory: many answers files' results as tables, a batch at a time.

``score FOLDER --format csv`` loads and checks each answers file as always; the assessments are then scored
together, a batch of :data:`BATCH` at a time, by the columnar engine that scores respondent exports
(:meth:`qimaturity.scoring.columnar._Export.score` and :mod:`qimaturity.scoring.columnar_numbers`), instead of one
by one by the row engine. The tables it gives (:class:`~qimaturity.scoring.columnar_numbers.ExportScores`) are
written as CSV by the same writer as ``score-export``'s, and the text is the row engine's, byte for byte
(tests/test_columnar_assessments.py holds them equal on generated answers files of every rubric).

What an answers file carries and an export cannot is worked out here, answer by answer, before anything is
counted: each answer's counted level under the evidence rule (its evidence cited or not, dated within the rubric's
``max_age_days`` or not, by itself or by the evidence register: :func:`qimaturity.scoring.engine.counted_level`,
the row engine's own function), the respondents' own scores for the intervals
(:func:`qimaturity.scoring.intervals.respondent_moments`, the row engine's too), and how many answers each question
shows (an N/A and a respondent with no group are shown as answers). Polars then counts each question's levels as
given and as counted per organisation and respondent group: the cells an export's counting pass leads to, handed
to the columnar engine as they are (one row per question, not an export's one column per question and level).

An assessment the columnar path cannot score exactly is scored by the row engine, in its place
(:func:`batchable`): one with targets or a missing-answer policy of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from qimaturity.answers.model import Assessment
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.columnar import _GROUP, _ORG, METADATA, _Export, _s, cell_columns
from qimaturity.scoring.columnar_numbers import ExportScores
from qimaturity.scoring.engine import (
    NO_TRACE,
    Scorer,
    counted_level,
    hidden_groups,
    respondent_counts,
    score,
)
from qimaturity.scoring.intervals import (
    OVERALL,
    GroupMoments,
    estimates_intervals,
    node_interval,
)
from qimaturity.scoring.result import (
    BandPosition,
    DomainResult,
    Interval,
    OrganisationRef,
    OverallResult,
    PerceptionGap,
    RespondentCount,
    Result,
    RubricRef,
)
from qimaturity.scoring.tables import csv_text
from qimaturity.version import __version__

BATCH = 500
"""Assessments scored together: enough that the tables' fixed costs are small, few enough that memory is flat."""


def batchable(assessment: Assessment) -> bool:
    """Whether the columnar path gives the assessment's result exactly: not when it has targets or a
    missing-answer policy of its own (the columnar engine takes one set of targets and the rubric's policy)."""
    return not assessment.targets and assessment.missing is None


def score_assessments(
    rubric: Rubric,
    assessments: Sequence[Assessment],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
) -> ExportScores:
    """The assessments' results as the columnar engine's tables, in their order (``__org`` is the index), with
    each domain's and the overall interval; a full result, asked for by index, is the row engine's.

    Each must have been checked against the rubric (:func:`qimaturity.load_assessment` does) and be
    :func:`batchable`; ``targets`` and ``default_target`` are as for :func:`qimaturity.score`.
    """
    counted = _Counted.of(rubric, assessments)

    def build(index: int) -> Result:
        return score(rubric, assessments[index], targets=targets, default_target=default_target)

    scores = counted.scores(targets, default_target, build, intervals=True)
    questions = list(rubric.questions())
    # A question's respondents: those of the groups shown, or else (no group shown) every answer it records.
    answered = pl.DataFrame(
        {
            "__org": [k for k in range(len(assessments)) for _ in questions],
            "question_index": list(range(len(questions))) * len(assessments),
            "__shown": counted.shown,
        },
        schema={"__org": pl.Int64, "question_index": pl.Int64, "__shown": pl.Int64},
    )
    question_table = (
        scores.questions.join(answered, on=["__org", "question_index"], how="left", maintain_order="left")
        .with_columns(pl.when(pl.col("respondents") > 0).then("respondents").otherwise("__shown").alias("respondents"))
        .drop("__shown")
    )
    table = pl.DataFrame(
        {
            "__org": list(range(len(assessments))),
            "organisation_id": [a.organisation.id for a in assessments],
            "organisation_name": [a.organisation.name for a in assessments],
            "date": [a.date or None for a in assessments],
        },
        schema={"__org": pl.Int64, "organisation_id": pl.String, "organisation_name": pl.String, "date": pl.String},
    )
    return ExportScores(
        table, scores.overall, scores.domains, question_table, scores.groups, scores.gaps, rubric, build
    )


@dataclass(frozen=True)
class _Counted:
    """Assessments counted as an export's counting pass counts respondents: what the columnar engine scores."""

    rubric: Rubric
    assessments: Sequence[Assessment]
    frame: pl.DataFrame
    """Per assessment, respondent group and question answered there: the counts of its levels, as given and as
    counted (the cells :meth:`qimaturity.scoring.columnar._Export.score` takes with ``counted``)."""
    respondents: list[tuple[RespondentCount, ...]]
    """Each assessment's respondents per group, as its result records them."""
    moments: dict[str, dict[str, GroupMoments]]
    """By assessment index (as text), the moments of the respondents' own scores (empty without intervals)."""
    shown: list[int]
    """Per assessment and question: the answers a result records (N/A too; hidden groups' not)."""

    @classmethod
    def of(cls, rubric: Rubric, assessments: Sequence[Assessment]) -> _Counted:
        scale = [level.value for level in rubric.levels]
        questions = list(rubric.questions())
        # A level below a question's evidence_from is counted as given (counted_level's first rule): only the
        # others are asked, a fifth of the answers or so.
        no_evidence = max(scale) + 1
        by_id = {
            q.id: (i, q, q.evidence_from if q.evidence_from is not None else no_evidence)
            for i, q in enumerate(questions)
        }
        intervals = estimates_intervals(rubric)

        # One entry per answer (its row: assessment and group; its question; its level as given and as counted,
        # None for N/A), counted into cells by Polars: a list append per answer is the only Python work.
        answer_rows: list[int] = []
        answer_questions: list[int] = []
        answer_given: list[int | None] = []
        answer_used: list[int | None] = []
        orgs: list[int] = []
        groups: list[str | None] = []
        # For the intervals, one entry per respondent: its assessment (as text, the key of the moments), its group
        # and each question's slot (:meth:`_Export.slots_query`'s: 0 unanswered, 1 + the counted level's position
        # on the scale, N/A after the scale), one question after another.
        respondent_keys: list[str] = []
        respondent_groups: list[str | None] = []
        slots: list[int] = []
        respondents: list[int] = []
        every_count: list[tuple[RespondentCount, ...]] = []
        shown: list[int] = []
        question_count = len(questions)
        unanswered = [0] * question_count
        slot_of: dict[int | None, int] = {level: k + 1 for k, level in enumerate(scale)}
        slot_of[None] = len(scale) + 1  # N/A
        add_row, add_question, add_given, add_used = (
            answer_rows.append,
            answer_questions.append,
            answer_given.append,
            answer_used.append,
        )
        for index, assessment in enumerate(assessments):
            counts = respondent_counts(rubric, assessment)
            every_count.append(counts)
            hidden = hidden_groups(rubric, counts)
            row_of: dict[str | None, int] = {}
            for count in counts:
                row_of[count.group] = len(orgs)
                orgs.append(index)
                groups.append(count.group)
                respondents.append(count.respondents)
            register = {record.id: record for record in reversed(assessment.evidence)}
            day = assessment.date
            answers_shown = [0] * len(questions)
            key = str(index)
            for respondent in assessment.respondents:
                group = respondent.group
                row = row_of[group]
                secret = group in hidden
                # Without intervals, the slots are written to a scratch row (the loop stays one loop).
                respondent_slots = list(unanswered)
                if intervals:
                    respondent_keys.append(key)
                    respondent_groups.append(group)
                for answer in respondent.answers:
                    i, question, evidence_from = by_id[answer.question_id]
                    if not secret:
                        answers_shown[i] += 1
                    add_row(row)
                    add_question(i)
                    given = answer.level
                    add_given(given)
                    if given is None:
                        used = None
                    elif given < evidence_from:
                        used = given
                    else:
                        used, _ = counted_level(rubric, day, question, group, answer, register, scale)
                    add_used(used)
                    respondent_slots[i] = slot_of[used]
                if intervals:
                    slots.extend(respondent_slots)
            shown.extend(answers_shown)

        given_names, counted_names = cell_columns(len(scale))
        answers = pl.DataFrame(
            {"row": answer_rows, "question_index": answer_questions, "given": answer_given, "used": answer_used},
            schema={"row": pl.Int64, "question_index": pl.Int64, "given": pl.Int64, "used": pl.Int64},
        )
        rows = pl.DataFrame(
            {"row": range(len(orgs)), "__org": orgs, _GROUP: groups, "n": respondents},
            schema={"row": pl.Int64, "__org": pl.Int64, _GROUP: pl.String, "n": pl.Int64},
        )
        frame = (
            answers.group_by("row", "question_index")
            .agg(
                pl.col("given").is_null().sum().cast(pl.Int64).alias("na"),
                *[
                    (pl.col("given") == v).sum().cast(pl.Int64).alias(n)
                    for v, n in zip(scale, given_names, strict=True)
                ],
                *[
                    (pl.col("used") == v).sum().cast(pl.Int64).alias(n)
                    for v, n in zip(scale, counted_names, strict=True)
                ],
            )
            .join(rows, on="row")
            .drop("row")
        )
        moments: dict[str, dict[str, GroupMoments]] = {}
        if intervals:
            export = _Export.of_rubric(rubric)
            moments = export.counted_moments(
                pl.DataFrame(
                    {
                        _ORG: respondent_keys,
                        _GROUP: respondent_groups,
                        **{_s(i): slots[i::question_count] for i in range(question_count)},
                    },
                    schema={_ORG: pl.String, _GROUP: pl.String, **{_s(i): pl.Int64 for i in range(question_count)}},
                ),
                [str(index) for index in range(len(assessments))],
            )
        return cls(rubric, assessments, frame, every_count, moments, shown)

    def scores(
        self,
        targets: Mapping[str, int] | None,
        default_target: int | None,
        build: Callable[[int], Result],
        *,
        intervals: bool,
    ) -> ExportScores:
        """The columnar engine's tables of the counts, with the interval columns when ``intervals`` (empty for a
        rubric whose values get none); ``build`` makes an assessment's full result by its index."""
        ids = [str(index) for index in range(len(self.assessments))]
        organisations = pl.DataFrame({_ORG: ids}, schema={_ORG: pl.String})
        metadata: dict[str, dict[str, list[str]]] = {key: {c: [] for c in METADATA} for key in ids}
        export = _Export.of_rubric(self.rubric)
        moments = self.moments if intervals else None
        return export.score(
            self.frame,
            organisations,
            metadata,
            dict(targets or {}),
            default_target,
            moments,
            counted=True,
            build=build,
        )


def csv_texts(
    rubric: Rubric,
    assessments: Sequence[Assessment],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """The CSV rows (no header) of the assessments' results, in their order, as texts each covering a run of
    them, with each one's organisation name and overall level: the text :func:`qimaturity.scoring.tables.csv_text`
    gives for their row-engine results, joined. A :func:`batchable` assessment is scored by the columnar engine
    (with the others of its batch), any other by the row engine."""
    together = [a for a in assessments if batchable(a)]
    scores = score_assessments(rubric, together, targets=targets, default_target=default_target) if together else None
    levels = scores.overall["level"].to_list() if scores is not None else []
    spans: list[tuple[int, int]] = []
    plan: list[tuple[str, int, int] | Result] = []  # in order: runs of batched assessments, or a row result
    taken = 0
    for assessment in assessments:
        if batchable(assessment):
            if plan and isinstance(plan[-1], tuple):
                plan[-1] = ("run", plan[-1][1], taken + 1)
            else:
                plan.append(("run", taken, taken + 1))
            taken += 1
        else:
            plan.append(score(rubric, assessment, targets=targets, default_target=default_target))
    spans = [(item[1], item[2]) for item in plan if isinstance(item, tuple)]
    parts = iter(scores.csv_parts(spans)) if scores is not None else iter(())
    texts: list[tuple[str, list[tuple[str, int | None]]]] = []
    for item in plan:
        if isinstance(item, Result):
            texts.append((csv_text(item), [(item.organisation.name, item.overall.level)]))
        else:
            _, start, end = item
            who = [(together[k].organisation.name, levels[k]) for k in range(start, end)]
            texts.append((next(parts), who))
    return texts


def slim_results(
    rubric: Rubric,
    assessments: Sequence[Assessment],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
) -> list[Result]:
    """The assessments' slim results (:meth:`Result.slim`: no questions, traces or priorities; what a cohort
    needs), in their order, each equal to ``score(rubric, assessment, ...).slim()``. A :func:`batchable` assessment
    is scored by the columnar engine with the others of its batch and its result built from the tables, any other
    by the row engine. Each must have been checked against the rubric; options as for :func:`qimaturity.score`."""
    together = [a for a in assessments if batchable(a)]
    made = iter(_slim_batch(rubric, together, targets, default_target) if together else ())
    return [
        next(made)
        if batchable(a)
        else score(rubric, a, targets=targets, default_target=default_target, details=False).slim()
        for a in assessments
    ]


def _slim_batch(
    rubric: Rubric,
    assessments: Sequence[Assessment],
    targets: Mapping[str, int] | None,
    default_target: int | None,
) -> list[Result]:
    """:func:`slim_results` of batchable assessments, from the columnar engine's tables. The tables hold each
    node's numbers as the row engine's own code settles them (:func:`~qimaturity.scoring.columnar_numbers.settle_all`);
    what they hold as words is taken again from that code (the band's position, the level of the raw value, the
    points), and each interval is placed from the respondents' moments as the row engine places it
    (:func:`~qimaturity.scoring.intervals.node_interval`)."""
    counted = _Counted.of(rubric, assessments)

    def build(index: int) -> Result:
        return score(rubric, assessments[index], targets=targets, default_target=default_target)

    tables = counted.scores(targets, default_target, build, intervals=False)
    scorer = Scorer(rubric, assessments[0], {}, (), dict(targets or {}), default_target, {}, explain=False)
    reference = RubricRef(rubric.id, rubric.version, rubric.title, rubric.content_hash)
    engine = f"qimaturity {__version__}"
    intervals = estimates_intervals(rubric)
    domains_of = rubric.domains
    count = len(domains_of)
    question_count = rubric.question_count
    weights = [q.weight for q in rubric.questions()]
    spans = []
    start = 0
    for domain in domains_of:
        spans.append((start, start + len(domain.questions)))
        start += len(domain.questions)
    names = ("value", "raw_value", "level", "level_name", "percent", "target", "gap", "held_level", "held_by")
    overall = tables.overall.sort("__org")
    domains = tables.domains.sort("__org", "domain_index")
    questions = tables.questions.sort("__org", "question_index")
    o_cols = [overall[c].to_list() for c in names]
    d_cols = [domains[c].to_list() for c in names]
    statuses, values = questions["status"].to_list(), questions["value"].to_list()
    assert overall.height == len(assessments) and domains.height == count * len(assessments)
    gaps: dict[tuple[int, int], list[PerceptionGap]] = {}
    domain_gaps = tables.gaps.filter(pl.col("question_index") == -1).sort("__org", "domain_index", "pair_index")
    pairs = rubric.scoring.compare
    for org, d_index, pair, a, b, gap, flagged in domain_gaps.select(
        "__org", "domain_index", "pair_index", "value_a", "value_b", "gap", "flagged"
    ).iter_rows():
        group_a, group_b = pairs[pair]
        gaps.setdefault((org, d_index), []).append(PerceptionGap(group_a, group_b, a, b, gap, flagged))
    bands: dict[tuple[float | None, int | None], BandPosition | None] = {}
    raw_levels: dict[tuple[float | None, bool], int | None] = {}

    def band(value: float | None, level: int | None) -> BandPosition | None:
        found = bands.get((value, level), False)
        if found is False:
            found = bands[(value, level)] = scorer.band(value, level)
        return found  # type: ignore[return-value]

    def raw_level(value: float | None, node: str) -> int | None:
        key = (value, node == "overall")
        if key not in raw_levels:
            raw_levels[key] = scorer.node_level(value, "overall" if node == "overall" else "domain")
        return raw_levels[key]

    def interval(index: int, scope: str, raw: float | None) -> Interval | None:
        if not intervals or raw is None:
            return None
        return node_interval(rubric, raw, counted.moments[str(index)].get(scope, {}))

    results = []
    for index, assessment in enumerate(assessments):
        nodes = []
        for d_index, domain in enumerate(domains_of):
            row = index * count + d_index
            value, raw, level, level_name, percent, target, gap, held_level, held_by = (c[row] for c in d_cols)
            first, last = spans[d_index]
            at = index * question_count
            items = [
                (q.id, values[at + k], weights[k])
                for k, q in enumerate(domain.questions, start=first)
                if values[at + k] is not None
            ]
            points, max_points = scorer.points(rubric.scoring.questions, items)
            shown = statuses[at + first : at + last]
            nodes.append(
                DomainResult(
                    id=domain.id,
                    title=domain.title,
                    value=value,
                    raw_value=raw,
                    level=level,
                    level_name=level_name,
                    percent=percent,
                    points=points,
                    max_points=max_points,
                    band=band(value, level),
                    weight=domain.weight,
                    target=target,
                    gap=gap,
                    answered=shown.count("answered"),
                    not_applicable=shown.count("na"),
                    missing=shown.count("missing"),
                    perception_gaps=tuple(gaps.get((index, d_index), ())),
                    questions=(),
                    trace=NO_TRACE,
                    raw_level=raw_level(raw, "domain"),
                    held_level=held_level,
                    held_by=tuple(held_by.split(", ")) if held_by else (),
                    interval=interval(index, domain.id, raw),
                )
            )
        value, raw, level, level_name, percent, target, gap, held_level, held_by = (c[index] for c in o_cols)
        points, max_points = scorer.points(
            rubric.scoring.domains, [(d.id, d.value, d.weight) for d in nodes if d.value is not None]
        )
        whole = OverallResult(
            value=value,
            raw_value=raw,
            level=level,
            level_name=level_name,
            percent=percent,
            points=points,
            max_points=max_points,
            band=band(value, level),
            target=target,
            gap=gap,
            trace=NO_TRACE,
            raw_level=raw_level(raw, "overall"),
            held_level=held_level,
            held_by=tuple(held_by.split(", ")) if held_by else (),
            interval=interval(index, OVERALL, raw),
        )
        org = assessment.organisation
        results.append(
            Result(
                engine=engine,
                rubric=reference,
                organisation=OrganisationRef(org.id, org.name, org.type, org.region, org.metadata),
                date=assessment.date,
                assessor=assessment.assessor,
                respondents=counted.respondents[index],
                overall=whole,
                domains=tuple(nodes),
                priorities=(),
                evidence=assessment.evidence,
            )
        )
    return results
