"""The bundled examples as they were on qi-readiness 1.1.0 (tests/data/examples-1.1) tell their stories."""

from __future__ import annotations

import re

import pytest
import yaml

from qimaturity import load_assessment, load_rubric, score

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1

EXAMPLES = EXAMPLES_1_1
RUBRIC = load_rubric(QI_READINESS_1_1)


def scored(name: str):
    return score(RUBRIC, load_assessment(EXAMPLES / name, RUBRIC))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_scores_with_every_respondent_group_large_enough_to_show(path):
    result = scored(path.name)
    assert result.overall.level is not None
    sizes = {count.group: count.respondents for count in result.respondents}
    # board 3, managers 3, frontline 5, patient partners 3: every group reaches the default minimum group size (3)
    assert sizes == {"board": 3, "managers": 3, "frontline": 5, "patient-partners": 3}
    assert min(sizes.values()) >= RUBRIC.scoring.min_group_size == 3
    hidden = {(q.id, s.group, s.reason) for d in result.domains for q in d.questions for s in q.suppressed_groups}
    if path.stem == "eastfield-mental-health":
        # One ward manager does not answer three board-level governance questions: the managers' two answers to
        # each still count, but are not shown as a group view.
        assert hidden == {
            (q, "managers", "fewer than 3 respondents")
            for q in ("gov-board-agenda", "gov-data-for-improvement", "gov-regulator-compact")
        }
    else:
        assert hidden == set()


# The three stories, pooled by group (qi-readiness 1.1.0: each group's median, then the groups' mean). Each
# question reads (board, managers, frontline, patient partners) -> its value, for the groups asked it; a domain
# is the weighted mean of its questions (weight 2: exec, role, qi; agenda, data; tiered; protected; teams; agreed,
# milestones).
#
# Northgate (board 3, managers 3, frontline 5, patient partners 3):
#   leadership   exec (3, 3) 3; role (2, 2, 2, 2) 2; qi (2, 2, 1) 5/3; coaching (2, 2) 2; distributed (3, 2, 2)
#                7/3; stability (2, 2) 2 -> (6 + 4 + 10/3 + 2 + 7/3 + 2) / 9 = (59/3) / 9 = 59/27
#   governance   agenda (3, 2) 2.5; golden (2, 2, 2) 2; data (2, 2) 2; quality system (3, 2) 2.5; regulator
#                (2, 2) 2 -> (5 + 2 + 4 + 2.5 + 2) / 7 = 15.5/7 = 31/14
#   training     tiered (2, 2, 2) 2; board training (2) 2; induction (2, 2, 2) 2; coaching access (2, 2) 2;
#                improvement team (2, 3) 2.5 -> (4 + 2 + 2 + 2 + 2.5) / 6 = 12.5/6 = 25/12
#   culture      protected (2, 2, 1) 5/3; safety (3, 3, 2) 8/3; standards (2, 2, 2) 2; ideas (3, 2, 2) 7/3;
#                teamwork (3, 3, 2) 8/3 -> (10/3 + 8/3 + 2 + 7/3 + 8/3) / 6 = 13/6
#   patients     teams (2, 2, 1, 2) 7/4; priorities (1, 1, 1, 2) 5/4; measures (2, 1, 2, 2) 7/4; partner
#                support (2, 2) 2; equity (1, 1, 1, 1) 1 -> (3.5 + 1.25 + 1.75 + 2 + 1) / 6 = 9.5/6 = 19/12
#   method       agreed (3, 3, 2) 8/3; pdsa (2, 2, 2) 2; milestones (2, 2, 1) 5/3; data (2, 2) 2; spread
#                (2, 2, 2) 2 -> (16/3 + 2 + 10/3 + 2 + 2) / 7 = (44/3) / 7 = 44/21
#   overall      (1.5 x 59/27 + 1.5 x 31/14 + 25/12 + 13/6 + 19/12 + 44/21) / 7; over 252: 826 + 837 + 525 + 546
#                + 399 + 528 = 3661 -> 3661 / 252 / 7 = 3661/1764 = 523/252 = 2.0754: level 2, Emerging (only
#                patient involvement is below level 2, so the two-weak-domains cap is not in force)
# Riverside: 18131/5880 = 3.0835, level 3, Developing (worked in tests/test_pooling.py)
# Eastfield (the managers' agenda, data and regulator answers are two each: counted, not shown):
#   leadership   exec (5, 4) 4.5; role (4, 4, 4, 4) 4; qi (4, 4, 4) 4; coaching (4, 4) 4; distributed (4, 4, 4)
#                4; stability (4, 4) 4 -> (9 + 8 + 8 + 4 + 4 + 4) / 9 = 37/9
#   governance   agenda (4, 4) 4; golden (4, 4, 4) 4; data (5, 4) 4.5; quality system (4, 4) 4; regulator
#                (4, 3) 3.5 -> (8 + 4 + 9 + 4 + 3.5) / 7 = 28.5/7 = 57/14
#   training     tiered (4, 4, 4) 4; board training (4) 4; induction (4, 4, 3) 11/3; coaching access (4, 4) 4;
#                improvement team (5, 4) 4.5 -> (8 + 4 + 11/3 + 4 + 4.5) / 6 = (145/6) / 6 = 145/36
#   culture      protected (4, 4, 4) 4; safety (4, 4, 4) 4; standards (4, 4, 4) 4; ideas (5, 4, 4) 13/3;
#                teamwork (4, 4, 4) 4 -> (8 + 4 + 4 + 13/3 + 4) / 6 = (73/3) / 6 = 73/18
#   patients     teams (5, 4, 4, 5) 4.5; priorities (4, 4, 4, 4) 4; measures (4, 4, 4, 5) 4.25; partner support
#                (4, 4) 4; equity (3, 3, 3, 3) 3 -> (9 + 4 + 4.25 + 4 + 3) / 6 = 24.25/6 = 97/24
#   method       agreed (5, 5, 4) 14/3; pdsa (4, 4, 4) 4; milestones (4, 4, 4) 4; data (4, 4) 4; spread
#                (4, 4, 4) 4 -> (28/3 + 4 + 8 + 4 + 4) / 7 = (88/3) / 7 = 88/21
#   overall      (1.5 x 37/9 + 1.5 x 57/14 + 145/36 + 73/18 + 97/24 + 88/21) / 7; over 504: 3108 + 3078 + 2030
#                + 2044 + 2037 + 2112 = 14409 -> 14409 / 504 / 7 = 14409/3528 = 1601/392 = 4.0842: level 4,
#                Embedded (no domain below level 3, so the Embedded gate is met)
EXPECTED = {
    "northgate-acute.yaml": ([59 / 27, 31 / 14, 25 / 12, 13 / 6, 19 / 12, 44 / 21], 523 / 252, 2, "Emerging"),
    "riverside-community.yaml": (
        [86 / 27, 23 / 7, 46 / 15, 49 / 18, 73 / 24, 64 / 21],
        18131 / 5880,
        3,
        "Developing",
    ),
    "eastfield-mental-health.yaml": ([37 / 9, 57 / 14, 145 / 36, 73 / 18, 97 / 24, 88 / 21], 1601 / 392, 4, "Embedded"),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_example_values_are_as_worked_by_hand(name):
    domains, overall, level, band = EXPECTED[name]
    result = scored(name)
    assert [d.value for d in result.domains] == pytest.approx(domains)
    assert result.overall.value == pytest.approx(overall)
    assert (result.overall.level, result.overall.band.name) == (level, band)


def test_examples_are_at_clearly_different_maturity():
    levels = [
        scored(name).overall.level
        for name in ("northgate-acute.yaml", "riverside-community.yaml", "eastfield-mental-health.yaml")
    ]
    assert levels == sorted(levels) and len(set(levels)) == 3


def test_riverside_shows_its_board_frontline_perception_gap_by_default():
    # Every group has three or more respondents, so with the default min_group_size (3) every group is shown.
    result = scored("riverside-community.yaml")
    assert RUBRIC.scoring.min_group_size == 3
    assert not any(q.suppressed_groups for d in result.domains for q in d.questions)
    role_models = {g.group: g.value for g in result.question("lead-role-models").by_group}
    assert role_models == {"board": 4, "managers": 3, "frontline": 2, "patient-partners": 3}
    gaps = {
        d.id: g.gap
        for d in result.domains
        for g in d.perception_gaps
        if (g.group_a, g.group_b) == ("board", "frontline") and g.flagged
    }
    # A domain's gap compares the two groups' weighted means over the questions both answered.
    # Leadership: role models (2) board 4, frontline 2; qi as management (2) 4, 2; distributed (1) 3, 2 ->
    # board (8 + 8 + 3) / 5 = 19/5, frontline (4 + 4 + 2) / 5 = 2: gap 9/5.
    # Culture: protected (2) 3, 1; safety 4, 2; standards 4, 2; ideas 4, 2; teamwork 4, 3 -> board 22/6,
    # frontline 11/6: gap 11/6. Both at least the rubric's gap_threshold of 1: flagged.
    assert gaps["leadership"] == pytest.approx(9 / 5)
    assert gaps["culture-engagement"] == pytest.approx(11 / 6)


# --- The examples' 1.x answers on qi-readiness 2.0.0: migrated, and read as history across the change ---------


def test_the_examples_1_x_answers_migrate_to_2_0_0(tmp_path):
    from .conftest import run_main

    done = run_main("migrate", "qi-readiness", str(EXAMPLES), "-o", str(tmp_path / "2.0"))
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "2.0").iterdir())
    assert written == sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    riverside = next(line for line in done.stderr.splitlines() if line.startswith(str(EXAMPLES / "riverside")))
    assert riverside.endswith("qi-readiness 1.1.0 -> 2.0.0")
    # The map's moves, as docs/qi-readiness.md lists them: seven splits, a rename and a dropped question.
    assert done.stderr.count("  split       lead-qi-as-management -> lead-two-jobs, mgt-performance-reviews") == 3
    assert done.stderr.count("  renamed     met-agreed-method -> met-agreed-approach") == 3
    assert done.stderr.count("  dropped     lead-stability") == 3
    document = yaml.safe_load((tmp_path / "2.0" / "riverside-community.yaml").read_text(encoding="utf-8"))
    assert document["rubric"] == {"id": "qi-readiness", "version": "2.0.0"}
    answered = {q for respondent in document["respondents"] for q in respondent["answers"]}
    assert "met-agreed-approach" in answered and "met-agreed-method" not in answered


@pytest.mark.slow
def test_a_report_on_2_0_0_reads_1_1_0_history_with_the_version_change_marked(tmp_path):
    from .conftest import ROOT, run_main

    earlier = tmp_path / "riverside-2025.yaml"
    text = (EXAMPLES / "riverside-community.yaml").read_text(encoding="utf-8")
    earlier.write_text(text.replace('date: "2026-09-30"', 'date: "2025-09-30"'), encoding="utf-8")
    out = tmp_path / "riverside.html"
    done = run_main(
        "report", "qi-readiness", str(ROOT / "examples" / "answers" / "riverside-community.yaml"),
        "--history", str(earlier), "--with-rubric", str(QI_READINESS_1_1), "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = " ".join(re.sub(r"<[^>]+>", "", out.read_text(encoding="utf-8")).split())
    assert "The rubric changed from version 1.1.0 to 2.0.0 between 30 September 2025 and 30 September 2026" in page
    # The map marks every domain not comparable (each changed its questions), each with its note.
    assert "Not comparable across the change of version" in page
    assert "Learning from patient safety: New in 2.0.0" in page


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        # The 1.1.0 Riverside is dated the same day as the 2.0.0 one: not "last time".
        ("riverside-community.yaml", "/date: history is dated 2026-09-30, not before the assessment reported on"),
        ("northgate-acute.yaml", "/organisation/id: history is an assessment of 'northgate', not of 'riverside'"),
    ],
)
def test_history_that_cannot_be_last_time_is_refused_not_left_out(tmp_path, history, problem):
    from .conftest import ROOT, run_main

    out = tmp_path / "riverside.html"
    done = run_main(
        "report", "qi-readiness", str(ROOT / "examples" / "answers" / "riverside-community.yaml"),
        "--history", str(EXAMPLES / history), "--with-rubric", str(QI_READINESS_1_1), "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 2
    assert f"{EXAMPLES / history}: {problem}" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
