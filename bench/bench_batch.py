"""Benchmark: batch PDF speed-up with 2 worker processes over 1, on the same answers files.

    python bench/bench_batch.py                 # 8 files (copies of the three examples), 1 run each
    python bench/bench_batch.py --files 16 --runs 3

Goal: 2 workers at least 1.7x as fast as 1. Each run is a fresh ``qimaturity batch`` process (as a user runs
it, WeasyPrint's import included) writing into its own empty temporary folder, so nothing is up to date; with
several runs the two settings alternate and the medians are compared. The parallelism the machine itself offers
(two processes against one on a plain CPU loop) is printed before and after: when other work leaves fewer than
two free cores, the figure says more about the machine than about the batch.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "answers").glob("*.yaml"))
CLI = Path(sys.executable).parent / "qimaturity"


def make_answers(folder: Path, count: int) -> None:
    """``count`` answers files: the examples in turn, each with its own organisation id."""
    for index in range(count):
        source = EXAMPLES[index % len(EXAMPLES)]
        text = source.read_text(encoding="utf-8")
        text, found = re.subn(r"^(  id: )(\S+)$", rf"\g<1>\g<2>-{index + 1:03d}", text, count=1, flags=re.M)
        assert found == 1, f"no organisation id in {source}"
        (folder / f"{source.stem}-{index + 1:03d}.yaml").write_text(text, encoding="utf-8")


def run(answers: Path, out: Path, workers: int, formats: str) -> float:
    command = [str(CLI), "batch", "qi-readiness", str(answers), "-o", str(out), "--formats", formats]
    command += ["--workers", str(workers), "--report-date", "2026-10-01"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"batch with {workers} worker(s) failed ({result.returncode}):\n{result.stderr}")
    # CPU time of the batch and its worker processes: equal for both settings when the pool adds no work.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  {workers} worker(s): {seconds:6.2f} s wall, {cpu:6.2f} s CPU  ({result.stderr.strip().splitlines()[-1]})")
    return seconds


def _spin(_: int) -> float:
    start = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.perf_counter() - start


def machine_parallelism() -> float:
    """How much faster two processes get through two equal CPU-bound tasks than one process, right now: about
    2.0 on an idle machine with two free cores, about 1.0 when other work leaves one."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, range(2)))  # start the processes before timing
        start = time.perf_counter()
        list(pool.map(_spin, range(2)))
        both = time.perf_counter() - start
    alone = _spin(0)
    return 2 * alone / both


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--formats", default="pdf")
    args = parser.parse_args()

    print(f"{args.files} answers files, --formats {args.formats}, {os.cpu_count()} CPU(s), {args.runs} run(s) each")
    print(f"load average {os.getloadavg()[0]:.2f}; parallelism the machine offers now: {machine_parallelism():.2f}x")
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="qim-bench-") as tmp:
        base = Path(tmp)
        answers = base / "answers"
        answers.mkdir()
        make_answers(answers, args.files)
        for attempt in range(args.runs):
            for workers in (1, 2) if attempt % 2 == 0 else (2, 1):
                times[workers].append(run(answers, base / f"out-{workers}-{attempt}", workers, args.formats))
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"1 worker:  {one:.2f} s ({args.files / one:.2f} files/s)")
    print(f"2 workers: {two:.2f} s ({args.files / two:.2f} files/s)")
    print(f"speed-up:  {one / two:.2f}x (goal >= 1.7x)")
    print(f"load average {os.getloadavg()[0]:.2f}; parallelism the machine offers now: {machine_parallelism():.2f}x")


if __name__ == "__main__":
    main()
