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
from pathlib import Path

import polars as pl
import pytest

from qimaturity import compare, load_rubric
from qimaturity.answers.sources import import_files
from qimaturity.cohort.tables import write_cohort_csv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_national import make_archive  # noqa: E402


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
    # The same 2 years x 20 organisations with 4x the respondents (12,000 against 48,000 rows of 55 answers): the
    # columnar engine counts the answers in a streaming pass, so the peak stays near the small one's. Held as the
    # row engine's answers (a Python object per answer), 48,000 respondents take hundreds of MiB more.
    rubric = load_rubric("qi-readiness")
    peaks = []
    for respondents in (300, 1200):
        archive = make_archive(
            rubric, tmp_path / f"n{respondents}.parquet", years=2, organisations=20, respondents=respondents
        )
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, str(archive)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        members, peak = json.loads(done.stdout.strip().splitlines()[-1])
        assert members == 20
        peaks.append(peak)
    assert peaks[1] < 1.3 * peaks[0], peaks
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >= max(peaks)
