"""The HTML reports in a real browser (headless Chromium through Playwright): on a phone and a desktop screen nothing
spills out of the page sideways, and printing from the browser gives the cover on page 1.

Chromium is the system's (/usr/bin/chromium, Debian's package; `make system-packages` installs it); Playwright never
downloads a browser here. Without Chromium the tests are skipped on a developer's machine, but fail in CI
(CI=true), so that they cannot silently stop running there.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import qimaturity
from qimaturity import load_assessment, load_rubric, score
from qimaturity.report.build import cohort_document
from qimaturity.report.questionnaire import render_questionnaire_html

from .browser import CHROMIUM, CHROMIUM_ARGS
from .conftest import ROOT

RUBRIC = load_rubric("qi-readiness")
RIVERSIDE = ROOT / "examples" / "answers" / "riverside-community.yaml"
REPORT_DATE = "2026-10-01"

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]


def chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (make system-packages installs it)")
    pytest.skip(f"{CHROMIUM} is not installed (Debian: apt-get install chromium)")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The gap report of Riverside and the example cohort's comparison, as HTML files."""
    folder = tmp_path_factory.mktemp("html")
    result = score(RUBRIC, load_assessment(RIVERSIDE, RUBRIC))
    gap = folder / "gap.html"
    gap.write_bytes(qimaturity.report(RUBRIC, result, format="html", report_date=REPORT_DATE))
    cohort = qimaturity.compare(RUBRIC, ROOT / "examples" / "cohort", group_by="type")
    comparison = folder / "cohort.html"
    comparison.write_text(str(cohort_document(cohort, RUBRIC, "html", report_date=REPORT_DATE)))
    return {"gap": gap, "cohort": comparison}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


OVERFLOW = """() => {
  const page = document.documentElement.clientWidth;
  const scrolls = e => {  // inside a box of its own that scrolls sideways (a wide table)
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > page + 1 && !scrolls(e))
    .map(e => e.tagName.toLowerCase() + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ')[0] : ''));
  return {scroll: document.documentElement.scrollWidth, page: page, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("kind", ["gap", "cohort"])
def test_nothing_spills_out_of_the_page_sideways(browser, reports, kind, width, tmp_path):
    """At a phone's 390 px and a desktop's 1280 px the page body never scrolls sideways: tables stack or scroll
    in their own box, charts scale to the column."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(reports[kind].as_uri())
    measured = page.evaluate(OVERFLOW)
    # A full-page screenshot, kept with the test's files to look at (it resizes the page while it is taken, so
    # the page is measured before).
    page.screenshot(path=str(tmp_path / f"{kind}-{width}.png"), full_page=True)
    page.close()
    assert measured["scroll"] <= measured["page"], measured
    assert not measured["wide"], measured


def test_on_a_phone_the_domains_table_shows_every_column(browser, reports):
    """The domains table stacks: each domain's gap is on screen, not cut at the right edge."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(reports["gap"].as_uri())
    cells = page.evaluate(
        """() => [...document.querySelectorAll('.domains-table td')].map(td => {
             const box = td.getBoundingClientRect();
             return {right: box.right, text: td.textContent};
           })"""
    )
    page.close()
    assert any("below target" in cell["text"] for cell in cells)
    assert all(cell["right"] <= 390 for cell in cells), [c for c in cells if c["right"] > 390][:3]


CHARTS = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const texts = [...figure.querySelectorAll('svg.qim-chart text')].filter(t => t.getClientRects().length);
  // A text's size on screen: its font size times the scale the SVG is drawn at (rotated text too).
  const sizes = texts.map(t => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  });
  return {
    label: figure.getAttribute('aria-label'), tabindex: figure.getAttribute('tabindex'),
    scrolls: getComputedStyle(figure).overflowX, inner: figure.scrollWidth, outer: figure.clientWidth,
    smallest: Math.min(...sizes), texts: texts.length,
    svgs: [...figure.querySelectorAll('svg.qim-chart')].map(s => ({width: s.getBoundingClientRect().width,
      drawn: s.viewBox.baseVal.width})),
  };
})"""


@pytest.mark.parametrize("kind", ["gap", "cohort"])
def test_on_a_phone_chart_text_is_readable(browser, reports, kind):
    """At 390 px a chart scaled to the screen had text of about 5 px (9.5 units of a 680-unit chart drawn 383 px
    wide: 5.35 px); now each chart is drawn 740 px wide, its smallest text 9.5 x 740 / 680 = 10.34 px (10.04 px at
    most if a chart 700 units wide had 9.5-unit text), in a box of its own that scrolls sideways and that a keyboard
    can reach, named after the chart, while the page itself never scrolls sideways."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(reports[kind].as_uri())
    figures = page.evaluate(CHARTS)
    charts = page.evaluate("() => document.querySelectorAll('svg.qim-chart').length")  # each in a figure
    measured = page.evaluate(OVERFLOW)
    page.close()
    # the cohort's 18 charts and the national trend's two (the domains' medians year by year, drawn as two charts,
    # "1 of 2" and "2 of 2", as every long trend is)
    assert sum(len(figure["svgs"]) for figure in figures) == charts == (19 if kind == "gap" else 20)
    for figure in figures:
        assert figure["texts"] and figure["smallest"] >= 10, figure
        assert figure["scrolls"] == "auto" and figure["inner"] > figure["outer"], figure
        assert figure["tabindex"] == "0" and figure["label"].startswith("Chart: "), figure
    titles = [figure["label"] for figure in figures]
    assert (
        "Chart: Domain levels against targets" if kind == "gap" else "Chart: Organisations by domain, ranks 1 to 24"
    ) in titles
    assert measured["scroll"] <= measured["page"] and not measured["wide"], measured


@pytest.mark.parametrize("kind", ["gap", "cohort"])
def test_on_a_desktop_charts_keep_their_size(browser, reports, kind):
    """At 1280 px a chart is drawn at most at its own width (the radar narrower, in its 36rem figure): nothing
    scrolls."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(reports[kind].as_uri())
    figures = page.evaluate(CHARTS)
    page.close()
    for figure in figures:
        assert figure["inner"] <= figure["outer"], figure
        assert all(svg["width"] <= svg["drawn"] for svg in figure["svgs"]), figure
    widths = [svg["width"] for figure in figures for svg in figure["svgs"]]
    assert widths.count(680) >= len(widths) - 2, widths  # all but the radar (gap) or the heatmap (cohort)


@pytest.mark.parametrize("kind", ["gap", "cohort"])
def test_printing_from_the_browser_puts_the_cover_on_page_one(browser, reports, kind):
    """Chromium's print (as a reader's "Print to PDF"): page 1 is the cover, with no running header before it."""
    page = browser.new_page()
    page.goto(reports[kind].as_uri())
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    pages = PdfReader(io.BytesIO(pdf)).pages
    first = "".join((pages[0].extract_text() or "").split()).upper()  # letter-spaced capitals come out spaced
    cover = "QUALITYIMPROVEMENTGAPREPORT" if kind == "gap" else "QUALITYIMPROVEMENTCOHORTCOMPARISON"
    assert cover in first, first[:300]
    assert ("RIVERSIDECOMMUNITYHEALTH" if kind == "gap" else "ORGANISATIONSCOMPARED") in first
    assert len(pages) > 3


def test_the_questionnaires_tick_boxes_are_drawn_in_the_font_it_carries(browser, tmp_path):
    """The HTML form embeds its box font: Chromium draws every kind of box (a level, N/A, a role group) in it, not
    in a font of the machine (DejaVu Sans here, before)."""
    form = tmp_path / "form.html"
    form.write_text(render_questionnaire_html(RUBRIC), encoding="utf-8")
    page = browser.new_page()
    page.goto(form.as_uri())
    page.evaluate("document.fonts.ready.then(() => true)")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    used = {}
    for selector in (".choice .box", ".choice-na .box", ".group-options .box"):
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used[selector] = [(font["familyName"], font["isCustomFont"]) for font in fonts]
    page.screenshot(path=str(tmp_path / "form.png"))
    page.close()
    assert all(fonts == [("Qimaturity Boxes", True)] for fonts in used.values()), used
