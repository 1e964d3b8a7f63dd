"""Rendering a result into a self-contained HTML report and, through WeasyPrint, a tagged A4 PDF.

Templates, the bundled ones and a consultant's own, are untrusted code: each render gets plain data only, runs in
an allow-list sandbox, and runs in a child process with a memory and a time limit (see
:mod:`qimaturity.report.templating`), so a template can neither reach files nor run code nor exhaust the machine. The
PDF renderer fetches only files under the bundled ``reports/`` folder (the logo is embedded as a data URI); ``http(s)``,
other ``file://`` paths and redirects are refused. WeasyPrint is imported only here, and only when a PDF is written.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from qimaturity._core.problems import OptionError
from qimaturity._core.resources import bundled_dir
from qimaturity.cohort.model import Cohort, Stats
from qimaturity.report import charts
from qimaturity.report.branding import DEFAULT_BRAND, Brand
from qimaturity.report.cohort_view import cohort_period, cohort_summary, group_title
from qimaturity.report.summary import nhs_date
from qimaturity.report.templating import render_template
from qimaturity.report.views import Report, build_report
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.result import Result
from qimaturity.version import __version__

ENTRY_TEMPLATE = "gap-report.html.j2"
COHORT_TEMPLATE = "cohort-report.html.j2"
HEATMAP_ROWS = 50


@dataclass(frozen=True)
class Charts:
    radar: Markup
    groups: dict[str, Markup] = field(default_factory=dict)
    spread: dict[str, Markup] = field(default_factory=dict)
    peers: Markup | None = None
    trend: Markup | None = None


def chart_font(brand: Brand) -> str:
    """The typeface of the report's body text, for its charts: the brand's body font before the reports' own, as the
    templates' ``--body-font`` names it."""
    return f"'{brand.body_font}', {charts.FONT_FAMILY}" if brand.body_font else charts.FONT_FAMILY


def make_charts(report: Report, brand: Brand) -> Charts:
    scale = [(value, name) for value, name, _ in report.levels]
    font = chart_font(brand)
    radar = charts.radar_chart(
        "radar",
        [(d.title, d.value, d.target) for d in report.domains],
        scale,
        title="Domain levels against targets",
        colour=brand.primary,
        font=font,
    )
    groups: dict[str, Markup] = {}
    spread: dict[str, Markup] = {}
    for index, domain in enumerate(report.domains, start=1):
        rows = [(q.short_title, {g.id: g.value for g in q.groups}) for q in domain.questions if q.groups]
        present = {g for _, values in rows for g in values}
        if len(present) >= 2:
            flagged = [q.short_title for q in domain.questions if any(g.flagged for g in q.gaps)]
            groups[domain.id] = Markup(
                charts.group_chart(
                    f"groups-{index}",
                    rows,
                    [(gid, name) for gid, name in report.group_names if gid in present],
                    scale,
                    title=f"{domain.title}: how each respondent group rated each question",
                    highlight=flagged,
                    font=font,
                )
            )
        spread[domain.id] = Markup(
            charts.distribution_chart(
                f"spread-{index}",
                [(q.short_title, dict(q.spread), q.na_answers) for q in domain.questions],
                scale,
                title=f"{domain.title}: respondents' answers by level",
                font=font,
            )
        )
    peers = None
    if report.peers:
        peers = Markup(
            charts.box_chart(
                "peers",
                [(p.title, p.box, p.n) for p in report.peers],
                scale,
                title=f"{report.organisation} against {report.peer_group}",
                marks=[(p.title, p.value) for p in report.peers],
                mark_label=report.organisation,
                font=font,
            )
        )
    trend = None
    if report.changes:
        trend = trend_charts(
            "trend",
            list(report.history_dates),
            [(c.title, list(c.values)) for c in report.changes],
            scale,
            title=f"{report.organisation}: domains over time",
            breaks=version_breaks(report.history_versions),
            font=font,
        )
    return Charts(Markup(radar), groups, spread, peers, trend)


def trend_charts(
    chart_id: str,
    dates: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    breaks: Sequence[tuple[int, str]] = (),
    font: str = charts.FONT_FAMILY,
) -> Markup:
    """A trend chart of every series; more series than one chart tells apart (a colour each: eight) are shared
    between charts of even size, one after the other (9 domains: 5 and 4), each titled with its part."""
    most = len(charts.PALETTE)
    parts = max(1, -(-len(series) // most))
    size = -(-len(series) // parts)
    drawn = [
        charts.trend_chart(
            chart_id if parts == 1 else f"{chart_id}-{part + 1}",
            dates,
            series[part * size : (part + 1) * size],
            scale,
            title=title if parts == 1 else f"{title} ({part + 1} of {parts})",
            breaks=breaks,
            font=font,
        )
        for part in range(parts)
    ]
    return Markup("".join(drawn))


def version_breaks(versions: Sequence[str]) -> list[tuple[int, str]]:
    """Where a trend chart marks a change of rubric version: (index of the first assessment of the new version,
    ``version X``)."""
    return [(i, f"version {versions[i]}") for i in range(1, len(versions)) if versions[i] != versions[i - 1]]


def render_html(
    result: Result,
    rubric: Rubric,
    *,
    brand: Brand = DEFAULT_BRAND,
    templates_dir: Path | None = None,
    generated: datetime | None = None,
    cohort: Cohort | None = None,
    history: Sequence[Result] = (),
    versions: Sequence[Rubric] = (),
    plan_start: date | str | None = None,
) -> str:
    """The gap report as one self-contained HTML document (CSS, charts and logo inline).

    With a ``cohort`` the report gains a "you versus your peers" section; with ``history`` (earlier results of the
    same organisation) a "since last time" section, across versions of the rubric as ``rubric``'s migration maps
    say (``versions``: the earlier versions' rubrics, which the maps are checked against). The improvement plan's
    first cycle starts on ``plan_start`` (default: the assessment's date).
    """
    report = build_report(result, rubric, cohort=cohort, history=history, versions=versions, plan_start=plan_start)
    context = {"report": report, "charts": make_charts(report, brand)}
    return render_document(ENTRY_TEMPLATE, context, brand=brand, templates_dir=templates_dir, generated=generated)


def render_document(
    name: str,
    context: Mapping[str, Any],
    *,
    brand: Brand = DEFAULT_BRAND,
    templates_dir: Path | None = None,
    generated: datetime | None = None,
) -> str:
    """Render one of the report templates (in the sandbox, within the rendering limits) with what every template
    gets besides its own ``context``: the brand, the style sheet inline, the generation date (if fixed) and the
    engine version. All of it reaches the template as plain data."""
    full = {
        **context,
        "brand": brand,
        "generated": nhs_date(generated.date().isoformat()) if generated else None,
        "generated_iso": generated.strftime("%Y-%m-%dT%H:%M:%SZ") if generated else None,
        "engine": f"qimaturity {__version__}",
    }
    return render_template(name, full, templates_dir=templates_dir, stylesheet="style.css")


def render_cohort_html(
    cohort: Cohort,
    rubric: Rubric,
    *,
    brand: Brand = DEFAULT_BRAND,
    templates_dir: Path | None = None,
    generated: datetime | None = None,
) -> str:
    """The cohort comparison as one self-contained HTML document."""
    scale = [(level.value, level.name) for level in rubric.levels]
    font = chart_font(brand)
    titles = dict(cohort.domains)
    columns = [title for _, title in cohort.domains]
    heatmaps = []
    # One chart per page's worth of organisations: an SVG cannot break across PDF pages.
    for part, start in enumerate(range(0, len(cohort.members), HEATMAP_ROWS), start=1):
        chunk = cohort.members[start : start + HEATMAP_ROWS]
        outliers = {
            (row, column)
            for row, member in enumerate(chunk)
            for column, (domain_id, _) in enumerate(cohort.domains)
            if any(d == domain_id for d, _ in member.outliers)
        }
        last = start + len(chunk)
        heatmaps.append(
            Markup(
                charts.heatmap_chart(
                    f"heatmap-{part}",
                    [(f"{m.rank}. {m.name}", [value for _, value, _ in m.values], False) for m in chunk],
                    columns,
                    scale,
                    title=f"Organisations by domain, ranks {start + 1} to {last}",
                    outliers=outliers,
                    font=font,
                )
            )
        )

    def boxes(group: Any, index: int) -> Markup:
        rows = [
            (titles[d], None if s is None else (s.minimum, s.q1, s.median, s.q3, s.maximum), 0 if s is None else s.n)
            for d, s in group.domains
        ]
        title = f"{group_titles[group.name]}: spread of domain values"
        return Markup(charts.box_chart(f"box-{index}", rows, scale, title=title, font=font))

    group_titles = {g.name: group_title(cohort, g) for g in (cohort.everyone, *cohort.groups)}
    group_charts = [boxes(g, i) for i, g in enumerate((cohort.everyone, *cohort.groups))]
    trends = [
        trend_charts(
            f"trend-{i}",
            list(t.dates),
            [(d.title, list(d.values)) for d in t.domains],
            scale,
            title=f"{t.name}: domains over time",
            breaks=version_breaks(t.versions),
            font=font,
        )
        for i, t in enumerate(cohort.trends, start=1)
    ]
    # The national trend: the median of each domain and the overall, year by year (the latest 20 years at most).
    shown_years = cohort.years[-20:]
    year_series: list[tuple[str, list[float | None]]] = [
        (title, [_median(y.stats.domain(d)) for y in shown_years]) for d, title in cohort.domains
    ]
    if any(y.stats.overall is not None for y in shown_years):
        year_series.append(("Overall", [_median(y.stats.overall) for y in shown_years]))
    year_charts = (
        trend_charts(
            "years",
            [y.year for y in shown_years],
            year_series,
            scale,
            title="Median of each domain, year by year",
            font=font,
        )
        if shown_years
        else None
    )
    context = {
        "cohort": cohort,
        "year_charts": year_charts,
        "period": cohort_period(cohort),
        "summary": cohort_summary(cohort, {level.value: level.name for level in rubric.levels}),
        "rubric": rubric,
        "titles": titles,
        "group_titles": group_titles,
        "level_names": {str(level.value): level.name for level in rubric.levels},
        "heatmaps": heatmaps,
        "group_charts": group_charts,
        "trend_charts": trends,
    }
    return render_document(COHORT_TEMPLATE, context, brand=brand, templates_dir=templates_dir, generated=generated)


def _median(stats: Stats | None) -> float | None:
    return None if stats is None else stats.median


def generation_time(report_date: date | str | None = None) -> datetime | None:
    """A fixed time for the report's metadata: ``report_date`` (``--report-date``: a date, or its ISO text), else
    ``SOURCE_DATE_EPOCH``, else none. Raises :class:`OptionError` for text that is not a date."""
    if isinstance(report_date, datetime):
        return report_date.astimezone(UTC) if report_date.tzinfo else report_date.replace(tzinfo=UTC)
    if isinstance(report_date, date):
        return datetime(report_date.year, report_date.month, report_date.day, tzinfo=UTC)
    if report_date:
        try:
            return datetime.fromisoformat(report_date).replace(tzinfo=UTC)
        except ValueError:
            raise OptionError(f"'{report_date}' is not a date (YYYY-MM-DD)", "--report-date") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return None


def render_pdf(html: str, *, generated: datetime | None = None) -> bytes:
    """Lay out the HTML as a tagged (PDF/UA-1) A4 PDF, fetching only bundled assets (and ``data:`` URLs), in the
    bundled typeface (``reports/fonts``), so that the pages are the same on every machine.

    With ``generated``, embedded font subsets carry that time instead of now, so the PDF is byte-identical
    from one run to the next.
    """
    document, options = pdf_document(html)
    with _PDF_LOCK, _source_date(generated):
        pdf: bytes = document.write_pdf(**options)
    return pdf


def pdf_document(html: str) -> tuple[Any, dict[str, Any]]:
    """WeasyPrint's document for the HTML and the options to lay it out with: the bundled fonts' style sheet (with
    the font configuration it needs), the PDF/UA-1 variant and the finisher that completes its tags. The fetcher
    reads only the bundled ``reports/`` folder (its ``fonts/`` included) and ``data:`` URLs."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from qimaturity.report.pdf_fetching import RestrictedFetcher

    reports = bundled_dir("reports").resolve()
    fetcher = RestrictedFetcher(allowed_dirs=(reports,))
    fonts = FontConfiguration()
    font_faces = CSS(filename=str(reports / "fonts" / "fonts.css"), url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=reports.as_uri() + "/", url_fetcher=fetcher)
    options = {"stylesheets": [font_faces], "font_config": fonts, "pdf_variant": "pdf/ua-1", "finisher": _complete_tags}
    return document, options


_SVG = "{http://www.w3.org/2000/svg}svg"
# A header cell's scope attribute as PDF/UA reads it (ISO 14289-1, 7.5): a <th> without one is a column header, as
# WeasyPrint takes it when it links data cells to their headers.
_PDF_SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def _complete_tags(document: Any, pdf: Any) -> None:
    """Finish WeasyPrint's structure tree where PDF/UA asks for more than it writes: every table header cell
    (``/TH``) gets its ``/Scope`` (``/Row`` or ``/Column``, from the ``<th>``'s ``scope``), and every chart's
    ``/Alt`` its data as well as its title (an inline SVG's ``<title>`` followed by its ``<desc>``).

    Runs as WeasyPrint's finisher: on the PDF's objects before they are written, so a fixed date still gives the
    same bytes. Header cells are found through the layout boxes WeasyPrint tagged (``box.mark``: the cell's
    structure element)."""
    descriptions: dict[str, list[str]] = {}
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is None:
                continue
            tag = getattr(box, "element_tag", None)
            mark = getattr(box, "mark", None)
            if tag == "th" and isinstance(mark, dict) and isinstance(mark.get("A"), dict):
                scope = str(element.attrib.get("scope", "col")).strip().lower()
                mark["A"]["Scope"] = _PDF_SCOPES.get(scope, "/Column")
            elif element.tag == _SVG:
                title = element.find("{http://www.w3.org/2000/svg}title")
                desc = element.find("{http://www.w3.org/2000/svg}desc")
                if title is not None and title.text and desc is not None and desc.text:
                    descriptions.setdefault(title.text, []).append(" ".join(desc.text.split()))
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("S") != "/Figure":
            continue
        alt: Any = obj.get("Alt")
        title = getattr(alt, "string", None)
        waiting = descriptions.get(title) if isinstance(title, str) else None
        if waiting:
            # Figures are tagged in the order their boxes are laid out, which is the order they were found in.
            obj["Alt"] = type(alt)(f"{title}. {waiting.pop(0)}")


def _boxes(box: Any) -> Iterator[Any]:
    """Every layout box under ``box``, depth first, in document order."""
    box = getattr(box, "_box", box)  # an absolutely placed box stands in for its own
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


# _source_date sets SOURCE_DATE_EPOCH, which the whole process shares, for the time of a render: threads of one
# process (a batch's Dask worker runs several) must take turns.
_PDF_LOCK = threading.Lock()


@contextmanager
def _source_date(generated: datetime | None) -> Iterator[None]:
    # The font subsetter stamps each subset with SOURCE_DATE_EPOCH when it is set, else with the current time.
    if generated is None:
        yield
        return
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(generated.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
