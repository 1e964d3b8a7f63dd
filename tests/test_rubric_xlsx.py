"""Rubric workbooks: every rubric written as a workbook and read back is the same rubric, to the type; the workbook
is one a person can edit (its layout, no formulas, the same bytes every time); a workbook edited badly is refused
with each problem at its cell, and nothing is written."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook

import qimaturity
from qimaturity import InputError, load_rubric
from qimaturity._core.resources import schema
from qimaturity.rubric.load import check_rubric
from qimaturity.rubric.workbook import (
    QUESTIONS,
    RUBRIC,
    RULES,
    read_rubric_workbook,
    rubric_to_xlsx,
    rubric_workbook,
    workbook_schema_keys,
)
from qimaturity.rubric.writing import rubric_yaml

from .conftest import DATA, QI_READINESS_1_1, ROOT, RUBRICS, run_main

EVERY_KEY = RUBRICS / "authoring" / "every-key.yaml"
ALL_RUBRICS = sorted(
    [
        *(ROOT / "rubrics").glob("*.yaml"),
        *RUBRICS.glob("*.yaml"),
        EVERY_KEY,
        *(DATA / "scoring" / "rubrics").glob("*.yaml"),
        DATA / "numbers" / "rubric.yaml",
        *(DATA / "migration").glob("*.yaml"),
    ]
)


def exactly(data: Any) -> str:
    """Data in a form where 2 and 2.0, 1 and true, differ (dict equality would not tell them apart)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def document(path: Path) -> dict[str, Any]:
    doc, problems = check_rubric(path)
    assert doc is not None and not problems
    return doc.data


def same_model(a: qimaturity.Rubric, b: qimaturity.Rubric) -> bool:
    return dataclasses.replace(a, path=None) == dataclasses.replace(b, path=None)


@pytest.fixture(scope="module")
def qi_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """qi-readiness 1.1.0 as a workbook: the cell-by-cell tests below were worked out on its layout (six domains,
    no per-group wording or reasons, no migration map); 2.0.0's workbook is checked by the round trip and below."""
    path = tmp_path_factory.mktemp("book") / "qi-readiness.xlsx"
    rubric_to_xlsx(QI_READINESS_1_1, path)
    return path


def edited(source: Path, target: Path, change: Any) -> Path:
    """A copy of a workbook with ``change(book)`` applied, as an author editing it in a spreadsheet would."""
    book = load_workbook(source)
    change(book)
    book.save(target)
    return target


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as raised:
        read_rubric_workbook(path)
    return [f"{p.path}: {p.message}" + (f" ({p.hint})" if p.hint else "") for p in raised.value.problems]


def find_row(sheet: Any, *values: Any) -> int:
    """The row whose first cells hold these values."""
    for row in range(1, sheet.max_row + 1):
        if all(sheet.cell(row, column).value == value for column, value in enumerate(values, start=1)):
            return row
    raise AssertionError(f"no row {values}")


def column_of(sheet: Any, key: str, header_row: int = 1) -> int:
    for column in range(1, sheet.max_column + 1):
        value = sheet.cell(header_row, column).value
        if isinstance(value, str) and "".join(value.split()) == key:
            return column
    raise AssertionError(key)


# ---- every rubric round trips ------------------------------------------------------------------------------------


def test_the_round_trip_covers_every_rubric_in_the_repository():
    names = {path.stem for path in ALL_RUBRICS}
    assert {"qi-readiness", "qi-programme-stages", "valid-minimal", "phq9-shaped", "every-key", "staged"} <= names
    assert len(ALL_RUBRICS) == 49  # with the two versions of tests/data/migration and qi-readiness 1.1.0


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL_RUBRICS, ids=lambda p: p.stem)
def test_a_rubric_written_as_a_workbook_reads_back_the_same(path: Path, tmp_path: Path):
    written = rubric_to_xlsx(path, tmp_path / "rubric.xlsx")
    back = read_rubric_workbook(written)
    original = document(path)
    assert exactly(back) == exactly(original)  # the same data, to the type: 2.0 stays 2.0
    assert same_model(load_rubric(back), load_rubric(path))  # the same Rubric, content hash included
    # and as a rubric file: the YAML reads back the same too, keys in the format's order
    text = rubric_yaml(back)
    assert exactly(yaml.safe_load(text)) == exactly(original)
    assert list(back)[:3] == ["id", "version", "title"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["qi-readiness", "qi-programme-stages"])
def test_the_command_line_round_trip_gives_a_valid_rubric_file_of_the_same_content(name: str, tmp_path: Path):
    book, out = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.yaml"
    written = run_main("rubric", "to-xlsx", name, "-o", str(book))
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == str(book)
    read = run_main("rubric", "from-xlsx", str(book), "-o", str(out))
    assert read.returncode == 0, read.stderr
    assert f"{out}: valid ({name} " in read.stderr
    assert out.read_text(encoding="utf-8").startswith(f"# Read from {name}.xlsx by qimaturity rubric from-xlsx.")
    assert load_rubric(out).content_hash == load_rubric(name).content_hash
    assert run_main("validate", str(out)).returncode == 0


@pytest.mark.slow
def test_from_xlsx_without_an_output_prints_the_rubric(qi_workbook: Path):
    result = run_main("rubric", "from-xlsx", str(qi_workbook))
    assert result.returncode == 0, result.stderr
    assert exactly(yaml.safe_load(result.stdout)) == exactly(document(QI_READINESS_1_1))


@pytest.mark.slow
def test_the_api_returns_bytes_or_writes(tmp_path: Path):
    data = qimaturity.rubric_to_xlsx(RUBRICS / "valid-minimal.yaml")
    assert isinstance(data, bytes) and data[:2] == b"PK"
    path = qimaturity.rubric_to_xlsx(RUBRICS / "valid-minimal.yaml", tmp_path / "mini.xlsx")
    assert path == tmp_path / "mini.xlsx" and path.read_bytes() == data
    assert exactly(qimaturity.rubric_from_xlsx(path)) == exactly(document(RUBRICS / "valid-minimal.yaml"))
    # the rubric document as a mapping works too, as load_rubric takes one
    assert qimaturity.rubric_to_xlsx(document(RUBRICS / "valid-minimal.yaml")) == data


def test_every_key_of_the_rubric_schema_has_a_place_in_the_workbook():
    """Walks the rubric schema: a key added to the format without a place in the workbook fails here (and
    rubric_workbook would refuse a rubric using it rather than drop it)."""
    root = schema("rubric")

    def resolved(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    def walk(node: dict[str, Any], path: tuple[str, ...], seen: frozenset[str]) -> list[tuple[str, ...]]:
        node = resolved(node)
        if "items" in node:
            node = resolved(node["items"])
        properties = node.get("properties")
        if not properties or path[-1:] in (("when",), ("requires",)):
            return [path]
        found = []
        for key, child in properties.items():
            found += walk(child, (*path, key), seen)
        return found

    places = workbook_schema_keys()
    leaves = walk(root, (), frozenset())
    assert len(leaves) > 60
    missing = [".".join(leaf) for leaf in leaves if not any(leaf[:n] in places for n in range(1, len(leaf) + 1))]
    assert missing == []


def test_a_key_the_workbook_has_no_place_for_is_refused_not_dropped():
    data = document(RUBRICS / "valid-minimal.yaml")
    data["domains"][0]["questions"][0]["translation"] = {"cy": "Arweinwyr"}  # a key of a newer format
    with pytest.raises(InputError) as raised:
        rubric_workbook(data)
    message = "/domains/0/questions/0/translation: the rubric workbook has no place for the key 'translation'"
    assert message in str(raised.value)


# ---- what a person sees ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_workbook_reads_as_the_rubric_does(qi_workbook: Path):
    book = load_workbook(qi_workbook)
    assert book.sheetnames == ["Read me", RUBRIC, QUESTIONS, RULES]
    assert book.active.title == "Read me"
    questions = book[QUESTIONS]
    header = ["".join(str(questions.cell(1, c).value).split()) for c in range(1, questions.max_column + 1)]
    assert header[:7] == ["domain", "question", "level", "text", "help", "next_step", "measure"]
    assert header[-2:] == ["tags.nhs-impact", "tags.cqc-well-led"]
    assert questions.freeze_panes == "D2"
    # The first domain's row, its first question's row, then a row per level with its descriptor and next step.
    # (Read from the model, so that the test holds whatever the rubric's content.)
    model = load_rubric(QI_READINESS_1_1)
    domain = model.domains[0]
    first = domain.questions[0]
    assert [questions.cell(2, c).value for c in (1, 2, 3, 4)] == [domain.id, None, None, domain.title]
    assert [questions.cell(3, c).value for c in (1, 2, 3, 4)] == [domain.id, first.id, None, first.text]
    assert questions.cell(3, 4).font.b
    lowest = first.levels[0]
    assert [questions.cell(4, c).value for c in (1, 2, 3, 4, 5, 6)] == [
        domain.id,
        first.id,
        lowest.level,
        lowest.descriptor,
        None,
        lowest.next_step,
    ]
    top = find_row(questions, domain.id, first.id, model.highest)
    assert questions.cell(top, 4).value == first.levels[-1].descriptor
    assert questions.cell(top, 6).value is None  # no next step above the top level
    assert questions.cell(3, column_of(questions, "respondents")).value == ", ".join(first.respondents) or None
    assert questions.cell(3, column_of(questions, "critical")).value is (True if first.critical else None)
    # a row per domain, per question and per level of each question, under the header: 6 + 31 + 31 x 5 today
    assert questions.max_row == 1 + len(model.domains) + model.question_count * (1 + len(model.levels))
    rubric = book[RUBRIC]
    titles = [rubric.cell(r, 1).value for r in range(1, rubric.max_row + 1) if rubric.cell(r, 1).font.sz == 12]
    assert titles == ["Rubric", "Levels", "Respondent groups", "Sources", "Frameworks", "Framework codes", "Settings"]
    version = find_row(rubric, "version")
    assert rubric.cell(version, 2).value == model.version and rubric.cell(version, 2).data_type == "s"
    aggregate = find_row(rubric, "scoring.respondents.aggregate")
    assert rubric.cell(aggregate, 2).value == "median"
    assert "One of: median, mean, min, max" in rubric.cell(aggregate, 3).value
    # every setting has a row, given or not
    assert rubric.cell(find_row(rubric, "scoring.minimal_important_difference"), 2).value is None
    assert [
        rubric.cell(r, 2).value
        for r in range(1, rubric.max_row + 1)
        if rubric.cell(r, 1).value == ("scoring.respondents.compare")
    ] == ["board, frontline", "managers, frontline", "board, patient-partners"]
    rules = book[RULES]
    cap = find_row(rules, "critical-items-cap")
    assert rules.cell(cap, column_of(rules, "when", 2)).value == "{critical_below: 3}"
    assert rules.cell(find_row(rules, "on"), 2).value == "value"


def test_the_workbook_has_no_formulas_and_text_that_starts_like_one_stays_text(tmp_path: Path):
    path = rubric_to_xlsx(EVERY_KEY, tmp_path / "every-key.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 5  # Read me, Rubric, Questions, Rules, and Migrations: every-key has migration maps
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(path)
    questions = book[QUESTIONS]
    row = find_row(questions, "lead", "lead-1", None)
    cell = questions.cell(row, 4)
    assert cell.value == "=SUM(A1:A3) is text here, never a formula"
    assert cell.data_type == "s" and cell.quotePrefix
    # numbers a spreadsheet would not keep as they are go in as text, and come back as the numbers they spell
    assert questions.cell(row, column_of(questions, "weight")).value == "2.0"
    assert questions.cell(row + 5, column_of(questions, "weight")).value == "12345678901234567"
    assert questions.cell(row, column_of(questions, "tags.fw-one")).value == '["A1", "W1, part 2"]'
    # a question's short title has its own column, text that starts like a formula kept as text
    short = questions.cell(row, column_of(questions, "short_title"))
    assert short.value == "=Role-modelling, as text" and short.data_type == "s"


def test_the_same_rubric_gives_the_same_bytes(tmp_path: Path):
    first = rubric_to_xlsx("qi-programme-stages")
    second = rubric_to_xlsx("qi-programme-stages")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_an_invalid_rubric_is_not_written(tmp_path: Path):
    out = tmp_path / "bad.xlsx"
    result = run_main("rubric", "to-xlsx", str(RUBRICS / "invalid" / "level-off-scale.yaml"), "-o", str(out))
    assert result.returncode == 2
    assert "is not a level of the scale" in result.stderr or "not on the scale" in result.stderr
    assert not out.exists()


def test_the_outputs_must_have_their_suffix(tmp_path: Path, qi_workbook: Path):
    result = run_main("rubric", "to-xlsx", "qi-readiness", "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 2 and "the output must end in .xlsx" in result.stderr
    result = run_main("rubric", "from-xlsx", str(qi_workbook), "-o", str(tmp_path / "out.xlsx"))
    assert result.returncode == 2 and "the output must end in .yaml or .yml" in result.stderr


# ---- a workbook edited badly -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_level_off_the_scale_is_placed_at_its_cell(qi_workbook: Path, tmp_path: Path):
    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        sheet.cell(find_row(sheet, "leadership", "lead-role-models", 5), 3).value = 6

    bad = edited(qi_workbook, tmp_path / "bad.xlsx", change)
    row = find_row(load_workbook(bad)[QUESTIONS], "leadership", "lead-role-models", 6)
    assert row == 14  # the example the command's documentation gives
    assert problems_of(bad) == [
        # the level it replaced is now missing: said where the question's levels start
        "Questions!C10: question 'lead-role-models' has no descriptor for level(s) 5 (describe every level of the "
        "scale)",
        "Questions!C14: question 'lead-role-models': level 6 is not on the scale (levels are 1, 2, 3, 4, 5)",
    ]
    out = tmp_path / "out.yaml"
    result = run_main("rubric", "from-xlsx", str(bad), "-o", str(out))
    assert result.returncode == 2
    assert f"bad.xlsx: Questions!C{row}: question 'lead-role-models': level 6 is not on the scale" in result.stderr
    assert not out.exists()  # nothing written


@pytest.mark.slow
def test_a_failed_read_leaves_an_earlier_output_as_it_was(qi_workbook: Path, tmp_path: Path):
    out = tmp_path / "rubric.yaml"
    out.write_text("earlier\n", encoding="utf-8")
    bad = edited(qi_workbook, tmp_path / "bad.xlsx", lambda book: book.remove(book[RULES]))
    result = run_main("rubric", "from-xlsx", str(bad), "-o", str(out))
    assert result.returncode == 2
    assert out.read_text(encoding="utf-8") == "earlier\n"


@pytest.mark.slow
def test_the_default_rubrics_workbook_has_its_wordings_steps_reasons_and_migration_map(tmp_path: Path):
    book = load_workbook(rubric_to_xlsx("qi-readiness", tmp_path / "qi-readiness-2.xlsx"))
    assert book.sheetnames == ["Read me", RUBRIC, QUESTIONS, RULES, "Migrations"]
    questions = book[QUESTIONS]
    header = {"".join(str(questions.cell(1, c).value).split()) for c in range(1, questions.max_column + 1)}
    wanted = {"measure", "owner", "weight_rationale", "critical_rationale", "tags.nhs-impact", "tags.cqc-saf"}
    assert wanted | {"wording.frontline", "wording.patient-partners", "help_for.frontline"} <= header
    assert "tags.cqc-well-led" not in header


@pytest.mark.slow
def test_a_missing_sheet_is_named(qi_workbook: Path, tmp_path: Path):
    def change(book: Any) -> None:
        book[QUESTIONS].title = "Question"

    assert problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change)) == [
        "/: the workbook has no 'Questions' sheet (did you mean 'Question'?)"
    ]


@pytest.mark.slow
def test_a_renamed_header_is_named_with_the_key_it_should_be(qi_workbook: Path, tmp_path: Path):
    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        sheet.cell(1, column_of(sheet, "weight")).value = "wieght"

    found = problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change))
    assert found == ["Questions!I1: unknown column 'wieght' (did you mean 'weight'?)"]


def test_a_renamed_required_header_stops_the_reading(qi_workbook: Path, tmp_path: Path):
    def change(book: Any) -> None:
        book[QUESTIONS].cell(1, 4).value = "question text"

    found = problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change))
    assert found == [
        "Questions!A1: no 'text' column (row 1 holds the column keys: restore it)",
        "Questions!D1: unknown column 'question text' (did you mean 'question'?)",
    ]


@pytest.mark.slow
def test_text_in_a_weight_cell(qi_workbook: Path, tmp_path: Path):
    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        sheet.cell(3, column_of(sheet, "weight")).value = "heavy"

    assert problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change)) == [
        "Questions!I3: weight: 'heavy' is not a number (type a number, e.g. 1.5)"
    ]


@pytest.mark.slow
def test_a_formula_is_refused_at_its_cell_and_never_evaluated(qi_workbook: Path, tmp_path: Path):
    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        sheet.cell(3, column_of(sheet, "weight")).value = "=1+1"  # openpyxl writes it as a formula
        sheet["B2"] = "='[other.xlsx]Sheet1'!A1"  # a link to another workbook, never opened

    assert problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change)) == [
        "Questions!B2: question: a formula (='[other.xlsx]Sheet1'!A1): a rubric workbook holds values, never "
        "formulas (type the value itself)",
        "Questions!I3: weight: a formula (=1+1): a rubric workbook holds values, never formulas (type the value "
        "itself)",
    ]


@pytest.mark.slow
def test_true_and_false_as_libreoffice_saves_them_are_read_as_values(qi_workbook: Path, tmp_path: Path):
    """LibreOffice saves a TRUE or FALSE cell as the formula =TRUE() or =FALSE() (Excel as a value): a workbook
    re-saved there reads back the same. Any other formula is still refused."""

    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        critical = column_of(sheet, "critical")
        sheet.cell(find_row(sheet, "leadership", "lead-executive-lead", None), critical).value = "=FALSE()"
        sheet.cell(find_row(sheet, "leadership", "lead-role-models", None), critical).value = "=TRUE()"

    back = read_rubric_workbook(edited(qi_workbook, tmp_path / "saved.xlsx", change))
    first, second = back["domains"][0]["questions"][:2]
    assert (first["id"], first["critical"], second["id"], second["critical"]) == (
        "lead-executive-lead",
        False,
        "lead-role-models",
        True,
    )

    def computed(book: Any) -> None:
        sheet = book[QUESTIONS]
        sheet.cell(
            find_row(sheet, "leadership", "lead-role-models", None), column_of(sheet, "critical")
        ).value = "=NOT(FALSE())"

    found = problems_of(edited(qi_workbook, tmp_path / "computed.xlsx", computed))
    assert found == [
        "Questions!K9: critical: a formula (=NOT(FALSE())): a rubric workbook holds values, never formulas (type the "
        "value itself)"
    ]


@pytest.mark.slow
def test_a_sheet_of_100000_rows_stops_at_the_limit(tmp_path: Path):
    book = Workbook(write_only=True)
    for title in ("Read me", RUBRIC, QUESTIONS, RULES):
        sheet = book.create_sheet(title)
        if title == QUESTIONS:
            sheet.append(["domain", "question", "level", "text"])
            for number in range(100_000):
                sheet.append(["d", f"q{number}", None, "A question."])
    path = tmp_path / "huge.xlsx"
    book.save(path)
    assert problems_of(path) == [
        "Questions!A20001: the sheet has more than 20,000 rows, the limit for a rubric workbook (delete the empty or "
        "stray rows below the rubric)"
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        # a next step left out: said at the empty cell where it belongs
        (
            ("leadership", "lead-coaching", 2, "next_step"),
            None,
            "{ref}: question 'lead-coaching': level 2 has no next_step (fill it in)",
        ),
        # a respondent group that is not one
        (
            ("leadership", "lead-coaching", None, "respondents"),
            "board, managerz",
            "{ref}: respondents: unknown respondent group 'managerz' (did you mean 'managers'?)",
        ),
        # TRUE or FALSE, in words a person types
        (
            ("leadership", "lead-coaching", None, "critical"),
            "perhaps",
            "{ref}: critical: 'perhaps' is not TRUE or FALSE (type TRUE or FALSE)",
        ),
        # a level that is not a whole number
        (
            ("leadership", "lead-coaching", None, "target"),
            3.5,
            "{ref}: target: 3.5 is not a whole number (type a whole number, e.g. 3)",
        ),
        # a value on a row where it has no meaning
        (
            ("leadership", "lead-coaching", 3, "weight"),
            2,
            "{ref}: weight: nothing goes in this column on a level's "
            "row (a level's row holds its descriptor (text), next_step, and the step's measure and owner; the "
            "question's keys go on the question's row)",
        ),
    ],
)
def test_a_bad_cell_of_the_questions_sheet_is_placed(qi_workbook: Path, tmp_path: Path, where, value, expected):
    domain, question, level, key = where
    refs: list[str] = []

    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        row, column = find_row(sheet, domain, question, level), column_of(sheet, key)
        sheet.cell(row, column).value = value
        refs.append(f"Questions!{sheet.cell(row, column).coordinate}")

    found = problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change))
    assert found == [expected.format(ref=refs[0])]


def test_a_repeated_question_id_names_the_cell_of_the_first(tmp_path: Path):
    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        for row in range(1, sheet.max_row + 1):
            if sheet.cell(row, 2).value == "lead-2":
                sheet.cell(row, 2).value = "lead-1"
                sheet.cell(row, 1).value = "meth"  # the same id in another domain: two questions, one id

    source = rubric_to_xlsx(RUBRICS / "valid-minimal.yaml", tmp_path / "mini.xlsx")
    found = problems_of(edited(source, tmp_path / "bad.xlsx", change))
    assert found == [
        "Questions!B7: duplicate question id 'lead-1' (first at Questions!B3) (ids must be unique)",
        # and the expression of a rule that named the renamed question: at the rule's condition
        "Rules!J5: when: unknown question 'lead-2' (did you mean 'lead-1'?)",
    ]


def test_the_rubric_and_rules_sheets_place_their_problems(qi_workbook: Path, tmp_path: Path):
    cells: dict[str, str] = {}

    def change(book: Any) -> None:
        rubric, rules = book[RUBRIC], book[RULES]
        version = find_row(rubric, "version")
        rubric.cell(version, 2).value = 1.1  # typed as a number: a spreadsheet would show 1.10 as 1.1
        cells["version"] = f"Rubric!B{version}"
        pooling = find_row(rubric, "scoring.respondents.pooling")
        rubric.cell(pooling, 2).value = "group"
        cells["pooling"] = f"Rubric!B{pooling}"
        cap = find_row(rules, "critical-items-cap")
        when = column_of(rules, "when", 2)
        rules.cell(cap, when).value = "{critical_below: 3"
        cells["when"] = f"Rules!{rules.cell(cap, when).coordinate}"
        gate = find_row(rules, "exemplary-needs-patients")
        requires = column_of(rules, "requires", 2)
        rules.cell(gate, requires).value = "{expression: 'domain_levle(\"leadership\") >= 4'}"
        cells["requires"] = f"Rules!{rules.cell(gate, requires).coordinate}"

    found = problems_of(edited(qi_workbook, tmp_path / "bad.xlsx", change))
    assert found[0] == (
        f"{cells['version']}: the version is a number in this cell (1.1), and a spreadsheet drops the zeros "
        "at the end of a number (1.10 shows as 1.1) (type it as text: an apostrophe first, e.g. '1.0.0)"
    )
    assert found[1].startswith(f"{cells['pooling']}: scoring.respondents.pooling: 'group' is not an allowed value")
    assert found[2].startswith(f"{cells['when']}: when: the condition is not a YAML mapping: invalid YAML")
    assert found[3].startswith(f"{cells['requires']}: requires: expression: unknown function 'domain_levle'")
    assert len(found) == 4


def test_a_section_and_a_code_in_the_wrong_place(tmp_path: Path):
    source = rubric_to_xlsx(RUBRICS / "valid-minimal.yaml", tmp_path / "mini.xlsx")

    def change(book: Any) -> None:
        rubric = book[RUBRIC]
        codes = find_row(rubric, "Framework codes")
        rubric.cell(codes + 2, 1).value = "fx"  # a code of a framework that is not there

    found = problems_of(edited(source, tmp_path / "bad.xlsx", change))
    row = find_row(load_workbook(tmp_path / "bad.xlsx")[RUBRIC], "fx")
    assert found == [
        f"Rubric!A{row}: no framework 'fx' in the Frameworks section (the frameworks: fw; or add it there)"
    ]


def test_a_file_that_is_not_a_workbook(tmp_path: Path):
    path = tmp_path / "rubric.xlsx"
    path.write_text("id: not-a-workbook\n", encoding="utf-8")
    result = run_main("rubric", "from-xlsx", str(path))
    assert result.returncode == 2
    assert "not an Excel workbook (.xlsx)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_an_edited_workbook_gives_the_edited_rubric(qi_workbook: Path, tmp_path: Path):
    """What an author does: reword a question, add one, raise a weight, bump the version."""

    def change(book: Any) -> None:
        rubric, sheet = book[RUBRIC], book[QUESTIONS]
        rubric.cell(find_row(rubric, "version"), 2).value = "1.2.0"
        row = find_row(sheet, "leadership", "lead-coaching", None)
        sheet.cell(row, 4).value = "Executives are coached in leading improvement."
        sheet.cell(row, column_of(sheet, "weight")).value = 3
        last = sheet.max_row
        sheet.append(["leadership", "lead-new", None, "A new question.", None, None, None, None, 1])
        for level in range(1, 6):
            step = None if level == 5 else f"Step from {level}."
            sheet.append(["leadership", "lead-new", level, f"At level {level}.", None, step])
        assert sheet.max_row == last + 6

    back = read_rubric_workbook(edited(qi_workbook, tmp_path / "edited.xlsx", change))
    assert back["version"] == "1.2.0"
    leadership = back["domains"][0]
    coaching = next(q for q in leadership["questions"] if q["id"] == "lead-coaching")
    assert coaching["text"] == "Executives are coached in leading improvement." and coaching["weight"] == 3
    assert leadership["questions"][-1] == {
        "id": "lead-new",
        "text": "A new question.",
        "weight": 1,
        "levels": [
            {
                "level": level,
                "descriptor": f"At level {level}.",
                **({"next_step": f"Step from {level}."} if level < 5 else {}),
            }
            for level in range(1, 6)
        ],
    }
    assert load_rubric(back).question_count == 32


# ---- a question in each group's words, each step's measure and owner, the reasons for weights -------------------

WORDINGS = RUBRICS / "wordings-owners-reasons.yaml"


def test_wordings_steps_and_reasons_have_their_cells(tmp_path: Path):
    book = load_workbook(rubric_to_xlsx(WORDINGS, tmp_path / "wordings.xlsx"))
    sheet = book[QUESTIONS]
    header = ["".join(str(sheet.cell(1, c).value).split()) for c in range(1, sheet.max_column + 1)]
    assert header[5:8] == ["next_step", "measure", "owner"]
    assert header[8:12] == ["weight", "weight_rationale", "critical", "critical_rationale"]
    # a column per group a question has words for, the rubric's groups in its order
    assert [key for key in header if key.startswith(("wording.", "help_for."))] == [
        "wording.frontline",
        "wording.patient-partners",
        "help_for.board",
        "help_for.frontline",
        "help_for.patient-partners",
    ]
    question = find_row(sheet, "capability", "trn-coverage", None)
    assert sheet.cell(question, column_of(sheet, "wording.frontline")).value.startswith("In my team or service")
    assert sheet.cell(question, column_of(sheet, "critical_rationale")).value.startswith("A domain whose people")
    step = find_row(sheet, "capability", "trn-coverage", 2)
    assert sheet.cell(step, column_of(sheet, "owner")).value == "Ward manager"
    assert sheet.cell(step, column_of(sheet, "measure")).value.startswith("Share of planned protected-time")
    domain = find_row(sheet, "capability", None, None)
    assert sheet.cell(domain, column_of(sheet, "weight_rationale")).value.startswith("Without people trained")


def test_an_author_adds_a_wording_for_another_group_in_a_column_of_its_own(tmp_path: Path):
    source = rubric_to_xlsx(WORDINGS, tmp_path / "wordings.xlsx")

    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        column = sheet.max_column + 1
        sheet.cell(1, column).value = "wording.board"
        sheet.cell(find_row(sheet, "capability", "ideas-heard", None), column).value = "Does the board hear ideas?"

    back = read_rubric_workbook(edited(source, tmp_path / "edited.xlsx", change))
    ideas = back["domains"][0]["questions"][1]
    assert ideas["wording"] == {"board": "Does the board hear ideas?"}
    assert list(ideas)[:3] == ["id", "text", "wording"]  # in the format's order


def test_a_wording_for_a_group_the_question_does_not_ask_is_placed_at_its_cell(tmp_path: Path):
    source = rubric_to_xlsx(WORDINGS, tmp_path / "wordings.xlsx")
    refs: list[str] = []

    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        cell = sheet.cell(
            find_row(sheet, "partnership", "pat-partners-heard", None), column_of(sheet, "wording.frontline")
        )
        cell.value = "In my team, do patient partners shape our work?"
        refs.append(f"Questions!{cell.coordinate}")

    assert problems_of(edited(source, tmp_path / "edited.xlsx", change)) == [
        f"{refs[0]}: wording.frontline: question 'pat-partners-heard' gives wording for group 'frontline', which it "
        "does not ask (its respondents are board, patient-partners: add 'frontline' to respondents, or remove this "
        "wording)"
    ]


def test_a_second_row_for_a_domain_or_a_question_is_placed_at_its_cell(tmp_path: Path):
    def change(book: Any) -> None:
        sheet = book[QUESTIONS]
        # valid-minimal's layout: row 2 is domain lead's own row, row 3 question lead-1's, rows 4-6 its levels.
        # Row 5 (level 2 of lead-1) becomes a second row for the domain, row 6 (level 3) a second for the question.
        sheet.cell(5, 2).value = None
        sheet.cell(5, 3).value = None
        sheet.cell(6, 3).value = None

    source = rubric_to_xlsx(RUBRICS / "valid-minimal.yaml", tmp_path / "mini.xlsx")
    found = problems_of(edited(source, tmp_path / "bad.xlsx", change))
    assert found == [
        # and, as both rows were lead-1's levels 2 and 3, the question lacks them
        "Questions!C4: question 'lead-1' has no descriptor for level(s) 2, 3 (describe every level of the scale)",
        "Questions!A5: a second row for domain 'lead' (the first is row 2) (keep one row per domain)",
        "Questions!B6: a second row for question 'lead-1' (the first is row 3) "
        "(keep one row per question, and a row per level under it)",
    ]
