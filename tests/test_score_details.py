"""Scoring without details (``score(..., details=False)``) states the same numbers as the full result.

``qimaturity score --format json`` without ``--trace`` writes no traces and no answer records, so it scores without
building them: the numbers come from a second path through the row engine (the statistics of each question
from its answers' levels alone, worked out once per set of answers, and no trace text). Its JSON without traces must
be the full result's, byte for byte, on every rubric we have, with N/A policies and pooling drawn as the engines'
agreement test draws them, evidence cited or not (old, recent, undated), targets and what-ifs.

The JSON form itself is made by serializers written once per result class: it must be what a plain walk over the
dataclasses gives (each field, tuples as lists, floats with 0.0 for zero), with and without traces.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.frozen import FrozenMap, maker
from qimaturity.answers.model import Answer, Assessment, EvidenceItem, Organisation, Respondent
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.engine import NO_TRACE, QuestionStats
from qimaturity.scoring.result import Priority, Result
from qimaturity.scoring.tables import result_json

from .conftest import DATA, ROOT

RUBRIC_FILES = sorted(
    [ROOT / "rubrics" / "qi-readiness.yaml", ROOT / "rubrics" / "qi-programme-stages.yaml"]
    + list((DATA / "rubrics").glob("*.yaml"))
    + list((DATA / "scoring" / "rubrics").glob("*.yaml"))
)
RUBRIC_PATHS = {path.stem: path for path in RUBRIC_FILES}
_LOADED: dict[str, Rubric] = {}


def rubric_named(name: str) -> Rubric:
    if name not in _LOADED:
        _LOADED[name] = load_rubric(RUBRIC_PATHS[name])
    return _LOADED[name]


DATE = "2026-06-30"
EVIDENCE = [
    (),
    (EvidenceItem("Board paper", "2026-05-01"),),  # recent
    (EvidenceItem("Old audit", "2019-01-01"),),  # older than any age limit
    (EvidenceItem("Undated note", None),),
]


@st.composite
def policies(draw: st.DrawFn, rubric: Rubric) -> Rubric:
    """The rubric as written, or with drawn N/A policies per question, pooling by group with drawn weights, another
    reading of an even median, a smaller or larger min_group_size and evidence capped or flagged."""
    if draw(st.booleans()):
        kinds = st.sampled_from([None, "exclude", "count_as_met", "count_as_lowest", "anchor_to_target"])
        domains = tuple(
            dataclasses.replace(
                d,
                questions=tuple(
                    dataclasses.replace(q, na_allowed=draw(st.booleans()), na_counts_as=draw(kinds))
                    for q in d.questions
                ),
            )
            for d in rubric.domains
        )
        rubric = dataclasses.replace(rubric, domains=domains)
    scoring = rubric.scoring
    if draw(st.booleans()):
        weights = st.sampled_from([0.5, 1.0, 1.5, 3.0])
        groups = tuple(dataclasses.replace(g, weight=draw(weights)) for g in rubric.respondent_groups)
        rubric = dataclasses.replace(rubric, respondent_groups=groups)
        scoring = dataclasses.replace(scoring, pooling="groups")
    scoring = dataclasses.replace(
        scoring,
        even_median=draw(st.sampled_from(["mean", "lower", "upper"])),
        min_group_size=draw(st.sampled_from([1, 2, scoring.min_group_size])),
        evidence=dataclasses.replace(scoring.evidence, on_missing=draw(st.sampled_from(["cap", "flag"]))),
    )
    return dataclasses.replace(rubric, scoring=scoring)


@st.composite
def assessments(draw: st.DrawFn, rubric: Rubric) -> Assessment:
    """One to seven respondents answering what their group is asked: levels with or without evidence, N/A where
    allowed, gaps (every question answered by someone where the rubric refuses gaps)."""
    groups: list[str | None] = [g.id for g in rubric.respondent_groups] or [None]
    scale = [level.value for level in rubric.levels]
    questions = list(rubric.questions())
    respondents: list[tuple[str | None, list[Answer]]] = []
    for _ in range(draw(st.integers(1, 7))):
        group = draw(st.sampled_from(groups))
        answers = []
        for question in questions:
            if group is not None and question.respondents and group not in question.respondents:
                continue
            choices: list[Any] = [*scale, None, *(["na"] if question.na_allowed else [])]
            choice = draw(st.sampled_from(choices))
            if choice == "na":
                answers.append(Answer(question.id, None, justification="Does not apply here."))
            elif choice is not None:
                answers.append(Answer(question.id, choice, evidence=draw(st.sampled_from(EVIDENCE))))
        respondents.append((group, answers))
    if rubric.scoring.missing == "error":
        for question in questions:
            if any(a.question_id == question.id for _, answers in respondents for a in answers):
                continue
            group = question.respondents[0] if question.respondents else groups[0]
            who = next((answers for g, answers in respondents if g == group), None)
            if who is None:
                who = []
                respondents.append((group, who))
            who.append(Answer(question.id, draw(st.sampled_from(scale))))
    people = tuple(Respondent(f"r{i + 1}", g, tuple(answers)) for i, (g, answers) in enumerate(respondents))
    return Assessment(Organisation("org", "Generated"), rubric.id, people, rubric.version, date=DATE)


def plain(value: Any, trace: bool) -> Any:
    """The JSON form by a plain walk over the dataclasses: what Result.to_dict must give."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name), trace)
            for f in dataclasses.fields(value)
            if trace or f.name not in ("trace", "answers")
        }
    if isinstance(value, Mapping):
        return {key: plain(item, trace) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [plain(item, trace) for item in value]
    if isinstance(value, float):
        return 0.0 if value == 0 else value
    return value


def same_bytes(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def drawn_case(data: st.DataObject, name: str) -> tuple[Rubric, Assessment, dict[str, Any]]:
    """A bundled rubric with drawn policies, a drawn assessment of it, and drawn options of ``score`` (targets, a
    default target, a what-if)."""
    rubric = data.draw(policies(rubric_named(name)), label="rubric")
    assessment = data.draw(assessments(rubric), label="assessment")
    questions = [q.id for q in rubric.questions()]
    options: dict[str, Any] = {}
    if data.draw(st.booleans(), label="targets"):
        options["targets"] = {questions[0]: rubric.highest, "overall": rubric.lowest}
        options["default_target"] = data.draw(st.sampled_from([None, rubric.highest]))
    if data.draw(st.booleans(), label="what_if"):
        options["what_if"] = {questions[-1]: rubric.highest}
    return rubric, assessment, options


@pytest.mark.slow  # 37 rubrics x 8 generated assessments, each scored with and without details
@pytest.mark.parametrize("name", sorted(RUBRIC_PATHS))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_scoring_without_details_gives_the_same_json_on_every_rubric(name: str, data: st.DataObject) -> None:
    rubric, assessment, options = drawn_case(data, name)
    full = score(rubric, assessment, **options)
    fast = score(rubric, assessment, details=False, **options)
    assert result_json(fast) == result_json(full)
    assert fast.slim() == full.slim()  # what a cohort keeps (compare scores without details)
    # The JSON form is the plain walk's, with and without traces; result_json writes it with its keys sorted.
    assert result_json(full) == same_bytes(plain(full, False))
    assert result_json(full, trace=True) == same_bytes(plain(full, True))
    assert same_bytes(full.to_dict(trace=True)) == same_bytes(plain(full, True))
    assert full.to_dict(trace=False) == plain(full, False)
    assert fast.to_dict(trace=False) == plain(fast, False)


@pytest.mark.slow  # scores an example twice
def test_scoring_without_details_leaves_out_what_explains_the_numbers() -> None:
    """Northgate's example: the same JSON without traces, but no trace or answer record is built. The numbers by
    hand, as the examples test gives them: the full result is the reference here."""
    rubric = load_rubric("qi-readiness")
    assessment = load_assessment(ROOT / "examples" / "answers" / "northgate-acute.yaml", rubric)
    full = score(rubric, assessment, what_if={"gov-board-agenda": 5})
    fast = score(rubric, assessment, what_if={"gov-board-agenda": 5}, details=False)
    assert result_json(fast) == result_json(full)
    assert fast.overall.trace == NO_TRACE and full.overall.trace != NO_TRACE
    assert all(d.trace == NO_TRACE for d in fast.domains)
    assert all(q.answers == () and q.trace == NO_TRACE for d in fast.domains for q in d.questions)
    assert any(q.answers for d in full.domains for q in d.questions)
    assert fast.priorities == full.priorities


@pytest.mark.slow  # walks a full result
def test_a_results_json_is_the_plain_walk_of_it() -> None:
    """Every field of every class in a full result (traces, answers with evidence, a projection, intervals)."""
    rubric = load_rubric("qi-readiness")
    assessment = load_assessment(ROOT / "examples" / "answers" / "eastfield-mental-health.yaml", rubric)
    result: Result = score(rubric, assessment, what_if={"gov-board-agenda": 5})
    assert result.projection is not None and result.overall.interval is not None
    for trace in (True, False):
        assert same_bytes(result.to_dict(trace=trace)) == same_bytes(plain(result, trace))
        assert result_json(result, trace=trace) == same_bytes(plain(result, trace))
        assert list(result.to_dict(trace=trace)) == [f.name for f in dataclasses.fields(Result)]  # field order


@pytest.mark.slow  # scores an example, then writes it with each name
@given(name=st.text(min_size=1, max_size=12))
@example(name="Café ‘Riverside’")
@example(name="del\x7f tab\t nul\x00")
@example(name="lone \ud800 surrogate")
@example(name="back\\u0041slash")
@settings(max_examples=40, deadline=None)
def test_result_json_writes_any_text_as_json_dumps_does(name: str) -> None:
    """result_json writes ASCII-only results with json's faster ASCII encoder and anything else (accents, control
    characters, DEL, a backslash before a u, lone surrogates) as ensure_ascii=False does: the same bytes."""
    result = _example_result()
    organisation = dataclasses.replace(result.organisation, name=name, metadata=FrozenMap({"note": name + "\\u00e9"}))
    named = dataclasses.replace(result, organisation=organisation)
    for trace in (False, True):
        assert result_json(named, trace=trace) == json.dumps(
            named.to_dict(trace=trace), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )


_EXAMPLE: list[Result] = []


def _example_result() -> Result:
    if not _EXAMPLE:
        rubric = load_rubric("qi-readiness")
        _EXAMPLE.append(
            score(rubric, load_assessment(ROOT / "examples" / "answers" / "riverside-community.yaml", rubric))
        )
    return _EXAMPLE[0]


def test_a_maker_makes_what_the_class_makes() -> None:
    """maker(cls) takes the class's parameters and defaults and gives an equal object, with the same repr and hash;
    a missing argument is refused as the class refuses it, and a class with __post_init__ is not made this way."""
    make = maker(Priority)
    fields = dict(rank=1, question_id="q", domain_id="d", text="Q?", critical=True, level=1, target=3, gap=2)
    fields |= dict(score=2.0, next_level=2, next_step=None, next_descriptor=None, measure=None, owner=None)
    fields |= dict(respondents_at_next=0, respondents=3)
    made, built = make(**fields), Priority(**fields)
    assert type(made) is Priority and made == built and repr(made) == repr(built) and hash(made) == hash(built)
    assert maker(QuestionStats)(na=2) == QuestionStats(na=2)  # defaults
    with pytest.raises(TypeError):
        make(rank=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.rank = 2  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            assert self.x > 0

    with pytest.raises(TypeError):
        maker(Checked)


@pytest.mark.slow  # scores an example eight times
def test_a_question_scored_without_details_is_shared_where_its_numbers_are_the_same() -> None:
    """Without details a question's result is made once per question, numbers, groups hidden and target, and shared
    by every assessment that has them (its JSON text is then written once), as a priority is: scoring Northgate
    again gives the very same objects, and a changed target or a group hidden by a respondent fewer gives each its
    own result, the full result's."""
    rubric = load_rubric("qi-readiness")
    assessment = load_assessment(ROOT / "examples" / "answers" / "northgate-acute.yaml", rubric)
    first, again = (score(rubric, assessment, details=False) for _ in range(2))
    answered = [(q, again.question(q.id)) for d in first.domains for q in d.questions if q.status == "answered"]
    assert answered and all(q is shared for q, shared in answered)
    assert first.priorities and all(p is q for p, q in zip(first.priorities, again.priorities, strict=True))
    question = answered[0][0]
    fewer = dataclasses.replace(assessment, respondents=assessment.respondents[1:])
    for case, options in (
        (assessment, {"targets": {question.id: rubric.lowest}}),
        (assessment, {"targets": {question.id: rubric.highest}}),
        (fewer, {}),
    ):
        fast = score(rubric, case, details=False, **options)
        assert result_json(fast) == result_json(score(rubric, case, **options))
    assert score(rubric, assessment, details=False).question(question.id) is question
