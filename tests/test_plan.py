"""The improvement plan and its action log: each cycle's owner, step, measure, baseline, prediction, staggered dates
and path to the target, drawn from the rubric's steps; the same cycles as CSV and XLSX (read back); formula text made
inert; bad input refused with exit code 2; and the plan of a real report on at most two pages.

The golden rubric is tests/data/rubrics/wordings-owners-reasons.yaml (three levels, targets 3) with the answers
tests/data/answers/wordings-riverside.yaml (dated 2026-09-30). Its priorities, worked by hand from the answers
(each question's group medians, then the groups' mean; critical first, then weight x domain weight x gap):

  1 trn-coverage       level 2 (board 2, frontline 2), target 3, critical      -> step from level 2
  2 ideas-heard        level 1 (every answer 1), target 3: two levels up        -> step from level 1, then 2 -> 3
  3 pat-partners-heard level 1, target 3: two levels up, no owner on the step   -> step from level 1, then 2 -> 3
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import qimaturity
from qimaturity.report.plan import (
    ACTION_LOG_COLUMNS,
    MEASURE_TO_FILL,
    OWNER_TO_AGREE,
    action_log_csv,
    action_log_xlsx,
    action_rows,
    nhs_date,
    plan_cycles,
)

from .conftest import DATA, ROOT, RUBRICS, run_main

RUBRIC_PATH = RUBRICS / "wordings-owners-reasons.yaml"
ANSWERS = DATA / "answers" / "wordings-riverside.yaml"
RUBRIC = qimaturity.load_rubric(RUBRIC_PATH)
RESULT = qimaturity.score(RUBRIC, qimaturity.load_assessment(ANSWERS, RUBRIC))
NORTHGATE = ROOT / "examples" / "answers" / "northgate-acute.yaml"

PROTECTED_TIME = "The QI lead agrees protected time with two ward teams for a second session."
IDEAS_STEP = "Ask each team for one idea at its next meeting."
IDEAS_THEN = "Reply to every idea within two weeks, saying what will happen to it."
PARTNERS_STEP = "Invite two patient partners to the next project's first meeting."
PARTNERS_THEN = "Agree with patient partners how they will be involved before a project starts."


def test_nhs_dates_have_no_leading_zero_and_the_month_in_full():
    assert nhs_date(date(2026, 9, 30)) == "30 September 2026"
    assert nhs_date(date(2027, 1, 2)) == "2 January 2027"


def test_cycles_start_a_fortnight_apart_and_are_reviewed_from_their_own_start():
    cycles = plan_cycles(RESULT, RUBRIC)
    # The plan starts on the assessment's date, 30 September 2026, and a new cycle starts every 14 days:
    #   cycle 1: 30 Sep 2026; cycle 2: 30 Sep + 14 = 14 Oct 2026; cycle 3: 14 Oct + 14 = 28 Oct 2026.
    assert [c.start for c in cycles] == [date(2026, 9, 30), date(2026, 10, 14), date(2026, 10, 28)]
    assert [c.start_day for c in cycles] == [0, 14, 28]
    # Reviews at 30, 60 and 90 days from each cycle's own start (September 30 days, October 31, November 30,
    # December 31):
    #   cycle 1, from 30 Sep: +30 = 30 Oct; +60 = 30 Oct + 30 = 29 Nov (31 Oct is day 31); +90 = 29 Nov + 30 = 29 Dec.
    #   cycle 2, from 14 Oct: +30 = 13 Nov (17 days to 31 Oct, 13 more); +60 = 13 Dec; +90 = 12 Jan 2027 (18 days to
    #   31 Dec, 12 more).
    #   cycle 3, from 28 Oct: +30 = 27 Nov; +60 = 27 Dec; +90 = 26 Jan 2027.
    assert cycles[0].reviews == ("30 October 2026 (day 30)", "29 November 2026 (day 60)", "29 December 2026 (day 90)")
    assert cycles[1].review_dates == (date(2026, 11, 13), date(2026, 12, 13), date(2027, 1, 12))
    assert cycles[2].review_dates == (date(2026, 11, 27), date(2026, 12, 27), date(2027, 1, 26))
    assert cycles[1].start_text == "14 October 2026"


def test_a_plan_start_moves_every_cycle():
    cycles = plan_cycles(RESULT, RUBRIC, plan_start="2026-11-02")
    # 2 Nov, then 2 Nov + 14 = 16 Nov, then 2 Nov + 28 = 30 Nov; cycle 3's day 90 is 30 Nov + 90: 31 days to
    # 31 Dec, 31 more to 31 Jan, 28 more to 28 Feb 2027 = 90.
    assert [c.start for c in cycles] == [date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 30)]
    assert cycles[2].review_dates[2] == date(2027, 2, 28)


def test_each_cycle_draws_its_step_measure_and_owner_from_the_step_at_its_level():
    first, second, third = plan_cycles(RESULT, RUBRIC)
    # trn-coverage is at level 2: level 2's step, its own measure and owner.
    assert first.path[0].step == PROTECTED_TIME and first.level == 2
    assert first.measure == (
        "Share of planned protected-time sessions that went ahead in those two teams (checked at 30 days)"
    )
    assert first.owner == "Ward manager"
    # ideas-heard is at level 1: level 1's step and owner; the step has no measure, so the question's.
    assert second.path[0].step == IDEAS_STEP
    assert second.measure == "Share of ideas put forward that had a reply within two weeks"
    assert second.owner == "Team leader"
    # pat-partners-heard: level 1's step and measure; no owner anywhere.
    assert third.path[0].step == PARTNERS_STEP and third.owner is None and third.owner_text == OWNER_TO_AGREE
    assert "Owner: to agree." in third.plan


def test_a_target_two_levels_up_names_the_step_after_this_one():
    first, second, third = plan_cycles(RESULT, RUBRIC)
    assert first.then == ()  # level 2 to target 3: this step leads to the target
    assert "this step leads to the target, level 3 (Established)" in first.act
    assert [(s.level, s.next_level, s.step) for s in second.then] == [(2, 3, IDEAS_THEN)]
    assert [(s.level, s.next_level, s.step) for s in third.then] == [(2, 3, PARTNERS_THEN)]
    assert second.next_level == 2 and second.target == 3
    assert second.act.endswith(
        f"Once level 2 (Emerging) holds, take the next step towards the target, level 3 (Established), "
        f"level 2 to 3: {IDEAS_THEN}"
    )


def test_the_baseline_and_prediction_follow_the_measure():
    first, second, third = plan_cycles(RESULT, RUBRIC)
    # A share: the same share over the 30 days before the start, and a percentage to fill in by day 30.
    assert first.baseline == (
        "Share of planned protected-time sessions that went ahead in those two teams, over the 30 days before "
        "30 September 2026."
    )
    assert first.prediction == (
        "We predict at least ___ % by day 30 (30 October 2026); the owner fills in the figure before the start."
    )
    # A number: a count to fill in, by cycle 3's own day 30 (28 Oct + 30 = 27 Nov).
    assert third.prediction.startswith("We predict at least ___ by day 30 (27 November 2026)")


def test_a_rubric_without_measures_or_owners_still_gives_a_plan_marked_to_fill_in():
    mini = qimaturity.load_rubric(RUBRICS / "valid-minimal.yaml")  # no measure, no owner anywhere
    result = qimaturity.score(
        mini, qimaturity.load_assessment(DATA / "answers" / "mini-two-groups.yaml", mini), default_target=3
    )
    cycles = plan_cycles(result, mini)
    # Every question is at 2 (target 3): lead-1 (critical) first, then lead-2 (domain weight 2) and meth-1.
    assert [(c.question_id, c.path[0].step) for c in cycles] == [
        ("lead-1", "Spread it."),
        ("lead-2", "Make it weekly."),
        ("meth-1", "Train the rest."),
    ]
    for cycle in cycles:
        assert cycle.owner is None and cycle.owner_text == OWNER_TO_AGREE
        assert cycle.measure == MEASURE_TO_FILL and not cycle.measure_given
        assert cycle.prediction.startswith("To fill in once the measure is agreed")
        assert cycle.baseline.startswith("To fill in with the measure")
    rows = action_rows(cycles)
    assert {row["owner"] for row in rows} == {OWNER_TO_AGREE}
    assert {row["measure"] for row in rows} == {MEASURE_TO_FILL}


def test_an_undated_plan_counts_weeks_and_days():
    undated = qimaturity.score(RUBRIC, qimaturity.load_assessment(_undated_answers(), RUBRIC))
    cycles = plan_cycles(undated, RUBRIC)
    assert [c.start_text for c in cycles] == [
        "when the plan starts",
        "2 weeks after the plan starts",
        "4 weeks after the plan starts",
    ]
    assert cycles[0].reviews == ("Day 30", "Day 60", "Day 90") and cycles[0].start is None
    row = action_rows(cycles)[1]
    assert (row["start"], row["review_30"]) == ("2 weeks after the plan starts", "Day 30")


def _undated_answers():
    import yaml

    document = yaml.safe_load(ANSWERS.read_text())
    del document["date"]
    return document


def test_the_northgate_plan_has_a_distinct_step_for_every_cycle_from_its_level():
    rubric = qimaturity.load_rubric("qi-readiness")
    result = qimaturity.score(rubric, qimaturity.load_assessment(NORTHGATE, rubric))
    cycles = plan_cycles(result, rubric)
    assert len(cycles) == 5
    steps = [c.path[0].step for c in cycles]
    assert len(set(steps)) == 5
    assert len({c.measure for c in cycles}) == 5
    for cycle in cycles:
        question = rubric.question(cycle.question_id)
        here = question.descriptor(cycle.level)
        assert (cycle.path[0].step, cycle.owner, cycle.measure) == (here.next_step, here.owner, here.measure)
        # The path runs from the question's level to its target, one step per level.
        assert [s.level for s in cycle.path] == list(range(cycle.level, cycle.target))
        assert cycle.path[-1].next_level == cycle.target
    # Northgate is dated 18 March 2026: cycle 5 starts 4 x 14 = 56 days later (13 days to 31 March, 30 to 30 April,
    # 13 more): 13 May 2026.
    assert cycles[4].start == date(2026, 5, 13)


# --- the action log ------------------------------------------------------------------------------------------


def test_the_csv_action_log_reads_back_with_every_column(tmp_path):
    out = tmp_path / "actions.csv"
    done = run_main("plan", str(RUBRIC_PATH), str(ANSWERS), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ACTION_LOG_COLUMNS
        rows = list(reader)
    assert len(rows) == 3
    second = rows[1]
    assert second["cycle"] == "2" and second["question_id"] == "ideas-heard" and second["domain"] == "Capability"
    assert second["owner"] == "Team leader" and second["step"] == IDEAS_STEP
    # Worked above: cycle 2 starts 14 Oct 2026; day 30, 60, 90 are 13 Nov, 13 Dec 2026 and 12 Jan 2027.
    assert [second[k] for k in ("start", "review_30", "review_60", "review_90")] == [
        "2026-10-14",
        "2026-11-13",
        "2026-12-13",
        "2027-01-12",
    ]
    assert (second["current_level"], second["target_level"]) == ("1", "3")
    assert second["next_steps"] == f"level 2 to 3: {IDEAS_THEN}"
    assert {row["status"] for row in rows} == {"not started"}
    assert rows[2]["owner"] == OWNER_TO_AGREE
    # Without -o the same CSV goes to stdout.
    assert run_main("plan", str(RUBRIC_PATH), str(ANSWERS)).stdout == out.read_text(encoding="utf-8")


def test_the_xlsx_action_log_has_date_cells_and_the_same_rows(tmp_path):
    out = tmp_path / "actions.xlsx"
    done = run_main("plan", str(RUBRIC_PATH), str(ANSWERS), "-o", str(out), "--plan-start", "2026-11-02")
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out)["Actions"]
    values = list(sheet.values)
    assert values[0] == ACTION_LOG_COLUMNS
    header = {name: i for i, name in enumerate(ACTION_LOG_COLUMNS)}
    third = values[3]
    # --plan-start 2026-11-02: cycle 3 starts 28 days later, 30 Nov 2026; its day 90 is 28 Feb 2027 (worked above).
    assert third[header["start"]] == datetime(2026, 11, 30)
    assert third[header["review_90"]] == datetime(2027, 2, 28)
    assert sheet.cell(4, header["start"] + 1).number_format == "d mmmm yyyy"
    assert third[header["owner"]] == OWNER_TO_AGREE and third[header["step"]] == PARTNERS_STEP
    assert third[header["cycle"]] == 3 and third[header["target_level"]] == 3
    assert third[header["status"]] == "not started"


def test_formula_text_in_the_action_log_is_made_inert(tmp_path):
    text = RUBRIC_PATH.read_text()
    hostile = text.replace("owner: Ward manager", 'owner: \'=HYPERLINK("http://example.invalid","x")\'').replace(
        "title: Capability\n", "title: '@SUM(1+1)'\n"
    )
    assert hostile.count("=HYPERLINK") == 1 and hostile.count("@SUM") == 1
    path = tmp_path / "wordings.yaml"
    path.write_text(hostile)
    rubric = qimaturity.load_rubric(path)
    rows = qimaturity.action_log(rubric, ANSWERS)
    assert rows[0]["owner"].startswith("=HYPERLINK") and rows[0]["domain"] == "@SUM(1+1)"  # the data as it is
    first = next(csv.DictReader(io.StringIO(action_log_csv(rows))))
    assert first["owner"] == "'" + rows[0]["owner"] and first["domain"] == "'@SUM(1+1)"
    assert first["cycle"] == "1"  # numbers are left alone
    sheet = load_workbook(io.BytesIO(action_log_xlsx(rows)))["Actions"]
    owner = sheet.cell(2, ACTION_LOG_COLUMNS.index("owner") + 1)
    domain = sheet.cell(2, ACTION_LOG_COLUMNS.index("domain") + 1)
    assert owner.data_type == "s" and owner.quotePrefix and owner.value == rows[0]["owner"]
    assert domain.data_type == "s" and domain.quotePrefix


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-rubric", str(ANSWERS)], "no-such-rubric: /: no rubric has this id"),
        ([str(RUBRIC_PATH), str(ROOT / "README.md")], "README.md: /: not an answers file"),
        ([str(RUBRIC_PATH), str(ANSWERS), "-o", "actions.txt"], "the action log must end in .csv or .xlsx"),
        ([str(RUBRIC_PATH), str(ANSWERS), "-o", "/proc/no-such/actions.csv"], "cannot write the output"),
        ([str(RUBRIC_PATH), str(ANSWERS), "--plan-start", "2026-13-01"], "'2026-13-01' is not a date"),
    ],
    ids=["unknown rubric", "not answers", "unknown suffix", "unwritable", "bad date"],
)
def test_bad_input_is_refused_with_exit_code_2(args, message):
    done = run_main("plan", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_report_refuses_a_plan_start_that_is_not_a_date(tmp_path):
    done = run_main("report", str(RUBRIC_PATH), str(ANSWERS), "-o", str(tmp_path / "r.html"), "--plan-start", "soon")
    assert done.returncode == 2 and "'soon' is not a date" in done.stderr


def test_the_api_refuses_a_plan_start_that_is_not_a_date():
    with pytest.raises(qimaturity.OptionError, match="'soon' is not a date") as caught:
        qimaturity.action_log(RUBRIC, ANSWERS, plan_start="soon")
    assert caught.value.option == "--plan-start"
    with pytest.raises(qimaturity.OptionError, match="'2026-13-01' is not a date"):
        qimaturity.report(RUBRIC, ANSWERS, format="html", plan_start="2026-13-01")


# --- the plan in the report ----------------------------------------------------------------------------------


def test_the_reports_plan_is_the_action_logs_cycles():
    html = qimaturity.report(RUBRIC, RESULT, format="html", plan_start="2026-11-02").decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())
    for row in qimaturity.action_log(RUBRIC, RESULT, plan_start="2026-11-02"):
        assert f"From {nhs_date(row['start'])}: {row['step']}" in words
        assert f"{nhs_date(row['review_30'])} (day 30)" in words


def test_the_reports_act_row_names_the_path_to_the_target_by_level_names():
    html = qimaturity.report(RUBRIC, RESULT, format="html").decode()
    acts = [" ".join(re.sub(r"<[^>]+>", " ", a).split()) for a in re.findall(r'<tr class="pdsa-act">(.*?)</tr>', html)]
    # ideas-heard (cycle 2) is at level 1 (Low), target 3: its step takes it to 2 (Emerging), then 2 to 3
    # (Established) is the rest of the path, said by the level's name, never "level 2 to 3"
    assert acts[1] == (
        f"Act Adopt, adapt or abandon at day 90. Once Emerging holds, the path to the target: To Established: "
        f"{IDEAS_THEN}"
    )
    assert not any("level" in act for act in acts[1:])


@pytest.fixture(scope="module")
def northgate_pdf():
    return qimaturity.report("qi-readiness", NORTHGATE, format="pdf", report_date="2026-04-01")


@pytest.mark.slow
def test_the_northgate_plan_fits_on_two_pages(northgate_pdf):
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(northgate_pdf)).pages]
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 (PDF text breaks lines anywhere)
    first = next(
        i for i, text in enumerate(pages) if squeeze("Improvement plan\nThe priorities below") in squeeze(text)
    )
    rubric = qimaturity.load_rubric("qi-readiness")
    last_step = plan_cycles(qimaturity.score(rubric, qimaturity.load_assessment(NORTHGATE, rubric)), rubric)[-1]
    # The plan ends with the last cycle's Act row: its last step on the way to the target.
    last = next(i for i, text in enumerate(pages) if squeeze(last_step.path[-1].step) in squeeze(text) and i >= first)
    assert last - first + 1 <= 2
    # Cycle 5 starts 56 days after 18 March 2026 (worked in the test above): 13 May 2026, in the report's words.
    assert squeeze("From 13 May 2026:") in squeeze(pages[last])
