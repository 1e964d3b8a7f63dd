"""Benchmark: `qimaturity compare DIR --group-by region` against a plain script doing the core of the same job.

    python bench/bench_compare_plain.py                    # 1,000 answers files, 5 respondents each, the default rubric
    python bench/bench_compare_plain.py --count 2000 --rounds 1
    python bench/bench_compare_plain.py --code /tmp/before # compare from another checkout (an earlier commit, unpacked)

The files are bench_score_dir.py's (qi-readiness, five respondents each, in JSON), each organisation given one of
four regions in turn. Both run as fresh processes on the same files, taking turns; the best of --rounds is kept.
Each process's time is from its start (interpreter, imports, rubric) to its output written; its processor time
(user and system, with its workers': `compare` uses one per CPU from 64 files on) says what it cost however busy
the machine was; its peak memory is that of its largest process.

The plain script is bench_score_dir.py's (each organisation's domain and overall values and levels: group medians
with the evidence cap, weighted means, the rubric's four rules), then what `compare` adds: for everyone and for
each region, per domain and overall, the median and quartiles of the organisations' values (inclusive method, as
``statistics.quantiles`` computes them) and how many organisations are at each level; one CSV line per group and
domain. No checks, no traces, no ranks, outliers or notes. ``compare -o OUT.csv`` writes the same statistics (and
the minimum and maximum), after checking every answer; its numbers (read from ``compare --format json``, run once
after the timings) must agree with the plain script's.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_score_dir import PLAIN, RUBRIC, make_files, run

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ("north", "south", "east", "west")

# bench_score_dir.py's plain script up to each organisation's numbers, then the statistics of the groups instead of
# a line per organisation.
_SCORING, _, _ = PLAIN.partition('        org = doc["organisation"]["id"]\n')
PLAIN_COMPARE = (
    _SCORING.replace('with open(out, "w", encoding="utf-8") as stream:\n', "members = []\nif True:\n").replace(
        '    stream.write("organisation_id,scope,id,value,level,band\\n")\n', ""
    )
    + r"""        members.append((doc["organisation"].get("region"), value, level, results))

def stats(values, levels):
    ordered = sorted(values)
    q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else ordered * 3
    counts = {}
    for lv in levels:
        counts[lv] = counts.get(lv, 0) + 1
    return [len(ordered), repr(q1), repr(median), repr(q3), " ".join(f"{k}:{n}" for k, n in sorted(counts.items()))]

groups_of = {"All organisations": members}
for member in members:
    groups_of.setdefault(member[0], []).append(member)
with open(out, "w", encoding="utf-8") as stream:
    stream.write("group,domain,organisations,q1,median,q3,levels\n")
    for name, chosen in groups_of.items():
        for did, _, _ in domains:
            row = stats([m[3][did][0] for m in chosen], [m[3][did][1] for m in chosen])
            stream.write(",".join(map(str, [name, did, *row])) + "\n")
        row = stats([m[1] for m in chosen], [m[2] for m in chosen])
        stream.write(",".join(map(str, [name, "overall", *row])) + "\n")
"""
)


def make_cohort(folder: Path, count: int) -> None:
    """bench_score_dir.py's files, each organisation in one of :data:`REGIONS` in turn."""
    for index, path in enumerate(make_files(folder, count)):
        document = json.loads(path.read_text(encoding="utf-8"))
        document["organisation"]["region"] = REGIONS[index % len(REGIONS)]
        path.write_text(json.dumps(document), encoding="utf-8")


Numbers = dict[tuple[str, str], tuple[int, float, float, float, str]]


def plain_numbers(path: Path) -> Numbers:
    with path.open(encoding="utf-8", newline="") as stream:
        return {
            (row["group"], row["domain"]): (
                int(row["organisations"]),
                float(row["q1"]),
                float(row["median"]),
                float(row["q3"]),
                row["levels"],
            )
            for row in csv.DictReader(stream)
        }


def compare_numbers(document: dict) -> Numbers:
    found: Numbers = {}
    for name, group in [("All organisations", document["everyone"]), *((g["name"], g) for g in document["groups"])]:
        nodes = [(d["id"], d["stats"]) for d in group["domains"]] + [("overall", group["overall"])]
        for ident, s in nodes:
            levels = " ".join(f"{lv['level']}:{lv['count']}" for lv in s["levels"])
            found[(name, ident)] = (s["n"], s["q1"], s["median"], s["q3"], levels)
    return found


def differences(expected: Numbers, got: Numbers) -> tuple[float, list[tuple[str, str]]]:
    """The largest difference between the two's quartiles, and the keys whose counts or levels differ."""
    largest = 0.0
    wrong = sorted(set(expected) ^ set(got))
    for key in set(expected) & set(got):
        a, b = expected[key], got[key]
        if a[0] != b[0] or a[4] != b[4]:
            wrong.append(key)
        largest = max(largest, *(abs(x - y) for x, y in zip(a[1:4], b[1:4], strict=True)))
    return largest, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", type=Path, default=ROOT, help="Run compare from this checkout.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "answers"
        folder.mkdir()
        make_cohort(folder, args.count)
        plain_out, ours_out = Path(tmp) / "plain.csv", Path(tmp) / "ours.csv"
        plain = [sys.executable, "-c", PLAIN_COMPARE, str(RUBRIC), str(folder), str(plain_out)]
        ours = [
            *(sys.executable, "-m", "qimaturity", "compare", str(RUBRIC), str(folder)),
            *("--group-by", "region", "-o", str(ours_out)),
        ]
        run(plain)  # warm the file cache
        best: dict[str, tuple[float, float, int]] = {}
        times: dict[str, list[float]] = {"plain": [], "compare": []}
        for _ in range(args.rounds):
            for name, command in (("plain", plain), ("compare", ours)):
                figures = run(command, args.code)
                times[name].append(figures[0])
                if name not in best or figures[0] < best[name][0]:
                    best[name] = figures
        as_json = subprocess.run(
            [*ours[:6], "--group-by", "region", "--format", "json"],
            cwd=args.code,
            env={"PYTHONPATH": str(args.code), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        largest, wrong = differences(plain_numbers(plain_out), compare_numbers(json.loads(as_json.stdout)))
        print(f"{args.count:,} answers files of qi-readiness, 5 respondents each, 4 regions; best of {args.rounds}")
        for name in ("plain", "compare"):
            seconds, cpu, peak = best[name]
            runs = ", ".join(f"{t:.2f}" for t in times[name])
            print(f"{name:8}: {seconds:7.2f} s (runs {runs})  cpu {cpu:7.2f} s  peak {peak / 2**20:6.1f} MiB", end="")
            if name == "compare":
                print(f"  ratio {seconds / best['plain'][0]:.2f} (cpu {cpu / best['plain'][1]:.2f}; goal <= 2)")
            else:
                print()
        if wrong:
            print("NUMBERS DIFFER:", wrong[:5])
            sys.exit(1)
        print(f"numbers agree: counts and levels exactly, quartiles within {largest:.1e}")


if __name__ == "__main__":
    main()
