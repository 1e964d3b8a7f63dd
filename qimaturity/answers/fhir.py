"""FHIR support: a rubric as a FHIR Questionnaire, and QuestionnaireResponse resources back as answers documents.

Export
    :func:`questionnaire` builds a Questionnaire (R4 or R5) with one group item per domain and one item per
    question, whose answer options are the rubric's levels, coded in the system ``<canonical>/levels`` (code = the
    level value, or ``na``) and weighted with the ``itemWeight`` extension. A ``respondent-group`` item, asked
    first, drives ``enableWhen`` so that a question asked of some groups only is shown to them only. Under each
    question, nested items take the N/A justification, evidence (for questions with ``evidence_from``) and a
    comment; in a response they sit in ``answer.item``, as FHIR requires for items nested under a question.
    One respondent group's questionnaire (``group=``) holds only that group's questions, in its words, and no
    ``respondent-group`` item: its URL, ``<canonical>/group/<group id>``, says whose it is. Which questions, in
    which words, with which evidence is :func:`qimaturity.rubric.forms.build_form`'s, as for the HTML, PDF and
    XLSX questionnaires.

Canonical URL
    ``<canonical>`` is the rubric's ``fhir.canonical`` (:attr:`Rubric.fhir_canonical`); a rubric without one has
    the placeholder ``https://qimaturity.example/fhir/Questionnaire/<rubric id>`` (``.example`` is a reserved
    domain: no server answers it, and questionnaires exported and responses collected with it read back as
    before). :func:`with_fhir_base` (``--fhir-base URL``) puts the Questionnaire on a FHIR server's base URL
    instead: ``<URL>/Questionnaire/<rubric id>``. Export and import must use the same: a response to another
    canonical URL is refused, naming both and how to read it.

Import
    :func:`read_responses` reads one QuestionnaireResponse, or a Bundle of them (R4 or R5 JSON), and returns one
    answers document (see ``docs/scoring.md``) per organisation, each response being one respondent. The structure
    is enforced by ``fhir.resources`` (R5 and R4B models are both tried; a resource valid in either is accepted);
    codes are then checked here. Decisions:

    - **Organisation** = the response's ``subject``, which must refer to an Organization (``Organization/ID``, an
      absolute URL ending so, a Bundle ``fullUrl`` or ``#id`` of a contained Organization, or a logical reference by
      ``identifier``). Only when a response has no ``subject`` is its ``author`` or ``source`` used, and only if
      that is an Organization (an organisation answering for itself). The name is the Organization resource's
      ``name`` when the Bundle or the response contains it, else the reference's ``display``, else the id; type
      and region come from that resource when present (``type[0]`` code or text; the first address's district or
      state).
    - **Respondent** id = the response's ``id`` (else ``r1``, ``r2``, ... in file order within the organisation);
      group = the ``respondent-group`` answer, or the group whose questionnaire the response answers (a response
      with neither has no group; one whose answer names another group than its questionnaire's is refused).
    - **Date** = the date part (``YYYY-MM-DD``, as written, no time-zone conversion) of the latest ``authored`` of
      the organisation's responses.
    - **Levels**: a ``valueCoding`` in the rubric's level system with a level value or ``na`` as the code; an
      ``itemWeight`` (or the older ``ordinalValue``) extension beside it must agree. Without a coding,
      ``valueInteger``/``valueDecimal`` equal to a level, or a weight extension on the answer, give the level.
    - Only ``completed`` and ``amended`` responses are read; anything else is a problem, not silently skipped.
      Resources in a Bundle other than QuestionnaireResponse and Organization are ignored.
    - The documents are finally checked with :func:`qimaturity.answers.files.check_answers_document` (N/A allowed and
      justified, groups asked, every question answered when the rubric's ``missing`` policy is ``error``,
      evidence dates...), with each problem placed back in the FHIR file. A document returned passes that check.
      While an organisation's responses have other problems, its unanswered questions (and a missing date) are
      not reported: they are usually the answers just refused, and are reported once those are fixed.

``fhir.resources`` is imported only inside the functions, so ``import qimaturity`` stays light; without the fhir extra
they raise :class:`~qimaturity._core.extras.ExtraMissing`, which names it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from qimaturity._core.documents import SourceDocument, parse_json, parse_yaml, read_text
from qimaturity._core.extras import extra_imports
from qimaturity._core.problems import DocPath, InputError, Problem, pointer, shown_text, sort_problems
from qimaturity.answers.files import check_answers_document
from qimaturity.rubric.checks import did_you_mean
from qimaturity.rubric.forms import FormQuestion, build_form
from qimaturity.rubric.model import Question, Rubric

PLACEHOLDER_FHIR_BASE = "https://qimaturity.example/fhir"
"""The FHIR base of a rubric's Questionnaire when neither the rubric (``fhir.canonical``) nor the caller
(:func:`with_fhir_base`, ``--fhir-base``) gives one: a placeholder under the reserved ``.example`` domain, which no
server answers, kept so that questionnaires exported and responses collected with it read back."""
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
WEIGHT_EXTENSIONS = (ITEM_WEIGHT, ORDINAL_VALUE)
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
GROUP_ITEM = "respondent-group"
GROUP_PATH = "/group/"
NA_CODE = "na"
SCORED_STATUSES = ("completed", "amended")
WRITING = "writing a FHIR Questionnaire"
READING = "reading FHIR responses"
"""The features of this module, as :class:`~qimaturity._core.extras.ExtraMissing` names them when the fhir extra is
missing."""

Release = Literal["R4", "R5"]
_RELEASES = ("R5", "R4B")  # tried in this order when reading
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TYPED_REFERENCE = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9.\-]{1,64})(?:/_history/[^/]+)?$")


_CANONICAL = re.compile(r"^https?://[^\s|#?\x00-\x1f\x7f]*[^\s|#?/\x00-\x1f\x7f]$")  # as the rubric schema's


def canonical_for_base(base: str, rubric_id: str) -> str:
    """The canonical URL of a rubric's Questionnaire on the FHIR server at ``base``: ``<base>/Questionnaire/<id>``,
    as FHIR names a resource. A '/' at the end of ``base`` is dropped; a base that already ends in
    ``/Questionnaire`` or ``/Questionnaire/<id>`` is not given them twice."""
    base = base.rstrip("/")
    if base.endswith(f"/Questionnaire/{rubric_id}"):
        return base
    return f"{base}/{rubric_id}" if base.endswith("/Questionnaire") else f"{base}/Questionnaire/{rubric_id}"


def with_fhir_base(rubric: Rubric, base: str) -> Rubric:
    """The rubric, its Questionnaire's canonical URL set to :func:`canonical_for_base` of ``base`` (an http or https
    URL) in place of its own ``fhir.canonical``: what ``--fhir-base`` does, for export and import alike. A base
    that cannot make a canonical URL raises :class:`ValueError` saying why."""
    canonical = canonical_for_base(base, rubric.id)
    authority = base.split("://", 1)[-1].split("/", 1)[0]
    dots = any(part in (".", "..") for part in base.split("://", 1)[-1].split("/")[1:])
    if not _CANONICAL.match(canonical) or not re.match(r"^https?://[^/\s]", base) or "@" in authority or dots:
        raise ValueError(
            f"{shown_text(base)} is not the base URL of a FHIR server: give an absolute http(s) address with no "
            "space, control character, '|', '#', '?', user name or '.' and '..' parts, e.g. https://fhir.example.org"
        )
    return dataclasses.replace(rubric, fhir_canonical=canonical)


def questionnaire_url(rubric: Rubric, group: str | None = None) -> str:
    """The Questionnaire's canonical URL: the rubric's ``fhir.canonical``, else the placeholder
    ``https://qimaturity.example/fhir/Questionnaire/<rubric id>`` (:data:`PLACEHOLDER_FHIR_BASE`); one respondent
    group's questionnaire adds ``/group/<group id>``."""
    url = rubric.fhir_canonical or canonical_for_base(PLACEHOLDER_FHIR_BASE, rubric.id)
    return f"{url}{GROUP_PATH}{group}" if group is not None else url


def is_placeholder(rubric: Rubric) -> bool:
    """Whether the rubric's Questionnaire has the placeholder canonical URL (no ``fhir.canonical`` of its own)."""
    return questionnaire_url(rubric) == canonical_for_base(PLACEHOLDER_FHIR_BASE, rubric.id)


def level_system(rubric: Rubric) -> str:
    """The code system of the rubric's levels (codes: the level values as text, and ``na``)."""
    return f"{questionnaire_url(rubric)}/levels"


def group_system(rubric: Rubric) -> str:
    """The code system of the rubric's respondent groups (codes: the group ids)."""
    return f"{questionnaire_url(rubric)}/respondent-groups"


def _model_getter(release: str, feature: str) -> Callable[[str], Any]:
    """``get_fhir_model_class`` of a fhir.resources release package ("R4B" or "R5"); :class:`ExtraMissing` naming
    the fhir extra, for ``feature``, when it is not installed."""
    with extra_imports(feature):
        if release == "R4B":
            from fhir.resources.R4B import get_fhir_model_class
        else:
            from fhir.resources import get_fhir_model_class
    getter: Callable[[str], Any] = get_fhir_model_class
    return getter


# --- export -------------------------------------------------------------------------------------------------


def _fhir_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.\-]", "-", text)[:64]


def _computable_name(text: str) -> str:
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)
    return name if name[:1].isalpha() else "Q" + name


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": system, "code": code, "display": display}


def _enable_when(question: str, codings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    conditions = [{"question": question, "operator": "=", "answerCoding": coding} for coding in codings]
    return {"enableWhen": conditions, "enableBehavior": "any"}


def _choice_item(
    link_id: str, text: str, release: Release, required: bool, options: list[dict[str, Any]]
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": link_id,
        "text": text,
        "type": "choice" if release == "R4" else "coding",
        "required": required,
        "answerOption": options,
    }
    if release == "R5":
        item["answerConstraint"] = "optionsOnly"
    return item


def _level_option(rubric: Rubric, question: Question, value: int) -> dict[str, Any]:
    level = rubric.level(value)
    described = question.descriptor(value)
    descriptor = described.descriptor if described else level.descriptor
    return {
        "valueCoding": _coding(level_system(rubric), str(value), f"{value} {level.name}: {descriptor}"),
        "extension": [{"url": ITEM_WEIGHT, "valueDecimal": value}],
    }


def _question_item(rubric: Rubric, asked: FormQuestion, release: Release, group: str | None) -> dict[str, Any]:
    """A question's item, as the questionnaire form asks it (:func:`qimaturity.rubric.forms.build_form`: in the
    form's group's words, with evidence where it asks that group for it); for one respondent group (``group``),
    without ``enableWhen`` (its questionnaire holds only the questions it is asked)."""
    question = asked.question
    system = level_system(rubric)
    options = [_level_option(rubric, question, level.value) for level in rubric.levels]
    na_coding = _coding(system, NA_CODE, "Not applicable")
    if question.na_allowed:
        options.append({"valueCoding": na_coding})
    required = rubric.scoring.missing == "error"
    item = _choice_item(question.id, asked.text, release, required, options)
    all_groups = [group.id for group in rubric.respondent_groups]
    if group is None and question.respondents and set(question.respondents) != set(all_groups):
        names = {group.id: group.name for group in rubric.respondent_groups}
        codings = (_coding(group_system(rubric), g, names.get(g, g)) for g in question.respondents)
        item.update(_enable_when(GROUP_ITEM, codings))
    children: list[dict[str, Any]] = []
    help_text = asked.help
    if help_text:
        control = {"coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]}
        children.append(
            {
                "linkId": f"{question.id}/help",
                "type": "display",
                "text": help_text,
                "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": control}],
            }
        )
    if question.na_allowed:
        children.append(
            {
                "linkId": f"{question.id}/justification",
                "type": "text",
                "text": "Why does this question not apply to the organisation?",
                "required": question.na_justification,
                **_enable_when(question.id, [na_coding]),
            }
        )
    if asked.evidence_level is not None:
        start = asked.evidence_level.value
        at_or_above = [level for level in rubric.levels if level.value >= start]
        children.append(
            {
                "linkId": f"{question.id}/evidence",
                "type": "group",
                "repeats": True,
                "text": f"Evidence (an answer at level {start} or above needs it)",
                **_enable_when(question.id, (_coding(system, str(level.value), level.name) for level in at_or_above)),
                "item": [
                    {
                        "linkId": f"{question.id}/evidence/reference",
                        "type": "string",
                        "text": "Reference (document, board paper or link)",
                        "required": True,
                    },
                    {"linkId": f"{question.id}/evidence/date", "type": "date", "text": "Date of the evidence"},
                ],
            }
        )
    children.append({"linkId": f"{question.id}/comment", "type": "text", "text": "Comment (optional)"})
    item["item"] = children
    return item


def _check_link_ids(rubric: Rubric) -> None:
    seen: dict[str, str] = {GROUP_ITEM: "the respondent-group item"} if rubric.respondent_groups else {}
    problems = []
    for what, ident in [("domain", d.id) for d in rubric.domains] + [("question", q.id) for q in rubric.questions()]:
        if ident in seen:
            problems.append(
                Problem(
                    rubric.path or rubric.id,
                    None,
                    None,
                    "/",
                    f"the {what} id '{ident}' is also used by {seen[ident]}, and FHIR linkIds must be unique",
                    "rename one of them to export the rubric as a FHIR Questionnaire",
                )
            )
        seen.setdefault(ident, f"the {what} '{ident}'")
    if problems:
        raise InputError(problems)


def questionnaire(rubric: Rubric, release: Release = "R4", *, group: str | None = None) -> dict[str, Any]:
    """A FHIR Questionnaire (R4 or R5 JSON, as plain data) for the rubric, validated by fhir.resources.

    With ``group`` (a respondent group's id or name), the questionnaire of that group alone: only the questions
    it is asked, each in the group's words (the question's ``wording`` and ``help_for``), evidence only where the
    question asks that group for it, and no ``respondent-group`` item or ``enableWhen`` on it: its canonical URL,
    ``<url>/group/<group id>`` (``derivedFrom`` the rubric's questionnaire), says the group, and
    :func:`read_responses` takes a response's group from it. An unknown group is an :class:`InputError` with a
    did-you-mean.

    Items: ``respondent-group`` first when the rubric has groups (required); one ``group`` item per domain
    (linkId = domain id, text = title) holding one item per question (linkId = question id, type ``choice`` in
    R4 and ``coding`` in R5), with one answerOption per level: ``valueCoding`` {system ``<url>/levels``, code
    ``"3"``, display ``"3 Developing: <this question's descriptor>"``} and the ``itemWeight`` extension (the level
    value), plus a ``na`` option when the question allows N/A. A question asked of some groups only has
    ``enableWhen`` on ``respondent-group`` (``enableBehavior: any``). Questions are ``required`` when the rubric's
    ``missing`` policy is ``error`` (where N/A is allowed it is one of the options, so a required question never
    forces a level). Nested items: help (display), ``<id>/justification`` (enabled on N/A), ``<id>/evidence``
    (repeating group of ``reference`` and ``date``, enabled at ``evidence_from`` and above) and ``<id>/comment``.
    """
    if release not in ("R4", "R5"):
        raise ValueError(f"release must be 'R4' or 'R5', not {release!r}")
    form = build_form(rubric, group=group)  # the questions, words and evidence of every questionnaire format
    chosen = form.group
    gid = chosen.id if chosen is not None else None
    _check_link_ids(rubric)
    items: list[dict[str, Any]] = []
    if rubric.respondent_groups and chosen is None:
        options = [{"valueCoding": _coding(group_system(rubric), g.id, g.name)} for g in rubric.respondent_groups]
        items.append(_choice_item(GROUP_ITEM, "Which group do you answer as?", release, True, options))
    for part in form.domains:
        items.append(
            {
                "linkId": part.domain.id,
                "text": part.domain.title,
                "type": "group",
                "item": [_question_item(rubric, asked, release, gid) for asked in part.questions],
            }
        )
    name = rubric.id if chosen is None else f"{rubric.id}-{chosen.id}"
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _fhir_id(name),
        "url": questionnaire_url(rubric, gid),
        "version": rubric.version,
        "name": _computable_name(name),
        "title": rubric.title if chosen is None else f"{rubric.title} ({chosen.name})",
        "status": "active",
        "subjectType": ["Organization"],
        "item": items,
    }
    if chosen is not None:
        resource["derivedFrom"] = [f"{questionnaire_url(rubric)}|{rubric.version}"]
    if rubric.description:
        resource["description"] = rubric.description
    if rubric.authors:
        resource["publisher"] = ", ".join(rubric.authors)
    if rubric.licence:
        resource["copyright"] = f"Licence: {rubric.licence}"
    return _validated_questionnaire(resource, release, rubric)


def _validated_questionnaire(resource: dict[str, Any], release: Release, rubric: Rubric) -> dict[str, Any]:
    with extra_imports(WRITING):
        from pydantic import ValidationError

    file = rubric.path or rubric.id
    model = _model_getter("R4B" if release == "R4" else "R5", WRITING)("Questionnaire")
    try:
        validated = model.model_validate(resource)
    except ValidationError as exc:
        problems = [
            Problem(
                file,
                None,
                None,
                pointer(_error_path(error["loc"])),
                f"the FHIR {release} Questionnaire built from this rubric is not valid: {error['msg']}",
                "this is a bug in qimaturity: please report it with the rubric",
            )
            for error in exc.errors()
        ]
        raise InputError(problems) from None
    dumped: dict[str, Any] = validated.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def questionnaire_json(rubric: Rubric, release: Release = "R4", *, group: str | None = None) -> str:
    """:func:`questionnaire` as JSON text: indented by 2, keys sorted, so the same rubric gives the same bytes."""
    resource = questionnaire(rubric, release, group=group)
    return json.dumps(resource, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- import -------------------------------------------------------------------------------------------------


def _error_path(loc: Iterable[Any]) -> DocPath:
    """A pydantic error location as a JSON path: aliases restored, internal steps dropped."""
    path: list[str | int] = []
    for part in loc:
        if part == "root" or (isinstance(part, str) and "[" in part):
            continue
        if part == "resource_type":
            part = "resourceType"
        elif isinstance(part, str) and part.endswith("__ext"):
            part = "_" + part[: -len("__ext")]
        path.append(part)
    return tuple(path)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _name(path: DocPath) -> str:
    """How a message names the element at ``path``: 'answer', or 'entry[2]' for a list member."""
    if not path:
        return "the resource"
    if isinstance(path[-1], int):
        return f"{path[-2]}[{path[-1]}]" if len(path) > 1 else f"[{path[-1]}]"
    return str(path[-1])


def _at(data: Any, path: DocPath) -> Any:
    for part in path:
        present = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if present or (isinstance(data, dict) and part in data):
            data = data[part]
        else:
            return None
    return data


def _structure_message(error: dict[str, Any], path: DocPath, raw: Any) -> tuple[str, bool]:
    """A readable message for one pydantic error, and whether it is about a key (an element that should not be)."""
    kind = error.get("type", "")
    msg = str(error.get("msg", ""))
    name = _name(path)
    given = _at(raw, path)
    if kind in ("missing", "model_field_validation.missing"):
        return f"'{name}' is required here", False
    if kind == "extra_forbidden":
        return f"'{name}' is not an element of FHIR here", True
    if kind == "list_type":
        return f"'{name}' must be a list ([...]), not {_kind(given)}", False
    if kind in ("model_type", "dict_type", "json_invalid", "model_attributes_type", "model_validation_format"):
        return f"'{name}' must be an object ({{...}}), not {_kind(given)}", False
    if kind == "string_type":
        return f"'{name}' must be text, not {_kind(given)}", False
    if kind == "fhir-validation-wrong-resource-type":
        return f"resourceType is '{_at(raw, ('resourceType',))}' where another resource type is expected", False
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return f"'{name}': {msg}", False


def _parse_json(text: str, name: str) -> SourceDocument:
    """The JSON file's data, with the position of each value where the YAML reader can find it."""
    doc = parse_json(text, name)
    if not isinstance(doc.data, dict):
        raise InputError.single(name, f"the file holds {_kind(doc.data)}, not a FHIR resource", "give a JSON object")
    if doc.marks:
        return doc
    try:
        located = parse_yaml(text, name, keep_going=True)
    except InputError:
        return doc
    return SourceDocument(name, doc.data, located.marks, located.key_marks, doc.problems)


@dataclass
class _Response:
    """One QuestionnaireResponse read: one respondent of one organisation, and where each part came from."""

    path: DocPath
    troubled: bool = False
    org_id: str | None = None
    organisation: dict[str, Any] = field(default_factory=dict)
    org_path: DocPath = ()
    rubric_version: str | None = None
    questionnaire_path: DocPath = ()
    respondent_id: str | None = None
    group: str | None = None
    group_path: DocPath | None = None
    questionnaire_group: str | None = None
    """The respondent group whose questionnaire the response answers (``<url>/group/<id>``), if it is one's."""
    date: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    places: dict[str, dict[str, DocPath]] = field(default_factory=dict)
    failed: bool = False


class _Reader:
    def __init__(self, doc: SourceDocument, rubric: Rubric):
        self.doc = doc
        self.rubric = rubric
        self.problems: list[Problem] = []
        self.questions = {q.id: q for q in rubric.questions()}
        self.domains = {d.id for d in rubric.domains}
        self.groups = {g.id for g in rubric.respondent_groups}
        self.scale = {level.value for level in rubric.levels}
        self.scale_text = ", ".join(str(v) for v in sorted(self.scale))
        self.level_system = level_system(rubric)
        self.group_system = group_system(rubric)
        self.organizations: dict[str, dict[str, Any]] = {}
        self.responses_seen: list[_Response] = []

    def add(self, path: DocPath, message: str, hint: str = "", *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, hint, key=key))

    # --- structure ----------------------------------------------------------------------------------------

    def validate(self, kind: str, raw: Any, base: DocPath, what: str) -> dict[str, Any] | None:
        """``raw`` parsed by the fhir.resources model of ``kind`` (R5, else R4B), normalised; None on problems."""
        with extra_imports(READING):
            from pydantic import ValidationError

        failures: dict[str, list[dict[str, Any]]] = {}
        text = json.dumps(raw)
        for release in _RELEASES:
            model = _model_getter(release, READING)(kind)
            try:
                parsed = model.model_validate_json(text)
            except ValidationError as exc:
                failures[release] = [dict(error) for error in exc.errors()]
                continue
            except Exception as exc:  # fhir.resources raises KeyError and the like on some malformed input
                failures[release] = [{"loc": (), "type": "other", "msg": str(exc) or type(exc).__name__}]
                continue
            dumped: dict[str, Any] = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
            return dumped
        r5, r4 = failures["R5"], failures["R4B"]
        in_r4 = {(tuple(e["loc"]), e["type"]) for e in r4}
        common = [e for e in r5 if (tuple(e["loc"]), e["type"]) in in_r4]
        errors = common or (r5 if len(r5) < len(r4) else r4)
        for error in errors:
            path = _error_path(error["loc"])
            message, key = _structure_message(error, path, raw)
            self.add((*base, *path), message, f"the resource must be a valid FHIR R4 or R5 {what}", key=key)
        return None

    def read(self) -> list[dict[str, Any]]:
        data = self.doc.data
        resource_type = data.get("resourceType")
        responses: list[tuple[DocPath, Any]] = []
        if resource_type == "QuestionnaireResponse":
            responses.append(((), data))
        elif resource_type == "Bundle":
            responses = self.bundle(data)
        else:
            where: DocPath = ("resourceType",) if "resourceType" in data else ()
            message = (
                f"the file is a {resource_type} resource, not a QuestionnaireResponse or a Bundle of them"
                if isinstance(resource_type, str)
                else "the file has no resourceType: it is not a FHIR resource"
            )
            self.add(
                where, message, "export the responses as a QuestionnaireResponse or a Bundle (type collection) of them"
            )
        self.responses_seen = [self.response(path, raw) for path, raw in responses]
        return self.documents([r for r in self.responses_seen if not r.failed])

    def bundle(self, data: dict[str, Any]) -> list[tuple[DocPath, Any]]:
        entries = data.get("entry")
        shell = dict(data)
        if isinstance(entries, list):
            shell["entry"] = [
                {k: v for k, v in entry.items() if k != "resource"} if isinstance(entry, dict) else entry
                for entry in entries
            ]
        if self.validate("Bundle", shell, (), "Bundle") is None or not isinstance(entries, list):
            return []
        responses: list[tuple[DocPath, Any]] = []
        for index, entry in enumerate(entries):
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                continue
            kind = resource.get("resourceType")
            path: DocPath = ("entry", index, "resource")
            if kind == "QuestionnaireResponse":
                responses.append((path, resource))
            elif kind == "Organization":
                organization = self.validate("Organization", resource, path, "Organization")
                if organization is not None:
                    if isinstance(entry.get("fullUrl"), str):
                        self.organizations[entry["fullUrl"]] = organization
                    if "id" in organization:
                        self.organizations[f"Organization/{organization['id']}"] = organization
        if not responses:
            self.add(
                ("entry",) if entries else (),
                "the Bundle holds no QuestionnaireResponse",
                "put each response in an entry's resource",
            )
        return responses

    # --- one response -------------------------------------------------------------------------------------

    def response(self, path: DocPath, raw: Any) -> _Response:
        before = len(self.problems)
        response = self.read_response(path, raw)
        response.troubled = len(self.problems) > before
        return response

    def read_response(self, path: DocPath, raw: Any) -> _Response:
        response = _Response(path)
        resource = self.validate("QuestionnaireResponse", raw, path, "QuestionnaireResponse")
        if resource is None:
            response.failed = True
            return response
        status = resource.get("status")
        if status not in SCORED_STATUSES:
            self.add(
                (*path, "status") if status is not None else path,
                f"the response's status is '{status}'; only completed or amended responses can be scored"
                if status is not None
                else "the response has no status; only completed or amended responses can be scored",
                "finish the response, or leave it out of the file",
            )
        if self.canonical(resource, response):
            self.items(resource.get("item"), path, response)
            self.questionnaire_group(response)
        self.organisation(resource, response)
        if isinstance(resource.get("id"), str):
            response.respondent_id = resource["id"]
        authored = resource.get("authored")
        if isinstance(authored, str):
            if _FULL_DATE.match(authored):
                response.date = authored[:10]
            else:
                self.add(
                    (*path, "authored"),
                    f"authored '{authored}' is not a full date",
                    "give at least the day (YYYY-MM-DD): it is the assessment date, from which evidence age is "
                    "measured",
                )
        return response

    def canonical(self, resource: dict[str, Any], response: _Response) -> bool:
        """Check the questionnaire the response answers; False when it is another one (its items mean nothing)."""
        expected = questionnaire_url(self.rubric)
        version = self.rubric.version
        hint = f"read it with the rubric it was collected with, or set questionnaire to {expected}|{version}"
        canonical = resource.get("questionnaire")
        if not isinstance(canonical, str):
            self.add(response.path, "the response does not say which questionnaire it answers", hint)
            return False
        response.questionnaire_path = (*response.path, "questionnaire")
        url, _, given = canonical.partition("|")
        if url.startswith(expected + GROUP_PATH):
            # One respondent group's questionnaire: the group is part of its URL.
            group = url[len(expected + GROUP_PATH) :]
            if group not in self.groups:
                groups_text = ", ".join(g.id for g in self.rubric.respondent_groups) or "none"
                self.add(
                    response.questionnaire_path,
                    f"the response answers the questionnaire of group '{group}', which '{self.rubric.id}' does "
                    "not have",
                    did_you_mean(group, self.groups) or f"groups: {groups_text}",
                )
                return False
            response.questionnaire_group = group
            url = expected
        if url != expected:
            self.add(response.questionnaire_path, *self.other_questionnaire(url, expected, hint))
            return False
        if given:
            response.rubric_version = given
            if given != version:
                self.add(
                    response.questionnaire_path,
                    f"the response answers version {given} of '{self.rubric.id}'; this rubric is version "
                    f"{self.rubric.version}",
                    "read it with the version it was given to, or check it against this version and update the "
                    "questionnaire reference",
                )
        return True

    def other_questionnaire(self, url: str, expected: str, hint: str) -> tuple[str, str]:
        """The message and hint for a response to another questionnaire than the rubric's (at ``expected``)."""
        placeholder = canonical_for_base(PLACEHOLDER_FHIR_BASE, "")
        other = url[len(placeholder) :] if url.startswith(placeholder) else None
        if other and "/" not in other and other != self.rubric.id:
            return f"the response answers rubric '{other}', not this rubric's questionnaire ('{expected}')", hint
        root = url.rsplit(GROUP_PATH, 1)[0]  # the rubric's questionnaire, of one group's
        if root.rsplit("/", 1)[-1] == self.rubric.id:
            # This rubric's questionnaire, exported under another canonical URL: say how to read it.
            suffix = f"/Questionnaire/{self.rubric.id}"
            # --fhir-base is an option of import (and questionnaire): the other commands read the answers it writes.
            base = f"qimaturity import ... --fhir-base {root[: -len(suffix)]}, or " if root.endswith(suffix) else ""
            return (
                f"the response answers the questionnaire '{url}', but this rubric's canonical URL is '{expected}'",
                f"read it with the canonical URL it was exported with: {base}fhir.canonical: {root} in the rubric",
            )
        return f"the response answers the questionnaire '{url}', not this rubric's ('{expected}')", hint

    def questionnaire_group(self, response: _Response) -> None:
        """A response to one group's questionnaire is that group's: it need not say so, and may not say otherwise."""
        group = response.questionnaire_group
        if group is None:
            return
        if response.group is None:
            response.group, response.group_path = group, response.questionnaire_path
        elif response.group != group:
            self.add(
                response.group_path or response.path,
                f"the response gives its group as '{response.group}' but answers the questionnaire of group '{group}'",
                "a respondent answers their own group's questionnaire: check which form this response came from",
            )

    def organisation(self, resource: dict[str, Any], response: _Response) -> None:
        path = response.path
        hint = 'set subject to a reference to the organisation assessed, e.g. {"reference": "Organization/rx1"}'
        element = "subject"
        reference = resource.get("subject")
        if reference is None:
            for fallback in ("author", "source"):
                candidate = resource.get(fallback)
                if isinstance(candidate, dict) and self.referenced_type(candidate, resource) == "Organization":
                    element, reference = fallback, candidate
                    break
        if not isinstance(reference, dict):
            self.add(path, "the response has no subject: the organisation it assesses is unknown", hint)
            response.failed = True
            return
        where = (*path, element)
        response.org_path = where
        kind = self.referenced_type(reference, resource)
        if kind not in (None, "Organization"):
            self.add(where, f"the {element} is a {kind}, not an Organization", hint)
            response.failed = True
            return
        target = self.resolve(reference, resource)
        org_id: str | None = None
        ref = reference.get("reference")
        if target is not None:
            identifiers = [i.get("value") for i in target.get("identifier") or [] if isinstance(i, dict)]
            local = isinstance(ref, str) and ref.startswith("#")
            org_id = target.get("id") if not local else None
            org_id = org_id or next((v for v in identifiers if isinstance(v, str)), None) or target.get("id")
        elif isinstance(ref, str):
            match = _TYPED_REFERENCE.search(ref)
            if match:
                org_id = match.group(2)
            else:
                self.add(
                    (*where, "reference"),
                    f"the {element} reference '{ref}' cannot be resolved to an Organization",
                    "use Organization/ID, or the fullUrl of an Organization in the same Bundle",
                )
                response.failed = True
                return
        else:
            identifier = reference.get("identifier")
            value = identifier.get("value") if isinstance(identifier, dict) else None
            org_id = value if isinstance(value, str) else None
        if not org_id:
            self.add(where, f"the {element} names no organisation (no reference or identifier)", hint)
            response.failed = True
            return
        details = _organization_details(target) if target is not None else {}
        name = details.pop("name", None) or reference.get("display") or org_id
        response.org_id = org_id
        response.organisation = {"id": org_id, "name": name, **details}

    def referenced_type(self, reference: dict[str, Any], resource: dict[str, Any]) -> str | None:
        target = self.resolve(reference, resource)
        if target is not None:
            return str(target.get("resourceType"))
        ref = reference.get("reference")
        if isinstance(ref, str):
            match = _TYPED_REFERENCE.search(ref)
            if match:
                return match.group(1)
        kind = reference.get("type")
        return kind if isinstance(kind, str) else None

    def resolve(self, reference: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any] | None:
        """The resource a reference points to, when the file holds it (contained, or in the Bundle)."""
        ref = reference.get("reference")
        if not isinstance(ref, str):
            return None
        if ref.startswith("#"):
            for contained in resource.get("contained") or []:
                if isinstance(contained, dict) and contained.get("id") == ref[1:]:
                    return contained
            return None
        if ref in self.organizations:
            return self.organizations[ref]
        match = _TYPED_REFERENCE.search(ref)
        if match:
            return self.organizations.get(f"{match.group(1)}/{match.group(2)}")
        return None

    # --- items --------------------------------------------------------------------------------------------

    def known_link_ids(self) -> list[str]:
        known = [*self.domains, *self.questions]
        return [*known, GROUP_ITEM] if self.groups else known

    def items(self, items: Any, base: DocPath, response: _Response) -> None:
        for index, item in enumerate(items or []):
            path = (*base, "item", index)
            link_id = item["linkId"]
            if link_id in self.domains:
                if item.get("answer"):
                    self.add(
                        (*path, "answer"),
                        f"'{link_id}' is a domain, which takes no answer",
                        "answer the questions inside it",
                    )
                self.items(item.get("item"), path, response)
            elif link_id == GROUP_ITEM and self.groups:
                self.group(item, path, response)
            elif link_id in self.questions:
                self.question(item, path, response, self.questions[link_id])
            else:
                self.unknown(link_id, path)

    def unknown(self, link_id: str, path: DocPath, within: str | None = None) -> None:
        owner = link_id.split("/")[0]
        if within is None and "/" in link_id and owner in self.questions:
            self.add(
                (*path, "linkId"),
                f"'{link_id}' must be nested in the answer to question '{owner}'",
                "put it in that question's answer.item, as the questionnaire nests it",
            )
            return
        where = f" in the answer to '{within}'" if within else ""
        hint = did_you_mean(link_id, self.known_link_ids()) or (
            "the response must be made from this rubric's questionnaire, whose linkIds are its domain and question ids"
        )
        self.add((*path, "linkId"), f"unknown linkId '{link_id}'{where}: not a question of '{self.rubric.id}'", hint)

    def single_answer(self, item: dict[str, Any], path: DocPath, what: str) -> dict[str, Any] | None:
        answers = item.get("answer") or []
        if len(answers) > 1:
            self.add((*path, "answer", 1), f"{what} takes one answer; this item gives {len(answers)}", "keep one")
            return None
        return answers[0] if answers else None

    def group(self, item: dict[str, Any], path: DocPath, response: _Response) -> None:
        if response.group_path is not None:
            self.add((*path, "linkId"), "the respondent group is answered twice in this response", "keep one")
            return
        answer = self.single_answer(item, path, "the respondent group")
        if answer is None:
            return
        apath: DocPath = (*path, "answer", 0)
        groups_text = ", ".join(g.id for g in self.rubric.respondent_groups)
        coding = answer.get("valueCoding")
        code: Any
        if coding is not None:
            if coding.get("system") != self.group_system:
                self.add(
                    (*apath, "valueCoding", "system") if "system" in coding else (*apath, "valueCoding"),
                    f"the respondent group's {_system_problem(coding, self.group_system)}",
                    "answer with the coding the questionnaire offers: this system, and a group id as the code",
                )
                return
            code, where = coding.get("code"), (*apath, "valueCoding", "code")
        elif "valueString" in answer:
            code, where = answer["valueString"], (*apath, "valueString")
        else:
            self.add(apath, "the respondent group must be a coding (or text) naming a group", f"groups: {groups_text}")
            return
        if code not in self.groups:
            hint = did_you_mean(str(code), self.groups) or f"groups: {groups_text}"
            self.add(where, f"'{code}' is not a respondent group of '{self.rubric.id}'", hint)
            return
        response.group, response.group_path = code, where

    def question(self, item: dict[str, Any], path: DocPath, response: _Response, question: Question) -> None:
        qid = question.id
        if qid in response.places:
            first = pointer(response.places[qid][""])
            self.add((*path, "linkId"), f"question '{qid}' is answered twice in this response (first at {first})")
            return
        answer = self.single_answer(item, path, f"question '{qid}'")
        if answer is None:
            return  # shown but not answered: the respondent gave no answer to this question
        apath: DocPath = (*path, "answer", 0)
        read = self.level(answer, apath, question)
        if read is None:
            response.places[qid] = {"": path}
            return
        level, value_path = read
        places: dict[str, DocPath] = {"": path, "level": value_path, "na": value_path}
        extra: dict[str, Any] = {}
        children = [((*apath, "item", i), child) for i, child in enumerate(answer.get("item") or [])]
        children += [((*path, "item", i), child) for i, child in enumerate(item.get("item") or [])]
        for child_path, child in children:
            link_id = child["linkId"]
            if link_id in (f"{qid}/justification", f"{qid}/comment"):
                key = link_id.rsplit("/", 1)[1]
                text = self.text(child, child_path, f"the {key} of '{qid}'")
                if text is not None:
                    extra[key] = text
                    places[key] = child_path
            elif link_id == f"{qid}/evidence":
                evidence = self.evidence(child, child_path, qid, places, len(extra.get("evidence", [])))
                if evidence is not None:
                    extra.setdefault("evidence", []).append(evidence)
            elif link_id != f"{qid}/help":
                self.unknown(link_id, child_path, within=qid)
        response.places[qid] = places
        if level == NA_CODE:
            response.answers[qid] = {"na": True, **extra}
        elif extra:
            response.answers[qid] = {"level": level, **extra}
        else:
            response.answers[qid] = level

    def text(self, item: dict[str, Any], path: DocPath, what: str) -> str | None:
        answer = self.single_answer(item, path, what)
        if answer is None:
            return None
        if not isinstance(answer.get("valueString"), str):
            self.add((*path, "answer", 0), f"{what} must be text (valueString)", "answer with valueString")
            return None
        text: str = answer["valueString"]
        return text

    def evidence(
        self, item: dict[str, Any], path: DocPath, qid: str, places: dict[str, DocPath], index: int
    ) -> dict[str, Any] | None:
        evidence: dict[str, Any] = {}
        for i, child in enumerate(item.get("item") or []):
            child_path = (*path, "item", i)
            link_id = child["linkId"]
            if link_id == f"{qid}/evidence/reference":
                answer = self.single_answer(child, child_path, f"the evidence reference of '{qid}'")
                value = next((answer[k] for k in ("valueString", "valueUri") if answer and k in answer), None)
                if answer is not None and value is None:
                    self.add(
                        (*child_path, "answer", 0),
                        f"the evidence reference of '{qid}' must be text (valueString)",
                        "answer with valueString",
                    )
                    return None
                if value is not None:
                    evidence["reference"] = value
            elif link_id == f"{qid}/evidence/date":
                answer = self.single_answer(child, child_path, f"the evidence date of '{qid}'")
                value = next((answer[k] for k in ("valueDate", "valueDateTime") if answer and k in answer), None)
                if answer is not None and value is None:
                    self.add(
                        (*child_path, "answer", 0), f"the evidence date of '{qid}' must be a date", "use valueDate"
                    )
                    return None
                if value is not None:
                    date_path: DocPath = (*child_path, "answer", 0)
                    if not _FULL_DATE.match(value):
                        self.add(
                            date_path,
                            f"the evidence date '{value}' of '{qid}' is not a full date",
                            "give YYYY-MM-DD: evidence age is counted in days",
                        )
                        return None
                    evidence["date"] = value[:10]
                    places[f"evidence/{index}/date"] = date_path
            else:
                self.unknown(link_id, child_path, within=qid)
        if "reference" not in evidence:
            self.add(path, f"evidence for '{qid}' has no reference", f"answer {qid}/evidence/reference")
            return None
        places[f"evidence/{index}"] = path
        return evidence

    def weights(self, answer: dict[str, Any], path: DocPath) -> list[tuple[Any, DocPath]]:
        """The itemWeight/ordinalValue extensions on an answer and on its value, with their paths."""
        found: list[tuple[Any, DocPath]] = []
        holders: list[tuple[Any, DocPath]] = [(answer.get("extension"), (*path, "extension"))]
        for key, value in answer.items():
            if key.startswith(("value", "_value")) and isinstance(value, dict):
                holders.append((value.get("extension"), (*path, key, "extension")))
        for extensions, base in holders:
            for index, extension in enumerate(extensions or []):
                if extension.get("url") in WEIGHT_EXTENSIONS:
                    value_key = next((k for k in extension if k.startswith("value")), None)
                    where: DocPath = (*base, index, value_key) if value_key else (*base, index)
                    found.append((extension.get(value_key) if value_key else None, where))
        return found

    def as_level(self, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if float(value).is_integer() and int(value) in self.scale:
            return int(value)
        return None

    def level(self, answer: dict[str, Any], path: DocPath, question: Question) -> tuple[int | str, DocPath] | None:
        """The level (or "na") an answer gives, and the path of the value that gives it; None after a problem."""
        qid = question.id
        codes_hint = f"codes are {self.scale_text}" + (", or na" if question.na_allowed else "")
        weights = self.weights(answer, path)
        coding = answer.get("valueCoding")
        if coding is not None:
            cpath: DocPath = (*path, "valueCoding")
            if coding.get("system") != self.level_system:
                self.add(
                    (*cpath, "system") if "system" in coding else cpath,
                    f"question '{qid}': the {_system_problem(coding, self.level_system)}",
                    "answer with a coding the questionnaire offers: this system, and the level as the code",
                )
                return None
            code = coding.get("code")
            if code == NA_CODE:
                return NA_CODE, (*cpath, "code")
            level = next((v for v in self.scale if code == str(v)), None)
            if level is None:
                self.add(
                    (*cpath, "code") if code is not None else cpath,
                    f"question '{qid}': code {shown_text(code)} is not a level of the scale"
                    if code is not None
                    else f"question '{qid}': the coding has no code",
                    codes_hint,
                )
                return None
            for weight, wpath in weights:
                if weight != level:
                    self.add(
                        wpath,
                        f"question '{qid}': the weight {weight} disagrees with code '{code}'",
                        "make the itemWeight extension equal the level, or drop it",
                    )
                    return None
            return level, (*cpath, "code")
        for key in ("valueInteger", "valueDecimal"):
            if key in answer:
                level = self.as_level(answer[key])
                if level is None:
                    self.add((*path, key), f"question '{qid}': {answer[key]} is not a level of the scale", codes_hint)
                    return None
                return level, (*path, key)
        if weights:
            for weight, wpath in weights:
                level = self.as_level(weight)
                if level is None or level != self.as_level(weights[0][0]):
                    self.add(wpath, f"question '{qid}': the weight {weight} is not a level of the scale", codes_hint)
                    return None
            return self.as_level(weights[0][0]) or 0, weights[0][1]
        value_key = next((k for k in answer if k.startswith("value")), None)
        if value_key is None:
            self.add(path, f"question '{qid}': the answer has no value", f"answer with a coding of {self.level_system}")
        else:
            self.add(
                (*path, value_key),
                f"question '{qid}': a {value_key[len('value') :]} answer is not a level",
                f"answer with a coding from {self.level_system} (as the questionnaire offers), or a whole number",
            )
        return None

    # --- documents ----------------------------------------------------------------------------------------

    def documents(self, responses: list[_Response]) -> list[dict[str, Any]]:
        by_org: dict[str, list[_Response]] = {}
        for response in responses:
            if response.org_id is not None:
                by_org.setdefault(response.org_id, []).append(response)
        # A response refused outright (bad structure, no organisation) may have held any organisation's answers.
        refused = len(responses) < len(self.responses_seen)
        documents = []
        for org_id, members in by_org.items():
            document = self.document(members)
            self.unique_respondents(members, document["respondents"])
            reported = {problem.path for problem in self.problems}
            troubled = refused or any(member.troubled for member in members)
            for problem in check_answers_document(SourceDocument(self.doc.name, document), self.rubric):
                if troubled and problem.path in ("/", "/respondents", "/answers"):
                    continue  # e.g. a question missing because its answer was refused: said once that is fixed
                placed = self.placed(problem, org_id, members)
                if placed.path not in reported:
                    self.problems.append(placed)
            documents.append(document)
        return documents

    def unique_respondents(self, members: list[_Response], respondents: list[dict[str, Any]]) -> None:
        first: dict[str, DocPath] = {}
        for member, respondent in zip(members, respondents, strict=True):
            where: DocPath = (*member.path, "id") if member.respondent_id else member.path
            if respondent["id"] in first:
                line, _ = self.doc.locate(first[respondent["id"]])
                at = f" (first at line {line})" if line is not None else ""
                self.add(where, f"duplicate respondent id '{respondent['id']}'{at}", "give each response its own id")
            first.setdefault(respondent["id"], where)

    def document(self, members: list[_Response]) -> dict[str, Any]:
        first = members[0]
        version = next((m.rubric_version for m in members if m.rubric_version), None)
        rubric: dict[str, Any] = {"id": self.rubric.id}
        if version is not None:
            rubric["version"] = version
        document: dict[str, Any] = {"rubric": rubric, "organisation": first.organisation}
        dates = [m.date for m in members if m.date]
        if dates:
            document["date"] = max(dates)
        respondents = []
        for number, member in enumerate(members, start=1):
            respondent: dict[str, Any] = {"id": member.respondent_id or f"r{number}"}
            if member.group is not None:
                respondent["group"] = member.group
            respondent["answers"] = member.answers
            respondents.append(respondent)
        document["respondents"] = respondents
        return document

    def placed(self, problem: Problem, org_id: str, members: list[_Response]) -> Problem:
        """A problem of a generated answers document, placed in the FHIR file."""
        parts: list[str] = [p.replace("~1", "/").replace("~0", "~") for p in problem.path.split("/")[1:]]
        first = members[0]
        where: DocPath | None = None
        if len(parts) >= 2 and parts[0] == "respondents" and parts[1].isdigit() and int(parts[1]) < len(members):
            member = members[int(parts[1])]
            rest = parts[2:]
            if rest[:1] == ["answers"] and len(rest) >= 2 and rest[1] in member.places:
                places = member.places[rest[1]]
                tail = rest[2:]
                while where is None:
                    where = places.get("/".join(tail))
                    tail = tail[:-1]
            elif rest[:1] == ["group"]:
                where = member.group_path or member.path
            elif rest[:1] == ["id"]:
                where = (*member.path, "id")
            else:
                where = member.path
        elif parts[:1] == ["organisation"]:
            where = first.org_path
        elif parts[:1] == ["rubric"]:
            where = first.questionnaire_path or first.path
        elif parts[:1] == ["date"]:
            latest = max(members, key=lambda m: m.date or "")
            where = (*latest.path, "authored")
        message = problem.message
        if where is None:
            where = first.path
            count = f"{len(members)} response{'s' if len(members) != 1 else ''}"
            message = f"organisation '{org_id}' ({count}): {message}"
        line, column = self.doc.locate(where)
        return Problem(problem.file, line, column, pointer(where), message, problem.hint)


def _system_problem(coding: dict[str, Any], expected: str) -> str:
    """What is wrong with a coding's system, and what was expected: "coding has no system; expected '...'"."""
    system = coding.get("system")
    found = "coding has no system" if system is None else f"coding's system is '{system}'"
    return f"{found}; expected '{expected}'"


def _organization_details(organization: dict[str, Any]) -> dict[str, Any]:
    """Name, type and region of an Organization resource (R4: address; R5: contact[].address)."""
    details: dict[str, Any] = {}
    if isinstance(organization.get("name"), str):
        details["name"] = organization["name"]
    for concept in organization.get("type") or []:
        code = next((c.get("code") for c in concept.get("coding") or [] if c.get("code")), None)
        if code or concept.get("text"):
            details["type"] = code or concept["text"]
            break
    addresses = list(organization.get("address") or [])
    addresses += [c["address"] for c in organization.get("contact") or [] if isinstance(c.get("address"), dict)]
    for address in addresses:
        region = address.get("district") or address.get("state")
        if region:
            details["region"] = region
            break
    return details


def read_responses(path: Path | str, rubric: Rubric, *, display: str | None = None) -> list[dict[str, Any]]:
    """QuestionnaireResponse resources (one, or a Bundle of them; R4 or R5 JSON) as answers documents.

    One document per organisation (the responses' ``subject``), in the order the organisations first appear;
    each response is one respondent. Raises :class:`InputError` with every problem found, each placed at its
    JSON path (e.g. ``/entry/2/resource/item/0/item/3/answer/0/valueCoding/code``), line and column. See the
    module documentation for how organisation, respondent, group, date and levels are read.
    """
    path = Path(path)
    name = display or str(path)
    text = read_text(path, display=name)
    _model_getter("R5", READING)  # fail early, naming the fhir extra, when it is not installed
    doc = _parse_json(text, name)
    reader = _Reader(doc, rubric)
    documents = reader.read()
    if reader.problems or doc.problems:
        raise InputError(sort_problems([*doc.problems, *reader.problems]))
    return documents
