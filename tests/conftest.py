"""Shared paths and a runner for the real ``qimaturity`` entry point."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
RUBRICS = DATA / "rubrics"
INVALID = RUBRICS / "invalid"
CONSOLE_SCRIPT = Path(sys.executable).parent / "qimaturity"


def run_cli(
    *args: str,
    cwd: Path = ROOT,
    columns: int = 200,
    env: dict[str, str] | None = None,
    address_space: int | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user would, and capture its output.

    A wide terminal is assumed so that rich tables and trees do not wrap the text a test looks for. ``env`` adds
    environment variables; ``address_space`` puts an RLIMIT_AS on the whole process, as a test harness may.
    """

    def limit() -> None:
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
        env={**os.environ, "COLUMNS": str(columns), **(env or {})},
        preexec_fn=limit,
    )


SCORING_RUBRICS = DATA / "scoring" / "rubrics"
SCORING_ANSWERS = DATA / "scoring" / "answers"


def run_scoring(rubric_name: str, answers_name: str, **options):
    """Score a fixture answers file of tests/data/scoring/ against a fixture rubric of the same folder."""
    from qimaturity import load_assessment, load_rubric, score

    rubric = load_rubric(SCORING_RUBRICS / f"{rubric_name}.yaml")
    return score(rubric, load_assessment(SCORING_ANSWERS / f"{answers_name}.yaml", rubric), **options)


def adjustments(part):
    """(rule, level before, level after, applied) of every rule adjustment in a domain's or the overall trace."""
    return [(a.rule, a.level_before, a.level_after, a.applied) for a in part.trace.adjustments]


@pytest.fixture
def cli():
    return run_cli
