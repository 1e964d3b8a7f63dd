"""qimaturity: rules-driven quality-improvement maturity assessment.

The public API mirrors the command line::

    import qimaturity
    rubric = qimaturity.load_rubric("qi-readiness")        # bundled id or path; raises InputError
    problems = qimaturity.validate_rubric("my-rubric.yaml")  # [] when valid
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

from .model import Domain, Level, Question, Rubric  # noqa: E402
from .problems import InputError, Problem  # noqa: E402
from .rubric import bundled_rubrics, check_rubric, load_rubric  # noqa: E402


def validate_rubric(ref: str | Path) -> list[Problem]:
    """Every problem with a rubric (bundled id or path), in file order; an empty list means it is valid."""
    return check_rubric(ref)[1]


__all__ = [
    "Domain",
    "InputError",
    "Level",
    "Problem",
    "Question",
    "Rubric",
    "__version__",
    "bundled_rubrics",
    "load_rubric",
    "validate_rubric",
]
