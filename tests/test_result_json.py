"""A result's JSON text, written directly (``json_text``), is json's text of its JSON data, byte for byte.

``qimaturity score --format json`` writes each result with :func:`qimaturity.scoring.result.json_text`, which walks
the result once and writes the text itself, instead of building :func:`~qimaturity.scoring.result.json_data` (dicts
with sorted keys) for ``json.dumps`` to walk again. The meaning stays json_data's: the text must be exactly
``json.dumps(json_data(result, trace=t), separators=(",", ":"), ensure_ascii=False)``, with and without traces, on
generated answers of every rubric we have (as the details test draws them, with organisations named and described
in any text, evidence registers and assessors), and on values no rubric gives: -0.0, NaN and the infinities, floats
whose shortest form is an exponent or a long decimal, control characters, empty tuples, None, enums, keys that are
not strings.
"""

from __future__ import annotations

import dataclasses
import enum
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.frozen import FrozenMap
from qimaturity.answers.model import EvidenceRecord
from qimaturity.scoring import result as result_module
from qimaturity.scoring.result import OrganisationRef, Result, json_data, json_text
from qimaturity.scoring.tables import result_json

from .conftest import ROOT
from .test_score_details import RUBRIC_PATHS, drawn_case


def dumped(result: Result, trace: bool) -> str:
    """The reference: json's text of the JSON data."""
    return json.dumps(json_data(result, trace=trace), separators=(",", ":"), ensure_ascii=False)


def assert_same_text(result: Result) -> None:
    for trace in (False, True):
        expected = dumped(result, trace)
        assert json_text(result, trace=trace) == expected
        assert result_json(result, trace=trace) == expected


texts = st.text(max_size=12)
scalars = st.one_of(texts, st.integers(-(10**20), 10**20), st.floats(), st.booleans())
registers = st.lists(
    st.builds(EvidenceRecord, texts, texts, texts, texts, st.none() | texts, st.none() | texts), max_size=3
)


@pytest.mark.slow  # 37 rubrics x 6 generated assessments, each scored with and without details and written 4 ways
@pytest.mark.parametrize("name", sorted(RUBRIC_PATHS))
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_the_json_text_is_jsons_text_of_the_json_data_on_every_rubric(name: str, data: st.DataObject) -> None:
    rubric, assessment, options = drawn_case(data, name)
    # What no answers file of these gives (or its checks would refuse): any text, any metadata, a register.
    described = {
        "organisation": OrganisationRef(
            assessment.organisation.id,
            data.draw(texts, label="name"),
            data.draw(st.none() | texts, label="type"),
            None,
            FrozenMap(data.draw(st.dictionaries(texts, scalars, max_size=4), label="metadata")),
        ),
        "assessor": data.draw(st.none() | texts, label="assessor"),
        "evidence": tuple(data.draw(registers, label="register")),
    }
    full = dataclasses.replace(score(rubric, assessment, **options), **described)
    assert_same_text(full)
    assert_same_text(dataclasses.replace(score(rubric, assessment, details=False, **options), **described))


@pytest.fixture(scope="module")
def example_result() -> Result:
    """Eastfield's example with a what-if: every result class (answers with evidence, a projection, intervals)."""
    rubric = load_rubric("qi-readiness")
    assessment = load_assessment(ROOT / "examples" / "answers" / "eastfield-mental-health.yaml", rubric)
    result: Result = score(rubric, assessment, what_if={"gov-board-agenda": 5})
    assert result.projection is not None and result.overall.interval is not None and result.overall.band is not None
    return result


@pytest.mark.slow  # writes a traced result 4 times for each of 20 names
@given(name=st.text(max_size=12))
@example(name="Café – ‘Riverside’ \x01 line\nend")
@example(name="del\x7f nul\x00 lone \ud800 back\\u0041slash")
@settings(max_examples=20, deadline=None)
def test_any_name_is_written_as_json_writes_it(example_result: Result, name: str) -> None:
    organisation = dataclasses.replace(example_result.organisation, name=name)
    assert_same_text(dataclasses.replace(example_result, organisation=organisation))


def test_non_ascii_and_control_characters(example_result: Result) -> None:
    organisation = dataclasses.replace(example_result.organisation, name="Café – ‘Riverside’\x01\n")
    result = dataclasses.replace(example_result, organisation=organisation)
    assert_same_text(result)
    # Non-ASCII as it is (ensure_ascii=False); the control character as \u0001, the newline as \n.
    assert '"name":"Café – ‘Riverside’\\u0001\\n"' in json_text(result, trace=False)


def test_floats_as_json_writes_them_and_zero_without_its_sign(example_result: Result) -> None:
    overall = dataclasses.replace(
        example_result.overall, value=-0.0, raw_value=0.1 + 0.2, points=1e16, max_points=float("inf"), percent=None
    )
    metadata = FrozenMap({"zero": -0.0, "nan": float("nan"), "low": float("-inf"), "tiny": 5e-324, "beds": 96})
    organisation = dataclasses.replace(example_result.organisation, metadata=metadata)
    result = dataclasses.replace(example_result, overall=overall, organisation=organisation)
    assert_same_text(result)
    text = json_text(result, trace=False)
    # -0.0 as 0.0; 0.1 + 0.2 is 0.30000000000000004 (its shortest repr); 1e16 is repr's 1e+16; json's Infinity;
    # None as null.
    assert '"value":0.0' in text and '"raw_value":0.30000000000000004' in text and '"points":1e+16' in text
    assert '"max_points":Infinity' in text and '"percent":null' in text
    # The metadata's keys sorted; NaN and -Infinity as json writes them; 5e-324, the smallest float, as repr.
    assert '"metadata":{"beds":96,"low":-Infinity,"nan":NaN,"tiny":5e-324,"zero":0.0}' in text


def test_a_zero_is_written_without_its_sign_whichever_zero_comes_first(example_result: Result) -> None:
    """A new writer (nothing cached) meeting -0.0 first, and one meeting 0.0 first: both write 0.0 for each."""
    assert example_result.overall.band is not None
    band = example_result.overall.band
    # The overall result's floats in key order: its band's position, then max_points, percent, points.
    overall = dataclasses.replace(example_result.overall, max_points=0.0, percent=-0.0, points=0.0)
    for first in (-0.0, 0.0):
        write = result_module._text_function(False)
        zero = dataclasses.replace(band, position=first)
        assert write(zero) == json.dumps(result_module._UNTRACED_ORDERED(zero), separators=(",", ":"))
        assert '"position":0.0' in write(zero)
        text = write(overall)
        assert text == json.dumps(result_module._UNTRACED_ORDERED(overall), separators=(",", ":"), ensure_ascii=False)
        assert '"max_points":0.0,"percent":0.0,"points":0.0' in text


def test_empty_tuples_none_and_booleans(example_result: Result) -> None:
    overall = dataclasses.replace(example_result.overall, band=None, interval=None, held_by=(), held_level=None)
    organisation = dataclasses.replace(
        example_result.organisation, type=None, metadata=FrozenMap({"teaching": True, "closed": False, "beds": 0})
    )
    result = dataclasses.replace(
        example_result, overall=overall, organisation=organisation, priorities=(), projection=None, evidence=()
    )
    assert_same_text(result)
    text = json_text(result, trace=True)
    assert '"priorities":[]' in text and '"projection":null' in text and '"evidence":[]' in text
    assert '"band":null' in text and '"held_by":[]' in text and '"interval":null' in text
    # bool before int: True is true, not 1; the int 0 stays 0.
    assert '"metadata":{"beds":0,"closed":false,"teaching":true}' in text


class Status(enum.StrEnum):
    ANSWERED = "answered"


class Level(enum.IntEnum):
    THREE = 3


def test_values_of_other_types_than_the_annotations(example_result: Result) -> None:
    """Enums, a str subclass, a float subclass, a float where an int is expected, a list for a tuple and keys that
    are not strings: as json_data keeps or converts them and json writes them."""

    class Words(str):
        pass

    class Number(float):
        pass

    question = example_result.domains[0].questions[0]
    question = dataclasses.replace(
        question, status=Status.ANSWERED, level=Level.THREE, gap=-0.0, value=Number(-0.0), target=True, weight=False
    )
    domain = dataclasses.replace(
        example_result.domains[0], questions=(question, *example_result.domains[0].questions[1:]), title=Words("Ward")
    )
    organisation = dataclasses.replace(
        example_result.organisation, metadata=FrozenMap({2: "two", 1.5: "half", True: "yes"})
    )
    result = dataclasses.replace(
        example_result,
        domains=(domain, *example_result.domains[1:]),
        organisation=organisation,
        respondents=list(example_result.respondents),
    )
    assert_same_text(result)
    text = json_text(result, trace=False)
    # The enums as their values; -0.0 kept where an int was expected and for a float subclass (json_data keeps
    # both as they are: only a float's zero becomes 0.0); keys sorted as (True, 1.5, 2) and written as json writes
    # keys.
    assert '"gap":-0.0' in text and '"level":3' in text and '"status":"answered"' in text
    assert '"value":-0.0' in text and '"title":"Ward"' in text
    # Booleans where an int and a float are expected: json's true and false, not 1 and 0.
    assert '"target":true' in text and '"weight":false' in text
    assert '"metadata":{"true":"yes","1.5":"half","2":"two"}' in text


@pytest.mark.slow  # writes a traced result 8 times, encoding each string and number anew
def test_past_its_cache_the_writer_starts_again(example_result: Result, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for 3 strings and numbers, a result's hundreds of texts and numbers still come out right."""
    monkeypatch.setattr(result_module, "_CACHED", 3)
    for name in ("One", "Two", "Three", "Four"):
        organisation = dataclasses.replace(example_result.organisation, name=name)
        assert_same_text(dataclasses.replace(example_result, organisation=organisation))
