"""Terminal views of a rubric (rich). Rubric text is always shown as plain text, never as markup."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from .model import Question, Rubric
from .wording import rule_text, scoring_lines


def _line(label: str, value: str, style: str = "bold") -> Text:
    text = Text()
    text.append(label, style=style)
    text.append(value)
    return text


def _question_flags(question: Question) -> str:
    flags = [f"weight {question.weight:g}"]
    if question.critical:
        flags.append("critical")
    if question.na_allowed:
        flags.append("N/A allowed" + (" with justification" if question.na_justification else ""))
    if question.evidence_from is not None:
        flags.append(f"evidence from level {question.evidence_from}")
    if question.stage is not None:
        flags.append(f"stage {question.stage}")
    if question.target is not None:
        flags.append(f"target {question.target}")
    if question.respondents:
        flags.append("answered by " + ", ".join(question.respondents))
    return "; ".join(flags)


def rubric_tree(rubric: Rubric, *, domain_id: str | None = None, levels: bool = True) -> Tree:
    """A rich tree of the rubric, or of one domain of it."""
    root = Tree(_line(f"{rubric.title} ", f"({rubric.id} {rubric.version})"))
    if domain_id is None:
        if rubric.description:
            root.add(Text(rubric.description, style="italic"))
        scale = root.add(Text("Levels", style="bold"))
        for level in rubric.levels:
            scale.add(_line(f"{level.value} {level.name}: ", level.descriptor))
        if rubric.respondent_groups:
            groups = root.add(Text("Respondent groups", style="bold"))
            for group in rubric.respondent_groups:
                groups.add(_line(f"{group.id}: ", group.name))
        scoring = root.add(Text("Scoring", style="bold"))
        for line in scoring_lines(rubric):
            scoring.add(Text(line))
        if rubric.bands:
            bands = root.add(Text(f"Bands (on {rubric.bands.on})", style="bold"))
            for band in rubric.bands.items:
                bands.add(_line(f"{band.name}: ", f"{band.lower:g} to {band.upper:g}"))
        if rubric.rules:
            rules = root.add(Text("Rules", style="bold"))
            for rule in rubric.rules:
                rules.add(_line(f"{rule.id} ({rule.type}): ", rule_text(rule)))
    for domain in rubric.domains:
        if domain_id is not None and domain.id != domain_id:
            continue
        target = domain.target if domain.target is not None else rubric.default_target
        extra = f"weight {domain.weight:g}" + (f", target {target}" if target is not None else "")
        branch = root.add(_line(f"{domain.title} ", f"[{domain.id}; {extra}]"))
        for question in domain.questions:
            node = branch.add(_line(f"{question.id}: ", question.text))
            node.add(Text(_question_flags(question), style="dim"))
            if not levels:
                continue
            for entry in question.levels:
                item = node.add(_line(f"{entry.level}: ", entry.descriptor, style="cyan"))
                if entry.next_step:
                    item.add(_line("next step: ", entry.next_step, style="green"))
    return root
