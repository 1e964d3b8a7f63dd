"""The safe expression language: what it accepts, what it refuses, and how it evaluates."""

from __future__ import annotations

import pytest

from qimaturity.rubric.expressions import Context, EvaluationError, parse_expression


def context(**names):
    values = {"q1": 3.5, "q2": 2.0}
    levels = {"lead": 4, "meth": 2}
    functions = {
        "question": values.__getitem__,
        "question_level": lambda q: int(values[q]),
        "domain_level": levels.__getitem__,
        "domain": lambda d: float(levels[d]),
        "count_domains_below": lambda level: sum(1 for v in levels.values() if v < level),
        "count_domains_at": lambda level: sum(1 for v in levels.values() if v == level),
        "count_domains_at_least": lambda level: sum(1 for v in levels.values() if v >= level),
        "count_questions_below": lambda level: sum(1 for v in values.values() if v < level),
        "min": min,
        "max": max,
        "abs": abs,
    }
    return Context({"value": 3.2, "level": 3, **names}, functions)


def evaluate(text: str):
    expression, issues = parse_expression(text)
    assert issues == [], issues
    assert expression is not None
    return expression.evaluate(context())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('question("q1") >= 3 and domain_level("meth") < 3', True),
        ("count_domains_below(3) == 1", True),
        ("1 < level <= 3", True),
        ("value - 0.2 == 3", True),
        ('min(question("q1"), question("q2")) * 2', 4.0),
        ('not (domain("lead") > 3 or abs(-1) == 2)', False),
        ("count_domains_at_least(4) + count_domains_at(2) + count_questions_below(3)", 3),
    ],
)
def test_accepted_expressions_evaluate(text, expected):
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("value.__class__", "attribute access (.) is not allowed"),
        ("().__class__.__bases__[0]", "subscripts ([...]) are not allowed"),
        ('__import__("os")', "unknown function '__import__'"),
        ("[x for x in (1, 2)]", "comprehensions are not allowed"),
        ("(lambda: 1)()", "only the listed functions can be called"),
        ("2 ** 1000000", "operator ** is not allowed"),
        ("level[0]", "subscripts ([...]) are not allowed"),
        ("size > 2", "unknown name 'size'"),
        ('question(id="q1")', "question() takes plain positional arguments only"),
        ("question(level)", "question() needs a quoted question id"),
        ("abs(1, 2)", "abs() takes 1 argument(s), got 2"),
        ('f"{level}"', "f-strings are not allowed"),
        ("None", "constant None is not allowed"),
    ],
)
def test_unsafe_or_unknown_forms_are_refused(text, message):
    expression, issues = parse_expression(text)
    assert expression is None
    assert issues[0].message == message


def test_references_are_collected_for_checking_against_the_rubric():
    expression, _ = parse_expression('question("q1") > 2 and domain_level("lead") >= 3 or count_domains_below(2) > 0')
    assert expression is not None
    assert [(r.kind, r.value) for r in expression.references] == [
        ("question", "q1"),
        ("domain", "lead"),
        ("level", 2),
    ]


def test_string_repetition_cannot_build_huge_values():
    expression, _ = parse_expression("'x' * 100000000 == 'x'")
    assert expression is not None
    with pytest.raises(EvaluationError):
        expression.evaluate(context())


def test_division_by_zero_is_an_evaluation_error():
    expression, _ = parse_expression("value / 0 > 1")
    assert expression is not None
    with pytest.raises(EvaluationError, match="division by zero"):
        expression.evaluate(context())


def test_overlong_and_deeply_nested_text_is_refused():
    assert parse_expression("1 + " * 600 + "1")[1][0].message == "expression longer than 2000 characters"
    nested = "(" * 500 + "1" + ")" * 500
    expression, issues = parse_expression(nested)
    assert expression is None or expression.evaluate(context()) == 1


# Each refusal points at the character to blame, counted from 1 in the text as written: the operator, the dot,
# the bracket, the unknown name, or just past the end when the text stops too early.
@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("value.__class__ == 1", 6, "attribute access (.) is not allowed"),  # the dot after 'value'
        ('question("é") > x.y', 18, "attribute access (.) is not allowed"),  # characters, not UTF-8 bytes
        ("(value) ** 2 > 1", 9, "operator ** is not allowed"),  # past '(value) '
        ("level[0] > 1", 6, "subscripts ([...]) are not allowed"),
        ("value in 3", 7, "comparison in is not allowed"),
        ("1 < value is not 3", 11, "comparison is not is not allowed"),  # the second comparison
        ('question("q1", id=2) > 1', 16, "question() takes plain positional arguments only"),
        ("  value > size", 11, "unknown name 'size'"),  # the leading spaces count
        ('question("q1") > 2 and nope(1)', 24, "unknown function 'nope'"),
        ('domain_level("meth" < 2', 13, "'(' was never closed"),
        ("value > > 2", 9, "invalid syntax"),
        ('domain("lead") > 2 or', 22, "the expression ends too early"),  # just past the last character
        ("value > 1 and\n  level >> 2", 23, "operator >> is not allowed"),  # the line break counts as one
    ],
)
def test_each_refusal_points_at_the_character_to_blame(text, offset, message):
    expression, issues = parse_expression(text)
    assert expression is None
    assert [(i.offset, i.message) for i in issues] == [(offset, message)]


def test_an_expression_may_run_over_several_lines():
    # A YAML literal block (|) keeps its line breaks: they separate words as spaces do.
    assert evaluate('question("q1") >= 3\nand domain_level("meth") < 3\n') is True


def test_references_carry_the_offset_of_their_id():
    expression, _ = parse_expression('value > 1 and question("q9") > 2')
    assert expression is not None
    assert [r.offset for r in expression.references] == [24]
