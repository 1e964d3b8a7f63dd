"""The assessment model: one organisation's answers at one date, from one or more respondents."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvidenceItem:
    reference: str
    date: str | None = None


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


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    type: str | None = None
    region: str | None = None
    metadata: tuple[tuple[str, str | int | float | bool], ...] = ()


@dataclass(frozen=True)
class Assessment:
    """Answers checked against a rubric. Build one with :func:`qimaturity.load_assessment`."""

    organisation: Organisation
    rubric_id: str
    respondents: tuple[Respondent, ...]
    rubric_version: str | None = None
    date: str | None = None
    assessor: str | None = None
    targets: tuple[tuple[str, int], ...] = ()
    source: str | None = field(default=None, compare=False)
