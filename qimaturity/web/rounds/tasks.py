"""Slow work of a round, run by the task queue's worker (django-tasks) so that no web request waits for WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

import qimaturity
from qimaturity._core.outputs import write_atomic
from qimaturity.web.organisations.brands import report_brand
from qimaturity.web.rounds.assessment import round_assessment, rubric_of
from qimaturity.web.rounds.models import Report


def reports_folder() -> Path:
    """Where rendered reports are kept: the data folder's ``reports/``, outside anything the web server serves."""
    return Path(settings.DATA) / "reports"


@task()
def render_pdf_report(report_id: int) -> str:
    """Render the round's gap report as PDF into the reports folder and record it on ``Report`` ``report_id``;
    returns the file's name. A failure is recorded on the report (and the task marked failed)."""
    report = Report.objects.select_related("round__organisation", "requested_by").get(pk=report_id)
    try:
        rubric = rubric_of(report.round)
        # In the brand of the consultancy through which the requesting user administers the organisation.
        brand = report_brand(report.requested_by, report.round.organisation)
        pdf = qimaturity.report(
            rubric, round_assessment(report.round, rubric), format="pdf", report_date=timezone.localdate(), brand=brand
        )
        folder = reports_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"round-{report.round.pk}-report-{report.pk}.pdf"
        write_atomic(folder / name, pdf)
    except Exception as error:
        report.error = str(error) or type(error).__name__
        report.finished_at = timezone.now()
        report.save(update_fields=["error", "finished_at"])
        raise
    report.file = name
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "finished_at"])
    _prune(report)
    return name


def _prune(latest: Report) -> None:
    """Keep one PDF a round, the latest rendered: an earlier one's file is deleted and its download is not found
    (the round page offers only the latest; the audit log keeps who asked for each)."""
    earlier = Report.objects.filter(round=latest.round_id, pk__lt=latest.pk).exclude(file="")
    for report in earlier:
        (reports_folder() / Path(report.file).name).unlink(missing_ok=True)
    earlier.update(file="")
