"""The command line through its real entry point: exit codes, stdout for data, stderr for messages."""

from __future__ import annotations

import json

import pytest

from .conftest import INVALID, RUBRICS, run_cli, run_main


def test_validate_bundled_rubrics_by_id_exits_0():
    result = run_main("validate", "qi-readiness", "qi-programme-stages")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "rubrics/qi-readiness.yaml: valid (qi-readiness 2.0.0: 9 domains, 55 questions)"
    assert lines[1].startswith("rubrics/qi-programme-stages.yaml: valid (qi-programme-stages 1.2.0: 4 domains, ")


@pytest.mark.subprocess
def test_validate_reports_good_and_bad_files_and_exits_2():
    bad = INVALID / "unknown-source.yaml"
    result = run_cli("validate", str(RUBRICS / "valid-minimal.yaml"), str(bad))
    assert result.returncode == 2
    assert "valid-minimal.yaml: valid (mini 1.0: 2 domains, 3 questions)" in result.stderr
    assert f"{bad}:31:19: /domains/0/questions/0/sources/0: unknown source 'srcc'" in result.stderr
    assert result.stderr.splitlines()[-1] == f"{bad}: 1 problem(s)"


def test_validate_json_on_stdout_for_a_valid_rubric():
    result = run_main("validate", "qi-readiness", "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    (entry,) = report["rubrics"]
    assert report["valid"] is True
    assert entry["id"] == "qi-readiness"
    assert entry["content_hash"].startswith("sha256:")
    assert entry["problems"] == []


def test_unknown_rubric_id_is_a_clear_input_error():
    result = run_main("validate", "qi-readyness")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "qi-readyness: /: no rubric has this id, and there is no such file "
        "(did you mean 'qi-readiness'? looked in: the bundled rubrics (qi-programme-stages, qi-readiness); "
        "or give a path)"
    )


def test_missing_file_is_a_clear_input_error(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = run_main("validate", str(missing))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"{missing}: /: file not found (check the path)"


def test_usage_errors_exit_2():
    assert run_main("validate").returncode == 2
    result = run_main("validate", "qi-readiness", "--format", "xml")
    assert result.returncode == 2
    assert "Invalid value for '--format'" in result.stderr


@pytest.mark.slow
def test_rubrics_lists_bundled_rubrics_with_counts():
    result = run_main("rubrics", "--format", "json")
    assert result.returncode == 0
    listed = {r["id"]: r for r in json.loads(result.stdout)}
    assert listed["qi-readiness"]["domains"] == 9
    assert listed["qi-readiness"]["levels"] == 5
    assert listed["qi-programme-stages"]["path"] == "rubrics/qi-programme-stages.yaml"
    table = run_main("rubrics")
    assert table.returncode == 0
    assert "qi-readiness" in table.stdout


def test_show_prints_a_tree_of_one_domain():
    result = run_main("show", str(RUBRICS / "valid-minimal.yaml"), "--domain", "lead")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Minimal rubric (mini 1.0)" in out
    assert "lead-1: Leaders role-model improvement." in out
    assert "weight 1; critical; evidence from level 3; answered by board, staff" in out
    assert "next step: Start small." in out
    assert "meth-1" not in out


def test_show_whole_rubric_includes_scoring_bands_and_rules():
    result = run_main("show", str(RUBRICS / "valid-minimal.yaml"), "--no-levels")
    assert result.returncode == 0
    out = result.stdout
    assert "questions -> domain: weighted mean (N/A excluded, weights renormalised)" in out
    assert "Low: 1 to 2" in out
    assert "critical-cap (cap): each domain: at most level 2 when a critical question is below level 2" in out
    assert "Start small." not in out


def test_show_unknown_domain_exits_2():
    result = run_main("show", "qi-readiness", "--domain", "nope")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: Invalid value for '--domain': no domain 'nope' in rubric qi-readiness (its domains: leadership, "
        "governance, management-system, training-capability, culture-engagement, safety-learning, "
        "patient-involvement, method-measurement, results-sustainability)\n"
    )


def test_rubric_text_is_not_interpreted_as_terminal_markup(tmp_path):
    text = (
        (RUBRICS / "valid-minimal.yaml").read_text().replace("title: Minimal rubric", "title: '[red]Bold[/red] claim'")
    )
    path = tmp_path / "markup.yaml"
    path.write_text(text)
    result = run_main("show", str(path), "--no-levels")
    assert result.returncode == 0
    assert "[red]Bold[/red] claim" in result.stdout


def test_version_option():
    result = run_main("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("qimaturity, version ")
