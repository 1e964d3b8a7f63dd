"""The gap report's content, arranged for templates: a pure view of a Result and its Rubric.

Nothing here computes a score: it selects, orders and words what the Result holds (levels, gaps, priorities,
traces) so that the bundled templates, and a consultant's own, have everything by name.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Any

from qimaturity._core.limits import MAX_LISTED_ANSWERS, MAX_REMARK_CHARS
from qimaturity._core.numbers import fixed, given_number, trace_number
from qimaturity.cohort.model import Cohort, DomainTrend, build_cohort, peer_positions
from qimaturity.report.plan import PLAN_SIZE, Cycle, plan_cycles
from qimaturity.report.summary import GapItem, Words, narrative, nhs_date, nhs_dates_in, peer_group_name
from qimaturity.rubric.model import Rubric
from qimaturity.rubric.wording import METHODS, NA_POLICIES, rule_text, scoring_lines
from qimaturity.scoring.engine import hidden_groups
from qimaturity.scoring.intervals import change_direction
from qimaturity.scoring.result import (
    AnswerRecord,
    DomainResult,
    Interval,
    PerceptionGap,
    QuestionResult,
    Result,
)

REMARK_LINE = 60
"""Characters of one printed line of the (two-column) comment list: the least a comment counts against
MAX_REMARK_CHARS."""


@dataclass(frozen=True)
class GroupView:
    id: str
    name: str
    value: float
    respondents: int
    agreement: float | None = None
    """r_wg within the group; ``None`` with too few answers."""


@dataclass(frozen=True)
class GapView:
    group_a: str
    group_b: str
    value_a: float
    value_b: float
    gap: float
    flagged: bool
    sentence: str


@dataclass(frozen=True)
class AnswerView:
    respondent: str
    group: str
    level: str
    counted: str | None
    comment: str | None
    justification: str | None
    evidence: tuple[str, ...]
    evidence_flag: str | None


@dataclass(frozen=True)
class GroupCounts:
    """How one respondent group answered one question: how many gave each level, N/A, or no answer at all."""

    group: str
    levels: tuple[int, ...]
    """One count per level of the rubric, in the order of ``Report.levels``; levels as given (before evidence rules)."""
    na: int
    no_answer: int
    respondents: int


@dataclass(frozen=True)
class QuestionView:
    id: str
    text: str
    status: str
    critical: bool
    value: float | None
    level: int | None
    level_name: str | None
    target: int | None
    gap: int | None
    current_descriptor: str | None
    next_level: int | None
    next_descriptor: str | None
    next_step: str | None
    spread: tuple[tuple[int, int], ...]
    na_answers: int
    agreement: float | None
    """The lowest within-group r_wg, of the group named by :attr:`agreement_group`."""
    disagreement: bool
    groups: tuple[GroupView, ...]
    gaps: tuple[GapView, ...]
    answers: tuple[AnswerView, ...]
    """Every answer, one by one; empty when the report summarises its answers (``Report.answers_summarised``)."""
    arithmetic: str
    adjustments: tuple[str, ...]
    counts: tuple[GroupCounts, ...] = ()
    """Per respondent group (and all respondents last): answers at each level, N/A and no answer."""
    remarks: tuple[AnswerView, ...] = ()
    agreement_group: str | None = None
    """The name of the group whose r_wg is :attr:`agreement` (``None``: respondents with no group)."""
    suppressed: tuple[str, ...] = ()
    """Groups that answered but are not shown, each as ``Name (fewer than K respondents)``."""
    """When answers are summarised: the answers whose comment or N/A justification is printed, in full."""
    remarks_left: int = 0
    """When answers are summarised: answers with a comment or justification left out to keep the report bounded."""
    short_title: str = ""
    """A few words naming the question, for charts: the rubric's ``short_title``, else the text trimmed."""


@dataclass(frozen=True)
class DomainView:
    id: str
    title: str
    description: str | None
    value: float | None
    level: int | None
    level_name: str | None
    band: str | None
    band_position: str | None
    percent: float | None
    target: int | None
    gap: int | None
    held_by: tuple[str, ...]
    answered: int
    not_applicable: int
    missing: int
    na_rate: float
    questions: tuple[QuestionView, ...]
    gaps: tuple[GapView, ...]
    method: str
    arithmetic: str
    adjustments: tuple[str, ...]
    held_level: int | None = None
    """The level a rule holds the domain at (its value is still the answers'), ``None`` when none holds it."""
    held_rules: tuple[str, ...] = ()
    """The ids of the rules holding it there."""
    interval: tuple[float, float, int] | None = None
    """Where the value likely lies (95 %) and from how many respondents; None where it is not estimated."""
    value_text: str = "-"
    """The value with two decimals and where it likely lies, in words ("2.81; likely between 2.57 and 3.04")."""


@dataclass(frozen=True)
class WeightedItem:
    """A domain or question that counts for more or less than 1, or is critical, with the rubric's reasons."""

    kind: str
    """``domain`` or ``question``."""
    id: str
    title: str
    """The domain's title, or the question's text."""
    weight: str | None
    """The weight as the rubric writes it; ``None`` when it is 1."""
    weight_rationale: str | None
    critical: bool = False
    critical_rationale: str | None = None


def weighted_items(rubric: Rubric) -> tuple[WeightedItem, ...]:
    """The rubric's domains and questions with a weight other than 1 or a critical flag, in rubric order (each
    domain before its questions), with the reasons the rubric gives for them."""
    items: list[WeightedItem] = []
    for domain in rubric.domains:
        if domain.weight != 1:
            items.append(
                WeightedItem("domain", domain.id, domain.title, given_number(domain.weight), domain.weight_rationale)
            )
        for q in domain.questions:
            if q.weight != 1 or q.critical:
                weight = given_number(q.weight) if q.weight != 1 else None
                items.append(
                    WeightedItem("question", q.id, q.text, weight, q.weight_rationale, q.critical, q.critical_rationale)
                )
    return tuple(items)


@dataclass(frozen=True)
class EvidenceGap:
    question_id: str
    question: str
    respondent: str
    level: int | None
    flag: str


@dataclass(frozen=True)
class NaAnswer:
    question_id: str
    question: str
    respondent: str
    justification: str | None


@dataclass(frozen=True)
class NaCount:
    """How many answers to one question were N/A, by respondent group (when answers are summarised)."""

    question_id: str
    question: str
    answers: int
    justified: int
    groups: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class EvidenceGapCount:
    """How many answers to one question lack the evidence the rubric requires, for one reason, by group."""

    question_id: str
    question: str
    flag: str
    answers: int
    groups: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PeerRow:
    """One domain of this organisation against its peers' distribution."""

    domain_id: str
    title: str
    value: float | None
    n: int
    box: tuple[float, float, float, float, float] | None
    percentile: float | None
    position: str

    @property
    def median(self) -> float | None:
        return self.box[2] if self.box else None


@dataclass(frozen=True)
class ChangeRow:
    """One domain since the previous assessment of the same organisation."""

    domain_id: str
    title: str
    values: tuple[float | None, ...]
    previous: float | None
    current: float | None
    previous_level: int | None
    current_level: int | None
    change: float | None
    direction: str
    """improved, declined, no clear change (the change does not beat the noise) or not comparable."""
    change_low: float | None = None
    """The change's own 95 % interval, where both assessments have one."""
    change_high: float | None = None
    previous_held: int | None = None
    """The level a rule held the previous result at (the values and the change are the answers'), or ``None``."""
    current_held: int | None = None
    comparable: tuple[bool, ...] = ()
    """By assessment, whether its value compares with the latest (False: an earlier rubric version's value that
    the migration map says is not comparable, shown as not comparable rather than as a value)."""
    note: str | None = None
    """Why earlier values are not comparable, from the migration map."""


@dataclass(frozen=True)
class Report:
    """Everything the gap report template shows, by name."""

    title: str
    organisation: str
    organisation_id: str
    organisation_type: str | None
    region: str | None
    date: str | None
    assessor: str | None
    rubric_id: str
    rubric_title: str
    rubric_version: str
    rubric_hash: str
    rubric_description: str | None
    rubric_licence: str | None
    engine: str
    respondents: tuple[tuple[str, int], ...]
    respondent_total: int
    levels: tuple[tuple[int, str, str], ...]
    overall_value: float | None
    overall_interval: tuple[float, float, int] | None
    overall_level: int | None
    overall_level_name: str | None
    overall_band: str | None
    overall_band_position: str | None
    overall_target: int | None
    overall_gap: int | None
    overall_held_by: tuple[str, ...]
    headline: str
    strengths: tuple[str, ...]
    top_gaps: tuple[str, ...]
    perception_summary: tuple[str, ...]
    disagreements: int
    domains: tuple[DomainView, ...]
    plan: tuple[Cycle, ...]
    evidence_gaps: tuple[EvidenceGap, ...]
    na_answers: tuple[NaAnswer, ...]
    scoring: tuple[str, ...]
    rules: tuple[str, ...]
    bands: tuple[str, ...]
    sources: tuple[str, ...]
    overall_arithmetic: str
    overall_adjustments: tuple[str, ...]
    group_names: tuple[tuple[str, str], ...]
    projection: tuple[tuple[str, str, str], ...]
    projection_changes: str | None
    peer_group: str | None = None
    peer_count: int = 0
    peers: tuple[PeerRow, ...] = ()
    history_dates: tuple[str, ...] = ()
    history_versions: tuple[str, ...] = ()
    """By assessment, the rubric version it was scored with."""
    version_changes: tuple[str, ...] = ()
    """Each change of rubric version within the history, in words."""
    changes: tuple[ChangeRow, ...] = ()
    minimal_important_difference: float | None = None
    answer_count: int = 0
    answers_summarised: bool = False
    """True beyond MAX_LISTED_ANSWERS answers or MAX_REMARK_CHARS characters of comments: the appendices then count
    answers per respondent group (``QuestionView.counts``, ``na_counts``, ``evidence_gap_counts``) instead of
    listing them, and print comments and N/A justifications (``QuestionView.remarks``) up to MAX_REMARK_CHARS."""
    summary_reason: str | None = None
    """Why the answers are summarised, with the numbers and the limit, in words."""
    remarks_note: str | None = None
    """When answers are summarised: which comments are printed, and where to read the others, in words."""
    remark_count: int = 0
    """Answers with a comment or an N/A justification."""
    remarks_printed: int = 0
    na_counts: tuple[NaCount, ...] = ()
    evidence_gap_counts: tuple[EvidenceGapCount, ...] = ()
    overall_held_level: int | None = None
    """The level a rule holds the overall result at (its value is still the answers'), ``None`` when none does."""
    overall_held_rules: tuple[str, ...] = ()
    group_weights: tuple[tuple[str, str, str | None], ...] = ()
    """Under ``pooling: groups``: each respondent group's name, its weight as the rubric writes it and the rubric's
    reason for that weight (``None`` when it gives none); empty when respondents are pooled as one."""
    weighted_items: tuple[WeightedItem, ...] = ()
    """The domains and questions weighted other than 1 or critical, with the rubric's reasons (see
    :func:`weighted_items`)."""
    gap_items: tuple[GapItem, ...] = ()
    """The gaps that matter most (the weakest domain always among them), each with its plan cycle."""
    relative_strengths: tuple[str, ...] = ()
    """With peers: domains below target that stand clearly above both this organisation's median and the peers'."""
    strengths_note: str | None = None
    """What the summary says when nothing is strong, in words."""
    narrative: tuple[str, ...] = ()
    """Three to five plain sentences a chair could read aloud (see :func:`qimaturity.report.summary.narrative`)."""
    perception_heading: str = "Where groups see things differently"
    """The summary's heading over its perception gaps, from the rubric's group names."""
    date_text: str | None = None
    """The assessment date as the NHS writes dates ("30 September 2026")."""
    overall_value_text: str = "-"
    """The overall value with two decimals and where it likely lies, in words."""
    history_dates_text: tuple[str, ...] = ()
    """The assessments' dates as the NHS writes dates (``history_dates`` stay ISO, for charts and machines)."""
    peer_group_key: str | None = None
    """The peer group as the organisations' field gives it (``acute``); ``peer_group`` is its name in words."""


def _level_words(level: int | None, name: str | None) -> str:
    return "not scored" if level is None else f"level {level} ({name})"


def _gap_sentence(gap: PerceptionGap, names: dict[str, str]) -> str:
    a, b = names.get(gap.group_a, gap.group_a), names.get(gap.group_b, gap.group_b)
    if abs(gap.gap) < 0.05:
        return f"{a} and {b} see this alike ({trace_number(gap.value_a)})."
    higher, lower = (a, b) if gap.gap > 0 else (b, a)
    high_value, low_value = (gap.value_a, gap.value_b) if gap.gap > 0 else (gap.value_b, gap.value_a)
    size = fixed(abs(gap.gap), 1)
    return (
        f"{higher} rate this {size} {'level' if size == '1.0' else 'levels'} higher than {lower} "
        f"({fixed(high_value, 1)} against {fixed(low_value, 1)})."
    )


def _gaps(gaps: tuple[PerceptionGap, ...], names: dict[str, str]) -> tuple[GapView, ...]:
    return tuple(
        GapView(g.group_a, g.group_b, g.value_a, g.value_b, g.gap, g.flagged, _gap_sentence(g, names)) for g in gaps
    )


def _adjustments(node: DomainResult | QuestionResult) -> tuple[str, ...]:
    """Rules and policies of a trace in words, those that changed something first."""
    ordered = sorted(node.trace.adjustments, key=lambda a: not a.applied)
    return tuple(f"{a.rule or a.kind}: {a.description}" for a in ordered)


def _written(answer: AnswerRecord) -> int:
    """Characters a respondent wrote on one answer: comment, N/A justification and evidence."""
    # Evidence as printed: its dates as the NHS writes them.
    evidence = sum(len(nhs_dates_in(e)) for e in answer.evidence)
    return len(answer.comment or "") + len(answer.justification or "") + evidence


def _in_turn(answers: Sequence[AnswerRecord]) -> list[AnswerRecord]:
    """The answers taken in turn from each respondent group (first of each group, then second, ...), so that a
    shortened list still carries every group's voice."""
    by_group: dict[str | None, list[AnswerRecord]] = {}
    for answer in answers:
        by_group.setdefault(answer.group, []).append(answer)
    queues = list(by_group.values())
    depth = max((len(queue) for queue in queues), default=0)
    return [queue[i] for i in range(depth) for queue in queues if i < len(queue)]


def _allowances(costs: Sequence[Sequence[int]], budget: int) -> list[int]:
    """How many of each question's remarks to print, from the costs of its remarks in the order they are taken.

    Every question may use up to the same allowance of characters, the largest whose total stays within the
    budget, so that a question with many long comments cannot crowd out the others' (water-filling). What the
    allowance leaves unused then goes, question by question in turn, to the next remark that still fits, so that
    a few long comments are printed even when each is longer than an equal share.
    """
    prefixes = [list(accumulate(c)) for c in costs]

    def taken(allowance: int) -> list[int]:
        return [bisect_right(p, allowance) for p in prefixes]

    def used(allowance: int) -> int:
        return sum(p[n - 1] for p, n in zip(prefixes, taken(allowance), strict=True) if n)

    low, high = 0, max((p[-1] for p in prefixes if p), default=0)
    if used(high) <= budget:
        return taken(high)
    while low < high:
        middle = (low + high + 1) // 2
        if used(middle) <= budget:
            low = middle
        else:
            high = middle - 1
    counts, left = taken(low), budget - used(low)
    growing = True
    while growing:
        growing = False
        for index, question in enumerate(costs):
            count = counts[index]
            if count < len(question) and question[count] <= left:
                counts[index] += 1
                left -= question[count]
                growing = True
    return counts


class _Builder:
    def __init__(self, result: Result, rubric: Rubric):
        self.result = result
        self.rubric = rubric
        self.group_names = {g.id: g.name for g in rubric.respondent_groups}
        self.level_names = {lv.value: lv.name for lv in rubric.levels}
        self.words = Words(result, rubric)
        self.scale = [lv.value for lv in rubric.levels]
        self.group_sizes = {c.group: c.respondents for c in result.respondents}
        # Groups too small to show: no row of counts (their answers are not in the result either).
        self.hidden = hidden_groups(rubric, result.respondents)
        self.group_order: list[str | None] = [g.id for g in rubric.respondent_groups]
        self.group_order += [c.group for c in result.respondents if c.group not in self.group_order]
        all_answers = [a for d in result.domains for q in d.questions for a in q.answers]
        self.answer_count = len(all_answers)
        self.written = sum(_written(a) for a in all_answers)
        self.remark_count = sum(1 for a in all_answers if a.comment or a.justification)
        self.summarised = self.answer_count > MAX_LISTED_ANSWERS or self.written > MAX_REMARK_CHARS
        # Which answers' remarks the summarised appendix prints, by identity, and how many each question leaves out.
        self.printed: set[int] = set()
        self.left: dict[str, int] = {}
        if self.summarised:
            self._share_remarks()

    def group_name(self, group: str | None) -> str:
        return self.group_names.get(group, group) if group else "Unassigned"

    def remark_cost(self, answer: AnswerRecord) -> int:
        # What is printed: who wrote it as well as what they wrote, and at least a line, so that many tiny comments
        # take no more pages than the same characters in long ones.
        return max(REMARK_LINE, len(answer.respondent) + len(self.group_name(answer.group)) + _written(answer))

    def _share_remarks(self) -> None:
        questions = [q for d in self.result.domains for q in d.questions]
        queues = [_in_turn([a for a in q.answers if a.comment or a.justification]) for q in questions]
        counts = _allowances([[self.remark_cost(a) for a in queue] for queue in queues], MAX_REMARK_CHARS)
        for q, queue, count in zip(questions, queues, counts, strict=True):
            self.printed.update(id(a) for a in queue[:count])
            self.left[q.id] = len(queue) - count

    def answer_view(self, a: AnswerRecord) -> AnswerView:
        return AnswerView(
            respondent=a.respondent,
            group=self.group_names.get(a.group or "", a.group or ""),
            level="N/A" if a.level is None else str(a.level),
            counted=None if a.counted_level == a.level else str(a.counted_level),
            comment=a.comment,
            justification=a.justification,
            evidence=tuple(nhs_dates_in(e) for e in a.evidence),
            evidence_flag=a.evidence_flag,
        )

    def counts(self, q: QuestionResult) -> tuple[GroupCounts, ...]:
        """Per group, then for all respondents: how many answered at each level, N/A, or not at all."""
        asked = self.rubric.question(q.id).respondents
        levels: dict[str | None, list[int]] = {}
        na: dict[str | None, int] = {}
        answered: dict[str | None, int] = {}
        position = {v: i for i, v in enumerate(self.scale)}
        for a in q.answers:
            row = levels.setdefault(a.group, [0] * len(self.scale))
            if a.level is None:
                na[a.group] = na.get(a.group, 0) + 1
            elif a.level in position:
                row[position[a.level]] += 1
            answered[a.group] = answered.get(a.group, 0) + 1
        rows = [
            GroupCounts(
                self.group_name(g),
                tuple(levels.get(g, [0] * len(self.scale))),
                na.get(g, 0),
                max(0, self.group_sizes[g] - answered.get(g, 0)),
                self.group_sizes[g],
            )
            for g in self.group_order
            if g in self.group_sizes and g not in self.hidden and (not asked or g in asked or g in answered)
        ]
        total = GroupCounts(
            "All respondents",
            tuple(sum(r.levels[i] for r in rows) for i in range(len(self.scale))),
            sum(r.na for r in rows),
            sum(r.no_answer for r in rows),
            sum(r.respondents for r in rows),
        )
        return (*rows, total)

    def by_group(self, answers: Sequence[AnswerRecord]) -> tuple[tuple[str, int], ...]:
        tally: dict[str | None, int] = {}
        for a in answers:
            tally[a.group] = tally.get(a.group, 0) + 1
        return tuple((self.group_name(g), tally[g]) for g in self.group_order if g in tally)

    def na_counts(self) -> tuple[NaCount, ...]:
        rows = []
        for d in self.result.domains:
            for q in d.questions:
                na = [a for a in q.answers if a.level is None]
                if na:
                    text = self.rubric.question(q.id).text
                    justified = sum(1 for a in na if a.justification)
                    rows.append(NaCount(q.id, text, len(na), justified, self.by_group(na)))
        return tuple(rows)

    def evidence_gap_counts(self) -> tuple[EvidenceGapCount, ...]:
        rows: list[EvidenceGapCount] = []
        for d in self.result.domains:
            for q in d.questions:
                flagged: dict[str, list[AnswerRecord]] = {}
                for a in q.answers:
                    if a.evidence_flag:
                        flagged.setdefault(a.evidence_flag, []).append(a)
                text = self.rubric.question(q.id).text
                rows.extend(
                    EvidenceGapCount(q.id, text, flag, len(answers), self.by_group(answers))
                    for flag, answers in flagged.items()
                )
        return tuple(rows)

    def summary_reason(self, respondents: int) -> str | None:
        reasons = []
        if self.answer_count > MAX_LISTED_ANSWERS:
            reasons.append(
                f"This assessment has {self.answer_count:,} answers from {respondents:,} respondents, more than "
                f"the {MAX_LISTED_ANSWERS:,} a report lists one by one."
            )
        if self.written > MAX_REMARK_CHARS:
            reasons.append(
                f"Its respondents wrote {self.written:,} characters of comments, N/A justifications and evidence, "
                f"more than the {MAX_REMARK_CHARS:,} a report prints."
            )
        return " ".join(reasons) or None

    def remarks_note(self) -> str:
        printed, total = len(self.printed), self.remark_count
        if total == 0:
            return "No respondent wrote a comment or an N/A justification."
        if printed == total:
            return (
                f"Every comment and N/A justification ({total:,}) is printed in full below its question, with the "
                "evidence its respondent cited."
            )
        return (
            f"Comments and N/A justifications are printed in full below their question, with the evidence each "
            f"respondent cited, up to {MAX_REMARK_CHARS:,} characters in all (who wrote each one included, and a "
            f"short one counted as a full line of {REMARK_LINE}): "
            f"{printed:,} of {total:,} are printed here. Each question has an equal share of that room, and what one "
            "question does not need goes to the others; within a question, comments are taken in turn from each "
            f"respondent group, so that every group is heard. The other {total - printed:,} are in the answers file, "
            "and in the scored result: qimaturity score RUBRIC ANSWERS --format json lists every answer with its "
            "comment."
        )

    def question(self, q: QuestionResult) -> QuestionView:
        question = self.rubric.question(q.id)
        current = question.descriptor(q.level) if q.level is not None else None
        higher = [v for v in self.scale if q.level is not None and v > q.level]
        nxt = higher[0] if higher else None
        following = question.descriptor(nxt) if nxt is not None else None
        spread: dict[int, int] = {}
        for answer in q.answers:
            if answer.level is not None:
                spread[answer.level] = spread.get(answer.level, 0) + 1
        answers = () if self.summarised else tuple(self.answer_view(a) for a in q.answers)
        remarks = tuple(self.answer_view(a) for a in q.answers if id(a) in self.printed)
        return QuestionView(
            id=q.id,
            text=question.text,
            short_title=question.short_title or trimmed_title(question.text),
            status=q.status,
            critical=q.critical,
            value=q.value,
            level=q.level,
            level_name=self.level_names.get(q.level) if q.level is not None else None,
            target=q.target,
            gap=q.gap,
            current_descriptor=current.descriptor if current else None,
            next_level=nxt,
            next_descriptor=following.descriptor if following else None,
            next_step=current.next_step if current else None,
            spread=tuple(sorted(spread.items())),
            na_answers=sum(1 for a in q.answers if a.level is None),
            agreement=q.agreement,
            disagreement=q.disagreement,
            agreement_group=self.group_names.get(q.agreement_group, q.agreement_group) if q.agreement_group else None,
            suppressed=tuple(f"{self.group_names.get(g.group, g.group)} ({g.reason})" for g in q.suppressed_groups),
            groups=tuple(
                GroupView(g.group, self.group_names.get(g.group, g.group), g.value, g.respondents, g.agreement)
                for g in q.by_group
            ),
            gaps=_gaps(q.perception_gaps, self.group_names),
            answers=answers,
            arithmetic=q.trace.arithmetic,
            adjustments=_adjustments(q),
            counts=self.counts(q),
            remarks=remarks,
            remarks_left=self.left.get(q.id, 0),
        )

    def domain(self, d: DomainResult) -> DomainView:
        domain = self.rubric.domain(d.id)
        total = len(d.questions)
        return DomainView(
            interval=_interval(d.interval),
            id=d.id,
            title=d.title,
            description=domain.description,
            value=d.value,
            level=d.level,
            level_name=d.level_name,
            band=d.band.name if d.band else None,
            band_position=d.band.third if d.band else None,
            percent=d.percent,
            target=d.target,
            gap=d.gap,
            held_by=self.words.held(d, d.title),
            answered=d.answered,
            not_applicable=d.not_applicable,
            missing=d.missing,
            na_rate=(d.not_applicable / total) if total else 0.0,
            questions=tuple(self.question(q) for q in d.questions),
            gaps=_gaps(d.perception_gaps, self.group_names),
            method=METHODS[self.rubric.scoring.questions],
            arithmetic=d.trace.arithmetic,
            adjustments=_adjustments(d),
            held_level=d.held_level,
            held_rules=d.held_by,
            value_text=_value_text(d.value, d.interval),
        )

    def build(self, plan_size: int, plan_start: date | str | None = None) -> Report:
        r, rubric = self.result, self.rubric
        domains = tuple(self.domain(d) for d in r.domains)
        strengths = self.words.strengths()
        gap_items = self.words.gap_items(plan_size)
        top_gaps = tuple(f"{item.domain}: {item.text}" for item in gap_items)
        perception = tuple(f"{d.title}: {g.sentence}" for d in domains for g in d.gaps if g.flagged)
        pairs = [(g.group_a, g.group_b) for d in domains for g in d.gaps if g.flagged]
        evidence_gaps: tuple[EvidenceGap, ...] = ()
        na_answers: tuple[NaAnswer, ...] = ()
        if not self.summarised:
            evidence_gaps = tuple(
                EvidenceGap(q.id, rubric.question(q.id).text, a.respondent, a.level, a.evidence_flag)
                for d in r.domains
                for q in d.questions
                for a in q.answers
                if a.evidence_flag
            )
            na_answers = tuple(
                NaAnswer(q.id, rubric.question(q.id).text, a.respondent, a.justification)
                for d in r.domains
                for q in d.questions
                for a in q.answers
                if a.level is None
            )
        respondent_total = sum(c.respondents for c in r.respondents)
        overall = r.overall
        # A total (sum) has no level: its band names it.
        reached = (
            f"a total of {trace_number(overall.value)}"
            if overall.level is None and overall.value is not None
            else _level_words(overall.level, overall.level_name)
        )
        if overall.level is not None:
            reached = f"{overall.level_name} ({overall.level} of {rubric.levels[-1].value})"
        target = overall.target
        headline = (
            f"{r.organisation.name} is at {reached} overall"
            + (f", in the {overall.band.name} band" if overall.band else "")
            + (
                f", against a target of {self.level_names.get(target, target)}"
                if target is not None and target != overall.level
                else ", at its target"
                if target is not None
                else ""
            )
            + "."
        )
        projection: tuple[tuple[str, str, str], ...] = ()
        changes = None
        if r.projection is not None:
            changes = ", ".join(f"{q} at level {lv}" for q, lv in r.projection.changes.items())
            projection = tuple(
                (
                    now.title,
                    f"{trace_number(now.value)} (level {now.level})",
                    f"{trace_number(then.value)} (level {then.level})",
                )
                for now, then in zip(r.domains, r.projection.domains, strict=True)
            ) + (
                (
                    "Overall",
                    f"{trace_number(overall.value)} (level {overall.level})",
                    f"{trace_number(r.projection.overall.value)} (level {r.projection.overall.level})",
                ),
            )
        bands: tuple[str, ...] = ()
        if rubric.bands:
            unit = "%" if rubric.bands.on == "percent" else ""
            bands = tuple(
                f"{b.name}: {given_number(b.lower)}{unit} to {given_number(b.upper)}{unit}" for b in rubric.bands.items
            )
        return Report(
            title=f"Quality improvement gap report: {r.organisation.name}",
            organisation=r.organisation.name,
            organisation_id=r.organisation.id,
            organisation_type=r.organisation.type,
            region=r.organisation.region,
            date=r.date,
            assessor=r.assessor,
            rubric_id=rubric.id,
            rubric_title=rubric.title,
            rubric_version=rubric.version,
            rubric_hash=rubric.content_hash,
            rubric_description=rubric.description,
            rubric_licence=rubric.licence,
            engine=r.engine,
            respondents=tuple(
                (self.group_names.get(c.group or "", c.group or "Unassigned"), c.respondents) for c in r.respondents
            ),
            respondent_total=respondent_total,
            levels=tuple((lv.value, lv.name, lv.descriptor) for lv in rubric.levels),
            overall_value=overall.value,
            overall_interval=_interval(overall.interval),
            overall_level=overall.level,
            overall_level_name=overall.level_name,
            overall_band=overall.band.name if overall.band else None,
            overall_band_position=overall.band.third if overall.band else None,
            overall_target=overall.target,
            overall_gap=overall.gap,
            overall_held_by=self.words.held(overall, "the overall result"),
            headline=headline,
            strengths=strengths,
            top_gaps=top_gaps,
            perception_summary=perception,
            disagreements=sum(1 for d in r.domains for q in d.questions if q.disagreement),
            domains=domains,
            plan=plan_cycles(r, rubric, plan_size=plan_size, plan_start=plan_start),
            evidence_gaps=evidence_gaps,
            na_answers=na_answers,
            scoring=tuple(scoring_lines(rubric))
            + (f"N/A policy in words: {NA_POLICIES[rubric.scoring.not_applicable]}",),
            rules=tuple(f"{rule.id}: {rule_text(rule)}" for rule in rubric.rules),
            bands=bands,
            sources=tuple(s.citation for s in rubric.sources),
            overall_arithmetic=overall.trace.arithmetic,
            overall_adjustments=tuple(f"{a.rule}: {a.description}" for a in overall.trace.adjustments),
            group_names=tuple((g.id, g.name) for g in rubric.respondent_groups),
            projection=projection,
            projection_changes=changes,
            answer_count=self.answer_count,
            answers_summarised=self.summarised,
            summary_reason=self.summary_reason(respondent_total) if self.summarised else None,
            remarks_note=self.remarks_note() if self.summarised else None,
            remark_count=self.remark_count,
            remarks_printed=len(self.printed),
            na_counts=self.na_counts() if self.summarised else (),
            evidence_gap_counts=self.evidence_gap_counts() if self.summarised else (),
            overall_held_level=overall.held_level,
            overall_held_rules=overall.held_by,
            group_weights=tuple((g.name, given_number(g.weight), g.weight_rationale) for g in rubric.respondent_groups)
            if rubric.scoring.pooling == "groups"
            else (),
            weighted_items=weighted_items(rubric),
            gap_items=gap_items,
            strengths_note=None if strengths else "No domain has reached its target yet.",
            perception_heading=self.words.perception_heading(pairs),
            date_text=nhs_date(r.date),
            overall_value_text=_value_text(overall.value, overall.interval),
        )


def build_report(
    result: Result,
    rubric: Rubric,
    *,
    plan_size: int = PLAN_SIZE,
    plan_start: date | str | None = None,
    cohort: Cohort | None = None,
    history: Sequence[Result] = (),
    versions: Sequence[Rubric] = (),
) -> Report:
    """Arrange a result for the gap report templates; ``plan_size`` priorities become PDSA cycles, the first
    starting on ``plan_start`` (default: the assessment's date), the others staggered after it (see
    :mod:`qimaturity.report.plan`).

    With a ``cohort``, the report places each domain against its peers; with ``history`` (earlier results of the
    same organisation), it says what changed since last time, across a change of rubric version where ``rubric``'s
    migration map compares the values (``versions``: the earlier versions' rubrics, for the map's defaults).
    """
    if result.rubric.content_hash != rubric.content_hash:
        raise ValueError("the result was not produced with this rubric")
    report = _Builder(result, rubric).build(plan_size, plan_start)
    extra: dict[str, Any] = {}
    if cohort is not None:
        group, positions = peer_positions(cohort, result)
        size = next((g.n for g in (cohort.everyone, *cohort.groups) if g.name == group), cohort.everyone.n)
        words = Words(result, rubric)
        medians = {p.domain_id: p.stats.median for p in positions if p.stats is not None and p.value is not None}
        relative = words.relative_strengths(medians)
        extra.update(
            relative_strengths=relative,
            peer_group=peer_group_name(cohort.group_by, group, cohort.everyone.name, size),
            peer_group_key=group,
            peer_count=size,
            peers=tuple(
                PeerRow(
                    p.domain_id,
                    p.title,
                    p.value,
                    p.stats.n if p.stats else 0,
                    (p.stats.minimum, p.stats.q1, p.stats.median, p.stats.q3, p.stats.maximum) if p.stats else None,
                    p.percentile,
                    p.position,
                )
                for p in positions
            ),
        )
    earlier = [r for r in history if r.organisation.id == result.organisation.id and r.date != result.date]
    if earlier:
        timeline = build_cohort(
            [*earlier, result], min_cohort=1, allow_mixed_versions=True, rubrics=[rubric, *versions]
        )
        (trend,) = timeline.trends
        mid = rubric.scoring.minimal_important_difference

        def since_last_time(d: DomainTrend) -> ChangeRow:
            change = change_direction(d.values[-2], d.values[-1], d.intervals[-2], d.intervals[-1], mid)
            return ChangeRow(
                d.domain_id,
                d.title,
                d.values,
                d.values[-2],
                d.values[-1],
                d.levels[-2],
                d.levels[-1],
                change.change,
                change.direction,
                change.low,
                change.high,
                d.held[-2],
                d.held[-1],
                d.comparable,
                d.note if not all(d.comparable) else None,
            )

        extra.update(
            history_dates=trend.dates,
            history_dates_text=tuple(nhs_date(d) or d for d in trend.dates),
            history_versions=trend.versions,
            version_changes=tuple(
                f"The rubric changed from version {old} to {new} between {nhs_date(trend.dates[i - 1])} and "
                f"{nhs_date(trend.dates[i])}: "
                f"earlier values are shown where version {rubric.version}'s migration map says they compare, and "
                "marked not comparable where it says they do not"
                if timeline.by_maps
                else f"The rubric changed from version {old} to {new} between {nhs_date(trend.dates[i - 1])} and "
                f"{nhs_date(trend.dates[i])}, with no migration map between them: domains are compared by id, as "
                "they are named, whatever changed in them"
                for i, old, new in trend.version_changes
            ),
            changes=tuple(since_last_time(d) for d in trend.domains),
            minimal_important_difference=mid,
        )
    report = dataclasses.replace(report, **extra) if extra else report
    if report.relative_strengths and not report.strengths:
        report = dataclasses.replace(report, strengths_note=None)
    elif not report.strengths and cohort is not None:
        report = dataclasses.replace(
            report,
            strengths_note="No domain has reached its target yet, and none stands clearly above the others "
            "and the peers.",
        )
    return dataclasses.replace(report, narrative=narrative(report, Words(result, rubric)))


def _value_text(value: float | None, interval: Interval | None) -> str:
    """A value with two decimals, and where it likely lies: "2.46; likely between 2.39 and 2.52"."""
    if value is None:
        return "not scored"
    text = fixed(value, 2)
    if interval is not None:
        text += f"; likely between {fixed(interval.low, 2)} and {fixed(interval.high, 2)}"
    return text


def _interval(interval: Interval | None) -> tuple[float, float, int] | None:
    return None if interval is None else (interval.low, interval.high, interval.respondents)


SHORT_TITLE_CHARS = 32


def trimmed_title(text: str, limit: int = SHORT_TITLE_CHARS) -> str:
    """A question's text cut to about ``limit`` characters at a word boundary, ending in "…" when cut; the label of a
    question without a ``short_title``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1].rsplit(" ", 1)[0] if " " in flat[: limit + 1] else flat[:limit]
    return cut.rstrip(" ,;:.-") + "…"
