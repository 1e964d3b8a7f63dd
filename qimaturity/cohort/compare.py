"""Comparing organisations: answers files or results in, a :class:`Cohort` out (what ``qimaturity compare`` does)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from qimaturity.cohort.model import DEFAULT_MIN_COHORT, Cohort, build_cohort
from qimaturity.cohort.score import scored_results
from qimaturity.rubric.load import as_rubric
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.result import Result


def compare(
    rubric: Rubric | str | Path,
    answers: str | Path | Iterable[str | Path | Result],
    *,
    other_rubrics: Iterable[Rubric | str | Path] = (),
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    across_versions: bool = False,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
) -> Cohort:
    """Compare organisations: per domain the count, quartiles and levels, a ranking, peer groups, outliers, and
    trends for organisations assessed more than once.

    ``answers`` is an answers file or a folder of them, or several, or results already scored (or a mix). Each file
    is scored with the version of the rubric it declares among ``rubric`` and ``other_rubrics``. Peer groups come
    from ``group_by`` (``type``, ``region`` or ``metadata.KEY``); groups smaller than ``min_cohort`` are suppressed.
    Results of different rubric versions are compared as the later version's migration map says (see
    :func:`qimaturity.cohort.model.build_cohort`); without a map they are refused unless ``across_versions``.
    ``start`` and ``end`` (ISO dates or dates, inclusive) compare only the assessments dated in that period (a
    year: ``start="2025-01-01", end="2025-12-31"``); a period without any raises
    :class:`qimaturity.cohort.model.PeriodError` (an :class:`InputError`).
    ``targets``, ``default_target`` and ``mapping`` are as for :func:`qimaturity.score` and exports. Raises
    :class:`InputError` with every bad file's problems.
    """
    rubrics = [as_rubric(rubric), *(as_rubric(other) for other in other_rubrics)]
    results = scored_results(
        rubrics, answers, targets=targets, default_target=default_target, mapping=mapping, keep_details=False
    )
    return build_cohort(
        results,
        group_by=group_by,
        min_cohort=min_cohort,
        allow_mixed_versions=across_versions,
        minimal_important_difference=rubrics[0].scoring.minimal_important_difference,
        rubrics=rubrics,
        start=start,
        end=end,
    )
