"""A running `qimaturity serve`: the real console script in its own process, on a free port, with a data folder of
its own, fetched over HTTPS with the certificate serve made as the only authority trusted. Shared by the tests of
serve, the browser journeys and the load test.

Waits are bounded polls (a deadline only turns a hang into a failure; nothing asserts how long anything took).
Objects the site needs (users, rounds) are made as an operator makes them: `qimaturity manage shell -c CODE`
(:func:`manage`), in the site's own database.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CONSOLE_SCRIPT, ROOT

READY_SECONDS = 120
STOP_SECONDS = 60


def environment(database_url: str | None = None) -> dict[str, str]:
    """This process's environment without what the test settings put there (a test key, a test data folder, the
    test settings module, a test database): serve must find its key, folder and SQLite database by itself, or the
    PostgreSQL database ``database_url`` names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QIMATURITY_", "DJANGO_", "DATABASE_URL"))}
    for kept in ("QIMATURITY_NHSUK_FRONTEND", "QIMATURITY_WEB_BUILD"):
        if kept in os.environ:
            env[kept] = os.environ[kept]
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    process: subprocess.Popen[bytes]
    data: Path
    port: int
    out: Path
    err: Path
    certificate: Path
    database_url: str | None = None

    @property
    def stdout(self) -> str:
        return self.out.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def context(self) -> ssl.SSLContext:
        """Trust the certificate serve made, and nothing else: a fetch that succeeds proves it is that one."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def fetch(self, path: str, host: str = "localhost") -> tuple[int, http.client.HTTPMessage, str]:
        with urllib.request.urlopen(f"https://{host}:{self.port}{path}", context=self.context(), timeout=30) as r:
            return r.status, r.headers, r.read().decode()

    def manage(self, *args: str) -> str:
        """`qimaturity manage ARGS` on this site (its data folder and database); its standard output."""
        return manage(self.data, *args, database_url=self.database_url)

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(STOP_SECONDS)


def start(
    tmp: Path, data: Path, *options: str, certificate: Path | None = None, database_url: str | None = None
) -> Site:
    """Start `qimaturity serve` and wait (bounded) until it serves the sign-in page with ``certificate`` (by
    default the one serve makes in the data folder), on SQLite in ``data`` or on ``database_url``'s PostgreSQL."""
    certificate = certificate or data / "certificate.pem"
    port = free_port()
    out, err = tmp / f"serve-{port}.out", tmp / f"serve-{port}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(CONSOLE_SCRIPT), "serve", "--data", str(data), "--port", str(port), *options],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=environment(database_url),
            cwd=tmp,
        )
    site = Site(process, data, port, out, err, certificate, database_url)
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"serve stopped ({process.returncode}) before it served:\n{site.stderr}")
        if certificate.exists():
            try:
                site.fetch("/login/")
                return site
            except (OSError, http.client.HTTPException, ssl.SSLError):
                pass
        if time.monotonic() > deadline:
            site.stop(signal.SIGKILL)
            pytest.fail(f"serve did not serve within {READY_SECONDS} s:\n{site.stderr}")
        time.sleep(0.2)


def manage(data: Path, *args: str, database_url: str | None = None) -> str:
    """`qimaturity manage --data DATA ARGS` as an operator runs it (``shell -c CODE`` makes users and rounds)."""
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "manage", "--data", str(data), *args],
        capture_output=True,
        text=True,
        env=environment(database_url),
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"qimaturity manage {' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout
