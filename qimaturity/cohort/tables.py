"""Cohorts as flat rows for analysts: CSV, and an XLSX workbook of statistics, organisations, trends and notes."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import IO, Any

from qimaturity._core.formulas import append_row, csv_row
from qimaturity._core.numbers import table_number
from qimaturity.cohort.model import Cohort, Stats
from qimaturity.scoring.tables import _cell


def period_label(cohort: Cohort) -> str:
    """The period a cohort's assessments were chosen from, as its rows name it: ``2025`` for a calendar year,
    ``2025-04-01 to 2026-03-31``, ``from 2025-04-01``, ``up to 2026-03-31``, or ``latest`` when not limited (each
    organisation's latest assessment, whenever it was)."""
    start, end = cohort.period_start, cohort.period_end
    if start is None and end is None:
        return "latest"
    if start is not None and end is not None:
        if start[:4] == end[:4] and start[4:] == "-01-01" and end[4:] == "-12-31":
            return start[:4]
        return f"{start} to {end}"
    return f"from {start}" if start is not None else f"up to {end}"


MOVEMENT_COLUMNS = (
    "previous_period",
    "in_both",
    "moved_up",
    "stayed",
    "moved_down",
    "no_clear_change",
    "not_comparable",
)


def cohort_stats_rows(cohort: Cohort, scale: Sequence[int]) -> list[dict[str, Any]]:
    """One row per group and domain (and overall): n, quartiles and the count at each level; suppressed groups
    keep their name and size but no statistics. ``period`` says which assessments a row describes: the cohort's
    (``latest``, or its period), then, when the assessments cover several years, the national trend: a row per
    year and domain (and overall) of all organisations, each by its latest assessment of the year, the overall row
    with the movement between overall levels since the year before (``moved_up``, ``stayed``, ...)."""
    titles = dict(cohort.domains)
    rows = []
    moves = {m.later: m for m in cohort.movements}
    label = period_label(cohort)
    parts = [(group, label) for group in (cohort.everyone, *cohort.groups)]
    parts += [(year.stats, year.year) for year in cohort.years]
    for group, period in parts:
        scopes: list[tuple[str, str, Stats | None]] = [("domain", d, s) for d, s in group.domains]
        if not cohort.mixed_versions or cohort.by_maps:
            scopes.append(("overall", "overall", group.overall))
        for scope, ident, stats in scopes:
            row: dict[str, Any] = {
                "group": cohort.everyone.name if period != label else group.name,
                "period": period,
                "organisations": group.n,
                "suppressed": "yes" if group.suppressed else "",
                "scope": scope,
                "id": ident,
                "title": titles.get(ident, "Overall"),
            }
            for name in ("minimum", "q1", "median", "q3", "maximum"):
                row[name] = table_number(getattr(stats, name)) if stats else ""
            counts = dict(stats.levels) if stats else {}
            for level in scale:
                row[f"level_{level}"] = counts.get(level, 0) if stats else ""
            if cohort.years:
                move = moves.get(period) if scope == "overall" and period != label else None
                row.update(dict.fromkeys(MOVEMENT_COLUMNS, ""))
                if move is not None:
                    row.update(previous_period=move.earlier, in_both=move.organisations)
                    if not move.suppressed:
                        row.update(
                            moved_up=move.moved_up,
                            stayed=move.stayed,
                            moved_down=move.moved_down,
                            no_clear_change=move.no_clear_change,
                            not_comparable=move.not_comparable,
                        )
            rows.append(row)
    return rows


def member_rows(cohort: Cohort) -> list[dict[str, Any]]:
    """One row per organisation: rank, score, overall level and band, each domain's value (a column named by the
    domain's id) and level (``ID_level``), and outlier flags."""
    rows = []
    for m in cohort.members:
        row: dict[str, Any] = {
            "rank": m.rank,
            "organisation_id": m.organisation_id,
            "organisation_name": m.name,
            "type": m.type or "",
            "region": m.region or "",
            "group": m.group or "",
            "date": m.date or "",
            "score": table_number(m.score),
            "overall_level": "" if m.overall_level is None else m.overall_level,
            "overall_band": m.overall_band or "",
        }
        for domain_id, value, _ in m.values:
            row[domain_id] = table_number(value)
        for domain_id, _, level in m.values:
            row[f"{domain_id}_level"] = "" if level is None else level
        row["outliers"] = "; ".join(f"{d} {side}" for d, side in m.outliers)
        rows.append(row)
    return rows


def trend_rows(cohort: Cohort) -> list[dict[str, Any]]:
    """One row per organisation assessed more than once and domain (and overall): its values by date ("n/c" for a
    value of an earlier rubric version that the migration map says is not comparable, with the map's note), the
    change and its direction."""
    rows = []
    for trend in cohort.trends:
        for series in (*trend.domains, *((trend.overall,) if trend.overall else ())):
            rows.append(
                {
                    "organisation_id": trend.organisation_id,
                    "organisation_name": trend.name,
                    "id": series.domain_id,
                    "title": series.title,
                    "dates": " ".join(trend.dates),
                    "versions": " ".join(trend.versions),
                    "values": " ".join(
                        "n/c" if series.comparable and not series.comparable[i] else table_number(v) or "-"
                        for i, v in enumerate(series.values)
                    ),
                    "change": table_number(series.change),
                    "change_low": table_number(series.change_low),
                    "change_high": table_number(series.change_high),
                    "direction": series.direction,
                    "not_comparable": series.note or "",
                }
            )
    return rows


def trend_point_rows(cohort: Cohort) -> list[dict[str, Any]]:
    """The trends in long form, one row per organisation assessed more than once, domain (and overall) and date,
    oldest first: its ``value``, ``level``, the level a rule held it at, whether it compares with the latest
    (``comparable``: ``no`` for a value of an earlier rubric version the migration map says is not comparable, then
    without a value) and its interval; on every row of a series, the first-to-last ``change`` and its
    ``direction``. Type and region are the organisation's (from its latest assessment)."""
    members = {m.organisation_id: m for m in cohort.members}
    rows = []
    for trend in cohort.trends:
        member = members.get(trend.organisation_id)
        for series in (*trend.domains, *((trend.overall,) if trend.overall else ())):
            for i, when in enumerate(trend.dates):
                interval = series.intervals[i] if series.intervals else None
                held = series.held[i] if series.held else None
                comparable = series.comparable[i] if series.comparable else True
                rows.append(
                    {
                        "organisation_id": trend.organisation_id,
                        "organisation_name": trend.name,
                        "type": (member.type if member else None) or "",
                        "region": (member.region if member else None) or "",
                        "scope": "overall" if series is trend.overall else "domain",
                        "id": series.domain_id,
                        "title": series.title,
                        "date": when,
                        "version": trend.versions[i] if trend.versions else "",
                        "value": table_number(series.values[i]),
                        "level": "" if series.levels[i] is None else series.levels[i],
                        "held_level": "" if held is None else held,
                        "comparable": "yes" if comparable else "no",
                        "interval_low": table_number(interval.low) if interval else "",
                        "interval_high": table_number(interval.high) if interval else "",
                        "change": table_number(series.change),
                        "direction": series.direction,
                        "not_comparable": series.note or "",
                    }
                )
    return rows


def _organisation_rows(cohort: Cohort, scale: Sequence[int]) -> list[dict[str, Any]]:
    return member_rows(cohort)


def _trend_point_rows(cohort: Cohort, scale: Sequence[int]) -> list[dict[str, Any]]:
    return trend_point_rows(cohort)


CSV_TABLES: dict[str, Callable[[Cohort, Sequence[int]], list[dict[str, Any]]]] = {
    "groups": cohort_stats_rows,
    "organisations": _organisation_rows,
    "trends": _trend_point_rows,
}
"""The tables a cohort's CSV may hold (``compare --table``): ``groups`` (the default, statistics per group and
domain: :func:`cohort_stats_rows`), ``organisations`` (:func:`member_rows`) and ``trends``
(:func:`trend_point_rows`)."""

_EMPTY_HEADERS = {
    "groups": ["group"],
    "organisations": ["rank", "organisation_id"],
    "trends": ["organisation_id", "organisation_name", "type", "region", "scope", "id", "title", "date", "value"],
}


def write_cohort_csv(cohort: Cohort, scale: Sequence[int], stream: IO[str], *, table: str = "groups") -> None:
    """One of :data:`CSV_TABLES` as CSV text; a table without rows (no trends) is its header alone."""
    if table not in CSV_TABLES:
        raise ValueError(f"a cohort's CSV holds one of {', '.join(CSV_TABLES)}, not {table}")
    rows = CSV_TABLES[table](cohort, scale)
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]) if rows else _EMPTY_HEADERS[table], lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(row) for row in rows)


MEASURED_COLUMNS = frozenset(
    {"minimum", "q1", "median", "q3", "maximum", "score", "value", "interval_low", "interval_high", "change"}
)
"""Columns of measured values (with each domain's own): the workbook shows them with two decimals."""


def cohort_xlsx(cohort: Cohort, scale: Sequence[int]) -> bytes:
    """A workbook for analysts, each sheet an Excel table with filters under a frozen header
    (:func:`qimaturity._core.sheets.write_table`): Statistics (:func:`cohort_stats_rows`), Organisations
    (:func:`member_rows`, domain values heat-coloured), Trends (long form: :func:`trend_point_rows`), Domains (each
    domain's id and title: the other sheets name domains by id, as ``score -o OUT.xlsx`` does) and Notes. Dates are
    date cells; numbers are in full, shown with two decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from qimaturity._core.sheets import write_table

    book = Workbook()
    sheets = (
        ("Statistics", cohort_stats_rows(cohort, scale)),
        ("Organisations", member_rows(cohort)),
        ("Trends", trend_point_rows(cohort)),
        ("Domains", [{"id": d, "title": title} for d, title in cohort.domains]),
    )
    book.remove(book.active)
    ramp = ["F7FBFF", "DEEBF7", "C6DBEF", "9ECAE1", "6BAED6", "4292C6", "2171B5", "08519C"]
    low, high = (scale[0], scale[-1]) if scale else (0, 1)
    domain_ids = {d for d, _ in cohort.domains}
    measured = domain_ids | MEASURED_COLUMNS
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        header = list(rows[0]) if rows else _EMPTY_HEADERS.get(title.lower(), ["id"])
        write_table(sheet, header, ([_cell(key, row[key]) for key in header] for row in rows), title, measured)
        if title == "Organisations":
            for column, key in enumerate(header, start=1):
                if key not in domain_ids:
                    continue
                for line in range(2, len(rows) + 2):
                    cell = sheet.cell(line, column)
                    if isinstance(cell.value, float | int):
                        share = (cell.value - low) / (high - low) if high > low else 0
                        colour = ramp[min(len(ramp) - 1, max(0, int(share * (len(ramp) - 1) + 0.5)))]
                        cell.fill = PatternFill("solid", fgColor=colour)
                        if share > 0.6:
                            cell.font = Font(color="FFFFFF")
    notes = book.create_sheet("Notes")
    for note in cohort.notes or ("No notes.",):
        append_row(notes, [note])
    refs = ", ".join(f"{r.id} {r.version} ({r.content_hash})" for r in cohort.rubrics)
    append_row(notes, [f"Rubric: {refs}"])
    append_row(notes, [f"Minimum cohort size: {cohort.min_cohort}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
