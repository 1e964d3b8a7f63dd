"""Inline SVG charts for gap reports, drawn by our own code (no plotting library): one module per chart and the
toolkit they share.

Three charts are offered for one organisation's gap report, three more compare organisations:

* ``radar``: ``radar_chart``, domain levels against targets (a bar chart when there are fewer than three domains);
* ``groups``: ``group_chart``, a dot plot of how each respondent group rated each question (the perception gap);
* ``distribution``: ``distribution_chart``, 100% stacked bars showing how respondents' answers spread over the levels;
* ``heatmap``: ``heatmap_chart``, organisations by domains;
* ``box``: ``box_chart``, box plots of each domain's spread across organisations (with one organisation marked);
* ``trend``: ``trend_chart``, domain levels over successive assessments;
* ``svg``: the toolkit, everything more than one chart uses: input checks, escaping, numbers for coordinates and
  values, text width estimates and wrapping, markers, legends, level keys and axes, the ``<svg>`` document wrapper;
  and the palette: the series colours (``PALETTE``), marker shapes (``MARKERS``), every other colour and font size.

A chart module imports from ``svg`` and never from another chart (import-linter holds this); a helper two charts need
lives in ``svg``. Names with an underscore are private to this package.

Accessibility and print choices:

* every chart is an ``<svg role="img">`` labelled by its ``<title>`` and by a ``<desc>`` that states the full data
  in words, so a screen reader gets everything the picture shows;
* colours are Okabe-Ito (series) and a light-to-dark blue ramp (levels), both safe for colour-blind readers, and
  colour never carries meaning alone: series differ by marker shape and line dash too, values and counts are
  printed as numbers, flagged rows carry a '!' mark, N/A is hatched;
* text is at least 9.5px in a viewBox 640-700 wide, so it stays legible on A4 and on black-and-white printers; the
  chart has its own white background so it also reads on dark pages;
* the SVG scales with its container (``width="100%"`` and a ``max-width``) and names the reports' typeface
  (``FONT_FAMILY``: the bundled Liberation Sans in a PDF), or the one given as ``font=`` (the renderer gives a
  brand's body font), so charts and text match;
* every piece of user text is escaped; the output has no scripts, images or links, only ``url(#...)`` references to
  patterns defined in the same SVG; output is deterministic (coordinates rounded to one decimal place).
"""

from qimaturity.report.charts.box import box_chart
from qimaturity.report.charts.distribution import distribution_chart
from qimaturity.report.charts.groups import group_chart
from qimaturity.report.charts.heatmap import heatmap_chart
from qimaturity.report.charts.radar import radar_chart
from qimaturity.report.charts.svg import FONT_FAMILY, MARKERS, PALETTE
from qimaturity.report.charts.trend import trend_chart

__all__ = [
    "FONT_FAMILY",
    "MARKERS",
    "PALETTE",
    "box_chart",
    "distribution_chart",
    "group_chart",
    "heatmap_chart",
    "radar_chart",
    "trend_chart",
]
