"""Where answers come from: answers files, survey and spreadsheet exports, FHIR responses, filled templates.

One entry point for every command that reads answers, so that `score`, `report`, `compare`, `batch` and `import`
accept the same files: an answers file (YAML or JSON), a FHIR QuestionnaireResponse or Bundle (JSON), a filled
questionnaire template (XLSX made by ``qimaturity questionnaire``), or a survey or spreadsheet export (CSV, TSV,
XLSX; with a mapping file where its headers are not the rubric's question ids or texts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as evolve
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qimaturity._core.documents import SourceDocument
from qimaturity._core.extras import ExtraMissing, extra_installed
from qimaturity._core.kinds import (
    ANSWERS_SUFFIXES,
    EXPORT_SUFFIXES,
    input_kind,
    is_export,
    is_json,
    is_yaml,
    suffix_list,
    suffix_of,
)
from qimaturity._core.order import natural_key
from qimaturity._core.problems import InputError, OptionError, Problem
from qimaturity.answers.files import assessment_from_document, check_answers_document, load_assessment
from qimaturity.answers.model import Assessment
from qimaturity.rubric.model import Rubric

if TYPE_CHECKING:
    from qimaturity.answers.exports import ImportOutcome, Rejected


def is_fhir(path: Path) -> bool:
    """A JSON file that names a FHIR resource type near its start."""
    if not is_json(path):
        return False
    try:
        with open(path, "rb") as handle:
            return b'"resourceType"' in handle.read(4096)
    except OSError:
        return False


def is_template(path: Path) -> bool:
    """A workbook made by ``qimaturity questionnaire``: it carries a hidden ``qimaturity`` sheet.

    The workbook is checked against the workbook limits first (:func:`qimaturity._core.workbooks.check_workbook`): a
    hostile one raises :class:`InputError` here, before openpyxl parses it.
    """
    if input_kind(path) != "workbook" or not path.is_file():
        return False
    from qimaturity._core.documents import check_input_file
    from qimaturity._core.limits import MAX_EXPORT_BYTES
    from qimaturity._core.workbooks import sheet_names

    check_input_file(path, str(path), max_bytes=MAX_EXPORT_BYTES, kind="an XLSX workbook", size_hint="split it")
    return "qimaturity" in sheet_names(path, str(path))


def mapping_of(mapping: Mapping[str, Any] | str | Path | None) -> Mapping[str, Any] | None:
    """A mapping file's content: loaded (and checked) from its path, or as given."""
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    from qimaturity.answers.exports import load_mapping

    return load_mapping(mapping)


def import_documents(path: Path, rubric: Rubric, *, mapping: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Answers documents (one per organisation) from a FHIR file, a filled template or an export.

    A file that holds no answer at all (a blank questionnaire template, an empty Bundle) raises
    :class:`InputError`: every command that reads answers says so, rather than scoring nothing.
    """
    documents = _documents(path, rubric, mapping)
    if not documents:
        raise InputError.single(
            str(path),
            "no answers found: the file names no respondent",
            "fill in at least one respondent and their answers",
        )
    return documents


def import_answers(
    export: str | Path,
    rubric: Rubric | str | Path,
    *,
    mapping: Mapping[str, Any] | str | Path | None = None,
    missing: str | None = None,
) -> list[dict[str, Any]]:
    """Answers documents, one per organisation, from what ``qimaturity import`` reads: a survey or spreadsheet
    export (CSV, TSV, XLSX), a filled questionnaire template or FHIR QuestionnaireResponses. ``rubric`` is a rubric,
    a bundled id or a path; ``mapping`` a mapping file (its path or its content) for exports whose headers need
    one. Each document is a dict in the answers-file format, checked against the rubric: what the command writes
    to each answers file, and what :func:`qimaturity.load_assessment` takes. Raises :class:`InputError` with every
    unmappable column and bad cell, each at its row and column. ``missing`` (an export's only) is the missing-answer
    policy of ``qimaturity import --missing``."""
    from qimaturity.rubric.load import as_rubric

    if missing is not None:
        from qimaturity.answers.exports import import_answers as import_export_answers

        _refuse_missing(Path(export))
        return import_export_answers(export, as_rubric(rubric), mapping=mapping_of(mapping), missing=missing)
    return import_documents(Path(export), as_rubric(rubric), mapping=mapping_of(mapping))


def _refuse_missing(path: Path) -> None:
    """--missing is for survey and spreadsheet exports."""
    if not is_export(path) or is_template(path):
        raise OptionError(
            "applies to survey and spreadsheet exports; FHIR responses and filled templates follow the "
            "rubric's scoring.missing",
            option="--missing",
        )


def _documents(path: Path, rubric: Rubric, mapping: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if is_fhir(path):
        from qimaturity.answers.fhir import read_responses

        return read_responses(path, rubric)
    if is_template(path):
        from qimaturity.answers.template import read_template

        return read_template(path, rubric)
    if is_export(path) or input_kind(path) == "old-workbook":
        from qimaturity.answers.exports import import_answers

        return import_answers(path, rubric, mapping=mapping)  # which refuses an old workbook, saying what to do
    if input_kind(path) == "parquet":  # many organisations' respondents: the columnar engine's, not one assessment
        raise InputError.single(
            str(path),
            "a Parquet export (one row per respondent), which only score-export and compare read",
            f"qimaturity score-export RUBRIC {path.name}, or qimaturity compare RUBRIC {path.name}",
        )
    raise InputError.single(
        str(path),
        "not an answers file, export, FHIR response or questionnaire template",
        f"answers files end in {suffix_list(ANSWERS_SUFFIXES)}, exports and templates in "
        f"{suffix_list(EXPORT_SUFFIXES)}: see docs/importing.md",
    )


def load_assessments(path: Path, rubric: Rubric, *, mapping: Mapping[str, Any] | None = None) -> list[Assessment]:
    """Every organisation's checked assessment in a file of any supported kind; raises :class:`InputError`."""
    if is_yaml(path) or (is_json(path) and not is_fhir(path)):
        return [load_assessment(path, rubric)]
    try:
        documents = import_documents(path, rubric, mapping=mapping)
    except ExtraMissing as error:  # this file's problem: the other files of a folder are still read
        raise InputError([error.problem(str(path))]) from None
    assessments = []
    problems = []
    for document in documents:
        doc = SourceDocument(str(path), document)
        found = check_answers_document(doc, rubric)
        if found:
            problems.extend(found)
        else:
            assessments.append(assessment_from_document(doc, checked_with=rubric))
    if problems:
        raise InputError(problems)
    return assessments


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_to` did: the answers files written, the organisations rejected (with their problems),
    and the rejects file written for them (None when none was rejected)."""

    written: tuple[Path, ...]
    rejected: tuple[Rejected, ...] = ()
    problems: tuple[Problem, ...] = ()
    rejects: Path | None = None
    notes: tuple[str, ...] = ()
    """What may surprise: an organisation that has several assessments, one per date."""

    def __post_init__(self) -> None:
        # Listed in natural order of their names (org-6 before org-10), whichever reader made them in which order.
        object.__setattr__(self, "written", tuple(sorted(self.written, key=lambda path: natural_key(path.name))))


def default_rejects(output: Path) -> Path:
    """Where the rejected rows go by default: beside the output, ``answers/`` -> ``answers.rejects.csv``,
    ``eastfield.yaml`` -> ``eastfield.rejects.csv`` (never inside the answers folder, whose exports are read)."""
    if suffix_of(output) in ANSWERS_SUFFIXES and not output.is_dir():
        return output.with_name(output.name[: -len(suffix_of(output))] + ".rejects.csv")
    return output.with_name(output.name + ".rejects.csv")


def import_to(
    path: Path,
    rubric: Rubric,
    output: Path,
    *,
    mapping: Mapping[str, Any] | str | Path | None = None,
    strict: bool = False,
    missing: str | None = None,
    rejects: Path | None = None,
    replace: bool = False,
) -> ImportReport:
    """What ``qimaturity import`` does. A survey or spreadsheet export is imported organisation by organisation:
    the organisations without problems are written (as :func:`import_files` writes them), and the rows of the
    others go to ``rejects`` (default: :func:`default_rejects`), each with the reason. A problem of the whole
    export, or any problem with ``strict``, writes nothing and raises :class:`InputError`, as do problems with a
    FHIR file or a filled template. ``missing`` replaces the rubric's ``scoring.missing`` (see
    :func:`qimaturity.answers.exports.import_answers`). An answers file already in ``output`` that holds another
    assessment (another date, other answers) is never replaced unless ``replace``: nothing at all is written, and
    :class:`qimaturity.answers.exports.AnswersClash` (an :class:`InputError`) names each such file; importing the
    same export again writes the same files."""
    report = _import_to(path, rubric, output, mapping_of(mapping), strict, missing, rejects, replace)
    target = rejects if rejects is not None else default_rejects(output)
    if not report.rejected and target.is_file():
        # Not removed (it may be on its way back, being corrected), but not to be taken for this import's.
        stale = f"{target} is from an earlier import: this one rejected nothing"
        report = evolve(report, notes=(*report.notes, stale))
    return report


def _import_to(
    path: Path,
    rubric: Rubric,
    output: Path,
    mapping: Mapping[str, Any] | None,
    strict: bool,
    missing: str | None,
    rejects: Path | None,
    replace: bool = False,
) -> ImportReport:
    from qimaturity.answers.exports import assessment_names, dump_answers, import_export, write_answer_texts

    if strict or not (is_export(path) and not is_template(path)):
        paths, notes = _import_files(path, rubric, output, mapping, missing, replace)
        return ImportReport(tuple(paths), notes=tuple(notes))
    if _columnar(path):
        from qimaturity.answers.columnar import Split, columnar_answers

        json_single = is_json(output) and not output.is_dir()
        found = columnar_answers(
            path, rubric, mapping, source=path.name, json_single=json_single, missing=missing, partial=True
        )
        if isinstance(found, Split):
            # The organisations without problems come from the columnar importer; the row importer reads only the
            # rows of the others, and reports them (or, rarely, finds nothing wrong and imports them).
            outcome = import_export(path, rubric, mapping=mapping, missing=missing, rows=found.rows)
            names = [*found.ids, *assessment_names(outcome.documents)]
            every = chain(found.texts, (dump_answers(d, source=path.name) for d in outcome.documents))
            count = len(found.ids) + outcome.assessments
            written: tuple[Path, ...] = ()
            if names:
                written = tuple(write_answer_texts(names, every, output, source=path.name, of=count, replace=replace))
            return _with_rejects(written, outcome, output, rejects)
        if isinstance(found, tuple):
            ids, texts = found
            return ImportReport(tuple(write_answer_texts(ids, texts, output, source=path.name, replace=replace)))
    outcome = import_export(path, rubric, mapping=mapping, missing=missing)
    return _with_rejects(_write_documents(outcome, output, path.name, replace), outcome, output, rejects)


def _write_documents(outcome: ImportOutcome, output: Path, source: str, replace: bool) -> tuple[Path, ...]:
    from qimaturity.answers.exports import write_answers

    if not outcome.documents:
        return ()
    return tuple(write_answers(outcome.documents, output, source=source, of=outcome.assessments, replace=replace))


def _with_rejects(
    written: tuple[Path, ...], outcome: ImportOutcome, output: Path, rejects: Path | None
) -> ImportReport:
    """The report of an import that may have rejected organisations: their rows written to ``rejects``."""
    from qimaturity.answers.exports import write_rejects

    target = None
    if outcome.rejected:
        target = write_rejects(outcome, rejects if rejects is not None else default_rejects(output))
    notes = tuple(assessment_notes(outcome.documents))
    return ImportReport(written, outcome.rejected, outcome.problems, target, notes)


def _columnar(path: Path) -> bool:
    """Whether the columnar importer reads ``path``: delimited text, with the scale extra (Polars). Without it the
    row importer reads the export, and writes the same files, only more slowly."""
    return input_kind(path) == "delimited" and extra_installed("scale")


def import_files(
    path: Path,
    rubric: Rubric,
    output: Path,
    *,
    mapping: Mapping[str, Any] | str | Path | None = None,
    missing: str | None = None,
    replace: bool = False,
) -> list[Path]:
    """What ``qimaturity import`` does: answers files from a FHIR file, a filled template or an export, written as
    :func:`qimaturity.answers.exports.write_answers` says; returns the paths written. ``mapping`` is a mapping file
    (its path or its content). An existing answers file of another assessment is replaced only with ``replace``
    (see :func:`import_to`).

    A CSV or TSV export of the common shape is read by the columnar importer, which writes the same files as the
    row importer at the speed of ``score-export`` and, when the export has problems, leaves to the row importer
    only the rows it needs to report them (see :mod:`qimaturity.answers.columnar`).
    """
    return _import_files(path, rubric, output, mapping_of(mapping), missing, replace)[0]


def _import_files(
    path: Path,
    rubric: Rubric,
    output: Path,
    mapping: Mapping[str, Any] | None,
    missing: str | None,
    replace: bool = False,
) -> tuple[list[Path], list[str]]:
    """import_files, and the notes on what it wrote (see :func:`assessment_notes`)."""
    from qimaturity.answers.exports import import_answers, write_answer_texts, write_answers

    if _columnar(path):
        from qimaturity.answers.columnar import columnar_answers

        json_single = is_json(output) and not output.is_dir()
        found = columnar_answers(path, rubric, mapping, source=path.name, json_single=json_single, missing=missing)
        if isinstance(found, frozenset):
            # raises InputError with every problem
            import_answers(path, rubric, mapping=mapping, rows=found, missing=missing)
            # The rows it read had none: the columnar checks were more careful than the row importer. Read it all.
        elif found is not None:
            return write_answer_texts(found[0], found[1], output, source=path.name, replace=replace), []
    if missing is not None:
        _refuse_missing(path)
        documents = import_answers(path, rubric, mapping=mapping, missing=missing)
    else:
        documents = import_documents(path, rubric, mapping=mapping)
    return write_answers(documents, output, source=path.name, replace=replace), assessment_notes(documents)


def assessment_notes(documents: Sequence[Mapping[str, Any]]) -> list[str]:
    """A note for each organisation with several assessments (several dates) among ``documents``."""
    dates: dict[str, list[str]] = {}
    for document in documents:
        dates.setdefault(str(document["organisation"]["id"]), []).append(str(document.get("date", "")))
    return [
        f"organisation '{org}' has {len(days)} assessments, one per date ({', '.join(sorted(days))}): rows of an "
        "organisation with different assessment dates are different assessments (if the date column holds the day "
        "each respondent answered, map it as date: {column: ..., kind: response} - see docs/importing.md)"
        for org, days in dates.items()
        if len(days) > 1
    ]
