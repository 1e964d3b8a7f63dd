"""A starter rubric: valid as it stands, with a comment teaching each key, for an author to fill in.

``qimaturity rubric new NAME --domains D --levels L`` writes it. Every key the author must write is there with a
placeholder that says what to put in it; the optional keys are there as comments, each with what it does and an
example, so that the file is also a short guide to the format (docs/rubric-format.md is the full one).
"""

from __future__ import annotations

import re
from typing import Any

from qimaturity._core.documents import parse_yaml
from qimaturity._core.problems import OptionError
from qimaturity.rubric.checks import ID_HINT, check_rubric_document

MAX_DOMAINS = 30
MAX_LEVELS = 10
MAX_QUESTIONS = 20
_ID = re.compile(r"[a-z][a-z0-9]*([-_.][a-z0-9]+)*\Z")
# Level names by the size of the scale, lowest first; a longer scale is numbered.
_NAMES = {
    2: ("Not in place", "In place"),
    3: ("Not started", "Developing", "Established"),
    4: ("Not started", "Emerging", "Developing", "Embedded"),
    5: ("Not started", "Emerging", "Developing", "Embedded", "Exemplary"),
    6: ("Not started", "Planned", "Emerging", "Developing", "Embedded", "Exemplary"),
    7: ("Not started", "Planned", "Emerging", "Developing", "Established", "Embedded", "Exemplary"),
}


def _check(name: str, domains: int, levels: int, questions: int) -> None:
    if not isinstance(name, str) or not _ID.match(name):
        raise OptionError(
            f"'{name}' is not a rubric id ({ID_HINT}, starting with a letter), e.g. ward-qi-check", "NAME"
        )
    for option, value, low, high, what in (
        ("--domains", domains, 1, MAX_DOMAINS, "domains"),
        ("--levels", levels, 2, MAX_LEVELS, "levels"),
        ("--questions", questions, 1, MAX_QUESTIONS, "questions a domain"),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            why = {
                "--levels": "a scale needs at least two levels to tell anything apart",
                "--domains": "a rubric needs at least one domain",
                "--questions": "a domain needs at least one question",
            }[option]
            raise OptionError(f"{value}: give {low} to {high} {what} ({why})", option)


def level_names(count: int) -> tuple[str, ...]:
    """The starter's level names for a scale of ``count`` levels."""
    return _NAMES.get(count) or tuple(f"Level {value}" for value in range(1, count + 1))


def new_rubric(name: str, *, domains: int = 4, levels: int = 5, questions: int = 2) -> str:
    """The text of a valid, commented starter rubric: ``domains`` domains of ``questions`` questions each, on a
    scale of ``levels`` levels numbered from 1. Raises :class:`OptionError` (naming the option) for a ``name``
    that is not an id, or a count out of range (1 to 30 domains, 2 to 10 levels, 1 to 20 questions a domain)."""
    _check(name, domains, levels, questions)
    names = level_names(levels)
    top = levels
    target = levels - 1 if levels > 2 else levels
    title = name.replace("-", " ").replace("_", " ").replace(".", " ")
    title = title[:1].upper() + title[1:]
    lines: list[str] = [
        "# yaml-language-server: $schema=schemas/rubric.schema.json",
        "# (With that first line, an editor that speaks YAML completes and checks keys as you type; make the path",
        "# point at schemas/rubric.schema.json from wherever this file lives.)",
        "#",
        f"# A starter rubric made by: qimaturity rubric new {name} --domains {domains} --levels {levels}"
        + (f" --questions {questions}" if questions != 2 else ""),
        "# It is valid as it stands: replace each placeholder with your own words, then check it with",
        f"#   qimaturity validate {name}.yaml",
        "# and try it on answers with: qimaturity score THIS.yaml ANSWERS.yaml. docs/rubric-format.md describes every",
        "# key; optional keys are shown below as comments: remove the '# ' to use one.",
        "",
        "# The rubric's id: lower-case letters and digits, words joined by '-', '_' or '.'. Results record it.",
        f"id: {name}",
        "# MAJOR.MINOR or MAJOR.MINOR.PATCH, in quotes. Change it whenever the content changes: results of",
        "# different versions are not compared without saying so.",
        'version: "0.1.0"',
        "# A short name, shown on reports.",
        f"title: {title}",
        "# What the rubric assesses and how to read its results.",
        "description: Replace this with what the rubric assesses, for whom, and how its results are read.",
        "# The licence of the rubric's text, e.g. CC-BY-4.0 (optional).",
        "licence: CC-BY-4.0",
        "# Who wrote it (optional).",
        "authors:",
        "  - Replace with the authors' names",
        "",
        "# Citations that questions refer to by id (optional).",
        "# sources:",
        "#   - id: drew-pandit-2020",
        "#     citation: Drew JR, Pandit M. Why healthcare leadership should embrace quality improvement. BMJ 2020.",
        "#     url: https://doi.org/10.1136/bmj.m872",
        "",
        "# External frameworks that questions are mapped to with tags (optional); with codes, tags must use them.",
        "# frameworks:",
        "#   - id: nhs-impact",
        "#     title: NHS IMPACT components",
        "#     codes:",
        "#       leadership-behaviours: Developing leadership behaviours",
        "",
        f"# The level scale, lowest first: every question describes each of these {levels} levels. Values are whole",
        f"# numbers, strictly increasing; elsewhere a level is written as its value (target: {target}).",
        "levels:",
    ]
    for value, level_name in enumerate(names, start=1):
        lines += [
            f"  - value: {value}",
            f"    name: {level_name}",
            f"    descriptor: Replace with what an organisation at level {value} ({level_name}) looks like.",
        ]
    lines += [
        "",
        "# Whether questions may be answered N/A (not applicable) and whether N/A needs a reason; a question may",
        "# override this with its own not_applicable. counts_as says how N/A counts: exclude (the default), met,",
        "# lowest or target.",
        "not_applicable:",
        "  allowed: false",
        "  justification: true",
        "",
        "# Groups of respondents whose views are compared (optional). Without groups, anyone answers everything;",
        "# with them, a question's respondents: [board] says who is asked it.",
        "# respondent_groups:",
        "#   - id: board",
        "#     name: Board members",
        "#   - id: frontline",
        "#     name: Frontline staff",
        "",
        "# The level the organisation aims for, for every domain and question (each may set its own target).",
        "targets:",
        f"  default: {target}",
        "",
        "# The domains, each a group of questions. Question ids are unique across the whole rubric.",
        "domains:",
    ]
    for d in range(1, domains + 1):
        lines += [
            f"  - id: domain-{d}",
            f"    title: Domain {d}",
            f"    description: Replace with what domain {d} covers.",
            "    # weight: 2      # the domain's weight in the overall result (default 1)",
            "    # weight_rationale: Replace with why the domain counts more (or less) than 1, in a sentence.",
            f"    # target: {target}      # the domain's own target level",
            "    questions:",
        ]
        for q in range(1, questions + 1):
            qid = f"d{d}-q{q}"
            lines += [
                f"      - id: {qid}",
                f"        text: Replace with question {d}.{q} as respondents will read it.",
                "        help: Replace with what to look at, and what counts, when answering.",
                "        weight: 1                  # its weight within the domain (default 1)",
            ]
            if d == 1 and q == 1:
                lines += [
                    "        # measure: How to tell that a next step worked (reviewed at 30, 60 and 90 days).",
                    "        # critical: true           # a critical item: rules can cap its domain on it",
                    "        # critical_rationale: Replace with why this question may cap its domain, in a sentence.",
                    f"        # target: {target}                # this question's own target level",
                    f"        # evidence_from: {top}         # answers at level {top} must cite evidence",
                    "        # not_applicable: {allowed: true}   # this question may be answered N/A",
                    "        # respondents: [board]     # only these respondent groups are asked it",
                    "        # The question and its help in a group's own words, on that group's questionnaire:",
                    "        # wording: {board: Replace with the question as the board is asked it.}",
                    "        # help_for: {board: Replace with what the board should look at.}",
                    "        # sources: [drew-pandit-2020]",
                    "        # tags: {nhs-impact: [leadership-behaviours]}",
                    "        # One entry per level of the scale, in order: what this question looks like at that",
                    "        # level and (on every level but the top) the next step to the level above: small, owned",
                    "        # and measurable.",
                ]
            lines.append("        levels:")
            for value, level_name in enumerate(names, start=1):
                lines += [
                    f"          - level: {value}",
                    f"            descriptor: Replace with question {d}.{q} at level {value} ({level_name}).",
                ]
                if value < top:
                    lines.append(
                        f"            next_step: Replace with one small step from level {value} to level {value + 1}."
                    )
                    if d == 1 and q == 1 and value == 1:
                        lines += [
                            "            # measure: Replace with how to check, 30 days on, that the step is happening.",
                            "            # owner: Replace with the role that owns the step, e.g. Ward manager.",
                        ]
        if d < domains:
            lines.append("")
    lines += [
        "",
        "# How answers become values and levels. Every key is optional; these are the defaults.",
        "scoring:",
        "  respondents:",
        "    aggregate: median            # median | mean | min | max: how respondents' answers combine",
        "  questions: weighted_mean       # how question values make a domain's value",
        "  domains: weighted_mean         # how domain values make the overall value",
        "  level_from_value: floor        # floor: a level counts once fully reached | round: the nearest level",
        "  not_applicable: exclude        # how N/A answers count: left out, the other weights renormalised",
        "  missing: error                 # an unanswered question: error | exclude | count_as_lowest",
        "",
        "# Named bands over the values (optional): they must cover the scale without gaps or overlaps, each from",
        "# its 'from' up to (not including) its 'to', the last one closed.",
        "# bands:",
        '#   "on": value',
        "#   items:",
    ]
    middle = 1 + (levels - 1) / 2
    shown = f"{middle:g}"
    lines += [
        f"#     - {{id: early, name: Early, from: 1, to: {shown}}}",
        f"#     - {{id: advanced, name: Advanced, from: {shown}, to: {levels}}}",
        "",
        "# Rules, applied in order after the scores (optional): a cap holds a level down while a condition holds; a",
        "# gate keeps a level out of reach until a condition holds; a staged rule counts a stage only when",
        "# everything up to it is met.",
        "# rules:",
        "#   - id: no-weak-domain",
        "#     type: gate",
        "#     scope: overall",
        f"#     level: {top}",
        f"#     requires: {{count: domains, level_below: {max(1, top - 1)}, at_most: 0}}",
        f"#     description: No overall level {top} while a domain is below level {max(1, top - 1)}.",
    ]
    text = "\n".join(lines) + "\n"
    _ensure_valid(text, name)
    return text


def _ensure_valid(text: str, name: str) -> None:
    """The starter must validate: a starter that does not would be a bug of ours, not the user's."""
    problems: list[Any] = check_rubric_document(parse_yaml(text, f"{name}.yaml"))
    if problems:
        raise AssertionError("the starter rubric does not validate: " + "; ".join(map(str, problems)))
