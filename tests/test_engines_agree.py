"""The row engine and the columnar engine give the same numbers for every rubric we have.

For each rubric (the bundled ones, tests/data/rubrics and every scoring fixture under tests/data/scoring/rubrics),
hypothesis generates organisations whose respondents answer what their group is asked: levels, N/A where allowed,
gaps where the rubric's missing policy allows them. The same answers are written as answers files (scored by
:func:`qimaturity.score`, one respondent at a time) and as one respondent export (scored by
:func:`qimaturity.scoring.columnar.score_export` from counts). Every number must be equal to the bit: values,
levels, bands, targets, gaps, agreement, group values, perception gaps (a domain's too: both engines add its
weighted terms with math.fsum) and every rule's adjustment; each interval (from exact sums of the respondents' own
scores on a fine grid, which no order of adding changes); and the CSV, which writes every number in full.

A rubric whose respondents are combined by their median is scored under an even_median drawn from mean, lower and
upper (scoring.respondents.even_median), whatever its file says.

Half the draws also give each question its own N/A policy (allowed or not, counted as excluded, met, lowest or at
its target), as a rubric's ``not_applicable: {counts_as: ...}`` does: both engines must read a question's policy.
They are drawn past validation (met even where a rule reads the question): the engines must agree on any rubric.

An export carries no evidence and no justification, so the answers files carry none either (an N/A that needs a
justification gets one, which the export's N/A is taken to have).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qimaturity import load_assessment, load_rubric, score
from qimaturity.rubric.model import Rubric

from .conftest import DATA, ROOT
from .test_columnar import assert_same_results

columnar = pytest.importorskip("qimaturity.scoring.columnar")

RUBRIC_FILES = sorted(
    [ROOT / "rubrics" / "qi-readiness.yaml", ROOT / "rubrics" / "qi-programme-stages.yaml"]
    + list((DATA / "rubrics").glob("*.yaml"))
    + list((DATA / "scoring" / "rubrics").glob("*.yaml"))
)
RUBRIC_PATHS = {path.stem: path for path in RUBRIC_FILES}


@functools.cache
def rubric_named(name: str) -> Rubric:
    """A rubric of :data:`RUBRIC_PATHS`, loaded when a test first needs it (not while tests are collected)."""
    return load_rubric(RUBRIC_PATHS[name])


DATE = "2026-06-30"


def asked(question: Any, group: str | None) -> bool:
    return group is None or not question.respondents or group in question.respondents


@st.composite
def na_policies(draw: st.DrawFn, rubric: Rubric) -> Rubric:
    """The rubric as it is, or with each question's N/A allowed or not and counted by a policy of its own."""
    if not draw(st.booleans()):
        return rubric
    policies = st.sampled_from([None, "exclude", "count_as_met", "count_as_lowest", "anchor_to_target"])
    domains = tuple(
        replace(
            domain,
            questions=tuple(
                replace(q, na_allowed=draw(st.booleans()), na_counts_as=draw(policies)) for q in domain.questions
            ),
        )
        for domain in rubric.domains
    )
    return replace(rubric, domains=domains)


@st.composite
def surveys(draw: st.DrawFn, rubric: Rubric) -> list[dict[str, Any]]:
    """Organisations, each a list of respondents (id, group, {question id: level, "na" or absent})."""
    groups: list[str | None] = [g.id for g in rubric.respondent_groups] or [None]
    scale = [level.value for level in rubric.levels]
    questions = list(rubric.questions())
    organisations = []
    for index in range(draw(st.integers(1, 3))):
        respondents = []
        for number in range(draw(st.integers(1, 7))):
            group = draw(st.sampled_from(groups))
            answers: dict[str, Any] = {}
            for question in questions:
                if not asked(question, group):
                    continue
                choices: list[Any] = [*scale, None]
                if question.na_allowed:
                    choices.append("na")
                answer = draw(st.sampled_from(choices))
                if answer is not None:
                    answers[question.id] = answer
            respondents.append({"id": f"r{number + 1}", "group": group, "answers": answers})
        if rubric.scoring.missing == "error":  # every question answered by someone: the policy refuses gaps
            for question in questions:
                if any(question.id in r["answers"] for r in respondents):
                    continue
                group = question.respondents[0] if question.respondents else groups[0]
                who = next((r for r in respondents if r["group"] == group), None)
                if who is None:
                    who = {"id": f"r{len(respondents) + 1}", "group": group, "answers": {}}
                    respondents.append(who)
                who["answers"][question.id] = draw(st.sampled_from(scale))
        organisations.append({"id": f"org-{index}", "respondents": respondents})
    return organisations


def answers_file(rubric: Rubric, organisation: dict[str, Any], folder: Path) -> Path:
    respondents = []
    for respondent in organisation["respondents"]:
        answers = {
            qid: {"na": True, "justification": "Not applicable here."} if answer == "na" else answer
            for qid, answer in respondent["answers"].items()
        }
        entry: dict[str, Any] = {"id": respondent["id"], "answers": answers}
        if respondent["group"] is not None:
            entry["group"] = respondent["group"]
        respondents.append(entry)
    document = {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organisation": {"id": organisation["id"], "name": organisation["id"]},
        "date": DATE,
        "respondents": respondents,
    }
    path = folder / f"{organisation['id']}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def export_file(rubric: Rubric, organisations: list[dict[str, Any]], folder: Path) -> Path:
    questions = [q.id for q in rubric.questions()]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["organisation_id", "organisation_name", "date", "respondent", "group", *questions])
    for organisation in organisations:
        for respondent in organisation["respondents"]:
            cells = ["NA" if (a := respondent["answers"].get(q)) == "na" else "" if a is None else a for q in questions]
            writer.writerow(
                [organisation["id"], organisation["id"], DATE, respondent["id"], respondent["group"] or "", *cells]
            )
    path = folder / "export.csv"
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def check_engines_agree(
    rubric: Rubric, organisations: list[dict[str, Any]], folder: Path, *, intervals: bool = False
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    rows = {o["id"]: score(rubric, load_assessment(answers_file(rubric, o, folder), rubric)) for o in organisations}
    export = export_file(rubric, organisations, folder)
    assert_same_results(columnar.score_export(rubric, export, intervals=intervals), rows)


def test_respondents_who_agree_exactly_give_an_interval_of_no_width_in_both_engines(tmp_path: Path) -> None:
    # valid-minimal: leadership (weight 2) = mean(lead-1, lead-2), method (weight 1) = meth-1. Five staff members
    # each answer lead-1 = 2, lead-2 = 3, meth-1 = 3: each one's own overall score is (2 × 2.5 + 1 × 3) / 3 = 8/3,
    # which no float holds exactly. Their spread is zero, so is the interval's width. Taken from the sum of squares
    # minus the squared sum instead (Polars adding 8/3 five times in its own order), about 2e-15 of variance was
    # left: a standard error of 2.4e-8 around a value everyone agrees on.
    rubric = rubric_named("valid-minimal")
    same = {"lead-1": 2, "lead-2": 3, "meth-1": 3}
    organisation = {
        "id": "org-0",
        "respondents": [{"id": f"r{n}", "group": "staff", "answers": same} for n in range(5)],
    }
    check_engines_agree(rubric, [organisation], tmp_path / "case")
    (result,) = columnar.score_export(rubric, export_file(rubric, [organisation], tmp_path / "case"))
    assert result.overall.raw_value == pytest.approx(8 / 3, abs=1e-15)
    for interval in [result.overall.interval, *(d.interval for d in result.domains)]:
        assert interval is not None and interval.respondents == 5
        assert interval.standard_error == 0.0 and interval.low == interval.high


def test_a_respondents_score_is_added_in_the_same_order_by_both_engines(tmp_path: Path) -> None:
    # cqc-saf: four domains of weight 4, each the weighted sum (here the mean: weights 1) of its questions' levels
    # (0 to 4); every respondent's score is a weighted mean of the domains they answered, and its median aggregate
    # gives an interval with SE = √(π/2) × s / √n. r2 answers every question 0: scores 0. r1 answers a1 = 0
    # (qs-a: 0), b1, b2, b3 = 0, 0, 1 (qs-b: 1/3), c1, c2, c3 = 1, 1, 2 (qs-c: 4/3) and d1, d2, d3 = 0, 0, 1
    # (qs-d: 1/3). Overall: (4 × 0 + 4 × 1/3 + 4 × 4/3 + 4 × 1/3) / 16, exactly 1/2; added left to right in floats
    # the terms give 1.3333333333333333, 6.666666666666666, 7.999999999999999 (math.fsum: 8.0), so
    # 0.49999999999999994, one grid step below 2^39 / 2^40 = 1/2 after rounding down. The row engine took fsum
    # (on the grid 2^39) and the columnar one adds in order (2^39 − 1): SEs of √(π/2) / 4 = 0.31332853432887503 and
    # 0.3133285343283051. Both now add in the rubric's order: n = 2, s = (2^39 − 1) / 2^40 / √2, so
    # SE = √(π/2) × (2^39 − 1) / 2^41 in both.
    rubric = rubric_named("cqc-saf")
    assert rubric.scoring.respondent_aggregate == "median" and rubric.scoring.domains == "weighted_sum"
    r1 = {"a1": 0, "b1": 0, "b2": 0, "b3": 1, "c1": 1, "c2": 1, "c3": 2, "d1": 0, "d2": 0, "d3": 1}
    r2 = {question.id: 0 for question in rubric.questions()}
    organisation = {
        "id": "org-0",
        "respondents": [{"id": "r1", "group": None, "answers": r1}, {"id": "r2", "group": None, "answers": r2}],
    }
    check_engines_agree(rubric, [organisation], tmp_path / "case")
    (result,) = columnar.score_export(rubric, export_file(rubric, [organisation], tmp_path / "case"))
    interval = result.overall.interval
    assert interval is not None and interval.respondents == 2
    assert interval.standard_error == math.sqrt(math.pi / 2) * (2**39 - 1) / 2**41 == 0.3133285343283051


@st.composite
def pooling_policies(draw: st.DrawFn, rubric: Rubric) -> Rubric:
    """The rubric as written, or pooling respondents by group with drawn group weights (the policy is data, so
    every rubric is tried under both)."""
    if not draw(st.booleans()):
        return rubric
    weights = st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0])
    groups = tuple(dataclasses.replace(g, weight=draw(weights)) for g in rubric.respondent_groups)
    scoring = dataclasses.replace(rubric.scoring, pooling="groups")
    return dataclasses.replace(rubric, respondent_groups=groups, scoring=scoring)


@pytest.mark.slow  # 37 rubrics x 6 generated surveys, each scored both ways
@pytest.mark.parametrize("name", sorted(RUBRIC_PATHS))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_row_and_columnar_engines_agree_on_every_rubric(name: str, data: st.DataObject, tmp_path: Path) -> None:
    rubric = data.draw(pooling_policies(data.draw(na_policies(rubric_named(name)))))
    if rubric.scoring.respondent_aggregate == "median":  # and each reading of an even count's median
        even = data.draw(st.sampled_from(["mean", "lower", "upper"]), label="even_median")
        rubric = dataclasses.replace(rubric, scoring=dataclasses.replace(rubric.scoring, even_median=even))
    # The intervals measured while counting (in the tables and the CSV), or in a pass of their own for results.
    intervals = data.draw(st.booleans(), label="intervals")
    check_engines_agree(rubric, data.draw(surveys(rubric)), tmp_path / "case", intervals=intervals)


def test_every_rubric_we_have_is_covered() -> None:
    """The rubrics above are every valid rubric in the repository: the bundled ones and the test fixtures (each
    loads, as a valid rubric, in the test above)."""
    assert {"qi-readiness", "qi-programme-stages", "valid-minimal", "phq9-shaped", "evidence-cap", "staged"} <= set(
        RUBRIC_PATHS
    )
    assert len(RUBRIC_PATHS) == 2 + len(list((DATA / "rubrics").glob("*.yaml"))) + len(
        list((DATA / "scoring" / "rubrics").glob("*.yaml"))
    )
