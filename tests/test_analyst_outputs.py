"""Outputs an analyst can use: ``compare --format json`` against its schema, the CSV's ``--table`` choice, the
terminal summary and ``--all``, and the workbooks' tables, dates and numbers.

Fixtures as in tests/test_cohort.py: five organisations answering tests/data/rubrics/valid-minimal.yaml (levels
1-3; overall = (2 x lead + meth) / 3), Alpha also assessed in 2025:
  a Alpha    acute      north   lead 1.0  meth 1  overall 1.0        (2025-06-30: lead 1.5, meth 2, overall 5/3)
  b Beta     acute      north   lead 2.0  meth 1  overall 5/3
  c Gamma    acute      south   lead 2.5  meth 2  overall 7/3
  d Delta    community  south   lead 3.0  meth 3  overall 3.0
  e Epsilon  community  south   lead 2.0  meth 3  overall 7/3
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

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


def sheet_rows(sheet):
    header = [c.value for c in sheet[1]]
    return header, [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def assert_one_filtered_table_per_sheet(book, names):
    for name in names:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        (table,) = sheet.tables.values()
        # the table covers the header and every row, with a filter on every column
        assert table.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}", name
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref, name


@pytest.mark.slow
def test_compare_xlsx_sheets_are_filtered_tables_with_dates_types_and_full_numbers(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "cohort.xlsx"
    ran = run_main("compare", MINI, FOLDER, "--group-by", "type", "--min-cohort", "3", "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Statistics", "Organisations", "Trends", "Domains", "Notes"]
    assert_one_filtered_table_per_sheet(book, ["Statistics", "Organisations", "Trends", "Domains"])
    header, rows = sheet_rows(book["Organisations"])
    assert header[:10] == [
        "rank",
        "organisation_id",
        "organisation_name",
        "type",
        "region",
        "group",
        "date",
        "score",
        "overall_level",
        "overall_band",
    ]
    assert header[10:14] == ["lead", "meth", "lead_level", "meth_level"]
    gamma = next(r for r in rows if r["organisation_name"].value == "Gamma")
    # a real date cell, shown as ISO
    assert gamma["date"].is_date and gamma["date"].value == datetime(2026, 6, 30)
    assert gamma["date"].number_format == "yyyy-mm-dd"
    # 7/3 kept (openpyxl writes 16 significant digits), shown with two decimals; a whole 2 in the same column too
    assert gamma["score"].value == pytest.approx(7 / 3, rel=1e-15) and gamma["score"].number_format == "0.00"
    assert (gamma["lead"].value, gamma["lead"].number_format) == (2.5, "0.00")
    assert (gamma["meth"].value, gamma["meth"].number_format) == (2, "0.00")
    assert (gamma["lead_level"].value, gamma["lead_level"].number_format) == (2, "General")
    assert (gamma["type"].value, gamma["region"].value) == ("acute", "south")
    # the trends in long form: Alpha's lead, meth and overall at each of its two dates, a value to a cell
    header, trends = sheet_rows(book["Trends"])
    assert [(r["id"].value, r["date"].value, r["value"].value) for r in trends] == [
        ("lead", datetime(2025, 6, 30), 1.5),
        ("lead", datetime(2026, 6, 30), 1),
        ("meth", datetime(2025, 6, 30), 2),
        ("meth", datetime(2026, 6, 30), 1),
        ("overall", datetime(2025, 6, 30), pytest.approx(5 / 3, rel=1e-15)),
        ("overall", datetime(2026, 6, 30), 1),
    ]
    assert {(r["type"].value, r["region"].value) for r in trends} == {("acute", "north")}
    assert [[c.value for c in row] for row in book["Domains"].iter_rows()] == [
        ["id", "title"],
        ["lead", "Leadership"],
        ["meth", "Method"],
    ]


def test_score_xlsx_names_columns_as_compare_does(tmp_path):
    from openpyxl import load_workbook

    scored, compared = tmp_path / "scores.xlsx", tmp_path / "cohort.xlsx"
    files = [str(DATA / "cohort" / f"org-{x}.yaml") for x in "abcde"]
    assert run_main("score", MINI, *files, "-o", str(scored)).returncode == 0
    assert run_main("compare", MINI, *files, "-o", str(compared)).returncode == 0
    score_book, compare_book = load_workbook(scored), load_workbook(compared)
    assert score_book.sheetnames == ["Results", "Organisations", "Domains"]
    assert_one_filtered_table_per_sheet(score_book, score_book.sheetnames)
    score_header, rows = sheet_rows(score_book["Organisations"])
    compare_header = [c.value for c in compare_book["Organisations"][1]]
    shared = ["organisation_id", "organisation_name", "type", "region", "date", "overall_level", "overall_band"]
    domains = ["lead", "meth", "lead_level", "meth_level"]
    for header in (score_header, compare_header):
        assert all(name in header for name in shared + domains), header
    assert [[c.value for c in r] for r in score_book["Domains"].iter_rows()] == [
        [c.value for c in r] for r in compare_book["Domains"].iter_rows()
    ]
    gamma = next(r for r in rows if r["organisation_name"].value == "Gamma")
    # overall (2 x 2.5 + 2) / 3 = 7/3, lead 2.5, meth 2 at level 2
    assert gamma["overall_value"].value == pytest.approx(7 / 3, rel=1e-15)
    assert gamma["overall_value"].number_format == "0.00"
    assert (gamma["lead"].value, gamma["meth"].value, gamma["meth_level"].value) == (2.5, 2, 2)
    assert gamma["date"].is_date and gamma["date"].value == datetime(2026, 6, 30)
    header, results = sheet_rows(score_book["Results"])
    assert header[:4] == ["organisation_id", "organisation_name", "type", "region"]
    assert all(r["date"].is_date for r in results)
    assert {(r["organisation_name"].value, r["type"].value, r["region"].value) for r in results} == {
        ("Alpha", "acute", "north"),
        ("Beta", "acute", "north"),
        ("Gamma", "acute", "south"),
        ("Delta", "community", "south"),
        ("Epsilon", "community", "south"),
    }


def test_a_sheet_whose_header_repeats_a_name_or_has_no_rows_gets_no_table():
    from openpyxl import Workbook

    from qimaturity._core.sheets import write_table

    book = Workbook()
    # a domain with the id "date" beside the date column: Excel would repair such a table away
    assert write_table(book.active, ["date", "Date"], [["2026-06-30", 2.5]], "Clash") == 1
    assert book.active.tables == {} and book.active["A2"].is_date and book.active["B2"].number_format == "0.00"
    empty = book.create_sheet("Empty")
    assert write_table(empty, ["organisation_id"], [], "Empty") == 0
    assert empty.tables == {} and empty.freeze_panes == "A2"


def explain_validator():
    result_schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text())
    schema = json.loads((ROOT / "schemas" / "explain.schema.json").read_text())
    registry = jsonschema_rs.Registry([(result_schema["$id"], result_schema)])
    return jsonschema_rs.validator_for(schema, registry=registry)


ANSWERS = str(DATA / "answers" / "mini-two-groups.yaml")


@pytest.mark.parametrize(
    ("scope", "options"),
    [("overall", ()), ("domain", ("--domain", "lead")), ("question", ("--question", "lead-2"))],
)
def test_explain_json_matches_its_schema_for_each_scope(scope, options):
    ran = run_main("explain", MINI, ANSWERS, "--format", "json", *options)
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert [f"{e.instance_path}: {e.message}" for e in explain_validator().iter_errors(data)] == []
    assert data["scope"] == scope
    text = run_main("explain", MINI, ANSWERS, *options).stdout
    assert data["text"] == text
    if scope == "overall":
        assert [d["id"] for d in data["domains"]] == ["lead", "meth"] and data["overall"]["trace"]["arithmetic"]
    elif scope == "domain":
        (lead,) = data["domains"]
        assert [q["id"] for q in lead["questions"]] == ["lead-1", "lead-2"]
    else:
        # lead-2: board b1 answered 3; staff s1 1 and s2 2 -> median 1.5 (tests/test_cli_score.py)
        assert [(g["group"], g["value"]) for g in data["question"]["by_group"]] == [("board", 3.0), ("staff", 1.5)]


def test_the_explain_schema_refuses_a_question_scope_without_its_question():
    ran = run_main("explain", MINI, ANSWERS, "--format", "json", "--question", "lead-2")
    data = json.loads(ran.stdout)
    data["question"] = None
    assert not explain_validator().is_valid(data)


SHOW_SCHEMA = json.loads((ROOT / "schemas" / "show.schema.json").read_text())


def test_show_json_matches_its_schema_whole_and_for_one_domain():
    ran = run_main("show", MINI, "--format", "json")
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert schema_errors(SHOW_SCHEMA, data) == []
    # tests/data/rubrics/valid-minimal.yaml: levels 1-3, domains lead (two questions, weight 2) and meth (one)
    assert [lv["value"] for lv in data["levels"]] == [1, 2, 3]
    assert [(d["id"], [q["id"] for q in d["questions"]]) for d in data["domains"]] == [
        ("lead", ["lead-1", "lead-2"]),
        ("meth", ["meth-1"]),
    ]
    assert data["domains"][0]["questions"][0]["levels"][0] == {
        "level": 1,
        "descriptor": "Rarely.",
        "next_step": "Start small.",
        "measure": None,
        "owner": None,
    }
    assert data["scoring"] and [r["id"] for r in data["rules"]][:1] == ["critical-cap"]
    one = json.loads(run_main("show", MINI, "--format", "json", "--domain", "meth", "--no-levels").stdout)
    assert schema_errors(SHOW_SCHEMA, one) == []
    assert [d["id"] for d in one["domains"]] == ["meth"] and one["domains"][0]["questions"][0]["levels"] == []
    assert (one["levels"], one["rules"], one["bands"]) == ([], [], None)


def test_the_python_api_gives_the_json_the_command_line_prints():
    import qimaturity
    from qimaturity.cohort.document import cohort_dict

    cohort = qimaturity.compare(MINI, FOLDER, group_by="type", min_cohort=3)
    # through json, as the command line writes it (tuples become lists)
    assert json.loads(json.dumps(cohort_dict(cohort))) == compare_json("--group-by", "type", "--min-cohort", "3")


def test_the_terminal_summary_names_a_suppressed_group_by_its_size_only():
    ran = run_main("compare", MINI, FOLDER, "--group-by", "type", "--min-cohort", "3")
    assert ran.returncode == 0, ran.stderr
    table = ran.stdout.split("Overall value by group", 1)[1]
    rows = {line.split("│")[1].strip(): line for line in table.splitlines() if line.startswith("│")}
    # everyone: 1, 5/3, 7/3, 7/3, 3 -> 1.00, 1.67, 2.33, 2.33, 3.00; acute (Alpha, Beta, Gamma): 1, 5/3, 7/3 ->
    # min 1.00, q1 (1 + 5/3) / 2 = 1.33, median 1.67, q3 (5/3 + 7/3) / 2 = 2.00, max 2.33
    assert [c.strip() for c in rows["All organisations"].split("│")[2:8]] == [
        "5",
        "1.00",
        "1.67",
        "2.33",
        "2.33",
        "3.00",
    ]
    assert [c.strip() for c in rows["Acute organisations"].split("│")[2:8]] == [
        "3",
        "1.00",
        "1.33",
        "1.67",
        "2.00",
        "2.33",
    ]
    community = rows["Community organisations"]
    assert "suppressed (fewer than 3)" in community and "3.00" not in community and "2.33" not in community
    # Alpha's low lead is an outlier: lead 1.0 below the fence 1.25
    assert "Outliers" in ran.stdout and "Alpha" in ran.stdout.split("Outliers", 1)[1]


def test_a_table_choice_without_a_csv_is_refused(tmp_path):
    out = tmp_path / "cohort.xlsx"
    ran = run_main("compare", MINI, FOLDER, "--table", "organisations", "-o", str(out))
    assert ran.returncode == 2
    assert "--table chooses a CSV's table: give it with -o OUT.csv or --format csv" in ran.stderr
    assert not out.exists()
    assert run_main("compare", MINI, FOLDER, "--table", "groups", "--format", "json").returncode == 2


@pytest.mark.parametrize("name", ["cohort", "explain", "show"])
def test_the_new_schemas_are_valid_draft_2020_12(name):
    schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema_rs.meta.validate(schema)


def test_the_terminal_summary_of_versions_compared_without_overall_says_not_compared_not_suppressed(tmp_path):
    # Alpha answers version 1.1 in 2027 (as tests/test_cohort.py makes it): compared across versions without a map,
    # on the shared domains only, with no overall value
    newer = tmp_path / "mini-1.1.yaml"
    newer.write_text((DATA / "rubrics" / "valid-minimal.yaml").read_text().replace('version: "1.0"', 'version: "1.1"'))
    answers = tmp_path / "org-a-2027.yaml"
    answers.write_text(
        (DATA / "cohort" / "org-a.yaml").read_text().replace('"1.0"', '"1.1"').replace("2026-06-30", "2027-06-30")
    )
    others = [str(DATA / "cohort" / f"org-{x}.yaml") for x in "bcde"]
    ran = run_main(
        "compare", MINI, *others, str(answers), "--with-rubric", str(newer), "--across-versions", "--min-cohort", "1"
    )
    assert ran.returncode == 0, ran.stderr
    table = ran.stdout.split("Overall value by group", 1)[1].split("More:", 1)[0]
    everyone = next(line for line in table.splitlines() if "All organisations" in line)
    assert "suppressed" not in everyone and [c.strip() for c in everyone.split("│")[2:8]] == ["5", *["-"] * 5]
