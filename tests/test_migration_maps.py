"""Migration maps in a rubric: what validation refuses (each problem at its line), and what only the earlier version
can show (check_migration).

Fixtures: tests/data/migration/clinic-1.0.0.yaml and clinic-2.0.0.yaml (its map from 1.0.0 splits
lead-time-and-money, drops lead-stability, renames meth-one-method, merges cult-ideas-a and -b by min, remaps
pat-demographics's levels one step down). The bad maps below replace 2.0.0's map, one defect (or a few) each.
"""

from __future__ import annotations

import pytest

from qimaturity import load_rubric, validate_rubric
from qimaturity.rubric.checks import version_key
from qimaturity.rubric.migration import check_migration

from .conftest import DATA

FOLDER = DATA / "migration"
V1 = load_rubric(FOLDER / "clinic-1.0.0.yaml")
V2 = load_rubric(FOLDER / "clinic-2.0.0.yaml")
HEAD = (FOLDER / "clinic-2.0.0.yaml").read_text().split("migrations:")[0]


def problems_of(tmp_path, migrations: str) -> list[str]:
    """validate's lines for clinic 2.0.0 with ``migrations`` as its map (its first line is line MAP_LINE)."""
    path = tmp_path / "clinic-2.0.0.yaml"
    path.write_text(HEAD + "migrations:\n" + migrations)
    return [str(p).removeprefix(str(path) + ":") for p in validate_rubric(path)]


MAP_LINE = HEAD.count("\n") + 2  # the line of the first "- from:" below "migrations:"


def test_the_fixture_map_validates_and_loads_as_written():
    (migration,) = V2.migrations
    assert migration.versions == ("1.0.0",)
    kinds = [(move.kind, move.old, move.new) for move in migration.questions]
    assert kinds == [
        ("split", ("lead-time-and-money",), ("lead-time", "lead-budget")),
        ("dropped", ("lead-stability",), ()),
        ("renamed", ("meth-one-method",), ("meth-agreed-approach",)),
        ("merged", ("cult-ideas-a", "cult-ideas-b"), ("cult-ideas",)),
        ("renamed", ("pat-demographics",), ("pat-equity",)),
    ]
    remap = migration.questions[4]
    assert dict(remap.levels) == {1: 1, 2: 1, 3: 2, 4: 3} and not remap.one_to_one
    assert migration.questions[2].one_to_one
    assert V2.migration_from("1.0.0") is migration and V2.migration_from("1.1.0") is None
    assert migration.domain("lead").comparable is False


def test_versions_order_by_number():
    assert version_key("1.10") > version_key("1.9") and version_key("1.1") == version_key("1.1.0")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("migrations", "expected"),
    [
        pytest.param(
            '  - from: "2.0.0"\n',
            [
                f"{MAP_LINE}:11: /migrations/0/from: a map from version 2.0.0 in version 2.0.0: a map converts answers "
                "from an earlier version, and this would lead back to itself or to a later one (name a version "
                "before 2.0.0, or move the map to the rubric it converts answers to)"
            ],
            id="a map from its own version",
        ),
        pytest.param(
            '  - from: ["1.0.0", "2.1"]\n',
            [f"{MAP_LINE}:21: /migrations/0/from/1: a map from version 2.1 in version 2.0.0: a map converts"],
            id="a map from a later version",
        ),
        pytest.param(
            '  - from: "1.0.0"\n  - from: ["0.9", "1.0.0"]\n',
            [
                f"{MAP_LINE + 1}:19: /migrations/1/from/1: two maps convert answers from version 1.0.0 (the first "
                f"at line {MAP_LINE})"
            ],
            id="two maps from one version",
        ),
        pytest.param(
            "  - from: 1.0\n",
            [
                f"{MAP_LINE}:11: /migrations/0/from: expected a version or a list of versions, found a number "
                '(quote it: from: "1.0")'
            ],
            id="a version read as a number",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: lead-time-and-money, new: [lead-time, lead-budgett]}\n',
            [
                f"{MAP_LINE + 2}:53: /migrations/0/questions/0/new/1: unknown question 'lead-budgett' (did you mean "
                "'lead-budget'?)"
            ],
            id="a new id the rubric lacks",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a, new: lead-time}\n      - {old: a, new: lead-budget}\n',
            [
                f"{MAP_LINE + 3}:15: /migrations/0/questions/1/old: old question 'a' is mapped twice in this map (the "
                f"other entry at line {MAP_LINE + 2})"
            ],
            id="an old id twice",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a, new: lead-time}\n      - {old: b, new: lead-time}\n',
            [
                f"{MAP_LINE + 3}:23: /migrations/0/questions/1/new: question 'lead-time' is given answers by two "
                f"entries of this map (the other at line {MAP_LINE + 2}) (to combine two old questions into one, "
                "write one entry: old: [a, b], new: lead-time, combine: min (or max, median, mean-floor))"
            ],
            id="a new id given answers twice",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: lead-time, new: lead-budget}\n'
            "      - {old: lead-budget, new: lead-time}\n",
            [
                f"{MAP_LINE + 2}:15: /migrations/0/questions/0/old: 'lead-time' is an old question whose answers move "
                f"elsewhere, and the new question of another entry (the entry at line {MAP_LINE + 3}): a map converts "
                "in one step, so the id would stand for two questions (a chain or a cycle)",
                f"{MAP_LINE + 3}:15: /migrations/0/questions/1/old: 'lead-budget' is an old question whose answers",
            ],
            id="a cycle of ids",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a, new: lead-time}\n'
            "      - {old: lead-time, new: lead-budget}\n",
            [f"{MAP_LINE + 3}:15: /migrations/0/questions/1/old: 'lead-time' is an old question whose answers"],
            id="a chain of ids",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a, new: pat-equity, levels: {1: 1, 2: 5}}\n',
            [
                f"{MAP_LINE + 2}:53: /migrations/0/questions/0/levels/2: the map entry for 'a' maps old level 2 to 5, "
                "which is not a level of this version's scale (levels are 1, 2, 3, 4)"
            ],
            id="a level outside the scale",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a, new: pat-equity, levels: {one: 1}}\n',
            [
                f"{MAP_LINE + 2}:43: /migrations/0/questions/0/levels: levels maps old levels to new ones, but 'one' "
                "is not a level (e.g. levels: {1: 1, 2: 1, 3: 2})"
            ],
            id="a level that is not a number",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a, new: cult-ideas, combine: min}\n',
            [
                f"{MAP_LINE + 2}:35: /migrations/0/questions/0/combine: combine says how a merge combines answers, "
                "but the map entry for 'a' has one old question (remove combine, or list the old questions merged: "
                "old: [a, b])"
            ],
            id="combine on a rename",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: [a, b], new: cult-ideas}\n',
            [
                f"{MAP_LINE + 2}:9: /migrations/0/questions/0: the map entry merges 2 questions but does not say how "
                "to combine their answers (add combine: min, max, median or mean-floor)"
            ],
            id="a merge without combine",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: [a, b], new: [lead-time, lead-budget], combine: max}\n',
            [f"{MAP_LINE + 2}:28: /migrations/0/questions/0/new: the map entry merges 2 questions into 2: a merge"],
            id="many into many",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: a}\n      - {old: b, new: lead-time, dropped: gone}\n'
            "      - {old: c, dropped: gone, levels: {1: 1}}\n",
            [
                f"{MAP_LINE + 2}:9: /migrations/0/questions/0: the map entry for 'a' says neither where its answers "
                "go nor why they are dropped",
                f"{MAP_LINE + 3}:34: /migrations/0/questions/1/dropped: the map entry for 'b' gives both new and "
                "dropped",
                f"{MAP_LINE + 4}:33: /migrations/0/questions/2/levels: the map entry for 'c' is dropped, so 'levels' "
                "has nothing to apply to",
            ],
            id="new or dropped, one of them",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    questions:\n      - {old: Lead_Time, new: lead-time}\n',
            [f"{MAP_LINE + 2}:15: /migrations/0/questions/0/old: 'Lead_Time' is not a valid id (ids use lower-case"],
            id="an old id that is no id",
        ),
        pytest.param(
            '  - from: "1.0.0"\n    comparable: true\n    domains:\n      leed: {comparable: true}\n'
            "      lead: {comparable: false}\n",
            [
                f"{MAP_LINE + 1}:17: /migrations/0/comparable: the map says values are comparable, but not those of "
                "lead: the overall value is comparable only when every domain is",
                f"{MAP_LINE + 3}:7: /migrations/0/domains/leed: unknown domain 'leed' (did you mean 'lead'?)",
            ],
            id="domains: unknown, and a contradiction",
        ),
    ],
)
def test_bad_maps_are_refused_at_their_place(tmp_path, migrations, expected):
    found = problems_of(tmp_path, migrations)
    assert len(found) == len(expected), found
    for line, wanted in zip(found, expected, strict=True):
        assert line.startswith(wanted), (line, wanted)


def test_the_map_is_checked_against_the_earlier_version(tmp_path):
    """What only 1.0.0 can show: an old id it lacks (a typo), an old level the remap leaves out, an old question
    the map forgets (neither listed nor kept), and one kept under its id while another is renamed onto that id."""
    migrations = (
        '  - from: "1.0.0"\n'
        "    questions:\n"
        "      - {old: lead-time-and-money, new: [lead-time, lead-budget]}\n"
        "      - {old: lead-stabilty, dropped: Asked as succession now.}\n"
        "      - {old: meth-one-method, new: meth-run-charts}\n"
        "      - {old: [cult-ideas-a, cult-ideas-b], new: cult-ideas, combine: min}\n"
        "      - {old: pat-demographics, new: pat-equity, levels: {1: 1, 2: 1, 3: 2}}\n"
    )
    assert problems_of(tmp_path, migrations) == []
    rubric = load_rubric(tmp_path / "clinic-2.0.0.yaml")
    found = [(p.line, p.path, p.message, p.hint) for p in check_migration(rubric, V1)]
    assert found == [
        (
            MAP_LINE + 3,
            "/migrations/0/questions/1",
            "the map names old question 'lead-stabilty', which version 1.0.0 of clinic-qi lacks",
            "did you mean 'lead-stability'?",
        ),
        (
            MAP_LINE + 6,
            "/migrations/0/questions/4",
            "the map entry for 'pat-demographics' gives no new level for old level(s) 4",
            "map every level of version 1.0.0 of clinic-qi's scale (1, 2, 3, 4)",
        ),
        (
            MAP_LINE,
            "/migrations/0",
            "old question 'lead-stability' of version 1.0.0 of clinic-qi is neither in the map nor in this version: "
            "its answers would have nowhere to go",
            "add it to the map: {old: lead-stability, new: ...} or {old: lead-stability, dropped: why}",
        ),
        (
            MAP_LINE,
            "/migrations/0",
            "old question 'meth-run-charts' carries over to 'meth-run-charts' as it is, and the map also gives "
            "'meth-run-charts' the answers of 'meth-one-method'",
            "say what becomes of old 'meth-run-charts': rename it, merge it or drop it",
        ),
    ]


def test_the_fixture_map_fits_its_earlier_version_and_no_other():
    assert check_migration(V2, V1) == []
    newer_source = load_rubric(FOLDER / "clinic-2.0.0.yaml")
    (problem,) = check_migration(V1, newer_source)
    assert problem.message == "version 1.0.0 of clinic-qi has no map from version 2.0.0"
    assert problem.hint == 'add a map to the rubric: migrations: [{from: "2.0.0", questions: [...]}]'
