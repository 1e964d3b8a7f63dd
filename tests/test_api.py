"""The public Python API (`import qimaturity`) as a notebook user calls it, checked against the command line's output
for the same input: the same numbers, and the same bytes wherever the output is deterministic."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import qimaturity
from qimaturity.cli.main import main

from .conftest import DATA, EXAMPLES_1_1, QI_READINESS_1_1, ROOT

EXAMPLES = EXAMPLES_1_1
RIVERSIDE = EXAMPLES / "riverside-community.yaml"
COHORT = ROOT / "examples" / "cohort"
"""The example cohort, on qi-readiness 2.0.0 (read with the ``current`` fixture)."""
MINI = DATA / "rubrics" / "valid-minimal.yaml"
REPORT_DATE = "2026-10-01"


@pytest.fixture(autouse=True)
def no_source_date(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def cli(capsys):
    """The real entry point in this process: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture(scope="module")
def current():
    """The bundled qi-readiness (2.0.0), for the example cohort."""
    return qimaturity.load_rubric("qi-readiness")


@pytest.fixture(scope="module")
def rubric():
    return qimaturity.load_rubric(QI_READINESS_1_1)


# --- what `import qimaturity` offers ------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_importing_qimaturity_loads_no_heavy_library():
    code = (
        "import sys, qimaturity\n"
        "heavy = ('weasyprint', 'polars', 'openpyxl', 'jinja2', 'fhir', 'click', 'rich')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
        "qimaturity.report, qimaturity.compare, qimaturity.import_answers, qimaturity.run_batch\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    # Nothing heavy on import; reaching the functions (without calling them) loads none either.
    assert found.stdout.splitlines() == ["[]", "[]"]


def test_every_public_name_is_there_with_a_docstring():
    for name in qimaturity.__all__:
        value = getattr(qimaturity, name)
        if callable(value) and name != "__version__":
            assert (value.__doc__ or "").strip(), name
    assert set(qimaturity.__all__) <= set(dir(qimaturity))
    with pytest.raises(AttributeError, match="no attribute 'scroe'"):
        qimaturity.scroe  # noqa: B018


def test_the_report_package_is_the_report_function_and_still_a_package():
    import qimaturity.report.render as render

    assert callable(qimaturity.report)
    assert qimaturity.report.render is render


# --- rubrics, answers, scores, explanations ---------------------------------------------------------------------


@pytest.mark.slow
def test_load_and_validate_rubric_match_validate_json(cli):
    bad = DATA / "rubrics" / "invalid" / "bad-id.yaml"
    code, out, _ = cli("validate", "qi-readiness", bad, "--format", "json")
    assert code == 2
    good, broken = json.loads(out)["rubrics"]
    rubric = qimaturity.load_rubric("qi-readiness")
    assert (rubric.id, rubric.version, rubric.content_hash) == (good["id"], good["version"], good["content_hash"])
    assert qimaturity.validate_rubric("qi-readiness") == []
    assert [p.to_dict() for p in qimaturity.validate_rubric(bad)] == broken["problems"]


@pytest.mark.slow
def test_score_of_every_example_matches_score_json(cli, rubric):
    code, out, _ = cli("score", QI_READINESS_1_1, EXAMPLES, "--format", "json")
    assert code == 0
    results = [qimaturity.score(rubric, qimaturity.load_assessment(p, rubric)) for p in sorted(EXAMPLES.iterdir())]
    assert [r.to_dict(trace=False) for r in results] == json.loads(out)


def test_targets_and_what_if_match_the_command_line(cli, rubric):
    code, out, _ = cli(
        "score", QI_READINESS_1_1, RIVERSIDE, "--target", "4", "--target", "leadership=5", "--what-if",
        "gov-board-agenda=4", "--format", "json",
    )  # fmt: skip
    assert code == 0
    result = qimaturity.score(
        rubric,
        qimaturity.load_assessment(RIVERSIDE, rubric),
        targets={"leadership": 5},
        default_target=4,
        what_if={"gov-board-agenda": 4},
    )
    assert result.to_dict(trace=False) == json.loads(out)
    assert result.domain("leadership").target == 5 and result.overall.target == 4


def test_explain_matches_the_command_line(cli, rubric):
    result = qimaturity.score(rubric, qimaturity.load_assessment(RIVERSIDE, rubric))
    code, out, _ = cli("explain", QI_READINESS_1_1, RIVERSIDE, "--question", "lead-role-models")
    assert code == 0
    assert qimaturity.explain(result, question_id="lead-role-models") == out


# --- answers given as a mapping -----------------------------------------------------------------------------------


def test_an_answers_mapping_gives_the_same_assessment_as_its_file(rubric):
    document = yaml.safe_load(RIVERSIDE.read_text(encoding="utf-8"))
    document["date"] = datetime.date(2026, 9, 30)  # a date, as YAML gives for an unquoted one: read as its text
    from_mapping = qimaturity.load_assessment(document, rubric)
    from_file = qimaturity.load_assessment(RIVERSIDE, rubric)
    assert from_mapping.source == "<answers>"
    assert dataclasses.replace(from_mapping, source=from_file.source) == from_file


def test_a_hand_built_mapping_is_scored_by_hand():
    mini = qimaturity.load_rubric(MINI)
    answers = {
        "rubric": {"id": "mini", "version": "1.0"},
        "organisation": {"id": "org-m", "name": "Mapping Trust"},
        "answers": {"lead-1": 2, "lead-2": 2, "meth-1": 3},
    }
    result = qimaturity.score(mini, qimaturity.load_assessment(answers, mini))
    # lead: mean of 2 and 2 = 2; meth: 3; overall weighted by domain (lead 2, meth 1): (2*2 + 3*1) / 3 = 7/3.
    assert result.domain("lead").value == 2
    assert result.domain("meth").value == 3
    assert result.overall.value == pytest.approx(7 / 3)


def test_a_mapping_is_checked_like_a_file_with_json_paths_and_no_line():
    mini = qimaturity.load_rubric(MINI)
    answers = {
        "rubric": {"id": "mini", "version": "1.0"},
        "organisation": {"id": "org-m", "name": "Mapping\x00Trust", "metadata": {"beds": float("nan"), 7: "x"}},
        "respondents": [{"id": "b1", "group": "board", "answers": {"lead-1": 9, "lead-22": 2, "meth-1": 2}}],
    }
    with pytest.raises(qimaturity.InputError) as refused:
        qimaturity.load_assessment(answers, mini)
    # Values no file could hold stop the reading first, all of them at once.
    assert [(p.file, p.line, p.path) for p in refused.value.problems] == [
        ("<answers>", None, "/organisation/metadata/7"),
        ("<answers>", None, "/organisation/metadata/beds"),
        ("<answers>", None, "/organisation/name"),
    ]
    del answers["organisation"]["metadata"]
    answers["organisation"]["name"] = "Mapping Trust"
    with pytest.raises(qimaturity.InputError) as refused:
        qimaturity.load_assessment(answers, mini, display="form 12")
    assert [(p.file, p.line, p.path, p.message) for p in refused.value.problems] == [
        ("form 12", None, "/respondents", "question 'lead-2' has no answer"),  # the rubric's missing: error
        ("form 12", None, "/respondents/0/answers/lead-1", "question 'lead-1': level 9 is not on the scale"),
        ("form 12", None, "/respondents/0/answers/lead-22", "unknown question 'lead-22'"),
    ]
    with pytest.raises(qimaturity.InputError, match="a value of type set is not plain data"):
        qimaturity.load_assessment({**answers, "assessor": {"a", "b"}}, mini)


# --- cohorts, reports, imports, exports, batches ------------------------------------------------------------------


@pytest.mark.slow
def test_compare_matches_compare_csv(cli, current, tmp_path):
    out = tmp_path / "cohort.csv"
    code, _, _ = cli("compare", "qi-readiness", COHORT, "--group-by", "type", "-o", out)
    assert code == 0
    cohort = qimaturity.compare(current, COHORT, group_by="type")
    # 30 files of 24 organisations: six of them (org-00001 to org-00006) were assessed in 2025 and in 2026.
    assert len(cohort.members) == 24 and len(cohort.trends) == 6 and cohort.assessment_count == 30
    from qimaturity.report.build import cohort_document

    assert cohort_document(cohort, current, "csv") == out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    leadership = next(r for r in rows if r["group"] == "All organisations" and r["id"] == "leadership")
    assert leadership["organisations"] == "24"
    assert float(leadership["median"]) == pytest.approx(cohort.everyone.domain("leadership").median, abs=5e-5)


@pytest.mark.slow
def test_compare_takes_results_as_well_as_files(current):
    results = [qimaturity.score(current, qimaturity.load_assessment(p, current)) for p in sorted(COHORT.iterdir())]
    given, read = qimaturity.compare(current, results), qimaturity.compare(current, COHORT)
    # The same comparison; the results given are kept as they are, those read from files slim (Result.slim).
    assert dataclasses.replace(given, results=()) == dataclasses.replace(read, results=())
    assert given.results == tuple(results) and read.results == tuple(r.slim() for r in results)
    files = sorted(COHORT.iterdir())
    mixed = qimaturity.compare(current, [*files[:15], *results[15:]])
    assert dataclasses.replace(mixed, results=()) == dataclasses.replace(read, results=())


@pytest.mark.slow
def test_a_bad_file_in_a_cohort_raises_with_its_place(current):
    with pytest.raises(qimaturity.InputError) as refused:
        qimaturity.compare(current, [COHORT, DATA / "answers" / "mini-two-groups.yaml"])
    assert refused.value.problems[0].path == "/rubric/id"


@pytest.mark.slow
def test_report_html_is_the_command_lines_bytes(cli, rubric, tmp_path):
    out = tmp_path / "riverside.html"
    code, stdout, _ = cli("report", QI_READINESS_1_1, RIVERSIDE, "-o", out, "--report-date", REPORT_DATE)
    assert code == 0 and stdout.strip() == str(out)
    html = qimaturity.report(rubric, RIVERSIDE, format="html", report_date=REPORT_DATE)
    assert html == out.read_bytes()
    # A path is written (atomically) and returned; a date object is the same date.
    written = qimaturity.report(
        QI_READINESS_1_1, RIVERSIDE, tmp_path / "api.html", report_date=datetime.date(2026, 10, 1)
    )
    assert written == tmp_path / "api.html" and written.read_bytes() == html
    # The answers as a dict, an Assessment or a Result make the same report.
    document = yaml.safe_load(RIVERSIDE.read_text(encoding="utf-8"))
    assessment = qimaturity.load_assessment(RIVERSIDE, rubric)
    for answers in (document, assessment, qimaturity.score(rubric, assessment)):
        assert qimaturity.report(rubric, answers, format="html", report_date=REPORT_DATE) == html


@pytest.mark.slow
def test_report_with_peers_and_history_is_the_command_lines_bytes(cli, current, tmp_path):
    answers = COHORT / "org-00001-2026.yaml"
    history = COHORT / "org-00001-2025.yaml"
    out = tmp_path / "org-00001.html"
    code, _, _ = cli(
        "report", "qi-readiness", answers, "-o", out, "--report-date", REPORT_DATE, "--cohort", COHORT,
        "--group-by", "type", "--history", history, "--target", "4", "--what-if", "gov-board-time=4",
    )  # fmt: skip
    assert code == 0
    html = qimaturity.report(
        current,
        answers,
        format="html",
        report_date=REPORT_DATE,
        cohort=COHORT,
        group_by="type",
        history=[history],
        default_target=4,
        what_if={"gov-board-time": 4},
    )
    assert html == out.read_bytes()
    assert b"since last time" in html.lower() and b"peers" in html


# A PDF through the API is the console script's bytes: test_pdf_is_identical_when_the_date_is_fixed in
# tests/test_reports.py (riverside's report rendered once each way and shared by that file's PDF tests).


@pytest.mark.slow
def test_a_cohort_report_is_compare_htmls_bytes(cli, current, tmp_path):
    out = tmp_path / "cohort.html"
    assert cli("compare", "qi-readiness", COHORT, "-o", out, "--report-date", REPORT_DATE)[0] == 0
    cohort = qimaturity.compare(current, COHORT)
    assert qimaturity.report(current, cohort, format="html", report_date=REPORT_DATE) == out.read_bytes()
    with pytest.raises(qimaturity.OptionError, match="a cohort report takes no what_if"):
        qimaturity.report(current, cohort, what_if={"gov-board-time": 4})


def test_report_options_it_cannot_use_are_option_errors(rubric, tmp_path):
    with pytest.raises(qimaturity.OptionError, match=r"the output must end in \.pdf or \.html") as wrong:
        qimaturity.report(rubric, RIVERSIDE, tmp_path / "report.docx")
    assert wrong.value.option == "-o/--output"
    with pytest.raises(qimaturity.OptionError, match=r"report\.pdf is not a \.html file"):
        qimaturity.report(rubric, RIVERSIDE, tmp_path / "report.pdf", format="html")
    with pytest.raises(qimaturity.OptionError, match="the format must be one of pdf, html, not 'docx'"):
        qimaturity.report(rubric, RIVERSIDE, format="docx")
    with pytest.raises(qimaturity.OptionError, match="no such folder: nowhere"):
        qimaturity.report(rubric, RIVERSIDE, format="html", templates="nowhere")
    with pytest.raises(qimaturity.OptionError, match="'2026-13-01' is not a date"):
        qimaturity.report(rubric, RIVERSIDE, format="html", report_date="2026-13-01")
    assert not list(tmp_path.iterdir())


def test_import_answers_gives_the_documents_import_writes(cli, rubric, tmp_path):
    export = DATA / "imports" / "redcap-raw.csv"
    mapping = DATA / "imports" / "redcap-raw.yaml"
    code, out, _ = cli("import", QI_READINESS_1_1, export, "--mapping", mapping, "-o", tmp_path / "answers")
    assert code == 0
    written = [yaml.safe_load(Path(line).read_text(encoding="utf-8")) for line in out.split()]
    documents = qimaturity.import_answers(export, rubric, mapping=mapping)
    assert documents == written
    # The fixture's two organisations: RBA's respondents all answer 3, RCD's all answer 2 (tests/data/imports).
    levels = {qimaturity.score(rubric, qimaturity.load_assessment(d, rubric)).overall.level for d in documents}
    assert levels == {3, 2}


@pytest.mark.slow
def test_score_export_matches_score_export_json(cli, tmp_path):
    pytest.importorskip("polars")
    # plain-bom.csv made fit for the columnar engine: one date per organisation, no comment columns, "3" for "3.0".
    rows = list(csv.reader((DATA / "imports" / "plain-bom.csv").read_text(encoding="utf-8-sig").splitlines()))
    keep = [i for i, name in enumerate(rows[0]) if " " not in name and "_justification" not in name]
    date = rows[0].index("date")
    fixed = [rows[0]] + [
        [("2026-09-30" if i == date else "3" if c == "3.0" else c) for i, c in enumerate(r)] for r in rows[1:]
    ]
    export = tmp_path / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([[row[i] for i in keep] for row in fixed])
    code, out, err = cli("score-export", QI_READINESS_1_1, export, "--format", "json", "--target", "4")
    assert code == 0, err
    scores = qimaturity.score_export(QI_READINESS_1_1, export, default_target=4)
    assert [r.to_dict(trace=False) for r in scores] == json.loads(out)
    # Every respondent of ynys-mon answers 3 and every one of harbour 2 (tests/data/imports/README.md).
    assert {r.organisation.id: r.overall.value for r in scores} == {"ynys-mon": 3, "harbour": 2}


@pytest.mark.slow
def test_run_batch_writes_what_batch_writes(cli, tmp_path):
    by_cli = tmp_path / "cli"
    code, _, err = cli(
        "batch", QI_READINESS_1_1, EXAMPLES, "-o", by_cli, "--formats", "json,html", "--report-date", REPORT_DATE,
        "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    summary = qimaturity.run_batch(
        QI_READINESS_1_1, EXAMPLES, tmp_path / "api", formats="json,html", report_date=REPORT_DATE, workers=1
    )
    assert summary.exit_code == 0 and len(summary.written) == 6
    names = sorted(p.name for p in by_cli.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "api").iterdir())
    for name in names:
        if name != ".qimaturity-batch.json":
            assert (tmp_path / "api" / name).read_bytes() == (by_cli / name).read_bytes(), name


@pytest.mark.slow
def test_a_rubric_given_as_a_mapping_is_checked_as_its_file_is():
    import yaml

    data = yaml.safe_load((ROOT / "rubrics" / "qi-readiness.yaml").read_text(encoding="utf-8"))
    from_dict = qimaturity.load_rubric(data)
    assert from_dict.content_hash == qimaturity.load_rubric("qi-readiness").content_hash
    assert [d.id for d in from_dict.domains] == [d.id for d in qimaturity.load_rubric("qi-readiness").domains]
    data["domains"][0]["questions"][0]["weight"] = -1
    del data["levels"][4]["name"]
    with pytest.raises(qimaturity.InputError) as caught:
        qimaturity.load_rubric(data)
    found = {(p.file, p.line, p.path) for p in caught.value.problems}
    assert ("<rubric>", None, "/domains/0/questions/0/weight") in found
    assert ("<rubric>", None, "/levels/4") in found or ("<rubric>", None, "/levels/4/name") in found
