"""What a new user meets first: answers scored against the wrong rubric, a folder holding more than answers files,
survey exports whose cells are choice labels ("3 - Developing"), and the same problem in many cells."""

from __future__ import annotations

from .conftest import ROOT, run_main


def test_answers_for_another_rubric_are_refused_in_one_line_naming_the_command_that_scores_them():
    # riverside-community.yaml says rubric: {id: qi-readiness, version: "2.0.0"} on line 6, at column 14 ("qi-...")
    scored = run_main("score", "qi-programme-stages", "examples/answers/riverside-community.yaml", cwd=ROOT)
    assert scored.returncode == 2
    assert scored.stderr.splitlines() == [
        "examples/answers/riverside-community.yaml:6:14: /rubric/id: these answers are for rubric 'qi-readiness' "
        "2.0.0, not 'qi-programme-stages' (score them with their own rubric: qimaturity score qi-readiness "
        "examples/answers/riverside-community.yaml)"
    ]
