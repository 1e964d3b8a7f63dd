"""The rubric model: immutable, built only from a document that passed validation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from qimaturity.rubric.expressions import Expression

Method = Literal["weighted_mean", "mean", "weighted_sum", "minimum", "highest_rung"]
NaPolicy = Literal["exclude", "count_as_met", "count_as_lowest", "anchor_to_target"]
MissingPolicy = Literal["error", "exclude", "count_as_lowest"]
Scope = Literal["domain", "overall"]


@dataclass(frozen=True)
class Level:
    value: int
    name: str
    descriptor: str


@dataclass(frozen=True)
class LevelDescriptor:
    level: int
    descriptor: str
    next_step: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    url: str | None = None
    codes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RespondentGroup:
    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    domain_id: str
    text: str
    levels: tuple[LevelDescriptor, ...]
    help: str | None = None
    weight: float = 1.0
    critical: bool = False
    target: int | None = None
    stage: int | None = None
    na_allowed: bool = False
    na_justification: bool = True
    evidence_from: int | None = None
    respondents: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[tuple[str, tuple[str, ...]], ...] = ()
    measure: str | None = None

    def descriptor(self, level: int) -> LevelDescriptor | None:
        return next((d for d in self.levels if d.level == level), None)


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    questions: tuple[Question, ...]
    description: str | None = None
    weight: float = 1.0
    target: int | None = None
    stage: int | None = None


@dataclass(frozen=True)
class Evidence:
    on_missing: Literal["cap", "flag"] = "cap"
    max_age_days: int | None = None


@dataclass(frozen=True)
class Scoring:
    respondent_aggregate: Literal["median", "mean", "min", "max"] = "median"
    agreement_threshold: float = 0.7
    compare: tuple[tuple[str, str], ...] = ()
    gap_threshold: float = 1.0
    questions: Method = "weighted_mean"
    domains: Method = "weighted_mean"
    level_from_value: Literal["floor", "round"] = "floor"
    not_applicable: NaPolicy = "exclude"
    missing: MissingPolicy = "error"
    evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True)
class Band:
    id: str
    name: str
    lower: float
    upper: float
    description: str | None = None


@dataclass(frozen=True)
class Bands:
    on: Literal["value", "percent"]
    items: tuple[Band, ...]


# Conditions: the declared forms a cap or gate can test.
@dataclass(frozen=True)
class CriticalBelow:
    level: int


@dataclass(frozen=True)
class ItemLevel:
    kind: Literal["question", "domain"]
    id: str
    comparison: Literal["below", "at_least"]
    level: int


@dataclass(frozen=True)
class Count:
    of: Literal["domains", "questions", "critical_questions"]
    level_test: Literal["level_below", "level_at", "level_at_least"]
    level: int
    bound: Literal["at_most", "at_least"]
    number: int


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class ExpressionCondition:
    expression: Expression


Condition = CriticalBelow | ItemLevel | Count | AllOf | AnyOf | Not | ExpressionCondition


@dataclass(frozen=True)
class Rule:
    id: str
    type: Literal["cap", "gate", "staged"]
    scope: Scope
    domains: tuple[str, ...] = ()
    description: str | None = None
    max_level: int | None = None
    level: int | None = None
    condition: Condition | None = None
    met_at: int | None = None
    stages_of: Literal["questions", "domains"] = "questions"


# Left out of the plain data report templates receive (qimaturity.report.templating.plain): rules hold compiled
# expression evaluators, and a path says where a file sits on this machine.
_HIDDEN_FROM_TEMPLATES = {"template": False}


@dataclass(frozen=True)
class Rubric:
    """A validated rubric. Build one with :func:`qimaturity.load_rubric`."""

    id: str
    version: str
    title: str
    levels: tuple[Level, ...]
    domains: tuple[Domain, ...]
    content_hash: str
    description: str | None = None
    licence: str | None = None
    authors: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    na_allowed: bool = False
    na_justification: bool = True
    respondent_groups: tuple[RespondentGroup, ...] = ()
    default_target: int | None = None
    scoring: Scoring = field(default_factory=Scoring)
    bands: Bands | None = None
    rules: tuple[Rule, ...] = field(default=(), metadata=_HIDDEN_FROM_TEMPLATES)
    path: str | None = field(default=None, metadata=_HIDDEN_FROM_TEMPLATES)

    @property
    def lowest(self) -> int:
        return self.levels[0].value

    @property
    def highest(self) -> int:
        return self.levels[-1].value

    def level(self, value: int) -> Level:
        return next(level for level in self.levels if level.value == value)

    def questions(self) -> Iterator[Question]:
        for domain in self.domains:
            yield from domain.questions

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions() if q.id == question_id)

    def domain(self, domain_id: str) -> Domain:
        return next(d for d in self.domains if d.id == domain_id)

    @property
    def question_count(self) -> int:
        return sum(len(d.questions) for d in self.domains)
