"""FHIR Questionnaire export and QuestionnaireResponse import (qimaturity.answers.fhir)."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import qimaturity
from qimaturity import ExtraMissing, InputError
from qimaturity._core.documents import SourceDocument
from qimaturity.answers.fhir import (
    GROUP_ITEM,
    ITEM_WEIGHT,
    ORDINAL_VALUE,
    questionnaire,
    questionnaire_json,
    read_responses,
)
from qimaturity.answers.files import assessment_from_document, check_answers_document

from .conftest import DATA, QI_READINESS_1_1, ROOT, RUBRICS, fresh_python, run_main

FHIR = DATA / "fhir"
BASE = "https://qimaturity.example/fhir/Questionnaire/qi-readiness"  # the placeholder: the rubric gives no canonical
LEVELS = BASE + "/levels"
GROUPS = BASE + "/respondent-groups"
CANONICAL = BASE + "|1.1.0"
ALL_GROUPS = ["board", "managers", "frontline", "patient-partners"]


@pytest.fixture(scope="module")
def rubric() -> qimaturity.Rubric:
    return qimaturity.load_rubric(QI_READINESS_1_1)


@pytest.fixture(scope="module")
def q4(rubric: qimaturity.Rubric) -> dict[str, Any]:
    return questionnaire(rubric, "R4")


@pytest.fixture(scope="module")
def q5(rubric: qimaturity.Rubric) -> dict[str, Any]:
    return questionnaire(rubric, "R5")


def find_item(items: list[dict[str, Any]], link_id: str) -> dict[str, Any]:
    """The item with ``link_id`` anywhere in ``items`` (questionnaire or response)."""
    for item in items:
        if item["linkId"] == link_id:
            return item
        nested = [*item.get("item", []), *(child for a in item.get("answer", []) for child in a.get("item", []))]
        try:
            return find_item(nested, link_id)
        except KeyError:
            pass
    raise KeyError(link_id)


def codes(item: dict[str, Any]) -> list[str]:
    return [option["valueCoding"]["code"] for option in item["answerOption"]]


# --- the Questionnaire ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_questionnaire_parses_with_the_r4b_and_r5_models(rubric: qimaturity.Rubric) -> None:
    from fhir.resources.questionnaire import Questionnaire as R5Questionnaire
    from fhir.resources.R4B.questionnaire import Questionnaire as R4Questionnaire

    r4 = R4Questionnaire.model_validate_json(questionnaire_json(rubric, "R4"))
    r5 = R5Questionnaire.model_validate_json(questionnaire_json(rubric, "R5"))
    assert r4.url == r5.url == BASE
    assert r4.version == r5.version == "1.1.0"
    assert r4.item and r4.item[1].item and r5.item and r5.item[1].item
    assert r4.item[1].item[0].type == "choice"
    assert r5.item[1].item[0].type == "coding"
    assert r5.item[1].item[0].answerConstraint == "optionsOnly"


@pytest.mark.slow
def test_questionnaire_header(q4: dict[str, Any]) -> None:
    assert q4["resourceType"] == "Questionnaire"
    assert q4["id"] == "qi-readiness"
    assert q4["name"] == "QiReadiness"
    assert q4["status"] == "active"
    assert q4["subjectType"] == ["Organization"]
    assert q4["title"] == "Quality improvement readiness of a healthcare organisation"
    assert q4["copyright"] == "Licence: CC-BY-4.0"


def test_items_follow_the_rubric(rubric: qimaturity.Rubric, q4: dict[str, Any]) -> None:
    assert [item["linkId"] for item in q4["item"]] == [GROUP_ITEM, *(d.id for d in rubric.domains)]
    for domain, item in zip(rubric.domains, q4["item"][1:], strict=True):
        assert item["type"] == "group"
        assert item["text"] == domain.title
        assert [child["linkId"] for child in item["item"]] == [q.id for q in domain.questions]
        for question, child in zip(domain.questions, item["item"], strict=True):
            assert child["text"] == question.text
            assert child["type"] == "choice"
            assert child["required"] is True  # the rubric's missing policy is error
    leadership = q4["item"][1]
    assert leadership["linkId"] == "leadership" and leadership["text"] == "Leadership"
    assert len(leadership["item"]) == 6


def test_respondent_group_item(q4: dict[str, Any]) -> None:
    group = q4["item"][0]
    assert group["linkId"] == GROUP_ITEM
    assert group["type"] == "choice" and group["required"] is True
    assert [o["valueCoding"] for o in group["answerOption"]] == [
        {"system": GROUPS, "code": "board", "display": "Board"},
        {"system": GROUPS, "code": "managers", "display": "Managers"},
        {"system": GROUPS, "code": "frontline", "display": "Frontline staff"},
        {"system": GROUPS, "code": "patient-partners", "display": "Patient partners"},
    ]


def test_answer_options_are_the_levels_with_their_weights(q4: dict[str, Any]) -> None:
    item = find_item(q4["item"], "lead-executive-lead")
    assert codes(item) == ["1", "2", "3", "4", "5"]  # no N/A: the question does not allow it
    assert [o["extension"] for o in item["answerOption"]] == [
        [{"url": ITEM_WEIGHT, "valueDecimal": value}] for value in (1, 2, 3, 4, 5)
    ]
    third = item["answerOption"][2]["valueCoding"]
    assert third == {
        "system": LEVELS,
        "code": "3",
        "display": "3 Developing: A named executive leads improvement with agreed time and a budget and reports to "
        "the board at least twice a year, but fellow executives still treat improvement as that person's job "
        "rather than a shared one.",
    }
    assert item["answerOption"][0]["valueCoding"]["display"].startswith("1 Not started: No executive holds")


def test_na_option_and_justification_where_the_question_allows_na(q4: dict[str, Any]) -> None:
    item = find_item(q4["item"], "trn-qi-team")
    assert codes(item) == ["1", "2", "3", "4", "5", "na"]
    assert item["answerOption"][-1] == {"valueCoding": {"system": LEVELS, "code": "na", "display": "Not applicable"}}
    justification = find_item(item["item"], "trn-qi-team/justification")
    assert justification["type"] == "text" and justification["required"] is True
    assert justification["enableWhen"] == [
        {"question": "trn-qi-team", "operator": "=", "answerCoding": item["answerOption"][-1]["valueCoding"]}
    ]


def test_enable_when_restricts_questions_to_their_groups(q4: dict[str, Any]) -> None:
    def enabled_for(link_id: str) -> list[str] | None:
        item = find_item(q4["item"], link_id)
        if "enableWhen" not in item:
            return None
        assert item["enableBehavior"] == "any"
        assert {(c["question"], c["operator"], c["answerCoding"]["system"]) for c in item["enableWhen"]} == {
            (GROUP_ITEM, "=", GROUPS)
        }
        return [c["answerCoding"]["code"] for c in item["enableWhen"]]

    assert enabled_for("lead-executive-lead") == ["board", "managers"]
    assert enabled_for("trn-board-training") == ["board"]
    assert enabled_for("lead-qi-as-management") == ["board", "managers", "frontline"]
    assert enabled_for("met-pdsa") == ["managers", "frontline", "patient-partners"]
    assert enabled_for("lead-role-models") is None  # asked of everyone


def test_evidence_and_comment_items(q4: dict[str, Any]) -> None:
    item = find_item(q4["item"], "met-agreed-method")  # evidence_from: 4
    evidence = find_item(item["item"], "met-agreed-method/evidence")
    assert evidence["type"] == "group" and evidence["repeats"] is True
    assert [c["answerCoding"]["code"] for c in evidence["enableWhen"]] == ["4", "5"]
    assert [(c["linkId"], c["type"]) for c in evidence["item"]] == [
        ("met-agreed-method/evidence/reference", "string"),
        ("met-agreed-method/evidence/date", "date"),
    ]
    assert [c["linkId"] for c in item["item"]] == [
        "met-agreed-method/help",
        "met-agreed-method/evidence",
        "met-agreed-method/comment",
    ]
    assert item["item"][0]["type"] == "display"
    plain = find_item(q4["item"], "met-pdsa")
    assert [c["linkId"] for c in plain["item"]] == ["met-pdsa/help", "met-pdsa/comment"]


@pytest.mark.subprocess
def test_questionnaire_json_is_deterministic(rubric: qimaturity.Rubric, q4: dict[str, Any]) -> None:
    text = questionnaire_json(rubric)
    assert text == questionnaire_json(rubric, "R4")  # R4 unless asked
    # Another process, with another hash seed, writes the same text.
    code = "from qimaturity import load_rubric; from qimaturity.answers.fhir import questionnaire_json as q\n"
    assert fresh_python(code + f"print(q(load_rubric({str(QI_READINESS_1_1)!r})), end='')") == text
    assert json.loads(text) == q4
    assert text.startswith('{\n  "copyright"')  # keys sorted, indent 2


@pytest.mark.slow
def test_questionnaire_is_returned_as_validated(rubric: qimaturity.Rubric, q5: dict[str, Any]) -> None:
    from fhir.resources.questionnaire import Questionnaire

    dumped = Questionnaire.model_validate(q5).model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped == q5


def test_rubric_without_groups_has_no_group_item(tmp_path: Path) -> None:
    data = yaml.safe_load((DATA / "rubrics" / "valid-minimal.yaml").read_text())
    del data["respondent_groups"]
    del data["scoring"]["respondents"]["compare"]
    for domain in data["domains"]:
        for question in domain["questions"]:
            question.pop("respondents", None)
    data["scoring"]["missing"] = "exclude"
    path = tmp_path / "no-groups.yaml"
    path.write_text(yaml.safe_dump(data))
    mini = qimaturity.load_rubric(path)
    q = questionnaire(mini, "R5")
    assert [item["linkId"] for item in q["item"]] == ["lead", "meth"]
    lead = find_item(q["item"], "lead-1")
    assert "enableWhen" not in lead
    assert lead["required"] is False  # unanswered questions are excluded, not refused
    assert codes(find_item(q["item"], "meth-1")) == ["1", "2", "3", "na"]


def test_clashing_link_ids_are_refused(rubric: qimaturity.Rubric) -> None:
    domain = dataclasses.replace(rubric.domains[0], id="gov-board-agenda")
    clashing = dataclasses.replace(rubric, domains=(domain, *rubric.domains[1:]))
    with pytest.raises(InputError) as caught:
        questionnaire(clashing)
    assert "the question id 'gov-board-agenda' is also used by the domain 'gov-board-agenda'" in str(caught.value)


def test_unknown_release_is_refused(rubric: qimaturity.Rubric) -> None:
    with pytest.raises(ValueError, match="release"):
        questionnaire(rubric, "R3")  # type: ignore[arg-type]


def test_missing_fhir_resources_names_the_fhir_extra(
    rubric: qimaturity.Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fhir.resources", None)
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)
    with pytest.raises(ExtraMissing, match=re.escape("pip install 'qimaturity[fhir]'")) as caught:
        questionnaire(rubric)
    assert caught.value.feature == "writing a FHIR Questionnaire"
    with pytest.raises(ExtraMissing, match=re.escape("pip install 'qimaturity[fhir]'")) as caught:
        read_responses(FHIR / "r4-single-response.json", rubric)
    assert caught.value.feature == "reading FHIR responses"


@pytest.mark.subprocess
def test_importing_qimaturity_does_not_import_fhir_resources() -> None:
    code = "import sys, qimaturity, qimaturity.answers.fhir; print('fhir.resources' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# --- round trip: responses built from the Questionnaire --------------------------------------------------


Answer = int | str  # a level, or "na"


def respond(
    q: dict[str, Any],
    rid: str,
    org: str,
    group: str | None,
    choose: Callable[[str, str], Answer | None],
    *,
    evidence: Callable[[str], bool] = lambda qid: True,
    authored: str = "2026-09-30T12:00:00Z",
) -> dict[str, Any]:
    """A QuestionnaireResponse as a form filler makes it from ``q``: the group first, then each question enabled
    for the group answered by ``choose(domain_id, question_id)`` with the option's own coding; evidence when the
    questionnaire enables it (and ``evidence(qid)``), a justification for N/A."""
    items: list[dict[str, Any]] = []
    for top in q["item"]:
        if top["linkId"] == GROUP_ITEM:
            if group is not None:
                option = next(o for o in top["answerOption"] if o["valueCoding"]["code"] == group)
                items.append({"linkId": GROUP_ITEM, "answer": [{"valueCoding": option["valueCoding"]}]})
            continue
        answered = []
        for item in top["item"]:
            conditions = item.get("enableWhen", [])
            if conditions and not any(c["answerCoding"]["code"] == group for c in conditions):
                continue
            choice = choose(top["linkId"], item["linkId"])
            if choice is None:
                continue
            coding = next(o["valueCoding"] for o in item["answerOption"] if o["valueCoding"]["code"] == str(choice))
            children = []
            for child in item.get("item", []):
                enabled = any(c["answerCoding"]["code"] == str(choice) for c in child.get("enableWhen", []))
                if child["linkId"].endswith("/justification") and enabled:
                    children.append({"linkId": child["linkId"], "answer": [{"valueString": "It does not apply."}]})
                if child["linkId"].endswith("/evidence") and enabled and evidence(item["linkId"]):
                    reference, date = child["item"]
                    children.append(
                        {
                            "linkId": child["linkId"],
                            "item": [
                                {"linkId": reference["linkId"], "answer": [{"valueString": "Board paper 2026/07"}]},
                                {"linkId": date["linkId"], "answer": [{"valueDate": "2026-07-01"}]},
                            ],
                        }
                    )
            answer: dict[str, Any] = {"valueCoding": coding}
            if children:
                answer["item"] = children
            answered.append({"linkId": item["linkId"], "answer": [answer]})
        if answered:
            items.append({"linkId": top["linkId"], "item": answered})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": f"{q['url']}|{q['version']}",
        "status": "completed",
        "subject": {"reference": f"Organization/{org}", "display": f"Trust {org}"},
        "authored": authored,
        "item": items,
    }


def bundle(*responses: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in responses]}


def write(tmp_path: Path, data: dict[str, Any], name: str = "responses.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


def checked_results(documents: list[dict[str, Any]], rubric: qimaturity.Rubric) -> list[qimaturity.Result]:
    results = []
    for document in documents:
        doc = SourceDocument("fhir-import", document)
        assert check_answers_document(doc, rubric) == []
        results.append(qimaturity.score(rubric, assessment_from_document(doc)))
    return results


def test_round_trip_all_threes(rubric: qimaturity.Rubric, q4: dict[str, Any], tmp_path: Path) -> None:
    responses = [respond(q4, f"rx1-{g}", "rx1", g, lambda d, q: 3) for g in ALL_GROUPS]
    documents = read_responses(write(tmp_path, bundle(*responses)), rubric)
    assert len(documents) == 1
    assert documents[0]["organisation"] == {"id": "rx1", "name": "Trust rx1"}
    assert [(r["id"], r["group"]) for r in documents[0]["respondents"]] == [(f"rx1-{g}", g) for g in ALL_GROUPS]
    (result,) = checked_results(documents, rubric)
    assert result.overall.value == 3.0 and result.overall.level == 3
    assert [d.level for d in result.domains] == [3] * 6
    assert result.date == "2026-09-30"


BY_DOMAIN = {
    "leadership": 5,
    "governance": 4,
    "training-capability": 3,
    "culture-engagement": 3,
    "patient-involvement": 2,
    "method-measurement": 4,
}


def by_domain(domain: str, question: str) -> Answer:
    return "na" if question == "gov-regulator-compact" else BY_DOMAIN[domain]


def test_round_trip_levels_by_domain_in_r5_two_organisations(
    rubric: qimaturity.Rubric, q5: dict[str, Any], tmp_path: Path
) -> None:
    responses = [respond(q5, f"a-{g}", "org-a", g, by_domain) for g in ALL_GROUPS]
    responses += [respond(q5, f"b-{g}", "org-b", g, lambda d, q: 1) for g in ("board", "managers")]
    documents = read_responses(write(tmp_path, bundle(*responses)), rubric)
    assert [d["organisation"]["id"] for d in documents] == ["org-a", "org-b"]
    a, b = checked_results(documents, rubric)
    # Every respondent agrees, so each domain is at its chosen level; gov-regulator-compact is N/A and left out.
    assert {d.id: (d.value, d.level) for d in a.domains} == {k: (v, v) for k, v in BY_DOMAIN.items()}
    assert a.question("gov-regulator-compact").value is None
    # Overall, by hand: (1.5*5 + 1.5*4 + 3 + 3 + 2 + 4) / (1.5 + 1.5 + 4) = 25.5 / 7 = 3.642857 -> floor 3. The
    # Embedded gate (level 4 needs no domain below 3) is in force, as patient involvement is at 2, so it holds
    # the overall at level 3; its value stays 3.642857 (docs/scoring.md, Rules).
    assert a.overall.raw_value == pytest.approx(25.5 / 7)
    assert a.overall.value == pytest.approx(25.5 / 7)
    assert (a.overall.level, a.overall.held_level) == (3, 3)
    assert b.overall.value == 1.0 and b.overall.level == 1


def test_round_trip_without_evidence_is_capped(rubric: qimaturity.Rubric, q4: dict[str, Any], tmp_path: Path) -> None:
    def no_evidence_for_executive_lead(qid: str) -> bool:
        return qid != "lead-executive-lead"

    responses = [
        respond(q4, f"a-{g}", "org-a", g, by_domain, evidence=no_evidence_for_executive_lead) for g in ALL_GROUPS
    ]
    (result,) = checked_results(read_responses(write(tmp_path, bundle(*responses)), rubric), rubric)
    # lead-executive-lead (weight 2, evidence from level 4) answered 5 without evidence counts at the level below
    # 4, i.e. 3: leadership = (2*3 + 2*5 + 2*5 + 5 + 5 + 5) / 9 = 41/9; its critical items are not below 3.
    assert result.question("lead-executive-lead").value == 3.0
    assert result.domain("leadership").value == pytest.approx(41 / 9)
    assert result.domain("leadership").level == 4


# --- the fixtures -----------------------------------------------------------------------------------------


def test_single_r4_response(rubric: qimaturity.Rubric) -> None:
    from fhir.resources.questionnaireresponse import QuestionnaireResponse as R5
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as R4
    from pydantic import ValidationError

    text = (FHIR / "r4-single-response.json").read_text()
    R4.model_validate_json(text)
    with pytest.raises(ValidationError):
        R5.model_validate_json(text)  # R4's single identifier: this file is R4 only

    (document,) = read_responses(FHIR / "r4-single-response.json", rubric)
    assert document["rubric"] == {"id": "qi-readiness", "version": "1.1.0"}
    assert document["organisation"] == {"id": "rx1", "name": "Riverside Community Health NHS Trust"}
    assert document["date"] == "2026-09-30"
    (respondent,) = document["respondents"]
    assert respondent["id"] == "rx1-self-assessment-2026" and "group" not in respondent
    answers = respondent["answers"]
    assert len(answers) == 31
    assert answers["lead-executive-lead"] == {
        "level": 4,
        "evidence": [{"reference": "Board paper 2026/041: Chief Nurse improvement portfolio", "date": "2026-07-14"}],
        "comment": "Our chief nurse holds the improvement portfolio, with a budget line since April.",
    }
    assert answers["gov-regulator-compact"] == {
        "na": True,
        "justification": "We have no improvement compact with a regulator: the trust is not in segment 3 or 4 of "
        "the oversight framework.",
    }
    assert answers["pat-equity"] == 1
    (result,) = checked_results([document], rubric)
    # By hand, weighted means of the answers (weights in the rubric; N/A left out):
    leadership = (2 * 4 + 2 * 3 + 2 * 3 + 2 + 3 + 4) / 9  # 29/9
    governance = (2 * 3 + 3 + 2 * 2 + 3) / 6  # 16/6, regulator compact N/A
    training = (2 * 3 + 2 + 3 + 2 + 3) / 6  # 16/6
    culture = (2 * 2 + 3 + 3 + 4 + 4) / 6  # 3.0
    patients = (2 * 2 + 2 + 3 + 2 + 1) / 6  # 2.0
    method = (2 * 4 + 3 + 2 * 3 + 3 + 2) / 7  # 22/7
    expected = [leadership, governance, training, culture, patients, method]
    assert [d.value for d in result.domains] == pytest.approx(expected)
    assert [d.level for d in result.domains] == [3, 2, 2, 3, 2, 3]
    overall = (1.5 * leadership + 1.5 * governance + training + culture + patients + method) / 7
    assert result.overall.value == pytest.approx(overall)  # 2.806
    assert result.overall.level == 2


@pytest.mark.slow
def test_r5_bundle_of_two_organisations(rubric: qimaturity.Rubric) -> None:
    from fhir.resources.bundle import Bundle as R5
    from fhir.resources.R4B.bundle import Bundle as R4
    from pydantic import ValidationError

    text = (FHIR / "r5-bundle-two-organisations.json").read_text()
    R5.model_validate_json(text)
    with pytest.raises(ValidationError):
        R4.model_validate_json(text)  # R5's identifier lists: this file is R5 only

    northgate, harbourside = read_responses(FHIR / "r5-bundle-two-organisations.json", rubric)
    assert northgate["organisation"] == {
        "id": "RNG",
        "name": "Northgate University Hospitals NHS Foundation Trust",
        "type": "acute",
        "region": "east-midlands",
    }
    assert harbourside["organisation"] == {"id": "rmh", "name": "Harbourside Mental Health NHS Trust"}
    assert northgate["date"] == "2026-09-20" and harbourside["date"] == "2026-10-03"  # the latest authored
    assert [(r["id"], r["group"]) for r in northgate["respondents"]] == [
        ("nga-board-01", "board"),
        ("nga-managers-01", "managers"),
        ("nga-frontline-01", "frontline"),
        ("nga-frontline-02", "frontline"),  # status amended
        ("nga-patients-01", "patient-partners"),
    ]
    assert [r["group"] for r in harbourside["respondents"]] == ["board", "managers", "frontline"]
    every_group = dataclasses.replace(rubric, scoring=dataclasses.replace(rubric.scoring, min_group_size=1))
    nga, rmh = checked_results([northgate, harbourside], every_group)  # groups of one shown: every answer listed
    # lead-qi-as-management at Northgate: board 4, managers 3, frontline 4 and 2 (median 3); qi-readiness pools by
    # group with equal weights -> (4 + 3 + 3) / 3 = 10/3 (pooled by respondents it was the median of 2, 3, 4, 4 = 3.5).
    assert [a.level for a in nga.question("lead-qi-as-management").answers] == [4, 3, 4, 2]
    assert nga.question("lead-qi-as-management").value == 10 / 3
    assert nga.question("lead-qi-as-management").level == 3
    # gov-regulator-compact: board 3, managers N/A (the group drops out) -> 3.
    assert [a.level for a in nga.question("gov-regulator-compact").answers] == [3, None]
    assert nga.question("gov-regulator-compact").value == 3.0
    # lead-executive-lead at Harbourside: board 2, managers 4 with evidence dated 2026-03-31 (counted) -> (2 + 4) / 2.
    assert [(a.level, a.counted_level) for a in rmh.question("lead-executive-lead").answers] == [(2, 2), (4, 4)]
    assert rmh.question("lead-executive-lead").value == 3.0


def test_ordinal_value_extension_is_accepted(rubric: qimaturity.Rubric) -> None:
    data = json.loads((FHIR / "r4-ordinal-value.json").read_text())
    coding = find_item(data["item"], "lead-role-models")["answer"][0]["valueCoding"]
    assert coding["extension"] == [{"url": ORDINAL_VALUE, "valueDecimal": 3}]
    (document,) = read_responses(FHIR / "r4-ordinal-value.json", rubric)
    answers = document["respondents"][0]["answers"]
    assert answers["lead-role-models"] == 3
    assert answers["lead-executive-lead"] == {"level": 3, "comment": "Portfolio agreed; budget line from next year."}
    assert document["date"] == "2025-09-26"
    checked_results([document], rubric)


BAD = [
    (
        "bad-unknown-linkid.json",
        107,
        "/item/0/item/3/linkId",
        "unknown linkId 'lead-coaching-culture': not a question of 'qi-readiness'",
        "did you mean 'lead-coaching'?",
    ),
    (
        "bad-code-off-scale.json",
        171,
        "/item/1/item/1/answer/0/valueCoding/code",
        "question 'gov-golden-thread': code '6' is not a level of the scale",
        "codes are 1, 2, 3, 4, 5",
    ),
    (
        "bad-wrong-system.json",
        278,
        "/item/2/item/3/answer/0/valueCoding/system",
        f"question 'trn-coaching-access': the coding's system is 'http://loinc.org'; expected '{LEVELS}'",
        "answer with a coding the questionnaire offers: this system, and the level as the code",
    ),
    (
        "bad-wrong-questionnaire.json",
        12,
        "/questionnaire",
        f"the response answers rubric 'qi-programme-stages', not this rubric's questionnaire ('{BASE}')",
        f"read it with the rubric it was collected with, or set questionnaire to {CANONICAL}",
    ),
    (
        "bad-status-in-progress.json",
        13,
        "/status",
        "the response's status is 'in-progress'; only completed or amended responses can be scored",
        "finish the response, or leave it out of the file",
    ),
    (
        "bad-answer-not-a-list.json",
        331,
        "/item/3/item/1/answer",
        "'answer' must be a list ([...]), not an object",
        "the resource must be a valid FHIR R4 or R5 QuestionnaireResponse",
    ),
    (
        "bad-bundle-unknown-group.json",
        1124,
        "/entry/2/resource/item/0/answer/0/valueCoding/code",
        "'nurses' is not a respondent group of 'qi-readiness'",
        "groups: board, managers, frontline, patient-partners",
    ),
]


@pytest.mark.parametrize(("name", "line", "path", "message", "hint"), BAD, ids=[b[0] for b in BAD])
def test_bad_fixture_gives_exactly_its_problem(
    rubric: qimaturity.Rubric, name: str, line: int, path: str, message: str, hint: str
) -> None:
    with pytest.raises(InputError) as caught:
        read_responses(FHIR / name, rubric)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.path, problem.message, problem.hint) == (
        str(FHIR / name),
        line,
        path,
        message,
        hint,
    )
    assert problem.column is not None


# --- problems, one at a time, on a copy of the single R4 response ------------------------------------------


@pytest.fixture()
def single() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FHIR / "r4-single-response.json").read_text())
    return data


def problems(tmp_path: Path, data: Any, rubric: qimaturity.Rubric) -> list[tuple[str, str]]:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data)
    with pytest.raises(InputError) as caught:
        read_responses(path, rubric)
    for problem in caught.value.problems:
        assert problem.file == str(path)
    return [(p.path, p.message) for p in caught.value.problems]


def answer_of(data: dict[str, Any], qid: str) -> dict[str, Any]:
    answer: dict[str, Any] = find_item(data["item"], qid)["answer"][0]
    return answer


def read_one(tmp_path: Path, data: dict[str, Any], rubric: qimaturity.Rubric) -> dict[str, Any]:
    (document,) = read_responses(write(tmp_path, data), rubric)
    respondent: dict[str, Any] = document["respondents"][0]
    return respondent


def test_level_from_integer_decimal_or_weight_without_coding(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    answer_of(single, "lead-role-models").clear()
    answer_of(single, "lead-role-models")["valueInteger"] = 2
    answer_of(single, "lead-coaching").clear()
    answer_of(single, "lead-coaching")["valueDecimal"] = 4.0
    stability = answer_of(single, "lead-stability")
    stability.clear()
    stability.update(
        valueString="Embedded", extension=[{"url": ITEM_WEIGHT, "valueDecimal": 4}]
    )  # a label with its weight
    answers = read_one(tmp_path, single, rubric)["answers"]
    assert (answers["lead-role-models"], answers["lead-coaching"], answers["lead-stability"]) == (2, 4, 4)


@pytest.mark.slow
def test_level_forms_that_are_refused(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    answer_of(single, "lead-role-models").clear()
    answer_of(single, "lead-role-models")["valueDecimal"] = 2.5
    answer_of(single, "lead-coaching").clear()
    answer_of(single, "lead-coaching")["valueString"] = "Emerging"
    answer_of(single, "lead-distributed")["valueCoding"]["extension"] = [{"url": ITEM_WEIGHT, "valueDecimal": 2}]
    del answer_of(single, "lead-stability")["valueCoding"]["system"]
    assert problems(tmp_path, single, rubric) == [
        ("/item/0/item/1/answer/0/valueDecimal", "question 'lead-role-models': 2.5 is not a level of the scale"),
        ("/item/0/item/3/answer/0/valueString", "question 'lead-coaching': a String answer is not a level"),
        (
            "/item/0/item/4/answer/0/valueCoding/extension/0/valueDecimal",
            "question 'lead-distributed': the weight 2 disagrees with code '3'",
        ),
        (
            "/item/0/item/5/answer/0/valueCoding",
            f"question 'lead-stability': the coding has no system; expected '{LEVELS}'",
        ),
    ]


def test_rubric_checks_are_placed_in_the_fhir_file(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    # N/A on a question that does not allow it, and N/A without its justification.
    answer_of(single, "lead-coaching")["valueCoding"] = {"system": LEVELS, "code": "na"}
    del answer_of(single, "gov-regulator-compact")["item"]
    found = problems(tmp_path, single, rubric)
    assert found == [
        ("/item/0/item/3/answer/0/valueCoding/code", "question 'lead-coaching' cannot be answered N/A"),
        ("/item/1/item/4/answer/0/valueCoding/code", "question 'gov-regulator-compact': N/A needs a justification"),
    ]


def test_a_group_answering_a_question_not_asked_of_it(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    group = {"linkId": GROUP_ITEM, "answer": [{"valueCoding": {"system": GROUPS, "code": "frontline"}}]}
    single["item"].insert(0, group)
    found = problems(tmp_path, single, rubric)
    # frontline staff are not asked about the executive lead; the rest of the rubric is also unanswered by
    # anyone else, but a question answered by the wrong group is the first thing to fix.
    assert ("/item/1/item/0", "question 'lead-executive-lead' is not asked of the frontline group") in found
    assert ("/item/3/item/1", "question 'trn-board-training' is not asked of the frontline group") in found


def test_missing_answers_are_reported_for_the_organisation(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    single["item"][5]["item"] = single["item"][5]["item"][:3]  # drop the last two method questions
    assert problems(tmp_path, single, rubric) == [
        ("/", "organisation 'rx1' (1 response): question 'met-data-infrastructure' has no answer"),
        ("/", "organisation 'rx1' (1 response): question 'met-spread-learning' has no answer"),
    ]


def test_questionnaire_version_must_match(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    single["questionnaire"] = BASE + "|0.9.0"
    assert problems(tmp_path, single, rubric) == [
        ("/questionnaire", "the response answers version 0.9.0 of 'qi-readiness'; this rubric is version 1.1.0")
    ]
    single["questionnaire"] = BASE  # no version: accepted
    document = read_responses(write(tmp_path, single), rubric)[0]
    assert document["rubric"] == {"id": "qi-readiness"}


def test_missing_questionnaire(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    del single["questionnaire"]
    assert problems(tmp_path, single, rubric) == [("/", "the response does not say which questionnaire it answers")]


def test_organisation_from_subject_or_an_organisation_author(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    del single["subject"]
    single["author"] = {"reference": "https://fhir.riverside.example/Organization/rx9", "display": "Riverside"}
    (document,) = read_responses(write(tmp_path, single), rubric)
    assert document["organisation"] == {"id": "rx9", "name": "Riverside"}

    del single["author"]
    del single["source"]
    assert problems(tmp_path, single, rubric) == [
        ("/", "the response has no subject: the organisation it assesses is unknown")
    ]
    single["subject"] = {"reference": "Patient/p1"}
    assert problems(tmp_path, single, rubric) == [("/subject", "the subject is a Patient, not an Organization")]
    single["subject"] = {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "RX1"}}
    assert read_responses(write(tmp_path, single), rubric)[0]["organisation"] == {"id": "RX1", "name": "RX1"}


def test_contained_organisation(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    single["contained"] = [
        {
            "resourceType": "Organization",
            "id": "org",
            "identifier": [{"value": "rx1"}],
            "name": "Riverside Community Health",
            "type": [{"text": "community"}],
            "address": [{"state": "north-west"}],
        }
    ]
    single["subject"] = {"reference": "#org"}
    organisation = read_responses(write(tmp_path, single), rubric)[0]["organisation"]
    assert organisation == {
        "id": "rx1",
        "name": "Riverside Community Health",
        "type": "community",
        "region": "north-west",
    }


def test_responses_of_one_organisation_are_grouped(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    second = copy.deepcopy(single)
    second["id"] = "rx1-second-opinion"
    second["authored"] = "2026-10-02"
    del second["identifier"]  # R4's single identifier cannot sit beside R5 content; neither needs one
    del single["identifier"]
    (document,) = read_responses(write(tmp_path, bundle(single, second)), rubric)
    assert [r["id"] for r in document["respondents"]] == ["rx1-self-assessment-2026", "rx1-second-opinion"]
    assert document["date"] == "2026-10-02"
    second["id"] = single["id"]
    found = problems(tmp_path, bundle(single, second), rubric)
    assert found == [("/entry/1/resource/id", "duplicate respondent id 'rx1-self-assessment-2026' (first at line 8)")]


def test_respondents_without_ids_are_numbered(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    del single["id"]
    assert read_one(tmp_path, single, rubric)["id"] == "r1"


def test_item_problems(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    find_item(single["item"], "lead-role-models")["answer"].append({"valueCoding": {"system": LEVELS, "code": "4"}})
    single["item"][1]["item"].append(copy.deepcopy(find_item(single["item"], "gov-board-agenda")))
    comment = {"linkId": "lead-coaching/comment", "answer": [{"valueString": "Out of place."}]}
    single["item"][0]["item"].append(comment)
    single["item"][2]["answer"] = [{"valueString": "A domain answered."}]
    found = problems(tmp_path, single, rubric)
    assert found == [
        ("/item/0/item/1/answer/1", "question 'lead-role-models' takes one answer; this item gives 2"),
        ("/item/0/item/6/linkId", "'lead-coaching/comment' must be nested in the answer to question 'lead-coaching'"),
        (
            "/item/1/item/5/linkId",
            "question 'gov-board-agenda' is answered twice in this response (first at /item/1/item/0)",
        ),
        ("/item/2/answer", "'training-capability' is a domain, which takes no answer"),
    ]


def test_evidence_problems(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    evidence = find_item(single["item"], "lead-executive-lead/evidence")
    evidence["item"][1]["answer"] = [{"valueDate": "2026-07"}]
    other = find_item(single["item"], "met-agreed-method/evidence")
    del other["item"][0]
    assert problems(tmp_path, single, rubric) == [
        (
            "/item/0/item/0/answer/0/item/0/item/1/answer/0",
            "the evidence date '2026-07' of 'lead-executive-lead' is not a full date",
        ),
        ("/item/5/item/0/answer/0/item/0", "evidence for 'met-agreed-method' has no reference"),
    ]


def test_authored_must_be_a_full_date(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    single["authored"] = "2026-09"
    assert problems(tmp_path, single, rubric) == [("/authored", "authored '2026-09' is not a full date")]


def test_evidence_age_needs_an_authored_date(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    del single["authored"]
    assert problems(tmp_path, single, rubric) == [
        (
            "/",
            "organisation 'rx1' (1 response): no assessment date: the rubric limits the age of evidence, "
            "which is measured from it",
        )
    ]


def test_structure_problems(tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric) -> None:
    del find_item(single["item"], "lead-coaching")["linkId"]
    single["subject"] = "Organization/rx1"
    single["statuss"] = "completed"
    found = problems(tmp_path, single, rubric)
    assert ("/item/0/item/3/linkId", "'linkId' is required here") in found
    assert ("/subject", "'subject' must be an object ({...}), not text") in found
    assert ("/statuss", "'statuss' is not an element of FHIR here") in found


def test_r4_allows_an_empty_answer_but_it_gives_no_level(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    answer_of(single, "lead-coaching").clear()
    assert problems(tmp_path, single, rubric) == [
        ("/item/0/item/3/answer/0", "question 'lead-coaching': the answer has no value")
    ]


def test_files_that_are_not_responses(tmp_path: Path, rubric: qimaturity.Rubric) -> None:
    assert problems(tmp_path, {"resourceType": "Patient", "id": "p1"}, rubric) == [
        ("/resourceType", "the file is a Patient resource, not a QuestionnaireResponse or a Bundle of them")
    ]
    no_type = problems(tmp_path, {"id": "p1"}, rubric)
    assert no_type == [("/", "the file has no resourceType: it is not a FHIR resource")]
    assert problems(tmp_path, {"resourceType": "Bundle", "type": "collection", "entry": []}, rubric) == [
        ("/", "the Bundle holds no QuestionnaireResponse")
    ]
    assert problems(tmp_path, '{"resourceType": "Bundle",\n  "type": }', rubric) == [
        ("/", "invalid JSON: Expecting value")
    ]
    # A duplicate key is reported with the file's other problems (the first value is kept).
    assert problems(tmp_path, '{"resourceType": "Bundle", "resourceType": "Bundle"}', rubric) == [
        ("/type", "'type' is required here"),
        ("/resourceType", "duplicate key 'resourceType' (first at line 1)"),
    ]


def test_a_malformed_response_in_a_bundle_gives_only_its_own_problem(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    del single["identifier"]
    first, second = copy.deepcopy(single), copy.deepcopy(single)
    second["id"] = "rx1-second"
    for item in first["item"][3:]:  # the first response leaves culture, patients and method to the second
        first["item"].remove(item)
    second["item"][4]["item"] = {"linkId": "pat-equity"}  # malformed: the whole response is refused
    assert problems(tmp_path, bundle(first, second), rubric) == [
        ("/entry/1/resource/item/4/item", "'item' must be a list ([...]), not an object")
    ]


def test_bundle_entries_other_than_responses_are_ignored(
    tmp_path: Path, single: dict[str, Any], rubric: qimaturity.Rubric
) -> None:
    del single["identifier"]
    patient = {"resourceType": "Patient", "id": "p1"}
    data = bundle(patient, single)
    (document,) = read_responses(write(tmp_path, data), rubric)
    assert document["organisation"]["id"] == "rx1"
    data["type"] = 7
    assert problems(tmp_path, data, rubric) == [("/type", "'type' must be text, not a number")]


# --- one group's questionnaire and the canonical URL, through the command line -----------------------------


@pytest.mark.slow
def test_each_groups_questionnaire_round_trips_to_answers_to_its_questions_only(tmp_path: Path) -> None:
    rubric = qimaturity.load_rubric("qi-readiness")
    responses = []
    for group in ALL_GROUPS:
        out = tmp_path / f"{group}.json"
        result = run_main("questionnaire", "qi-readiness", "--fhir", "--group", group, "-o", str(out))
        assert result.returncode == 0, result.stderr
        q = json.loads(out.read_text())
        assert q["url"] == f"https://qimaturity.example/fhir/Questionnaire/qi-readiness/group/{group}"
        # Each filled in by one respondent of the group, who answers every item the form shows (none is hidden).
        responses.append(respond(q, f"rx1-{group}", "rx1", None, lambda d, qid: 3))
    out = tmp_path / "rx1.yaml"
    result = run_main("import", "qi-readiness", str(write(tmp_path, bundle(*responses))), "-o", str(out))
    assert result.returncode == 0, result.stderr
    respondents = yaml.safe_load(out.read_text())["respondents"]
    answered = {r["group"]: sorted(r["answers"]) for r in respondents}
    # Worked from the rubric's own lists (each question of qi-readiness names its respondents), not from the form.
    wanted = {
        g: sorted(q.id for q in rubric.questions() if not q.respondents or g in q.respondents) for g in ALL_GROUPS
    }
    assert answered == wanted
    # 33 of the 55 questions list frontline among their respondents (grep 'respondents:.*frontline' in the rubric).
    assert (len(answered["frontline"]), rubric.question_count) == (33, 55)


def _mini_with_canonical(tmp_path: Path, canonical: str) -> Path:
    """The minimal test rubric (id mini, groups board and staff, questions lead-1, lead-2, meth-1) with
    fhir.canonical."""
    text = (RUBRICS / "valid-minimal.yaml").read_text()
    path = tmp_path / "mini.yaml"
    path.write_text(
        text.replace("title: Minimal rubric\n", f"title: Minimal rubric\nfhir: {{canonical: {canonical}}}\n")
    )
    return path


def _systems(q: dict[str, Any]) -> set[str]:
    found = set()
    for top in q["item"]:
        for item in [top, *top.get("item", [])]:
            found.update(option["valueCoding"]["system"] for option in item.get("answerOption", []))
    return found


def test_the_rubrics_canonical_url_round_trips(tmp_path: Path) -> None:
    canonical = "https://fhir.riverside.example/Questionnaire/mini"
    rubric = _mini_with_canonical(tmp_path, canonical)
    out = tmp_path / "q.json"
    result = run_main("questionnaire", str(rubric), "--fhir-r5", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "placeholder" not in result.stderr
    q = json.loads(out.read_text())
    assert q["url"] == canonical
    assert _systems(q) == {f"{canonical}/levels", f"{canonical}/respondent-groups"}
    export = write(tmp_path, respond(q, "rx1-board", "rx1", "board", lambda d, qid: 2))
    result = run_main("import", str(rubric), str(export), "-o", str(tmp_path / "rx1.yaml"))
    assert result.returncode == 0, result.stderr
    (respondent,) = yaml.safe_load((tmp_path / "rx1.yaml").read_text())["respondents"]
    assert respondent == {"id": "rx1-board", "group": "board", "answers": {"lead-1": 2, "lead-2": 2, "meth-1": 2}}
    # Read with the rubric as bundled (no canonical: the placeholder), the response is refused, saying how to read it.
    result = run_main("import", str(RUBRICS / "valid-minimal.yaml"), str(export), "-o", str(tmp_path / "no.yaml"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        f"/questionnaire: the response answers the questionnaire '{canonical}', but this rubric's canonical URL is "
        "'https://qimaturity.example/fhir/Questionnaire/mini' (read it with the canonical URL it was exported with: "
        "qimaturity import ... --fhir-base https://fhir.riverside.example, "
        f"or fhir.canonical: {canonical} in the rubric)"
    ) in result.stderr


def test_fhir_base_on_the_command_line_round_trips(tmp_path: Path) -> None:
    rubric = str(RUBRICS / "valid-minimal.yaml")
    out = tmp_path / "q.json"
    base = "https://fhir.example.org/R4/"  # the '/' at the end is dropped
    result = run_main("questionnaire", rubric, "--fhir", "--fhir-base", base, "--group", "staff", "-o", str(out))
    assert result.returncode == 0, result.stderr
    q = json.loads(out.read_text())
    canonical = "https://fhir.example.org/R4/Questionnaire/mini"
    assert q["url"] == f"{canonical}/group/staff"
    assert _systems(q) == {f"{canonical}/levels"}  # one group's questionnaire asks no group
    export = write(tmp_path, respond(q, "rx1-staff", "rx1", None, lambda d, qid: 2))
    result = run_main("import", rubric, str(export), "-o", str(tmp_path / "rx1.yaml"), "--fhir-base", base)
    assert result.returncode == 0, result.stderr
    (respondent,) = yaml.safe_load((tmp_path / "rx1.yaml").read_text())["respondents"]
    assert respondent == {"id": "rx1-staff", "group": "staff", "answers": {"lead-1": 2, "lead-2": 2, "meth-1": 2}}
    result = run_main("import", rubric, str(export), "-o", str(tmp_path / "no.yaml"))
    assert result.returncode == 2
    assert (
        "(read it with the canonical URL it was exported with: qimaturity import ... "
        "--fhir-base https://fhir.example.org/R4, or" in (result.stderr)
    )


def test_a_placeholder_canonical_url_is_said_on_export(tmp_path: Path) -> None:
    result = run_main("questionnaire", str(RUBRICS / "valid-minimal.yaml"), "--fhir", "-o", str(tmp_path / "q.json"))
    assert result.returncode == 0, result.stderr
    assert "note: the Questionnaire's canonical URL is the placeholder " in result.stderr
    assert "https://qimaturity.example/fhir/Questionnaire/mini" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--fhir", "--fhir-base", "fhir.example.org"),
            "'fhir.example.org' is not the base URL of a FHIR server: give an absolute http(s) address",
        ),
        (
            ("--fhir", "--fhir-base", "https://fhir.example.org/R4?x=1"),
            "'https://fhir.example.org/R4?x=1' is not the base URL",
        ),
        (("--fhir-base", "https://fhir.example.org"), "applies to a FHIR Questionnaire (--fhir or --fhir-r5)"),
        # A control character is refused and shown escaped (an escape sequence is not sent to the terminal), as are
        # a user name and '.' or '..' parts, which would put them in every Questionnaire and code system URL.
        (("--fhir", "--fhir-base", "https://fhir\x1b[2Jexample.org"), "'https://fhir\\x1b[2Jexample.org' is not"),
        (("--fhir", "--fhir-base", "https://me:secret@fhir.example.org"), "'https://me:secret@fhir.example.org' is"),
        (("--fhir", "--fhir-base", "https://fhir.example.org/R4/.."), "'https://fhir.example.org/R4/..' is not"),
    ],
)
def test_a_bad_or_misplaced_fhir_base_is_refused(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / ("q.json" if "--fhir" in args else "q.html")
    result = run_main("questionnaire", str(RUBRICS / "valid-minimal.yaml"), *args, "-o", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for --fhir-base: " + message in result.stderr
    assert not out.exists()


def test_fhir_base_on_import_of_an_answers_file_is_refused(tmp_path: Path) -> None:
    answers = tmp_path / "rx1.csv"
    answers.write_text("organisation,respondent,lead-1,lead-2,meth-1\nrx1,r1,2,2,2\n")
    result = run_main(
        "import",
        str(RUBRICS / "valid-minimal.yaml"),
        str(answers),
        "-o",
        str(tmp_path / "out.yaml"),
        "--fhir-base",
        "https://fhir.example.org",
    )
    assert result.returncode == 2
    assert f"Invalid value for --fhir-base: applies to FHIR QuestionnaireResponses, and {answers} is not" in (
        result.stderr
    )


def test_a_coding_without_the_expected_system_names_the_system_expected(tmp_path: Path) -> None:
    canonical = "https://fhir.riverside.example/Questionnaire/mini"
    rubric = qimaturity.load_rubric(_mini_with_canonical(tmp_path, canonical))
    response = respond(questionnaire(rubric, "R4"), "rx1-board", "rx1", "board", lambda d, qid: 2)
    del response["item"][0]["answer"][0]["valueCoding"]["system"]  # the respondent group's
    response["item"][1]["item"][1]["answer"][0]["valueCoding"]["system"] = f"{canonical}/level"  # lead-2's
    assert problems(tmp_path, response, rubric) == [
        (
            "/item/0/answer/0/valueCoding",
            f"the respondent group's coding has no system; expected '{canonical}/respondent-groups'",
        ),
        (
            "/item/1/item/1/answer/0/valueCoding/system",
            f"question 'lead-2': the coding's system is '{canonical}/level'; expected '{canonical}/levels'",
        ),
    ]


def test_a_rubrics_canonical_url_must_be_one(tmp_path: Path) -> None:
    path = _mini_with_canonical(tmp_path, "https://fhir.example.org/Questionnaire/")
    result = run_main("validate", str(path))
    assert result.returncode == 2
    assert "/fhir/canonical: 'https://fhir.example.org/Questionnaire/' is not a canonical URL" in result.stderr
