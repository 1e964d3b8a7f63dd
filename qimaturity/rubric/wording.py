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


# --- Rules as a board reads them ---------------------------------------------------------------------------------

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ITEMS = {"domains": ("domain", "domains"), "questions": ("question", "questions")}
_ITEMS["critical_questions"] = ("critical question", "critical questions")


def number_word(number: int) -> str:
    """A small whole number in words (one, two ... ten), larger ones in figures."""
    return _NUMBER_WORDS[number] if 0 <= number < len(_NUMBER_WORDS) else str(number)


class _Plain:
    """Conditions of one rubric in words for a board: levels by their names, domains by their titles, questions
    by their text; never an id, a level number or an operator."""

    def __init__(self, rubric: Rubric, scope: str):
        self.rubric = rubric
        self.scope = scope
        self.names = {level.value: level.name for level in rubric.levels}

    def level(self, value: int) -> str:
        return self.names.get(value, str(value))

    def item(self, kind: str, ident: str) -> str:
        if kind == "domain":
            return next((d.title for d in self.rubric.domains if d.id == ident), ident)
        text = next((q.text for d in self.rubric.domains for q in d.questions if q.id == ident), ident)
        return f"the question \u201c{text.rstrip('.?')}\u201d"

    def test(self, test: str, level: int) -> str:
        if test == "level_below":
            return f"below {self.level(level)}"
        if test == "level_at":
            return f"at {self.level(level)}"
        return f"at {self.level(level)} or above"

    def holds(self, condition: Condition) -> str:
        """The condition as a clause that is true when it holds ("any domain is below Developing")."""
        match condition:
            case CriticalBelow(level):
                whose = "its critical questions" if self.scope == "domain" else "the critical questions"
                return f"any of {whose} is below {self.level(level)}"
            case ItemLevel(kind, ident, comparison, level):
                where = f"below {self.level(level)}" if comparison == "below" else f"at {self.level(level)} or above"
                return f"{self.item(kind, ident)} is {where}"
            case Count(of, test, level, bound, number):
                one, many = _ITEMS[of]
                where = self.test(test, level)
                if bound == "at_most":
                    if number == 0:
                        return f"no {one} is {where}"
                    verb = "is" if number == 1 else "are"
                    return f"at most {number_word(number)} {one if number == 1 else many} {verb} {where}"
                if number <= 1:
                    return f"any {one} is {where}"
                return f"{number_word(number)} or more {many} are {where}"
            case AllOf(items):
                return _joined([self.holds(c) for c in items], "and")
            case AnyOf(items):
                return _joined([self.holds(c) for c in items], "or")
            case Not(item):
                return self.fails(item)
            case ExpressionCondition(expression):
                named = []
                for reference in expression.references:
                    if reference.kind in ("question", "domain"):
                        words = self.item(reference.kind, str(reference.value))
                        if words not in named:
                            named.append(words)
                on = f" on {_joined(named, 'and')}" if named else ""
                return f"the rubric's condition{on} is met"
        raise TypeError(f"unknown condition {condition!r}")

    def fails(self, condition: Condition) -> str:
        """The condition as a clause that is true when it does not hold."""
        match condition:
            case CriticalBelow(level):
                whose = "its critical questions" if self.scope == "domain" else "the critical questions"
                return f"every one of {whose} is at {self.level(level)} or above"
            case ItemLevel(kind, ident, comparison, level):
                where = f"at {self.level(level)} or above" if comparison == "below" else f"below {self.level(level)}"
                return f"{self.item(kind, ident)} is {where}"
            case Count(of, test, level, bound, number):
                one, many = _ITEMS[of]
                where = self.test(test, level)
                if bound == "at_most":
                    if number == 0:
                        return f"any {one} is {where}"
                    return f"{number_word(number + 1)} or more {many} are {where}"
                if number <= 1:
                    return f"no {one} is {where}"
                return f"fewer than {number_word(number)} {many} are {where}"
            case AllOf(items):
                return _joined([self.fails(c) for c in items], "or")
            case AnyOf(items):
                return _joined([self.fails(c) for c in items], "and")
            case Not(item):
                return self.holds(item)
            case ExpressionCondition():
                return self.holds(condition).replace(" is met", " is not met")
        raise TypeError(f"unknown condition {condition!r}")


def _has_expression(condition: Condition) -> bool:
    match condition:
        case ExpressionCondition():
            return True
        case AllOf(items) | AnyOf(items):
            return any(_has_expression(c) for c in items)
        case Not(item):
            return _has_expression(item)
    return False


def _joined(parts: list[str], word: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def rule_sentence(rule: Rule, rubric: Rubric) -> str:
    """The rule as one plain sentence for a board: the rubric's own ``sentence`` when it gives one, else one written
    from the rule, with levels by name and domains by title ("The overall result cannot reach Embedded while any
    domain is below Developing.")."""
    if rule.sentence:
        return rule.sentence
    if rule.description and rule.condition is not None and _has_expression(rule.condition):
        # An expression says what it needs in a formula; the rubric's own words say it better than a paraphrase.
        return rule.description
    plain = _Plain(rubric, rule.scope)
    if rule.scope == "overall":
        subject = "The overall result"
    elif rule.domains:
        titles = [plain.item("domain", d) for d in rule.domains]
        subject = titles[0] if len(titles) == 1 else f"Each of {_joined(titles, 'and')}"
    else:
        subject = "A domain"
    if rule.type == "cap":
        assert rule.condition is not None and rule.max_level is not None
        return f"{subject} cannot be above {plain.level(rule.max_level)} while {plain.holds(rule.condition)}."
    if rule.type == "gate":
        assert rule.condition is not None and rule.level is not None
        return f"{subject} cannot reach {plain.level(rule.level)} while {plain.fails(rule.condition)}."
    assert rule.met_at is not None
    items = "domain" if rule.stages_of == "domains" else "question"
    return (
        f"{subject} reaches a stage only when every {items} of that stage and of every earlier stage is at "
        f"{plain.level(rule.met_at)} or above."
    )
