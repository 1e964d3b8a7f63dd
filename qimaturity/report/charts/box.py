"""Box plots: each domain's spread across organisations, with one organisation's values marked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from qimaturity.report.charts.svg import (
    _BOX_EDGE,
    _BOX_FILL,
    _FAINT,
    _FS_LABEL,
    _FS_SMALL,
    _FS_VALUE,
    _LINE,
    _MARK_FILL,
    _MUTED,
    _TEXT,
    _WHISKER,
    FONT_FAMILY,
    _axis_numbers,
    _baseline,
    _block_first_baseline,
    _Box,
    _check_font,
    _check_id,
    _check_scale,
    _document,
    _empty_note,
    _flat,
    _gridlines,
    _labelled_value,
    _legend_and_levels,
    _LegendItem,
    _marker,
    _num,
    _on_scale,
    _reading,
    _scale_sentence,
    _text,
    _text_width,
    _title_block,
    _tooltip,
    _wrap,
)

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
    font: str = FONT_FAMILY,
) -> str:
    """Horizontal box plots, one row per domain, over the level scale: whiskers min-max, box q1-q3, a thick median
    line, 'n = N' and the median printed at the right; suppressed rows (None) show the text 'suppressed (fewer than
    the minimum)'. Marks (domain label, value) put a filled diamond with a contrasting outline at one organisation's
    value, the value printed above it, with a legend entry named mark_label. The legend explains box, median and
    whiskers. The scale needs at least two levels; all values must lie on it."""
    _check_id(chart_id)
    _check_font(font)
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
            column.append(f"median {_reading(stats[2])}")
        if mark is not None:
            x = x_of(mark)
            cell.append(_mark_diamond(x, centre, tooltip=f"{who}, {label}: {_reading(mark)}"))
            text = _reading(mark)
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
    return _document(chart_id, "box", _BOX_WIDTH, y + 26, title, desc, parts, font)


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
    low, q1, median, q3, high = (_reading(v) for v in stats)
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
            sentence += f"; {who} {'no value' if value is None else _reading(value)}"
        parts.append(sentence + ".")
    return " ".join(parts)
