"""Ids and names in natural order wherever they are shown or written: ``frontline-6`` before ``frontline-10``,
``org-6`` before ``org-10`` (qimaturity/_core/order.py, the one sort key)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from qimaturity._core.order import natural_key

from .conftest import DATA, ROOT, run_main

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
ANSWERS = DATA / "answers" / "mini-two-groups.yaml"
EASTFIELD = "examples/answers/eastfield-mental-health.yaml"  # frontline-1 to frontline-19


def test_numbers_in_ids_sort_by_value_and_letters_ignore_case():
    ids = ["frontline-10", "frontline-6", "Frontline-7", "frontline-1", "frontline", "board-2", "frontline-06"]
    assert sorted(ids, key=natural_key) == [
        "board-2",
        "frontline",
        "frontline-1",
        "frontline-06",  # 06 and 6 are the same number: the text itself decides, the same way every time
        "frontline-6",
        "Frontline-7",
        "frontline-10",
    ]


def test_any_text_has_a_key_digit_symbols_and_runs_of_thousands_of_digits_included():
    # '²' and '①' count as digits to str.isdigit() but not to int(); int() refuses runs over 4,300 digits. Only ASCII
    # digit runs are numbers, compared by length without leading zeros, then digit by digit: 1...1 before 9...9,
    # both longer than 10 and so after it.
    ids = ["x" + "9" * 5000, "x" + "1" * 5000, "x10", "b1\u00b22", "\u2460", "b12"]
    assert sorted(ids, key=natural_key) == ["b1\u00b22", "b12", "x10", "x" + "1" * 5000, "x" + "9" * 5000, "\u2460"]


def test_a_respondent_id_with_a_digit_symbol_is_scored(tmp_path):
    text = (ROOT / EASTFIELD).read_text().replace("id: board-1\n", 'id: "b1\u00b22"\n', 1)
    assert "b1\u00b22" in text
    answers = tmp_path / "answers.yaml"
    answers.write_text(text)
    result = run_main("score", "qi-readiness", str(answers), "--format", "json")
    assert result.returncode == 0, result.stderr


def test_explain_lists_frontline_6_before_frontline_10():
    result = run_main("explain", "qi-readiness", EASTFIELD, "--question", "lead-role-models")
    assert result.returncode == 0, result.stderr
    answers = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("  answer frontline-")]
    assert answers == [f"frontline-{n}" for n in range(1, 20)]  # as text: 1, 10, 11, ..., 19, 2, 3, ...


def test_json_answers_are_in_the_same_natural_order():
    result = run_main("score", "qi-readiness", EASTFIELD, "--format", "json", "--trace")
    assert result.returncode == 0, result.stderr
    domain = json.loads(result.stdout)["domains"][0]
    question = next(q for q in domain["questions"] if q["id"] == "lead-role-models")
    frontline = [a["respondent"] for a in question["answers"] if a["respondent"].startswith("frontline-")]
    assert frontline == [f"frontline-{n}" for n in range(1, 20)]


def _organisations(folder: Path, numbers: list[int], dates: list[str]) -> Path:
    """Copies of a small answers file as organisations org-N (each at each date), in ``folder``."""
    folder.mkdir()
    text = ANSWERS.read_text()
    for number in numbers:
        for day in dates:
            copy = text.replace("id: org-a, name: Organisation A", f"id: org-{number}, name: Organisation {number}")
            (folder / f"org-{number}-{day[:4]}.yaml").write_text(copy.replace('"2026-06-30"', f'"{day}"'))
    return folder


def test_a_folder_is_scored_in_natural_order_of_its_files(tmp_path):
    folder = _organisations(tmp_path / "answers", [10, 6], ["2026-06-30"])
    result = run_main("score", MINI, str(folder), "--format", "csv")
    assert result.returncode == 0, result.stderr
    orgs = [row["organisation_id"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert list(dict.fromkeys(orgs)) == ["org-6", "org-10"]


def test_compare_ranks_ties_and_lists_trends_in_natural_order(tmp_path):
    # The two organisations have the same answers, so the same score: the tie is broken by name, then id.
    folder = _organisations(tmp_path / "cohort", [10, 6], ["2025-06-30", "2026-06-30"])
    ranking = run_main("compare", MINI, str(folder), "--format", "csv", "--table", "organisations")
    assert ranking.returncode == 0, ranking.stderr
    rows = list(csv.DictReader(io.StringIO(ranking.stdout)))
    assert [(r["rank"], r["organisation_name"]) for r in rows] == [("1", "Organisation 6"), ("1", "Organisation 10")]
    trends = run_main("compare", MINI, str(folder), "--format", "csv", "--table", "trends")
    assert trends.returncode == 0, trends.stderr
    orgs = [row["organisation_id"] for row in csv.DictReader(io.StringIO(trends.stdout))]
    assert list(dict.fromkeys(orgs)) == ["org-6", "org-10"]


def test_score_export_writes_organisations_in_natural_order(tmp_path):
    pytest.importorskip("polars")
    export = tmp_path / "survey.csv"
    export.write_text(
        "organisation_id,respondent,group,lead-1,lead-2,meth-1\n"
        "org-10,r1,board,2,2,2\n"
        "org-6,r1,board,3,1,2\n"
        "org-9,r1,staff,1,1,1\n"
    )
    result = run_main("score-export", MINI, str(export))
    assert result.returncode == 0, result.stderr
    orgs = [row["organisation_id"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert list(dict.fromkeys(orgs)) == ["org-6", "org-9", "org-10"]


def test_an_export_is_scored_and_imported_in_natural_order_whatever_its_rows_order(tmp_path):
    export = tmp_path / "survey.csv"
    rows = ["organisation_id,respondent,group,lead-1,lead-2,meth-1"]
    rows += [f"{org},r1,board,2,2,2" for org in ("org-10", "org-6", "org-9")]
    export.write_text("\n".join(rows) + "\n")
    scored = run_main("score", MINI, str(export), "--format", "csv")
    assert scored.returncode == 0, scored.stderr
    firsts = [row["organisation_id"] for row in csv.DictReader(io.StringIO(scored.stdout))]
    assert list(dict.fromkeys(firsts)) == ["org-6", "org-9", "org-10"]
    imported = run_main("import", MINI, str(export), "-o", str(tmp_path / "answers"))
    assert imported.returncode == 0, imported.stderr
    assert [Path(line).name for line in imported.stdout.splitlines()] == ["org-6.yaml", "org-9.yaml", "org-10.yaml"]
