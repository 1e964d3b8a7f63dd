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


def test_default_rubric_covers_the_six_domains_with_five_levels():
    rubric = load_rubric("qi-readiness")
    assert [d.id for d in rubric.domains] == [
        "leadership",
        "governance",
        "training-capability",
        "culture-engagement",
        "patient-involvement",
        "method-measurement",
    ]
    assert [lv.value for lv in rubric.levels] == [1, 2, 3, 4, 5]
    for domain in rubric.domains:
        assert 4 <= len(domain.questions) <= 8, domain.id
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
    """Issue 12: frontline staff and patient partners were capped for not citing board papers."""
    rubric = load_rubric("qi-readiness")
    asked = {q.id: q.evidence_groups for q in rubric.questions() if q.evidence_from is not None}
    assert asked and all(groups == ("board", "managers") or not groups for groups in asked.values())
    question = rubric.question("met-agreed-method")
    assert question.asks_evidence("board", 4) and question.asks_evidence("managers", 5)
    assert not question.asks_evidence("frontline", 5) and not question.asks_evidence("board", 3)
