"""The columnar engine (qimaturity.scoring.columnar) against the row engine, on the same answers written both ways.

A realistic data set for the bundled qi-readiness rubric is written as one answers file per organisation (the row
engine's input) and as one respondent export (CSV, and Parquet). Every number of every organisation's result must
be the same; only what an export cannot carry (per-answer records, and so each question's trace) differs.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qimaturity import InputError, load_assessment, load_rubric, score
from qimaturity._core.limits import MAX_COLUMNS, MAX_PROBLEMS
from qimaturity.scoring.kernel import agreement, counts_of, pooled_value, respondent_value, sample_variance
from qimaturity.scoring.result import Result
from qimaturity.scoring.tables import write_csv

from .conftest import QI_READINESS_1_1, ROOT, RUBRICS, run_cli, run_main

pl = pytest.importorskip("polars")
columnar = pytest.importorskip("qimaturity.scoring.columnar")

RUBRIC = load_rubric(QI_READINESS_1_1)
QUESTIONS = list(RUBRIC.questions())
GROUPS = [g.id for g in RUBRIC.respondent_groups]
LEVELS = [level.value for level in RUBRIC.levels]
ORGANISATIONS = 30


def asked(question: Any, group: str) -> bool:
    return not question.respondents or group in question.respondents


def make_dataset(seed: int = 2026, organisations: int = ORGANISATIONS) -> list[dict[str, Any]]:
    """Organisations with 3 to 12 respondents each, answering only what their group is asked.

    The first two respondents are a board member and a manager who answer everything asked of them, so every
    question has an answer (the rubric's missing policy is error). Others skip some questions. Questions that
    allow N/A get some (an organisation may say N/A to one throughout); critical questions often get 4 or 5, so
    that the evidence cap matters; an organisation leans high in some domains and low in others, and some have
    two weak domains or lagging critical items, so that the rubric's rules change levels.
    """
    rng = random.Random(seed)
    dataset = []
    for index in range(organisations):
        count = rng.randint(3, 12)
        groups = ["board", "managers"] + [rng.choice(GROUPS) for _ in range(count - 2)]
        lean = {d.id: rng.choice([-2, -1, 0, 0, 1, 2]) for d in RUBRIC.domains}
        profile = index % 5
        if profile == 0:  # two weak domains, the others strong
            weak = rng.sample([d.id for d in RUBRIC.domains], 2)
            lean = {d.id: -4 if d.id in weak else 2 for d in RUBRIC.domains}
        elif profile == 1:  # strong, but the critical items lag
            lean = {d.id: 3 for d in RUBRIC.domains}
        all_na = {q.id for q in QUESTIONS if q.na_allowed and rng.random() < 0.2}
        respondents = []
        for r, group in enumerate(groups):
            answers: dict[str, int | None] = {}
            for question in QUESTIONS:
                if not asked(question, group) or (r >= 2 and rng.random() < 0.15):
                    continue
                if question.na_allowed and (question.id in all_na or rng.random() < 0.25):
                    answers[question.id] = None
                elif question.critical and profile == 1:
                    answers[question.id] = 2
                elif question.critical and rng.random() < 0.5:
                    answers[question.id] = rng.choice([4, 5])
                else:
                    shifted = rng.choice(LEVELS) + lean[question.domain_id]
                    answers[question.id] = min(LEVELS[-1], max(LEVELS[0], shifted))
            respondents.append({"id": f"{group}-{r + 1}", "group": group, "answers": answers})
        dataset.append(
            {
                "id": f"org-{index:03d}",
                "name": f"Organisation {index}",
                "type": rng.choice(["acute", "community", "mental-health"]),
                "region": rng.choice(["north", "south", "london"]),
                "date": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
                "respondents": respondents,
            }
        )
    return dataset


def write_answers_files(dataset: list[dict[str, Any]], folder: Path) -> list[Path]:
    """One answers file per organisation, in the format of examples/answers (no evidence; N/A justified)."""
    paths = []
    for org in dataset:
        respondents = []
        for respondent in org["respondents"]:
            answers = {
                qid: {"na": True, "justification": "Does not apply to us."} if level is None else level
                for qid, level in respondent["answers"].items()
            }
            respondents.append({"id": respondent["id"], "group": respondent["group"], "answers": answers})
        doc = {
            "rubric": {"id": RUBRIC.id, "version": RUBRIC.version},
            "organisation": {"id": org["id"], "name": org["name"], "type": org["type"], "region": org["region"]},
            "date": org["date"],
            "respondents": respondents,
        }
        path = folder / f"{org['id']}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def export_rows(dataset: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for org in dataset:
        for respondent in org["respondents"]:
            row: dict[str, Any] = {
                "organisation_id": org["id"],
                "organisation_name": org["name"],
                "organisation_type": org["type"],
                "region": org["region"],
                "date": org["date"],
                "respondent": respondent["id"],
                "group": respondent["group"],
            }
            for question in QUESTIONS:
                level = respondent["answers"].get(question.id, "")
                row[question.id] = "N/A" if level is None else level
            rows.append(row)
    return rows


def write_csv_export(dataset: list[dict[str, Any]], path: Path) -> Path:
    rows = export_rows(dataset)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet_export(dataset: list[dict[str, Any]], path: Path) -> Path:
    """Questions that allow N/A are text columns ("NA"); the others are whole numbers, empty as null."""
    rows = export_rows(dataset)
    columns: dict[str, Any] = {}
    for name in rows[0]:
        values = [row[name] for row in rows]
        question = next((q for q in QUESTIONS if q.id == name), None)
        if question is None:
            columns[name] = pl.Series(name, values, dtype=pl.String)
        elif question.na_allowed:
            columns[name] = pl.Series(name, ["NA" if v == "N/A" else (str(v) if v != "" else None) for v in values])
        else:
            columns[name] = pl.Series(name, [None if v == "" else v for v in values], dtype=pl.Int8)
    pl.DataFrame(columns).write_parquet(path)
    return path


@pytest.fixture(scope="module")
def dataset() -> list[dict[str, Any]]:
    return make_dataset()


@pytest.fixture(scope="module")
def row_results(dataset, tmp_path_factory) -> dict[str, Result]:
    folder = tmp_path_factory.mktemp("answers")
    return {
        result.organisation.id: result
        for result in (score(RUBRIC, load_assessment(path, RUBRIC)) for path in write_answers_files(dataset, folder))
    }


@pytest.fixture(scope="module")
def csv_export(dataset, tmp_path_factory) -> Path:
    return write_csv_export(dataset, tmp_path_factory.mktemp("export") / "survey.csv")


def comparable(result: Result) -> dict[str, Any]:
    """A result's JSON form without what an export cannot carry (per-answer records and question traces), and
    without the intervals, which :func:`assert_same_intervals` compares."""
    data = result.to_dict()
    del data["overall"]["interval"]
    for domain in data["domains"]:
        del domain["interval"]
        for question in domain["questions"]:
            del question["answers"], question["trace"]
    return data


def assert_same_intervals(got: Result, want: Result) -> None:
    """Both engines take the moments of the same respondents' scores as exact sums of whole numbers
    (:data:`qimaturity.scoring.intervals.Moments`): their intervals are the same to the bit, and missing alike.
    (Polars' float variance had them 1e-12 apart, and varied with the number of threads.)"""
    pairs = [(got.overall.interval, want.overall.interval)]
    pairs += [(g.interval, w.interval) for g, w in zip(got.domains, want.domains, strict=True)]
    for a, b in pairs:
        assert a == b


def assert_same_tables(scores: Any, row_results: dict[str, Result]) -> None:
    """The export's tables (computed for all organisations at once, not through its results) hold the row
    engine's numbers: to the bit, a domain's perception gap included."""
    ids = sorted(row_results)
    assert scores.organisations["organisation_id"].to_list() == ids
    wanted = [row_results[org] for org in ids]

    def by_org(frame: Any) -> dict[int, list[dict[str, Any]]]:
        grouped: dict[int, list[dict[str, Any]]] = {}
        for row in frame.iter_rows(named=True):
            grouped.setdefault(row["__org"], []).append(row)
        return grouped

    scored = ("value", "raw_value", "level", "level_name", "percent", "target", "gap", "held_level")
    questions, groups, domains, gaps = (
        by_org(t) for t in (scores.questions, scores.groups, scores.domains, scores.gaps)
    )
    overall = by_org(scores.overall)
    for index, want in enumerate(wanted):
        (row,) = overall[index]
        assert {k: row[k] for k in scored} == {k: getattr(want.overall, k) for k in scored}
        assert row["band"] == (want.overall.band.name if want.overall.band else None)
        assert row["held_by"] == (", ".join(want.overall.held_by) or None)
        assert [{k: r[k] for k in scored} for r in domains[index]] == [
            {k: getattr(d, k) for k in scored} for d in want.domains
        ]
        assert [r["held_by"] for r in domains[index]] == [", ".join(d.held_by) or None for d in want.domains]
        if scores.has_intervals:  # the row engine's intervals, within the tolerance of assert_same_intervals
            for r, node in zip([row, *domains[index]], [want.overall, *want.domains], strict=True):
                got = (r["interval_low"], r["interval_high"])
                wanted = (node.interval.low, node.interval.high) if node.interval else (None, None)
                assert (got[0] is None) == (wanted[0] is None), (got, wanted)
                if got[0] is not None:
                    assert got == pytest.approx(wanted, rel=1e-12, abs=1e-12)
        assert [r["band"] for r in domains[index]] == [d.band.name if d.band else None for d in want.domains]
        fields = ("status", "value", "level", "target", "gap", "agreement", "agreement_group", "disagreement")
        want_questions = [q for d in want.domains for q in d.questions]
        assert [{k: r[k] for k in fields} for r in questions[index]] == [
            {k: getattr(q, k) for k in fields} for q in want_questions
        ], want.organisation.id
        assert [
            (r["question_id"], r["group"], r["value"], r["respondents"], r["agreement"]) for r in groups.get(index, [])
        ] == [(q.id, g.group, g.value, g.respondents, g.agreement) for q in want_questions for g in q.by_group]
        got_gaps = sorted(gaps.get(index, []), key=lambda r: (r["domain_index"], r["question_index"], r["pair_index"]))
        want_gaps = [(d.id, gap) for d in want.domains for gap in d.perception_gaps] + [
            (q.id, gap) for q in want_questions for gap in q.perception_gaps
        ]
        assert len(got_gaps) == len(want_gaps)
        for ident, gap in want_gaps:
            (row,) = [r for r in got_gaps if r["id"] == ident and r["groups"] == f"{gap.group_a} - {gap.group_b}"]
            assert row["gap"] == gap.gap  # to the bit, a domain's too (both engines add its terms with fsum)
            assert row["flagged"] == gap.flagged


def without_intervals(text: str) -> str:
    """A results CSV without its interval columns (the last two), as score-export writes it by default."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-2:] == ["interval_low", "interval_high"]
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerows(row[:-2] for row in rows)
    return stream.getvalue()


def assert_same_results(columnar_results: Any, row_results: dict[str, Result]) -> None:
    assert_same_tables(columnar_results, row_results)
    # The CSV written from the tables is the one written from the full results, row for row (without the
    # intervals unless they were measured: the full results carry them either way).
    full = io.StringIO()
    write_csv(list(columnar_results), full)
    wanted = full.getvalue() if columnar_results.has_intervals else without_intervals(full.getvalue())
    assert columnar_results.csv_text() == wanted
    if columnar_results.has_intervals:  # the tables' intervals are the full results', to the bit
        for index, result in enumerate(columnar_results):
            nodes = [result.overall, *result.domains]
            rows = [*columnar_results.overall.filter(pl.col("__org") == index).iter_rows(named=True)]
            rows += [*columnar_results.domains.filter(pl.col("__org") == index).iter_rows(named=True)]
            assert [(r["interval_low"], r["interval_high"]) for r in rows] == [
                (n.interval.low, n.interval.high) if n.interval else (None, None) for n in nodes
            ]
    assert [r.organisation.id for r in columnar_results] == sorted(row_results)
    for got in columnar_results:
        want = row_results[got.organisation.id]
        assert comparable(got) == comparable(want), got.organisation.id
        assert_same_intervals(got, want)
        # And the unrounded numbers, to the bit: the engines share all code after respondent aggregation.
        assert (got.overall.value, got.overall.raw_value, got.overall.level) == (
            want.overall.value,
            want.overall.raw_value,
            want.overall.level,
        )
        assert got.overall.band == want.overall.band
        assert got.overall.trace == want.overall.trace
        assert got.priorities == want.priorities
        assert got.respondents == want.respondents
        for d_got, d_want in zip(got.domains, want.domains, strict=True):
            assert (d_got.value, d_got.raw_value, d_got.level, d_got.band, d_got.target, d_got.gap) == (
                d_want.value,
                d_want.raw_value,
                d_want.level,
                d_want.band,
                d_want.target,
                d_want.gap,
            )
            assert d_got.perception_gaps == d_want.perception_gaps
            assert d_got.trace == d_want.trace
            for q_got, q_want in zip(d_got.questions, d_want.questions, strict=True):
                assert q_got.answers == ()
                assert (q_got.status, q_got.value, q_got.level, q_got.target, q_got.gap) == (
                    q_want.status,
                    q_want.value,
                    q_want.level,
                    q_want.target,
                    q_want.gap,
                )
                assert q_got.agreement == q_want.agreement
                assert q_got.agreement_group == q_want.agreement_group
                assert q_got.disagreement == q_want.disagreement
                assert q_got.by_group == q_want.by_group
                assert q_got.perception_gaps == q_want.perception_gaps


# --- equivalence -----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dataset_exercises_what_matters(row_results):
    """The data set is not trivial: evidence caps, N/A, all-N/A questions, disagreement, rules and priorities."""
    questions = [q for r in row_results.values() for d in r.domains for q in d.questions]
    assert len(row_results) == ORGANISATIONS
    assert any(a.kind == "evidence" for q in questions for a in q.trace.adjustments)
    assert any(q.status == "na" for q in questions)
    assert any("N/A answer(s) left out" in q.trace.arithmetic for q in questions)
    assert any(q.disagreement for q in questions) and not all(q.disagreement for q in questions)
    assert any(g.flagged for q in questions for g in q.perception_gaps)
    assert any(v.value % 1 for q in questions for v in q.by_group)  # an even count: a median between two levels
    rules = [a for r in row_results.values() for part in (r.overall, *r.domains) for a in part.trace.adjustments]
    assert {a.rule for a in rules if a.applied} >= {"critical-items-cap", "two-weak-domains-cap"}
    assert {r.overall.band.id for r in row_results.values() if r.overall.band} >= {"emerging", "developing"}
    assert all(r.priorities for r in row_results.values())


@pytest.mark.slow
@pytest.mark.parametrize("intervals", [False, True])
def test_csv_export_gives_the_row_engines_numbers(csv_export, row_results, intervals):
    assert_same_results(columnar.score_export(RUBRIC, csv_export, intervals=intervals), row_results)


@pytest.mark.slow
@pytest.mark.parametrize("intervals", [False, True])
def test_parquet_export_gives_the_row_engines_numbers(dataset, row_results, tmp_path, intervals):
    export = write_parquet_export(dataset, tmp_path / "survey.parquet")
    assert pl.read_parquet(export).schema["lead-executive-lead"] == pl.Int8  # mixed column types are read
    assert_same_results(columnar.score_export(RUBRIC, export, intervals=intervals), row_results)


@pytest.mark.slow
def test_targets_apply_as_for_the_row_engine(csv_export, dataset, tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    options = {"targets": {"leadership": 5, "gov-board-agenda": 3, "overall": 5}, "default_target": 3}
    want = {
        r.organisation.id: r
        for r in (score(RUBRIC, load_assessment(p, RUBRIC), **options) for p in write_answers_files(dataset, folder))
    }
    assert_same_results(columnar.score_export(RUBRIC, csv_export, **options), want)


@pytest.mark.slow
def test_scores_are_a_sequence_of_full_results_built_when_asked_for(csv_export, row_results):
    scores = columnar.score_export(RUBRIC, csv_export)
    ids = sorted(row_results)
    assert len(scores) == ORGANISATIONS
    assert scores[0].organisation.id == ids[0] and scores[-1].organisation.id == ids[-1]
    assert [r.organisation.id for r in scores[2:5]] == ids[2:5]
    assert [r.organisation.id for r in scores] == ids
    assert scores[3] == scores[3]  # built again from the same counts: the same result
    with pytest.raises(IndexError):
        scores[ORGANISATIONS]


@pytest.mark.slow
def test_the_tables_csv_quotes_names_as_the_csv_module_does(tmp_path):
    data = make_dataset(seed=5, organisations=4)
    names = ["Smith, Jones & Co", 'The "Friendly" Trust', "Ysbyty Gwynedd; Bangor", "Hôpital\nde jour"]
    for org, name in zip(data, names, strict=True):
        org["name"] = name
    scores = columnar.score_export(RUBRIC, write_csv_export(data, tmp_path / "survey.csv"), intervals=True)
    assert sorted(scores.organisations["organisation_name"]) == sorted(names)
    full = io.StringIO()
    write_csv(list(scores), full)
    assert scores.csv_text() == full.getvalue()
    assert [r["organisation_name"] for r in csv.DictReader(io.StringIO(scores.csv_text()))][:1] == [names[0]]


def level_counts(answers: Any) -> str:
    counts: dict[int, int] = {}
    for a in answers:
        if a.counted_level is not None:
            counts[a.counted_level] = counts.get(a.counted_level, 0) + 1
    return ", ".join(f"{n}×{level}" for level, n in sorted(counts.items()))


@pytest.mark.slow
def test_question_trace_gives_each_groups_counts_behind_its_aggregate(csv_export, row_results):
    # qi-readiness pools by group: each group shown gives the counts behind its median and its weight, a group
    # too small to show says so, and the groups' weighted mean is the row engine's, to the last digit written.
    hidden = r"[a-z-]+: fewer than \d+ respondents, not shown, weight \d+"
    shown = 0
    for result in columnar.score_export(RUBRIC, csv_export):
        question = result.question("lead-executive-lead")
        want = row_results[result.organisation.id].question("lead-executive-lead")
        assert question.trace.method == f"{want.trace.method} (from the export)"
        for view in want.by_group:
            answers = [a for a in want.answers if a.group == view.group]
            assert f"{view.group}: median({level_counts(answers)}) = " in question.trace.arithmetic
            shown += 1
        assert re.findall(hidden, question.trace.arithmetic) == re.findall(hidden, want.trace.arithmetic)
        pooled = want.trace.arithmetic.split("groups pooled: ")[1]
        assert question.trace.arithmetic.endswith(f"groups pooled: {pooled}")
    assert shown > 0  # some group is large enough to show somewhere, so the counts were checked


@pytest.mark.slow
def test_question_trace_gives_the_counts_behind_the_aggregate(dataset, csv_export, tmp_path):
    # Pooled by respondents (qi-readiness before 1.1.0): one median over every answer's counted level.
    pooled = dataclasses.replace(RUBRIC, scoring=dataclasses.replace(RUBRIC.scoring, pooling="respondents"))
    result = columnar.score_export(pooled, csv_export)[0]
    question = result.question("lead-executive-lead")
    (path,) = (p for p in write_answers_files(dataset, tmp_path) if p.stem == result.organisation.id)
    want = score(pooled, load_assessment(path, pooled)).question("lead-executive-lead")
    # Every answer counts; the answers of a group of fewer than min_group_size respondents are counted but not shown
    assert question.trace.method == f"{want.trace.method} (from the export)"
    counts = {}
    for a in want.answers:
        if a.counted_level is not None:
            counts[a.counted_level] = counts.get(a.counted_level, 0) + 1
    shown = ", ".join(f"{n}×{level}" for level, n in sorted(counts.items()))
    assert question.trace.arithmetic.startswith(f"median({shown}")
    clause = r"\d+ not shown: groups of fewer than \d+ respondents"
    assert re.findall(clause, question.trace.arithmetic) == re.findall(clause, want.trace.arithmetic)
    capped = [a for a in want.answers if a.level is not None and a.level >= 4]
    if capped:
        (adjustment, *_) = question.trace.adjustments
        assert adjustment.kind == "evidence" and "an export carries none" in adjustment.description


@pytest.mark.slow
@pytest.mark.parametrize(
    ("policy", "changed"),
    [
        ("aggregate: median", "aggregate: mean"),
        ("aggregate: median", "aggregate: min"),
        ("aggregate: median", "aggregate: max"),
        ("on_missing: cap", "on_missing: flag"),
        # count_as_met is refused here: qi-readiness's gates read every domain's level, hence every question
        ("not_applicable: exclude", "not_applicable: count_as_lowest"),
        ("not_applicable: exclude", "not_applicable: anchor_to_target"),
        ("missing: error", "missing: count_as_lowest"),
    ],
)
def test_other_scoring_policies_give_the_row_engines_numbers(policy, changed, tmp_path):
    """The same comparison under the other respondent aggregates and policies, on a smaller data set."""
    text = Path(RUBRIC.path or "").read_text(encoding="utf-8")
    assert text.count(policy) == 1
    rubric_path = tmp_path / "variant.yaml"
    rubric_path.write_text(text.replace(policy, changed), encoding="utf-8")
    rubric = load_rubric(rubric_path)
    data = make_dataset(seed=7, organisations=8)
    if changed.startswith("missing"):  # nobody in the first organisation answers two questions
        for respondent in data[0]["respondents"]:
            respondent["answers"].pop("lead-coaching", None)
            respondent["answers"].pop("trn-qi-team", None)
    folder = tmp_path / "answers"
    folder.mkdir()
    want = {
        r.organisation.id: r
        for r in (score(rubric, load_assessment(p, rubric)) for p in write_answers_files(data, folder))
    }
    got = columnar.score_export(rubric, write_csv_export(data, tmp_path / "survey.csv"))
    assert_same_results(got, want)
    if changed.startswith("missing"):
        assert got[0].question("lead-coaching").status == "missing"


@pytest.mark.slow
@pytest.mark.parametrize("dropped", ["a question", "the group column"])
def test_an_export_without_a_column_gives_the_row_engines_numbers(dropped, tmp_path):
    """No column for a question (the missing policy counts it at the lowest level), or no group column at all
    (no group values, no perception gaps): as answers files without them."""
    text = Path(RUBRIC.path or "").read_text(encoding="utf-8")
    rubric_path = tmp_path / "variant.yaml"
    rubric_path.write_text(text.replace("missing: error", "missing: count_as_lowest"), encoding="utf-8")
    rubric = load_rubric(rubric_path)
    data = make_dataset(seed=11, organisations=6)
    column = "lead-coaching" if dropped == "a question" else "group"
    if column != "group":
        for org in data:
            for respondent in org["respondents"]:
                respondent["answers"].pop(column, None)
    folder = tmp_path / "answers"
    folder.mkdir()
    paths = write_answers_files(data, folder)
    if column == "group":
        for path in paths:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            for respondent in doc["respondents"]:
                del respondent["group"]
            path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    want = {r.organisation.id: r for r in (score(rubric, load_assessment(p, rubric)) for p in paths)}
    export = pl.read_csv(write_csv_export(data, tmp_path / "full.csv"), infer_schema=False).drop(column)
    export.write_csv(tmp_path / "survey.csv")
    got = columnar.score_export(rubric, tmp_path / "survey.csv")
    assert_same_results(got, want)
    if column == "group":
        assert got.groups.height == 0 and got.gaps.height == 0
    else:
        assert set(got.questions.filter(pl.col("question_id") == column)["status"]) == {"missing"}


@pytest.mark.slow
def test_a_group_too_large_for_packed_counts_is_counted_again_with_wider_ones(tmp_path):
    """A question's counts travel in one 128-bit sum, 18 bits a slot for a five-level scale (7 slots: levels, N/A,
    other), so up to 262,143 answers per organisation and group. One organisation of 262,150 respondents needs
    more: 262,144 answers at level 2 would spill into level 3's slot and make the median 3. Worked by hand:
    262,144 at 2 and 6 at 5 (counted as 3, the evidence cap from 4) give a median of 2 and a mean of
    (2·262,144 + 3·6) / 262,150."""
    text = Path(RUBRIC.path or "").read_text(encoding="utf-8")
    rubric_path = tmp_path / "variant.yaml"
    rubric_path.write_text(text.replace("missing: error", "missing: count_as_lowest"), encoding="utf-8")
    rubric = load_rubric(rubric_path)
    question = "lead-executive-lead"
    assert rubric.question(question).evidence_from == 4
    levels = [2] * 2**18 + [5] * 6
    export = tmp_path / "survey.parquet"
    pl.DataFrame({"organisation_id": ["big"] * len(levels), question: pl.Series(levels, dtype=pl.Int8)}).write_parquet(
        export
    )
    scores = columnar.score_export(rubric, export)
    (row,) = scores.questions.filter(pl.col("question_id") == question).iter_rows(named=True)
    assert (row["status"], row["value"], row["level"]) == ("answered", 2.0, 2)
    # The export has no group column: its respondents form one group, "no group", of weight 1 (qi-readiness pools
    # by group), whose median is the question's value.
    assert scores[0].question(question).trace.arithmetic == (
        f"no group: median({2**18}×2, 6×3) = 2, weight 1; groups pooled: (1×2) / 1 = 2"
    )
    mean_text = text.replace("missing: error", "missing: count_as_lowest").replace(
        "aggregate: median", "aggregate: mean"
    )
    rubric_path.write_text(mean_text, encoding="utf-8")
    (row,) = (
        columnar.score_export(load_rubric(rubric_path), export)
        .questions.filter(pl.col("question_id") == question)
        .iter_rows(named=True)
    )
    assert row["value"] == (2 * 2**18 + 3 * 6) / (2**18 + 6)


@pytest.mark.parametrize("seed", range(40))
def test_the_kernel_aggregates_counts_as_the_plain_formulas_do_levels(seed):
    """The kernel both engines share, against the formulas it stands for, applied to the levels one by one:
    statistics.median, math.fsum / n, min, max, and the exact sample variance (a Fraction) rounded once."""
    rng = random.Random(seed)
    levels = [rng.choice([0, 1, 2, 3, 4, 5, 7]) for _ in range(rng.randint(1, 60))]
    counts = counts_of(levels)
    assert counts == sorted({level: levels.count(level) for level in levels}.items())
    assert respondent_value("median", counts) == float(statistics.median(levels))
    assert respondent_value("mean", counts) == math.fsum(levels) / len(levels)
    assert (respondent_value("min", counts), respondent_value("max", counts)) == (min(levels), max(levels))
    if len(levels) > 1:
        mean = Fraction(sum(levels), len(levels))
        exact = sum(((v - mean) ** 2 for v in levels), Fraction(0)) / (len(levels) - 1)
        assert sample_variance(counts) == float(exact)
    else:
        assert sample_variance(counts) is None


def test_variance_is_the_float_nearest_the_exact_variance_on_awkward_means():
    """The kernel rounds the exact variance once; worked for n = 3: levels 1, 2, 5 have mean 8/3 and squared
    deviations 25/9, 4/9, 49/9, summing to 78/9 = 26/3, so s^2 = (26/3) / 2 = 13/3 = 4.333..."""
    assert sample_variance(counts_of([1, 2, 5])) == 13 / 3
    for n in (3, 7, 11, 13, 49, 97, 1001):
        levels = [1] * (n // 3) + [2] * (n - n // 3 - 1) + [5]
        mean = Fraction(sum(levels), n)
        exact = sum(((v - mean) ** 2 for v in levels), Fraction(0)) / (n - 1)
        assert sample_variance(counts_of(levels)) == float(exact)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    points=st.sampled_from([3, 4, 5, 7, 10, 12]),
    groups=st.lists(st.lists(st.integers(0, 400), min_size=2, max_size=12), min_size=1, max_size=60),
)
def test_within_group_agreement_is_the_kernels_to_the_bit_on_any_scale(points, groups):
    """The export engine's r_wg, for all groups at once, against the kernel's one group at a time. On a 4-, 10- or
    12-point scale σ²_EU = (A² − 1) / 12 is not exact (1.25, 8.25, 11.9166...): Polars dividing by it as a
    constant (a multiplication by its reciprocal) was a last bit away on about one group in forty."""
    from types import SimpleNamespace

    from qimaturity.scoring.columnar_numbers import within_group_agreements

    scale = list(range(1, points + 1))
    variances, answered = [], []
    for counts in groups:
        pairs = list(zip(scale, counts[:points], strict=False))
        answered.append(sum(n for _, n in pairs))
        variances.append(sample_variance(pairs))
    rubric = SimpleNamespace(levels=scale, scoring=SimpleNamespace(agreement_min_respondents=3))
    pools = pl.DataFrame(
        {"answered": answered, "variance": variances}, schema={"answered": pl.Int64, "variance": pl.Float64}
    )
    got = within_group_agreements(rubric, pools)["agreement"].to_list()
    assert got == [agreement(v, points) if n >= 3 else None for v, n in zip(variances, answered, strict=True)]


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(
    weights=st.lists(st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0, 0.1, 1 / 3]), min_size=1, max_size=5),
    questions=st.lists(
        st.lists(
            st.tuples(
                st.integers(0, 5),
                st.one_of(st.integers(0, 20).map(lambda k: k / 2), st.fractions(0, 10, max_denominator=12).map(float)),
            ),
            min_size=1,
            max_size=6,
            unique_by=lambda pair: pair[0],
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_groups_pool_to_the_kernels_float_for_whole_sixteenths_and_other_values_alike(weights, questions):
    """pooling: groups in the export engine (Polars' exact sums in sixteenths where it can, the kernel where it
    cannot) against the kernel's Σ w·v / Σ w, exactly computed and rounded once, question by question. Values are
    medians (halves) or means (any fraction); weights are sixteenths or not (0.1, 1/3); a group index past the
    rubric's groups is the respondents with no group, of weight 1."""
    from types import SimpleNamespace

    from qimaturity.scoring.columnar_numbers import pooled_values

    rubric = SimpleNamespace(respondent_groups=[SimpleNamespace(weight=w) for w in weights])
    every = [*weights, 1.0]
    rows, wanted = [], []
    for q_index, groups in enumerate(questions):
        groups = sorted((index % len(every), value) for index, value in groups)
        groups = list({index: value for index, value in groups}.items())
        rows += [(0, q_index, index, value) for index, value in groups]
        wanted.append(pooled_value((value, every[index]) for index, value in groups))
    pools = pl.DataFrame(rows, schema=["__org", "question_index", "group_index", "value"], orient="row")
    statistics = pl.DataFrame(
        {"__org": [0] * len(questions), "question_index": list(range(len(questions))), "value": [-1.0] * len(questions)}
    )
    assert pooled_values(rubric, statistics, pools)["value"].to_list() == wanted


# --- problems --------------------------------------------------------------------------------------------------

HEADER = "organisation_id,group,lead-executive-lead,lead-role-modles,trn-qi-team,gov-board-agenda"


def test_problems_in_an_export_are_reported_with_row_column_and_message(tmp_path):
    export = tmp_path / "bad.csv"
    export.write_text(
        HEADER + "\n"
        "a,board,3,,NA,3\n"  # fine
        "a,board,9,,N/A,3\n"  # level 9: row 3, column 3
        "a,board,NA,,,2\n"  # N/A where not allowed: row 4, column 3
        "a,frontline,2,,,\n"  # lead-executive-lead is not asked of frontline: row 5, column 3
        "a,nurses,2,,,\n"  # unknown group: row 6, column 2
        "a,board,high,,,\n",  # not a level: row 7, column 3
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        columnar.score_export(RUBRIC, export)
    found = [(p.line, p.column, p.path, p.message, p.hint) for p in caught.value.problems]
    name = str(export)
    assert all(p.file == name for p in caught.value.problems)
    assert (1, 4, "/columns/lead-role-modles", "unknown question 'lead-role-modles'",
            "did you mean 'lead-role-models'?") in found  # fmt: skip
    assert (3, 3, "/rows/1/lead-executive-lead", "question 'lead-executive-lead': level 9 is not on the scale",
            "levels are 1, 2, 3, 4, 5") in found  # fmt: skip
    assert (4, 3, "/rows/2/lead-executive-lead", "question 'lead-executive-lead' cannot be answered N/A",
            "give a level, or leave it empty") in found  # fmt: skip
    assert (5, 3, "/rows/3/lead-executive-lead", "question 'lead-executive-lead' is not asked of the frontline group",
            "the rubric asks it of: board, managers") in found  # fmt: skip
    assert (6, 2, "/rows/4/group", "unknown respondent group 'nurses'",
            "groups: board, frontline, managers, patient-partners") in found  # fmt: skip
    assert (7, 3, "/rows/5/lead-executive-lead", "question 'lead-executive-lead': 'high' is not a level, N/A or empty",
            "levels are 1, 2, 3, 4, 5") in found  # fmt: skip
    # The rubric's missing policy is error: the questions without a column are refused too, in the header.
    absent = [q.id for q in QUESTIONS if q.id not in HEADER.split(",")]
    assert (1, None, "/columns", f"no column for 28 question(s) of the rubric, so no answer: {', '.join(absent)}",
            "add the columns: the rubric's missing policy is error") in found  # fmt: skip
    assert len(found) == 7
    # Problems come in file order: the header, then the rows.
    assert [p[:2] for p in found if p[0] != 1] == [(3, 3), (4, 3), (5, 3), (6, 2), (7, 3)]


def test_na_on_a_mandatory_item_of_the_stages_rubric_is_refused_at_its_cell(tmp_path):
    """qi-programme-stages allows no N/A on its three mandatory items (issue 12): the export names row and column;
    N/A on an optional item (agreed-method) is fine."""
    stages = load_rubric("qi-programme-stages")
    ids = [q.id for q in stages.questions()]
    export = tmp_path / "stages.csv"
    cells = {qid: "3" for qid in ids} | {"agreed-method": "NA", "patient-partners": "N/A"}
    export.write_text(
        "organisation_id," + ",".join(ids) + "\n" + "org-s," + ",".join(cells[q] for q in ids) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        columnar.score_export(stages, export)
    column = 2 + ids.index("patient-partners")
    assert [(p.file, p.line, p.column, p.path, p.message, p.hint) for p in caught.value.problems] == [
        (str(export), 2, column, "/rows/0/patient-partners", "question 'patient-partners' cannot be answered N/A",
         "give a level, or leave it empty"),
    ]  # fmt: skip


def test_an_organisation_with_an_unanswered_question_is_refused(csv_export, tmp_path):
    text = csv_export.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([text[0]]))
    column = header.index("trn-board-training")
    rows = [next(csv.reader([line])) for line in text[1:]]
    for row in rows:
        if row[0] == "org-004":
            row[column] = ""
    export = tmp_path / "unanswered.csv"
    with export.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    first_row = next(i for i, row in enumerate(rows) if row[0] == "org-004")
    with pytest.raises(InputError) as caught:
        columnar.score_export(RUBRIC, export)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.path, problem.message) == (
        first_row + 2,
        column + 1,
        "/organisations/org-004/trn-board-training",
        "organisation 'org-004': question 'trn-board-training' has no answer",
    )


def test_at_most_max_problems_then_a_count_of_the_rest(csv_export, tmp_path):
    text = csv_export.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([text[0]]))
    column = header.index("lead-role-models")
    rows = [next(csv.reader([line])) for line in text[1:]]
    for row in rows:
        row[column] = "7"
    export = tmp_path / "many.csv"
    with export.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    with pytest.raises(InputError) as caught:
        columnar.score_export(RUBRIC, export)
    problems = caught.value.problems
    assert len(rows) > MAX_PROBLEMS
    assert len(problems) == MAX_PROBLEMS + 1
    assert [p.line for p in problems[:MAX_PROBLEMS]] == list(range(2, MAX_PROBLEMS + 2))
    assert problems[-1].message == f"... and {len(rows) - MAX_PROBLEMS:,} more problems"


def test_an_export_with_a_header_and_no_rows_says_what_to_do(tmp_path):
    export = tmp_path / "survey.csv"
    export.write_text(HEADER + "\n", encoding="utf-8")
    result = run_main("score-export", str(QI_READINESS_1_1), str(export))
    assert result.returncode == 2
    assert "the export has no respondent rows" in result.stderr
    assert "one row per respondent" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_export_that_is_not_csv_or_parquet_is_refused(tmp_path):
    with pytest.raises(InputError, match="must be a .csv or .parquet file"):
        columnar.score_export(RUBRIC, tmp_path / "survey.xlsx")
    with pytest.raises(InputError, match="file not found"):
        columnar.score_export(RUBRIC, tmp_path / "absent.csv")


# --- command line ----------------------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_intervals_are_the_same_to_the_bit_whatever_the_number_of_threads(dataset, tmp_path):
    # The same export scored with Polars on 1 thread and on 8 writes the same bytes: a float sum of the respondents'
    # scores split in parts varied in its last digit with the threads (4,600 rows were enough, on 2 cores), which
    # once made CI's CSV differ from the same run's in-process one. The whole export 20 times over, so that each
    # organisation's rows are spread through the file.
    rows = export_rows(dataset)
    export = tmp_path / "survey.csv"
    with export.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "respondent": f"{row['respondent']}-{k}"} for k in range(20) for row in rows)
    written = []
    for threads in ("1", "8"):
        out = tmp_path / f"scores-{threads}.csv"
        args = ("score-export", str(QI_READINESS_1_1), str(export), "--intervals", "--format", "csv", "-o", str(out))
        done = run_cli(*args, env={"POLARS_MAX_THREADS": threads})
        assert done.returncode == 0, done.stderr
        written.append(out.read_bytes())
    assert written[0] == written[1]
    assert b"," in written[0] and len(written[0].splitlines()) > 1000


@pytest.mark.slow
@pytest.mark.parametrize("flags", [[], ["--intervals"]])
def test_score_export_writes_csv_rows_for_every_organisation(csv_export, row_results, tmp_path, flags):
    out = tmp_path / "scores.csv"
    result = run_main("score-export", str(QI_READINESS_1_1), str(csv_export), "--format", "csv", "-o", str(out), *flags)
    assert result.returncode == 0, result.stderr
    full = io.StringIO()
    write_csv(columnar.score_export(RUBRIC, csv_export, intervals=bool(flags)), full)
    wanted = full.getvalue() if flags else without_intervals(full.getvalue())
    assert out.read_text(encoding="utf-8") == wanted  # the tables' CSV is the full results' CSV
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert ("interval_low" in rows[0], "held_level" in rows[0]) == (bool(flags), True)
    scored = [r for r in rows if r["scope"] in ("overall", "domain", "question")]
    per_organisation = 1 + len(RUBRIC.domains) + len(QUESTIONS)
    assert len(scored) == ORGANISATIONS * per_organisation
    assert {r["scope"] for r in rows} >= {"group", "perception_gap"}  # each group's view and the gaps follow
    overall = {r["organisation_id"]: r for r in rows if r["scope"] == "overall"}
    for org, want in row_results.items():
        assert int(overall[org]["level"]) == want.overall.level
        # In full: the text reads back as the row engine's float (e.g. 2.751700680272109, not 2.7517).
        assert float(overall[org]["value"]) == want.overall.value


def test_score_export_to_a_file_counts_the_assessments_it_wrote(tmp_path):
    # Alder answered in 2025 and in 2026, Birch in 2026: two organisations, three assessments, three overall rows.
    export = tmp_path / "survey.csv"
    export.write_text(
        "organisation_id,organisation_name,date,respondent,group,lead-1,lead-2,meth-1\n"
        "RA1,Alder,2025-03-31,a1,board,2,2,2\n"
        "RA1,Alder,2026-03-31,a1,board,3,3,3\n"
        "RB2,Birch,2026-03-31,b1,board,1,1,1\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.csv"
    result = run_main("score-export", str(RUBRICS / "valid-minimal.yaml"), str(export), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert [r["organisation_id"] for r in csv.DictReader(out.open(encoding="utf-8")) if r["scope"] == "overall"] == [
        "RA1",
        "RA1",
        "RB2",
    ]
    assert result.stderr == f"{out}: 3 assessment(s)\n"  # was "3 organisation(s)", for two organisations


@pytest.mark.slow
def test_score_export_json_to_stdout_is_a_list_of_results(csv_export):
    result = run_main("score-export", str(QI_READINESS_1_1), str(csv_export), "--format", "json", "--target", "5")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data) == ORGANISATIONS
    assert {d["overall"]["target"] for d in data} == {5}
    schema = json.loads((ROOT / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema_rs.validator_for(schema)
    assert [e.message for d in data for e in validator.iter_errors(d)] == []
    # Traces only when asked for, as for score.
    assert not any("trace" in d["overall"] or "trace" in d["domains"][0] for d in data)
    traced = run_main("score-export", str(QI_READINESS_1_1), str(csv_export), "--format", "json", "--trace")
    full = json.loads(traced.stdout)
    assert all("trace" in d["overall"] for d in full)
    assert all("trace" in q for d in full for e in d["domains"] for q in e["questions"])
    assert [e.message for d in full for e in validator.iter_errors(d)] == []


def test_score_export_with_a_bad_export_exits_2_with_file_row_column_lines(tmp_path):
    export = tmp_path / "bad.csv"
    export.write_text(HEADER + "\na,board,9,,NA,3\n", encoding="utf-8")
    result = run_main("score-export", str(QI_READINESS_1_1), str(export))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    unknown = "/columns/lead-role-modles: unknown question 'lead-role-modles' (did you mean 'lead-role-models'?)"
    assert f"{export}:1:4: {unknown}" in lines
    assert any(
        line.startswith(f"{export}:2:3: /rows/0/lead-executive-lead: question 'lead-executive-lead': level 9")
        for line in lines
    )


@pytest.mark.subprocess
def test_score_export_without_polars_says_how_to_install_it(csv_export, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.mkdir()  # a module that fails to import as polars does when it is not installed
    (blocker / "polars.py").write_text("raise ModuleNotFoundError(\"No module named 'polars'\", name='polars')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")])))
    result = run_cli("score-export", str(QI_READINESS_1_1), str(csv_export))
    other = run_cli("rubrics", "--format", "json")
    assert result.returncode == 2
    assert "score-export needs the scale extra: pip install 'qimaturity[scale]'" in result.stderr
    assert other.returncode == 0  # everything else works without polars


@pytest.mark.subprocess
def test_importing_qimaturity_does_not_import_polars():
    code = "import sys, qimaturity, qimaturity.cli.main; print('polars' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# --- hostile CSV exports: refused before Polars reads them, with the file and the place -----------------------
def refused_by_score_export(export: Path, expected: str) -> None:
    result = run_main("score-export", str(QI_READINESS_1_1), str(export), "--format", "json")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def export_text(csv_export: Path) -> str:
    return csv_export.read_text(encoding="utf-8")


def test_score_export_refuses_a_header_wider_than_the_column_limit_before_polars_reads_it(csv_export, tmp_path):
    header, first = export_text(csv_export).splitlines()[:2]
    export = tmp_path / "wide.csv"
    extra = MAX_COLUMNS
    export.write_text(f"{header},{','.join(f'x{i}' for i in range(extra))}\n{first}{',' * extra}\n", encoding="utf-8")
    width = header.count(",") + 1 + extra
    refused_by_score_export(export, f"{export}:1: /rows/1: the header has {width:,} columns, over the limit of")


def test_score_export_refuses_a_quote_left_open_where_it_opened(csv_export, tmp_path):
    lines = export_text(csv_export).splitlines()
    organisation, rest = lines[3].split(",", 1)
    lines[3] = f'{organisation},"{rest}'
    export = tmp_path / "quote.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused_by_score_export(
        export,
        f"{export}:4:2: /rows/4/columns/2: a quoted cell that opens here holds line 5, which looks like a row: "
        "is its closing quote missing?",
    )
    lines[3] = f'{organisation},"{rest}'  # the rest of the file in the open cell, and none of it like a row
    lines[4:] = [line.replace(",", ";") for line in lines[4:6]]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused_by_score_export(export, f"{export}:4:2: /rows/4/columns/2: a quote opens a cell here and is never closed")


@pytest.mark.slow
def test_score_export_reads_quoted_names_with_commas_and_doubled_quotes(csv_export, tmp_path):
    lines = export_text(csv_export).splitlines()
    header = next(csv.reader([lines[0]]))
    rows = [next(csv.reader([line])) for line in lines[1:]]
    name = header.index("organisation_name")
    for row in rows:
        row[name] = f'St "Mary\'s", {row[name]}'
    export = tmp_path / "quoted.csv"
    with export.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    result = run_main("score-export", str(QI_READINESS_1_1), str(export), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["organisation"]["name"].startswith('St "Mary\'s", ')


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_score_export_refuses_utf8_mixed_with_windows_1252_at_the_first_bad_byte(csv_export, tmp_path, bom):
    raw = export_text(csv_export).replace("Organisation 1,", "Organisation Môn,", 1).encode("utf-8")
    raw = raw.replace(b"Organisation 2,", "Organisation Môn 2,".encode("cp1252"), 1)
    export = tmp_path / "mixed.csv"
    export.write_bytes(bom + raw)
    at = raw.index("Môn 2".encode("cp1252"))
    line = raw[:at].count(b"\n") + 1
    column = len(raw[raw.rfind(b"\n", 0, at) + 1 : at].decode()) + 2
    refused_by_score_export(export, f"{export}:{line}:{column}: /: the file mixes UTF-8 with another encoding")


def test_score_export_refuses_windows_1252_text(csv_export, tmp_path):
    export = tmp_path / "cp1252.csv"
    export.write_bytes(export_text(csv_export).replace("Organisation 1,", "Organisation Môn,").encode("cp1252"))
    refused_by_score_export(export, "the file is not UTF-8 text (byte 0xf4); it may be Windows-1252")


def test_score_export_refuses_a_nul_byte_at_its_line(csv_export, tmp_path):
    text = export_text(csv_export)
    at = text.index("Organisation 1,")
    export = tmp_path / "nul.csv"
    export.write_bytes((text[:at] + "\x00" + text[at:]).encode("utf-8"))
    line = text[:at].count("\n") + 1
    column = at - text.rfind("\n", 0, at)
    refused_by_score_export(export, f"{export}:{line}:{column}: /: a NUL byte (0x00)")
