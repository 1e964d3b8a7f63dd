"""Every command reads every kind of answers source: exports (with a mapping where needed), FHIR responses and
filled templates, through the real entry point."""

from __future__ import annotations

import json

import pytest

from .conftest import DATA, QI_READINESS_1_1, run_main

IMPORTS = DATA / "imports"
FHIR = DATA / "fhir"


def overall_levels(stdout: str) -> dict[str, int]:
    data = json.loads(stdout)
    return {r["organisation"]["id"]: r["overall"]["level"] for r in (data if isinstance(data, list) else [data])}


def test_score_reads_an_export_directly_with_its_mapping():
    result = run_main(
        "score",
        str(QI_READINESS_1_1),
        str(IMPORTS / "limesurvey.csv"),
        "--mapping",
        str(IMPORTS / "limesurvey.yaml"),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    # Every respondent of RTH answered 3 and of RWE 2, so every question, domain and the overall sit there.
    assert overall_levels(result.stdout) == {"RTH": 3, "RWE": 2}


def test_score_reads_an_export_whose_headers_are_question_texts_without_a_mapping():
    result = run_main("score", str(QI_READINESS_1_1), str(IMPORTS / "redcap-labels.csv"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert overall_levels(result.stdout) == {"RBA": 3, "RCD": 2}


@pytest.mark.slow
def test_score_and_compare_read_a_fhir_bundle():
    bundle = str(FHIR / "r5-bundle-two-organisations.json")
    scored = run_main("score", str(QI_READINESS_1_1), bundle, "--format", "json")
    assert scored.returncode == 0, scored.stderr
    assert len(overall_levels(scored.stdout)) == 2
    compared = run_main("compare", str(QI_READINESS_1_1), bundle, "--min-cohort", "1", "--all")
    assert compared.returncode == 0, compared.stderr
    assert "Ranking" in compared.stdout


@pytest.mark.slow
def test_report_takes_one_organisation_and_says_so_otherwise(tmp_path):
    single = run_main(
        "report", str(QI_READINESS_1_1), str(FHIR / "r4-single-response.json"), "-o", str(tmp_path / "r.html")
    )
    assert single.returncode == 0, single.stderr
    several = run_main(
        "report", str(QI_READINESS_1_1), str(FHIR / "r5-bundle-two-organisations.json"), "-o", str(tmp_path / "s.html")
    )
    assert several.returncode == 2
    assert "holds 2 organisations" in several.stderr and "split it with qimaturity import" in several.stderr


@pytest.mark.slow
def test_import_turns_fhir_responses_into_answers_files(tmp_path):
    out = tmp_path / "answers"
    result = run_main("import", str(QI_READINESS_1_1), str(FHIR / "r5-bundle-two-organisations.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.yaml"))
    assert len(files) == 2
    assert run_main("score", str(QI_READINESS_1_1), str(out)).returncode == 0


def test_questionnaire_as_fhir_r4_and_r5(tmp_path):
    for flag, release in (("--fhir", "R4"), ("--fhir-r5", "R5")):
        out = tmp_path / f"q-{release}.json"
        result = run_main("questionnaire", str(QI_READINESS_1_1), flag, "-o", str(out))
        assert result.returncode == 0, result.stderr
        resource = json.loads(out.read_text())
        assert resource["resourceType"] == "Questionnaire"
        assert resource["url"].endswith("/qi-readiness") and resource["version"] == "1.1.0"
    bad = run_main("questionnaire", str(QI_READINESS_1_1), "--fhir", "-o", str(tmp_path / "q.xml"))
    assert bad.returncode == 2 and "written as .json" in bad.stderr


@pytest.mark.slow
def test_template_round_trip_through_the_commands(tmp_path, blank_template):
    template = blank_template  # written by the questionnaire command
    # An empty template names no respondent: the import says every question is unanswered, with its place.
    result = run_main("import", str(QI_READINESS_1_1), str(template), "-o", str(tmp_path / "a.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_batch_reads_exports_with_a_mapping(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "eastfield.xlsx").write_bytes((IMPORTS / "msforms.xlsx").read_bytes())
    out = tmp_path / "out"
    result = run_main(
        "batch",
        str(QI_READINESS_1_1),
        str(folder),
        "-o",
        str(out),
        "--formats",
        "json",
        "--workers",
        "1",
        "--mapping",
        str(IMPORTS / "msforms.yaml"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "eastfield.json").read_text())["overall"]["level"] == 3
