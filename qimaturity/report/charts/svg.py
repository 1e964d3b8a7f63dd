"""The SVG toolkit the charts share: colours, marker shapes and font sizes; input checks; escaping and numbers for
coordinates and values; text width estimates, wrapping and truncation; markers, legends, level keys and axes; and the
``<svg>`` document every chart is wrapped in.

Everything here is used by more than one chart, except the palette (every colour and font size, kept in one place)
and the input checks, which are here with the rest.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qimaturity._core.numbers import decimals, fixed

PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross")
# The reports' typeface, as the style sheet names it: the PDF renderer's bundled Liberation Sans, else an installed
# Liberation Sans or its metric twin Arial (a browser showing the HTML report). Every chart takes another (``font=``):
# a report whose brand sets a body font draws its charts in that font.
FONT_FAMILY = "'Liberation Sans Bundled', 'Liberation Sans', Arial, Helvetica, sans-serif"

_ID = re.compile(r"[a-z][a-z0-9-]*")
# A font-family list as CSS writes it: names, bare or in single quotes, parted by commas; nothing that could end the
# attribute or start markup.
_FONT = re.compile(r"[A-Za-z0-9 ._',-]+")
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
_MARK_FILL = "#E69F00"
_BOX_FILL = "#C6DBEF"
_BOX_EDGE = "#2171B5"
_WHISKER = "#4D4D4D"

_FS_TITLE = 15.0
_FS_LABEL = 11.5
_FS_SMALL = 10.0
_FS_NAME = 9.5
_FS_VALUE = 10.5
_FS_CELL = 10.0
_FS_ROW = 10.5
_LINE = 1.25
_COS45 = 0.7071

_ROW_WIDTH = 680
_ROW_LABEL_PX = 268.0

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


def _check_font(font: str) -> str:
    if not isinstance(font, str) or _FONT.fullmatch(font) is None:
        raise ValueError(f"font must be a font-family list such as \"'DejaVu Sans', sans-serif\", got {font!r}")
    return font


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


def _reading(value: float) -> str:
    """A measured value printed on a chart: two decimal places always (2.40, 3.00), as the report's tables print
    it, so that the chart and the table beside it read alike."""
    return fixed(value, 2)


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


def _document(
    chart_id: str, kind: str, width: int, height: float, title: str, desc: str, body: Sequence[str], font: str
) -> str:
    h = math.ceil(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qim-chart qim-{kind}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {h}" width="100%"'
        f' style="max-width: {width}px" font-family="{font}" font-size="{_num(_FS_LABEL)}">'
        f'<title id="{chart_id}-title">{_esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>'
        f'<rect width="{width}" height="{h}" fill="#FFFFFF"/>' + "".join(body) + "</svg>"
    )


# --- scales, axes, level names and ink on a colour ---------------------------------------------------------------


def _scale_sentence(levels: Sequence[tuple[int, str]]) -> str:
    (lo, lo_name), (hi, hi_name) = levels[0], levels[-1]
    return f"Scale {lo} ({' '.join(lo_name.split())}) to {hi} ({' '.join(hi_name.split())})."


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


# --- flat and truncated text, values on a scale, rotated text, empty notes ---------------------------------------


def _flat(text: str) -> str:
    return " ".join(_clean(text).split())


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
