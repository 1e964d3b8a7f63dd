"""How sure a value is, and whether a change beats the noise (qimaturity.scoring.intervals).

The goldens are worked by hand in the comments; docs/scoring.md ("How sure a value is") gives the method.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
import tempfile
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import qimaturity
from qimaturity.scoring.intervals import (
    MEDIAN_FACTOR,
    NO_MOMENTS,
    change_direction,
    grid_bits,
    mean_and_deviations,
    merged_moments,
    moments_of,
    t95,
)
from qimaturity.scoring.result import Interval

from .conftest import run_main

LEVELS = [{"value": v, "name": f"L{v}", "descriptor": f"Level {v}."} for v in range(1, 6)]


def rubric_yaml(aggregate: str = "mean", mid: float | None = None) -> dict[str, Any]:
    """One domain of two questions of weight 1 on a 1-5 scale; the overall is that domain."""

    def question(qid: str) -> dict[str, Any]:
        levels = [{"level": v, "descriptor": f"At {v}.", "next_step": f"Reach {v + 1}."} for v in range(1, 5)]
        return {"id": qid, "text": f"Question {qid}.", "levels": [*levels, {"level": 5, "descriptor": "At 5."}]}

    scoring: dict[str, Any] = {"respondents": {"aggregate": aggregate}}
    if mid is not None:
        scoring["minimal_important_difference"] = mid
    return {
        "id": "noise",
        "version": "1.0",
        "title": "Noise",
        "levels": LEVELS,
        "respondent_groups": [{"id": "staff", "name": "Staff"}],
        "domains": [{"id": "d", "title": "Domain", "questions": [question("q1"), question("q2")]}],
        "scoring": scoring,
    }


def answers(pairs: list[tuple[int, int]], date: str = "2026-09-30", org: str = "rx1") -> dict[str, Any]:
    return {
        "rubric": {"id": "noise", "version": "1.0"},
        "organisation": {"id": org, "name": f"Trust {org}"},
        "date": date,
        "respondents": [
            {"id": f"r{i}", "group": "staff", "answers": {"q1": a, "q2": b}} for i, (a, b) in enumerate(pairs, start=1)
        ],
    }


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@cache
def noise_rubric(aggregate: str) -> qimaturity.Rubric:
    with tempfile.TemporaryDirectory() as folder:
        return qimaturity.load_rubric(write(Path(folder), "noise.yaml", rubric_yaml(aggregate)))


def scored(pairs: list[tuple[int, int]], aggregate: str = "mean") -> qimaturity.Result:
    rubric = noise_rubric(aggregate)
    return qimaturity.score(rubric, qimaturity.load_assessment(answers(pairs), rubric))


FIVE = [(3, 3), (3, 4), (4, 4), (2, 3), (3, 3)]


def test_a_mean_of_five_respondents_has_the_t_interval_of_their_own_scores():
    # q1 = mean(3, 3, 4, 2, 3) = 3, q2 = mean(3, 4, 4, 3, 3) = 3.4; the domain value (1×3 + 1×3.4) / 2 = 3.2.
    # The respondents' own scores: 3, 3.5, 4, 2.5, 3 (mean 3.2). Deviations -0.2, 0.3, 0.8, -0.7, -0.2; squares sum
    # to 0.04 + 0.09 + 0.64 + 0.49 + 0.04 = 1.30; s² = 1.30 / 4 = 0.325; SE = √(0.325 / 5) = √0.065 = 0.25495.
    # t(0.975, 4) = 2.776, so 3.2 ± 2.776 × 0.25495 = 3.2 ± 0.70774: from 2.49226 to 3.90774.
    result = scored(FIVE)
    domain = result.domain("d")
    assert domain.raw_value == pytest.approx(3.2)
    assert domain.interval == Interval(
        pytest.approx(3.2 - 2.776 * math.sqrt(0.065)), pytest.approx(3.2 + 2.776 * math.sqrt(0.065)),
        pytest.approx(math.sqrt(0.065)), 5,
    )  # fmt: skip
    assert (round(domain.interval.low, 5), round(domain.interval.high, 5)) == (2.49226, 3.90774)
    assert result.overall.interval == domain.interval  # one domain: the overall scores are the domain's


def test_a_median_widens_the_interval_by_the_root_of_half_pi():
    # The medians: q1 = median(3, 3, 4, 2, 3) = 3, q2 = median(3, 4, 4, 3, 3) = 3, so the value is 3.0; the
    # respondents' scores are as above (SE of their mean 0.254951), times √(π/2) = 1.253314 for a median: 0.319534.
    # 3.0 ± 2.776 × 0.319534 = 3.0 ± 0.887025: from 2.112975 to 3.887025.
    interval = scored(FIVE, "median").domain("d").interval
    assert interval is not None
    assert interval.standard_error == pytest.approx(MEDIAN_FACTOR * math.sqrt(0.065))
    assert (round(interval.low, 6), round(interval.high, 6)) == (2.112975, 3.887025)


def test_an_interval_stays_within_the_scale():
    # Scores 1 and 5 (mean 3, s² = 8, SE = √(8/2) = 2): 3 ± 12.706 × 2 reaches far past both ends; kept to 1 and 5.
    interval = scored([(1, 1), (5, 5)]).domain("d").interval
    assert interval is not None and (interval.low, interval.high, interval.standard_error) == (1.0, 5.0, 2.0)


def test_one_respondent_or_a_min_aggregate_gives_no_interval():
    assert scored([(3, 4)]).domain("d").interval is None
    assert scored(FIVE, "min").domain("d").interval is None


def test_the_t_quantiles_match_the_table_and_approach_the_normal():
    assert (t95(1), t95(4), t95(9), t95(30)) == (12.706, 2.776, 2.262, 2.042)
    assert t95(31) == pytest.approx(2.0395, abs=1e-3)  # the exact quantile is 2.03951
    assert t95(120) == pytest.approx(1.9799, abs=1e-3)
    assert t95(10**6) == pytest.approx(1.95996, abs=1e-4)


# ---- changes -----------------------------------------------------------------------------------------------


def ten(error: float) -> Interval:
    """An interval from ten respondents with this standard error (its bounds do not enter a change)."""
    return Interval(0.0, 5.0, error, 10)


def test_a_change_of_three_thousandths_with_ten_respondents_is_no_clear_change():
    # Ten respondents spread with s = 0.8 give SE = 1.25331 × 0.8 / √10 = 0.317066 for a median. The change
    # 3.401 - 3.398 = 0.003 has SE √(2 × 0.317066²) = 0.448399 and t(0.975, 9) = 2.262: 0.003 ± 1.014279, from
    # -1.011279 to 1.017279, which holds zero. Before, any change above 1e-9 was "improved".
    error = MEDIAN_FACTOR * 0.8 / math.sqrt(10)
    change = change_direction(3.398, 3.401, ten(error), ten(error))
    assert change.direction == "no clear change"
    assert change.change == pytest.approx(0.003)
    assert change.low == pytest.approx(0.003 - 2.262 * math.sqrt(2) * error)
    assert round(change.low, 6) == -1.011279 and round(change.high, 6) == 1.017279


def test_a_real_change_with_ten_respondents_is_improved_or_declined():
    # The same noise; 2.1 -> 3.9 is +1.8 ± 1.014279: from 0.785721, above zero, so improved; the reverse declined.
    error = MEDIAN_FACTOR * 0.8 / math.sqrt(10)
    assert change_direction(2.1, 3.9, ten(error), ten(error)).direction == "improved"
    assert change_direction(3.9, 2.1, ten(error), ten(error)).direction == "declined"


def test_a_change_at_the_minimal_important_difference_counts_even_within_the_noise():
    error = MEDIAN_FACTOR * 0.8 / math.sqrt(10)
    assert change_direction(3.0, 3.5, ten(error), ten(error)).direction == "no clear change"
    assert change_direction(3.0, 3.5, ten(error), ten(error), 0.5).direction == "improved"
    assert change_direction(3.5, 3.0, ten(error), ten(error), 0.5).direction == "declined"
    assert change_direction(3.0, 3.4, ten(error), ten(error), 0.5).direction == "no clear change"


def test_without_an_interval_any_change_counts_as_before():
    # One assessor's judgement has no sampling noise: 3.0 -> 3.1 is improved, 3.0 -> 3.0 no clear change.
    assert change_direction(3.0, 3.1, None, ten(0.1)).direction == "improved"
    assert change_direction(3.0, 3.0, None, None).direction == "no clear change"
    assert change_direction(None, 3.0, None, None).direction == "not comparable"


def test_compare_calls_a_small_change_no_clear_change_and_a_large_one_improved(tmp_path):
    # rx1: ten respondents answer 3/3, with one answering 4/4 a year later (mean 3.0 -> 3.1, within the noise).
    # rx2: ten respondents at 2/2 and one at 3/3 move up to 4/4 and one at 5/5 (2.1 -> 4.1, far beyond it).
    rubric_path = write(tmp_path, "noise.yaml", rubric_yaml("mean"))
    folder = tmp_path / "answers"
    folder.mkdir()
    write(folder, "rx1-2025.yaml", answers([(3, 3)] * 9 + [(2, 2)], "2025-09-30", "rx1"))
    write(folder, "rx1-2026.yaml", answers([(3, 3)] * 9 + [(3, 3)], "2026-09-30", "rx1"))
    write(folder, "rx2-2025.yaml", answers([(2, 2)] * 9 + [(3, 3)], "2025-09-30", "rx2"))
    write(folder, "rx2-2026.yaml", answers([(4, 4)] * 9 + [(5, 5)], "2026-09-30", "rx2"))
    cohort = qimaturity.compare(qimaturity.load_rubric(rubric_path), folder)
    trends = {t.organisation_id: t.domains[0] for t in cohort.trends}
    # rx1: 2.9 -> 3.0. Scores 2025: nine 3s and a 2 (mean 2.9, s² = (9 × 0.01 + 0.81) / 9 = 0.1, SE = √0.01 = 0.1);
    # 2026: all 3 (SE 0). The change 0.1 ± t(9) × √(0.1² + 0²) = 0.1 ± 0.2262 holds zero.
    assert (trends["rx1"].change, trends["rx1"].direction) == (pytest.approx(0.1), "no clear change")
    # rx2: 2.1 -> 4.1 (SE 0.1 each): 2.0 ± 2.262 × √0.02 = 2.0 ± 0.319895, from 1.680105: improved.
    assert (trends["rx2"].change, trends["rx2"].direction) == (pytest.approx(2.0), "improved")
    assert trends["rx2"].change_low == pytest.approx(2.0 - 2.262 * math.sqrt(0.02))
    shown = run_main("compare", str(rubric_path), str(folder), "--all")
    assert shown.returncode == 0, shown.stderr
    assert "no clear change" in shown.stdout


def test_a_report_says_which_changes_are_clear(tmp_path):
    rubric_path = write(tmp_path, "noise.yaml", rubric_yaml("mean"))
    then = write(tmp_path, "then.yaml", answers([(3, 3)] * 9 + [(2, 2)], "2025-09-30"))
    now = write(tmp_path, "now.yaml", answers([(3, 3)] * 10, "2026-09-30"))
    out = tmp_path / "report.html"
    done = run_main("report", str(rubric_path), str(now), "--history", str(then), "-o", str(out))
    assert done.returncode == 0, done.stderr
    page = " ".join(out.read_text(encoding="utf-8").split())
    assert "<h3>No clear change</h3><ul><li>Domain: from 2.90 to 3.00</li></ul>" in page
    assert "No domain clearly improved." in page
    # The change's own interval: 0.1 ± 2.262 × 0.1 (as in the compare test), from -0.1262 to +0.3262.
    assert "<td>-0.13 and +0.33</td>" in page
    # The overall value and where it likely lies: all ten answered 3, so from 3 to 3.
    assert "<dd>3.00; likely between 3.00 and 3.00</dd>" in page  # two decimals throughout


def test_the_results_csv_carries_the_interval_and_score_export_with_intervals_the_same(tmp_path):
    # FIVE under a mean: the domain (and the overall, its only domain) 3.2, from 2.49226 to 3.90774, worked above.
    rubric_path = write(tmp_path, "noise.yaml", rubric_yaml("mean"))
    answers_path = write(tmp_path, "rx1.yaml", answers(FIVE))
    done = run_main("score", str(rubric_path), str(answers_path), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = {r["scope"]: r for r in csv.DictReader(io.StringIO(done.stdout)) if r["scope"] in ("overall", "domain")}
    for row in rows.values():
        # In full, as every number of the CSV: 3.2 - 2.776 x sqrt(0.065) = 2.49226...
        assert float(row["interval_low"]) == pytest.approx(3.2 - 2.776 * math.sqrt(0.065), abs=1e-12)
        assert float(row["interval_high"]) == pytest.approx(3.2 + 2.776 * math.sqrt(0.065), abs=1e-12)
        assert (round(float(row["interval_low"]), 5), round(float(row["interval_high"]), 5)) == (2.49226, 3.90774)
    # The same five respondents as a survey export: with --intervals the same columns (to 1e-12: Polars computes
    # the moments in its own order); without, none.
    export = tmp_path / "survey.csv"
    export.write_text(
        "organisation_id,respondent,group,q1,q2\n"
        + "".join(f"rx1,r{i},staff,{a},{b}\n" for i, (a, b) in enumerate(FIVE)),
        encoding="utf-8",
    )
    for flags in ([], ["--intervals"]):
        done = run_main("score-export", str(rubric_path), str(export), *flags)
        assert done.returncode == 0, done.stderr
        table = list(csv.DictReader(io.StringIO(done.stdout)))
        assert ("interval_low" in table[0]) == bool(flags)
        if flags:
            got = [(float(r["interval_low"]), float(r["interval_high"])) for r in table if r["scope"] == "domain"]
            assert got == [pytest.approx((2.4922600, 3.9077400), abs=1e-5)]
            assert got == [
                pytest.approx(
                    (float(rows["domain"]["interval_low"]), float(rows["domain"]["interval_high"])), abs=1e-12
                )
            ]


def test_a_value_without_an_interval_leaves_its_cells_empty(tmp_path):
    # One respondent: no interval (a judgement, not a sample); the question rows never have one.
    rubric_path = write(tmp_path, "noise.yaml", rubric_yaml("mean"))
    done = run_main("score", str(rubric_path), str(write(tmp_path, "one.yaml", answers([(3, 4)]))), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert {(r["interval_low"], r["interval_high"]) for r in csv.DictReader(io.StringIO(done.stdout))} == {("", "")}


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=12), st.randoms())
def test_an_interval_holds_its_value_and_does_not_depend_on_respondent_order(pairs, random):
    first = scored(pairs, "median")
    shuffled = list(pairs)
    random.shuffle(shuffled)
    again = scored(shuffled, "median")
    interval = first.domain("d").interval
    assert again.domain("d").interval == interval
    if interval is not None:
        assert interval.low <= first.domain("d").raw_value <= interval.high
        assert interval.low >= 1.0 and interval.high <= 5.0


def test_the_method_says_when_a_change_counts(tmp_path):
    from qimaturity.rubric.wording import scoring_lines

    plain = scoring_lines(noise_rubric("mean"))[-1]
    assert plain == "changes count as improved or declined when they beat the respondents' noise (95 % interval)"
    with_mid = qimaturity.load_rubric(write(tmp_path, "mid.yaml", rubric_yaml("mean", mid=0.5)))
    assert with_mid.scoring.minimal_important_difference == 0.5
    assert scoring_lines(with_mid)[-1] == plain + " or are at least 0.5"


def test_the_cohort_report_says_what_a_clear_change_is(tmp_path):
    rubric_path = write(tmp_path, "noise.yaml", rubric_yaml("mean"))
    folder = tmp_path / "answers"
    folder.mkdir()
    write(folder, "rx1-2025.yaml", answers([(3, 3)] * 9 + [(2, 2)], "2025-09-30", "rx1"))
    write(folder, "rx1-2026.yaml", answers([(3, 3)] * 10, "2026-09-30", "rx1"))
    out = tmp_path / "cohort.html"
    done = run_main("compare", str(rubric_path), str(folder), "--min-cohort", "1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    page = " ".join(out.read_text(encoding="utf-8").split())
    trends = page[page.index('id="trends"') :]
    assert 'otherwise it is "no clear change"' in trends
    assert "<td>no clear change</td>" in trends  # 2.9 -> 3.0 with SE 0.1 and 0: within the noise


def test_moments_are_exact_sums_on_a_grid_and_give_the_mean_and_squared_deviations():
    # Scores 3, 3.5, 4, 2.5, 3: mean 3.2, squared deviations 1.30 (worked in the five-respondent test above). On the
    # grid of 40 bits each score is score × 2^40 exactly (all are whole multiples of 1/2), so Σq = 16 × 2^40 and
    # Σq² = (9 + 12.25 + 16 + 6.25 + 9) × 2^80 = 52.5 × 2^80; (5 × 52.5 − 16²) / 5 = 6.5 / 5 = 1.3.
    step = 2**40
    moments = moments_of([3, 3.5, 4, 2.5, 3], 40)
    assert moments == (5, 16 * step, 52 * step * step + step * step // 2)
    assert mean_and_deviations(moments, 40) == (Fraction(16, 5), Fraction(13, 10))
    # Split as [3, 3.5] and [4, 2.5, 3], the parts' sums add up to the whole's.
    assert merged_moments([moments_of([3, 3.5], 40), NO_MOMENTS, moments_of([4, 2.5, 3], 40)]) == moments
    assert merged_moments([]) == NO_MOMENTS
    # A score that is no whole multiple of a grid step is taken rounded down: 1/3 × 2^40 = 366503875925.33...
    assert moments_of([1 / 3], 40) == (1, 366503875925, 366503875925**2)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(1, 5), min_size=1, max_size=40), st.data())
def test_moments_of_parts_merge_into_the_moments_of_the_whole_in_any_order(scores, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(scores)), max_size=4)))
    parts = [scores[a:b] for a, b in zip([0, *cuts], [*cuts, len(scores)], strict=True)]
    order = data.draw(st.permutations(range(len(parts))))
    merged = merged_moments([moments_of(parts[i], 40) for i in order])
    assert merged == moments_of(scores, 40)  # exactly, whatever the split and the order
    mean, deviations = mean_and_deviations(merged, 40)
    assert float(mean) == pytest.approx(statistics.fmean(scores), rel=1e-12)
    assert float(deviations) == pytest.approx(statistics.pvariance(scores) * len(scores), rel=1e-9, abs=1e-9)


def test_the_grid_is_coarser_only_for_scales_too_wide_for_128_bit_sums():
    # 40 bits while 2 × (40 + bits of the widest level) + 31 (up to 2^31 respondents) stays within 127.
    assert grid_bits(noise_rubric("mean")) == 40  # levels 1 to 5: 3 bits
    # A scale from -1000 to 1000 (only its ends count): 10 bits, so (96 − 2 × 10) // 2 = 38.
    assert grid_bits(cast(qimaturity.Rubric, SimpleNamespace(lowest=-1000, highest=1000))) == 38


def two_group_result(pooling: str, board_weight: float = 1.0, *, board: int = 2, staff: int = 4) -> qimaturity.Result:
    """The noise rubric with a board and staff: board members answer (4, 4), (5, 5), ...; staff (2, 2), (3, 3), ..."""
    document = rubric_yaml()
    board_group: dict[str, Any] = {"id": "board", "name": "Board"}
    if pooling == "groups":  # a weight counts (and is allowed) only there
        board_group["weight"] = board_weight
    document["respondent_groups"] = [
        board_group,
        {"id": "staff", "name": "Staff"},
    ]
    document["scoring"]["respondents"].update(pooling=pooling, min_group_size=1)
    people = [("board", 4 + i % 2) for i in range(board)] + [("staff", 2 + i % 2) for i in range(staff)]
    with tempfile.TemporaryDirectory() as folder:
        rubric = qimaturity.load_rubric(write(Path(folder), "noise.yaml", document))
    answers_document = answers([])
    answers_document["respondents"] = [
        {"id": f"r{i}", "group": group, "answers": {"q1": level, "q2": level}}
        for i, (group, level) in enumerate(people)
    ]
    return qimaturity.score(rubric, qimaturity.load_assessment(answers_document, rubric))


def test_under_groups_pooling_the_interval_is_a_stratified_mean_of_within_group_spread():
    # Board 4 and 5 (mean 4.5, squared deviations 0.25 + 0.25 = 0.5); staff 2, 3, 2, 3 (mean 2.5, m2 4 × 0.25 = 1).
    # Groups pooling, equal weights: value (4.5 + 2.5) / 2 = 3.5. Pooled within-group variance s² = (0.5 + 1) /
    # (6 − 2) = 0.375 on 4 degrees of freedom; SE² = s² × ((1/2)² / 2 + (1/2)² / 4) = 0.375 × 0.1875 = 0.0703125,
    # SE = 0.2651650; 3.5 ± 2.776 × 0.2651650 = 3.5 ± 0.7360982: from 2.763902 to 4.236098.
    interval = two_group_result("groups").domain("d").interval
    assert interval is not None and interval.respondents == 6
    assert interval.standard_error == pytest.approx(math.sqrt(0.0703125))
    assert (round(interval.low, 6), round(interval.high, 6)) == (2.763902, 4.236098)
    # Board weight 2: value (2 × 4.5 + 2.5) / 3 = 3.8333; SE² = 0.375 × ((2/3)² / 2 + (1/3)² / 4) = 0.375 × 0.25
    # = 0.09375, SE = 0.306186, half-width 2.776 × 0.306186 = 0.849973.
    weighted = two_group_result("groups", board_weight=2.0).domain("d")
    assert weighted.raw_value == pytest.approx(11.5 / 3)
    assert weighted.interval.standard_error == pytest.approx(math.sqrt(0.09375))
    assert weighted.interval.high - weighted.raw_value == pytest.approx(2.776 * math.sqrt(0.09375))


def test_under_respondents_pooling_the_difference_between_groups_widens_the_interval():
    # All six together: scores 4, 5, 2, 3, 2, 3, mean 19/6; squared deviations sum to 6.8333 (41/6), s² = 41/30,
    # SE = √(41/30 / 6) = 0.477261 on 5 degrees of freedom: half-width 2.571 × 0.477261 = 1.227039, wider than the
    # groups' 0.736 because the board-versus-staff difference counts as spread here.
    interval = two_group_result("respondents").domain("d").interval
    assert interval is not None and interval.standard_error == pytest.approx(math.sqrt(41 / 30 / 6))
    assert interval.high - 19 / 6 == pytest.approx(2.571 * math.sqrt(41 / 180))


def test_under_groups_pooling_one_respondent_in_each_group_gives_no_interval():
    # Two respondents in two groups: no spread within any group to measure (n − G = 0 degrees of freedom).
    assert two_group_result("groups", board=1, staff=1).domain("d").interval is None
    assert two_group_result("respondents", board=1, staff=1).domain("d").interval is not None


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["board", "managers", "frontline", "patient-partners", None]), st.integers(0, 9)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["weighted_mean", "mean", "weighted_sum"]),
    st.sampled_from(["weighted_mean", "mean", "weighted_sum"]),
    st.randoms(use_true_random=False),
)
def test_moments_added_as_met_are_those_of_each_respondents_scores(people, by_questions, by_domains, random):
    # The respondents' scores added up question by question as they are met (most rubrics) must give the moments,
    # to the bit and with the groups in the same order, that the scores worked out one by one give (any rubric).
    import dataclasses

    from qimaturity.scoring.intervals import respondent_moments, scored_moments

    base = qimaturity.load_rubric("qi-readiness")
    rubric = dataclasses.replace(
        base, scoring=dataclasses.replace(base.scoring, questions=by_questions, domains=by_domains)
    )
    questions = list(rubric.questions())
    levels: dict[str, list[tuple[str, int]]] = {}
    groups: dict[str, str | None] = {}
    for index, (group, seed) in enumerate(people):
        respondent = f"r{(index * 7 + seed) % 11}-{index}"
        groups[respondent] = group
        for question in random.sample(questions, k=random.randint(0, len(questions))):
            levels.setdefault(question.id, []).append((respondent, random.randint(1, 5)))
    fast, general = respondent_moments(rubric, levels, groups), scored_moments(rubric, levels, groups)
    assert [(scope, list(by_group.items())) for scope, by_group in fast.items()] == [
        (scope, list(by_group.items())) for scope, by_group in general.items()
    ]
