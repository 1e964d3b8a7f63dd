"""Benchmark: score many assessments of the default rubric from files, against merely reading and parsing them.

Both are measured in the same run on the same files, so the ratio is meaningful on a noisy machine:

    python bench/bench_scoring.py                 # 10,000 assessments, 5 respondents each, YAML and JSON
    python bench/bench_scoring.py --count 2000 --format json

"scoring" is the whole path a user runs: read, parse safely with positions, check against the schema and the
rubric, build the assessment, score it with traces. "parsing" is reading each file and parsing it with the
fastest plain parser (PyYAML's C loader, or json.loads). Goal: ratio <= 5.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

from qimaturity import load_assessment, load_rubric, score

RESPONDENTS = 5


def make_files(folder: Path, count: int, fmt: str, seed: int = 2026) -> list[Path]:
    rubric = load_rubric("qi-readiness")
    groups = [g.id for g in rubric.respondent_groups]
    rng = random.Random(seed)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for index in range(count):
        respondents = []
        for r in range(RESPONDENTS):
            group = groups[r % len(groups)]
            answers = {
                q.id: rng.randint(1, 5) for q in rubric.questions() if not q.respondents or group in q.respondents
            }
            respondents.append({"id": f"r{r + 1}", "group": group, "answers": answers})
        doc = {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "organisation": {"id": f"org-{index:05d}", "name": f"Organisation {index}", "type": "acute"},
            "date": "2026-06-30",
            "respondents": respondents,
        }
        path = folder / f"org-{index:05d}.{fmt}"
        text = json.dumps(doc) if fmt == "json" else yaml.dump(doc, Dumper=dumper, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def parse_only(paths: list[Path], fmt: str) -> float:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    started = time.perf_counter()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        json.loads(text) if fmt == "json" else yaml.load(text, Loader=loader)  # noqa: S506 (C safe loader)
    return time.perf_counter() - started


def score_all(paths: list[Path]) -> float:
    rubric = load_rubric("qi-readiness")
    started = time.perf_counter()
    for path in paths:
        score(rubric, load_assessment(path, rubric))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--format", choices=["yaml", "json", "both"], default="both")
    args = parser.parse_args()
    formats = ["yaml", "json"] if args.format == "both" else [args.format]
    print(f"{args.count:,} assessments of qi-readiness, {RESPONDENTS} respondents each")
    for fmt in formats:
        with tempfile.TemporaryDirectory() as tmp:
            paths = make_files(Path(tmp), args.count, fmt)
            parse_only(paths[:200], fmt)  # warm the file cache and imports
            parsing = parse_only(paths, fmt)
            scoring = score_all(paths)
        print(
            f"{fmt:4}: parsing {parsing:7.2f} s  scoring {scoring:7.2f} s  "
            f"({scoring / args.count * 1000:.2f} ms each)  ratio {scoring / parsing:5.2f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
