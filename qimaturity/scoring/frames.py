"""Results as data frames for notebooks: the rows of :func:`qimaturity.scoring.tables.result_records`, with the CSV's
columns, in Polars or pandas. Each library is imported only here, and only when asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from qimaturity._core.extras import extra_imports
from qimaturity.scoring.tables import COLUMNS, NUMBER_COLUMNS, result_records

if TYPE_CHECKING:
    import pandas
    import polars

    from qimaturity.scoring.result import Result

PANDAS_MISSING = "to_pandas() needs pandas, which is not installed: pip install pandas (or use to_polars())"


def records(results: Iterable[Result]) -> list[dict[str, Any]]:
    """Every result's rows, one result after another."""
    return [row for result in results for row in result_records(result)]


def polars_frame(results: Iterable[Result]) -> polars.DataFrame:
    """The results' rows as a Polars frame: Int64 and Float64 for the number columns, String for the rest.
    :class:`~qimaturity._core.extras.ExtraMissing` (an ``ImportError``) names the scale extra when Polars is
    missing."""
    with extra_imports("to_polars()"):
        import polars as pl

    kinds = {int: pl.Int64, float: pl.Float64}
    schema = {name: kinds[NUMBER_COLUMNS[name]] if name in NUMBER_COLUMNS else pl.String for name in COLUMNS}
    return pl.from_dicts(records(results), schema=schema)


def pandas_frame(results: Iterable[Result]) -> pandas.DataFrame:
    """The results' rows as a pandas frame: nullable ``Int64`` for whole numbers, ``float64`` (NaN for none) for
    the other numbers, objects (``None`` for none) for text. Raises ``ImportError`` naming ``pip install pandas``
    when pandas is missing."""
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError(PANDAS_MISSING, name="pandas") from error

    rows = records(results)
    kinds: dict[str, Any] = {name: {int: "Int64", float: "float64"}[kind] for name, kind in NUMBER_COLUMNS.items()}
    return pd.DataFrame(
        {name: pd.Series([row[name] for row in rows], dtype=kinds.get(name, object)) for name in COLUMNS}
    )
