"""Which file is which input: one home (qimaturity._core.kinds), the same for every command, as docs/importing.md says.

`import` and the commands that read answers took `.tab` and `.xlsm` in one place and not another, and refused
`.xls` with the clear message in the row importer only; these tests go through the real entry point.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from qimaturity._core.kinds import (
    ANSWERS_SUFFIXES,
    DELIMITED_SUFFIXES,
    EXPORT_SUFFIXES,
    OLD_WORKBOOK,
    WORKBOOK_SUFFIXES,
    input_kind,
    suffix_list,
)
from qimaturity.cohort.score import answer_files

from .conftest import DATA, QI_READINESS_1_1, ROOT, run_main

IMPORTS = DATA / "imports"
MSFORMS_MAPPING = str(IMPORTS / "msforms.yaml")


def tab_separated(source: Path, target: Path) -> Path:
    """The export saved again with tabs between its cells (as Excel's "Text (Tab delimited)" does)."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def written(folder: Path, rename: tuple[str, str]) -> dict[str, str]:
    """The answers files in a folder by name, with the export's name (quoted in default N/A justifications)
    changed, so that two imports of one export under two names can be compared byte for byte."""
    return {p.name: p.read_text(encoding="utf-8").replace(*rename) for p in sorted(folder.iterdir())}


def test_kinds_by_suffix_in_any_case():
    assert [input_kind(f"x{s}") for s in (".YML", ".Json", ".TAB", ".txt", ".XLSM", ".xls", ".pq", ".docx", "")] == [
        "answers",
        "answers",
        "delimited",
        "delimited",
        "workbook",
        "old-workbook",
        "parquet",
        None,
        None,
    ]
    assert suffix_list((".csv", ".tsv", ".tab")) == ".csv, .tsv or .tab"


def test_the_importing_doc_lists_exactly_the_suffixes_read():
    """docs/importing.md's table of files is the user's list: it names the kinds' suffixes and nothing else."""
    text = (ROOT / "docs" / "importing.md").read_text(encoding="utf-8")
    table = text[text.index("## Files") : text.index("**Encodings.**")]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert [re.findall(r"`(\.\w+)`", row.split("|")[1]) for row in rows] == [
        list(DELIMITED_SUFFIXES),
        list(WORKBOOK_SUFFIXES),
    ]
    assert "Old `.xls` workbooks are refused" in table


def test_import_reads_a_tab_export_as_it_reads_a_tsv_one(tmp_path):
    tsv = tab_separated(IMPORTS / "plain-bom.csv", tmp_path / "plain.tsv")
    tab = shutil.copy(tsv, tmp_path / "plain.tab")
    for export in (tsv, tab):
        result = run_main("import", str(QI_READINESS_1_1), str(export), "-o", str(tmp_path / export.suffix[1:]))
        assert result.returncode == 0, result.stderr
    # plain-bom.csv holds two organisations (see tests/data/imports/README.md) and an `n/a` whose default
    # justification names the export: the only difference between the two imports.
    from_tab = written(tmp_path / "tab", ("plain.tab", "plain.tsv"))
    assert list(from_tab) == ["harbour.yaml", "ynys-mon.yaml"]
    assert from_tab == written(tmp_path / "tsv", ("", ""))
    assert "Not applicable (imported from plain.tab)" in (tmp_path / "tab" / "harbour.yaml").read_text("utf-8") + (
        tmp_path / "tab" / "ynys-mon.yaml"
    ).read_text("utf-8")


def test_import_and_score_read_an_xlsm_workbook_as_an_xlsx_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    xlsm = shutil.copy(IMPORTS / "msforms.xlsx", folder / "msforms.xlsm")
    for export, name in ((IMPORTS / "msforms.xlsx", "xlsx.yaml"), (xlsm, "xlsm.yaml")):
        result = run_main(
            "import", str(QI_READINESS_1_1), str(export), "--mapping", MSFORMS_MAPPING, "-o", str(tmp_path / name)
        )
        assert result.returncode == 0, result.stderr
    from_xlsm = (tmp_path / "xlsm.yaml").read_text("utf-8")
    assert from_xlsm.startswith("# Imported from msforms.xlsm ")
    assert from_xlsm.replace("msforms.xlsm", "msforms.xlsx") == (tmp_path / "xlsx.yaml").read_text("utf-8")
    # score reads it directly too, and a folder with a mapping takes it in (eastfield: every answer 3, so 3).
    direct = run_main("score", str(QI_READINESS_1_1), str(xlsm), "--mapping", MSFORMS_MAPPING, "--format", "csv")
    in_folder = run_main("score", str(QI_READINESS_1_1), str(folder), "--mapping", MSFORMS_MAPPING, "--format", "csv")
    assert direct.returncode == 0 and in_folder.returncode == 0, direct.stderr + in_folder.stderr
    assert direct.stdout == in_folder.stdout
    overall = direct.stdout.splitlines()[1].split(",")
    assert (overall[0], overall[5], overall[11], overall[12]) == ("eastfield", "overall", "3", "3")


def test_score_reads_a_tab_export_directly(tmp_path):
    tab = tab_separated(IMPORTS / "plain-bom.csv", tmp_path / "plain.tab")
    by_tab = run_main("score", str(QI_READINESS_1_1), str(tab), "--format", "csv")
    by_csv = run_main("score", str(QI_READINESS_1_1), str(IMPORTS / "plain-bom.csv"), "--format", "csv")
    assert by_tab.returncode == 0, by_tab.stderr
    assert by_tab.stdout == by_csv.stdout


@pytest.mark.slow
def test_a_filled_template_saved_as_xlsm_is_read_as_a_template(tmp_path, blank_template):
    xlsm = shutil.copy(blank_template, tmp_path / "blank.xlsm")  # as the questionnaire command writes it
    result = run_main("score", "qi-readiness", str(xlsm))
    assert result.returncode == 2
    assert f"{xlsm}: /: no answers found: the file names no respondent" in result.stderr


OLD_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the compound-file signature of an old .xls


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("import", ["{xls}", "-o", "{tmp}/out.yaml"]),
        ("score", ["{xls}"]),
        ("explain", ["{xls}"]),
        ("report", ["{xls}", "-o", "{tmp}/out.html"]),
        ("compare", ["{xls}"]),
        ("compare", ["{dir}", "--mapping", MSFORMS_MAPPING]),
        ("batch", ["{dir}", "--mapping", MSFORMS_MAPPING, "-o", "{tmp}/reports", "--workers", "1"]),
    ],
)
def test_every_command_refuses_an_xls_workbook_saying_what_to_do(tmp_path, command, args):
    folder = tmp_path / "in"
    folder.mkdir()
    xls = folder / "responses.XLS"
    xls.write_bytes(OLD_XLS)
    given = [a.format(xls=xls, dir=folder, tmp=tmp_path) for a in args]
    result = run_main(command, str(QI_READINESS_1_1), *given)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{xls}: /: {OLD_WORKBOOK} (save it as .xlsx or CSV)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.yaml").exists() and not (tmp_path / "out.html").exists()


def test_score_export_refuses_an_xls_workbook_saying_what_it_reads(tmp_path):
    xls = tmp_path / "national.xls"
    xls.write_bytes(OLD_XLS)
    result = run_main("score-export", str(QI_READINESS_1_1), str(xls))
    assert result.returncode == 2
    # score-export reads CSV and Parquet, not workbooks: its hint does not send the user to .xlsx.
    assert result.stderr == f"{xls}: /: {OLD_WORKBOOK} (save it as CSV (UTF-8))\n"


def test_a_folder_stands_for_its_answers_files_and_with_a_mapping_its_exports(tmp_path):
    names = ["a.yaml", "b.JSON", "c.csv", "d.TAB", "e.txt", "f.tsv", "g.xlsx", "h.xlsm", "i.xls", "j.docx", "k.parquet"]
    for name in names:
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in answer_files([str(tmp_path)])] == ["a.yaml", "b.JSON"]
    # With a mapping the exports come too, and an old .xls, so that it is refused rather than passed over.
    assert [p.name for p in answer_files([str(tmp_path)], exports=True)] == names[:9]
    assert len(ANSWERS_SUFFIXES) + len(EXPORT_SUFFIXES) == 9


def test_a_file_of_no_known_kind_is_refused_naming_the_kinds(tmp_path):
    notes = tmp_path / "notes.docx"
    notes.write_text("", encoding="utf-8")
    result = run_main("score", str(QI_READINESS_1_1), str(notes))
    assert result.returncode == 2
    assert (
        "not an answers file, export, FHIR response or questionnaire template (answers files end in .yaml, .yml or "
        ".json, exports and templates in .csv, .tsv, .tab, .txt, .xlsx or .xlsm: see docs/importing.md)"
    ) in result.stderr
