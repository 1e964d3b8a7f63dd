"""Benchmark: what intervals cost `compare` — 10,000 organisations with them against the same run without them.

    python bench/bench_intervals.py                 # 10,000 organisations
    python bench/bench_intervals.py --size 2000

Both runs score every generated answers file (a fifth of the organisations also a year earlier) and build the
cohort with peer groups by region and trends, each in a fresh process, one after the other on the same files. The
baseline is the same compare with the interval step replaced by one that returns the result unchanged (so no
respondent scores are formed and no trend change is tested against the noise). Goal: with intervals within 2x of
the time without them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import json, sys, time
import qimaturity.scoring.intervals as intervals
if sys.argv[2] == "without":
    intervals.with_intervals = lambda rubric, result, *rest: result
from qimaturity import compare, load_rubric
started = time.perf_counter()
cohort = compare(load_rubric("qi-readiness"), sys.argv[1], group_by="region")
elapsed = time.perf_counter() - started
clear = sum(1 for t in cohort.trends for d in t.domains if d.direction in ("improved", "declined"))
changes = sum(len(t.domains) for t in cohort.trends)
print(json.dumps({"seconds": elapsed, "organisations": len(cohort.members), "clear": clear, "changes": changes}))
"""


def run(folder: Path, mode: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", RUN, str(folder), mode], capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_cohort import write_cohort

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cohort"
        started = time.perf_counter()
        write_cohort(folder, args.size, history=args.size // 5)
        print(f"{args.size:,} organisations (a fifth with an earlier year) in {time.perf_counter() - started:.1f} s")
        without = run(folder, "without")
        with_ = run(folder, "with")
    for label, figures in (("without", without), ("with", with_)):
        clear = f"{figures['clear']:,} of {figures['changes']:,} changes clear"
        print(f"compare {label + ' intervals:':<19} {figures['seconds']:7.2f} s ({clear})")
    print(f"ratio {with_['seconds'] / without['seconds']:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
