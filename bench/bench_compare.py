"""Benchmark: `compare` over 1,000 and 10,000 generated organisations — time and peak memory.

    python bench/bench_compare.py                  # 1,000 and 10,000 organisations
    python bench/bench_compare.py --sizes 200 2000

Each size runs in a fresh process (so peak memory is that run's own), scoring every answers file, building the
cohort with peer groups by region, and writing the statistics CSV and the XLSX workbook. Goals: 10x the
organisations in at most 12x the time; peak memory under 1 GiB at 10,000.
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
import json, resource, sys, time
from pathlib import Path
from qimaturity import load_rubric
from qimaturity.cohort.model import build_cohort
from qimaturity.cohort.score import score_files
from qimaturity.cohort.tables import cohort_xlsx, write_cohort_csv
import io
started = time.perf_counter()
rubric = load_rubric("qi-readiness")
results, problems = score_files(rubric, [sys.argv[1]], keep_details=False)
cohort = build_cohort(results, group_by="region")
buffer = io.StringIO()
write_cohort_csv(cohort, [1, 2, 3, 4, 5], buffer)
workbook = cohort_xlsx(cohort, [1, 2, 3, 4, 5])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
figures = {"seconds": elapsed, "peak_bytes": peak, "organisations": len(cohort.members), "problems": len(problems)}
print(json.dumps(figures))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_cohort import write_cohort

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            started = time.perf_counter()
            write_cohort(folder, size)
            made = time.perf_counter() - started
            done = subprocess.run([sys.executable, "-c", RUN, str(folder)], capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout)
            runs.append((size, figures))
            print(
                f"{size:>6,} organisations: compare {figures['seconds']:7.2f} s, peak memory "
                f"{figures['peak_bytes'] / 2**20:7.1f} MiB (files generated in {made:.1f} s)"
            )
    for (small, a), (large, b) in zip(runs, runs[1:], strict=False):
        print(f"{large // small}x the organisations took {b['seconds'] / a['seconds']:.2f}x the time (goal <= 12x)")


if __name__ == "__main__":
    main()
