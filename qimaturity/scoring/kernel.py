"""The statistics kernel: from the levels respondents gave to what scoring needs, once for both engines.

A question's answers reduce to counts: how many respondents gave each level of the scale. Everything scoring needs
before the rubric's rules is a function of those counts, and this module holds each function once:

- :func:`respondent_value`: the rubric's respondent aggregate (median, mean, min or max) of the counted levels;
- :func:`pooled_value`: with ``pooling: groups``, the groups' values combined by their weights;
- :func:`sample_variance` and :func:`agreement`: the sample variance of the levels and the within-group agreement r_wg;
  :func:`group_agreement` and :func:`lowest_agreement`: r_wg within each respondent group large enough to say it;
- :func:`evidence_level`: the level an answer counts at when its evidence does not support it.

The row engine (:mod:`qimaturity.scoring.engine`) counts each question's answers one by one and calls these; the
columnar engine (:mod:`qimaturity.scoring.columnar`) builds a full result's statistics from the counts a Polars
query made, with the same calls. The only second implementation is the vectorised one in
:mod:`qimaturity.scoring.columnar_numbers`, which computes the same numbers for all organisations at once; a property
test (tests/test_engines_agree.py) holds it equal to this kernel, through the row engine, on every rubric.

Levels are whole numbers, so every number here is exact or rounded once: the median is a level or the mean of two,
the mean an integer sum over a count, the variance a ratio of two integers. Any engine that holds the same counts
gets the same float, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

G = TypeVar("G")

Counts = Sequence[tuple[int, int]]
"""(level, how many answers gave it), ascending by level; levels with no answer may be left out."""


def counts_of(levels: Iterable[int]) -> list[tuple[int, int]]:
    """The counts of some levels, ascending."""
    counts: dict[int, int] = {}
    for level in levels:  # a plain dict: a question has a handful of answers, and Counter's set-up costs more
        counts[level] = counts.get(level, 0) + 1
    return sorted(counts.items())


def respondent_value(method: str, counts: Counts, even_median: str = "mean") -> float:
    """The respondent aggregate of the levels the counts stand for (at least one).

    ``median``: the middle level; for an even number, as ``even_median`` says: ``mean`` the mean of the middle two
    (as ``statistics.median``: 3 and 4 give 3.5), ``lower`` the lower (3), ``upper`` the upper (4);
    ``mean``: their exact sum over their number (as ``math.fsum(levels) / len(levels)``); ``min`` / ``max``.
    """
    total = sum(n for _, n in counts)
    if total == 0:
        raise ValueError("no levels to aggregate")
    if method == "median":
        lower, upper = (total - 1) // 2, total // 2
        low: int | None = None
        seen = 0
        for level, n in counts:
            seen += n
            if low is None and seen > lower:
                low = level
            if seen > upper:
                assert low is not None
                if total % 2 or even_median == "upper":
                    return float(level)
                if even_median == "lower":
                    return float(low)
                if even_median != "mean":
                    raise ValueError(f"unknown even_median '{even_median}'")
                return (low + level) / 2
    if method == "mean":
        return float(sum(level * n for level, n in counts)) / total
    present = [level for level, n in counts if n]
    if method == "min":
        return float(present[0])
    if method == "max":
        return float(present[-1])
    raise ValueError(f"unknown respondent aggregate '{method}'")


def pooled_value(groups: Iterable[tuple[float, float]]) -> float:
    """Respondents pooled by group: Σ w·v / Σ w over the (value, weight) of each group that gave a level (at least
    one). A group that did not answer is simply not among them: its weight drops out and the others renormalise.

    Computed exactly (a float is a fraction) and rounded once, so the result does not depend on the order in which
    the groups come nor on the engine that holds them.
    """
    # Each float is an integer over a power of two (as_integer_ratio), so the sums stay integer ratios; one
    # integer division at the end rounds once, correctly (as float(Fraction) does, without its objects' cost).
    top, bottom = 0, 1  # Σ w·v
    weights, scale = 0, 1  # Σ w
    for value, weight in groups:
        v_top, v_bottom = value.as_integer_ratio()
        w_top, w_bottom = weight.as_integer_ratio()
        term_bottom = v_bottom * w_bottom
        top, bottom = top * term_bottom + v_top * w_top * bottom, bottom * term_bottom
        weights, scale = weights * w_bottom + w_top * scale, scale * w_bottom
    if not weights:
        raise ValueError("no groups to pool")
    return (top * scale) / (bottom * weights)


def even_median_note(method: str, total: int, even_median: str) -> str:
    """What a trace adds after a median of an even count that is not the mean of the middle two."""
    if method != "median" or total % 2 or even_median == "mean":
        return ""
    return f" (an even count: the {even_median} of the middle two, scoring.respondents.even_median)"


def sample_variance(counts: Counts) -> float | None:
    """The sample variance s² of the levels (``None`` for fewer than two), exactly rounded:
    s² = (n·Σv² − (Σv)²) / (n·(n − 1)), a ratio of two integers divided once."""
    total = sum(n for _, n in counts)
    if total < 2:
        return None
    first = sum(level * n for level, n in counts)
    second = sum(level * level * n for level, n in counts)
    return (total * second - first * first) / (total * (total - 1))


def agreement(variance: float | None, scale_points: int) -> float | None:
    """Within-group agreement r_wg = 1 − s² / σ²_EU, σ²_EU = (A² − 1) / 12 for A scale points; 0 when s² exceeds
    it; ``None`` without a variance."""
    if variance is None:
        return None
    expected = (scale_points**2 - 1) / 12
    return max(0.0, 1 - variance / expected)


def group_agreement(counts: Counts, scale_points: int, minimum: int) -> float | None:
    """r_wg within one respondent group from the levels its members gave (before the evidence rule); ``None`` when
    fewer than ``minimum`` (and never fewer than two) gave a level."""
    if sum(n for _, n in counts) < max(2, minimum):
        return None
    return agreement(sample_variance(counts), scale_points)


def lowest_agreement(agreements: Iterable[tuple[G, float | None]]) -> tuple[G, float] | None:
    """The lowest within-group r_wg and its group (the first such group in the order given); ``None`` when no
    group was large enough."""
    lowest: tuple[G, float] | None = None
    for group, value in agreements:
        if value is not None and (lowest is None or value < lowest[1]):
            lowest = (group, value)
    return lowest


def level_below(scale: Sequence[int], level: int) -> int:
    """The scale level just below ``level`` (the lowest level when there is none)."""
    lower = [v for v in scale if v < level]
    return lower[-1] if lower else scale[0]


def evidence_level(scale: Sequence[int], evidence_from: int | None, level: int, *, cap: bool) -> int:
    """The level an answer counts at when it cites no (valid) evidence: below ``evidence_from`` when the rubric
    caps such answers (``cap``), as given when it only flags them, or when the level needs no evidence."""
    if evidence_from is None or level < evidence_from or not cap:
        return level
    return level_below(scale, evidence_from)
