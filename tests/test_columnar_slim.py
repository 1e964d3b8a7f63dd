"""The slim results ``compare`` builds from the columnar engine's tables are the row engine's, field by field.

``compare FOLDER`` loads and checks each answers file, scores the assessments a batch at a time by the columnar
engine and builds each slim result (:meth:`Result.slim`: no questions, traces or priorities) from its tables
(:func:`qimaturity.scoring.columnar_assessments.slim_results`). For each rubric we have, hypothesis writes answers
files as tests/test_columnar_assessments.py does (evidence cited or not, dated or not, N/A, small groups, targets or
a missing-answer policy of their own for some organisations); every slim result must equal
``score(rubric, assessment).slim()``: each domain's and the overall numbers, band and its position, points, counts,
perception gaps, the rules holding a level, the interval with its standard error and respondents. And the cohort
``compare`` writes from them (JSON, CSV, workbook) is the one it writes from the row engine's, byte for byte.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qimaturity import load_assessment, score
from qimaturity.cohort.compare import compare
from qimaturity.cohort.score import COLUMNAR_FROM, iter_scores, score_files
from qimaturity.report.build import cohort_document
from qimaturity.rubric.model import Rubric

from .conftest import ROOT
from .test_columnar_assessments import QI_READINESS, answers_documents, drawn_rubric, qi_document
from .test_engines_agree import RUBRIC_PATHS, rubric_named

columnar_assessments = pytest.importorskip("qimaturity.scoring.columnar_assessments")


def assessments_of(rubric: Rubric, documents: list[dict], folder: Path) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    for k, document in enumerate(documents):
        path = folder / f"{k}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        found.append(load_assessment(path, rubric))
    return found


@pytest.mark.slow  # 37 rubrics x 8 generated folders, each scored both ways
@pytest.mark.parametrize("name", sorted(RUBRIC_PATHS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_slim_results_from_the_columnar_tables_are_the_row_engines(
    name: str, data: st.DataObject, tmp_path: Path
) -> None:
    rubric = drawn_rubric(data, name)
    scale = [level.value for level in rubric.levels]
    default_target = data.draw(st.sampled_from([None, scale[len(scale) // 2]]), label="default_target")
    assessments = assessments_of(rubric, data.draw(answers_documents(rubric)), tmp_path / "case")
    got = columnar_assessments.slim_results(rubric, assessments, default_target=default_target)
    want = [score(rubric, a, default_target=default_target).slim() for a in assessments]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        # Node by node first, for a readable failure; then the whole result.
        assert g.overall == w.overall
        for gd, wd in zip(g.domains, w.domains, strict=True):
            assert gd == wd
        assert g == w


def workbook_parts(data: bytes) -> dict[str, bytes]:
    """A workbook's parts, without the one that records when it was written."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


@pytest.mark.slow
@pytest.mark.subprocess
def test_compare_writes_the_same_cohort_from_the_columnar_path_as_from_the_row_engine(tmp_path: Path) -> None:
    rubric = rubric_named("qi-readiness")
    questions = list(rubric.questions())
    first, second = questions[0], questions[7]
    folder = tmp_path / "answers"
    folder.mkdir()
    # COLUMNAR_FROM organisations, so that compare takes the columnar path, in four regions; their first and eighth
    # questions answered 1 to 5 in turn; two with targets of their own (scored by the row engine, in their place);
    # one organisation assessed twice, a year apart (a trend, with its intervals).
    count = COLUMNAR_FROM
    for k in range(count):
        levels = {first.id: 1 + k % 5, second.id: 1 + (k * 3) % 5}
        extra = {"targets": {"overall": 4}} if k in (5, 40) else {}
        document = qi_document(k, levels, **extra)
        document["organisation"]["region"] = ("north", "south", "east", "west")[k % 4]
        if k == 63:
            document["organisation"]["id"] = "org-000"
            document["date"] = "2027-06-30"
        (folder / f"{k:03d}.json").write_text(json.dumps(document), encoding="utf-8")
    fast, problems = score_files(rubric, [folder], keep_details=False, columnar=True, workers=1)
    assert not problems
    row = [r for r in iter_scores(rubric, [folder], keep_details=False, columnar=True)]
    assert fast == row
    # The row engine's slim results are not the columnar path's objects: the outputs are made from each.
    fast_cohort = compare(rubric, fast, group_by="region")
    row_cohort = compare(rubric, row, group_by="region")
    assert fast_cohort.trends and fast_cohort.groups
    for fmt in ("json", "csv"):
        assert cohort_document(fast_cohort, rubric, fmt) == cohort_document(row_cohort, rubric, fmt)
    for table in ("organisations", "trends"):
        assert cohort_document(fast_cohort, rubric, "csv", table=table) == cohort_document(
            row_cohort, rubric, "csv", table=table
        )
    fast_book, row_book = (cohort_document(c, rubric, "xlsx") for c in (fast_cohort, row_cohort))
    assert isinstance(fast_book, bytes) and isinstance(row_book, bytes)
    assert workbook_parts(fast_book) == workbook_parts(row_book)
    # Asked for two workers in a process where Polars has worked (a forked worker could hang at its first query):
    # scored here, the same results.
    shared, _ = score_files(rubric, [folder], keep_details=False, columnar=True, workers=2)
    assert shared == fast
    # The command line, two workers each scoring a share of the files (forked before Polars runs): the row engine's
    # cohort, byte for byte.
    command = [sys.executable, "-m", "qimaturity", "compare", str(QI_READINESS), str(folder), "--group-by", "region"]
    done = subprocess.run(
        [*command, "--format", "json", "--workers", "2"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout == cohort_document(row_cohort, rubric, "json")
    out = tmp_path / "cohort.csv"
    subprocess.run([*command, "-o", str(out), "--workers", "2"], capture_output=True, cwd=ROOT, check=True)
    assert out.read_text(encoding="utf-8") == cohort_document(row_cohort, rubric, "csv")
