"""Minimum group size: a group of one is shown nowhere, while its answers still count.

One answers file, tests/data/answers/group-of-one.yaml: three board members (a board of three is shown), two
managers (not shown), three frontline staff and one patient partner with a distinctive id, comment and evidence.
Every output is rendered and searched for what would identify that respondent or reveal their group's value.
(The bundled examples have groups of three or more: tests/test_examples.py shows their groups and gaps.)
"""

from __future__ import annotations

import dataclasses
import io
import json

import pytest

from qimaturity import explain, load_assessment, load_rubric, report, score
from qimaturity.scoring.tables import results_xlsx, write_csv

from .conftest import DATA, QI_READINESS_1_1, run_main

RUBRIC = load_rubric(QI_READINESS_1_1)
SOLO = "pp-solo-7781"
COMMENT = "ZEBRA-comment only the patient partner wrote"
EVIDENCE = "ZEBRA-evidence of the patient partner"
OTHER_COMMENT = "Expenses are paid promptly"  # the patient partner's comment on pat-partner-support
SECRETS = (SOLO, COMMENT, EVIDENCE, OTHER_COMMENT)


@pytest.fixture(scope="module")
def answers() -> str:
    return str(DATA / "answers" / "group-of-one.yaml")


def test_a_group_of_one_is_marked_suppressed_and_still_counts(answers):
    result = score(RUBRIC, load_assessment(answers, RUBRIC))
    q = result.question("pat-improvement-teams")
    assert [(s.group, s.reason) for s in q.suppressed_groups] == [
        ("managers", "fewer than 3 respondents"),
        ("patient-partners", "fewer than 3 respondents"),
    ]
    assert [g.group for g in q.by_group] == ["board", "frontline"]
    assert all("patient-partners" not in (g.group_a, g.group_b) for g in q.perception_gaps)
    assert all(a.respondent != SOLO for a in q.answers)
    # Still counted, not written out: qi-readiness pools by group, so each hidden group's value is in the pool.
    # board 3, 4, 4 -> 4; managers 3, 3 -> 3; frontline 3, 3, 2 -> 3; the patient partner 5:
    # (4 + 3 + 3 + 5) / 4 = 15/4; without the patient partner (4 + 3 + 3) / 3 = 10/3.
    assert q.trace.arithmetic == (
        "board: median(3, 4, 4) = 4, weight 1; managers: fewer than 3 respondents, not shown, weight 1; "
        "frontline: median(2, 3, 3) = 3, weight 1; patient-partners: fewer than 3 respondents, not shown, weight 1; "
        "groups pooled: (1×4 + 1×(not shown) + 1×3 + 1×(not shown)) / 4 = 3.75"
    )
    assert q.value == 15 / 4
    without = load_assessment(answers, RUBRIC)
    alone = dataclasses.replace(without, respondents=tuple(r for r in without.respondents if r.id != SOLO))
    assert score(RUBRIC, alone).question("pat-improvement-teams").value == 10 / 3


@pytest.mark.slow
def test_no_output_reveals_the_group_of_ones_answers(answers, tmp_path):
    outputs: dict[str, str] = {}
    for fmt in ("json", "csv", "table"):
        # JSON with its traces: the fullest output must not reveal the group either.
        traced = ("--trace",) if fmt == "json" else ()
        run = run_main("score", str(QI_READINESS_1_1), answers, "--format", fmt, *traced)
        assert run.returncode == 0, run.stderr
        outputs[f"score {fmt}"] = run.stdout
    run = run_main("explain", str(QI_READINESS_1_1), answers)
    outputs["explain"] = run.stdout
    for question in ("pat-improvement-teams", "pat-equity", "lead-role-models"):
        outputs[f"explain {question}"] = run_main(
            "explain", str(QI_READINESS_1_1), answers, "--question", question
        ).stdout
    result = score(RUBRIC, load_assessment(answers, RUBRIC))
    outputs["api explain"] = explain(result)
    outputs["html"] = report(RUBRIC, result, format="html", report_date="2026-10-01").decode()
    stream = io.StringIO()
    write_csv([result], stream)
    outputs["csv"] = stream.getvalue()
    workbook = tmp_path / "result.xlsx"
    workbook.write_bytes(results_xlsx([result]))
    from openpyxl import load_workbook

    cells = [str(c.value) for ws in load_workbook(workbook).worksheets for row in ws.iter_rows() for c in row]
    outputs["xlsx"] = "\n".join(cells)
    for name, text in outputs.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    # The group's value appears nowhere: no group view, no perception gap, in any output.
    data = json.loads(outputs["score json"])
    for domain in data["domains"]:
        assert all("patient-partners" not in (g["group_a"], g["group_b"]) for g in domain["perception_gaps"])
        for question in domain["questions"]:
            assert all(g["group"] != "patient-partners" for g in question["by_group"])
            assert all(a["group"] != "patient-partners" for a in question["answers"])
            assert all("patient-partners" not in (g["group_a"], g["group_b"]) for g in question["perception_gaps"])
    assert "patient-partners" not in "".join(r for r in outputs["csv"].splitlines() if ",group," in r)
    assert "group patient-partners: fewer than 3 respondents, not shown" in outputs["explain pat-improvement-teams"]
    assert "Patient partners (fewer than 3 respondents)" in outputs["html"]
    assert "board - patient-partners" not in outputs["html"] and "Patient partners −" not in outputs["html"]


def test_score_export_hides_the_group_of_one_too(answers, tmp_path):
    rubric = RUBRIC
    assessment = load_assessment(answers, rubric)
    questions = [q.id for q in rubric.questions()]
    rows = ["organisation_id,organisation_name,date,respondent,group," + ",".join(questions)]
    for r in assessment.respondents:
        given = {a.question_id: ("NA" if a.level is None else str(a.level)) for a in r.answers}
        rows.append(f"rx,Riverside,2026-09-30,{r.id},{r.group}," + ",".join(given.get(q, "") for q in questions))
    export = tmp_path / "export.csv"
    export.write_text("\n".join(rows) + "\n")
    run = run_main("score-export", str(QI_READINESS_1_1), str(export))
    assert run.returncode == 0, run.stderr
    assert SOLO not in run.stdout
    assert ",group,pat-improvement-teams,patient-partners" not in run.stdout
    assert "board - patient-partners" not in run.stdout
