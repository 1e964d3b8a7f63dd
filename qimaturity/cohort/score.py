"""Scoring many answers files: the files a command names (a folder standing for the files in it) against one rubric,
and a cohort's, each with the version of the rubric its answers were given to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qimaturity._core.documents import parse_yaml, read_text, strict_json
from qimaturity._core.problems import InputError, Problem
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.engine import score
from qimaturity.scoring.result import Result

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def declared_version(path: Path) -> str | None:
    """The rubric version an answers file says it was given to (None when it does not say or cannot be read)."""
    try:
        text = read_text(path)
        data = strict_json(text) if path.suffix.lower() == ".json" else parse_yaml(text, str(path)).data
    except (InputError, ValueError, OSError):
        return None
    rubric = data.get("rubric") if isinstance(data, dict) else None
    version = rubric.get("version") if isinstance(rubric, dict) else None
    return version if isinstance(version, str) else None


def score_cohort(
    rubrics: Sequence[Rubric],
    files: Sequence[Path],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    keep_details: bool = True,
    mapping: Mapping[str, Any] | None = None,
) -> tuple[list[Result], list[Problem]]:
    """Score each file with the rubric version it declares (the first rubric when it declares none).

    Bad files give problems; the others are still scored. Without ``keep_details`` each result is kept slim
    (see :meth:`Result.slim`), which is all a cohort comparison needs.
    """
    from qimaturity.answers.sources import load_assessments

    by_version = {r.version: r for r in rubrics}
    results: list[Result] = []
    problems: list[Problem] = []
    for path in files:
        rubric = by_version.get(declared_version(path) or "", rubrics[0])
        try:
            assessments = load_assessments(path, rubric, mapping=mapping)
        except InputError as error:
            problems.extend(error.problems)
            continue
        for assessment in assessments:
            result = score(rubric, assessment, targets=targets, default_target=default_target)
            results.append(result if keep_details else result.slim())
    return results, problems


def answer_files(paths: Sequence[str], *, exports: bool = False) -> list[Path]:
    """Answers files from paths; a folder stands for the answers files directly inside it, sorted by name (and
    the exports in it too, with ``exports``, i.e. when a mapping is given)."""
    suffixes = ANSWER_SUFFIXES + (EXPORT_SUFFIXES if exports else ())
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes and p.is_file())
            if not found:
                raise InputError.single(
                    text, "the folder holds no answers files", "expected .yaml, .yml or .json files"
                )
            files.extend(found)
        else:
            files.append(path)
    return files


def score_files(
    rubric: Rubric,
    paths: Sequence[str],
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | None = None,
) -> tuple[list[Result], list[Problem]]:
    """Score every answers file (or export, FHIR file, template; a folder stands for the files in it, see
    :func:`answer_files`); bad files give problems while the others are still scored. ``targets``,
    ``default_target`` and ``what_if`` are as for :func:`qimaturity.scoring.engine.score`."""
    from qimaturity.answers.sources import load_assessments

    results: list[Result] = []
    problems: list[Problem] = []
    for path in answer_files(paths, exports=mapping is not None):
        try:
            assessments = load_assessments(path, rubric, mapping=mapping)
        except InputError as error:
            problems.extend(error.problems)
            continue
        for assessment in assessments:
            results.append(score(rubric, assessment, targets=targets, default_target=default_target, what_if=what_if))
    return results, problems
