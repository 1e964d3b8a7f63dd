"""The distribution chart: 100% stacked bars showing how respondents' answers spread over the levels."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from qimaturity.report.charts.svg import (
    _BLUES,
    _FAINT,
    _FS_LABEL,
    _FS_SMALL,
    _FS_VALUE,
    _GRID,
    _LINE,
    _MUTED,
    _NA_FILL,
    _NA_HATCH,
    _ROW_LABEL_PX,
    _ROW_WIDTH,
    _TEXT,
    FONT_FAMILY,
    _baseline,
    _block_first_baseline,
    _Box,
    _check_font,
    _check_id,
    _check_scale,
    _clean,
    _document,
    _empty_note,
    _labelled_value,
    _legend,
    _LegendItem,
    _luminance,
    _num,
    _scale_sentence,
    _text,
    _text_width,
    _title_block,
    _tooltip,
    _wrap,
)

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


BAR_EDGE = "#6E6E6E"
"""The outline of each bar: 5.1:1 against white."""


def separator(left: str, right: str) -> str:
    """The line between two segments: white or near-black, whichever stands out more against the segment it
    stands out against most (each level colour has 3:1 at least against one of them)."""
    return max(("#FFFFFF", _TEXT), key=lambda ink: max(contrast(ink, left), contrast(ink, right)))


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def distribution_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Mapping[int, int], int]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    font: str = FONT_FAMILY,
) -> str:
    """100% stacked horizontal bars: per question, the share of respondents at each level, lowest level on the left,
    a sequential colour ramp light->dark blue (colour-blind safe), each segment wide enough printed with its count;
    N/A shown as a hatched grey segment at the right with 'N/A' count; legend lists level numbers with names."""
    _check_id(chart_id)
    _check_font(font)
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
                    ["no answers shown"],
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
            bounds: list[tuple[float, str]] = []
            for level, count in segments:
                x0 = round(_DIST_X0 + _DIST_WIDTH * done / total, 1)
                done += count
                x1 = round(_DIST_X0 + _DIST_WIDTH * done / total, 1)
                svg, note = _segment(level, count, x0, x1, top, bar_h, levels, colours, hatch_id)
                cell.append(svg)
                column.extend(note)
                bounds.append((x1, _NA_HATCH if level is None else colours[level]))
            # Between two segments a line that stands out (3:1 at least) against one side, so that neighbouring
            # levels of close blues are told apart; the bar is outlined at 3:1 against the white page.
            for (x, left), (_next, right) in zip(bounds, bounds[1:], strict=False):
                cell.append(
                    f'<line class="qim-seg-edge" x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}"'
                    f' y2="{_num(top + bar_h)}" stroke="{separator(left, right)}" stroke-width="1.5"/>'
                )
            cell.append(
                f'<rect class="qim-bar-edge" x="{_num(_DIST_X0)}" y="{_num(top)}" width="{_num(_DIST_WIDTH)}"'
                f' height="{_num(bar_h)}" fill="none" stroke="{BAR_EDGE}" stroke-width="1"/>'
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
    return _document(chart_id, "distribution", _ROW_WIDTH, y + 28, title, desc, parts, font)


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
    """One bar segment (level None is N/A; its count inside if it fits); also any note for the side column."""
    width = round(x1 - x0, 1)
    centre = top + height / 2
    fill = f"url(#{hatch_id})" if level is None else colours[level]
    name = "N/A" if level is None else f"level {level} ({_level_name(levels, level)})"
    svg = (
        f'<rect class="qim-seg" x="{_num(x0)}" y="{_num(top)}" width="{_num(width)}" height="{_num(height)}"'
        f' fill="{fill}" data-level="{"na" if level is None else level}"'
        f' data-count="{count}">{_tooltip(f"{name}: {count}")}</rect>'
    )
    if level is not None:
        # No count inside a level's colour: a "2" on level 2's blue reads as the level. Counts are in the
        # segment's tooltip and the chart's description.
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
        detail = ", ".join(answers) if answers else "no answers shown"
        parts.append(f"{' '.join(_clean(label).split())}: {detail}; {total} respondent{'' if total == 1 else 's'}.")
    return " ".join(parts)
