"""Cohorts: many results compared — organisations side by side, peer groups, and one organisation over time.

Pure: results in, a :class:`Cohort` out. Statistics per domain (count, quartiles, distribution of levels),
a ranking, outliers (Tukey's fences), peer groups from organisation fields with small groups suppressed, and
trends for organisations assessed more than once. Results of different rubric versions are compared as the later
version's migration map says (each domain's values across the change only where it is comparable, the overall
value only where every domain is); without a map they are refused, or — when asked — compared only on the domains
the versions share, and flagged.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from qimaturity._core.order import natural_key
from qimaturity._core.problems import InputError, OptionError, Problem
from qimaturity.rubric.checks import version_key
from qimaturity.rubric.migration import VersionBridge, version_bridge
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.intervals import change_direction
from qimaturity.scoring.result import DomainResult, Interval, OverallResult, Result, RubricRef

DEFAULT_MIN_COHORT = 5
NOT_GIVEN = "(not given)"


@dataclass(frozen=True)
class Stats:
    """The distribution of one domain's (or the overall) values in a group."""

    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    levels: tuple[tuple[int, int], ...]

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


@dataclass(frozen=True)
class GroupStats:
    """A peer group (or the whole cohort): its size, and statistics unless it is too small to show."""

    name: str
    n: int
    suppressed: bool
    domains: tuple[tuple[str, Stats | None], ...]
    overall: Stats | None

    def domain(self, domain_id: str) -> Stats | None:
        return dict(self.domains).get(domain_id)


@dataclass(frozen=True)
class Member:
    """One organisation's latest result in the cohort, as a row of the ranking and heatmap."""

    organisation_id: str
    name: str
    type: str | None
    region: str | None
    group: str | None
    date: str | None
    rank: int
    score: float | None
    overall_level: int | None
    overall_band: str | None
    values: tuple[tuple[str, float | None, int | None], ...]
    outliers: tuple[tuple[str, str], ...]
    overall_held: int | None = None
    """The level a rule holds the overall at (``score`` is still the answers' value), ``None`` when none does."""
    held: tuple[tuple[str, int], ...] = ()
    """(domain id, held level) of each domain a rule holds."""


@dataclass(frozen=True)
class DomainTrend:
    domain_id: str
    title: str
    values: tuple[float | None, ...]
    levels: tuple[int | None, ...]
    change: float | None
    direction: str
    """improved, declined, no clear change (the change does not beat the noise) or not comparable."""
    held: tuple[int | None, ...] = ()
    """By date, the level a rule held the result at (``None``: no rule held it). Values and the change are the
    answers', so a held result still shows its progress."""
    intervals: tuple[Interval | None, ...] = ()
    """Each value's interval, as ``values``."""
    change_low: float | None = None
    """The first-to-last change's own 95 % interval, where both values have one."""
    change_high: float | None = None
    comparable: tuple[bool, ...] = ()
    """By date, whether the value may be compared with the latest: False for a value of an earlier rubric version
    that the later version's migration map says is not comparable (then the value is ``None``)."""
    note: str | None = None
    """Why some values are not comparable, from the migration map."""


@dataclass(frozen=True)
class Trend:
    """One organisation assessed more than once: its values by date, oldest first."""

    organisation_id: str
    name: str
    dates: tuple[str, ...]
    domains: tuple[DomainTrend, ...]
    overall: DomainTrend | None
    versions: tuple[str, ...] = ()
    """By date, the rubric version each assessment was scored with."""

    @property
    def version_changes(self) -> tuple[tuple[int, str, str], ...]:
        """Where the rubric version changes: (index of the first assessment of the new version, old, new)."""
        return tuple(
            (i, self.versions[i - 1], self.versions[i])
            for i in range(1, len(self.versions))
            if self.versions[i] != self.versions[i - 1]
        )


@dataclass(frozen=True)
class PeerPosition:
    """Where one organisation's domain stands in its cohort or peer group."""

    domain_id: str
    title: str
    value: float | None
    stats: Stats | None
    percentile: float | None
    position: str


@dataclass(frozen=True)
class YearStats:
    """One calendar year of the cohort: each organisation's latest assessment dated in that year, described as a
    group (suppressed when fewer than the cohort's minimum)."""

    year: str
    stats: GroupStats


@dataclass(frozen=True)
class Movement:
    """How organisations assessed in two successive years moved between overall levels (each year's latest
    assessment): up or down only when the level changed and the value's change passes the noise rule of "since last
    time" (:func:`qimaturity.scoring.intervals.change_direction`); a changed level whose value change does not is
    "no clear change"."""

    earlier: str
    later: str
    organisations: int
    """Assessed in both years."""
    suppressed: bool
    """True when fewer organisations than the cohort's minimum were assessed in both years: then no count is shown
    (each is None), as a suppressed group's statistics are not."""
    moved_up: int | None
    stayed: int | None
    moved_down: int | None
    no_clear_change: int | None
    not_comparable: int | None
    """Without an overall level to compare in one of the years (or across rubric versions that do not compare)."""


@dataclass(frozen=True)
class Cohort:
    rubrics: tuple[RubricRef, ...]
    mixed_versions: bool
    domains: tuple[tuple[str, str], ...]
    group_by: str | None
    min_cohort: int
    everyone: GroupStats
    groups: tuple[GroupStats, ...]
    members: tuple[Member, ...]
    trends: tuple[Trend, ...]
    notes: tuple[str, ...]
    # Every result in full: for the code that builds on a cohort, not for report templates (which get the count).
    results: tuple[Result, ...] = field(metadata={"template": False})
    ranked_by: str = "overall value"
    """What the ranking's score is: ``overall value``, or a mean of domains (the shared or comparable ones)."""
    by_maps: bool = False
    """True when results of several versions are compared as the later versions' migration maps say."""
    period_start: str | None = None
    """The first day of the period the cohort's assessments were chosen from (ISO), None when not limited."""
    period_end: str | None = None
    """The last day of that period (ISO, inclusive), None when not limited."""
    years: tuple[YearStats, ...] = ()
    """The national trend: statistics of each calendar year the assessments cover, oldest first (empty when they
    cover only one)."""
    movements: tuple[Movement, ...] = ()
    """Movement between overall levels from each year of ``years`` to the next."""

    @property
    def assessment_count(self) -> int:
        """How many assessments the cohort holds (an organisation assessed twice counts twice)."""
        return len(self.results)


def describe(values: Sequence[float], levels: Sequence[int]) -> Stats:
    """Count, minimum, quartiles (inclusive method), maximum and level distribution of a group's values."""
    ordered = sorted(values)
    if len(ordered) == 1:
        q1 = median = q3 = ordered[0]
    else:
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    counts: dict[int, int] = {}
    for level in levels:
        counts[level] = counts.get(level, 0) + 1
    return Stats(len(ordered), ordered[0], q1, median, q3, ordered[-1], tuple(sorted(counts.items())))


def field_value(result: Result, field: str) -> str:
    """The peer-group key of a result: ``type``, ``region``, or an organisation metadata key (``metadata.KEY``)."""
    org = result.organisation
    if field == "type":
        return org.type or NOT_GIVEN
    if field == "region":
        return org.region or NOT_GIVEN
    key = field.removeprefix("metadata.")
    value = org.metadata.get(key)
    return NOT_GIVEN if value is None else str(value)


def given_fields(results: Sequence[Result]) -> list[str]:
    """The peer-group fields some organisation of ``results`` gives: ``type``, ``region``, ``metadata.KEY``."""
    fields = {"type": False, "region": False}
    keys: set[str] = set()
    for result in results:
        org = result.organisation
        fields["type"] = fields["type"] or org.type is not None
        fields["region"] = fields["region"] or org.region is not None
        keys.update(org.metadata)
    return [f for f, given in fields.items() if given] + [f"metadata.{key}" for key in sorted(keys)]


def _check_field(results: Sequence[Result], field: str) -> None:
    """Refuse peer groups by a field no organisation gives: they would be one group, "(not given)"."""
    given = given_fields(results)
    if field not in given:
        fields = ", ".join(given) if given else "none (no organisation gives a type, a region or any metadata)"
        raise OptionError(
            f"no organisation has '{field}', so every one would be in one group '{NOT_GIVEN}'; the fields the "
            f"organisations give: {fields}",
            option="--group-by",
        )


def _rubric_refs(results: Sequence[Result]) -> tuple[RubricRef, ...]:
    refs = tuple(sorted({r.rubric for r in results}, key=lambda ref: (ref.id, ref.version, ref.content_hash)))
    if len({ref.id for ref in refs}) > 1:
        names = ", ".join(sorted({ref.id for ref in refs}))
        raise InputError.single(
            "cohort", f"results of different rubrics cannot be compared: {names}", "compare one rubric at a time"
        )
    return refs


def _refuse_mixed(refs: Sequence[RubricRef]) -> None:
    versions = ", ".join(f"{ref.version} ({ref.content_hash[7:19]})" for ref in refs)
    raise InputError.single(
        "cohort",
        f"results come from different versions of {refs[0].id}: {versions}",
        "give the later version a migration map from the earlier (see docs/rubric-format.md), compare one "
        "version, or pass --across-versions to compare only the domains the versions share",
    )


def _shared_domains(results: Sequence[Result]) -> tuple[tuple[str, str], ...]:
    first = [(d.id, d.title) for d in results[0].domains]
    common = set.intersection(*({d.id for d in r.domains} for r in results))
    return tuple((i, t) for i, t in first if i in common)


Bridges = dict[tuple[RubricRef, RubricRef], VersionBridge]
"""(earlier result's rubric, later result's rubric) -> what compares across that change."""


def _bridges(
    latest: Sequence[Result], history: dict[str, list[Result]], newest: RubricRef, rubrics: Sequence[Rubric]
) -> Bridges | None:
    """A bridge for every version change the cohort crosses (each organisation's earlier results to its latest,
    and each latest result to the newest version), or None when one of them has no map: the later version's
    rubric (among ``rubrics``, by content) must carry a map from the earlier version."""
    by_hash = {rubric.content_hash: rubric for rubric in rubrics}
    needed = {(r.rubric, items[-1].rubric) for items in history.values() for r in items}
    needed |= {(r.rubric, newest) for r in latest}
    bridges: Bridges = {}
    for earlier, later in needed:
        if earlier == later:
            continue
        if version_key(earlier.version) >= version_key(later.version) or later.content_hash not in by_hash:
            return None
        bridge = version_bridge(by_hash[later.content_hash], earlier.version, by_hash.get(earlier.content_hash))
        if bridge is None:
            return None
        bridges[(earlier, later)] = bridge
    return bridges


def _year_bridges(results: Sequence[Result], newest: RubricRef, rubrics: Sequence[Rubric], known: Bridges) -> Bridges:
    """The maps from every result's version to the newest, where there is one: the national trend reads an earlier
    year's assessment in the newest version's terms even when the organisation's latest is not of the newest."""
    by_hash = {rubric.content_hash: rubric for rubric in rubrics}
    found: Bridges = {}
    for earlier in {r.rubric for r in results}:
        if earlier == newest or (earlier, newest) in known or newest.content_hash not in by_hash:
            continue
        if version_key(earlier.version) >= version_key(newest.version):
            continue
        bridge = version_bridge(by_hash[newest.content_hash], earlier.version, by_hash.get(earlier.content_hash))
        if bridge is not None:
            found[(earlier, newest)] = bridge
    return found


@dataclass(frozen=True)
class _Lens:
    """How results are read in one comparison: its domains (ids and titles, in the reference version's terms),
    and each result's node for each, or None where the result's version does not compare with the reference's."""

    domains: tuple[tuple[str, str], ...]
    reference: RubricRef | None = None
    """The version values are compared in (None: each result is read in its own, by domain id)."""
    bridges: Bridges = field(default_factory=dict)
    overall_shown: bool = True
    """False when overall values are not compared at all (versions without a map)."""

    def bridge(self, result: Result) -> VersionBridge | None:
        if self.reference is None or result.rubric == self.reference:
            return None
        return self.bridges[(result.rubric, self.reference)]

    def unbridged(self, result: Result) -> bool:
        """True for a result of another version than the reference's with no map to it (an earlier year's
        assessment of a version only a later map leads from): none of its values compare."""
        return (
            self.reference is not None
            and result.rubric != self.reference
            and (result.rubric, self.reference) not in self.bridges
        )

    def comparable(self, result: Result, domain_id: str) -> bool:
        if self.unbridged(result):
            return False
        bridge = self.bridge(result)
        if bridge is None:
            return True
        found = bridge.domain(domain_id)
        return found is not None and found.comparable

    def domain(self, result: Result, domain_id: str) -> DomainResult | None:
        if self.unbridged(result):
            return None
        bridge = self.bridge(result)
        if bridge is None:
            return result.domain(domain_id)
        found = bridge.domain(domain_id)
        if found is None or not found.comparable:
            return None
        return next((d for d in result.domains if d.id == found.old_id), None)

    def overall(self, result: Result) -> OverallResult | None:
        if not self.overall_shown or self.unbridged(result):
            return None
        bridge = self.bridge(result)
        return result.overall if bridge is None or bridge.overall_comparable else None

    def note(self, result: Result, domain_id: str | None) -> str | None:
        """Why ``result``'s value of a domain (or, for None, the overall) is not comparable; None when it is."""
        if self.unbridged(result):
            return "no migration map leads from its version"
        bridge = self.bridge(result)
        if bridge is None:
            return None
        if domain_id is None:
            return None if bridge.overall_comparable else (bridge.overall_note or "not comparable")
        found = bridge.domain(domain_id)
        if found is not None and found.comparable:
            return None
        return (found.note if found is not None else None) or bridge.overall_note or "not comparable"


def _group_stats(name: str, results: Sequence[Result], lens: _Lens, min_cohort: int) -> GroupStats:
    domains = [d for d, _ in lens.domains]
    suppressed = len(results) < min_cohort
    if suppressed:
        return GroupStats(name, len(results), True, tuple((d, None) for d in domains), None)

    def stats_of(nodes: Sequence[DomainResult | OverallResult | None]) -> Stats | None:
        counted = [(n.value, n.level) for n in nodes if n is not None and n.value is not None]
        if not counted:
            return None
        return describe([value for value, _ in counted], [level for _, level in counted if level is not None])

    rows = tuple((d, stats_of([lens.domain(r, d) for r in results])) for d in domains)
    overall_stats = stats_of([lens.overall(r) for r in results]) if lens.overall_shown else None
    return GroupStats(name, len(results), False, rows, overall_stats)


def _latest(results: Sequence[Result]) -> tuple[list[Result], dict[str, list[Result]]]:
    by_org: dict[str, list[tuple[str, int, Result]]] = {}
    for index, result in enumerate(results):
        by_org.setdefault(result.organisation.id, []).append((result.date or "", index, result))
    history = {org: [r for _, _, r in sorted(items, key=lambda x: (x[0], x[1]))] for org, items in by_org.items()}
    latest = [items[-1] for items in history.values()]
    return latest, history


Point = tuple[float | None, int | None, int | None, Interval | None, bool]
"""A value, level, held level and interval at one date, and whether it compares with the latest."""


def _trend(history: Sequence[Result], lens: _Lens, minimal_important_difference: float | None) -> Trend:
    def series(pick: list[Point], domain_id: str, title: str, note: str | None) -> DomainTrend:
        present = [(v, i) for v, _, _, i, _ in pick if v is not None]
        first, last = (present[0], present[-1]) if len(present) > 1 else ((None, None), (None, None))
        change = change_direction(first[0], last[0], first[1], last[1], minimal_important_difference)
        return DomainTrend(
            domain_id,
            title,
            tuple(v for v, _, _, _, _ in pick),
            tuple(lv for _, lv, _, _, _ in pick),
            change.change,
            change.direction,
            held=tuple(held for _, _, held, _, _ in pick),
            intervals=tuple(i for _, _, _, i, _ in pick),
            change_low=change.low,
            change_high=change.high,
            comparable=tuple(c for _, _, _, _, c in pick),
            note=note,
        )

    def point(node: DomainResult | OverallResult | None, comparable: bool) -> Point:
        if node is None:
            return None, None, None, None, comparable
        return node.value, node.level, node.held_level, node.interval, comparable

    def first_note(domain_id: str | None) -> str | None:
        return next((n for r in history if (n := lens.note(r, domain_id)) is not None), None)

    # Values are the answers' (rules hold levels, never values): a change is progress even under a hold.
    domain_trends = tuple(
        series(
            [point(lens.domain(r, d), lens.comparable(r, d)) for r in history],
            d,
            title,
            first_note(d),
        )
        for d, title in lens.domains
    )
    overall_trend = None
    if lens.overall_shown:
        picks = [point(lens.overall(r), lens.note(r, None) is None) for r in history]
        overall_trend = series(picks, "overall", "Overall", first_note(None))
    last = history[-1]
    return Trend(
        last.organisation.id,
        last.organisation.name,
        tuple(r.date or "" for r in history),
        domain_trends,
        overall_trend,
        versions=tuple(r.rubric.version for r in history),
    )


def _outliers(members: Sequence[Result], lens: _Lens, everyone: GroupStats) -> dict[str, list[tuple[str, str]]]:
    """Tukey's fences: a domain value below Q1 - 1.5 IQR or above Q3 + 1.5 IQR of the whole cohort."""
    flagged: dict[str, list[tuple[str, str]]] = {}
    for domain_id, _ in lens.domains:
        stats = everyone.domain(domain_id)
        if stats is None:
            continue
        low, high = stats.q1 - 1.5 * stats.iqr, stats.q3 + 1.5 * stats.iqr
        for result in members:
            node = lens.domain(result, domain_id)
            value = node.value if node is not None else None
            if value is not None and (value < low - 1e-9 or value > high + 1e-9):
                flagged.setdefault(result.organisation.id, []).append((domain_id, "low" if value < low else "high"))
    return flagged


def _day(value: str | date | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def period_words(start: str | None, end: str | None) -> str:
    """A period as the messages say it: ``from 2025-01-01 to 2025-12-31``, ``from 2025-01-01 on``, ``up to ...``."""
    if start is not None and end is not None:
        return f"from {start} to {end}"
    return f"from {start} on" if start is not None else f"up to {end}"


class PeriodError(InputError):
    """A period that cannot be compared: ``reason`` is ``"not a date"``, ``"backwards"`` (it starts after it ends)
    or ``"empty"`` (no assessment is dated in it); ``dates`` are the days the assessments are dated (for
    ``"empty"``), so that a command can say, in its own options' words, what to give instead."""

    def __init__(self, reason: str, message: str, hint: str, dates: Sequence[str] = ()):
        super().__init__([Problem("period", None, None, "/", message, hint)])
        self.reason = reason
        self.message = message
        self.hint = hint
        self.dates = tuple(dates)


def dates_words(dates: Sequence[str]) -> str:
    """What days the assessments are dated, in a message: every one up to six, else the first, last and years."""
    if not dates:
        return "no assessment has a date"
    if len(dates) <= 6:
        return "the assessments are dated " + ", ".join(dates)
    years = ", ".join(sorted({d[:4] for d in dates}))
    return f"the assessments are dated {dates[0]} to {dates[-1]} (years {years})"


def in_period(
    results: Sequence[Result], start: str | date | None = None, end: str | date | None = None
) -> tuple[list[Result], list[str]]:
    """The results dated from ``start`` to ``end`` (ISO dates, both inclusive; either may be open), and notes on
    what was left out. Without either, every result. An assessment without a date belongs to no period. Raises
    :class:`PeriodError` (an :class:`InputError`) when a day is not a date, the period is back to front or it holds
    no assessment (naming the dates there are)."""
    first, last = _day(start), _day(end)
    if first is None and last is None:
        return list(results), []
    for day in (first, last):
        try:
            date.fromisoformat(day or "2000-01-01")
        except ValueError:
            raise PeriodError("not a date", f"'{day}' is not a date", "give dates as YYYY-MM-DD") from None
    if first is not None and last is not None and first > last:
        raise PeriodError(
            "backwards", f"the period starts on {first}, after it ends on {last}", "give the start before the end"
        )
    chosen = [
        r
        for r in results
        if r.date and (first is None or r.date[:10] >= first) and (last is None or r.date[:10] <= last)
    ]
    undated = sum(1 for r in results if not r.date)
    if not chosen:
        dated = sorted({r.date[:10] for r in results if r.date})
        raise PeriodError(
            "empty",
            f"no assessment is dated {period_words(first, last)}",
            f"{dates_words(dated)}; choose a period among them",
            dated,
        )
    notes = [
        f"{len(chosen)} of {len(results)} assessments are dated {period_words(first, last)}; the others are left out."
    ]
    if undated:
        notes.append(f"{undated} assessment(s) without a date belong to no period and are left out.")
    return chosen, notes


MOVES = ("moved up", "stayed", "moved down", "no clear change", "not comparable")
"""The ways an organisation's overall level moves from one year to the next, as :class:`Movement` counts them."""


def _movement(old: OverallResult | None, new: OverallResult | None, minimal_important_difference: float | None) -> str:
    """moved up, stayed, moved down, no clear change (the level changed but not the value, beyond the noise) or not
    comparable."""
    if old is None or new is None or None in (old.level, new.level, old.value, new.value):
        return "not comparable"
    assert old.level is not None and new.level is not None
    if old.level == new.level:
        return "stayed"
    direction = change_direction(old.value, new.value, old.interval, new.interval, minimal_important_difference)
    if new.level > old.level and direction.direction == "improved":
        return "moved up"
    if new.level < old.level and direction.direction == "declined":
        return "moved down"
    return "no clear change"


def _years(
    results: Sequence[Result], lens: _Lens, min_cohort: int, minimal_important_difference: float | None
) -> tuple[tuple[YearStats, ...], tuple[Movement, ...]]:
    """The national trend: each calendar year's statistics (each organisation by its latest assessment of the
    year) and the movement between overall levels from one year to the next (among the organisations assessed in
    both, suppressed when fewer than ``min_cohort``); nothing when the dated results cover fewer than two years."""
    by_year: dict[str, list[Result]] = {}
    for result in results:
        if result.date and result.date[:4].isdigit():
            by_year.setdefault(result.date[:4], []).append(result)
    if len(by_year) < 2:
        return (), ()
    latest = [(year, _latest(by_year[year])[0]) for year in sorted(by_year)]
    years = tuple(YearStats(year, _group_stats(year, items, lens, min_cohort)) for year, items in latest)
    movements = []
    for (earlier, before), (later, after) in zip(latest, latest[1:], strict=False):
        then = {r.organisation.id: r for r in before}
        ways = [
            _movement(lens.overall(then[r.organisation.id]), lens.overall(r), minimal_important_difference)
            for r in after
            if r.organisation.id in then
        ]
        hidden = len(ways) < min_cohort
        counts = [None if hidden else ways.count(way) for way in MOVES]
        movements.append(Movement(earlier, later, len(ways), hidden, *counts))
    return years, tuple(movements)


def _clause(note: str | None) -> str:
    """A note put inside brackets in a sentence: without its full stop."""
    return (note or "no reason given").rstrip(". ")


def _bridge_notes(bridges: Bridges, refs: Sequence[RubricRef], titles: dict[str, str]) -> list[str]:
    notes = [
        f"Results span versions {', '.join(ref.version for ref in refs)} of {refs[0].id}; each later version's "
        "migration map says which values compare across a change of version: values that do not are left out of "
        "statistics, rankings and trends."
    ]
    for (earlier, later), bridge in sorted(bridges.items(), key=lambda item: (item[0][0].version, item[0][1].version)):
        lost = [d for d in bridge.domains if not d.comparable]
        said = f"From {earlier.version} to {later.version}: "
        if lost:
            said += "not comparable: " + "; ".join(f"{titles.get(d.id, d.id)} ({_clause(d.note)})" for d in lost) + ". "
        else:
            said += "every domain is comparable. "
        said += "The overall value is " + (
            "comparable." if bridge.overall_comparable else f"not comparable ({_clause(bridge.overall_note)})."
        )
        notes.append(said)
    return notes


def build_cohort(
    results: Sequence[Result],
    *,
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    allow_mixed_versions: bool = False,
    minimal_important_difference: float | None = None,
    rubrics: Sequence[Rubric] = (),
    start: str | date | None = None,
    end: str | date | None = None,
) -> Cohort:
    """Compare results: statistics, peer groups, ranking, outliers and trends.

    With ``start`` or ``end`` (ISO dates, inclusive), only the assessments dated in that period are compared (see
    :func:`in_period`): the cohort of a year is ``start="2025-01-01", end="2025-12-31"``. An organisation assessed
    more than once counts once, by its latest assessment, in the statistics and the ranking; all its assessments
    make its trend. When the assessments cover several calendar years, the cohort also holds the national trend:
    each year's statistics (``years``) and the movement between overall levels from year to year (``movements``).
    Groups smaller than ``min_cohort`` are suppressed. A trend's
    change is improved or declined only when it beats the respondents' noise or reaches
    ``minimal_important_difference`` (the rubric's; see :func:`qimaturity.scoring.intervals.change_direction`).

    Results of several versions of a rubric: when each later version among ``rubrics`` (the rubrics the results
    were scored with) carries a migration map from the earlier versions it is compared with, values are compared
    across versions as the maps say (:func:`qimaturity.rubric.migration.version_bridge`): a domain's earlier
    values only where it is comparable, the overall value only where every domain is; statistics and the ranking
    are in the newest version's terms, each trend in its organisation's latest version's. Without such maps,
    results of different versions are refused, unless ``allow_mixed_versions``: then only the domains the versions
    share (by id) are compared, and no overall value.
    """
    if not results:
        raise InputError.single("cohort", "nothing to compare", "give answers files or a folder of them")
    if min_cohort < 1:
        raise InputError.single("cohort", "the minimum cohort size must be at least 1", "e.g. --min-cohort 5")
    results, notes = in_period(results, start, end)
    refs = _rubric_refs(results)
    mixed = len(refs) > 1
    latest, history = _latest(results)
    newest = max(refs, key=lambda ref: version_key(ref.version))
    bridges = _bridges(latest, history, newest, rubrics) if mixed else None
    if bridges is not None:
        bridges.update(_year_bridges(results, newest, rubrics, bridges))
    if mixed and bridges is None:
        if not allow_mixed_versions:
            _refuse_mixed(refs)
        domains = _shared_domains(results)
        lens = _Lens(domains, overall_shown=False)
        notes.append(
            f"Results span versions {', '.join(ref.version for ref in refs)} of {refs[0].id}: compared only on the "
            f"{len(domains)} domains they share; overall levels are not compared, and the ranking uses the mean of "
            "the shared domains."
        )
    elif bridges is not None:
        reference = next(r for r in latest if r.rubric == newest) if any(r.rubric == newest for r in latest) else None
        titles = reference.domains if reference is not None else next(r for r in results if r.rubric == newest).domains
        lens = _Lens(tuple((d.id, d.title) for d in titles), newest, bridges)
        notes.extend(_bridge_notes(bridges, refs, dict(lens.domains)))
    else:
        lens = _Lens(tuple((d.id, d.title) for d in results[0].domains))
    latest_years = sorted({r.date[:4] for r in latest if r.date})
    if start is None and end is None and len(latest_years) > 1:
        older = sum(1 for r in latest if r.date and r.date[:4] != latest_years[-1])
        notes.append(
            f"Each organisation counts by its latest assessment, and these span {latest_years[0]} to "
            f"{latest_years[-1]}: {older} organisation(s) were last assessed before {latest_years[-1]}. To compare "
            "one year's assessments alone, give a period (--period YEAR)."
        )
    domain_ids = [d for d, _ in lens.domains]
    everyone = _group_stats("All organisations", latest, lens, min_cohort)
    groups: list[GroupStats] = []
    if group_by is not None:
        _check_field(results, group_by)
        keyed: dict[str, list[Result]] = {}
        for result in latest:
            keyed.setdefault(field_value(result, group_by), []).append(result)
        groups = [_group_stats(key, keyed[key], lens, min_cohort) for key in sorted(keyed, key=natural_key)]
        hidden = [g for g in groups if g.suppressed]
        if hidden:
            notes.append(
                f"{len(hidden)} peer group(s) with fewer than {min_cohort} organisations are suppressed: their "
                "statistics are not shown."
            )
    if everyone.suppressed:
        notes.append(f"The cohort has fewer than {min_cohort} organisations: its statistics are suppressed.")
    flagged = _outliers(latest, lens, everyone)

    # Ranked by value, the answers' measure (rules hold levels, never values): two results held at one level
    # still rank by what their answers show, not by name; equal values share a rank, listed by name. The overall
    # value when every organisation has one to compare; otherwise the mean of the domains every organisation's
    # version compares on.
    by_overall = lens.overall_shown and all(lens.overall(r) is not None for r in latest)
    ranked_domains = [d for d in domain_ids if all(lens.comparable(r, d) for r in latest)]
    ranked_by = "overall value"
    if not by_overall:
        ranked_by = "mean of the shared domains" if bridges is None else "mean of the comparable domains"
        if bridges is not None:
            names = ", ".join(title for d, title in lens.domains if d in ranked_domains) or "none"
            notes.append(f"The ranking uses the mean of the domains every organisation's results compare on: {names}.")

    def score_of(result: Result) -> float | None:
        if by_overall:
            node = lens.overall(result)
            return node.value if node is not None else None
        nodes = [lens.domain(result, d) for d in ranked_domains]
        values = [node.value for node in nodes if node is not None and node.value is not None]
        return sum(values) / len(values) if values else None

    def member(rank: int, r: Result) -> Member:
        overall = lens.overall(r)
        nodes = {d: lens.domain(r, d) for d in domain_ids}
        return Member(
            organisation_id=r.organisation.id,
            name=r.organisation.name,
            type=r.organisation.type,
            region=r.organisation.region,
            group=field_value(r, group_by) if group_by else None,
            date=r.date,
            rank=rank,
            score=score_of(r),
            overall_level=overall.level if overall is not None else None,
            overall_band=overall.band.name if overall is not None and overall.band is not None else None,
            values=tuple((d, node.value if node else None, node.level if node else None) for d, node in nodes.items()),
            outliers=tuple(flagged.get(r.organisation.id, ())),
            overall_held=overall.held_level if overall is not None else None,
            held=tuple((d, node.held_level) for d, node in nodes.items() if node and node.held_level is not None),
        )

    ordered = sorted(
        latest,
        key=lambda r: (
            score_of(r) is None,
            -(score_of(r) or 0.0),
            natural_key(r.organisation.name),
            natural_key(r.organisation.id),
        ),
    )
    ranks = shared_ranks([score_of(r) for r in ordered])
    members = tuple(member(rank, r) for rank, r in zip(ranks, ordered, strict=True))
    trends = tuple(
        _trend(items, _trend_lens(items, lens, bridges), minimal_important_difference)
        for _, items in sorted(history.items(), key=lambda item: natural_key(item[0]))
        if len(items) > 1
    )
    years, movements = _years(results, lens, min_cohort, minimal_important_difference)
    return Cohort(
        refs,
        mixed,
        lens.domains,
        group_by,
        min_cohort,
        everyone,
        tuple(groups),
        members,
        trends,
        tuple(notes),
        tuple(results),
        ranked_by,
        bridges is not None,
        _day(start),
        _day(end),
        years,
        movements,
    )


def shared_ranks(scores: Sequence[float | None]) -> list[int]:
    """Ranks of scores listed highest first (``None`` last): tied scores share the better rank and the next rank
    skips as many places as the tie took (3.1, 2.9, 2.9, 2.5 -> 1, 2, 2, 4); every organisation without a score
    shares the rank after the last scored one."""
    ranks: list[int] = []
    for index, value in enumerate(scores):
        previous = scores[index - 1] if index else None
        tied = index > 0 and (
            (value is None and previous is None)
            or (value is not None and previous is not None and abs(value - previous) <= 1e-9)
        )
        ranks.append(ranks[-1] if tied else index + 1)
    return ranks


def _trend_lens(history: Sequence[Result], lens: _Lens, bridges: Bridges | None) -> _Lens:
    """How one organisation's results are read for its trend: in its latest result's version (with the maps), or,
    across versions without maps, on the cohort's shared domains with no overall value."""
    last = history[-1]
    if bridges is None:
        same = len({r.rubric for r in history}) == 1
        return _Lens(lens.domains, overall_shown=same)
    return _Lens(tuple((d.id, d.title) for d in last.domains), last.rubric, bridges)


def percentile_rank(value: float, values: Sequence[float]) -> float:
    """Share of values below ``value``, counting ties as half, in percent."""
    below = sum(1 for v in values if v < value - 1e-9)
    equal = sum(1 for v in values if abs(v - value) <= 1e-9)
    return 100 * (below + equal / 2) / len(values)


def _position(value: float, stats: Stats) -> str:
    if value > stats.q3 + 1e-9:
        return "above the upper quartile"
    if value > stats.median + 1e-9:
        return "between the median and the upper quartile"
    if value >= stats.median - 1e-9:
        return "at the median"
    if value >= stats.q1 - 1e-9:
        return "between the lower quartile and the median"
    return "below the lower quartile"


def peer_positions(cohort: Cohort, result: Result) -> tuple[str, tuple[PeerPosition, ...]]:
    """Where ``result`` stands, domain by domain: against its peer group when the cohort is grouped and the group is
    shown, otherwise against the whole cohort. Returns the name of the comparison group and the positions. The
    percentile is the share of the other organisations of the group (never the organisation itself) whose value is
    below the organisation's, ties counting half."""
    group = cohort.everyone
    if cohort.group_by is not None:
        key = field_value(result, cohort.group_by)
        match = next((g for g in cohort.groups if g.name == key), None)
        if match is not None and not match.suppressed:
            group = match
    # The percentile places the organisation among the others: its own value (any assessment of it) is not one of
    # its peers'. The quartiles and median shown are the group's, as the cohort report prints them.
    peers = [r for r in _latest(cohort.results)[0] if r.organisation.id != result.organisation.id]
    if group is not cohort.everyone and cohort.group_by is not None:
        peers = [r for r in peers if field_value(r, cohort.group_by) == group.name]
    positions = []
    for domain_id, title in cohort.domains:
        value = result.domain(domain_id).value if any(d.id == domain_id for d in result.domains) else None
        stats = None if group.suppressed else group.domain(domain_id)
        values = [v for r in peers if (v := r.domain(domain_id).value) is not None]
        if value is None or stats is None or not values:
            positions.append(PeerPosition(domain_id, title, value, stats, None, "not compared"))
            continue
        positions.append(
            PeerPosition(domain_id, title, value, stats, percentile_rank(value, values), _position(value, stats))
        )
    return group.name, tuple(positions)
