"""`sum` aggregation and bands on whole-number totals (issue 12, item 10): golden numbers worked by hand.

Fixture tests/data/rubrics/phq9-shaped.yaml: nine items scored 0-3 (levels 0..3, weight 1), questions and domains
summed, so the one domain's total and the overall total are the same number, 0 to 27; bands on totals, both ends
in: Minimal 0-4, Mild 5-9, Moderate 10-14, Moderately severe 15-19, Severe 20-27. A total has no level; its band
names it. A total between two whole numbers (a median of an even number of answers) belongs with the lower one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qimaturity import explain, load_assessment, load_rubric, score, validate_rubric

from .conftest import DATA, run_main

PHQ = DATA / "rubrics" / "phq9-shaped.yaml"
RUBRIC = load_rubric(PHQ)
ITEMS = [q.id for q in RUBRIC.questions()]


def total_of(levels: list[int]):
    """Score one respondent answering the nine items at these levels."""
    document = {
        "rubric": {"id": "phq9-shaped"},
        "organisation": {"id": "p", "name": "P"},
        "answers": dict(zip(ITEMS, levels, strict=True)),
    }
    return score(RUBRIC, load_assessment(document, RUBRIC))


# Each answer set, its total worked by hand, and the band it must fall in: both sides of each boundary.
BOUNDARIES = [
    ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "Minimal"),
    ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "Minimal"),  # 1 + 1 + 1 + 1 = 4: the top of 0-4
    ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild"),  # 5: the bottom of 5-9
    ([3, 3, 3, 0, 0, 0, 0, 0, 0], 9, "Mild"),  # 3 + 3 + 3 = 9
    ([3, 3, 3, 1, 0, 0, 0, 0, 0], 10, "Moderate"),  # 9 + 1 = 10
    ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "Moderate"),  # 7 x 2 = 14
    ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "Moderately severe"),  # 5 x 3 = 15
    ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "Moderately severe"),  # 15 + 2 + 2 = 19
    ([2, 2, 2, 2, 2, 2, 2, 2, 2], 18, "Moderately severe"),  # 9 x 2 = 18
    ([3, 3, 3, 3, 2, 2, 2, 2, 0], 20, "Severe"),  # 12 + 8 = 20
    ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "Severe"),  # 9 x 3 = 27: the top
]


@pytest.mark.parametrize(("levels", "total", "band"), BOUNDARIES)
def test_each_boundary_total_falls_in_its_band(levels, total, band):
    result = total_of(levels)
    for node in (result.overall, result.domain("screen")):
        assert node.value == total
        assert node.band is not None and node.band.name == band
        # A total has no level, so no percentage of the level range, no target gap and nothing for a rule to hold.
        assert (node.level, node.raw_level, node.percent, node.gap, node.held_level) == (None, None, None, None, None)


def test_positions_within_bands_on_totals():
    # Position = (total - from) / (to - from): 5 in 5-9 is 0, 9 is 1, 12 in 10-14 is 2/4 = 0.5, 27 in 20-27 is 1.
    positions = {}
    for levels in ([1, 1, 1, 1, 1, 0, 0, 0, 0], [3, 3, 3, 0, 0, 0, 0, 0, 0], [2, 2, 2, 2, 2, 2, 0, 0, 0], [3] * 9):
        band = total_of(levels).overall.band
        assert band is not None
        positions[sum(levels)] = (band.position, band.third)
    assert positions == {5: (0.0, "lower"), 9: (1.0, "upper"), 12: (0.5, "middle"), 27: (1.0, "upper")}


def test_a_total_between_two_whole_numbers_belongs_with_the_lower_one():
    # Two respondents: item-1 at 0 and 1 -> median 0.5; items 2 and 3 at 2 by both -> total 0.5 + 2 + 2 = 4.5:
    # between 4 (Minimal) and 5 (Mild), so Minimal. And 14.5 (item-1 0.5, items 2-5 at 3 and item-6 at 2:
    # 0.5 + 12 + 2) is Moderate, not Moderately severe.
    def two(first: int, second: int, rest: dict[str, int]):
        respondents = [
            {"id": "a", "answers": {"item-1": first, **rest}},
            {"id": "b", "answers": {"item-1": second, **rest}},
        ]
        document = {"rubric": {"id": "phq9-shaped"}, "organisation": {"id": "p", "name": "P"}}
        document["respondents"] = respondents  # type: ignore[assignment]
        return score(RUBRIC, load_assessment(document, RUBRIC)).overall

    zeros = {i: 0 for i in ITEMS[1:]}
    low = two(0, 1, {**zeros, "item-2": 2, "item-3": 2})
    assert low.value == 4.5
    assert low.band is not None and low.band.name == "Minimal"
    high = two(0, 1, {**zeros, "item-2": 3, "item-3": 3, "item-4": 3, "item-5": 3, "item-6": 2})
    assert high.value == 14.5
    assert high.band is not None and high.band.name == "Moderate"


def test_the_trace_shows_the_sum_and_outputs_name_the_band():
    result = total_of([1, 1, 1, 1, 1, 0, 0, 0, 0])
    assert result.domain("screen").trace.arithmetic == "1×1 + 1×1 + 1×1 + 1×1 + 1×1 + 1×0 + 1×0 + 1×0 + 1×0 = 5"
    assert result.overall.trace.arithmetic == "1×5 = 5"
    words = explain(result)
    assert "Overall: total 5, band Mild (lower third) (a total has no level)" in words
    assert "not counted" not in words


def test_sum_leaves_out_what_is_not_counted_without_renormalising(tmp_path: Path):
    # A plain sum: with missing: exclude, an unanswered item adds nothing (1 + 1 + 1 = 3), where a weighted mean
    # would renormalise the weights.
    text = PHQ.read_text(encoding="utf-8").replace("  domains: sum\n", "  domains: sum\n  missing: exclude\n")
    path = tmp_path / "phq-missing.yaml"
    path.write_text(text, encoding="utf-8")
    rubric = load_rubric(path)
    document = {"rubric": {"id": "phq9-shaped"}, "organisation": {"id": "p", "name": "P"}}
    document["answers"] = {"item-1": 1, "item-2": 1, "item-3": 1}  # type: ignore[assignment]
    result = score(rubric, load_assessment(document, rubric))
    assert result.overall.value == 3
    assert result.domain("screen").missing == 6


# --- validation of bands on totals -------------------------------------------------------------------------------


def problems_with(tmp_path: Path, old: str, new: str) -> list[tuple[str, str]]:
    text = PHQ.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "phq.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return [(p.path, p.message) for p in validate_rubric(path)]


def test_the_fixture_is_valid():
    assert validate_rubric(PHQ) == []


def test_a_gap_between_whole_number_bands_is_located(tmp_path):
    found = problems_with(tmp_path, "{id: mild, name: Mild, from: 5, to: 9}", "{id: mild, name: Mild, from: 6, to: 9}")
    assert found == [("/bands/items/1/from", "gap in bands: no band holds the total(s) 5 to 5")]


def test_an_overlap_between_whole_number_bands_is_located(tmp_path):
    found = problems_with(tmp_path, "{id: mild, name: Mild, from: 5, to: 9}", "{id: mild, name: Mild, from: 4, to: 9}")
    assert found == [("/bands/items/1/from", "band 'mild' overlaps the previous band: the total 4 is in both")]


def test_bands_must_cover_every_total(tmp_path):
    found = problems_with(tmp_path, "from: 20, to: 27}", "from: 20, to: 26}")
    assert found == [("/bands/items/4/to", "bands stop at 26; totals go up to 27")]
    found = problems_with(tmp_path, "from: 20, to: 27}", "from: 20, to: 28}")
    assert found == [("/bands/items/4/to", "bands run to 28, past the highest total (27)")]


def test_band_edges_on_totals_are_whole_numbers(tmp_path):
    found = problems_with(tmp_path, "from: 5, to: 9}", "from: 5, to: 9.5}")
    assert found == [
        (
            "/bands/items/1/to",
            "band 'mild': to 9.5 is not a whole number; bands on totals are ranges of whole numbers",
        )
    ]


def test_bands_on_totals_need_summed_questions(tmp_path):
    found = problems_with(tmp_path, "  questions: sum\n", "  questions: weighted_mean\n")
    assert ("/bands/on", "bands on: total need totals: scoring.questions must be sum") in found


def test_bands_on_the_level_scale_cannot_name_totals(tmp_path):
    found = problems_with(tmp_path, '"on": total', '"on": value')
    assert [path for path, _ in found] == ["/bands/on"]
    assert "cannot name totals" in found[0][1]


def test_a_rule_on_a_total_is_refused(tmp_path):
    rule = (
        "rules:\n  - id: item-9-flag\n    type: cap\n    scope: overall\n    max_level: 1\n"
        "    when: {question: item-9, at_least: 1}\n    description: A flag.\nbands:\n"
    )
    found = problems_with(tmp_path, "bands:\n", rule)
    assert found == [
        (
            "/rules/0/scope",
            "rule 'item-9-flag' judges levels, but with sum the overall value is a total and has no level",
        )
    ]


def test_validate_and_score_on_the_command_line():
    checked = run_main("validate", str(PHQ))
    assert checked.returncode == 0, checked.stderr


def test_the_report_names_a_total_by_its_band():
    from qimaturity.report.render import render_html

    page = render_html(total_of([1, 1, 1, 1, 1, 0, 0, 0, 0]), RUBRIC)
    assert "P is at a total of 5 overall, in the Mild band." in page
