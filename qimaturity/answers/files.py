"""Answers files (YAML or JSON) in, checked :class:`Assessment` out.

An answers file is checked against ``schemas/answers.schema.json`` and then against the rubric it is scored
with: unknown question ids, levels off the scale, N/A where the rubric does not allow it or without a required
justification, questions asked of another respondent group, missing answers (per the rubric's policy) and a
rubric id or version that does not match. Every problem is reported at once, with file, line and question id.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from datetime import date
from pathlib import Path as FsPath
from typing import Any

from qimaturity._core.documents import SourceDocument, parse_json, parse_yaml, plain_document, read_text
from qimaturity._core.frozen import FrozenMap, maker
from qimaturity._core.kinds import is_json
from qimaturity._core.problems import DocPath, InputError, Problem, sort_problems
from qimaturity.answers.model import (
    Answer,
    Assessment,
    EvidenceItem,
    EvidenceRecord,
    Organisation,
    Respondent,
    mark_checked,
)
from qimaturity.rubric.checks import did_you_mean, schema_problems
from qimaturity.rubric.model import Rubric

ANSWER_FORM = "an answer is a level (a whole number) or a mapping with either 'level' or 'na: true'"


def parse_answers_text(text: str, name: str) -> SourceDocument:
    """Parse answers text: JSON when the name ends in ``.json``, otherwise YAML (both safely).

    Raises :class:`InputError` for what stops the reading; duplicate keys and forbidden characters in text are
    left in the document's ``problems``, which :func:`check_answers_document` reports with the rest.
    """
    if not is_json(name):
        return parse_yaml(text, name, keep_going=True)
    doc = parse_json(text, name)
    if not isinstance(doc.data, dict):
        raise InputError.single(name, "the document is not a JSON object", "the top level must be {...}")
    return doc


def _located(doc: SourceDocument, text: str) -> SourceDocument:
    """A JSON document parsed for speed has no positions; parse it again for them once problems are found."""
    if doc.marks:
        return doc
    try:
        return parse_yaml(text, doc.name, keep_going=True)
    except InputError:
        return doc


def _schema_problems(doc: SourceDocument) -> list[Problem]:
    problems = []
    for problem in schema_problems(doc, "answers"):
        if "'oneOf'" in problem.message:
            if problem.path == "/":
                data = doc.data if isinstance(doc.data, dict) else {}
                both = "respondents" in data and "answers" in data
                problem = Problem(
                    problem.file,
                    problem.line,
                    problem.column,
                    problem.path,
                    "give either 'respondents' or 'answers' (the single-respondent shorthand), not both"
                    if both
                    else "no answers: give 'respondents' (a list, each with its id, group and answers), or 'answers' "
                    "(the single-respondent shorthand)",
                    "see schemas/answers.schema.json",
                )
            else:
                problem = Problem(
                    problem.file, problem.line, problem.column, problem.path, ANSWER_FORM, "e.g. 3, or {na: true, ...}"
                )
        problems.append(problem)
    return problems


def _at(data: Any, path: DocPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _date_paths(data: dict[str, Any]) -> list[DocPath]:
    """Where dates sit in an answers document: the assessment date and each evidence date."""
    paths: list[DocPath] = [("date",)] if "date" in data else []
    paths += [("evidence", index, "date") for index, _ in enumerate(data.get("evidence") or [])]
    for base, respondent in _respondent_entries(data):
        for qid, answer in respondent["answers"].items():
            if isinstance(answer, dict):
                for index, item in enumerate(answer.get("evidence") or []):
                    if isinstance(item, dict) and "date" in item:
                        paths.append((*base, qid, "evidence", index, "date"))
    return paths


def _respondent_entries(data: dict[str, Any]) -> list[tuple[DocPath, dict[str, Any]]]:
    """(path of the answers mapping, respondent mapping) for each respondent, shorthand included."""
    if isinstance(data.get("answers"), dict):
        return [(("answers",), {"answers": data["answers"]})]
    entries: list[tuple[DocPath, dict[str, Any]]] = []
    for index, respondent in enumerate(data.get("respondents") or []):
        if isinstance(respondent, dict) and isinstance(respondent.get("answers"), dict):
            entries.append((("respondents", index, "answers"), respondent))
    return entries


def check_answers_document(doc: SourceDocument, rubric: Rubric, *, missing: bool = True) -> list[Problem]:
    """Every problem with an answers document, for scoring with ``rubric``, in file order; without ``missing``,
    questions left unanswered are not problems, whatever the rubric's policy."""
    problems = _schema_problems(doc)
    if problems:
        return sort_problems([*doc.problems, *problems])
    problems = list(doc.problems)
    data = doc.data

    def add(path: DocPath, message: str, hint: str = "", key: bool = False) -> None:
        problems.append(doc.problem(path, message, hint, key=key))

    declared = data["rubric"]
    if declared["id"] != rubric.id:
        # Said alone: checked against another rubric, every question id and group would be a problem too.
        add(("rubric", "id"), *_other_rubric(doc.name, declared, rubric))
        return sort_problems(problems)
    if declared.get("version") not in (None, rubric.version):
        add(
            ("rubric", "version"),
            f"these answers were given to version {declared['version']} of '{rubric.id}'; "
            f"this rubric is version {rubric.version}",
            "score them with the version they were given to, or check them against this version "
            "and update the answers file",
        )
    for path in _date_paths(data):
        try:
            date.fromisoformat(_at(data, path))
        except ValueError:
            add(path, f"'{_at(data, path)}' is not a real date", "use YYYY-MM-DD, e.g. 2026-09-30")
    if rubric.scoring.evidence.max_age_days and "date" not in data:
        add(
            (),
            "no assessment date: the rubric limits the age of evidence, which is measured from it",
            "add date: YYYY-MM-DD",
        )

    scale = {level.value for level in rubric.levels}
    scale_text = ", ".join(str(v) for v in sorted(scale))
    questions = {q.id: q for q in rubric.questions()}
    groups = {g.id for g in rubric.respondent_groups}
    domain_ids = {d.id for d in rubric.domains}

    for target_id, level in (data.get("targets") or {}).items():
        if target_id != "overall" and target_id not in questions and target_id not in domain_ids:
            hint = did_you_mean(target_id, [*questions, *domain_ids]) or "use a domain id, a question id or 'overall'"
            add(("targets", target_id), f"target for unknown id '{target_id}'", hint, key=True)
        elif level not in scale:
            add(("targets", target_id), f"target {level} is not a level of the scale", f"levels are {scale_text}")

    register: dict[str, DocPath] = {}
    for index, entry in enumerate(data.get("evidence") or []):
        if entry["id"] in register:
            first = register[entry["id"]][1]
            assert isinstance(first, int)
            add(
                ("evidence", index, "id"),
                f"duplicate evidence id '{entry['id']}' (entry {first + 1} of the register has it)",
                "give each document of the evidence register its own id",
            )
        register.setdefault(entry["id"], ("evidence", index, "id"))

    mentioned: set[str] = set()
    respondent_ids: dict[str, DocPath] = {}
    for index, respondent in enumerate(data.get("respondents") or []):
        rid = respondent.get("id")
        if rid is not None:
            if rid in respondent_ids:
                line, _ = doc.locate(respondent_ids[rid])
                add(
                    ("respondents", index, "id"),
                    f"duplicate respondent id '{rid}' (first at line {line})",
                    "ids must be unique",
                )
            respondent_ids.setdefault(rid, ("respondents", index, "id"))
        group = respondent.get("group")
        if group is not None and group not in groups:
            hint = did_you_mean(group, groups) or (
                f"groups: {', '.join(sorted(groups))}" if groups else "this rubric defines no respondent groups"
            )
            add(("respondents", index, "group"), f"unknown respondent group '{group}'", hint)

    asked = _asked_of(rubric)
    for path, respondent in _respondent_entries(data):
        group = respondent.get("group")
        answers = respondent["answers"]
        if _plainly_good(answers, asked.get(group if group in groups else None), scale):
            mentioned.update(answers)
            continue
        for qid, answer in answers.items():
            where = (*path, qid)
            question = questions.get(qid)
            if question is None:
                add(
                    where,
                    f"unknown question '{qid}'",
                    did_you_mean(qid, questions) or "check the rubric's question ids",
                    key=True,
                )
                continue
            mentioned.add(qid)
            if group in groups and question.respondents and group not in question.respondents:
                add(
                    where,
                    f"question '{qid}' is not asked of the {group} group",
                    f"the rubric asks it of: {', '.join(question.respondents)}",
                    key=True,
                )
                continue
            for i, item in enumerate(answer.get("evidence") or [] if isinstance(answer, dict) else []):
                if isinstance(item, str) and item not in register:
                    hint = did_you_mean(item, register) or (
                        "add it to the evidence register (evidence: at the top of the file)"
                        if register
                        else "this file has no evidence register: add evidence: [{id, title, date, owner}]"
                    )
                    add((*where, "evidence", i), f"question '{qid}': unknown evidence id '{item}'", hint)
            level = answer if isinstance(answer, int) else answer.get("level")
            if level is not None and level not in scale:
                add(
                    where if isinstance(answer, int) else (*where, "level"),
                    f"question '{qid}': level {level} is not on the scale",
                    f"levels are {scale_text}",
                )
                continue
            if isinstance(answer, dict) and answer.get("na"):
                if not question.na_allowed:
                    add((*where, "na"), f"question '{qid}' cannot be answered N/A", "give a level", key=True)
                    continue
                if question.na_justification and not answer.get("justification"):
                    add(
                        (*where, "na"),
                        f"question '{qid}': N/A needs a justification",
                        "add justification: why it does not apply",
                        key=True,
                    )

    if missing and (data.get("missing") or rubric.scoring.missing) == "error":
        where = ("answers",) if "answers" in data else ("respondents",)
        for question in rubric.questions():
            if question.id not in mentioned:
                add(where, f"question '{question.id}' has no answer", "answer it, or N/A where the rubric allows it")
    return sort_problems(problems)


def _other_rubric(name: str, declared: Mapping[str, Any], rubric: Rubric) -> tuple[str, str]:
    """The problem of answers given to another rubric than the one they are scored with: its message and hint."""
    version = declared.get("version")
    given = f"'{declared['id']}'" + (f" {version}" if isinstance(version, str) else "")
    message = f"these answers are for rubric {given}, not '{rubric.id}'"
    if name.startswith("<"):  # an assessment built in Python, not a file
        return message, "score them with their own rubric"
    # A name that begins with '-' would be read as an option: ./ keeps it a file's name.
    shown = shlex.quote(f"./{name}" if name.startswith("-") else name)
    return message, f"score them with their own rubric: qimaturity score {shlex.quote(str(declared['id']))} {shown}"


def _asked_of(rubric: Rubric) -> dict[str | None, frozenset[str]]:
    """The ids of the questions each respondent group may answer (None: a respondent without a known group)."""
    found = _ASKED.get(rubric.content_hash)
    if found is None:
        questions = list(rubric.questions())
        found = {None: frozenset(q.id for q in questions)}
        for group in rubric.respondent_groups:
            found[group.id] = frozenset(q.id for q in questions if not q.respondents or group.id in q.respondents)
        if len(_ASKED) < 64:
            _ASKED[rubric.content_hash] = found
    return found


_ASKED: dict[str, dict[str | None, frozenset[str]]] = {}


def _plainly_good(answers: dict[str, Any], asked: frozenset[str] | None, scale: set[int]) -> bool:
    """Whether a respondent's answers are all levels of the scale (whole numbers, not mappings) to questions asked
    of their group: nothing for :func:`check_answers_document` to say about them, found without looking at each
    (the answers of most files)."""
    if asked is None or not asked.issuperset(answers):
        return False
    try:
        return scale.issuperset(answers.values()) and all(type(level) is int for level in answers.values())
    except TypeError:  # a mapping among them (N/A, evidence, a comment): each is looked at
        return False


def assessment_from_document(doc: SourceDocument, checked_with: Rubric | None = None) -> Assessment:
    """Build the assessment from a document that passed :func:`check_answers_document`; ``checked_with``, the rubric
    it was checked against, spares scoring the same checks."""
    data = doc.data
    org = data["organisation"]
    organisation = Organisation(
        id=org["id"],
        name=org["name"],
        type=org.get("type"),
        region=org.get("region"),
        metadata=FrozenMap(sorted((org.get("metadata") or {}).items())),
    )
    register = tuple(
        EvidenceRecord(e["id"], e["title"], e["date"], e["owner"], e.get("link"), e.get("file"))
        for e in data.get("evidence") or ()
    )
    by_id = {record.id: record for record in reversed(register)}  # the first entry of a repeated id
    respondents = []
    for index, (_, entry) in enumerate(_respondent_entries(data), start=1):
        answers = tuple(_answer(qid, value, by_id) for qid, value in entry["answers"].items())
        respondents.append(
            Respondent(str(entry.get("id", f"r{index}")), entry.get("group"), answers, entry.get("comment"))
        )
    assessment = Assessment(
        organisation=organisation,
        rubric_id=data["rubric"]["id"],
        rubric_version=data["rubric"].get("version"),
        date=data.get("date"),
        assessor=data.get("assessor"),
        missing=data.get("missing"),
        targets=FrozenMap(sorted((data.get("targets") or {}).items())),
        respondents=tuple(respondents),
        evidence=register,
        source=doc.name,
    )
    return assessment if checked_with is None else mark_checked(assessment, checked_with)


_ANSWER = maker(Answer)  # an answers file holds hundreds: made without a frozen __init__'s cost
_LEVEL_ANSWERS: dict[tuple[str, int], Answer] = {}
_LEVEL_ANSWERS_KEPT = 20_000  # a rubric's questions times its levels, for many rubrics


def _answer(question_id: str, value: Any, register: Mapping[str, EvidenceRecord]) -> Answer:
    if type(value) is int:
        # A level alone: the same (immutable) answer for every respondent and file that gives it.
        found = _LEVEL_ANSWERS.get((question_id, value))
        if found is None:
            found = _ANSWER(question_id, value)
            if len(_LEVEL_ANSWERS) < _LEVEL_ANSWERS_KEPT:
                _LEVEL_ANSWERS[(question_id, value)] = found
        return found
    if isinstance(value, int):
        return _ANSWER(question_id, value)
    return _ANSWER(
        question_id,
        None if value.get("na") else value["level"],
        justification=value.get("justification"),
        comment=value.get("comment"),
        evidence=tuple(_evidence(item, register) for item in value.get("evidence") or ()),
    )


def _evidence(item: str | dict[str, Any], register: Mapping[str, EvidenceRecord]) -> EvidenceItem:
    """A register id stands for its entry (title and date); a free-text item (answers files before registers) is
    kept as it was written, without an id."""
    if isinstance(item, str):
        record = register.get(item)  # None only in a document built unchecked: its check names the id
        return EvidenceItem(record.title, record.date, record.id) if record else EvidenceItem(item, None, item)
    return EvidenceItem(item["reference"], item.get("date"))


def load_assessment(
    path: FsPath | str | Mapping[str, Any], rubric: Rubric, *, display: str | None = None
) -> Assessment:
    """Load an answers file (YAML or JSON), check it against the rubric, and return the assessment.

    Instead of a path, the answers document itself may be given as a mapping (``{"rubric": {...}, "organisation":
    {...}, "respondents": [...]}``): it is checked exactly as a file is, and its problems carry the JSON path
    (``/respondents/0/answers/lead-role-models``) and no line; their file is ``display``, else ``<answers>``.
    Raises :class:`InputError` with every problem found.
    """
    if isinstance(path, Mapping):
        doc = plain_document(path, display or "<answers>")
        problems = check_answers_document(doc, rubric)
        if problems:
            raise InputError(problems)
        return assessment_from_document(doc, checked_with=rubric)
    path = FsPath(path)
    name = display or str(path)
    text = read_text(path, display=name)
    doc = parse_answers_text(text, name)
    problems = check_answers_document(doc, rubric)
    if problems:
        located = _located(doc, text)
        if located is not doc:
            problems = check_answers_document(located, rubric)
        raise InputError(problems)
    return assessment_from_document(doc, checked_with=rubric)
