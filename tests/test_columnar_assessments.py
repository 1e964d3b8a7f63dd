"""The columnar engine on loaded answers files gives the row engine's CSV, byte for byte.

``score FOLDER --format csv`` loads and checks each answers file, then scores the assessments a batch at a time by
the columnar engine (:mod:`qimaturity.scoring.columnar_assessments`). For each rubric we have (the bundled ones,
tests/data/rubrics and every scoring fixture), hypothesis writes answers files with what an export cannot carry:
evidence cited or not, free text dated within the rubric's max_age_days, outside it, after the assessment or not
at all, or the ids of an evidence register's entries; N/A with a justification; comments; respondent groups too
small to show (min_group_size drawn); each question's evidence asked from a drawn level of drawn groups, capped or
flagged; and, for some organisations, targets or a missing-answer policy of their own, which the columnar engine
does not take (those are scored by the row engine, in their place). The CSV text of both must be identical.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qimaturity import load_assessment, score
from qimaturity.cohort.score import COLUMNAR_FROM
from qimaturity.rubric.model import Evidence, Rubric
from qimaturity.scoring.engine import answer_statistics
from qimaturity.scoring.intervals import estimates_intervals, respondent_moments
from qimaturity.scoring.tables import COLUMNS, csv_text

from .conftest import ROOT
from .test_engines_agree import RUBRIC_PATHS, asked, na_policies, pooling_policies, rubric_named

columnar_assessments = pytest.importorskip("qimaturity.scoring.columnar_assessments")

DATE = "2026-06-30"
# Evidence dates: 29 days before the assessment, 166, 545 (beyond a year), and after it.
EVIDENCE_DATES = ["2026-06-01", "2026-01-15", "2024-12-31", "2026-07-15"]
NAMES = ["Org", "North, South and West", 'The "Best" Trust', "=HYPERLINK(1)", "Ünïcode ward", "+44 clinic"]
REGISTER = [
    {"id": f"doc-{k}", "title": f"Paper {k}", "date": day, "owner": "Board"} for k, day in enumerate(EVIDENCE_DATES)
]


@st.composite
def evidence_policies(draw: st.DrawFn, rubric: Rubric) -> Rubric:
    """The rubric as it is, or with its evidence rule drawn: capped or flagged, a maximum age or none, and each
    question asking evidence from a drawn level (or none) of drawn groups; and a drawn min_group_size."""
    scoring = dataclasses.replace(rubric.scoring, min_group_size=draw(st.sampled_from([1, 2, 3, 4])))
    if not draw(st.booleans()):
        return dataclasses.replace(rubric, scoring=scoring)
    policy = Evidence(draw(st.sampled_from(["cap", "flag"])), draw(st.sampled_from([None, 30, 365])))
    scale = [level.value for level in rubric.levels]
    groups = [g.id for g in rubric.respondent_groups]
    domains = tuple(
        dataclasses.replace(
            domain,
            questions=tuple(
                dataclasses.replace(
                    q,
                    evidence_from=draw(st.sampled_from([None, *scale])),
                    evidence_groups=tuple(draw(st.lists(st.sampled_from(groups), unique=True, max_size=2)))
                    if groups
                    else (),
                )
                for q in domain.questions
            ),
        )
        for domain in rubric.domains
    )
    return dataclasses.replace(rubric, domains=domains, scoring=dataclasses.replace(scoring, evidence=policy))


@st.composite
def evidence(draw: st.DrawFn, register: bool) -> list[Any]:
    """What an answer cites: nothing, free text (dated or not), or ids of the register's entries (if it has one)."""
    kind = draw(st.sampled_from(["none", "text", "register"] if register else ["none", "text"]))
    if kind == "none":
        return []
    if kind == "register":
        return draw(st.lists(st.sampled_from([e["id"] for e in REGISTER]), min_size=1, max_size=2, unique=True))
    items = []
    for _ in range(draw(st.integers(1, 2))):
        item = {"reference": "Minutes"}
        day = draw(st.sampled_from([None, *EVIDENCE_DATES]))
        if day is not None:
            item["date"] = day
        items.append(item)
    return items


@st.composite
def answers_documents(draw: st.DrawFn, rubric: Rubric) -> list[dict[str, Any]]:
    """Answers documents of a few organisations, each with a few respondents."""
    groups: list[str | None] = [g.id for g in rubric.respondent_groups] or [None]
    scale = [level.value for level in rubric.levels]
    questions = list(rubric.questions())
    documents = []
    for index in range(draw(st.integers(1, 4))):
        own_missing = draw(st.sampled_from([None, None, None, "exclude", "count_as_lowest"]))
        register = draw(st.booleans())
        missing = own_missing or rubric.scoring.missing
        respondents = []
        for number in range(draw(st.integers(1, 6))):
            group = draw(st.sampled_from(groups))
            answers: dict[str, Any] = {}
            for question in questions:
                if not asked(question, group):
                    continue
                choices: list[Any] = [*scale, None]
                if question.na_allowed:
                    choices.append("na")
                answer = draw(st.sampled_from(choices))
                if answer == "na":
                    answers[question.id] = {"na": True, "justification": "Not applicable here."}
                elif answer is not None:
                    cited = draw(evidence(register))
                    comment = draw(st.sampled_from([None, "Seen at the board, in March."]))
                    if cited or comment:
                        answers[question.id] = {"level": answer, **({"evidence": cited} if cited else {})}
                        if comment:
                            answers[question.id]["comment"] = comment
                    else:
                        answers[question.id] = answer
            entry: dict[str, Any] = {"id": f"r{number + 1}", "answers": answers}
            if group is not None:
                entry["group"] = group
            respondents.append(entry)
        if missing == "error":  # every question answered by someone: the policy refuses gaps
            for question in questions:
                if any(question.id in r["answers"] for r in respondents):
                    continue
                group = question.respondents[0] if question.respondents else groups[0]
                who = next((r for r in respondents if r.get("group") == group), None)
                if who is None:
                    who = {"id": f"r{len(respondents) + 1}", "answers": {}}
                    if group is not None:
                        who["group"] = group
                    respondents.append(who)
                who["answers"][question.id] = draw(st.sampled_from(scale))
        document: dict[str, Any] = {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "organisation": {"id": f"org-{index}", "name": draw(st.sampled_from(NAMES))},
            "respondents": respondents,
        }
        if rubric.scoring.evidence.max_age_days is not None or draw(st.integers(0, 5)):  # needed to age evidence
            document["date"] = DATE
        if register:
            document["evidence"] = REGISTER
        if own_missing is not None:
            document["missing"] = own_missing
        if not draw(st.integers(0, 5)):  # targets of its own
            document["targets"] = {"overall": scale[-1], rubric.domains[0].id: scale[len(scale) // 2]}
        documents.append(document)
    return documents


def both_csv(rubric: Rubric, documents: list[dict[str, Any]], folder: Path) -> tuple[str, str, list[Any], list[Any]]:
    """The CSV rows of the documents' results by the row engine and by the columnar path, and who was scored."""
    folder.mkdir(parents=True, exist_ok=True)
    assessments = []
    for k, document in enumerate(documents):
        path = folder / f"{k}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        assessments.append(load_assessment(path, rubric))
    results = [score(rubric, a) for a in assessments]
    rows = "".join(csv_text(r) for r in results)
    texts = columnar_assessments.csv_texts(rubric, assessments)
    scored = [who for _, people in texts for who in people]
    return rows, "".join(text for text, _ in texts), [(r.organisation.name, r.overall.level) for r in results], scored


def drawn_rubric(data: st.DataObject, name: str) -> Rubric:
    """The bundled rubric ``name`` with drawn N/A, pooling and evidence policies, and a drawn even-median rule."""
    rubric = data.draw(evidence_policies(data.draw(pooling_policies(data.draw(na_policies(rubric_named(name)))))))
    if rubric.scoring.respondent_aggregate == "median":
        even = data.draw(st.sampled_from(["mean", "lower", "upper"]), label="even_median")
        rubric = dataclasses.replace(rubric, scoring=dataclasses.replace(rubric.scoring, even_median=even))
    return rubric


@pytest.mark.slow  # 37 rubrics x 8 generated folders, each scored both ways
@pytest.mark.parametrize("name", sorted(RUBRIC_PATHS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_columnar_path_writes_the_row_engines_csv_for_answers_files(
    name: str, data: st.DataObject, tmp_path: Path
) -> None:
    rubric = drawn_rubric(data, name)
    rows, columns, expected, scored = both_csv(rubric, data.draw(answers_documents(rubric)), tmp_path / "case")
    assert columns == rows
    assert scored == expected


@pytest.mark.slow  # the rubrics that estimate intervals (not a min or max aggregate, nor a total) x 8 folders
@pytest.mark.parametrize("name", sorted(n for n in RUBRIC_PATHS if estimates_intervals(rubric_named(n))))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_moments_of_respondents_scores_are_the_row_engines(name: str, data: st.DataObject, tmp_path: Path) -> None:
    """The moments the intervals are placed from, measured by Polars from each respondent's counted levels
    (_Export.counted_moments), are those intervals.py gives from the row engine's answers, to the bit: per
    assessment, scope and group, the count and the sums of the grid values and of their squares."""
    rubric = drawn_rubric(data, name)
    folder = tmp_path / "case"
    folder.mkdir(parents=True, exist_ok=True)
    assessments = []
    for k, document in enumerate(data.draw(answers_documents(rubric))):
        path = folder / f"{k}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        assessments.append(load_assessment(path, rubric))
    measured = columnar_assessments._Counted.of(rubric, assessments).moments
    for k, assessment in enumerate(assessments):
        statistics = answer_statistics(rubric, assessment)
        levels = {question_id: stats.levels_by_respondent for question_id, stats in statistics.items()}
        groups = {r.id: r.group for r in assessment.respondents}
        assert measured[str(k)] == respondent_moments(rubric, levels, groups)


QI_READINESS = ROOT / "rubrics" / "qi-readiness.yaml"


def qi_document(index: int, levels: dict[str, int], **extra: Any) -> dict[str, Any]:
    """An organisation of qi-readiness whose five respondents (a board member, two managers, a frontline member of
    staff and a patient partner) all answer every question they are asked at 3, except the levels given."""
    rubric = rubric_named("qi-readiness")
    respondents = []
    for number, group in enumerate(["board", "managers", "managers", "frontline", "patient-partners"]):
        answers = {q.id: levels.get(q.id, 3) for q in rubric.questions() if asked(q, group)}
        respondents.append({"id": f"r{number}", "group": group, "answers": answers})
    return {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organisation": {"id": f"org-{index:03d}", "name": f"Organisation {index}"},
        "date": DATE,
        "respondents": respondents,
        **extra,
    }


TAKEN = """
import sys
from qimaturity.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
print("qimaturity.scoring.columnar_assessments" in sys.modules, file=sys.stderr)
"""


def columnar_taken(*args: str) -> bool:
    """Whether a process running the command line with ``args`` scored with the columnar path (imported it)."""
    done = subprocess.run([sys.executable, "-c", TAKEN, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stderr.strip().splitlines()[-1] == "True"


@pytest.mark.slow
@pytest.mark.subprocess
def test_score_folder_as_csv_takes_the_columnar_path_and_the_row_engine_where_it_must(tmp_path: Path) -> None:
    rubric = rubric_named("qi-readiness")
    first = next(iter(rubric.questions()))
    folder = tmp_path / "answers"
    folder.mkdir()
    # 64 organisations (COLUMNAR_FROM files): the second has a target of its own, so the row engine scores it, in
    # its place; the others answer 3, or 2 or 4 to the first question.
    count = COLUMNAR_FROM
    documents = [qi_document(k, {first.id: 2 + k % 3}) for k in range(count)]
    documents[1] = qi_document(1, {first.id: 4}, targets={"overall": 5})
    for k, document in enumerate(documents):
        (folder / f"{k:03d}.json").write_text(json.dumps(document), encoding="utf-8")
    files = sorted(folder.iterdir())
    assessments = [load_assessment(path, rubric) for path in files]
    expected = ",".join(COLUMNS) + "\n" + "".join(csv_text(score(rubric, a)) for a in assessments)
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.csv"
        args = ("score", str(QI_READINESS), str(folder), "-o", str(out), "--workers", workers)
        assert columnar_taken(*args)
        assert out.read_text(encoding="utf-8") == expected
    # The overall target of the second: 5 from its file (the rubric's default elsewhere).
    overall = [line.split(",") for line in expected.splitlines() if ",overall,," in line]
    assert [row[COLUMNS.index("target")] for row in overall][1] == "5"
    assert [columnar_assessments.batchable(a) for a in assessments[:3]] == [True, False, True]
    texts = columnar_assessments.csv_texts(rubric, assessments)
    assert [len(who) for _, who in texts] == [1, 1, count - 2]  # a run, the row engine's, a run
    # With fewer files, the row engine scores them all: the same bytes.
    for path in files[3:]:
        path.unlink()
    out = tmp_path / "few.csv"
    assert not columnar_taken("score", str(QI_READINESS), str(folder), "-o", str(out))
    rows = "".join(csv_text(score(rubric, a)) for a in assessments[:3])
    assert out.read_text(encoding="utf-8") == ",".join(COLUMNS) + "\n" + rows
