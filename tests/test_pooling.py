"""Respondent pooling as a declared policy (``scoring.respondents.pooling``), worked by hand.

``respondents`` (the default) takes the aggregate over every answer to a question, so the sample mix sets the
score; ``groups`` takes each respondent group's aggregate first and then the groups' weighted mean, so that how
many people of a group answered does not move the value.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity import InputError, load_assessment, load_rubric, report, score
from qimaturity.answers.model import Answer, Assessment, Organisation, Respondent
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.kernel import pooled_value

from .conftest import ROOT, SCORING_RUBRICS, run_main

RIVERSIDE = ROOT / "examples" / "answers" / "riverside-community.yaml"


def with_pooling(rubric: Rubric, pooling: str, min_group_size: int = 1, **weights: float) -> Rubric:
    """The rubric pooling by ``pooling``, with group weights; every group shown unless ``min_group_size`` says."""
    groups = tuple(dataclasses.replace(g, weight=weights.get(g.id, g.weight)) for g in rubric.respondent_groups)
    scoring = dataclasses.replace(rubric.scoring, pooling=pooling, min_group_size=min_group_size)
    return dataclasses.replace(rubric, scoring=scoring, respondent_groups=groups)


def repeated(assessment: Assessment, group: str, times: int) -> Assessment:
    """The same individual views, with every respondent of ``group`` answering ``times`` times (new ids)."""
    respondents: list[Respondent] = []
    for respondent in assessment.respondents:
        if respondent.group == group:
            respondents += [dataclasses.replace(respondent, id=f"{respondent.id}-{k}") for k in range(times)]
        else:
            respondents.append(respondent)
    return dataclasses.replace(assessment, respondents=tuple(respondents))


# --- the Riverside sample-mix case ------------------------------------------------------------------------
# examples/answers/riverside-community.yaml: board 2, managers 2, frontline 3, patient partners 1. The culture and
# staff engagement domain (question weights 2, 1, 1, 1, 1; patient partners are not asked these questions):
#
#   question                    board   managers  frontline
#   cult-protected-time (w 2)   3, 3    2, 2      1, 2, 1
#   cult-psychological-safety   4, 4    3, 3      2, 3, 2
#   cult-frontline-standards    4, 4    3, 3      2, 2, 2
#   cult-staff-ideas            4, 4    3, 3      2, 2, 3
#   cult-teamwork               4, 4    4, 3      3, 3, 3
#
# "9 frontline": each frontline respondent answers three times; "6 board": each board member three times.
#
# pooling: respondents (the median of all answers):
#   as is:       protected 1,1,2,2,2,3,3 -> 2; psych 2,2,3,3,3,4,4 -> 3; standards 2,2,2,3,3,4,4 -> 3;
#                ideas 2,2,3,3,3,4,4 -> 3; teamwork 3,3,3,3,4,4,4 -> 3          domain (2x2 + 4x3) / 6 = 16/6
#   9 frontline: 13 answers, the 7th: protected 1x6 2x5 3x2 -> 2; psych 2x6 3x5 4x2 -> 3; standards 2x9 3x2 4x2
#                -> 2; ideas 2x6 3x5 4x2 -> 3; teamwork 3x10 4x3 -> 3            domain (2x2 + 3 + 2 + 3 + 3) / 6 = 15/6
#   6 board:     11 answers, the 6th: protected 1x2 2x3 3x6 -> 3; psych 2x2 3x3 4x6 -> 4; standards 2x3 3x2 4x6
#                -> 4; ideas 2x2 3x3 4x6 -> 4; teamwork 3x4 4x7 -> 4             domain (2x3 + 4x4) / 6 = 22/6
# pooling: groups, equal weights (each group's median, then their mean), the same in all three mixes:
#   protected (3 + 2 + 1) / 3 = 2; psych (4 + 3 + 2) / 3 = 3; standards (4 + 3 + 2) / 3 = 3;
#   ideas (4 + 3 + 2) / 3 = 3; teamwork (4 + 3.5 + 3) / 3 = 3.5
#   domain (2x2 + 3 + 3 + 3 + 3.5) / 6 = 2.75


@pytest.fixture(scope="module")
def riverside() -> tuple[Rubric, Assessment]:
    rubric = load_rubric("qi-readiness")
    return rubric, load_assessment(RIVERSIDE, rubric)


def test_pooling_respondents_lets_the_sample_mix_move_the_riverside_score(riverside):
    rubric, assessment = riverside
    mixes = {
        "as is": assessment,
        "9 frontline": repeated(assessment, "frontline", 3),
        "6 board": repeated(assessment, "board", 3),
    }
    culture = {name: score(rubric, a).domain("culture-engagement").raw_value for name, a in mixes.items()}
    assert culture == {
        "as is": pytest.approx(16 / 6),
        "9 frontline": pytest.approx(15 / 6),
        "6 board": pytest.approx(22 / 6),
    }
    # The figures for the whole assessment: Emerging 2.89 with nine frontline staff, Developing 3.54
    # with six board members (the same individual views).
    overall = {name: score(rubric, a).overall for name, a in mixes.items()}
    assert round(overall["9 frontline"].value, 2) == 2.89
    assert overall["9 frontline"].band.name == "Emerging"
    assert round(overall["6 board"].value, 2) == 3.54
    assert overall["6 board"].band.name == "Developing"


def test_pooling_groups_gives_riverside_the_same_score_whatever_the_sample_mix(riverside):
    rubric, assessment = riverside
    grouped = with_pooling(rubric, "groups")
    mixes = [assessment, repeated(assessment, "frontline", 3), repeated(assessment, "board", 3)]
    results = [score(grouped, a) for a in mixes]
    for result in results:
        domain = result.domain("culture-engagement")
        assert domain.raw_value == pytest.approx(2.75)  # (2x2 + 3 + 3 + 3 + 3.5) / 6, worked above
        assert [q.value for q in domain.questions] == pytest.approx([2, 3, 3, 3, 3.5])
    # Every question, domain and the overall value are the same numbers, to the bit.
    first = results[0]
    for other in results[1:]:
        assert other.overall.raw_value == first.overall.raw_value
        assert [d.raw_value for d in other.domains] == [d.raw_value for d in first.domains]
        assert [q.value for d in other.domains for q in d.questions] == [
            q.value for d in first.domains for q in d.questions
        ]


def test_group_weights_pool_the_riverside_groups_and_a_group_that_did_not_answer_drops_out(riverside):
    rubric, assessment = riverside
    weighted = with_pooling(rubric, "groups", board=2)
    result = score(weighted, assessment)
    # cult-protected-time: board 3 (weight 2), managers 2, frontline 1 -> (2x3 + 2 + 1) / 4 = 9/4
    assert result.question("cult-protected-time").value == 9 / 4
    # lead-coaching is answered by the board (4, 4) and managers (3, 3) only: frontline and patient partners drop
    # out and the two weights renormalise -> (2x4 + 1x3) / 3 = 11/3
    assert result.question("lead-coaching").value == 11 / 3
    # trn-board-training: the board alone (4, 3 -> 3.5): one group's value is the question's, whatever its weight
    assert result.question("trn-board-training").value == 3.5


def test_the_trace_shows_each_groups_value_and_weight(riverside):
    rubric, assessment = riverside
    trace = score(with_pooling(rubric, "groups", board=2), assessment).question("cult-teamwork").trace
    assert trace.method == "median within each of 3 group(s), then their weighted mean"
    assert trace.arithmetic == (
        "board: median(4, 4) = 4, weight 2; managers: median(3, 4) = 3.5, weight 1; "
        "frontline: median(3, 3, 3) = 3, weight 1; groups pooled: (2×4 + 1×3.5 + 1×3) / 4 = 3.625"
    )
    assert [i.id for i in trace.inputs] == [
        "board-1",
        "board-2",
        "manager-1",
        "manager-2",
        "frontline-1",
        "frontline-2",
        "frontline-3",
    ]


def test_the_trace_does_not_show_a_group_too_small_to_show(riverside):
    rubric, assessment = riverside
    trace = score(with_pooling(rubric, "groups", 3, board=2), assessment).question("cult-teamwork").trace
    # board 2 and managers 2 respondents, fewer than 3: their values are not written, but they count
    assert trace.arithmetic == (
        "board: fewer than 3 respondents, not shown, weight 2; managers: fewer than 3 respondents, not shown, "
        "weight 1; frontline: median(3, 3, 3) = 3, weight 1; groups pooled: (2×(not shown) + 1×(not shown) + 1×3) "
        "/ 4 = 3.625"
    )
    assert [i.id for i in trace.inputs] == ["frontline-1", "frontline-2", "frontline-3"]


def test_pooling_respondents_is_the_default_and_unchanged(riverside):
    rubric, assessment = riverside
    assert rubric.scoring.pooling == "respondents"
    assert all(g.weight == 1.0 for g in rubric.respondent_groups)
    q = score(with_pooling(rubric, "respondents"), assessment).question("cult-teamwork")
    assert q.trace.arithmetic == "median(3, 3, 3, 3, 4, 4, 4) = 3"


# --- the fixture rubric: board weight 2, managers and frontline 1 ---------------------------------------------


def answered(*entries: tuple[str, str | None, dict[str, int | None]]) -> Assessment:
    respondents = tuple(
        Respondent(ident, group, tuple(Answer(q, level) for q, level in answers.items()))
        for ident, group, answers in entries
    )
    return Assessment(Organisation("org", "Org"), "pooling-groups", respondents, "1.0", "2026-06-30")


def test_respondents_with_no_group_count_as_one_more_group_of_weight_one():
    rubric = load_rubric(SCORING_RUBRICS / "pooling-groups.yaml")
    result = score(
        rubric,
        answered(
            ("b1", "board", {"q-all": 4}),
            ("f1", "frontline", {"q-all": 2}),
            ("f2", "frontline", {"q-all": 3}),
            ("x1", None, {"q-all": 1}),
            ("x2", None, {"q-all": 1}),
        ),
    )
    q = result.question("q-all")
    # board 4 (weight 2), frontline median(2, 3) = 2.5 (weight 1), no group median(1, 1) = 1 (weight 1):
    # (2x4 + 2.5 + 1) / 4 = 11.5 / 4 = 2.875
    assert q.value == 2.875
    assert q.trace.arithmetic.endswith(
        "no group: median(1, 1) = 1, weight 1; groups pooled: (2×4 + 1×2.5 + 1×1) / 4 = 2.875"
    )
    # The group views stay the named groups'
    assert [(g.group, g.value) for g in q.by_group] == [("board", 4.0), ("frontline", 2.5)]


def test_na_answers_leave_a_group_out_of_the_pool():
    rubric = load_rubric(SCORING_RUBRICS / "pooling-groups.yaml")
    result = score(
        rubric,
        answered(
            ("b1", "board", {"q-all": 5, "q-some": None}),
            ("m1", "managers", {"q-all": 3, "q-some": 2}),
            ("f1", "frontline", {"q-all": 1, "q-some": 4}),
        ),
    )
    assert result.question("q-all").value == 3.5  # (2x5 + 3 + 1) / 4 = 14/4
    assert result.question("q-some").value == 3.0  # the board said N/A: (1x2 + 1x4) / 2 = 3


def test_the_kernel_pools_exactly_whatever_the_order():
    # 0.1, 0.2 and 0.3 are not exact in binary; the exact weighted mean is rounded once, so the order of the
    # groups cannot change the last bit.
    groups = [(0.1, 3.0), (0.2, 0.1), (0.3, 7.0)]
    assert pooled_value(groups) == pooled_value(reversed(groups)) == pooled_value(sorted(groups, key=lambda g: g[1]))
    with pytest.raises(ValueError):
        pooled_value([])


# --- the property: duplicating a group's respondents changes nothing -------------------------------------------

GROUPS = ("board", "managers", "frontline", None)


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    entries = []
    for number in range(draw(st.integers(1, 8))):
        group = draw(st.sampled_from(GROUPS))
        answers = {
            q: draw(st.sampled_from([1, 2, 3, 4, 5] if q == "q-all" else [1, 2, 3, 4, 5, None]))
            for q in ("q-all", "q-some")
            if draw(st.booleans()) or q == "q-all"
        }
        entries.append((f"r{number}", group, answers))
    return answered(*entries)


@pytest.mark.parametrize("aggregate", ["median", "mean", "min", "max"])
@settings(max_examples=60, deadline=None)
@given(assessment=assessments(), group=st.sampled_from(GROUPS), times=st.integers(2, 4))
def test_duplicating_every_respondent_of_one_group_leaves_a_groups_pooled_value_unchanged(
    aggregate: str, assessment: Assessment, group: str | None, times: int
) -> None:
    base = load_rubric(SCORING_RUBRICS / "pooling-groups.yaml")
    rubric = dataclasses.replace(base, scoring=dataclasses.replace(base.scoring, respondent_aggregate=aggregate))
    before = score(rubric, assessment)
    after = score(rubric, repeated(assessment, group, times))  # type: ignore[arg-type]
    for question in ("q-all", "q-some"):
        assert after.question(question).value == before.question(question).value
    assert after.overall.raw_value == before.overall.raw_value


# --- the rubric format ------------------------------------------------------------------------------------


def write_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (SCORING_RUBRICS / "pooling-groups.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_group_weight_must_be_above_zero(tmp_path):
    path = write_variant(tmp_path, "{id: board, name: Board members, weight: 2}", "{id: board, name: Board, weight: 0}")
    with pytest.raises(InputError) as caught:
        load_rubric(path)
    (problem,) = caught.value.problems
    assert problem.path == "/respondent_groups/0/weight"
    assert problem.line == 13


def test_an_unknown_pooling_policy_is_a_located_problem(tmp_path):
    path = write_variant(tmp_path, "pooling: groups", "pooling: teams")
    with pytest.raises(InputError) as caught:
        load_rubric(path)
    (problem,) = caught.value.problems
    assert problem.path == "/scoring/respondents/pooling"
    assert "respondents" in problem.hint and "groups" in problem.hint


def test_a_groups_weight_rationale_is_read_and_shown_where_the_weights_are(tmp_path):
    why = "The board answers for the whole organisation, so its view counts twice."
    path = write_variant(
        tmp_path,
        "{id: board, name: Board members, weight: 2}",
        f"{{id: board, name: Board members, weight: 2, weight_rationale: '{why}'}}",
    )
    rubric = load_rubric(path)
    assert [(g.id, g.weight, g.weight_rationale) for g in rubric.respondent_groups] == [
        ("board", 2.0, why),
        ("managers", 1.0, None),
        ("frontline", 1.0, None),
    ]
    shown = run_main("show", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "weight 2: The board answers" in " ".join(shown.stdout.split())
    result = score(
        rubric,
        answered(("b1", "board", {"q-all": 4}), ("f1", "frontline", {"q-all": 2}), ("m1", "managers", {"q-all": 3})),
    )
    html = report(rubric, result, format="html", report_date="2026-07-01").decode()
    method = html[html.index('id="method"') :]
    assert "Respondent groups and their weights" in method
    assert f"Board members · weight 2</th><td>{why}</td>" in method
    assert "Managers · weight 1</th><td>No reason given in the rubric.</td>" in method


def test_group_weights_are_refused_when_respondents_are_pooled_as_one(tmp_path):
    path = write_variant(
        tmp_path,
        "{id: board, name: Board members, weight: 2}",
        "{id: board, name: Board members, weight: 2, weight_rationale: Counts twice.}",
    )
    path.write_text(path.read_text(encoding="utf-8").replace("pooling: groups", "pooling: respondents"))
    with pytest.raises(InputError) as caught:
        load_rubric(path)
    assert [(p.path, p.line, p.message, p.hint) for p in caught.value.problems] == [
        (
            "/respondent_groups/0/weight",
            13,
            "a group's weight counts only when respondents are pooled by group, but scoring.respondents.pooling is "
            "'respondents'",
            "set scoring.respondents.pooling: groups, or remove weight",
        ),
        (
            "/respondent_groups/0/weight_rationale",
            13,
            "a group's weight rationale counts only when respondents are pooled by group, but "
            "scoring.respondents.pooling is 'respondents'",
            "set scoring.respondents.pooling: groups, or remove weight_rationale",
        ),
        (
            "/respondent_groups/2/weight",
            15,
            "a group's weight counts only when respondents are pooled by group, but scoring.respondents.pooling is "
            "'respondents'",
            "set scoring.respondents.pooling: groups, or remove weight",
        ),
    ]
    # Without pooling declared at all (the default, respondents), the same
    path.write_text(path.read_text(encoding="utf-8").replace("    pooling: respondents\n", ""))
    with pytest.raises(InputError) as caught:
        load_rubric(path)
    assert [p.path for p in caught.value.problems] == [
        "/respondent_groups/0/weight",
        "/respondent_groups/0/weight_rationale",
        "/respondent_groups/2/weight",
    ]
