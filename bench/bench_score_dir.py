"""Benchmark: `qimaturity score DIR --format csv|json` against a plain script doing the core of the same job.

    python bench/bench_score_dir.py                   # 1,000 answers files, 5 respondents each, the default rubric
    python bench/bench_score_dir.py --count 10000 --rounds 1

Both run as fresh processes on the same files (generated as bench_scoring.py generates them, in JSON), taking
turns, so that the ratio is meaningful on a noisy machine; the best of --rounds is kept. Each process's time is
from its start (interpreter, imports, rubric) to its output written; its processor time (user and system, with its
workers': `score` uses one per CPU from 64 files on) says what it cost however busy the machine was; its peak
memory is that of its largest process (ru_maxrss). --code runs `score` from another checkout (an earlier
commit unpacked with git archive), to measure before and after in the same way.

The plain script is what a competent analyst would write: read the rubric with PyYAML's C loader for its
weights, critical flags, evidence levels and groups; then for each file json.loads, the counted level of each
answer (below the level needing evidence where the question asks that group for evidence from that level up: generated
answers cite none), each group's median, the groups' mean, each domain's weighted mean, the overall weighted
mean, levels by floor, the rubric's four rules (its critical-items cap, its two overall gates and its cap) and
the band (sums with math.fsum, as the engine adds them); one CSV line per organisation. No checks, no traces, no
priorities, no agreement, no intervals.
``score`` writes every question's value, level, target, gap, agreement, group values, perception gaps,
priorities and intervals as well, after checking every answer against the rubric: the ratio is what all that
costs. The domain and overall values and levels of both are compared: they must agree exactly.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scoring import make_files as make_answers_files

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = ROOT / "rubrics" / "qi-readiness.yaml"


def make_files(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    """``count`` JSON answers files of the default rubric, five respondents each (as bench_scoring.py makes)."""
    return make_answers_files(folder, count, "json", seed)


PLAIN = r"""
import json, math, os, statistics, sys
import yaml

rubric = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CSafeLoader)
folder, out = sys.argv[2], sys.argv[3]
groups = {g["id"]: float(g.get("weight", 1)) for g in rubric["respondent_groups"]}
domains = []
for d in rubric["domains"]:
    questions = []
    for q in d["questions"]:
        evidence = q.get("evidence") or {}
        questions.append((q["id"], float(q.get("weight", 1)), bool(q.get("critical")), evidence.get("from_level"),
                          set(evidence.get("groups") or groups)))
    domains.append((d["id"], float(d.get("weight", 1)), questions))
bands = [(b["from"], b["to"], b["name"]) for b in rubric["bands"]["items"]]

def band(value):
    return next(name for low, high, name in bands if low <= value <= high)

with open(out, "w", encoding="utf-8") as stream:
    stream.write("organisation_id,scope,id,value,level,band\n")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            doc = json.load(f)
        answers = {}
        for respondent in doc["respondents"]:
            group = respondent["group"]
            for qid, level in respondent["answers"].items():
                answers.setdefault(qid, {}).setdefault(group, []).append(level)
        results = {}
        for did, dweight, questions in domains:
            terms, weights = [], []
            critical_low = False
            for qid, qweight, critical, evidence_from, evidence_groups in questions:
                by_group = answers.get(qid)
                if not by_group:
                    continue
                values = []
                for group, levels in by_group.items():
                    if evidence_from is not None and group in evidence_groups:
                        # no evidence cited: counted at the level below the one needing it
                        levels = [evidence_from - 1 if lv >= evidence_from else lv for lv in levels]
                    values.append((statistics.median(levels), groups[group]))
                value = sum(v * w for v, w in values) / sum(w for _, w in values)
                critical_low = critical_low or (critical and math.floor(value) < 3)
                terms.append(qweight * value)
                weights.append(qweight)
            value = math.fsum(terms) / math.fsum(weights)
            level = math.floor(value)
            if critical_low:
                level = min(level, 3)  # critical-items-cap
            results[did] = (value, level, dweight)
        value = math.fsum(v * w for v, _, w in results.values()) / math.fsum(w for _, _, w in results.values())
        level = math.floor(value)
        levels = [lv for _, lv, _ in results.values()]
        if any(lv < 3 for lv in levels):
            level = min(level, 3)  # no-weak-domain-for-embedded
        if sum(lv < 2 for lv in levels) >= 2:
            level = min(level, 2)  # two-weak-domains-cap
        if not (results["patient-involvement"][1] >= 4 and results["leadership"][1] >= 4):
            level = min(level, 4)  # exemplary-needs-patients
        org = doc["organisation"]["id"]
        stream.write(f"{org},overall,overall,{value!r},{level},{band(value)}\n")
        for did, (dvalue, dlevel, _) in results.items():
            stream.write(f"{org},domain,{did},{dvalue!r},{dlevel},{band(dvalue)}\n")
"""


def run(command: list[str], code: Path = ROOT) -> tuple[float, float, int]:
    """Run ``command`` with the package of the checkout ``code``: its wall-clock seconds, its processor seconds
    (user and system, its worker processes included) and its peak memory (bytes: the largest process's)."""
    started = time.perf_counter()
    # In the checkout: python -m puts the working directory on the path before PYTHONPATH.
    environment = {**os.environ, "PYTHONPATH": str(code)}
    # As installed: modules compiled once and their bytecode kept (a setting that forbids it would add the compiling
    # of every module, about half a second, to each run of either side).
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    process = subprocess.Popen(command, cwd=code, env=environment, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{command[:4]} failed with exit code {process.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def numbers_of_csv(path: Path) -> dict[tuple[str, str], tuple[float, int]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return {
            (row["organisation_id"], row["id"]): (float(row["value"]), int(row["level"]))
            for row in csv.DictReader(stream)
            if row["scope"] in ("overall", "domain")
        }


def numbers_of_json(path: Path) -> dict[tuple[str, str], tuple[float, int]]:
    found = {}
    with path.open(encoding="utf-8") as stream:
        data = json.load(stream)
    for result in data if isinstance(data, list) else [data]:
        org = result["organisation"]["id"]
        found[(org, "overall")] = (result["overall"]["value"], result["overall"]["level"])
        for domain in result["domains"]:
            found[(org, domain["id"])] = (domain["value"], domain["level"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["csv", "json"], choices=["csv", "json"])
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="Run score from this checkout (e.g. an earlier commit's, unpacked)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "answers"
        folder.mkdir()
        make_files(folder, args.count)
        plain_out = Path(tmp) / "plain.csv"
        plain_command = [sys.executable, "-c", PLAIN, str(RUBRIC), str(folder), str(plain_out)]
        ours = {
            fmt: [
                sys.executable,
                "-m",
                "qimaturity",
                "score",
                str(RUBRIC),
                str(folder),
                "-o",
                str(Path(tmp) / f"ours.{fmt}"),
            ]
            for fmt in args.formats
        }
        run(plain_command)  # warm the file cache
        best: dict[str, tuple[float, float, int]] = {}
        for _ in range(args.rounds):
            for name, command in [("plain", plain_command), *ours.items()]:
                figures = run(command, args.code)
                if name not in best or figures[0] < best[name][0]:
                    best[name] = figures
        expected = numbers_of_csv(plain_out)
        print(f"{args.count:,} answers files of qi-readiness, 5 respondents each; best of {args.rounds} round(s)")
        plain_seconds, plain_cpu, plain_peak = best["plain"]
        print(f"plain script : {plain_seconds:7.2f} s  (cpu {plain_cpu:7.2f} s)  peak {plain_peak / 2**20:7.1f} MiB")
        for fmt in args.formats:
            output = Path(tmp) / f"ours.{fmt}"
            got = numbers_of_csv(output) if fmt == "csv" else numbers_of_json(output)
            agree = "numbers agree" if got == expected else "NUMBERS DIFFER"
            seconds, cpu, peak = best[fmt]
            print(
                f"score {fmt:4}   : {seconds:7.2f} s  (cpu {cpu:7.2f} s)  peak {peak / 2**20:7.1f} MiB  "
                f"ratio {seconds / plain_seconds:5.2f} (cpu {cpu / plain_cpu:5.2f}; goal <= 3)  "
                f"output {output.stat().st_size / 2**20:6.1f} MiB  {agree}"
            )
            if got != expected:
                wrong = sorted(k for k in expected if got.get(k) != expected[k])[:5]
                print("  first differences:", [(k, expected[k], got.get(k)) for k in wrong])
                sys.exit(1)


if __name__ == "__main__":
    main()
