"""Scoring many answers files for a cohort, each with the version of the rubric its answers were given to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .loading import parse_yaml, read_text, strict_json
from .model import Rubric
from .problems import InputError, Problem
from .result import Result
from .scoring import score


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
    from .inputs import load_assessments

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
