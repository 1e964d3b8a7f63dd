"""Inline SVG charts for gap reports, drawn by our own code (no plotting library).

Three charts are offered for one organisation's gap report: a radar of domain levels against targets (a bar chart
when there are fewer than three domains), a dot plot of how each respondent group rated each question (the perception
gap), and 100% stacked bars showing how respondents' answers spread over the levels. Three more compare
organisations: a heatmap of organisations by domains, box plots of each domain's spread across organisations (with one
organisation marked), and a trend chart of domain levels over successive assessments.

Accessibility and print choices:

* every chart is an ``<svg role="img">`` labelled by its ``<title>`` and by a ``<desc>`` that states the full data
  in words, so a screen reader gets everything the picture shows;
* colours are Okabe-Ito (series) and a light-to-dark blue ramp (levels), both safe for colour-blind readers, and
  colour never carries meaning alone: series differ by marker shape and line dash too, values and counts are
  printed as numbers, flagged rows carry a '!' mark, N/A is hatched;
* text is at least 9.5px in a viewBox 640-700 wide, so it stays legible on A4 and on black-and-white printers; the
  chart has its own white background so it also reads on dark pages;
* the SVG scales with its container (``width="100%"`` and a ``max-width``) and uses a generic sans-serif font;
* every piece of user text is escaped; the output has no scripts, images or links, only ``url(#...)`` references to
  patterns defined in the same SVG; output is deterministic (coordinates rounded to one decimal place).
"""

from __future__ import annotations

import html
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from qimaturity._core.numbers import decimals, fixed

PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross")

_ID = re.compile(r"[a-z][a-z0-9-]*")
_HEX_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_TEXT = "#1A1A1A"
_MUTED = "#4D4D4D"
_GRID = "#C8C8C8"
_FAINT = "#E3E3E3"
_FLAG = "#D55E00"
_FLAG_BAND = "#FCEBD2"
_NA_FILL = "#E0E0E0"
_NA_HATCH = "#7A7A7A"
_BLUES = ("#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B")

_FS_TITLE = 15.0
_FS_LABEL = 11.5
_FS_SMALL = 10.0
_FS_NAME = 9.5
_FS_VALUE = 10.5
_LINE = 1.25

_GAP_NAME = "Not scored"

_CHAR_WIDTHS: dict[str, float] = {
    " ": 0.32,
    "i": 0.28,
    "j": 0.28,
    "l": 0.28,
    "I": 0.3,
    ".": 0.32,
    ",": 0.32,
    ":": 0.34,
    ";": 0.34,
    "'": 0.28,
    "|": 0.34,
    "!": 0.4,
    "f": 0.36,
    "t": 0.4,
    "r": 0.42,
    "(": 0.4,
    ")": 0.4,
    "[": 0.4,
    "]": 0.4,
    "-": 0.37,
    "/": 0.34,
    "m": 0.98,
    "w": 0.82,
    "M": 0.87,
    "W": 0.99,
    "%": 0.96,
    "…": 1.0,
}


@dataclass(frozen=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def moved(self, dx: float, dy: float) -> _Box:
        return _Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _box_around(x: float, y: float, half: float) -> _Box:
    return _Box(x - half, y - half, x + half, y + half)


@dataclass(frozen=True)
class _LegendItem:
    swatch: Callable[[float, float], str]
    swatch_width: float
    label: str


# --- validation and formatting -----------------------------------------------------------------------------------


def _check_id(chart_id: str) -> None:
    if not isinstance(chart_id, str) or _ID.fullmatch(chart_id) is None:
        raise ValueError(f"chart_id must match ^[a-z][a-z0-9-]*$, got {chart_id!r}")


def _check_colour(colour: str) -> str:
    if not isinstance(colour, str) or _HEX_COLOUR.fullmatch(colour) is None:
        raise ValueError(f"colour must be a hex colour such as '#0072B2', got {colour!r}")
    return colour


def _check_scale(scale: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    levels = [(int(value), str(name)) for value, name in scale]
    if not levels:
        raise ValueError("the scale needs at least one level")
    if any(b[0] <= a[0] for a, b in zip(levels, levels[1:], strict=False)):
        raise ValueError("scale levels must be listed lowest first, without repeats")
    return levels


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return number


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", str(text))


def _esc(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def _num(value: float) -> str:
    """A coordinate: at most one decimal place."""
    return decimals(value, 1)


def _fmt(value: float) -> str:
    """A data value for people: at most two decimal places."""
    return decimals(value, 2)


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Width estimate with DejaVu Sans metrics, the widest common sans-serif, so that layouts err on the roomy side."""
    total = 0.0
    for char in text:
        if char in _CHAR_WIDTHS:
            total += _CHAR_WIDTHS[char]
        elif unicodedata.combining(char):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1.0
        elif char.isdigit():
            total += 0.64
        elif char.islower():
            total += 0.62
        elif char.isupper():
            total += 0.73
        else:
            total += 0.66
    return total * size * (1.08 if bold else 1.0)


def _wrap(text: str, chars: int, max_px: float, size: float, max_lines: int, bold: bool = False) -> list[str]:
    """Wrap at about `chars` characters per line, tighter if the text is wide; long text ends in an ellipsis."""
    flat = " ".join(_clean(text).split())
    if not flat:
        return [""]
    width = chars
    while True:
        lines = textwrap.wrap(flat, width=width, break_long_words=True, break_on_hyphens=True)
        if width <= 4 or all(_text_width(line, size, bold) <= max_px for line in lines):
            break
        width -= 1
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _text_width(last + "…", size, bold) > max_px:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def _pack(items: Sequence[str], separator: str, max_px: float, size: float) -> list[str]:
    """Join items into lines no wider than max_px, breaking only between items."""
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = item if not current else current + separator + item
        if current and _text_width(candidate, size) > max_px:
            lines.append(current)
            current = item
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


# --- SVG building blocks -----------------------------------------------------------------------------------------


def _attrs(**attributes: str | float | None) -> str:
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        shown = _num(value) if isinstance(value, float | int) else value
        parts.append(f' {name}="{shown}"')
    return "".join(parts)


def _tooltip(text: str | None) -> str:
    return f"<title>{_esc(text)}</title>" if text else ""


def _text(
    x: float,
    baseline: float,
    lines: Sequence[str],
    *,
    size: float,
    anchor: str = "start",
    fill: str = _TEXT,
    bold: bool = False,
    italic: bool = False,
    cls: str | None = None,
) -> str:
    """A text element, one tspan per line, the first baseline at `baseline`; lines are escaped here."""
    attributes = _attrs(
        class_=cls,
        x=x,
        y=baseline,
        font_size=size,
        text_anchor=None if anchor == "start" else anchor,
        fill=fill,
        font_weight="bold" if bold else None,
        font_style="italic" if italic else None,
    )
    if len(lines) == 1:
        return f"<text{attributes}>{_esc(lines[0])}</text>"
    step = size * _LINE
    spans = "".join(
        f'<tspan x="{_num(x)}" y="{_num(baseline + i * step)}">{_esc(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f"<text{attributes}>{spans}</text>"


def _baseline(centre_y: float, size: float) -> float:
    """Baseline that centres one line of text of this size on centre_y."""
    return centre_y + 0.36 * size


def _block_first_baseline(top: float, size: float) -> float:
    return _baseline(top + size * _LINE / 2, size)


def _marker(
    shape: str,
    x: float,
    y: float,
    fill: str,
    *,
    size: float = 5.0,
    stroke: str = "#FFFFFF",
    stroke_width: float = 1.0,
    extra: str = "",
    tooltip: str | None = None,
) -> str:
    """A marker of about the same visual weight whatever its shape, centred on (x, y)."""
    paint = f' fill="{fill}" stroke="{stroke}" stroke-width="{_num(stroke_width)}"{extra}'
    inner = _tooltip(tooltip)
    if shape == "circle":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(size)}"{paint}>{inner}</circle>'
    if shape == "square":
        half = size * 0.9
        return (
            f'<rect x="{_num(x - half)}" y="{_num(y - half)}" width="{_num(2 * half)}" height="{_num(2 * half)}"'
            f"{paint}>{inner}</rect>"
        )
    if shape == "triangle":
        r = size * 1.3
        points = [(x, y - r), (x + r * 0.866, y + r * 0.5), (x - r * 0.866, y + r * 0.5)]
    elif shape == "diamond":
        r = size * 1.25
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif shape == "cross":
        a, b = size * 0.4, size * 1.2
        points = [
            (x - a, y - b),
            (x + a, y - b),
            (x + a, y - a),
            (x + b, y - a),
            (x + b, y + a),
            (x + a, y + a),
            (x + a, y + b),
            (x - a, y + b),
            (x - a, y + a),
            (x - b, y + a),
            (x - b, y - a),
            (x - a, y - a),
        ]
    else:
        raise ValueError(f"unknown marker shape {shape!r}")
    return f'<polygon points="{_points(points)}"{paint}>{inner}</polygon>'


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _gap_icon(x: float, y: float, r: float = 5.5, cls: str = "qim-gap") -> str:
    """The 'not scored' mark: an open circle struck through."""
    d = r * 0.7071
    return (
        f'<g class="{cls}" fill="none" stroke="{_MUTED}" stroke-width="1.4">'
        f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="#FFFFFF"/>'
        f'<line x1="{_num(x - d)}" y1="{_num(y + d)}" x2="{_num(x + d)}" y2="{_num(y - d)}"/></g>'
    )


def _flag_mark(x: float, y: float) -> str:
    return (
        f'<g class="qim-flag"><circle cx="{_num(x)}" cy="{_num(y)}" r="7" fill="{_FLAG}"/>'
        + _text(x, _baseline(y, 11.0), ["!"], size=11.0, anchor="middle", fill="#FFFFFF", bold=True)
        + "</g>"
    )


def _labelled_value(box: _Box, text: str, size: float, bold: bool = True) -> str:
    return (
        f'<rect x="{_num(box.x0)}" y="{_num(box.y0)}" width="{_num(box.x1 - box.x0)}" height="{_num(box.y1 - box.y0)}"'
        f' rx="2" fill="#FFFFFF" fill-opacity="0.9"/>'
        + _text(box.cx, _baseline(box.cy, size), [text], size=size, anchor="middle", bold=bold, cls="qim-value-label")
    )


def _title_block(title: str, width: float) -> tuple[str, float]:
    lines = _wrap(title, 200, width - 24, _FS_TITLE, 3, bold=True)
    svg = _text(12, _block_first_baseline(10, _FS_TITLE), lines, size=_FS_TITLE, bold=True, cls="qim-title")
    return svg, 10 + len(lines) * _FS_TITLE * _LINE


def _legend(items: Sequence[_LegendItem], x0: float, top: float, max_width: float) -> tuple[str, float]:
    """Legend items flowing left to right, wrapping onto new rows; returns the SVG and the height used."""
    row_height = 20.0
    parts: list[str] = []
    x, centre = x0, top + row_height / 2
    for item in items:
        width = item.swatch_width + 6 + _text_width(item.label, _FS_LABEL)
        if x > x0 and x + width > x0 + max_width:
            x, centre = x0, centre + row_height
        parts.append(item.swatch(x, centre))
        parts.append(_text(x + item.swatch_width + 6, _baseline(centre, _FS_LABEL), [item.label], size=_FS_LABEL))
        x += width + 20
    if not items:
        return "", 0.0
    return '<g class="qim-legend">' + "".join(parts) + "</g>", centre + row_height / 2 - top


def _level_key(levels: Sequence[tuple[int, str]], x0: float, top: float, max_width: float) -> tuple[str, float]:
    entries = [f"{value} = {' '.join(_clean(name).split())}" for value, name in levels]
    lines = _pack(entries, "  ·  ", max_width - _text_width("Levels: ", _FS_SMALL), _FS_SMALL)
    lines = [("Levels: " if i == 0 else "") + line for i, line in enumerate(lines)]
    svg = _text(x0, _block_first_baseline(top, _FS_SMALL), lines, size=_FS_SMALL, fill=_MUTED, cls="qim-level-key")
    return svg, len(lines) * _FS_SMALL * _LINE


def _document(chart_id: str, kind: str, width: int, height: float, title: str, desc: str, body: Sequence[str]) -> str:
    h = math.ceil(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qim-chart qim-{kind}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {h}" width="100%"'
        f' style="max-width: {width}px" font-family="sans-serif" font-size="{_num(_FS_LABEL)}">'
        f'<title id="{chart_id}-title">{_esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>'
        f'<rect width="{width}" height="{h}" fill="#FFFFFF"/>' + "".join(body) + "</svg>"
    )


def _runs(present: Sequence[bool]) -> list[list[int]]:
    """Runs of consecutive present indices around a circle; a closed ring is one run that starts and ends at 0."""
    n = len(present)
    if all(present):
        return [[*range(n), 0]]
    start = next(i for i in range(n) if not present[i])
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(1, n + 1):
        i = (start + step) % n
        if present[i]:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _place(
    x: float, y: float, width: float, height: float, directions: Sequence[tuple[float, float]], obstacles: list[_Box]
) -> _Box:
    """The first box next to (x, y), trying each direction in turn, that overlaps no obstacle."""
    first: _Box | None = None
    for ux, uy in directions:
        distance = 6 + abs(ux) * width / 2 + abs(uy) * height / 2
        cx, cy = x + ux * distance, y + uy * distance
        box = _Box(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        if first is None:
            first = box
        if not any(box.overlaps(other) for other in obstacles):
            return box
    assert first is not None
    return first


# --- radar chart -------------------------------------------------------------------------------------------------

_RADAR_WIDTH = 640
_RADIUS = 150.0


def _radar_desc(items: Sequence[tuple[str, float | None, float | None]], levels: Sequence[tuple[int, str]]) -> str:
    parts = [_scale_sentence(levels)]
    if not items:
        parts.append("No domains to show.")
    for label, value, target in items:
        level = "not scored" if value is None else f"level {_fmt(value)}"
        aim = "no target" if target is None else f"target {_fmt(target)}"
        parts.append(f"{' '.join(_clean(label).split())}: {level}, {aim}.")
    return " ".join(parts)


def _scale_sentence(levels: Sequence[tuple[int, str]]) -> str:
    (lo, lo_name), (hi, hi_name) = levels[0], levels[-1]
    return f"Scale {lo} ({' '.join(lo_name.split())}) to {hi} ({' '.join(hi_name.split())})."


def _radar_legend_items(colour: str, target_colour: str, targets: bool, gaps: bool) -> list[_LegendItem]:
    def current(x: float, y: float) -> str:
        line = f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 30)}" y2="{_num(y)}" stroke="{colour}"'
        return line + ' stroke-width="2.5"/>' + _marker("circle", x + 15, y, colour, size=4.5, stroke_width=1.2)

    def target(x: float, y: float) -> str:
        line = f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 30)}" y2="{_num(y)}" stroke="{target_colour}"'
        return line + ' stroke-width="2" stroke-dasharray="6 4"/>' + _target_marker(x + 15, y, target_colour)

    items = [_LegendItem(current, 30, "Current level")]
    if targets:
        items.append(_LegendItem(target, 30, "Target"))
    if gaps:
        items.append(_LegendItem(lambda x, y: _gap_icon(x + 6, y, cls="qim-legend-gap"), 12, _GAP_NAME))
    return items


def _target_marker(x: float, y: float, colour: str, tooltip: str | None = None) -> str:
    """The square target mark; a tooltip means it stands for data, not for the legend."""
    cls = ' class="qim-target"' if tooltip else ""
    return (
        f'<rect{cls} x="{_num(x - 5.5)}" y="{_num(y - 5.5)}" width="11" height="11" fill="#FFFFFF"'
        f' fill-opacity="0.6" stroke="{colour}" stroke-width="1.8">{_tooltip(tooltip)}</rect>'
    )


def radar_chart(
    chart_id: str,
    axes: Sequence[tuple[str, float | None, int | None]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    colour: str = PALETTE[0],
    target_colour: str = "#555555",
) -> str:
    """Domain values as a filled polygon (solid line, circle markers, value printed at each vertex) against targets
    (dashed line, no fill, square markers); concentric rings for each level with level numbers; axis labels wrapped
    to at most ~18 characters per line; a legend naming 'Current level' and 'Target' with their line styles.
    With fewer than 3 axes draw a horizontal bar chart instead (same information). Axes with value None are drawn
    with a gap marker and labelled '(not scored)'."""
    _check_id(chart_id)
    levels = _check_scale(scale)
    _check_colour(colour)
    _check_colour(target_colour)
    items = [
        (
            str(label),
            None if value is None else _finite(value, "a domain value"),
            None if target is None else _finite(target, "a target"),
        )
        for label, value, target in axes
    ]
    desc = _radar_desc(items, levels)
    title_svg, top = _title_block(title, _RADAR_WIDTH)
    if len(items) < 3:
        body, height = _bar_body(items, levels, top, colour, target_colour)
    else:
        body, height = _radar_body(items, levels, top, colour, target_colour)
    return _document(chart_id, "radar", _RADAR_WIDTH, height, title, desc, [title_svg, *body])


def _radar_body(
    items: Sequence[tuple[str, float | None, float | None]],
    levels: Sequence[tuple[int, str]],
    top: float,
    colour: str,
    target_colour: str,
) -> tuple[list[str], float]:
    n = len(items)
    lo, hi = levels[0][0], levels[-1][0]
    base = lo - 1

    def radius(value: float) -> float:
        return _RADIUS * (min(max(value, base), hi) - base) / (hi - base)

    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
    units = [(math.cos(a), math.sin(a)) for a in angles]

    # Everything is laid out around a centre at (0, 0) first, then moved once the vertical extent is known.
    label_parts: list[tuple[float, float, list[str], str, bool, float]] = []
    obstacles: list[_Box] = []
    step = _FS_LABEL * _LINE
    for (label, value, _target), (ux, uy) in zip(items, units, strict=True):
        lines = _wrap(label, 18, 126, _FS_LABEL, 4)
        rows = len(lines) + (1 if value is None else 0)
        width = max(_text_width(line, _FS_LABEL) for line in lines)
        if value is None:
            width = max(width, _text_width("(not scored)", _FS_LABEL))
        height = rows * step
        ax, ay = (_RADIUS + 12) * ux, (_RADIUS + 12) * uy
        if ux > 0.25:
            anchor, x0 = "start", ax
        elif ux < -0.25:
            anchor, x0 = "end", ax - width
        else:
            anchor, x0 = "middle", ax - width / 2
        if uy < -0.25:
            y0 = ay - height
        elif uy > 0.25:
            y0 = ay
        else:
            y0 = ay - height / 2
        obstacles.append(_Box(x0, y0, x0 + width, y0 + height))
        label_parts.append((ax, y0, lines, anchor, value is None, step))

    bisector = -math.pi / 2 + math.pi / n
    bx, by = math.cos(bisector), math.sin(bisector)
    ring_labels: list[tuple[_Box, str]] = []
    for value, _name in levels:
        text = str(value)
        r = radius(value)
        w = _text_width(text, _FS_SMALL) + 4
        box = _Box(r * bx - w / 2, r * by - 7, r * bx + w / 2, r * by + 7)
        ring_labels.append((box, text))
        obstacles.append(box)

    vertices: list[tuple[float, float] | None] = []
    target_points: list[tuple[float, float] | None] = []
    for (_label, value, target), (ux, uy) in zip(items, units, strict=True):
        vertices.append(None if value is None else (radius(value) * ux, radius(value) * uy))
        target_points.append(None if target is None else (radius(target) * ux, radius(target) * uy))
        if value is None:
            obstacles.append(_box_around(_RADIUS * ux, _RADIUS * uy, 6.5))
    obstacles.extend(_box_around(p[0], p[1], 6) for p in target_points if p is not None)
    obstacles.extend(_box_around(p[0], p[1], 5.5) for p in vertices if p is not None)

    value_labels: list[tuple[_Box, str]] = []
    for (_label, value, _target), vertex, (ux, uy) in zip(items, vertices, units, strict=True):
        if value is None or vertex is None:
            continue
        text = _fmt(value)
        w, h = _text_width(text, _FS_VALUE, bold=True) + 6, _FS_VALUE + 4
        px, py = -uy, ux
        d = 0.7071
        directions = [
            (ux, uy),
            (d * (ux + px), d * (uy + py)),
            (d * (ux - px), d * (uy - py)),
            (px, py),
            (-px, -py),
            (-ux, -uy),
        ]
        box = _place(vertex[0], vertex[1], w, h, directions, obstacles)
        obstacles.append(box)
        value_labels.append((box, text))

    extent_top = max([_RADIUS + 8] + [-box.y0 for box in obstacles])
    extent_bottom = max([_RADIUS + 8] + [box.y1 for box in obstacles])
    cx, cy = _RADAR_WIDTH / 2, top + 14 + extent_top

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] + cx, point[1] + cy

    parts: list[str] = ['<g class="qim-grid" fill="none">']
    for value, _name in levels:
        stroke = "#9A9A9A" if value == hi else _GRID
        parts.append(
            f'<circle class="qim-ring" cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(radius(value))}" stroke="{stroke}"'
            ' stroke-width="1"/>'
        )
    for (_label, value, _target), (ux, uy) in zip(items, units, strict=True):
        dash = ' stroke-dasharray="2 3"' if value is None else ""
        parts.append(
            f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(cx + _RADIUS * ux)}" y2="{_num(cy + _RADIUS * uy)}"'
            f' stroke="{_GRID}" stroke-width="1"{dash}/>'
        )
    parts.append("</g>")
    for box, text in ring_labels:
        moved = box.moved(cx, cy)
        parts.append(
            f'<rect x="{_num(moved.x0)}" y="{_num(moved.y0)}" width="{_num(moved.x1 - moved.x0)}" height="14"'
            ' rx="2" fill="#FFFFFF" fill-opacity="0.85"/>'
        )
        parts.append(
            _text(moved.cx, _baseline(moved.cy, _FS_SMALL), [text], size=_FS_SMALL, anchor="middle", fill=_MUTED)
        )

    present = [v is not None for v in vertices]
    shown = [at(v) for v in vertices if v is not None]
    if len(shown) >= 3:
        stroke = f' stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"' if all(present) else ""
        parts.append(
            f'<polygon class="qim-value-area" points="{_points(shown)}" fill="{colour}" fill-opacity="0.16"{stroke}/>'
        )
    target_runs = _runs([t is not None for t in target_points]) if any(t is not None for t in target_points) else []
    for run in target_runs:
        points = [at(p) for p in (target_points[i] for i in run) if p is not None]
        if len(points) >= 2:
            parts.append(
                f'<polyline class="qim-target-line" points="{_points(points)}" fill="none" stroke="{target_colour}"'
                ' stroke-width="2" stroke-dasharray="6 4" stroke-linejoin="round"/>'
            )
    if not all(present) and any(present):
        for run in _runs(present):
            points = [at(p) for p in (vertices[i] for i in run) if p is not None]
            if len(points) >= 2:
                parts.append(
                    f'<polyline class="qim-value-line" points="{_points(points)}" fill="none" stroke="{colour}"'
                    ' stroke-width="2.5" stroke-linejoin="round"/>'
                )
    for (label, _value, target), point in zip(items, target_points, strict=True):
        if point is not None and target is not None:
            x, y = at(point)
            parts.append(_target_marker(x, y, target_colour, f"{label}: target {_fmt(target)}"))
    for (label, value, _target), point, (ux, uy) in zip(items, vertices, units, strict=True):
        if point is None or value is None:
            parts.append(_gap_icon(cx + _RADIUS * ux, cy + _RADIUS * uy))
            continue
        x, y = at(point)
        parts.append(
            _marker(
                "circle",
                x,
                y,
                colour,
                size=4.5,
                stroke_width=1.2,
                extra=' class="qim-value"',
                tooltip=f"{label}: level {_fmt(value)}",
            )
        )
    for box, text in value_labels:
        parts.append(_labelled_value(box.moved(cx, cy), text, _FS_VALUE))
    for ax, y0, lines, anchor, not_scored, line_step in label_parts:
        x = ax + cx
        first = _block_first_baseline(y0 + cy, _FS_LABEL)
        parts.append(_text(x, first, lines, size=_FS_LABEL, anchor=anchor, cls="qim-axis-label"))
        if not_scored:
            parts.append(
                _text(
                    x,
                    first + len(lines) * line_step,
                    ["(not scored)"],
                    size=_FS_LABEL,
                    anchor=anchor,
                    italic=True,
                    fill=_MUTED,
                )
            )

    y = cy + extent_bottom + 14
    legend_items = _radar_legend_items(
        colour, target_colour, any(t is not None for t in target_points), not all(present)
    )
    return _radar_footer(parts, legend_items, levels, y)


_BAR_LABEL_PX = 214
_BAR_X0 = 250.0
_BAR_X1 = 520.0
_BAR_COLUMN = 540.0


def _bar_body(
    items: Sequence[tuple[str, float | None, float | None]],
    levels: Sequence[tuple[int, str]],
    top: float,
    colour: str,
    target_colour: str,
) -> tuple[list[str], float]:
    lo, hi = levels[0][0], levels[-1][0]
    base = lo - 1

    def x_of(value: float) -> float:
        return _BAR_X0 + (_BAR_X1 - _BAR_X0) * (min(max(value, base), hi) - base) / (hi - base)

    if not items:
        return [
            _text(12, _baseline(top + 20, _FS_LABEL), ["No domains to show."], size=_FS_LABEL, fill=_MUTED)
        ], top + 40
    parts: list[str] = []
    y = top + 10
    axis_top = y + 16
    parts.extend(_axis_numbers(levels, x_of, _baseline(y + 8, _FS_SMALL)))
    y = axis_top
    rows: list[str] = []
    step = _FS_LABEL * _LINE
    for label, value, target in items:
        lines = _wrap(label, 30, _BAR_LABEL_PX, _FS_LABEL, 4)
        height = max(44.0, len(lines) * step + 16)
        centre = y + height / 2
        rows.append(
            _text(
                12,
                _block_first_baseline(centre - len(lines) * step / 2, _FS_LABEL),
                lines,
                size=_FS_LABEL,
                cls="qim-axis-label",
            )
        )
        column: list[tuple[str, bool, bool]] = []
        if value is None:
            rows.append(_gap_icon(_BAR_X0 + 9, centre))
            column.append(("(not scored)", False, True))
        else:
            end = x_of(value)
            rows.append(
                f'<rect class="qim-value-bar" x="{_num(_BAR_X0)}" y="{_num(centre - 7)}" width="{_num(end - _BAR_X0)}"'
                f' height="14" fill="{colour}" fill-opacity="0.3" stroke="{colour}" stroke-width="1.5"/>'
            )
            column.append((_fmt(value), True, False))
        if target is not None:
            tx = x_of(target)
            rows.append(
                f'<line class="qim-target-line" x1="{_num(tx)}" y1="{_num(centre - 15)}" x2="{_num(tx)}"'
                f' y2="{_num(centre + 15)}" stroke="{target_colour}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
            rows.append(_target_marker(tx, centre, target_colour, f"{label}: target {_fmt(target)}"))
            column.append((f"target {_fmt(target)}", False, False))
        if value is not None:
            rows.append(
                _marker(
                    "circle",
                    x_of(value),
                    centre,
                    colour,
                    size=4.5,
                    stroke_width=1.2,
                    extra=' class="qim-value"',
                    tooltip=f"{label}: level {_fmt(value)}",
                )
            )
        first = centre - len(column) * step / 2
        for i, (text, bold, italic) in enumerate(column):
            rows.append(
                _text(
                    _BAR_COLUMN,
                    _block_first_baseline(first + i * step, _FS_LABEL),
                    [text],
                    size=_FS_LABEL,
                    bold=bold,
                    italic=italic,
                    fill=_TEXT if bold else _MUTED,
                )
            )
        y += height
        rows.append(f'<line x1="6" y1="{_num(y)}" x2="{_RADAR_WIDTH - 6}" y2="{_num(y)}" stroke="{_FAINT}"/>')
    parts.extend(_gridlines(levels, x_of, axis_top, y))
    parts.append(
        f'<line x1="{_num(_BAR_X0)}" y1="{_num(axis_top)}" x2="{_num(_BAR_X0)}" y2="{_num(y)}" stroke="#9A9A9A"/>'
    )
    parts.extend(rows)
    parts.extend(_axis_numbers(levels, x_of, _baseline(y + 10, _FS_SMALL)))
    y += 26
    legend_items = _radar_legend_items(
        colour, target_colour, any(t is not None for _l, _v, t in items), any(v is None for _l, v, _t in items)
    )
    return _radar_footer(parts, legend_items, levels, y)


def _radar_footer(
    parts: list[str], items: Sequence[_LegendItem], levels: Sequence[tuple[int, str]], y: float
) -> tuple[list[str], float]:
    """The radar's (or its bar fallback's) legend and level key below the drawing; returns the parts and height."""
    legend, legend_height = _legend(items, 12, y, _RADAR_WIDTH - 24)
    parts.append(legend)
    y += legend_height + 4
    key, key_height = _level_key(levels, 12, y, _RADAR_WIDTH - 24)
    parts.append(key)
    return parts, y + key_height + 10


def _axis_numbers(levels: Sequence[tuple[int, str]], x_of: Callable[[float], float], baseline: float) -> list[str]:
    return [
        _text(x_of(value), baseline, [str(value)], size=_FS_SMALL, anchor="middle", fill=_MUTED, bold=True)
        for value, _name in levels
    ]


def _gridlines(levels: Sequence[tuple[int, str]], x_of: Callable[[float], float], y0: float, y1: float) -> list[str]:
    return [
        f'<line class="qim-gridline" x1="{_num(x_of(v))}" y1="{_num(y0)}" x2="{_num(x_of(v))}" y2="{_num(y1)}"'
        f' stroke="{_GRID}" stroke-width="1"/>'
        for v, _name in levels
    ]


# --- group (perception gap) chart --------------------------------------------------------------------------------

_ROW_WIDTH = 680
_ROW_LABEL_X = 30.0
_ROW_LABEL_PX = 268.0
_DOT_X0 = 318.0
_DOT_X1 = 590.0
_SPREAD_X = 636.0


def _legend_and_levels(
    parts: list[str],
    items: Sequence[_LegendItem],
    levels: Sequence[tuple[int, str]],
    x_of: Callable[[float], float],
    y: float,
    width: float,
) -> float:
    """A legend, then the level names over the value axis (or a key of them when they do not fit), then the axis
    numbers; returns the y below the names."""
    legend, legend_height = _legend(items, 12, y + 6, width - 24)
    parts.append(legend)
    y += 6 + legend_height + 8
    names = _level_names(levels, x_of)
    if names is None:
        key, key_height = _level_key(levels, 12, y, width - 24)
        parts.append(key)
        y += key_height + 8
    else:
        svg, names_height = names(y)
        parts.append(svg)
        y += names_height
    parts.extend(_axis_numbers(levels, x_of, _baseline(y + 8, _FS_SMALL)))
    return y


def group_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Mapping[str, float]]],
    groups: Sequence[tuple[str, str]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    highlight: Sequence[str] = (),
) -> str:
    """Dot plot: one row per question, a horizontal axis over the scale (ticks and labels at each level), one marker per
    group — each group with its own colour AND its own marker shape from MARKERS — and a thin line joining the lowest
    and highest marker of the row (the spread). Legend with shape+colour+name. Row labels wrapped (~40 chars)."""
    _check_id(chart_id)
    levels = _check_scale(scale)
    group_list = [(str(gid), str(name)) for gid, name in groups]
    known = {gid for gid, _name in group_list}
    if len(known) != len(group_list):
        raise ValueError("group ids must be unique")
    style = {gid: (PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]) for i, (gid, _n) in enumerate(group_list)}
    flagged = {str(label) for label in highlight}
    data: list[tuple[str, list[tuple[str, str, float]]]] = []
    for label, values in rows:
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown group id(s) {unknown!r} in row {label!r}")
        data.append(
            (
                str(label),
                [(gid, name, _finite(values[gid], "a group value")) for gid, name in group_list if gid in values],
            )
        )
    desc = _group_desc(data, group_list, levels, flagged)

    lo, hi = levels[0][0], levels[-1][0]

    def x_of(value: float) -> float:
        if hi == lo:
            return (_DOT_X0 + _DOT_X1) / 2
        return _DOT_X0 + (_DOT_X1 - _DOT_X0) * (min(max(value, lo), hi) - lo) / (hi - lo)

    title_svg, y = _title_block(title, _ROW_WIDTH)
    parts = [title_svg]

    def group_swatch(gid: str) -> Callable[[float, float], str]:
        fill, shape = style[gid]
        return lambda x, yc: _marker(shape, x + 7, yc, fill, size=5.0, stroke="#1A1A1A", stroke_width=0.6)

    legend_items = [_LegendItem(group_swatch(gid), 14, name) for gid, name in group_list]
    any_flagged = any(label in flagged for label, _v in data)
    if any_flagged:
        legend_items.append(_LegendItem(lambda x, yc: _flag_mark(x + 7, yc), 14, "Gap flagged"))
    legend_items.append(_LegendItem(_spread_swatch, 28, "Spread (highest − lowest)"))
    y = _legend_and_levels(parts, legend_items, levels, x_of, y, _ROW_WIDTH)
    parts.append(
        _text(
            _SPREAD_X, _baseline(y + 8, _FS_SMALL), ["Spread"], size=_FS_SMALL, anchor="middle", fill=_MUTED, bold=True
        )
    )
    y += 18
    axis_top = y

    row_parts: list[str] = []
    bands: list[str] = []
    step = _FS_LABEL * _LINE
    for index, (label, present) in enumerate(data):
        is_flagged = label in flagged
        lines = _wrap(label, 40, _ROW_LABEL_PX, _FS_LABEL, 5, bold=is_flagged)
        placed = _spread_out(sorted(((x_of(v), gid, name, v) for gid, name, v in present), key=lambda p: p[0]))
        span = max((abs(dy) for _x, dy, _g, _n, _v in placed), default=0.0) * 2
        height = max(32.0, len(lines) * step + 14, span + 20)
        centre = y + height / 2
        if is_flagged:
            bands.append(
                f'<rect class="qim-highlight" x="6" y="{_num(y + 1)}" width="{_ROW_WIDTH - 12}"'
                f' height="{_num(height - 2)}" fill="{_FLAG_BAND}"/>'
            )
        cell = [f'<g class="qim-row" data-row="{index}">']
        label_top = centre - len(lines) * step / 2
        if is_flagged:
            cell.append(_flag_mark(16, label_top + step / 2))
        cell.append(
            _text(
                _ROW_LABEL_X,
                _block_first_baseline(label_top, _FS_LABEL),
                lines,
                size=_FS_LABEL,
                bold=is_flagged,
                cls="qim-row-label",
            )
        )
        if len(present) >= 2:
            xs = [x for x, *_rest in placed]
            cell.append(
                f'<line class="qim-spread" x1="{_num(min(xs))}" y1="{_num(centre)}" x2="{_num(max(xs))}"'
                f' y2="{_num(centre)}" stroke="#5A5A5A" stroke-width="2"/>'
            )
        for x, dy, gid, name, value in placed:
            fill, shape = style[gid]
            cell.append(
                _marker(
                    shape,
                    x,
                    centre + dy,
                    fill,
                    size=5.0,
                    stroke="#1A1A1A",
                    stroke_width=0.6,
                    extra=f' class="qim-marker" data-group="{_esc(gid)}" data-shape="{shape}"',
                    tooltip=f"{name}: {_fmt(value)}",
                )
            )
        if not present:
            cell.append(
                _text(
                    (_DOT_X0 + _DOT_X1) / 2,
                    _baseline(centre, _FS_SMALL),
                    ["no answers"],
                    size=_FS_SMALL,
                    anchor="middle",
                    fill=_MUTED,
                    italic=True,
                )
            )
        rated = [v for _g, _n, v in present]
        spread = _fmt(max(rated) - min(rated)) if len(rated) >= 2 else "–"
        cell.append(
            _text(
                _SPREAD_X,
                _baseline(centre, _FS_LABEL),
                [spread],
                size=_FS_LABEL,
                anchor="middle",
                bold=is_flagged,
                cls="qim-spread-value",
            )
        )
        cell.append("</g>")
        row_parts.extend(cell)
        y += height
        row_parts.append(f'<line x1="6" y1="{_num(y)}" x2="{_ROW_WIDTH - 6}" y2="{_num(y)}" stroke="{_FAINT}"/>')
    if not data:
        row_parts.append(_empty_note((_DOT_X0 + _DOT_X1) / 2, y + 18, "No questions to show."))
        y += 36
    parts.extend(bands)
    parts.extend(_gridlines(levels, x_of, axis_top, y))
    parts.extend(row_parts)
    parts.extend(_axis_numbers(levels, x_of, _baseline(y + 10, _FS_SMALL)))
    return _document(chart_id, "groups", _ROW_WIDTH, y + 26, title, desc, parts)


def _spread_swatch(x: float, y: float) -> str:
    return (
        f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 26)}" y2="{_num(y)}" stroke="#5A5A5A" stroke-width="2"/>'
        f'<line x1="{_num(x)}" y1="{_num(y - 5)}" x2="{_num(x)}" y2="{_num(y + 5)}" stroke="#5A5A5A"'
        ' stroke-width="2"/>'
        f'<line x1="{_num(x + 26)}" y1="{_num(y - 5)}" x2="{_num(x + 26)}" y2="{_num(y + 5)}" stroke="#5A5A5A"'
        ' stroke-width="2"/>'
    )


def _spread_out(
    markers: Sequence[tuple[float, str, str, float]],
) -> list[tuple[float, float, str, str, float]]:
    """Markers closer than a marker's width are stacked around the row's centre line so that none hides another."""
    clusters: list[list[tuple[float, str, str, float]]] = []
    for marker in markers:
        if clusters and marker[0] - clusters[-1][-1][0] < 12:
            clusters[-1].append(marker)
        else:
            clusters.append([marker])
    placed: list[tuple[float, float, str, str, float]] = []
    for cluster in clusters:
        for j, (x, gid, name, value) in enumerate(cluster):
            placed.append((x, (j - (len(cluster) - 1) / 2) * 12, gid, name, value))
    return placed


def _level_names(
    levels: Sequence[tuple[int, str]], x_of: Callable[[float], float]
) -> Callable[[float], tuple[str, float]] | None:
    """Level names over the axis ticks, if each fits in two lines between its neighbours; None otherwise."""
    if len(levels) < 2:
        return None
    spacing = x_of(levels[1][0]) - x_of(levels[0][0])
    max_px = min(spacing - 4, 96.0)
    if max_px < 40:
        return None
    wrapped: list[list[str]] = []
    for _value, name in levels:
        if any(_text_width(word, _FS_NAME) > max_px for word in _clean(name).split()):
            return None
        lines = _wrap(name, 16, max_px, _FS_NAME, 3)
        if len(lines) > 2:
            return None
        wrapped.append(lines)
    rows = max(len(lines) for lines in wrapped)
    step = _FS_NAME * _LINE

    def draw(top: float) -> tuple[str, float]:
        svg = []
        for (value, _name), lines in zip(levels, wrapped, strict=True):
            first_top = top + (rows - len(lines)) * step
            svg.append(
                _text(
                    x_of(value),
                    _block_first_baseline(first_top, _FS_NAME),
                    lines,
                    size=_FS_NAME,
                    anchor="middle",
                    fill=_MUTED,
                    cls="qim-level-name",
                )
            )
        return "".join(svg), rows * step

    return draw


def _group_desc(
    data: Sequence[tuple[str, Sequence[tuple[str, str, float]]]],
    groups: Sequence[tuple[str, str]],
    levels: Sequence[tuple[int, str]],
    flagged: set[str],
) -> str:
    parts = [_scale_sentence(levels)]
    if not data:
        parts.append("No questions to show.")
    for label, present in data:
        by_id = {gid: value for gid, _name, value in present}
        ratings = [
            f"{' '.join(name.split())} {_fmt(by_id[gid])}" if gid in by_id else f"{' '.join(name.split())} no answer"
            for gid, name in groups
        ]
        sentence = f"{' '.join(_clean(label).split())}: {', '.join(ratings)}"
        if len(by_id) >= 2:
            sentence += f"; spread {_fmt(max(by_id.values()) - min(by_id.values()))}"
        if label in flagged:
            sentence += "; gap flagged"
        parts.append(sentence + ".")
    return " ".join(parts)


# --- distribution chart ------------------------------------------------------------------------------------------

_DIST_X0 = 296.0
_DIST_WIDTH = 320.0
_DIST_COLUMN = 628.0


def _ramp(count: int) -> list[str]:
    """`count` colours evenly spaced along a light-to-dark blue ramp (ColorBrewer Blues, colour-blind safe)."""
    if count == 1:
        return [_BLUES[3]]
    anchors = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in _BLUES]
    colours = []
    for i in range(count):
        position = i / (count - 1) * (len(anchors) - 1)
        j = min(int(position), len(anchors) - 2)
        t = position - j
        rgb = [round(a + (b - a) * t) for a, b in zip(anchors[j], anchors[j + 1], strict=True)]
        colours.append("#" + "".join(f"{c:02X}" for c in rgb))
    return colours


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink_on(colour: str) -> str:
    """Black or white, whichever contrasts more with the background colour."""
    lum = _luminance(colour)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


def distribution_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Mapping[int, int], int]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
) -> str:
    """100% stacked horizontal bars: per question, the share of respondents at each level, lowest level on the left,
    a sequential colour ramp light->dark blue (colour-blind safe), each segment wide enough printed with its count;
    N/A shown as a hatched grey segment at the right with 'N/A' count; legend lists level numbers with names."""
    _check_id(chart_id)
    levels = _check_scale(scale)
    values = [value for value, _name in levels]
    colours = dict(zip(values, _ramp(len(values)), strict=True))
    data: list[tuple[str, dict[int, int], int]] = []
    for label, counts, na in rows:
        unknown = sorted(set(counts) - set(values))
        if unknown:
            raise ValueError(f"level(s) {unknown!r} in row {label!r} are not on the scale")
        clean = {level: int(counts.get(level, 0)) for level in values}
        if any(c < 0 for c in clean.values()) or int(na) < 0:
            raise ValueError(f"counts must not be negative (row {label!r})")
        data.append((str(label), clean, int(na)))
    desc = _distribution_desc(data, levels)
    hatch_id = f"{chart_id}-na-hatch"
    any_na = any(na > 0 for _l, _c, na in data)

    title_svg, y = _title_block(title, _ROW_WIDTH)
    parts = [title_svg]
    if any_na:
        parts.append(
            f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="6" height="6"'
            ' patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{_NA_FILL}"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{_NA_HATCH}" stroke-width="2.5"/></pattern></defs>'
        )

    def level_swatch(colour: str) -> Callable[[float, float], str]:
        return lambda x, yc: (
            f'<rect x="{_num(x)}" y="{_num(yc - 7)}" width="14" height="14" fill="{colour}" stroke="#8A8A8A"'
            ' stroke-width="0.75"/>'
        )

    legend_items = [
        _LegendItem(level_swatch(colours[value]), 14, f"{value} {' '.join(_clean(name).split())}")
        for value, name in levels
    ]
    if any_na:
        legend_items.append(
            _LegendItem(
                lambda x, yc: (
                    f'<rect x="{_num(x)}" y="{_num(yc - 7)}" width="14" height="14" fill="url(#{hatch_id})"'
                    ' stroke="#8A8A8A" stroke-width="0.75"/>'
                ),
                14,
                "N/A (not applicable)",
            )
        )
    legend, legend_height = _legend(legend_items, 12, y + 6, _ROW_WIDTH - 24)
    parts.append(legend)
    y += 6 + legend_height + 10
    parts.append(
        _text(
            _DIST_X0, _baseline(y + 6, _FS_SMALL), ["Share of respondents at each level"], size=_FS_SMALL, fill=_MUTED
        )
    )
    parts.append(_text(_DIST_COLUMN, _baseline(y + 6, _FS_SMALL), ["Answers"], size=_FS_SMALL, fill=_MUTED, bold=True))
    y += 16
    axis_top = y
    step = _FS_LABEL * _LINE
    row_parts: list[str] = []
    for index, (label, counts, na) in enumerate(data):
        lines = _wrap(label, 40, _ROW_LABEL_PX, _FS_LABEL, 5)
        height = max(34.0, len(lines) * step + 14)
        centre = y + height / 2
        top, bar_h = centre - 10, 20.0
        cell = [f'<g class="qim-row" data-row="{index}">']
        cell.append(
            _text(
                12,
                _block_first_baseline(centre - len(lines) * step / 2, _FS_LABEL),
                lines,
                size=_FS_LABEL,
                cls="qim-row-label",
            )
        )
        total = sum(counts.values()) + na
        column = [f"n = {total}"]
        if total == 0:
            cell.append(
                f'<rect x="{_num(_DIST_X0)}" y="{_num(top)}" width="{_num(_DIST_WIDTH)}" height="{_num(bar_h)}"'
                f' fill="#FFFFFF" stroke="{_GRID}" stroke-dasharray="3 3"/>'
            )
            cell.append(
                _text(
                    _DIST_X0 + _DIST_WIDTH / 2,
                    _baseline(centre, _FS_SMALL),
                    ["no answers"],
                    size=_FS_SMALL,
                    anchor="middle",
                    fill=_MUTED,
                    italic=True,
                )
            )
        else:
            segments: list[tuple[int | None, int]] = [(value, counts[value]) for value in values if counts[value]]
            if na > 0:
                segments.append((None, na))
            done = 0
            for level, count in segments:
                x0 = round(_DIST_X0 + _DIST_WIDTH * done / total, 1)
                done += count
                x1 = round(_DIST_X0 + _DIST_WIDTH * done / total, 1)
                svg, note = _segment(level, count, x0, x1, top, bar_h, levels, colours, hatch_id)
                cell.append(svg)
                column.extend(note)
            cell.append(
                f'<rect x="{_num(_DIST_X0)}" y="{_num(top)}" width="{_num(_DIST_WIDTH)}" height="{_num(bar_h)}"'
                ' fill="none" stroke="#8A8A8A" stroke-width="0.75"/>'
            )
        column_top = centre - len(column) * _FS_SMALL * _LINE / 2
        cell.append(
            _text(_DIST_COLUMN, _block_first_baseline(column_top, _FS_SMALL), column, size=_FS_SMALL, fill=_MUTED)
        )
        cell.append("</g>")
        row_parts.extend(cell)
        y += height
    if not data:
        row_parts.append(_empty_note(_DIST_X0 + _DIST_WIDTH / 2, y + 18, "No questions to show."))
        y += 36
    for share in (0, 25, 50, 75, 100):
        x = _DIST_X0 + _DIST_WIDTH * share / 100
        parts.append(
            f'<line class="qim-gridline" x1="{_num(x)}" y1="{_num(axis_top)}" x2="{_num(x)}" y2="{_num(y + 4)}"'
            f' stroke="{_FAINT}" stroke-width="1"/>'
        )
        parts.append(
            _text(x, _baseline(y + 12, _FS_SMALL), [f"{share}%"], size=_FS_SMALL, anchor="middle", fill=_MUTED)
        )
    parts.extend(row_parts)
    return _document(chart_id, "distribution", _ROW_WIDTH, y + 28, title, desc, parts)


def _segment(
    level: int | None,
    count: int,
    x0: float,
    x1: float,
    top: float,
    height: float,
    levels: Sequence[tuple[int, str]],
    colours: Mapping[int, str],
    hatch_id: str,
) -> tuple[str, list[str]]:
    """One bar segment (level None is N/A) with its count inside if it fits; also any note for the side column."""
    width = round(x1 - x0, 1)
    centre = top + height / 2
    fill = f"url(#{hatch_id})" if level is None else colours[level]
    name = "N/A" if level is None else f"level {level} ({_level_name(levels, level)})"
    svg = (
        f'<rect class="qim-seg" x="{_num(x0)}" y="{_num(top)}" width="{_num(width)}" height="{_num(height)}"'
        f' fill="{fill}" stroke="#FFFFFF" stroke-width="1" data-level="{"na" if level is None else level}"'
        f' data-count="{count}">{_tooltip(f"{name}: {count}")}</rect>'
    )
    if level is not None:
        if _text_width(str(count), _FS_VALUE, bold=True) + 6 <= width:
            svg += _text(
                (x0 + x1) / 2,
                _baseline(centre, _FS_VALUE),
                [str(count)],
                size=_FS_VALUE,
                anchor="middle",
                fill=_ink_on(fill),
                bold=True,
                cls="qim-count",
            )
        return svg, []
    text, note = f"N/A {count}", []
    if _text_width(text, _FS_VALUE, bold=True) + 8 > width:
        text, note = str(count), [f"N/A {count}"]
    text_width = _text_width(text, _FS_VALUE, bold=True) + 6
    if text_width + 2 <= width:
        middle = (x0 + x1) / 2
        box = _Box(middle - text_width / 2, centre - 7, middle + text_width / 2, centre + 7)
        svg += _labelled_value(box, text, _FS_VALUE)
    return svg, note


def _level_name(levels: Sequence[tuple[int, str]], value: int) -> str:
    return next(" ".join(_clean(name).split()) for v, name in levels if v == value)


def _distribution_desc(data: Sequence[tuple[str, Mapping[int, int], int]], levels: Sequence[tuple[int, str]]) -> str:
    parts = [_scale_sentence(levels)]
    if not data:
        parts.append("No questions to show.")
    for label, counts, na in data:
        total = sum(counts.values()) + na
        answers = [
            f"{count} at level {value} ({_level_name(levels, value)})" for value, count in counts.items() if count
        ]
        if na:
            answers.append(f"{na} N/A")
        detail = ", ".join(answers) if answers else "no answers"
        parts.append(f"{' '.join(_clean(label).split())}: {detail}; {total} respondent{'' if total == 1 else 's'}.")
    return " ".join(parts)


# --- shared by the comparison charts -----------------------------------------------------------------------------

_FS_CELL = 10.0
_FS_ROW = 10.5
_COS45 = 0.7071
_MARK_FILL = "#E69F00"
_BOX_FILL = "#C6DBEF"
_BOX_EDGE = "#2171B5"
_WHISKER = "#4D4D4D"


def _flat(text: str) -> str:
    return " ".join(_clean(text).split())


def _one_decimal(value: float) -> str:
    """A value printed with one decimal place, halves rounded up as people expect (3.25 -> 3.3, not 3.2)."""
    return fixed(value, 1, halves_up=True)


def _on_scale(value: float, lo: int, hi: int, what: str) -> float:
    number = _finite(value, what)
    if not lo <= number <= hi:
        raise ValueError(f"{what} must lie on the scale {lo} to {hi}, got {value!r}")
    return number


def _truncate(text: str, chars: int, max_px: float, size: float, bold: bool = False) -> str:
    """One line of at most `chars` characters and `max_px` pixels; longer text is cut and ends in an ellipsis."""
    flat = _flat(text)
    if len(flat) <= chars and _text_width(flat, size, bold) <= max_px:
        return flat
    cut = flat[: max(chars - 1, 1)]
    while len(cut) > 1 and _text_width(cut.rstrip() + "…", size, bold) > max_px:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _shade(value: float, lo: int, hi: int) -> str:
    """The light-to-dark blue ramp read continuously: level lo is the lightest, hi the darkest (colour-blind safe)."""
    if hi == lo:
        return _BLUES[3]
    anchors = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in _BLUES]
    position = (value - lo) / (hi - lo) * (len(anchors) - 1)
    j = min(int(position), len(anchors) - 2)
    t = position - j
    rgb = [round(a + (b - a) * t) for a, b in zip(anchors[j], anchors[j + 1], strict=True)]
    return "#" + "".join(f"{c:02X}" for c in rgb)


def _rotated(x: float, y: float, text: str, size: float, anchor: str, cls: str, bold: bool = False) -> str:
    """One line of text turned 45 degrees anticlockwise about its anchor point (x, y) on the baseline."""
    attributes = _attrs(
        class_=cls,
        x=x,
        y=y,
        font_size=size,
        text_anchor=None if anchor == "start" else anchor,
        fill=_TEXT,
        font_weight="bold" if bold else None,
    )
    return f'<text{attributes} transform="rotate(-45 {_num(x)} {_num(y)})">{_esc(text)}</text>'


def _empty_note(x: float, y: float, text: str) -> str:
    return _text(x, _baseline(y, _FS_LABEL), [text], size=_FS_LABEL, anchor="middle", fill=_MUTED)


# --- heatmap -----------------------------------------------------------------------------------------------------

_HEAT_WIDTH = 700
_HEAT_ROW = 14.0
_HEAT_MARK_X = 13.0
_HEAT_LABEL_X = 22.0
_HEAT_LABEL_CHARS = 32
_HEAT_LABEL_PX = 200.0
_HEAT_MAX_COLUMNS = 12
_HEAT_MAX_CELL = 84.0
_HEAT_HEADER_PX = 160.0
_HEAT_HEADER_MIN = 96.0
_HEAT_GOOD_CELL = 40.0
_HEAT_REPEAT_HEADERS = 60
_OUTLIER_NAME = "Outlier"
_NO_DATA_NAME = "No data"
_HIGHLIGHT_NAME = "Highlighted organisation"


def heatmap_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Sequence[float | None], bool]],
    columns: Sequence[str],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    outliers: Collection[tuple[int, int]] = (),
) -> str:
    """Organisations x domains grid. Each cell: colour from a sequential colour-blind-safe ramp by value over the scale
    (light -> dark), the value printed in the cell (1 decimal; text colour chosen for contrast), outlier cells marked
    with a thick border and a small diamond explained in the legend; None cells hatched with '–'. Column headers
    wrapped when they fit, otherwise turned 45 degrees; row labels truncated with '…' beyond 32 characters;
    highlighted rows (e.g. 'you') in bold with a pointer and an outline. The height grows by 14 per row (the column
    headers are drawn again under the grid beyond 60 rows); the width is fixed at 700. At most 12 columns."""
    _check_id(chart_id)
    levels = _check_scale(scale)
    lo, hi = levels[0][0], levels[-1][0]
    cols = [str(column) for column in columns]
    if not cols:
        raise ValueError("the heatmap needs at least one column")
    if len(cols) > _HEAT_MAX_COLUMNS:
        raise ValueError(f"the heatmap shows at most {_HEAT_MAX_COLUMNS} columns legibly, got {len(cols)}")
    if len({_flat(column) for column in cols}) != len(cols):
        raise ValueError("column labels must be unique")
    data: list[tuple[str, list[float | None], bool]] = []
    for label, values, highlight in rows:
        row_values = list(values)
        if len(row_values) != len(cols):
            raise ValueError(f"row {label!r} has {len(row_values)} values for {len(cols)} columns")
        data.append(
            (
                str(label),
                [None if v is None else _on_scale(v, lo, hi, f"the value in row {label!r}") for v in row_values],
                bool(highlight),
            )
        )
    flagged: set[tuple[int, int]] = set()
    for item in outliers:
        if not (
            isinstance(item, tuple)
            and len(item) == 2
            and all(isinstance(i, int) and not isinstance(i, bool) for i in item)
        ):
            raise ValueError(f"an outlier must be a (row index, column index) pair of integers, got {item!r}")
        r, c = item
        if not (0 <= r < len(data) and 0 <= c < len(cols)):
            raise ValueError(f"outlier {item!r} is outside the grid of {len(data)} rows and {len(cols)} columns")
        if data[r][1][c] is None:
            raise ValueError(f"outlier {item!r} is a cell without a value")
        flagged.add((r, c))
    desc = _heatmap_desc(data, cols, levels, flagged)
    width = _HEAT_WIDTH
    hatch_id = f"{chart_id}-none-hatch"
    any_none = any(v is None for _l, values, _h in data for v in values)

    title_svg, y = _title_block(title, width)
    parts = [title_svg]
    if any_none:
        parts.append(
            f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="5" height="5"'
            ' patternTransform="rotate(45)">'
            f'<rect width="5" height="5" fill="#EEEEEE"/>'
            f'<line x1="0" y1="0" x2="0" y2="5" stroke="#A8A8A8" stroke-width="1.2"/></pattern></defs>'
        )
    legend, legend_height = _legend(
        _heatmap_legend_items(levels, hatch_id, any_none, bool(flagged), any(h for _l, _v, h in data)),
        12,
        y + 6,
        width - 24,
    )
    parts.append(legend)
    y += 6 + legend_height + 6

    labels = [
        _truncate(label, _HEAT_LABEL_CHARS, _HEAT_LABEL_PX, _FS_ROW, bold=highlight) for label, _v, highlight in data
    ]
    label_px = max([_text_width(t, _FS_ROW, bold=h) for t, (_l, _v, h) in zip(labels, data, strict=True)] + [40.0])
    x0 = _HEAT_LABEL_X + min(label_px, _HEAT_LABEL_PX * 1.08) + 14
    x1, cell, headers = _heatmap_columns(cols, x0, width)
    header_height = headers.height

    parts.append(headers.draw(y + header_height, top=True))
    y += header_height + 4
    grid_top = y
    body: list[str] = []
    outlines: list[str] = []
    for r, ((label, values, highlight), shown) in enumerate(zip(data, labels, strict=True)):
        ry = grid_top + r * _HEAT_ROW
        centre = ry + _HEAT_ROW / 2
        row = [f'<g class="qim-row{" qim-highlight" if highlight else ""}" data-row="{r}">']
        if shown != _flat(label):
            row.append(_tooltip(label))
        if r % 2 == 1:
            row.append(
                f'<rect x="6" y="{_num(ry)}" width="{_num(x0 - 10)}" height="{_num(_HEAT_ROW)}" fill="#F2F2F2"/>'
            )
        if highlight:
            row.append(
                f'<polygon class="qim-highlight-mark" points="{_points(_pointer(_HEAT_MARK_X, centre))}"'
                f' fill="{_TEXT}"/>'
            )
            outlines.append(
                f'<rect class="qim-highlight-outline" x="{_num(x0 - 1.5)}" y="{_num(ry - 0.5)}"'
                f' width="{_num(x1 - x0 + 3)}" height="{_num(_HEAT_ROW + 1)}" fill="none" stroke="{_TEXT}"'
                ' stroke-width="1.6"/>'
            )
        row.append(
            _text(_HEAT_LABEL_X, _baseline(centre, _FS_ROW), [shown], size=_FS_ROW, bold=highlight, cls="qim-row-label")
        )
        for c, value in enumerate(values):
            row.append(_heat_cell(r, c, value, x0 + c * cell, ry, cell, (r, c) in flagged, lo, hi, hatch_id))
        row.append("</g>")
        body.extend(row)
    y = grid_top + len(data) * _HEAT_ROW
    parts.extend(body)
    parts.extend(outlines)
    if not data:
        parts.append(_empty_note((x0 + x1) / 2, y + 18, "No organisations to show."))
        y += 36
    if len(data) > _HEAT_REPEAT_HEADERS:
        parts.append(headers.draw(y + 4, top=False))
        y += 4 + header_height
    return _document(chart_id, "heatmap", width, y + 12, title, desc, parts)


def _pointer(x: float, y: float) -> list[tuple[float, float]]:
    """A small right-pointing triangle centred on (x, y): the highlighted-row mark."""
    return [(x - 4, y - 4.5), (x + 4.5, y), (x - 4, y + 4.5)]


@dataclass(frozen=True)
class _Headers:
    draw: Callable[..., str]
    height: float


def _heatmap_columns(cols: Sequence[str], x0: float, width: int) -> tuple[float, float, _Headers]:
    """The grid's right edge, the cell width and the column headers: wrapped if every header fits its column in
    at most three lines, otherwise turned 45 degrees (the grid then narrows so that the last header fits)."""
    n = len(cols)
    step = _FS_SMALL * _LINE
    x1 = width - 12.0
    cell = min((x1 - x0) / n, _HEAT_MAX_CELL)
    room = cell - 6
    wrapped: list[list[str]] = []
    for column in cols:
        words = _flat(column).split() or [""]
        if any(_text_width(word, _FS_SMALL, bold=True) > room for word in words):
            break
        lines = _wrap(column, 40, room, _FS_SMALL, 99, bold=True)
        if len(lines) > 3:
            break
        wrapped.append(lines)
    if len(wrapped) == n:
        x1 = x0 + n * cell
        rows = max(len(lines) for lines in wrapped)

        def draw_wrapped(edge: float, top: bool) -> str:
            svg = ['<g class="qim-column-headers">']
            for c, lines in enumerate(wrapped):
                first_top = edge - len(lines) * step if top else edge
                svg.append(
                    _text(
                        x0 + (c + 0.5) * cell,
                        _block_first_baseline(first_top, _FS_SMALL),
                        lines,
                        size=_FS_SMALL,
                        anchor="middle",
                        bold=True,
                        cls="qim-column-header",
                    )
                )
            return "".join(svg) + "</g>"

        return x1, cell, _Headers(draw_wrapped, rows * step + 2)

    full = [_flat(column) for column in cols]
    lengths = [_text_width(_truncate(text, 40, _HEAT_HEADER_PX, _FS_SMALL, True), _FS_SMALL, True) for text in full]
    right = width - 6.0

    def fits(edge: float, shortest: float) -> bool:
        """Whether every header, cut to no less than `shortest` pixels, fits between its column and the edge."""
        size = min((edge - x0) / n, _HEAT_MAX_CELL)
        return all(
            x0 + (c + 0.5) * size + 3 + min(length, shortest) * _COS45 <= right for c, length in enumerate(lengths)
        )

    while x1 - x0 > n * 12 and not fits(x1, _HEAT_HEADER_PX):
        x1 -= 1
    if (x1 - x0) / n < _HEAT_GOOD_CELL:
        # Whole headers would leave cells too narrow for the printed values: widen the grid again and cut the
        # headers of the rightmost columns instead (never below _HEAT_HEADER_MIN; the full names are in the desc).
        x1 = min(width - 12.0, x0 + n * _HEAT_GOOD_CELL)
        while x1 - x0 > n * 12 and not fits(x1, _HEAT_HEADER_MIN):
            x1 -= 1
    cell = min((x1 - x0) / n, _HEAT_MAX_CELL)
    x1 = x0 + n * cell
    shown = [
        _truncate(text, 40, min(_HEAT_HEADER_PX, (right - 3 - x0 - (c + 0.5) * cell) / _COS45), _FS_SMALL, True)
        for c, text in enumerate(full)
    ]
    height = max(_text_width(text, _FS_SMALL, bold=True) for text in shown) * _COS45 + 10

    def draw_rotated(edge: float, top: bool) -> str:
        svg = ['<g class="qim-column-headers">']
        for c, (text, whole) in enumerate(zip(shown, full, strict=True)):
            cx = x0 + (c + 0.5) * cell
            if top:
                header = _rotated(cx - 1, edge - 4, text, _FS_SMALL, "start", "qim-column-header", bold=True)
            else:
                header = _rotated(cx + 4, edge + 9, text, _FS_SMALL, "end", "qim-column-header", bold=True)
            svg.append(header if text == whole else f"<g>{_tooltip(whole)}{header}</g>")
        return "".join(svg) + "</g>"

    return x1, cell, _Headers(draw_rotated, height)


def _heat_cell(
    r: int,
    c: int,
    value: float | None,
    x: float,
    y: float,
    cell: float,
    outlier: bool,
    lo: int,
    hi: int,
    hatch_id: str,
) -> str:
    centre = y + _HEAT_ROW / 2
    rect = (
        f'<rect class="qim-cell{" qim-na" if value is None else ""}" x="{_num(x + 0.5)}" y="{_num(y + 0.5)}"'
        f' width="{_num(cell - 1)}" height="{_num(_HEAT_ROW - 1)}"'
    )
    if value is None:
        return (
            rect + f' fill="url(#{hatch_id})" data-row="{r}" data-col="{c}"/>'
            f'<rect x="{_num(x + cell / 2 - 6)}" y="{_num(centre - 4.5)}" width="12" height="9" fill="#EEEEEE"/>'
            + _text(x + cell / 2, _baseline(centre, _FS_CELL), ["–"], size=_FS_CELL, anchor="middle", bold=True)
        )
    fill = _shade(value, lo, hi)
    svg = rect + f' fill="{fill}" data-row="{r}" data-col="{c}" data-value="{_fmt(value)}"/>'
    text = _one_decimal(value)
    text_x = x + cell / 2
    if outlier:
        svg += (
            f'<rect class="qim-outlier" x="{_num(x + 1.75)}" y="{_num(y + 1.75)}" width="{_num(cell - 3.5)}"'
            f' height="{_num(_HEAT_ROW - 3.5)}" fill="none" stroke="{_FLAG}" stroke-width="2.5"/>'
        )
        svg += _marker("diamond", x + cell - 6.5, centre, _FLAG, size=3.0, stroke="#FFFFFF", stroke_width=0.9)
        if text_x + _text_width(text, _FS_CELL, bold=True) / 2 > x + cell - 12:
            text_x = x + (cell - 10) / 2
    svg += _text(
        text_x,
        _baseline(centre, _FS_CELL),
        [text],
        size=_FS_CELL,
        anchor="middle",
        fill=_ink_on(fill),
        bold=True,
        cls="qim-cell-value",
    )
    return svg


def _heatmap_legend_items(
    levels: Sequence[tuple[int, str]], hatch_id: str, any_none: bool, any_outlier: bool, any_highlight: bool
) -> list[_LegendItem]:
    lo, hi = levels[0][0], levels[-1][0]

    def level_swatch(colour: str) -> Callable[[float, float], str]:
        return lambda x, yc: (
            f'<rect x="{_num(x)}" y="{_num(yc - 7)}" width="14" height="14" fill="{colour}" stroke="#8A8A8A"'
            ' stroke-width="0.75"/>'
        )

    items = [_LegendItem(level_swatch(_shade(value, lo, hi)), 14, f"{value} {_flat(name)}") for value, name in levels]
    if any_none:
        items.append(
            _LegendItem(
                lambda x, yc: (
                    f'<rect x="{_num(x)}" y="{_num(yc - 7)}" width="22" height="14" fill="url(#{hatch_id})"'
                    ' stroke="#8A8A8A" stroke-width="0.75"/>'
                    + _text(x + 11, _baseline(yc, _FS_CELL), ["–"], size=_FS_CELL, anchor="middle", bold=True)
                ),
                22,
                _NO_DATA_NAME,
            )
        )
    if any_outlier:
        items.append(
            _LegendItem(
                lambda x, yc: (
                    f'<rect x="{_num(x + 1.25)}" y="{_num(yc - 5.75)}" width="25.5" height="11.5" fill="#FFFFFF"'
                    f' stroke="{_FLAG}" stroke-width="2.5"/>'
                    + _marker("diamond", x + 21.5, yc, _FLAG, size=3.0, stroke="#FFFFFF", stroke_width=0.9)
                ),
                28,
                _OUTLIER_NAME,
            )
        )
    if any_highlight:
        items.append(
            _LegendItem(
                lambda x, yc: f'<polygon points="{_points(_pointer(x + 5, yc))}" fill="{_TEXT}"/>',
                10,
                _HIGHLIGHT_NAME,
            )
        )
    return items


def _heatmap_desc(
    data: Sequence[tuple[str, Sequence[float | None], bool]],
    cols: Sequence[str],
    levels: Sequence[tuple[int, str]],
    flagged: set[tuple[int, int]],
) -> str:
    parts = [_scale_sentence(levels), f"Columns: {', '.join(_flat(c) for c in cols)}."]
    if not data:
        parts.append("No organisations to show.")
    for r, (label, values, highlight) in enumerate(data):
        cells = []
        for c, (column, value) in enumerate(zip(cols, values, strict=True)):
            shown = "no data" if value is None else _fmt(value)
            cells.append(f"{_flat(column)} {shown}{' (outlier)' if (r, c) in flagged else ''}")
        name = _flat(label) + (" (highlighted)" if highlight else "")
        parts.append(f"{name}: {', '.join(cells)}.")
    return " ".join(parts)


# --- box plots ---------------------------------------------------------------------------------------------------

_BOX_WIDTH = 680
_BOX_LABEL_PX = 200.0
_BOX_X0 = 236.0
_BOX_X1 = 556.0
_BOX_COLUMN = 574.0
_SUPPRESSED = "suppressed (fewer than the minimum)"


def box_chart(
    chart_id: str,
    boxes: Sequence[tuple[str, tuple[float, float, float, float, float] | None, int]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    marks: Sequence[tuple[str, float | None]] = (),
    mark_label: str = "This organisation",
) -> str:
    """Horizontal box plots, one row per domain, over the level scale: whiskers min-max, box q1-q3, a thick median
    line, 'n = N' and the median printed at the right; suppressed rows (None) show the text 'suppressed (fewer than
    the minimum)'. Marks (domain label, value) put a filled diamond with a contrasting outline at one organisation's
    value, the value printed above it, with a legend entry named mark_label. The legend explains box, median and
    whiskers. The scale needs at least two levels; all values must lie on it."""
    _check_id(chart_id)
    levels = _check_scale(scale)
    if len(levels) < 2:
        raise ValueError("box plots need a scale of at least two levels")
    lo, hi = levels[0][0], levels[-1][0]
    data: list[tuple[str, tuple[float, float, float, float, float] | None, int]] = []
    for label, stats, n in boxes:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a whole number, at least 0 (row {label!r}), got {n!r}")
        if stats is None:
            data.append((str(label), None, n))
            continue
        if len(stats) != 5:
            raise ValueError(f"row {label!r} needs (min, q1, median, q3, max), got {stats!r}")
        a, b, m, d, e = (_on_scale(v, lo, hi, f"a statistic in row {label!r}") for v in stats)
        if not a <= b <= m <= d <= e:
            raise ValueError(f"row {label!r} must satisfy min <= q1 <= median <= q3 <= max, got {stats!r}")
        data.append((str(label), (a, b, m, d, e), n))
    if len({_flat(label) for label, _s, _n in data}) != len(data):
        raise ValueError("domain labels must be unique")
    known = {_flat(label) for label, _s, _n in data}
    mark_of: dict[str, float | None] = {}
    for label, value in marks:
        key = _flat(str(label))
        if key not in known:
            raise ValueError(f"mark {label!r} names no domain in the chart")
        if key in mark_of:
            raise ValueError(f"mark {label!r} is given twice")
        mark_of[key] = None if value is None else _on_scale(value, lo, hi, f"the mark for {label!r}")
    who = _flat(str(mark_label)) or "This organisation"
    any_mark = any(v is not None for v in mark_of.values())
    desc = _box_desc(data, levels, mark_of, who)

    def x_of(value: float) -> float:
        return _BOX_X0 + (_BOX_X1 - _BOX_X0) * (value - lo) / (hi - lo)

    title_svg, y = _title_block(title, _BOX_WIDTH)
    parts = [title_svg]
    y = _legend_and_levels(parts, _box_legend_items(who if any_mark else None), levels, x_of, y, _BOX_WIDTH)
    y += 18
    axis_top = y
    step = _FS_LABEL * _LINE
    row_parts: list[str] = []
    for index, (label, stats, n) in enumerate(data):
        lines = _wrap(label, 30, _BOX_LABEL_PX, _FS_LABEL, 3)
        height = max(54.0 if any_mark else 40.0, len(lines) * step + 14)
        centre = y + height / 2
        mark = mark_of.get(_flat(label))
        cell = [f'<g class="qim-row" data-row="{index}">']
        cell.append(
            _text(
                12,
                _block_first_baseline(centre - len(lines) * step / 2, _FS_LABEL),
                lines,
                size=_FS_LABEL,
                cls="qim-row-label",
            )
        )
        column = [f"n = {n}"]
        if stats is None:
            cell.append(_box_note(_SUPPRESSED, mark, centre, x_of, "qim-suppressed"))
        else:
            cell.append(_box_glyph(stats, centre, x_of, f"{label}: {_box_words(stats)}; n = {n}"))
            column.append(f"median {_fmt(stats[2])}")
        if mark is not None:
            x = x_of(mark)
            cell.append(_mark_diamond(x, centre, tooltip=f"{who}, {label}: {_fmt(mark)}"))
            text = _fmt(mark)
            w = _text_width(text, _FS_VALUE, bold=True) + 6
            box = _Box(x - w / 2, centre - 26, x + w / 2, centre - 12)
            if box.x0 < 4:
                box = box.moved(4 - box.x0, 0)
            cell.append(_labelled_value(box, text, _FS_VALUE))
        elif _flat(label) in mark_of:
            cell.append(_box_note(f"{who}: no value", None, centre + 18, x_of, "qim-mark-missing"))
        column_top = centre - len(column) * _FS_SMALL * _LINE / 2
        cell.append(
            _text(
                _BOX_COLUMN,
                _block_first_baseline(column_top, _FS_SMALL),
                column,
                size=_FS_SMALL,
                fill=_MUTED,
                cls="qim-n",
            )
        )
        cell.append("</g>")
        row_parts.extend(cell)
        y += height
        row_parts.append(f'<line x1="6" y1="{_num(y)}" x2="{_BOX_WIDTH - 6}" y2="{_num(y)}" stroke="{_FAINT}"/>')
    if not data:
        row_parts.append(_empty_note((_BOX_X0 + _BOX_X1) / 2, y + 18, "No domains to show."))
        y += 36
    parts.extend(_gridlines(levels, x_of, axis_top, y))
    parts.extend(row_parts)
    parts.extend(_axis_numbers(levels, x_of, _baseline(y + 10, _FS_SMALL)))
    return _document(chart_id, "box", _BOX_WIDTH, y + 26, title, desc, parts)


def _box_glyph(
    stats: tuple[float, float, float, float, float], centre: float, x_of: Callable[[float], float], tooltip: str
) -> str:
    low, q1, median, q3, high = (x_of(v) for v in stats)
    c = centre
    return (
        f'<g class="qim-box">{_tooltip(tooltip)}'
        f'<line class="qim-whisker" x1="{_num(low)}" y1="{_num(c)}" x2="{_num(high)}" y2="{_num(c)}"'
        f' stroke="{_WHISKER}" stroke-width="1.5"/>'
        f'<line x1="{_num(low)}" y1="{_num(c - 6)}" x2="{_num(low)}" y2="{_num(c + 6)}" stroke="{_WHISKER}"'
        ' stroke-width="1.5"/>'
        f'<line x1="{_num(high)}" y1="{_num(c - 6)}" x2="{_num(high)}" y2="{_num(c + 6)}" stroke="{_WHISKER}"'
        ' stroke-width="1.5"/>'
        f'<rect class="qim-quartiles" x="{_num(q1)}" y="{_num(c - 9)}" width="{_num(q3 - q1)}" height="18"'
        f' fill="{_BOX_FILL}" stroke="{_BOX_EDGE}" stroke-width="1.25"/>'
        f'<line class="qim-median" x1="{_num(median)}" y1="{_num(c - 11)}" x2="{_num(median)}" y2="{_num(c + 11)}"'
        f' stroke="{_TEXT}" stroke-width="3.5"/></g>'
    )


def _box_note(text: str, mark: float | None, centre: float, x_of: Callable[[float], float], cls: str) -> str:
    """An italic note across the plot on a white ground, beside the organisation's mark if there is one, or under
    it when neither side has room."""
    width = _text_width(text, _FS_SMALL) + 8
    middle = (_BOX_X0 + _BOX_X1) / 2
    if mark is None:
        x0 = middle - width / 2
    elif x_of(mark) - _BOX_X0 >= width + 14:
        x0 = _BOX_X0 + 2
    elif _BOX_X1 - x_of(mark) >= width + 14:
        x0 = _BOX_X1 - 2 - width
    else:
        x0, centre = middle - width / 2, centre + 18
    return f'<rect x="{_num(x0)}" y="{_num(centre - 7.5)}" width="{_num(width)}" height="15" fill="#FFFFFF"/>' + _text(
        x0 + width / 2,
        _baseline(centre, _FS_SMALL),
        [text],
        size=_FS_SMALL,
        anchor="middle",
        fill=_MUTED,
        italic=True,
        cls=cls,
    )


def _mark_diamond(x: float, y: float, tooltip: str | None = None) -> str:
    """The organisation's own value: an orange diamond with a dark edge and a white halo, so it reads on any line."""
    cls = ' class="qim-mark"' if tooltip else ""
    return (
        f"<g{cls}>"
        + _marker("diamond", x, y, "#FFFFFF", size=6.6, stroke="#FFFFFF", stroke_width=1.0)
        + _marker("diamond", x, y, _MARK_FILL, size=5.2, stroke=_TEXT, stroke_width=1.3, tooltip=tooltip)
        + "</g>"
    )


def _box_legend_items(who: str | None) -> list[_LegendItem]:
    def box(x: float, y: float) -> str:
        return (
            f'<rect x="{_num(x)}" y="{_num(y - 7)}" width="26" height="14" fill="{_BOX_FILL}" stroke="{_BOX_EDGE}"'
            ' stroke-width="1.25"/>'
        )

    def median(x: float, y: float) -> str:
        return f'<line x1="{_num(x + 2)}" y1="{_num(y - 8)}" x2="{_num(x + 2)}" y2="{_num(y + 8)}" stroke="{_TEXT}"' + (
            ' stroke-width="3.5"/>'
        )

    def whiskers(x: float, y: float) -> str:
        return (
            f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 26)}" y2="{_num(y)}" stroke="{_WHISKER}"'
            ' stroke-width="1.5"/>'
            f'<line x1="{_num(x)}" y1="{_num(y - 6)}" x2="{_num(x)}" y2="{_num(y + 6)}" stroke="{_WHISKER}"'
            ' stroke-width="1.5"/>'
            f'<line x1="{_num(x + 26)}" y1="{_num(y - 6)}" x2="{_num(x + 26)}" y2="{_num(y + 6)}" stroke="{_WHISKER}"'
            ' stroke-width="1.5"/>'
        )

    items = [
        _LegendItem(box, 26, "Middle half (quartiles)"),
        _LegendItem(median, 4, "Median"),
        _LegendItem(whiskers, 26, "Lowest to highest"),
    ]
    if who is not None:
        items.append(_LegendItem(lambda x, y: _mark_diamond(x + 8, y), 16, who))
    return items


def _box_words(stats: tuple[float, float, float, float, float]) -> str:
    low, q1, median, q3, high = (_fmt(v) for v in stats)
    return f"lowest {low}, lower quartile {q1}, median {median}, upper quartile {q3}, highest {high}"


def _box_desc(
    data: Sequence[tuple[str, tuple[float, float, float, float, float] | None, int]],
    levels: Sequence[tuple[int, str]],
    marks: Mapping[str, float | None],
    who: str,
) -> str:
    parts = [_scale_sentence(levels)]
    if not data:
        parts.append("No domains to show.")
    for label, stats, n in data:
        sentence = f"{_flat(label)}: {_SUPPRESSED if stats is None else _box_words(stats)}; n = {n}"
        key = _flat(label)
        if key in marks:
            value = marks[key]
            sentence += f"; {who} {'no value' if value is None else _fmt(value)}"
        parts.append(sentence + ".")
    return " ".join(parts)


# --- trend chart -------------------------------------------------------------------------------------------------

_TREND_WIDTH = 680
_TREND_PLOT_HEIGHT = 190.0
_TREND_LABEL_PX = 150.0
_TREND_NAME_PX = 110.0
_DASHES: tuple[str, ...] = ("", "7 4", "2 3", "10 3 2 3", "4 4", "14 4", "2 3 6 3", "1 5")


def trend_chart(
    chart_id: str,
    dates: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
) -> str:
    """Line chart: x = assessments (evenly spaced, labelled with the dates), y = the level scale with gridlines and
    level numbers (and names when they fit); one line per series, each with its own colour from PALETTE, marker shape
    from MARKERS and dash pattern, the last value printed at the right end beside the series label (labels nudged
    apart so they do not overlap); None values break the line. A single series also has every value printed.
    Dates are ISO dates (YYYY-MM-DD), oldest first, 2 to 20 of them; at most 8 series (one per PALETTE colour)."""
    _check_id(chart_id)
    levels = _check_scale(scale)
    if len(levels) < 2:
        raise ValueError("a trend chart needs a scale of at least two levels")
    lo, hi = levels[0][0], levels[-1][0]
    if not 2 <= len(dates) <= 20:
        raise ValueError(f"a trend chart needs 2 to 20 assessment dates, got {len(dates)}")
    days: list[date] = []
    for text in dates:
        try:
            days.append(date.fromisoformat(str(text)))
        except ValueError:
            raise ValueError(f"assessment dates must be ISO dates such as '2024-03-31', got {text!r}") from None
    if any(b <= a for a, b in zip(days, days[1:], strict=False)):
        raise ValueError("assessment dates must be listed oldest first, without repeats")
    if len(series) > len(PALETTE):
        raise ValueError(f"a trend chart shows at most {len(PALETTE)} series, got {len(series)}")
    data: list[tuple[str, list[float | None]]] = []
    for label, values in series:
        row = list(values)
        if len(row) != len(days):
            raise ValueError(f"series {label!r} has {len(row)} values for {len(days)} dates")
        data.append((str(label), [None if v is None else _on_scale(v, lo, hi, f"a value of {label!r}") for v in row]))
    if len({_flat(label) for label, _v in data}) != len(data):
        raise ValueError("series labels must be unique")
    shown_dates = [day.isoformat() for day in days]
    desc = _trend_desc(data, shown_dates, levels)
    width = _TREND_WIDTH

    title_svg, y = _title_block(title, width)
    parts = [title_svg]
    if len(data) >= 2:
        legend, legend_height = _legend(
            [
                _LegendItem(_series_swatch(i), 30, _truncate(label, 48, width - 80, _FS_LABEL))
                for i, (label, _v) in enumerate(data)
            ],
            12,
            y + 6,
            width - 24,
        )
        parts.append(legend)
        y += 6 + legend_height
    plot_top = y + 22
    plot_bottom = plot_top + _TREND_PLOT_HEIGHT

    def y_of(value: float) -> float:
        return plot_bottom - _TREND_PLOT_HEIGHT * (value - lo) / (hi - lo)

    names = [_flat(name) for _v, name in levels]
    name_px = max(_text_width(name, _FS_SMALL) for name in names)
    names_on_axis = name_px <= _TREND_NAME_PX
    number_px = max(_text_width(str(value), _FS_SMALL, bold=True) for value, _n in levels)
    axis_x = 12 + (name_px + 8 if names_on_axis else 0) + number_px + 10

    ends: list[tuple[int, int, str, str]] = []  # series, last index with a value, label text, value text
    for i, (label, values) in enumerate(data):
        last = max((k for k, v in enumerate(values) if v is not None), default=None)
        if last is None:
            continue
        value = values[last]
        assert value is not None
        when = "" if last == len(days) - 1 else f" ({shown_dates[last]})"
        ends.append((i, last, _truncate(label, 32, _TREND_LABEL_PX, _FS_ROW), _fmt(value) + when))
    label_px = max(
        [_text_width(text, _FS_ROW) + _text_width(" " + value, _FS_ROW, bold=True) for _i, _k, text, value in ends]
        + [40.0]
    )
    plot_x1 = width - 12 - label_px - 22
    first_x = axis_x + 18
    spacing = (plot_x1 - first_x) / (len(days) - 1)

    def x_of(k: int) -> float:
        return first_x + k * spacing

    parts.append('<g class="qim-grid">')
    for value, name in levels:
        gy = y_of(value)
        parts.append(
            f'<line class="qim-gridline" x1="{_num(axis_x)}" y1="{_num(gy)}" x2="{_num(plot_x1 + 6)}" y2="{_num(gy)}"'
            f' stroke="{_GRID if value != lo else "#9A9A9A"}" stroke-width="1"/>'
        )
        parts.append(
            _text(
                axis_x - 6, _baseline(gy, _FS_SMALL), [str(value)], size=_FS_SMALL, anchor="end", fill=_MUTED, bold=True
            )
        )
        if names_on_axis:
            parts.append(
                _text(
                    axis_x - 10 - number_px,
                    _baseline(gy, _FS_SMALL),
                    [_flat(name)],
                    size=_FS_SMALL,
                    anchor="end",
                    fill=_MUTED,
                    cls="qim-level-name",
                )
            )
    for k in range(len(days)):
        parts.append(
            f'<line x1="{_num(x_of(k))}" y1="{_num(plot_top)}" x2="{_num(x_of(k))}" y2="{_num(plot_bottom + 4)}"'
            f' stroke="{_FAINT}" stroke-width="1"/>'
        )
    parts.append("</g>")

    date_px = max(_text_width(text, _FS_SMALL) for text in shown_dates)
    parts.append('<g class="qim-dates">')
    if date_px + 8 <= spacing:
        for k, text in enumerate(shown_dates):
            parts.append(
                _text(
                    x_of(k), _baseline(plot_bottom + 14, _FS_SMALL), [text], size=_FS_SMALL, anchor="middle", fill=_TEXT
                )
            )
        dates_height = 22.0
    else:
        for k, text in enumerate(shown_dates):
            parts.append(_rotated(x_of(k) + 3, plot_bottom + 14, text, _FS_SMALL, "end", "qim-date"))
        dates_height = date_px * _COS45 + 18
    parts.append("</g>")

    lines: list[str] = []
    points: list[str] = []
    value_labels: list[str] = []
    for i, (label, values) in enumerate(data):
        colour, shape, dash = PALETTE[i], MARKERS[i % len(MARKERS)], _DASHES[i]
        runs: list[list[int]] = []
        for k, value in enumerate(values):
            if value is None:
                continue
            if runs and runs[-1][-1] == k - 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in runs:
            if len(run) < 2:
                continue
            path = " ".join(
                f"{'M' if j == 0 else 'L'}{_num(x_of(k))} {_num(y_of(values[k] or 0.0))}" for j, k in enumerate(run)
            )
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            lines.append(
                f'<path d="{path}" fill="none" stroke="#FFFFFF" stroke-width="5" stroke-linejoin="round"'
                ' stroke-linecap="round"/>'
            )
            lines.append(
                f'<path class="qim-trend-line" data-series="{i}" d="{path}" fill="none" stroke="{colour}"'
                f' stroke-width="2.25" stroke-linejoin="round"{dash_attr}/>'
            )
        for k, value in enumerate(values):
            if value is None:
                continue
            points.append(
                _marker(
                    shape,
                    x_of(k),
                    y_of(value),
                    colour,
                    size=4.2,
                    stroke=_TEXT,
                    stroke_width=0.7,
                    extra=f' class="qim-trend-point" data-series="{i}" data-shape="{shape}"',
                    tooltip=f"{label}, {shown_dates[k]}: {_fmt(value)}",
                )
            )
        if len(data) == 1 and spacing >= 30:
            value_labels.extend(_point_labels(values, x_of, y_of, runs))

    wanted = [y_of(data[i][1][k] or 0.0) for i, k, _t, _v in ends]
    placed = _spread_labels(wanted, _FS_ROW * 1.3, plot_top - 8, plot_bottom + 8)
    end_parts: list[str] = []
    for (i, k, text, reading), want, at in zip(ends, wanted, placed, strict=True):
        label_x = plot_x1 + 20
        if abs(at - want) > 0.5 and k == len(days) - 1:
            end_parts.append(
                f'<polyline points="{_points([(plot_x1 + 7, want), (label_x - 2, at)])}"'
                f' fill="none" stroke="{_MUTED}" stroke-width="0.8"/>'
            )
        end_parts.append(
            f'<text class="qim-end-label" data-series="{i}"'
            f"{_attrs(x=label_x, y=_baseline(at, _FS_ROW), font_size=_FS_ROW, fill=_TEXT)}>{_esc(text)} "
            f'<tspan font-weight="bold">{_esc(reading)}</tspan></text>'
        )
    parts.extend(lines)
    parts.extend(points)
    parts.extend(value_labels)
    parts.extend(end_parts)

    y = plot_bottom + dates_height
    notes: list[str] = []
    if not data:
        parts.append(_empty_note((axis_x + plot_x1) / 2, (plot_top + plot_bottom) / 2, "No series to show."))
    empty = [_flat(label) for label, values in data if all(v is None for v in values)]
    if empty:
        notes.append(f"No values for: {', '.join(empty)}.")
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    if max(gaps) > 1.25 * min(gaps):
        notes.append("Assessments are evenly spaced here; the time between them varies.")
    if not names_on_axis:
        key, key_height = _level_key(levels, 12, y, width - 24)
        parts.append(key)
        y += key_height + 2
    for note in notes:
        for line in _wrap(note, 120, width - 24, _FS_SMALL, 3):
            parts.append(
                _text(12, _block_first_baseline(y, _FS_SMALL), [line], size=_FS_SMALL, fill=_MUTED, italic=True)
            )
            y += _FS_SMALL * _LINE
    return _document(chart_id, "trend", width, y + 10, title, desc, parts)


def _series_swatch(i: int) -> Callable[[float, float], str]:
    colour, shape, dash = PALETTE[i], MARKERS[i % len(MARKERS)], _DASHES[i]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""

    def swatch(x: float, y: float) -> str:
        return (
            f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 30)}" y2="{_num(y)}" stroke="{colour}"'
            f' stroke-width="2.25"{dash_attr}/>'
            + _marker(shape, x + 15, y, colour, size=4.2, stroke=_TEXT, stroke_width=0.7)
        )

    return swatch


def _spread_labels(wanted: Sequence[float], gap: float, top: float, bottom: float) -> list[float]:
    """Label centres as near as possible to where they are wanted, at least `gap` apart and within [top, bottom]:
    labels that would collide are gathered into a block centred on their mean wanted position."""
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i], i))
    blocks: list[list[int]] = []
    starts: list[float] = []

    def start_of(block: list[int]) -> float:
        mean = sum(wanted[i] for i in block) / len(block)
        first = mean - (len(block) - 1) * gap / 2
        return max(top, min(first, bottom - (len(block) - 1) * gap))

    for i in order:
        blocks.append([i])
        starts.append(start_of([i]))
        while len(blocks) >= 2 and starts[-1] < starts[-2] + len(blocks[-2]) * gap:
            merged = blocks[-2] + blocks[-1]
            blocks[-2:] = [merged]
            starts[-2:] = [start_of(merged)]
    placed = [0.0] * len(wanted)
    for block, start in zip(blocks, starts, strict=True):
        for j, i in enumerate(block):
            placed[i] = start + j * gap
    return placed


def _point_labels(
    values: Sequence[float | None],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    runs: Sequence[Sequence[int]],
) -> list[str]:
    """Every value but the last printed beside its point, above or below, whichever the line does not cross."""
    segments = [
        ((x_of(a), y_of(values[a] or 0.0)), (x_of(b), y_of(values[b] or 0.0)))
        for run in runs
        for a, b in zip(run, run[1:], strict=False)
    ]

    def crossed(box: _Box) -> bool:
        for (ax, ay), (bx, by) in segments:
            for s in range(17):
                t = s / 16
                if box.x0 <= ax + (bx - ax) * t <= box.x1 and box.y0 <= ay + (by - ay) * t <= box.y1:
                    return True
        return False

    last = max(k for k, v in enumerate(values) if v is not None)
    svg = []
    for k, value in enumerate(values):
        if value is None or k == last:
            continue
        text = _fmt(value)
        w, h = _text_width(text, _FS_VALUE, bold=True) + 6, _FS_VALUE + 4
        x, y = x_of(k), y_of(value)
        above = _Box(x - w / 2, y - 8 - h, x + w / 2, y - 8)
        below = _Box(x - w / 2, y + 8, x + w / 2, y + 8 + h)
        box = above if not crossed(above) or crossed(below) else below
        svg.append(_labelled_value(box, text, _FS_VALUE))
    return svg


def _trend_desc(
    data: Sequence[tuple[str, Sequence[float | None]]], dates: Sequence[str], levels: Sequence[tuple[int, str]]
) -> str:
    parts = [_scale_sentence(levels), f"Assessments on {', '.join(dates)}."]
    if not data:
        parts.append("No series to show.")
    for label, values in data:
        readings = [f"{when} {'no value' if v is None else _fmt(v)}" for when, v in zip(dates, values, strict=True)]
        parts.append(f"{_flat(label)}: {', '.join(readings)}.")
    return " ".join(parts)
