"""The group chart (the perception gap): a dot plot of how each respondent group rated each question."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from qimaturity.report.charts.svg import (
    _FAINT,
    _FLAG,
    _FLAG_BAND,
    _FS_LABEL,
    _FS_SMALL,
    _LINE,
    _MUTED,
    _ROW_LABEL_PX,
    _ROW_WIDTH,
    FONT_FAMILY,
    MARKERS,
    PALETTE,
    _axis_numbers,
    _baseline,
    _block_first_baseline,
    _check_font,
    _check_id,
    _check_scale,
    _clean,
    _document,
    _empty_note,
    _esc,
    _finite,
    _fmt,
    _gridlines,
    _legend_and_levels,
    _LegendItem,
    _marker,
    _num,
    _scale_sentence,
    _text,
    _title_block,
    _wrap,
)

_ROW_LABEL_X = 30.0
_DOT_X0 = 318.0
_DOT_X1 = 590.0
_SPREAD_X = 636.0


def _flag_mark(x: float, y: float) -> str:
    return (
        f'<g class="qim-flag"><circle cx="{_num(x)}" cy="{_num(y)}" r="7" fill="{_FLAG}"/>'
        + _text(x, _baseline(y, 11.0), ["!"], size=11.0, anchor="middle", fill="#FFFFFF", bold=True)
        + "</g>"
    )


def group_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Mapping[str, float]]],
    groups: Sequence[tuple[str, str]],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    highlight: Sequence[str] = (),
    font: str = FONT_FAMILY,
) -> str:
    """Dot plot: one row per question, a horizontal axis over the scale (ticks and labels at each level), one marker per
    group — each group with its own colour AND its own marker shape from MARKERS — and a thin line joining the lowest
    and highest marker of the row (the spread). Legend with shape+colour+name. Row labels wrapped (~40 chars)."""
    _check_id(chart_id)
    _check_font(font)
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
    return _document(chart_id, "groups", _ROW_WIDTH, y + 26, title, desc, parts, font)


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
