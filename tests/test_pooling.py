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

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1, SCORING_RUBRICS, run_main

RIVERSIDE = EXAMPLES_1_1 / "riverside-community.yaml"


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
# examples/answers/riverside-community.yaml: board 3, managers 3, frontline 5, patient partners 3. qi-readiness
# (1.1.0) pools by group with equal weights; the helper with_pooling gives the same rubric pooled by respondents,
# as 1.0.0 was. "15 frontline": each frontline respondent answers three times; "9 board": each board member three
# times (the same individual views, another sample mix).
#
# The answers, by group (B board, M managers, F frontline, P patient partners; "4x2" is two answers at 4):
#
#   question                          weight  B        M        F                  P
#   lead-executive-lead               2       4,4,4    3,3,3
#   lead-role-models                  2       4,4,4    3,3,3    2,2,2,3,2          3,2,3
#   lead-qi-as-management             2       4,4,3    3,3,3    2,2,2,2,2
#   lead-coaching                     1       4,4,3    3,3,2
#   lead-distributed                  1       4,3,3    3,3,3    2,2,1,2,2
#   lead-stability                    1       4,4,4    3,4,3
#   gov-board-agenda                  2       4,4,4    3,3,3
#   gov-golden-thread                 1       4,4,3    3,3,3    2,2,2,3,2
#   gov-data-for-improvement          2       4,4,4    3,3,2
#   gov-quality-management-system     1       3,4,3    3,3,3
#   gov-regulator-compact             1       3,4,3    3,3,3
#   trn-tiered-offer                  2       4,4,3    3,3,3    3,2,3,3,3
#   trn-board-training                1       4,3,3
#   trn-induction-appraisal           1       3,3,3    3,3,2    2,3,2,2,2
#   trn-coaching-access               1                3,3,3    3,2,3,3,2
#   trn-qi-team                       1       N/A,N/A  N/A                                  (no value: left out)
#   cult-protected-time               2       3,3,3    2,2,2    1,2,1,2,1
#   cult-psychological-safety         1       4,4,4    3,3,3    2,3,2,3,2
#   cult-frontline-standards          1       4,4,3    3,3,3    2,2,2,2,2
#   cult-staff-ideas                  1       4,4,4    3,3,3    2,2,3,3,2
#   cult-teamwork                     1       4,4,4    4,3,3    3,3,3,3,3
#   pat-improvement-teams             2       3,4,3    3,3,3    3,3,2,3,2          3,4,4
#   pat-priorities                    1       3,3,3    3,3,2    2,2,2,2            3,2,3
#   pat-measures                      1       3,4,3    3,4,3    3,4,3,3,3          3,3,2
#   pat-partner-support               1                4,3,3                       3,4,4
#   pat-equity                        1       3,3,2    3,2,3    2,3,2,2            2,2,2
#   met-agreed-method                 2       4,4,4    3,4,3    3,3,3,3,3
#   met-pdsa                          1                4,4,3    3,3,4,3,3          3,3,3
#   met-milestone-reviews             2       4,3,3    3,3,3    2,3,2,3,2
#   met-data-infrastructure           1                4,3,3    3,3,3,2,3
#   met-spread-learning               1       4,3,3    3,3,3    2,3,3,3,2
#
# pooling: groups (equal weights): each group's median, then their mean; the same in every mix, as a group's
# median does not change when each of its answers is given three times.
#   leadership   3.5, (4+3+2+3)/4 = 3, (4+3+2)/3 = 3, 3.5, (3+3+2)/3 = 8/3, 3.5
#                -> (2x3.5 + 2x3 + 2x3 + 3.5 + 8/3 + 3.5) / 9 = (86/3) / 9 = 86/27
#   governance   3.5, (4+3+2)/3 = 3, 3.5, 3, 3                  -> (7 + 3 + 7 + 3 + 3) / 7 = 23/7
#   training     (4+3+3)/3 = 10/3, 3, (3+3+2)/3 = 8/3, 3         -> (20/3 + 3 + 8/3 + 3) / 5 = 46/15
#   culture      (3+2+1)/3 = 2, (4+3+2)/3 = 3, 3, 3, (4+3+3)/3 = 10/3
#                -> (2x2 + 3 + 3 + 3 + 10/3) / 6 = (49/3) / 6 = 49/18
#   patients     (3+3+3+4)/4 = 3.25, (3+3+2+3)/4 = 2.75, 3, (3+4)/2 = 3.5, (3+3+2+2)/4 = 2.5
#                -> (6.5 + 2.75 + 3 + 3.5 + 2.5) / 6 = 18.25/6 = 73/24
#   method       (4+3+3)/3 = 10/3, (4+3+3)/3 = 10/3, (3+3+2)/3 = 8/3, 3, 3
#                -> (20/3 + 10/3 + 16/3 + 3 + 3) / 7 = (64/3) / 7 = 64/21
#   overall      (1.5x86/27 + 1.5x23/7 + 46/15 + 49/18 + 73/24 + 64/21) / 7; over 2520: 12040 + 12420 + 7728
#                + 6860 + 7665 + 7680 = 54393 -> 54393 / 2520 / 7 = 18131/5880 = 3.0835 (Developing)
#
# pooling: respondents (the median of every answer, as one pool), per question as is / 15 frontline / 9 board
# (n answers: the median is the middle one, or the mean of the middle two):
#   leadership   exec 3,3,3,4,4,4 -> 3.5 / 3.5 / 4 (3x3, 9x4); role 2x5 3x6 4x3 -> 3 / 2 (2x13 of 24) / 3;
#                qi 2x5 3x4 4x2 -> 3 / 2 (2x15 of 21) / 3 (9th of 2x5 3x6 4x6); coaching 2 3x3 4x2 -> 3 / 3 /
#                3.5 (2 3x5 4x6); distributed 1 2x4 3x5 4 -> 3 / 2 (1x3 2x12 ...) / 3; stability 3x2 4x4 -> 4 / 4 / 4
#                -> as is (7 + 6 + 6 + 3 + 3 + 4) / 9 = 29/9; 15 frontline (7 + 4 + 4 + 3 + 2 + 4) / 9 = 24/9;
#                   9 board (8 + 6 + 6 + 3.5 + 3 + 4) / 9 = 30.5/9
#   governance   agenda 3.5 / 3.5 / 4; golden 2x4 3x5 4x2 -> 3 / 2 (2x12 of 21) / 3; data 2 3x2 4x3 -> 3.5 /
#                3.5 / 4; quality system and regulator 3x5 4 -> 3 / 3 / 3
#                -> as is (7 + 3 + 7 + 3 + 3) / 7 = 23/7; 15 frontline 22/7; 9 board (8 + 3 + 8 + 3 + 3) / 7 = 25/7
#   training     tiered 2 3x8 4x2 -> 3 / 3 / 3; board training 3 / 3 / 3; induction 2x5 3x6 -> 3 / 2 (2x13 of
#                21) / 3; coaching access 2x2 3x6 -> 3 / 3 / 3
#                -> as is (6 + 3 + 3 + 3) / 5 = 3; 15 frontline (6 + 3 + 2 + 3) / 5 = 2.8; 9 board 3
#   culture      protected 1x3 2x5 3x3 -> 2 / 2 (1x9 2x9 3x3: 11th) / 3 (1x3 2x5 3x9: 9th);
#                psych 2x3 3x5 4x3 -> 3 / 3 / 4 (2x3 3x5 4x9); standards 2x5 3x4 4x2 -> 3 / 2 (2x15) / 3
#                (2x5 3x6 4x6: 9th); ideas as psych -> 3 / 3 / 4; teamwork 3x7 4x4 -> 3 / 3 / 4 (3x7 4x10)
#                -> as is (2x2 + 3 + 3 + 3 + 3) / 6 = 16/6; 15 frontline (4 + 3 + 2 + 3 + 3) / 6 = 15/6;
#                   9 board (2x3 + 4 + 3 + 4 + 4) / 6 = 21/6
#   patients     teams 2x2 3x9 4x3 -> 3 / 3 / 3; priorities 2x6 3x7 -> 3 / 2 (2x14 of 21) / 3; measures
#                3 / 3 / 3; partner support 3x3 4x3 -> 3.5 in all; equity 2x8 3x5 -> 2 / 2 / 2 (2x10 of 19)
#                -> as is (6 + 3 + 3 + 3.5 + 2) / 6 = 17.5/6; 15 frontline 16.5/6; 9 board 17.5/6
#   method       agreed 3x7 4x4 -> 3 / 3 / 4 (3x7 4x10); pdsa 3 / 3 / 3; milestone 2x3 3x7 4 -> 3 / 3 (2x9
#                3x11 4: 11th) / 3; data 3 / 3 / 3; spread 3 / 3 / 3
#                -> as is 21/7 = 3; 15 frontline 3; 9 board (8 + 3 + 6 + 3 + 3) / 7 = 23/7
#   overall      as is       (1.5x29/9 + 1.5x23/7 + 3 + 16/6 + 17.5/6 + 3) / 7 = (1793/84) / 7 = 1793/588 = 3.0493
#                15 frontline (1.5x24/9 + 1.5x22/7 + 2.8 + 15/6 + 16.5/6 + 3) / 7 = (2767/140) / 7 = 2767/980
#                             = 2.8235: Emerging
#                9 board      (1.5x30.5/9 + 1.5x25/7 + 3 + 21/6 + 17.5/6 + 23/7) / 7 = (162/7) / 7 = 162/49
#                             = 3.3061: Developing
RIVERSIDE_GROUPS = 18131 / 5880


@pytest.fixture(scope="module")
def riverside() -> tuple[Rubric, Assessment]:
    rubric = load_rubric(QI_READINESS_1_1)
    return rubric, load_assessment(RIVERSIDE, rubric)


def sample_mixes(assessment: Assessment) -> dict[str, Assessment]:
    return {
        "as is": assessment,
        "15 frontline": repeated(assessment, "frontline", 3),
        "9 board": repeated(assessment, "board", 3),
    }


def test_pooling_respondents_lets_the_sample_mix_move_the_riverside_score(riverside):
    rubric, assessment = riverside
    pooled = with_pooling(rubric, "respondents", 3)
    results = {name: score(pooled, a) for name, a in sample_mixes(assessment).items()}
    culture = {name: r.domain("culture-engagement").raw_value for name, r in results.items()}
    assert culture == {
        "as is": pytest.approx(16 / 6),
        "15 frontline": pytest.approx(15 / 6),
        "9 board": pytest.approx(21 / 6),
    }
    # The same individual views: Emerging with fifteen frontline staff, Developing with nine board members.
    overall = {name: r.overall for name, r in results.items()}
    assert overall["as is"].value == pytest.approx(1793 / 588)
    assert overall["15 frontline"].value == pytest.approx(2767 / 980)
    assert overall["15 frontline"].band.name == "Emerging"
    assert overall["9 board"].value == pytest.approx(162 / 49)
    assert overall["9 board"].band.name == "Developing"


def test_pooling_groups_gives_riverside_the_same_score_whatever_the_sample_mix(riverside):
    rubric, assessment = riverside  # qi-readiness as bundled: pooling: groups
    results = [score(rubric, a) for a in sample_mixes(assessment).values()]
    for result in results:
        domain = result.domain("culture-engagement")
        assert domain.raw_value == pytest.approx(49 / 18)  # (2x2 + 3 + 3 + 3 + 10/3) / 6, worked above
        assert [q.value for q in domain.questions] == pytest.approx([2, 3, 3, 3, 10 / 3])
        assert [d.raw_value for d in result.domains] == pytest.approx(
            [86 / 27, 23 / 7, 46 / 15, 49 / 18, 73 / 24, 64 / 21]
        )
        assert result.overall.value == pytest.approx(RIVERSIDE_GROUPS)
        assert result.overall.band.name == "Developing"
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
    # lead-coaching is answered by the board (4, 4, 3 -> 4) and managers (3, 3, 2 -> 3) only: frontline and
    # patient partners drop out and the two weights renormalise -> (2x4 + 1x3) / 3 = 11/3
    assert result.question("lead-coaching").value == 11 / 3
    # trn-board-training: the board alone (4, 3, 3 -> 3): one group's value is the question's, whatever its weight
    assert result.question("trn-board-training").value == 3.0


def test_the_trace_shows_each_groups_value_and_weight(riverside):
    rubric, assessment = riverside
    trace = score(with_pooling(rubric, "groups", board=2), assessment).question("cult-teamwork").trace
    assert trace.method == "median within each of 3 group(s), then their weighted mean"
    assert trace.arithmetic == (
        "board: median(4, 4, 4) = 4, weight 2; managers: median(3, 3, 4) = 3, weight 1; "
        "frontline: median(3, 3, 3, 3, 3) = 3, weight 1; groups pooled: (2×4 + 1×3 + 1×3) / 4 = 3.5"
    )
    assert [i.id for i in trace.inputs] == [
        "board-1",
        "board-2",
        "board-3",
        "manager-1",
        "manager-2",
        "manager-3",
        "frontline-1",
        "frontline-2",
        "frontline-3",
        "frontline-4",
        "frontline-5",
    ]


def test_the_trace_does_not_show_a_group_too_small_to_show(riverside):
    rubric, assessment = riverside
    trace = score(with_pooling(rubric, "groups", 4, board=2), assessment).question("cult-teamwork").trace
    # With a minimum group size of 4, the board (3) and managers (3) are not shown, but they count
    assert trace.arithmetic == (
        "board: fewer than 4 respondents, not shown, weight 2; managers: fewer than 4 respondents, not shown, "
        "weight 1; frontline: median(3, 3, 3, 3, 3) = 3, weight 1; groups pooled: (2×(not shown) + 1×(not shown) "
        "+ 1×3) / 4 = 3.5"
    )
    assert [i.id for i in trace.inputs] == [f"frontline-{n}" for n in range(1, 6)]


def test_qi_readiness_pools_by_group_with_equal_weights_each_with_its_reason(riverside):
    rubric, assessment = riverside
    assert rubric.scoring.pooling == "groups"
    assert [(g.id, g.weight) for g in rubric.respondent_groups] == [
        ("board", 1.0),
        ("managers", 1.0),
        ("frontline", 1.0),
        ("patient-partners", 1.0),
    ]
    assert all(g.weight_rationale for g in rubric.respondent_groups)
    # cult-teamwork: board 4, managers median(3, 3, 4) = 3, frontline 3 -> (4 + 3 + 3) / 3 = 10/3; pooled by
    # respondents, the median of 3x7 and 4x4 is the 6th of 11 answers, 3.
    grouped = score(rubric, assessment).question("cult-teamwork")
    assert grouped.value == 10 / 3
    assert grouped.trace.arithmetic.endswith("groups pooled: (1×4 + 1×3 + 1×3) / 3 = 3.3333")
    pooled = score(with_pooling(rubric, "respondents"), assessment).question("cult-teamwork")
    assert pooled.trace.arithmetic == "median(3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4) = 3"


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


@pytest.mark.slow
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


@pytest.mark.slow
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
