"""A cohort as one JSON document (``qimaturity compare --format json``; ``schemas/cohort.schema.json``).

Data, not prose: statistics, the ranking, trends, the national trend and notes, with the same names as the CSV's
columns where there is one (``organisation_id``, ``minimum``, ``q1``, ``overall_level``...). Domains are lists in
the rubric's order, each item carrying its domain ``id``. Numbers are in full (:func:`full`); a suppressed group
has ``null`` statistics, never a value.
"""

from __future__ import annotations

from typing import Any

from qimaturity._core.numbers import full
from qimaturity.cohort.model import Cohort, DomainTrend, GroupStats, Member, Stats, Trend
from qimaturity.cohort.tables import period_label
from qimaturity.version import __version__


def _stats(stats: Stats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    return {
        "n": stats.n,
        "minimum": full(stats.minimum),
        "q1": full(stats.q1),
        "median": full(stats.median),
        "q3": full(stats.q3),
        "maximum": full(stats.maximum),
        "levels": [{"level": level, "count": count} for level, count in stats.levels],
    }


def _group(group: GroupStats) -> dict[str, Any]:
    return {
        "name": group.name,
        "organisations": group.n,
        "suppressed": group.suppressed,
        "domains": [{"id": d, "stats": _stats(s)} for d, s in group.domains],
        "overall": _stats(group.overall),
    }


def _member(m: Member) -> dict[str, Any]:
    held = dict(m.held)
    return {
        "rank": m.rank,
        "organisation_id": m.organisation_id,
        "organisation_name": m.name,
        "type": m.type,
        "region": m.region,
        "group": m.group,
        "date": m.date,
        "score": full(m.score),
        "overall_level": m.overall_level,
        "overall_band": m.overall_band,
        "overall_held_level": m.overall_held,
        "domains": [
            {"id": d, "value": full(value), "level": level, "held_level": held.get(d)} for d, value, level in m.values
        ],
        "outliers": [{"id": d, "side": side} for d, side in m.outliers],
    }


def _series(series: DomainTrend) -> dict[str, Any]:
    count = len(series.values)
    return {
        "id": series.domain_id,
        "title": series.title,
        "values": [full(v) for v in series.values],
        "levels": list(series.levels),
        "held_levels": list(series.held) if series.held else [None] * count,
        "intervals": [
            None if i is None else {"low": full(i.low), "high": full(i.high)}
            for i in (series.intervals or (None,) * count)
        ],
        "comparable": list(series.comparable) if series.comparable else [True] * count,
        "change": full(series.change),
        "change_low": full(series.change_low),
        "change_high": full(series.change_high),
        "direction": series.direction,
        "not_comparable": series.note,
    }


def _trend(trend: Trend) -> dict[str, Any]:
    return {
        "organisation_id": trend.organisation_id,
        "organisation_name": trend.name,
        "dates": list(trend.dates),
        "versions": list(trend.versions),
        "domains": [_series(s) for s in trend.domains],
        "overall": _series(trend.overall) if trend.overall is not None else None,
    }


def cohort_dict(cohort: Cohort) -> dict[str, Any]:
    """The JSON form of a cohort (see ``schemas/cohort.schema.json``): what ``compare --format json`` writes."""
    return {
        "engine": f"qimaturity {__version__}",
        "rubrics": [
            {"id": r.id, "version": r.version, "title": r.title, "content_hash": r.content_hash} for r in cohort.rubrics
        ],
        "mixed_versions": cohort.mixed_versions,
        "by_maps": cohort.by_maps,
        "period": {"label": period_label(cohort), "start": cohort.period_start, "end": cohort.period_end},
        "group_by": cohort.group_by,
        "min_cohort": cohort.min_cohort,
        "ranked_by": cohort.ranked_by,
        "assessments": cohort.assessment_count,
        "domains": [{"id": d, "title": title} for d, title in cohort.domains],
        "everyone": _group(cohort.everyone),
        "groups": [_group(g) for g in cohort.groups],
        "organisations": [_member(m) for m in cohort.members],
        "trends": [_trend(t) for t in cohort.trends],
        "years": [{"year": y.year, **_group(y.stats)} for y in cohort.years],
        "movements": [
            {
                "earlier": m.earlier,
                "later": m.later,
                "in_both": m.organisations,
                "suppressed": m.suppressed,
                "moved_up": m.moved_up,
                "stayed": m.stayed,
                "moved_down": m.moved_down,
                "no_clear_change": m.no_clear_change,
                "not_comparable": m.not_comparable,
            }
            for m in cohort.movements
        ],
        "notes": list(cohort.notes),
    }


def cohort_json(cohort: Cohort) -> str:
    """:func:`cohort_dict` as JSON text: keys sorted, two-space indents, a final newline (deterministic)."""
    import json

    return json.dumps(cohort_dict(cohort), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
