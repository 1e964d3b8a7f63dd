"""The SVG charts: well-formed, accessible, escaped, self-contained, deterministic, geometrically right, printable."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from qimaturity.report.charts import (
    FONT_FAMILY,
    MARKERS,
    PALETTE,
    box_chart,
    distribution_chart,
    group_chart,
    heatmap_chart,
    radar_chart,
    trend_chart,
)
from qimaturity.report.charts.distribution import contrast
from qimaturity.report.charts.svg import _NA_HATCH as NA_HATCH

from .conftest import fresh_python

NS = "{http://www.w3.org/2000/svg}"
SCALE = [(1, "Not started"), (2, "Emerging"), (3, "Developing"), (4, "Established"), (5, "Exemplary")]
GROUPS = [
    ("board", "Board"),
    ("managers", "Managers"),
    ("frontline", "Frontline staff"),
    ("patients", "Patient partners"),
]
HOSTILE = ["<script>alert(1)</script>", '" onload="x', "&", "]]>"]


def make_radar(chart_id: str = "radar-test", font: str = FONT_FAMILY) -> str:
    axes = [
        ("Leadership", 3.25, 4),
        ("Governance", 2.5, 4),
        ("Capability", None, 3),
        ("Partnership", 1.75, None),
        ("Data", 4.0, 4),
    ]
    return radar_chart(chart_id, axes, SCALE, title="Domain levels against targets", font=font)


def make_bars(chart_id: str = "bars-test", font: str = FONT_FAMILY) -> str:
    rows = [("Leadership", 2.5, 4), ("Governance", None, 3)]
    return radar_chart(chart_id, rows, SCALE, title="Two domains", font=font)


def make_groups(chart_id: str = "groups-test", font: str = FONT_FAMILY) -> str:
    rows = [
        ("Board reviews QI progress", {"board": 4.5, "managers": 3.5, "frontline": 2.0, "patients": 2.5}),
        ("Protected time for improvement", {"board": 4.0, "managers": 3.0, "frontline": 2.0}),
        ("Patients shape priorities", {"patients": 1.5}),
    ]
    return group_chart(
        chart_id, rows, GROUPS, SCALE, title="Leadership by group", highlight=["Board reviews QI progress"], font=font
    )


def make_distribution(chart_id: str = "dist-test", font: str = FONT_FAMILY) -> str:
    rows = [
        ("Board reviews QI progress", {1: 1, 2: 3, 3: 4}, 2),
        ("Protected time for improvement", {2: 5, 4: 5}, 0),
    ]
    return distribution_chart(chart_id, rows, SCALE, title="Spread of answers", font=font)


# --- the cohort report's charts: heatmap, box plots, trend -------------------------------------------------------
COLUMNS = ["Leadership", "Governance", "Training and capability", "Patient involvement"]
HEAT_ROWS: list[tuple[str, list[float | None], bool]] = [
    ("Northshire Hospitals NHS Foundation Trust", [1.0, 2.25, 3.25, None], False),
    ("Riverside Community Health", [5.0, 4.5, None, 2.0], True),
    ("Moorgate Acute Trust", [2.5, 3.0, 3.75, 4.0], False),
]
BOXES: list[tuple[str, tuple[float, float, float, float, float] | None, int]] = [
    ("Leadership", (1.25, 2.0, 2.6, 3.4, 4.75), 40),
    ("Governance", None, 3),
    ("Patient involvement", (1.0, 1.5, 2.0, 3.0, 5.0), 38),
]
DATES = ["2021-03-31", "2022-03-31", "2023-03-31", "2024-03-31"]
TREND_SERIES: list[tuple[str, list[float | None]]] = [
    ("Leadership", [1.5, 2.0, None, 3.25]),
    ("Governance", [2.0, 2.5, 3.0, 3.0]),
    ("Patient involvement", [None, 1.0, 1.5, None]),
]


def make_heatmap(chart_id: str = "heat-test", font: str = FONT_FAMILY) -> str:
    return heatmap_chart(
        chart_id, HEAT_ROWS, COLUMNS, SCALE, title="Organisations by domain", outliers=[(0, 1), (2, 3)], font=font
    )


def make_box(chart_id: str = "box-test", font: str = FONT_FAMILY) -> str:
    marks = [("Leadership", 3.5), ("Governance", 4.0), ("Patient involvement", None)]
    title = "Spread across organisations"
    return box_chart(chart_id, BOXES, SCALE, title=title, marks=marks, mark_label="Moorgate", font=font)


def make_trend(chart_id: str = "trend-test", font: str = FONT_FAMILY) -> str:
    return trend_chart(chart_id, DATES, TREND_SERIES, SCALE, title="Domain levels over time", font=font)


BUILDERS: dict[str, Callable[..., str]] = {
    "radar": make_radar,
    "bars": make_bars,
    "groups": make_groups,
    "distribution": make_distribution,
    "heatmap": make_heatmap,
    "box": make_box,
    "trend": make_trend,
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if name in (element.get("class") or "").split()]


def desc_text(root: ET.Element, chart_id: str) -> str:
    desc = root.find(f"{NS}desc[@id='{chart_id}-desc']")
    assert desc is not None and desc.text
    return desc.text


def all_text(root: ET.Element) -> str:
    return " ".join("".join(text.itertext()) for text in root.iter(f"{NS}text"))


def close(actual: str | None, expected: float) -> bool:
    """Coordinates are rounded to one decimal place."""
    return actual is not None and math.isclose(float(actual), expected, abs_tol=0.051)


def cells(root: ET.Element) -> dict[tuple[int, int], ET.Element]:
    return {(int(c.get("data-row") or -1), int(c.get("data-col") or -1)): c for c in by_class(root, "qim-cell")}


def height_of(svg: str) -> float:
    return float((parse(svg).get("viewBox") or "").split()[3])


# --- every chart -------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_chart_is_an_accessible_scalable_svg(kind: str) -> None:
    chart_id = f"{kind}-chart"
    svg = BUILDERS[kind](chart_id)
    root = parse(svg)
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title = root.find(f"{NS}title[@id='{chart_id}-title']")
    assert title is not None and title.text
    assert desc_text(root, chart_id)
    x0, y0, width, height = (float(part) for part in (root.get("viewBox") or "").split())
    assert (x0, y0) == (0, 0) and 600 <= width <= 700 and height > 100
    assert root.get("width") == "100%"
    assert root.get("style") == f"max-width: {int(width)}px"
    # The typeface of the text around it: the bundled font first, ending in a generic family.
    assert root.get("font-family") == "'Liberation Sans Bundled', 'Liberation Sans', Arial, Helvetica, sans-serif"
    sizes = [float(e.get("font-size") or 0) for e in root.iter() if e.get("font-size") is not None]
    assert sizes and min(sizes) >= 9.5


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_chart_is_set_in_the_font_it_is_given(kind: str) -> None:
    """A report's body font (a brand's, before the bundled one), so that its charts and its text share a typeface;
    a font that is not a plain font-family list is refused."""
    font = "'DejaVu Sans', 'Liberation Sans Bundled', 'Liberation Sans', Arial, Helvetica, sans-serif"
    assert parse(BUILDERS[kind](f"{kind}-chart", font)).get("font-family") == font
    for bad in ('Arial" onload="x', "<b>Arial</b>", "Arial; color: red", "Arial &amp;", ""):
        with pytest.raises(ValueError, match="font must be a font-family list"):
            BUILDERS[kind](f"{kind}-chart", bad)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_chart_is_self_contained(kind: str) -> None:
    svg = BUILDERS[kind](f"{kind}-chart")
    for forbidden in ("href", "<image", "<script", "foreignObject", "@import", "<style"):
        assert forbidden not in svg
    assert svg.count("http") == 1  # the xmlns declaration only
    ids = {element.get("id") for element in parse(svg).iter()}
    for reference in re.findall(r"url\(([^)]*)\)", svg):
        assert reference.startswith("#") and reference[1:] in ids


@pytest.mark.subprocess
def test_output_is_deterministic() -> None:
    """Every chart, drawn in another process with another hash seed, is the same text."""
    charts = {kind: build(f"{kind}-chart") for kind, build in BUILDERS.items()}
    code = "import json\nfrom tests.test_charts import BUILDERS\n"
    code += "print(json.dumps({kind: build(f'{kind}-chart') for kind, build in BUILDERS.items()}))"
    assert json.loads(fresh_python(code)) == charts


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_coordinates_have_at_most_one_decimal_place(kind: str) -> None:
    geometry = ("x", "y", "cx", "cy", "r", "width", "height", "x1", "y1", "x2", "y2", "points")
    for element in parse(BUILDERS[kind](f"{kind}-chart")).iter():
        for name in (*geometry, "d", "transform"):
            value = element.get(name)
            if value is not None and value != "100%":
                if name in geometry:
                    assert re.fullmatch(r"(-?\d+(\.\d)?[ ,]?)+", value), (kind, element.tag, name, value)
                for number in re.findall(r"-?\d+(?:\.\d+)?", value):
                    assert re.fullmatch(r"-?\d+(\.\d)?", number), (kind, element.tag, name, value)


BAD_IDS = ["", "Radar", "1radar", "radar chart", "radar_1", "radar\n", "radar-é", '"x']
BAD_IDS += ["Heat", "1heat", "heat map", "heat_1", "heat\n"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_chart_id_is_validated(bad: str) -> None:
    with pytest.raises(ValueError):
        radar_chart(bad, [("A", 1, 2)] * 3, SCALE, title="t")
    with pytest.raises(ValueError):
        group_chart(bad, [("Q", {"board": 1})], GROUPS, SCALE, title="t")
    with pytest.raises(ValueError):
        distribution_chart(bad, [("Q", {1: 1}, 0)], SCALE, title="t")
    with pytest.raises(ValueError):
        heatmap_chart(bad, HEAT_ROWS, COLUMNS, SCALE, title="t")
    with pytest.raises(ValueError):
        box_chart(bad, BOXES, SCALE, title="t")
    with pytest.raises(ValueError):
        trend_chart(bad, DATES, TREND_SERIES, SCALE, title="t")


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        radar_chart("r", [("A", 1, 2)] * 3, SCALE, title="t", colour="red;stroke:url(http://x)")
    with pytest.raises(ValueError):
        radar_chart("r", [("A", math.nan, 2)] * 3, SCALE, title="t")
    with pytest.raises(ValueError):
        radar_chart("r", [("A", 1, 2)] * 3, [], title="t")
    with pytest.raises(ValueError):
        radar_chart("r", [("A", 1, 2)] * 3, [(2, "b"), (1, "a")], title="t")
    with pytest.raises(ValueError):
        group_chart("g", [("Q", {"nobody": 1})], GROUPS, SCALE, title="t")
    with pytest.raises(ValueError):
        distribution_chart("d", [("Q", {9: 1}, 0)], SCALE, title="t")
    with pytest.raises(ValueError):
        distribution_chart("d", [("Q", {1: -1}, 0)], SCALE, title="t")


def test_comparison_bad_inputs_are_refused() -> None:
    row = [("A", [1.0, 2.0], False)]
    bad_heatmaps: list[Callable[[], str]] = [
        lambda: heatmap_chart("h", row, [], SCALE, title="t"),
        lambda: heatmap_chart("h", row, ["X"], SCALE, title="t"),  # two values, one column
        lambda: heatmap_chart("h", row, ["X", "X"], SCALE, title="t"),
        lambda: heatmap_chart("h", [("A", [1.0, math.inf], False)], ["X", "Y"], SCALE, title="t"),
        lambda: heatmap_chart("h", [("A", [0.5, 2.0], False)], ["X", "Y"], SCALE, title="t"),  # below the scale
        lambda: heatmap_chart("h", row, ["X", "Y"], SCALE, title="t", outliers=[(1, 0)]),
        lambda: heatmap_chart("h", row, ["X", "Y"], SCALE, title="t", outliers=[(0, -1)]),
        lambda: heatmap_chart("h", [("A", [None, 2.0], False)], ["X", "Y"], SCALE, title="t", outliers=[(0, 0)]),
        lambda: heatmap_chart("h", [("A", [1.0] * 13, False)], [f"C{i}" for i in range(13)], SCALE, title="t"),
        lambda: heatmap_chart("h", row, ["X", "Y"], [], title="t"),
    ]
    bad_boxes: list[Callable[[], str]] = [
        lambda: box_chart("b", [("A", (1, 3, 2, 4, 5), 10)], SCALE, title="t"),  # q1 above the median
        lambda: box_chart("b", [("A", (1, 2, 3, 4, 6), 10)], SCALE, title="t"),  # beyond the scale
        lambda: box_chart("b", [("A", (1, 2, 3, 4, math.nan), 10)], SCALE, title="t"),
        lambda: box_chart("b", [("A", (1, 2, 3, 4), 10)], SCALE, title="t"),  # type: ignore[list-item]
        lambda: box_chart("b", [("A", None, -1)], SCALE, title="t"),
        lambda: box_chart("b", [("A", None, 3), ("A", None, 4)], SCALE, title="t"),
        lambda: box_chart("b", [("A", None, 3)], SCALE, title="t", marks=[("B", 2.0)]),
        lambda: box_chart("b", [("A", None, 3)], SCALE, title="t", marks=[("A", 2.0), ("A", 3.0)]),
        lambda: box_chart("b", [("A", None, 3)], SCALE, title="t", marks=[("A", 9.0)]),
        lambda: box_chart("b", [("A", None, 3)], [(1, "only")], title="t"),
    ]
    bad_trends: list[Callable[[], str]] = [
        lambda: trend_chart("t", ["2024-01-01"], [("A", [1.0])], SCALE, title="t"),
        lambda: trend_chart("t", [f"{2000 + i}-01-01" for i in range(21)], [], SCALE, title="t"),
        lambda: trend_chart("t", ["2024-01-01", "2023-01-01"], [("A", [1.0, 2.0])], SCALE, title="t"),
        lambda: trend_chart("t", ["2024-01-01", "2024-01-01"], [("A", [1.0, 2.0])], SCALE, title="t"),
        lambda: trend_chart("t", ["2024-01-01", "next year"], [("A", [1.0, 2.0])], SCALE, title="t"),
        lambda: trend_chart("t", DATES[:2], [("A", [1.0])], SCALE, title="t"),
        lambda: trend_chart("t", DATES[:2], [("A", [1.0, 7.0])], SCALE, title="t"),
        lambda: trend_chart("t", DATES[:2], [("A", [1.0, 2.0]), ("A", [1.0, 2.0])], SCALE, title="t"),
        lambda: trend_chart("t", DATES[:2], [(f"S{i}", [1.0, 2.0]) for i in range(9)], SCALE, title="t"),
    ]
    for build in bad_heatmaps + bad_boxes + bad_trends:
        with pytest.raises(ValueError):
            build()


# --- hostile text ------------------------------------------------------------------------------------------------


def hostile_charts() -> list[tuple[str, str]]:
    scale = [(1, HOSTILE[0]), (2, HOSTILE[1]), (3, HOSTILE[2]), (4, HOSTILE[3])]
    groups = [(text, text) for text in HOSTILE]
    return [
        ("radar", radar_chart("radar", [(text, 2, 3) for text in HOSTILE], scale, title=HOSTILE[0])),
        ("bars", radar_chart("bars", [(HOSTILE[0], None, 3), (HOSTILE[1], 2, None)], scale, title=HOSTILE[1])),
        (
            "groups",
            group_chart(
                "groups",
                [(text, {g: i + 1 for i, g in enumerate(HOSTILE)}) for text in HOSTILE],
                groups,
                scale,
                title=HOSTILE[2],
                highlight=HOSTILE,
            ),
        ),
        (
            "distribution",
            distribution_chart("distribution", [(t, {1: 2, 4: 1}, 1) for t in HOSTILE], scale, title="]]>"),
        ),
    ]


def hostile_comparison_charts() -> list[tuple[str, str]]:
    scale = [(1, HOSTILE[0]), (2, HOSTILE[1]), (3, HOSTILE[2]), (4, HOSTILE[3])]
    return [
        (
            "heatmap",
            heatmap_chart(
                "heatmap",
                [(text, [1.0, 2.0, None, 4.0], i == 0) for i, text in enumerate(HOSTILE)],
                HOSTILE,
                scale,
                title=HOSTILE[0],
                outliers=[(0, 0)],
            ),
        ),
        (
            "box",
            box_chart(
                "box",
                [(text, (1.0, 2.0, 2.5, 3.0, 4.0) if i % 2 else None, 5) for i, text in enumerate(HOSTILE)],
                scale,
                title=HOSTILE[1],
                marks=[(text, 2.0) for text in HOSTILE],
                mark_label=HOSTILE[0],
            ),
        ),
        (
            "trend",
            trend_chart("trend", DATES[:2], [(text, [1.0, 2.0]) for text in HOSTILE], scale, title=HOSTILE[3]),
        ),
    ]


@pytest.mark.parametrize(("chart_id", "svg"), hostile_charts() + hostile_comparison_charts())
def test_hostile_text_is_escaped(chart_id: str, svg: str) -> None:
    assert "<script" not in svg and "]]>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    for element in root.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib)
    desc = desc_text(root, chart_id)
    labels = HOSTILE[:2] if chart_id == "bars" else HOSTILE
    for text in labels:
        assert text in desc
    assert '" onload="x' in all_text(root)


def test_control_characters_do_not_break_the_xml() -> None:
    svg = radar_chart("r", [("A\x00b\x1bc", 1, 2), ("B", 2, 3), ("C", 3, 4)], SCALE, title="t\x0c")
    assert "Abc" in desc_text(parse(svg), "r")


def test_comparison_control_characters_do_not_break_the_xml() -> None:
    svg = heatmap_chart("h", [("A\x00b\x1bc", [1.0], False)], ["D\x0co"], SCALE, title="t\x0b")
    desc = desc_text(parse(svg), "h")
    assert "Abc: Do 1." in desc
    svg = trend_chart("t", DATES[:2], [("S\x01x", [1.0, 2.0])], SCALE, title="t")
    assert "Sx: 31 March 2021 1.00, 31 March 2022 2.00." in desc_text(parse(svg), "t")
    svg = box_chart("b", [("B\x02y", None, 1)], SCALE, title="t", mark_label="M\x03e")
    assert "By: suppressed" in desc_text(parse(svg), "b")


# --- radar -------------------------------------------------------------------------------------------------------


def test_radar_desc_gives_every_domain_value_and_target() -> None:
    desc = desc_text(parse(make_radar("r")), "r")
    assert "Scale 1 (Not started) to 5 (Exemplary)." in desc
    for expected in (
        "Leadership: level 3.25, target 4.",
        "Governance: level 2.5, target 4.",
        "Capability: not scored, target 3.",
        "Partnership: level 1.75, no target.",
        "Data: level 4, target 4.",
    ):
        assert expected in desc


def test_radar_vertices_lie_where_computed_by_hand() -> None:
    svg = radar_chart(
        "r4",
        [("Top", 5, 5), ("Right", 2.5, None), ("Bottom", None, 2), ("Left", 1, 3)],
        SCALE,
        title="Four domains",
    )
    root = parse(svg)
    rings = by_class(root, "qim-ring")
    outer = max(rings, key=lambda ring: float(ring.get("r") or 0))
    # The scale runs 1..5 and the centre stands for 0, so rings sit at 30, 60, ..., 150 (the radius is 150) and
    # the centre is at x = 640 / 2 = 320; cy depends on the label heights, so it is read from the outer ring.
    assert [ring.get("r") for ring in rings] == ["30", "60", "90", "120", "150"]
    assert outer.get("cx") == "320"
    cy = float(outer.get("cy") or 0)
    markers = by_class(root, "qim-value")
    # Axes go clockwise from the top: Top (5) at (320, cy - 150) on the outer ring; Right (2.5) at radius
    # 150 * 2.5 / 5 = 75, so (395, cy); Bottom is not scored and has no marker; Left (1) at radius 30, so (290, cy).
    positions = [(float(m.get("cx") or 0), float(m.get("cy") or 0)) for m in markers]
    expected = [(320, cy - 150), (395, cy), (290, cy)]
    assert len(positions) == 3
    for (x, y), (ex, ey) in zip(positions, expected, strict=True):
        assert math.isclose(x, ex, abs_tol=0.051) and math.isclose(y, ey, abs_tol=0.051)
    # The outline is broken at the unscored axis: one polyline Left -> Top -> Right.
    (line,) = by_class(root, "qim-value-line")
    points = [tuple(float(v) for v in point.split(",")) for point in (line.get("points") or "").split()]
    assert points == [pytest.approx(p, abs=0.051) for p in [(290, cy), (320, cy - 150), (395, cy)]]
    # Targets: Top 5 on the outer ring, Bottom 2 at radius 60 below the centre, Left 3 at radius 90 to the left;
    # each square is 11 wide, centred on its point.
    targets = by_class(root, "qim-target")
    centres = [(float(t.get("x") or 0) + 5.5, float(t.get("y") or 0) + 5.5) for t in targets]
    assert centres == [pytest.approx(p, abs=0.051) for p in [(320, cy - 150), (320, cy + 60), (230, cy)]]
    # The gap marker for Bottom sits on the outer ring, below the centre.
    (gap,) = by_class(root, "qim-gap")
    circle = gap.find(f"{NS}circle")
    assert circle is not None and close(circle.get("cx"), 320) and close(circle.get("cy"), cy + 150)
    texts = all_text(root)
    assert "(not scored)" in texts
    for value in ("5.00", "2.50", "1.00"):
        assert value in [t.text for t in by_class(root, "qim-value-label")]


def test_radar_legend_names_current_level_and_target() -> None:
    texts = all_text(parse(make_radar()))
    assert "Current level" in texts and "Target" in texts and "Not scored" in texts
    assert "Levels: 1 = Not started" in texts


def test_radar_axis_labels_are_wrapped() -> None:
    svg = radar_chart(
        "r", [("Patient and carer partnership in improvement", 2, 3), ("B", 2, 3), ("C", 2, 3)], SCALE, title="t"
    )
    (label, *_rest) = by_class(parse(svg), "qim-axis-label")
    lines = [span.text or "" for span in label.iter(f"{NS}tspan")]
    assert len(lines) >= 3 and all(len(line) <= 20 for line in lines)
    assert " ".join(lines) == "Patient and carer partnership in improvement"


def test_radar_with_fewer_than_three_axes_draws_bars() -> None:
    root = parse(make_bars("b"))
    assert not by_class(root, "qim-ring")
    (bar,) = by_class(root, "qim-value-bar")
    # The axis runs from 0 (x = 250) to 5 (x = 520): 2.5 is half of it, 135 wide.
    assert bar.get("x") == "250" and bar.get("width") == "135"
    assert len(by_class(root, "qim-target")) == 2 and len(by_class(root, "qim-gap")) == 1
    desc = desc_text(root, "b")
    assert "Leadership: level 2.5, target 4." in desc and "Governance: not scored, target 3." in desc
    assert "(not scored)" in all_text(root)


def test_radar_with_no_axes_says_so() -> None:
    root = parse(radar_chart("empty", [], SCALE, title="Nothing"))
    assert "No domains to show." in desc_text(root, "empty")
    assert "No domains to show." in all_text(root)


# --- group chart -------------------------------------------------------------------------------------------------


def test_each_group_has_its_own_shape_and_colour() -> None:
    root = parse(make_groups())
    styles: dict[str, set[tuple[str, str]]] = {}
    for marker in by_class(root, "qim-marker"):
        styles.setdefault(marker.get("data-group") or "", set()).add(
            (marker.get("data-shape") or "", marker.get("fill") or "")
        )
    assert all(len(style) == 1 for style in styles.values())
    chosen = {group: next(iter(style)) for group, style in styles.items()}
    assert len({shape for shape, _fill in chosen.values()}) == len(GROUPS)
    assert len({fill for _shape, fill in chosen.values()}) == len(GROUPS)
    for i, (group, _name) in enumerate(GROUPS):
        assert chosen[group] == (MARKERS[i], PALETTE[i])
    tags = {marker.get("data-shape"): marker.tag for marker in by_class(root, "qim-marker")}
    assert tags == {
        "circle": f"{NS}circle",
        "square": f"{NS}rect",
        "triangle": f"{NS}polygon",
        "diamond": f"{NS}polygon",
    }


def test_group_markers_sit_on_the_scale() -> None:
    root = parse(make_groups())
    (row,) = [g for g in root.iter(f"{NS}g") if g.get("data-row") == "0"]
    # The axis runs from level 1 at x = 318 to level 5 at x = 590, 68 per level: the board's 4.5 is at
    # 318 + 3.5 * 68 = 556 and frontline's 2 at 318 + 68 = 386; the spread line joins those two.
    board = [m for m in by_class(row, "qim-marker") if m.get("data-group") == "board"][0]
    assert close(board.get("cx"), 556)
    (spread,) = by_class(row, "qim-spread")
    assert close(spread.get("x1"), 386) and close(spread.get("x2"), 556)
    assert [t.text for t in by_class(row, "qim-spread-value")] == ["2.5"]


def test_absent_group_is_not_drawn() -> None:
    root = parse(make_groups())
    rows = {g.get("data-row"): g for g in root.iter(f"{NS}g") if g.get("data-row") is not None}
    assert {m.get("data-group") for m in by_class(rows["0"], "qim-marker")} == {g for g, _n in GROUPS}
    assert {m.get("data-group") for m in by_class(rows["1"], "qim-marker")} == {"board", "managers", "frontline"}
    assert {m.get("data-group") for m in by_class(rows["2"], "qim-marker")} == {"patients"}
    assert not by_class(rows["2"], "qim-spread")
    desc = desc_text(root, "groups-test")
    assert "Protected time for improvement: Board 4, Managers 3, Frontline staff 2, Patient partners no answer" in desc
    assert "Board reviews QI progress: Board 4.5, Managers 3.5, Frontline staff 2, Patient partners 2.5" in desc


def test_highlighted_rows_get_a_band_and_a_mark() -> None:
    root = parse(make_groups())
    assert len(by_class(root, "qim-highlight")) == 1
    rows = {g.get("data-row"): g for g in root.iter(f"{NS}g") if g.get("data-row") is not None}
    assert len(by_class(rows["0"], "qim-flag")) == 1 and not by_class(rows["1"], "qim-flag")
    flag_text = "".join(by_class(rows["0"], "qim-flag")[0].itertext())
    assert flag_text == "!"
    assert "Gap flagged" in all_text(root)
    assert "gap flagged" in desc_text(root, "groups-test")
    plain = parse(group_chart("g", [("Q", {"board": 2})], GROUPS, SCALE, title="t", highlight=["not a row"]))
    assert not by_class(plain, "qim-highlight") and not by_class(plain, "qim-flag")


def test_group_legend_shows_shape_colour_and_name() -> None:
    root = parse(make_groups())
    (legend,) = by_class(root, "qim-legend")
    texts = [t.text for t in legend.iter(f"{NS}text")]
    for _group, name in GROUPS:
        assert name in texts
    fills = [e.get("fill") for e in legend.iter() if e.tag in (f"{NS}circle", f"{NS}rect", f"{NS}polygon")]
    for colour in PALETTE[:4]:
        assert colour in fills


# --- distribution chart ------------------------------------------------------------------------------------------


def test_segment_widths_are_proportional_to_counts() -> None:
    root = parse(make_distribution("d"))
    rows = {g.get("data-row"): g for g in root.iter(f"{NS}g") if g.get("data-row") is not None}
    segments = {s.get("data-level"): s for s in by_class(rows["0"], "qim-seg")}
    # Row 0: 1 + 3 + 4 answers at levels 1-3 and 2 N/A, 10 in all, over a 320-wide bar starting at x = 296.
    # Level 2 holds 3 of 10: width 0.3 * 320 = 96, starting after level 1's 32, at x = 328.
    assert segments["2"].get("x") == "328" and segments["2"].get("width") == "96"
    assert segments["1"].get("width") == "32" and segments["3"].get("width") == "128"
    # N/A comes last, on the right: 2 of 10, 64 wide, from x = 296 + 256 = 552, hatched.
    assert segments["na"].get("x") == "552" and segments["na"].get("width") == "64"
    assert segments["na"].get("fill") == "url(#d-na-hatch)"
    assert root.find(f".//{NS}pattern[@id='d-na-hatch']") is not None
    assert "N/A 2" in all_text(rows["0"])
    # No number printed on a level's colour, where "3" would read as level 3; the counts are in the tooltips.
    assert not by_class(rows["0"], "qim-count")
    tips = [t.text for seg in by_class(rows["0"], "qim-seg") for t in seg.iter(f"{NS}title")]
    assert tips[:3] == ["level 1 (Not started): 1", "level 2 (Emerging): 3", "level 3 (Developing): 4"]


@pytest.mark.parametrize("levels", range(2, 8))
def test_neighbouring_level_colours_are_told_apart(levels: int) -> None:
    """Every boundary between two segments is a line of 3:1 contrast at least against one of its sides, and each
    bar is outlined at 3:1 against the white page (WCAG 1.4.11), for every scale of 2 to 7 levels."""
    scale = [(v, f"L{v}") for v in range(1, levels + 1)]
    root = parse(distribution_chart("d", [("Q", {v: 1 for v, _n in scale}, 1)], scale, title="t"))
    fills = [s.get("fill") or "" for s in by_class(root, "qim-seg")]
    edges = by_class(root, "qim-seg-edge")
    assert len(edges) == len(fills) - 1 == levels
    for left, right, edge in zip(fills, fills[1:], edges, strict=False):
        sides = [NA_HATCH if c.startswith("url(") else c for c in (left, right)]
        assert max(contrast(edge.get("stroke") or "", side) for side in sides) >= 3, (sides, edge.get("stroke"))
    (outline,) = by_class(root, "qim-bar-edge")
    assert contrast(outline.get("stroke") or "", "#FFFFFF") >= 3


def test_contrast_ratio_by_hand() -> None:
    # WCAG: white has luminance 1, black 0: (1 + 0.05) / (0 + 0.05) = 21. Mid grey #777777: channel 0x77/255 =
    # 0.4667, linear ((0.4667 + 0.055) / 1.055) ** 2.4 = 0.1845; (1.05) / (0.2345) = 4.48 against white.
    assert contrast("#FFFFFF", "#000000") == pytest.approx(21)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#FFFFFF", "#777777") == contrast("#777777", "#FFFFFF")


def test_no_na_segment_without_na_answers() -> None:
    root = parse(make_distribution("d"))
    rows = {g.get("data-row"): g for g in root.iter(f"{NS}g") if g.get("data-row") is not None}
    assert [s.get("data-level") for s in by_class(rows["1"], "qim-seg")] == ["2", "4"]
    none_na = parse(distribution_chart("e", [("Q", {1: 1}, 0)], SCALE, title="t"))
    assert none_na.find(f".//{NS}pattern") is None


def test_level_colours_run_light_to_dark() -> None:
    root = parse(distribution_chart("d", [("Q", {level: 1 for level, _n in SCALE}, 0)], SCALE, title="t"))
    fills = [s.get("fill") or "" for s in by_class(root, "qim-seg")]

    def lightness(colour: str) -> int:
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert len(set(fills)) == 5
    assert [lightness(f) for f in fills] == sorted((lightness(f) for f in fills), reverse=True)
    texts = all_text(root)
    for level, name in SCALE:
        assert f"{level} {name}" in texts


def test_distribution_desc_gives_counts() -> None:
    desc = desc_text(parse(make_distribution("d")), "d")
    assert (
        "Board reviews QI progress: 1 at level 1 (Not started), 3 at level 2 (Emerging), 4 at level 3 (Developing),"
        " 2 N/A; 10 respondents." in desc
    )


# --- rendering ---------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_weasyprint_renders_the_charts() -> None:
    from weasyprint import HTML

    charts = [build(f"{kind}-chart") for kind, build in BUILDERS.items()]
    charts += [svg for _id, svg in hostile_charts()[:1] + hostile_comparison_charts()]
    page = "<!doctype html><html><body>" + "".join(f"<figure>{chart}</figure>" for chart in charts) + "</body></html>"
    pdf = HTML(string=page).write_pdf()
    assert pdf is not None and pdf.startswith(b"%PDF")


# --- heatmap -----------------------------------------------------------------------------------------------------


def test_heatmap_has_one_cell_per_row_and_column() -> None:
    root = parse(make_heatmap())
    grid = cells(root)
    assert len(by_class(root, "qim-cell")) == len(HEAT_ROWS) * len(COLUMNS)
    assert set(grid) == {(r, c) for r in range(len(HEAT_ROWS)) for c in range(len(COLUMNS))}
    # Cells of one row share a y, cells of one column share an x; rows of one-line names are 14 apart, and the
    # first name (41 characters, wrapped at about 32) takes two lines: 14 + 10.5 x 1.25 = 27.125.
    for r in range(len(HEAT_ROWS)):
        assert len({grid[r, c].get("y") for c in range(len(COLUMNS))}) == 1
    for c in range(len(COLUMNS)):
        assert len({grid[r, c].get("x") for r in range(len(HEAT_ROWS))}) == 1
    # (each y is rounded to one decimal on its own: their difference is within 0.1 of the exact one)
    assert math.isclose(float(grid[1, 0].get("y") or 0) - float(grid[0, 0].get("y") or 0), 27.125, abs_tol=0.1)
    assert math.isclose(float(grid[2, 0].get("y") or 0) - float(grid[1, 0].get("y") or 0), 14, abs_tol=0.1)


def test_heatmap_prints_every_value_with_one_decimal() -> None:
    root = parse(make_heatmap())
    printed = [t.text for t in by_class(root, "qim-cell-value")]
    # Row by row, None cells skipped; halves round up (2.25 -> 2.3, 3.25 -> 3.3, 3.75 -> 3.8).
    assert printed == ["1.0", "2.3", "3.3", "5.0", "4.5", "2.0", "2.5", "3.0", "3.8", "4.0"]
    desc = desc_text(root, "heat-test")
    assert "Scale 1 (Not started) to 5 (Exemplary)." in desc
    assert "Columns: Leadership, Governance, Training and capability, Patient involvement." in desc
    assert (
        "Northshire Hospitals NHS Foundation Trust: Leadership 1, Governance 2.25 (outlier),"
        " Training and capability 3.25, Patient involvement no data." in desc
    )
    assert "Riverside Community Health (highlighted): Leadership 5, Governance 4.5," in desc
    assert "Moorgate Acute Trust: Leadership 2.5, Governance 3, Training and capability 3.75," in desc


def test_heatmap_colours_run_light_to_dark_and_text_contrasts() -> None:
    row = [("A", [1.0, 2.0, 3.0, 4.0, 5.0], False)]
    root = parse(heatmap_chart("h", row, ["a", "b", "c", "d", "e"], SCALE, title="t"))
    fills = [cells(root)[0, c].get("fill") or "" for c in range(5)]

    def lightness(colour: str) -> int:
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert len(set(fills)) == 5
    assert [lightness(f) for f in fills] == sorted((lightness(f) for f in fills), reverse=True)
    inks = [t.get("fill") for t in by_class(root, "qim-cell-value")]
    assert inks[0] == "#000000" and inks[-1] == "#FFFFFF"
    # The legend names every level next to its swatch.
    texts = all_text(root)
    for level, name in SCALE:
        assert f"{level} {name}" in texts


def test_heatmap_marks_outliers_with_a_border_and_a_symbol() -> None:
    root = parse(make_heatmap())
    grid = cells(root)
    borders = by_class(root, "qim-outlier")
    assert len(borders) == 2
    for border, (r, c) in zip(borders, [(0, 1), (2, 3)], strict=True):
        # Each border sits inside its cell, drawn thick.
        cell = grid[r, c]
        assert float(border.get("x") or 0) > float(cell.get("x") or 0)
        assert float(border.get("x") or 0) + float(border.get("width") or 0) < float(cell.get("x") or 0) + float(
            cell.get("width") or 0
        )
        assert float(border.get("stroke-width") or 0) >= 2
    assert "Outlier" in all_text(root)
    plain = parse(heatmap_chart("p", HEAT_ROWS, COLUMNS, SCALE, title="t"))
    assert not by_class(plain, "qim-outlier") and "Outlier" not in all_text(plain)


def test_heatmap_hatches_cells_without_data() -> None:
    root = parse(make_heatmap("h"))
    grid = cells(root)
    missing = [key for key, cell in grid.items() if "qim-na" in (cell.get("class") or "")]
    assert sorted(missing) == [(0, 3), (1, 2)]
    for key in missing:
        assert grid[key].get("fill") == "url(#h-none-hatch)"
    assert root.find(f".//{NS}pattern[@id='h-none-hatch']") is not None
    dashes = [t for t in root.iter(f"{NS}text") if t.text == "–"]
    assert len(dashes) == 2 + 1  # one per empty cell, one in the legend
    assert "No data" in all_text(root)
    full = parse(heatmap_chart("f", [("A", [1.0], False)], ["X"], SCALE, title="t"))
    assert full.find(f".//{NS}pattern") is None and "No data" not in all_text(full)


def test_heatmap_highlighted_rows_are_bold_with_a_marker() -> None:
    root = parse(make_heatmap())
    rows = {g.get("data-row"): g for g in by_class(root, "qim-row")}
    assert "qim-highlight" in (rows["1"].get("class") or "")
    (label,) = by_class(rows["1"], "qim-row-label")
    assert label.get("font-weight") == "bold" and label.text == "Riverside Community Health"
    assert len(by_class(rows["1"], "qim-highlight-mark")) == 1
    assert not by_class(rows["0"], "qim-highlight-mark")
    assert len(by_class(root, "qim-highlight-outline")) == 1
    assert "Highlighted organisation" in all_text(root)


def test_heatmap_wraps_long_row_labels_whole_and_grows_their_row() -> None:
    long = "The Very Long Named Integrated Care Organisation of the North"
    short = "Delta"
    root = parse(heatmap_chart("h", [(long, [2.0], False), (short, [3.0], False)], ["X"], SCALE, title="t"))
    wrapped, single = by_class(root, "qim-row-label")
    lines = [span.text or "" for span in wrapped.iter(f"{NS}tspan")]
    # 61 characters in lines of at most 170 px (about 28 characters of this font): three lines, every word kept.
    assert lines == ["The Very Long Named", "Integrated Care Organisation", "of the North"]
    assert single.text == short
    # The first row is two lines taller than a row's 14: 2 x 10.5 (the row font) x 1.25 (line height) = 26.25
    # more, and its cell stretches with it.
    grid = cells(root)
    assert math.isclose(float(grid[1, 0].get("y") or 0) - float(grid[0, 0].get("y") or 0), 40.25, abs_tol=0.1)
    assert close(grid[0, 0].get("height"), 14 + 26.25 - 1)
    assert f"{long}: X 2." in desc_text(root, "h")


def test_heatmap_headers_wrap_when_they_fit_and_turn_when_they_do_not() -> None:
    few = parse(heatmap_chart("h", [("A", [1.0, 2.0], False)], ["Training and capability", "Data"], SCALE, title="t"))
    headers = by_class(few, "qim-column-header")
    assert [h.get("transform") for h in headers] == [None, None]
    assert [" ".join(h.itertext()) for h in headers] == ["Training and capability", "Data"]
    names = [f"Domain number {i} with a long name" for i in range(12)]
    many = parse(heatmap_chart("m", [("A", [3.0] * 12, False)], names, SCALE, title="t"))
    headers = by_class(many, "qim-column-header")
    assert len(headers) == 12 and all((h.get("transform") or "").startswith("rotate(-45 ") for h in headers)
    # Even with twelve columns the cells stay wide enough for the printed values, and nothing passes the edge.
    grid = cells(many)
    assert all(float(cell.get("width") or 0) >= 25 for cell in grid.values())
    assert max(float(c.get("x") or 0) + float(c.get("width") or 0) for c in grid.values()) <= 700 - 12


def test_heatmap_with_200_rows_stays_valid_and_grows() -> None:
    def rows(n: int) -> list[tuple[str, list[float | None], bool]]:
        return [
            (
                f"Organisation {i:03d}",
                [None if (i + c) % 17 == 0 else 1 + (i * 7 + c * 3) % 40 / 10 for c in range(6)],
                i == 99,
            )
            for i in range(n)
        ]

    columns = COLUMNS + ["Culture", "Method and measurement"]
    small = heatmap_chart("h", rows(20), columns, SCALE, title="t")
    large = heatmap_chart("h", rows(200), columns, SCALE, title="t", outliers=[(150, 2), (199, 4)])
    root = parse(large)
    assert len(by_class(root, "qim-cell")) == 200 * 6
    assert int((root.get("viewBox") or "").split()[2]) == int((parse(small).get("viewBox") or "").split()[2]) == 700
    # 180 more rows of 14 each; beyond 60 rows the column headers are repeated under the grid.
    headers_height = height_of(large) - height_of(small) - 180 * 14
    assert headers_height > 0
    assert len(by_class(root, "qim-column-headers")) == 2
    assert len(by_class(parse(small), "qim-column-headers")) == 1
    grid = cells(root)
    assert close(grid[199, 0].get("y"), float(grid[0, 0].get("y") or 0) + 199 * 14)
    assert len(by_class(root, "qim-outlier")) == 2
    assert "Organisation 199:" in desc_text(root, "h")


def test_heatmap_without_rows_says_so() -> None:
    root = parse(heatmap_chart("e", [], COLUMNS, SCALE, title="Nothing"))
    assert "No organisations to show." in desc_text(root, "e") and "No organisations to show." in all_text(root)


# --- box plots ---------------------------------------------------------------------------------------------------


def test_box_geometry_is_where_computed_by_hand() -> None:
    root = parse(make_box())
    rows = {g.get("data-row"): g for g in by_class(root, "qim-row")}
    # The axis runs from level 1 at x = 236 to level 5 at x = 556: 80 per level. Leadership's median 2.6 is at
    # 236 + 1.6 * 80 = 364; its quartiles 2.0 and 3.4 at 316 and 428 (a box 112 wide); its whiskers end at
    # 1.25 -> 256 and 4.75 -> 536.
    (median,) = by_class(rows["0"], "qim-median")
    assert close(median.get("x1"), 364) and close(median.get("x2"), 364)
    (box,) = by_class(rows["0"], "qim-quartiles")
    assert close(box.get("x"), 316) and close(box.get("width"), 112)
    (whisker,) = by_class(rows["0"], "qim-whisker")
    assert close(whisker.get("x1"), 256) and close(whisker.get("x2"), 536)
    # The mark for 3.5 is a diamond centred on 236 + 2.5 * 80 = 436, on the row's centre line.
    (mark,) = by_class(rows["0"], "qim-mark")
    diamond = [p for p in mark.iter(f"{NS}polygon")][-1]
    points = [tuple(float(v) for v in point.split(",")) for point in (diamond.get("points") or "").split()]
    assert len(points) == 4
    assert math.isclose(sum(x for x, _y in points) / 4, 436, abs_tol=0.051)
    assert math.isclose(sum(y for _x, y in points) / 4, float(whisker.get("y1") or 0), abs_tol=0.051)
    assert diamond.get("fill") != diamond.get("stroke")
    assert "3.50" in [t.text for t in by_class(rows["0"], "qim-value-label")]


def test_box_prints_n_and_shows_suppressed_rows() -> None:
    root = parse(make_box())
    rows = {g.get("data-row"): g for g in by_class(root, "qim-row")}
    assert "n = 40" in all_text(rows["0"]) and "median 2.6" in all_text(rows["0"])
    (note,) = by_class(rows["1"], "qim-suppressed")
    assert note.text == "suppressed (fewer than the minimum)"
    assert not by_class(rows["1"], "qim-quartiles") and not by_class(rows["1"], "qim-median")
    assert "n = 3" in all_text(rows["1"])
    # The organisation's own value is still shown on a suppressed row; a missing mark is said in words.
    assert len(by_class(rows["1"], "qim-mark")) == 1
    assert not by_class(rows["2"], "qim-mark") and "Moorgate: no value" in all_text(rows["2"])


def test_box_legend_and_desc() -> None:
    root = parse(make_box())
    (legend,) = by_class(root, "qim-legend")
    texts = [t.text for t in legend.iter(f"{NS}text")]
    assert texts == ["Middle half (quartiles)", "Median", "Lowest to highest", "Moorgate"]
    desc = desc_text(root, "box-test")
    assert (
        "Leadership: lowest 1.25, lower quartile 2.00, median 2.60, upper quartile 3.40, highest 4.75; n = 40;"
        " Moorgate 3.50." in desc
    )
    assert "Governance: suppressed (fewer than the minimum); n = 3; Moorgate 4." in desc
    assert (
        "Patient involvement: lowest 1.00, lower quartile 1.50, median 2.00, upper quartile 3.00, highest 5.00; n = 38;"
        in desc
    )
    assert "Moorgate no value." in desc
    plain = parse(box_chart("p", BOXES, SCALE, title="t"))
    assert not by_class(plain, "qim-mark") and "This organisation" not in all_text(plain)
    (legend,) = by_class(plain, "qim-legend")
    assert len(list(legend.iter(f"{NS}text"))) == 3


def test_box_default_mark_label() -> None:
    root = parse(box_chart("b", BOXES, SCALE, title="t", marks=[("Leadership", 2.0)]))
    assert "This organisation" in all_text(root)
    assert "This organisation 2." in desc_text(root, "b")


# --- trend chart -------------------------------------------------------------------------------------------------


def test_trend_has_one_marker_per_value() -> None:
    root = parse(make_trend())
    points = by_class(root, "qim-trend-point")
    per_series = {i: sum(v is not None for v in values) for i, (_l, values) in enumerate(TREND_SERIES)}
    assert len(points) == sum(per_series.values()) == 9
    for i, count in per_series.items():
        assert len([p for p in points if p.get("data-series") == str(i)]) == count


def test_trend_gap_breaks_the_line() -> None:
    root = parse(make_trend())
    lines = by_class(root, "qim-trend-line")
    by_series = {i: [p for p in lines if p.get("data-series") == str(i)] for i in range(3)}
    # Leadership 1.5, 2, -, 3.25: one segment for the first two assessments, then a lone point (no segment).
    assert len(by_series[0]) == 1 and (by_series[0][0].get("d") or "").count("L") == 1
    # Governance has no gap: a single path through all four points.
    assert len(by_series[1]) == 1 and (by_series[1][0].get("d") or "").count("L") == 3
    broken = trend_chart("b", DATES + ["2025-03-31"], [("A", [1.0, 2.0, None, 3.0, 4.0])], SCALE, title="t")
    paths = by_class(parse(broken), "qim-trend-line")
    assert len(paths) == 2
    assert [(p.get("d") or "").count("M") for p in paths] == [1, 1]


def test_trend_series_differ_by_colour_shape_and_dash() -> None:
    series = [(f"Series {i}", [1.0 + i * 0.5, 2.0]) for i in range(8)]
    root = parse(trend_chart("t", DATES[:2], series, SCALE, title="t"))
    lines = by_class(root, "qim-trend-line")
    assert len(lines) == 8
    assert [line.get("stroke") for line in lines] == list(PALETTE)
    dashes = [line.get("stroke-dasharray") or "solid" for line in lines]
    assert len(set(dashes)) == 8
    shapes = [p.get("data-shape") for p in by_class(root, "qim-trend-point") if p.get("data-series") in ("0", "4")]
    assert shapes == [MARKERS[0], MARKERS[0], MARKERS[4], MARKERS[4]]
    texts = [t.text for t in by_class(root, "qim-legend")[0].iter(f"{NS}text")]
    assert texts == [label for label, _v in series]


def test_trend_prints_the_last_value_beside_the_series_label() -> None:
    root = parse(make_trend())
    labels = {t.get("data-series"): "".join(t.itertext()) for t in by_class(root, "qim-end-label")}
    assert labels == {
        "0": "Leadership 3.25",
        "1": "Governance 3.00",
        "2": "Patient involvement 1.50 (31 Mar 2023)",
    }
    # Dates as the NHS writes them: in full in the description, the month cut short on the chart itself.
    assert [t.text for t in by_class(root, "qim-dates")[0].iter(f"{NS}text")] == [
        "31 Mar 2021",
        "31 Mar 2022",
        "31 Mar 2023",
        "31 Mar 2024",
    ]
    desc = desc_text(root, "trend-test")
    assert "Assessments on 31 March 2021, 31 March 2022, 31 March 2023, 31 March 2024." in desc
    assert "Leadership: 31 March 2021 1.50, 31 March 2022 2.00, 31 March 2023 no value, 31 March 2024 3.25." in desc
    assert (
        "Patient involvement: 31 March 2021 no value, 31 March 2022 1.00, 31 March 2023 1.50, 31 March 2024 no value."
        in desc
    )


def test_trend_end_labels_do_not_overlap() -> None:
    series = [(f"Domain {i}", [2.0, 3.0 + i * 0.01]) for i in range(6)]
    root = parse(trend_chart("t", DATES[:2], series, SCALE, title="t"))
    ys = sorted(float(t.get("y") or 0) for t in by_class(root, "qim-end-label"))
    assert len(ys) == 6 and all(b - a >= 10.5 * 1.2 for a, b in zip(ys, ys[1:], strict=False))


def test_trend_values_sit_on_the_scale() -> None:
    root = parse(trend_chart("t", DATES[:3], [("A", [1.0, 3.0, 5.0])], SCALE, title="t"))
    points = by_class(root, "qim-trend-point")
    xs = [float(p.get("cx") or 0) for p in points]
    ys = [float(p.get("cy") or 0) for p in points]
    # Evenly spaced assessments; the plot is 190 high from level 1 to level 5, so 3 is halfway.
    assert math.isclose(xs[1] - xs[0], xs[2] - xs[1], abs_tol=0.11)
    assert math.isclose(ys[0] - ys[2], 190, abs_tol=0.11) and math.isclose(ys[0] - ys[1], 95, abs_tol=0.11)
    # One series: every value is printed, the last beside the label; no legend is needed.
    assert [t.text for t in by_class(root, "qim-value-label")] == ["1.00", "3.00"]
    assert not by_class(root, "qim-legend")
    assert "A 5" in all_text(root)


def test_trend_with_twenty_dates_turns_the_date_labels() -> None:
    dates = [f"{2001 + i}-06-30" for i in range(20)]
    root = parse(trend_chart("t", dates, [("A", [1 + i / 5 for i in range(20)])], SCALE, title="t"))
    labels = by_class(root, "qim-date")
    assert len(labels) == 20 and all((t.get("transform") or "").startswith("rotate(-45") for t in labels)
    assert len(by_class(root, "qim-trend-point")) == 20


def test_trend_without_series_says_so() -> None:
    root = parse(trend_chart("e", DATES[:2], [], SCALE, title="Nothing"))
    assert "No series to show." in desc_text(root, "e") and "No series to show." in all_text(root)


def test_distribution_chart_does_not_grow_with_respondents() -> None:
    # The report's charts take counts per level (this one) and values per group (group_chart), never a row per
    # respondent: a thousand times the respondents gives a chart of the same size, a few digits longer.
    few = [(f"Question {i}", {1: 1, 2: 2, 3: 3, 4: 1, 5: 1}, 1) for i in range(8)]
    many = [(label, {level: n * 1000 for level, n in counts.items()}, na * 1000) for label, counts, na in few]
    small = distribution_chart("spread-few", few, SCALE, title="Answers by level")
    large = distribution_chart("spread-many", many, SCALE, title="Answers by level")
    view_box = re.compile(r'viewBox="([^"]+)"')
    assert view_box.findall(large) == view_box.findall(small)
    assert len(large) < 1.1 * len(small)


def test_a_question_without_answers_to_show_says_so_not_that_nobody_answered():
    # A question answered only by groups below the minimum group size has answers that count but are not shown:
    # its bar must not claim there were none.
    svg = distribution_chart("d", [("lead-executive-lead", {}, 0), ("lead-role-models", {3: 3}, 0)], SCALE, title="t")
    assert "no answers shown" in svg
    assert ">no answers<" not in svg
