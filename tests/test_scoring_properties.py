"""Scoring invariants, checked with generated assessments of the bundled default rubric (hypothesis).

- raising one answer never lowers any question, domain or overall value or level, nor a raw value, the level a
  value alone gives, a level a rule holds, or a band;
- the order of respondents does not matter;
- N/A is never counted as zero: under the default policy it is left out and the weights renormalised.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity import load_rubric, score
from qimaturity.answers.model import Answer, Assessment, EvidenceItem, Organisation, Respondent
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.engine import QuestionRecord, Scorer
from qimaturity.scoring.result import Result

from .conftest import ROOT

RUBRIC = load_rubric("qi-readiness")
GROUPS = [g.id for g in RUBRIC.respondent_groups]
QUESTIONS = list(RUBRIC.questions())
LEVELS = [level.value for level in RUBRIC.levels]
EVIDENCE = (EvidenceItem("Board paper", "2026-01-10"),)


@st.composite
def assessments(draw: st.DrawFn, *, with_na: bool = True) -> Assessment:
    """Two to six respondents (and one more for each question none of their groups is asked); every question
    answered by at least one respondent of a group it is asked of."""
    count = draw(st.integers(min_value=2, max_value=6))
    groups = [draw(st.sampled_from(GROUPS)) for _ in range(count)]
    # Make sure someone can answer every question: a question no drawn group is asked gets a respondent of a group
    # it is asked of (adding one, rather than changing a group, never leaves an earlier question without one).
    for question in QUESTIONS:
        if question.respondents and not any(g in question.respondents for g in groups):
            groups.append(question.respondents[0])
    answers: list[list[Answer]] = [[] for _ in groups]
    for question in QUESTIONS:
        allowed = [i for i, g in enumerate(groups) if not question.respondents or g in question.respondents]
        chosen = draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=len(allowed), unique=True))
        for index in chosen:
            if with_na and question.na_allowed and draw(st.booleans()):
                answers[index].append(Answer(question.id, None, justification="Does not apply here."))
            else:
                level = draw(st.sampled_from(LEVELS))
                evidence = EVIDENCE if draw(st.booleans()) else ()
                answers[index].append(Answer(question.id, level, evidence=evidence))
    respondents = [Respondent(f"r{index + 1}", group, tuple(answers[index])) for index, group in enumerate(groups)]
    return Assessment(
        Organisation("org", "Generated"), RUBRIC.id, tuple(respondents), RUBRIC.version, date="2026-06-30"
    )


def scores(result: Result) -> list[tuple[str, float | None, int | None]]:
    rows = [("overall", result.overall.value, result.overall.level)]
    for domain in result.domains:
        rows.append((domain.id, domain.value, domain.level))
        rows.extend((q.id, q.value, q.level) for q in domain.questions)
    return rows


BANDS = [band.id for band in RUBRIC.bands.items] if RUBRIC.bands else []


def holds(result: Result) -> list[tuple[str, float | None, int | None, int | None, int | None]]:
    """Per domain and overall: raw value, the level the value alone gives, the held level, the band's rank."""
    return [
        (
            ident,
            node.raw_value,
            node.raw_level,
            node.held_level,
            None if node.band is None else BANDS.index(node.band.id),
        )
        for ident, node in [("overall", result.overall), *((d.id, d) for d in result.domains)]
    ]


def not_lower(before: float | int | None, after: float | int | None) -> bool:
    if before is None:
        return True
    return after is not None and after >= before - 1e-9


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(assessments(), st.data())
def test_raising_one_answer_never_lowers_any_score(assessment, data):
    positions = [
        (r, a)
        for r, respondent in enumerate(assessment.respondents)
        for a, answer in enumerate(respondent.answers)
        if answer.level is not None and answer.level < LEVELS[-1]
    ]
    if not positions:
        return
    r, a = data.draw(st.sampled_from(positions))
    respondent = assessment.respondents[r]
    old = respondent.answers[a]
    new_level = data.draw(st.sampled_from([v for v in LEVELS if v > old.level]))
    raised_answers = (*respondent.answers[:a], dataclasses.replace(old, level=new_level), *respondent.answers[a + 1 :])
    raised_respondents = list(assessment.respondents)
    raised_respondents[r] = dataclasses.replace(respondent, answers=raised_answers)
    raised = dataclasses.replace(assessment, respondents=tuple(raised_respondents))

    result_before, result_after = score(RUBRIC, assessment), score(RUBRIC, raised)
    before, after = scores(result_before), scores(result_after)
    for (node, value_before, level_before), (_, value_after, level_after) in zip(before, after, strict=True):
        assert not_lower(value_before, value_after), (node, value_before, value_after)
        assert not_lower(level_before, level_after), (node, level_before, level_after)
    # Rules hold levels, never values: the value is the raw value, and neither it, nor the level it gives alone, nor
    # a level a rule holds (while one still holds it), nor the band goes down.
    for was, now in zip(holds(result_before), holds(result_after), strict=True):
        node, raw_before, raw_level_before, held_before, band_before = was
        _, raw_after, raw_level_after, held_after, band_after = now
        assert not_lower(raw_before, raw_after), (node, raw_before, raw_after)
        assert not_lower(raw_level_before, raw_level_after), (node, raw_level_before, raw_level_after)
        if held_after is not None:
            assert not_lower(held_before, held_after), (node, held_before, held_after)
        assert not_lower(band_before, band_after), (node, band_before, band_after)
    for part in (result_before.overall, *result_before.domains):
        assert part.value == part.raw_value
        assert part.held_level is None or (part.held_level == part.level and part.held_by)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(assessments(), st.randoms(use_true_random=False))
def test_respondent_order_does_not_matter(assessment, random):
    shuffled = list(assessment.respondents)
    random.shuffle(shuffled)
    reordered = dataclasses.replace(assessment, respondents=tuple(shuffled))
    assert score(RUBRIC, reordered).to_dict() == score(RUBRIC, assessment).to_dict()


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(assessments(with_na=True))
def test_na_is_left_out_and_never_counted_as_zero(assessment):
    result = score(RUBRIC, assessment)
    for domain in result.domains:
        counted = [q for q in domain.questions if q.value is not None]
        na = [q for q in domain.questions if q.status == "na"]
        assert all(not q.counted and q.value is None for q in na)  # the rubric's policy is exclude
        if not counted:
            assert domain.raw_value is None
            continue
        # The domain's value before rules is the weighted mean of the counted questions only.
        expected = math.fsum(q.value * q.weight for q in counted) / math.fsum(q.weight for q in counted)
        assert math.isclose(domain.raw_value, expected)
        assert domain.raw_value >= LEVELS[0]


# --- the numbers without the words ------------------------------------------------------------------------------


RULE_RUBRICS = [load_rubric(name) for name in ("qi-readiness", "qi-programme-stages")] + [
    load_rubric(ROOT / "tests" / "data" / "scoring" / "rubrics" / f"{name}.yaml")
    for name in ("cap-critical", "cap-expression", "cmmi-staged", "cqc-aggregation", "dspt", "gate-counts", "staged")
]


@st.composite
def question_records(draw: st.DrawFn, rubric: Rubric) -> dict[str, list[QuestionRecord]]:
    """Each question answered (at a level, or between two: a median of an even count), N/A or missing."""
    scale = [level.value for level in rubric.levels]
    scorer = Scorer(rubric, Assessment(Organisation("", ""), rubric.id, ()), {}, (), {}, None, {})
    chosen: dict[str, list[QuestionRecord]] = {}
    for domain in rubric.domains:
        records = []
        for question in domain.questions:
            status = draw(st.sampled_from(["answered", "answered", "answered", "na", "missing"]))
            value: float | None = None
            if status == "answered":
                value = draw(st.sampled_from(scale)) + draw(st.sampled_from([0.0, 0.0, 0.5]))
                value = min(value, float(scale[-1]))
            level = scorer.to_level(value) if value is not None else None
            records.append(QuestionRecord(question.id, status, value, level, question.critical, question.weight))
        chosen[domain.id] = records
    return chosen


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_settling_without_explanations_gives_the_same_numbers(data):
    """The export engine settles organisations without recording adjustments, and skips a cap or gate that could
    change nothing; every domain's and the overall value and level must be those of the explained run."""
    for rubric in RULE_RUBRICS:
        records = data.draw(question_records(rubric))
        stub = Assessment(Organisation("", ""), rubric.id, ())
        runs = []
        for explain in (True, False):
            scorer = Scorer(rubric, stub, {}, (), {}, None, {}, explain=explain)
            overall = scorer.settle(records)
            numbers = [(s.value, s.raw_value, s.level) for s in scorer.domains.values()]
            runs.append((numbers, (overall.value, overall.raw_value, overall.level)))
            if not explain:
                assert not any(s.adjustments for s in [*scorer.domains.values(), overall])
        assert runs[0] == runs[1], rubric.id


MONOTONE_RUBRICS = [load_rubric("qi-programme-stages")] + [
    load_rubric(ROOT / "tests" / "data" / "scoring" / "rubrics" / f"{name}.yaml")
    for name in ("cap-critical", "held-gate", "staged")
]
"""Rubrics whose rules all look at levels one way (below a level: held; at or above: free), with bands that do not
all follow the levels: raising an answer must never lower anything there."""


def settled(rubric: Rubric, records: dict[str, list[QuestionRecord]]) -> list[tuple[float | None, int | None, int]]:
    """(value, level, band rank) of every domain and the overall, as the engine settles them."""
    scorer = Scorer(rubric, Assessment(Organisation("", ""), rubric.id, ()), {}, (), {}, None, {})
    overall = scorer.settle(records)
    bands = [band.id for band in rubric.bands.items] if rubric.bands else []
    rows = []
    for scope in [*scorer.domains.values(), overall]:
        band = scorer.band(scope.value, scope.level)
        rows.append((scope.value, scope.level, -1 if band is None else bands.index(band.id)))
    return rows


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_raising_one_question_never_lowers_a_value_level_or_band_under_holding_rules(data):
    """Held levels keep monotonicity: a held domain or overall keeps its value, and its band is never above the
    band its held level allows, so raising a question's value lowers no value, level or band."""
    for rubric in MONOTONE_RUBRICS:
        records = data.draw(question_records(rubric))
        answered = [(d, i) for d, rows in records.items() for i, r in enumerate(rows) if r.status == "answered"]
        if not answered:
            continue
        domain_id, index = data.draw(st.sampled_from(answered))
        old = records[domain_id][index]
        top = float(rubric.levels[-1].value)
        if old.value is None or old.value >= top:
            continue
        scorer = Scorer(rubric, Assessment(Organisation("", ""), rubric.id, ()), {}, (), {}, None, {})
        value = data.draw(st.sampled_from(sorted({min(top, old.value + step) for step in (0.5, 1.0, 2.0, 4.0)})))
        raised = {d: list(rows) for d, rows in records.items()}
        raised[domain_id][index] = old._replace(value=value, level=scorer.to_level(value))
        for was, now in zip(settled(rubric, records), settled(rubric, raised), strict=True):
            assert not_lower(was[0], now[0]), (rubric.id, was, now)
            assert not_lower(was[1], now[1]), (rubric.id, was, now)
            assert now[2] >= was[2], (rubric.id, was, now)
