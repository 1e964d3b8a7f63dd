"""The cohort report's summary, contents, period, ranks and method, worked out by hand on the small cohort.

tests/data/cohort (see tests/test_cohort.py for the working of each value): five organisations answering
valid-minimal (levels 1 Low, 2 Mid, 3 High), every latest assessment dated 2026-06-30, Alpha's earlier one
2025-06-30. Overall values (2 x lead + meth) / 3:
  Alpha (acute) 1.0 (level 1), Beta (acute) 5/3 = 1.67 (level 1), Gamma (acute) 7/3 = 2.33 (level 2),
  Delta (community) 3.0 (level 3), Epsilon (community) 7/3 = 2.33 (level 2).
By type with at least 3 organisations a group: acute is shown, community (2) is suppressed.
"""

from __future__ import annotations

import re

from qimaturity.cohort.model import build_cohort
from qimaturity.report.cohort_view import cohort_summary, long_date, period_text
from qimaturity.report.render import render_cohort_html

from .test_cohort import RUBRIC, results

LEVEL_NAMES = {1: "Low", 2: "Mid", 3: "High"}


def findings(cohort) -> dict[str, str]:
    return {f.name: f.text for f in cohort_summary(cohort, LEVEL_NAMES).findings}


def test_dates_are_written_as_people_write_them_and_a_period_spans_them():
    assert long_date("2026-09-30") == "30 September 2026"
    assert long_date("2026-04-01") == "1 April 2026"  # no leading zero
    assert period_text(["2026-09-30", "2026-04-01", None, "2026-06-15"]) == "1 April 2026 to 30 September 2026"
    assert period_text(["2026-06-30", "2026-06-30"]) == "30 June 2026"
    assert period_text([None]) is None


def test_summary_of_the_small_cohort_worked_by_hand():
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    summary = cohort_summary(cohort, LEVEL_NAMES)
    assert (summary.period, summary.earlier_period) == ("30 June 2026", "30 June 2025")
    assert (summary.organisations, summary.assessments) == (5, 6)
    said = findings(cohort)
    # Overall values sorted 1, 5/3, 7/3, 7/3, 3: inclusive quartiles at positions 1, 2, 3: 5/3, 7/3, 7/3;
    # IQR 7/3 - 5/3 = 2/3 = 0.67. Levels: Delta 3; Epsilon and Gamma 2; Alpha and Beta 1.
    assert said["Spread"] == (
        "The overall values of the 5 organisations run from 1.00 to 3.00: the median is 2.33 and the middle half lies "
        "between 1.67 and 2.33 (an interquartile range of 0.67). Overall levels: 1 at level 3 (High); 2 at level 2 "
        "(Mid); 2 at level 1 (Low)."
    )
    # lead 1, 2, 2, 2.5, 3: median 2, IQR 2.5 - 2 = 0.5; meth 1, 1, 2, 3, 3: median 2, IQR 3 - 1 = 2
    assert said["Domains"] == (
        "Every domain has the same median, 2.00. Organisations differ most on Method (interquartile range 2.00)."
    )
    # lead's fences 2 - 0.75 = 1.25 and 2.5 + 0.75 = 3.25: Alpha's 1.0 is low
    assert said["Outliers"].startswith("1 organisation has a domain value more than 1.5 interquartile ranges")
    assert said["Outliers"].endswith(": Alpha (Leadership low).")
    # acute 1, 5/3, 7/3: median 5/3 = 1.67
    assert said["Peer groups"] == (
        "By type, one group is large enough to show: acute organisations (3), median overall value 1.67. 1 group "
        "with fewer than 3 organisations is not shown: community organisations (2)."
    )
    # Alpha 5/3 -> 1.0: -2/3, declined
    assert said["Movers"] == (
        "1 organisation was assessed before: 0 improved overall, 1 declined and 0 show no clear change. Largest "
        "clear fall: Alpha, -0.67 (1.67 to 1.00)."
    )
    assert "Held levels" not in said  # no rule holds a level in this cohort


def test_summary_never_shows_a_suppressed_groups_values():
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    summary = cohort_summary(cohort, LEVEL_NAMES)
    acute, community = summary.groups
    assert (acute.name, acute.n, acute.median) == ("Acute organisations", 3, 5 / 3)
    assert (community.name, community.n, community.suppressed) == ("Community organisations", 2, True)
    assert (community.minimum, community.q1, community.median, community.q3, community.maximum) == (None,) * 5
    # community's own figures: values 3 and 7/3, so median 8/3 = 2.67; neither it nor anything else of the group
    # reaches the page
    html = render_cohort_html(cohort, RUBRIC)
    summary_html = html[html.index('id="summary"') : html.index('id="statistics"')]
    assert "2.67" not in summary_html
    assert re.search(
        r"Community organisations</th><td class=\"num\">2</td>\s*<td colspan=\"5\">suppressed", summary_html
    )


def test_a_cohort_too_small_to_show_says_so_and_shows_no_figure():
    cohort = build_cohort(results(("org-a", "org-b")), min_cohort=5)
    said = findings(cohort)
    assert said["Spread"].startswith("The cohort has 2 organisations, fewer than the 5 needed to show statistics")
    assert set(said) == {"Spread", "Movers"}
    assert said["Movers"] == "No organisation has an earlier assessment in this cohort, so no change is shown."


def test_cohort_html_has_contents_period_shared_ranks_and_method():
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    html = render_cohort_html(cohort, RUBRIC)
    contents = html[html.index('id="contents"') : html.index("</nav>")]
    links = re.findall(r'href="#([a-z-]+)"', contents)
    # Alpha's 2025 assessment makes a second year: "Year by year" (2025 of one organisation, suppressed)
    assert links == ["summary", "statistics", "heatmap", "ranking", "groups", "years", "trends", "method"]
    for target in links:
        assert f'id="{target}"' in html
    assert "<dt>Period covered</dt><dd>30 June 2026</dd>" in html
    # Epsilon and Gamma tie at 7/3: both "=2", and Beta, after them, is 4th
    ranking = html[html.index('id="ranking"') : html.index('id="groups"')]
    ranks = re.findall(r'<tr><td class="num">(=?\d+)</td><th scope="row">([^<]+)</th>', ranking)
    assert ranks == [("1", "Delta"), ("=2", "Epsilon"), ("=2", "Gamma"), ("4", "Beta"), ("5", "Alpha")]
    method = html[html.index('id="method"') :]
    assert "Held levels." in method and "Ties." in method and "(1, =2, =2, 4)" in method
    assert "dated 30 June 2026; changes start from earlier assessments dated 30 June 2025" in method


def test_heatmap_shows_every_name_whole():
    cohort = build_cohort(results(), min_cohort=1)
    html = render_cohort_html(cohort, RUBRIC)
    heatmap = html[html.index('id="heatmap"') : html.index('id="ranking"')]
    labels = [
        " ".join(re.sub(r"<[^>]+>", " ", match).split())
        for match in re.findall(r'<text[^>]*class="qim-row-label"[^>]*>(.*?)</text>', heatmap)
    ]
    assert labels == [f"{m.rank}. {m.name}" for m in cohort.members]
    assert "…" not in heatmap


def test_cohort_html_speaks_plainly_groups_by_name_levels_by_name_dates_in_words():
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    html = render_cohort_html(cohort, RUBRIC)
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    # everyone, then the groups by name with their size in words (never "organisation(s)" or the bare key)
    assert "All organisations: 5 organisations" in captions
    assert "Acute organisations: 3 organisations" in captions
    assert "Community organisations: 2 organisations, suppressed" in captions
    # All organisations by overall level (see the docstring): Alpha and Beta level 1, Epsilon and Gamma 2, Delta 3
    statistics = html[html.index('id="statistics"') : html.index('id="ranking"')]
    assert "<td>2 Low, 2 Mid, 1 High</td>" in statistics
    # Alpha's change: overall (3 + 2) / 3 = 1.67 in 2025, 1.00 in 2026, so -0.67; one column per date, in words
    trends = html[html.index('id="trends"') : html.index('id="method"')]
    assert "<h3>Alpha: 30 June 2025 to 30 June 2026</h3>" in trends
    assert '<th scope="col" class="num">30 June 2025</th><th scope="col" class="num">30 June 2026</th>' in trends
    assert re.search(
        r'Overall</th><td class="num">1.67</td><td class="num">1.00</td><td class="num">-0.67</td>', trends
    )
    text = re.sub(r"<[^>]+>", " ", html[html.index("<main>") :])
    for machine in ("(s)", "→", "->", "level 1:", "2025-06-30"):
        assert machine not in text, machine


def test_the_summary_says_the_year_on_year_trend_within_suppression():
    # 2025 holds Alpha alone: fewer than 5, so neither its median nor how it moved is shown; 2026's five organisations
    # have the median overall 7/3 = 2.33 (values 1, 5/3, 7/3, 7/3, 3)
    said = findings(build_cohort(results()))["Year on year"]
    assert said == (
        "The median overall value was not shown for 2025 (1 organisation, fewer than 5) and 2.33 in 2026 (5 "
        "organisations). 1 organisation was assessed in both 2025 and 2026, fewer than 5: how they moved is not shown."
    )
