"""Gap reports end to end: real HTML, real PDF through WeasyPrint, text read back with pypdf.

Each PDF is rendered once and shared by the tests that read it (`make test` hands each file to one xdist worker):
riverside's report through the real console script, and every example through the public API (`qimaturity.report`).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from functools import cache

import pytest
from pypdf import PdfReader

import qimaturity
from qimaturity import load_assessment, load_rubric, score

from .conftest import EXAMPLES_1_1, QI_READINESS_1_1, ROOT, run_cli, run_main

EXAMPLES = sorted((EXAMPLES_1_1).glob("*.yaml"))
RUBRIC = load_rubric(QI_READINESS_1_1)
RIVERSIDE = EXAMPLES_1_1 / "riverside-community.yaml"
REPORT_DATE = "2026-10-01"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@cache
def example_report(stem: str):
    """An example's result, gap report HTML and PDF through the public API, dated as --report-date dates them."""
    path = EXAMPLES_1_1 / f"{stem}.yaml"
    result = score(RUBRIC, load_assessment(path, RUBRIC))
    html = qimaturity.report(RUBRIC, result, format="html", report_date=REPORT_DATE)
    pdf = qimaturity.report(RUBRIC, result, report_date=REPORT_DATE)  # PDF unless asked otherwise
    assert pdf.startswith(b"%PDF-")
    return result, html.decode(), pdf


@pytest.fixture(scope="session")
def riverside_pdf(tmp_path_factory):
    """Riverside's report through the real console script, in a process of its own."""
    out = tmp_path_factory.mktemp("reports") / "riverside.pdf"
    result = run_cli("report", str(QI_READINESS_1_1), str(RIVERSIDE), "-o", str(out), "--report-date", REPORT_DATE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return out.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_renders_to_html_and_pdf(path):
    result, html, pdf = example_report(path.stem)
    assert html.startswith("<!DOCTYPE html>")
    text = pdf_text(pdf)
    assert result.organisation.name in text
    assert f"{result.overall.level} · {result.overall.level_name}" in text


@pytest.mark.slow
@pytest.mark.subprocess
def test_pdf_shows_organisation_levels_gaps_and_actions(riverside_pdf):
    text = pdf_text(riverside_pdf)
    result = score(RUBRIC, load_assessment(EXAMPLES_1_1 / "riverside-community.yaml", RUBRIC))
    assert "Riverside Community Health NHS Trust" in text
    assert "Executive summary" in text and "Improvement plan" in text
    for domain in result.domains:
        assert domain.title in text
    first = result.priorities[0]
    # The first cycle of the plan carries the rubric's next step for that question, word for word.
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 (PDF text breaks lines anywhere)
    assert squeeze(first.next_step) in squeeze(text)
    assert "Plan" in text and "Study" in text and "(day 30)" in text


@pytest.mark.slow
@pytest.mark.subprocess
def test_pdf_is_a4_tagged_with_metadata_and_page_numbers(riverside_pdf):
    reader = PdfReader(io.BytesIO(riverside_pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata.title == "Quality improvement gap report: Riverside Community Health NHS Trust"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for accessibility
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert f"Page 2 of {len(reader.pages)}" in (reader.pages[1].extract_text() or "")


@pytest.mark.slow
@pytest.mark.subprocess
def test_pdf_is_identical_when_the_date_is_fixed(riverside_pdf):
    # The console script's PDF (another process) and the same report through the public API here, byte for byte
    # (`qimaturity.report` is what `report` calls: one report builder for the command line and the API).
    assert example_report(RIVERSIDE.stem)[2] == riverside_pdf


@pytest.mark.subprocess
def test_html_is_identical_for_identical_inputs_and_self_contained(tmp_path):
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    # Two processes with different hash seeds: one run here, the other through the console script.
    assert run_main("report", str(QI_READINESS_1_1), str(answers), "-o", str(first)).returncode == 0
    assert (
        run_cli(
            "report", str(QI_READINESS_1_1), str(answers), "-o", str(second), env={"PYTHONHASHSEED": "7"}
        ).returncode
        == 0
    )
    html = first.read_text()
    assert html == second.read_text()
    assert "<svg" in html and "<style>" in html
    assert not re.search(r"<(link|script)\b", html)
    assert not re.search(r"(src|href)=\"(?!#|data:)", html)


@pytest.mark.subprocess
def test_validate_and_score_never_import_weasyprint():
    code = (
        "import sys\n"
        "from qimaturity.cli.main import main\n"
        "try:\n"
        "    main(['score', 'qi-readiness', 'tests/data/examples-1.1/northgate-acute.yaml', '--format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "try:\n"
        "    main(['validate', 'qi-readiness'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('weasyprint' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_output_must_be_pdf_or_html(tmp_path):
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    result = run_main("report", str(QI_READINESS_1_1), str(answers), "-o", str(tmp_path / "out.docx"))
    assert result.returncode == 2
    assert "the output must end in .pdf or .html" in result.stderr


@pytest.mark.slow
def test_brand_and_custom_template_override_named_blocks(tmp_path):
    out = tmp_path / "branded.pdf"
    answers = EXAMPLES_1_1 / "eastfield-mental-health.yaml"
    result = run_main(
        "report",
        str(QI_READINESS_1_1),
        str(answers),
        "-o",
        str(out),
        "--brand",
        str(ROOT / "examples" / "brand" / "brand.yaml"),
        "--templates",
        str(ROOT / "examples" / "templates"),
    )
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    text = pdf_text(out.read_bytes())
    assert "Our engagement" in text  # the consultant's block
    assert "Executive summary" in text  # super(): the bundled block still follows
    assert "engagement QI-2026-017" in (reader.pages[2].extract_text() or "")  # the overridden footer
    assert "Northbridge Improvement Partners" in text
    assert reader.metadata.author == "Northbridge Improvement Partners"
    assert any(page.images for page in reader.pages[:1])  # the logo, embedded on the cover


def test_broken_custom_template_is_reported_with_file_and_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    broken = templates / "gap-report.html.j2"
    broken.write_text('{% extends "bundled/gap-report.html.j2" %}\n{% block cover %}\n{% if %}\n{% endblock %}\n')
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    result = run_main(
        "report", str(QI_READINESS_1_1), str(answers), "-o", str(tmp_path / "r.pdf"), "--templates", str(templates)
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{broken}:3: /: Expected an expression, got 'end of statement block'")
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.slow
def test_unknown_name_in_custom_template_is_reported_with_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    template = templates / "gap-report.html.j2"
    template.write_text(
        '{% extends "bundled/gap-report.html.j2" %}\n{% block cover %}\n\n{{ report.nonsense }}\n{% endblock %}\n'
    )
    answers = EXAMPLES_1_1 / "northgate-acute.yaml"
    result = run_main(
        "report", str(QI_READINESS_1_1), str(answers), "-o", str(tmp_path / "r.html"), "--templates", str(templates)
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{template}:4: /: template error: ")
    assert "nonsense" in result.stderr
