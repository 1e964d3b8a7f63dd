"""JSON answers are read by json's C reader alone when nothing in them can be wrong, and by the full reading (hooks
on every number, mapping and text) otherwise: the two must give the same data and the same findings, whatever
the text. And a respondent whose answers are all plain levels is checked without looking at each: the problems
found must be the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity._core.documents import _KEY_END, DocumentError, _key_ends, _quick_json, _read_json_fully, read_json
from qimaturity.answers.files import check_answers_document, parse_answers_text
from qimaturity.rubric.load import load_rubric

from .conftest import ROOT

RUBRIC = ROOT / "rubrics" / "qi-readiness.yaml"


def outcome(reader: Any, text: str) -> tuple[Any, ...]:
    """What a reader gives: the data (NaN made comparable) and each finding's words and place, or its error."""
    try:
        data, findings = reader(text)
    except DocumentError as error:
        return ("error", error.message, error.line, error.column)
    return ("data", json.dumps(data, sort_keys=True, default=str), [(f.message, f.line, f.path) for f in findings])


KEYS = st.sampled_from(["a", "b", 'q"', "x\\", "é", "\u0085", "\u0000", "k:"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**22), max_value=10**22),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet='ab":\\\u00e9\u0007\u009f\ud800', max_size=6),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(st.tuples(KEYS, inner), max_size=4)),
    max_leaves=12,
)


def written(value: Any, spaced: bool) -> str:
    """JSON text of a value whose mappings are lists of pairs, so that a key may be written twice."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        colon = " : " if spaced else ":"
        return "{" + ",".join(json.dumps(k) + colon + written(v, spaced) for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(written(v, spaced) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, tuple) else "null"


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans(), st.booleans())
def test_the_quick_reading_gives_what_the_full_reading_gives(value: Any, spaced: bool, escaped: bool) -> None:
    text = written(value, spaced)
    if escaped:
        text = text.encode("ascii", "backslashreplace").decode("ascii") if text.isascii() else json.dumps(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value)  # a lone surrogate written raw: as an escape instead
    assert outcome(read_json, text) == outcome(_read_json_fully, text)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans(), st.sampled_from(["", " ", "\n", "\t", "\r\n"]))
def test_key_ends_are_counted_as_the_regular_expression_counts_them(value: Any, spaced: bool, space: str) -> None:
    # Any valid JSON text, keys spaced from their colons or not, with whitespace after its texts or not.
    text = written(value, spaced).replace('",', '"' + space + ",")
    json.loads(text)
    assert _key_ends(text) == len(_KEY_END.findall(text))


@pytest.mark.parametrize(
    "text",
    [
        # A repeated key beside a text holding an escaped quote before a colon: the counts differ, fully read.
        '{"a": 1, "note": "say \\": here", "a": 2}',
        # A repeated key written with a space before its colon.
        '{"a" : 1, "a" : 2}',
        '{"big": 123456789012345678901}',  # 21 digits
        '{"x": 1e400}',
        '{"x": NaN}',
        '{"x": -Infinity}',
        '{"x": "\\u0000"}',
        '{"x": "\u0085"}',
        "[" * 70 + "]" * 70,
    ],
)
def test_what_the_full_reading_finds_is_never_read_quickly(text: str) -> None:
    # Each of these has something to find: the quick reading gives it up (None) and read_json finds it.
    assert _quick_json(text) is None
    found = outcome(read_json, text)
    assert found[0] == "error" or found[2], found


def test_an_ordinary_answers_file_is_read_quickly_with_the_same_data() -> None:
    data = yaml.safe_load((ROOT / "examples" / "answers" / "northgate-acute.yaml").read_text(encoding="utf-8"))
    for text in (json.dumps(data), json.dumps(data, indent=2, ensure_ascii=False)):
        quick = _quick_json(text)
        assert quick is not None
        assert quick == _read_json_fully(text)[0] == data


def problems_of(document: dict[str, Any], tmp_path: Path) -> list[tuple[int | None, str]]:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    doc = parse_answers_text(path.read_text(encoding="utf-8"), str(path))
    return [(p.line, p.message) for p in check_answers_document(doc, load_rubric(RUBRIC))]


def test_plain_levels_are_still_checked_one_by_one_when_any_is_wrong(tmp_path: Path) -> None:
    # Every answer a whole number, but one off the scale and one to a question not asked of the group: the
    # respondent is not plainly good, so each answer is looked at and both are named.
    rubric = load_rubric(RUBRIC)
    board_only = next(q for q in rubric.questions() if q.respondents and "frontline" not in q.respondents)
    anyone = next(q for q in rubric.questions() if not q.respondents or "frontline" in q.respondents)
    document = {
        "rubric": {"id": rubric.id, "version": rubric.version},
        "organisation": {"id": "o", "name": "O"},
        "date": "2026-03-31",
        "missing": "exclude",
        "respondents": [
            {"id": "r1", "group": "frontline", "answers": {anyone.id: 3}},
            {"id": "r2", "group": "frontline", "answers": {anyone.id: 9}},
            {"id": "r3", "group": "frontline", "answers": {board_only.id: 2}},
        ],
    }
    messages = [message for _, message in problems_of(document, tmp_path)]
    assert messages == [
        f"question '{anyone.id}': level 9 is not on the scale",
        f"question '{board_only.id}' is not asked of the frontline group",
    ]
    document["respondents"] = document["respondents"][:1]
    assert problems_of(document, tmp_path) == []
