"""qimaturity: rules-driven quality-improvement maturity assessment.

The public API mirrors the command line::

    import qimaturity
    rubric = qimaturity.load_rubric("qi-readiness")          # bundled id or path; raises InputError
    problems = qimaturity.validate_rubric("my-rubric.yaml")    # [] when valid
    assessment = qimaturity.load_assessment("answers.yaml", rubric)
    result = qimaturity.score(rubric, assessment, what_if={"gov-board-agenda": 4})
    print(qimaturity.explain(result, domain_id="leadership"))
"""

from __future__ import annotations

from pathlib import Path

from qimaturity._core.problems import InputError, Problem
from qimaturity.answers.files import load_assessment
from qimaturity.answers.model import Assessment
from qimaturity.rubric.load import bundled_rubrics, check_rubric, load_rubric
from qimaturity.rubric.model import Domain, Level, Question, Rubric
from qimaturity.scoring.engine import score
from qimaturity.scoring.explain import explain
from qimaturity.scoring.result import Result
from qimaturity.version import __version__


def validate_rubric(ref: str | Path) -> list[Problem]:
    """Every problem with a rubric (bundled id or path), in file order; an empty list means it is valid."""
    return check_rubric(ref)[1]


__all__ = [
    "Assessment",
    "Domain",
    "InputError",
    "Level",
    "Problem",
    "Question",
    "Result",
    "Rubric",
    "__version__",
    "bundled_rubrics",
    "explain",
    "load_assessment",
    "load_rubric",
    "score",
    "validate_rubric",
]
