"""Results as flat rows for analysts: one row for the overall result, each domain and each question."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from .result import DomainResult, OverallResult, Result

COLUMNS = (
    "organisation_id",
    "organisation_name",
    "date",
    "rubric_id",
    "rubric_version",
    "scope",
    "domain_id",
    "id",
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
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _scored_row(
    base: dict[str, Any], scope: str, domain_id: str, ident: str, node: DomainResult | OverallResult
) -> dict[str, Any]:
    return {
        **base,
        "scope": scope,
        "domain_id": domain_id,
        "id": ident,
        "status": "",
        "value": _number(node.value),
        "level": node.level,
        "level_name": node.level_name or "",
        "band": node.band.name if node.band else "",
        "percent": _number(node.percent),
        "target": node.target,
        "gap": node.gap,
        "agreement": "",
        "disagreement": "",
    }


def result_rows(result: Result) -> list[dict[str, Any]]:
    base = {
        "organisation_id": result.organisation.id,
        "organisation_name": result.organisation.name,
        "date": result.date or "",
        "rubric_id": result.rubric.id,
        "rubric_version": result.rubric.version,
    }
    rows = [_scored_row(base, "overall", "", "overall", result.overall)]
    for domain in result.domains:
        rows.append(_scored_row(base, "domain", domain.id, domain.id, domain))
        for q in domain.questions:
            rows.append(
                {
                    **base,
                    "scope": "question",
                    "domain_id": domain.id,
                    "id": q.id,
                    "status": q.status,
                    "value": _number(q.value),
                    "level": q.level,
                    "level_name": "",
                    "band": "",
                    "percent": "",
                    "target": q.target,
                    "gap": q.gap,
                    "agreement": _number(q.agreement),
                    "disagreement": "yes" if q.disagreement else "",
                }
            )
    return [{k: ("" if v is None else v) for k, v in row.items()} for row in rows]


def write_csv(results: Iterable[Result], stream: IO[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        writer.writerows(result_rows(result))
