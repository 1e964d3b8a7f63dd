"""A folder of answers stands for the answers files in it and in its subfolders (compare and score; batch reads a
folder's own files), in natural order, passing over with a note an import's rejects files, mapping files and
symlinks that would lead out of the folder.

The regulator's fixture (tests/data/regulator/, worked out in tests/test_regulator_journey.py) imported as an
analyst keeps it: national/2025/ (RA1, RB2, RC3, RD4, RE5), national/2026/ (RA1, RB2, RC3, RE5, RF6), the rejects
files national/2025.rejects.csv and national/2026.rejects.csv beside them, and the mapping national/national.yaml.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from qimaturity import load_rubric
from qimaturity.answers.sources import import_to
from qimaturity.cohort.score import answer_files, list_answer_files

from .conftest import DATA, RUBRICS, run_main

MINI = RUBRICS / "valid-minimal.yaml"
YEARS = DATA / "regulator"


def national(tmp_path: Path) -> Path:
    root = tmp_path / "national"
    rubric = load_rubric(MINI)
    for year in (2025, 2026):
        report = import_to(YEARS / f"national-{year}.csv", rubric, root / str(year), mapping=YEARS / "national.yaml")
        assert report.rejects == root / f"{year}.rejects.csv"
    shutil.copy(YEARS / "national.yaml", root / "national.yaml")
    return root


@pytest.mark.slow
def test_compare_reads_the_years_in_a_folders_subfolders_and_passes_over_rejects_and_mapping(tmp_path):
    root = national(tmp_path)
    mapping = str(root / "national.yaml")
    options = ("--min-cohort", "4", "--format", "json", "--mapping", mapping)
    whole = run_main("compare", str(MINI), str(root), *options)
    assert whole.returncode == 0, whole.stderr
    years = run_main("compare", str(MINI), str(root / "2025"), str(root / "2026"), *options)
    assert json.loads(whole.stdout) == json.loads(years.stdout)
    cohort = json.loads(whole.stdout)
    # 10 assessments of 6 organisations, as in the worked example: 2025 and 2026, 4 in both
    assert len(cohort["organisations"]) == 6
    assert [year["year"] for year in cohort["years"]] == ["2025", "2026"]
    notes = [line for line in whole.stderr.splitlines() if "passed over" in line]
    assert notes == [
        f"note: {root / '2025.rejects.csv'}: passed over: the rows an import rejected (correct them and import the "
        "file again, into answers files)",
        f"note: {root / '2026.rejects.csv'}: passed over: the rows an import rejected (correct them and import the "
        "file again, into answers files)",
        f"note: {root / 'national.yaml'}: passed over: a mapping file (give it with --mapping)",
    ]
    # score too, in the files' natural order, folder by folder
    scored = run_main("score", str(MINI), str(root), "--format", "csv")
    assert scored.returncode == 0, scored.stderr
    rows = [line.split(",")[:3] for line in scored.stdout.splitlines()[1:] if ",overall," in line]
    assert rows == [
        *(
            [org, name, "2025-03-31"]
            for org, name in [("RA1", "Alder"), ("RB2", "Birch"), ("RC3", "Cedar"), ("RD4", "Dogwood"), ("RE5", "Elm")]
        ),
        *(
            [org, name, "2026-03-31"]
            for org, name in [("RA1", "Alder"), ("RB2", "Birch"), ("RC3", "Cedar"), ("RE5", "Elm"), ("RF6", "Fir")]
        ),
    ]


def test_a_folder_is_listed_in_natural_order_and_never_through_a_link_leading_out(tmp_path):
    root = tmp_path / "answers"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    outside = tmp_path / "elsewhere.yaml"
    for path in (root / "org-10.yaml", root / "org-2.yaml", root / "sub" / "org-1.yaml", root / ".git" / "x.yaml"):
        path.write_text("respondents: []\n")
    outside.write_text("respondents: []\n")
    os.symlink(outside, root / "outside.yaml")
    os.symlink(tmp_path, root / "up")  # a folder link: a loop through the folder's parent
    os.symlink(root / "gone.yaml", root / "dangling.yaml")
    os.symlink(root / "org-2.yaml", root / "sub" / "same.yaml")  # the same file again: counted once
    files, notes = list_answer_files([str(root)])
    assert files == answer_files([str(root)])
    # org-2 before org-10 (natural order); the subfolder's file after; nothing from .git, nothing from outside
    assert [f.relative_to(root).as_posix() for f in files] == ["org-2.yaml", "org-10.yaml", "sub/org-1.yaml"]
    assert notes == [
        f"{root / 'dangling.yaml'}: passed over: a symlink to nothing",
        f"{root / 'outside.yaml'}: passed over: a symlink to a file outside the folder given (give the file itself)",
        f"{root / 'up'}: passed over: a symlink to a folder (give the folder itself to read it)",
    ]


def test_batch_reads_a_folders_own_files_and_says_so_of_a_folder_of_years(tmp_path):
    root = national(tmp_path)
    result = run_main("batch", str(MINI), str(root), "-o", str(tmp_path / "out"), "--formats", "json")
    assert result.returncode == 2
    assert (
        f"{root}: /: the folder holds no answers files (expected .yaml, .yml or .json files; its subfolders are not "
        "read here, so give each of them, e.g. one per year; passed over: the rows an import rejected (correct them "
        "and import the file again, into answers files); a mapping file (give it with --mapping))"
    ) in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_folder_whose_every_file_is_bad_says_there_is_nothing_to_compare_in_words(tmp_path):
    # Two answers files, neither scorable: one with no answers at all, one with both forms of them. Each gets its
    # own located problem; then one line says why there is no cohort (before: "cohort: /: nothing to compare"),
    # and the first no longer reads "... not both" when it has neither.
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "none.yaml").write_text("rubric: {id: valid-minimal}\norganisation: {id: a}\n", encoding="utf-8")
    (folder / "both.yaml").write_text(
        "rubric: {id: valid-minimal}\norganisation: {id: b}\nrespondents: []\nanswers: {}\n", encoding="utf-8"
    )
    done = run_main("compare", str(MINI), str(folder))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    none = next(line for line in lines if "none.yaml" in line)
    assert "no answers: give 'respondents'" in none and "not both" not in none
    both = next(line for line in lines if "both.yaml" in line and "/:" in line)
    assert "not both" in both
    assert "cohort: /:" not in done.stderr
    assert lines[-1] == (
        "compare: no answers file could be scored, so there is nothing to compare: fix the problems above"
    )


@pytest.mark.slow
def test_report_notes_the_files_of_its_cohort_and_history_folders_passed_over(tmp_path):
    # A report's --cohort and --history folders are listed as compare lists them: the mapping file among the
    # national answers is passed over with a note (it was passed over in silence), and the report is written.
    root = national(tmp_path)
    output = tmp_path / "report.html"
    rubric, org = str(MINI), str(root / "2026" / "RA1.yaml")
    written = run_main("report", rubric, org, "--cohort", str(root), "--min-cohort", "4", "-o", str(output))
    assert written.returncode == 0, written.stderr
    assert output.is_file()
    # Without --mapping the rejects files (CSV) are noted too, as every export of a folder is.
    rejected = "passed over: the rows an import rejected (correct them and import the file again, into answers files)"
    notes = [
        f"note: {root / '2025.rejects.csv'}: {rejected}",
        f"note: {root / '2026.rejects.csv'}: {rejected}",
        f"note: {root / 'national.yaml'}: passed over: a mapping file (give it with --mapping)",
    ]
    assert [line for line in written.stderr.splitlines() if "passed over" in line] == notes
    history = run_main("report", rubric, org, "--history", str(root), "-o", str(output))
    assert [line for line in history.stderr.splitlines() if "passed over" in line] == notes, history.stderr
