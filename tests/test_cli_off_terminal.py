"""The command line's tables when stdout is not a terminal (a pipe, a file, a CI log): every row on one line, no
cell wrapped or cut, unless COLUMNS gives a width."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT, run_main

EXAMPLES = "examples/answers/"
EASTFIELD = "examples/answers/eastfield-mental-health.yaml"


def _piped(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """This checkout's command line in a fresh process whose stdout is a pipe and whose environment has no
    COLUMNS (as under cron or in a CI job)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "qimaturity", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**environ, **(env or {})},
    )


def _uncut(text: str) -> None:
    cut = [line for line in text.splitlines() if "…" in line or "..." in line]
    assert cut == []


def _notes_of(result: dict) -> dict[str, str]:
    """Each domain's title -> the disagreement note its row must show in full (``N disagreement(s)``), from the
    JSON of the same result."""
    notes = {}
    for domain in result["domains"]:
        count = sum(1 for question in domain["questions"] if question["disagreement"])
        if count:
            notes[domain["title"]] = f"{count} disagreement(s)"
    return notes


@pytest.mark.subprocess
def test_piped_score_compare_and_explain_print_every_row_on_one_line_uncut():
    score = _piped("score", "qi-readiness", EXAMPLES)
    assert score.returncode == 0, score.stderr
    _uncut(score.stdout)
    # Eastfield's domains: 1 disagreement on the management system, 2 on capability, 2 on patient involvement;
    # each note is on the line of its domain's row, so that row is not wrapped.
    data = json.loads(_piped("score", "qi-readiness", EASTFIELD, "--format", "json", "--trace").stdout)
    notes = _notes_of(data)
    assert len(notes) == 3
    rows = [line for line in score.stdout.splitlines() if line.startswith("│ ")]
    for title, note in notes.items():
        assert any(title in row and note in row for row in rows), (title, note)
    assert any("1 N/A; 2 answer(s) lacking evidence; gap board/patient-partners +1.0" in row for row in rows)

    compare = _piped("compare", "qi-readiness", "examples/cohort/", "--all")
    assert compare.returncode == 0, compare.stderr
    _uncut(compare.stdout)
    assert (
        "│ Harrowby Ambulance NHS Trust │ Governance and direction   │ low  │  1.00 │"
        in _piped("compare", "qi-readiness", "examples/cohort/").stdout
    )

    explain = _piped("explain", "qi-readiness", EASTFIELD)
    assert explain.returncode == 0, explain.stderr
    _uncut(explain.stdout)


def test_off_a_terminal_without_columns_a_table_row_is_one_line():
    result = run_main("score", "qi-readiness", EASTFIELD, env={"COLUMNS": None})  # type: ignore[dict-item]
    assert result.returncode == 0, result.stderr
    _uncut(result.stdout)
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ Governance and direction ")]
    assert len(rows) == 1
    assert rows[0].endswith("│ 1 N/A; 2 answer(s) lacking evidence; gap board/patient-partners +1.0 │")


def test_off_a_terminal_columns_still_sets_the_width():
    result = run_main("score", "qi-readiness", EASTFIELD, columns=80)
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "…" in result.stdout  # 80 columns are too few for the domain titles: rich cuts them, as asked


@pytest.mark.parametrize("columns", ["0", "00", "abc", "-5", "1" * 40])
def test_a_columns_that_is_not_a_width_is_passed_over(columns):
    # rich took COLUMNS=0 as a width of none and printed nothing, with exit code 0.
    result = run_main("score", "qi-readiness", EASTFIELD, env={"COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│ Governance and direction ")]
    assert len(rows) == 1 and rows[0].endswith("gap board/patient-partners +1.0 │")


def test_a_columns_with_spaces_around_it_is_a_width():
    result = run_main("score", "qi-readiness", EASTFIELD, env={"COLUMNS": " 80 "})
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
