"""Results as flat rows for analysts: CSV, and an XLSX workbook. Cohorts' tables (:mod:`qimaturity.cohort.tables`)
write their cells the same way (:func:`_cell`) and their numbers with :func:`qimaturity._core.numbers.table_number`."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

from qimaturity._core.formulas import FORMULA_STARTS, csv_field, starts_like_formula
from qimaturity._core.numbers import full, table_number
from qimaturity.scoring.result import DomainResult, OverallResult, PerceptionGap, Result, json_text

COLUMNS = (
    "organisation_id",
    "organisation_name",
    "date",
    "rubric_id",
    "rubric_version",
    "scope",
    "domain_id",
    "id",
    "group",
    "respondents",
    "status",
    "value",
    "level",
    "level_name",
    "band",
    "percent",
    "target",
    "gap",
    "agreement",
    "disagreement",
    "held_level",
    "held_by",
    "interval_low",
    "interval_high",
)
"""The columns of the CSV and of the XLSX's Results sheet, in order. ``held_level`` and ``held_by``: on an overall or
domain row whose level a rule holds, that level and the rules holding it (``"rule-a, rule-b"``); ``interval_low`` and
``interval_high``: where its value likely lies (95 %, docs/scoring.md). ``score-export`` writes the last two only
when asked (``--intervals``): they are last, so that its columns without them are the same up to there."""

INTERVAL_COLUMNS = ("interval_low", "interval_high")

NUMBER_COLUMNS: dict[str, type[int] | type[float]] = {
    "respondents": int,
    "value": float,
    "level": int,
    "percent": float,
    "target": int,
    "gap": int,
    "agreement": float,
    "held_level": int,
    "interval_low": float,
    "interval_high": float,
}
"""The columns that hold numbers, and of which kind; every other column holds text."""

Number = Callable[[float | None], Any]
"""How a row builder writes a float: as CSV text (:func:`~qimaturity._core.numbers.table_number`) or as a number
(:func:`~qimaturity._core.numbers.full`)."""


def _scored_row(
    base: dict[str, Any],
    scope: str,
    domain_id: str | None,
    ident: str,
    node: DomainResult | OverallResult,
    number: Number,
) -> dict[str, Any]:
    interval = node.interval
    return {
        **base,
        "scope": scope,
        "domain_id": domain_id,
        "id": ident,
        "group": None,
        "respondents": None,
        "status": None,
        "value": number(node.value),
        "level": node.level,
        "level_name": node.level_name or None,
        "band": node.band.name if node.band else None,
        "percent": number(node.percent),
        "target": node.target,
        "gap": node.gap,
        "agreement": None,
        "disagreement": None,
        "held_level": node.held_level,
        "held_by": ", ".join(node.held_by) or None,
        "interval_low": number(interval.low) if interval else None,
        "interval_high": number(interval.high) if interval else None,
    }


def result_rows(result: Result) -> list[dict[str, Any]]:
    """The CSV's rows: :func:`result_records` with numbers as text and empty cells as ``""``."""
    return [{k: ("" if v is None else v) for k, v in row.items()} for row in _rows(result, table_number)]


def result_records(result: Result) -> list[dict[str, Any]]:
    """The CSV's rows as data: one for the overall result, each domain and each question, one per respondent
    group's view of a question and one per perception gap; numbers as ints and floats at full precision
    (:func:`full`), ``None`` for an empty cell."""
    return _rows(result, full)


def _rows(result: Result, number: Number) -> list[dict[str, Any]]:
    base = {
        "organisation_id": result.organisation.id,
        "organisation_name": result.organisation.name,
        "date": result.date or None,
        "rubric_id": result.rubric.id,
        "rubric_version": result.rubric.version,
    }
    rows = [_scored_row(base, "overall", None, "overall", result.overall, number)]
    for domain in result.domains:
        rows.append(_scored_row(base, "domain", domain.id, domain.id, domain, number))
        for gap in domain.perception_gaps:
            rows.append(_gap_row(base, domain.id, domain.id, gap, number))
        for q in domain.questions:
            rows.append(
                {
                    **dict.fromkeys(COLUMNS),
                    **base,
                    "scope": "question",
                    "domain_id": domain.id,
                    "id": q.id,
                    "group": None,
                    "respondents": sum(g.respondents for g in q.by_group) or len(q.answers) or None,
                    "status": q.status,
                    "value": number(q.value),
                    "level": q.level,
                    "level_name": None,
                    "band": None,
                    "percent": None,
                    "target": q.target,
                    "gap": q.gap,
                    "agreement": number(q.agreement),
                    "disagreement": "yes" if q.disagreement else None,
                }
            )
            for view in q.by_group:
                rows.append(
                    {
                        **dict.fromkeys(COLUMNS),
                        **base,
                        "scope": "group",
                        "domain_id": domain.id,
                        "id": q.id,
                        "group": view.group,
                        "respondents": view.respondents,
                        "value": number(view.value),
                        "agreement": number(view.agreement),
                    }
                )
            for gap in q.perception_gaps:
                rows.append(_gap_row(base, domain.id, q.id, gap, number))
    return rows


def _gap_row(base: dict[str, Any], domain_id: str, ident: str, gap: PerceptionGap, number: Number) -> dict[str, Any]:
    """A perception gap: group a's value minus group b's, flagged at the rubric's threshold."""
    return {
        **dict.fromkeys(COLUMNS),
        **base,
        "scope": "perception_gap",
        "domain_id": domain_id,
        "id": ident,
        "group": f"{gap.group_a} - {gap.group_b}",
        "value": number(gap.gap),
        "disagreement": "flagged" if gap.flagged else None,
    }


MEASURED_COLUMNS = frozenset({"value", "percent", "agreement", "interval_low", "interval_high"})
"""Columns of measured values: the workbook shows them with two decimals (the cell keeps the full value)."""

ORGANISATION_COLUMNS = (
    "organisation_id",
    "organisation_name",
    "type",
    "region",
    "date",
    "overall_value",
    "overall_level",
    "overall_band",
)
"""The first columns of the workbook's Organisations sheet; then each domain's value (a column named by the
domain's id) and level (``ID_level``), the domains in the rubric's order."""


def results_xlsx(results: Sequence[Result]) -> bytes:
    """A workbook of results for analysts (:func:`write_xlsx`), as bytes."""
    buffer = io.BytesIO()
    write_xlsx(results, buffer)
    return buffer.getvalue()


def write_xlsx(results: Iterable[Result], stream: Any, *, failed: Callable[[], bool] | None = None) -> int:
    """Write a workbook of results for analysts to ``stream`` (a seekable binary file) as each result comes,
    holding at most one: openpyxl's write-only workbook puts each sheet's rows in a temporary file, so that memory
    does not grow with the number of results. Each sheet is an Excel table with filters under a frozen header
    (:class:`qimaturity._core.sheets.TableStream`): every row of the CSV on "Results" (with the organisation's
    ``type`` and ``region`` after its name); "Organisations", one row per result: :data:`ORGANISATION_COLUMNS`, then
    a value column per domain named by its id and a level column ``ID_level``, the domains those of the first
    result (results of one rubric have the same); "Domains", each domain's id and title. Dates are date cells;
    numbers are in full, shown with two decimals. The columns are named as ``compare -o OUT.xlsx`` names its own.
    Without results, the sheets have their headers alone. Returns how many results there were; nothing is written
    when ``failed()``, asked once they are done, says so."""
    from openpyxl import Workbook

    from qimaturity._core.sheets import discard

    book = Workbook(write_only=True)
    try:
        count = _stream_xlsx(book, iter(results))
        if not (failed is not None and failed()):
            book.save(stream)
        else:
            discard(book)
        return count
    except BaseException:
        discard(book)
        raise


def _stream_xlsx(book: Any, results: Iterator[Result]) -> int:
    from qimaturity._core.sheets import TableStream

    first = next(results, None)
    # The CSV's columns, with the organisation's type and region after its name (as every per-organisation sheet)
    at = COLUMNS.index("organisation_name") + 1
    header = (*COLUMNS[:at], "type", "region", *COLUMNS[at:])
    domains = [(d.id, d.title) for d in first.domains] if first is not None else []
    wide_header = [*ORGANISATION_COLUMNS, *(d for d, _ in domains), *(f"{d}_level" for d, _ in domains)]
    long = TableStream(book, "Results", header, "Results", MEASURED_COLUMNS)
    measured = {"overall_value", *(d for d, _ in domains)}
    organisations = TableStream(book, "Organisations", wide_header, "Organisations", measured)

    def wide(result: Result) -> list[Any]:
        values: dict[str, tuple[float | None, int | None]] = {d.id: (d.value, d.level) for d in result.domains}
        org = result.organisation
        overall = result.overall
        return [
            org.id,
            org.name,
            org.type,
            org.region,
            result.date,
            full(overall.value),
            overall.level,
            overall.band.name if overall.band else None,
            *(full(values.get(d, (None, None))[0]) for d, _ in domains),
            *(values.get(d, (None, None))[1] for d, _ in domains),
        ]

    count = 0
    for result in itertools.chain(() if first is None else (first,), results):
        kinds = {"type": result.organisation.type or "", "region": result.organisation.region or ""}
        for row in result_rows(result):
            long.append([_cell(key, kinds[key] if key in kinds else row[key]) for key in header])
        organisations.append(wide(result))
        count += 1
    long.close()
    organisations.close()
    titles = TableStream(book, "Domains", ("id", "title"), "Domains")
    for ident, title in domains:
        titles.append([ident, title])
    titles.close()
    return count


def write_csv(results: Iterable[Result], stream: IO[str]) -> int:
    """Write the CSV of results as each comes (one row per node, see :func:`result_rows`); returns how many."""
    return write_csv_texts(map(csv_text, results), stream)


def csv_text(result: Result) -> str:
    """One result's CSV rows (:func:`write_csv` writes them after the header)."""
    buffer = io.StringIO()
    # Lists in the columns' order (not csv.DictWriter's dicts) and the formula check only on text that could be
    # one: the same bytes as csv_row would give, in a third of the time.
    csv.writer(buffer, lineterminator="\n").writerows(
        [_csv_cell(row.get(key)) for key in COLUMNS] for row in _rows(result, table_number)
    )
    return buffer.getvalue()


def write_csv_texts(texts: Iterable[str], stream: IO[str]) -> int:
    """Write the CSV's header, then each result's rows as :func:`csv_text` gave them; returns how many."""
    csv.writer(stream, lineterminator="\n").writerow(COLUMNS)
    count = 0
    for text in texts:
        stream.write(text)
        count += 1
    return count


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if type(value) is str and value and value[0] in _FORMULA_FIRST:
        return csv_field(value)
    return value


def result_json(result: Result, *, trace: bool = False) -> str:
    """One result as JSON text on one line: sorted keys, no trace unless asked for (see :meth:`Result.to_dict`).
    Compact, because json's C encoder writes only that: indenting takes its Python encoder, several times slower.
    The text is ``json.dumps(json_data(result, trace=trace), ensure_ascii=False, separators=(",", ":"))``, written
    directly from the result (:func:`~qimaturity.scoring.result.json_text`), without building that data."""
    return json_text(result, trace=trace)


def write_json(
    results: Iterable[Result], stream: IO[str], *, trace: bool = False, lone: Callable[[], bool] | None = None
) -> int:
    """Write results as JSON as each comes, holding at most one: a single result as an indented object (unless
    ``lone``, asked once the results are done, says no), several as an array with one result on each line, which
    is valid JSON and reads line by line too. Without ``trace`` the results leave out their traces (see
    :meth:`Result.to_dict`). Returns how many results were written."""
    return write_json_texts((result_json(r, trace=trace) for r in results), stream, lone=lone)


def write_json_texts(texts: Iterable[str], stream: IO[str], *, lone: Callable[[], bool] | None = None) -> int:
    """:func:`write_json` of results already written by :func:`result_json`."""
    count = 0
    first: str | None = None
    for text in texts:
        count += 1
        if count == 1:
            first = text  # an object or the first of an array: the next result (or the end) says which
            continue
        if first is not None:
            stream.write("[\n" + first)
            first = None
        stream.write(",\n" + text)
    if first is not None and (lone is None or lone()):
        # The same text as dumping the result indented: floats read back as themselves, keys are sorted already.
        stream.write(json.dumps(json.loads(first), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    elif first is not None:
        stream.write("[\n" + first + "\n]\n")
    elif count:
        stream.write("\n]\n")
    else:
        stream.write("[]\n")
    return count


RESULT_FORMATS = ("json", "csv", "xlsx")


def results_document(results: Sequence[Result], fmt: str, *, trace: bool = True) -> str | bytes:
    """Results as the content of a file ``score -o`` writes: ``json`` (one result's object, or an array of
    several, see :func:`write_json`; with their traces unless ``trace`` is false), ``csv`` (text, one row per node
    as :func:`write_csv` writes) or ``xlsx`` (the workbook's bytes)."""
    if fmt == "xlsx":
        return results_xlsx(results)
    if fmt not in RESULT_FORMATS:
        raise ValueError(f"results are written as {', '.join(RESULT_FORMATS)}, not {fmt}")
    buffer = io.StringIO()
    if fmt == "csv":
        write_csv(results, buffer)
    else:
        write_json(results, buffer, trace=trace)
    return buffer.getvalue()


# Columns of words (ids, names, dates, groups, titles): always text, even when they look like a number ("007").
TEXT_KEYS = frozenset(
    {
        "organisation_id",
        "organisation_name",
        "date",
        "rubric_id",
        "rubric_version",
        "scope",
        "domain_id",
        "id",
        "group",
        "status",
        "level_name",
        "band",
        "disagreement",
        "held_by",
        "suppressed",
        "title",
        "type",
        "region",
        "overall_band",
        "outliers",
        "dates",
        "values",
        "direction",
        "period",  # a cohort's period: latest, a year (2025) or dates, a label like the others in its column
        "previous_period",
    }
)


def _cell(key: str, value: Any) -> Any:
    """Numbers as numbers, so that spreadsheets can sort and chart them; words as words."""
    if isinstance(value, str) and key not in TEXT_KEYS and value and not starts_like_formula(value):
        try:
            return float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return value
    return value
