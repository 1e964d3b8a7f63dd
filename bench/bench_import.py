"""Benchmark: `import` of a respondent export against `score-export` of the same file, each in a fresh process.

    python bench/bench_import.py                              # 50,000 respondents x 40 questions, 100 organisations
    python bench/bench_import.py --respondents 200000 --organisations 400

The export is bench_columnar.py's CSV (one row per respondent: organisation, name, type, region, date, respondent,
group and 40 questions of qi-readiness's policy). Measured, best of --repeat runs:

- ``import``: what `qimaturity import RUBRIC EXPORT -o FOLDER/` does: read and check every cell, build and check
  each organisation's answers document, and write one answers file per organisation;
- ``score-export``: what `qimaturity score-export RUBRIC EXPORT -o OUT.csv` does: read, check and score every
  organisation, and write the scores as CSV.

Goal (issue 10): import within 3 times score-export on the same file.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_columnar import make_export, write_rubric  # noqa: E402

from qimaturity import load_rubric  # noqa: E402


def measure(kind: str, rubric_path: Path, export: Path, repeat: int, out: Path) -> dict[str, Any]:
    """Run in a fresh process: time ``kind`` ``repeat`` times, writing into ``out``."""
    rubric = load_rubric(rubric_path)
    times = []
    peak = 0.0
    count = 0
    for run in range(repeat):
        started = time.perf_counter()
        if kind == "import":
            from qimaturity.answers.sources import import_files

            count = len(import_files(export, rubric, out / f"run-{run}"))
        else:
            from qimaturity._core.outputs import write_atomic
            from qimaturity.scoring.columnar import score_export

            scores = score_export(rubric, export)
            stream = io.StringIO()
            scores.write_csv(stream)
            write_atomic(out / f"scores-{run}.csv", stream.getvalue())
            count = len(scores)
            del scores
        times.append(time.perf_counter() - started)
        if run == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"best": min(times), "times": times, "peak_mb": peak, "organisations": count}


def child(kind: str, rubric_path: Path, export: Path, repeat: int, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--measure", kind, str(rubric_path), str(export), str(repeat), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--measure", nargs=5, metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, rubric_path, export, repeat, out = args.measure
        print(json.dumps(measure(kind, Path(rubric_path), Path(export), int(repeat), Path(out))))
        return
    with tempfile.TemporaryDirectory(prefix="qimaturity-bench-") as temporary:
        folder = Path(temporary)
        rubric_path = write_rubric(folder)
        rubric = load_rubric(rubric_path)
        exports = make_export(rubric, args.respondents, args.organisations, folder, csv=True)
        export = next(p for p in exports if p.suffix == ".csv")
        print(
            f"{args.respondents:,} respondents x {rubric.question_count} questions, {args.organisations:,} "
            f"organisations; CSV of {export.stat().st_size / 2**20:.1f} MiB"
        )
        imported = child("import", rubric_path, export, args.repeat, folder / "import")
        scored = child("score-export", rubric_path, export, args.repeat, folder / "score")
        assert imported["organisations"] == scored["organisations"] == args.organisations
        for name, report in (("import", imported), ("score-export", scored)):
            runs = ", ".join(f"{t:.2f}" for t in report["times"])
            print(f"  {name:13} {report['best']:7.2f} s (runs {runs}), peak memory {report['peak_mb']:.0f} MiB")
        print(f"  ratio {imported['best'] / scored['best']:.1f} (goal <= 3)")


if __name__ == "__main__":
    main()
