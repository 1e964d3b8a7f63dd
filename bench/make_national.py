"""A generated national archive: years x organisations x respondents answering the bundled qi-readiness, as Parquet.

    python bench/make_national.py -o national.parquet                    # 5 years x 250 organisations x 500
    python bench/make_national.py -o small.parquet --years 2 --organisations 20 --respondents 40 --seed 7

One file in the shape ``score-export`` reads (one row per respondent): organisation_id, organisation_name,
organisation_type (acute, mental-health, community, ambulance), region (seven regions), date (one day in June of
each year, per organisation), respondent, group, then one column per question of the rubric. Every organisation is
assessed every year. A row's group follows its number (1 board, 4 managers, 13 frontline and 2 patient partners
in each 20), so every group of every assessment is large enough to show; a respondent leaves the questions not
asked of their group empty, skips about 8 % of the others and says N/A to about 10 % of those that allow it
(N/A-allowing questions are text columns, "NA"; the others 8-bit integers). Levels lean per organisation (-1, 0
or +1) and drift, year on year, upwards for a third of the organisations (a further 10 % of their answers a level
higher each year) and downwards for a sixth (5 % a level lower), so that the national trend and the movement
between levels have something to show.

Deterministic: the same seed, sizes and Polars version write the same rows (cells come from Polars' seeded hash).
The archive is written year by year into row groups, so generating it holds one year in memory, not five.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from qimaturity import load_rubric
from qimaturity.rubric.model import Rubric

TYPES = ("acute", "mental-health", "community", "ambulance")
REGIONS = ("north-east", "north-west", "yorkshire", "midlands", "east", "london", "south")
GROUP_CYCLE = ("board",) + ("managers",) * 4 + ("frontline",) * 13 + ("patient-partners",) * 2  # per 20 rows
FIRST_YEAR = 2022


def year_frame(
    rubric: Rubric, year: int, year_index: int, organisations: int, respondents: int, seed: int
) -> pl.DataFrame:
    """One year's rows: every organisation's respondents, organisation by organisation."""
    rows = organisations * respondents
    i = pl.int_range(rows, dtype=pl.Int64)
    org = i // respondents
    within = i % respondents
    group = pl.lit(pl.Series(GROUP_CYCLE)).get(within % len(GROUP_CYCLE))
    groups_asked = {g.id for g in rubric.respondent_groups}
    # An organisation's lean (-1, 0, +1) and its drift (a third improve, a sixth decline), the same every year:
    # hashes of the organisation's number alone.
    lean = (org.hash(seed + 1) % 3).cast(pl.Int64) - 1
    drift_kind = (org.hash(seed + 2) % 6).cast(pl.Int64)
    day = 1 + (org.hash(seed + 3) % 28).cast(pl.Int64)
    columns: list[pl.Expr] = [
        pl.format("org-{}", (org + 1).cast(pl.String).str.zfill(4)).alias("organisation_id"),
        pl.format("Organisation {}", org + 1).alias("organisation_name"),
        pl.lit(pl.Series(TYPES)).get(org % len(TYPES)).alias("organisation_type"),
        pl.lit(pl.Series(REGIONS)).get(org % len(REGIONS)).alias("region"),
        pl.format(f"{year}-06-{{}}", day.cast(pl.String).str.zfill(2)).alias("date"),
        pl.format(f"r{year}-{{}}", i).alias("respondent"),
        group.alias("group"),
    ]
    cell_seed = seed * 1_000_003 + year_index * 10_007
    for k, question in enumerate(rubric.questions()):
        h = (i.hash(cell_seed + k) % 10_000).cast(pl.Int64)
        # 1 to 5, shifted by the organisation's lean; each year after the first, a further 10 % of an improving
        # organisation's answers are a level higher (5 % of a declining one's a level lower)
        roll20 = h // 500  # 0 to 19
        bump = (
            pl.when((drift_kind < 2) & (roll20 < 2 * year_index))
            .then(1)
            .when((drift_kind == 2) & (roll20 < year_index))
            .then(-1)
            .otherwise(0)
        )
        level = ((h % 5) + 1 + lean + bump).clip(1, 5).cast(pl.Int8)
        asked = group.is_in(sorted(question.respondents)) if question.respondents else group.is_in(sorted(groups_asked))
        roll = (h // 5) % 100
        skipped = roll < 8
        if question.na_allowed:
            cell = (
                pl.when(~asked | skipped)
                .then(pl.lit(None, pl.String))
                .when(roll >= 90)
                .then(pl.lit("NA"))
                .otherwise(level.cast(pl.String))
            )
        else:
            cell = pl.when(~asked | skipped).then(pl.lit(None, pl.Int8)).otherwise(level)
        columns.append(cell.alias(question.id))
    return pl.select(*columns)


def make_archive(
    rubric: Rubric,
    path: Path,
    *,
    years: int = 5,
    organisations: int = 250,
    respondents: int = 500,
    seed: int = 15,
    first_year: int = FIRST_YEAR,
    row_group_size: int = 100_000,
) -> Path:
    """Write the archive to ``path`` (Parquet, in row groups of ``row_group_size`` rows), one year at a time;
    returns ``path``."""
    frames = (year_frame(rubric, first_year + y, y, organisations, respondents, seed).lazy() for y in range(years))
    # Concatenated lazily and sunk: each year is computed, written and dropped in turn.
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.concat(list(frames), how="vertical").sink_parquet(path, row_group_size=row_group_size)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--organisations", type=int, default=250)
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--rubric", default="qi-readiness")
    args = parser.parse_args()
    make_archive(
        load_rubric(args.rubric),
        args.output,
        years=args.years,
        organisations=args.organisations,
        respondents=args.respondents,
        seed=args.seed,
    )
    size = args.output.stat().st_size / 2**20
    rows = args.years * args.organisations * args.respondents
    print(
        f"{args.output}: {rows:,} respondents, {args.years} years x {args.organisations} organisations, {size:.1f} MiB"
    )


if __name__ == "__main__":
    sys.exit(main())
