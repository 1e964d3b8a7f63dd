"""Which kind of input a file is, by its name's suffix (in any case): one home for every command and reader.

docs/importing.md documents these; every command that reads answers (``import``, ``score``, ``explain``,
``report``, ``compare``, ``batch``) takes the same kinds, and ``score-export`` its own two:

- **answers files**: ``.yaml``, ``.yml``, ``.json`` (a ``.json`` file may instead hold FHIR QuestionnaireResponses,
  told by its content);
- **delimited exports**: ``.csv``, ``.tsv``, ``.tab``, ``.txt`` (the delimiter is told by the header row);
- **workbooks**: ``.xlsx``, ``.xlsm`` (an export, or a filled questionnaire template);
- **old Excel workbooks**: ``.xls``, which no command reads: each refuses it with :data:`OLD_WORKBOOK`;
- for ``score-export``: ``.csv`` (read by Polars, comma-separated) and Parquet (``.parquet``, ``.pq``); ``compare``
  reads a Parquet export (a national archive) with the same columnar engine.
"""

from __future__ import annotations

from os import PathLike
from pathlib import PurePath
from typing import Final, Literal

YAML_SUFFIXES: Final = (".yaml", ".yml")
JSON_SUFFIX: Final = ".json"
ANSWERS_SUFFIXES: Final = (*YAML_SUFFIXES, JSON_SUFFIX)
DELIMITED_SUFFIXES: Final = (".csv", ".tsv", ".tab", ".txt")
WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm")
EXPORT_SUFFIXES: Final = DELIMITED_SUFFIXES + WORKBOOK_SUFFIXES
OLD_WORKBOOK_SUFFIXES: Final = (".xls",)
COLUMNAR_CSV_SUFFIXES: Final = (".csv",)
PARQUET_SUFFIXES: Final = (".parquet", ".pq")

OLD_WORKBOOK: Final = "old Excel workbooks (.xls) cannot be read"
"""The refusal of an ``.xls`` file, by every command; the hint says what the command can read instead."""
OLD_WORKBOOK_HINT: Final = "save it as .xlsx or CSV"

Kind = Literal["answers", "delimited", "workbook", "old-workbook", "parquet"]


def suffix_of(path: str | PathLike[str]) -> str:
    """A file name's suffix, lower-cased (``.CSV`` is ``.csv``); empty when it has none."""
    return PurePath(path).suffix.lower()


def input_kind(path: str | PathLike[str]) -> Kind | None:
    """The kind of input a file's name says it is, or None when its suffix is none of the above."""
    suffix = suffix_of(path)
    if suffix in ANSWERS_SUFFIXES:
        return "answers"
    if suffix in DELIMITED_SUFFIXES:
        return "delimited"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    if suffix in OLD_WORKBOOK_SUFFIXES:
        return "old-workbook"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return None


def is_yaml(path: str | PathLike[str]) -> bool:
    return suffix_of(path) in YAML_SUFFIXES


def is_json(path: str | PathLike[str]) -> bool:
    return suffix_of(path) == JSON_SUFFIX


def is_export(path: str | PathLike[str]) -> bool:
    """A survey or spreadsheet export that ``import`` reads: delimited text or a workbook."""
    return input_kind(path) in ("delimited", "workbook")


def suffix_list(suffixes: tuple[str, ...]) -> str:
    """The suffixes in words: ``.csv, .tsv, .tab or .txt``."""
    return ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
