"""Answers files and survey exports uploaded into a round, read by the command line's readers and checks.

An uploaded file adds respondents to a round, so it is checked as ``qimaturity score`` checks an answers file (the
schema, question ids, levels, N/A, respondent groups, the rubric's id and version), except that a question no one
in the file answered is not a problem there: whether every question has an answer is a matter of the whole round,
checked when the round is scored. A survey export is read as ``qimaturity import --missing exclude`` reads it, for
the same reason. Every problem carries its place: the file's name (as uploaded), line and column where known, and
the path of the question in the document.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import qimaturity
from qimaturity import Assessment, InputError, Problem, Rubric
from qimaturity._core.documents import SourceDocument, parse_yaml, read_text
from qimaturity.answers.files import assessment_from_document, check_answers_document, parse_answers_text
from qimaturity.answers.sources import is_fhir, is_template

ANSWERS_FILE_SUFFIXES = (".yaml", ".yml", ".json")
EXPORT_SUFFIXES = (".csv", ".tsv", ".xlsx")
UPLOAD_SUFFIXES = ANSWERS_FILE_SUFFIXES + EXPORT_SUFFIXES


def read_upload(path: Path, name: str, rubric: Rubric) -> list[Assessment]:
    """The assessments (one per organisation) in the file at ``path``, uploaded as ``name``; raises
    :class:`InputError` with every problem, each at its place in ``name``."""
    try:
        if path.suffix.lower() in ANSWERS_FILE_SUFFIXES and not is_fhir(path):
            return [_answers_file(path, name, rubric)]
        return _export(path, name, rubric)
    except InputError as error:
        raise InputError([_renamed(problem, path, name) for problem in error.problems]) from None


def _renamed(problem: Problem, path: Path, name: str) -> Problem:
    return dataclasses.replace(problem, file=name) if problem.file in (str(path), path.name) else problem


def _answers_file(path: Path, name: str, rubric: Rubric) -> Assessment:
    text = read_text(path, display=name)
    doc = parse_answers_text(text, name)
    problems = check_answers_document(doc, rubric, missing=False)
    if problems:
        if not doc.marks:  # JSON parsed for speed has no positions: parse it again for them
            doc = parse_yaml(text, name, keep_going=True)
            problems = check_answers_document(doc, rubric, missing=False)
        raise InputError(problems)
    return assessment_from_document(doc)


def _export(path: Path, name: str, rubric: Rubric) -> list[Assessment]:
    survey = path.suffix.lower() in EXPORT_SUFFIXES and not is_template(path)
    documents = qimaturity.import_answers(path, rubric, missing="exclude" if survey else None)
    assessments = []
    problems: list[Problem] = []
    for document in documents:
        doc = SourceDocument(name, document)
        found = check_answers_document(doc, rubric, missing=False)
        problems.extend(found)
        if not found:
            assessments.append(assessment_from_document(doc))
    if problems:
        raise InputError(problems)
    return assessments
