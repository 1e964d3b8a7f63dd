"""`qimaturity serve` as a user runs it: the real console script in its own process, on a free port, with a data
folder of its own; the site fetched over HTTPS with the certificate serve made as the only authority trusted.

Waits are bounded polls (a deadline only turns a hang into a failure; nothing asserts how long anything took).
The refusals that come before anything starts (a port in use, a certificate without its key) run in this process.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CONSOLE_SCRIPT, run_main
from tests.web.running import STOP_SECONDS, Site, environment, free_port, start


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            found.setdefault(parent, []).append(int(entry.name))
    return found


def descendants(pid: int) -> dict[int, str]:
    """The processes ``pid`` started and the ones they started, with their command lines."""
    children, found, todo = _children(), {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def manage(data: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONSOLE_SCRIPT), "manage", *arguments, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
        check=False,
    )


COUNT_EXAMPLES = (
    "from qimaturity.web.organisations.models import Workspace; "
    "print(Workspace.objects.get(slug='examples').organisations.count())"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("serve")
    running = start(tmp, tmp / "site-data", "--examples")
    yield running
    running.stop(signal.SIGKILL)


def process(test):
    """A test that starts processes (the console script, the site's server and worker): slow."""
    return pytest.mark.subprocess(pytest.mark.slow(test))


@process
def test_the_sign_in_page_is_served_over_https_with_the_certificate_serve_made(site: Site) -> None:
    for host in ("localhost", "127.0.0.1"):  # both names of the certificate
        status, headers, page = site.fetch("/login/", host)
        assert status == 200
        assert 'class="nhsuk-header' in page and "<h1>Sign in</h1>" in page
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with pytest.raises(urllib.error.HTTPError) as missing:  # DEBUG is off: no page of the URL conf's patterns
        site.fetch("/no-such-page/")
    assert missing.value.code == 404 and b"URLconf" not in missing.value.read()
    status, headers, _ = site.fetch("/static/site/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    # The address on stdout alone; the fingerprint it prints is the certificate's, worked out here from its DER.
    assert site.stdout == f"https://127.0.0.1:{site.port}/\n"
    der = ssl.PEM_cert_to_DER_cert((site.data / "certificate.pem").read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    assert ":".join(digest[i : i + 2] for i in range(0, 64, 2)) in site.stderr
    assert f"qimaturity manage createsuperuser --data {site.data}" in site.stderr


@process
def test_plain_http_gets_no_page(site: Site) -> None:
    with pytest.raises((http.client.HTTPException, ConnectionError, urllib.error.URLError)):
        urllib.request.urlopen(f"http://127.0.0.1:{site.port}/login/", timeout=30)


@process
def test_the_data_folder_and_its_secrets_are_readable_by_their_owner_alone(site: Site) -> None:
    modes = {path.name: path.stat().st_mode & 0o777 for path in [site.data, *site.data.iterdir()]}
    assert modes["site-data"] == 0o700
    assert modes["secret_key"] == 0o600
    assert modes["certificate-key.pem"] == 0o600
    assert modes["qimaturity.sqlite3"] == 0o600  # what serve's children write too: its umask is 077
    assert len((site.data / "secret_key").read_text().strip()) >= 50


@process
def test_every_deployment_check_passes_in_the_served_configuration(site: Site) -> None:
    done = manage(site.data, "check", "--deploy")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


@process
def test_the_example_organisations_are_loaded_once(site: Site) -> None:
    # examples/answers holds 3 organisations, examples/cohort 24 others (two years of some): 27 in all.
    done = manage(site.data, "shell", "-c", COUNT_EXAMPLES)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "27"
    assert "Example organisations: 27 in the workspace" in site.stderr and "(27 new)" in site.stderr


@process
def test_sigterm_stops_every_process_and_a_second_start_keeps_the_key_and_certificate(site: Site, tmp_path) -> None:
    started = descendants(site.process.pid)
    assert any("granian" in command for command in started.values())
    assert any("db_worker" in command for command in started.values())
    assert site.stop(signal.SIGTERM) == 0
    assert "SIGTERM received: stopping" in site.stderr
    assert [pid for pid in started if alive(pid)] == []

    key, certificate = (site.data / "secret_key").read_bytes(), (site.data / "certificate.pem").read_bytes()
    again = start(tmp_path, site.data, "--examples")
    try:
        assert "Created" not in again.stderr
        assert (site.data / "secret_key").read_bytes() == key
        assert (site.data / "certificate.pem").read_bytes() == certificate  # and the fetch trusted only that one
        assert "Example organisations: 27 in the workspace" in again.stderr and "(0 new)" in again.stderr
        started = descendants(again.process.pid)
    finally:
        code = again.stop(signal.SIGINT)  # Ctrl-C
    assert code == 0
    assert [pid for pid in started if alive(pid)] == []


@process
def test_a_child_that_dies_stops_the_other_and_serve_fails(tmp_path) -> None:
    from qimaturity.web.serve import _make_certificate

    # A certificate of one's own (self-signed here): served, and nothing made in the data folder in its place.
    _make_certificate(tmp_path / "ours.pem", tmp_path / "ours-key.pem")
    given = ("--certificate", str(tmp_path / "ours.pem"), "--key", str(tmp_path / "ours-key.pem"))
    running = start(tmp_path, tmp_path / "data", *given, certificate=tmp_path / "ours.pem")
    try:
        assert not (tmp_path / "data" / "certificate.pem").exists()
        assert f"Certificate: {tmp_path / 'ours.pem'}, self-signed" in running.stderr
        started = descendants(running.process.pid)
        (worker,) = (pid for pid, command in started.items() if "db_worker" in command)
        os.kill(worker, signal.SIGKILL)
        code = running.process.wait(STOP_SECONDS)
    finally:
        running.stop(signal.SIGKILL)
    assert code == 1
    assert "the task worker stopped (killed by SIGKILL): stopping the web server" in running.stderr
    assert [pid for pid in started if alive(pid)] == []


@process
def test_the_children_stop_when_serve_is_killed(tmp_path) -> None:
    running = start(tmp_path, tmp_path / "data")
    started = descendants(running.process.pid)
    assert len(started) >= 3  # granian, its worker, the task worker
    running.process.kill()  # SIGKILL: serve cannot stop them; the parent-death signal does
    running.process.wait(STOP_SECONDS)
    deadline = time.monotonic() + STOP_SECONDS
    while [pid for pid in started if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    left = {pid: command for pid, command in started.items() if alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == {}


@process
def test_qimaturity_help_loads_no_web_library() -> None:
    code = (
        "import sys\n"
        "from qimaturity.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "main(['serve', '--help'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + "print(sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr)"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
        check=False,
    )
    assert "serve" in done.stdout and "manage" in done.stdout, done.stderr
    loaded = set(re.findall(r"'([\w]+)'", done.stderr.splitlines()[-1]))
    assert "qimaturity" in loaded
    assert loaded.isdisjoint({"django", "granian", "cryptography"})


# ---- refused before anything starts (in this process: nothing is created, no setting is read) ------------------


def test_a_certificate_without_its_key_is_refused(tmp_path) -> None:
    (tmp_path / "site.pem").write_text("not read: refused first")
    for given, missing in (("--certificate", "--key"), ("--key", "--certificate")):
        done = run_main("serve", "--data", str(tmp_path / "data"), given, str(tmp_path / "site.pem"))
        assert done.returncode == 2
        assert f"Error: {given} needs {missing}: give the certificate and its private key together" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_a_port_in_use_is_refused(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_main("serve", "--data", str(tmp_path / "data"), "--port", str(port))
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr and "give another --port" in done.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_that_is_no_port_is_refused(tmp_path, port) -> None:
    done = run_main("serve", "--data", str(tmp_path / "data"), "--port", port)
    assert done.returncode == 2 and "Invalid value for '--port'" in done.stderr


def test_a_data_folder_that_cannot_be_made_is_refused(tmp_path) -> None:
    (tmp_path / "a-file").write_text("")
    done = run_main("serve", "--data", str(tmp_path / "a-file" / "data"), "--port", str(free_port()))
    assert done.returncode == 2
    assert f"cannot create the data folder {tmp_path / 'a-file' / 'data'}" in done.stderr
    done = run_main("serve", "--data", str(tmp_path / "a-file"), "--port", str(free_port()))
    assert done.returncode == 2 and "is a file" in done.stderr


def test_a_key_the_web_server_cannot_read_or_of_another_certificate_is_refused(tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from qimaturity.web.serve import _make_certificate

    _make_certificate(tmp_path / "one.pem", tmp_path / "one-key.pem")
    _make_certificate(tmp_path / "two.pem", tmp_path / "two-key.pem")
    traditional = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    (tmp_path / "ec-key.pem").write_bytes(traditional)  # BEGIN EC PRIVATE KEY: granian reads PKCS#8 alone
    for key, message in (
        ("ec-key.pem", "is not an unencrypted PKCS#8 private key"),
        ("two-key.pem", "is not the private key of"),
    ):
        done = run_main(
            "serve",
            "--data",
            str(tmp_path / "data"),
            "--certificate",
            str(tmp_path / "one.pem"),
            "--key",
            str(tmp_path / key),
        )
        assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "data").exists()


def test_manage_needs_a_site(tmp_path) -> None:
    done = run_main("manage", "check", "--data", str(tmp_path), env={"QIMATURITY_SECRET_KEY": None})  # type: ignore[dict-item]
    assert done.returncode == 2
    assert f"no site in {tmp_path} (no secret key there): start it once with `qimaturity serve" in done.stderr


@pytest.mark.slow  # reads 27 answers files
@pytest.mark.django_db
def test_loading_the_examples_twice_adds_nothing_and_changes_no_organisation() -> None:
    from qimaturity.web.organisations.models import Organisation, Workspace
    from qimaturity.web.serve import load_examples

    ours = Organisation.objects.create(code="riverside", name="Riverside, as we renamed it", region="ours")
    assert load_examples() == (26, 27)  # 27 example organisations, riverside already there
    assert load_examples() == (0, 27)
    workspace = Workspace.objects.get(slug="examples")
    assert workspace.organisations.count() == 27 and workspace.kind == Workspace.Kind.REGULATOR
    ours.refresh_from_db()
    assert (ours.name, ours.region) == ("Riverside, as we renamed it", "ours")
    ashford = Organisation.objects.get(code="org-00001")
    assert (ashford.name, ashford.type, ashford.region) == ("Ashford Acute NHS Trust", "acute", "north-east")
