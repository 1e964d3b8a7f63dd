"""Worker processes for many files (`qimaturity.cohort.score.in_workers`): outcomes in the tasks' order, a worker's
error raised in the caller, a worker that dies reported rather than waited for, and workers that wait for a slow
caller instead of piling up what it has not read."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qimaturity.cohort.score import in_workers

from .conftest import ROOT
from .test_score_streaming import MINI, write_copies

MARKS: Path | None = None


def _square(number: int) -> int:
    return number * number


def _fails_at_seven(number: int) -> int:
    if number == 7:
        raise ValueError(f"task {number} went wrong")
    return number


def _large(number: int) -> str:
    # Each outcome is far larger than a pipe holds (64 KiB), so a worker can send one at most before the caller
    # reads it; each task leaves a mark, to count the tasks done.
    assert MARKS is not None
    (MARKS / f"{number}.done").touch()
    return "x" * 1_000_000


@pytest.mark.subprocess
def test_outcomes_come_back_in_the_tasks_order() -> None:
    assert list(in_workers(2, None, None, _square, list(range(50)))) == [n * n for n in range(50)]  # type: ignore[arg-type]


def _process(number: int) -> int:
    time.sleep(0.2)  # long enough that one worker could not take both tasks in turn unnoticed
    return os.getpid()


@pytest.mark.subprocess
def test_as_many_tasks_as_workers_go_one_to_each() -> None:
    # compare and score --format csv give each worker one share of the files.
    first, second = in_workers(2, None, None, _process, [0, 1])  # type: ignore[arg-type]
    assert first != second


@pytest.mark.subprocess
def test_an_error_in_a_task_is_raised_in_the_caller_after_the_outcomes_before_it() -> None:
    seen = []
    with pytest.raises(ValueError, match="task 7 went wrong"):
        for outcome in in_workers(2, None, None, _fails_at_seven, list(range(20))):  # type: ignore[arg-type]
            seen.append(outcome)
    assert seen == list(range(7))


@pytest.mark.subprocess
def test_workers_wait_for_a_slow_caller(tmp_path: Path) -> None:
    global MARKS
    MARKS = tmp_path
    outcomes = in_workers(2, None, None, _large, list(range(100)))  # type: ignore[arg-type]
    assert len(next(outcomes)) == 1_000_000
    time.sleep(1)  # time enough for the workers to do all 100 tasks (a millisecond each) if nothing held them
    done = len(list(tmp_path.glob("*.done")))
    # Read: task 0. Handed out at most AHEAD (2) tasks a worker beyond those the caller has taken: with
    # multiprocessing.Pool all 100 were done, and their 100 MB waited in the parent.
    assert done <= 1 + 2 * 2, done
    assert sum(1 for _ in outcomes) == 99
    assert len(list(tmp_path.glob("*.done"))) == 100


DIES = """
import os, signal, sys
from qimaturity.cohort.score import iter_rendered
from qimaturity.rubric.load import load_rubric

def render(result):
    if result.organisation.id == "org-00030":
        if sys.argv[3] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)  # as the system ends a process when memory runs out
        os._exit(3)
    return result.organisation.id

try:
    for item in iter_rendered(load_rubric(sys.argv[1]), [sys.argv[2]], render, workers=2):
        pass
except RuntimeError as error:
    print(error)
"""


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize(("how", "said"), [("exit", "exit code 3"), ("kill", "killed by SIGKILL")])
def test_a_worker_that_dies_is_reported_not_waited_for(tmp_path: Path, how: str, said: str) -> None:
    folder = write_copies(tmp_path / "answers", 80)
    # With multiprocessing.Pool the lost task was waited for for ever: the timeout ends the test there.
    done = subprocess.run(
        [sys.executable, "-c", DIES, MINI, str(folder), how], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip() == f"a worker process ended before its work was done ({said})", done.stderr
