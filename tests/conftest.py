"""Shared paths and a runner for the real ``qimaturity`` entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
RUBRICS = DATA / "rubrics"
INVALID = RUBRICS / "invalid"
CONSOLE_SCRIPT = Path(sys.executable).parent / "qimaturity"


def run_cli(*args: str, cwd: Path = ROOT, columns: int = 200) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user would, and capture its output.

    A wide terminal is assumed so that rich tables and trees do not wrap the text a test looks for.
    """
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture
def cli():
    return run_cli
