"""Benchmark: columnar scoring of a national survey export against a bare Polars query over the same file.

    python bench/bench_columnar.py                      # 1,000,000 respondents x 40 questions, 2,000 organisations
    python bench/bench_columnar.py --csv                # the same as CSV too
    python bench/bench_columnar.py --respondents 100000 --organisations 200 --repeat 1
    python bench/bench_columnar.py --rounds 3           # each measurement in 3 rounds, taking turns
    python bench/bench_columnar.py --rounds 3 --idle 300  # each when the machine is idle (waiting up to 5 minutes)

The rubric is qi-readiness 1.1.0 (as frozen in tests/data/rubrics: the workload this benchmark has measured since
the columnar engine was written, so its figures compare across versions; 2.0.0, with 55 questions each asked of
some groups only, would be another) with 9 of its questions repeated under new ids (``<id>-b``, in the same
domain, with the same weight, criticality, N/A and evidence settings and respondent groups), so 40 questions with
exactly its scoring policy: median of respondents, evidence cap, N/A excluded, missing answers an error, its rules
and bands.
Each export is scored twice, under two pooling policies:

- ``respondents``: each question's median over all its respondents;
- ``groups`` (as qi-readiness pools them, here with unequal weights: board 2, managers 1.5, frontline 1, patient
  partners 1; all four groups are large enough to show): each question's median within each group, then the
  groups' weighted mean.

The export (written with Polars into a temporary folder) has one row per respondent: organisation_id, name,
type, region, date, respondent, group (5 % board, 20 % managers, 65 % frontline, 10 % patient partners) and one
column per question; a respondent leaves the questions not asked of their group empty, skips about 8 % of the
others, and says N/A to about 10 % of those that allow it. Levels lean per organisation. In Parquet, questions
that allow N/A are text columns ("NA"), the others 8-bit integers.

Measured, each in a fresh process so that the peak memory (ru_maxrss) is its own, best of --repeat runs:

- ``score_export``: the whole path to every organisation's numbers: read, check every cell, count, the question
  statistics and policies, then each organisation's domains, rules, overall value and bands with the row engine's
  code (everything ``score-export`` writes as CSV). Building every organisation's full result as well (traces and
  priorities, for JSON) is timed on its own after the first run;
- ``with intervals``: the same with each value's interval in the tables (``score-export --intervals``): the
  moments of every respondent's own scores, measured in the counting pass;
- ``bare query``: one Polars query computing the same per-organisation weighted domain means (median of each
  question over respondents, with the evidence cap, N/A left out, weights renormalised), with no checks, no
  rules and no traces; under ``groups``, the median per organisation, group and question first, then each
  question's weighted mean over the groups that gave a level. Its numbers are compared with the domain values
  before rules of ``score_export``.

Goal: ratio <= 3.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from qimaturity import load_rubric
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.columnar import score_export
from qimaturity.scoring.kernel import level_below

RUBRIC = Path(__file__).resolve().parent.parent / "tests" / "data" / "rubrics" / "qi-readiness-1.1.0.yaml"
REPEATED = 9
GROUPS = [("board", 5), ("managers", 20), ("frontline", 65), ("patient-partners", 10)]
POOLINGS = ("respondents", "groups")
GROUP_WEIGHTS = {"board": 2.0, "managers": 1.5, "frontline": 1.0, "patient-partners": 1.0}  # under pooling: groups


def write_rubric(folder: Path, pooling: str = "respondents") -> Path:
    """qi-readiness 1.1.0 with nine of its questions repeated under new ids: 40 questions, the same policy (and,
    for ``groups``, pooling by group with :data:`GROUP_WEIGHTS`)."""
    doc = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    questions = [(domain, q) for domain in doc["domains"] for q in domain["questions"]]
    for domain, question in questions[:: len(questions) // REPEATED][:REPEATED]:
        domain["questions"].append({**copy.deepcopy(question), "id": f"{question['id']}-b"})
    doc["id"] = "qi-readiness-40"
    doc["scoring"]["respondents"]["pooling"] = pooling
    for group in doc["respondent_groups"]:
        group.pop("weight_rationale", None)  # a rationale for a weight of 1 explains nothing (refused)
        if pooling == "groups":
            group["weight"] = GROUP_WEIGHTS[group["id"]]
        else:
            group.pop("weight", None)  # weights count for nothing when respondents are pooled (refused)
    path = folder / f"qi-readiness-40-{pooling}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def make_export(rubric: Rubric, respondents: int, organisations: int, folder: Path, csv: bool) -> list[Path]:
    i = pl.int_range(respondents, dtype=pl.Int64)
    org = i * organisations // respondents
    bucket = i.hash(11) % 100
    chain: Any = pl
    cumulative = 0
    for name, share in GROUPS[:-1]:  # board below 5, managers below 25, frontline below 90, the rest patients
        cumulative += share
        chain = chain.when(bucket < cumulative).then(pl.lit(name))
    group = chain.otherwise(pl.lit(GROUPS[-1][0]))
    lean = (org.hash(5) % 3).cast(pl.Int64) - 1  # -1, 0 or +1 for the whole organisation
    columns: list[pl.Expr] = [
        pl.format("org-{}", org.cast(pl.String).str.zfill(5)).alias("organisation_id"),
        pl.format("Organisation {}", org).alias("organisation_name"),
        pl.lit("acute").alias("organisation_type"),
        pl.lit("north").alias("region"),
        pl.lit("2026-06-30").alias("date"),
        pl.format("r{}", i).alias("respondent"),
        group.alias("group"),
    ]
    for k, question in enumerate(rubric.questions()):
        h = i.hash(1000 + k) % 1000
        level = ((h % 5) + 1 + lean).clip(1, 5).cast(pl.Int8)
        asked = group.is_in(list(question.respondents)) if question.respondents else pl.lit(True)
        skipped = (h // 5) % 100 < 8
        said_na = (h // 5) % 100 >= 90
        if question.na_allowed:
            cell = (
                pl.when(~asked | skipped)
                .then(pl.lit(None, pl.String))
                .when(said_na)
                .then(pl.lit("NA"))
                .otherwise(level.cast(pl.String))
            )
        else:
            cell = pl.when(~asked | skipped).then(pl.lit(None, pl.Int8)).otherwise(level)
        columns.append(cell.alias(question.id))
    frame = pl.select(*columns)
    paths = [folder / "survey.parquet"]
    frame.write_parquet(paths[0])
    if csv:
        paths.append(folder / "survey.csv")
        frame.write_csv(paths[1])
    return paths


def bare_query(rubric: Rubric, path: Path) -> pl.DataFrame:
    """Per-organisation weighted domain means, the shortest way: median per question (within each group first,
    then the groups' weighted mean, under ``pooling: groups``), then weighted means."""
    scan = pl.scan_parquet(path) if path.suffix == ".parquet" else pl.scan_csv(path, infer_schema=False)
    scale = [level.value for level in rubric.levels]
    counted = []
    for question in rubric.questions():
        level = pl.col(question.id).cast(pl.Int8, strict=False)  # "NA" and empty: null
        if question.evidence_from is not None:
            cap = level_below(scale, question.evidence_from)
            capped = level >= question.evidence_from
            if question.evidence_groups:  # only the groups the question asks for evidence
                capped = capped & pl.col("group").is_in(list(question.evidence_groups))
            level = pl.when(capped).then(pl.lit(cap, pl.Int8)).otherwise(level)
        counted.append(level.median().alias(question.id))
    if rubric.scoring.pooling == "groups":
        weights = {g.id: g.weight for g in rubric.respondent_groups}
        weight = pl.col("group").replace_strict(weights, default=1.0, return_dtype=pl.Float64)  # no group: 1
        by_group = scan.group_by("organisation_id", "group").agg(counted).with_columns(weight.alias("__w"))
        pooled = []
        for question in rubric.questions():
            value = pl.col(question.id)
            given = pl.col("__w").filter(value.is_not_null()).sum()
            pooled.append(pl.when(given > 0).then((value * pl.col("__w")).sum() / given).alias(question.id))
        medians = by_group.group_by("organisation_id").agg(pooled)
    else:
        medians = scan.group_by("organisation_id").agg(counted)
    domains = []
    for domain in rubric.domains:
        total = pl.sum_horizontal(*[pl.col(q.id) * q.weight for q in domain.questions])
        weight = pl.sum_horizontal(*[pl.col(q.id).is_not_null() * q.weight for q in domain.questions])
        domains.append((total / weight).alias(domain.id))
    return medians.select("organisation_id", *domains).sort("organisation_id").collect()


def measure(kind: str, rubric_path: Path, export: Path, repeat: int, out: Path) -> dict[str, Any]:
    """Run in a fresh process: time ``kind`` ``repeat`` times; write its domain values to ``out``."""
    rubric = load_rubric(rubric_path)
    times = []
    full = 0.0
    peak = 0.0
    values: dict[str, list[float | None]] = {}
    for run in range(repeat):
        values = {}
        started = time.perf_counter()
        if kind in ("score", "intervals"):
            scores = score_export(rubric, export, intervals=kind == "intervals")
            times.append(time.perf_counter() - started)
            ids = scores.organisations["organisation_id"].to_list()
            for org, value in scores.domains.select("__org", "raw_value").iter_rows():
                values.setdefault(ids[org], []).append(value)
            if run == 0 and kind == "score":  # and every organisation's full result, built on demand
                started = time.perf_counter()
                built = sum(1 for _ in scores)
                full = time.perf_counter() - started
                assert built == len(ids)
            del scores
        else:
            frame = bare_query(rubric, export)
            times.append(time.perf_counter() - started)
            values = {row[0]: list(row[1:]) for row in frame.iter_rows()}
        if run == 0:  # the peak of one run (later runs may find memory the allocator kept)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps(values), encoding="utf-8")
    return {"best": min(times), "times": times, "peak_mb": peak, "organisations": len(values), "full": full}


def child(kind: str, rubric_path: Path, export: Path, repeat: int, out: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", kind, str(rubric_path), str(export), str(repeat), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def idle_share(seconds: float = 1.0) -> float | None:
    """How much of the machine's CPU time was idle over the next ``seconds`` (Linux's /proc/stat; None elsewhere)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle and iowait, of all

    try:
        idle, total = sample()
        time.sleep(seconds)
        idle2, total2 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return (idle2 - idle) / max(1, total2 - total)


def wait_idle(patience: float) -> None:
    """Wait, at most ``patience`` seconds, until other work leaves the machine at least 90 % idle for a second."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        share = idle_share()
        if share is None or share >= 0.9:
            return
    print(f"  (the machine was still busy after {patience:.0f} s; measuring anyway)", file=sys.stderr)


def rounds(
    kinds: list[str], count: int, rubric_path: Path, export: Path, repeat: int, folder: Path, idle: float
) -> dict[str, Any]:
    """Each kind measured in ``count`` rounds, taking turns (so that other work on the machine, which comes and
    goes, weighs on them alike), each when the machine is idle if ``idle`` (seconds to wait at most) is given; per
    kind the best time, every time, the first round's peak memory and full."""
    found: dict[str, dict[str, Any]] = {}
    for _ in range(count):
        for kind in kinds:
            if idle:
                wait_idle(idle)
            report = child(kind, rubric_path, export, repeat, folder / f"{kind}.json")
            if kind not in found:
                found[kind] = report
            else:
                found[kind]["times"] += report["times"]
                found[kind]["best"] = min(found[kind]["best"], report["best"])
    return found


def same_values(a: Path, b: Path) -> tuple[int, float]:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    assert left.keys() == right.keys(), "different organisations"
    worst = 0.0
    for org, values in left.items():
        for x, y in zip(values, right[org], strict=True):
            if x is None or y is None:
                assert x is None and y is None, (org, x, y)
            else:
                worst = max(worst, abs(x - y))
    return len(left), worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--csv", action="store_true", help="also write and time a CSV export")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="measure each kind in this many rounds, taking turns")
    parser.add_argument(
        "--idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each measurement wait, at most this long, until the machine is idle (Linux; a shared machine)",
    )
    parser.add_argument("--measure", nargs=5, metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, rubric_path, export, repeat, out = args.measure
        print(json.dumps(measure(kind, Path(rubric_path), Path(export), int(repeat), Path(out))))
        return
    with tempfile.TemporaryDirectory(prefix="qimaturity-bench-") as temporary:
        folder = Path(temporary)
        rubric_paths = {pooling: write_rubric(folder, pooling) for pooling in POOLINGS}
        rubric = load_rubric(rubric_paths["respondents"])
        started = time.perf_counter()
        exports = make_export(rubric, args.respondents, args.organisations, folder, args.csv)
        print(
            f"{args.respondents:,} respondents x {rubric.question_count} questions, {args.organisations:,} "
            f"organisations; written in {time.perf_counter() - started:.1f} s "
            f"({', '.join(f'{p.suffix[1:]} {p.stat().st_size / 2**20:.0f} MiB' for p in exports)})"
        )
        for export in exports:
            for pooling, rubric_path in rubric_paths.items():
                kinds = ["score", "bare", "intervals"]
                found = rounds(kinds, args.rounds, rubric_path, export, args.repeat, folder, args.idle)
                scored, bare, with_intervals = found["score"], found["bare"], found["intervals"]
                count, worst = same_values(folder / "score.json", folder / "bare.json")
                assert same_values(folder / "intervals.json", folder / "score.json") == (count, 0.0)
                ratio = scored["best"] / bare["best"]
                print(f"{export.suffix[1:]}, pooling: {pooling}:")
                print(
                    f"  score_export  {scored['best']:7.2f} s (runs {', '.join(f'{t:.2f}' for t in scored['times'])}), "
                    f"peak memory {scored['peak_mb']:.0f} MiB"
                )
                print(
                    f"  bare query    {bare['best']:7.2f} s (runs {', '.join(f'{t:.2f}' for t in bare['times'])}), "
                    f"peak memory {bare['peak_mb']:.0f} MiB"
                )
                print(
                    f"  ratio {ratio:.2f} (goal <= 3); {count:,} organisations, domain values agree within {worst:.1e}"
                )
                runs = ", ".join(f"{t:.2f}" for t in with_intervals["times"])
                print(
                    f"  with intervals {with_intervals['best']:5.2f} s (runs {runs}), peak memory "
                    f"{with_intervals['peak_mb']:.0f} MiB: ratio {with_intervals['best'] / bare['best']:.2f}"
                )
                print(
                    f"  then every organisation's full result (traces, priorities), on demand: {scored['full']:.2f} s "
                    f"({scored['full'] / count * 1000:.2f} ms each)"
                )
                assert math.isfinite(ratio)


if __name__ == "__main__":
    main()
