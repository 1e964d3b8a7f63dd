"""What scoring produces: immutable results per question, domain and overall, each with its trace.

Rendering formats a :class:`Result`; it never computes a score. ``Result.to_dict`` is the JSON form described
by ``schemas/result.schema.json``: sorted keys, floats at full precision (never -0.0), no timestamps, so identical
inputs give byte-identical output.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, Literal

from qimaturity._core.frozen import FrozenMap
from qimaturity.answers.model import EvidenceRecord
from qimaturity.rubric.model import UnknownIdError

if TYPE_CHECKING:
    import pandas
    import polars

from qimaturity._core.numbers import fixed, full

Status = Literal["answered", "na", "missing"]


@dataclass(frozen=True)
class TraceInput:
    """One input to a calculation: a respondent's answer, a question or a domain."""

    id: str
    value: float | None
    weight: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """A rule, policy or what-if that changed a level (or only flagged it)."""

    kind: Literal["cap", "gate", "staged", "evidence", "na", "missing", "what_if"]
    rule: str | None
    description: str
    level_before: int | None = None
    level_after: int | None = None
    applied: bool = True


@dataclass(frozen=True)
class Trace:
    """How a value was reached: which inputs, which method, which arithmetic, which rules."""

    method: str
    inputs: tuple[TraceInput, ...]
    arithmetic: str
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class BandPosition:
    id: str
    name: str
    position: float
    third: Literal["lower", "middle", "upper"]


@dataclass(frozen=True)
class Interval:
    """A 95 % interval around a value from the spread of its respondents (see :mod:`qimaturity.scoring.intervals`)."""

    low: float
    high: float
    standard_error: float
    respondents: int
    """How many respondents had a score for it."""


@dataclass(frozen=True)
class GroupValue:
    group: str
    value: float
    respondents: int
    agreement: float | None = None
    """r_wg within the group; ``None`` with fewer answers than the rubric's ``agreement_min_respondents``."""


@dataclass(frozen=True)
class SuppressedGroup:
    """A respondent group whose value is not shown: too few respondents to keep them anonymous and the value stable."""

    group: str
    reason: str
    """``fewer than K respondents``, K the rubric's ``min_group_size``."""


@dataclass(frozen=True)
class RespondentCount:
    group: str | None
    respondents: int


@dataclass(frozen=True)
class PerceptionGap:
    """Group a's value minus group b's; flagged when at least the rubric's gap threshold."""

    group_a: str
    group_b: str
    value_a: float
    value_b: float
    gap: float
    flagged: bool


@dataclass(frozen=True)
class AnswerRecord:
    respondent: str
    group: str | None
    level: int | None
    counted_level: int | None
    justification: str | None = None
    comment: str | None = None
    evidence: tuple[str, ...] = ()
    evidence_flag: str | None = None
    evidence_ids: tuple[str, ...] = ()
    """The ids of the evidence register's entries the answer cites (its free-text evidence has none)."""


def _reached(value: float | None, level: int | None, level_name: str | None = None, held: int | None = None) -> str:
    """A value and level for a short repr: ``3.10 level 3 Developing`` (``3.79 held at level 3 Developing``)."""
    if value is None:
        return "no value"
    how = "held at level" if held is not None else "level"
    return f"{fixed(value)} {how} {level}" + (f" {level_name}" if level_name else "")


def held_words(value: float | None, held_level: int | None, held_by: tuple[str, ...]) -> str:
    """A value with the level a rule holds it at, for people: ``3.79, held at level 3 by: critical-items-cap``;
    the value alone when nothing holds it."""
    shown = "-" if value is None else fixed(value)
    if held_level is None:
        return shown
    return f"{shown}, held at level {held_level} by: {', '.join(held_by)}"


@dataclass(frozen=True)
class QuestionResult:
    id: str
    domain_id: str
    status: Status
    value: float | None
    level: int | None
    counted: bool
    critical: bool
    weight: float
    target: int | None
    gap: int | None
    answers: tuple[AnswerRecord, ...]
    by_group: tuple[GroupValue, ...]
    """The value of each respondent group large enough to show (see :attr:`suppressed_groups`)."""
    suppressed_groups: tuple[SuppressedGroup, ...]
    """Groups that answered but have fewer respondents than the rubric's ``min_group_size``: not shown."""
    perception_gaps: tuple[PerceptionGap, ...]
    agreement: float | None
    """The lowest within-group r_wg (see :attr:`agreement_group`); ``None`` when no group had enough answers."""
    agreement_group: str | None
    """The group whose r_wg is :attr:`agreement`; ``None`` for the respondents with no group (or no agreement)."""
    disagreement: bool
    """Respondents disagreed: some group's r_wg is below the rubric's ``agreement_threshold``."""
    trace: Trace

    def __repr__(self) -> str:
        status = "" if self.status == "answered" else f" ({'N/A' if self.status == 'na' else self.status})"
        return f"<QuestionResult {self.id} {_reached(self.value, self.level)}{status}, {len(self.answers)} answer(s)>"


@dataclass(frozen=True)
class DomainResult:
    id: str
    title: str
    value: float | None
    raw_value: float | None
    level: int | None
    level_name: str | None
    percent: float | None
    points: float | None
    max_points: float | None
    band: BandPosition | None
    weight: float
    target: int | None
    gap: int | None
    answered: int
    not_applicable: int
    missing: int
    perception_gaps: tuple[PerceptionGap, ...]
    questions: tuple[QuestionResult, ...]
    trace: Trace
    raw_level: int | None = None
    """The level the value alone gives, before any rule."""
    held_level: int | None = None
    """The level a rule in force holds this at (then ``level``), ``None`` when no rule holds it."""
    held_by: tuple[str, ...] = ()
    """The rules holding the level at ``held_level``."""
    interval: Interval | None = None

    def __repr__(self) -> str:
        return f"<DomainResult {self.id} {_reached(self.value, self.level, self.level_name, self.held_level)}>"


@dataclass(frozen=True)
class OverallResult:
    value: float | None
    raw_value: float | None
    level: int | None
    level_name: str | None
    percent: float | None
    points: float | None
    max_points: float | None
    band: BandPosition | None
    target: int | None
    gap: int | None
    trace: Trace
    raw_level: int | None = None
    """The level the value alone gives, before any rule."""
    held_level: int | None = None
    """The level a rule in force holds this at (then ``level``), ``None`` when no rule holds it."""
    held_by: tuple[str, ...] = ()
    """The rules holding the level at ``held_level``."""
    interval: Interval | None = None

    def __repr__(self) -> str:
        return f"<OverallResult {_reached(self.value, self.level, self.level_name, self.held_level)}>"


@dataclass(frozen=True)
class Priority:
    rank: int
    question_id: str
    domain_id: str
    text: str
    critical: bool
    level: int
    target: int
    gap: int
    score: float
    next_level: int | None
    next_step: str | None
    next_descriptor: str | None
    measure: str | None
    """How to tell that the next step worked: the step's own measure (a process measure checkable at 30 days),
    else the question's, else ``None``."""
    owner: str | None
    """The role the rubric suggests to own the next step, ``None`` when it names none."""
    respondents_at_next: int
    respondents: int


@dataclass(frozen=True)
class RubricRef:
    id: str
    version: str
    title: str
    content_hash: str


@dataclass(frozen=True)
class OrganisationRef:
    id: str
    name: str
    type: str | None
    region: str | None
    metadata: FrozenMap[str, str | int | float | bool]


@dataclass(frozen=True)
class Projection:
    """A what-if: the levels the organisation would reach if some questions were at the given levels."""

    changes: FrozenMap[str, int]
    """Question id -> the level it was set to."""
    overall: OverallResult
    domains: tuple[DomainResult, ...]


@dataclass(frozen=True)
class Result:
    """The scored assessment. Build one with :func:`qimaturity.score`."""

    engine: str
    rubric: RubricRef
    organisation: OrganisationRef
    date: str | None
    assessor: str | None
    respondents: tuple[RespondentCount, ...]
    overall: OverallResult
    domains: tuple[DomainResult, ...]
    priorities: tuple[Priority, ...]
    projection: Projection | None = None
    evidence: tuple[EvidenceRecord, ...] = ()
    """The assessment's evidence register, which answers refer to by id."""

    def domain(self, domain_id: str) -> DomainResult:
        """The domain's result; a ``KeyError`` naming the closest id when there is no such domain."""
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise UnknownIdError("domain", domain_id, self.rubric.id, (d.id for d in self.domains))

    def question(self, question_id: str) -> QuestionResult:
        """The question's result; a ``KeyError`` naming the closest id when there is no such question."""
        for domain in self.domains:
            for question in domain.questions:
                if question.id == question_id:
                    return question
        raise UnknownIdError("question", question_id, self.rubric.id, (q.id for d in self.domains for q in d.questions))

    def __repr__(self) -> str:
        org = self.organisation
        when = f" {self.date}" if self.date else ""
        what_if = ", with a what-if" if self.projection is not None else ""
        o = self.overall
        return (
            f"<Result {org.id} {org.name!r}{when}, {self.rubric.id} {self.rubric.version}: "
            f"overall {_reached(o.value, o.level, o.level_name, o.held_level)}{what_if}>"
        )

    def slim(self) -> Result:
        """The result without per-question detail, traces or priorities: what a cohort needs, in a fraction of
        the memory."""
        empty = Trace("", (), "")
        domains = tuple(dataclasses.replace(d, questions=(), trace=empty) for d in self.domains)
        overall = dataclasses.replace(self.overall, trace=empty)
        return dataclasses.replace(self, domains=domains, overall=overall, priorities=(), projection=None)

    def to_dict(self, *, trace: bool = True) -> dict[str, Any]:
        """The JSON form (see ``schemas/result.schema.json``). Without ``trace`` the nodes leave out what explains
        them, the ``trace`` of every question, domain and the overall result and each question's ``answers``
        (what ``qimaturity score --format json`` writes unless given ``--trace``): a fraction of the size."""
        data: dict[str, Any] = (_TRACED if trace else _UNTRACED)(self)
        return data

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of ``qimaturity score --format csv`` as dicts: one for the overall result, each domain and each
        question, one per respondent group's view of a question and one per perception gap, with the CSV's
        columns (:data:`qimaturity.scoring.tables.COLUMNS`). Numbers are ints and floats at full precision (as
        the CSV writes them), ``None`` where the CSV has an empty cell."""
        from qimaturity.scoring.tables import result_records

        return result_records(self)

    def to_polars(self) -> polars.DataFrame:
        """:meth:`to_records` as a Polars data frame, one typed column per CSV column (needs the scale extra, Polars:
        without it, :class:`~qimaturity._core.extras.ExtraMissing` says so)."""
        from qimaturity.scoring.frames import polars_frame

        return polars_frame([self])

    def to_pandas(self) -> pandas.DataFrame:
        """:meth:`to_records` as a pandas data frame, whole-number columns as nullable ``Int64`` (needs pandas:
        ``pip install pandas``; an ``ImportError`` says so when it is missing)."""
        from qimaturity.scoring.frames import pandas_frame

        return pandas_frame([self])


EXPLANATION = ("trace", "answers")
"""The fields that explain a node rather than state it: in the JSON form only when asked for (``trace=True``)."""

# Field types whose values the JSON form keeps as they are, and those that are numbers (floats at full precision,
# never -0.0), as the result classes annotate them.
_AS_IS = frozenset({"str", "str | None", "int", "int | None", "bool", "Status"})
_NUMBERS = frozenset({"float", "float | None"})
_TEXTS = frozenset({"tuple[str, ...]"})


def _serializer(
    kind: type, traced: bool, plain: Callable[[Any], Any], ordered: bool = False
) -> Callable[[Any], dict[str, Any]]:
    """A function giving the JSON data of an instance of the dataclass ``kind``: a dict of its fields (without
    :data:`EXPLANATION` unless ``traced``), in their order (by name when ``ordered``), written once as code, so that
    each field costs an attribute read; a field whose type is not known to be plain goes through ``plain``."""
    items = []
    fields = dataclasses.fields(kind)
    for index, field in sorted(enumerate(fields), key=lambda f: f[1].name) if ordered else enumerate(fields):
        name = field.name
        if not traced and name in EXPLANATION:
            continue
        annotation = field.type if isinstance(field.type, str) else ""
        if annotation in _AS_IS or annotation.startswith("Literal["):
            expression = f"v.{name}"
        elif annotation in _NUMBERS:
            # 0.0 for a zero float (never -0.0); an int or None as it is.
            expression = f"(x{index} if (x{index} := v.{name}) or type(x{index}) is not float else 0.0)"
        elif annotation in _TEXTS:
            expression = f"[plain(t) for t in v.{name}]"
        else:
            expression = f"plain(v.{name})"
        items.append(f"{name!r}: {expression}")
    source = f"def serialize(v):\n    return {{{', '.join(items)}}}\n"
    namespace: dict[str, Any] = {"plain": plain}
    exec(compile(source, f"<JSON form of {kind.__name__}>", "exec"), namespace)  # noqa: S102 - our own source
    serialize: Callable[[Any], dict[str, Any]] = namespace["serialize"]
    return serialize


def _plain_function(traced: bool, ordered: bool = False) -> Callable[[Any], Any]:
    """The function giving ``value`` as JSON data: dataclasses as dicts of their fields (with their traces when
    ``traced``; see :func:`_serializer`, made once per class), tuples as lists, floats in full; with ``ordered``,
    every dict's keys in the order ``json.dumps(..., sort_keys=True)`` writes them, so that it need not sort them.
    Dispatch on the exact type first: a result holds tens of thousands of values, and generic checks
    (``dataclasses.is_dataclass``) on each were most of the time."""
    serializers: dict[type, Callable[[Any], dict[str, Any]]] = {}

    def plain(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            return value
        if kind is float:
            return 0.0 if value == 0 else value
        serialize = serializers.get(kind)
        if serialize is not None:
            return serialize(value)
        if kind is tuple or kind is list:
            return [plain(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            serialize = serializers[kind] = _serializer(kind, traced, plain, ordered)
            return serialize(value)
        if isinstance(value, Mapping):
            # sort_keys sorts the (key, value) pairs: the same order
            return {key: plain(item) for key, item in (sorted(value.items()) if ordered else value.items())}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, float):
            return full(value)
        return value

    return plain


_TRACED = _plain_function(True)
_UNTRACED = _plain_function(False)
_TRACED_ORDERED = _plain_function(True, ordered=True)
_UNTRACED_ORDERED = _plain_function(False, ordered=True)


def json_data(result: Result, *, trace: bool = True) -> dict[str, Any]:
    """:meth:`Result.to_dict` with every dict's keys in sorted order: ``json.dumps`` of it without ``sort_keys``
    writes what ``json.dumps(result.to_dict(), sort_keys=True)`` writes, without sorting each dict again."""
    data: dict[str, Any] = (_TRACED_ORDERED if trace else _UNTRACED_ORDERED)(result)
    return data


# The JSON text of a result, written directly: what ``json.dumps(json_data(result, trace=...), ensure_ascii=False,
# separators=(",", ":"))`` writes, in a third of the time. json_data builds tens of thousands of dicts and lists
# for json's encoder to walk again; these writers walk the result once, the same way (the field classes above, the
# same dispatch as _plain_function), and give each value json's own text. tests/test_result_json.py holds the two
# equal on generated results of every bundled rubric.

_FLOAT_WORDS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
"""json's words for the floats whose repr is not JSON."""
_CACHED = 8192
"""How many encoded strings (and numbers) a writer keeps: ids, titles, level names and priority texts repeat in
every result of a rubric; past this many it starts again, so that free text cannot fill the memory."""
_SHARED = (QuestionResult, Priority)
"""The classes whose instances the engine shares between results (a question's result without details, a
priority: see ``Scorer.score_question`` and ``Scorer.priorities``): the writer without traces keeps each one's
text, by identity, and writes it once."""
_SHARED_KEPT = 16_384
"""How many shared objects' texts a writer keeps (as many as the engine shares: about 600 bytes of text each)."""
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _text_serializer(kind: type, traced: bool, namespace: dict[str, Any]) -> Callable[[Any], str]:
    """A function giving the JSON text of an instance of the dataclass ``kind``: its fields by name, each written
    as :func:`_serializer` ``(ordered=True)`` gives it and ``json.dumps`` writes that, as one f-string; the
    helpers it calls are :func:`_text_function`'s (in ``namespace``)."""
    pieces = []
    for index, field in sorted(enumerate(dataclasses.fields(kind)), key=lambda f: f[1].name):
        name = field.name
        if not traced and name in EXPLANATION:
            continue
        annotation = field.type if isinstance(field.type, str) else ""
        x = f"x{index}"
        # Each type json_data keeps as it is written inline as json writes it (a known string from the cache);
        # anything else (a value of another type than the annotation's) through the helper that mirrors json_data.
        if annotation in ("str", "Status") or annotation.startswith("Literal["):
            expression = f"((strings.get({x}) or string({x})) if type({x} := v.{name}) is str else as_is({x}))"
        elif annotation == "str | None":
            expression = (
                f'("null" if ({x} := v.{name}) is None else (strings.get({x}) or string({x})) if type({x}) is str'
                f" else as_is({x}))"
            )
        elif annotation == "bool":
            expression = f'("true" if ({x} := v.{name}) is True else "false" if {x} is False else as_is({x}))'
        elif annotation in ("int", "int | None"):
            expression = f'("null" if ({x} := v.{name}) is None else int_text({x}) if type({x}) is int else as_is({x}))'
        elif annotation in _AS_IS:
            expression = f"as_is(v.{name})"
        elif annotation in _NUMBERS:
            expression = (
                f'("null" if ({x} := v.{name}) is None else (floats.get({x}) or number({x})) if type({x}) is float'
                f" else as_is({x}))"
            )
        elif annotation in _TEXTS:
            expression = f'("[]" if ({x} := v.{name}) == () else sequence({x}))'
        elif annotation.startswith("tuple["):  # often empty (no group large enough to show, no perception gap)
            expression = f'("[]" if ({x} := v.{name}) == () else (writer(type({x})) or text)({x}))'
        else:  # a tuple, a dataclass, a mapping: by the writer of its type (text's, which makes it, the first time)
            expression = f'("null" if ({x} := v.{name}) is None else (writer(type({x})) or text)({x}))'
        pieces.append(f"{json.dumps(name)}:{{{expression}}}")
    source = f"def write(v):\n    return f'{{{{{','.join(pieces)}}}}}'\n"
    made: dict[str, Any] = {}  # the function's own (its globals are the shared namespace)
    exec(compile(source, f"<JSON text of {kind.__name__}>", "exec"), namespace, made)  # noqa: S102 - our own source
    write: Callable[[Any], str] = made["write"]
    return write


def _text_function(traced: bool) -> Callable[[Any], str]:
    """The function giving ``value``'s JSON text as ``json.dumps`` writes ``_plain_function(traced, ordered=True)``
    of it (compact, ``ensure_ascii=False``): dataclasses through :func:`_text_serializer`, made once per class."""
    strings: dict[str, str] = {}
    floats: dict[float, str] = {}

    # The caches are read with get, written whole and emptied with clear (never replaced): writers running in
    # several threads at once may do some work twice, never see a text half made or a key vanish between looking
    # and reading.
    def string(value: str) -> str:
        encoded = strings.get(value)
        if encoded is None:
            if len(strings) >= _CACHED:
                strings.clear()
            encoded = strings[value] = encode_basestring(value)
        return encoded

    def number(value: float) -> str:
        # A float: 0.0 for a zero (never -0.0), as plain() gives it; NaN and the infinities as json writes them.
        written = floats.get(value)
        if written is None:
            if value == 0:
                written = "0.0"
            else:
                written = float.__repr__(value)
                written = _FLOAT_WORDS.get(written, written)
            if len(floats) >= _CACHED:
                floats.clear()
            floats[value] = written
        return written

    # The texts of shared objects by id, each beside its object: an id is not reused while its object is kept.
    shared: dict[int, tuple[Any, str]] = {}

    def once(write: Callable[[Any], str]) -> Callable[[Any], str]:
        def write_shared(value: Any) -> str:
            found = shared.get(id(value))
            if found is not None and found[0] is value:
                return found[1]
            written = write(value)
            if len(shared) >= _SHARED_KEPT:
                shared.clear()
            shared[id(value)] = (value, written)
            return written

        return write_shared

    def as_is(value: Any) -> str:
        # A value json_data keeps as it is, written as json.dumps writes it.
        kind = type(value)
        if kind is str:
            return string(value)
        if value is None:
            return "null"
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return int.__repr__(value)
        return _COMPACT(value)

    def sequence(values: Any) -> str:
        return "[" + ",".join([(writer(type(value)) or text)(value) for value in values]) + "]"

    def key(value: Any) -> str:
        if type(value) is str:
            return string(value)
        return _COMPACT({value: None})[1:-6]  # json's own rule for a key that is not a str: "1.5", "true", ...

    def mapping(value: Mapping[Any, Any]) -> str:
        # sort_keys sorts the (key, value) pairs: json_data's order
        return "{" + ",".join([key(k) + ":" + text(v) for k, v in sorted(value.items())]) + "}"

    writers: dict[type, Callable[[Any], str]] = {
        str: string,
        int: int.__repr__,
        bool: lambda value: "true" if value else "false",
        type(None): lambda value: "null",
        float: number,
        tuple: sequence,
        list: sequence,
    }
    namespace = {
        "string": string,
        "number": number,
        "strings": strings,
        "floats": floats,
        "as_is": as_is,
        "sequence": sequence,
        "int_text": int.__repr__,
    }
    writer = namespace["writer"] = writers.get

    def text(value: Any) -> str:
        kind = type(value)
        write = writers.get(kind)
        if write is not None:
            return write(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            write = _text_serializer(kind, traced, namespace)
            if not traced and kind in _SHARED:  # shared only when scored without details, written without traces
                write = once(write)
            writers[kind] = write
            return write(value)
        if isinstance(value, Mapping):
            return mapping(value)
        if isinstance(value, tuple | list):
            return sequence(value)
        if isinstance(value, float):
            return number(full(value))  # type: ignore[arg-type]
        return as_is(value)

    namespace["text"] = text
    return text


_TRACED_TEXT = _text_function(True)
_UNTRACED_TEXT = _text_function(False)


def json_text(result: Result, *, trace: bool = True) -> str:
    """The JSON text of :func:`json_data` on one line: ``json.dumps(json_data(result, trace=trace),
    ensure_ascii=False, separators=(",", ":"))``, written directly (see :func:`_text_function`)."""
    return (_TRACED_TEXT if trace else _UNTRACED_TEXT)(result)
