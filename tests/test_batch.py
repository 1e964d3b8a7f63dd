"""`qimaturity batch` end to end: outputs per file, bad files, up-to-date skipping, workers, Dask, no damage."""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest

from qimaturity.batch import run as batch
from qimaturity.batch.run import MANIFEST_NAME, run_batch

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1, ROOT, run_cli, run_main

EXAMPLES = sorted((EXAMPLES_1_1).glob("*.yaml"))
STEMS = [p.stem for p in EXAMPLES]
BROKEN_LINE = "      lead-qi-as-management: 4\n"


def summary_line(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if re.match(r"\d+ files: ", line))


@pytest.fixture
def answers(tmp_path):
    """A folder with copies of the three example answers files."""
    folder = tmp_path / "answers"
    folder.mkdir()
    for path in EXAMPLES:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def with_broken(answers):
    """The three examples plus broken.yaml, a copy of riverside with a level off the scale; returns its line."""
    text = (answers / "riverside-community.yaml").read_text(encoding="utf-8")
    assert BROKEN_LINE in text
    line = text[: text.index(BROKEN_LINE)].count("\n") + 1
    (answers / "broken.yaml").write_text(text.replace(BROKEN_LINE, BROKEN_LINE.replace("4", "9")), encoding="utf-8")
    return answers, line


@pytest.mark.slow
@pytest.mark.subprocess
def test_batch_writes_every_format_per_file_and_reports_the_bad_file_with_its_line(with_broken, tmp_path):
    answers, line = with_broken
    out = tmp_path / "out"
    result = run_cli("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--workers", "2")
    assert result.returncode == 2, result.stderr
    assert summary_line(result.stderr).startswith("4 files: 3 written, 0 up to date, 1 failed")
    assert re.search(
        rf"^{re.escape(str(answers / 'broken.yaml'))}:{line}:\d+: /respondents/.*level 9", result.stderr, re.M
    )
    assert "Traceback" not in result.stderr
    for stem in STEMS:
        assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert (out / f"{stem}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        source = (answers / f"{stem}.yaml").read_text(encoding="utf-8")
        assert f"\n  id: {data['organisation']['id']}\n" in source
    assert not list(out.glob("broken.*"))
    assert not list(out.glob(".*.part"))
    # stdout is not a terminal here: the paths written, one per line, in file order (json, html, pdf each).
    assert result.stdout.splitlines() == [
        str(out / f"{stem}.{fmt}") for stem in STEMS for fmt in ("json", "html", "pdf")
    ]


@pytest.mark.slow
def test_json_output_is_what_score_prints_for_one_file_with_traces_only_with_trace(answers, tmp_path):
    out = tmp_path / "out"

    def batch_run(*extra: str) -> str:
        result = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json", *extra)
        assert result.returncode == 0, result.stderr
        return summary_line(result.stderr)

    one = str(answers / "northgate-acute.yaml")
    batch_run()
    # As score --format json prints it: without the traces
    scored = run_main("score", str(QI_READINESS_1_1), one, "--format", "json")
    assert (out / "northgate-acute.json").read_text(encoding="utf-8") == scored.stdout
    assert '"trace"' not in scored.stdout
    # --trace is another output: written again, with the traces, as score --format json --trace prints it
    assert batch_run("--trace").startswith("3 files: 3 written, 0 up to date")
    traced = run_main("score", str(QI_READINESS_1_1), one, "--format", "json", "--trace")
    assert (out / "northgate-acute.json").read_text(encoding="utf-8") == traced.stdout
    assert '"trace"' in traced.stdout
    assert batch_run("--trace").startswith("3 files: 0 written, 3 up to date")
    assert batch_run().startswith("3 files: 3 written, 0 up to date")


@pytest.mark.slow
def test_rerun_skips_what_is_up_to_date_and_redoes_only_what_changed(answers, tmp_path):
    out = tmp_path / "out"

    def batch_run(*extra: str) -> tuple[str, list[str]]:
        result = run_main(
            "batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "html,json", *extra
        )
        assert result.returncode == 0, result.stderr
        return summary_line(result.stderr), result.stdout.splitlines()

    line, written = batch_run()
    assert line.startswith("3 files: 3 written, 0 up to date, 0 failed") and len(written) == 6
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["manifest"] == "qimaturity-batch-manifest" and manifest["version"] == 1
    assert sorted(manifest["outputs"]) == sorted(f"{stem}.{fmt}" for stem in STEMS for fmt in ("html", "json"))
    entry = manifest["outputs"]["riverside-community.json"]
    assert entry["answers"] == "riverside-community.yaml"
    assert entry["fingerprint"].startswith("sha256:") and entry["sha256"].startswith("sha256:")

    line, written = batch_run()
    assert line.startswith("3 files: 0 written, 3 up to date, 0 failed") and written == []

    riverside = answers / "riverside-community.yaml"
    riverside.write_text(riverside.read_text(encoding="utf-8") + "# revised submission\n", encoding="utf-8")
    line, written = batch_run()
    assert line.startswith("3 files: 1 written, 2 up to date")
    assert written == [str(out / "riverside-community.json"), str(out / "riverside-community.html")]

    (out / "northgate-acute.html").unlink()
    line, written = batch_run()
    assert line.startswith("3 files: 1 written, 2 up to date") and written == [str(out / "northgate-acute.html")]

    edited = out / "eastfield-mental-health.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace("eastfield", "westfield"), encoding="utf-8")
    line, written = batch_run()
    assert written == [str(edited)]
    assert "westfield" not in edited.read_text(encoding="utf-8")

    line, written = batch_run("--force")
    assert line.startswith("3 files: 3 written, 0 up to date") and len(written) == 6


@pytest.mark.slow
def test_changing_a_rendering_option_redoes_reports_but_not_json(answers, tmp_path):
    out = tmp_path / "out"
    first = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "html,json")
    assert first.returncode == 0, first.stderr
    again = run_main(
        "batch",
        str(QI_READINESS_1_1),
        str(answers),
        "-o",
        str(out),
        "--formats",
        "html,json",
        "--report-date",
        "2026-10-01",
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [str(out / f"{stem}.html") for stem in STEMS]
    targeted = run_main(
        "batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json", "--target", "5"
    )
    assert targeted.stdout.splitlines() == [str(out / f"{stem}.json") for stem in STEMS]


@pytest.mark.slow
def test_plan_start_reaches_every_report_as_report_writes_it_and_redoes_only_reports(answers, tmp_path):
    out = tmp_path / "out"
    dated = ("--report-date", "2026-10-01", "--formats", "html,json")
    first = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), *dated, "--plan-start", "2026-11-02")
    assert first.returncode == 0, first.stderr
    alone = tmp_path / "alone.html"
    stem = STEMS[0]
    done = run_main(
        "report",
        str(QI_READINESS_1_1),
        str(answers / f"{stem}.yaml"),
        "-o",
        str(alone),
        "--report-date",
        "2026-10-01",
        "--plan-start",
        "2026-11-02",
    )
    assert done.returncode == 0, done.stderr
    assert (out / f"{stem}.html").read_bytes() == alone.read_bytes()
    assert "2 November 2026" in alone.read_text(encoding="utf-8")  # the first cycle's start
    # Another start redoes the reports, not the JSON; a start that is no date is refused before anything is written.
    again = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), *dated, "--plan-start", "2026-12-01")
    assert again.stdout.splitlines() == [str(out / f"{s}.html") for s in STEMS]
    bad = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(tmp_path / "x"), "--plan-start", "soon")
    assert bad.returncode == 2 and "--plan-start" in bad.stderr and not (tmp_path / "x").exists()


def test_formats_json_writes_only_json(answers, tmp_path):
    out = tmp_path / "out"
    result = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST_NAME, *(f"{stem}.json" for stem in STEMS)])


def test_unknown_format_is_a_usage_error_that_writes_nothing(answers, tmp_path):
    out = tmp_path / "out"
    result = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json,docx")
    assert result.returncode == 2
    assert "unknown format 'docx' (choose from pdf, html, json" in result.stderr
    assert "--formats" in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_two_workers_give_the_same_json_bytes_as_one(answers, tmp_path):
    for workers in ("1", "2"):
        result = run_main(
            "batch",
            str(QI_READINESS_1_1),
            str(answers),
            "-o",
            str(tmp_path / workers),
            "--formats",
            "json",
            "--workers",
            workers,
        )
        assert result.returncode == 0, result.stderr
    for stem in STEMS:
        assert (tmp_path / "1" / f"{stem}.json").read_bytes() == (tmp_path / "2" / f"{stem}.json").read_bytes()


@pytest.mark.subprocess
def test_a_dask_cluster_gives_the_same_outputs_as_an_in_process_run(answers, tmp_path):
    distributed = pytest.importorskip("distributed")
    files = sorted(answers.iterdir())
    local = run_batch(QI_READINESS_1_1, files, tmp_path / "local", formats=("json",), workers=1)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    try:
        remote = run_batch(
            QI_READINESS_1_1, files, tmp_path / "dask", formats=("json",), scheduler=cluster.scheduler_address
        )
    finally:
        cluster.close()
    assert remote.exit_code == local.exit_code == 0
    assert len(remote.written) == len(local.written) == 3
    for stem in STEMS:
        assert (tmp_path / "dask" / f"{stem}.json").read_bytes() == (tmp_path / "local" / f"{stem}.json").read_bytes()


def test_scheduler_without_dask_says_which_extra_to_install(answers, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as when the dask extra is not installed
    result = run_main(
        "batch",
        str(QI_READINESS_1_1),
        str(answers),
        "-o",
        str(tmp_path / "out"),
        "--formats",
        "json",
        "--scheduler",
        "tcp://127.0.0.1:8786",
    )
    assert result.returncode == 2
    assert "--scheduler needs the dask extra: pip install 'qimaturity[dask]'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_failing_job_leaves_earlier_outputs_intact(answers, tmp_path):
    out = tmp_path / "out"
    assert run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "html").returncode == 0
    before = {stem: (out / f"{stem}.html").read_bytes() for stem in STEMS}
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "gap-report.html.j2").write_text(
        '{% extends "bundled/gap-report.html.j2" %}\n{% block footer %}{{ no_such_value.field }}{% endblock %}\n',
        encoding="utf-8",
    )
    result = run_main(
        "batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "html", "--templates", str(broken)
    )
    assert result.returncode == 2
    assert summary_line(result.stderr).startswith("3 files: 0 written, 0 up to date, 3 failed")
    # Every file meets the same template error; it is said once, with the template's file and line.
    assert result.stderr.count(f"{broken / 'gap-report.html.j2'}:2: /: template error:") == 1
    assert result.stdout == ""
    assert {stem: (out / f"{stem}.html").read_bytes() for stem in STEMS} == before
    assert not list(out.glob(".*.part"))
    # The earlier outputs are still recorded as up to date for the options that made them.
    rerun = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "html")
    assert summary_line(rerun.stderr).startswith("3 files: 0 written, 3 up to date")


def test_an_internal_error_in_one_job_is_summarised_and_the_others_still_run(answers, tmp_path, monkeypatch):
    real = batch.score_files

    def failing(rubric, paths, **options):
        if paths[0].endswith("northgate-acute.yaml"):
            raise RuntimeError("simulated bug")
        return real(rubric, paths, **options)

    monkeypatch.setattr(batch, "score_files", failing)
    files = sorted(answers.iterdir())
    summary = run_batch(QI_READINESS_1_1, files, tmp_path / "out", formats=("json",), workers=1)
    assert summary.exit_code == 70
    assert summary.errors == (f"{answers / 'northgate-acute.yaml'}: internal error: RuntimeError: simulated bug",)
    assert summary.failed == (str(answers / "northgate-acute.yaml"),)
    assert sorted(p.name for p in summary.written) == ["eastfield-mental-health.json", "riverside-community.json"]
    assert summary.lines()[0].startswith("3 files: 2 written, 0 up to date, 1 failed")


@pytest.mark.slow
def test_two_files_with_one_stem_are_refused_and_the_others_written(answers, tmp_path):
    shutil.copy(answers / "northgate-acute.yaml", answers / "northgate-acute.yml")
    out = tmp_path / "out"
    result = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json")
    assert result.returncode == 2
    assert "has the same name stem 'northgate-acute'" in result.stderr
    assert summary_line(result.stderr).startswith("4 files: 3 written, 0 up to date, 1 failed")


def test_json_into_the_answers_folder_is_refused(answers):
    result = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(answers), "--formats", "json")
    assert result.returncode == 2
    assert "holds the answers files" in result.stderr
    assert sorted(p.name for p in answers.iterdir()) == sorted(p.name for p in EXAMPLES)


@pytest.mark.slow
def test_peers_give_every_report_a_you_and_your_peers_section(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    for path in sorted((ROOT / "examples" / "cohort").glob("org-0000[1-6]-2026.yaml")):
        shutil.copy(path, folder / path.name)
    out = tmp_path / "out"
    result = run_main(
        "batch",
        "qi-readiness",
        str(folder),
        "-o",
        str(out),
        "--formats",
        "html",
        "--peers",
        "--min-cohort",
        "3",
        "--workers",
        "1",
    )
    assert result.returncode == 0, result.stderr
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 6
    assert all("You and your peers" in page.read_text() for page in pages)
    assert "against all organisations compared (6 organisations" in pages[0].read_text()
