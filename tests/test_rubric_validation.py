"""Every validation rule has an invalid fixture; each must be reported at its exact place with its message.

The fixtures under tests/data/rubrics/invalid/ are copies of valid-minimal.yaml with one defect each
(the first line of each file says which). Line and column are 1-based and point at the offending key or value.
"""

from __future__ import annotations

import json

import pytest

from qimaturity import load_rubric, validate_rubric
from qimaturity._core.problems import InputError
from qimaturity.rubric.checks import ID_HINT

from .conftest import INVALID, RUBRICS, run_main

# fixture -> (line, column, path, message, hint) of the one problem it must produce
EXPECTED = {
    "short-title-twice": (
        41,
        22,
        "/domains/0/questions/1/short_title",
        "short title 'leaders at the  front line' is also the short title of question 'lead-1' (line 29)",
        "give each question a short title of its own: charts and tables label questions by it",
    ),
    "bad-id": (47, 13, "/domains/1/questions/0/id", "'Meth 1' is not a valid id", ID_HINT),
    "duplicate-domain-id": (
        44,
        9,
        "/domains/1/id",
        "duplicate domain id 'meth' (first at line 23)",
        "ids must be unique",
    ),
    "unknown-key": (40, 9, "/domains/0/questions/1/wieght", "unknown key 'wieght'", "did you mean 'weight'?"),
    "missing-required": (38, 9, "/domains/0/questions/1", "missing required key 'text'", "add 'text:'"),
    "wrong-type": (25, 13, "/domains/0/weight", "expected number, found text", ""),
    "bad-version": (
        3,
        10,
        "/version",
        "version 'one' is not MAJOR.MINOR[.PATCH]",
        'write it as text, e.g. version: "1.0.0"',
    ),
    "bad-enum": (
        57,
        14,
        "/scoring/questions",
        "'weighted_maen' is not an allowed value",
        "did you mean 'weighted_mean'?",
    ),
    "weight-not-positive": (
        40,
        17,
        "/domains/0/questions/1/weight",
        "must be greater than 0, found 0",
        "weights and thresholds must be positive",
    ),
    "duplicate-question-id": (
        47,
        13,
        "/domains/1/questions/0/id",
        "duplicate question id 'lead-1' (first at line 27)",
        "ids must be unique",
    ),
    "unknown-source": (
        31,
        19,
        "/domains/0/questions/0/sources/0",
        "unknown source 'srcc'",
        "did you mean 'src'?",
    ),
    "unknown-framework": (
        32,
        16,
        "/domains/0/questions/0/tags/fx",
        "unknown framework 'fx'",
        "declare it under frameworks",
    ),
    "unknown-framework-code": (
        32,
        21,
        "/domains/0/questions/0/tags/fw/0",
        "unknown fw code 'A2'",
        "known: A1",
    ),
    "unknown-respondent-group": (
        33,
        30,
        "/domains/0/questions/0/respondents/1",
        "unknown respondent group 'patients'",
        "known respondent groups: board, staff",
    ),
    "levels-not-increasing": (
        16,
        13,
        "/levels/2/value",
        "level values must increase strictly: 2 comes after 2",
        "list the levels lowest first, each with its own value",
    ),
    "missing-descriptor": (
        41,
        11,
        "/domains/0/questions/1/levels",
        "question 'lead-2' has no descriptor for level(s) 2",
        "describe every level of the scale",
    ),
    "missing-next-step": (
        41,
        13,
        "/domains/0/questions/1/levels/0",
        "question 'lead-2': level 1 has no next_step",
        "say what to do to reach the level above",
    ),
    "next-step-on-top": (
        43,
        45,
        "/domains/0/questions/1/levels/2/next_step",
        "question 'lead-2': the top level 3 has a next_step",
        "remove it: there is no level above",
    ),
    "level-off-scale": (
        44,
        21,
        "/domains/0/questions/1/levels/3/level",
        "question 'lead-2': level 4 is not on the scale",
        "levels are 1, 2, 3",
    ),
    "target-off-scale": (
        21,
        12,
        "/targets/default",
        "target 5 is not a level of the scale",
        "levels are 1, 2, 3",
    ),
    "band-gap": (62, 36, "/bands/items/1/from", "gap in bands: nothing covers 2 to 2.5", "close the gap"),
    "band-overlap": (62, 36, "/bands/items/1/from", "band 'high' overlaps the previous band (1.5 < 2)", ""),
    "band-short": (
        62,
        43,
        "/bands/items/1/to",
        "bands stop at 2.8; the level value range goes up to 3",
        "the last band must end at 3",
    ),
    # Levels 1 Low, 2 Mid, 3 High with floor: 2 <= v < 3 is level 2 Mid, only 3 itself is High; a band 'high' from
    # 2 to 3 would show 2.5 as "level 2 Mid, band high" (the 4.86 "level 4 Embedded, band Exemplary").
    "band-named-like-level": (
        63,
        24,
        "/bands/items/1/name",
        "band 'high' is named 'high' like level 3, but values from 2 to just below 3 in it get level 2 'Mid' "
        "(level_from_value: floor): such a value would read as level 2 Mid and band high",
        "with level_from_value: floor only a value of exactly 3 is level 3, so no band can carry its name: give the "
        "band a name that is no level's, or declare level_from_value: round",
    ),
    "cap-level-off-scale": (
        67,
        16,
        "/rules/0/max_level",
        "max_level 7 is not a level of the scale",
        "levels are 1, 2, 3",
    ),
    "gate-lowest-level": (
        72,
        12,
        "/rules/1/level",
        "rule 'no-weak-domain' gates the lowest level, so it can never hold anything back",
        "",
    ),
    "sentence-names-rule-id": (
        74,
        15,
        "/rules/1/sentence",
        "rule 'no-weak-domain': its sentence names the rule's id, which a report's reader never sees",
        "say what the rule means in words, e.g. 'The overall result cannot be Embedded while ...'",
    ),
    "rule-missing-field": (64, 5, "/rules/0", "rule 'critical-cap' (cap) needs 'when'", "add 'when:'"),
    "staged-without-stages": (
        64,
        5,
        "/rules/0",
        "rule 'stages' is staged but no domain has a stage",
        "give the domains a 'stage:' level",
    ),
    "condition-two-forms": (
        68,
        11,
        "/rules/0/when",
        "a condition takes one form, found critical_below and question",
        "combine conditions with all: [...] or any: [...]",
    ),
    "condition-unknown-question": (
        68,
        22,
        "/rules/0/when/question",
        "unknown question 'lead-9'",
        "did you mean 'lead-2'?",
    ),
    "condition-unknown-domain-in-rule": (
        67,
        15,
        "/rules/0/domains/0",
        "unknown domain 'leed'",
        "did you mean 'lead'?",
    ),
    # Expression problems are placed at the character to blame: line 78 is
    # "    when: {expression: '...'}", whose quote is column 24, so character N of the text is column 24 + N.
    "expression-syntax": (
        78,
        37,  # character 13, the '(' of domain_level(
        "/rules/2/when/expression",
        "expression: '(' was never closed (at character 13)",
        "check brackets and quotes",
    ),
    "expression-unknown-function": (
        78,
        25,
        "/rules/2/when/expression",
        "expression: unknown function 'open' (at character 1)",
        "known functions: question, question_level, domain, domain_level, count_domains_below, count_domains_at, "
        "count_domains_at_least, count_questions_below, min, max, abs",
    ),
    "expression-attribute": (
        78,
        30,  # the dot of value.__class__
        "/rules/2/when/expression",
        "expression: attribute access (.) is not allowed (at character 6)",
        "use the listed functions",
    ),
    "expression-unknown-id": (
        78,
        63,  # character 39, the quote that opens "lead-3"
        "/rules/2/when/expression",
        "unknown question 'lead-3'",
        "did you mean 'lead-2'?",
    ),
    "expression-operator": (
        78,
        73,  # the expression is in double quotes at column 24: character 49 is the first '*' of **
        "/rules/2/when/expression",
        "expression: operator ** is not allowed (at character 49)",
        "use + - * /",
    ),
    # Authoring mistakes that YAML hides: the message says what YAML read and how to write what was meant.
    "version-number": (
        3,
        10,
        "/version",
        "version 1.10 is read as the number 1.1, not as text",
        'quote it: version: "1.10"',
    ),
    "text-with-colon": (
        39,
        51,  # the colon after "front line"
        "/",
        "invalid YAML: mapping values are not allowed in this context",
        'a colon followed by a space starts a key: quote the whole text: text: "Leaders spend time at the front '
        'line: weekly."',
    ),
    "text-read-as-mapping": (
        40,
        11,
        "/domains/0/questions/1/text",
        'expected text, found a mapping (YAML reads "Leaders: ..." as a key and its value)',
        'a colon followed by a space starts a key: quote the whole text: text: "Leaders: spend time at the front '
        'line."',
    ),
    "descriptor-with-colon": (
        42,
        43,  # the colon after "Monthly", where YAML wanted ',' or '}'
        "/",
        "invalid YAML: while parsing a flow mapping did not find expected ',' or '}'",
        'a colon followed by a space starts a key: quote the whole text: descriptor: "Monthly: at least."',
    ),
    "target-unknown-name": (
        21,
        12,
        "/targets/default",
        "target 'Hihg' is not a level name",
        "did you mean 'High'? levels: Low (1), Mid (2), High (3)",
    ),
    "compare-unknown-group": (
        56,
        54,
        "/scoring/respondents/compare/0/1",
        "unknown respondent group 'frontline'",
        "known respondent groups: board, staff",
    ),
    "compare-same-group": (
        56,
        46,
        "/scoring/respondents/compare/0",
        "compares group 'staff' with itself",
        "name two different groups",
    ),
    "duplicate-key": (
        25,
        5,
        "/domains/0/title",
        "duplicate key 'title' (first at line 24)",
        "remove one of them: readers differ on which they keep",
    ),
    "yaml-alias": (
        40,
        9,
        "/domains/0/questions/1/help",
        "YAML aliases are not allowed (this reuses the value at line 39)",
        "write the value out in full",
    ),
    "yaml-syntax": (
        25,
        4,
        "/",
        "invalid YAML: while parsing a block collection did not find expected '-' indicator",
        "fix the YAML syntax here",
    ),
    "unsupported-tag": (
        4,
        8,
        "/title",
        "unsupported YAML tag tag:yaml.org,2002:python/object:os.system",
        "remove the tag",
    ),
    "not-a-mapping": (
        2,
        1,
        "/",
        "the document is a list, not a mapping",
        "the top level must be key: value lines",
    ),
    "not-utf8": (3, 14, "/", "the file is not UTF-8 text (byte 0xe9)", "save the file with UTF-8 encoding"),
    "empty": (None, None, "/", "the file is empty", "it must hold a YAML mapping (key: value lines)"),
    "evidence-twice": (
        31,
        9,
        "/domains/0/questions/0/evidence",
        "question 'lead-1' gives both evidence_from and evidence",
        "keep one: evidence: {from_level: L, groups: [...]} says the same with groups",
    ),
    "evidence-unknown-group": (
        30,
        44,
        "/domains/0/questions/0/evidence/groups/0",
        "unknown respondent group 'bord'",
        "did you mean 'board'?",
    ),
    "na-met-on-critical": (
        30,
        52,
        "/domains/0/questions/0/not_applicable/counts_as",
        "question 'lead-1': N/A cannot count as met, because it is critical (mandatory)",
        "use counts_as: exclude, lowest or target, or allowed: false where N/A makes no sense",
    ),
    # meth-1 is not critical, but the gate no-weak-domain counts domain levels, and meth's level is meth-1's.
    "na-met-by-default": (
        59,
        19,
        "/scoring/not_applicable",
        "N/A counts as met by default, but it cannot on 1 question(s) that allow N/A: "
        "'meth-1' (gate rule 'no-weak-domain' reads it)",
        "choose another default (exclude, count_as_lowest or anchor_to_target), or give those questions "
        "not_applicable: {counts_as: exclude} (or lowest, target), or allowed: false",
    ),
    "na-counts-as-disagree": (
        20,
        45,
        "/not_applicable/counts_as",
        "not_applicable.counts_as 'lowest' and scoring.not_applicable 'exclude' disagree",
        "say the rubric-wide N/A policy once: remove one of them",
    ),
    # Per-group wording and help: each key a group the rubric has and the question asks.
    "wording-unknown-group": (
        34,
        19,
        "/domains/0/questions/0/wording/staf",
        "unknown respondent group 'staf'",
        "did you mean 'staff'?",
    ),
    "help-for-group-not-asked": (
        34,
        20,
        "/domains/0/questions/0/help_for/staff",
        "question 'lead-1' gives help for group 'staff', which it does not ask",
        "its respondents are board: add 'staff' to respondents, or remove this help",
    ),
    "wording-without-groups": (
        36,
        9,
        "/domains/0/questions/1/wording",
        "question 'lead-2' gives wording for respondent groups but the rubric defines none",
        "add respondent_groups at the top of the rubric, or remove wording",
    ),
    # A step's measure and owner belong to its next_step.
    "measure-without-next-step": (
        41,
        44,
        "/domains/0/questions/1/levels/0/measure",
        "question 'lead-2': level 1 has a measure but no next_step",
        "a measure or an owner belongs to a next step: say what to do to reach the level above",
    ),
    "owner-on-top": (
        43,
        45,
        "/domains/0/questions/1/levels/2/owner",
        "question 'lead-2': the top level 3 has an owner",
        "remove it: there is no level above",
    ),
    # A reason explains a weight or a critical flag that is there.
    "weight-rationale-without-weight": (
        40,
        9,
        "/domains/0/questions/1/weight_rationale",
        "question 'lead-2' has a weight_rationale but no weight (so the default, 1)",
        "give the weight it explains, or remove weight_rationale",
    ),
    "domain-weight-rationale-default": (
        47,
        5,
        "/domains/1/weight_rationale",
        "domain 'meth' has a weight_rationale but weight 1, the default",
        "give the weight it explains, or remove weight_rationale",
    ),
    "critical-rationale-not-critical": (
        40,
        9,
        "/domains/0/questions/1/critical_rationale",
        "question 'lead-2' has a critical_rationale but is not critical",
        "set critical: true, or remove critical_rationale",
    ),
}


@pytest.mark.slow
def test_every_invalid_fixture_has_an_expectation():
    assert sorted(p.stem for p in INVALID.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_is_reported_at_its_place(name):
    line, column, path, message, hint = EXPECTED[name]
    fixture = INVALID / f"{name}.yaml"
    problems = validate_rubric(fixture)
    assert [(p.line, p.column, p.path, p.message, p.hint) for p in problems] == [(line, column, path, message, hint)]
    assert problems[0].file == str(fixture)


def test_valid_minimal_rubric_has_no_problems():
    assert validate_rubric(RUBRICS / "valid-minimal.yaml") == []


def test_load_rubric_raises_with_every_problem(tmp_path):
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text((RUBRICS / "valid-minimal.yaml").read_text().replace("- id: lead-2", "- id: Lead 2"))
    with pytest.raises(InputError) as caught:
        load_rubric(renamed)
    # The bad id is reported, and so is the expression that named the old id: both in one pass.
    assert [p.message for p in caught.value.problems] == [
        "'Lead 2' is not a valid id",
        "unknown question 'lead-2'",
    ]


def test_targets_may_name_a_level(tmp_path):
    # Levels are 1 Low, 2 Mid, 3 High: names are matched as a reader would, whatever their case and spacing.
    text = (RUBRICS / "valid-minimal.yaml").read_text()
    text = text.replace("  default: 2", "  default: mid").replace(
        "    weight: 2\n", "    weight: 2\n    target: ' HIGH'\n"
    )
    path = tmp_path / "named.yaml"
    path.write_text(text)
    rubric = load_rubric(path)
    assert rubric.default_target == 2
    assert [d.target for d in rubric.domains] == [3, None]


def test_several_problems_in_one_file_are_all_reported_in_file_order(tmp_path):
    text = (INVALID / "unknown-key.yaml").read_text()
    text = text.replace("    weight: 2\n", "    weight: -1\n").replace("sources: [src]", "sources: [nope]")
    broken = tmp_path / "many.yaml"
    broken.write_text(text)
    problems = validate_rubric(broken)
    assert [(p.line, p.message) for p in problems] == [
        (25, "must be greater than 0, found -1"),
        (31, "unknown source 'nope'"),
        (40, "unknown key 'wieght'"),
    ]


def test_infinite_weight_is_refused_when_loading(tmp_path):
    text = (RUBRICS / "valid-minimal.yaml").read_text().replace("    weight: 2\n", "    weight: .inf\n")
    path = tmp_path / "inf.yaml"
    path.write_text(text)
    assert [(p.line, p.path, p.message) for p in validate_rubric(path)] == [
        (26, "/domains/0/weight", "'.inf' is not a finite number")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_reports_each_invalid_fixture_with_file_and_line_and_exit_2(name):
    line, column, path, message, hint = EXPECTED[name]
    fixture = INVALID / f"{name}.yaml"
    result = run_main("validate", str(fixture))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    place = f"{fixture}:{line}:{column}" if line is not None else str(fixture)
    expected = f"{place}: {path}: {message}" + (f" ({hint})" if hint else "")
    assert result.stderr.splitlines()[0] == expected
    assert result.stdout == ""


def test_cli_json_lists_problems_on_stdout():
    fixture = INVALID / "band-gap.yaml"
    result = run_main("validate", str(fixture), "--format", "json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    (problem,) = report["rubrics"][0]["problems"]
    assert problem == {
        "file": str(fixture),
        "line": 62,
        "column": 36,
        "path": "/bands/items/1/from",
        "message": "gap in bands: nothing covers 2 to 2.5",
        "hint": "close the gap",
    }
