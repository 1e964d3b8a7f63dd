"""Benchmark: `compare` and `score-export` over a national archive against a bare Polars query, each in a fresh process.

    python bench/bench_national.py                             # 5 years x 250 organisations x 500 respondents
    python bench/bench_national.py --years 2 --organisations 50 --respondents 200

The archive is bench/make_national.py's (Parquet, the bundled qi-readiness: 55 questions, each asked of some
groups, pooled by group). Measured, each as the command a user runs, in a process of its own whose peak memory is
read with ``getrusage(RUSAGE_CHILDREN)`` by a wrapper process that starts nothing else:

- ``compare``: ``qimaturity compare qi-readiness ARCHIVE -o cohort.csv``: every assessment scored (the columnar
  engine's counts, then each full result: rules, bands, intervals), the cohort with the national trend (each year's
  statistics per domain and overall, the movement between levels) written as CSV;
- ``score-export``: ``qimaturity score-export qi-readiness ARCHIVE -o scores.csv``: every assessment's scores;
- ``bare query``: one Polars query computing the same per-year medians of each domain's value (and the overall
  value) across organisations: per organisation, date and group the median of each question (N/A and empty left
  out), the groups' weighted mean, the questions' weighted mean per domain, the domains' weighted mean overall,
  then per year the median over organisations. No checks, no rules, no intervals, no traces.

The per-year medians of all three are compared (``compare``'s from its CSV's year rows; ``score-export``'s by
taking the median per year of the domain values it wrote).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_national import make_archive  # noqa: E402

from qimaturity import load_rubric  # noqa: E402
from qimaturity.rubric.model import Rubric  # noqa: E402
from qimaturity.scoring.kernel import level_below  # noqa: E402

RUBRIC = "qi-readiness"


def bare_medians(rubric: Rubric, archive: Path) -> pl.DataFrame:
    """year, id (a domain id or "overall"), median: the bare Polars query."""
    scan = pl.scan_parquet(archive)
    scale = [level.value for level in rubric.levels]
    medians = []
    for question in rubric.questions():
        level = pl.col(question.id).cast(pl.Int8, strict=False)  # "NA" and empty: null
        if question.evidence_from is not None:  # an export cites no evidence: counted at the level below
            capped = level >= question.evidence_from
            if question.evidence_groups:  # only the groups the question asks for evidence
                capped = capped & pl.col("group").is_in(list(question.evidence_groups))
            level = pl.when(capped).then(pl.lit(level_below(scale, question.evidence_from), pl.Int8)).otherwise(level)
        medians.append(level.median().alias(question.id))
    weights = {g.id: g.weight for g in rubric.respondent_groups}
    weight = pl.col("group").replace_strict(weights, default=1.0, return_dtype=pl.Float64)
    keys = ["organisation_id", "date"]
    if rubric.scoring.pooling == "groups":
        by_group = scan.group_by(*keys, "group").agg(medians).with_columns(weight.alias("__w"))
        pooled = []
        for question in rubric.questions():
            value = pl.col(question.id)
            given = pl.col("__w").filter(value.is_not_null()).sum()
            pooled.append(pl.when(given > 0).then((value * pl.col("__w")).sum() / given).alias(question.id))
        values = by_group.group_by(*keys).agg(pooled)
    else:
        values = scan.group_by(*keys).agg(medians)
    domains = []
    for domain in rubric.domains:
        total = pl.sum_horizontal(*[pl.col(q.id) * q.weight for q in domain.questions])
        given = pl.sum_horizontal(*[pl.col(q.id).is_not_null() * q.weight for q in domain.questions])
        domains.append((total / given).alias(domain.id))
    overall = pl.sum_horizontal(*[pl.col(d.id) * d.weight for d in rubric.domains]) / sum(
        d.weight for d in rubric.domains
    )
    return (
        values.select(*keys, *domains)
        .with_columns(overall.alias("overall"), pl.col("date").str.slice(0, 4).alias("year"))
        .group_by("year")
        .agg(pl.col([d.id for d in rubric.domains] + ["overall"]).median())
        .unpivot(index="year", variable_name="id", value_name="median")
        .sort("year", "id")
        .collect()
    )


def compare_medians(path: Path) -> pl.DataFrame:
    """The year rows of the whole cohort from ``compare``'s CSV."""
    frame = pl.read_csv(path, infer_schema=False)
    return (
        frame.filter((pl.col("group") == "All organisations") & pl.col("period").str.contains(r"^\d{4}$"))
        .select(pl.col("period").alias("year"), "id", pl.col("median").cast(pl.Float64))
        .sort("year", "id")
    )


def export_medians(path: Path) -> pl.DataFrame:
    """Per year, the median of each domain's (and the overall) value that ``score-export`` wrote."""
    frame = pl.read_csv(path, infer_schema=False)
    return (
        frame.filter(pl.col("scope").is_in(["domain", "overall"]))
        .select(pl.col("date").str.slice(0, 4).alias("year"), "id", pl.col("value").cast(pl.Float64))
        .group_by("year", "id")
        .agg(pl.col("value").median().alias("median"))
        .sort("year", "id")
    )


def largest_difference(a: pl.DataFrame, b: pl.DataFrame) -> float:
    joined = a.join(b, on=["year", "id"], how="full", coalesce=True)
    assert joined.height == a.height == b.height, "the two give different years or domains"
    return float(joined.select((pl.col("median") - pl.col("median_right")).abs().max()).item())


def wrapped(command: list[str]) -> dict[str, Any]:
    """Run ``command`` from a wrapper process that starts nothing else: its RUSAGE_CHILDREN is the command's."""
    done = subprocess.run([sys.executable, __file__, "--wrap", *command], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def wrap(command: list[str]) -> None:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def bare_child(archive: Path, out: Path) -> None:
    bare_medians(load_rubric(RUBRIC), archive).write_csv(out)


def best(command: list[str], repeat: int) -> dict[str, Any]:
    runs = [wrapped(command) for _ in range(repeat)]
    return {
        "seconds": min(r["seconds"] for r in runs),
        "runs": [r["seconds"] for r in runs],
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--organisations", type=int, default=250)
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--wrap", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=2, metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.wrap:
        wrap(args.wrap)
        return
    if args.bare:
        bare_child(Path(args.bare[0]), Path(args.bare[1]))
        return
    rubric = load_rubric(RUBRIC)
    with tempfile.TemporaryDirectory(prefix="qimaturity-bench-") as temporary:
        folder = Path(temporary)
        archive = make_archive(
            rubric,
            folder / "national.parquet",
            years=args.years,
            organisations=args.organisations,
            respondents=args.respondents,
            seed=args.seed,
        )
        rows = args.years * args.organisations * args.respondents
        print(
            f"{args.years} years x {args.organisations:,} organisations x {args.respondents:,} respondents = "
            f"{rows:,} rows x {rubric.question_count} questions; Parquet of {archive.stat().st_size / 2**20:.1f} MiB"
        )
        cli = [sys.executable, "-m", "qimaturity"]
        measured = {
            "compare": best([*cli, "compare", RUBRIC, str(archive), "-o", str(folder / "cohort.csv")], args.repeat),
            "score-export": best(
                [*cli, "score-export", RUBRIC, str(archive), "-o", str(folder / "scores.csv")], args.repeat
            ),
            "bare query": best(
                [sys.executable, __file__, "--bare", str(archive), str(folder / "bare.csv")], args.repeat
            ),
        }
        bare = pl.read_csv(folder / "bare.csv", schema_overrides={"year": pl.String})
        for name, report in measured.items():
            runs = ", ".join(f"{t:.2f}" for t in report["runs"])
            ratio = report["seconds"] / measured["bare query"]["seconds"]
            print(
                f"  {name:13} {report['seconds']:7.2f} s (runs {runs}), peak memory {report['peak_mib']:5.0f} MiB"
                + ("" if name == "bare query" else f", {ratio:.1f}x the bare query")
            )
        years = bare["year"].n_unique()
        print(
            f"  per-year medians ({years} years x {len(rubric.domains)} domains and overall) agree with the bare "
            f"query within: compare {largest_difference(compare_medians(folder / 'cohort.csv'), bare):.1e}, "
            f"score-export {largest_difference(export_medians(folder / 'scores.csv'), bare):.1e}"
        )


if __name__ == "__main__":
    main()
