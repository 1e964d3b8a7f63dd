"""Rubric ids on a search path: --rubric-path folders, then QIMATURITY_RUBRIC_PATH, then the bundled rubrics.

An id names the file ID.yaml (or ID.yml) of one of those folders. An id that names files in two places is refused
with both named, so that a folder never silently stands in for a bundled rubric (or another folder's); a path is
never looked up. `qimaturity rubrics` lists everything an id can name, with its source, and every bad file or
folder as a problem.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from qimaturity import InputError, find_rubrics, load_rubric, validate_rubric
from qimaturity.rubric import search
from qimaturity.rubric.load import RubricCatalogue

from .conftest import DATA, ROOT, run_main

MINI = DATA / "rubrics" / "valid-minimal.yaml"
MINI_ANSWERS = DATA / "answers" / "mini-two-groups.yaml"


def rubric_as(folder: Path, ident: str, *, file_name: str | None = None) -> Path:
    """The minimal rubric, as rubric ``ident``, written to ``folder/ident.yaml`` (or ``file_name``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file_name or f"{ident}.yaml")
    path.write_text(MINI.read_text(encoding="utf-8").replace("\nid: mini\n", f"\nid: {ident}\n"), encoding="utf-8")
    return path


def answers_for(folder: Path, ident: str) -> Path:
    """The minimal rubric's answers, given to rubric ``ident``."""
    path = folder / "answers.yaml"
    text = MINI_ANSWERS.read_text(encoding="utf-8").replace("rubric: {id: mini,", f"rubric: {{id: {ident},")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def consultant(tmp_path: Path) -> Path:
    """A consultant's folder of rubrics holding psc-maturity.yaml."""
    rubric_as(tmp_path / "rubrics", "psc-maturity")
    return tmp_path / "rubrics"


def test_score_finds_a_rubric_by_id_in_a_rubric_path_folder_given_after_the_answers(consultant, tmp_path):
    answers = answers_for(tmp_path, "psc-maturity")
    result = run_main("score", "psc-maturity", str(answers), "--format", "json", "--rubric-path", str(consultant))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rubric"]["id"] == "psc-maturity"


def test_options_checked_against_the_rubric_see_the_rubric_path(consultant, tmp_path):
    # --target and --what-if are checked against the rubric, which is found only through --rubric-path, given last.
    answers = answers_for(tmp_path, "psc-maturity")
    result = run_main(
        "score",
        "psc-maturity",
        str(answers),
        "--target",
        "lead=3",
        "--what-if",
        "lead-2=3",
        "--rubric-path",
        str(consultant),
    )
    assert result.returncode == 0, result.stderr
    bad = run_main("score", "psc-maturity", str(answers), "--target", "4", "--rubric-path", str(consultant))
    assert bad.returncode == 2
    assert "'4' is not a level of psc-maturity (levels are 1" in bad.stderr


def test_the_environment_variable_is_a_search_path_too(consultant, tmp_path):
    answers = answers_for(tmp_path, "psc-maturity")
    env = {"QIMATURITY_RUBRIC_PATH": os.pathsep.join([str(tmp_path / "elsewhere"), str(consultant)])}
    result = run_main("explain", "psc-maturity", str(answers), env=env)
    assert result.returncode == 0, result.stderr
    assert "psc-maturity" in result.stdout


def test_every_command_that_takes_a_rubric_takes_rubric_path(consultant, tmp_path):
    answers = answers_for(tmp_path, "psc-maturity")
    path = ("--rubric-path", str(consultant))
    assert run_main("validate", "psc-maturity", *path).returncode == 0
    assert run_main("show", "psc-maturity", *path).returncode == 0
    assert run_main("compare", "psc-maturity", str(answers), *path).returncode == 0
    assert run_main("questionnaire", "psc-maturity", "-o", str(tmp_path / "q.xlsx"), *path).returncode == 0
    batch = run_main("batch", "psc-maturity", str(answers.parent), "-o", str(tmp_path / "out"), "--formats", "json",
                     "--workers", "1", *path)  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    assert json.loads((tmp_path / "out" / "answers.json").read_text())["rubric"]["id"] == "psc-maturity"


def test_with_rubric_ids_are_looked_up_on_the_rubric_path_too(tmp_path):
    folder = tmp_path / "rubrics"
    rubric_as(folder, "psc-maturity")
    old = rubric_as(folder, "psc-maturity-old")
    # Another version of the same rubric: same id inside, under its own file name (refused as an id), by path.
    old.write_text(old.read_text().replace("id: psc-maturity-old", "id: psc-maturity").replace('"1.0"', '"0.9"'))
    answers = answers_for(tmp_path, "psc-maturity")
    by_id = run_main("compare", "psc-maturity", str(answers), "--with-rubric", "psc-maturity-old",
                     "--rubric-path", str(folder))  # fmt: skip
    assert by_id.returncode == 2
    assert (
        f"{old}:3:5: /id: the file for rubric id 'psc-maturity-old' holds the rubric 'psc-maturity' "
        "(rubrics are found by file name: rename the file psc-maturity.yaml, or write id: psc-maturity-old)"
    ) in by_id.stderr
    by_path = run_main("compare", "psc-maturity", str(answers), "--with-rubric", str(old), "--rubric-path", str(folder))
    assert by_path.returncode == 0, by_path.stderr


def test_a_folder_rubric_with_a_bundled_id_is_refused_naming_both(tmp_path):
    shadow = tmp_path / "rubrics"
    shadow.mkdir()
    (shadow / "qi-readiness.yaml").write_text((ROOT / "rubrics" / "qi-readiness.yaml").read_text())
    result = run_main("validate", "qi-readiness", "--rubric-path", str(shadow))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"qi-readiness: /: rubric id 'qi-readiness' names 2 files: {shadow}/qi-readiness.yaml (search path); "
        "rubrics/qi-readiness.yaml (bundled) (give the path of the one you mean, or rename the others: an id must "
        "name one rubric)"
    )
    # Its path is no id: the folder's file is used.
    assert run_main("validate", str(shadow / "qi-readiness.yaml"), "--rubric-path", str(shadow)).returncode == 0


def test_an_id_in_the_rubric_path_and_the_environment_is_refused_naming_both(tmp_path):
    given = rubric_as(tmp_path / "given", "psc-maturity")
    from_env = rubric_as(tmp_path / "env", "psc-maturity", file_name="psc-maturity.yml")
    result = run_main(
        "validate",
        "psc-maturity",
        "--rubric-path",
        str(given.parent),
        env={"QIMATURITY_RUBRIC_PATH": str(from_env.parent)},
    )
    assert result.returncode == 2
    assert (
        f"rubric id 'psc-maturity' names 2 files: {given} (search path); {from_env} (QIMATURITY_RUBRIC_PATH)"
    ) in result.stderr


def test_the_same_folder_named_twice_is_one_place(consultant):
    env = {"QIMATURITY_RUBRIC_PATH": str(consultant)}
    assert run_main("validate", "psc-maturity", "--rubric-path", str(consultant), env=env).returncode == 0


def test_an_unknown_id_says_where_it_looked(consultant, tmp_path):
    missing = tmp_path / "not-mounted"
    result = run_main(
        "validate", "psc-maturty", "--rubric-path", str(consultant), env={"QIMATURITY_RUBRIC_PATH": str(missing)}
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "psc-maturty: /: no rubric has this id, and there is no such file (did you mean 'psc-maturity'? looked in: "
        f"{consultant} (search path); {missing} (QIMATURITY_RUBRIC_PATH, no such folder); the bundled rubrics "
        "(qi-programme-stages, qi-readiness); or give a path)"
    )


def test_a_rubric_path_that_is_no_folder_is_a_usage_error(tmp_path):
    result = run_main("validate", "qi-readiness", "--rubric-path", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "Invalid value for '--rubric-path'" in result.stderr


def test_a_folder_bearing_the_id_in_the_working_directory_does_not_hide_the_rubric(consultant, tmp_path):
    # A consultant's project folder is often named after the rubric: it is no rubric file, so the id is looked up.
    (tmp_path / "psc-maturity").mkdir()
    result = run_main("validate", "psc-maturity", "--rubric-path", str(consultant), cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_folder_given_for_a_rubric_says_so(tmp_path):
    (tmp_path / "drafts").mkdir()
    result = run_main("validate", "drafts", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "drafts: /: is a folder, not a rubric file, and no rubric has this id (looked in: the bundled rubrics "
    )


@pytest.mark.slow
def test_rubrics_lists_every_rubric_with_its_source(consultant, tmp_path):
    result = run_main("rubrics", "--rubric-path", str(consultant), "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = [(r["id"], r["source"], r["origin"], r["version"], r["questions"]) for r in json.loads(result.stdout)]
    assert listed == [
        ("psc-maturity", str(consultant), "search path", "1.0", 3),
        ("qi-programme-stages", "bundled", "bundled", "1.2.0", 14),
        ("qi-readiness", "bundled", "bundled", "2.0.0", 55),
    ]
    table = run_main("rubrics", "--rubric-path", str(consultant), columns=400)  # the folder on one line
    assert table.returncode == 0
    assert "psc-maturity" in table.stdout and str(consultant) in table.stdout


@pytest.mark.slow
def test_rubrics_lists_a_malformed_file_as_a_problem_and_exits_2(consultant):
    (consultant / "draft.yaml").write_text('id: draft\nversion: 1.0\ntitle: "Draft\n')
    (consultant / "notes.md").write_text("not a rubric: not listed")
    result = run_main("rubrics", "--rubric-path", str(consultant))
    assert result.returncode == 2
    assert "draft" in result.stdout and "not usable: 1 problem(s)" in result.stdout
    assert result.stderr.splitlines() == [
        f"{consultant}/draft.yaml:4:1: /: invalid YAML: while scanning a quoted scalar found unexpected end of stream "
        "(fix the YAML syntax here)"
    ]
    entries = {r["id"]: r for r in json.loads(run_main("rubrics", "--rubric-path", str(consultant), "--format",
                                                         "json").stdout)}  # fmt: skip
    assert entries["draft"]["valid"] is False and entries["draft"]["version"] is None
    assert entries["psc-maturity"]["valid"] is True


def test_rubrics_marks_both_files_of_an_ambiguous_id(tmp_path):
    given = rubric_as(tmp_path / "a", "psc-maturity")
    other = rubric_as(tmp_path / "b", "psc-maturity")
    result = run_main("rubrics", "--rubric-path", str(given.parent), "--rubric-path", str(other.parent))
    assert result.returncode == 2
    message = (
        f"/: rubric id 'psc-maturity' names 2 files: {given} (search path); {other} (search path) (an id must name "
        "one rubric: rename or remove the others, or give the path of the one you mean)"
    )
    assert result.stderr.splitlines() == [f"{given}: {message}", f"{other}: {message}"]


def test_rubrics_names_a_missing_folder_of_the_environment(tmp_path):
    missing = tmp_path / "not-mounted"
    result = run_main("rubrics", env={"QIMATURITY_RUBRIC_PATH": str(missing)})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{missing}: /: no such folder (on the rubric search path: QIMATURITY_RUBRIC_PATH)"
    ]


def test_a_pipe_in_a_rubric_folder_is_listed_not_read(consultant):
    os.mkfifo(consultant / "pipe.yaml")
    found: list[RubricCatalogue] = []
    # A reader that opened the pipe would wait for a writer for ever: the listing runs aside, so that such a
    # regression fails here instead of stalling the suite.
    worker = threading.Thread(target=lambda: found.append(find_rubrics(consultant)), daemon=True)
    worker.start()
    worker.join(60)
    assert found, "find_rubrics opened the pipe"
    pipe = next(r for r in found[0].rubrics if r.id == "pipe")
    assert [(p.message, p.hint) for p in pipe.problems] == [("is not a regular file", "a rubric is a YAML file")]
    with pytest.raises(InputError, match="is not a regular file"):
        load_rubric("pipe", search_path=consultant)


def test_a_folder_with_too_many_files_lists_the_first_and_says_so(consultant, monkeypatch):
    monkeypatch.setattr(search, "MAX_FOLDER_RUBRICS", 1)
    rubric_as(consultant, "zz-second")
    catalogue = find_rubrics([consultant])
    assert [r.id for r in catalogue.rubrics if r.origin == "search path"] == ["psc-maturity"]
    assert [(p.file, p.message) for p in catalogue.problems if p.file == str(consultant)] == [
        (str(consultant), "holds 2 YAML files, over the limit of 1: the first 1 are listed")
    ]


def test_the_python_api_takes_a_search_path(consultant, monkeypatch):
    assert load_rubric("psc-maturity", search_path=[consultant]).id == "psc-maturity"
    assert load_rubric("psc-maturity", search_path=str(consultant)).path == str(consultant / "psc-maturity.yaml")
    assert validate_rubric("psc-maturity", search_path=consultant) == []
    with pytest.raises(InputError, match="no rubric has this id"):
        load_rubric("psc-maturity")
    monkeypatch.setenv("QIMATURITY_RUBRIC_PATH", str(consultant))
    assert load_rubric("psc-maturity").id == "psc-maturity"
    assert [r.id for r in find_rubrics().rubrics] == ["psc-maturity", "qi-programme-stages", "qi-readiness"]


def test_a_rubric_loaded_again_is_the_same_rubric_until_its_file_changes(tmp_path):
    # Loaded twice, the same text under the same name is parsed and checked once: the same immutable object. Any
    # change to the text, even one of the same length written within the same clock tick, is seen at once.
    path = rubric_as(tmp_path, "mini")
    first = load_rubric(path)
    assert load_rubric(path) is first
    path.write_text(path.read_text(encoding="utf-8").replace("title: Minimal rubric", "title: Minimal rubrik"))
    second = load_rubric(path)
    assert second.title == "Minimal rubrik" and second is not first
    # Found by id (another display name, another check of the id) it is built on its own.
    assert load_rubric("mini", search_path=tmp_path).title == "Minimal rubrik"
    # A file that fails fails every time, with its problem.
    path.write_text(path.read_text(encoding="utf-8").replace("\nid: mini\n", "\nid: Mini Rubric\n"))
    for _ in range(2):
        with pytest.raises(InputError, match="id"):
            load_rubric(path)
