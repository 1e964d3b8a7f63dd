"""The bundled rubrics validate, and the default one holds what the project promises its users."""

from __future__ import annotations

import pytest

from qimaturity import bundled_rubrics, load_rubric, validate_rubric
from qimaturity.rubric.load import bundled_rubric_paths
from qimaturity.rubric.model import CriticalBelow

from .conftest import ROOT

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/rubric.schema.json"


@pytest.mark.parametrize("rubric_id", sorted(bundled_rubric_paths()))
def test_bundled_rubric_is_valid_and_named_after_its_id(rubric_id):
    path = bundled_rubric_paths()[rubric_id]
    assert validate_rubric(path) == []
    assert load_rubric(rubric_id).id == rubric_id
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    assert (path.parent / "../schemas/rubric.schema.json").resolve() == ROOT / "schemas" / "rubric.schema.json"


def test_there_are_at_least_two_bundled_rubrics_of_different_shape():
    rubrics = [load_rubric(s.id) for s in bundled_rubrics()]
    assert len(rubrics) >= 2
    shapes = {(r.levels[0].value, r.scoring.questions, tuple(sorted({rule.type for rule in r.rules}))) for r in rubrics}
    assert len(shapes) == len(rubrics)


def test_default_rubric_covers_the_nine_domains_with_five_levels():
    rubric = load_rubric("qi-readiness")
    assert [d.id for d in rubric.domains] == [
        "leadership",
        "governance",
        "management-system",
        "training-capability",
        "culture-engagement",
        "safety-learning",
        "patient-involvement",
        "method-measurement",
        "results-sustainability",
    ]
    assert [lv.value for lv in rubric.levels] == [1, 2, 3, 4, 5]
    for domain in rubric.domains:
        assert 3 <= len(domain.questions) <= 8, domain.id
        assert any(q.critical for q in domain.questions), f"{domain.id} has no critical item"
        for question in domain.questions:
            assert question.sources, f"{question.id} cites no source"
            assert [d.level for d in question.levels] == [1, 2, 3, 4, 5]
            assert all(d.next_step for d in question.levels[:-1]), question.id


def test_default_rubric_caps_domains_on_critical_items_and_has_respondent_groups():
    rubric = load_rubric("qi-readiness")
    caps = [r for r in rubric.rules if r.type == "cap" and r.scope == "domain"]
    assert any(isinstance(r.condition, CriticalBelow) for r in caps)
    assert {g.id for g in rubric.respondent_groups} >= {"board", "managers", "frontline", "patient-partners"}


def test_staged_rubric_uses_stages_and_points():
    rubric = load_rubric("qi-programme-stages")
    assert any(r.type == "staged" for r in rubric.rules)
    assert rubric.scoring.questions == "weighted_sum"
    assert all(q.stage is not None for q in rubric.questions())


def test_default_rubric_asks_evidence_only_of_the_board_and_managers():
    """Issue 12: frontline staff and patient partners were capped for not citing board papers. Every question that
    asks evidence names the groups asked (none would mean every group), only the board and managers, and only
    groups the question is put to."""
    rubric = load_rubric("qi-readiness")
    asked = {q.id: q for q in rubric.questions() if q.evidence_from is not None}
    assert asked
    for question in asked.values():
        assert question.evidence_groups, question.id
        assert set(question.evidence_groups) <= {"board", "managers"} & set(question.respondents), question.id
    question = rubric.question("met-agreed-approach")
    assert question.asks_evidence("board", 4) and question.asks_evidence("managers", 5)
    assert not question.asks_evidence("frontline", 5) and not question.asks_evidence("board", 3)


# --- qi-readiness 2.0.0: what issue 13 asked of the default rubric ---------------------------------------------
GROUPS = ("board", "managers", "frontline", "patient-partners")


def questions_per_group(rubric):
    return {g: sum(g in q.respondents for q in rubric.questions()) for g in GROUPS}


def test_every_question_says_who_answers_it_and_no_group_is_asked_more_than_20_minutes_of_questions():
    # About 20 minutes at 30 to 40 seconds a question: 34 questions are 17 to 23 minutes.
    rubric = load_rubric("qi-readiness")
    assert all(q.respondents for q in rubric.questions())
    counts = questions_per_group(rubric)
    assert counts == {"board": 34, "managers": 34, "frontline": 33, "patient-partners": 11}
    assert max(counts.values()) * 35 <= 20 * 60


def test_the_description_and_the_rationale_page_give_each_groups_question_count():
    rubric = load_rubric("qi-readiness")
    counts = questions_per_group(rubric)
    description = " ".join(rubric.description.split())
    for words, group in (
        ("the board {} questions", "board"),
        ("managers {} about", "managers"),
        ("frontline staff {} about", "frontline"),
        ("patient partners {} about", "patient-partners"),
    ):
        assert words.format(counts[group]) in description, group
    page = (ROOT / "docs" / "qi-readiness.md").read_text(encoding="utf-8")
    for name, group in (("Board", "board"), ("Managers", "managers"), ("Frontline staff", "frontline")):
        assert f"| {name} | {counts[group]} |" in page
    assert f"| Patient partners | {counts['patient-partners']} |" in page
    assert f"The rubric has {rubric.question_count} questions" in page


def test_frontline_staff_and_patient_partners_are_asked_in_their_own_words_without_jargon():
    rubric = load_rubric("qi-readiness")
    jargon = ("pdsa", "plan-do-study-act", "qsir", "statistical process control", "spc ", "kloe")
    for question in rubric.questions():
        for group in ("frontline", "patient-partners"):
            if group in question.respondents:
                assert group in question.wording, f"{question.id} has no wording for {group}"
        for text in (question.wording.get("patient-partners"), question.help_for.get("patient-partners")):
            assert not any(word in (text or "").lower() for word in jargon), question.id


def test_default_rubric_pools_the_four_groups_with_equal_weights_each_with_its_reason():
    rubric = load_rubric("qi-readiness")
    assert rubric.scoring.pooling == "groups"
    assert [(g.id, g.weight) for g in rubric.respondent_groups] == [(g, 1.0) for g in GROUPS]
    assert all(g.weight_rationale for g in rubric.respondent_groups)


def test_every_step_up_has_a_30_day_measure_and_an_owner_role():
    rubric = load_rubric("qi-readiness")
    for question in rubric.questions():
        for step in question.levels[:-1]:
            assert step.measure and step.owner, f"{question.id} level {step.level}"
        top = question.levels[-1]
        assert top.next_step is None and top.measure is None and top.owner is None


def test_every_weight_and_critical_flag_gives_its_reason():
    rubric = load_rubric("qi-readiness")
    for question in rubric.questions():
        assert (question.weight != 1) == (question.weight_rationale is not None), question.id
        assert question.critical == (question.critical_rationale is not None), question.id
    for domain in rubric.domains:
        assert (domain.weight != 1) == (domain.weight_rationale is not None), domain.id
    # The review of 1.0.0: psychological safety counts at least as much as milestone reviews, and the method bar
    # is an agreed approach (not "one method").
    safety, milestones = rubric.question("cult-psychological-safety"), rubric.question("met-milestone-reviews")
    assert safety.critical and safety.weight == 2 and not milestones.critical and milestones.weight == 1
    approach = rubric.question("met-agreed-approach")
    assert "agreed approach" in approach.text and "one method" not in approach.levels[1].descriptor


def test_level_5_never_depends_on_outside_recognition():
    rubric = load_rubric("qi-readiness")
    outside = (
        "other organisations",
        "other boards",
        "others learn",
        "sought out",
        "recognised source",
        "recognised centre",
        "recognised as",
        "cited as",
        "as a model",
        "award",
        "nationally",
        "externally",
    )
    for question in rubric.questions():
        top = question.levels[-1].descriptor.lower()
        assert not any(words in top for words in outside), question.id
    assert not any(words in rubric.levels[-1].descriptor.lower() for words in outside)


def test_every_question_is_mapped_to_nhs_impact_and_the_cqc_quality_statements_in_balance():
    rubric = load_rubric("qi-readiness")
    assert {f.id for f in rubric.frameworks} == {"nhs-impact", "cqc-saf"}
    impact = next(f for f in rubric.frameworks if f.id == "nhs-impact")
    per_component = {code: 0 for code in impact.codes}
    for question in rubric.questions():
        assert question.tags.get("nhs-impact") and question.tags.get("cqc-saf"), question.id
        for code in question.tags["nhs-impact"]:
            per_component[code] += 1
    # 1.1.0 tagged 15 of its 31 questions with a single component; now each of the five has at least 10.
    assert min(per_component.values()) >= 10, per_component


def test_citations_are_complete():
    rubric = load_rubric("qi-readiness")
    citations = {s.id: s.citation for s in rubric.sources}
    assert "2021;26(1):65-72. doi:10.1108/IJHG-07-2020-0085" in citations["elft-2021"]
    assert not any("accepted" in c.lower() for c in citations.values())
    cited = {s for q in rubric.questions() for s in q.sources}
    assert cited == set(citations), "a source no question cites, or a question citing an unknown source"
    # MUSIQ (Kaplan 2012) is about the context of single projects, not a source for milestone reviews.
    assert "kaplan-2012" not in rubric.question("met-milestone-reviews").sources


def test_the_migration_map_accounts_for_every_question_of_1_x():
    rubric = load_rubric("qi-readiness")
    old = load_rubric(ROOT / "tests" / "data" / "rubrics" / "qi-readiness-1.1.0.yaml")
    migration = rubric.migration_from("1.1.0")
    assert migration is not None and rubric.migration_from("1.0.0") is migration
    moved = {old_id for move in migration.questions for old_id in move.old}
    kept = {q.id for q in old.questions()} - moved
    assert old.question_count == 31 and len(moved) == 9
    assert all(rubric.question(q) for q in kept), "a 1.x question neither mapped nor kept"
    assert {d.id for d in migration.domains} == {d.id for d in rubric.domains}
    assert all(d.comparable is False and d.note for d in migration.domains)
