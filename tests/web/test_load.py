"""The load test: 50 respondents at once, each filling the whole questionnaire of qi-readiness against the real
`qimaturity serve` (tests/web/running.py), once on its own SQLite database and once on a real PostgreSQL
(tests/web/postgresql.py); afterwards every answer posted is in the database as posted, every invitation is
submitted, and the round exports as a valid answers document. The load itself is tests/web/load.py.

The number of answers saved and the saves' p50, p95 and maximum latency (a page's POST to its response) are
printed (`pytest -s`); nothing asserts a time. bench/bench_web_load.py measures the same load against a plain
script writing the same rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web import load
from tests.web.postgresql import running_postgresql
from tests.web.running import start

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


def _load(tmp_path: Path, database: str, database_url: str | None = None) -> None:
    site = start(tmp_path, tmp_path / "data", database_url=database_url)
    try:
        round_id, invitations = load.make_round(site)
        assert len(invitations) == 50
        filled = load.run_load(site, invitations)
        count = load.check(filled, load.saved(site, round_id))
        p50, p95, longest = load.latencies(filled)
    finally:
        assert site.stop() == 0, site.stderr
    # qi-readiness asks board 34 questions, managers 34, frontline 33, patient partners 11:
    # 8 x 34 + 12 x 34 + 22 x 33 + 8 x 11 = 272 + 408 + 726 + 88 = 1,494 answers.
    assert count == 1_494
    print(
        f"\n{database}: {len(filled)} respondents at once, {count:,} answers saved in "
        f"{sum(len(f.saves) for f in filled)} pages; save latency p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {longest * 1000:.0f} ms"
    )
    assert "database is locked" not in site.stderr and "Traceback" not in site.stderr, site.stderr[-6000:]


def test_fifty_respondents_at_once_on_sqlite(tmp_path: Path) -> None:
    _load(tmp_path, "SQLite")


def test_fifty_respondents_at_once_on_postgresql(tmp_path: Path) -> None:
    with running_postgresql() as postgres:
        _load(tmp_path, "PostgreSQL", postgres.url)
