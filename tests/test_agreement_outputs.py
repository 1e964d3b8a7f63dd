"""Agreement within groups, as every output shows it (tests/data/scoring/answers/agreement.yaml).

q-even: board 4, 4, 4 (r_wg 1); frontline 2, 4, 3, 4 (s^2 = 2.75 / 3, r_wg = 1 - 0.916667 / 2 = 0.541667 < 0.7):
respondents disagreed, the lowest r_wg is frontline's. q-split: board 5, 5, 5 and frontline 1, 1, 1 agree within
each group (r_wg 1 and 1): not disagreement, a perception gap of 4.
"""

from __future__ import annotations

import csv
import io
import json

import jsonschema_rs

from qimaturity import load_assessment, load_rubric, report, score

from .conftest import ROOT, SCORING_ANSWERS, SCORING_RUBRICS, run_main

RUBRIC = str(SCORING_RUBRICS / "respondents-median.yaml")
ANSWERS = str(SCORING_ANSWERS / "agreement.yaml")
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "result.schema.json").read_text())


def test_json_gives_the_lowest_within_group_agreement_its_group_and_each_groups_rwg():
    result = run_main("score", RUBRIC, ANSWERS, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    errors = [f"{e.instance_path}: {e.message}" for e in jsonschema_rs.validator_for(RESULT_SCHEMA).iter_errors(data)]
    assert errors == []
    questions = {q["id"]: q for q in data["domains"][0]["questions"]}
    even, split = questions["q-even"], questions["q-split"]
    # JSON carries full precision: frontline's s² = (4×45 − 13²) / (4×3) = 11/12, r_wg = 1 − (11/12) / 2 = 13/24.
    assert (even["agreement"], even["agreement_group"], even["disagreement"]) == (
        0.5416666666666667,
        "frontline",
        True,
    )
    assert [(g["group"], g["agreement"]) for g in even["by_group"]] == [
        ("board", 1.0),
        ("frontline", 0.5416666666666667),
    ]
    assert (split["agreement"], split["agreement_group"], split["disagreement"]) == (1.0, "board", False)
    assert [(g["gap"], g["flagged"]) for g in split["perception_gaps"]] == [(4.0, True)]
    # q-odd: frontline gave two answers, too few for r_wg
    assert [(g["group"], g["agreement"]) for g in questions["q-odd"]["by_group"]] == [
        ("board", 0.8333333333333334),  # 1 − (1/3) / 2 = 5/6
        ("frontline", None),
    ]


def test_csv_question_rows_give_the_lowest_rwg_and_group_rows_their_own():
    result = run_main("score", RUBRIC, ANSWERS, "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["id"] == "q-even"]
    assert [(r["scope"], r["group"], r["agreement"], r["disagreement"]) for r in rows] == [
        ("question", "", "0.5416666666666667", "yes"),
        ("group", "board", "1", ""),
        ("group", "frontline", "0.5416666666666667", ""),
        ("perception_gap", "board - frontline", "", ""),
    ]


def test_explain_names_the_group_that_disagreed():
    result = run_main("explain", RUBRIC, ANSWERS, "--question", "q-even")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "agreement r_wg = 0.5417, lowest within a group: frontline - respondents disagreed" in out
    assert "group board: 4 from 3 respondent(s), r_wg 1" in out
    assert "group frontline: 3.5 from 4 respondent(s), r_wg 0.5417" in out
    split = run_main("explain", RUBRIC, ANSWERS, "--question", "q-split").stdout
    assert "disagreed" not in split
    assert "perception gap board - frontline: 5 - 1 = +4.00 (flagged)" in split


def test_the_gap_report_names_the_group_that_disagreed_in_words():
    rubric = load_rubric(RUBRIC)
    result = score(rubric, load_assessment(ANSWERS, rubric))
    html = report(rubric, result, format="html", report_date="2026-07-01").decode()
    # The domain pages say it in words, naming the group; r_wg itself is for the method appendix.
    assert 'respondents disagreed (Frontline staff)</span> <span class="flag">disagree</span>' in html
    assert "r<sub>wg</sub> 0.54" not in html
    assert "respondents disagreed (Board members)" not in html  # q-split: both groups agree, nothing to say
    assert "respondents within one group disagreed markedly" in html
