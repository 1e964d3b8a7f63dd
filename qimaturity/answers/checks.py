"""An assessment built in Python, checked against a rubric with the rules an answers file meets.

The rules have one home, :func:`qimaturity.answers.files.check_answers_document`: an :class:`Assessment` is written
as the answers document it stands for and checked by it, schema included (unknown questions, levels off the scale,
N/A where not allowed or without a justification, questions not asked of a group, unknown groups, missing answers
under ``missing: error``, the rubric's id and version, targets, dates). Its problems carry the document's paths
(``/respondents/0/answers/lead-role-models``) and, as their file, the assessment's ``source`` or ``<assessment>``;
they have no line. An assessment that passed (every one :func:`qimaturity.load_assessment` returns) is marked, so
that scoring checks it once.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from qimaturity._core.documents import SourceDocument
from qimaturity._core.problems import DocPath, InputError, Problem, pointer, sort_problems
from qimaturity.answers.files import check_answers_document
from qimaturity.answers.model import Answer, Assessment, is_checked, mark_checked
from qimaturity.rubric.model import Rubric

UNNAMED = "<assessment>"
"""The file named in the problems of an assessment that has no ``source``."""


def check_assessment(assessment: Assessment, rubric: Rubric) -> list[Problem]:
    """Every problem with ``assessment`` for scoring with ``rubric``, as an answers file's would be reported."""
    name = assessment.source or UNNAMED
    writer = _Writer(name)
    data = writer.document(assessment)
    if writer.unreadable:
        return sort_problems([*writer.unreadable, *writer.problems])
    return check_answers_document(SourceDocument(name, data, problems=tuple(writer.problems)), rubric)


def require_checked(assessment: Assessment, rubric: Rubric) -> None:
    """Raise :class:`InputError` with every problem unless ``assessment`` fits ``rubric``; an assessment already
    checked against this rubric's content is not checked again."""
    if is_checked(assessment, rubric):
        return
    problems = check_assessment(assessment, rubric)
    if problems:
        raise InputError(problems)
    mark_checked(assessment, rubric)


class _Writer:
    """The answers document an assessment stands for, and what no document could say (two answers to one question
    from one respondent, values that are not plain data)."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.unreadable: list[Problem] = []

    def document(self, assessment: Assessment) -> dict[str, Any]:
        org = assessment.organisation
        organisation = self.fields(("organisation",), id=org.id, name=org.name, type=org.type, region=org.region)
        if org.metadata:
            organisation["metadata"] = self.plain(org.metadata, ("organisation", "metadata"))
        data: dict[str, Any] = {
            "rubric": self.fields(("rubric",), id=assessment.rubric_id, version=assessment.rubric_version),
            "organisation": organisation,
            **self.fields((), date=assessment.date, assessor=assessment.assessor, missing=assessment.missing),
        }
        if assessment.targets:
            data["targets"] = self.plain(assessment.targets, ("targets",))
        if assessment.evidence:
            data["evidence"] = [
                self.fields(
                    ("evidence", index), id=e.id, title=e.title, date=e.date, owner=e.owner, link=e.link, file=e.file
                )
                for index, e in enumerate(assessment.evidence)
            ]
        data["respondents"] = [
            {
                **self.fields(
                    ("respondents", index), id=respondent.id, group=respondent.group, comment=respondent.comment
                ),
                "answers": self.answers(respondent.answers, ("respondents", index, "answers")),
            }
            for index, respondent in enumerate(assessment.respondents)
        ]
        return data

    def fields(self, path: DocPath, **values: Any) -> dict[str, Any]:
        """The values that are given (not ``None``), as plain data."""
        return {key: self.plain(value, (*path, key)) for key, value in values.items() if value is not None}

    def answers(self, answers: tuple[Answer, ...], path: DocPath) -> dict[str, Any]:
        written: dict[str, Any] = {}
        for answer in answers:
            qid = answer.question_id
            if not isinstance(qid, str):
                self.unreadable.append(self.problem(path, f"question id {qid!r} is not text", "use the rubric's ids"))
                continue
            if qid in written:
                self.problems.append(
                    self.problem(
                        (*path, qid),
                        f"question '{qid}' is answered twice by this respondent",
                        "keep one answer per question and respondent",
                    )
                )
                continue
            where = (*path, qid)
            extras = self.fields(where, justification=answer.justification, comment=answer.comment)
            if answer.evidence:
                extras["evidence"] = [
                    self.plain(item.id, (*where, "evidence", i))
                    if item.id is not None
                    else self.fields((*where, "evidence", i), reference=item.reference, date=item.date)
                    for i, item in enumerate(answer.evidence)
                ]
            if answer.level is None:
                written[qid] = {"na": True, **extras}
            else:
                level = self.plain(answer.level, where)
                written[qid] = {"level": level, **extras} if extras else level
        return written

    def plain(self, value: Any, path: DocPath) -> Any:
        """``value`` as the plain data a parsed document holds; anything else is a problem, reported alone."""
        if value is None or isinstance(value, str | bool | int | float):
            return value
        if isinstance(value, numbers.Integral):  # e.g. a NumPy integer from a data frame
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
        if isinstance(value, Mapping):
            plain = {}
            for key, item in value.items():
                if isinstance(key, str):
                    plain[key] = self.plain(item, (*path, key))
                else:
                    self.unreadable.append(self.problem(path, f"the key {key!r} is not text", "use text keys"))
            return plain
        if isinstance(value, list | tuple):
            return [self.plain(item, (*path, index)) for index, item in enumerate(value)]
        kind = type(value)
        self.unreadable.append(
            self.problem(
                path,
                f"a {kind.__module__}.{kind.__qualname__} is not text, a number or true/false",
                "give plain values (dates as text: YYYY-MM-DD)",
            )
        )
        return None

    def problem(self, path: DocPath, message: str, hint: str) -> Problem:
        return Problem(self.name, None, None, pointer(path), message, hint)
