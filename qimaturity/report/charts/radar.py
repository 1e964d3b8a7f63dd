"""The radar chart: one organisation's domain levels against its targets, with a horizontal bar chart in its place
when there are fewer than three domains."""

from __future__ import annotations

import math
from collections.abc import Sequence

from qimaturity.report.charts.svg import (
    _FAINT,
    _FS_LABEL,
    _FS_SMALL,
    _FS_VALUE,
    _GRID,
    _LINE,
    _MUTED,
    _TEXT,
    FONT_FAMILY,
    PALETTE,
    _axis_numbers,
    _baseline,
    _block_first_baseline,
    _Box,
    _check_colour,
    _check_font,
    _check_id,
    _check_scale,
    _clean,
    _document,
    _finite,
    _fmt,
    _gridlines,
    _labelled_value,
    _legend,
    _LegendItem,
    _level_key,
    _marker,
    _num,
    _points,
    _reading,
    _scale_sentence,
    _text,
    _text_width,
    _title_block,
    _tooltip,
    _wrap,
)

_RADAR_WIDTH = 640
_RADIUS = 150.0
_GAP_NAME = "Not scored"


def _box_around(x: float, y: float, half: float) -> _Box:
    return _Box(x - half, y - half, x + half, y + half)


def _gap_icon(x: float, y: float, r: float = 5.5, cls: str = "qim-gap") -> str:
    """The 'not scored' mark: an open circle struck through."""
    d = r * 0.7071
    return (
        f'<g class="{cls}" fill="none" stroke="{_MUTED}" stroke-width="1.4">'
        f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="#FFFFFF"/>'
        f'<line x1="{_num(x - d)}" y1="{_num(y + d)}" x2="{_num(x + d)}" y2="{_num(y - d)}"/></g>'
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


def _radar_desc(items: Sequence[tuple[str, float | None, float | None]], levels: Sequence[tuple[int, str]]) -> str:
    parts = [_scale_sentence(levels)]
    if not items:
        parts.append("No domains to show.")
    for label, value, target in items:
        level = "not scored" if value is None else f"level {_fmt(value)}"
        aim = "no target" if target is None else f"target {_fmt(target)}"
        parts.append(f"{' '.join(_clean(label).split())}: {level}, {aim}.")
    return " ".join(parts)


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
    font: str = FONT_FAMILY,
) -> str:
    """Domain values as a filled polygon (solid line, circle markers, value printed at each vertex) against targets
    (dashed line, no fill, square markers); concentric rings for each level with level numbers; axis labels wrapped
    to at most ~18 characters per line; a legend naming 'Current level' and 'Target' with their line styles.
    With fewer than 3 axes draw a horizontal bar chart instead (same information). Axes with value None are drawn
    with a gap marker and labelled '(not scored)'."""
    _check_id(chart_id)
    _check_font(font)
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
    return _document(chart_id, "radar", _RADAR_WIDTH, height, title, desc, [title_svg, *body], font)


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
        text = _reading(value)
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
            column.append((_reading(value), True, False))
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
