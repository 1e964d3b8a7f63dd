"""Importing a national export organisation by organisation: rejects, --strict, --missing, assessment dates,
duplicate submissions, organisation metadata and peer groups by it.

The fixture tests/data/imports/regulator.csv answers the minimal rubric (tests/data/rubrics/valid-minimal.yaml:
levels 1-3; lead-1 and lead-2 in Leadership, weight 2, lead-1 needing evidence from level 3; meth-1 in Method,
weight 1; median of respondents; weighted means) for three organisations, all dated 2026-03-31:

- RA1 Alder (staff 4200): a1 board 2, 2, 2 and a2 staff 2, 3, 2. lead-1 median 2, lead-2 median of 2 and 3 = 2.5,
  Leadership (2 + 2.5) / 2 = 2.25, Method 2, overall (2 x 2.25 + 1 x 2) / 3 = 2.1667.
- RB2 Birch (staff 900): b1 board 1, 1, 1: everything 1.
- RC3 Cedar (staff 4200): c1 board 2, 2 and c2 staff 3, 2, and no one answers meth-1 (rows 5 and 6). c2's lead-1 at
  3 cites no evidence, so it counts at 2: lead-1 2, lead-2 2, Leadership 2. The rubric's missing policy is error,
  so Cedar is refused unless --missing says otherwise.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

from qimaturity import load_rubric, score
from qimaturity._core.documents import SourceDocument
from qimaturity.answers.exports import REJECTED_COLUMN, import_answers, load_mapping
from qimaturity.answers.files import assessment_from_document
from qimaturity.scoring.columnar import score_export

from .conftest import DATA, RUBRICS, run_main

MINI = RUBRICS / "valid-minimal.yaml"
EXPORT = DATA / "imports" / "regulator.csv"
MAPPING = DATA / "imports" / "regulator.yaml"


def imported(tmp_path: Path, *options: str, export: Path = EXPORT, mapping: Path | None = MAPPING):
    extra = ["--mapping", str(mapping)] if mapping is not None else []
    return run_main("import", str(MINI), str(export), *extra, "-o", str(tmp_path / "answers"), *options)


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_one_bad_organisation_is_rejected_with_its_rows_and_the_others_are_written(tmp_path):
    result = imported(tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        str(tmp_path / "answers" / "RA1.yaml"),
        str(tmp_path / "answers" / "RB2.yaml"),
    ]
    # At Cedar's first row, in meth-1's column (11).
    assert (
        f"{EXPORT}:5:11: /rows/5/columns/11: organisation 'RC3': question 'meth-1' has no answer (answer it, or N/A "
        "where the rubric allows it)"
    ) in result.stderr
    assert "1 organisation(s) not imported (RC3); 2 answers file(s) written" in result.stderr
    assert str(tmp_path / "answers.rejects.csv") in result.stderr
    assert "Traceback" not in result.stderr
    # The rejects file: the export's header and Cedar's two rows as they were, and why, beside the answers folder.
    original = read_csv(EXPORT)
    reason = "organisation 'RC3': question 'meth-1' has no answer"
    assert read_csv(tmp_path / "answers.rejects.csv") == [
        [*original[0], REJECTED_COLUMN],
        [*original[4], reason],
        [*original[5], reason],
    ]
    assert (tmp_path / "answers.rejects.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8


def test_rows_with_a_bad_cell_are_rejected_by_the_columnar_importer_too_and_go_where_rejects_says(tmp_path):
    rows = read_csv(EXPORT)
    export = tmp_path / "national.csv"
    keep = [i for i, name in enumerate(rows[0]) if name != "Staff headcount"]  # the common shape: no mapping
    table = [[row[i] for i in keep] for row in rows]
    table[3][-2] = "Very good"  # Birch's lead-2 (row 4)
    table[5][-1] = table[4][-1] = "2"  # Cedar answers meth-1
    export.write_text("\n".join(",".join(r) for r in table) + "\n", encoding="utf-8")
    result = imported(tmp_path, "--rejects", str(tmp_path / "back" / "to-birch.csv"), export=export, mapping=None)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        str(tmp_path / "answers" / "RA1.yaml"),
        str(tmp_path / "answers" / "RC3.yaml"),
    ]
    assert f"{export}:4:9: /rows/4/columns/9: 'Very good' is not an answer to question 'lead-2'" in result.stderr
    rejected = read_csv(tmp_path / "back" / "to-birch.csv")
    assert [row[0] for row in rejected] == ["organisation_id", "RB2"]
    assert rejected[1][-1].startswith("'Very good' is not an answer to question 'lead-2' (expected a level")
    assert not (tmp_path / "answers.rejects.csv").exists()


def test_a_corrected_rejects_file_imports_as_it_is(tmp_path):
    imported(tmp_path)
    rows = read_csv(tmp_path / "answers.rejects.csv")
    for row in rows[1:]:
        row[rows[0].index("meth-1")] = "2"
    corrected = tmp_path / "cedar.csv"
    corrected.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    result = run_main("import", str(MINI), str(corrected), "--mapping", str(MAPPING), "-o", str(tmp_path / "c.yaml"))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((tmp_path / "c.yaml").read_text())["organisation"]["id"] == "RC3"


def test_strict_writes_nothing_when_one_organisation_has_a_problem(tmp_path):
    result = imported(tmp_path, "--strict")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "organisation 'RC3': question 'meth-1' has no answer" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_exclude_imports_every_organisation_and_scoring_leaves_the_question_out(tmp_path):
    result = imported(tmp_path, "--missing", "exclude")
    assert result.returncode == 0, result.stderr
    cedar = tmp_path / "answers" / "RC3.yaml"
    assert yaml.safe_load(cedar.read_text())["missing"] == "exclude"  # recorded, so that scoring applies it
    scored = run_main("score", str(MINI), str(cedar), "--format", "json", "--trace")
    assert scored.returncode == 0, scored.stderr
    overall = json.loads(scored.stdout)
    overall = overall[0] if isinstance(overall, list) else overall
    # Leadership 2 (see the module); Method left out, so the overall is Leadership's: 2.
    assert overall["overall"]["value"] == 2
    meth = next(q for d in overall["domains"] for q in d["questions"] if q["id"] == "meth-1")
    assert meth["status"] == "missing" and meth["value"] is None
    assert meth["trace"]["adjustments"][0]["rule"] == "answers.missing"


def test_missing_count_as_lowest_counts_the_unanswered_question_at_the_lowest_level():
    documents = import_answers(EXPORT, load_rubric(MINI), mapping=load_mapping(MAPPING), missing="count_as_lowest")
    cedar = next(d for d in documents if d["organisation"]["id"] == "RC3")
    assert cedar["missing"] == "count_as_lowest"
    assessment = assessment_from_document(SourceDocument("cedar", cedar))
    result = score(load_rubric(MINI), assessment)
    # Leadership 2, weight 2; Method counted at level 1, weight 1: (2 x 2 + 1 x 1) / 3 = 1.6667.
    assert abs(result.overall.value - 5 / 3) < 1e-12


def test_import_and_score_export_see_the_same_assessments_in_one_export(tmp_path):
    # RA1 answered twice, a year apart; with a date column, rows of different dates are different assessments.
    export = tmp_path / "years.csv"
    export.write_text(
        "organisation_id,organisation_name,date,respondent,group,lead-1,lead-2,meth-1\n"
        "RA1,Alder,2025-03-31,a1,board,1,1,1\n"
        "RA1,Alder,2025-03-31,a2,staff,1,2,1\n"
        "RB2,Birch,2025-03-31,b1,board,2,2,2\n"
        "RA1,Alder,2026-03-31,a1,board,2,2,2\n"
        "RA1,Alder,2026-03-31,a2,staff,2,3,2\n",
        encoding="utf-8",
    )
    rubric = load_rubric(MINI)
    documents = import_answers(export, rubric)
    imported_ids = sorted((d["organisation"]["id"], d["date"]) for d in documents)
    scores = score_export(rubric, export)
    exported = sorted((r.organisation.id, r.date) for r in scores)
    assert imported_ids == exported == [("RA1", "2025-03-31"), ("RA1", "2026-03-31"), ("RB2", "2025-03-31")]
    # RA1 2025: lead-1 1, lead-2 median(1, 2) 1.5, Leadership 1.25, Method 1: (2 x 1.25 + 1) / 3 = 1.1667;
    # RA1 2026: 2.1667 (as in the module); RB2: 2.
    values = {(r.organisation.id, r.date): r.overall.value for r in scores}
    assert values == {("RA1", "2025-03-31"): 3.5 / 3, ("RA1", "2026-03-31"): 6.5 / 3, ("RB2", "2025-03-31"): 2}
    result = run_main("import", str(MINI), str(export), "-o", str(tmp_path / "answers"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "answers").iterdir()) == [
        "RA1-2025-03-31.yaml",
        "RA1-2026-03-31.yaml",
        "RB2.yaml",
    ]
    assert "note: organisation 'RA1' has 2 assessments, one per date (2025-03-31, 2026-03-31)" in result.stderr


def test_response_times_date_one_assessment_by_the_latest(tmp_path):
    export = tmp_path / "times.csv"
    export.write_text(
        "organisation_id,Answered on,group,lead-1,lead-2,meth-1\n"
        "RA1,2026-03-02,board,2,2,2\n"
        "RA1,2026-03-09,staff,2,3,2\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text('date: {column: "Answered on", kind: response}\n', encoding="utf-8")
    (document,) = import_answers(export, load_rubric(MINI), mapping=load_mapping(mapping))
    assert document["date"] == "2026-03-09"
    assert len(document["respondents"]) == 2


def test_a_duplicate_submission_is_reported_and_its_organisation_rejected(tmp_path):
    rows = read_csv(EXPORT)
    rows.insert(3, rows[1])  # Alder's a1 sent twice: row 4 repeats row 2
    for row in rows[5:]:
        row[rows[0].index("meth-1")] = "2"
    export = tmp_path / "twice.csv"
    export.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    result = imported(tmp_path, export=export)
    assert result.returncode == 2
    column = rows[0].index("respondent") + 1
    assert (
        f"{export}:4:{column}: /rows/4/columns/{column}: duplicate submission: respondent 'a1' of organisation 'RA1' "
        "on 2026-03-31 is in row 2 and again here (remove one of the two rows, or give each respondent an id of "
        "their own)"
    ) in result.stderr
    assert [Path(p).name for p in result.stdout.splitlines()] == ["RB2.yaml", "RC3.yaml"]
    assert [row[0] for row in read_csv(tmp_path / "answers.rejects.csv")[1:]] == ["RA1", "RA1", "RA1"]


def test_metadata_columns_arrive_and_compare_groups_by_them(tmp_path):
    assert imported(tmp_path, "--missing", "exclude").returncode == 0
    alder = yaml.safe_load((tmp_path / "answers" / "RA1.yaml").read_text())
    assert alder["organisation"] == {
        "id": "RA1",
        "name": "Alder",
        "type": "acute",
        "region": "North",
        "metadata": {"staff": "4200"},
    }
    out = tmp_path / "cohort.csv"
    result = run_main(
        "compare",
        str(MINI),
        str(tmp_path / "answers"),
        "--group-by",
        "metadata.staff",
        "--min-cohort",
        "1",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    overall = {
        (r["group"], r["organisations"]): float(r["median"])
        for r in csv.DictReader(out.open())
        if r["scope"] == "overall"
    }
    # 4200: Alder 2.1667 and Cedar 2 (Method left out), median 2.0833; 900: Birch 1.
    assert overall.keys() == {("All organisations", "3"), ("4200", "2"), ("900", "1")}
    assert abs(overall[("4200", "2")] - (6.5 / 3 + 2) / 2) < 1e-12
    assert overall[("900", "1")] == 1


def test_group_by_a_field_no_organisation_gives_exits_2_naming_the_fields_they_give(tmp_path):
    assert imported(tmp_path, "--missing", "exclude").returncode == 0
    result = run_main("compare", str(MINI), str(tmp_path / "answers"), "--group-by", "metadata.nope")
    assert result.returncode == 2
    assert "no organisation has 'metadata.nope'" in result.stderr
    assert "the fields the organisations give: type, region, metadata.staff" in result.stderr
    assert "Traceback" not in result.stderr


def test_mapping_metadata_and_date_kind_are_checked_at_their_line(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text('date: {column: date, kind: submitted}\nmetadata:\n  "staff count": "Staff headcount"\n')
    result = run_main("import", str(MINI), str(EXPORT), "--mapping", str(mapping), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert f"{mapping}:1:" in result.stderr and "unknown date kind 'submitted'" in result.stderr
    assert f"{mapping}:3:3: /metadata/staff count: 'staff count' is not a metadata key" in result.stderr
    assert not (tmp_path / "out").exists()


def test_both_importers_write_the_missing_policy_alike_and_the_api_names_the_rejected_rows(tmp_path):
    from qimaturity.answers.columnar import columnar_answers
    from qimaturity.answers.exports import dump_answers, import_export

    rows = read_csv(EXPORT)
    export = tmp_path / "national.csv"  # the common shape (no metadata column): the columnar importer reads it
    export.write_text("\n".join(",".join(r[:4] + r[5:]) for r in rows) + "\n", encoding="utf-8")
    rubric = load_rubric(MINI)
    found = columnar_answers(export, rubric, None, source=export.name, missing="exclude")
    assert isinstance(found, tuple)
    ids, texts = found
    documents = import_answers(export, rubric, missing="exclude")
    assert list(texts) == [dump_answers(d, source=export.name) for d in documents]
    assert ids == ["RA1", "RB2", "RC3"] and all(d["missing"] == "exclude" for d in documents)
    outcome = import_export(export, rubric)
    assert [d["organisation"]["id"] for d in outcome.documents] == ["RA1", "RB2"]
    (cedar,) = outcome.rejected
    assert (cedar.organisation, cedar.rows) == ("RC3", (5, 6))
    assert [p.message for p in cedar.problems] == ["organisation 'RC3': question 'meth-1' has no answer"]


def test_the_columnar_importer_writes_the_good_organisations_of_an_export_with_problems_as_the_row_importer_does(
    tmp_path,
):
    from qimaturity.answers.columnar import Split, columnar_answers
    from qimaturity.answers.exports import dump_answers, import_export

    rows = read_csv(EXPORT)
    table = [r[:4] + r[5:] for r in rows]  # the common shape, read by the columnar importer
    table[3][-2] = "Very good"  # Birch's lead-2
    table.append(["", "", "", "", "2026-03-31", "x1", "board", "2", "2", "2"])  # a row that names no organisation
    export = tmp_path / "national.csv"
    export.write_text("\n".join(",".join(r) for r in table) + "\n", encoding="utf-8")
    rubric = load_rubric(MINI)
    split = columnar_answers(export, rubric, None, source=export.name, partial=True)
    assert isinstance(split, Split)
    # Alder is written by the columnar importer; the row importer reads Birch's row, Cedar's rows and the last one.
    assert split.ids == ["RA1"] and split.rows == {2, 3, 4, 5}
    result = run_main("import", str(MINI), str(export), "-o", str(tmp_path / "answers"))
    assert result.returncode == 2
    assert "2 organisation(s) not imported (RB2, RC3); 1 row(s) naming no organisation not imported" in result.stderr
    whole = import_export(export, rubric)  # the whole export read row by row
    assert [d["organisation"]["id"] for d in whole.documents] == ["RA1"]
    assert (tmp_path / "answers" / "RA1.yaml").read_text() == dump_answers(whole.documents[0], source=export.name)
    rejected = read_csv(tmp_path / "answers.rejects.csv")
    assert [r[0] for r in rejected[1:]] == ["RB2", "RC3", "RC3", ""]
    assert rejected[-1][-1] == "no organisation id in this row (fill it in: each row belongs to one organisation)"


def test_missing_is_for_exports_and_the_python_api_takes_it_too(tmp_path):
    import qimaturity

    documents = qimaturity.import_answers(EXPORT, MINI, mapping=MAPPING, missing="exclude")
    assert [(d["organisation"]["id"], d["missing"]) for d in documents] == [
        ("RA1", "exclude"),
        ("RB2", "exclude"),
        ("RC3", "exclude"),
    ]
    fhir = DATA / "fhir" / "r4-single-response.json"
    result = run_main("import", str(MINI), str(fhir), "-o", str(tmp_path / "out"), "--missing", "exclude")
    assert result.returncode == 2
    assert "Invalid value for --missing: applies to survey and spreadsheet exports" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_rejects_file_left_by_an_earlier_import_is_noted_not_removed(tmp_path):
    assert imported(tmp_path).returncode == 2  # rejects Cedar: answers.rejects.csv
    # rejects nothing; its answers files record missing: exclude, so they replace the earlier ones on purpose
    result = imported(tmp_path, "--missing", "exclude", "--replace")
    assert result.returncode == 0
    assert f"note: {tmp_path / 'answers.rejects.csv'} is from an earlier import: this one rejected nothing" in (
        result.stderr
    )
    assert (tmp_path / "answers.rejects.csv").is_file()


# Two years into one folder. The regulator's fixture (tests/data/regulator/): 2025 writes RA1, RB2, RC3, RD4, RE5
# (RF6 rejected); 2026 would write RA1, RB2, RC3, RE5, RF6 (RD4 rejected), each dated 2026-03-31 where the folder's
# are dated 2025-03-31: four clashes (RA1, RB2, RC3, RE5). RF6 is new to the folder and RD4 is not in 2026's files.
YEARS = DATA / "regulator"


def import_year(folder: Path, year: int, *options: str, export: Path | None = None):
    given = export if export is not None else YEARS / f"national-{year}.csv"
    return run_main(
        "import", str(MINI), str(given), "--mapping", str(YEARS / "national.yaml"), "-o", str(folder), *options
    )


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.parent.iterdir()) if p.is_file()} | {
        f"{folder.name}/{p.name}": p.read_bytes() for p in sorted(folder.iterdir())
    }


def test_importing_another_year_into_the_same_folder_replaces_nothing_and_names_each_clash(tmp_path):
    folder = tmp_path / "answers"
    first = import_year(folder, 2025)
    assert first.returncode == 2  # RF6 rejected
    before = contents(folder)
    # The same export again: the same files, the same report.
    again = import_year(folder, 2025)
    assert (again.returncode, again.stdout, again.stderr) == (first.returncode, first.stdout, first.stderr)
    assert len(again.stdout.splitlines()) == 5
    assert contents(folder) == before
    result = import_year(folder, 2026)
    assert result.returncode == 2
    assert result.stdout == ""
    assert contents(folder) == before  # no answers file replaced, RF6 not added, 2025's rejects file as it was
    assert (
        f"{folder / 'RA1.yaml'}: /date: holds the assessment of 'RA1' (Alder) dated 2025-03-31; this import's is "
        "dated 2026-03-31 (not replaced: import into a folder of its own (one per year), or give --replace to "
        "replace it on purpose)"
    ) in result.stderr.splitlines()
    clashes = [line for line in result.stderr.splitlines() if ": /date: holds the assessment of" in line]
    assert [Path(line.split(":")[0]).name for line in clashes] == ["RA1.yaml", "RB2.yaml", "RC3.yaml", "RE5.yaml"]
    assert (
        f"nothing written, because 4 answers file(s) in {folder} hold other assessments (listed above): import into "
        "a folder of its own (one per year), or give --replace to replace them on purpose."
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_replace_replaces_another_years_files_on_purpose(tmp_path):
    folder = tmp_path / "answers"
    import_year(folder, 2025)
    result = import_year(folder, 2026, "--replace")
    assert result.returncode == 2  # RD4 rejected, as without --replace
    dates = {p.stem: yaml.safe_load(p.read_text())["date"] for p in folder.iterdir()}
    # RD4 is not in 2026's files: its 2025 file stays; RF6 is new.
    assert dates == {
        "RA1": "2026-03-31",
        "RB2": "2026-03-31",
        "RC3": "2026-03-31",
        "RD4": "2025-03-31",
        "RE5": "2026-03-31",
        "RF6": "2026-03-31",
    }


def test_other_answers_of_the_same_date_are_a_clash_with_strict_and_into_one_file_too(tmp_path):
    # A clean 2026 export (RD4's row left out) goes through the columnar importer; --strict through the row importer.
    rows = (YEARS / "national-2026.csv").read_text().splitlines()
    clean = tmp_path / "clean-2026.csv"
    clean.write_text("\n".join(r for r in rows if not r.startswith("RD4")) + "\n")
    corrected = tmp_path / "corrected-2026.csv"
    corrected.write_text(
        clean.read_text().replace(
            "RC3,Cedar,acute,South,3900,2026-03-31,c1,board,2,3,2",
            "RC3,Cedar,acute,South,3900,2026-03-31,c1,board,2,3,3",
        )
    )
    for options in ((), ("--strict",)):
        folder = tmp_path / f"answers{len(options)}"
        assert import_year(folder, 2026, *options, export=clean).returncode == 0
        before = contents(folder)
        result = import_year(folder, 2026, *options, export=corrected)
        assert result.returncode == 2, options
        assert contents(folder) == before
        assert (
            f"{folder / 'RC3.yaml'}: /respondents: holds another assessment of 'RC3' (Cedar) dated 2026-03-31: its "
            "answers differ from this import's of the same date (not replaced"
        ) in result.stderr
        assert "1 answers file(s)" in result.stderr
        assert import_year(folder, 2026, *options, "--replace", export=corrected).returncode == 0
        assert yaml.safe_load((folder / "RC3.yaml").read_text())["respondents"][0]["answers"]["meth-1"] == 3
    # One organisation to one file: the file it would replace is named, with another output file as the way out.
    one = tmp_path / "alder.csv"
    one.write_text(f"{rows[0]}\n{rows[1]}\n")
    target = tmp_path / "alder.yaml"
    assert import_year(target, 2026, export=one).returncode == 0
    older = tmp_path / "alder-2025.csv"
    older.write_text(f"{rows[0]}\n{(YEARS / 'national-2025.csv').read_text().splitlines()[1]}\n")
    before_one = target.read_bytes()
    result = import_year(target, 2025, export=older)
    assert result.returncode == 2
    assert target.read_bytes() == before_one
    assert (
        f"{target}: /date: holds the assessment of 'RA1' (Alder) dated 2026-03-31; this import's is dated "
        "2025-03-31 (not replaced: import into another output file, or give --replace to replace it on purpose)"
    ) in result.stderr


def both_years(tmp_path: Path) -> Path:
    """The two national exports as one (2025's rows, then 2026's): RA1, RB2, RC3 and RE5 have two dates each."""
    lines = (YEARS / "national-2025.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines += (YEARS / "national-2026.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    export = tmp_path / "exports" / "both.csv"
    export.parent.mkdir(exist_ok=True)
    export.write_text("".join(lines), encoding="utf-8")
    return export


def test_an_assessment_is_never_written_twice_under_its_two_names(tmp_path):
    # 2025's export alone writes RA1.yaml (one date); the two years together write RA1-2025-03-31.yaml and
    # RA1-2026-03-31.yaml. Into the same folder, RA1.yaml and RA1-2025-03-31.yaml would hold the same assessment
    # and compare would count it twice (13 assessments for 10): refused, naming each file, nothing written.
    folder = tmp_path / "answers"
    import_year(folder, 2025)
    before = contents(folder)
    result = import_year(folder, 2025, export=both_years(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert contents(folder) == before
    twins = [line for line in result.stderr.splitlines() if "which this import writes to" in line]
    assert twins[0] == (
        f"{folder / 'RA1.yaml'}: /date: holds the assessment of 'RA1' (Alder) dated 2025-03-31, which this import "
        "writes to RA1-2025-03-31.yaml: the folder would hold it twice, and a cohort count it twice (remove "
        "RA1.yaml, or import into a folder of its own)"
    )
    assert [Path(line.split(":")[0]).name for line in twins] == ["RA1.yaml", "RB2.yaml", "RC3.yaml", "RE5.yaml"]
    assert "nothing written, because 4 answers file(s)" in result.stderr and "Traceback" not in result.stderr
    # The other way round: the dated files first, then 2025 alone would add RA1.yaml beside RA1-2025-03-31.yaml
    # (RA1-2026-03-31.yaml is another assessment, not a twin).
    dated = tmp_path / "dated"
    import_year(dated, 2025, export=both_years(tmp_path))
    again = import_year(dated, 2025)
    assert again.returncode == 2
    named = [Path(line.split(":")[0]).name for line in again.stderr.splitlines() if "which this import" in line]
    assert named == ["RA1-2025-03-31.yaml", "RB2-2025-03-31.yaml", "RC3-2025-03-31.yaml", "RE5-2025-03-31.yaml"]
    # Each twin removed, the two years import: 4 x 2 dated files beside RD4.yaml of the first import (RD4 and RF6
    # each have a bad year in the export, so neither is imported).
    for name in ("RA1", "RB2", "RC3", "RE5"):
        (folder / f"{name}.yaml").unlink()
    assert import_year(folder, 2025, export=both_years(tmp_path)).returncode == 2
    assert len(list(folder.glob("*-03-31.yaml"))) == 8 and len(list(folder.glob("*.yaml"))) == 9
