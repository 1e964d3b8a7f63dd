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
shows (an N/A and a respondent with no group are shown as answers). Per organisation and respondent group, the
counts of each question's levels as given and as counted are then what an export's counting pass makes.

An assessment the columnar path cannot score exactly is scored by the row engine, in its place
(:func:`batchable`): one with targets or a missing-answer policy of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from qimaturity.answers.model import Assessment
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.columnar import _GROUP, _ORG, METADATA, _Export, _q
from qimaturity.scoring.columnar_numbers import ExportScores
from qimaturity.scoring.engine import (
    counted_level,
    hidden_groups,
    respondent_counts,
    score,
)
from qimaturity.scoring.intervals import GroupMoments, estimates_intervals, respondent_moments
from qimaturity.scoring.result import Result
from qimaturity.scoring.tables import csv_text

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
    export = _Export.of_rubric(rubric)
    scale = [level.value for level in rubric.levels]
    width = len(scale)
    questions = list(rubric.questions())
    per_question = width + 3  # the levels as given, N/A, cells filled and cells that are no level (none here)
    counted_at = len(questions) * per_question
    columns = counted_at + len(questions) * width
    parts: list[int | str] = [*scale, "na", "n", "bad"]
    names = [_q(i, part) for i in range(len(questions)) for part in parts]
    names += [_q(i, f"counted{level}") for i in range(len(questions)) for level in scale]
    position = {level: k for k, level in enumerate(scale)}
    # A level below a question's evidence_from is counted as given (counted_level's first rule): only the others
    # are asked, a fifth of the answers or so.
    no_evidence = max(scale) + 1
    by_id = {
        q.id: (i, q, q.evidence_from if q.evidence_from is not None else no_evidence) for i, q in enumerate(questions)
    }
    intervals = estimates_intervals(rubric)

    flat: list[int] = []
    keys: list[str] = []
    groups: list[str | None] = []
    respondents: list[int] = []
    shown: list[int] = []  # per assessment and question: the answers a result records (N/A too; hidden groups not)
    moments: dict[str, dict[str, GroupMoments]] = {}
    for index, assessment in enumerate(assessments):
        key = str(index)
        counts = respondent_counts(rubric, assessment)
        hidden = hidden_groups(rubric, counts)
        row_of: dict[str | None, int] = {}
        for count in counts:
            row_of[count.group] = len(keys)
            keys.append(key)
            groups.append(count.group)
            respondents.append(count.respondents)
        flat.extend([0] * (columns * len(counts)))
        register = {record.id: record for record in reversed(assessment.evidence)}
        day = assessment.date
        answers_shown = [0] * len(questions)
        levels: dict[str, list[tuple[str, int]]] = {}
        for respondent in assessment.respondents:
            group = respondent.group
            row = row_of[group] * columns
            secret = group in hidden
            for answer in respondent.answers:
                i, question, evidence_from = by_id[answer.question_id]
                if not secret:
                    answers_shown[i] += 1
                at = row + i * per_question
                flat[at + width + 1] += 1
                given = answer.level
                if given is None:
                    flat[at + width] += 1
                    continue
                if given < evidence_from:
                    used = given
                else:
                    used, _ = counted_level(rubric, day, question, group, answer, register, scale)
                flat[at + position[given]] += 1
                flat[row + counted_at + i * width + position[used]] += 1
                if intervals:
                    levels.setdefault(question.id, []).append((respondent.id, used))
        shown.extend(answers_shown)
        if intervals:
            moments[key] = respondent_moments(rubric, levels, {r.id: r.group for r in assessment.respondents})

    frame = pl.DataFrame(
        {
            _ORG: keys,
            _GROUP: pl.Series(groups, dtype=pl.String),
            "n": pl.Series(respondents, dtype=pl.Int64),
            **{name: pl.Series(flat[k::columns], dtype=pl.Int64) for k, name in enumerate(names)},
        }
    )
    ids = [str(index) for index in range(len(assessments))]
    organisations = pl.DataFrame({_ORG: ids}, schema={_ORG: pl.String})
    metadata: dict[str, dict[str, list[str]]] = {key: {c: [] for c in METADATA} for key in ids}

    def build(index: int) -> Result:
        return score(rubric, assessments[index], targets=targets, default_target=default_target)

    scores = export.score(
        frame, organisations, metadata, dict(targets or {}), default_target, moments, counted=True, build=build
    )
    # A question's respondents: those of the groups shown, or else (no group shown) every answer it records.
    answered = pl.DataFrame(
        {
            "__org": [k for k in range(len(assessments)) for _ in questions],
            "question_index": list(range(len(questions))) * len(assessments),
            "__shown": shown,
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
