"""Scoring: a rubric and an assessment in, an explained :class:`Result` out. Pure: no file or terminal I/O.

Order of work, as documented in docs/scoring.md:

1. each respondent's answer, with the evidence rule applied, then respondents combined into a question value;
   agreement (r_wg), values per respondent group and perception gaps between compared groups;
2. N/A and missing answers counted by the rubric's policies; what-if levels replace a question's value;
3. questions combined into domain values; domain-scope rules applied, rule by rule across all domains;
4. domains combined into the overall value; overall rules applied in order;
5. levels, bands, targets, gaps and ranked improvement priorities.

Step 1 is split in two so that answers can come from elsewhere: :func:`answer_statistics` reduces each
question's answers to a :class:`QuestionStats` (the row engine, one answer at a time), and everything after that
starts from those statistics (:func:`score_statistics`). The columnar engine (``qimaturity.scoring.columnar``) computes
the same statistics from aggregates of a respondent export and shares all the rest.

Continuous values are kept beside the integer levels used for rules. Values measure the answers and rules judge
levels: a rule that holds a level (a cap, gate or staged rule in force) lowers or keeps the level at its limit and
records that it holds it, but never changes the value, so the overall value, rankings and changes see the progress
that the answers show. The band of a held domain or overall is never above the band its held level allows (see
:meth:`Scorer.band`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple, Protocol

from qimaturity._core.frozen import FrozenMap, maker
from qimaturity._core.numbers import trace_number
from qimaturity._core.order import NaturalKey, natural_key
from qimaturity.answers.checks import require_checked
from qimaturity.answers.model import Answer, Assessment, EvidenceRecord, Respondent
from qimaturity.rubric.expressions import Context, EvaluationError
from qimaturity.rubric.model import (
    AllOf,
    AnyOf,
    Condition,
    Count,
    CriticalBelow,
    Domain,
    ExpressionCondition,
    ItemLevel,
    Method,
    Not,
    Question,
    Rubric,
    Rule,
)
from qimaturity.rubric.wording import condition_text
from qimaturity.scoring.kernel import (
    counts_of,
    even_median_note,
    evidence_level,
    group_agreement,
    level_below,
    lowest_agreement,
    pooled_value,
    respondent_value,
)
from qimaturity.scoring.result import (
    Adjustment,
    AnswerRecord,
    BandPosition,
    DomainResult,
    GroupValue,
    OrganisationRef,
    OverallResult,
    PerceptionGap,
    Priority,
    Projection,
    QuestionResult,
    RespondentCount,
    Result,
    RubricRef,
    Status,
    SuppressedGroup,
    Trace,
    TraceInput,
)
from qimaturity.version import __version__

EPS = 1e-9


def aggregate_value(method: Method, items: Sequence[tuple[str, float, float]]) -> float:
    """Combine (id, value, weight) items by ``method`` (at least one item)."""
    if method == "sum":
        return math.fsum([w * v for _, v, w in items])
    if method in ("weighted_mean", "weighted_sum"):
        return math.fsum([w * v for _, v, w in items]) / math.fsum([w for _, _, w in items])
    if method == "mean":
        return math.fsum([v for _, v, _ in items]) / len(items)
    if method == "minimum":
        return min(v for _, v, _ in items)
    return max(v for _, v, _ in items)


def aggregate(method: Method, items: Sequence[tuple[str, float, float]]) -> tuple[float, str]:
    """Combine (id, value, weight) items by ``method``; return the value and the arithmetic in words."""
    value = aggregate_value(method, items)
    values = [v for _, v, _ in items]
    if method == "sum":
        return (
            value,
            f"{' + '.join(f'{trace_number(w)}×{trace_number(v)}' for _, v, w in items)} = {trace_number(value)}",
        )
    if method in ("weighted_mean", "weighted_sum"):
        terms = " + ".join(f"{trace_number(w)}×{trace_number(v)}" for _, v, w in items)
        return value, f"({terms}) / {trace_number(math.fsum(w for _, _, w in items))} = {trace_number(value)}"
    if method == "mean":
        return value, f"({' + '.join(trace_number(v) for v in values)}) / {len(values)} = {trace_number(value)}"
    if method == "minimum":
        return value, f"min({', '.join(trace_number(v) for v in values)}) = {trace_number(value)}"
    return value, f"max({', '.join(trace_number(v) for v in values)}) = {trace_number(value)}"


@dataclass(frozen=True)
class QuestionStats:
    """What the answers to one question add up to: everything scoring needs after respondent aggregation.

    The row engine computes it from each respondent's answer (:func:`answer_statistics`); the columnar engine from
    aggregates of a respondent export. A question nobody answered has no statistics (:data:`NO_ANSWERS`).
    """

    counted: tuple[tuple[int, int], ...] = ()
    """(counted level, number of answers at it), ascending: the levels after the evidence rule, N/A left out."""
    na: int = 0
    """Answers that said N/A."""
    value: float | None = None
    """The rubric's respondent aggregate of the counted levels; ``None`` when no level was given."""
    agreements: tuple[tuple[str | None, float | None], ...] = ()
    """r_wg within each respondent group that gave a level (``None``: the respondents with no group, last), from the
    levels as given (before the evidence rule); ``None`` for a group with too few answers to say."""
    by_group: tuple[GroupValue, ...] = ()
    """The respondent aggregate within each respondent group that gave a level, in the rubric's group order."""
    method: str = ""
    """The trace's method, e.g. ``median of 3 answer(s)``."""
    arithmetic: str = ""
    """The trace's arithmetic, e.g. ``median(2, 3, 4) = 3``."""
    inputs: tuple[TraceInput, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    """What the evidence rule did."""
    answers: tuple[AnswerRecord, ...] = ()
    """Each answer, where the answers are known one by one."""
    levels_by_respondent: tuple[tuple[str, int], ...] = ()
    """(respondent id, counted level) of every answer that gave a level, a hidden group's too, where the answers
    are known one by one: what each respondent's own score is made of (:mod:`qimaturity.scoring.intervals`)."""
    numbers_key: tuple[tuple[str | None, int, int], ...] | None = None
    """What the numbers (counts, value, agreements, group values) are made from, where known: each answer's (group,
    counted level, level given) in the rubric's group order. Equal keys give equal numbers, so a question's result
    without details can be reused (:meth:`Scorer.score_question`); ``None``: not known."""

    @property
    def answered(self) -> int:
        """How many answers gave a level."""
        return sum(n for _, n in self.counted)


NO_ANSWERS = QuestionStats()

_QUESTION_STATS = maker(QuestionStats)
_QUESTION_RESULT = maker(QuestionResult)
_PRIORITY = maker(Priority)

NO_TRACE = Trace("", (), "")
"""The trace of a node scored without its explanation (``details=False``)."""


def evidence_problem(
    rubric: Rubric, assessment_date: str | None, answer: Answer, register: Mapping[str, EvidenceRecord] | None = None
) -> str | None:
    """Why an answer's evidence does not support its level, or ``None`` when it does. An item that names an entry of
    the evidence ``register`` is dated by the entry."""
    policy = rubric.scoring.evidence
    if not answer.evidence:
        return "no evidence cited"
    if policy.max_age_days is None or assessment_date is None:
        return None
    assessed = date.fromisoformat(assessment_date)
    dated: list[str] = []
    for item in answer.evidence:
        entry = register.get(item.id) if register and item.id is not None else None
        when = entry.date if entry is not None else item.date
        if when is not None:
            dated.append(when)
    if not dated:
        return f"evidence is undated, so its age (at most {policy.max_age_days} days) cannot be checked"
    ages = [(assessed - date.fromisoformat(when)).days for when in dated]
    if any(0 <= age <= policy.max_age_days for age in ages):
        return None
    if all(age < 0 for age in ages):
        return "evidence is dated after the assessment"
    return f"no evidence dated within {policy.max_age_days} days before the assessment"


def counted_level(
    rubric: Rubric,
    assessment_date: str | None,
    question: Question,
    group: str | None,
    answer: Answer,
    register: Mapping[str, EvidenceRecord] | None,
    scale: Sequence[int],
) -> tuple[int, str | None]:
    """The level an answer (one that gives a level) counts at under the evidence rule, and why its evidence does
    not support its level (``None`` when it does, or needs none). Only the groups a question asks for evidence must
    give it: a frontline answer is never capped for lacking the board paper the question asks of the board. Both
    engines count answers by it (the columnar one for assessments in memory:
    :mod:`qimaturity.scoring.columnar_assessments`)."""
    level = answer.level
    assert level is not None
    if question.evidence_from is None or not question.asks_evidence(group, level):
        return level, None
    reason = evidence_problem(rubric, assessment_date, answer, register)
    if reason is None:
        return level, None
    cap = rubric.scoring.evidence.on_missing == "cap"
    return evidence_level(scale, question.evidence_from, level, cap=cap), reason


def answer_statistics(rubric: Rubric, assessment: Assessment, *, details: bool = True) -> dict[str, QuestionStats]:
    """Each answered question's :class:`QuestionStats`, from the respondents' answers one by one. Without
    ``details`` the statistics hold the numbers alone (no answers, trace inputs, arithmetic or evidence
    adjustments: what a result without its traces needs), in a fraction of the time."""
    plan = rubric_plan(rubric)
    # Each question's answers in the rubric's group order, then by respondent id: the respondents sorted once.
    respondents = sorted(assessment.respondents, key=plan.respondent_key)
    register = {record.id: record for record in reversed(assessment.evidence)}
    if not details:
        return _question_numbers(plan, rubric, assessment.date, respondents, register)
    by_question: dict[str, list[tuple[Respondent, Answer]]] = {}
    for respondent in respondents:
        for answer in respondent.answers:
            by_question.setdefault(answer.question_id, []).append((respondent, answer))
    hidden = hidden_groups(rubric, respondent_counts(rubric, assessment))
    return {
        question.id: _question_stats(rubric, assessment.date, question, entries, plan.group_order, hidden, register)
        for question in plan.questions
        if (entries := by_question.get(question.id))
    }


class RubricPlan:
    """What scoring reads of a rubric again and again, worked out once per rubric (:func:`rubric_plan`)."""

    def __init__(self, rubric: Rubric):
        scoring = rubric.scoring
        self.scale = [level.value for level in rubric.levels]
        self.ascending = all(a < b for a, b in zip(self.scale, self.scale[1:], strict=False))
        self.rubric = rubric
        self.questions = tuple(rubric.questions())
        self.question_by_id = {q.id: q for q in self.questions}
        # The questions with an evidence rule, by id, and the level an answer to one counts at without evidence,
        # by (question id, group, level given): see uncited_level.
        self.asks_evidence = {q.id: q for q in self.questions if q.evidence_from is not None}
        self.uncited: dict[tuple[str, str | None, int], int] = {}
        self.group_order = {g.id: i for i, g in enumerate(rubric.respondent_groups)}
        self.group_weights: dict[str | None, float] = {g.id: g.weight for g in rubric.respondent_groups}
        self.fewer_than = fewer_than(rubric)
        self.steps: dict[tuple[str, int], tuple[int | None, str | None, str | None, str | None, str | None]] = {}
        self.cap = scoring.evidence.on_missing == "cap"
        # Memos of the kernel's functions of a few levels: a question has a handful of answers, and the same
        # handfuls come back question after question.
        self.values: dict[tuple[int, ...], float] = {}
        self.agreements: dict[tuple[int, ...], float | None] = {}
        self.pooled: dict[tuple[tuple[float, float], ...], float] = {}
        # A question's numbers by its answers' (group, counted level, level given), in the rubric's group order.
        self.tallies: dict[
            tuple[tuple[str | None, int, int], ...],
            tuple[
                tuple[tuple[int, int], ...],
                float | None,
                tuple[tuple[str | None, float | None], ...],
                tuple[GroupValue, ...],
            ],
        ] = {}

        # Questions' results without details by (question id, numbers key, groups hidden, target): see
        # Scorer.score_question.
        self.question_results: dict[
            tuple[str, tuple[tuple[str | None, int, int], ...], tuple[str, ...], int | None], QuestionResult
        ] = {}
        # The groups not shown, and why, by their ids (a rubric has a few such lists): see suppressed.
        self.suppressed_groups: dict[tuple[str, ...], tuple[SuppressedGroup, ...]] = {}
        # Priorities by (question id, level, target, rank, respondents at the next level, respondents): see
        # Scorer.priorities.
        self.priorities: dict[tuple[str, int, int, int, int, int], Priority] = {}

    def step(self, question: Question, level: int) -> tuple[int | None, str | None, str | None, str | None, str | None]:
        """A priority's next step from ``level`` of ``question``: the next level, the step, the next level's
        descriptor, the step's measure and its owner."""
        key = (question.id, level)
        found = self.steps.get(key)
        if found is None:
            higher = [v for v in self.scale if v > level]
            nxt = higher[0] if higher else None
            current = question.descriptor(level)
            following = question.descriptor(nxt) if nxt is not None else None
            found = self.steps[key] = (
                nxt,
                current.next_step if current else None,
                following.descriptor if following else None,
                question.step_measure(level),
                current.owner if current else None,
            )
        return found

    def suppressed(self, groups: tuple[str, ...]) -> tuple[SuppressedGroup, ...]:
        """The groups not shown, and why: one tuple for each list of groups, kept by every result that has it."""
        found = self.suppressed_groups.get(groups)
        if found is None:
            found = tuple(SuppressedGroup(group, self.fewer_than) for group in groups)
            if len(self.suppressed_groups) < _MOST_TALLIES:
                self.suppressed_groups[groups] = found
        return found

    def uncited_level(self, question: Question, group: str | None, level: int) -> int:
        """The level an answer at ``level`` from ``group`` counts at when it cites no evidence (what
        :func:`counted_level` gives it: it depends on nothing else), worked out once."""
        key = (question.id, group, level)
        found = self.uncited.get(key)
        if found is None:
            found = self.uncited[key] = counted_level(
                self.rubric, None, question, group, Answer(question.id, level), None, self.scale
            )[0]
        return found

    def respondent_key(self, respondent: Respondent) -> tuple[int, NaturalKey]:
        """Respondents in the rubric's group order, then by id in natural order (``frontline-6`` before
        ``frontline-10``): the order of each question's answers in a result, its trace and ``explain``."""
        return (self.group_order.get(respondent.group or "", len(self.group_order)), natural_key(respondent.id))


_PLANS: dict[int, tuple[Rubric, RubricPlan]] = {}


def rubric_plan(rubric: Rubric) -> RubricPlan:
    """The rubric's :class:`RubricPlan`, made on first use (a rubric is immutable)."""
    found = _PLANS.get(id(rubric))
    if found is not None and found[0] is rubric:
        return found[1]
    if len(_PLANS) >= 64:
        _PLANS.clear()
    plan = RubricPlan(rubric)
    _PLANS[id(rubric)] = (rubric, plan)
    return plan


def hidden_groups(rubric: Rubric, counts: Iterable[RespondentCount]) -> frozenset[str]:
    """The respondent groups with fewer respondents in the assessment than the rubric's ``min_group_size``: their
    values, perception gaps and per-respondent answers are not shown (their answers still count)."""
    least = rubric.scoring.min_group_size
    return frozenset(c.group for c in counts if c.group is not None and c.respondents < least)


def fewer_than(rubric: Rubric) -> str:
    """Why a group is not shown, in the words every output uses."""
    return f"fewer than {rubric.scoring.min_group_size} respondents"


def _question_stats(
    rubric: Rubric,
    assessment_date: str | None,
    question: Question,
    answered: list[tuple[Respondent, Answer]],
    group_order: Mapping[str, int],
    hidden: frozenset[str] = frozenset(),
    register: Mapping[str, EvidenceRecord] | None = None,
) -> QuestionStats:
    """A question's statistics with everything that explains them: each answer's record, the trace's inputs and
    arithmetic, what the evidence rule did. ``answered``: its (respondent, answer) pairs in the rubric's group
    order, then by respondent id."""
    plan = rubric_plan(rubric)
    scoring = rubric.scoring
    scale = plan.scale
    method, even = scoring.respondent_aggregate, scoring.even_median
    cap = plan.cap
    records: list[AnswerRecord] = []
    inputs: list[TraceInput] = []
    adjustments: list[Adjustment] = []
    counted: list[int] = []
    by_respondent: list[tuple[str, int]] = []
    groups: dict[str | None, list[int]] = {}
    given_by_group: dict[str | None, list[int]] = {}
    na_count = 0
    shown_levels: list[int] = []
    for respondent, answer in answered:
        if answer.evidence:
            evidence = tuple(e.reference + (f" ({e.date})" if e.date else "") for e in answer.evidence)
            evidence_ids = tuple(e.id for e in answer.evidence if e.id is not None)
        else:
            evidence = evidence_ids = ()
        # A respondent of a group too small to show counts like any other, but is named nowhere.
        secret = respondent.group in hidden
        if answer.level is None:
            na_count += 1
            if secret:
                continue
            records.append(
                AnswerRecord(
                    respondent.id,
                    respondent.group,
                    None,
                    None,
                    answer.justification,
                    answer.comment,
                    evidence,
                    evidence_ids=evidence_ids,
                )
            )
            inputs.append(TraceInput(respondent.id, None, note="N/A"))
            continue
        level = answer.level
        flag = None
        used, reason = counted_level(rubric, assessment_date, question, respondent.group, answer, register, scale)
        if reason is not None:
            who = f"a respondent of a group of {plan.fewer_than}" if secret else f"respondent {respondent.id}"
            flag = f"{reason}: counted as {used}" if cap else f"{reason} (flagged, not capped)"
            if secret:  # the rule is said, not the level it moved
                words = f"{who}: an answer needs evidence from level {question.evidence_from}; {reason}"
                adjustments.append(Adjustment("evidence", "scoring.evidence", words, None, None, cap))
            else:
                adjustments.append(
                    Adjustment(
                        "evidence",
                        "scoring.evidence",
                        f"{who}: level {level} needs evidence from level {question.evidence_from}; {flag}",
                        level,
                        used,
                        cap,
                    )
                )
        counted.append(used)
        by_respondent.append((respondent.id, used))
        groups.setdefault(respondent.group, []).append(used)
        given_by_group.setdefault(respondent.group, []).append(level)
        if secret:
            continue
        shown_levels.append(used)
        records.append(
            AnswerRecord(
                respondent.id,
                respondent.group,
                level,
                used,
                answer.justification,
                answer.comment,
                evidence,
                flag,
                evidence_ids,
            )
        )
        inputs.append(TraceInput(respondent.id, float(used), note=respondent.group))

    # From here on only the counts matter: the kernel turns them into the aggregate, the variance and each
    # group's value, as it does for the columnar engine's counts.
    histogram, value, ordered, group_values, agreements, by_group = _tally(
        plan, rubric, counted, groups, given_by_group
    )
    arithmetic = ""
    described = f"{method} of {len(counted)} answer(s)"
    if value is not None:
        not_shown = len(counted) - len(shown_levels)
        levels_text = _levels_text(shown_levels)
        if not_shown:
            levels_text += f"{'; ' if shown_levels else ''}{not_shown} not shown: groups of {plan.fewer_than}"
        if scoring.pooling == "groups":
            pools = [
                (
                    group_label(group),
                    f"{method}({_levels_text(levels)}){even_median_note(method, len(levels), even)}",
                    group_values[group],
                    group in hidden,
                )
                for group, levels in ordered
            ]
            weights = [plan.group_weights.get(group, 1.0) for group, _ in ordered]
            _, arithmetic = pooled(pools, weights, plan.fewer_than)
            described = f"{method} within each of {len(pools)} group(s), then their weighted mean"
        else:
            note = even_median_note(method, len(counted), even)
            arithmetic = f"{method}({levels_text}) = {trace_number(value)}{note}"
    return QuestionStats(
        counted=histogram,
        na=na_count,
        value=value,
        agreements=agreements,
        by_group=by_group,
        method=described,
        arithmetic=arithmetic,
        inputs=tuple(inputs),
        adjustments=tuple(adjustments),
        answers=tuple(records),
        levels_by_respondent=tuple(by_respondent),
    )


def _question_numbers(
    plan: RubricPlan,
    rubric: Rubric,
    assessment_date: str | None,
    respondents: Sequence[Respondent],
    register: Mapping[str, EvidenceRecord],
) -> dict[str, QuestionStats]:
    """:func:`answer_statistics` without what explains the numbers, ``respondents`` in the rubric's group order,
    then by id: each answered question's counts, value, agreements, group values and respondents' levels (those of
    :func:`_question_stats`); no answer records, trace or evidence adjustments. One pass over the answers."""
    # The numbers depend only on each group's levels, as given and as counted: the same answers, in any question,
    # give the same numbers, worked out once (see RubricPlan.tallies).
    # Question id -> each answer's (group, counted level, level given) and (respondent id, counted level).
    answered: dict[str, tuple[list[tuple[str | None, int, int]], list[tuple[str, int]]]] = {}
    na: dict[str, int] = {}
    asks_evidence = plan.asks_evidence
    for respondent in respondents:
        group, respondent_id = respondent.group, respondent.id
        for answer in respondent.answers:
            question_id, level = answer.question_id, answer.level
            if level is None:
                na[question_id] = na.get(question_id, 0) + 1
                continue
            used = level
            question = asks_evidence.get(question_id)
            if question is not None:  # the evidence rule, as every engine counts it
                if answer.evidence:
                    used, _ = counted_level(rubric, assessment_date, question, group, answer, register, plan.scale)
                else:
                    used = plan.uncited_level(question, group, level)
            found = answered.get(question_id)
            if found is None:
                answered[question_id] = ([(group, used, level)], [(respondent_id, used)])
            else:
                found[0].append((group, used, level))
                found[1].append((respondent_id, used))
    statistics: dict[str, QuestionStats] = {}
    nothing: tuple[list[tuple[str | None, int, int]], list[tuple[str, int]]] = ([], [])
    for question in plan.questions:
        question_id = question.id
        found = answered.get(question_id)
        if found is None:
            if question_id not in na:
                continue
            found = nothing
        entries = tuple(found[0])
        tallied = plan.tallies.get(entries)
        if tallied is None:
            counted: list[int] = []
            groups: dict[str | None, list[int]] = {}
            given_by_group: dict[str | None, list[int]] = {}
            for group, used, level in entries:
                counted.append(used)
                groups.setdefault(group, []).append(used)
                given_by_group.setdefault(group, []).append(level)
            histogram, value, _, _, agreements, by_group = _tally(plan, rubric, counted, groups, given_by_group)
            tallied = (histogram, value, agreements, by_group)
            if len(plan.tallies) < _MOST_TALLIES:
                plan.tallies[entries] = tallied
        histogram, value, agreements, by_group = tallied
        statistics[question_id] = _QUESTION_STATS(
            counted=histogram,
            na=na.get(question_id, 0),
            value=value,
            agreements=agreements,
            by_group=by_group,
            levels_by_respondent=tuple(found[1]),
            numbers_key=entries,
        )
    return statistics


_MOST_TALLIES = 16_384
"""The most tallies a rubric's plan keeps (each about 1.5 KB: some 25 MB at most; 1,000 assessments of qi-readiness
with 5 respondents each make about 5,000, and nine questions in ten find theirs among them), and the most questions'
results without details (about 1 KB each; the same 1,000 assessments make about 5,500 of their 55,000) and
priorities (about 4,000 of their 45,000)."""


def _tally(
    plan: RubricPlan,
    rubric: Rubric,
    counted: list[int],
    groups: dict[str | None, list[int]],
    given_by_group: dict[str | None, list[int]],
) -> tuple[
    tuple[tuple[int, int], ...],
    float | None,
    list[tuple[str | None, list[int]]],
    dict[str | None, float],
    tuple[tuple[str | None, float | None], ...],
    tuple[GroupValue, ...],
]:
    """A question's numbers from its counted levels (all, and by group as counted and as given): the counts, the
    value, the groups in the rubric's order with their values, each group's agreement and the groups' values."""
    scoring = rubric.scoring
    method, even = scoring.respondent_aggregate, scoring.even_median
    histogram = tuple(counts_of(counted))
    order = plan.group_order
    last = len(order)
    ordered = (
        sorted(groups.items(), key=lambda g: order.get(g[0] or "", last)) if len(groups) > 1 else list(groups.items())
    )
    values = plan.values
    group_values: dict[str | None, float] = {}
    for group, levels in ordered:
        key = tuple(sorted(levels))
        found = values.get(key)
        if found is None:
            found = values[key] = respondent_value(method, counts_of(levels), even)
        group_values[group] = found
    value: float | None = None
    if counted:
        value = respondent_value(method, histogram, even)
        if scoring.pooling == "groups":
            weights = plan.group_weights
            pairs = tuple((group_values[group], weights.get(group, 1.0)) for group, _ in ordered)
            found = plan.pooled.get(pairs)
            if found is None:
                found = plan.pooled[pairs] = pooled_value(pairs)
            value = found
    scale_points, minimum = len(plan.scale), scoring.agreement_min_respondents
    known = plan.agreements
    agreements_list: list[tuple[str | None, float | None]] = []
    for group, _ in ordered:
        key = tuple(sorted(given_by_group[group]))
        if key in known:
            within = known[key]
        else:
            within = known[key] = group_agreement(counts_of(key), scale_points, minimum)
        agreements_list.append((group, within))
    agreements = tuple(agreements_list)
    by_group = tuple(
        GroupValue(group, group_values[group], len(levels), within)
        for (group, levels), (_, within) in zip(ordered, agreements, strict=True)
        if group is not None
    )
    return histogram, value, ordered, group_values, agreements, by_group


def _levels_text(levels: list[int]) -> str:
    return ", ".join(str(v) for v in sorted(levels))


def group_label(group: str | None) -> str:
    return group if group is not None else "no group"


def group_weight(rubric: Rubric, group: str | None) -> float:
    """A respondent group's weight under ``pooling: groups``; respondents with no group count as a group of 1."""
    return next((g.weight for g in rubric.respondent_groups if g.id == group), 1.0)


def pooled(
    pools: Sequence[tuple[str, str, float, bool]], weights: Sequence[float], reason: str = ""
) -> tuple[float, str]:
    """Groups' values (label, how the value was reached, value, hidden) pooled by their weights, with the
    arithmetic in words: each group's value and weight, then the weighted mean. A hidden group's value and answers
    are not written (``reason`` says why); it counts all the same."""
    value = pooled_value((v, w) for (_, _, v, _), w in zip(pools, weights, strict=True))
    each: list[str] = []
    terms: list[str] = []
    for (label, how, v, hidden), w in zip(pools, weights, strict=True):
        weight = trace_number(w)
        if hidden:
            each.append(f"{label}: {reason}, not shown, weight {weight}")
            terms.append(f"{weight}×(not shown)")
        else:
            shown = trace_number(v)
            each.append(f"{label}: {how} = {shown}, weight {weight}")
            terms.append(f"{weight}×{shown}")
    total = trace_number(math.fsum(weights))
    return value, f"{'; '.join(each)}; groups pooled: ({' + '.join(terms)}) / {total} = {trace_number(value)}"


def respondent_counts(rubric: Rubric, assessment: Assessment) -> tuple[RespondentCount, ...]:
    """How many respondents of each group (``None``: no group) answered, in the rubric's group order."""
    group_order = {g.id: i for i, g in enumerate(rubric.respondent_groups)}
    counts: dict[str | None, int] = {}
    for respondent in assessment.respondents:
        counts[respondent.group] = counts.get(respondent.group, 0) + 1
    return tuple(
        RespondentCount(g, n)
        for g, n in sorted(counts.items(), key=lambda c: group_order.get(c[0] or "", len(group_order)))
    )


def _third(position: float) -> Literal["lower", "middle", "upper"]:
    return "lower" if position < 1 / 3 else "middle" if position < 2 / 3 else "upper"


class Scored(Protocol):
    """What domains and rules read of a question's result: a :class:`QuestionResult`, or any record as light."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> Status: ...
    @property
    def value(self) -> float | None: ...
    @property
    def level(self) -> int | None: ...
    @property
    def critical(self) -> bool: ...
    @property
    def weight(self) -> float: ...


class QuestionRecord(NamedTuple):
    """The lightest :class:`Scored`: what the export engine settles organisations with."""

    id: str
    status: Status
    value: float | None
    level: int | None
    critical: bool
    weight: float


@dataclass
class _Scope:
    """Working state of a domain or of the overall result while rules are applied."""

    id: str
    value: float | None
    level: int | None
    questions: Sequence[Scored]
    adjustments: list[Adjustment] = field(default_factory=list)
    raw_value: float | None = None
    holds: list[tuple[str, int]] = field(default_factory=list)
    """(rule id, limit) of each rule in force that held the level at its limit, in the order applied."""

    def held_by(self) -> tuple[str, ...]:
        """The rules holding the level where it ended: those in force whose limit is the final level."""
        return tuple(rule for rule, limit in self.holds if limit == self.level)


class Scorer:
    """Scores one assessment from its questions' statistics (:meth:`run`); :meth:`settle` alone gives the numbers
    above the questions, which the export engine runs on light question records, with ``explain=False``."""

    def __init__(
        self,
        rubric: Rubric,
        assessment: Assessment,
        statistics: Mapping[str, QuestionStats],
        respondents: tuple[RespondentCount, ...],
        targets: Mapping[str, int],
        default_target: int | None,
        what_if: Mapping[str, int],
        *,
        explain: bool = True,
    ):
        self.rubric = rubric
        self.explain = explain  # False: the numbers only, no adjustments recorded (see apply)
        self.assessment = assessment
        # What an unanswered question does: the assessment's own policy (given at import), else the rubric's.
        self.missing = getattr(assessment, "missing", None) or rubric.scoring.missing
        self.statistics = statistics
        self.respondents = respondents
        self.hidden = hidden_groups(rubric, respondents)
        self.scale = [level.value for level in rubric.levels]
        self.lowest, self.highest = self.scale[0], self.scale[-1]
        self.overrides = {**assessment.targets, **targets}
        self.default_target = default_target
        self.what_if = what_if
        self.plan = plan = rubric_plan(rubric)
        self.questions = plan.question_by_id
        self.domains: dict[str, _Scope] = {}
        # The groups hidden as a key of the plan's shared question results: a tuple of texts, which the garbage
        # collector stops following, where a frozenset would be followed for as long as the result is kept.
        self.hidden_key = tuple(sorted(self.hidden))

    # --- levels and targets ------------------------------------------------------------------
    def to_level(self, value: float) -> int:
        if self.rubric.scoring.level_from_value == "floor":
            if self.plan.ascending:
                at = bisect_right(self.scale, value + EPS)
                return self.scale[at - 1] if at else self.lowest
            reached = [level for level in self.scale if level <= value + EPS]
            return reached[-1] if reached else self.lowest
        return min(self.scale, key=lambda level: (round(abs(level - value), 9), -level))

    def is_total(self, node: Literal["domain", "overall"]) -> bool:
        """Whether a domain's (or the overall) value is a total, not on the level scale: a domain's when questions
        are summed, the overall's when questions or domains are (the mean of totals is no level either)."""
        scoring = self.rubric.scoring
        return scoring.questions == "sum" or (node == "overall" and scoring.domains == "sum")

    def node_level(self, value: float | None, node: Literal["domain", "overall"]) -> int | None:
        """A domain's or the overall level: from its value, except for a total, which is not on the level scale
        and has none (its band names it)."""
        return None if value is None or self.is_total(node) else self.to_level(value)

    def below(self, level: int) -> int:
        return level_below(self.scale, level)

    def next_level(self, level: int) -> int | None:
        higher = [v for v in self.scale if v > level]
        return higher[0] if higher else None

    def domain_target(self, domain: Domain) -> int | None:
        if domain.id in self.overrides:
            return self.overrides[domain.id]
        if self.default_target is not None:
            return self.default_target
        return domain.target if domain.target is not None else self.rubric.default_target

    def question_target(self, question: Question, domain_target: int | None) -> int | None:
        # A target named for the question wins, then one named for its domain, then a bare default, then the
        # rubric's own: what the user says beats what the rubric says.
        if question.id in self.overrides:
            return self.overrides[question.id]
        if question.domain_id in self.overrides:
            return self.overrides[question.domain_id]
        if self.default_target is not None:
            return self.default_target
        return question.target if question.target is not None else domain_target

    def overall_target(self) -> int | None:
        if "overall" in self.overrides:
            return self.overrides["overall"]
        return self.default_target if self.default_target is not None else self.rubric.default_target

    # --- questions -----------------------------------------------------------------------------
    def score_question(self, question: Question, domain_target: int | None) -> QuestionResult:
        """A question's result from its statistics (however they were computed): policies, what-if, target."""
        stats = self.statistics.get(question.id, NO_ANSWERS)
        key = stats.numbers_key
        if self.explain or not key or stats.value is None or question.id in self.what_if:
            return self._score_question(question, domain_target, stats)
        # Without details, an answered question's result depends on its numbers (which its key stands for), the
        # groups hidden and its target alone: nine in ten come back in other assessments of the rubric, so each is
        # made once and shared (its JSON text is then written once too: see qimaturity.scoring.result.json_text).
        target = self.question_target(question, domain_target)
        results = self.plan.question_results
        memo = (question.id, key, self.hidden_key, target)
        found = results.get(memo)
        if found is None:
            found = self._score_question(question, domain_target, stats)
            if len(results) < _MOST_TALLIES:
                results[memo] = found
        return found

    def _score_question(self, question: Question, domain_target: int | None, stats: QuestionStats) -> QuestionResult:
        scoring = self.rubric.scoring
        adjustments = list(stats.adjustments) if self.explain else []
        # A group with fewer respondents than min_group_size, in the assessment or answering this question, is not
        # shown: no value, no perception gap, no agreement (its answers count all the same).
        least = scoring.min_group_size
        hidden = self.hidden
        shown_list: list[GroupValue] = []
        suppressed_list: list[str] = []
        for g in stats.by_group:
            if g.group not in hidden and g.respondents >= least:
                shown_list.append(g)
            else:
                suppressed_list.append(g.group)
        shown, suppressed = tuple(shown_list), self.plan.suppressed(tuple(suppressed_list))
        unseen = {g.group for g in suppressed}
        gaps = self.perception_gaps({g.group: g.value for g in shown}) if shown else ()
        # Agreement within groups: a question is flagged when some group large enough to say disagreed; what
        # separates groups is a perception gap. The number shown is the lowest group's r_wg, with its group.
        if unseen:
            lowest = lowest_agreement((g, a) for g, a in stats.agreements if g is None or g not in unseen)
        else:
            lowest = lowest_agreement(stats.agreements)
        agreement_group, agreement_value = lowest if lowest is not None else (None, None)
        disagreement = agreement_value is not None and agreement_value < scoring.agreement_threshold - EPS

        status: Any
        value: float | None
        if question.id in self.what_if:
            status, value = "answered", float(self.what_if[question.id])
            arithmetic = f"what-if: set to {self.what_if[question.id]}"
            adjustments.append(Adjustment("what_if", None, arithmetic))
            trace_method = "what-if"
        elif stats.value is not None:
            status = "answered"
            value = stats.value
            arithmetic = stats.arithmetic
            if stats.na:
                arithmetic += f"; {stats.na} N/A answer(s) left out"
            trace_method = stats.method
        else:
            status = "na" if stats.na else "missing"
            value, arithmetic = self.uncounted_value(question, status, self.question_target(question, domain_target))
            adjustments.append(Adjustment(status, self.uncounted_source(question, status), arithmetic))
            trace_method = "N/A policy" if status == "na" else "missing-answer policy"

        reached = self.to_level(value) if value is not None else None
        target = self.question_target(question, domain_target)
        trace = Trace(trace_method, stats.inputs, arithmetic, tuple(adjustments)) if self.explain else NO_TRACE
        return _QUESTION_RESULT(
            id=question.id,
            domain_id=question.domain_id,
            status=status,
            value=value,
            level=reached,
            counted=value is not None,
            critical=question.critical,
            weight=question.weight,
            target=target,
            gap=(target - reached) if target is not None and reached is not None else None,
            answers=stats.answers,
            by_group=shown,
            suppressed_groups=suppressed,
            perception_gaps=gaps,
            agreement=agreement_value,
            agreement_group=agreement_group,
            disagreement=disagreement,
            trace=trace,
        )

    def uncounted_value(self, question: Question, status: str, target: int | None) -> tuple[float | None, str]:
        policy = self.rubric.na_policy(question) if status == "na" else self.missing
        what = "answered N/A" if status == "na" else "not answered"
        if policy == "count_as_met":
            return float(self.highest), f"{what}: counted as met, at the top level {self.highest}"
        if policy == "count_as_lowest":
            return float(self.lowest), f"{what}: counted at the lowest level {self.lowest}"
        if policy == "anchor_to_target" and target is not None:
            return float(target), f"{what}: counted at its target level {target}"
        return None, f"{what}: left out, the other weights renormalised"

    def uncounted_source(self, question: Question, status: str) -> str:
        """Where the policy for an N/A or unanswered question is declared, for the trace."""
        if status != "na":
            return "answers.missing" if self.assessment.missing else "scoring.missing"
        return "not_applicable.counts_as" if question.na_counts_as else "scoring.not_applicable"

    def perception_gaps(self, values: Mapping[str, float]) -> tuple[PerceptionGap, ...]:
        threshold = self.rubric.scoring.gap_threshold
        gaps = []
        for a, b in self.rubric.scoring.compare:
            if a in values and b in values:
                gap = values[a] - values[b]
                gaps.append(PerceptionGap(a, b, values[a], values[b], gap, abs(gap) >= threshold - EPS))
        return tuple(gaps)

    def domain_perception_gaps(self, questions: Sequence[QuestionResult]) -> tuple[PerceptionGap, ...]:
        """Each compared pair's view of a domain: weighted means over the questions both groups answered."""
        threshold = self.rubric.scoring.gap_threshold
        gaps = []
        for a, b in self.rubric.scoring.compare:
            pairs = []
            for q in questions:
                if not q.by_group:
                    continue
                values = {g.group: g.value for g in q.by_group}
                if a in values and b in values:
                    pairs.append((values[a], values[b], q.weight))
            if not pairs:
                continue
            total = math.fsum(w for _, _, w in pairs)
            value_a = math.fsum(va * w for va, _, w in pairs) / total
            value_b = math.fsum(vb * w for _, vb, w in pairs) / total
            gap = value_a - value_b
            gaps.append(PerceptionGap(a, b, value_a, value_b, gap, abs(gap) >= threshold - EPS))
        return tuple(gaps)

    # --- domains and overall -------------------------------------------------------------------
    def combine(self, method: Method, items: Sequence[tuple[str, float, float]]) -> tuple[float | None, str]:
        if not items:
            return None, "nothing to combine: every item is left out"
        return aggregate(method, items)

    def points(self, method: Method, items: Sequence[tuple[str, float, float]]) -> tuple[float | None, float | None]:
        if method != "weighted_sum" or not items:
            return None, None
        span = self.highest - self.lowest
        return math.fsum(w * (v - self.lowest) / span for _, v, w in items), math.fsum(w for _, _, w in items)

    def percent(self, value: float | None) -> float | None:
        if value is None:
            return None
        return 100 * (value - self.lowest) / (self.highest - self.lowest)

    def level_ceiling(self, level: int) -> float:
        """Where values of ``level`` end: the least value above it that is at a higher level (exclusive)."""
        higher = self.next_level(level)
        assert higher is not None
        return float(higher) if self.rubric.scoring.level_from_value == "floor" else (level + higher) / 2

    def band(self, value: float | None, level: int | None = None) -> BandPosition | None:
        """The band of a value; with the ``level`` a rule holds it at (below the level of the value), the band of
        the highest value still at that level when that is lower: a held result is never named above its held
        level, and raising an answer never lowers the band."""
        bands = self.rubric.bands
        if bands is None or value is None:
            return None
        x = self.band_axis(value)
        if bands.on == "total":
            # Whole-number ranges, both ends in: 0 to 4, then 5 to 9, ...; a total between two whole numbers (from a
            # median of an even number of answers) belongs with the lower one: 4.5 is in 0 to 4.
            for band in bands.items:
                if band.lower - EPS <= x < band.upper + 1 - EPS:
                    span = band.upper - band.lower
                    position = min(1.0, max(0.0, (x - band.lower) / span)) if span else 0.0
                    return BandPosition(band.id, band.name, position, _third(position))
            return None
        if level is not None and level < self.to_level(value):
            ceiling = self.band_axis(self.level_ceiling(level))
            if x >= ceiling - EPS:
                # The band holding values just below the ceiling, and the ceiling's place in it.
                held = [band for band in bands.items if band.lower < ceiling - EPS] or [bands.items[0]]
                band = held[-1]
                position = min(1.0, max(0.0, (ceiling - band.lower) / (band.upper - band.lower)))
                return BandPosition(band.id, band.name, position, _third(position))
        for index, band in enumerate(bands.items):
            last = index == len(bands.items) - 1
            if band.lower - EPS <= x < band.upper - EPS or (last and x <= band.upper + EPS):
                position = min(1.0, max(0.0, (x - band.lower) / (band.upper - band.lower)))
                return BandPosition(band.id, band.name, position, _third(position))
        return None

    def band_axis(self, value: float) -> float:
        """A value where the rubric's bands sit: the value itself, or its percentage of the range."""
        if self.rubric.bands is not None and self.rubric.bands.on == "percent":
            return 100 * (value - self.lowest) / (self.highest - self.lowest)
        return value

    # --- rules ---------------------------------------------------------------------------------
    def scope_questions(self, scope: _Scope | None) -> Sequence[Scored]:
        if scope is not None and scope.id in self.domains:
            return scope.questions
        return [q for d in self.domains.values() for q in d.questions]

    def holds(self, condition: Condition, scope: _Scope, questions: Sequence[Scored]) -> tuple[bool, str]:
        """Whether a condition holds for a scope, and why, in words."""
        match condition:
            case CriticalBelow(level):
                low = [q for q in questions if q.critical and q.level is not None and q.level < level]
                if low:
                    return True, "; ".join(f"critical question {q.id} is at {q.level}, below {level}" for q in low)
                return False, f"every critical question is at {level} or above (or not counted)"
            case ItemLevel(kind, ident, comparison, level):
                found = self.item_level(kind, ident)
                if found is None:
                    return False, f"{kind} {ident} has no level (N/A or unanswered)"
                result = found < level if comparison == "below" else found >= level
                return result, f"{kind} {ident} is at {found}"
            case Count(of, test, level, bound, number):
                if of == "domains":
                    levels = [d.level for d in self.domains.values() if d.level is not None]
                else:
                    pool = [q for q in questions if of == "questions" or q.critical]
                    levels = [q.level for q in pool if q.level is not None]
                if test == "level_below":
                    count = sum(1 for v in levels if v < level)
                elif test == "level_at":
                    count = sum(1 for v in levels if v == level)
                else:
                    count = sum(1 for v in levels if v >= level)
                result = count <= number if bound == "at_most" else count >= number
                relation = {"level_below": "below level", "level_at": "at level", "level_at_least": "at level or above"}
                return result, f"{count} of the {of.replace('_', ' ')} {relation[test]} {level}"
            case AllOf(items):
                outcomes = [self.holds(c, scope, questions) for c in items]
                return all(o for o, _ in outcomes), "; ".join(r for _, r in outcomes)
            case AnyOf(items):
                outcomes = [self.holds(c, scope, questions) for c in items]
                return any(o for o, _ in outcomes), "; ".join(r for _, r in outcomes)
            case Not(item):
                outcome, reason = self.holds(item, scope, questions)
                return not outcome, reason
            case ExpressionCondition(expression):
                try:
                    outcome = bool(expression.evaluate(self.expression_context(scope, questions)))
                except EvaluationError as error:
                    return False, f"could not be evaluated ({error}), so it does not hold"
                return outcome, f"{expression.text} is {'true' if outcome else 'false'}"
        raise TypeError(f"unknown condition {condition!r}")

    def item_level(self, kind: str, ident: str) -> int | None:
        if kind == "domain":
            return self.domains[ident].level
        return next(q.level for d in self.domains.values() for q in d.questions if q.id == ident)

    def expression_context(self, scope: _Scope, questions: Sequence[Scored]) -> Context:
        all_questions = {q.id: q for d in self.domains.values() for q in d.questions}

        def need(value: Any, what: str) -> Any:
            if value is None:
                raise EvaluationError(f"{what} has no value (N/A or unanswered)")
            return value

        domain_levels = [d.level for d in self.domains.values() if d.level is not None]
        functions: dict[str, Callable[..., Any]] = {
            "question": lambda i: need(all_questions[i].value, f"question {i}"),
            "question_level": lambda i: need(all_questions[i].level, f"question {i}"),
            "domain": lambda i: need(self.domains[i].value, f"domain {i}"),
            "domain_level": lambda i: need(self.domains[i].level, f"domain {i}"),
            "count_domains_below": lambda lv: sum(1 for v in domain_levels if v < lv),
            "count_domains_at": lambda lv: sum(1 for v in domain_levels if v == lv),
            "count_domains_at_least": lambda lv: sum(1 for v in domain_levels if v >= lv),
            "count_questions_below": lambda lv: sum(1 for q in questions if q.level is not None and q.level < lv),
            "min": min,
            "max": max,
            "abs": abs,
        }
        return Context({"value": need(scope.value, scope.id), "level": need(scope.level, scope.id)}, functions)

    def apply(self, rule: Rule, scope: _Scope) -> None:
        if scope.level is None or scope.value is None:
            return
        if not self.explain and rule.type != "staged":
            # A cap or gate can only bring the level down to its limit: where it is below it already, the rule
            # changes no number whether its condition holds or not, nor holds the level (its limit is not the
            # level), so without an explanation to record there is nothing to evaluate. At its limit it may hold
            # the level there, which the export's tables record (held_level, held_by).
            bound = rule.max_level if rule.type == "cap" else None if rule.level is None else self.below(rule.level)
            if bound is not None and scope.level < bound:
                return
        questions = self.scope_questions(scope)
        before = scope.level
        limit: int | None = None
        # What the rule did, in words: only where an explanation is recorded.
        words = ""
        if rule.type == "cap":
            assert rule.condition is not None and rule.max_level is not None
            held, reason = self.holds(rule.condition, scope, questions)
            if held:
                limit = rule.max_level
            if self.explain:
                words = f"cap at {rule.max_level} when {condition_text(rule.condition)}: {reason}"
        elif rule.type == "gate":
            assert rule.condition is not None and rule.level is not None
            held, reason = self.holds(rule.condition, scope, questions)
            if not held:
                limit = self.below(rule.level)
            if self.explain:
                words = f"level {rule.level} or above only if {condition_text(rule.condition)}: {reason}"
        else:
            limit, words = self.staged_limit(rule, scope)
        # A rule in force holds the level at its limit when the level is at or above it: lowered to it, or kept
        # there (a value of 3.8, level 3, under a cap at 3 stays 3.8 and its level is held at 3). The value is
        # never changed: it measures the answers, and raising an answer can never lower it or the level.
        # Holding the top of the scale holds nothing back, so it is not recorded as a hold.
        applied = False
        if limit is not None and limit <= before and limit < self.highest:
            if limit < before:
                words += f"; level {before} -> {limit}"
                scope.level = limit
            else:
                words += f"; level held at {limit}"
            scope.holds.append((rule.id, limit))
            applied = True
        if not applied:
            words += "; no change"
        if self.explain:
            scope.adjustments.append(Adjustment(rule.type, rule.id, words, before, scope.level, applied))

    def staged_limit(self, rule: Rule, scope: _Scope) -> tuple[int, str]:
        assert rule.met_at is not None
        items: list[tuple[str, int, bool, str]] = []  # id, stage, met, why
        if rule.stages_of == "domains":
            for domain in self.rubric.domains:
                state = self.domains[domain.id]
                if domain.stage is not None:
                    met = state.level is not None and state.level >= rule.met_at
                    items.append((domain.id, domain.stage, met, f"at {state.level}"))
        else:
            for q in self.scope_questions(scope):
                stage = self.questions[q.id].stage
                if stage is None:
                    continue
                if q.status == "na" and q.level is None:
                    # An N/A left out by its policy is not part of its stage (CMMI's "not applicable"); one
                    # counted at a level (lowest, target) meets the stage only by that level. N/A is never
                    # counted as met on a staged question (validation refuses it), so it cannot hide a failure.
                    continue
                met = q.status != "missing" and q.level is not None and q.level >= rule.met_at
                why = {"missing": "unanswered", "na": f"N/A, counted at {q.level}"}.get(q.status, f"at {q.level}")
                items.append((q.id, stage, met, why))
        stages = sorted({stage for _, stage, _, _ in items})
        reached: int | None = None
        unmet: list[str] = []
        for stage in stages:
            unmet = [f"{i} ({why})" for i, s, met, why in items if s == stage and not met]
            if unmet:
                break
            reached = stage
        limit = reached if reached is not None else self.lowest
        if reached is None:
            words = f"staged, met at {rule.met_at}: no stage is met, so the level is held at the lowest level {limit}"
        else:
            words = f"staged, met at {rule.met_at}: highest stage met {limit}"
        if unmet:
            words += "; not met: " + ", ".join(unmet)
        return limit, words

    # --- the whole -----------------------------------------------------------------------------
    def settle(self, questions: Mapping[str, Sequence[Scored]]) -> _Scope:
        """The numbers above the questions: each domain's value and level from its questions' values, the
        domain-scope rules (rule by rule across all domains), the overall value, then the overall rules.

        Fills :attr:`domains` and returns the overall scope. ``questions`` maps each domain id to its questions'
        results in the rubric's order.
        """
        rubric = self.rubric
        for domain in rubric.domains:
            scored = questions[domain.id]
            items = [(q.id, q.value, q.weight) for q in scored if q.value is not None]
            value = aggregate_value(rubric.scoring.questions, items) if items else None
            level = self.node_level(value, "domain")
            self.domains[domain.id] = _Scope(domain.id, value, level, scored, raw_value=value)
        for rule in rubric.rules:
            if rule.scope == "domain":
                for domain in rubric.domains:
                    if not rule.domains or domain.id in rule.domains:
                        self.apply(rule, self.domains[domain.id])
        domain_items = [
            (d.id, s.value, d.weight) for d in rubric.domains if (s := self.domains[d.id]).value is not None
        ]
        overall_value = aggregate_value(rubric.scoring.domains, domain_items) if domain_items else None
        overall = _Scope(
            "overall",
            overall_value,
            self.node_level(overall_value, "overall"),
            [],
            raw_value=overall_value,
        )
        for rule in rubric.rules:
            if rule.scope == "overall":
                self.apply(rule, overall)
        return overall

    def run(self) -> Result:
        rubric = self.rubric
        questions: dict[str, list[QuestionResult]] = {}
        for domain in rubric.domains:
            target = self.domain_target(domain)
            questions[domain.id] = [self.score_question(q, target) for q in domain.questions]
        overall = self.settle(questions)
        domain_items = [
            (d.id, s.value, d.weight) for d in rubric.domains if (s := self.domains[d.id]).value is not None
        ]
        if self.explain:
            _, overall_arithmetic = self.combine(rubric.scoring.domains, domain_items)
            overall_trace = Trace(
                rubric.scoring.domains,
                tuple(TraceInput(i, v, w) for i, v, w in domain_items),
                overall_arithmetic,
                tuple(overall.adjustments),
            )
        else:
            overall_trace = NO_TRACE

        domains = tuple(self.domain_result(d, questions[d.id]) for d in rubric.domains)
        overall_target = self.overall_target()
        overall_points = self.points(
            rubric.scoring.domains, [(d.id, d.value, d.weight) for d in domains if d.value is not None]
        )
        held_by = overall.held_by()
        overall_result = OverallResult(
            value=overall.value,
            raw_value=overall.raw_value,
            level=overall.level,
            level_name=rubric.level(overall.level).name if overall.level is not None else None,
            percent=None if self.is_total("overall") else self.percent(overall.value),
            points=overall_points[0],
            max_points=overall_points[1],
            band=self.band(overall.value, overall.level),
            target=overall_target,
            gap=(overall_target - overall.level) if overall_target is not None and overall.level is not None else None,
            trace=overall_trace,
            raw_level=self.node_level(overall.raw_value, "overall"),
            held_level=overall.level if held_by else None,
            held_by=held_by,
        )
        org = self.assessment.organisation
        return Result(
            engine=f"qimaturity {__version__}",
            rubric=RubricRef(rubric.id, rubric.version, rubric.title, rubric.content_hash),
            organisation=OrganisationRef(org.id, org.name, org.type, org.region, org.metadata),
            date=self.assessment.date,
            assessor=self.assessment.assessor,
            respondents=self.respondents,
            overall=overall_result,
            domains=domains,
            priorities=self.priorities(domains),
            evidence=self.assessment.evidence,
        )

    def domain_result(self, domain: Domain, questions: Sequence[QuestionResult]) -> DomainResult:
        state = self.domains[domain.id]
        items = [(q.id, q.value, q.weight) for q in questions if q.value is not None]
        points, max_points = self.points(self.rubric.scoring.questions, items)
        target = self.domain_target(domain)
        # A domain's perception gaps come from its questions' group values: none where no group is shown.
        shown = self.rubric.scoring.compare and any(q.by_group for q in questions)
        gaps = self.domain_perception_gaps(questions) if shown else ()
        statuses = [q.status for q in questions]
        held_by = state.held_by()
        trace = NO_TRACE
        if self.explain:
            _, arithmetic = self.combine(self.rubric.scoring.questions, items)
            inputs = tuple(
                TraceInput(q.id, q.value, q.weight, None if q.status == "answered" else q.status) for q in questions
            )
            trace = Trace(self.rubric.scoring.questions, inputs, arithmetic, tuple(state.adjustments))
        return DomainResult(
            id=domain.id,
            title=domain.title,
            value=state.value,
            raw_value=state.raw_value,
            level=state.level,
            level_name=self.rubric.level(state.level).name if state.level is not None else None,
            percent=None if self.is_total("domain") else self.percent(state.value),
            points=points,
            max_points=max_points,
            band=self.band(state.value, state.level),
            weight=domain.weight,
            target=target,
            gap=(target - state.level) if target is not None and state.level is not None else None,
            answered=statuses.count("answered"),
            not_applicable=statuses.count("na"),
            missing=statuses.count("missing"),
            perception_gaps=gaps,
            questions=tuple(questions),
            trace=trace,
            raw_level=self.node_level(state.raw_value, "domain"),
            held_level=state.level if held_by else None,
            held_by=held_by,
        )

    def priorities(self, domains: Sequence[DomainResult]) -> tuple[Priority, ...]:
        candidates = []
        for d_index, domain in enumerate(domains):
            for q_index, result in enumerate(domain.questions):
                if result.status != "answered" or result.level is None or result.target is None:
                    continue
                gap = result.target - result.level
                if gap <= 0:
                    continue
                question = self.questions[result.id]
                score = question.weight * domain.weight * gap
                # Critical questions first, then by score, then in the rubric's order: no two orders are alike, so
                # the rest of a candidate is never compared.
                candidates.append(((not question.critical, -score, d_index, q_index), result, question, gap, score))
        candidates.sort()
        priorities = []
        # A priority depends on its question, level, target, rank and respondents' counts alone (the rest is the
        # rubric's): nine in ten come back in other assessments, and each is made once and shared (its JSON text
        # then written once, as a question's result is).
        shared = self.plan.priorities
        for rank, (_, result, question, gap, score) in enumerate(candidates, start=1):
            assert result.level is not None and result.target is not None
            nxt, next_step, next_descriptor, measure, owner = self.plan.step(question, result.level)
            at_next = answered = 0
            for level, n in self.statistics.get(result.id, NO_ANSWERS).counted:
                answered += n
                if nxt is not None and level >= nxt:
                    at_next += n
            key = (question.id, result.level, result.target, rank, at_next, answered)
            found = shared.get(key)
            if found is None:
                found = _PRIORITY(
                    rank=rank,
                    question_id=question.id,
                    domain_id=question.domain_id,
                    text=question.text,
                    critical=question.critical,
                    level=result.level,
                    target=result.target,
                    gap=gap,
                    score=score,
                    next_level=nxt,
                    next_step=next_step,
                    next_descriptor=next_descriptor,
                    measure=measure,
                    owner=owner,
                    respondents_at_next=at_next,
                    respondents=answered,
                )
                if len(shared) < _MOST_TALLIES:
                    shared[key] = found
            priorities.append(found)
        return tuple(priorities)


def score(
    rubric: Rubric,
    assessment: Assessment,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    details: bool = True,
) -> Result:
    """Score an assessment against a rubric.

    The assessment is first checked against the rubric as an answers file is (unknown questions, levels off the
    scale, N/A rules, respondent groups, missing answers, the rubric's id and version, ...): :class:`InputError`
    with every problem when it does not fit. One from :func:`qimaturity.load_assessment` was checked already.

    ``targets`` overrides target levels by domain or question id (``overall`` for the overall target), on top of
    the assessment's own; ``default_target`` replaces the target of everything not named there. ``what_if``
    (question id -> level) adds a :class:`Projection` of the result with those questions at those levels.

    Without ``details`` the result states the numbers without what explains them: every ``trace`` is empty and no
    question has its ``answers``; its :meth:`~Result.to_dict` without traces (what ``qimaturity score --format
    json`` writes without ``--trace``) is the same as the full result's, in a fraction of the time.
    """
    from qimaturity.scoring.intervals import with_intervals  # it combines answers with this module's functions

    require_checked(assessment, rubric)
    statistics = answer_statistics(rubric, assessment, details=details)
    result = score_statistics(
        rubric,
        assessment,
        statistics,
        respondent_counts(rubric, assessment),
        targets=targets,
        default_target=default_target,
        what_if=what_if,
        details=details,
    )
    return with_intervals(rubric, result, statistics, {r.id: r.group for r in assessment.respondents})


def score_statistics(
    rubric: Rubric,
    assessment: Assessment,
    statistics: Mapping[str, QuestionStats],
    respondents: tuple[RespondentCount, ...],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    details: bool = True,
) -> Result:
    """Score from per-question statistics: everything :func:`score` does after respondent aggregation.

    ``statistics`` maps question ids to their :class:`QuestionStats` (a question missing from it was not
    answered); ``respondents`` is the count per group recorded in the result. ``assessment`` supplies only the
    organisation, date, assessor and targets: its respondents are not read. Options as for :func:`score`.
    """
    scorer = Scorer(rubric, assessment, statistics, respondents, targets or {}, default_target, {}, explain=details)
    result = scorer.run()
    if not what_if:
        return result
    projected = Scorer(
        rubric, assessment, statistics, respondents, targets or {}, default_target, what_if, explain=details
    ).run()
    projection = Projection(FrozenMap(sorted(what_if.items())), projected.overall, projected.domains)
    return Result(**{**{f: getattr(result, f) for f in result.__dataclass_fields__}, "projection": projection})
