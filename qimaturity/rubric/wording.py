"""Scoring policy in plain words, for the terminal, traces and reports."""

from __future__ import annotations

from qimaturity._core.numbers import given_number
from qimaturity.rubric.model import (
    AllOf,
    AnyOf,
    Condition,
    Count,
    CriticalBelow,
    ExpressionCondition,
    ItemLevel,
    Not,
    Rubric,
    Rule,
    Scoring,
)

METHODS = {
    "weighted_mean": "weighted mean (N/A excluded, weights renormalised)",
    "mean": "plain mean",
    "weighted_sum": "weighted sum of points",
    "sum": "sum (a total)",
    "minimum": "lowest value",
    "highest_rung": "highest value",
}
EVEN_MEDIANS = {
    "mean": "the mean of the middle two",
    "lower": "the lower of the middle two",
    "upper": "the upper of the middle two",
}
NA_POLICIES = {
    "exclude": "excluded, weights renormalised",
    "count_as_met": "counted as met (the top level)",
    "count_as_lowest": "counted as the lowest level",
    "anchor_to_target": "counted as the target level",
}
_COUNTED = {"domains": "domains", "questions": "questions", "critical_questions": "critical questions"}
_LEVEL_TEST = {"level_below": "below level", "level_at": "at level", "level_at_least": "at level or above"}


def condition_text(condition: Condition) -> str:
    """A condition in words, e.g. 'at most 0 domains below level 2'."""
    match condition:
        case CriticalBelow(level):
            return f"a critical question is below level {level}"
        case ItemLevel(kind, ident, comparison, level):
            relation = "is below level" if comparison == "below" else "is at level or above"
            return f"{kind} {ident} {relation} {level}"
        case Count(of, test, level, bound, number):
            return f"{bound.replace('_', ' ')} {number} {_COUNTED[of]} {_LEVEL_TEST[test]} {level}"
        case AllOf(items):
            return "all of: " + "; ".join(condition_text(c) for c in items)
        case AnyOf(items):
            return "any of: " + "; ".join(condition_text(c) for c in items)
        case Not(item):
            return f"not ({condition_text(item)})"
        case ExpressionCondition(expression):
            return f"expression {expression.text}"
    raise TypeError(f"unknown condition {condition!r}")


def rule_text(rule: Rule) -> str:
    """A rule in words; the rubric's own description comes first when it has one."""
    where = (
        "overall"
        if rule.scope == "overall"
        else (f"domains {', '.join(rule.domains)}" if rule.domains else "each domain")
    )
    if rule.type == "cap":
        assert rule.condition is not None
        mechanics = f"{where}: at most level {rule.max_level} when {condition_text(rule.condition)}"
    elif rule.type == "gate":
        assert rule.condition is not None
        mechanics = f"{where}: level {rule.level} or above only if {condition_text(rule.condition)}"
    else:
        mechanics = (
            f"{where}: the highest stage at which every {rule.stages_of[:-1]} of that stage and below "
            f"is at level {rule.met_at} or above"
        )
    return f"{rule.description} [{mechanics}]" if rule.description else mechanics


def scoring_lines(rubric: Rubric) -> list[str]:
    s: Scoring = rubric.scoring
    lines = [
        f"respondents -> question: {s.respondent_aggregate}"
        + (f" (of an even count: {EVEN_MEDIANS[s.even_median]})" if s.respondent_aggregate == "median" else "")
        + (
            " within each group, then the groups' weighted mean ("
            + ", ".join(f"{g.id} {given_number(g.weight)}" for g in rubric.respondent_groups)
            + "; no group 1)"
            if s.pooling == "groups"
            else ""
        )
        + "; "
        f"disagreement flagged when r_wg within a group (of at least {s.agreement_min_respondents} answers) "
        f"< {given_number(s.agreement_threshold)}",
        f"questions -> domain: {METHODS[s.questions]}",
        f"domains -> overall: {METHODS[s.domains]}",
        f"value -> level: {s.level_from_value}",
        f"N/A answers: {NA_POLICIES[s.not_applicable]}",
        f"unanswered questions: {s.missing.replace('_', ' ')}",
    ]
    if s.compare:
        pairs = ", ".join(f"{a} vs {b}" for a, b in s.compare)
        lines.append(f"perception gaps reported: {pairs} (flagged at {given_number(s.gap_threshold)} level or more)")
    evidence = f"evidence missing above a question's evidence level: {s.evidence.on_missing}"
    if s.evidence.max_age_days:
        evidence += f"; evidence older than {s.evidence.max_age_days} days does not count"
    lines.append(evidence)
    change = "changes count as improved or declined when they beat the respondents' noise (95 % interval)"
    if s.minimal_important_difference is not None:
        change += f" or are at least {given_number(s.minimal_important_difference)}"
    lines.append(change)
    return lines
