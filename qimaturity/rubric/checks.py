"""Rubric validation: the JSON Schema first, then the meaning checks the schema cannot express.

Every problem is collected in one pass and carries its place (file, line, column, path) and a hint.
The checks are pure: they read a :class:`~qimaturity._core.documents.SourceDocument` and return problems.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeGuard

import jsonschema_rs

from qimaturity._core.documents import SourceDocument, yaml_quoted
from qimaturity._core.numbers import given_number
from qimaturity._core.problems import DocPath, Problem, pointer, shown_text, sort_problems
from qimaturity._core.resources import schema
from qimaturity.rubric.expressions import parse_expression

ID_HINT = "ids use lower-case letters and digits, words joined by '-', '_' or '.'"
CONDITION_HEADS = ("critical_below", "question", "domain", "count", "all", "any", "not", "expression")
_CONDITION_KEYS = {
    "critical_below": ({"critical_below"}, ()),
    "question": ({"question", "below", "at_least"}, (("below", "at_least"),)),
    "domain": ({"domain", "below", "at_least"}, (("below", "at_least"),)),
    "count": (
        {"count", "level_below", "level_at", "level_at_least", "at_most", "at_least"},
        (("level_below", "level_at", "level_at_least"), ("at_most", "at_least")),
    ),
    "all": ({"all"}, ()),
    "any": ({"any"}, ()),
    "not": ({"not"}, ()),
    "expression": ({"expression"}, ()),
}
_RULE_FIELDS = {
    "cap": ({"max_level", "when"}, {"level", "requires", "met_at", "stages_of"}),
    "gate": ({"level", "requires"}, {"max_level", "when", "met_at", "stages_of"}),
    "staged": ({"met_at"}, {"max_level", "when", "level", "requires"}),
}


@cache
def _validator(name: str) -> Any:
    return jsonschema_rs.validator_for(schema(name))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: "text", int: "a whole number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _subschema(root: dict[str, Any], schema_path: list[Any]) -> Any:
    node: Any = root
    for part in schema_path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def schema_problems(doc: SourceDocument, schema_name: str) -> list[Problem]:
    """Problems the JSON Schema finds, worded for people and placed at the offending key or value."""
    root = schema(schema_name)
    problems: list[Problem] = []
    for error in _validator(schema_name).iter_errors(doc.data):
        path: DocPath = tuple(error.instance_path)
        kind = error.kind
        name = kind.name
        schema_path = list(error.schema_path)
        sub = _subschema(root, schema_path[:-1]) or {}
        if name == "additionalProperties":
            allowed = sorted((sub.get("properties") or {}).keys())
            for key in kind.unexpected:
                hint = did_you_mean(key, allowed) or f"allowed keys here: {', '.join(allowed)}"
                problems.append(doc.problem((*path, key), f"unknown key {shown_text(key)}", hint, key=True))
            continue
        if name == "required":
            problems.append(doc.problem(path, f"missing required key '{kind.property}'", f"add '{kind.property}:'"))
            continue
        if (name == "propertyNames" and "question_map" in schema_path) or schema_path[:2] == ["$defs", "ids"]:
            problems.append(doc.problem(path, *_map_message(name, path, error.instance), key=False))
            continue
        if name == "oneOf" and schema_path[:2] == ["$defs", "migration"]:
            written = doc.scalars[path].written if path in doc.scalars else str(error.instance)
            hint = f'quote it: from: "{written}"' if _is_number(error.instance) else 'e.g. from: "1.0.0"'
            message = f"expected a version or a list of versions, found {_describe(error.instance)}"
            problems.append(doc.problem(path, message, hint, key=False))
            continue
        message, hint = _schema_message(name, kind, sub, error, schema_path)
        if name == "type":
            message, hint = _misread_text(doc, path, kind, error.instance) or (message, hint)
        problems.append(doc.problem(path, message, hint, key=False))
    return problems


_VERSION = re.compile(r"[0-9]+\.[0-9]+(\.[0-9]+)?")


def _map_message(name: str, path: DocPath, value: Any) -> tuple[str, str]:
    """A migration map entry's ``old``, ``new`` or ``levels`` that the schema refuses, in words."""
    if name == "propertyNames":
        keys = ", ".join(f"'{key}'" for key in value if not re.fullmatch(r"-?[0-9]+", str(key)))
        return f"levels maps old levels to new ones, but {keys} is not a level", "e.g. levels: {1: 1, 2: 1, 3: 2}"
    if isinstance(value, list):
        return "expected a list of question ids, each once", ID_HINT
    if isinstance(value, str):
        return f"{shown_text(value)} is not a valid id", ID_HINT
    return f"expected a question id or a list of them, found {_describe(value)}", ID_HINT


def _misread_text(doc: SourceDocument, path: DocPath, kind: Any, value: Any) -> tuple[str, str] | None:
    """Text that YAML read as something else, told as such: a version written 1.0 (a number) and text holding
    ": " (a key and its value). None for any other type error."""
    types = kind.types if isinstance(kind.types, list) else [kind.types]
    if "string" not in [str(t) for t in types]:
        return None
    field = path[-1] if path and isinstance(path[-1], str) else None
    if _is_number(value) and field == "version":
        found = doc.scalars.get(path)
        written = found.written if found is not None else str(value)
        read = "a number" if written == str(value) else f"the number {value}"
        message = f"version {written} is read as {read}, not as text"
        if _VERSION.fullmatch(written):
            return message, f'quote it: version: "{written}"'
        if written.isdigit():
            return message, f'quote it, as MAJOR.MINOR: version: "{written}.0"'
        return message, 'write it as text, e.g. version: "1.0.0"'
    if isinstance(value, dict) and len(value) == 1 and field is not None:
        ((head, rest),) = value.items()
        if isinstance(rest, str | int | float) and not isinstance(rest, bool):
            text = f"{head}: {rest}"
            return (
                f'expected text, found a mapping (YAML reads "{head}: ..." as a key and its value)',
                f"a colon followed by a space starts a key: quote the whole text: {field}: {yaml_quoted(text)}",
            )
    return None


def _schema_message(name: str, kind: Any, sub: dict[str, Any], error: Any, schema_path: list[Any]) -> tuple[str, str]:
    value = error.instance
    if name == "type":
        wanted = " or ".join(str(t) for t in kind.types) if isinstance(kind.types, list) else str(kind.types)
        wanted = wanted.replace("object", "a mapping").replace("array", "a list").replace("string", "text")
        return f"expected {wanted}, found {_describe(value)}", ""
    if name == "enum":
        options = [str(o) for o in kind.options]
        hint = did_you_mean(str(value), options) or f"one of: {', '.join(options)}"
        return f"{shown_text(value)} is not an allowed value", hint
    if name == "pattern":
        if "version" in schema_path:
            return f"version {shown_text(value)} is not MAJOR.MINOR[.PATCH]", 'write it as text, e.g. version: "1.0.0"'
        if "url" in schema_path:
            return f"{shown_text(value)} is not a web address", "start it with https://"
        if "canonical" in schema_path:
            return (
                f"{shown_text(value)} is not a canonical URL",
                "an absolute https:// address with no space, '|', '#', '?' or '/' at the end, e.g. "
                "https://fhir.example.org/Questionnaire/qi-readiness",
            )
        if "colour" in schema_path:
            return f"{shown_text(value)} is not a colour", 'write it as "#RRGGBB", e.g. "#1d3557"'
        if "font" in schema_path:
            return f"{shown_text(value)} is not a font family name", "letters, digits, spaces, '.', '_' and '-' only"
        if "logo" in schema_path:
            return f"{shown_text(value)} is not a PNG, JPEG or SVG file name", "use a .png, .jpg or .svg file"
        if "date" in schema_path:
            return f"{shown_text(value)} is not a date", "use YYYY-MM-DD, e.g. 2026-09-30"
        return f"{shown_text(value)} is not a valid id", ID_HINT
    if name == "minItems":
        return f"needs at least {kind.limit} item(s), found {len(value)}", ""
    if name == "maxItems":
        return f"allows at most {kind.limit} item(s), found {len(value)}", ""
    if name == "exclusiveMinimum":
        return f"must be greater than {kind.limit}, found {value}", "weights and thresholds must be positive"
    if name == "minimum":
        return f"must be at least {kind.limit}, found {value}", ""
    if name == "maximum":
        return f"must be at most {kind.limit}, found {value}", ""
    if name == "minLength":
        return "must not be empty", ""
    if name == "maxLength":
        return f"is longer than {kind.limit} characters", ""
    if name == "minProperties":
        return "must not be empty", ""
    if name == "uniqueItems":
        return "lists the same item twice", "remove the repeat"
    if name == "oneOf":
        # Not the validator's text, which quotes the whole value (a whole document, at the top).
        return f"{_describe(value)} is not valid under any of the schemas listed in the 'oneOf' keyword", ""
    if isinstance(value, dict | list):
        # Never the validator's text, which quotes the value: a whole mapping, or document, at the top.
        return f"{_describe(value)} that does not fit the schema (its '{name}' rule)", ""
    text = str(error.message)
    return (text if len(text) <= 200 else text[:197] + "..."), ""


_BAND_TOLERANCE = 1e-9
"""As the engine places a value in a band or at a level: a bound within this of a value counts as reached."""


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _folded(name: str) -> str:
    """A name as a reader compares names: case and runs of spaces do not matter."""
    return " ".join(name.split()).casefold()


def level_named(name: str, levels: Any) -> int | None:
    """The value of the level of the rubric document's ``levels`` called ``name`` (case and runs of spaces do not
    matter), or None when none is."""
    wanted = _folded(name)
    for _, level in _dicts(levels):
        if isinstance(level.get("name"), str) and _folded(level["name"]) == wanted and _is_int(level.get("value")):
            return int(level["value"])
    return None


def _level_span(scale: list[int], level: int, how: str) -> tuple[float, float]:
    """The values that get ``level``: with ``floor`` from the level up to the next level (excluded), with
    ``round`` from the midpoint below to the midpoint above (excluded: a half goes up); the top level's span ends
    at the top, included (under ``floor`` it is the top value alone)."""
    i = scale.index(level)
    top = i == len(scale) - 1
    if how == "floor":
        return float(level), float(level if top else scale[i + 1])
    start = scale[0] if i == 0 else (scale[i - 1] + level) / 2
    return float(start), float(level if top else (level + scale[i + 1]) / 2)


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _with_article(key: str) -> str:
    """``a next_step``, ``a measure``, ``an owner``."""
    return ("an " if key[:1] in "aeiou" else "a ") + key


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class MeaningChecker:
    """Checks that need the whole rubric: ids, references, the level scale, bands, rules and expressions."""

    def __init__(self, doc: SourceDocument):
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.problems: list[Problem] = []
        self.scale: list[int] = []
        self.question_ids: dict[str, DocPath] = {}
        self.short_titles: dict[str, tuple[DocPath, Any]] = {}
        self.domain_ids: dict[str, DocPath] = {}
        self.group_ids: dict[str, DocPath] = {}

    def add(self, path: DocPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, hint, key=key))

    def add_in_text(self, path: DocPath, offset: int, message: str, hint: str = "") -> None:
        """A problem with the character at ``offset`` of the text at ``path``, placed at that character in the file
        where the file shows it (see :meth:`SourceDocument.locate_in_text`)."""
        line, column = self.doc.locate_in_text(path, offset)
        self.problems.append(Problem(self.doc.name, line, column, pointer(path), message, hint))

    def run(self) -> list[Problem]:
        self.check_levels()
        sources = self.unique_ids(("sources",), "source")
        frameworks = self.unique_ids(("frameworks",), "framework")
        self.group_ids = self.unique_ids(("respondent_groups",), "respondent group")
        targets = self.data.get("targets")
        if isinstance(targets, dict):
            self.check_target(("targets", "default"), targets.get("default"))
        self.check_domains(sources, frameworks)
        self.check_group_weights()
        self.check_scoring()
        self.check_bands()
        self.check_band_names()
        self.check_rules()
        self.check_na_policies()
        self.check_migrations()
        return self.problems

    # --- helpers ---------------------------------------------------------------------------------
    def unique_ids(self, path: DocPath, what: str) -> dict[str, DocPath]:
        seen: dict[str, DocPath] = {}
        container: Any = self.data
        for part in path:
            container = container.get(part) if isinstance(container, dict) else None
        for index, item in _dicts(container):
            self.register(seen, item.get("id"), (*path, index, "id"), what)
        return seen

    def register(self, seen: dict[str, DocPath], ident: Any, path: DocPath, what: str) -> None:
        if not isinstance(ident, str):
            return
        if ident in seen:
            line, _ = self.doc.locate(seen[ident])
            self.add(path, f"duplicate {what} id '{ident}' (first at line {line})", "ids must be unique")
        else:
            seen[ident] = path

    def scale_hint(self) -> str:
        return "levels are " + ", ".join(str(v) for v in self.scale)

    def on_scale(self, path: DocPath, value: Any, what: str) -> None:
        if _is_int(value) and self.scale and value not in self.scale:
            self.add(path, f"{what} {value} is not a level of the scale", self.scale_hint())

    def check_target(self, path: DocPath, value: Any) -> None:
        """A target is a level of the scale, by value (4) or by name (Proactive)."""
        if not isinstance(value, str):
            self.on_scale(path, value, "target")
            return
        levels = [lv for _, lv in _dicts(self.data.get("levels")) if isinstance(lv.get("name"), str)]
        if not levels or level_named(value, self.data.get("levels")) is not None:
            return
        names = [lv["name"] for lv in levels]
        listed = ", ".join(f"{lv['name']} ({lv.get('value')})" for lv in levels)
        suggestion = did_you_mean(value, names)
        self.add(
            path, f"target '{value}' is not a level name", f"{suggestion + ' ' if suggestion else ''}levels: {listed}"
        )

    def resolve(
        self, path: DocPath, ident: Any, known: dict[str, DocPath], what: str, *, offset: int | None = None
    ) -> None:
        """``offset``: where in the text at ``path`` the id is written (an expression's), to place the problem."""
        if isinstance(ident, str) and ident not in known:
            hint = did_you_mean(ident, known) or (
                f"known {what}s: {', '.join(known)}" if known else f"the rubric defines no {what}s"
            )
            if offset is None:
                self.add(path, f"unknown {what} '{ident}'", hint)
            else:
                self.add_in_text(path, offset, f"unknown {what} '{ident}'", hint)

    # --- checks ----------------------------------------------------------------------------------
    def check_levels(self) -> None:
        names: dict[str, DocPath] = {}
        previous: int | None = None
        broken = False
        for index, level in _dicts(self.data.get("levels")):
            value = level.get("value")
            self.register(names, level.get("name"), ("levels", index, "name"), "level name")
            if not _is_int(value):
                continue
            if previous is not None and value <= previous:
                self.add(
                    ("levels", index, "value"),
                    f"level values must increase strictly: {value} comes after {previous}",
                    "list the levels lowest first, each with its own value",
                )
                broken = True
            self.scale.append(value)
            previous = value
        if broken:
            # Checks against a broken scale would only repeat this problem in other words.
            self.scale = []

    def check_domains(self, sources: dict[str, DocPath], frameworks: dict[str, DocPath]) -> None:
        codes: dict[str, set[str]] = {}
        for _, framework in _dicts(self.data.get("frameworks")):
            if isinstance(framework.get("id"), str) and isinstance(framework.get("codes"), dict):
                codes[framework["id"]] = set(framework["codes"])
        for d_index, domain in _dicts(self.data.get("domains")):
            base: DocPath = ("domains", d_index)
            self.register(self.domain_ids, domain.get("id"), (*base, "id"), "domain")
            self.check_target((*base, "target"), domain.get("target"))
            self.on_scale((*base, "stage"), domain.get("stage"), "stage")
            ident = domain.get("id")
            self.check_weight_rationale(base, domain, f"domain '{ident}'" if isinstance(ident, str) else "domain")
            for q_index, question in _dicts(domain.get("questions")):
                self.check_question((*base, "questions", q_index), question, sources, frameworks, codes)

    def check_short_title(self, path: DocPath, short_title: Any, qid: Any) -> None:
        """Charts label questions by their short titles: two questions with the same one (ignoring case and spaces)
        could not be told apart."""
        if not isinstance(short_title, str):
            return
        key = " ".join(short_title.split()).casefold()
        if key in self.short_titles:
            first, other = self.short_titles[key]
            line, _ = self.doc.locate(first)
            self.add(
                path,
                f"short title '{short_title}' is also the short title of question '{other}' (line {line})",
                "give each question a short title of its own: charts and tables label questions by it",
            )
        else:
            self.short_titles[key] = (path, qid)

    def check_question(
        self,
        base: DocPath,
        question: dict[str, Any],
        sources: dict[str, DocPath],
        frameworks: dict[str, DocPath],
        codes: dict[str, set[str]],
    ) -> None:
        qid = question.get("id")
        label = f"question '{qid}'" if isinstance(qid, str) else "question"
        self.register(self.question_ids, qid, (*base, "id"), "question")
        self.check_short_title((*base, "short_title"), question.get("short_title"), qid)
        self.check_target((*base, "target"), question.get("target"))
        for field_name, what in (
            ("stage", "stage"),
            ("evidence_from", "evidence_from level"),
        ):
            self.on_scale((*base, field_name), question.get(field_name), what)
        evidence = question.get("evidence")
        if isinstance(evidence, dict):
            self.on_scale((*base, "evidence", "from_level"), evidence.get("from_level"), "evidence from_level")
            if "evidence_from" in question:
                self.add(
                    (*base, "evidence"),
                    f"{label} gives both evidence_from and evidence",
                    "keep one: evidence: {from_level: L, groups: [...]} says the same with groups",
                    key=True,
                )
            groups = evidence.get("groups")
            if isinstance(groups, list) and groups and not self.group_ids:
                self.add(
                    (*base, "evidence", "groups"),
                    f"{label} asks evidence of respondent groups but the rubric defines none",
                    "add respondent_groups at the top of the rubric, or leave out groups",
                )
            elif isinstance(groups, list):
                for i, group in enumerate(groups):
                    self.resolve((*base, "evidence", "groups", i), group, self.group_ids, "respondent group")
        respondents = question.get("respondents")
        if isinstance(respondents, list):
            if not self.group_ids and respondents:
                self.add(
                    (*base, "respondents"),
                    f"{label} names respondent groups but the rubric defines none",
                    "add respondent_groups at the top of the rubric",
                )
            else:
                for i, group in enumerate(respondents):
                    self.resolve((*base, "respondents", i), group, self.group_ids, "respondent group")
        for key in ("wording", "help_for"):
            self.check_group_texts(base, question, key, label)
        self.check_weight_rationale(base, question, label)
        if "critical_rationale" in question and question.get("critical") is not True:
            self.add(
                (*base, "critical_rationale"),
                f"{label} has a critical_rationale but is not critical",
                "set critical: true, or remove critical_rationale",
                key=True,
            )
        for i, source in enumerate(question.get("sources") or []):
            self.resolve((*base, "sources", i), source, sources, "source")
        tags = question.get("tags")
        if isinstance(tags, dict):
            for framework, tag_codes in tags.items():
                if framework not in frameworks:
                    hint = did_you_mean(framework, frameworks) or "declare it under frameworks"
                    self.add((*base, "tags", framework), f"unknown framework '{framework}'", hint, key=True)
                elif framework in codes and isinstance(tag_codes, list):
                    for i, code in enumerate(tag_codes):
                        if isinstance(code, str) and code not in codes[framework]:
                            hint = (
                                did_you_mean(code, codes[framework]) or f"known: {', '.join(sorted(codes[framework]))}"
                            )
                            self.add((*base, "tags", framework, i), f"unknown {framework} code '{code}'", hint)
        self.check_question_levels(base, question, label)

    def check_group_texts(self, base: DocPath, question: dict[str, Any], key: str, label: str) -> None:
        """A question's ``wording`` or ``help_for``: each key a respondent group that the question asks (one listed
        in its ``respondents``, or any group when it lists none)."""
        texts = question.get(key)
        if not isinstance(texts, dict) or not texts:
            return
        what = "wording" if key == "wording" else "help"
        if not self.group_ids:
            self.add(
                (*base, key),
                f"{label} gives {what} for respondent groups but the rubric defines none",
                f"add respondent_groups at the top of the rubric, or remove {key}",
                key=True,
            )
            return
        respondents = question.get("respondents")
        asked = [g for g in respondents if isinstance(g, str)] if isinstance(respondents, list) else None
        for group in texts:
            path: DocPath = (*base, key, group)
            if group not in self.group_ids:
                hint = did_you_mean(group, self.group_ids) or f"known respondent groups: {', '.join(self.group_ids)}"
                self.add(path, f"unknown respondent group '{group}'", hint, key=True)
            elif asked is not None and group not in asked:
                self.add(
                    path,
                    f"{label} gives {what} for group '{group}', which it does not ask",
                    f"its respondents are {', '.join(asked)}: add '{group}' to respondents, or remove this {what}",
                    key=True,
                )

    def check_weight_rationale(self, base: DocPath, item: dict[str, Any], label: str) -> None:
        """A ``weight_rationale`` explains a weight: without one other than the default 1 it explains nothing."""
        if "weight_rationale" not in item:
            return
        weight = item.get("weight")
        if weight is None:
            found = "no weight (so the default, 1)"
        elif _is_number(weight) and weight == 1:
            found = "weight 1, the default"
        else:
            return
        self.add(
            (*base, "weight_rationale"),
            f"{label} has a weight_rationale but {found}",
            "give the weight it explains, or remove weight_rationale",
            key=True,
        )

    def check_question_levels(self, base: DocPath, question: dict[str, Any], label: str) -> None:
        entries = _dicts(question.get("levels"))
        if not self.scale or not entries:
            return
        top = self.scale[-1]
        given: dict[int, DocPath] = {}
        order: list[int] = []
        for index, entry in entries:
            level = entry.get("level")
            path: DocPath = (*base, "levels", index)
            if not _is_int(level):
                continue
            if level in given:
                self.add(
                    (*path, "level"),
                    f"{label} describes level {level} twice",
                    "keep one descriptor per level",
                )
                continue
            given[level] = path
            if level not in self.scale:
                self.add((*path, "level"), f"{label}: level {level} is not on the scale", self.scale_hint())
                continue
            order.append(level)
            # A step's measure and owner belong to its next_step: one missing next_step is one problem, placed at
            # the measure (or owner) it leaves without a step when there is one.
            orphans = [key for key in ("measure", "owner") if key in entry]
            if level != top and "next_step" not in entry:
                if orphans:
                    self.add(
                        (*path, orphans[0]),
                        f"{label}: level {level} has {' and '.join(map(_with_article, orphans))} but no next_step",
                        "a measure or an owner belongs to a next step: say what to do to reach the level above",
                        key=True,
                    )
                else:
                    self.add(
                        path,
                        f"{label}: level {level} has no next_step",
                        "say what to do to reach the level above",
                    )
            if level == top:
                for key in ("next_step", *orphans):
                    if key in entry:
                        self.add(
                            (*path, key),
                            f"{label}: the top level {level} has {_with_article(key)}",
                            "remove it: there is no level above",
                            key=True,
                        )
        missing = [v for v in self.scale if v not in given]
        if missing:
            self.add(
                (*base, "levels"),
                f"{label} has no descriptor for level(s) {', '.join(map(str, missing))}",
                "describe every level of the scale",
            )
        if order != sorted(order):
            self.add((*base, "levels"), f"{label}: levels are out of order", "list them lowest first")

    def check_group_weights(self) -> None:
        """A group's weight (and the reason given for it) counts only when respondents are pooled by group: under
        ``pooling: respondents`` it would be read as counting and count for nothing."""
        scoring = self.data.get("scoring")
        respondents = scoring.get("respondents") if isinstance(scoring, dict) else None
        pooling = respondents.get("pooling", "respondents") if isinstance(respondents, dict) else "respondents"
        if pooling != "respondents":
            return
        for index, group in _dicts(self.data.get("respondent_groups")):
            for key in ("weight", "weight_rationale"):
                if key in group:
                    self.add(
                        ("respondent_groups", index, key),
                        f"a group's {key.replace('_', ' ')} counts only when respondents are pooled by group, "
                        "but scoring.respondents.pooling is 'respondents'",
                        f"set scoring.respondents.pooling: groups, or remove {key}",
                        key=True,
                    )

    def check_scoring(self) -> None:
        scoring = self.data.get("scoring")
        if not isinstance(scoring, dict):
            return
        respondents = scoring.get("respondents")
        if not isinstance(respondents, dict):
            return
        if "even_median" in respondents and respondents.get("aggregate", "median") != "median":
            self.add(
                ("scoring", "respondents", "even_median"),
                f"even_median says what a median of an even count is, but respondents are combined by "
                f"'{respondents.get('aggregate')}'",
                "remove even_median, or set aggregate: median",
                key=True,
            )
        pairs: set[tuple[str, str]] = set()
        for index, pair in enumerate(respondents.get("compare") or []):
            path: DocPath = ("scoring", "respondents", "compare", index)
            if not (isinstance(pair, list) and len(pair) == 2):
                continue
            for i, group in enumerate(pair):
                self.resolve((*path, i), group, self.group_ids, "respondent group")
            if pair[0] == pair[1]:
                self.add(path, f"compares group '{pair[0]}' with itself", "name two different groups")
            elif isinstance(pair[0], str) and isinstance(pair[1], str):
                key = (min(pair[0], pair[1]), max(pair[0], pair[1]))
                if key in pairs:
                    self.add(path, f"the pair {pair[0]}/{pair[1]} is listed twice", "remove the repeat")
                pairs.add(key)

    def check_bands(self) -> None:
        bands = self.data.get("bands")
        if not isinstance(bands, dict):
            return
        self.unique_ids(("bands", "items"), "band")
        scoring = _mapping(self.data.get("scoring"))
        summed = scoring.get("questions") == "sum"
        on = bands.get("on", "value")
        if on == "total":
            self.check_total_bands(bands, summed)
            return
        if summed or scoring.get("domains") == "sum":
            self.add(
                ("bands", "on") if "on" in bands else ("bands",),
                f"bands on: {on} cannot name totals: with sum, domain or overall values are totals, not on the "
                "level scale",
                'with questions: sum, put the bands on totals ("on": total); a sum of domain means has no bands',
                key="on" not in bands,
            )
            return
        if on == "percent":
            low, high, unit = 0.0, 100.0, "percent"
        elif self.scale:
            low, high, unit = float(self.scale[0]), float(self.scale[-1]), "level value"
        else:
            return
        items = [
            (i, b)
            for i, b in _dicts(bands.get("items"))
            if isinstance(b.get("from"), int | float) and isinstance(b.get("to"), int | float)
        ]
        if not items:
            return
        expected = low
        for index, band in items:
            path: DocPath = ("bands", "items", index)
            lower, upper = float(band["from"]), float(band["to"])
            name = band.get("id", index)
            if lower >= upper:
                self.add(
                    (*path, "to"),
                    f"band '{name}' is empty or reversed: from {given_number(lower)} to {given_number(upper)}",
                    "from < to",
                )
            if lower > expected:
                self.add(
                    (*path, "from"),
                    f"gap in bands: nothing covers {given_number(expected)} to {given_number(lower)}",
                    "close the gap",
                )
            elif lower < expected:
                self.add(
                    (*path, "from"),
                    f"band '{name}' overlaps the previous band ({given_number(lower)} < {given_number(expected)})",
                    "",
                )
            expected = max(expected, upper)
        if expected < high:
            self.add(
                ("bands", "items", items[-1][0], "to"),
                f"bands stop at {given_number(expected)}; the {unit} range goes up to {given_number(high)}",
                f"the last band must end at {given_number(high)}",
            )
        elif expected > high:
            self.add(
                ("bands", "items", items[-1][0], "to"),
                f"bands run to {given_number(expected)}, past the top of the {unit} range ({given_number(high)})",
                f"the last band must end at {given_number(high)}",
            )
        first_index, first = items[0]
        if float(first["from"]) < low:
            self.add(
                ("bands", "items", first_index, "from"),
                f"bands start at {given_number(float(first['from']))}, below the bottom of the {unit} range "
                f"({given_number(low)})",
                f"the first band must start at {given_number(low)}",
            )

    def total_range(self) -> tuple[float, float] | None:
        """The lowest and highest totals a domain or the overall can have with questions: sum (every question
        counted), or None when the scale or weights cannot say."""
        if not self.scale:
            return None
        scoring = _mapping(self.data.get("scoring"))
        low, high = self.scale[0], self.scale[-1]
        domains: list[tuple[float, float, float]] = []
        for _, domain in _dicts(self.data.get("domains")):
            weights = [q.get("weight", 1) for _, q in _dicts(domain.get("questions"))]
            if not all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights):
                return None
            weight = domain.get("weight", 1)
            if not isinstance(weight, int | float) or isinstance(weight, bool):
                return None
            domains.append((sum(weights) * low, sum(weights) * high, float(weight)))
        if not domains:
            return None
        lows = [d[0] for d in domains]
        highs = [d[1] for d in domains]
        if scoring.get("domains") == "sum":
            lows.append(sum(w * d for d, _, w in domains))
            highs.append(sum(w * d for _, d, w in domains))
        return min(lows), max(highs)

    def check_total_bands(self, bands: dict[str, Any], summed: bool) -> None:
        """Bands on whole-number totals: each an inclusive range of whole numbers (0 to 4, 5 to 9, ...), the next
        starting one above where the last ended, from the lowest total to the highest."""
        if not summed:
            self.add(
                ("bands", "on"),
                "bands on: total need totals: scoring.questions must be sum",
                "set scoring.questions: sum, or put the bands on value or percent",
            )
            return
        span = self.total_range()
        items = [
            (i, b)
            for i, b in _dicts(bands.get("items"))
            if isinstance(b.get("from"), int | float) and isinstance(b.get("to"), int | float)
        ]
        if span is None or not items:
            return
        low, high = span
        if low != int(low) or high != int(high):
            self.add(
                ("bands", "on"),
                f"bands on: total need whole-number totals, but totals run from {given_number(low)} to "
                f"{given_number(high)}",
                "give the questions (and, with domains: sum, the domains) whole-number weights",
            )
            return
        expected = low
        for index, band in items:
            path: DocPath = ("bands", "items", index)
            lower, upper = float(band["from"]), float(band["to"])
            name = band.get("id", index)
            whole = True
            for key, number in (("from", lower), ("to", upper)):
                if number != int(number):
                    whole = False
                    self.add(
                        (*path, key),
                        f"band '{name}': {key} {given_number(number)} is not a whole number; bands on totals are "
                        "ranges of whole numbers",
                        "e.g. from: 5, to: 9",
                    )
            if not whole:
                return
            if lower > upper:
                self.add(
                    (*path, "to"),
                    f"band '{name}' is reversed: from {given_number(lower)} to {given_number(upper)}",
                    "from <= to",
                )
            if lower > expected:
                self.add(
                    (*path, "from"),
                    f"gap in bands: no band holds the total(s) {given_number(expected)} to {given_number(lower - 1)}",
                    f"start this band at {given_number(expected)} (bands on totals include both ends: 0 to 4, then "
                    "5 to 9)",
                )
            elif lower < expected:
                self.add(
                    (*path, "from"),
                    f"band '{name}' overlaps the previous band: the total {given_number(lower)} is in both",
                    f"start this band at {given_number(expected)} (bands on totals include both ends)",
                )
            expected = max(expected, upper + 1)
        last: DocPath = ("bands", "items", items[-1][0], "to")
        if expected - 1 < high:
            self.add(
                last,
                f"bands stop at {given_number(expected - 1)}; totals go up to {given_number(high)}",
                f"the last band must end at {given_number(high)}",
            )
        elif expected - 1 > high:
            self.add(
                last,
                f"bands run to {given_number(expected - 1)}, past the highest total ({given_number(high)})",
                f"the last band must end at {given_number(high)}",
            )
        first_index, first = items[0]
        if float(first["from"]) < low:
            self.add(
                ("bands", "items", first_index, "from"),
                f"bands start at {given_number(float(first['from']))}, below the lowest total ({given_number(low)})",
                f"the first band must start at {given_number(low)}",
            )

    def check_band_names(self) -> None:
        """A band named as a level (ignoring case and spacing) holds only values that get that level, so that one
        value never has two names: with level 4 Embedded on [4, 5) (``floor``), a band 'Exemplary' from 4.75 would
        show 4.86 as "level 4 Embedded" and "band Exemplary" at once."""
        bands, scoring = self.data.get("bands"), self.data.get("scoring")
        if not isinstance(bands, dict) or len(self.scale) < 2 or bands.get("on") == "total":
            return  # bands on totals name sums, which have no level
        how = scoring.get("level_from_value", "floor") if isinstance(scoring, dict) else "floor"
        if how not in ("floor", "round"):
            return
        named: dict[str, tuple[int, str]] = {}
        for _, entry in _dicts(self.data.get("levels")):
            if _is_int(entry.get("value")) and entry["value"] in self.scale and isinstance(entry.get("name"), str):
                named.setdefault(_folded(entry["name"]), (entry["value"], entry["name"]))
        names = {value: name for value, name in named.values()}
        low, high = self.scale[0], self.scale[-1]
        percent = bands.get("on", "value") == "percent"

        def placed(value: float) -> float:  # a level value where the bands sit: itself, or its percent of the range
            return 100 * (value - low) / (high - low) if percent else value

        items = _dicts(bands.get("items"))
        for index, band in items:
            name, lower, upper = band.get("name"), band.get("from"), band.get("to")
            if not (isinstance(name, str) and _is_number(lower) and _is_number(upper)) or lower >= upper:
                continue
            if _folded(name) not in named:
                continue
            level, level_name = named[_folded(name)]
            start, end = (placed(v) for v in _level_span(self.scale, level, how))
            # The last band includes its end (the top of the range), which only the top level's span does.
            closed = index == items[-1][0] and level != high
            if lower >= start - _BAND_TOLERANCE and upper <= end + (-_BAND_TOLERANCE if closed else _BAND_TOLERANCE):
                continue
            # The first other level whose values the band holds: what a reader would see beside the band's name.
            for other in self.scale:
                o_start, o_end = (placed(v) for v in _level_span(self.scale, other, how))
                a, b = max(lower, o_start), min(upper, o_end)
                if other != level and (a < b - _BAND_TOLERANCE or (other == high and a == b == placed(high))):
                    break
            if a == b:
                where = f"the value {given_number(a)}"
            else:  # the other level's span excludes its end, except at the top
                below = "just below " if b == o_end and other != high else ""
                where = f"values from {given_number(a)} to {below}{given_number(b)}"
            unit = " percent" if percent else ""
            message = (
                f"band '{band.get('id', index)}' is named '{name}' like level {level}, but {where}{unit} in it "
                f"get level {other} '{names.get(other, other)}' (level_from_value: {how}): such a value would read "
                f"as level {other} {names.get(other, other)} and band {name}"
            )
            if start == end:
                hint = (
                    f"with level_from_value: {how} only a value of exactly {level} is level {level}, so no band can "
                    f"carry its name: give the band a name that is no level's, or declare level_from_value: round"
                )
            else:
                hint = (
                    f"give the band a name that is no level's, or keep it within level {level}'s values: from "
                    f"{given_number(start)} to {given_number(end)}{unit}"
                )
            self.add(("bands", "items", index, "name"), message, hint)

    def check_rules(self) -> None:
        seen: dict[str, DocPath] = {}
        for index, rule in _dicts(self.data.get("rules")):
            base: DocPath = ("rules", index)
            self.register(seen, rule.get("id"), (*base, "id"), "rule")
            rule_type = rule.get("type")
            label = f"rule '{rule.get('id')}'"
            if rule_type in _RULE_FIELDS:
                needed, forbidden = _RULE_FIELDS[rule_type]
                for name in sorted(needed - rule.keys()):
                    self.add(base, f"{label} ({rule_type}) needs '{name}'", f"add '{name}:'")
                for name in sorted(forbidden & rule.keys()):
                    self.add(
                        (*base, name),
                        f"{label}: '{name}' does not belong to a {rule_type} rule",
                        "",
                        key=True,
                    )
            if "domains" in rule:
                if rule.get("scope") == "overall":
                    self.add((*base, "domains"), f"{label}: 'domains' only applies to scope: domain", "", key=True)
                for i, domain in enumerate(rule.get("domains") or []):
                    self.resolve((*base, "domains", i), domain, self.domain_ids, "domain")
            for name in ("max_level", "level", "met_at"):
                self.on_scale((*base, name), rule.get(name), name)
            scoring = _mapping(self.data.get("scoring"))
            summed = scoring.get("questions") == "sum"
            if (rule.get("scope") == "domain" and summed) or (
                rule.get("scope") == "overall" and (summed or scoring.get("domains") == "sum")
            ):
                self.add(
                    (*base, "scope"),
                    f"{label} judges levels, but with sum the {rule.get('scope')} value is a total and has no level",
                    "rules need a level scale: use another aggregation, or leave the naming to bands on totals",
                )
            if rule_type == "gate" and _is_int(rule.get("level")) and self.scale and rule["level"] == self.scale[0]:
                self.add(
                    (*base, "level"),
                    f"{label} gates the lowest level, so it can never hold anything back",
                    "",
                )
            if rule_type == "staged":
                self.check_stages(base, rule, label)
            sentence, rule_id = rule.get("sentence"), rule.get("id")
            if isinstance(sentence, str) and isinstance(rule_id, str) and rule_id in sentence:
                self.add(
                    (*base, "sentence"),
                    f"{label}: its sentence names the rule's id, which a report's reader never sees",
                    "say what the rule means in words, e.g. 'The overall result cannot be Embedded while ...'",
                )
            for name in ("when", "requires"):
                if isinstance(rule.get(name), dict):
                    self.check_condition((*base, name), rule[name])

    def check_stages(self, base: DocPath, rule: dict[str, Any], label: str) -> None:
        of = rule.get("stages_of", "questions")
        domains = [d for _, d in _dicts(self.data.get("domains"))]
        if of == "domains":
            staged = any("stage" in d for d in domains)
        else:
            staged = any("stage" in q for d in domains for _, q in _dicts(d.get("questions")))
        if not staged:
            self.add(base, f"{label} is staged but no {of[:-1]} has a stage", f"give the {of} a 'stage:' level")
        if of == "domains" and rule.get("scope") == "domain":
            self.add(
                (*base, "stages_of"),
                f"{label}: stages of domains can only gate the overall result",
                "use scope: overall",
            )

    def check_condition(self, path: DocPath, condition: dict[str, Any]) -> None:
        heads = [h for h in CONDITION_HEADS if h in condition]
        if len(heads) != 1:
            if heads:
                message = f"a condition takes one form, found {' and '.join(heads)}"
                hint = "combine conditions with all: [...] or any: [...]"
            else:
                message = "a condition needs one of: " + ", ".join(CONDITION_HEADS)
                hint = "e.g. critical_below: 3"
            self.add(path, message, hint)
            return
        head = heads[0]
        allowed, exactly_one = _CONDITION_KEYS[head]
        for key in sorted(condition.keys() - allowed):
            if key in CONDITION_HEADS or key in {k for a, _ in _CONDITION_KEYS.values() for k in a}:
                self.add((*path, key), f"'{key}' does not belong with '{head}' in a condition", "", key=True)
        for group in exactly_one:
            present = [k for k in group if k in condition]
            if len(present) != 1:
                self.add(path, f"'{head}' needs exactly one of {', '.join(group)}", "")
        for key in ("critical_below", "below", "level_below", "level_at", "level_at_least"):
            self.on_scale((*path, key), condition.get(key), "level")
        if head in ("question", "domain"):
            self.on_scale((*path, "at_least"), condition.get("at_least"), "level")
            known = self.question_ids if head == "question" else self.domain_ids
            self.resolve((*path, head), condition.get(head), known, head)
        elif head in ("all", "any"):
            for index, item in enumerate(condition[head] if isinstance(condition[head], list) else []):
                if isinstance(item, dict):
                    self.check_condition((*path, head, index), item)
        elif head == "not" and isinstance(condition["not"], dict):
            self.check_condition((*path, "not"), condition["not"])
        elif head == "expression" and isinstance(condition["expression"], str):
            self.check_expression((*path, "expression"), condition["expression"])

    def check_expression(self, path: DocPath, text: str) -> None:
        expression, issues = parse_expression(text)
        for issue in issues:
            message = f"expression: {issue.message} (at character {issue.offset})"
            self.add_in_text(path, issue.offset, message, issue.hint)
        if expression is None:
            return
        for ref in expression.references:
            where = f"(at character {ref.offset})"
            if ref.kind == "question":
                self.resolve(path, ref.value, self.question_ids, "question", offset=ref.offset)
            elif ref.kind == "domain":
                self.resolve(path, ref.value, self.domain_ids, "domain", offset=ref.offset)
            elif _is_int(ref.value) and self.scale and ref.value not in self.scale:
                message = f"expression: level {ref.value} is not on the scale {where}"
                self.add_in_text(path, ref.offset, message, self.scale_hint())

    def check_migrations(self) -> None:
        MigrationChecker(self).run()

    # --- N/A that could hide a failure --------------------------------------------------------------
    def check_na_policies(self) -> None:
        """N/A never counts as met on a question whose failure the rubric must see: a critical (mandatory) one,
        or one that a cap, gate or staged rule reads (counted as met, an N/A would pass the rule unseen).

        A question's own ``counts_as: met`` is refused where it is written; a rubric-wide default of met (the
        top-level ``not_applicable.counts_as`` or ``scoring.not_applicable``) that would reach such questions is
        refused once, at the default, naming them: silently not applying it would score those questions by a
        policy the rubric does not state.
        """
        from qimaturity.rubric.model import NA_COUNTS_AS  # the model imports this module

        top = self.data.get("not_applicable")
        top = top if isinstance(top, dict) else {}
        scoring = self.data.get("scoring")
        wide_scoring = scoring.get("not_applicable") if isinstance(scoring, dict) else None
        top_counts = top.get("counts_as")
        if (
            isinstance(top_counts, str)
            and isinstance(wide_scoring, str)
            and NA_COUNTS_AS.get(top_counts) != wide_scoring
        ):
            self.add(
                ("not_applicable", "counts_as"),
                f"not_applicable.counts_as '{top_counts}' and scoring.not_applicable '{wide_scoring}' disagree",
                "say the rubric-wide N/A policy once: remove one of them",
            )
            return
        wide_path: DocPath = ()
        if isinstance(wide_scoring, str):
            wide, wide_path = wide_scoring, ("scoring", "not_applicable")
        elif isinstance(top_counts, str):
            wide, wide_path = NA_COUNTS_AS.get(top_counts, "exclude"), ("not_applicable", "counts_as")
        else:
            wide = "exclude"
        protected = self.protected_questions()
        default_allowed = top.get("allowed", False) is True
        by_default: list[tuple[str, str]] = []
        for d_index, domain in _dicts(self.data.get("domains")):
            for q_index, question in _dicts(domain.get("questions")):
                qid = question.get("id")
                if not isinstance(qid, str) or qid not in protected:
                    continue
                na = question.get("not_applicable")
                na = na if isinstance(na, dict) else {}
                if na.get("allowed", default_allowed) is not True:
                    continue  # no N/A can be given, so none can count as met
                own = na.get("counts_as")
                if own == "met":
                    self.add(
                        ("domains", d_index, "questions", q_index, "not_applicable", "counts_as"),
                        f"question '{qid}': N/A cannot count as met, because {protected[qid]}",
                        "use counts_as: exclude, lowest or target, or allowed: false where N/A makes no sense",
                    )
                elif own is None and wide == "count_as_met":
                    by_default.append((qid, protected[qid]))
        if by_default:
            shown = "; ".join(f"'{qid}' ({why})" for qid, why in by_default[:5])
            more = f" and {len(by_default) - 5} more" if len(by_default) > 5 else ""
            self.add(
                wide_path,
                f"N/A counts as met by default, but it cannot on {len(by_default)} question(s) that allow N/A: "
                f"{shown}{more}",
                "choose another default (exclude, count_as_lowest or anchor_to_target), or give those questions "
                "not_applicable: {counts_as: exclude} (or lowest, target), or allowed: false",
            )

    def protected_questions(self) -> dict[str, str]:
        """Question id -> why N/A may not count as met on it: critical, or read by a cap, gate or staged rule."""
        domains: dict[str, list[dict[str, Any]]] = {}
        staged_domains: set[str] = set()
        for _, domain in _dicts(self.data.get("domains")):
            if isinstance(domain.get("id"), str):
                domains[domain["id"]] = [q for _, q in _dicts(domain.get("questions"))]
                if "stage" in domain:
                    staged_domains.add(domain["id"])

        def ids(of: Iterable[Any] | None = None, staged: bool = False) -> set[str]:
            chosen = domains if of is None else {d: domains[d] for d in of if isinstance(d, str) and d in domains}
            return {
                q["id"]
                for questions in chosen.values()
                for q in questions
                if isinstance(q.get("id"), str) and (not staged or "stage" in q)
            }

        reasons: dict[str, str] = {}
        for questions in domains.values():
            for q in questions:
                if q.get("critical") is True and isinstance(q.get("id"), str):
                    reasons[q["id"]] = "it is critical (mandatory)"
        for _, rule in _dicts(self.data.get("rules")):
            kind = rule.get("type")
            if kind not in ("cap", "gate", "staged"):
                continue
            listed = rule.get("domains") if rule.get("scope") == "domain" else None
            in_scope = ids(listed if isinstance(listed, list) and listed else None)
            read: set[str] = set()
            if kind == "staged":
                if rule.get("stages_of") == "domains":
                    read |= ids(staged_domains)
                else:
                    read |= ids(listed if isinstance(listed, list) and listed else None, staged=True)
            for key in ("when", "requires"):
                if isinstance(rule.get(key), dict):
                    read |= self.condition_reads(rule[key], in_scope, ids)
            for qid in sorted(read):
                reasons.setdefault(qid, f"{kind} rule '{rule.get('id')}' reads it")
        return reasons

    def condition_reads(self, condition: dict[str, Any], in_scope: set[str], ids: Callable[..., set[str]]) -> set[str]:
        """The questions whose levels a condition reads (a domain's level reads its questions); critical ones,
        protected anyway, are left out."""
        if isinstance(condition.get("question"), str):
            return {condition["question"]}
        if isinstance(condition.get("domain"), str):
            return set(ids([condition["domain"]]))
        if "count" in condition:
            counted: dict[Any, set[str]] = {"questions": in_scope, "domains": ids()}
            return counted.get(condition["count"], set())
        read: set[str] = set()
        for head in ("all", "any"):
            items = condition.get(head)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    read |= self.condition_reads(item, in_scope, ids)
        if isinstance(condition.get("not"), dict):
            read |= self.condition_reads(condition["not"], in_scope, ids)
        text = condition.get("expression")
        if isinstance(text, str):
            try:
                tree = ast.parse(text.strip(), mode="eval")
            except SyntaxError:
                return read
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
                    arg = node.args[0]
                    name = node.func.id
                    if name in ("question", "question_level") and isinstance(arg, ast.Constant):
                        read.add(str(arg.value))
                    elif name in ("domain", "domain_level") and isinstance(arg, ast.Constant):
                        read |= ids([arg.value])
                    elif name.startswith("count_domains_"):
                        read |= ids()
                    elif name == "count_questions_below":
                        read |= in_scope
                elif isinstance(node, ast.Name) and node.id in ("value", "level"):
                    read |= in_scope  # the scope's own value comes from all its questions
        return read


def version_key(version: str) -> tuple[int, int, int]:
    """A version (MAJOR.MINOR[.PATCH]) as numbers to order by: 1.10 comes after 1.9, and 1.1 is 1.1.0."""
    parts = [int(part) for part in version.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


def _id_list(value: Any) -> list[tuple[DocPath, str]]:
    """A map entry's ``old`` or ``new``: one id or a list of them, each with its place below the key."""
    if isinstance(value, str):
        return [((), value)]
    if isinstance(value, list):
        return [((i,), v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


class MigrationChecker:
    """Checks of a rubric's migration maps that need only this rubric: the versions they convert from are earlier
    ones, named once; each entry says where its answers go (or why they are dropped) in this version's ids and on
    this version's scale; an old id is taken once, a new id given answers once, and no id means one question as
    an old id and another as a new one within a map. (The old ids and old levels can be checked only against the
    earlier version: :func:`qimaturity.rubric.migration.check_migration` does that.)"""

    def __init__(self, checker: MeaningChecker):
        self.checker = checker

    def run(self) -> None:
        data = self.checker.data
        own = data.get("version")
        seen_versions: dict[str, DocPath] = {}
        for index, migration in _dicts(data.get("migrations")):
            base: DocPath = ("migrations", index)
            for where, version in _id_list(migration.get("from")):
                path = (*base, "from", *where)
                if not (isinstance(version, str) and _VERSION.fullmatch(version)):
                    continue
                if version in seen_versions:
                    line, _ = self.checker.doc.locate(seen_versions[version])
                    self.checker.add(
                        path,
                        f"two maps convert answers from version {version} (the first at line {line})",
                        "keep one map per earlier version",
                    )
                    continue
                seen_versions[version] = path
                if isinstance(own, str) and _VERSION.fullmatch(own) and version_key(version) >= version_key(own):
                    self.checker.add(
                        path,
                        f"a map from version {version} in version {own}: a map converts answers from an earlier "
                        "version, and this would lead back to itself or to a later one",
                        f"name a version before {own}, or move the map to the rubric it converts answers to",
                    )
            self.check_moves(base, migration)
            self.check_domains(base, migration)

    def check_moves(self, base: DocPath, migration: dict[str, Any]) -> None:
        checker = self.checker
        taken: dict[str, DocPath] = {}  # old id -> the entry that takes it
        given: dict[str, DocPath] = {}  # new id -> the entry that gives answers to it
        moved_away: dict[str, DocPath] = {}  # an old id whose answers leave it
        for number, entry in _dicts(migration.get("questions")):
            path: DocPath = (*base, "questions", number)
            olds = _id_list(entry.get("old"))
            news = _id_list(entry.get("new"))
            label = f"map entry for '{olds[0][1]}'" if len(olds) == 1 else "map entry"
            has_new, has_dropped = "new" in entry, "dropped" in entry
            if not has_new and not has_dropped:
                checker.add(
                    path,
                    f"the {label} says neither where its answers go nor why they are dropped",
                    "add new: (the question id in this version) or dropped: (why the answers are not carried over)",
                )
            if has_new and has_dropped:
                checker.add(
                    (*path, "dropped"),
                    f"the {label} gives both new and dropped",
                    "keep new: to carry the answers over, or dropped: to leave them behind",
                    key=True,
                )
            for name in ("levels", "combine"):
                if has_dropped and not has_new and name in entry:
                    checker.add(
                        (*path, name),
                        f"the {label} is dropped, so '{name}' has nothing to apply to",
                        f"remove {name}",
                        key=True,
                    )
            merged = len(olds) > 1
            if merged and len(news) > 1:
                checker.add(
                    (*path, "new"),
                    f"the {label} merges {len(olds)} questions into {len(news)}: a merge gives one new question",
                    "write one entry per new question: a merge (old: [a, b], new: c) or a split (old: a, new: [b, c])",
                )
            if merged and has_new and "combine" not in entry:
                checker.add(
                    path,
                    f"the {label} merges {len(olds)} questions but does not say how to combine their answers",
                    "add combine: min, max, median or mean-floor",
                )
            if not merged and "combine" in entry:
                checker.add(
                    (*path, "combine"),
                    f"combine says how a merge combines answers, but the {label} has one old question",
                    "remove combine, or list the old questions merged: old: [a, b]",
                    key=True,
                )
            for where, new_id in news:
                checker.resolve((*path, "new", *where), new_id, checker.question_ids, "question")
                if new_id in given:
                    line, _ = checker.doc.locate(given[new_id])
                    checker.add(
                        (*path, "new", *where),
                        f"question '{new_id}' is given answers by two entries of this map (the other at line {line})",
                        "to combine two old questions into one, write one entry: old: [a, b], new: "
                        f"{new_id}, combine: min (or max, median, mean-floor)",
                    )
                else:
                    given[new_id] = (*path, "new", *where)
            own_news = {new_id for _, new_id in news}
            for where, old_id in olds:
                if old_id in taken:
                    line, _ = checker.doc.locate(taken[old_id])
                    checker.add(
                        (*path, "old", *where),
                        f"old question '{old_id}' is mapped twice in this map (the other entry at line {line})",
                        "an old question goes one way: list all its new questions in one entry (a split)",
                    )
                else:
                    taken[old_id] = (*path, "old", *where)
                if old_id not in own_news:
                    moved_away.setdefault(old_id, (*path, "old", *where))
            levels = entry.get("levels")
            if isinstance(levels, dict):
                for key, value in levels.items():
                    if _is_int(value) and checker.scale and value not in checker.scale:
                        checker.add(
                            (*path, "levels", key),
                            f"the {label} maps old level {key} to {value}, which is not a level of this version's "
                            "scale",
                            checker.scale_hint(),
                        )
        for old_id, path in moved_away.items():
            if old_id in given:
                line, _ = checker.doc.locate(given[old_id])
                checker.add(
                    path,
                    f"'{old_id}' is an old question whose answers move elsewhere, and the new question of another "
                    f"entry (the entry at line {line}): a map converts in one step, so the id would stand for two "
                    "questions (a chain or a cycle)",
                    f"give the new question its own id, or map old '{old_id}' to itself",
                )

    def check_domains(self, base: DocPath, migration: dict[str, Any]) -> None:
        checker = self.checker
        domains = migration.get("domains")
        if not isinstance(domains, dict):
            return
        for domain_id in domains:
            if isinstance(domain_id, str) and domain_id not in checker.domain_ids:
                hint = did_you_mean(domain_id, checker.domain_ids) or f"domains: {', '.join(checker.domain_ids)}"
                checker.add((*base, "domains", domain_id), f"unknown domain '{domain_id}'", hint, key=True)
        if migration.get("comparable") is True:
            refused = [
                d for d, entry in domains.items() if isinstance(entry, dict) and entry.get("comparable") is False
            ]
            if refused:
                checker.add(
                    (*base, "comparable"),
                    f"the map says values are comparable, but not those of {', '.join(refused)}: the overall value "
                    "is comparable only when every domain is",
                    "remove comparable: true (each domain then says for itself), or mark those domains comparable",
                )


def check_rubric_document(doc: SourceDocument) -> list[Problem]:
    """Every problem with a rubric document: schema and meaning, sorted by position."""
    if not isinstance(doc.data, dict):
        return [doc.problem((), "the document is not a mapping", "the top level must be key: value lines")]
    problems = [*doc.problems, *schema_problems(doc, "rubric")]
    problems.extend(MeaningChecker(doc).run())
    return sort_problems(problems)
