"""Cohorts: statistics, peer groups, suppression, outliers, ranking, trends and versions, worked out by hand.

Fixtures: tests/data/cohort/ holds five organisations answering tests/data/rubrics/valid-minimal.yaml (levels 1-3;
domain lead = weighted mean of lead-1 and lead-2, weight 2; domain meth = meth-1, weight 1; one respondent each),
and Alpha's earlier assessment. Domain values, one line per organisation (lead-1, lead-2 -> lead; meth-1 -> meth;
overall = (2 x lead + meth) / 3):
  a Alpha    acute      1, 1 -> 1.0   1 -> 1   overall 1.0
  b Beta     acute      2, 2 -> 2.0   1 -> 1   overall 5/3 = 1.6667
  c Gamma    acute      3, 2 -> 2.5   2 -> 2   overall 7/3 = 2.3333
  d Delta    community  3, 3 -> 3.0   3 -> 3   overall 3.0
  e Epsilon  community  1, 3 -> 2.0   3 -> 3   overall 7/3 = 2.3333
Alpha in 2025: 2, 1 -> 1.5; meth 2; overall (3 + 2) / 3 = 1.6667. Quartiles use the inclusive method: for n values
sorted, the quartile p sits at position (n - 1) * p, interpolating between neighbours.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from qimaturity import InputError, load_assessment, load_rubric, score
from qimaturity.cohort.model import build_cohort, peer_positions, shared_ranks
from qimaturity.cohort.tables import cohort_xlsx, write_cohort_csv

from .conftest import DATA, run_main

RUBRIC = load_rubric(DATA / "rubrics" / "valid-minimal.yaml")
FOLDER = DATA / "cohort"


def results(names=("org-a", "org-b", "org-c", "org-d", "org-e", "org-a-2025")):
    return [score(RUBRIC, load_assessment(FOLDER / f"{name}.yaml", RUBRIC)) for name in names]


def test_domain_statistics_use_each_organisations_latest_assessment():
    cohort = build_cohort(results())
    lead = cohort.everyone.domain("lead")
    # lead values 1, 2, 2.5, 3, 2 -> sorted 1, 2, 2, 2.5, 3: q1 at position 1 = 2, median at 2 = 2, q3 at 3 = 2.5
    assert (lead.n, lead.minimum, lead.q1, lead.median, lead.q3, lead.maximum) == (5, 1, 2, 2, 2.5, 3)
    assert lead.levels == ((1, 1), (2, 3), (3, 1))  # levels a 1, b 2, c 2, d 3, e 2
    meth = cohort.everyone.domain("meth")
    # meth values 1, 1, 2, 3, 3: q1 = 1, median = 2, q3 = 3
    assert (meth.q1, meth.median, meth.q3) == (1, 2, 3)
    overall = cohort.everyone.overall
    # 1, 5/3, 7/3, 7/3, 3: q1 = 5/3, median = 7/3, q3 = 7/3
    assert (overall.q1, overall.median, overall.q3) == pytest.approx((5 / 3, 7 / 3, 7 / 3))


def test_ranking_shares_a_rank_between_ties_and_flags_outliers():
    cohort = build_cohort(results())
    # Delta 3.0 first; Epsilon and Gamma tie at 7/3: both rank 2, listed by name; Beta 5/3 is then 4th (three
    # organisations stand above it: Delta, Epsilon and Gamma, so 3 + 1 = 4) and Alpha 1.0 5th
    assert [(m.rank, m.name) for m in cohort.members] == [
        (1, "Delta"),
        (2, "Epsilon"),
        (2, "Gamma"),
        (4, "Beta"),
        (5, "Alpha"),
    ]
    # lead: IQR = 2.5 - 2 = 0.5, fences 2 - 0.75 = 1.25 and 2.5 + 0.75 = 3.25, so Alpha's 1.0 is a low outlier;
    # meth: IQR 2, fences -2 and 6, no outlier
    assert {m.name: m.outliers for m in cohort.members if m.outliers} == {"Alpha": (("lead", "low"),)}


def test_shared_ranks_skip_the_places_a_tie_takes():
    # 3.1 first; the two 2.9s share 2nd, so 2.5 is 4th; the two without a score share the place after it, 5th
    assert shared_ranks([3.1, 2.9, 2.9, 2.5, None, None]) == [1, 2, 2, 4, 5, 5]
    # values equal but for floating-point noise tie too: 7/3 reached two ways
    assert shared_ranks([(2 * 2.5 + 2) / 3, (1 + 2 * 3) / 3]) == [1, 1]
    assert shared_ranks([]) == []


def test_peer_groups_smaller_than_the_minimum_are_suppressed():
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    acute, community = cohort.groups
    assert (acute.name, acute.n, acute.suppressed) == ("acute", 3, False)
    assert (community.name, community.n, community.suppressed) == ("community", 2, True)
    assert community.domain("lead") is None and community.overall is None
    # acute lead values 1, 2, 2.5: q1 at position 0.5 = 1.5, median 2, q3 at 1.5 = 2.25
    lead = acute.domain("lead")
    assert (lead.q1, lead.median, lead.q3) == (1.5, 2, 2.25)
    assert any("fewer than 3" in note for note in cohort.notes)


def test_the_whole_cohort_is_suppressed_when_too_small():
    cohort = build_cohort(results(("org-a", "org-b")), min_cohort=5)
    assert cohort.everyone.suppressed and cohort.everyone.overall is None


def test_you_versus_your_peers_positions():
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    gamma = results(("org-c",))[0]
    group, positions = peer_positions(cohort, gamma)
    assert group == "acute"
    lead = positions[0]
    # Gamma's lead 2.5 against acute q1 1.5, median 2, q3 2.25 (the group's, Gamma among them): above the upper
    # quartile; its peers are the other acute organisations, Alpha 1 and Beta 2, both below: 2 / 2 = 100 %
    assert (lead.position, lead.percentile) == ("above the upper quartile", 100)
    # Delta's group (community) is suppressed, so Delta is placed in the whole cohort instead
    delta = results(("org-d",))[0]
    assert peer_positions(cohort, delta)[0] == "All organisations"


def test_a_peer_percentile_leaves_the_organisation_itself_out():
    cohort = build_cohort(results())
    beta = results(("org-b",))[0]
    _, (lead, meth) = peer_positions(cohort, beta)
    # Beta's lead 2.0 among the four others, Alpha 1, Gamma 2.5, Delta 3, Epsilon 2: one below, one equal (half):
    # (1 + 0.5) / 4 = 37.5 % (with Beta itself counted, as before: (1 + 2 / 2) / 5 = 40 %)
    assert lead.percentile == pytest.approx(37.5)
    # Beta's meth 1 among Alpha 1, Gamma 2, Delta 3, Epsilon 3: none below, one equal: 0.5 / 4 = 12.5 %
    assert meth.percentile == pytest.approx(12.5)
    # Alone in its group (min_cohort 1), an organisation has no peers to be placed among
    alone = build_cohort(results(("org-d",)), min_cohort=1)
    _, positions = peer_positions(alone, results(("org-d",))[0])
    assert [(p.percentile, p.position) for p in positions] == [(None, "not compared")] * 2


def test_trend_of_an_organisation_assessed_twice():
    cohort = build_cohort(results())
    (trend,) = cohort.trends
    assert trend.organisation_id == "org-a" and trend.dates == ("2025-06-30", "2026-06-30")
    lead, meth = trend.domains
    assert (lead.values, lead.change, lead.direction) == ((1.5, 1.0), -0.5, "declined")
    assert (meth.values, meth.change, meth.direction) == ((2.0, 1.0), -1.0, "declined")
    assert trend.overall.change == pytest.approx(1.0 - 5 / 3)


def test_different_rubric_versions_are_refused_unless_asked(tmp_path):
    newer_rubric = tmp_path / "mini-1.1.yaml"
    newer_rubric.write_text(
        (DATA / "rubrics" / "valid-minimal.yaml").read_text().replace('version: "1.0"', 'version: "1.1"')
    )
    newer = load_rubric(newer_rubric)
    answers = tmp_path / "org-a-2027.yaml"
    answers.write_text(
        (FOLDER / "org-a.yaml").read_text().replace('"1.0"', '"1.1"').replace("2026-06-30", "2027-06-30")
    )
    mixed = [*results(), score(newer, load_assessment(answers, newer))]
    with pytest.raises(InputError) as refused:
        build_cohort(mixed)
    assert "results come from different versions of mini: 1.0" in refused.value.problems[0].message
    cohort = build_cohort(mixed, allow_mixed_versions=True)
    assert cohort.mixed_versions and cohort.everyone.overall is None
    assert cohort.notes[0].startswith("Results span versions 1.0, 1.1 of mini: compared only on the 2 domains")


def test_csv_and_xlsx_exports(tmp_path):
    cohort = build_cohort(results(), group_by="type", min_cohort=3)
    buffer = io.StringIO()
    write_cohort_csv(cohort, [1, 2, 3], buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    first = rows[0]
    assert (first["group"], first["id"], first["median"], first["level_2"]) == ("All organisations", "lead", "2", "3")
    suppressed = [r for r in rows if r["group"] == "community"]
    assert suppressed and all(r["suppressed"] == "yes" and r["median"] == "" for r in suppressed)
    path = tmp_path / "cohort.xlsx"
    path.write_bytes(cohort_xlsx(cohort, [1, 2, 3]))
    book = load_workbook(path)
    assert book.sheetnames == ["Statistics", "Organisations", "Trends", "Domains", "Notes"]
    organisations = book["Organisations"]
    assert organisations["C2"].value == "Delta" and organisations["H2"].value == 3


def test_compare_command_writes_each_format(tmp_path):
    for suffix in ("csv", "xlsx", "html"):
        out = tmp_path / f"cohort.{suffix}"
        result = run_main(
            "compare",
            str(DATA / "rubrics" / "valid-minimal.yaml"),
            str(FOLDER),
            "-o",
            str(out),
            "--group-by",
            "type",
            "--min-cohort",
            "3",
        )
        assert result.returncode == 0, result.stderr
        assert out.exists() and out.stat().st_size > 0
    bad = run_main("compare", "qi-readiness", str(FOLDER), "--group-by", "colour")
    assert bad.returncode == 2 and "'colour' is not a field" in bad.stderr
