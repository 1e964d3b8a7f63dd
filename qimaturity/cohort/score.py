"""Scoring answers files: the files a command names (a folder standing for the files in it), against one rubric or
against several versions of it, each file with the version its answers were given to; and one organisation's
answers, from a file or from memory, for the commands that take one."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

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
    workers: int | None = 1,
    columnar: bool = False,
) -> tuple[list[Result], list[Problem]]:
    """Score every answers file (or export, FHIR file, filled template; a folder stands for the files in it, see
    :func:`answer_files`); bad files give problems while the others are still scored.

    ``rubric`` may be several versions of one rubric: each file is then scored with the version it declares (the
    first when it declares none, or one not given). ``targets``, ``default_target`` and ``what_if`` are as for
    :func:`qimaturity.scoring.engine.score`; ``mapping`` is a mapping file (its path, or its loaded content) for
    exports. Without ``keep_details`` each result is kept slim (see :meth:`Result.slim`), which is all a cohort
    comparison needs. ``progress`` is called as ``progress(done, total, None)``: once with no file done, then after
    each file (as a batch's progress callback is). ``workers`` processes share the files as for
    :func:`iter_rendered` (None: one per CPU). An empty folder or a bad mapping file raises :class:`InputError`. To
    handle each result as it is made, without holding them all, use :func:`iter_scores`.
    With ``columnar``, a Parquet export is read too, by the columnar engine (:func:`export_results`: every
    assessment in it, without per-answer records), as a cohort needs; without it, it is refused as before.
    """
    results: list[Result] = []
    problems: list[Problem] = []
    options: dict[str, Any] = {
        "targets": targets,
        "default_target": default_target,
        "what_if": what_if,
        "mapping": mapping,
    }
    items: Iterator[Result | Problem]
    if workers == 1:
        items = iter_scores(rubric, paths, keep_details=keep_details, progress=progress, columnar=columnar, **options)
    else:
        # A slim result is small to send back from a worker; a full one costs about a quarter of its scoring.
        render = _same if keep_details else _slim
        items = iter_rendered(
            rubric,
            paths,
            render,
            workers=workers,
            progress=progress,
            columnar=columnar,
            details=keep_details,
            **options,
        )
    for item in items:
        if isinstance(item, Result):
            results.append(item)
        else:
            problems.append(item)
    return results, problems


def iter_scores(
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
) -> Iterator[Result | Problem]:
    """:func:`score_files` one file at a time: each result as soon as it is scored, and each bad file's problems
    in its place, so that memory stays flat however many files there are. The files are listed (and an empty
    folder or a bad mapping file refused) when the first item is asked for. ``progress`` and ``columnar`` are as
    for :func:`score_files`."""
    # A slim result keeps nothing that explains the numbers: scored without it (the same slim result, faster).
    job = _Job.of(rubric, paths, targets, default_target, what_if, mapping, columnar, keep_details)
    total = len(job.files)
    if progress is not None:
        progress(0, total, None)
    for done, path in enumerate(job.files, start=1):
        for item in job.items(path):
            yield item if keep_details or not isinstance(item, Result) else item.slim()
        if progress is not None:
            progress(done, total, None)


T = TypeVar("T")

POOL_FROM = 64
"""The fewest files :func:`iter_rendered` shares among worker processes: below it, starting them costs more."""


def iter_rendered(
    rubric: Rubric | Sequence[Rubric],
    paths: Iterable[str | Path],
    render: Callable[[Result], T],
    *,
    workers: int | None = 1,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    progress: Callable[[int, int, None], None] | None = None,
    columnar: bool = False,
    details: bool = True,
) -> Iterator[T | Problem]:
    """:func:`iter_scores` with each result passed through ``render`` (e.g. to its JSON or CSV text), in the
    files' order. With ``workers`` above 1 (None: one per CPU) and at least :data:`POOL_FROM` files, that many
    processes score and render the files, and only what ``render`` returns travels back, so that a result's
    objects are never copied between processes; where the system cannot fork, or with fewer files, all runs
    here. ``progress`` and ``columnar`` are as for :func:`score_files`. Without ``details`` the results are scored
    without their traces and answer records (see :func:`qimaturity.scoring.engine.score`), for a ``render`` that
    does not show them (JSON without traces)."""
    import multiprocessing
    import os

    job = _Job.of(rubric, paths, targets, default_target, what_if, mapping, columnar, details)
    total = len(job.files)
    if progress is not None:
        progress(0, total, None)
    count = min(workers or os.cpu_count() or 1, total)
    if count <= 1 or total < POOL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for done, path in enumerate(job.files, start=1):
            yield from (render(item) if isinstance(item, Result) else item for item in job.items(path))
            if progress is not None:
                progress(done, total, None)
        return
    # Forked workers inherit the loaded rubrics and the job as they are: nothing is pickled but paths and what
    # render returns. imap keeps the files' order; its results wait for the caller only as far as the workers
    # outrun it, and writing a result's text takes a fraction of scoring it (measured: memory stays flat).
    context = multiprocessing.get_context("fork")
    with context.Pool(count, initializer=_start_worker, initargs=(job, render)) as pool:
        for done, items in enumerate(pool.imap(_worker_items, job.files, chunksize=4), start=1):
            yield from items
            if progress is not None:
                progress(done, total, None)


def _same(result: Result) -> Result:
    return result


def _slim(result: Result) -> Result:
    return result.slim()


_WORKER: tuple[_Job, Callable[[Result], Any]] | None = None


def _start_worker(job: _Job, render: Callable[[Result], Any]) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends the pool
    _WORKER = (job, render)


def _worker_items(path: Path) -> list[Any]:
    assert _WORKER is not None
    job, render = _WORKER
    return [render(item) if isinstance(item, Result) else item for item in job.items(path)]


@dataclass(frozen=True)
class _Job:
    """What scoring a list of files needs: the rubrics by version, the mapping, the options and the files."""

    rubrics: tuple[Rubric, ...]
    mapping: Mapping[str, Any] | None
    targets: Mapping[str, int] | None
    default_target: int | None
    what_if: Mapping[str, int] | None
    files: tuple[Path, ...]
    columnar: bool = False
    details: bool = True
    """False: results without traces or answer records (their JSON without traces is the same)."""

    @classmethod
    def of(
        cls,
        rubric: Rubric | Sequence[Rubric],
        paths: Iterable[str | Path],
        targets: Mapping[str, int] | None,
        default_target: int | None,
        what_if: Mapping[str, int] | None,
        mapping: Mapping[str, Any] | str | Path | None,
        columnar: bool = False,
        details: bool = True,
    ) -> _Job:
        from qimaturity.answers.sources import mapping_of

        rubrics = (rubric,) if isinstance(rubric, Rubric) else tuple(rubric)
        loaded = mapping_of(mapping)
        files = tuple(answer_files([str(p) for p in paths], exports=loaded is not None))
        return cls(rubrics, loaded, targets, default_target, what_if, files, columnar, details)

    def items(self, path: Path) -> Iterator[Result | Problem]:
        """The results of one file's assessments, each as it is scored, or the file's problems."""
        from qimaturity.answers.sources import load_assessments

        chosen = self.rubrics[0]
        if self.columnar and input_kind(path) == "parquet":
            try:
                yield from export_results(chosen, path, targets=self.targets, default_target=self.default_target)
            except InputError as error:
                yield from error.problems
            return
        if len(self.rubrics) > 1:
            # Reading the declared version costs a second parse of the file: only worth it when there is a choice.
            chosen = {r.version: r for r in self.rubrics}.get(declared_version(path) or "", chosen)
        try:
            assessments = load_assessments(path, chosen, mapping=self.mapping)
        except InputError as error:
            yield from error.problems
            return
        for assessment in assessments:
            yield score(
                chosen,
                assessment,
                targets=self.targets,
                default_target=self.default_target,
                what_if=self.what_if,
                details=self.details,
            )


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
