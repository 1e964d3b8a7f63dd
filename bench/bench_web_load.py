"""Benchmark: 50 respondents at once against `qimaturity serve`, against a plain script writing the same answer rows.

    python bench/bench_web_load.py                      # SQLite and PostgreSQL, best of 3
    python bench/bench_web_load.py --rounds 1 --databases sqlite

The load is the load test's (tests/web/load.py, run by tests/web/test_load.py): a fresh site (`qimaturity serve`,
its own SQLite database, or a fresh database on a PostgreSQL started from the pgserver wheel), a round of
qi-readiness with 50 invitations across its four groups, and 50 respondents, one thread each, started together,
each filling the whole questionnaire as a browser does (HTTPS, a page's form parsed, every question answered, the
review, sending). A save's latency is from a page's POST to its response (the redirect to the next page). After
each run every answer is checked in the database as the load test checks it.

The plain script is the database's share of the same work with nothing else: the same answer rows (the same
respondents, pages and values), written through the same driver (sqlite3 in WAL mode with a busy timeout and
BEGIN IMMEDIATE as the site's settings say; psycopg 3) from the same number of threads started together, one
transaction per page as the site saves a page: lock the invitation's row, insert or update each answer, raise the
invitation's version, commit. Its latency is one page's transaction. The ratio (site / plain) says what serving a
page costs beyond writing its rows: HTTPS, the request's routing, CSRF and the form's checks, the rubric's form,
Django's ORM, and the wait for one of the web server's threads while the other respondents' pages are served.
Both sides run on the same machine as the respondents' threads; the best of --rounds (by p95) is kept.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web import load  # noqa: E402
from tests.web.postgresql import running_postgresql  # noqa: E402
from tests.web.running import start  # noqa: E402

PLAIN = r"""
import json, statistics, sys, threading, time

kind, target, pages_file = sys.argv[1], sys.argv[2], sys.argv[3]
respondents = json.load(open(pages_file, encoding="utf-8"))  # [[[answer row, ...] a page, ...] a respondent, ...]

TABLES = [
    "CREATE TABLE plain_invitation (id INTEGER PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE plain_answer (id {serial} PRIMARY KEY, invitation_id INTEGER NOT NULL REFERENCES plain_invitation,"
    " question_id VARCHAR(100) NOT NULL, level INTEGER, na BOOLEAN NOT NULL, justification TEXT NOT NULL,"
    " comment TEXT NOT NULL, evidence TEXT NOT NULL, saved_at TIMESTAMP NOT NULL,"
    " UNIQUE (invitation_id, question_id))",
]
UPSERT = (
    "INSERT INTO plain_answer (invitation_id, question_id, level, na, justification, comment, evidence, saved_at)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, CURRENT_TIMESTAMP)"
    " ON CONFLICT (invitation_id, question_id) DO UPDATE SET level = excluded.level, na = excluded.na,"
    " justification = excluded.justification, comment = excluded.comment, evidence = excluded.evidence,"
    " saved_at = excluded.saved_at"
)

if kind == "sqlite":
    import sqlite3

    def connect():
        connection = sqlite3.connect(target, timeout=20, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def page(connection, invitation, rows):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("SELECT version FROM plain_invitation WHERE id = ?", (invitation,)).fetchone()
        for row in rows:
            connection.execute(UPSERT.format(p="?"), (invitation, *row))
        connection.execute("UPDATE plain_invitation SET version = version + 1 WHERE id = ?", (invitation,))
        connection.execute("COMMIT")

    serial = "INTEGER"
else:
    import psycopg

    def connect():
        return psycopg.connect(target)

    def page(connection, invitation, rows):
        with connection.transaction():
            connection.execute("SELECT version FROM plain_invitation WHERE id = %s FOR UPDATE", (invitation,))
            for row in rows:
                connection.execute(UPSERT.format(p="%s"), (invitation, *row))
            connection.execute("UPDATE plain_invitation SET version = version + 1 WHERE id = %s", (invitation,))

    serial = "BIGSERIAL"

setup = connect()
for table in ("plain_answer", "plain_invitation"):
    setup.execute(f"DROP TABLE IF EXISTS {table}")
for statement in TABLES:
    setup.execute(statement.format(serial=serial))
for number in range(len(respondents)):
    setup.execute("INSERT INTO plain_invitation (id) VALUES (%d)" % (number + 1))
if kind != "sqlite":
    setup.commit()
setup.close()

ready = threading.Barrier(len(respondents))
latencies, failures = [], []

def respondent(number, pages):
    try:
        connection = connect()
        if kind != "sqlite":
            connection.autocommit = True
        ready.wait(60)
        for rows in pages:
            started = time.perf_counter()
            page(connection, number + 1, rows)
            latencies.append(time.perf_counter() - started)
        connection.close()
    except Exception as error:
        failures.append(repr(error))

threads = [threading.Thread(target=respondent, args=item) for item in enumerate(respondents)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(600)
if failures:
    raise SystemExit("plain script failed: " + failures[0])
check = connect()
saved = check.execute("SELECT COUNT(*) FROM plain_answer").fetchone()[0]
print(json.dumps({"saved": saved, "latencies": latencies}))
"""


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 of ``seconds``."""
    cuts = statistics.quantiles(sorted(seconds), n=100, method="inclusive")
    return statistics.median(seconds), cuts[94]


def page_rows(filled: list[load.Filled]) -> list[list[list[object]]]:
    """The rows each respondent's pages wrote, as the plain script writes them (the site's own values)."""
    return [
        [
            [
                [
                    qid,
                    f.answers[qid]["level"],
                    f.answers[qid]["na"],
                    f.answers[qid]["justification"],
                    f.answers[qid]["comment"],
                    json.dumps(f.answers[qid]["evidence"]),
                ]
                for qid in page
            ]
            for page in f.pages
        ]
        for f in filled
    ]


def site_run(tmp: Path, database_url: str | None) -> tuple[int, list[float], list[load.Filled]]:
    """The load on a fresh site: answers saved (checked in the database), the saves' latencies, the respondents."""
    tmp.mkdir()
    site = start(tmp, tmp / "data", database_url=database_url)
    try:
        round_id, invitations = load.make_round(site)
        filled = load.run_load(site, invitations)
        count = load.check(filled, load.saved(site, round_id))
    finally:
        site.stop()
    return count, [seconds for f in filled for seconds in f.saves], filled


def plain_run(kind: str, target: str, filled: list[load.Filled], tmp: Path) -> tuple[int, list[float]]:
    pages = tmp / "pages.json"
    pages.write_text(json.dumps(page_rows(filled)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PLAIN, kind, target, str(pages)], capture_output=True, text=True, timeout=900
    )
    if done.returncode:
        raise SystemExit(f"the plain script failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    return int(result["saved"]), list(result["latencies"])


def measure(kind: str, rounds: int, tmp: Path) -> None:
    best_site: tuple[float, float, int] | None = None
    best_plain: tuple[float, float, int] | None = None
    for number in range(rounds):
        here = tmp / f"{kind}-{number}"
        if kind == "sqlite":
            count, saves, filled = site_run(here, None)
            saved, plain = plain_run(kind, str(here / "plain.sqlite3"), filled, here)
        else:
            with running_postgresql() as postgres:
                count, saves, filled = site_run(here, postgres.url)
                saved, plain = plain_run(kind, postgres.url, filled, here)
        if saved != count:
            raise SystemExit(f"the plain script saved {saved} answers, the site {count}")
        site_figures = (*percentiles(saves), count)
        plain_figures = (*percentiles(plain), saved)
        if best_site is None or site_figures[1] < best_site[1]:
            best_site = site_figures
        if best_plain is None or plain_figures[1] < best_plain[1]:
            best_plain = plain_figures
    assert best_site is not None and best_plain is not None
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    print(
        f"{name:10}  site : {best_site[2]:,} answers saved, save p50 {best_site[0] * 1000:7.1f} ms, "
        f"p95 {best_site[1] * 1000:7.1f} ms"
    )
    print(
        f"{'':10}  plain: {best_plain[2]:,} answers saved, page transaction p50 {best_plain[0] * 1000:7.1f} ms, "
        f"p95 {best_plain[1] * 1000:7.1f} ms;  ratio p50 {best_site[0] / best_plain[0]:6.1f}, "
        f"p95 {best_site[1] / best_plain[1]:6.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(
        f"{sum(load.GROUPS.values())} respondents at once ({', '.join(f'{n} {g}' for g, n in load.GROUPS.items())}) "
        f"fill qi-readiness on qimaturity serve; best of {args.rounds} round(s)"
    )
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases:
            measure(kind, args.rounds, Path(folder))


if __name__ == "__main__":
    main()
