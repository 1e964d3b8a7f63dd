"""The executive summary a board acts on, and the report's wording as brand and rubric data.

Most checks read the view (qimaturity.report.views.Report) or the HTML; two PDFs, rendered once for the module,
check that what a reader sees in the PDF says the same.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import io
import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from qimaturity import load_assessment, load_rubric, report, score
from qimaturity.report.build import gap_report
from qimaturity.report.render import render_html
from qimaturity.report.summary import how_much, nhs_date, nhs_dates_in, peer_position
from qimaturity.report.views import build_report
from qimaturity.rubric.model import (
    AllOf,
    Count,
    CriticalBelow,
    ItemLevel,
    Not,
    Rule,
)
from qimaturity.rubric.wording import rule_sentence

from .conftest import DATA, ROOT, RUBRICS, run_main

EXAMPLES = ROOT / "examples" / "answers"
NORTHGATE = EXAMPLES / "northgate-acute.yaml"
RIVERSIDE = EXAMPLES / "riverside-community.yaml"
COHORT = ROOT / "examples" / "cohort"
QI = load_rubric("qi-readiness")
MINI = RUBRICS / "valid-minimal.yaml"
MINI_ANSWERS = DATA / "answers" / "mini-two-groups.yaml"
RULE_IDS = [rule.id for rule in QI.rules]


def view(answers: Path, rubric=QI, **options):
    return build_report(score(rubric, load_assessment(answers, rubric)), rubric, **options)


def visible(page: str) -> str:
    """The text a reader sees in an HTML report: no head, no charts (their own labels), no tags."""
    body = page[max(page.find("<body>"), 0) :]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def outside_method(page: str) -> str:
    """The visible text of the report less its method appendix (which states the rules with their ids)."""
    start, end = page.index('id="method"'), page.index('id="answers"')
    return visible(page[:start] + page[end:])


def summary_of(page: str) -> str:
    return visible(page.split('id="summary"')[1].split('id="overview"')[0])


# --- strengths and gaps ----------------------------------------------------------------------------------------------


def test_northgate_names_its_weakest_domain_among_its_gaps_and_no_weak_domain_as_a_strength():
    # Northgate's domains are all at 2 (Emerging) against a target of 4, but patient involvement, at 1 (1.81): it is
    # the weakest, three levels below target. No domain is at its target, so nothing is a strength.
    northgate = view(NORTHGATE)
    assert [d.title for d in northgate.domains if d.level == 1] == ["Patient involvement"]
    assert "Patient involvement" in [item.domain for item in northgate.gap_items]
    assert northgate.strengths == ()
    assert northgate.strengths_note == "No domain has reached its target yet."
    below = [d.title for d in northgate.domains if d.gap and d.gap > 0]
    assert not any(item.startswith(title) for item in northgate.strengths for title in below)


def test_the_weakest_domain_takes_the_last_place_when_the_priorities_miss_it():
    # Riverside's priorities 1 to 3 are leadership, capability and culture (culture, at 2, is the weakest): with a
    # view of two gaps only, culture's own highest priority (rank 3) replaces the second.
    words = view(RIVERSIDE)
    assert [i.domain for i in words.gap_items] == [
        "Leadership",
        "Improvement capability and capacity",
        "Culture and staff engagement",
    ]
    from qimaturity.report.summary import Words

    result = score(QI, load_assessment(RIVERSIDE, QI))
    two = Words(result, QI).gap_items(plan_size=5, most=2)
    assert [(i.domain, i.cycle) for i in two] == [("Leadership", 1), ("Culture and staff engagement", 3)]


@pytest.mark.slow
def test_strengths_are_domains_at_or_above_target_whatever_the_highest_values():
    # Eastfield: every domain at 4, its target: all nine are strengths, none "below".
    eastfield = view(EXAMPLES / "eastfield-mental-health.yaml")
    assert len(eastfield.strengths) == 9
    assert all(s.endswith("at its target.") for s in eastfield.strengths)
    assert eastfield.strengths_note is None
    # Riverside with a target of 3 for leadership (its value 3.72, level 3): leadership alone is at target.
    result = score(QI, load_assessment(RIVERSIDE, QI), targets={"leadership": 3})
    riverside = build_report(result, QI)
    assert riverside.strengths == ("Leadership: Developing, at its target.",)


# --- rules in plain words --------------------------------------------------------------------------------------------


def test_riverside_held_rule_is_said_in_words_with_what_stands_in_the_way():
    riverside = view(RIVERSIDE)
    # The gate at 4 fails: culture is at 2 (Emerging), below 3. Its level from its value (3.40) is 3 already, so
    # the rule holds it there rather than lowering it: no "on its answers alone" lead.
    assert riverside.overall_held_by == (
        "The overall result cannot be Embedded while any domain is still below Developing. Now Culture and staff "
        "engagement is at Emerging.",
    )


@pytest.mark.slow
def test_a_rule_that_lowers_a_level_says_what_the_answers_alone_would_give():
    # Riverside's answers with culture's value moved past 4 would not do; instead a rubric whose gate sits at the
    # level the value reaches: qi-readiness with its overall gate moved from 4 to 3 lowers Riverside from 3 to 2.
    rules = tuple(dataclasses.replace(r, level=3) if r.id == "no-weak-domain-for-embedded" else r for r in QI.rules)
    document = yaml.safe_load((ROOT / "rubrics" / "qi-readiness.yaml").read_text())
    for rule in document["rules"]:
        if rule["id"] == "no-weak-domain-for-embedded":
            rule["level"] = 3
            del rule["sentence"]
    lowered = load_rubric(document)
    assert [r.level for r in lowered.rules] == [r.level for r in rules]
    riverside = view(RIVERSIDE, lowered)
    assert riverside.overall_held_by == (
        "On its answers alone the overall result would be Developing; a rule holds it at Emerging. The overall "
        "result cannot reach Developing while any domain is below Developing. Now Culture and staff engagement is "
        "at Emerging.",
    )


@pytest.mark.slow
def test_no_rule_id_or_arrow_outside_the_method_appendix():
    # Riverside as answered (the overall gate holds it), and with every answer to a critical leadership question at
    # 2, which brings the domain cap (a critical item below 3) into force on leadership.
    document = yaml.safe_load(RIVERSIDE.read_text())
    for respondent in document["respondents"]:
        if "lead-role-models" in respondent["answers"]:
            respondent["answers"]["lead-role-models"] = 2
    held_domain = score(QI, load_assessment(document, QI))
    assert held_domain.domain("leadership").held_by == ("critical-items-cap",)
    for answers, result in (
        (NORTHGATE, score(QI, load_assessment(NORTHGATE, QI))),
        (RIVERSIDE, score(QI, load_assessment(RIVERSIDE, QI))),
        (RIVERSIDE, held_domain),
    ):
        page = render_html(result, QI)
        text = outside_method(page)
        assert "->" not in text and "→" not in text
        for rule_id in RULE_IDS:
            assert rule_id not in text, (answers.name, rule_id)
        assert "level(s)" not in text and "question(s)" not in text
        assert "r_wg" not in text and "rwg" not in text
        method = visible(page[page.index('id="method"') : page.index('id="answers"')])
        assert all(rule_id in method for rule_id in RULE_IDS)  # the appendix still names them
    leadership = visible(page.split('id="domain-leadership"')[1].split("</dl>")[1])
    assert "A domain cannot be above Developing while any of its critical questions is still below Developing." in (
        leadership
    )


def _mini(**changes) -> Rule:
    base = Rule(id="r", type="cap", scope="overall")
    return dataclasses.replace(base, **changes)


MINI_RUBRIC = load_rubric(MINI)  # levels 1 Low, 2 Mid, 3 High; domains lead (Leadership), meth (Method)


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        (
            _mini(scope="domain", max_level=2, condition=CriticalBelow(2)),
            "A domain cannot be above Mid while any of its critical questions is below Mid.",
        ),
        (
            _mini(max_level=2, condition=CriticalBelow(3)),
            "The overall result cannot be above Mid while any of the critical questions is below High.",
        ),
        (
            _mini(type="gate", level=3, condition=Count("domains", "level_below", 2, "at_most", 0)),
            "The overall result cannot reach High while any domain is below Mid.",
        ),
        (
            _mini(type="gate", level=3, condition=Count("domains", "level_at", 2, "at_most", 1)),
            "The overall result cannot reach High while two or more domains are at Mid.",
        ),
        (
            _mini(max_level=1, condition=Count("questions", "level_below", 2, "at_least", 3)),
            "The overall result cannot be above Low while three or more questions are below Mid.",
        ),
        (
            _mini(type="gate", level=3, condition=Count("critical_questions", "level_at_least", 3, "at_least", 2)),
            "The overall result cannot reach High while fewer than two critical questions are at High or above.",
        ),
        (
            _mini(scope="domain", domains=("meth",), max_level=2, condition=ItemLevel("domain", "lead", "below", 2)),
            "Method cannot be above Mid while Leadership is below Mid.",
        ),
        (
            _mini(type="gate", level=3, condition=ItemLevel("domain", "meth", "at_least", 2)),
            "The overall result cannot reach High while Method is below Mid.",
        ),
        (
            _mini(
                type="gate",
                level=3,
                condition=AllOf((ItemLevel("domain", "meth", "at_least", 2), Not(CriticalBelow(2)))),
            ),
            "The overall result cannot reach High while Method is below Mid or any of the critical questions is "
            "below Mid.",
        ),
        (
            _mini(type="staged", met_at=2),
            "The overall result reaches a stage only when every question of that stage and of every earlier stage "
            "is at Mid or above.",
        ),
        (
            _mini(type="staged", met_at=3, stages_of="domains"),
            "The overall result reaches a stage only when every domain of that stage and of every earlier stage is "
            "at High or above.",
        ),
    ],
)
def test_a_rule_without_a_sentence_gets_one_written_from_it(rule, sentence):
    assert rule_sentence(rule, MINI_RUBRIC) == sentence


def test_an_expression_rule_reads_as_its_description_or_names_what_it_looks_at():
    custom = next(r for r in MINI_RUBRIC.rules if r.id == "custom")  # cap at 2 on meth's level and lead-2's value
    assert custom.description is None
    assert rule_sentence(custom, MINI_RUBRIC) == (
        "The overall result cannot be above Mid while the rubric's condition on Method and the question "
        "\u201cLeaders spend time at the front line\u201d is met."
    )
    described = dataclasses.replace(custom, description="No overall Good while method lags.")
    assert rule_sentence(described, MINI_RUBRIC) == "No overall Good while method lags."


def test_a_rubric_sentence_wins_and_every_bundled_qi_readiness_rule_has_one():
    assert all(rule.sentence for rule in QI.rules)
    gate = next(r for r in QI.rules if r.id == "no-weak-domain-for-embedded")
    assert rule_sentence(gate, QI) == gate.sentence
    assert rule_sentence(dataclasses.replace(gate, sentence=None), QI) == (
        "The overall result cannot reach Embedded while any domain is below Developing."
    )


@pytest.mark.slow
def test_a_rule_sentence_goes_through_the_workbook_and_back(tmp_path):
    from qimaturity.rubric.workbook import read_rubric_workbook, rubric_to_xlsx

    back = read_rubric_workbook(rubric_to_xlsx(ROOT / "rubrics" / "qi-readiness.yaml", tmp_path / "qi.xlsx"))
    assert {rule["id"]: rule.get("sentence") for rule in back["rules"]} == {r.id: r.sentence for r in QI.rules}


# --- the narrative ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_narrative_is_three_to_five_plain_sentences():
    for answers in (NORTHGATE, RIVERSIDE, EXAMPLES / "eastfield-mental-health.yaml"):
        words = view(answers).narrative
        assert 3 <= len(words) <= 5, words
        text = " ".join(words)
        for jargon in ("r_wg", "median", "interval", "level(s)", "->", " - ", *RULE_IDS):
            assert jargon not in text, (answers.name, jargon)


def test_the_riverside_narrative_says_where_it_stands_what_holds_it_and_what_to_do_first():
    words = view(RIVERSIDE).narrative
    assert words[0] == (
        "Riverside Community Health NHS Trust is at Developing overall, one level below its target of Embedded; "
        "the overall result cannot be Embedded while any domain is still below Developing, and Culture and staff "
        "engagement is at Emerging."
    )
    # The widest flagged domain gap: culture, board 5.0 against frontline 2.0 (the summary's list says so too).
    assert (
        "Views differ most on Culture and staff engagement, which the Board rate three levels higher than the "
        "Frontline staff do." in words
    )
    # What to do first is the first cycle's step and its owner (the rubric's owner for lead-role-models' step up
    # from level 3), not the cycle's plan line with its baseline and prediction.
    assert words[-1].startswith(
        "Start with Leadership, led by the head of the executive office: the executive office extends the rota"
    )
    assert "Baseline" not in words[-1] and "predict" not in words[-1]


def test_how_much_says_differences_to_the_nearest_half_level():
    # 0.2 is 0.4 halves (none), 0.5 one half, 1.0 two, 1.6 is 3.2 halves (three), 2 four, -3 six.
    assert [how_much(g) for g in (0.2, 0.5, 1.0, 1.6, 2.0, -3.0)] == [
        "less than half a level",
        "half a level",
        "one level",
        "one and a half levels",
        "two levels",
        "three levels",
    ]


# --- peers and since last time (scored cohort: seconds) --------------------------------------------------------------


@pytest.fixture(scope="module")
def ashford():
    gap = gap_report(
        QI,
        COHORT / "org-00001-2026.yaml",
        cohort=COHORT,
        group_by="type",
        history=[COHORT / "org-00001-2025.yaml"],
    )
    return gap, build_report(gap.result, gap.rubric, cohort=gap.cohort, history=gap.history, versions=gap.versions)


@pytest.mark.slow
def test_with_a_cohort_and_history_the_narrative_names_the_peers_and_the_change(ashford):
    _, ashford_view = ashford
    # Ashford (org-00001) is acute; the acute peer group has 6 organisations. Its values against their medians:
    # above in governance (3.94 > 3.84) and culture (3.35 > 3.34), below in the other seven. Every domain clearly
    # improved since 30 September 2025.
    assert ashford_view.peer_group == "acute organisations"
    assert ashford_view.narrative[1] == (
        "Against acute organisations, it is in the upper half in two of its nine domains and in the lower half in "
        "seven; since 30 September 2025, all nine domains clearly improved."
    )
    assert 3 <= len(ashford_view.narrative) <= 5


@pytest.mark.slow
def test_without_a_group_the_peers_are_all_organisations_compared(ashford):
    gap, _ = ashford
    everyone = build_report(gap.result, gap.rubric, cohort=dataclasses.replace(gap.cohort, group_by=None))
    assert everyone.peer_group == "all organisations compared"


# --- groups by their names -------------------------------------------------------------------------------------------


def _renamed_mini() -> dict:
    document = yaml.safe_load(MINI.read_text())
    names = {"board": "Executive team", "staff": "Clinical staff"}
    for group in document["respondent_groups"]:
        group["name"] = names[group["id"]]
    return document


@pytest.mark.slow
def test_the_group_comparison_heading_uses_the_rubric_group_names():
    rubric = load_rubric(_renamed_mini())
    page = render_html(score(rubric, load_assessment(MINI_ANSWERS, rubric)), rubric)
    # One flagged gap, leadership: executive team 3.0 (b1: 3, 3) against clinical staff 1.75 (s1, s2).
    assert "<h3>Where the Executive team and Clinical staff see things differently</h3>" in page
    assert "board and the front line" not in page


def test_several_pairs_get_a_neutral_heading():
    # Riverside's flagged domain gaps are board-frontline and managers-frontline.
    assert view(RIVERSIDE).perception_heading == "Where groups see things differently"


# --- brand wording ---------------------------------------------------------------------------------------------------


def _brand(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_brand_wording_reaches_the_report(tmp_path):
    brand = _brand(
        tmp_path,
        "title: Board readiness review\n"
        "cover_line: Board readiness review 2026\n"
        "subtitle: Prepared for the quality committee\n"
        "sections: {summary: At a glance, narrative: The story, plan: What we will do}\n"
        "group_comparison: Where leaders and staff differ\n",
    )
    page = report(QI, RIVERSIDE, format="html", brand=brand).decode()
    assert "<title>Board readiness review: Riverside Community Health NHS Trust</title>" in page
    assert '<p class="cover-kicker">Board readiness review 2026</p>' in page
    assert '<p class="cover-rubric">Prepared for the quality committee</p>' in page
    assert "<h2>At a glance</h2>" in page and '<a href="#summary">At a glance</a>' in page
    assert "<h3>The story</h3>" in page and "<h2>What we will do</h2>" in page
    assert "<h3>Where leaders and staff differ</h3>" in page
    assert "Quality improvement gap report" not in page


def test_a_brand_file_with_two_problems_reports_both_at_once(tmp_path):
    brand = _brand(tmp_path, 'colours: {primary: "red"}\nlogo: missing.png\nsections: {sumary: Overview}\n')
    out = tmp_path / "r.html"
    done = run_main("report", "qi-readiness", str(RIVERSIDE), "-o", str(out), "--brand", str(brand))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{brand}:1:" in done.stderr and "/colours/primary" in done.stderr
    assert f"{brand}:2:" in done.stderr and "logo file not found: missing.png" in done.stderr
    assert f"{brand}:3:" in done.stderr and "sumary" in done.stderr
    assert not out.exists()


def test_a_brand_font_the_machine_lacks_is_reported_at_its_line(tmp_path):
    from qimaturity.report.branding import _fontconfig

    if _fontconfig() is None:
        pytest.skip("no fontconfig on this machine: fonts are not checked")
    brand = _brand(tmp_path, "fonts:\n  body: DejaVu Sans\n  headings: Nonexistent Grotesk Display\n")
    done = run_main("report", "qi-readiness", str(RIVERSIDE), "-o", str(tmp_path / "r.html"), "--brand", str(brand))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{brand}:3:" in done.stderr and "/fonts/headings" in done.stderr
    assert "font 'Nonexistent Grotesk Display' is not installed on this machine" in done.stderr
    assert "/fonts/body" not in done.stderr  # DejaVu Sans is installed (the bundled example brand uses it)


# --- dates -----------------------------------------------------------------------------------------------------------


def test_dates_are_written_as_the_nhs_writes_them():
    assert nhs_date("2026-09-30") == "30 September 2026"
    assert nhs_date("2026-03-01") == "1 March 2026"
    assert nhs_date("not a date") == "not a date"
    assert nhs_dates_in("Board paper (2026-01-05)") == "Board paper (5 January 2026)"


def test_no_iso_date_is_left_in_what_a_reader_sees():
    # Riverside: assessed 2026-09-30, its answers citing dated evidence, its plan reviewed at 30, 60 and 90 days.
    page = report(QI, RIVERSIDE, format="html", report_date="2026-10-01").decode()
    text = visible(page)
    assert re.findall(r"\d{4}-\d{2}-\d{2}", text) == []
    assert "30 September 2026" in summary_of(page)
    assert "30 October 2026 (day 30)" in text  # 2026-09-30 + 30 days
    assert "1 October 2026" in text  # the report's own date, on the cover


# --- the PDF a person reads ------------------------------------------------------------------------------------------


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def northgate_pdf() -> list[str]:
    return _pages(report(QI, NORTHGATE, format="pdf", report_date="2026-10-01"))


@pytest.fixture(scope="module")
def ashford_pdf(ashford) -> list[str]:
    gap, _ = ashford
    return _pages(next(gap.render(("pdf",)))[1])


def _summary_pages(pages: list[str]) -> str:
    start = next(i for i, p in enumerate(pages) if "In brief" in p)
    end = next(i for i, p in enumerate(pages) if "Where we are against our targets" in p and i > start)
    return "\n".join(pages[start:end])


@pytest.mark.slow
def test_the_northgate_pdf_summary_names_its_weakest_domain_and_no_false_strength(northgate_pdf):
    summary = " ".join(_summary_pages(northgate_pdf).split())
    gaps = summary.split("The gaps that matter most")[-1]  # the heading, after the narrative's sentence
    assert "Patient involvement." in gaps and "Now Not started, target Embedded" in gaps
    strengths = summary.split("Strengths")[1].split("The gaps that matter most")[0]
    assert "No domain has reached its target yet." in strengths
    for title in ("Leadership", "Culture and staff engagement", "Governance and direction"):
        assert title not in strengths
    method = next(i for i, p in enumerate(northgate_pdf) if "Scoring rules in words" in p)
    before = " ".join(northgate_pdf[:method])
    assert "->" not in before and not any(rule_id in before for rule_id in RULE_IDS)


@pytest.mark.slow
def test_the_pdf_summary_mentions_peers_and_change_with_cohort_and_history(ashford_pdf):
    summary = " ".join(_summary_pages(ashford_pdf).split())
    assert "Against acute organisations, it is in the upper half in two of its nine domains" in summary
    assert "since 30 September 2025, all nine domains clearly improved" in summary


def test_the_peer_position_says_none_and_all_in_words():
    # Northgate against the acute organisations: below the median in all nine domains (the bundled brand example)
    assert peer_position(0, 9, 9) == "in the lower half in all nine of its domains"
    assert peer_position(9, 0, 9) == "in the upper half in all nine of its domains"
    # 0 above, 7 below, 2 on the median
    assert peer_position(0, 7, 9) == "in the lower half in seven of its nine domains and in the upper half in none"
    assert peer_position(3, 0, 9) == "in the upper half in three of its nine domains and in the lower half in none"
    assert peer_position(2, 7, 9) == "in the upper half in two of its nine domains and in the lower half in seven"
