"""The model as a notebook user meets it: score() checks a hand-built assessment, results become tables, a typo in
an id is a KeyError that names the closest id, key-value data reads as mappings, and objects print short."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import pickle
import sys
from collections.abc import Mapping

import pytest
import yaml

from qimaturity import InputError, load_assessment, load_rubric, score
from qimaturity._core.documents import SourceDocument
from qimaturity.answers import checks
from qimaturity.answers.files import assessment_from_document
from qimaturity.answers.model import Answer, Assessment, Organisation, Respondent
from qimaturity.scoring.tables import write_csv

from .conftest import COHORT_1_1, EXAMPLES_1_1, QI_READINESS_1_1, ROOT, SCORING_ANSWERS, SCORING_RUBRICS

CHECKS = load_rubric(SCORING_RUBRICS / "checks.yaml")
QI = load_rubric(QI_READINESS_1_1)
RIVERSIDE = EXAMPLES_1_1 / "riverside-community.yaml"
LEVELS_HINT = "levels are 1, 2, 3, 4, 5"


def hand_built(*respondents: Respondent, **fields) -> Assessment:
    """An assessment of checks.yaml built in Python: checks-valid.yaml's answers unless others are given."""
    if not respondents:
        respondents = (
            Respondent(
                "b1", "board", (Answer("sponsor", 3), Answer("method", None, "We buy in."), Answer("training", 2))
            ),
            Respondent("f1", "frontline", (Answer("sponsor", 2), Answer("patients", 4))),
        )
    return Assessment(
        Organisation("org-q", "Organisation Q"), "checks", respondents, **{"rubric_version": "2.1", **fields}
    )


def places(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str, str, str]]:
    return [(p.file, p.line, p.path, p.message, p.hint) for p in error.value.problems]


# --- score() checks an assessment built in Python -------------------------------------------------------------


def test_a_valid_hand_built_assessment_scores_as_its_answers_file_does():
    from_file = score(CHECKS, load_assessment(SCORING_ANSWERS / "checks-valid.yaml", CHECKS))
    assert score(CHECKS, hand_built()).overall.value == from_file.overall.value


def test_score_refuses_a_level_off_the_scale_naming_the_respondent_and_question():
    # Before, a level of 99 was scored: the domain's value became a mean with 99 in it.
    b1 = Respondent("b1", "board", (Answer("sponsor", 99), Answer("method", 3), Answer("training", 2)))
    f1 = Respondent("f1", "frontline", (Answer("patients", 4),))
    with pytest.raises(InputError) as caught:
        score(CHECKS, hand_built(b1, f1))
    assert places(caught) == [
        (
            "<assessment>",
            None,
            "/respondents/0/answers/sponsor",
            "question 'sponsor': level 99 is not on the scale",
            LEVELS_HINT,
        )
    ]


def test_score_honours_missing_error_for_a_hand_built_assessment():
    # checks.yaml's missing-answer policy is the default, error; nobody answers training here.
    b1 = Respondent("b1", "board", (Answer("sponsor", 3), Answer("method", 3)))
    f1 = Respondent("f1", "frontline", (Answer("patients", 4),))
    with pytest.raises(InputError) as caught:
        score(CHECKS, hand_built(b1, f1))
    assert places(caught) == [
        (
            "<assessment>",
            None,
            "/respondents",
            "question 'training' has no answer",
            "answer it, or N/A where the rubric allows it",
        )
    ]


INVALID = sorted((SCORING_ANSWERS / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_a_hand_built_assessment_gets_the_problems_its_answers_file_gets(path):
    """One home for the rules: each invalid answers file (one defect each: unknown question, level off the scale,
    N/A not allowed or unjustified, a question not asked of the group, an unknown group, a missing answer, another
    rubric version), built into an Assessment without checks, gets the same problems from score() as from
    load_assessment, with no line; only the level written in a mapping is placed at the answer itself."""
    with pytest.raises(InputError) as from_file:
        load_assessment(path, CHECKS)
    unchecked = assessment_from_document(SourceDocument("ignored", yaml.safe_load(path.read_text(encoding="utf-8"))))
    unchecked = dataclasses.replace(unchecked, source=None)
    with pytest.raises(InputError) as from_score:
        score(CHECKS, unchecked)
    expected = [
        ("<assessment>", None, p.path.removesuffix("/level"), p.message, p.hint) for p in from_file.value.problems
    ]
    assert places(from_score) == expected


def test_the_problems_of_an_assessment_from_a_file_name_that_file():
    loaded = load_assessment(RIVERSIDE, QI)
    changed = dataclasses.replace(loaded, rubric_version="0.9")
    with pytest.raises(InputError) as caught:
        score(QI, changed)
    assert places(caught) == [
        (
            str(RIVERSIDE),
            None,
            "/rubric/version",
            "these answers were given to version 0.9 of 'qi-readiness'; this rubric is version 1.1.0",
            "score them with the version they were given to, or check them against this version "
            "and update the answers file",
        )
    ]


def test_an_assessment_for_another_rubric_is_refused():
    with pytest.raises(InputError) as caught:
        score(QI, hand_built())
    # said alone: checked against another rubric, every question would be unknown too
    assert [(p.path, p.message, p.hint) for p in caught.value.problems] == [
        (
            "/rubric/id",
            "these answers are for rubric 'checks' 2.1, not 'qi-readiness'",
            "score them with their own rubric",
        )
    ]


def test_values_that_no_answers_file_could_hold_are_problems_not_tracebacks():
    with pytest.raises(InputError) as caught:
        score(CHECKS, hand_built(date=datetime.date(2026, 9, 30)))
    assert places(caught) == [
        (
            "<assessment>",
            None,
            "/date",
            "a datetime.date is not text, a number or true/false",
            "give plain values (dates as text: YYYY-MM-DD)",
        )
    ]


def test_a_question_answered_twice_by_one_respondent_is_a_problem():
    b1 = Respondent(
        "b1", "board", (Answer("sponsor", 3), Answer("sponsor", 4), Answer("method", 3), Answer("training", 2))
    )
    f1 = Respondent("f1", "frontline", (Answer("patients", 4),))
    with pytest.raises(InputError) as caught:
        score(CHECKS, hand_built(b1, f1))
    assert places(caught) == [
        (
            "<assessment>",
            None,
            "/respondents/0/answers/sponsor",
            "question 'sponsor' is answered twice by this respondent",
            "keep one answer per question and respondent",
        )
    ]


def test_assessments_are_checked_once(monkeypatch):
    calls = []
    real = checks.check_answers_document
    monkeypatch.setattr(
        checks, "check_answers_document", lambda doc, rubric: calls.append(doc.name) or real(doc, rubric)
    )

    loaded = load_assessment(RIVERSIDE, QI)  # checked as a file
    score(QI, loaded)
    score(QI, loaded, what_if={"gov-board-agenda": 4})
    assert calls == []

    built = hand_built()
    score(CHECKS, built)
    score(CHECKS, built)
    assert calls == ["<assessment>"]

    # A copy may hold anything: it is checked again.
    score(QI, dataclasses.replace(loaded, date="2026-10-01"))
    assert calls == ["<assessment>", str(RIVERSIDE)]


@pytest.mark.slow
def test_every_example_answers_file_stands_for_an_assessment_that_passes_the_checks():
    # the examples and cohort on the bundled rubric (2.0.0), and as they were on 1.1.0 (the fixtures)
    current = load_rubric("qi-readiness")
    for rubric, folders in ((current, (ROOT / "examples" / "answers", ROOT / "examples" / "cohort")),
                            (QI, (EXAMPLES_1_1, COHORT_1_1))):  # fmt: skip
        files = [path for folder in folders for path in sorted(folder.glob("*.yaml"))]
        assert len(files) == 33
        for path in files:
            assert checks.check_assessment(load_assessment(path, rubric), rubric) == [], path


# --- results as tables ---------------------------------------------------------------------------------------


def test_to_records_gives_the_csv_rows_with_numbers():
    # checks-valid.yaml against checks.yaml (median of respondents, weighted mean with weights 1, floor, no bands):
    #   sponsor: median(2, 3) = 2.5 -> level 2; no r_wg: board and frontline have one answer each (fewer than 3)
    #   board and frontline have one respondent each, fewer than min_group_size 3: no group rows, and the question
    #   rows count only respondents of groups that are shown (none)
    #   method: N/A (left out); training: 2; patients: 4
    #   domain d = (2.5 + 2 + 4) / 3 = 8.5 / 3 = 17/6 = 2.8333333333333335 (the float nearest 17/6) -> level 2
    #   Emerging; percent = 100 * (17/6 - 1) / (5 - 1) = 275/6 = 45.833333333333336, in full (not 2.8333, 45.8333)
    #   overall = the one domain's value
    result = score(CHECKS, load_assessment(SCORING_ANSWERS / "checks-valid.yaml", CHECKS))
    shown = ("scope", "id", "group", "respondents", "status", "value", "level", "level_name", "percent", "agreement")
    assert [tuple(r[c] for c in shown) for r in result.to_records()] == [
        ("overall", "overall", None, None, None, 2.8333333333333335, 2, "Emerging", 45.833333333333336, None),
        ("domain", "d", None, None, None, 2.8333333333333335, 2, "Emerging", 45.833333333333336, None),
        ("question", "sponsor", None, None, "answered", 2.5, 2, None, None, None),
        ("question", "method", None, None, "na", None, None, None, None, None),
        ("question", "training", None, None, "answered", 2.0, 2, None, None, None),
        ("question", "patients", None, None, "answered", 4.0, 4, None, None, None),
    ]


def test_records_are_the_score_csv_cell_for_cell():
    shown = dataclasses.replace(QI, scoring=dataclasses.replace(QI.scoring, min_group_size=1))  # every kind of row
    result = score(shown, load_assessment(RIVERSIDE, shown), targets={"leadership": 5})
    stream = io.StringIO()
    write_csv([result], stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    records = result.to_records()
    assert {r["scope"] for r in records} == {"overall", "domain", "question", "group", "perception_gap"}
    assert len(records) == len(rows)
    numbers = {"respondents": int, "value": float, "level": int, "percent": float, "target": int, "gap": int}
    numbers |= {"held_level": int, "interval_low": float, "interval_high": float}
    for record, row in zip(records, rows, strict=True):
        assert list(record) == list(row)
        for column, value in record.items():
            kind = numbers.get(column, float if column == "agreement" else str)
            assert value is None or type(value) is kind, (record["id"], column, value)
            # A float is written in full and reads back as itself: "3" for 3.0, repr for the rest.
            if isinstance(value, float):
                assert float(row[column]) == value, (record["id"], column)
                assert row[column] == (str(int(value)) if value.is_integer() else repr(value))
            else:
                assert ("" if value is None else str(value)) == row[column], (record["id"], column)


def test_to_polars_has_a_typed_column_per_csv_column():
    import polars as pl

    result = score(QI, load_assessment(RIVERSIDE, QI))
    frame = result.to_polars()
    assert frame.columns == list(result.to_records()[0])
    assert frame.schema["value"] == pl.Float64 and frame.schema["level"] == pl.Int64
    assert frame.schema["respondents"] == pl.Int64 and frame.schema["group"] == pl.String
    assert frame.to_dicts() == result.to_records()
    leadership = frame.filter((pl.col("scope") == "domain") & (pl.col("id") == "leadership"))
    # Each group's median, then the groups' mean (qi-readiness pools by group, equal weights):
    # lead-executive-lead board 4, managers 3 -> 3.5; lead-role-models 4, 3, frontline 2, patient partners 3 -> 3;
    # lead-qi-as-management 4, 3, 2 -> 3; lead-coaching 4, 3 -> 3.5; lead-distributed 3, 3, 2 -> 8/3;
    # lead-stability 4, 3 -> 3.5. (2×3.5 + 2×3 + 2×3 + 1×3.5 + 1×8/3 + 1×3.5) / 9 = (86/3) / 9 = 86/27
    # = 3.185185185185185, in full
    assert leadership["value"].item() == result.domain("leadership").value == 86 / 27 == 3.185185185185185


def test_to_pandas_has_nullable_whole_numbers():
    pd = pytest.importorskip("pandas")
    result = score(QI, load_assessment(RIVERSIDE, QI))
    frame = result.to_pandas()
    assert list(frame.columns) == list(result.to_records()[0])
    assert str(frame["level"].dtype) == "Int64" and str(frame["value"].dtype) == "float64"
    overall = frame[frame["scope"] == "overall"].iloc[0]
    assert overall["level"] == result.overall.level and pd.isna(overall["agreement"])


def test_to_pandas_without_pandas_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    result = score(CHECKS, load_assessment(SCORING_ANSWERS / "checks-valid.yaml", CHECKS))
    with pytest.raises(ImportError, match="pip install pandas"):
        result.to_pandas()


# --- a typo in an id -------------------------------------------------------------------------------------------


def test_a_typo_in_a_question_id_is_a_key_error_naming_the_closest_id():
    with pytest.raises(KeyError) as caught:
        QI.question("lead-rol-models")
    assert str(caught.value) == "no question 'lead-rol-models' in qi-readiness; did you mean 'lead-role-models'?"


def test_a_typo_in_a_domain_id_is_a_key_error_and_without_a_close_match_lists_the_domains():
    with pytest.raises(KeyError, match=r"^no domain 'leadrship' in qi-readiness; did you mean 'leadership'\?$"):
        QI.domain("leadrship")
    with pytest.raises(KeyError) as caught:
        QI.domain("finance")
    assert str(caught.value) == (
        "no domain 'finance' in qi-readiness (its domains: leadership, governance, training-capability, "
        "culture-engagement, patient-involvement, method-measurement)"
    )


def test_results_and_the_scale_raise_the_same_key_errors():
    result = score(QI, load_assessment(RIVERSIDE, QI))
    with pytest.raises(KeyError, match="did you mean 'lead-role-models'"):
        result.question("lead-rol-models")
    with pytest.raises(KeyError, match="did you mean 'governance'"):
        result.domain("governence")
    with pytest.raises(KeyError) as caught:
        QI.level(9)
    assert str(caught.value) == "no level 9 in the scale of qi-readiness (its levels: 1, 2, 3, 4, 5)"
    assert QI.question("lead-role-models").id == result.question("lead-role-models").id == "lead-role-models"


# --- key-value data as mappings ----------------------------------------------------------------------------------


def test_metadata_targets_tags_codes_and_what_if_changes_read_as_read_only_mappings():
    assessment = load_assessment(RIVERSIDE, QI)
    result = score(QI, assessment, what_if={"gov-board-agenda": 4})
    question = QI.question("lead-role-models")
    views = {
        "metadata": (assessment.organisation.metadata, {"beds": 96, "sites": 38, "staff": 4300}),
        "result metadata": (result.organisation.metadata, {"beds": 96, "sites": 38, "staff": 4300}),
        "tags": (question.tags, {"cqc-well-led": ("W1", "W3"), "nhs-impact": ("leadership-behaviours",)}),
        "changes": (result.projection.changes, {"gov-board-agenda": 4}),
    }
    for name, (view, expected) in views.items():
        assert isinstance(view, Mapping) and view == expected and dict(view) == expected, name
        with pytest.raises(TypeError):
            view["x"] = 1  # type: ignore[index]
    assert QI.frameworks[0].codes["leadership-behaviours"] == "Developing leadership behaviours"
    assert assessment.organisation.metadata["beds"] == 96
    assert result.to_dict()["organisation"]["metadata"] == {"beds": 96, "sites": 38, "staff": 4300}
    assert result.to_dict()["projection"]["changes"] == {"gov-board-agenda": 4}


def test_model_objects_stay_hashable_comparable_and_picklable_with_mappings():
    built = hand_built(targets={"d": 4})
    assert built.targets == {"d": 4}
    assert built == hand_built(targets={"d": 4}) and hash(built) == hash(hand_built(targets={"d": 4}))
    assert built != hand_built(targets={"d": 3})
    assert Organisation("o", "O", metadata={"beds": 1}) == Organisation("o", "O", metadata=(("beds", 1),))
    assert len({QI.question("lead-role-models"), load_rubric(QI_READINESS_1_1).question("lead-role-models")}) == 1
    loaded = load_assessment(RIVERSIDE, QI)
    assert pickle.loads(pickle.dumps(loaded)) == loaded
    assert score(CHECKS, built).domain("d").target == 4


# --- short reprs -------------------------------------------------------------------------------------------------


def test_model_objects_and_results_print_in_one_short_line():
    assessment = load_assessment(RIVERSIDE, QI)
    result = score(QI, assessment, what_if={"gov-board-agenda": 4})
    # Riverside: overall 3.0835 (level 3 Developing, held there by the Embedded gate, as culture is at 2; worked in
    # tests/test_pooling.py; the what-if is a projection beside it); leadership 86/27 = 3.1852 (worked in
    # test_to_polars_has_a_typed_column_per_csv_column), shown as 3.19. 14 respondents: board 3 (27, 26 and 27
    # answers), managers 3 (29, 29, 30), frontline 5 (20, 20, 21, 21, 21), patient partners 3 (7 each) = 292
    # answers. Every group has 3 or more respondents, so every answer is shown: lead-role-models, asked of every
    # group, has 3 + 3 + 5 + 3 = 14; trn-qi-team was answered N/A by two board members and a manager.
    assert [repr(x) for x in (QI, QI.domain("leadership"), QI.question("lead-role-models"), assessment)] == [
        "<Rubric qi-readiness 1.1.0: 6 domains, 31 questions>",
        "<Domain leadership 'Leadership': 6 questions, weight 1.5>",
        "<Question lead-role-models in leadership, weight 2, critical>",
        "<Assessment riverside 'Riverside Community Health NHS Trust' 2026-09-30: 14 respondent(s), 292 answer(s) "
        "to qi-readiness 1.1.0>",
    ]
    assert [repr(x) for x in (result, result.overall, result.domain("leadership"))] == [
        "<Result riverside 'Riverside Community Health NHS Trust' 2026-09-30, qi-readiness 1.1.0: "
        "overall 3.08 held at level 3 Developing, with a what-if>",
        "<OverallResult 3.08 held at level 3 Developing>",
        "<DomainResult leadership 3.19 level 3 Developing>",
    ]
    assert repr(result.question("lead-role-models")) == "<QuestionResult lead-role-models 3.00 level 3, 14 answer(s)>"
    assert repr(result.question("trn-qi-team")) == "<QuestionResult trn-qi-team no value (N/A), 3 answer(s)>"
    assert all(len(repr(d)) < 100 for d in result.domains)
