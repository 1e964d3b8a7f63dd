"""Reports: what a gap or cohort report shows (views), its SVG charts (charts), the sandboxed templates (templating),
HTML and PDF (render, and pdf_fetching for what the PDF renderer may read), a report built from answers or a cohort
(build), branding (branding) and the blank questionnaire, printed or as a spreadsheet template (questionnaire). The
only package that imports jinja2 or weasyprint. It may import cohort, scoring, answers, rubric and _core.

The package is also the public ``qimaturity.report`` function: calling it calls :func:`qimaturity.report.build.report`
(the name is both, so that ``qimaturity.report(...)`` works and ``import qimaturity.report.render`` still does).
"""

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`qimaturity.report.build.report` (imported on the first call)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from qimaturity.report.build import report

        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
