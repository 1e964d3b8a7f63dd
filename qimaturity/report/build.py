"""Reports built from answers: one organisation's gap report, with its peers, its history, a brand and templates,
and a cohort's comparison, as HTML or PDF bytes or a file written.

:func:`report` is what ``qimaturity report`` does and what ``compare -o OUT.html|OUT.pdf`` writes;
:func:`gap_report` gathers what one gap report needs (the organisation's result, its peers and history, the brand)
and :meth:`GapReport.render` renders it in each format asked for, the HTML once: each job of a batch renders its
report through them too, so a report is built in one place whichever command asks for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, overload

from qimaturity._core.outputs import utf8, write_atomic
from qimaturity._core.problems import InputError, OptionError, Problem
from qimaturity.answers.model import Assessment
from qimaturity.cohort.model import DEFAULT_MIN_COHORT, Cohort, build_cohort
from qimaturity.cohort.score import AnswersOrResults, score_one, scored_results
from qimaturity.report.branding import DEFAULT_BRAND, Brand, load_brand
from qimaturity.report.plan import plan_start_date
from qimaturity.rubric.load import as_rubric
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.result import Result

REPORT_FORMATS = ("pdf", "html")
COHORT_FORMATS = ("html", "pdf", "csv", "xlsx", "json")

ReportDate = date | str | None
"""A report's date: a :class:`datetime.date` (or ``datetime``), its ISO text (``"2026-10-01"``), or None for
``SOURCE_DATE_EPOCH`` or no date at all (see :func:`qimaturity.report.render.generation_time`)."""


@dataclass(frozen=True)
class GapReport:
    """Everything one organisation's gap report shows, ready to render."""

    result: Result
    rubric: Rubric
    brand: Brand = DEFAULT_BRAND
    templates: Path | None = None
    generated: datetime | None = None
    cohort: Cohort | None = None
    history: tuple[Result, ...] = ()
    versions: tuple[Rubric, ...] = ()
    """Other versions of the rubric that peers' or earlier results were scored with (for their migration maps)."""
    plan_start: date | None = None
    """The improvement plan's first cycle start (None: the assessment's date)."""

    def render(self, formats: Sequence[str] = ("pdf",)) -> Iterator[tuple[str, str | bytes]]:
        """``(format, document)`` for each of ``formats`` in turn: ``html`` as text, ``pdf`` as bytes, the HTML
        rendered once. Each is rendered only when the one before it has been taken, so a caller can write each as
        it comes."""
        from qimaturity.report.render import render_html, render_pdf

        html: str | None = None
        for fmt in formats:
            if fmt not in REPORT_FORMATS:
                raise OptionError(f"a report is written as {' or '.join(REPORT_FORMATS)}, not {fmt}", "--format")
            if html is None:
                html = render_html(
                    self.result,
                    self.rubric,
                    brand=self.brand,
                    templates_dir=self.templates,
                    generated=self.generated,
                    cohort=self.cohort,
                    history=self.history,
                    versions=self.versions,
                    plan_start=self.plan_start,
                )
            yield fmt, html if fmt == "html" else render_pdf(html, generated=self.generated)


def check_templates(templates: str | Path | None) -> Path | None:
    """The templates folder as a path; :class:`OptionError` when it is not a folder."""
    if templates is None:
        return None
    folder = Path(templates)
    if not folder.is_dir():
        raise OptionError(f"no such folder: {templates}", "--templates")
    return folder


def gap_report(
    rubric: Rubric | str | Path,
    answers: str | Path | Mapping[str, Any] | Assessment | Result,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    brand: Brand | str | Path | None = None,
    templates: str | Path | None = None,
    generated: datetime | None = None,
    cohort: Cohort | AnswersOrResults | None = None,
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    history: AnswersOrResults = (),
    other_rubrics: Iterable[Rubric | str | Path] = (),
    plan_start: date | str | None = None,
) -> GapReport:
    """Gather one organisation's gap report: its result (scored here unless ``answers`` is a result), the brand,
    the peers (``cohort``: answers files, a folder, results, or a :class:`Cohort`; peer groups by ``group_by``) and
    its earlier results (``history``), and the time it is dated (``generated``: none when None). ``other_rubrics``
    are other versions of the rubric, for peers' and earlier answers given to them; ``plan_start`` is the
    improvement plan's first cycle start (a date or ``YYYY-MM-DD``; default: the assessment's date). Raises
    :class:`InputError` for bad input and :class:`OptionError` for a templates folder that is not one."""
    folder = check_templates(templates)
    main = as_rubric(rubric)
    result = score_one(main, answers, targets=targets, default_target=default_target, what_if=what_if, mapping=mapping)
    chosen = brand if isinstance(brand, Brand) else load_brand(brand) if brand is not None else DEFAULT_BRAND
    peers = cohort if isinstance(cohort, Cohort) else None
    earlier: list[Result] = []
    rubrics = [main, *(as_rubric(other) for other in other_rubrics)]
    if (cohort and peers is None) or history:
        if cohort and not isinstance(cohort, Cohort):
            members = scored_results(rubrics, cohort, keep_details=False)
            peers = build_cohort(
                members,
                group_by=group_by,
                min_cohort=min_cohort,
                allow_mixed_versions=True,
                minimal_important_difference=main.scoring.minimal_important_difference,
                rubrics=rubrics,
            )
        if history:
            earlier = scored_results(rubrics, history)
            _check_history(result, earlier, history)
    start = plan_start_date(plan_start, result) if plan_start else None
    return GapReport(result, main, chosen, folder, generated, peers, tuple(earlier), tuple(rubrics[1:]), start)


def _check_history(result: Result, earlier: Sequence[Result], history: AnswersOrResults) -> None:
    """Refuse history that cannot be "since last time": another organisation's assessment, or one not dated before
    the assessment reported on. (Left out quietly, it would give a report without the trend that was asked for.)"""
    items = [history] if isinstance(history, str | Path) else list(history)
    files = [str(item) for item in items if not isinstance(item, Result)]
    # One file per result when history names files (a folder stands for several: then the option is named).
    named = len(files) == len(items) == len(earlier) and all(Path(f).is_file() for f in files)
    problems = []
    for index, before in enumerate(earlier):
        where = files[index] if named else "--history"
        if before.organisation.id != result.organisation.id:
            problems.append(
                Problem(
                    where,
                    None,
                    None,
                    "/organisation/id",
                    f"history is an assessment of {before.organisation.id!r}, not of {result.organisation.id!r}",
                    "give earlier answers of the organisation reported on",
                )
            )
        elif before.date is not None and result.date is not None and before.date >= result.date:
            problems.append(
                Problem(
                    where,
                    None,
                    None,
                    "/date",
                    f"history is dated {before.date}, not before the assessment reported on ({result.date})",
                    "give an assessment made before this one",
                )
            )
    if problems:
        raise InputError(problems)


def cohort_document(
    cohort: Cohort,
    rubric: Rubric | str | Path,
    fmt: str,
    *,
    report_date: ReportDate = None,
    brand: Brand | str | Path | None = None,
    templates: str | Path | None = None,
    table: str = "groups",
) -> str | bytes:
    """A cohort comparison as ``html`` or ``pdf`` (the cohort report, with ``brand`` and ``templates`` as for
    :func:`report`), ``csv`` (``table``: ``groups``, one row per group and domain; ``organisations``, one row per
    organisation; ``trends``, one row per organisation, domain and date; see
    :data:`qimaturity.cohort.tables.CSV_TABLES`), ``xlsx`` (Statistics, Organisations, Trends, Domains, Notes) or
    ``json`` (``schemas/cohort.schema.json``): text for HTML, CSV and JSON, bytes for PDF and XLSX."""
    main = as_rubric(rubric)
    scale = [level.value for level in main.levels]
    if fmt == "json":
        from qimaturity.cohort.document import cohort_json

        return cohort_json(cohort)
    if fmt == "csv":
        import io

        from qimaturity.cohort.tables import write_cohort_csv

        buffer = io.StringIO()
        write_cohort_csv(cohort, scale, buffer, table=table)
        return buffer.getvalue()
    if fmt == "xlsx":
        from qimaturity.cohort.tables import cohort_xlsx

        return cohort_xlsx(cohort, scale)
    if fmt not in REPORT_FORMATS:
        raise OptionError(f"a cohort is written as {', '.join(COHORT_FORMATS)}, not {fmt}", "--format")
    from qimaturity.report.render import generation_time, render_cohort_html, render_pdf

    generated = generation_time(report_date)
    chosen = brand if isinstance(brand, Brand) else load_brand(brand) if brand is not None else DEFAULT_BRAND
    html = render_cohort_html(cohort, main, brand=chosen, templates_dir=check_templates(templates), generated=generated)
    return html if fmt == "html" else render_pdf(html, generated=generated)


def output_format(output: Path | None, fmt: str | None, allowed: Sequence[str]) -> str:
    """The format of ``output``'s suffix, else ``fmt``, else the first allowed; :class:`OptionError` for a format
    not allowed, or one that the output's suffix contradicts."""
    chosen = fmt.lower() if fmt is not None else None
    if chosen is not None and chosen not in allowed:
        raise OptionError(f"the format must be one of {', '.join(allowed)}, not {fmt!r}", "--format")
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in allowed:
            choices = ", ".join(f".{a}" for a in allowed[:-1]) + f" or .{allowed[-1]}"
            raise OptionError(f"the output must end in {choices}", "-o/--output")
        if chosen not in (None, suffix):
            raise OptionError(f"{output} is not a .{chosen} file: give it that suffix, or leave the format out")
        chosen = suffix
    return chosen or allowed[0]


Answers = str | Path | Mapping[str, Any] | Assessment | Result | Cohort
"""What :func:`report` reports on."""


@overload
def report(
    rubric: Rubric | str | Path,
    answers: Answers,
    output: None = None,
    *,
    format: str | None = None,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    brand: Brand | str | Path | None = None,
    templates: str | Path | None = None,
    report_date: ReportDate = None,
    cohort: Cohort | AnswersOrResults | None = None,
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    history: AnswersOrResults = (),
    other_rubrics: Iterable[Rubric | str | Path] = (),
    plan_start: date | str | None = None,
) -> bytes: ...


@overload
def report(
    rubric: Rubric | str | Path,
    answers: Answers,
    output: str | Path,
    *,
    format: str | None = None,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    brand: Brand | str | Path | None = None,
    templates: str | Path | None = None,
    report_date: ReportDate = None,
    cohort: Cohort | AnswersOrResults | None = None,
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    history: AnswersOrResults = (),
    other_rubrics: Iterable[Rubric | str | Path] = (),
    plan_start: date | str | None = None,
) -> Path: ...


def report(
    rubric: Rubric | str | Path,
    answers: Answers,
    output: str | Path | None = None,
    *,
    format: str | None = None,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    brand: Brand | str | Path | None = None,
    templates: str | Path | None = None,
    report_date: ReportDate = None,
    cohort: Cohort | AnswersOrResults | None = None,
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    history: AnswersOrResults = (),
    other_rubrics: Iterable[Rubric | str | Path] = (),
    plan_start: date | str | None = None,
) -> bytes | Path:
    """A gap report of one organisation's answers — or, given a :class:`Cohort`, the cohort comparison — as PDF
    or HTML: its bytes, or, given ``output``, the file written there (atomically) and its path.

    ``answers`` is an answers file (or an export, FHIR response or filled template of one organisation), an answers
    document as a mapping, an :class:`Assessment`, a :class:`Result` or a :class:`Cohort`. ``format`` is ``"pdf"``
    or ``"html"``: by default the output's suffix, else PDF. ``targets``, ``default_target``, ``what_if`` and
    ``mapping`` are as for :func:`qimaturity.score` and exports; ``brand`` is a brand file (or a loaded
    :class:`Brand`), ``templates`` a folder of templates overriding the bundled ones' blocks; ``cohort`` adds the
    "you and your peers" page (answers files, a folder, results, or a :class:`Cohort`; peer groups by
    ``group_by``, groups under ``min_cohort`` suppressed) and ``history`` (earlier answers files or results) the
    "since last time" page; ``other_rubrics`` are other versions of the rubric that their answers were given to.
    With ``report_date`` (a date or ``"YYYY-MM-DD"``; else ``SOURCE_DATE_EPOCH``) the report is dated and a PDF is
    byte-identical from run to run. ``plan_start`` (a date or ``"YYYY-MM-DD"``) is the day the improvement plan's
    first cycle starts, by default the assessment's date; the others start two weeks apart after it. Raises
    :class:`InputError` for bad input and :class:`OptionError` for an unusable option (an output of another kind, a
    templates folder that is not one, a date that is not one).
    """
    from qimaturity.report.render import generation_time

    path = Path(output) if output is not None else None
    fmt = output_format(path, format, REPORT_FORMATS)
    document: str | bytes
    folder = check_templates(templates)
    if isinstance(answers, Cohort):
        scoring = {"targets": targets, "default_target": default_target, "what_if": what_if, "mapping": mapping}
        pages = {
            "cohort": cohort,
            "group_by": group_by,
            "history": history,
            "other_rubrics": other_rubrics,
            "plan_start": plan_start,
        }
        given = [name for name, value in {**scoring, **pages}.items() if value not in (None, ())]
        if given:
            raise OptionError(f"a cohort report takes no {', '.join(given)}: those are for one organisation's report")
        document = cohort_document(answers, rubric, fmt, report_date=report_date, brand=brand, templates=folder)
    else:
        gap = gap_report(
            rubric,
            answers,
            targets=targets,
            default_target=default_target,
            what_if=what_if,
            mapping=mapping,
            brand=brand,
            templates=folder,
            generated=generation_time(report_date),
            cohort=cohort,
            group_by=group_by,
            min_cohort=min_cohort,
            history=history,
            other_rubrics=other_rubrics,
            plan_start=plan_start,
        )
        _, document = next(gap.render((fmt,)))
    if path is not None:
        return write_atomic(path, document)
    return utf8(document, "<report>") if isinstance(document, str) else document
