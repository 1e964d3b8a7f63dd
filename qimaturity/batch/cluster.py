"""A respondent export scored on a Dask cluster: ``score-export`` and ``compare --scheduler ADDRESS``.

The export is shared out by organisation: one streaming pass lists its organisation ids, which are cut into
contiguous runs (in the order the columnar engine sorts them), and each worker scores one run with
:func:`qimaturity.scoring.columnar.score_export` reading only those organisations' rows. Each assessment is scored
from its own rows alone, so a part's numbers are the single-machine run's to the bit, and the parts put together
in order are its output. The workers read the export from the same path: it must be on storage they all see.

An export with problems (or without an organisation column, or with a row without an id) is scored here instead,
so that its problems are reported, with their rows, exactly as without a cluster.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qimaturity._core.extras import extra_imports, require_extras
from qimaturity._core.problems import InputError, OptionError
from qimaturity.rubric.model import Rubric
from qimaturity.scoring.result import Result

SCHEDULER = "--scheduler"
"""The feature, as :class:`~qimaturity._core.extras.ExtraMissing` names it when its extras are missing."""
PARTS_PER_WORKER = 2  # a little slack, so that a slow worker does not hold up the end


@contextmanager
def dask_client(scheduler: str) -> Iterator[Any]:
    """A client of the Dask scheduler at ``scheduler``; :class:`~qimaturity._core.extras.ExtraMissing` when Dask
    (the dask extra) is missing, :class:`OptionError` when the scheduler cannot be reached."""
    with extra_imports(SCHEDULER):
        distributed: Any = importlib.import_module("distributed")
    try:
        client = distributed.Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise OptionError(f"cannot reach the Dask scheduler at {scheduler}: {error}", "--scheduler") from None
    try:
        yield client
    finally:
        client.close()


def parts_of(ids: Sequence[str], count: int) -> list[list[str]]:
    """``ids`` cut into at most ``count`` contiguous runs of nearly equal length."""
    count = max(1, min(count, len(ids)))
    size, extra = divmod(len(ids), count)
    parts, start = [], 0
    for k in range(count):
        end = start + size + (k < extra)
        parts.append(list(ids[start:end]))
        start = end
    return [part for part in parts if part]


def score_part(
    rubric: Rubric,
    path: str,
    organisations: list[str],
    targets: Mapping[str, int],
    default_target: int | None,
    intervals: bool,
    kind: str,
) -> Any:
    """On a worker: one run of organisations scored, as ``kind`` says: ``csv`` (the CSV's text, and how many
    assessments), ``json`` or ``json-trace`` (each result's JSON text, without or with its traces) or ``results``
    (slim results, for a cohort). None when the part has problems (the caller then scores the whole export to
    report them)."""
    from qimaturity.scoring.columnar import score_export
    from qimaturity.scoring.tables import result_json

    try:
        scores = score_export(
            rubric,
            path,
            targets=targets,
            default_target=default_target,
            intervals=intervals,
            organisations=organisations,
        )
    except InputError:
        return None
    if kind == "csv":
        return scores.csv_text(), len(scores)
    if kind in ("json", "json-trace"):
        return [result_json(result, trace=kind == "json-trace") for result in scores]
    return [result.slim() for result in scores]


def _on_cluster(
    scheduler: str,
    rubric: Rubric,
    path: Path,
    targets: Mapping[str, int],
    default_target: int | None,
    intervals: bool,
    kind: str,
) -> list[Any] | None:
    """Every part's output in order, or None when the export is to be scored here (see the module's note)."""
    from qimaturity.scoring.columnar import organisation_ids

    ids = organisation_ids(rubric, path)
    if not ids:
        return None
    with dask_client(scheduler) as client:
        workers = max(1, sum(client.nthreads().values()))
        futures = [
            client.submit(
                score_part,
                rubric,
                str(path.resolve()),
                part,
                dict(targets),
                default_target,
                intervals,
                kind,
                pure=False,
            )
            for part in parts_of(ids, workers * PARTS_PER_WORKER)
        ]
        outputs = client.gather(futures)
    return None if any(output is None for output in outputs) else list(outputs)


def score_export_csv_on(
    scheduler: str,
    rubric: Rubric,
    path: Path | str,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    intervals: bool = False,
) -> tuple[str, int]:
    """What ``score-export --scheduler ADDRESS`` writes as CSV: the text the single-machine run writes, and how many
    assessments it scores."""
    require_extras(SCHEDULER, "dask", "scale")  # both, before the export is read: Dask's workers score with Polars
    from qimaturity.scoring.columnar import score_export

    path = Path(path)
    parts = _on_cluster(scheduler, rubric, path, targets or {}, default_target, intervals, "csv")
    if parts is None:
        scores = score_export(rubric, path, targets=targets, default_target=default_target, intervals=intervals)
        return scores.csv_text(), len(scores)
    # Each part's text has the header: the first keeps it.
    texts: list[str] = [text for text, _ in parts]
    return texts[0] + "".join(text.split("\n", 1)[1] for text in texts[1:]), sum(count for _, count in parts)


def score_export_json_on(
    scheduler: str,
    rubric: Rubric,
    path: Path | str,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
    trace: bool = False,
) -> list[str]:
    """What ``score-export --format json --scheduler ADDRESS`` writes: every full result's JSON text (see
    :func:`qimaturity.scoring.tables.result_json`; its traces with ``trace``), in order."""
    require_extras(SCHEDULER, "dask", "scale")  # both, before the export is read: Dask's workers score with Polars
    from qimaturity.scoring.columnar import score_export
    from qimaturity.scoring.tables import result_json

    path = Path(path)
    kind = "json-trace" if trace else "json"
    parts = _on_cluster(scheduler, rubric, path, targets or {}, default_target, True, kind)
    if parts is None:
        scores = score_export(rubric, path, targets=targets, default_target=default_target, intervals=True)
        return [result_json(result, trace=trace) for result in scores]
    return [text for part in parts for text in part]


def export_results_on(
    scheduler: str,
    rubric: Rubric,
    path: Path | str,
    *,
    targets: Mapping[str, int] | None = None,
    default_target: int | None = None,
) -> list[Result]:
    """Every assessment's slim result in an export (what ``compare --scheduler ADDRESS`` compares), in order."""
    require_extras(SCHEDULER, "dask", "scale")  # both, before the export is read: Dask's workers score with Polars
    from qimaturity.cohort.score import export_results

    path = Path(path)
    parts = _on_cluster(scheduler, rubric, path, targets or {}, default_target, True, "results")
    if parts is None:
        return [r.slim() for r in export_results(rubric, path, targets=targets, default_target=default_target)]
    return [result for part in parts for result in part]
