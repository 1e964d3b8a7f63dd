"""Golden numbers for every scoring rule, worked out by hand from the fixtures in tests/data/scoring/.

Each expected number was computed on paper from the fixture with the rules of docs/scoring.md, and the working is
in the comment beside the assertion. The expected numbers were never taken from the engine's output: when the
engine disagrees, the working is re-checked against docs/scoring.md, and the test is left to fail if it stands.

Scales: unless a comment says otherwise the scale is 1 to 5, so sigma_EU^2 = (5^2 - 1) / 12 = 2 for r_wg and
percent = 100 * (value - 1) / 4.
"""

from __future__ import annotations

import dataclasses

import pytest

from qimaturity import InputError, load_assessment, load_rubric, score, validate_rubric

from .conftest import ROOT, SCORING_ANSWERS, SCORING_RUBRICS, adjustments, run_scoring

RUBRICS, ANSWERS = SCORING_RUBRICS, SCORING_ANSWERS
run = run_scoring


def run_bundled(rubric_id, answers_name):
    """Score a fixture answers file of tests/data/scoring/ against a bundled rubric."""
    rubric = load_rubric(rubric_id)
    return score(rubric, load_assessment(ANSWERS / f"{answers_name}.yaml", rubric))


def projected_domain(result, domain_id):
    return next(d for d in result.projection.domains if d.id == domain_id)


# --- respondents -> question (tests/data/scoring/answers/respondents.yaml) -----------------------------------
# b1, b2 board; f1, f2 frontline.
#   q-odd:    b1 3, b2 3, f1 4
#   q-even:   b1 2, b2 4, f1 3, f2 4
#   q-split:  b1 5, f1 1                  (weight 2)
#   q-single: b1 4
#   q-na:     b1 N/A, f1 2, f2 N/A
#   q-allna:  b1 N/A, f1 N/A


@pytest.mark.slow
def test_median_of_an_odd_number_of_answers_is_the_middle_one():
    q = run("respondents-median", "respondents").question("q-odd")
    assert q.status == "answered"
    assert q.value == pytest.approx(3.0)  # sorted 3, 3, 4 -> the middle one, 3
    assert q.level == 3


def test_median_of_an_even_number_of_answers_is_the_mean_of_the_middle_two():
    result = run("respondents-median", "respondents")
    q = result.question("q-even")
    assert q.value == pytest.approx(3.5)  # sorted 2, 3, 4, 4 -> (3 + 4) / 2 = 3.5
    assert q.level == 3  # floor(3.5) = 3
    assert result.question("q-split").value == pytest.approx(3.0)  # 1, 5 -> (1 + 5) / 2 = 3


@pytest.mark.parametrize(
    ("aggregate", "expected"),
    [
        # q-odd (3, 3, 4); q-even (2, 4, 3, 4); q-split (5, 1); q-single (4); q-na (2)
        ("median", {"q-odd": 3.0, "q-even": 3.5, "q-split": 3.0, "q-single": 4.0, "q-na": 2.0}),
        # mean: 10/3 = 3.3333; 13/4 = 3.25; 6/2 = 3; 4; 2
        ("mean", {"q-odd": 10 / 3, "q-even": 3.25, "q-split": 3.0, "q-single": 4.0, "q-na": 2.0}),
        # min: 3; 2; 1; 4; 2
        ("min", {"q-odd": 3.0, "q-even": 2.0, "q-split": 1.0, "q-single": 4.0, "q-na": 2.0}),
        # max: 4; 4; 5; 4; 2
        ("max", {"q-odd": 4.0, "q-even": 4.0, "q-split": 5.0, "q-single": 4.0, "q-na": 2.0}),
    ],
)
def test_respondent_aggregate_combines_the_levels_given(aggregate, expected):
    result = run(f"respondents-{aggregate}", "respondents")
    assert {qid: result.question(qid).value for qid in expected} == pytest.approx(expected)


def test_mean_of_respondents_gives_a_continuous_value_whose_level_is_floored():
    q = run("respondents-mean", "respondents").question("q-odd")
    assert q.value == pytest.approx(3.333333, abs=1e-6)  # (3 + 3 + 4) / 3 = 10/3
    assert q.level == 3  # floor(3.3333)


def test_na_answers_of_some_respondents_are_left_out_of_the_question():
    q = run("respondents-median", "respondents").question("q-na")
    # b1 and f2 said N/A, f1 said 2: only f1's level is combined; the question is answered, not N/A.
    assert q.status == "answered"
    assert q.value == pytest.approx(2.0)
    assert {a.respondent: a.counted_level for a in q.answers} == {"b1": None, "f1": 2, "f2": None}
    assert q.agreement is None  # one level given: r_wg needs two or more
    assert q.disagreement is False


def test_question_is_na_only_when_every_respondent_said_na():
    q = run("respondents-median", "respondents").question("q-allna")
    assert q.status == "na"
    assert q.value is None  # policy exclude (default): left out
    assert q.level is None


def test_answers_at_both_ends_from_two_groups_of_one_are_a_perception_gap_not_disagreement():
    q = run("respondents-median", "respondents").question("q-split")
    # board 5 and frontline 1: each group has one answer, fewer than agreement_min_respondents (default 3), so no
    # r_wg; the difference is the board - frontline perception gap, 5 - 1 = 4 (flagged at 1).
    assert q.agreement is None and q.agreement_group is None
    assert q.disagreement is False
    assert [(g.group, g.agreement) for g in q.by_group] == [("board", None), ("frontline", None)]
    assert [(g.gap, g.flagged) for g in q.perception_gaps] == [(4.0, True)]


# --- agreement within groups (tests/data/scoring/answers/agreement.yaml) ---------------------------------------
#   q-odd:    board 3, 3, 4          frontline 1, 1 (two answers: fewer than 3)
#   q-even:   board 4, 4, 4          frontline 2, 4, 3, 4
#   q-split:  board 5, 5, 5          frontline 1, 1, 1
#   q-single: board 4


def test_rwg_of_close_answers_within_a_group_is_high_and_not_flagged():
    q = run("respondents-median", "agreement").question("q-odd")
    # board 3, 3, 4: mean 10/3, deviations -1/3, -1/3, 2/3, squares 1/9 + 1/9 + 4/9 = 6/9; s^2 = (6/9) / 2 = 1/3
    # r_wg = 1 - (1/3) / 2 = 5/6 = 0.8333. Frontline's two answers are too few to say.
    assert q.agreement == pytest.approx(5 / 6)
    assert q.agreement_group == "board"
    assert q.disagreement is False  # 0.8333 >= 0.7
    assert [(g.group, g.agreement) for g in q.by_group] == [("board", pytest.approx(5 / 6)), ("frontline", None)]


def test_rwg_below_threshold_within_one_group_flags_disagreement_and_names_the_group():
    q = run("respondents-median", "agreement").question("q-even")
    # frontline 2, 4, 3, 4: mean 3.25, deviations -1.25, 0.75, -0.25, 0.75
    # squares 1.5625 + 0.5625 + 0.0625 + 0.5625 = 2.75; s^2 = 2.75 / 3 = 0.916667; r_wg = 1 - 0.916667 / 2 = 0.541667
    # board 4, 4, 4: s^2 = 0 -> r_wg = 1. The question's agreement is the lowest, frontline's.
    assert q.agreement == pytest.approx(0.541667, abs=1e-6)
    assert q.agreement_group == "frontline"
    assert q.disagreement is True  # 0.5417 < 0.7
    assert [g.agreement for g in q.by_group] == [1.0, pytest.approx(0.541667, abs=1e-6)]


def test_a_systematic_difference_between_groups_is_not_disagreement():
    q = run("respondents-median", "agreement").question("q-split")
    # board 5, 5, 5 and frontline 1, 1, 1: each group agrees perfectly (r_wg 1, 1). Across all six answers r_wg
    # would be 0 (mean 3, s^2 = 6 x 4 / 5 = 4.8 > 2); within groups it is 1: the 4-level difference is a
    # perception gap. With equal r_wg the first group in the rubric's order is named.
    assert q.agreement == 1.0
    assert q.agreement_group == "board"
    assert q.disagreement is False
    assert [(g.gap, g.flagged) for g in q.perception_gaps] == [(4.0, True)]


def test_the_minimum_number_of_respondents_for_agreement_is_declared():
    rubric = load_rubric(RUBRICS / "respondents-median.yaml")
    two = dataclasses.replace(rubric, scoring=dataclasses.replace(rubric.scoring, agreement_min_respondents=2))
    q = score(two, load_assessment(ANSWERS / "agreement.yaml", two)).question("q-odd")
    # With 2 allowed, frontline 1, 1 has r_wg 1 (s^2 = 0); board's 5/6 is still the lowest.
    assert [g.agreement for g in q.by_group] == [pytest.approx(5 / 6), 1.0]
    four = dataclasses.replace(rubric, scoring=dataclasses.replace(rubric.scoring, agreement_min_respondents=4))
    q = score(four, load_assessment(ANSWERS / "agreement.yaml", four)).question("q-even")
    # With 4 needed only frontline (4 answers) has r_wg; the board's three answers are too few.
    assert [g.agreement for g in q.by_group] == [None, pytest.approx(0.541667, abs=1e-6)]
    assert q.agreement_group == "frontline" and q.disagreement is True


def test_rwg_needs_enough_answers_and_does_not_depend_on_the_aggregate():
    median = run("respondents-median", "agreement")
    maximum = run("respondents-max", "agreement")
    assert median.question("q-single").agreement is None  # one level given
    assert median.question("q-single").disagreement is False
    # r_wg is computed from the levels as given, whatever the aggregate: 5/6 for q-odd in both
    assert maximum.question("q-odd").agreement == pytest.approx(5 / 6)
    assert maximum.question("q-even").agreement == pytest.approx(0.541667, abs=1e-6)


def test_group_values_and_perception_gap_flagged_at_the_threshold():
    q = run("respondents-median", "respondents").question("q-odd")
    # board: median(3, 3) = 3 from 2 respondents; frontline: median(4) = 4 from 1
    assert [(g.group, g.value, g.respondents) for g in q.by_group] == [("board", 3.0, 2), ("frontline", 4.0, 1)]
    # gap = board - frontline = 3 - 4 = -1; |-1| >= gap_threshold 1 -> flagged (at the threshold exactly)
    (gap,) = q.perception_gaps
    assert (gap.group_a, gap.group_b) == ("board", "frontline")
    assert (gap.value_a, gap.value_b) == pytest.approx((3.0, 4.0))
    assert gap.gap == pytest.approx(-1.0)
    assert gap.flagged is True


def test_perception_gap_below_the_threshold_is_not_flagged():
    q = run("respondents-median", "respondents").question("q-even")
    # board: median(2, 4) = 3; frontline: median(3, 4) = 3.5; gap = 3 - 3.5 = -0.5; |-0.5| < 1 -> not flagged
    assert [(g.group, g.value, g.respondents) for g in q.by_group] == [("board", 3.0, 2), ("frontline", 3.5, 2)]
    (gap,) = q.perception_gaps
    assert gap.gap == pytest.approx(-0.5)
    assert gap.flagged is False


def test_group_values_use_the_rubrics_aggregate():
    q = run("respondents-min", "respondents").question("q-even")
    # min: board min(2, 4) = 2; frontline min(3, 4) = 3; gap = 2 - 3 = -1 -> flagged
    assert [(g.group, g.value) for g in q.by_group] == [("board", 2.0), ("frontline", 3.0)]
    (gap,) = q.perception_gaps
    assert gap.gap == pytest.approx(-1.0)
    assert gap.flagged is True


def test_no_perception_gap_when_one_group_did_not_answer():
    result = run("respondents-median", "respondents")
    assert result.question("q-single").perception_gaps == ()  # only the board answered
    assert result.question("q-na").perception_gaps == ()  # the board said N/A: only frontline has a value


def test_domain_value_and_domain_perception_gap():
    d = run("respondents-median", "respondents").domain("d")
    # question values: q-odd 3, q-even 3.5, q-split 3 (w2), q-single 4, q-na 2; q-allna N/A excluded
    # (3 + 3.5 + 2*3 + 4 + 2) / (1 + 1 + 2 + 1 + 1) = 18.5 / 6 = 3.083333
    assert d.value == pytest.approx(3.083333, abs=1e-6)
    assert d.level == 3
    # the domain's gap uses the questions both groups answered: q-odd, q-even, q-split (not q-single, board only,
    # nor q-na, frontline only)
    # board:     (3 + 3 + 2*5) / (1 + 1 + 2) = 16 / 4 = 4.0
    # frontline: (4 + 3.5 + 2*1) / 4 = 9.5 / 4 = 2.375
    # gap = 4.0 - 2.375 = 1.625 -> flagged
    (gap,) = d.perception_gaps
    assert (gap.value_a, gap.value_b) == pytest.approx((4.0, 2.375))
    assert gap.gap == pytest.approx(1.625)
    assert gap.flagged is True


# --- scoring.respondents.even_median: what the median of an even count is --------------------------------------
# respondents-median{,-lower,-upper}.yaml differ only in even_median (mean, the default; lower; upper).
#   q-even 2, 3, 4, 4: the middle two are 3 and 4 -> mean 3.5 (floor: level 3), lower 3 (level 3), upper 4 (level 4)
#   q-split 5, 1 (sorted 1, 5) -> mean 3, lower 1, upper 5; q-odd 3, 3, 4 -> 3 whatever even_median says
#   groups on q-even: board 2, 4 -> 3 / 2 / 4; frontline 3, 4 -> 3.5 / 3 / 4
#   gap board - frontline on q-even: 3 - 3.5 = -0.5 / 2 - 3 = -1 (flagged at 1) / 4 - 4 = 0
#   domain d, weights q-odd 1, q-even 1, q-split 2, q-single 1 (4), q-na 1 (2); q-allna N/A, left out:
#     mean  (3 + 3.5 + 2×3 + 4 + 2) / 6 = 18.5 / 6 = 37/12 = 3.0833333333333335 -> level 3
#     lower (3 + 3 + 2×1 + 4 + 2) / 6 = 14 / 6 = 7/3 = 2.3333333333333335 -> level 2
#     upper (3 + 4 + 2×5 + 4 + 2) / 6 = 23/6 = 3.8333333333333335 -> level 3
@pytest.mark.parametrize(
    ("rubric", "even", "split", "groups", "gap", "domain", "level"),
    [
        ("respondents-median", (3.5, 3), 3.0, (3.0, 3.5), (-0.5, False), 37 / 12, 3),
        ("respondents-median-lower", (3.0, 3), 1.0, (2.0, 3.0), (-1.0, True), 7 / 3, 2),
        ("respondents-median-upper", (4.0, 4), 5.0, (4.0, 4.0), (0.0, False), 23 / 6, 3),
    ],
)
def test_even_median_declares_what_the_median_of_an_even_count_is(rubric, even, split, groups, gap, domain, level):
    result = run(rubric, "respondents")
    q_even = result.question("q-even")
    assert (q_even.value, q_even.level) == even
    assert result.question("q-split").value == split
    assert result.question("q-odd").value == 3.0
    assert tuple(g.value for g in q_even.by_group) == groups
    (perception,) = q_even.perception_gaps
    assert (perception.gap, perception.flagged) == gap
    assert (result.domain("d").value, result.domain("d").level) == (domain, level)
    assert load_rubric(RUBRICS / f"{rubric}.yaml").scoring.even_median == rubric.rpartition("-")[2].replace(
        "median", "mean"
    )


def test_even_median_is_said_in_the_trace_and_refused_without_a_median(tmp_path):
    lower = run("respondents-median-lower", "respondents").question("q-even")
    assert lower.trace.arithmetic == (
        "median(2, 3, 4, 4) = 3 (an even count: the lower of the middle two, scoring.respondents.even_median)"
    )
    assert run("respondents-median", "respondents").question("q-even").trace.arithmetic == "median(2, 3, 4, 4) = 3.5"
    text = (RUBRICS / "respondents-mean.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("aggregate: mean,", "aggregate: mean, even_median: upper,"), encoding="utf-8")
    from qimaturity import validate_rubric

    (problem,) = validate_rubric(bad)
    assert problem.path == "/scoring/respondents/even_median"
    assert problem.message == (
        "even_median says what a median of an even count is, but respondents are combined by 'mean'"
    )
    assert problem.hint == "remove even_median, or set aggregate: median"


# --- questions -> domain -> overall (tests/data/scoring/answers/combine.yaml) --------------------------------
# domain a (weight 3): qa1 w2 = 4, qa2 w1 = 3, qa3 w1 = 2, qa4 w3 = N/A (excluded)
# domain b (weight 1): qb1 w1 = 5, qb2 w3 = 2


def test_weighted_mean_leaves_out_na_and_renormalises_the_weights():
    result = run("combine-weighted-mean", "combine")
    a, b = result.domain("a"), result.domain("b")
    assert a.value == pytest.approx(3.25)  # (2*4 + 1*3 + 1*2) / (2 + 1 + 1) = 13/4; qa4's weight 3 left out
    assert a.level == 3
    assert a.not_applicable == 1
    assert b.value == pytest.approx(2.75)  # (1*5 + 3*2) / 4 = 11/4
    assert b.level == 2
    assert result.overall.value == pytest.approx(3.125)  # (3*3.25 + 1*2.75) / 4 = 12.5 / 4
    assert result.overall.level == 3


def test_mean_ignores_weights_and_overall_is_the_mean_of_domain_means():
    result = run("combine-mean", "combine")
    assert result.domain("a").value == pytest.approx(3.0)  # (4 + 3 + 2) / 3
    assert result.domain("b").value == pytest.approx(3.5)  # (5 + 2) / 2
    # (3 + 3.5) / 2 = 3.25; not the pooled mean of the five items, (4 + 3 + 2 + 5 + 2) / 5 = 3.2
    assert result.overall.value == pytest.approx(3.25)
    assert result.overall.level == 3


def test_weighted_sum_gives_points_out_of_the_weights():
    result = run("combine-weighted-sum", "combine")
    a, b, overall = result.domain("a"), result.domain("b"), result.overall
    # a: points 2*(4-1)/4 + 1*(3-1)/4 + 1*(2-1)/4 = 1.5 + 0.5 + 0.25 = 2.25 of 2+1+1 = 4 (qa4 left out)
    assert (a.points, a.max_points) == pytest.approx((2.25, 4.0))
    assert a.value == pytest.approx(3.25)  # the weighted mean, as in weighted_mean
    assert a.percent == pytest.approx(56.25)  # 100 * (3.25 - 1) / 4
    # b: points 1*(5-1)/4 + 3*(2-1)/4 = 1 + 0.75 = 1.75 of 4
    assert (b.points, b.max_points) == pytest.approx((1.75, 4.0))
    assert b.value == pytest.approx(2.75)
    assert b.percent == pytest.approx(43.75)  # 100 * (2.75 - 1) / 4
    # overall: value (3*3.25 + 1*2.75) / 4 = 3.125; points 3*(3.25-1)/4 + 1*(2.75-1)/4 = 1.6875 + 0.4375 = 2.125 of 4
    assert overall.value == pytest.approx(3.125)
    assert (overall.points, overall.max_points) == pytest.approx((2.125, 4.0))
    assert overall.percent == pytest.approx(53.125)  # 100 * (3.125 - 1) / 4 = 100 * 2.125 / 4
    assert overall.level == 3


def test_minimum_takes_the_lowest_value():
    result = run("combine-minimum", "combine")
    assert result.domain("a").value == pytest.approx(2.0)  # min(4, 3, 2)
    assert result.domain("b").value == pytest.approx(2.0)  # min(5, 2)
    assert result.overall.value == pytest.approx(2.0)  # min(2, 2)
    assert result.overall.level == 2


def test_highest_rung_takes_the_highest_value():
    result = run("combine-highest-rung", "combine")
    assert result.domain("a").value == pytest.approx(4.0)  # max(4, 3, 2); the N/A qa4 takes no part
    assert result.domain("b").value == pytest.approx(5.0)  # max(5, 2)
    assert result.overall.value == pytest.approx(5.0)  # max(4, 5)
    assert result.overall.level == 5


# --- N/A policies (tests/data/scoring/answers/na-policy.yaml) -----------------------------------------------
# domain d (target 4): q1 = 2, q2 = N/A, q3 (w2) = 4;  domain e (no target anywhere): e1 = 3, e2 = N/A


@pytest.mark.parametrize(
    ("policy", "q2", "d", "d_level", "e", "e_level", "overall", "overall_level"),
    [
        # exclude: d = (2 + 2*4) / 3 = 10/3; e = 3; overall = (10/3 + 3) / 2 = 19/6 = 3.1667
        ("exclude", None, 10 / 3, 3, 3.0, 3, 19 / 6, 3),
        # count_as_met: q2 = e2 = 5; d = (2 + 5 + 8) / 4 = 3.75; e = (3 + 5) / 2 = 4; overall = 3.875
        ("count-as-met", 5.0, 3.75, 3, 4.0, 4, 3.875, 3),
        # count_as_lowest: q2 = e2 = 1; d = (2 + 1 + 8) / 4 = 2.75; e = (3 + 1) / 2 = 2; overall = 2.375
        ("count-as-lowest", 1.0, 2.75, 2, 2.0, 2, 2.375, 2),
        # anchor_to_target: q2 at its target, its domain's 4: d = (2 + 4 + 8) / 4 = 3.5;
        # e2 has no target so it is left out: e = 3; overall = (3.5 + 3) / 2 = 3.25
        ("anchor-to-target", 4.0, 3.5, 3, 3.0, 3, 3.25, 3),
    ],
)
def test_na_policy(policy, q2, d, d_level, e, e_level, overall, overall_level):
    result = run(f"na-{policy}", "na-policy")
    assert result.question("q2").status == "na"
    assert result.question("q2").value == (pytest.approx(q2) if q2 is not None else None)
    assert (result.domain("d").value, result.domain("d").level) == (pytest.approx(d), d_level)
    assert (result.domain("e").value, result.domain("e").level) == (pytest.approx(e), e_level)
    assert (result.overall.value, result.overall.level) == (pytest.approx(overall), overall_level)


def test_anchor_to_target_leaves_out_a_question_without_a_target():
    result = run("na-anchor-to-target", "na-policy")
    assert result.question("e2").value is None
    assert result.question("e2").status == "na"


# --- N/A counted per question (tests/data/scoring/answers/na-per-question.yaml) -----------------------------
# Rubric-wide default count_as_lowest; every answer N/A but e1 = 3 (critical, N/A not allowed).
#   d (target 4): q1 (stage 2, default: lowest) -> 1; q2 (stage 1, exclude) -> left out;
#                 q3 (w2, stage 2, target) -> 4; q4 (met, read by no rule) -> 5
#   e (no target): e1 (stage 1) = 3; e2 (target, none anywhere) -> left out


def test_each_question_counts_na_by_its_own_policy():
    result = run("na-per-question", "na-per-question")
    values = {q: result.question(q).value for q in ("q1", "q2", "q3", "q4", "e1", "e2")}
    assert values == {"q1": 1.0, "q2": None, "q3": 4.0, "q4": 5.0, "e1": 3.0, "e2": None}
    # d = (1*1 + 2*4 + 1*5) / (1 + 2 + 1) = 14 / 4 = 3.5 (q2 left out, weights renormalised); e = 3
    assert (result.domain("d").raw_value, result.domain("d").level) == (3.5, 3)
    assert (result.domain("e").value, result.domain("e").level) == (3.0, 3)
    # overall = (3.5 + 3) / 2 = 3.25, level 3 before the staged rule
    assert result.overall.raw_value == 3.25
    sources = {q: [a.rule for a in result.question(q).trace.adjustments] for q in ("q1", "q3")}
    assert sources == {"q1": ["scoring.not_applicable"], "q3": ["not_applicable.counts_as"]}


def test_staged_rule_reads_an_na_by_its_policy():
    # Stage 1: e1 at 3 met; q2 (N/A, excluded) is left out of its stage, as CMMI's "not applicable".
    # Stage 2: q3 (N/A counted at its target 4) met; q1 (N/A counted at the lowest level 1) not met.
    # So the highest stage met is 1: level 3 -> 1; the value stays the answers' 3.25 (rules hold levels).
    result = run("na-per-question", "na-per-question")
    assert adjustments(result.overall) == [("stages", 3, 1, True)]
    assert (result.overall.value, result.overall.level, result.overall.held_level) == (3.25, 1, 1)
    assert result.overall.trace.adjustments[0].description == (
        "staged, met at 3: highest stage met 1; not met: q1 (N/A, counted at 1); level 3 -> 1"
    )


# --- qi-programme-stages: N/A on the mandatory items (issue 12) --------------------------------------------
# Weights: foundations 55 = executive-sponsor* 20 + agreed-method 15 + improvement-priorities 10 +
# board-oversight 10; infrastructure 50 = qi-team 15 + training-offer 15 + measurement-infrastructure* 20;
# practice 55 = pdsa-cycles 15 + milestone-reviews 10 + patient-partners* 20 + protected-time 10;
# spread 40 = spread-and-scale 15 + learning-system 10 + management-system 15 (* mandatory). Scale 0-4,
# weighted sums, level_from_value round, percent bands (Foundations incomplete < 39 <= Building < 63 <= Established
# < 88 <= Embedded; 1.1.0 named them after CQC's ratings, Inadequate to Outstanding).


def stages_rubric_before_issue_12():
    """qi-programme-stages as 1.0.0 scored it: N/A allowed on every item and counted as met (top level 4).
    Validation now refuses such a rubric (see the test below), so it is built past validation."""
    from dataclasses import replace

    rubric = load_rubric("qi-programme-stages")
    domains = tuple(
        replace(d, questions=tuple(replace(q, na_allowed=True, na_counts_as=None) for q in d.questions))
        for d in rubric.domains
    )
    return replace(rubric, domains=domains, scoring=replace(rubric.scoring, not_applicable="count_as_met"))


def test_stages_before_mandatory_na_counted_as_met_scored_established():
    # The three mandatory items N/A count at 4, every other item at 3:
    # foundations (20*4 + 15*3 + 10*3 + 10*3) / 55 = 185/55; infrastructure (15*3 + 15*3 + 20*4) / 50 = 3.4;
    # practice (15*3 + 10*3 + 20*4 + 10*3) / 55 = 185/55; spread 3.
    # overall (185 + 170 + 185 + 120) / 200 = 660/200 = 3.3 -> 82.5 % -> Established; round(3.3) = 3. The staged rule
    # took N/A as met (every stage met) and the gate saw no critical item below 3: nothing held.
    rubric = stages_rubric_before_issue_12()
    result = score(rubric, load_assessment(ANSWERS / "stages-mandatory-na.yaml", rubric))
    assert (result.overall.value, result.overall.level, result.overall.band.name) == (3.3, 3, "Established")
    assert result.overall.percent == pytest.approx(82.5)


def test_stages_now_refuses_na_on_the_mandatory_items_where_they_are_answered():
    rubric = load_rubric("qi-programme-stages")
    with pytest.raises(InputError) as caught:
        load_assessment(ANSWERS / "stages-mandatory-na.yaml", rubric)
    assert [(p.line, p.path, p.message, p.hint) for p in caught.value.problems] == [
        (7, "/answers/executive-sponsor/na", "question 'executive-sponsor' cannot be answered N/A", "give a level"),
        (
            13,
            "/answers/measurement-infrastructure/na",
            "question 'measurement-infrastructure' cannot be answered N/A",
            "give a level",
        ),
        (16, "/answers/patient-partners/na", "question 'patient-partners' cannot be answered N/A", "give a level"),
    ]


def test_stages_mandatory_items_rated_honestly_at_2_have_foundations_incomplete():
    # foundations (20*2 + 15*3 + 10*3 + 10*3) / 55 = 145/55; infrastructure (15*3 + 15*3 + 20*2) / 50 = 2.6;
    # practice (15*3 + 10*3 + 20*2 + 10*3) / 55 = 145/55; spread 3; overall (145 + 130 + 145 + 120) / 200 = 2.7,
    # round -> 3. Staged: executive-sponsor (stage 1) at 2 is not met, so stage 0: level 3 -> 0 (the value stays
    # the answers' 2.7; rules hold levels). A held result's band is at most where level 0's values end (round:
    # below 0.5, 12.5 %) -> Foundations incomplete. (The gate would also hold it below 3: 3 critical items below 3.)
    result = run_bundled("qi-programme-stages", "stages-mandatory-2")
    assert (result.overall.raw_value, result.overall.value, result.overall.level) == (2.7, 2.7, 0)
    assert result.overall.band.name == "Foundations incomplete"
    assert adjustments(result.overall) == [("programme-stage", 3, 0, True), ("mandatory-items", 0, 0, False)]


def test_stages_na_on_an_optional_item_is_left_out_of_points_and_stage():
    # learning-system (stage 4, weight 10) N/A, management-system 4, everything else 3.
    # spread = (15*3 + 15*4) / 30 = 105/30 = 3.5 (learning-system left out; before issue 12 it counted 4:
    # (45 + 40 + 60) / 40 = 3.625). Overall (55*3 + 50*3 + 55*3 + 40*3.5) / 200 = 620/200 = 3.1 -> 77.5 % Established,
    # round(3.1) = 3. Stage 4 is met by spread-and-scale 3 and management-system 4: nothing held.
    result = run_bundled("qi-programme-stages", "stages-optional-na")
    assert result.domain("spread").value == 3.5
    assert (result.domain("spread").points, result.domain("spread").max_points) == (26.25, 30.0)  # 105/4 of 30
    assert (result.overall.value, result.overall.level, result.overall.band.name) == (3.1, 3, "Established")
    assert result.overall.points == pytest.approx(155.0)  # 200 * 3.1 / 4
    assert [a.applied for a in result.overall.trace.adjustments] == [False, False]


def test_stages_as_it_was_is_refused_by_validation(tmp_path):
    """1.0.0's N/A policy (count_as_met for every item) now fails validation, naming what to do."""
    text = (ROOT / "rubrics" / "qi-programme-stages.yaml").read_text(encoding="utf-8")
    old = text.replace("        not_applicable: {allowed: false}  # mandatory: rated honestly, never skipped\n", "")
    old = old.replace("  not_applicable: exclude ", "  not_applicable: count_as_met ")
    assert old.count("count_as_met") == 1 and "allowed: false" not in old
    path = tmp_path / "stages-1.0.0.yaml"
    path.write_text(old, encoding="utf-8")
    (problem,) = validate_rubric(path)
    assert problem.path == "/scoring/not_applicable"
    assert problem.message.startswith(
        "N/A counts as met by default, but it cannot on 14 question(s) that allow N/A: "
        "'executive-sponsor' (it is critical (mandatory)); 'agreed-method' (cap rule 'domain-gaps' reads it); "
    )


# --- missing policies (tests/data/scoring/answers/missing.yaml) ---------------------------------------------
# domain d: m1 = 4, m2 unanswered, m3 (w2) = 3;  domain f: f1 unanswered


def test_missing_exclude_leaves_the_question_out_and_an_empty_domain_out_of_the_overall():
    result = run("missing-exclude", "missing")
    assert result.question("m2").status == "missing"
    assert result.question("m2").value is None
    assert result.domain("d").value == pytest.approx(10 / 3)  # (1*4 + 2*3) / 3 = 3.3333
    assert result.domain("d").level == 3
    assert result.domain("f").value is None  # no counted question
    assert result.domain("f").level is None
    assert result.overall.value == pytest.approx(10 / 3)  # f is not counted: the overall is d alone
    assert result.overall.level == 3


def test_missing_count_as_lowest_counts_unanswered_questions_at_the_lowest_level():
    result = run("missing-count-as-lowest", "missing")
    assert result.question("m2").status == "missing"
    assert result.question("m2").value == pytest.approx(1.0)
    assert result.domain("d").value == pytest.approx(2.75)  # (4 + 1 + 2*3) / 4 = 11/4
    assert result.domain("d").level == 2
    assert result.domain("f").value == pytest.approx(1.0)
    assert result.overall.value == pytest.approx(1.875)  # (2.75 + 1) / 2
    assert result.overall.level == 1


# --- level_from_value (tests/data/scoring/answers/level-from-value.yaml) ------------------------------------
# h: h1 3, h2 4 -> 3.5;  k: k1 (w51) 3, k2 (w49) 4 -> (153 + 196) / 100 = 3.49;  n: n1 (w3) 4, n2 3 -> 15/4 = 3.75
# p: p1 answered 3 and 4 by two respondents -> median 3.5 -> p = 3.5
# overall: (3.5 + 3.49 + 3.75 + 3.5) / 4 = 14.24 / 4 = 3.56


@pytest.mark.parametrize(
    ("how", "levels"),
    [
        # floor: the highest level at or below the value
        ("floor", {"p1": 3, "h": 3, "k": 3, "n": 3, "p": 3, "overall": 3}),
        # round: the nearest level, halves up: 3.5 -> 4, 3.49 -> 3, 3.75 -> 4, 3.56 -> 4
        ("round", {"p1": 4, "h": 4, "k": 3, "n": 4, "p": 4, "overall": 4}),
    ],
)
def test_level_from_value(how, levels):
    result = run(f"level-{how}", "level-from-value")
    assert result.question("p1").value == pytest.approx(3.5)
    assert result.domain("k").value == pytest.approx(3.49)
    assert result.overall.value == pytest.approx(3.56)
    got = {"p1": result.question("p1").level, "overall": result.overall.level}
    got.update({d: result.domain(d).level for d in ("h", "k", "n", "p")})
    assert got == levels


# --- cap with critical_below (rubric cap-critical: cap each domain at 2 when a critical question is below 3) ---


def test_cap_holds_a_domain_at_max_level_and_keeps_the_raw_value():
    result = run("cap-critical", "cap-critical-held")
    lead = result.domain("lead")
    # lead: (2 + 5 + 5) / 3 = 4.0 -> level 4; critical c1 is at 2, below 3 -> held at 2
    assert lead.raw_value == pytest.approx(4.0)
    assert lead.level == 2
    assert lead.value == pytest.approx(4.0)  # rules hold levels, not values: the value is the answers'
    assert (lead.raw_level, lead.held_level, lead.held_by) == (4, 2, ("critical-cap",))
    assert adjustments(lead) == [("critical-cap", 4, 2, True)]
    assert lead.percent == pytest.approx(75.0)  # from the value: 100 * (4 - 1) / 4
    # the overall is computed from the domains' values: (4.0 + 3.5) / 2 = 3.75 -> level 3; no overall rule, so
    # nothing holds it
    assert result.overall.value == pytest.approx(3.75)
    assert result.overall.raw_value == pytest.approx(3.75)
    assert result.overall.level == 3
    assert (result.overall.held_level, result.overall.held_by) == (None, ())


def test_cap_checked_but_not_applied_is_recorded():
    result = run("cap-critical", "cap-critical-held")
    other = result.domain("other")
    # other: (3 + 4) / 2 = 3.5 -> level 3; critical o1 is at 3, not below 3 -> no change, recorded
    assert other.value == pytest.approx(3.5)
    assert other.raw_value == pytest.approx(3.5)
    assert other.level == 3
    assert adjustments(other) == [("critical-cap", 3, 3, False)]


def test_cap_not_applied_when_every_critical_question_is_high_enough():
    result = run("cap-critical", "cap-critical-not-held")
    lead = result.domain("lead")
    # lead: (3 + 5 + 5) / 3 = 13/3 = 4.3333 -> level 4; c1 at 3 is not below 3
    assert lead.value == pytest.approx(13 / 3)
    assert lead.level == 4
    assert adjustments(lead) == [("critical-cap", 4, 4, False)]
    # overall: (13/3 + 4) / 2 = 25/6 = 4.1667 -> level 4
    assert result.overall.value == pytest.approx(25 / 6)
    assert result.overall.level == 4


def test_cap_ignores_a_critical_question_that_is_na():
    other = run("cap-critical", "cap-critical-na").domain("other")
    # o1 (critical) is N/A and not counted, so it is not below 3; other = o2 = 4
    assert other.value == pytest.approx(4.0)
    assert other.level == 4
    assert adjustments(other) == [("critical-cap", 4, 4, False)]


# --- gate with count conditions (rubric gate-counts: overall 3+ needs no domain below 2, at most one at 2) ---


def test_gate_passes_with_one_domain_at_2():
    overall = run("gate-counts", "gate-counts-pass").overall
    # domains 3, 3, 2, 4 -> (3 + 3 + 2 + 4) / 4 = 3.0 -> level 3; none below 2, one at 2 -> holds
    assert overall.value == pytest.approx(3.0)
    assert overall.level == 3
    assert adjustments(overall) == [("consistency", 3, 3, False)]


def test_gate_fails_with_two_domains_at_2():
    overall = run("gate-counts", "gate-counts-two-at-2").overall
    # domains 5, 2, 2, 5 -> 14/4 = 3.5 -> level 3; two at 2 -> fails -> held at 2, the level just below 3
    assert overall.raw_value == pytest.approx(3.5)
    assert overall.level == 2
    assert overall.value == pytest.approx(3.5)  # the value is not flattened
    assert (overall.raw_level, overall.held_level, overall.held_by) == (3, 2, ("consistency",))
    assert adjustments(overall) == [("consistency", 3, 2, True)]


def test_gate_fails_with_one_domain_below_2():
    overall = run("gate-counts", "gate-counts-one-below-2").overall
    # domains 5, 5, 5, 1 -> 16/4 = 4.0 -> level 4; one below 2 -> fails -> held at 2
    assert overall.raw_value == pytest.approx(4.0)
    assert overall.level == 2
    assert overall.value == pytest.approx(4.0)
    assert (overall.raw_level, overall.held_level, overall.held_by) == (4, 2, ("consistency",))
    assert adjustments(overall) == [("consistency", 4, 2, True)]


# --- staged gating (rubric staged: the worked example of docs/rubric-format.md; 0-4 scale, met at 3) ---------
# foundations: executive-sponsor (stage 1), agreed-method (1), training-offer (2), measurement (2, N/A allowed)
# practice:    patient-partners (3), board-oversight (3), spread-and-scale (4)


def test_staged_holds_the_level_at_the_highest_stage_met_with_na_counting_as_met():
    result = run("staged", "staged-stage-3-unmet")
    overall = result.overall
    # foundations (4 + 3 + 3) / 3 = 10/3 (measurement N/A excluded); practice (2 + 4 + 3) / 3 = 3
    # overall (10/3 + 3) / 2 = 19/6 = 3.1667 -> level 3
    # stage 1: 4, 3 met; stage 2: 3 met, N/A met; stage 3: patient-partners 2 not met -> at most 2
    assert overall.raw_value == pytest.approx(19 / 6)
    assert overall.level == 2
    assert overall.value == pytest.approx(19 / 6)
    assert (overall.held_level, overall.held_by) == (2, ("programme-stage",))
    assert adjustments(overall) == [("programme-stage", 3, 2, True)]
    # an overall rule leaves the domains alone
    assert result.domain("practice").level == 3


def test_staged_lowest_stage_unmet_gives_the_lowest_level():
    overall = run("staged", "staged-stage-1-unmet").overall
    # foundations (4 + 2 + 3) / 3 = 3; practice 3; overall 3.0 -> level 3
    # stage 1: agreed-method 2 not met -> the lowest level of the scale, 0
    assert overall.raw_value == pytest.approx(3.0)
    assert overall.level == 0
    assert overall.value == pytest.approx(3.0)
    assert (overall.held_level, overall.held_by) == (0, ("programme-stage",))
    assert adjustments(overall) == [("programme-stage", 3, 0, True)]
    # The trace says plainly that no stage is met, not "highest stage met 0"
    (adjustment,) = overall.trace.adjustments
    assert "no stage is met, so the level is held at the lowest level 0" in adjustment.description
    assert "highest stage met" not in adjustment.description


def test_staged_caps_but_does_not_raise():
    overall = run("staged", "staged-all-met").overall
    # foundations 10/3; practice (3 + 4 + 4) / 3 = 11/3; overall 21/6 = 3.5 -> level 3
    # every stage (1 to 4) met -> at most 4; 3 < 4, so the level stays 3
    assert overall.value == pytest.approx(3.5)
    assert overall.level == 3
    assert adjustments(overall) == [("programme-stage", 3, 3, False)]


def test_staged_unanswered_question_is_not_met():
    overall = run("staged", "staged-unanswered").overall
    # foundations 10/3; practice (3 + 4) / 2 = 3.5 (board-oversight unanswered, missing: exclude)
    # overall (10/3 + 3.5) / 2 = 41/12 = 3.4167 -> level 3
    # stage 3: board-oversight unanswered -> not met -> at most 2
    assert overall.raw_value == pytest.approx(41 / 12)
    assert overall.level == 2
    assert adjustments(overall) == [("programme-stage", 3, 2, True)]


# --- expression condition in a cap (rubric cap-expression: overall held at 1 when
#     abs(domain("x") - domain("y")) >= 2 or count_questions_below(2) >= 2) -----------------------------------


def test_expression_cap_applies_when_true():
    overall = run("cap-expression", "cap-expression-apart").overall
    # x = (5 + 5 + 5) / 3 = 5; y = 2; overall 3.5 -> level 3; abs(5 - 2) = 3 >= 2 -> held at 1
    assert overall.raw_value == pytest.approx(3.5)
    assert overall.level == 1
    assert overall.value == pytest.approx(3.5)
    assert adjustments(overall) == [("uneven", 3, 1, True)]


def test_expression_cap_not_applied_when_false():
    overall = run("cap-expression", "cap-expression-close").overall
    # x = (4 + 3 + 4) / 3 = 11/3; y = 3; overall (11/3 + 3) / 2 = 10/3 = 3.3333 -> level 3
    # abs(11/3 - 3) = 0.6667 < 2; no question below 2 -> false
    assert overall.value == pytest.approx(10 / 3)
    assert overall.level == 3
    assert adjustments(overall) == [("uneven", 3, 3, False)]


def test_expression_needing_an_uncounted_domain_does_not_hold():
    overall = run("cap-expression", "cap-expression-uncounted").overall
    # x = (5 + 1 + 1) / 3 = 7/3 = 2.3333; y1 N/A -> y not counted; overall = x alone = 7/3 -> level 2
    # domain("y") has no value: the expression cannot be evaluated and does not hold (although two questions,
    # x2 and x3, are below 2)
    assert overall.value == pytest.approx(7 / 3)
    assert overall.level == 2
    assert adjustments(overall) == [("uneven", 2, 2, False)]


# --- evidence (tests/data/scoring/answers/evidence.yaml; evidence from level 4, current for 365 days, assessed
#     2026-06-30; current evidence is dated on or before the assessment date and at most 365 days before it) -----

SINGLE = ("e-ok", "e-none", "e-old", "e-edge", "e-below", "e-undated", "e-future")


def test_evidence_cap_counts_answers_without_current_evidence_one_level_below():
    result = run("evidence-cap", "evidence")
    counted = {q: result.question(q).answers[0].counted_level for q in SINGLE}
    assert counted == {
        "e-ok": 5,  # evidence dated 2026-01-15, 166 days before: current
        "e-none": 3,  # 4 without evidence -> the level below 4
        "e-old": 3,  # 5 with evidence dated 2025-06-29, 366 days before: not current -> 3
        "e-edge": 4,  # evidence dated 2025-06-30, exactly 365 days before: within 365 days -> stands
        "e-below": 3,  # 3 is below evidence_from: no evidence needed
        "e-undated": 3,  # 5 with only undated evidence: it cannot show its age -> 3
        "e-future": 3,  # 4 with evidence dated 2026-07-15, after the assessment date: not current -> 3
    }
    assert result.question("e-none").answers[0].level == 4  # the level given is kept beside the counted one
    flagged = {q for q in counted if result.question(q).answers[0].evidence_flag is not None}
    assert flagged == {"e-none", "e-old", "e-undated", "e-future"}
    # domain: (5 + 3 + 3 + 4 + 3 + 3 + 3 + 4) / 8 = 28/8 = 3.5 (e-multi, 4, below)
    assert result.domain("d").value == pytest.approx(3.5)
    assert result.domain("d").level == 3


def test_evidence_cap_applies_per_respondent_and_rwg_uses_the_levels_given():
    q = run("evidence-cap", "evidence").question("e-multi")
    # r1: 5 without evidence -> 3; r2: 5 with evidence dated 2026-03-01 -> 5; median(3, 5) = 4
    assert {a.respondent: a.counted_level for a in q.answers} == {"r1": 3, "r2": 5}
    assert q.value == pytest.approx(4.0)
    assert q.agreement is None  # two answers, fewer than agreement_min_respondents (default 3)
    rubric = load_rubric(RUBRICS / "evidence-cap.yaml")
    two = dataclasses.replace(rubric, scoring=dataclasses.replace(rubric.scoring, agreement_min_respondents=2))
    q = score(two, load_assessment(ANSWERS / "evidence.yaml", two)).question("e-multi")
    # With two allowed: r_wg from the levels as given, 5 and 5: s^2 = 0 -> r_wg = 1 (not from 3 and 5)
    assert q.agreement == pytest.approx(1.0)
    assert q.agreement_group is None  # the respondents have no group
    assert q.disagreement is False


def test_evidence_flag_leaves_the_level_and_flags_it():
    result = run("evidence-flag", "evidence")
    counted = {q: result.question(q).answers[0].counted_level for q in SINGLE}
    # every level stands as given
    assert counted == {"e-ok": 5, "e-none": 4, "e-old": 5, "e-edge": 4, "e-below": 3, "e-undated": 5, "e-future": 4}
    flagged = {q for q in counted if result.question(q).answers[0].evidence_flag is not None}
    assert flagged == {"e-none", "e-old", "e-undated", "e-future"}
    assert result.question("e-multi").value == pytest.approx(5.0)  # median(5, 5)
    # domain: (5 + 4 + 5 + 4 + 3 + 5 + 4 + 5) / 8 = 35/8 = 4.375
    assert result.domain("d").value == pytest.approx(4.375)
    assert result.domain("d").level == 4


# --- evidence where it belongs (tests/data/scoring/answers/evidence-register.yaml) ----------------------------
# evidence-groups.yaml: board-only asks evidence of the board and managers from level 4; everyone asks it of every
# group from level 4 (evidence_from: 4). Assessed 2026-06-30, evidence current for 365 days, on_missing: cap.
# Register: bp-041 dated 2026-03-12 (110 days before: current); audit-2024 dated 2024-11-30 (577 days: not current).
#   board-only: b1 (board) 5 cites bp-041 -> 5; b2 (board) 4, none -> 3; f1 (frontline) 5, none -> not asked: 5
#   everyone:   b1 5 cites audit-2024 -> 3; b2 4 cites free text dated 2026-05-02 (59 days) -> 4; f1 5, none -> 3


def test_a_frontline_answer_is_not_capped_when_only_the_board_must_give_evidence():
    result = run("evidence-groups", "evidence-register")
    answers = {a.respondent: (a.level, a.counted_level, a.evidence_flag) for a in result.question("board-only").answers}
    assert answers["f1"] == (5, 5, None)  # frontline, level 5, no evidence: not asked, so not capped
    assert answers["b2"] == (4, 3, "no evidence cited: counted as 3")
    assert answers["b1"] == (5, 5, None)
    # median(3, 5, 5) = 5; the only evidence adjustment is b2's
    assert result.question("board-only").value == 5.0
    assert [a.description.split(":")[0] for a in result.question("board-only").trace.adjustments] == ["respondent b2"]


def test_evidence_asked_of_every_group_still_caps_the_frontline():
    result = run("evidence-groups", "evidence-register")
    counted = {a.respondent: a.counted_level for a in result.question("everyone").answers}
    assert counted == {"b1": 3, "b2": 4, "f1": 3}
    assert result.question("everyone").value == 3.0  # median(3, 3, 4)
    # the domain (missing: exclude, weights 1): (5 + 3) / 2 = 4
    assert result.domain("d").value == 4.0


def test_answers_cite_the_register_by_id_and_free_text_still_counts():
    result = run("evidence-groups", "evidence-register")
    b1 = next(a for a in result.question("board-only").answers if a.respondent == "b1")
    assert (b1.evidence, b1.evidence_ids) == (("Board paper 2026/041, QI strategy (2026-03-12)",), ("bp-041",))
    b2 = next(a for a in result.question("everyone").answers if a.respondent == "b2")
    assert (b2.evidence, b2.evidence_ids) == (("Board minutes (2026-05-02)",), ())  # free text: kept as written
    assert [(e.id, e.owner, e.link, e.file) for e in result.evidence] == [
        ("bp-041", "Chief nurse", "https://example.org/board/2026-041", None),
        ("audit-2024", "QI team", None, "qi-audit-2024.pdf"),
    ]


def test_an_assessment_built_in_python_is_dated_by_its_register():
    from qimaturity.answers.model import Answer, Assessment, EvidenceItem, EvidenceRecord, Organisation, Respondent

    rubric = load_rubric(RUBRICS / "evidence-groups.yaml")
    register = (EvidenceRecord("audit-2024", "QI audit 2024", "2024-11-30", "QI team"),)
    cited = Answer("everyone", 5, evidence=(EvidenceItem("the audit", None, "audit-2024"),))
    assessment = Assessment(
        Organisation("o", "O"), "evidence-groups", (Respondent("b1", "board", (cited,)),), "1.0", "2026-06-30",
        evidence=register,
    )  # fmt: skip
    # the register's date, 577 days before the assessment, is not current: 5 -> 3 (the item's own date is None)
    assert score(rubric, assessment).question("everyone").answers[0].counted_level == 3
    unknown = Assessment(
        Organisation("o", "O"), "evidence-groups",
        (Respondent("b1", "board", (Answer("everyone", 5, evidence=(EvidenceItem("x", None, "nope"),)),)),),
        "1.0", "2026-06-30",
    )  # fmt: skip
    with pytest.raises(InputError) as caught:
        score(rubric, unknown)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("/respondents/0/answers/everyone/evidence/0", "question 'everyone': unknown evidence id 'nope'")
    ]


# --- bands (tests/data/scoring/answers/bands.yaml) ---------------------------------------------------------
# va (2 + 3) / 2 = 2.5;  vb (3 + 4 + 3 + 3) / 4 = 3.25;  vc 5;  vd (3 + 4 + 4 + 4 + 4) / 5 = 3.8
# ve (13*4 + 12*3) / 25 = 88/25 = 3.52 (63 %);  vf (13*5 + 12*4) / 25 = 113/25 = 4.52 (88 %)
# overall (2.5 + 3.25 + 5 + 3.8 + 3.52 + 4.52) / 6 = 22.59 / 6 = 3.765


def band_of(part):
    return (part.band.id, pytest.approx(part.band.position, abs=1e-6), part.band.third)


def test_bands_on_value_with_position_and_closed_last_band():
    result = run("bands-value", "bands")
    # early [1, 2.5), progressing [2.5, 4), mature [4, 5]
    got = {d: band_of(result.domain(d)) for d in ("va", "vb", "vc", "vd", "ve", "vf")}
    assert got == {
        "va": ("progressing", 0.0, "lower"),  # 2.5 is the start of progressing: (2.5 - 2.5) / 1.5 = 0
        "vb": ("progressing", 0.5, "middle"),  # (3.25 - 2.5) / 1.5 = 0.5
        "vc": ("mature", 1.0, "upper"),  # 5 is the top: the last band is closed; (5 - 4) / 1 = 1
        "vd": ("progressing", 0.866667, "upper"),  # (3.8 - 2.5) / 1.5 = 1.3 / 1.5
        "ve": ("progressing", 0.68, "upper"),  # (3.52 - 2.5) / 1.5 = 1.02 / 1.5
        "vf": ("mature", 0.52, "middle"),  # (4.52 - 4) / 1
    }
    assert result.overall.value == pytest.approx(3.765)
    assert band_of(result.overall) == ("progressing", 0.843333, "upper")  # (3.765 - 2.5) / 1.5 = 1.265 / 1.5
    assert result.overall.band.name == "Progressing"


def test_bands_on_percent_with_position_and_boundaries():
    result = run("bands-percent", "bands")
    # percent = 100 * (value - 1) / 4
    # inadequate [0, 39), requires-improvement [39, 63), good [63, 88), outstanding [88, 100]
    assert result.domain("va").percent == pytest.approx(37.5)
    got = {d: band_of(result.domain(d)) for d in ("va", "vb", "vc", "vd", "ve", "vf")}
    assert got == {
        "va": ("inadequate", 0.961538, "upper"),  # 37.5 % -> 37.5 / 39
        "vb": ("requires-improvement", 0.71875, "upper"),  # 56.25 % -> (56.25 - 39) / 24 = 17.25 / 24
        "vc": ("outstanding", 1.0, "upper"),  # 100 % -> the closed last band, (100 - 88) / 12 = 1
        "vd": ("good", 0.28, "lower"),  # 70 % -> (70 - 63) / 25
        "ve": ("good", 0.0, "lower"),  # exactly 63 % is Good: [63, 88)
        "vf": ("outstanding", 0.0, "lower"),  # exactly 88 % is Outstanding
    }
    assert result.overall.percent == pytest.approx(69.125)  # 100 * (3.765 - 1) / 4
    assert band_of(result.overall) == ("good", 0.245, "lower")  # (69.125 - 63) / 25 = 6.125 / 25
    assert result.overall.band.name == "Good"


# --- targets, gaps and priorities (rubric targets: default 3; lead weight 2, target 4; l3 target 5) -----------
# answers: l1 (critical, w1) 3, l2 (w3) 2, l3 (w1) 4;  m1 (w2) 1, m2 (w1) 3
# lead = (3 + 3*2 + 4) / 5 = 13/5 = 2.6 -> 2;  meth = (2*1 + 3) / 3 = 5/3 = 1.6667 -> 1
# overall = (2*2.6 + 1*5/3) / 3 = 6.8667 / 3 = 2.288889 -> 2


def priority_rows(result):
    return [(p.rank, p.question_id, p.gap, pytest.approx(p.score)) for p in result.priorities]


def test_targets_from_the_rubric_and_gaps():
    result = run("targets", "targets")
    lead, meth = result.domain("lead"), result.domain("meth")
    assert (lead.value, lead.level, lead.target, lead.gap) == (pytest.approx(2.6), 2, 4, 2)  # 4 - 2
    assert (meth.value, meth.level, meth.target, meth.gap) == (pytest.approx(5 / 3), 1, 3, 2)  # default 3 - 1
    overall = result.overall
    assert (overall.value, overall.level, overall.target, overall.gap) == (pytest.approx(2.288889), 2, 3, 1)
    # question targets: l1, l2 take the domain's 4; l3 its own 5; m1, m2 the default 3
    got = {q: (result.question(q).target, result.question(q).gap) for q in ("l1", "l2", "l3", "m1", "m2")}
    assert got == {"l1": (4, 1), "l2": (4, 2), "l3": (5, 1), "m1": (3, 2), "m2": (3, 0)}


def test_priorities_critical_first_then_weight_times_domain_weight_times_gap():
    result = run("targets", "targets")
    # l1 critical: 1*2*1 = 2 -> first; then l2 3*2*2 = 12; m1 2*1*2 = 4; l3 1*2*1 = 2; m2 has no gap
    assert priority_rows(result) == [(1, "l1", 1, 2), (2, "l2", 2, 12), (3, "m1", 2, 4), (4, "l3", 1, 2)]
    # each carries the next step of its current level, and the descriptor of the level above
    steps = {p.question_id: (p.level, p.next_level, p.next_step, p.next_descriptor) for p in result.priorities}
    assert steps == {
        "l1": (3, 4, "Raise l1 above 3.", "l1 at level 4."),
        "l2": (2, 3, "Raise l2 above 2.", "l2 at level 3."),
        "m1": (1, 2, "Raise m1 above 1.", "m1 at level 2."),
        "l3": (4, 5, "Raise l3 above 4.", "l3 at level 5."),
    }
    assert result.priorities[0].critical is True


def test_answers_file_targets_override_the_rubric():
    result = run("targets", "targets-override")  # targets: {meth: 4, m2: 5, overall: 4}
    assert (result.domain("meth").target, result.domain("meth").gap) == (4, 3)  # 4 - 1
    assert (result.domain("lead").target, result.domain("lead").gap) == (4, 2)  # unchanged
    assert (result.overall.target, result.overall.gap) == (4, 2)  # 4 - 2
    assert (result.question("m1").target, result.question("m1").gap) == (4, 3)  # its domain's new target
    assert (result.question("m2").target, result.question("m2").gap) == (5, 2)  # its own
    # l1 critical 2; l2 12; m1 2*1*3 = 6; l3 1*2*1 = 2 and m2 1*1*2 = 2 tie: rubric order, l3 first
    assert priority_rows(result) == [
        (1, "l1", 1, 2),
        (2, "l2", 2, 12),
        (3, "m1", 3, 6),
        (4, "l3", 1, 2),
        (5, "m2", 2, 2),
    ]


def test_score_targets_argument_overrides_by_id():
    result = run("targets", "targets", targets={"l2": 3, "m1": 5})
    assert (result.question("l2").target, result.question("l2").gap) == (3, 1)
    assert (result.question("m1").target, result.question("m1").gap) == (5, 4)
    assert result.domain("meth").target == 3  # the domain keeps the default
    # l1 critical 2; m1 2*1*4 = 8; l2 3*2*1 = 6; l3 2
    assert priority_rows(result) == [(1, "l1", 1, 2), (2, "m1", 4, 8), (3, "l2", 1, 6), (4, "l3", 1, 2)]


def test_score_targets_argument_overrides_the_answers_file():
    result = run("targets", "targets-override", targets={"meth": 2})
    # meth: 2 from the argument beats 4 from the file; gap 2 - 1 = 1
    assert (result.domain("meth").target, result.domain("meth").gap) == (2, 1)
    assert (result.question("m1").target, result.question("m1").gap) == (2, 1)  # its domain's
    assert result.question("m2").target == 5  # the file's own target for m2 still applies
    # l1 critical 2; l2 12; then l3 2, m1 2*1*1 = 2, m2 1*1*2 = 2 in rubric order
    assert priority_rows(result) == [
        (1, "l1", 1, 2),
        (2, "l2", 2, 12),
        (3, "l3", 1, 2),
        (4, "m1", 1, 2),
        (5, "m2", 2, 2),
    ]


def test_default_target_replaces_every_rubric_target():
    result = run("targets", "targets", default_target=5)
    assert (result.domain("lead").target, result.domain("lead").gap) == (5, 3)
    assert (result.domain("meth").target, result.domain("meth").gap) == (5, 4)
    assert (result.overall.target, result.overall.gap) == (5, 3)
    # l1 5-3 = 2, critical, 1*2*2 = 4; l2 gap 3, 3*2*3 = 18; m1 gap 4, 2*1*4 = 8; l3 gap 1, 2; m2 gap 2, 1*1*2 = 2
    assert priority_rows(result) == [
        (1, "l1", 2, 4),
        (2, "l2", 3, 18),
        (3, "m1", 4, 8),
        (4, "l3", 1, 2),
        (5, "m2", 2, 2),
    ]


def test_default_target_yields_to_targets_named_in_the_answers_file():
    result = run("targets", "targets-override", default_target=5)  # file: {meth: 4, m2: 5, overall: 4}
    assert result.domain("lead").target == 5  # the bare target beats the rubric's 4
    assert result.domain("meth").target == 4  # the file names meth
    # m1 is not named, but its domain is: a target named for its domain comes before the bare target
    assert result.question("m1").target == 4
    assert result.question("l1").target == 5  # neither l1 nor lead is named: the bare target beats the rubric's 4
    assert result.question("m2").target == 5  # named in the file
    assert (result.overall.target, result.overall.gap) == (4, 2)  # the file's overall


# --- what-if -----------------------------------------------------------------------------------------------


def test_what_if_projects_the_result_and_leaves_the_real_one_unchanged():
    result = run("targets", "targets", what_if={"l2": 5})
    projection = result.projection
    assert projection.changes == {"l2": 5}
    # lead with l2 at 5: (3 + 3*5 + 4) / 5 = 22/5 = 4.4 -> 4; meth unchanged 5/3 -> 1
    lead = projected_domain(result, "lead")
    assert (lead.value, lead.level) == (pytest.approx(4.4), 4)
    assert projected_domain(result, "meth").value == pytest.approx(5 / 3)
    # overall (2*4.4 + 5/3) / 3 = 10.4667 / 3 = 3.488889 -> 3
    assert projection.overall.value == pytest.approx(3.488889, abs=1e-6)
    assert projection.overall.level == 3
    # the real result: lead 2.6, overall 2.288889, l2 still 2
    assert (result.domain("lead").value, result.domain("lead").level) == (pytest.approx(2.6), 2)
    assert (result.overall.value, result.overall.level) == (pytest.approx(2.288889, abs=1e-6), 2)
    assert result.question("l2").value == pytest.approx(2.0)
    assert [p.question_id for p in result.priorities] == ["l1", "l2", "m1", "l3"]


def test_no_projection_without_what_if():
    assert run("targets", "targets").projection is None


# --- answers checks (rubric checks.yaml, version 2.1; tests/data/scoring/answers/invalid/) --------------------
# Each invalid file is checks-valid.yaml with one defect; line and column are 1-based and point at the key or
# value at fault.

LEVELS_HINT = "levels are 1, 2, 3, 4, 5"

INVALID_ANSWERS = {
    "unknown-question": [
        # line 14: "      sponsr: 2" -> the key at column 7
        (14, 7, "/respondents/1/answers/sponsr", "unknown question 'sponsr'", "did you mean 'sponsor'?"),
    ],
    "level-off-scale": [
        # line 8: "      sponsor: 6" -> the value at column 16
        (8, 16, "/respondents/0/answers/sponsor", "question 'sponsor': level 6 is not on the scale", LEVELS_HINT),
        # line 15: "      patients: {level: 0}" -> the value 0 at column 25
        (
            15,
            25,
            "/respondents/1/answers/patients/level",
            "question 'patients': level 0 is not on the scale",
            LEVELS_HINT,
        ),
    ],
    "na-not-allowed": [
        # line 10: "      training: {na: true, ...}" -> the key na at column 18
        (10, 18, "/respondents/0/answers/training/na", "question 'training' cannot be answered N/A", "give a level"),
    ],
    "na-without-justification": [
        # line 9: "      method: {na: true}" -> the key na at column 16
        (
            9,
            16,
            "/respondents/0/answers/method/na",
            "question 'method': N/A needs a justification",
            "add justification: why it does not apply",
        ),
    ],
    "wrong-group": [
        # f1 is in the board group (line 12); line 15: "      patients: 4" -> the key at column 7
        (
            15,
            7,
            "/respondents/1/answers/patients",
            "question 'patients' is not asked of the board group",
            "the rubric asks it of: frontline",
        ),
    ],
    "unknown-group": [
        # line 12: "    group: frontlin" -> the value at column 12
        (12, 12, "/respondents/1/group", "unknown respondent group 'frontlin'", "did you mean 'frontline'?"),
    ],
    "version-mismatch": [
        # line 2: 'rubric: {id: checks, version: "2.0"}' -> the value "2.0" at column 31
        (
            2,
            31,
            "/rubric/version",
            "these answers were given to version 2.0 of 'checks'; this rubric is version 2.1",
            "score them with the version they were given to, or check them against this version "
            "and update the answers file",
        ),
    ],
    "unknown-evidence": [
        # line 6: "  - {id: bp-041, ..." -> the value at column 10
        (
            6,
            10,
            "/evidence/1/id",
            "duplicate evidence id 'bp-041' (entry 1 of the register has it)",
            "give each document of the evidence register its own id",
        ),
        # line 11: "      sponsor: {level: 3, evidence: [bp-041, bp-014]}" -> bp-014 at column 46
        (
            11,
            46,
            "/respondents/0/answers/sponsor/evidence/1",
            "question 'sponsor': unknown evidence id 'bp-014'",
            "did you mean 'bp-041'?",
        ),
    ],
    "missing-answer": [
        # the respondents list starts at line 5, column 3 ("  - id: b1")
        (5, 3, "/respondents", "question 'training' has no answer", "answer it, or N/A where the rubric allows it"),
    ],
}


def test_valid_answers_load():
    rubric = load_rubric(RUBRICS / "checks.yaml")
    assessment = load_assessment(ANSWERS / "checks-valid.yaml", rubric)
    assert [r.id for r in assessment.respondents] == ["b1", "f1"]


def test_every_invalid_answers_file_has_an_expectation():
    assert sorted(p.stem for p in (ANSWERS / "invalid").glob("*.yaml")) == sorted(INVALID_ANSWERS)


@pytest.mark.parametrize("name", sorted(INVALID_ANSWERS))
def test_invalid_answers_are_reported_at_their_place(name):
    rubric = load_rubric(RUBRICS / "checks.yaml")
    path = ANSWERS / "invalid" / f"{name}.yaml"
    with pytest.raises(InputError) as caught:
        load_assessment(path, rubric)
    problems = caught.value.problems
    assert [(p.line, p.column, p.path, p.message, p.hint) for p in problems] == INVALID_ANSWERS[name]
    assert {p.file for p in problems} == {str(path)}
