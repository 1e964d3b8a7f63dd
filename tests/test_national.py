"""A national archive (years x organisations x respondents, one Parquet file) compared and scored at scale.

The archive comes from bench/make_national.py: every organisation assessed every year, against the bundled
qi-readiness. `compare` reads it with the columnar engine; its cohort must be the one `compare` builds from the
same rows imported as answers files and scored by the row engine.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from qimaturity import compare, load_rubric
from qimaturity.answers.sources import import_files
from qimaturity.cohort.tables import write_cohort_csv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from make_national import make_archive  # noqa: E402

from .conftest import ROOT, run_main  # noqa: E402


def cohort_csv(rubric_id: str, answers: Path, **options: object) -> str:
    rubric = load_rubric(rubric_id)
    stream = io.StringIO()
    write_cohort_csv(compare(rubric, answers, min_cohort=3, **options), [lv.value for lv in rubric.levels], stream)  # type: ignore[arg-type]
    return stream.getvalue()


@pytest.mark.slow
def test_compare_over_a_parquet_archive_is_compare_over_its_rows_imported_as_answers_files(tmp_path: Path) -> None:
    rubric = load_rubric("qi-readiness")
    archive = make_archive(rubric, tmp_path / "national.parquet", years=3, organisations=6, respondents=100)
    exported = tmp_path / "national.csv"
    pl.read_parquet(archive).write_csv(exported)
    written = import_files(exported, rubric, tmp_path / "answers")
    assert len(written) == 18  # 6 organisations x 3 years: one answers file per organisation and date

    from_archive = cohort_csv("qi-readiness", archive)
    assert from_archive == cohort_csv("qi-readiness", tmp_path / "answers")
    # the national trend is there: one row per year for the overall value, and the movement between them
    years = [line.split(",")[1] for line in from_archive.splitlines() if ",overall,overall," in line]
    assert years == ["latest", "2022", "2023", "2024"]
    # a period reads the archive's dates as it reads the answers files'
    assert cohort_csv("qi-readiness", archive, start="2023-01-01", end="2023-12-31") == cohort_csv(
        "qi-readiness", tmp_path / "answers", start="2023-01-01", end="2023-12-31"
    )


_PEAK = """
import json, resource, sys
from qimaturity import compare, load_rubric
cohort = compare(load_rubric("qi-readiness"), sys.argv[1], min_cohort=3)
print(json.dumps([len(cohort.members), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""


@pytest.mark.slow
@pytest.mark.subprocess
def test_compare_over_an_archive_keeps_memory_flat_as_respondents_grow(tmp_path: Path) -> None:
    # The same 2 years x 20 organisations with 4x the respondents (12,000 against 48,000 rows of 55 answers, in
    # row groups of 4,000 as a large archive has them in row groups far smaller than itself): the columnar engine
    # counts the answers in a streaming pass, so the peak stays near the small one's. Held as the
    # row engine's answers (a Python object per answer), 48,000 respondents take hundreds of MiB more.
    rubric = load_rubric("qi-readiness")
    peaks = []
    for respondents in (300, 1200):
        archive = make_archive(
            rubric,
            tmp_path / f"n{respondents}.parquet",
            years=2,
            organisations=20,
            respondents=respondents,
            row_group_size=4_000,
        )
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, str(archive)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        members, peak = json.loads(done.stdout.strip().splitlines()[-1])
        assert members == 20
        peaks.append(peak)
    assert peaks[1] < 1.3 * peaks[0], peaks
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >= max(peaks)


def test_parts_are_contiguous_runs_of_nearly_equal_length() -> None:
    from qimaturity.batch.cluster import parts_of

    # 7 ids in 3 parts: 7 = 3 + 2 + 2, in order; more parts than ids gives one id each
    assert parts_of(list("abcdefg"), 3) == [["a", "b", "c"], ["d", "e"], ["f", "g"]]
    assert parts_of(["a", "b"], 4) == [["a"], ["b"]]
    assert parts_of([], 4) == []


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    local = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    try:
        yield local.scheduler_address
    finally:
        local.close()


@pytest.mark.slow
@pytest.mark.subprocess
def test_score_export_and_compare_on_a_dask_cluster_give_the_single_machine_outputs(
    tmp_path: Path, cluster: str
) -> None:
    rubric = load_rubric("qi-readiness")
    archive = make_archive(rubric, tmp_path / "national.parquet", years=3, organisations=9, respondents=100)
    runs = {
        "score-export.csv": ["score-export", "qi-readiness", str(archive), "--intervals"],
        "score-export.json": ["score-export", "qi-readiness", str(archive), "--format", "json"],
        "cohort.csv": ["compare", "qi-readiness", str(archive), "--min-cohort", "3", "--group-by", "type"],
    }
    for name, args in runs.items():
        alone = run_main(*args, "-o", str(tmp_path / f"alone-{name}"))
        shared = run_main(*args, "-o", str(tmp_path / f"shared-{name}"), "--scheduler", cluster)
        assert alone.returncode == shared.returncode == 0, shared.stderr
        assert (tmp_path / f"shared-{name}").read_bytes() == (tmp_path / f"alone-{name}").read_bytes(), name
        assert shared.stderr.replace("shared-", "alone-") == alone.stderr
    # 9 organisations x 3 years, shared out over 2 workers x 2 parts: 27 assessments
    assert (tmp_path / "shared-score-export.csv").read_text().count(",overall,,overall,") == 27


@pytest.mark.slow
@pytest.mark.subprocess
def test_an_export_with_problems_on_a_dask_cluster_is_reported_as_on_one_machine(tmp_path: Path, cluster: str) -> None:
    rubric = load_rubric("qi-readiness")
    archive = make_archive(rubric, tmp_path / "good.parquet", years=2, organisations=6, respondents=100)
    bad = tmp_path / "bad.parquet"
    frame = pl.read_parquet(archive)
    # a level off the scale in one organisation's row: its part meets a problem, so the export is scored on this
    # machine, which reports it at its row of the whole file
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 250)
        .then(pl.lit(9, pl.Int8))
        .otherwise(pl.col("lead-role-models"))
        .alias("lead-role-models")
    )
    frame.write_parquet(bad)
    for args in (["score-export", "qi-readiness", str(bad)], ["compare", "qi-readiness", str(bad)]):
        alone = run_main(*args)
        shared = run_main(*args, "--scheduler", cluster)
        assert alone.returncode == shared.returncode == 2
        assert shared.stderr == alone.stderr
        assert ":252:" in shared.stderr and "lead-role-models" in shared.stderr  # data row 250 is line 252


def test_scheduler_for_compare_applies_to_parquet_exports() -> None:
    result = run_main("compare", "qi-readiness", str(ROOT / "examples" / "cohort"), "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2
    assert "applies to Parquet exports" in result.stderr


@pytest.mark.slow
def test_score_still_refuses_a_parquet_export_that_compare_reads(tmp_path: Path) -> None:
    # compare takes an archive as a cohort; score takes one organisation's answers, and an export is not that
    archive = make_archive(
        load_rubric("qi-readiness"), tmp_path / "one.parquet", years=1, organisations=1, respondents=100
    )
    refused = run_main("score", "qi-readiness", str(archive))
    assert refused.returncode == 2
    # named for what it is, with the commands that read it (it was "not an answers file, export, ...")
    assert refused.stderr == (
        f"{archive}: /: a Parquet export (one row per respondent), which only score-export and compare read "
        "(qimaturity score-export RUBRIC one.parquet, or qimaturity compare RUBRIC one.parquet)\n"
    )
    compared = run_main("compare", "qi-readiness", str(archive), "--min-cohort", "1", "--all")
    assert compared.returncode == 0, compared.stderr
    assert "Organisation 1" in compared.stdout
