"""qimaturity: rules-driven quality-improvement maturity assessment.

The public API is what the command line runs::

    import qimaturity
    rubric = qimaturity.load_rubric("qi-readiness")          # bundled id or path; raises InputError
    mine = qimaturity.load_rubric("psc-maturity", search_path=["~/rubrics"])  # an id in a folder of rubrics
    problems = qimaturity.validate_rubric("my-rubric.yaml")    # [] when valid
    catalogue = qimaturity.find_rubrics(search_path=["~/rubrics"])   # every rubric an id can name, and problems
    assessment = qimaturity.load_assessment("answers.yaml", rubric)   # or a dict holding the same document
    result = qimaturity.score(rubric, assessment, what_if={"gov-board-agenda": 4})
    print(qimaturity.explain(result, domain_id="leadership"))
    cohort = qimaturity.compare(rubric, "examples/cohort", group_by="type")
    pdf = qimaturity.report(rubric, "answers.yaml", report_date="2026-10-01")   # bytes; or give a path to write
    documents = qimaturity.import_answers("responses.csv", rubric)
    scores = qimaturity.score_export(rubric, "survey.parquet")  # needs the scale extra (Polars)
    summary = qimaturity.run_batch("qi-readiness", "submissions/", "reports/", formats="html,json")
    qimaturity.rubric_to_xlsx("qi-readiness", "our-rubric.xlsx")      # a workbook to edit in a spreadsheet
    document = qimaturity.rubric_from_xlsx("our-rubric.xlsx")        # read back and validated; InputError at cells
    text = qimaturity.rubric_yaml(document)                           # as a rubric file
    starter = qimaturity.new_rubric("ward-qi-check", domains=4, levels=5)   # a commented starter rubric
    changes = qimaturity.rubric_diff(old_rubric, rubric)     # what changed between two versions
    reports = qimaturity.migrate_answers(rubric, "answers/2025/", "answers/2025-v2/")   # answers carried over
    actions = qimaturity.action_log(rubric, "northgate.yaml")    # the report's improvement plan, as rows
    qimaturity.write_action_log(actions, "actions.xlsx")         # ... as a CSV or XLSX action log

``compare``, ``report``, ``import_answers``, ``run_batch``, ``migrate_answers``, ``action_log``,
``write_action_log`` and the rubric authoring functions (``rubric_to_xlsx``, ``rubric_from_xlsx``, ``rubric_yaml``,
``new_rubric``, ``rubric_diff``) are imported on first use, and ``score_export`` when called, so that
``import qimaturity`` stays fast and loads none of WeasyPrint, Jinja, Polars, openpyxl or the FHIR models.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qimaturity._core.extras import ExtraMissing, extra_imports
from qimaturity._core.problems import InputError, OptionError, Problem
from qimaturity.answers.files import load_assessment
from qimaturity.answers.model import Assessment
from qimaturity.rubric.load import bundled_rubrics, check_rubric, find_rubrics, load_rubric
from qimaturity.rubric.model import Domain, Level, Question, Rubric
from qimaturity.rubric.search import SearchPath
from qimaturity.scoring.engine import score
from qimaturity.scoring.explain import explain
from qimaturity.scoring.result import Result
from qimaturity.version import __version__

if TYPE_CHECKING:
    from qimaturity.answers.migrate import migrate_answers
    from qimaturity.answers.sources import import_answers
    from qimaturity.batch.run import run_batch
    from qimaturity.cohort.compare import compare
    from qimaturity.cohort.model import Cohort
    from qimaturity.report.build import report
    from qimaturity.report.plan import action_log, write_action_log
    from qimaturity.rubric.diff import rubric_diff
    from qimaturity.rubric.scaffold import new_rubric
    from qimaturity.rubric.workbook import rubric_from_xlsx, rubric_to_xlsx
    from qimaturity.rubric.writing import rubric_yaml
    from qimaturity.scoring.columnar_numbers import ExportScores

# Imported on first use (PEP 562): the name's module, and the attribute (None: the module itself). The package
# qimaturity.report is callable as qimaturity.report.build.report, so the name stays the package's.
_LAZY: dict[str, tuple[str, str | None]] = {
    "action_log": ("qimaturity.report.plan", "action_log"),
    "Cohort": ("qimaturity.cohort.model", "Cohort"),
    "compare": ("qimaturity.cohort.compare", "compare"),
    "import_answers": ("qimaturity.answers.sources", "import_answers"),
    "migrate_answers": ("qimaturity.answers.migrate", "migrate_answers"),
    "report": ("qimaturity.report", None),
    "run_batch": ("qimaturity.batch.run", "run_batch"),
    "new_rubric": ("qimaturity.rubric.scaffold", "new_rubric"),
    "rubric_diff": ("qimaturity.rubric.diff", "rubric_diff"),
    "rubric_from_xlsx": ("qimaturity.rubric.workbook", "rubric_from_xlsx"),
    "rubric_to_xlsx": ("qimaturity.rubric.workbook", "rubric_to_xlsx"),
    "rubric_yaml": ("qimaturity.rubric.writing", "rubric_yaml"),
    "write_action_log": ("qimaturity.report.plan", "write_action_log"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'qimaturity' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def validate_rubric(ref: str | Path, *, search_path: SearchPath = None) -> list[Problem]:
    """Every problem with a rubric (id or path), in file order; an empty list means it is valid. An id is looked up
    as :func:`load_rubric` does."""
    return check_rubric(ref, search_path=search_path)[1]


def score_export(
    rubric: Rubric | str | Path,
    export: str | Path,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    intervals: bool = False,
) -> ExportScores:
    """Score every organisation in a very large respondent export (CSV or Parquet, one row per respondent) with the
    columnar engine, as ``qimaturity score-export`` does: the numbers are :func:`score`'s to the bit.

    Returns an :class:`~qimaturity.scoring.columnar_numbers.ExportScores`: Polars tables (``overall``, ``domains``,
    ``questions``, ``groups``, ``gaps``) and, by index or iteration, each organisation's full :class:`Result`.
    ``targets`` and ``default_target`` are as for :func:`score`. With ``intervals``, the ``overall`` and
    ``domains`` tables (and the CSV) carry each value's interval too, measured while counting (up to half as much
    time again); full results carry it either way. Needs the scale extra (``pip install 'qimaturity[scale]'``):
    without it, raises :class:`ExtraMissing` (an ``ImportError``) saying so. Raises :class:`InputError` with the
    export's problems, each at its row and column.
    """
    with extra_imports("score_export()"):
        from qimaturity.scoring.columnar import score_export as score_columns
    from qimaturity.rubric.load import as_rubric

    return score_columns(as_rubric(rubric), export, targets=targets, default_target=default_target, intervals=intervals)


__all__ = [
    "Assessment",
    "Cohort",
    "Domain",
    "ExtraMissing",
    "InputError",
    "Level",
    "OptionError",
    "Problem",
    "Question",
    "Result",
    "Rubric",
    "__version__",
    "action_log",
    "bundled_rubrics",
    "compare",
    "explain",
    "find_rubrics",
    "import_answers",
    "load_assessment",
    "load_rubric",
    "migrate_answers",
    "new_rubric",
    "report",
    "rubric_diff",
    "rubric_from_xlsx",
    "rubric_to_xlsx",
    "rubric_yaml",
    "run_batch",
    "score",
    "score_export",
    "validate_rubric",
    "write_action_log",
]
