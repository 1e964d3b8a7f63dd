"""The rubric model: immutable, built only from a document that passed validation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from qimaturity._core.frozen import FrozenMap
from qimaturity._core.numbers import given_number
from qimaturity._core.problems import SHOWN_CHARS, shown_text
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.expressions import Expression

Method = Literal["weighted_mean", "mean", "weighted_sum", "sum", "minimum", "highest_rung"]
NaPolicy = Literal["exclude", "count_as_met", "count_as_lowest", "anchor_to_target"]
NA_COUNTS_AS: dict[str, NaPolicy] = {
    "exclude": "exclude",
    "met": "count_as_met",
    "lowest": "count_as_lowest",
    "target": "anchor_to_target",
}
"""A question's ``not_applicable.counts_as`` word -> the policy of the same meaning in ``scoring.not_applicable``."""
MissingPolicy = Literal["error", "exclude", "count_as_lowest"]
Scope = Literal["domain", "overall"]


class UnknownIdError(KeyError):
    """An id looked up in a rubric or a result that does not hold it; the message names the closest id.

    A ``KeyError``, so that ``except KeyError`` catches it, whose text is the plain message (a bare ``KeyError``
    shows its argument in quotes).
    """

    def __init__(self, kind: str, ident: str | int, where: str, choices: Iterable[str | int]):
        known = [str(choice) for choice in choices]
        said = shown_text(ident) if isinstance(ident, str) else repr(ident)
        message = f"no {kind} {said} in {where}"
        hint = did_you_mean(ident, known) if isinstance(ident, str) and len(ident) <= SHOWN_CHARS else ""
        if hint:
            message += f"; {hint}"
        elif 0 < len(known) <= 10:
            message += f" (its {kind}s: {', '.join(known)})"
        super().__init__(message)
        self.kind = kind
        self.ident = ident

    def __str__(self) -> str:
        return str(self.args[0])


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
    """What to do to reach the level above (``None`` on the top level)."""
    measure: str | None = None
    """A process measure of the next step, one that can be checked 30 days after it starts; ``None``: the
    question's ``measure`` stands for it."""
    owner: str | None = None
    """The role suggested to own the next step."""


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
    codes: FrozenMap[str, str] = FrozenMap()
    """The framework's codes (code -> what it stands for)."""


@dataclass(frozen=True)
class RespondentGroup:
    id: str
    name: str
    description: str | None = None
    weight: float = 1.0
    """The group's weight when respondents are pooled by group (``scoring.respondents.pooling: groups``)."""
    weight_rationale: str | None = None
    """Why the group has its weight, as the rubric gives it."""


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
    na_counts_as: NaPolicy | None = None
    """How an N/A answer to this question counts; ``None``: the rubric's ``scoring.not_applicable``."""
    evidence_from: int | None = None
    evidence_groups: tuple[str, ...] = ()
    """The respondent groups asked to cite evidence from ``evidence_from`` up; empty: every group."""
    respondents: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: FrozenMap[str, tuple[str, ...]] = FrozenMap()
    """Framework id -> the framework's codes this question maps to."""
    measure: str | None = None
    """How to tell that a next step worked, for every step that gives no measure of its own."""
    wording: FrozenMap[str, str] = FrozenMap()
    """Respondent group id -> the question in that group's words (``text`` is the default wording)."""
    help_for: FrozenMap[str, str] = FrozenMap()
    """Respondent group id -> the guidance given to that group in place of ``help``."""
    weight_rationale: str | None = None
    """Why the question has its weight, as the rubric gives it."""
    critical_rationale: str | None = None
    """Why the question is critical, as the rubric gives it."""
    short_title: str | None = None
    """A few words naming the question where its full text does not fit: chart labels."""

    def text_for(self, group: str | None) -> str:
        """The question in the words of respondent group ``group`` (its ``wording``), else the default text."""
        return self.wording.get(group, self.text) if group is not None else self.text

    def help_text_for(self, group: str | None) -> str | None:
        """The guidance for respondent group ``group`` (its ``help_for``), else the default ``help``."""
        return self.help_for.get(group, self.help) if group is not None else self.help

    def step_measure(self, level: int) -> str | None:
        """The measure of the next step from ``level``: the step's own, else the question's."""
        entry = self.descriptor(level)
        return (entry.measure if entry is not None else None) or self.measure

    def asks_evidence(self, group: str | None, level: int) -> bool:
        """Whether an answer at ``level`` from a respondent of ``group`` must cite evidence: at or above
        ``evidence_from``, from a group the question asks (a respondent without a group is asked only when every
        group is)."""
        if self.evidence_from is None or level < self.evidence_from:
            return False
        return not self.evidence_groups or group in self.evidence_groups

    def descriptor(self, level: int) -> LevelDescriptor | None:
        return next((d for d in self.levels if d.level == level), None)

    def __repr__(self) -> str:
        flags = "".join(
            f", {flag}" for flag, on in (("critical", self.critical), ("N/A allowed", self.na_allowed)) if on
        )
        return f"<Question {self.id} in {self.domain_id}, weight {given_number(self.weight)}{flags}>"


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    questions: tuple[Question, ...]
    description: str | None = None
    weight: float = 1.0
    target: int | None = None
    stage: int | None = None
    weight_rationale: str | None = None
    """Why the domain has its weight, as the rubric gives it."""

    def __repr__(self) -> str:
        return f"<Domain {self.id} {self.title!r}: {len(self.questions)} questions, weight {given_number(self.weight)}>"


@dataclass(frozen=True)
class Evidence:
    on_missing: Literal["cap", "flag"] = "cap"
    max_age_days: int | None = None


@dataclass(frozen=True)
class Scoring:
    respondent_aggregate: Literal["median", "mean", "min", "max"] = "median"
    pooling: Literal["respondents", "groups"] = "respondents"
    """``respondents``: one aggregate over every answer; ``groups``: each group's aggregate, then the groups'
    weighted mean (see docs/scoring.md)."""
    even_median: Literal["mean", "lower", "upper"] = "mean"
    """What the median of an even number of levels is: the mean of the middle two (3 and 4 give 3.5), the lower or
    the upper of them."""
    agreement_threshold: float = 0.7
    agreement_min_respondents: int = 3
    min_group_size: int = 3
    """A respondent group with fewer respondents (in the assessment, or answering a question) is not shown."""
    """r_wg is computed within each respondent group that has at least this many answers to a question."""
    compare: tuple[tuple[str, str], ...] = ()
    gap_threshold: float = 1.0
    questions: Method = "weighted_mean"
    domains: Method = "weighted_mean"
    level_from_value: Literal["floor", "round"] = "floor"
    minimal_important_difference: float | None = None
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
    on: Literal["value", "percent", "total"]
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
    sentence: str | None = None
    """What a report's executive summary says when the rule holds a result back: one plain sentence for a board
    (``None``: the report writes one from the rule)."""


Combine = Literal["min", "max", "median", "mean-floor"]


@dataclass(frozen=True)
class QuestionMove:
    """One entry of a migration map: what became of one question of an earlier version (or several, merged)."""

    old: tuple[str, ...]
    """The question id(s) in the earlier version: several only for a merge."""
    new: tuple[str, ...] = ()
    """The question id(s) in this version: several for a split; none when the old question is dropped."""
    combine: Combine | None = None
    """How a merge combines one respondent's answers to the old questions."""
    levels: FrozenMap[int, int] = FrozenMap()
    """Old level -> new level; empty when levels carry over as they are."""
    dropped: str | None = None
    """Why the old answers are not carried over (the entry has no ``new``)."""
    place: str = field(default="", compare=False)
    """Where the entry is in the rubric (``/migrations/0/questions/3``), for messages."""
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    @property
    def kind(self) -> Literal["renamed", "split", "merged", "dropped"]:
        if self.dropped is not None:
            return "dropped"
        if len(self.old) > 1:
            return "merged"
        return "split" if len(self.new) > 1 else "renamed"

    @property
    def one_to_one(self) -> bool:
        """A rename (or the same id) whose levels carry over as they are: values before and after mean the same."""
        return self.kind == "renamed" and all(old == new for old, new in self.levels.items())


@dataclass(frozen=True)
class DomainMapping:
    """What a migration map says of one domain of this version."""

    id: str
    comparable: bool | None = None
    """Whether values before and after may be compared; ``None``: as the questions say (one to one)."""
    note: str | None = None
    old: str | None = None
    """The domain's id in the earlier version, when it was renamed."""


@dataclass(frozen=True)
class Migration:
    """A migration map: how answers given to earlier versions (``versions``) carry over to this rubric's."""

    versions: tuple[str, ...]
    questions: tuple[QuestionMove, ...] = ()
    comparable: bool | None = None
    """The setting of every domain not listed in ``domains``, and a condition of comparing the overall value."""
    note: str | None = None
    domains: tuple[DomainMapping, ...] = ()
    place: str = field(default="", compare=False)
    """Where the map is in the rubric (``/migrations/0``), for messages."""
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)

    def move_of(self, old_id: str) -> QuestionMove | None:
        """The entry that takes the old question ``old_id``, or None (then it carries over under its own id, if this
        version has it)."""
        return next((move for move in self.questions if old_id in move.old), None)

    def moves_to(self, new_id: str) -> QuestionMove | None:
        """The entry that gives answers to the question ``new_id`` of this version, or None."""
        return next((move for move in self.questions if new_id in move.new), None)

    def domain(self, domain_id: str) -> DomainMapping | None:
        return next((d for d in self.domains if d.id == domain_id), None)


# Left out of the plain data report templates receive (qimaturity.report.templating.plain): rules hold compiled
# expression evaluators, a path says where a file sits on this machine, and migration maps (levels keyed by
# number) are for converting answers, not for reading in a report.
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
    fhir_canonical: str | None = None
    """The canonical URL of the rubric's FHIR Questionnaire (``fhir.canonical``); None: the placeholder of
    :func:`qimaturity.answers.fhir.questionnaire_url`."""
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
    migrations: tuple[Migration, ...] = field(default=(), metadata=_HIDDEN_FROM_TEMPLATES)
    """Maps from earlier versions: how their answers carry over (see :mod:`qimaturity.rubric.migration`)."""

    @property
    def lowest(self) -> int:
        return self.levels[0].value

    @property
    def highest(self) -> int:
        return self.levels[-1].value

    def level(self, value: int) -> Level:
        """The level of the scale with this value; a ``KeyError`` when the scale has none."""
        for level in self.levels:
            if level.value == value:
                return level
        raise UnknownIdError("level", value, f"the scale of {self.id}", (level.value for level in self.levels))

    def na_policy(self, question: Question) -> NaPolicy:
        """How an N/A answer to this question counts: its own ``counts_as``, else the rubric-wide default."""
        return question.na_counts_as or self.scoring.not_applicable

    def questions(self) -> Iterator[Question]:
        for domain in self.domains:
            yield from domain.questions

    def question(self, question_id: str) -> Question:
        """The question with this id; a ``KeyError`` naming the closest id when the rubric has none."""
        for question in self.questions():
            if question.id == question_id:
                return question
        raise UnknownIdError("question", question_id, self.id, (q.id for q in self.questions()))

    def domain(self, domain_id: str) -> Domain:
        """The domain with this id; a ``KeyError`` naming the closest id when the rubric has none."""
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise UnknownIdError("domain", domain_id, self.id, (d.id for d in self.domains))

    def migration_from(self, version: str) -> Migration | None:
        """The map that converts answers given to ``version`` of this rubric, or None when it has none."""
        return next((m for m in self.migrations if version in m.versions), None)

    @property
    def question_count(self) -> int:
        return sum(len(d.questions) for d in self.domains)

    def __repr__(self) -> str:
        return f"<Rubric {self.id} {self.version}: {len(self.domains)} domains, {self.question_count} questions>"
