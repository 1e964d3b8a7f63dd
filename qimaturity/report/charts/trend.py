"""The trend chart: domain levels over successive assessments, one line per series."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from qimaturity._core.dates import day_in_short_words, day_in_words
from qimaturity.report.charts.svg import (
    _COS45,
    _FAINT,
    _FS_LABEL,
    _FS_ROW,
    _FS_SMALL,
    _FS_VALUE,
    _GRID,
    _LINE,
    _MUTED,
    _TEXT,
    FONT_FAMILY,
    MARKERS,
    PALETTE,
    _attrs,
    _baseline,
    _block_first_baseline,
    _Box,
    _check_font,
    _check_id,
    _check_scale,
    _document,
    _empty_note,
    _esc,
    _flat,
    _labelled_value,
    _legend,
    _LegendItem,
    _level_key,
    _marker,
    _num,
    _on_scale,
    _points,
    _reading,
    _rotated,
    _scale_sentence,
    _text,
    _text_width,
    _title_block,
    _truncate,
    _wrap,
)

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
    breaks: Sequence[tuple[int, str]] = (),
    font: str = FONT_FAMILY,
) -> str:
    """Line chart: x = assessments (evenly spaced, labelled with the dates), y = the level scale with gridlines and
    level numbers (and names when they fit); one line per series, each with its own colour from PALETTE, marker shape
    from MARKERS and dash pattern, the last value printed at the right end beside the series label (labels nudged
    apart so they do not overlap); None values break the line. A single series also has every value printed.
    Dates are ISO dates (YYYY-MM-DD), or all calendar years (YYYY: a cohort's years, labelled as such), oldest
    first, 2 to 20 of them; at most 8 series (one per PALETTE colour).
    ``breaks``: (index of the first assessment after it, label) for each change of rubric version, drawn as a dashed
    vertical line between the two assessments with its label (``version 2.0.0``), and said in the text alternative."""
    _check_id(chart_id)
    _check_font(font)
    levels = _check_scale(scale)
    if len(levels) < 2:
        raise ValueError("a trend chart needs a scale of at least two levels")
    lo, hi = levels[0][0], levels[-1][0]
    if not 2 <= len(dates) <= 20:
        raise ValueError(f"a trend chart needs 2 to 20 assessment dates, got {len(dates)}")
    days: list[date] = []
    # Calendar years (a cohort's national trend: 2025, 2026) stand for themselves, each at its middle.
    years = all(len(str(text)) == 4 and str(text).isdigit() for text in dates)
    for text in dates:
        try:
            days.append(date(int(text), 7, 1) if years else date.fromisoformat(str(text)))
        except ValueError:
            raise ValueError(
                f"assessment dates must be ISO dates such as '2024-03-31' (or all years such as '2024'), got {text!r}"
            ) from None
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
    # On the chart, dates as the NHS writes them where space is short (30 Sep 2025); in words, in full.
    shown_dates = [str(day.year) if years else day_in_short_words(day) for day in days]
    said_dates = [str(day.year) if years else day_in_words(day) for day in days]
    for k, _label in breaks:
        if not 1 <= k < len(days):
            raise ValueError(f"a version break falls between two assessments: index 1 to {len(days) - 1}, got {k}")
    desc = _trend_desc(data, said_dates, levels, "Years" if years else "Assessments on")
    for k, label in breaks:
        desc += f" {_flat(label)} from {said_dates[k]} (after {said_dates[k - 1]})."
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
        ends.append((i, last, _truncate(label, 32, _TREND_LABEL_PX, _FS_ROW), _reading(value) + when))
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
    for k, label in breaks:
        bx = (x_of(k - 1) + x_of(k)) / 2
        parts.append(
            f'<g class="qim-version-break"><line x1="{_num(bx)}" y1="{_num(plot_top - 4)}" x2="{_num(bx)}"'
            f' y2="{_num(plot_bottom + 4)}" stroke="{_MUTED}" stroke-width="1.2" stroke-dasharray="5 3"/>'
            + _text(
                bx,
                plot_top - 8,
                [_truncate(label, 24, spacing * 0.9, _FS_SMALL)],
                size=_FS_SMALL,
                anchor="middle",
                fill=_MUTED,
            )
            + "</g>"
        )

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
                    tooltip=f"{label}, {said_dates[k]}: {_reading(value)}",
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
        notes.append(
            "Years are evenly spaced here; some years between them have no assessment."
            if years
            else "Assessments are evenly spaced here; the time between them varies."
        )
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
    return _document(chart_id, "trend", width, y + 10, title, desc, parts, font)


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
        text = _reading(value)
        w, h = _text_width(text, _FS_VALUE, bold=True) + 6, _FS_VALUE + 4
        x, y = x_of(k), y_of(value)
        above = _Box(x - w / 2, y - 8 - h, x + w / 2, y - 8)
        below = _Box(x - w / 2, y + 8, x + w / 2, y + 8 + h)
        box = above if not crossed(above) or crossed(below) else below
        svg.append(_labelled_value(box, text, _FS_VALUE))
    return svg


def _trend_desc(
    data: Sequence[tuple[str, Sequence[float | None]]],
    dates: Sequence[str],
    levels: Sequence[tuple[int, str]],
    lead: str = "Assessments on",
) -> str:
    parts = [_scale_sentence(levels), f"{lead} {', '.join(dates)}."]
    if not data:
        parts.append("No series to show.")
    for label, values in data:
        readings = [f"{when} {'no value' if v is None else _reading(v)}" for when, v in zip(dates, values, strict=True)]
        parts.append(f"{_flat(label)}: {', '.join(readings)}.")
    return " ".join(parts)
