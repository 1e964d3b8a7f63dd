"""A regulator's year, end to end, as an analyst runs it (the worked example of the README): two yearly national
exports, each with one broken organisation, imported organisation by organisation with a mapping that brings in a
metadata column; a cohort of one year; the national trend over both years in JSON; and a workbook for Excel.

The fixture tests/data/regulator/ (national-2025.csv, national-2026.csv, national.yaml) answers the minimal rubric
(tests/data/rubrics/valid-minimal.yaml: levels 1-3; Leadership = mean of lead-1 and lead-2, weight 2; Method =
meth-1, weight 1; overall = (2 x lead + meth) / 3; overall level 2 from 2 up, 3 only at 3). One board respondent per
organisation, lead-1 never 3 (it needs evidence), all dated 31 March:

  organisation          2025: lead-1 lead-2 meth-1 -> overall     2026: lead-1 lead-2 meth-1 -> overall
  RA1 Alder     acute      2  2  2  -> lead 2,   meth 2 -> 2           2  3  3  -> lead 2.5, meth 3 -> 8/3
  RB2 Birch     community  1  1  1  -> lead 1,   meth 1 -> 1           1  2  2  -> lead 1.5, meth 2 -> 5/3
  RC3 Cedar     acute      2  3  2  -> lead 2.5, meth 2 -> 7/3         2  3  2  -> lead 2.5, meth 2 -> 7/3
  RD4 Dogwood   community  1  2  1  -> lead 1.5, meth 1 -> 4/3         1  -  1  -> rejected (no lead-2)
  RE5 Elm       acute      2  2  3  -> lead 2,   meth 3 -> 7/3         2  3  3  -> lead 2.5, meth 3 -> 8/3
  RF6 Fir       community  2  1  -  -> rejected (no meth-1)            2  2  2  -> lead 2,   meth 2 -> 2

The national trend (quartiles as the cohort computes them: linear between the sorted values; five values give
q1 the 2nd, the median the 3rd and q3 the 4th):
  2025 overall: 1, 4/3, 2, 7/3, 7/3       -> median 2,   q1 4/3, q3 7/3
  2026 overall: 5/3, 2, 7/3, 8/3, 8/3     -> median 7/3, q1 2,   q3 8/3
  2025 Leadership: 1, 1.5, 2, 2, 2.5 -> median 2;  2026: 1.5, 2, 2.5, 2.5, 2.5 -> median 2.5
  2025 Method: 1, 1, 2, 2, 3 -> median 2;          2026: 2, 2, 2, 3, 3 -> median 2
Movement between overall levels 2025 -> 2026 among the 4 in both (Alder, Birch, Cedar, Elm): Alder 2 -> 2 (8/3 is
still level 2), Birch 1 -> 1 (5/3), Cedar 2 -> 2, Elm 2 -> 2: 4 stayed. Four is under the default --min-cohort of 5,
so the movement is shown with --min-cohort 4.
2026 by type (--min-cohort 2): acute Alder 8/3, Cedar 7/3, Elm 8/3 -> median 8/3; community Birch 5/3, Fir 2 ->
median 11/6.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from .conftest import DATA, ROOT, RUBRICS, run_cli

FIXTURE = DATA / "regulator"
MINI = str(RUBRICS / "valid-minimal.yaml")
COHORT_SCHEMA = json.loads((ROOT / "schemas" / "cohort.schema.json").read_text())
HEADER = [
    "organisation_id",
    "organisation_name",
    "organisation_type",
    "region",
    "Staff headcount",
    "date",
    "respondent",
    "group",
    "lead-1",
    "lead-2",
    "meth-1",
]


def read_csv(path):
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def overall(stats):
    return stats["q1"], stats["median"], stats["q3"]


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_regulators_year_from_two_broken_exports_to_the_national_trend(tmp_path):
    from openpyxl import load_workbook

    mapping = str(FIXTURE / "national.yaml")

    # 1. Each year's export imports organisation by organisation: the broken one is rejected, the others written.
    for year, good, broken, reason in [
        ("2025", ["RA1", "RB2", "RC3", "RD4", "RE5"], 7, "organisation 'RF6': question 'meth-1' has no answer"),
        ("2026", ["RA1", "RB2", "RC3", "RE5", "RF6"], 5, "organisation 'RD4': question 'lead-2' has no answer"),
    ]:
        export = FIXTURE / f"national-{year}.csv"
        ran = run_cli("import", MINI, str(export), "--mapping", mapping, "-o", f"answers/{year}/", cwd=tmp_path)
        assert ran.returncode == 2, ran.stderr
        assert ran.stdout.splitlines() == [f"answers/{year}/{org}.yaml" for org in good]
        assert sorted(p.stem for p in (tmp_path / "answers" / year).iterdir()) == good
        assert "1 organisation(s) not imported" in ran.stderr and "Traceback" not in ran.stderr
        # the rejects file beside the folder: the export's header and the broken row as it was, with the reason
        original = read_csv(export)
        assert original[0] == HEADER
        assert read_csv(tmp_path / "answers" / f"{year}.rejects.csv") == [
            [*HEADER, "qimaturity_rejected"],
            [*original[broken - 1], reason],
        ]
    # the mapping's metadata column is in each answers file, as it was in that year's export
    alder_2026 = yaml.safe_load((tmp_path / "answers" / "2026" / "RA1.yaml").read_text())
    assert alder_2026["organisation"]["metadata"] == {"staff": "4300"}
    assert alder_2026["date"] == "2026-03-31"
    folders = ["answers/2025", "answers/2026"]

    # 2. One year: the 2026 cohort holds 2026's assessments only, grouped by type.
    ran = run_cli(
        "compare", MINI, *folders, "--period", "2026", "--group-by", "type", "--min-cohort", "2", "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    year_2026 = json.loads(ran.stdout)
    assert year_2026["period"] == {"label": "2026", "start": "2026-01-01", "end": "2026-12-31"}
    assert year_2026["assessments"] == 5 and year_2026["years"] == []
    assert {o["organisation_id"]: o["date"] for o in year_2026["organisations"]} == {
        org: "2026-03-31" for org in ["RA1", "RB2", "RC3", "RE5", "RF6"]
    }
    groups = {g["name"]: (g["organisations"], g["overall"]["median"]) for g in year_2026["groups"]}
    assert groups == {"acute": (3, pytest.approx(8 / 3)), "community": (2, pytest.approx(11 / 6))}
    assert "5 of 10 assessments are dated from 2026-01-01 to 2026-12-31" in ran.stderr

    # 3. Both years: the national trend, in a document the schema describes.
    ran = run_cli("compare", MINI, *folders, "--min-cohort", "4", "--format", "json", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    cohort = json.loads(ran.stdout)
    errors = [f"{e.instance_path}: {e.message}" for e in jsonschema_rs.validator_for(COHORT_SCHEMA).iter_errors(cohort)]
    assert errors == []
    years = {y["year"]: y for y in cohort["years"]}
    assert list(years) == ["2025", "2026"]
    assert [years[y]["organisations"] for y in years] == [5, 5]
    assert overall(years["2025"]["overall"]) == pytest.approx((4 / 3, 2, 7 / 3))
    assert overall(years["2026"]["overall"]) == pytest.approx((2, 7 / 3, 8 / 3))
    medians = {y: {d["id"]: d["stats"]["median"] for d in years[y]["domains"]} for y in years}
    assert medians == {"2025": {"lead": 2, "meth": 2}, "2026": {"lead": 2.5, "meth": 2}}
    (movement,) = cohort["movements"]
    assert movement == {
        "earlier": "2025",
        "later": "2026",
        "in_both": 4,
        "moved_up": 0,
        "stayed": 4,
        "moved_down": 0,
        "no_clear_change": 0,
        "not_comparable": 0,
        "suppressed": False,
    }
    # each organisation by its latest assessment: Dogwood's is 2025's, and a note says the latest span two years
    latest = {o["organisation_id"]: o["date"] for o in cohort["organisations"]}
    assert latest["RD4"] == "2025-03-31" and latest["RF6"] == "2026-03-31"
    assert "1 organisation(s) were last assessed before 2026" in ran.stderr

    # 4. The workbook for Excel: filtered tables, date cells, the national trend by period.
    ran = run_cli("compare", MINI, *folders, "--min-cohort", "4", "-o", "out/cohort.xlsx", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    book = load_workbook(tmp_path / "out" / "cohort.xlsx")
    for name in ["Statistics", "Organisations", "Trends"]:
        sheet = book[name]
        (table,) = sheet.tables.values()
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref, name
        assert sheet.freeze_panes == "A2", name
    header, *rows = list(book["Organisations"].iter_rows())
    by_id = {row[1].value: dict(zip([c.value for c in header], row, strict=True)) for row in rows}
    dogwood = by_id["RD4"]["date"]
    assert dogwood.is_date and dogwood.value == datetime(2025, 3, 31) and dogwood.number_format == "yyyy-mm-dd"
    assert by_id["RA1"]["score"].value == pytest.approx(8 / 3)
    header, *rows = list(book["Statistics"].iter_rows(values_only=True))
    trend = [dict(zip(header, row, strict=True)) for row in rows if row[header.index("scope")] == "overall"]
    assert [(r["period"], r["organisations"], r["median"]) for r in trend] == [
        ("latest", 6, pytest.approx(13 / 6)),  # latest: 4/3 (Dogwood, 2025), 5/3, 2, 7/3, 8/3, 8/3
        ("2025", 5, 2),
        ("2026", 5, pytest.approx(7 / 3)),
    ]
    assert (trend[2]["previous_period"], trend[2]["in_both"], trend[2]["stayed"]) == ("2025", 4, 4)


def worked_example_commands():
    """The README's worked example "A regulator's year": each `$` command (continuation lines joined, a trailing
    comment dropped) with the lines shown after it ("..." stands for lines left out)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### A regulator's year: a worked example", 1)[1].split("\n### ", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for block in section.split("```console\n")[1:]:
        lines = iter(block.split("\n```", 1)[0].splitlines())
        for line in lines:
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\"):
                    command = command[:-1] + next(lines).strip()
                steps.append((command.split("  #", 1)[0].strip(), []))
            elif line != "...":
                steps[-1][1].append(line.rstrip())
    return steps


@pytest.mark.slow
@pytest.mark.subprocess
def test_the_readme_worked_example_prints_what_it_shows(tmp_path):
    (tmp_path / "tests").symlink_to(ROOT / "tests")  # the commands are given from the repository's root
    steps = worked_example_commands()
    assert [c.split()[:2] for c in (s[0] for s in steps)].count(["qimaturity", "compare"]) == 5
    env = {**os.environ, "COLUMNS": "100", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    returncode = 0
    for command, shown in steps:
        if command == "echo $?":
            printed = [str(returncode)]
        else:
            ran = subprocess.run(
                command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120
            )
            returncode = ran.returncode
            printed = [line.rstrip().lstrip("\ufeff") for line in (ran.stdout + ran.stderr).splitlines()]
            assert "Traceback" not in ran.stderr, command
        # every line the README shows is printed, in the order shown
        position = 0
        for line in shown:
            assert line in printed[position:], (command, line)
            position = printed.index(line, position) + 1
