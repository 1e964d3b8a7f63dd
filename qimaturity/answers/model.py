"""The assessment model: one organisation's answers at one date, from one or more respondents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qimaturity._core.frozen import FrozenMap, frozen_map

if TYPE_CHECKING:
    from qimaturity.rubric.model import Rubric

Scalar = str | int | float | bool


@dataclass(frozen=True)
class EvidenceRecord:
    """One entry of an assessment's evidence register: a document cited once, referred to by answers by ``id``."""

    id: str
    title: str
    date: str
    owner: str
    link: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class EvidenceItem:
    """Evidence an answer cites: a register entry (``id``, with its title and date), or free text as answers
    files gave it before registers (``id`` is ``None``)."""

    reference: str
    date: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Answer:
    """One respondent's answer to one question: a level, or N/A (``level`` is ``None``)."""

    question_id: str
    level: int | None
    justification: str | None = None
    comment: str | None = None
    evidence: tuple[EvidenceItem, ...] = ()

    @property
    def na(self) -> bool:
        return self.level is None


@dataclass(frozen=True)
class Respondent:
    id: str
    group: str | None
    answers: tuple[Answer, ...]
    comment: str | None = None
    """What the respondent said about the assessment as a whole (a survey's closing free-text question)."""


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    type: str | None = None
    region: str | None = None
    metadata: FrozenMap[str, Scalar] = FrozenMap()
    """Free metadata (text, numbers, true/false), read as a mapping; a dict given here is frozen."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", frozen_map(self.metadata))


@dataclass(frozen=True)
class Assessment:
    """One organisation's answers to a rubric. Load one with :func:`qimaturity.load_assessment`, or build one:
    :func:`qimaturity.score` checks it against the rubric as an answers file is checked."""

    organisation: Organisation
    rubric_id: str
    respondents: tuple[Respondent, ...]
    rubric_version: str | None = None
    date: str | None = None
    assessor: str | None = None
    targets: FrozenMap[str, int] = FrozenMap()
    """Target levels by domain or question id (``overall`` for the overall target); a dict given here is frozen."""
    evidence: tuple[EvidenceRecord, ...] = ()
    """The evidence register: every document the answers cite, once."""
    missing: str | None = None
    """What an unanswered question does in this assessment (``error``, ``exclude``, ``count_as_lowest``), instead of
    the rubric's ``scoring.missing``: set by ``qimaturity import --missing``."""
    source: str | None = field(default=None, compare=False)
    # The content hash of the rubric this assessment passed the checks against (see mark_checked). Not an argument:
    # a copy made with dataclasses.replace, which may hold anything, starts unchecked.
    _checked_with: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", frozen_map(self.targets))

    def __repr__(self) -> str:
        org = self.organisation
        version = f" {self.rubric_version}" if self.rubric_version else ""
        when = f" {self.date}" if self.date else ""
        return (
            f"<Assessment {org.id} {org.name!r}{when}: {len(self.respondents)} respondent(s), "
            f"{sum(len(r.answers) for r in self.respondents)} answer(s) to {self.rubric_id}{version}>"
        )


def mark_checked(assessment: Assessment, rubric: Rubric) -> Assessment:
    """Record that ``assessment`` passed the checks against ``rubric``, so that scoring does not repeat them."""
    object.__setattr__(assessment, "_checked_with", rubric.content_hash)
    return assessment


def is_checked(assessment: Assessment, rubric: Rubric) -> bool:
    """Whether ``assessment`` passed the checks against this rubric's content."""
    return assessment._checked_with is not None and assessment._checked_with == rubric.content_hash
