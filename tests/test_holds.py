"""Rules hold levels, not progress (issue 12, item 4): golden numbers worked by hand.

A cap, gate or staged rule in force holds the level at its limit (lowers it there, or keeps it there) and records
the level it holds and the rules holding it; the value stays what the answers give. Rankings, quartiles, trends and
"since last time" use the value, with the held level beside it.

Fixture rubric tests/data/scoring/rubrics/held-gate.yaml: one domain, questions q1, q2, q3 weighted 10, 11, 12
(33 in all), scale 1-5, floor levels; an overall gate "q1-first": level 4 or above only if q1 is at 3 or above;
bands on the value that cut across the levels: Low [1, 3.5), Middle [3.5, 4.5), High [4.5, 5].
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from qimaturity import compare, explain, load_assessment, load_rubric, score
from qimaturity.report.render import render_cohort_html, render_html

from .conftest import (
    EXAMPLES_1_1,
    QI_READINESS_1_1,
    SCORING_ANSWERS,
    SCORING_RUBRICS,
    adjustments,
    run_main,
    run_scoring,
)

HELD = load_rubric(SCORING_RUBRICS / "held-gate.yaml")
RIVERSIDE = EXAMPLES_1_1 / "riverside-community.yaml"


def held(name: str):
    return run_scoring("held-gate", name)


# --- Riverside: 3.08 is not shown as 3.00 ---------------------------------------------------------------------
# Domains (weights 1.5, 1.5, 1, 1, 1, 1), each worked question by question in tests/test_pooling.py: 86/27,
# 23/7, 46/15, 49/18, 73/24, 64/21 -> over 2520: 1.5 x 86/27 = 12040, 1.5 x 23/7 = 12420, 7728, 6860, 7665, 7680,
# sum 54393 / 2520 / 7 = 54393/17640 = 18131/5880 = 3.0835 -> level 3 (floor).
# The gate no-weak-domain-for-embedded (level 4 only with no domain below 3) is in force, culture being at 2
# (49/18 = 2.72): it holds the level at 3, where it already is. Before issue 12 it also set the value to 3.00.


def test_riverside_keeps_its_value_with_the_level_held_at_3():
    overall = score(load_rubric(QI_READINESS_1_1), load_assessment(RIVERSIDE, load_rubric(QI_READINESS_1_1))).overall
    assert overall.value == pytest.approx(18131 / 5880)
    assert overall.value == overall.raw_value
    assert (overall.level, overall.raw_level, overall.held_level) == (3, 3, 3)
    assert overall.held_by == ("no-weak-domain-for-embedded",)
    assert overall.band is not None and overall.band.name == "Developing"
    assert overall.band.position == pytest.approx(18131 / 5880 - 3)  # (3.0835 - 3) / (4 - 3), not 0


def test_riverside_outputs_show_the_value_and_the_held_level():
    table = run_main("score", str(QI_READINESS_1_1), str(RIVERSIDE))
    assert table.returncode == 0, table.stderr
    assert "3.08, held at level 3 by: no-weak-domain-for-embedded" in table.stdout
    assert "3.00" not in table.stdout.split("Overall")[1].splitlines()[0]
    data = json.loads(run_main("score", str(QI_READINESS_1_1), str(RIVERSIDE), "--format", "json").stdout)["overall"]
    # In full (JSON carries every float): the weighted mean above is 18131/5880 exactly.
    assert data["value"] == data["raw_value"] == 18131 / 5880
    assert (data["level"], data["raw_level"], data["held_level"], data["held_by"]) == (
        3,
        3,
        3,
        ["no-weak-domain-for-embedded"],
    )
    words = explain(score(load_rubric(QI_READINESS_1_1), load_assessment(RIVERSIDE, load_rubric(QI_READINESS_1_1))))
    assert "  3.0835, held at level 3 by: no-weak-domain-for-embedded" in words
    rubric = load_rubric(QI_READINESS_1_1)
    page = render_html(score(rubric, load_assessment(RIVERSIDE, rubric)), rubric)
    # The report says it in words (the rule's id and "held at level" are for the method appendix and explain): the
    # 1.1.0 rule has no sentence of its own, so the report writes one from the gate (level 4, no domain below 3).
    summary = page.split('id="summary"')[1].split('id="overview"')[0]
    assert "3.08; likely between" in summary
    assert "The overall result cannot reach Embedded while any domain is below Developing." in summary
    assert "no-weak-domain-for-embedded" not in page.split('id="method"')[0]


@pytest.mark.slow
def test_the_results_csv_and_workbook_give_the_held_level_and_the_rules(tmp_path):
    # Riverside, as above: the overall level held at 3 by no-weak-domain-for-embedded. Method and measurement
    # (64/21 = 3.05, level 3) is held there too, by critical-items-cap: its critical met-milestone-reviews is at 2.
    # No rule holds the other domains.
    done = run_main("score", str(QI_READINESS_1_1), str(RIVERSIDE), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = [r for r in csv.DictReader(io.StringIO(done.stdout)) if r["scope"] in ("overall", "domain")]
    assert [(r["id"], r["level"], r["held_level"], r["held_by"]) for r in rows if r["held_level"]] == [
        ("overall", "3", "3", "no-weak-domain-for-embedded"),
        ("method-measurement", "3", "3", "critical-items-cap"),
    ]
    assert len(rows) == 7 and rows[1]["held_by"] == ""
    out = tmp_path / "riverside.xlsx"
    assert run_main("score", str(QI_READINESS_1_1), str(RIVERSIDE), "-o", str(out)).returncode == 0
    sheet = load_workbook(out, read_only=True)["Results"]
    header, overall = [list(r) for r in sheet.iter_rows(min_row=1, max_row=2, values_only=True)]
    assert dict(zip(header, overall, strict=True))["held_level"] == 3  # a number cell
    assert dict(zip(header, overall, strict=True))["held_by"] == "no-weak-domain-for-embedded"


def test_score_export_records_a_hold_where_the_level_already_is(tmp_path):
    # held-gate, one respondent each: beta (q1 1, q2 5, q3 5) 125/33 = 3.79, level 3, the gate holding it where it
    # is; lowered (2, 5, 5) 135/33 = 4.09, level 4 lowered to 3; low (1, 1, 1) 1, level 1 below the gate's limit 3:
    # nothing held. The export engine settles without explanations and skips a rule that cannot change a number:
    # it must still see that the gate holds beta's level at 3.
    export = tmp_path / "survey.csv"
    export.write_text("organisation_id,q1,q2,q3\nbeta,1,5,5\nlowered,2,5,5\nlow,1,1,1\n", encoding="utf-8")
    done = run_main("score-export", str(SCORING_RUBRICS / "held-gate.yaml"), str(export))
    assert done.returncode == 0, done.stderr
    overall = {r["organisation_id"]: r for r in csv.DictReader(io.StringIO(done.stdout)) if r["scope"] == "overall"}
    assert {org: (r["value"], r["level"], r["held_level"], r["held_by"]) for org, r in overall.items()} == {
        "beta": (str(125 / 33), "3", "3", "q1-first"),
        "lowered": (str(135 / 33), "3", "3", "q1-first"),
        "low": ("1", "1", "", ""),
    }


# --- a rule that keeps the level where it is, and one that lowers it ------------------------------------------


def test_a_gate_keeps_the_level_at_3_without_flattening_the_value():
    overall = held("held-beta-2026").overall
    # q1 1, q2 5, q3 5: (10 x 1 + 11 x 5 + 12 x 5) / 33 = 125 / 33 = 3.7879 -> level 3; q1 below 3 -> the gate
    # holds the level at 3, where it is; the value stays 3.7879 (band Middle, position 3.7879 - 3.5 = 0.2879)
    assert overall.value == pytest.approx(125 / 33)
    assert (overall.level, overall.raw_level, overall.held_level, overall.held_by) == (3, 3, 3, ("q1-first",))
    assert adjustments(overall) == [("q1-first", 3, 3, True)]
    assert "level held at 3" in overall.trace.adjustments[0].description
    assert overall.band is not None
    assert (overall.band.name, overall.band.third) == ("Middle", "lower")
    assert overall.band.position == pytest.approx(125 / 33 - 3.5)


def test_a_gate_that_lowers_the_level_keeps_the_value_and_names_the_band_of_the_held_level():
    overall = held("held-lowered").overall
    # q1 2, q2 5, q3 5: (20 + 55 + 60) / 33 = 135 / 33 = 4.0909 -> level 4; q1 below 3 -> lowered to 3
    assert overall.value == pytest.approx(135 / 33)
    assert (overall.level, overall.raw_level, overall.held_level) == (3, 4, 3)
    # Held at level 3, whose values end at 4, it is named at most as the values just below 4 are: Middle
    # [3.5, 4.5) at 4, position (4 - 3.5) / (4.5 - 3.5) = 0.5. (The level's own value, 3, would be Low: a band
    # below the one 3.79, unheld, is in, so raising q1 from 1 to 2 would lower the band.)
    assert overall.band is not None
    assert (overall.band.name, overall.band.position, overall.band.third) == ("Middle", 0.5, "middle")
    assert overall.percent == pytest.approx(100 * (135 / 33 - 1) / 4)  # the percentage is the value's


def test_a_rule_in_force_below_the_level_holds_nothing():
    # q1 1, q2 1, q3 1: 33 / 33 = 1 -> level 1; the gate (limit 3) is in force but the level is below its limit
    rubric = HELD
    result = score(
        rubric,
        load_assessment(
            {
                "rubric": {"id": "held-gate"},
                "organisation": {"id": "x", "name": "X"},
                "answers": {"q1": 1, "q2": 1, "q3": 1},
            },
            rubric,
        ),
    ).overall
    assert (result.value, result.level, result.held_level, result.held_by) == (1.0, 1, None, ())
    assert adjustments(result) == [("q1-first", 1, 1, False)]


# --- cohorts: ranking, quartiles and changes on the value -------------------------------------------------------
# alpha (2026): q1 1, q2 5, q3 3 -> (10 + 55 + 36) / 33 = 101 / 33 = 3.0606, held at 3
# beta (2025):  the same answers -> 3.0606, held at 3;  beta (2026): 125 / 33 = 3.7879, held at 3
# Before issue 12 all three showed 3.00, so the ranking fell back to names (Alpha first) and beta's change was 0.


def cohort():
    files = [SCORING_ANSWERS / f"{name}.yaml" for name in ("held-alpha", "held-beta-2025", "held-beta-2026")]
    return compare(HELD, files, min_cohort=1)


def test_two_results_held_at_level_3_rank_by_value_not_by_name():
    members = cohort().members
    assert [(m.organisation_id, m.rank) for m in members] == [("beta", 1), ("alpha", 2)]
    assert [m.score for m in members] == pytest.approx([125 / 33, 101 / 33])
    assert [(m.overall_level, m.overall_held) for m in members] == [(3, 3), (3, 3)]


def test_quartiles_use_the_values_of_held_results():
    stats = cohort().everyone.overall
    assert stats is not None
    # two values, 101/33 and 125/33: inclusive quartiles q1 = 101/33 + (24/33)/4, median = 113/33, q3 = ... + 3/4
    assert (stats.minimum, stats.maximum) == pytest.approx((101 / 33, 125 / 33))
    assert stats.median == pytest.approx(113 / 33)
    assert (stats.q1, stats.q3) == pytest.approx((101 / 33 + 6 / 33, 101 / 33 + 18 / 33))
    assert stats.levels == ((3, 2),)


def test_the_change_since_last_time_is_the_values_change_with_the_held_levels_beside_it():
    (trend,) = cohort().trends
    assert trend.organisation_id == "beta"
    overall = trend.overall
    assert overall is not None
    # 125/33 - 101/33 = 24/33 = 0.7273: improved, though both levels are held at 3
    assert overall.change == pytest.approx(24 / 33)
    assert overall.direction == "improved"
    assert (overall.levels, overall.held) == ((3, 3), (3, 3))
    (domain,) = trend.domains
    assert domain.change == pytest.approx(24 / 33)  # the domain is not held: the gate is an overall rule
    assert domain.held == (None, None)


def test_the_cohort_outputs_mark_held_levels():
    result = run_main(
        "compare",
        str(SCORING_RUBRICS / "held-gate.yaml"),
        *(str(SCORING_ANSWERS / f"{n}.yaml") for n in ("held-alpha", "held-beta-2025", "held-beta-2026")),
        "--min-cohort",
        "1",
        "--all",
    )
    assert result.returncode == 0, result.stderr
    ranking = result.stdout.split("Ranking")[1]
    assert ranking.index("Beta Trust") < ranking.index("Alpha Trust")
    assert "3.79" in ranking and "3.06" in ranking and "3 held" in ranking
    page = render_cohort_html(cohort(), HELD)
    assert "3 held" in page


def test_the_gap_report_shows_the_change_on_values():
    rubric = HELD
    earlier = held("held-beta-2025")
    page = render_html(held("held-beta-2026"), rubric, history=[earlier])
    summary = page.split('id="summary"')[1].split('id="overview"')[0]
    assert "3.79" in summary
    # The gate at 4 on q1 (at least 3), in words: q1 is at 2 in Beta's 2026 answers.
    assert "The overall result cannot reach Embedded while the question “Question q1” is below Developing." in summary
    assert "q1-first" not in page.split('id="method"')[0]
    # the domain (not held) improved from 3.06 to 3.79
    assert "from 3.06 to 3.79, level 3 to level 3" in page
    assert "→" not in page.split('id="method"')[0] and "->" not in page.split('id="method"')[0]  # words, no arrows


def test_every_answer_raised_on_the_held_gate_lowers_no_value_level_or_band():
    """Exhaustively, on the held-gate fixture (5 x 5 x 5 answer sets, each question raised by one level): the value,
    the level and the band never go down, though the gate lowers and holds levels and its bands cut across them."""
    bands = [band.id for band in HELD.bands.items] if HELD.bands else []

    def overall(levels: tuple[int, int, int]):
        document = {"rubric": {"id": "held-gate"}, "organisation": {"id": "x", "name": "X"}}
        document["answers"] = dict(zip(("q1", "q2", "q3"), levels, strict=True))  # type: ignore[assignment]
        node = score(HELD, load_assessment(document, HELD)).overall
        assert node.band is not None
        return node.value, node.level, bands.index(node.band.id)

    results = {(a, b, c): overall((a, b, c)) for a in range(1, 6) for b in range(1, 6) for c in range(1, 6)}
    for answers, before in results.items():
        for index in range(3):
            if answers[index] == 5:
                continue
            raised = tuple(v + 1 if i == index else v for i, v in enumerate(answers))
            after = results[raised]
            assert all(a >= b - 1e-12 for a, b in zip(after, before, strict=True)), (answers, raised, before, after)
