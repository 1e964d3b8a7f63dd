"""A result's traces as readable text: which answers, which rule, which arithmetic."""

from __future__ import annotations

from typing import Any

from qimaturity._core.numbers import signed, trace_number
from qimaturity.scoring.result import (
    DomainResult,
    OverallResult,
    PerceptionGap,
    Priority,
    QuestionResult,
    Result,
    Trace,
)


def _band(node: DomainResult | OverallResult) -> str:
    return f", band {node.band.name} ({node.band.third} third)" if node.band else ""


def _target(target: int | None, gap: int | None) -> str:
    if target is None:
        return ""
    return f"; target {target}, gap {gap}" if gap is not None else f"; target {target}"


def _gaps(gaps: tuple[PerceptionGap, ...]) -> list[str]:
    return [
        f"perception gap {g.group_a} - {g.group_b}: {trace_number(g.value_a)} - {trace_number(g.value_b)} = "
        f"{signed(g.gap)}" + (" (flagged)" if g.flagged else "")
        for g in gaps
    ]


def _trace(trace: Trace, indent: str) -> list[str]:
    lines = [f"{indent}method: {trace.method}", f"{indent}arithmetic: {trace.arithmetic}"]
    for adjustment in trace.adjustments:
        mark = "applied" if adjustment.applied else "checked"
        rule = f" {adjustment.rule}" if adjustment.rule else ""
        lines.append(f"{indent}{adjustment.kind}{rule} ({mark}): {adjustment.description}")
    return lines


def _priority(priority: Priority, indent: str, head: str = "") -> list[str]:
    """A priority's next step with its measure and owner, where the rubric gives them."""
    towards = f" towards {priority.next_level}" if priority.next_level is not None else ""
    lines = [
        f"{indent}{head or f'priority {priority.rank}'}: from level {priority.level}{towards} (target "
        f"{priority.target}), next step: {priority.next_step or 'none given'}"
    ]
    if priority.measure:
        lines.append(f"{indent}  measure: {priority.measure}")
    if priority.owner:
        lines.append(f"{indent}  owner: {priority.owner}")
    return lines


def explain_question(question: QuestionResult, priority: Priority | None = None) -> list[str]:
    """A question's answers and arithmetic; ``priority``: its place in the improvement priorities, if it has one."""
    if question.level is None:
        head = f"Question {question.id}: not counted ({question.status})"
    else:
        head = f"Question {question.id}: level {question.level}, value {trace_number(question.value)}"
    lines = [head + _target(question.target, question.gap) + (" [critical]" if question.critical else "")]
    for answer in question.answers:
        group = f" ({answer.group})" if answer.group else ""
        if answer.level is None:
            given = "N/A" + (f" - {answer.justification}" if answer.justification else "")
        else:
            given = str(answer.level)
            if answer.counted_level != answer.level:
                given += f" -> counted {answer.counted_level}"
        evidence = f" [evidence: {'; '.join(answer.evidence)}]" if answer.evidence else ""
        lines.append(f"  answer {answer.respondent}{group}: {given}{evidence}")
    lines.extend(_trace(question.trace, "  "))
    if question.agreement is not None:
        verdict = " - respondents disagreed" if question.disagreement else ""
        within = f", lowest within a group: {question.agreement_group}" if question.agreement_group else ""
        lines.append(f"  agreement r_wg = {trace_number(question.agreement)}{within}{verdict}")
    for view in question.by_group:
        within = f", r_wg {trace_number(view.agreement)}" if view.agreement is not None else ""
        lines.append(f"  group {view.group}: {trace_number(view.value)} from {view.respondents} respondent(s){within}")
    for hidden in question.suppressed_groups:
        lines.append(f"  group {hidden.group}: {hidden.reason}, not shown")
    lines.extend("  " + line for line in _gaps(question.perception_gaps))
    if priority is not None:
        lines.extend(_priority(priority, "  "))
    return lines


def explain_domain(domain: DomainResult, *, questions: bool = True, priorities: tuple[Priority, ...] = ()) -> list[str]:
    if domain.value is None:
        head = f"Domain {domain.id} ({domain.title}): not counted, every question left out"
    elif domain.level is None:
        total = trace_number(domain.value)
        head = f"Domain {domain.id} ({domain.title}): total {total}{_band(domain)} (a total has no level)"
    else:
        head = (
            f"Domain {domain.id} ({domain.title}): level {domain.level} ({domain.level_name}), "
            f"value {trace_number(domain.value)}{_band(domain)}"
        )
    lines = [head + _target(domain.target, domain.gap)]
    lines.extend(_held(domain))
    if domain.points is not None:
        lines.append(f"  points: {trace_number(domain.points)} of {trace_number(domain.max_points)}")
    lines.extend(_trace(domain.trace, "  "))
    lines.extend("  " + line for line in _gaps(domain.perception_gaps))
    if questions:
        ranked = {p.question_id: p for p in priorities}
        for question in domain.questions:
            lines.extend("  " + line for line in explain_question(question, ranked.get(question.id)))
    return lines


def explain_overall(overall: OverallResult) -> list[str]:
    if overall.value is None:
        lines = ["Overall: not counted"]
    elif overall.level is None:
        lines = [f"Overall: total {trace_number(overall.value)}{_band(overall)} (a total has no level)"]
    else:
        value = trace_number(overall.value)
        lines = [f"Overall: level {overall.level} ({overall.level_name}), value {value}{_band(overall)}"]
    lines[0] += _target(overall.target, overall.gap)
    lines.extend(_held(overall))
    if overall.points is not None:
        lines.append(f"  points: {trace_number(overall.points)} of {trace_number(overall.max_points)}")
    lines.extend(_trace(overall.trace, "  "))
    return lines


def _held(node: DomainResult | OverallResult) -> list[str]:
    """``3.79, held at level 3 by: RULE (its value alone gives level 4)``: rules hold levels, never values."""
    if node.held_level is None or node.value is None:
        return []
    words = f"  {trace_number(node.value)}, held at level {node.held_level} by: {', '.join(node.held_by)}"
    if node.raw_level is not None and node.raw_level != node.held_level:
        words += f" (its value alone gives level {node.raw_level})"
    else:
        words += " (its value alone gives that level too: the rule keeps it from rising)"
    return [words]


def explain(result: Result, *, domain_id: str | None = None, question_id: str | None = None) -> str:
    """The trace of a result (or of one domain or question of it) as text."""
    title = f"{result.organisation.name} - {result.rubric.id} {result.rubric.version}"
    if result.date:
        title += f" - {result.date}"
    lines = [title]
    ranked = {p.question_id: p for p in result.priorities}
    if question_id is not None:
        lines.extend(explain_question(result.question(question_id), ranked.get(question_id)))
    elif domain_id is not None:
        lines.extend(explain_domain(result.domain(domain_id), priorities=result.priorities))
    else:
        lines.extend(explain_overall(result.overall))
        for domain in result.domains:
            lines.extend(explain_domain(domain, questions=False))
        if result.priorities:
            lines.append("Improvement priorities (critical items first, then weight x domain weight x gap):")
            for p in result.priorities:
                lines.extend(_priority(p, "  ", f"{p.rank}. {p.question_id}" + (" [critical]" if p.critical else "")))
    if result.projection is not None:
        changes = ", ".join(f"{q}={lv}" for q, lv in result.projection.changes.items())
        lines.append(f"What if {changes}:")
        lines.extend("  " + line for line in explain_overall(result.projection.overall))
    return "\n".join(lines) + "\n"


def explanation(result: Result, *, domain_id: str | None = None, question_id: str | None = None) -> dict[str, Any]:
    """What :func:`explain` says, as data (``qimaturity explain --format json``; ``schemas/explain.schema.json``):
    the result's rubric, organisation and date; ``scope`` (``overall``, ``domain`` or ``question``); the nodes of
    that scope as ``Result.to_dict`` writes them, each with its trace (the whole result: the overall node, the
    domains without their questions and every priority; a domain: that domain with its questions and its
    priorities; a question: that question and its priority); the what-if projection; and ``text``, the
    explanation as :func:`explain` words it."""
    data = result.to_dict()
    scope = "question" if question_id is not None else "domain" if domain_id is not None else "overall"
    domains: list[dict[str, Any]] = []
    question = None
    priorities = data["priorities"]
    if scope == "overall":
        domains = [{**d, "questions": []} for d in data["domains"]]
    elif scope == "domain":
        domains = [d for d in data["domains"] if d["id"] == domain_id]
        priorities = [p for p in priorities if p["domain_id"] == domain_id]
    else:
        question = next(q for d in data["domains"] for q in d["questions"] if q["id"] == question_id)
        priorities = [p for p in priorities if p["question_id"] == question_id]
    return {
        "engine": data["engine"],
        "rubric": data["rubric"],
        "organisation": data["organisation"],
        "date": data["date"],
        "scope": scope,
        "overall": data["overall"] if scope == "overall" else None,
        "domains": domains,
        "question": question,
        "priorities": priorities,
        "projection": data["projection"],
        "text": explain(result, domain_id=domain_id, question_id=question_id),
    }
