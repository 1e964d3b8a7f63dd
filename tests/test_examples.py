"""The bundled examples score cleanly and tell the stories they claim to tell."""

from __future__ import annotations

import dataclasses

import pytest

from qimaturity import load_assessment, load_rubric, score

from .conftest import ROOT

EXAMPLES = ROOT / "examples" / "answers"
RUBRIC = load_rubric("qi-readiness")


def scored(name: str):
    return score(RUBRIC, load_assessment(EXAMPLES / name, RUBRIC))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_scores_with_several_respondent_groups(path):
    result = scored(path.name)
    assert result.overall.level is not None
    groups = {count.group for count in result.respondents}
    assert {"board", "frontline"} <= groups and len(groups) >= 3


def test_examples_are_at_clearly_different_maturity():
    levels = [
        scored(name).overall.level
        for name in ("northgate-acute.yaml", "riverside-community.yaml", "eastfield-mental-health.yaml")
    ]
    assert levels == sorted(levels) and len(set(levels)) == 3


def test_riverside_shows_a_board_frontline_perception_gap_once_its_board_of_two_may_be_shown():
    # Riverside's board has two respondents, fewer than the default min_group_size of 3: not shown.
    default = scored("riverside-community.yaml")
    assert not any(g.group_a == "board" or g.group_b == "board" for d in default.domains for g in d.perception_gaps)
    hidden = {s.group: s.reason for s in default.question("lead-role-models").suppressed_groups}
    assert hidden == dict.fromkeys(("board", "managers", "patient-partners"), "fewer than 3 respondents")
    shown = dataclasses.replace(RUBRIC, scoring=dataclasses.replace(RUBRIC.scoring, min_group_size=2))
    result = score(shown, load_assessment(EXAMPLES / "riverside-community.yaml", shown))
    flagged = {
        d.id
        for d in result.domains
        for g in d.perception_gaps
        if (g.group_a, g.group_b) == ("board", "frontline") and g.flagged and g.gap > 0
    }
    assert {"leadership", "culture-engagement"} <= flagged
