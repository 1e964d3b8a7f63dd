"""The executive summary in words a board reads aloud: strengths that are strong, the gaps that matter most, the
rules that hold a result back, where groups see things differently, and a short narrative.

Nothing here computes a score: it selects and words what the result holds. Levels are named (Developing, not
"level 3"), domains by their titles and groups by the rubric's names; no rule id, r_wg or arrow reaches the summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from qimaturity._core.dates import iso_in_words
from qimaturity._core.numbers import fixed
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
)
from qimaturity.rubric.wording import number_word, rule_sentence
from qimaturity.scoring.result import DomainResult, OverallResult, QuestionResult, Result

if TYPE_CHECKING:
    from qimaturity.report.views import Report

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def nhs_date(text: str | None) -> str | None:
    """An ISO date as the NHS writes dates: ``2026-09-30`` is ``30 September 2026``. Text that is not an ISO date
    is returned as it is."""
    return None if text is None else iso_in_words(text)


def nhs_dates_in(text: str) -> str:
    """Every ISO date within a text (an evidence reference's date) written as the NHS writes dates."""

    def one(match: re.Match[str]) -> str:
        return nhs_date(match.group(0)) or match.group(0)

    return _ISO_DATE.sub(one, text)


def _lower_first(sentence: str) -> str:
    """A sentence to follow a semicolon or colon, without its full stop: its first word lowered ("The overall
    result" is "the overall result") unless it looks like a name (NHS, PSIRF, McKinsey: capitals after the first)."""
    first, space, rest = sentence.partition(" ")
    if first[:1].isupper() and not any(c.isupper() for c in first[1:]):
        first = first.lower()
    return (first + space + rest).rstrip(".")


def _joined(parts: Sequence[str], word: str = "and") -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def how_much(gap: float) -> str:
    """A difference between levels in words, to the nearest half: half a level, one level, one and a half levels."""
    halves = round(abs(gap) * 2)
    whole, half = divmod(halves, 2)
    if whole == 0:
        return "half a level" if half else "less than half a level"
    if not half:
        return f"{number_word(whole)} level" + ("s" if whole > 1 else "")
    return f"{number_word(whole)} and a half levels"


@dataclass(frozen=True)
class GapItem:
    """One of the gaps that matter most: a question short of its target, in its domain."""

    domain: str
    text: str
    """The question and where it stands, in words."""
    cycle: int | None
    """The improvement plan's cycle for it, ``None`` when the plan does not reach it."""


class Words:
    """The summary's words for one result of one rubric."""

    def __init__(self, result: Result, rubric: Rubric):
        self.result = result
        self.rubric = rubric
        self.names = {level.value: level.name for level in rubric.levels}
        self.group_names = {g.id: g.name for g in rubric.respondent_groups}
        self.titles = {d.id: d.title for d in rubric.domains}
        self.rules = {rule.id: rule for rule in rubric.rules}

    def level(self, value: int | None) -> str:
        return "not scored" if value is None else self.names.get(value, str(value))

    # --- the gaps that matter most ----------------------------------------------------------------------------
    def gap_items(self, plan_size: int, most: int = 3) -> tuple[GapItem, ...]:
        """The highest priorities, the weakest domain always among them: when none of the first ``most`` is in
        it, its own highest priority takes the last place."""
        priorities = list(self.result.priorities[:most])
        weakest = self.weakest()
        if weakest is not None and all(p.domain_id != weakest.id for p in priorities):
            own = next((p for p in self.result.priorities if p.domain_id == weakest.id), None)
            if own is not None:
                priorities = [*priorities[: most - 1], own]
        items = []
        for p in priorities:
            critical = "; a critical question" if p.critical else ""
            items.append(
                GapItem(
                    self.titles.get(p.domain_id, p.domain_id),
                    f"{p.text.rstrip()} Now {self.level(p.level)}, target {self.level(p.target)}{critical}.",
                    p.rank if p.rank <= plan_size else None,
                )
            )
        if weakest is not None and all(i.domain != weakest.title for i in items):
            # A weak domain with no question of its own among the priorities (its questions may all be N/A or at
            # target while a rule holds it): named all the same.
            items.append(
                GapItem(
                    weakest.title,
                    f"The weakest domain: now {self.level(weakest.level)}, target {self.level(weakest.target)}.",
                    None,
                )
            )
        return tuple(items)

    def weakest(self) -> DomainResult | None:
        """The domain furthest below its target (the lowest value among equals); ``None`` when none is below."""
        below = [d for d in self.result.domains if d.gap is not None and d.gap > 0 and d.value is not None]
        if not below:
            return None
        return min(below, key=lambda d: (-(d.gap or 0), d.value, d.id))

    # --- strengths ---------------------------------------------------------------------------------------------
    def strengths(self) -> tuple[str, ...]:
        """Domains at or above their target, the highest first."""
        met = [d for d in self.result.domains if d.gap is not None and d.gap <= 0 and d.level is not None]
        met.sort(key=lambda d: (-(d.value or 0), d.id))
        return tuple(
            f"{d.title}: {self.level(d.level)}, " + ("at its target." if d.gap == 0 else "above its target.")
            for d in met
        )

    def relative_strengths(self, peer_medians: dict[str, float]) -> tuple[str, ...]:
        """Domains below their target that stand clearly above both the organisation's own median domain and the
        peers' median: the lower end of where their value likely lies is above both. Needs peers."""
        if not peer_medians:
            return ()
        values = [d.value for d in self.result.domains if d.value is not None]
        if not values:
            return ()
        own = median(values)
        found = []
        for d in self.result.domains:
            peer = peer_medians.get(d.id)
            if d.value is None or peer is None or d.gap is None or d.gap <= 0:
                continue
            low = d.interval.low if d.interval is not None else d.value
            if low > own and low > peer:
                found.append(d)
        found.sort(key=lambda d: (-(d.value or 0), d.id))
        return tuple(
            f"{d.title}: {self.level(d.level)}, below its target of {self.level(d.target)} but clearly above this "
            f"organisation's other domains and its peers ({fixed(d.value or 0, 2)} against a peer median of "
            f"{fixed(peer_medians[d.id], 2)})."
            for d in found
        )

    # --- rules that hold a result back -------------------------------------------------------------------------
    def held(self, node: DomainResult | OverallResult, subject: str) -> tuple[str, ...]:
        """Each rule that holds ``node``'s level, in plain words: what it would be without the rule (when the rule
        lowered it), the rule's sentence and what stands in the way now."""
        lines = []
        for adjustment in node.trace.adjustments:
            rule = self.rules.get(adjustment.rule or "")
            if not adjustment.applied or rule is None:
                continue
            before, after = adjustment.level_before, adjustment.level_after
            lead = ""
            if before is not None and after is not None and after < before:
                lead = (
                    f"On its answers alone {subject} would be {self.level(before)}; a rule holds it at "
                    f"{self.level(after)}. "
                )
            facts = self.now(rule, node)
            now = f" Now {_joined(facts)}." if facts else ""
            lines.append(f"{lead}{rule_sentence(rule, self.rubric)}{now}")
        return tuple(lines)

    def now(self, rule: Rule, node: DomainResult | OverallResult | None = None) -> list[str]:
        """What stands in the way now, for conditions on domains' levels and on counts of questions."""
        if rule.condition is None:
            return []
        questions = (
            node.questions if isinstance(node, DomainResult) else [q for d in self.result.domains for q in d.questions]
        )
        return self.facts(rule.condition, questions)

    def facts(self, condition: Condition, questions: Sequence[QuestionResult]) -> list[str]:
        domains = {d.id: d for d in self.result.domains}
        match condition:
            case Count("domains", test, level, _, _):
                hit = [d for d in self.result.domains if d.level is not None and _passes(d.level, test, level)]
                where = _test_words(test, self.level(level))
                if not hit:
                    return []
                if len(hit) == len(domains):
                    return [f"all {number_word(len(hit))} domains are {where}"]
                if len(hit) > 3:
                    return [f"{number_word(len(hit))} of the {number_word(len(domains))} domains are {where}"]
                return [f"{d.title} is at {self.level(d.level)}" for d in hit]
            case Count(of, test, level, _, _):
                return self.question_count(
                    [q for q in questions if of == "questions" or q.critical],
                    _test_words(test, self.level(level)),
                    lambda value: _passes(value, test, level),
                    "questions" if of == "questions" else "critical questions",
                )
            case CriticalBelow(level):
                return self.question_count(
                    [q for q in questions if q.critical],
                    f"below {self.level(level)}",
                    lambda value: value < level,
                    "critical questions",
                )
            case ItemLevel("domain", ident, _, _) if ident in domains:
                return [f"{domains[ident].title} is at {self.level(domains[ident].level)}"]
            case ItemLevel("question", ident, _, _):
                question = next((q for d in self.result.domains for q in d.questions if q.id == ident), None)
                if question is None or question.level is None:
                    return []
                return [f"that question is at {self.level(question.level)}"]
            case AllOf(items) | AnyOf(items):
                return [fact for item in items for fact in self.facts(item, questions)]
            case Not(item):
                return self.facts(item, questions)
            case ExpressionCondition(expression):
                named = dict.fromkeys(str(r.value) for r in expression.references if r.kind == "domain")
                return [f"{domains[i].title} is at {self.level(domains[i].level)}" for i in named if i in domains]
        return []

    @staticmethod
    def question_count(
        questions: Sequence[QuestionResult], where: str, passes: Callable[[int], bool], kind: str
    ) -> list[str]:
        hit = [q for q in questions if q.level is not None and passes(q.level)]
        if not hit:
            return []
        if len(hit) == 1:
            return [f"one {kind[:-1]} is {where}"]
        return [f"{number_word(len(hit))} {kind} are {where}"]

    # --- perception gaps ---------------------------------------------------------------------------------------
    def perception_heading(self, pairs: Sequence[tuple[str, str]]) -> str:
        """ "Where the Board and Frontline staff see things differently" when every gap listed is between the same
        two groups (by the rubric's names); "Where groups see things differently" when several pairs differ."""
        distinct = {tuple(sorted(pair)) for pair in pairs}
        if len(distinct) == 1:
            a, b = pairs[0]
            return f"Where the {self.group_names.get(a, a)} and {self.group_names.get(b, b)} see things differently"
        return "Where groups see things differently"


def _passes(value: int, test: str, level: int) -> bool:
    if test == "level_below":
        return value < level
    if test == "level_at":
        return value == level
    return value >= level


def _test_words(test: str, name: str) -> str:
    return {"level_below": f"below {name}", "level_at": f"at {name}"}.get(test, f"at {name} or above")


# --- the narrative --------------------------------------------------------------------------------------------------


def narrative(report: Report, words: Words) -> tuple[str, ...]:
    """Three to five sentences a chair could read aloud: where the organisation stands (and what holds it there),
    its peers and its change since last time when the report has them, the gaps that matter most, where two groups
    see things most differently, and what to do first."""
    sentences = [_standing(report, words)]
    comparison = _peers_and_history(report)
    if comparison:
        sentences.append(comparison)
    sentences.append(_what_matters(report, words))
    views = _views_differ(report)
    if views:
        sentences.append(views)
    sentences.append(_first_step(report))
    return tuple(sentences)


def _standing(report: Report, words: Words) -> str:
    overall = words.result.overall
    if overall.level is None:
        return f"{report.organisation} could not be scored overall: too few questions were answered."
    text = f"{report.organisation} is at {words.level(overall.level)} overall"
    if overall.gap is not None and overall.target is not None:
        if overall.gap > 0:
            levels = f"{number_word(overall.gap)} level{'s' if overall.gap > 1 else ''}"
            text += f", {levels} below its target of {words.level(overall.target)}"
        elif overall.gap == 0:
            text += ", which is its target"
        else:
            text += f", above its target of {words.level(overall.target)}"
    rule = next((words.rules[a.rule] for a in overall.trace.adjustments if a.applied and a.rule in words.rules), None)
    if rule is not None:
        text += f"; {_lower_first(rule_sentence(rule, words.rubric))}"
        facts = words.now(rule, overall)
        if facts:
            text += f", and {_joined(facts)}"
    return text + "."


def _peers_and_history(report: Report) -> str:
    parts = []
    compared = [p for p in report.peers if p.median is not None and p.value is not None]
    if compared:
        above = sum(1 for p in compared if p.value is not None and p.median is not None and p.value > p.median)
        below = sum(1 for p in compared if p.value is not None and p.median is not None and p.value < p.median)
        parts.append(f"Against {report.peer_group}, it is {peer_position(above, below, len(compared))}")
    if report.changes:
        improved = [c.title for c in report.changes if c.direction == "improved"]
        declined = [c.title for c in report.changes if c.direction == "declined"]
        since = report.history_dates_text[-2] if len(report.history_dates_text) >= 2 else "the last assessment"
        if improved or declined:
            total = len(report.changes)
            moved = [
                _moved(titles, total, verb)
                for titles, verb in ((improved, "clearly improved"), (declined, "clearly declined"))
                if titles
            ]
            change = f"since {since}, {' and '.join(moved)}"
            if len(improved) + len(declined) < total:
                change += ", and the others show no clear change"
        else:
            change = f"since {since}, no domain has clearly improved or declined"
        parts.append(change)
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _moved(titles: Sequence[str], total: int, verb: str) -> str:
    if len(titles) == total:
        return f"all {number_word(total)} domains {verb}"
    if len(titles) > 3:
        return f"{number_word(len(titles))} of the {number_word(total)} domains {verb}"
    return f"{_joined(titles)} {verb}"


def _what_matters(report: Report, words: Words) -> str:
    weakest = words.weakest()
    if weakest is None:
        return "Every domain has reached its target."
    focus = list(dict.fromkeys(item.domain for item in report.gap_items))[:2]
    # "and in": domain titles have "and" of their own ("Culture and staff engagement").
    text = f"The gaps that matter most are in {' and in '.join(focus)}"
    if weakest.title not in focus:
        text += f"; {weakest.title} is the weakest area, at {words.level(weakest.level)}"
    else:
        others = [d.level for d in words.result.domains if d.id != weakest.id and d.level is not None]
        if weakest.level is not None and others and weakest.level < min(others):
            text += f"; {weakest.title} is the weakest area, at {words.level(weakest.level)}"
    return text + "."


def _views_differ(report: Report) -> str:
    widest: tuple[float, str, str, str] | None = None
    for d in report.domains:
        for g in d.gaps:
            if g.flagged and (widest is None or abs(g.gap) > widest[0]):
                higher, lower = (g.group_a, g.group_b) if g.gap > 0 else (g.group_b, g.group_a)
                widest = (abs(g.gap), d.title, higher, lower)
    if widest is None:
        return ""
    gap, title, higher, lower = widest
    names = dict(report.group_names)
    return (
        f"Views differ most on {title}, which the {names.get(higher, higher)} rate {how_much(gap)} higher than the "
        f"{names.get(lower, lower)} do."
    )


def _first_step(report: Report) -> str:
    if not report.plan:
        return "No improvement cycle is proposed: keep the gains, and reassess."
    first = report.plan[0]
    # The first cycle's step itself: the cycle's plan line (owner, baseline, prediction) is for its page, not
    # for a sentence read aloud.
    step = (first.path[0].step if first.path else "").strip()
    who = f", led by the {_lower_first(first.owner)}" if first.owner else ""
    return f"Start with {first.domain}{who}: {_lower_first(step)}." if step else f"Start with {first.domain}."


def peer_position(above: int, below: int, compared: int) -> str:
    """Where an organisation's domains stand against its peers' medians, in words: ``above`` of the ``compared``
    domains above the median, ``below`` under it (the rest on it). A count of none is said as such, never as
    "in no of its nine domains"."""
    if above == compared:
        return f"in the upper half in all {number_word(compared)} of its domains"
    if below == compared:
        return f"in the lower half in all {number_word(compared)} of its domains"
    if above == 0:
        lower = f"in the lower half in {number_word(below)} of its {number_word(compared)} domains"
        return f"{lower} and in the upper half in none"
    upper = f"in the upper half in {number_word(above)} of its {number_word(compared)} domains"
    return (
        f"{upper} and in the lower half in none"
        if below == 0
        else f"{upper} and in the lower half in {number_word(below)}"
    )


def peer_group_name(group_by: str | None, key: str, everyone: str, count: int) -> str:
    """A peer group as a reader names it: "all organisations compared", "acute organisations", "organisations in
    the North East region", never a bare slug (the report gives its size beside it)."""
    if group_by is None or key == everyone:
        return "all organisations compared"
    words = key.replace("-", " ").replace("_", " ").strip()
    if group_by == "type":
        return f"{words} organisations"
    if group_by == "region":
        return f"organisations in the {words.title()} region"
    field = group_by.removeprefix("metadata.").replace("_", " ")
    return f"organisations whose {field} is {words}"
