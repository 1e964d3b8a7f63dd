"""Scoring answers files: the files a command names (a folder standing for the files in it), against one rubric or
against several versions of it, each file with the version its answers were given to; and one organisation's
answers, from a file or from memory, for the commands that take one."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from qimaturity._core.documents import parse_yaml, read_text, strict_json
from qimaturity._core.kinds import (
    ANSWERS_SUFFIXES,
    EXPORT_SUFFIXES,
    OLD_WORKBOOK_SUFFIXES,
    PARQUET_SUFFIXES,
    input_kind,
    is_json,
    suffix_list,
    suffix_of,
)
from qimaturity._core.problems import InputError, OptionError, Problem
from qimaturity.answers.model import Assessment
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.engine import score
from qimaturity.scoring.result import Result


def declared_version(path: Path) -> str | None:
    """The rubric version an answers file says it was given to (None when it does not say or cannot be read)."""
    try:
        text = read_text(path)
        data = strict_json(text) if is_json(path) else parse_yaml(text, str(path)).data
    except (InputError, ValueError, OSError):
        return None
    rubric = data.get("rubric") if isinstance(data, dict) else None
    version = rubric.get("version") if isinstance(rubric, dict) else None
    return version if isinstance(version, str) else None


def answer_files(paths: Sequence[str], *, exports: bool = False) -> list[Path]:
    """Answers files from paths; a folder stands for the answers files directly inside it, sorted by name (and
    the exports in it too, with ``exports``, i.e. when a mapping is given: old ``.xls`` workbooks among them, so
    that they are refused, saying what to do, rather than passed over)."""
    readable = ANSWERS_SUFFIXES + (EXPORT_SUFFIXES if exports else ())
    suffixes = readable + (OLD_WORKBOOK_SUFFIXES if exports else ())
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if suffix_of(p) in suffixes and p.is_file())
            if not found:
                raise InputError.single(
                    text, "the folder holds no answers files", f"expected {suffix_list(readable)} files"
                )
            files.extend(found)
        else:
            files.append(path)
    return files


def score_files(
    rubric: Rubric | Sequence[Rubric],
    paths: Iterable[str | Path],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    keep_details: bool = True,
    progress: Callable[[int, int, None], None] | None = None,
    columnar: bool = False,
) -> tuple[list[Result], list[Problem]]:
    """Score every answers file (or export, FHIR file, filled template; a folder stands for the files in it, see
    :func:`answer_files`); bad files give problems while the others are still scored.

    ``rubric`` may be several versions of one rubric: each file is then scored with the version it declares (the
    first when it declares none, or one not given). ``targets``, ``default_target`` and ``what_if`` are as for
    :func:`qimaturity.scoring.engine.score`; ``mapping`` is a mapping file (its path, or its loaded content) for
    exports. Without ``keep_details`` each result is kept slim (see :meth:`Result.slim`), which is all a cohort
    comparison needs. ``progress`` is called as ``progress(done, total, None)``: once with no file done, then after
    each file (as a batch's progress callback is). An empty folder or a bad mapping file raises :class:`InputError`.
    With ``columnar``, a Parquet export is read too, by the columnar engine (:func:`export_results`: every
    assessment in it, without per-answer records), as a cohort needs; without it, it is refused as before.
    """
    from qimaturity.answers.sources import load_assessments, mapping_of

    rubrics = [rubric] if isinstance(rubric, Rubric) else list(rubric)
    by_version = {r.version: r for r in rubrics}
    mapping = mapping_of(mapping)
    files = answer_files([str(p) for p in paths], exports=mapping is not None)
    results: list[Result] = []
    problems: list[Problem] = []
    if progress is not None:
        progress(0, len(files), None)
    for done, path in enumerate(files, start=1):
        # Reading the declared version costs a second parse of the file: only worth it when there is a choice.
        if columnar and input_kind(path) == "parquet":
            try:
                found = export_results(rubrics[0], path, targets=targets, default_target=default_target)
            except InputError as error:
                problems.extend(error.problems)
                found = []
            results.extend(found if keep_details else (r.slim() for r in found))
            if progress is not None:
                progress(done, len(files), None)
            continue
        chosen = by_version.get(declared_version(path) or "", rubrics[0]) if len(rubrics) > 1 else rubrics[0]
        try:
            assessments = load_assessments(path, chosen, mapping=mapping)
        except InputError as error:
            problems.extend(error.problems)
            assessments = []
        for assessment in assessments:
            result = score(chosen, assessment, targets=targets, default_target=default_target, what_if=what_if)
            results.append(result if keep_details else result.slim())
        if progress is not None:
            progress(done, len(files), None)
    return results, problems


def export_results(
    rubric: Rubric,
    path: Path,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    organisations: Collection[str] | None = None,
) -> Sequence[Result]:
    """Every assessment's result in a respondent export read by the columnar engine (what ``score-export``
    reads: a Parquet archive of one row per respondent, any number of organisations and dates), built one by one
    as they are taken. Each result carries its intervals (measured in the counting pass), which trends and the
    movement between levels need. Memory grows with the assessments, not the respondents. Raises
    :class:`InputError` with the export's problems, or when Polars (the scale extra) is not installed.
    ``organisations`` reads only theirs (see :func:`qimaturity.scoring.columnar.score_export`)."""
    try:
        from qimaturity.scoring.columnar import score_export
    except ModuleNotFoundError as error:
        if error.name != "polars":
            raise
        raise InputError.single(
            str(path),
            f"{suffix_list(PARQUET_SUFFIXES)} exports need the scale extra (Polars)",
            "pip install 'qimaturity[scale]'",
        ) from None
    return score_export(
        rubric, path, targets=targets, default_target=default_target, intervals=True, organisations=organisations
    )


AnswersOrResults = str | Path | Iterable[str | Path | Result]
"""Answers files or folders (a folder stands for the answers files in it), results already scored, or a mix."""


def scored_results(
    rubric: Rubric | Sequence[Rubric],
    answers: AnswersOrResults,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    keep_details: bool = True,
) -> list[Result]:
    """The results of answers files and folders (see :func:`score_files`; a Parquet export gives every assessment
    in it), then the results given as such; raises :class:`InputError` with every bad file's problems."""
    paths: list[str | Path] = []
    results: list[Result] = []
    for item in [answers] if isinstance(answers, str | Path) else answers:
        if isinstance(item, Result):
            results.append(item)
        else:
            paths.append(item)
    if not paths:
        return results
    scored, problems = score_files(
        rubric,
        paths,
        targets=targets,
        default_target=default_target,
        mapping=mapping,
        keep_details=keep_details,
        columnar=True,
    )
    if problems:
        raise InputError(problems)
    return [*scored, *results]


def score_one(
    rubric: Rubric,
    answers: str | Path | Mapping[str, Any] | Assessment | Result,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
) -> Result:
    """One organisation's result: from an answers file or any other source :func:`score_files` reads (a file that
    holds several organisations is refused), an answers document as a mapping, an :class:`Assessment`, or a
    :class:`Result` (returned as it is). Raises :class:`InputError` with every problem found."""
    if isinstance(answers, Result):
        if targets or default_target is not None or what_if:
            raise OptionError("targets, default_target and what_if apply when scoring: this result is scored already")
        return answers
    if isinstance(answers, Mapping | Assessment):
        from qimaturity.answers.files import load_assessment

        assessment = answers if isinstance(answers, Assessment) else load_assessment(answers, rubric)
        return score(rubric, assessment, targets=targets, default_target=default_target, what_if=what_if)
    results, problems = score_files(
        rubric, [answers], targets=targets, default_target=default_target, what_if=what_if, mapping=mapping
    )
    if problems:
        raise InputError(problems)
    if len(results) > 1:
        names = ", ".join(r.organisation.id for r in results)
        raise InputError.single(
            str(answers),
            f"holds {len(results)} organisations ({names}); this command takes one",
            "split it with qimaturity import, or use compare or batch",
        )
    return results[0]
