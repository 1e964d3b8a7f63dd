"""`qimaturity rubric new`: a starter rubric that validates for any size it allows, scores answers, teaches each key
in a comment, and refuses sizes and names it cannot make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import qimaturity
from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.documents import parse_yaml
from qimaturity._core.problems import OptionError
from qimaturity.rubric.checks import check_rubric_document
from qimaturity.rubric.scaffold import new_rubric

from .conftest import run_main

SIZES = [(1, 2, 1), (2, 3, 2), (4, 5, 2), (3, 6, 3), (5, 7, 1), (2, 8, 2), (30, 10, 1), (1, 4, 20)]
# A commented-out example: '# ' then a key and a colon, or a list item ('# - '), under any indentation. The
# comments that explain start with a capital letter or continue a sentence, never with 'key:'.
EXAMPLE = re.compile(r"^(\s*)# (\s*(?:- )?(?:[a-z][a-z0-9_-]*|\"on\"):(?: .*)?|\s*- \{.*)$")


def answers_for(rubric: qimaturity.Rubric, level: int) -> dict:
    """An answers file in which one respondent answers every question at ``level``."""
    return {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organisation": {"id": "org-1", "name": "Example Trust"},
        "date": "2026-06-30",
        "respondents": [{"id": "r1", "answers": {q.id: level for q in rubric.questions()}}],
    }


@pytest.mark.slow
@pytest.mark.parametrize(("domains", "levels", "questions"), SIZES)
def test_the_starter_validates_and_scores_answers(domains: int, levels: int, questions: int, tmp_path: Path):
    out = tmp_path / "starter.yaml"
    result = run_main(
        "rubric", "new", "ward-qi-check", "--domains", str(domains), "--levels", str(levels),
        "--questions", str(questions), "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert run_main("validate", str(out)).returncode == 0
    rubric = load_rubric(out)
    assert (len(rubric.domains), len(rubric.levels), rubric.question_count) == (domains, levels, domains * questions)
    assert [level.value for level in rubric.levels] == list(range(1, levels + 1))
    # Every answer at level 2: every question's value is 2, so every domain's (a weighted mean of 2s) and the
    # overall value (a weighted mean of domains of 2) is 2, and the overall level is 2.
    result = score(rubric, load_assessment(answers_for(rubric, 2), rubric))
    assert result.overall.value == 2 and result.overall.level == 2
    assert {domain.value for domain in result.domains} == {2}
    # the default target is the level below the top (the top itself on a scale of two)
    assert rubric.default_target == (levels - 1 if levels > 2 else levels)


def test_the_starter_teaches_each_key_it_sets():
    text = new_rubric("ward-qi-check")
    lines = text.splitlines()
    for key in ("id", "version", "title", "description", "levels", "not_applicable", "targets", "domains", "scoring"):
        at = lines.index(next(line for line in lines if line.startswith(f"{key}:")))
        assert lines[at - 1].startswith("# "), f"{key} has no comment above it"
    assert text.startswith("# yaml-language-server: $schema=schemas/rubric.schema.json\n")
    assert 'version: "0.1.0"' in text  # in quotes, as the format asks
    assert yaml.safe_load(text)["domains"][0]["questions"][0]["levels"][4] == {
        "level": 5,
        "descriptor": "Replace with question 1.1 at level 5 (Exemplary).",
    }


@pytest.mark.slow
@pytest.mark.parametrize(("domains", "levels", "questions"), SIZES)
def test_the_commented_examples_are_valid_when_uncommented(domains: int, levels: int, questions: int):
    """Every optional key the starter shows as a comment: taken in, all at once, the rubric still validates (so an
    author who uncomments one gets a valid rubric, whatever the size of its scale)."""
    text = new_rubric("ward-qi-check", domains=domains, levels=levels, questions=questions)
    lines = text.splitlines()
    taken = lines[:1] + [EXAMPLE.sub(r"\1\2", line) for line in lines[1:]]  # the schema line is for editors
    uncommented = sum(1 for before, after in zip(lines, taken, strict=True) if before != after)
    assert uncommented >= 30
    full = "\n".join(taken) + "\n"
    data = yaml.safe_load(full)
    assert {"sources", "frameworks", "respondent_groups", "bands", "rules"} <= set(data)
    question = data["domains"][0]["questions"][0]
    assert {"measure", "critical", "target", "evidence_from", "not_applicable", "respondents", "tags"} <= set(question)
    assert {"critical_rationale", "wording", "help_for"} <= set(question)
    assert {"measure", "owner"} <= set(question["levels"][0])
    assert "weight_rationale" in data["domains"][0]
    assert check_rubric_document(parse_yaml(full, "uncommented.yaml")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--domains", "0"],
            "Invalid value for --domains: 0: give 1 to 30 domains (a rubric needs at least one domain)",
        ),
        (["--levels", "1"], "Invalid value for --levels: 1: give 2 to 10 levels (a scale needs at least two levels"),
        (["--levels", "11"], "Invalid value for --levels: 11: give 2 to 10 levels"),
        (["--questions", "0"], "Invalid value for --questions: 0: give 1 to 20 questions a domain"),
        (["--domains", "many"], "Invalid value for '--domains': 'many' is not a valid integer"),
    ],
)
def test_sizes_it_cannot_make_are_refused(args: list[str], message: str, tmp_path: Path):
    out = tmp_path / "starter.yaml"
    result = run_main("rubric", "new", "ward-qi-check", *args, "-o", str(out))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("name", ["Ward QI", "ward qi", "1-ward", "ward--qi", "ward-", "wärd"])
def test_a_name_that_is_not_an_id_is_refused(name: str):
    result = run_main("rubric", "new", name)
    assert result.returncode == 2
    assert f"Invalid value for NAME: '{name}' is not a rubric id" in result.stderr
    assert "lower-case letters and digits" in result.stderr
    assert result.stdout == ""


def test_without_an_output_the_starter_goes_to_stdout():
    result = run_main("rubric", "new", "ward-qi-check", "--domains", "2")
    assert result.returncode == 0
    assert result.stdout == new_rubric("ward-qi-check", domains=2)
    assert result.stderr == ""


def test_an_existing_file_is_replaced_only_with_force(tmp_path: Path):
    out = tmp_path / "ours.yaml"
    out.write_text("id: ours\n", encoding="utf-8")
    result = run_main("rubric", "new", "ward-qi-check", "-o", str(out))
    assert result.returncode == 2
    assert "already exists, and a new rubric does not replace it (--force does)" in result.stderr
    assert out.read_text(encoding="utf-8") == "id: ours\n"
    assert run_main("rubric", "new", "ward-qi-check", "-o", str(out), "--force").returncode == 0
    assert out.read_text(encoding="utf-8") == new_rubric("ward-qi-check")


def test_the_api_raises_option_errors_naming_the_option():
    with pytest.raises(OptionError) as raised:
        qimaturity.new_rubric("ward-qi-check", levels=1)
    assert raised.value.option == "--levels"
    with pytest.raises(OptionError) as raised:
        qimaturity.new_rubric("Ward")
    assert raised.value.option == "NAME"
    assert qimaturity.new_rubric("ward-qi-check") == new_rubric("ward-qi-check", domains=4, levels=5, questions=2)
