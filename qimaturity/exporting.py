"""Results as flat rows for analysts: one row for the overall result, each domain and each question."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from .result import Result

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


def result_rows(result: Result) -> list[dict[str, Any]]:
    base = {
        "organisation_id": result.organisation.id,
        "organisation_name": result.organisation.name,
        "date": result.date or "",
        "rubric_id": result.rubric.id,
        "rubric_version": result.rubric.version,
    }
    overall = result.overall
    rows = [
        {
            **base,
            "scope": "overall",
            "domain_id": "",
            "id": "overall",
            "status": "",
            "value": _number(overall.value),
            "level": overall.level,
            "level_name": overall.level_name or "",
            "band": overall.band.name if overall.band else "",
            "percent": _number(overall.percent),
            "target": overall.target,
            "gap": overall.gap,
            "agreement": "",
            "disagreement": "",
        }
    ]
    for domain in result.domains:
        rows.append(
            {
                **base,
                "scope": "domain",
                "domain_id": domain.id,
                "id": domain.id,
                "status": "",
                "value": _number(domain.value),
                "level": domain.level,
                "level_name": domain.level_name or "",
                "band": domain.band.name if domain.band else "",
                "percent": _number(domain.percent),
                "target": domain.target,
                "gap": domain.gap,
                "agreement": "",
                "disagreement": "",
            }
        )
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
