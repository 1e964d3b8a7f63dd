"""A corpus of hostile inputs, one builder per file, each paired with the commands that read that kind of file.

Everything is generated (nothing binary is kept in the repository); the large files are only as large as the
limit they test needs. ``scripts/make_hostile_corpus.py`` writes the corpus to a folder for trying by hand;
``tests/hostile/test_corpus.py`` runs every command on every file under an address-space and a time limit.
"""

from __future__ import annotations

import copy
import functools
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from qimaturity._core.limits import MAX_DOCUMENT_BYTES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "examples-1.1" / "northgate-acute.yaml"
# The answers and exports of the corpus are written for qi-readiness 1.1.0, so they are read with it.
RUBRIC = str(ROOT / "tests" / "data" / "rubrics" / "qi-readiness-1.1.0.yaml")

# The commands each kind of file is given to. {file} is the hostile file, {out} an output that already holds an
# earlier result, {dir} a folder holding only the hostile file, {outdir} a batch's output folder already holding
# an earlier result for it, {good} a good answers file, {export} a good export. import is given --replace: the earlier
# output is no answers file, which import otherwise refuses to replace; a hostile file must leave it as it was even so.
ANSWERS_COMMANDS = (
    ("score", "score", RUBRIC, "{file}", "-o", "{out}.json"),
    ("report", "report", RUBRIC, "{file}", "-o", "{out}.html"),
    ("compare", "compare", RUBRIC, "{file}", "-o", "{out}.csv"),
    ("import", "import", RUBRIC, "{file}", "-o", "{out}.yaml", "--replace"),
    ("explain", "explain", RUBRIC, "{file}"),
    ("batch", "batch", RUBRIC, "{dir}", "-o", "{outdir}", "--formats", "json,html", "--workers", "1"),
)
EXPORT_COMMANDS = (
    ("import", "import", RUBRIC, "{file}", "-o", "{out}.yaml", "--replace"),
    ("score", "score", RUBRIC, "{file}", "-o", "{out}.json"),
)
SCORE_EXPORT_COMMANDS = (("score-export", "score-export", RUBRIC, "{file}", "-o", "{out}.csv"),)
WORKBOOK_COMMANDS = EXPORT_COMMANDS
RUBRIC_COMMANDS = (
    ("validate", "validate", "{file}"),
    ("score", "score", "{file}", "{good}", "-o", "{out}.json"),
)
BRAND_COMMANDS = (("report", "report", RUBRIC, "{good}", "--brand", "{file}", "-o", "{out}.pdf"),)
MAPPING_COMMANDS = (("import", "import", RUBRIC, "{export}", "--mapping", "{file}", "-o", "{out}.yaml", "--replace"),)


@dataclass(frozen=True)
class Case:
    """One hostile file: its name in the corpus, how to make it, and the commands that must refuse it."""

    name: str
    build: Callable[[Path], Path]
    commands: tuple[tuple[str, ...], ...]
    why: str


@functools.cache
def _example() -> dict:
    data = yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert isinstance(data, dict)
    return data


def _answers() -> dict:
    """The example answers, a copy of their own to change."""
    return copy.deepcopy(_example())


def _write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    return path


def _json_with(path: Path, placeholder_value: str, where: Callable[[dict], None]) -> Path:
    """An answers file as JSON, with a raw token (a number, an escape) put where ``where`` puts "@@"."""
    data = _answers()
    where(data)
    text = json.dumps(data, ensure_ascii=False).replace('"@@"', placeholder_value)
    return _write(path, text)


def _metadata(data: dict) -> None:
    data["organisation"]["metadata"] = {"staff": "@@"}


def _name(data: dict) -> None:
    data["organisation"]["name"] = "@@"


# --- answers files (YAML and JSON) ----------------------------------------------------------------------------
def huge_integer_json(folder: Path) -> Path:
    return _json_with(folder / "huge-integer.json", "9" * 5000, _metadata)


def huge_integer_yaml(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "metadata: {beds: 1140, staff: 9600}", "metadata: {staff: " + "9" * 5000 + "}"
    )
    return _write(folder / "huge-integer.yaml", text)


def deep_json(folder: Path) -> Path:
    return _write(folder / "deep.json", "[" * 200_000 + "]" * 200_000)


def deep_value_json(folder: Path) -> Path:
    return _json_with(folder / "deep-value.json", "[" * 100_000 + "]" * 100_000, _metadata)


def deep_yaml(folder: Path) -> Path:
    return _write(folder / "deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n")


def lone_surrogate_json(folder: Path) -> Path:
    return _json_with(folder / "lone-surrogate.json", '"X\\ud800Y"', _name)


def lone_surrogate_yaml(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "name: Northgate Hospitals NHS Foundation Trust", 'name: "Northgate \\ud800 Trust"'
    )
    return _write(folder / "lone-surrogate.yaml", text)


def infinite_number_json(folder: Path) -> Path:
    return _json_with(folder / "infinite-number.json", "1e400", _metadata)


def nul_in_name_json(folder: Path) -> Path:
    return _json_with(folder / "nul-in-name.json", '"Nul\\u0000Name"', _name)


def control_in_name_json(folder: Path) -> Path:
    return _json_with(folder / "escape-in-name.json", '"Clear\\u001b[2J\\u001b]0;owned\\u0007"', _name)


def alias_bomb_yaml(folder: Path) -> Path:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join(f"*a{i - 1}" for _ in range(9)) + "]")
    return _write(folder / "alias-bomb.yaml", "\n".join(lines) + "\n")


def oversized_yaml(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    padding = "# " + "x" * 1000 + "\n"
    return _write(folder / "oversized.yaml", text + padding * (MAX_DOCUMENT_BYTES // len(padding) + 1))


def deep_fhir(folder: Path) -> Path:
    return _write(
        folder / "deep-fhir.json",
        '{"resourceType": "Bundle", "type": "collection", "entry": ' + "[" * 100_000 + "]" * 100_000 + "}",
    )


# --- CSV exports ------------------------------------------------------------------------------------------------
def export_rows() -> list[list[str]]:
    """The example organisation's answers as a plain export: a header, then one row per respondent."""
    data = _answers()
    questions: list[str] = []
    for respondent in data["respondents"]:
        questions.extend(q for q in respondent["answers"] if q not in questions)
    header = ["organisation_id", "organisation_name", "date", "respondent", "group", *questions]
    rows = [header]
    for respondent in data["respondents"]:
        cells = [data["organisation"]["id"], data["organisation"]["name"], data["date"], respondent["id"]]
        cells.append(respondent["group"])
        for question in questions:
            answer = respondent["answers"].get(question)
            if isinstance(answer, dict):
                answer = "N/A" if answer.get("na") else answer["level"]
            cells.append("" if answer is None else str(answer))
        rows.append(cells)
    return rows


def _csv(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\n" for row in rows)


def good_export_csv(folder: Path) -> Path:
    return _write(folder / "good-export.csv", _csv(export_rows()))


def many_columns_csv(folder: Path) -> Path:
    rows = export_rows()
    extra = [f"c{i}" for i in range(1_000_000)]
    rows = [rows[0] + extra, *(row + [""] * len(extra) for row in rows[1:2])]
    return _write(folder / "many-columns.csv", _csv(rows))


def unbalanced_quote_csv(folder: Path) -> Path:
    # The quote opened in row 2 swallows every later row into one cell, so one respondent's answer hides the rest.
    rows = export_rows()
    rows[1][-1] = '"' + rows[1][-1]
    return _write(folder / "unbalanced-quote.csv", _csv(rows))


def mixed_encoding_csv(folder: Path) -> Path:
    rows = export_rows()
    for row in rows[1:]:
        row[1] = "Ysbyty Ynys Môn"
    lines = [",".join(row) + "\n" for row in rows]
    raw = b"".join(line.encode("cp1252" if index == 3 else "utf-8") for index, line in enumerate(lines))
    return _write(folder / "mixed-encoding.csv", raw)


def nul_csv(folder: Path) -> Path:
    rows = export_rows()
    rows[2][1] = "Northgate\x00Trust"
    return _write(folder / "nul.csv", _csv(rows))


def qualtrics_deep_import_id_csv(folder: Path) -> Path:
    deep = '{""ImportId"": ' + "[" * 100_000 + "]" * 100_000 + "}"
    rows = [
        "StartDate,EndDate,Status,ResponseId,Finished,RecordedDate,org_code,Q1",
        "Start Date,End Date,Response Type,Response ID,Finished,Recorded Date,org_code,Leadership",
        f'"{deep}","{deep}","{deep}","{deep}","{deep}","{deep}","{deep}","{deep}"',
        "2026-01-01,2026-01-01,IP Address,R_1,True,2026-01-01,RX1,3",
    ]
    return _write(folder / "qualtrics-deep-import-id.csv", "\n".join(rows) + "\n")


# --- XLSX workbooks --------------------------------------------------------------------------------------------
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _rows_xml(rows: list[list[str]], first: int = 1) -> str:
    return "".join(
        f'<row r="{r}">' + "".join(_inline(f"{_column(c)}{r}", cell) for c, cell in enumerate(row) if cell) + "</row>"
        for r, row in enumerate(rows, start=first)
    )


def _sheet_parts(rows: list[list[str]], *, dimension: str = "A1:AK8", prolog: str = "") -> tuple[str, str, str]:
    """(head, rows, tail) of a worksheet holding ``rows``, so a builder can put something between the parts."""
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f'<dimension ref="{dimension}"/><sheetData>'
    )
    return head, _rows_xml(rows), "</sheetData></worksheet>"


def _workbook(path: Path, *sheet_parts: str) -> Path:
    """A minimal workbook whose one sheet is the parts given, streamed so that a huge sheet is never in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for part in sheet_parts:
                sheet.write(part.encode("utf-8"))
    return path


def _spaces(count: int) -> list[str]:
    return [" " * 1_000_000] * (count // 1_000_000)


def good_export_xlsx(folder: Path) -> Path:
    return _workbook(folder / "good-export.xlsx", *_sheet_parts(export_rows()))


def wide_sparse_xlsx(folder: Path) -> Path:
    # A cell at the far right of many rows: a reader that pads each row to the widest builds millions of cells.
    head, rows, tail = _sheet_parts(export_rows(), dimension="A1:XFD1048576")
    far = "".join(f'<row r="{r}">{_inline(f"XFD{r}", "3")}</row>' for r in range(20, 4000))
    return _workbook(folder / "wide-sparse.xlsx", head, rows, far, tail)


def huge_cell_xlsx(folder: Path) -> Path:
    rows = export_rows()
    head, body, tail = _sheet_parts(rows)
    huge = f'<row r="{len(rows) + 1}">{_inline(f"B{len(rows) + 1}", "x" * 40_000_000)}</row>'
    return _workbook(folder / "huge-cell.xlsx", head, body, huge, tail)


def whitespace_xlsx(folder: Path) -> Path:
    head, body, tail = _sheet_parts(export_rows())
    return _workbook(folder / "whitespace.xlsx", head, body, *_spaces(300_000_000), tail)


def entity_xlsx(folder: Path) -> Path:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8)
    )
    rows = export_rows()
    rows[1][1] = "&i;"
    head, body, tail = _sheet_parts(rows, prolog=f"<!DOCTYPE worksheet [{entities}]>")
    return _workbook(folder / "entities.xlsx", head, body, tail)


def lying_zip_xlsx(folder: Path) -> Path:
    """A sheet whose zip headers declare 1 KB but which inflates to 200 MB."""
    head, body, tail = _sheet_parts(export_rows())
    path = _workbook(folder / "lying-sizes.xlsx", head, body, *_spaces(200_000_000), tail)
    raw = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            if raw[start + name_offset : start + name_offset + len(name)] == name:
                struct.pack_into("<I", raw, start + size_offset, 1024)
            start += 4
    return _write(path, bytes(raw))


def blank_questionnaire_xlsx(folder: Path) -> Path:
    import subprocess
    import sys

    path = folder / "blank-questionnaire.xlsx"
    script = Path(sys.executable).parent / "qimaturity"
    subprocess.run([str(script), "questionnaire", RUBRIC, "-o", str(path)], check=True, capture_output=True)
    return path


# --- brand files -----------------------------------------------------------------------------------------------
def _png(width: int, height: int) -> bytes:
    """A real, valid greyscale PNG of the given size (all black), compressed as well as zlib can."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _brand(folder: Path, name: str, logo: str) -> Path:
    return _write(folder / name, f"name: Hostile Consulting\nlogo: {logo}\n")


def good_brand(folder: Path) -> Path:
    (folder / "good-logo.png").write_bytes(_png(64, 32))
    return _brand(folder, "good-brand.yaml", "good-logo.png")


def good_answers_json(folder: Path) -> Path:
    return _write(folder / "good-answers.json", json.dumps(_answers(), ensure_ascii=False))


def logo_bomb_brand(folder: Path) -> Path:
    (folder / "logo-bomb.png").write_bytes(_png(13_000, 13_000))
    return _brand(folder, "logo-bomb.yaml", "logo-bomb.png")


def logo_symlink_brand(folder: Path) -> Path:
    link = folder / "logo-link.png"
    link.unlink(missing_ok=True)
    link.symlink_to("/etc/hostname")
    return _brand(folder, "logo-symlink.yaml", "logo-link.png")


def logo_outside_brand(folder: Path) -> Path:
    inner = folder / "brand-outside"
    inner.mkdir(exist_ok=True)
    (folder / "outside-logo.png").write_bytes(_png(10, 10))
    return _brand(inner, "logo-outside.yaml", "../outside-logo.png")


def svg_entities_brand(folder: Path) -> Path:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8)
    )
    svg = f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]><svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text></svg>'
    (folder / "entities.svg").write_text(svg, encoding="utf-8")
    return _brand(folder, "svg-entities.yaml", "entities.svg")


# --- rubrics and mappings --------------------------------------------------------------------------------------
def huge_integer_rubric(folder: Path) -> Path:
    text = (ROOT / "rubrics" / "qi-readiness.yaml").read_text(encoding="utf-8")
    text = text.replace("\nversion:", "\nx-size: " + "9" * 5000 + "\nversion:", 1)
    return _write(folder / "huge-integer-rubric.yaml", text)


def deep_mapping(folder: Path) -> Path:
    return _write(folder / "deep-mapping.yaml", "format: plain\nignore: " + "[" * 100_000 + "]" * 100_000 + "\n")


def huge_integer_mapping(folder: Path) -> Path:
    return _write(folder / "huge-integer-mapping.yaml", "format: plain\nlevels: {3: " + "9" * 5000 + "}\n")


CASES: tuple[Case, ...] = (
    Case("huge-integer.json", huge_integer_json, ANSWERS_COMMANDS, "a whole number of 5,000 digits"),
    Case("huge-integer.yaml", huge_integer_yaml, ANSWERS_COMMANDS, "a whole number of 5,000 digits"),
    Case("deep.json", deep_json, ANSWERS_COMMANDS, "JSON nested 200,000 deep"),
    Case("deep-value.json", deep_value_json, ANSWERS_COMMANDS, "a value nested 100,000 deep"),
    Case("deep.yaml", deep_yaml, ANSWERS_COMMANDS, "YAML nested 100,000 deep"),
    Case("lone-surrogate.json", lone_surrogate_json, ANSWERS_COMMANDS, "a lone surrogate in a name"),
    Case("lone-surrogate.yaml", lone_surrogate_yaml, ANSWERS_COMMANDS, "a lone surrogate in a name"),
    Case("infinite-number.json", infinite_number_json, ANSWERS_COMMANDS, "1e400 in metadata"),
    Case("nul-in-name.json", nul_in_name_json, ANSWERS_COMMANDS, "a NUL character in a name"),
    Case("escape-in-name.json", control_in_name_json, ANSWERS_COMMANDS, "terminal escape sequences in a name"),
    Case("alias-bomb.yaml", alias_bomb_yaml, ANSWERS_COMMANDS, "nested YAML aliases"),
    Case("oversized.yaml", oversized_yaml, ANSWERS_COMMANDS, "over the 5 MiB document limit"),
    Case("deep-fhir.json", deep_fhir, ANSWERS_COMMANDS, "a FHIR Bundle nested 100,000 deep"),
    Case("many-columns.csv", many_columns_csv, EXPORT_COMMANDS + SCORE_EXPORT_COMMANDS, "a million columns"),
    Case("unbalanced-quote.csv", unbalanced_quote_csv, EXPORT_COMMANDS + SCORE_EXPORT_COMMANDS, "a quote never closed"),
    Case("mixed-encoding.csv", mixed_encoding_csv, EXPORT_COMMANDS + SCORE_EXPORT_COMMANDS, "UTF-8 and cp1252 mixed"),
    Case("nul.csv", nul_csv, EXPORT_COMMANDS + SCORE_EXPORT_COMMANDS, "a NUL byte in a cell"),
    Case("qualtrics-deep-import-id.csv", qualtrics_deep_import_id_csv, EXPORT_COMMANDS, "ImportId JSON nested deep"),
    Case("wide-sparse.xlsx", wide_sparse_xlsx, WORKBOOK_COMMANDS, "cells at column XFD of every row"),
    Case("huge-cell.xlsx", huge_cell_xlsx, WORKBOOK_COMMANDS, "one cell of 40 million characters"),
    Case("whitespace.xlsx", whitespace_xlsx, WORKBOOK_COMMANDS, "300 MB of whitespace in a sheet"),
    Case("entities.xlsx", entity_xlsx, WORKBOOK_COMMANDS, "a DOCTYPE with nested entities"),
    Case("lying-sizes.xlsx", lying_zip_xlsx, WORKBOOK_COMMANDS, "zip sizes that lie"),
    Case("blank-questionnaire.xlsx", blank_questionnaire_xlsx, WORKBOOK_COMMANDS, "a questionnaire nobody filled in"),
    Case("logo-bomb.yaml", logo_bomb_brand, BRAND_COMMANDS, "a 13,000 x 13,000 pixel logo"),
    Case("logo-symlink.yaml", logo_symlink_brand, BRAND_COMMANDS, "a logo that is a symlink to /etc/hostname"),
    Case("brand-outside/logo-outside.yaml", logo_outside_brand, BRAND_COMMANDS, "a logo outside the brand's folder"),
    Case("svg-entities.yaml", svg_entities_brand, BRAND_COMMANDS, "an SVG logo with nested entities"),
    Case("huge-integer-rubric.yaml", huge_integer_rubric, RUBRIC_COMMANDS, "a rubric with a 5,000-digit number"),
    Case("deep-mapping.yaml", deep_mapping, MAPPING_COMMANDS, "a mapping nested 100,000 deep"),
    Case("huge-integer-mapping.yaml", huge_integer_mapping, MAPPING_COMMANDS, "a mapping with a 5,000-digit number"),
)


# The files each hostile one is a variation of: every command accepts them (exit 0), so a refusal of a hostile file
# is due to what makes it hostile, not to some other fault of the corpus.
CONTROLS: tuple[Case, ...] = (
    Case(
        "good-answers.json",
        good_answers_json,
        tuple(c for c in ANSWERS_COMMANDS if c[0] != "import"),  # import takes exports, not answers files
        "the example answers as JSON",
    ),
    Case("good-export.csv", good_export_csv, EXPORT_COMMANDS + SCORE_EXPORT_COMMANDS, "the example as a CSV export"),
    Case("good-export.xlsx", good_export_xlsx, WORKBOOK_COMMANDS, "the example as a workbook"),
    Case("good-brand.yaml", good_brand, BRAND_COMMANDS, "a brand file with a small PNG logo"),
)


def build_all(folder: Path) -> dict[str, Path]:
    """Write every file of the corpus, and the controls, into ``folder``; returns the path of each by name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {case.name: case.build(folder) for case in (*CASES, *CONTROLS)}
