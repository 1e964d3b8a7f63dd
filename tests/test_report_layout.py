"""Layout that does not depend on the machine: the bundled typeface, short titles in charts, page breaks.

The PDF tests share one rendering of Riverside (the bundled rubric and example) per module; the test that takes
the machine's fonts away renders again in a process of its own, with fontconfig pointed at a configuration that
lists no font folder, and must give the same pages.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

import qimaturity
from qimaturity import load_assessment, load_rubric, score
from qimaturity.report.charts import FONT_FAMILY
from qimaturity.report.views import trimmed_title

from .conftest import COUNT_FONTS, DATA, ROOT, pdf_font_names, without_fonts

RUBRIC = load_rubric("qi-readiness")
RIVERSIDE = ROOT / "examples" / "answers" / "riverside-community.yaml"
REPORT_DATE = "2026-10-01"
SVG = "{http://www.w3.org/2000/svg}"
FONTS = ROOT / "reports" / "fonts"


def riverside_html() -> str:
    result = score(RUBRIC, load_assessment(RIVERSIDE, RUBRIC))
    return qimaturity.report(RUBRIC, result, format="html", report_date=REPORT_DATE).decode()


@pytest.fixture(scope="module")
def riverside_pdf() -> bytes:
    result = score(RUBRIC, load_assessment(RIVERSIDE, RUBRIC))
    pdf: bytes = qimaturity.report(RUBRIC, result, report_date=REPORT_DATE)
    return pdf


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


# --- the bundled typeface ----------------------------------------------------------------------------------------


def test_the_bundled_fonts_come_with_their_licence():
    faces = sorted(path.name for path in FONTS.glob("*.ttf"))
    liberation = [f"LiberationSans-{style}.ttf" for style in ("Bold", "BoldItalic", "Italic", "Regular")]
    assert faces == [*liberation, "QimaturityBoxes.ttf"]
    licence = (FONTS / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Reserved Font Name Liberation" in licence
    dejavu = (FONTS / "DejaVu-LICENSE.txt").read_text()  # the tick boxes' source
    assert "Bitstream Vera Fonts Copyright" in dejavu and "Arev Fonts Copyright" in dejavu
    css = (FONTS / "fonts.css").read_text()
    assert all(face in css for face in faces)


def test_the_box_font_holds_the_tick_boxes_under_a_name_of_its_own():
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / "QimaturityBoxes.ttf")
    assert set(font.getBestCmap()) == {0x2610, 0x2611, 0x2612}  # ☐ ☑ ☒
    names = font["name"]
    # The Bitstream Vera licence: a modified font is renamed away from Bitstream, Vera (and Arev, Tavmjong Bah) and
    # keeps the copyright and permission notices.
    own = [names.getDebugName(name_id) or "" for name_id in (1, 3, 4, 6)]
    assert own[0] == "Qimaturity Boxes" and own[3] == "QimaturityBoxes"
    assert not any(word in name for name in own for word in ("Bitstream", "Vera", "Arev", "Tavmjong"))
    assert "Bitstream" in (names.getDebugName(0) or "") and "Permission is hereby granted" in (
        names.getDebugName(13) or ""
    )
    css = (FONTS / "fonts.css").read_text()
    assert re.search(r'"Qimaturity Boxes";[^}]*src: url\(QimaturityBoxes\.ttf\); unicode-range: U\+2610-2612;', css)


@pytest.mark.slow
def test_the_box_font_is_made_again_the_same_from_dejavu_sans(tmp_path):
    """scripts/make_box_font.py, from the DejaVu Sans it was made from, gives the bundled file byte for byte."""
    import importlib.util

    from fontTools.ttLib import TTFont

    spec = importlib.util.spec_from_file_location("make_box_font", ROOT / "scripts" / "make_box_font.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    source = script.find_source()
    if source is None or TTFont(source)["name"].getDebugName(5) != "Version 2.37":
        pytest.skip("DejaVu Sans 2.37 is not installed (Debian: fonts-dejavu-core)")
    made = script.make_box_font(source, tmp_path / "boxes.ttf")
    assert made == (FONTS / "QimaturityBoxes.ttf").read_bytes()


def test_every_glyph_the_reports_print_is_in_the_bundled_font():
    """Characters of the templates (the questionnaire's too), the style sheet and the chart code beyond ASCII: a
    glyph missing from the bundled fonts (Liberation Sans, and the tick boxes' font) would come from whatever
    fallback font the machine has, and move the layout."""
    from fontTools.ttLib import TTFont

    used = set()
    sources = [*(ROOT / "reports").glob("*.html.j2")]
    sources += [ROOT / "reports" / "style.css", *(ROOT / "qimaturity" / "report" / "charts").glob("*.py")]
    for path in sources:
        text = path.read_text()
        text = re.sub(r"(?s)\{#.*?#\}", "", text)  # template comments are not printed
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", '"""')))
        used |= {char for char in text if ord(char) > 127}
    boxes = TTFont(FONTS / "QimaturityBoxes.ttf").getBestCmap()  # the questionnaire's tick boxes
    for style in ("Regular", "Bold"):
        cmap = TTFont(FONTS / f"LiberationSans-{style}.ttf").getBestCmap()
        missing = sorted(char for char in used if ord(char) not in cmap and ord(char) not in boxes)
        assert not missing, f"not in LiberationSans-{style}: {missing}"


@pytest.mark.slow
def test_the_pdf_uses_the_bundled_font_alone(riverside_pdf):
    # Text and charts alike: one family, regular and bold (the report has no italic text).
    assert pdf_font_names(riverside_pdf) == {"Liberation-Sans-Bundled", "Liberation-Sans-Bundled-Bold"}


@pytest.mark.slow
@pytest.mark.subprocess
def test_the_same_pages_without_any_font_of_the_machine(riverside_pdf, tmp_path):
    """A machine with no fonts at all (fontconfig told of no font folder) lays the report out exactly as this one."""
    out = tmp_path / "riverside.pdf"
    code = (
        "import sys, qimaturity\n"
        "from qimaturity import load_assessment, load_rubric, score\n"
        "rubric = load_rubric('qi-readiness')\n"
        f"result = score(rubric, load_assessment({str(RIVERSIDE)!r}, rubric))\n"
        f"open({str(out)!r}, 'wb').write(qimaturity.report(rubric, result, report_date={REPORT_DATE!r}))\n"
        + COUNT_FONTS  # proof that the machine's fonts were really out of reach in that process
    )
    env = without_fonts(tmp_path)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "system fonts: 0" in run.stdout
    bare = out.read_bytes()
    assert len(page_texts(bare)) == len(page_texts(riverside_pdf))
    assert page_texts(bare) == page_texts(riverside_pdf)
    assert pdf_font_names(bare) == pdf_font_names(riverside_pdf)


# --- charts in the typeface of the text ---------------------------------------------------------------------------

MINI = DATA / "rubrics" / "valid-minimal.yaml"
MINI_ANSWERS = DATA / "answers" / "mini-two-groups.yaml"
BRAND = ROOT / "examples" / "brand" / "brand.yaml"  # body and headings in DejaVu Sans


def mini_report(fmt: str, brand: Path | None = None, answers: Path | qimaturity.Cohort = MINI_ANSWERS) -> bytes:
    report: bytes = qimaturity.report(MINI, answers, format=fmt, brand=brand, report_date=REPORT_DATE)
    return report


def chart_fonts(html: str) -> list[str]:
    return re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" [^>]*?font-family="([^"]*)"', html)


def test_charts_are_set_in_the_font_of_the_text_in_html():
    default = chart_fonts(mini_report("html").decode())
    # The mini report's charts: domain levels (bars), and per domain how groups rated and how answers spread.
    assert len(default) >= 3 and set(default) == {FONT_FAMILY}
    branded = chart_fonts(mini_report("html", BRAND).decode())
    assert len(branded) == len(default) and set(branded) == {f"'DejaVu Sans', {FONT_FAMILY}"}


def test_a_cohort_comparisons_charts_are_set_in_the_font_of_the_text():
    cohort = qimaturity.compare(MINI, DATA / "cohort", min_cohort=1)
    default = chart_fonts(mini_report("html", answers=cohort).decode())
    branded = chart_fonts(mini_report("html", BRAND, answers=cohort).decode())
    # A heatmap, box plots of everyone and a trend (org-a was assessed twice).
    assert len(default) >= 3 and set(default) == {FONT_FAMILY}
    assert len(branded) == len(default) and set(branded) == {f"'DejaVu Sans', {FONT_FAMILY}"}


@pytest.mark.slow
def test_a_brands_pdf_sets_its_charts_in_the_brands_body_font():
    # The brand's text is in DejaVu Sans: so are the charts, and the bundled Liberation Sans is not used at all.
    assert pdf_font_names(mini_report("pdf", BRAND)) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}
    assert pdf_font_names(mini_report("pdf")) == {"Liberation-Sans-Bundled", "Liberation-Sans-Bundled-Bold"}


# --- page breaks -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_domain_starts_on_the_page_where_the_previous_one_ends(riverside_pdf):
    """Domains follow one another on the page instead of each starting a new one, which left the last page of most
    domains holding a single chart: a domain whose page, before its heading, holds the end of the domain before it
    (the caption of that domain's last chart) shares its page. Riverside's nine domains all started a page of their
    own before; now at least half of domains 2 to 9 share one."""
    pages = page_texts(riverside_pdf)
    starts = {}
    for text in pages:
        for match in re.finditer(r"(?i)domain (\d) of 9", text):
            starts[int(match.group(1))] = text[: match.start()]
    assert sorted(starts) == list(range(1, 10))
    shared = [n for n in range(2, 10) if "question by question" in starts[n]]
    assert len(shared) >= 4, shared


def page_fill(pdf: bytes, folder: Path) -> list[float]:
    """How far down each page's text area the print reaches, from 0 to 1: the page drawn in grey at 20 dots an inch
    by poppler's pdftoppm, the lowest row with a pixel darker than light grey between the top and bottom margins
    (17 mm of 297 each: the running header and footer are left out)."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm is missing: CI must measure the pages (make system-packages installs poppler-utils)")
        pytest.skip("pdftoppm is not installed (Debian: apt-get install poppler-utils)")
    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "20", "-gray", "report.pdf", "page"], cwd=folder, check=True, timeout=120)
    fills = []
    for path in sorted(folder.glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        with Image.open(path) as image:
            width, height = image.size
            top, bottom = round(height * 17 / 297) + 1, round(height * 280 / 297) - 1
            pixels = image.load()
            inked = [y for y in range(top, bottom) if any(pixels[x, y] < 200 for x in range(width))]
        fills.append((max(inked) - top + 1) / (bottom - top) if inked else 0.0)
    return fills


# Half a page. Chapters follow on the page where the one before ends, except the cover's and the contents' pages
# (pages 1 and 2), which the design ends early, and the last page, which ends where the report does. What still
# leaves the foot of a page empty is a block that does not break (a chart, a table row, a plan card's head) taller
# than the room left: Riverside's shortest page is 60 % full (a domain's question table, its chart on the next
# page), the example cohort's 77 % (a peer group's statistics, its chart on the next page). Before, the cohort's
# ranking ended on a page a quarter full (25 %: the heatmap went to the next) and Riverside had pages 14 %, 27 %
# and 49 % full (the summary's last box, the last domain's last chart, the plan's last card, each alone before a
# chapter that started a new page).
LEAST_FILL = 0.5


@pytest.mark.slow
@pytest.mark.subprocess
def test_no_page_of_a_gap_report_is_left_nearly_empty(riverside_pdf, tmp_path):
    fills = page_fill(riverside_pdf, tmp_path)
    short = {page: round(fill, 2) for page, fill in enumerate(fills[2:-1], start=3) if fill < LEAST_FILL}
    assert len(fills) > 30 and not short, short


@pytest.mark.slow
@pytest.mark.subprocess
def test_no_page_of_the_cohort_report_is_left_nearly_empty(tmp_path):
    cohort = qimaturity.compare(RUBRIC, ROOT / "examples" / "cohort", group_by="type")
    pdf = qimaturity.report(RUBRIC, cohort, report_date=REPORT_DATE)
    fills = page_fill(pdf, tmp_path)
    short = {page: round(fill, 2) for page, fill in enumerate(fills[2:-1], start=3) if fill < LEAST_FILL}
    assert len(fills) > 10 and not short, short
    # The heatmap starts its page (after the whole cohort's statistics and their chart), its heading with it.
    texts = page_texts(pdf)
    heatmap = next(n for n, text in enumerate(texts) if "Organisations by domain, ranks 1 to 24" in text)
    assert "Each organisation's domain values" in texts[heatmap] and "All organisations: spread" in texts[heatmap - 1]


# --- short titles ------------------------------------------------------------------------------------------------


def test_a_long_title_is_trimmed_at_a_word():
    # 32 characters at most: "Staff feel safe to speak up, raise concerns" is cut after "up," (28 characters:
    # the next word would end at 37), the comma dropped, an ellipsis added.
    assert (
        trimmed_title("Staff feel safe to speak up, raise concerns and try new ideas.")
        == "Staff feel safe to speak up…"
    )
    assert trimmed_title("  Short   title ") == "Short title"
    assert trimmed_title("A" * 40) == "A" * 32 + "…"


def test_the_bundled_rubric_names_every_question_shortly():
    titles = [q.short_title for q in RUBRIC.questions()]
    assert all(titles) and max(len(t or "") for t in titles) <= 33
    assert len(set(titles)) == len(titles)


@pytest.mark.slow
def test_charts_label_questions_by_short_title_never_by_id():
    html = riverside_html()
    charts = re.findall(r"(?s)<svg [^>]*class=\"qim-chart.*?</svg>", html)
    assert charts
    shown = " ".join("".join(ET.fromstring(chart).itertext()) for chart in charts)  # every text, title and description
    for question in RUBRIC.questions():
        assert question.id not in shown, question.id
    spread = next(chart for chart in charts if "qim-distribution" in chart and "Leadership" in chart)
    labels = [
        "".join(t.itertext()) for t in ET.fromstring(spread).iter(f"{SVG}text") if t.get("class") == "qim-row-label"
    ]
    assert labels[:2] == ["Named executive lead", "Leaders visit where care happens"]


@pytest.mark.slow
def test_every_chart_is_in_a_figure_a_keyboard_reaches_named_after_it():
    """On a phone a chart scrolls sideways in its figure (tests/test_report_browser.py): the figure takes focus and is
    named after the chart's title."""
    html = riverside_html()
    figures = re.findall(r'<figure class="chart[^"]*" tabindex="0" aria-label="Chart: ([^"]*)"><svg ', html)
    assert (
        len(figures) == html.count("<figure") == html.count('<svg xmlns="http://www.w3.org/2000/svg" class="qim-chart')
    )
    assert figures[0] == "Domain levels against targets"
    assert "Leadership: respondents&#39; answers by level" in figures


def test_a_question_without_a_short_title_is_labelled_by_its_trimmed_text(tmp_path: Path):
    source = (ROOT / "rubrics" / "qi-readiness.yaml").read_text()
    without = tmp_path / "qi-readiness.yaml"
    without.write_text(source.replace("        short_title: Named executive lead\n", "", 1))
    rubric = load_rubric(without)
    question = rubric.question("lead-executive-lead")
    assert question.short_title is None
    result = score(rubric, load_assessment(RIVERSIDE, rubric))
    html = qimaturity.report(rubric, result, format="html", report_date=REPORT_DATE).decode()
    # "Accountability for improvement sits with..." cut at a word within 32 characters.
    assert ">Accountability for improvement…</text>" in html
