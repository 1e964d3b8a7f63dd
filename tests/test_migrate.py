"""Migrating answers to a later version of their rubric, worked out by hand, and `qimaturity migrate` end to end.

North Clinic's 1.0.0 answers (tests/data/migration/answers/north-2025.yaml), three respondents (b1 board, s1 and
s2 staff), through clinic 2.0.0's map (tests/data/migration/clinic-2.0.0.yaml):
  lead-time-and-money -> lead-time and lead-budget (split): b1 2 (with its comment and evidence bp-12) to both;
      s1 1 and s2 3 to lead-time only, since 2.0.0 asks lead-budget of the board alone (two answers left out)
  lead-stability: dropped (3 answers)
  meth-one-method -> meth-agreed-approach: 3, 2, 3 as they are
  cult-ideas-a + cult-ideas-b -> cult-ideas by min: b1 min(3, 2) = 2 (b's comment, after its id), s1 min(1, 4) = 1,
      s2 min(2, 3) = 2 (6 answers taken)
  pat-demographics -> pat-equity with levels 1->1, 2->1, 3->2, 4->3: b1 4 -> 3, s1 2 -> 1, s2 3 -> 2
  lead-vision, meth-run-charts, pat-feedback: kept (b1's N/A with its justification, s2's comment)
  targets: lead 3 kept; pat-demographics 4 -> pat-equity 3; cult-ideas-a 3 left out (its question is merged)
  unanswered: lead-succession, res-outcomes (new in 2.0.0)
"""

from __future__ import annotations

import json

import pytest
import yaml

from qimaturity import load_assessment, load_rubric, score
from qimaturity._core.documents import plain_document
from qimaturity.answers.migrate import migrate_answers, migrate_document
from qimaturity.rubric.migration import combine_levels

from .conftest import DATA, run_main

FOLDER = DATA / "migration"
ANSWERS = FOLDER / "answers"
V1_PATH, V2_PATH = FOLDER / "clinic-1.0.0.yaml", FOLDER / "clinic-2.0.0.yaml"
V1, V2 = load_rubric(V1_PATH), load_rubric(V2_PATH)


def north() -> dict:
    return yaml.safe_load((ANSWERS / "north-2025.yaml").read_text())


def v2_with(map_text: str, **scoring: str) -> object:
    """clinic 2.0.0 with another map (and scoring settings), as a rubric."""
    data = yaml.safe_load(V2_PATH.read_text())
    data["migrations"] = yaml.safe_load(map_text)
    data["scoring"].update(scoring)
    return load_rubric(json.loads(json.dumps(data)))  # levels keyed by text, as a YAML file's are read


def test_north_migrates_as_worked_out_by_hand():
    done = migrate_document(north(), V2, old=V1)
    assert done.status == "migrated" and done.problems == ()
    document = done.document
    assert document["rubric"] == {"id": "clinic-qi", "version": "2.0.0"}
    assert document["evidence"] == north()["evidence"]
    assert document["targets"] == {"lead": 3, "pat-equity": 3}
    b1, s1, s2 = (r["answers"] for r in document["respondents"])
    time_and_money = {"level": 2, "comment": "Time is agreed; money is not.", "evidence": ["bp-12"]}
    assert b1 == {
        "lead-vision": 3,
        "lead-time": time_and_money,
        "lead-budget": time_and_money,
        "meth-agreed-approach": 3,
        "meth-run-charts": 2,
        "cult-ideas": {"level": 2, "comment": "cult-ideas-b: Few ideas get tried."},
        "pat-equity": 3,
        "pat-feedback": {"na": True, "justification": "The board does not see patient feedback directly."},
    }
    assert s1 == {
        "lead-vision": 2,
        "lead-time": 1,
        "meth-agreed-approach": 2,
        "meth-run-charts": 1,
        "cult-ideas": 1,
        "pat-equity": 1,
        "pat-feedback": 3,
    }
    assert s2 == {
        "lead-vision": 3,
        "lead-time": 3,
        "meth-agreed-approach": 3,
        "meth-run-charts": 3,
        "cult-ideas": 2,
        "pat-equity": 2,
        "pat-feedback": {"level": 2, "comment": "We read it monthly."},
    }
    assert [(m.kind, m.old, m.new, m.answers, m.detail) for m in done.moves] == [
        ("split", ("lead-time-and-money",), ("lead-time", "lead-budget"), 3, None),
        (
            "dropped",
            ("lead-stability",),
            (),
            3,
            "Stability is now asked as lead-succession; the old answer does not say it.",
        ),
        ("renamed", ("meth-one-method",), ("meth-agreed-approach",), 3, None),
        ("merged", ("cult-ideas-a", "cult-ideas-b"), ("cult-ideas",), 6, "min"),
        ("remapped", ("pat-demographics",), ("pat-equity",), 3, "1->1, 2->1, 3->2, 4->3"),
    ]
    assert [(x.respondent, x.question, x.reason) for x in done.left_out] == [
        ("s1", "lead-budget", "version 2.0.0 does not ask it of the staff group"),
        ("s2", "lead-budget", "version 2.0.0 does not ask it of the staff group"),
        ("targets", "cult-ideas-a", "its question is merged: set it again"),
    ]
    assert done.unanswered == ("lead-succession", "res-outcomes")


def test_a_comparable_domain_scores_the_same_before_and_after_migration():
    """meth maps one to one (a rename and a question kept), so the migrated answers give 2.0.0 the value 1.0.0
    gave: meth-one-method median(3, 2, 3) = 3, meth-run-charts median(2, 1, 3) = 2, mean 2.5."""
    migrated = migrate_document(north(), V2, old=V1).document
    after = score(V2, load_assessment(migrated, V2))
    before = score(V1, load_assessment(ANSWERS / "north-2025.yaml", V1))
    assert after.domain("meth").value == before.domain("meth").value == 2.5
    # cult merged: by min per respondent 2, 1, 2 -> median 2, where 1.0.0 gave (median(3,1,2) + median(2,4,3)) / 2
    assert (after.domain("cult").value, before.domain("cult").value) == (2.0, 2.5)


@pytest.mark.parametrize(
    ("how", "levels", "scale", "expected"),
    [
        ("min", [3, 1, 2], [1, 2, 3, 4], 1),
        ("max", [3, 1, 2], [1, 2, 3, 4], 3),
        ("median", [4, 1, 3], [1, 2, 3, 4], 3),  # 1, 3, 4: the middle one
        ("median", [4, 1, 3, 2], [1, 2, 3, 4], 2),  # 1, 2, 3, 4: the lower middle one, never rounded up
        ("mean-floor", [2, 3], [1, 2, 3, 4], 2),  # 2.5 down to 2
        ("mean-floor", [2, 4], [0, 2, 4], 2),  # 3.0 on a scale of 0, 2, 4: the highest level at or below is 2
        ("mean-floor", [1, 2, 3], [1, 2, 3], 2),  # exactly 2
    ],
)
def test_merges_combine_levels(how, levels, scale, expected):
    assert combine_levels(how, levels, scale) == expected


def test_a_merge_leaves_na_answers_out_of_its_level_and_says_so():
    answers = north()
    answers["respondents"] = [
        {
            "id": "s9",
            "group": "staff",
            "answers": {
                "cult-ideas-a": {"na": True, "justification": "New in post.", "evidence": ["bp-12"]},
                "cult-ideas-b": {"level": 4, "comment": "All tried.", "evidence": ["bp-12"]},
            },
        }
    ]
    answers["targets"] = {}
    v1_na = json.loads(json.dumps(yaml.safe_load(V1_PATH.read_text())))
    v1_na["domains"][2]["questions"][0]["not_applicable"] = {"allowed": True}
    done = migrate_document(answers, V2, old=load_rubric(v1_na))
    assert done.status == "migrated", done.problems
    (s9,) = done.document["respondents"]
    assert s9["answers"] == {
        "cult-ideas": {
            "level": 4,
            "comment": "cult-ideas-b: All tried.\ncult-ideas-a: N/A (New in post.)",
            "evidence": ["bp-12"],  # cited by both: once
        }
    }
    assert "targets" not in done.document


def test_na_where_the_new_version_no_longer_allows_it_is_left_out():
    data = json.loads(json.dumps(yaml.safe_load(V2_PATH.read_text())))
    data["domains"][3]["questions"][1].pop("not_applicable")
    done = migrate_document(north(), load_rubric(data))
    assert ("b1", "pat-feedback", "N/A, which version 2.0.0 does not allow on it") in [
        (x.respondent, x.question, x.reason) for x in done.left_out
    ]
    assert "pat-feedback" not in done.document["respondents"][0]["answers"]


def test_answers_of_a_version_without_a_map_are_refused_at_the_version():
    answers = north()
    answers["rubric"]["version"] = "0.9"
    done = migrate_document(answers, V2)
    assert done.status == "failed" and done.document is None
    (problem,) = done.problems
    assert (problem.path, problem.message, problem.hint) == (
        "/rubric/version",
        "version 2.0.0 of clinic-qi has no map from version 0.9",
        "it has maps from 1.0.0",
    )


def test_answers_naming_questions_the_map_does_not_cover_are_refused_naming_them():
    answers = north()
    answers["respondents"][1]["answers"]["lead-stabilty"] = 2
    answers["respondents"][2]["answers"]["xyz-extra"] = 2
    done = migrate_document(answers, V2)
    assert done.status == "failed"
    assert [(p.path, p.message, p.hint) for p in done.problems] == [
        (
            "/respondents/1/answers/lead-stabilty",
            "question 'lead-stabilty' is neither in the map from version 1.0.0 nor in version 2.0.0",
            "did you mean 'lead-stability'?",
        ),
        (
            "/respondents/2/answers/xyz-extra",
            "question 'xyz-extra' is neither in the map from version 1.0.0 nor in version 2.0.0",
            "add it to the rubric's map: renamed (new:), split, merged or dropped (dropped: why)",
        ),
    ]
    # With the earlier version's rubric, the same answers are refused by its own checks, as scoring them would be.
    checked = migrate_document(answers, V2, old=V1)
    assert [p.message for p in checked.problems] == [
        "unknown question 'lead-stabilty'",
        "unknown question 'xyz-extra'",
    ]


def test_a_level_the_remap_does_not_place_is_refused_at_the_answer(tmp_path):
    rubric = v2_with(
        '[{from: "1.0.0", questions: [{old: pat-demographics, new: pat-equity, levels: {1: 1, 2: 1, 3: 2}}, '
        "{old: lead-time-and-money, dropped: x}, {old: lead-stability, dropped: x}, "
        "{old: meth-one-method, dropped: x}, {old: [cult-ideas-a, cult-ideas-b], dropped: x}]}]"
    )
    (done,) = migrate_answers(rubric, ANSWERS / "north-2025.yaml", tmp_path)
    (problem,) = done.problems
    # b1's "pat-demographics: 4" is line 22 of the file, its level at column 25
    assert (problem.line, problem.column, problem.path, problem.message) == (
        22,
        25,
        "/respondents/0/answers/pat-demographics",
        "'pat-demographics' is answered at level 4, which the map's levels do not place (1->1, 2->1, 3->2)",
    )
    assert list(tmp_path.iterdir()) == []


def test_an_old_answer_kept_under_its_id_and_another_renamed_onto_it_is_refused():
    rubric = v2_with(
        '[{from: "1.0.0", questions: [{old: meth-one-method, new: meth-run-charts}, '
        "{old: lead-time-and-money, dropped: x}, {old: lead-stability, dropped: x}, "
        "{old: [cult-ideas-a, cult-ideas-b], dropped: x}, {old: pat-demographics, dropped: x}]}]"
    )
    done = migrate_document(north(), rubric)
    assert done.status == "failed"
    assert done.problems[0].message == (
        "the answer to 'meth-run-charts' carries over to 'meth-run-charts' as it is, and the map also gives "
        "'meth-run-charts' the answers of 'meth-one-method'"
    )


def test_the_version_comes_from_the_earlier_rubric_when_the_answers_do_not_say():
    answers = north()
    del answers["rubric"]["version"]
    refused = migrate_document(answers, V2)
    assert refused.problems[0].message == "these answers do not say which version of clinic-qi they were given to"
    assert migrate_document(answers, V2, old=V1).status == "migrated"


def test_answers_already_of_the_version_are_left_as_they_are():
    done = migrate_document(yaml.safe_load((ANSWERS / "north-2026.yaml").read_text()), V2)
    assert (done.status, done.from_version, done.moves) == ("unchanged", "2.0.0", ())


def test_answers_of_another_rubric_or_not_answers_are_refused():
    answers = north()
    answers["rubric"]["id"] = "other"
    assert migrate_document(answers, V2).problems[0].message == "these answers are for rubric 'other', not 'clinic-qi'"
    assert migrate_document(plain_document({"id": "x"}, "x.yaml"), V2).status == "failed"


def test_a_map_that_does_not_fit_its_earlier_version_stops_before_any_file(tmp_path):
    rubric = v2_with('[{from: "1.0.0", questions: [{old: lead-time-and-money, new: [lead-time, lead-budget]}]}]')
    with pytest.raises(Exception) as refused:
        migrate_answers(rubric, ANSWERS / "north-2025.yaml", tmp_path / "out", from_rubrics=[V1])
    assert "neither in the map nor in this version" in str(refused.value)
    assert not (tmp_path / "out").exists()


# --- files and the command line -----------------------------------------------------------------------------------


def test_files_are_written_to_the_folder_yaml_as_yaml_json_as_json(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "north.json").write_text(json.dumps(north()))
    (source / "north-2026.yaml").write_bytes((ANSWERS / "north-2026.yaml").read_bytes())
    reports = migrate_answers(V2, source, tmp_path / "out")
    assert [(r.status, r.output) for r in reports] == [
        ("unchanged", str(tmp_path / "out" / "north-2026.yaml")),
        ("migrated", str(tmp_path / "out" / "north.json")),
    ]
    assert (tmp_path / "out" / "north-2026.yaml").read_bytes() == (ANSWERS / "north-2026.yaml").read_bytes()
    written = json.loads((tmp_path / "out" / "north.json").read_text())
    assert written == migrate_document(north(), V2).document
    assert load_assessment(tmp_path / "out" / "north.json", V2).rubric_version == "2.0.0"


def test_an_input_is_never_overwritten(tmp_path):
    answers = tmp_path / "north.yaml"
    answers.write_bytes((ANSWERS / "north-2025.yaml").read_bytes())
    (report,) = migrate_answers(V2, [answers], tmp_path)
    assert report.status == "failed"
    assert report.problems[0].message == f"the output {answers} would replace an input"
    assert answers.read_bytes() == (ANSWERS / "north-2025.yaml").read_bytes()


def test_two_inputs_of_one_name_are_not_written_over_each_other(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "north.yaml").write_bytes((ANSWERS / "north-2025.yaml").read_bytes())
    first, second = migrate_answers(
        V2, [tmp_path / "a" / "north.yaml", tmp_path / "b" / "north.yaml"], tmp_path / "out"
    )
    assert first.status == "migrated" and second.status == "failed"
    assert second.problems[0].message.endswith(f"is already written from {tmp_path / 'a' / 'north.yaml'}")


def test_migrate_end_to_end(tmp_path):
    done = run_main(
        "migrate", str(V2_PATH), str(ANSWERS / "north-2025.yaml"), "-o", str(tmp_path), "--from-rubric", str(V1_PATH)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{tmp_path / 'north-2025.yaml'}\n"
    lines = done.stderr.splitlines()
    assert lines[0] == f"{ANSWERS / 'north-2025.yaml'} -> {tmp_path / 'north-2025.yaml'}: clinic-qi 1.0.0 -> 2.0.0"
    assert lines[1:] == [
        "  split       lead-time-and-money -> lead-time, lead-budget (3 answers)",
        "  dropped     lead-stability (3 answers): Stability is now asked as lead-succession; the old answer does not "
        "say it.",
        "  renamed     meth-one-method -> meth-agreed-approach (3 answers)",
        "  merged      cult-ideas-a + cult-ideas-b -> cult-ideas by min (6 answers)",
        "  remapped    pat-demographics -> pat-equity, levels 1->1, 2->1, 3->2, 4->3 (3 answers)",
        "  left out    target cult-ideas-a: its question is merged: set it again",
        "  left out    lead-budget (s1's and s2's answers): version 2.0.0 does not ask it of the staff group",
        "  unanswered  lead-succession, res-outcomes",
    ]
    text = (tmp_path / "north-2025.yaml").read_text()
    assert text.startswith("# Migrated from north-2025.yaml (version 1.0.0) to version 2.0.0 by qimaturity migrate\n")
    assert "&" not in text and "*id" not in text  # a split answer is written twice, not as a YAML alias
    scored = run_main("score", str(V2_PATH), str(tmp_path / "north-2025.yaml"), "--format", "json")
    assert scored.returncode == 0, scored.stderr


def test_migrate_reports_a_file_it_cannot_convert_and_writes_the_others(tmp_path):
    bad = tmp_path / "old.yaml"
    bad.write_text((ANSWERS / "north-2025.yaml").read_text().replace('version: "1.0.0"', 'version: "0.9.0"'))
    out = tmp_path / "out"
    done = run_main("migrate", str(V2_PATH), str(bad), str(ANSWERS / "north-2025.yaml"), "-o", str(out))
    assert done.returncode == 2
    assert (
        f"{bad}:2:34: /rubric/version: version 2.0.0 of clinic-qi has no map from version 0.9.0 (it has maps "
        "from 1.0.0)" in done.stderr
    )
    assert f"{bad}: not migrated: 1 problem(s)" in done.stderr
    assert "1 of 2 file(s) not migrated" in done.stderr
    assert done.stdout == f"{out / 'north-2025.yaml'}\n"
    assert not (out / "old.yaml").exists()


def test_migrate_json_output(tmp_path):
    done = run_main("migrate", str(V2_PATH), str(ANSWERS), "-o", str(tmp_path), "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["migrated"] is True
    assert [(f["source"], f["status"]) for f in report["files"]] == [
        (str(ANSWERS / "north-2025.yaml"), "migrated"),
        (str(ANSWERS / "north-2026.yaml"), "unchanged"),
        (str(ANSWERS / "south-2025.yaml"), "migrated"),
    ]
    north_report = report["files"][0]
    assert set(north_report) == {
        "source", "output", "status", "rubric", "from_version", "to_version", "moves", "left_out", "unanswered",
        "problems",
    }  # fmt: skip
    assert north_report["moves"][3] == {
        "kind": "merged",
        "old": ["cult-ideas-a", "cult-ideas-b"],
        "new": ["cult-ideas"],
        "answers": 6,
        "detail": "min",
    }


def test_migrate_refuses_what_is_not_an_answers_file(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("organisation_id,lead-vision\nnorth,3\n")
    done = run_main("migrate", str(V2_PATH), str(export), "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert f"{export}: /: migrate converts answers files (YAML or JSON) (turn an export" in done.stderr


def test_migrate_with_a_bad_rubric_is_a_located_error(tmp_path):
    done = run_main("migrate", str(FOLDER / "nowhere.yaml"), str(ANSWERS), "-o", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "nowhere.yaml" in done.stderr


def test_answers_left_out_for_one_reason_read_as_one_line_per_question():
    from qimaturity.answers.migrate import _respondents_words

    # The words name up to three respondents and count the rest: a board of eleven reads as one line.
    assert _respondents_words(["s1"]) == "s1's answer"
    assert _respondents_words(["s1", "s2"]) == "s1's and s2's answers"
    assert _respondents_words(["a", "b", "c"]) == "3 answers: a, b and c"
    assert (
        _respondents_words([f"board-{n}" for n in range(1, 12)]) == "11 answers: board-1, board-2, board-3 and 8 more"
    )
