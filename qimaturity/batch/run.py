"""Scoring many organisations' answers files in one run and writing each its own report.

:func:`run_batch` is the whole behaviour; ``qimaturity batch`` is a thin shell over it. Each answers file is one
:class:`Job`, run by the module-level :func:`run_job` — in this process, in a pool of processes, or on a Dask
cluster — which loads, scores, renders and writes that file's outputs (each written atomically) and returns a
small :class:`FileRecord`. A bad file becomes problems in its record and the others go on; an unexpected
exception becomes an internal error in its record, never a traceback.

Outputs are kept up to date through a manifest, ``OUT_DIR/.qimaturity-batch.json``: for each output name, a
fingerprint of everything that made it (answers bytes, rubric content hash, engine version, format and the options
that change that format) and the sha256 of the bytes written. An output is skipped when it exists, its bytes still
hash to the recorded value and its fingerprint matches; otherwise (or with ``force``) it is written again.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qimaturity._core.documents import strict_json
from qimaturity._core.extras import extra_imports, require_extras
from qimaturity._core.limits import MAX_MANIFEST_BYTES
from qimaturity._core.numbers import fixed
from qimaturity._core.outputs import make_output_folder, utf8, write_atomic
from qimaturity._core.problems import InputError, OptionError, Problem
from qimaturity._core.resources import bundled_dir
from qimaturity.batch.cluster import SCHEDULER
from qimaturity.cohort.model import Cohort
from qimaturity.cohort.score import list_answer_files, score_files
from qimaturity.report.branding import DEFAULT_BRAND, load_brand
from qimaturity.rubric.load import bundled_rubric_paths, load_rubric, resolve_rubric
from qimaturity.rubric.model import Rubric
from qimaturity.rubric.search import SearchPath
from qimaturity.version import __version__

FORMATS = ("pdf", "html", "json")
# Cheapest first: a template error then still leaves the JSON written.
_WRITE_ORDER = ("json", "html", "pdf")
MANIFEST_NAME = ".qimaturity-batch.json"
MANIFEST_KIND = "qimaturity-batch-manifest"
MANIFEST_VERSION = 1
# Rewrite the manifest at most this often while a batch runs, so an interrupted batch keeps what it finished.
_MANIFEST_INTERVAL = 2.0

ProgressCallback = Callable[[int, int, "FileRecord | None"], None]
"""Called as ``progress(done, total, record)``: once with ``(0, total, None)``, then after every file."""


class BatchOptionError(OptionError):
    """An option :func:`run_batch` cannot use (unknown format, missing folder, no Dask...). ``option`` names it."""


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one answers file; picklable, so it can go to another process or machine."""

    file: Path
    rubric: str
    rubric_hash: str
    formats: tuple[str, ...]
    out_dir: Path
    # (domain or question id, level) and the level for everything else, as for qimaturity.score.
    targets: tuple[tuple[str, int], ...] = ()
    default_target: int | None = None
    brand: Path | None = None
    templates: Path | None = None
    report_date: str | None = None
    plan_start: str | None = None
    """The improvement plan's first cycle start, ``YYYY-MM-DD`` (None: each assessment's date)."""
    force: bool = False
    # (format, digest of the options that change that format), computed once for the whole batch.
    digests: tuple[tuple[str, str], ...] = ()
    # (output name, fingerprint, sha256 of its bytes) from the manifest, for this file's outputs.
    previous: tuple[tuple[str, str, str], ...] = ()
    extras: tuple[tuple[str, str], ...] = ()
    # The whole batch as a cohort, for each report's "you and your peers" section (None: no such section).
    cohort: Cohort | None = None
    # A mapping file for survey or spreadsheet exports (each export must hold one organisation).
    mapping: Path | None = None
    # STEM.json with the traces (each node's trace, each question's answers), as score --format json --trace.
    trace: bool = False


@dataclass(frozen=True)
class FileRecord:
    """What happened to one answers file: outputs written and skipped (names in the output folder), its problems
    or an internal error, the manifest entries of what was written, and the seconds it took."""

    file: str
    written: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    entries: tuple[tuple[str, str, str], ...] = ()

    @property
    def failed(self) -> bool:
        return bool(self.problems) or self.error is not None


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of :func:`run_batch`. ``written`` and ``skipped`` are output paths, ``failed`` answers files;
    ``problems`` are the bad-input problems (exit code 2), ``errors`` the internal errors (exit code 70)."""

    files: int
    written: tuple[Path, ...]
    skipped: tuple[Path, ...]
    failed: tuple[str, ...]
    problems: tuple[Problem, ...]
    errors: tuple[str, ...]
    seconds: float
    records: tuple[FileRecord, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def files_written(self) -> int:
        """Files with at least one output written (and none failed)."""
        return sum(1 for r in self.records if not r.failed and r.written)

    @property
    def files_up_to_date(self) -> int:
        """Files whose every output was already up to date."""
        return sum(1 for r in self.records if not r.failed and not r.written)

    @property
    def exit_code(self) -> int:
        """70 when a job met an internal error, else 2 when a file was bad, else 0."""
        if self.errors:
            return 70
        return 2 if self.problems else 0

    def lines(self) -> list[str]:
        """The summary as printed by the command: the counts, then one line per problem or internal error."""
        head = (
            f"{self.files} files: {self.files_written} written, {self.files_up_to_date} up to date, "
            f"{len(self.failed)} failed ({fixed(self.seconds, 1)} s)"
        )
        # A broken template fails every file the same way: say it once.
        failures = list(dict.fromkeys(str(p) for p in self.problems))
        return [*self.notes, head, *failures, *self.errors]


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"pdf,html"`` (or a sequence of names) as a tuple of known formats without repeats; else BatchOptionError."""
    names = text.split(",") if isinstance(text, str) else list(text)
    chosen = tuple(dict.fromkeys(name.strip().lower() for name in names if name.strip()))
    unknown = [name for name in chosen if name not in FORMATS]
    if unknown or not chosen:
        what = f"unknown format '{unknown[0]}'" if unknown else "no format given"
        raise BatchOptionError(f"{what} (choose from {', '.join(FORMATS)}, comma-separated)", "--formats")
    return chosen


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _digest(data: Any) -> str:
    return _sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def fingerprint(answers_sha256: str, options_digest: str) -> str:
    """The fingerprint of one output: its answers file's bytes and the digest of everything else that made it."""
    return _digest([answers_sha256, options_digest])


def _folder_digest(folder: Path) -> list[list[str]]:
    return [
        [path.relative_to(folder).as_posix(), _sha256(path.read_bytes())]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]


def _file_digest(path: Path | None) -> str | None:
    return _sha256(path.read_bytes()) if path is not None else None


def _logo_digest(logo: str | None) -> str | None:
    """The sha256 of the logo's bytes, from the data URI the brand embeds (the same as the logo file's)."""
    if logo is None:
        return None
    return _sha256(base64.b64decode(logo.partition(",")[2]))


def _cohort_digest(cohort: Cohort | None) -> str | None:
    """What the peers section shows: the grouping and every member's domain values."""
    if cohort is None:
        return None
    members = [[m.organisation_id, m.date, m.group, [[d, v] for d, v, _ in m.values]] for m in cohort.members]
    return _digest({"group_by": cohort.group_by, "min_cohort": cohort.min_cohort, "members": members})


def option_digests(
    rubric: Rubric,
    formats: Sequence[str],
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    brand: Path | None = None,
    logo: str | None = None,
    templates: Path | None = None,
    generated: str | None = None,
    cohort: Cohort | None = None,
    mapping: Path | None = None,
    plan_start: str | None = None,
    trace: bool = False,
) -> dict[str, str]:
    """For each format, a digest of what changes that format's output besides the answers file.

    JSON depends on the rubric, the engine version, the targets and whether it carries the traces; HTML and PDF
    on all but the last, and also on the report date, the plan's start, the brand file and its logo, the
    --templates folder and the bundled report templates and styles.
    """
    scoring = {
        "engine": __version__,
        "mapping": _file_digest(mapping),
        "rubric": rubric.content_hash,
        "targets": {"default": default_target, "ids": dict(sorted((targets or {}).items()))},
    }
    rendering = {
        "report_date": generated,
        "plan_start": plan_start,
        "brand": _file_digest(brand),
        "logo": _logo_digest(logo),
        "templates": _folder_digest(templates) if templates is not None else None,
        "bundled": _folder_digest(bundled_dir("reports")),
        "cohort": _cohort_digest(cohort),
    }
    return {
        fmt: _digest({**scoring, "format": fmt, **({"trace": trace} if fmt == "json" else {"rendering": rendering})})
        for fmt in formats
    }


# --- the worker -------------------------------------------------------------------------------------------------

_RUBRICS: dict[str, Rubric] = {}


def _rubric(ref: str, expected_hash: str) -> Rubric:
    """The rubric, loaded once per process (a pool or Dask worker runs many jobs)."""
    rubric = _RUBRICS.get(ref)
    if rubric is None or rubric.content_hash != expected_hash:
        rubric = _RUBRICS[ref] = load_rubric(ref)
    if rubric.content_hash != expected_hash:
        raise InputError.single(ref, "the rubric changed while the batch ran", "run the batch again")
    return rubric


def run_job(job: Job) -> FileRecord:
    """Score one answers file and write its outputs that are not up to date; never raises.

    Bad input gives a record with problems; any other exception a record with an internal error.
    """
    started = time.perf_counter()
    try:
        record = _run_job(job)
    except InputError as error:
        record = FileRecord(str(job.file), problems=error.problems)
    except Exception as error:  # one job's failure must not stop the batch
        record = FileRecord(str(job.file), error=f"{type(error).__name__}: {error}")
    return replace(record, seconds=time.perf_counter() - started)


def _current(path: Path, sha256: str) -> bool:
    try:
        return _sha256(path.read_bytes()) == sha256
    except OSError:
        return False


def _run_job(job: Job) -> FileRecord:
    if job.extras:
        raise ValueError(f"this worker does not know the option(s) {', '.join(k for k, _ in job.extras)}")
    try:
        answers_sha = _sha256(job.file.read_bytes())
    except OSError:
        answers_sha = None  # loading reports it, with its place
    digests = dict(job.digests)
    previous = {name: (fp, sha) for name, fp, sha in job.previous}
    stem = job.file.stem
    todo: list[tuple[str, str, str | None]] = []  # (format, output name, fingerprint)
    skipped: list[str] = []
    for fmt in _WRITE_ORDER:
        if fmt not in job.formats:
            continue
        name = f"{stem}.{fmt}"
        wanted = fingerprint(answers_sha, digests[fmt]) if answers_sha and fmt in digests else None
        known = previous.get(name)
        if not job.force and wanted and known and known[0] == wanted and _current(job.out_dir / name, known[1]):
            skipped.append(name)
        else:
            todo.append((fmt, name, wanted))
    if not todo:
        return FileRecord(str(job.file), skipped=tuple(skipped))

    rubric = _rubric(job.rubric, job.rubric_hash)
    mapping = None
    if job.mapping is not None:
        from qimaturity.answers.exports import load_mapping

        try:
            mapping = load_mapping(job.mapping)
        except InputError as error:
            return FileRecord(str(job.file), skipped=tuple(skipped), problems=error.problems)
    results, problems = score_files(
        rubric, [str(job.file)], targets=dict(job.targets), default_target=job.default_target, mapping=mapping
    )
    if not problems and len(results) != 1:
        problems = [
            Problem(
                str(job.file),
                None,
                None,
                "/",
                f"holds {len(results)} organisations; a batch writes one report per file",
                "split it into one answers file per organisation with qimaturity import",
            )
        ]
    if problems:
        return FileRecord(str(job.file), skipped=tuple(skipped), problems=tuple(problems))
    result = results[0]

    written: list[str] = []
    entries: list[tuple[str, str, str]] = []

    def write(name: str, wanted: str | None, data: str | bytes) -> None:
        _stop_if_orphaned()
        payload = utf8(data, str(job.out_dir / name)) if isinstance(data, str) else data
        write_atomic(job.out_dir / name, payload)
        written.append(name)
        if wanted is not None:
            entries.append((name, wanted, _sha256(payload)))

    failure: str | None = None
    try:
        for fmt, name, wanted in todo:
            if fmt == "json":
                data = result.to_dict(trace=job.trace)
                text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                write(name, wanted, text.encode("utf-8"))
        rendered = {fmt: (name, wanted) for fmt, name, wanted in todo if fmt != "json"}
        if rendered:
            from qimaturity.report.build import gap_report

            generated = datetime.fromisoformat(job.report_date) if job.report_date else None
            report = gap_report(
                rubric,
                result,
                brand=job.brand,
                templates=job.templates,
                generated=generated,
                cohort=job.cohort,
                plan_start=job.plan_start,
            )
            for fmt, document in report.render(list(rendered)):
                write(*rendered[fmt], document)
    except InputError as error:
        problems = list(error.problems)
    except Exception as error:  # keep the record of what was written before it
        failure = f"{type(error).__name__}: {error}"
    return FileRecord(
        str(job.file),
        written=tuple(written),
        skipped=tuple(skipped),
        problems=tuple(problems),
        error=failure,
        entries=tuple(entries),
    )


# --- the manifest -----------------------------------------------------------------------------------------------


def read_manifest(out_dir: Path) -> tuple[dict[str, dict[str, str]], str | None]:
    """The manifest's entries by output name, and a note when an existing manifest could not be used."""
    path = out_dir / MANIFEST_NAME
    data: Any = None
    try:
        info = os.stat(path)
        # Never open a FIFO or a device (reading would block or never end); a huge file is not ours either.
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_MANIFEST_BYTES:
            data = strict_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        # Corrupt, truncated, nested too deep to parse: the outputs are written again and the manifest rebuilt.
        data = None
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("manifest") != MANIFEST_KIND
        or data.get("version") != MANIFEST_VERSION
        or not isinstance(outputs, dict)
    ):
        return {}, f"note: {path} is not a batch manifest this version can read; every output is written again"
    entries = {
        name: entry
        for name, entry in outputs.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("fingerprint"), str)
        and isinstance(entry.get("sha256"), str)
    }
    return entries, None


def write_manifest(out_dir: Path, entries: dict[str, dict[str, str]]) -> None:
    """Write the manifest atomically (sorted, so that the same outputs give the same bytes)."""
    data = {"manifest": MANIFEST_KIND, "version": MANIFEST_VERSION, "outputs": entries}
    write_atomic(out_dir / MANIFEST_NAME, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# --- running a batch --------------------------------------------------------------------------------------------


def _job_rubric_ref(ref: str | Path, search_path: SearchPath = None) -> str:
    """A bundled id stays an id (workers have their own installation); a path, or an id found in a folder of the
    search path, becomes an absolute path (workers have their own cwd and environment)."""
    text = str(ref)
    path = resolve_rubric(ref, search_path)
    if bundled_rubric_paths().get(text) == path:
        return text
    return str(path.resolve())


def _check_options(
    files: Sequence[Path],
    out_dir: Path,
    formats: tuple[str, ...],
    templates: Path | None,
    report_date: date | str | None,
    workers: int | None,
    scheduler: str | None,
    plan_start: date | str | None = None,
) -> None:
    if templates is not None and not templates.is_dir():
        raise BatchOptionError(f"no such folder: {templates}", "--templates")
    for value, option in ((report_date, "--report-date"), (plan_start, "--plan-start")):
        if isinstance(value, str):
            try:
                date.fromisoformat(value)
            except ValueError:
                raise BatchOptionError(f"'{value}' is not a date (YYYY-MM-DD)", option) from None
    if workers is not None and workers < 1:
        raise BatchOptionError("give at least one worker", "--workers")
    if workers is not None and scheduler is not None:
        raise BatchOptionError("the Dask cluster decides how many workers run; give --workers or --scheduler")
    if scheduler is not None:
        require_extras(SCHEDULER, "dask")  # before the output folder is made
    if out_dir.exists() and not out_dir.is_dir():
        raise BatchOptionError(f"{out_dir} is a file, not a folder", "-o/--output-dir")
    out = out_dir.resolve()
    if "json" in formats and any(f.resolve().parent == out for f in files):
        raise BatchOptionError(
            f"{out_dir} holds the answers files: JSON results there would overwrite them or be read as answers "
            "next time (choose another output folder)",
            "-o/--output-dir",
        )


def _plan(files: Sequence[Path], formats: tuple[str, ...]) -> tuple[list[tuple[Path, str]], list[FileRecord]]:
    """(file, shown name) to run, and records for files refused before running (two files, one output name)."""
    runnable: list[tuple[Path, str]] = []
    refused: list[FileRecord] = []
    seen: dict[str, str] = {}
    for path in files:
        shown = str(path)
        stem = path.stem
        if stem in seen or (stem == Path(MANIFEST_NAME).stem and "json" in formats):
            other = seen.get(stem)
            message = (
                f"{other} has the same name stem '{stem}', so both would write {stem}.*"
                if other
                else f"its JSON result would overwrite the batch manifest {MANIFEST_NAME}"
            )
            refused.append(FileRecord(shown, problems=(Problem(shown, None, None, "/", message, "rename the file"),)))
            continue
        seen[stem] = shown
        runnable.append((path, shown))
    return runnable, refused


@contextmanager
def _executor(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
    """None for in-process; a process pool; or a Dask cluster's concurrent.futures executor."""
    if scheduler is None:
        if workers <= 1:
            yield None
            return
        import multiprocessing

        # Fork where the system has it: workers start at once, inherit the loaded rubric, and a caller's script
        # is not run again in each worker. The pool starts its processes before any thread of its own, and the
        # progress bar runs no thread (see qimaturity.cli.display.progress_bar), so nothing is forked mid-step.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
        )
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    with extra_imports(SCHEDULER):
        distributed: Any = importlib.import_module("distributed")
    try:
        client = distributed.Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise BatchOptionError(f"cannot reach the Dask scheduler at {scheduler}: {error}", "--scheduler") from None
    try:
        # pure=False: a job writes files, so Dask must not reuse an earlier result for equal arguments.
        yield client.get_executor(pure=False)
    finally:
        client.close()


# The batch process that started this worker process (None in the batch process itself or on Dask).
_PARENT: int | None = None
_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int) -> None:
    """Set up a pool worker: it ignores Ctrl-C and dies with the batch that started it."""
    global _PARENT
    # Ctrl-C reaches every process of the terminal's group; only the parent decides what stops (see _run_all).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _PARENT = parent
    if sys.platform.startswith("linux"):
        # A killed batch (even by SIGKILL) takes its workers with it, so nothing is written after it stopped.
        import ctypes

        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _stop_if_orphaned()  # the batch may have died before the line above


def _stop_if_orphaned() -> None:
    """End this worker at once when the batch that started it is gone (elsewhere than Linux, the only guard)."""
    if _PARENT is not None and os.getppid() != _PARENT:
        os._exit(1)


def _run_all(jobs: Sequence[Job], executor: Executor | None, done: Callable[[Job, FileRecord], None]) -> None:
    if executor is None:
        for job in jobs:
            done(job, run_job(job))
        return
    futures: dict[Future[FileRecord], Job] = {}
    finished: set[Future[FileRecord]] = set()

    def finish(future: Future[FileRecord]) -> None:
        job = futures[future]
        try:
            record = future.result()
        except Exception as error:  # the worker process died, or Dask lost it
            record = FileRecord(str(job.file), error=f"{type(error).__name__}: {error}")
        finished.add(future)
        done(job, record)

    try:
        for job in jobs:
            try:
                futures[executor.submit(run_job, job)] = job
            except Exception as error:  # a broken pool refuses new work; the jobs still get their record
                done(job, FileRecord(str(job.file), error=f"{type(error).__name__}: {error}"))
        for future in as_completed(futures):
            finish(future)
    except KeyboardInterrupt:
        # Start no new file, but record the files already being written, so the manifest keeps them.
        for future in futures:
            future.cancel()
        for future in futures:
            if future not in finished and not future.cancelled():
                finish(future)
        raise


def run_batch(
    rubric_ref: str | Path,
    files: str | Path | Iterable[str | Path],
    out_dir: str | Path,
    *,
    formats: str | Sequence[str] = FORMATS,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    brand: str | Path | None = None,
    templates: str | Path | None = None,
    report_date: date | str | None = None,
    plan_start: date | str | None = None,
    progress: ProgressCallback | None = None,
    peers: bool = False,
    group_by: str | None = None,
    min_cohort: int = 5,
    mapping: str | Path | None = None,
    search_path: SearchPath = None,
    trace: bool = False,
) -> BatchSummary:
    """Score every answers file against a rubric and write, for each file STEM, ``out_dir/STEM.pdf``, ``.html``
    and ``.json`` (the requested ``formats``), skipping outputs that are already up to date unless ``force``.
    ``files`` are answers files or folders (a folder stands for the answers files directly in it, and the exports
    too when a ``mapping`` is given; rejects and mapping files are passed over, with a note in the summary).
    ``STEM.json`` is the result as ``score --format json`` prints it: without the traces unless ``trace``.

    ``workers`` processes share the work (default: one per CPU; 1 runs here, without a pool); ``scheduler`` sends
    the jobs to a Dask cluster instead. ``targets`` and ``default_target`` are as for
    :func:`qimaturity.score` (``{"leadership": 5}``, ``4``); ``qimaturity batch`` parses its --target values into
    them. ``search_path``: folders to look a rubric id up in, as for :func:`qimaturity.load_rubric`. A bad answers
    file goes into the summary's problems while the others are still written.
    With ``peers``, the whole batch is the cohort of every report's "you and your peers" section (peer groups by
    ``group_by``; groups under ``min_cohort`` suppressed). ``report_date`` is a date or ``"YYYY-MM-DD"``, and so is
    ``plan_start``, the day every report's improvement plan starts (default: each assessment's own date).

    Raises :class:`InputError` for a bad rubric or brand file (or a folder with no answers files) and
    :class:`BatchOptionError` for an unusable option; everything that goes wrong with one file is in the returned
    :class:`BatchSummary` instead.
    """
    started = time.perf_counter()
    chosen_formats = parse_formats(formats)
    given = [files] if isinstance(files, str | Path) else files
    # A folder's own files only: its outputs are named by their stems, which two years' folders share.
    listed, listed_notes = list_answer_files([str(f) for f in given], exports=mapping is not None, recursive=False)
    paths = list(dict.fromkeys(listed))
    out = Path(out_dir)
    brand_path = Path(brand) if brand is not None else None
    templates_path = Path(templates) if templates is not None else None
    rubric = load_rubric(rubric_ref, search_path=search_path)
    _check_options(paths, out, chosen_formats, templates_path, report_date, workers, scheduler, plan_start)
    plan_day = plan_start.isoformat() if isinstance(plan_start, date) else plan_start or None
    make_output_folder(out)  # a folder the system refuses is one clear problem, before any file is scored
    chosen_brand = load_brand(brand_path) if brand_path is not None else DEFAULT_BRAND
    from qimaturity.report.render import generation_time

    generated = generation_time(report_date)
    stamp = generated.isoformat() if generated is not None else None
    cohort = None
    if peers and any(fmt != "json" for fmt in chosen_formats):
        from qimaturity.answers.exports import load_mapping
        from qimaturity.cohort.model import build_cohort

        loaded_mapping = load_mapping(Path(mapping)) if mapping is not None else None
        scored = []
        for path in paths:
            # Bad files are reported by their own jobs; whatever one file does, the others keep their peers.
            try:
                scored += score_files(rubric, [path], keep_details=False, mapping=loaded_mapping)[0]
            except Exception:  # its own job reports it, as an internal error with its file
                continue
        if scored:
            cohort = build_cohort(
                scored,
                group_by=group_by,
                min_cohort=min_cohort,
                minimal_important_difference=rubric.scoring.minimal_important_difference,
            )
    digests = option_digests(
        rubric,
        chosen_formats,
        targets=targets,
        default_target=default_target,
        brand=brand_path,
        logo=chosen_brand.logo,
        templates=templates_path,
        generated=stamp,
        cohort=cohort,
        mapping=Path(mapping) if mapping is not None else None,
        plan_start=plan_day,
        trace=trace,
    )
    rubric_ref_for_jobs = _job_rubric_ref(rubric_ref, search_path)
    _RUBRICS[rubric_ref_for_jobs] = rubric
    manifest, note = read_manifest(out)
    changed = note is not None  # rebuild an unreadable manifest even when no output is written again
    runnable, refused = _plan(paths, chosen_formats)
    shown_by_file: dict[str, str] = {}
    jobs: list[Job] = []
    for path, shown in runnable:
        absolute = path.resolve()
        shown_by_file[str(absolute)] = shown
        names = [f"{absolute.stem}.{fmt}" for fmt in chosen_formats]
        jobs.append(
            Job(
                file=absolute,
                rubric=rubric_ref_for_jobs,
                rubric_hash=rubric.content_hash,
                formats=chosen_formats,
                out_dir=out.resolve(),
                targets=tuple(sorted((targets or {}).items())),
                default_target=default_target,
                brand=brand_path.resolve() if brand_path is not None else None,
                templates=templates_path.resolve() if templates_path is not None else None,
                report_date=stamp,
                plan_start=plan_day,
                force=force,
                digests=tuple(sorted(digests.items())),
                cohort=cohort,
                mapping=Path(mapping).resolve() if mapping is not None else None,
                trace=trace,
                previous=tuple(
                    (name, manifest[name]["fingerprint"], manifest[name]["sha256"])
                    for name in names
                    if name in manifest
                ),
            )
        )

    total = len(paths)
    records: dict[str, FileRecord] = {r.file: r for r in refused}
    last_write = time.monotonic()

    def shown_problem(problem: Problem, file: str, shown: str) -> Problem:
        # Jobs see absolute paths (a Dask worker has its own working folder); show the paths the user gave.
        if problem.file == file:
            return replace(problem, file=shown)
        base = str(out.resolve())
        if problem.file.startswith(base + os.sep):  # an output the system refused
            return replace(problem, file=str(out / problem.file[len(base) + 1 :]))
        if templates_path is not None:
            base = str(templates_path.resolve())
            if problem.file.startswith(base + os.sep):
                return replace(problem, file=str(templates_path / problem.file[len(base) + 1 :]))
        return problem

    def done(job: Job, record: FileRecord) -> None:
        nonlocal changed, last_write
        shown = shown_by_file.get(record.file, record.file)
        record = replace(
            record, file=shown, problems=tuple(shown_problem(p, record.file, shown) for p in record.problems)
        )
        records[shown] = record
        for name, wanted, sha in record.entries:
            manifest[name] = {"answers": job.file.name, "fingerprint": wanted, "sha256": sha}
            changed = True
        if changed and time.monotonic() - last_write > _MANIFEST_INTERVAL:
            write_manifest(out, manifest)
            changed, last_write = False, time.monotonic()
        if progress is not None:
            progress(len(records), total, record)

    if progress is not None:
        progress(len(records), total, None)
    count = min(workers or os.cpu_count() or 1, len(jobs))
    try:
        if jobs:
            with _executor(count, scheduler) as executor:
                _run_all(jobs, executor, done)
    finally:
        if changed:
            write_manifest(out, manifest)

    ordered = [records[str(p)] for p in paths if str(p) in records]
    return BatchSummary(
        files=total,
        written=tuple(out / name for r in ordered for name in r.written),
        skipped=tuple(out / name for r in ordered for name in r.skipped),
        failed=tuple(r.file for r in ordered if r.failed),
        problems=tuple(p for r in ordered for p in r.problems),
        errors=tuple(f"{r.file}: internal error: {r.error}" for r in ordered if r.error is not None),
        seconds=time.perf_counter() - started,
        records=tuple(ordered),
        notes=(*(f"note: {n}" for n in listed_notes), *((note,) if note else ())),
    )
