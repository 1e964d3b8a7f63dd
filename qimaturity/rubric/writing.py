"""A rubric document written as a rubric file: readable YAML, keys in the order of the format.

A rubric read from a workbook (:mod:`qimaturity.rubric.workbook`) or built in a notebook is plain data; written
here, it reads like the bundled rubrics: the metadata first, then sources, frameworks, the scale, groups, targets,
the domains with their questions (a blank line between questions), the scoring policy, bands and rules; short lists
of ids, tags, evidence and conditions on one line in flow style; long text folded at 116 characters; the version
in quotes. :func:`rubric_yaml` reads its own text back and refuses to return one that does not give the same data,
to the type (``2`` and ``2.0`` differ).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from qimaturity.rubric.checks import CONDITION_HEADS

WIDTH = 116
"""Where long text is folded, and the widest line a flow list or mapping may make."""

# The keys of each kind of mapping in a rubric, in the order the format's documentation and the bundled rubrics
# give them. A key not listed (a newer format's) keeps its place after these.
KEY_ORDER: dict[str, tuple[str, ...]] = {
    "rubric": (
        "id",
        "version",
        "title",
        "description",
        "licence",
        "authors",
        "fhir",
        "sources",
        "frameworks",
        "levels",
        "not_applicable",
        "respondent_groups",
        "targets",
        "domains",
        "scoring",
        "bands",
        "rules",
        "migrations",
    ),
    "fhir": ("canonical",),
    "source": ("id", "citation", "url"),
    "framework": ("id", "title", "url", "codes"),
    "level": ("value", "name", "descriptor"),
    "not_applicable": ("allowed", "justification", "counts_as"),
    "respondent_group": ("id", "name", "description", "weight", "weight_rationale"),
    "targets": ("default",),
    "domain": ("id", "title", "description", "weight", "weight_rationale", "target", "stage", "questions"),
    "question": (
        "id",
        "text",
        "short_title",
        "wording",
        "help",
        "help_for",
        "measure",
        "weight",
        "weight_rationale",
        "critical",
        "critical_rationale",
        "target",
        "stage",
        "evidence_from",
        "evidence",
        "not_applicable",
        "respondents",
        "sources",
        "tags",
        "levels",
    ),
    "evidence": ("from_level", "groups"),
    "question_level": ("level", "descriptor", "next_step", "measure", "owner"),
    "scoring": (
        "respondents",
        "questions",
        "domains",
        "level_from_value",
        "minimal_important_difference",
        "not_applicable",
        "missing",
        "evidence",
    ),
    "scoring_respondents": (
        "aggregate",
        "even_median",
        "pooling",
        "agreement_threshold",
        "agreement_min_respondents",
        "min_group_size",
        "compare",
        "gap_threshold",
    ),
    "scoring_evidence": ("on_missing", "max_age_days"),
    "bands": ("on", "items"),
    "band": ("id", "name", "from", "to", "description"),
    "rule": (
        "id",
        "type",
        "scope",
        "domains",
        "max_level",
        "level",
        "met_at",
        "stages_of",
        "when",
        "requires",
        "description",
        "sentence",
    ),
    "migration": ("from", "note", "comparable", "questions", "domains"),
    "question_map": ("old", "new", "combine", "levels", "dropped"),
    "migration_domain": ("comparable", "note", "old"),
    "condition": (
        *CONDITION_HEADS[:4],
        "level_below",
        "level_at",
        "level_at_least",
        "below",
        "at_least",
        "at_most",
        *CONDITION_HEADS[4:],
    ),
}

# What each key of a kind holds: (kind of its items, "list" | "map" | "one"), for the keys that hold mappings.
_CHILDREN: dict[tuple[str, str], tuple[str, str]] = {
    ("rubric", "fhir"): ("fhir", "one"),
    ("rubric", "sources"): ("source", "list"),
    ("rubric", "frameworks"): ("framework", "list"),
    ("rubric", "levels"): ("level", "list"),
    ("rubric", "not_applicable"): ("not_applicable", "one"),
    ("rubric", "respondent_groups"): ("respondent_group", "list"),
    ("rubric", "targets"): ("targets", "one"),
    ("rubric", "domains"): ("domain", "list"),
    ("rubric", "scoring"): ("scoring", "one"),
    ("rubric", "bands"): ("bands", "one"),
    ("rubric", "rules"): ("rule", "list"),
    ("domain", "questions"): ("question", "list"),
    ("question", "evidence"): ("evidence", "one"),
    ("question", "not_applicable"): ("not_applicable", "one"),
    ("question", "levels"): ("question_level", "list"),
    ("scoring", "respondents"): ("scoring_respondents", "one"),
    ("scoring", "evidence"): ("scoring_evidence", "one"),
    ("bands", "items"): ("band", "list"),
    ("rubric", "migrations"): ("migration", "list"),
    ("migration", "questions"): ("question_map", "list"),
    ("rule", "when"): ("condition", "one"),
    ("rule", "requires"): ("condition", "one"),
    ("condition", "all"): ("condition", "list"),
    ("condition", "any"): ("condition", "list"),
    ("condition", "not"): ("condition", "one"),
}
# Mappings written on one line when they fit: a question's evidence, N/A and tags, a rule's condition.
_FLOW_MAPPINGS = {("question", "evidence"), ("question", "not_applicable"), ("question", "tags")}


def arranged(data: Any, kind: str = "rubric") -> Any:
    """A copy of a rubric document (or of one of its parts, of ``kind``) with every mapping's keys in the format's
    order; values are not changed."""
    if isinstance(data, list):
        return [arranged(item, kind) for item in data]
    if not isinstance(data, Mapping):
        return data
    order = KEY_ORDER.get(kind, ())
    keys = sorted(data, key=lambda key: order.index(key) if key in order else len(order))
    result: dict[str, Any] = {}
    for key in keys:
        child = _CHILDREN.get((kind, key))
        result[key] = arranged(data[key], child[0]) if child else data[key]
    return result


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line."""


class _FlowList(list):  # type: ignore[type-arg]
    """A list written on one line."""


class _Quoted(str):
    """Text written in double quotes (the version: unquoted, ``1.0`` would read as a number)."""


class _Expression(str):
    """An expression, in quotes as the format's documentation writes them (single quotes when it holds double)."""


class _Dumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, as the bundled rubrics are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _Folded(str):
    """Text too long for its line, folded (``>-``); PyYAML falls back to quotes where folding cannot keep it."""


class _Literal(str):
    """Text of several lines, kept as lines (``|-``)."""


_Dumper.add_representer(_Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|"))
_Dumper.add_representer(_Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">"))
_Dumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))
_Dumper.add_representer(
    _Expression,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="'" if '"' in v else '"'),
)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _one_line(value: Any) -> str:
    text: str = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.strip()


def _scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list)


def _styled(value: Any, kind: str, key: str, indent: int) -> Any:
    """The value of ``key`` in a mapping of ``kind``, marked for flow style where it is short and simple."""
    child = _CHILDREN.get((kind, key))
    room = WIDTH - indent - len(key) - 2
    if kind == "question_map" and key == "levels" and isinstance(value, Mapping):
        # Old levels as the numbers they are (the reader keeps a key as text: "1"), on one line.
        return _Flow({int(k) if isinstance(k, str) and re.fullmatch(r"-?\d+", k) else k: v for k, v in value.items()})
    if kind == "question_map" and key in ("old", "new") and isinstance(value, list):
        return _FlowList(value)
    if kind == "migration" and key == "from":  # versions in quotes, as the rubric's own
        return _FlowList(_Quoted(v) for v in value) if isinstance(value, list) else _Quoted(value)
    if kind == "migration" and key == "domains" and isinstance(value, Mapping):
        return {k: _flow_if_fits(v, WIDTH - indent - len(str(k)) - 12) for k, v in value.items()}
    if isinstance(value, list):
        if child is None:
            if all(_scalar(item) for item in value) and len(_one_line(value)) <= room:
                return _FlowList(value)
            return [_styled_item(item, indent + 2) for item in value]
        if child[0] == "condition":
            return [_condition(item, indent + 4, WIDTH - indent - 4) for item in value]
        if child[0] == "question_map":  # a map's entries, each on one line where it fits
            return [_flow_if_fits(_styled_mapping(item, child[0], indent + 4), WIDTH - indent - 16) for item in value]
        return [_styled_mapping(item, child[0], indent + 4) for item in value]
    if isinstance(value, Mapping):
        if child is not None and child[0] == "condition":
            return _condition(value, indent + 2, room)
        if (kind, key) in _FLOW_MAPPINGS and len(_one_line(dict(value))) <= room:
            return _Flow(value)
        if child is not None:
            return _styled_mapping(value, child[0], indent + 2)
        return {k: _styled(v, kind + "." + key, k, indent + 2) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    if kind == "rubric" and key == "version":
        return _Quoted(value)
    if kind == "condition" and key == "expression":
        return _Expression(value)
    if "\n" in value and value == value.strip():
        return _Literal(value)
    if indent + len(key) + 2 + len(value) > WIDTH and " " in value and "\n" not in value and value == value.strip():
        return _Folded(value)
    return value


def _condition(value: Any, indent: int, room: int) -> Any:
    """A condition on one line where it fits (``{critical_below: 3}``), else a block of conditions that do."""
    if not isinstance(value, Mapping):
        return value
    styled = _styled_mapping(value, "condition", indent)
    return _Flow(styled) if len(_one_line(dict(styled))) <= room else styled


def _flow_if_fits(value: Any, room: int) -> Any:
    if isinstance(value, Mapping) and len(_one_line(dict(value))) <= room:
        return _Flow(value)
    return value


def _styled_item(value: Any, indent: int) -> Any:
    """An item of a list of lists (scoring.respondents.compare's pairs), on one line where it fits."""
    if isinstance(value, list) and all(_scalar(item) for item in value) and len(_one_line(value)) <= WIDTH - indent:
        return _FlowList(value)
    return value


def _styled_mapping(value: Any, kind: str, indent: int) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {key: _styled(item, kind, key, indent) for key, item in value.items()}


def _dump(value: Any, prefix: str = "") -> str:
    # PyYAML folds a line once it passes the width, at the next space: a few characters of margin.
    width = WIDTH - len(prefix) - 8
    text: str = yaml.dump(
        value, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True, width=width
    )
    if not prefix:
        return text
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def _exactly(data: Any) -> str:
    """Data in a form where ``2`` and ``2.0``, ``1`` and ``true`` differ."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


def rubric_yaml(document: Mapping[str, Any], *, comment: str | None = None) -> str:
    """A rubric document as the text of a rubric file: readable YAML, keys in the order of the format (see the
    module's documentation). ``comment`` (one line or several) opens the file as ``#`` lines.

    The text is read back before it is returned, and must give the same data (keys aside, to the type)."""
    data = arranged(dict(document))
    styled = _styled_mapping(data, "rubric", 0)
    parts: list[str] = []
    head = {key: styled[key] for key in ("id", "version", "title", "description", "licence", "authors") if key in data}
    if head:
        parts.append(_dump(head))
    for key, value in styled.items():
        if key in head:
            continue
        if key == "domains" and isinstance(value, list) and all(isinstance(d, Mapping) for d in value):
            parts.append("domains:\n" + "\n".join(_domain(domain) for domain in value))
        else:
            parts.append(_dump({key: value}))
    text = "\n".join(parts)
    if comment:
        text = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines()) + "\n" + text
    if _exactly(yaml.safe_load(text)) != _exactly(data):
        # A text PyYAML styles in a way it cannot read back as it was: the plain form keeps it.
        text = _dump(data)
        if _exactly(yaml.safe_load(text)) != _exactly(data):
            raise ValueError("the rubric cannot be written as YAML that reads back the same")
    return text


def _domain(domain: Mapping[str, Any]) -> str:
    """One domain as an item of ``domains:``, a blank line between its questions."""
    head = {key: value for key, value in domain.items() if key != "questions"}
    questions = domain.get("questions")
    text = _dump([head], "  ")
    if not isinstance(questions, list) or not questions:
        return text if questions is None else text + _dump({"questions": questions}, "    ")
    after = [key for key in domain if key != "questions"]
    if list(domain).index("questions") < len(after):  # a key the format does not know, after questions
        return _dump([dict(domain)], "  ")
    return text + "    questions:\n" + "\n".join(_dump([question], "      ") for question in questions)
