"""Hostile structured documents (YAML and JSON answers, rubrics, FHIR resources, manifests, Qualtrics ImportId
cells) and hostile text on the terminal: always exit 2 with the file and the line, never "internal error", never a
silent wrong result; user text never drives the terminal.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qimaturity._core.documents import DocumentError, load_yaml, parse_yaml, read_text, strict_json
from qimaturity._core.limits import MAX_DEPTH, MAX_PROBLEMS
from qimaturity._core.problems import InputError
from qimaturity.answers.exports import load_mapping
from qimaturity.answers.files import parse_answers_text

from .conftest import DATA, EXAMPLES_1_1, QI_READINESS_1_1, ROOT, run_main

EXAMPLE = EXAMPLES_1_1 / "northgate-acute.yaml"
NAME = "Northgate Hospitals NHS Foundation Trust"
HUGE = "1" + "0" * 5000
DEEP = "[" * 200_000 + "]" * 200_000


def example_json() -> str:
    return json.dumps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), indent=1, ensure_ascii=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="surrogatepass").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def refused(result: Any, file: Path, line: int | None, message: str) -> None:
    """Exit 2, the file (and line) named with the message, no traceback, no internal error, nothing on stdout."""
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    place = f"{file.name}:{line}:" if line is not None else f"{file.name}"
    assert any(place in row and message in row for row in result.stderr.splitlines()), result.stderr
    assert result.stdout == ""


# --- numbers -------------------------------------------------------------------------------------------------


def test_a_whole_number_of_thousands_of_digits_in_yaml_answers_is_refused_at_its_line(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.yaml", EXAMPLE.read_text(encoding="utf-8").replace("beds: 1140", f"beds: {HUGE}"))
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line_of(answers, HUGE), "a whole number of 5,001 digits, over the limit of 20")


def test_a_whole_number_of_thousands_of_digits_in_json_answers_is_refused_at_its_line(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.json", example_json().replace('"beds": 1140', f'"beds": {HUGE}'))
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    message = "/organisation/metadata/beds: a whole number of 5,001 digits, over the limit of 20"
    refused(result, answers, line_of(answers, HUGE), message)


def test_a_whole_number_of_thousands_of_digits_in_a_rubric_is_refused_by_validate(tmp_path: Path) -> None:
    text = (ROOT / "rubrics" / "qi-readiness.yaml").read_text(encoding="utf-8")
    rubric = write(tmp_path / "r.yaml", text.replace("weight: 1.5", f"weight: {HUGE}", 1))
    result = run_main("validate", str(rubric), cwd=tmp_path)
    assert result.returncode == 2 and "internal error" not in result.stderr
    assert f"r.yaml:{line_of(rubric, HUGE)}:" in result.stderr and "5,001 digits" in result.stderr


def test_a_hexadecimal_number_too_large_is_refused_too(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("beds: 1140", "beds: 0x" + "f" * 40)
    answers = write(tmp_path / "a.yaml", text)
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line_of(answers, "0xfff"), "over the limit of 20")


def test_1e400_in_metadata_is_refused_by_score_and_compare_not_dropped(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.json", example_json().replace('"beds": 1140', '"beds": 1e400'))
    line = line_of(answers, "1e400")
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line, "/organisation/metadata/beds: '1e400' is too large to be a number")
    compared = run_main("compare", str(QI_READINESS_1_1), str(answers), str(EXAMPLE), "--min-cohort", "1", cwd=tmp_path)
    assert compared.returncode == 2
    assert f"a.json:{line}:" in compared.stderr and "'1e400' is too large to be a number" in compared.stderr


# --- nesting -------------------------------------------------------------------------------------------------


def test_json_answers_nested_far_too_deep_are_refused_with_the_place(tmp_path: Path) -> None:
    answers = write(tmp_path / "deep.json", DEEP)
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, 1, "nested more than 64 levels deep")


def test_json_nested_just_past_the_limit_is_refused_too(tmp_path: Path) -> None:
    deep = '{"a": ' + "[" * 70 + "]" * 70 + "}"
    answers = write(tmp_path / "deep.json", deep)
    refused(
        run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path), answers, 1, "nested more than 64 levels"
    )


@pytest.mark.parametrize("inner", ["", "1", '"x"', "{}"])
def test_json_and_yaml_share_one_depth_limit(inner: str) -> None:
    def deep(levels: int) -> str:
        return '{"a": ' + "[" * (levels - 1) + inner + "]" * (levels - 1) + "}"

    limit = MAX_DEPTH if inner else MAX_DEPTH + 1  # an empty list holds no value one level further down
    for text, allowed in ((deep(limit), True), (deep(limit + 1), False)):
        with pytest.raises(DocumentError) if not allowed else contextlib.nullcontext():
            strict_json(text)
        with pytest.raises(InputError) if not allowed else contextlib.nullcontext():
            parse_yaml(text, "deep.yaml")


def test_a_fhir_file_nested_far_too_deep_is_refused(tmp_path: Path) -> None:
    fhir = write(tmp_path / "deep.json", '{"resourceType": "Bundle", "entry": ' + DEEP + "}")
    result = run_main("import", str(QI_READINESS_1_1), str(fhir), "-o", str(tmp_path / "out.yaml"), cwd=tmp_path)
    refused(result, fhir, 1, "nested more than 64 levels deep")
    assert not (tmp_path / "out.yaml").exists()


def test_a_deeply_nested_batch_manifest_is_reported_and_rebuilt(tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "northgate.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    write(out / ".qimaturity-batch.json", DEEP)
    result = run_main("batch", str(QI_READINESS_1_1), str(answers), "-o", str(out), "--formats", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    assert "is not a batch manifest this version can read" in result.stderr
    assert (out / "northgate.json").exists()
    assert json.loads((out / ".qimaturity-batch.json").read_text(encoding="utf-8"))["outputs"]


def test_a_qualtrics_import_id_cell_nested_far_too_deep_is_refused_at_row_3(tmp_path: Path) -> None:
    with (DATA / "imports" / "qualtrics.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][-1] = '{"ImportId": ' + "[" * 60_000 + "]" * 60_000 + "}"  # within the CSV field limit
    export = tmp_path / "q.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = run_main("import", str(QI_READINESS_1_1), str(export), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "internal error" not in result.stderr
    assert f"q.csv:3:{len(rows[2])}:" in result.stderr and "nested more than 64 levels deep" in result.stderr


# --- text ----------------------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_json_name_is_refused_at_its_line(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.json", example_json().replace(NAME, "X\\ud800Y"))
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line_of(answers, "ud800"), "/organisation/name: text holds a lone surrogate (U+D800)")


def test_a_lone_surrogate_escape_in_yaml_is_refused_at_its_line(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(NAME, '"X\\ud800Y"')
    answers = write(tmp_path / "a.yaml", text)
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line_of(answers, "ud800"), "invalid YAML")
    assert "halves of a UTF-16 pair" in result.stderr


def test_a_surrogate_pair_escape_in_json_is_an_ordinary_character(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.json", example_json().replace(NAME, "Smile \\ud83d\\ude00 Trust"))
    result = run_main("score", str(QI_READINESS_1_1), str(answers), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["organisation"]["name"] == "Smile \U0001f600 Trust"


@pytest.mark.parametrize(
    ("suffix", "written", "message"),
    [
        (".json", "Nul\\u0000Name", "text holds a NUL character (U+0000)"),
        (".json", "Bell\\u0007Name", "text holds the control character U+0007"),
        (".json", "C1\u009bName", "text holds the control character U+009B"),
        (".yaml", '"Nul\\0Name"', "text holds a NUL character (U+0000)"),
        (".yaml", '"Esc\\e[2JName"', "text holds the control character U+001B"),
    ],
)
def test_control_characters_in_text_are_refused_with_the_path_and_line(
    tmp_path: Path, suffix: str, written: str, message: str
) -> None:
    source = example_json() if suffix == ".json" else EXAMPLE.read_text(encoding="utf-8")
    answers = write(tmp_path / f"a{suffix}", source.replace(NAME, written))
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line_of(answers, "Name"), f"/organisation/name: {message}")


def test_a_control_character_in_a_key_is_refused(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.json", example_json().replace('"beds"', '"be\\u0000ds"'))
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    refused(result, answers, line_of(answers, "be\\u0000ds"), "a key holds a NUL character")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_problems_in_text_are_listed_up_to_the_limit_then_counted(tmp_path: Path, suffix: str) -> None:
    many = ", ".join(f'"k{n}": "\\u0000"' for n in range(MAX_PROBLEMS + 50))
    if suffix == ".json":
        text = example_json().replace('"beds": 1140', '"beds": {' + many + "}")
    else:
        text = EXAMPLE.read_text(encoding="utf-8").replace("beds: 1140", "beds: {" + many + "}")
    answers = write(tmp_path / f"a{suffix}", text)
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    assert result.returncode == 2
    # MAX_PROBLEMS listed, alike: 3 shown in full, the others in one line; then those past the limit counted
    assert result.stderr.count("text holds a NUL character") == 3
    assert f"the same problem {MAX_PROBLEMS - 3} more times" in result.stderr.splitlines()[-2]
    assert "and 50 more problems like these" in result.stderr.splitlines()[-1]


def test_tabs_and_line_breaks_in_text_are_fine(tmp_path: Path) -> None:
    answers = write(tmp_path / "a.json", example_json().replace(NAME, "Tab\\tand\\nbreak\\r\\nTrust"))
    assert run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path).returncode == 0


def test_an_organisation_name_with_a_lone_surrogate_on_the_command_line_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "form.xlsx"
    # Bytes that are not UTF-8 in argv reach Python as lone surrogates.
    result = run_main(
        "questionnaire", str(QI_READINESS_1_1), "-o", str(out), "--organisation", "X\udcffY", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert "--organisation" in result.stderr and "lone surrogate (U+DCFF)" in result.stderr
    assert not out.exists()


# --- duplicate keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_duplicate_key_is_reported_with_the_files_other_problems(tmp_path: Path, suffix: str) -> None:
    if suffix == ".json":
        text = example_json().replace('"type": "acute",', '"type": "acute", "type": "mental-health",')
        text = text.replace('"lead-role-models": 3', '"lead-role-models": 9')
    else:
        text = EXAMPLE.read_text(encoding="utf-8").replace("  type: acute\n", "  type: acute\n  type: other\n")
        text = text.replace("lead-role-models: 3", "lead-role-models: 9")
    answers = write(tmp_path / f"a{suffix}", text)
    result = run_main("score", str(QI_READINESS_1_1), str(answers), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    duplicate = line_of(answers, "mental-health" if suffix == ".json" else "type: other")
    assert any(f"a{suffix}:{duplicate}:" in row and "duplicate key 'type'" in row for row in lines), result.stderr
    level = line_of(answers, "lead-role-models")
    assert any(f"a{suffix}:{level}:" in row and "level 9 is not on the scale" in row for row in lines)


@pytest.mark.slow
def test_a_duplicate_key_in_a_rubric_is_reported_with_its_other_problems(tmp_path: Path) -> None:
    text = (ROOT / "rubrics" / "qi-readiness.yaml").read_text(encoding="utf-8")
    text = text.replace("weight: 1.5", "weight: 1.5\n    weight: 2", 1).replace("weight: 2\n", "weight: -2\n", 2)
    rubric = write(tmp_path / "r.yaml", text)
    result = run_main("validate", str(rubric), cwd=tmp_path)
    assert result.returncode == 2
    assert "duplicate key 'weight'" in result.stderr
    assert len(result.stderr.splitlines()) >= 3, result.stderr


# --- the terminal --------------------------------------------------------------------------------------------

HOSTILE = "Esc\x1b[2J\x1b]0;pwned\x07\x9b31mName"


@pytest.fixture
def hostile_export(tmp_path: Path) -> tuple[Path, Path]:
    """A survey export (CSV) whose organisation name carries escape sequences, and its mapping."""
    raw = (DATA / "imports" / "plain-cp1252.csv").read_bytes().decode("cp1252")
    assert "Brontë Moor" in raw
    export = tmp_path / "export.csv"
    export.write_text(raw.replace("Brontë Moor", HOSTILE), encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text((DATA / "imports" / "plain-cp1252.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return export, mapping


def terminal_clean(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b"), repr(text)


@pytest.mark.parametrize("command", ["score", "explain", "compare"])
def test_escape_sequences_in_an_export_are_refused_at_their_place_and_never_reach_the_terminal(
    tmp_path: Path, hostile_export: tuple[Path, Path], command: str
) -> None:
    # An export's text becomes answers files, which refuse control characters: the export is refused where the
    # first one is (line 2: the first row's name), and the message itself carries none of them.
    export, mapping = hostile_export
    extra = ["--min-cohort", "1"] if command == "compare" else []
    result = run_main(command, str(QI_READINESS_1_1), str(export), "--mapping", str(mapping), *extra, cwd=tmp_path)
    assert result.returncode == 2
    assert "export.csv:2:" in result.stderr and "the text holds the control character U+001B" in result.stderr
    terminal_clean(result.stdout)
    terminal_clean(result.stderr)


def test_tables_and_traces_strip_escape_sequences_from_names() -> None:
    # Files no longer bring such names in; a result made through the Python API still prints clean.
    from io import StringIO

    from rich.console import Console

    from qimaturity import explain, load_assessment, load_rubric, score
    from qimaturity.cli.display import priorities_table, result_table
    from qimaturity.cli.terminal import terminal_text

    rubric = load_rubric(QI_READINESS_1_1)
    result = score(rubric, load_assessment(EXAMPLE, rubric))
    organisation = dataclasses.replace(result.organisation, name=HOSTILE)
    result = dataclasses.replace(result, organisation=organisation)
    console = Console(file=StringIO(), width=200, force_terminal=True, color_system=None)
    console.print(result_table(result))
    console.print(priorities_table(result))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Esc[2J]0;pwned31mName" in shown
    terminal_clean(shown)
    terminal_clean(terminal_text(explain(result), newlines=True))


def test_escape_sequences_in_a_cell_never_reach_the_terminal_in_a_problem(
    tmp_path: Path, hostile_export: tuple[Path, Path]
) -> None:
    export, mapping = hostile_export
    export.write_text(export.read_text(encoding="utf-8").replace(HOSTILE, "Bronte Moor"), encoding="utf-8")
    rows = export.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = rows[1].split(",")
    cells[4] = "\x1b[2J\x1b]0;pwned\x07x"
    rows[1] = ",".join(cells)
    export.write_text("".join(rows), encoding="utf-8")
    result = run_main("score", str(QI_READINESS_1_1), str(export), "--mapping", str(mapping), cwd=tmp_path)
    assert result.returncode == 2
    assert "export.csv:2:" in result.stderr and "the text holds the control character U+001B" in result.stderr
    terminal_clean(result.stderr)


# --- any bytes at all ----------------------------------------------------------------------------------------

JSONISH = st.text(alphabet='[]{}":,0123456789eE.-+ \n\t\\uUdD8aftrnul', max_size=80)
YAMLISH = st.text(alphabet="-:[]{}&*!|>'\"#%@`?,~ \n\t0123456789abcxo_.e+\\", max_size=80)
ANY_BYTES = st.one_of(
    st.binary(max_size=120),
    JSONISH.map(lambda t: t.encode("utf-8")),
    YAMLISH.map(lambda t: t.encode("utf-8")),
    st.lists(st.sampled_from(['{"a":', "[", "]", "}", "1e400", "9" * 25, '"\\ud800"', '"\\u0000"', ",", "0x_"])).map(
        lambda parts: "".join(parts).encode("utf-8")
    ),
    st.lists(
        st.sampled_from(["a: ", "b:", "0x_", "0b_", "1:_", "\n", "- ", "!!int ", "!!float ", "&x ", "*x", "  "])
    ).map(lambda parts: "".join(parts).encode("utf-8")),
)


def read_each_way(raw: bytes) -> None:
    """Every structured-document reader given ``raw`` as a file: a document, or InputError; nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        for name in ("doc.yaml", "doc.json", "map.yaml"):
            path = Path(folder) / name
            path.write_bytes(raw)
            with contextlib.suppress(InputError):
                if name == "map.yaml":
                    load_mapping(path)
                elif name == "doc.json":
                    parse_answers_text(read_text(path), name)
                else:
                    load_yaml(path)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_BYTES)
def test_any_bytes_give_the_document_readers_a_document_or_input_error(raw: bytes) -> None:
    read_each_way(raw)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), JSONISH))
def test_any_text_gives_strict_json_data_or_a_document_error(text: str) -> None:
    with contextlib.suppress(DocumentError):
        strict_json(text)
