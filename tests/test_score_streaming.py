"""`qimaturity score` over many files: JSON without traces unless asked, results written as they are made, and
memory that does not grow with the number of files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from .conftest import DATA, ROOT, run_cli, run_main

MINI = str(DATA / "rubrics" / "valid-minimal.yaml")
ANSWERS = DATA / "answers" / "mini-two-groups.yaml"
QI_READINESS = str(ROOT / "rubrics" / "qi-readiness.yaml")
RESULT_SCHEMA = jsonschema_rs.validator_for(json.loads((ROOT / "schemas" / "result.schema.json").read_text()))


def keys_of(data: Any) -> set[str]:
    """Every key of every object in a JSON document, however deep."""
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in keys_of(value)}
    if isinstance(data, list):
        return {key for value in data for key in keys_of(value)}
    return set()


def write_copies(folder: Path, count: int) -> Path:
    """``count`` organisations answering the mini rubric as mini-two-groups.yaml does, one JSON file each."""
    folder.mkdir()
    document = yaml.safe_load(ANSWERS.read_text())
    for index in range(count):
        document["organisation"] = {"id": f"org-{index:05d}", "name": f"Organisation {index}"}
        (folder / f"org-{index:05d}.json").write_text(json.dumps(document))
    return folder


@pytest.fixture(scope="module")
def qi_answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two organisations answering the default rubric, every group asked, five respondents each."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_score_dir import make_files

    folder = tmp_path_factory.mktemp("qi")
    make_files(folder, 2)
    return folder


@pytest.mark.slow
def test_json_leaves_out_traces_and_answers_unless_asked(qi_answers):
    one = str(qi_answers / "org-00000.json")
    plain = run_main("score", QI_READINESS, one, "--format", "json")
    traced = run_main("score", QI_READINESS, one, "--format", "json", "--trace")
    assert plain.returncode == traced.returncode == 0, plain.stderr + traced.stderr
    slim, full = json.loads(plain.stdout), json.loads(traced.stdout)
    assert "trace" not in keys_of(slim) and "answers" not in keys_of(slim)
    assert all("trace" in d and all("trace" in q and "answers" in q for q in d["questions"]) for d in full["domains"])
    assert "trace" in full["overall"]
    # Both shapes are what the schema describes.
    assert list(RESULT_SCHEMA.iter_errors(slim)) == [] and list(RESULT_SCHEMA.iter_errors(full)) == []
    # Apart from what explains it, the slim result is the full one: same numbers, same priorities.
    stripped = json.loads(
        json.dumps(full), object_hook=lambda o: {k: v for k, v in o.items() if k not in ("trace", "answers")}
    )
    assert stripped == slim
    # 55 questions of 5 respondents: the traces and answers are about a third of the indented text.
    assert len(plain.stdout) < 0.7 * len(traced.stdout)


def test_a_result_without_its_trace_is_a_few_kilobytes():
    plain = run_main("score", MINI, str(ANSWERS), "--format", "json")
    traced = run_main("score", MINI, str(ANSWERS), "--format", "json", "--trace")
    # 2 domains, 3 questions, 3 respondents: about 5 KB without, 13 KB with the traces (method, inputs,
    # arithmetic, every rule checked) and the answers, which are more than half of the text.
    assert len(plain.stdout) < 6_000 < 10_000 < len(traced.stdout)
    assert len(plain.stdout) < 0.5 * len(traced.stdout)


def test_several_results_are_an_array_with_one_result_on_each_line(tmp_path):
    folder = write_copies(tmp_path / "answers", 3)
    done = run_main("score", MINI, str(folder), "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 5
    assert [json.loads(line.rstrip(","))["organisation"]["id"] for line in lines[1:-1]] == [
        "org-00000",
        "org-00001",
        "org-00002",
    ]
    assert [r["organisation"]["id"] for r in json.loads(done.stdout)] == ["org-00000", "org-00001", "org-00002"]
    # -o writes the same text to the file.
    out = tmp_path / "results.json"
    assert run_main("score", MINI, str(folder), "-o", str(out)).returncode == 0
    assert out.read_text() == done.stdout


def test_a_bad_file_after_good_ones_leaves_an_earlier_output_as_it_was(tmp_path):
    folder = write_copies(tmp_path / "answers", 3)
    (folder / "org-00009.json").write_text('{"rubric": {"id": "mini", "version": "1.0"}}')
    for suffix in ("json", "csv", "xlsx"):
        out = tmp_path / f"results.{suffix}"
        out.write_text("earlier\n")
        done = run_main("score", MINI, str(folder), "-o", str(out))
        assert done.returncode == 2
        assert f"{out}: not written, because an answers file has problems (left as it was)" in done.stderr
        assert out.read_text() == "earlier\n"
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


PEAK = """
import resource, sys
from qimaturity.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
peaks = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(max(peaks), file=sys.stderr)
"""


def peak_kib(tmp_path: Path, count: int, fmt: str) -> int:
    """The peak memory (KiB) of a process scoring ``count`` files to a file in ``fmt`` (or of its largest worker:
    from 64 files on, one per CPU score them)."""
    folder = tmp_path / f"{count}-{fmt}"
    if not folder.exists():
        write_copies(folder, count)
    out = tmp_path / f"out-{count}.{fmt}"
    done = subprocess.run(
        [sys.executable, "-c", PEAK, "score", MINI, str(folder), "-o", str(out), "--trace"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_memory_does_not_grow_with_the_number_of_files(tmp_path, fmt):
    # CSV is scored a batch of assessments at a time in each of two workers: its peak grows with the batch, up to
    # columnar_assessments.BATCH (500) assessments, and is flat from there (measured: 150 files, batches of 75, 89
    # MiB; 1,500 files, batches of 500, 107 MiB; 3,000 files 109 MiB), so its smaller run fills both workers'
    # batches. (BATCH is not imported here: that would bring Polars into this test process.)
    small_count, large_count = (1_000, 3_000) if fmt == "csv" else (150, 1_500)
    small, large = peak_kib(tmp_path, small_count, fmt), peak_kib(tmp_path, large_count, fmt)
    # Measured: holding every result (as score did) took the peak from 39 to 69 MiB for CSV and from 59 to 258
    # MiB for JSON going from 200 to 2,000 files; streamed, both stayed within 4 MiB of 38 MiB. XLSX, holding
    # every result and then the whole workbook: from 63 to 232 MiB going from 150 to 1,500 files; row by row
    # (openpyxl's write-only sheets): 45 MiB for both.
    assert large - small < 8_000, (small, large)


@pytest.mark.slow
@pytest.mark.subprocess
def test_workers_write_the_same_bytes_in_the_same_order_and_report_bad_files(tmp_path):
    folder = write_copies(tmp_path / "answers", 70)
    (folder / "org-00035.json").write_text('{"rubric": {"id": "mini", "version": "1.0"}}')  # a bad file midway
    for fmt in ("json", "csv"):
        alone = run_cli("score", MINI, str(folder), "--format", fmt, "--workers", "1", "--fail-under", "3")
        shared = run_cli("score", MINI, str(folder), "--format", fmt, "--workers", "2", "--fail-under", "3")
        assert alone.returncode == shared.returncode == 2
        assert shared.stdout == alone.stdout and shared.stderr == alone.stderr
        assert "org-00035.json" in shared.stderr
    done = run_cli("score", MINI, str(folder), "--format", "json", "--workers", "2")
    assert [r["organisation"]["id"] for r in json.loads(done.stdout)] == [f"org-{i:05d}" for i in range(70) if i != 35]
    # With every file good, --fail-under still hears of every organisation (all are at level 2 here).
    (folder / "org-00035.json").unlink()
    below = run_cli("score", MINI, str(folder), "--format", "csv", "--workers", "2", "--fail-under", "3")
    assert below.returncode == 1
    assert below.stderr.count("overall level 2 is below --fail-under 3") == 69


@pytest.mark.slow
@pytest.mark.subprocess
def test_compare_with_workers_gives_the_cohort_of_one_process(tmp_path):
    folder = write_copies(tmp_path / "answers", 70)
    tables = {}
    for workers in ("1", "2"):
        out = tmp_path / f"cohort-{workers}.csv"
        done = run_cli("compare", MINI, str(folder), "-o", str(out), "--workers", workers)
        assert done.returncode == 0, done.stderr
        tables[workers] = out.read_text()
    assert tables["2"] == tables["1"]
    assert "All organisations,latest,70," in tables["2"]  # every organisation counted


TWICE = """
import sys
from qimaturity import load_rubric
from qimaturity.cohort.score import iter_csv
rubric, folder = load_rubric(sys.argv[1]), sys.argv[2]
here = "".join(text for text, _ in iter_csv(rubric, [folder], workers=1))  # Polars runs in this process
shared = "".join(text for text, _ in iter_csv(rubric, [folder], workers=2))
print(here == shared, here.count(chr(10)))
"""


@pytest.mark.slow
@pytest.mark.subprocess
def test_csv_from_a_process_where_polars_has_run_is_scored_without_hanging(tmp_path):
    # A worker forked after Polars has run in its parent hangs at its first query (it did, for good: the second
    # call never returned). Polars having been imported, the batches are scored in the process itself.
    folder = write_copies(tmp_path / "answers", 64)
    done = subprocess.run(
        [sys.executable, "-c", TWICE, MINI, str(folder)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    same, lines = done.stdout.split()
    assert same == "True" and int(lines) > 64
