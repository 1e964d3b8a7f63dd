"""The heatmap: organisations by domains, each cell shaded by its value and printed with it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from qimaturity._core.numbers import fixed
from qimaturity.report.charts.svg import (
    _BLUES,
    _COS45,
    _FLAG,
    _FS_CELL,
    _FS_ROW,
    _FS_SMALL,
    _LINE,
    _TEXT,
    FONT_FAMILY,
    _baseline,
    _block_first_baseline,
    _check_font,
    _check_id,
    _check_scale,
    _document,
    _empty_note,
    _flat,
    _fmt,
    _ink_on,
    _legend,
    _LegendItem,
    _marker,
    _num,
    _on_scale,
    _points,
    _rotated,
    _scale_sentence,
    _text,
    _text_width,
    _title_block,
    _tooltip,
    _truncate,
    _wrap,
)

_HEAT_WIDTH = 700
_HEAT_ROW = 14.0
_HEAT_MARK_X = 13.0
_HEAT_LABEL_X = 22.0
_HEAT_LABEL_CHARS = 32
_HEAT_LABEL_PX = 170.0
_HEAT_MAX_COLUMNS = 12
_HEAT_MAX_CELL = 84.0
_HEAT_HEADER_PX = 240.0
_HEAT_HEADER_MIN = 96.0
_HEAT_GOOD_CELL = 40.0
_HEAT_REPEAT_HEADERS = 60
_OUTLIER_NAME = "Outlier"
_NO_DATA_NAME = "No data"
_HIGHLIGHT_NAME = "Highlighted organisation"


def _one_decimal(value: float) -> str:
    """A value printed with one decimal place, halves rounded up as people expect (3.25 -> 3.3, not 3.2)."""
    return fixed(value, 1, halves_up=True)


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


def heatmap_chart(
    chart_id: str,
    rows: Sequence[tuple[str, Sequence[float | None], bool]],
    columns: Sequence[str],
    scale: Sequence[tuple[int, str]],
    *,
    title: str,
    outliers: Collection[tuple[int, int]] = (),
    font: str = FONT_FAMILY,
) -> str:
    """Organisations x domains grid. Each cell: colour from a sequential colour-blind-safe ramp by value over the scale
    (light -> dark), the value printed in the cell (1 decimal; text colour chosen for contrast), outlier cells marked
    with a thick border and a small diamond explained in the legend; None cells hatched with '–'. Column headers
    wrapped when they fit, otherwise turned 45 degrees; row labels wrapped at about 32 characters, never cut;
    highlighted rows (e.g. 'you') in bold with a pointer and an outline. The height grows by 14 per row and 13.1 more
    per extra line of a wrapped name (the column headers are drawn again under the grid beyond 60 rows); the width
    is fixed at 700. At most 12 columns."""
    _check_id(chart_id)
    _check_font(font)
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

    # Names are wrapped, never cut: a row grows by one line of text for each line its name needs beyond the first.
    labels = [
        _wrap(label, _HEAT_LABEL_CHARS, _HEAT_LABEL_PX, _FS_ROW, 99, bold=highlight) for label, _v, highlight in data
    ]
    label_px = max(
        [_text_width(line, _FS_ROW, bold=h) for lines, (_l, _v, h) in zip(labels, data, strict=True) for line in lines]
        + [40.0]
    )
    heights = [_HEAT_ROW + (len(lines) - 1) * _FS_ROW * _LINE for lines in labels]
    tops = [sum(heights[:r]) for r in range(len(heights))]
    x0 = _HEAT_LABEL_X + min(label_px, _HEAT_LABEL_PX * 1.08) + 14
    x1, cell, headers = _heatmap_columns(cols, x0, width)
    header_height = headers.height

    parts.append(headers.draw(y + header_height, top=True))
    y += header_height + 4
    grid_top = y
    body: list[str] = []
    outlines: list[str] = []
    for r, ((_label, values, highlight), shown) in enumerate(zip(data, labels, strict=True)):
        ry = grid_top + tops[r]
        row_height = heights[r]
        centre = ry + row_height / 2
        row = [f'<g class="qim-row{" qim-highlight" if highlight else ""}" data-row="{r}">']
        if r % 2 == 1:
            row.append(
                f'<rect x="6" y="{_num(ry)}" width="{_num(x0 - 10)}" height="{_num(row_height)}" fill="#F2F2F2"/>'
            )
        if highlight:
            row.append(
                f'<polygon class="qim-highlight-mark" points="{_points(_pointer(_HEAT_MARK_X, centre))}"'
                f' fill="{_TEXT}"/>'
            )
            outlines.append(
                f'<rect class="qim-highlight-outline" x="{_num(x0 - 1.5)}" y="{_num(ry - 0.5)}"'
                f' width="{_num(x1 - x0 + 3)}" height="{_num(row_height + 1)}" fill="none" stroke="{_TEXT}"'
                ' stroke-width="1.6"/>'
            )
        first = (
            _baseline(centre, _FS_ROW)
            if len(shown) == 1
            else _block_first_baseline(centre - len(shown) * _FS_ROW * _LINE / 2, _FS_ROW)
        )
        row.append(_text(_HEAT_LABEL_X, first, shown, size=_FS_ROW, bold=highlight, cls="qim-row-label"))
        for c, value in enumerate(values):
            row.append(
                _heat_cell(r, c, value, x0 + c * cell, ry, cell, (r, c) in flagged, lo, hi, hatch_id, row_height)
            )
        row.append("</g>")
        body.extend(row)
    y = grid_top + sum(heights)
    parts.extend(body)
    parts.extend(outlines)
    if not data:
        parts.append(_empty_note((x0 + x1) / 2, y + 18, "No organisations to show."))
        y += 36
    if len(data) > _HEAT_REPEAT_HEADERS:
        parts.append(headers.draw(y + 4, top=False))
        y += 4 + header_height
    return _document(chart_id, "heatmap", width, y + 12, title, desc, parts, font)


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
    height: float = _HEAT_ROW,
) -> str:
    centre = y + height / 2
    rect = (
        f'<rect class="qim-cell{" qim-na" if value is None else ""}" x="{_num(x + 0.5)}" y="{_num(y + 0.5)}"'
        f' width="{_num(cell - 1)}" height="{_num(height - 1)}"'
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
            f' height="{_num(height - 3.5)}" fill="none" stroke="{_FLAG}" stroke-width="2.5"/>'
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
