"""What the cohort report's summary says: the period its assessments cover and the headline findings a regulator
reads first (the spread of overall values, outliers, movers since the last assessment, differences between peer
groups, levels held by rules), each as a sentence, with the figures behind it.

Suppression is respected throughout: a group smaller than the cohort's minimum (or the whole cohort, when it is
that small) is named with its size only, never with a value, a quartile or a median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qimaturity._core.dates import iso_in_words
from qimaturity._core.numbers import fixed, signed
from qimaturity._core.order import natural_key
from qimaturity.cohort.model import Cohort, GroupStats, Stats
from qimaturity.report.summary import peer_group_name


@dataclass(frozen=True)
class Finding:
    """One headline: a short name (Spread, Outliers...) and the sentence that says it."""

    name: str
    text: str


@dataclass(frozen=True)
class GroupLine:
    """A peer group as the summary's table shows it: its size and, unless suppressed, its overall spread."""

    name: str
    n: int
    suppressed: bool
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None


@dataclass(frozen=True)
class Mover:
    """An organisation whose overall value changed clearly since its first assessment in the cohort."""

    name: str
    first: float
    last: float
    change: float
    direction: str


@dataclass(frozen=True)
class CohortSummary:
    period: str | None
    """The dates of the assessments compared (each organisation's latest): ``1 April 2026 to 30 September 2026``,
    or one date; None when no assessment is dated."""
    earlier_period: str | None
    """The dates of the earlier assessments that the changes since last time start from, None without any."""
    organisations: int
    assessments: int
    findings: tuple[Finding, ...]
    groups: tuple[GroupLine, ...]
    movers: tuple[Mover, ...]


def long_date(iso: str) -> str:
    """``2026-09-30`` as people write it in the NHS: ``30 September 2026`` (text that is not a date is kept)."""
    return iso_in_words(iso)


def period_text(dates: Sequence[str | None]) -> str | None:
    """The span of some ISO dates: ``1 April 2026 to 30 September 2026``, one date when they are all the same."""
    given = sorted({d for d in dates if d})
    if not given:
        return None
    first, last = given[0], given[-1]
    return long_date(first) if first == last else f"{long_date(first)} to {long_date(last)}"


def cohort_period(cohort: Cohort) -> str | None:
    """The period a cohort's assessments were chosen from, in words: ``calendar year 2025``, ``1 April 2025 to 31
    March 2026``, ``from 1 April 2025``, ``up to 31 March 2026``; None when not limited (each organisation's
    latest)."""
    start, end = cohort.period_start, cohort.period_end
    if start is None and end is None:
        return None
    if start is not None and end is not None:
        if start[:4] == end[:4] and start[4:] == "-01-01" and end[4:] == "-12-31":
            return f"calendar year {start[:4]}"
        return f"{long_date(start)} to {long_date(end)}"
    return f"from {long_date(start)}" if start is not None else f"up to {long_date(end or '')}"


def group_title(cohort: Cohort, group: GroupStats) -> str:
    """A group as a heading names it: "All organisations", "Acute organisations", "Organisations in the North
    West region", never the bare key ("acute") the answers give."""
    if group is cohort.everyone or cohort.group_by is None:
        return group.name
    name = peer_group_name(cohort.group_by, group.name, cohort.everyone.name, group.n)
    return name[:1].upper() + name[1:]


def _n(value: float) -> str:
    return fixed(value, 2)


def _organisations(count: int) -> str:
    return f"{count} organisation" + ("" if count == 1 else "s")


def _names(items: Sequence[str]) -> str:
    """Items in a sentence: ``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def cohort_summary(cohort: Cohort, level_names: dict[int, str]) -> CohortSummary:
    """The summary of ``cohort``; ``level_names`` names the rubric's levels (value -> name)."""
    titles = dict(cohort.domains)
    latest_dates = [m.date for m in cohort.members]
    earlier = [d for t in cohort.trends for d in t.dates[:-1]]
    findings: list[Finding] = []
    everyone = cohort.everyone
    if everyone.suppressed:
        findings.append(
            Finding(
                "Spread",
                f"The cohort has {_organisations(everyone.n)}, fewer than the {cohort.min_cohort} needed to show "
                "statistics: no spread, quartile, outlier or peer-group figure is shown, so that no organisation "
                "can be identified.",
            )
        )
    else:
        findings.extend(_spread(cohort, everyone, level_names, titles))
        findings.append(_outliers(cohort, titles))
        if cohort.groups:
            findings.append(_group_differences(cohort))
    if cohort.years:
        findings.append(_years_finding(cohort))
    movers = _movers(cohort)
    findings.append(_movers_finding(cohort, movers))
    held = [m.name for m in cohort.members if m.overall_held is not None]
    if held:
        findings.append(
            Finding(
                "Held levels",
                f"{_organisations(len(held))} ha{'s' if len(held) == 1 else 've'} an overall level held by a rule of "
                "the rubric (for example a critical question below its threshold): "
                f"{_names(held)}. They are ranked by the value of their answers, and the level shown is the held one.",
            )
        )
    groups = tuple(_group_line(g, group_title(cohort, g)) for g in cohort.groups)
    return CohortSummary(
        period_text(latest_dates),
        period_text(earlier),
        len(cohort.members),
        cohort.assessment_count,
        tuple(findings),
        groups,
        tuple(movers),
    )


def _spread(cohort: Cohort, everyone: GroupStats, level_names: dict[int, str], titles: dict[str, str]) -> list[Finding]:
    found = []
    s = everyone.overall
    measure = "overall values" if cohort.ranked_by == "overall value" else cohort.ranked_by
    if s is not None:
        levels = sorted(s.levels, key=lambda item: -item[0])
        at_levels = "; ".join(
            f"{count} at level {level}" + (f" ({level_names[level]})" if level in level_names else "")
            for level, count in levels
        )
        found.append(
            Finding(
                "Spread",
                f"The {measure} of the {_organisations(s.n)} run from {_n(s.minimum)} to {_n(s.maximum)}: the "
                f"median is {_n(s.median)} and the middle half lies between {_n(s.q1)} and {_n(s.q3)} (an "
                f"interquartile range of {_n(s.iqr)}). Overall levels: {at_levels}.",
            )
        )
    else:
        found.append(Finding("Spread", "Overall values are not compared in this cohort; see each domain below."))
    shown = [(titles[d], stats) for d, stats in everyone.domains if stats is not None]
    if shown:
        found.append(Finding("Domains", _domain_sentence(shown)))
    return found


def _domain_sentence(shown: Sequence[tuple[str, Stats]]) -> str:
    medians = [stats.median for _, stats in shown]
    top, bottom = max(medians), min(medians)
    if abs(top - bottom) <= 1e-9:
        said = f"Every domain has the same median, {_n(top)}."
    else:
        strongest = [title for title, stats in shown if abs(stats.median - top) <= 1e-9]
        weakest = [title for title, stats in shown if abs(stats.median - bottom) <= 1e-9]
        said = (
            f"Strongest across the cohort by median: {_names(strongest)} ({_n(top)}); weakest: {_names(weakest)} "
            f"({_n(bottom)})."
        )
    widest = max(stats.iqr for _, stats in shown)
    spread_most = [title for title, stats in shown if abs(stats.iqr - widest) <= 1e-9]
    return f"{said} Organisations differ most on {_names(spread_most)} (interquartile range {_n(widest)})."


def _outliers(cohort: Cohort, titles: dict[str, str]) -> Finding:
    flagged = [m for m in cohort.members if m.outliers]
    if not flagged:
        return Finding(
            "Outliers",
            "No organisation has a domain value more than 1.5 interquartile ranges beyond the cohort's quartiles.",
        )
    listed = [f"{m.name} ({', '.join(f'{titles[d]} {side}' for d, side in m.outliers)})" for m in flagged]
    return Finding(
        "Outliers",
        f"{_organisations(len(flagged))} ha{'s' if len(flagged) == 1 else 've'} a domain value more than 1.5 "
        f"interquartile ranges beyond the cohort's quartiles: {'; '.join(listed)}.",
    )


def _group_differences(cohort: Cohort) -> Finding:
    by = cohort.group_by
    shown = [g for g in cohort.groups if not g.suppressed and g.overall is not None]
    hidden = [g for g in cohort.groups if g.suppressed]

    def named(group: GroupStats) -> str:
        return peer_group_name(by, group.name, cohort.everyone.name, group.n)

    said = ""
    if len(shown) >= 2:
        high = max(shown, key=lambda g: g.overall.median if g.overall else 0.0)
        low = min(shown, key=lambda g: g.overall.median if g.overall else 0.0)
        assert high.overall is not None and low.overall is not None
        said = (
            f"By {by}, the groups' median overall values run from {_n(low.overall.median)} ({named(low)}, "
            f"{low.n}) to {_n(high.overall.median)} ({named(high)}, {high.n}), a "
            f"difference of {_n(high.overall.median - low.overall.median)}."
        )
    elif len(shown) == 1:
        only = shown[0]
        assert only.overall is not None
        said = (
            f"By {by}, one group is large enough to show: {named(only)} ({only.n}), median overall "
            f"value {_n(only.overall.median)}."
        )
    else:
        said = f"By {by}, no group is large enough to show."
    if hidden:
        names = _names([f"{named(g)} ({g.n})" for g in hidden])
        said += (
            f" {len(hidden)} group{'' if len(hidden) == 1 else 's'} with fewer than {cohort.min_cohort} "
            f"organisations {'is' if len(hidden) == 1 else 'are'} not shown: {names}."
        )
    return Finding("Peer groups", said.strip())


def _years_finding(cohort: Cohort) -> Finding:
    """The national trend in two sentences: the median overall value of the first and the last year shown, then
    the movement between levels from the year before the last."""
    first, last = cohort.years[0], cohort.years[-1]

    def said(year: str, group: GroupStats) -> str:
        if group.suppressed:
            return f"not shown for {year} ({_organisations(group.n)}, fewer than {cohort.min_cohort})"
        if group.overall is None:
            return f"not compared in {year} ({_organisations(group.n)})"
        return f"{_n(group.overall.median)} in {year} ({_organisations(group.n)})"

    text = f"The median overall value was {said(first.year, first.stats)} and {said(last.year, last.stats)}."
    move = cohort.movements[-1]
    if move.suppressed:
        text += (
            f" {_organisations(move.organisations)} {'was' if move.organisations == 1 else 'were'} assessed in both "
            f"{move.earlier} and {move.later}, fewer than {cohort.min_cohort}: how they moved is not shown."
        )
    else:
        text += (
            f" Of the {_organisations(move.organisations)} assessed in both {move.earlier} and {move.later}, "
            f"{move.moved_up} moved up an overall level, {move.stayed} stayed, {move.moved_down} moved down and "
            f"{move.no_clear_change} changed level without a clear change of value"
            + (f"; {move.not_comparable} cannot be compared" if move.not_comparable else "")
            + "."
        )
    return Finding("Year on year", text)


def _movers(cohort: Cohort) -> list[Mover]:
    found = []
    for t in cohort.trends:
        o = t.overall
        if o is None or o.change is None or o.direction not in ("improved", "declined"):
            continue
        present = [v for v, ok in zip(o.values, o.comparable or [True] * len(o.values), strict=True) if ok]
        values = [v for v in present if v is not None]
        if len(values) < 2:
            continue
        found.append(Mover(t.name, values[0], values[-1], o.change, o.direction))
    return sorted(found, key=lambda m: (-m.change, natural_key(m.name)))


def _movers_finding(cohort: Cohort, movers: Sequence[Mover]) -> Finding:
    trends = cohort.trends
    if not trends:
        return Finding("Movers", "No organisation has an earlier assessment in this cohort, so no change is shown.")
    directions = [t.overall.direction if t.overall is not None else "not comparable" for t in trends]
    counts = {d: directions.count(d) for d in ("improved", "declined", "no clear change", "not comparable")}
    parts = [f"{counts['improved']} improved overall", f"{counts['declined']} declined"]
    unclear = counts["no clear change"]
    parts.append(f"{unclear} {'shows' if unclear == 1 else 'show'} no clear change")
    if counts["not comparable"]:
        parts.append(f"{counts['not comparable']} cannot be compared")
    said = f"{_organisations(len(trends))} {'was' if len(trends) == 1 else 'were'} assessed before: {_names(parts)}."
    rises = [m for m in movers if m.direction == "improved"]
    falls = [m for m in movers if m.direction == "declined"]
    if rises:
        m = rises[0]
        said += f" Largest clear rise: {m.name}, {signed(m.change)} ({_n(m.first)} to {_n(m.last)})."
    if falls:
        m = falls[-1]
        said += f" Largest clear fall: {m.name}, {signed(m.change)} ({_n(m.first)} to {_n(m.last)})."
    return Finding("Movers", said)


def _group_line(group: GroupStats, title: str) -> GroupLine:
    s = None if group.suppressed else group.overall
    if s is None:
        return GroupLine(title, group.n, group.suppressed, None, None, None, None, None)
    return GroupLine(title, group.n, False, s.minimum, s.q1, s.median, s.q3, s.maximum)
