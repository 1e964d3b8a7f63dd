"""Real instruments' arithmetic (ACIC, CMMI staged, CQC aggregation, DSPT, CQC SAF, as the research notes describe),
each reproduced by a fixture rubric in tests/data/scoring/rubrics/ and scored on hand-worked answers.

Every expected number was worked out on paper from the fixture with the rules of docs/scoring.md; the working is
in the comment beside the assertion. None was taken from the engine's output.
"""

from __future__ import annotations

import pytest

from .conftest import SCORING_ANSWERS, SCORING_RUBRICS, adjustments, run_scoring

RUBRICS, ANSWERS = SCORING_RUBRICS, SCORING_ANSWERS
run = run_scoring


# --- ACIC: items 0-11; subscale = mean of items; overall = mean of the subscale means ------------------------
# answers: subscale-a 10, 11; subscale-b 4, 6, 8; subscale-c 2, 3, 3, 4 (the domains' weights are 2, 3, 4)
# bands on the value: D [0, 3), C [3, 6), B [6, 9), A [9, 11]


def test_acic_subscale_is_the_mean_of_its_items():
    result = run("acic", "acic")
    assert result.domain("subscale-a").value == pytest.approx(10.5)  # (10 + 11) / 2
    assert result.domain("subscale-b").value == pytest.approx(6.0)  # (4 + 6 + 8) / 3
    assert result.domain("subscale-c").value == pytest.approx(3.0)  # (2 + 3 + 3 + 4) / 4 = 12/4
    a = result.domain("subscale-a").band
    assert (a.id, a.position, a.third) == ("a", pytest.approx(0.75), "upper")  # (10.5 - 9) / 2


def test_acic_overall_is_the_mean_of_subscale_means():
    overall = run("acic", "acic").overall
    # (10.5 + 6 + 3) / 3 = 19.5 / 3 = 6.5; 'mean' ignores the domain weights 2, 3, 4
    assert overall.value == pytest.approx(6.5)
    assert overall.level == 6  # floor
    assert overall.level_name == "Score 6"
    assert (overall.band.id, overall.band.position, overall.band.third) == (
        "b",
        pytest.approx(0.166667, abs=1e-6),  # (6.5 - 6) / 3
        "lower",
    )


def test_acic_mean_of_means_differs_from_the_pooled_item_mean():
    acic = run("acic", "acic").overall
    pooled = run("acic-pooled", "acic").overall
    # pooled: domains weighted by their item counts, (2*10.5 + 3*6 + 4*3) / 9 = (21 + 18 + 12) / 9 = 51/9 = 5.6667,
    # the mean of all nine items (10 + 11 + 4 + 6 + 8 + 2 + 3 + 3 + 4) / 9 = 51/9
    assert pooled.value == pytest.approx(51 / 9)
    assert pooled.level == 5
    assert (pooled.band.id, pooled.band.position) == ("c", pytest.approx(0.888889, abs=1e-6))  # (5.6667 - 3) / 3
    # the mean of the subscale means is 6.5: 0.8333 higher, a level and a band apart
    assert acic.value - pooled.value == pytest.approx(6.5 - 51 / 9)
    assert (acic.level, acic.band.id) == (6, "b")


# --- CMMI staged: maturity level = the highest level at which every process area of that level and below is
#     Satisfied (rated 5, met_at 5) or N/A. Questions and domains combine by highest_rung, so the raw overall is 5
#     whenever an area is satisfied, and the staged rule alone decides. ----------------------------------------
# ml2: reqm, pp, ma (stage 2); ml3: ot, rskm (stage 3); ml4: qpm (stage 4); ml5: car (stage 5)


@pytest.mark.parametrize(
    ("answers", "level", "name", "applied"),
    [
        # stage 2 all 5; stage 3 ot 5, rskm N/A (met); stage 4 qpm 3 not satisfied -> 3, though car (5) is
        ("cmmi-level-3", 3, "Defined", True),
        # stage 2: ma 4 not satisfied -> the lowest level, 1, though every higher area is satisfied
        ("cmmi-level-1", 1, "Initial", True),
        # stage 2 satisfied; stage 3: ot 2 not satisfied -> 2
        ("cmmi-level-2", 2, "Managed", True),
        # every stage satisfied (rskm N/A) -> 5; nothing to lower
        ("cmmi-level-5", 5, "Optimizing", False),
    ],
)
def test_cmmi_staged_maturity_level(answers, level, name, applied):
    overall = run("cmmi-staged", answers).overall
    assert overall.raw_value == pytest.approx(5.0)  # the highest area rating in every answer set is 5
    assert overall.level == level
    assert overall.level_name == name
    # Rules hold levels, not values: the value stays what the answers give, the level is held by the staged rule.
    assert overall.value == pytest.approx(5.0)
    assert overall.raw_level == 5
    assert (overall.held_level, overall.held_by) == ((level, ("maturity-level",)) if applied else (None, ()))
    assert adjustments(overall) == [("maturity-level", 5, level, applied)]


def test_cmmi_na_area_takes_no_part_in_its_domain():
    result = run("cmmi-staged", "cmmi-level-3")
    assert result.question("rskm").status == "na"
    assert result.domain("ml3").value == pytest.approx(5.0)  # max(5), rskm left out
    assert result.domain("ml4").value == pytest.approx(3.0)  # qpm 3; the overall rule leaves domains alone


# --- CQC count-based aggregation (1 Inadequate, 2 Requires improvement, 3 Good, 4 Outstanding) ---------------
# five key questions, one rating each; overall starts at the best rating (highest_rung), then in order:
#   two-inadequate: cap at 1 when at least 2 key questions are at 1
#   outstanding:    4 needs at least 2 at 4 and none below 3
#   good:           3 needs none below 2 and at most one at 2


@pytest.mark.parametrize(
    ("answers", "level", "steps"),
    [
        # 4, 4, 3, 3, 3: raw 4; no 1s; two 4s and none below 3; none below 2, no 2s -> Outstanding
        ("cqc-outstanding", 4, [("two-inadequate", 4, 4, False), ("outstanding", 4, 4, False), ("good", 4, 4, False)]),
        # 4, 3, 3, 3, 3: raw 4; only one 4 -> 3; none below 2, no 2s -> Good
        (
            "cqc-one-outstanding",
            3,
            [("two-inadequate", 4, 4, False), ("outstanding", 4, 3, True), ("good", 3, 3, False)],
        ),
        # 4, 4, 3, 3, 2: raw 4; two 4s but one below 3 -> 3; none below 2, one 2 -> Good
        ("cqc-good-one-ri", 3, [("two-inadequate", 4, 4, False), ("outstanding", 4, 3, True), ("good", 3, 3, False)]),
        # 3, 2, 3, 2, 3: raw 3; the outstanding gate holds the level at 3, where it is; two 2s -> Requires
        # improvement
        ("cqc-two-ri", 2, [("two-inadequate", 3, 3, False), ("outstanding", 3, 3, True), ("good", 3, 2, True)]),
        # 4, 3, 3, 1, 3: raw 4; one 1 is not two; one 4 -> 3; one below 2 -> Requires improvement
        ("cqc-one-inadequate", 2, [("two-inadequate", 4, 4, False), ("outstanding", 4, 3, True), ("good", 3, 2, True)]),
        # 3, 1, 1, 3, 4: raw 4; two 1s -> Inadequate; the gates then have nothing to hold back
        (
            "cqc-two-inadequate",
            1,
            [("two-inadequate", 4, 1, True), ("outstanding", 1, 1, False), ("good", 1, 1, False)],
        ),
    ],
)
def test_cqc_count_based_aggregation(answers, level, steps):
    overall = run("cqc-aggregation", answers).overall
    assert overall.level == level
    # The value is the best rating (highest_rung), which the rules judge but never change.
    assert overall.value == overall.raw_value
    assert overall.held_level == (level if level < overall.raw_level else None)
    # The rules whose limit is the final level hold it there.
    assert overall.held_by == tuple(rule for rule, _, after, applied in steps if applied and after == level)
    assert adjustments(overall) == steps


def test_cqc_two_inadequate_keeps_the_raw_value_and_names_the_rating():
    overall = run("cqc-aggregation", "cqc-two-inadequate").overall
    assert overall.raw_value == pytest.approx(4.0)  # max(3, 1, 1, 3, 4)
    assert overall.level_name == "Inadequate"
    assert run("cqc-aggregation", "cqc-good-one-ri").overall.level_name == "Good"


# --- DSPT: Standards Met (3) only when every mandatory (critical) item is complete (3) ------------------------
# data-security: ds1*, ds2*, ds3; staff-training: st1*, st2*, st3 (* mandatory); highest_rung throughout


def test_dspt_standards_met_when_every_mandatory_item_is_complete():
    overall = run("dspt", "dspt-met").overall
    # raw max over every item = 3; mandatory ds1, ds2, st1, st2 all 3 -> none below 3 -> holds
    # (ds3 at 1 and st3 at 2 are not mandatory and do not count)
    assert overall.level == 3
    assert overall.level_name == "Met"
    assert adjustments(overall) == [("all-mandatory", 3, 3, False)]


def test_dspt_one_incomplete_mandatory_item_holds_the_status_below_met():
    overall = run("dspt", "dspt-not-met").overall
    # raw 3 (every other item complete); st1 mandatory at 2 -> one below 3 -> the level just below 3
    assert overall.raw_value == pytest.approx(3.0)
    assert overall.level == 2
    assert overall.value == pytest.approx(3.0)  # the value is the answers'; the gate holds the level
    assert (overall.raw_level, overall.held_level, overall.held_by) == (3, 2, ("all-mandatory",))
    assert overall.level_name == "Partly met"
    assert adjustments(overall) == [("all-mandatory", 3, 2, True)]


# --- CQC single assessment framework style: summed evidence-category scores as a percentage of the maximum,
#     mapped to Inadequate [0, 39), Requires improvement [39, 63), Good [63, 88), Outstanding [88, 100].
#     The scale is 0-4 (0 never used), so percent = 100 * value / 4 = sum / maximum, as CQC computes it. --------
# qs-a 3, 3, 3, 2;  qs-b 2, 2, 1, 2;  qs-c 4, 4, 4, 3;  qs-d 1, 2, 1, 2 (each category weight 1, statement weight 4)


@pytest.mark.parametrize(
    ("domain", "points", "percent", "band", "position", "third"),
    [
        # 1*3/4 + 1*3/4 + 1*3/4 + 1*2/4 = 11/4 = 2.75 of 4; 68.75 % (11/16); (68.75 - 63) / 25 = 0.23
        ("qs-a", 2.75, 68.75, "good", 0.23, "lower"),
        # 7/4 = 1.75 of 4; 43.75 % (7/16); (43.75 - 39) / 24 = 0.197917
        ("qs-b", 1.75, 43.75, "requires-improvement", 0.197917, "lower"),
        # 15/4 = 3.75 of 4; 93.75 % (15/16); (93.75 - 88) / 12 = 0.479167
        ("qs-c", 3.75, 93.75, "outstanding", 0.479167, "middle"),
        # 6/4 = 1.5 of 4; 37.5 % (6/16); 37.5 / 39 = 0.961538
        ("qs-d", 1.5, 37.5, "inadequate", 0.961538, "upper"),
    ],
)
def test_cqc_saf_quality_statement_score_and_band(domain, points, percent, band, position, third):
    d = run("cqc-saf", "cqc-saf").domain(domain)
    assert (d.points, d.max_points) == pytest.approx((points, 4.0))
    assert d.value == pytest.approx(points)  # weights 1: the value on the 0-4 scale equals the points
    assert d.percent == pytest.approx(percent)
    assert (d.band.id, d.band.position, d.band.third) == (band, pytest.approx(position, abs=1e-6), third)


def test_cqc_saf_overall_points_are_the_sum_of_every_category():
    overall = run("cqc-saf", "cqc-saf").overall
    # points: each statement weighs 4 = the sum of its categories' weights, so overall points
    # = 4*2.75/4 + 4*1.75/4 + 4*3.75/4 + 4*1.5/4 = 2.75 + 1.75 + 3.75 + 1.5 = 9.75 of 16 (= 39/4, every category)
    assert (overall.points, overall.max_points) == pytest.approx((9.75, 16.0))
    # value: (4*2.75 + 4*1.75 + 4*3.75 + 4*1.5) / 16 = 2.4375; percent 100 * 2.4375 / 4 = 60.9375 = 39/64
    assert overall.value == pytest.approx(2.4375)
    assert overall.percent == pytest.approx(60.9375)
    # Requires improvement, (60.9375 - 39) / 24 = 21.9375 / 24 = 0.9140625: upper
    assert (overall.band.id, overall.band.name) == ("requires-improvement", "Requires improvement")
    assert overall.band.position == pytest.approx(0.9140625)
    assert overall.band.third == "upper"
