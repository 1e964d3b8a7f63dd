"""How sure a value is: an interval for each domain's and the overall value from the spread of its respondents.

A domain's value is computed from everyone's answers together (each question's respondent aggregate, then the
questions combined). How much it would move with another set of respondents depends on how much the respondents
differ. This module gives each respondent their own score for each domain and overall, combining their counted
answers exactly as the rubric combines questions and domains, and takes the standard error of those scores:

    SE = factor × s / √n

where s is the sample standard deviation of the n respondents' scores (from their count and exact sums on a fine
grid, which both engines compute to the bit, in any order: see :data:`Moments`) and ``factor`` is 1 for a mean
aggregate and √(π/2) ≈ 1.2533 for a median (the large-sample ratio of the median's standard error to the mean's).
The interval is

    raw value ± t(0.975, n − 1) × SE, kept within the ends of the scale,

centred on the value before any rule (the raw value: rules judge levels, intervals measure answers). It needs at
least two respondents with a score; a value from one respondent, from a min or max aggregate, or a total (``sum``)
has no interval.

A change between two assessments beats the noise when its own interval, change ± t × √(SE₁² + SE₂²) with t for the
smaller of the two samples, excludes zero (see :func:`change_direction`), or when it is at least the rubric's
minimal important difference. Everything here is deterministic: no random numbers, the same inputs give the same
bounds.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal, TypeVar

from qimaturity._core.frozen import maker
from qimaturity.rubric.model import Method, Rubric
from qimaturity.scoring.engine import QuestionStats, rubric_plan
from qimaturity.scoring.result import DomainResult, Interval, Result

MEDIAN_FACTOR = math.sqrt(math.pi / 2)
"""The median's standard error over the mean's, for a large sample from a normal distribution."""

# Two-sided 95 % quantiles of Student's t for 1 to 30 degrees of freedom (any statistics table).
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z95 = 1.959963984540054

Direction = Literal["improved", "declined", "no clear change", "not comparable"]


def t95(degrees: int) -> float:
    """The two-sided 95 % quantile of Student's t: the table to 30 degrees of freedom, then the Cornish-Fisher
    expansion (within 0.001 of the exact quantile from 31 on)."""
    if degrees < 1:
        raise ValueError("t needs at least one degree of freedom")
    if degrees <= len(_T95):
        return _T95[degrees - 1]
    z, v = _Z95, float(degrees)
    return z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)


Moments = tuple[int, int, int]
"""A scope's respondent scores as whole numbers on a fine grid (:func:`grid_bits`): how many, the sum of their
grid values and the sum of their squares. Sums of whole numbers do not depend on the order they are added in, so
both engines give the same moments to the bit however the scores are split into parts or spread over threads (a
float sum would not: Polars' streaming engine adds up its parts in an order that varies with the machine), and the
mean and the squared deviations from it are then worked out exactly (:func:`mean_and_deviations`): no sum of squares
loses the spread to rounding when respondents agree closely."""

NO_MOMENTS: Moments = (0, 0, 0)

_WIDEST = 127 - 31  # bits a sum of up to 2**31 squares may take in a signed 128-bit integer (the columnar engine's)


def grid_bits(rubric: Rubric) -> int:
    """How finely scores are taken: each as ⌊score × 2^bits⌋. 40 bits (a step of 9.1e-13, far below any printed
    decimal) for scales within ±255; fewer for wider scales, so that the columnar engine's sums of squares fit in 128
    bits."""
    reach = max(abs(rubric.lowest), abs(rubric.highest), 1).bit_length()
    return max(0, min(40, (_WIDEST - 2 * reach) // 2))


def on_grid(score: float, bits: int) -> int:
    """The score as a whole number of grid steps, rounded down (multiplying by a power of two is exact, so this is
    the same number in Python and in Polars)."""
    return math.floor(score * (1 << bits))


def moments_of(scores: Sequence[float], bits: int) -> Moments:
    """The moments of the scores on a grid of ``bits`` (:func:`grid_bits`)."""
    values = [on_grid(score, bits) for score in scores]
    return len(values), sum(values), sum(value * value for value in values)


def merged_moments(parts: Sequence[Moments]) -> Moments:
    """The moments of several parts of one sample together: the sums added, exactly."""
    return (sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts))


def mean_and_deviations(moments: Moments, bits: int) -> tuple[Fraction, Fraction]:
    """The exact mean of the scores on the grid and the sum of their squared deviations from it (n Σq² − (Σq)²) / n,
    back on the score's scale."""
    n, total, squares = moments
    if n == 0:
        return Fraction(0), Fraction(0)
    step = 1 << bits
    return Fraction(total, n * step), Fraction(n * squares - total * total, n * step * step)


GroupMoments = Mapping[str | None, Moments]
"""A scope's moments for each respondent group (``None``: the respondents with no group)."""


class _Placer:
    """Places a rubric's intervals (:func:`node_interval`): what does not depend on the moments worked out once
    per rubric, and each combination of groups and their sizes' weighting once (a cohort repeats a few)."""

    def __init__(self, rubric: Rubric):
        self.step = 1 << (2 * grid_bits(rubric))  # a squared score's grid step
        self.factor = MEDIAN_FACTOR if rubric.scoring.respondent_aggregate == "median" else 1.0
        self.low, self.high = float(rubric.lowest), float(rubric.highest)
        self.by_group = rubric.scoring.pooling == "groups"
        self.weights = rubric_plan(rubric).group_weights  # group_weight's, looked up
        self.spreads: dict[tuple[tuple[str | None, int], ...], float] = {}

    def interval(self, centre: float, by_group: GroupMoments) -> Interval | None:
        """The interval around ``centre`` from the moments of the respondents' scores in each group.

        ``pooling: respondents``: the groups' moments merged, as one sample of n respondents (n − 1 degrees of
        freedom). ``pooling: groups``: the value is a weighted mean of the groups' values, so its standard error is
        that of a stratified mean, √(Σ (w_g / W)² s² / n_g), where s² is the pooled within-group variance
        Σ m2_g / (n − G) over the G groups present (differences between groups are perception gaps, not noise) and
        n − G the degrees of freedom. None when the degrees of freedom are fewer than one (fewer than two
        respondents, or one in each group).
        """
        step = self.step
        # The variance s² = m2 / degrees as one ratio of whole numbers, divided once: a correctly rounded division,
        # so the float is that of the exact fraction (mean_and_deviations' m2 over the degrees), without Fraction's
        # cost.
        if not self.by_group:
            n = total = squares = 0
            for count, part, part_squares in by_group.values():  # merged_moments of the groups present, inline
                if count > 0:
                    n += count
                    total += part
                    squares += part_squares
            degrees = n - 1
            if degrees < 1:
                return None
            error = self.factor * math.sqrt(((n * squares - total * total) / (n * step * degrees)) * (1.0 / n))
            half = t95(degrees) * error
            return _INTERVAL(max(self.low, centre - half), min(self.high, centre + half), error, n)
        present: list[tuple[str | None, int]] = []
        n = 0
        product = 1
        for group, (count, _, _) in by_group.items():
            if count > 0:
                present.append((group, count))
                n += count
                product *= count
        degrees = n - len(present)
        if degrees < 1:
            return None
        sizes = tuple(present)
        spread = self.spreads.get(sizes)
        if spread is None:
            if len(self.spreads) >= 4096:  # bounded: a cohort of very varied group sizes keeps the latest
                self.spreads.clear()
            weights = [self.weights.get(group, 1.0) for group, _ in sizes]
            total_weight = sum(weights)
            spread = math.fsum([(w / total_weight) ** 2 / c for w, (_, c) in zip(weights, sizes, strict=True)])
            self.spreads[sizes] = spread
        # Σ_g (n_g Σq² − (Σq)²) / n_g over a common denominator Π n_g (the product of the sizes).
        top = sum([(c * q - t * t) * (product // c) for c, t, q in by_group.values() if c > 0])
        error = self.factor * math.sqrt((top / (product * step * degrees)) * spread)
        half = t95(degrees) * error
        return _INTERVAL(max(self.low, centre - half), min(self.high, centre + half), error, n)


_PLACERS: dict[int, tuple[Rubric, _Placer]] = {}


def _placer(rubric: Rubric) -> _Placer:
    """The rubric's :class:`_Placer`, made on first use (a rubric is immutable), as ``rubric_plan`` keeps plans."""
    found = _PLACERS.get(id(rubric))
    if found is not None and found[0] is rubric:
        return found[1]
    if len(_PLACERS) >= 64:
        _PLACERS.clear()
    placer = _PLACERS[id(rubric)] = (rubric, _Placer(rubric))
    return placer[1]


_INTERVAL = maker(Interval)  # two or ten for each result


def respondent_value(method: Method, items: Sequence[tuple[str, float, float]]) -> float:
    """One respondent's own score from their (id, value, weight) items in the rubric's order (at least one): the
    formula both engines compute, the columnar one per row (:meth:`~qimaturity.scoring.columnar._Export.with_scores`).

    The rubric's method as :func:`~qimaturity.scoring.engine.aggregate_value` has it, with its sums added left to
    right in plain floats: the weighted terms one by one, then the weights present one by one, then one division.
    :func:`math.fsum` (the values' sums) rounds the exact sum once, which no per-row expression of the columnar
    engine does; a sum in another order can differ by an ulp, and an ulp below a point of the grid is a whole grid
    step after :func:`on_grid` rounds down (e.g. 4 × 1/3 + 4 × 4/3 + 4 × 1/3 is 7.999999999999999 added in order, 8
    by fsum). The order is the rubric's, so both engines give the same float to the bit."""
    assert method != "sum", "a total has no interval (estimates_intervals)"
    if method in ("minimum", "highest_rung"):
        values = [v for _, v, _ in items]
        return min(values) if method == "minimum" else max(values)
    weights = [1.0 if method == "mean" else w for _, _, w in items]
    total = given = 0.0
    for (_, value, _), weight in zip(items, weights, strict=True):
        total += value * weight
        given += weight
    return total / given


def respondent_scores(
    rubric: Rubric, levels: Mapping[str, Sequence[tuple[str, int]]]
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Each respondent's own score per domain (domain id -> respondent id -> score) and overall (respondent id ->
    score), from their counted answers (question id -> (respondent id, counted level) of each answer that gave a
    level, as :attr:`QuestionStats.levels_by_respondent`; a hidden group's too: their answers count in the value, so
    their spread counts in its interval), combined as the rubric combines questions and domains
    (:func:`respondent_value`, with its sums added in the rubric's order); a respondent with
    no counted answer in a domain has no score there, and one with no score anywhere none overall."""
    scoring = rubric.scoring
    per_domain: dict[str, dict[str, float]] = {}
    overall_items: dict[str, list[tuple[str, float, float]]] = {}
    for domain in rubric.domains:
        items: dict[str, list[tuple[str, float, float]]] = {}
        for question in domain.questions:
            for respondent, level in levels.get(question.id, ()):
                items.setdefault(respondent, []).append((question.id, float(level), question.weight))
        scores = per_domain.setdefault(domain.id, {})
        for respondent in sorted(items):
            value = scores[respondent] = respondent_value(scoring.questions, items[respondent])
            overall_items.setdefault(respondent, []).append((domain.id, value, domain.weight))
    overall = {r: respondent_value(scoring.domains, overall_items[r]) for r in sorted(overall_items)}
    return per_domain, overall


def group_moments(
    scores: Mapping[str, float], groups: Mapping[str, str | None], bits: int
) -> dict[str | None, Moments]:
    """The moments of the scores (respondent id -> score) within each respondent group, on a grid of ``bits``."""
    by_group: dict[str | None, list[float]] = {}
    for respondent in sorted(scores):
        by_group.setdefault(groups.get(respondent), []).append(scores[respondent])
    return {group: moments_of(values, bits) for group, values in by_group.items()}


OVERALL = "overall"


def estimates_intervals(rubric: Rubric) -> bool:
    """Whether the rubric's values get intervals: not from a min or max aggregate (whose spread this method cannot
    say), nor for totals (``sum``: not on the level scale the interval is kept within)."""
    scoring = rubric.scoring
    return scoring.respondent_aggregate in ("median", "mean") and "sum" not in (scoring.questions, scoring.domains)


def with_intervals(
    rubric: Rubric, result: Result, statistics: Mapping[str, QuestionStats], groups: Mapping[str, str | None]
) -> Result:
    """The result with an interval on each domain and the overall value, from the answers one by one (the row
    engine's :class:`QuestionStats`) and each respondent's group (respondent id -> group id or None)."""
    if not estimates_intervals(rubric):
        return result
    levels = {question_id: stats.levels_by_respondent for question_id, stats in statistics.items()}
    return with_moments(rubric, result, respondent_moments(rubric, levels, groups))


def respondent_moments(
    rubric: Rubric, levels: Mapping[str, Sequence[tuple[str, int]]], groups: Mapping[str, str | None]
) -> dict[str, GroupMoments]:
    """Per scope (domain id, :data:`OVERALL`) and respondent group, the moments of the respondents' own scores
    (:func:`respondent_scores`), from the answers one by one (question id -> (respondent id, counted level)) and
    each respondent's group (respondent id -> group id or None): what :func:`with_moments` places intervals from.

    With the rubric's questions and domains combined by a (weighted) mean, as most rubrics are, the scores are
    added up as they are met, question by question in the rubric's order (the very sums
    :func:`respondent_value` adds, in its order), and go onto the grid straight away: the same moments without a
    list of items per respondent and scope (a third of the time)."""
    scoring = rubric.scoring
    if scoring.questions in _MEANS and scoring.domains in _MEANS:
        return _mean_moments(rubric, levels, groups, 1 << grid_bits(rubric))
    return scored_moments(rubric, levels, groups)


def scored_moments(
    rubric: Rubric, levels: Mapping[str, Sequence[tuple[str, int]]], groups: Mapping[str, str | None]
) -> dict[str, GroupMoments]:
    """:func:`respondent_moments` for any rubric, from each respondent's scores as :func:`respondent_scores` gives
    them."""
    bits = grid_bits(rubric)
    per_domain, overall_scores = respondent_scores(rubric, levels)
    moments: dict[str, GroupMoments] = {
        domain_id: group_moments(scores, groups, bits) for domain_id, scores in per_domain.items()
    }
    moments[OVERALL] = group_moments(overall_scores, groups, bits)
    return moments


_MEANS = ("weighted_mean", "mean", "weighted_sum")


def _mean_moments(
    rubric: Rubric, levels: Mapping[str, Sequence[tuple[str, int]]], groups: Mapping[str, str | None], step: int
) -> dict[str, GroupMoments]:
    """:func:`respondent_moments` for a rubric whose questions and domains are combined by a (weighted) mean."""
    scoring = rubric.scoring
    moments: dict[str, GroupMoments] = {}
    overall: dict[str, list[float]] = {}  # respondent id -> [Σ weight × domain score, Σ weight], in domain order
    for domain in rubric.domains:
        sums: dict[str, list[float]] = {}  # respondent id -> [Σ weight × level, Σ weight], in question order
        for question in domain.questions:
            weight = 1.0 if scoring.questions == "mean" else question.weight
            for respondent, level in levels.get(question.id, ()):
                found = sums.get(respondent)
                if found is None:
                    sums[respondent] = [0.0 + level * weight, 0.0 + weight]
                else:
                    found[0] += level * weight
                    found[1] += weight
        weight = 1.0 if scoring.domains == "mean" else domain.weight
        moments[domain.id] = _grid_moments(sums, groups, step, overall, weight)
    moments[OVERALL] = _grid_moments(overall, groups, step, None, 0.0)
    return moments


def _grid_moments(
    sums: Mapping[str, list[float]],
    groups: Mapping[str, str | None],
    step: int,
    overall: dict[str, list[float]] | None,
    weight: float,
) -> GroupMoments:
    """The moments by group of the respondents' scores (each its weighted sum over its weights), the groups in the
    order of their first respondent by id (as :func:`group_moments` gives them); each score is also added, with
    ``weight``, to the respondent's running sums in ``overall``."""
    floor = math.floor
    by_group: dict[str | None, list[int]] = {}
    for respondent in sorted(sums):
        total, given = sums[respondent]
        score = total / given
        point = floor(score * step)
        group = groups.get(respondent)
        found = by_group.get(group)
        if found is None:
            by_group[group] = [1, point, point * point]
        else:
            found[0] += 1
            found[1] += point
            found[2] += point * point
        if overall is not None:
            running = overall.get(respondent)
            if running is None:
                overall[respondent] = [0.0 + score * weight, 0.0 + weight]
            else:
                running[0] += score * weight
                running[1] += weight
    return {group: (count, total, squares) for group, (count, total, squares) in by_group.items()}


def with_moments(rubric: Rubric, result: Result, moments: Mapping[str, GroupMoments]) -> Result:
    """The result with an interval on each domain (by id) and the overall value (:data:`OVERALL`) from the moments
    of their respondents' scores in each group (None where there is none)."""
    if not estimates_intervals(rubric):
        return result

    def place(node: DomainResult) -> DomainResult:
        if node.raw_value is None:
            return node
        return _replaced(node, interval=node_interval(rubric, node.raw_value, moments.get(node.id, {})))

    overall = result.overall
    if overall.raw_value is not None:
        interval = node_interval(rubric, overall.raw_value, moments.get(OVERALL, {}))
        overall = _replaced(overall, interval=interval)
    return _replaced(result, domains=tuple(place(d) for d in result.domains), overall=overall)


N = TypeVar("N")


def _replaced(node: N, **changes: Any) -> N:
    """``dataclasses.replace`` for the result classes (frozen, no ``__post_init__``, every field set by
    ``__init__``): the same object, made by copying the fields rather than calling ``__init__`` again."""
    copy = object.__new__(type(node))
    fields = copy.__dict__
    fields.update(node.__dict__)
    fields.update(changes)
    return copy


def node_interval(rubric: Rubric, raw_value: float, moments: GroupMoments) -> Interval | None:
    """A domain's or the overall interval, around its raw value, from its respondents' score moments in each group
    (None where :meth:`_Placer.interval` gives none), for a rubric whose values get one
    (:func:`estimates_intervals`)."""
    return _placer(rubric).interval(raw_value, moments)


@dataclasses.dataclass(frozen=True)
class Change:
    """A change in a value between two assessments, and whether it beats the noise."""

    change: float | None
    low: float | None
    """The change's own 95 % interval (None when either value has no interval)."""
    high: float | None
    direction: Direction


def change_direction(
    previous: float | None,
    current: float | None,
    previous_interval: Interval | None,
    current_interval: Interval | None,
    minimal_important_difference: float | None = None,
) -> Change:
    """Whether a value improved, declined or shows no clear change.

    Improved or declined when the change's interval excludes zero, or when the change is at least the minimal
    important difference; otherwise no clear change. Where either value has no interval (one respondent: a
    judgement, not a sample) any change counts, as a change of a single assessor's levels does.
    """
    if previous is None or current is None:
        return Change(None, None, None, "not comparable")
    change = current - previous
    direction: Direction
    if previous_interval is None or current_interval is None:
        low = high = None
        clear = abs(change) > 1e-9
    else:
        error = math.sqrt(previous_interval.standard_error**2 + current_interval.standard_error**2)
        half = t95(min(previous_interval.respondents, current_interval.respondents) - 1) * error
        low, high = change - half, change + half
        clear = low > 1e-9 or high < -1e-9
    if minimal_important_difference is not None and abs(change) >= minimal_important_difference - 1e-9:
        clear = True
    direction = ("improved" if change > 0 else "declined") if clear else "no clear change"
    return Change(change, low, high, direction)
