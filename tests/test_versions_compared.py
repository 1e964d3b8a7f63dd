"""Trends and cohorts across a change of rubric version, as the later version's migration map says, worked out by
hand; compare and report --history end to end.

clinic 2.0.0's map from 1.0.0 (tests/data/migration/clinic-2.0.0.yaml) leaves one domain one to one: meth
(meth-one-method renamed meth-agreed-approach, meth-run-charts kept; same weights, groups and scoring). lead is
marked not comparable in the map, with a note; cult merges two questions; pat remaps a question's levels;
results is new. So only meth compares across the change, and not the overall value.

Values (median of respondents, then plain means; tests/test_migrate.py has the answers):
  North 2025 on 1.0.0: meth (median(3,2,3) = 3 + median(2,1,3) = 2) / 2 = 2.5
  North 2026 on 2.0.0: lead (3 + 3 + 2 + 2) / 4 = 2.5; meth (median(4,3,3) = 3 + 3) / 2 = 3.0; cult 3;
      pat (2 + median(3,3) = 3) / 2 = 2.5 (the board's N/A left out); results 2; overall 13 / 5 = 2.6
  South 2025 on 1.0.0 (one respondent): meth (2 + 1) / 2 = 1.5; lead 2; cult 2; pat 2; overall 7.5 / 4 = 1.875
2.0.0's minimal important difference is 0.5, so North's meth 2.5 -> 3.0 (+0.5) counts as improved.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from qimaturity import InputError, compare, load_assessment, load_rubric, score
from qimaturity.cohort.model import build_cohort
from qimaturity.cohort.tables import trend_rows
from qimaturity.report.charts import trend_chart
from qimaturity.rubric.migration import version_bridge

from .conftest import DATA, run_main

FOLDER = DATA / "migration"
ANSWERS = FOLDER / "answers"
V1_PATH, V2_PATH = FOLDER / "clinic-1.0.0.yaml", FOLDER / "clinic-2.0.0.yaml"
V1, V2 = load_rubric(V1_PATH), load_rubric(V2_PATH)
LEAD_NOTE = "Time and money were asked together before 2.0.0, and stability is no longer asked."
MAP_NOTE = "Version 2.0.0 split, merged and re-anchored questions; see each domain."


def result(name: str, rubric=None):
    rubric = rubric or (V2 if name.endswith("2026") else V1)
    return score(rubric, load_assessment(ANSWERS / f"{name}.yaml", rubric))


def document(path):
    return json.loads(json.dumps(yaml.safe_load(path.read_text())))


def test_which_domains_compare_across_the_change():
    bridge = version_bridge(V2, "1.0.0", V1)
    assert [(d.id, d.comparable, d.note) for d in bridge.domains] == [
        ("lead", False, LEAD_NOTE),
        ("meth", True, None),
        ("cult", False, "cult-ideas merges cult-ideas-a and cult-ideas-b"),
        ("pat", False, "pat-equity's levels are remapped (1->1, 2->1, 3->2, 4->3)"),
        ("results", False, "new in 2.0.0"),
    ]
    assert (bridge.overall_comparable, bridge.overall_note) == (False, MAP_NOTE)
    assert version_bridge(V2, "0.9", V1) is None


def test_without_the_earlier_rubric_only_what_the_map_says_counts():
    bridge = version_bridge(V2, "1.0.0")
    assert [(d.id, d.comparable) for d in bridge.domains] == [
        ("lead", False),
        ("meth", False),
        ("cult", False),
        ("pat", False),
        ("results", False),
    ]
    assert bridge.domain("meth").note == (
        "the rubric of version 1.0.0 was not given, so its questions cannot be checked"
    )


def renamed_only(**question_edits):
    """clinic 1.1.0: 1.0.0 with meth-one-method renamed meth-agreed-approach, and a map saying so."""
    data = document(V1_PATH)
    data["version"] = "1.1.0"
    data["domains"][1]["questions"][0]["id"] = "meth-agreed-approach"
    data["domains"][1]["questions"][0].update(question_edits)
    data["migrations"] = [{"from": "1.0.0", "questions": [{"old": "meth-one-method", "new": "meth-agreed-approach"}]}]
    return data


def test_a_rename_alone_keeps_every_domain_and_the_overall_comparable():
    bridge = version_bridge(load_rubric(renamed_only()), "1.0.0", V1)
    assert all(d.comparable for d in bridge.domains) and bridge.overall_comparable


@pytest.mark.parametrize(
    ("edits", "note"),
    [
        ({"weight": 2}, "meth-agreed-approach's weight changed"),
        ({"respondents": ["board"]}, "meth-agreed-approach is asked of other groups"),
        ({"not_applicable": {"allowed": True, "counts_as": "lowest"}}, "meth-agreed-approach's N/A answers count"),
    ],
)
def test_a_change_that_alters_values_makes_a_domain_not_comparable(edits, note):
    bridge = version_bridge(load_rubric(renamed_only(**edits)), "1.0.0", V1)
    meth = bridge.domain("meth")
    assert not meth.comparable and meth.note.startswith(note)
    assert not bridge.overall_comparable


def test_the_map_can_say_comparable_or_not_for_itself():
    data = renamed_only(weight=2)
    data["migrations"][0]["domains"] = {"meth": {"comparable": True, "note": "Reweighted; judged comparable."}}
    bridge = version_bridge(load_rubric(data), "1.0.0", V1)
    assert (bridge.domain("meth").comparable, bridge.domain("meth").note) == (True, "Reweighted; judged comparable.")
    data["migrations"][0].update(comparable=False, note="A new edition.")
    data["migrations"][0]["domains"] = {"meth": {"comparable": True}}
    bridge = version_bridge(load_rubric(data), "1.0.0", V1)
    assert [(d.id, d.comparable, d.note) for d in bridge.domains] == [
        ("lead", False, "A new edition."),
        ("meth", True, None),
        ("cult", False, "A new edition."),
        ("pat", False, "A new edition."),
    ]
    assert (bridge.overall_comparable, bridge.overall_note) == (False, "A new edition.")


def test_a_trend_across_the_change_shows_comparable_domains_and_marks_the_others():
    cohort = build_cohort(
        [result("north-2025"), result("north-2026")], min_cohort=1, rubrics=[V2, V1], minimal_important_difference=0.5
    )
    assert cohort.by_maps and cohort.mixed_versions
    (trend,) = cohort.trends
    assert (trend.dates, trend.versions, trend.version_changes) == (
        ("2025-06-30", "2026-06-30"),
        ("1.0.0", "2.0.0"),
        ((1, "1.0.0", "2.0.0"),),
    )
    rows = {d.domain_id: (d.values, d.comparable, d.change, d.direction, d.note) for d in trend.domains}
    assert rows == {
        "lead": ((None, 2.5), (False, True), None, "not comparable", LEAD_NOTE),
        "meth": ((2.5, 3.0), (True, True), 0.5, "improved", None),
        "cult": ((None, 3.0), (False, True), None, "not comparable", "cult-ideas merges cult-ideas-a and cult-ideas-b"),
        "pat": (
            (None, 2.5),
            (False, True),
            None,
            "not comparable",
            "pat-equity's levels are remapped (1->1, 2->1, 3->2, 4->3)",
        ),
        "results": ((None, 2.0), (False, True), None, "not comparable", "new in 2.0.0"),
    }
    overall = trend.overall
    assert (overall.values, overall.comparable, overall.direction, overall.note) == (
        (None, 2.6),
        (False, True),
        "not comparable",
        MAP_NOTE,
    )


def test_a_cohort_across_versions_compares_what_the_map_allows():
    cohort = build_cohort(
        [result("north-2025"), result("north-2026"), result("south-2025")], min_cohort=1, rubrics=[V2, V1]
    )
    meth = cohort.everyone.domain("meth")
    # North 3.0 and South 1.5: inclusive quartiles of two values, q1 at 0.25 of the way, q3 at 0.75
    assert (meth.n, meth.minimum, meth.q1, meth.median, meth.q3, meth.maximum) == (2, 1.5, 1.875, 2.25, 2.625, 3.0)
    assert meth.levels == ((1, 1), (3, 1))
    lead = cohort.everyone.domain("lead")
    assert (lead.n, lead.median) == (1, 2.5)  # South's 1.0.0 leadership does not compare
    assert (cohort.everyone.overall.n, cohort.everyone.overall.median) == (1, 2.6)
    assert cohort.ranked_by == "mean of the comparable domains"
    assert [(m.name, m.score, m.overall_level) for m in cohort.members] == [
        ("North Clinic", 3.0, 2),
        ("South Clinic", 1.5, None),
    ]
    south = cohort.members[1]
    assert dict((d, v) for d, v, _ in south.values) == {
        "lead": None,
        "meth": 1.5,
        "cult": None,
        "pat": None,
        "results": None,
    }
    assert cohort.notes[-1] == (
        "The ranking uses the mean of the domains every organisation's results compare on: Method."
    )
    assert cohort.notes[1].startswith("From 1.0.0 to 2.0.0: not comparable: Leadership (Time and money were")


def test_without_a_map_results_of_two_versions_are_refused_as_before():
    data = document(V2_PATH)
    del data["migrations"]
    plain_v2 = load_rubric(data)
    later = result("north-2026", plain_v2)
    with pytest.raises(InputError) as refused:
        build_cohort([result("north-2025"), later], rubrics=[plain_v2, V1])
    assert "give the later version a migration map from the earlier" in refused.value.problems[0].hint
    shared = build_cohort([result("north-2025"), later], rubrics=[plain_v2, V1], allow_mixed_versions=True)
    assert not shared.by_maps and shared.ranked_by == "mean of the shared domains"
    assert [d for d, _ in shared.domains] == ["lead", "meth", "cult", "pat"]


def test_the_trends_sheet_marks_values_that_do_not_compare():
    cohort = compare(V2, ANSWERS, other_rubrics=[V1], min_cohort=1)
    (lead, meth, *_rest, overall) = trend_rows(cohort)
    assert (lead["versions"], lead["values"], lead["direction"], lead["not_comparable"]) == (
        "1.0.0 2.0.0",
        "n/c 2.5",
        "not comparable",
        LEAD_NOTE,
    )
    assert (meth["values"], meth["change"], meth["direction"], meth["not_comparable"]) == (
        "2.5 3",
        "0.5",
        "improved",
        "",
    )
    assert overall["id"] == "overall" and overall["values"] == "n/c 2.6"


def test_a_trend_chart_marks_the_version_change():
    svg = trend_chart(
        "t",
        ["2025-06-30", "2026-06-30"],
        [("Method", [2.5, 3.0])],
        [(1, "Starting"), (2, "Developing"), (3, "Established"), (4, "Leading")],
        title="North",
        breaks=[(1, "version 2.0.0")],
    )
    assert 'class="qim-version-break"' in svg and 'stroke-dasharray="5 3"' in svg
    assert "version 2.0.0 from 30 June 2026 (after 30 June 2025)." in svg
    with pytest.raises(ValueError, match="a version break falls between two assessments"):
        trend_chart(
            "t", ["2025-06-30", "2026-06-30"], [("M", [1, 2])], [(1, "a"), (2, "b")], title="x", breaks=[(0, "v")]
        )


def test_compare_end_to_end_needs_no_flag_with_a_map(tmp_path):
    done = run_main("compare", str(V2_PATH), str(ANSWERS), "--with-rubric", str(V1_PATH), "--min-cohort", "1", "--all")
    assert done.returncode == 0, done.stderr
    assert "2025-06-30 (version 1.0.0) -> 2026-06-30 (version 2.0.0)" in done.stdout
    assert "note: From 1.0.0 to 2.0.0: not comparable: Leadership" in done.stderr
    out = tmp_path / "cohort.csv"
    done = run_main(
        "compare", str(V2_PATH), str(ANSWERS), "--with-rubric", str(V1_PATH), "--min-cohort", "1", "-o", str(out)
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    overall = [r for r in rows if r["scope"] == "overall"]
    assert [(r["period"], r["organisations"], r["median"]) for r in overall] == [
        ("latest", "2", "2.6"),
        # The national trend: 2025's two 1.0.0 overall values do not compare with 2.0.0 (the map says so), so no
        # median; 2026 is North's 2.0.0 alone, and North's move from 2025 cannot be compared
        ("2025", "2", ""),
        ("2026", "1", "2.6"),
    ]
    assert (overall[2]["in_both"], overall[2]["not_comparable"], overall[2]["stayed"]) == ("1", "1", "0")


def test_report_history_across_the_change_end_to_end(tmp_path):
    out = tmp_path / "north.html"
    done = run_main(
        "report",
        str(V2_PATH),
        str(ANSWERS / "north-2026.yaml"),
        "-o",
        str(out),
        "--history",
        str(ANSWERS / "north-2025.yaml"),
        "--with-rubric",
        str(V1_PATH),
    )
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert (
        "The rubric changed from version 1.0.0 to 2.0.0 between 30 June 2025 and 30 June 2026: earlier values are "
        "shown where version 2.0.0&#39;s migration map says they compare" in html
    )
    assert "<h3>Not comparable across the change of version</h3>" in html
    assert f"<li>Leadership: {LEAD_NOTE}</li>" in html
    assert "<li>Method: from 2.50 to 3.00, level 2 to level 3</li>" in html
    assert "30 June 2025<br>version 1.0.0" in html
    assert html.count(">not comparable</td>") == 4  # lead, cult, pat and results in 2025
    assert 'class="qim-version-break"' in html


def test_more_domains_than_one_trend_chart_holds_are_shared_between_charts():
    """A chart tells eight series apart (a colour each): qi-readiness 2.0.0 has nine domains, drawn as 5 and 4."""
    from qimaturity.report.render import trend_charts

    scale = [(1, "Starting"), (2, "Developing"), (3, "Established"), (4, "Leading")]
    series = [(f"Domain {n}", [1.0 + n / 10, 2.0]) for n in range(9)]
    svg = str(trend_charts("t", ["2025-06-30", "2026-06-30"], series, scale, title="North", breaks=[(1, "v2")]))
    assert svg.count("<svg") == 2 and 'id="t-1' in svg and 'id="t-2' in svg
    assert "North (1 of 2)" in svg and "North (2 of 2)" in svg
    assert svg.count('data-series="4" d=') == 1 and svg.count('data-series="3" d=') == 2  # 5 lines, then 4
    one = str(trend_charts("t", ["2025-06-30", "2026-06-30"], series[:8], scale, title="North"))
    assert one.count("<svg") == 1 and "(1 of" not in one
