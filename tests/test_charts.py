"""The SVG charts: well-formed, accessible, escaped, self-contained, deterministic, geometrically right, printable."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from qimaturity.charts import MARKERS, PALETTE, distribution_chart, group_chart, radar_chart

NS = "{http://www.w3.org/2000/svg}"
SCALE = [(1, "Not started"), (2, "Emerging"), (3, "Developing"), (4, "Established"), (5, "Exemplary")]
GROUPS = [
    ("board", "Board"),
    ("managers", "Managers"),
    ("frontline", "Frontline staff"),
    ("patients", "Patient partners"),
]
HOSTILE = ["<script>alert(1)</script>", '" onload="x', "&", "]]>"]


def make_radar(chart_id: str = "radar-test") -> str:
    axes = [
        ("Leadership", 3.25, 4),
        ("Governance", 2.5, 4),
        ("Capability", None, 3),
        ("Partnership", 1.75, None),
        ("Data", 4.0, 4),
    ]
    return radar_chart(chart_id, axes, SCALE, title="Domain levels against targets")


def make_bars(chart_id: str = "bars-test") -> str:
    return radar_chart(chart_id, [("Leadership", 2.5, 4), ("Governance", None, 3)], SCALE, title="Two domains")


def make_groups(chart_id: str = "groups-test") -> str:
    rows = [
        ("Board reviews QI progress", {"board": 4.5, "managers": 3.5, "frontline": 2.0, "patients": 2.5}),
        ("Protected time for improvement", {"board": 4.0, "managers": 3.0, "frontline": 2.0}),
        ("Patients shape priorities", {"patients": 1.5}),
    ]
    return group_chart(
        chart_id, rows, GROUPS, SCALE, title="Leadership by group", highlight=["Board reviews QI progress"]
    )


def make_distribution(chart_id: str = "dist-test") -> str:
    rows = [
        ("Board reviews QI progress", {1: 1, 2: 3, 3: 4}, 2),
        ("Protected time for improvement", {2: 5, 4: 5}, 0),
    ]
    return distribution_chart(chart_id, rows, SCALE, title="Spread of answers")


BUILDERS: dict[str, Callable[[str], str]] = {
    "radar": make_radar,
    "bars": make_bars,
    "groups": make_groups,
    "distribution": make_distribution,
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


# --- every chart -------------------------------------------------------------------------------------------------


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
    assert re.fullmatch(r"max-width: \d+px", root.get("style") or "")
    assert root.get("font-family") in ("sans-serif", "inherit")
    sizes = [float(e.get("font-size") or 0) for e in root.iter() if e.get("font-size") is not None]
    assert sizes and min(sizes) >= 9


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_chart_is_self_contained(kind: str) -> None:
    svg = BUILDERS[kind](f"{kind}-chart")
    for forbidden in ("href", "<image", "<script", "foreignObject", "@import"):
        assert forbidden not in svg
    assert svg.count("http") == 1  # the xmlns declaration only
    ids = {element.get("id") for element in parse(svg).iter()}
    for reference in re.findall(r"url\(([^)]*)\)", svg):
        assert reference.startswith("#") and reference[1:] in ids


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_output_is_deterministic(kind: str) -> None:
    assert BUILDERS[kind](f"{kind}-chart") == BUILDERS[kind](f"{kind}-chart")


def test_coordinates_have_at_most_one_decimal_place() -> None:
    geometry = ("x", "y", "cx", "cy", "r", "width", "height", "x1", "y1", "x2", "y2", "points")
    for kind, build in BUILDERS.items():
        for element in parse(build(f"{kind}-chart")).iter():
            for name in geometry:
                value = element.get(name)
                if value is not None and value != "100%":
                    assert re.fullmatch(r"(-?\d+(\.\d)?[ ,]?)+", value), (kind, element.tag, name, value)


@pytest.mark.parametrize("bad", ["", "Radar", "1radar", "radar chart", "radar_1", "radar\n", "radar-é", '"x'])
def test_chart_id_is_validated(bad: str) -> None:
    with pytest.raises(ValueError):
        radar_chart(bad, [("A", 1, 2)] * 3, SCALE, title="t")
    with pytest.raises(ValueError):
        group_chart(bad, [("Q", {"board": 1})], GROUPS, SCALE, title="t")
    with pytest.raises(ValueError):
        distribution_chart(bad, [("Q", {1: 1}, 0)], SCALE, title="t")


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


@pytest.mark.parametrize(("chart_id", "svg"), hostile_charts())
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


def test_control_characters_do_not_break_the_xml() -> None:
    svg = radar_chart("r", [("A\x00b\x1bc", 1, 2), ("B", 2, 3), ("C", 3, 4)], SCALE, title="t\x0c")
    assert "Abc" in desc_text(parse(svg), "r")


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
    for value in ("5", "2.5", "1"):
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
    counts = [t.text for t in by_class(rows["0"], "qim-count")]
    assert counts == ["1", "3", "4"]


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


def test_weasyprint_renders_the_charts() -> None:
    from weasyprint import HTML

    charts = [build(f"{kind}-chart") for kind, build in BUILDERS.items()]
    charts += [svg for _id, svg in hostile_charts()[:1]]
    page = "<!doctype html><html><body>" + "".join(f"<figure>{chart}</figure>" for chart in charts) + "</body></html>"
    pdf = HTML(string=page).write_pdf()
    assert pdf is not None and pdf.startswith(b"%PDF")
