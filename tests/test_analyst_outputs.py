"""Outputs an analyst can use: ``compare --format json`` against its schema, the CSV's ``--table`` choice, the
terminal summary and ``--all``, and the workbooks' tables, dates and numbers.

Fixtures as in tests/test_cohort.py: five organisations answering tests/data/rubrics/valid-minimal.yaml (levels
1-3; overall = (2 x lead + meth) / 3), Alpha also assessed in 2025:
  a Alpha    acute      north   lead 1.0  meth 1  overall 1.0        (2025-06-30: lead 1.5, meth 2, overall 5/3)
  b Beta     acute      north   lead 2.0  meth 1  overall 5/3
  c Gamma    acute              lead 2.5  meth 2  overall 7/3
  d Delta    community          lead 3.0  meth 3  overall 3.0
  e Epsilon  community          lead 2.0  meth 3  overall 7/3
"""

from __future__ import annotations

import csv
import io
import json

import jsonschema_rs
import pytest

from .conftest import DATA, ROOT, run_main

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
FOLDER = str(DATA / "cohort")
COHORT_SCHEMA = json.loads((ROOT / "schemas" / "cohort.schema.json").read_text())


def schema_errors(schema, data):
    return [f"{e.instance_path}: {e.message}" for e in jsonschema_rs.validator_for(schema).iter_errors(data)]


def compare_json(*extra):
    ran = run_main("compare", MINI, FOLDER, "--format", "json", *extra)
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def test_compare_json_matches_the_cohort_schema_with_numbers_worked_by_hand():
    data = compare_json("--group-by", "type", "--min-cohort", "3")
    assert schema_errors(COHORT_SCHEMA, data) == []
    assert data["assessments"] == 6 and data["period"] == {"label": "latest", "start": None, "end": None}
    overall = data["everyone"]["overall"]
    # overall values 1, 5/3, 7/3, 7/3, 3 (inclusive quartiles): q1 = 5/3, median = q3 = 7/3, in full
    assert (overall["minimum"], overall["q1"], overall["median"], overall["q3"], overall["maximum"]) == (
        1.0,
        5 / 3,
        7 / 3,
        7 / 3,
        3.0,
    )
    # levels by floor (the highest level at or below the value): Alpha 1.0 -> 1, Beta 5/3 -> 1, Gamma and Epsilon
    # 7/3 -> 2, Delta 3
    assert overall["levels"] == [{"level": 1, "count": 2}, {"level": 2, "count": 2}, {"level": 3, "count": 1}]
    acute, community = data["groups"]
    assert (acute["name"], acute["organisations"], acute["suppressed"]) == ("acute", 3, False)
    # two community organisations, fewer than --min-cohort 3: a size, no statistics
    assert (community["organisations"], community["suppressed"], community["overall"]) == (2, True, None)
    assert all(d["stats"] is None for d in community["domains"])
    ranked = [(o["rank"], o["organisation_name"], o["score"]) for o in data["organisations"]]
    assert ranked == [
        (1, "Delta", 3.0),
        (2, "Epsilon", 7 / 3),
        (2, "Gamma", 7 / 3),
        (4, "Beta", 5 / 3),
        (5, "Alpha", 1.0),
    ]
    alpha = data["organisations"][-1]
    assert (alpha["type"], alpha["region"], alpha["group"], alpha["date"]) == ("acute", "north", "acute", "2026-06-30")
    # lead's fences are 1.25 and 3.25 (q1 2, q3 2.5), so Alpha's 1.0 is low
    assert alpha["outliers"] == [{"id": "lead", "side": "low"}]
    assert [d["id"] for d in alpha["domains"]] == ["lead", "meth"]
    (trend,) = data["trends"]
    assert trend["dates"] == ["2025-06-30", "2026-06-30"]
    assert [s["values"] for s in trend["domains"]] == [[1.5, 1.0], [2.0, 1.0]]
    assert trend["overall"]["values"] == [5 / 3, 1.0]
    # two years: 2025 holds Alpha alone (suppressed at 3), 2026 all five; one organisation in both, suppressed
    assert [(y["year"], y["organisations"], y["suppressed"]) for y in data["years"]] == [
        ("2025", 1, True),
        ("2026", 5, False),
    ]
    assert data["movements"][0]["in_both"] == 1 and data["movements"][0]["moved_up"] is None


def test_compare_json_to_a_file_is_the_same_document_and_the_schema_rejects_a_leak(tmp_path):
    out = tmp_path / "cohort.json"
    ran = run_main("compare", MINI, FOLDER, "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data == compare_json()
    # the schema is no formality: a suppressed group that carried a median would be refused
    data["everyone"]["suppressed"] = True
    assert any("overall" in error for error in schema_errors(COHORT_SCHEMA, data))


def test_compare_format_json_with_a_csv_output_is_refused(tmp_path):
    ran = run_main("compare", MINI, FOLDER, "--format", "json", "-o", str(tmp_path / "x.csv"))
    assert ran.returncode == 2
    assert "x.csv is not a .json file: give it that suffix, or leave the format out" in ran.stderr
    assert not (tmp_path / "x.csv").exists()


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_compare_csv_table_organisations_has_a_row_per_organisation_with_domain_ids(tmp_path):
    out = tmp_path / "organisations.csv"
    ran = run_main("compare", MINI, FOLDER, "--table", "organisations", "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    rows = read_csv(out.read_text(encoding="utf-8"))
    assert [r["organisation_name"] for r in rows] == ["Delta", "Epsilon", "Gamma", "Beta", "Alpha"]
    gamma = rows[2]
    # Gamma: lead (3 + 2) / 2 = 2.5, meth 2, overall (2 x 2.5 + 2) / 3 = 7/3, in full
    assert (gamma["rank"], gamma["type"], gamma["lead"], gamma["meth"], gamma["score"]) == (
        "2",
        "acute",
        "2.5",
        "2",
        "2.3333333333333335",
    )
    assert rows[-1]["region"] == "north" and rows[-1]["outliers"] == "lead low"


def test_compare_csv_table_trends_is_long_form_one_row_per_date():
    ran = run_main("compare", MINI, FOLDER, "--format", "csv", "--table", "trends")
    assert ran.returncode == 0, ran.stderr
    rows = read_csv(ran.stdout)
    # Alpha alone was assessed twice: lead, meth and overall, each at two dates; levels by floor (1.5 -> 1)
    assert [(r["id"], r["date"], r["value"], r["level"]) for r in rows] == [
        ("lead", "2025-06-30", "1.5", "1"),
        ("lead", "2026-06-30", "1", "1"),
        ("meth", "2025-06-30", "2", "2"),
        ("meth", "2026-06-30", "1", "1"),
        ("overall", "2025-06-30", "1.6666666666666667", "1"),
        ("overall", "2026-06-30", "1", "1"),
    ]
    assert {(r["organisation_id"], r["type"], r["region"], r["scope"]) for r in rows[:4]} == {
        ("org-a", "acute", "north", "domain")
    }


def test_compare_csv_default_table_is_still_the_group_statistics():
    ran = run_main("compare", MINI, FOLDER, "--format", "csv")
    assert ran.returncode == 0, ran.stderr
    rows = read_csv(ran.stdout)
    assert list(rows[0])[:3] == ["group", "period", "organisations"]
    overall = next(r for r in rows if r["period"] == "latest" and r["scope"] == "overall")
    assert (overall["q1"], overall["median"]) == ("1.6666666666666667", "2.3333333333333335")


@pytest.mark.slow
def test_compare_on_a_terminal_prints_a_summary_and_all_prints_every_organisation():
    names = [f"org-{i:05d}" for i in range(1, 25)]
    summary = run_main("compare", "qi-readiness", "examples/cohort", "--group-by", "type", columns=100)
    assert summary.returncode == 0, summary.stderr
    lines = summary.stdout.splitlines()
    # the findings, the groups' table, outliers and movers: about 50 lines where every table took 360
    assert len(lines) <= 70, len(lines)
    assert "Overall value by group" in summary.stdout and "Ranking" not in summary.stdout
    assert "Largest clear changes of overall value since last time" in summary.stdout
    assert "--all" in summary.stdout
    everything = run_main("compare", "qi-readiness", "examples/cohort", "--group-by", "type", "--all", columns=200)
    assert everything.returncode == 0, everything.stderr
    ranking = everything.stdout.split("Ranking", 1)[1]
    shown = [line for line in ranking.splitlines() if line.startswith("│")]
    assert len(shown) >= 24
    for n in names:
        text = (ROOT / "examples" / "cohort" / f"{n}-2026.yaml").read_text()
        name = text.split("  name: ", 1)[1].split("\n", 1)[0].strip("'\"")
        assert name in ranking, name
