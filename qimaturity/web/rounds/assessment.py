"""A round as the answers document the command line reads, and as the checked assessment it stands for.

:func:`round_document` writes the submitted invitations of a round in the answers file format
(``schemas/answers.schema.json``): the rubric's id and version, the organisation's id (its code), name, type,
region and metadata, the assessment date, and one respondent per submitted invitation with its id, group and
answers (a bare level, or ``{level | na, justification, comment, evidence}`` when there is more to say).
Invitations not submitted are left out. :func:`round_assessment` checks that document with
:func:`qimaturity.load_assessment`, exactly as a file is checked, so a round can leave the system as a file and come
back the same.
"""

from __future__ import annotations

from typing import Any

from qimaturity import Assessment, Rubric, load_assessment, load_rubric
from qimaturity.web.rounds.models import Answer, Invitation, Round


def rubric_of(round_: Round) -> Rubric:
    """The rubric a round was opened with (by the id the command line names it with)."""
    return load_rubric(round_.rubric_id)


def answer_value(answer: Answer) -> int | dict[str, Any]:
    """One saved answer as an answers file gives it: the level alone when nothing else was said."""
    if not answer.na and not answer.comment and not answer.evidence:
        assert answer.level is not None  # the model's constraint: a level or N/A
        return answer.level
    value: dict[str, Any] = {"na": True} if answer.na else {"level": answer.level}
    if answer.na and answer.justification:
        value["justification"] = answer.justification
    if answer.comment:
        value["comment"] = answer.comment
    if answer.evidence:
        value["evidence"] = [dict(item) for item in answer.evidence]
    return value


def round_document(round_: Round) -> dict[str, Any]:
    """The answers document of a round's submitted invitations (see the module's description)."""
    organisation = round_.organisation
    org: dict[str, Any] = {"id": organisation.code, "name": organisation.name}
    if organisation.type:
        org["type"] = organisation.type
    if organisation.region:
        org["region"] = organisation.region
    if organisation.metadata:
        org["metadata"] = dict(organisation.metadata)
    submitted = (
        Invitation.objects.filter(round=round_, submitted_at__isnull=False)
        .order_by("respondent_id")
        .prefetch_related("answers")
    )
    respondents = [
        {
            "id": invitation.respondent_id,
            "group": invitation.group,
            "answers": {
                answer.question_id: answer_value(answer)
                for answer in sorted(invitation.answers.all(), key=lambda a: a.question_id)
            },
        }
        for invitation in submitted
    ]
    return {
        "rubric": {"id": round_.rubric_id, "version": round_.rubric_version},
        "organisation": org,
        "date": round_.assessment_date.isoformat(),
        "respondents": respondents,
    }


def round_assessment(round_: Round, rubric: Rubric | None = None) -> Assessment:
    """The round's submitted answers, checked against its rubric as an answers file is (an
    :class:`qimaturity.InputError` with every problem otherwise, e.g. when no invitation was submitted)."""
    chosen = rubric if rubric is not None else rubric_of(round_)
    return load_assessment(round_document(round_), chosen, display=f"round {round_.pk} ({round_.title})")
