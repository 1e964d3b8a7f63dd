"""Cohorts: many results compared — organisations side by side, peer groups, and one organisation over time.

Pure: results in, a :class:`Cohort` out. Statistics per domain (count, quartiles, distribution of levels),
a ranking, outliers (Tukey's fences), peer groups from organisation fields with small groups suppressed, and
trends for organisations assessed more than once. Results of different rubric versions are refused, or — when
asked — compared only on the domains the versions share, and flagged.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from qimaturity._core.problems import InputError
from qimaturity.scoring.intervals import change_direction
from qimaturity.scoring.result import Interval, Result, RubricRef

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


@dataclass(frozen=True)
class Trend:
    """One organisation assessed more than once: its values by date, oldest first."""

    organisation_id: str
    name: str
    dates: tuple[str, ...]
    domains: tuple[DomainTrend, ...]
    overall: DomainTrend | None


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


def _check_rubrics(results: Sequence[Result], allow_mixed: bool) -> tuple[tuple[RubricRef, ...], bool]:
    refs = tuple(sorted({r.rubric for r in results}, key=lambda ref: (ref.id, ref.version, ref.content_hash)))
    if len({ref.id for ref in refs}) > 1:
        names = ", ".join(sorted({ref.id for ref in refs}))
        raise InputError.single(
            "cohort", f"results of different rubrics cannot be compared: {names}", "compare one rubric at a time"
        )
    if len(refs) > 1 and not allow_mixed:
        versions = ", ".join(f"{ref.version} ({ref.content_hash[7:19]})" for ref in refs)
        raise InputError.single(
            "cohort",
            f"results come from different versions of {refs[0].id}: {versions}",
            "compare one version, or pass --across-versions to compare only the domains the versions share",
        )
    return refs, len(refs) > 1


def _shared_domains(results: Sequence[Result]) -> tuple[tuple[str, str], ...]:
    first = [(d.id, d.title) for d in results[0].domains]
    common = set.intersection(*({d.id for d in r.domains} for r in results))
    return tuple((i, t) for i, t in first if i in common)


def _group_stats(
    name: str, results: Sequence[Result], domains: Sequence[str], min_cohort: int, overall: bool
) -> GroupStats:
    suppressed = len(results) < min_cohort
    if suppressed:
        return GroupStats(name, len(results), True, tuple((d, None) for d in domains), None)

    def stats_of(nodes: Sequence[tuple[float | None, int | None]]) -> Stats | None:
        counted = [(value, level) for value, level in nodes if value is not None]
        if not counted:
            return None
        return describe([value for value, _ in counted], [level for _, level in counted if level is not None])

    rows = tuple((d, stats_of([(r.domain(d).value, r.domain(d).level) for r in results])) for d in domains)
    overall_stats = stats_of([(r.overall.value, r.overall.level) for r in results]) if overall else None
    return GroupStats(name, len(results), False, rows, overall_stats)


def _latest(results: Sequence[Result]) -> tuple[list[Result], dict[str, list[Result]]]:
    by_org: dict[str, list[tuple[str, int, Result]]] = {}
    for index, result in enumerate(results):
        by_org.setdefault(result.organisation.id, []).append((result.date or "", index, result))
    history = {org: [r for _, _, r in sorted(items, key=lambda x: (x[0], x[1]))] for org, items in by_org.items()}
    latest = [items[-1] for items in history.values()]
    return latest, history


def _trend(
    history: Sequence[Result],
    domains: Sequence[tuple[str, str]],
    overall: bool,
    minimal_important_difference: float | None,
) -> Trend:
    def series(
        pick: list[tuple[float | None, int | None, int | None, Interval | None]], domain_id: str, title: str
    ) -> DomainTrend:
        present = [(v, i) for v, _, _, i in pick if v is not None]
        first, last = (present[0], present[-1]) if len(present) > 1 else ((None, None), (None, None))
        change = change_direction(first[0], last[0], first[1], last[1], minimal_important_difference)
        return DomainTrend(
            domain_id,
            title,
            tuple(v for v, _, _, _ in pick),
            tuple(lv for _, lv, _, _ in pick),
            change.change,
            change.direction,
            held=tuple(held for _, _, held, _ in pick),
            intervals=tuple(i for _, _, _, i in pick),
            change_low=change.low,
            change_high=change.high,
        )

    # Values are the answers' (rules hold levels, never values): a change is progress even under a hold.
    domain_trends = tuple(
        series([(n.value, n.level, n.held_level, n.interval) for r in history for n in [r.domain(d)]], d, title)
        for d, title in domains
    )
    overall_trend = (
        series(
            [(r.overall.value, r.overall.level, r.overall.held_level, r.overall.interval) for r in history],
            "overall",
            "Overall",
        )
        if overall
        else None
    )
    last = history[-1]
    return Trend(
        last.organisation.id, last.organisation.name, tuple(r.date or "" for r in history), domain_trends, overall_trend
    )


def _outliers(
    members: Sequence[Result], domains: Sequence[str], everyone: GroupStats
) -> dict[str, list[tuple[str, str]]]:
    """Tukey's fences: a domain value below Q1 - 1.5 IQR or above Q3 + 1.5 IQR of the whole cohort."""
    flagged: dict[str, list[tuple[str, str]]] = {}
    for domain_id in domains:
        stats = everyone.domain(domain_id)
        if stats is None:
            continue
        low, high = stats.q1 - 1.5 * stats.iqr, stats.q3 + 1.5 * stats.iqr
        for result in members:
            value = result.domain(domain_id).value
            if value is not None and (value < low - 1e-9 or value > high + 1e-9):
                flagged.setdefault(result.organisation.id, []).append((domain_id, "low" if value < low else "high"))
    return flagged


def build_cohort(
    results: Sequence[Result],
    *,
    group_by: str | None = None,
    min_cohort: int = DEFAULT_MIN_COHORT,
    allow_mixed_versions: bool = False,
    minimal_important_difference: float | None = None,
) -> Cohort:
    """Compare results: statistics, peer groups, ranking, outliers and trends.

    An organisation assessed more than once counts once, by its latest assessment, in the statistics and the
    ranking; all its assessments make its trend. Groups smaller than ``min_cohort`` are suppressed. A trend's
    change is improved or declined only when it beats the respondents' noise or reaches
    ``minimal_important_difference`` (the rubric's; see :func:`qimaturity.scoring.intervals.change_direction`).
    """
    if not results:
        raise InputError.single("cohort", "nothing to compare", "give answers files or a folder of them")
    if min_cohort < 1:
        raise InputError.single("cohort", "the minimum cohort size must be at least 1", "e.g. --min-cohort 5")
    refs, mixed = _check_rubrics(results, allow_mixed_versions)
    domains = _shared_domains(results)
    domain_ids = [d for d, _ in domains]
    latest, history = _latest(results)
    notes: list[str] = []
    if mixed:
        versions = ", ".join(ref.version for ref in refs)
        notes.append(
            f"Results span versions {versions} of {refs[0].id}: compared only on the {len(domains)} domains they "
            "share; overall levels are not compared, and the ranking uses the mean of the shared domains."
        )
    everyone = _group_stats("All organisations", latest, domain_ids, min_cohort, overall=not mixed)
    groups: list[GroupStats] = []
    if group_by is not None:
        keyed: dict[str, list[Result]] = {}
        for result in latest:
            keyed.setdefault(field_value(result, group_by), []).append(result)
        groups = [_group_stats(key, keyed[key], domain_ids, min_cohort, overall=not mixed) for key in sorted(keyed)]
        hidden = [g for g in groups if g.suppressed]
        if hidden:
            notes.append(
                f"{len(hidden)} peer group(s) with fewer than {min_cohort} organisations are suppressed: their "
                "statistics are not shown."
            )
    if everyone.suppressed:
        notes.append(f"The cohort has fewer than {min_cohort} organisations: its statistics are suppressed.")
    flagged = _outliers(latest, domain_ids, everyone)

    # Ranked by value, the answers' measure (rules hold levels, never values): two results held at one level
    # still rank by what their answers show, not by name.
    def score_of(result: Result) -> float | None:
        if not mixed:
            return result.overall.value
        values = [v for d in domain_ids if (v := result.domain(d).value) is not None]
        return sum(values) / len(values) if values else None

    ordered = sorted(
        latest, key=lambda r: (score_of(r) is None, -(score_of(r) or 0.0), r.organisation.name, r.organisation.id)
    )
    members = tuple(
        Member(
            organisation_id=r.organisation.id,
            name=r.organisation.name,
            type=r.organisation.type,
            region=r.organisation.region,
            group=field_value(r, group_by) if group_by else None,
            date=r.date,
            rank=rank,
            score=score_of(r),
            overall_level=None if mixed else r.overall.level,
            overall_band=None if mixed or r.overall.band is None else r.overall.band.name,
            values=tuple((d, r.domain(d).value, r.domain(d).level) for d in domain_ids),
            outliers=tuple(flagged.get(r.organisation.id, ())),
            overall_held=None if mixed else r.overall.held_level,
            held=tuple((d, h) for d in domain_ids if (h := r.domain(d).held_level) is not None),
        )
        for rank, r in enumerate(ordered, start=1)
    )
    trends = tuple(
        _trend(items, domains, len({r.rubric for r in items}) == 1, minimal_important_difference)
        for _, items in sorted(history.items())
        if len(items) > 1
    )
    return Cohort(
        refs,
        mixed,
        domains,
        group_by,
        min_cohort,
        everyone,
        tuple(groups),
        members,
        trends,
        tuple(notes),
        tuple(results),
    )


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
    shown, otherwise against the whole cohort. Returns the name of the comparison group and the positions."""
    group = cohort.everyone
    if cohort.group_by is not None:
        key = field_value(result, cohort.group_by)
        match = next((g for g in cohort.groups if g.name == key), None)
        if match is not None and not match.suppressed:
            group = match
    peers = [r for r in _latest(cohort.results)[0]]
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
