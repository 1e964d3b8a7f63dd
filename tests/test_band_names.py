"""One value, one name (issue 12, item 6): a band named like a level holds only values that get that level.

Before, qi-readiness's bands ended with "Exemplary" from 4.75 to 5 while, with level_from_value floor, only a value of
exactly 5 is level 5 Exemplary: a what-if giving governance 4.86 showed "level 4 Embedded" and "band Exemplary" at
once. Validation now refuses such a rubric (a located problem and what to do); qi-readiness's top band is "Leading".
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity import load_assessment, load_rubric, score, validate_rubric
from qimaturity.answers.model import Assessment, Organisation
from qimaturity.scoring.engine import Scorer

from .conftest import DATA, EXAMPLES_1_1, QI_READINESS_1_1, ROOT, RUBRICS, run_main

QI = ROOT / "rubrics" / "qi-readiness.yaml"
EASTFIELD = EXAMPLES_1_1 / "eastfield-mental-health.yaml"
WHAT_IF = {"gov-board-agenda": 5, "gov-golden-thread": 5, "gov-data-for-improvement": 5, "gov-regulator-compact": 5}


def test_the_4_86_case_reads_level_4_embedded_and_band_leading():
    # Eastfield's answers are given to 1.1.0, whose bands and scale 2.0.0 keeps.
    rubric = load_rubric(QI_READINESS_1_1)
    result = score(rubric, load_assessment(EASTFIELD, rubric), what_if=WHAT_IF)
    assert result.projection is not None
    governance = next(d for d in result.projection.domains if d.id == "governance")
    # Governance, weighted mean of its questions (weights 2, 1, 2, 1, 1; total 7). Eastfield's values (each
    # group's median, then the groups' mean) are board-agenda board 4, managers 4 -> 4; golden-thread 4, 4,
    # frontline 4 -> 4; data-for-improvement 5, 4 -> 4.5; quality-management-system 4, 4 -> 4; regulator-compact
    # 4, 3 -> 3.5: (2×4 + 4 + 2×4.5 + 4 + 3.5) / 7 = 28.5/7. The what-if sets board-agenda, golden-thread,
    # data-for-improvement and regulator-compact to 5:
    # (2×5 + 5 + 2×5 + 4 + 5) / 7 = 34/7 = 4.857142857142857 (shown 4.86). floor: level 4 Embedded ([4, 5)).
    # Bands: Embedded [4, 4.75), Leading [4.75, 5]: band Leading, at (34/7 - 4.75) / 0.25 = 0.43 of it.
    assert governance.value == 34 / 7 == 4.857142857142857
    assert (governance.level, governance.level_name) == (4, "Embedded")
    assert governance.band is not None and (governance.band.id, governance.band.name) == ("leading", "Leading")
    assert governance.band.position == pytest.approx(3 / 7)  # (34/7 - 19/4) / (1/4) = (136 - 133) / 7 = 3/7
    level_names = {level.name for level in rubric.levels}
    assert governance.band.name not in level_names


@pytest.mark.slow
def test_the_old_exemplary_band_is_refused_with_its_place_and_what_to_do(tmp_path):
    text = QI.read_text(encoding="utf-8").replace(
        "    - id: leading\n      name: Leading\n", "    - id: exemplary\n      name: Exemplary\n"
    )
    assert "name: Exemplary\n      from: 4.75" in text
    old = tmp_path / "qi-readiness.yaml"
    old.write_text(text, encoding="utf-8")
    (problem,) = validate_rubric(old)
    assert problem.path == "/bands/items/4/name"
    assert problem.message == (
        "band 'exemplary' is named 'Exemplary' like level 5, but values from 4.75 to just below 5 in it get level 4 "
        "'Embedded' (level_from_value: floor): such a value would read as level 4 Embedded and band Exemplary"
    )
    assert "give the band a name that is no level's, or declare level_from_value: round" in problem.hint
    result = run_main("validate", str(old))
    assert result.returncode == 2
    line = text[: text.index("name: Exemplary\n      from: 4.75")].count("\n") + 1
    assert f"qi-readiness.yaml:{line}:13: /bands/items/4/name: band 'exemplary'" in result.stdout + result.stderr


def test_under_round_the_exemplary_band_fits_level_5_and_the_others_do_not():
    # With round, level 5 holds [4.5, 5] (a half goes up): Exemplary from 4.75 lies within it, so it is allowed.
    # The bands on whole numbers do not fit round's levels: Embedded [4, 4.75) holds 4.5 to 4.75, level 5; Not
    # started [1, 2) holds 1.5 to 2, level 2; and so on. A rubric author sees each, with where it should lie.
    text = QI.read_text(encoding="utf-8").replace("name: Leading", "name: Exemplary")
    text = text.replace("level_from_value: floor", "level_from_value: round")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round.yaml"
        path.write_text(text, encoding="utf-8")
        problems = validate_rubric(path)
    assert [p.path for p in problems] == [f"/bands/items/{i}/name" for i in range(4)]
    assert problems[3].message.startswith(
        "band 'embedded' is named 'Embedded' like level 4, but values from 4.5 to 4.75 in it get level 5 'Exemplary'"
    )
    assert problems[3].hint == (
        "give the band a name that is no level's, or keep it within level 4's values: from 3.5 to 4.5"
    )


@pytest.mark.slow
def test_percent_bands_are_placed_on_the_level_scale():
    # Scale 1..5, percent = 100 × (v − 1) / 4: level 3 (floor) holds 50 % to 75 %. A band "Developing" from 40 %
    # holds 40 % to 50 %, which is level 2 Emerging.
    rubric = yaml.safe_load(QI.read_text(encoding="utf-8"))
    rubric["bands"] = {
        "on": "percent",
        "items": [
            {"id": "low", "name": "Low", "from": 0, "to": 40},
            {"id": "developing", "name": "Developing", "from": 40, "to": 75},
            {"id": "high", "name": "High", "from": 75, "to": 100},
        ],
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "percent.yaml"
        path.write_text(yaml.safe_dump(rubric, sort_keys=False), encoding="utf-8")
        (problem,) = validate_rubric(path)
    assert problem.path == "/bands/items/1/name"
    assert "values from 40 to just below 50 percent in it get level 2 'Emerging'" in problem.message
    assert problem.hint.endswith("keep it within level 3's values: from 50 to 75 percent")


# --- the property: a valid rubric never gives one value two level names ------------------------------------------


def _names_agree(rubric, values) -> None:
    scorer = Scorer(rubric, Assessment(Organisation("", ""), rubric.id, ()), {}, (), {}, None, {})
    by_name = {" ".join(level.name.split()).casefold(): level.value for level in rubric.levels}
    for value in values:
        band = scorer.band(value)
        level = scorer.to_level(value)
        named = by_name.get(" ".join(band.name.split()).casefold()) if band else None
        assert named is None or named == level, (rubric.id, value, level, band)


def _valid_rubrics():
    paths = [ROOT / "rubrics" / "qi-readiness.yaml", ROOT / "rubrics" / "qi-programme-stages.yaml"]
    paths += [RUBRICS / "valid-minimal.yaml", *sorted((DATA / "scoring" / "rubrics").glob("*.yaml"))]
    return [load_rubric(p) for p in paths]


def test_every_rubric_we_have_keeps_band_and_level_names_apart():
    for rubric in _valid_rubrics():
        if rubric.bands is None:
            continue
        low, high = rubric.levels[0].value, rubric.levels[-1].value
        steps = 400
        _names_agree(rubric, [low + (high - low) * k / steps for k in range(steps + 1)])


MINI = (RUBRICS / "valid-minimal.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.sampled_from([1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75]), unique=True, max_size=3).map(sorted),
    names=st.lists(st.sampled_from(["Low", "Mid", "High", "mid", "Other"]), min_size=4, max_size=4),
    how=st.sampled_from(["floor", "round"]),
    values=st.lists(st.floats(1, 3), max_size=20),
)
def test_a_rubric_that_validates_never_shows_one_value_with_two_level_names(cuts, names, how, values):
    """Generated bands on the 1 Low, 2 Mid, 3 High scale: whatever validation lets through, no value gets a band
    named like a level other than its own."""
    edges = [1, *cuts, 3]
    items = [
        f"    - {{id: b{i}, name: {names[i]}, from: {edges[i]}, to: {edges[i + 1]}}}" for i in range(len(edges) - 1)
    ]
    start = MINI.index("bands:")
    end = MINI.index("rules:")
    text = MINI[:start] + "bands:\n  items:\n" + "\n".join(items) + "\n" + MINI[end:]
    text = text.replace("scoring:\n", f"scoring:\n  level_from_value: {how}\n", 1) if "scoring:\n" in text else text
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        problems = validate_rubric(path)
        if problems:
            assert all(p.path.endswith("/name") for p in problems), [p.message for p in problems]
            return
        rubric = load_rubric(path)
    assert rubric.scoring.level_from_value == how
    _names_agree(rubric, [*values, *edges, *(e - 1e-6 for e in edges[1:]), 1.5, 2.5])
