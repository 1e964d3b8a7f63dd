"""Machines get full values, people get rounded ones (issue 12, item 9).

Every file a program reads (JSON from ``score``, ``score-export`` and ``batch``; the CSV and XLSX of ``score``,
``score-export`` and ``compare``; ``Result.to_dict`` and ``to_records``) carries each float in full, as Python's
``repr`` writes it, so that a value can be checked against one worked by hand to the last digit. Terminal tables,
traces and reports round for the reader.

The golden case: tests/data/scoring/answers/acic-22-thirds.yaml against the ACIC-style rubric (items 0-11, a
subscale is the mean of its items, overall the mean of the subscale means):
    subscale a = (11 + 11) / 2 = 11; b = (8 + 8 + 8) / 3 = 8; c = (2 + 3 + 3 + 4) / 4 = 3
    overall = (11 + 8 + 3) / 3 = 22/3 = 7.333333333333333 (the float nearest 22/3; before, JSON said 7.3333)
    percent = 100 × (7.333333333333333 − 0) / (11 − 0): 100 × 7.333333333333333 = 733.3333333333333, / 11 =
        66.66666666666666 (two roundings; the float nearest 200/3 would be 66.66666666666667)
    band B runs from 6 to 9: position (7.333333333333333 − 6) / (9 − 6) = 1.333333333333333 / 3 =
        0.44444444444444436 (the subtraction is exact; the float nearest 4/9 would be 0.4444444444444444)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from qimaturity import load_assessment, load_rubric, score

from .conftest import DATA, run_main

RUBRIC = str(DATA / "scoring" / "rubrics" / "acic.yaml")
ANSWERS = DATA / "scoring" / "answers"
THIRDS = str(ANSWERS / "acic-22-thirds.yaml")
HALF = str(ANSWERS / "acic.yaml")  # subscales 10.5, 6, 3: overall 19.5 / 3 = 6.5

OVERALL = 22 / 3
PERCENT = 100 * OVERALL / 11


def test_the_hand_worked_numbers_are_the_floats_we_name():
    assert (OVERALL, PERCENT, (OVERALL - 6) / 3) == (7.333333333333333, 66.66666666666666, 0.44444444444444436)


def test_score_json_carries_22_thirds_in_full():
    result = run_main("score", RUBRIC, THIRDS, "--format", "json", "--trace")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    overall = data["overall"]
    assert (overall["value"], overall["percent"], overall["level"]) == (OVERALL, PERCENT, 7)
    assert overall["band"]["position"] == 0.44444444444444436
    assert '"value": 7.333333333333333\n' in result.stdout and '"raw_value": 7.333333333333333,' in result.stdout
    # The trace is for people: its arithmetic still rounds to 4 places.
    assert "= 7.3333" in overall["trace"]["arithmetic"]


def test_json_is_byte_identical_and_never_writes_minus_zero():
    first = run_main("score", RUBRIC, THIRDS, HALF, "--format", "json").stdout
    assert first == run_main("score", RUBRIC, THIRDS, HALF, "--format", "json").stdout
    near_zero = DATA / "numbers"
    # tests/data/numbers: a domain at -0.00001 (was 0.0 at 4 places) is written in full; no -0.0 anywhere.
    text = run_main("score", str(near_zero / "rubric.yaml"), str(near_zero / "now.yaml"), "--format", "json").stdout
    assert '"value": -1e-05,' in text and "-0.0," not in text and "-0.0\n" not in text


def test_to_dict_and_records_are_full_floats():
    rubric = load_rubric(RUBRIC)
    result = score(rubric, load_assessment(THIRDS, rubric))
    assert result.to_dict()["overall"]["value"] == OVERALL
    overall = next(r for r in result.to_records() if r["scope"] == "overall")
    assert (overall["value"], overall["percent"]) == (OVERALL, PERCENT)


def test_score_csv_writes_full_values_that_read_back(tmp_path):
    result = run_main("score", RUBRIC, THIRDS, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert (rows["overall"]["value"], rows["overall"]["percent"]) == ("7.333333333333333", "66.66666666666666")
    assert (rows["subscale-a"]["value"], rows["subscale-a"]["percent"]) == ("11", "100")  # whole: no ".0"
    out = tmp_path / "results.xlsx"
    assert run_main("score", RUBRIC, THIRDS, "-o", str(out)).returncode == 0
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(out)["Results"]
    header = [c.value for c in sheet[1]]
    values = {r[header.index("id")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["overall"][header.index("value")] == OVERALL
    assert values["overall"][header.index("percent")] == PERCENT


def test_compare_csv_and_xlsx_write_full_values(tmp_path):
    # Overall of the two organisations: 6.5 and 22/3; median (6.5 + 7.333333333333333) / 2 = 6.916666666666666,
    # q1 = 6.5 + (22/3 - 6.5) / 4 = 6.708333333333333 (linear between the two), q3 = 7.125.
    out = tmp_path / "cohort.csv"
    assert run_main("compare", RUBRIC, HALF, THIRDS, "--min-cohort", "2", "-o", str(out)).returncode == 0
    (overall,) = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["scope"] == "overall"]
    assert [overall[k] for k in ("minimum", "q1", "median", "q3", "maximum")] == [
        "6.5",
        "6.708333333333333",
        "6.916666666666666",
        "7.125",
        "7.333333333333333",
    ]
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "cohort.xlsx"
    assert run_main("compare", RUBRIC, HALF, THIRDS, "--min-cohort", "2", "-o", str(book)).returncode == 0
    cells = [c.value for sheet in openpyxl.load_workbook(book) for row in sheet.iter_rows() for c in row]
    assert OVERALL in cells and 6.916666666666666 in cells and round(OVERALL, 4) not in cells


def test_score_export_json_and_csv_equal_score_s(tmp_path):
    pytest.importorskip("polars")
    export = tmp_path / "export.csv"
    export.write_text(
        "organisation_id,organisation_name,respondent,a1,a2,b1,b2,b3,c1,c2,c3,c4\n"
        "org-acic-22,Organisation ACIC 22/3,r1,11,11,8,8,8,2,3,3,4\n",
        encoding="utf-8",
    )
    got = run_main("score-export", RUBRIC, str(export), "--format", "json")
    assert got.returncode == 0, got.stderr
    (exported,) = json.loads(got.stdout)
    assert exported["overall"]["value"] == OVERALL
    scored = json.loads(run_main("score", RUBRIC, THIRDS, "--format", "json").stdout)
    assert exported["overall"] == scored["overall"] and exported["domains"][0]["value"] == scored["domains"][0]["value"]
    table = run_main("score-export", RUBRIC, str(export), "--format", "csv").stdout
    assert ",overall,,overall,,,,7.333333333333333,7," in table


def test_batch_json_carries_full_values(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "thirds.yaml").write_text(Path(THIRDS).read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_main("batch", RUBRIC, str(answers), "-o", str(out), "--formats", "json", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "thirds.json").read_text(encoding="utf-8"))["overall"]["value"] == OVERALL


def test_the_terminal_table_still_rounds_for_people():
    result = run_main("score", RUBRIC, THIRDS)
    assert result.returncode == 0, result.stderr
    assert "7.33" in result.stdout and "7.333" not in result.stdout
