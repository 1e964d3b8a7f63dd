"""Cohorts over time (issue 15): a cohort of one period, the national trend year by year, movement between levels
with the noise rule, and compare's progress bar; numbers worked out by hand.

Two fixtures. tests/data/cohort (see tests/test_cohort.py): five organisations assessed on 2026-06-30, and Alpha
also on 2025-06-30 (lead 1.5, meth 2, overall 5/3).

A noise fixture written here with the rubric of tests/test_intervals.py (one domain of two questions on a 1-5
scale, respondents' mean, level by floor; the overall is the domain): ten respondents per assessment, each answering
both questions alike, so a respondent's score is their answer.
  rx1 2025: nine 3s and a 2 -> 2.9 (level 2);  2026: ten 3s -> 3.0 (level 3): +0.1 ± t(9) × √(0.1² + 0²) =
      ±0.2262, within the noise: the level changed but the value did not clearly: "no clear change"
  rx2 2025: nine 2s and a 3 -> 2.1 (level 2);  2026: nine 4s and a 5 -> 4.1 (level 4): +2.0 ± 0.3199: moved up
  rx3 2025: ten 3s -> 3.0 (level 3);  2026-01-15: ten 1s -> 1.0, then 2026-09-30: ten 3s -> 3.0 (level 3):
      the year's latest counts: stayed
  rx4 2025: nine 4s and a 5 -> 4.1 (level 4);  2026: nine 2s and a 3 -> 2.1 (level 2): -2.0 ± 0.3199: moved down
  rx5 2026 only: ten 3s -> 3.0 (level 3): not in both years
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

import qimaturity
from qimaturity import InputError
from qimaturity.cohort.model import PeriodError, build_cohort
from qimaturity.cohort.score import score_files
from qimaturity.cohort.tables import cohort_xlsx, write_cohort_csv

from .conftest import DATA, run_main
from .test_cohort import RUBRIC, results
from .test_intervals import answers, rubric_yaml, write

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
FOLDER = DATA / "cohort"


def noise_folder(tmp_path: Path) -> tuple[Path, Path]:
    rubric = write(tmp_path, "noise.yaml", rubric_yaml("mean"))
    folder = tmp_path / "answers"
    folder.mkdir()
    sets = {
        ("rx1", "2025-09-30"): [(3, 3)] * 9 + [(2, 2)],
        ("rx1", "2026-09-30"): [(3, 3)] * 10,
        ("rx2", "2025-09-30"): [(2, 2)] * 9 + [(3, 3)],
        ("rx2", "2026-09-30"): [(4, 4)] * 9 + [(5, 5)],
        ("rx3", "2025-09-30"): [(3, 3)] * 10,
        ("rx3", "2026-01-15"): [(1, 1)] * 10,
        ("rx3", "2026-09-30"): [(3, 3)] * 10,
        ("rx4", "2025-09-30"): [(4, 4)] * 9 + [(5, 5)],
        ("rx4", "2026-09-30"): [(2, 2)] * 9 + [(3, 3)],
        ("rx5", "2026-09-30"): [(3, 3)] * 10,
    }
    for (org, day), pairs in sets.items():
        write(folder, f"{org}-{day}.yaml", answers(pairs, day, org))
    return rubric, folder


def test_a_period_compares_only_the_assessments_dated_in_it():
    # 2025 holds Alpha's earlier assessment alone: lead 1.5, meth 2, overall 5/3; no trend, as it has one date
    cohort = build_cohort(results(), start="2025-01-01", end="2025-12-31", min_cohort=1)
    assert [(m.name, m.date) for m in cohort.members] == [("Alpha", "2025-06-30")]
    assert cohort.everyone.domain("lead").median == 1.5 and cohort.everyone.overall.median == pytest.approx(5 / 3)
    assert cohort.trends == () and cohort.years == ()
    assert cohort.notes[0] == "1 of 6 assessments are dated from 2025-01-01 to 2025-12-31; the others are left out."
    # From 2026 on: the five 2026 assessments, Alpha by its 2026 one (lead 1), and no trend since 2025
    later = build_cohort(results(), start="2026-01-01")
    assert later.everyone.n == 5 and later.trends == ()
    assert {m.name: m.values[0][1] for m in later.members}["Alpha"] == 1.0


@pytest.mark.slow
def test_compare_period_writes_the_years_rows_and_refuses_an_empty_period(tmp_path):
    out = tmp_path / "cohort-2025.csv"
    done = run_main("compare", MINI, str(FOLDER), "--period", "2025", "--min-cohort", "1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    lead = next(r for r in rows if r["id"] == "lead")
    assert (lead["period"], lead["organisations"], lead["median"]) == ("2025", "1", "1.5")
    # The same with --from and --to, inclusive: the day itself counts
    same = run_main(
        "compare", MINI, str(FOLDER), "--from", "2025-06-30", "--to", "2025-06-30", "--min-cohort", "1", "--all"
    )
    assert same.returncode == 0 and "Alpha" in same.stdout and "Beta" not in same.stdout
    both = run_main("compare", MINI, str(FOLDER), "--period", "2025", "--from", "2025-01-01")
    assert both.returncode == 2 and "not both" in both.stderr


def test_a_period_compare_cannot_use_is_refused_naming_its_option_and_what_to_give(tmp_path):
    # FOLDER's assessments are dated 2025-06-30 and 2026-06-30. Each message names the option it comes from (not
    # "cohort: /:"), says what is wrong and what to give instead; the exit code is 2.
    def refused(*options):
        result = run_main("compare", MINI, str(FOLDER), *options)
        assert result.returncode == 2, options
        assert "cohort: /:" not in result.stderr and "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines  # the message alone, without click's usage lines above it
        return lines[0]

    assert refused("--period", "2024") == (
        "Error: Invalid value for --period: no assessment is dated in 2024 (the assessments are dated 2025-06-30, "
        "2026-06-30): give a year that has assessments (2025, 2026; e.g. --period 2026), or leave --period out to "
        "compare each organisation's latest assessment"
    )
    assert refused("--from", "2027-01-01") == (
        "Error: Invalid value for --from: no assessment is dated in the period --from 2027-01-01 (the assessments "
        "are dated 2025-06-30, 2026-06-30): give dates that take some in, or leave --from out to compare each "
        "organisation's latest assessment"
    )
    assert refused("--from", "2025-07-01", "--to", "2026-01-31") == (
        "Error: Invalid value for --from/--to: no assessment is dated in the period --from 2025-07-01 --to "
        "2026-01-31 (the assessments are dated 2025-06-30, 2026-06-30): give dates that take some in, or leave "
        "--from and --to out to compare each organisation's latest assessment"
    )
    assert refused("--from", "2026-01-01", "--to", "2025-01-01") == (
        "Error: Invalid value for --from/--to: --from 2026-01-01 is after --to 2025-01-01: give --from on or before "
        "--to (or swap them)"
    )
    # In Python, a period error is an InputError that says which: PeriodError, with the dates there are.
    with pytest.raises(PeriodError) as empty:
        build_cohort(results(), start="2024-01-01", end="2024-12-31")
    assert (empty.value.reason, empty.value.dates) == ("empty", ("2025-06-30", "2026-06-30"))
    assert isinstance(empty.value, InputError)


def test_the_national_trend_gives_each_years_statistics(tmp_path):
    rubric, folder = noise_folder(tmp_path)
    cohort = qimaturity.compare(rubric, folder, min_cohort=1)
    assert [(y.year, y.stats.n) for y in cohort.years] == [("2025", 4), ("2026", 5)]
    first, second = (y.stats.overall for y in cohort.years)
    # 2025: 2.1, 2.9, 3.0, 4.1; inclusive quartiles at (n - 1) p = 0.75, 1.5, 2.25: q1 2.1 + 0.75 × 0.8 = 2.7,
    # median (2.9 + 3.0) / 2 = 2.95, q3 3.0 + 0.25 × 1.1 = 3.275; levels 2, 2, 3, 4
    assert (first.q1, first.median, first.q3) == pytest.approx((2.7, 2.95, 3.275))
    assert first.levels == ((2, 2), (3, 1), (4, 1))
    # 2026: rx3 by its September 3.0, not its January 1.0: 2.1, 3.0, 3.0, 3.0, 4.1: q1 = median = q3 = 3.0
    assert (second.minimum, second.q1, second.median, second.q3) == pytest.approx((2.1, 3.0, 3.0, 3.0))
    assert second.levels == ((2, 1), (3, 3), (4, 1))
    buffer = io.StringIO()
    write_cohort_csv(cohort, [1, 2, 3, 4, 5], buffer)
    sheet = load_workbook(io.BytesIO(cohort_xlsx(cohort, [1, 2, 3, 4, 5])))["Statistics"]
    header = [cell.value for cell in sheet[1]]
    cells = [dict(zip(header, (cell.value for cell in line), strict=True)) for line in sheet.iter_rows(min_row=2)]
    assert [(r["period"], r["scope"], r["median"]) for r in cells if r["period"] == "2025"] == [
        ("2025", "domain", 2.95),
        ("2025", "overall", 2.95),
    ]
    rows = [r for r in csv.DictReader(io.StringIO(buffer.getvalue())) if r["period"] == "2025"]
    assert [(r["scope"], r["organisations"], r["median"]) for r in rows] == [
        ("domain", "4", "2.95"),
        ("overall", "4", "2.95"),
    ]


def test_movement_between_levels_counts_a_move_only_beyond_the_noise(tmp_path):
    rubric, folder = noise_folder(tmp_path)
    cohort = qimaturity.compare(rubric, folder, min_cohort=1)
    (move,) = cohort.movements
    # rx1..rx4 are in both years (rx5 is new): rx2 up, rx3 stayed, rx4 down, rx1's level 2 -> 3 within the noise
    assert (move.earlier, move.later, move.organisations) == ("2025", "2026", 4)
    assert (move.moved_up, move.stayed, move.moved_down, move.no_clear_change, move.not_comparable) == (1, 1, 1, 1, 0)
    buffer = io.StringIO()
    write_cohort_csv(cohort, [1, 2, 3, 4, 5], buffer)
    overall = next(
        r for r in csv.DictReader(io.StringIO(buffer.getvalue())) if r["period"] == "2026" and r["scope"] == "overall"
    )
    assert (overall["previous_period"], overall["in_both"], overall["moved_up"], overall["no_clear_change"]) == (
        "2025",
        "4",
        "1",
        "1",
    )
    # Four organisations in both years are fewer than a minimum of five: the counts are suppressed, the size shown
    hidden = qimaturity.compare(rubric, folder).movements[0]
    assert hidden.suppressed and hidden.organisations == 4 and hidden.moved_up is None
    shown = run_main("compare", str(rubric), str(folder), "--min-cohort", "1", "--all")
    assert shown.returncode == 0, shown.stderr
    assert "Movement between overall levels" in shown.stdout
    # years, in both, up, stayed, down, no clear change, not comparable
    assert re.search(r"2025 -> 2026 │ +4 │ +1 │ +1 │ +1 │ +1 │ +0 │", shown.stdout)


def test_a_cohort_whose_latest_assessments_span_years_says_so():
    # Without a period, Alpha's 2025 assessment alone would be its latest were its 2026 one missing
    cohort = build_cohort(results(("org-a-2025", "org-b", "org-c")))
    assert cohort.notes[0].startswith(
        "Each organisation counts by its latest assessment, and these span 2025 to 2026: 1 organisation(s) were "
        "last assessed before 2026."
    )


def test_compare_scores_files_with_progress_and_keeps_a_pipe_clean(tmp_path):
    calls = []
    scored, problems = score_files(RUBRIC, [FOLDER], progress=lambda done, total, record: calls.append((done, total)))
    # Six files: once before any, then after each
    assert calls == [(0, 6), (1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6)] and len(scored) == 6 and not problems
    out = tmp_path / "cohort.csv"
    piped = run_main("compare", MINI, str(FOLDER), "-o", str(out))
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout == f"{out}\n"
    on_a_terminal = run_main("compare", MINI, str(FOLDER), env={"FORCE_COLOR": "1"})
    assert "6/6" in on_a_terminal.stderr and "files/s" in on_a_terminal.stderr


@pytest.mark.slow
def test_the_cohort_report_shows_the_years_table_chart_and_movement(tmp_path):
    rubric, folder = noise_folder(tmp_path)
    out = tmp_path / "cohort.html"
    done = run_main("compare", str(rubric), str(folder), "--min-cohort", "1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    page = re.sub(r">\s+<", "><", out.read_text(encoding="utf-8"))
    assert '<section class="chapter" id="years">' in page and '<a href="#years">Year by year</a>' in page
    # 2025's overall row: 4 organisations, q1 2.70, median 2.95, q3 3.27 (3.275 is 3.27499... as a float)
    assert (
        '<th scope="row">2025</th><td class="num">4</td><td class="num">2.70</td><td class="num">2.95</td>'
        '<td class="num">3.27</td><td>2 L2, 1 L3, 1 L4</td>'
    ) in page
    # The chart of medians by year, its years said as years in its text alternative
    assert 'id="years"' in page and "Years 2025, 2026." in page
    # Movement 2025 to 2026: 4 in both, 1 up, 1 stayed, 1 down, 1 no clear change, 0 not comparable
    assert (
        '<th scope="row">2025 to 2026</th><td class="num">4</td><td class="num">1</td><td class="num">1</td>'
        '<td class="num">1</td><td class="num">1</td><td class="num">0</td>'
    ) in page
    assert "Of the 4 organisations assessed in both 2025 and 2026, 1 moved up an overall level, 1 stayed" in page
    # A period is named on the cover
    one_year = tmp_path / "cohort-2026.html"
    done = run_main("compare", str(rubric), str(folder), "--period", "2026", "-o", str(one_year))
    assert done.returncode == 0, done.stderr
    page = one_year.read_text(encoding="utf-8")
    assert "<dt>Period compared</dt><dd>Calendar year 2026</dd>" in page and 'id="years"' not in page


def test_the_gap_reports_peer_percentile_leaves_the_organisation_out():
    cohort = build_cohort(results())
    html = qimaturity.report(RUBRIC, FOLDER / "org-c.yaml", format="html", cohort=cohort).decode()
    row = re.sub(r">\s+<", "><", html[html.index('<table class="peers-table">') :])
    # Gamma's lead 2.5 among Alpha 1, Beta 2, Delta 3 and Epsilon 2: three below, 3 / 4 = 75 % (with Gamma itself
    # among them, as before: (3 + 1 / 2) / 5 = 70 %)
    assert '<th scope="row">Leadership</th><td class="num">2.50</td>' in row
    lead = row[row.index('<th scope="row">Leadership</th>') :]
    # and, against the cohort's quartiles (q1 2, median 2, q3 2.5), at the upper quartile, not above it
    assert lead.split("</tr>")[0].endswith('<td class="num">75</td><td>between the median and the upper quartile</td>')


def test_a_period_is_named_as_a_year_as_dates_or_open_ended():
    from qimaturity.cohort.tables import period_label
    from qimaturity.report.cohort_view import cohort_period

    named = {
        (start, end): (period_label(c := build_cohort(results(), start=start, end=end)), cohort_period(c))
        for start, end in (
            (None, None),
            ("2025-01-01", "2025-12-31"),
            ("2025-04-01", "2026-06-30"),
            ("2026-01-01", None),
            (None, "2025-12-31"),
        )
    }
    assert named == {
        (None, None): ("latest", None),
        ("2025-01-01", "2025-12-31"): ("2025", "calendar year 2025"),
        ("2025-04-01", "2026-06-30"): ("2025-04-01 to 2026-06-30", "1 April 2025 to 30 June 2026"),
        ("2026-01-01", None): ("from 2026-01-01", "from 1 January 2026"),
        (None, "2025-12-31"): ("up to 2025-12-31", "up to 31 December 2025"),
    }
