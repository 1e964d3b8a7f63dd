"""A rubric as ``qimaturity show`` presents it, as data (``show --format json``; ``schemas/show.schema.json``): the
scale, respondent groups, the scoring policy and each rule in words, bands, and the domains with their questions,
weights, targets, flags and level descriptors. Not the rubric file (``rubric to-xlsx`` and the YAML are that): a
reader's view, with the policy in the same sentences ``show`` prints."""

from __future__ import annotations

from typing import Any

from qimaturity.rubric.model import Question, Rubric
from qimaturity.rubric.wording import rule_text, scoring_lines


def _question(question: Question, levels: bool) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "help": question.help,
        "weight": question.weight,
        "weight_rationale": question.weight_rationale,
        "critical": question.critical,
        "critical_rationale": question.critical_rationale,
        "target": question.target,
        "na_allowed": question.na_allowed,
        "evidence_from": question.evidence_from,
        "respondents": list(question.respondents),
        "levels": [
            {
                "level": entry.level,
                "descriptor": entry.descriptor,
                "next_step": entry.next_step,
                "measure": entry.measure,
                "owner": entry.owner,
            }
            for entry in question.levels
        ]
        if levels
        else [],
    }


def rubric_outline(rubric: Rubric, *, domain_id: str | None = None, levels: bool = True) -> dict[str, Any]:
    """What ``show`` prints, as data: the whole rubric, or only ``domain_id``'s domain (then ``levels``,
    ``respondent_groups``, ``scoring``, ``bands`` and ``rules`` are empty, as ``show --domain`` leaves them out);
    without ``levels``, no question's level descriptors. A domain's ``target`` is its own or the rubric's
    default."""
    whole = domain_id is None
    return {
        "id": rubric.id,
        "version": rubric.version,
        "title": rubric.title,
        "content_hash": rubric.content_hash,
        "description": rubric.description,
        "levels": [{"value": lv.value, "name": lv.name, "descriptor": lv.descriptor} for lv in rubric.levels]
        if whole
        else [],
        "respondent_groups": [
            {"id": g.id, "name": g.name, "weight": g.weight, "weight_rationale": g.weight_rationale}
            for g in rubric.respondent_groups
        ]
        if whole
        else [],
        "scoring": list(scoring_lines(rubric)) if whole else [],
        "bands": {
            "on": rubric.bands.on,
            "items": [{"id": b.id, "name": b.name, "lower": b.lower, "upper": b.upper} for b in rubric.bands.items],
        }
        if whole and rubric.bands
        else None,
        "rules": [{"id": r.id, "type": r.type, "text": rule_text(r)} for r in rubric.rules] if whole else [],
        "domains": [
            {
                "id": d.id,
                "title": d.title,
                "description": d.description,
                "weight": d.weight,
                "weight_rationale": d.weight_rationale,
                "target": d.target if d.target is not None else rubric.default_target,
                "questions": [_question(q, levels) for q in d.questions],
            }
            for d in rubric.domains
            if whole or d.id == domain_id
        ],
    }
