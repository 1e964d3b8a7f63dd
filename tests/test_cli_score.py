"""`qimaturity score` and `explain` through the real entry point: formats, exit codes, determinism."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import jsonschema_rs
import pytest

from .conftest import DATA, ROOT, run_cli, run_main

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
ANSWERS = str(DATA / "answers" / "mini-two-groups.yaml")
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "result.schema.json").read_text())


def test_json_result_matches_the_result_schema_and_records_the_rubric():
    result = run_main("score", MINI, ANSWERS, "--format", "json", "--what-if", "lead-1=3")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    errors = [f"{e.instance_path}: {e.message}" for e in jsonschema_rs.validator_for(RESULT_SCHEMA).iter_errors(data)]
    assert errors == []
    assert data["rubric"]["id"] == "mini"
    assert data["rubric"]["version"] == "1.0"
    assert data["rubric"]["content_hash"].startswith("sha256:")
    assert data["engine"].startswith("qimaturity ")
    assert data["projection"]["changes"] == {"lead-1": 3}


@pytest.mark.subprocess
def test_identical_inputs_give_byte_identical_json():
    # Two processes with different hash seeds: one run here, the other through the console script.
    first = run_main("score", MINI, ANSWERS, "--format", "json")
    second = run_cli("score", MINI, ANSWERS, "--format", "json", env={"PYTHONHASHSEED": "12345"})
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_table_shows_domains_and_flags_the_board_staff_gap():
    result = run_main("score", MINI, ANSWERS)
    assert result.returncode == 0, result.stderr
    assert "Organisation A - mini 1.0 - 2026-06-30" in result.stdout
    # lead: board (3 + 3) / 2 = 3, staff (2 + 1.5) / 2 = 1.75 -> +1.25, over the threshold of 1
    assert "gap board/staff +1.2" in result.stdout
    assert result.stderr == ""


def test_csv_has_a_row_per_overall_domain_and_question():
    result = run_main("score", MINI, ANSWERS, "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["scope"] in ("overall", "domain", "question")]
    assert [(r["scope"], r["id"]) for r in rows] == [
        ("overall", "overall"),
        ("domain", "lead"),
        ("question", "lead-1"),
        ("question", "lead-2"),
        ("domain", "meth"),
        ("question", "meth-1"),
    ]
    # lead-1: answers 3 (evidenced), 3 (no evidence -> counted 2), 2 -> median 2; agreement is computed within
    # groups of at least 3 answers (board 1, staff 2 here), so there is none
    lead1 = rows[2]
    assert (lead1["value"], lead1["level"], lead1["agreement"], lead1["disagreement"]) == ("2", "2", "", "")


@pytest.mark.subprocess
def test_fail_under_exits_1_with_a_message():
    result = run_cli("score", MINI, ANSWERS, "--fail-under", "3")
    assert result.returncode == 1
    assert "Organisation A: overall level 2 is below --fail-under 3" in result.stderr
    assert run_cli("score", MINI, ANSWERS, "--fail-under", "2").returncode == 0


def test_bad_answers_file_exits_2_with_place_and_the_good_file_is_still_scored(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "answers" / "mini-two-groups.yaml").read_text().replace("lead-2: 3", "lead-22: 3"))
    result = run_main("score", MINI, ANSWERS, str(bad), "--format", "json")
    assert result.returncode == 2
    assert f"{bad}:11:7: /respondents/0/answers/lead-22: unknown question 'lead-22' (did you mean 'lead-2'?)" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert [r["organisation"]["id"] for r in json.loads(result.stdout)] == ["org-a"]


def test_target_and_what_if_are_checked_against_the_rubric():
    unknown = run_main("score", MINI, ANSWERS, "--target", "leed=3")
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "Error: Invalid value for '--target': no domain or question 'leed' in rubric mini; did you mean 'lead'?\n"
    )
    off_scale = run_main("score", MINI, ANSWERS, "--what-if", "lead-1=9")
    assert off_scale.returncode == 2
    assert off_scale.stderr == (
        "Error: Invalid value for '--what-if': lead-1: '9' is not a level of mini "
        "(levels are 1 (Low), 2 (Mid), 3 (High))\n"
    )


def test_targets_on_the_command_line_override_the_rubric():
    result = run_main("score", MINI, ANSWERS, "--format", "json", "--target", "3", "--target", "meth=2")
    data = json.loads(result.stdout)
    assert data["overall"]["target"] == 3
    assert {d["id"]: d["target"] for d in data["domains"]} == {"lead": 3, "meth": 2}
    # lead-1 and lead-2 are at 2 against a target of 3; lead-1 is critical so it ranks first.
    assert [(p["question_id"], p["gap"]) for p in data["priorities"]] == [("lead-1", 1), ("lead-2", 1)]
    assert data["priorities"][0]["next_step"] == "Spread it."


def test_explain_a_question_shows_answers_evidence_and_arithmetic():
    result = run_main("explain", MINI, ANSWERS, "--question", "lead-1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Question lead-1: level 2, value 2; target 2, gap 0 [critical]" in out
    assert "answer b1 (board): 3 [evidence: Board minutes (2026-05-01)]" in out
    assert "answer s1 (staff): 3 -> counted 2" in out
    assert "arithmetic: median(2, 2, 3) = 2" in out
    assert "agreement r_wg" not in out  # board 1 and staff 2 answers: no group large enough to say


def test_explain_unknown_domain_is_a_usage_error():
    result = run_main("explain", MINI, ANSWERS, "--domain", "nope")
    assert result.returncode == 2
    assert (
        result.stderr
        == "Error: Invalid value for '--domain': no domain 'nope' in rubric mini (its domains: lead, meth)\n"
    )


def test_folder_of_answers_is_scored_file_by_file(tmp_path):
    (tmp_path / "a.yaml").write_text((DATA / "answers" / "mini-two-groups.yaml").read_text())
    (tmp_path / "b.json").write_text(
        json.dumps(
            {
                "rubric": {"id": "mini"},
                "organisation": {"id": "org-b", "name": "B"},
                "answers": {"lead-1": 1, "lead-2": 1, "meth-1": 1},
            }
        )
    )
    result = run_main("score", MINI, str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [r["organisation"]["id"] for r in json.loads(result.stdout)] == ["org-a", "org-b"]


def test_results_export_per_question_domain_and_respondent_group(tmp_path):
    out = tmp_path / "results.csv"
    assert run_main("score", MINI, ANSWERS, "-o", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    groups = {(r["id"], r["group"]): r for r in rows if r["scope"] == "group"}
    # lead-2: board b1 answered 3; staff s1 1 and s2 2 -> median 1.5
    assert (groups[("lead-2", "board")]["value"], groups[("lead-2", "staff")]["value"]) == ("3", "1.5")
    assert groups[("lead-2", "staff")]["respondents"] == "2"
    gap = next(r for r in rows if r["scope"] == "perception_gap" and r["id"] == "lead-2")
    assert (gap["group"], gap["value"], gap["disagreement"]) == ("board - staff", "1.5", "flagged")

    workbook = tmp_path / "results.xlsx"
    assert run_main("score", MINI, ANSWERS, "-o", str(workbook)).returncode == 0
    from openpyxl import load_workbook

    book = load_workbook(workbook)
    assert book.sheetnames == ["Results", "Organisations", "Domains"]
    assert [c.value for c in book["Organisations"][2]][:7] == [
        "org-a",
        "Organisation A",
        "acute",
        "north",
        datetime(2026, 6, 30),
        2,
        2,
    ]
