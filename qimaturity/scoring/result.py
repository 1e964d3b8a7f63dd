"""What scoring produces: immutable results per question, domain and overall, each with its trace.

Rendering formats a :class:`Result`; it never computes a score. ``Result.to_dict`` is the JSON form described
by ``schemas/result.schema.json``: sorted keys, floats rounded to 4 places, no timestamps, so identical inputs
give byte-identical output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["answered", "na", "missing"]


@dataclass(frozen=True)
class TraceInput:
    """One input to a calculation: a respondent's answer, a question or a domain."""

    id: str
    value: float | None
    weight: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """A rule, policy or what-if that changed a level (or only flagged it)."""

    kind: Literal["cap", "gate", "staged", "evidence", "na", "missing", "what_if"]
    rule: str | None
    description: str
    level_before: int | None = None
    level_after: int | None = None
    applied: bool = True


@dataclass(frozen=True)
class Trace:
    """How a value was reached: which inputs, which method, which arithmetic, which rules."""

    method: str
    inputs: tuple[TraceInput, ...]
    arithmetic: str
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class BandPosition:
    id: str
    name: str
    position: float
    third: Literal["lower", "middle", "upper"]


@dataclass(frozen=True)
class GroupValue:
    group: str
    value: float
    respondents: int


@dataclass(frozen=True)
class RespondentCount:
    group: str | None
    respondents: int


@dataclass(frozen=True)
class PerceptionGap:
    """Group a's value minus group b's; flagged when at least the rubric's gap threshold."""

    group_a: str
    group_b: str
    value_a: float
    value_b: float
    gap: float
    flagged: bool


@dataclass(frozen=True)
class AnswerRecord:
    respondent: str
    group: str | None
    level: int | None
    counted_level: int | None
    justification: str | None = None
    comment: str | None = None
    evidence: tuple[str, ...] = ()
    evidence_flag: str | None = None


@dataclass(frozen=True)
class QuestionResult:
    id: str
    domain_id: str
    status: Status
    value: float | None
    level: int | None
    counted: bool
    critical: bool
    weight: float
    target: int | None
    gap: int | None
    answers: tuple[AnswerRecord, ...]
    by_group: tuple[GroupValue, ...]
    perception_gaps: tuple[PerceptionGap, ...]
    agreement: float | None
    disagreement: bool
    trace: Trace


@dataclass(frozen=True)
class DomainResult:
    id: str
    title: str
    value: float | None
    raw_value: float | None
    level: int | None
    level_name: str | None
    percent: float | None
    points: float | None
    max_points: float | None
    band: BandPosition | None
    weight: float
    target: int | None
    gap: int | None
    answered: int
    not_applicable: int
    missing: int
    perception_gaps: tuple[PerceptionGap, ...]
    questions: tuple[QuestionResult, ...]
    trace: Trace


@dataclass(frozen=True)
class OverallResult:
    value: float | None
    raw_value: float | None
    level: int | None
    level_name: str | None
    percent: float | None
    points: float | None
    max_points: float | None
    band: BandPosition | None
    target: int | None
    gap: int | None
    trace: Trace


@dataclass(frozen=True)
class Priority:
    rank: int
    question_id: str
    domain_id: str
    text: str
    critical: bool
    level: int
    target: int
    gap: int
    score: float
    next_level: int | None
    next_step: str | None
    next_descriptor: str | None
    measure: str | None
    respondents_at_next: int
    respondents: int


@dataclass(frozen=True)
class RubricRef:
    id: str
    version: str
    title: str
    content_hash: str


@dataclass(frozen=True)
class OrganisationRef:
    id: str
    name: str
    type: str | None
    region: str | None
    metadata: tuple[tuple[str, str | int | float | bool], ...]


@dataclass(frozen=True)
class Projection:
    """A what-if: the levels the organisation would reach if some questions were at the given levels."""

    changes: tuple[tuple[str, int], ...]
    overall: OverallResult
    domains: tuple[DomainResult, ...]


@dataclass(frozen=True)
class Result:
    """The scored assessment. Build one with :func:`qimaturity.score`."""

    engine: str
    rubric: RubricRef
    organisation: OrganisationRef
    date: str | None
    assessor: str | None
    respondents: tuple[RespondentCount, ...]
    overall: OverallResult
    domains: tuple[DomainResult, ...]
    priorities: tuple[Priority, ...]
    projection: Projection | None = None

    def domain(self, domain_id: str) -> DomainResult:
        return next(d for d in self.domains if d.id == domain_id)

    def question(self, question_id: str) -> QuestionResult:
        return next(q for d in self.domains for q in d.questions if q.id == question_id)

    def slim(self) -> Result:
        """The result without per-question detail, traces or priorities: what a cohort needs, in a fraction of
        the memory."""
        empty = Trace("", (), "")
        domains = tuple(dataclasses.replace(d, questions=(), trace=empty) for d in self.domains)
        overall = dataclasses.replace(self.overall, trace=empty)
        return dataclasses.replace(self, domains=domains, overall=overall, priorities=(), projection=None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (see ``schemas/result.schema.json``)."""
        data: dict[str, Any] = _plain(self)
        data["organisation"]["metadata"] = dict(self.organisation.metadata)
        if self.projection is not None:
            data["projection"]["changes"] = dict(self.projection.changes)
        return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        rounded = round(value, 4)
        return 0.0 if rounded == 0 else rounded
    return value
