"""Tagged PDFs checked against the PDF/UA-1 rules of tests/pdf_ua.py: language, metadata, headings, tables (every
header cell with its /Scope) and figures (every chart's /Alt with its data, not only its title).

veraPDF, the reference validator, cannot be installed here (it is distributed through Maven and GitHub only), so the
structure check stands in for it. Each PDF is rendered once for the file.
"""

from __future__ import annotations

import re

import pytest

import qimaturity
from qimaturity import load_assessment, load_rubric, score

from . import pdf_ua
from .conftest import ROOT

RUBRIC = load_rubric("qi-readiness")
RIVERSIDE = ROOT / "examples" / "answers" / "riverside-community.yaml"
REPORT_DATE = "2026-10-01"


@pytest.fixture(scope="module")
def gap():
    result = score(RUBRIC, load_assessment(RIVERSIDE, RUBRIC))
    html = qimaturity.report(RUBRIC, result, format="html", report_date=REPORT_DATE).decode()
    return result, html, qimaturity.report(RUBRIC, result, report_date=REPORT_DATE)


@pytest.fixture(scope="module")
def cohort():
    compared = qimaturity.compare(RUBRIC, ROOT / "examples" / "cohort", group_by="type")
    html = qimaturity.report(RUBRIC, compared, format="html", report_date=REPORT_DATE).decode()
    return compared, html, qimaturity.report(RUBRIC, compared, report_date=REPORT_DATE)


@pytest.mark.slow
def test_the_checker_finds_what_pdf_ua_forbids(tmp_path):
    # A document with every fault the check looks for, through WeasyPrint alone (without our finisher): no
    # language, a heading skipping from 1 to 3, header cells without /Scope, an image without alternative text.
    from weasyprint import HTML

    html = (
        "<html><head><title>t</title></head><body><h1>One</h1><h3>Three</h3>"
        '<table><tr><th scope="col">A</th></tr><tr><td>1</td></tr></table>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBAAA="></body></html>'
    )
    found = pdf_ua.problems(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    assert "the document has no /Lang" in found
    assert any(p.endswith("heading level 3 follows level 1") for p in found)
    assert any(p.endswith("a header cell without /Scope") for p in found)
    assert any(p.endswith("a figure without /Alt") for p in found)


@pytest.mark.slow
def test_gap_report_keeps_the_pdf_ua_rules(gap):
    _, html, pdf = gap
    assert pdf_ua.problems(pdf) == []
    scopes = pdf_ua.header_scopes(pdf)
    # Every row header of the HTML (scope="row") is a /Row header in the PDF; all the others are column headers.
    assert scopes.count("/Row") == html.count('<th scope="row"') > 0
    assert set(scopes) == {"/Row", "/Column"}


@pytest.mark.slow
def test_gap_report_charts_carry_their_data_in_their_alternative_text(gap):
    result, _, pdf = gap
    alts = pdf_ua.figure_alts(pdf)
    radar = next(alt for alt in alts if alt.startswith("Domain levels against targets. "))
    # The radar's data: every domain with its value (two decimals, trailing zeros dropped) and its target
    for domain in result.domains:
        value = f"{domain.value:.2f}".rstrip("0").rstrip(".")
        assert f"{domain.title}: level {value}, target {domain.target}" in radar
    charts = [alt for alt in alts if "Scale 1 (Not started) to 5 (Exemplary)." in alt]
    assert len(charts) >= 1 + len(result.domains)  # the radar and at least one chart a domain


@pytest.mark.slow
def test_cohort_report_keeps_the_pdf_ua_rules_and_its_heatmap_names_everyone(cohort):
    compared, _, pdf = cohort
    assert pdf_ua.problems(pdf) == []
    alts = pdf_ua.figure_alts(pdf)
    heatmap = next(alt for alt in alts if alt.startswith("Organisations by domain, ranks 1 to 24. "))
    for member in compared.members:
        assert f"{member.rank}. {member.name}:" in heatmap


@pytest.mark.slow
def test_cohort_pdf_has_contents_summary_and_period(cohort):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(cohort[2]))
    pages = [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]
    assert pages[1].startswith("Contents Summary ....") and "Method ...." in pages[1]
    # Every example assessment is dated 2026-09-30 and the earlier ones 2025-09-30
    assert "Period covered 30 September 2026" in pages[0]
    assert "24 organisations, assessed on 30 September 2026" in pages[1]
    assert "Oakridge Mental Health NHS Trust" in " ".join(pages)
