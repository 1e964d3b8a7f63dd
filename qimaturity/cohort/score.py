"""Scoring answers files: the files a command names (a folder standing for the files in it), against one rubric or
against several versions of it, each file with the version its answers were given to; and one organisation's
answers, from a file or from memory, for the commands that take one."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from qimaturity._core.documents import parse_yaml, read_text, strict_json
from qimaturity._core.extras import ExtraMissing, extra_imports, extra_installed
from qimaturity._core.kinds import (
    ANSWERS_SUFFIXES,
    EXPORT_SUFFIXES,
    JSON_SUFFIX,
    OLD_WORKBOOK_SUFFIXES,
    WORKBOOK_SUFFIXES,
    input_kind,
    is_json,
    suffix_list,
    suffix_of,
)
from qimaturity._core.order import natural_parts_key
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


def answer_files(paths: Sequence[str], *, exports: bool = False, recursive: bool = True) -> list[Path]:
    """Answers files from paths: :func:`list_answer_files` without its notes."""
    return list_answer_files(paths, exports=exports, recursive=recursive)[0]


def list_answer_files(
    paths: Sequence[str], *, exports: bool = False, recursive: bool = True
) -> tuple[list[Path], list[str]]:
    """Answers files from paths, and notes on the files of folders passed over. A file given is taken as it is; a
    folder stands for the answers files in it and, with ``recursive``, in its subfolders (``national/`` for
    ``national/2025/`` and ``national/2026/``), in natural order (``org-2`` before ``org-10``); with ``exports``
    (i.e. when a mapping is given) the exports in them too, old ``.xls`` workbooks among them, so that they are
    refused, saying what to do, rather than passed over.

    In a folder, files that are not answers are passed over with a note saying what each is rather than refused:
    an import's rejects file (``OUT.rejects.csv``, or any export whose last column is ``qimaturity_rejected``), a
    table of results, and YAML or JSON documents of another kind (see :func:`document_kind`: a mapping file, a
    rubric, a brand file, a result...). Without ``exports``, a folder's questionnaire templates and other exports
    are noted too, saying how to read them. A
    folder never leads out of itself: a symlink to a file outside it, a symlink to a folder (read where it is, not
    through the link) and a symlink to nothing are passed over with a note; hidden subfolders (``.git``) are not
    entered. A folder with no answers files raises :class:`InputError`."""
    readable = ANSWERS_SUFFIXES + (EXPORT_SUFFIXES if exports else ())
    suffixes = readable + (OLD_WORKBOOK_SUFFIXES if exports else ())
    # Without a mapping, a folder's workbooks and delimited files are passed over with a note saying what each is
    # and how to read it (.txt files, often not data, silently).
    unread = () if exports else (*WORKBOOK_SUFFIXES, ".csv", ".tsv", ".tab", *OLD_WORKBOOK_SUFFIXES)
    files: list[Path] = []
    notes: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            passed: list[str] = []
            found = _folder_files(path, suffixes, recursive, passed, unread)
            notes.extend(
                sorted(passed, key=lambda note: natural_parts_key(Path(note.split(": passed over: ")[0]).parts))
            )
            if not found:
                hint = f"expected {suffix_list(readable)} files"
                if not recursive and any(_is_folder(p) for p in path.iterdir()):
                    hint += "; its subfolders are not read here, so give each of them, e.g. one per year"
                kinds = list(dict.fromkeys(note.split(": passed over: ")[-1] for note in passed))
                if kinds:
                    hint += "; passed over: " + "; ".join(kinds[:3]) + (" and others" if len(kinds) > 3 else "")
                raise InputError.single(text, "the folder holds no answers files", hint)
            files.extend(found)
        else:
            files.append(path)
    return files, notes


def _folder_files(
    root: Path, suffixes: Sequence[str], recursive: bool, notes: list[str], unread: Sequence[str] = ()
) -> list[Path]:
    """The files of ``root`` (and its subfolders with ``recursive``) with these suffixes, in natural order; what
    is passed over is noted. Files with the ``unread`` suffixes (exports when no mapping is given) are looked at:
    filled questionnaire templates are listed, the others noted."""
    try:
        inside = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return []
    found: list[Path] = []
    linked: list[Path] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            notes.append(f"{folder}: passed over: the folder cannot be read ({error.strerror})")
            continue
        for entry in entries:
            # The suffix from the name as it is (a folder of thousands of files: no path object for the others)
            suffix = os.path.splitext(entry.name)[1].lower()
            if entry.is_symlink():
                path = Path(entry.path)
                if suffix in suffixes or _is_folder(path):
                    _symlink(path, inside, suffixes, linked, notes)
                continue
            if entry.is_dir(follow_symlinks=False):
                if recursive and not entry.name.startswith("."):
                    folders.append(Path(entry.path))
            elif suffix in suffixes and entry.is_file(follow_symlinks=False):
                _listed(Path(entry.path), found, notes)
            elif suffix in unread and entry.is_file(follow_symlinks=False):
                _unread_export(Path(entry.path), found, notes)
    if linked:
        # A link to a file listed already is that file: it counts once.
        real = {path.resolve() for path in found}
        found.extend(path for path in linked if path.resolve() not in real)
    start = len(root.parts)
    return sorted(found, key=lambda p: natural_parts_key(p.parts[start:]))


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _symlink(path: Path, inside: Path, suffixes: Sequence[str], found: list[Path], notes: list[str]) -> None:
    """A symlink in a listed folder: its file is listed only when it lies inside the folder given."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        notes.append(f"{path}: passed over: a symlink to nothing")
        return
    if target.is_dir():
        notes.append(f"{path}: passed over: a symlink to a folder (give the folder itself to read it)")
    elif not target.is_relative_to(inside):
        notes.append(f"{path}: passed over: a symlink to a file outside the folder given (give the file itself)")
    elif suffix_of(path) in suffixes and target.is_file():
        _listed(path, found, notes)


def _listed(path: Path, found: list[Path], notes: list[str]) -> None:
    """List a file of a folder, unless it is an import's rejects file, a results table, or a YAML or JSON document
    of another kind than answers (a mapping file, a rubric, a brand file, a result...): those are noted."""
    if _is_rejects(path):
        notes.append(
            f"{path}: passed over: the rows an import rejected (correct them and import the file again, into "
            "answers files)"
        )
    elif _is_results_table(path):
        notes.append(f"{path}: passed over: a table of results (score's CSV output)")
    elif (kind := document_kind(path)) is not None:
        notes.append(f"{path}: passed over: {kind}")
    else:
        found.append(path)


def _unread_export(path: Path, found: list[Path], notes: list[str]) -> None:
    """A workbook or delimited file in a folder read without a mapping: noted, saying what it is and how to read it.
    A questionnaire template is not read either: a blank one (the questionnaire written beside the answers) is
    common, and only reading it with the rubric would tell it from a filled one."""
    from qimaturity.answers.sources import is_template

    if _is_rejects(path):
        _listed(path, found, notes)
        return
    if _is_results_table(path):
        notes.append(f"{path}: passed over: a table of results (score's CSV output)")
        return
    try:
        template = is_template(path)
    except InputError as error:
        notes.append(f"{path}: passed over: a workbook that cannot be read ({error.problems[0].message})")
        return
    if template:
        notes.append(
            f"{path}: passed over: a questionnaire template (give the file itself to read its answers, or import "
            "it: qimaturity import RUBRIC FILE -o answers/)"
        )
    else:
        notes.append(
            f"{path}: passed over: a survey or spreadsheet export, read in a folder only with --mapping (give "
            "--mapping MAP.yaml, or give the file itself, or import it: qimaturity import RUBRIC FILE -o answers/)"
        )


REJECTS_SUFFIX = ".rejects.csv"


def _is_rejects(path: Path) -> bool:
    """An import's rejects file: named ``*.rejects.csv``, or a delimited export whose header ends in the reason
    column."""
    if path.name.casefold().endswith(REJECTS_SUFFIX):
        return True
    if input_kind(path) != "delimited":
        return False
    from qimaturity.answers.exports import REJECTED_COLUMN

    first = _first_line(path)
    return first.endswith(REJECTED_COLUMN.encode()) or first.endswith(f'"{REJECTED_COLUMN}"'.encode())


def _first_line(path: Path) -> bytes:
    return _head(path, 4096).split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")


def _is_results_table(path: Path) -> bool:
    """A CSV of results as ``score`` writes it (its header is the results table's)."""
    if input_kind(path) != "delimited":
        return False
    from qimaturity.scoring.tables import COLUMNS

    return _first_line(path).startswith(",".join(COLUMNS[:6]).encode())


DOCUMENT_PEEK = 4096
"""Bytes of a YAML or JSON file in a folder read to tell answers from other documents by their top-level keys."""
GIVEN_PEEK = 8 * 1024 * 1024
"""Bytes of a file given by name, refused as answers, read to say what it is (every key of most documents)."""
_YAML_KEY = re.compile(rb"""^(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z_][A-Za-z0-9_.-]*))[ \t]*:(?:[ \t]|\r?$)""", re.M)
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:]')
_JSON_FIRST_KEY = re.compile(rb'^\s*\{\s*"([^"\\]*)"\s*:')
_ANSWERS_FIRST = frozenset({b"rubric", b"respondents", b"answers", b"resourceType"})
_NOT_A_KEY = (b" ", b"\t", b"-", b"#", b"", b"\r")
_ANSWERS_HEADS = frozenset({"rubric", "respondents", "answers"})


def _top_keys(head: bytes, whole: bool, json: bool) -> tuple[list[str], bool]:
    """The top-level keys ``head`` shows of a YAML or JSON document (of its first item, when it is a JSON list),
    and whether it is a JSON list."""
    if not json:
        if not whole:
            head = head.rsplit(b"\n", 1)[0]  # the last line may be cut
        # A top-level key starts a line (an indented line, a list item or a comment is no key of the top).
        lines = [line for line in head.split(b"\n") if line[:1] not in _NOT_A_KEY]
        return [(a or b or c).decode("utf-8", "replace") for a, b, c in _YAML_KEY.findall(b"\n".join(lines))], False
    keys: list[str] = []
    depth = 0
    listed = head.lstrip().startswith(b"[")
    wanted = 2 if listed else 1
    tokens = _JSON_TOKEN.findall(head)
    for at, token in enumerate(tokens):
        if token in (b"{", b"["):
            depth += 1
        elif token in (b"}", b"]"):
            depth -= 1
            if listed and depth == 1:
                break  # the first item's keys are enough
        elif depth == wanted and token.startswith(b'"') and at + 1 < len(tokens) and tokens[at + 1] == b":":
            keys.append(token[1:-1].decode("utf-8", "replace"))
    return keys, listed


def _document_kinds() -> list[tuple[str, frozenset[str]]]:
    """What each document qimaturity reads or writes is, and its top-level keys (from its schema)."""
    from qimaturity._core.resources import schema
    from qimaturity.answers.exports import MAPPING_KEYS

    def keys(name: str) -> frozenset[str]:
        return frozenset(schema(name)["properties"])

    return [
        ("a mapping file (give it with --mapping)", frozenset(MAPPING_KEYS)),
        ("a rubric (give it as the RUBRIC argument)", keys("rubric")),
        ("a rubric as show writes it (give the rubric file as the RUBRIC argument)", keys("show")),
        ("a brand file (give it with --brand)", keys("brand")),
        ("a result (score's JSON output)", keys("result")),
        ("an explanation (explain's JSON output)", keys("explain")),
        ("a cohort comparison (compare's JSON output)", keys("cohort")),
    ]


def document_kind(path: Path, peek: int = DOCUMENT_PEEK) -> str | None:
    """What a YAML or JSON file is when it is not answers, told by its top-level keys (read from its first ``peek``
    bytes), in words with what to do with it: ``"a mapping file (give it with --mapping)"``.
    None for answers, and for any document whose keys fit no other kind (an answers file with a misspelt key is
    left to be read, and its problems reported). FHIR JSON is answers."""
    json = path.name[-5:].lower() == JSON_SUFFIX
    head = _head(path, peek)
    whole = len(head) < peek
    first = (_JSON_FIRST_KEY if json else _YAML_KEY).search(head)
    if first is not None and first.group(first.lastindex or 0) in _ANSWERS_FIRST:
        return None  # the common case, told quickly: no other document starts with these keys
    found, listed = _top_keys(head, whole, json)
    keys = set(found)
    if not keys or "resourceType" in keys:
        return None
    from qimaturity._core.resources import schema

    answers = set(schema("answers")["properties"])
    if not listed and keys <= answers and keys & _ANSWERS_HEADS:
        return None
    for what, kind in _document_kinds():
        if keys <= kind and (keys - answers or (whole and not keys & _ANSWERS_HEADS)):
            return what.replace("a result (", "results (") if listed else what
    return None


def _head(path: Path, size: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


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
    if not keep_details and columnar and not what_if:
        items = iter_slim(rubric, paths, workers=workers, progress=progress, **options)
    elif workers == 1:
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
    # Forked workers inherit the loaded rubrics and the job as they are: nothing is pickled but what render
    # returns. Files go four at a time to whichever worker is free, and come back in their order.
    chunks = [job.files[start : start + 4] for start in range(0, total, 4)]
    done = 0
    for chunk, items in zip(chunks, in_workers(count, job, render, _chunk_items, chunks), strict=True):
        yield from items
        done += len(chunk)
        if progress is not None:
            progress(done, total, None)


COLUMNAR_FROM = POOL_FROM
"""The fewest files :func:`iter_csv` scores with the columnar engine: below it, importing Polars costs more."""

CsvItem = tuple[str, list[tuple[str, int | None]]]
"""CSV rows of one or more results (no header), with each result's organisation name and overall level."""


def iter_csv(
    rubric: Rubric | Sequence[Rubric],
    paths: Iterable[str | Path],
    *,
    workers: int | None = 1,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
) -> Iterator[CsvItem | Problem]:
    """The CSV rows of the files' results (as :func:`qimaturity.scoring.tables.csv_text` writes them), in the
    files' order, and each bad file's problems, as :func:`iter_rendered` gives them (``workers`` as there).

    From :data:`COLUMNAR_FROM` files on, the assessments are loaded and checked one file at a time, then scored
    together by the columnar engine, a batch at a time (:mod:`qimaturity.scoring.columnar_assessments`: the same
    bytes, several times quicker); each worker loads and scores a share of the files. With fewer files, without
    Polars (the scale extra), with several versions of the rubric or with ``what_if``, by the row engine, one
    result at a time."""
    job = _Job.of(rubric, paths, targets, default_target, what_if, mapping)
    if len(job.files) < COLUMNAR_FROM or len(job.rubrics) > 1 or what_if or not _has_polars():
        from qimaturity.scoring.tables import csv_text

        def render(result: Result) -> CsvItem:
            return csv_text(result), [(result.organisation.name, result.overall.level)]

        yield from iter_rendered(job.rubrics, job.files, render, workers=workers, **_options(job))
        return
    import os

    fresh = fork_is_safe()  # asked before Polars is imported here
    from qimaturity.scoring.columnar_assessments import BATCH

    total = len(job.files)
    count = min(workers or os.cpu_count() or 1, total)
    if count <= 1 or total < POOL_FROM or not fresh:
        for start in range(0, total, BATCH):
            yield from job.csv_items(job.files[start : start + BATCH])
        return
    # Each worker loads and scores a share of the files, a batch at most; only the text travels back.
    size = min(BATCH, -(-total // count))
    shares = [job.files[start : start + size] for start in range(0, total, size)]
    for items in in_workers(count, job, _same, _worker_csv, shares):
        yield from items


def iter_slim(
    rubric: Rubric | Sequence[Rubric],
    paths: Iterable[str | Path],
    *,
    workers: int | None = 1,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    what_if: Mapping[str, int] | None = None,
    mapping: Mapping[str, Any] | str | Path | None = None,
    progress: Callable[[int, int, None], None] | None = None,
) -> Iterator[Result | Problem]:
    """The files' slim results (:meth:`Result.slim`) and each bad file's problems, as :func:`iter_scores` gives
    them with ``columnar`` and without ``keep_details`` (a Parquet export's every assessment), and as many.

    From :data:`COLUMNAR_FROM` files on, the assessments are loaded and checked one file at a time, then scored
    together by the columnar engine, a batch at a time, and each result built from its tables
    (:func:`qimaturity.scoring.columnar_assessments.slim_results`: the same results, a few times quicker); with
    ``workers`` (as for :func:`iter_rendered`), each worker loads and scores a share of the files. With fewer files,
    without Polars, with several versions of the rubric or with ``what_if``, by the row engine, one at a time.
    ``progress`` is called as for :func:`score_files`, after each share of files here."""
    job = _Job.of(rubric, paths, targets, default_target, what_if, mapping, columnar=True, details=False)
    if len(job.files) < COLUMNAR_FROM or len(job.rubrics) > 1 or what_if or not _has_polars():
        yield from iter_rendered(
            job.rubrics,
            job.files,
            _slim,
            workers=workers,
            progress=progress,
            columnar=True,
            details=False,
            **_options(job),
        )
        return
    import os

    fresh = fork_is_safe()
    from qimaturity.scoring.columnar_assessments import BATCH

    total = len(job.files)
    if progress is not None:
        progress(0, total, None)
    count = min(workers or os.cpu_count() or 1, total)
    forking = fresh and count > 1 and total >= POOL_FROM
    size = min(BATCH, -(-total // count)) if forking else BATCH
    shares = [job.files[start : start + size] for start in range(0, total, size)]
    done = 0
    if not forking:
        for share in shares:
            yield from job.slim_items(share)
            done += len(share)
            if progress is not None:
                progress(done, total, None)
        return
    # Each worker loads and scores a share of the files, a batch at most; their slim results travel back.
    for share, items in zip(shares, in_workers(count, job, _same, _worker_slim, shares), strict=True):
        yield from items
        done += len(share)
        if progress is not None:
            progress(done, total, None)


def _worker_slim(files: Sequence[Path]) -> list[Result | Problem]:
    assert _WORKER is not None
    return _WORKER[0].slim_items(files)


def fork_is_safe() -> bool:
    """Whether worker processes that run Polars may be forked from this one: the system can fork, and Polars has
    not been imported here yet. A process forked after Polars has worked may hang at its first query (its thread
    pool is not copied), so a second columnar run in one process (a notebook's) scores its batches in it."""
    import multiprocessing
    import sys

    return "fork" in multiprocessing.get_all_start_methods() and "polars" not in sys.modules


def _has_polars() -> bool:
    return extra_installed("scale")


def _options(job: _Job) -> dict[str, Any]:
    return {
        "targets": job.targets,
        "default_target": job.default_target,
        "what_if": job.what_if,
        "mapping": job.mapping,
    }


def _worker_csv(files: Sequence[Path]) -> list[CsvItem | Problem]:
    assert _WORKER is not None
    return _WORKER[0].csv_items(files)


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


def _chunk_items(paths: Sequence[Path]) -> list[Any]:
    assert _WORKER is not None
    job, render = _WORKER
    return [render(item) if isinstance(item, Result) else item for path in paths for item in job.items(path)]


class _Failed:
    """What a worker sends instead of a task's items when the task raised: the error, to be raised again."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


AHEAD = 2
"""Tasks each worker holds at once (one being done, the next waiting), and so how far the workers may run ahead of
the caller: :func:`in_workers` hands out a task only while fewer than ``AHEAD`` x workers are done or under way and
not yet taken by the caller."""


def in_workers(
    count: int,
    job: _Job,
    render: Callable[[Result], Any],
    work: Callable[[Any], T],
    tasks: Sequence[Any],
) -> Iterator[T]:
    """``work(task)`` of every task, in the tasks' order, done by ``count`` forked worker processes (each started
    with the job and ``render``, see :func:`_start_worker`). Each task goes to a worker that is free, through its own
    pipe, so a slow task holds up only its worker; outcomes that arrive early wait here for those before them.
    Only :data:`AHEAD` tasks a worker are out at once, so workers that outrun the caller wait for it and memory
    stays flat however slow the output is (multiprocessing.Pool kept every outcome not yet asked for, and its
    worker-handler thread woke up each time one waited in its pipe). An error in a task is raised here in its
    place; a worker that dies is reported with its exit code (a Pool waited for its task for ever); the workers
    are ended when the caller stops."""
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    links: list[Any] = []
    workers: list[Any] = []
    try:
        for _ in range(count):
            link, their_link = context.Pipe()
            worker = context.Process(target=_serve, args=(job, render, work, tasks, their_link), daemon=True)
            worker.start()
            their_link.close()  # the worker's end: this one sees the pipe end when the worker does
            links.append(link)
            workers.append(worker)
        held = [0] * count  # tasks each worker has and has not sent back
        arrived: dict[int, Any] = {}
        given = taken = 0  # tasks handed out; outcomes passed to the caller

        def hand_out() -> None:
            nonlocal given
            # One task a worker, then a second: with as many tasks as workers, each does one.
            for index in [index for depth in range(AHEAD) for index in range(count) if held[index] <= depth]:
                if held[index] < AHEAD and given < len(tasks) and given - taken < AHEAD * count:
                    try:
                        links[index].send(given)
                    except OSError:
                        raise _ended(workers[index]) from None
                    held[index] += 1
                    given += 1

        hand_out()
        while taken < len(tasks):
            if taken not in arrived:
                for ready in wait(links):
                    index = links.index(ready)
                    try:
                        number, outcome = links[index].recv()
                    except (EOFError, OSError):  # the pipe ended, or was reset with tasks unread
                        raise _ended(workers[index]) from None
                    held[index] -= 1
                    arrived[number] = outcome
                continue
            outcome = arrived.pop(taken)
            if isinstance(outcome, _Failed):
                raise outcome.error
            taken += 1
            hand_out()
            yield outcome
        for link in links:
            link.send(None)  # no more tasks: the worker ends
        for worker in workers:
            worker.join()
    finally:
        # Stopped early (an error, or the caller done with the outcomes): whatever a worker is doing is not wanted.
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for link in links:
            link.close()


def _ended(worker: Any) -> RuntimeError:
    import signal

    worker.join()
    code = worker.exitcode
    # A negative exit code is the signal that ended it: SIGKILL is what the system sends when memory runs out.
    how = f"exit code {code}"
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:  # a signal without a name (a real-time one)
            how = f"killed by signal {-code}"
    return RuntimeError(f"a worker process ended before its work was done ({how})")


def _serve(
    job: _Job,
    render: Callable[[Result], Any],
    work: Callable[[Any], Any],
    tasks: Sequence[Any],
    link: Any,
) -> None:
    _start_worker(job, render)
    while True:
        try:
            number = link.recv()
        except EOFError:  # the caller has gone
            break
        if number is None:
            break
        try:
            outcome = work(tasks[number])
        except Exception as error:  # raised again in the caller, in its place
            outcome = _Failed(error)
        try:
            link.send((number, outcome))
        except Exception as error:  # an outcome or error that cannot be pickled: its words instead
            link.send((number, _Failed(RuntimeError(f"{type(error).__name__}: {error}"))))
    link.close()


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

    def csv_items(self, files: Sequence[Path]) -> list[CsvItem | Problem]:
        """The files' problems, then the CSV rows of their results in order, scored together by the columnar
        engine (:func:`qimaturity.scoring.columnar_assessments.csv_texts`)."""
        from qimaturity.scoring.columnar_assessments import csv_texts

        (rubric,) = self.rubrics
        problems: list[CsvItem | Problem] = []
        assessments: list[Assessment] = []
        for path in files:
            try:
                assessments.extend(_load(path, rubric, self.mapping))
            except InputError as error:
                problems.extend(error.problems)
        texts = csv_texts(rubric, assessments, targets=self.targets, default_target=self.default_target)
        return [*problems, *texts]

    def slim_items(self, files: Sequence[Path]) -> list[Result | Problem]:
        """The files' slim results and problems in the files' order: the assessments of answers files scored
        together (:func:`qimaturity.scoring.columnar_assessments.slim_results`), a Parquet export's results as
        :meth:`items` gives them."""
        from qimaturity.scoring.columnar_assessments import slim_results

        (rubric,) = self.rubrics
        items: list[Result | Problem | Assessment] = []
        for path in files:
            if self.columnar and input_kind(path) == "parquet":
                items.extend(item.slim() if isinstance(item, Result) else item for item in self.items(path))
                continue
            try:
                items.extend(_load(path, rubric, self.mapping))
            except InputError as error:
                items.extend(error.problems)
        assessments = [item for item in items if isinstance(item, Assessment)]
        made = iter(slim_results(rubric, assessments, targets=self.targets, default_target=self.default_target))
        return [next(made) if isinstance(item, Assessment) else item for item in items]

    def items(self, path: Path) -> Iterator[Result | Problem]:
        """The results of one file's assessments, each as it is scored, or the file's problems."""

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
            assessments = _load(path, chosen, self.mapping)
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


def _load(path: Path, rubric: Rubric, mapping: Mapping[str, Any] | None) -> list[Assessment]:
    """A file's assessments (:func:`qimaturity.answers.sources.load_assessments`). A YAML or JSON file given that is
    plainly another document (a rubric, a mapping file, a brand file, a result) is refused in one line saying what it
    is, rather than with every key an answers file does not have."""
    from qimaturity.answers.sources import load_assessments

    try:
        return load_assessments(path, rubric, mapping=mapping)
    except InputError as error:
        # Told by a missing 'rubric' key, or by a top-level key answers do not have (a result has a rubric too).
        if input_kind(path) == "answers" and any(
            (p.path == "/" and "'rubric'" in p.message)
            or (p.path.count("/") == 1 and p.message.startswith("unknown key"))
            for p in error.problems
        ):
            kind = document_kind(path, GIVEN_PEEK)  # one file refused already: its keys are worth reading
            if kind is not None:
                raise InputError.single(str(path), f"not an answers file but {kind}") from None
        raise


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
        with extra_imports("reading a Parquet export"):
            from qimaturity.scoring.columnar import score_export
    except ExtraMissing as error:  # this file's problem: the other files are still scored
        raise InputError([error.problem(str(path))]) from None
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
