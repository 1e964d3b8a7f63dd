"""`qimaturity rubric diff`: what changed between two versions of a rubric, questions paired by the newer version's
map when it has one from the older (tests/data/migration/clinic-1.0.0.yaml to clinic-2.0.0.yaml: see
tests/test_migration_maps.py for the map)."""

from __future__ import annotations

import json

import yaml

from qimaturity import load_rubric
from qimaturity.rubric.diff import rubric_diff

from .conftest import DATA, run_main

FOLDER = DATA / "migration"
V1_PATH, V2_PATH = FOLDER / "clinic-1.0.0.yaml", FOLDER / "clinic-2.0.0.yaml"
V1, V2 = load_rubric(V1_PATH), load_rubric(V2_PATH)


def changed():
    """clinic 1.0.0 as a document, for a newer version made by editing it."""
    data = json.loads(json.dumps(yaml.safe_load(V1_PATH.read_text())))
    data["version"] = "1.1.0"
    return data


def test_questions_are_paired_by_the_map():
    diff = rubric_diff(V1, V2)
    assert diff.map_from == "1.0.0" and not diff.same
    found = [(q.status, q.id, q.old_ids, q.new_ids, q.domain, q.detail) for q in diff.questions]
    assert found == [
        ("split", "lead-time", ("lead-time-and-money",), ("lead-time", "lead-budget"), "lead", None),
        ("added", "lead-succession", (), (), "lead", None),
        ("renamed", "meth-agreed-approach", ("meth-one-method",), (), "meth", None),
        ("merged", "cult-ideas", ("cult-ideas-a", "cult-ideas-b"), (), "cult", "min"),
        ("remapped", "pat-equity", ("pat-demographics",), (), "pat", "1->1, 2->1, 3->2, 4->3"),
        ("added", "res-outcomes", (), (), "results", None),
        (
            "dropped",
            "lead-stability",
            (),
            (),
            "lead",
            "Stability is now asked as lead-succession; the old answer does not say it.",
        ),
    ]
    renamed = diff.questions[2]
    assert [(c.field, c.old, c.new) for c in renamed.changes] == [
        ("text", "Teams use one improvement method.", "Teams share an agreed approach to improvement."),
        ("help", None, "Any recognised method counts, as long as the clinic agreed it."),
        ("levels.1.descriptor", "No method.", "No approach."),
        ("levels.1.next_step", "Choose one.", "Agree one."),
    ]
    assert [(d.status, d.id) for d in diff.domains] == [("added", "results")]
    assert [(c.field, c.old, c.new) for c in diff.scoring] == [
        ("minimal_important_difference", None, 0.5),
        ("missing", "error", "exclude"),
    ]
    assert diff.counts() == {"added": 2, "dropped": 1, "renamed": 1, "remapped": 1, "split": 1, "merged": 1}


def test_without_a_map_a_renamed_question_is_removed_and_added():
    data = json.loads(json.dumps(yaml.safe_load(V2_PATH.read_text())))
    del data["migrations"]
    diff = rubric_diff(V1, load_rubric(data))
    assert diff.map_from is None
    assert ("removed", "meth-one-method") in [(q.status, q.id) for q in diff.questions]
    assert ("added", "meth-agreed-approach") in [(q.status, q.id) for q in diff.questions]
    assert diff.counts() == {"added": 7, "removed": 6}


def test_every_kind_of_change_to_a_question_and_a_move_between_domains():
    data = changed()
    lead = data["domains"][0]["questions"]
    vision = lead[0]
    vision.update(weight=2, critical=True, target=3, respondents=["board"], evidence_from=3)
    vision["levels"][3]["descriptor"] = "Always, in every meeting."
    vision["levels"][2]["next_step"] = "Ask staff to say it back, monthly."
    stability = lead.pop(2)
    data["domains"][1]["questions"].append(stability)  # lead-stability moves to meth
    data["domains"][3]["questions"][1]["not_applicable"] = {"allowed": True, "justification": False}
    data["domains"][0]["weight"] = 2
    data["scoring"] = {"respondents": {"aggregate": "mean"}}
    data["respondent_groups"][1]["name"] = "Clinic staff"
    data["levels"][0]["name"] = "Not started"
    data["rules"] = [{"id": "cap", "type": "cap", "scope": "overall", "max_level": 2, "when": {"critical_below": 2}}]
    diff = rubric_diff(V1, load_rubric(data))
    by_id = {q.id: q for q in diff.questions}
    assert [(c.field, c.old, c.new) for c in by_id["lead-vision"].changes] == [
        ("weight", 1.0, 2.0),
        ("critical", False, True),
        ("target", None, 3),
        ("evidence_from", None, 3),
        ("respondents", [], ["board"]),
        ("levels.3.next_step", "Ask staff to say it back.", "Ask staff to say it back, monthly."),
        ("levels.4.descriptor", "Always.", "Always, in every meeting."),
    ]
    moved = by_id["lead-stability"]
    assert (moved.status, moved.domain, moved.old_domain, moved.changes) == ("changed", "meth", "lead", ())
    assert [(c.field, c.old, c.new) for c in by_id["pat-feedback"].changes] == [("na_justification", True, False)]
    assert [(d.id, [(c.field, c.new) for c in d.changes]) for d in diff.domains] == [("lead", [("weight", 2.0)])]
    assert [(c.field, c.old, c.new) for c in diff.scoring] == [("respondent_aggregate", "median", "mean")]
    assert [(g.id, g.status) for g in diff.groups] == [("staff", "changed")]
    assert [(lv.id, lv.status) for lv in diff.levels] == [("1", "changed")]
    assert [(r.id, r.status) for r in diff.rules] == [("cap", "added")]
    text = diff.text()
    assert "  changed    lead-stability (moved from lead to meth)\n" in text
    assert '             level 4 descriptor: "Always." -> "Always, in every meeting."\n' in text
    assert "             asked of: (none) -> board\n" in text
    assert '  respondents.aggregate: "median" -> "mean"\n' in text


def test_a_rubric_against_itself_has_no_differences():
    diff = rubric_diff(V1, V1)
    assert diff.same and diff.to_dict()["same"] is True
    assert diff.text().endswith("No differences in what is asked or how it is scored.\n")


def test_rubric_diff_end_to_end_as_text():
    done = run_main("rubric", "diff", str(V1_PATH), str(V2_PATH))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == [
        "clinic-qi 1.0.0 -> 2.0.0 (questions paired by its map from 1.0.0)",
        "Questions: 2 added, 1 dropped, 1 renamed, 1 remapped, 1 split, 1 merged",
    ]
    assert "  renamed    meth-one-method -> meth-agreed-approach (meth)" in lines
    assert "  split      lead-time-and-money -> lead-time, lead-budget (lead)" in lines
    assert "  merged     cult-ideas-a + cult-ideas-b -> cult-ideas by min (cult)" in lines
    assert "  remapped   pat-demographics -> pat-equity, levels 1->1, 2->1, 3->2, 4->3 (pat)" in lines
    assert (
        "  dropped    lead-stability (lead): Stability is now asked as lead-succession; the old answer does not say it."
        in lines
    )
    assert '             help: (none) -> "Any recognised method counts, as long as the clinic agreed it."' in lines


def test_rubric_diff_json_is_stable_and_documented_keys():
    done = run_main("rubric", "diff", str(V1_PATH), str(V2_PATH), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == sorted(
        ["format", "old", "new", "map_from", "same", "summary",
         "rubric", "levels", "groups", "domains", "questions", "scoring", "bands", "rules"]
    )  # fmt: skip
    assert data["format"] == 1
    assert data["old"] == {"id": "clinic-qi", "version": "1.0.0", "content_hash": V1.content_hash}
    merged = next(q for q in data["questions"] if q["status"] == "merged")
    assert merged == {
        "id": "cult-ideas",
        "status": "merged",
        "old_ids": ["cult-ideas-a", "cult-ideas-b"],
        "new_ids": [],
        "domain": "cult",
        "old_domain": None,
        "detail": "min",
        "changes": [],
    }
    again = run_main("rubric", "diff", str(V1_PATH), str(V2_PATH), "--format", "json")
    assert again.stdout == done.stdout


def test_rubric_diff_of_a_bad_rubric_is_a_located_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(V1_PATH.read_text().replace('version: "1.0.0"', "version: 1.0"))
    done = run_main("rubric", "diff", str(bad), str(V2_PATH))
    assert done.returncode == 2
    assert f"{bad}:5:10: /version: version 1.0 is read as a number, not as text" in done.stderr
    assert done.stdout == ""


def test_group_wordings_step_owners_and_reasons_are_compared_key_by_key():
    path = DATA / "rubrics" / "wordings-owners-reasons.yaml"
    data = json.loads(json.dumps(yaml.safe_load(path.read_text())))
    question = data["domains"][0]["questions"][0]
    question["wording"]["frontline"] = "In my ward, who has had improvement training?"
    question["levels"][0]["owner"] = "Chief nurse"
    question["weight_rationale"] = "It counts double."
    data["version"] = "1.1.0"
    (item,) = rubric_diff(load_rubric(path), load_rubric(data)).questions
    assert (item.status, item.id) == ("changed", "trn-coverage")
    assert [(c.field, c.new) for c in item.changes] == [
        ("wording.frontline", "In my ward, who has had improvement training?"),
        ("weight_rationale", "It counts double."),
        ("levels.1.owner", "Chief nurse"),
    ]
