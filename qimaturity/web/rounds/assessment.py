"""A round as the command line sees it: its submitted answers as an answers document, and that document's
assessment, checked against the round's rubric exactly as an answers file is (:func:`qimaturity.load_assessment`)."""

from __future__ import annotations

from typing import Any

import qimaturity
from qimaturity import Assessment, Rubric
from qimaturity.web.rounds.models import Answer, Invitation, Round


def round_rubric(round_: Round) -> Rubric:
    """The rubric the round was opened with (by its id: bundled, or on the site's rubric path)."""
    return qimaturity.load_rubric(round_.rubric_id)


def answer_value(answer: Answer) -> int | dict[str, Any]:
    """One saved answer as an answers file writes it: a level alone, or a mapping with N/A, comment and evidence."""
    if not answer.na and not answer.comment and not answer.evidence:
        return int(answer.level)  # a level where not N/A (the table's check)
    value: dict[str, Any] = {"na": True} if answer.na else {"level": answer.level}
    if answer.na and answer.justification:
        value["justification"] = answer.justification
    if answer.comment:
        value["comment"] = answer.comment
    if answer.evidence:
        value["evidence"] = [
            {key: item[key] for key in ("reference", "date") if item.get(key)} for item in answer.evidence
        ]
    return value


def round_document(round_: Round) -> dict[str, Any]:
    """The round's answers document (the answers-file format the CLI reads): its submitted respondents only, each
    with their group and answers, in respondent id and question id order."""
    organisation = round_.organisation
    org: dict[str, Any] = {"id": organisation.code, "name": organisation.name}
    for key in ("type", "region"):
        if getattr(organisation, key):
            org[key] = getattr(organisation, key)
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
    """The round's assessment, checked against its rubric; :class:`qimaturity.InputError` when it does not pass
    (no submitted respondent yet, or answers the rubric no longer takes)."""
    rubric = rubric if rubric is not None else round_rubric(round_)
    return qimaturity.load_assessment(round_document(round_), rubric, display=f"round {round_.pk}")
