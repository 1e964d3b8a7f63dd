"""A question in each respondent group's words, each step's measure and owner, and the reasons for weights and
critical flags: loaded, validated, shown, and used where they belong (one group's questionnaire in HTML, XLSX and
FHIR; the Result's priorities, explain and the gap report's plan; the report's method appendix).

The rubric is tests/data/rubrics/wordings-owners-reasons.yaml; its answers, tests/data/answers/wordings-riverside.yaml.
The invalid fixtures for these keys are in tests/data/rubrics/invalid/ with the others (test_rubric_validation.py).
"""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from openpyxl import load_workbook

import qimaturity
from qimaturity import load_assessment, load_rubric, score, validate_rubric
from qimaturity._core.problems import InputError
from qimaturity.answers.fhir import GROUP_ITEM, questionnaire, questionnaire_url, read_responses
from qimaturity.rubric.forms import asked, find_group

from .conftest import DATA, ROOT, RUBRICS, run_main

RUBRIC_PATH = RUBRICS / "wordings-owners-reasons.yaml"
ANSWERS = DATA / "answers" / "wordings-riverside.yaml"
RUBRIC = load_rubric(RUBRIC_PATH)
RESULT_SCHEMA = json.loads((ROOT / "schemas" / "result.schema.json").read_text())

DEFAULT_TEXT = "Across the organisation, how far does improvement training reach each staff group?"
FRONTLINE_TEXT = "In my team or service, how many colleagues have had improvement training?"
FRONTLINE_HELP = "Think of the people you work with most weeks, not the whole organisation."
DEFAULT_HELP = "Count the staff groups with a training plan and a record of who has been trained."
PATIENT_TEXT = "In the work I have been part of, was I asked for my view before decisions were made?"
PROTECTED_TIME = "Share of planned protected-time sessions that went ahead in those two teams (checked at 30 days)"
IDEAS_MEASURE = "Share of ideas put forward that had a reply within two weeks"
FIRST_MEETINGS = "Number of project first meetings with a patient partner present (checked at 30 days)"


def text_of(html: str) -> str:
    """The words of an HTML page, tags dropped and spaces collapsed, as a reader sees them."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def mini_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (RUBRICS / "valid-minimal.yaml").read_text()
    assert text.count(old) == 1
    path = tmp_path / "mini.yaml"
    path.write_text(text.replace(old, new))
    return path


# --- the model ------------------------------------------------------------------------------------------------


def test_the_model_holds_wordings_steps_and_reasons():
    question = RUBRIC.question("trn-coverage")
    assert question.text == DEFAULT_TEXT
    assert dict(question.wording) == {"frontline": FRONTLINE_TEXT}
    assert question.text_for("frontline") == FRONTLINE_TEXT
    assert question.text_for("board") == DEFAULT_TEXT  # no wording of its own: the default text
    assert question.text_for(None) == DEFAULT_TEXT
    assert question.help_text_for("frontline") == FRONTLINE_HELP
    assert question.help_text_for("board") == DEFAULT_HELP
    # A step's own measure comes before the question's; the top level has no step.
    assert question.step_measure(2) == PROTECTED_TIME
    assert question.descriptor(2).owner == "Ward manager"
    ideas = RUBRIC.question("ideas-heard")
    assert ideas.step_measure(1) == IDEAS_MEASURE  # the step gives an owner but no measure: the question's
    assert ideas.descriptor(1).measure is None and ideas.descriptor(1).owner == "Team leader"
    assert question.weight_rationale.startswith("Training reach is the capability")
    assert question.critical_rationale.startswith("A domain whose people are untrained")
    assert RUBRIC.domain("capability").weight_rationale.startswith("Without people trained")
    partners = RUBRIC.question("pat-partners-heard")
    assert partners.help_text_for("board") == "Think of the projects the board has heard about this year."
    assert partners.help_text_for("frontline") is None  # no help at all, and none for the group


def test_a_rubric_without_the_new_keys_has_none_of_them():
    mini = load_rubric(RUBRICS / "valid-minimal.yaml")
    lead = mini.question("lead-1")
    assert lead.wording == {} and lead.help_for == {} and lead.text_for("staff") == lead.text
    assert lead.weight_rationale is None and lead.critical_rationale is None
    assert all(entry.measure is None and entry.owner is None for entry in lead.levels)


# --- validation beyond the one-defect fixtures ----------------------------------------------------------------


def test_a_wording_for_any_group_is_allowed_when_the_question_asks_every_group(tmp_path):
    path = mini_with(
        tmp_path,
        "        text: Leaders spend time at the front line.\n",
        "        text: Leaders spend time at the front line.\n        wording: {staff: Leaders visit my team.}\n"
        "        help_for: {board: Count the visits in the board's log.}\n",
    )
    assert validate_rubric(path) == []
    assert load_rubric(path).question("lead-2").text_for("staff") == "Leaders visit my team."


def test_a_step_with_a_measure_and_an_owner_but_no_next_step_is_one_problem(tmp_path):
    path = mini_with(
        tmp_path,
        "          - {level: 1, descriptor: Never., next_step: Plan visits.}\n",
        "          - {level: 1, descriptor: Never., measure: Visits made., owner: Chief nurse}\n",
    )
    assert [(p.line, p.path, p.message) for p in validate_rubric(path)] == [
        (
            42,
            "/domains/0/questions/1/levels/0/measure",
            "question 'lead-2': level 1 has a measure and an owner but no next_step",
        )
    ]


def test_the_top_level_with_a_next_step_and_a_measure_is_two_problems(tmp_path):
    path = mini_with(
        tmp_path,
        "          - {level: 3, descriptor: Weekly.}\n",
        "          - {level: 3, descriptor: Weekly., next_step: Keep going., measure: Visits kept.}\n",
    )
    assert [(p.path, p.message) for p in validate_rubric(path)] == [
        ("/domains/0/questions/1/levels/2/next_step", "question 'lead-2': the top level 3 has a next_step"),
        ("/domains/0/questions/1/levels/2/measure", "question 'lead-2': the top level 3 has a measure"),
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("wording: {}", "must not be empty"),
        ("wording: {staff: 3}", "expected text, found a whole number"),
        ("help_for: {staff: ''}", "must not be empty"),
        ("weight_rationale: [a, b]", "expected text, found a list"),
    ],
)
def test_the_new_keys_take_text(tmp_path, written, message):
    path = mini_with(
        tmp_path,
        "        text: Leaders spend time at the front line.\n",
        f"        text: Leaders spend time at the front line.\n        weight: 2\n        {written}\n",
    )
    assert message in [p.message for p in validate_rubric(path)]


def test_a_rubric_given_as_a_mapping_is_checked_the_same_way():
    import yaml

    data = yaml.safe_load(RUBRIC_PATH.read_text())
    data["domains"][0]["questions"][0]["wording"]["patient-partners"] = "Do people you meet get training?"
    problems = validate_rubric(data)
    assert [(p.path, p.message) for p in problems] == [
        (
            "/domains/0/questions/0/wording/patient-partners",
            "question 'trn-coverage' gives wording for group 'patient-partners', which it does not ask",
        )
    ]
    assert problems[0].hint == (
        "its respondents are board, frontline: add 'patient-partners' to respondents, or remove this wording"
    )


# --- show ------------------------------------------------------------------------------------------------------


def test_show_prints_wordings_reasons_measures_and_owners():
    result = run_main("show", str(RUBRIC_PATH), columns=250)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"trn-coverage: {DEFAULT_TEXT}" in out  # the default text heads the question
    assert f"wording for frontline: {FRONTLINE_TEXT}" in out
    assert f"help for frontline: {FRONTLINE_HELP}" in out
    assert f"wording for patient-partners: {PATIENT_TEXT}" in out
    assert "why weight 2: Training reach is the capability every later step depends on, so it counts double." in out
    assert "why critical: A domain whose people are untrained cannot be rated as capable, whatever else it has." in out
    assert (
        "why weight 2: Without people trained to improve, no other domain can move, so capability counts twice." in out
    )
    assert f"default measure: {IDEAS_MEASURE}" in out
    lines = out.splitlines()
    step = next(i for i, line in enumerate(lines) if "next step: The QI lead agrees protected time" in line)
    assert f"measure: {PROTECTED_TIME}" in lines[step + 1] and "owner: Ward manager" in lines[step + 2]
    brief = run_main("show", str(RUBRIC_PATH), "--no-levels", columns=250).stdout
    assert "why critical:" in brief and "wording for frontline:" in brief  # about the question, not its levels
    assert "owner: Ward manager" not in brief


# --- one group's questionnaire ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_html_form_of_a_group_asks_in_its_words(tmp_path):
    forms = {}
    for group in ("frontline", "board", None):
        out = tmp_path / f"{group or 'all'}.html"
        args = ["questionnaire", str(RUBRIC_PATH), "-o", str(out)] + (["--group", group] if group else [])
        result = run_main(*args)
        assert result.returncode == 0, result.stderr
        forms[group] = text_of(out.read_text())
    frontline, board, everyone = forms["frontline"], forms["board"], forms[None]
    assert FRONTLINE_TEXT in frontline and FRONTLINE_HELP in frontline
    assert DEFAULT_TEXT not in frontline and DEFAULT_HELP not in frontline
    assert "patient partners shape" not in frontline  # not asked of frontline staff
    assert DEFAULT_TEXT in board and DEFAULT_HELP in board and FRONTLINE_TEXT not in board
    assert "Think of the projects the board has heard about this year." in board
    # The form for every group asks in the default words.
    assert DEFAULT_TEXT in everyone and FRONTLINE_TEXT not in everyone and PATIENT_TEXT not in everyone


def test_the_xlsx_template_of_a_group_labels_and_guides_in_its_words(tmp_path):
    out = tmp_path / "frontline.xlsx"
    assert run_main("questionnaire", str(RUBRIC_PATH), "-o", str(out), "--group", "frontline").returncode == 0
    book = load_workbook(io.BytesIO(out.read_bytes()))
    answers = book["Answers"]
    labels = {answers.cell(1, c).value: answers.cell(2, c).value for c in range(1, answers.max_column + 1)}
    assert labels["trn-coverage"] == f"1.1 {FRONTLINE_TEXT}"
    assert "pat-partners-heard" not in labels
    prompts = {str(dv.sqref).split(":")[0]: dv.prompt for dv in answers.data_validations.dataValidation if dv.prompt}
    assert FRONTLINE_TEXT in prompts.values()
    guide = book["Guide"]
    rows = {guide.cell(r, 3).value: (guide.cell(r, 4).value, guide.cell(r, 5).value) for r in range(2, 4)}
    assert rows["trn-coverage"] == (FRONTLINE_TEXT, FRONTLINE_HELP)


def _items(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for top in resource["item"] for item in top.get("item", [])]


@pytest.mark.slow
def test_a_groups_fhir_questionnaire_has_only_its_questions_in_its_words(tmp_path):
    out = tmp_path / "frontline.json"
    result = run_main("questionnaire", str(RUBRIC_PATH), "--fhir", "-o", str(out), "--group", "frontline")
    assert result.returncode == 0, result.stderr
    q = json.loads(out.read_text())
    assert q["url"] == "https://qimaturity.example/fhir/Questionnaire/wordings/group/frontline"
    assert q["derivedFrom"] == ["https://qimaturity.example/fhir/Questionnaire/wordings|1.0.0"]
    assert q["title"] == "Improvement readiness by group (Frontline staff)"
    assert [top["linkId"] for top in q["item"]] == ["capability"]  # no respondent-group item, no empty domain
    items = _items(q)
    assert [(i["linkId"], i["text"]) for i in items] == [
        ("trn-coverage", FRONTLINE_TEXT),
        ("ideas-heard", "Are staff ideas for improvement heard and acted on?"),
    ]
    assert not any("enableWhen" in i for i in items)
    help_item = next(c for c in items[0]["item"] if c["linkId"] == "trn-coverage/help")
    assert help_item["text"] == FRONTLINE_HELP
    # The questionnaire for every group keeps every question, in the default words, with the group item first.
    everyone = questionnaire(RUBRIC, "R5")
    assert everyone["item"][0]["linkId"] == GROUP_ITEM and len(_items(everyone)) == 3
    assert _items(everyone)[0]["text"] == DEFAULT_TEXT


@pytest.mark.slow
@pytest.mark.parametrize("group", ["board", "managers", "frontline", "patient-partners"])
def test_fhir_for_a_group_of_the_default_rubric_gives_only_the_questions_it_is_asked(group):
    rubric = load_rubric("qi-readiness")
    chosen = find_group(rubric, group)
    wanted = [q.id for q in rubric.questions() if asked(q, chosen)]
    for release in ("R4", "R5"):
        resource = questionnaire(rubric, release, group=group)
        assert [i["linkId"] for i in _items(resource)] == wanted


def test_fhir_for_an_unknown_group_is_refused_with_a_suggestion(tmp_path):
    result = run_main(
        "questionnaire", str(RUBRIC_PATH), "--fhir", "-o", str(tmp_path / "q.json"), "--group", "frontlin"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no group 'frontlin'" in result.stderr and "did you mean 'frontline'?" in result.stderr


def _response(url: str, rid: str, answers: dict[str, dict[str, int]], group: str | None = None) -> dict[str, Any]:
    """A completed response (answers by domain, then question) to a questionnaire of the wordings rubric, as a form
    filler makes it."""
    system = f"{questionnaire_url(RUBRIC)}/levels"
    items: list[dict[str, Any]] = []
    if group is not None:
        coding = {"system": f"{questionnaire_url(RUBRIC)}/respondent-groups", "code": group}
        items.append({"linkId": GROUP_ITEM, "answer": [{"valueCoding": coding}]})
    for domain, levels in answers.items():
        questions = [
            {"linkId": qid, "answer": [{"valueCoding": {"system": system, "code": str(level)}}]}
            for qid, level in levels.items()
        ]
        items.append({"linkId": domain, "item": questions})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": f"{url}|1.0.0",
        "status": "completed",
        "subject": {"reference": "Organization/riverside"},
        "authored": "2026-09-30",
        "item": items,
    }


def test_responses_to_groups_questionnaires_are_those_groups(tmp_path):
    frontline = questionnaire(RUBRIC, "R4", group="frontline")["url"]
    partners = questionnaire(RUBRIC, "R4", group="patient-partners")["url"]
    responses = [
        _response(frontline, "frontline-1", {"capability": {"trn-coverage": 2, "ideas-heard": 1}}),
        _response(partners, "patient-1", {"capability": {"ideas-heard": 1}, "partnership": {"pat-partners-heard": 1}}),
    ]
    path = tmp_path / "responses.json"
    path.write_text(
        json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in responses]})
    )
    (document,) = read_responses(path, RUBRIC)
    assert document["respondents"] == [
        {"id": "frontline-1", "group": "frontline", "answers": {"trn-coverage": 2, "ideas-heard": 1}},
        {"id": "patient-1", "group": "patient-partners", "answers": {"ideas-heard": 1, "pat-partners-heard": 1}},
    ]


def test_a_response_that_names_another_group_than_its_questionnaires_is_refused(tmp_path):
    url = questionnaire(RUBRIC, "R4", group="frontline")["url"]
    path = tmp_path / "response.json"
    response = _response(url, "frontline-1", {"capability": {"trn-coverage": 2}}, group="board")
    path.write_text(json.dumps(response, indent=1))
    with pytest.raises(InputError) as caught:
        read_responses(path, RUBRIC)
    (problem,) = caught.value.problems
    assert problem.path == "/item/0/answer/0/valueCoding/code"
    assert (
        problem.message == "the response gives its group as 'board' but answers the questionnaire of group 'frontline'"
    )


def test_a_response_to_the_questionnaire_of_an_unknown_group_is_refused(tmp_path):
    path = tmp_path / "response.json"
    url = f"{questionnaire_url(RUBRIC)}/group/frontlin"
    path.write_text(json.dumps(_response(url, "frontline-1", {"capability": {"trn-coverage": 2}})))
    with pytest.raises(InputError) as caught:
        read_responses(path, RUBRIC)
    (problem,) = caught.value.problems
    assert problem.path == "/questionnaire"
    assert (
        problem.message == "the response answers the questionnaire of group 'frontlin', which 'wordings' does not have"
    )
    assert problem.hint == "did you mean 'frontline'?"


# --- priorities: each step's measure and owner -------------------------------------------------------------------

# Worked by hand from wordings-riverside.yaml (median of the answers; every target 3):
#   trn-coverage 2, 2 -> level 2, gap 1, critical: first. Its step from 2 has a measure and owner of its own, which
#     come before the question's measure.
#   ideas-heard 1, 1, 1 -> level 1, gap 2, score 1 x domain weight 2 x 2 = 4. Its step from 1 names an owner but no
#     measure: the question's measure.
#   pat-partners-heard 1, 1 -> level 1, gap 2, score 1 x 1 x 2 = 2. Its step from 1 has a measure and no owner.
EXPECTED_PRIORITIES = [
    (1, "trn-coverage", 2, PROTECTED_TIME, "Ward manager"),
    (2, "ideas-heard", 1, IDEAS_MEASURE, "Team leader"),
    (3, "pat-partners-heard", 1, FIRST_MEETINGS, None),
]


@pytest.fixture(scope="module")
def result():
    return score(RUBRIC, load_assessment(ANSWERS, RUBRIC))


def test_each_priority_carries_its_steps_measure_and_owner(result):
    got = [(p.rank, p.question_id, p.level, p.measure, p.owner) for p in result.priorities]
    assert got == EXPECTED_PRIORITIES


def test_a_priority_without_a_step_measure_or_owner_has_neither():
    # valid-minimal gives no measure or owner anywhere: every priority's are None.
    mini = load_rubric(RUBRICS / "valid-minimal.yaml")
    lowest = {"lead-1": 1, "lead-2": 1, "meth-1": 1}
    document = {
        "rubric": {"id": "mini", "version": "1.0"},
        "organisation": {"id": "org-a", "name": "Organisation A"},
        "respondents": [{"id": "b1", "group": "board", "answers": lowest}],
    }
    priorities = score(mini, load_assessment(document, mini)).priorities
    assert [p.question_id for p in priorities] == ["lead-1", "lead-2", "meth-1"]
    assert all(p.measure is None and p.owner is None for p in priorities)


def test_the_json_result_carries_measure_and_owner_and_matches_its_schema():
    run = run_main("score", str(RUBRIC_PATH), str(ANSWERS), "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    errors = [f"{e.instance_path}: {e.message}" for e in jsonschema_rs.validator_for(RESULT_SCHEMA).iter_errors(data)]
    assert errors == []
    got = [(p["rank"], p["question_id"], p["level"], p["measure"], p["owner"]) for p in data["priorities"]]
    assert got == EXPECTED_PRIORITIES


def test_explain_carries_the_steps_measure_and_owner():
    question = run_main("explain", str(RUBRIC_PATH), str(ANSWERS), "--question", "trn-coverage").stdout
    assert question.splitlines()[-3:] == [
        "  priority 1: from level 2 towards 3 (target 3), next step: The QI lead agrees protected time with two ward "
        "teams for a second session.",
        f"    measure: {PROTECTED_TIME}",
        "    owner: Ward manager",
    ]
    everything = run_main("explain", str(RUBRIC_PATH), str(ANSWERS)).stdout
    tail = everything.splitlines()[-9:]
    assert tail[0] == "Improvement priorities (critical items first, then weight x domain weight x gap):"
    assert tail[1].startswith("  1. trn-coverage [critical]: from level 2 towards 3 (target 3), next step: ")
    assert tail[-1] == f"    measure: {FIRST_MEETINGS}"  # the third has no owner: no owner line
    assert "owner: Team leader" in everything


def test_the_terminal_table_names_each_steps_owner():
    out = run_main("score", str(RUBRIC_PATH), str(ANSWERS), columns=250).stdout
    row = next(line for line in out.splitlines() if "ideas-heard" in line and "Ask each team" in line)
    assert "Team leader" in row


# --- the gap report ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_text(result):
    return text_of(qimaturity.report(RUBRIC, result, format="html", report_date="2026-10-01").decode())


def test_the_plan_shows_each_steps_measure_and_owner(report_text):
    plan = report_text[report_text.index("Improvement plan The priorities") :]
    plan = plan[: plan.index("Appendix")]
    first, second, third = (plan[plan.index(f" {n} ") :] for n in (1, 2, 3))
    assert "suggested owner: Ward manager Plan" in first and f"Measure: {PROTECTED_TIME}. Reviews" in first
    assert "suggested owner: Team leader Plan" in second and f"Measure: {IDEAS_MEASURE}. Reviews" in second
    assert "owner: to agree Plan" in third and f"Measure: {FIRST_MEETINGS}. Reviews" in third  # the rubric names none


def test_the_method_appendix_lists_weighted_and_critical_items_with_their_reasons(report_text):
    method = report_text[report_text.index("Weighted and critical items") :]
    method = method[: method.index("Rules")]
    assert (
        "Domain: Capability capability · weight 2 Weight 2: Without people trained to improve, no other domain can "
        "move, so capability counts twice." in method
    )
    assert (
        f"{DEFAULT_TEXT} trn-coverage · weight 2 · critical Weight 2: Training reach is the capability every later "
        "step depends on, so it counts double. Critical: A domain whose people are untrained cannot be rated as "
        "capable, whatever else it has." in method
    )
    assert "ideas-heard" not in method  # weight 1, not critical


def test_the_method_appendix_says_when_the_rubric_gives_no_reason():
    mini = load_rubric(RUBRICS / "valid-minimal.yaml")
    result = score(mini, load_assessment(DATA / "answers" / "mini-two-groups.yaml", mini))
    text = text_of(qimaturity.report(mini, result, format="html", report_date="2026-10-01").decode())
    assert "Domain: Leadership lead · weight 2 Weight 2: no reason given in the rubric." in text
    assert "Leaders role-model improvement. lead-1 · critical Critical: no reason given in the rubric." in text


# --- the documentation's examples -------------------------------------------------------------------------------


def _doc_examples() -> dict[str, Any]:
    """The YAML example under each of the three headings of docs/rubric-format.md, parsed."""
    import yaml

    page = (ROOT / "docs" / "rubric-format.md").read_text(encoding="utf-8")
    examples = {}
    for heading in ("Asking each group in its own words", "Each step's measure and owner", "Reasons for weights"):
        section = page[page.index(f"### {heading}") :]
        block = section[section.index("```yaml\n") + 8 : section.index("```", section.index("```yaml\n") + 8)]
        examples[heading] = yaml.safe_load(block)
    return examples


def test_the_documentations_examples_are_valid_in_a_rubric():
    import yaml

    examples = _doc_examples()
    document = yaml.safe_load(RUBRIC_PATH.read_text())
    document["respondent_groups"].append({"id": "managers", "name": "Managers"})
    levels = document["domains"][0]["questions"][0]["levels"]
    # The question in its groups' words, with the fixture's levels.
    (asked_in_words,) = examples["Asking each group in its own words"]
    document["domains"][0]["questions"][0] = {**asked_in_words, "levels": levels}
    # A step with its measure and owner, in place of the fixture's level 2.
    (step,) = examples["Each step's measure and owner"]
    document["domains"][0]["questions"][1]["levels"][1] = step
    # A domain and a question with the reasons for their weights and critical flag.
    (domain,) = examples["Reasons for weights"]["domains"]
    domain["questions"][0]["levels"] = levels
    document["domains"].append(domain)
    assert validate_rubric(document) == []
    rubric = load_rubric(document)
    assert rubric.question("trn-coverage").text_for("frontline") == FRONTLINE_TEXT
    assert rubric.question("ideas-heard").descriptor(2).owner == "Ward manager"
    assert rubric.question("cult-psychological-safety").critical_rationale
    assert rubric.domain("culture").weight_rationale
