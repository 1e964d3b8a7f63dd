"""The web tests on a real PostgreSQL: started here from the ``pgserver`` wheel (PostgreSQL's own binaries; as root
it runs them as a system user ``pgserver`` it creates), in a folder of its own (tests/web/postgresql.py), and
stopped afterwards.

The web tests run in a fresh process with ``DATABASE_URL`` pointing at that server (a Unix socket; the server
listens on no TCP port), without pytest-xdist and without the tests marked ``subprocess`` (a server or a browser
of their own, which choose their database themselves; this test among them). tests/web/test_database.py writes the
database's vendor into the file this test names, so the run is known to have used PostgreSQL and not SQLite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.postgresql import running_postgresql, running_servers

pytest.importorskip("pgserver", reason="pgserver (the dev extra) runs PostgreSQL for the web tests")

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="already running on the database DATABASE_URL names")
def test_the_web_tests_pass_on_postgresql(tmp_path: Path) -> None:
    vendor_file = tmp_path / "vendor"
    with running_postgresql() as postgres:
        pgdata = postgres.pgdata
        env = {
            **os.environ,
            "DATABASE_URL": postgres.url,
            "QIMATURITY_TEST_VENDOR_FILE": str(vendor_file),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/web", "-p", "no:xdist", "-p", "no:cacheprovider"]
            + ["-m", "not subprocess"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert re.search(r"\b\d+ passed\b", summary) and "failed" not in summary and "error" not in summary, summary
    assert vendor_file.read_text(encoding="utf-8") == "postgresql"
    assert not running_servers(pgdata), "the PostgreSQL server is still running"
    assert not pgdata.exists()  # removed with the server
