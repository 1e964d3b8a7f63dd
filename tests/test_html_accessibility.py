"""The HTML reports checked for accessibility by axe-core in headless Chromium: no serious or critical violation of
the WCAG 2.x A and AA rules or of axe's best practices, for every bundled example's gap report and the cohort report.

Needs Chromium (/usr/bin/chromium, the Debian package), the Python package playwright to drive it (it never
downloads a browser here) and axe-core (`npm ci` at the repository root, as `make test` runs it). Without one of them
the tests are skipped, except on a CI machine (CI=true), where they fail.
"""

from __future__ import annotations

import os

import pytest

import qimaturity
from qimaturity import load_assessment, load_rubric, score

from .browser import AXE, AXE_TAGS, CHROMIUM, CHROMIUM_ARGS, missing_for_axe
from .conftest import ROOT

RUBRIC = load_rubric("qi-readiness")
EXAMPLES = sorted((ROOT / "examples" / "answers").glob("*.yaml"))
REPORT_DATE = "2026-10-01"


@pytest.fixture(scope="module")
def page():
    missing = missing_for_axe()
    if missing:
        message = f"browser accessibility checks need {', '.join(missing)} (make test installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def serious_violations(page, html: str) -> list[str]:
    """Each serious or critical violation axe finds in the document: its rule, impact, help and first places."""
    page.set_content(html, wait_until="load")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.subprocess
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_gap_report_html_has_no_serious_accessibility_violation(page, path):
    result = score(RUBRIC, load_assessment(path, RUBRIC))
    html = qimaturity.report(RUBRIC, result, format="html", report_date=REPORT_DATE).decode()
    assert serious_violations(page, html) == []


@pytest.mark.subprocess
def test_cohort_report_html_has_no_serious_accessibility_violation(page):
    cohort = qimaturity.compare(RUBRIC, ROOT / "examples" / "cohort", group_by="type")
    html = qimaturity.report(RUBRIC, cohort, format="html", report_date=REPORT_DATE).decode()
    assert serious_violations(page, html) == []


@pytest.mark.subprocess
@pytest.mark.parametrize("kind", ["gap", "cohort"])
def test_on_a_phone_the_reports_have_no_serious_accessibility_violation(page, kind):
    """At 390 px every chart scrolls sideways in a box of its own, which a keyboard must reach (axe's
    scrollable-region-focusable)."""
    if kind == "gap":
        result = score(RUBRIC, load_assessment(ROOT / "examples" / "answers" / "riverside-community.yaml", RUBRIC))
        html = qimaturity.report(RUBRIC, result, format="html", report_date=REPORT_DATE).decode()
    else:
        cohort = qimaturity.compare(RUBRIC, ROOT / "examples" / "cohort", group_by="type")
        html = qimaturity.report(RUBRIC, cohort, format="html", report_date=REPORT_DATE).decode()
    page.set_viewport_size({"width": 390, "height": 900})
    try:
        assert serious_violations(page, html) == []
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.subprocess
def test_axe_finds_what_it_should(page):
    # The check itself: a page with text too faint to read, an image without a text alternative and no language
    html = (
        "<!DOCTYPE html><html><head><title>t</title></head><body><main><h1>Faint</h1>"
        '<p style="color:#bbbbbb;background:#ffffff">Barely visible text</p>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBAAA="></main></body></html>'
    )
    rules = {line.split(" ")[0] for line in serious_violations(page, html)}
    assert {"color-contrast", "image-alt", "html-has-lang"} <= rules
