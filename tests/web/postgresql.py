"""A real PostgreSQL for the tests: started from the ``pgserver`` wheel (PostgreSQL's own binaries; as root it runs
them as a system user ``pgserver`` it creates) in a folder the caller gives, and stopped, its folder removed, when
the ``with`` block ends. Shared by tests/web/test_postgresql.py (the web tests on PostgreSQL) and the load test.

The server listens on a Unix socket in its folder and on no TCP port; :func:`running_postgresql` gives its URL.
Its folder is made under the system's temporary folder, not pytest's: as root, pgserver opens every folder above
the data folder to its system user, and another pytest run on the machine closes pytest's own (``pytest-of-root``,
0700) whenever it starts, which would leave the server's own user unable to stop it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest


@dataclass(frozen=True)
class Postgres:
    url: str
    """``postgresql://postgres@<socket folder>/postgres``"""
    pgdata: Path


@contextmanager
def running_postgresql() -> Iterator[Postgres]:
    """A PostgreSQL server while inside (skipped when the ``pgserver`` wheel is missing), in a fresh folder."""
    pgserver = pytest.importorskip("pgserver", reason="pgserver (the dev extra) runs PostgreSQL for the web tests")
    with tempfile.TemporaryDirectory(prefix="qimaturity-postgresql-") as folder:
        pgdata = Path(folder) / "pgdata"
        server = pgserver.get_server(pgdata, cleanup_mode="delete")
        try:
            socket_folder = server.get_postmaster_info().socket_dir
            yield Postgres(f"postgresql://postgres@{quote(str(socket_folder), safe='')}/postgres", pgdata)
        finally:
            server.cleanup()


def running_servers(pgdata: Path) -> list[psutil.Process]:
    """The PostgreSQL processes still running on ``pgdata`` (zombies waiting to be reaped do not run)."""
    found = []
    for process in psutil.process_iter(attrs=["name", "cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if process.info["name"] == "postgres" and str(pgdata) in " ".join(process.info["cmdline"] or ()):
            found.append(process)
    return found
